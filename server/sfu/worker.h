/* worker.h - a media worker: one thread with its own GMainContext and
 * GMainLoop that owns the rooms pinned to it, their transports (libnice
 * agents, DTLS, SRTP), their timers and their packets (mediasoup's
 * workers, h2o's loops).  Nothing of a room is touched by another thread.
 *
 *   main thread --veche_worker_send(cmd)--> [mailbox] --> dispatch.c --> rooms
 *   rooms --env.emit(event), on this thread--> the caller's mailbox
 *
 * Ownership: the caller owns the worker; commands are taken.  new/free on
 * the main thread; send from any thread.  The certificate and config
 * outlive the worker (the certificate is immutable after start).
 */
#ifndef VECHE_WORKER_H
#define VECHE_WORKER_H

#include "config.h"
#include "dtls.h"
#include "mstats.h"
#include "sfu_msg.h"

typedef struct veche_worker veche_worker;

/* Start worker number `index`; its rooms' events go to emit(emit_ud, ev),
 * called on the worker's thread.  NULL if the thread cannot start. */
veche_worker *veche_worker_new(unsigned index, const veche_config *cfg,
                               veche_dtls_cert *cert, veche_sfu_emit_fn emit,
                               void *emit_ud);
/* Queue a command for the worker's rooms (any thread; takes cmd). */
void veche_worker_send(veche_worker *w, veche_sfu_cmd *cmd);
/* Stop: run the commands already queued, free every room on the worker's
 * thread (telling nobody), end the thread and wait for it.  Accepts NULL. */
void veche_worker_free(veche_worker *w);
unsigned veche_worker_index(const veche_worker *w);
/* The worker's counters, written by its thread, readable from any thread
 * with veche_mstats_get (mstats.h); valid until veche_worker_free. */
const veche_mstats *veche_worker_stats(const veche_worker *w);
/* How many workers a configuration asks for: media_workers, or the number
 * of cores when that is 0. */
unsigned veche_worker_count(const veche_config *cfg);

#endif
