/* api_admin.c - the administrators' endpoints of the API (docs/api.md,
 * "Administration endpoints"): the router for /api/admin/, persons and
 * their accounts (create with a password or a reset link, reset, block and
 * unblock: blocking closes the person's live connections at once), roster
 * listing and CSV import into a body or course (all or nothing), and the
 * helpers api_admin_org.c shares (scope of a listing, times).
 * Organizations, bodies, courses and events are in api_admin_org.c.
 *
 * The role is checked on every request: any route needs a platform
 * administrator or an administrator of some organization (else 403), and
 * then each request is checked against the organization it concerns: a
 * platform administrator anywhere, an organization administrator within
 * their organization's subtree. */
#include "api_admin_int.h"

#include <glib.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "isotime.h"
#include "log.h"
#include "report.h"
#include "store_edit.h"

/* ---- helpers shared with api_admin_org.c (api_admin_int.h) ---- */

bool adm_is_platform(api_call *c)
{
    veche_account acc;
    return veche_store_account_get(c->api->env.store, c->person, &acc) == 0 &&
           acc.platform_admin;
}

static int stop_at_first(void *ud, const veche_org *o)
{
    (void)ud;
    (void)o;
    return 1;
}

/* Whether the signed-in person administers anything at all: a platform
 * administrator or an administrator of at least one organization. */
static bool is_any_admin(api_call *c)
{
    return adm_is_platform(c) ||
           veche_store_orgs_list(c->api->env.store, 0, c->person, stop_at_first, NULL) == 1;
}

bool adm_scope(api_call *c, int64_t *org_id, int64_t *admin_id)
{
    char q[24];
    api_query(c, "org", q, sizeof q);
    *org_id = *admin_id = 0;
    if (q[0]) {
        *org_id = api_id(q);
        if (!*org_id) {
            api_error(c, 400, "bad-request", "org must be an organization id");
            return false;
        }
        if (!api_is_admin_of(c, *org_id)) {
            api_error(c, 403, "forbidden", "only an administrator of the organization may");
            return false;
        }
    } else if (!adm_is_platform(c)) {
        *admin_id = c->person;
    }
    return true;
}

int64_t adm_int(api_call *c, const char *key)
{
    json_t *v = c->body ? json_object_get(c->body, key) : NULL;
    if (json_is_string(v))  /* a form's value, "12" */
        return api_id(json_string_value(v));
    return json_is_integer(v) && json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
}

bool adm_event_limit(api_call *c, bool *given, unsigned *out)
{
    json_t *v = c->body ? json_object_get(c->body, "maxParticipants") : NULL;
    *given = v != NULL;
    *out = 0;
    if (!v || json_is_null(v))
        return true;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
    if (n < 0 || n > VECHE_EVENT_LIMIT_MAX) {
        api_error(c, 400, "bad-limit", "maxParticipants is a whole number of people from 1 to"
                                       " 100000, or null for the room kind's limit");
        return false;
    }
    *out = (unsigned)n;
    return true;
}

json_t *adm_id_json(int64_t id)
{
    return id > 0 ? json_integer((json_int_t)id) : json_null();
}

json_t *adm_time_json(int64_t secs)
{
    char buf[32];
    veche_report_time(secs * 1000, buf);
    return json_string(buf);
}

int adm_time_parse(const json_t *v, int64_t *out)
{
    if (json_is_integer(v)) {
        int64_t t = (int64_t)json_integer_value(v);
        if (t <= 0 || t > INT64_C(253402300799))  /* isotime.h's range */
            return VECHE_EINVAL;
        *out = t;
        return 0;
    }
    return veche_isotime_parse(json_string_value(v), out);
}

/* ---- persons and accounts ---- */

/* Mail text (a link in it) to person p when a mailer is configured; a
 * failure is logged with the person id only. */
static void mail_person(api_call *c, const veche_person *p, const char *subject, const char *text)
{
    if (c->api->env.mailer &&
        veche_mailer_send(c->api->env.mailer, p->email, subject, text) != 0)
        VLOG_WARN(NULL, NULL, "api: person %lld: mail not queued", (long long)p->id);
}

