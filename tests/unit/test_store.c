/* test_store.c - the SQLite store, part 1: opening and migrations,
 * organizations, persons, accounts, bodies, courses, events, admission
 * decisions and the permission table, sessions, invitations.  Part 2 (the
 * records) is test_store_records.c.  Each test opens its own database. */
#include <fcntl.h>
#include <unistd.h>

#include "store_edit.h"
#include "store_fixture.h"
#include "store_int.h"

TEST(open_migrate_reopen)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int latest = veche_store_schema_latest();
    CHECK(latest >= 1);
    CHECK_EQ_INT(veche_store_schema_version(s), latest);
    veche_store_close(s);
    struct stat st;
    CHECK_EQ_INT(stat(path, &st), 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    /* Reopening applies nothing twice. */
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(veche_store_open(path, &s), 0);
        CHECK_EQ_INT(veche_store_schema_version(s), latest);
        veche_store_close(s);
    }
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM schema_version"), latest);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM sqlite_master WHERE"
                             " name = 'attendance_event'"), 1);
}

TEST(pragmas_in_force)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    sqlite3_stmt *st;
    static const struct {
        const char *sql;
        const char *want;
    } rows[] = { { "PRAGMA journal_mode", "wal" },
                 { "PRAGMA foreign_keys", "1" },
                 { "PRAGMA synchronous", "2" } /* FULL */ };
    for (size_t i = 0; i < 3; i++) {
        CHECK_EQ_INT(store_prepare(s, &st, rows[i].sql, NULL), 0);
        CHECK_EQ_INT(store_step(s, st), 1);
        CHECK_EQ_STR((const char *)sqlite3_column_text(st, 0), rows[i].want);
        sqlite3_finalize(st);
    }
    veche_store_close(s);
}

TEST(newer_schema_refused)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    veche_store_close(s);
    CHECK_EQ_INT(exec_sql(path, "INSERT INTO schema_version VALUES (999, 0)"),
                 SQLITE_OK);
    s = NULL;
    CHECK_EQ_INT(veche_store_open(path, &s), VECHE_EUNSUPPORTED);
    CHECK(s == NULL);
}

TEST(failed_migration_rolls_back)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    size_t n;
    const char *const *real = store_migrations(&n);
    const char *list[32];
    CHECK(n + 2 <= 32);
    for (size_t i = 0; i < n; i++)
        list[i] = real[i];
    list[n] = "CREATE TABLE extra_ok (x INTEGER);";
    list[n + 1] = "CREATE TABLE extra_two (x INTEGER);"
                  " INSERT INTO no_such_table VALUES (1);";
    CHECK(store_migrate(s, list, n + 2) < 0);
    CHECK_EQ_INT(veche_store_schema_version(s), (int)n);
    veche_store_close(s);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM sqlite_master WHERE name"
                             " IN ('extra_ok', 'extra_two')"), 0);
    /* and the good ones alone do apply */
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    CHECK_EQ_INT(store_migrate(s, list, n + 1), 0);
    CHECK_EQ_INT(veche_store_schema_version(s), (int)n + 1);
    veche_store_close(s);
}

TEST(not_a_database)
{
    char path[256];
    db_path(path, sizeof path, "garbage.db");
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    CHECK(fd >= 0);
    char junk[4096];
    memset(junk, 'j', sizeof junk);
    CHECK_EQ_INT(write(fd, junk, sizeof junk), (long)sizeof junk);
    close(fd);
    veche_store *s = NULL;
    CHECK_EQ_INT(veche_store_open(path, &s), VECHE_EMALFORMED);
    CHECK(s == NULL);
    CHECK_EQ_INT(veche_store_open("/nonexistent/dir/x.db", &s), VECHE_EIO);
    CHECK_EQ_INT(veche_store_open(NULL, &s), VECHE_EINVAL);
    veche_store_close(NULL);
}

/* ---- organizations, persons, accounts ---- */

TEST(organizations)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t central, region, primary, x;
    CHECK_EQ_INT(veche_store_org_create(s, "Союз", VECHE_ORG_CENTRAL, 0, NOW,
                                        &central), 0);
    CHECK_EQ_INT(veche_store_org_create(s, "Московское отделение",
                                        VECHE_ORG_REGIONAL, central, NOW,
                                        &region), 0);
    CHECK_EQ_INT(veche_store_org_create(s, "Первичка №1", VECHE_ORG_PRIMARY,
                                        region, NOW, &primary), 0);
    /* a primary directly under the centre is allowed */
    CHECK_EQ_INT(veche_store_org_create(s, "Прямая", VECHE_ORG_PRIMARY,
                                        central, NOW, &x), 0);
    static const struct {
        const char *name;
        veche_org_level level;
        int parent;  /* 0 none, 1 central, 2 region, 3 primary, 9 missing */
        int want;
    } rows[] = {
        { "Второй центр без родителя", VECHE_ORG_CENTRAL, 1, VECHE_EINVAL },
        { "Регион без родителя", VECHE_ORG_REGIONAL, 0, VECHE_EINVAL },
        { "Регион под регионом", VECHE_ORG_REGIONAL, 2, VECHE_EINVAL },
        { "Под первичкой", VECHE_ORG_PRIMARY, 3, VECHE_EINVAL },
        { "Сирота", VECHE_ORG_PRIMARY, 9, VECHE_EINVAL },
        { "Московское отделение", VECHE_ORG_REGIONAL, 1, VECHE_EEXISTS },
        { "", VECHE_ORG_REGIONAL, 1, VECHE_EINVAL },
    };
    int64_t parents[10] = { 0, central, region, primary };
    parents[9] = 12345;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_EQ_INT(veche_store_org_create(s, rows[i].name, rows[i].level,
                                            parents[rows[i].parent], NOW, &x),
                     rows[i].want);
    veche_org o;
    CHECK_EQ_INT(veche_store_org_get(s, primary, &o), 0);
    CHECK_EQ_STR(o.name, "Первичка №1");
    CHECK_EQ_INT(o.level, VECHE_ORG_PRIMARY);
    CHECK_EQ_INT(o.parent_id, region);
    CHECK_EQ_INT(veche_store_org_get(s, 777, &o), VECHE_ENOTFOUND);
    /* administrators cover the organizations below */
    int64_t admin = add_person(s, "Админ", "admin@example.org", central);
    CHECK_EQ_INT(veche_store_org_admin_set(s, region, admin, true), 0);
    CHECK_EQ_INT(veche_store_org_admin_set(s, region, admin, true), 0);
    CHECK_EQ_INT(veche_store_org_is_admin(s, primary, admin), 1);
    CHECK_EQ_INT(veche_store_org_is_admin(s, region, admin), 1);
    CHECK_EQ_INT(veche_store_org_is_admin(s, central, admin), 0);
    CHECK_EQ_INT(veche_store_org_is_admin(s, x, admin), 0);
    CHECK_EQ_INT(veche_store_org_admin_set(s, region, admin, false), 0);
    CHECK_EQ_INT(veche_store_org_is_admin(s, primary, admin), 0);
    veche_store_close(s);
}

