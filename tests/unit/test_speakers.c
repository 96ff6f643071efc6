/* test_speakers.c - a meeting's speakers list (sfu/speakers.c): order,
 * withdraw, reorder, skip, give the floor, the time limit, the reset on a
 * new agenda item, a participant who leaves, one who drops out and comes
 * back (keeps its place) or does not (removed); and the rights in policy.c. */
#include "check.h"
#include "err.h"
#include "policy.h"
#include "speakers.h"

#include <glib.h>

/* The waiting ids joined by spaces, "" when none. */
static const char *order(const veche_speakers *sp)
{
    static char buf[VECHE_SPEAKERS_MAX * VECHE_PARTICIPANT_ID_LEN];
    veche_sfu_speakers *s = veche_speakers_snapshot(sp);
    buf[0] = '\0';
    for (unsigned i = 0; i < s->n; i++) {
        if (i)
            g_strlcat(buf, " ", sizeof buf);
        g_strlcat(buf, s->list[i], sizeof buf);
    }
    g_free(s);
    return buf;
}

TEST(order_of_requests)
{
    veche_speakers *sp = veche_speakers_new();
    CHECK_EQ_STR(order(sp), "");
    CHECK_EQ_INT(veche_speakers_request(sp, "a"), 0);
    CHECK_EQ_INT(veche_speakers_request(sp, "b"), 0);
    CHECK_EQ_INT(veche_speakers_request(sp, "c"), 0);
    CHECK_EQ_STR(order(sp), "a b c");
    CHECK_EQ_INT(veche_speakers_request(sp, "b"), VECHE_EEXISTS);  /* once only */
    CHECK_EQ_STR(order(sp), "a b c");
    CHECK_EQ_INT(veche_speakers_request(sp, ""), VECHE_EINVAL);
    CHECK_EQ_INT(veche_speakers_request(sp, NULL), VECHE_EINVAL);
    CHECK_EQ_INT(veche_speakers_request(sp, "0123456789abcdefX"), VECHE_EINVAL);
    CHECK(veche_speakers_waiting(sp, "c"));
    CHECK(!veche_speakers_waiting(sp, "d"));
    veche_speakers_free(sp);
    veche_speakers_free(NULL);
}

TEST(full_list)
{
    veche_speakers *sp = veche_speakers_new();
    char id[8];
    for (int i = 0; i < VECHE_SPEAKERS_MAX; i++) {
        snprintf(id, sizeof id, "p%d", i);
        CHECK_EQ_INT(veche_speakers_request(sp, id), 0);
    }
    CHECK_EQ_INT(veche_speakers_request(sp, "late"), VECHE_ELIMIT);
    CHECK(!veche_speakers_waiting(sp, "late"));
    veche_speakers_free(sp);
}

TEST(withdraw_and_skip)
{
    veche_speakers *sp = veche_speakers_new();
    veche_speakers_request(sp, "a");
    veche_speakers_request(sp, "b");
    veche_speakers_request(sp, "c");
    CHECK_EQ_INT(veche_speakers_withdraw(sp, "b"), 0);
    CHECK_EQ_STR(order(sp), "a c");
    CHECK_EQ_INT(veche_speakers_withdraw(sp, "b"), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_speakers_withdraw(sp, "c"), 0);  /* the last */
    CHECK_EQ_STR(order(sp), "a");
    CHECK_EQ_INT(veche_speakers_request(sp, "b"), 0);   /* asks again: at the end */
    CHECK_EQ_STR(order(sp), "a b");
    veche_speakers_free(sp);
}

TEST(reorder)
{
    static const struct {
        const char *id;
        unsigned to;
        const char *want;
    } rows[] = {
        {"d", 1, "d a b c"}, {"d", 4, "a b c d"}, {"a", 2, "b a c d"},
        {"b", 99, "a c d b"}, {"c", 2, "a c d b"}, {"b", 1, "b a c d"},
    };
    veche_speakers *sp = veche_speakers_new();
    veche_speakers_request(sp, "a");
    veche_speakers_request(sp, "b");
    veche_speakers_request(sp, "c");
    veche_speakers_request(sp, "d");
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        CHECK_EQ_INT(veche_speakers_move(sp, rows[i].id, rows[i].to), 0);
        CHECK_EQ_STR(order(sp), rows[i].want);
    }
    CHECK_EQ_INT(veche_speakers_move(sp, "zz", 1), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_speakers_move(sp, "a", 0), VECHE_EINVAL);
    CHECK_EQ_STR(order(sp), "b a c d");
    veche_speakers_free(sp);
}

