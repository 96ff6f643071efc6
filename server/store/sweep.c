/* sweep.c - the periodic retention sweep (sweep.h).  A timer on the main
 * context pushes a tick to a one-thread pool; the pool's thread opens its
 * own connection, sweeps in one transaction and closes it.  A tick while
 * a sweep runs is dropped (the pool holds at most one waiting). */
#include "sweep.h"

#include <string.h>

#include "log.h"
#include "store.h"
#include "store_edit.h"

struct veche_sweep {
    char *db_path;
    unsigned audit_days, session_days, chat_days;
    GThreadPool *pool;            /* one thread */
    GSource *timer;
    gint queued;                  /* atomic: a tick is waiting or running */
    gint count;                   /* atomic: sweeps finished */
};

static void sweep_once(gpointer data, gpointer ud)
{
    (void)data;
    veche_sweep *w = ud;
    veche_store *st = NULL;
    veche_retention_stats stats;
    int rc = veche_store_open(w->db_path, &st);
    if (rc == 0)
        rc = veche_store_retention_sweep(st, g_get_real_time() / G_USEC_PER_SEC,
                                         w->audit_days, w->session_days, w->chat_days,
                                         &stats);
    veche_store_close(st);
    if (rc != 0)
        VLOG_WARN(NULL, NULL, "sweep: retention sweep failed (%d)", rc);
    else if (stats.audit_removed || stats.sessions_removed || stats.resets_removed ||
             stats.chat_removed)
        VLOG_INFO(NULL, NULL, "sweep: removed %u audit entries, %u sessions, %u reset links,"
                  " %u chat messages", stats.audit_removed, stats.sessions_removed,
                  stats.resets_removed, stats.chat_removed);
    g_atomic_int_set(&w->queued, 0);
    g_atomic_int_inc(&w->count);
}

static void tick(veche_sweep *w)
{
    if (g_atomic_int_compare_and_exchange(&w->queued, 0, 1))
        g_thread_pool_push(w->pool, GINT_TO_POINTER(1), NULL);
}

static gboolean on_timer(gpointer ud)
{
    tick(ud);
    return G_SOURCE_CONTINUE;
}

veche_sweep *veche_sweep_new(const char *db_path, unsigned audit_days, unsigned session_days,
                             unsigned chat_days, unsigned interval_secs, GMainContext *ctx)
{
    if (!db_path || !interval_secs)
        return NULL;
    veche_sweep *w = g_new0(veche_sweep, 1);
    w->db_path = g_strdup(db_path);
    w->audit_days = audit_days;
    w->session_days = session_days;
    w->chat_days = chat_days;
    w->pool = g_thread_pool_new(sweep_once, w, 1, FALSE, NULL);
    if (!w->pool) {
        g_free(w->db_path);
        g_free(w);
        return NULL;
    }
    w->timer = g_timeout_source_new_seconds(interval_secs);
    g_source_set_callback(w->timer, on_timer, w, NULL);
    g_source_attach(w->timer, ctx);
    tick(w);
    return w;
}

void veche_sweep_free(veche_sweep *w)
{
    if (!w)
        return;
    g_source_destroy(w->timer);
    g_source_unref(w->timer);
    g_thread_pool_free(w->pool, FALSE, TRUE);  /* waits for a sweep under way */
    g_free(w->db_path);
    g_free(w);
}

unsigned veche_sweep_count(veche_sweep *w)
{
    return w ? (unsigned)g_atomic_int_get(&w->count) : 0;
}
