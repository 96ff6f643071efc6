/* test_rtxbuf.c - retransmission ring: put/get, overwrite by a seq that
 * maps to the same slot, age limit, size limits. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "rtp.h"
#include "rtxbuf.h"

/* A 20-byte packet whose bytes identify seq. */
static void make_pkt(uint8_t *p, uint16_t seq)
{
    veche_rtp_write_header(p, 12, 96, false, seq, seq * 3000u, 0x1234);
    memset(p + 12, (int)(seq & 0xff), 8);
}

static int get(const veche_rtxbuf *b, uint16_t seq, uint64_t now,
               uint64_t max_age)
{
    const uint8_t *p = NULL;
    size_t len = 0;
    int r = veche_rtxbuf_get(b, seq, now, max_age, &p, &len);
    if (r == 0) {
        uint8_t want[20];
        make_pkt(want, seq);
        if (len != 20 || memcmp(p, want, 20) != 0)
            return -100;   /* wrong packet */
    }
    return r;
}

TEST(put_get)
{
    veche_rtxbuf *b = veche_rtxbuf_new(64);
    CHECK(b != NULL);
    uint8_t pkt[20];
    for (uint16_t seq = 100; seq < 110; seq++) {
        make_pkt(pkt, seq);
        CHECK_EQ_INT(veche_rtxbuf_put(b, seq, pkt, sizeof pkt, 1000 + seq),
                     0);
    }
    static const struct {
        uint16_t seq;
        int want;
    } rows[] = {
        { 100, 0 }, { 105, 0 }, { 109, 0 }, { 99, VECHE_ENOTFOUND },
        { 110, VECHE_ENOTFOUND }, { 0, VECHE_ENOTFOUND },
        { 100 + 64, VECHE_ENOTFOUND },   /* same slot as 100, other seq */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_EQ_INT(get(b, rows[i].seq, 1200, 1000), rows[i].want);
    veche_rtxbuf_free(b);
}

TEST(overwrite_same_slot)
{
    veche_rtxbuf *b = veche_rtxbuf_new(16);
    uint8_t pkt[20];
    make_pkt(pkt, 5);
    CHECK_EQ_INT(veche_rtxbuf_put(b, 5, pkt, sizeof pkt, 0), 0);
    make_pkt(pkt, 21);                 /* 21 & 15 == 5 */
    CHECK_EQ_INT(veche_rtxbuf_put(b, 21, pkt, sizeof pkt, 10), 0);
    CHECK_EQ_INT(get(b, 5, 10, 1000), VECHE_ENOTFOUND);
    CHECK_EQ_INT(get(b, 21, 10, 1000), 0);
    veche_rtxbuf_free(b);
}

TEST(wraparound_seqs)
{
    veche_rtxbuf *b = veche_rtxbuf_new(16);
    uint8_t pkt[20];
    static const uint16_t seqs[] = { 65533, 65534, 65535, 0, 1, 2 };
    for (size_t i = 0; i < 6; i++) {
        make_pkt(pkt, seqs[i]);
        CHECK_EQ_INT(veche_rtxbuf_put(b, seqs[i], pkt, sizeof pkt, 50), 0);
    }
    for (size_t i = 0; i < 6; i++)
        CHECK_EQ_INT(get(b, seqs[i], 60, 100), 0);
    veche_rtxbuf_free(b);
}

/* Rows: stored at 1000; asked at now with max_age. */
TEST(age_rows)
{
    static const struct {
        uint64_t now, max_age;
        int want;
    } rows[] = {
        { 1000, 0, 0 }, { 1500, 500, 0 }, { 1501, 500, VECHE_ENOTFOUND },
        { 3000, 1000, VECHE_ENOTFOUND }, { 999, 0, 0 },   /* clock behind */
    };
    veche_rtxbuf *b = veche_rtxbuf_new(16);
    uint8_t pkt[20];
    make_pkt(pkt, 7);
    CHECK_EQ_INT(veche_rtxbuf_put(b, 7, pkt, sizeof pkt, 1000), 0);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_EQ_INT(get(b, 7, rows[i].now, rows[i].max_age), rows[i].want);
    veche_rtxbuf_free(b);
}

TEST(size_limits_and_rounding)
{
    veche_rtxbuf *b = veche_rtxbuf_new(0);    /* rounds up to 16 */
    CHECK(b != NULL);
    static uint8_t big[VECHE_RTP_MAX_PACKET + 1];
    make_pkt(big, 3);
    CHECK_EQ_INT(veche_rtxbuf_put(b, 3, big, sizeof big, 0), VECHE_ENOSPC);
    CHECK_EQ_INT(get(b, 3, 0, 10), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_rtxbuf_put(b, 3, big, 0, 0), VECHE_EINVAL);
    CHECK_EQ_INT(veche_rtxbuf_put(b, 3, big, VECHE_RTP_MAX_PACKET, 0), 0);
    const uint8_t *p;
    size_t len;
    CHECK_EQ_INT(veche_rtxbuf_get(b, 3, 0, 10, &p, &len), 0);
    CHECK_EQ_INT(len, VECHE_RTP_MAX_PACKET);
    /* 16 slots: seq 3 and 19 share a slot, 3 and 35 too */
    CHECK_EQ_INT(veche_rtxbuf_get(b, 19, 0, 10, &p, &len), VECHE_ENOTFOUND);
    veche_rtxbuf_free(b);

    b = veche_rtxbuf_new(17);                 /* rounds up to 32 */
    uint8_t pkt[20];
    make_pkt(pkt, 1);
    veche_rtxbuf_put(b, 1, pkt, sizeof pkt, 0);
    make_pkt(pkt, 17);
    veche_rtxbuf_put(b, 17, pkt, sizeof pkt, 0);
    CHECK_EQ_INT(get(b, 1, 0, 10), 0);        /* not evicted by 17 */
    CHECK_EQ_INT(get(b, 17, 0, 10), 0);
    veche_rtxbuf_free(b);
    veche_rtxbuf_free(NULL);
}

/* gone: what the ring held and let go (overwritten by a newer packet in
 * its slot, or too old) versus a gap it never held (the sender may still
 * have it), across the wrap of the sequence numbers. */
TEST(gone_rows)
{
    veche_rtxbuf *b = veche_rtxbuf_new(16);
    uint8_t pkt[20];
    for (uint16_t seq = 65530; seq != 20; seq++) {   /* 65530 .. 19, not 5 */
        if (seq == 5)
            continue;
        make_pkt(pkt, seq);
        CHECK_EQ_INT(veche_rtxbuf_put(b, seq, pkt, sizeof pkt, 1000), 0);
    }
    struct { uint16_t seq; uint64_t now; bool gone; } rows[] = {
        {19, 1000, false},       /* held */
        {19, 3001, true},        /* held, too old */
        {5, 1000, false},        /* a gap: its slot is empty */
        {65534, 1000, true},     /* overwritten by 14 */
        {3, 1000, true},         /* overwritten by 19 */
        {20, 1000, false},       /* not yet: slot holds 4, older */
        {65533, 1000, true},     /* slot holds 13 */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bool g = veche_rtxbuf_gone(b, rows[i].seq, rows[i].now, 2000);
        if (g != rows[i].gone)
            fprintf(stderr, "# row %zu: seq %u\n", i, rows[i].seq);
        CHECK(g == rows[i].gone);
    }
    veche_rtxbuf_free(b);
}

int main(void)
{
    RUN(put_get);
    RUN(overwrite_same_slot);
    RUN(wraparound_seqs);
    RUN(age_rows);
    RUN(size_limits_and_rounding);
    RUN(gone_rows);
    return check_finish();
}
