/* lesson_render.c - the lesson supervisor thread (lesson_render.h). */
#include "lesson_render.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "store.h"
#include "store_lessons.h"

#define POLL_MS 2000
#define PROGRESS_EVERY_US (1000 * 1000)

struct veche_lesson_render {
    char *db_path, *data_dir, *program;
    GThread *thread;
    GMutex lock;                  /* guards stopping, child, stats */
    GCond wake;
    bool stopping;
    GPid child;                   /* the veche-render running, or 0 */
    veche_lesson_render_stats stats;
};

char *veche_lesson_render_program(void)
{
    const char *env = g_getenv("VECHE_RENDER");
    if (env && *env)
        return g_file_test(env, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup(env) : NULL;
    char *self = g_file_read_link("/proc/self/exe", NULL);
    if (!self)
        return NULL;
    char *dir = g_path_get_dirname(self);
    g_free(self);
    const char *tries[] = {"veche-render", "../render/veche-render"};
    char *found = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(tries) && !found; i++) {
        char *p = g_build_filename(dir, tries[i], NULL);
        if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE))
            found = p;
        else
            g_free(p);
    }
    g_free(dir);
    return found;
}

static bool stopping(veche_lesson_render *r)
{
    g_mutex_lock(&r->lock);
    bool s = r->stopping;
    g_mutex_unlock(&r->lock);
    return s;
}

/* Retention, then the files of deleted lessons still pending (left by a
 * crash between the tombstone and the unlink, or a file that would not
 * go): both here, on the supervisor's thread, never on the main loop. */
static void enforce_retention(veche_lesson_render *r, veche_store *st)
{
    veche_lesson *l = g_new(veche_lesson, 1);
    int64_t now = g_get_real_time() / 1000000;
    while (!stopping(r) && veche_store_lesson_next_expired(st, now, l) == 1) {
        if (veche_store_lesson_mark_deleted(st, l->id, now) != 0)
            break;
        VLOG_INFO(NULL, NULL, "lessons: lesson %lld of course %lld deleted by retention",
                  (long long)l->id, (long long)l->course_id);
    }
    int64_t last = 0;
    while (!stopping(r) && veche_store_lesson_next_pending(st, l) == 1 && l->id != last) {
        last = l->id;  /* a file that will not go: tried again at the next poll */
        int rc = veche_store_lesson_remove_files(st, r->data_dir, l->id);
        if (rc != 0)
            VLOG_WARN(NULL, NULL, "lessons: cannot remove the files of lesson %lld: %s",
                      (long long)l->id, veche_strerror(rc));
    }
    g_free(l);
}

typedef struct {
    veche_lesson_render *r;
    GPtrArray *argv;
} parts_ctx;

static int add_part(void *ud, int part, const char *path)
{
    parts_ctx *p = ud;
    if (strstr(path, "..") || path[0] == '/')  /* stay inside data_dir */
        return 0;
    g_ptr_array_add(p->argv, g_build_filename(p->r->data_dir, path, NULL));
    return 0;
}

/* Read the child's "progress F" / "done MS" lines until it closes stdout. */
static int64_t follow(veche_lesson_render *r, veche_store *st, int64_t id, int fd)
{
    FILE *f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        return -1;
    }
    char line[128];
    int64_t done_ms = -1, last_us = 0;
    while (fgets(line, sizeof line, f)) {
        double fr;
        long long ms;
        if (sscanf(line, "progress %lf", &fr) == 1) {
            int64_t now_us = g_get_monotonic_time();
            if (now_us - last_us >= PROGRESS_EVERY_US) {
                last_us = now_us;
                veche_store_lesson_progress(st, id, fr, g_get_real_time() / 1000000);
            }
        } else if (sscanf(line, "done %lld", &ms) == 1) {
            done_ms = ms;
        }
    }
    fclose(f);
    return done_ms;
}

