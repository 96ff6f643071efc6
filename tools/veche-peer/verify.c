/* verify.c - per-track receive accounting: loss from sequence gaps,
 * duplicates, byte-for-byte payload checks against the clip, packets after
 * removal, and receiver reports.
 *
 * Does not: send anything (the caller sends the RR and PLI it asks for),
 * parse SDP or signalling, or decode media.
 *
 * Invariants of a started track: min_ext <= first_ext <= max_ext; every
 * extended sequence number counted is in seen[] (a ring of the last
 * SEEN_RING ones), so duplicates inside that window are not counted twice.
 */
#include "verify.h"

#include <string.h>
#include <glib.h>

#include "rtcp.h"
#include "rtp.h"
#include "rtpstats.h"

#define SEEN_RING 1024
#define MAX_RR_BLOCKS 31

typedef struct {
    char *participant, *track, *mid;
    vpeer_kind kind;
    uint32_t ssrc;
    uint8_t pt;               /* the payload type the offer gave it */
    uint32_t rtx_ssrc;        /* 0: none offered */
    uint8_t rtx_pt;
    bool rtx_accepted;
    uint64_t rtx, rtx_refused;
    int session;
    bool ended;               /* our session ended */
    int64_t added_us, removed_us, ended_us, first_us, last_us;
    /* sequence accounting */
    bool started;
    int64_t first_ext, min_ext, max_ext;
    int64_t *seen;            /* SEEN_RING entries, -1 = empty */
    uint64_t packets, duplicates, identical, mismatched, bad_header,
             after_removed;
    /* anchor: clip index of the packet with ext seq anchor_ext, or -1 */
    int64_t anchor_idx, anchor_ext;
    uint32_t anchor_ts;
    veche_rtpstats stats;
} track;

struct vpeer_verify {
    const vpeer_clip *clip;       /* borrowed */
    bool frozen;                  /* vpeer_verify_freeze: max_ext is final */
    GPtrArray *tracks;            /* track *, owned */
    GHashTable *names;            /* participant id -> name, owned */
    uint64_t unknown_ssrc;
};

static void track_free(gpointer p)
{
    track *t = p;
    g_free(t->participant);
    g_free(t->track);
    g_free(t->mid);
    g_free(t->seen);
    g_free(t);
}

vpeer_verify *vpeer_verify_new(const vpeer_clip *clip)
{
    vpeer_verify *v = g_new0(vpeer_verify, 1);
    v->clip = clip;
    v->tracks = g_ptr_array_new_with_free_func(track_free);
    v->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return v;
}

void vpeer_verify_free(vpeer_verify *v)
{
    if (!v)
        return;
    g_ptr_array_unref(v->tracks);
    g_hash_table_unref(v->names);
    g_free(v);
}

static track *track_at(const vpeer_verify *v, int i)
{
    return g_ptr_array_index(v->tracks, (guint)i);
}

static bool live(const track *t)
{
    return !t->ended && t->removed_us < 0;
}

int vpeer_verify_add_track(vpeer_verify *v, int session,
                           const char *participant, const char *track_id,
                           vpeer_kind kind, uint32_t ssrc, int64_t now_us)
{
    /* A re-offer repeats live tracks; one written before a removal reached
     * us may even repeat a removed one: never add a track twice. */
    for (int i = (int)v->tracks->len - 1; i >= 0; i--) {
        track *t = track_at(v, i);
        if (t->session == session && t->ssrc == ssrc &&
            strcmp(t->participant, participant) == 0 &&
            strcmp(t->track, track_id) == 0)
            return i;
    }
    track *t = g_new0(track, 1);
    t->participant = g_strdup(participant);
    t->track = g_strdup(track_id);
    t->kind = kind;
    t->ssrc = ssrc;
    t->pt = kind == VPEER_AUDIO ? VPEER_AUDIO_PT : VPEER_VIDEO_PT;
    t->session = session;
    t->added_us = now_us;
    t->removed_us = t->ended_us = t->first_us = t->last_us = -1;
    t->anchor_idx = -1;
    t->seen = g_new(int64_t, SEEN_RING);
    for (int i = 0; i < SEEN_RING; i++)
        t->seen[i] = -1;
    veche_rtpstats_init(&t->stats, ssrc, kind == VPEER_AUDIO
                        ? VPEER_AUDIO_CLOCK : VPEER_VIDEO_CLOCK);
    g_ptr_array_add(v->tracks, t);
    return (int)v->tracks->len - 1;
}

