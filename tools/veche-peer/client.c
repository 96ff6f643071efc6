/* client.c - one veche-peer participant: drives the signalling protocol of
 * docs/protocol.md (join, publish, subscribe, trickle, leave), owns the
 * publish and subscribe connections of the current session, and wires media
 * to sender.c (out) and verify.c (in).  See client.h for the states.
 *
 * Does not: decide when to leave or rejoin (main.c's scenario does), judge
 * the results (report.c does), or retry a failed connection.
 */
#include "client.h"

#include <string.h>

#include "err.h"
#include "misbehave.h"
#include "pc.h"
#include "peer_sdp.h"
#include "rtcp.h"
#include "sdp.h"
#include "sender.h"
#include "signal_client.h"
#include "srtp.h"

#define RR_INTERVAL_MS 1000
#define UDP_GARBAGE_DELAY_MS 2000
#define FINISH_GRACE_MS 1500
#define RTCP_CAP (1500 + VECHE_SRTP_MAX_OVERHEAD)

typedef enum {
    ST_IDLE, ST_CONNECTING, ST_JOINING, ST_JOINED, ST_LEFT, ST_CLOSED,
} client_state;

struct vpeer_client {
    /* passed in (strings copied, objects borrowed or referenced) */
    GMainContext *ctx;
    char *url, *room, *name, *ice;
    bool publish, misbehave;
    veche_dtls_cert *cert;
    const vpeer_clip *clip;
    vpeer_verify *verify;
    vpeer_report *report;
    /* allocated by this */
    vpeer_signal *sig;
    vpeer_misbehave *mb;
    client_state state;
    char *participant;
    int session;
    int next_id;
    vpeer_pc *pub, *sub;          /* current session's connections */
    vpeer_sender *sender;
    uint32_t sub_ssrc;            /* our SSRC for RTCP on subscribe */
    char *sub_mid;                /* mid for our subscribe candidates */
    GSource *rr_timer;
    GSource *udp_timer;
    bool udp_done;
    vpeer_client_totals totals;   /* of finished sessions */
    bool finishing;
    void (*done)(void *ud);
    void *done_ud;
    GSource *finish_timer;
};

/* ---- small helpers -------------------------------------------------------- */

static int64_t now_us(void)
{
    return g_get_monotonic_time();
}

static void drop_source(GSource **s)
{
    if (*s) {
        g_source_destroy(*s);
        g_source_unref(*s);
        *s = NULL;
    }
}

static GSource *add_timeout(vpeer_client *c, guint ms, GSourceFunc fn)
{
    GSource *src = g_timeout_source_new(ms);
    g_source_set_callback(src, fn, c, NULL);
    g_source_attach(src, c->ctx);
    return src;
}

static char *random_hex(int bytes)
{
    GString *s = g_string_new(NULL);
    for (int i = 0; i < bytes; i++)
        g_string_append_printf(s, "%02x", g_random_int() & 0xff);
    return g_string_free(s, FALSE);
}

static void send_json(vpeer_client *c, json_t *msg)
{
    if (vpeer_signal_send(c->sig, msg) != 0)
        vpeer_report_error(c->report, "%s: could not send %s", c->name,
                           json_string_value(json_object_get(msg, "type")));
    json_decref(msg);
}

static const char *str_member(json_t *msg, const char *key)
{
    const char *s = json_string_value(json_object_get(msg, key));
    return s ? s : "";
}

/* ---- session teardown ----------------------------------------------------- */

static void add_sender_totals(vpeer_client *c)
{
    if (!c->sender)
        return;
    const vpeer_sender_stats *st = vpeer_sender_get_stats(c->sender);
    c->totals.audio += st->packets[VPEER_AUDIO];
    c->totals.video += st->packets[VPEER_VIDEO];
    c->totals.nack_seqs += st->nack_seqs;
    c->totals.resent += st->resent;
    c->totals.pli += st->pli;
    c->totals.fir += st->fir;
    c->totals.sr += st->sr;
}

/* End the current session: stop media, drop both connections. */
static void end_session(vpeer_client *c)
{
    drop_source(&c->rr_timer);
    drop_source(&c->udp_timer);
    if (c->session > 0)
        vpeer_verify_end_session(c->verify, c->session, now_us());
    add_sender_totals(c);
    vpeer_sender_free(c->sender);
    c->sender = NULL;
    vpeer_pc_free(c->pub);
    vpeer_pc_free(c->sub);
    c->pub = c->sub = NULL;
    g_free(c->sub_mid);
    c->sub_mid = NULL;
}

