/* lesson_render.h - the lesson supervisor: renders lessons in the
 * background and enforces retention (docs/architecture.md, "Lessons").
 *
 * One thread with its own store connection wakes every 2 s and:
 *   1. deletes the lessons whose course's retention has run out (files,
 *      then the row becomes a tombstone: store_lessons.h);
 *   2. claims the next event whose closed recording parts are not all in
 *      its lesson and runs veche-render on them (a child process at nice
 *      19), writing its progress to the lesson as it reports
 *      it, and the result (ready with duration and size, or failed).
 * Nothing of this runs on the main loop or a media worker.  Lessons left
 * rendering by a crash are claimed again at start.
 *
 * Files: <data_dir>/lessons/<lesson id>/lesson.webm and chapters.vtt
 * (paths in the store relative to data_dir).
 *
 * Ownership: the server owns it; veche_lesson_render_free() (accepts NULL)
 * stops the child (SIGTERM, by pid) and joins the thread.  The renderer
 * program is $VECHE_RENDER when set, else veche-render beside the running
 * executable (installed) or in ../render/ (the build tree).
 */
#ifndef VECHE_LESSON_RENDER_H
#define VECHE_LESSON_RENDER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct veche_lesson_render veche_lesson_render;

/* db_path: the database; data_dir: where recordings/ and lessons/ are.
 * NULL when the thread cannot start (no renderer program is a warning,
 * not a failure: lessons then stay queued). */
veche_lesson_render *veche_lesson_render_new(const char *db_path, const char *data_dir);
void veche_lesson_render_free(veche_lesson_render *r);

/* For /metrics; any thread. */
typedef struct {
    unsigned queued;             /* events waiting for a render (last poll) */
    bool rendering;              /* a veche-render is running */
    uint64_t ready, failed;      /* renders finished so since the start */
} veche_lesson_render_stats;

/* r NULL: all zero. */
void veche_lesson_render_get_stats(veche_lesson_render *r, veche_lesson_render_stats *out);

/* The renderer program's path found as above, g_malloc'd, or NULL. */
char *veche_lesson_render_program(void);

#endif
