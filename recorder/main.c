/* main.c - veche-recorder: the archival recorder process.
 *
 * The server starts it with pipes on stdin and stdout: commands come as
 * JSON lines on stdin (ctl.h), events go back as JSON lines on stdout; the
 * log goes to stderr.  Media comes as plain RTP/RTCP over UDP to the ports
 * each part reports (part.h), so a recorder could run on another machine.
 *
 *   open   -> {"ev":"opened","part":N,"rtp":P,"rtcp":Q} | {"ev":"error",...}
 *   tracks -> {"ev":"recording","part":N,"t0_ms":T}    | {"ev":"error",...}
 *   mark   -> (nothing)
 *   stop   -> {"ev":"closed","part":N,"ok":true,"bytes":B,"duration_ms":D,"close_ms":C}
 *   repair -> {"ev":"repaired","part":N,"ok":bool,"bytes":B,"duration_ms":D}
 *   on its own: {"ev":"disk-low","part":N,"free_mb":F}, and a stop with
 *   {"ev":"closed",...,"why":"disk-full"} before the disk fills up.
 *
 * End of stdin (the server went away, even by kill -9): every part is
 * closed cleanly, then the process exits.  Disk space is checked every
 * half second with statvfs (min_free_mb of the part's open command).
 */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ctl.h"
#include "part.h"
#include "repair.h"

#define DISK_CHECK_MS 500
#define QUIT_TIMEOUT_MS 4000

typedef struct {
    GMainLoop *loop;
    GHashTable *parts;          /* id (gint64*) -> veche_rec_part*, owned */
    GHashTable *low_told;       /* ids told disk-low */
    unsigned repairs;           /* repairs under way */
    bool quitting;
    guint stdin_watch;          /* 0 once the control channel closed */
} recorder;

static void emit(json_t *ev)
{
    char *text = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    if (!text)
        return;
    GString *line = g_string_new(text);
    free(text);
    g_string_append_c(line, '\n');
    ssize_t w = write(STDOUT_FILENO, line->str, line->len);
    (void)w;  /* the server gone: stdin's EOF ends us */
    g_string_free(line, TRUE);
}

static void emit_error(int64_t part, const char *code, const char *reason)
{
    emit(json_pack("{s:s, s:I, s:s, s:s}", "ev", "error", "part", (json_int_t)part, "code",
                   code, "reason", reason));
}

static void maybe_quit(recorder *r)
{
    if (r->quitting && g_hash_table_size(r->parts) == 0 && r->repairs == 0)
        g_main_loop_quit(r->loop);
}

