/* test_negotiate.c - the subscribe offers of a room (room.c,
 * participant.c, negotiate.c) without a network: participants join a room
 * on a private main context, publish hand-written offers, and a subscriber
 * answers every subscribe offer; ICE and DTLS never start.
 *
 * What is checked: an ended track's m-line goes inactive and, once the
 * subscriber has answered that, the next track of the same kind takes it
 * over (same mid, sendonly, the new SSRC, msid and RTX SSRC), so the offer's
 * m-line count stays bounded however often people leave and come back; a
 * track that ends before it was ever offered leaves no m-line behind; an
 * m-line is not reused before the client has seen it inactive.  A
 * publisher's m-line with port 0 and a=bundle-only inside the BUNDLE group
 * (RFC 8843; Firefox and webrtcbin with max-bundle) is published and
 * answered with a port, while a plain port-0 m-line stays rejected.
 * Browser SDP from $VECHE_FIXTURES/sdp/ (Firefox ESR 153 captured from the
 * web client, a Safari 18 offer): what we accept and answer, and that a
 * Firefox subscribe answer keeps both m-lines live.  Every
 * subscriber gets SSRCs and payload types of the server's own (check_live
 * in room_fixture.h); a publish that repeats an SSRC in use in the room,
 * the publisher's or the server's, is refused with ssrc-conflict and
 * changes nothing.
 */

#include "check.h"
#include "room_fixture.h"

/* 20 people in turn join, publish audio and video and leave while A
 * watches: A's offer keeps two m-lines, mids 0 and 1, each reused with the
 * newcomer's SSRC, msid and a new RTX SSRC. */
TEST(bounded_across_leave_and_rejoin)
{
    fixture f;
    fixture_init(&f);
    peer pa = {0};
    veche_participant *a = join(&f, "A", &pa);
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_subscribe(a, &err), 0);
    uint32_t last_rtx = 0;
    for (int k = 0; k < 20; k++) {
        peer pb = {0};
        char name[16];
        snprintf(name, sizeof name, "B%d", k);
        veche_participant *b = join(&f, name, &pb);
        uint32_t as = 1000 + 2 * (uint32_t)k, vs = 5000 + 2 * (uint32_t)k;
        CHECK_EQ_INT(publish(&f, b, as, "v", vs), 0);
        veche_sdp *o = parse_offer(&f, a, &pa);
        if (o) {
            CHECK_EQ_INT(o->n_media, 2);
            check_live(o, "0", b, as);
            uint32_t ours = check_live(o, "1", b, vs);
            const veche_sdp_media *v = by_mid(o, "1");
            uint32_t rtx = v ? veche_sdp_media_rtx_ssrc(v, ours) : 0;
            CHECK(rtx != 0 && rtx != last_rtx);
            last_rtx = rtx;
            CHECK_EQ_INT(o->n_bundle, 2);
            veche_sdp_free(o);
        }
        settle(&f, a, &pa);
        veche_participant_leave(b);
        spin(&f);
        o = parse_offer(&f, a, &pa);
        if (o) {
            CHECK_EQ_INT(o->n_media, 2);
            check_inactive(o, "0");
            check_inactive(o, "1");
            veche_sdp_free(o);
        }
        settle(&f, a, &pa);
        peer_free(&pb);
    }
    peer_free(&pa);
    fixture_free(&f);
}

/* B leaves; C publishes before A answered the offer showing B's m-lines
 * inactive: C gets new m-lines (2, 3); once that is answered and C
 * leaves, D reuses 0 and 1, and the count stays 4. */
