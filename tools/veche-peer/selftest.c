/* selftest.c - unit checks of veche-peer's pieces without a server: clip
 * determinism, receive accounting and packet checks with synthetic
 * packets (loss, duplicates, reordering, header and timestamp checks, RTX
 * unwrapping), sender -> verifier loopback, SDP offer/answer parsing back
 * with veche_sdp_parse, candidate parsing, the UDP allow list, expectation
 * evaluation, the JSON-lines report, NACK gap tracking and the simulated
 * loss, and that every junk packet survives SRTP.
 *
 * Does not: open sockets or run ICE/DTLS (the integration tests do).
 */
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <jansson.h>

#include "check.h"
#include "clip.h"
#include "junk.h"
#include "misbehave.h"
#include "nack.h"
#include "peer_sdp.h"
#include "report.h"
#include "rtcp.h"
#include "rtp.h"
#include "sdp.h"
#include "sender.h"
#include "srtp.h"
#include "verify.h"

/* Built once in main(): encoding takes a moment. */
static vpeer_clip *clip;

/* Write RTP packet (seq, ssrc) as a sender would for clip position pos
 * (packet index counting loops): payload pos mod N, its marker, and the
 * timestamp of its frame counting loops (sender.h). */
static size_t make_rtp(uint8_t *buf, vpeer_kind k, uint32_t pos, uint16_t seq,
                       uint32_t ssrc)
{
    uint32_t n = vpeer_clip_packet_count(clip, k);
    const vpeer_clip_packet *p = vpeer_clip_packet_at(clip, k, pos % n);
    uint32_t frame = pos / n * vpeer_clip_frame_count(clip, k) + p->frame;
    int h = veche_rtp_write_header(buf, 1500, k == VPEER_AUDIO ? 111 : 96,
                                   p->marker, seq,
                                   1000u + frame * vpeer_clip_frame_ticks(k),
                                   ssrc);
    memcpy(buf + h, p->data, p->len);
    return (size_t)h + p->len;
}

TEST(clip_is_deterministic)
{
    const char *err = NULL;
    vpeer_clip *again = vpeer_clip_new(&err);
    CHECK(again != NULL);
    if (!again)
        return;
    char h1[65], h2[65];
    vpeer_clip_sha256_hex(clip, h1);
    vpeer_clip_sha256_hex(again, h2);
    CHECK_EQ_STR(h1, h2);
    vpeer_clip_free(again);
}

TEST(clip_shape)
{
    CHECK_EQ_INT(vpeer_clip_frame_count(clip, VPEER_AUDIO), 250);
    CHECK_EQ_INT(vpeer_clip_packet_count(clip, VPEER_AUDIO), 250);
    CHECK_EQ_INT(vpeer_clip_frame_count(clip, VPEER_VIDEO), 150);
    CHECK(vpeer_clip_packet_count(clip, VPEER_VIDEO) >= 150);
    for (uint32_t f = 0; f < vpeer_clip_frame_count(clip, VPEER_VIDEO); f++) {
        vpeer_clip_frame fr = vpeer_clip_frame_at(clip, VPEER_VIDEO, f);
        CHECK(fr.count > 0);
        for (uint32_t i = 0; i < fr.count; i++) {
            const vpeer_clip_packet *p =
                vpeer_clip_packet_at(clip, VPEER_VIDEO, fr.first + i);
            CHECK(p->len <= VPEER_CLIP_MAX_PAYLOAD);
            CHECK(p->marker == (i + 1 == fr.count));
        }
    }
    for (uint32_t i = 0; i < vpeer_clip_packet_count(clip, VPEER_VIDEO); i++) {
        const vpeer_clip_packet *p = vpeer_clip_packet_at(clip, VPEER_VIDEO, i);
        CHECK_EQ_INT(vpeer_clip_lookup(clip, VPEER_VIDEO, p->data, p->len), i);
    }
    static const uint8_t junk[] = { 1, 2, 3 };
    CHECK_EQ_INT(vpeer_clip_lookup(clip, VPEER_AUDIO, junk, 3), -1);
}

