/* sender.c - real-time looping sender of the clip (RTP, RFC 3550) with
 * sender reports, NACK answers from a retransmission history (RFC 4585) and
 * PLI/FIR counting (RFC 4585, RFC 5104).
 *
 * Frame k of a stream is due at start + k * frame duration; each timer tick
 * sends every frame that is due, so a late tick sends a burst rather than
 * skipping sequence numbers.
 *
 * Retransmissions reuse the original SSRC and sequence number, or, once
 * vpeer_sender_set_rtx() was called (the server accepted our RTX), go as
 * RTX for video.  Does not: adapt its bitrate, react to REMB, or protect
 * packets (the send callback does).  Its simulated loss leaves packets out before SRTP, as a
 * real loss would, so a retransmission passes the receiver's replay check.
 */
#include "sender.h"

#include <string.h>

#include "rtcp.h"
#include "rtp.h"
#include "rtxbuf.h"
#include "srtp.h"

#define BUF_CAP (VECHE_RTP_MAX_PACKET + VECHE_SRTP_MAX_OVERHEAD)
#define HISTORY_SLOTS 1024
#define HISTORY_MAX_AGE_MS 3000
#define SR_INTERVAL_MS 1000
#define NTP_EPOCH_OFFSET 2208988800ull

typedef struct {
    vpeer_kind kind;
    uint32_t ssrc;
    uint16_t seq;             /* next sequence number */
    uint32_t ts_base;
    uint64_t frame;           /* next frame to send, counting loops */
    veche_rtxbuf *history;
    GSource *timer;
} stream;

struct vpeer_sender {
    const vpeer_clip *clip;   /* borrowed */
    char *cname;
    vpeer_send_fn send;
    void *ud;
    stream st[2];
    int64_t start_us;
    bool primed;
    unsigned loss_per_mille;  /* simulated upstream loss of video */
    uint32_t rtx_ssrc;        /* 0: plain retransmissions */
    uint8_t rtx_pt;
    uint16_t rtx_seq;
    GSource *sr_timer;
    vpeer_sender_stats stats;
};

vpeer_sender *vpeer_sender_new(const vpeer_clip *clip, uint32_t audio_ssrc,
                               uint32_t video_ssrc, const char *cname,
                               vpeer_send_fn send, void *ud)
{
    vpeer_sender *s = g_new0(vpeer_sender, 1);
    s->clip = clip;
    s->cname = g_strdup(cname);
    s->send = send;
    s->ud = ud;
    uint32_t ssrc[2] = { audio_ssrc, video_ssrc };
    for (int k = 0; k < 2; k++) {
        s->st[k].kind = (vpeer_kind)k;
        s->st[k].ssrc = ssrc[k];
        s->st[k].seq = (uint16_t)g_random_int();
        s->st[k].ts_base = g_random_int();
        s->st[k].history = veche_rtxbuf_new(HISTORY_SLOTS);
    }
    return s;
}

void vpeer_sender_stop(vpeer_sender *s)
{
    for (int k = 0; k < 2; k++)
        if (s->st[k].timer) {
            g_source_destroy(s->st[k].timer);
            g_source_unref(s->st[k].timer);
            s->st[k].timer = NULL;
        }
    if (s->sr_timer) {
        g_source_destroy(s->sr_timer);
        g_source_unref(s->sr_timer);
        s->sr_timer = NULL;
    }
}

void vpeer_sender_free(vpeer_sender *s)
{
    if (!s)
        return;
    vpeer_sender_stop(s);
    for (int k = 0; k < 2; k++)
        veche_rtxbuf_free(s->st[k].history);
    g_free(s->cname);
    g_free(s);
}

/* ---- RTP ------------------------------------------------------------------ */

void vpeer_sender_set_rtx(vpeer_sender *s, uint32_t ssrc, uint8_t pt)
{
    s->rtx_ssrc = ssrc;
    s->rtx_pt = pt;
    s->rtx_seq = (uint16_t)g_random_int();
}

void vpeer_sender_set_loss(vpeer_sender *s, unsigned per_mille)
{
    s->loss_per_mille = per_mille > 500 ? 500 : per_mille;
}

/* Whether to leave out the first transmission of (ssrc, seq): a hash of
 * both, so about loss_per_mille of them, the same ones in every run. */