TEST(reuse_waits_for_the_inactive_answer)
{
    fixture f;
    fixture_init(&f);
    peer pa = {0}, pb = {0}, pc = {0}, pd = {0};
    veche_participant *a = join(&f, "A", &pa);
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_subscribe(a, &err), 0);
    veche_participant *b = join(&f, "B", &pb);
    CHECK_EQ_INT(publish(&f, b, 11, "v", 12), 0);
    settle(&f, a, &pa);
    veche_participant_leave(b);          /* offer (inactive) outstanding */
    CHECK(pa.offer != NULL);
    veche_participant *c = join(&f, "C", &pc);
    CHECK_EQ_INT(publish(&f, c, 21, "v", 22), 0);
    int before = pa.offers;
    CHECK_EQ_INT(answer(&f, a, &pa), 0);  /* answers it; the next follows */
    CHECK_EQ_INT(pa.offers, before + 1);
    veche_sdp *o = parse_offer(&f, a, &pa);
    if (o) {
        CHECK_EQ_INT(o->n_media, 4);
        check_inactive(o, "0");
        check_inactive(o, "1");
        check_live(o, "2", c, 21);
        check_live(o, "3", c, 22);
        veche_sdp_free(o);
    }
    veche_participant_leave(c);
    settle(&f, a, &pa);
    veche_participant *d = join(&f, "D", &pd);
    CHECK_EQ_INT(publish(&f, d, 31, "v", 32), 0);
    o = parse_offer(&f, a, &pa);
    if (o) {
        CHECK_EQ_INT(o->n_media, 4);
        check_live(o, "0", d, 31);
        check_live(o, "1", d, 32);
        check_inactive(o, "2");
        check_inactive(o, "3");
        veche_sdp_free(o);
    }
    settle(&f, a, &pa);
    peer_free(&pa);
    peer_free(&pb);
    peer_free(&pc);
    peer_free(&pd);
    fixture_free(&f);
}

/* A track that comes and goes while an offer is outstanding was never
 * offered: it leaves no m-line behind. */
TEST(unoffered_track_leaves_no_mline)
{
    fixture f;
    fixture_init(&f);
    peer pa = {0}, pb = {0}, pc = {0};
    veche_participant *a = join(&f, "A", &pa);
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_subscribe(a, &err), 0);
    veche_participant *b = join(&f, "B", &pb);
    CHECK_EQ_INT(publish(&f, b, 11, "v", 12), 0);  /* offer 1 outstanding */
    CHECK(pa.offer != NULL);
    veche_participant *c = join(&f, "C", &pc);
    CHECK_EQ_INT(publish(&f, c, 21, "v", 22), 0);
    veche_participant_unpublish(c);
    CHECK_EQ_INT(answer(&f, a, &pa), 0);            /* re-offer follows */
    veche_sdp *o = parse_offer(&f, a, &pa);
    if (o) {
        CHECK_EQ_INT(o->n_media, 2);
        check_live(o, "0", b, 11);
        check_live(o, "1", b, 12);
        veche_sdp_free(o);
    }
    settle(&f, a, &pa);
    /* C publishes again: two new m-lines after B's (mids 2 and 3 went
     * unseen, so C gets 4 and 5). */
    CHECK_EQ_INT(publish(&f, c, 23, "v", 24), 0);
    o = parse_offer(&f, a, &pa);
    if (o) {
        CHECK_EQ_INT(o->n_media, 4);
        check_live(o, "4", c, 23);
        check_live(o, "5", c, 24);
        veche_sdp_free(o);
    }
    settle(&f, a, &pa);
    peer_free(&pa);
    peer_free(&pb);
    peer_free(&pc);
    fixture_free(&f);
}

/* B turns the camera off and on 10 times (a publish offer without, then
 * with a new video m-line and SSRC): A's video m-line is reused each time,
 * the audio one never changes. */
