/* nack.h - veche-peer's receiver-side loss repair requests (RFC 4585 generic
 * NACK), and a simulated loss to exercise them.
 *
 * Per media SSRC it remembers the highest sequence number seen; a jump of
 * 2..MAX_GAP marks the numbers in between missing.  vpeer_nacker_write()
 * asks for every missing number that is due: at once, then again every
 * VPEER_NACK_RETRY_US, at most VPEER_NACK_TRIES times; a number that
 * arrives (as a retransmission or late) is recovered.  A bigger jump is a
 * restart and asks for nothing.
 *
 * Simulated loss: with a drop rate set, vpeer_nacker_simulate_drop() picks
 * the first arrival of about rate per mille of the sequence numbers of an
 * SSRC (by a hash, so every run drops the same share) to be thrown away
 * before accounting; they are then missing like real losses, and only a
 * retransmission can bring them back.
 *
 * Times are monotonic microseconds from the caller.  Ownership: plain
 * object, _new/_free, one thread.
 */
#ifndef VPEER_NACK_H
#define VPEER_NACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VPEER_NACK_RETRY_US 40000
#define VPEER_NACK_TRIES 8

typedef struct vpeer_nacker vpeer_nacker;

typedef struct {
    uint64_t missing;         /* sequence numbers found missing */
    uint64_t requested;       /* sequence numbers put in NACKs (with retries) */
    uint64_t recovered;       /* missing ones that arrived after all */
    uint64_t given_up;        /* asked VPEER_NACK_TRIES times, never came */
    uint64_t dropped;         /* thrown away by the simulation */
} vpeer_nack_stats;

/* drop_per_mille: simulated loss, 0 for none (at most 500). */
vpeer_nacker *vpeer_nacker_new(unsigned drop_per_mille);
void vpeer_nacker_free(vpeer_nacker *n);  /* accepts NULL */

/* True when this arrival of (ssrc, seq) is to be thrown away (it is then
 * noted missing).  Always false without a drop rate, and for a number
 * already dropped once. */
bool vpeer_nacker_simulate_drop(vpeer_nacker *n, uint32_t ssrc, uint16_t seq,
                                int64_t now_us);
/* A packet of a NACKable stream arrived. */
void vpeer_nacker_on_packet(vpeer_nacker *n, uint32_t ssrc, uint16_t seq,
                            int64_t now_us);
/* Forget an SSRC (its track ended). */
void vpeer_nacker_forget(vpeer_nacker *n, uint32_t ssrc);
/* Write a compound of NACKs (sender SSRC sender) for everything due into
 * buf: returns its length, 0 when nothing is due, or a negative code. */
int vpeer_nacker_write(vpeer_nacker *n, uint32_t sender, int64_t now_us,
                       uint8_t *buf, size_t cap);

const vpeer_nack_stats *vpeer_nacker_stats(const vpeer_nacker *n);

#endif
