/* test_nackgen.c - the upstream NACK generator: gaps, reordering,
 * wrap-around, retry limits, giving up with a key frame request, huge jumps
 * and restarts, and the NACK packets built from its output parsed back with
 * rtcp.c. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "nackgen.h"
#include "rtcp.h"

#define MAXD 1024

static veche_nackgen *gen(unsigned max_gap, unsigned retries, unsigned retry_ms,
                          unsigned wait_ms)
{
    veche_nackgen_params p = { .max_gap = max_gap, .max_retries = retries,
                               .retry_ms = retry_ms, .max_wait_ms = wait_ms };
    return veche_nackgen_new(&p);
}

/* due() into a static array; returns the count, *kf the key frame flag. */
static uint16_t due_seqs[MAXD];
static int due(veche_nackgen *g, uint64_t now, bool *kf)
{
    bool k = false;
    int n = veche_nackgen_due(g, now, due_seqs, MAXD, &k);
    if (kf)
        *kf = k;
    return n;
}

/* Feed first..last in order (inclusive, modulo 2^16). */
static void feed(veche_nackgen *g, uint16_t first, uint16_t last, uint64_t now)
{
    for (uint16_t s = first;; s++) {
        veche_nackgen_on_packet(g, s, now);
        if (s == last)
            break;
    }
}

TEST(in_order_no_nacks)
{
    veche_nackgen *g = veche_nackgen_new(NULL);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 100, 0), VECHE_NACKGEN_FIRST);
    for (uint16_t s = 101; s < 400; s++)
        CHECK_EQ_INT(veche_nackgen_on_packet(g, s, s), VECHE_NACKGEN_IN_ORDER);
    bool kf;
    CHECK_EQ_INT(due(g, 1000, &kf), 0);
    CHECK(!kf);
    CHECK_EQ_INT(veche_nackgen_get_stats(g)->missing, 0);
    /* a duplicate of the newest and of an older one */
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 399, 1000), VECHE_NACKGEN_OLD);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 350, 1000), VECHE_NACKGEN_OLD);
    veche_nackgen_free(g);
    veche_nackgen_free(NULL);
}

TEST(gap_nacked_at_once)
{
    veche_nackgen *g = veche_nackgen_new(NULL);
    feed(g, 10, 20, 0);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 24, 5), VECHE_NACKGEN_GAP);
    CHECK_EQ_INT(veche_nackgen_n_pending(g), 3);
    CHECK(veche_nackgen_pending(g, 21));
    CHECK(veche_nackgen_pending(g, 23));
    CHECK(!veche_nackgen_pending(g, 24));
    CHECK(!veche_nackgen_pending(g, 20));
    bool kf;
    CHECK_EQ_INT(due(g, 5, &kf), 3);
    CHECK_EQ_INT(due_seqs[0], 21);
    CHECK_EQ_INT(due_seqs[1], 22);
    CHECK_EQ_INT(due_seqs[2], 23);
    CHECK(!kf);
    /* asked already: nothing more due before retry_ms (100) */
    CHECK_EQ_INT(due(g, 60, NULL), 0);
    /* 22 comes back: repaired, no longer asked for */
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 22, 70), VECHE_NACKGEN_REPAIRED);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 22, 71), VECHE_NACKGEN_OLD);
    CHECK_EQ_INT(due(g, 105, NULL), 2);
    CHECK_EQ_INT(due_seqs[0], 21);
    CHECK_EQ_INT(due_seqs[1], 23);
    const veche_nackgen_stats *st = veche_nackgen_get_stats(g);
    CHECK_EQ_INT(st->missing, 3);
    CHECK_EQ_INT(st->repaired, 1);
    CHECK_EQ_INT(st->nacked, 5);
    veche_nackgen_free(g);
}

TEST(reordering_cancels_nack)
{
    /* 1 2 4 3 5: 3 goes missing when 4 arrives and is filled by its late
     * arrival before any timer fires; a later due() asks for nothing. */
    veche_nackgen *g = veche_nackgen_new(NULL);
    feed(g, 1, 2, 0);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 4, 1), VECHE_NACKGEN_GAP);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 3, 2), VECHE_NACKGEN_REPAIRED);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 5, 3), VECHE_NACKGEN_IN_ORDER);
    bool kf;
    CHECK_EQ_INT(due(g, 500, &kf), 0);
    CHECK(!kf);
    CHECK_EQ_INT(veche_nackgen_n_pending(g), 0);
    veche_nackgen_free(g);
}