TEST(camera_toggle_reuses_the_video_mline)
{
    fixture f;
    fixture_init(&f);
    peer pa = {0}, pb = {0};
    veche_participant *a = join(&f, "A", &pa);
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_subscribe(a, &err), 0);
    veche_participant *b = join(&f, "B", &pb);
    CHECK_EQ_INT(publish(&f, b, 11, "v0", 100), 0);
    settle(&f, a, &pa);
    uint32_t audio = 0;
    for (int k = 1; k <= 10; k++) {
        CHECK_EQ_INT(publish(&f, b, 11, "v", 0), 0);      /* camera off */
        veche_sdp *o = parse_offer(&f, a, &pa);
        if (o) {
            CHECK_EQ_INT(o->n_media, 2);
            uint32_t now = check_live(o, "0", b, 11);
            CHECK(audio == 0 || now == audio);   /* the audio stream goes on */
            audio = now;
            check_inactive(o, "1");
            veche_sdp_free(o);
        }
        settle(&f, a, &pa);
        char vmid[8];
        snprintf(vmid, sizeof vmid, "v%d", k);
        CHECK_EQ_INT(publish(&f, b, 11, vmid, 100 + (uint32_t)k), 0);  /* on */
        o = parse_offer(&f, a, &pa);
        if (o) {
            CHECK_EQ_INT(o->n_media, 2);
            check_live(o, "0", b, 11);
            check_live(o, "1", b, 100 + (uint32_t)k);
            veche_sdp_free(o);
        }
        settle(&f, a, &pa);
    }
    peer_free(&pa);
    peer_free(&pb);
    fixture_free(&f);
}

/* A max-bundle offer as RFC 8843 7.2.1 allows it: audio (mid "a") carries
 * the transport; video (mid "v") has port 0, a=bundle-only and no ICE,
 * DTLS or rtcp-mux lines of its own; a second video (mid "x") has port 0
 * and no a=bundle-only, i.e. is rejected.  `group` is the BUNDLE line. */
static char *bundle_only_offer(fixture *f, const char *group)
{
    return g_strdup_printf(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n%s"
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=sendonly\r\n"
        "a=ice-ufrag:pubu\r\na=ice-pwd:" PWD "\r\na=setup:actpass\r\na=rtcp-mux\r\n"
        "a=mid:a\r\na=fingerprint:sha-256 %s\r\na=rtpmap:111 opus/48000/2\r\n"
        "a=ssrc:71 cname:x\r\n"
        "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=bundle-only\r\n"
        "a=sendonly\r\na=mid:v\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\n"
        "a=ssrc:72 cname:x\r\n"
        "m=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=sendonly\r\n"
        "a=mid:x\r\na=rtpmap:96 VP8/90000\r\na=ssrc:73 cname:x\r\n",
        group, veche_dtls_cert_fingerprint(f->cert));
}

TEST(bundle_only_mline_is_published)
{
    fixture f;
    fixture_init(&f);
    peer pa = {0}, pb = {0};
    veche_participant *a = join(&f, "A", &pa), *b = join(&f, "B", &pb);
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_subscribe(a, &err), 0);
    char *offer = bundle_only_offer(&f, "a=group:BUNDLE a v\r\n"), *text = NULL;
    CHECK_EQ_INT(veche_participant_publish(b, offer, NULL, 0, &text, &err), 0);
    const char *why = NULL;
    veche_sdp *ans = text ? veche_sdp_parse(text, strlen(text), &why) : NULL;
    CHECK(ans != NULL);
    if (ans) {
        CHECK_EQ_INT(ans->n_media, 3);
        const veche_sdp_media *v = by_mid(ans, "v"), *x = by_mid(ans, "x");
        CHECK(v && v->port == 9 && !v->bundle_only && v->dir == VECHE_SDP_RECVONLY);
        CHECK(v && v->ice_ufrag && v->fingerprint && v->rtcp_mux);
        CHECK(v && v->n_codecs == 1 && strcmp(v->codecs[0].name, "VP8") == 0);
        CHECK(x && x->port == 0);
        CHECK_EQ_INT(ans->n_bundle, 2);
        CHECK(v && veche_sdp_media_bundled(ans, v) && x && !veche_sdp_media_bundled(ans, x));
        veche_sdp_free(ans);
    }
    veche_sdp *o = parse_offer(&f, a, &pa);
    if (o) {
        CHECK_EQ_INT(o->n_media, 2);  /* audio and the bundle-only video */
        check_live(o, "0", b, 71);
        check_live(o, "1", b, 72);
        veche_sdp_free(o);
    }
    free(text);
    g_free(offer);
    peer_free(&pa);
    peer_free(&pb);
    fixture_free(&f);
}

