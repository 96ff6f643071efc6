/* test_speaker.c - active speaker detection. */
#include "check.h"
#include "speaker.h"

static int A, B, C;

static void feed(veche_speaker *s, const void *key, uint8_t level, int n)
{
    for (int i = 0; i < n; i++)
        veche_speaker_add(s, key, level);
}

TEST(first_speaker_at_once)
{
    veche_speaker *s = veche_speaker_new();
    const void *who = NULL;
    CHECK(!veche_speaker_tick(s, &who));
    feed(s, &A, 30, 15);
    CHECK(veche_speaker_tick(s, &who));
    CHECK(who == &A);
    CHECK(veche_speaker_current(s) == &A);
    veche_speaker_free(s);
}

TEST(switch_needs_two_windows)
{
    veche_speaker *s = veche_speaker_new();
    const void *who = NULL;
    feed(s, &A, 30, 15);
    CHECK(veche_speaker_tick(s, &who));
    feed(s, &A, 50, 15);
    feed(s, &B, 20, 15);
    CHECK(!veche_speaker_tick(s, &who));   /* one window: a cough */
    feed(s, &A, 30, 15);
    CHECK(!veche_speaker_tick(s, &who));   /* A wins again */
    feed(s, &B, 20, 15);
    CHECK(!veche_speaker_tick(s, &who));
    feed(s, &B, 20, 15);
    CHECK(veche_speaker_tick(s, &who));
    CHECK(who == &B);
    veche_speaker_free(s);
}

TEST(silence_and_noise_ignored)
{
    veche_speaker *s = veche_speaker_new();
    const void *who = NULL;
    feed(s, &A, 127, 50);                  /* silence */
    feed(s, &B, 70, 50);                   /* background noise */
    feed(s, &C, 10, 3);                    /* too few packets */
    CHECK(!veche_speaker_tick(s, &who));
    CHECK(veche_speaker_current(s) == NULL);
    feed(s, &C, 10, 10);
    CHECK(veche_speaker_tick(s, &who));
    CHECK(who == &C);
    CHECK(!veche_speaker_tick(s, &who));   /* silence keeps C */
    CHECK(veche_speaker_current(s) == &C);
    veche_speaker_free(s);
}

TEST(forget)
{
    veche_speaker *s = veche_speaker_new();
    const void *who = NULL;
    feed(s, &A, 30, 15);
    CHECK(veche_speaker_tick(s, &who));
    veche_speaker_forget(s, &A);
    CHECK(veche_speaker_current(s) == NULL);
    feed(s, &B, 40, 15);
    CHECK(veche_speaker_tick(s, &who));
    CHECK(who == &B);
    veche_speaker_forget(s, &C);           /* unknown: no-op */
    veche_speaker_free(s);
    veche_speaker_free(NULL);
}

int main(void)
{
    RUN(first_speaker_at_once);
    RUN(switch_needs_two_windows);
    RUN(silence_and_noise_ignored);
    RUN(forget);
    return check_finish();
}
