/* store_lessons.c - the lesson catalog (store_lessons.h, docs/data-model.md). */
#include "store_lessons.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "store_int.h"

static const char *const state_names[] = {
    [VECHE_LESSON_QUEUED] = "queued", [VECHE_LESSON_RENDERING] = "rendering",
    [VECHE_LESSON_READY] = "ready",   [VECHE_LESSON_FAILED] = "failed",
    [VECHE_LESSON_DELETED] = "deleted",
};

const char *veche_lesson_state_name(veche_lesson_state s)
{
    return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "failed";
}

static veche_lesson_state state_of(const char *name)
{
    for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
        if (name && strcmp(name, state_names[i]) == 0)
            return (veche_lesson_state)i;
    return VECHE_LESSON_FAILED;
}

int64_t veche_lesson_expires_at(int64_t recorded_at, int64_t keep_days)
{
    if (keep_days <= 0)
        return 0;
    if (keep_days > 100000)   /* ~270 years: forever in practice, no overflow */
        keep_days = 100000;
    return recorded_at + keep_days * 86400;
}

#define LESSON_COLS                                                                 \
    "l.id, l.event_id, l.course_id, l.title, l.description, ifnull(l.trainer_id, 0)," \
    " ifnull(p.full_name, ''), c.name, l.recorded_at, l.duration_ms, l.bytes,"      \
    " ifnull(l.path, ''), ifnull(l.vtt_path, ''), l.parts, l.state, l.progress,"    \
    " ifnull(l.error, ''), l.created_at, l.updated_at"                              \
    " FROM lesson l JOIN course c ON c.id = l.course_id"                            \
    " LEFT JOIN person p ON p.id = l.trainer_id"

static void row_lesson(sqlite3_stmt *st, veche_lesson *l)
{
    memset(l, 0, sizeof *l);
    l->id = sqlite3_column_int64(st, 0);
    l->event_id = sqlite3_column_int64(st, 1);
    l->course_id = sqlite3_column_int64(st, 2);
    store_column_text(st, 3, l->title, sizeof l->title);
    store_column_text(st, 4, l->description, sizeof l->description);
    l->trainer_id = sqlite3_column_int64(st, 5);
    store_column_text(st, 6, l->trainer_name, sizeof l->trainer_name);
    store_column_text(st, 7, l->course_name, sizeof l->course_name);
    l->recorded_at = sqlite3_column_int64(st, 8);
    l->duration_ms = sqlite3_column_int64(st, 9);
    l->bytes = sqlite3_column_int64(st, 10);
    store_column_text(st, 11, l->path, sizeof l->path);
    store_column_text(st, 12, l->vtt_path, sizeof l->vtt_path);
    l->parts = (int)sqlite3_column_int64(st, 13);
    l->state = state_of((const char *)sqlite3_column_text(st, 14));
    l->progress = sqlite3_column_double(st, 15);
    store_column_text(st, 16, l->error, sizeof l->error);
    l->created_at = sqlite3_column_int64(st, 17);
    l->updated_at = sqlite3_column_int64(st, 18);
}

