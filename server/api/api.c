/* api.c - the /api/ router, the shared request helpers (api_int.h), and
 * the account endpoints: login, logout, me, password change, password
 * reset by mail and its confirmation, accepting an invitation link.  The
 * event endpoints are in api_events.c, the administrators' in
 * api_admin.c; the routes are listed in docs/api.md.  Argon2id goes through
 * api_pw.c (off the main loop); sign-in guessing is limited by two guards
 * (guard.h): per e-mail address login_max_failures within
 * login_lockout_seconds, per client IP a hundred times that (a training
 * room behind one NAT signs in at once). */
#include "api_int.h"

#include <glib.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "err.h"
#include "log.h"

#define RESET_TTL_SECS 3600
#define GUARD_CAPACITY 16384      /* keys kept per guard (least recently used go) */
/* An IP may fail this many times an address's limit.  Attempts count when
 * they start, so a whole training room signing in at once behind one NAT
 * (500 people within a minute) must fit: each address keeps its own
 * limit of login_max_failures, so guessing stays bounded per account. */
#define IP_FACTOR 100

/* ---- helpers ---- */

void api_reply(api_call *c, int status, json_t *json)
{
    c->resp->status = status;
    c->resp->content_type = "application/json";
    char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
    json_decref(json);
    c->resp->body = g_strdup(text ? text : "{}");
    c->resp->body_len = strlen(c->resp->body);
    free(text);
}

void api_error(api_call *c, int status, const char *code, const char *reason)
{
    api_reply(c, status, json_pack("{s:s, s:s}", "error", code, "reason", reason));
}

bool api_need_person(api_call *c)
{
    if (c->blocked)
        api_error(c, 403, "blocked", "this account is blocked");
    else if (!c->person)
        api_error(c, 401, "sign-in-required", "sign in first");
    return c->person != 0;
}

bool api_may_event(api_call *c, int64_t event_id, veche_access_perm perm,
                   veche_access_role *role)
{
    if (!api_need_person(c))
        return false;
    veche_admission a;
    int rc = veche_store_admit(c->api->env.store, event_id, c->person, &a);
    if (rc == VECHE_ENOTFOUND) {
        api_error(c, 404, "not-found", "there is no such event");
        return false;
    }
    if (rc == 0 && !veche_access_may(a.role, perm))
        rc = VECHE_EDENIED;
    if (rc == VECHE_EDENIED) {
        api_error(c, 403, "forbidden", "your role in this event does not allow this");
        return false;
    }
    if (rc != 0) {
        api_error(c, 500, "internal", "database error");
        return false;
    }
    if (role)
        *role = a.role;
    return true;
}

bool api_need_body(api_call *c)
{
    if (!c->body)
        api_error(c, 400, "bad-request", "the body must be a JSON object");
    return c->body != NULL;
}

const char *api_str(api_call *c, const char *key)
{
    return c->body ? json_string_value(json_object_get(c->body, key)) : NULL;
}

int64_t api_id(const char *seg)
{
    if (!seg || !*seg || strlen(seg) > 18)
        return 0;
    for (const char *p = seg; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return strtoll(seg, NULL, 10);
}

void api_query(api_call *c, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    size_t n = strlen(name);
    for (const char *p = c->req->query; p && *p;) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            snprintf(out, cap, "%.*s", (int)(len - n - 1), p + n + 1);
            return;
        }
        p = end ? end + 1 : NULL;
    }
}

bool api_lang_is_russian(const char *lang_param, const char *accept_language)
{
    if (lang_param && lang_param[0])
        return g_ascii_strncasecmp(lang_param, "ru", 2) == 0;
    if (!accept_language)
        return false;
    /* The language the browser prefers most: the highest q (first wins a tie). */
    double best_q = -1;
    bool best_ru = false;
    const char *p = accept_language;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *tag = p;
        while (*p && *p != ',' && *p != ';' && *p != ' ')
            p++;
        size_t tag_len = (size_t)(p - tag);
        double q = 1.0;
        while (*p && *p != ',') {
            if (strncmp(p, ";q=", 3) == 0)
                q = g_ascii_strtod(p + 3, NULL);
            p++;
        }
        if (tag_len > 0 && q > best_q) {
            best_q = q;
            best_ru = tag_len >= 2 && g_ascii_strncasecmp(tag, "ru", 2) == 0 &&
                      (tag_len == 2 || tag[2] == '-');
        }
    }
    return best_ru;
}

