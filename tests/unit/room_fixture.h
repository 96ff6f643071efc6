/* room_fixture.h - a room without a network for unit tests of the SFU
 * (test_negotiate.c, test_translate.c): participants join a room on a
 * private main context, publish hand-written offers, and a subscriber
 * answers every subscribe offer; ICE and DTLS never start.  Include after
 * check.h, in one test file. */
#ifndef VECHE_ROOM_FIXTURE_H
#define VECHE_ROOM_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "config.h"
#include "dtls.h"
#include "log.h"
#include "room.h"
#include "sdp.h"

#define PWD "abcdefghijklmnopqrstuvwx"

static inline void check_ssrcs_distinct(const veche_sdp *o);

typedef struct {
    char *offer;        /* the subscribe offer not answered yet, or NULL */
    char *seen;         /* the last one answered */
    int offers;
} peer;

static inline void peer_free(peer *pr)
{
    g_free(pr->offer);
    g_free(pr->seen);
}

/* The room's events: a test's client number is its peer's address. */
static inline void on_event(void *ud, veche_sfu_event *ev)
{
    (void)ud;
    for (unsigned i = 0; ev->type == VECHE_EV_OFFER && i < ev->n_to; i++) {
        peer *pr = (peer *)(uintptr_t)ev->to[i].client;
        g_free(pr->offer);
        pr->offer = g_strdup(ev->text);
        pr->offers++;
    }
    veche_sfu_event_free(ev);
}

typedef struct {
    GMainContext *ctx;
    veche_config cfg;
    veche_dtls_cert *cert;
    veche_room *room;
} fixture;

static inline void fixture_init(fixture *f)
{
    f->ctx = g_main_context_new();
    veche_config_defaults(&f->cfg);
    g_strlcpy(f->cfg.ice_addresses, "127.0.0.1", sizeof f->cfg.ice_addresses);
    f->cfg.max_room_participants = 1000;
    f->cert = veche_dtls_cert_new();
    veche_sfu_env env = {.ctx = f->ctx, .cfg = &f->cfg, .cert = f->cert, .emit = on_event};
    f->room = veche_room_new("negotiate", VECHE_ROOM_MEETING, &env);
}

static inline void spin(fixture *f)
{
    while (g_main_context_iteration(f->ctx, FALSE))
        ;
}

static inline void fixture_free(fixture *f)
{
    spin(f);
    veche_room_free(f->room);
    spin(f);
    veche_dtls_cert_unref(f->cert);
    g_main_context_unref(f->ctx);
}

static inline veche_participant *join(fixture *f, const char *name, peer *pr)
{
    veche_join_request req = {.name = name, .client = (uintptr_t)pr, .req = 1};
    veche_sfu_error err = {0};
    veche_participant *p = veche_room_join(f->room, &req, &err);
    CHECK(p != NULL);
    return p;
}

/* A publish offer: audio (mid "a") with audio_ssrc unless 0, video (mid
 * vmid) with video_ssrc unless 0 and an RTX (FID) SSRC rtx_ssrc unless 0.
 * The error goes to *err. */