void vpeer_verify_set_mid(vpeer_verify *v, int i, const char *mid)
{
    track *t = track_at(v, i);
    g_free(t->mid);
    t->mid = g_strdup(mid);
}

void vpeer_verify_set_pt(vpeer_verify *v, int i, uint8_t pt)
{
    track_at(v, i)->pt = pt;
}

void vpeer_verify_set_rtx(vpeer_verify *v, int i, uint32_t rtx_ssrc,
                          uint8_t rtx_pt, bool accepted)
{
    track *t = track_at(v, i);
    t->rtx_ssrc = rtx_ssrc;
    t->rtx_pt = rtx_pt;
    t->rtx_accepted = accepted && rtx_ssrc != 0;
}

void vpeer_verify_set_name(vpeer_verify *v, const char *participant,
                           const char *name)
{
    g_hash_table_replace(v->names, g_strdup(participant), g_strdup(name));
}

void vpeer_verify_remove(vpeer_verify *v, const char *participant,
                         const char *track_id, int64_t now_us)
{
    for (guint i = 0; i < v->tracks->len; i++) {
        track *t = track_at(v, (int)i);
        if (live(t) && strcmp(t->participant, participant) == 0 &&
            (!track_id || strcmp(t->track, track_id) == 0))
            t->removed_us = now_us;
    }
}

void vpeer_verify_freeze(vpeer_verify *v)
{
    v->frozen = true;
}

void vpeer_verify_end_session(vpeer_verify *v, int session, int64_t now_us)
{
    for (guint i = 0; i < v->tracks->len; i++) {
        track *t = track_at(v, (int)i);
        if (t->session == session && !t->ended) {
            t->ended = true;
            t->ended_us = now_us;
        }
    }
}

/* The newest track of the session with this SSRC, live or not: packets of a
 * removed track must still be found to be counted as after_removed. */
static track *find_ssrc(const vpeer_verify *v, int session, uint32_t ssrc)
{
    for (int i = (int)v->tracks->len - 1; i >= 0; i--) {
        track *t = track_at(v, i);
        if (t->session == session && t->ssrc == ssrc && !t->ended)
            return t;
    }
    return NULL;
}

/* Extend a 16-bit sequence number next to the highest one seen. */
static int64_t extend_seq(const track *t, uint16_t seq)
{
    if (!t->started)
        return (int64_t)seq + ((int64_t)1 << 32);  /* room below for reorder */
    int16_t d = (int16_t)(uint16_t)(seq - (uint16_t)t->max_ext);
    return t->max_ext + d;
}

/* Record ext in the ring; false when it was already there. */
static bool mark_seen(track *t, int64_t ext)
{
    int64_t *slot = &t->seen[ext % SEEN_RING];
    if (*slot == ext)
        return false;
    *slot = ext;
    return true;
}

static int64_t mod_n(int64_t a, int64_t n)
{
    int64_t r = a % n;
    return r < 0 ? r + n : r;
}

/* Floor division for a possibly negative numerator. */
static int64_t floor_div(int64_t a, int64_t n)
{
    return (a - mod_n(a, n)) / n;
}

/* Frame number, counting loops, of clip position pos (packet index plus
 * loops * N; negative before the anchor's loop). */
static int64_t abs_frame(const vpeer_clip *c, vpeer_kind k, int64_t pos)
{
    int64_t n = vpeer_clip_packet_count(c, k);
    const vpeer_clip_packet *p = vpeer_clip_packet_at(c, k,
                                                      (uint32_t)mod_n(pos, n));
    return floor_div(pos, n) * vpeer_clip_frame_count(c, k) + p->frame;
}

