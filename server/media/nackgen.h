/* nackgen.h - the upstream NACK generator of one received RTP stream:
 * which sequence numbers to ask the sender for again (RFC 4585 generic
 * NACK), when, and when to give up and want a key frame instead.
 *
 * Pure logic after mediasoup's NackGenerator: no I/O, no clock (times are
 * monotonic milliseconds from the caller), no allocation after _new() (a
 * fixed window of VECHE_NACKGEN_WINDOW slots indexed by sequence number).
 * It does not write RTCP (rtcp.c does: veche_rtcp_write_nack packs the
 * numbers into PID/BLP pairs) and does not unwrap RTX (track.c does).
 *
 *   on_packet(seq):  newer by 1            -> IN_ORDER
 *                    newer by 2..max_gap   -> GAP: the numbers between are
 *                                             missing, due for a NACK now
 *                    newer by more         -> RESET (key frame wanted)
 *                    older, missing        -> REPAIRED (late or resent)
 *                    older, not missing    -> OLD (duplicate, too late)
 *                    far older, twice in a row (seq, seq+1) -> RESET: the
 *                                             sender restarted its numbers
 *   due(now):        every missing number whose last NACK is retry_ms old
 *                    (or never sent), oldest first; a number NACKed
 *                    max_retries times, missing for max_wait_ms, or pushed
 *                    out of the window is given up, and a key frame is
 *                    wanted.
 *
 * Invariant: every missing number lies in (newest - WINDOW, newest), so
 * slot seq % WINDOW holds at most one of them.  Sequence numbers compare
 * modulo 2^16 (RFC 3550), so wrap-around needs no special case.
 *
 * Ownership: opaque, _new/_free, one per received video stream, used on
 * its room's thread only.
 */
#ifndef VECHE_NACKGEN_H
#define VECHE_NACKGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VECHE_NACKGEN_WINDOW 1024

typedef struct veche_nackgen veche_nackgen;

typedef struct {
    unsigned max_gap;         /* a jump forward past this resets (< WINDOW) */
    unsigned max_retries;     /* NACKs per missing number, the first included */
    unsigned retry_ms;        /* between two NACKs of one number (~ an RTT) */
    unsigned max_wait_ms;     /* missing this long: give up, want a key frame */
} veche_nackgen_params;

#define VECHE_NACKGEN_DEFAULTS { .max_gap = 500, .max_retries = 10, \
                                 .retry_ms = 100, .max_wait_ms = 1000 }

typedef enum {
    VECHE_NACKGEN_FIRST,      /* the stream's first packet */
    VECHE_NACKGEN_IN_ORDER,   /* the next number */
    VECHE_NACKGEN_GAP,        /* newer with a gap: NACKs are due now */
    VECHE_NACKGEN_REPAIRED,   /* a missing number arrived (late or resent) */
    VECHE_NACKGEN_OLD,        /* older and not missing: duplicate or too late */
    VECHE_NACKGEN_RESET,      /* a huge jump or a restart: missing forgotten */
} veche_nackgen_result;

typedef struct {
    uint64_t missing;         /* numbers found missing */
    uint64_t nacked;          /* numbers put in NACKs, retries included */
    uint64_t repaired;        /* missing numbers that arrived after all */
    uint64_t given_up;        /* missing numbers forgotten unrepaired */
    uint64_t resets;
    uint64_t keyframes;       /* times due() asked for a key frame */
} veche_nackgen_stats;

/* params NULL: VECHE_NACKGEN_DEFAULTS; out-of-range values are clamped.
 * NULL on OOM. */
veche_nackgen *veche_nackgen_new(const veche_nackgen_params *params);
void veche_nackgen_free(veche_nackgen *g);  /* accepts NULL */

/* Account a received packet (an original, a plain retransmission or an
 * unwrapped RTX packet). */
veche_nackgen_result veche_nackgen_on_packet(veche_nackgen *g, uint16_t seq,
                                             uint64_t now_ms);

/* The numbers to NACK now, oldest first: writes at most max into seqs and
 * returns how many (those left over stay due).  *keyframe is set when a
 * number was given up or the stream reset since the last call (then the
 * caller should send a PLI).  Call after a GAP result and from a timer
 * (every ~20-40 ms). */
int veche_nackgen_due(veche_nackgen *g, uint64_t now_ms, uint16_t *seqs,
                      int max, bool *keyframe);

/* Whether seq is missing and still being asked for. */
bool veche_nackgen_pending(const veche_nackgen *g, uint16_t seq);
/* How many numbers are missing and still being asked for. */
unsigned veche_nackgen_n_pending(const veche_nackgen *g);
const veche_nackgen_stats *veche_nackgen_get_stats(const veche_nackgen *g);

#endif