static bool skip_first(const vpeer_sender *s, const stream *st)
{
    if (!s->loss_per_mille || st->kind != VPEER_VIDEO)
        return false;
    uint32_t x = st->ssrc ^ (st->seq * 0x9E3779B1u);
    x ^= x >> 15;
    x *= 0x2C1B3C6Du;
    x ^= x >> 12;
    x *= 0x297A2D39u;
    x ^= x >> 15;
    return x % 1000 < s->loss_per_mille;
}

static void send_packet(vpeer_sender *s, stream *st,
                        const vpeer_clip_packet *p, uint32_t ts,
                        int64_t now_us)
{
    uint8_t buf[BUF_CAP];
    int h = veche_rtp_write_header(buf, sizeof buf, st->kind == VPEER_AUDIO
                                   ? VPEER_AUDIO_PT : VPEER_VIDEO_PT,
                                   p->marker, st->seq, ts, st->ssrc);
    memcpy(buf + h, p->data, p->len);
    size_t len = (size_t)h + p->len;
    veche_rtxbuf_put(st->history, st->seq, buf, len,
                     (uint64_t)(now_us / 1000));
    bool skip = skip_first(s, st);
    st->seq++;
    s->stats.packets[st->kind]++;
    s->stats.octets[st->kind] += p->len;
    if (skip)
        s->stats.skipped++;
    else if (s->send(s->ud, buf, len, sizeof buf, false) != 0)
        s->stats.send_errors++;
}

static void send_frame(vpeer_sender *s, stream *st, int64_t now_us)
{
    uint32_t nframes = vpeer_clip_frame_count(s->clip, st->kind);
    vpeer_clip_frame f = vpeer_clip_frame_at(s->clip, st->kind,
                                             (uint32_t)(st->frame % nframes));
    uint32_t ts = st->ts_base +
                  (uint32_t)(st->frame * vpeer_clip_frame_ticks(st->kind));
    for (uint32_t i = 0; i < f.count; i++)
        send_packet(s, st, vpeer_clip_packet_at(s->clip, st->kind,
                                                f.first + i), ts, now_us);
    st->frame++;
    s->stats.frames[st->kind]++;
}

void vpeer_sender_prime(vpeer_sender *s, int64_t start_us)
{
    s->start_us = start_us;
    s->primed = true;
}

void vpeer_sender_tick(vpeer_sender *s, vpeer_kind k, int64_t now_us)
{
    stream *st = &s->st[k];
    uint64_t frame_us = vpeer_clip_frame_us(k);
    while (s->start_us + (int64_t)(st->frame * frame_us) <= now_us)
        send_frame(s, st, now_us);
}

/* ---- RTCP ----------------------------------------------------------------- */

static uint64_t ntp_now(void)
{
    int64_t us = g_get_real_time();
    uint64_t sec = (uint64_t)(us / 1000000) + NTP_EPOCH_OFFSET;
    uint64_t frac = ((uint64_t)(us % 1000000) << 32) / 1000000;
    return sec << 32 | frac;
}

static void send_sr(vpeer_sender *s, stream *st, int64_t now_us)
{
    uint8_t buf[BUF_CAP];
    uint32_t clock = st->kind == VPEER_AUDIO ? VPEER_AUDIO_CLOCK
                                             : VPEER_VIDEO_CLOCK;
    uint32_t ts = st->ts_base +
                  (uint32_t)((uint64_t)(now_us - s->start_us) * clock / 1000000);
    int n = veche_rtcp_write_sr(buf, sizeof buf, st->ssrc, ntp_now(), ts,
                                (uint32_t)s->stats.packets[st->kind],
                                (uint32_t)s->stats.octets[st->kind], NULL, 0);
    if (n < 0)
        return;
    int m = veche_rtcp_write_sdes_cname(buf + n, sizeof buf - (size_t)n,
                                        st->ssrc, s->cname);
    if (m < 0)
        return;
    s->stats.sr++;
    if (s->send(s->ud, buf, (size_t)(n + m), sizeof buf, true) != 0)
        s->stats.send_errors++;
}

static stream *stream_by_ssrc(vpeer_sender *s, uint32_t ssrc)
{
    for (int k = 0; k < 2; k++)
        if (s->st[k].ssrc == ssrc)
            return &s->st[k];
    return NULL;
}

