/* test_rtcp.c - RTCP iterator, decoders and writers: real compound bytes,
 * write-then-parse round trips, NACK packing rows, REMB, malformed input. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "rtcp.h"

/* SR (no blocks) + SDES CNAME "abcdefghijklmnop" + RR with one block. */
static const uint8_t compound[] = {
    0x80, 0xc8, 0x00, 0x06, 0x1a, 0x2b, 0x3c, 0x4d,
    0xe6, 0x5a, 0x1b, 0x2c, 0x80, 0x00, 0x00, 0x00,
    0x00, 0x0f, 0x42, 0x40, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x4e, 0x20,
    0x81, 0xca, 0x00, 0x06, 0x1a, 0x2b, 0x3c, 0x4d, 0x01, 0x10,
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n',
    'o', 'p', 0x00, 0x00,
    0x81, 0xc9, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01,
    0x1a, 0x2b, 0x3c, 0x4d, 0x40, 0xff, 0xff, 0xfb, 0x00, 0x01, 0x00, 0x05,
    0x00, 0x00, 0x00, 0x2a, 0x5a, 0x1b, 0x2c, 0x80, 0x00, 0x01, 0x80, 0x00,
};

/* Iterate buf and return how many items came out; the last code in *end. */
static int count_items(const uint8_t *buf, size_t len, veche_rtcp_item *items,
                       int max, int *end)
{
    veche_rtcp_iter it;
    veche_rtcp_iter_init(&it, buf, len);
    int n = 0, r;
    const char *err = NULL;
    veche_rtcp_item tmp;
    while ((r = veche_rtcp_iter_next(&it, n < max ? &items[n] : &tmp,
                                     &err)) > 0)
        n++;
    *end = r;
    return n;
}

TEST(real_compound_sr_sdes_rr)
{
    veche_rtcp_item items[4];
    int end;
    CHECK_EQ_INT(count_items(compound, sizeof compound, items, 4, &end), 3);
    CHECK_EQ_INT(end, 0);
    CHECK_EQ_INT(items[0].type, VECHE_RTCP_SR);
    CHECK_EQ_INT(items[0].len, 28);
    CHECK_EQ_INT(items[1].type, VECHE_RTCP_SDES);
    CHECK_EQ_INT(items[1].fmt, 1);
    CHECK_EQ_INT(items[1].len, 28);
    CHECK_EQ_INT(items[2].type, VECHE_RTCP_RR);

    veche_rtcp_sr sr;
    CHECK_EQ_INT(veche_rtcp_parse_sr(&items[0], &sr), 0);
    CHECK_EQ_INT(sr.ssrc, 0x1a2b3c4d);
    CHECK(sr.ntp == 0xe65a1b2c80000000ull);
    CHECK_EQ_INT(sr.rtp_ts, 1000000);
    CHECK_EQ_INT(sr.packet_count, 100);
    CHECK_EQ_INT(sr.octet_count, 20000);
    CHECK_EQ_INT(sr.n_blocks, 0);

    veche_rtcp_rr rr;
    veche_rtcp_report_block b;
    CHECK_EQ_INT(veche_rtcp_parse_rr(&items[2], &rr), 0);
    CHECK_EQ_INT(rr.ssrc, 1);
    CHECK_EQ_INT(rr.n_blocks, 1);
    veche_rtcp_report_block_get(rr.blocks, 0, &b);
    CHECK_EQ_INT(b.ssrc, 0x1a2b3c4d);
    CHECK_EQ_INT(b.fraction_lost, 64);
    CHECK_EQ_INT(b.cumulative_lost, -5);
    CHECK_EQ_INT(b.ext_highest_seq, 0x10005);
    CHECK_EQ_INT(b.jitter, 42);
    CHECK_EQ_INT(b.lsr, 0x5a1b2c80);
    CHECK_EQ_INT(b.dlsr, 0x18000);   /* 1.5 s */

    /* per-type decoders refuse other types */
    veche_rtcp_fb fb;
    CHECK_EQ_INT(veche_rtcp_parse_rr(&items[0], &rr), VECHE_EINVAL);
    CHECK_EQ_INT(veche_rtcp_parse_sr(&items[2], &sr), VECHE_EINVAL);
    CHECK_EQ_INT(veche_rtcp_parse_fb(&items[1], &fb), VECHE_EINVAL);
}

