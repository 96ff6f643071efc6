/* recorder_proc.h - the veche-recorder child process: started, watched,
 * restarted when it dies; JSON lines to its stdin, its stdout's JSON lines
 * handed to a callback (recorder/main.c documents the lines).
 *
 *   STOPPED --spawn--> RUNNING --exit or crash--> STOPPED (died callback)
 *      ^                                             |
 *      +------------ restart after 1 s, 2 s, ... 30 s +
 *
 * A recorder crash never reaches a room: rooms only ever send to a UDP
 * port; the recording module hears `died` and winds its parts down.  When
 * the server dies (even by kill -9) the recorder's stdin closes and it
 * closes its files cleanly on its own.
 *
 * Ownership: the caller owns it; callbacks run on ctx (the main loop).
 * Main thread only.
 */
#ifndef VECHE_RECORDER_PROC_H
#define VECHE_RECORDER_PROC_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

typedef struct veche_recproc veche_recproc;

typedef void (*veche_recproc_line_fn)(void *ud, json_t *ev);  /* ev borrowed */
typedef void (*veche_recproc_died_fn)(void *ud);

/* Start path now (and again whenever it dies).  NULL only when path is
 * empty. */
veche_recproc *veche_recproc_new(const char *path, GMainContext *ctx,
                                 veche_recproc_line_fn line, veche_recproc_died_fn died,
                                 void *ud);
/* Send one command (borrowed).  0, or -1 when the recorder is not running. */
int veche_recproc_send(veche_recproc *rp, json_t *cmd);
bool veche_recproc_running(const veche_recproc *rp);
int veche_recproc_pid(const veche_recproc *rp);  /* 0 when not running */
/* Close its stdin (it closes its parts), wait up to 5 s, then kill it. */
void veche_recproc_free(veche_recproc *rp);  /* accepts NULL */

#endif