TEST(give_the_floor)
{
    veche_speakers *sp = veche_speakers_new();
    char prev[VECHE_PARTICIPANT_ID_LEN];
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, -1, 1000, prev), VECHE_ENOTFOUND);
    veche_speakers_request(sp, "a");
    veche_speakers_request(sp, "b");
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, -1, 1000, prev), 0);  /* the first */
    CHECK_EQ_STR(prev, "");
    CHECK_EQ_STR(veche_speakers_speaking(sp), "a");
    CHECK_EQ_STR(order(sp), "b");
    CHECK_EQ_INT(veche_speakers_request(sp, "a"), VECHE_EEXISTS);  /* speaking now */
    /* the chair may give the floor to someone who did not ask */
    CHECK_EQ_INT(veche_speakers_give(sp, "z", -1, 2000, prev), 0);
    CHECK_EQ_STR(prev, "a");
    CHECK_EQ_STR(veche_speakers_speaking(sp), "z");
    CHECK_EQ_STR(order(sp), "b");
    CHECK_EQ_INT(veche_speakers_give(sp, "b", -1, 3000, prev), 0);  /* out of turn */
    CHECK_EQ_STR(order(sp), "");
    CHECK(veche_speakers_done(sp, prev));
    CHECK_EQ_STR(prev, "b");
    CHECK_EQ_STR(veche_speakers_speaking(sp), "");
    CHECK(!veche_speakers_done(sp, prev));
    veche_speakers_free(sp);
}

TEST(time_limit)
{
    veche_speakers *sp = veche_speakers_new();
    veche_speakers_request(sp, "a");
    veche_speakers_request(sp, "b");
    veche_speakers_request(sp, "c");
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, -1, 10000, NULL), 0);  /* no limit set */
    veche_sfu_speakers *s = veche_speakers_snapshot(sp);
    CHECK_EQ_INT(s->since_ms, 10000);
    CHECK_EQ_INT(s->deadline_ms, 0);
    g_free(s);
    veche_speakers_set_limit(sp, 180);
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, -1, 20000, NULL), 0);  /* the list's */
    s = veche_speakers_snapshot(sp);
    CHECK_EQ_STR(s->speaking, "b");
    CHECK_EQ_INT(s->limit_s, 180);
    CHECK_EQ_INT(s->deadline_ms, 20000 + 180000);
    g_free(s);
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, 30, 30000, NULL), 0);  /* its own */
    s = veche_speakers_snapshot(sp);
    CHECK_EQ_INT(s->deadline_ms, 60000);
    g_free(s);
    veche_speakers_request(sp, "a");
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, 0, 40000, NULL), 0);  /* none this time */
    s = veche_speakers_snapshot(sp);
    CHECK_EQ_INT(s->deadline_ms, 0);
    CHECK_EQ_INT(s->limit_s, 180);
    g_free(s);
    veche_speakers_done(sp, NULL);
    s = veche_speakers_snapshot(sp);
    CHECK_EQ_INT(s->since_ms, 0);
    CHECK_EQ_INT(s->deadline_ms, 0);
    g_free(s);
    veche_speakers_free(sp);
}

TEST(new_item_starts_afresh)
{
    veche_speakers *sp = veche_speakers_new();
    char prev[VECHE_PARTICIPANT_ID_LEN];
    veche_speakers_set_limit(sp, 60);
    veche_speakers_request(sp, "a");
    veche_speakers_request(sp, "b");
    veche_speakers_give(sp, NULL, -1, 1000, NULL);
    veche_speakers_reset(sp, 7, prev);
    CHECK_EQ_STR(prev, "a");
    veche_sfu_speakers *s = veche_speakers_snapshot(sp);
    CHECK_EQ_INT(s->n, 0);
    CHECK_EQ_STR(s->speaking, "");
    CHECK_EQ_INT(s->item, 7);
    CHECK_EQ_INT(s->limit_s, 60);  /* the limit stays */
    g_free(s);
    veche_speakers_free(sp);
}

