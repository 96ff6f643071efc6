/* test_store_records.c - the SQLite store, part 2: roster import (all or
 * nothing, Cyrillic names kept exactly), attendance durability across
 * kill -9, CSV exports, the quorum log, backup and restore.  Each test
 * opens its own database. */
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_fixture.h"
#include "store_int.h"
#include "backup.h"

static veche_roster_import *roster(const char *text, veche_roster_kind kind)
{
    veche_roster_import *r = NULL;
    CHECK_EQ_INT(veche_roster_import_new(text, strlen(text), kind, &r), 0);
    return r;
}

static const char good_roster[] =
    "full_name,email,phone,role,voting\n"
    "Иванов Иван Иванович,ivanov@example.ru,+7 495 123-45-67,chair,yes\n"
    "\"Петрова, Анна\",petrova@example.ru,,secretary,\n"
    "Ёлкин Фёдор,elkin@example.ru,,member,no\n"
    "Уже Есть,EXISTING@example.ru,,member,yes\n";

TEST(roster_import_all_or_nothing)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t org, body, course;
    CHECK_EQ_INT(veche_store_org_create(s, "Org", VECHE_ORG_CENTRAL, 0, NOW,
                                        &org), 0);
    CHECK_EQ_INT(veche_store_body_create(s, org, "Бюро", NULL, &body), 0);
    CHECK_EQ_INT(veche_store_course_create(s, org, "Курс", &course), 0);
    int64_t existing = add_person(s, "Старое Имя", "existing@example.ru", org);

    /* 1. A file with a bad row: refused whole, nothing written. */
    veche_roster_import *bad = roster(
        "full_name,email,role\n"
        "Новый Человек,new@example.ru,member\n"
        "Плохой,not-an-email,member\n", VECHE_ROSTER_BODY);
    CHECK(bad && !veche_roster_import_ok(bad));
    CHECK_EQ_INT(veche_store_roster_apply(s, bad, body, false, NOW, NULL),
                 VECHE_EINVAL);
    veche_roster_import_free(bad);
    veche_store_close(s);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM person"), 1);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM body_member"), 0);

    /* 2. A good file that fails in the database half-way (a trigger stands
     * in for a disk error on the fourth row): rolled back entirely. */
    CHECK_EQ_INT(exec_sql(path,
        "CREATE TRIGGER fail_elkin BEFORE INSERT ON body_member"
        " WHEN NEW.person_id = (SELECT id FROM person"
        "   WHERE email = 'elkin@example.ru')"
        " BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;"), SQLITE_OK);
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    veche_roster_import *good = roster(good_roster, VECHE_ROSTER_BODY);
    CHECK(good && veche_roster_import_ok(good));
    CHECK(veche_store_roster_apply(s, good, body, false, NOW, NULL) < 0);
    veche_store_close(s);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM person"), 1);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM body_member"), 0);
    CHECK_EQ_INT(exec_sql(path, "DROP TRIGGER fail_elkin"), SQLITE_OK);

    /* 3. The same file now goes in whole. */
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    veche_roster_stats st;
    CHECK_EQ_INT(veche_store_roster_apply(s, good, body, false, NOW, &st), 0);
    CHECK_EQ_INT(st.persons_created, 3);
    CHECK_EQ_INT(st.persons_existing, 1);
    CHECK_EQ_INT(st.members_set, 4);
    CHECK_EQ_INT(st.members_removed, 0);
    veche_person p;
    CHECK_EQ_INT(veche_store_person_find_email(s, "IVANOV@example.ru", &p), 0);
    static const char ivanov[] =  /* the same name as bytes */
        "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD\xD0\xBE\xD0\xB2 "
        "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD "
        "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD\xD0\xBE\xD0\xB2\xD0\xB8\xD1\x87";
    CHECK(memcmp(p.full_name, ivanov, sizeof ivanov) == 0);
    CHECK_EQ_STR(p.phone, "+7 495 123-45-67");
    CHECK_EQ_INT(p.org_id, org);
    CHECK_EQ_INT(veche_store_person_find_email(s, "petrova@example.ru", &p), 0);
    CHECK_EQ_STR(p.full_name, "Петрова, Анна");
    CHECK_EQ_INT(veche_store_person_get(s, existing, &p), 0);
    CHECK_EQ_STR(p.full_name, "Старое Имя");  /* known person kept */
    unsigned voting;
    CHECK_EQ_INT(veche_store_body_voting_count(s, body, &voting), 0);
    CHECK_EQ_INT(voting, 3);  /* chair, secretary (default), existing */

    /* 4. Applying again is idempotent; replace drops those not listed. */
    CHECK_EQ_INT(veche_store_roster_apply(s, good, body, false, NOW, &st), 0);
    CHECK_EQ_INT(st.persons_created, 0);
    veche_roster_import *small = roster("full_name,email,role\n"
                                        "Ёлкин Фёдор,ELKIN@example.ru,chair\n",
                                        VECHE_ROSTER_BODY);
    CHECK_EQ_INT(veche_store_roster_apply(s, small, body, true, NOW, &st), 0);
    CHECK_EQ_INT(st.members_removed, 3);
    CHECK_EQ_INT(st.members_set, 1);
    CHECK_EQ_INT(veche_store_body_voting_count(s, body, &voting), 0);
    CHECK_EQ_INT(voting, 1);
    veche_roster_import_free(small);
    veche_roster_import_free(good);

    /* 5. A course roster, and a missing target. */
    veche_roster_import *cr = roster("full_name,email,role\n"
                                     "Тренер,trainer@example.ru,trainer\n"
                                     "Ёлкин Фёдор,elkin@example.ru,activist\n",
                                     VECHE_ROSTER_COURSE);
    CHECK_EQ_INT(veche_store_roster_apply(s, cr, 999, false, NOW, &st),
                 VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_roster_apply(s, cr, course, false, NOW, &st), 0);
    CHECK_EQ_INT(st.persons_created, 1);
    CHECK_EQ_INT(st.members_set, 2);
    veche_roster_import_free(cr);
    veche_store_close(s);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM course_member"), 2);
}

