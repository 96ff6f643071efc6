/* rtp_rewrite.h - the RTP header rewriter of one outgoing stream (a
 * subscriber's downtrack): the SFU sends every subscriber its own SSRC and
 * payload type, and sequence numbers and timestamps that run on without a
 * jump even when the source behind the stream changes (a later simulcast
 * layer switch, or a new publisher on a reused m-line).
 *
 *   out_seq = in_seq + seq_offset      (mod 2^16)
 *   out_ts  = in_ts  + ts_offset       (mod 2^32)
 *
 * The offsets are fixed while one source (an incoming SSRC) is forwarded.
 * The first packet of a new source re-anchors them so that its sequence
 * number follows the highest one sent so far and its timestamp lies
 * ts_gap ticks after the last one (veche_rtp_rewrite_apply).  NACKed
 * sequence numbers map back through the same offset, but only for packets
 * of the current source sent since it started (older ones belonged to
 * another source and cannot be asked for).
 *
 * Invariants once started: every sequence number sent is at or before
 * max_seq (modulo 2^16, RFC 3550's window) and at or after switch_seq;
 * ts_offset and seq_offset change only in re-anchoring.
 *
 * A value type: no allocation, no I/O, one thread (the room's).  It edits
 * the header of a packet the caller already copied; it does not copy. */
#ifndef VECHE_RTP_REWRITE_H
#define VECHE_RTP_REWRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* set by init: what goes out */
    uint32_t ssrc;            /* ours, towards the subscriber */
    uint8_t pt;               /* ours, in the subscriber's PT space */
    bool started;             /* read-only: a packet went out (the
                               * mappings below hold) */
    /* private: the mapping */
    uint32_t src_ssrc;        /* the source being forwarded */
    uint16_t seq_offset;
    uint32_t ts_offset;
    uint16_t max_seq;         /* highest sequence number sent (ours) */
    uint32_t max_ts;          /* timestamp of that packet (ours) */
    uint16_t switch_seq;      /* our first sequence number of this source */
} veche_rtp_rewrite;

/* Start a stream with our SSRC and payload type; first_seq and first_ts
 * are what the first packet will carry (RFC 3550 wants random ones). */
void veche_rtp_rewrite_init(veche_rtp_rewrite *rw, uint32_t ssrc, uint8_t pt,
                            uint16_t first_seq, uint32_t first_ts);

/* Rewrite the header of one packet in place (buf holds at least its
 * 12-byte fixed header): SSRC, payload type, sequence number and
 * timestamp.  in_ssrc, in_seq, in_ts are the packet's own (already parsed
 * by the caller).  A packet from a source other than the current one
 * re-anchors the mapping; ts_gap is how far (in clock ticks) its
 * timestamp lies after the last one sent (a frame's duration, or 1).
 * Returns false, leaving buf alone, for a late packet of the current
 * source from before its first one (it would reuse a number already sent
 * for the previous source): the caller drops it. */
bool veche_rtp_rewrite_apply(veche_rtp_rewrite *rw, uint8_t *buf, uint32_t in_ssrc,
                             uint16_t in_seq, uint32_t in_ts, uint32_t ts_gap);

/* Our sequence number for the current source's in_seq (for RTX's original
 * sequence number field).  Only meaningful once started. */
uint16_t veche_rtp_rewrite_seq_out(const veche_rtp_rewrite *rw, uint16_t in_seq);
/* Our timestamp for the current source's in_ts (for sender reports). */
uint32_t veche_rtp_rewrite_ts_out(const veche_rtp_rewrite *rw, uint32_t in_ts);

/* Map a sequence number the subscriber knows (from a NACK) back to the
 * current source's.  Returns false when the stream has not started, or when
 * out_seq is newer than anything sent or older than the current source's
 * first packet. */
bool veche_rtp_rewrite_seq_in(const veche_rtp_rewrite *rw, uint16_t out_seq,
                              uint16_t *in_seq);

#endif