/* Packets 0..199 of audio starting at clip index 240 (so they loop) and at
 * seq 65500 (so the sequence wraps), with 5 dropped, 1 duplicated, one
 * payload corrupted and one marker bit flipped. */
TEST(verify_counts_loss_dups_and_mismatch)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_verify_add_track(v, 1, "pB", "a1", VPEER_AUDIO, 42, 0);
    vpeer_verify_set_name(v, "pB", "B");
    uint8_t buf[1600];
    int64_t t = 1000;
    for (uint32_t k = 0; k < 200; k++) {
        if (k >= 50 && k < 55)
            continue;
        size_t len = make_rtp(buf, VPEER_AUDIO, 240 + k,
                              (uint16_t)(65500 + k), 42);
        if (k == 120)
            buf[len - 1] ^= 0xff;
        if (k == 140)
            buf[1] ^= 0x80;
        vpeer_verify_on_rtp(v, 1, buf, len, t += 20000);
        if (k == 130)
            vpeer_verify_on_rtp(v, 1, buf, len, t);
    }
    vpeer_track_info ti;
    vpeer_verify_get(v, 0, &ti);
    CHECK_EQ_INT(ti.packets, 195);
    CHECK_EQ_INT(ti.lost, 5);
    CHECK_EQ_INT(ti.duplicates, 1);
    CHECK_EQ_INT(ti.mismatched, 2);
    CHECK_EQ_INT(ti.bad_header, 1);
    CHECK_EQ_INT(ti.identical, 193);
    CHECK_EQ_STR(ti.name, "B");
    vpeer_verify_free(v);
}

/* After the window (freeze): the repair of a gap already seen still counts,
 * a newer packet does not (--settle-ms). */
TEST(verify_freeze_counts_repairs_not_newer)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_verify_add_track(v, 1, "pB", "a1", VPEER_AUDIO, 42, 0);
    uint8_t buf[1600];
    int64_t t = 1000;
    for (uint32_t k = 0; k < 20; k++) {
        if (k == 17)
            continue;  /* lost near the window's edge, repaired later */
        size_t len = make_rtp(buf, VPEER_AUDIO, k, (uint16_t)(100 + k), 42);
        vpeer_verify_on_rtp(v, 1, buf, len, t += 20000);
    }
    vpeer_track_info ti;
    vpeer_verify_get(v, 0, &ti);
    CHECK_EQ_INT(ti.lost, 1);
    vpeer_verify_freeze(v);
    for (uint32_t k = 20; k < 30; k++) {  /* after the window: not counted */
        size_t len = make_rtp(buf, VPEER_AUDIO, k, (uint16_t)(100 + k), 42);
        vpeer_verify_on_rtp(v, 1, buf, len, t += 20000);
    }
    size_t len = make_rtp(buf, VPEER_AUDIO, 17, 117, 42);  /* the repair */
    vpeer_verify_on_rtp(v, 1, buf, len, t += 20000);
    vpeer_verify_get(v, 0, &ti);
    CHECK_EQ_INT(ti.packets, 20);
    CHECK_EQ_INT(ti.lost, 0);
    CHECK_EQ_INT(ti.identical, 20);
    vpeer_verify_free(v);
}

TEST(verify_after_removed_and_first_video)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_verify_add_track(v, 1, "pC", "v1", VPEER_VIDEO, 7, 0);
    uint8_t buf[1600];
    size_t len = make_rtp(buf, VPEER_VIDEO, 3, 100, 7);
    CHECK_EQ_INT(vpeer_verify_on_rtp(v, 1, buf, len, 10), VPEER_RTP_FIRST_VIDEO);
    vpeer_verify_remove(v, "pC", NULL, 1000000);
    len = make_rtp(buf, VPEER_VIDEO, 4, 101, 7);
    vpeer_verify_on_rtp(v, 1, buf, len, 1500000);     /* within grace */
    len = make_rtp(buf, VPEER_VIDEO, 5, 102, 7);
    vpeer_verify_on_rtp(v, 1, buf, len, 2500000);     /* after grace */
    len = make_rtp(buf, VPEER_VIDEO, 6, 103, 8);
    CHECK_EQ_INT(vpeer_verify_on_rtp(v, 1, buf, len, 2500000),
                 VPEER_RTP_UNKNOWN_SSRC);
    vpeer_track_info ti;
    vpeer_verify_get(v, 0, &ti);
    CHECK_EQ_INT(ti.packets, 3);
    CHECK_EQ_INT(ti.identical, 3);
    CHECK_EQ_INT(ti.after_removed, 1);
    CHECK_EQ_INT(vpeer_verify_unknown_ssrc(v), 1);
    vpeer_verify_free(v);
}

