/* loopturn.c - the main loop's turn lengths; see loopturn.h.
 *
 * GLib's iteration: prepare every source (ours first: highest priority),
 * poll, check (ours first), dispatch.  check marks the wake-up, the next
 * prepare the end of the turn; the first prepare has no turn before it.
 */
#include "loopturn.h"

#include <time.h>

typedef struct {
    GSource base;
    veche_loopturn *lt;
} turn_source;

struct veche_loopturn {
    GSource *source;
    bool awake;            /* check ran, prepare has not yet */
    int64_t woke_us;       /* monotonic, at check */
    int64_t woke_cpu_us;   /* thread CPU, at check */
    veche_loopturn_stats st;
};

static int64_t thread_cpu_us(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static gboolean turn_prepare(GSource *source, gint *timeout)
{
    veche_loopturn *lt = ((turn_source *)source)->lt;
    *timeout = -1;
    if (!lt->awake)
        return FALSE;
    lt->awake = false;
    int64_t now = g_get_monotonic_time(), cpu = thread_cpu_us();
    uint64_t wall = now > lt->woke_us ? (uint64_t)(now - lt->woke_us) : 0;
    uint64_t used = cpu > lt->woke_cpu_us ? (uint64_t)(cpu - lt->woke_cpu_us) : 0;
    lt->st.turns++;
    lt->st.busy_us_total += wall;
    if (wall > lt->st.max_us)
        lt->st.max_us = wall;
    if (used > lt->st.max_cpu_us)
        lt->st.max_cpu_us = used;
    return FALSE;
}

static gboolean turn_check(GSource *source)
{
    veche_loopturn *lt = ((turn_source *)source)->lt;
    lt->awake = true;
    lt->woke_us = g_get_monotonic_time();
    lt->woke_cpu_us = thread_cpu_us();
    return FALSE;
}

static gboolean turn_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    (void)source, (void)cb, (void)data;
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs turn_funcs = {
    .prepare = turn_prepare, .check = turn_check, .dispatch = turn_dispatch,
};

veche_loopturn *veche_loopturn_new(GMainContext *ctx)
{
    veche_loopturn *lt = g_new0(veche_loopturn, 1);
    lt->source = g_source_new(&turn_funcs, sizeof(turn_source));
    ((turn_source *)lt->source)->lt = lt;
    g_source_set_name(lt->source, "veche-loopturn");
    /* Above every other source: GLib prepares and checks sources in
     * priority order and stops below the first ready one. */
    g_source_set_priority(lt->source, G_PRIORITY_HIGH - 1000);
    g_source_attach(lt->source, ctx);
    return lt;
}

void veche_loopturn_free(veche_loopturn *lt)
{
    if (!lt)
        return;
    g_source_destroy(lt->source);
    g_source_unref(lt->source);
    g_free(lt);
}

void veche_loopturn_take(veche_loopturn *lt, veche_loopturn_stats *out)
{
    *out = lt->st;
    lt->st.max_us = 0;
    lt->st.max_cpu_us = 0;
}