TEST(leaving_participant_forgotten)
{
    veche_speakers *sp = veche_speakers_new();
    veche_speakers_request(sp, "a");
    veche_speakers_request(sp, "b");
    veche_speakers_request(sp, "c");
    veche_speakers_give(sp, "a", -1, 1000, NULL);
    CHECK(veche_speakers_forget(sp, "b"));
    CHECK_EQ_STR(order(sp), "c");
    CHECK(veche_speakers_forget(sp, "a"));  /* the speaker */
    CHECK_EQ_STR(veche_speakers_speaking(sp), "");
    CHECK(!veche_speakers_forget(sp, "x"));
    veche_speakers_free(sp);
}

TEST(rights)
{
    static const struct {
        veche_room_kind kind;
        veche_role role;
        veche_right right;
        bool want;
    } rows[] = {
        {VECHE_ROOM_MEETING, VECHE_ROLE_MEMBER, VECHE_RIGHT_REQUEST_FLOOR, true},
        {VECHE_ROOM_MEETING, VECHE_ROLE_GUEST, VECHE_RIGHT_REQUEST_FLOOR, true},
        {VECHE_ROOM_MEETING, VECHE_ROLE_MODERATOR, VECHE_RIGHT_REQUEST_FLOOR, false},
        {VECHE_ROOM_TRAINING, VECHE_ROLE_MEMBER, VECHE_RIGHT_REQUEST_FLOOR, false},
        {VECHE_ROOM_MEETING, VECHE_ROLE_MEMBER, VECHE_RIGHT_RAISE_HAND, false},
        {VECHE_ROOM_TRAINING, VECHE_ROLE_MEMBER, VECHE_RIGHT_RAISE_HAND, true},
        {VECHE_ROOM_TRAINING, VECHE_ROLE_GUEST, VECHE_RIGHT_RAISE_HAND, true},
        {VECHE_ROOM_MEETING, VECHE_ROLE_MODERATOR, VECHE_RIGHT_MODERATE, true},
        {VECHE_ROOM_MEETING, VECHE_ROLE_MEMBER, VECHE_RIGHT_MODERATE, false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        bool got = veche_policy_allows(rows[i].kind, rows[i].role, false, rows[i].right);
        if (got != rows[i].want)
            fprintf(stderr, "# row %zu\n", i);
        CHECK(got == rows[i].want);
    }
    CHECK(strstr(veche_policy_refusal(VECHE_ROOM_MEETING, VECHE_RIGHT_RAISE_HAND),
                 "speakers list") != NULL);
}

/* Which waiting ids are marked away, joined by spaces. */
static const char *away(const veche_speakers *sp)
{
    static char buf[VECHE_SPEAKERS_MAX * VECHE_PARTICIPANT_ID_LEN];
    veche_sfu_speakers *s = veche_speakers_snapshot(sp);
    buf[0] = '\0';
    for (unsigned i = 0; i < s->n; i++) {
        if (!s->away[i])
            continue;
        if (buf[0])
            g_strlcat(buf, " ", sizeof buf);
        g_strlcat(buf, s->list[i], sizeof buf);
    }
    g_free(s);
    return buf;
}

TEST(dropped_keeps_place_and_comes_back)
{
    veche_speakers *sp = veche_speakers_new();
    char prev[VECHE_PARTICIPANT_ID_LEN];
    CHECK_EQ_INT(veche_speakers_request(sp, "a"), 0);
    CHECK_EQ_INT(veche_speakers_request(sp, "b"), 0);
    CHECK_EQ_INT(veche_speakers_request(sp, "c"), 0);
    CHECK(veche_speakers_hold(sp, "b", prev));        /* b's network dropped */
    CHECK_EQ_STR(prev, "");
    CHECK_EQ_STR(order(sp), "a b c");                  /* still second */
    CHECK_EQ_STR(away(sp), "b");
    CHECK(!veche_speakers_hold(sp, "b", NULL));       /* no change twice */
    CHECK(!veche_speakers_hold(sp, "zz", NULL));      /* not listed: nothing */
    CHECK_EQ_INT(veche_speakers_request(sp, "b"), VECHE_EEXISTS);
    /* the away flag moves with its id when the chair reorders */
    CHECK_EQ_INT(veche_speakers_move(sp, "c", 1), 0);
    CHECK_EQ_STR(order(sp), "c a b");
    CHECK_EQ_STR(away(sp), "b");
    CHECK_EQ_INT(veche_speakers_move(sp, "b", 1), 0);
    CHECK_EQ_STR(order(sp), "b c a");
    CHECK_EQ_STR(away(sp), "b");
    /* "next" passes over one who is away, without taking its place */
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, 0, 1000, prev), 0);
    CHECK_EQ_STR(veche_speakers_speaking(sp), "c");
    CHECK_EQ_STR(order(sp), "b a");
    CHECK(veche_speakers_back(sp, "b"));               /* resumed in time */
    CHECK(!veche_speakers_back(sp, "b"));
    CHECK_EQ_STR(away(sp), "");
    CHECK_EQ_STR(order(sp), "b a");
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, 0, 2000, prev), 0);
    CHECK_EQ_STR(veche_speakers_speaking(sp), "b");
    CHECK_EQ_STR(prev, "c");
    veche_speakers_free(sp);
}

