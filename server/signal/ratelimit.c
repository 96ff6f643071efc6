/* ratelimit.c - token buckets (ratelimit.h). */
#include "ratelimit.h"

bool veche_bucket_take(veche_bucket *b, unsigned per_minute, unsigned burst, int64_t now_us)
{
    int64_t cap = (int64_t)burst * 1000;
    if (!b->started) {
        b->started = true;
        b->milli = cap;
        b->last_us = now_us;
    }
    if (now_us > b->last_us) {
        /* per_minute tokens per 60e6 us, in thousandths: per_minute * dt / 60000 */
        int64_t gain = (now_us - b->last_us) * (int64_t)per_minute / 60000;
        if (gain > 0) {
            b->milli = b->milli + gain > cap ? cap : b->milli + gain;
            b->last_us = now_us;  /* gains below one thousandth wait for later */
        }
    }
    if (b->milli >= 1000) {
        b->milli -= 1000;
        b->limited = false;
        return true;
    }
    b->limited = true;
    return false;
}
