/* store_chat.h - the chat of events' rooms in the store (table
 * chat_message, docs/data-model.md "Chat"): appended by the store thread
 * as each message is sent (signal/chatlog.c), read for a person's export
 * (store_privacy.c), deleted with the person's erasure, and removed after
 * the organization's chat retention by the retention sweep.
 *
 * Does not: validate the text (sfu/chat.c did, before the room sent it),
 * keep the author's name (the person's row has it), or store the chat of
 * anonymous rooms (they belong to no event).  Thread: whichever owns the
 * store connection (the store thread for rooms, the sweep's own, the
 * main thread for the API).
 */
#ifndef VECHE_STORE_CHAT_H
#define VECHE_STORE_CHAT_H

#include <stdint.h>

#include "store.h"

/* Append one message of person_id in event_id's room, sent at ts_ms
 * (milliseconds since the epoch).  0 with *id (may be NULL), VECHE_EINVAL
 * for an empty text or a bad id, or a store error. */
int veche_store_chat_append(veche_store *s, int64_t event_id, int64_t person_id,
                            int64_t ts_ms, const char *text, int64_t *id);

/* The messages of event_id, oldest first: cb for each (ud, its author's
 * person id, ts_ms, text borrowed for the call); a non-zero cb result
 * stops and is returned. */
typedef int (*veche_store_chat_cb)(void *ud, int64_t person_id, int64_t ts_ms,
                                   const char *text);
int veche_store_chat_list(veche_store *s, int64_t event_id, veche_store_chat_cb cb, void *ud);

/* An organization's chat retention: days >= 0 (0: kept forever), or -1 for
 * none of its own (the server's retention_chat_days applies). */
int veche_store_org_chat_retention_set(veche_store *s, int64_t org_id, int64_t days);
int veche_store_org_chat_retention_get(veche_store *s, int64_t org_id, int64_t *days);

/* Remove the messages older than their organization's retention (its own,
 * else default_days; 0 keeps them) at now (unix seconds).  The number
 * removed into *removed.  One transaction (or part of the caller's). */
int veche_store_chat_sweep(veche_store *s, int64_t now, unsigned default_days,
                           unsigned *removed);

#endif
