/* store_votes.h - votes and the finalized minutes in the store (schema v4,
 * docs/data-model.md, docs/voting.md).
 *
 * A vote row holds the question, options, kind, rule, the snapshot's size,
 * the quorum at opening and, once closed, the counts, the result and the
 * quorum at closing.  vote_voter is the snapshot (names as they were) and
 * who has voted.  An open or named vote's ballots are in vote_choice (who
 * voted how); a secret vote's are per-option counts in vote_tally, with
 * nothing that links them to vote_voter (no voter, no sequence, no time):
 * a cast updates the voter's flag and the option's count in one
 * transaction.  After a secret vote closes the WAL is checkpointed and
 * truncated, so the file holds no earlier page versions of the tally.
 * Triggers make a closed vote and its ballots, and finalized minutes and
 * their event's decisions, immutable.
 *
 * All functions run on the thread that owns the store (the store thread
 * for the server, vechectl's own); they are one transaction each.
 */
#ifndef VECHE_STORE_VOTES_H
#define VECHE_STORE_VOTES_H

#include <stdbool.h>
#include <glib.h>
#include <stdint.h>

#include "quorum.h"
#include "store.h"
#include "vote_rule.h"

typedef struct {
    int64_t id;
    int64_t event_id;
    int64_t agenda_item_id;       /* 0: none */
    char question[VECHE_VOTE_QUESTION_MAX + 1];
    char options[VECHE_VOTE_MAX_OPTIONS][VECHE_VOTE_OPTION_MAX + 1];
    size_t n_options;
    bool yes_no;                  /* for / against / abstain */
    veche_vote_kind kind;
    veche_vote_rule rule;
    bool closed;
    int64_t opened_by;
    int64_t opened_at, closed_at; /* unix ms */
    unsigned members;             /* the body's voting members at opening */
    unsigned entitled;            /* the snapshot's size */
    veche_quorum_change quorum_open;
    bool no_quorum_warning;       /* opened without quorum (body says warn) */
    /* closed only */
    veche_quorum_change quorum_close;
    unsigned counts[VECHE_VOTE_MAX_OPTIONS];
    unsigned voted;               /* voters who voted */
    int winner;                   /* -1: none */
    bool adopted;
} veche_vote_record;

/* The options' abstention index for a record (yes_no: 2), or -1. */
int veche_vote_record_abstain(const veche_vote_record *v);

/* The body's vote settings: default rule, refuse (true) or warn when
 * there is no quorum.  0 or VECHE_ENOTFOUND. */
int veche_store_vote_settings(veche_store *s, int64_t body_id, veche_vote_rule *rule,
                              bool *refuse);
int veche_store_vote_set_settings(veche_store *s, int64_t body_id,
                                  const veche_vote_rule *rule, bool refuse);

/* Insert an open vote (v's fields but id, closed and the close fields)
 * and its snapshot.  0 with *id; VECHE_EEXISTS when the event has an open
 * vote; VECHE_EINVAL on bad fields (an agenda item of another event). */
int veche_store_vote_open(veche_store *s, const veche_vote_record *v,
                          const veche_vote_voter *voters, size_t n, int64_t *id);

/* Record person's ballot (previous: the option it replaces, -1 for a
 * first ballot).  Secret: the voter's flag and the tally; else the
 * choice.  0, VECHE_ESTATE (closed), VECHE_EDENIED (not in the
 * snapshot). */
int veche_store_vote_cast(veche_store *s, int64_t vote_id, veche_vote_kind kind,
                          int64_t person_id, int option, int previous);

/* Close with v's close fields (counts, voted, winner, adopted,
 * quorum_close, closed_at).  0 or VECHE_ESTATE (already closed). */
int veche_store_vote_close(veche_store *s, const veche_vote_record *v);

int veche_store_vote_get(veche_store *s, int64_t id, veche_vote_record *out);

