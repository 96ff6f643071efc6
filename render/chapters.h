/* chapters.h - the lesson's chapters from the marks of its parts, and
 * their WebVTT text (https://www.w3.org/TR/webvtt1/, kind "chapters").
 *
 * A chapter starts at 0 ("start") and at every screen_start, floor_given
 * and chapter mark; one closer than VECHE_CHAPTER_MIN_GAP_MS to the one
 * before replaces it (the later one names what happened).  Each cue has an
 * identifier "<kind>-<n>" (kind start / screen / floor / chapter), which
 * the web client turns into words in the reader's language, and as text
 * the name of who shared or spoke, or the trainer's label.  Cue text is
 * escaped (&, <, >) and kept on one line.  Pure; no I/O.
 *
 * Ownership: veche_chapters_new() / veche_chapters_free() (accepts NULL);
 * veche_chapters_vtt() returns a malloc'd string the caller frees.
 */
#ifndef VECHE_CHAPTERS_H
#define VECHE_CHAPTERS_H

#include <stdint.h>

#include "sidecar.h"

#define VECHE_CHAPTER_MIN_GAP_MS 2000

typedef struct veche_chapters veche_chapters;

veche_chapters *veche_chapters_new(void);
void veche_chapters_free(veche_chapters *c);

/* Add the marks of one part that starts offset_ms into the lesson and
 * lasts duration_ms (marks past it are ignored).  Parts in order. */
void veche_chapters_add_part(veche_chapters *c, const veche_sidecar *s, int64_t offset_ms,
                             int64_t duration_ms);
size_t veche_chapters_count(const veche_chapters *c);

/* The WebVTT file for a lesson of total_ms. */
char *veche_chapters_vtt(const veche_chapters *c, int64_t total_ms);

/* "hh:mm:ss.ttt" into out (at least 16 bytes). */
void veche_vtt_time(int64_t ms, char *out);

#endif
