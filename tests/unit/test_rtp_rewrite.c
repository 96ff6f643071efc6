/* test_rtp_rewrite.c - the per-downtrack RTP rewriter (server/media/
 * rtp_rewrite.c): SSRC and payload type replaced, sequence numbers and
 * timestamps continuous with a per-stream offset, across 16- and 32-bit
 * wrap-around, NACKed sequence numbers mapped back (and refused outside
 * what was sent), and a source switch (the simulcast case) that neither
 * jumps nor reuses a number. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "rtp.h"
#include "rtp_rewrite.h"

/* A 16-byte packet; the payload bytes are left alone by the rewriter. */
static void make_pkt(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc)
{
    veche_rtp_write_header(p, 16, pt, true, seq, ts, ssrc);
    memcpy(p + 12, "\xde\xad\xbe\xef", 4);
}

/* Push one packet through; returns apply's verdict and the view after. */
static bool push(veche_rtp_rewrite *rw, uint32_t ssrc, uint16_t seq, uint32_t ts,
                 uint32_t gap, veche_rtp_view *out)
{
    static uint8_t pkt[16];
    make_pkt(pkt, 96, seq, ts, ssrc);
    bool ok = veche_rtp_rewrite_apply(rw, pkt, ssrc, seq, ts, gap);
    CHECK_EQ_INT(veche_rtp_parse(pkt, sizeof pkt, out, NULL), 0);
    CHECK(memcmp(pkt + 12, "\xde\xad\xbe\xef", 4) == 0);
    CHECK(out->marker);
    return ok;
}

TEST(ssrc_pt_seq_ts_rewritten)
{
    veche_rtp_rewrite rw;
    veche_rtp_rewrite_init(&rw, 0xabcdef01, 98, 5000, 1000000);
    veche_rtp_view v;
    CHECK(push(&rw, 0x1111, 100, 90000, 3000, &v));
    CHECK_EQ_INT(v.ssrc, 0xabcdef01);
    CHECK_EQ_INT(v.payload_type, 98);
    CHECK_EQ_INT(v.seq, 5000);
    CHECK_EQ_INT(v.timestamp, 1000000);
    CHECK(push(&rw, 0x1111, 101, 93000, 3000, &v));
    CHECK_EQ_INT(v.seq, 5001);
    CHECK_EQ_INT(v.timestamp, 1003000);
    /* a gap upstream stays a gap (the subscriber NACKs it) */
    CHECK(push(&rw, 0x1111, 105, 99000, 3000, &v));
    CHECK_EQ_INT(v.seq, 5005);
    /* a late packet keeps its place */
    CHECK(push(&rw, 0x1111, 103, 96000, 3000, &v));
    CHECK_EQ_INT(v.seq, 5003);
    CHECK_EQ_INT(v.timestamp, 1006000);
    CHECK_EQ_INT(veche_rtp_rewrite_ts_out(&rw, 99000), 1009000);
    CHECK_EQ_INT(veche_rtp_rewrite_seq_out(&rw, 105), 5005);
}

TEST(wrap_around)
{
    veche_rtp_rewrite rw;
    /* ours wraps at 16 and 32 bits while the source's does not */
    veche_rtp_rewrite_init(&rw, 7, 111, 65534, 0xfffffc00u);
    veche_rtp_view v;
    uint16_t want_seq[] = {65534, 65535, 0, 1};
    uint32_t want_ts[] = {0xfffffc00u, 0xfffffffcu, 0x3f8u, 0x7f4u};
    for (int i = 0; i < 4; i++) {
        CHECK(push(&rw, 42, (uint16_t)(10 + i), 960u * 2 + (uint32_t)i * 1020, 960, &v));
        CHECK_EQ_INT(v.seq, want_seq[i]);
        CHECK_EQ_INT(v.timestamp, want_ts[i]);
    }
    /* and the source's wrap while ours does not */
    veche_rtp_rewrite_init(&rw, 7, 111, 100, 0);
    CHECK(push(&rw, 42, 65535, 0xffffffffu, 960, &v));
    CHECK_EQ_INT(v.seq, 100);
    CHECK(push(&rw, 42, 0, 959, 960, &v));
    CHECK_EQ_INT(v.seq, 101);
    CHECK_EQ_INT(v.timestamp, 960);
}

/* NACKs name our numbers; they map back to the source's, across the wrap
 * of either, and only for what was sent. */
