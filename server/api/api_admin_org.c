/* api_admin_org.c - the administrators' endpoints for the structure
 * (docs/api.md, "Administration endpoints"): organizations and their
 * administrators, bodies with their quorum rule, courses, events (a
 * meeting of a body or a training session of a course) and their guests.
 * Reached through api_admin.c's router, which has already required an
 * administrator; each request here is checked against the organization it
 * concerns (api_is_admin_of: a platform administrator anywhere, an
 * organization administrator within their subtree). */
#include "api_admin_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "store_chat.h"
#include "store_edit.h"

#define ROOM_ATTEMPTS 8

/* The JSON array of a listing: append o (stolen) or fail. */
static int append(json_t *list, json_t *o)
{
    return o && json_array_append_new(list, o) == 0 ? 0 : VECHE_ENOMEM;
}

/* Reply {key: list} on success (rc 0), or 500; list is stolen. */
static void reply_list(api_call *c, int rc, const char *key, json_t *list)
{
    if (rc != 0) {
        json_decref(list);
        return api_error(c, 500, "internal", "database error");
    }
    api_reply(c, 200, json_pack("{s:o}", key, list));
}

/* 201 {"id"} */
static void reply_created(api_call *c, int64_t id)
{
    api_reply(c, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* A create's store result as the reply for the usual errors: true when rc
 * is 0 (nothing replied). */
static bool created_ok(api_call *c, int rc, const char *what)
{
    if (rc == VECHE_EEXISTS)
        api_error(c, 409, "exists", what);
    else if (rc == VECHE_EINVAL)
        api_error(c, 400, "bad-request", "a name is required (at most 200 bytes)");
    else if (rc != 0)
        api_error(c, 500, "internal", "database error");
    return rc == 0;
}

/* ---- organizations ---- */

typedef struct {
    veche_store *st;
    json_t *list;
} orgs_ctx;

static int org_cb(void *ud, const veche_org *o)
{
    orgs_ctx *x = ud;
    char zone[64] = "", notice[VECHE_NOTICE_MAX + 1] = "";
    unsigned hours = 0;
    int64_t chat_days = -1;
    int rc = veche_store_org_settings(x->st, o->id, zone, notice);
    if (rc == 0)
        rc = veche_store_org_session_hours(x->st, o->id, &hours);
    if (rc == 0)
        rc = veche_store_org_chat_retention_get(x->st, o->id, &chat_days);
    if (rc != 0)
        return rc;
    return append(x->list, json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "id",
                                     (json_int_t)o->id, "name", o->name, "level",
                                     veche_store_org_level_name(o->level), "parent",
                                     adm_id_json(o->parent_id), "timeZone",
                                     zone[0] ? json_string(zone) : json_null(),
                                     "privacyNotice",
                                     notice[0] ? json_string(notice) : json_null(),
                                     "sessionHours", hours ? json_integer(hours) : json_null(),
                                     "chatRetentionDays",
                                     chat_days >= 0 ? json_integer(chat_days) : json_null()));
}

/* GET /api/admin/orgs: the organizations the caller administers, with
 * everything below them (all of them for a platform administrator). */
static void list_orgs(api_call *c)
{
    int64_t org, admin;
    if (!adm_scope(c, &org, &admin))
        return;
    orgs_ctx x = {c->api->env.store, json_array()};
    reply_list(c, veche_store_orgs_list(x.st, org, admin, org_cb, &x), "orgs", x.list);
}

/* POST /api/admin/orgs {name, level, parent?}: a central organization (no
 * parent) by a platform administrator only; below an organization by its
 * administrators. */
static void create_org(api_call *c)
{
    if (!api_need_body(c))
        return;
    const char *name = api_str(c, "name");
    veche_org_level level;
    int64_t parent = adm_int(c, "parent");
    json_t *pj = json_object_get(c->body, "parent");
    if (!name || veche_store_org_level_parse(api_str(c, "level"), &level) != 0 ||
        (pj && !json_is_null(pj) && !parent))
        return api_error(c, 400, "bad-request", "name and level (central, regional, primary)"
                                                " are required; parent is an organization id");
    if (!api_is_admin_of(c, parent))
        return api_error(c, 403, "forbidden", parent ? "only an administrator of the parent"
                                                       " organization may"
                                                     : "only a platform administrator may"
                                                       " create a central organization");
    veche_store *st = c->api->env.store;
    veche_org po;
    int rc = parent ? veche_store_org_get(st, parent, &po) : 0;
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such parent organization");
    if (rc == 0 && (parent ? po.level >= level : level != VECHE_ORG_CENTRAL))
        return api_error(c, 400, "bad-request", "a central organization has no parent, a"
                                                " regional one sits under a central one, a"
                                                " primary one under a regional or central one");
    int64_t id = 0;
    if (rc == 0)
        rc = veche_store_org_create(st, name, level, parent, c->now, &id);
    if (!created_ok(c, rc, "an organization of this name is already there"))
        return;
    adm_audit(c, parent ? parent : id, "org.create", "org", id,
              json_pack("{s:s, s:s}", "name", name, "level", api_str(c, "level")));
    VLOG_INFO(NULL, NULL, "api: person %lld created organization %lld", (long long)c->person,
              (long long)id);
    reply_created(c, id);
}

/* POST /api/admin/orgs/{id}/admins {person} */
static void add_org_admin(api_call *c, int64_t org)
{
    if (!api_need_body(c))
        return;
    int64_t person = adm_int(c, "person");
    if (!person)
        return api_error(c, 400, "bad-request", "person (an id) is required");
    veche_store *st = c->api->env.store;
    veche_org o;
    veche_person p;
    if (!api_is_admin_of(c, org))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
    int rc = veche_store_org_get(st, org, &o);
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such organization");
    if (rc == 0 && (rc = veche_store_person_get(st, person, &p)) == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such person");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    if (!api_is_admin_of(c, p.org_id))
        return api_error(c, 403, "forbidden", "this person belongs to another organization");
    if (veche_store_org_admin_set(st, org, person, true) != 0)
        return api_error(c, 500, "internal", "database error");
    adm_audit(c, org, "admin.add", "person", person, json_pack("{s:I}", "org", (json_int_t)org));
    VLOG_INFO(NULL, NULL, "api: person %lld made person %lld an administrator of"
              " organization %lld", (long long)c->person, (long long)person, (long long)org);
    api_reply(c, 200, json_pack("{s:I, s:I, s:b}", "org", (json_int_t)org, "person",
                                (json_int_t)person, "admin", 1));
}

/* ---- bodies and courses ---- */

static int body_cb(void *ud, const veche_body_info *b)
{
    json_t *q = json_pack("{s:s, s:i, s:i}", "op",
                          b->body.quorum.mode == VECHE_QUORUM_AT_LEAST ? ">=" : ">", "num",
                          (int)b->body.quorum.num, "den", (int)b->body.quorum.den);
    return append(ud, json_pack("{s:I, s:I, s:s, s:o, s:i, s:i, s:b}", "id",
                                (json_int_t)b->body.id, "org", (json_int_t)b->body.org_id,
                                "name", b->body.name, "quorum", q, "members",
                                (int)b->members, "voting", (int)b->voting, "allowRecording",
                                (int)b->allow_recording));
}

static int course_cb(void *ud, const veche_course_info *k)
{
    return append(ud, json_pack("{s:I, s:I, s:s, s:i}", "id", (json_int_t)k->course.id, "org",
                                (json_int_t)k->course.org_id, "name", k->course.name,
                                "members", (int)k->members));
}

/* GET /api/admin/bodies[?org=ID] and /api/admin/courses[?org=ID] */
static void list_units(api_call *c, bool bodies)
{
    int64_t org, admin;
    if (!adm_scope(c, &org, &admin))
        return;
    json_t *list = json_array();
    veche_store *st = c->api->env.store;
    int rc = bodies ? veche_store_bodies_list(st, org, admin, body_cb, list)
                    : veche_store_courses_list(st, org, admin, course_cb, list);
    reply_list(c, rc, bodies ? "bodies" : "courses", list);
}

/* POST /api/admin/bodies {org, name, quorum?} and /api/admin/courses
 * {org, name} */
static void create_unit(api_call *c, bool body)
{
    if (!api_need_body(c))
        return;
    int64_t org = adm_int(c, "org");
    const char *name = api_str(c, "name"), *qtext = api_str(c, "quorum");
    json_t *qj = json_object_get(c->body, "quorum");
    veche_quorum_rule rule = VECHE_QUORUM_RULE_DEFAULT;
    if (!org || !name)
        return api_error(c, 400, "bad-request", "org (an id) and name are required");
    if (body && ((qj && !json_is_null(qj) && !qtext) ||
                 (qtext && veche_quorum_rule_parse(qtext, &rule) != 0)))
        return api_error(c, 400, "bad-quorum", "quorum is \">N/D\" (more than) or \">=N/D\""
                                               " (at least), for example \">1/2\" or \">=2/3\"");
    if (!api_is_admin_of(c, org))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
    veche_store *st = c->api->env.store;
    veche_org o;
    int rc = veche_store_org_get(st, org, &o);
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such organization");
    int64_t id = 0;
    if (rc == 0)
        rc = body ? veche_store_body_create(st, org, name, &rule, &id)
                  : veche_store_course_create(st, org, name, &id);
    if (!created_ok(c, rc, body ? "this organization has a body of this name"
                                : "this organization has a course of this name"))
        return;
    adm_audit(c, org, body ? "body.create" : "course.create", body ? "body" : "course", id,
              json_pack("{s:s}", "name", name));
    VLOG_INFO(NULL, NULL, "api: person %lld created %s %lld in organization %lld",
              (long long)c->person, body ? "body" : "course", (long long)id, (long long)org);
    reply_created(c, id);
}

/* ---- events ---- */

typedef struct {
    veche_store *st;
    json_t *list;
} events_ctx;

static int event_cb(void *ud, const veche_event_info *e)
{
    events_ctx *x = ud;
    const veche_event *ev = &e->event;
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:i}", "id", (json_int_t)ev->id,
                          "title", ev->title, "kind", veche_room_kind_name(ev->room_kind),
                          "room", ev->room_id, "body", adm_id_json(ev->body_id), "course",
                          adm_id_json(ev->course_id), "guests", (int)e->guests);
    if (o) {
        json_object_set_new(o, "startsAt", adm_time_json(ev->starts_at));
        json_object_set_new(o, "endsAt", adm_time_json(ev->ends_at));
        int64_t cancelled = 0;
        if (veche_store_event_cancelled(x->st, ev->id, &cancelled) != 0)
            cancelled = 0;
        json_object_set_new(o, "cancelled", json_boolean(cancelled != 0));
        json_object_set_new(o, "maxParticipants", ev->max_participants
                                                      ? json_integer(ev->max_participants)
                                                      : json_null());
    }
    return append(x->list, o);
}