TEST(dropped_not_back_is_removed)
{
    veche_speakers *sp = veche_speakers_new();
    char prev[VECHE_PARTICIPANT_ID_LEN];
    CHECK_EQ_INT(veche_speakers_request(sp, "a"), 0);
    CHECK_EQ_INT(veche_speakers_request(sp, "b"), 0);
    CHECK(veche_speakers_hold(sp, "a", NULL));
    /* only away ids wait: "next" finds nobody, the list is unchanged */
    CHECK_EQ_INT(veche_speakers_withdraw(sp, "b"), 0);
    CHECK_EQ_INT(veche_speakers_give(sp, NULL, 0, 1000, prev), VECHE_ENOTFOUND);
    CHECK_EQ_STR(order(sp), "a");
    /* the grace period ran out (or it said goodbye): gone, flag and all */
    CHECK(veche_speakers_forget(sp, "a"));
    CHECK_EQ_STR(order(sp), "");
    CHECK_EQ_STR(away(sp), "");
    CHECK(!veche_speakers_back(sp, "a"));
    CHECK_EQ_INT(veche_speakers_request(sp, "c"), 0);  /* the slot is clean */
    CHECK_EQ_STR(away(sp), "");
    /* one speaking who drops loses the floor (the chair gives it again) */
    CHECK_EQ_INT(veche_speakers_give(sp, "c", 0, 1000, prev), 0);
    CHECK(veche_speakers_hold(sp, "c", prev));
    CHECK_EQ_STR(prev, "c");
    CHECK_EQ_STR(veche_speakers_speaking(sp), "");
    /* a new item empties the list, away ones too */
    CHECK_EQ_INT(veche_speakers_request(sp, "d"), 0);
    CHECK(veche_speakers_hold(sp, "d", NULL));
    veche_speakers_reset(sp, 7, prev);
    CHECK_EQ_STR(order(sp), "");
    CHECK_EQ_INT(veche_speakers_request(sp, "d"), 0);
    CHECK_EQ_STR(away(sp), "");
    veche_speakers_free(sp);
}

int main(void)
{
    RUN(order_of_requests);
    RUN(full_list);
    RUN(withdraw_and_skip);
    RUN(reorder);
    RUN(give_the_floor);
    RUN(time_limit);
    RUN(new_item_starts_afresh);
    RUN(leaving_participant_forgotten);
    RUN(dropped_keeps_place_and_comes_back);
    RUN(dropped_not_back_is_removed);
    RUN(rights);
    return check_finish();
}
