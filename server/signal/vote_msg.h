/* vote_msg.h - the vote messages of the signalling protocol
 * (docs/protocol.md, "Votes"): vote-open, vote-cast, vote-close from
 * clients; `vote` to everyone in the event and the replies to the asker.
 *
 * veche_vote_msg_parse() is pure (no I/O, no state) and is what the
 * fuzzer drives.  veche_vote_msg_handle() hands a parsed request to the
 * votes (gov/vote.c) and sends the reply to the asking connection, if it
 * is still there, through signalling.  Does not: keep vote state (vote.c)
 * or decide who is present (roll.c).  Main thread only.
 */
#ifndef VECHE_VOTE_MSG_H
#define VECHE_VOTE_MSG_H

#include <jansson.h>
#include <stdint.h>

#include "vote.h"

typedef enum {
    VECHE_VOTE_MSG_OPEN,
    VECHE_VOTE_MSG_CAST,
    VECHE_VOTE_MSG_CLOSE,
} veche_vote_msg_type;

typedef struct {
    veche_vote_msg_type type;
    veche_votes_open_req open;    /* OPEN */
    int64_t vote;                 /* CAST, CLOSE */
    int option;                   /* CAST */
} veche_vote_msg;

/* Parse a client message (root: a JSON object with "type" one of
 * "vote-open", "vote-cast", "vote-close").  0, or VECHE_EINVAL with a
 * reason in reason (cap bytes). */
int veche_vote_msg_parse(json_t *root, veche_vote_msg *out, char *reason, size_t cap);

typedef struct veche_signal veche_signal;

/* Carry out m for who (connection client of s); the reply (or an `error`
 * with the request's id) goes to that connection. */
void veche_vote_msg_handle(veche_signal *s, veche_votes *votes, const veche_votes_who *who,
                           uint64_t client, const veche_vote_msg *m, json_t *id);

/* veche_votes_notify_fn for signalling: sends the connections in the
 * event what `what` asks for (vote.h): each its `vote` message, only the
 * voter's own, or everyone the `vote-progress` count.  ud: the
 * veche_signal. */
void veche_vote_msg_notify(void *ud, int64_t event_id, veche_votes_change what,
                           int64_t person_id);

/* What a person who has just joined event_id's room (connection client)
 * gets, as if the vote had just changed (VECHE_VOTES_STATE): the vote under
 * way with their own ballot, and to those who run it who has not voted. */
void veche_vote_msg_to_joiner(veche_signal *s, uint64_t client, int64_t event_id,
                              int64_t person_id, veche_access_role access);

#endif