TEST(persons)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    veche_person p = { 0, 0, "Ёжиков Пётр Семёнович", "Yozhikov@Example.ORG",
                       "+7 900 000-00-00" };
    int64_t id;
    CHECK_EQ_INT(veche_store_person_create(s, &p, NOW, &id), 0);
    veche_person got;
    CHECK_EQ_INT(veche_store_person_find_email(s, "yozhikov@example.org", &got),
                 0);
    CHECK_EQ_INT(got.id, id);
    CHECK(strlen(got.full_name) == strlen(p.full_name) &&
          memcmp(got.full_name, p.full_name, strlen(p.full_name)) == 0);
    CHECK_EQ_STR(got.email, "Yozhikov@Example.ORG");
    CHECK_EQ_STR(got.phone, "+7 900 000-00-00");
    CHECK_EQ_INT(veche_store_person_get(s, id, &got), 0);
    CHECK_EQ_INT(got.org_id, 0);
    /* the same e-mail in another case is taken */
    veche_person dup = { 0, 0, "Другой", "YOZHIKOV@example.org", "" };
    CHECK_EQ_INT(veche_store_person_create(s, &dup, NOW, &id), VECHE_EEXISTS);
    veche_person bad = { 0, 0, "Плохой", "not an email", "" };
    CHECK_EQ_INT(veche_store_person_create(s, &bad, NOW, &id), VECHE_EINVAL);
    veche_person noname = { 0, 0, "", "n@example.org", "" };
    CHECK_EQ_INT(veche_store_person_create(s, &noname, NOW, &id), VECHE_EINVAL);
    veche_person noorg = { 0, 4242, "Без орг", "o@example.org", "" };
    CHECK_EQ_INT(veche_store_person_create(s, &noorg, NOW, &id), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_person_find_email(s, "nobody@example.org", &got),
                 VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_person_get(s, 999, &got), VECHE_ENOTFOUND);
    veche_store_close(s);
}

TEST(accounts)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t p = add_person(s, "Иван", "ivan@example.org", 0);
    veche_account a;
    CHECK_EQ_INT(veche_store_account_get(s, p, &a), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_account_create(s, p, NULL, true, NOW), 0);
    CHECK_EQ_INT(veche_store_account_create(s, p, NULL, true, NOW),
                 VECHE_EEXISTS);
    CHECK_EQ_INT(veche_store_account_create(s, 999, NULL, true, NOW),
                 VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_account_get(s, p, &a), 0);
    CHECK_EQ_STR(a.password_hash, "");
    CHECK(a.must_change_password && !a.blocked && !a.platform_admin);

    veche_password_cost fast = veche_password_cost_fast();
    char hash[VECHE_PASSWORD_HASH_SIZE];
    CHECK_EQ_INT(veche_password_hash("очень секретный пароль", &fast, hash), 0);
    CHECK_EQ_INT(veche_store_account_set_password(s, p, hash, false, NOW), 0);
    CHECK_EQ_INT(veche_store_account_get(s, p, &a), 0);
    CHECK_EQ_STR(a.password_hash, hash);
    CHECK(!a.must_change_password);
    CHECK_EQ_INT(veche_password_verify(a.password_hash,
                                       "очень секретный пароль"), 0);
    CHECK_EQ_INT(veche_store_account_set_password(s, 999, hash, false, NOW),
                 VECHE_ENOTFOUND);

    /* blocking ends every session of the person at once */
    uint8_t h1[32] = { 1 }, h2[32] = { 2 }, h3[32] = { 3 };
    int64_t other = add_person(s, "Другой", "other@example.org", 0);
    CHECK_EQ_INT(veche_store_session_create(s, h1, p, NOW, NOW + 3600), 0);
    CHECK_EQ_INT(veche_store_session_create(s, h2, p, NOW, NOW + 3600), 0);
    CHECK_EQ_INT(veche_store_session_create(s, h3, other, NOW, NOW + 3600), 0);
    int ended = -1;
    CHECK_EQ_INT(veche_store_account_set_blocked(s, p, true, NOW, &ended), 0);
    CHECK_EQ_INT(ended, 2);
    int64_t who;
    CHECK_EQ_INT(veche_store_session_lookup(s, h1, NOW, &who), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_session_lookup(s, h3, NOW, &who), 0);
    CHECK_EQ_INT(veche_store_account_get(s, p, &a), 0);
    CHECK(a.blocked);
    /* a session that slipped in (say, through an invitation) is refused */
    CHECK_EQ_INT(veche_store_session_create(s, h1, p, NOW, NOW + 3600), 0);
    CHECK_EQ_INT(veche_store_session_lookup(s, h1, NOW, &who), VECHE_EBLOCKED);
    CHECK_EQ_INT(veche_store_account_set_blocked(s, p, false, NOW, NULL), 0);
    CHECK_EQ_INT(veche_store_session_lookup(s, h1, NOW, &who), 0);
    CHECK_EQ_INT(who, p);
    CHECK_EQ_INT(veche_store_account_set_blocked(s, 999, true, NOW, NULL),
                 VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_account_set_platform_admin(s, p, true), 0);
    CHECK_EQ_INT(veche_store_account_get(s, p, &a), 0);
    CHECK(a.platform_admin);
    veche_store_close(s);
}

/* ---- bodies, courses, events ---- */

static int count_member(void *ud, const veche_member *m)
{
    unsigned *n = ud;
    (void)m;
    (*n)++;
    return 0;
}

static int stop_at_first(void *ud, const veche_member *m)
{
    *(int64_t *)ud = m->person_id;
    return 7;
}

