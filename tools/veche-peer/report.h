/* report.h - what veche-peer saw, and whether it meets expectations.
 *
 * The report is a stream of JSON lines (one object per line, flushed at
 * once) written to a FILE as things happen, each with a "record" member
 * and the reporting peer's name in "peer":
 *
 *   {"record":"event","peer":"A","t":1.234,"event":"joined",...}
 *   {"record":"error","peer":"A","t":..,"message":"..."}
 *   {"record":"check","peer":"A","t":..,"name":"bad-json","ok":true,
 *    "detail":"got bad-json"}
 *   {"record":"track","peer":"A","participant":..,"name":..,"track":..,
 *    "kind":"audio","ssrc":..,"session":1,"packets":..,"lost":..,
 *    "identical":..,"mismatched":..,"bad_header":..,"duplicates":..,
 *    "after_removed":..,"added":..,"removed":..|null,"first":..,"last":..,
 *    "rtx":..,"rtx_refused":..}
 *   {"record":"result","peer":"A","ok":true,"failures":[...],"sent":{..},
 *    "nack":{..},...}
 *
 * t, added, removed, first and last are seconds since the start.  Errors
 * and checks are also kept to evaluate the expectations:
 *
 *   - at least expect_peers remote names delivered tracks;
 *   - for each remote name, its latest audio and latest video track (the
 *     latest incarnation after a rejoin) have packets/(packets+lost) >=
 *     min_ratio and packets >= 50% of the duration-based estimate, and,
 *     unless removed, got a packet in the last VPEER_STALL_US of the run;
 *   - every track: identical == packets, after_removed == 0;
 *   - every check passed, no error recorded.
 *
 * Ownership: one report per client, owned by its creator; the FILE is
 * borrowed (NULL: nothing is written); JSON values returned are new
 * references.  One thread.
 */
#ifndef VPEER_REPORT_H
#define VPEER_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "clip.h"
#include "verify.h"

typedef struct vpeer_report vpeer_report;

/* A live track whose last packet is older than this at the end stalled. */
#define VPEER_STALL_US 2000000

typedef struct {
    int expect_peers;
    double min_ratio;
    double min_estimate_share;    /* 0.5 */
    int64_t end_us;               /* when the run ended (monotonic) */
} vpeer_expect;

/* peer is the name put in every record (copied). */
vpeer_report *vpeer_report_new(int64_t start_us, const char *peer, FILE *out);
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
/* Write one "track" record per track of v. */
void vpeer_report_emit_tracks(vpeer_report *r, const vpeer_verify *v);
/* Write the "result" record: fields (stolen) plus "record" and "peer". */
void vpeer_report_emit_result(vpeer_report *r, json_t *fields);
/* The JSON of track i of v, as in its "track" record (new reference). */
json_t *vpeer_report_track_json(const vpeer_report *r, const vpeer_verify *v,
                                int i);

#endif
