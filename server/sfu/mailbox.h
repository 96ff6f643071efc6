/* mailbox.h - hands items from any thread to one GMainContext's thread,
 * in order (h2o's multithread queue, on GLib): post() links the item into
 * a locked queue and, when the queue was empty, wakes the context once for
 * the batch; the context's thread takes the whole batch under the lock and
 * delivers each item outside it.  Nothing else is shared.
 *
 * Ownership: a posted item belongs to the mailbox until it is delivered
 * (then to `deliver`) or the mailbox is freed (then `drop` frees it).
 * post() is for any thread; new/free/flush on the context's thread (free
 * once no other thread posts any more).
 */
#ifndef VECHE_MAILBOX_H
#define VECHE_MAILBOX_H

#include <glib.h>

typedef struct veche_mailbox veche_mailbox;

typedef void (*veche_mailbox_deliver_fn)(void *ud, void *item);

veche_mailbox *veche_mailbox_new(GMainContext *ctx, veche_mailbox_deliver_fn deliver,
                                 void *ud, GDestroyNotify drop);
/* Drops what was not delivered; accepts NULL. */
void veche_mailbox_free(veche_mailbox *mb);
void veche_mailbox_post(veche_mailbox *mb, void *item);
/* At most about budget_us of delivering per turn of the context (the item
 * that crosses it is finished; the rest wait, in order, for the next
 * turn); 0 (the default): the whole batch.  The context's thread. */
void veche_mailbox_set_budget(veche_mailbox *mb, gint64 budget_us);
/* Deliver what is queued now, all of it (without waiting for the context). */
void veche_mailbox_flush(veche_mailbox *mb);

#endif