TEST(bodies_and_courses)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t org, body, body2, course;
    CHECK_EQ_INT(veche_store_org_create(s, "Org", VECHE_ORG_CENTRAL, 0, NOW,
                                        &org), 0);
    CHECK_EQ_INT(veche_store_body_create(s, org, "Президиум", NULL, &body), 0);
    veche_quorum_rule two_thirds = { 2, 3, VECHE_QUORUM_AT_LEAST };
    CHECK_EQ_INT(veche_store_body_create(s, org, "Совет", &two_thirds, &body2),
                 0);
    CHECK_EQ_INT(veche_store_body_create(s, org, "Президиум", NULL, &body2),
                 VECHE_EEXISTS);
    veche_quorum_rule bad = { 3, 2, VECHE_QUORUM_AT_LEAST };
    CHECK_EQ_INT(veche_store_body_create(s, org, "Плохой", &bad, &body2),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_body_create(s, 999, "Нет орг", NULL, &body2),
                 VECHE_EINVAL);
    veche_body b;
    CHECK_EQ_INT(veche_store_body_get(s, body, &b), 0);
    CHECK_EQ_STR(b.name, "Президиум");
    CHECK(b.quorum.num == 1 && b.quorum.den == 2 &&
          b.quorum.mode == VECHE_QUORUM_MORE_THAN);
    CHECK_EQ_INT(veche_store_body_set_quorum(s, body, &two_thirds), 0);
    CHECK_EQ_INT(veche_store_body_get(s, body, &b), 0);
    CHECK(b.quorum.num == 2 && b.quorum.den == 3 &&
          b.quorum.mode == VECHE_QUORUM_AT_LEAST);

    int64_t p1 = add_person(s, "A", "a@example.org", org);
    int64_t p2 = add_person(s, "B", "b@example.org", org);
    int64_t p3 = add_person(s, "C", "c@example.org", org);
    CHECK_EQ_INT(veche_store_body_member_set(s, body, p1, VECHE_ACCESS_CHAIR,
                                             true), 0);
    CHECK_EQ_INT(veche_store_body_member_set(s, body, p2, VECHE_ACCESS_MEMBER,
                                             true), 0);
    CHECK_EQ_INT(veche_store_body_member_set(s, body, p3, VECHE_ACCESS_SECRETARY,
                                             false), 0);
    CHECK_EQ_INT(veche_store_body_member_set(s, body, p3, VECHE_ACCESS_TRAINER,
                                             false), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_body_member_set(s, body, 999, VECHE_ACCESS_MEMBER,
                                             false), VECHE_EINVAL);
    unsigned voting = 0, n = 0;
    CHECK_EQ_INT(veche_store_body_voting_count(s, body, &voting), 0);
    CHECK_EQ_INT(voting, 2);
    /* update in place: p2 loses the vote */
    CHECK_EQ_INT(veche_store_body_member_set(s, body, p2, VECHE_ACCESS_MEMBER,
                                             false), 0);
    CHECK_EQ_INT(veche_store_body_voting_count(s, body, &voting), 0);
    CHECK_EQ_INT(voting, 1);
    CHECK_EQ_INT(veche_store_body_members(s, body, count_member, &n), 0);
    CHECK_EQ_INT(n, 3);
    int64_t first = 0;
    CHECK_EQ_INT(veche_store_body_members(s, body, stop_at_first, &first), 7);
    CHECK_EQ_INT(first, p1);
    CHECK_EQ_INT(veche_store_body_member_remove(s, body, p3), 0);
    CHECK_EQ_INT(veche_store_body_member_remove(s, body, p3), VECHE_ENOTFOUND);

    CHECK_EQ_INT(veche_store_course_create(s, org, "Школа актива", &course), 0);
    veche_course c;
    CHECK_EQ_INT(veche_store_course_get(s, course, &c), 0);
    CHECK_EQ_STR(c.name, "Школа актива");
    CHECK_EQ_INT(veche_store_course_member_set(s, course, p1,
                                               VECHE_ACCESS_TRAINER), 0);
    CHECK_EQ_INT(veche_store_course_member_set(s, course, p2,
                                               VECHE_ACCESS_ACTIVIST), 0);
    CHECK_EQ_INT(veche_store_course_member_set(s, course, p3,
                                               VECHE_ACCESS_MEMBER), VECHE_EINVAL);
    n = 0;
    CHECK_EQ_INT(veche_store_course_members(s, course, count_member, &n), 0);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(veche_store_course_member_remove(s, course, p2), 0);
    veche_store_close(s);
}

/* The cast of the admission tests. */
TEST(events)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    veche_event e;
    CHECK_EQ_INT(veche_store_event_get(s, c.meeting, &e), 0);
    CHECK_EQ_STR(e.title, "Заседание бюро");
    CHECK_EQ_INT(e.body_id, c.body);
    CHECK_EQ_INT(e.course_id, 0);
    CHECK_EQ_INT(e.org_id, c.primary);
    CHECK_EQ_INT(e.room_kind, VECHE_ROOM_MEETING);
    CHECK_EQ_INT(veche_store_event_find_room(s, "kurs-1", &e), 0);
    CHECK_EQ_INT(e.id, c.lesson);
    CHECK_EQ_INT(e.room_kind, VECHE_ROOM_TRAINING);
    CHECK_EQ_INT(e.org_id, c.primary);
    CHECK_EQ_INT(veche_store_event_find_room(s, "nope", &e), VECHE_ENOTFOUND);
    int64_t id;
    veche_event both = { 0, c.body, c.course, 0, "x", NOW, NOW, 0, "r1", 0 };
    CHECK_EQ_INT(veche_store_event_create(s, &both, NOW, &id), VECHE_EINVAL);
    veche_event neither = { 0, 0, 0, 0, "x", NOW, NOW, 0, "r2", 0 };
    CHECK_EQ_INT(veche_store_event_create(s, &neither, NOW, &id), VECHE_EINVAL);
    veche_event backwards = { 0, c.body, 0, 0, "x", NOW, NOW - 1, 0, "r3", 0 };
    CHECK_EQ_INT(veche_store_event_create(s, &backwards, NOW, &id),
                 VECHE_EINVAL);
    veche_event same_room = { 0, c.body, 0, 0, "x", NOW, NOW, 0, "kurs-1", 0 };
    CHECK_EQ_INT(veche_store_event_create(s, &same_room, NOW, &id),
                 VECHE_EEXISTS);
    veche_event no_body = { 0, 999, 0, 0, "x", NOW, NOW, 0, "r4", 0 };
    CHECK_EQ_INT(veche_store_event_create(s, &no_body, NOW, &id), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_event_guest_add(s, c.meeting, c.guest), 0);
    CHECK_EQ_INT(veche_store_event_guest_add(s, 999, c.guest), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_event_guest_remove(s, c.lesson, c.guest),
                 VECHE_ENOTFOUND);
    veche_store_close(s);
}

