/* minutes.c - the minutes' content from the records, its digest and its
 * verification (minutes.h).  Times are unix milliseconds in the content
 * (the agenda's as agenda_item stores them). */
#include "minutes.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "report.h"

static json_t *people_json(const veche_report *r, bool *have, int which)
{
    /* which: 0 present (roster, came), 1 absent (roster, did not come),
     * 2 invited (guests and others not on a body role) */
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_rows; i++) {
        const veche_report_row *p = &r->rows[i];
        bool invited = p->role == VECHE_ACCESS_GUEST || !p->on_roster;
        bool came = p->first_join_ms != 0;
        int kind = invited ? 2 : came ? 0 : 1;
        if (kind != which)
            continue;
        json_t *o = json_pack("{s:I, s:s, s:s, s:b}", "person", (json_int_t)p->person_id, "name",
                              p->name, "role", veche_access_role_name(p->role), "voting",
                              p->voting);
        if (came) {
            json_object_set_new(o, "firstJoin", json_integer(p->first_join_ms));
            json_object_set_new(o, "lastLeave", json_integer(p->last_leave_ms));
        }
        json_array_append_new(a, o);
        *have = true;
    }
    return a;
}

static json_t *quorum_json(const veche_quorum_change *q)
{
    return json_pack("{s:I, s:b, s:I, s:I}", "at", (json_int_t)q->ts_ms, "reached", q->reached,
                     "present", (json_int_t)q->present, "voting", (json_int_t)q->voting);
}

static int agenda_cb(void *ud, const veche_agenda_row *a)
{
    json_t *o = json_pack("{s:I, s:i, s:s, s:s, s:I, s:I, s:s?}", "id", (json_int_t)a->id,
                          "position", a->position, "title", a->title, "speaker", a->speaker,
                          "startedAt", (json_int_t)a->started_at, "endedAt",
                          (json_int_t)a->ended_at, "decision", a->decision);
    json_array_append_new(ud, o);
    return 0;
}

typedef struct {
    veche_store *st;
    json_t *list;
} votes_ctx;

static int ballot_cb(void *ud, const veche_vote_voter *who, bool voted, int choice)
{
    json_array_append_new(ud, json_pack("{s:I, s:s, s:b, s:o}", "person",
                                        (json_int_t)who->person_id, "name", who->name,
                                        "voted", voted, "option",
                                        voted && choice >= 0 ? json_integer(choice)
                                                             : json_null()));
    return 0;
}

static const char *result_name(const veche_vote_record *v)
{
    if (!v->closed)
        return "open";
    if (v->yes_no)
        return v->adopted ? "adopted" : "rejected";
    return v->winner >= 0 ? "chosen" : "none";
}

static int vote_cb(void *ud, const veche_vote_record *v)
{
    votes_ctx *c = ud;
    json_t *opts = json_array(), *counts = json_array();
    for (size_t i = 0; i < v->n_options; i++) {
        json_array_append_new(opts, json_string(v->options[i]));
        json_array_append_new(counts, json_integer(v->counts[i]));
    }
    json_t *o = json_pack("{s:I, s:o, s:s, s:o, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:b,"
                          " s:o, s:o, s:o, s:I, s:o, s:b, s:s}",
        "id", (json_int_t)v->id, "agendaItem",
        v->agenda_item_id ? json_integer(v->agenda_item_id) : json_null(), "question",
        v->question, "options", opts, "defaultOptions", v->yes_no, "kind",
        veche_vote_kind_name(v->kind), "rule", veche_vote_rule_name(&v->rule), "state",
        v->closed ? "closed" : "open", "openedAt", (json_int_t)v->opened_at, "closedAt",
        (json_int_t)v->closed_at, "entitled", (json_int_t)v->entitled, "members",
        (json_int_t)v->members, "noQuorum", v->no_quorum_warning, "quorumAtOpening",
        quorum_json(&v->quorum_open), "quorumAtClosing",
        v->closed ? quorum_json(&v->quorum_close) : json_null(), "counts", counts, "voted",
        (json_int_t)v->voted, "winner", v->winner >= 0 ? json_integer(v->winner) : json_null(),
        "adopted", v->adopted, "result", result_name(v));
    if (v->kind == VECHE_VOTE_NAMED) {
        json_t *ballots = json_array();
        int rc = veche_store_vote_voters(c->st, v->id, ballot_cb, ballots);
        json_object_set_new(o, "ballots", ballots);
        if (rc != 0) {
            json_decref(o);
            return rc;
        }
    }
    json_array_append_new(c->list, o);
    return 0;
}

