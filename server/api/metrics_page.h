/* metrics_page.h - GET /metrics: who may read it, and the page itself in
 * the Prometheus text format (docs/operations.md lists every metric).
 *
 * Access: with metrics_token set, every client must send
 * `Authorization: Bearer <metrics_token>` (compared in constant time);
 * without it, only clients on loopback (127.0.0.0/8, ::1) are answered.
 * Refusals are 401 (token missing or wrong) and 403 (not loopback).
 *
 * The page is built on the main thread from the main-thread metrics
 * (metrics.h), the media workers' counters (read with relaxed atomic loads,
 * mstats.h), the recorder's state (recording.h, main thread), the lesson
 * renderer's queue (lesson_render.h, under its lock), the main loop's
 * turn lengths (loopturn.h; the maxima are since the previous page), the
 * host's UDP
 * receive errors (/proc/net/snmp) and the age of the newest backup (a
 * directory listing).
 *
 * Does not: keep state of its own, or stream (the page is a few KiB).
 */
#ifndef VECHE_METRICS_PAGE_H
#define VECHE_METRICS_PAGE_H

#include <stdbool.h>

#include "config.h"
#include "http.h"
#include "lesson_render.h"
#include "loopturn.h"
#include "metrics.h"
#include "signalling.h"

typedef struct {
    const veche_config *cfg;
    veche_metrics *metrics;      /* NULL: those families are left out */
    veche_signal *signal;        /* NULL: no worker families */
    const char *backup_dir;      /* NULL: backups off */
    const char *snmp_path;       /* NULL: "/proc/net/snmp" (tests pass a file) */
    veche_lesson_render *lessons;  /* NULL: no lesson render families */
    veche_loopturn *loopturn;    /* NULL: no main loop families; each page
                                  * resets its maxima (loopturn.h) */
} veche_metrics_page_env;

/* 0 when the request may read /metrics, else the HTTP status to refuse it
 * with (401 or 403).  token "" means loopback only; authorization is the
 * Authorization header or ""/NULL; peer the client's IP as text. */
int veche_metrics_page_access(const char *token, const char *authorization, const char *peer);

/* Answer GET /metrics into resp (status, body, content type). */
void veche_metrics_page_handle(const veche_metrics_page_env *env, const veche_http_request *req,
                               veche_http_response *resp);

/* Read UDP InErrors and RcvbufErrors from a /proc/net/snmp text; false
 * when the Udp lines are not there. */
bool veche_metrics_page_parse_snmp(const char *text, unsigned long long *in_errors,
                                   unsigned long long *rcvbuf_errors);

#endif