TEST(wrap_around)
{
    veche_nackgen *g = veche_nackgen_new(NULL);
    feed(g, 65530, 65533, 0);
    /* 65534, 65535, 0, 1 lost across the wrap */
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 2, 10), VECHE_NACKGEN_GAP);
    CHECK_EQ_INT(due(g, 10, NULL), 4);
    CHECK_EQ_INT(due_seqs[0], 65534);
    CHECK_EQ_INT(due_seqs[1], 65535);
    CHECK_EQ_INT(due_seqs[2], 0);
    CHECK_EQ_INT(due_seqs[3], 1);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 65535, 20), VECHE_NACKGEN_REPAIRED);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 0, 20), VECHE_NACKGEN_REPAIRED);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 3, 20), VECHE_NACKGEN_IN_ORDER);
    CHECK_EQ_INT(due(g, 200, NULL), 2);
    CHECK_EQ_INT(due_seqs[0], 65534);
    CHECK_EQ_INT(due_seqs[1], 1);
    veche_nackgen_free(g);
}

TEST(retry_limit_then_keyframe)
{
    /* 3 NACKs 50 ms apart, then given up 50 ms after the last one. */
    veche_nackgen *g = gen(100, 3, 50, 10000);
    feed(g, 1, 5, 0);
    veche_nackgen_on_packet(g, 7, 0);
    bool kf;
    int sent = 0;
    for (uint64_t t = 0; t <= 1000; t += 10) {
        int n = due(g, t, &kf);
        if (n) {
            CHECK_EQ_INT(n, 1);
            CHECK_EQ_INT(due_seqs[0], 6);
            CHECK_EQ_INT(t % 50, 0);
            sent++;
        }
        if (kf) {
            CHECK_EQ_INT(t, 150);   /* 0, 50, 100 sent; 150 gives up */
            break;
        }
    }
    CHECK(kf);
    CHECK_EQ_INT(sent, 3);
    CHECK(!veche_nackgen_pending(g, 6));
    CHECK_EQ_INT(veche_nackgen_get_stats(g)->given_up, 1);
    CHECK_EQ_INT(veche_nackgen_get_stats(g)->keyframes, 1);
    /* once asked, the flag is cleared */
    CHECK_EQ_INT(due(g, 2000, &kf), 0);
    CHECK(!kf);
    /* a late arrival of a given-up number is just old */
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 6, 2000), VECHE_NACKGEN_OLD);
    veche_nackgen_free(g);
}

TEST(bounded_wait_then_keyframe)
{
    /* Many retries allowed, but missing for max_wait_ms (300) is enough. */
    veche_nackgen *g = gen(100, 100, 40, 300);
    feed(g, 1000, 1010, 1000);
    veche_nackgen_on_packet(g, 1013, 1000);
    bool kf = false;
    uint64_t t;
    for (t = 1000; t < 2000 && !kf; t += 20)
        due(g, t, &kf);
    CHECK(kf);
    CHECK_EQ_INT(t - 20, 1300);
    CHECK_EQ_INT(veche_nackgen_n_pending(g), 0);
    CHECK_EQ_INT(veche_nackgen_get_stats(g)->given_up, 2);
    veche_nackgen_free(g);
}

TEST(huge_jump_resets)
{
    veche_nackgen *g = gen(200, 10, 100, 1000);
    feed(g, 1, 10, 0);
    veche_nackgen_on_packet(g, 12, 0);              /* 11 missing */
    /* a jump of 201 > max_gap: no 200 NACKs, a reset and a key frame */
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 213, 1), VECHE_NACKGEN_RESET);
    bool kf;
    CHECK_EQ_INT(due(g, 1, &kf), 0);
    CHECK(kf);
    CHECK_EQ_INT(veche_nackgen_n_pending(g), 0);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 214, 2), VECHE_NACKGEN_IN_ORDER);
    /* a jump of exactly max_gap still NACKs the 199 in between */
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 414, 3), VECHE_NACKGEN_GAP);
    CHECK_EQ_INT(due(g, 3, &kf), 199);
    CHECK(!kf);
    CHECK_EQ_INT(due_seqs[0], 215);
    CHECK_EQ_INT(due_seqs[198], 413);
    CHECK_EQ_INT(veche_nackgen_get_stats(g)->resets, 1);
    veche_nackgen_free(g);
}