static json_t *event_json(veche_store *st, const veche_report *r)
{
    const veche_event *ev = &r->event;
    json_t *o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:s}", "id", (json_int_t)ev->id, "title",
                          ev->title, "kind", veche_room_kind_name(ev->room_kind), "startsAt",
                          (json_int_t)ev->starts_at * 1000, "endsAt",
                          (json_int_t)ev->ends_at * 1000, "quorumRule", r->rule);
    veche_body b;
    if (ev->body_id && veche_store_body_get(st, ev->body_id, &b) == 0) {
        json_object_set_new(o, "body", json_string(b.name));
        veche_org org;
        if (veche_store_org_get(st, b.org_id, &org) == 0)
            json_object_set_new(o, "organization", json_string(org.name));
    }
    return o;
}

int veche_minutes_content(veche_store *st, int64_t event_id, int64_t grace_ms, json_t **out)
{
    veche_report *r = NULL;
    int rc = veche_report_build(st, NULL, event_id, grace_ms, 0, &r);
    if (rc != 0)
        return rc;
    bool any = false;
    json_t *log = json_array();
    for (size_t i = 0; i < r->n_log; i++)
        json_array_append_new(log, quorum_json(&r->log[i]));
    json_t *c = json_pack("{s:o, s:o, s:o, s:o, s:o}", "event", event_json(st, r), "present",
                          people_json(r, &any, 0), "absent", people_json(r, &any, 1), "invited",
                          people_json(r, &any, 2), "quorumLog", log);
    veche_report_free(r);
    json_t *agenda = json_array();
    rc = veche_store_agenda_list(st, event_id, agenda_cb, agenda);
    json_object_set_new(c, "agenda", agenda);
    votes_ctx vc = {st, json_array()};
    if (rc == 0)
        rc = veche_store_vote_list(st, event_id, vote_cb, &vc);
    json_object_set_new(c, "votes", vc.list);
    if (rc != 0) {
        json_decref(c);
        return rc;
    }
    *out = c;
    return 0;
}

static void sha256_of(const json_t *j, char out[65])
{
    char *text = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
    gchar *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text ? text : "", -1);
    g_strlcpy(out, hex, 65);
    g_free(hex);
    free(text);
}

/* Drop key from each object of the array content[list] (c is a copy). */
static void drop_member(json_t *c, const char *list, const char *key)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(c, list), i, o)
        json_object_del(o, key);
}

json_t *veche_minutes_digest_form(const json_t *content)
{
    json_t *c = json_deep_copy(content);
    if (!c)
        return NULL;
    json_object_set_new(c, "digestFormat", json_integer(2));
    drop_member(c, "present", "name");
    drop_member(c, "absent", "name");
    drop_member(c, "invited", "name");
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(c, "agenda"), i, o) {
        /* the rapporteur is free text, maybe a person's name: only
         * whether one was named */
        const char *sp = json_string_value(json_object_get(o, "speaker"));
        json_object_set_new(o, "speaker", json_boolean(sp && *sp));
    }
    json_array_foreach(json_object_get(c, "votes"), i, o) {
        size_t k;
        json_t *b;
        json_array_foreach(json_object_get(o, "ballots"), k, b)
            json_object_del(b, "name");
    }
    return c;
}

void veche_minutes_digest(const json_t *content, char out[65])
{
    json_t *form = veche_minutes_digest_form(content);
    sha256_of(form ? form : json_null(), out);
    json_decref(form);
}

/* Format 1 (before names left the digest): the whole content without the
 * ballots' person ids, which it did not have.  Minutes finalized then
 * still verify, until a person named in them is erased. */
static void digest_v1(const json_t *content, char out[65])
{
    json_t *c = json_deep_copy(content);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(c, "votes"), i, o) {
        size_t k;
        json_t *b;
        json_array_foreach(json_object_get(o, "ballots"), k, b)
            json_object_del(b, "person");
    }
    sha256_of(c ? c : json_null(), out);
    json_decref(c);
}

int veche_minutes_verify(veche_store *st, int64_t event_id, int64_t grace_ms,
                         char computed[65], char stored[65])
{
    veche_minutes_state m;
    int rc = veche_store_minutes_state(st, event_id, &m);
    if (rc != 0)
        return rc;
    if (!m.finalized)
        return VECHE_ESTATE;
    json_t *c = NULL;
    if ((rc = veche_minutes_content(st, event_id, grace_ms, &c)) != 0)
        return rc;
    veche_minutes_digest(c, computed);
    g_strlcpy(stored, m.digest, 65);
    if (strcmp(computed, stored) != 0) {
        char old[65];
        digest_v1(c, old);
        if (strcmp(old, stored) == 0)
            g_strlcpy(computed, old, 65);
    }
    json_decref(c);
    return strcmp(computed, stored) == 0 ? 0 : VECHE_EBADSIG;
}