bool api_russian(api_call *c)
{
    char lang[8];
    api_query(c, "lang", lang, sizeof lang);
    return api_lang_is_russian(lang, c->req->accept_language);
}

bool api_is_admin_of(api_call *c, int64_t org_id)
{
    veche_account acc;
    if (veche_store_account_get(c->api->env.store, c->person, &acc) == 0 && acc.platform_admin)
        return true;
    return org_id > 0 && veche_store_org_is_admin(c->api->env.store, org_id, c->person) == 1;
}

int api_reset_link(api_call *c, int64_t person, int64_t ttl_secs, char *link, size_t cap)
{
    return veche_auth_reset_link(c->api->env.store, c->api->env.cfg->public_url, person, c->now,
                                 ttl_secs, link, cap);
}

/* The cookie outlives any session: the server decides when a session ends
 * (it slides with use and is held for a lesson, store.h), so the browser
 * must not drop the cookie first.  400 days: what browsers keep at most. */
#define SESSION_COOKIE_MAX_AGE (400L * 86400)

/* Set (token) or clear (NULL) the session cookie. */
static void set_cookie(api_call *c, const char *token)
{
    long max_age = token ? SESSION_COOKIE_MAX_AGE : 0;
    snprintf(c->resp->set_cookie, sizeof c->resp->set_cookie,
             "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s", VECHE_SESSION_COOKIE,
             token ? token : "", max_age, c->req->tls ? "; Secure" : "");
}

/* Open a session for person and set its cookie. */
static int open_session(api_call *c, int64_t person)
{
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    int rc = veche_token_session_new(token, hash);
    if (rc == 0)
        rc = veche_store_session_create(c->api->env.store, hash, person, c->now,
                                        c->now + (int64_t)c->api->env.cfg->session_ttl_hours *
                                                     3600);
    if (rc == 0)
        set_cookie(c, token);
    return rc;
}

/* {person, name, email, roles, platformAdmin, mustChangePassword}: roles
 * are the names of the roles the person holds in any event. */
/* Collects the ids of the organizations a person administers (with
 * those below them). */
static int collect_org_id(void *ud, const veche_org *o)
{
    return json_array_append_new(ud, json_integer(o->id)) == 0 ? 0 : VECHE_EIO;
}

static json_t *person_json(api_call *c, int64_t person)
{
    veche_store *st = c->api->env.store;
    veche_person p;
    veche_account acc;
    if (veche_store_person_get(st, person, &p) != 0)
        return NULL;
    bool has_acc = veche_store_account_get(st, person, &acc) == 0;
    unsigned mask = 0;  /* the roles held in some event: by the person's rows */
    if (veche_store_person_event_roles(st, person, &mask) < 0)
        return NULL;
    if (has_acc && acc.platform_admin)
        mask |= 1u << VECHE_ACCESS_PLATFORM_ADMIN;
    json_t *admin_orgs = json_array();  /* what the admin pages may show */
    if (veche_store_orgs_list(st, 0, person, collect_org_id, admin_orgs) < 0) {
        json_decref(admin_orgs);
        return NULL;
    }
    if (json_array_size(admin_orgs))
        mask |= 1u << VECHE_ACCESS_ORG_ADMIN;
    json_t *roles = json_array();
    for (int i = VECHE_ACCESS_COUNT - 1; i > VECHE_ACCESS_NONE; i--)
        if (mask & (1u << i))
            json_array_append_new(roles, json_string(veche_access_role_name((veche_access_role)i)));
    return json_pack("{s:I, s:s, s:s, s:o, s:b, s:o, s:b}", "person", (json_int_t)person,
                     "name", p.full_name, "email", p.email, "roles", roles, "platformAdmin",
                     has_acc && acc.platform_admin, "adminOrgs", admin_orgs,
                     "mustChangePassword", has_acc && acc.must_change_password);
}