TEST(admission_decisions)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    struct {
        const char *who;
        int64_t event, person;
        int want;
        veche_access_role role;
        bool voting;
        veche_refusal refusal;
    } rows[] = {
        { "chair", c.meeting, c.chair, 0, VECHE_ACCESS_CHAIR, true, 0 },
        { "secretary", c.meeting, c.secretary, 0, VECHE_ACCESS_SECRETARY, true,
          0 },
        { "member without vote", c.meeting, c.member_nv, 0, VECHE_ACCESS_MEMBER,
          false, 0 },
        { "guest", c.meeting, c.guest, 0, VECHE_ACCESS_GUEST, false, 0 },
        { "guest without account", c.meeting, c.no_account_guest, 0,
          VECHE_ACCESS_GUEST, false, 0 },
        { "admin of the parent org", c.meeting, c.region_admin, 0,
          VECHE_ACCESS_ORG_ADMIN, false, 0 },
        { "platform admin", c.meeting, c.platform, 0,
          VECHE_ACCESS_PLATFORM_ADMIN, false, 0 },
        { "stranger", c.meeting, c.stranger, VECHE_EDENIED, VECHE_ACCESS_NONE,
          false, VECHE_REFUSE_NOT_LISTED },
        { "admin of another region", c.meeting, c.foreign_admin, VECHE_EDENIED,
          VECHE_ACCESS_NONE, false, VECHE_REFUSE_NOT_LISTED },
        { "blocked member", c.meeting, c.blocked, VECHE_EDENIED,
          VECHE_ACCESS_NONE, false, VECHE_REFUSE_BLOCKED },
        { "no such person", c.meeting, 9999, VECHE_EDENIED, VECHE_ACCESS_NONE,
          false, VECHE_REFUSE_NO_PERSON },
        { "trainer", c.lesson, c.trainer, 0, VECHE_ACCESS_TRAINER, false, 0 },
        { "activist", c.lesson, c.activist, 0, VECHE_ACCESS_ACTIVIST, false, 0 },
        { "body chair at a course", c.lesson, c.chair, VECHE_EDENIED,
          VECHE_ACCESS_NONE, false, VECHE_REFUSE_NOT_LISTED },
        { "guest of another event", c.lesson, c.guest, VECHE_EDENIED,
          VECHE_ACCESS_NONE, false, VECHE_REFUSE_NOT_LISTED },
        { "region admin at the course", c.lesson, c.region_admin, 0,
          VECHE_ACCESS_ORG_ADMIN, false, 0 },
        { "activist at the meeting", c.meeting, c.activist, VECHE_EDENIED,
          VECHE_ACCESS_NONE, false, VECHE_REFUSE_NOT_LISTED },
        { "no such event", 9999, c.chair, VECHE_ENOTFOUND, VECHE_ACCESS_NONE,
          false, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_admission a;
        int r = veche_store_admit(s, rows[i].event, rows[i].person, &a);
        if (r != rows[i].want || a.role != rows[i].role ||
            a.voting != rows[i].voting || a.refusal != rows[i].refusal)
            fprintf(stderr, "# %s: %d role %s voting %d refusal %s\n",
                    rows[i].who, r, veche_access_role_name(a.role), a.voting,
                    veche_store_refusal_name(a.refusal));
        CHECK_EQ_INT(r, rows[i].want);
        CHECK_EQ_INT(a.role, rows[i].role);
        CHECK(a.voting == rows[i].voting);
        CHECK_EQ_INT(a.refusal, rows[i].refusal);
    }
    /* The region admin who also sits on the body keeps the vote. */
    CHECK_EQ_INT(veche_store_body_member_set(s, c.body, c.region_admin,
                                             VECHE_ACCESS_MEMBER, true), 0);
    veche_admission a;
    CHECK_EQ_INT(veche_store_admit(s, c.meeting, c.region_admin, &a), 0);
    CHECK_EQ_INT(a.role, VECHE_ACCESS_ORG_ADMIN);
    CHECK(a.voting);
    /* Unblocked, the member is back. */
    CHECK_EQ_INT(veche_store_account_set_blocked(s, c.blocked, false, NOW,
                                                 NULL), 0);
    CHECK_EQ_INT(veche_store_admit(s, c.meeting, c.blocked, &a), 0);
    CHECK_EQ_INT(a.role, VECHE_ACCESS_MEMBER);
    veche_store_close(s);
}

TEST(role_permissions)
{
    static const struct {
        veche_access_role role;
        bool attend, moderate, manage_event, export_att, roster, accounts,
            orgs;
    } rows[] = {
        { VECHE_ACCESS_NONE, 0, 0, 0, 0, 0, 0, 0 },
        { VECHE_ACCESS_GUEST, 1, 0, 0, 0, 0, 0, 0 },
        { VECHE_ACCESS_ACTIVIST, 1, 0, 0, 0, 0, 0, 0 },
        { VECHE_ACCESS_MEMBER, 1, 0, 0, 0, 0, 0, 0 },
        { VECHE_ACCESS_TRAINER, 1, 1, 1, 1, 0, 0, 0 },
        { VECHE_ACCESS_SECRETARY, 1, 1, 1, 1, 0, 0, 0 },
        { VECHE_ACCESS_CHAIR, 1, 1, 1, 1, 0, 0, 0 },
        { VECHE_ACCESS_ORG_ADMIN, 1, 1, 1, 1, 1, 1, 0 },
        { VECHE_ACCESS_PLATFORM_ADMIN, 1, 1, 1, 1, 1, 1, 1 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_access_role r = rows[i].role;
        CHECK(veche_access_may(r, VECHE_ACCESS_MAY_ATTEND) == rows[i].attend);
        CHECK(veche_access_may(r, VECHE_ACCESS_MAY_MODERATE) == rows[i].moderate);
        CHECK(veche_access_may(r, VECHE_ACCESS_MAY_MANAGE_EVENT) ==
              rows[i].manage_event);
        CHECK(veche_access_may(r, VECHE_ACCESS_MAY_EXPORT_ATTENDANCE) ==
              rows[i].export_att);
        CHECK(veche_access_may(r, VECHE_ACCESS_MAY_MANAGE_ROSTER) == rows[i].roster);
        CHECK(veche_access_may(r, VECHE_ACCESS_MAY_MANAGE_ACCOUNTS) ==
              rows[i].accounts);
        CHECK(veche_access_may(r, VECHE_ACCESS_MAY_MANAGE_ORGS) == rows[i].orgs);
        veche_access_role back;
        if (r != VECHE_ACCESS_NONE) {
            CHECK_EQ_INT(veche_access_role_parse(veche_access_role_name(r), &back), 0);
            CHECK_EQ_INT(back, r);
        }
    }
    static const struct {
        veche_access_role role;
        veche_role room;
    } room[] = {
        { VECHE_ACCESS_GUEST, VECHE_ROLE_GUEST },
        { VECHE_ACCESS_ACTIVIST, VECHE_ROLE_MEMBER },
        { VECHE_ACCESS_MEMBER, VECHE_ROLE_MEMBER },
        { VECHE_ACCESS_TRAINER, VECHE_ROLE_MODERATOR },
        { VECHE_ACCESS_SECRETARY, VECHE_ROLE_MODERATOR },
        { VECHE_ACCESS_CHAIR, VECHE_ROLE_MODERATOR },
        { VECHE_ACCESS_ORG_ADMIN, VECHE_ROLE_MODERATOR },
        { VECHE_ACCESS_PLATFORM_ADMIN, VECHE_ROLE_MODERATOR },
        { VECHE_ACCESS_NONE, VECHE_ROLE_GUEST },
    };
    for (size_t i = 0; i < sizeof room / sizeof room[0]; i++)
        CHECK_EQ_INT(veche_access_room_role(room[i].role), room[i].room);
    veche_access_role back;
    CHECK_EQ_INT(veche_access_role_parse("none", &back), VECHE_EINVAL);
    CHECK_EQ_INT(veche_access_role_parse("Chair", &back), 0);
    CHECK_EQ_INT(back, VECHE_ACCESS_CHAIR);
    CHECK(!veche_access_may((veche_access_role)99, VECHE_ACCESS_MAY_ATTEND));
    CHECK_EQ_STR(veche_access_role_name((veche_access_role)99), "?");
}

/* ---- sessions and invitations ---- */

TEST(sessions_expire)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t p = add_person(s, "П", "p@example.org", 0);
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN], again[VECHE_TOKEN_HASH_LEN] = { 0 };
    CHECK_EQ_INT(veche_token_session_new(token, hash), 0);
    CHECK_EQ_INT(veche_store_session_create(s, hash, p, NOW, NOW + 100), 0);
    CHECK_EQ_INT(veche_store_session_create(s, hash, p, NOW, NOW + 100),
                 VECHE_EEXISTS);
    CHECK_EQ_INT(veche_store_session_create(s, again, p, NOW, NOW),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_session_create(s, again, 999, NOW, NOW + 1),
                 VECHE_EINVAL);
    /* the cookie comes back: hash it and look it up */
    CHECK_EQ_INT(veche_token_session_hash(token, again), 0);
    int64_t who = 0;
    /* more than half its lifetime left: a use does not extend it */
    CHECK_EQ_INT(veche_store_session_lookup(s, again, NOW + 40, &who), 0);
    CHECK_EQ_INT(who, p);
    CHECK_EQ_INT(veche_store_session_lookup(s, again, NOW + 100, &who),
                 VECHE_ENOTFOUND);
    /* the raw token is nowhere in the database */
    veche_store_close(s);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM session"), 1);
    CHECK_EQ_INT(query(path, "SELECT length(token_hash) FROM session"), 32);
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    uint8_t h2[VECHE_TOKEN_HASH_LEN], h3[VECHE_TOKEN_HASH_LEN];
    CHECK_EQ_INT(veche_token_session_new(token, h2), 0);
    CHECK_EQ_INT(veche_token_session_new(token, h3), 0);
    CHECK_EQ_INT(veche_store_session_create(s, h2, p, NOW, NOW + 500), 0);
    CHECK_EQ_INT(veche_store_session_create(s, h3, p, NOW, NOW + 50), 0);
    CHECK_EQ_INT(veche_store_session_expire(s, NOW + 100), 2);
    CHECK_EQ_INT(veche_store_session_expire(s, NOW + 100), 0);
    CHECK_EQ_INT(veche_store_session_lookup(s, h2, NOW + 100, &who), 0);
    CHECK_EQ_INT(veche_store_session_delete(s, h2), 0);
    CHECK_EQ_INT(veche_store_session_delete(s, h2), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_session_lookup(s, h2, NOW + 100, &who),
                 VECHE_ENOTFOUND);
    veche_store_close(s);
}