/* ---- attendance ---- */

static veche_attendance att(int64_t ev, int64_t person, veche_presence_kind k,
                            int64_t ts, int64_t conn)
{
    veche_attendance a = { 0, ev, person, k, ts, conn, "session" };
    return a;
}

typedef struct {
    veche_attendance rows[16];
    int n;
} att_list;

static int collect_att(void *ud, const veche_attendance *a)
{
    att_list *l = ud;
    if (l->n < 16)
        l->rows[l->n++] = *a;
    return 0;
}

TEST(attendance_survives_kill)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    veche_store_close(s);
    int64_t t0 = (int64_t)NOW * 1000;
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        /* The child writes, then dies without closing anything. */
        veche_store *cs = NULL;
        if (veche_store_open(path, &cs) != 0)
            _exit(2);
        veche_attendance rows[] = {
            att(c.meeting, c.chair, VECHE_PRESENCE_JOIN, t0, 1),
            att(c.meeting, c.secretary, VECHE_PRESENCE_JOIN, t0 + 500, 2),
            att(c.meeting, c.chair, VECHE_PRESENCE_LEAVE, t0 + 9000, 1),
        };
        for (int i = 0; i < 3; i++)
            if (veche_store_attendance_append(cs, &rows[i], NULL) != 0)
                _exit(3);
        raise(SIGKILL);
        _exit(4);
    }
    int status = 0;
    CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    if (!s)
        return;
    att_list l = { .n = 0 };
    CHECK_EQ_INT(veche_store_attendance_list(s, c.meeting, collect_att, &l), 0);
    CHECK_EQ_INT(l.n, 3);
    if (l.n == 3) {
        CHECK_EQ_INT(l.rows[0].person_id, c.chair);
        CHECK_EQ_INT(l.rows[0].kind, VECHE_PRESENCE_JOIN);
        CHECK_EQ_INT(l.rows[0].ts_ms, t0);
        CHECK_EQ_INT(l.rows[0].conn_id, 1);
        CHECK_EQ_STR(l.rows[0].source, "session");
        CHECK_EQ_INT(l.rows[1].person_id, c.secretary);
        CHECK_EQ_INT(l.rows[2].kind, VECHE_PRESENCE_LEAVE);
        CHECK_EQ_INT(l.rows[2].ts_ms, t0 + 9000);
        CHECK(l.rows[0].id < l.rows[1].id && l.rows[1].id < l.rows[2].id);
    }
    veche_attendance bad = att(c.meeting, 9999, VECHE_PRESENCE_JOIN, t0, 0);
    CHECK_EQ_INT(veche_store_attendance_append(s, &bad, NULL), VECHE_EINVAL);
    bad = att(9999, c.chair, VECHE_PRESENCE_JOIN, t0, 0);
    CHECK_EQ_INT(veche_store_attendance_append(s, &bad, NULL), VECHE_EINVAL);
    bad = att(c.meeting, c.chair, VECHE_PRESENCE_JOIN, t0, 0);
    bad.source[0] = '\0';
    CHECK_EQ_INT(veche_store_attendance_append(s, &bad, NULL), VECHE_EINVAL);
    veche_store_close(s);
}