/* a=bundle-only outside the BUNDLE group means nothing: port 0 rejects. */
TEST(bundle_only_outside_the_group_is_rejected)
{
    fixture f;
    fixture_init(&f);
    peer pb = {0};
    veche_participant *b = join(&f, "B", &pb);
    veche_sfu_error err = {0};
    char *offer = bundle_only_offer(&f, "a=group:BUNDLE a\r\n"), *text = NULL;
    CHECK_EQ_INT(veche_participant_publish(b, offer, NULL, 0, &text, &err), 0);
    const char *why = NULL;
    veche_sdp *ans = text ? veche_sdp_parse(text, strlen(text), &why) : NULL;
    CHECK(ans != NULL);
    if (ans) {
        CHECK_EQ_INT(ans->n_media, 3);
        CHECK(ans->media[0].port == 9 && ans->media[1].port == 0 && ans->media[2].port == 0);
        CHECK_EQ_INT(ans->n_bundle, 1);
        veche_sdp_free(ans);
    }
    free(text);
    g_free(offer);
    peer_free(&pb);
    fixture_free(&f);
}

static char *fixture_text(const char *name)
{
    const char *dir = getenv("VECHE_FIXTURES");
    char *path = g_strdup_printf("%s/sdp/%s", dir ? dir : "tests/fixtures", name);
    char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        fprintf(stderr, "# cannot read %s\n", path);
    g_free(path);
    return text;
}

/* The answer to a browser's publish offer: one m-line per offered one, same
 * mids in order, each accepted with port 9, recvonly, one codec (the
 * offer's Opus or VP8 payload type; for video also its RTX when offered
 * with an FID group), full transport attributes, DTLS
 * passive (the offer says actpass), in the BUNDLE group, no bundle-only. */
static void check_publish_answer(const veche_sdp *offer, const veche_sdp *ans,
                                 const uint8_t *pts)
{
    CHECK_EQ_INT(ans->n_media, offer->n_media);
    CHECK_EQ_INT(ans->n_bundle, offer->n_media);
    for (int i = 0; i < ans->n_media && i < offer->n_media; i++) {
        const veche_sdp_media *am = &ans->media[i];
        CHECK_EQ_STR(am->mid, offer->media[i].mid);
        CHECK_EQ_INT(am->kind, offer->media[i].kind);
        CHECK_EQ_INT(am->port, 9);
        CHECK(!am->bundle_only && veche_sdp_media_bundled(ans, am));
        CHECK_EQ_INT(am->dir, VECHE_SDP_RECVONLY);
        /* the codec, plus RTX for video when the offer has it with an FID
         * group (RFC 4588: accepted from publishers) */
        const veche_sdp_media *om = &offer->media[i];
        int rtx = veche_sdp_media_rtx_for(om, pts[i]);
        bool want_rtx = am->kind == VECHE_SDP_VIDEO && rtx > 0 &&
                        veche_sdp_media_rtx_ssrc(om, veche_sdp_media_primary_ssrc(om)) != 0;
        CHECK_EQ_INT(am->n_codecs, want_rtx ? 2 : 1);
        CHECK_EQ_INT(veche_sdp_media_rtx_for(am, pts[i]), want_rtx ? rtx : -1);
        CHECK_EQ_INT(am->n_codecs ? am->codecs[0].pt : 0, pts[i]);
        CHECK_EQ_STR(am->n_codecs ? am->codecs[0].name : NULL,
                     am->kind == VECHE_SDP_AUDIO ? "opus" : "VP8");
        CHECK(am->ice_ufrag && am->ice_pwd && am->fingerprint && am->rtcp_mux);
        CHECK_EQ_INT(am->setup, VECHE_SDP_SETUP_PASSIVE);
        CHECK(am->n_candidates > 0);
    }
}

