/* negotiate.c - the SDP the SFU answers and offers (JSEP, RFC 8829).
 *
 * Publish: the client offers sendonly (or sendrecv) audio and video; we
 * accept Opus for audio and VP8 for video, each m-line with one a=ssrc (and
 * RTX, RFC 4588, when the offer has an rtx codec for VP8 and an FID group:
 * browsers repair loss better with it), BUNDLE and rtcp-mux, and reject the rest
 * with port 0.  An offered m-line with port 0 and a=bundle-only inside the
 * BUNDLE group (RFC 8843 6, 7.2.1; Firefox and GStreamer webrtcbin with
 * max-bundle, WHIP clients) is live: it is negotiated like any other, takes
 * its ICE and DTLS attributes from the group's tagged m-line when it has
 * none of its own, and is answered with port 9 and full transport
 * attributes like every accepted m-line (JSEP 5.3.1: an answer never
 * carries a=bundle-only).  Subscribe: one sendonly m-line per downtrack, in mid order,
 * in the subscriber's own SSRC and payload-type space: the server's payload
 * types (VECHE_SUB_PT_*: Opus, VP8 and its RTX), whatever each publisher
 * uses, and the SSRC and RTX SSRC the server picked for the downtrack
 * (ssrc.c); track.c rewrites every packet to match.
 *
 * Ended tracks: their m-line goes inactive (no msid, no a=ssrc).  Once the
 * client has answered an offer showing it inactive, the subscriber's next
 * new downtrack of the same kind takes that m-line over: same mid, same
 * position, sendonly again with the new track's msid and new SSRCs (participant.c: veche_participant_add_downtrack).  So
 * the offer has at most as many m-lines per kind as the subscriber ever
 * received at once (plus the few ended during one offer/answer round),
 * however often people reconnect or get and lose the floor.
 *
 * Why the same mid and not JSEP m-line recycling (port 0 in one offer,
 * then a new mid in that m-section in a later one): the browser sees an
 * inactive transceiver become sendonly with a new a=msid, which by
 * WebRTC 1.0 (4.4.1.6, "process the addition of a remote track") fires
 * `ontrack` again with the new stream, on the same RTCRtpReceiver; a new
 * SSRC on a known mid is an ordinary remote description change.  Chrome
 * does exactly that (tests/browser/reconnect.test.mjs cycles a peer five
 * times).  Recycling needs two negotiations per reuse, a stopped
 * transceiver in between (RTCRtpTransceiver.stop() leaves it in
 * getTransceivers() until the next negotiation) and a new receiver every
 * time; the only thing it buys, a different mid, nobody needs, since
 * clients map mid -> msid from every offer anyway.
 *
 * Waiting for the inactive answer matters: an m-line going straight from
 * one sendonly msid to another fires no ontrack (the transceiver was
 * already receiving), so a browser would silently swap the track's stream.
 * Not here: H.264, simulcast, data channels.
 */
#include "sfu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define URI_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

static const char *const video_fb[] = {"nack", "nack pli", "ccm fir", "goog-remb"};

static void set_err(veche_sfu_error *err, const char *code, const char *fmt, const char *arg)
{
    err->code = code;
    snprintf(err->reason, sizeof err->reason, fmt, arg);
}

/* Pick the codec we forward for an m-line, or NULL. */
static const veche_sdp_codec *choose_codec(const veche_sdp_media *m)
{
    if (m->kind == VECHE_SDP_AUDIO) {
        const veche_sdp_codec *c = veche_sdp_media_find_codec(m, "opus");
        return c && c->clock_rate == 48000 ? c : NULL;
    }
    if (m->kind == VECHE_SDP_VIDEO)
        return veche_sdp_media_find_codec(m, "VP8");
    return NULL;
}

static bool media_sends(const veche_sdp *sdp, const veche_sdp_media *m)
{
    return veche_sdp_media_active(sdp, m) && (m->dir == VECHE_SDP_SENDONLY || m->dir == VECHE_SDP_SENDRECV);
}

static void codec_from_sdp(veche_codec *out, veche_sdp_kind kind, const veche_sdp_codec *c)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    out->pt = c->pt;
    g_strlcpy(out->name, c->name, sizeof out->name);
    out->clock_rate = c->clock_rate;
    out->channels = c->channels;
    if (c->fmtp)
        g_strlcpy(out->fmtp, c->fmtp, sizeof out->fmtp);
}

