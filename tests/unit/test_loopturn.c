/* test_loopturn.c - the main loop turn probe (loopturn.h) on a context of
 * its own: a turn that computes shows in wall and CPU maxima, a turn that
 * sleeps only in the wall maximum, take resets the maxima, not the counts,
 * and a turn before the probe existed is not counted. */
#include <time.h>

#include "check.h"
#include "loopturn.h"

static int64_t cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static gboolean spin_30ms(gpointer data)
{
    (void)data;
    int64_t end = cpu_us() + 30000;
    volatile unsigned x = 0;
    while (cpu_us() < end)
        x++;
    return G_SOURCE_REMOVE;
}

static gboolean sleep_30ms(gpointer data)
{
    (void)data;
    g_usleep(30000);
    return G_SOURCE_REMOVE;
}

/* Run ctx until idle, then one blocking-free iteration more so the last
 * turn ends (its end is the next prepare). */
static void run_idle(GMainContext *ctx)
{
    while (g_main_context_iteration(ctx, FALSE))
        ;
    g_main_context_iteration(ctx, FALSE);
}

TEST(busy_turn_counts_wall_and_cpu)
{
    GMainContext *ctx = g_main_context_new();
    veche_loopturn *lt = veche_loopturn_new(ctx);
    veche_loopturn_stats st;
    run_idle(ctx);
    veche_loopturn_take(lt, &st);
    CHECK(st.max_us < 20000);
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, spin_30ms, NULL, NULL);
    g_source_attach(s, ctx);
    g_source_unref(s);
    run_idle(ctx);
    veche_loopturn_take(lt, &st);
    CHECK(st.max_us >= 30000);
    CHECK(st.max_cpu_us >= 29000);
    CHECK(st.busy_us_total >= 30000);
    uint64_t turns = st.turns;
    CHECK(turns >= 2);
    /* take reset the maxima, not the totals */
    veche_loopturn_take(lt, &st);
    CHECK_EQ_INT((int)st.max_us, 0);
    CHECK_EQ_INT((int)st.max_cpu_us, 0);
    CHECK(st.turns == turns);
    CHECK(st.busy_us_total >= 30000);
    veche_loopturn_free(lt);
    g_main_context_unref(ctx);
}

TEST(sleeping_turn_counts_wall_only)
{
    GMainContext *ctx = g_main_context_new();
    veche_loopturn *lt = veche_loopturn_new(ctx);
    GSource *s = g_idle_source_new();
    g_source_set_callback(s, sleep_30ms, NULL, NULL);
    g_source_attach(s, ctx);
    g_source_unref(s);
    run_idle(ctx);
    veche_loopturn_stats st;
    veche_loopturn_take(lt, &st);
    CHECK(st.max_us >= 30000);
    CHECK(st.max_cpu_us < 15000);
    veche_loopturn_free(lt);
    g_main_context_unref(ctx);
}

TEST(free_detaches)
{
    GMainContext *ctx = g_main_context_new();
    veche_loopturn_free(veche_loopturn_new(ctx));
    veche_loopturn_free(NULL);
    /* nothing of ours left to prepare */
    CHECK(!g_main_context_iteration(ctx, FALSE));
    g_main_context_unref(ctx);
}

int main(void)
{
    RUN(busy_turn_counts_wall_and_cpu);
    RUN(sleeping_turn_counts_wall_only);
    RUN(free_detaches);
    return check_finish();
}
