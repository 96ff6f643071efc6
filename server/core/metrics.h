/* metrics.h - the process's Prometheus metrics kept on the main thread
 * (histograms of join latency, signalling round trips and attendance
 * writes; sign-in counters), and the text-format writers that /metrics
 * (server/api/metrics_page.c) uses for these and for the media workers'
 * counters (server/media/mstats.h).
 *
 * The text follows the Prometheus exposition format 0.0.4: a # HELP and a
 * # TYPE line per family, then its samples; histograms as cumulative
 * _bucket{le=...} lines ending with le="+Inf", then _sum and _count.
 *
 * Ownership: the caller owns a veche_metrics (new/free).  Not thread safe:
 * every call on the main thread.  Does not: listen, check access, or read
 * the media workers (their counters are atomics read by the page).
 */
#ifndef VECHE_METRICS_H
#define VECHE_METRICS_H

#include <stdint.h>
#include <glib.h>

#define VECHE_HISTOGRAM_MAX_BUCKETS 16

/* A histogram with fixed upper bounds (seconds), a plain value. */
typedef struct {
    unsigned n;                                   /* bounds in use */
    double bounds[VECHE_HISTOGRAM_MAX_BUCKETS];   /* increasing */
    uint64_t counts[VECHE_HISTOGRAM_MAX_BUCKETS + 1];  /* per bucket, last: +Inf */
    double sum;
    uint64_t count;
} veche_histogram;

/* bounds: n increasing values (n <= VECHE_HISTOGRAM_MAX_BUCKETS, extra cut). */
void veche_histogram_init(veche_histogram *h, const double *bounds, unsigned n);
void veche_histogram_observe(veche_histogram *h, double v);

/* Sign-in outcomes counted by veche_metrics_sign_in. */
typedef enum {
    VECHE_SIGNIN_OK,
    VECHE_SIGNIN_WRONG,      /* wrong e-mail or password */
    VECHE_SIGNIN_LOCKED,     /* too many failures: refused unchecked */
    VECHE_SIGNIN_BLOCKED,    /* the account is blocked */
    VECHE_SIGNIN_ERROR,      /* a server error */
    VECHE_SIGNIN_N
} veche_signin_result;

typedef struct veche_metrics veche_metrics;

veche_metrics *veche_metrics_new(void);
void veche_metrics_free(veche_metrics *m);  /* accepts NULL */

/* Each accepts m == NULL (metrics off: nothing is counted). */
void veche_metrics_join(veche_metrics *m, double seconds);        /* join -> joined */
void veche_metrics_signal_rtt(veche_metrics *m, double seconds);  /* request -> room reply */
void veche_metrics_attendance_write(veche_metrics *m, double seconds);
void veche_metrics_sign_in(veche_metrics *m, veche_signin_result r);

/* Append the families above to out. */
void veche_metrics_write(const veche_metrics *m, GString *out);

/* ---- writers of the text format ---- */

/* "# HELP name help\n# TYPE name type\n" (type: counter, gauge, histogram). */
void veche_metrics_family(GString *out, const char *name, const char *type, const char *help);
/* One sample: name{labels} value; labels "" or 'a="b",c="d"'. */
void veche_metrics_sample(GString *out, const char *name, const char *labels, double value);
/* The _bucket, _sum and _count lines of a histogram (after its family). */
void veche_metrics_histogram(GString *out, const char *name, const veche_histogram *h);

#endif