static bool block_eq(const veche_rtcp_report_block *a,
                     const veche_rtcp_report_block *b)
{
    return a->ssrc == b->ssrc && a->fraction_lost == b->fraction_lost &&
           a->cumulative_lost == b->cumulative_lost &&
           a->ext_highest_seq == b->ext_highest_seq &&
           a->jitter == b->jitter && a->lsr == b->lsr && a->dlsr == b->dlsr;
}

TEST(write_sr_sdes_round_trip)
{
    uint8_t buf[256];
    veche_rtcp_report_block in[2] = {
        { 0x11111111, 25, 1234, 0x0002ffff, 900, 0xaabbccdd, 65536 },
        { 0x22222222, 0, -3, 77, 0, 0, 0 },
    };
    int a = veche_rtcp_write_sr(buf, sizeof buf, 0xcafe, 0x0102030405060708ull,
                                90000, 10, 12000, in, 2);
    CHECK_EQ_INT(a, 28 + 48);
    int c = veche_rtcp_write_sdes_cname(buf + a, sizeof buf - (size_t)a,
                                        0xcafe, "veche");
    CHECK_EQ_INT(c, 16);   /* 4 + SSRC 4 + type, length, 5 bytes, end */
    static const uint8_t want_sdes[16] = {
        0x81, 0xca, 0x00, 0x03, 0x00, 0x00, 0xca, 0xfe, 0x01, 0x05,
        'v', 'e', 'c', 'h', 'e', 0x00,
    };
    CHECK(memcmp(buf + a, want_sdes, 16) == 0);

    veche_rtcp_item items[3];
    int end;
    CHECK_EQ_INT(count_items(buf, (size_t)(a + c), items, 3, &end), 2);
    CHECK_EQ_INT(end, 0);
    veche_rtcp_sr sr;
    CHECK_EQ_INT(veche_rtcp_parse_sr(&items[0], &sr), 0);
    CHECK_EQ_INT(sr.ssrc, 0xcafe);
    CHECK(sr.ntp == 0x0102030405060708ull);
    CHECK_EQ_INT(sr.rtp_ts, 90000);
    CHECK_EQ_INT(sr.packet_count, 10);
    CHECK_EQ_INT(sr.octet_count, 12000);
    CHECK_EQ_INT(sr.n_blocks, 2);
    for (int i = 0; i < 2; i++) {
        veche_rtcp_report_block b;
        veche_rtcp_report_block_get(sr.blocks, i, &b);
        CHECK(block_eq(&b, &in[i]));
    }
}

TEST(write_rr_round_trip_and_clamp)
{
    static const struct {
        int32_t in;
        int32_t out;
    } rows[] = {
        { 0, 0 }, { 1, 1 }, { -1, -1 }, { 0x7fffff, 0x7fffff },
        { 10000000, 0x7fffff }, { -0x800000, -0x800000 },
        { -10000000, -0x800000 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t buf[32];
        veche_rtcp_report_block in = { 9, 255, rows[i].in, 1, 2, 3, 4 }, b;
        CHECK_EQ_INT(veche_rtcp_write_rr(buf, sizeof buf, 7, &in, 1), 32);
        veche_rtcp_item item;
        veche_rtcp_iter it;
        veche_rtcp_iter_init(&it, buf, 32);
        CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 1);
        veche_rtcp_rr rr;
        CHECK_EQ_INT(veche_rtcp_parse_rr(&item, &rr), 0);
        CHECK_EQ_INT(rr.ssrc, 7);
        veche_rtcp_report_block_get(rr.blocks, 0, &b);
        CHECK_EQ_INT(b.cumulative_lost, rows[i].out);
        CHECK_EQ_INT(b.fraction_lost, 255);
    }
    uint8_t empty[8];
    CHECK_EQ_INT(veche_rtcp_write_rr(empty, sizeof empty, 7, NULL, 0), 8);
    CHECK(memcmp(empty, "\x80\xc9\x00\x01\x00\x00\x00\x07", 8) == 0);
    CHECK_EQ_INT(veche_rtcp_write_rr(empty, sizeof empty, 7, NULL, 32),
                 VECHE_EINVAL);
}

