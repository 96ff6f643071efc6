/* report.h - what veche-peer saw, and whether it meets expectations.
 *
 * Holds a timestamped event log, errors, and named checks (e.g. the error
 * codes expected by --misbehave); turns them plus the receive accounting of
 * verify.h into the JSON report; evaluates the expectations:
 *
 *   - at least expect_peers remote names delivered tracks;
 *   - for each remote name, its latest audio and latest video track (the
 *     latest incarnation after a rejoin) have packets/(packets+lost) >=
 *     min_ratio and packets >= 50% of the duration-based estimate;
 *   - every track: identical == packets, after_removed == 0;
 *   - every check passed, no error recorded.
 *
 * Ownership: one report per process, owned by main; JSON values returned are
 * new references.  One thread.
 */
#ifndef VPEER_REPORT_H
#define VPEER_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "clip.h"
#include "verify.h"

typedef struct vpeer_report vpeer_report;

typedef struct {
    int expect_peers;
    double min_ratio;
    double min_estimate_share;    /* 0.5 */
    int64_t end_us;               /* when the run ended (monotonic) */
} vpeer_expect;

vpeer_report *vpeer_report_new(int64_t start_us);
void vpeer_report_free(vpeer_report *r);  /* accepts NULL */

/* Log an event; fields (may be NULL) is stolen and merged into it. */
void vpeer_report_event(vpeer_report *r, const char *type, json_t *fields);
void vpeer_report_error(vpeer_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* A named check with its outcome; a failed one fails the run. */
void vpeer_report_check(vpeer_report *r, const char *name, bool ok,
                        const char *detail);
int vpeer_report_error_count(const vpeer_report *r);

/* Seconds since start, for event times. */
double vpeer_report_time(const vpeer_report *r, int64_t now_us);

/* Evaluate expectations; returns a new JSON array of failure strings
 * (empty when all hold).  own_name is skipped among remote names. */
json_t *vpeer_report_failures(const vpeer_report *r, const vpeer_verify *v,
                              const vpeer_clip *clip, const char *own_name,
                              const vpeer_expect *e);
/* The "tracks" array of the report. */
json_t *vpeer_report_tracks(const vpeer_report *r, const vpeer_verify *v);
/* New references to the events / errors / checks arrays. */
json_t *vpeer_report_events(const vpeer_report *r);
json_t *vpeer_report_errors(const vpeer_report *r);
json_t *vpeer_report_checks(const vpeer_report *r);

#endif
