/* api_events.c - the event endpoints of the API (docs/api.md): the events
 * a person may join, invitation links (organizers), and the attendance
 * report as JSON, CSV and a printable page (chair, secretary, trainer,
 * administrators).  Permissions: access.h's table for the role the person
 * holds in that event (veche_store_admit). */
#include "api_int.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "report.h"
#include "store_edit.h"

typedef struct {
    api_call *c;
    json_t *list;
    int rc;
} list_ctx;

static json_t *time_json(int64_t secs)
{
    char buf[32];
    veche_report_time(secs * 1000, buf);
    return json_string(buf);
}

static int list_cb(void *ud, const veche_event *ev)
{
    list_ctx *l = ud;
    veche_admission a;
    int rc = veche_store_admit(l->c->api->env.store, ev->id, l->c->person, &a);
    if (rc == VECHE_EDENIED)
        return 0;
    if (rc != 0)
        return rc;
    veche_role room_role = veche_access_room_role(a.role);
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b}",
                          "id", (json_int_t)ev->id, "title", ev->title,
                          "kind", veche_room_kind_name(ev->room_kind), "room", ev->room_id,
                          "role", veche_access_role_name(a.role),
                          "roomRole", veche_role_name(ev->room_kind, room_role),
                          "voting", a.voting,
                          "mayManage", veche_access_may(a.role, VECHE_ACCESS_MAY_MANAGE_EVENT),
                          "mayExportAttendance",
                          veche_access_may(a.role, VECHE_ACCESS_MAY_EXPORT_ATTENDANCE));
    if (o && ev->room_kind == VECHE_ROOM_MEETING)  /* the minutes (api_minutes.c) */
        json_object_set_new(o, "minutes", json_boolean(
            veche_access_may(a.role, VECHE_ACCESS_MAY_EXPORT_ATTENDANCE)));
    if (o) {
        json_object_set_new(o, "startsAt", time_json(ev->starts_at));
        json_object_set_new(o, "endsAt", time_json(ev->ends_at));
        int64_t cancelled = 0;
        if (veche_store_event_cancelled(l->c->api->env.store, ev->id, &cancelled) != 0)
            cancelled = 0;
        json_object_set_new(o, "cancelled", json_boolean(cancelled != 0));
        json_object_set_new(o, "cancelledAt", cancelled ? time_json(cancelled) : json_null());
    }
    json_array_append_new(l->list, o);
    return 0;
}

static void list_events(api_call *c)
{
    if (!api_need_person(c))
        return;
    list_ctx l = {c, json_array(), 0};
    /* the person's candidates (by their rows), each admitted as before */
    if (veche_store_events_for_person(c->api->env.store, c->person, list_cb, &l) != 0) {
        json_decref(l.list);
        return api_error(c, 500, "internal", "database error");
    }
    api_reply(c, 200, json_pack("{s:o}", "events", l.list));
}

/* The signed-in person's admission to event id with permission perm;
 * replies with the error and returns false when refused. */
static bool may(api_call *c, int64_t event_id, veche_access_perm perm, veche_event *ev)
{
    if (!api_may_event(c, event_id, perm, NULL))
        return false;
    if (veche_store_event_get(c->api->env.store, event_id, ev) != 0) {
        api_error(c, 500, "internal", "database error");
        return false;
    }
    return true;
}

/* {person} or {email, name}: a person not otherwise admitted becomes a
 * guest of the event; an unknown e-mail becomes a new person of the
 * event's organization. */