TEST(pli_round_trip)
{
    uint8_t buf[12];
    CHECK_EQ_INT(veche_rtcp_write_pli(buf, sizeof buf, 1, 0xabcdef01), 12);
    static const uint8_t want[12] = { 0x81, 0xce, 0x00, 0x02, 0, 0, 0, 1,
                                      0xab, 0xcd, 0xef, 0x01 };
    CHECK(memcmp(buf, want, 12) == 0);
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_fb fb;
    veche_rtcp_iter_init(&it, buf, sizeof buf);
    CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 1);
    CHECK_EQ_INT(item.type, VECHE_RTCP_PSFB);
    CHECK_EQ_INT(item.fmt, VECHE_RTCP_FMT_PLI);
    CHECK_EQ_INT(veche_rtcp_parse_fb(&item, &fb), 0);
    CHECK_EQ_INT(fb.sender_ssrc, 1);
    CHECK_EQ_INT(fb.media_ssrc, 0xabcdef01);
    CHECK_EQ_INT(fb.fci_len, 0);
}

TEST(fir_round_trip)
{
    uint8_t buf[20];
    CHECK_EQ_INT(veche_rtcp_write_fir(buf, sizeof buf, 1, 0x12345678, 9), 20);
    static const uint8_t want[20] = { 0x84, 0xce, 0x00, 0x04, 0, 0, 0, 1,
                                      0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78,
                                      9, 0, 0, 0 };
    CHECK(memcmp(buf, want, 20) == 0);
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_fb fb;
    veche_rtcp_iter_init(&it, buf, sizeof buf);
    CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 1);
    CHECK_EQ_INT(item.fmt, VECHE_RTCP_FMT_FIR);
    CHECK_EQ_INT(veche_rtcp_parse_fb(&item, &fb), 0);
    uint32_t ssrc = 0;
    uint8_t seq = 0;
    CHECK_EQ_INT(veche_rtcp_fir_entry(&fb, 0, &ssrc, &seq), 0);
    CHECK_EQ_INT(ssrc, 0x12345678);
    CHECK_EQ_INT(seq, 9);
    CHECK_EQ_INT(veche_rtcp_fir_entry(&fb, 1, &ssrc, &seq), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_rtcp_fir_entry(&fb, -1, &ssrc, &seq), VECHE_ENOTFOUND);
}

/* Rows: seqs to NACK, the PID/BLP words expected, and the seqs a parse
 * expands them back to (sorted from the oldest, without duplicates). */
