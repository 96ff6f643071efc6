/* test_ratelimit.c - token buckets (server/signal/ratelimit.c). */
#include "check.h"
#include "ratelimit.h"

#define SEC 1000000LL

TEST(burst_then_rate)
{
    veche_bucket b = {0};
    int64_t t = 5 * SEC;
    for (int i = 0; i < 10; i++)
        CHECK(veche_bucket_take(&b, 30, 10, t));   /* a burst of 10 at once */
    CHECK(!veche_bucket_take(&b, 30, 10, t));
    CHECK(b.limited);
    CHECK(!veche_bucket_take(&b, 30, 10, t + 1 * SEC));   /* half a token */
    CHECK(veche_bucket_take(&b, 30, 10, t + 2 * SEC));    /* one every 2 s */
    CHECK(!b.limited);
    CHECK(!veche_bucket_take(&b, 30, 10, t + 2 * SEC));
}

TEST(flood_gets_burst_plus_rate)
{
    veche_bucket b = {0};
    int ok = 0;
    for (int i = 0; i < 5000; i++)  /* 5,000 requests within one second */
        ok += veche_bucket_take(&b, 30, 10, 100 * SEC + i * 200);
    CHECK(ok >= 10 && ok <= 11);
}

TEST(refills_to_burst_only)
{
    veche_bucket b = {0};
    CHECK(veche_bucket_take(&b, 60, 3, 0));
    int ok = 0;
    for (int i = 0; i < 10; i++)  /* an hour later: still 3 at once */
        ok += veche_bucket_take(&b, 60, 3, 3600 * SEC);
    CHECK_EQ_INT(ok, 3);
}

TEST(slow_drips_accumulate)
{
    veche_bucket b = {0};
    for (int i = 0; i < 2; i++)
        CHECK(veche_bucket_take(&b, 1, 2, 0));
    int ok = 0;
    for (int64_t t = 0; t <= 61 * SEC; t += 10000)  /* every 10 ms for 61 s */
        ok += veche_bucket_take(&b, 1, 2, t);
    CHECK_EQ_INT(ok, 1);  /* 1 a minute: gains below a thousandth are kept */
}

int main(void)
{
    RUN(burst_then_rate);
    RUN(flood_gets_burst_plus_rate);
    RUN(refills_to_burst_only);
    RUN(slow_drips_accumulate);
    return check_finish();
}