/* GET /api/admin/events[?org=ID]: events of the bodies and courses of the
 * organizations the caller administers, by start time. */
static void list_events(api_call *c)
{
    int64_t org, admin;
    if (!adm_scope(c, &org, &admin))
        return;
    events_ctx x = {c->api->env.store, json_array()};
    reply_list(c, veche_store_events_in(x.st, org, admin, event_cb, &x), "events", x.list);
}

/* A fresh random room id "ev-" + 16 hex digits; 0 or VECHE_ECRYPTO. */
static int new_room(char out[VECHE_ROOM_ID_MAX + 1])
{
    unsigned char r[8];
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    randombytes_buf(r, sizeof r);
    memcpy(out, "ev-", 3);
    sodium_bin2hex(out + 3, VECHE_ROOM_ID_MAX + 1 - 3, r, sizeof r);
    return 0;
}

/* POST /api/admin/events {title, body|course, startsAt, endsAt, room?,
 * maxParticipants?}: a meeting of a body or a training session of a
 * course; the room id is generated when not given; maxParticipants is the
 * event's own room limit (null or absent: the room kind's). */
static void create_event(api_call *c)
{
    if (!api_need_body(c))
        return;
    veche_store *st = c->api->env.store;
    veche_event ev;
    memset(&ev, 0, sizeof ev);
    const char *title = api_str(c, "title"), *room = api_str(c, "room");
    json_t *rj = json_object_get(c->body, "room");
    ev.body_id = adm_int(c, "body");
    ev.course_id = adm_int(c, "course");
    if (!title || !*title || strlen(title) > VECHE_TITLE_MAX)
        return api_error(c, 400, "bad-request", "title is required (at most 200 bytes)");
    if ((ev.body_id != 0) == (ev.course_id != 0))
        return api_error(c, 400, "bad-request", "exactly one of body and course (an id)");
    if (adm_time_parse(json_object_get(c->body, "startsAt"), &ev.starts_at) != 0 ||
        adm_time_parse(json_object_get(c->body, "endsAt"), &ev.ends_at) != 0)
        return api_error(c, 400, "bad-time", "startsAt and endsAt are times such as"
                                             " \"2026-11-29T12:00:00Z\" or unix seconds");
    if (ev.ends_at < ev.starts_at)
        return api_error(c, 400, "bad-time", "endsAt is before startsAt");
    if ((rj && !json_is_null(rj) && !room) || (room && !veche_room_id_valid(room)))
        return api_error(c, 400, "bad-room", "room is 1 to 64 of A-Z a-z 0-9 _ . -");
    bool limit_given;
    if (!adm_event_limit(c, &limit_given, &ev.max_participants))
        return;
    int64_t org = 0;
    int rc;
    if (ev.body_id) {
        veche_body b;
        rc = veche_store_body_get(st, ev.body_id, &b);
        org = b.org_id;
        ev.room_kind = VECHE_ROOM_MEETING;
    } else {
        veche_course k;
        rc = veche_store_course_get(st, ev.course_id, &k);
        org = k.org_id;
        ev.room_kind = VECHE_ROOM_TRAINING;
    }
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", ev.body_id ? "there is no such body"
                                                         : "there is no such course");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    if (!api_is_admin_of(c, org))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
    snprintf(ev.title, sizeof ev.title, "%s", title);
    int64_t id = 0;
    rc = VECHE_EEXISTS;
    for (int i = 0; rc == VECHE_EEXISTS && i < (room ? 1 : ROOM_ATTEMPTS); i++) {
        if (room)
            snprintf(ev.room_id, sizeof ev.room_id, "%s", room);
        else if (new_room(ev.room_id) != 0)
            return api_error(c, 500, "internal", "no random numbers");
        rc = veche_store_event_create(st, &ev, c->now, &id);
    }
    if (rc == VECHE_EEXISTS)
        return api_error(c, 409, "exists", "this room id is taken by another event");
    if (rc == VECHE_EINVAL)
        return api_error(c, 400, "bad-request", "the event was refused");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    json_t *detail = json_pack("{s:s}", "room", ev.room_id);
    if (ev.max_participants)
        json_object_set_new(detail, "maxParticipants", json_integer(ev.max_participants));
    adm_audit(c, org, "event.create", "event", id, detail);
    VLOG_INFO(ev.room_id, NULL, "api: person %lld created event %lld", (long long)c->person,
              (long long)id);
    api_reply(c, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "room", ev.room_id));
}

