/* part.h - one archival part: a GStreamer pipeline from two UDP sockets
 * (RTP, RTCP; plain, as the server's media worker forwards them) to one
 * Matroska file, and its sidecar (docs/recording.md).
 *
 *   udpsrc(rtp)  --> rtpbin (one session; jitter buffer; lip sync of the
 *   udpsrc(rtcp) -->  streams of one sender from RTCP SR + CNAME)
 *       recv_rtp_src_0_<ssrc>_<pt> --> rtpvp8depay / rtpopusdepay
 *           --> matroskamux (track N = the Nth track of TRACKS)
 *           --> filesink (unbuffered: every cluster reaches the file)
 *
 * States:
 *   OPEN --start(tracks)--> RECORDING --stop--> CLOSING --EOS--> CLOSED
 *                                  \--error----------------------> CLOSED
 * CLOSING ends at EOS, or after VECHE_REC_CLOSE_TIMEOUT_MS by setting the
 * pipeline to NULL (the file is streamable, so it is playable either way).
 *
 * Does NOT: talk to the server (main.c does), check the disk (main.c).
 * Ownership: main.c owns parts; the closed callback runs on the main loop
 * once, after which the part may be freed.  One thread (GLib main loop).
 */
#ifndef VECHE_REC_PART_H
#define VECHE_REC_PART_H

#include <jansson.h>
#include <stdint.h>

#include "ctl.h"

#define VECHE_REC_CLOSE_TIMEOUT_MS 1500

typedef struct veche_rec_part veche_rec_part;

/* Called once when the part is closed: ok false when the pipeline failed;
 * reason is static text for the log (or NULL). */
typedef void (*veche_rec_closed_fn)(void *ud, veche_rec_part *p, int ok, const char *reason);

/* OPEN: bind the sockets on bind_addr (port 0: the kernel picks), create
 * the directory and the sidecar.  NULL with reason on failure. */
veche_rec_part *veche_rec_part_open(const veche_rec_cmd *open_cmd, veche_rec_closed_fn closed,
                                    void *ud, char *reason, size_t reason_size);
void veche_rec_part_ports(const veche_rec_part *p, unsigned *rtp, unsigned *rtcp);
/* Build and start the pipeline; write the header and track lines.  0 or -1
 * with reason.  t0_ms: the wall-clock time of the file's time 0. */
int veche_rec_part_start(veche_rec_part *p, const veche_rec_cmd *tracks_cmd, int64_t *t0_ms,
                         char *reason, size_t reason_size);
/* Append a mark (members borrowed) at the current time. */
void veche_rec_part_mark(veche_rec_part *p, json_t *mark);
/* Begin closing (EOS); `why` goes into the end line (NULL: a stop). */
void veche_rec_part_stop(veche_rec_part *p, const char *why);
int64_t veche_rec_part_id(const veche_rec_part *p);
const char *veche_rec_part_path(const veche_rec_part *p);
int64_t veche_rec_part_duration_ms(const veche_rec_part *p);
int64_t veche_rec_part_close_ms(const veche_rec_part *p);  /* stop to closed */
int64_t veche_rec_part_min_free_mb(const veche_rec_part *p);
int veche_rec_part_is_closing(const veche_rec_part *p);
void veche_rec_part_free(veche_rec_part *p);  /* accepts NULL; stops the pipeline */

#endif