/* ---- endpoints ---- */

static int64_t mono_secs(void)
{
    return g_get_monotonic_time() / G_USEC_PER_SEC;
}

/* Count a sign-in attempt against a guard key; logs when it locks. */
static void guard_attempt(veche_guard *g, const char *key, const char *what, const char *ip,
                          const veche_config *cfg)
{
    int64_t now = mono_secs();
    bool was = veche_guard_locked(g, key, now, NULL);
    veche_guard_fail(g, key, now);
    if (!was && veche_guard_locked(g, key, now, NULL))
        VLOG_WARN(NULL, NULL, "api: too many failed sign-ins %s%s: locked for %u s", what,
                  ip ? ip : "", cfg->login_lockout_seconds);
}

/* A sign-in whose session is written on the store thread; the answer
 * waits for it. */
typedef struct {
    veche_api *api;
    veche_http_pending *pending;  /* NULL once answered */
    bool tls;
    char peer[64];
    int64_t now, person;
    char token[VECHE_TOKEN_SESSION_SIZE];
} signin;

static void signin_free(gpointer ud)
{
    signin *si = ud;
    if (si->pending) {  /* the queue went away first (shutdown) */
        veche_http_response resp = {.status = 503};
        veche_http_pending_finish(si->pending, &resp);
    }
    sodium_memzero(si->token, sizeof si->token);
    g_free(si);
}

static void signin_written(void *ud, veche_storeq_req *req)
{
    signin *si = ud;
    veche_http_response resp;
    memset(&resp, 0, sizeof resp);
    veche_http_request hreq = {
        .method = "POST", .path = "", .query = "", .cookie = "", .body = "",
        .tls = si->tls, .peer = si->peer,
    };
    api_call c = {.api = si->api, .req = &hreq, .resp = &resp, .now = si->now,
                  .person = si->person};
    json_t *me = NULL;
    if (req->rc == VECHE_ENOTFOUND) {
        /* the account went, or its password changed, while we checked */
        VLOG_INFO(NULL, NULL, "api: person %lld: sign-in failed: the password changed meanwhile",
                  (long long)si->person);
        api_error(&c, 401, "wrong-credentials", "wrong e-mail or password");
        veche_metrics_sign_in(si->api->env.metrics, VECHE_SIGNIN_WRONG);
    } else if (req->rc == VECHE_EBLOCKED) {
        VLOG_INFO(NULL, NULL, "api: person %lld: sign-in refused: blocked", (long long)si->person);
        api_error(&c, 403, "blocked", "this account is blocked; ask an administrator");
        veche_metrics_sign_in(si->api->env.metrics, VECHE_SIGNIN_BLOCKED);
    } else if (req->rc != 0) {
        api_error(&c, 500, "internal", "could not open a session");
        veche_metrics_sign_in(si->api->env.metrics, VECHE_SIGNIN_ERROR);
    } else if (!(me = person_json(&c, si->person))) {
        api_error(&c, 500, "internal", "database error");
        veche_metrics_sign_in(si->api->env.metrics, VECHE_SIGNIN_ERROR);
    } else {
        VLOG_INFO(NULL, NULL, "api: person %lld signed in", (long long)si->person);
        veche_metrics_sign_in(si->api->env.metrics, VECHE_SIGNIN_OK);
        set_cookie(&c, si->token);
        api_reply(&c, 200, me);
    }
    veche_http_pending_finish(si->pending, &resp);
    si->pending = NULL;
    g_free(resp.body);  /* NULL: taken */
}

/* Hand the session's write (and the checks that the account is unchanged
 * and not blocked) to the store thread; its completion answers. */
