/* store_votes.c - votes, ballots, decisions and finalized minutes in the
 * store (store_votes.h).  A secret vote's ballots are written as
 * per-option counts only; nothing here logs a choice. */
#include "store_votes.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "store_int.h"

int veche_vote_record_abstain(const veche_vote_record *v)
{
    return v->yes_no && v->n_options == 3 ? 2 : -1;
}

int veche_store_vote_settings(veche_store *s, int64_t body_id, veche_vote_rule *rule,
                              bool *refuse)
{
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT vote_rule, vote_no_quorum FROM body WHERE id = ?",
                          "i", body_id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        veche_vote_rule def = {VECHE_VOTE_HALF, VECHE_VOTE_BASE_CAST};
        if (veche_vote_rule_parse((const char *)sqlite3_column_text(st, 0), rule) != 0)
            *rule = def;
        const char *q = (const char *)sqlite3_column_text(st, 1);
        *refuse = !q || strcmp(q, "warn") != 0;
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_vote_set_settings(veche_store *s, int64_t body_id,
                                  const veche_vote_rule *rule, bool refuse)
{
    const char *name = rule ? veche_vote_rule_name(rule) : NULL;
    if (!name)
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE body SET vote_rule = ?, vote_no_quorum = ? WHERE id = ?",
                       "tti", name, refuse ? "refuse" : "warn", body_id);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

static char *options_json(const veche_vote_record *v)
{
    json_t *a = json_array();
    for (size_t i = 0; i < v->n_options; i++)
        json_array_append_new(a, json_string(v->options[i]));
    char *text = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return text;
}

static int open_rows(veche_store *s, const veche_vote_record *v, const veche_vote_voter *voters,
                     size_t n, int64_t *id)
{
    if (v->agenda_item_id) {
        int64_t ev = 0;
        int r = store_query_int(s, &ev, "SELECT event_id FROM agenda_item WHERE id = ?", "i",
                                v->agenda_item_id);
        if (r < 0 || ev != v->event_id)
            return r == 0 || r == VECHE_ENOTFOUND ? VECHE_EINVAL : r;
    }
    char *opts = options_json(v);
    if (!opts)
        return VECHE_ENOMEM;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
        "INSERT INTO vote (event_id, agenda_item_id, question, options, yes_no, kind, rule,"
        " state, opened_by, opened_at, members, entitled, quorum_open_present,"
        " quorum_open_voting, quorum_open_reached, no_quorum_warning)"
        " VALUES (?, nullif(?, 0), ?, ?, ?, ?, ?, 'open', nullif(?, 0), ?, ?, ?, ?, ?, ?, ?)",
        "iittbttiiiiiibb", v->event_id, v->agenda_item_id, v->question, opts, (int)v->yes_no,
        veche_vote_kind_name(v->kind), veche_vote_rule_name(&v->rule), v->opened_by,
        v->opened_at, (int64_t)v->members, (int64_t)n, (int64_t)v->quorum_open.present,
        (int64_t)v->quorum_open.voting, (int)v->quorum_open.reached,
        (int)v->no_quorum_warning);
    free(opts);
    if (r < 0 || (r = store_finish(s, st)) < 0)
        return r;
    *id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < n && r >= 0; i++)
        r = store_exec(s, "INSERT INTO vote_voter (vote_id, person_id, name, position)"
                          " VALUES (?, ?, ?, ?)", "iiti", *id, voters[i].person_id,
                       voters[i].name, (int64_t)i);
    for (size_t i = 0; v->kind == VECHE_VOTE_SECRET && i < v->n_options && r >= 0; i++)
        r = store_exec(s, "INSERT INTO vote_tally (vote_id, option) VALUES (?, ?)", "ii", *id,
                       (int64_t)i);
    return r < 0 ? r : 0;
}