/* The account of person p (after its password, if any, was hashed into
 * hash): 201 {person[, resetLink]}. */
static void create_account_finish(api_call *c, const veche_person *p, const char *hash)
{
    veche_store *st = c->api->env.store;
    int rc = veche_store_account_create(st, p->id, hash, true, c->now);
    if (rc == VECHE_EEXISTS)
        return api_error(c, 409, "exists", "this person already has an account");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    json_t *out = json_pack("{s:I}", "person", (json_int_t)p->id);
    if (!hash) {
        char link[512];
        int64_t ttl = (int64_t)c->api->env.cfg->invitation_ttl_hours * 3600;
        if (api_reset_link(c, p->id, ttl, link, sizeof link) != 0) {
            json_decref(out);
            return api_error(c, 500, "internal", "could not create the link");
        }
        json_object_set_new(out, "resetLink", json_string(link));
        char *mail = g_strdup_printf("Для вас создан аккаунт Veche. Задайте пароль по"
                                     " ссылке (один раз):\n%s\n\nA Veche account was created"
                                     " for you. Set your password with this link (once):\n%s\n",
                                     link, link);
        mail_person(c, p, "Veche: ваш аккаунт / your account", mail);
        g_free(mail);
    }
    veche_person full;
    adm_audit(c, veche_store_person_get(st, p->id, &full) == 0 ? full.org_id : 0,
              "account.create", "account", p->id,
              json_pack("{s:b}", "password", hash != NULL));
    VLOG_INFO(NULL, NULL, "api: person %lld created an account for person %lld",
              (long long)c->person, (long long)p->id);
    api_reply(c, 201, out);
}

static void create_account_hashed_tx(api_call *c, void *ud)
{
    api_pw_job *j = ud;
    veche_person p = {.id = j->id};
    create_account_finish(c, &p, j->new_hash);
}

/* The deferred part: in a transaction of its own with its audit entry
 * (or in the request's, when the hash was made inline). */
static void create_account_hashed(api_call *c, api_pw_job *j)
{
    if (j->hash_rc != 0)
        return api_error(c, 500, "internal", "could not hash the password");
    adm_in_tx(c, create_account_hashed_tx, j);
}

/* POST /api/admin/accounts {email, name, password?, org?} */
static void create_account(api_call *c)
{
    if (!api_need_person(c) || !api_need_body(c))
        return;
    const char *email = api_str(c, "email"), *name = api_str(c, "name"),
               *password = api_str(c, "password");
    int64_t org = adm_int(c, "org");
    if (!email || !name)
        return api_error(c, 400, "bad-request", "email and name are required");
    if (!api_is_admin_of(c, org))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
    veche_store *st = c->api->env.store;
    const char *why = NULL;
    if (password && veche_password_check_policy(password, email, &why) != 0)
        return api_error(c, 400, "weak-password", why ? why : "the password is too weak");
    if (password && api_pw_busy(c))
        return;
    veche_person p;
    int rc = veche_store_person_find_email(st, email, &p);
    if (rc == VECHE_ENOTFOUND) {
        memset(&p, 0, sizeof p);
        p.org_id = org;
        snprintf(p.full_name, sizeof p.full_name, "%s", name);
        snprintf(p.email, sizeof p.email, "%s", email);
        rc = veche_store_person_create(st, &p, c->now, &p.id);
        if (rc == VECHE_EINVAL)
            return api_error(c, 400, "bad-request", "bad name or e-mail address");
    } else if (rc == 0 && !api_is_admin_of(c, p.org_id)) {
        return api_error(c, 403, "forbidden", "this person belongs to another organization");
    }
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    if (!password)
        return create_account_finish(c, &p, NULL);
    api_pw_job *j = api_pw_job_new(c, create_account_hashed);  /* hashed off the main loop */
    j->id = p.id;
    j->new_password = g_strdup(password);
    api_pw_submit(c, j);
}

/* POST /api/admin/accounts/{id}/reset: a new single-use link to set a
 * password, mailed when a mailer is configured and returned either way. */
