/* test_vote.c - majority rules (every rule, ties, zero votes, all
 * abstaining), the ballot box (a changed vote, double voting, people not
 * entitled, a reconnect, a secret ballot restored after a restart), the
 * snapshot of entitled voters from the roll, quorum at opening, and the
 * vote tables (secret ballots unlinked, closed votes immutable, minutes
 * final). */
#include <glib.h>

#include "roll.h"
#include "storeq.h"
#include "vote.h"
#include "store_fixture.h"
#include "store_votes.h"
#include "vote_rule.h"

static veche_vote_rule rule(const char *name)
{
    veche_vote_rule r = {VECHE_VOTE_HALF, VECHE_VOTE_BASE_CAST};
    CHECK_EQ_INT(veche_vote_rule_parse(name, &r), 0);
    return r;
}

/* Rows: rule, for/against/abstain counts, present, members, adopted, needed. */
TEST(majority_rules_table)
{
    static const struct {
        const char *rule;
        unsigned f, a, ab, present, members;
        bool adopted;
        unsigned needed;
    } rows[] = {
        {"half-of-cast", 3, 2, 0, 5, 7, true, 3},
        {"half-of-cast", 2, 2, 1, 5, 7, false, 3},       /* tie */
        {"half-of-cast", 3, 2, 4, 9, 9, true, 3},        /* abstentions not cast */
        {"half-of-cast", 0, 0, 0, 5, 7, false, 1},       /* zero votes */
        {"half-of-cast", 0, 0, 5, 5, 7, false, 1},       /* all abstain */
        {"half-of-cast", 1, 0, 4, 5, 7, true, 1},
        {"half-of-present", 3, 2, 0, 6, 9, false, 4},    /* 3 of 6 present: not more */
        {"half-of-present", 4, 1, 1, 6, 9, true, 4},
        {"half-of-present", 2, 2, 0, 4, 9, false, 3},    /* tie */
        {"half-of-present", 0, 0, 0, 5, 7, false, 3},    /* zero votes */
        {"half-of-present", 0, 0, 5, 5, 7, false, 3},    /* all abstain */
        {"half-of-members", 4, 0, 0, 5, 9, false, 5},
        {"half-of-members", 5, 0, 0, 5, 9, true, 5},
        {"half-of-members", 0, 0, 0, 0, 0, false, 1},
        {"half-of-members", 3, 3, 0, 6, 6, false, 4},    /* tie */
        {"half-of-members", 0, 0, 0, 5, 9, false, 5},    /* zero votes */
        {"half-of-members", 0, 0, 5, 5, 9, false, 5},    /* all abstain */
        {"two-thirds-of-cast", 2, 1, 0, 3, 3, true, 2},  /* exactly two thirds */
        {"two-thirds-of-cast", 3, 2, 0, 5, 5, false, 4},
        {"two-thirds-of-cast", 4, 2, 3, 9, 9, true, 4},
        {"two-thirds-of-cast", 0, 0, 3, 3, 3, false, 1}, /* all abstain */
        {"two-thirds-of-cast", 2, 2, 0, 4, 4, false, 3}, /* tie */
        {"two-thirds-of-cast", 0, 0, 0, 3, 3, false, 1}, /* zero votes */
        {"two-thirds-of-present", 4, 0, 2, 6, 9, true, 4},
        {"two-thirds-of-present", 3, 0, 3, 6, 9, false, 4},
        {"two-thirds-of-present", 3, 3, 0, 6, 9, false, 4},  /* tie */
        {"two-thirds-of-present", 0, 0, 0, 6, 9, false, 4},  /* zero votes */
        {"two-thirds-of-present", 0, 0, 6, 6, 9, false, 4},  /* all abstain */
        {"two-thirds-of-members", 6, 0, 0, 6, 9, true, 6},
        {"two-thirds-of-members", 5, 0, 1, 6, 9, false, 6},
        {"two-thirds-of-members", 1, 1, 0, 2, 2, false, 2},  /* tie */
        {"two-thirds-of-members", 0, 0, 0, 6, 9, false, 6},  /* zero votes */
        {"two-thirds-of-members", 0, 0, 6, 6, 9, false, 6},  /* all abstain */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        veche_vote_rule r = rule(rows[i].rule);
        unsigned counts[3] = {rows[i].f, rows[i].a, rows[i].ab};
        veche_vote_outcome o;
        CHECK_EQ_INT(veche_vote_decide(&r, counts, 3, 2, true, rows[i].present, rows[i].members,
                                       &o), 0);
        if (o.adopted != rows[i].adopted || o.needed != rows[i].needed)
            fprintf(stderr, "# row %zu (%s): adopted %d needed %u\n", i, rows[i].rule,
                    o.adopted, o.needed);
        CHECK(o.adopted == rows[i].adopted);
        CHECK_EQ_INT(o.needed, rows[i].needed);
        CHECK_EQ_INT(o.ballots, rows[i].f + rows[i].a + rows[i].ab);
        CHECK_EQ_INT(o.cast, rows[i].f + rows[i].a);
    }
}

