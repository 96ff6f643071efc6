/* vote_rule.h - the rules of a vote, and the ballot box of one open vote.
 *
 * A majority rule is a share (more than half, or at least two thirds) of a
 * base: the votes cast, the entitled voters present when the vote opened
 * (the snapshot), or the whole voting membership of the body.  "Votes
 * cast" are the ballots for an option other than an abstention: an
 * abstention is a ballot, it counts towards "present" and "members" only
 * as the person it is.  Exact integer arithmetic:
 *   half        count * 2 > base
 *   two thirds  count * 3 >= base * 2
 * and never with a count of 0 (zero votes, or everybody abstaining, adopts
 * nothing).  An option wins when it alone reaches the share; for the
 * default options (for / against / abstain) the motion is adopted when
 * "for" wins.  A tie never wins under "more than half".
 *
 * The ballot box holds the snapshot of entitled voters (voting roster
 * members present at opening, by person, so a reconnect keeps the right
 * and someone who joins later has none) and each voter's ballot.  A voter
 * votes once: a second cast replaces the first (a changed vote), never adds
 * a ballot.  In a secret vote restored after a restart the box knows who
 * has voted but not how (the store keeps no link), so such a voter cannot
 * change the ballot (VECHE_ESTATE).
 *
 * Pure code: no I/O, no globals, no clock.  Does not: decide who is
 * present (roll.c), store anything (store_votes.c) or speak JSON
 * (vote.c).  Ownership: the caller owns a box; one thread at a time.
 */
#ifndef VECHE_VOTE_RULE_H
#define VECHE_VOTE_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VECHE_VOTE_MAX_OPTIONS 10
#define VECHE_VOTE_OPTION_MAX 100     /* bytes of an option's text */
#define VECHE_VOTE_QUESTION_MAX 1000  /* bytes of a question */

typedef enum {
    VECHE_VOTE_OPEN = 0,      /* counts only */
    VECHE_VOTE_NAMED = 1,     /* roll-call: who voted how */
    VECHE_VOTE_SECRET = 2,
} veche_vote_kind;

typedef enum {
    VECHE_VOTE_BASE_CAST = 0,
    VECHE_VOTE_BASE_PRESENT = 1,
    VECHE_VOTE_BASE_MEMBERS = 2,
} veche_vote_base;

typedef enum {
    VECHE_VOTE_HALF = 0,          /* more than half */
    VECHE_VOTE_TWO_THIRDS = 1,    /* at least two thirds */
} veche_vote_share;

typedef struct {
    veche_vote_share share;
    veche_vote_base base;
} veche_vote_rule;

/* "open", "named", "secret"; NULL for an unknown kind. */
const char *veche_vote_kind_name(veche_vote_kind k);
/* 0 with *k, or VECHE_EINVAL. */
int veche_vote_kind_parse(const char *s, veche_vote_kind *k);
/* "half-of-cast", "half-of-present", "half-of-members",
 * "two-thirds-of-cast", "two-thirds-of-present", "two-thirds-of-members";
 * NULL for an invalid rule. */
const char *veche_vote_rule_name(const veche_vote_rule *r);
/* 0 with *r, or VECHE_EINVAL (*r untouched). */
int veche_vote_rule_parse(const char *s, veche_vote_rule *r);

/* The outcome of a count. */
typedef struct {
    unsigned cast;            /* ballots for options other than the abstention */
    unsigned ballots;         /* all ballots */
    unsigned base;            /* what the share is taken of */
    unsigned needed;          /* the smallest count that wins (base 0: 1) */
    int winner;               /* option index, or -1 */
    bool adopted;             /* yes_no: "for" (option 0) won; else winner >= 0 */
} veche_vote_outcome;

/* Count n_options counts under rule.  abstain: the index of the
 * abstention option, or -1.  yes_no: the options are for / against /
 * abstain.  present: the snapshot's size; members: the body's voting
 * members.  0, or VECHE_EINVAL (bad rule, no options, abstain out of
 * range). */
int veche_vote_decide(const veche_vote_rule *rule, const unsigned *counts, size_t n_options,
                      int abstain, bool yes_no, unsigned present, unsigned members,
                      veche_vote_outcome *out);

/* One entitled voter of the snapshot. */
typedef struct {
    int64_t person_id;
    char name[128];
} veche_vote_voter;

typedef struct veche_vote_box veche_vote_box;

/* A box for n_options options and the n voters (copied; duplicates kept
 * once).  NULL on bad arguments (no options, too many). */
veche_vote_box *veche_vote_box_new(veche_vote_kind kind, size_t n_options,
                                   const veche_vote_voter *voters, size_t n);
void veche_vote_box_free(veche_vote_box *b);  /* accepts NULL */

/* Cast or change person's ballot for option.  Returns 0 (a first ballot),
 * 1 (changed; *previous set, if not NULL, to the former option), 2 (the
 * same option again: nothing changed), VECHE_EDENIED (not in the
 * snapshot: a guest, an observer, a non-voting member, someone who came
 * after the opening), VECHE_EINVAL (no such option), VECHE_ESTATE (closed,
 * or a secret ballot restored after a restart).  On error nothing
 * changes. */
int veche_vote_box_cast(veche_vote_box *b, int64_t person_id, int option, int *previous);
/* Take back a cast that could not be stored: previous is what cast
 * reported (-1 for a first ballot).  0 or VECHE_ESTATE (nothing to undo). */
int veche_vote_box_undo(veche_vote_box *b, int64_t person_id, int previous);
/* Restore after a restart: person has voted for option (-1: unknown, a
 * secret ballot).  Counts are restored with veche_vote_box_set_count.
 * 0, VECHE_EDENIED, VECHE_EINVAL. */
int veche_vote_box_restore(veche_vote_box *b, int64_t person_id, int option);
int veche_vote_box_set_count(veche_vote_box *b, int option, unsigned count);
/* No more ballots. */
void veche_vote_box_close(veche_vote_box *b);
bool veche_vote_box_closed(const veche_vote_box *b);

bool veche_vote_box_entitled(const veche_vote_box *b, int64_t person_id);
bool veche_vote_box_has_voted(const veche_vote_box *b, int64_t person_id);
/* person's ballot, -1 when none or unknown (secret restored). */
int veche_vote_box_choice(const veche_vote_box *b, int64_t person_id);
size_t veche_vote_box_options(const veche_vote_box *b);
unsigned veche_vote_box_count(const veche_vote_box *b, int option);
/* The snapshot, in the given order. */
size_t veche_vote_box_voters(const veche_vote_box *b);
const veche_vote_voter *veche_vote_box_voter(const veche_vote_box *b, size_t i);
unsigned veche_vote_box_voted(const veche_vote_box *b);  /* how many have voted */

#endif
