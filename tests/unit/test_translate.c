/* test_translate.c - RTCP from a subscriber translated back into the
 * publisher's terms (server/sfu/translate.c, track.c's report handling),
 * in a room without a network (room_fixture.h).
 *
 * B publishes audio and video; A subscribes and gets its own SSRCs.  The
 * downtracks' rewriters are fed the packets A would have been sent, with
 * the publisher's sequence numbers wrapping (65530 .. 9) and ours
 * elsewhere, then A's PLI, FIR and NACK naming our SSRCs and numbers must
 * come out naming B's tracks and B's numbers; feedback about B's own
 * SSRCs, unknown SSRCs or numbers never sent goes nowhere; A's receiver
 * report about a downtrack is kept in it.
 */
#include "check.h"
#include "room_fixture.h"
#include "rtcp.h"
#include "rtp.h"
#include "sfu.h"

typedef struct {
    fixture f;
    peer pa, pb;
    veche_participant *a, *b;
    veche_downtrack *audio, *video;   /* A's, of B's tracks */
} scene;

static void scene_init(scene *s)
{
    memset(s, 0, sizeof *s);
    fixture_init(&s->f);
    s->a = join(&s->f, "A", &s->pa);
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_subscribe(s->a, &err), 0);
    s->b = join(&s->f, "B", &s->pb);
    CHECK_EQ_INT(publish(&s->f, s->b, 0x0a0a0a0a, "v", 0x0b0b0b0b), 0);
    settle(&s->f, s->a, &s->pa);
    for (guint i = 0; i < s->a->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(s->a->downtracks, i);
        if (dt->codec.kind == VECHE_SDP_AUDIO)
            s->audio = dt;
        else
            s->video = dt;
    }
    CHECK(s->audio && s->video);
    CHECK(s->video->ssrc != 0x0b0b0b0b && s->audio->ssrc != 0x0a0a0a0a);
}

static void scene_free(scene *s)
{
    peer_free(&s->pa);
    peer_free(&s->pb);
    fixture_free(&s->f);
}

/* What the server would have sent A on dt: the publisher's seqs
 * first..first+n-1 (mod 2^16), through the downtrack's rewriter. */
static void sent(veche_downtrack *dt, uint16_t first, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t pkt[12];
        uint16_t seq = (uint16_t)(first + i);
        veche_rtp_write_header(pkt, sizeof pkt, 96, false, seq, 3000u * (uint32_t)i,
                               dt->track->ssrc);
        CHECK(veche_rtp_rewrite_apply(&dt->rw, pkt, dt->track->ssrc, seq, 3000u * (uint32_t)i,
                                      3000));
    }
}

/* The first item of an RTCP packet built by a writer. */
static veche_rtcp_item item_of(const uint8_t *buf, int len)
{
    veche_rtcp_iter it;
    veche_rtcp_item item = {0};
    CHECK(len > 0);
    veche_rtcp_iter_init(&it, buf, (size_t)len);
    CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 1);
    return item;
}

TEST(pli_and_fir_name_the_track)
{
    scene s;
    scene_init(&s);
    uint8_t buf[256];
    veche_feedback fb[4];
    veche_rtcp_item it = item_of(buf, veche_rtcp_write_pli(buf, sizeof buf, 77, s.video->ssrc));
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 4), 1);
    CHECK_EQ_INT(fb[0].kind, VECHE_FEEDBACK_PLI);
    CHECK(fb[0].dt == s.video);
    CHECK(fb[0].track == s.video->track);
    CHECK_EQ_INT(fb[0].track->ssrc, 0x0b0b0b0b);
    it = item_of(buf, veche_rtcp_write_fir(buf, sizeof buf, 77, s.video->ssrc, 3));
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 4), 1);
    CHECK_EQ_INT(fb[0].kind, VECHE_FEEDBACK_FIR);
    CHECK_EQ_INT(fb[0].track->ssrc, 0x0b0b0b0b);
    /* the publisher's own SSRC means nothing to a subscriber now */
    it = item_of(buf, veche_rtcp_write_pli(buf, sizeof buf, 77, 0x0b0b0b0b));
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 4), 0);
    it = item_of(buf, veche_rtcp_write_fir(buf, sizeof buf, 77, 0x0b0b0b0b, 4));
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 4), 0);
    it = item_of(buf, veche_rtcp_write_pli(buf, sizeof buf, 77, s.video->ssrc ^ 1));
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 4), 0);
    /* another subscriber's SSRC: B is not subscribed, so B has none */
    it = item_of(buf, veche_rtcp_write_pli(buf, sizeof buf, 77, s.video->ssrc));
    CHECK_EQ_INT(veche_translate_feedback(s.b, &it, fb, 4), 0);
    scene_free(&s);
}