TEST(nack_packing_rows)
{
    static const struct {
        const char *name;
        int n;
        uint16_t seqs[20];
        int n_words;
        uint16_t words[8];     /* pid, blp, pid, blp ... */
        int n_out;
        uint16_t out[20];
    } rows[] = {
        { "wraparound", 5, { 65534, 65535, 0, 1, 20 },
          2, { 65534, 0x0007, 20, 0x0000 },
          5, { 65534, 65535, 0, 1, 20 } },
        { "unsorted dups", 5, { 5, 3, 3, 4, 1 },
          1, { 1, 0x000e }, 4, { 1, 3, 4, 5 } },
        { "single", 1, { 100 }, 1, { 100, 0 }, 1, { 100 } },
        { "bit 15", 2, { 26, 10 }, 1, { 10, 0x8000 }, 2, { 10, 26 } },
        { "17 apart", 2, { 27, 10 }, 2, { 10, 0, 27, 0 }, 2, { 10, 27 } },
        { "full blp", 17, { 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3,
                            2, 1, 0 },
          1, { 0, 0xffff }, 17, { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                  13, 14, 15, 16 } },
        { "wrap unsorted", 4, { 3, 65530, 65535, 3 },
          1, { 65530, 0x0110 }, 3, { 65530, 65535, 3 } },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t buf[64];
        int len = veche_rtcp_write_nack(buf, sizeof buf, 0x1111, 0x2222,
                                        rows[i].seqs, rows[i].n);
        if (len != 12 + 4 * rows[i].n_words)
            fprintf(stderr, "# row %s: len %d\n", rows[i].name, len);
        CHECK_EQ_INT(len, 12 + 4 * rows[i].n_words);
        if (len < 0)
            continue;
        CHECK_EQ_INT(buf[0], 0x81);
        CHECK_EQ_INT(buf[1], 205);
        for (int w = 0; w < rows[i].n_words * 2; w++)
            CHECK_EQ_INT(buf[12 + 2 * w] << 8 | buf[13 + 2 * w],
                         rows[i].words[w]);

        veche_rtcp_iter it;
        veche_rtcp_item item;
        veche_rtcp_fb fb;
        veche_rtcp_iter_init(&it, buf, (size_t)len);
        CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 1);
        CHECK_EQ_INT(veche_rtcp_parse_fb(&item, &fb), 0);
        CHECK_EQ_INT(fb.sender_ssrc, 0x1111);
        CHECK_EQ_INT(fb.media_ssrc, 0x2222);
        uint16_t out[40];
        CHECK_EQ_INT(veche_rtcp_nack_expand(&fb, out, 40), rows[i].n_out);
        CHECK(memcmp(out, rows[i].out, sizeof out[0] * rows[i].n_out) == 0);
    }
}

TEST(nack_limits)
{
    uint8_t buf[64];
    uint16_t seqs[3] = { 1, 100, 200 };   /* three pairs: 24 bytes */
    CHECK_EQ_INT(veche_rtcp_write_nack(buf, sizeof buf, 1, 2, seqs, 0),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_rtcp_write_nack(buf, sizeof buf, 1, 2, NULL, 3),
                 VECHE_EINVAL);
    memset(buf, 0x77, sizeof buf);
    CHECK_EQ_INT(veche_rtcp_write_nack(buf, 23, 1, 2, seqs, 3), VECHE_ENOSPC);
    for (size_t i = 23; i < sizeof buf; i++)
        CHECK_EQ_INT(buf[i], 0x77);
    CHECK_EQ_INT(veche_rtcp_write_nack(buf, 24, 1, 2, seqs, 3), 24);

    /* expand stops at max */
    veche_rtcp_fb fb = { 1, 2, (const uint8_t *)"\x00\x0a\xff\xff", 4 };
    uint16_t out[5];
    CHECK_EQ_INT(veche_rtcp_nack_expand(&fb, out, 5), 5);
    CHECK_EQ_INT(out[4], 14);
    fb.fci_len = 3;
    CHECK_EQ_INT(veche_rtcp_nack_expand(&fb, out, 5), VECHE_EMALFORMED);
}