/* Video packets out of order around the anchor, across a clip loop, and one
 * with a wrong timestamp. */
TEST(verify_video_reorder_and_timestamps)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_verify_add_track(v, 1, "pV", "v", VPEER_VIDEO, 9, 0);
    uint32_t n = vpeer_clip_packet_count(clip, VPEER_VIDEO);
    uint8_t buf[1600];
    /* positions n-3 .. n+5, delivered n-1 first (the anchor), then n-3,
     * n-2 (before the anchor), then the rest */
    uint32_t order[] = { n - 1, n - 3, n - 2, n, n + 1, n + 2, n + 3, n + 4,
                         n + 5 };
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        size_t len = make_rtp(buf, VPEER_VIDEO, order[i],
                              (uint16_t)(7 + order[i]), 9);
        if (order[i] == n + 4)
            buf[7] ^= 1;              /* timestamp off by one */
        vpeer_verify_on_rtp(v, 1, buf, len, 1000 * (int64_t)i);
    }
    vpeer_track_info ti;
    vpeer_verify_get(v, 0, &ti);
    CHECK_EQ_INT(ti.packets, 9);
    CHECK_EQ_INT(ti.lost, 0);
    CHECK_EQ_INT(ti.identical, 8);
    CHECK_EQ_INT(ti.bad_header, 1);
    vpeer_verify_free(v);
}

/* The sender's output, fed straight into a verifier, is identical. */
static int loop_send(void *ud, uint8_t *buf, size_t len, size_t cap, bool rtcp)
{
    if (!rtcp)
        vpeer_verify_on_rtp(ud, 1, buf, len, 0);
    return 0;
}

TEST(sender_to_verify_loopback)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_verify_add_track(v, 1, "p", "a", VPEER_AUDIO, 1, 0);
    vpeer_verify_add_track(v, 1, "p", "v", VPEER_VIDEO, 2, 0);
    vpeer_sender *s = vpeer_sender_new(clip, 1, 2, "cname", loop_send, v);
    vpeer_sender_prime(s, 0);
    vpeer_sender_tick(s, VPEER_AUDIO, 12 * 1000000);   /* 12 s: 2+ loops */
    vpeer_sender_tick(s, VPEER_VIDEO, 12 * 1000000);
    const vpeer_sender_stats *st = vpeer_sender_get_stats(s);
    CHECK_EQ_INT(st->frames[VPEER_AUDIO], 601);
    CHECK_EQ_INT(st->frames[VPEER_VIDEO], 361);
    for (int k = 0; k < 2; k++) {
        vpeer_track_info ti;
        vpeer_verify_get(v, k, &ti);
        CHECK_EQ_INT(ti.packets, st->packets[k]);
        CHECK_EQ_INT(ti.identical, ti.packets);
        CHECK_EQ_INT(ti.lost, 0);
    }
    vpeer_sender_free(s);
    vpeer_verify_free(v);
}

static const char *const CANDS[] = {
    "candidate:1 1 UDP 2015363327 127.0.0.1 40112 typ host", NULL,
};

static const char FP[] =
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