/* One row of st into out: 0, VECHE_ENOTFOUND, or an error; finalizes. */
static int one_lesson(veche_store *s, sqlite3_stmt *st, veche_lesson *out)
{
    int r = store_step(s, st);
    if (r == 1) {
        row_lesson(st, out);
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_lesson_get(veche_store *s, int64_t id, veche_lesson *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT " LESSON_COLS " WHERE l.id = ?", "i", id);
    return r < 0 ? r : one_lesson(s, st, out);
}

int veche_store_lessons_list(veche_store *s, int64_t course_id, int64_t person,
                             veche_store_lesson_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
                          "SELECT " LESSON_COLS " WHERE l.state != 'deleted'"
                          " AND (?1 = 0 OR l.course_id = ?1)"
                          " AND (?2 = 0 OR l.course_id IN (SELECT course_id FROM course_member"
                          "                                 WHERE person_id = ?2))"
                          " ORDER BY l.recorded_at DESC, l.id DESC",
                          "ii", course_id, person);
    if (r < 0)
        return r;
    veche_lesson *l = g_new(veche_lesson, 1);
    while ((r = store_step(s, st)) == 1) {
        row_lesson(st, l);
        if ((r = cb(ud, l)) != 0)
            break;
    }
    g_free(l);
    sqlite3_finalize(st);
    return r;
}

int veche_store_lesson_describe(veche_store *s, int64_t id, const char *title,
                                const char *description, int64_t now)
{
    if (!s || (title && store_check_text(title, VECHE_TITLE_MAX) < 0) ||
        (description && strlen(description) > VECHE_LESSON_DESC_MAX))
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE lesson SET title = ifnull(?, title),"
                          " description = ifnull(?, description), updated_at = ?"
                          " WHERE id = ? AND state != 'deleted'",
                       "ttii", title, description, now, id);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_lesson_mark_deleted(veche_store *s, int64_t id, int64_t now)
{
    if (!s)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    /* the paths stay until veche_store_lesson_remove_files: "files pending" */
    r = store_exec(s, "UPDATE lesson SET state = 'deleted',"
                      " bytes = 0, progress = 0, updated_at = ? WHERE id = ?"
                      " AND state != 'deleted'", "ii", now, id);
    if (r == 0)
        r = VECHE_ENOTFOUND;
    if (r > 0)
        r = store_exec(s, "DELETE FROM lesson_guest_link WHERE lesson_id = ?", "i", id);
    r = store_end(s, r);
    return r < 0 ? r : 0;
}

int veche_store_lesson_next_pending(veche_store *s, veche_lesson *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT " LESSON_COLS " WHERE l.state = 'deleted'"
                          " AND (l.path IS NOT NULL OR l.vtt_path IS NOT NULL)"
                          " ORDER BY l.id LIMIT 1", "");
    if (r < 0)
        return r;
    r = one_lesson(s, st, out);
    return r == 0 ? 1 : r == VECHE_ENOTFOUND ? 0 : r;
}

/* A lesson file's relative path is ours only under lessons/ without "..". */
static bool lesson_rel_ok(const char *rel)
{
    return strncmp(rel, "lessons/", 8) == 0 && !strstr(rel, "..");
}

int veche_store_lesson_remove_files(veche_store *s, const char *data_dir, int64_t id)
{
    if (!s || !data_dir)
        return VECHE_EINVAL;
    veche_lesson *l = g_new(veche_lesson, 1);
    int r = veche_store_lesson_get(s, id, l);
    if (r == 0 && l->state != VECHE_LESSON_DELETED)
        r = VECHE_ESTATE;
    const char *rel[] = {l->path, l->vtt_path};
    for (size_t i = 0; r == 0 && i < G_N_ELEMENTS(rel); i++) {
        if (!rel[i][0] || !lesson_rel_ok(rel[i]))
            continue;
        char *p = g_build_filename(data_dir, rel[i], NULL);
        if (g_unlink(p) != 0 && errno != ENOENT)
            r = VECHE_EIO;
        char *dir = g_path_get_dirname(p);
        (void)g_rmdir(dir);  /* lessons/<id>/ once it is empty; fine when not */
        g_free(dir);
        g_free(p);
    }
    g_free(l);
    if (r == 0)
        r = store_exec(s, "UPDATE lesson SET path = NULL, vtt_path = NULL WHERE id = ?", "i", id);
    return r < 0 ? r : 0;
}

/* ---- rendering ---- */

/* Events whose closed or repaired parts are not all in their lesson and
 * which have none still recording (and no lesson deleted or rendering). */
#define WAITING_EVENTS \
    " FROM recording r JOIN event e ON e.id = r.event_id" \
    " LEFT JOIN lesson l ON l.event_id = r.event_id" \
    " WHERE e.course_id IS NOT NULL AND r.state IN ('closed', 'repaired')" \
    "  AND NOT EXISTS (SELECT 1 FROM recording x WHERE x.event_id = r.event_id" \
    "                  AND x.state = 'recording')" \
    "  AND ifnull(l.state, '') NOT IN ('deleted', 'rendering')" \
    " GROUP BY r.event_id HAVING max(r.part) > ifnull(max(l.parts), 0)"

