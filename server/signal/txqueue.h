/* txqueue.h - the send queue of one WebSocket, with message classes.
 *
 * Two classes of message (docs/protocol.md, "Message classes"):
 *   essential    every one is delivered, in order (offers, answers,
 *                moderation, floor, votes, errors, ...);
 *   replaceable  only the latest state matters (quality, active speaker,
 *                quorum, a participant's hand, ...): a message is queued
 *                with a key, and a newer message with the same key that
 *                comes while the older one is still unsent takes its place
 *                in the queue (same position, new text).  So a slow reader
 *                gets the latest state, never a backlog of them.
 * Only essential bytes count toward the limit the caller enforces
 * (veche_txq_essential_bytes); replaceable ones are bounded by the number
 * of keys.  The queue also remembers when its oldest unsent essential
 * message was queued, so a caller can close a peer that cannot take
 * essential messages within a time bound.
 *
 * Each entry reserves `headroom` bytes before its text (LWS_PRE for
 * lws_write).  Pure data structure: no I/O, no clock of its own (times are
 * passed in), one thread.  Ownership: the queue owns its entries; an entry
 * popped with veche_txq_pop belongs to the caller (g_free).
 */
#ifndef VECHE_TXQUEUE_H
#define VECHE_TXQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct veche_txq veche_txq;

#define VECHE_TXQ_KEY_MAX 48

typedef struct {
    size_t len;                       /* bytes of text */
    int64_t queued_us;                /* when it was queued (the caller's clock) */
    char key[VECHE_TXQ_KEY_MAX];      /* "" for an essential message */
    unsigned char buf[];              /* headroom bytes, then len bytes of text */
} veche_txq_msg;

veche_txq *veche_txq_new(size_t headroom);
void veche_txq_free(veche_txq *q);  /* accepts NULL */

/* Queue a copy of text.  key NULL or "": essential (appended).  Otherwise
 * replaceable: an unsent message with the same key is replaced in place
 * (returns 1), else the message is appended (0).  A key longer than
 * VECHE_TXQ_KEY_MAX - 1 bytes is cut. */
int veche_txq_push(veche_txq *q, const char *text, size_t len, const char *key,
                   int64_t now_us);
/* The first message (the caller frees it with g_free), or NULL. */
veche_txq_msg *veche_txq_pop(veche_txq *q);
/* Whether a message with this key is still unsent. */
bool veche_txq_has(const veche_txq *q, const char *key);
/* Drop every unsent message. */
void veche_txq_clear(veche_txq *q);

bool veche_txq_empty(const veche_txq *q);
size_t veche_txq_count(const veche_txq *q);
size_t veche_txq_essential_bytes(const veche_txq *q);
size_t veche_txq_bytes(const veche_txq *q);      /* essential and replaceable */
/* When the oldest unsent essential message was queued; -1 when none. */
int64_t veche_txq_oldest_essential_us(const veche_txq *q);

#endif
