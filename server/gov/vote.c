/* vote.c - the votes of live meetings on the main thread (vote.h).
 *
 * Per event:   (none) --open--> OPENING --stored--> OPEN --close--> CLOSING
 *                                  |refused                           |stored
 *                                  v                                  v
 *                               (none/last closed)                 CLOSED
 * A ballot changes the box at once (so the next one sees it) and is
 * acknowledged when the store has it; a failed write is undone.  The
 * voter's own connections hear of it at once; everyone else gets the new
 * count from a timer, at most once per VECHE_VOTES_PROGRESS_MS. */
#include "vote.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"

typedef struct {
    int64_t event_id;
    veche_vote_record rec;        /* the open vote, or the last closed */
    veche_vote_box *box;          /* NULL while opening the first */
    veche_vote_outcome outcome;   /* closed */
    bool has_rec;                 /* rec/box describe a vote */
    bool opening, closing;
    GSource *progress;            /* armed: a count is due to everyone */
    veche_votes *owner;
} vote_entry;

struct veche_votes {
    veche_storeq *q;              /* borrowed */
    veche_roll *roll;             /* borrowed */
    GMainContext *ctx;            /* borrowed */
    veche_votes_notify_fn notify;
    void *ud;
    GHashTable *events;           /* int64 event id -> vote_entry*, owned */
};

typedef struct {
    veche_votes *v;
    int64_t event_id, person_id;
    int previous;
    veche_votes_reply_fn reply;
    void *ud;
    void (*ud_free)(void *);
} pending;

static void entry_free(gpointer p)
{
    vote_entry *e = p;
    if (e->progress) {
        g_source_destroy(e->progress);
        g_source_unref(e->progress);
    }
    veche_vote_box_free(e->box);
    g_free(e);
}

veche_votes *veche_votes_new(veche_storeq *q, veche_roll *roll, GMainContext *ctx,
                             veche_votes_notify_fn notify, void *ud)
{
    veche_votes *v = g_new0(veche_votes, 1);
    v->q = q;
    v->roll = roll;
    v->ctx = ctx;
    v->notify = notify;
    v->ud = ud;
    v->events = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, entry_free);
    return v;
}

void veche_votes_free(veche_votes *v)
{
    if (!v)
        return;
    g_hash_table_destroy(v->events);
    g_free(v);
}

bool veche_votes_may_chair(veche_access_role r)
{
    return r == VECHE_ACCESS_CHAIR || r == VECHE_ACCESS_ORG_ADMIN ||
           r == VECHE_ACCESS_PLATFORM_ADMIN;
}

bool veche_votes_sees_waiting(veche_access_role r)
{
    return veche_votes_may_chair(r) || r == VECHE_ACCESS_SECRETARY;
}

static vote_entry *entry(veche_votes *v, int64_t event_id, bool create)
{
    vote_entry *e = g_hash_table_lookup(v->events, &event_id);
    if (!e && create) {
        e = g_new0(vote_entry, 1);
        e->event_id = event_id;
        e->owner = v;
        g_hash_table_insert(v->events, &e->event_id, e);
    }
    return e;
}

static void notify(veche_votes *v, int64_t event_id, veche_votes_change what,
                   int64_t person_id)
{
    if (v->notify)
        v->notify(v->ud, event_id, what, person_id);
}

static void progress_stop(vote_entry *e)
{
    if (!e->progress)
        return;
    g_source_destroy(e->progress);
    g_source_unref(e->progress);
    e->progress = NULL;
}

static gboolean on_progress(gpointer ud)
{
    vote_entry *e = ud;
    g_source_unref(e->progress);
    e->progress = NULL;
    notify(e->owner, e->event_id, VECHE_VOTES_PROGRESS, 0);
    return G_SOURCE_REMOVE;
}

/* A ballot changed the count: everyone hears of it within
 * VECHE_VOTES_PROGRESS_MS, once for all the ballots of that time. */
static void progress_arm(vote_entry *e)
{
    if (e->progress)
        return;
    e->progress = g_timeout_source_new(VECHE_VOTES_PROGRESS_MS);
    g_source_set_callback(e->progress, on_progress, e, NULL);
    g_source_attach(e->progress, e->owner->ctx);
}