static char *export_to_string(veche_store *s, int64_t event, bool presence,
                              int64_t now_ms)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int r = presence
        ? veche_store_presence_export_csv(s, event, 60000, now_ms, f)
        : veche_store_attendance_export_csv(s, event, f);
    CHECK_EQ_INT(r, 0);
    fclose(f);
    return buf;
}

TEST(attendance_csv_export)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t org, body, ev;
    CHECK_EQ_INT(veche_store_org_create(s, "Org", VECHE_ORG_CENTRAL, 0, NOW,
                                        &org), 0);
    CHECK_EQ_INT(veche_store_body_create(s, org, "Бюро", NULL, &body), 0);
    veche_event e = { 0, body, 0, 0, "Заседание", NOW, NOW + 3600,
                      VECHE_ROOM_MEETING, "room", 0 };
    CHECK_EQ_INT(veche_store_event_create(s, &e, NOW, &ev), 0);
    int64_t a = add_person(s, "Петрова, Анна \"Аня\"", "anna@example.ru", org);
    int64_t b = add_person(s, "Иванов Иван", "ivan@example.ru", org);
    /* 2023-11-14T22:13:20Z = 1700000000 */
    int64_t t0 = (int64_t)NOW * 1000;
    veche_attendance rows[] = {
        att(ev, a, VECHE_PRESENCE_JOIN, t0, 1),
        att(ev, b, VECHE_PRESENCE_JOIN, t0 + 1234, 2),
        att(ev, a, VECHE_PRESENCE_LEAVE, t0 + 60000, 1),
        att(ev, a, VECHE_PRESENCE_JOIN, t0 + 90000, 3),   /* within grace */
        att(ev, a, VECHE_PRESENCE_LEAVE, t0 + 600000, 3),
    };
    for (size_t i = 0; i < 5; i++)
        CHECK_EQ_INT(veche_store_attendance_append(s, &rows[i], NULL), 0);
    char *csv = export_to_string(s, ev, false, 0);
    char want[2048];
    snprintf(want, sizeof want,
        "event_id,person_id,full_name,email,kind,time_utc,ts_ms,conn_id,source\r\n"
        "%lld,%lld,\"Петрова, Анна \"\"Аня\"\"\",anna@example.ru,join,"
        "2023-11-14T22:13:20.000Z,1700000000000,1,session\r\n"
        "%lld,%lld,Иванов Иван,ivan@example.ru,join,"
        "2023-11-14T22:13:21.234Z,1700000001234,2,session\r\n"
        "%lld,%lld,\"Петрова, Анна \"\"Аня\"\"\",anna@example.ru,leave,"
        "2023-11-14T22:14:20.000Z,1700000060000,1,session\r\n"
        "%lld,%lld,\"Петрова, Анна \"\"Аня\"\"\",anna@example.ru,join,"
        "2023-11-14T22:14:50.000Z,1700000090000,3,session\r\n"
        "%lld,%lld,\"Петрова, Анна \"\"Аня\"\"\",anna@example.ru,leave,"
        "2023-11-14T22:23:20.000Z,1700000600000,3,session\r\n",
        (long long)ev, (long long)a, (long long)ev, (long long)b,
        (long long)ev, (long long)a, (long long)ev, (long long)a,
        (long long)ev, (long long)a);
    CHECK_EQ_STR(csv, want);
    free(csv);
    /* presence: Anna one merged interval of 600 s; Ivan still there */
    csv = export_to_string(s, ev, true, t0 + 61234);
    snprintf(want, sizeof want,
        "person_id,full_name,email,first_join_utc,last_leave_utc,intervals,"
        "present_seconds\r\n"
        "%lld,\"Петрова, Анна \"\"Аня\"\"\",anna@example.ru,"
        "2023-11-14T22:13:20.000Z,2023-11-14T22:23:20.000Z,1,600\r\n"
        "%lld,Иванов Иван,ivan@example.ru,2023-11-14T22:13:21.234Z,,1,60\r\n",
        (long long)a, (long long)b);
    CHECK_EQ_STR(csv, want);
    free(csv);
    /* the export of an event without records is just the header */
    csv = export_to_string(s, 9999, false, 0);
    CHECK(csv && strncmp(csv, "event_id,", 9) == 0 &&
          strchr(csv, '\n') == csv + strlen(csv) - 1);
    free(csv);
    veche_store_close(s);
}

