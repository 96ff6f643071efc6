/* api_minutes.c - the minutes endpoints (docs/api.md, "Minutes and
 * votes"): the minutes as JSON and a printable page, the votes as CSV and
 * JSON (whoever may export the attendance: chair, secretary, trainer,
 * administrators), and the secretary's decision texts and finalization
 * (secretary, administrators).  Reads and writes the store on the main
 * thread like the other administration endpoints; the content comes from
 * minutes.c. */
#include "api_int.h"
#include "api_admin_int.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "minutes.h"
#include "store_votes.h"
#include "storeq.h"

#define DECISION_MAX 10000

/* The person's role in the event, replying 401/403/404 when refused. */
static bool admitted(api_call *c, int64_t event_id, veche_access_role *role)
{
    return api_may_event(c, event_id, VECHE_ACCESS_MAY_EXPORT_ATTENDANCE, role);
}

static bool may_edit(veche_access_role r)
{
    return r == VECHE_ACCESS_SECRETARY || r == VECHE_ACCESS_ORG_ADMIN ||
           r == VECHE_ACCESS_PLATFORM_ADMIN;
}

static void text_reply(api_call *c, const char *ctype, char *body, const char *attach)
{
    c->resp->status = 200;
    c->resp->content_type = ctype;
    c->resp->body = body;
    c->resp->body_len = strlen(body);
    if (attach)
        snprintf(c->resp->disposition, sizeof c->resp->disposition,
                 "attachment; filename=\"%s\"", attach);
}

static void show(api_call *c, int64_t event_id, const char *what)
{
    veche_access_role role;
    if (!admitted(c, event_id, &role))
        return;
    veche_store *st = c->api->env.store;
    json_t *content = NULL;
    veche_minutes_state m;
    if (veche_minutes_content(st, event_id, 0, &content) != 0 ||
        veche_store_minutes_state(st, event_id, &m) != 0) {
        json_decref(content);
        return api_error(c, 500, "internal", "database error");
    }
    char name[64];
    if (strcmp(what, "minutes.html") == 0) {
        char lang[8];
        api_query(c, "lang", lang, sizeof lang);
        bool ru = lang[0] ? strcmp(lang, "ru") == 0 : api_russian(c);
        text_reply(c, "text/html; charset=utf-8",
                   veche_minutes_html(content, &m, ru ? "ru" : "en",
                                      c->api->env.cfg->time_zone), NULL);
    } else if (strcmp(what, "votes.csv") == 0) {
        snprintf(name, sizeof name, "votes-%lld.csv", (long long)event_id);
        text_reply(c, "text/csv; charset=utf-8", veche_minutes_votes_csv(content), name);
    } else if (strcmp(what, "votes.json") == 0) {
        api_reply(c, 200, json_pack("{s:O}", "votes", json_object_get(content, "votes")));
    } else {
        char digest[65];
        veche_minutes_digest(content, digest);
        json_object_set_new(content, "finalized", json_boolean(m.finalized));
        json_object_set_new(content, "digest", json_string(m.finalized ? m.digest : digest));
        json_object_set_new(content, "finalizedAt", m.finalized
                            ? json_integer(m.finalized_at) : json_null());
        json_object_set_new(content, "mayEdit", json_boolean(may_edit(role) && !m.finalized));
        api_reply(c, 200, json_incref(content));
    }
    json_decref(content);
}

/* POST minutes/decisions/ITEM {decision}: the text (or null) for an item. */
static void decision(api_call *c, int64_t event_id, int64_t item)
{
    veche_access_role role;
    if (!admitted(c, event_id, &role) || !api_need_body(c))
        return;
    if (!may_edit(role))
        return api_error(c, 403, "forbidden", "the secretary writes the decisions");
    json_t *d = json_object_get(c->body, "decision");
    const char *text = json_string_value(d);
    if ((!text && !json_is_null(d)) || (text && strlen(text) > DECISION_MAX))
        return api_error(c, 400, "bad-request", "decision must be a string of at most "
                                                "10000 bytes, or null");
    int rc = veche_store_agenda_decision_set(c->api->env.store, event_id, item, text);
    if (rc == VECHE_ESTATE)
        return api_error(c, 409, "minutes-final", "the minutes are finalized");
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such agenda item in this event");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    VLOG_INFO(NULL, NULL, "event %lld: decision on agenda item %lld set by person %lld",
              (long long)event_id, (long long)item, (long long)c->person);
    api_reply(c, 200, json_pack("{s:I, s:s?}", "item", (json_int_t)item, "decision", text));
}

static int has_open(void *ud, const veche_vote_record *v)
{
    if (!v->closed)
        *(bool *)ud = true;
    return 0;
}

static void finalize_now(api_call *c, int64_t event_id)
{
    veche_store *st = c->api->env.store;
    bool open = false;
    if (veche_store_vote_list(st, event_id, has_open, &open) != 0)
        return api_error(c, 500, "internal", "database error");
    if (open)
        return api_error(c, 409, "vote-open", "close the open vote first");
    json_t *content = NULL;
    if (veche_minutes_content(st, event_id, 0, &content) != 0)
        return api_error(c, 500, "internal", "database error");
    char digest[65];
    veche_minutes_digest(content, digest);
    json_decref(content);
    int rc = veche_store_minutes_finalize(st, event_id, c->person, c->now, digest);
    if (rc == VECHE_EEXISTS)
        return api_error(c, 409, "minutes-final", "the minutes are already finalized");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    VLOG_INFO(NULL, NULL, "event %lld: minutes finalized by person %lld, sha-256 %s",
              (long long)event_id, (long long)c->person, digest);
    api_reply(c, 200, json_pack("{s:s, s:I}", "digest", digest, "finalizedAt",
                                (json_int_t)c->now));
}