int veche_store_vote_open(veche_store *s, const veche_vote_record *v,
                          const veche_vote_voter *voters, size_t n, int64_t *id)
{
    if (!s || !v || !id || (n && !voters) || v->n_options == 0 ||
        v->n_options > VECHE_VOTE_MAX_OPTIONS || !veche_vote_kind_name(v->kind) ||
        !veche_vote_rule_name(&v->rule) || store_check_text(v->question,
                                                             VECHE_VOTE_QUESTION_MAX) != 0)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    return store_end(s, open_rows(s, v, voters, n, id));
}

static int vote_state(veche_store *s, int64_t vote_id, bool *closed)
{
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT state = 'closed' FROM vote WHERE id = ?", "i",
                          vote_id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1)
        *closed = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return r == 1 ? 0 : r == 0 ? VECHE_ENOTFOUND : r;
}

static int cast_rows(veche_store *s, int64_t vote_id, veche_vote_kind kind, int64_t person_id,
                     int option, int previous)
{
    bool closed = false;
    int r = vote_state(s, vote_id, &closed);
    if (r < 0)
        return r;
    if (closed)
        return VECHE_ESTATE;
    r = store_exec(s, "UPDATE vote_voter SET voted = 1 WHERE vote_id = ? AND person_id = ?",
                   "ii", vote_id, person_id);
    if (r == 0)
        return VECHE_EDENIED;
    if (r < 0)
        return r;
    if (kind != VECHE_VOTE_SECRET)
        return store_exec(s, "INSERT OR REPLACE INTO vote_choice (vote_id, person_id, option)"
                             " VALUES (?, ?, ?)", "iii", vote_id, person_id, (int64_t)option);
    if (previous >= 0) {
        r = store_exec(s, "UPDATE vote_tally SET count = count - 1"
                          " WHERE vote_id = ? AND option = ? AND count > 0",
                       "ii", vote_id, (int64_t)previous);
        if (r <= 0)
            return r < 0 ? r : VECHE_EINVAL;
    }
    r = store_exec(s, "UPDATE vote_tally SET count = count + 1 WHERE vote_id = ? AND option = ?",
                   "ii", vote_id, (int64_t)option);
    return r < 0 ? r : r == 0 ? VECHE_EINVAL : 0;
}

int veche_store_vote_cast(veche_store *s, int64_t vote_id, veche_vote_kind kind,
                          int64_t person_id, int option, int previous)
{
    if (!s || option < 0 || option >= VECHE_VOTE_MAX_OPTIONS)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    r = cast_rows(s, vote_id, kind, person_id, option, previous);
    return store_end(s, r < 0 ? r : 0);
}

static void counts_text(const veche_vote_record *v, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < v->n_options && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%u", i ? "," : "", v->counts[i]);
}

int veche_store_vote_close(veche_store *s, const veche_vote_record *v)
{
    if (!s || !v)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    bool closed = false;
    r = vote_state(s, v->id, &closed);
    if (r == 0 && closed)
        r = VECHE_ESTATE;
    if (r == 0) {
        char counts[VECHE_VOTE_MAX_OPTIONS * 12];
        counts_text(v, counts, sizeof counts);
        r = store_exec(s, "UPDATE vote SET state = 'closed', closed_at = ?,"
                          " quorum_close_present = ?, quorum_close_voting = ?,"
                          " quorum_close_reached = ?, counts = ?, voted = ?, winner = ?,"
                          " adopted = ? WHERE id = ? AND state = 'open'",
                       "iiibtiibi", v->closed_at, (int64_t)v->quorum_close.present,
                       (int64_t)v->quorum_close.voting, (int)v->quorum_close.reached, counts,
                       (int64_t)v->voted, (int64_t)v->winner, (int)v->adopted, v->id);
    }
    r = store_end(s, r < 0 ? r : 0);
    if (r == 0 && v->kind == VECHE_VOTE_SECRET)  /* no earlier tally pages left in the WAL */
        sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    return r;
}