static void reset_account(api_call *c, int64_t person)
{
    veche_store *st = c->api->env.store;
    veche_person p;
    veche_account acc;
    int rc = veche_store_person_get(st, person, &p);
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such person");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    if (!api_is_admin_of(c, p.org_id))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
    rc = veche_store_account_get(st, person, &acc);
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "this person has no account");
    char link[512];
    int64_t ttl = (int64_t)c->api->env.cfg->invitation_ttl_hours * 3600;
    if (rc != 0 || api_reset_link(c, person, ttl, link, sizeof link) != 0)
        return api_error(c, 500, "internal", "could not create the link");
    char *mail = g_strdup_printf("Администратор Veche выдал вам ссылку, чтобы задать пароль"
                                 " (она действует один раз):\n%s\n\nA Veche administrator"
                                 " issued you a link to set your password (valid once):\n%s\n",
                                 link, link);
    mail_person(c, &p, "Veche: новый пароль / new password", mail);
    g_free(mail);
    adm_audit(c, p.org_id, "account.reset", "account", person, NULL);
    VLOG_INFO(NULL, NULL, "api: person %lld issued a reset link for person %lld",
              (long long)c->person, (long long)person);
    api_reply(c, 200, json_pack("{s:s}", "resetLink", link));
}

static int people_cb(void *ud, const veche_person_info *pi)
{
    json_t *o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:b, s:b, s:b, s:b}",
                          "id", (json_int_t)pi->person.id, "name", pi->person.full_name,
                          "email", pi->person.email,
                          "phone", pi->person.phone[0] ? json_string(pi->person.phone)
                                                       : json_null(),
                          "org", adm_id_json(pi->person.org_id), "account", pi->account,
                          "blocked", pi->blocked, "mustChangePassword",
                          pi->must_change_password, "platformAdmin", pi->platform_admin);
    return o ? json_array_append_new(ud, o) == 0 ? 0 : VECHE_ENOMEM : VECHE_ENOMEM;
}

/* GET /api/admin/people[?org=ID][&q=TEXT][&offset=N][&limit=N]: limit
 * 0 or absent gives all (as before paging). */
static void list_people(api_call *c)
{
    int64_t org, admin;
    if (!adm_scope(c, &org, &admin))
        return;
    char q[VECHE_NAME_MAX + 1], n[24];
    api_query(c, "q", q, sizeof q);
    api_query(c, "offset", n, sizeof n);
    unsigned offset = (unsigned)strtoul(n, NULL, 10), total = 0;
    api_query(c, "limit", n, sizeof n);
    unsigned limit = (unsigned)strtoul(n, NULL, 10);
    json_t *list = json_array();
    if (veche_store_people_search(c->api->env.store, org, admin, q, offset, limit, people_cb,
                                  list, &total) != 0) {
        json_decref(list);
        return api_error(c, 500, "internal", "database error");
    }
    api_reply(c, 200, json_pack("{s:o, s:i, s:i, s:i}", "people", list, "total", (int)total,
                                "offset", (int)offset, "limit", (int)limit));
}

/* POST /api/admin/accounts/{id}/block and /unblock */
static void set_blocked(api_call *c, int64_t person, bool blocked)
{
    if (!api_need_person(c))
        return;
    veche_store *st = c->api->env.store;
    veche_person p;
    int rc = veche_store_person_get(st, person, &p);
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such person");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    if (!api_is_admin_of(c, p.org_id))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
    if (blocked && person == c->person)
        return api_error(c, 400, "bad-request", "you cannot block yourself");
    int ended = 0;
    rc = veche_store_account_set_blocked(st, person, blocked, c->now, &ended);
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "this person has no account");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    unsigned closed = 0;
    if (blocked)
        closed = veche_signal_disconnect_person(c->api->env.signal, person, "blocked",
                                                "this account has been blocked");
    adm_audit(c, p.org_id, blocked ? "account.block" : "account.unblock", "account", person,
              json_pack("{s:i}", "sessionsEnded", ended));
    VLOG_INFO(NULL, NULL, "api: person %lld %s person %lld (%d sessions ended, %u connections"
              " closed)", (long long)c->person, blocked ? "blocked" : "unblocked",
              (long long)person, ended, closed);
    api_reply(c, 200, json_pack("{s:I, s:b, s:i, s:i}", "person", (json_int_t)person,
                                "blocked", blocked, "sessionsEnded", ended,
                                "connectionsClosed", (int)closed));
}

