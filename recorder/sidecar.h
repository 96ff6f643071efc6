/* sidecar.h - the part's sidecar, JSON Lines (docs/recording.md): each
 * line is written with one write(2) on an O_APPEND descriptor as it
 * happens, so a crash loses at most the line being written.
 *
 * Does NOT: decide what goes in a line (part.c and main.c do).
 * Ownership: the sidecar owns its descriptor; one thread (the recorder's
 * main loop).
 */
#ifndef VECHE_REC_SIDECAR_H
#define VECHE_REC_SIDECAR_H

#include <jansson.h>

typedef struct veche_rec_sidecar veche_rec_sidecar;

/* Open (create or append) path.  NULL with errno on failure. */
veche_rec_sidecar *veche_rec_sidecar_open(const char *path);
/* Append obj (borrowed) as one line; sync also fdatasyncs.  0 or -1. */
int veche_rec_sidecar_append(veche_rec_sidecar *sc, json_t *obj, int sync);
void veche_rec_sidecar_close(veche_rec_sidecar *sc);  /* accepts NULL */

#endif
