/* worker.c - a media worker thread; see worker.h.
 *
 * The thread makes its context the thread default, then runs its loop.
 * Commands arrive through a mailbox on that context and go to dispatch.c;
 * every 5 s a sweep reports rooms that became idle.  A 100 ms probe timer
 * measures how late the loop runs its timers (loop lag) and, once a
 * second, counts the rooms, participants and tracks into the worker's
 * counters (mstats.h), which the main thread reads for /metrics.  The
 * worker's sendq (sendq.h) sends what its rooms' transports batched before
 * the loop waits.  Stopping is a marker
 * posted behind the commands already queued: the thread frees its rooms,
 * runs what their participants left pending (deferred frees), and returns.
 */
#include "worker.h"

#include "dispatch.h"
#include "log.h"
#include "mailbox.h"
#include "sfu.h"

#define SWEEP_SECONDS 5
#define PROBE_MS 100
#define PROBES_PER_SNAPSHOT 10

struct veche_worker {
    unsigned index;
    veche_sfu_emit_fn emit;      /* the caller's */
    void *emit_ud;
    veche_sfu_env env;           /* ctx: the worker's own */
    GMainLoop *loop;
    GHashTable *rooms;           /* id -> veche_room*, owned; worker thread only */
    veche_mailbox *inbox;        /* veche_sfu_cmd* or &stop_marker */
    GSource *sweep;
    GSource *probe;              /* loop lag and the gauges' snapshot */
    int64_t probe_due_us;        /* monotonic time the probe should run */
    unsigned probes;
    uint64_t lag_max_us;         /* the largest lag since the last snapshot */
    veche_mstats stats;          /* written on the worker thread only */
    GThread *thread;
};

static char stop_marker;

static void on_command(void *ud, void *item)
{
    veche_worker *w = ud;
    if (item == &stop_marker) {
        g_hash_table_remove_all(w->rooms);
        g_main_loop_quit(w->loop);
        return;
    }
    veche_dispatch_command(w->rooms, &w->env, item);
}

static void drop_command(void *item)
{
    if (item != &stop_marker)
        veche_sfu_cmd_free(item);
}

/* Events of the worker's rooms: stamped with the worker, then passed on. */
static void emit_stamped(void *ud, veche_sfu_event *ev)
{
    veche_worker *w = ud;
    ev->worker = w->index;
    w->emit(w->emit_ud, ev);
}

static gboolean on_sweep(gpointer data)
{
    veche_worker *w = data;
    veche_dispatch_sweep(w->rooms, &w->env);
    return G_SOURCE_CONTINUE;
}

/* Count rooms, participants and tracks by room kind into the gauges. */
static void snapshot(veche_worker *w)
{
    uint64_t rooms[VECHE_MSTATS_KINDS] = {0}, parts[VECHE_MSTATS_KINDS] = {0},
             tracks[VECHE_MSTATS_KINDS] = {0};
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, w->rooms);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        const veche_room *r = value;
        unsigned k = r->kind == VECHE_ROOM_TRAINING ? 1 : 0;
        rooms[k]++;
        for (guint i = 0; i < r->participants->len; i++) {
            const veche_participant *p = g_ptr_array_index(r->participants, i);
            parts[k]++;
            tracks[k] += p->tracks ? p->tracks->len : 0;
        }
    }
    for (unsigned k = 0; k < VECHE_MSTATS_KINDS; k++) {
        veche_mstats_set(&w->stats.rooms[k], rooms[k]);
        veche_mstats_set(&w->stats.participants[k], parts[k]);
        veche_mstats_set(&w->stats.tracks[k], tracks[k]);
    }
    veche_mstats_set(&w->stats.loop_lag_us, w->lag_max_us);
    w->lag_max_us = 0;
}