#define VOTE_COLUMNS                                                                 \
    "SELECT id, event_id, ifnull(agenda_item_id, 0), question, options, yes_no, kind," \
    " rule, state = 'closed', ifnull(opened_by, 0), opened_at, ifnull(closed_at, 0),"  \
    " members, entitled, quorum_open_present, quorum_open_voting, quorum_open_reached,"\
    " no_quorum_warning, ifnull(quorum_close_present, 0), ifnull(quorum_close_voting, 0),"\
    " ifnull(quorum_close_reached, 0), ifnull(counts, ''), ifnull(voted, 0),"         \
    " ifnull(winner, -1), ifnull(adopted, 0) FROM vote "

static void parse_options(const char *text, veche_vote_record *v)
{
    json_t *a = json_loads(text ? text : "[]", 0, NULL);
    v->n_options = 0;
    for (size_t i = 0; json_is_array(a) && i < json_array_size(a) &&
                       i < VECHE_VOTE_MAX_OPTIONS; i++) {
        const char *o = json_string_value(json_array_get(a, i));
        snprintf(v->options[v->n_options++], sizeof v->options[0], "%s", o ? o : "");
    }
    json_decref(a);
}

static void parse_counts(const char *text, veche_vote_record *v)
{
    char *end;
    for (size_t i = 0; i < v->n_options && text && *text; i++) {
        v->counts[i] = (unsigned)strtoul(text, &end, 10);
        text = *end == ',' ? end + 1 : end;
    }
}

static void read_vote(sqlite3_stmt *st, veche_vote_record *v)
{
    memset(v, 0, sizeof *v);
    v->id = sqlite3_column_int64(st, 0);
    v->event_id = sqlite3_column_int64(st, 1);
    v->agenda_item_id = sqlite3_column_int64(st, 2);
    store_column_text(st, 3, v->question, sizeof v->question);
    parse_options((const char *)sqlite3_column_text(st, 4), v);
    v->yes_no = sqlite3_column_int(st, 5) != 0;
    if (veche_vote_kind_parse((const char *)sqlite3_column_text(st, 6), &v->kind) != 0)
        v->kind = VECHE_VOTE_SECRET;  /* unreadable: treat as the most careful kind */
    veche_vote_rule_parse((const char *)sqlite3_column_text(st, 7), &v->rule);
    v->closed = sqlite3_column_int(st, 8) != 0;
    v->opened_by = sqlite3_column_int64(st, 9);
    v->opened_at = sqlite3_column_int64(st, 10);
    v->closed_at = sqlite3_column_int64(st, 11);
    v->members = (unsigned)sqlite3_column_int64(st, 12);
    v->entitled = (unsigned)sqlite3_column_int64(st, 13);
    v->quorum_open.ts_ms = v->opened_at;
    v->quorum_open.present = (unsigned)sqlite3_column_int64(st, 14);
    v->quorum_open.voting = (unsigned)sqlite3_column_int64(st, 15);
    v->quorum_open.reached = sqlite3_column_int(st, 16) != 0;
    v->no_quorum_warning = sqlite3_column_int(st, 17) != 0;
    v->quorum_close.ts_ms = v->closed_at;
    v->quorum_close.present = (unsigned)sqlite3_column_int64(st, 18);
    v->quorum_close.voting = (unsigned)sqlite3_column_int64(st, 19);
    v->quorum_close.reached = sqlite3_column_int(st, 20) != 0;
    parse_counts((const char *)sqlite3_column_text(st, 21), v);
    v->voted = (unsigned)sqlite3_column_int64(st, 22);
    v->winner = sqlite3_column_int(st, 23);
    v->adopted = sqlite3_column_int(st, 24) != 0;
}

int veche_store_vote_get(veche_store *s, int64_t id, veche_vote_record *out)
{
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, VOTE_COLUMNS "WHERE id = ?", "i", id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1)
        read_vote(st, out);
    sqlite3_finalize(st);
    return r == 1 ? 0 : r == 0 ? VECHE_ENOTFOUND : r;
}