/* POST /api/admin/events/{id}/guests {person} or {email, name}: an
 * unknown e-mail becomes a new person of the event's organization. */
static void add_guest(api_call *c, int64_t event_id)
{
    if (!api_need_body(c))
        return;
    veche_store *st = c->api->env.store;
    veche_event ev;
    int64_t person = adm_int(c, "person");
    const char *email = api_str(c, "email"), *name = api_str(c, "name");
    if (!person && !email)
        return api_error(c, 400, "bad-request", "person (an id) or email is required");
    int rc = veche_store_event_get(st, event_id, &ev);
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such event");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    if (!api_is_admin_of(c, ev.org_id))
        return api_error(c, 403, "forbidden", "only an administrator of the organization may");
    veche_person p;
    if (person) {
        rc = veche_store_person_get(st, person, &p);
        if (rc == VECHE_ENOTFOUND)
            return api_error(c, 404, "not-found", "there is no such person");
    } else if ((rc = veche_store_person_find_email(st, email, &p)) == VECHE_ENOTFOUND) {
        if (!name)
            return api_error(c, 400, "bad-request", "name is required for a new person");
        memset(&p, 0, sizeof p);
        p.org_id = ev.org_id;
        snprintf(p.full_name, sizeof p.full_name, "%s", name);
        snprintf(p.email, sizeof p.email, "%s", email);
        rc = veche_store_person_create(st, &p, c->now, &p.id);
        if (rc == VECHE_EINVAL)
            return api_error(c, 400, "bad-request", "bad name or e-mail address");
        if (rc == 0)
            VLOG_INFO(ev.room_id, NULL, "api: person %lld created person %lld as a guest",
                      (long long)c->person, (long long)p.id);
    }
    if (rc == 0)
        rc = veche_store_event_guest_add(st, event_id, p.id);
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    adm_audit(c, ev.org_id, "guest.add", "event", event_id,
              json_pack("{s:I}", "person", (json_int_t)p.id));
    VLOG_INFO(ev.room_id, NULL, "api: person %lld added person %lld as a guest of event %lld",
              (long long)c->person, (long long)p.id, (long long)event_id);
    api_reply(c, 200, json_pack("{s:I}", "person", (json_int_t)p.id));
}

