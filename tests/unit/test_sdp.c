/* test_sdp.c - the SDP parser, builders, lookups and writer (server/media/sdp.c,
 * server/media/sdp_write.c) against real browser offers kept in
 * $VECHE_FIXTURES/sdp/ and rows of hand-written edge cases. */
#include "check.h"

#include "err.h"
#include "sdp.h"

#include <stdlib.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static char *read_fixture(const char *name, size_t *len)
{
    const char *dir = getenv("VECHE_FIXTURES");
    char path[1024];
    snprintf(path, sizeof path, "%s/sdp/%s", dir ? dir : "tests/fixtures", name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "# cannot open %s\n", path);
        return NULL;
    }
    char *buf = malloc(VECHE_SDP_MAX_TEXT + 1);
    *len = buf ? fread(buf, 1, VECHE_SDP_MAX_TEXT, f) : 0;
    fclose(f);
    if (buf)
        buf[*len] = '\0';
    return buf;
}

static veche_sdp *parse_fixture(const char *name)
{
    size_t len;
    const char *err = NULL;
    char *text = read_fixture(name, &len);
    veche_sdp *sdp = text ? veche_sdp_parse(text, len, &err) : NULL;
    if (text && !sdp)
        fprintf(stderr, "# %s: %s\n", name, err);
    free(text);
    return sdp;
}

static veche_sdp *parse_str(const char *text)
{
    const char *err = NULL;
    veche_sdp *sdp = veche_sdp_parse(text, strlen(text), &err);
    if (!sdp)
        fprintf(stderr, "# parse failed: %s\n", err);
    return sdp;
}

static bool has_other(const veche_sdp_media *m, const char *line)
{
    for (int i = 0; i < m->n_other; i++)
        if (strcmp(m->other[i], line) == 0)
            return true;
    return false;
}

#define HEAD "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

/* ------------------------------------------------------------------ */
/* Browser offers                                                      */

TEST(chromium_offer_session)
{
    veche_sdp *sdp = parse_fixture("chromium-offer.sdp");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    CHECK_EQ_INT(sdp->n_media, 2);
    CHECK_EQ_STR(sdp->origin_user, "-");
    CHECK(sdp->session_id == 6456773566673707171ULL);
    CHECK_EQ_INT(sdp->session_version, 2);
    CHECK_EQ_INT(sdp->n_bundle, 2);
    CHECK_EQ_STR(sdp->bundle[0], "0");
    CHECK_EQ_STR(sdp->bundle[1], "1");
    CHECK_EQ_STR(sdp->msid_semantic, "WMS 73fbcb69-2119-4bac-ad78-bf42265b0f48");
    CHECK(!sdp->ice_lite);
    veche_sdp_free(sdp);
}