TEST(majority_against_wins_is_not_adopted)
{
    veche_vote_rule r = rule("half-of-cast");
    unsigned counts[3] = {1, 4, 0};
    veche_vote_outcome o;
    CHECK_EQ_INT(veche_vote_decide(&r, counts, 3, 2, true, 5, 5, &o), 0);
    CHECK_EQ_INT(o.winner, 1);
    CHECK(!o.adopted);
}

TEST(custom_options_and_ties)
{
    veche_vote_rule r = rule("half-of-cast");
    unsigned tie[3] = {2, 2, 1};
    veche_vote_outcome o;
    CHECK_EQ_INT(veche_vote_decide(&r, tie, 3, -1, false, 5, 5, &o), 0);
    CHECK_EQ_INT(o.winner, -1);
    CHECK(!o.adopted);
    unsigned win[3] = {1, 4, 0};
    CHECK_EQ_INT(veche_vote_decide(&r, win, 3, -1, false, 5, 5, &o), 0);
    CHECK_EQ_INT(o.winner, 1);
    CHECK(o.adopted);
    unsigned none[2] = {0, 0};
    CHECK_EQ_INT(veche_vote_decide(&r, none, 2, -1, false, 5, 5, &o), 0);
    CHECK_EQ_INT(o.winner, -1);
}

TEST(rule_names_round_trip_and_bad_input)
{
    const char *names[] = {"half-of-cast", "half-of-present", "half-of-members",
                           "two-thirds-of-cast", "two-thirds-of-present",
                           "two-thirds-of-members"};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        veche_vote_rule r = rule(names[i]);
        CHECK_EQ_STR(veche_vote_rule_name(&r), names[i]);
    }
    veche_vote_rule r = {VECHE_VOTE_HALF, VECHE_VOTE_BASE_CAST};
    CHECK_EQ_INT(veche_vote_rule_parse("most", &r), VECHE_EINVAL);
    CHECK_EQ_INT(veche_vote_rule_parse(NULL, &r), VECHE_EINVAL);
    veche_vote_rule bad = {(veche_vote_share)7, VECHE_VOTE_BASE_CAST};
    unsigned c[2] = {1, 0};
    veche_vote_outcome o;
    CHECK_EQ_INT(veche_vote_decide(&bad, c, 2, -1, false, 1, 1, &o), VECHE_EINVAL);
    CHECK_EQ_INT(veche_vote_decide(&r, c, 0, -1, false, 1, 1, &o), VECHE_EINVAL);
    CHECK_EQ_INT(veche_vote_decide(&r, c, 2, 2, false, 1, 1, &o), VECHE_EINVAL);
    veche_vote_kind k;
    CHECK_EQ_INT(veche_vote_kind_parse("secret", &k), 0);
    CHECK_EQ_INT(k, VECHE_VOTE_SECRET);
    CHECK_EQ_INT(veche_vote_kind_parse("anonymous", &k), VECHE_EINVAL);
}

static const veche_vote_voter six[] = {
    {1, "Анна"}, {2, "Борис"}, {3, "Вера"}, {4, "Глеб"}, {5, "Дарья"}, {6, "Егор"},
};

TEST(box_changed_vote_and_double_voting)
{
    veche_vote_box *b = veche_vote_box_new(VECHE_VOTE_NAMED, 3, six, 6);
    CHECK(b != NULL);
    int prev = -1;
    CHECK_EQ_INT(veche_vote_box_cast(b, 1, 0, &prev), 0);
    CHECK_EQ_INT(veche_vote_box_cast(b, 2, 1, &prev), 0);
    /* a second cast replaces, never adds */
    CHECK_EQ_INT(veche_vote_box_cast(b, 1, 1, &prev), 1);
    CHECK_EQ_INT(prev, 0);
    CHECK_EQ_INT(veche_vote_box_cast(b, 1, 1, &prev), 2);
    CHECK_EQ_INT(veche_vote_box_count(b, 0), 0);
    CHECK_EQ_INT(veche_vote_box_count(b, 1), 2);
    CHECK_EQ_INT(veche_vote_box_voted(b), 2);
    CHECK_EQ_INT(veche_vote_box_choice(b, 1), 1);
    CHECK_EQ_INT(veche_vote_box_cast(b, 3, 3, &prev), VECHE_EINVAL);
    CHECK_EQ_INT(veche_vote_box_cast(b, 3, -1, &prev), VECHE_EINVAL);
    CHECK(!veche_vote_box_has_voted(b, 3));
    veche_vote_box_close(b);
    CHECK_EQ_INT(veche_vote_box_cast(b, 3, 0, &prev), VECHE_ESTATE);
    CHECK_EQ_INT(veche_vote_box_cast(b, 1, 0, &prev), VECHE_ESTATE);
    CHECK_EQ_INT(veche_vote_box_count(b, 1), 2);
    veche_vote_box_free(b);
}

