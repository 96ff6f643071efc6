/* api_admin_edit.c - the administrators' edit and delete routes
 * (docs/api.md, "Editing and deleting", "Personal data"): PATCH and
 * DELETE on organizations, persons, accounts, bodies, courses, events and
 * guests; an organization's administrators (list, remove); cancelling and
 * rescheduling an event; a person's data as JSON and their erasure.
 * Reached through api_admin.c's router, which has already required an
 * administrator; each request is checked against the organization it
 * concerns, and each change is written to the audit log (api_audit.c).
 * A delete the store refuses because a record names the row answers
 * 409 in-use and changes nothing. */
#include "api_admin_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "store_chat.h"
#include "store_edit.h"
#include "store_recording.h"

/* The usual answer for a store result other than 0; true when rc is 0. */
static bool store_ok(api_call *c, int rc, const char *in_use)
{
    if (rc == VECHE_ENOTFOUND)
        api_error(c, 404, "not-found", "there is no such thing");
    else if (rc == VECHE_EEXISTS)
        api_error(c, 409, "exists", "the name, e-mail or room is taken");
    else if (rc == VECHE_ESTATE)
        api_error(c, 409, "in-use", in_use);
    else if (rc == VECHE_EINVAL)
        api_error(c, 400, "bad-request", "a value is missing or malformed");
    else if (rc != 0)
        api_error(c, 500, "internal", "database error");
    return rc == 0;
}

/* Replies 403 and returns false unless the caller administers org. */
static bool need_admin_of(api_call *c, int64_t org)
{
    if (api_is_admin_of(c, org))
        return true;
    api_error(c, 403, "forbidden", "only an administrator of the organization may");
    return false;
}

/* A string member that is present: NULL when absent or null; *bad when
 * present but not a string. */
static const char *opt_str(api_call *c, const char *key, bool *bad)
{
    json_t *v = json_object_get(c->body, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v))
        *bad = true;
    return json_string_value(v);
}

static void reply_ok(api_call *c, const char *kind, int64_t id)
{
    api_reply(c, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "kind", kind));
}

/* ---- organizations ---- */

/* sessionHours: absent (*given false), null or 0 (not set), 1..8760. */
static bool session_hours_arg(api_call *c, bool *given, unsigned *hours)
{
    json_t *v = json_object_get(c->body, "sessionHours");
    *given = v != NULL;
    *hours = 0;
    if (!v || json_is_null(v))
        return true;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
    if (n < 0 || n > 8760) {
        api_error(c, 400, "bad-hours", "sessionHours is a whole number of hours from 1 to"
                                       " 8760, or null for the default");
        return false;
    }
    *hours = (unsigned)n;
    return true;
}


/* chatRetentionDays of the body: absent (*set false), null (-1: the
 * server's), or 0..36500 days; false when it is something else. */
static bool chat_days_of(api_call *c, bool *set, int64_t *days)
{
    json_t *v = json_object_get(c->body, "chatRetentionDays");
    *set = v != NULL;
    *days = -1;
    if (!v || json_is_null(v))
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 36500)
        return false;
    *days = json_integer_value(v);
    return true;
}

/* PATCH /api/admin/orgs/ID {name?, timeZone?, privacyNotice?, sessionHours?,
 *  chatRetentionDays?} */