/* B publishes a browser's offer (fixture `file`); A then subscribes and is
 * offered both tracks in its own SSRC and payload-type space (check_live:
 * the server's SSRCs, Opus 109, VP8 98), in pa->offer, unanswered.  *out_a
 * is A, *out_b is B. */
static void publish_fixture(fixture *f, const char *file, const uint8_t *pts,
                            veche_participant **out_a, peer *pa,
                            veche_participant **out_b, peer *pb)
{
    veche_participant *a = join(f, "A", pa), *b = join(f, "B", pb);
    veche_sfu_error err = {0};
    char *text = fixture_text(file), *answer = NULL;
    const char *why = NULL;
    veche_sdp *offer = text ? veche_sdp_parse(text, strlen(text), &why) : NULL;
    CHECK(offer != NULL);
    int rc = text ? veche_participant_publish(b, text, NULL, 0, &answer, &err) : -1;
    if (rc != 0)
        fprintf(stderr, "# publish %s: %s %s\n", file, err.code, err.reason);
    CHECK_EQ_INT(rc, 0);
    veche_sdp *ans = answer ? veche_sdp_parse(answer, strlen(answer), &why) : NULL;
    CHECK(ans != NULL);
    if (offer && ans)
        check_publish_answer(offer, ans, pts);
    /* A subscribes now, so one offer carries both tracks. */
    CHECK_EQ_INT(veche_participant_subscribe(a, &err), 0);
    spin(f);
    const char *sub_text = pa->offer;
    veche_sdp *sub = sub_text ? veche_sdp_parse(sub_text, strlen(sub_text), &why) : NULL;
    CHECK(sub != NULL);
    for (int i = 0; sub && offer && i < offer->n_media; i++) {
        const veche_sdp_media *m = by_mid(sub, i == 0 ? "0" : "1");
        check_live(sub, i == 0 ? "0" : "1", b, veche_sdp_media_primary_ssrc(&offer->media[i]));
        CHECK(m && m->n_codecs > 0 && m->codecs[0].pt == (m->kind == VECHE_SDP_AUDIO ? 109 : 98));
    }
    veche_sdp_free(sub);
    veche_sdp_free(ans);
    veche_sdp_free(offer);
    free(answer);
    g_free(text);
    *out_a = a;
    *out_b = b;
}

TEST(firefox153_publish)
{
    static const uint8_t pts[] = {109, 120};
    fixture f;
    fixture_init(&f);
    peer pa = {0}, pb = {0};
    veche_participant *a, *b;
    publish_fixture(&f, "firefox153-offer.sdp", pts, &a, &pa, &b, &pb);
    peer_free(&pa);
    peer_free(&pb);
    fixture_free(&f);
}

TEST(safari18_publish)
{
    static const uint8_t pts[] = {111, 127};
    fixture f;
    fixture_init(&f);
    peer pa = {0}, pb = {0};
    veche_participant *a, *b;
    publish_fixture(&f, "safari18-offer.sdp", pts, &a, &pa, &b, &pb);
    peer_free(&pa);
    peer_free(&pb);
    fixture_free(&f);
}

/* The captured Firefox answer below answered an offer from before the
 * server had its own payload types (it repeated the Firefox publisher's VP8
 * 120 and RTX 121); Firefox answers with the offer's numbers, so against
 * today's offer (VP8 98, RTX 99) it says 98 and 99: map the tokens. */
static char *to_server_pts(const char *text)
{
    GString *s = g_string_new(NULL);
    for (const char *p = text; *p; p++) {
        bool start = p > text && strchr(" :=", p[-1]);
        if (start && (!strncmp(p, "120", 3) || !strncmp(p, "121", 3)) && strchr(" /\r\n", p[3])) {
            g_string_append(s, p[2] == '0' ? "98" : "99");
            p += 2;
        } else {
            g_string_append_c(s, *p);
        }
    }
    return g_string_free(s, FALSE);
}

