/* track.c - the media path of the SFU: a published track and its
 * downtracks (one per subscriber).
 *
 *   publisher transport --plain RTP--> veche_track_on_rtp()
 *       (RTX from the publisher: veche_track_on_rtx() unwraps it first)
 *       account (rtpstats), keep a copy for NACKs (video),
 *       upstream NACK generator (video, nackgen.c): a gap is NACKed to the
 *       publisher at once, retried from the room's NACK timer (which runs
 *       only while something is missing)
 *       (veche_track_nack_tick), and a PLI follows when it stays unrepaired,
 *       for each downtrack: copy once into a stack buffer, rewrite the
 *       header in that copy into the subscriber's space (SSRC, payload
 *       type, sequence number, timestamp: rtp_rewrite.h), SRTP-protect,
 *       send on the subscriber's transport.
 *   subscriber RTCP --> translated back: the media SSRC of a PLI, FIR or
 *                       NACK names a downtrack (ours), which names the
 *                       track; NACKed sequence numbers map back through
 *                       the downtrack's offset.
 *                       PLI/FIR: rate-limited key frame request upstream;
 *                       NACK: resend from the rtxbuf (as RTX when
 *                       negotiated, the OSN in the subscriber's numbering),
 *                       forward what we never had to the publisher, and
 *                       ask for a key frame for what the ring let go;
 *                       RR/SR report blocks about a downtrack: kept in it.
 *   publisher RTCP  --> SR: an SR per downtrack with the publisher's NTP
 *                       time, the RTP time in the downtrack's timestamps
 *                       and the downtrack's own SSRC and counts.
 *
 * Nothing here allocates per packet or takes a lock: all of a room runs on
 * one thread.
 */
#include "sfu.h"

#include <string.h>

#include "err.h"
#include "log.h"
#include "rtcp.h"
#include "rectap.h"
#include "rtp.h"
#include "srtp.h"

#define KEYFRAME_REQUEST_INTERVAL_MS 500
#define RTX_MAX_AGE_MS 1000
#define MAX_NACKS VECHE_FEEDBACK_MAX_SEQS
#define UPSTREAM_NACK_WINDOW 512
#define UPSTREAM_NACK_REPEAT_MS 100
#define UPSTREAM_NACK_BATCH 256      /* seqs per NACK we send upstream */
#define OUT_CAP (VECHE_RTP_MAX_PACKET + 2 + VECHE_SRTP_MAX_OVERHEAD)
#define RTCP_CAP (1200 + VECHE_SRTP_MAX_OVERHEAD)

uint64_t veche_now_ms(void)
{
    return (uint64_t)(g_get_monotonic_time() / 1000);
}

veche_track *veche_track_new(veche_participant *owner, const char *id,
                             const veche_codec *codec, uint32_t ssrc, uint32_t rtx_ssrc,
                             unsigned nack_slots)
{
    veche_track *t = g_new0(veche_track, 1);
    t->owner = owner;
    t->ms = owner && owner->room ? owner->room->env.mstats : NULL;
    g_strlcpy(t->id, id, sizeof t->id);
    t->codec = *codec;
    t->ssrc = ssrc;
    t->rtx_ssrc = rtx_ssrc;
    t->downtracks = g_ptr_array_new();
    veche_rtpstats_init(&t->stats, ssrc, codec->clock_rate);
    if (codec->kind == VECHE_SDP_VIDEO) {
        t->rtxbuf = veche_rtxbuf_new(nack_slots);
        t->nackgen = veche_nackgen_new(NULL);
        if (!t->rtxbuf || !t->nackgen) {
            veche_track_free(t);
            return NULL;
        }
    }
    return t;
}

/* Add the NACK generator's new missing and repaired counts to the
 * worker's counters (from the NACK timer and at the end, not per packet). */