TEST(box_refuses_people_outside_the_snapshot)
{
    /* guest 50, observer 51, latecomer 52: never in the snapshot */
    veche_vote_box *b = veche_vote_box_new(VECHE_VOTE_SECRET, 3, six, 6);
    CHECK_EQ_INT(veche_vote_box_cast(b, 50, 0, NULL), VECHE_EDENIED);
    CHECK_EQ_INT(veche_vote_box_cast(b, 51, 0, NULL), VECHE_EDENIED);
    CHECK_EQ_INT(veche_vote_box_cast(b, 52, 0, NULL), VECHE_EDENIED);
    CHECK_EQ_INT(veche_vote_box_voted(b), 0);
    CHECK(!veche_vote_box_entitled(b, 50));
    CHECK(veche_vote_box_entitled(b, 6));
    veche_vote_box_free(b);
    /* duplicates in the snapshot are kept once */
    veche_vote_voter dup[] = {{1, "А"}, {1, "А"}, {2, "Б"}};
    b = veche_vote_box_new(VECHE_VOTE_OPEN, 2, dup, 3);
    CHECK_EQ_INT(veche_vote_box_voters(b), 2);
    veche_vote_box_free(b);
    CHECK(veche_vote_box_new(VECHE_VOTE_OPEN, 0, six, 6) == NULL);
    CHECK(veche_vote_box_new(VECHE_VOTE_OPEN, VECHE_VOTE_MAX_OPTIONS + 1, six, 6) == NULL);
}

TEST(box_secret_restored_after_restart)
{
    veche_vote_box *b = veche_vote_box_new(VECHE_VOTE_SECRET, 3, six, 6);
    CHECK_EQ_INT(veche_vote_box_restore(b, 1, -1), 0);   /* voted, choice unknown */
    CHECK_EQ_INT(veche_vote_box_set_count(b, 2, 1), 0);
    CHECK_EQ_INT(veche_vote_box_restore(b, 99, -1), VECHE_EDENIED);
    CHECK(veche_vote_box_has_voted(b, 1));
    CHECK_EQ_INT(veche_vote_box_cast(b, 1, 0, NULL), VECHE_ESTATE);  /* cannot change */
    CHECK_EQ_INT(veche_vote_box_count(b, 2), 1);
    CHECK_EQ_INT(veche_vote_box_cast(b, 2, 0, NULL), 0);             /* others still vote */
    CHECK_EQ_INT(veche_vote_box_voted(b), 2);
    veche_vote_box_free(b);
}

/* ---- the roll: snapshot and quorum at opening ---- */

typedef struct {
    veche_store *s;
    cast c;
    int64_t voters[4];            /* extra voting members */
    veche_event ev;
    veche_roll *roll;
} meeting;

static void meeting_begin(meeting *m, char *path, size_t cap)
{
    m->s = fresh(path, cap);
    build_cast(m->s, &m->c);
    for (int i = 0; i < 4; i++) {
        char email[32];
        snprintf(email, sizeof email, "v%d@x.org", i);
        m->voters[i] = add_person(m->s, "Голосующий", email, m->c.primary);
        CHECK_EQ_INT(veche_store_body_member_set(m->s, m->c.body, m->voters[i],
                                                 VECHE_ACCESS_MEMBER, true), 0);
    }
    CHECK_EQ_INT(veche_store_event_get(m->s, m->c.meeting, &m->ev), 0);
    m->roll = veche_roll_new();
}

static void join(meeting *m, int64_t person, int64_t conn, int64_t ts)
{
    veche_person who;
    veche_admission adm;
    CHECK_EQ_INT(veche_store_person_get(m->s, person, &who), 0);
    CHECK_EQ_INT(veche_store_admit(m->s, m->c.meeting, person, &adm), 0);
    veche_roll_roster *ro = NULL;
    bool held = veche_roll_hold(m->roll, m->c.meeting);
    if (!held)
        CHECK_EQ_INT(veche_roll_roster_load(m->s, &m->ev, &ro), 0);
    veche_quorum_change ch;
    CHECK(veche_roll_join(m->roll, &m->ev, &who, &adm, conn, ro, held, ts, &ch) >= 0);
}