/* A is Firefox: its captured answer (to the offer Veche made for a Firefox
 * publisher: mids 0 and 1, Opus 109, VP8 with RTX, to_server_pts) is taken,
 * and both m-lines stay live with RTX in the next offer. */
TEST(firefox153_subscribe_answer)
{
    static const uint8_t pts[] = {109, 120};
    fixture f;
    fixture_init(&f);
    peer pa = {0}, pb = {0}, pc = {0};
    veche_participant *a, *b;
    publish_fixture(&f, "firefox153-offer.sdp", pts, &a, &pa, &b, &pb);
    char *captured = fixture_text("firefox153-answer.sdp");
    char *text = captured ? to_server_pts(captured) : NULL;
    g_free(captured);
    CHECK(text && strstr(text, "a=rtpmap:98 VP8/90000") && strstr(text, "a=fmtp:99 apt=98") &&
          !strstr(text, "120"));
    veche_sfu_error err = {0};
    CHECK_EQ_INT(text ? veche_participant_subscribe_answer(a, text, &err) : -1, 0);
    g_free(pa.seen);
    pa.seen = pa.offer;
    pa.offer = NULL;
    veche_participant *c = join(&f, "C", &pc);
    CHECK_EQ_INT(publish(&f, c, 31, "v", 32), 0);
    spin(&f);
    const char *why = NULL;
    veche_sdp *o = pa.offer ? veche_sdp_parse(pa.offer, strlen(pa.offer), &why) : NULL;
    CHECK(o != NULL);
    if (o) {
        CHECK_EQ_INT(o->n_media, 3);  /* C's video comes in the next offer */
        const veche_sdp_media *v = by_mid(o, "1");
        check_live(o, "0", b, 3582173939u);
        check_live(o, "1", b, 2464941490u);
        CHECK(v && veche_sdp_media_rtx_ssrc(v, veche_sdp_media_primary_ssrc(v)) != 0);
        check_live(o, "2", c, 31);
        veche_sdp_free(o);
    }
    g_free(text);
    peer_free(&pa);
    peer_free(&pb);
    peer_free(&pc);
    fixture_free(&f);
}

/* Chromium's publish offer (fixture) has rtx for VP8 and an FID group:
 * the answer accepts RTX (RFC 4588) for the video, with the offered payload
 * type and apt, and not for the audio. */
TEST(publish_answer_accepts_rtx)
{
    fixture f;
    fixture_init(&f);
    peer pr = {0};
    veche_participant *p = join(&f, "chromium", &pr);
    char *offer = fixture_text("chromium-offer.sdp");
    CHECK(offer != NULL);
    char *answer = NULL;
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_publish(p, offer, NULL, 0, &answer, &err), 0);
    const char *why = NULL;
    veche_sdp *a = answer ? veche_sdp_parse(answer, strlen(answer), &why) : NULL;
    CHECK(a != NULL);
    if (a) {
        CHECK_EQ_INT(a->n_media, 2);
        const veche_sdp_media *v = &a->media[1];
        CHECK_EQ_INT(v->kind, VECHE_SDP_VIDEO);
        CHECK_EQ_INT(veche_sdp_media_rtx_for(v, 96), 97);
        CHECK_EQ_INT(veche_sdp_media_rtx_for(&a->media[0], 111), -1);
        veche_sdp_free(a);
    }
    free(answer);
    g_free(offer);
    fixture_free(&f);
    peer_free(&pr);
}

/* A member publishing an SSRC that is taken -- another publisher's media
 * or RTX SSRC, an SSRC the server gave a downtrack (copied from a subscribe
 * offer), one twice in its own offer -- is refused with ssrc-conflict;
 * the others' tracks and offers stay as they were, and a fresh offer is
 * accepted. */
