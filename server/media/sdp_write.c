/* sdp_write.c - SDP writer and tree comparison for WebRTC Unified Plan.
 *
 * Writes a veche_sdp tree (sdp.h) as text in the order JSEP implementations
 * use (RFC 8829 5.2.1, 5.3.1): v, o, s, t, a=group:BUNDLE, a=msid-semantic,
 * a=ice-lite, then per section m, c, a=bundle-only, ICE (ufrag, pwd, options), DTLS
 * (fingerprint, setup), a=mid, a=extmap, direction, a=msid, a=rtcp-mux,
 * a=rtcp-rsize, per codec a=rtpmap/a=rtcp-fb/a=fmtp, a=ssrc-group, a=ssrc,
 * other lines, candidates, a=end-of-candidates.  CRLF line ends.
 *
 * Does not: write session-level ICE/DTLS attributes (every section carries
 * its own), a=rtcp (WebRTC muxes RTCP), extmap directions, or t= other than
 * "0 0"; the o= address is always "IN IP4 127.0.0.1" as browsers write it.
 * The writer does no validation beyond what the builders did: a tree built
 * with a space in a mid writes text the parser refuses.
 *
 * The parser (sdp.c) relies on the writer for its round-trip invariant:
 * parse(write(t)) equals t for every tree t the parser returns.
 */
#include "sdp.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Output buffer                                                       */

typedef struct {
    char *p;
    size_t len, cap;
    bool oom;                /* a put() failed: the text is incomplete */
} outbuf;

static bool reserve(outbuf *b, size_t more)
{
    if (b->len + more < b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap <= b->len + more)
        cap *= 2;
    char *np = realloc(b->p, cap);
    if (!np)
        return false;
    b->p = np;
    b->cap = cap;
    return true;
}

static void put(outbuf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0 || b->oom || !reserve(b, (size_t)n + 1))
        b->oom = true;
    else
        b->len += (size_t)vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
    va_end(ap2);
    va_end(ap);
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */

static const char *or_default(const char *s, const char *dflt)
{
    return s ? s : dflt;
}

static void write_session(outbuf *b, const veche_sdp *sdp)
{
    put(b, "v=0\r\no=%s %" PRIu64 " %" PRIu64 " IN IP4 127.0.0.1\r\ns=%s\r\nt=0 0\r\n",
        or_default(sdp->origin_user, "-"), sdp->session_id, sdp->session_version,
        or_default(sdp->session_name, "-"));
    if (sdp->n_bundle > 0) {
        put(b, "a=group:BUNDLE");
        for (int i = 0; i < sdp->n_bundle; i++)
            put(b, " %s", sdp->bundle[i]);
        put(b, "\r\n");
    }
    if (sdp->msid_semantic)
        put(b, "a=msid-semantic:%s\r\n", sdp->msid_semantic);
    if (sdp->ice_lite)
        put(b, "a=ice-lite\r\n");
}

static void write_mline(outbuf *b, const veche_sdp_media *m)
{
    static const char *const kinds[] = {"audio", "video", "application", "other"};
    const char *kind = m->kind_name ? m->kind_name
                     : kinds[(unsigned)m->kind <= VECHE_SDP_OTHER ? m->kind : VECHE_SDP_OTHER];
    put(b, "m=%s %u %s", kind, m->port, or_default(m->proto, "UDP/TLS/RTP/SAVPF"));
    if (m->fmt && !veche_sdp_media_is_rtp(m))
        put(b, " %s", m->fmt);
    else if (m->n_codecs == 0)
        put(b, " 0");
    else
        for (int i = 0; i < m->n_codecs; i++)
            put(b, " %u", m->codecs[i].pt);
    put(b, "\r\n");
    if (m->conn_addr)
        put(b, "c=IN %s %s\r\n", strchr(m->conn_addr, ':') ? "IP6" : "IP4", m->conn_addr);
}

