/* mailbox.c - a locked queue woken through a GSource's ready time; see
 * mailbox.h.
 *
 * Wake-ups: post() sets the source ready only when the queue goes from
 * empty to not empty; dispatch clears the ready time *before* taking the
 * batch, so an item posted after the take finds the queue empty and sets
 * it again (no lost wake-up; at worst one spare dispatch of an empty
 * queue).  g_source_set_ready_time() is thread-safe and wakes the context.
 * The lock is a pthread mutex rather than a GMutex (a bare futex in this
 * GLib) so that ThreadSanitizer sees the hand-over.
 *
 * Budget (veche_mailbox_set_budget): a dispatch delivers items until the
 * budget is spent, puts the rest back at the head of the queue (before
 * anything posted meanwhile, so the order holds) and sets the source ready
 * again: the loop's other sources (sockets, /healthz, timers) run before
 * the next part of a large batch instead of after all of it.
 */
#include "mailbox.h"

#include <pthread.h>

typedef struct {
    GSource source;
    veche_mailbox *mb;
} mailbox_source;

struct veche_mailbox {
    pthread_mutex_t lock;
    GQueue queue;                /* posted items, guarded by lock */
    GSource *source;
    veche_mailbox_deliver_fn deliver;
    void *ud;
    GDestroyNotify drop;
    gint64 budget_us;            /* per dispatch; 0: the whole batch */
};

static void deliver_all(veche_mailbox *mb)
{
    GQueue batch = G_QUEUE_INIT;
    pthread_mutex_lock(&mb->lock);
    batch = mb->queue;
    g_queue_init(&mb->queue);
    pthread_mutex_unlock(&mb->lock);
    void *item;
    while ((item = g_queue_pop_head(&batch)))
        mb->deliver(mb->ud, item);
}

/* Put batch back in front of what was posted since it was taken, and
 * wake the context for it. */
static void requeue_front(veche_mailbox *mb, GQueue *batch)
{
    pthread_mutex_lock(&mb->lock);
    batch->tail->next = mb->queue.head;
    if (mb->queue.head)
        mb->queue.head->prev = batch->tail;
    else
        mb->queue.tail = batch->tail;
    mb->queue.head = batch->head;
    mb->queue.length += batch->length;
    pthread_mutex_unlock(&mb->lock);
    g_queue_init(batch);
    g_source_set_ready_time(mb->source, 0);
}

/* Deliver the batch taken now until the budget is spent. */
static void deliver_budgeted(veche_mailbox *mb)
{
    GQueue batch = G_QUEUE_INIT;
    pthread_mutex_lock(&mb->lock);
    batch = mb->queue;
    g_queue_init(&mb->queue);
    pthread_mutex_unlock(&mb->lock);
    gint64 until = g_get_monotonic_time() + mb->budget_us;
    void *item;
    while ((item = g_queue_pop_head(&batch))) {
        mb->deliver(mb->ud, item);
        if (!g_queue_is_empty(&batch) && g_get_monotonic_time() >= until) {
            requeue_front(mb, &batch);
            return;
        }
    }
}

static gboolean mailbox_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    (void)cb, (void)data;
    veche_mailbox *mb = ((mailbox_source *)source)->mb;
    g_source_set_ready_time(source, -1);
    if (mb->budget_us > 0)
        deliver_budgeted(mb);
    else
        deliver_all(mb);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs mailbox_funcs = {
    .dispatch = mailbox_dispatch,
};

veche_mailbox *veche_mailbox_new(GMainContext *ctx, veche_mailbox_deliver_fn deliver,
                                 void *ud, GDestroyNotify drop)
{
    veche_mailbox *mb = g_new0(veche_mailbox, 1);
    pthread_mutex_init(&mb->lock, NULL);
    g_queue_init(&mb->queue);
    mb->deliver = deliver;
    mb->ud = ud;
    mb->drop = drop;
    mb->source = g_source_new(&mailbox_funcs, sizeof(mailbox_source));
    ((mailbox_source *)mb->source)->mb = mb;
    g_source_set_name(mb->source, "veche-mailbox");
    g_source_attach(mb->source, ctx);
    return mb;
}

void veche_mailbox_free(veche_mailbox *mb)
{
    if (!mb)
        return;
    g_source_destroy(mb->source);
    g_source_unref(mb->source);
    void *item;
    while ((item = g_queue_pop_head(&mb->queue)))
        mb->drop(item);
    pthread_mutex_destroy(&mb->lock);
    g_free(mb);
}

void veche_mailbox_post(veche_mailbox *mb, void *item)
{
    pthread_mutex_lock(&mb->lock);
    gboolean was_empty = g_queue_is_empty(&mb->queue);
    g_queue_push_tail(&mb->queue, item);
    pthread_mutex_unlock(&mb->lock);
    if (was_empty)
        g_source_set_ready_time(mb->source, 0);
}

void veche_mailbox_set_budget(veche_mailbox *mb, gint64 budget_us)
{
    mb->budget_us = budget_us > 0 ? budget_us : 0;
}

void veche_mailbox_flush(veche_mailbox *mb)
{
    deliver_all(mb);
}
