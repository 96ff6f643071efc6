/* test_attendance.c - coalescing of attendance changes: the accumulator
 * (server/gov/attdelta.c) and the fan-out to moderators with its 250 ms
 * interval, busy recipients and snapshot (server/signal/attendance.c), on
 * a live roll (roll.c) of a meeting. */
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "attdelta.h"
#include "attendance.h"
#include "check.h"
#include "err.h"
#include "roll.h"

TEST(delta_nets_out)
{
    veche_attdelta *d = veche_attdelta_new();
    int64_t j[8], l[8];
    size_t nj, nl;
    veche_attdelta_note(d, 1, false, true);   /* came */
    veche_attdelta_note(d, 2, true, false);   /* left */
    veche_attdelta_note(d, 3, false, true);   /* came and went: nothing */
    veche_attdelta_note(d, 3, true, false);
    veche_attdelta_note(d, 4, true, false);   /* went and came back: nothing */
    veche_attdelta_note(d, 4, false, true);
    veche_attdelta_note(d, 5, true, true);    /* no change at all */
    CHECK_EQ_INT(veche_attdelta_pending(d), 2);
    veche_attdelta_take(d, j, &nj, l, &nl, 8);
    CHECK_EQ_INT(nj, 1);
    CHECK_EQ_INT(j[0], 1);
    CHECK_EQ_INT(nl, 1);
    CHECK_EQ_INT(l[0], 2);
    CHECK_EQ_INT(veche_attdelta_pending(d), 0);
    /* a new interval starts from what was told */
    veche_attdelta_note(d, 1, true, false);
    veche_attdelta_take(d, j, &nj, l, &nl, 8);
    CHECK_EQ_INT(nj, 0);
    CHECK_EQ_INT(nl, 1);
    CHECK_EQ_INT(l[0], 1);
    veche_attdelta_free(d);
    veche_attdelta_free(NULL);
}

TEST(delta_burst_in_order)
{
    veche_attdelta *d = veche_attdelta_new();
    for (int64_t p = 1; p <= 1000; p++)
        veche_attdelta_note(d, p, false, true);
    for (int64_t p = 1; p <= 1000; p += 2)
        veche_attdelta_note(d, p, true, false);
    CHECK_EQ_INT(veche_attdelta_pending(d), 500);
    int64_t j[1000], l[1000];
    size_t nj, nl;
    veche_attdelta_take(d, j, &nj, l, &nl, 1000);
    CHECK_EQ_INT(nj, 500);
    CHECK_EQ_INT(nl, 0);
    CHECK_EQ_INT(j[0], 2);
    CHECK_EQ_INT(j[499], 1000);
    veche_attdelta_free(d);
}

/* ---- the fan-out ---- */

typedef struct {
    GPtrArray *msgs;              /* json_t*, as sent, to anyone */
    bool busy;
} sink;

static void sink_send(void *ud, void *to, json_t *msg)
{
    (void)to;
    g_ptr_array_add(((sink *)ud)->msgs, msg);
}

static bool sink_busy(void *ud, void *to)
{
    (void)to;
    return ((sink *)ud)->busy;
}

static const char *type_of(json_t *m)
{
    return json_string_value(json_object_get(m, "type"));
}

static int count_type(sink *s, const char *type)
{
    int n = 0;
    for (guint i = 0; i < s->msgs->len; i++)
        n += strcmp(type_of(g_ptr_array_index(s->msgs, i)), type) == 0;
    return n;
}

static json_t *last_of(sink *s, const char *type)
{
    for (guint i = s->msgs->len; i > 0; i--)
        if (strcmp(type_of(g_ptr_array_index(s->msgs, i - 1)), type) == 0)
            return g_ptr_array_index(s->msgs, i - 1);
    return NULL;
}

static int64_t ival(json_t *m, const char *k)
{
    return json_integer_value(json_object_get(m, k));
}

#define EVENT 7

static const veche_event meeting = {.id = EVENT, .body_id = 1, .room_kind = VECHE_ROOM_MEETING,
                                    .room_id = "m7"};