TEST(restart_backwards)
{
    /* The sender restarts its numbers 30000 lower: one stray old packet is
     * ignored, two consecutive ones reset the stream. */
    veche_nackgen *g = veche_nackgen_new(NULL);
    feed(g, 40000, 40100, 0);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 10000, 1), VECHE_NACKGEN_OLD);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 40101, 2), VECHE_NACKGEN_IN_ORDER);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 10000, 3), VECHE_NACKGEN_OLD);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 10001, 4), VECHE_NACKGEN_RESET);
    CHECK_EQ_INT(veche_nackgen_on_packet(g, 10003, 5), VECHE_NACKGEN_GAP);
    CHECK(veche_nackgen_pending(g, 10002));
    veche_nackgen_free(g);
}

TEST(window_overflow_gives_up)
{
    /* Missing numbers pushed out of the 1024-slot window are given up. */
    veche_nackgen *g = gen(500, 255, 10000, 60000);
    feed(g, 0, 10, 0);
    veche_nackgen_on_packet(g, 12, 0);              /* 11 missing */
    uint16_t s = 12;
    while (s < 11 + VECHE_NACKGEN_WINDOW - 1)
        veche_nackgen_on_packet(g, ++s, 1);
    CHECK(veche_nackgen_pending(g, 11));
    veche_nackgen_on_packet(g, ++s, 1);             /* 11 + 1024 */
    CHECK(!veche_nackgen_pending(g, 11));
    bool kf;
    due(g, 2, &kf);
    CHECK(kf);
    CHECK_EQ_INT(veche_nackgen_get_stats(g)->given_up, 1);
    veche_nackgen_free(g);
}

TEST(due_limited_by_max)
{
    veche_nackgen *g = veche_nackgen_new(NULL);
    feed(g, 0, 0, 0);
    veche_nackgen_on_packet(g, 101, 0);             /* 1..100 missing */
    bool kf;
    uint16_t seqs[40];
    CHECK_EQ_INT(veche_nackgen_due(g, 0, seqs, 40, &kf), 40);
    CHECK_EQ_INT(seqs[0], 1);
    CHECK_EQ_INT(veche_nackgen_due(g, 1, seqs, 40, &kf), 40);
    CHECK_EQ_INT(seqs[0], 41);
    CHECK_EQ_INT(veche_nackgen_due(g, 2, seqs, 40, &kf), 20);
    CHECK_EQ_INT(seqs[19], 100);
    CHECK_EQ_INT(veche_nackgen_due(g, 3, seqs, 40, &kf), 0);
    veche_nackgen_free(g);
}

/* The NACK built from due() and parsed back holds exactly those numbers,
 * packed as PID/BLP pairs (RFC 4585 6.2.1). */
