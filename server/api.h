/* api.h - the HTTP JSON API under /api/ (docs/api.md): sign-in and
 * sessions, passwords and reset links, the events a person may join,
 * invitation links, attendance reports, and the administrators' account,
 * blocking and roster endpoints.
 *
 * Every request is authenticated from the veche_session cookie and every
 * permission checked on that request (access.h's table, where the role
 * holds); every error is JSON {"error": code, "reason": text}.  Handlers
 * run on the main loop and are synchronous, including Argon2id (about
 * 0.1 s per sign-in); mail goes out on mail.c's thread.  Logs name person
 * ids only, never e-mail addresses or names.
 *
 * Ownership: the caller owns the veche_api; it borrows everything in env,
 * which must outlive it.
 */
#ifndef VECHE_API_H
#define VECHE_API_H

#include "config.h"
#include "http.h"
#include "mail.h"
#include "password.h"
#include "roll.h"
#include "signalling.h"
#include "store.h"

typedef struct {
    const veche_config *cfg;
    veche_store *store;
    const veche_token_secret *secret;
    veche_roll *roll;
    veche_signal *signal;         /* to close a blocked person's connections */
    veche_mailer *mailer;         /* NULL: no mail */
    veche_password_cost cost;
} veche_api_env;

typedef struct veche_api veche_api;

veche_api *veche_api_new(const veche_api_env *env);
void veche_api_free(veche_api *a);  /* accepts NULL */

/* The http.c hook (veche_http_api_fn); ud is the veche_api. */
void veche_api_handle(void *ud, const veche_http_request *req, veche_http_response *resp);

#endif
