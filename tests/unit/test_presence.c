/* test_presence.c - join/leave events to presence intervals: grace-period
 * merging, open intervals, disorder, duplicates, several connections,
 * totals. */
#include <stdint.h>

#include "check.h"
#include "err.h"
#include "presence.h"

#define J VECHE_PRESENCE_JOIN
#define L VECHE_PRESENCE_LEAVE
#define G VECHE_PRESENCE_GRACE_MS_DEFAULT
#define S(x) ((int64_t)(x) * 1000)  /* seconds to ms */

typedef struct {
    int64_t start, end;
    bool open;
} iv_want;

/* Merge and compare with the expected intervals. */
static void expect(const veche_presence_event *ev, size_t n, int64_t grace,
                   const iv_want *want, int n_want, int line)
{
    veche_presence_interval out[16];
    int got = veche_presence_merge(ev, n, grace, out, 16);
    if (got != n_want) {
        fprintf(stderr, "# line %d: %d intervals, want %d\n", line, got,
                n_want);
        CHECK_EQ_INT(got, n_want);
        return;
    }
    for (int i = 0; i < n_want; i++) {
        if (out[i].start_ms != want[i].start || out[i].end_ms != want[i].end ||
            out[i].open != want[i].open)
            fprintf(stderr, "# line %d: interval %d is [%lld, %lld]%s\n", line,
                    i, (long long)out[i].start_ms, (long long)out[i].end_ms,
                    out[i].open ? " open" : "");
        CHECK_EQ_INT(out[i].start_ms, want[i].start);
        CHECK_EQ_INT(out[i].end_ms, want[i].end);
        CHECK(out[i].open == want[i].open);
    }
}

#define EXPECT(ev, grace, ...)                                               \
    do {                                                                     \
        static const iv_want w_[] = { __VA_ARGS__ };                         \
        expect(ev, sizeof ev / sizeof ev[0], grace, w_,                      \
               (int)(sizeof w_ / sizeof w_[0]), __LINE__);                   \
    } while (0)

TEST(single_visit)
{
    veche_presence_event ev[] = { { S(100), J, 0 }, { S(700), L, 0 } };
    EXPECT(ev, G, { S(100), S(700), false });
}

TEST(reconnect_within_grace_merges)
{
    /* leave at 200, back at 259 (59 s later): one interval */
    veche_presence_event ev[] = { { S(100), J, 0 }, { S(200), L, 0 },
                                  { S(259), J, 0 }, { S(400), L, 0 } };
    EXPECT(ev, G, { S(100), S(400), false });
}

TEST(grace_boundary)
{
    /* exactly the grace period apart: merged; one ms more: two */
    veche_presence_event at[] = { { 0, J, 0 }, { 1000, L, 0 },
                                  { 1000 + G, J, 0 }, { 5000 + G, L, 0 } };
    EXPECT(at, G, { 0, 5000 + G, false });
    veche_presence_event past[] = { { 0, J, 0 }, { 1000, L, 0 },
                                    { 1001 + G, J, 0 }, { 5000 + G, L, 0 } };
    EXPECT(past, G, { 0, 1000, false }, { 1001 + G, 5000 + G, false });
}

TEST(long_absence_splits)
{
    veche_presence_event ev[] = { { S(0), J, 0 }, { S(600), L, 0 },
                                  { S(1800), J, 0 }, { S(2400), L, 0 },
                                  { S(2410), J, 0 }, { S(3000), L, 0 } };
    EXPECT(ev, G, { S(0), S(600), false }, { S(1800), S(3000), false });
}

TEST(zero_grace)
{
    veche_presence_event ev[] = { { S(0), J, 0 }, { S(10), L, 0 },
                                  { S(11), J, 0 }, { S(20), L, 0 },
                                  { S(20), J, 0 }, { S(30), L, 0 } };
    /* a gap of 0 still merges (leave and join in the same instant) */
    EXPECT(ev, 0, { S(0), S(10), false }, { S(11), S(30), false });
}

TEST(still_present)
{
    veche_presence_event open[] = { { S(50), J, 0 } };
    EXPECT(open, G, { S(50), S(50), true });
    /* left, came back within grace, still there: one open interval */
    veche_presence_event back[] = { { S(0), J, 0 }, { S(100), L, 0 },
                                    { S(130), J, 0 } };
    EXPECT(back, G, { S(0), S(130), true });
    /* came back after the grace period: a closed and an open one */
    veche_presence_event late[] = { { S(0), J, 0 }, { S(100), L, 0 },
                                    { S(500), J, 0 } };
    EXPECT(late, G, { S(0), S(100), false }, { S(500), S(500), true });
}

TEST(out_of_order_input)
{
    veche_presence_event ev[] = { { S(400), L, 0 }, { S(259), J, 0 },
                                  { S(100), J, 0 }, { S(200), L, 0 } };
    EXPECT(ev, G, { S(100), S(400), false });
}