static void meeting_end(meeting *m)
{
    veche_roll_free(m->roll);
    veche_store_close(m->s);
}

static bool in_snapshot(GArray *a, int64_t person)
{
    for (guint i = 0; i < a->len; i++)
        if (g_array_index(a, veche_vote_voter, i).person_id == person)
            return true;
    return false;
}

TEST(snapshot_of_entitled_voters)
{
    char path[256];
    meeting m;
    meeting_begin(&m, path, sizeof path);
    join(&m, m.c.chair, 1, 1000);
    join(&m, m.c.member_nv, 2, 1001);   /* observer: no vote */
    join(&m, m.c.guest, 3, 1002);       /* guest */
    join(&m, m.voters[0], 4, 1003);
    join(&m, m.voters[1], 5, 1004);
    join(&m, m.voters[1], 6, 1005);     /* a second tab: one voter */
    GArray *a = g_array_new(FALSE, TRUE, sizeof(veche_vote_voter));
    CHECK_EQ_INT(veche_roll_voters(m.roll, m.c.meeting, a), 0);
    CHECK_EQ_INT(a->len, 3);
    CHECK(in_snapshot(a, m.c.chair) && in_snapshot(a, m.voters[0]) &&
          in_snapshot(a, m.voters[1]));
    CHECK(!in_snapshot(a, m.c.member_nv) && !in_snapshot(a, m.c.guest));
    CHECK(!in_snapshot(a, m.c.secretary));  /* voting, but absent */
    CHECK_EQ_STR(g_array_index(a, veche_vote_voter, 0).name, "Человек");
    /* a reconnect keeps the right: the box is by person */
    veche_vote_box *b = veche_vote_box_new(VECHE_VOTE_SECRET, 3,
                                           (veche_vote_voter *)(void *)a->data, a->len);
    veche_quorum_change ch;
    CHECK(veche_roll_leave(m.roll, m.c.meeting, m.voters[0], 2000, &ch) >= 0);
    join(&m, m.voters[0], 7, 2500);
    CHECK_EQ_INT(veche_vote_box_cast(b, m.voters[0], 0, NULL), 0);
    /* a latecomer is not in the snapshot taken before */
    join(&m, m.voters[2], 8, 2600);
    CHECK_EQ_INT(veche_vote_box_cast(b, m.voters[2], 0, NULL), VECHE_EDENIED);
    CHECK_EQ_INT(veche_vote_box_cast(b, m.c.guest, 0, NULL), VECHE_EDENIED);
    CHECK_EQ_INT(veche_vote_box_cast(b, m.c.member_nv, 0, NULL), VECHE_EDENIED);
    veche_vote_box_free(b);
    /* a training has no voters */
    g_array_set_size(a, 0);
    CHECK_EQ_INT(veche_roll_voters(m.roll, m.c.lesson, a), VECHE_ENOTFOUND);
    g_array_free(a, TRUE);
    meeting_end(&m);
}

TEST(quorum_at_opening)
{
    char path[256];
    meeting m;
    meeting_begin(&m, path, sizeof path);
    /* voting: chair, secretary, blocked, 4 voters = 7; more than half: 4 */
    join(&m, m.c.chair, 1, 1000);
    join(&m, m.voters[0], 2, 1001);
    join(&m, m.voters[1], 3, 1002);
    veche_roll_quorum q;
    CHECK_EQ_INT(veche_roll_quorum_now(m.roll, m.c.meeting, &q), 0);
    CHECK_EQ_INT(q.voting, 7);
    CHECK_EQ_INT(q.present, 3);
    CHECK(!q.reached);
    join(&m, m.voters[2], 4, 1003);
    CHECK_EQ_INT(veche_roll_quorum_now(m.roll, m.c.meeting, &q), 0);
    CHECK(q.reached);
    CHECK_EQ_INT(q.needed, 4);
    meeting_end(&m);
}

/* ---- the tables ---- */