TEST(nack_seq_maps_back)
{
    veche_rtp_rewrite rw;
    uint16_t in;
    veche_rtp_rewrite_init(&rw, 7, 98, 65530, 0);
    CHECK(!veche_rtp_rewrite_seq_in(&rw, 65530, &in));  /* nothing sent yet */
    veche_rtp_view v;
    for (uint16_t s = 65500; s != 20; s++)      /* source wraps too */
        CHECK(push(&rw, 9, s, s * 10u, 10, &v));
    /* 56 packets: ours ran 65530 .. 65535, 0 .. 49 */
    CHECK_EQ_INT(v.seq, 49);
    struct { uint16_t out; bool ok; uint16_t in; } rows[] = {
        {65530, true, 65500}, {65535, true, 65505}, {0, true, 65506},
        {30, true, 0}, {49, true, 19},
        {50, false, 0},          /* not sent yet */
        {65529, false, 0},       /* before the first packet */
        {20000, false, 0},       /* nonsense */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        in = 0;
        bool ok = veche_rtp_rewrite_seq_in(&rw, rows[i].out, &in);
        CHECK_EQ_INT(ok, rows[i].ok);
        if (ok)
            CHECK_EQ_INT(in, rows[i].in);
        if (ok)
            CHECK_EQ_INT(veche_rtp_rewrite_seq_out(&rw, in), rows[i].out);
    }
}

/* After 2^15 packets the window slides: the oldest numbers stop mapping
 * back, the newest half keep doing so, forever. */
TEST(long_stream_window)
{
    veche_rtp_rewrite rw;
    veche_rtp_rewrite_init(&rw, 7, 98, 1, 0);
    veche_rtp_view v;
    for (uint32_t i = 0; i < 200000; i++)
        CHECK(push(&rw, 9, (uint16_t)(30000 + i), i * 10, 10, &v));
    uint16_t last = v.seq, in;
    CHECK(veche_rtp_rewrite_seq_in(&rw, last, &in));
    CHECK_EQ_INT(in, (uint16_t)(30000 + 199999));
    CHECK(veche_rtp_rewrite_seq_in(&rw, (uint16_t)(last - 0x7fff), &in));
    CHECK_EQ_INT(in, (uint16_t)(30000 + 199999 - 0x7fff));
    CHECK(!veche_rtp_rewrite_seq_in(&rw, (uint16_t)(last - 0x8000), &in));
    CHECK(!veche_rtp_rewrite_seq_in(&rw, (uint16_t)(last + 1), &in));
}

/* A new source (a simulcast layer or a new publisher on the stream):
 * sequence numbers and timestamps run on, NACKs from before the switch no
 * longer map, and a late packet of the new source from before its first
 * one is dropped rather than sent with a number already used. */
TEST(source_switch_continuous)
{
    veche_rtp_rewrite rw;
    veche_rtp_rewrite_init(&rw, 0x5555, 98, 1000, 50000);
    veche_rtp_view v;
    for (uint16_t s = 0; s < 10; s++)
        CHECK(push(&rw, 0xA, (uint16_t)(700 + s), 3000u * s, 3000, &v));
    CHECK_EQ_INT(v.seq, 1009);
    CHECK_EQ_INT(v.timestamp, 50000 + 27000);
    CHECK(push(&rw, 0xB, 40000, 123456789, 3000, &v));
    CHECK_EQ_INT(v.ssrc, 0x5555);
    CHECK_EQ_INT(v.payload_type, 98);
    CHECK_EQ_INT(v.seq, 1010);
    CHECK_EQ_INT(v.timestamp, 50000 + 30000);
    CHECK(push(&rw, 0xB, 40001, 123456789 + 3000, 3000, &v));
    CHECK_EQ_INT(v.seq, 1011);
    CHECK_EQ_INT(v.timestamp, 50000 + 33000);
    uint16_t in;
    CHECK(veche_rtp_rewrite_seq_in(&rw, 1010, &in));
    CHECK_EQ_INT(in, 40000);
    CHECK(!veche_rtp_rewrite_seq_in(&rw, 1009, &in));  /* the old source's */
    uint8_t pkt[16];
    make_pkt(pkt, 96, 39999, 123456789 - 3000, 0xB);
    CHECK(!veche_rtp_rewrite_apply(&rw, pkt, 0xB, 39999, 123456789 - 3000, 3000));
    CHECK_EQ_INT(veche_rtp_parse(pkt, sizeof pkt, &v, NULL), 0);
    CHECK_EQ_INT(v.ssrc, 0xB);   /* left alone */
    /* and back to the first source: on from 1011 again */
    CHECK(push(&rw, 0xA, 710, 30000, 3000, &v));
    CHECK_EQ_INT(v.seq, 1012);
    CHECK_EQ_INT(v.timestamp, 50000 + 36000);
}

int main(void)
{
    RUN(ssrc_pt_seq_ts_rewritten);
    RUN(wrap_around);
    RUN(nack_seq_maps_back);
    RUN(long_stream_window);
    RUN(source_switch_continuous);
    return check_finish();
}