TEST(chromium_offer_audio)
{
    veche_sdp *sdp = parse_fixture("chromium-offer.sdp");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    const veche_sdp_media *a = &sdp->media[0];
    static const uint8_t order[] = {111, 63, 9, 0, 8, 13, 110, 126};
    CHECK_EQ_INT(a->kind, VECHE_SDP_AUDIO);
    CHECK_EQ_STR(a->kind_name, "audio");
    CHECK_EQ_STR(a->mid, "0");
    CHECK_EQ_INT(a->port, 41699);
    CHECK_EQ_STR(a->proto, "UDP/TLS/RTP/SAVPF");
    CHECK_EQ_STR(a->conn_addr, "127.0.0.1");
    CHECK_EQ_INT(a->dir, VECHE_SDP_SENDONLY);
    CHECK_EQ_INT(a->n_codecs, 8);
    for (int i = 0; i < 8 && i < a->n_codecs; i++)
        CHECK_EQ_INT(a->codecs[i].pt, order[i]);
    const veche_sdp_codec *opus = veche_sdp_media_find_codec(a, "OPUS");
    CHECK(opus != NULL);
    if (opus) {
        CHECK_EQ_INT(opus->pt, 111);
        CHECK_EQ_INT(opus->clock_rate, 48000);
        CHECK_EQ_INT(opus->channels, 2);
        CHECK_EQ_STR(opus->fmtp, "minptime=10;useinbandfec=1");
        CHECK(veche_sdp_codec_has_fb(opus, "transport-cc"));
    }
    CHECK_EQ_INT(veche_sdp_media_extmap_id(a, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 1);
    CHECK_EQ_INT(veche_sdp_media_extmap_id(a, "urn:ietf:params:rtp-hdrext:sdes:mid"), 4);
    CHECK_EQ_INT(a->n_ssrcs, 1);
    CHECK_EQ_INT(veche_sdp_media_primary_ssrc(a), 651893571);
    CHECK_EQ_INT(veche_sdp_media_rtx_ssrc(a, 651893571), 0);
    CHECK_EQ_STR(a->ssrcs[0].cname, "b5AKC4soDbHoW+1X");
    CHECK_EQ_STR(a->msid, "73fbcb69-2119-4bac-ad78-bf42265b0f48 8a1a2d84-e5c5-4049-a655-fcc516d63d13");
    CHECK_EQ_STR(a->ssrcs[0].msid, a->msid);
    CHECK(has_other(a, "rtcp-xr:rcvr-rtt=all"));
    CHECK_EQ_INT(a->n_other, 1);  /* a=rtcp is dropped */
    veche_sdp_free(sdp);
}

TEST(chromium_offer_video)
{
    veche_sdp *sdp = parse_fixture("chromium-offer.sdp");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    const veche_sdp_media *v = &sdp->media[1];
    CHECK_EQ_INT(v->kind, VECHE_SDP_VIDEO);
    CHECK_EQ_STR(v->mid, "1");
    CHECK_EQ_INT(v->n_codecs, 23);
    const veche_sdp_codec *vp8 = veche_sdp_media_find_codec(v, "vp8");
    CHECK(vp8 != NULL);
    if (vp8) {
        CHECK_EQ_INT(vp8->pt, 96);
        CHECK_EQ_INT(vp8->clock_rate, 90000);
        CHECK_EQ_INT(vp8->n_fb, 5);
        CHECK(veche_sdp_codec_has_fb(vp8, "nack pli"));
        CHECK(veche_sdp_codec_has_fb(vp8, "nack"));
        CHECK(!veche_sdp_codec_has_fb(vp8, "nack sli"));
        CHECK_EQ_INT(veche_sdp_media_rtx_for(v, vp8->pt), 97);
    }
    CHECK_EQ_INT(veche_sdp_media_rtx_for(v, 102), 103);
    CHECK_EQ_INT(veche_sdp_media_rtx_for(v, 120), -1);  /* ulpfec: no RTX */
    CHECK_EQ_STR(veche_sdp_media_codec_by_pt(v, 102)->fmtp,
                 "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
    CHECK_EQ_INT(v->n_extmaps, 11);
    CHECK_EQ_INT(veche_sdp_media_extmap_id(v, "urn:ietf:params:rtp-hdrext:toffset"), 14);
    CHECK_EQ_INT(veche_sdp_media_extmap_id(v, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"), 3);
    CHECK_EQ_INT(veche_sdp_media_extmap_id(v, "urn:example:none"), 0);
    CHECK_EQ_INT(v->n_groups, 1);
    CHECK_EQ_STR(v->groups[0].semantics, "FID");
    CHECK_EQ_INT(v->groups[0].n, 2);
    CHECK_EQ_INT(v->n_ssrcs, 2);
    CHECK_EQ_INT(veche_sdp_media_primary_ssrc(v), 1142927074);
    CHECK_EQ_INT(veche_sdp_media_rtx_ssrc(v, 1142927074), 1685917250);
    veche_sdp_free(sdp);
}

TEST(chromium_offer_transport)
{
    veche_sdp *sdp = parse_fixture("chromium-offer.sdp");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    for (int i = 0; i < sdp->n_media; i++) {
        const veche_sdp_media *m = &sdp->media[i];
        CHECK_EQ_STR(m->ice_ufrag, "A8MI");
        CHECK_EQ_STR(m->ice_pwd, "84u+kmkW0d2eq87MSXWSMjT2");
        CHECK(m->ice_trickle);
        CHECK_EQ_STR(m->fingerprint_alg, "sha-256");
        CHECK_EQ_STR(m->fingerprint, "2C:70:6F:13:C3:1D:AF:39:B5:EF:3C:F3:95:6F:B0:B3:"
                                     "56:9E:9B:E7:17:CF:41:37:D9:5F:B7:31:47:B3:4C:2D");
        CHECK_EQ_INT(m->setup, VECHE_SDP_SETUP_ACTPASS);
        CHECK(m->rtcp_mux);
        CHECK(m->rtcp_rsize);
        CHECK_EQ_INT(m->n_candidates, 8);
        CHECK(!m->end_of_candidates);
    }
    CHECK_EQ_STR(sdp->media[0].candidates[0],
                 "candidate:4148645419 1 udp 2122194687 127.0.0.1 41699 typ host "
                 "generation 0 network-id 3 network-cost 50");
    veche_sdp_free(sdp);
}

TEST(chromium_answer)
{
    veche_sdp *sdp = parse_fixture("chromium-answer.sdp");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    CHECK_EQ_INT(sdp->n_media, 2);
    CHECK_EQ_STR(sdp->msid_semantic, "WMS");
    for (int i = 0; i < sdp->n_media; i++) {
        const veche_sdp_media *m = &sdp->media[i];
        CHECK_EQ_INT(m->dir, VECHE_SDP_RECVONLY);
        CHECK_EQ_INT(m->setup, VECHE_SDP_SETUP_ACTIVE);
        CHECK_EQ_INT(m->n_ssrcs, 0);
        CHECK_EQ_INT(veche_sdp_media_primary_ssrc(m), 0);
        CHECK(m->msid == NULL);
    }
    CHECK_EQ_INT(sdp->media[0].n_candidates, 4);
    CHECK_EQ_INT(sdp->media[1].n_candidates, 0);  /* bundled: one transport */
    CHECK_EQ_INT(sdp->media[1].port, 9);
    CHECK_EQ_STR(sdp->media[1].conn_addr, "0.0.0.0");
    veche_sdp_free(sdp);
}

TEST(firefox_offer)
{
    veche_sdp *sdp = parse_fixture("firefox-offer.sdp");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    CHECK_EQ_STR(sdp->origin_user, "mozilla...THIS_IS_SDPARTA-99.0");
    CHECK(sdp->session_id == 4408209549129620304ULL);
    CHECK_EQ_INT(sdp->session_version, 0);
    CHECK_EQ_STR(sdp->msid_semantic, "WMS *");
    CHECK_EQ_INT(sdp->n_media, 2);
    CHECK_EQ_INT(sdp->n_bundle, 2);
    for (int i = 0; i < sdp->n_media; i++) {
        const veche_sdp_media *m = &sdp->media[i];
        /* The fingerprint and ice-options are session-level in Firefox. */
        CHECK_EQ_STR(m->fingerprint_alg, "sha-256");
        CHECK(m->fingerprint && strncmp(m->fingerprint, "75:4F:CA:8F", 11) == 0);
        CHECK(m->ice_trickle);
        CHECK_EQ_STR(m->ice_ufrag, "6c0579ea");
        CHECK_EQ_STR(m->ice_pwd, "59efe498b762e472067fa5e134df8722");
        CHECK_EQ_INT(m->setup, VECHE_SDP_SETUP_ACTPASS);
        CHECK_EQ_INT(m->dir, VECHE_SDP_SENDRECV);
        CHECK_EQ_INT(m->n_candidates, 0);
    }
    const veche_sdp_media *a = &sdp->media[0], *v = &sdp->media[1];
    CHECK_EQ_INT(a->kind, VECHE_SDP_AUDIO);
    CHECK_EQ_STR(a->mid, "0");
    const veche_sdp_codec *opus = veche_sdp_media_find_codec(a, "opus");
    CHECK(opus && opus->pt == 109 && opus->channels == 2);
    CHECK_EQ_STR(opus ? opus->fmtp : NULL, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
    CHECK_EQ_INT(veche_sdp_media_codec_by_pt(a, 9)->channels, 1);  /* G722/8000/1 */
    CHECK_EQ_INT(veche_sdp_media_extmap_id(a, "urn:ietf:params:rtp-hdrext:csrc-audio-level"), 2);
    CHECK_EQ_INT(veche_sdp_media_primary_ssrc(a), 3772375965u);
    CHECK_EQ_STR(a->msid, "- {ba72adfe-d5b5-42bd-bf15-e8fcdcbb2ee1}");

    CHECK_EQ_INT(v->kind, VECHE_SDP_VIDEO);
    CHECK_EQ_STR(v->mid, "1");
    const veche_sdp_codec *vp8 = veche_sdp_media_find_codec(v, "VP8");
    CHECK(vp8 && vp8->pt == 120);
    CHECK(vp8 && veche_sdp_codec_has_fb(vp8, "nack pli"));
    CHECK_EQ_INT(veche_sdp_media_rtx_for(v, 120), 124);
    CHECK_EQ_INT(veche_sdp_media_rtx_for(v, 126), 127);
    const veche_sdp_codec *h264 = veche_sdp_media_find_codec(v, "H264");
    CHECK(h264 && h264->pt == 126);
    CHECK_EQ_INT(veche_sdp_media_extmap_id(v, "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"), 6);
    CHECK_EQ_INT(veche_sdp_media_primary_ssrc(v), 7463831);
    CHECK_EQ_INT(veche_sdp_media_rtx_ssrc(v, 7463831), 2513307155u);
    CHECK(v->rtcp_rsize && !a->rtcp_rsize);
    veche_sdp_free(sdp);
}

/* ------------------------------------------------------------------ */
/* Round trips                                                         */

static void check_round_trip(const char *name)
{
    veche_sdp *sdp = parse_fixture(name);
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    char *text = veche_sdp_write(sdp);
    veche_sdp *again = text ? parse_str(text) : NULL;
    char *text2 = again ? veche_sdp_write(again) : NULL;
    CHECK(again != NULL);
    CHECK(veche_sdp_equal(sdp, again));
    CHECK(text && text2 && strcmp(text, text2) == 0);  /* a fixed point */
    CHECK(text && strncmp(text, "v=0\r\no=", 7) == 0);
    CHECK(text && strlen(text) > 2 && strcmp(text + strlen(text) - 2, "\r\n") == 0);
    free(text);
    free(text2);
    veche_sdp_free(again);
    veche_sdp_free(sdp);
}

TEST(round_trip_fixtures)
{
    check_round_trip("chromium-offer.sdp");
    check_round_trip("chromium-answer.sdp");
    check_round_trip("firefox-offer.sdp");
    check_round_trip("firefox153-offer.sdp");
    check_round_trip("firefox153-answer.sdp");
    check_round_trip("safari18-offer.sdp");
}

/* Firefox ESR 153 with max-bundle (captured from the web client's publish):
 * the video m-line is port 0, a=bundle-only, yet live. */
TEST(firefox153_offer)
{
    veche_sdp *sdp = parse_fixture("firefox153-offer.sdp");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    CHECK_EQ_INT(sdp->n_media, 2);
    CHECK_EQ_INT(sdp->n_bundle, 2);
    const veche_sdp_media *a = &sdp->media[0], *v = &sdp->media[1];
    CHECK(a->port == 9 && !a->bundle_only && a->dir == VECHE_SDP_SENDONLY);
    CHECK(v->port == 0 && v->bundle_only && v->dir == VECHE_SDP_SENDONLY);
    CHECK(veche_sdp_media_active(sdp, a) && veche_sdp_media_active(sdp, v));
    CHECK(veche_sdp_media_transport(sdp, v) == v);  /* Firefox repeats ICE */
    CHECK(!has_other(v, "bundle-only"));
    CHECK(has_other(v, "extmap-allow-mixed"));
    const veche_sdp_codec *vp8 = veche_sdp_media_find_codec(v, "VP8");
    CHECK(vp8 && vp8->pt == 120 && veche_sdp_media_rtx_for(v, 120) == 124);
    CHECK(veche_sdp_media_primary_ssrc(v) != 0 &&
          veche_sdp_media_rtx_ssrc(v, veche_sdp_media_primary_ssrc(v)) != 0);
    veche_sdp_free(sdp);
}

/* A Safari 18 offer: H.264 first, VP8 further down, extmap-allow-mixed at
 * session level (dropped: not modelled), a=msid-semantic with a space. */
TEST(safari18_offer)
{
    veche_sdp *sdp = parse_fixture("safari18-offer.sdp");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    CHECK_EQ_INT(sdp->n_media, 2);
    CHECK_EQ_STR(sdp->msid_semantic, "WMS 3f1a9c7e-58d2-4b6a-9e0f-7c2d41b8a6e5");
    const veche_sdp_media *v = &sdp->media[1];
    CHECK_EQ_INT(v->n_codecs, 13);
    CHECK_EQ_STR(v->codecs[0].name, "H264");
    const veche_sdp_codec *vp8 = veche_sdp_media_find_codec(v, "VP8");
    CHECK(vp8 && vp8->pt == 127 && veche_sdp_codec_has_fb(vp8, "nack pli"));
    CHECK_EQ_INT(veche_sdp_media_rtx_for(v, 127), 125);
    CHECK_EQ_INT(veche_sdp_media_primary_ssrc(v), 1387520946u);
    CHECK_EQ_INT(veche_sdp_media_rtx_ssrc(v, 1387520946u), 3019476285u);
    CHECK(!v->bundle_only && v->port == 9 && v->rtcp_rsize);
    veche_sdp_free(sdp);
}

/* Build what negotiate.c builds: a publish answer. */
static veche_sdp *build_answer(void)
{
    veche_sdp *sdp = veche_sdp_new();
    if (!sdp)
        return NULL;
    veche_sdp_media *a = veche_sdp_add_media(sdp, VECHE_SDP_AUDIO);
    CHECK(a != NULL);
    CHECK_EQ_INT(veche_sdp_media_set(&a->mid, "0"), 0);
    a->dir = VECHE_SDP_RECVONLY;
    a->rtcp_mux = true;
    a->ice_trickle = true;
    a->setup = VECHE_SDP_SETUP_PASSIVE;
    CHECK_EQ_INT(veche_sdp_media_set(&a->ice_ufrag, "srvu"), 0);
    CHECK_EQ_INT(veche_sdp_media_set(&a->ice_pwd, "serverpassword0123456789"), 0);
    CHECK_EQ_INT(veche_sdp_media_set(&a->fingerprint_alg, "sha-256"), 0);
    CHECK_EQ_INT(veche_sdp_media_set(&a->fingerprint, "AA:BB:CC"), 0);
    CHECK(veche_sdp_media_add_codec(a, 111, "opus", 48000, 2, "minptime=10;useinbandfec=1"));
    CHECK_EQ_INT(veche_sdp_media_add_extmap(a, 1, "urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 0);
    CHECK_EQ_INT(veche_sdp_media_add_candidate(a, "candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host"), 0);
    CHECK_EQ_INT(veche_sdp_media_add_candidate(a, "2 1 udp 2130706175 ::1 40001 typ host"), 0);
    a->end_of_candidates = true;
    CHECK_EQ_INT(veche_sdp_add_bundle(sdp, "0"), 0);

    veche_sdp_media *v = veche_sdp_add_media(sdp, VECHE_SDP_VIDEO);
    CHECK(v != NULL);
    CHECK_EQ_INT(veche_sdp_media_set(&v->mid, "1"), 0);
    v->dir = VECHE_SDP_SENDONLY;
    v->rtcp_rsize = true;
    veche_sdp_codec *vp8 = veche_sdp_media_add_codec(v, 96, "VP8", 90000, 0, NULL);
    CHECK(vp8 != NULL);
    CHECK_EQ_INT(veche_sdp_codec_add_fb(vp8, "nack"), 0);
    CHECK_EQ_INT(veche_sdp_codec_add_fb(vp8, "nack pli"), 0);
    CHECK_EQ_INT(veche_sdp_codec_add_fb(vp8, "nack pli"), 0);  /* ignored */
    CHECK(veche_sdp_media_add_codec(v, 97, "rtx", 90000, 0, "apt=96"));
    CHECK_EQ_INT(veche_sdp_media_set(&v->msid, "stream track"), 0);
    uint32_t fid[2] = {1111, 2222};
    CHECK_EQ_INT(veche_sdp_media_add_ssrc(v, 1111, "cname1", "stream track"), 0);
    CHECK_EQ_INT(veche_sdp_media_add_ssrc(v, 2222, "cname1", "stream track"), 0);
    CHECK_EQ_INT(veche_sdp_media_add_group(v, "FID", fid, 2), 0);
    CHECK_EQ_INT(veche_sdp_add_bundle(sdp, "1"), 0);
    CHECK_EQ_INT(veche_sdp_media_set(&sdp->msid_semantic, "WMS *"), 0);
    sdp->ice_lite = true;
    return sdp;
}

TEST(build_write_parse)
{
    veche_sdp *sdp = build_answer();
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    CHECK(sdp->session_id <= (uint64_t)INT64_MAX);
    CHECK_EQ_INT(sdp->media[1].codecs[0].n_fb, 2);
    CHECK_EQ_STR(sdp->media[0].candidates[1], "candidate:2 1 udp 2130706175 ::1 40001 typ host");
    char *text = veche_sdp_write(sdp);
    CHECK(text != NULL);
    if (!text) {
        veche_sdp_free(sdp);
        return;
    }
    char head[128];
    snprintf(head, sizeof head, "v=0\r\no=- %llu 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
             "a=group:BUNDLE 0 1\r\na=msid-semantic:WMS *\r\na=ice-lite\r\n",
             (unsigned long long)sdp->session_id);
    CHECK(strncmp(text, head, strlen(head)) == 0);
    /* JSEP order inside a section. */
    static const char *const order[] = {
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\n", "a=mid:1\r\n",
        "a=sendonly\r\n", "a=msid:stream track\r\n", "a=rtcp-rsize\r\n",
        "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
        "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n",
        "a=ssrc-group:FID 1111 2222\r\na=ssrc:1111 cname:cname1\r\n"
        "a=ssrc:1111 msid:stream track\r\na=ssrc:2222 cname:cname1\r\n",
    };
    const char *at = text;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *hit = strstr(at, order[i]);
        CHECK(hit != NULL);
        at = hit ? hit : at;
    }
    CHECK(strstr(text, "a=ice-ufrag:srvu\r\na=ice-pwd:serverpassword0123456789\r\n"
                       "a=ice-options:trickle\r\na=fingerprint:sha-256 AA:BB:CC\r\n"
                       "a=setup:passive\r\na=mid:0\r\n"
                       "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
                       "a=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
                       "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
                       "a=candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host\r\n"
                       "a=candidate:2 1 udp 2130706175 ::1 40001 typ host\r\n"
                       "a=end-of-candidates\r\n") != NULL);
    CHECK(strstr(text, "a=rtcp:") == NULL);
    veche_sdp *again = parse_str(text);
    CHECK(again != NULL);
    CHECK(veche_sdp_equal(sdp, again));
    veche_sdp_free(again);
    free(text);
    veche_sdp_free(sdp);
}

TEST(new_is_random)
{
    veche_sdp *a = veche_sdp_new(), *b = veche_sdp_new();
    CHECK(a && b);
    if (a && b) {
        CHECK(a->session_id != b->session_id);
        CHECK(a->session_id >> 63 == 0 && b->session_id >> 63 == 0);
        CHECK_EQ_STR(a->session_name, "-");
        CHECK_EQ_INT(a->n_media, 0);
    }
    veche_sdp_free(a);
    veche_sdp_free(b);
    veche_sdp_free(NULL);
}

/* ------------------------------------------------------------------ */
/* Parser details                                                      */

TEST(wildcard_rtcp_fb)
{
    veche_sdp *sdp = parse_str(HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98\r\n"
                               "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n"
                               "a=rtcp-fb:96 nack pli\r\na=rtcp-fb:* nack\r\n"
                               "a=rtcp-fb:*  nack pli\r\na=rtcp-fb:99 goog-remb\r\n");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    const veche_sdp_media *m = &sdp->media[0];
    for (int i = 0; i < m->n_codecs; i++) {
        CHECK(veche_sdp_codec_has_fb(&m->codecs[i], "nack"));
        CHECK(veche_sdp_codec_has_fb(&m->codecs[i], "nack pli"));
        CHECK(!veche_sdp_codec_has_fb(&m->codecs[i], "goog-remb"));  /* 99 not in m= */
        CHECK_EQ_INT(m->codecs[i].n_fb, 2);
    }
    CHECK_EQ_STR(m->codecs[0].fb[0], "nack pli");  /* in order of appearance */
    CHECK_EQ_STR(m->codecs[2].name, "");            /* no rtpmap */
    veche_sdp_free(sdp);
}

TEST(static_payload_types)
{
    veche_sdp *sdp = parse_str(HEAD "m=audio 9 RTP/AVP 0 8 9 18 96\r\n");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    const veche_sdp_media *m = &sdp->media[0];
    CHECK_EQ_INT(m->n_codecs, 5);
    CHECK_EQ_STR(m->codecs[0].name, "PCMU");
    CHECK_EQ_STR(m->codecs[1].name, "PCMA");
    CHECK_EQ_STR(m->codecs[2].name, "G722");
    CHECK_EQ_INT(m->codecs[2].clock_rate, 8000);
    CHECK_EQ_STR(m->codecs[3].name, "");
    CHECK_EQ_STR(m->codecs[4].name, "");
    CHECK(m->conn_addr == NULL);
    CHECK_EQ_INT(m->dir, VECHE_SDP_SENDRECV);
    veche_sdp_free(sdp);
}

TEST(session_defaults)
{
    veche_sdp *sdp = parse_str(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n"
        "a=ice-lite\r\na=ice-ufrag:sessu\r\na=ice-pwd:sessionpassword\r\n"
        "a=ice-options:trickle\r\na=setup:passive\r\na=recvonly\r\n"
        "a=fingerprint:sha-256 00:11\r\na=fingerprint:sha-1 22:33\r\na=tool:foo\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a\r\n"
        "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 10.0.0.1\r\na=mid:v\r\n"
        "a=ice-ufrag:own\r\na=ice-options:ice2\r\na=setup:active\r\na=inactive\r\n"
        "a=fingerprint:sha-512 44:55\r\n");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    const veche_sdp_media *a = &sdp->media[0], *v = &sdp->media[1];
    CHECK(sdp->ice_lite);
    CHECK_EQ_STR(a->ice_ufrag, "sessu");
    CHECK_EQ_STR(a->ice_pwd, "sessionpassword");
    CHECK(a->ice_trickle);
    CHECK_EQ_INT(a->setup, VECHE_SDP_SETUP_PASSIVE);
    CHECK_EQ_INT(a->dir, VECHE_SDP_RECVONLY);
    CHECK_EQ_STR(a->conn_addr, "::1");
    CHECK_EQ_STR(a->fingerprint_alg, "sha-256");
    CHECK_EQ_INT(a->n_other, 0);  /* session-level unknowns are dropped */
    CHECK_EQ_STR(v->ice_ufrag, "own");
    CHECK_EQ_STR(v->ice_pwd, "sessionpassword");
    CHECK(!v->ice_trickle);  /* its own ice-options wins */
    CHECK_EQ_INT(v->setup, VECHE_SDP_SETUP_ACTIVE);
    CHECK_EQ_INT(v->dir, VECHE_SDP_INACTIVE);
    CHECK_EQ_STR(v->conn_addr, "10.0.0.1");
    CHECK_EQ_STR(v->fingerprint_alg, "sha-512");
    veche_sdp_free(sdp);
}

TEST(other_attributes)
{
    veche_sdp *sdp = parse_str(
        HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=msid:s1 t\r\na=msid:s2 t\r\n"
        "a=fingerprint:sha-256 AA\r\na=fingerprint:sha-1 BB\r\na=ssrc:5 cname:c\r\n"
        "a=ssrc:5 label:x\r\na=rid:hi send\r\na=simulcast:send hi\r\na=x-google-flag:conference\r\n"
        "a=extmap:9/sendonly urn:3gpp:video-orientation\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
        "a=end-of-candidates\r\nb=AS:500\r\ni=info\r\n");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    const veche_sdp_media *m = &sdp->media[0];
    CHECK_EQ_STR(m->msid, "s1 t");
    CHECK(has_other(m, "msid:s2 t"));
    CHECK_EQ_STR(m->fingerprint, "AA");
    CHECK(has_other(m, "fingerprint:sha-1 BB"));
    CHECK(has_other(m, "ssrc:5 label:x"));
    CHECK(has_other(m, "rid:hi send"));
    CHECK(has_other(m, "simulcast:send hi"));
    CHECK(has_other(m, "x-google-flag:conference"));
    CHECK_EQ_INT(m->n_other, 6);
    CHECK_EQ_INT(veche_sdp_media_extmap_id(m, "urn:3gpp:video-orientation"), 9);
    CHECK(m->end_of_candidates);
    char *text = veche_sdp_write(sdp);
    veche_sdp *again = text ? parse_str(text) : NULL;
    CHECK(veche_sdp_equal(sdp, again));
    veche_sdp_free(again);
    free(text);
    veche_sdp_free(sdp);
}

TEST(data_channel)
{
    veche_sdp *sdp = parse_str(HEAD "a=group:BUNDLE 0\r\n"
                               "m=application 9 UDP/DTLS/SCTP  webrtc-datachannel\r\n"
                               "c=IN IP4 0.0.0.0\r\na=mid:0\r\na=sctp-port:5000\r\n"
                               "a=max-message-size:262144\r\n");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    const veche_sdp_media *m = &sdp->media[0];
    CHECK_EQ_INT(m->kind, VECHE_SDP_APPLICATION);
    CHECK(!veche_sdp_media_is_rtp(m));
    CHECK_EQ_INT(m->n_codecs, 0);
    CHECK_EQ_STR(m->fmt, "webrtc-datachannel");
    CHECK(has_other(m, "sctp-port:5000"));
    char *text = veche_sdp_write(sdp);
    CHECK(text && strstr(text, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
    veche_sdp *again = text ? parse_str(text) : NULL;
    CHECK(veche_sdp_equal(sdp, again));
    veche_sdp_free(again);
    free(text);
    veche_sdp_free(sdp);
}

TEST(line_ends_and_spacing)
{
    /* LF only, no final line end, trailing blanks and spaces, numbered port. */
    static const char *const ok[] = {
        "v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=audio 9/2 RTP/AVP 0",
        HEAD "m=audio 9 RTP/AVP 0\r\na=mid:x  \r\n\r\n\r\n",
        HEAD "m=audio 0 RTP/AVP 0\r",
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=\r\nt=0 0\r\n",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        veche_sdp *sdp = parse_str(ok[i]);
        CHECK(sdp != NULL);
        if (sdp && sdp->n_media > 0 && i == 1)
            CHECK_EQ_STR(sdp->media[0].mid, "x");
        veche_sdp_free(sdp);
    }
}

/* ------------------------------------------------------------------ */
/* Bad input                                                           */

typedef struct {
    const char *name;
    const char *text;
    size_t len;                 /* 0: strlen(text) */
    int code;
    const char *reason;         /* expected start of the reason */
} bad_row;

static char *repeat_media(int n)
{
    size_t each = strlen("m=audio 9 RTP/AVP 0\r\n");
    char *s = malloc(strlen(HEAD) + (size_t)n * each + 1);
    if (!s)
        return NULL;
    char *p = s + sprintf(s, HEAD);
    for (int i = 0; i < n; i++)
        p += sprintf(p, "m=audio 9 RTP/AVP 0\r\n");
    return s;
}

static char *long_line(size_t n)
{
    char *s = malloc(strlen(HEAD) + n + 16);
    if (!s)
        return NULL;
    int k = sprintf(s, HEAD "a=x:");
    memset(s + k, 'x', n);
    strcpy(s + k + n, "\r\n");
    return s;
}

/* One session fingerprint of 3000 bytes copied into 100 sections. */
static char *blowup(void)
{
    char *s = malloc(8192);
    if (!s)
        return NULL;
    int k = sprintf(s, HEAD "a=fingerprint:sha-256 ");
    memset(s + k, 'A', 3000);
    strcpy(s + k + 3000, "\r\n");
    char *media = repeat_media(100);
    char *all = media ? malloc(strlen(s) + strlen(media) + 1) : NULL;
    if (all)
        sprintf(all, "%s%s", s, media + strlen(HEAD));
    free(s);
    free(media);
    return all;
}

TEST(bad_inputs)
{
    char *many = repeat_media(VECHE_SDP_MAX_MEDIA + 1), *huge = long_line(5000);
    char *big = malloc(VECHE_SDP_MAX_TEXT + 2), *blow = blowup();
    char codecs[512];
    int k = sprintf(codecs, HEAD "m=video 9 RTP/AVP");
    for (int i = 0; i < VECHE_SDP_MAX_CODECS + 1; i++)
        k += sprintf(codecs + k, " %d", i);
    sprintf(codecs + k, "\r\n");
    if (big) {
        memset(big, 'x', VECHE_SDP_MAX_TEXT + 1);
        memcpy(big, HEAD "a=x:", strlen(HEAD) + 4);
        big[VECHE_SDP_MAX_TEXT + 1] = '\0';
    }
    static const char nul[] = HEAD "m=audio 9 RTP/AVP 0\r\na=mid:a\0b\r\n";
    const bad_row rows[] = {
        {"empty", "", 0, VECHE_EMALFORMED, "empty SDP"},
        {"blank", "\r\n\r\n", 0, VECHE_EMALFORMED, "empty SDP"},
        {"no v=", "o=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 0, VECHE_EMALFORMED,
         "line 1: expected v= line"},
        {"v=1", "v=1\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 0, VECHE_EMALFORMED,
         "line 1: expected v=0"},
        {"only v=", "v=0\r\n", 0, VECHE_EMALFORMED, "missing o= line"},
        {"no t=", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n", 0, VECHE_EMALFORMED,
         "missing t= line"},
        {"m before t", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nm=audio 9 RTP/AVP 0\r\n", 0,
         VECHE_EMALFORMED, "line 4: m= line before t= line"},
        {"bad o=", "v=0\r\no=- x 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 0, VECHE_EMALFORMED,
         "line 2: bad o= line"},
        {"bad m= line", HEAD "m=audio\r\n", 0, VECHE_EMALFORMED, "line 5: bad m= line"},
        {"m= without formats", HEAD "m=audio 9 RTP/AVP\r\n", 0, VECHE_EMALFORMED,
         "line 5: bad m= line"},
        {"port out of range", HEAD "m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n", 0,
         VECHE_EMALFORMED, "line 5: port out of range"},
        {"pt in m= out of range", HEAD "m=audio 9 RTP/AVP 128\r\n", 0, VECHE_EMALFORMED,
         "line 5: bad payload type in m= line"},
        {"pt twice", HEAD "m=audio 9 RTP/AVP 0 0\r\n", 0, VECHE_EMALFORMED,
         "line 5: payload type 0 twice"},
        {"rtpmap pt 300", HEAD "m=audio 9 RTP/AVP 0\r\na=rtpmap:300 opus/48000/2\r\n", 0,
         VECHE_EMALFORMED, "line 6: bad payload type in a=rtpmap"},
        {"rtpmap no rate", HEAD "m=audio 9 RTP/AVP 96\r\na=rtpmap:96 opus\r\n", 0,
         VECHE_EMALFORMED, "line 6: bad a=rtpmap line"},
        {"rtpmap twice", HEAD "m=audio 9 RTP/AVP 96\r\na=rtpmap:96 a/1\r\na=rtpmap:96 b/1\r\n",
         0, VECHE_EMALFORMED, "line 7: duplicate a=rtpmap"},
        {"huge line", huge, 0, VECHE_ELIMIT, "line 5: line longer than 4096 bytes"},
        {"too large", big, 0, VECHE_ELIMIT, "SDP larger than"},
        {"too many media sections", many, 0, VECHE_ELIMIT, "line 517: too many media sections"},
        {"too many codecs", codecs, 0, VECHE_ELIMIT, "line 5: too many codecs"},
        {"NUL byte", nul, sizeof nul - 1, VECHE_EMALFORMED, "line 6: NUL byte"},
        {"control char", HEAD "s\x01=\r\n", 0, VECHE_EMALFORMED, "line 5: control character"},
        {"empty line", "v=0\r\n\r\no=- 1 2 IN IP4 127.0.0.1\r\n", 0, VECHE_EMALFORMED,
         "line 2: empty line"},
        {"no =", HEAD "hello\r\n", 0, VECHE_EMALFORMED, "line 5: expected <type>=<value>"},
        {"unknown type", HEAD "x=1\r\n", 0, VECHE_EMALFORMED, "line 5: unknown line type"},
        {"t= in media", HEAD "m=audio 9 RTP/AVP 0\r\nt=0 0\r\n", 0, VECHE_EMALFORMED,
         "line 6: t= line inside a media section"},
        {"second o=", HEAD "o=- 1 2 IN IP4 127.0.0.1\r\n", 0, VECHE_EMALFORMED,
         "line 5: misplaced o= line"},
        {"empty a=", HEAD "a=\r\n", 0, VECHE_EMALFORMED, "line 5: empty a= line"},
        {"bad c=", HEAD "c=IN IP9 1.2.3.4\r\n", 0, VECHE_EMALFORMED, "line 5: bad c= line"},
        {"mid twice", HEAD "m=audio 9 RTP/AVP 0\r\na=mid:0\r\nm=audio 9 RTP/AVP 0\r\na=mid:0\r\n",
         0, VECHE_EMALFORMED, "line 8: mid used by two media sections"},
        {"mid with space", HEAD "m=audio 9 RTP/AVP 0\r\na=mid:a b\r\n", 0, VECHE_EMALFORMED,
         "line 6: bad a=mid line"},
        {"two directions", HEAD "m=audio 9 RTP/AVP 0\r\na=sendonly\r\na=recvonly\r\n", 0,
         VECHE_EMALFORMED, "line 7: more than one direction"},
        {"bad setup", HEAD "m=audio 9 RTP/AVP 0\r\na=setup:holdconn\r\n", 0, VECHE_EMALFORMED,
         "line 6: bad a=setup line"},
        {"extmap id 0", HEAD "m=audio 9 RTP/AVP 0\r\na=extmap:0 urn:x\r\n", 0, VECHE_EMALFORMED,
         "line 6: bad a=extmap line"},
        {"extmap id twice", HEAD "m=audio 9 RTP/AVP 0\r\na=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n",
         0, VECHE_EMALFORMED, "line 7: duplicate a=extmap"},
        {"ssrc not a number", HEAD "m=audio 9 RTP/AVP 0\r\na=ssrc:4294967296 cname:x\r\n", 0,
         VECHE_EMALFORMED, "line 6: bad a=ssrc line"},
        {"ssrc-group of 9", HEAD "m=video 9 RTP/AVP 96\r\na=ssrc-group:SIM 1 2 3 4 5 6 7 8 9\r\n",
         0, VECHE_ELIMIT, "line 6: too many SSRCs"},
        {"fingerprint alone", HEAD "a=fingerprint:sha-256\r\n", 0, VECHE_EMALFORMED,
         "line 5: bad a=fingerprint line"},
        {"rtcp-mux with value", HEAD "m=audio 9 RTP/AVP 0\r\na=rtcp-mux:1\r\n", 0,
         VECHE_EMALFORMED, "line 6: bad a=rtcp-mux line"},
        {"canonical blow-up", blow, 0, VECHE_ELIMIT, "SDP too large once written"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const bad_row *r = &rows[i];
        char reason[160];
        veche_sdp *sdp = (veche_sdp *)1;
        if (!r->text) {
            CHECK(!"fixture allocation failed");
            continue;
        }
        size_t len = r->len ? r->len : strlen(r->text);
        int rc = veche_sdp_parse_r(r->text, len, &sdp, reason, sizeof reason);
        const char *err = NULL;
        veche_sdp *viaparse = veche_sdp_parse(r->text, len, &err);
        if (rc != r->code || strncmp(reason, r->reason, strlen(r->reason)) != 0)
            fprintf(stderr, "# row \"%s\": rc %d reason \"%s\"\n", r->name, rc, reason);
        CHECK_EQ_INT(rc, r->code);
        CHECK(sdp == NULL);
        CHECK(strncmp(reason, r->reason, strlen(r->reason)) == 0);
        CHECK(viaparse == NULL);
        CHECK(err != NULL && err[0] != '\0');
        veche_sdp_free(viaparse);
    }
    free(many);
    free(huge);
    free(big);
    free(blow);
}

TEST(limits_accepted)
{
    char *max = repeat_media(VECHE_SDP_MAX_MEDIA), *line = long_line(4092);
    veche_sdp *a = max ? parse_str(max) : NULL, *b = line ? parse_str(line) : NULL;
    CHECK(a && a->n_media == VECHE_SDP_MAX_MEDIA);
    CHECK(b != NULL);
    veche_sdp_free(a);
    veche_sdp_free(b);
    free(max);
    free(line);
    const char *err = "untouched";
    veche_sdp *c = veche_sdp_parse(HEAD, strlen(HEAD), &err);
    CHECK(c != NULL);
    CHECK(err == NULL);
    veche_sdp_free(c);
    CHECK(veche_sdp_parse(HEAD "z", strlen(HEAD) + 1, NULL) == NULL);  /* err_desc NULL */
}

/* ------------------------------------------------------------------ */
/* Builders and lookups                                                */

TEST(builder_errors)
{
    veche_sdp *sdp = veche_sdp_new();
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    veche_sdp_media *m = veche_sdp_add_media(sdp, VECHE_SDP_VIDEO);
    CHECK(m && m->port == 9 && m->dir == VECHE_SDP_SENDRECV);
    CHECK_EQ_STR(m->conn_addr, "0.0.0.0");
    CHECK_EQ_STR(m->kind_name, "video");
    CHECK(veche_sdp_media_add_codec(m, 96, "VP8", 90000, 0, NULL) != NULL);
    CHECK(veche_sdp_media_add_codec(m, 96, "VP9", 90000, 0, NULL) == NULL);  /* pt taken */
    CHECK(veche_sdp_media_add_codec(m, 128, "VP9", 90000, 0, NULL) == NULL);
    CHECK(veche_sdp_media_add_codec(m, 98, "a-name-of-thirty-two-characters!", 1, 0, NULL) == NULL);
    CHECK(veche_sdp_media_add_codec(m, 98, "VP9", 90000, 0, "x\r\ny") == NULL);
    veche_sdp_codec *c = &m->codecs[0];
    char fb[16];
    for (int i = 0; i < VECHE_SDP_MAX_FB; i++) {
        snprintf(fb, sizeof fb, "fb%d", i);
        CHECK_EQ_INT(veche_sdp_codec_add_fb(c, fb), 0);
    }
    CHECK_EQ_INT(veche_sdp_codec_add_fb(c, "one-too-many"), VECHE_ELIMIT);
    CHECK_EQ_INT(veche_sdp_codec_add_fb(c, "fb3"), 0);  /* already there */
    CHECK_EQ_INT(veche_sdp_media_set(&m->mid, "a\nb"), VECHE_EINVAL);
    CHECK_EQ_INT(veche_sdp_media_set(&m->mid, "a"), 0);
    CHECK_EQ_INT(veche_sdp_media_set(&m->mid, NULL), 0);
    CHECK(m->mid == NULL);
    CHECK_EQ_INT(veche_sdp_media_add_extmap(m, 0, "urn:x"), VECHE_EINVAL);
    CHECK_EQ_INT(veche_sdp_media_add_extmap(m, 1, "urn:x"), 0);
    CHECK_EQ_INT(veche_sdp_media_add_extmap(m, 1, "urn:y"), VECHE_EINVAL);
    CHECK_EQ_INT(veche_sdp_media_add_ssrc(m, 7, NULL, NULL), 0);
    CHECK_EQ_INT(veche_sdp_media_add_ssrc(m, 7, "c", NULL), VECHE_EINVAL);
    uint32_t nine[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    CHECK_EQ_INT(veche_sdp_media_add_group(m, "SIM", nine, 9), VECHE_EINVAL);
    CHECK_EQ_INT(veche_sdp_media_add_group(m, "SIM", nine, 0), VECHE_EINVAL);
    CHECK_EQ_INT(veche_sdp_media_add_group(m, "SIM", nine, 3), 0);
    CHECK_EQ_INT(veche_sdp_add_bundle(sdp, "has space"), VECHE_EINVAL);
    for (int i = 0; i < VECHE_SDP_MAX_MEDIA; i++)
        CHECK_EQ_INT(veche_sdp_add_bundle(sdp, "m"), 0);
    CHECK_EQ_INT(veche_sdp_add_bundle(sdp, "m"), VECHE_ELIMIT);
    while (sdp->n_media < VECHE_SDP_MAX_MEDIA)
        CHECK(veche_sdp_add_media(sdp, VECHE_SDP_AUDIO) != NULL);
    CHECK(veche_sdp_add_media(sdp, VECHE_SDP_AUDIO) == NULL);
    veche_sdp_free(sdp);
}

TEST(lookups)
{
    veche_sdp *sdp = parse_str(
        HEAD "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99\r\n"
        "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 RTX/90000\r\na=fmtp:97 foo=1; apt=96\r\n"
        "a=rtpmap:98 red/90000\r\na=rtpmap:99 rtx/90000\r\na=fmtp:99 apt=960\r\n"
        "a=ssrc-group:FID 10 20\r\na=ssrc-group:SIM 30 40\r\n"
        "a=ssrc:20 cname:x\r\na=ssrc:10 cname:x\r\na=ssrc:40 cname:x\r\n");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    const veche_sdp_media *m = &sdp->media[0];
    CHECK_EQ_INT(veche_sdp_media_rtx_for(m, 96), 97);
    CHECK_EQ_INT(veche_sdp_media_rtx_for(m, 98), -1);
    CHECK(veche_sdp_media_find_codec(m, "h264") == NULL);
    CHECK(veche_sdp_media_codec_by_pt(m, 100) == NULL);
    CHECK_EQ_INT(veche_sdp_media_primary_ssrc(m), 10);  /* 20 is an FID secondary */
    CHECK_EQ_INT(veche_sdp_media_rtx_ssrc(m, 10), 20);
    CHECK_EQ_INT(veche_sdp_media_rtx_ssrc(m, 30), 0);   /* SIM is not FID */
    CHECK_EQ_STR(veche_sdp_dir_name(VECHE_SDP_RECVONLY), "recvonly");
    CHECK_EQ_STR(veche_sdp_dir_name((veche_sdp_dir)42), "sendrecv");
    CHECK(veche_sdp_equal(NULL, NULL));
    CHECK(!veche_sdp_equal(sdp, NULL));
    veche_sdp_free(sdp);
}

/* RFC 8843: which sections are live and whose transport they use.  Rows:
 * port, bundle-only, in the group -> active. */
TEST(bundle_only)
{
    veche_sdp *sdp = parse_str(
        HEAD "a=group:BUNDLE t b n\r\n"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:t\r\na=ice-ufrag:uf\r\n"
        "a=ice-pwd:pwpwpwpwpwpwpwpwpwpwpwpw\r\na=fingerprint:sha-256 AB:CD\r\n"
        "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
        "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=bundle-only\r\na=mid:b\r\n"
        "a=rtpmap:96 VP8/90000\r\n"
        "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:n\r\na=rtpmap:96 VP8/90000\r\n"
        "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=bundle-only\r\na=mid:o\r\n"
        "a=rtpmap:96 VP8/90000\r\n"
        "m=video 0 UDP/TLS/RTP/SAVPF 96\r\na=bundle-only\r\na=rtpmap:96 VP8/90000\r\n");
    CHECK(sdp != NULL);
    if (!sdp)
        return;
    static const struct {
        bool bundle_only, bundled, active;
    } rows[] = {
        {false, true, true},   /* t: port 9, the tagged section */
        {true, true, true},    /* b: port 0, bundle-only, in the group */
        {false, true, false},  /* n: port 0 without bundle-only: rejected */
        {true, false, false},  /* o: bundle-only but not in the group */
        {true, false, false},  /* no mid at all */
    };
    CHECK_EQ_INT(sdp->n_media, 5);
    for (int i = 0; i < sdp->n_media && i < 5; i++) {
        const veche_sdp_media *m = &sdp->media[i];
        CHECK_EQ_INT(m->bundle_only, rows[i].bundle_only);
        CHECK_EQ_INT(veche_sdp_media_bundled(sdp, m), rows[i].bundled);
        CHECK_EQ_INT(veche_sdp_media_active(sdp, m), rows[i].active);
        CHECK(!has_other(m, "bundle-only"));
    }
    /* b has no transport of its own: the tagged section's applies. */
    CHECK(veche_sdp_media_transport(sdp, &sdp->media[1]) == &sdp->media[0]);
    CHECK(veche_sdp_media_transport(sdp, &sdp->media[0]) == &sdp->media[0]);
    CHECK(veche_sdp_media_transport(sdp, &sdp->media[3]) == &sdp->media[3]);
    /* It prints back (right after m= and c=) and parses to an equal tree. */
    char *text = veche_sdp_write(sdp);
    CHECK(text && strstr(text, "a=mid:t\r\n") && strstr(text, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
                                                                 "a=bundle-only\r\n"));
    veche_sdp *again = text ? parse_str(text) : NULL;
    CHECK(veche_sdp_equal(sdp, again));
    CHECK(again && again->media[1].bundle_only && !again->media[2].bundle_only);
    veche_sdp_free(again);
    free(text);
    veche_sdp_free(sdp);
}

int main(void)
{
    RUN(chromium_offer_session);
    RUN(chromium_offer_audio);
    RUN(chromium_offer_video);
    RUN(chromium_offer_transport);
    RUN(chromium_answer);
    RUN(firefox_offer);
    RUN(round_trip_fixtures);
    RUN(firefox153_offer);
    RUN(safari18_offer);
    RUN(build_write_parse);
    RUN(new_is_random);
    RUN(wildcard_rtcp_fb);
    RUN(static_payload_types);
    RUN(session_defaults);
    RUN(other_attributes);
    RUN(data_channel);
    RUN(line_ends_and_spacing);
    RUN(bad_inputs);
    RUN(limits_accepted);
    RUN(builder_errors);
    RUN(lookups);
    RUN(bundle_only);
    return check_finish();
}