TEST(publish_offer_parses_back)
{
    vpeer_sdp_local l = { .ufrag = "ufrg",
                          .pwd = "passwordpasswordpassword",
                          .fingerprint = FP, .candidates = CANDS };
    vpeer_sdp_publish p = { 1111, 2222, "cn", "stream", "ta", "tv", 0 };
    char *text = vpeer_sdp_publish_offer(&l, &p);
    CHECK(text != NULL);
    const char *err = NULL;
    veche_sdp *sdp = text ? veche_sdp_parse(text, strlen(text), &err) : NULL;
    CHECK(sdp != NULL);
    if (!sdp) {
        fprintf(stderr, "# %s\n%s\n", err, text);
        free(text);
        return;
    }
    CHECK_EQ_INT(sdp->n_bundle, 2);
    CHECK_EQ_INT(sdp->n_media, 2);
    const veche_sdp_media *a = &sdp->media[0], *vm = &sdp->media[1];
    CHECK_EQ_STR(a->mid, "0");
    CHECK_EQ_STR(vm->mid, "1");
    CHECK_EQ_INT(a->dir, VECHE_SDP_SENDONLY);
    CHECK_EQ_INT(a->setup, VECHE_SDP_SETUP_ACTPASS);
    CHECK(a->rtcp_mux && a->rtcp_rsize);
    CHECK_EQ_STR(a->ice_ufrag, "ufrg");
    CHECK_EQ_STR(a->fingerprint, FP);
    CHECK_EQ_INT(a->n_candidates, 1);
    const veche_sdp_codec *opus = veche_sdp_media_find_codec(a, "opus");
    CHECK(opus && opus->pt == 111 && opus->clock_rate == 48000 &&
          opus->channels == 2);
    const veche_sdp_codec *vp8 = veche_sdp_media_find_codec(vm, "VP8");
    CHECK(vp8 && vp8->pt == 96);
    CHECK(vp8 && veche_sdp_codec_has_fb(vp8, "nack pli"));
    CHECK(vp8 && veche_sdp_codec_has_fb(vp8, "ccm fir"));
    CHECK_EQ_INT(veche_sdp_media_primary_ssrc(vm), 2222);
    CHECK_EQ_STR(vm->msid, "stream tv");
    veche_sdp_free(sdp);
    free(text);
}

static const char SERVER_OFFER[] =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=ice-ufrag:srvu\r\na=ice-pwd:serverpasswordserverpass\r\n"
    "a=fingerprint:sha-256 " "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=setup:actpass\r\n"
    "a=rtpmap:111 opus/48000/2\r\na=msid:pA ta\r\na=ssrc:5 cname:x\r\n"
    "a=candidate:1 1 UDP 2015363327 127.0.0.1 40112 typ host\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=mid:1\r\na=inactive\r\na=rtcp-mux\r\na=setup:actpass\r\n"
    "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\na=msid:pA tv\r\n"
    "a=ssrc:6 cname:x\r\n"
    "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=mid:2\r\na=inactive\r\na=rtpmap:96 VP8/90000\r\n";

