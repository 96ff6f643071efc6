/* api.h - the HTTP JSON API under /api/ (docs/api.md): sign-in and
 * sessions, passwords and reset links, the events a person may join,
 * invitation links, attendance reports, and the administrators' account,
 * blocking and roster endpoints.
 *
 * Every request is authenticated from the veche_session cookie and every
 * permission checked on that request (access.h's table, where the role
 * holds); every error is JSON {"error": code, "reason": text}.  Handlers
 * run on the main loop.  Argon2id (about 0.1 s and 64 MiB per sign-in,
 * password change, reset or account created with a password) does not: it
 * runs on a small pool of threads owned by the veche_api (password_threads,
 * by default one per core, 1 to 4, niced below the media), the store being read before on the main thread and
 * written after (a sign-in's session on the store thread, storeq.h; the
 * other writes still on the main thread), and the answer is deferred
 * (http.h) until then, so the main loop (and the media on it) never waits
 * for it.  Without env.ctx, or when a
 * request cannot be deferred, that work runs inline (the fuzzer).  At most
 * 64 such jobs are in flight; more get 503 busy.  Sign-in guessing is
 * limited per e-mail address and per client IP (guard.h; docs/api.md).
 * Mail goes out on mail.c's thread.  Logs name person ids only, never
 * e-mail addresses or names.
 *
 * Ownership: the caller owns the veche_api; it borrows everything in env,
 * which must outlive it.  veche_api_free() waits for the work in flight and
 * answers its requests 503 (nothing is sent when the listener is gone).
 */
#ifndef VECHE_API_H
#define VECHE_API_H

#include "config.h"
#include "http.h"
#include "mail.h"
#include "metrics.h"
#include "password.h"
#include "roll.h"
#include "signalling.h"
#include "store.h"
#include "storeq.h"

typedef struct {
    const veche_config *cfg;
    veche_store *store;           /* main-thread reads and the writes not yet moved */
    veche_storeq *storeq;         /* the store thread: sign-in sessions; NULL: inline */
    const veche_token_secret *secret;
    veche_roll *roll;
    veche_signal *signal;         /* to close a blocked person's connections */
    veche_mailer *mailer;         /* NULL: no mail */
    veche_password_cost cost;
    GMainContext *ctx;            /* the main loop's context, where the API runs and
                                     password work comes back; NULL: inline */
    veche_metrics *metrics;       /* sign-ins are counted here; NULL: not counted */
} veche_api_env;

typedef struct veche_api veche_api;

veche_api *veche_api_new(const veche_api_env *env);
void veche_api_free(veche_api *a);  /* accepts NULL */

/* The http.c hook (veche_http_api_fn); ud is the veche_api. */
void veche_api_handle(void *ud, const veche_http_request *req, veche_http_response *resp);

#endif