static void fail(veche_votes_reply_fn reply, void *ud, void (*ud_free)(void *),
                 const char *code, const char *reason)
{
    reply(ud, NULL, code, reason);
    if (ud_free)
        ud_free(ud);
}

static pending *pending_new(veche_votes *v, const veche_votes_who *who,
                            veche_votes_reply_fn reply, void *ud, void (*ud_free)(void *))
{
    pending *p = g_new0(pending, 1);
    p->v = v;
    p->event_id = who->event_id;
    p->person_id = who->person_id;
    p->previous = -1;
    p->reply = reply;
    p->ud = ud;
    p->ud_free = ud_free;
    return p;
}

static void pending_free(gpointer data)
{
    pending *p = data;
    if (p->ud_free)
        p->ud_free(p->ud);
    g_free(p);
}

static void submit(veche_votes *v, veche_vote_op *op, veche_storeq_done_fn done, pending *p)
{
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_VOTE);
    req->vote = op;
    veche_storeq_submit(v->q, req, done, p, pending_free);
}

static json_t *quorum_json(const veche_quorum_change *q)
{
    return json_pack("{s:I, s:I, s:b}", "present", (json_int_t)q->present, "voting",
                     (json_int_t)q->voting, "reached", q->reached);
}

static const char *result_name(const veche_vote_record *r)
{
    if (r->yes_no)
        return r->adopted ? "adopted" : "rejected";
    return r->winner >= 0 ? "chosen" : "none";
}

/* ---- open ---- */

static void opened(void *ud, veche_storeq_req *req)
{
    pending *p = ud;
    veche_votes *v = p->v;
    vote_entry *e = entry(v, p->event_id, false);
    veche_vote_op *op = req->vote;
    if (e)
        e->opening = false;
    if (req->rc != 0 || !e) {
        const char *code = req->rc == VECHE_EPOLICY ? "no-quorum"
                         : req->rc == VECHE_EEXISTS ? "vote-open"
                         : req->rc == VECHE_ESTATE ? "minutes-final"
                         : req->rc == VECHE_EINVAL ? "bad-request" : "store-failed";
        const char *reason = req->rc == VECHE_EPOLICY
            ? "the meeting has no quorum and the body refuses votes without one"
            : req->rc == VECHE_EEXISTS ? "a vote is already open in this event"
            : req->rc == VECHE_ESTATE ? "the minutes of this event are finalized"
            : req->rc == VECHE_EINVAL ? "the agenda item is not one of this event's"
            : "the vote could not be stored";
        p->reply(p->ud, NULL, code, reason);
        return;
    }
    veche_vote_voter *voters = g_new0(veche_vote_voter, op->n_voters ? op->n_voters : 1);
    for (size_t i = 0; i < op->n_voters; i++)
        voters[i] = op->voters[i].who;
    veche_vote_box *box = veche_vote_box_new(op->rec.kind, op->rec.n_options, voters,
                                             op->n_voters);
    g_free(voters);
    if (!box) {
        p->reply(p->ud, NULL, "store-failed", "out of memory");
        return;
    }
    veche_vote_box_free(e->box);
    e->box = box;
    e->rec = op->rec;
    e->has_rec = true;
    memset(&e->outcome, 0, sizeof e->outcome);
    VLOG_INFO(NULL, NULL, "event %lld: vote %lld opened (%s, %s), %zu entitled, quorum %s%s",
              (long long)e->event_id, (long long)e->rec.id, veche_vote_kind_name(e->rec.kind),
              veche_vote_rule_name(&e->rec.rule), op->n_voters,
              e->rec.quorum_open.reached ? "reached" : "not reached",
              e->rec.no_quorum_warning ? " (warned)" : "");
    json_t *r = json_pack("{s:s, s:I, s:b}", "type", "vote-opened", "vote",
                          (json_int_t)e->rec.id, "noQuorum", e->rec.no_quorum_warning);
    p->reply(p->ud, r, NULL, NULL);
    notify(v, e->event_id, VECHE_VOTES_STATE, 0);
}