static void account_loss(veche_track *t)
{
    if (!t->ms || !t->nackgen)
        return;
    const veche_nackgen_stats *st = veche_nackgen_get_stats(t->nackgen);
    veche_mstats_add(&t->ms->lost, st->missing - t->ms_missing);
    veche_mstats_add(&t->ms->repaired, st->repaired - t->ms_repaired);
    t->ms_missing = st->missing;
    t->ms_repaired = st->repaired;
}

void veche_track_free(veche_track *t)
{
    if (!t)
        return;
    account_loss(t);
    for (guint i = 0; i < t->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(t->downtracks, i);
        dt->track = NULL;
    }
    g_ptr_array_free(t->downtracks, TRUE);
    if (t->nackgen) {
        const veche_nackgen_stats *st = veche_nackgen_get_stats(t->nackgen);
        if (st->missing)
            VLOG_INFO(NULL, t->owner->id,
                      "track %s upstream loss: %" G_GUINT64_FORMAT " missing, %"
                      G_GUINT64_FORMAT " repaired, %" G_GUINT64_FORMAT " given up, %"
                      G_GUINT64_FORMAT " NACKed", t->id, st->missing, st->repaired,
                      st->given_up, st->nacked);
    }
    veche_nackgen_free(t->nackgen);
    veche_rtxbuf_free(t->rtxbuf);
    g_free(t);
}

static bool downtrack_ready(const veche_downtrack *dt)
{
    return dt->negotiated && !dt->rejected && dt->sub->sub &&
           veche_transport_is_connected(dt->sub->sub);
}

/* Timestamp step assumed across a change of source (rtp_rewrite.h): about
 * one 20 ms packet or a 50 fps frame. */
static uint32_t source_gap(const veche_downtrack *dt)
{
    return dt->codec.clock_rate / 50 ? dt->codec.clock_rate / 50 : 1;
}

/* Copy a plain packet (parsed as v) into out, rewrite its header into dt's
 * space and send it on dt's transport: the one copy per subscriber. */
static void send_copy(veche_downtrack *dt, const uint8_t *pkt, size_t len,
                      const veche_rtp_view *v)
{
    uint8_t out[OUT_CAP];
    memcpy(out, pkt, len);
    if (!veche_rtp_rewrite_apply(&dt->rw, out, v->ssrc, v->seq, v->timestamp, source_gap(dt)))
        return;
    if (veche_transport_send_rtp(dt->sub->sub, out, len, sizeof out) == 0) {
        dt->packets++;
        dt->octets += len;
    }
}

static void send_rtcp_to(veche_transport *tr, uint8_t *buf, int len);

/* NACK what the generator has due, and ask for a key frame when it gave
 * something up (rate-limited in veche_track_request_keyframe). */
static void upstream_nack_flush(veche_track *t, uint64_t now)
{
    uint16_t seqs[UPSTREAM_NACK_BATCH];
    bool keyframe = false;
    int n = veche_nackgen_due(t->nackgen, now, seqs, UPSTREAM_NACK_BATCH, &keyframe);
    if (n > 0 && t->nack && t->owner->pub) {
        uint8_t buf[RTCP_CAP];
        int len = veche_rtcp_write_nack(buf, 1200, t->owner->rtcp_ssrc, t->ssrc, seqs, n);
        send_rtcp_to(t->owner->pub, buf, len);
        VECHE_MSTATS_ADD(t->ms, nacks_out, 1);
    }
    if (keyframe)
        veche_track_request_keyframe(t, false);
}

/* A gap (or a restart) upstream: NACK it now, and retry from the room's
 * NACK timer until it is repaired or given up. */
static void upstream_gap(veche_track *t, uint64_t now)
{
    upstream_nack_flush(t, now);
    if (t->owner->room)
        veche_room_nack_soon(t->owner->room);
}

/* A parsed packet of t (an original, a plain retransmission or unwrapped
 * RTX): account, keep, forward. */
