/* api_int.h - what api.c, api_events.c and api_admin.c share: the request
 * being handled, replies, and the sign-in and permission checks.  Not for
 * the rest of Veche. */
#ifndef VECHE_API_INT_H
#define VECHE_API_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "api.h"

struct veche_api {
    veche_api_env env;
};

#define API_MAX_SEGS 8

typedef struct {
    veche_api *api;
    const veche_http_request *req;
    veche_http_response *resp;
    json_t *body;                 /* the JSON body (an object), or NULL */
    int64_t now;                  /* unix seconds */
    int64_t person;               /* signed in: the person, else 0 */
    bool blocked;                 /* the cookie's account is blocked */
    char *segs[API_MAX_SEGS];     /* path segments after /api/ */
    size_t nsegs;
} api_call;

/* Replies; json is stolen. */
void api_reply(api_call *c, int status, json_t *json);
void api_error(api_call *c, int status, const char *code, const char *reason);

/* Require a signed-in person (401 sign-in-required, 403 blocked); true
 * when there is one. */
bool api_need_person(api_call *c);
/* Require a JSON object body (400 bad-request); true when there is one. */
bool api_need_body(api_call *c);
/* A string member of the body, or NULL. */
const char *api_str(api_call *c, const char *key);
/* A positive id from a path segment or 0. */
int64_t api_id(const char *seg);
/* The value of name in the query string ("" when absent), copied. */
void api_query(api_call *c, const char *name, char *out, size_t cap);

/* Whether the signed-in person administers org (platform admin, or admin
 * of org or an ancestor; org 0: platform admins only). */
bool api_is_admin_of(api_call *c, int64_t org_id);
/* A new reset token for person, stored with the given lifetime; the link
 * (public_url + "/?reset=" + token) in link.  0 or an error. */
int api_reset_link(api_call *c, int64_t person, int64_t ttl_secs, char *link, size_t cap);

/* api_events.c */
void api_events(api_call *c);
/* api_admin.c */
void api_admin(api_call *c);

#endif
