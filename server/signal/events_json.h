/* events_json.h - the rooms' typed events (sfu_msg.h) as protocol v1
 * messages (docs/protocol.md).  The only place where SFU events become
 * JSON; pure: no I/O, no state.  Runs on the main thread.
 */
#ifndef VECHE_EVENTS_JSON_H
#define VECHE_EVENTS_JSON_H

#include <jansson.h>

#include "sfu_msg.h"

/* The message for ev (a new reference), or NULL for events that are not
 * sent as such (ROOM_IDLE).  MEDIA_FAILED becomes its `error`; replies
 * carry no "id" (the caller adds the request's). */
json_t *veche_events_json(const veche_sfu_event *ev);

#endif
