/* loopturn.h - how long a GLib main loop's turns take: the time from its
 * wake-up (poll returned) to its next sleep (prepare before poll), as wall
 * time and as the thread's CPU time.  For the main thread: a slow
 * /healthz is either a long turn (something ran: the CPU maximum is near
 * the wall maximum) or the thread waiting for a core (wall >> CPU, and the
 * run-queue wait in /proc/PID/task/TID/schedstat grows).
 *
 * A GSource of the highest priority on the context, so it is prepared and
 * checked in every iteration; it never dispatches.  Costs two clock reads
 * (one of them CLOCK_THREAD_CPUTIME_ID) per iteration.
 *
 * Ownership: the caller owns the veche_loopturn (new/free); the source is
 * attached to ctx until free.  Thread safety: every call on the thread
 * that runs ctx.  Does not: say what ran (perf does), or look at other
 * threads' loops (the media workers have their own lag probe, worker.c).
 */
#ifndef VECHE_LOOPTURN_H
#define VECHE_LOOPTURN_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct veche_loopturn veche_loopturn;

typedef struct {
    uint64_t turns;          /* iterations since new */
    uint64_t busy_us_total;  /* their wall time, summed */
    uint64_t max_us;         /* the longest turn since the last take, wall */
    uint64_t max_cpu_us;     /* the most CPU one turn used since the last take */
} veche_loopturn_stats;

veche_loopturn *veche_loopturn_new(GMainContext *ctx);
void veche_loopturn_free(veche_loopturn *lt);  /* accepts NULL */

/* The counts, and the maxima since the previous take (which it resets). */
void veche_loopturn_take(veche_loopturn *lt, veche_loopturn_stats *out);

#endif