/* ---- routing ---- */

bool api_admin_org(api_call *c)
{
    bool post = strcmp(c->req->method, "POST") == 0, get = strcmp(c->req->method, "GET") == 0;
    const char *what = c->nsegs > 1 ? c->segs[1] : "";
    int64_t id = c->nsegs == 4 ? api_id(c->segs[2]) : 0;
    bool orgs = strcmp(what, "orgs") == 0, bodies = strcmp(what, "bodies") == 0,
         courses = strcmp(what, "courses") == 0, events = strcmp(what, "events") == 0;
    if (c->nsegs == 2 && get && orgs)
        list_orgs(c);
    else if (c->nsegs == 2 && post && orgs)
        create_org(c);
    else if (id && post && orgs && strcmp(c->segs[3], "admins") == 0)
        add_org_admin(c, id);
    else if (c->nsegs == 2 && get && (bodies || courses))
        list_units(c, bodies);
    else if (c->nsegs == 2 && post && (bodies || courses))
        create_unit(c, bodies);
    else if (c->nsegs == 2 && get && events)
        list_events(c);
    else if (c->nsegs == 2 && post && events)
        create_event(c);
    else if (id && post && events && strcmp(c->segs[3], "guests") == 0)
        add_guest(c, id);
    else
        return false;
    return true;
}
