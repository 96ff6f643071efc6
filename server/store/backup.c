/* backup.c - regular online backups (backup.h). */
#include "backup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

#define PREFIX "veche-"
#define SUFFIX ".db"

struct veche_backup {
    veche_store *st;
    char *dir;
    unsigned interval_secs;
    unsigned keep;
    GSource *timer;
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
    /* milliseconds in the name: later backups sort after earlier ones */
    int64_t us = g_get_real_time();
    GDateTime *now = g_date_time_new_from_unix_utc(us / 1000000);
    char *secs = g_date_time_format(now, "%Y%m%dT%H%M%S");
    char *stamp = g_strdup_printf("%s.%03dZ", secs, (int)(us / 1000 % 1000));
    g_free(secs);
    g_date_time_unref(now);
    int rc = VECHE_EEXISTS;
    char *dest = NULL;
    for (unsigned n = 0; n < 100 && rc == VECHE_EEXISTS; n++) {
        g_free(dest);
        /* "_NN" sorts after the bare name ('_' > '.'), in order */
        char *name = n ? g_strdup_printf(PREFIX "%s_%02u" SUFFIX, stamp, n)
                       : g_strdup_printf(PREFIX "%s" SUFFIX, stamp);
        dest = g_build_filename(b->dir, name, NULL);
        g_free(name);
        rc = veche_store_backup(b->st, dest);
    }
    g_free(stamp);
    if (rc == 0) {
        VLOG_INFO(NULL, NULL, "backup: database copied to %s", dest);
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

static gboolean on_timer(gpointer ud)
{
    veche_backup_run(ud, NULL, 0);
    return G_SOURCE_CONTINUE;
}

veche_backup *veche_backup_new(veche_store *st, const char *dir, unsigned interval_secs,
                               unsigned keep, GMainContext *ctx)
{
    if (!st || !dir || !*dir || !interval_secs || !keep)
        return NULL;
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        VLOG_ERROR(NULL, NULL, "backup: cannot create %s: %s", dir, g_strerror(errno));
        return NULL;
    }
    veche_backup *b = g_new0(veche_backup, 1);
    b->st = st;
    b->dir = g_strdup(dir);
    b->interval_secs = interval_secs;
    b->keep = keep;
    int64_t newest = veche_backup_newest(dir);
    if (g_get_real_time() / 1000000 - newest >= (int64_t)interval_secs)
        veche_backup_run(b, NULL, 0);
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
    g_free(b->dir);
    g_free(b);
}
