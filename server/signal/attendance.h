/* attendance.h - attendance and quorum for an event's moderators, at any
 * roster size (protocol v2, docs/protocol.md "Attendance").
 *
 * A moderator's connection subscribes when it is in the event's room: it
 * gets one snapshot at once (`attendance`: counts and the people present;
 * the roster itself is paged over HTTP, GET /api/events/ID/roll), then
 * only `attendance-delta` messages: who came and who left, with the new
 * counts and, for a meeting, the quorum.  Changes are noted per recipient
 * (attdelta.h) and sent at most once per interval (250 ms) per recipient,
 * and never while that recipient's previous delta is still unsent (the
 * busy hook): a slow reader gets fewer, larger deltas, never a backlog.
 * `quorum` goes along whenever its counts changed for that recipient.
 * Work per join or leave: O(moderators of the event); a flush: O(changes).
 * Activists (and everyone who does not moderate) are not subscribed.
 *
 * Main thread only.  Ownership: the caller owns the fan; recipients are
 * opaque pointers the caller keeps valid until it unsubscribes them.
 */
#ifndef VECHE_ATTENDANCE_H
#define VECHE_ATTENDANCE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "roll.h"

#define VECHE_ATTENDANCE_VERSION 2
#define VECHE_ATTENDANCE_INTERVAL_MS 250

typedef struct veche_attfan veche_attfan;

typedef struct {
    /* Send msg (taken) to the recipient. */
    void (*send)(void *ud, void *to, json_t *msg);
    /* Whether the recipient's last attendance-delta is still unsent. */
    bool (*busy)(void *ud, void *to);
} veche_attfan_hooks;

/* ctx: where the flush timer runs (NULL: the default context);
 * interval_ms 0: VECHE_ATTENDANCE_INTERVAL_MS. */
veche_attfan *veche_attfan_new(const veche_attfan_hooks *hooks, void *ud, const veche_roll *roll,
                               GMainContext *ctx, unsigned interval_ms);
void veche_attfan_free(veche_attfan *f);  /* accepts NULL */

/* `to` moderates in event_id: the snapshot (and quorum) now, deltas later. */
void veche_attfan_subscribe(veche_attfan *f, int64_t event_id, void *to);
/* No more messages to `to` (a no-op when it is not subscribed). */
void veche_attfan_unsubscribe(veche_attfan *f, void *to);
/* person's presence in event_id went from was to now (roll already updated). */
void veche_attfan_changed(veche_attfan *f, int64_t event_id, int64_t person_id, bool was,
                          bool now);
/* Send what is due now, ignoring the interval (tests; shutdown). */
void veche_attfan_flush(veche_attfan *f);

#endif
