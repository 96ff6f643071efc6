/* repair.h - finalize a part left by a crash: remux its Matroska file
 * (matroskademux ! matroskamux, no transcoding) into a new file with
 * duration and cues, and put it in place of the old one.
 *
 *   file readable, frames remuxed  -> REPAIRED (the new file in place)
 *   remux failed after some frames -> REPAIRED (the original kept: it is
 *                                     streamable and plays as it is)
 *   nothing playable               -> FAILED
 *
 * Does NOT: touch the database or the sidecar.  Runs a pipeline on the
 * calling thread's main loop and calls done once.  Ownership: the job
 * frees itself after done.
 */
#ifndef VECHE_REC_REPAIR_H
#define VECHE_REC_REPAIR_H

#include <stdint.h>

typedef void (*veche_rec_repaired_fn)(void *ud, int64_t part, int ok, int64_t bytes,
                                      int64_t duration_ms);

/* Start repairing path; done runs on the main loop. */
void veche_rec_repair_start(int64_t part, const char *path, veche_rec_repaired_fn done,
                            void *ud);

#endif
