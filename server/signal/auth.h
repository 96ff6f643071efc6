/* auth.h - who is asking: the veche_session cookie and invitation tokens
 * resolved to a person through the store, and the admission of a
 * signalling `join` to an event's room; and the one-time password reset
 * links (for the API and vechectl alike).
 *
 * The cookie holds a session token (token.h); the store knows only its
 * hash.  A join names an event and proves the person by the cookie of the
 * WebSocket upgrade or by an invitation token (single use: consumed once
 * the person is admitted).  Refusals carry a protocol error code and an
 * English reason without personal data.  Does not: hash passwords, set
 * cookies (api.c), or touch rooms (signalling.c).  Stateless.
 */
#ifndef VECHE_AUTH_H
#define VECHE_AUTH_H

#include <stdint.h>

#include "store.h"

#define VECHE_SESSION_COOKIE "veche_session"

/* Find the veche_session token in a Cookie header (name=value pairs
 * separated by ';').  Returns 0 with out filled, VECHE_ENOTFOUND when there
 * is none or it has the wrong length. */
int veche_auth_cookie_token(const char *cookie_header,
                            char out[VECHE_TOKEN_SESSION_SIZE]);

/* The person of the cookie's live session: 0; VECHE_ENOTFOUND (no cookie,
 * unknown or expired session); VECHE_EBLOCKED; VECHE_EIO. */
int veche_auth_cookie_person(veche_store *st, const char *cookie_header,
                             int64_t now, int64_t *person_id);

typedef struct {
    veche_event event;
    veche_person person;
    veche_admission admission;
    const char *source;          /* "session" or "invitation" */
    veche_invitation invitation; /* source "invitation": the link used, */
    int64_t invitation_used_at;  /* and when (for veche_auth_join_undo) */
    const char *code;            /* on refusal: "sign-in-required", ... */
    char reason[160];
} veche_auth_join;

/* Decide a join to event_id (0: the invitation's event) by the cookie
 * header or, when invitation is not NULL, by that token.  Returns 0 with
 * out filled, or a negative code with out->code and out->reason:
 *   sign-in-required    no valid session (and no invitation)
 *   blocked             the account is blocked
 *   no-such-event       the event does not exist
 *   not-admitted        not on the roster, not a guest, not staff
 *   event-cancelled     an organizer cancelled the event (nobody joins;
 *                       a rescheduled one is joined by its new times)
 *   invitation-invalid  malformed, forged, revoked, or for another event
 *   invitation-expired  past its expiry
 *   invitation-used     used before
 *   internal            database trouble (logged) */
int veche_auth_admit_join(veche_store *st, const veche_token_secret *secret,
                          const char *cookie_header, int64_t event_id,
                          const char *invitation, int64_t now,
                          veche_auth_join *out);

/* A new one-time password reset link "public_url/?reset=TOKEN" (a trailing
 * '/' of public_url not doubled) for person, valid for ttl_secs from now:
 * the token's hash goes to the store, the token only into link.  0, a
 * store or token error, or VECHE_ELIMIT when the link does not fit cap
 * (the token is stored then, but nobody has it). */
int veche_auth_reset_link(veche_store *st, const char *public_url, int64_t person, int64_t now,
                          int64_t ttl_secs, char *link, size_t cap);

/* The join admitted by veche_auth_admit_join did not happen (room locked
 * or full, attendance not written): give its invitation back, so the link
 * is not lost.  Nothing for a session join. */
void veche_auth_join_undo(veche_store *st, const veche_auth_join *aj);

#endif
