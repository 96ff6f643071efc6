/* chatlog.h - the chat of an event's room kept in the store
 * (docs/data-model.md "Chat"): each message a room sends out is appended
 * by a typed CHAT request on the store thread (storeq.h, store_chat.h),
 * with the event, the author's person id, the time and the text; a
 * failure is logged with ids only.  Nothing waits for it: the room has
 * already sent the message, and the chat is not a record that refuses a
 * message when the disk does (attendance and votes are).
 *
 * Does not: keep the chat of anonymous rooms (no event, no person), read
 * the chat back (late joiners get the room's memory, sfu/chat.c), or
 * sweep it (store/sweep.c).  Main thread only.
 */
#ifndef VECHE_CHATLOG_H
#define VECHE_CHATLOG_H

#include <stdint.h>

#include "sfu_msg.h"
#include "storeq.h"

/* Queue m (copied) of person_id in event_id's room for the store.  q NULL
 * (no accounts) or an id of 0: nothing. */
void veche_chatlog_keep(veche_storeq *q, int64_t event_id, int64_t person_id,
                        const veche_sfu_chat_msg *m);

#endif
