/* api_admin_int.h - what api_admin.c (accounts, persons, rosters, the
 * router) and api_admin_org.c (organizations, bodies, courses, events)
 * share.  Not for the rest of Veche. */
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

/* An id as JSON, null for 0. */
json_t *adm_id_json(int64_t id);

/* Unix seconds as "YYYY-MM-DDTHH:MM:SSZ". */
json_t *adm_time_json(int64_t secs);

/* A time from JSON: an integer (unix seconds) or an ISO 8601 string as
 * isotime.h reads it.  0 or VECHE_EINVAL (also for times before
 * 1970-01-01T00:00:01Z or after 9999). */
int adm_time_parse(const json_t *v, int64_t *out);

/* api_admin_org.c: the routes under orgs, bodies, courses, events; false
 * when the request is none of them (nothing replied). */
bool api_admin_org(api_call *c);

#endif