static inline int publish_rtx(fixture *f, veche_participant *p, uint32_t audio_ssrc,
                              const char *vmid, uint32_t video_ssrc, uint32_t rtx_ssrc,
                              veche_sfu_error *err)
{
    const char *fp = veche_dtls_cert_fingerprint(f->cert);
    GString *s = g_string_new("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    g_string_append(s, "a=group:BUNDLE");
    if (audio_ssrc)
        g_string_append(s, " a");
    if (video_ssrc)
        g_string_append_printf(s, " %s", vmid);
    g_string_append(s, "\r\n");
    const char *common = "c=IN IP4 0.0.0.0\r\na=sendonly\r\na=ice-ufrag:pubu\r\n"
                         "a=ice-pwd:" PWD "\r\na=setup:actpass\r\na=rtcp-mux\r\n";
    if (audio_ssrc)
        g_string_append_printf(s, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n%sa=mid:a\r\n"
                               "a=fingerprint:sha-256 %s\r\na=rtpmap:111 opus/48000/2\r\n"
                               "a=ssrc:%u cname:x\r\n", common, fp, audio_ssrc);
    if (video_ssrc)
        g_string_append_printf(s, "m=video 9 UDP/TLS/RTP/SAVPF 96%s\r\n%sa=mid:%s\r\n"
                               "a=fingerprint:sha-256 %s\r\na=rtpmap:96 VP8/90000\r\n"
                               "a=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
                               "a=ssrc:%u cname:x\r\n", rtx_ssrc ? " 97" : "", common, vmid, fp,
                               video_ssrc);
    if (video_ssrc && rtx_ssrc)
        g_string_append_printf(s, "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
                               "a=ssrc-group:FID %u %u\r\na=ssrc:%u cname:x\r\n",
                               video_ssrc, rtx_ssrc, rtx_ssrc);
    char *answer = NULL;
    int rc = veche_participant_publish(p, s->str, NULL, 0, &answer, err);
    free(answer);
    g_string_free(s, TRUE);
    return rc;
}

static inline int publish(fixture *f, veche_participant *p, uint32_t audio_ssrc,
                          const char *vmid, uint32_t video_ssrc)
{
    veche_sfu_error err = {0};
    int rc = publish_rtx(f, p, audio_ssrc, vmid, video_ssrc, 0, &err);
    if (rc != 0)
        fprintf(stderr, "# publish: %s %s\n", err.code, err.reason);
    return rc;
}

/* Answer the subscriber's last offer (recvonly for sendonly m-lines,
 * inactive for inactive ones, RTX accepted); the offer is consumed. */
static inline int answer(fixture *f, veche_participant *p, peer *pr)
{
    const char *why = NULL;
    veche_sdp *o = veche_sdp_parse(pr->offer, strlen(pr->offer), &why);
    CHECK(o != NULL);
    if (!o)
        return -1;
    GString *s = g_string_new("v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    for (int i = 0; i < o->n_media; i++) {
        const veche_sdp_media *m = &o->media[i];
        g_string_append_printf(s, "m=%s %d UDP/TLS/RTP/SAVPF", m->kind_name,
                               m->port == 0 ? 0 : 9);
        for (int j = 0; j < m->n_codecs; j++)
            g_string_append_printf(s, " %u", m->codecs[j].pt);
        g_string_append_printf(s, "\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\na=%s\r\n"
                               "a=ice-ufrag:subu\r\na=ice-pwd:" PWD "\r\n"
                               "a=fingerprint:sha-256 %s\r\na=setup:active\r\na=rtcp-mux\r\n",
                               m->mid, m->dir == VECHE_SDP_SENDONLY ? "recvonly" : "inactive",
                               veche_dtls_cert_fingerprint(f->cert));
        for (int j = 0; j < m->n_codecs; j++) {
            const veche_sdp_codec *c = &m->codecs[j];
            g_string_append_printf(s, "a=rtpmap:%u %s/%u", c->pt, c->name, c->clock_rate);
            if (c->channels)
                g_string_append_printf(s, "/%u", c->channels);
            g_string_append(s, "\r\n");
            if (c->fmtp)
                g_string_append_printf(s, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
        }
    }
    veche_sdp_free(o);
    g_free(pr->seen);
    pr->seen = pr->offer;
    pr->offer = NULL;
    veche_sfu_error err = {0};
    int rc = veche_participant_subscribe_answer(p, s->str, &err);
    if (rc != 0)
        fprintf(stderr, "# answer: %s %s\n", err.code, err.reason);
    g_string_free(s, TRUE);
    return rc;
}

/* Answer offers until the server has nothing more to offer (one change
 * may take several offers: one per track, the next after each answer). */
static inline void settle(fixture *f, veche_participant *p, peer *pr)
{
    while (pr->offer)
        CHECK_EQ_INT(answer(f, p, pr), 0);
}

/* The subscriber's view: the last offer it answered. */
static inline veche_sdp *parse_offer(fixture *f, veche_participant *p, peer *pr)
{
    settle(f, p, pr);
    const char *why = NULL;
    veche_sdp *o = pr->seen ? veche_sdp_parse(pr->seen, strlen(pr->seen), &why) : NULL;
    CHECK(o != NULL);
    check_ssrcs_distinct(o);
    return o;
}

static inline const veche_sdp_media *by_mid(const veche_sdp *o, const char *mid)
{
    for (int i = 0; o && i < o->n_media; i++)
        if (o->media[i].mid && strcmp(o->media[i].mid, mid) == 0)
            return &o->media[i];
    return NULL;
}

/* The m-line of mid carries a live track of participant `owner` (published
 * with SSRC pub_ssrc) in the subscriber's own space: an SSRC of the
 * server's (never the publisher's), the server's payload types (Opus 109,
 * VP8 98, RTX 99 with apt=98) and, for video, an RTX SSRC of its own.
 * Returns the m-line's SSRC (0 when the checks could not run). */
static inline uint32_t check_live(const veche_sdp *o, const char *mid,
                                  veche_participant *owner, uint32_t pub_ssrc)
{
    const veche_sdp_media *m = by_mid(o, mid);
    CHECK(m != NULL);
    if (!m)
        return 0;
    CHECK_EQ_INT(m->dir, VECHE_SDP_SENDONLY);
    CHECK(m->port != 0);
    uint32_t ssrc = veche_sdp_media_primary_ssrc(m);
    CHECK(ssrc != 0 && ssrc != pub_ssrc);
    const char *id = veche_participant_id(owner);
    CHECK(m->msid && strncmp(m->msid, id, strlen(id)) == 0 && m->msid[strlen(id)] == ' ');
    CHECK(m->n_codecs >= 1);
    if (m->kind == VECHE_SDP_AUDIO) {
        CHECK_EQ_INT(m->codecs[0].pt, 109);
        CHECK_EQ_STR(m->codecs[0].name, "opus");
    } else {
        CHECK_EQ_INT(m->codecs[0].pt, 98);
        CHECK_EQ_STR(m->codecs[0].name, "VP8");
        CHECK_EQ_INT(veche_sdp_media_rtx_for(m, 98), 99);
        uint32_t rtx = veche_sdp_media_rtx_ssrc(m, ssrc);
        CHECK(rtx != 0 && rtx != ssrc && rtx != pub_ssrc);
    }
    return ssrc;
}

/* No SSRC (media or RTX) appears twice in an offer. */
static inline void check_ssrcs_distinct(const veche_sdp *o)
{
    for (int i = 0; o && i < o->n_media; i++)
        for (int k = 0; k < o->media[i].n_ssrcs; k++)
            for (int j = i + 1; j < o->n_media; j++)
                for (int l = 0; l < o->media[j].n_ssrcs; l++)
                    CHECK(o->media[i].ssrcs[k].ssrc != o->media[j].ssrcs[l].ssrc);
}

static inline void check_inactive(const veche_sdp *o, const char *mid)
{
    const veche_sdp_media *m = by_mid(o, mid);
    CHECK(m != NULL);
    if (!m)
        return;
    CHECK_EQ_INT(m->dir, VECHE_SDP_INACTIVE);
    CHECK(m->msid == NULL);
    CHECK_EQ_INT(m->n_ssrcs, 0);
}

#endif