/* person p (voting) joins or leaves the roll, the fan-out told. */
static void join(veche_roll *r, veche_attfan *f, int64_t p, bool voting)
{
    veche_person who = {.id = p};
    g_snprintf(who.full_name, sizeof who.full_name, "Person %lld", (long long)p);
    veche_admission a = {.role = VECHE_ACCESS_MEMBER, .voting = voting};
    bool was = veche_roll_present(r, EVENT, p);
    veche_quorum_change ch;
    veche_roll_roster *ro = veche_roll_live(r, EVENT) ? NULL : veche_roll_roster_new();
    CHECK(veche_roll_join(r, &meeting, &who, &a, p, ro, false, 1000, &ch) >= 0);
    veche_attfan_changed(f, EVENT, p, was, veche_roll_present(r, EVENT, p));
}

static void leave(veche_roll *r, veche_attfan *f, int64_t p)
{
    veche_quorum_change ch;
    bool was = veche_roll_present(r, EVENT, p);
    CHECK(veche_roll_leave(r, EVENT, p, 2000, &ch) >= 0);
    veche_attfan_changed(f, EVENT, p, was, veche_roll_present(r, EVENT, p));
}

static void sink_clear(sink *s)
{
    g_ptr_array_set_size(s->msgs, 0);
}

TEST(fan_snapshot_then_coalesced_delta)
{
    sink s = {g_ptr_array_new_with_free_func((GDestroyNotify)json_decref), false};
    veche_roll *r = veche_roll_new();
    veche_attfan_hooks hooks = {sink_send, sink_busy};
    veche_attfan *f = veche_attfan_new(&hooks, &s, r, NULL, 250);
    int chair = 1;
    join(r, f, 1, true);                       /* nobody subscribed yet: nothing */
    CHECK_EQ_INT(s.msgs->len, 0);
    veche_attfan_subscribe(f, EVENT, &chair);
    json_t *snap = last_of(&s, "attendance");
    CHECK(snap != NULL);
    CHECK_EQ_INT(ival(snap, "v"), 2);
    CHECK_EQ_INT(ival(snap, "present"), 1);
    CHECK_EQ_INT(json_array_size(json_object_get(snap, "people")), 1);
    CHECK(json_object_get(snap, "roster") == NULL);  /* never the whole roster */
    CHECK_EQ_INT(count_type(&s, "quorum"), 1);
    sink_clear(&s);
    /* a burst: 200 join, 50 of them leave again, one more leaves */
    for (int64_t p = 100; p < 300; p++)
        join(r, f, p, true);
    for (int64_t p = 100; p < 150; p++)
        leave(r, f, p);
    CHECK_EQ_INT(s.msgs->len, 0);              /* nothing until the flush */
    veche_attfan_flush(f);
    CHECK_EQ_INT(count_type(&s, "attendance-delta"), 1);
    json_t *d = last_of(&s, "attendance-delta");
    CHECK_EQ_INT(ival(d, "seq"), 1);
    CHECK_EQ_INT(ival(d, "present"), 151);
    CHECK_EQ_INT(ival(d, "total"), 201);
    CHECK_EQ_INT(json_array_size(json_object_get(d, "joined")), 150);
    CHECK_EQ_INT(json_array_size(json_object_get(d, "left")), 0);
    json_t *row = json_array_get(json_object_get(d, "joined"), 0);
    CHECK_EQ_INT(ival(row, "person"), 150);
    CHECK_EQ_STR(json_string_value(json_object_get(row, "name")), "Person 150");
    json_t *q = json_object_get(d, "quorum");
    CHECK_EQ_INT(ival(q, "present"), 151);
    CHECK_EQ_INT(count_type(&s, "quorum"), 1);
    sink_clear(&s);
    veche_attfan_flush(f);                     /* nothing new: nothing sent */
    CHECK_EQ_INT(s.msgs->len, 0);
    leave(r, f, 200);
    veche_attfan_flush(f);
    d = last_of(&s, "attendance-delta");
    CHECK_EQ_INT(ival(d, "seq"), 2);
    CHECK_EQ_INT(json_integer_value(json_array_get(json_object_get(d, "left"), 0)), 200);
    veche_attfan_free(f);
    veche_roll_free(r);
    g_ptr_array_free(s.msgs, TRUE);
}

