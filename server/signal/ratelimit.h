/* ratelimit.h - a token bucket per connection and kind of request.
 *
 * A bucket holds up to `burst` tokens and gains `per_minute` tokens a
 * minute (continuously, in thousandths of a token); each request takes
 * one, and a request that finds none is refused (`rate-limited`, not
 * broadcast).  So a person typing or clicking by hand never meets the
 * limit (a burst of 10, then one every 2 s by default), and a script
 * that floods gets through only burst + per_minute per minute.
 *
 * Pure: no clock of its own (times are passed in), no I/O, plain struct
 * on the caller's storage.
 */
#ifndef VECHE_RATELIMIT_H
#define VECHE_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t milli;                /* tokens x 1000 */
    int64_t last_us;              /* time of the last refill */
    bool started;
    bool limited;                 /* the last take was refused */
} veche_bucket;

/* Take one token at now_us: true when there was one.  A new (zeroed)
 * bucket starts full. */
bool veche_bucket_take(veche_bucket *b, unsigned per_minute, unsigned burst, int64_t now_us);

#endif