static void invite(api_call *c, int64_t event_id)
{
    veche_event ev;
    if (!may(c, event_id, VECHE_ACCESS_MAY_MANAGE_EVENT, &ev) || !api_need_body(c))
        return;
    veche_store *st = c->api->env.store;
    json_t *pj = json_object_get(c->body, "person");
    int64_t person = json_is_integer(pj) ? (int64_t)json_integer_value(pj) : 0;
    const char *email = api_str(c, "email"), *name = api_str(c, "name");
    veche_person p;
    int rc;
    if (person > 0) {
        rc = veche_store_person_get(st, person, &p);
        if (rc == VECHE_ENOTFOUND)
            return api_error(c, 404, "not-found", "there is no such person");
    } else if (email) {
        rc = veche_store_person_find_email(st, email, &p);
        if (rc == VECHE_ENOTFOUND) {
            if (!name)
                return api_error(c, 400, "bad-request", "name is required for a new person");
            veche_person np = {.org_id = ev.org_id};
            snprintf(np.full_name, sizeof np.full_name, "%s", name);
            snprintf(np.email, sizeof np.email, "%s", email);
            rc = veche_store_person_create(st, &np, c->now, &np.id);
            if (rc == VECHE_EINVAL)
                return api_error(c, 400, "bad-request", "bad name or e-mail address");
            p = np;
        }
    } else {
        return api_error(c, 400, "bad-request", "person (an id) or email is required");
    }
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    veche_admission a;
    rc = veche_store_admit(st, event_id, p.id, &a);
    if (rc == VECHE_EDENIED && a.refusal == VECHE_REFUSE_BLOCKED)
        return api_error(c, 409, "blocked", "this person's account is blocked");
    if (rc == VECHE_EDENIED && a.refusal == VECHE_REFUSE_NOT_LISTED)
        rc = veche_store_event_guest_add(st, event_id, p.id);
    veche_invitation inv;
    char token[VECHE_TOKEN_INVITATION_SIZE];
    int64_t expires = c->now + (int64_t)c->api->env.cfg->invitation_ttl_hours * 3600;
    if (rc == 0)
        rc = veche_token_invitation_create(c->api->env.secret, event_id, p.id, expires, &inv,
                                           token);
    if (rc == 0)
        rc = veche_store_invitation_add(st, &inv, c->person, c->now);
    if (rc != 0)
        return api_error(c, 500, "internal", "could not create the invitation");
    char link[512];
    snprintf(link, sizeof link, "%s/?invitation=%s", c->api->env.cfg->public_url, token);
    VLOG_INFO(ev.room_id, NULL, "api: person %lld invited person %lld to event %lld",
              (long long)c->person, (long long)p.id, (long long)event_id);
    json_t *out = json_pack("{s:I, s:I, s:s, s:s}", "event", (json_int_t)event_id, "person",
                            (json_int_t)p.id, "token", token, "link", link);
    if (out)
        json_object_set_new(out, "expires", time_json(expires));
    api_reply(c, 201, out);
}

/* The report of event_id as what ("attendance", ".csv", ".html"): russian
 * and plain (format=rfc4180) are read from the request before any wait. */
static void attendance_answer(api_call *c, int64_t event_id, const char *what, bool russian,
                              bool plain)
{
    veche_report *r = NULL;
    int64_t grace_ms = (int64_t)c->api->env.cfg->presence_grace_seconds * 1000;
    /* on a reader (api_read.c) the roll's copy made after the BARRIER */
    int brc = c->api->is_reader
                 ? veche_report_build_live(c->api->env.store, c->api->live, event_id, grace_ms,
                                           g_get_real_time() / 1000, &r)
                 : veche_report_build(c->api->env.store, c->api->env.roll, event_id, grace_ms,
                                      g_get_real_time() / 1000, &r);
    if (brc != 0)
        return api_error(c, 500, "internal", "could not build the report");
    /* the zone of the event's organization (or an ancestor's), else the server's */
    char zone[64] = "";
    if (veche_store_org_zone(c->api->env.store, r->event.org_id, zone) != 0 || !zone[0])
        snprintf(zone, sizeof zone, "%s", c->api->env.cfg->time_zone);
    if (strcmp(what, "attendance") == 0) {
        api_reply(c, 200, veche_report_json(r));
    } else if (strcmp(what, "attendance.csv") == 0) {
        char *csv = NULL;
        size_t len = 0;
        int rc = plain ? veche_report_csv(r, &csv, &len)
                       : veche_report_csv_excel(r, russian, zone,
                                                &csv, &len);
        if (rc != 0) {
            veche_report_free(r);
            return api_error(c, 500, "internal", "could not write the CSV");
        }
        c->resp->status = 200;
        c->resp->content_type = "text/csv; charset=utf-8";
        c->resp->body = csv;
        c->resp->body_len = len;
        snprintf(c->resp->disposition, sizeof c->resp->disposition,
                 "attachment; filename=\"attendance-%lld.csv\"", (long long)event_id);
    } else {
        c->resp->status = 200;
        c->resp->content_type = "text/html; charset=utf-8";
        c->resp->body = veche_report_html(r, russian ? "ru" : "en", zone);
        c->resp->body_len = strlen(c->resp->body);
    }
    veche_report_free(r);
}

/* A report deferred behind the store thread's queue (a BARRIER): the
 * attendance and quorum log written before the request are in it. */
typedef struct {
    veche_api *api;
    veche_http_pending *pending;  /* NULL once answered */
    bool tls;
    char peer[64];
    int64_t now, person, event_id;
    char what[24];
    bool russian, plain;
} report_wait;

static void report_wait_free(gpointer ud)
{
    report_wait *w = ud;
    if (w->pending) {  /* the queue went away first (shutdown) */
        veche_http_response resp = {.status = 503};
        veche_http_pending_finish(w->pending, &resp);
    }
    g_free(w);
}

