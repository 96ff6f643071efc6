/* vote.h - the votes of live meetings, on the main thread: open, cast,
 * change, close; the messages that show them.
 *
 * Each event has at most one open vote, and keeps its last closed one to
 * show to people who join later.  Opening takes the snapshot of entitled
 * voters and the quorum from the roll (roll.h) at that moment and sends
 * both to the store thread, which applies the body's settings (default
 * rule, refuse or warn without quorum) and writes the vote.  A ballot is
 * checked against the ballot box (vote_rule.h), written by the store
 * thread, and only then acknowledged; the store thread's FIFO order puts a
 * close behind every ballot accepted before it.  After a restart
 * veche_votes_restore reloads the open votes (a secret ballot's choice is
 * not in the store, so it cannot be changed after a restart).
 *
 * Logs name the vote, never a choice.  Does not: parse client JSON
 * (vote_msg.c), decide who is chair (the caller passes the role), or send
 * (notify and reply callbacks do).  Ownership: the caller owns veche_votes;
 * storeq and roll are borrowed and outlive it.  Main thread only.
 */
#ifndef VECHE_VOTE_H
#define VECHE_VOTE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "access.h"
#include "roll.h"
#include "storeq.h"
#include "vote_rule.h"

typedef struct veche_votes veche_votes;

/* What changed about an event's vote, and who must be told. */
typedef enum {
    VECHE_VOTES_STATE,     /* opened or closed: every connection of the event
                            * gets veche_votes_msg(votes, event_id, its person) */
    VECHE_VOTES_BALLOT,    /* person_id's ballot: only that person's
                            * connections get veche_votes_msg (their `you`) */
    VECHE_VOTES_PROGRESS,  /* how many have voted: every connection gets
                            * veche_votes_progress_msg; at most one per
                            * VECHE_VOTES_PROGRESS_MS however many ballots */
} veche_votes_change;

#define VECHE_VOTES_PROGRESS_MS 250

/* person_id: for VECHE_VOTES_BALLOT, else 0. */
typedef void (*veche_votes_notify_fn)(void *ud, int64_t event_id, veche_votes_change what,
                                      int64_t person_id);

/* ctx: the main thread's context (the progress timer runs there; borrowed). */
veche_votes *veche_votes_new(veche_storeq *q, veche_roll *roll, GMainContext *ctx,
                             veche_votes_notify_fn notify, void *ud);
void veche_votes_free(veche_votes *v);  /* accepts NULL */

/* Start-up, before listening: reload the open votes (blocks on the store
 * thread).  Returns how many, or a store error. */
int veche_votes_restore(veche_votes *v);

/* Who asks. */
typedef struct {
    int64_t event_id;             /* 0: not in an event's room */
    int64_t person_id;
    veche_access_role access;
    bool meeting;
} veche_votes_who;

/* What the chair asks for (vote_msg.c fills it from the client's JSON). */
typedef struct {
    char question[VECHE_VOTE_QUESTION_MAX + 1];
    char options[VECHE_VOTE_MAX_OPTIONS][VECHE_VOTE_OPTION_MAX + 1];
    size_t n_options;             /* 0: for / against / abstain */
    veche_vote_kind kind;
    bool rule_given;
    veche_vote_rule rule;
    int64_t agenda_item;          /* 0: none */
} veche_votes_open_req;

/* The answer to a request: reply is the message for the asker (taken,
 * NULL on error), or code and reason of an error (docs/protocol.md). */
typedef void (*veche_votes_reply_fn)(void *ud, json_t *reply, const char *code,
                                     const char *reason);

/* Each calls reply exactly once (maybe before returning), then ud_free. */
void veche_votes_open(veche_votes *v, const veche_votes_who *who,
                      const veche_votes_open_req *req, veche_votes_reply_fn reply, void *ud,
                      void (*ud_free)(void *));
void veche_votes_cast(veche_votes *v, const veche_votes_who *who, int64_t vote_id, int option,
                      veche_votes_reply_fn reply, void *ud, void (*ud_free)(void *));
void veche_votes_close(veche_votes *v, const veche_votes_who *who, int64_t vote_id,
                       veche_votes_reply_fn reply, void *ud, void (*ud_free)(void *));

/* The event's current vote (open, or the last closed) as person sees it:
 *   {"type":"vote","vote":{...},"you":{"entitled","voted","choice"}}
 * (docs/protocol.md, `vote` v2: no list of voters, except the roll-call
 * of a closed named vote), or NULL when the event has had no vote since
 * the server started.  New reference. */
json_t *veche_votes_msg(const veche_votes *v, int64_t event_id, int64_t person_id);

/* The same in two steps, so that a message to a whole room builds the
 * vote once: the event's `vote` member (new reference, NULL: none), then
 * one person's message around it (state borrowed, shared; NULL when state
 * is). */
json_t *veche_votes_state_json(const veche_votes *v, int64_t event_id);
json_t *veche_votes_msg_with(const veche_votes *v, int64_t event_id, int64_t person_id,
                             json_t *state);

/* {"type":"vote-progress","vote":id,"entitled":n,"voted":n} for the
 * event's open vote, or NULL (none open).  The same for everyone.  New
 * reference. */
json_t *veche_votes_progress_msg(const veche_votes *v, int64_t event_id);

/* progress (a veche_votes_progress_msg, not changed) with "waiting": the
 * entitled voters who have not voted yet, [{person, name}] in roll order;
 * for those who run the vote (veche_votes_sees_waiting).  New reference,
 * NULL when no vote is open. */
json_t *veche_votes_progress_waiting_msg(const veche_votes *v, int64_t event_id,
                                         json_t *progress);

/* The chair may open and close votes: chair, org or platform admin. */
bool veche_votes_may_chair(veche_access_role r);
/* Who sees the waiting list of an open vote: those who may chair it and
 * the secretary (who keeps the minutes).  Not a ballot: secret votes too. */
bool veche_votes_sees_waiting(veche_access_role r);

#endif