TEST(subscribe_answer)
{
    veche_sdp *offer = veche_sdp_parse(SERVER_OFFER, strlen(SERVER_OFFER),
                                       NULL);
    CHECK(offer != NULL);
    if (!offer)
        return;
    vpeer_sdp_remote r;
    const char *err = NULL;
    CHECK_EQ_INT(vpeer_sdp_remote_params(offer, &r, &err), 0);
    CHECK_EQ_STR(r.ufrag, "srvu");
    vpeer_sdp_track t;
    CHECK(vpeer_sdp_track_at(offer, 0, &t));
    CHECK_EQ_STR(t.participant, "pA");
    CHECK_EQ_STR(t.track, "ta");
    CHECK(t.active && t.ssrc == 5 && t.pt == 111);
    CHECK(vpeer_sdp_track_at(offer, 1, &t));
    CHECK(!t.active);
    vpeer_sdp_local l = { .ufrag = "me", .pwd = "mypasswordmypasswordmypa",
                          .fingerprint = FP };
    char *text = vpeer_sdp_subscribe_answer(offer, &l, &err);
    CHECK(text != NULL);
    veche_sdp *ans = text ? veche_sdp_parse(text, strlen(text), &err) : NULL;
    CHECK(ans != NULL);
    if (ans) {
        CHECK_EQ_INT(ans->n_media, 3);
        CHECK_EQ_INT(ans->media[0].dir, VECHE_SDP_RECVONLY);
        CHECK_EQ_INT(ans->media[0].setup, VECHE_SDP_SETUP_ACTIVE);
        CHECK_EQ_STR(ans->media[0].mid, "0");
        CHECK_EQ_INT(ans->media[1].dir, VECHE_SDP_INACTIVE);
        CHECK_EQ_INT(ans->media[2].port, 0);
        CHECK_EQ_STR(ans->media[2].mid, "2");
        CHECK_EQ_INT(ans->n_bundle, 2);
        CHECK(veche_sdp_media_find_codec(&ans->media[0], "opus") != NULL);
        CHECK_EQ_STR(ans->media[0].ice_ufrag, "me");
    } else {
        fprintf(stderr, "# %s\n%s\n", err, text ? text : "");
    }
    veche_sdp_free(ans);
    free(text);
    /* against a remote "active" we answer passive */
    l.setup = VECHE_SDP_SETUP_PASSIVE;
    text = vpeer_sdp_subscribe_answer(offer, &l, &err);
    ans = text ? veche_sdp_parse(text, strlen(text), &err) : NULL;
    CHECK(ans && ans->media[0].setup == VECHE_SDP_SETUP_PASSIVE);
    veche_sdp_free(ans);
    veche_sdp_free(offer);
    free(text);
}

TEST(candidates_and_allow_list)
{
    char addr[64];
    uint16_t port = 0;
    CHECK(vpeer_sdp_candidate_addr(CANDS[0], addr, sizeof addr, &port));
    CHECK_EQ_STR(addr, "127.0.0.1");
    CHECK_EQ_INT(port, 40112);
    CHECK(!vpeer_sdp_candidate_addr("candidate:1 1 TCP 1 127.0.0.1 9 typ host",
                                    addr, sizeof addr, &port));
    CHECK(!vpeer_sdp_candidate_addr("candidate:garbage", addr, sizeof addr,
                                    &port));
    CHECK(vpeer_misbehave_allowed("127.0.0.1", NULL));
    CHECK(vpeer_misbehave_allowed("10.0.0.5", "127.0.0.1, 10.0.0.5"));
    CHECK(!vpeer_misbehave_allowed("10.0.0.6", "127.0.0.1,10.0.0.5"));
    CHECK(!vpeer_misbehave_allowed("8.8.8.8", NULL));
}

/* Feed n packets of kind k for ssrc in session 1, one per step_us. */
static void feed(vpeer_verify *v, vpeer_kind k, uint32_t ssrc, int n,
                 int64_t t0, int64_t step_us)
{
    uint8_t buf[1600];
    for (int i = 0; i < n; i++) {
        size_t len = make_rtp(buf, k, (uint32_t)i, (uint16_t)i, ssrc);
        vpeer_verify_on_rtp(v, 1, buf, len, t0 + i * step_us);
    }
}

