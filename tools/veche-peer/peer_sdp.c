/* peer_sdp.c - builds veche-peer's publish offer and subscribe answer with
 * the server/media/sdp.h builder, and reads what it needs from the server's SDP.
 *
 * Does not: parse SDP text itself (veche_sdp_parse does), hold any state, or
 * negotiate anything beyond Opus, VP8 and (when asked) RTX for VP8, received
 * or sent: no
 * header extensions, so packets arrive exactly as the publisher sent them.
 */
#include "peer_sdp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"

static const char *const VIDEO_FB[] = { "nack", "nack pli", "ccm fir" };

/* ICE, DTLS and candidate attributes common to all our sections. */
static int fill_local(veche_sdp_media *m, const vpeer_sdp_local *l,
                      veche_sdp_setup setup)
{
    int rc = 0;
    rc |= veche_sdp_media_set(&m->ice_ufrag, l->ufrag);
    rc |= veche_sdp_media_set(&m->ice_pwd, l->pwd);
    rc |= veche_sdp_media_set(&m->fingerprint_alg, "sha-256");
    rc |= veche_sdp_media_set(&m->fingerprint, l->fingerprint);
    m->ice_trickle = true;
    m->setup = setup;
    m->rtcp_mux = true;
    for (int i = 0; l->candidates && l->candidates[i]; i++)
        rc |= veche_sdp_media_add_candidate(m, l->candidates[i]);
    m->end_of_candidates = l->end_of_candidates;
    return rc ? VECHE_ENOMEM : 0;
}

static int add_publish_section(veche_sdp *sdp, vpeer_kind k,
                               const vpeer_sdp_local *l,
                               const vpeer_sdp_publish *p)
{
    bool audio = k == VPEER_AUDIO;
    veche_sdp_media *m = veche_sdp_add_media(sdp, audio ? VECHE_SDP_AUDIO
                                                        : VECHE_SDP_VIDEO);
    if (!m)
        return VECHE_ENOMEM;
    char msid[160];
    snprintf(msid, sizeof msid, "%s %s", p->stream_id,
             audio ? p->audio_track : p->video_track);
    int rc = fill_local(m, l, VECHE_SDP_SETUP_ACTPASS);
    rc |= veche_sdp_media_set(&m->mid, audio ? "0" : "1");
    rc |= veche_sdp_media_set(&m->msid, msid);
    m->dir = VECHE_SDP_SENDONLY;
    m->rtcp_rsize = true;
    veche_sdp_codec *c = audio
        ? veche_sdp_media_add_codec(m, VPEER_AUDIO_PT, "opus",
                                    VPEER_AUDIO_CLOCK, 2,
                                    "minptime=10;useinbandfec=1")
        : veche_sdp_media_add_codec(m, VPEER_VIDEO_PT, "VP8",
                                    VPEER_VIDEO_CLOCK, 0, NULL);
    if (!c)
        return VECHE_ENOMEM;
    for (size_t i = 0; !audio && i < sizeof VIDEO_FB / sizeof *VIDEO_FB; i++)
        rc |= veche_sdp_codec_add_fb(c, VIDEO_FB[i]);
    rc |= veche_sdp_media_add_ssrc(m, audio ? p->audio_ssrc : p->video_ssrc,
                                   p->cname, msid);
    if (!audio && p->video_rtx_ssrc) {
        char apt[16];
        snprintf(apt, sizeof apt, "apt=%u", VPEER_VIDEO_PT);
        uint32_t group[2] = { p->video_ssrc, p->video_rtx_ssrc };
        if (!veche_sdp_media_add_codec(m, VPEER_VIDEO_RTX_PT, "rtx",
                                       VPEER_VIDEO_CLOCK, 0, apt))
            return VECHE_ENOMEM;
        rc |= veche_sdp_media_add_ssrc(m, p->video_rtx_ssrc, p->cname, msid);
        rc |= veche_sdp_media_add_group(m, "FID", group, 2);
    }
    return rc ? VECHE_ENOMEM : 0;
}

char *vpeer_sdp_publish_offer(const vpeer_sdp_local *l,
                              const vpeer_sdp_publish *p)
{
    veche_sdp *sdp = veche_sdp_new();
    if (!sdp)
        return NULL;
    char *text = NULL;
    char wms[96];
    snprintf(wms, sizeof wms, "WMS %s", p->stream_id);
    if (veche_sdp_add_bundle(sdp, "0") == 0 &&
        veche_sdp_add_bundle(sdp, "1") == 0 &&
        veche_sdp_media_set(&sdp->msid_semantic, wms) == 0 &&
        add_publish_section(sdp, VPEER_AUDIO, l, p) == 0 &&
        add_publish_section(sdp, VPEER_VIDEO, l, p) == 0)
        text = veche_sdp_write(sdp);
    veche_sdp_free(sdp);
    return text;
}