TEST(fan_waits_while_busy)
{
    sink s = {g_ptr_array_new_with_free_func((GDestroyNotify)json_decref), false};
    veche_roll *r = veche_roll_new();
    veche_attfan_hooks hooks = {sink_send, sink_busy};
    veche_attfan *f = veche_attfan_new(&hooks, &s, r, NULL, 250);
    int chair = 1;
    join(r, f, 1, true);
    veche_attfan_subscribe(f, EVENT, &chair);
    sink_clear(&s);
    s.busy = true;                             /* its last delta is still unsent */
    join(r, f, 2, true);
    veche_attfan_flush(f);
    CHECK_EQ_INT(s.msgs->len, 0);
    join(r, f, 3, false);
    leave(r, f, 2);
    s.busy = false;
    veche_attfan_flush(f);                     /* one delta with everything since */
    CHECK_EQ_INT(count_type(&s, "attendance-delta"), 1);
    json_t *d = last_of(&s, "attendance-delta");
    CHECK_EQ_INT(ival(d, "seq"), 1);
    CHECK_EQ_INT(json_array_size(json_object_get(d, "joined")), 1);
    CHECK_EQ_INT(ival(json_array_get(json_object_get(d, "joined"), 0), "person"), 3);
    CHECK_EQ_INT(json_array_size(json_object_get(d, "left")), 0);  /* 2 came and went */
    CHECK_EQ_INT(ival(d, "present"), 2);
    /* unsubscribed: no more */
    veche_attfan_unsubscribe(f, &chair);
    sink_clear(&s);
    join(r, f, 4, true);
    veche_attfan_flush(f);
    CHECK_EQ_INT(s.msgs->len, 0);
    veche_attfan_free(f);
    veche_roll_free(r);
    g_ptr_array_free(s.msgs, TRUE);
}

/* With the main loop running: a join every 5 ms for 1.2 s gives at most
 * one delta per 250 ms, and the last one has the final counts. */
TEST(fan_interval_on_the_loop)
{
    sink s = {g_ptr_array_new_with_free_func((GDestroyNotify)json_decref), false};
    veche_roll *r = veche_roll_new();
    veche_attfan_hooks hooks = {sink_send, sink_busy};
    veche_attfan *f = veche_attfan_new(&hooks, &s, r, NULL, 250);
    int chair = 1;
    join(r, f, 1, true);
    veche_attfan_subscribe(f, EVENT, &chair);
    sink_clear(&s);
    int64_t start = g_get_monotonic_time();
    int64_t p = 1000;
    GArray *at = g_array_new(FALSE, FALSE, sizeof(int64_t));
    while (g_get_monotonic_time() - start < 1200000) {
        join(r, f, p++, true);
        guint before = s.msgs->len;
        g_usleep(5000);
        while (g_main_context_iteration(NULL, FALSE))
            ;
        if (s.msgs->len > before) {
            int64_t now = g_get_monotonic_time();
            g_array_append_val(at, now);
        }
    }
    int64_t end = g_get_monotonic_time() + 600000;
    while (g_get_monotonic_time() < end)
        g_main_context_iteration(NULL, FALSE), g_usleep(2000);
    int deltas = count_type(&s, "attendance-delta");
    CHECK(deltas >= 3 && deltas <= 6);
    for (guint i = 1; i < at->len; i++)
        CHECK(g_array_index(at, int64_t, i) - g_array_index(at, int64_t, i - 1) >= 240000);
    json_t *d = last_of(&s, "attendance-delta");
    CHECK_EQ_INT(ival(d, "present"), 1 + (p - 1000));
    size_t told = 0;
    for (guint i = 0; i < s.msgs->len; i++) {
        json_t *m = g_ptr_array_index(s.msgs, i);
        if (strcmp(type_of(m), "attendance-delta") == 0)
            told += json_array_size(json_object_get(m, "joined"));
    }
    CHECK_EQ_INT(told, p - 1000);              /* every join told exactly once */
    g_array_free(at, TRUE);
    veche_attfan_free(f);
    veche_roll_free(r);
    g_ptr_array_free(s.msgs, TRUE);
}

int main(void)
{
    RUN(delta_nets_out);
    RUN(delta_burst_in_order);
    RUN(fan_snapshot_then_coalesced_delta);
    RUN(fan_waits_while_busy);
    RUN(fan_interval_on_the_loop);
    return check_finish();
}