static void login_store_thread(api_call *c, api_pw_job *j)
{
    veche_api *a = c->api;
    signin *si = g_new0(signin, 1);
    si->api = a;
    si->tls = j->tls;
    snprintf(si->peer, sizeof si->peer, "%s", j->peer);
    si->now = c->now;
    si->person = j->id;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_SIGN_IN);
    if (veche_token_session_new(si->token, req->token) != 0) {
        veche_storeq_req_free(req);
        g_free(si);
        return api_error(c, 500, "internal", "could not open a session");
    }
    si->pending = j->pending;
    j->pending = NULL;
    c->resp->deferred = true;
    req->person_id = j->id;
    snprintf(req->verify_hash, sizeof req->verify_hash, "%s", j->verify_hash);
    req->now = c->now;
    req->expires = c->now + (int64_t)a->env.cfg->session_ttl_hours * 3600;
    veche_storeq_submit(a->env.storeq, req, signin_written, si, signin_free);
}

static void login_done(api_call *c, api_pw_job *j)
{
    veche_api *a = c->api;
    if (j->verify_rc != 0) {  /* counted when it started */
        VLOG_INFO(NULL, NULL, "api: sign-in failed");
        veche_metrics_sign_in(a->env.metrics, VECHE_SIGNIN_WRONG);
        return api_error(c, 401, "wrong-credentials", "wrong e-mail or password");
    }
    veche_guard_clear(a->by_address, j->key);
    if (j->peer[0])
        veche_guard_undo(a->by_ip, j->peer);
    if (a->env.storeq && j->pending)
        return login_store_thread(c, j);
    veche_account acc;  /* inline (no store thread, or no way to defer) */
    int rc = veche_store_account_get(a->env.store, j->id, &acc);
    if (rc == VECHE_ENOTFOUND || (rc == 0 && strcmp(acc.password_hash, j->verify_hash) != 0)) {
        /* the account went, or its password changed, while we checked */
        VLOG_INFO(NULL, NULL, "api: person %lld: sign-in failed: the password changed meanwhile",
                  (long long)j->id);
        veche_metrics_sign_in(a->env.metrics, VECHE_SIGNIN_WRONG);
        return api_error(c, 401, "wrong-credentials", "wrong e-mail or password");
    }
    if (rc != 0) {
        veche_metrics_sign_in(a->env.metrics, VECHE_SIGNIN_ERROR);
        return api_error(c, 500, "internal", "database error");
    }
    if (acc.blocked) {
        VLOG_INFO(NULL, NULL, "api: person %lld: sign-in refused: blocked", (long long)j->id);
        veche_metrics_sign_in(a->env.metrics, VECHE_SIGNIN_BLOCKED);
        return api_error(c, 403, "blocked", "this account is blocked; ask an administrator");
    }
    if (open_session(c, j->id) != 0) {
        veche_metrics_sign_in(a->env.metrics, VECHE_SIGNIN_ERROR);
        return api_error(c, 500, "internal", "could not open a session");
    }
    VLOG_INFO(NULL, NULL, "api: person %lld signed in", (long long)j->id);
    veche_metrics_sign_in(a->env.metrics, VECHE_SIGNIN_OK);
    json_t *me = person_json(c, j->id);
    if (!me)
        return api_error(c, 500, "internal", "database error");
    api_reply(c, 200, me);
}

