/* report.c - veche-peer's event log, errors, checks, the JSON "tracks"
 * array and the evaluation of expectations (see report.h for the rules).
 *
 * Does not: write files or decide the exit status (main.c does), or count
 * packets (verify.c does).
 */
#include "report.h"

#include <stdarg.h>
#include <string.h>
#include <glib.h>

struct vpeer_report {
    int64_t start_us;
    json_t *events;           /* array, owned */
    json_t *errors;           /* array of strings, owned */
    json_t *checks;           /* array of {name, ok, detail}, owned */
};

vpeer_report *vpeer_report_new(int64_t start_us)
{
    vpeer_report *r = g_new0(vpeer_report, 1);
    r->start_us = start_us;
    r->events = json_array();
    r->errors = json_array();
    r->checks = json_array();
    return r;
}

void vpeer_report_free(vpeer_report *r)
{
    if (!r)
        return;
    json_decref(r->events);
    json_decref(r->errors);
    json_decref(r->checks);
    g_free(r);
}

double vpeer_report_time(const vpeer_report *r, int64_t now_us)
{
    return (double)(now_us - r->start_us) / 1e6;
}

void vpeer_report_event(vpeer_report *r, const char *type, json_t *fields)
{
    double t = vpeer_report_time(r, g_get_monotonic_time());
    json_t *ev = json_pack("{s:f, s:s}", "t", (double)(int64_t)(t * 1000) / 1000,
                           "type", type);
    if (fields) {
        json_object_update(ev, fields);
        json_decref(fields);
    }
    json_array_append_new(r->events, ev);
}

void vpeer_report_error(vpeer_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_printerr("veche-peer: error: %s\n", msg);
    json_array_append_new(r->errors, json_string(msg));
    g_free(msg);
}

void vpeer_report_check(vpeer_report *r, const char *name, bool ok,
                        const char *detail)
{
    json_array_append_new(r->checks,
                          json_pack("{s:s, s:b, s:s}", "name", name, "ok", ok,
                                    "detail", detail ? detail : ""));
}

int vpeer_report_error_count(const vpeer_report *r)
{
    return (int)json_array_size(r->errors);
}

json_t *vpeer_report_events(const vpeer_report *r)
{
    return json_incref(r->events);
}

json_t *vpeer_report_errors(const vpeer_report *r)
{
    return json_incref(r->errors);
}

json_t *vpeer_report_checks(const vpeer_report *r)
{
    return json_incref(r->checks);
}

/* ---- tracks --------------------------------------------------------------- */

static json_t *track_json(const vpeer_report *r, const vpeer_track_info *t)
{
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
        "participant", t->participant, "name", t->name, "track", t->track,
        "kind", vpeer_kind_name(t->kind), "ssrc", (json_int_t)t->ssrc,
        "packets", (json_int_t)t->packets, "lost", (json_int_t)t->lost,
        "identical", (json_int_t)t->identical,
        "mismatched", (json_int_t)t->mismatched,
        "after_removed", (json_int_t)t->after_removed,
        "duplicates", (json_int_t)t->duplicates, "session", t->session);
    json_object_set_new(j, "added", json_real(vpeer_report_time(r, t->added_us)));
    json_object_set_new(j, "removed", t->removed_us < 0 ? json_null()
                        : json_real(vpeer_report_time(r, t->removed_us)));
    return j;
}

json_t *vpeer_report_tracks(const vpeer_report *r, const vpeer_verify *v)
{
    json_t *a = json_array();
    for (int i = 0; i < vpeer_verify_count(v); i++) {
        vpeer_track_info t;
        vpeer_verify_get(v, i, &t);
        json_array_append_new(a, track_json(r, &t));
    }
    return a;
}

/* ---- expectations --------------------------------------------------------- */