static veche_vote_record record(int64_t event, veche_vote_kind kind)
{
    veche_vote_record v;
    memset(&v, 0, sizeof v);
    v.event_id = event;
    snprintf(v.question, sizeof v.question, "Утвердить смету?");
    snprintf(v.options[0], sizeof v.options[0], "за");
    snprintf(v.options[1], sizeof v.options[1], "против");
    snprintf(v.options[2], sizeof v.options[2], "воздержался");
    v.n_options = 3;
    v.yes_no = true;
    v.kind = kind;
    v.rule = rule("half-of-cast");
    v.opened_at = 1700000000000;
    v.members = 6;
    v.quorum_open = (veche_quorum_change){1700000000000, true, 6, 6};
    return v;
}

TEST(secret_ballots_unlinked_in_the_tables)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    cast c;
    build_cast(s, &c);
    int64_t people[6];
    veche_vote_voter voters[6];
    for (int i = 0; i < 6; i++) {
        char email[32];
        snprintf(email, sizeof email, "s%d@x.org", i);
        people[i] = add_person(s, "Член", email, c.primary);
        voters[i] = (veche_vote_voter){.person_id = people[i]};
        snprintf(voters[i].name, sizeof voters[i].name, "Член %d", i);
    }
    veche_vote_record v = record(c.meeting, VECHE_VOTE_SECRET);
    int64_t id = 0;
    CHECK_EQ_INT(veche_store_vote_open(s, &v, voters, 6, &id), 0);
    v.id = id;
    /* one open vote per event */
    int64_t id2 = 0;
    CHECK_EQ_INT(veche_store_vote_open(s, &v, voters, 6, &id2), VECHE_EEXISTS);
    int choices[6] = {0, 0, 1, 2, 0, 1};
    for (int i = 0; i < 6; i++)
        CHECK_EQ_INT(veche_store_vote_cast(s, id, VECHE_VOTE_SECRET, people[i], choices[i], -1),
                     0);
    CHECK_EQ_INT(veche_store_vote_cast(s, id, VECHE_VOTE_SECRET, people[5], 0, 1), 0);  /* change */
    CHECK_EQ_INT(veche_store_vote_cast(s, id, VECHE_VOTE_SECRET, c.guest, 0, -1), VECHE_EDENIED);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM vote_choice"), 0);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM vote_voter WHERE voted = 1"), 6);
    CHECK_EQ_INT(query(path, "SELECT count FROM vote_tally WHERE option = 0"), 4);
    CHECK_EQ_INT(query(path, "SELECT count FROM vote_tally WHERE option = 1"), 1);
    CHECK_EQ_INT(query(path, "SELECT count FROM vote_tally WHERE option = 2"), 1);
    /* the tally has no column that could name a voter or an order */
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM pragma_table_info('vote_tally')"), 3);
    unsigned counts[VECHE_VOTE_MAX_OPTIONS];
    CHECK_EQ_INT(veche_store_vote_counts(s, &v, counts), 0);
    CHECK_EQ_INT(counts[0], 4);
    memcpy(v.counts, counts, sizeof v.counts);
    v.voted = 6;
    v.winner = 0;
    v.adopted = true;
    v.closed_at = v.opened_at + 60000;
    CHECK_EQ_INT(veche_store_vote_close(s, &v), 0);
    CHECK_EQ_INT(veche_store_vote_close(s, &v), VECHE_ESTATE);
    CHECK_EQ_INT(veche_store_vote_cast(s, id, VECHE_VOTE_SECRET, people[0], 1, 0), VECHE_ESTATE);
    /* immutable: even a direct write is refused */
    CHECK(exec_sql(path, "UPDATE vote SET adopted = 0") != 0);
    CHECK(exec_sql(path, "UPDATE vote_tally SET count = 9") != 0);
    CHECK(exec_sql(path, "DELETE FROM vote") != 0);
    veche_vote_record back;
    CHECK_EQ_INT(veche_store_vote_get(s, id, &back), 0);
    CHECK(back.closed && back.adopted && back.counts[0] == 4 && back.counts[1] == 1);
    CHECK_EQ_STR(back.options[1], "против");
    CHECK_EQ_INT(back.kind, VECHE_VOTE_SECRET);
    veche_store_close(s);
}

static int collect_choice(void *ud, const veche_vote_voter *who, bool voted, int choice)
{
    (void)who;
    GArray *a = ud;
    int v = voted ? choice : -2;
    g_array_append_val(a, v);
    return 0;
}

