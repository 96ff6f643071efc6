/* layout.h - the lesson's picture over time, from a part's marks: which
 * video track fills the frame and which one is the inset.
 *
 *   a screen is shared   -> main: that screen; inset: the trainer's camera
 *                           (the sharer's when the trainer has none)
 *   otherwise            -> main: the active speaker's camera (speaker and
 *                           floor_given marks; floor_taken gives it back to
 *                           the trainer), falling back to the trainer's, then
 *                           to the first camera; no inset
 *
 * A layout that would last less than min_ms is skipped (the one before
 * goes on), so a cough does not cut the picture; the first one always
 * stands.  Consecutive equal layouts are merged.  Pure; no I/O.
 *
 * Ownership: the caller owns out (a caller-sized array).
 */
#ifndef VECHE_LAYOUT_H
#define VECHE_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "sidecar.h"

typedef struct {
    int64_t t_ms;                 /* from the part's time 0 */
    int main_track;               /* Matroska track number, 0: none (black) */
    int inset_track;              /* 0: none */
} veche_layout_seg;

/* Fill out (capacity cap) with the layout of s over [0, duration_ms);
 * returns the number of segments (>= 1), or -1 when cap is too small
 * (nmarks + 1 always suffices). */
int veche_layout_build(const veche_sidecar *s, int64_t duration_ms, int64_t min_ms,
                       veche_layout_seg *out, size_t cap);

#endif
