/* agenda_msg.h - the agenda in an event's room, over the protocol
 * (docs/protocol.md, "Agenda"): agenda-add, -remove, -move, -go, -next,
 * -previous from the chair or the secretary; the `agenda` message to
 * everyone in the room after each change, and the agenda in `joined`.
 *
 * Each change is a typed AGENDA request to the store thread (storeq.h,
 * store_agenda.h: the times are on disk before anyone is told); its
 * completion updates the live copy (one GArray of items per event, main
 * thread) and tells the room.  When the current item changes, the room's
 * speakers list starts afresh (a SPEAKERS_RESET command to its worker).
 *
 * Also here: the pure check of the members of the agenda and speakers
 * messages (veche_agenda_msg_check, part of veche_signal_parse and so of
 * its fuzzer).  Not here: the speakers list itself (sfu/speakers.c), the
 * HTTP routes (api/api_agenda.c).  Main thread only.
 */
#ifndef VECHE_AGENDA_MSG_H
#define VECHE_AGENDA_MSG_H

#include <glib.h>
#include <jansson.h>

#include "signalling.h"

/* The live copies; owned by the signalling service. */
veche_agenda_live *veche_agenda_live_new(void);
void veche_agenda_live_free(veche_agenda_live *a);  /* accepts NULL */

/* Whether type is an agenda message (handled here) or a speakers one. */
bool veche_agenda_msg_is_agenda(veche_signal_type type);
bool veche_agenda_msg_is_speakers(veche_signal_type type);

/* Check and fill the members of an agenda or speakers message (title,
 * speaker, item, position, seconds).  Pure; 0 or VECHE_EINVAL with err. */
int veche_agenda_msg_check(veche_signal_msg *m, veche_sfu_error *err);

/* An agenda message from c (already checked): 0 when it is on its way to
 * the store (the answer comes later), or an error now. */
int veche_agenda_msg_handle(veche_signal_conn *c, const veche_signal_msg *m,
                            veche_sfu_error *err);

/* A join's ATTEND read the event's items: they become the live copy
 * (*items taken and set NULL; NULL leaves the copy as it was). */
void veche_agenda_live_loaded(veche_agenda_live *a, int64_t event_id, GArray **items);
/* Add "agenda" {items, current} to an event's `joined`. */
void veche_agenda_live_joined(veche_agenda_live *a, int64_t event_id, json_t *joined);

/* The agenda of event_id was changed elsewhere (the API): read it on the
 * store thread and tell the room (only when it differs from the live copy). */
void veche_agenda_changed(veche_signal *s, int64_t event_id);

/* Watch for agenda changes made by other processes (vechectl writing the
 * database): while an event's room has people in it, every second the
 * store thread reports the database's data version (storeq.h CHANGES);
 * when it moved, the live events' agendas are read again (as
 * veche_agenda_changed).  The timer runs on ctx until a is freed. */
void veche_agenda_live_watch(veche_agenda_live *a, veche_signal *s, GMainContext *ctx);
/* {"items": [...], "current": id|null} for items (store_agenda.h). */
json_t *veche_agenda_json(const GArray *items);

#endif