static void track_packet(veche_track *t, uint8_t *buf, size_t len, const veche_rtp_view *v,
                         uint64_t now)
{
    veche_rtpstats_update(&t->stats, v->seq, v->timestamp, now, len);
    if (t->rtxbuf)
        veche_rtxbuf_put(t->rtxbuf, v->seq, buf, len, now);
    if (t->codec.kind == VECHE_SDP_AUDIO) {
        /* Muted by a moderator or by themselves: enforced here. */
        if (t->owner->muted || !t->owner->room)
            return;
        uint8_t level;
        bool voice;
        if (t->audio_level_id &&
            veche_rtp_audio_level(v, t->audio_level_id, &level, &voice) == 0)
            veche_speaker_add(t->owner->room->speaker, t->owner, level);
    }
    if (t->recorded && t->owner->room && t->owner->room->rectap)
        veche_rectap_rtp(t->owner->room->rectap, t, buf, len);
    for (guint i = 0; i < t->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(t->downtracks, i);
        if (downtrack_ready(dt))
            send_copy(dt, buf, len, v);
    }
}

void veche_track_on_rtp(veche_track *t, uint8_t *buf, size_t len)
{
    veche_rtp_view v;
    if (len > VECHE_RTP_MAX_PACKET || veche_rtp_parse(buf, len, &v, NULL) != 0)
        return;
    uint64_t now = veche_now_ms();
    if (t->nackgen) {
        veche_nackgen_result r = veche_nackgen_on_packet(t->nackgen, v.seq, now);
        if (r == VECHE_NACKGEN_GAP || r == VECHE_NACKGEN_RESET)
            upstream_gap(t, now);
    }
    track_packet(t, buf, len, &v, now);
}

/* RFC 4588 section 4: the RTX payload starts with the original sequence
 * number (OSN).  Unwrapped in place: the header moves 2 bytes up over the
 * OSN and gets the media SSRC, payload type and OSN; the payload and any
 * padding stay where they are.  Only an RTX packet that fills a gap (or is
 * newer than all we have) goes on: browsers also send RTX copies of old
 * packets to probe bandwidth, and those are duplicates. */
void veche_track_on_rtx(veche_track *t, uint8_t *buf, size_t len)
{
    veche_rtp_view v;
    if (!t->nackgen || len > VECHE_RTP_MAX_PACKET ||
        veche_rtp_parse(buf, len, &v, NULL) != 0 || v.payload_type != t->rtx_pt ||
        v.payload_len <= 2)
        return;                          /* padding only, or not ours */
    uint16_t osn = (uint16_t)(v.payload[0] << 8 | v.payload[1]);
    memmove(buf + 2, buf, v.header_len);
    buf += 2;
    len -= 2;
    veche_rtp_set_ssrc(buf, t->ssrc);
    veche_rtp_set_payload_type(buf, t->codec.pt);
    veche_rtp_set_seq(buf, osn);
    if (veche_rtp_parse(buf, len, &v, NULL) != 0)
        return;
    uint64_t now = veche_now_ms();
    veche_nackgen_result r = veche_nackgen_on_packet(t->nackgen, osn, now);
    if (r == VECHE_NACKGEN_OLD)
        return;
    if (r == VECHE_NACKGEN_GAP || r == VECHE_NACKGEN_RESET)
        upstream_gap(t, now);
    track_packet(t, buf, len, &v, now);
}

bool veche_track_nack_tick(veche_participant *pub)
{
    if (!pub->pub || !veche_transport_is_connected(pub->pub))
        return false;
    uint64_t now = veche_now_ms();
    bool missing = false;
    for (guint i = 0; i < pub->tracks->len; i++) {
        veche_track *t = g_ptr_array_index(pub->tracks, i);
        if (t->nackgen) {
            upstream_nack_flush(t, now);
            account_loss(t);
            if (veche_nackgen_n_pending(t->nackgen) > 0)
                missing = true;
        }
    }
    return missing;
}

static void send_rtcp_to(veche_transport *tr, uint8_t *buf, int len)
{
    if (tr && len > 0)
        veche_transport_send_rtcp(tr, buf, (size_t)len, RTCP_CAP);
}