typedef struct {
    veche_quorum_change rows[8];
    int n;
} q_list;

static int collect_q(void *ud, const veche_quorum_change *c)
{
    q_list *l = ud;
    if (l->n < 8)
        l->rows[l->n++] = *c;
    return 0;
}

TEST(quorum_log)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    veche_body b;
    CHECK_EQ_INT(veche_store_body_get(s, c.body, &b), 0);
    unsigned voting;
    CHECK_EQ_INT(veche_store_body_voting_count(s, c.body, &voting), 0);
    CHECK_EQ_INT(voting, 3);  /* chair, secretary, blocked member */
    veche_quorum_tracker *t = veche_quorum_tracker_new(&b.quorum);
    veche_quorum_change ch;
    unsigned present[] = { 0, 1, 2, 1 };
    for (int i = 0; i < 4; i++)
        if (veche_quorum_tracker_update(t, 1000 * (i + 1), voting, present[i],
                                        &ch) == 1)
            CHECK_EQ_INT(veche_store_quorum_log_append(s, c.meeting, &ch), 0);
    veche_quorum_tracker_free(t);
    q_list l = { .n = 0 };
    CHECK_EQ_INT(veche_store_quorum_log_list(s, c.meeting, collect_q, &l), 0);
    CHECK_EQ_INT(l.n, 3);
    if (l.n == 3) {
        CHECK(!l.rows[0].reached && l.rows[0].ts_ms == 1000);
        CHECK(l.rows[1].reached && l.rows[1].ts_ms == 3000 &&
              l.rows[1].present == 2 && l.rows[1].voting == 3);
        CHECK(!l.rows[2].reached && l.rows[2].ts_ms == 4000);
    }
    CHECK_EQ_INT(veche_store_quorum_log_append(s, 9999, &ch), VECHE_EINVAL);
    veche_store_close(s);
}

/* ---- backup and restore ---- */