/* ---- connection callbacks ------------------------------------------------- */

static const char *pc_label(const vpeer_client *c, const vpeer_pc *pc)
{
    return pc == c->pub ? "publish" : "subscribe";
}

static void on_local_candidate(void *ud, vpeer_pc *pc, const char *cand)
{
    vpeer_client *c = ud;
    const char *mid = pc == c->pub ? "0" : (c->sub_mid ? c->sub_mid : "0");
    send_json(c, json_pack("{s:s, s:s, s:s, s:s}", "type", "candidate",
                           "pc", pc_label(c, pc), "candidate",
                           cand ? cand : "", "mid", mid));
}

static gboolean on_udp_timer(gpointer ud);

static void on_pc_connected(void *ud, vpeer_pc *pc)
{
    vpeer_client *c = ud;
    vpeer_report_event(c->report, "connected",
                       json_pack("{s:s, s:i}", "pc", pc_label(c, pc),
                                 "session", c->session));
    if (pc == c->pub && c->sender)
        vpeer_sender_start(c->sender, c->ctx);
    if (pc == c->pub && c->misbehave && !c->udp_done && !c->udp_timer)
        c->udp_timer = add_timeout(c, UDP_GARBAGE_DELAY_MS, on_udp_timer);
}

static void on_pc_failed(void *ud, vpeer_pc *pc, const char *reason)
{
    vpeer_client *c = ud;
    vpeer_report_error(c->report, "%s connection failed (session %d): %s",
                       pc_label(c, pc), c->session, reason);
}

static int sender_send(void *ud, uint8_t *buf, size_t len, size_t cap,
                       bool rtcp)
{
    vpeer_client *c = ud;
    if (!c->pub || !vpeer_pc_connected(c->pub))
        return VECHE_ESTATE;
    return vpeer_pc_send(c->pub, buf, len, cap, rtcp);
}

static void send_pli(vpeer_client *c, uint32_t media_ssrc)
{
    uint8_t buf[RTCP_CAP];
    int n = veche_rtcp_write_pli(buf, sizeof buf, c->sub_ssrc, media_ssrc);
    if (n > 0)
        vpeer_pc_send(c->sub, buf, (size_t)n, sizeof buf, true);
}

