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

static gboolean mailbox_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    (void)cb, (void)data;
    veche_mailbox *mb = ((mailbox_source *)source)->mb;
    g_source_set_ready_time(source, -1);
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

void veche_mailbox_flush(veche_mailbox *mb)
{
    deliver_all(mb);
}
