/* worker.c - a media worker thread; see worker.h.
 *
 * The thread makes its context the thread default, then runs its loop.
 * Commands arrive through a mailbox on that context and go to dispatch.c;
 * every 5 s a sweep reports rooms that became idle.  Stopping is a marker
 * posted behind the commands already queued: the thread frees its rooms,
 * runs what their participants left pending (deferred frees), and returns.
 */
#include "worker.h"

#include "dispatch.h"
#include "log.h"
#include "mailbox.h"

#define SWEEP_SECONDS 5

struct veche_worker {
    unsigned index;
    veche_sfu_emit_fn emit;      /* the caller's */
    void *emit_ud;
    veche_sfu_env env;           /* ctx: the worker's own */
    GMainLoop *loop;
    GHashTable *rooms;           /* id -> veche_room*, owned; worker thread only */
    veche_mailbox *inbox;        /* veche_sfu_cmd* or &stop_marker */
    GSource *sweep;
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
        .emit = emit_stamped, .emit_ud = w, .worker = index,
    };
    w->loop = g_main_loop_new(w->env.ctx, FALSE);
    w->rooms = veche_dispatch_rooms_new();
    w->inbox = veche_mailbox_new(w->env.ctx, on_command, w, drop_command);
    w->sweep = g_timeout_source_new_seconds(SWEEP_SECONDS);
    g_source_set_callback(w->sweep, on_sweep, w, NULL);
    g_source_attach(w->sweep, w->env.ctx);
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
    veche_mailbox_free(w->inbox);
    g_hash_table_destroy(w->rooms);
    g_main_loop_unref(w->loop);
    g_main_context_unref(w->env.ctx);
    g_free(w);
}

unsigned veche_worker_index(const veche_worker *w) { return w->index; }

unsigned veche_worker_count(const veche_config *cfg)
{
    if (cfg->media_workers > 0)
        return cfg->media_workers;
    unsigned n = g_get_num_processors();
    return n > 0 ? n : 1;
}