static int64_t file_bytes(const char *path)
{
    GStatBuf st;
    return g_stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

static gboolean free_part(gpointer p)
{
    veche_rec_part_free(p);
    return G_SOURCE_REMOVE;
}

static void part_closed(void *ud, veche_rec_part *p, int ok, const char *reason)
{
    recorder *r = ud;
    int64_t id = veche_rec_part_id(p);
    emit(json_pack("{s:s, s:I, s:b, s:I, s:I, s:I, s:s?}", "ev", "closed", "part",
                   (json_int_t)id, "ok", ok, "bytes",
                   (json_int_t)file_bytes(veche_rec_part_path(p)), "duration_ms",
                   (json_int_t)veche_rec_part_duration_ms(p), "close_ms",
                   (json_int_t)veche_rec_part_close_ms(p), "why", reason));
    gpointer key = NULL;
    if (g_hash_table_steal_extended(r->parts, &id, &key, NULL))
        g_free(key);
    g_hash_table_remove(r->low_told, &id);
    /* Freed outside the bus callback that may have called us. */
    g_idle_add(free_part, p);
    maybe_quit(r);
}

static void repaired(void *ud, int64_t part, int ok, int64_t bytes, int64_t duration_ms)
{
    recorder *r = ud;
    r->repairs--;
    emit(json_pack("{s:s, s:I, s:b, s:I, s:I}", "ev", "repaired", "part", (json_int_t)part,
                   "ok", ok, "bytes", (json_int_t)bytes, "duration_ms",
                   (json_int_t)duration_ms));
    maybe_quit(r);
}

static void do_open(recorder *r, veche_rec_cmd *c)
{
    char reason[256] = "";
    if (g_hash_table_contains(r->parts, &c->part)) {
        emit_error(c->part, "bad-state", "part already open");
        return;
    }
    char *dir = g_path_get_dirname(c->path);
    g_mkdir_with_parents(dir, 0750);
    struct statvfs vfs;
    int64_t free_mb = statvfs(dir, &vfs) == 0
                          ? (int64_t)((guint64)vfs.f_bavail * vfs.f_frsize / (1024 * 1024)) : -1;
    g_free(dir);
    if (free_mb >= 0 && free_mb < c->min_free_mb) {
        emit_error(c->part, "disk-full", "not enough free disk space to record");
        return;
    }
    veche_rec_part *p = veche_rec_part_open(c, part_closed, r, reason, sizeof reason);
    if (!p) {
        emit_error(c->part, "io", reason);
        return;
    }
    gint64 *key = g_new(gint64, 1);
    *key = c->part;
    g_hash_table_insert(r->parts, key, p);
    unsigned rtp, rtcp;
    veche_rec_part_ports(p, &rtp, &rtcp);
    emit(json_pack("{s:s, s:I, s:i, s:i}", "ev", "opened", "part", (json_int_t)c->part, "rtp",
                   (int)rtp, "rtcp", (int)rtcp));
}

static void do_tracks(recorder *r, veche_rec_part *p, veche_rec_cmd *c)
{
    char reason[256] = "";
    int64_t t0 = 0;
    if (veche_rec_part_start(p, c, &t0, reason, sizeof reason) != 0) {
        emit_error(c->part, "io", reason);
        veche_rec_part_stop(p, "failed");
        return;
    }
    (void)r;
    emit(json_pack("{s:s, s:I, s:I}", "ev", "recording", "part", (json_int_t)c->part, "t0_ms",
                   (json_int_t)t0));
}

static void command(recorder *r, veche_rec_cmd *c)
{
    veche_rec_part *p = g_hash_table_lookup(r->parts, &c->part);
    switch (c->type) {
    case VECHE_REC_OPEN:
        do_open(r, c);
        return;
    case VECHE_REC_REPAIR:
        r->repairs++;
        veche_rec_repair_start(c->part, c->path, repaired, r);
        return;
    case VECHE_REC_QUIT:
        r->quitting = true;
        maybe_quit(r);
        return;
    default:
        break;
    }
    if (!p) {
        emit_error(c->part, "no-such-part", "no such part");
        return;
    }
    if (c->type == VECHE_REC_TRACKS)
        do_tracks(r, p, c);
    else if (c->type == VECHE_REC_MARK)
        veche_rec_part_mark(p, c->mark);
    else if (c->type == VECHE_REC_STOP)
        veche_rec_part_stop(p, NULL);
}

static void stop_all(recorder *r, const char *why)
{
    GList *parts = g_hash_table_get_values(r->parts);
    for (GList *l = parts; l; l = l->next)
        veche_rec_part_stop(l->data, why);
    g_list_free(parts);
}

static gboolean quit_anyway(gpointer ud)
{
    g_main_loop_quit(((recorder *)ud)->loop);
    return G_SOURCE_REMOVE;
}

static gboolean on_stdin(GIOChannel *ch, GIOCondition cond, gpointer ud)
{
    recorder *r = ud;
    (void)cond;
    for (;;) {
        char *line = NULL;
        gsize len = 0;
        GIOStatus st = g_io_channel_read_line(ch, &line, &len, NULL, NULL);
        if (st == G_IO_STATUS_AGAIN)
            return G_SOURCE_CONTINUE;
        if (st != G_IO_STATUS_NORMAL) {
            g_free(line);
            g_printerr("veche-recorder: control channel closed; closing %u part(s)\n",
                       g_hash_table_size(r->parts));
            r->quitting = true;
            r->stdin_watch = 0;
            stop_all(r, "server-gone");
            g_timeout_add(QUIT_TIMEOUT_MS, quit_anyway, r);
            maybe_quit(r);
            return G_SOURCE_REMOVE;
        }
        veche_rec_cmd c;
        char reason[160];
        if (veche_rec_ctl_parse(line, len, &c, reason, sizeof reason) == 0) {
            command(r, &c);
            veche_rec_ctl_clear(&c);
        } else {
            emit(json_pack("{s:s, s:s, s:s}", "ev", "error", "code", "bad-command", "reason",
                           reason));
        }
        g_free(line);
    }
}

/* Stop a part cleanly before its disk is full; warn at twice the limit. */
static gboolean check_disk(gpointer ud)
{
    recorder *r = ud;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, r->parts);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        veche_rec_part *p = value;
        int64_t min = veche_rec_part_min_free_mb(p);
        if (!min || veche_rec_part_is_closing(p))
            continue;
        char *dir = g_path_get_dirname(veche_rec_part_path(p));
        struct statvfs vfs;
        int rc = statvfs(dir, &vfs);
        g_free(dir);
        if (rc != 0)
            continue;
        int64_t free_mb = (int64_t)((guint64)vfs.f_bavail * vfs.f_frsize / (1024 * 1024));
        if (free_mb < min) {
            g_printerr("veche-recorder: part %" G_GINT64_FORMAT ": %" G_GINT64_FORMAT
                       " MB free, stopping\n", *(gint64 *)key, free_mb);
            veche_rec_part_stop(p, "disk-full");
        } else if (free_mb < 2 * min && !g_hash_table_contains(r->low_told, key)) {
            gint64 *k = g_new(gint64, 1);
            *k = *(gint64 *)key;
            g_hash_table_add(r->low_told, k);
            emit(json_pack("{s:s, s:I, s:I}", "ev", "disk-low", "part", (json_int_t)*k,
                           "free_mb", (json_int_t)free_mb));
        }
    }
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    recorder r = {0};
    r.loop = g_main_loop_new(NULL, FALSE);
    r.parts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                    (GDestroyNotify)veche_rec_part_free);
    r.low_told = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    GIOChannel *in = g_io_channel_unix_new(STDIN_FILENO);
    g_io_channel_set_encoding(in, NULL, NULL);
    g_io_channel_set_flags(in, G_IO_FLAG_NONBLOCK, NULL);
    r.stdin_watch = g_io_add_watch(in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, &r);
    g_timeout_add(DISK_CHECK_MS, check_disk, &r);
    emit(json_pack("{s:s, s:i}", "ev", "ready", "pid", (int)getpid()));
    g_main_loop_run(r.loop);
    while (g_main_context_iteration(NULL, FALSE))
        ;  /* the parts' deferred frees */
    if (r.stdin_watch)
        g_source_remove(r.stdin_watch);
    g_hash_table_destroy(r.parts);
    g_hash_table_destroy(r.low_told);
    g_io_channel_unref(in);
    g_main_loop_unref(r.loop);
    gst_deinit();
    return 0;
}