static void on_pc_rtp(void *ud, vpeer_pc *pc, uint8_t *buf, size_t len)
{
    vpeer_client *c = ud;
    if (pc != c->sub)
        return;
    vpeer_rtp_result r = vpeer_verify_on_rtp(c->verify, c->session, buf, len,
                                             now_us());
    if (r == VPEER_RTP_FIRST_VIDEO && len >= 12)
        send_pli(c, (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 |
                    (uint32_t)buf[10] << 8 | buf[11]);
}

static void on_sub_rtcp(vpeer_client *c, const uint8_t *buf, size_t len)
{
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_iter_init(&it, buf, len);
    while (veche_rtcp_iter_next(&it, &item, NULL) == 1) {
        veche_rtcp_sr sr;
        if (item.type == VECHE_RTCP_SR && veche_rtcp_parse_sr(&item, &sr) == 0)
            vpeer_verify_on_sr(c->verify, c->session, sr.ssrc, sr.ntp,
                               now_us());
    }
}

static void on_pc_rtcp(void *ud, vpeer_pc *pc, uint8_t *buf, size_t len)
{
    vpeer_client *c = ud;
    if (pc == c->pub && c->sender)
        vpeer_sender_on_rtcp(c->sender, buf, len);
    else if (pc == c->sub)
        on_sub_rtcp(c, buf, len);
}

static const vpeer_pc_callbacks PC_CB = {
    on_local_candidate, on_pc_connected, on_pc_failed, on_pc_rtp, on_pc_rtcp,
};

static vpeer_pc *make_pc(vpeer_client *c, bool offerer)
{
    char *label = g_strdup_printf("%s/%s", c->name,
                                  offerer ? "publish" : "subscribe");
    vpeer_pc_config cfg = { c->ctx, c->ice, offerer, c->cert, label };
    vpeer_pc *pc = vpeer_pc_new(&cfg, &PC_CB, c);
    g_free(label);
    if (!pc)
        vpeer_report_error(c->report, "could not create the %s transport",
                           offerer ? "publish" : "subscribe");
    return pc;
}

/* ---- timers --------------------------------------------------------------- */

static gboolean on_rr_timer(gpointer ud)
{
    vpeer_client *c = ud;
    if (!c->sub || !vpeer_pc_connected(c->sub))
        return G_SOURCE_CONTINUE;
    uint8_t buf[RTCP_CAP];
    int n = vpeer_verify_write_rr(c->verify, c->session, c->sub_ssrc, buf,
                                  sizeof buf, now_us());
    if (n > 0)
        vpeer_pc_send(c->sub, buf, (size_t)n, sizeof buf, true);
    return G_SOURCE_CONTINUE;
}

/* Collect both connections' server candidates and send them garbage. */
static gboolean on_udp_timer(gpointer ud)
{
    vpeer_client *c = ud;
    g_source_unref(c->udp_timer);
    c->udp_timer = NULL;
    c->udp_done = true;
    GPtrArray *all = g_ptr_array_new();
    vpeer_pc *pcs[2] = { c->pub, c->sub };
    for (int i = 0; i < 2; i++)
        for (const char *const *p = pcs[i] ? vpeer_pc_remote_candidates(pcs[i])
                                           : NULL; p && *p; p++)
            g_ptr_array_add(all, (gpointer)*p);
    g_ptr_array_add(all, NULL);
    int n = vpeer_misbehave_udp(c->report, (const char *const *)all->pdata,
                                c->ice);
    vpeer_report_event(c->report, "udp-garbage-sent",
                       json_pack("{s:i}", "datagrams", n));
    g_ptr_array_unref(all);
    return G_SOURCE_REMOVE;
}

/* ---- publish and subscribe ------------------------------------------------ */

static void start_publish(vpeer_client *c)
{
    c->pub = make_pc(c, true);
    if (!c->pub)
        return;
    char *cname = random_hex(8), *stream = random_hex(6);
    char *atrack = random_hex(4), *vtrack = random_hex(4);
    vpeer_sdp_publish p = { g_random_int(), g_random_int(), cname, stream,
                            atrack, vtrack };
    while (p.video_ssrc == p.audio_ssrc)
        p.video_ssrc = g_random_int();
    c->sender = vpeer_sender_new(c->clip, p.audio_ssrc, p.video_ssrc, cname,
                                 sender_send, c);
    vpeer_sdp_local local;
    vpeer_pc_local(c->pub, &local);
    char *offer = vpeer_sdp_publish_offer(&local, &p);
    if (offer)
        send_json(c, json_pack("{s:s, s:i, s:s}", "type", "publish",
                               "id", ++c->next_id, "sdp", offer));
    else
        vpeer_report_error(c->report, "could not build the publish offer");
    free(offer);
    g_free(cname);
    g_free(stream);
    g_free(atrack);
    g_free(vtrack);
}

/* Send subscribe and publish once joined (and after misbehaving). */
static void start_media(vpeer_client *c)
{
    send_json(c, json_pack("{s:s, s:i}", "type", "subscribe",
                           "id", ++c->next_id));
    if (c->publish)
        start_publish(c);
}

static veche_sdp *parse_sdp(vpeer_client *c, json_t *msg, const char *what)
{
    const char *text = str_member(msg, "sdp");
    const char *err = "?";
    veche_sdp *sdp = veche_sdp_parse(text, strlen(text), &err);
    if (!sdp)
        vpeer_report_error(c->report, "server %s does not parse: %s", what,
                           err);
    return sdp;
}

static void on_answer(vpeer_client *c, json_t *msg)
{
    if (c->state != ST_JOINED)
        return;   /* an answer to a session we already left */
    if (strcmp(str_member(msg, "pc"), "publish") != 0 || !c->pub) {
        vpeer_report_error(c->report, "unexpected answer for pc \"%s\"",
                           str_member(msg, "pc"));
        return;
    }
    veche_sdp *sdp = parse_sdp(c, msg, "publish answer");
    if (!sdp)
        return;
    const char *err = "?";
    if (vpeer_pc_set_remote(c->pub, sdp, &err) != 0)
        vpeer_report_error(c->report, "publish answer: %s", err);
    veche_sdp_free(sdp);
}

/* Update verify.h from the tracks of a subscribe offer. */
static void note_offer_tracks(vpeer_client *c, const veche_sdp *sdp)
{
    for (int i = 0; i < sdp->n_media; i++) {
        vpeer_sdp_track t;
        if (!vpeer_sdp_track_at(sdp, i, &t))
            continue;
        if (strcmp(t.participant, c->participant) == 0)
            vpeer_report_error(c->report, "subscribe offer: mid %s is our "
                               "own track", t.mid);
        else if (!t.active)
            vpeer_verify_remove(c->verify, t.participant, t.track, now_us());
        else if (t.ssrc == 0)
            vpeer_report_error(c->report, "subscribe offer: mid %s has no "
                               "a=ssrc", t.mid);
        else if (t.pt != 0)
            vpeer_verify_add_track(c->verify, c->session, t.participant,
                                   t.track, t.kind, t.ssrc, now_us());
    }
}

static bool ensure_sub(vpeer_client *c, const veche_sdp *sdp)
{
    if (c->sub)
        return true;
    c->sub = make_pc(c, false);
    if (!c->sub)
        return false;
    c->sub_ssrc = g_random_int();
    for (int i = 0; i < sdp->n_media && !c->sub_mid; i++)
        if (sdp->media[i].port != 0 && sdp->media[i].mid)
            c->sub_mid = g_strdup(sdp->media[i].mid);
    c->rr_timer = add_timeout(c, RR_INTERVAL_MS, on_rr_timer);
    return true;
}

static void answer_offer(vpeer_client *c, const veche_sdp *sdp)
{
    vpeer_sdp_local local;
    vpeer_pc_local(c->sub, &local);
    const char *err = "?";
    char *answer = vpeer_sdp_subscribe_answer(sdp, &local, &err);
    if (!answer) {
        vpeer_report_error(c->report, "subscribe answer: %s", err);
        return;
    }
    send_json(c, json_pack("{s:s, s:s, s:s}", "type", "answer",
                           "pc", "subscribe", "sdp", answer));
    free(answer);
}

static void on_offer(vpeer_client *c, json_t *msg)
{
    if (c->state != ST_JOINED)
        return;   /* an offer for a session we already left */
    if (strcmp(str_member(msg, "pc"), "subscribe") != 0) {
        vpeer_report_error(c->report, "offer for pc \"%s\"",
                           str_member(msg, "pc"));
        return;
    }
    veche_sdp *sdp = parse_sdp(c, msg, "subscribe offer");
    if (!sdp)
        return;
    if (!ensure_sub(c, sdp)) {
        veche_sdp_free(sdp);
        return;
    }
    vpeer_sdp_remote r;
    const char *err = "?";
    bool has_media = vpeer_sdp_remote_params(sdp, &r, &err) == 0;
    if (has_media && vpeer_pc_set_remote(c->sub, sdp, &err) != 0)
        vpeer_report_error(c->report, "subscribe offer: %s", err);
    note_offer_tracks(c, sdp);
    vpeer_report_event(c->report, "subscribe-offer",
                       json_pack("{s:i}", "sections", sdp->n_media));
    answer_offer(c, sdp);
    veche_sdp_free(sdp);
}

static void on_candidate_msg(vpeer_client *c, json_t *msg)
{
    const char *which = str_member(msg, "pc");
    vpeer_pc *pc = strcmp(which, "publish") == 0 ? c->pub
                 : strcmp(which, "subscribe") == 0 ? c->sub : NULL;
    if (!pc)
        return;   /* a late candidate for a connection we dropped */
    vpeer_pc_add_candidate(pc, str_member(msg, "candidate"));
}

/* ---- room events ---------------------------------------------------------- */

static void note_participant(vpeer_client *c, json_t *p, json_t *names)
{
    const char *id = str_member(p, "id"), *name = str_member(p, "name");
    vpeer_verify_set_name(c->verify, id, name);
    json_array_append_new(names, json_pack("{s:s, s:s}", "id", id,
                                           "name", name));
}

static void on_joined(vpeer_client *c, json_t *msg)
{
    g_free(c->participant);
    c->participant = g_strdup(str_member(msg, "participant"));
    c->state = ST_JOINED;
    c->session++;
    c->totals.joins++;
    json_t *present = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(msg, "participants"), i, p)
        note_participant(c, p, present);
    vpeer_report_event(c->report, "joined",
                       json_pack("{s:s, s:s, s:i, s:o}", "participant",
                                 c->participant, "room", c->room, "session",
                                 c->session, "participants", present));
    if (c->mb && !vpeer_misbehave_running(c->mb) && c->session == 1) {
        vpeer_misbehave_start(c->mb);
        return;
    }
    start_media(c);
}

