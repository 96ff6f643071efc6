/* sendq.c - batched sends on one media thread; see sendq.h.
 *
 * The marked entries are an intrusive doubly linked list (mark and cancel
 * are O(1), nothing allocates).  A custom GSource does nothing but flush
 * in its prepare function: GLib prepares every source before it polls, so
 * what an iteration queued goes out before the thread sleeps, a few
 * microseconds after it was queued.  The source never dispatches.
 */
#include "sendq.h"

typedef struct {
    GSource base;
    veche_sendq *q;
} sendq_source;

struct veche_sendq {
    GSource *source;
    veche_sendq_entry *head;
};

static gboolean sendq_prepare(GSource *source, gint *timeout)
{
    veche_sendq_flush(((sendq_source *)source)->q);
    *timeout = -1;
    return FALSE;
}

static gboolean sendq_check(GSource *source)
{
    (void)source;
    return FALSE;
}

static gboolean sendq_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    (void)source, (void)cb, (void)data;
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs sendq_funcs = {
    .prepare = sendq_prepare, .check = sendq_check, .dispatch = sendq_dispatch,
};

veche_sendq *veche_sendq_new(GMainContext *ctx)
{
    veche_sendq *q = g_new0(veche_sendq, 1);
    q->source = g_source_new(&sendq_funcs, sizeof(sendq_source));
    ((sendq_source *)q->source)->q = q;
    g_source_set_name(q->source, "veche-sendq");
    /* GLib stops preparing sources of a lower priority than one already
     * ready: high, so the flush is never skipped for an iteration. */
    g_source_set_priority(q->source, G_PRIORITY_HIGH);
    g_source_attach(q->source, ctx);
    return q;
}

void veche_sendq_free(veche_sendq *q)
{
    if (!q)
        return;
    while (q->head)
        veche_sendq_cancel(q, q->head);
    g_source_destroy(q->source);
    g_source_unref(q->source);
    g_free(q);
}

void veche_sendq_mark(veche_sendq *q, veche_sendq_entry *e)
{
    if (e->queued)
        return;
    e->queued = true;
    e->prev = NULL;
    e->next = q->head;
    if (q->head)
        q->head->prev = e;
    q->head = e;
}

void veche_sendq_cancel(veche_sendq *q, veche_sendq_entry *e)
{
    if (!e->queued)
        return;
    if (e->prev)
        e->prev->next = e->next;
    else
        q->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    e->prev = e->next = NULL;
    e->queued = false;
}

void veche_sendq_flush(veche_sendq *q)
{
    while (q->head) {
        veche_sendq_entry *e = q->head;
        veche_sendq_cancel(q, e);
        e->flush(e);
    }
}
