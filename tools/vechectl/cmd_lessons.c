/* cmd_lessons.c - vechectl's lesson commands (vechectl.h):
 *
 *   lessons list [COURSE_ID]    one lesson a line: id, course, state,
 *                               recorded (UTC), duration s, bytes, title
 *   lessons export ID FILE      copy the lesson's WebM to FILE and its
 *                               chapters to FILE's name with .vtt
 *   lessons delete ID           remove the files; the lesson stays as a
 *                               tombstone so it is not rendered again
 *
 *   body-recording BODY_ID [on|off]
 *                               whether the body's chair may record its
 *                               meetings (body.allow_recording); prints
 *                               "on" or "off"; a change is audited
 *
 * The files are under the data directory (the database's folder with
 * --db).  The running server's supervisor is not involved. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "err.h"
#include "store_lessons.h"
#include "store_recording.h"
#include "vechectl.h"

#define SYNOPSIS "lessons list [COURSE_ID] | lessons export ID FILE | lessons delete ID"

static int list_cb(void *ud, const veche_lesson *l)
{
    (void)ud;
    GDateTime *t = g_date_time_new_from_unix_utc(l->recorded_at);
    char *when = t ? g_date_time_format(t, "%Y-%m-%dT%H:%MZ") : g_strdup("?");
    printf("%lld\t%lld\t%s\t%s\t%.1f\t%lld\t%s\n", (long long)l->id, (long long)l->course_id,
           veche_lesson_state_name(l->state), when, (double)l->duration_ms / 1000.0,
           (long long)l->bytes, l->title);
    g_free(when);
    if (t)
        g_date_time_unref(t);
    return 0;
}

static char *data_file(vctl *c, const char *rel)
{
    return g_build_filename(c->data_dir, rel, NULL);
}

static int copy_file(const char *from, const char *to)
{
    char *data = NULL;
    gsize len = 0;
    GError *err = NULL;
    bool ok = g_file_get_contents(from, &data, &len, &err) &&
              g_file_set_contents(to, data, (gssize)len, &err);
    if (!ok)
        fprintf(stderr, "vechectl: lessons export: %s\n", err ? err->message : "failed");
    g_clear_error(&err);
    g_free(data);
    return ok ? VCTL_OK : VCTL_TROUBLE;
}

static int export(vctl *c, const veche_lesson *l, const char *dest)
{
    if (l->state != VECHE_LESSON_READY)
        return vctl_refuse("lessons export: lesson %lld is %s, not ready", (long long)l->id,
                           veche_lesson_state_name(l->state));
    if (g_file_test(dest, G_FILE_TEST_EXISTS))
        return vctl_refuse("lessons export: %s exists; not overwritten", dest);
    char *src = data_file(c, l->path);
    int rc = copy_file(src, dest);
    g_free(src);
    if (rc != VCTL_OK || !l->vtt_path[0])
        return rc;
    size_t n = strlen(dest);
    char *vtt = n > 5 && strcmp(dest + n - 5, ".webm") == 0
                    ? g_strdup_printf("%.*s.vtt", (int)(n - 5), dest)
                    : g_strdup_printf("%s.vtt", dest);
    src = data_file(c, l->vtt_path);
    rc = copy_file(src, vtt);
    if (rc == VCTL_OK)
        printf("%s\n%s\n", dest, vtt);
    g_free(src);
    g_free(vtt);
    return rc;
}

static int delete(vctl *c, const veche_lesson *l)
{
    int r = veche_store_lesson_mark_deleted(c->st, l->id, c->now);
    if (r != 0)
        return vctl_fail("lessons delete", r);
    r = veche_store_lesson_remove_files(c->st, c->data_dir, l->id);
    if (r == VECHE_EIO) {
        fprintf(stderr, "vechectl: lessons delete: a file of lesson %lld could not be removed"
                " (the server's supervisor tries again)\n", (long long)l->id);
        return VCTL_TROUBLE;
    }
    if (r != 0)
        return vctl_fail("lessons delete", r);
    printf("deleted %lld\n", (long long)l->id);
    return VCTL_OK;
}

int cmd_lessons(vctl *c, int argc, char **argv)
{
    int64_t id = 0;
    if (!strcmp(argv[0], "list") && argc <= 2) {
        if (argc == 2 && vctl_parse_id(argv[1], &id) != 0)
            return vctl_usage(SYNOPSIS);
        int r = veche_store_lessons_list(c->st, id, 0, list_cb, NULL);
        return r < 0 ? vctl_fail("lessons list", r) : VCTL_OK;
    }
    bool is_export = !strcmp(argv[0], "export") && argc == 3;
    bool is_delete = !strcmp(argv[0], "delete") && argc == 2;
    if ((!is_export && !is_delete) || vctl_parse_id(argv[1], &id) != 0)
        return vctl_usage(SYNOPSIS);
    veche_lesson *l = g_new(veche_lesson, 1);
    int r = veche_store_lesson_get(c->st, id, l);
    int rc;
    if (r == VECHE_ENOTFOUND || (r == 0 && l->state == VECHE_LESSON_DELETED))
        rc = vctl_refuse("lessons: no lesson %lld", (long long)id);
    else if (r != 0)
        rc = vctl_fail("lessons", r);
    else
        rc = is_export ? export(c, l, argv[2]) : delete(c, l);
    g_free(l);
    return rc;
}

int cmd_body_recording(vctl *c, int argc, char **argv)
{
    static const char *const syn = "body-recording BODY_ID [on|off]";
    int64_t body_id;
    if (vctl_parse_id(argv[0], &body_id) != 0 ||
        (argc == 2 && strcmp(argv[1], "on") && strcmp(argv[1], "off")))
        return vctl_usage(syn);
    int allow = 0;
    int r = veche_store_body_allow_recording_get(c->st, body_id, &allow);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no body %lld", (long long)body_id);
    if (r != 0)
        return vctl_fail("body-recording", r);
    if (argc == 2) {
        int want = !strcmp(argv[1], "on");
        if (want != allow) {
            veche_body b;
            if ((r = veche_store_body_allow_recording_set(c->st, body_id, want)) != 0 ||
                (r = veche_store_body_get(c->st, body_id, &b)) != 0)
                return vctl_fail("body-recording", r);
            vctl_audit(c, b.org_id, "body.update", "body", body_id,
                       want ? "{\"allowRecording\":true}" : "{\"allowRecording\":false}");
        }
        allow = want;
    }
    printf("%s\n", allow ? "on" : "off");
    return VCTL_OK;
}
