/* report.c - veche-peer's JSON-lines report (events, errors, checks,
 * tracks, result) and the evaluation of expectations (see report.h for the
 * record formats and the rules).
 *
 * Does not: open files or decide the exit status (main.c does), or count
 * packets (verify.c does).
 */
#include "report.h"

#include <stdarg.h>
#include <string.h>
#include <glib.h>

struct vpeer_report {
    int64_t start_us;
    char *peer;
    FILE *out;                /* borrowed, may be NULL */
    json_t *errors;           /* array of strings, owned */
    json_t *checks;           /* array of {name, ok, detail}, owned */
};

vpeer_report *vpeer_report_new(int64_t start_us, const char *peer, FILE *out)
{
    vpeer_report *r = g_new0(vpeer_report, 1);
    r->start_us = start_us;
    r->peer = g_strdup(peer ? peer : "");
    r->out = out;
    r->errors = json_array();
    r->checks = json_array();
    return r;
}

void vpeer_report_free(vpeer_report *r)
{
    if (!r)
        return;
    json_decref(r->errors);
    json_decref(r->checks);
    g_free(r->peer);
    g_free(r);
}

double vpeer_report_time(const vpeer_report *r, int64_t now_us)
{
    /* milliseconds are plenty, and keep the lines short */
    return (double)((now_us - r->start_us) / 1000) / 1000.0;
}

/* Write one record: {"record": kind, "peer": .., "t": now} + fields (stolen;
 * NULL = none).  Write errors are ignored: a report reader that went away
 * must not stop the test. */
static void emit(vpeer_report *r, const char *kind, bool with_time,
                 json_t *fields)
{
    json_t *rec = json_pack("{s:s, s:s}", "record", kind, "peer", r->peer);
    if (rec && with_time)
        json_object_set_new(rec, "t", json_real(vpeer_report_time(
                                          r, g_get_monotonic_time())));
    if (rec && fields)
        json_object_update(rec, fields);
    json_decref(fields);
    if (!rec)
        return;
    char *line = r->out ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(10))
                        : NULL;
    if (line) {
        fputs(line, r->out);
        fputc('\n', r->out);
        fflush(r->out);
        free(line);
    }
    json_decref(rec);
}

void vpeer_report_event(vpeer_report *r, const char *type, json_t *fields)
{
    json_t *f = json_pack("{s:s}", "event", type);
    if (f && fields)
        json_object_update(f, fields);
    json_decref(fields);
    emit(r, "event", true, f);
}

void vpeer_report_error(vpeer_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_printerr("veche-peer %s: error: %s\n", r->peer, msg);
    json_array_append_new(r->errors, json_string(msg));
    emit(r, "error", true, json_pack("{s:s}", "message", msg));
    g_free(msg);
}

void vpeer_report_check(vpeer_report *r, const char *name, bool ok,
                        const char *detail)
{
    json_t *c = json_pack("{s:s, s:b, s:s}", "name", name, "ok", ok,
                          "detail", detail ? detail : "");
    json_array_append(r->checks, c);
    emit(r, "check", true, c);
}

int vpeer_report_error_count(const vpeer_report *r)
{
    return (int)json_array_size(r->errors);
}

/* ---- tracks --------------------------------------------------------------- */

static json_t *time_or_null(const vpeer_report *r, int64_t us)
{
    return us < 0 ? json_null() : json_real(vpeer_report_time(r, us));
}

json_t *vpeer_report_track_json(const vpeer_report *r, const vpeer_verify *v,
                                int i)
{
    vpeer_track_info t;
    vpeer_verify_get(v, i, &t);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
        "participant", t.participant, "name", t.name, "track", t.track,
        "kind", vpeer_kind_name(t.kind), "ssrc", (json_int_t)t.ssrc,
        "session", t.session, "packets", (json_int_t)t.packets,
        "lost", (json_int_t)t.lost, "identical", (json_int_t)t.identical,
        "mismatched", (json_int_t)t.mismatched,
        "bad_header", (json_int_t)t.bad_header,
        "duplicates", (json_int_t)t.duplicates,
        "after_removed", (json_int_t)t.after_removed);
    if (!j)
        return NULL;
    json_object_set_new(j, "mid", json_string(t.mid));
    json_object_set_new(j, "rtx", json_integer((json_int_t)t.rtx));
    json_object_set_new(j, "rtx_refused",
                        json_integer((json_int_t)t.rtx_refused));
    json_object_set_new(j, "added", time_or_null(r, t.added_us));
    json_object_set_new(j, "removed", time_or_null(r, t.removed_us));
    json_object_set_new(j, "first", time_or_null(r, t.first_us));
    json_object_set_new(j, "last", time_or_null(r, t.last_us));
    return j;
}

void vpeer_report_emit_tracks(vpeer_report *r, const vpeer_verify *v)
{
    for (int i = 0; i < vpeer_verify_count(v); i++)
        emit(r, "track", false, vpeer_report_track_json(r, v, i));
}

void vpeer_report_emit_result(vpeer_report *r, json_t *fields)
{
    emit(r, "result", false, fields);
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
            fail(failures, "%s %s of %s (%s): %llu of %llu packets differ "
                 "from the clip (%llu in the RTP header)",
                 vpeer_kind_name(t.kind), t.track, t.name, t.participant,
                 (unsigned long long)(t.packets - t.identical),
                 (unsigned long long)t.packets,
                 (unsigned long long)t.bad_header);
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
    if (t.removed_us < 0 && t.ended_us < 0 &&
        (t.last_us < 0 || e->end_us - t.last_us > VPEER_STALL_US))
        fail(failures, "%s %s: stalled, no packet in the last %.1f s of the "
             "run", name, vpeer_kind_name(kind),
             (double)(e->end_us - (t.last_us < 0 ? t.added_us : t.last_us)) /
                 1e6);
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