void veche_votes_open(veche_votes *v, const veche_votes_who *who,
                      const veche_votes_open_req *rq, veche_votes_reply_fn reply, void *ud,
                      void (*ud_free)(void *))
{
    if (!who->event_id || !who->meeting)
        return fail(reply, ud, ud_free, "not-in-meeting", "votes are held in a meeting's room");
    if (!veche_votes_may_chair(who->access))
        return fail(reply, ud, ud_free, "forbidden", "only the chair opens a vote");
    vote_entry *e = entry(v, who->event_id, true);
    if (e->opening || (e->has_rec && !e->rec.closed))
        return fail(reply, ud, ud_free, "vote-open", "a vote is already open in this event");
    veche_roll_quorum q;
    GArray *voters = g_array_new(FALSE, TRUE, sizeof(veche_vote_voter));
    if (veche_roll_quorum_now(v->roll, who->event_id, &q) != 0 ||
        veche_roll_voters(v->roll, who->event_id, voters) != 0) {
        g_array_free(voters, TRUE);
        return fail(reply, ud, ud_free, "not-in-meeting", "the meeting is not under way");
    }
    veche_vote_op *op = veche_vote_op_new(VECHE_VOTE_OP_OPEN);
    veche_vote_record *r = &op->rec;
    r->event_id = who->event_id;
    r->agenda_item_id = rq->agenda_item;
    g_strlcpy(r->question, rq->question, sizeof r->question);
    if (rq->n_options == 0) {
        static const char *const yes_no[] = {"for", "against", "abstain"};
        for (size_t i = 0; i < 3; i++)
            g_strlcpy(r->options[i], yes_no[i], sizeof r->options[i]);
        r->n_options = 3;
        r->yes_no = true;
    } else {
        memcpy(r->options, rq->options, sizeof r->options);
        r->n_options = rq->n_options;
    }
    r->kind = rq->kind;
    r->rule = rq->rule;
    op->rule_given = rq->rule_given;
    r->opened_by = who->person_id;
    r->opened_at = g_get_real_time() / 1000;
    r->members = q.voting;
    r->quorum_open = (veche_quorum_change){r->opened_at, q.reached, q.present, q.voting};
    op->n_voters = voters->len;
    r->entitled = voters->len;
    op->voters = g_new0(veche_vote_ballot_state, voters->len ? voters->len : 1);
    for (guint i = 0; i < voters->len; i++)
        op->voters[i].who = g_array_index(voters, veche_vote_voter, i);
    g_array_free(voters, TRUE);
    op->body_id = veche_roll_body_id(v->roll, who->event_id);  /* its settings: store thread */
    e->opening = true;
    pending *p = pending_new(v, who, reply, ud, ud_free);
    submit(v, op, opened, p);
}

/* ---- cast ---- */

static void cast_stored(void *ud, veche_storeq_req *req)
{
    pending *p = ud;
    vote_entry *e = entry(p->v, p->event_id, false);
    if (req->rc != 0) {
        if (e && e->box && e->rec.id == req->vote->rec.id)
            veche_vote_box_undo(e->box, p->person_id, p->previous);
        VLOG_ERROR(NULL, NULL, "event %lld: vote %lld: a ballot could not be stored (%s)",
                   (long long)p->event_id, (long long)req->vote->rec.id,
                   veche_errname(req->rc));
        p->reply(p->ud, NULL, "store-failed", "the ballot could not be stored; vote again");
        return;
    }
    json_t *r = json_pack("{s:s, s:I, s:i}", "type", "vote-recorded", "vote",
                          (json_int_t)req->vote->rec.id, "option", req->vote->option);
    p->reply(p->ud, r, NULL, NULL);
    notify(p->v, p->event_id, VECHE_VOTES_BALLOT, p->person_id);
    if (e && e->box && e->rec.id == req->vote->rec.id && !e->rec.closed)
        progress_arm(e);
}