static void on_participant_joined(vpeer_client *c, json_t *msg)
{
    json_t *p = json_object_get(msg, "participant");
    const char *id = str_member(p, "id"), *name = str_member(p, "name");
    vpeer_verify_set_name(c->verify, id, name);
    vpeer_report_event(c->report, "participant-joined",
                       json_pack("{s:s, s:s}", "participant", id,
                                 "name", name));
}

static void on_participant_left(vpeer_client *c, json_t *msg)
{
    const char *id = str_member(msg, "participant");
    vpeer_verify_remove(c->verify, id, NULL, now_us());
    vpeer_report_event(c->report, "participant-left",
                       json_pack("{s:s}", "participant", id));
}

static void on_track_added(vpeer_client *c, json_t *msg)
{
    json_t *t = json_object_get(msg, "track");
    vpeer_report_event(c->report, "track-added",
                       json_pack("{s:s, s:s, s:s}", "participant",
                                 str_member(msg, "participant"), "track",
                                 str_member(t, "id"), "kind",
                                 str_member(t, "kind")));
}

static void on_track_removed(vpeer_client *c, json_t *msg)
{
    const char *id = str_member(msg, "participant");
    const char *track = str_member(msg, "track");
    vpeer_verify_remove(c->verify, id, track, now_us());
    vpeer_report_event(c->report, "track-removed",
                       json_pack("{s:s, s:s}", "participant", id,
                                 "track", track));
}