/* Session lifetime per organization (issue 14): the person's
 * organization, else its nearest ancestor, else the server's default; a
 * session in use slides; joining a lesson holds it to the lesson's end. */
TEST(sessions_lifetime_per_org)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t central, primary;
    CHECK_EQ_INT(veche_store_org_create(s, "Союз", VECHE_ORG_CENTRAL, 0, NOW, &central), 0);
    CHECK_EQ_INT(veche_store_org_create(s, "Первичка", VECHE_ORG_PRIMARY, central, NOW,
                                        &primary), 0);
    int64_t p = add_person(s, "П", "p@example.org", primary), q = add_person(s, "Q", "q@example.org", 0);
    unsigned hours = 99;
    int64_t secs = -1;
    CHECK_EQ_INT(veche_store_org_session_hours(s, primary, &hours), 0);
    CHECK_EQ_INT(hours, 0);  /* not set */
    CHECK_EQ_INT(veche_store_org_session_hours(s, 9999, &hours), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_org_set_session_hours(s, primary, 8761), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_org_set_session_hours(s, 9999, 2), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_session_hours_of(s, p, &secs), 0);
    CHECK_EQ_INT(secs, 0);
    /* the ancestor's applies, then the organization's own */
    CHECK_EQ_INT(veche_store_org_set_session_hours(s, central, 5), 0);
    CHECK_EQ_INT(veche_store_session_hours_of(s, p, &secs), 0);
    CHECK_EQ_INT(secs, 5 * 3600);
    CHECK_EQ_INT(veche_store_org_set_session_hours(s, primary, 1), 0);
    CHECK_EQ_INT(veche_store_org_session_hours(s, primary, &hours), 0);
    CHECK_EQ_INT(hours, 1);
    CHECK_EQ_INT(veche_store_session_hours_of(s, p, &secs), 0);
    CHECK_EQ_INT(secs, 3600);
    CHECK_EQ_INT(veche_store_session_hours_of(s, q, &secs), 0);  /* no organization */
    CHECK_EQ_INT(secs, 0);

    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hp[VECHE_TOKEN_HASH_LEN], hq[VECHE_TOKEN_HASH_LEN];
    CHECK_EQ_INT(veche_token_session_new(token, hp), 0);
    CHECK_EQ_INT(veche_token_session_new(token, hq), 0);
    /* the server's default is 12 h; p's organization says 1 h */
    CHECK_EQ_INT(veche_store_session_create(s, hp, p, NOW, NOW + 12 * 3600), 0);
    CHECK_EQ_INT(veche_store_session_create(s, hq, q, NOW, NOW + 12 * 3600), 0);
    int64_t who = 0;
    CHECK_EQ_INT(veche_store_session_lookup(s, hp, NOW + 3600, &who), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_session_lookup(s, hq, NOW + 3600, &who), 0);  /* 12 h */
    CHECK_EQ_INT(veche_store_session_lookup(s, hp, NOW + 1000, &who), 0);  /* no slide yet */
    CHECK_EQ_INT(veche_store_session_lookup(s, hp, NOW + 3600, &who), VECHE_ENOTFOUND);
    /* used with less than half left (at NOW + 2000): a whole hour from then */
    CHECK_EQ_INT(veche_store_session_lookup(s, hp, NOW + 2000, &who), 0);
    CHECK_EQ_INT(who, p);
    CHECK_EQ_INT(veche_store_session_lookup(s, hp, NOW + 5599, &who), 0);
    /* held for a lesson ending at NOW + 4 h: until its end and an hour */
    CHECK_EQ_INT(veche_store_session_hold(s, hp, NOW + 5599, NOW + 4 * 3600), 0);
    CHECK_EQ_INT(veche_store_session_lookup(s, hp, NOW + 5 * 3600 - 1, &who), 0);
    /* a hold never shortens it, and an expired session is not revived */
    CHECK_EQ_INT(veche_store_session_hold(s, hp, NOW, NOW), 0);
    CHECK_EQ_INT(veche_store_session_hold(s, hq, NOW + 13 * 3600, NOW + 20 * 3600),
                 VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_session_lookup(s, hq, NOW + 13 * 3600, &who), VECHE_ENOTFOUND);
    veche_store_close(s);
}

/* Sessions from before v8 (ttl_secs 0) slide too (issue 14): by their
 * organization's lifetime when it sets one, else by the lifetime they were
 * opened with (the server's default then), learnt at their first use. */
