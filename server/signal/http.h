/* http.h - the HTTPS + WSS listener (libwebsockets on the GLib main loop).
 *
 * Serves the static files of web_root over HTTPS, the /api/ routes through
 * one hook (api.c), and the signalling WebSocket at /ws (subprotocol
 * "veche-v1", also accepted without one).  It knows nothing of the
 * protocols carried: complete text messages go to the
 * callbacks; messages larger than ws_max_message and binary frames are
 * refused by closing with 1009 / 1003 after an error message.
 *
 * Ownership: veche_http owns every veche_ws; a veche_ws pointer is valid from
 * on_open until on_close returns.  Everything runs on the main loop's thread.
 *
 * Deferred /api/ responses: the hook may answer later instead of at once
 * (work done on another thread, e.g. Argon2id).  It sets resp->deferred and
 * keeps req->pending; later, on the main loop's thread, it calls
 * veche_http_pending_finish(pending, &resp) exactly once, which takes the
 * response (its body too) and frees the pending object.  Until then the
 * pending object belongs to the hook: when the client goes away meanwhile
 * (or veche_http_free() closes the connection), http.c only detaches it, and
 * the finish frees the response and the object and sends nothing.  A hook
 * that does not set deferred must forget req->pending when it returns.
 */
#ifndef VECHE_HTTP_H
#define VECHE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "config.h"

typedef struct veche_http veche_http;
typedef struct veche_ws veche_ws;
typedef struct veche_http_pending veche_http_pending;

typedef struct {
    /* A WebSocket was opened; set *conn_ud to per-connection state. */
    void (*on_open)(void *ud, veche_ws *ws, void **conn_ud);
    /* One complete text message (not NUL-terminated; valid during the call). */
    void (*on_message)(void *ud, veche_ws *ws, void *conn_ud, const char *text,
                       size_t len);
    /* The connection is gone (either side closed, or error). */
    void (*on_close)(void *ud, veche_ws *ws, void *conn_ud);
} veche_http_ws_callbacks;

/* Dynamic routes: a request under /api/, or GET /metrics, (method, decoded path, query,
 * Cookie header and body) handed to the API hook, which fills a response.
 * Bodies are at most VECHE_HTTP_BODY_MAX bytes (a larger one gets 413
 * without reaching the hook). */
#define VECHE_HTTP_BODY_MAX ((size_t)1 << 20)

typedef struct {
    const char *method;       /* "GET", "POST", "PATCH", "DELETE" */
    const char *path;         /* "/api/events/3/attendance", decoded by lws */
    const char *query;        /* "lang=ru&x=1" (decoded arguments joined by '&'), or "" */
    const char *cookie;       /* the Cookie header, or "" */
    const char *accept_language; /* the Accept-Language header, or ""; NULL allowed */
    const char *body;         /* NUL-terminated (the NUL not counted), "" when none */
    size_t body_len;
    bool tls;                 /* the listener speaks HTTPS */
    const char *peer;         /* the client's IP address as text, "" when unknown;
                                 NULL is allowed too (callers other than http.c) */
    const char *authorization;/* the Authorization header, or ""; NULL allowed */
    veche_http_pending *pending; /* to answer later (see above); NULL when the
                                 caller cannot wait (the hook must answer now) */
    const char *range;        /* the Range header, or ""; NULL allowed */
} veche_http_request;

typedef struct {
    int status;               /* 200, 404, ... */
    const char *content_type; /* a static string; NULL: application/json */
    char *body;               /* g_malloc'd, freed by http.c; NULL: empty */
    size_t body_len;
    char set_cookie[512];     /* the Set-Cookie value, "" for none */
    char disposition[160];    /* Content-Disposition value, "" for none */
    char *file;               /* g_malloc'd, freed by http.c: when set, the body is
                                 body_len bytes of this file from file_offset,
                                 read by http.c in chunks as the client takes
                                 them (body must be NULL); "Accept-Ranges: bytes"
                                 is sent.  A file that cannot be opened gives 500. */
    uint64_t file_offset;
    char content_range[96];   /* Content-Range value (206, 416), "" for none */
    bool deferred;            /* set by the hook: the answer comes later through
                                 veche_http_pending_finish(req->pending); the
                                 other members are then ignored (set none) */
} veche_http_response;

/* Called on the main loop for each /api/ request; must fill resp->status
 * (and usually a body) before returning, or, when req->pending is not NULL,
 * set resp->deferred and answer later. */
typedef void (*veche_http_api_fn)(void *ud, const veche_http_request *req,
                                  veche_http_response *resp);

/* Answer a deferred request: takes *resp (the body is freed by http.c; the
 * struct itself stays the caller's) and frees pending.  Call exactly once per
 * deferred request, on the main loop's thread, never from inside the hook
 * call that deferred it.  When the client has gone, nothing is sent.  The
 * headers and body go out from lws's WRITEABLE callback; keep-alive goes on
 * as for an immediate answer. */
void veche_http_pending_finish(veche_http_pending *pending, veche_http_response *resp);

/* Start listening.  TLS files come from the config or are generated with
 * veche_tlscert_ensure().  NULL with a reason in err on failure. */
veche_http *veche_http_new(const veche_config *cfg, GMainLoop *loop,
                           const veche_http_ws_callbacks *cb, void *ud,
                           char *err, size_t errcap);
/* Read the TLS certificate and key files again (the same paths) and serve
 * new connections with them; open connections are not touched.  Returns 0,
 * or a negative code with the reason in err, the old certificate still in
 * use (VECHE_ESTATE when TLS is off). */
int veche_http_reload_tls(veche_http *h, char *err, size_t errcap);
/* Close every connection (on_close is called for each) and stop. */
void veche_http_free(veche_http *h);  /* accepts NULL */
/* Route /api/ requests to fn (NULL: 404 for all of them). */
void veche_http_set_api(veche_http *h, veche_http_api_fn fn, void *ud);

/* Queue an essential text message (copied).  Returns 0 or VECHE_ESTATE
 * when closing, VECHE_ELIMIT when the peer is too slow (more than
 * ws_send_queue_kb of essential messages unsent, or the oldest waiting
 * longer than ws_send_stall_seconds; the connection is then closed with
 * 1008 after its queue is dropped). */
int veche_ws_send(veche_ws *ws, const char *text, size_t len);
/* The same with a class: key NULL or "" essential, else replaceable: an
 * unsent message with the same key is replaced in place (txqueue.h), and
 * replaceable messages never make a peer too slow. */
int veche_ws_send_keyed(veche_ws *ws, const char *text, size_t len, const char *key);
/* Whether a message with this key is still unsent. */
bool veche_ws_queued(const veche_ws *ws, const char *key);
/* Bytes of unsent messages (both classes), for tests and logs. */
size_t veche_ws_queued_bytes(const veche_ws *ws);
/* Close after the queued messages are sent. */
void veche_ws_close(veche_ws *ws, int code, const char *reason);
/* The peer's address as text, for logs. */
const char *veche_ws_peer_addr(const veche_ws *ws);
/* The Cookie header of the upgrade request ("" when none); valid while
 * the connection is. */
const char *veche_ws_cookie(const veche_ws *ws);

#endif
