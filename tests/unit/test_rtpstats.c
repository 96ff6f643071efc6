/* test_rtpstats.c - RFC 3550 A.1 sequence validation, A.3 loss, A.8 jitter
 * and the report block, over synthetic streams with gaps and a wrap. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "rtpstats.h"

/* Feed seqs at 20 ms / 960 ticks (48 kHz) spacing; returns the bitmask of
 * update() results (bit i for packet i, first 32 packets). */
static uint32_t feed(veche_rtpstats *s, const uint16_t *seqs, int n,
                     uint64_t *now_ms)
{
    uint32_t ok = 0;
    for (int i = 0; i < n; i++) {
        uint32_t ts = (uint32_t)seqs[i] * 960u;
        if (veche_rtpstats_update(s, seqs[i], ts, *now_ms, 100) && i < 32)
            ok |= 1u << i;
        *now_ms += 20;
    }
    return ok;
}

/* Rows: a sequence and what A.1 makes of it. */
TEST(sequence_rows)
{
    static const struct {
        const char *name;
        int n;
        uint16_t seqs[16];
        uint32_t ok;            /* bit i: update() returned true */
        uint64_t received;
        uint64_t expected;
        uint32_t ext_max;
    } rows[] = {
        { "probation then in order", 4, { 10, 11, 12, 13 }, 0xe, 3, 3, 13 },
        { "probation restarts", 5, { 10, 12, 13, 14, 15 }, 0x1c, 3, 3, 15 },
        { "wrap", 5, { 65534, 65535, 0, 1, 2 }, 0x1e, 4, 4, 65538 },
        { "gap", 5, { 1, 2, 3, 7, 8 }, 0x1e, 4, 7, 8 },
        { "duplicate", 5, { 1, 2, 3, 3, 4 }, 0x1e, 4, 3, 4 },
        { "reordered", 5, { 1, 2, 4, 3, 5 }, 0x1e, 4, 4, 5 },
        { "late beyond misorder", 4, { 1000, 1001, 1002, 800 }, 0x6, 2, 2,
          1002 },
        { "jump then resync", 6, { 1, 2, 3, 9000, 9001, 9002 }, 0x36, 2, 2,
          9002 },
        { "lone jump ignored", 5, { 1, 2, 3, 9000, 4 }, 0x16, 3, 3, 4 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_rtpstats s;
        uint64_t now = 1000;
        veche_rtpstats_init(&s, 1, 48000);
        uint32_t ok = feed(&s, rows[i].seqs, rows[i].n, &now);
        veche_rtcp_report_block b;
        veche_rtpstats_report(&s, now, &b);
        if (ok != rows[i].ok || s.received != rows[i].received ||
            veche_rtpstats_expected(&s) != rows[i].expected)
            fprintf(stderr, "# row %s: ok %x received %llu expected %llu\n",
                    rows[i].name, ok, (unsigned long long)s.received,
                    (unsigned long long)veche_rtpstats_expected(&s));
        CHECK_EQ_INT(ok, rows[i].ok);
        CHECK_EQ_INT(s.received, rows[i].received);
        CHECK_EQ_INT(veche_rtpstats_expected(&s), rows[i].expected);
        CHECK_EQ_INT(b.ext_highest_seq, rows[i].ext_max);
        CHECK_EQ_INT(b.cumulative_lost,
                     (int64_t)rows[i].expected - (int64_t)rows[i].received);
    }
}

TEST(before_any_packet)
{
    veche_rtpstats s;
    veche_rtpstats_init(&s, 7, 90000);
    CHECK_EQ_INT(veche_rtpstats_expected(&s), 0);
    CHECK_EQ_INT(veche_rtpstats_lost(&s), 0);
    const uint16_t one = 0;
    uint64_t now = 0;
    CHECK_EQ_INT(feed(&s, &one, 1, &now), 0);      /* on probation */
    CHECK_EQ_INT(veche_rtpstats_expected(&s), 0);
    veche_rtcp_report_block b;
    veche_rtpstats_report(&s, now, &b);
    CHECK_EQ_INT(b.ssrc, 7);
    CHECK_EQ_INT(b.fraction_lost, 0);
    CHECK_EQ_INT(b.cumulative_lost, 0);
    CHECK_EQ_INT(b.lsr, 0);
    CHECK_EQ_INT(b.dlsr, 0);
}

/* Two report intervals across a wrap: 3 of 15 lost, then 1 of 10. */
TEST(loss_over_wrap_two_intervals)
{
    static const uint16_t first[] = { 65530, 65531, 65532, 65533, 65535, 0, 1,
                                      4, 5, 6, 7, 8, 9 };
    static const uint16_t second[] = { 10, 11, 12, 13, 14, 16, 17, 18, 19 };
    veche_rtpstats s;
    uint64_t now = 5000;
    veche_rtcp_report_block b;
    veche_rtpstats_init(&s, 0x1234, 48000);
    feed(&s, first, sizeof first / sizeof first[0], &now);
    veche_rtpstats_report(&s, now, &b);
    CHECK_EQ_INT(veche_rtpstats_expected(&s), 15);   /* 65531 .. 65545 */
    CHECK_EQ_INT(s.received, 12);
    CHECK_EQ_INT(b.cumulative_lost, 3);
    CHECK_EQ_INT(b.fraction_lost, 3 * 256 / 15);     /* 51 */
    CHECK_EQ_INT(b.ext_highest_seq, 65536 + 9);

    feed(&s, second, sizeof second / sizeof second[0], &now);
    veche_rtpstats_report(&s, now, &b);
    CHECK_EQ_INT(b.cumulative_lost, 4);
    CHECK_EQ_INT(b.fraction_lost, 256 / 10);         /* 25 */
    CHECK_EQ_INT(b.ext_highest_seq, 65536 + 19);

    /* an interval with a duplicate and no loss reports 0, not negative */
    static const uint16_t dup[] = { 20, 20, 21 };
    feed(&s, dup, 3, &now);
    veche_rtpstats_report(&s, now, &b);
    CHECK_EQ_INT(b.fraction_lost, 0);
    CHECK_EQ_INT(b.cumulative_lost, 3);
    CHECK_EQ_INT(s.bytes, 100 * (12 + 9 + 3));
}

TEST(cumulative_lost_clamped_to_24_bits)
{
    veche_rtpstats s;
    veche_rtcp_report_block b;
    static const uint16_t two[] = { 1, 2 };
    uint64_t now = 0;
    veche_rtpstats_init(&s, 1, 8000);
    feed(&s, two, 2, &now);
    s.cycles = 256u << 16;             /* 16.7 M expected, 1 received */
    veche_rtpstats_report(&s, now, &b);
    CHECK_EQ_INT(b.cumulative_lost, 0x7fffff);
    CHECK_EQ_INT(b.fraction_lost, 255);
    s.cycles = 0;
    s.received = 20000000;             /* far more duplicates than sent */
    veche_rtpstats_report(&s, now, &b);
    CHECK_EQ_INT(b.cumulative_lost, -0x800000);
    CHECK_EQ_INT(b.fraction_lost, 0);
}

/* A.8 rows: arrival offsets (ms) from a perfect 20 ms clock at 8 kHz; the
 * first two packets set the baseline (probation, then first transit). */
TEST(jitter_rows)
{
    static const struct {
        const char *name;
        int n;
        int offsets[8];
        double want;
    } rows[] = {
        { "steady", 6, { 0, 0, 0, 0, 0, 0 }, 0.0 },
        { "one late by 2 ms", 3, { 0, 0, 2 }, 16.0 / 16 },
        { "late then back", 4, { 0, 0, 2, 0 }, 1.0 + (16.0 - 1.0) / 16 },
        { "early by 4 ms", 3, { 0, 0, -4 }, 32.0 / 16 },
        { "constant delay", 5, { 7, 7, 7, 7, 7 }, 0.0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_rtpstats s;
        veche_rtpstats_init(&s, 1, 8000);
        for (int k = 0; k < rows[i].n; k++)
            veche_rtpstats_update(&s, (uint16_t)(100 + k), (uint32_t)k * 160,
                                  (uint64_t)(10000 + k * 20 +
                                             rows[i].offsets[k]), 160);
        if (s.jitter != rows[i].want)
            fprintf(stderr, "# row %s: %f\n", rows[i].name, s.jitter);
        CHECK(s.jitter == rows[i].want);
    }
}

TEST(jitter_converges_and_survives_ts_wrap)
{
    veche_rtpstats s;
    veche_rtcp_report_block b;
    veche_rtpstats_init(&s, 1, 48000);
    uint32_t ts = 0xffffffffu - 960 * 50;   /* wraps after 50 packets */
    for (int k = 0; k < 200; k++) {
        /* every other packet 10 ms late: |D| = 480 ticks each time */
        uint64_t at = 100000 + (uint64_t)k * 20 + (k % 2 ? 10 : 0);
        veche_rtpstats_update(&s, (uint16_t)(65500 + k), ts, at, 100);
        ts += 960;
    }
    veche_rtpstats_report(&s, 200000, &b);
    CHECK(b.jitter >= 479 && b.jitter <= 480);

    veche_rtpstats_init(&s, 1, 48000);
    ts = 0xffffffffu - 960 * 3;
    for (int k = 0; k < 10; k++, ts += 960)
        veche_rtpstats_update(&s, (uint16_t)k, ts, 5000 + (uint64_t)k * 20,
                              100);
    CHECK(s.jitter == 0.0);
}

TEST(lsr_dlsr)
{
    veche_rtpstats s;
    veche_rtcp_report_block b;
    veche_rtpstats_init(&s, 1, 90000);
    veche_rtpstats_on_sr(&s, 0xe65a1b2c80000000ull, 1000);
    veche_rtpstats_report(&s, 2500, &b);
    CHECK_EQ_INT(b.lsr, 0x1b2c8000);
    CHECK_EQ_INT(b.dlsr, 98304);        /* 1.5 s * 65536 */
    veche_rtpstats_report(&s, 1000, &b);
    CHECK_EQ_INT(b.dlsr, 0);
    veche_rtpstats_report(&s, 999, &b);  /* clock before the SR: 0 */
    CHECK_EQ_INT(b.dlsr, 0);
    veche_rtpstats_report(&s, 1001, &b);
    CHECK_EQ_INT(b.dlsr, 65);           /* 65.536 truncated */
}

int main(void)
{
    RUN(sequence_rows);
    RUN(before_any_packet);
    RUN(loss_over_wrap_two_intervals);
    RUN(cumulative_lost_clamped_to_24_bits);
    RUN(jitter_rows);
    RUN(jitter_converges_and_survives_ts_wrap);
    RUN(lsr_dlsr);
    return check_finish();
}