TEST(sessions_before_v8_slide)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t org;
    CHECK_EQ_INT(veche_store_org_create(s, "Союз", VECHE_ORG_CENTRAL, 0, NOW, &org), 0);
    int64_t p = add_person(s, "П", "p@example.org", org), q = add_person(s, "Q", "q@example.org", 0);
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hp[VECHE_TOKEN_HASH_LEN], hq[VECHE_TOKEN_HASH_LEN];
    CHECK_EQ_INT(veche_token_session_new(token, hp), 0);
    CHECK_EQ_INT(veche_token_session_new(token, hq), 0);
    /* as a v7 server wrote them: 12 h from sign-in, no ttl_secs */
    CHECK_EQ_INT(veche_store_session_create(s, hp, p, NOW, NOW + 12 * 3600), 0);
    CHECK_EQ_INT(veche_store_session_create(s, hq, q, NOW, NOW + 12 * 3600), 0);
    CHECK_EQ_INT(store_exec(s, "UPDATE session SET ttl_secs = 0", ""), 2);
    /* p's organization now says 2 h: used with 30 min left, p's slides by 2 h */
    CHECK_EQ_INT(veche_store_org_set_session_hours(s, org, 2), 0);
    int64_t who = 0;
    CHECK_EQ_INT(veche_store_session_lookup(s, hp, NOW + 11 * 3600 + 1800, &who), 0);
    CHECK_EQ_INT(who, p);
    /* q has no organization: slides by the 12 h it was opened with */
    CHECK_EQ_INT(veche_store_session_lookup(s, hq, NOW + 11 * 3600 + 1800, &who), 0);
    CHECK_EQ_INT(who, q);
    veche_store_close(s);
    /* the lifetime is kept in the row, expires_at moved by it */
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT expires_at - %d FROM session WHERE person_id = %lld"
             " AND ttl_secs = 7200", NOW, (long long)p);
    CHECK_EQ_INT(query(path, sql), 13 * 3600 + 1800);
    snprintf(sql, sizeof sql, "SELECT expires_at - %d FROM session WHERE person_id = %lld"
             " AND ttl_secs = 43200", NOW, (long long)q);
    CHECK_EQ_INT(query(path, sql), 23 * 3600 + 1800);
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    CHECK_EQ_INT(veche_store_session_lookup(s, hp, NOW + 13 * 3600 + 1800, &who), VECHE_ENOTFOUND);
    /* a hold for a lesson ending at NOW + 30 h adds the lifetime learnt */
    CHECK_EQ_INT(veche_store_session_hold(s, hq, NOW + 22 * 3600, NOW + 30 * 3600), 0);
    CHECK_EQ_INT(veche_store_session_lookup(s, hq, NOW + 42 * 3600 - 1, &who), 0);
    veche_store_close(s);
}

TEST(invitations_single_use)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    veche_token_secret secret = { { 7 } };
    veche_invitation inv, got;
    char link[VECHE_TOKEN_INVITATION_SIZE];
    CHECK_EQ_INT(veche_token_invitation_create(&secret, c.meeting, c.guest,
                                               NOW + 86400, &inv, link), 0);
    CHECK_EQ_INT(veche_store_invitation_add(s, &inv, c.chair, NOW), 0);
    CHECK_EQ_INT(veche_store_invitation_add(s, &inv, c.chair, NOW),
                 VECHE_EEXISTS);
    /* the guest follows the link */
    CHECK_EQ_INT(veche_token_invitation_verify(&secret, link, NOW + 10, &got),
                 0);
    CHECK_EQ_INT(veche_store_invitation_use(s, &got, NOW + 10), 0);
    CHECK_EQ_INT(veche_store_invitation_use(s, &got, NOW + 20), VECHE_EUSED);
    /* ids that do not match the stored row */
    veche_invitation forged = got;
    forged.person_id = c.stranger;
    CHECK_EQ_INT(veche_store_invitation_use(s, &forged, NOW + 20),
                 VECHE_ENOTFOUND);
    /* an expired one */
    veche_invitation old;
    CHECK_EQ_INT(veche_token_invitation_create(&secret, c.meeting, c.guest,
                                               NOW + 60, &old, link), 0);
    CHECK_EQ_INT(veche_store_invitation_add(s, &old, 0, NOW), 0);
    CHECK_EQ_INT(veche_store_invitation_use(s, &old, NOW + 60),
                 VECHE_EEXPIRED);
    /* a revoked one */
    veche_invitation rev;
    CHECK_EQ_INT(veche_token_invitation_create(&secret, c.meeting, c.guest,
                                               NOW + 600, &rev, link), 0);
    CHECK_EQ_INT(veche_store_invitation_add(s, &rev, 0, NOW), 0);
    CHECK_EQ_INT(veche_store_invitation_revoke(s, rev.nonce), 0);
    CHECK_EQ_INT(veche_store_invitation_revoke(s, rev.nonce), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_invitation_use(s, &rev, NOW + 1), VECHE_ENOTFOUND);
    /* for a missing event */
    veche_invitation bad;
    CHECK_EQ_INT(veche_token_invitation_create(&secret, 9999, c.guest,
                                               NOW + 600, &bad, link), 0);
    CHECK_EQ_INT(veche_store_invitation_add(s, &bad, 0, NOW), VECHE_EINVAL);
    veche_store_close(s);
}

/* ---- listings for administrators (store_admin.c) ---- */

typedef struct {
    int64_t ids[32];
    unsigned n;
    unsigned extra[32];           /* counts reported with each row */
    int stop_after;               /* > 0: return 9 after this many rows */
} listing;

static int take(listing *l, int64_t id, unsigned extra)
{
    if (l->n < 32) {
        l->ids[l->n] = id;
        l->extra[l->n] = extra;
    }
    l->n++;
    return l->stop_after > 0 && (int)l->n >= l->stop_after ? 9 : 0;
}

static int org_row(void *ud, const veche_org *o)
{
    return take(ud, o->id, (unsigned)o->level);
}

static int person_row(void *ud, const veche_person_info *p)
{
    return take(ud, p->person.id, (unsigned)p->account | (unsigned)p->blocked << 1 |
                                      (unsigned)p->must_change_password << 2 |
                                      (unsigned)p->platform_admin << 3);
}

static int body_row(void *ud, const veche_body_info *b)
{
    return take(ud, b->body.id, b->members * 100 + b->voting);
}

static int course_row(void *ud, const veche_course_info *k)
{
    return take(ud, k->course.id, k->members);
}

static int event_row(void *ud, const veche_event_info *e)
{
    return take(ud, e->event.id, e->guests);
}

static bool has(const listing *l, int64_t id)
{
    for (unsigned i = 0; i < l->n && i < 32; i++)
        if (l->ids[i] == id)
            return true;
    return false;
}