int veche_negotiate_publish(const veche_sdp *offer, veche_pub_media *media, int max,
                            veche_sfu_error *err)
{
    int n = 0;
    for (int i = 0; i < offer->n_media && n < max; i++) {
        const veche_sdp_media *m = &offer->media[i];
        const veche_sdp_codec *c = choose_codec(m);
        uint32_t ssrc = veche_sdp_media_primary_ssrc(m);
        if (!media_sends(offer, m) || !c || !ssrc || !m->mid)
            continue;
        /* rtcp-mux is a transport attribute too: a bundle-only m-line
         * need not repeat it (RFC 8843 9.3.1.1). */
        const veche_sdp_media *tm = veche_sdp_media_transport(offer, m);
        if (!m->rtcp_mux && !tm->rtcp_mux) {
            set_err(err, "unsupported", "m-line %s lacks a=rtcp-mux", m->mid);
            return VECHE_EUNSUPPORTED;
        }
        if (!tm->ice_ufrag || !tm->ice_pwd || !tm->fingerprint || !tm->fingerprint_alg) {
            set_err(err, "bad-sdp", "m-line %s lacks ICE credentials or a fingerprint",
                    m->mid);
            return VECHE_EMALFORMED;
        }
        veche_pub_media *pm = &media[n++];
        memset(pm, 0, sizeof *pm);
        pm->index = i;
        g_strlcpy(pm->mid, m->mid, sizeof pm->mid);
        codec_from_sdp(&pm->codec, m->kind, c);
        pm->ssrc = ssrc;
        pm->rtx_ssrc = veche_sdp_media_rtx_ssrc(m, ssrc);
        int rtx = m->kind == VECHE_SDP_VIDEO ? veche_sdp_media_rtx_for(m, c->pt) : -1;
        if (rtx > 0 && pm->rtx_ssrc)
            pm->rtx_pt = (uint8_t)rtx;   /* RFC 4588 from the publisher: track.c */
        else
            pm->rtx_ssrc = 0;
        pm->nack = veche_sdp_codec_has_fb(c, "nack");
        pm->audio_level_id = veche_sdp_media_extmap_id(m, URI_AUDIO_LEVEL);
    }
    if (n == 0) {
        set_err(err, "unsupported", "%s", "no sendable Opus or VP8 m-line with an a=ssrc");
        return VECHE_EUNSUPPORTED;
    }
    return n;
}

static void add_transport_attrs(veche_sdp_media *am, veche_transport *t, const char *fp,
                                veche_sdp_setup setup)
{
    veche_sdp_media_set(&am->ice_ufrag, veche_transport_local_ufrag(t));
    veche_sdp_media_set(&am->ice_pwd, veche_transport_local_pwd(t));
    veche_sdp_media_set(&am->fingerprint_alg, "sha-256");
    veche_sdp_media_set(&am->fingerprint, fp);
    am->setup = setup;
    am->ice_trickle = true;
    am->rtcp_mux = true;
    for (const char *const *c = veche_transport_local_candidates(t); *c; c++)
        veche_sdp_media_add_candidate(am, *c);
    am->end_of_candidates = veche_transport_gathering_done(t);
}

static void add_codec(veche_sdp_media *am, const veche_codec *codec, const veche_sdp_codec *offered)
{
    veche_sdp_codec *c = veche_sdp_media_add_codec(am, codec->pt, codec->name,
                                                   codec->clock_rate, codec->channels,
                                                   codec->fmtp[0] ? codec->fmtp : NULL);
    if (!c || codec->kind != VECHE_SDP_VIDEO)
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(video_fb); i++)
        if (!offered || veche_sdp_codec_has_fb(offered, video_fb[i]))
            veche_sdp_codec_add_fb(c, video_fb[i]);
}

/* An m-line we refuse: port 0, the first offered format kept. */
static void add_rejected(veche_sdp *ans, const veche_sdp_media *m)
{
    veche_sdp_media *am = veche_sdp_add_media(ans, m->kind);
    if (!am)
        return;
    am->port = 0;
    am->dir = VECHE_SDP_INACTIVE;
    veche_sdp_media_set(&am->kind_name, m->kind_name);
    veche_sdp_media_set(&am->proto, m->proto);
    if (m->mid)
        veche_sdp_media_set(&am->mid, m->mid);
    if (m->n_codecs > 0)
        veche_sdp_media_add_codec(am, m->codecs[0].pt, m->codecs[0].name,
                                  m->codecs[0].clock_rate, m->codecs[0].channels, NULL);
    else
        veche_sdp_media_add_codec(am, 0, "PCMU", 8000, 0, NULL);
}