void veche_track_request_keyframe(veche_track *t, bool fir)
{
    uint64_t now = veche_now_ms();
    if (t->codec.kind != VECHE_SDP_VIDEO || !t->owner->pub ||
        now - t->last_keyframe_request_ms < KEYFRAME_REQUEST_INTERVAL_MS)
        return;
    t->last_keyframe_request_ms = now;
    uint8_t buf[RTCP_CAP];
    int n = fir ? veche_rtcp_write_fir(buf, 1200, t->owner->rtcp_ssrc, t->ssrc, ++t->fir_seq)
                : veche_rtcp_write_pli(buf, 1200, t->owner->rtcp_ssrc, t->ssrc);
    send_rtcp_to(t->owner->pub, buf, n);
    VECHE_MSTATS_ADD(t->ms, plis_out, 1);
}

/* Wrap a stored packet as RTX (RFC 4588): dt's RTX SSRC, PT and seq, the
 * timestamp in dt's numbering, and the original seq as the subscriber
 * knows it (out_seq) in front of the payload. */
static void send_rtx(veche_downtrack *dt, const uint8_t *pkt, size_t len, uint16_t out_seq)
{
    veche_rtp_view v;
    if (veche_rtp_parse(pkt, len, &v, NULL) != 0 || v.padding)
        return;
    uint8_t out[OUT_CAP];
    memcpy(out, pkt, v.header_len);
    out[v.header_len] = (uint8_t)(out_seq >> 8);
    out[v.header_len + 1] = (uint8_t)out_seq;
    memcpy(out + v.header_len + 2, v.payload, v.payload_len);
    veche_rtp_set_ssrc(out, dt->rtx_ssrc);
    veche_rtp_set_payload_type(out, dt->rtx_pt);
    veche_rtp_set_seq(out, dt->rtx_seq++);
    veche_rtp_set_timestamp(out, veche_rtp_rewrite_ts_out(&dt->rw, v.timestamp));
    veche_transport_send_rtp(dt->sub->sub, out, v.header_len + 2 + v.payload_len, sizeof out);
}

/* Whether a sequence number we do not hold is worth asking the publisher
 * for: at most UPSTREAM_NACK_WINDOW behind the newest packet (a subscriber
 * cannot make us NACK arbitrary numbers), and not asked for in the last
 * UPSTREAM_NACK_REPEAT_MS. */
static bool upstream_nack_wanted(veche_track *t, uint16_t seq, uint64_t now)
{
    uint16_t behind = (uint16_t)(t->stats.max_seq - seq);
    if (!t->stats.started || behind == 0 || behind > UPSTREAM_NACK_WINDOW)
        return false;
    if (t->nackgen && veche_nackgen_pending(t->nackgen, seq))
        return false;                    /* our own NACK generator asks */
    for (size_t i = 0; i < G_N_ELEMENTS(t->upstream_nacked); i++)
        if (t->upstream_nacked[i] == seq && t->upstream_nacked_ms[i] != 0 &&
            now - t->upstream_nacked_ms[i] < UPSTREAM_NACK_REPEAT_MS)
            return false;
    unsigned slot = t->upstream_nacked_next++ % G_N_ELEMENTS(t->upstream_nacked);
    t->upstream_nacked[slot] = seq;
    t->upstream_nacked_ms[slot] = now;
    return true;
}

/* Whether a sequence number we do not hold is beyond repair: the ring let
 * it go (overwritten or too old), the publisher cannot be asked (no NACK,
 * gone), or it is too far behind to ask for. */
static bool unrepairable(const veche_track *t, uint16_t seq, uint64_t now)
{
    uint16_t behind = (uint16_t)(t->stats.max_seq - seq);
    return veche_rtxbuf_gone(t->rtxbuf, seq, now, RTX_MAX_AGE_MS) || !t->nack ||
           !t->owner->pub || !t->stats.started || behind > UPSTREAM_NACK_WINDOW;
}

