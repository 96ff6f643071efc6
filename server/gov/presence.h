/* presence.h - from join/leave events to presence intervals.
 *
 * Input: the attendance events of ONE person in ONE event, in any order.
 * Each event carries a connection id, so two tabs or devices of the same
 * person are told apart: the person is present while at least one
 * connection is joined.  Events are ordered by time; events with equal
 * times keep their input order (the order the store recorded them).
 *
 *   - a join of a connection already joined is a duplicate: ignored;
 *   - a leave of a connection not joined (duplicate, or its join lost or
 *     recorded later by a skewed clock) is ignored;
 *   - a gap of at most grace_ms between the end of one interval and the
 *     start of the next merges them, gap included (a reconnect is not an
 *     absence);
 *   - a person still joined after the last event has an open interval.
 *
 * Pure functions: no I/O, no globals; scratch memory is allocated per call.
 */
#ifndef VECHE_PRESENCE_H
#define VECHE_PRESENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VECHE_PRESENCE_GRACE_MS_DEFAULT 60000

typedef enum {
    VECHE_PRESENCE_JOIN = 0,
    VECHE_PRESENCE_LEAVE = 1,
} veche_presence_kind;

typedef struct {
    int64_t ts_ms;              /* server time, unix milliseconds */
    veche_presence_kind kind;
    int64_t conn_id;            /* connection; 0 when there is only one */
} veche_presence_event;

typedef struct {
    int64_t start_ms;
    int64_t end_ms;             /* open: the last time known present */
    bool open;                  /* still present after the last event */
} veche_presence_interval;

/* Merge n events into intervals, oldest first, written to out (cap
 * entries; n entries always suffice).  Returns the number of intervals,
 * VECHE_EINVAL (NULL with n > 0, negative grace, unknown kind),
 * VECHE_ENOSPC or VECHE_ENOMEM. */
int veche_presence_merge(const veche_presence_event *ev, size_t n,
                         int64_t grace_ms, veche_presence_interval *out,
                         size_t cap);

/* Total presence in milliseconds; an open interval counts up to now_ms
 * (nothing if now_ms is before its start). */
int64_t veche_presence_total_ms(const veche_presence_interval *iv, size_t n,
                                int64_t now_ms);

#endif