TEST(remb_round_trip)
{
    uint8_t buf[64];
    const uint32_t ssrcs[2] = { 0x01020304, 0xa0b0c0d0 };
    int len = veche_rtcp_write_remb(buf, sizeof buf, 0x55, 1500000, ssrcs, 2);
    CHECK_EQ_INT(len, 28);
    static const uint8_t want[28] = {
        0x8f, 0xce, 0x00, 0x06, 0, 0, 0, 0x55, 0, 0, 0, 0,
        'R', 'E', 'M', 'B', 0x02, 0x0e, 0xdc, 0x6c,   /* exp 3, 187500 */
        0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0,
    };
    CHECK(memcmp(buf, want, sizeof want) == 0);
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_fb fb;
    veche_rtcp_iter_init(&it, buf, (size_t)len);
    CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 1);
    CHECK_EQ_INT(item.fmt, VECHE_RTCP_FMT_AFB);
    CHECK_EQ_INT(veche_rtcp_parse_fb(&item, &fb), 0);
    uint64_t bps = 0;
    uint32_t got[4];
    int n = -1;
    CHECK_EQ_INT(veche_rtcp_parse_remb(&fb, &bps, got, 4, &n), 0);
    CHECK(bps == 1500000);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(got[0], 0x01020304);
    CHECK_EQ_INT(got[1], 0xa0b0c0d0);
    CHECK_EQ_INT(veche_rtcp_parse_remb(&fb, &bps, got, 1, &n), 0);
    CHECK_EQ_INT(n, 1);
}