/* Compare the packet with the clip packet it should be: payload byte for
 * byte, then payload type, marker and timestamp (see verify.h). */
static void check_packet(const vpeer_verify *v, track *t, int64_t ext,
                         const veche_rtp_view *rv)
{
    if (t->anchor_idx < 0) {
        t->anchor_idx = vpeer_clip_lookup(v->clip, t->kind, rv->payload,
                                          rv->payload_len);
        t->anchor_ext = ext;
        t->anchor_ts = rv->timestamp;
        if (t->anchor_idx < 0) {
            t->mismatched++;
            return;
        }
    }
    int64_t count = vpeer_clip_packet_count(v->clip, t->kind);
    int64_t pos = t->anchor_idx + (ext - t->anchor_ext);
    const vpeer_clip_packet *c =
        vpeer_clip_packet_at(v->clip, t->kind, (uint32_t)mod_n(pos, count));
    if (c->len != rv->payload_len ||
        memcmp(c->data, rv->payload, rv->payload_len) != 0) {
        t->mismatched++;
        return;
    }
    int64_t frames = abs_frame(v->clip, t->kind, pos) -
                     abs_frame(v->clip, t->kind, t->anchor_idx);
    uint32_t ts = t->anchor_ts +
                  (uint32_t)((uint64_t)frames * vpeer_clip_frame_ticks(t->kind));
    if (rv->marker != c->marker || rv->payload_type != t->pt ||
        rv->timestamp != ts) {
        t->mismatched++;
        t->bad_header++;
        return;
    }
    t->identical++;
}

static void account(const vpeer_verify *v, track *t,
                    const veche_rtp_view *rv, size_t len, int64_t now_us)
{
    int64_t ext = extend_seq(t, rv->seq);
    if (v->frozen && (!t->started || ext > t->max_ext))
        return;  /* after the window: only repairs of gaps inside it count */
    if (!t->started) {
        t->started = true;
        t->first_ext = t->min_ext = t->max_ext = ext;
        t->first_us = now_us;
    }
    if (!mark_seen(t, ext)) {
        t->duplicates++;
        return;
    }
    if (ext > t->max_ext)
        t->max_ext = ext;
    if (ext < t->min_ext)
        t->min_ext = ext;
    t->packets++;
    t->last_us = now_us;
    if (t->removed_us >= 0 && now_us - t->removed_us > VPEER_VERIFY_GRACE_US)
        t->after_removed++;
    veche_rtpstats_update(&t->stats, rv->seq, rv->timestamp,
                          (uint64_t)(now_us / 1000), len);
    check_packet(v, t, ext, rv);
}

vpeer_rtx_result vpeer_verify_unwrap_rtx(vpeer_verify *v, int session,
                                         uint8_t *buf, size_t *len)
{
    veche_rtp_view rv;
    if (veche_rtp_parse(buf, *len, &rv, NULL) != 0)
        return VPEER_RTX_NONE;
    track *t = NULL;
    for (int i = (int)v->tracks->len - 1; i >= 0 && !t; i--) {
        track *c = track_at(v, i);
        if (c->session == session && !c->ended && c->rtx_ssrc == rv.ssrc)
            t = c;
    }
    if (!t)
        return VPEER_RTX_NONE;
    if (!t->rtx_accepted || rv.payload_type != t->rtx_pt ||
        rv.payload_len < 2) {
        t->rtx_refused++;
        return VPEER_RTX_REFUSED;
    }
    uint16_t osn = (uint16_t)(rv.payload[0] << 8 | rv.payload[1]);
    memmove(buf + rv.header_len, buf + rv.header_len + 2,
            *len - rv.header_len - 2);
    *len -= 2;
    veche_rtp_set_seq(buf, osn);
    veche_rtp_set_ssrc(buf, t->ssrc);
    veche_rtp_set_payload_type(buf, t->pt);
    t->rtx++;
    return VPEER_RTX_UNWRAPPED;
}