int veche_store_vote_list(veche_store *s, int64_t event_id, veche_store_vote_cb cb, void *ud)
{
    sqlite3_stmt *st;
    int r = event_id > 0
        ? store_prepare(s, &st, VOTE_COLUMNS "WHERE event_id = ? ORDER BY id", "i", event_id)
        : store_prepare(s, &st, VOTE_COLUMNS "WHERE state = 'open' ORDER BY id", NULL);
    if (r < 0)
        return r;
    veche_vote_record *v = malloc(sizeof *v);
    if (!v) {
        sqlite3_finalize(st);
        return VECHE_ENOMEM;
    }
    while ((r = store_step(s, st)) == 1) {
        read_vote(st, v);
        if ((r = cb(ud, v)) != 0)
            break;
    }
    free(v);
    sqlite3_finalize(st);
    return r;
}

int veche_store_vote_voters(veche_store *s, int64_t vote_id, veche_store_voter_cb cb,
                            void *ud)
{
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
        "SELECT w.person_id, w.name, w.voted, ifnull(c.option, -1) FROM vote_voter w"
        " LEFT JOIN vote_choice c ON c.vote_id = w.vote_id AND c.person_id = w.person_id"
        " WHERE w.vote_id = ? ORDER BY w.position", "i", vote_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_vote_voter who = {.person_id = sqlite3_column_int64(st, 0)};
        store_column_text(st, 1, who.name, sizeof who.name);
        if ((r = cb(ud, &who, sqlite3_column_int(st, 2) != 0, sqlite3_column_int(st, 3))) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_vote_counts(veche_store *s, const veche_vote_record *v,
                            unsigned counts[VECHE_VOTE_MAX_OPTIONS])
{
    memset(counts, 0, sizeof(unsigned) * VECHE_VOTE_MAX_OPTIONS);
    sqlite3_stmt *st;
    int r = v->kind == VECHE_VOTE_SECRET
        ? store_prepare(s, &st, "SELECT option, count FROM vote_tally WHERE vote_id = ?", "i",
                        v->id)
        : store_prepare(s, &st, "SELECT option, count(*) FROM vote_choice WHERE vote_id = ?"
                                " GROUP BY option", "i", v->id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        int o = sqlite3_column_int(st, 0);
        if (o >= 0 && o < VECHE_VOTE_MAX_OPTIONS)
            counts[o] = (unsigned)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return r;
}

/* ---- work for the store thread ---- */

veche_vote_op *veche_vote_op_new(veche_vote_op_kind op)
{
    veche_vote_op *o = g_new0(veche_vote_op, 1);
    o->op = op;
    o->previous = -1;
    return o;
}

void veche_vote_op_free(veche_vote_op *op)
{
    if (!op)
        return;
    g_free(op->voters);
    if (op->restored)
        g_ptr_array_free(op->restored, TRUE);
    g_free(op);
}

static int op_open(veche_store *s, veche_vote_op *op)
{
    veche_vote_rule def;
    bool refuse = true;
    int r = veche_store_vote_settings(s, op->body_id, &def, &refuse);
    if (r < 0)
        return r;
    if (!op->rule_given)
        op->rec.rule = def;
    op->rec.no_quorum_warning = !op->rec.quorum_open.reached;
    if (!op->rec.quorum_open.reached && refuse)
        return VECHE_EPOLICY;
    veche_minutes_state m;
    if ((r = veche_store_minutes_state(s, op->rec.event_id, &m)) != 0)
        return r;
    if (m.finalized)
        return VECHE_ESTATE;
    veche_vote_voter *v = g_new0(veche_vote_voter, op->n_voters ? op->n_voters : 1);
    for (size_t i = 0; i < op->n_voters; i++)
        v[i] = op->voters[i].who;
    r = veche_store_vote_open(s, &op->rec, v, op->n_voters, &op->rec.id);
    g_free(v);
    return r;
}

static int add_ballot_state(void *ud, const veche_vote_voter *who, bool voted, int choice)
{
    GArray *a = ud;
    veche_vote_ballot_state b = {*who, voted, voted ? choice : -1};
    g_array_append_val(a, b);
    return 0;
}

static int add_restored(void *ud, const veche_vote_record *v)
{
    veche_vote_op *top = ud;
    veche_vote_op *o = veche_vote_op_new(VECHE_VOTE_OP_OPEN);
    o->rec = *v;
    g_ptr_array_add(top->restored, o);
    return 0;
}

static int op_restore(veche_store *s, veche_vote_op *op)
{
    op->restored = g_ptr_array_new_with_free_func((GDestroyNotify)veche_vote_op_free);
    int r = veche_store_vote_list(s, 0, add_restored, op);
    for (guint i = 0; r == 0 && i < op->restored->len; i++) {
        veche_vote_op *o = g_ptr_array_index(op->restored, i);
        GArray *a = g_array_new(FALSE, TRUE, sizeof(veche_vote_ballot_state));
        r = veche_store_vote_voters(s, o->rec.id, add_ballot_state, a);
        if (r == 0)
            r = veche_store_vote_counts(s, &o->rec, o->rec.counts);
        o->n_voters = a->len;
        o->voters = (veche_vote_ballot_state *)(void *)g_array_free(a, FALSE);
    }
    return r;
}

int veche_vote_op_run(veche_store *s, veche_vote_op *op)
{
    switch (op->op) {
    case VECHE_VOTE_OP_OPEN:
        return op_open(s, op);
    case VECHE_VOTE_OP_CAST:
        return veche_store_vote_cast(s, op->rec.id, op->rec.kind, op->person_id, op->option,
                                     op->previous);
    case VECHE_VOTE_OP_CLOSE:
        return veche_store_vote_close(s, &op->rec);
    case VECHE_VOTE_OP_RESTORE:
        return op_restore(s, op);
    }
    return VECHE_EINVAL;
}

/* ---- minutes ---- */

int veche_store_minutes_state(veche_store *s, int64_t event_id, veche_minutes_state *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT finalized_at, ifnull(finalized_by, 0), digest"
                                  " FROM minutes WHERE event_id = ?", "i", event_id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        out->finalized = true;
        out->finalized_at = sqlite3_column_int64(st, 0);
        out->finalized_by = sqlite3_column_int64(st, 1);
        store_column_text(st, 2, out->digest, sizeof out->digest);
    }
    sqlite3_finalize(st);
    return r < 0 ? r : 0;
}

int veche_store_minutes_finalize(veche_store *s, int64_t event_id, int64_t by,
                                 int64_t at, const char *digest)
{
    if (!digest || strlen(digest) != 64)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO minutes (event_id, finalized_at, finalized_by, digest)"
                          " VALUES (?, ?, nullif(?, 0), ?)", "iiit", event_id, at, by, digest);
    return r < 0 ? r : 0;
}

int veche_store_agenda_decision_set(veche_store *s, int64_t event_id, int64_t item_id,
                                    const char *text)
{
    veche_minutes_state m;
    int r = veche_store_minutes_state(s, event_id, &m);
    if (r < 0)
        return r;
    if (m.finalized)
        return VECHE_ESTATE;
    r = store_exec(s, "UPDATE agenda_item SET decision = ? WHERE id = ? AND event_id = ?",
                   "tii", text && *text ? text : NULL, item_id, event_id);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_agenda_list(veche_store *s, int64_t event_id, veche_store_agenda_cb cb,
                            void *ud)
{
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT id, position, title, ifnull(speaker, ''),"
                                  " ifnull(started_at, 0), ifnull(ended_at, 0), decision"
                                  " FROM agenda_item WHERE event_id = ? ORDER BY position, id",
                          "i", event_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_agenda_row a = {.id = sqlite3_column_int64(st, 0),
                              .position = sqlite3_column_int(st, 1),
                              .started_at = sqlite3_column_int64(st, 4),
                              .ended_at = sqlite3_column_int64(st, 5)};
        store_column_text(st, 2, a.title, sizeof a.title);
        store_column_text(st, 3, a.speaker, sizeof a.speaker);
        const char *d = (const char *)sqlite3_column_text(st, 6);
        a.decision = d ? strdup(d) : NULL;
        r = cb(ud, &a);
        free(a.decision);
        if (r != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}