static void fail(json_t *failures, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(json_t *failures, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    json_array_append_new(failures, json_string(msg));
    g_free(msg);
}

/* Checks that hold for every track, whichever incarnation. */
static void check_every_track(const vpeer_verify *v, json_t *failures)
{
    for (int i = 0; i < vpeer_verify_count(v); i++) {
        vpeer_track_info t;
        vpeer_verify_get(v, i, &t);
        if (t.identical != t.packets)
            fail(failures, "%s %s of %s (%s): %llu of %llu payloads differ "
                 "from the clip", vpeer_kind_name(t.kind), t.track, t.name,
                 t.participant, (unsigned long long)(t.packets - t.identical),
                 (unsigned long long)t.packets);
        if (t.after_removed)
            fail(failures, "%s %s of %s (%s): %llu packets more than 1 s "
                 "after it was removed", vpeer_kind_name(t.kind), t.track,
                 t.name, t.participant, (unsigned long long)t.after_removed);
    }
}

/* Index of the latest track of `name` (any kind when kind < 0) and, when
 * participant is given, of that participant; or -1. */
static int latest_track(const vpeer_verify *v, const char *name,
                        const char *participant, int kind)
{
    int best = -1;
    int64_t best_us = 0;
    for (int i = 0; i < vpeer_verify_count(v); i++) {
        vpeer_track_info t;
        vpeer_verify_get(v, i, &t);
        if ((kind < 0 || (int)t.kind == kind) && strcmp(t.name, name) == 0 &&
            (!participant || strcmp(t.participant, participant) == 0) &&
            (best < 0 || t.added_us >= best_us)) {
            best = i;
            best_us = t.added_us;
        }
    }
    return best;
}

/* The latest incarnation of a name is the participant id whose track was
 * added last; its latest track of each kind must meet the expectations. */
static void check_latest(const vpeer_verify *v, const vpeer_clip *clip,
                         const char *name, vpeer_kind kind,
                         const vpeer_expect *e, json_t *failures)
{
    vpeer_track_info last;
    vpeer_verify_get(v, latest_track(v, name, NULL, -1), &last);
    int i = latest_track(v, name, last.participant, (int)kind);
    if (i < 0) {
        fail(failures, "%s: no %s track", name, vpeer_kind_name(kind));
        return;
    }
    vpeer_track_info t;
    vpeer_verify_get(v, i, &t);
    double total = (double)(t.packets + t.lost);
    double ratio = total > 0 ? (double)t.packets / total : 0.0;
    if (ratio < e->min_ratio)
        fail(failures, "%s %s: delivered %.4f (%llu received, %llu lost), "
             "want >= %.4f", name, vpeer_kind_name(kind), ratio,
             (unsigned long long)t.packets, (unsigned long long)t.lost,
             e->min_ratio);
    int64_t end = t.removed_us >= 0 ? t.removed_us
                : t.ended_us >= 0 ? t.ended_us : e->end_us;
    double secs = (double)(end - t.added_us) / 1e6;
    double estimate = secs * vpeer_clip_packet_rate(clip, kind);
    if ((double)t.packets < e->min_estimate_share * estimate)
        fail(failures, "%s %s: %llu packets in %.1f s, want >= %.0f "
             "(%.0f%% of %.0f)", name, vpeer_kind_name(kind),
             (unsigned long long)t.packets, secs,
             e->min_estimate_share * estimate, e->min_estimate_share * 100,
             estimate);
}

/* Distinct non-empty remote names with tracks, in first-seen order. */
static GPtrArray *remote_names(const vpeer_verify *v, const char *own_name)
{
    GPtrArray *names = g_ptr_array_new();
    for (int i = 0; i < vpeer_verify_count(v); i++) {
        vpeer_track_info t;
        vpeer_verify_get(v, i, &t);
        bool seen = false;
        for (guint j = 0; j < names->len && !seen; j++)
            seen = strcmp(g_ptr_array_index(names, j), t.name) == 0;
        if (!seen && t.name[0] && (!own_name || strcmp(t.name, own_name)))
            g_ptr_array_add(names, (gpointer)t.name);
    }
    return names;
}

json_t *vpeer_report_failures(const vpeer_report *r, const vpeer_verify *v,
                              const vpeer_clip *clip, const char *own_name,
                              const vpeer_expect *e)
{
    json_t *failures = json_array();
    check_every_track(v, failures);
    GPtrArray *names = remote_names(v, own_name);
    if ((int)names->len < e->expect_peers)
        fail(failures, "saw tracks from %u peers, expected %d", names->len,
             e->expect_peers);
    for (guint j = 0; j < names->len; j++)
        for (int k = 0; k < 2; k++)
            check_latest(v, clip, g_ptr_array_index(names, j), (vpeer_kind)k,
                         e, failures);
    g_ptr_array_unref(names);
    size_t i;
    json_t *c;
    json_array_foreach(r->checks, i, c)
        if (!json_is_true(json_object_get(c, "ok")))
            fail(failures, "check %s failed: %s",
                 json_string_value(json_object_get(c, "name")),
                 json_string_value(json_object_get(c, "detail")));
    json_array_foreach(r->errors, i, c)
        fail(failures, "error: %s", json_string_value(c));
    return failures;
}