bool vpeer_verify_is_video(const vpeer_verify *v, int session, uint32_t ssrc)
{
    const track *t = find_ssrc(v, session, ssrc);
    return t && t->kind == VPEER_VIDEO && live(t);
}

vpeer_rtp_result vpeer_verify_on_rtp(vpeer_verify *v, int session,
                                     const uint8_t *buf, size_t len,
                                     int64_t now_us)
{
    veche_rtp_view rv;
    if (veche_rtp_parse(buf, len, &rv, NULL) != 0)
        return VPEER_RTP_MALFORMED;
    track *t = find_ssrc(v, session, rv.ssrc);
    if (!t) {
        v->unknown_ssrc++;
        return VPEER_RTP_UNKNOWN_SSRC;
    }
    bool first = !t->started;
    account(v, t, &rv, len, now_us);
    return first && t->kind == VPEER_VIDEO ? VPEER_RTP_FIRST_VIDEO
                                           : VPEER_RTP_OK;
}

void vpeer_verify_on_sr(vpeer_verify *v, int session, uint32_t ssrc,
                        uint64_t ntp, int64_t now_us)
{
    track *t = find_ssrc(v, session, ssrc);
    if (t)
        veche_rtpstats_on_sr(&t->stats, ntp, (uint64_t)(now_us / 1000));
}

int vpeer_verify_write_rr(vpeer_verify *v, int session, uint32_t our_ssrc,
                          uint8_t *buf, size_t cap, int64_t now_us)
{
    veche_rtcp_report_block blocks[MAX_RR_BLOCKS];
    int n = 0;
    for (guint i = 0; i < v->tracks->len && n < MAX_RR_BLOCKS; i++) {
        track *t = track_at(v, (int)i);
        if (t->session == session && live(t) && t->started)
            veche_rtpstats_report(&t->stats, (uint64_t)(now_us / 1000),
                                  &blocks[n++]);
    }
    return veche_rtcp_write_rr(buf, cap, our_ssrc, blocks, n);
}

int vpeer_verify_removed_ssrcs(const vpeer_verify *v, int session,
                               uint32_t *ssrcs, int max)
{
    int n = 0;
    for (guint i = 0; i < v->tracks->len && n < max; i++) {
        track *t = track_at(v, (int)i);
        if (t->session == session && !t->ended && t->removed_us >= 0)
            ssrcs[n++] = t->ssrc;
    }
    return n;
}

int vpeer_verify_live_video(const vpeer_verify *v, int session,
                            uint32_t *ssrcs, int max)
{
    int n = 0;
    for (guint i = 0; i < v->tracks->len && n < max; i++) {
        track *t = track_at(v, (int)i);
        if (t->session == session && live(t) && t->kind == VPEER_VIDEO)
            ssrcs[n++] = t->ssrc;
    }
    return n;
}

uint64_t vpeer_verify_unknown_ssrc(const vpeer_verify *v)
{
    return v->unknown_ssrc;
}

int vpeer_verify_count(const vpeer_verify *v)
{
    return (int)v->tracks->len;
}

void vpeer_verify_get(const vpeer_verify *v, int i, vpeer_track_info *out)
{
    const track *t = track_at(v, i);
    const char *name = g_hash_table_lookup(v->names, t->participant);
    int64_t span = t->started ? t->max_ext - t->min_ext + 1 : 0;
    int64_t lost = span - (int64_t)t->packets;
    *out = (vpeer_track_info){
        .participant = t->participant, .name = name ? name : "",
        .track = t->track, .mid = t->mid ? t->mid : "", .kind = t->kind,
        .ssrc = t->ssrc,
        .session = t->session, .packets = t->packets,
        .lost = lost > 0 ? (uint64_t)lost : 0, .duplicates = t->duplicates,
        .identical = t->identical, .mismatched = t->mismatched,
        .bad_header = t->bad_header, .rtx = t->rtx,
        .rtx_refused = t->rtx_refused,
        .after_removed = t->after_removed, .added_us = t->added_us,
        .removed_us = t->removed_us, .ended_us = t->ended_us,
        .first_us = t->first_us,
        .last_us = t->last_us,
    };
}