TEST(expectations)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_report *r = vpeer_report_new(0, "A", NULL);
    vpeer_verify_set_name(v, "pB", "B");
    vpeer_verify_set_name(v, "pC1", "C");
    vpeer_verify_set_name(v, "pC2", "C");
    vpeer_verify_add_track(v, 1, "pB", "a", VPEER_AUDIO, 1, 0);
    vpeer_verify_add_track(v, 1, "pB", "v", VPEER_VIDEO, 2, 0);
    vpeer_verify_add_track(v, 1, "pC1", "a", VPEER_AUDIO, 3, 0);
    vpeer_verify_add_track(v, 1, "pC1", "v", VPEER_VIDEO, 4, 0);
    vpeer_verify_remove(v, "pC1", NULL, 1000000);
    vpeer_verify_add_track(v, 1, "pC2", "a", VPEER_AUDIO, 5, 2000000);
    feed(v, VPEER_AUDIO, 1, 200, 0, 19000);
    feed(v, VPEER_VIDEO, 2, (int)vpeer_clip_packet_count(clip, VPEER_VIDEO),
         0, 17000);
    feed(v, VPEER_AUDIO, 5, 100, 2000000, 19000);
    vpeer_expect e = { 2, 0.99, 0.5, 4000000 };
    json_t *f = vpeer_report_failures(r, v, clip, "A", &e);
    /* C's latest incarnation lacks video; everything else holds */
    CHECK_EQ_INT(json_array_size(f), 1);
    if (json_array_size(f) == 1)
        CHECK(strstr(json_string_value(json_array_get(f, 0)), "C: no video"));
    json_decref(f);
    e.expect_peers = 3;
    f = vpeer_report_failures(r, v, clip, "A", &e);
    CHECK_EQ_INT(json_array_size(f), 2);
    json_decref(f);
    /* run on for 3 s more: B's live tracks stalled, C's too */
    e.expect_peers = 2;
    e.end_us = 7000000;
    f = vpeer_report_failures(r, v, clip, "A", &e);
    int stalled = 0;
    for (size_t i = 0; i < json_array_size(f); i++)
        stalled += strstr(json_string_value(json_array_get(f, i)),
                          "stalled") != NULL;
    CHECK_EQ_INT(stalled, 3);
    json_decref(f);
    /* a failed check fails the run */
    vpeer_report_check(r, "x", false, "broken");
    e.end_us = 4000000;
    f = vpeer_report_failures(r, v, clip, "A", &e);
    CHECK_EQ_INT(json_array_size(f), 2);
    json_decref(f);
    vpeer_report_free(r);
    vpeer_verify_free(v);
}

/* Every junk packet is version 2, long enough, and survives SRTP protect
 * and unprotect (so it really reaches the server's RTP/RTCP code). */
TEST(junk_is_protectable)
{
    veche_srtp_keys a = { .profile = VECHE_SRTP_AES128_CM_SHA1_80, .len = 30 };
    for (size_t i = 0; i < 30; i++) {
        a.local[i] = (uint8_t)i;
        a.remote[i] = (uint8_t)(100 + i);
    }
    veche_srtp_keys b = a;
    memcpy(b.local, a.remote, 30);
    memcpy(b.remote, a.local, 30);
    CHECK_EQ_INT(veche_srtp_global_init(), 0);
    veche_srtp *tx = veche_srtp_new(&a), *rx = veche_srtp_new(&b);
    CHECK(tx && rx);
    GRand *rng = g_rand_new_with_seed(7);
    uint8_t buf[VPEER_JUNK_MAX + VECHE_SRTP_MAX_OVERHEAD];
    int good = 0;
    for (int round = 0; tx && rx && round < 2; round++) {
        for (int i = 0; i < VPEER_JUNK_RTCP_KINDS; i++) {
            int n = vpeer_junk_rtcp(i, 5, 6, rng, buf, sizeof buf);
            CHECK(n >= 8 && n <= VPEER_JUNK_MAX && buf[0] >> 6 == 2);
            size_t len = (size_t)n;
            if (n >= 8 &&
                veche_srtp_protect_rtcp(tx, buf, &len, sizeof buf) == 0 &&
                veche_srtp_unprotect_rtcp(rx, buf, &len) == 0 &&
                len == (size_t)n)
                good++;
        }
        for (int i = 0; i < VPEER_JUNK_RTP_KINDS; i++) {
            int n = vpeer_junk_rtp(i, 9, (uint16_t)(round * 8 + i), rng, buf,
                                   sizeof buf);
            CHECK(n >= 12 && n <= VPEER_JUNK_MAX && buf[0] >> 6 == 2);
            size_t len = (size_t)n;
            if (n >= 12 &&
                veche_srtp_protect_rtp(tx, buf, &len, sizeof buf) == 0 &&
                veche_srtp_unprotect_rtp(rx, buf, &len) == 0 &&
                len == (size_t)n)
                good++;
        }
    }
    CHECK_EQ_INT(good, 2 * (VPEER_JUNK_RTCP_KINDS + VPEER_JUNK_RTP_KINDS));
    CHECK_EQ_INT(vpeer_junk_rtcp(VPEER_JUNK_RTCP_KINDS, 1, 2, rng, buf,
                                 sizeof buf), -1);
    g_rand_free(rng);
    veche_srtp_free(tx);
    veche_srtp_free(rx);
}