static void render_one(veche_lesson_render *r, veche_store *st, const veche_lesson *l)
{
    int64_t now = g_get_real_time() / 1000000;
    char rel_dir[64], rel_webm[96], rel_vtt[96];
    snprintf(rel_dir, sizeof rel_dir, "lessons/%lld", (long long)l->id);
    snprintf(rel_webm, sizeof rel_webm, "%s/lesson.webm", rel_dir);
    snprintf(rel_vtt, sizeof rel_vtt, "%s/chapters.vtt", rel_dir);
    char *dir = g_build_filename(r->data_dir, rel_dir, NULL);
    char *webm = g_build_filename(r->data_dir, rel_webm, NULL);
    char *vtt = g_build_filename(r->data_dir, rel_vtt, NULL);
    parts_ctx pc = {r, g_ptr_array_new_with_free_func(g_free)};
    g_ptr_array_add(pc.argv, g_strdup(r->program));
    g_ptr_array_add(pc.argv, g_strdup("--out"));
    g_ptr_array_add(pc.argv, g_strdup(webm));
    g_ptr_array_add(pc.argv, g_strdup("--vtt"));
    g_ptr_array_add(pc.argv, g_strdup(vtt));
    guint fixed = pc.argv->len;
    int rc = veche_store_lesson_parts(st, l->event_id, l->parts, add_part, &pc);
    g_ptr_array_add(pc.argv, NULL);
    GError *err = NULL;
    GPid pid = 0;
    int out_fd = -1;
    const char *why = NULL;
    if (rc != 0 || pc.argv->len - 1 == fixed)
        why = "no readable recording parts";
    else if (g_mkdir_with_parents(dir, 0700) != 0)
        why = "cannot create the lesson's folder";
    else if (!g_spawn_async_with_pipes(NULL, (char **)pc.argv->pdata, NULL,
                                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL,
                                       NULL, NULL, &pid, NULL, &out_fd, NULL, &err))
        why = "cannot start veche-render";
    if (!why) {
        g_mutex_lock(&r->lock);
        r->child = pid;
        bool stop = r->stopping;
        g_mutex_unlock(&r->lock);
        if (stop)
            kill(pid, SIGTERM);
        VLOG_INFO(NULL, NULL, "lessons: rendering lesson %lld of event %lld (%u parts, pid %d)",
                  (long long)l->id, (long long)l->event_id, pc.argv->len - 1 - fixed, (int)pid);
        int64_t ms = follow(r, st, l->id, out_fd);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        g_spawn_close_pid(pid);
        g_mutex_lock(&r->lock);
        r->child = 0;
        g_mutex_unlock(&r->lock);
        GStatBuf sb;
        now = g_get_real_time() / 1000000;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && ms >= 0 && g_stat(webm, &sb) == 0) {
            veche_store_lesson_finish(st, l->id, rel_webm, rel_vtt, ms, (int64_t)sb.st_size, now);
            g_mutex_lock(&r->lock);
            r->stats.ready++;
            g_mutex_unlock(&r->lock);
            VLOG_INFO(NULL, NULL, "lessons: lesson %lld ready (%lld ms, %lld bytes)",
                      (long long)l->id, (long long)ms, (long long)sb.st_size);
        } else if (stopping(r)) {
            /* stays rendering: claimed again at the next start */
        } else {
            why = "veche-render failed";
        }
    }
    if (why) {
        VLOG_WARN(NULL, NULL, "lessons: lesson %lld: %s%s%s", (long long)l->id, why,
                  err ? ": " : "", err ? err->message : "");
        veche_store_lesson_fail(st, l->id, why, now);
        g_mutex_lock(&r->lock);
        r->stats.failed++;
        g_mutex_unlock(&r->lock);
    }
    g_clear_error(&err);
    g_ptr_array_free(pc.argv, TRUE);
    g_free(dir), g_free(webm), g_free(vtt);
}

/* The queue's length for /metrics (a count on this thread's connection). */
static void count_queue(veche_lesson_render *r, veche_store *st)
{
    int64_t n = 0;
    if (veche_store_lesson_pending(st, &n) != 0)
        return;
    g_mutex_lock(&r->lock);
    r->stats.queued = (unsigned)n;
    g_mutex_unlock(&r->lock);
}

static void set_rendering(veche_lesson_render *r, bool on)
{
    g_mutex_lock(&r->lock);
    r->stats.rendering = on;
    g_mutex_unlock(&r->lock);
}

void veche_lesson_render_get_stats(veche_lesson_render *r, veche_lesson_render_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!r)
        return;
    g_mutex_lock(&r->lock);
    *out = r->stats;
    g_mutex_unlock(&r->lock);
}

static gpointer thread_main(gpointer ud)
{
    veche_lesson_render *r = ud;
    veche_store *st = NULL;
    int rc = veche_store_open(r->db_path, &st);  /* a connection of its own */
    if (rc != 0) {
        VLOG_ERROR(NULL, NULL, "lessons: cannot open the database: %s", veche_strerror(rc));
        return NULL;
    }
    veche_store_lesson_reset_rendering(st, g_get_real_time() / 1000000);
    veche_lesson *l = g_new(veche_lesson, 1);
    while (!stopping(r)) {
        enforce_retention(r, st);
        if (r->program) {
            count_queue(r, st);
            while (!stopping(r) &&
                   veche_store_lesson_claim(st, g_get_real_time() / 1000000, l) == 1) {
                set_rendering(r, true);
                count_queue(r, st);
                render_one(r, st, l);
                set_rendering(r, false);
            }
            count_queue(r, st);
        }
        g_mutex_lock(&r->lock);
        gint64 until = g_get_monotonic_time() + POLL_MS * 1000;
        while (!r->stopping && g_cond_wait_until(&r->wake, &r->lock, until))
            ;
        g_mutex_unlock(&r->lock);
    }
    g_free(l);
    veche_store_close(st);
    return NULL;
}

veche_lesson_render *veche_lesson_render_new(const char *db_path, const char *data_dir)
{
    if (!db_path || !data_dir)
        return NULL;
    veche_lesson_render *r = g_new0(veche_lesson_render, 1);
    r->db_path = g_strdup(db_path);
    r->data_dir = g_strdup(data_dir);
    r->program = veche_lesson_render_program();
    if (!r->program)
        VLOG_WARN(NULL, NULL, "lessons: veche-render not found (set VECHE_RENDER): "
                              "recordings are not turned into lessons");
    g_mutex_init(&r->lock);
    g_cond_init(&r->wake);
    r->thread = g_thread_new("veche-lessons", thread_main, r);
    return r;
}

void veche_lesson_render_free(veche_lesson_render *r)
{
    if (!r)
        return;
    g_mutex_lock(&r->lock);
    r->stopping = true;
    if (r->child)
        kill(r->child, SIGTERM);  /* our own child, by pid */
    g_cond_signal(&r->wake);
    g_mutex_unlock(&r->lock);
    g_thread_join(r->thread);
    g_mutex_clear(&r->lock);
    g_cond_clear(&r->wake);
    g_free(r->db_path), g_free(r->data_dir), g_free(r->program);
    g_free(r);
}