/* How late this timer ran is how long the loop was busy elsewhere. */
static gboolean on_probe(gpointer data)
{
    veche_worker *w = data;
    int64_t now = g_get_monotonic_time();
    uint64_t lag = now > w->probe_due_us ? (uint64_t)(now - w->probe_due_us) : 0;
    w->probe_due_us = now + PROBE_MS * 1000;
    veche_mstats_add(&w->stats.loop_lag_us_total, lag);
    if (lag > w->lag_max_us)
        w->lag_max_us = lag;
    if (++w->probes % PROBES_PER_SNAPSHOT == 0)
        snapshot(w);
    return G_SOURCE_CONTINUE;
}

static gpointer run(gpointer data)
{
    veche_worker *w = data;
    g_main_context_push_thread_default(w->env.ctx);
    g_main_loop_run(w->loop);
    /* Deferred frees of participants that left just before the stop. */
    while (g_main_context_iteration(w->env.ctx, FALSE))
        ;
    g_main_context_pop_thread_default(w->env.ctx);
    return NULL;
}

veche_worker *veche_worker_new(unsigned index, const veche_config *cfg,
                               veche_dtls_cert *cert, veche_sfu_emit_fn emit,
                               void *emit_ud)
{
    veche_worker *w = g_new0(veche_worker, 1);
    w->index = index;
    w->emit = emit;
    w->emit_ud = emit_ud;
    w->env = (veche_sfu_env){
        .ctx = g_main_context_new(), .cfg = cfg, .cert = cert,
        .emit = emit_stamped, .emit_ud = w, .worker = index, .mstats = &w->stats,
    };
    w->env.sendq = veche_sendq_new(w->env.ctx);
    w->loop = g_main_loop_new(w->env.ctx, FALSE);
    w->rooms = veche_dispatch_rooms_new();
    w->inbox = veche_mailbox_new(w->env.ctx, on_command, w, drop_command);
    w->sweep = g_timeout_source_new_seconds(SWEEP_SECONDS);
    g_source_set_callback(w->sweep, on_sweep, w, NULL);
    g_source_attach(w->sweep, w->env.ctx);
    w->probe = g_timeout_source_new(PROBE_MS);
    w->probe_due_us = g_get_monotonic_time() + PROBE_MS * 1000;
    g_source_set_callback(w->probe, on_probe, w, NULL);
    g_source_attach(w->probe, w->env.ctx);
    char name[16];
    g_snprintf(name, sizeof name, "veche-media%u", index);
    GError *error = NULL;
    w->thread = g_thread_try_new(name, run, w, &error);
    if (!w->thread) {
        VLOG_ERROR(NULL, NULL, "media worker %u: %s", index, error->message);
        g_error_free(error);
        veche_worker_free(w);
        return NULL;
    }
    VLOG_DEBUG(NULL, NULL, "media worker %u started", index);
    return w;
}

void veche_worker_send(veche_worker *w, veche_sfu_cmd *cmd)
{
    veche_mailbox_post(w->inbox, cmd);
}

void veche_worker_free(veche_worker *w)
{
    if (!w)
        return;
    if (w->thread) {
        veche_mailbox_post(w->inbox, &stop_marker);
        g_thread_join(w->thread);
    }
    g_source_destroy(w->sweep);
    g_source_unref(w->sweep);
    g_source_destroy(w->probe);
    g_source_unref(w->probe);
    veche_mailbox_free(w->inbox);
    g_hash_table_destroy(w->rooms);
    veche_sendq_free(w->env.sendq);
    g_main_loop_unref(w->loop);
    g_main_context_unref(w->env.ctx);
    g_free(w);
}

unsigned veche_worker_index(const veche_worker *w) { return w->index; }

const veche_mstats *veche_worker_stats(const veche_worker *w) { return &w->stats; }

unsigned veche_worker_count(const veche_config *cfg)
{
    if (cfg->media_workers > 0)
        return cfg->media_workers;
    unsigned n = g_get_num_processors();
    return n > 0 ? n : 1;
}