static void report_ready(void *ud, veche_storeq_req *req)
{
    (void)req;
    report_wait *w = ud;
    veche_http_response resp;
    memset(&resp, 0, sizeof resp);
    veche_http_request hreq = {
        .method = "GET", .path = "", .query = "", .cookie = "", .body = "",
        .tls = w->tls, .peer = w->peer,
    };
    api_call c = {.api = w->api, .req = &hreq, .resp = &resp, .now = w->now,
                  .person = w->person};
    attendance_answer(&c, w->event_id, w->what, w->russian, w->plain);
    veche_http_pending_finish(w->pending, &resp);
    w->pending = NULL;
    g_free(resp.body);  /* NULL: taken */
}

/* GET attendance (JSON), attendance.csv[?lang=ru|en][&format=rfc4180],
 * attendance.html?lang=ru|en (without lang: Accept-Language) */
static void attendance(api_call *c, int64_t event_id, const char *what)
{
    veche_event ev;
    if (!may(c, event_id, VECHE_ACCESS_MAY_EXPORT_ATTENDANCE, &ev))
        return;
    char format[16];
    api_query(c, "format", format, sizeof format);
    bool russian = api_russian(c), plain = strcmp(format, "rfc4180") == 0;
    /* inline: on a reader (api_read.c waited for the BARRIER before), or
     * without a store thread or a way to defer */
    if (c->api->is_reader || !c->api->env.storeq || !c->req->pending)
        return attendance_answer(c, event_id, what, russian, plain);
    report_wait *w = g_new0(report_wait, 1);
    w->api = c->api;
    w->pending = c->req->pending;
    w->tls = c->req->tls;
    snprintf(w->peer, sizeof w->peer, "%s", c->req->peer ? c->req->peer : "");
    w->now = c->now;
    w->person = c->person;
    w->event_id = event_id;
    snprintf(w->what, sizeof w->what, "%s", what);
    w->russian = russian;
    w->plain = plain;
    c->resp->deferred = true;
    veche_storeq_submit(c->api->env.storeq, veche_storeq_req_new(VECHE_STOREQ_BARRIER),
                        report_ready, w, report_wait_free);
}

/* GET roll?offset=N&limit=M: a page of the live roll (roster order, with
 * present flags), for the moderators' attendance panel: the WebSocket
 * carries only counts, the present list and deltas (protocol.md). */
static void roll_page(api_call *c, int64_t event_id)
{
    veche_event ev;
    if (!may(c, event_id, VECHE_ACCESS_MAY_EXPORT_ATTENDANCE, &ev))
        return;
    char num[24];
    api_query(c, "offset", num, sizeof num);
    long long offset = num[0] ? strtoll(num, NULL, 10) : 0;
    api_query(c, "limit", num, sizeof num);
    long long limit = num[0] ? strtoll(num, NULL, 10) : 1000;
    if (offset < 0 || limit < 1 || limit > 5000)
        return api_error(c, 400, "bad-request", "offset >= 0, limit 1-5000");
    json_t *page = veche_roll_page_json(c->api->env.roll, event_id, (size_t)offset,
                                        (size_t)limit);
    if (!page)  /* nobody in: nothing live */
        page = json_pack("{s:I, s:i, s:i, s:I, s:[]}", "event", (json_int_t)event_id,
                         "present", 0, "total", 0, "offset", (json_int_t)offset, "people");
    json_object_set_new(page, "live", json_boolean(veche_roll_live(c->api->env.roll, event_id)));
    api_reply(c, 200, page);
}

void api_events(api_call *c)
{
    const char *m = c->req->method;
    if (c->nsegs == 1 && strcmp(m, "GET") == 0)
        return list_events(c);
    if (c->nsegs >= 3 && c->nsegs <= 5 && strcmp(c->segs[2], "agenda") == 0 &&
        api_id(c->segs[1]))
        return api_agenda(c, api_id(c->segs[1]));
    int64_t id = c->nsegs >= 3 ? api_id(c->segs[1]) : 0;
    if (id && api_minutes(c, id))
        return;
    if (!id || c->nsegs != 3)
        return api_error(c, 404, "not-found", "no such route");
    const char *what = c->segs[2];
    if (strcmp(m, "POST") == 0 && strcmp(what, "invitations") == 0)
        return invite(c, id);
    if (strcmp(m, "GET") == 0 && (strcmp(what, "attendance") == 0 ||
                                  strcmp(what, "attendance.csv") == 0 ||
                                  strcmp(what, "attendance.html") == 0))
        return attendance(c, id, what);
    if (strcmp(m, "GET") == 0 && strcmp(what, "roll") == 0)
        return roll_page(c, id);
    api_error(c, 404, "not-found", "no such route");
}
