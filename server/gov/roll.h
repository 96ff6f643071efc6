/* roll.h - the live roll of event rooms: who is present in each event
 * right now, the attendance record written through to the store at once,
 * and the quorum of meetings.
 *
 * Every admitted join and every leave (goodbye, drop, removal, block) of a
 * connection is appended to the store with the server's time before the
 * call returns (synchronous=FULL: it survives kill -9).  A person is
 * present while at least one of their connections is joined.  For a
 * meeting, each change of the present voting members is run through a
 * quorum tracker with the body's rule; a flip (and the first status) goes
 * to the store's quorum log.  The roster (members or activists, guests) is
 * read from the store when an event's first connection joins and kept
 * while anyone is in; people who join without being on it (admins, guests
 * added later) are appended.
 *
 * Does not: decide admission (auth.c), send messages (signalling.c sends
 * what veche_roll_*_msg build), or merge history (report.c does, from the
 * store).  Ownership: the caller owns the roll; it borrows the store.  One
 * thread.
 */
#ifndef VECHE_ROLL_H
#define VECHE_ROLL_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "store.h"

typedef struct veche_roll veche_roll;

typedef struct {
    unsigned present;             /* voting members present */
    unsigned voting;              /* voting members of the body */
    unsigned needed;              /* present voting members needed */
    bool reached;
} veche_roll_quorum;

veche_roll *veche_roll_new(veche_store *st);
void veche_roll_free(veche_roll *r);  /* accepts NULL */

/* Connection conn_id of person (admitted with a) joined ev at ts_ms.  The
 * record is on disk when this returns 0; on error nothing changed (refuse
 * the join).  A change of a meeting's quorum status goes to the quorum
 * log, here and on leave. */
int veche_roll_join(veche_roll *r, const veche_event *ev, const veche_person *person,
                    const veche_admission *a, int64_t conn_id, const char *source,
                    int64_t ts_ms);
/* That connection left.  Writes the leave (an error is logged: the join
 * stays open in the record); 0, VECHE_ENOTFOUND (not joined) or a store
 * error. */
int veche_roll_leave(veche_roll *r, int64_t event_id, int64_t person_id,
                     int64_t conn_id, int64_t ts_ms);

/* After a crash (kill -9, power loss): close in the record every
 * connection whose join has no leave, with a leave of source "server" at
 * last_alive_ms (the server's last sign of life; never before that join),
 * and for each such meeting whose quorum log does not end with nobody
 * present, log "not reached, 0 present" at the same time.  Call once at
 * start, before any join.  Returns how many connections were closed, or a
 * store error. */
int veche_roll_recover(veche_roll *r, int64_t last_alive_ms);

/* The current quorum of a live meeting: 0, or VECHE_ENOTFOUND (nobody in,
 * or a training). */
int veche_roll_quorum_now(const veche_roll *r, int64_t event_id, veche_roll_quorum *q);
/* Whether anyone has a connection joined in event (it is under way). */
bool veche_roll_live(const veche_roll *r, int64_t event_id);
/* Whether person has a connection joined in event. */
bool veche_roll_present(const veche_roll *r, int64_t event_id, int64_t person_id);

/* Messages for the event's moderators (new references; NULL when the
 * event is not live, or for `quorum`, not a meeting):
 *   {"type":"attendance","event":ID,"present":N,"total":N,
 *    "roster":[{"person","name","role","voting","present","onRoster"}]}
 *   {"type":"quorum","event":ID,"present","voting","needed","reached"} */
json_t *veche_roll_attendance_msg(const veche_roll *r, int64_t event_id);
json_t *veche_roll_quorum_msg(const veche_roll *r, int64_t event_id);

#endif
