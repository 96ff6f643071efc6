/* rtp_rewrite.c - per-stream RTP header rewriting (see rtp_rewrite.h).
 *
 * The window of sequence numbers that map back is [switch_seq, max_seq],
 * at most 2^15 wide: once the stream runs further than that past a
 * switch, switch_seq slides along (nobody NACKs packets that old, and
 * RFC 3550's newer-than test needs the half window).
 */
#include "rtp_rewrite.h"

#include "rtp.h"

#define HALF_WINDOW 0x8000u

void veche_rtp_rewrite_init(veche_rtp_rewrite *rw, uint32_t ssrc, uint8_t pt,
                            uint16_t first_seq, uint32_t first_ts)
{
    *rw = (veche_rtp_rewrite){
        .ssrc = ssrc, .pt = pt,
        /* the anchor of the first packet: it follows "max" with gap 0 */
        .max_seq = (uint16_t)(first_seq - 1), .max_ts = first_ts,
        .switch_seq = first_seq,
    };
}

/* Make in_seq / in_ts of a new source follow what was sent so far. */
static void anchor(veche_rtp_rewrite *rw, uint32_t in_ssrc, uint16_t in_seq, uint32_t in_ts,
                   uint32_t ts_gap)
{
    uint16_t out_seq = (uint16_t)(rw->max_seq + 1);
    uint32_t out_ts = rw->max_ts + (rw->started ? ts_gap : 0);
    rw->seq_offset = (uint16_t)(out_seq - in_seq);
    rw->ts_offset = out_ts - in_ts;
    rw->switch_seq = out_seq;
    rw->src_ssrc = in_ssrc;
    rw->started = true;
}

bool veche_rtp_rewrite_apply(veche_rtp_rewrite *rw, uint8_t *buf, uint32_t in_ssrc,
                             uint16_t in_seq, uint32_t in_ts, uint32_t ts_gap)
{
    if (!rw->started || in_ssrc != rw->src_ssrc)
        anchor(rw, in_ssrc, in_seq, in_ts, ts_gap);
    uint16_t out_seq = (uint16_t)(in_seq + rw->seq_offset);
    uint32_t out_ts = in_ts + rw->ts_offset;
    if (!veche_rtp_seq_newer(out_seq, rw->max_seq) &&
        (uint16_t)(rw->max_seq - out_seq) > (uint16_t)(rw->max_seq - rw->switch_seq))
        return false;  /* before this source's first packet: not ours */
    if (veche_rtp_seq_newer(out_seq, rw->max_seq)) {
        rw->max_seq = out_seq;
        rw->max_ts = out_ts;
        if ((uint16_t)(rw->max_seq - rw->switch_seq) >= HALF_WINDOW)
            rw->switch_seq = (uint16_t)(rw->max_seq - (HALF_WINDOW - 1));
    }
    veche_rtp_set_ssrc(buf, rw->ssrc);
    veche_rtp_set_payload_type(buf, rw->pt);
    veche_rtp_set_seq(buf, out_seq);
    veche_rtp_set_timestamp(buf, out_ts);
    return true;
}

uint16_t veche_rtp_rewrite_seq_out(const veche_rtp_rewrite *rw, uint16_t in_seq)
{
    return (uint16_t)(in_seq + rw->seq_offset);
}

uint32_t veche_rtp_rewrite_ts_out(const veche_rtp_rewrite *rw, uint32_t in_ts)
{
    return in_ts + rw->ts_offset;
}

bool veche_rtp_rewrite_seq_in(const veche_rtp_rewrite *rw, uint16_t out_seq, uint16_t *in_seq)
{
    if (!rw->started)
        return false;
    uint16_t back = (uint16_t)(rw->max_seq - out_seq);
    if (back > (uint16_t)(rw->max_seq - rw->switch_seq))
        return false;  /* newer than anything sent, or before the switch */
    *in_seq = (uint16_t)(out_seq - rw->seq_offset);
    return true;
}