/* ---- subscribe answer --------------------------------------------------- */

static const veche_sdp_codec *wanted_codec(const veche_sdp_media *m)
{
    if (m->kind == VECHE_SDP_AUDIO)
        return veche_sdp_media_find_codec(m, "opus");
    if (m->kind == VECHE_SDP_VIDEO)
        return veche_sdp_media_find_codec(m, "VP8");
    return NULL;
}

static veche_sdp_dir answer_dir(veche_sdp_dir offered)
{
    switch (offered) {
    case VECHE_SDP_SENDONLY: return VECHE_SDP_RECVONLY;
    case VECHE_SDP_SENDRECV: return VECHE_SDP_RECVONLY;
    case VECHE_SDP_RECVONLY: return VECHE_SDP_INACTIVE;
    case VECHE_SDP_INACTIVE: return VECHE_SDP_INACTIVE;
    }
    return VECHE_SDP_INACTIVE;
}

static int copy_codec(veche_sdp_media *m, const veche_sdp_codec *oc)
{
    veche_sdp_codec *c = veche_sdp_media_add_codec(m, oc->pt, oc->name,
                                                   oc->clock_rate,
                                                   oc->channels, oc->fmtp);
    if (!c)
        return VECHE_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < sizeof VIDEO_FB / sizeof *VIDEO_FB; i++)
        if (veche_sdp_codec_has_fb(oc, VIDEO_FB[i]))
            rc |= veche_sdp_codec_add_fb(c, VIDEO_FB[i]);
    return rc ? VECHE_ENOMEM : 0;
}

static int answer_section(veche_sdp *sdp, const veche_sdp_media *om,
                          const vpeer_sdp_local *l)
{
    veche_sdp_media *m = veche_sdp_add_media(sdp, om->kind);
    if (!m)
        return VECHE_ENOMEM;
    int rc = veche_sdp_media_set(&m->kind_name, om->kind_name);
    rc |= veche_sdp_media_set(&m->proto, om->proto);
    if (om->mid)
        rc |= veche_sdp_media_set(&m->mid, om->mid);
    const veche_sdp_codec *oc = wanted_codec(om);
    if (om->port == 0 || !oc) {
        m->port = 0;
        m->dir = VECHE_SDP_INACTIVE;
        /* a rejected section still needs a format on its m= line */
        if (om->n_codecs > 0)
            rc |= copy_codec(m, &om->codecs[0]);
        return rc ? VECHE_ENOMEM : 0;
    }
    rc |= fill_local(m, l, l->setup == VECHE_SDP_SETUP_NONE
                               ? VECHE_SDP_SETUP_ACTIVE : l->setup);
    m->dir = answer_dir(om->dir);
    m->rtcp_rsize = om->rtcp_rsize;
    rc |= copy_codec(m, oc);
    int rtx = l->rtx && om->kind == VECHE_SDP_VIDEO
                  ? veche_sdp_media_rtx_for(om, oc->pt) : -1;
    const veche_sdp_codec *rc_codec =
        rtx >= 0 ? veche_sdp_media_codec_by_pt(om, (uint8_t)rtx) : NULL;
    if (rc_codec)
        rc |= copy_codec(m, rc_codec);
    return rc ? VECHE_ENOMEM : 0;
}

/* BUNDLE group of the answer: the offered mids we did not reject. */
static int answer_bundle(veche_sdp *ans, const veche_sdp *offer)
{
    for (int i = 0; i < offer->n_bundle; i++)
        for (int j = 0; j < ans->n_media; j++) {
            const veche_sdp_media *m = &ans->media[j];
            if (m->port != 0 && m->mid &&
                strcmp(m->mid, offer->bundle[i]) == 0 &&
                veche_sdp_add_bundle(ans, m->mid) != 0)
                return VECHE_ENOMEM;
        }
    return 0;
}

