/* roll.h - the live roll of event rooms: who is present in each event
 * right now, and the quorum of meetings.
 *
 * The roll itself is memory only and lives on the main thread.  Every
 * admitted join and every leave (goodbye, drop, removal, block) of a
 * connection is written to the store by the store thread (storeq.h): a
 * join BEFORE it is given to the roll (veche_roll_join is called from the
 * join's completion, the record already on disk), a leave after.  A person
 * is present while at least one of their connections is joined.  For a
 * meeting, each change of the present voting members is run through a
 * quorum tracker with the body's rule; a flip (and the first status) is
 * handed back to the caller, who sends it to the quorum log through the
 * store thread.  The roster (members or activists, guests) is read on the
 * store thread (veche_roll_roster_load) for an event's first join and kept
 * while anyone is in or a join is on its way (veche_roll_hold); people who
 * join without being on it (admins, guests added later) are appended.
 *
 * The two functions taking a veche_store (roster_load, recover) run on the
 * store thread; everything else on the main thread.
 *
 * Does not: decide admission (auth.c), write the store, send messages
 * (signalling.c sends what veche_roll_*_msg build), or merge history
 * (report.c does, from the store).  Ownership: the caller owns the roll.
 */
#ifndef VECHE_ROLL_H
#define VECHE_ROLL_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <jansson.h>

#include "store.h"
#include "vote_rule.h"

typedef struct veche_roll veche_roll;

typedef struct {
    unsigned present;             /* voting members present */
    unsigned voting;              /* voting members of the body */
    unsigned needed;              /* present voting members needed */
    bool reached;
} veche_roll_quorum;

/* An event's roster and quorum rule as read from the store (opaque). */
typedef struct veche_roll_roster veche_roll_roster;

veche_roll *veche_roll_new(void);
void veche_roll_free(veche_roll *r);  /* accepts NULL */

/* Store thread: read ev's roster (members with names, guests) and its
 * body's quorum rule.  0 with *out (free with veche_roll_roster_free or
 * give it to veche_roll_join), or a store error. */
int veche_roll_roster_load(veche_store *st, const veche_event *ev, veche_roll_roster **out);
void veche_roll_roster_free(veche_roll_roster *ro);  /* accepts NULL */
/* An empty roster with the default quorum rule (an event nobody is listed
 * for: everyone who joins is appended; also for tests). */
veche_roll_roster *veche_roll_roster_new(void);

/* A join to event_id is on its way to the store: when the event is live,
 * keep it loaded until veche_roll_join or veche_roll_release and return
 * true; false when it is not loaded (ask the store for its roster). */
bool veche_roll_hold(veche_roll *r, int64_t event_id);
/* The held join did not happen. */
void veche_roll_release(veche_roll *r, int64_t event_id);

/* Connection conn_id of person (admitted with a) joined ev at ts_ms; its
 * record is already on disk.  held: veche_roll_hold returned true for it.
 * roster (taken, may be NULL when held) loads the event when it is not
 * loaded.  Returns 1 when a meeting's quorum status changed (the change in
 * *ch, for the quorum log), 0 when not, VECHE_EINVAL when the event is not
 * loaded and there is no roster (nothing changed). */
int veche_roll_join(veche_roll *r, const veche_event *ev, const veche_person *person,
                    const veche_admission *a, int64_t conn_id, veche_roll_roster *roster,
                    bool held, int64_t ts_ms, veche_quorum_change *ch);
/* That connection left at ts_ms (the caller writes the leave): 1 with *ch
 * as for join, 0, or VECHE_ENOTFOUND (not joined). */
int veche_roll_leave(veche_roll *r, int64_t event_id, int64_t person_id, int64_t ts_ms,
                     veche_quorum_change *ch);

/* Store thread, after a crash (kill -9, power loss): close in the record
 * every connection whose join has no leave, with a leave of source
 * "server" at last_alive_ms (the server's last sign of life; never before
 * that join), and for each such meeting whose quorum log does not end with
 * nobody present, log "not reached, 0 present" at the same time.  Run once
 * at start, before any join.  Returns how many connections were closed, or
 * a store error. */
int veche_roll_recover(veche_store *st, int64_t last_alive_ms);

/* The current quorum of a live meeting: 0, or VECHE_ENOTFOUND (nobody in,
 * or a training). */
int veche_roll_quorum_now(const veche_roll *r, int64_t event_id, veche_roll_quorum *q);
/* The entitled voters of a live meeting right now, for a vote's snapshot:
 * the voting members on the roster with a connection joined, in roster
 * order, appended to out (a GArray of veche_vote_voter).  Guests,
 * observers (non-voting members) and people not on the roster are never
 * in it.  0, or VECHE_ENOTFOUND (not live, or a training). */
int veche_roll_voters(const veche_roll *r, int64_t event_id, GArray *out);
/* The body of a live meeting, or 0. */
int64_t veche_roll_body_id(const veche_roll *r, int64_t event_id);
/* Whether anyone has a connection joined in event (it is under way). */
bool veche_roll_live(const veche_roll *r, int64_t event_id);
/* Whether person has a connection joined in event. */
bool veche_roll_present(const veche_roll *r, int64_t event_id, int64_t person_id);
/* The people with a connection joined in event, appended to out (a
 * GArray of int64_t, in no order); O(present).  Nothing when not live. */
void veche_roll_present_ids(const veche_roll *r, int64_t event_id, GArray *out);

/* What the attendance messages are built from (signal/attendance.c),
 * each in O(1) or O(what it returns), never O(roster):
 *   counts: present people and roster rows (VECHE_ENOTFOUND: not live);
 *   person_json: {person, name, role, voting, present, onRoster} (new
 *     reference; NULL when not in the roll);
 *   present_json: an array of those rows for the people present;
 *   page_json: {event, present, total, offset, people: rows offset ..
 *     offset+limit-1 in roster order} for GET /api/events/ID/roll. */
int veche_roll_counts(const veche_roll *r, int64_t event_id, unsigned *present,
                      unsigned *total);
json_t *veche_roll_person_json(const veche_roll *r, int64_t event_id, int64_t person_id);
json_t *veche_roll_present_json(const veche_roll *r, int64_t event_id);
json_t *veche_roll_page_json(const veche_roll *r, int64_t event_id, size_t offset,
                             size_t limit);
/* {"type":"quorum","event":ID,"present","voting","needed","reached"} (new
 * reference; NULL when the event is not live or not a meeting). */
json_t *veche_roll_quorum_msg(const veche_roll *r, int64_t event_id);

#endif