static void on_left(vpeer_client *c, json_t *msg)
{
    vpeer_report_event(c->report, "left", NULL);
    if (c->finishing)
        vpeer_signal_close(c->sig);
}

static void on_error_msg(vpeer_client *c, json_t *msg)
{
    const char *code = str_member(msg, "code");
    vpeer_report_event(c->report, "error",
                       json_pack("{s:s, s:s}", "code", code, "reason",
                                 str_member(msg, "reason")));
    if (vpeer_misbehave_on_error(c->mb, code))
        return;
    vpeer_report_error(c->report, "server error %s: %s", code,
                       str_member(msg, "reason"));
}

static void on_ignore(vpeer_client *c, json_t *msg)
{
}

typedef struct {
    const char *type;
    void (*fn)(vpeer_client *c, json_t *msg);
} handler;

static const handler HANDLERS[] = {
    { "joined", on_joined },
    { "answer", on_answer },
    { "offer", on_offer },
    { "candidate", on_candidate_msg },
    { "participant-joined", on_participant_joined },
    { "participant-left", on_participant_left },
    { "track-added", on_track_added },
    { "track-removed", on_track_removed },
    { "left", on_left },
    { "error", on_error_msg },
    { "pong", on_ignore },
};

/* ---- signalling callbacks ------------------------------------------------- */

static void send_join(vpeer_client *c)
{
    c->state = ST_JOINING;
    send_json(c, json_pack("{s:s, s:i, s:s, s:s}", "type", "join",
                           "id", ++c->next_id, "room", c->room,
                           "name", c->name));
}

static void on_sig_open(void *ud)
{
    vpeer_client *c = ud;
    vpeer_report_event(c->report, "connected",
                       json_pack("{s:s}", "pc", "signalling"));
    send_join(c);
}

static void on_sig_message(void *ud, json_t *msg)
{
    vpeer_client *c = ud;
    const char *type = str_member(msg, "type");
    for (size_t i = 0; i < sizeof HANDLERS / sizeof *HANDLERS; i++)
        if (strcmp(type, HANDLERS[i].type) == 0) {
            HANDLERS[i].fn(c, msg);
            return;
        }
    vpeer_report_error(c->report, "unknown message type \"%s\"", type);
}

static void on_sig_bad_message(void *ud, const char *text)
{
    vpeer_client *c = ud;
    vpeer_report_error(c->report, "server sent text that is not JSON: %.80s",
                       text);
}

static void finish_done(vpeer_client *c)
{
    drop_source(&c->finish_timer);
    void (*done)(void *) = c->done;
    c->done = NULL;
    if (done)
        done(c->done_ud);
}

static void on_sig_closed(void *ud, int code, const char *reason)
{
    vpeer_client *c = ud;
    vpeer_report_event(c->report, "signalling-closed",
                       json_pack("{s:i, s:s}", "code", code, "reason", reason));
    if (vpeer_misbehave_on_closed(c->mb, code))
        return;   /* the script's finished hook reconnects */
    end_session(c);
    c->state = ST_CLOSED;
    if (c->finishing) {
        finish_done(c);
        return;
    }
    vpeer_report_error(c->report, "signalling closed unexpectedly (%d %s)",
                       code, reason);
}

