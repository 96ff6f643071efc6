/* store_recording.h - the `recording` table (docs/recording.md): one row
 * per archival part, who started and stopped it, and its end state.
 *
 * Rules: a meeting's event may be recorded only when its body allows it
 * (body.allow_recording, schema v5); a training always.  Parts of an event
 * are numbered 1, 2, ... in one transaction with the insert.
 *
 * Does NOT: touch files (the recorder process writes them).  Called on the
 * store thread (storeq.c) or by tools; same rules as store.h.
 */
#ifndef VECHE_STORE_RECORDING_H
#define VECHE_STORE_RECORDING_H

#include <stdint.h>

#include "store.h"

typedef struct {
    int64_t id;
    int64_t event_id;
    int part;
    char path[160];               /* relative to data_dir */
    char meta_path[160];
    char room_id[80];
} veche_recording_row;

/* Insert part N+1 of event_id in state `recording`, started by person_id
 * (0: nobody) at now (unix s).  VECHE_ENOTFOUND: no such event;
 * VECHE_EDENIED: a meeting whose body does not allow recording. */
int veche_store_recording_start(veche_store *s, int64_t event_id, int64_t person_id,
                                int64_t now, veche_recording_row *out);
/* Close part id: state ("closed", "repaired", "failed"), stopped_by (0:
 * nobody), ended_at, bytes.  VECHE_ENOTFOUND when no such part. */
int veche_store_recording_end(veche_store *s, int64_t id, const char *state,
                              int64_t stopped_by, int64_t ended_at, int64_t bytes);
/* Parts still in state `recording` (left by a crash), oldest first;
 * *out (g_free) holds *n rows. */
int veche_store_recording_open_parts(veche_store *s, veche_recording_row **out, unsigned *n);

/* A body's allow_recording (its chair may record its meetings): *allow
 * 0 or 1.  VECHE_ENOTFOUND when no such body. */
int veche_store_body_allow_recording_get(veche_store *s, int64_t body_id, int *allow);
/* Set it (allow 0 or 1, else VECHE_EINVAL).  VECHE_ENOTFOUND when no such
 * body.  A part being recorded goes on; the next start is checked. */
int veche_store_body_allow_recording_set(veche_store *s, int64_t body_id, int allow);

#endif
