/* rtpstats.c - receive statistics of one RTP stream, after RFC 3550
 * appendix A.1 (sequence validation), A.3 (expected and lost packets) and
 * A.8 (interarrival jitter), plus LSR/DLSR of section 6.4.1.
 *
 * A source is on probation until MIN_SEQUENTIAL packets arrive in sequence;
 * the first of them is not counted (as in A.1).  A jump of MAX_DROPOUT or
 * more is taken as a restart only when the next packet follows it, which
 * re-initialises the counters.  Jitter is updated for every valid packet but
 * the first after (re)initialisation, in RTP timestamp units, with the 32-bit
 * wrap of the timestamps taken into account.
 *
 * Does not: detect SSRC collisions, separate retransmissions, or keep
 * per-interval byte counts.
 */
#include "rtpstats.h"

#include <string.h>

#define RTP_SEQ_MOD (1u << 16)
#define MAX_DROPOUT 3000
#define MAX_MISORDER 100
#define MIN_SEQUENTIAL 2
#define LOST_MAX 0x7FFFFF
#define LOST_MIN (-0x800000)

void veche_rtpstats_init(veche_rtpstats *s, uint32_t ssrc, uint32_t clock_rate)
{
    memset(s, 0, sizeof *s);
    s->ssrc = ssrc;
    s->clock_rate = clock_rate;
}

/* init_seq() of A.1. */
static void init_seq(veche_rtpstats *s, uint16_t seq)
{
    s->base_seq = seq;
    s->max_seq = seq;
    s->bad_seq = RTP_SEQ_MOD + 1;    /* so seq == bad_seq is false */
    s->cycles = 0;
    s->received = 0;
    s->received_prior = 0;
    s->expected_prior = 0;
}

static void start(veche_rtpstats *s, uint16_t seq)
{
    init_seq(s, seq);
    s->max_seq = (uint16_t)(seq - 1);
    s->probation = MIN_SEQUENTIAL;
    s->started = true;
}

/* The probation branch of update_seq(). */
static bool on_probation(veche_rtpstats *s, uint16_t seq)
{
    if (seq != (uint16_t)(s->max_seq + 1)) {
        s->probation = MIN_SEQUENTIAL - 1;
        s->max_seq = seq;
        return false;
    }
    s->probation--;
    s->max_seq = seq;
    if (s->probation > 0)
        return false;
    init_seq(s, seq);
    return true;
}

/* update_seq() of A.1 without the received++ (done by the caller). */
static bool update_seq(veche_rtpstats *s, uint16_t seq)
{
    uint16_t udelta = (uint16_t)(seq - s->max_seq);
    if (s->probation)
        return on_probation(s, seq);
    if (udelta < MAX_DROPOUT) {
        if (seq < s->max_seq)
            s->cycles += RTP_SEQ_MOD;
        s->max_seq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
        if (seq != s->bad_seq) {
            s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
            return false;
        }
        init_seq(s, seq);
    }
    /* else a duplicate or reordered packet: counted, max_seq unchanged */
    return true;
}

/* A.8: J += (|D| - J) / 16, with D from 32-bit wrapping transit times. */
static void update_jitter(veche_rtpstats *s, uint32_t rtp_ts,
                          uint64_t arrival_ms)
{
    uint64_t arrival = arrival_ms * s->clock_rate / 1000;
    uint32_t transit = (uint32_t)arrival - rtp_ts;
    int32_t d = (int32_t)(transit - (uint32_t)s->transit);
    s->transit = transit;
    if (s->received == 1)
        return;    /* first packet: no previous transit time */
    double ad = d < 0 ? -(double)d : (double)d;
    s->jitter += (ad - s->jitter) / 16.0;
}

bool veche_rtpstats_update(veche_rtpstats *s, uint16_t seq, uint32_t rtp_ts,
                           uint64_t arrival_ms, size_t bytes)
{
    if (!s->started)
        start(s, seq);
    if (!update_seq(s, seq))
        return false;
    s->received++;
    s->bytes += bytes;
    update_jitter(s, rtp_ts, arrival_ms);
    return true;
}

void veche_rtpstats_on_sr(veche_rtpstats *s, uint64_t ntp, uint64_t now_ms)
{
    s->last_sr_ntp = ntp;
    s->last_sr_recv_ms = now_ms;
}

uint64_t veche_rtpstats_expected(const veche_rtpstats *s)
{
    if (!s->started || s->probation)
        return 0;
    uint64_t ext_max = (uint64_t)s->cycles + s->max_seq;
    return ext_max - s->base_seq + 1;
}

int64_t veche_rtpstats_lost(const veche_rtpstats *s)
{
    return (int64_t)veche_rtpstats_expected(s) - (int64_t)s->received;
}

static int32_t clamp_lost(int64_t lost)
{
    if (lost > LOST_MAX)
        return LOST_MAX;
    if (lost < LOST_MIN)
        return LOST_MIN;
    return (int32_t)lost;
}

/* A.3: fraction of the packets expected in the interval that were lost,
 * in 1/256 units; 0 when none expected or duplicates outnumber losses. */
static uint8_t interval_fraction(veche_rtpstats *s)
{
    uint64_t expected = veche_rtpstats_expected(s);
    int64_t expected_interval = (int64_t)(expected - s->expected_prior);
    int64_t received_interval = (int64_t)(s->received - s->received_prior);
    s->expected_prior = expected;
    s->received_prior = s->received;
    int64_t lost_interval = expected_interval - received_interval;
    if (expected_interval <= 0 || lost_interval <= 0)
        return 0;
    int64_t fraction = (lost_interval << 8) / expected_interval;
    return fraction > 255 ? 255 : (uint8_t)fraction;
}

/* DLSR in 1/65536 s since the last SR arrived; 0 when no SR yet. */
static uint32_t dlsr(const veche_rtpstats *s, uint64_t now_ms)
{
    if (s->last_sr_ntp == 0 || now_ms < s->last_sr_recv_ms)
        return 0;
    uint64_t units = (now_ms - s->last_sr_recv_ms) * 65536 / 1000;
    return units > UINT32_MAX ? UINT32_MAX : (uint32_t)units;
}

void veche_rtpstats_report(veche_rtpstats *s, uint64_t now_ms,
                           veche_rtcp_report_block *out)
{
    out->ssrc = s->ssrc;
    out->fraction_lost = interval_fraction(s);
    out->cumulative_lost = clamp_lost(veche_rtpstats_lost(s));
    out->ext_highest_seq = s->cycles + s->max_seq;
    out->jitter = (uint32_t)s->jitter;
    out->lsr = (uint32_t)(s->last_sr_ntp >> 16);
    out->dlsr = dlsr(s, now_ms);
}