/* Resend one stored packet to dt, as RTX when negotiated. */
static void resend(veche_track *t, veche_downtrack *dt, const uint8_t *pkt, size_t len,
                   uint16_t out_seq)
{
    veche_rtp_view v;
    VECHE_MSTATS_ADD(t->ms, rtx_out, 1);
    if (dt->rtx_pt)
        send_rtx(dt, pkt, len, out_seq);
    else if (veche_rtp_parse(pkt, len, &v, NULL) == 0)
        send_copy(dt, pkt, len, &v);
}

void veche_track_on_nack(veche_track *t, veche_downtrack *dt, const uint16_t *seqs,
                         const uint16_t *out_seqs, int n)
{
    VECHE_MSTATS_ADD(t->ms, nacks_in, 1);
    if (!t->rtxbuf || !downtrack_ready(dt))
        return;
    uint16_t missing[MAX_NACKS];
    int n_missing = 0;
    bool lost = false;
    uint64_t now = veche_now_ms();
    for (int i = 0; i < n; i++) {
        const uint8_t *pkt;
        size_t len;
        uint16_t seq = seqs[i];
        if (veche_rtxbuf_get(t->rtxbuf, seq, now, RTX_MAX_AGE_MS, &pkt, &len) == 0)
            resend(t, dt, pkt, len, out_seqs[i]);
        else if (unrepairable(t, seq, now))
            lost = true;
        else if (n_missing < MAX_NACKS && upstream_nack_wanted(t, seq, now))
            missing[n_missing++] = seq;
    }
    if (lost) {
        /* The subscriber's picture stays broken until the next key frame. */
        dt->keyframes_for_loss++;
        veche_track_request_keyframe(t, false);
    }
    if (n_missing) {
        uint8_t buf[RTCP_CAP];
        int len = veche_rtcp_write_nack(buf, 1200, t->owner->rtcp_ssrc, t->ssrc, missing,
                                        n_missing);
        send_rtcp_to(t->owner->pub, buf, len);
        VECHE_MSTATS_ADD(t->ms, nacks_out, 1);
    }
}

void veche_track_on_publisher_sr(veche_track *t, const uint8_t *sr_pkt, uint64_t ntp,
                                 uint32_t rtp_ts)
{
    veche_rtpstats_on_sr(&t->stats, ntp, veche_now_ms());
    for (guint i = 0; i < t->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(t->downtracks, i);
        if (!downtrack_ready(dt))
            continue;
        if (!dt->rw.started)
            continue;  /* nothing sent yet: no RTP time to map to */
        uint8_t buf[RTCP_CAP];
        int n = veche_rtcp_write_sr(buf, 1200, dt->ssrc, ntp,
                                    veche_rtp_rewrite_ts_out(&dt->rw, rtp_ts),
                                    (uint32_t)dt->packets, (uint32_t)dt->octets, NULL, 0);
        send_rtcp_to(dt->sub->sub, buf, n);
    }
}

static void on_subscriber_fb(veche_participant *sub, const veche_rtcp_item *item)
{
    veche_feedback fb[4];
    int n = veche_translate_feedback(sub, item, fb, (int)G_N_ELEMENTS(fb));
    for (int i = 0; i < n; i++) {
        if (fb[i].kind == VECHE_FEEDBACK_NACK)
            veche_track_on_nack(fb[i].track, fb[i].dt, fb[i].seqs, fb[i].out_seqs,
                                fb[i].n_seqs);
        else {
            VECHE_MSTATS_ADD(fb[i].track->ms, plis_in, 1);
            veche_track_request_keyframe(fb[i].track, fb[i].kind == VECHE_FEEDBACK_FIR);
        }
    }
}

/* Report blocks of a subscriber's RR or SR: keep those about our
 * downtracks (the publisher hears the server's own RR, not these). */
