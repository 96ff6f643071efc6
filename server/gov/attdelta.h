/* attdelta.h - the net attendance changes one recipient has not been told
 * yet, so bursts of joins and leaves are coalesced into one delta.
 *
 * Each note says that a person went from present to absent or back.  The
 * accumulator keeps, per person noted since the last take, the state the
 * recipient last heard of (the first note's `was`) and the current state;
 * take returns only the people whose state differs (a join followed by
 * its leave within one interval is no change at all), oldest note first,
 * and starts again.  Memory and work grow with the people who changed in
 * the interval, never with the roster.
 *
 * Pure: no I/O, no clock, one thread.  Ownership: the caller owns it.
 */
#ifndef VECHE_ATTDELTA_H
#define VECHE_ATTDELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct veche_attdelta veche_attdelta;

veche_attdelta *veche_attdelta_new(void);
void veche_attdelta_free(veche_attdelta *d);  /* accepts NULL */

/* person went from was_present to now_present (equal: nothing to do). */
void veche_attdelta_note(veche_attdelta *d, int64_t person_id, bool was_present,
                         bool now_present);
/* People whose state differs from what the recipient last heard. */
size_t veche_attdelta_pending(const veche_attdelta *d);
/* Write those who came into joined and those who left into left (each up
 * to cap entries; give cap >= veche_attdelta_pending for all of them),
 * set *n_joined / *n_left, and start a new interval.  People past cap are
 * still dropped from the interval: callers size the arrays. */
void veche_attdelta_take(veche_attdelta *d, int64_t *joined, size_t *n_joined, int64_t *left,
                         size_t *n_left, size_t cap);

#endif
