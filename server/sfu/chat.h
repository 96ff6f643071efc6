/* chat.h - a room's text chat: validation and the history that late
 * joiners receive.  Kept in memory for the room's lifetime (not persisted:
 * chat is not a record of the meeting); bounded to the newest
 * VECHE_CHAT_HISTORY messages.
 *
 * Ownership: the room owns its veche_chat; returned JSON objects are new
 * references the caller owns.
 */
#ifndef VECHE_CHAT_H
#define VECHE_CHAT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#define VECHE_CHAT_HISTORY 500
#define VECHE_CHAT_MAX_CHARS 2000

typedef struct veche_chat veche_chat;

veche_chat *veche_chat_new(void);
void veche_chat_free(veche_chat *c);  /* accepts NULL */

/* Whether text is acceptable: valid UTF-8, 1..VECHE_CHAT_MAX_CHARS
 * characters, not only blanks, no control characters but newline and tab. */
bool veche_chat_valid(const char *text);

/* Append a message (text must be valid) and return the `chat` event to
 * broadcast: {type:"chat", seq, from, name, text, ts (ms since epoch)}. */
json_t *veche_chat_add(veche_chat *c, const char *from_id, const char *from_name,
                       const char *text, int64_t ts_ms);

/* The history as an array of the same objects (without "type"), oldest first. */
json_t *veche_chat_history(const veche_chat *c);

#endif
