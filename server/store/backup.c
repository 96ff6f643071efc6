/* backup.c - regular online backups (backup.h) on a thread of their own:
 * the timer on the main context asks, the thread opens its own connection,
 * copies, prunes and closes it. */
#include "backup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#endif

#include "store.h"

#include "err.h"
#include "log.h"

#define PREFIX "veche-"
#define SUFFIX ".db"

#define BACKUP_NICE 10            /* below the main loop and the store thread */
#define JOB_RUN GINT_TO_POINTER(1)
#define JOB_STOP GINT_TO_POINTER(2)

struct veche_backup {
    char *db_path;
    char *dir;
    unsigned interval_secs;
    unsigned keep;
    GSource *timer;
    GThread *thread;
    GAsyncQueue *jobs;            /* JOB_RUN, JOB_STOP */
    GMutex lock;                  /* guards busy and count */
    GCond idle;
    bool busy;                    /* a backup queued or under way */
    unsigned count;               /* finished by the thread */
};

/* Whether name is one of ours: veche-YYYYmmddTHHMMSS.mmmZ[_NN].db. */
static bool is_backup_name(const char *name)
{
    size_t n = strlen(name);
    return g_str_has_prefix(name, PREFIX) && g_str_has_suffix(name, SUFFIX) &&
           n >= strlen(PREFIX "20261129T120000.000Z" SUFFIX) && name[strlen(PREFIX) + 8] == 'T';
}

static gint by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Our backup names in dir, sorted oldest first (the names sort by time). */
static GPtrArray *list_backups(const char *dir)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return names;
    for (const char *name; (name = g_dir_read_name(d));)
        if (is_backup_name(name))
            g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, by_name);
    return names;
}

int64_t veche_backup_newest(const char *dir)
{
    GPtrArray *names = list_backups(dir);
    int64_t t = 0;
    if (names->len) {
        char *path = g_build_filename(dir, g_ptr_array_index(names, names->len - 1), NULL);
        struct stat sb;
        if (stat(path, &sb) == 0)
            t = (int64_t)sb.st_mtime;
        g_free(path);
    }
    g_ptr_array_unref(names);
    return t;
}

/* Remove all but the newest b->keep backups. */
static void prune(veche_backup *b)
{
    GPtrArray *names = list_backups(b->dir);
    for (guint i = 0; i + b->keep < names->len; i++) {
        char *path = g_build_filename(b->dir, g_ptr_array_index(names, i), NULL);
        if (unlink(path) != 0)
            VLOG_WARN(NULL, NULL, "backup: cannot remove an old backup: %s", g_strerror(errno));
        g_free(path);
    }
    g_ptr_array_unref(names);
}

int veche_backup_run(veche_backup *b, char *path, size_t cap)
{
    veche_store *st = NULL;
    int64_t t0 = g_get_monotonic_time();
    int orc = veche_store_open(b->db_path, &st);  /* a connection of its own */
    /* milliseconds in the name: later backups sort after earlier ones */
    int64_t us = g_get_real_time();
    GDateTime *now = g_date_time_new_from_unix_utc(us / 1000000);
    char *secs = g_date_time_format(now, "%Y%m%dT%H%M%S");
    char *stamp = g_strdup_printf("%s.%03dZ", secs, (int)(us / 1000 % 1000));
    g_free(secs);
    g_date_time_unref(now);
    int rc = orc ? orc : VECHE_EEXISTS;
    char *dest = NULL;
    for (unsigned n = 0; st && n < 100 && rc == VECHE_EEXISTS; n++) {
        g_free(dest);
        /* "_NN" sorts after the bare name ('_' > '.'), in order */
        char *name = n ? g_strdup_printf(PREFIX "%s_%02u" SUFFIX, stamp, n)
                       : g_strdup_printf(PREFIX "%s" SUFFIX, stamp);
        dest = g_build_filename(b->dir, name, NULL);
        g_free(name);
        rc = st ? veche_store_backup(st, dest) : rc;
    }
    veche_store_close(st);
    g_free(stamp);
    if (rc == 0) {
        VLOG_INFO(NULL, NULL, "backup: database copied to %s in %lld ms", dest,
                  (long long)(g_get_monotonic_time() - t0) / 1000);
        prune(b);
        if (path)
            g_strlcpy(path, dest, cap);
    } else {
        VLOG_ERROR(NULL, NULL, "backup: failed: %s (the next try in %u s)", veche_strerror(rc),
                   b->interval_secs);
    }
    g_free(dest);
    return rc;
}

