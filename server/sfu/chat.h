/* chat.h - a room's text chat: validation and the history that late
 * joiners receive.  Kept in memory for the room's lifetime (the store
 * keeps an event room's chat too: signal/chatlog.c, on the main thread,
 * never here); bounded to the newest VECHE_CHAT_HISTORY messages.
 *
 * Ownership: the room owns its veche_chat; messages are copied in and out
 * (the caller owns what it gets).  Runs on the room's thread.
 */
#ifndef VECHE_CHAT_H
#define VECHE_CHAT_H

#include <stdbool.h>
#include <stdint.h>

#include "sfu_msg.h"

#define VECHE_CHAT_HISTORY 500
#define VECHE_CHAT_MAX_CHARS 2000

typedef struct veche_chat veche_chat;

veche_chat *veche_chat_new(void);
void veche_chat_free(veche_chat *c);  /* accepts NULL */

/* Whether text is acceptable: valid UTF-8, 1..VECHE_CHAT_MAX_CHARS
 * characters, not only blanks, no control characters but newline and tab. */
bool veche_chat_valid(const char *text);

/* Append a message (text must be valid) and fill *out with a copy of it
 * (seq, from, name, text, ts in ms since the epoch) for the `chat` event;
 * the caller clears *out (veche_sfu_chat_msg_clear). */
void veche_chat_add(veche_chat *c, const char *from_id, const char *from_name,
                    const char *text, int64_t ts_ms, veche_sfu_chat_msg *out);

/* The history, oldest first: *n copies in a new array (the caller clears
 * each and frees the array with g_free). */
veche_sfu_chat_msg *veche_chat_history(const veche_chat *c, unsigned *n);

#endif
