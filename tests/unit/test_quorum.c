/* test_quorum.c - quorum rules ("more than" and "at least" a fraction),
 * the smallest quorate count, rule text, and the change tracker. */
#include <stdint.h>

#include "check.h"
#include "err.h"
#include "quorum.h"

#define MORE VECHE_QUORUM_MORE_THAN
#define LEAST VECHE_QUORUM_AT_LEAST

TEST(reached_table)
{
    static const struct {
        unsigned num, den;
        veche_quorum_mode mode;
        unsigned voting, present;
        bool want;
    } rows[] = {
        /* default: more than half */
        { 1, 2, MORE, 10, 5, false }, { 1, 2, MORE, 10, 6, true },
        { 1, 2, MORE, 9, 4, false },  { 1, 2, MORE, 9, 5, true },
        { 1, 2, MORE, 1, 0, false },  { 1, 2, MORE, 1, 1, true },
        { 1, 2, MORE, 2, 1, false },  { 1, 2, MORE, 2, 2, true },
        /* at least half */
        { 1, 2, LEAST, 10, 5, true }, { 1, 2, LEAST, 10, 4, false },
        { 1, 2, LEAST, 9, 4, false }, { 1, 2, LEAST, 9, 5, true },
        /* two thirds */
        { 2, 3, LEAST, 9, 6, true },  { 2, 3, LEAST, 9, 5, false },
        { 2, 3, MORE, 9, 6, false },  { 2, 3, MORE, 9, 7, true },
        { 2, 3, LEAST, 10, 7, true }, { 2, 3, LEAST, 10, 6, false },
        /* everyone */
        { 1, 1, LEAST, 7, 7, true },  { 1, 1, LEAST, 7, 6, false },
        { 1, 1, MORE, 7, 7, false },
        /* nobody voting, nobody present: never */
        { 1, 2, MORE, 0, 0, false },  { 0, 1, LEAST, 0, 0, false },
        { 0, 1, LEAST, 5, 0, false }, { 0, 1, LEAST, 5, 1, true },
        { 0, 1, MORE, 5, 1, true },
        /* more present than voting: counted as all */
        { 1, 2, MORE, 3, 9, true },
        /* big numbers do not overflow */
        { 999999999, 1000000000, LEAST, 4000000000u, 4000000000u, true },
        { 1, 2, MORE, 4000000000u, 2000000000u, false },
        { 1, 2, MORE, 4000000000u, 2000000001u, true },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_quorum_rule r = { rows[i].num, rows[i].den, rows[i].mode };
        bool got = veche_quorum_reached(&r, rows[i].voting, rows[i].present);
        if (got != rows[i].want)
            fprintf(stderr, "# row %zu\n", i);
        CHECK(got == rows[i].want);
    }
}

TEST(needed_matches_reached)
{
    static const veche_quorum_rule rules[] = {
        { 1, 2, MORE }, { 1, 2, LEAST }, { 2, 3, MORE }, { 2, 3, LEAST },
        { 1, 1, LEAST }, { 1, 1, MORE }, { 0, 1, LEAST }, { 3, 4, MORE },
        { 1, 3, LEAST },
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        for (unsigned voting = 0; voting <= 40; voting++) {
            unsigned k = veche_quorum_needed(&rules[i], voting);
            /* k is the first count that reaches quorum */
            for (unsigned p = 0; p <= voting; p++)
                CHECK(veche_quorum_reached(&rules[i], voting, p) == (p >= k));
        }
    veche_quorum_rule def = VECHE_QUORUM_RULE_DEFAULT;
    CHECK_EQ_INT(veche_quorum_needed(&def, 10), 6);
    CHECK_EQ_INT(veche_quorum_needed(&def, 9), 5);
    CHECK_EQ_INT(veche_quorum_needed(&def, 0), 1);  /* unreachable: voting+1 */
    veche_quorum_rule all = { 1, 1, MORE };
    CHECK_EQ_INT(veche_quorum_needed(&all, 5), 6);
}

TEST(rule_check_parse_format)
{
    veche_quorum_rule r = VECHE_QUORUM_RULE_DEFAULT;
    CHECK_EQ_INT(veche_quorum_rule_check(&r), 0);
    veche_quorum_rule bad[] = { { 1, 0, MORE }, { 3, 2, MORE },
                                { 1, 2, (veche_quorum_mode)7 } };
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(veche_quorum_rule_check(&bad[i]), VECHE_EINVAL);
        CHECK(!veche_quorum_reached(&bad[i], 10, 10));
    }
    static const struct {
        const char *text;
        int want;
        unsigned num, den;
        veche_quorum_mode mode;
    } rows[] = {
        { ">1/2", 0, 1, 2, MORE },    { ">=2/3", 0, 2, 3, LEAST },
        { ">=1/1", 0, 1, 1, LEAST },  { ">0/1", 0, 0, 1, MORE },
        { "1/2", VECHE_EINVAL, 0, 0, MORE },
        { ">1/0", VECHE_EINVAL, 0, 0, MORE },
        { ">3/2", VECHE_EINVAL, 0, 0, MORE },
        { ">1/2 ", VECHE_EINVAL, 0, 0, MORE },
        { "> 1/2", VECHE_EINVAL, 0, 0, MORE },
        { ">-1/2", VECHE_EINVAL, 0, 0, MORE },
        { ">1/", VECHE_EINVAL, 0, 0, MORE },
        { ">1234567890/1234567891", VECHE_EINVAL, 0, 0, MORE },
        { "", VECHE_EINVAL, 0, 0, MORE },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_quorum_rule got = { 9, 9, LEAST };
        CHECK_EQ_INT(veche_quorum_rule_parse(rows[i].text, &got), rows[i].want);
        if (rows[i].want == 0) {
            CHECK_EQ_INT(got.num, rows[i].num);
            CHECK_EQ_INT(got.den, rows[i].den);
            CHECK_EQ_INT(got.mode, rows[i].mode);
            char back[32];
            CHECK(veche_quorum_rule_format(&got, back, sizeof back) > 0);
            CHECK_EQ_STR(back, rows[i].text);
        } else {
            CHECK_EQ_INT(got.num, 9);  /* untouched */
        }
    }
    char tiny[3];
    CHECK_EQ_INT(veche_quorum_rule_format(&r, tiny, sizeof tiny), VECHE_ENOSPC);
}

