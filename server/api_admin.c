/* api_admin.c - the administrators' endpoints of the API (docs/api.md):
 * create accounts (with a password or a reset link), block and unblock
 * (blocking closes the person's live connections at once), and import a
 * roster CSV into a body or course, all or nothing.  The role is checked
 * on every request: a platform administrator anywhere, an organization
 * administrator within their organization's subtree. */
#include "api_int.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"

/* POST /api/admin/accounts {email, name, password?, org?} */
static void create_account(api_call *c)
{
    if (!api_need_person(c) || !api_need_body(c))
        return;
    const char *email = api_str(c, "email"), *name = api_str(c, "name"),
               *password = api_str(c, "password");
    json_t *oj = json_object_get(c->body, "org");
    int64_t org = json_is_integer(oj) ? (int64_t)json_integer_value(oj) : 0;
    if (!email || !name)
        return api_error(c, 400, "bad-request", "email and name are required");
    if (!api_is_admin_of(c, org))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
    veche_store *st = c->api->env.store;
    const char *why = NULL;
    if (password && veche_password_check_policy(password, email, &why) != 0)
        return api_error(c, 400, "weak-password", why ? why : "the password is too weak");
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
    char hash[VECHE_PASSWORD_HASH_SIZE] = "";
    if (password && veche_password_hash(password, &c->api->env.cost, hash) != 0)
        return api_error(c, 500, "internal", "could not hash the password");
    rc = veche_store_account_create(st, p.id, password ? hash : NULL, true, c->now);
    if (rc == VECHE_EEXISTS)
        return api_error(c, 409, "exists", "this person already has an account");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    json_t *out = json_pack("{s:I}", "person", (json_int_t)p.id);
    if (!password) {
        char link[512];
        int64_t ttl = (int64_t)c->api->env.cfg->invitation_ttl_hours * 3600;
        if (api_reset_link(c, p.id, ttl, link, sizeof link) != 0) {
            json_decref(out);
            return api_error(c, 500, "internal", "could not create the link");
        }
        json_object_set_new(out, "resetLink", json_string(link));
        char *mail = g_strdup_printf("Для вас создан аккаунт Veche. Задайте пароль по"
                                     " ссылке (один раз):\n%s\n\nA Veche account was created"
                                     " for you. Set your password with this link (once):\n%s\n",
                                     link, link);
        if (c->api->env.mailer &&
            veche_mailer_send(c->api->env.mailer, p.email, "Veche: ваш аккаунт / your account",
                              mail) != 0)
            VLOG_WARN(NULL, NULL, "api: person %lld: account mail not queued", (long long)p.id);
        g_free(mail);
    }
    VLOG_INFO(NULL, NULL, "api: person %lld created an account for person %lld",
              (long long)c->person, (long long)p.id);
    api_reply(c, 201, out);
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
    VLOG_INFO(NULL, NULL, "api: person %lld %s person %lld (%d sessions ended, %u connections"
              " closed)", (long long)c->person, blocked ? "blocked" : "unblocked",
              (long long)person, ended, closed);
    api_reply(c, 200, json_pack("{s:I, s:b, s:i, s:i}", "person", (json_int_t)person,
                                "blocked", blocked, "sessionsEnded", ended,
                                "connectionsClosed", (int)closed));
}

/* POST /api/admin/roster/{body|course}/{id}[?replace=1] with a CSV body. */
static void import_roster(api_call *c, const char *kind_name, int64_t target)
{
    if (!api_need_person(c))
        return;
    veche_store *st = c->api->env.store;
    bool body_kind = strcmp(kind_name, "body") == 0;
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
        return api_error(c, 404, "not-found", body_kind ? "there is no such body"
                                                        : "there is no such course");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    if (!api_is_admin_of(c, org))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
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
            json_array_append_new(issues, json_pack("{s:i, s:s}", "line", (int)is->line,
                                                    "message", is->message));
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
    veche_roster_import_free(r);
    if (rc != 0)
        return api_error(c, 500, "internal", "the roster could not be applied: nothing imported");
    VLOG_INFO(NULL, NULL, "api: person %lld imported %zu roster rows into %s %lld",
              (long long)c->person, rows, kind_name, (long long)target);
    api_reply(c, 200, json_pack("{s:i, s:i, s:i, s:i, s:i}", "rows", (int)rows,
                                "personsCreated", (int)stats.persons_created,
                                "personsExisting", (int)stats.persons_existing,
                                "membersSet", (int)stats.members_set,
                                "membersRemoved", (int)stats.members_removed));
}

void api_admin(api_call *c)
{
    bool post = strcmp(c->req->method, "POST") == 0;
    if (post && c->nsegs == 2 && strcmp(c->segs[1], "accounts") == 0)
        return create_account(c);
    if (post && c->nsegs == 4 && strcmp(c->segs[1], "accounts") == 0 && api_id(c->segs[2]) &&
        (strcmp(c->segs[3], "block") == 0 || strcmp(c->segs[3], "unblock") == 0))
        return set_blocked(c, api_id(c->segs[2]), strcmp(c->segs[3], "block") == 0);
    if (post && c->nsegs == 4 && strcmp(c->segs[1], "roster") == 0 && api_id(c->segs[3]) &&
        (strcmp(c->segs[2], "body") == 0 || strcmp(c->segs[2], "course") == 0))
        return import_roster(c, c->segs[2], api_id(c->segs[3]));
    api_error(c, 404, "not-found", "no such route");
}