static void update_org(api_call *c, int64_t id)
{
    if (!api_need_body(c) || !need_admin_of(c, id))
        return;
    bool bad = false, hours_given, chat_set;
    unsigned hours;
    int64_t chat_days;
    const char *name = opt_str(c, "name", &bad), *tz = opt_str(c, "timeZone", &bad),
               *notice = opt_str(c, "privacyNotice", &bad);
    if (bad)
        return api_error(c, 400, "bad-request", "name, timeZone and privacyNotice are strings");
    if (!chat_days_of(c, &chat_set, &chat_days))
        return api_error(c, 400, "bad-request",
                         "chatRetentionDays is a number of days from 0 to 36500, or null");
    if (tz && tz[0] && !veche_config_time_zone_valid(tz))
        return api_error(c, 400, "bad-zone", "timeZone is a zone such as Europe/Moscow");
    if (!session_hours_arg(c, &hours_given, &hours))
        return;
    int rc = veche_store_org_update(c->api->env.store, id, name, tz, notice);
    if (rc == 0 && hours_given)
        rc = veche_store_org_set_session_hours(c->api->env.store, id, hours);
    if (!store_ok(c, rc, ""))
        return;
    if (chat_set && !store_ok(c, veche_store_org_chat_retention_set(c->api->env.store, id,
                                                                    chat_days), ""))
        return;  /* the request's transaction rolls the rest back (adm_in_tx) */
    static const char *const keys[] = {"name", "timeZone", "privacyNotice", "sessionHours",
                                       "chatRetentionDays", NULL};
    adm_audit(c, id, "org.update", "org", id, adm_fields(c, keys));
    VLOG_INFO(NULL, NULL, "api: person %lld changed organization %lld", (long long)c->person,
              (long long)id);
    reply_ok(c, "org", id);
}

/* DELETE /api/admin/orgs/ID: only an empty one. */
static void delete_org(api_call *c, int64_t id)
{
    veche_org o;
    int rc = veche_store_org_get(c->api->env.store, id, &o);
    if (!store_ok(c, rc, "") || !need_admin_of(c, o.parent_id ? o.parent_id : 0))
        return;
    rc = veche_store_org_delete(c->api->env.store, id);
    if (!store_ok(c, rc, "the organization still has organizations, persons, bodies or"
                         " courses"))
        return;
    adm_audit(c, o.parent_id, "org.delete", "org", id, NULL);
    VLOG_INFO(NULL, NULL, "api: person %lld deleted organization %lld", (long long)c->person,
              (long long)id);
    reply_ok(c, "org", id);
}

typedef struct {
    veche_store *st;
    json_t *list;
} admins_ctx;

static int admin_cb(void *ud, int64_t id)
{
    admins_ctx *x = ud;
    veche_person p;
    int rc = veche_store_person_get(x->st, id, &p);
    if (rc != 0)
        return rc;
    json_t *o = json_pack("{s:I, s:s, s:s}", "person", (json_int_t)id, "name", p.full_name,
                          "email", p.email);
    return o && json_array_append_new(x->list, o) == 0 ? 0 : VECHE_ENOMEM;
}

/* GET /api/admin/orgs/ID/admins */
static void list_org_admins(api_call *c, int64_t org)
{
    if (!need_admin_of(c, org))
        return;
    admins_ctx x = {c->api->env.store, json_array()};
    int rc = veche_store_org_admins(x.st, org, admin_cb, &x);
    if (rc != 0) {
        json_decref(x.list);
        return api_error(c, 500, "internal", "database error");
    }
    api_reply(c, 200, json_pack("{s:o}", "admins", x.list));
}

/* DELETE /api/admin/orgs/ID/admins/PERSON */
static void remove_org_admin(api_call *c, int64_t org, int64_t person)
{
    if (!need_admin_of(c, org))
        return;
    if (veche_store_org_admin_set(c->api->env.store, org, person, false) != 0)
        return api_error(c, 500, "internal", "database error");
    adm_audit(c, org, "admin.remove", "person", person, json_pack("{s:I}", "org",
                                                                  (json_int_t)org));
    VLOG_INFO(NULL, NULL, "api: person %lld removed person %lld as administrator of"
              " organization %lld", (long long)c->person, (long long)person, (long long)org);
    api_reply(c, 200, json_pack("{s:I, s:I, s:b}", "org", (json_int_t)org, "person",
                                (json_int_t)person, "admin", 0));
}

/* ---- persons and accounts ---- */

/* The person named by the path, checked against the caller's scope;
 * replies and returns false when not found or not allowed. */
static bool get_person(api_call *c, int64_t id, veche_person *p)
{
    return store_ok(c, veche_store_person_get(c->api->env.store, id, p), "") &&
           need_admin_of(c, p->org_id);
}