TEST(admin_listings)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    veche_org_level lv;
    CHECK_EQ_STR(veche_store_org_level_name(VECHE_ORG_REGIONAL), "regional");
    CHECK_EQ_INT(veche_store_org_level_parse("primary", &lv), 0);
    CHECK_EQ_INT(lv, VECHE_ORG_PRIMARY);
    CHECK_EQ_INT(veche_store_org_level_parse("Primary", &lv), VECHE_EINVAL);

    /* organizations: all, one subtree, an admin's subtrees, an admin of none */
    listing l = { 0 };
    CHECK_EQ_INT(veche_store_orgs_list(s, 0, 0, org_row, &l), 0);
    CHECK_EQ_INT(l.n, 4);
    CHECK(l.ids[0] == c.central && l.extra[0] == VECHE_ORG_CENTRAL);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_orgs_list(s, c.region, 0, org_row, &l), 0);
    CHECK(l.n == 2 && l.ids[0] == c.region && l.ids[1] == c.primary);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_orgs_list(s, 0, c.region_admin, org_row, &l), 0);
    CHECK(l.n == 2 && has(&l, c.region) && has(&l, c.primary));
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_orgs_list(s, 0, c.chair, org_row, &l), 0);
    CHECK_EQ_INT(l.n, 0);
    l = (listing){ .stop_after = 1 };
    CHECK_EQ_INT(veche_store_orgs_list(s, 0, 0, org_row, &l), 9);
    CHECK_EQ_INT(l.n, 1);

    /* persons: a person of no organization is only in the full listing */
    int64_t loner = add_person(s, "Аарон Одиночка", "loner@x.org", 0);
    int64_t centre = add_person(s, "Яна Центральная", "centre@x.org", c.central);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_people_list(s, 0, 0, person_row, &l), 0);
    CHECK_EQ_INT(l.n, 14);
    CHECK_EQ_INT(l.ids[0], loner);          /* by name: "Аарон" first */
    CHECK_EQ_INT(l.ids[13], centre);        /* "Яна" last */
    CHECK_EQ_INT(l.extra[0], 0);            /* no account */
    for (unsigned i = 2; i < 13; i++)      /* equal names: by id */
        CHECK(l.ids[i] > l.ids[i - 1]);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_people_list(s, c.region, 0, person_row, &l), 0);
    CHECK_EQ_INT(l.n, 12);
    CHECK(!has(&l, loner) && !has(&l, centre));
    for (unsigned i = 0; i < l.n; i++) {
        if (l.ids[i] == c.blocked)
            CHECK_EQ_INT(l.extra[i], 1 | 2);
        if (l.ids[i] == c.platform)
            CHECK_EQ_INT(l.extra[i], 1 | 8);
        if (l.ids[i] == c.no_account_guest)
            CHECK_EQ_INT(l.extra[i], 0);
    }
    CHECK_EQ_INT(veche_store_account_create(s, centre, NULL, true, NOW), 0);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_people_list(s, c.central, 0, person_row, &l), 0);
    CHECK_EQ_INT(l.n, 13);
    CHECK(l.ids[12] == centre && l.extra[12] == (1 | 4));
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_people_list(s, 0, c.foreign_admin, person_row, &l), 0);
    CHECK_EQ_INT(l.n, 0);

    /* bodies and courses with their counts */
    int64_t other_body;
    CHECK_EQ_INT(veche_store_body_create(s, c.other_region, "Совет", NULL,
                                         &other_body), 0);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_bodies_list(s, 0, c.region_admin, body_row, &l), 0);
    CHECK(l.n == 1 && l.ids[0] == c.body);
    CHECK_EQ_INT(l.extra[0], 4 * 100 + 3);  /* chair, secretary, blocked vote */
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_bodies_list(s, 0, 0, body_row, &l), 0);
    CHECK(l.n == 2 && l.ids[0] == c.body && l.ids[1] == other_body);  /* by name */
    CHECK_EQ_INT(l.extra[1], 0);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_courses_list(s, c.primary, 0, course_row, &l), 0);
    CHECK(l.n == 1 && l.ids[0] == c.course && l.extra[0] == 2);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_courses_list(s, c.other_region, 0, course_row, &l), 0);
    CHECK_EQ_INT(l.n, 0);

    /* events with their guest counts, by start time */
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_events_in(s, 0, c.region_admin, event_row, &l), 0);
    CHECK_EQ_INT(l.n, 2);
    CHECK(has(&l, c.meeting) && has(&l, c.lesson));
    for (unsigned i = 0; i < l.n; i++)
        CHECK_EQ_INT(l.extra[i], l.ids[i] == c.meeting ? 3 : 0);
    veche_event later = { 0, other_body, 0, 0, "Совет", NOW - 10, NOW,
                          VECHE_ROOM_MEETING, "sovet-1", 0 };
    int64_t later_id;
    CHECK_EQ_INT(veche_store_event_create(s, &later, NOW, &later_id), 0);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_events_in(s, 0, 0, event_row, &l), 0);
    CHECK(l.n == 3 && l.ids[0] == later_id);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_events_in(s, 0, c.foreign_admin, event_row, &l), 0);
    CHECK(l.n == 1 && l.ids[0] == later_id);
    l = (listing){ 0 };
    CHECK_EQ_INT(veche_store_events_in(s, 0, c.stranger, event_row, &l), 0);
    CHECK_EQ_INT(l.n, 0);
    veche_store_close(s);
}

/* ---- roster import ---- */

/* A caller's transaction (store.h): store functions called inside join it;
 * one that fails undoes only its own part; nothing is visible to another
 * connection (so nothing is on disk) before the outermost commit; a
 * rollback takes back the parts that succeeded. */
TEST(caller_transaction_nests)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    veche_person a = { 0, 0, "Первый Транзакционный", "tx1@example.org", "" };
    veche_person b = { 0, 0, "Второй Транзакционный", "tx2@example.org", "" };
    int64_t id;
    CHECK_EQ_INT(veche_store_tx_begin(s), 0);
    CHECK_EQ_INT(veche_store_tx_depth(s), 1);
    CHECK_EQ_INT(veche_store_person_create(s, &a, NOW, &id), 0);
    CHECK_EQ_INT(veche_store_tx_depth(s), 1);
    CHECK_EQ_INT(veche_store_person_create(s, &a, NOW, &id), VECHE_EEXISTS);
    CHECK_EQ_INT(veche_store_tx_depth(s), 1);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM person"), 0);  /* not yet committed */
    CHECK_EQ_INT(veche_store_tx_end(s, true), 0);
    CHECK_EQ_INT(veche_store_tx_depth(s), 0);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM person"), 1);

    CHECK_EQ_INT(veche_store_tx_begin(s), 0);
    CHECK_EQ_INT(veche_store_person_create(s, &b, NOW, &id), 0);
    CHECK_EQ_INT(veche_store_tx_end(s, false), 0);
    CHECK_EQ_INT(veche_store_tx_depth(s), 0);
    veche_person got;
    CHECK_EQ_INT(veche_store_person_find_email(s, "tx2@example.org", &got), VECHE_ENOTFOUND);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM person"), 1);
    CHECK_EQ_INT(veche_store_tx_end(s, true), VECHE_EINVAL);  /* none open */
    /* without a caller's transaction a store function commits by itself */
    CHECK_EQ_INT(veche_store_person_create(s, &b, NOW, &id), 0);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM person"), 2);
    veche_store_close(s);
}

/* ---- a person's roles and events by their rows (api /me, /events) ---- */

/* The reference: veche_store_admit over every event. */
static int ref_roles_cb(void *ud, const veche_event *ev)
{
    void **a = ud;
    veche_store *s = a[0];
    int64_t person = *(int64_t *)a[1];
    veche_admission adm;
    if (veche_store_admit(s, ev->id, person, &adm) == 0)
        *(unsigned *)a[2] |= 1u << adm.role;
    return 0;
}

typedef struct {
    veche_store *s;
    int64_t person;
    int64_t ids[256];
    size_t n;
} admitted_list;