/* Gaps become NACKs, retried then given up; arrivals recover; the
 * simulated drop only ever drops packets newer than everything seen. */
TEST(nacker_gaps_retries_and_drops)
{
    vpeer_nacker *n = vpeer_nacker_new(0);
    uint8_t buf[1500];
    vpeer_nacker_on_packet(n, 7, 65534, 0);
    vpeer_nacker_on_packet(n, 7, 2, 1000);      /* 65535, 0, 1 missing */
    int len = vpeer_nacker_write(n, 1, 2000, buf, sizeof buf);
    CHECK(len == 16);                             /* one NACK, one FCI */
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_fb fb;
    uint16_t seqs[8];
    veche_rtcp_iter_init(&it, buf, (size_t)(len > 0 ? len : 0));
    CHECK(veche_rtcp_iter_next(&it, &item, NULL) == 1 &&
          veche_rtcp_parse_fb(&item, &fb) == 0 && fb.media_ssrc == 7 &&
          veche_rtcp_nack_expand(&fb, seqs, 8) == 3 && seqs[0] == 65535);
    CHECK_EQ_INT(vpeer_nacker_write(n, 1, 3000, buf, sizeof buf), 0);
    vpeer_nacker_on_packet(n, 7, 0, 4000);        /* recovered */
    int64_t t = 2000;
    for (int i = 1; i < VPEER_NACK_TRIES; i++)   /* retries of 65535 and 1 */
        CHECK(vpeer_nacker_write(n, 1, t += VPEER_NACK_RETRY_US, buf,
                                 sizeof buf) > 0);
    CHECK_EQ_INT(vpeer_nacker_write(n, 1, t += VPEER_NACK_RETRY_US, buf,
                                    sizeof buf), 0);
    const vpeer_nack_stats *st = vpeer_nacker_stats(n);
    CHECK_EQ_INT(st->missing, 3);
    CHECK_EQ_INT(st->recovered, 1);
    CHECK_EQ_INT(st->given_up, 2);
    CHECK_EQ_INT(st->requested, 3 + 2 * (VPEER_NACK_TRIES - 1));
    /* a restart (big jump) asks for nothing; a forgotten SSRC neither */
    vpeer_nacker_on_packet(n, 7, 30000, t);
    vpeer_nacker_on_packet(n, 8, 10, t);
    vpeer_nacker_on_packet(n, 8, 15, t);
    vpeer_nacker_forget(n, 8);
    CHECK_EQ_INT(vpeer_nacker_write(n, 1, t + 1, buf, sizeof buf), 0);
    vpeer_nacker_free(n);

    /* 10 % simulated loss: about 10 % dropped, never an old number */
    n = vpeer_nacker_new(100);
    int dropped = 0;
    vpeer_nacker_on_packet(n, 9, 0, 0);
    for (uint16_t q = 1; q < 2001; q++) {
        if (vpeer_nacker_simulate_drop(n, 9, q, q)) {
            dropped++;
            continue;
        }
        vpeer_nacker_on_packet(n, 9, q, q);
    }
    CHECK(dropped > 140 && dropped < 260);
    CHECK(!vpeer_nacker_simulate_drop(n, 9, 5, 3000));   /* old: never */
    CHECK_EQ_INT(vpeer_nacker_stats(n)->missing, dropped);
    vpeer_nacker_free(n);
}

/* RTX we accepted becomes the original packet; RTX we refused is counted
 * and reported as refused. */
