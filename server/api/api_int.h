/* api_int.h - what api.c, api_events.c and api_admin.c share: the request
 * being handled, replies, and the sign-in and permission checks.  Not for
 * the rest of Veche. */
#ifndef VECHE_API_INT_H
#define VECHE_API_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <jansson.h>

#include "api.h"
#include "guard.h"
#include "token.h"

struct veche_api {
    veche_api_env env;
    veche_guard *by_address;      /* failed sign-ins per normalized e-mail */
    veche_guard *by_ip;           /* ... and per client IP address */
    /* api_pw.c: password work off the main loop */
    GThreadPool *pool;            /* NULL: inline (no env.ctx) */
    unsigned in_flight;           /* jobs submitted, not yet completed (main thread) */
    gint stopping;                /* atomic: veche_api_free started, skip the work */
    GMutex lock;                  /* guards done and wake */
    GQueue done;                  /* of api_pw_job, worked, waiting for the main thread */
    GSource *wake;                /* idle source on env.ctx delivering done, or NULL */
    struct api_reader *readers[2];/* api_read.c: the read-only routes' threads (quick,
                                     heavy), or NULL */
    bool is_reader;               /* this is a reader's own veche_api (api_read.c) */
    const struct veche_report_live *live; /* on a reader: the roll's copy for the
                                     attendance report it is answering, or NULL */
};

typedef struct api_reader api_reader;

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
    bool tx;                      /* inside the request's store transaction (adm_in_tx) */
    int audit_rc;                 /* 0, or why an audit entry was not written */
} api_call;

/* Replies; json is stolen. */
void api_reply(api_call *c, int status, json_t *json);
void api_error(api_call *c, int status, const char *code, const char *reason);

/* Require a signed-in person (401 sign-in-required, 403 blocked); true
 * when there is one. */
bool api_need_person(api_call *c);
/* The signed-in person's admission to event_id with permission perm; their
 * role in the event into *role (may be NULL).  Replies 401/403/404/500 and
 * returns false when refused. */
bool api_may_event(api_call *c, int64_t event_id, veche_access_perm perm,
                   veche_access_role *role);
/* Require a JSON object body (400 bad-request); true when there is one. */
bool api_need_body(api_call *c);
/* A string member of the body, or NULL. */
const char *api_str(api_call *c, const char *key);
/* A positive id from a path segment or 0. */
int64_t api_id(const char *seg);
/* The value of name in the query string ("" when absent), copied. */
void api_query(api_call *c, const char *name, char *out, size_t cap);

/* Whether the answer should be in Russian: the lang query parameter
 * ("ru"/"en") when given, else the language the Accept-Language header
 * prefers most (ru, ru-RU, ...). */
bool api_russian(api_call *c);
bool api_lang_is_russian(const char *lang_param, const char *accept_language);

/* Whether the signed-in person administers org (platform admin, or admin
 * of org or an ancestor; org 0: platform admins only). */
bool api_is_admin_of(api_call *c, int64_t org_id);
/* A new reset token for person, stored with the given lifetime; the link
 * (public_url + "/?reset=" + token) in link.  0 or an error. */
int api_reset_link(api_call *c, int64_t person, int64_t ttl_secs, char *link, size_t cap);

/* ---- api_pw.c: Argon2id off the main loop ----
 *
 * A handler that needs a password hashed or verified reads what it needs
 * from the store, fills a job and submits it.  The work runs on the API's
 * thread pool and the job comes back to the main thread, where done() runs
 * with a fresh call (req has only tls and peer; resp is the deferred answer)
 * and may use the store again.  Without a pool (no env.ctx) or without a
 * way to defer (req->pending NULL: the fuzzer) the work runs inline and done
 * gets the handler's own call.  done() may pass the answer on once more (to
 * the store thread): it takes j->pending (setting it NULL), sets
 * c->resp->deferred and finishes the pending answer itself later.  At most API_PW_MAX_JOBS are in flight;
 * check api_pw_busy() before submitting (it replies 503 busy). */
