/* mstats.h - the counters of one media worker, read by /metrics.
 *
 * One veche_mstats per worker thread.  Only that thread writes it (its
 * transports, tracks and timers); the main thread reads it when /metrics
 * is asked for.  Each field is a relaxed atomic written with a plain load
 * and store (single writer): no lock, no allocation and no locked
 * instruction on the packet path, and the reader never sees a torn value.
 * Counters only grow; the gauges (rooms, participants, tracks, loop lag)
 * are set from the worker's once-a-second snapshot (worker.c).
 *
 * veche-peer and the unit tests pass no veche_mstats (NULL): the
 * VECHE_MSTATS_ADD macro then does nothing.
 */
#ifndef VECHE_MSTATS_H
#define VECHE_MSTATS_H

#include <stdatomic.h>
#include <stdint.h>

typedef atomic_uint_least64_t veche_mcounter;

/* Room kinds as the gauges count them (meeting 0, training 1). */
#define VECHE_MSTATS_KINDS 2

typedef struct {
    /* the transports (transport.c), after SRTP */
    veche_mcounter rtp_in, rtcp_in, rtp_out, rtcp_out;
    veche_mcounter bytes_in, bytes_out;
    veche_mcounter dropped_unprotect;   /* failed SRTP auth or replay */
    veche_mcounter dropped_garbage;     /* neither DTLS nor RTP/RTCP */
    veche_mcounter send_errors;
    /* the media path (track.c) */
    veche_mcounter lost;                /* upstream gaps seen by the NACK generator */
    veche_mcounter repaired;            /* of those, filled by a retransmission */
    veche_mcounter nacks_in;            /* NACK packets from subscribers */
    veche_mcounter nacks_out;           /* NACK packets we sent to publishers */
    veche_mcounter plis_in;             /* PLI/FIR from subscribers */
    veche_mcounter plis_out;            /* PLI/FIR we sent to publishers */
    veche_mcounter rtx_out;             /* retransmissions sent to subscribers */
    /* gauges from the worker's snapshot */
    veche_mcounter rooms[VECHE_MSTATS_KINDS];
    veche_mcounter participants[VECHE_MSTATS_KINDS];
    veche_mcounter tracks[VECHE_MSTATS_KINDS];
    veche_mcounter loop_lag_us;         /* largest timer delay in the last second */
    veche_mcounter loop_lag_us_total;   /* sum of every timer delay (a counter) */
} veche_mstats;

/* Add n to a counter: only ever from the owning worker's thread. */
static inline void veche_mstats_add(veche_mcounter *c, uint64_t n)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

/* Set a gauge: only ever from the owning worker's thread. */
static inline void veche_mstats_set(veche_mcounter *c, uint64_t v)
{
    atomic_store_explicit(c, v, memory_order_relaxed);
}

/* Read from any thread. */
static inline uint64_t veche_mstats_get(const veche_mcounter *c)
{
    return atomic_load_explicit((veche_mcounter *)c, memory_order_relaxed);
}

/* s may be NULL (no counters kept). */
#define VECHE_MSTATS_ADD(s, field, n)                                                     \
    do {                                                                                  \
        if (s)                                                                            \
            veche_mstats_add(&(s)->field, (n));                                           \
    } while (0)

#endif
