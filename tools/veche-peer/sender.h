/* sender.h - veche-peer's outgoing media on one publish connection: the
 * clip's audio and video sent in real time, looping, with RTP sequence
 * numbers and timestamps continuing across loops; a sender report every
 * second; NACKs answered from a history; PLI and FIR counted.
 *
 * Packet k of a stream (counting from its first) always carries clip
 * payload k mod N, which is what receivers check.
 *
 * Simulated upstream loss: with vpeer_sender_set_loss(), about that many
 * per mille of the video packets are not sent the first time (but kept in
 * the history), so only a NACK from the server brings them to anyone.
 *
 * Ownership: the sender borrows the clip; the caller frees the sender with
 * vpeer_sender_free().  Timers run on the GMainContext given to start().
 * The send callback gets a plain packet in a buffer of cap bytes that it may
 * protect in place.
 */
#ifndef VPEER_SENDER_H
#define VPEER_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "clip.h"

typedef struct vpeer_sender vpeer_sender;

/* Returns 0 or a negative code; rtcp tells which kind of packet it is. */
typedef int (*vpeer_send_fn)(void *ud, uint8_t *buf, size_t len, size_t cap,
                             bool rtcp);

typedef struct {
    uint64_t packets[2];      /* by vpeer_kind, first transmissions */
    uint64_t octets[2];
    uint64_t frames[2];
    uint64_t send_errors;
    uint64_t sr;
    uint64_t nack_packets;    /* NACK feedback messages */
    uint64_t nack_seqs;       /* sequence numbers asked for */
    uint64_t resent;
    uint64_t resent_rtx;      /* of those, sent as RTX */
    uint64_t resend_missing;  /* asked for but no longer in the history */
    uint64_t pli, fir;
    uint64_t skipped;         /* first transmissions left out on purpose */
} vpeer_sender_stats;

vpeer_sender *vpeer_sender_new(const vpeer_clip *clip, uint32_t audio_ssrc,
                               uint32_t video_ssrc, const char *cname,
                               vpeer_send_fn send, void *ud);
void vpeer_sender_free(vpeer_sender *s);  /* accepts NULL; stops timers */

/* Leave out about per_mille (at most 500) of the first transmissions of
 * video packets; 0 (the default) sends everything. */
void vpeer_sender_set_loss(vpeer_sender *s, unsigned per_mille);

/* Answer video NACKs with RTX (RFC 4588) on ssrc with payload type pt
 * instead of plain retransmissions. */
void vpeer_sender_set_rtx(vpeer_sender *s, uint32_t ssrc, uint8_t pt);

/* Start sending now (idempotent). */
void vpeer_sender_start(vpeer_sender *s, GMainContext *ctx);
void vpeer_sender_stop(vpeer_sender *s);

/* Feed an RTCP compound packet received on the publish connection. */
void vpeer_sender_on_rtcp(vpeer_sender *s, const uint8_t *buf, size_t len);

/* Send frames that are due at now_us (monotonic); start() drives this from
 * timers, tests may call it directly after vpeer_sender_prime(). */
void vpeer_sender_prime(vpeer_sender *s, int64_t start_us);
void vpeer_sender_tick(vpeer_sender *s, vpeer_kind k, int64_t now_us);

const vpeer_sender_stats *vpeer_sender_get_stats(const vpeer_sender *s);

#endif