/* Check that the body or course target exists and that the caller
 * administers its organization; replies with the error and returns false
 * when not. */
static bool roster_target(api_call *c, bool body_kind, int64_t target)
{
    veche_store *st = c->api->env.store;
    int64_t org = 0;
    int rc;
    if (body_kind) {
        veche_body b;
        rc = veche_store_body_get(st, target, &b);
        org = b.org_id;
    } else {
        veche_course k;
        rc = veche_store_course_get(st, target, &k);
        org = k.org_id;
    }
    if (rc == VECHE_ENOTFOUND)
        api_error(c, 404, "not-found", body_kind ? "there is no such body"
                                                 : "there is no such course");
    else if (rc != 0)
        api_error(c, 500, "internal", "database error");
    else if (!api_is_admin_of(c, org))
        api_error(c, 403, "forbidden", "only an administrator of the organization may");
    else
        return true;
    return false;
}

typedef struct {
    veche_store *st;
    json_t *list;
} members_ctx;

static int member_cb(void *ud, const veche_member *m)
{
    members_ctx *mc = ud;
    veche_person p;
    int rc = veche_store_person_get(mc->st, m->person_id, &p);
    if (rc != 0)
        return rc;
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:b}", "person", (json_int_t)p.id, "name",
                          p.full_name, "email", p.email, "role",
                          veche_access_role_name(m->role), "voting", m->voting);
    return o ? json_array_append_new(mc->list, o) == 0 ? 0 : VECHE_ENOMEM : VECHE_ENOMEM;
}

/* GET /api/admin/roster/{body|course}/{id}: the members, by person id. */
static void list_roster(api_call *c, const char *kind_name, int64_t target)
{
    bool body_kind = strcmp(kind_name, "body") == 0;
    if (!roster_target(c, body_kind, target))
        return;
    members_ctx mc = {c->api->env.store, json_array()};
    int rc = body_kind ? veche_store_body_members(mc.st, target, member_cb, &mc)
                       : veche_store_course_members(mc.st, target, member_cb, &mc);
    if (rc != 0) {
        json_decref(mc.list);
        return api_error(c, 500, "internal", "database error");
    }
    api_reply(c, 200, json_pack("{s:o}", "members", mc.list));
}

/* POST /api/admin/roster/{body|course}/{id}[?replace=1] with a CSV body. */
static void import_roster(api_call *c, const char *kind_name, int64_t target)
{
    veche_store *st = c->api->env.store;
    bool body_kind = strcmp(kind_name, "body") == 0;
    int rc;
    if (!roster_target(c, body_kind, target))
        return;
    char replace[8];
    api_query(c, "replace", replace, sizeof replace);
    veche_roster_import *r = NULL;
    rc = veche_roster_import_new(c->req->body, c->req->body_len,
                                 body_kind ? VECHE_ROSTER_BODY : VECHE_ROSTER_COURSE, &r);
    if (rc != 0)
        return api_error(c, 500, "internal", "could not read the roster");
    if (!veche_roster_import_ok(r)) {
        json_t *issues = json_array();
        for (size_t i = 0; i < veche_roster_import_issue_count(r); i++) {
            const veche_roster_issue *is = veche_roster_import_issue(r, i);
            json_array_append_new(issues, json_pack("{s:i, s:s, s:s, s:[s,s]}", "line",
                                                    (int)is->line, "message", is->message,
                                                    "code", is->code, "args", is->arg,
                                                    is->arg2));
        }
        veche_roster_import_free(r);
        return api_reply(c, 422, json_pack("{s:s, s:s, s:o}", "error", "invalid-roster",
                                           "reason", "the roster has problems: nothing imported",
                                           "issues", issues));
    }
    veche_roster_stats stats;
    rc = veche_store_roster_apply(st, r, target, strcmp(replace, "1") == 0 ||
                                                    strcmp(replace, "true") == 0,
                                  c->now, &stats);
    size_t rows = veche_roster_import_row_count(r);
    const char *encoding = veche_roster_import_encoding(r);   /* static */
    char sep[2] = {veche_roster_import_separator(r), '\0'};
    veche_roster_import_free(r);
    if (rc != 0)
        return api_error(c, 500, "internal", "the roster could not be applied: nothing imported");
    int64_t target_org = 0;
    veche_body rb;
    veche_course rk;
    if (body_kind ? veche_store_body_get(st, target, &rb) == 0
                  : veche_store_course_get(st, target, &rk) == 0)
        target_org = body_kind ? rb.org_id : rk.org_id;
    adm_audit(c, target_org, "roster.import", kind_name, target,
              json_pack("{s:i, s:i, s:i, s:i, s:b}", "rows", (int)rows, "personsCreated",
                        (int)stats.persons_created, "membersSet", (int)stats.members_set,
                        "membersRemoved", (int)stats.members_removed, "replace",
                        strcmp(replace, "1") == 0 || strcmp(replace, "true") == 0));
    VLOG_INFO(NULL, NULL, "api: person %lld imported %zu roster rows into %s %lld",
              (long long)c->person, rows, kind_name, (long long)target);
    api_reply(c, 200, json_pack("{s:i, s:i, s:i, s:i, s:i, s:s, s:s}", "rows", (int)rows,
                                "personsCreated", (int)stats.persons_created,
                                "personsExisting", (int)stats.persons_existing,
                                "membersSet", (int)stats.members_set,
                                "membersRemoved", (int)stats.members_removed,
                                "encoding", encoding, "separator", sep));
}

