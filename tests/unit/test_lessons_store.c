/* test_lessons_store.c - the lesson catalog in the store
 * (server/store/store_lessons.c): retention date math, the render claim
 * (only events of a course, only when no part is still recording, again
 * when new parts close, never after delete), progress and finish, guest
 * links and their expiry, retention picking the old lessons; deleting
 * leaves the files pending until remove_files takes them (and only what
 * is under lessons/). */
#include <glib.h>
#include <glib/gstdio.h>

#include "store_fixture.h"
#include "store_lessons.h"

static int64_t ev_id, course_id, trainer_id;
static char db[256];

static veche_store *setup(void)
{
    veche_store *s = fresh(db, sizeof db);
    if (!s)
        return NULL;
    int64_t org, body, meeting;
    CHECK_EQ_INT(veche_store_org_create(s, "Org", VECHE_ORG_CENTRAL, 0, NOW, &org), 0);
    CHECK_EQ_INT(veche_store_course_create(s, org, "Курс", &course_id), 0);
    CHECK_EQ_INT(veche_store_body_create(s, org, "Бюро", NULL, &body), 0);
    trainer_id = add_person(s, "Тренер", "t@example.ru", org);
    CHECK_EQ_INT(veche_store_course_member_set(s, course_id, trainer_id, VECHE_ACCESS_TRAINER), 0);
    veche_event e = {0, 0, course_id, 0, "Занятие", NOW, NOW + 3600, VECHE_ROOM_TRAINING, "tr", 0};
    CHECK_EQ_INT(veche_store_event_create(s, &e, NOW, &ev_id), 0);
    veche_event m = {0, body, 0, 0, "Заседание", NOW, NOW + 3600, VECHE_ROOM_MEETING, "mt", 0};
    CHECK_EQ_INT(veche_store_event_create(s, &m, NOW, &meeting), 0);
    char sql[512];
    /* a meeting's recording is no lesson */
    snprintf(sql, sizeof sql, "INSERT INTO recording (event_id, part, path, meta_path, state,"
             " started_at) VALUES (%lld, 1, 'm.mkv', 'm.jsonl', 'closed', %d)",
             (long long)meeting, NOW);
    CHECK_EQ_INT(exec_sql(db, sql), 0);
    return s;
}

static void part(int n, const char *state)
{
    char sql[512];
    snprintf(sql, sizeof sql, "INSERT INTO recording (event_id, part, path, meta_path, state,"
             " started_at, started_by) VALUES (%lld, %d, 'recordings/%lld/part-%d.mkv', 'x',"
             " '%s', %d, %lld) ON CONFLICT (event_id, part) DO UPDATE SET state = '%s'",
             (long long)ev_id, n, (long long)ev_id, n, state, NOW + n, (long long)trainer_id,
             state);
    CHECK_EQ_INT(exec_sql(db, sql), 0);
}

TEST(retention_date_math)
{
    CHECK_EQ_INT(veche_lesson_expires_at(NOW, 0), 0);
    CHECK_EQ_INT(veche_lesson_expires_at(NOW, -3), 0);
    CHECK_EQ_INT(veche_lesson_expires_at(NOW, 1), NOW + 86400);
    CHECK_EQ_INT(veche_lesson_expires_at(NOW, 30), NOW + 30LL * 86400);
    CHECK_EQ_INT(veche_lesson_expires_at(NOW, 1LL << 60), NOW + 100000LL * 86400); /* no overflow */
}

static int count_parts(void *ud, int n, const char *path)
{
    (void)n;
    (void)path;
    (*(int *)ud)++;
    return 0;
}

