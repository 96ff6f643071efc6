/* server.c - wires the listener (http.c) to the signalling service
 * (signal.c) and holds the process-wide DTLS certificate.  No protocol
 * logic lives here. */
#include "server.h"

#include <stdio.h>

#include "dtls.h"
#include "http.h"
#include "log.h"
#include "signalling.h"
#include "srtp.h"

struct veche_server {
    const veche_config *cfg;
    veche_dtls_cert *cert;
    veche_signal *signal;
    veche_http *http;
};

static void ws_open(void *ud, veche_ws *ws, void **conn_ud)
{
    veche_server *s = ud;
    *conn_ud = veche_signal_conn_new(s->signal, ws);
}

static void ws_message(void *ud, veche_ws *ws, void *conn_ud, const char *text, size_t len)
{
    veche_signal_conn_message(conn_ud, text, len);
}

static void ws_close(void *ud, veche_ws *ws, void *conn_ud)
{
    veche_signal_conn_free(conn_ud);
}

veche_server *veche_server_new(const veche_config *cfg, GMainLoop *loop, char *err,
                               size_t errcap)
{
    if (veche_srtp_global_init() != 0) {
        snprintf(err, errcap, "libsrtp initialisation failed");
        return NULL;
    }
    veche_server *s = g_new0(veche_server, 1);
    s->cfg = cfg;
    s->cert = veche_dtls_cert_new();
    if (!s->cert) {
        snprintf(err, errcap, "cannot generate the DTLS certificate");
        veche_server_free(s);
        return NULL;
    }
    veche_sfu_env env = {
        .ctx = g_main_loop_get_context(loop), .cfg = cfg, .cert = s->cert,
    };
    s->signal = veche_signal_new(&env);
    static const veche_http_ws_callbacks cb = {ws_open, ws_message, ws_close};
    s->http = veche_http_new(cfg, loop, &cb, s, err, errcap);
    if (!s->http) {
        veche_server_free(s);
        return NULL;
    }
    VLOG_INFO(NULL, NULL, "listening on %s:%u (%s), DTLS fingerprint sha-256 %s",
              cfg->listen_address, cfg->port, cfg->tls ? "https" : "http",
              veche_dtls_cert_fingerprint(s->cert));
    return s;
}

void veche_server_free(veche_server *s)
{
    if (!s)
        return;
    veche_http_free(s->http);  /* closes connections: participants leave */
    veche_signal_free(s->signal);
    veche_dtls_cert_unref(s->cert);
    g_free(s);
}
