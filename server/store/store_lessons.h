/* store_lessons.h - the lesson catalog in the store (docs/data-model.md,
 * migration v4): lessons rendered from an event's recording parts, guest
 * links to one lesson, and retention per course.
 *
 * It does not render, read files or check who may do what: the render
 * supervisor (lesson_render.h) and the API (api_lessons.c) do.  The one
 * file operation here is removing a deleted lesson's files
 * (veche_store_lesson_remove_files), on the caller's (never the main)
 * thread.  Like the
 * rest of the store, every call takes the caller's connection and "now".
 *
 * Render life of a lesson (one per event of a course):
 *
 *   (closed parts, none recording) --claim--> queued/rendering --finish--> ready
 *                                                   |  ^          \--fail--> failed
 *        new parts closed later: claimed again -----+  +-- restart: reset to queued
 *   ready/failed --delete or retention--> deleted (a tombstone: never rendered again)
 */
#ifndef VECHE_STORE_LESSONS_H
#define VECHE_STORE_LESSONS_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"

#define VECHE_LESSON_DESC_MAX 4000
#define VECHE_LESSON_PATH_MAX 256

typedef enum {
    VECHE_LESSON_QUEUED,
    VECHE_LESSON_RENDERING,
    VECHE_LESSON_READY,
    VECHE_LESSON_FAILED,
    VECHE_LESSON_DELETED,
} veche_lesson_state;

typedef struct {
    int64_t id, event_id, course_id;
    char title[VECHE_TITLE_MAX + 1];
    char description[VECHE_LESSON_DESC_MAX + 1];
    int64_t trainer_id;                     /* 0: none */
    char trainer_name[VECHE_TITLE_MAX + 1]; /* "" when none */
    char course_name[VECHE_TITLE_MAX + 1];
    int64_t recorded_at;                    /* unix seconds: the first part's start */
    int64_t duration_ms, bytes;
    char path[VECHE_LESSON_PATH_MAX];       /* relative to data_dir, "" until ready */
    char vtt_path[VECHE_LESSON_PATH_MAX];
    int parts;                              /* the highest recording part covered */
    veche_lesson_state state;
    double progress;                        /* 0..1 while rendering */
    char error[200];
    int64_t created_at, updated_at;
} veche_lesson;

const char *veche_lesson_state_name(veche_lesson_state s);

/* The end of a lesson's retention: recorded_at + keep_days days, or 0
 * (kept forever) when keep_days <= 0.  Pure. */
int64_t veche_lesson_expires_at(int64_t recorded_at, int64_t keep_days);

int veche_store_lesson_get(veche_store *s, int64_t id, veche_lesson *out);

typedef int (*veche_store_lesson_cb)(void *ud, const veche_lesson *l);
/* Lessons not deleted, newest first: of one course (course_id > 0), or of
 * every course person belongs to (person > 0), or all (both 0).  A
 * callback's nonzero return stops and is returned. */
int veche_store_lessons_list(veche_store *s, int64_t course_id, int64_t person,
                             veche_store_lesson_cb cb, void *ud);

/* Title and/or description (NULL: unchanged).  VECHE_EINVAL for an empty
 * title or one too long, VECHE_ENOTFOUND for a missing or deleted lesson. */
int veche_store_lesson_describe(veche_store *s, int64_t id, const char *title,
                                const char *description, int64_t now);
/* Make the lesson a tombstone (state deleted, guest links gone).  Its
 * paths stay: its files are "pending deletion" until
 * veche_store_lesson_remove_files.  VECHE_ENOTFOUND when missing or
 * already deleted. */
int veche_store_lesson_mark_deleted(veche_store *s, int64_t id, int64_t now);
/* The first deleted lesson whose files are still pending: 1 with out, 0
 * when none, or an error (the supervisor sweeps them after a crash). */
int veche_store_lesson_next_pending(veche_store *s, veche_lesson *out);
/* Remove a deleted lesson's files under data_dir (a missing file is
 * fine; only paths under lessons/ are touched) and then clear its paths.
 * File I/O: call it off the main loop (the store thread, the lesson
 * supervisor, vechectl).  VECHE_ESTATE when the lesson is not deleted,
 * VECHE_EIO when a file could not be removed (the paths stay, so it is
 * tried again), VECHE_ENOTFOUND when there is no such lesson. */
int veche_store_lesson_remove_files(veche_store *s, const char *data_dir, int64_t id);

/* ---- rendering (the supervisor's own connection) ---- */

/* Claim the next event whose closed or repaired parts are not all in its
 * lesson (and which has none still recording): create or update its lesson
 * to state rendering with parts = the highest part, and return it in out.
 * 1 when claimed, 0 when there is nothing to do, or an error. */
int veche_store_lesson_claim(veche_store *s, int64_t now, veche_lesson *out);
/* How many events claim would still hand out (the render queue's length). */
int veche_store_lesson_pending(veche_store *s, int64_t *n);

typedef int (*veche_store_part_cb)(void *ud, int part, const char *path);
/* The closed and repaired parts of an event up to max_part, in order. */
int veche_store_lesson_parts(veche_store *s, int64_t event_id, int max_part,
                             veche_store_part_cb cb, void *ud);
int veche_store_lesson_progress(veche_store *s, int64_t id, double progress, int64_t now);
int veche_store_lesson_finish(veche_store *s, int64_t id, const char *path, const char *vtt_path,
                              int64_t duration_ms, int64_t bytes, int64_t now);
int veche_store_lesson_fail(veche_store *s, int64_t id, const char *error, int64_t now);
/* After a restart: lessons left rendering go back to queued with parts 0,
 * so they are claimed again.  Returns how many. */
int veche_store_lesson_reset_rendering(veche_store *s, int64_t now);

/* ---- retention ---- */

/* keep_days > 0, or 0 for forever. */
int veche_store_lesson_retention_set(veche_store *s, int64_t course_id, int64_t keep_days);
/* *keep_days = 0 when forever. */
int veche_store_lesson_retention_get(veche_store *s, int64_t course_id, int64_t *keep_days);
/* The first lesson (not deleted) whose course's retention has run out by
 * now: 1 with out, 0 when none, or an error. */
int veche_store_lesson_next_expired(veche_store *s, int64_t now, veche_lesson *out);

/* ---- guest links ---- */

int veche_store_lesson_guest_create(veche_store *s, const uint8_t hash[32], int64_t lesson_id,
                                    int64_t expires_at, int64_t created_by, int64_t now);
/* 0 when hash opens lesson_id at now; VECHE_EEXPIRED when it did once;
 * VECHE_ENOTFOUND otherwise (another lesson's link, or junk). */
int veche_store_lesson_guest_check(veche_store *s, const uint8_t hash[32], int64_t lesson_id,
                                   int64_t now);

#endif