TEST(tracker_records_changes)
{
    veche_quorum_rule r = VECHE_QUORUM_RULE_DEFAULT;
    veche_quorum_tracker *t = veche_quorum_tracker_new(&r);
    CHECK(t != NULL);
    if (!t)
        return;
    CHECK(!veche_quorum_tracker_reached(t));
    veche_quorum_change c;
    /* 7 voting members arrive one by one, then two leave, one returns. */
    static const struct {
        int64_t ts;
        unsigned present;
        int want;
    } steps[] = {
        { 1000, 0, 1 },  /* the initial status is recorded */
        { 2000, 1, 0 }, { 3000, 2, 0 }, { 4000, 3, 0 },
        { 5000, 4, 1 },  /* 4 of 7: reached */
        { 6000, 5, 0 }, { 7000, 4, 0 },
        { 8000, 3, 1 },  /* lost */
        { 9000, 4, 1 },  /* reached again */
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        CHECK_EQ_INT(veche_quorum_tracker_update(t, steps[i].ts, 7,
                                                 steps[i].present, &c),
                     steps[i].want);
    CHECK_EQ_INT(veche_quorum_tracker_count(t), 4);
    static const struct {
        int64_t ts;
        bool reached;
        unsigned present;
    } want[] = { { 1000, false, 0 }, { 5000, true, 4 }, { 8000, false, 3 },
                 { 9000, true, 4 } };
    for (size_t i = 0; i < 4; i++) {
        const veche_quorum_change *g = veche_quorum_tracker_get(t, i);
        CHECK(g != NULL);
        if (!g)
            continue;
        CHECK_EQ_INT(g->ts_ms, want[i].ts);
        CHECK(g->reached == want[i].reached);
        CHECK_EQ_INT(g->present, want[i].present);
        CHECK_EQ_INT(g->voting, 7);
    }
    CHECK(veche_quorum_tracker_get(t, 4) == NULL);
    CHECK(veche_quorum_tracker_reached(t));
    CHECK_EQ_INT(c.ts_ms, 9000);
    CHECK(c.reached);
    veche_quorum_tracker_free(t);
}

TEST(tracker_edge_cases)
{
    veche_quorum_rule r = VECHE_QUORUM_RULE_DEFAULT;
    veche_quorum_rule bad = { 1, 0, MORE };
    CHECK(veche_quorum_tracker_new(&bad) == NULL);
    CHECK(veche_quorum_tracker_new(NULL) == NULL);
    veche_quorum_tracker_free(NULL);
    veche_quorum_tracker *t = veche_quorum_tracker_new(&r);
    CHECK(t != NULL);
    if (!t)
        return;
    /* The voting count may change mid-meeting (a member added). */
    CHECK_EQ_INT(veche_quorum_tracker_update(t, 100, 4, 3, NULL), 1);
    CHECK(veche_quorum_tracker_reached(t));
    CHECK_EQ_INT(veche_quorum_tracker_update(t, 200, 6, 3, NULL), 1);
    CHECK(!veche_quorum_tracker_reached(t));
    /* The wall clock steps back: the log stays ordered. */
    CHECK_EQ_INT(veche_quorum_tracker_update(t, 150, 6, 4, NULL), 1);
    const veche_quorum_change *last = veche_quorum_tracker_get(t, 2);
    CHECK(last && last->ts_ms == 200);
    /* Many flips: storage grows. */
    for (int i = 0; i < 100; i++)
        CHECK_EQ_INT(veche_quorum_tracker_update(t, 1000 + i, 6, i % 2 ? 4 : 2,
                                                 NULL), 1);
    CHECK_EQ_INT(veche_quorum_tracker_count(t), 103);
    CHECK_EQ_INT(veche_quorum_tracker_update(NULL, 0, 1, 1, NULL),
                 VECHE_EINVAL);
    veche_quorum_tracker_free(t);
}

int main(void)
{
    RUN(reached_table);
    RUN(needed_matches_reached);
    RUN(rule_check_parse_format);
    RUN(tracker_records_changes);
    RUN(tracker_edge_cases);
    return check_finish();
}
