/* http.h - the HTTPS + WSS listener (libwebsockets on the GLib main loop).
 *
 * Serves the static files of web_root over HTTPS and the signalling
 * WebSocket at /ws (subprotocol "veche-v1", also accepted without one).  It
 * knows nothing of the protocol carried: complete text messages go to the
 * callbacks; messages larger than ws_max_message and binary frames are
 * refused by closing with 1009 / 1003 after an error message.
 *
 * Ownership: veche_http owns every veche_ws; a veche_ws pointer is valid from
 * on_open until on_close returns.  Everything runs on the main loop's thread.
 */
#ifndef VECHE_HTTP_H
#define VECHE_HTTP_H

#include <stddef.h>
#include <glib.h>
#include "config.h"

typedef struct veche_http veche_http;
typedef struct veche_ws veche_ws;

typedef struct {
    /* A WebSocket was opened; set *conn_ud to per-connection state. */
    void (*on_open)(void *ud, veche_ws *ws, void **conn_ud);
    /* One complete text message (not NUL-terminated; valid during the call). */
    void (*on_message)(void *ud, veche_ws *ws, void *conn_ud, const char *text,
                       size_t len);
    /* The connection is gone (either side closed, or error). */
    void (*on_close)(void *ud, veche_ws *ws, void *conn_ud);
} veche_http_ws_callbacks;

/* Start listening.  TLS files come from the config or are generated with
 * veche_tlscert_ensure().  NULL with a reason in err on failure. */
veche_http *veche_http_new(const veche_config *cfg, GMainLoop *loop,
                           const veche_http_ws_callbacks *cb, void *ud,
                           char *err, size_t errcap);
/* Close every connection (on_close is called for each) and stop. */
void veche_http_free(veche_http *h);  /* accepts NULL */

/* Queue a text message (copied).  Returns 0 or VECHE_ESTATE when closing,
 * VECHE_ELIMIT when the peer is too slow (over 4 MiB queued; the connection
 * is then closed). */
int veche_ws_send(veche_ws *ws, const char *text, size_t len);
/* Close after the queued messages are sent. */
void veche_ws_close(veche_ws *ws, int code, const char *reason);
/* The peer's address as text, for logs. */
const char *veche_ws_peer_addr(const veche_ws *ws);

#endif
