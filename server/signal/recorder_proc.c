/* recorder_proc.c - spawn and supervise veche-recorder (recorder_proc.h). */
#include "recorder_proc.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

#define RESTART_MIN_MS 1000
#define RESTART_MAX_MS 30000
#define EXIT_WAIT_MS 5000

struct veche_recproc {
    /* passed by argument */
    GMainContext *ctx;
    veche_recproc_line_fn line;
    veche_recproc_died_fn died;
    void *ud;
    /* allocated by this */
    char *path;
    GPid pid;                    /* 0: not running */
    int in_fd;                   /* its stdin */
    GIOChannel *out;             /* its stdout */
    GSource *out_watch, *child_watch, *restart;
    unsigned backoff_ms;
};

static void spawn(veche_recproc *rp);

static void close_pipes(veche_recproc *rp)
{
    if (rp->out_watch) {
        g_source_destroy(rp->out_watch);
        g_source_unref(rp->out_watch);
        rp->out_watch = NULL;
    }
    if (rp->out) {
        g_io_channel_shutdown(rp->out, FALSE, NULL);
        g_io_channel_unref(rp->out);
        rp->out = NULL;
    }
    if (rp->in_fd >= 0)
        close(rp->in_fd);
    rp->in_fd = -1;
}

static gboolean restart_now(gpointer ud)
{
    veche_recproc *rp = ud;
    g_source_unref(rp->restart);
    rp->restart = NULL;
    spawn(rp);
    return G_SOURCE_REMOVE;
}

static void schedule_restart(veche_recproc *rp)
{
    rp->restart = g_timeout_source_new(rp->backoff_ms);
    g_source_set_callback(rp->restart, restart_now, rp, NULL);
    g_source_attach(rp->restart, rp->ctx);
    rp->backoff_ms = MIN(rp->backoff_ms * 2, RESTART_MAX_MS);
}

static void child_exited(GPid pid, gint status, gpointer ud)
{
    veche_recproc *rp = ud;
    g_spawn_close_pid(pid);
    if (rp->child_watch) {
        g_source_unref(rp->child_watch);
        rp->child_watch = NULL;
    }
    VLOG_ERROR(NULL, NULL, "recorder (pid %d) ended: %s %d; restarting", (int)pid,
               WIFSIGNALED(status) ? "signal" : "status",
               WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    close_pipes(rp);
    rp->pid = 0;
    schedule_restart(rp);
    rp->died(rp->ud);
}

static gboolean on_output(GIOChannel *ch, GIOCondition cond, gpointer ud)
{
    veche_recproc *rp = ud;
    (void)cond;
    for (;;) {
        char *text = NULL;
        gsize len = 0;
        GIOStatus st = g_io_channel_read_line(ch, &text, &len, NULL, NULL);
        if (st == G_IO_STATUS_AGAIN)
            return G_SOURCE_CONTINUE;
        if (st != G_IO_STATUS_NORMAL) {
            g_free(text);
            g_source_unref(rp->out_watch);
            rp->out_watch = NULL;
            return G_SOURCE_REMOVE;  /* the child watch does the rest */
        }
        json_t *ev = json_loadb(text, len, 0, NULL);
        g_free(text);
        if (json_is_object(ev)) {
            if (g_strcmp0(json_string_value(json_object_get(ev, "ev")), "ready") == 0)
                rp->backoff_ms = RESTART_MIN_MS;
            rp->line(rp->ud, ev);
        }
        json_decref(ev);
    }
}

static void spawn(veche_recproc *rp)
{
    char *argv[] = {rp->path, NULL};
    GError *e = NULL;
    int in_fd, out_fd;
    if (!g_spawn_async_with_pipes(NULL, argv, NULL,
                                  G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL,
                                  NULL, &rp->pid, &in_fd, &out_fd, NULL, &e)) {
        VLOG_ERROR(NULL, NULL, "recorder %s cannot start: %s", rp->path,
                   e ? e->message : "?");
        g_clear_error(&e);
        rp->pid = 0;
        schedule_restart(rp);
        return;
    }
    VLOG_INFO(NULL, NULL, "recorder %s started (pid %d)", rp->path, (int)rp->pid);
    rp->in_fd = in_fd;
    rp->out = g_io_channel_unix_new(out_fd);
    g_io_channel_set_close_on_unref(rp->out, TRUE);
    g_io_channel_set_encoding(rp->out, NULL, NULL);
    g_io_channel_set_flags(rp->out, G_IO_FLAG_NONBLOCK, NULL);
    rp->out_watch = g_io_create_watch(rp->out, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(rp->out_watch, G_SOURCE_FUNC(on_output), rp, NULL);
    g_source_attach(rp->out_watch, rp->ctx);
    rp->child_watch = g_child_watch_source_new(rp->pid);
    g_source_set_callback(rp->child_watch, G_SOURCE_FUNC(child_exited), rp, NULL);
    g_source_attach(rp->child_watch, rp->ctx);
}

veche_recproc *veche_recproc_new(const char *path, GMainContext *ctx,
                                 veche_recproc_line_fn line, veche_recproc_died_fn died,
                                 void *ud)
{
    if (!path || !*path)
        return NULL;
    veche_recproc *rp = g_new0(veche_recproc, 1);
    rp->ctx = ctx;
    rp->line = line;
    rp->died = died;
    rp->ud = ud;
    rp->path = g_strdup(path);
    rp->in_fd = -1;
    rp->backoff_ms = RESTART_MIN_MS;
    spawn(rp);
    return rp;
}

int veche_recproc_send(veche_recproc *rp, json_t *cmd)
{
    if (!rp || !rp->pid || rp->in_fd < 0)
        return -1;
    char *text = json_dumps(cmd, JSON_COMPACT);
    if (!text)
        return -1;
    size_t n = strlen(text);
    char *line = g_malloc(n + 1);
    memcpy(line, text, n);
    line[n] = '\n';
    free(text);
    /* A pipe write up to PIPE_BUF is atomic; ours are short, and the
     * recorder reads at once: a blocking write is fine here. */
    size_t off = 0;
    while (off < n + 1) {
        ssize_t w = write(rp->in_fd, line + off, n + 1 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    g_free(line);
    return off == n + 1 ? 0 : -1;
}

bool veche_recproc_running(const veche_recproc *rp)
{
    return rp && rp->pid;
}

int veche_recproc_pid(const veche_recproc *rp)
{
    return rp ? (int)rp->pid : 0;
}

void veche_recproc_free(veche_recproc *rp)
{
    if (!rp)
        return;
    if (rp->restart) {
        g_source_destroy(rp->restart);
        g_source_unref(rp->restart);
    }
    if (rp->child_watch) {
        g_source_destroy(rp->child_watch);
        g_source_unref(rp->child_watch);
    }
    close_pipes(rp);
    if (rp->pid) {
        /* stdin closed: the recorder closes its parts and exits */
        int status;
        for (int waited = 0; waited < EXIT_WAIT_MS; waited += 50) {
            if (waitpid(rp->pid, &status, WNOHANG) == rp->pid) {
                rp->pid = 0;
                break;
            }
            g_usleep(50 * 1000);
        }
        if (rp->pid) {
            kill(rp->pid, SIGKILL);
            waitpid(rp->pid, &status, 0);
        }
    }
    g_free(rp->path);
    g_free(rp);
}