static int admitted_cb(void *ud, const veche_event *ev)
{
    admitted_list *l = ud;
    veche_admission adm;
    if (veche_store_admit(l->s, ev->id, l->person, &adm) == 0 && l->n < 256)
        l->ids[l->n++] = ev->id;
    return 0;
}

/* Both answers for person equal the per-event ones. */
static void check_person_by_rows(veche_store *s, int64_t person, int *mismatches)
{
    unsigned ref = 0, got = 99;
    void *a[3] = {s, &person, &ref};
    CHECK_EQ_INT(veche_store_events_list(s, ref_roles_cb, a), 0);
    CHECK_EQ_INT(veche_store_person_event_roles(s, person, &got), 0);
    admitted_list all = {s, person, {0}, 0}, mine = {s, person, {0}, 0};
    CHECK_EQ_INT(veche_store_events_list(s, admitted_cb, &all), 0);
    CHECK_EQ_INT(veche_store_events_for_person(s, person, admitted_cb, &mine), 0);
    bool same = ref == got && all.n == mine.n &&
                memcmp(all.ids, mine.ids, all.n * sizeof all.ids[0]) == 0;
    if (!same) {
        fprintf(stderr, "# person %lld: roles %#x vs %#x, events %zu vs %zu\n",
                (long long)person, ref, got, all.n, mine.n);
        (*mismatches)++;
    }
}

static void person_roles_by_rows(void)
{
    char path[128];
    veche_store *s = fresh(path, sizeof path);
    cast c;
    build_cast(s, &c);
    int bad = 0;
    int64_t cast_people[] = {c.chair, c.member_nv, c.secretary, c.guest, c.region_admin,
                             c.platform, c.stranger, c.blocked, c.trainer, c.activist,
                             c.foreign_admin, c.no_account_guest};
    for (size_t i = 0; i < sizeof cast_people / sizeof cast_people[0]; i++)
        check_person_by_rows(s, cast_people[i], &bad);
    unsigned m = 0;
    CHECK_EQ_INT(veche_store_person_event_roles(s, c.chair, &m), 0);
    CHECK_EQ_INT((int)m, 1 << VECHE_ACCESS_CHAIR);  /* a guest too, but chair is higher */
    CHECK_EQ_INT(veche_store_person_event_roles(s, c.blocked, &m), 0);
    CHECK_EQ_INT((int)m, 0);
    CHECK_EQ_INT(veche_store_person_event_roles(s, 999999, &m), VECHE_ENOTFOUND);
    /* Random worlds: units in every organization, some without events,
     * people on rosters, guests, administrators, blocked, platform. */
    unsigned seed = 8;
    int64_t orgs[] = {c.central, c.region, c.other_region, c.primary};
    for (int world = 0; world < 6; world++) {
        int64_t units[8], people[24];
        bool is_body[8];
        for (int u = 0; u < 8; u++) {
            char name[32];
            snprintf(name, sizeof name, "unit %d.%d", world, u);
            int64_t org = orgs[rand_r(&seed) % 4];
            is_body[u] = rand_r(&seed) % 2;
            CHECK_EQ_INT(is_body[u] ? veche_store_body_create(s, org, name, NULL, &units[u])
                                    : veche_store_course_create(s, org, name, &units[u]), 0);
            int events = rand_r(&seed) % 3;  /* 0: a unit without events */
            for (int e = 0; e < events; e++) {
                veche_event ev = {0, is_body[u] ? units[u] : 0, is_body[u] ? 0 : units[u], 0,
                                  "E", NOW + rand_r(&seed) % 5, NOW + 7200,
                                  is_body[u] ? VECHE_ROOM_MEETING : VECHE_ROOM_TRAINING, "", 0};
                snprintf(ev.room_id, sizeof ev.room_id, "w%d-u%d-e%d", world, u, e);
                int64_t id = 0;
                CHECK_EQ_INT(veche_store_event_create(s, &ev, NOW, &id), 0);
            }
        }
        for (int p = 0; p < 24; p++) {
            char email[48];
            snprintf(email, sizeof email, "w%d-p%d@x.org", world, p);
            people[p] = add_person(s, "Человек", email, c.primary);
            bool account = rand_r(&seed) % 4 != 0;
            if (account)
                CHECK_EQ_INT(veche_store_account_create(s, people[p], NULL, false, NOW), 0);
            static const veche_access_role body_roles[] = {
                VECHE_ACCESS_MEMBER, VECHE_ACCESS_SECRETARY, VECHE_ACCESS_CHAIR};
            for (int u = 0; u < 8; u++) {
                if (rand_r(&seed) % 6)
                    continue;
                if (is_body[u])
                    CHECK_EQ_INT(veche_store_body_member_set(s, units[u], people[p],
                                                             body_roles[rand_r(&seed) % 3],
                                                             rand_r(&seed) % 2), 0);
                else
                    CHECK_EQ_INT(veche_store_course_member_set(
                                     s, units[u], people[p],
                                     rand_r(&seed) % 2 ? VECHE_ACCESS_TRAINER
                                                       : VECHE_ACCESS_ACTIVIST), 0);
            }
            if (rand_r(&seed) % 10 == 0)
                CHECK_EQ_INT(veche_store_org_admin_set(s, orgs[rand_r(&seed) % 4], people[p],
                                                       true), 0);
            if (account && rand_r(&seed) % 15 == 0)
                CHECK_EQ_INT(veche_store_account_set_platform_admin(s, people[p], true), 0);
            if (account && rand_r(&seed) % 12 == 0)
                CHECK_EQ_INT(veche_store_account_set_blocked(s, people[p], true, NOW, NULL), 0);
        }
        /* guests: a few of every world's events */
        char sql[256];
        snprintf(sql, sizeof sql,
                 "INSERT OR IGNORE INTO event_guest (event_id, person_id)"
                 " SELECT e.id, p.id FROM event e, person p WHERE p.email LIKE 'w%d-%%'"
                 " AND (e.id * 7 + p.id * 3) %% 9 = 0", world);
        CHECK_EQ_INT(exec_sql(path, sql), 0);
        for (int p = 0; p < 24; p++)
            check_person_by_rows(s, people[p], &bad);
    }
    for (size_t i = 0; i < sizeof cast_people / sizeof cast_people[0]; i++)
        check_person_by_rows(s, cast_people[i], &bad);
    CHECK_EQ_INT(bad, 0);
    veche_store_close(s);
}

int main(void)
{
    if (fixture_begin() != 0)
        return 1;
    RUN(open_migrate_reopen);
    RUN(pragmas_in_force);
    RUN(newer_schema_refused);
    RUN(failed_migration_rolls_back);
    RUN(not_a_database);
    RUN(organizations);
    RUN(persons);
    RUN(accounts);
    RUN(bodies_and_courses);
    RUN(events);
    RUN(admission_decisions);
    RUN(role_permissions);
    RUN(sessions_expire);
    RUN(sessions_lifetime_per_org);
    RUN(sessions_before_v8_slide);
    RUN(invitations_single_use);
    RUN(admin_listings);
    RUN(caller_transaction_nests);
    RUN(person_roles_by_rows);
    fixture_end();
    return check_finish();
}
