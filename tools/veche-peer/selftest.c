/* selftest.c - unit checks of veche-peer's pieces without a server: clip
 * determinism, receive accounting with synthetic packets, sender ->
 * verifier loopback, SDP offer/answer parsing back with veche_sdp_parse,
 * candidate parsing, the UDP allow list, and expectation evaluation.
 *
 * Does not: open sockets or run ICE/DTLS (the integration tests do).
 */
#include <string.h>
#include <glib.h>

#include "check.h"
#include "clip.h"
#include "misbehave.h"
#include "peer_sdp.h"
#include "report.h"
#include "rtp.h"
#include "sdp.h"
#include "sender.h"
#include "verify.h"

/* Built once in main(): encoding takes a moment. */
static vpeer_clip *clip;

/* Write RTP packet (seq, ssrc) carrying clip payload idx of kind k. */
static size_t make_rtp(uint8_t *buf, vpeer_kind k, uint32_t idx, uint16_t seq,
                       uint32_t ssrc)
{
    const vpeer_clip_packet *p = vpeer_clip_packet_at(clip, k, idx);
    int h = veche_rtp_write_header(buf, 1500, k == VPEER_AUDIO ? 111 : 96,
                                   p->marker, seq, idx * 960, ssrc);
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
 * seq 65500 (so the sequence wraps), with 5 dropped, 1 duplicated and one
 * corrupted. */
TEST(verify_counts_loss_dups_and_mismatch)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_verify_add_track(v, 1, "pB", "a1", VPEER_AUDIO, 42, 0);
    vpeer_verify_set_name(v, "pB", "B");
    uint32_t n = vpeer_clip_packet_count(clip, VPEER_AUDIO);
    uint8_t buf[1600];
    int64_t t = 1000;
    for (uint32_t k = 0; k < 200; k++) {
        if (k >= 50 && k < 55)
            continue;
        size_t len = make_rtp(buf, VPEER_AUDIO, (240 + k) % n,
                              (uint16_t)(65500 + k), 42);
        if (k == 120)
            buf[len - 1] ^= 0xff;
        vpeer_verify_on_rtp(v, 1, buf, len, t += 20000);
        if (k == 130)
            vpeer_verify_on_rtp(v, 1, buf, len, t);
    }
    vpeer_track_info ti;
    vpeer_verify_get(v, 0, &ti);
    CHECK_EQ_INT(ti.packets, 195);
    CHECK_EQ_INT(ti.lost, 5);
    CHECK_EQ_INT(ti.duplicates, 1);
    CHECK_EQ_INT(ti.mismatched, 1);
    CHECK_EQ_INT(ti.identical, 194);
    CHECK_EQ_STR(ti.name, "B");
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
    vpeer_sdp_local l = { "ufrg", "passwordpasswordpassword", FP, CANDS,
                          false };
    vpeer_sdp_publish p = { 1111, 2222, "cn", "stream", "ta", "tv" };
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
    vpeer_sdp_local l = { "me", "mypasswordmypasswordmypa", FP, NULL, false };
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

/* Feed n packets of kind k for (participant, ssrc) in session 1. */
static void feed(vpeer_verify *v, vpeer_kind k, uint32_t ssrc, int n,
                 int64_t t0)
{
    uint8_t buf[1600];
    for (int i = 0; i < n; i++) {
        size_t len = make_rtp(buf, k, (uint32_t)i %
                              vpeer_clip_packet_count(clip, k),
                              (uint16_t)i, ssrc);
        vpeer_verify_on_rtp(v, 1, buf, len, t0 + i * 1000);
    }
}

TEST(expectations)
{
    vpeer_verify *v = vpeer_verify_new(clip);
    vpeer_report *r = vpeer_report_new(0);
    vpeer_verify_set_name(v, "pB", "B");
    vpeer_verify_set_name(v, "pC1", "C");
    vpeer_verify_set_name(v, "pC2", "C");
    vpeer_verify_add_track(v, 1, "pB", "a", VPEER_AUDIO, 1, 0);
    vpeer_verify_add_track(v, 1, "pB", "v", VPEER_VIDEO, 2, 0);
    vpeer_verify_add_track(v, 1, "pC1", "a", VPEER_AUDIO, 3, 0);
    vpeer_verify_add_track(v, 1, "pC1", "v", VPEER_VIDEO, 4, 0);
    vpeer_verify_remove(v, "pC1", NULL, 1000000);
    vpeer_verify_add_track(v, 1, "pC2", "a", VPEER_AUDIO, 5, 2000000);
    feed(v, VPEER_AUDIO, 1, 200, 0);
    feed(v, VPEER_VIDEO, 2, (int)vpeer_clip_packet_count(clip, VPEER_VIDEO),
         0);
    feed(v, VPEER_AUDIO, 5, 100, 2000000);
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
    vpeer_report_free(r);
    vpeer_verify_free(v);
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
    RUN(verify_after_removed_and_first_video);
    RUN(sender_to_verify_loopback);
    RUN(publish_offer_parses_back);
    RUN(subscribe_answer);
    RUN(candidates_and_allow_list);
    RUN(expectations);
    vpeer_clip_free(clip);
    return check_finish();
}