/* A finalize deferred behind the store thread's queue (a BARRIER): the
 * leaves written before it are in the records it digests. */
typedef struct {
    veche_api *api;
    veche_http_pending *pending;  /* NULL once answered */
    int64_t now, person, event_id;
} finalize_wait;

static void finalize_wait_free(gpointer ud)
{
    finalize_wait *w = ud;
    if (w->pending) {  /* the queue went away first (shutdown) */
        veche_http_response resp = {.status = 503};
        veche_http_pending_finish(w->pending, &resp);
    }
    g_free(w);
}

static void finalize_ready(void *ud, veche_storeq_req *req)
{
    (void)req;
    finalize_wait *w = ud;
    veche_http_response resp;
    memset(&resp, 0, sizeof resp);
    veche_http_request hreq = {.method = "POST", .path = "", .query = "", .cookie = "",
                               .body = "", .peer = ""};
    api_call c = {.api = w->api, .req = &hreq, .resp = &resp, .now = w->now,
                  .person = w->person};
    if (veche_roll_live(w->api->env.roll, w->event_id))  /* someone came back meanwhile */
        api_error(&c, 409, "meeting-live", "the meeting is under way: finalize after it");
    else
        finalize_now(&c, w->event_id);
    veche_http_pending_finish(w->pending, &resp);
    w->pending = NULL;
    g_free(resp.body);  /* NULL: taken */
}

/* POST minutes/finalize: store the digest; nothing can change after.
 * Only once nobody is in the meeting (their leaves would change it). */
static void finalize(api_call *c, int64_t event_id)
{
    veche_access_role role;
    if (!admitted(c, event_id, &role))
        return;
    if (!may_edit(role))
        return api_error(c, 403, "forbidden", "the secretary finalizes the minutes");
    if (c->api->env.roll && veche_roll_live(c->api->env.roll, event_id))
        return api_error(c, 409, "meeting-live", "the meeting is under way: finalize after it");
    if (!c->api->env.storeq || !c->req->pending)
        return finalize_now(c, event_id);
    finalize_wait *w = g_new0(finalize_wait, 1);
    w->api = c->api;
    w->pending = c->req->pending;
    w->now = c->now;
    w->person = c->person;
    w->event_id = event_id;
    c->resp->deferred = true;
    veche_storeq_submit(c->api->env.storeq, veche_storeq_req_new(VECHE_STOREQ_BARRIER),
                        finalize_ready, w, finalize_wait_free);
}

void api_vote_settings(api_call *c, int64_t body_id)
{
    veche_store *st = c->api->env.store;
    veche_body b;
    int rc = veche_store_body_get(st, body_id, &b);
    if (rc == VECHE_ENOTFOUND)
        return api_error(c, 404, "not-found", "there is no such body");
    if (rc != 0)
        return api_error(c, 500, "internal", "database error");
    if (!api_is_admin_of(c, b.org_id))
        return api_error(c, 403, "forbidden", "you do not administer this body");
    veche_vote_rule rule;
    bool refuse = true;
    if (strcmp(c->req->method, "POST") == 0) {
        if (!api_need_body(c))
            return;
        const char *r = api_str(c, "rule"), *q = api_str(c, "noQuorum");
        if ((veche_store_vote_settings(st, body_id, &rule, &refuse)) != 0)
            return api_error(c, 500, "internal", "database error");
        if (r && veche_vote_rule_parse(r, &rule) != 0)
            return api_error(c, 400, "bad-rule", "rule is one of half-of-cast, half-of-present,"
                             " half-of-members, two-thirds-of-cast, two-thirds-of-present,"
                             " two-thirds-of-members");
        if (q && strcmp(q, "refuse") != 0 && strcmp(q, "warn") != 0)
            return api_error(c, 400, "bad-request", "noQuorum is \"refuse\" or \"warn\"");
        if (q)
            refuse = strcmp(q, "refuse") == 0;
        if (veche_store_vote_set_settings(st, body_id, &rule, refuse) != 0)
            return api_error(c, 500, "internal", "database error");
        static const char *const keys[] = {"rule", "noQuorum", NULL};
        adm_audit(c, b.org_id, "body.voting", "body", body_id, adm_fields(c, keys));
        VLOG_INFO(NULL, NULL, "body %lld: votes %s, without quorum %s (person %lld)",
                  (long long)body_id, veche_vote_rule_name(&rule), refuse ? "refuse" : "warn",
                  (long long)c->person);
    } else if (veche_store_vote_settings(st, body_id, &rule, &refuse) != 0) {
        return api_error(c, 500, "internal", "database error");
    }
    api_reply(c, 200, json_pack("{s:I, s:s, s:s}", "body", (json_int_t)body_id, "rule",
                                veche_vote_rule_name(&rule), "noQuorum",
                                refuse ? "refuse" : "warn"));
}

bool api_minutes(api_call *c, int64_t event_id)
{
    const char *m = c->req->method, *what = c->nsegs >= 3 ? c->segs[2] : "";
    bool get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
    if (c->nsegs == 3 && get &&
        (strcmp(what, "minutes") == 0 || strcmp(what, "minutes.html") == 0 ||
         strcmp(what, "votes.csv") == 0 || strcmp(what, "votes.json") == 0)) {
        show(c, event_id, what);
        return true;
    }
    if (strcmp(what, "minutes") != 0 || !post)
        return false;
    if (c->nsegs == 4 && strcmp(c->segs[3], "finalize") == 0) {
        finalize(c, event_id);
        return true;
    }
    int64_t item = c->nsegs == 5 ? api_id(c->segs[4]) : 0;
    if (item && strcmp(c->segs[3], "decisions") == 0) {
        decision(c, event_id, item);
        return true;
    }
    return false;
}