TEST(claim_render_finish)
{
    veche_store *s = setup();
    if (!s)
        return;
    veche_lesson l;
    int64_t q = -1;
    CHECK_EQ_INT(veche_store_lesson_pending(s, &q), 0);         /* the render queue */
    CHECK_EQ_INT(q, 0);
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW, &l), 0);      /* nothing recorded */
    part(1, "closed");
    part(2, "recording");
    CHECK_EQ_INT(veche_store_lesson_pending(s, &q), 0);
    CHECK_EQ_INT(q, 0);
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW, &l), 0);      /* still recording */
    part(2, "repaired");
    CHECK_EQ_INT(veche_store_lesson_pending(s, &q), 0);
    CHECK_EQ_INT(q, 1);
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW + 10, &l), 1);
    CHECK_EQ_INT(veche_store_lesson_pending(s, &q), 0);         /* rendering: not waiting */
    CHECK_EQ_INT(q, 0);
    CHECK_EQ_INT(l.event_id, ev_id);
    CHECK_EQ_INT(l.course_id, course_id);
    CHECK_EQ_INT(l.parts, 2);
    CHECK_EQ_INT(l.trainer_id, trainer_id);
    CHECK_EQ_INT(l.recorded_at, NOW + 1);
    CHECK_EQ_STR(l.title, "Занятие");
    CHECK_EQ_INT(l.state, VECHE_LESSON_RENDERING);
    int n = 0;
    CHECK_EQ_INT(veche_store_lesson_parts(s, ev_id, 2, count_parts, &n), 0);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW, &l), 0);      /* already rendering */
    CHECK_EQ_INT(veche_store_lesson_progress(s, l.id, 0.5, NOW + 11), 0);
    veche_lesson g;
    CHECK_EQ_INT(veche_store_lesson_get(s, l.id, &g), 0);
    CHECK(g.progress > 0.49 && g.progress < 0.51);
    CHECK_EQ_INT(veche_store_lesson_finish(s, l.id, "lessons/1/lesson.webm", "lessons/1/c.vtt",
                                           61000, 1234, NOW + 12), 0);
    CHECK_EQ_INT(veche_store_lesson_get(s, l.id, &g), 0);
    CHECK_EQ_INT(g.state, VECHE_LESSON_READY);
    CHECK_EQ_INT(g.duration_ms, 61000);
    CHECK_EQ_STR(g.trainer_name, "Тренер");
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW, &l), 0);      /* all parts in it */
    part(3, "closed");                                          /* a new part: again */
    CHECK_EQ_INT(veche_store_lesson_pending(s, &q), 0);
    CHECK_EQ_INT(q, 1);
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW + 20, &l), 1);
    CHECK_EQ_INT(l.parts, 3);
    CHECK_EQ_INT(l.id, g.id);
    CHECK_EQ_INT(veche_store_lesson_fail(s, l.id, "boom", NOW + 21), 0);
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW, &l), 0);      /* failed: not retried */
    /* a restart takes back what was rendering */
    part(4, "closed");
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW + 30, &l), 1);
    CHECK_EQ_INT(veche_store_lesson_reset_rendering(s, NOW + 31), 1);
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW + 32, &l), 1);
    CHECK_EQ_INT(l.parts, 4);
    /* deleted: a tombstone, never claimed again */
    CHECK_EQ_INT(veche_store_lesson_mark_deleted(s, l.id, NOW + 40), 0);
    CHECK_EQ_INT(veche_store_lesson_mark_deleted(s, l.id, NOW + 40), VECHE_ENOTFOUND);
    part(5, "closed");
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW + 41, &l), 0);
    CHECK_EQ_INT(veche_store_lesson_describe(s, g.id, "x", NULL, NOW), VECHE_ENOTFOUND);
    veche_store_close(s);
}

static int count_lessons(void *ud, const veche_lesson *l)
{
    (void)l;
    (*(int *)ud)++;
    return 0;
}

