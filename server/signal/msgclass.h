/* msgclass.h - the class of each outgoing signalling message type.
 *
 * essential (the default for any type not in the table: offers, answers,
 * candidates, moderation, floor, chat, votes, errors, ...) or replaceable
 * (attendance deltas, quorum, quality, active speaker, a participant's
 * hand, a vote's count of ballots): for a replaceable message the key
 * names the state it carries ("quality", "hand:<participant>"); a newer message with the same key
 * replaces an unsent older one in the connection's send queue
 * (txqueue.h).  Other helpers add message types by adding rows to the
 * table in msgclass.c; a type not listed stays essential.
 *
 * Pure: no I/O, no state.
 */
#ifndef VECHE_MSGCLASS_H
#define VECHE_MSGCLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

typedef enum {
    VECHE_MSGCLASS_ESSENTIAL = 0,
    VECHE_MSGCLASS_REPLACEABLE = 1,
} veche_msgclass;

/* The class of a message of this type (essential when unknown or NULL). */
veche_msgclass veche_msgclass_of(const char *type);

/* The class of msg (by its "type"); for a replaceable one its key is
 * written to key (cap bytes, NUL-terminated, cut if longer), else key is
 * set to "". */
veche_msgclass veche_msgclass_key(const json_t *msg, char *key, size_t cap);

#endif