TEST(publish_refuses_taken_ssrcs)
{
    fixture f;
    fixture_init(&f);
    peer pa = {0}, pb = {0}, pc = {0};
    veche_participant *a = join(&f, "A", &pa);
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_subscribe(a, &err), 0);
    veche_participant *b = join(&f, "B", &pb);
    CHECK_EQ_INT(publish_rtx(&f, b, 11, "v", 12, 13, &err), 0);
    veche_sdp *o = parse_offer(&f, a, &pa);
    uint32_t a_audio = check_live(o, "0", b, 11), a_video = check_live(o, "1", b, 12);
    const veche_sdp_media *vm = by_mid(o, "1");
    uint32_t a_rtx = vm ? veche_sdp_media_rtx_ssrc(vm, a_video) : 0;
    veche_sdp_free(o);
    veche_participant *c = join(&f, "C", &pc);
    struct { uint32_t as, vs, rtx; const char *why; } rows[] = {
        {11, 22, 0, "B's audio SSRC"},
        {21, 12, 0, "B's video SSRC"},
        {21, 13, 0, "B's RTX SSRC as media"},
        {21, 22, 12, "B's video SSRC as RTX"},
        {a_audio, 22, 0, "A's downtrack SSRC"},
        {21, a_rtx, 0, "A's downtrack RTX SSRC"},
        {21, 21, 0, "the same SSRC twice"},
        {21, 22, 21, "RTX = audio SSRC"},
    };   /* (an FID group of one SSRC twice is bad-sdp already in sdp.c) */
    int offers = pa.offers;
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        err = (veche_sfu_error){0};
        int rc = publish_rtx(&f, c, rows[i].as, "v", rows[i].vs, rows[i].rtx, &err);
        if (rc == 0 || !err.code || strcmp(err.code, "ssrc-conflict") != 0)
            fprintf(stderr, "# %s: rc %d code %s\n", rows[i].why, rc, err.code);
        CHECK(rc != 0);
        CHECK(err.code && strcmp(err.code, "ssrc-conflict") == 0);
        CHECK(strstr(err.reason, "already in use") || strstr(err.reason, "another m-line") ||
              strstr(err.reason, "own RTX"));
    }
    spin(&f);
    CHECK_EQ_INT(pa.offers, offers);         /* A's subscription untouched */
    CHECK(pa.offer == NULL);
    /* B offering its own SSRCs again (a re-offer) is fine */
    CHECK_EQ_INT(publish_rtx(&f, b, 11, "v", 12, 13, &err), 0);
    CHECK(pa.offer == NULL);
    /* C with fresh SSRCs is accepted and A gets it on new SSRCs */
    CHECK_EQ_INT(publish_rtx(&f, c, 21, "v", 22, 23, &err), 0);
    o = parse_offer(&f, a, &pa);
    if (o) {
        CHECK_EQ_INT(o->n_media, 4);
        CHECK_EQ_INT(check_live(o, "0", b, 11), a_audio);
        CHECK_EQ_INT(check_live(o, "1", b, 12), a_video);
        check_live(o, "2", c, 21);
        check_live(o, "3", c, 22);
        veche_sdp_free(o);
    }
    peer_free(&pa);
    peer_free(&pb);
    peer_free(&pc);
    fixture_free(&f);
}

int main(void)
{
    veche_log_set_level(VECHE_LOG_WARN);
    RUN(bounded_across_leave_and_rejoin);
    RUN(reuse_waits_for_the_inactive_answer);
    RUN(unoffered_track_leaves_no_mline);
    RUN(camera_toggle_reuses_the_video_mline);
    RUN(bundle_only_mline_is_published);
    RUN(bundle_only_outside_the_group_is_rejected);
    RUN(firefox153_publish);
    RUN(safari18_publish);
    RUN(firefox153_subscribe_answer);
    RUN(publish_answer_accepts_rtx);
    RUN(publish_refuses_taken_ssrcs);
    return check_finish();
}