TEST(describe_list_guest_retention)
{
    veche_store *s = setup();
    if (!s)
        return;
    part(1, "closed");
    veche_lesson l;
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW, &l), 1);
    CHECK_EQ_INT(veche_store_lesson_finish(s, l.id, "a", "b", 1000, 10, NOW), 0);
    CHECK_EQ_INT(veche_store_lesson_describe(s, l.id, "", NULL, NOW), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_lesson_describe(s, l.id, NULL, "Описание", NOW), 0);
    veche_lesson g;
    CHECK_EQ_INT(veche_store_lesson_get(s, l.id, &g), 0);
    CHECK_EQ_STR(g.title, "Занятие");
    CHECK_EQ_STR(g.description, "Описание");
    int n = 0;
    CHECK_EQ_INT(veche_store_lessons_list(s, course_id, 0, count_lessons, &n), 0);
    CHECK_EQ_INT(n, 1);
    n = 0;
    CHECK_EQ_INT(veche_store_lessons_list(s, 0, trainer_id, count_lessons, &n), 0);
    CHECK_EQ_INT(n, 1);
    n = 0;
    CHECK_EQ_INT(veche_store_lessons_list(s, 0, trainer_id + 1000, count_lessons, &n), 0);
    CHECK_EQ_INT(n, 0);
    /* guest links */
    uint8_t h1[32], h2[32];
    memset(h1, 1, sizeof h1);
    memset(h2, 2, sizeof h2);
    CHECK_EQ_INT(veche_store_lesson_guest_create(s, h1, l.id, NOW + 3600, trainer_id, NOW), 0);
    CHECK_EQ_INT(veche_store_lesson_guest_create(s, h2, l.id, NOW, trainer_id, NOW), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_lesson_guest_check(s, h1, l.id, NOW + 3599), 0);
    CHECK_EQ_INT(veche_store_lesson_guest_check(s, h1, l.id, NOW + 3600), VECHE_EEXPIRED);
    CHECK_EQ_INT(veche_store_lesson_guest_check(s, h1, l.id + 1, NOW), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_lesson_guest_check(s, h2, l.id, NOW), VECHE_ENOTFOUND);
    /* retention: forever by default; 2 days: expired after NOW + 1 + 2 days */
    int64_t keep = -1;
    CHECK_EQ_INT(veche_store_lesson_retention_get(s, course_id, &keep), 0);
    CHECK_EQ_INT(keep, 0);
    CHECK_EQ_INT(veche_store_lesson_next_expired(s, NOW + 1000LL * 86400, &g), 0);
    CHECK_EQ_INT(veche_store_lesson_retention_set(s, course_id, 2), 0);
    CHECK_EQ_INT(veche_store_lesson_retention_get(s, course_id, &keep), 0);
    CHECK_EQ_INT(keep, 2);
    CHECK_EQ_INT(veche_store_lesson_next_expired(s, NOW + 2 * 86400, &g), 0);
    CHECK_EQ_INT(veche_store_lesson_next_expired(s, NOW + 1 + 2 * 86400, &g), 1);
    CHECK_EQ_INT(g.id, l.id);
    CHECK_EQ_INT(veche_store_lesson_retention_set(s, course_id, 0), 0);  /* forever again */
    CHECK_EQ_INT(veche_store_lesson_next_expired(s, NOW + 1000LL * 86400, &g), 0);
    CHECK_EQ_INT(veche_store_lesson_retention_set(s, 999999, 3), VECHE_EINVAL);
    /* deleting takes the guest links with it */
    CHECK_EQ_INT(veche_store_lesson_mark_deleted(s, l.id, NOW), 0);
    CHECK_EQ_INT(query(db, "SELECT count(*) FROM lesson_guest_link"), 0);
    n = 0;
    CHECK_EQ_INT(veche_store_lessons_list(s, course_id, 0, count_lessons, &n), 0);
    CHECK_EQ_INT(n, 0);
    veche_store_close(s);
}

static bool exists(const char *dir, const char *rel)
{
    char *p = g_build_filename(dir, rel, NULL);
    bool e = g_file_test(p, G_FILE_TEST_EXISTS);
    g_free(p);
    return e;
}

static void put(const char *dir, const char *rel)
{
    char *p = g_build_filename(dir, rel, NULL);
    char *d = g_path_get_dirname(p);
    CHECK_EQ_INT(g_mkdir_with_parents(d, 0700), 0);
    CHECK(g_file_set_contents(p, "x", 1, NULL));
    g_free(d);
    g_free(p);
}