TEST(nack_packet_round_trip)
{
    veche_nackgen *g = veche_nackgen_new(NULL);
    feed(g, 65500, 65500, 0);
    /* lose 65501, 65503..65510, 65530, 2, 40 (across the wrap) */
    static const uint16_t lost[] = {65501, 65503, 65504, 65505, 65506, 65507,
                                    65508, 65509, 65510, 65530, 2, 40};
    for (uint16_t s = 65501;; s++) {
        bool drop = false;
        for (size_t i = 0; i < sizeof lost / sizeof lost[0]; i++)
            drop |= lost[i] == s;
        if (!drop)
            veche_nackgen_on_packet(g, s, 0);
        if (s == 50)
            break;
    }
    bool kf;
    int n = due(g, 0, &kf);
    CHECK_EQ_INT(n, 12);
    for (int i = 0; i < n && i < 12; i++)
        CHECK_EQ_INT(due_seqs[i], lost[i]);

    uint8_t buf[1200];
    int len = veche_rtcp_write_nack(buf, sizeof buf, 0x11111111, 0x22222222, due_seqs, n);
    /* 65501 +bits(65503..65510, 65517 range) / 65530 + bit(2) / 40: the
     * first PID covers 65501..65517, the second 65530..65546 (incl. 2). */
    CHECK_EQ_INT(len, 12 + 3 * 4);
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_iter_init(&it, buf, (size_t)len);
    CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 1);
    CHECK_EQ_INT(item.type, VECHE_RTCP_RTPFB);
    CHECK_EQ_INT(item.fmt, VECHE_RTCP_FMT_NACK);
    veche_rtcp_fb fb;
    CHECK_EQ_INT(veche_rtcp_parse_fb(&item, &fb), 0);
    CHECK_EQ_INT(fb.sender_ssrc, 0x11111111);
    CHECK_EQ_INT(fb.media_ssrc, 0x22222222);
    CHECK_EQ_INT(fb.fci_len, 12);
    /* first FCI: PID 65501, BLP bits 1..8 (65503..65510 minus 65502) */
    CHECK_EQ_INT(fb.fci[0] << 8 | fb.fci[1], 65501);
    CHECK_EQ_INT(fb.fci[2] << 8 | fb.fci[3], 0x01fe);
    uint16_t back[64];
    int m = veche_rtcp_nack_expand(&fb, back, 64);
    CHECK_EQ_INT(m, 12);
    for (int i = 0; i < m && i < 12; i++)
        CHECK_EQ_INT(back[i], lost[i]);
    CHECK_EQ_INT(veche_rtcp_iter_next(&it, &item, NULL), 0);
    veche_nackgen_free(g);
}

/* A long run with a deterministic 5% loss, every loss repaired by a
 * "retransmission" answering the NACK one tick later, except those whose
 * retransmission is lost too (then the retry repairs them). */
TEST(lossy_run_all_repaired)
{
    veche_nackgen *g = veche_nackgen_new(NULL);
    uint32_t x = 12345;
    uint16_t seq = 60000;
    uint64_t now = 0;
    veche_nackgen_on_packet(g, seq, now);
    uint64_t lost = 0;
    for (int i = 0; i < 20000; i++) {
        now += 7;
        seq++;
        x = x * 1103515245u + 12345u;
        if ((x >> 16) % 100 < 5)
            lost++;
        else
            veche_nackgen_on_packet(g, seq, now);
        bool kf;
        int n = due(g, now, &kf);
        CHECK(!kf);
        for (int k = 0; k < n; k++) {
            x = x * 1103515245u + 12345u;
            if ((x >> 16) % 100 >= 5)
                veche_nackgen_on_packet(g, due_seqs[k], now + 1);
        }
    }
    /* flush: packets keep flowing (no loss) until everything is back */
    for (int i = 0; i < 100; i++) {
        now += 7;
        veche_nackgen_on_packet(g, ++seq, now);
        int n = due(g, now, NULL);
        for (int k = 0; k < n; k++)
            veche_nackgen_on_packet(g, due_seqs[k], now + 1);
    }
    const veche_nackgen_stats *st = veche_nackgen_get_stats(g);
    CHECK(lost > 800);
    CHECK_EQ_INT(st->missing, lost);
    CHECK_EQ_INT(st->repaired, lost);
    CHECK_EQ_INT(st->given_up, 0);
    CHECK_EQ_INT(veche_nackgen_n_pending(g), 0);
    veche_nackgen_free(g);
}

int main(void)
{
    RUN(in_order_no_nacks);
    RUN(gap_nacked_at_once);
    RUN(reordering_cancels_nack);
    RUN(wrap_around);
    RUN(retry_limit_then_keyframe);
    RUN(bounded_wait_then_keyframe);
    RUN(huge_jump_resets);
    RUN(restart_backwards);
    RUN(window_overflow_gives_up);
    RUN(due_limited_by_max);
    RUN(nack_packet_round_trip);
    RUN(lossy_run_all_repaired);
    return check_finish();
}
