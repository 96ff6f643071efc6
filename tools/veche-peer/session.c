/* session.c - one join's media (see session.h): the publish connection
 * and its sender, the subscribe connection and its receive path, and the
 * offer/answer and trickle handling of both.
 *
 *   subscribe RTP -> RTX unwrap (verify.h) -> simulated loss / NACK
 *                    bookkeeping (nack.h, video only) -> verify.h
 *   subscribe RTCP -> sender reports noted for our receiver reports
 *   publish RTCP  -> sender.h (NACKs, PLI, FIR)
 *
 * Does not: speak the rest of the protocol (client.c does), or decide when
 * a session starts and ends.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "misbehave.h"
#include "pc.h"
#include "peer_sdp.h"
#include "rtcp.h"
#include "sdp.h"
#include "sender.h"
#include "srtp.h"

#define RR_INTERVAL_MS 1000
#define NACK_INTERVAL_MS 20
#define RTCP_CAP (1500 + VECHE_SRTP_MAX_OVERHEAD)
#define RTCP_MAX 1500             /* plain RTCP we write into RTCP_CAP */

struct vpeer_session {
    vpeer_session_config cfg;     /* strings below are our copies */
    char *ice, *participant, *name;
    veche_dtls_cert *cert;        /* reference */
    vpeer_pc *pub, *sub;
    vpeer_sender *sender;
    int pub_req_id;               /* id of our publish request */
    uint32_t video_rtx_ssrc;      /* offered with --send-rtx, else 0 */
    uint32_t sub_ssrc;            /* our SSRC for RTCP on subscribe */
    char *sub_mid;                /* mid for our subscribe candidates */
    vpeer_nacker *nacker;         /* with the subscribe connection */
    GHashTable *mids;             /* subscribe mid -> vpeer_mid_track */
    unsigned mid_reuses;          /* m-lines that carried a new track */
    GSource *rr_timer, *nack_timer;
    bool rtx_refused_noted;
    uint64_t rtcp_errors;         /* our RTCP that could not be sent */
};

/* What a subscribe m-line carries (or last carried, when inactive). */
typedef struct {
    char *participant, *track;
    uint32_t ssrc;
} mid_track;

static void mid_track_free(gpointer p)
{
    mid_track *m = p;
    g_free(m->participant);
    g_free(m->track);
    g_free(m);
}

static int64_t now_us(void)
{
    return g_get_monotonic_time();
}

