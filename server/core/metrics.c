/* metrics.c - main-thread metrics and the Prometheus text format
 * (metrics.h).  Whole values (counters, up to 2^53) are written exactly,
 * others with 9 significant digits; NaN and infinities never occur
 * (observations are clamped at zero). */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct veche_metrics {
    veche_histogram join;
    veche_histogram signal_rtt;
    veche_histogram attendance;
    uint64_t sign_ins[VECHE_SIGNIN_N];
};

static const char *const signin_names[VECHE_SIGNIN_N] = {
    "ok", "wrong-credentials", "locked", "blocked", "error",
};

void veche_histogram_init(veche_histogram *h, const double *bounds, unsigned n)
{
    memset(h, 0, sizeof *h);
    if (n > VECHE_HISTOGRAM_MAX_BUCKETS)
        n = VECHE_HISTOGRAM_MAX_BUCKETS;
    h->n = n;
    memcpy(h->bounds, bounds, n * sizeof *bounds);
}

void veche_histogram_observe(veche_histogram *h, double v)
{
    if (!(v >= 0))  /* also NaN */
        v = 0;
    unsigned i = 0;
    while (i < h->n && v > h->bounds[i])
        i++;
    h->counts[i]++;
    h->sum += v;
    h->count++;
}

veche_metrics *veche_metrics_new(void)
{
    static const double join_b[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static const double rtt_b[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25, 0.5, 1};
    static const double att_b[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25, 0.5, 1, 2.5};
    veche_metrics *m = g_new0(veche_metrics, 1);
    veche_histogram_init(&m->join, join_b, G_N_ELEMENTS(join_b));
    veche_histogram_init(&m->signal_rtt, rtt_b, G_N_ELEMENTS(rtt_b));
    veche_histogram_init(&m->attendance, att_b, G_N_ELEMENTS(att_b));
    return m;
}

void veche_metrics_free(veche_metrics *m)
{
    g_free(m);
}

void veche_metrics_join(veche_metrics *m, double seconds)
{
    if (m)
        veche_histogram_observe(&m->join, seconds);
}

void veche_metrics_signal_rtt(veche_metrics *m, double seconds)
{
    if (m)
        veche_histogram_observe(&m->signal_rtt, seconds);
}

void veche_metrics_attendance_write(veche_metrics *m, double seconds)
{
    if (m)
        veche_histogram_observe(&m->attendance, seconds);
}

void veche_metrics_sign_in(veche_metrics *m, veche_signin_result r)
{
    if (m && (unsigned)r < VECHE_SIGNIN_N)
        m->sign_ins[r]++;
}

void veche_metrics_family(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void append_value(GString *out, double v)
{
    if (v == floor(v) && fabs(v) < 9007199254740992.0)
        g_string_append_printf(out, "%.0f\n", v);
    else
        g_string_append_printf(out, "%.9g\n", v);
}

void veche_metrics_sample(GString *out, const char *name, const char *labels, double value)
{
    if (labels && labels[0])
        g_string_append_printf(out, "%s{%s} ", name, labels);
    else
        g_string_append_printf(out, "%s ", name);
    append_value(out, value);
}

void veche_metrics_histogram(GString *out, const char *name, const veche_histogram *h)
{
    uint64_t cum = 0;
    for (unsigned i = 0; i < h->n; i++) {
        cum += h->counts[i];
        g_string_append_printf(out, "%s_bucket{le=\"%g\"} %" G_GUINT64_FORMAT "\n", name,
                               h->bounds[i], cum);
    }
    cum += h->counts[h->n];
    g_string_append_printf(out, "%s_bucket{le=\"+Inf\"} %" G_GUINT64_FORMAT "\n", name, cum);
    g_string_append_printf(out, "%s_sum ", name);
    append_value(out, h->sum);
    g_string_append_printf(out, "%s_count %" G_GUINT64_FORMAT "\n", name, h->count);
}

void veche_metrics_write(const veche_metrics *m, GString *out)
{
    veche_metrics_family(out, "veche_join_seconds", "histogram",
                         "Time from a join request to the joined reply.");
    veche_metrics_histogram(out, "veche_join_seconds", &m->join);
    veche_metrics_family(out, "veche_signal_roundtrip_seconds", "histogram",
                         "Time from a signalling request to its reply from the room's media "
                         "worker.");
    veche_metrics_histogram(out, "veche_signal_roundtrip_seconds", &m->signal_rtt);
    veche_metrics_family(out, "veche_attendance_write_seconds", "histogram",
                         "Time the store thread took to write an attendance record (fsync).");
    veche_metrics_histogram(out, "veche_attendance_write_seconds", &m->attendance);
    veche_metrics_family(out, "veche_sign_ins_total", "counter",
                         "Sign-in attempts by result.");
    for (unsigned i = 0; i < VECHE_SIGNIN_N; i++) {
        char labels[64];
        snprintf(labels, sizeof labels, "result=\"%s\"", signin_names[i]);
        veche_metrics_sample(out, "veche_sign_ins_total", labels, (double)m->sign_ins[i]);
    }
}