int veche_store_lesson_pending(veche_store *s, int64_t *n)
{
    if (!s || !n)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT count(*) FROM (SELECT r.event_id" WAITING_EVENTS ")",
                          "");
    if (r < 0)
        return r;
    r = store_step(s, st);
    *n = r == 1 ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return r == 1 ? 0 : r < 0 ? r : VECHE_EINVAL;
}

int veche_store_lesson_claim(veche_store *s, int64_t now, veche_lesson *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    sqlite3_stmt *st;
    r = store_prepare(s, &st,
        "SELECT r.event_id, e.course_id, max(r.part), min(r.started_at), e.title,"
        "  (SELECT started_by FROM recording WHERE event_id = r.event_id ORDER BY part LIMIT 1)"
        WAITING_EVENTS " ORDER BY r.event_id LIMIT 1", "");
    if (r < 0)
        return store_end(s, r);
    r = store_step(s, st);
    int64_t event = 0, course = 0, parts = 0, started = 0, by = 0;
    char title[VECHE_TITLE_MAX + 1] = "";
    if (r == 1) {
        event = sqlite3_column_int64(st, 0);
        course = sqlite3_column_int64(st, 1);
        parts = sqlite3_column_int64(st, 2);
        started = sqlite3_column_int64(st, 3);
        store_column_text(st, 4, title, sizeof title);
        by = sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    if (r != 1)
        return store_end(s, r);
    /* The trainer: who started the recording if they train the course, else
     * the course's first trainer. */
    r = store_exec(s,
        "INSERT INTO lesson (event_id, course_id, title, trainer_id, recorded_at, parts, state,"
        " progress, created_at, updated_at) VALUES (?1, ?2, ?3, coalesce("
        "  (SELECT person_id FROM course_member WHERE course_id = ?2 AND person_id = ?4"
        "   AND role = 'trainer'),"
        "  (SELECT min(person_id) FROM course_member WHERE course_id = ?2 AND role = 'trainer')),"
        " ?5, ?6, 'rendering', 0, ?7, ?7)"
        " ON CONFLICT (event_id) DO UPDATE SET parts = excluded.parts, state = 'rendering',"
        " progress = 0, error = NULL, updated_at = excluded.updated_at",
        "iitiiii", event, course, title, by, started, parts, now);
    if (r >= 0) {
        r = store_prepare(s, &st, "SELECT " LESSON_COLS " WHERE l.event_id = ?", "i", event);
        if (r >= 0)
            r = one_lesson(s, st, out);
    }
    r = store_end(s, r);
    return r < 0 ? r : 1;
}

int veche_store_lesson_parts(veche_store *s, int64_t event_id, int max_part,
                             veche_store_part_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT part, path FROM recording WHERE event_id = ?"
                                  " AND part <= ? AND state IN ('closed', 'repaired')"
                                  " ORDER BY part", "ii", event_id, (int64_t)max_part);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        const char *path = (const char *)sqlite3_column_text(st, 1);
        if ((r = cb(ud, (int)sqlite3_column_int64(st, 0), path ? path : "")) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_lesson_progress(veche_store *s, int64_t id, double progress, int64_t now)
{
    if (!s)
        return VECHE_EINVAL;
    /* store_prepare binds no doubles: the fraction goes as text, cast. */
    char text[32];
    snprintf(text, sizeof text, "%.3f", progress < 0 ? 0 : progress > 1 ? 1 : progress);
    int r = store_exec(s, "UPDATE lesson SET progress = CAST(? AS REAL), updated_at = ?"
                      " WHERE id = ? AND state = 'rendering'", "tii", text, now, id);
    return r < 0 ? r : 0;
}

int veche_store_lesson_finish(veche_store *s, int64_t id, const char *path, const char *vtt_path,
                              int64_t duration_ms, int64_t bytes, int64_t now)
{
    if (!s || !path || !vtt_path)
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE lesson SET state = 'ready', progress = 1, path = ?,"
                          " vtt_path = ?, duration_ms = ?, bytes = ?, error = NULL,"
                          " updated_at = ? WHERE id = ? AND state = 'rendering'",
                       "ttiiii", path, vtt_path, duration_ms, bytes, now, id);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_lesson_fail(veche_store *s, int64_t id, const char *error, int64_t now)
{
    if (!s)
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE lesson SET state = 'failed', error = ?, updated_at = ?"
                          " WHERE id = ? AND state = 'rendering'", "tii", error, now, id);
    return r < 0 ? r : 0;
}

int veche_store_lesson_reset_rendering(veche_store *s, int64_t now)
{
    if (!s)
        return VECHE_EINVAL;
    return store_exec(s, "UPDATE lesson SET state = 'queued', parts = 0, progress = 0,"
                         " updated_at = ? WHERE state IN ('rendering', 'queued')", "i", now);
}

/* ---- retention ---- */

int veche_store_lesson_retention_set(veche_store *s, int64_t course_id, int64_t keep_days)
{
    if (!s || keep_days < 0)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO lesson_retention (course_id, keep_days)"
                          " VALUES (?1, nullif(?2, 0)) ON CONFLICT (course_id)"
                          " DO UPDATE SET keep_days = excluded.keep_days",
                       "ii", course_id, keep_days);
    return r == VECHE_ENOTFOUND ? VECHE_EINVAL : r < 0 ? r : 0;
}