static void on_subscriber_report(veche_participant *sub, const veche_rtcp_item *item)
{
    veche_rtcp_sr sr;
    veche_rtcp_rr rr;
    const uint8_t *blocks;
    int n;
    if (item->type == VECHE_RTCP_SR && veche_rtcp_parse_sr(item, &sr) == 0) {
        blocks = sr.blocks;
        n = sr.n_blocks;
    } else if (item->type == VECHE_RTCP_RR && veche_rtcp_parse_rr(item, &rr) == 0) {
        blocks = rr.blocks;
        n = rr.n_blocks;
    } else {
        return;
    }
    uint64_t now = veche_now_ms();
    for (int i = 0; i < n; i++) {
        veche_rtcp_report_block b;
        veche_rtcp_report_block_get(blocks, i, &b);
        veche_downtrack *dt = veche_translate_downtrack(sub, b.ssrc);
        if (!dt)
            continue;
        dt->rr_ms = now ? now : 1;
        dt->rr_fraction_lost = b.fraction_lost;
        dt->rr_cumulative_lost = b.cumulative_lost;
        dt->rr_jitter = b.jitter;
    }
}

void veche_track_on_subscriber_rtcp(veche_participant *sub, const uint8_t *buf, size_t len)
{
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_iter_init(&it, buf, len);
    while (veche_rtcp_iter_next(&it, &item, NULL) == 1) {
        if (item.type == VECHE_RTCP_RTPFB || item.type == VECHE_RTCP_PSFB)
            on_subscriber_fb(sub, &item);
        else if (item.type == VECHE_RTCP_RR || item.type == VECHE_RTCP_SR)
            on_subscriber_report(sub, &item);
    }
}

static veche_track *track_by_ssrc(veche_participant *pub, uint32_t ssrc)
{
    for (guint i = 0; i < pub->tracks->len; i++) {
        veche_track *t = g_ptr_array_index(pub->tracks, i);
        if (t->ssrc == ssrc)
            return t;
    }
    return NULL;
}

void veche_track_on_publisher_rtcp(veche_participant *pub, const uint8_t *buf, size_t len)
{
    if (pub->room && pub->room->rectap)
        veche_rectap_rtcp(pub->room->rectap, pub, buf, len);
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_iter_init(&it, buf, len);
    while (veche_rtcp_iter_next(&it, &item, NULL) == 1) {
        veche_rtcp_sr sr;
        if (item.type != VECHE_RTCP_SR || veche_rtcp_parse_sr(&item, &sr) != 0)
            continue;
        veche_track *t = track_by_ssrc(pub, sr.ssrc);
        if (t)
            veche_track_on_publisher_sr(t, item.data, sr.ntp, sr.rtp_ts);
    }
}

void veche_track_send_receiver_reports(veche_participant *pub, unsigned max_kbps)
{
    if (!pub->pub || !veche_transport_is_connected(pub->pub) || pub->tracks->len == 0)
        return;
    veche_rtcp_report_block blocks[31];
    uint32_t video_ssrcs[31];
    int n = 0, n_video = 0;
    uint64_t now = veche_now_ms();
    for (guint i = 0; i < pub->tracks->len && n < 31; i++) {
        veche_track *t = g_ptr_array_index(pub->tracks, i);
        if (!t->stats.started)
            continue;
        veche_rtpstats_report(&t->stats, now, &blocks[n]);
        t->last_fraction_lost = blocks[n++].fraction_lost;
        if (t->codec.kind == VECHE_SDP_VIDEO)
            video_ssrcs[n_video++] = t->ssrc;
    }
    uint8_t buf[RTCP_CAP];
    int len = veche_rtcp_write_rr(buf, 1200, pub->rtcp_ssrc, blocks, n);
    if (len > 0 && n_video > 0) {
        int r = veche_rtcp_write_remb(buf + len, 1200 - (size_t)len, pub->rtcp_ssrc,
                                      (uint64_t)max_kbps * 1000, video_ssrcs, n_video);
        if (r > 0)
            len += r;
    }
    send_rtcp_to(pub->pub, buf, len);
}