/* PATCH /api/admin/people/ID {name?, email?, phone?, org?} */
static void update_person(api_call *c, int64_t id)
{
    veche_person p;
    if (!api_need_body(c) || !get_person(c, id, &p))
        return;
    bool bad = false;
    const char *name = opt_str(c, "name", &bad), *email = opt_str(c, "email", &bad),
               *phone = opt_str(c, "phone", &bad);
    json_t *oj = json_object_get(c->body, "org");
    int64_t org = adm_int(c, "org");
    if (bad || (oj && !json_is_null(oj) && !org) ||
        (name && strlen(name) >= sizeof p.full_name) || (email && strlen(email) >= sizeof p.email) ||
        (phone && strlen(phone) >= sizeof p.phone))
        return api_error(c, 400, "bad-request", "name, email, phone are strings, org an id");
    if (org && !need_admin_of(c, org))
        return;
    if (name)
        snprintf(p.full_name, sizeof p.full_name, "%s", name);
    if (email)
        snprintf(p.email, sizeof p.email, "%s", email);
    if (phone)
        snprintf(p.phone, sizeof p.phone, "%s", phone);
    int64_t old_org = p.org_id;
    if (org)
        p.org_id = org;
    if (!store_ok(c, veche_store_person_update(c->api->env.store, &p), ""))
        return;
    static const char *const keys[] = {"name", "email", "phone", "org", NULL};
    adm_audit(c, old_org, "person.update", "person", id, adm_fields(c, keys));
    VLOG_INFO(NULL, NULL, "api: person %lld changed person %lld", (long long)c->person,
              (long long)id);
    reply_ok(c, "person", id);
}

/* DELETE /api/admin/people/ID: only one nobody's attendance names. */
static void delete_person(api_call *c, int64_t id)
{
    veche_person p;
    if (!get_person(c, id, &p))
        return;
    if (id == c->person)
        return api_error(c, 400, "bad-request", "you cannot delete yourself");
    int rc = veche_store_person_delete(c->api->env.store, id);
    if (!store_ok(c, rc, "the person is in the attendance record: erase the personal data"
                         " instead"))
        return;
    veche_signal_disconnect_person(c->api->env.signal, id, "blocked", "this account is gone");
    adm_audit(c, p.org_id, "person.delete", "person", id, NULL);
    VLOG_INFO(NULL, NULL, "api: person %lld deleted person %lld", (long long)c->person,
              (long long)id);
    reply_ok(c, "person", id);
}

/* GET /api/admin/people/ID/export: everything kept about the person. */
static void export_person(api_call *c, int64_t id)
{
    veche_person p;
    if (!get_person(c, id, &p))
        return;
    char *text = NULL;
    if (!store_ok(c, veche_store_person_export(c->api->env.store, id, &text), ""))
        return;
    adm_audit(c, p.org_id, "person.export", "person", id, NULL);
    VLOG_INFO(NULL, NULL, "api: person %lld exported the data of person %lld",
              (long long)c->person, (long long)id);
    c->resp->status = 200;
    c->resp->content_type = "application/json";
    c->resp->body = text;
    c->resp->body_len = strlen(text);
    snprintf(c->resp->disposition, sizeof c->resp->disposition,
             "attachment; filename=\"person-%lld.json\"", (long long)id);
}

/* POST /api/admin/people/ID/erase: anonymize (store_edit.h). */
static void erase_person(api_call *c, int64_t id)
{
    veche_person p;
    if (!get_person(c, id, &p))
        return;
    if (id == c->person)
        return api_error(c, 400, "bad-request", "you cannot erase yourself");
    if (!store_ok(c, veche_store_person_erase(c->api->env.store, id, c->now), ""))
        return;
    veche_signal_disconnect_person(c->api->env.signal, id, "blocked", "this account is gone");
    adm_audit(c, p.org_id, "person.erase", "person", id, NULL);
    VLOG_INFO(NULL, NULL, "api: person %lld erased the personal data of person %lld",
              (long long)c->person, (long long)id);
    reply_ok(c, "person", id);
}