void veche_votes_cast(veche_votes *v, const veche_votes_who *who, int64_t vote_id, int option,
                      veche_votes_reply_fn reply, void *ud, void (*ud_free)(void *))
{
    vote_entry *e = who->event_id ? entry(v, who->event_id, false) : NULL;
    if (!e || !e->has_rec || e->rec.id != vote_id)
        return fail(reply, ud, ud_free, "no-vote", "no such vote in this event");
    if (e->rec.closed || e->closing)
        return fail(reply, ud, ud_free, "vote-closed", "the vote is closed");
    int previous = -1;
    int rc = veche_vote_box_cast(e->box, who->person_id, option, &previous);
    if (rc == VECHE_EDENIED)
        return fail(reply, ud, ud_free, "not-entitled",
                    "only voting members present when the vote opened may vote");
    if (rc == VECHE_EINVAL)
        return fail(reply, ud, ud_free, "bad-option", "no such option");
    if (rc == VECHE_ESTATE)
        return fail(reply, ud, ud_free, "ballot-sealed",
                    "a secret ballot cast before the server restarted cannot be changed");
    if (rc == 2) {
        reply(ud, json_pack("{s:s, s:I, s:i}", "type", "vote-recorded", "vote",
                            (json_int_t)vote_id, "option", option), NULL, NULL);
        if (ud_free)
            ud_free(ud);
        return;
    }
    veche_vote_op *op = veche_vote_op_new(VECHE_VOTE_OP_CAST);
    op->rec.id = vote_id;
    op->rec.kind = e->rec.kind;
    op->person_id = who->person_id;
    op->option = option;
    op->previous = rc == 1 ? previous : -1;
    pending *p = pending_new(v, who, reply, ud, ud_free);
    p->previous = op->previous;
    VLOG_INFO(NULL, NULL, "event %lld: vote %lld: a ballot (%u of %zu voted)",
              (long long)e->event_id, (long long)vote_id, veche_vote_box_voted(e->box),
              veche_vote_box_voters(e->box));
    submit(v, op, cast_stored, p);
}

/* ---- close ---- */

static void closed(void *ud, veche_storeq_req *req)
{
    pending *p = ud;
    vote_entry *e = entry(p->v, p->event_id, false);
    if (!e || e->rec.id != req->vote->rec.id)
        return p->reply(p->ud, NULL, "no-vote", "no such vote in this event");
    e->closing = false;
    if (req->rc != 0) {
        p->reply(p->ud, NULL, "store-failed", "the vote could not be closed; try again");
        return;
    }
    e->rec = req->vote->rec;
    e->rec.closed = true;
    veche_vote_box_close(e->box);
    VLOG_INFO(NULL, NULL, "event %lld: vote %lld closed: %u of %u voted, %s",
              (long long)e->event_id, (long long)e->rec.id, e->rec.voted, e->rec.entitled,
              result_name(&e->rec));
    p->reply(p->ud, json_pack("{s:s, s:I}", "type", "vote-closed", "vote",
                              (json_int_t)e->rec.id), NULL, NULL);
    progress_stop(e);  /* the `vote` below has the final count */
    notify(p->v, e->event_id, VECHE_VOTES_STATE, 0);
}

void veche_votes_close(veche_votes *v, const veche_votes_who *who, int64_t vote_id,
                       veche_votes_reply_fn reply, void *ud, void (*ud_free)(void *))
{
    if (!veche_votes_may_chair(who->access))
        return fail(reply, ud, ud_free, "forbidden", "only the chair closes a vote");
    vote_entry *e = who->event_id ? entry(v, who->event_id, false) : NULL;
    if (!e || !e->has_rec || e->rec.id != vote_id)
        return fail(reply, ud, ud_free, "no-vote", "no such vote in this event");
    if (e->rec.closed || e->closing)
        return fail(reply, ud, ud_free, "vote-closed", "the vote is closed");
    veche_vote_op *op = veche_vote_op_new(VECHE_VOTE_OP_CLOSE);
    veche_vote_record *r = &op->rec;
    *r = e->rec;
    for (size_t i = 0; i < r->n_options; i++)
        r->counts[i] = veche_vote_box_count(e->box, (int)i);
    r->voted = veche_vote_box_voted(e->box);
    veche_vote_outcome o;
    veche_vote_decide(&r->rule, r->counts, r->n_options, veche_vote_record_abstain(r),
                      r->yes_no, r->entitled, r->members, &o);
    r->winner = o.winner;
    r->adopted = o.adopted;
    r->closed_at = g_get_real_time() / 1000;
    veche_roll_quorum q;
    if (veche_roll_quorum_now(v->roll, e->event_id, &q) == 0)
        r->quorum_close = (veche_quorum_change){r->closed_at, q.reached, q.present, q.voting};
    else
        r->quorum_close = (veche_quorum_change){r->closed_at, false, 0, r->members};
    e->closing = true;
    submit(v, op, closed, pending_new(v, who, reply, ud, ud_free));
}