/* ---- routing ---- */

static bool seg_is(const api_call *c, size_t i, const char *s)
{
    return c->nsegs > i && strcmp(c->segs[i], s) == 0;
}

/* The routes under /api/admin/, for an administrator. */
static void admin_routes(api_call *c, void *ud)
{
    (void)ud;
    bool post = strcmp(c->req->method, "POST") == 0, get = strcmp(c->req->method, "GET") == 0;
    if (post && c->nsegs == 2 && seg_is(c, 1, "accounts"))
        return create_account(c);
    if (get && c->nsegs == 2 && seg_is(c, 1, "people"))
        return list_people(c);
    if (post && c->nsegs == 4 && seg_is(c, 1, "accounts") && api_id(c->segs[2])) {
        if (seg_is(c, 3, "block") || seg_is(c, 3, "unblock"))
            return set_blocked(c, api_id(c->segs[2]), seg_is(c, 3, "block"));
        if (seg_is(c, 3, "reset"))
            return reset_account(c, api_id(c->segs[2]));
    }
    if ((post || get) && c->nsegs == 4 && seg_is(c, 1, "roster") && api_id(c->segs[3]) &&
        (seg_is(c, 2, "body") || seg_is(c, 2, "course")))
        return post ? import_roster(c, c->segs[2], api_id(c->segs[3]))
                    : list_roster(c, c->segs[2], api_id(c->segs[3]));
    if ((post || get) && c->nsegs == 4 && seg_is(c, 1, "bodies") && api_id(c->segs[2]) &&
        seg_is(c, 3, "voting"))
        return api_vote_settings(c, api_id(c->segs[2]));
    if (api_admin_org(c) || api_admin_edit(c))
        return;
    api_error(c, 404, "not-found", "no such route");
}

/* Every route under /api/admin/ (segs[0] is "admin").  Each one that may
 * change something (any method but GET, and a person's export, which is
 * audited) runs in one store transaction with its audit entries
 * (adm_in_tx): both are on disk, or neither. */
void api_admin(api_call *c)
{
    if (!api_need_person(c))
        return;
    if (!is_any_admin(c)) {
        VLOG_INFO(NULL, NULL, "api: person %lld refused an admin route: not an administrator",
                  (long long)c->person);
        return api_error(c, 403, "forbidden", "this needs an administrator");
    }
    bool export = c->nsegs == 4 && seg_is(c, 1, "people") && seg_is(c, 3, "export");
    if (strcmp(c->req->method, "GET") != 0 || export)
        return adm_in_tx(c, admin_routes, NULL);
    admin_routes(c, NULL);
}