char *vpeer_sdp_subscribe_answer(const veche_sdp *offer,
                                 const vpeer_sdp_local *l,
                                 const char **err_desc)
{
    veche_sdp *sdp = veche_sdp_new();
    if (!sdp) {
        *err_desc = "out of memory";
        return NULL;
    }
    int rc = 0;
    for (int i = 0; i < offer->n_media && rc == 0; i++)
        rc = answer_section(sdp, &offer->media[i], l);
    if (rc == 0)
        rc = answer_bundle(sdp, offer);
    if (rc == 0 && offer->msid_semantic)
        rc = veche_sdp_media_set(&sdp->msid_semantic, offer->msid_semantic);
    char *text = rc == 0 ? veche_sdp_write(sdp) : NULL;
    veche_sdp_free(sdp);
    if (!text)
        *err_desc = "out of memory building the answer";
    return text;
}

/* ---- reading the server's SDP ------------------------------------------- */

int vpeer_sdp_remote_params(const veche_sdp *sdp, vpeer_sdp_remote *out,
                            const char **err_desc)
{
    for (int i = 0; i < sdp->n_media; i++) {
        const veche_sdp_media *m = &sdp->media[i];
        if (m->port == 0)
            continue;
        if (!m->ice_ufrag || !m->ice_pwd) {
            *err_desc = "no ICE credentials";
            return VECHE_EMALFORMED;
        }
        if (!m->fingerprint || !m->fingerprint_alg) {
            *err_desc = "no fingerprint";
            return VECHE_EMALFORMED;
        }
        *out = (vpeer_sdp_remote){ m->ice_ufrag, m->ice_pwd,
                                   m->fingerprint_alg, m->fingerprint,
                                   m->setup };
        return 0;
    }
    *err_desc = "no active media section";
    return VECHE_EMALFORMED;
}

void vpeer_sdp_foreach_candidate(const veche_sdp *sdp,
                                 void (*fn)(void *ud, const char *cand),
                                 void *ud)
{
    for (int i = 0; i < sdp->n_media; i++) {
        const veche_sdp_media *m = &sdp->media[i];
        for (int j = 0; m->port != 0 && j < m->n_candidates; j++)
            fn(ud, m->candidates[j]);
    }
}

/* Split "stream track": the stream id is copied into stream, the track id
 * is everything after the first space. */
static bool split_msid(const char *msid, char *stream, size_t cap,
                       const char **track)
{
    const char *sp = msid ? strchr(msid, ' ') : NULL;
    if (!sp || (size_t)(sp - msid) >= cap || sp == msid || !sp[1])
        return false;
    memcpy(stream, msid, (size_t)(sp - msid));
    stream[sp - msid] = '\0';
    *track = sp + 1;
    return true;
}

bool vpeer_sdp_track_at(const veche_sdp *offer, int i, vpeer_sdp_track *out)
{
    const veche_sdp_media *m = &offer->media[i];
    if (m->kind != VECHE_SDP_AUDIO && m->kind != VECHE_SDP_VIDEO)
        return false;
    const char *msid = m->msid;
    if (!msid && m->n_ssrcs > 0)
        msid = m->ssrcs[0].msid;
    const char *track;
    if (!split_msid(msid, out->participant, sizeof out->participant, &track))
        return false;
    const veche_sdp_codec *c = wanted_codec(m);
    out->mid = m->mid ? m->mid : "";
    out->track = track;
    out->kind = m->kind == VECHE_SDP_AUDIO ? VPEER_AUDIO : VPEER_VIDEO;
    out->ssrc = veche_sdp_media_primary_ssrc(m);
    out->active = m->port != 0 && (m->dir == VECHE_SDP_SENDONLY ||
                                   m->dir == VECHE_SDP_SENDRECV);
    out->pt = c ? c->pt : 0;
    int rtx = c ? veche_sdp_media_rtx_for(m, c->pt) : -1;
    out->rtx_pt = rtx >= 0 ? (uint8_t)rtx : 0;
    out->rtx_ssrc = out->ssrc ? veche_sdp_media_rtx_ssrc(m, out->ssrc) : 0;
    return true;
}

bool vpeer_sdp_candidate_addr(const char *cand, char *addr, size_t cap,
                              uint16_t *port)
{
    char foundation[64], transport[16], a[64], typ[8], kind[16];
    unsigned comp, p;
    unsigned long prio;
    if (strncmp(cand, "candidate:", 10) == 0)
        cand += 10;
    if (sscanf(cand, "%63s %u %15s %lu %63s %u %7s %15s", foundation, &comp,
               transport, &prio, a, &p, typ, kind) != 8)
        return false;
    if (strcasecmp(transport, "udp") != 0 || p == 0 || p > 65535 ||
        strlen(a) >= cap)
        return false;
    strcpy(addr, a);
    *port = (uint16_t)p;
    return true;
}