int veche_store_lesson_retention_get(veche_store *s, int64_t course_id, int64_t *keep_days)
{
    if (!s || !keep_days)
        return VECHE_EINVAL;
    int r = store_query_int(s, keep_days, "SELECT ifnull(keep_days, 0) FROM lesson_retention"
                                          " WHERE course_id = ?", "i", course_id);
    if (r == VECHE_ENOTFOUND) {
        *keep_days = 0;
        r = 0;
    }
    return r;
}

int veche_store_lesson_next_expired(veche_store *s, int64_t now, veche_lesson *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
                          "SELECT " LESSON_COLS " JOIN lesson_retention k"
                          " ON k.course_id = l.course_id AND k.keep_days IS NOT NULL"
                          " WHERE l.state IN ('ready', 'failed')"
                          " AND l.recorded_at + min(k.keep_days, 100000) * 86400 <= ?"
                          " ORDER BY l.recorded_at LIMIT 1", "i", now);
    if (r < 0)
        return r;
    r = one_lesson(s, st, out);
    return r == 0 ? 1 : r == VECHE_ENOTFOUND ? 0 : r;
}

/* ---- guest links ---- */

int veche_store_lesson_guest_create(veche_store *s, const uint8_t hash[32], int64_t lesson_id,
                                    int64_t expires_at, int64_t created_by, int64_t now)
{
    if (!s || !hash || expires_at <= now)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO lesson_guest_link (token_hash, lesson_id, expires_at,"
                          " created_by, created_at) VALUES (?, ?, ?, nullif(?, 0), ?)",
                       "xiiii", hash, 32, lesson_id, expires_at, created_by, now);
    return r == VECHE_ENOTFOUND ? VECHE_EINVAL : r < 0 ? r : 0;
}

int veche_store_lesson_guest_check(veche_store *s, const uint8_t hash[32], int64_t lesson_id,
                                   int64_t now)
{
    if (!s || !hash)
        return VECHE_EINVAL;
    int64_t expires = 0;
    int r = store_query_int(s, &expires, "SELECT expires_at FROM lesson_guest_link"
                                         " WHERE token_hash = ? AND lesson_id = ?",
                            "xi", hash, 32, lesson_id);
    if (r < 0)
        return r;
    return expires > now ? 0 : VECHE_EEXPIRED;
}
