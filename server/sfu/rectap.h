/* rectap.h - the room's tap towards the recorder: the plain RTP of the
 * recorded tracks and the RTCP (sender reports) of their publishers, sent
 * over UDP to the ports a recorder part listens on (recorder/part.h).
 *
 *   track.c (each packet of a recorded track, after RTX unwrapping and the
 *   mute check) --veche_rectap_rtp--> one stack copy, the payload type
 *   set to the server's (VP8 98, Opus 109), sendto(rtp port)
 *   publisher RTCP compound --veche_rectap_rtcp--> sendto(rtcp port)
 *
 * No allocation and no lock per packet: the tap is the room's, on its
 * worker's thread; a full socket buffer drops the packet (the recorder's
 * jitter buffer sees a loss), the meeting never waits for the recorder.
 * The tracks recorded are those live at the start (Matroska cannot add a
 * track later: recording.c starts a new part for a new track); VP8 and
 * Opus only.
 *
 * Ownership: the room owns its tap (room->rectap, NULL when not
 * recording).  Worker thread only.
 */
#ifndef VECHE_RECTAP_H
#define VECHE_RECTAP_H

#include <stddef.h>
#include <stdint.h>

#include "sfu_msg.h"

typedef struct veche_rectap veche_rectap;
typedef struct veche_room veche_room;
typedef struct veche_track veche_track;
typedef struct veche_participant veche_participant;

/* Start the room's tap to addr:rtp_port / rtcp_port (replacing any): mark
 * the live VP8/Opus tracks recorded, ask their publishers for key frames,
 * and fill ev's rec_tracks.  0, or a veche_err (bad address, no socket). */
int veche_rectap_start(veche_room *room, const char *addr, uint16_t rtp_port,
                       uint16_t rtcp_port, veche_sfu_event *ev);
/* Stop the tap; the tracks are no longer recorded.  Accepts no tap. */
void veche_rectap_stop(veche_room *room);
void veche_rectap_free(veche_rectap *tap);  /* accepts NULL */

/* The packet path (track.c). */
/* t is not const: until its first key frame has gone to the recorder the
 * tap asks its publisher for one again (every 500 ms). */
void veche_rectap_rtp(veche_rectap *tap, veche_track *t, const uint8_t *pkt, size_t len);
void veche_rectap_rtcp(veche_rectap *tap, const veche_participant *pub, const uint8_t *pkt,
                       size_t len);

#endif
