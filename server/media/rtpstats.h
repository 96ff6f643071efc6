/* rtpstats.h - receive statistics of one RTP stream (RFC 3550 appendix
 * A.1, A.3 and A.8): extended highest sequence, loss, interarrival jitter,
 * and the report block for the next RR or SR.
 *
 * Plain value type, no allocation; the caller embeds it in its stream.
 */
#ifndef VECHE_RTPSTATS_H
#define VECHE_RTPSTATS_H

#include <stdbool.h>
#include <stdint.h>
#include "rtcp.h"

typedef struct {
    uint32_t ssrc;
    uint32_t clock_rate;
    bool started;
    uint16_t max_seq;
    uint32_t cycles;          /* shifted count of seq wraps */
    uint32_t base_seq;
    uint32_t bad_seq;
    uint32_t probation;
    uint64_t received;
    uint64_t bytes;
    uint64_t expected_prior;
    uint64_t received_prior;
    int64_t transit;
    double jitter;            /* in timestamp units */
    uint64_t last_sr_ntp;     /* from the sender's last SR */
    uint64_t last_sr_recv_ms; /* when it arrived (monotonic) */
} veche_rtpstats;

void veche_rtpstats_init(veche_rtpstats *s, uint32_t ssrc, uint32_t clock_rate);
/* Account one packet; arrival_ms is a monotonic time.  Returns true when the
 * packet is valid in sequence terms (probation passed), false otherwise. */
bool veche_rtpstats_update(veche_rtpstats *s, uint16_t seq, uint32_t rtp_ts,
                           uint64_t arrival_ms, size_t bytes);
/* Note an SR from the sender for LSR/DLSR. */
void veche_rtpstats_on_sr(veche_rtpstats *s, uint64_t ntp, uint64_t now_ms);
/* Fill a report block and advance the interval counters. */
void veche_rtpstats_report(veche_rtpstats *s, uint64_t now_ms,
                           veche_rtcp_report_block *out);
/* Packets expected and lost since the start (lost may be negative with
 * duplicates). */
uint64_t veche_rtpstats_expected(const veche_rtpstats *s);
int64_t veche_rtpstats_lost(const veche_rtpstats *s);

#endif