/* Lower the backup thread's priority (Linux: nice is per thread). */
static void lower_priority(void)
{
#ifdef __linux__
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), BACKUP_NICE) != 0)
        VLOG_DEBUG(NULL, NULL, "backup: thread keeps its priority");
#endif
}

static gpointer thread_main(gpointer data)
{
    veche_backup *b = data;
    lower_priority();
    for (;;) {
        gpointer job = g_async_queue_pop(b->jobs);
        if (job == JOB_STOP)
            return NULL;
        veche_backup_run(b, NULL, 0);
        g_mutex_lock(&b->lock);
        b->busy = false;
        b->count++;
        g_cond_broadcast(&b->idle);
        g_mutex_unlock(&b->lock);
    }
}

bool veche_backup_start(veche_backup *b)
{
    g_mutex_lock(&b->lock);
    bool start = !b->busy;
    b->busy = true;
    g_mutex_unlock(&b->lock);
    if (start)
        g_async_queue_push(b->jobs, JOB_RUN);
    else
        VLOG_WARN(NULL, NULL, "backup: the last one is still running: this one skipped");
    return start;
}

void veche_backup_wait(veche_backup *b)
{
    g_mutex_lock(&b->lock);
    while (b->busy)
        g_cond_wait(&b->idle, &b->lock);
    g_mutex_unlock(&b->lock);
}

unsigned veche_backup_count(veche_backup *b)
{
    g_mutex_lock(&b->lock);
    unsigned n = b->count;
    g_mutex_unlock(&b->lock);
    return n;
}

static gboolean on_timer(gpointer ud)
{
    veche_backup_start(ud);
    return G_SOURCE_CONTINUE;
}

veche_backup *veche_backup_new(const char *db_path, const char *dir, unsigned interval_secs,
                               unsigned keep, GMainContext *ctx)
{
    if (!db_path || !*db_path || !dir || !*dir || !interval_secs || !keep)
        return NULL;
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        VLOG_ERROR(NULL, NULL, "backup: cannot create %s: %s", dir, g_strerror(errno));
        return NULL;
    }
    veche_backup *b = g_new0(veche_backup, 1);
    b->db_path = g_strdup(db_path);
    b->dir = g_strdup(dir);
    b->interval_secs = interval_secs;
    b->keep = keep;
    g_mutex_init(&b->lock);
    g_cond_init(&b->idle);
    b->jobs = g_async_queue_new();
    b->thread = g_thread_new("veche-backup", thread_main, b);
    int64_t newest = veche_backup_newest(dir);
    if (g_get_real_time() / 1000000 - newest >= (int64_t)interval_secs)
        veche_backup_start(b);
    b->timer = g_timeout_source_new_seconds(interval_secs);
    g_source_set_callback(b->timer, on_timer, b, NULL);
    g_source_attach(b->timer, ctx);
    return b;
}

void veche_backup_free(veche_backup *b)
{
    if (!b)
        return;
    if (b->timer) {
        g_source_destroy(b->timer);
        g_source_unref(b->timer);
    }
    g_async_queue_push(b->jobs, JOB_STOP);
    g_thread_join(b->thread);  /* after the backup under way, if any */
    g_async_queue_unref(b->jobs);
    g_mutex_clear(&b->lock);
    g_cond_clear(&b->idle);
    g_free(b->db_path);
    g_free(b->dir);
    g_free(b);
}