typedef int (*veche_store_vote_cb)(void *ud, const veche_vote_record *v);
/* event_id > 0: that event's votes, oldest first; 0: every open vote. */
int veche_store_vote_list(veche_store *s, int64_t event_id, veche_store_vote_cb cb, void *ud);

/* The snapshot in order: choice is the option (open, named), or -1
 * (secret, or not voted). */
typedef int (*veche_store_voter_cb)(void *ud, const veche_vote_voter *who, bool voted,
                                    int choice);
int veche_store_vote_voters(veche_store *s, int64_t vote_id, veche_store_voter_cb cb,
                            void *ud);
/* An open vote's current counts (from the choices or the tally). */
int veche_store_vote_counts(veche_store *s, const veche_vote_record *v,
                            unsigned counts[VECHE_VOTE_MAX_OPTIONS]);

/* ---- work for the store thread (storeq.h, kind VOTE) ---- */

typedef enum {
    VECHE_VOTE_OP_OPEN,       /* rec, body_id, rule_given, voters -> rec.id */
    VECHE_VOTE_OP_CAST,       /* rec.id, rec.kind, person_id, option, previous */
    VECHE_VOTE_OP_CLOSE,      /* rec (close fields) */
    VECHE_VOTE_OP_RESTORE,    /* -> restored: every open vote (start-up) */
} veche_vote_op_kind;

typedef struct {
    veche_vote_voter who;
    bool voted;
    int choice;               /* -1: none, or secret */
} veche_vote_ballot_state;

typedef struct veche_vote_op veche_vote_op;
struct veche_vote_op {
    veche_vote_op_kind op;
    veche_vote_record rec;
    int64_t body_id;              /* OPEN: whose settings */
    bool rule_given;              /* OPEN: rec.rule overrides the body's default */
    veche_vote_ballot_state *voters;  /* OPEN in, RESTORE out; owned */
    size_t n_voters;
    int64_t person_id;            /* CAST */
    int option, previous;         /* CAST */
    GPtrArray *restored;          /* RESTORE out: veche_vote_op* (rec with counts,
                                   * voters), owned */
};

veche_vote_op *veche_vote_op_new(veche_vote_op_kind op);
void veche_vote_op_free(veche_vote_op *op);  /* accepts NULL */
/* Carry op out.  OPEN: fills rec.rule (unless rule_given) and
 * rec.no_quorum_warning from the body's settings; VECHE_EPOLICY when there
 * is no quorum and the body refuses; VECHE_EEXISTS when a vote is open;
 * VECHE_ESTATE when the event's minutes are finalized. */
int veche_vote_op_run(veche_store *s, veche_vote_op *op);

/* ---- minutes ---- */

typedef struct {
    bool finalized;
    int64_t finalized_at;         /* unix s */
    int64_t finalized_by;
    char digest[65];              /* lowercase hex SHA-256 */
} veche_minutes_state;

/* 0 with *out (finalized false when not yet). */
int veche_store_minutes_state(veche_store *s, int64_t event_id, veche_minutes_state *out);
/* 0, VECHE_EEXISTS (already final). */
int veche_store_minutes_finalize(veche_store *s, int64_t event_id, int64_t by,
                                 int64_t at, const char *digest);
/* Set an agenda item's decision text (NULL clears).  0, VECHE_ENOTFOUND
 * (no such item in the event), VECHE_ESTATE (minutes finalized). */
int veche_store_agenda_decision_set(veche_store *s, int64_t event_id, int64_t item_id,
                                    const char *text);

typedef struct {
    int64_t id;
    int position;
    char title[512];
    char speaker[256];
    int64_t started_at, ended_at; /* as agenda_item stores them; 0: not set */
    char *decision;               /* owned by the callback's caller; NULL: none */
} veche_agenda_row;
typedef int (*veche_store_agenda_cb)(void *ud, const veche_agenda_row *a);
/* The event's agenda in order. */
int veche_store_agenda_list(veche_store *s, int64_t event_id, veche_store_agenda_cb cb,
                            void *ud);

#endif
