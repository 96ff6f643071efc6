/* store_agenda.h - an event's agenda in the store (table agenda_item,
 * schema v3): the ordered items, their optional speaker, and the times
 * the chair opened and left each item.
 *
 * Transitions (veche_store_agenda_go), one transaction each:
 *
 *   not started --go--> current (started_at = now, ended_at NULL)
 *   current --go elsewhere / go 0--> left (ended_at = now)
 *   left --go again--> current (started_at kept: the first opening;
 *                      ended_at cleared, set again when left)
 *
 * At most one item of an event is current (started, not ended); after a
 * crash the current item is still current (the times are on disk).
 * Positions are 1..n without gaps; add appends, remove and move renumber.
 * An item that was ever opened is a record of the meeting (the minutes
 * read its times) and cannot be removed (VECHE_ESTATE).
 *
 * Does not: read the clock (callers pass now, unix seconds), know rooms or
 * rights (signal/agenda_msg.c and the API check those), or touch
 * `decision` (the minutes write it).  Thread: whichever owns the store
 * connection (the store thread for the rooms, the main thread for the API).
 */
#ifndef VECHE_STORE_AGENDA_H
#define VECHE_STORE_AGENDA_H

#include <glib.h>
#include <stdint.h>

#include "store.h"

#define VECHE_AGENDA_TITLE_MAX 200     /* characters */
#define VECHE_AGENDA_SPEAKER_MAX 100   /* characters */
#define VECHE_AGENDA_MAX_ITEMS 100     /* per event */

typedef struct {
    int64_t id;
    int64_t event_id;
    int position;                          /* 1..n */
    char title[VECHE_AGENDA_TITLE_MAX * 4 + 1];
    char speaker[VECHE_AGENDA_SPEAKER_MAX * 4 + 1];  /* "" = none */
    int64_t started_at, ended_at;          /* unix seconds; 0 = not yet */
} veche_agenda_item;

/* Whether s is a valid title (1..200 characters of printable UTF-8) or
 * speaker (0..100); pure. */
bool veche_agenda_title_valid(const char *s);
bool veche_agenda_speaker_valid(const char *s);

/* The event's items in order into *out (a new GArray of veche_agenda_item,
 * caller frees with g_array_unref).  An event without items gives an empty
 * array; 0 or a veche_err. */
int veche_store_agenda_items(veche_store *s, int64_t event_id, GArray **out);
/* The current item's id, or 0 when none. */
int64_t veche_agenda_current(const GArray *items);

/* Append an item; *id (may be NULL) gets its id.  VECHE_EINVAL for a bad
 * title/speaker, VECHE_ENOTFOUND for no such event, VECHE_ELIMIT past
 * VECHE_AGENDA_MAX_ITEMS. */
int veche_store_agenda_add(veche_store *s, int64_t event_id, const char *title,
                           const char *speaker, int64_t *id);
/* Change an item's title and speaker (NULL speaker: none). */
int veche_store_agenda_edit(veche_store *s, int64_t event_id, int64_t item_id,
                            const char *title, const char *speaker);
/* Remove an item never opened (VECHE_ESTATE otherwise, VECHE_ENOTFOUND). */
int veche_store_agenda_remove(veche_store *s, int64_t event_id, int64_t item_id);
/* Move an item to position (1..n; larger means last). */
int veche_store_agenda_move(veche_store *s, int64_t event_id, int64_t item_id,
                            int position);
/* Make item_id current (0: none), leaving the current one; see above.
 * Going to the item already current changes nothing. */
int veche_store_agenda_go(veche_store *s, int64_t event_id, int64_t item_id, int64_t now);

#endif