static void write_transport(outbuf *b, const veche_sdp_media *m)
{
    static const char *const roles[] = {NULL, "actpass", "active", "passive"};
    if (m->ice_ufrag)
        put(b, "a=ice-ufrag:%s\r\n", m->ice_ufrag);
    if (m->ice_pwd)
        put(b, "a=ice-pwd:%s\r\n", m->ice_pwd);
    if (m->ice_trickle)
        put(b, "a=ice-options:trickle\r\n");
    if (m->fingerprint_alg && m->fingerprint)
        put(b, "a=fingerprint:%s %s\r\n", m->fingerprint_alg, m->fingerprint);
    if (m->setup > VECHE_SDP_SETUP_NONE && m->setup <= VECHE_SDP_SETUP_PASSIVE)
        put(b, "a=setup:%s\r\n", roles[m->setup]);
}

static void write_codec(outbuf *b, const veche_sdp_codec *c)
{
    if (c->name[0]) {
        put(b, "a=rtpmap:%u %s/%" PRIu32, c->pt, c->name, c->clock_rate);
        if (c->channels)
            put(b, "/%u", c->channels);
        put(b, "\r\n");
    }
    for (int i = 0; i < c->n_fb && i < VECHE_SDP_MAX_FB; i++)
        put(b, "a=rtcp-fb:%u %s\r\n", c->pt, c->fb[i]);
    if (c->fmtp)
        put(b, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
}

static void write_ssrcs(outbuf *b, const veche_sdp_media *m)
{
    for (int i = 0; i < m->n_groups; i++) {
        const veche_sdp_ssrc_group *g = &m->groups[i];
        put(b, "a=ssrc-group:%s", g->semantics);
        for (int j = 0; j < g->n && j < 8; j++)
            put(b, " %" PRIu32, g->ssrcs[j]);
        put(b, "\r\n");
    }
    for (int i = 0; i < m->n_ssrcs; i++) {
        const veche_sdp_ssrc *s = &m->ssrcs[i];
        if (s->cname)
            put(b, "a=ssrc:%" PRIu32 " cname:%s\r\n", s->ssrc, s->cname);
        if (s->msid)
            put(b, "a=ssrc:%" PRIu32 " msid:%s\r\n", s->ssrc, s->msid);
    }
}

static void write_media(outbuf *b, const veche_sdp_media *m)
{
    write_mline(b, m);
    if (m->bundle_only)
        put(b, "a=bundle-only\r\n");
    write_transport(b, m);
    if (m->mid)
        put(b, "a=mid:%s\r\n", m->mid);
    for (int i = 0; i < m->n_extmaps; i++)
        put(b, "a=extmap:%u %s\r\n", m->extmaps[i].id, m->extmaps[i].uri);
    put(b, "a=%s\r\n", veche_sdp_dir_name(m->dir));
    if (m->msid)
        put(b, "a=msid:%s\r\n", m->msid);
    if (m->rtcp_mux)
        put(b, "a=rtcp-mux\r\n");
    if (m->rtcp_rsize)
        put(b, "a=rtcp-rsize\r\n");
    for (int i = 0; i < m->n_codecs; i++)
        write_codec(b, &m->codecs[i]);
    write_ssrcs(b, m);
    for (int i = 0; i < m->n_other; i++)
        put(b, "a=%s\r\n", m->other[i]);
    for (int i = 0; i < m->n_candidates; i++)
        put(b, "a=%s\r\n", m->candidates[i]);
    if (m->end_of_candidates)
        put(b, "a=end-of-candidates\r\n");
}

char *veche_sdp_write(const veche_sdp *sdp)
{
    outbuf b = {0};
    if (!sdp)
        return NULL;
    write_session(&b, sdp);
    for (int i = 0; i < sdp->n_media; i++)
        write_media(&b, &sdp->media[i]);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ------------------------------------------------------------------ */
/* Comparison                                                          */

static bool str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool strv_eq(char *const *a, int na, char *const *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (!str_eq(a[i], b[i]))
            return false;
    return true;
}

static bool codec_eq(const veche_sdp_codec *a, const veche_sdp_codec *b)
{
    return a->pt == b->pt && strcmp(a->name, b->name) == 0 &&
           a->clock_rate == b->clock_rate && a->channels == b->channels &&
           str_eq(a->fmtp, b->fmtp) && strv_eq(a->fb, a->n_fb, b->fb, b->n_fb);
}

static bool rtp_eq(const veche_sdp_media *a, const veche_sdp_media *b)
{
    if (a->n_codecs != b->n_codecs || a->n_extmaps != b->n_extmaps ||
        a->n_ssrcs != b->n_ssrcs || a->n_groups != b->n_groups)
        return false;
    for (int i = 0; i < a->n_codecs; i++)
        if (!codec_eq(&a->codecs[i], &b->codecs[i]))
            return false;
    for (int i = 0; i < a->n_extmaps; i++)
        if (a->extmaps[i].id != b->extmaps[i].id ||
            !str_eq(a->extmaps[i].uri, b->extmaps[i].uri))
            return false;
    for (int i = 0; i < a->n_ssrcs; i++)
        if (a->ssrcs[i].ssrc != b->ssrcs[i].ssrc || !str_eq(a->ssrcs[i].cname, b->ssrcs[i].cname) ||
            !str_eq(a->ssrcs[i].msid, b->ssrcs[i].msid))
            return false;
    for (int i = 0; i < a->n_groups; i++)
        if (strcmp(a->groups[i].semantics, b->groups[i].semantics) != 0 ||
            a->groups[i].n != b->groups[i].n ||
            memcmp(a->groups[i].ssrcs, b->groups[i].ssrcs,
                   (size_t)a->groups[i].n * sizeof(uint32_t)) != 0)
            return false;
    return true;
}

static bool media_eq(const veche_sdp_media *a, const veche_sdp_media *b)
{
    return a->kind == b->kind && str_eq(a->kind_name, b->kind_name) &&
           a->port == b->port && str_eq(a->proto, b->proto) && str_eq(a->mid, b->mid) &&
           a->dir == b->dir && str_eq(a->msid, b->msid) && rtp_eq(a, b) &&
           str_eq(a->ice_ufrag, b->ice_ufrag) && str_eq(a->ice_pwd, b->ice_pwd) &&
           a->ice_trickle == b->ice_trickle &&
           str_eq(a->fingerprint_alg, b->fingerprint_alg) &&
           str_eq(a->fingerprint, b->fingerprint) && a->setup == b->setup &&
           a->rtcp_mux == b->rtcp_mux && a->rtcp_rsize == b->rtcp_rsize &&
           strv_eq(a->candidates, a->n_candidates, b->candidates, b->n_candidates) &&
           a->end_of_candidates == b->end_of_candidates &&
           a->bundle_only == b->bundle_only &&
           str_eq(a->conn_addr, b->conn_addr) &&
           strv_eq(a->other, a->n_other, b->other, b->n_other) && str_eq(a->fmt, b->fmt);
}

bool veche_sdp_equal(const veche_sdp *a, const veche_sdp *b)
{
    if (!a || !b)
        return a == b;
    if (a->session_id != b->session_id || a->session_version != b->session_version ||
        !str_eq(a->origin_user, b->origin_user) || !str_eq(a->session_name, b->session_name) ||
        !strv_eq(a->bundle, a->n_bundle, b->bundle, b->n_bundle) ||
        !str_eq(a->msid_semantic, b->msid_semantic) || a->ice_lite != b->ice_lite ||
        a->n_media != b->n_media)
        return false;
    for (int i = 0; i < a->n_media; i++)
        if (!media_eq(&a->media[i], &b->media[i]))
            return false;
    return true;
}
