/* dispatch.h - runs the commands signalling sends to a media worker's
 * rooms (sfu_msg.h): finds the room and the calling participant, calls
 * room.c, participant.c or moderation.c, and answers with one reply
 * event when the command asks for one (req != 0).
 *
 * A JOIN for a room the worker does not have creates it.  After every
 * command, and on veche_dispatch_sweep(), a room that has become idle
 * (empty and not resumable) is reported once with a ROOM_IDLE event; the
 * room goes only when signalling answers with CLOSE_ROOM, since only
 * signalling knows whether a join for it is already on its way.
 *
 * Ownership: `rooms` (id -> veche_room*, owned by the table) belongs to
 * the caller (a worker); commands are taken.  On env->ctx's thread.
 */
#ifndef VECHE_DISPATCH_H
#define VECHE_DISPATCH_H

#include <glib.h>

#include "room.h"
#include "sfu_msg.h"

/* A table for veche_dispatch_command: id -> room, freeing rooms. */
GHashTable *veche_dispatch_rooms_new(void);
/* Run cmd (taken) against the rooms. */
void veche_dispatch_command(GHashTable *rooms, const veche_sfu_env *env, veche_sfu_cmd *cmd);
/* Report rooms that became idle since (resume records run out). */
void veche_dispatch_sweep(GHashTable *rooms, const veche_sfu_env *env);

#endif
