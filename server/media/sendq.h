/* sendq.h - batched sends on one media thread.
 *
 * While a loop iteration handles what arrived (libnice reads every datagram
 * queued on a socket in one dispatch), a transport keeps the datagrams it
 * protected for its peer instead of sending each at once, and marks itself
 * here.  Before the loop next waits (a GSource's prepare step, which runs
 * after every dispatch of the iteration), the queue asks each marked
 * transport to flush: one sendmmsg() per peer for the whole burst (ice.h).
 * A transport also flushes by itself when its batch is full.
 *
 * It does not hold datagrams or know what a transport is: an entry is an
 * intrusive node in its owner, with the owner's flush callback.  Nothing
 * here allocates after veche_sendq_new().
 *
 * Ownership: the caller owns the queue (one per media thread, attached to
 * that thread's context) and frees it after every transport that uses it.
 * An entry's owner cancels it before the entry goes away.  Everything runs
 * on the context's thread.
 */
#ifndef VECHE_SENDQ_H
#define VECHE_SENDQ_H

#include <stdbool.h>
#include <glib.h>

typedef struct veche_sendq veche_sendq;

typedef struct veche_sendq_entry veche_sendq_entry;
struct veche_sendq_entry {
    void (*flush)(veche_sendq_entry *e);  /* set by the owner */
    veche_sendq_entry *prev, *next;       /* private */
    bool queued;                          /* private */
};

veche_sendq *veche_sendq_new(GMainContext *ctx);
void veche_sendq_free(veche_sendq *q);  /* accepts NULL */

/* e has something to send: flush it before the loop next waits.  Marking
 * an entry already marked does nothing. */
void veche_sendq_mark(veche_sendq *q, veche_sendq_entry *e);
/* e must not be flushed (its owner goes away or flushed by itself). */
void veche_sendq_cancel(veche_sendq *q, veche_sendq_entry *e);
/* Flush every marked entry now (what the prepare step does). */
void veche_sendq_flush(veche_sendq *q);

#endif