static void login(api_call *c)
{
    if (!api_need_body(c))
        return;
    const char *email = api_str(c, "email"), *password = api_str(c, "password");
    if (!email || !password)
        return api_error(c, 400, "bad-request", "email and password are required");
    veche_api *a = c->api;
    char key[VECHE_EMAIL_MAX + 1];
    veche_guard_email_key(email, key, sizeof key);
    const char *ip = c->req->peer && c->req->peer[0] ? c->req->peer : NULL;
    int64_t now = mono_secs(), left = 0;
    bool by_address = veche_guard_locked(a->by_address, key, now, &left);
    if (by_address || (ip && veche_guard_locked(a->by_ip, ip, now, &left))) {
        VLOG_INFO(NULL, NULL, "api: sign-in refused: too many failed attempts %s%s",
                  by_address ? "for the address" : "from ", by_address ? "" : ip);
        veche_metrics_sign_in(a->env.metrics, VECHE_SIGNIN_LOCKED);
        long mins = (long)((left + 59) / 60);
        char reason[160];
        snprintf(reason, sizeof reason, "too many failed sign-ins; try again in %ld minute%s",
                 mins, mins == 1 ? "" : "s");
        return api_reply(c, 429, json_pack("{s:s, s:s, s:I}", "error", "too-many-attempts",
                                           "reason", reason, "retryAfter", (json_int_t)left));
    }
    if (api_pw_busy(c))
        return;
    /* counted now, taken back on success: guesses sent at once cannot all
     * get in before the first result */
    guard_attempt(a->by_address, key, "for an address", NULL, a->env.cfg);
    if (ip)
        guard_attempt(a->by_ip, ip, "from ", ip, a->env.cfg);
    api_pw_job *j = api_pw_job_new(c, login_done);
    snprintf(j->key, sizeof j->key, "%s", key);
    j->password = g_strdup(password);
    veche_person p;
    veche_account acc;
    if (veche_store_person_find_email(a->env.store, email, &p) == 0 &&
        veche_store_account_get(a->env.store, p.id, &acc) == 0 && acc.password_hash[0]) {
        j->id = p.id;
        snprintf(j->verify_hash, sizeof j->verify_hash, "%s", acc.password_hash);
    }  /* else a dummy check: the same work, so timing tells nothing */
    api_pw_submit(c, j);
}

static void logout(api_call *c)
{
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    if (veche_auth_cookie_token(c->req->cookie, token) == 0 &&
        veche_token_session_hash(token, hash) == 0 &&
        veche_store_session_delete(c->api->env.store, hash) == 0)
        VLOG_INFO(NULL, NULL, "api: person %lld signed out", (long long)c->person);
    set_cookie(c, NULL);
    api_reply(c, 200, json_object());
}

static void me(api_call *c)
{
    if (!api_need_person(c))
        return;
    json_t *j = person_json(c, c->person);
    if (!j)
        return api_error(c, 500, "internal", "database error");
    api_reply(c, 200, j);
}

/* GET /api/session: like /api/me, but 200 {signedIn: false} when nobody
 * is signed in, so that a page asking on load logs no error. */
static void session(api_call *c)
{
    if (c->blocked || !c->person)
        return api_reply(c, 200, json_pack("{s:b, s:b}", "signedIn", false, "blocked",
                                           c->blocked));
    json_t *j = person_json(c, c->person);
    if (!j)
        return api_error(c, 500, "internal", "database error");
    json_object_set_new(j, "signedIn", json_true());
    api_reply(c, 200, j);
}

static void change_password_done(api_call *c, api_pw_job *j)
{
    veche_store *st = c->api->env.store;
    if (j->verify_rc != 0)
        return api_error(c, 403, "wrong-password", "the current password is wrong");
    if (j->reason)
        return api_error(c, 400, "weak-password", j->reason);
    if (j->hash_rc != 0)
        return api_error(c, 500, "internal", "could not hash the password");
    veche_account acc;
    if (veche_store_account_get(st, j->id, &acc) != 0)
        return api_error(c, 500, "internal", "database error");
    if (acc.blocked)
        return api_error(c, 403, "blocked", "this account is blocked");
    if (strcmp(acc.password_hash, j->verify_hash) != 0)  /* changed while we checked */
        return api_error(c, 403, "wrong-password", "the current password is wrong");
    if (veche_store_account_set_password(st, j->id, j->new_hash, false, c->now) != 0)
        return api_error(c, 500, "internal", "could not store the password");
    VLOG_INFO(NULL, NULL, "api: person %lld changed the password", (long long)j->id);
    api_reply(c, 200, json_pack("{s:b}", "mustChangePassword", 0));
}