/* DELETE /api/admin/accounts/ID: the person stays, without an account. */
static void delete_account(api_call *c, int64_t id)
{
    veche_person p;
    if (!get_person(c, id, &p))
        return;
    if (id == c->person)
        return api_error(c, 400, "bad-request", "you cannot delete your own account");
    int ended = 0;
    if (!store_ok(c, veche_store_account_delete(c->api->env.store, id, &ended), ""))
        return;
    veche_signal_disconnect_person(c->api->env.signal, id, "blocked", "this account is gone");
    adm_audit(c, p.org_id, "account.delete", "account", id, NULL);
    VLOG_INFO(NULL, NULL, "api: person %lld deleted the account of person %lld (%d sessions"
              " ended)", (long long)c->person, (long long)id, ended);
    reply_ok(c, "account", id);
}

/* ---- bodies and courses ---- */

/* PATCH /api/admin/bodies/ID {name?, quorum?, allowRecording?} and
 * /courses/ID {name} */
static void update_unit(api_call *c, bool body, int64_t id)
{
    if (!api_need_body(c))
        return;
    veche_store *st = c->api->env.store;
    veche_body b;
    veche_course k;
    int rc = body ? veche_store_body_get(st, id, &b) : veche_store_course_get(st, id, &k);
    if (!store_ok(c, rc, "") || !need_admin_of(c, body ? b.org_id : k.org_id))
        return;
    bool bad = false;
    const char *name = opt_str(c, "name", &bad), *qtext = opt_str(c, "quorum", &bad);
    json_t *rec = json_object_get(c->body, "allowRecording");
    veche_quorum_rule rule;
    if (bad || (!body && !name))
        return api_error(c, 400, "bad-request", "name is a string");
    if (rec && (!body || !json_is_boolean(rec)))
        return api_error(c, 400, "bad-request", "allowRecording is a boolean (bodies only)");
    if (qtext && (!body || veche_quorum_rule_parse(qtext, &rule) != 0))
        return api_error(c, 400, "bad-quorum", "quorum is \">N/D\" or \">=N/D\"");
    rc = body ? veche_store_body_update(st, id, name, qtext ? &rule : NULL)
              : veche_store_course_update(st, id, name);
    if (rc == 0 && rec)
        rc = veche_store_body_allow_recording_set(st, id, json_is_true(rec) ? 1 : 0);
    if (!store_ok(c, rc, ""))
        return;
    static const char *const keys[] = {"name", "quorum", "allowRecording", NULL};
    adm_audit(c, body ? b.org_id : k.org_id, body ? "body.update" : "course.update",
              body ? "body" : "course", id, adm_fields(c, keys));
    reply_ok(c, body ? "body" : "course", id);
}

/* DELETE /api/admin/bodies/ID and /courses/ID: only without events. */
static void delete_unit(api_call *c, bool body, int64_t id)
{
    veche_store *st = c->api->env.store;
    veche_body b;
    veche_course k;
    int rc = body ? veche_store_body_get(st, id, &b) : veche_store_course_get(st, id, &k);
    if (!store_ok(c, rc, "") || !need_admin_of(c, body ? b.org_id : k.org_id))
        return;
    rc = body ? veche_store_body_delete(st, id) : veche_store_course_delete(st, id);
    if (!store_ok(c, rc, "events are scheduled for it: delete or keep them first"))
        return;
    adm_audit(c, body ? b.org_id : k.org_id, body ? "body.delete" : "course.delete",
              body ? "body" : "course", id, NULL);
    reply_ok(c, body ? "body" : "course", id);
}

/* ---- events and guests ---- */

static bool get_event(api_call *c, int64_t id, veche_event *ev)
{
    return store_ok(c, veche_store_event_get(c->api->env.store, id, ev), "") &&
           need_admin_of(c, ev->org_id);
}