static void resend(vpeer_sender *s, stream *st, uint16_t seq, int64_t now_us)
{
    const uint8_t *pkt;
    size_t len;
    if (veche_rtxbuf_get(st->history, seq, (uint64_t)(now_us / 1000),
                         HISTORY_MAX_AGE_MS, &pkt, &len) != 0) {
        s->stats.resend_missing++;
        return;
    }
    uint8_t buf[BUF_CAP];
    memcpy(buf, pkt, len);
    if (s->rtx_ssrc && st->kind == VPEER_VIDEO) {
        /* RFC 4588: new SSRC, PT and seq; the original seq (OSN) in front
         * of the payload.  Our packets have a plain 12-byte header. */
        memmove(buf + VECHE_RTP_HEADER_MIN + 2, buf + VECHE_RTP_HEADER_MIN,
                len - VECHE_RTP_HEADER_MIN);
        buf[VECHE_RTP_HEADER_MIN] = (uint8_t)(seq >> 8);
        buf[VECHE_RTP_HEADER_MIN + 1] = (uint8_t)seq;
        len += 2;
        veche_rtp_set_ssrc(buf, s->rtx_ssrc);
        veche_rtp_set_payload_type(buf, s->rtx_pt);
        veche_rtp_set_seq(buf, s->rtx_seq++);
        s->stats.resent_rtx++;
    }
    s->stats.resent++;
    if (s->send(s->ud, buf, len, sizeof buf, false) != 0)
        s->stats.send_errors++;
}

static void on_nack(vpeer_sender *s, const veche_rtcp_item *it)
{
    veche_rtcp_fb fb;
    uint16_t seqs[256];
    if (veche_rtcp_parse_fb(it, &fb) != 0)
        return;
    stream *st = stream_by_ssrc(s, fb.media_ssrc);
    int n = veche_rtcp_nack_expand(&fb, seqs, 256);
    s->stats.nack_packets++;
    if (!st || n <= 0)
        return;
    s->stats.nack_seqs += (uint64_t)n;
    int64_t now = g_get_monotonic_time();
    for (int i = 0; i < n; i++)
        resend(s, st, seqs[i], now);
}

void vpeer_sender_on_rtcp(vpeer_sender *s, const uint8_t *buf, size_t len)
{
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_iter_init(&it, buf, len);
    while (veche_rtcp_iter_next(&it, &item, NULL) == 1) {
        if (item.type == VECHE_RTCP_RTPFB && item.fmt == VECHE_RTCP_FMT_NACK)
            on_nack(s, &item);
        else if (item.type == VECHE_RTCP_PSFB && item.fmt == VECHE_RTCP_FMT_PLI)
            s->stats.pli++;
        else if (item.type == VECHE_RTCP_PSFB && item.fmt == VECHE_RTCP_FMT_FIR)
            s->stats.fir++;
    }
}

/* ---- timers --------------------------------------------------------------- */

typedef struct {
    vpeer_sender *s;
    vpeer_kind kind;
} tick_arg;

static gboolean on_media_timer(gpointer ud)
{
    tick_arg *a = ud;
    vpeer_sender_tick(a->s, a->kind, g_get_monotonic_time());
    return G_SOURCE_CONTINUE;
}

static gboolean on_sr_timer(gpointer ud)
{
    vpeer_sender *s = ud;
    int64_t now = g_get_monotonic_time();
    for (int k = 0; k < 2; k++)
        send_sr(s, &s->st[k], now);
    return G_SOURCE_CONTINUE;
}

static GSource *add_timer(GMainContext *ctx, guint ms, GSourceFunc fn,
                          gpointer ud, GDestroyNotify destroy)
{
    GSource *src = g_timeout_source_new(ms);
    g_source_set_priority(src, G_PRIORITY_HIGH);
    g_source_set_callback(src, fn, ud, destroy);
    g_source_attach(src, ctx);
    return src;
}

void vpeer_sender_start(vpeer_sender *s, GMainContext *ctx)
{
    if (s->sr_timer)
        return;
    if (!s->primed)
        vpeer_sender_prime(s, g_get_monotonic_time());
    for (int k = 0; k < 2; k++) {
        tick_arg *a = g_new(tick_arg, 1);
        *a = (tick_arg){ s, (vpeer_kind)k };
        s->st[k].timer = add_timer(ctx, k == VPEER_AUDIO ? 20 : 33,
                                   on_media_timer, a, g_free);
        vpeer_sender_tick(s, (vpeer_kind)k, g_get_monotonic_time());
    }
    s->sr_timer = add_timer(ctx, SR_INTERVAL_MS, on_sr_timer, s, NULL);
}

const vpeer_sender_stats *vpeer_sender_get_stats(const vpeer_sender *s)
{
    return &s->stats;
}
