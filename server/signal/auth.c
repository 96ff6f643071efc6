/* auth.c - session cookies and invitation tokens to persons, and join
 * admission (auth.h).  The decision table itself is the store's
 * (veche_store_admit, docs/data-model.md); this file maps its answers to
 * protocol error codes. */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "log.h"
#include "store_edit.h"

int veche_auth_cookie_token(const char *cookie_header,
                            char out[VECHE_TOKEN_SESSION_SIZE])
{
    static const char name[] = VECHE_SESSION_COOKIE "=";
    const char *p = cookie_header;
    while (p && *p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n > sizeof name - 1 && strncmp(p, name, sizeof name - 1) == 0) {
            const char *v = p + sizeof name - 1;
            size_t vn = n - (sizeof name - 1);
            while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
                vn--;
            if (vn != VECHE_TOKEN_SESSION_CHARS)
                return VECHE_ENOTFOUND;
            memcpy(out, v, vn);
            out[vn] = '\0';
            return 0;
        }
        p = end;
    }
    return VECHE_ENOTFOUND;
}

int veche_auth_cookie_person(veche_store *st, const char *cookie_header,
                             int64_t now, int64_t *person_id)
{
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    if (veche_auth_cookie_token(cookie_header, token) != 0 ||
        veche_token_session_hash(token, hash) != 0)
        return VECHE_ENOTFOUND;
    return veche_store_session_lookup(st, hash, now, person_id);
}

/* The session that joins an event's room lasts at least until the event
 * ends (and its lifetime after that): nobody is signed out mid-lesson, and a
 * reconnect near the end still finds the session.  A failure is logged;
 * the join goes ahead on the session as it is. */
static void hold_for_event(veche_store *st, const char *cookie_header, int64_t now,
                           const veche_event *ev)
{
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    if (veche_auth_cookie_token(cookie_header, token) != 0 ||
        veche_token_session_hash(token, hash) != 0)
        return;
    int rc = veche_store_session_hold(st, hash, now, ev->ends_at > now ? ev->ends_at : now);
    sodium_memzero(token, sizeof token);
    if (rc != 0)
        VLOG_WARN(ev->room_id, NULL, "event %lld: session not held for the event: %s",
                  (long long)ev->id, veche_errname(rc));
}

static int refuse(veche_auth_join *out, int rc, const char *code, const char *reason)
{
    out->code = code;
    snprintf(out->reason, sizeof out->reason, "%s", reason);
    return rc < 0 ? rc : VECHE_EDENIED;
}

/* Admission of a known person; fills out->event, admission, person. */
static int admit(veche_store *st, int64_t event_id, int64_t person_id, veche_auth_join *out)
{
    int rc = veche_store_admit(st, event_id, person_id, &out->admission);
    if (rc == VECHE_ENOTFOUND)
        return refuse(out, rc, "no-such-event", "there is no such event");
    if (rc == VECHE_EDENIED) {
        if (out->admission.refusal == VECHE_REFUSE_BLOCKED)
            return refuse(out, rc, "blocked", "this account is blocked");
        return refuse(out, rc, "not-admitted",
                      "you are not on this event's roster or guest list");
    }
    if (rc != 0 || (rc = veche_store_event_get(st, event_id, &out->event)) != 0 ||
        (rc = veche_store_person_get(st, person_id, &out->person)) != 0)
        return refuse(out, rc < 0 ? rc : VECHE_EIO, "internal", "database error");
    /* a cancelled event takes nobody, staff included; checked before an
     * invitation is marked used, so the link works again if the
     * cancellation is withdrawn */
    int64_t cancelled = 0;
    if ((rc = veche_store_event_cancelled(st, event_id, &cancelled)) != 0)
        return refuse(out, rc, "internal", "database error");
    if (cancelled)
        return refuse(out, VECHE_EDENIED, "event-cancelled", "this event was cancelled");
    return 0;
}

static int admit_invitation(veche_store *st, const veche_token_secret *secret,
                            int64_t event_id, const char *token, int64_t now,
                            veche_auth_join *out)
{
    veche_invitation inv;
    int rc = veche_token_invitation_verify(secret, token, now, &inv);
    if (rc == VECHE_EEXPIRED)
        return refuse(out, rc, "invitation-expired", "this invitation link has expired");
    if (rc != 0 || (event_id && inv.event_id != event_id))
        return refuse(out, rc ? rc : VECHE_EINVAL, "invitation-invalid",
                      "this invitation link is not valid for this event");
    if ((rc = admit(st, inv.event_id, inv.person_id, out)) != 0)
        return rc;
    rc = veche_store_invitation_use(st, &inv, now);
    if (rc == VECHE_EUSED)
        return refuse(out, rc, "invitation-used", "this invitation link was used before");
    if (rc == VECHE_EEXPIRED)
        return refuse(out, rc, "invitation-expired", "this invitation link has expired");
    if (rc == VECHE_ENOTFOUND)
        return refuse(out, rc, "invitation-invalid", "this invitation link was revoked");
    if (rc != 0)
        return refuse(out, rc, "internal", "database error");
    out->source = "invitation";
    out->invitation = inv;
    out->invitation_used_at = now;
    return 0;
}

int veche_auth_reset_link(veche_store *st, const char *public_url, int64_t person, int64_t now,
                          int64_t ttl_secs, char *link, size_t cap)
{
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    int rc = veche_token_session_new(token, hash);
    if (rc == 0)
        rc = veche_store_reset_create(st, hash, person, now, now + ttl_secs);
    if (rc == 0) {
        size_t n = strlen(public_url);
        while (n > 0 && public_url[n - 1] == '/')
            n--;  /* "https://host/" and "https://host" give the same link */
        int w = snprintf(link, cap, "%.*s/?reset=%s", (int)n, public_url, token);
        if (w < 0 || (size_t)w >= cap)
            rc = VECHE_ELIMIT;
    }
    sodium_memzero(token, sizeof token);
    return rc;
}

void veche_auth_join_undo(veche_store *st, const veche_auth_join *aj)
{
    if (!st || !aj->source || strcmp(aj->source, "invitation") != 0)
        return;
    int rc = veche_store_invitation_unuse(st, &aj->invitation, aj->invitation_used_at);
    if (rc != 0)
        VLOG_WARN(NULL, NULL, "event %lld: invitation of person %lld not given back: %s",
                  (long long)aj->event.id, (long long)aj->person.id, veche_errname(rc));
}

int veche_auth_admit_join(veche_store *st, const veche_token_secret *secret,
                          const char *cookie_header, int64_t event_id,
                          const char *invitation, int64_t now,
                          veche_auth_join *out)
{
    memset(out, 0, sizeof *out);
    if (!st || !secret)
        return refuse(out, VECHE_ESTATE, "unsupported", "this server has no accounts");
    if (invitation)
        return admit_invitation(st, secret, event_id, invitation, now, out);
    int64_t person = 0;
    int rc = veche_auth_cookie_person(st, cookie_header, now, &person);
    if (rc == VECHE_EBLOCKED)
        return refuse(out, rc, "blocked", "this account is blocked");
    if (rc == VECHE_ENOTFOUND)
        return refuse(out, rc, "sign-in-required", "sign in to join this event");
    if (rc != 0)
        return refuse(out, rc, "internal", "database error");
    if ((rc = admit(st, event_id, person, out)) != 0)
        return rc;
    out->source = "session";
    hold_for_event(st, cookie_header, now, &out->event);
    return 0;
}