static void drop_source(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

static GSource *add_timeout(vpeer_session *s, guint ms, GSourceFunc fn)
{
    GSource *src = g_timeout_source_new(ms);
    g_source_set_callback(src, fn, s, NULL);
    g_source_attach(src, s->cfg.ctx);
    return src;
}

static char *random_hex(int bytes)
{
    GString *str = g_string_new(NULL);
    for (int i = 0; i < bytes; i++)
        g_string_append_printf(str, "%02x", g_random_int() & 0xff);
    return g_string_free(str, FALSE);
}

static const char *str_member(json_t *msg, const char *key)
{
    const char *v = json_string_value(json_object_get(msg, key));
    return v ? v : "";
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* ---- connection callbacks ------------------------------------------------- */

static const char *pc_label(const vpeer_session *s, const vpeer_pc *pc)
{
    return pc == s->pub ? "publish" : "subscribe";
}

static void on_local_candidate(void *ud, vpeer_pc *pc, const char *cand)
{
    vpeer_session *s = ud;
    const char *mid = pc == s->pub ? "0" : (s->sub_mid ? s->sub_mid : "0");
    s->cfg.signal(s->cfg.ud,
                  json_pack("{s:s, s:s, s:s, s:s}", "type", "candidate", "pc",
                            pc_label(s, pc), "candidate", cand ? cand : "",
                            "mid", mid));
}

static void on_pc_connected(void *ud, vpeer_pc *pc)
{
    vpeer_session *s = ud;
    unsigned in_sdp = 0, trickled = 0;
    vpeer_pc_candidate_counts(pc, &in_sdp, &trickled);
    vpeer_report_event(s->cfg.report, "connected",
                       json_pack("{s:s, s:i, s:i, s:i}", "pc", pc_label(s, pc),
                                 "session", s->cfg.number, "candidates_in_sdp",
                                 (int)in_sdp, "candidates_trickled",
                                 (int)trickled));
    if (pc != s->pub)
        return;
    if (s->sender)
        vpeer_sender_start(s->sender, s->cfg.ctx);
    if (s->cfg.publish_connected)
        s->cfg.publish_connected(s->cfg.ud);
}

static void on_pc_failed(void *ud, vpeer_pc *pc, const char *reason)
{
    vpeer_session *s = ud;
    vpeer_report_error(s->cfg.report, "%s connection failed (session %d): %s",
                       pc_label(s, pc), s->cfg.number, reason);
}

static int sender_send(void *ud, uint8_t *buf, size_t len, size_t cap,
                       bool rtcp)
{
    vpeer_session *s = ud;
    if (!s->pub || !vpeer_pc_connected(s->pub))
        return VECHE_ESTATE;
    return vpeer_pc_send(s->pub, buf, len, cap, rtcp);
}

/* Send n bytes of RTCP from buf (RTCP_CAP bytes) on the subscribe
 * connection; n < 0 (a writer's error) counts as a failure too. */
static void send_sub_rtcp(vpeer_session *s, uint8_t *buf, int n)
{
    if (n == 0)
        return;
    if (n < 0 || vpeer_pc_send(s->sub, buf, (size_t)n, RTCP_CAP, true) != 0)
        s->rtcp_errors++;
}

static void send_pli(vpeer_session *s, uint32_t media_ssrc)
{
    uint8_t buf[RTCP_CAP];
    send_sub_rtcp(s, buf, veche_rtcp_write_pli(buf, RTCP_MAX, s->sub_ssrc,
                                               media_ssrc));
}

/* A packet on the subscribe connection: RTX back to the original, the
 * simulated loss and NACK bookkeeping for video, then the accounting. */
static void on_pc_rtp(void *ud, vpeer_pc *pc, uint8_t *buf, size_t len)
{
    vpeer_session *s = ud;
    if (pc != s->sub || len < 12)
        return;
    int64_t now = now_us();
    if (vpeer_verify_unwrap_rtx(s->cfg.verify, s->cfg.number, buf, &len) ==
        VPEER_RTX_REFUSED) {
        if (!s->rtx_refused_noted)
            vpeer_report_error(s->cfg.report, "the server sent RTX (SSRC %u) "
                               "although our answer did not accept RTX",
                               rd32(buf + 8));
        s->rtx_refused_noted = true;
        return;
    }
    uint32_t ssrc = rd32(buf + 8);
    uint16_t seq = (uint16_t)(buf[2] << 8 | buf[3]);
    if (vpeer_verify_is_video(s->cfg.verify, s->cfg.number, ssrc)) {
        if (vpeer_nacker_simulate_drop(s->nacker, ssrc, seq, now))
            return;
        vpeer_nacker_on_packet(s->nacker, ssrc, seq, now);
    }
    if (vpeer_verify_on_rtp(s->cfg.verify, s->cfg.number, buf, len, now) ==
        VPEER_RTP_FIRST_VIDEO)
        send_pli(s, ssrc);
}

static void on_pc_rtcp(void *ud, vpeer_pc *pc, uint8_t *buf, size_t len)
{
    vpeer_session *s = ud;
    if (pc == s->pub) {
        if (s->sender)
            vpeer_sender_on_rtcp(s->sender, buf, len);
        return;
    }
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_iter_init(&it, buf, len);
    while (veche_rtcp_iter_next(&it, &item, NULL) == 1) {
        veche_rtcp_sr sr;
        if (item.type == VECHE_RTCP_SR && veche_rtcp_parse_sr(&item, &sr) == 0)
            vpeer_verify_on_sr(s->cfg.verify, s->cfg.number, sr.ssrc, sr.ntp,
                               now_us());
    }
}

static const vpeer_pc_callbacks PC_CB = {
    on_local_candidate, on_pc_connected, on_pc_failed, on_pc_rtp, on_pc_rtcp,
};

static vpeer_pc *make_pc(vpeer_session *s, bool offerer)
{
    char *label = g_strdup_printf("%s/%s", s->name,
                                  offerer ? "publish" : "subscribe");
    vpeer_pc_config pcfg = { s->cfg.ctx, s->ice, offerer, s->cfg.trickle_only,
                             s->cert, label };
    vpeer_pc *pc = vpeer_pc_new(&pcfg, &PC_CB, s);
    g_free(label);
    if (!pc)
        vpeer_report_error(s->cfg.report, "could not create the %s transport",
                           offerer ? "publish" : "subscribe");
    return pc;
}

/* ---- timers --------------------------------------------------------------- */

static gboolean on_rr_timer(gpointer ud)
{
    vpeer_session *s = ud;
    if (!vpeer_pc_connected(s->sub))
        return G_SOURCE_CONTINUE;
    uint8_t buf[RTCP_CAP];
    send_sub_rtcp(s, buf, vpeer_verify_write_rr(s->cfg.verify, s->cfg.number,
                                                s->sub_ssrc, buf, RTCP_MAX,
                                                now_us()));
    return G_SOURCE_CONTINUE;
}

static gboolean on_nack_timer(gpointer ud)
{
    vpeer_session *s = ud;
    if (s->cfg.no_nack || !vpeer_pc_connected(s->sub))
        return G_SOURCE_CONTINUE;
    uint8_t buf[RTCP_CAP];
    send_sub_rtcp(s, buf, vpeer_nacker_write(s->nacker, s->sub_ssrc, now_us(),
                                             buf, RTCP_MAX));
    return G_SOURCE_CONTINUE;
}

/* ---- publish -------------------------------------------------------------- */

void vpeer_session_publish(vpeer_session *s, int request_id, uint32_t audio_ssrc,
                           uint32_t video_ssrc)
{
    if (s->pub)
        return;
    s->pub = make_pc(s, true);
    if (!s->pub)
        return;
    char *cname = random_hex(8), *stream = random_hex(6);
    char *atrack = random_hex(4), *vtrack = random_hex(4);
    vpeer_sdp_publish p = { audio_ssrc ? audio_ssrc : g_random_int(),
                            video_ssrc ? video_ssrc : g_random_int(), cname,
                            stream, atrack, vtrack, 0 };
    while (!video_ssrc && p.video_ssrc == p.audio_ssrc)
        p.video_ssrc = g_random_int();
    if (s->cfg.send_rtx) {
        do
            p.video_rtx_ssrc = g_random_int();
        while (!p.video_rtx_ssrc || p.video_rtx_ssrc == p.audio_ssrc ||
               p.video_rtx_ssrc == p.video_ssrc);
    }
    s->video_rtx_ssrc = p.video_rtx_ssrc;
    s->sender = vpeer_sender_new(s->cfg.clip, p.audio_ssrc, p.video_ssrc,
                                 cname, sender_send, s);
    vpeer_sender_set_loss(s->sender, s->cfg.drop_send);
    vpeer_sdp_local local;
    vpeer_pc_local(s->pub, &local);
    char *offer = vpeer_sdp_publish_offer(&local, &p);
    if (offer) {
        s->pub_req_id = request_id;
        s->cfg.signal(s->cfg.ud, json_pack("{s:s, s:i, s:s}", "type",
                                           "publish", "id", request_id,
                                           "sdp", offer));
        vpeer_pc_local_sent(s->pub);
    } else {
        vpeer_report_error(s->cfg.report, "could not build the publish offer");
    }
    free(offer);
    g_free(cname);
    g_free(stream);
    g_free(atrack);
    g_free(vtrack);
}

static veche_sdp *parse_sdp(vpeer_session *s, json_t *msg, const char *what)
{
    const char *text = str_member(msg, "sdp");
    const char *err = "?";
    veche_sdp *sdp = veche_sdp_parse(text, strlen(text), &err);
    if (!sdp)
        vpeer_report_error(s->cfg.report, "server %s does not parse: %s", what,
                           err);
    return sdp;
}

void vpeer_session_on_answer(vpeer_session *s, json_t *msg)
{
    json_t *id = json_object_get(msg, "id");
    if (json_is_integer(id) && json_integer_value(id) != s->pub_req_id)
        return;   /* an answer to a publish of an earlier session */
    if (strcmp(str_member(msg, "pc"), "publish") != 0 || !s->pub) {
        vpeer_report_error(s->cfg.report, "unexpected answer for pc \"%s\"",
                           str_member(msg, "pc"));
        return;
    }
    veche_sdp *sdp = parse_sdp(s, msg, "publish answer");
    if (!sdp)
        return;
    const char *err = "?";
    if (vpeer_pc_set_remote(s->pub, sdp, &err) != 0)
        vpeer_report_error(s->cfg.report, "publish answer: %s", err);
    /* --send-rtx: the server's answer keeps our RTX codec when it takes it */
    for (int i = 0; s->video_rtx_ssrc && i < sdp->n_media; i++) {
        const veche_sdp_media *m = &sdp->media[i];
        if (m->kind == VECHE_SDP_VIDEO && m->port != 0 &&
            veche_sdp_media_rtx_for(m, VPEER_VIDEO_PT) == VPEER_VIDEO_RTX_PT)
            vpeer_sender_set_rtx(s->sender, s->video_rtx_ssrc, VPEER_VIDEO_RTX_PT);
    }
    veche_sdp_free(sdp);
}

void vpeer_session_offer_ssrcs(json_t *offer_msg, uint32_t *audio, uint32_t *video)
{
    *audio = *video = 0;
    const char *text = str_member(offer_msg, "sdp");
    veche_sdp *sdp = veche_sdp_parse(text, strlen(text), NULL);
    for (int i = 0; sdp && i < sdp->n_media; i++) {
        vpeer_sdp_track t;
        if (!vpeer_sdp_track_at(sdp, i, &t) || !t.active || !t.ssrc)
            continue;
        uint32_t *slot = t.kind == VPEER_AUDIO ? audio : video;
        if (!*slot)
            *slot = t.ssrc;
    }
    veche_sdp_free(sdp);
}

/* ---- subscribe ------------------------------------------------------------ */

/* The track a mid carried is over (its m-line went inactive or now
 * carries another track): no more packets are expected from it. */
static void mid_track_ended(vpeer_session *s, const mid_track *old)
{
    vpeer_verify_remove(s->cfg.verify, old->participant, old->track, now_us());
    vpeer_session_tracks_removed(s);
}

/* Follow what each mid carries.  The server reuses the m-line of an ended
 * track for the next track of the same kind: same mid, new msid and SSRC
 * (negotiate.c).  A changed mid ends the old track and starts a new record
 * in verify.h, so each track is counted on its own. */
static void note_mid(vpeer_session *s, const char *mid, const vpeer_sdp_track *t)
{
    mid_track *old = g_hash_table_lookup(s->mids, mid);
    if (!t) {                       /* inactive: no msid */
        if (old)
            mid_track_ended(s, old);
        return;
    }
    if (old && strcmp(old->participant, t->participant) == 0 &&
        strcmp(old->track, t->track) == 0 && old->ssrc == t->ssrc)
        return;
    if (old) {
        s->mid_reuses++;
        vpeer_report_event(s->cfg.report, "mid-reused",
                           json_pack("{s:s, s:i, s:s, s:s, s:I, s:s, s:s, s:I}",
                                     "mid", mid, "session", s->cfg.number,
                                     "from_participant", old->participant,
                                     "from_track", old->track, "from_ssrc",
                                     (json_int_t)old->ssrc, "to_participant",
                                     t->participant, "to_track", t->track,
                                     "to_ssrc", (json_int_t)t->ssrc));
        mid_track_ended(s, old);
    }
    mid_track *m = g_new0(mid_track, 1);
    m->participant = g_strdup(t->participant);
    m->track = g_strdup(t->track);
    m->ssrc = t->ssrc;
    g_hash_table_replace(s->mids, g_strdup(mid), m);
}

/* Update verify.h from the tracks of a subscribe offer. */
static void note_offer_tracks(vpeer_session *s, const veche_sdp *sdp)
{
    for (int i = 0; i < sdp->n_media; i++) {
        vpeer_sdp_track t;
        const char *mid = sdp->media[i].mid;
        if (!vpeer_sdp_track_at(sdp, i, &t)) {
            if (mid)
                note_mid(s, mid, NULL);
            continue;
        }
        if (strcmp(t.participant, s->participant) == 0) {
            vpeer_report_error(s->cfg.report, "subscribe offer: mid %s is our "
                               "own track", t.mid);
        } else if (!t.active) {
            if (mid)
                note_mid(s, mid, NULL);
            vpeer_verify_remove(s->cfg.verify, t.participant, t.track,
                                now_us());
            vpeer_session_tracks_removed(s);
        } else if (t.ssrc == 0) {
            vpeer_report_error(s->cfg.report, "subscribe offer: mid %s has no "
                               "a=ssrc", t.mid);
        } else if (t.pt != 0) {
            if (mid)
                note_mid(s, mid, &t);
            int k = vpeer_verify_add_track(s->cfg.verify, s->cfg.number,
                                           t.participant, t.track, t.kind,
                                           t.ssrc, now_us());
            vpeer_verify_set_mid(s->cfg.verify, k, t.mid);
            vpeer_verify_set_pt(s->cfg.verify, k, t.pt);
            vpeer_verify_set_rtx(s->cfg.verify, k, t.rtx_ssrc, t.rtx_pt,
                                 s->cfg.rtx);
        }
    }
}

/* The subscribe connection, made for the first offer. */
static bool ensure_sub(vpeer_session *s, const veche_sdp *sdp)
{
    if (s->sub)
        return true;
    s->sub = make_pc(s, false);
    if (!s->sub)
        return false;
    s->sub_ssrc = g_random_int();
    for (int i = 0; i < sdp->n_media && !s->sub_mid; i++)
        if (sdp->media[i].port != 0 && sdp->media[i].mid)
            s->sub_mid = g_strdup(sdp->media[i].mid);
    s->rr_timer = add_timeout(s, RR_INTERVAL_MS, on_rr_timer);
    s->nack_timer = add_timeout(s, NACK_INTERVAL_MS, on_nack_timer);
    return true;
}

static void answer_offer(vpeer_session *s, const veche_sdp *sdp)
{
    vpeer_sdp_local local;
    vpeer_pc_local(s->sub, &local);
    local.rtx = s->cfg.rtx;
    const char *err = "?";
    char *answer = vpeer_sdp_subscribe_answer(sdp, &local, &err);
    if (!answer) {
        vpeer_report_error(s->cfg.report, "subscribe answer: %s", err);
        return;
    }
    s->cfg.signal(s->cfg.ud, json_pack("{s:s, s:s, s:s}", "type", "answer",
                                       "pc", "subscribe", "sdp", answer));
    vpeer_pc_local_sent(s->sub);
    free(answer);
}

void vpeer_session_on_offer(vpeer_session *s, json_t *msg)
{
    if (strcmp(str_member(msg, "pc"), "subscribe") != 0) {
        vpeer_report_error(s->cfg.report, "offer for pc \"%s\"",
                           str_member(msg, "pc"));
        return;
    }
    veche_sdp *sdp = parse_sdp(s, msg, "subscribe offer");
    if (!sdp)
        return;
    if (!ensure_sub(s, sdp)) {
        veche_sdp_free(sdp);
        return;
    }
    vpeer_sdp_remote r;
    const char *err = "?";
    bool has_media = vpeer_sdp_remote_params(sdp, &r, &err) == 0;
    if (has_media && vpeer_pc_set_remote(s->sub, sdp, &err) != 0)
        vpeer_report_error(s->cfg.report, "subscribe offer: %s", err);
    note_offer_tracks(s, sdp);
    int active = 0;
    for (int i = 0; i < sdp->n_media; i++)
        active += sdp->media[i].port != 0 &&
                  sdp->media[i].dir == VECHE_SDP_SENDONLY;
    vpeer_report_event(s->cfg.report, "subscribe-offer",
                       json_pack("{s:i, s:i, s:i, s:i}", "session",
                                 s->cfg.number, "sections", sdp->n_media,
                                 "active", active, "mid_reuses",
                                 (int)s->mid_reuses));
    answer_offer(s, sdp);
    veche_sdp_free(sdp);
}

void vpeer_session_on_candidate(vpeer_session *s, json_t *msg)
{
    const char *which = str_member(msg, "pc");
    vpeer_pc *pc = strcmp(which, "publish") == 0 ? s->pub
                 : strcmp(which, "subscribe") == 0 ? s->sub : NULL;
    if (pc && vpeer_pc_add_candidate(pc, str_member(msg, "candidate")) != 0)
        vpeer_report_event(s->cfg.report, "candidate-refused",
                           json_pack("{s:s, s:s}", "pc", which, "candidate",
                                     str_member(msg, "candidate")));
}

void vpeer_session_tracks_removed(vpeer_session *s)
{
    uint32_t ssrcs[64];
    int n = vpeer_verify_removed_ssrcs(s->cfg.verify, s->cfg.number, ssrcs,
                                       64);
    for (int i = 0; i < n; i++)
        vpeer_nacker_forget(s->nacker, ssrcs[i]);
}

/* ---- the rest ------------------------------------------------------------- */

void vpeer_session_misbehave(vpeer_session *s)
{
    uint32_t videos[16];
    int n = vpeer_verify_live_video(s->cfg.verify, s->cfg.number, videos, 16);
    vpeer_misbehave_media(s->cfg.report, s->pub, s->sub, videos, n, s->ice);
}

vpeer_session *vpeer_session_new(const vpeer_session_config *cfg)
{
    vpeer_session *s = g_new0(vpeer_session, 1);
    s->cfg = *cfg;
    s->ice = g_strdup(cfg->ice_addresses);
    s->participant = g_strdup(cfg->participant ? cfg->participant : "");
    s->name = g_strdup(cfg->name ? cfg->name : "");
    s->cert = veche_dtls_cert_ref(cfg->cert);
    s->nacker = vpeer_nacker_new(cfg->drop_video);
    s->mids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    mid_track_free);
    return s;
}

void vpeer_session_free(vpeer_session *s)
{
    if (!s)
        return;
    drop_source(&s->rr_timer);
    drop_source(&s->nack_timer);
    vpeer_verify_end_session(s->cfg.verify, s->cfg.number, now_us());
    vpeer_sender_free(s->sender);
    vpeer_pc_free(s->pub);
    vpeer_pc_free(s->sub);
    vpeer_nacker_free(s->nacker);
    g_hash_table_unref(s->mids);
    veche_dtls_cert_unref(s->cert);
    g_free(s->sub_mid);
    g_free(s->ice);
    g_free(s->participant);
    g_free(s->name);
    g_free(s);
}

void vpeer_session_add_totals(const vpeer_session *s, vpeer_session_totals *t)
{
    if (!s)
        return;
    if (s->sender) {
        const vpeer_sender_stats *st = vpeer_sender_get_stats(s->sender);
        t->audio += st->packets[VPEER_AUDIO];
        t->video += st->packets[VPEER_VIDEO];
        t->skipped += st->skipped;
        t->nack_seqs += st->nack_seqs;
        t->resent += st->resent;
        t->resent_rtx += st->resent_rtx;
        t->pli += st->pli;
        t->fir += st->fir;
        t->sr += st->sr;
        t->send_errors += st->send_errors;
    }
    t->rtcp_errors += s->rtcp_errors;
    const vpeer_nack_stats *n = vpeer_nacker_stats(s->nacker);
    t->nack.missing += n->missing;
    t->nack.requested += n->requested;
    t->nack.recovered += n->recovered;
    t->nack.given_up += n->given_up;
    t->nack.dropped += n->dropped;
}
