/* signal_client.c - WebSocket signalling client for veche-peer on
 * libsoup-3.0: connect (accepting the server's self-signed certificate),
 * parse incoming JSON, send JSON or raw text, report the close.
 *
 * Does not: know any message type (client.c does), reconnect by itself, or
 * verify certificates (a test tool talking to its own server).
 */
#include "signal_client.h"

#include <string.h>
#include <libsoup/soup.h>

#include "err.h"

#define MAX_INCOMING (4u << 20)

typedef enum { SIG_CLOSED, SIG_CONNECTING, SIG_OPEN } sig_state;

struct vpeer_signal {
    vpeer_signal_callbacks cb;
    void *ud;
    char *url;
    SoupSession *session;         /* owned */
    SoupWebsocketConnection *ws;  /* owned while OPEN */
    GCancellable *cancel;         /* owned while CONNECTING */
    sig_state state;
};

static gboolean accept_any_cert(SoupMessage *msg, GTlsCertificate *cert,
                                GTlsCertificateFlags errors, gpointer ud)
{
    return TRUE;
}

vpeer_signal *vpeer_signal_new(const char *url,
                               const vpeer_signal_callbacks *cb, void *ud)
{
    vpeer_signal *s = g_new0(vpeer_signal, 1);
    s->cb = *cb;
    s->ud = ud;
    s->url = g_strdup(url);
    s->session = soup_session_new();
    /* Direct connections only: test traffic goes to the URL's address and
     * nowhere else, whatever proxy the environment names. */
    soup_session_set_proxy_resolver(s->session, NULL);
    s->state = SIG_CLOSED;
    return s;
}

/* Drop the connection object without telling anyone. */
static void drop_ws(vpeer_signal *s)
{
    if (!s->ws)
        return;
    g_signal_handlers_disconnect_by_data(s->ws, s);
    if (soup_websocket_connection_get_state(s->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(s->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                        NULL);
    g_clear_object(&s->ws);
}

void vpeer_signal_free(vpeer_signal *s)
{
    if (!s)
        return;
    if (s->cancel) {
        g_cancellable_cancel(s->cancel);
        g_clear_object(&s->cancel);
    }
    drop_ws(s);
    g_clear_object(&s->session);
    g_free(s->url);
    g_free(s);
}

/* Leave the OPEN/CONNECTING state and tell the owner, once. */
static void finish(vpeer_signal *s, int code, const char *reason)
{
    drop_ws(s);
    s->state = SIG_CLOSED;
    s->cb.on_closed(s->ud, code, reason);
}

static void on_ws_message(SoupWebsocketConnection *ws, gint type,
                          GBytes *msg, gpointer ud)
{
    vpeer_signal *s = ud;
    gsize len = 0;
    const char *data = g_bytes_get_data(msg, &len);
    json_error_t jerr;
    json_t *j = json_loadb(data ? data : "", len, 0, &jerr);
    if (!j) {
        char *text = g_strndup(data ? data : "", len);
        s->cb.on_bad_message(s->ud, text);
        g_free(text);
        return;
    }
    s->cb.on_message(s->ud, j);
    json_decref(j);
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer ud)
{
    vpeer_signal *s = ud;
    int code = soup_websocket_connection_get_close_code(ws);
    const char *data = soup_websocket_connection_get_close_data(ws);
    char *reason = g_strdup(data ? data : "closed");
    finish(s, code, reason);
    g_free(reason);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer ud)
{
    GError *err = NULL;
    SoupWebsocketConnection *ws =
        soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &err);
    if (!ws && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
        g_error_free(err);      /* freed while connecting: s is gone */
        return;
    }
    vpeer_signal *s = ud;
    g_clear_object(&s->cancel);
    if (!ws) {
        char *reason = g_strdup_printf("connect failed: %s", err->message);
        g_error_free(err);
        finish(s, 0, reason);
        g_free(reason);
        return;
    }
    s->ws = ws;
    s->state = SIG_OPEN;
    soup_websocket_connection_set_max_incoming_payload_size(ws, MAX_INCOMING);
    soup_websocket_connection_set_keepalive_interval(ws, 0);
    g_signal_connect(ws, "message", G_CALLBACK(on_ws_message), s);
    g_signal_connect(ws, "closed", G_CALLBACK(on_ws_closed), s);
    s->cb.on_open(s->ud);
}

int vpeer_signal_connect(vpeer_signal *s)
{
    if (s->state != SIG_CLOSED)
        return VECHE_ESTATE;
    SoupMessage *msg = soup_message_new(SOUP_METHOD_GET, s->url);
    if (!msg)
        return VECHE_EINVAL;
    g_signal_connect(msg, "accept-certificate", G_CALLBACK(accept_any_cert),
                     NULL);
    char *protocols[] = { (char *)"veche-v1", NULL };
    s->cancel = g_cancellable_new();
    s->state = SIG_CONNECTING;
    soup_session_websocket_connect_async(s->session, msg, NULL, protocols,
                                         G_PRIORITY_DEFAULT, s->cancel,
                                         on_connected, s);
    g_object_unref(msg);
    return 0;
}

int vpeer_signal_send_text(vpeer_signal *s, const char *text)
{
    if (s->state != SIG_OPEN ||
        soup_websocket_connection_get_state(s->ws) != SOUP_WEBSOCKET_STATE_OPEN)
        return VECHE_ESTATE;
    soup_websocket_connection_send_text(s->ws, text);
    return 0;
}

int vpeer_signal_send(vpeer_signal *s, const json_t *msg)
{
    char *text = json_dumps(msg, JSON_COMPACT);
    if (!text)
        return VECHE_ENOMEM;
    int rc = vpeer_signal_send_text(s, text);
    free(text);
    return rc;
}

void vpeer_signal_close(vpeer_signal *s)
{
    if (s->state == SIG_OPEN && s->ws)
        soup_websocket_connection_close(s->ws, SOUP_WEBSOCKET_CLOSE_NORMAL,
                                        NULL);
}

bool vpeer_signal_is_open(const vpeer_signal *s)
{
    return s->state == SIG_OPEN && s->ws &&
           soup_websocket_connection_get_state(s->ws) ==
               SOUP_WEBSOCKET_STATE_OPEN;
}