/* ---- restore ---- */

int veche_votes_restore(veche_votes *v)
{
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_VOTE);
    req->vote = veche_vote_op_new(VECHE_VOTE_OP_RESTORE);
    veche_storeq_call(v->q, req);
    int rc = req->rc;
    for (guint i = 0; rc == 0 && i < req->vote->restored->len; i++) {
        veche_vote_op *o = g_ptr_array_index(req->vote->restored, i);
        veche_vote_voter *voters = g_new0(veche_vote_voter, o->n_voters ? o->n_voters : 1);
        for (size_t j = 0; j < o->n_voters; j++)
            voters[j] = o->voters[j].who;
        veche_vote_box *box = veche_vote_box_new(o->rec.kind, o->rec.n_options, voters,
                                                 o->n_voters);
        g_free(voters);
        if (!box)
            continue;
        for (size_t j = 0; j < o->n_voters; j++)
            if (o->voters[j].voted)
                veche_vote_box_restore(box, o->voters[j].who.person_id,
                                       o->rec.kind == VECHE_VOTE_SECRET ? -1 : o->voters[j].choice);
        for (size_t j = 0; j < o->rec.n_options; j++)
            veche_vote_box_set_count(box, (int)j, o->rec.counts[j]);
        vote_entry *e = entry(v, o->rec.event_id, true);
        veche_vote_box_free(e->box);
        e->box = box;
        e->rec = o->rec;
        e->has_rec = true;
        VLOG_INFO(NULL, NULL, "event %lld: vote %lld restored open, %u of %zu voted",
                  (long long)e->event_id, (long long)e->rec.id, veche_vote_box_voted(box),
                  veche_vote_box_voters(box));
    }
    int n = rc == 0 ? (int)req->vote->restored->len : rc;
    veche_storeq_req_free(req);
    return n;
}

/* ---- the message ---- */

/* The roll-call of a closed named vote: [{person, name, voted, option}],
 * sent once at the close (and to those who join after it). */
static json_t *roll_call_json(const vote_entry *e)
{
    json_t *voters = json_array();
    for (size_t i = 0; i < veche_vote_box_voters(e->box); i++) {
        const veche_vote_voter *w = veche_vote_box_voter(e->box, i);
        int c = veche_vote_box_choice(e->box, w->person_id);
        json_array_append_new(voters, json_pack("{s:I, s:s, s:b, s:o}", "person",
            (json_int_t)w->person_id, "name", w->name, "voted",
            veche_vote_box_has_voted(e->box, w->person_id), "option",
            c >= 0 ? json_integer(c) : json_null()));
    }
    return voters;
}

/* The vote without its list of voters (the list is what made a `vote`
 * message grow with the room: v2 leaves it out). */