static const vpeer_signal_callbacks SIG_CB = {
    on_sig_open, on_sig_message, on_sig_bad_message, on_sig_closed,
};

/* ---- misbehave hooks ------------------------------------------------------ */

static int mb_send_text(void *ud, const char *text)
{
    vpeer_client *c = ud;
    return vpeer_signal_send_text(c->sig, text);
}

/* The bad-signalling script is over: go on normally, reconnecting first
 * when the server closed on us (it should have, for too-large). */
static void mb_finished(void *ud)
{
    vpeer_client *c = ud;
    if (vpeer_signal_is_open(c->sig)) {
        start_media(c);
        return;
    }
    end_session(c);
    c->state = ST_CONNECTING;
    vpeer_report_event(c->report, "reconnect", NULL);
    if (vpeer_signal_connect(c->sig) != 0)
        vpeer_report_error(c->report, "could not reconnect");
}

static const vpeer_misbehave_hooks MB_HOOKS = { mb_send_text, mb_finished };

/* ---- public --------------------------------------------------------------- */

vpeer_client *vpeer_client_new(const vpeer_client_config *cfg)
{
    vpeer_client *c = g_new0(vpeer_client, 1);
    c->ctx = cfg->ctx;
    c->url = g_strdup(cfg->url);
    c->room = g_strdup(cfg->room);
    c->name = g_strdup(cfg->name);
    c->ice = g_strdup(cfg->ice_addresses);
    c->publish = cfg->publish;
    c->misbehave = cfg->misbehave;
    c->cert = veche_dtls_cert_ref(cfg->cert);
    c->clip = cfg->clip;
    c->verify = cfg->verify;
    c->report = cfg->report;
    c->participant = g_strdup("");
    c->sig = vpeer_signal_new(c->url, &SIG_CB, c);
    if (c->misbehave)
        c->mb = vpeer_misbehave_new(c->ctx, c->report, &MB_HOOKS, c);
    return c;
}

void vpeer_client_free(vpeer_client *c)
{
    if (!c)
        return;
    end_session(c);
    drop_source(&c->finish_timer);
    vpeer_misbehave_free(c->mb);
    vpeer_signal_free(c->sig);
    veche_dtls_cert_unref(c->cert);
    g_free(c->participant);
    g_free(c->url);
    g_free(c->room);
    g_free(c->name);
    g_free(c->ice);
    g_free(c);
}

int vpeer_client_start(vpeer_client *c)
{
    if (c->state != ST_IDLE)
        return VECHE_ESTATE;
    c->state = ST_CONNECTING;
    return vpeer_signal_connect(c->sig);
}

int vpeer_client_leave(vpeer_client *c)
{
    if (c->state != ST_JOINED)
        return VECHE_ESTATE;
    send_json(c, json_pack("{s:s, s:i}", "type", "leave",
                           "id", ++c->next_id));
    end_session(c);
    c->state = ST_LEFT;
    return 0;
}

int vpeer_client_join(vpeer_client *c)
{
    if (c->state != ST_LEFT)
        return VECHE_ESTATE;
    send_join(c);
    return 0;
}

static gboolean on_finish_timer(gpointer ud)
{
    vpeer_client *c = ud;
    g_source_unref(c->finish_timer);
    c->finish_timer = NULL;
    finish_done(c);
    return G_SOURCE_REMOVE;
}

void vpeer_client_finish(vpeer_client *c, void (*done)(void *ud), void *ud)
{
    c->finishing = true;
    c->done = done;
    c->done_ud = ud;
    c->finish_timer = add_timeout(c, FINISH_GRACE_MS, on_finish_timer);
    if (vpeer_client_leave(c) != 0) {
        end_session(c);
        vpeer_signal_close(c->sig);
    }
    if (c->state == ST_CLOSED || c->state == ST_IDLE)
        finish_done(c);
}

const char *vpeer_client_participant(const vpeer_client *c)
{
    return c->participant;
}

void vpeer_client_totals_get(const vpeer_client *c, vpeer_client_totals *out)
{
    *out = c->totals;
    if (!c->sender)
        return;
    const vpeer_sender_stats *st = vpeer_sender_get_stats(c->sender);
    out->audio += st->packets[VPEER_AUDIO];
    out->video += st->packets[VPEER_VIDEO];
    out->nack_seqs += st->nack_seqs;
    out->resent += st->resent;
    out->pli += st->pli;
    out->fir += st->fir;
    out->sr += st->sr;
}