TEST(named_ballots_and_minutes_final)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    cast c;
    build_cast(s, &c);
    veche_vote_voter voters[2] = {{c.chair, "Председатель"}, {c.secretary, "Секретарь"}};
    veche_vote_record v = record(c.meeting, VECHE_VOTE_NAMED);
    int64_t id = 0;
    CHECK_EQ_INT(veche_store_vote_open(s, &v, voters, 2, &id), 0);
    CHECK_EQ_INT(veche_store_vote_cast(s, id, VECHE_VOTE_NAMED, c.chair, 1, -1), 0);
    CHECK_EQ_INT(veche_store_vote_cast(s, id, VECHE_VOTE_NAMED, c.chair, 0, 1), 0);
    GArray *a = g_array_new(FALSE, FALSE, sizeof(int));
    CHECK_EQ_INT(veche_store_vote_voters(s, id, collect_choice, a), 0);
    CHECK_EQ_INT(a->len, 2);
    CHECK_EQ_INT(g_array_index(a, int, 0), 0);
    CHECK_EQ_INT(g_array_index(a, int, 1), -2);
    g_array_free(a, TRUE);
    /* an agenda item of the event takes a decision until the minutes are final */
    CHECK_EQ_INT(exec_sql(path, "INSERT INTO agenda_item (event_id, position, title)"
                                " VALUES (1, 1, 'Смета')"), 0);
    int64_t item = query(path, "SELECT id FROM agenda_item");
    CHECK_EQ_INT(veche_store_agenda_decision_set(s, c.meeting, item, "Утвердить"), 0);
    CHECK_EQ_INT(veche_store_agenda_decision_set(s, c.lesson, item, "x"), VECHE_ENOTFOUND);
    veche_vote_rule r = rule("two-thirds-of-present");
    CHECK_EQ_INT(veche_store_vote_set_settings(s, c.body, &r, false), 0);
    veche_vote_rule back;
    bool refuse = true;
    CHECK_EQ_INT(veche_store_vote_settings(s, c.body, &back, &refuse), 0);
    CHECK_EQ_STR(veche_vote_rule_name(&back), "two-thirds-of-present");
    CHECK(!refuse);
    char digest[65];
    memset(digest, 'a', 64);
    digest[64] = '\0';
    CHECK_EQ_INT(veche_store_minutes_finalize(s, c.meeting, c.secretary, NOW, digest), 0);
    CHECK_EQ_INT(veche_store_minutes_finalize(s, c.meeting, c.secretary, NOW, digest),
                 VECHE_EEXISTS);
    CHECK_EQ_INT(veche_store_agenda_decision_set(s, c.meeting, item, "Иначе"), VECHE_ESTATE);
    CHECK(exec_sql(path, "UPDATE agenda_item SET decision = 'x'") != 0);
    veche_minutes_state ms;
    CHECK_EQ_INT(veche_store_minutes_state(s, c.meeting, &ms), 0);
    CHECK(ms.finalized);
    CHECK_EQ_STR(ms.digest, digest);
    veche_store_close(s);
}

/* ---- vote.c: the main-thread flow through the store thread ---- */

typedef struct {
    char type[32];
    char code[32];
    int64_t vote;
    bool done;
} reply_box;

static void on_reply(void *ud, json_t *msg, const char *code, const char *reason)
{
    (void)reason;
    reply_box *r = ud;
    r->done = true;
    g_strlcpy(r->type, msg ? json_string_value(json_object_get(msg, "type")) : "error",
              sizeof r->type);
    g_strlcpy(r->code, code ? code : "", sizeof r->code);
    r->vote = msg ? json_integer_value(json_object_get(msg, "vote")) : 0;
    json_decref(msg);
}

typedef struct {
    int n, state, ballot, progress;
    int64_t ballot_person;        /* the last BALLOT's person */
} notes;

static void count_notify(void *ud, int64_t event_id, veche_votes_change what, int64_t person_id)
{
    (void)event_id;
    notes *t = ud;
    t->n++;
    if (what == VECHE_VOTES_STATE)
        t->state++;
    else if (what == VECHE_VOTES_BALLOT)
        t->ballot++, t->ballot_person = person_id;
    else
        t->progress++;
    if (what != VECHE_VOTES_BALLOT && person_id != 0)
        t->n = -1000;             /* only a ballot names a person */
}

/* Runs ctx for about ms milliseconds. */
static void spin(GMainContext *ctx, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;
    while (g_get_monotonic_time() < end)
        if (!g_main_context_iteration(ctx, FALSE))
            g_usleep(1000);
}

static const veche_token_secret *secret(void)
{
    static veche_token_secret k;
    memset(k.key, 7, sizeof k.key);
    return &k;
}

/* Run ctx until the reply came (the store thread answers). */
static void wait_reply(GMainContext *ctx, reply_box *r)
{
    for (int i = 0; !r->done && i < 5000; i++)
        if (!g_main_context_iteration(ctx, FALSE))
            g_usleep(1000);
}