static void change_password(api_call *c)
{
    if (!api_need_person(c) || !api_need_body(c))
        return;
    const char *old = api_str(c, "old"), *new_pw = api_str(c, "new");
    if (!old || !new_pw)
        return api_error(c, 400, "bad-request", "old and new are required");
    veche_store *st = c->api->env.store;
    veche_account acc;
    veche_person p;
    if (veche_store_account_get(st, c->person, &acc) != 0 ||
        veche_store_person_get(st, c->person, &p) != 0)
        return api_error(c, 500, "internal", "database error");
    if (!acc.password_hash[0])
        return api_error(c, 403, "wrong-password", "the current password is wrong");
    if (api_pw_busy(c))
        return;
    const char *why = NULL;
    api_pw_job *j = api_pw_job_new(c, change_password_done);
    j->id = c->person;
    j->password = g_strdup(old);
    snprintf(j->verify_hash, sizeof j->verify_hash, "%s", acc.password_hash);
    if (veche_password_check_policy(new_pw, p.email, &why) != 0)  /* told after the check */
        j->reason = why ? why : "the password is too weak";
    else
        j->new_password = g_strdup(new_pw);
    api_pw_submit(c, j);
}

static void reset_request(api_call *c)
{
    if (!api_need_body(c))
        return;
    const char *email = api_str(c, "email");
    if (!email)
        return api_error(c, 400, "bad-request", "email is required");
    veche_store *st = c->api->env.store;
    veche_person p;
    veche_account acc;
    char link[512];
    /* The same answer for every address, so it tells nothing about
     * accounts; it does tell that this server sends no mail (mail: false),
     * so that people ask their administrator instead of waiting. */
    bool mail = c->api->env.mailer != NULL;
    if (!mail) {
        if (veche_store_person_find_email(st, email, &p) == 0 &&
            veche_store_account_get(st, p.id, &acc) == 0)
            VLOG_WARN(NULL, NULL, "api: person %lld asked for a password reset link: not sent,"
                      " no mail relay is configured (smtp_relay)", (long long)p.id);
        return api_reply(c, 202, json_pack("{s:s, s:b}", "status",
                                           "this server sends no mail: ask an administrator"
                                           " to reset the password", "mail", false));
    }
    if (veche_store_person_find_email(st, email, &p) == 0 &&
        veche_store_account_get(st, p.id, &acc) == 0 && !acc.blocked &&
        api_reset_link(c, p.id, RESET_TTL_SECS, link, sizeof link) == 0) {
        char *body = g_strdup_printf(
            "Здравствуйте!\n\nЧтобы задать новый пароль Veche, откройте ссылку (она действует"
            " один час и один раз):\n%s\n\nЕсли вы не просили сменить пароль, ничего не"
            " делайте.\n\n---\n\nHello,\n\nTo set a new Veche password, open this link (valid"
            " for one hour, once):\n%s\n\nIf you did not ask for this, do nothing.\n",
            link, link);
        int rc = veche_mailer_send(c->api->env.mailer, p.email,
                                   "Veche: новый пароль / new password", body);
        g_free(body);
        VLOG_INFO(NULL, NULL, "api: person %lld: password reset link %s", (long long)p.id,
                  rc == 0 ? "queued" : "not sent");
    }
    api_reply(c, 202, json_pack("{s:s, s:b}", "status",
                                "if the address has an account, a link is on its way",
                                "mail", true));
}

/* The reply for a reset token the store refused (rc from reset_check or
 * reset_consume). */
static void reset_refused(api_call *c, int rc)
{
    switch (rc) {
    case VECHE_ENOTFOUND: return api_error(c, 400, "invalid-token", "this reset link is not valid");
    case VECHE_EUSED: return api_error(c, 400, "token-used", "this reset link was used before");
    case VECHE_EEXPIRED: return api_error(c, 400, "token-expired", "this reset link has expired");
    case VECHE_EBLOCKED: return api_error(c, 403, "blocked", "this account is blocked");
    default: return api_error(c, 500, "internal", "database error");
    }
}

