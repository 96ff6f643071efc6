/* translate.c - RTCP feedback from a subscriber, translated back into the
 * publisher's terms.
 *
 * A subscriber only knows the downtrack's SSRC and sequence numbers (ours,
 * rtp_rewrite.h).  A PLI's or NACK's media SSRC, and each FIR entry's
 * target SSRC, names one of the subscriber's live downtracks, which names
 * the track (the publisher's stream); NACKed sequence numbers map back
 * through the downtrack's offset, wrap-around included, and numbers never
 * sent to this subscriber (or from before a change of source) are dropped.
 * Feedback about an unknown SSRC, an ended downtrack or another
 * subscriber's downtrack is ignored.
 *
 * Pure: no I/O and no allocation; track.c acts on the result (key frame
 * requests, resends, upstream NACKs).  One thread (the room's).
 */
#include "sfu.h"

#include "rtcp.h"

veche_downtrack *veche_translate_downtrack(const veche_participant *sub, uint32_t ssrc)
{
    for (guint i = 0; i < sub->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(sub->downtracks, i);
        if (dt->ssrc == ssrc && dt->track)
            return dt;
    }
    return NULL;
}

static int translate_fir(const veche_participant *sub, const veche_rtcp_fb *fb,
                         veche_feedback *out, int max)
{
    uint32_t target;
    uint8_t seq_nr;
    int n = 0;
    for (int i = 0; n < max && veche_rtcp_fir_entry(fb, i, &target, &seq_nr) == 0; i++) {
        veche_downtrack *dt = veche_translate_downtrack(sub, target);
        if (dt)
            out[n++] = (veche_feedback){.kind = VECHE_FEEDBACK_FIR, .dt = dt,
                                        .track = dt->track};
    }
    return n;
}

static int translate_nack(veche_downtrack *dt, const veche_rtcp_fb *fb, veche_feedback *out)
{
    uint16_t named[VECHE_FEEDBACK_MAX_SEQS];
    int n = veche_rtcp_nack_expand(fb, named, VECHE_FEEDBACK_MAX_SEQS);
    *out = (veche_feedback){.kind = VECHE_FEEDBACK_NACK, .dt = dt, .track = dt->track};
    for (int i = 0; i < n; i++) {
        uint16_t seq;
        if (!veche_rtp_rewrite_seq_in(&dt->rw, named[i], &seq))
            continue;
        out->seqs[out->n_seqs] = seq;
        out->out_seqs[out->n_seqs++] = named[i];
    }
    return out->n_seqs > 0 ? 1 : 0;
}

int veche_translate_feedback(const veche_participant *sub, const veche_rtcp_item *item,
                             veche_feedback *out, int max)
{
    veche_rtcp_fb fb;
    if (max < 1 || veche_rtcp_parse_fb(item, &fb) != 0)
        return 0;
    if (item->type == VECHE_RTCP_PSFB && item->fmt == VECHE_RTCP_FMT_FIR)
        return translate_fir(sub, &fb, out, max);
    veche_downtrack *dt = veche_translate_downtrack(sub, fb.media_ssrc);
    if (!dt)
        return 0;
    if (item->type == VECHE_RTCP_PSFB && item->fmt == VECHE_RTCP_FMT_PLI) {
        *out = (veche_feedback){.kind = VECHE_FEEDBACK_PLI, .dt = dt, .track = dt->track};
        return 1;
    }
    if (item->type == VECHE_RTCP_RTPFB && item->fmt == VECHE_RTCP_FMT_NACK)
        return translate_nack(dt, &fb, out);
    return 0;
}