/* NACK: our numbers -> the publisher's, across the wrap of the publisher's
 * numbering; numbers never sent are dropped. */
TEST(nack_maps_seqs_back)
{
    scene s;
    scene_init(&s);
    sent(s.video, 65530, 16);                       /* B's 65530 .. 9 */
    uint16_t first_out = veche_rtp_rewrite_seq_out(&s.video->rw, 65530);
    uint16_t named[] = {
        (uint16_t)(first_out + 1), (uint16_t)(first_out + 5), (uint16_t)(first_out + 6),
        (uint16_t)(first_out + 15),
        (uint16_t)(first_out + 16),                 /* not sent yet */
        (uint16_t)(first_out - 1),                  /* before the first */
    };
    uint16_t want[] = {65531, 65535, 0, 9};
    uint8_t buf[256];
    veche_rtcp_item it = item_of(buf, veche_rtcp_write_nack(buf, sizeof buf, 77, s.video->ssrc,
                                                            named, 6));
    veche_feedback fb[4];
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 4), 1);
    CHECK_EQ_INT(fb[0].kind, VECHE_FEEDBACK_NACK);
    CHECK(fb[0].track == s.video->track);
    CHECK_EQ_INT(fb[0].n_seqs, 4);
    /* the writer packs PID/BLP from the lowest seq: compare as sets */
    for (int i = 0; i < 4; i++) {
        bool found = false;
        for (int j = 0; j < fb[0].n_seqs; j++)
            if (fb[0].seqs[j] == want[i]) {
                found = true;
                CHECK_EQ_INT(fb[0].out_seqs[j],
                             veche_rtp_rewrite_seq_out(&s.video->rw, want[i]));
            }
        CHECK(found);
    }
    /* only never-sent numbers: nothing at all */
    uint16_t none[] = {(uint16_t)(first_out + 100)};
    it = item_of(buf, veche_rtcp_write_nack(buf, sizeof buf, 77, s.video->ssrc, none, 1));
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 4), 0);
    /* a NACK naming the publisher's SSRC and numbers: nothing */
    it = item_of(buf, veche_rtcp_write_nack(buf, sizeof buf, 77, 0x0b0b0b0b, want, 4));
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 4), 0);
    scene_free(&s);
}

/* Our numbering wraps too: NACKs across our 65535 -> 0. */
TEST(nack_across_our_wrap)
{
    scene s;
    scene_init(&s);
    veche_rtp_rewrite_init(&s.video->rw, s.video->ssrc, 98, 65533, 0);
    sent(s.video, 1000, 8);                         /* ours 65533 .. 4 */
    uint16_t named[] = {65534, 65535, 0, 3};
    uint8_t buf[256];
    veche_rtcp_item it = item_of(buf, veche_rtcp_write_nack(buf, sizeof buf, 77, s.video->ssrc,
                                                            named, 4));
    veche_feedback fb[1];
    CHECK_EQ_INT(veche_translate_feedback(s.a, &it, fb, 1), 1);
    CHECK_EQ_INT(fb[0].n_seqs, 4);
    uint16_t sum = 0;
    for (int j = 0; j < fb[0].n_seqs; j++) {
        CHECK(fb[0].seqs[j] >= 1001 && fb[0].seqs[j] <= 1006);
        sum = (uint16_t)(sum + fb[0].seqs[j]);
    }
    CHECK_EQ_INT(sum, 1001 + 1002 + 1003 + 1006);
    scene_free(&s);
}

/* A's receiver report about its downtrack is kept there; one about the
 * publisher's SSRC changes nothing. */
TEST(receiver_report_kept_in_downtrack)
{
    scene s;
    scene_init(&s);
    veche_rtcp_report_block blocks[2] = {
        {.ssrc = s.video->ssrc, .fraction_lost = 51, .cumulative_lost = 7, .jitter = 90},
        {.ssrc = 0x0a0a0a0a, .fraction_lost = 200, .cumulative_lost = 99},
    };
    uint8_t buf[256];
    int len = veche_rtcp_write_rr(buf, sizeof buf, 77, blocks, 2);
    CHECK(len > 0);
    veche_track_on_subscriber_rtcp(s.a, buf, (size_t)len);
    CHECK(s.video->rr_ms != 0);
    CHECK_EQ_INT(s.video->rr_fraction_lost, 51);
    CHECK_EQ_INT(s.video->rr_cumulative_lost, 7);
    CHECK_EQ_INT(s.video->rr_jitter, 90);
    CHECK_EQ_INT(s.audio->rr_ms, 0);
    scene_free(&s);
}

int main(void)
{
    veche_log_set_level(VECHE_LOG_WARN);
    RUN(pli_and_fir_name_the_track);
    RUN(nack_maps_seqs_back);
    RUN(nack_across_our_wrap);
    RUN(receiver_report_kept_in_downtrack);
    return check_finish();
}