TEST(backup_and_restore)
{
    char path[256], bak[256], junk[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    veche_attendance a = att(c.meeting, c.chair, VECHE_PRESENCE_JOIN, 5, 0);
    CHECK_EQ_INT(veche_store_attendance_append(s, &a, NULL), 0);
    db_path(bak, sizeof bak, "backup.db");
    CHECK_EQ_INT(veche_store_backup(s, bak), 0);
    CHECK_EQ_INT(veche_store_backup(s, bak), VECHE_EEXISTS);
    struct stat st;
    CHECK_EQ_INT(stat(bak, &st), 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    /* the backup is one file, in rollback-journal mode, with the data */
    CHECK_EQ_INT(query(bak, "SELECT count(*) FROM attendance_event"), 1);
    CHECK_EQ_INT(query(bak, "SELECT count(*) FROM person"), 12);

    /* change things after the backup */
    int64_t late = add_person(s, "Поздний", "late@example.org", 0);
    CHECK_EQ_INT(veche_store_body_member_remove(s, c.body, c.chair), 0);
    veche_person p;
    CHECK_EQ_INT(veche_store_person_get(s, late, &p), 0);

    /* a file that is not a backup changes nothing */
    db_path(junk, sizeof junk, "junk.db");
    int fd = open(junk, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    CHECK_EQ_INT(write(fd, "not a database at all, not at all", 33), 33);
    close(fd);
    CHECK(veche_store_restore(s, junk) < 0);
    CHECK_EQ_INT(veche_store_person_get(s, late, &p), 0);
    char other[256];
    db_path(other, sizeof other, "foreign.db");
    CHECK_EQ_INT(exec_sql(other, "CREATE TABLE t (x)"), SQLITE_OK);
    CHECK_EQ_INT(veche_store_restore(s, other), VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_store_restore(s, "/nonexistent/backup.db"),
                 VECHE_ENOTFOUND);

    /* restore: back to the state of the backup */
    CHECK_EQ_INT(veche_store_restore(s, bak), 0);
    CHECK_EQ_INT(veche_store_person_get(s, late, &p), VECHE_ENOTFOUND);
    veche_admission adm;
    CHECK_EQ_INT(veche_store_admit(s, c.meeting, c.chair, &adm), 0);
    CHECK_EQ_INT(adm.role, VECHE_ACCESS_CHAIR);
    CHECK_EQ_INT(veche_store_schema_version(s), veche_store_schema_latest());
    att_list l = { .n = 0 };
    CHECK_EQ_INT(veche_store_attendance_list(s, c.meeting, collect_att, &l), 0);
    CHECK_EQ_INT(l.n, 1);
    /* and the restored database keeps working and stays in WAL mode */
    late = add_person(s, "После", "after@example.org", 0);
    CHECK(late > 0);
    veche_store_close(s);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM person"), 13);
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    sqlite3_stmt *q;
    CHECK_EQ_INT(store_prepare(s, &q, "PRAGMA journal_mode", NULL), 0);
    CHECK_EQ_INT(store_step(s, q), 1);
    CHECK_EQ_STR((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    veche_store_close(s);
}

/* Regular backups: one at start when none is recent, one per run, only
 * the newest `keep` kept, each a sound database with the data. */
TEST(scheduled_backups)
{
    char path[256], dir[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    int64_t org;
    CHECK_EQ_INT(veche_store_org_create(s, "Профсоюз", VECHE_ORG_CENTRAL, 0, NOW, &org), 0);
    db_path(dir, sizeof dir, "backups");
    CHECK_EQ_INT(veche_backup_newest(dir), 0);
    GMainContext *ctx = g_main_context_new();
    veche_backup *b = veche_backup_new(path, dir, 3600, 2, ctx);
    CHECK(b != NULL);
    if (!b) {
        g_main_context_unref(ctx);
        veche_store_close(s);
        return;
    }
    veche_backup_wait(b);  /* on the backup thread, its own connection */
    CHECK_EQ_INT(veche_backup_count(b), 1);
    int64_t first = veche_backup_newest(dir);
    CHECK(first > 0);  /* taken at once: there was none */
    veche_backup_free(b);
    /* a restart within the interval takes none */
    b = veche_backup_new(path, dir, 3600, 2, ctx);
    veche_backup_wait(b);
    CHECK_EQ_INT(veche_backup_count(b), 0);
    GDir *d = g_dir_open(dir, 0, NULL);
    int n = 0;
    for (const char *name; d && (name = g_dir_read_name(d));)
        n++;
    if (d)
        g_dir_close(d);
    CHECK_EQ_INT(n, 1);
    char last[512] = "";
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(veche_backup_run(b, last, sizeof last), 0);
    d = g_dir_open(dir, 0, NULL);
    n = 0;
    for (const char *name; d && (name = g_dir_read_name(d));) {
        n++;
        CHECK(g_str_has_prefix(name, "veche-") && g_str_has_suffix(name, ".db"));
    }
    if (d)
        g_dir_close(d);
    CHECK_EQ_INT(n, 2);  /* keep = 2 */
    CHECK(g_file_test(last, G_FILE_TEST_EXISTS));
    CHECK_EQ_INT(query(last, "SELECT count(*) FROM organization WHERE name = 'Профсоюз'"), 1);
    struct stat sb;
    CHECK(stat(last, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    veche_backup_free(b);
    veche_backup_free(NULL);
    CHECK(veche_backup_new(path, dir, 0, 2, ctx) == NULL);
    /* a backup on the thread while this connection keeps writing */
    b = veche_backup_new(path, dir, 3600, 2, ctx);
    CHECK(veche_backup_start(b));
    for (int i = 0; i < 20; i++) {
        char email[64];
        snprintf(email, sizeof email, "w%d@example.org", i);
        CHECK(add_person(s, "Пишущий", email, 0) > 0);
    }
    veche_backup_wait(b);
    CHECK_EQ_INT(veche_backup_count(b), 1);
    veche_backup_free(b);
    g_main_context_unref(ctx);
    veche_store_close(s);
}

int main(void)
{
    if (fixture_begin() != 0)
        return 1;
    RUN(roster_import_all_or_nothing);
    RUN(attendance_survives_kill);
    RUN(attendance_csv_export);
    RUN(quorum_log);
    RUN(backup_and_restore);
    RUN(scheduled_backups);
    fixture_end();
    return check_finish();
}
