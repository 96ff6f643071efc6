/* speakers.h - a meeting's speakers list: who asked for the floor on the
 * current agenda item, in order, who has the floor now and until when.
 *
 *   (not listed) --request--> waiting --give--> speaking --done/give other-->
 *   waiting --withdraw/skip--> (not listed)        (not listed)
 *   waiting --hold (connection dropped)--> away --back (resumed)--> waiting
 *   away --forget (left for good, or the resume grace ran out)--> (not listed)
 *
 * Invariants: an id is at most once in the list and never both waiting
 * and speaking; the list holds at most VECHE_SPEAKERS_MAX ids.  The time
 * limit is carried as a deadline on the server's clock; nothing here
 * takes the floor back when it passes (the chair does; clients count
 * down).
 *
 * A plain data structure: no rights (speakers_room.c asks policy.c), no
 * events, no clock (callers pass now_ms).  Owned by the room, on its
 * worker's thread.
 */
#ifndef VECHE_SPEAKERS_H
#define VECHE_SPEAKERS_H

#include <stdbool.h>
#include <stdint.h>

#include "sfu_msg.h"

typedef struct veche_speakers veche_speakers;

veche_speakers *veche_speakers_new(void);
void veche_speakers_free(veche_speakers *sp);  /* accepts NULL */

/* Add id at the end.  VECHE_EEXISTS when already waiting or speaking,
 * VECHE_ELIMIT when the list is full; the list is unchanged then. */
int veche_speakers_request(veche_speakers *sp, const char *id);
/* Take id out of the list (withdraw, skip); VECHE_ENOTFOUND when not in it. */
int veche_speakers_withdraw(veche_speakers *sp, const char *id);
/* Move a waiting id to position (1..; past the end means last). */
int veche_speakers_move(veche_speakers *sp, const char *id, unsigned position);
/* Give the floor to id (NULL: the first waiting who is not away;
 * VECHE_ENOTFOUND when nobody such waits); it leaves the list.  seconds < 0: the list's limit;
 * 0: none.  prev gets who spoke before ("" = nobody). */
int veche_speakers_give(veche_speakers *sp, const char *id, int seconds, int64_t now_ms,
                        char prev[VECHE_PARTICIPANT_ID_LEN]);
/* The floor back from whoever has it; false when nobody had it. */
bool veche_speakers_done(veche_speakers *sp, char prev[VECHE_PARTICIPANT_ID_LEN]);
/* Every speech from now on: seconds (0 = none). */
void veche_speakers_set_limit(veche_speakers *sp, unsigned seconds);
/* A new agenda item: the list empties, the floor goes back (prev as for
 * done); the limit stays. */
void veche_speakers_reset(veche_speakers *sp, int64_t item, char prev[VECHE_PARTICIPANT_ID_LEN]);
/* id left the room: out of the list and off the floor; true if it was in
 * either. */
bool veche_speakers_forget(veche_speakers *sp, const char *id);
/* id's connection dropped (it may resume): a waiting id keeps its place,
 * marked away (give with NULL passes over it); one speaking loses the
 * floor (prev as for done).  True if the list changed. */
bool veche_speakers_hold(veche_speakers *sp, const char *id, char prev[VECHE_PARTICIPANT_ID_LEN]);
/* id resumed: no longer away; true if it was. */
bool veche_speakers_back(veche_speakers *sp, const char *id);
/* Whether id is waiting; the one speaking ("" = nobody). */
bool veche_speakers_waiting(const veche_speakers *sp, const char *id);
const char *veche_speakers_speaking(const veche_speakers *sp);
/* A copy of the state, for an event or `joined` (caller frees with g_free). */
veche_sfu_speakers *veche_speakers_snapshot(const veche_speakers *sp);

#endif