/* A queue, not the hashing threads: a job waiting costs a few hundred
 * bytes (the 64 MiB of Argon2id are taken only while it runs), so a
 * sign-in storm at a lesson's start (500 people within a minute) waits
 * in it instead of getting 503 busy. */
#define API_PW_MAX_JOBS 1024

typedef struct api_pw_job api_pw_job;
typedef void (*api_pw_done_fn)(api_call *c, api_pw_job *j);

struct api_pw_job {
    /* the work, set by the handler */
    char *password;               /* g_malloc'd: verify it (NULL: no verification) */
    char verify_hash[VECHE_PASSWORD_HASH_SIZE]; /* against this; "" = dummy check */
    char *new_password;           /* g_malloc'd: hash it (NULL: no hashing); skipped
                                     when a verification fails */
    /* the results */
    int verify_rc;                /* veche_password_verify(_dummy) */
    int hash_rc;                  /* veche_password_hash; -1 when not run */
    char new_hash[VECHE_PASSWORD_HASH_SIZE];
    /* state the handler keeps for done() */
    int64_t id;                   /* a person id */
    uint8_t token[VECHE_TOKEN_HASH_LEN];
    char key[VECHE_EMAIL_MAX + 1];/* a guard key */
    const char *reason;           /* a static reason */
    /* internal */
    veche_api *api;
    api_pw_done_fn done;
    veche_http_pending *pending;
    veche_password_cost cost;
    bool tls, cancelled;
    int64_t now, person;
    char peer[64];
};

/* A new job for call c whose result goes to done. */
api_pw_job *api_pw_job_new(api_call *c, api_pw_done_fn done);
/* Reply 503 busy and return true when API_PW_MAX_JOBS are in flight. */
bool api_pw_busy(api_call *c);
/* Run j (see above); takes j. */
void api_pw_submit(api_call *c, api_pw_job *j);
/* Start and stop the pool (veche_api_new, veche_api_free). */
void api_pw_start(veche_api *a);
void api_pw_stop(veche_api *a);

/* The whole of one request on a's store: the session cookie, the body,
 * the route (api.c; veche_api_handle without the offloading). */
void api_run(veche_api *a, const veche_http_request *req, veche_http_response *resp);

/* ---- api_read.c: the read-only routes on threads of their own ----
 * Every GET route that only reads the store runs, cookie lookup included,
 * on a reader thread with its own store connection; the answer is
 * deferred.  api_read.c's routes[] lists them. */
/* Which reader answers (method, path): 0 quick, 1 heavy, -1 the main loop;
 * *report_event: the event of an attendance report, else 0. */
int api_read_route(const char *method, const char *path, int64_t *report_event);
/* Take req when it is one of those routes and it can wait: resp->deferred
 * is set and true returned; false: answer it on the main loop. */
bool api_read_offload(veche_api *a, const veche_http_request *req, veche_http_response *resp);
/* Open the thread's connection and start it (veche_api_new; nothing
 * without env.ctx, or when the connection cannot be opened: logged). */
void api_read_start(veche_api *a);
/* Answer what is queued and stop (veche_api_free; main thread). */
void api_read_stop(veche_api *a);

/* api_events.c */
void api_events(api_call *c);
/* The minutes and votes routes under /api/events/ID/ (api_minutes.c):
 * true when the path was one of them (answered). */
bool api_minutes(api_call *c, int64_t event_id);
/* GET/POST /api/admin/bodies/ID/voting: a body's default majority rule and
 * what a vote without quorum does (api_minutes.c). */
void api_vote_settings(api_call *c, int64_t body_id);
/* api_agenda.c: /api/events/{id}/agenda[/{item}[/move]] */
void api_agenda(api_call *c, int64_t event_id);
/* api_admin.c */
void api_admin(api_call *c);
/* api_lessons.c */
void api_lessons(api_call *c);
/* api_admin_edit.c: GET /api/privacy, the sign-in page's notice (public). */
void api_privacy(api_call *c);

#endif
