/* store_fixture.h - shared set-up for the store tests: a temporary
 * directory, a fresh database per test, a second connection for looking
 * behind the API, and a cast of organizations, people, a body, a course and
 * their events.  Included by test_store.c and test_store_records.c only. */
#ifndef VECHE_STORE_FIXTURE_H
#define VECHE_STORE_FIXTURE_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "err.h"
#include "store.h"

#define NOW 1700000000

static char tmpdir[64];
static int db_counter;

static void db_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

/* A fresh database file per test. */
static veche_store *fresh(char *path, size_t cap)
{
    char name[32];
    snprintf(name, sizeof name, "t%d.db", ++db_counter);
    db_path(path, cap, name);
    veche_store *s = NULL;
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    return s;
}

/* Run a single-integer query on a separate connection. */
static long long query(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    long long v = -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static int exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static int64_t add_person(veche_store *s, const char *name, const char *email,
                          int64_t org)
{
    veche_person p = { 0, org, "", "", "" };
    snprintf(p.full_name, sizeof p.full_name, "%s", name);
    snprintf(p.email, sizeof p.email, "%s", email);
    int64_t id = 0;
    CHECK_EQ_INT(veche_store_person_create(s, &p, NOW, &id), 0);
    return id;
}

/* ---- lifecycle ---- */

/* The cast of the admission and records tests. */
typedef struct {
    int64_t central, region, primary, other_region;
    int64_t body, course, meeting, lesson;
    int64_t chair, member_nv, secretary, guest, region_admin, platform,
        stranger, blocked, trainer, activist, foreign_admin, no_account_guest;
} cast;

static void build_cast(veche_store *s, cast *c)
{
    CHECK_EQ_INT(veche_store_org_create(s, "Центр", VECHE_ORG_CENTRAL, 0, NOW,
                                        &c->central), 0);
    CHECK_EQ_INT(veche_store_org_create(s, "Регион", VECHE_ORG_REGIONAL,
                                        c->central, NOW, &c->region), 0);
    CHECK_EQ_INT(veche_store_org_create(s, "Другой регион", VECHE_ORG_REGIONAL,
                                        c->central, NOW, &c->other_region), 0);
    CHECK_EQ_INT(veche_store_org_create(s, "Первичка", VECHE_ORG_PRIMARY,
                                        c->region, NOW, &c->primary), 0);
    CHECK_EQ_INT(veche_store_body_create(s, c->primary, "Бюро", NULL, &c->body),
                 0);
    CHECK_EQ_INT(veche_store_course_create(s, c->primary, "Курс", &c->course),
                 0);
    struct {
        int64_t *id;
        const char *email;
    } people[] = {
        { &c->chair, "chair@x.org" }, { &c->member_nv, "member@x.org" },
        { &c->secretary, "sec@x.org" }, { &c->guest, "guest@x.org" },
        { &c->region_admin, "radmin@x.org" }, { &c->platform, "root@x.org" },
        { &c->stranger, "stranger@x.org" }, { &c->blocked, "blocked@x.org" },
        { &c->trainer, "trainer@x.org" }, { &c->activist, "act@x.org" },
        { &c->foreign_admin, "fadmin@x.org" },
        { &c->no_account_guest, "noacct@x.org" },
    };
    for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
        *people[i].id = add_person(s, "Человек", people[i].email, c->primary);
        if (people[i].id != &c->no_account_guest)
            CHECK_EQ_INT(veche_store_account_create(s, *people[i].id, NULL,
                                                    false, NOW), 0);
    }
    CHECK_EQ_INT(veche_store_body_member_set(s, c->body, c->chair,
                                             VECHE_ACCESS_CHAIR, true), 0);
    CHECK_EQ_INT(veche_store_body_member_set(s, c->body, c->member_nv,
                                             VECHE_ACCESS_MEMBER, false), 0);
    CHECK_EQ_INT(veche_store_body_member_set(s, c->body, c->secretary,
                                             VECHE_ACCESS_SECRETARY, true), 0);
    CHECK_EQ_INT(veche_store_body_member_set(s, c->body, c->blocked,
                                             VECHE_ACCESS_MEMBER, true), 0);
    CHECK_EQ_INT(veche_store_course_member_set(s, c->course, c->trainer,
                                               VECHE_ACCESS_TRAINER), 0);
    CHECK_EQ_INT(veche_store_course_member_set(s, c->course, c->activist,
                                               VECHE_ACCESS_ACTIVIST), 0);
    CHECK_EQ_INT(veche_store_org_admin_set(s, c->region, c->region_admin,
                                           true), 0);
    CHECK_EQ_INT(veche_store_org_admin_set(s, c->other_region,
                                           c->foreign_admin, true), 0);
    CHECK_EQ_INT(veche_store_account_set_platform_admin(s, c->platform, true),
                 0);
    CHECK_EQ_INT(veche_store_account_set_blocked(s, c->blocked, true, NOW,
                                                 NULL), 0);
    veche_event ev = { 0, c->body, 0, 0, "Заседание бюро", NOW, NOW + 7200,
                       VECHE_ROOM_MEETING, "buro-2026-01", 0 };
    CHECK_EQ_INT(veche_store_event_create(s, &ev, NOW, &c->meeting), 0);
    veche_event lesson = { 0, 0, c->course, 0, "Занятие 1", NOW, NOW + 3600,
                           VECHE_ROOM_TRAINING, "kurs-1", 0 };
    CHECK_EQ_INT(veche_store_event_create(s, &lesson, NOW, &c->lesson), 0);
    CHECK_EQ_INT(veche_store_event_guest_add(s, c->meeting, c->guest), 0);
    CHECK_EQ_INT(veche_store_event_guest_add(s, c->meeting,
                                             c->no_account_guest), 0);
    /* the chair is also a guest: the higher role wins */
    CHECK_EQ_INT(veche_store_event_guest_add(s, c->meeting, c->chair), 0);
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* mkdtemp the directory the databases go to; 0 or -1. */
static int fixture_begin(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/veche-store-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return -1;
    }
    return 0;
}

static void fixture_end(void)
{
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