static reply_box ask_cast(veche_votes *v, GMainContext *ctx, const veche_votes_who *who,
                          int64_t vote, int option)
{
    reply_box r = {0};
    veche_votes_cast(v, who, vote, option, on_reply, &r, NULL);
    wait_reply(ctx, &r);
    return r;
}

static json_t *vote_of(json_t *msg)
{
    return json_object_get(msg, "vote");
}

TEST(votes_flow_open_cast_close_restore)
{
    char path[256];
    meeting m;
    meeting_begin(&m, path, sizeof path);
    join(&m, m.c.chair, 1, 1000);
    join(&m, m.c.member_nv, 2, 1001);
    for (int i = 0; i < 3; i++)
        join(&m, m.voters[i], 3 + i, 1002 + i);
    GMainContext *ctx = g_main_context_new();
    veche_storeq *q = NULL;
    CHECK_EQ_INT(veche_storeq_new(path, secret(), ctx, &q), 0);
    notes notified = {0};
    veche_votes *v = veche_votes_new(q, m.roll, ctx, count_notify, &notified);
    veche_votes_who chair = {m.c.meeting, m.c.chair, VECHE_ACCESS_CHAIR, true};
    veche_votes_who voter = {m.c.meeting, m.voters[0], VECHE_ACCESS_MEMBER, true};
    veche_votes_who observer = {m.c.meeting, m.c.member_nv, VECHE_ACCESS_MEMBER, true};
    veche_votes_who guest = {m.c.meeting, m.c.guest, VECHE_ACCESS_GUEST, true};
    veche_votes_open_req rq = {.kind = VECHE_VOTE_NAMED};
    g_strlcpy(rq.question, "Утвердить?", sizeof rq.question);
    reply_box r = {0};
    veche_votes_open(v, &voter, &rq, on_reply, &r, NULL);   /* not the chair */
    CHECK(r.done);
    CHECK_EQ_STR(r.code, "forbidden");
    memset(&r, 0, sizeof r);
    veche_votes_open(v, &chair, &rq, on_reply, &r, NULL);
    wait_reply(ctx, &r);
    CHECK_EQ_STR(r.type, "vote-opened");
    int64_t id = r.vote;
    CHECK(id > 0);
    CHECK_EQ_STR(ask_cast(v, ctx, &voter, id, 1).type, "vote-recorded");
    CHECK_EQ_STR(ask_cast(v, ctx, &voter, id, 0).type, "vote-recorded");   /* changed */
    /* each ballot tells its voter at once; the count reaches everyone
     * later, once for the ballots of VECHE_VOTES_PROGRESS_MS */
    CHECK_EQ_INT(notified.ballot, 2);
    CHECK_EQ_INT(notified.ballot_person, m.voters[0]);
    spin(ctx, VECHE_VOTES_PROGRESS_MS * 2);
    CHECK(notified.progress >= 1 && notified.progress <= 2);
    int progress_before = notified.progress;
    spin(ctx, VECHE_VOTES_PROGRESS_MS * 2);
    CHECK_EQ_INT(notified.progress, progress_before);   /* nothing new: no count */
    json_t *pm = veche_votes_progress_msg(v, m.c.meeting);
    CHECK_EQ_STR(json_string_value(json_object_get(pm, "type")), "vote-progress");
    CHECK_EQ_INT(json_integer_value(json_object_get(pm, "voted")), 1);
    CHECK_EQ_INT(json_integer_value(json_object_get(pm, "entitled")), 4);
    json_decref(pm);
    json_t *om = veche_votes_msg(v, m.c.meeting, m.c.chair);   /* v2: no list while open */
    CHECK(json_object_get(vote_of(om), "voters") == NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(vote_of(om), "entitled")), 4);
    json_decref(om);
    CHECK_EQ_STR(ask_cast(v, ctx, &observer, id, 0).code, "not-entitled");
    CHECK_EQ_STR(ask_cast(v, ctx, &guest, id, 0).code, "not-entitled");
    CHECK_EQ_STR(ask_cast(v, ctx, &voter, id, 7).code, "bad-option");
    CHECK_EQ_STR(ask_cast(v, ctx, &voter, id + 1, 0).code, "no-vote");
    /* a reconnect: the same person on a new connection still has the vote */
    veche_quorum_change ch;
    CHECK(veche_roll_leave(m.roll, m.c.meeting, m.voters[1], 3000, &ch) >= 0);
    join(&m, m.voters[1], 9, 3100);
    veche_votes_who back = {m.c.meeting, m.voters[1], VECHE_ACCESS_MEMBER, true};
    CHECK_EQ_STR(ask_cast(v, ctx, &back, id, 1).type, "vote-recorded");
    json_t *msg = veche_votes_msg(v, m.c.meeting, m.voters[0]);
    CHECK_EQ_INT(json_integer_value(json_object_get(vote_of(msg), "voted")), 2);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(msg, "you"), "choice")), 0);
    json_decref(msg);
    memset(&r, 0, sizeof r);
    veche_votes_close(v, &chair, id, on_reply, &r, NULL);
    wait_reply(ctx, &r);
    CHECK_EQ_STR(r.type, "vote-closed");
    CHECK_EQ_STR(ask_cast(v, ctx, &voter, id, 1).code, "vote-closed");
    /* the close cancels the count still due: the `vote` has the final one */
    progress_before = notified.progress;
    spin(ctx, VECHE_VOTES_PROGRESS_MS * 2);
    CHECK_EQ_INT(notified.progress, progress_before);
    CHECK(veche_votes_progress_msg(v, m.c.meeting) == NULL);
    msg = veche_votes_msg(v, m.c.meeting, m.c.guest);
    json_t *vo = vote_of(msg);
    /* a named vote's roll-call, once closed: everyone entitled, with the choice */
    json_t *rc = json_object_get(vo, "voters");
    CHECK_EQ_INT(json_array_size(rc), 4);
    int with_option = 0;
    for (size_t i = 0; i < json_array_size(rc); i++)
        with_option += json_is_integer(json_object_get(json_array_get(rc, i), "option"));
    CHECK_EQ_INT(with_option, 2);
    CHECK_EQ_STR(json_string_value(json_object_get(vo, "state")), "closed");
    CHECK_EQ_INT(json_integer_value(json_array_get(json_object_get(vo, "counts"), 0)), 1);
    CHECK_EQ_INT(json_integer_value(json_array_get(json_object_get(vo, "counts"), 1)), 1);
    CHECK_EQ_STR(json_string_value(json_object_get(vo, "result")), "rejected");  /* a tie */
    CHECK(json_is_false(json_object_get(json_object_get(msg, "you"), "entitled")));
    json_decref(msg);
    CHECK(notified.n >= 4);
    CHECK(notified.state >= 2);
    /* a secret vote, one ballot, then a restart: the ballot stays, cannot change */
    rq.kind = VECHE_VOTE_SECRET;
    memset(&r, 0, sizeof r);
    veche_votes_open(v, &chair, &rq, on_reply, &r, NULL);
    wait_reply(ctx, &r);
    int64_t secret_id = r.vote;
    CHECK_EQ_STR(ask_cast(v, ctx, &voter, secret_id, 2).type, "vote-recorded");
    veche_votes_free(v);
    v = veche_votes_new(q, m.roll, ctx, count_notify, &notified);
    CHECK_EQ_INT(veche_votes_restore(v), 1);
    CHECK_EQ_STR(ask_cast(v, ctx, &voter, secret_id, 0).code, "ballot-sealed");
    CHECK_EQ_STR(ask_cast(v, ctx, &back, secret_id, 0).type, "vote-recorded");
    memset(&r, 0, sizeof r);
    veche_votes_close(v, &chair, secret_id, on_reply, &r, NULL);
    wait_reply(ctx, &r);
    msg = veche_votes_msg(v, m.c.meeting, m.voters[0]);
    vo = vote_of(msg);
    CHECK_EQ_INT(json_integer_value(json_array_get(json_object_get(vo, "counts"), 0)), 1);
    CHECK_EQ_INT(json_integer_value(json_array_get(json_object_get(vo, "counts"), 2)), 1);
    CHECK(json_is_null(json_object_get(json_object_get(msg, "you"), "choice")));
    json_decref(msg);
    veche_votes_free(v);
    veche_storeq_free(q);
    g_main_context_unref(ctx);
    meeting_end(&m);
}

int main(void)
{
    if (fixture_begin() != 0)
        return 1;
    RUN(majority_rules_table);
    RUN(majority_against_wins_is_not_adopted);
    RUN(custom_options_and_ties);
    RUN(rule_names_round_trip_and_bad_input);
    RUN(box_changed_vote_and_double_voting);
    RUN(box_refuses_people_outside_the_snapshot);
    RUN(box_secret_restored_after_restart);
    RUN(snapshot_of_entitled_voters);
    RUN(quorum_at_opening);
    RUN(secret_ballots_unlinked_in_the_tables);
    RUN(named_ballots_and_minutes_final);
    RUN(votes_flow_open_cast_close_restore);
    fixture_end();
    return check_finish();
}