/* GET /api/password-reset/check?token=...: whether the link can still be
 * used, so the page can say so before anyone types a password. */
static void reset_check(api_call *c)
{
    char token[VECHE_TOKEN_SESSION_SIZE + 8];
    api_query(c, "token", token, sizeof token);
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    if (veche_token_session_hash(token, hash) != 0)
        return api_error(c, 400, "invalid-token", "this reset link is not valid");
    int rc = veche_store_reset_check(c->api->env.store, hash, c->now);
    if (rc != 0)
        return reset_refused(c, rc);
    api_reply(c, 200, json_pack("{s:b}", "valid", 1));
}

static void reset_confirm_done(api_call *c, api_pw_job *j)
{
    if (j->hash_rc != 0)
        return api_error(c, 500, "internal", "could not hash the password");
    int64_t person = 0;
    int rc = veche_store_reset_consume(c->api->env.store, j->token, j->new_hash, c->now, &person);
    if (rc != 0)
        return reset_refused(c, rc);
    VLOG_INFO(NULL, NULL, "api: person %lld set a new password by reset link", (long long)person);
    api_reply(c, 200, json_pack("{s:I}", "person", (json_int_t)person));
}

static void reset_confirm(api_call *c)
{
    if (!api_need_body(c))
        return;
    const char *token = api_str(c, "token"), *new_pw = api_str(c, "new");
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    if (!token || !new_pw)
        return api_error(c, 400, "bad-request", "token and new are required");
    if (veche_token_session_hash(token, hash) != 0)
        return api_error(c, 400, "invalid-token", "this reset link is not valid");
    int rc = veche_store_reset_check(c->api->env.store, hash, c->now);
    if (rc != 0)  /* before hashing: junk and used links cost no Argon2id */
        return reset_refused(c, rc);
    const char *why = NULL;
    if (veche_password_check_policy(new_pw, NULL, &why) != 0)
        return api_error(c, 400, "weak-password", why ? why : "the password is too weak");
    if (api_pw_busy(c))
        return;
    api_pw_job *j = api_pw_job_new(c, reset_confirm_done);
    memcpy(j->token, hash, sizeof j->token);
    j->new_password = g_strdup(new_pw);
    api_pw_submit(c, j);
}

/* Trade an invitation link for a session (single use), so a browser can
 * then join with the event id and reconnect freely. */
static void accept_invitation(api_call *c)
{
    if (!api_need_body(c))
        return;
    const char *token = api_str(c, "token");
    if (!token)
        return api_error(c, 400, "bad-request", "token is required");
    veche_auth_join aj;
    int rc = veche_auth_admit_join(c->api->env.store, c->api->env.secret, "", 0, token, c->now,
                                   &aj);
    if (rc != 0) {
        int status = strcmp(aj.code, "blocked") == 0 ? 403
                     : strcmp(aj.code, "internal") == 0 ? 500
                     : strcmp(aj.code, "no-such-event") == 0 ? 404
                     : strcmp(aj.code, "event-cancelled") == 0 ? 409 : 400;
        return api_error(c, status, aj.code, aj.reason);
    }
    if (open_session(c, aj.person.id) != 0)
        return api_error(c, 500, "internal", "could not open a session");
    VLOG_INFO(aj.event.room_id, NULL, "api: person %lld accepted an invitation to event %lld",
              (long long)aj.person.id, (long long)aj.event.id);
    api_reply(c, 200, json_pack("{s:I, s:I, s:s, s:s}", "event", (json_int_t)aj.event.id,
                                "person", (json_int_t)aj.person.id, "name",
                                aj.person.full_name, "title", aj.event.title));
}

/* ---- routing ---- */

