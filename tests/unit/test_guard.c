/* test_guard.c - the sign-in guard (guard.c): the limit within the window,
 * the lockout and its end, counting at the start and taking back, clearing,
 * the bounded table, e-mail keys. */
#include <stdio.h>

#include "check.h"
#include "guard.h"

TEST(locks_at_the_limit_for_the_window)
{
    veche_guard *g = veche_guard_new(5, 900, 100);
    int64_t t = 1000, left = 0;
    for (int i = 0; i < 4; i++) {
        CHECK(!veche_guard_locked(g, "a", t + i, NULL));
        veche_guard_fail(g, "a", t + i);
    }
    CHECK(!veche_guard_locked(g, "a", t + 4, NULL));
    veche_guard_fail(g, "a", t + 4);  /* the fifth */
    CHECK(veche_guard_locked(g, "a", t + 5, &left));
    CHECK_EQ_INT(left, 899);
    CHECK(!veche_guard_locked(g, "b", t + 5, NULL));  /* others are free */
    CHECK(veche_guard_locked(g, "a", t + 4 + 899, NULL));
    CHECK(!veche_guard_locked(g, "a", t + 4 + 900, NULL));  /* served */
    veche_guard_fail(g, "a", t + 905);  /* a fresh count */
    CHECK(!veche_guard_locked(g, "a", t + 905, NULL));
    veche_guard_free(g);
}

TEST(old_failures_fall_out_of_the_window)
{
    veche_guard *g = veche_guard_new(3, 60, 100);
    veche_guard_fail(g, "a", 0);
    veche_guard_fail(g, "a", 10);
    veche_guard_fail(g, "a", 60);  /* the window began at 0: a new one */
    veche_guard_fail(g, "a", 61);
    CHECK(!veche_guard_locked(g, "a", 62, NULL));
    veche_guard_fail(g, "a", 62);
    CHECK(veche_guard_locked(g, "a", 62, NULL));
    veche_guard_free(g);
}

TEST(success_takes_back_or_clears)
{
    veche_guard *g = veche_guard_new(2, 60, 100);
    veche_guard_fail(g, "ip", 0);
    veche_guard_fail(g, "ip", 0);  /* counted at the start: locked... */
    CHECK(veche_guard_locked(g, "ip", 0, NULL));
    veche_guard_undo(g, "ip");     /* ... until it turned out a success */
    CHECK(!veche_guard_locked(g, "ip", 0, NULL));
    veche_guard_fail(g, "ip", 1);
    CHECK(veche_guard_locked(g, "ip", 1, NULL));
    veche_guard_undo(g, "nobody");
    veche_guard_clear(g, "ip");
    CHECK(!veche_guard_locked(g, "ip", 1, NULL));
    CHECK_EQ_INT(veche_guard_size(g), 0);
    veche_guard_clear(g, "ip");
    veche_guard_free(g);
    veche_guard_free(NULL);
}

TEST(bounded_least_recently_used_goes)
{
    veche_guard *g = veche_guard_new(1, 60, 3);
    veche_guard_fail(g, "a", 0);
    veche_guard_fail(g, "b", 0);
    veche_guard_fail(g, "c", 0);
    veche_guard_fail(g, "a", 1);  /* a is used again: b is now the oldest */
    veche_guard_fail(g, "d", 1);
    CHECK_EQ_INT(veche_guard_size(g), 3);
    CHECK(veche_guard_locked(g, "a", 2, NULL));
    CHECK(!veche_guard_locked(g, "b", 2, NULL));
    CHECK(veche_guard_locked(g, "c", 2, NULL));
    CHECK(veche_guard_locked(g, "d", 2, NULL));
    char key[64];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        veche_guard_fail(g, key, 3);
    }
    CHECK_EQ_INT(veche_guard_size(g), 3);
    veche_guard_free(g);
}

TEST(email_keys)
{
    char k[16];
    veche_guard_email_key("  Chair@Veche.DEMO\t", k, sizeof k);
    CHECK_EQ_STR(k, "chair@veche.dem");  /* cut at the buffer */
    char big[64];
    veche_guard_email_key(" Chair@Veche.DEMO ", big, sizeof big);
    CHECK_EQ_STR(big, "chair@veche.demo");
    veche_guard_email_key("", big, sizeof big);
    CHECK_EQ_STR(big, "");
    veche_guard_email_key(NULL, big, sizeof big);
    CHECK_EQ_STR(big, "");
    veche_guard_email_key("   ", big, sizeof big);
    CHECK_EQ_STR(big, "");
}

int main(void)
{
    RUN(locks_at_the_limit_for_the_window);
    RUN(old_failures_fall_out_of_the_window);
    RUN(success_takes_back_or_clears);
    RUN(bounded_least_recently_used_goes);
    RUN(email_keys);
    return check_finish();
}
