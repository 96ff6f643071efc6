/* api_admin_int.h - what api_admin.c (accounts, persons, rosters, the
 * router) and api_admin_org.c (organizations, bodies, courses, events)
 * share, and api_minutes.c for a body's voting settings (an admin
 * route).  Not for the rest of Veche. */
#ifndef VECHE_API_ADMIN_INT_H
#define VECHE_API_ADMIN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "api_int.h"

/* Whether the signed-in person is a platform administrator. */
bool adm_is_platform(api_call *c);

/* The scope of a listing (store.h, "listings for administrators") from the
 * optional ?org=ID: that organization when the caller administers it (else
 * 403, 400 for a malformed id); without it, everything for a platform
 * administrator and the caller's subtrees for an organization
 * administrator.  Replies with the error and returns false on failure. */
bool adm_scope(api_call *c, int64_t *org_id, int64_t *admin_id);

/* A positive integer member of the JSON body (or a string of digits, as a
 * form gives it), or 0 (absent, null, anything else). */
int64_t adm_int(api_call *c, const char *key);

/* The optional `maxParticipants` of an event: absent (*given false), null
 * or 0 (the room kind's limit: *out 0), or 1..VECHE_EVENT_LIMIT_MAX.
 * Replies 400 bad-limit and returns false for anything else. */
bool adm_event_limit(api_call *c, bool *given, unsigned *out);

/* An id as JSON, null for 0. */
json_t *adm_id_json(int64_t id);

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ". */
json_t *adm_time_json(int64_t secs);

/* A time from JSON: an integer (unix seconds) or an ISO 8601 string as
 * isotime.h reads it.  0 or VECHE_EINVAL (also for times before
 * 1970-01-01T00:00:01Z or after 9999). */
int adm_time_parse(const json_t *v, int64_t *out);

/* api_audit.c: one audit log entry for the change the caller just made
 * (actor, address and time from the call; org 0: none; detail, stolen,
 * a JSON object of ids and field names, NULL for {}).  Called inside
 * adm_in_tx: a failure to write is logged and sets c->audit_rc, which
 * rolls the change back with the entry. */
void adm_audit(api_call *c, int64_t org, const char *action, const char *kind, int64_t target,
               json_t *detail);
/* Run fn(c, ud) inside one store transaction (store.h, "a caller's
 * transaction"): the change fn makes and its audit entries commit
 * together, or not at all.  Committed when fn replied 2xx/3xx (or
 * deferred its answer: the deferred part runs its own adm_in_tx) and
 * every audit entry was written; otherwise everything is rolled back, and
 * a success answer whose audit entry failed becomes 500 internal.  Inside
 * an open adm_in_tx (an inline deferred part) fn simply joins it. */
typedef void (*adm_tx_fn)(api_call *c, void *ud);
void adm_in_tx(api_call *c, adm_tx_fn fn, void *ud);
/* {"fields": [...]}: which of keys (NULL-terminated) the request body has. */
json_t *adm_fields(api_call *c, const char *const *keys);
/* GET /api/admin/audit (JSON) and audit.csv. */
void adm_audit_list(api_call *c, bool csv);

/* api_admin_edit.c: PATCH and DELETE routes, administrators of an
 * organization, a person's export and erasure; false when the request is
 * none of them (nothing replied). */
bool api_admin_edit(api_call *c);

/* api_admin_org.c: the routes under orgs, bodies, courses, events; false
 * when the request is none of them (nothing replied). */
bool api_admin_org(api_call *c);

#endif