/* PATCH /api/admin/events/ID {title?, startsAt?, endsAt?, cancelled?,
 * maxParticipants?}: renaming, rescheduling, cancelling (and withdrawing a
 * cancellation), the room limit (null: the room kind's). */
static void update_event(api_call *c, int64_t id)
{
    veche_event ev;
    if (!api_need_body(c) || !get_event(c, id, &ev))
        return;
    bool bad = false;
    const char *title = opt_str(c, "title", &bad);
    json_t *sj = json_object_get(c->body, "startsAt"), *ej = json_object_get(c->body, "endsAt"),
           *cj = json_object_get(c->body, "cancelled");
    int64_t starts = 0, ends = 0;
    if (bad || (cj && !json_is_boolean(cj)))
        return api_error(c, 400, "bad-request", "title is a string, cancelled true or false");
    if ((sj && adm_time_parse(sj, &starts) != 0) || (ej && adm_time_parse(ej, &ends) != 0))
        return api_error(c, 400, "bad-time", "startsAt and endsAt are times such as"
                                             " \"2026-11-29T12:00:00Z\" or unix seconds");
    if ((starts ? starts : ev.starts_at) > (ends ? ends : ev.ends_at))
        return api_error(c, 400, "bad-time", "endsAt is before startsAt");
    bool limit_given;
    unsigned limit;
    if (!adm_event_limit(c, &limit_given, &limit))
        return;
    veche_store *st = c->api->env.store;
    int rc = 0;
    if (title || starts || ends)
        rc = veche_store_event_update(st, id, title, starts, ends);
    if (rc == 0 && limit_given)
        rc = veche_store_event_set_limit(st, id, limit);
    if (rc == 0 && cj)
        rc = veche_store_event_set_cancelled(st, id, json_is_true(cj), c->now);
    if (!store_ok(c, rc, ""))
        return;
    json_t *detail = json_pack("{s:o}", "fields", json_array());
    json_t *fields = json_object_get(detail, "fields");
    if (title)
        json_array_append_new(fields, json_string("title"));
    if (starts) {
        json_array_append_new(fields, json_string("startsAt"));
        json_object_set_new(detail, "startsAt", adm_time_json(starts));
    }
    if (ends) {
        json_array_append_new(fields, json_string("endsAt"));
        json_object_set_new(detail, "endsAt", adm_time_json(ends));
    }
    if (limit_given) {
        json_array_append_new(fields, json_string("maxParticipants"));
        json_object_set_new(detail, "maxParticipants", limit ? json_integer(limit) : json_null());
    }
    const char *action = cj ? (json_is_true(cj) ? "event.cancel" : "event.uncancel")
                            : starts || ends ? "event.reschedule" : "event.update";
    adm_audit(c, ev.org_id, action, "event", id, detail);
    VLOG_INFO(ev.room_id, NULL, "api: person %lld: %s of event %lld", (long long)c->person,
              action, (long long)id);
    reply_ok(c, "event", id);
}

/* DELETE /api/admin/events/ID: only one without any record. */
static void delete_event(api_call *c, int64_t id)
{
    veche_event ev;
    if (!get_event(c, id, &ev))
        return;
    int rc = veche_store_event_delete(c->api->env.store, id);
    if (!store_ok(c, rc, "the event has an attendance record: cancel it instead"))
        return;
    adm_audit(c, ev.org_id, "event.delete", "event", id, NULL);
    VLOG_INFO(ev.room_id, NULL, "api: person %lld deleted event %lld", (long long)c->person,
              (long long)id);
    reply_ok(c, "event", id);
}

static int guest_cb(void *ud, const veche_member *m)
{
    admins_ctx *x = ud;
    veche_person p;
    int rc = veche_store_person_get(x->st, m->person_id, &p);
    if (rc != 0)
        return rc;
    json_t *o = json_pack("{s:I, s:s, s:s}", "person", (json_int_t)p.id, "name", p.full_name,
                          "email", p.email);
    return o && json_array_append_new(x->list, o) == 0 ? 0 : VECHE_ENOMEM;
}