static bool is(const api_call *c, const char *method, size_t n, const char *s0,
               const char *s1)
{
    return strcmp(c->req->method, method) == 0 && c->nsegs == n && strcmp(c->segs[0], s0) == 0 &&
           (!s1 || (n > 1 && strcmp(c->segs[1], s1) == 0));
}

static void route(api_call *c)
{
    if (c->nsegs == 0)
        return api_error(c, 404, "not-found", "no such route");
    if (is(c, "POST", 1, "login", NULL))
        return login(c);
    if (is(c, "POST", 1, "logout", NULL))
        return logout(c);
    if (is(c, "GET", 1, "me", NULL))
        return me(c);
    if (is(c, "GET", 1, "session", NULL))
        return session(c);
    if (is(c, "GET", 1, "privacy", NULL))
        return api_privacy(c);
    if (is(c, "POST", 1, "password", NULL))
        return change_password(c);
    if (is(c, "POST", 1, "password-reset", NULL))
        return reset_request(c);
    if (is(c, "GET", 2, "password-reset", "check"))
        return reset_check(c);
    if (is(c, "POST", 2, "password-reset", "confirm"))
        return reset_confirm(c);
    if (is(c, "POST", 2, "invitations", "accept"))
        return accept_invitation(c);
    if (strcmp(c->segs[0], "events") == 0)
        return api_events(c);
    if (strcmp(c->segs[0], "admin") == 0)
        return api_admin(c);
    if (strcmp(c->segs[0], "lessons") == 0)
        return api_lessons(c);
    api_error(c, 404, "not-found", "no such route");
}

void veche_api_handle(void *ud, const veche_http_request *req, veche_http_response *resp)
{
    veche_api *a = ud;
    if (!api_read_offload(a, req, resp))
        api_run(a, req, resp);
}

void api_run(veche_api *a, const veche_http_request *req, veche_http_response *resp)
{
    api_call c = {.api = a, .req = req, .resp = resp, .now = g_get_real_time() / 1000000};
    char *path = g_strdup(req->path + strlen("/api/"));
    for (char *save = NULL, *seg = strtok_r(path, "/", &save); seg;
         seg = strtok_r(NULL, "/", &save)) {
        if (c.nsegs == API_MAX_SEGS) {
            c.nsegs = 0;
            break;
        }
        c.segs[c.nsegs++] = seg;
    }
    int rc = veche_auth_cookie_person(a->env.store, req->cookie, c.now, &c.person);
    c.blocked = rc == VECHE_EBLOCKED;
    if (rc != 0)
        c.person = 0;
    if (req->body_len) {  /* a body that is not a JSON object leaves c.body NULL */
        json_error_t jerr;
        c.body = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (c.body && !json_is_object(c.body)) {
            json_decref(c.body);
            c.body = NULL;
        }
    }
    route(&c);
    if (!resp->status && !resp->deferred)
        api_error(&c, 500, "internal", "no response");
    json_decref(c.body);
    g_free(path);
}

veche_api *veche_api_new(const veche_api_env *env)
{
    if (!env || !env->store || !env->secret || !env->cfg)
        return NULL;
    veche_api *a = g_new0(veche_api, 1);
    a->env = *env;
    unsigned limit = env->cfg->login_max_failures ? env->cfg->login_max_failures : 5;
    int64_t window = env->cfg->login_lockout_seconds ? env->cfg->login_lockout_seconds : 900;
    a->by_address = veche_guard_new(limit, window, GUARD_CAPACITY);
    a->by_ip = veche_guard_new(limit * IP_FACTOR, window, GUARD_CAPACITY);
    api_pw_start(a);
    api_read_start(a);
    return a;
}

void veche_api_free(veche_api *a)
{
    if (!a)
        return;
    api_read_stop(a);  /* waits for the read thread; its answers are sent */
    api_pw_stop(a);  /* waits for the password threads; late results answered 503 */
    veche_guard_free(a->by_address);
    veche_guard_free(a->by_ip);
    g_free(a);
}