TEST(delete_pending_then_files_removed)
{
    veche_store *s = setup();
    if (!s)
        return;
    char *dir = g_dir_make_tmp("veche-lessons-XXXXXX", NULL);
    CHECK(dir != NULL);
    part(1, "closed");
    veche_lesson l, g;
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW, &l), 1);
    CHECK_EQ_INT(veche_store_lesson_finish(s, l.id, "lessons/1/lesson.webm",
                                           "lessons/1/chapters.vtt", 1000, 10, NOW), 0);
    put(dir, "lessons/1/lesson.webm");
    put(dir, "lessons/1/chapters.vtt");
    put(dir, "recordings/1/part-1.mkv");
    CHECK_EQ_INT(veche_store_lesson_next_pending(s, &g), 0);
    /* not deleted: its files are not removed */
    CHECK_EQ_INT(veche_store_lesson_remove_files(s, dir, l.id), VECHE_ESTATE);
    CHECK(exists(dir, "lessons/1/lesson.webm"));
    CHECK_EQ_INT(veche_store_lesson_mark_deleted(s, l.id, NOW + 1), 0);
    /* the tombstone keeps the paths: the files are pending */
    CHECK_EQ_INT(veche_store_lesson_next_pending(s, &g), 1);
    CHECK_EQ_INT(g.id, l.id);
    CHECK_EQ_STR(g.path, "lessons/1/lesson.webm");
    CHECK(exists(dir, "lessons/1/lesson.webm"));
    CHECK_EQ_INT(veche_store_lesson_remove_files(s, dir, l.id), 0);
    CHECK(!exists(dir, "lessons/1/lesson.webm"));
    CHECK(!exists(dir, "lessons/1/chapters.vtt"));
    CHECK(!exists(dir, "lessons/1"));
    CHECK(exists(dir, "recordings/1/part-1.mkv"));   /* the archive stays */
    CHECK_EQ_INT(veche_store_lesson_next_pending(s, &g), 0);
    CHECK_EQ_INT(veche_store_lesson_get(s, l.id, &g), 0);
    CHECK_EQ_STR(g.path, "");
    CHECK_EQ_INT(veche_store_lesson_remove_files(s, dir, l.id), 0);  /* again: nothing */
    CHECK_EQ_INT(veche_store_lesson_remove_files(s, dir, l.id + 99), VECHE_ENOTFOUND);
    /* a path outside lessons/ is never unlinked (cleared all the same) */
    part(2, "closed");
    CHECK_EQ_INT(veche_store_lesson_claim(s, NOW, &l), 0);  /* a tombstone: not again */
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE lesson SET path = 'recordings/1/part-1.mkv',"
             " vtt_path = 'lessons/../recordings/1/part-1.mkv' WHERE id = %lld", (long long)g.id);
    CHECK_EQ_INT(exec_sql(db, sql), 0);
    CHECK_EQ_INT(veche_store_lesson_next_pending(s, &l), 1);
    CHECK_EQ_INT(veche_store_lesson_remove_files(s, dir, g.id), 0);
    CHECK(exists(dir, "recordings/1/part-1.mkv"));
    CHECK_EQ_INT(veche_store_lesson_next_pending(s, &l), 0);
    char *rec = g_build_filename(dir, "recordings/1/part-1.mkv", NULL);
    g_unlink(rec);
    g_free(rec);
    rec = g_build_filename(dir, "recordings/1", NULL);
    g_rmdir(rec);
    g_free(rec);
    rec = g_build_filename(dir, "recordings", NULL);
    g_rmdir(rec);
    g_free(rec);
    g_rmdir(dir);
    g_free(dir);
    veche_store_close(s);
}

int main(void)
{
    (void)build_cast;  /* store_fixture.h's, for the other store tests */
    if (fixture_begin() != 0)
        return 1;
    RUN(retention_date_math);
    RUN(claim_render_finish);
    RUN(describe_list_guest_retention);
    RUN(delete_pending_then_files_removed);
    fixture_end();
    return check_finish();
}