/* GET /api/admin/events/ID/guests */
static void list_guests(api_call *c, int64_t id)
{
    veche_event ev;
    if (!get_event(c, id, &ev))
        return;
    admins_ctx x = {c->api->env.store, json_array()};
    if (veche_store_event_guests(x.st, id, guest_cb, &x) != 0) {
        json_decref(x.list);
        return api_error(c, 500, "internal", "database error");
    }
    api_reply(c, 200, json_pack("{s:o}", "guests", x.list));
}

/* DELETE /api/admin/events/ID/guests/PERSON */
static void remove_guest(api_call *c, int64_t id, int64_t person)
{
    veche_event ev;
    if (!get_event(c, id, &ev))
        return;
    if (!store_ok(c, veche_store_event_guest_remove(c->api->env.store, id, person), ""))
        return;
    adm_audit(c, ev.org_id, "guest.remove", "event", id, json_pack("{s:I}", "person",
                                                                   (json_int_t)person));
    reply_ok(c, "guest", person);
}

/* ---- the privacy notice (public) ---- */

/* GET /api/privacy: {notice: text, or null for the built-in one}. */
void api_privacy(api_call *c)
{
    char notice[VECHE_NOTICE_MAX + 1];
    if (veche_store_privacy_notice(c->api->env.store, notice) != 0)
        return api_error(c, 500, "internal", "database error");
    api_reply(c, 200, json_pack("{s:o}", "notice", notice[0] ? json_string(notice)
                                                              : json_null()));
}

/* ---- routing ---- */

static bool is(api_call *c, size_t i, const char *s)
{
    return c->nsegs > i && strcmp(c->segs[i], s) == 0;
}

bool api_admin_edit(api_call *c)
{
    const char *m = c->req->method;
    bool patch = strcmp(m, "PATCH") == 0, del = strcmp(m, "DELETE") == 0,
         get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
    int64_t id = c->nsegs >= 3 ? api_id(c->segs[2]) : 0;
    int64_t sub = c->nsegs == 5 ? api_id(c->segs[4]) : 0;
    if (c->nsegs == 2 && get && (is(c, 1, "audit") || is(c, 1, "audit.csv"))) {
        adm_audit_list(c, is(c, 1, "audit.csv"));
        return true;
    }
    if (!id)
        return false;
    bool three = c->nsegs == 3;
    if (three && patch && is(c, 1, "orgs"))
        update_org(c, id);
    else if (three && del && is(c, 1, "orgs"))
        delete_org(c, id);
    else if (c->nsegs == 4 && get && is(c, 1, "orgs") && is(c, 3, "admins"))
        list_org_admins(c, id);
    else if (sub && del && is(c, 1, "orgs") && is(c, 3, "admins"))
        remove_org_admin(c, id, sub);
    else if (three && patch && is(c, 1, "people"))
        update_person(c, id);
    else if (three && del && is(c, 1, "people"))
        delete_person(c, id);
    else if (c->nsegs == 4 && get && is(c, 1, "people") && is(c, 3, "export"))
        export_person(c, id);
    else if (c->nsegs == 4 && post && is(c, 1, "people") && is(c, 3, "erase"))
        erase_person(c, id);
    else if (three && del && is(c, 1, "accounts"))
        delete_account(c, id);
    else if (three && patch && (is(c, 1, "bodies") || is(c, 1, "courses")))
        update_unit(c, is(c, 1, "bodies"), id);
    else if (three && del && (is(c, 1, "bodies") || is(c, 1, "courses")))
        delete_unit(c, is(c, 1, "bodies"), id);
    else if (three && patch && is(c, 1, "events"))
        update_event(c, id);
    else if (three && del && is(c, 1, "events"))
        delete_event(c, id);
    else if (c->nsegs == 4 && get && is(c, 1, "events") && is(c, 3, "guests"))
        list_guests(c, id);
    else if (sub && del && is(c, 1, "events") && is(c, 3, "guests"))
        remove_guest(c, id, sub);
    else
        return false;
    return true;
}