TEST(verify_rtx_unwrap)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    int k = vpeer_verify_add_track(v, 1, "pR", "v", VPEER_VIDEO, 11, 0);
    vpeer_verify_set_rtx(v, k, 12, 97, true);
    uint8_t orig[1600], rtx[1600];
    size_t len = make_rtp(orig, VPEER_VIDEO, 5, 1005, 11);
    /* RTX: header with SSRC 12, PT 97, its own seq; OSN; payload */
    memcpy(rtx, orig, 12);
    veche_rtp_set_ssrc(rtx, 12);
    veche_rtp_set_payload_type(rtx, 97);
    veche_rtp_set_seq(rtx, 77);
    rtx[12] = 1005 >> 8;
    rtx[13] = 1005 & 0xff;
    memcpy(rtx + 14, orig + 12, len - 12);
    size_t rlen = len + 2;
    CHECK_EQ_INT(vpeer_verify_unwrap_rtx(v, 1, rtx, &rlen),
                 VPEER_RTX_UNWRAPPED);
    CHECK(rlen == len && memcmp(rtx, orig, len) == 0);
    CHECK_EQ_INT(vpeer_verify_unwrap_rtx(v, 1, orig, &len), VPEER_RTX_NONE);
    vpeer_verify_set_rtx(v, k, 12, 97, false);
    memcpy(rtx, orig, 12);
    veche_rtp_set_ssrc(rtx, 12);
    rlen = len;
    CHECK_EQ_INT(vpeer_verify_unwrap_rtx(v, 1, rtx, &rlen), VPEER_RTX_REFUSED);
    vpeer_track_info ti;
    vpeer_verify_get(v, k, &ti);
    CHECK_EQ_INT(ti.rtx, 1);
    CHECK_EQ_INT(ti.rtx_refused, 1);
    vpeer_verify_free(v);
}

/* Every record is one JSON object on its own line, with record and peer. */
TEST(report_json_lines)
{
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f)
        return;
    vpeer_report *r = vpeer_report_new(g_get_monotonic_time(), "P", f);
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_verify_add_track(v, 1, "pB", "a", VPEER_AUDIO, 1, 0);
    vpeer_report_event(r, "joined", json_pack("{s:s}", "participant", "x"));
    vpeer_report_event(r, "left", NULL);
    vpeer_report_check(r, "c", true, NULL);
    vpeer_report_error(r, "e %d", 1);
    vpeer_report_emit_tracks(r, v);
    vpeer_report_emit_result(r, json_pack("{s:b}", "ok", 0));
    rewind(f);
    static const char *const want[] = { "event", "event", "check", "error",
                                        "track", "result" };
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        CHECK(j != NULL);
        if (j && n < 6) {
            CHECK_EQ_STR(json_string_value(json_object_get(j, "record")),
                         want[n]);
            CHECK_EQ_STR(json_string_value(json_object_get(j, "peer")), "P");
        }
        if (j && n == 0)
            CHECK_EQ_STR(json_string_value(json_object_get(j, "event")),
                         "joined");
        json_decref(j);
        n++;
    }
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_INT(vpeer_report_error_count(r), 1);
    vpeer_verify_free(v);
    vpeer_report_free(r);
    fclose(f);
}

int main(void)
{
    const char *err = NULL;
    clip = vpeer_clip_new(&err);
    if (!clip) {
        printf("Bail out! clip: %s\n", err);
        return 1;
    }
    RUN(clip_is_deterministic);
    RUN(clip_shape);
    RUN(verify_counts_loss_dups_and_mismatch);
    RUN(verify_freeze_counts_repairs_not_newer);
    RUN(verify_after_removed_and_first_video);
    RUN(verify_video_reorder_and_timestamps);
    RUN(sender_to_verify_loopback);
    RUN(publish_offer_parses_back);
    RUN(subscribe_answer);
    RUN(candidates_and_allow_list);
    RUN(expectations);
    RUN(report_json_lines);
    RUN(junk_is_protectable);
    RUN(nacker_gaps_retries_and_drops);
    RUN(verify_rtx_unwrap);
    vpeer_clip_free(clip);
    return check_finish();
}