TEST(duplicates_ignored)
{
    veche_presence_event ev[] = { { S(100), J, 0 }, { S(100), J, 0 },
                                  { S(150), J, 0 }, { S(300), L, 0 },
                                  { S(300), L, 0 }, { S(900), L, 0 } };
    EXPECT(ev, G, { S(100), S(300), false });
}

TEST(leave_without_join_ignored)
{
    veche_presence_event ev[] = { { S(10), L, 0 }, { S(100), J, 0 },
                                  { S(200), L, 0 } };
    EXPECT(ev, G, { S(100), S(200), false });
    veche_presence_event only[] = { { S(10), L, 0 }, { S(20), L, 3 } };
    veche_presence_interval out[2];
    CHECK_EQ_INT(veche_presence_merge(only, 2, G, out, 2), 0);
}

TEST(equal_times_keep_input_order)
{
    /* the store's order: leave then join at the same ms = still there */
    veche_presence_event ev[] = { { S(0), J, 0 }, { S(100), L, 0 },
                                  { S(100), J, 0 }, { S(200), L, 0 } };
    EXPECT(ev, 0, { S(0), S(200), false });
    /* join then leave at the same ms = a zero-length visit */
    veche_presence_event zero[] = { { S(100), J, 0 }, { S(100), L, 0 } };
    EXPECT(zero, G, { S(100), S(100), false });
}

TEST(two_connections)
{
    /* laptop (1) and phone (2): present while either is connected */
    veche_presence_event ev[] = { { S(0), J, 1 },   { S(50), J, 2 },
                                  { S(100), L, 1 }, { S(300), L, 2 },
                                  { S(1000), J, 2 }, { S(1100), L, 2 } };
    EXPECT(ev, G, { S(0), S(300), false }, { S(1000), S(1100), false });
    /* one connection still open at the end */
    veche_presence_event open[] = { { S(0), J, 1 }, { S(50), J, 2 },
                                    { S(100), L, 1 } };
    EXPECT(open, G, { S(0), S(0), true });
}

TEST(totals)
{
    veche_presence_interval iv[] = {
        { S(0), S(600), false }, { S(1800), S(3000), false },
        { S(4000), S(4000), true },
    };
    CHECK_EQ_INT(veche_presence_total_ms(iv, 2, S(9999)), S(1800));
    CHECK_EQ_INT(veche_presence_total_ms(iv, 3, S(4100)), S(1900));
    CHECK_EQ_INT(veche_presence_total_ms(iv, 3, S(3900)), S(1800));
    CHECK_EQ_INT(veche_presence_total_ms(NULL, 0, 0), 0);
    /* merged gaps count as presence */
    veche_presence_event ev[] = { { S(100), J, 0 }, { S(200), L, 0 },
                                  { S(259), J, 0 }, { S(400), L, 0 } };
    veche_presence_interval out[4];
    int n = veche_presence_merge(ev, 4, G, out, 4);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(veche_presence_total_ms(out, (size_t)n, 0), S(300));
}

TEST(errors)
{
    veche_presence_event ev[] = { { 0, J, 0 }, { 10, L, 0 }, { 5000000, J, 0 },
                                  { 5000010, L, 0 } };
    veche_presence_interval out[4];
    CHECK_EQ_INT(veche_presence_merge(ev, 4, G, out, 1), VECHE_ENOSPC);
    CHECK_EQ_INT(veche_presence_merge(ev, 4, -1, out, 4), VECHE_EINVAL);
    CHECK_EQ_INT(veche_presence_merge(NULL, 4, G, out, 4), VECHE_EINVAL);
    CHECK_EQ_INT(veche_presence_merge(NULL, 0, G, NULL, 0), 0);
    veche_presence_event bad[] = { { 0, (veche_presence_kind)5, 0 } };
    CHECK_EQ_INT(veche_presence_merge(bad, 1, G, out, 4), VECHE_EINVAL);
    /* extreme times do not overflow */
    veche_presence_event far[] = { { INT64_MIN, J, 0 }, { INT64_MIN + 1, L, 0 },
                                   { INT64_MAX - 1, J, 0 }, { INT64_MAX, L, 0 } };
    CHECK_EQ_INT(veche_presence_merge(far, 4, G, out, 4), 2);
}

int main(void)
{
    RUN(single_visit);
    RUN(reconnect_within_grace_merges);
    RUN(grace_boundary);
    RUN(long_absence_splits);
    RUN(zero_grace);
    RUN(still_present);
    RUN(out_of_order_input);
    RUN(duplicates_ignored);
    RUN(leave_without_join_ignored);
    RUN(equal_times_keep_input_order);
    RUN(two_connections);
    RUN(totals);
    RUN(errors);
    return check_finish();
}