static const veche_pub_media *accepted_at(const veche_pub_media *media, int n, int index)
{
    for (int i = 0; i < n; i++)
        if (media[i].index == index)
            return &media[i];
    return NULL;
}

char *veche_negotiate_publish_answer(const veche_sdp *offer, const veche_pub_media *media,
                                     int n, veche_transport *t, const char *fingerprint,
                                     veche_sdp_setup setup)
{
    veche_sdp *ans = veche_sdp_new();
    if (!ans)
        return NULL;
    for (int i = 0; i < offer->n_media; i++) {
        const veche_sdp_media *m = &offer->media[i];
        const veche_pub_media *pm = accepted_at(media, n, i);
        if (!pm) {
            add_rejected(ans, m);
            continue;
        }
        veche_sdp_media *am = veche_sdp_add_media(ans, m->kind);
        if (!am)
            break;
        veche_sdp_media_set(&am->mid, pm->mid);
        am->dir = VECHE_SDP_RECVONLY;
        am->rtcp_rsize = m->rtcp_rsize;
        add_transport_attrs(am, t, fingerprint, setup);
        add_codec(am, &pm->codec, veche_sdp_media_codec_by_pt(m, pm->codec.pt));
        if (pm->rtx_pt) {
            char apt[16];
            snprintf(apt, sizeof apt, "apt=%u", pm->codec.pt);
            veche_sdp_media_add_codec(am, pm->rtx_pt, "rtx", 90000, 0, apt);
        }
        uint8_t level_id = veche_sdp_media_extmap_id(m, URI_AUDIO_LEVEL);
        if (m->kind == VECHE_SDP_AUDIO && level_id)
            veche_sdp_media_add_extmap(am, level_id, URI_AUDIO_LEVEL);
        veche_sdp_add_bundle(ans, pm->mid);
    }
    char *text = veche_sdp_write(ans);
    veche_sdp_free(ans);
    return text;
}

static void add_downtrack_media(veche_sdp *sdp, veche_participant *p, veche_downtrack *dt,
                                const char *fp)
{
    veche_sdp_media *m = veche_sdp_add_media(sdp, dt->codec.kind);
    if (!m)
        return;
    veche_sdp_media_set(&m->mid, dt->mid);
    bool live = dt->track != NULL && !dt->rejected;
    m->dir = live ? VECHE_SDP_SENDONLY : VECHE_SDP_INACTIVE;
    if (dt->rejected)
        m->port = 0;  /* JSEP: a rejected m-line stays rejected */
    m->rtcp_rsize = true;
    add_transport_attrs(m, p->sub, fp, VECHE_SDP_SETUP_ACTPASS);
    add_codec(m, &dt->codec, NULL);
    if (dt->codec.kind == VECHE_SDP_VIDEO && dt->rtx_pt) {  /* 0: refused */
        char apt[16];
        snprintf(apt, sizeof apt, "apt=%u", dt->codec.pt);
        veche_sdp_media_add_codec(m, dt->rtx_pt, "rtx", 90000, 0, apt);
    }
    if (!live)
        return;
    veche_sdp_media_set(&m->msid, dt->msid);
    const char *cname = dt->track ? dt->track->owner->id : "veche";
    veche_sdp_media_add_ssrc(m, dt->ssrc, cname, dt->msid);
    if (dt->rtx_pt) {
        uint32_t group[2] = {dt->ssrc, dt->rtx_ssrc};
        veche_sdp_media_add_ssrc(m, dt->rtx_ssrc, cname, dt->msid);
        veche_sdp_media_add_group(m, "FID", group, 2);
    }
}

char *veche_negotiate_subscribe_offer(veche_participant *p, const char *fingerprint)
{
    veche_sdp *sdp = veche_sdp_new();
    if (!sdp)
        return NULL;
    sdp->session_version = ++p->sub_version;
    veche_sdp_media_set(&sdp->msid_semantic, "WMS *");
    for (guint i = 0; i < p->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(p->downtracks, i);
        add_downtrack_media(sdp, p, dt, fingerprint);
        if (!dt->rejected)
            veche_sdp_add_bundle(sdp, dt->mid);
    }
    char *text = veche_sdp_write(sdp);
    veche_sdp_free(sdp);
    return text;
}