static json_t *vote_json(const vote_entry *e)
{
    const veche_vote_record *r = &e->rec;
    json_t *opts = json_array();
    for (size_t i = 0; i < r->n_options; i++)
        json_array_append_new(opts, json_string(r->options[i]));
    json_t *j = json_pack("{s:I, s:I, s:o, s:s, s:o, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:o,"
                          " s:b}",
        "id", (json_int_t)r->id, "event", (json_int_t)r->event_id, "agendaItem",
        r->agenda_item_id ? json_integer(r->agenda_item_id) : json_null(), "question",
        r->question, "options", opts, "defaultOptions", r->yes_no, "kind",
        veche_vote_kind_name(r->kind), "rule", veche_vote_rule_name(&r->rule), "state",
        r->closed ? "closed" : "open", "entitled", (json_int_t)veche_vote_box_voters(e->box),
        "voted", (json_int_t)veche_vote_box_voted(e->box), "openedAt", (json_int_t)r->opened_at,
        "quorumAtOpening", quorum_json(&r->quorum_open), "noQuorum", r->no_quorum_warning);
    if (r->closed) {
        json_t *counts = json_array();
        for (size_t i = 0; i < r->n_options; i++)
            json_array_append_new(counts, json_integer(r->counts[i]));
        veche_vote_outcome o;
        veche_vote_decide(&r->rule, r->counts, r->n_options, veche_vote_record_abstain(r),
                          r->yes_no, r->entitled, r->members, &o);
        json_object_set_new(j, "counts", counts);
        json_object_set_new(j, "closedAt", json_integer(r->closed_at));
        json_object_set_new(j, "cast", json_integer(o.cast));
        json_object_set_new(j, "base", json_integer(o.base));
        json_object_set_new(j, "needed", json_integer(o.needed));
        json_object_set_new(j, "winner", r->winner >= 0 ? json_integer(r->winner) : json_null());
        json_object_set_new(j, "adopted", json_boolean(r->adopted));
        json_object_set_new(j, "result", json_string(result_name(r)));
        json_object_set_new(j, "quorumAtClosing", quorum_json(&r->quorum_close));
        if (r->kind == VECHE_VOTE_NAMED)
            json_object_set_new(j, "voters", roll_call_json(e));
    }
    return j;
}

json_t *veche_votes_state_json(const veche_votes *v, int64_t event_id)
{
    const vote_entry *e = g_hash_table_lookup(v->events, &event_id);
    return e && e->has_rec && e->box ? vote_json(e) : NULL;
}

json_t *veche_votes_msg_with(const veche_votes *v, int64_t event_id, int64_t person_id,
                             json_t *state)
{
    const vote_entry *e = g_hash_table_lookup(v->events, &event_id);
    if (!state || !e || !e->box)
        return NULL;
    int choice = veche_vote_box_choice(e->box, person_id);
    json_t *you = json_pack("{s:b, s:b, s:o}", "entitled",
                            veche_vote_box_entitled(e->box, person_id), "voted",
                            veche_vote_box_has_voted(e->box, person_id), "choice",
                            choice >= 0 ? json_integer(choice) : json_null());
    return json_pack("{s:s, s:O, s:o}", "type", "vote", "vote", state, "you", you);
}

json_t *veche_votes_msg(const veche_votes *v, int64_t event_id, int64_t person_id)
{
    json_t *state = veche_votes_state_json(v, event_id);
    json_t *msg = veche_votes_msg_with(v, event_id, person_id, state);
    json_decref(state);
    return msg;
}

json_t *veche_votes_progress_msg(const veche_votes *v, int64_t event_id)
{
    const vote_entry *e = g_hash_table_lookup(v->events, &event_id);
    if (!e || !e->has_rec || !e->box || e->rec.closed)
        return NULL;
    return json_pack("{s:s, s:I, s:I, s:I}", "type", "vote-progress", "vote",
                     (json_int_t)e->rec.id, "entitled", (json_int_t)veche_vote_box_voters(e->box),
                     "voted", (json_int_t)veche_vote_box_voted(e->box));
}

json_t *veche_votes_progress_waiting_msg(const veche_votes *v, int64_t event_id,
                                         json_t *progress)
{
    const vote_entry *e = g_hash_table_lookup(v->events, &event_id);
    if (!progress || !e || !e->has_rec || !e->box || e->rec.closed)
        return NULL;
    json_t *waiting = json_array();
    for (size_t i = 0; i < veche_vote_box_voters(e->box); i++) {
        const veche_vote_voter *w = veche_vote_box_voter(e->box, i);
        if (!veche_vote_box_has_voted(e->box, w->person_id))
            json_array_append_new(waiting, json_pack("{s:I, s:s}", "person",
                                                     (json_int_t)w->person_id, "name", w->name));
    }
    json_t *msg = json_copy(progress);
    json_object_set_new(msg, "waiting", waiting);
    return msg;
}
