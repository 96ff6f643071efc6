/* recording.h - recording of event rooms, as the main thread sees it: the
 * protocol's record-start / record-stop / record-mark, the state of each
 * room's recording, the `recording` table (through the store thread) and
 * the recorder process (recorder_proc.h).
 *
 * One recording part, step by step (docs/recording.md):
 *
 *   record-start (trainer / chair, rights checked by signalling)
 *     STORE    --REC_START (store thread: body allows it? part N+1 row)-->
 *     OPENING  --recorder "open" (sockets, disk check)--> "opened" ports
 *     TAPPING  --REC_START command to the room's worker--> REC_TRACKS
 *     STARTING --recorder "tracks" (pipeline, sidecar header)--> "recording"
 *     ON       `recording` {recording:true} to everyone in the room
 *   record-stop, the room empties, or the disk runs low
 *     STOPPING --REC_STOP to the worker, recorder "stop"--> "closed"
 *     (REC_END closed; `recording` {recording:false} to everyone)
 *   a track starts while ON (a second publisher, a screen share): the
 *     part closes (STOPPING, REC_END closed) and the next part starts at
 *     STORE with every track, the room told nothing (still recording);
 *     a track that comes while STARTING does the same once ON
 *   the recorder dies: every part goes, `recording` {recording:false,
 *     reason:"recorder-failed"}; once it is back the parts are repaired
 *     (REC_END repaired / failed).  The server restarts: parts still
 *     `recording` in the table are repaired the same way.
 *
 * Marks for the sidecar come from the room's events as they pass
 * (screen share, floor, speaker) and from record-mark (chapters).
 *
 * Ownership: signalling owns it.  Main thread only.
 */
#ifndef VECHE_RECORDING_H
#define VECHE_RECORDING_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "room.h"
#include "sfu_msg.h"
#include "storeq.h"

typedef struct veche_recording veche_recording;

/* How the recording module reaches clients and rooms (signalling's). */
typedef struct {
    void (*send_client)(void *ud, uint64_t client, json_t *msg);   /* msg taken */
    void (*send_room)(void *ud, const char *room, json_t *msg);    /* msg taken */
    void (*post)(void *ud, veche_sfu_cmd *cmd);                    /* to cmd->room's worker */
    int64_t (*person_of)(void *ud, const char *room, const char *participant);
    void *ud;
} veche_recording_env;

/* Who asks, from signalling's connection. */
typedef struct {
    const char *room;
    const char *participant;
    uint64_t client;
    int64_t event_id;            /* 0: not an event's room */
    int64_t person_id;
    bool moderates;              /* trainer, chair, secretary, administrators */
    json_t *id;                  /* the request's id (borrowed) */
} veche_recording_who;

/* NULL never; without storeq or with recorder_path "none" every request
 * is refused (unsupported). */
veche_recording *veche_recording_new(const veche_config *cfg, veche_storeq *storeq,
                                     GMainContext *ctx, const veche_recording_env *env);
void veche_recording_free(veche_recording *r);  /* accepts NULL */

/* The requests: 0, or an error (code, reason) for the caller. */
int veche_recording_start(veche_recording *r, const veche_recording_who *who,
                          veche_sfu_error *err);
int veche_recording_stop(veche_recording *r, const veche_recording_who *who,
                         veche_sfu_error *err);
int veche_recording_mark(veche_recording *r, const veche_recording_who *who,
                         const char *label, veche_sfu_error *err);

/* Whether the room is being recorded now (for `joined`). */
bool veche_recording_active(const veche_recording *r, const char *room);
/* A room's event (marks) or the worker's REC_TRACKS. */
void veche_recording_on_event(veche_recording *r, const veche_sfu_event *ev);
/* The room is empty: stop its recording. */
void veche_recording_room_idle(veche_recording *r, const char *room);
/* The recorder's pid (tests, metrics); 0 when not running. */
int veche_recording_recorder_pid(const veche_recording *r);

/* Counts for /metrics (server/api/metrics_page.c), since the start. */
typedef struct {
    unsigned active;             /* rooms being recorded now (on or stopping) */
    uint64_t recorder_restarts;  /* the recorder died and was started again */
    uint64_t parts_closed, parts_repaired, parts_failed;  /* parts ended so */
    uint64_t bytes;              /* size of the parts closed or repaired */
} veche_recording_stats;

/* r NULL: all zero. */
void veche_recording_get_stats(const veche_recording *r, veche_recording_stats *out);

#endif