/* Rows: bitrate written, bitrate read back (mantissa is 18 bits). */
TEST(remb_bitrate_rows)
{
    static const struct {
        uint64_t in, out;
    } rows[] = {
        { 0, 0 }, { 1, 1 }, { 262143, 262143 }, { 262144, 262144 },
        { 262145, 262144 }, { 1000001, 1000000 }, { 30000000, 30000000 },
        { 30000001, 30000000 },
        { UINT64_MAX, 262143ull << 46 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint8_t buf[20];
        CHECK_EQ_INT(veche_rtcp_write_remb(buf, sizeof buf, 1, rows[i].in,
                                           NULL, 0), 20);
        veche_rtcp_fb fb = { 1, 0, buf + 12, 8 };
        uint64_t bps;
        int n;
        CHECK_EQ_INT(veche_rtcp_parse_remb(&fb, &bps, NULL, 0, &n), 0);
        CHECK(bps == rows[i].out);
        CHECK_EQ_INT(n, 0);
    }
    /* exponent 63 with a large mantissa saturates instead of overflowing */
    veche_rtcp_fb big = { 1, 0, (const uint8_t *)"REMB\x00\xff\xff\xff", 8 };
    uint64_t bps;
    int n;
    CHECK_EQ_INT(veche_rtcp_parse_remb(&big, &bps, NULL, 0, &n), 0);
    CHECK(bps == UINT64_MAX);
}

TEST(remb_rejects)
{
    static const struct {
        const char *fci;
        size_t len;
        int want;
    } rows[] = {
        { "REMB\x00\x00\x00", 7, VECHE_ETRUNC },
        { "REMX\x00\x00\x00\x01", 8, VECHE_EMALFORMED },
        { "REMB\x02\x00\x00\x01\x00\x00\x00\x01", 12, VECHE_ETRUNC },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_rtcp_fb fb = { 1, 0, (const uint8_t *)rows[i].fci, rows[i].len };
        uint64_t bps;
        uint32_t ssrcs[4];
        int n;
        CHECK_EQ_INT(veche_rtcp_parse_remb(&fb, &bps, ssrcs, 4, &n),
                     rows[i].want);
    }
    uint8_t buf[64];
    CHECK_EQ_INT(veche_rtcp_write_remb(buf, sizeof buf, 1, 1, NULL, 1),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_rtcp_write_remb(buf, sizeof buf, 1, 1, NULL, 256),
                 VECHE_EINVAL);
}

/* Rows of malformed compounds: items yielded before the error, the error. */
TEST(iterator_rejects)
{
    static const uint8_t short_hdr[] = { 0x80, 0xc9, 0x00 };
    static const uint8_t v1[] = { 0x40, 0xc9, 0x00, 0x01, 0, 0, 0, 1 };
    static const uint8_t past_end[] = { 0x80, 0xc9, 0x00, 0x02, 0, 0, 0, 1 };
    static const uint8_t pad_zero[] = { 0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 0 };
    static const uint8_t pad_big[] = { 0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 5 };
    static const uint8_t good_then_bad[] = { 0x80, 0xc9, 0x00, 0x01, 0, 0, 0,
                                             1, 0x81, 0xcd, 0x00, 0x05, 0, 0 };
    static const uint8_t good_then_tail[] = { 0x80, 0xc9, 0x00, 0x01, 0, 0, 0,
                                              1, 0x80 };
    static const struct {
        const char *name;
        const uint8_t *buf;
        size_t len;
        int items;
        int want;
    } rows[] = {
        { "short header", short_hdr, sizeof short_hdr, 0, VECHE_ETRUNC },
        { "version 1", v1, sizeof v1, 0, VECHE_EMALFORMED },
        { "length past end", past_end, sizeof past_end, 0, VECHE_ETRUNC },
        { "padding 0", pad_zero, sizeof pad_zero, 0, VECHE_EMALFORMED },
        { "padding too big", pad_big, sizeof pad_big, 0, VECHE_EMALFORMED },
        { "good then bad", good_then_bad, sizeof good_then_bad, 1,
          VECHE_ETRUNC },
        { "good then 1 byte", good_then_tail, sizeof good_then_tail, 1,
          VECHE_ETRUNC },
        { "empty", NULL, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_rtcp_item items[4];
        int end;
        int n = count_items(rows[i].buf, rows[i].len, items, 4, &end);
        if (n != rows[i].items || end != rows[i].want)
            fprintf(stderr, "# row %s: %d items, end %d\n", rows[i].name, n,
                    end);
        CHECK_EQ_INT(n, rows[i].items);
        CHECK_EQ_INT(end, rows[i].want);
    }
    /* after an error the iterator stays at the end */
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_iter_init(&it, v1, sizeof v1);
    CHECK(veche_rtcp_iter_next(&it, &item, NULL) < 0);
    CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 0);
}

/* Lengths that fit the iterator but not the packet type. */
TEST(parser_length_rows)
{
    static const uint8_t sr_short[] = { 0x80, 0xc8, 0x00, 0x05, 0, 0, 0, 1, 0,
                                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                        0, 0 };
    static const uint8_t sr_blocks[] = { 0x81, 0xc8, 0x00, 0x06, 0, 0, 0, 1,
                                         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t rr_blocks[] = { 0x82, 0xc9, 0x00, 0x07, 0, 0, 0, 1,
                                         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                         0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t fb_short[] = { 0x81, 0xcd, 0x00, 0x01, 0, 0, 0, 1 };
    /* RR whose padding leaves 4 bytes: shorter than the SSRC */
    static const uint8_t rr_padded[] = { 0xa0, 0xc9, 0x00, 0x01, 0, 0, 0, 4 };
    veche_rtcp_item item;
    veche_rtcp_iter it;
    veche_rtcp_sr sr;
    veche_rtcp_rr rr;
    veche_rtcp_fb fb;
#define FIRST(buf)                                                          \
    (veche_rtcp_iter_init(&it, buf, sizeof buf),                            \
     veche_rtcp_iter_next(&it, &item, NULL))
    CHECK_EQ_INT(FIRST(sr_short), 1);
    CHECK_EQ_INT(veche_rtcp_parse_sr(&item, &sr), VECHE_ETRUNC);
    CHECK_EQ_INT(FIRST(sr_blocks), 1);
    CHECK_EQ_INT(veche_rtcp_parse_sr(&item, &sr), VECHE_ETRUNC);
    CHECK_EQ_INT(FIRST(rr_blocks), 1);
    CHECK_EQ_INT(veche_rtcp_parse_rr(&item, &rr), VECHE_ETRUNC);
    CHECK_EQ_INT(FIRST(fb_short), 1);
    CHECK_EQ_INT(veche_rtcp_parse_fb(&item, &fb), VECHE_ETRUNC);
    CHECK_EQ_INT(FIRST(rr_padded), 1);
    CHECK_EQ_INT(veche_rtcp_parse_rr(&item, &rr), VECHE_ETRUNC);
#undef FIRST
}

/* Every writer with one byte too few: ENOSPC, nothing written past cap. */
TEST(writers_enospc)
{
    const veche_rtcp_report_block blk = { 1, 2, 3, 4, 5, 6, 7 };
    const uint16_t seqs[1] = { 5 };
    const uint32_t ssrcs[1] = { 9 };
    for (int w = 0; w < 7; w++) {
        uint8_t buf[64];
        int need = 0, got = 0;
        for (int pass = 0; pass < 2; pass++) {
            size_t cap = pass == 0 ? sizeof buf : (size_t)need - 1;
            memset(buf, 0xee, sizeof buf);
            int r = 0;
            switch (w) {
            case 0: r = veche_rtcp_write_sr(buf, cap, 1, 2, 3, 4, 5, &blk, 1);
                break;
            case 1: r = veche_rtcp_write_rr(buf, cap, 1, &blk, 1); break;
            case 2: r = veche_rtcp_write_sdes_cname(buf, cap, 1, "abc"); break;
            case 3: r = veche_rtcp_write_pli(buf, cap, 1, 2); break;
            case 4: r = veche_rtcp_write_fir(buf, cap, 1, 2, 3); break;
            case 5: r = veche_rtcp_write_nack(buf, cap, 1, 2, seqs, 1); break;
            case 6: r = veche_rtcp_write_remb(buf, cap, 1, 5, ssrcs, 1); break;
            }
            if (pass == 0)
                need = r;
            else
                got = r;
            for (size_t i = cap; pass == 1 && i < sizeof buf; i++)
                CHECK_EQ_INT(buf[i], 0xee);
        }
        CHECK(need > 0);
        CHECK_EQ_INT(got, VECHE_ENOSPC);
    }
}

TEST(sdes_cname_rows)
{
    static const struct {
        size_t cname_len;
        int want;
    } rows[] = {
        { 0, 12 }, { 1, 12 }, { 2, 16 }, { 3, 16 }, { 5, 16 }, { 6, 20 },
        { 255, 4 + 264 }, { 256, VECHE_EINVAL },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char cname[257];
        uint8_t buf[300];
        memset(cname, 'x', rows[i].cname_len);
        cname[rows[i].cname_len] = '\0';
        int r = veche_rtcp_write_sdes_cname(buf, sizeof buf, 3, cname);
        CHECK_EQ_INT(r, rows[i].want);
        if (r > 0) {
            CHECK_EQ_INT(buf[r - 1], 0);      /* end item / padding */
            CHECK_EQ_INT(buf[9], rows[i].cname_len);
            CHECK_EQ_INT(((buf[2] << 8 | buf[3]) + 1) * 4, r);
        }
    }
    uint8_t buf[16];
    CHECK_EQ_INT(veche_rtcp_write_sdes_cname(buf, sizeof buf, 3, NULL),
                 VECHE_EINVAL);
}

int main(void)
{
    RUN(real_compound_sr_sdes_rr);
    RUN(write_sr_sdes_round_trip);
    RUN(write_rr_round_trip_and_clamp);
    RUN(pli_round_trip);
    RUN(fir_round_trip);
    RUN(nack_packing_rows);
    RUN(nack_limits);
    RUN(remb_round_trip);
    RUN(remb_bitrate_rows);
    RUN(remb_rejects);
    RUN(iterator_rejects);
    RUN(parser_length_rows);
    RUN(writers_enospc);
    RUN(sdes_cname_rows);
    return check_finish();
}
