/* junk.h - authenticated junk for veche-peer's --misbehave: RTCP packets
 * that are malformed or nonsensical, and RTP for SSRCs the server never
 * saw.  Sent through a connected peer connection they pass SRTP and reach
 * the server's RTP and RTCP code, which garbage datagrams from elsewhere
 * never do (libnice drops data from addresses that are not a validated
 * remote candidate).
 *
 * Pure builders: no I/O, no allocation; random parts come from the GRand
 * the caller passes.  Every packet is at least 8 bytes (RTCP) or 12 bytes
 * (RTP) with version 2, so SRTP can protect it; what follows the fixed
 * header is where the junk is.  RTP junk never uses an SSRC the sender
 * uses, so it cannot disturb the real streams (their sequence numbers and
 * SRTP replay windows).
 */
#ifndef VPEER_JUNK_H
#define VPEER_JUNK_H

#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define VPEER_JUNK_RTCP_KINDS 18
#define VPEER_JUNK_RTP_KINDS 3
#define VPEER_JUNK_MAX 1200       /* longest packet built */

/* RTCP junk number i (0 <= i < VPEER_JUNK_RTCP_KINDS): sender SSRC self,
 * about media SSRC media (feedback targets it).  Returns the length, or
 * VECHE_ENOSPC when cap < VPEER_JUNK_MAX, VECHE_EINVAL for a bad i. */
int vpeer_junk_rtcp(int i, uint32_t self, uint32_t media, GRand *rng,
                    uint8_t *buf, size_t cap);

/* RTP junk number i (0 <= i < VPEER_JUNK_RTP_KINDS) with SSRC ssrc and
 * sequence number seq.  Same returns. */
int vpeer_junk_rtp(int i, uint32_t ssrc, uint16_t seq, GRand *rng,
                   uint8_t *buf, size_t cap);

#endif
