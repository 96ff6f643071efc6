/* http.c - the HTTPS + WSS listener: libwebsockets 4.1 on the caller's GLib
 * main loop (the glib event-lib plugin with a foreign GMainLoop).
 *
 * One vhost on listen_address:port with four routes:
 *   /          static files of web_root (index.html by default)
 *   /healthz   200 "ok\n"
 *   /metrics   handed to the API hook like /api/ (it checks access)
 *   /api/      GET, POST, PUT, PATCH and DELETE handed whole (body up to
 *              1 MiB) to the API hook;
 *              the response is written from HTTP_WRITEABLE in chunks.  The
 *              hook may defer its answer (http.h): the request then waits,
 *              holding a veche_http_pending that points back at it, and
 *              veche_http_pending_finish() stores the response and asks for
 *              a WRITEABLE, which sends the headers and then the body.  The
 *              pending object and the request point at each other; whichever
 *              goes first (the finish, or the connection: CLOSED_HTTP,
 *              HTTP_DROP_PROTOCOL, a new transaction) unhooks the other, so
 *              a finish after the client left frees and sends nothing.
 *   /ws        the signalling WebSocket, subprotocol "veche-v1"; it is the
 *              first protocol of the vhost, so a client that offers no
 *              subprotocol gets it too.  Upgrades on other paths are refused.
 *
 * Each WebSocket is a heap veche_ws pointed to by the lws per-session data.
 * Text fragments are joined up to ws_max_message; sends are copied into a
 * queue (txqueue.h: essential and replaceable messages) written one message
 * per WRITEABLE callback; a close requested by the user is sent once that
 * queue is empty.  A peer is closed (1008 "send queue full") only when its
 * unsent essential messages pass ws_send_queue_kb or the oldest of them
 * has waited ws_send_stall_seconds (checked on every send and every
 * second); the queue is then dropped and the close frame goes out from
 * WRITEABLE like any other, so it is never cut into a half-sent frame
 * (lws finishes a partial write before it calls WRITEABLE again).  A peer
 * that does not read even that is cut off after CLOSE_GRACE_SECS.  on_close is called exactly
 * once per connection: from LWS_CALLBACK_CLOSED, or, for any connection lws
 * did not report while its context was destroyed, from veche_http_free().
 *
 * TLS: the certificate and key files are read when the context is made and
 * again by veche_http_reload_tls() (SIGHUP), which swaps them into the
 * vhost's SSL_CTX (tlsreload.c) -- captured from lws's
 * OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS callback, the one place lws 4.1
 * hands it out.  Open connections keep the certificate they started with.
 *
 * Does not: parse the signalling protocol or the API, authenticate, compress, speak
 * HTTP/2 (ALPN offers http/1.1 only), or create the certificate itself
 * (tlscert.c does).
 */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "minutes.h"
#include "report.h"
#include "tlscert.h"
#include "tlsreload.h"
#include "xff.h"
#include "txqueue.h"

#define WS_PROTOCOL "veche-v1"
#define HTTP_PROTOCOL "veche-http"
#define CLOSE_GRACE_SECS 10                 /* to flush the queue and close */
#define RX_KEEP_BYTES 65536                 /* reassembly buffer kept between messages */

struct veche_ws {
    veche_http *h;
    struct lws *wsi;            /* dangling once on_close has started */
    void *conn_ud;
    GList *node;                /* in h->conns */
    unsigned char *rx;          /* reassembly of the current message */
    size_t rx_len, rx_cap;
    veche_txq *txq;             /* unsent messages, LWS_PRE headroom each */
    bool closing;               /* no more sends; input is ignored */
    int close_code;
    char close_reason[124];     /* a close frame carries at most 123 bytes */
    char peer[64];
    char *cookie;               /* the upgrade's Cookie header, "" when none */
};

#define DEFER_TIMEOUT_SECS 300                /* a deferred answer later than this: drop
                                               (a sign-in queued behind a storm) */

/* An /api/ request in progress: the pss of the HTTP protocol points here. */
typedef struct {
    char method[8];
    char path[512];
    char query[512];
    char *cookie;
    char accept_language[128];  /* the header, cut at 127 bytes; "" when none */
    char peer[64];
    char authorization[256];    /* the header, "" when none or too long */
    GByteArray *body;
    bool too_large;
    bool responding;            /* headers sent, the body goes out from WRITEABLE */
    bool answered;              /* the hook ran: BODY_COMPLETION must not answer again */
    veche_http_pending *pending;/* deferred by the hook, not finished yet */
    veche_http_response *ready; /* a deferred answer, its headers not sent yet */
    char *out;                  /* response body */
    size_t out_len, out_pos;
    int fd;                     /* a file body (resp->file), or -1 */
    uint64_t file_offset;
    char range[128];            /* the Range header, "" when none (or too long) */
} api_req;

/* A deferred answer (http.h); r and wsi are NULL once the request is gone. */
struct veche_http_pending {
    api_req *r;
    struct lws *wsi;
};

struct veche_http {
    struct lws_context *ctx;
    veche_http_ws_callbacks cb;
    void *ud;
    size_t max_message;
    GQueue conns;               /* of veche_ws, open connections */
    bool freeing;
    void *foreign_loops[1];
    char iface[64];
    char web_root[VECHE_PATH_MAX];
    char cert[VECHE_PATH_MAX], key[VECHE_PATH_MAX];
    struct lws_http_mount mount_root, mount_health, mount_api, mount_metrics;
    struct lws_protocol_vhost_options headers[5];  /* added to every response */
    char csp[1024];
    veche_http_api_fn api;
    void *api_ud;
    bool tls;
    void *ssl_ctx;              /* the vhost's SSL_CTX (lws owns it), for reloads */
    char trusted_proxies[512];  /* X-Forwarded-For from these counts (xff.h) */
    size_t send_queue_limit;    /* essential bytes (ws_send_queue_kb) */
    int64_t send_stall_us;      /* ws_send_stall_seconds */
    guint stall_timer;
};

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len);
static gboolean stall_tick(gpointer ud);

/* lws keeps its own copy of the protocol table: compare by name. */
static bool bound_to(struct lws *wsi, const char *name)
{
    const struct lws_protocols *p = lws_get_protocol(wsi);
    return p && p->name && strcmp(p->name, name) == 0;
}

/* The WebSocket protocol comes first: lws binds protocol 0 when an upgrade
 * names no subprotocol.  The pss of both is a veche_ws pointer. */
static const struct lws_protocols protocols[] = {
    {WS_PROTOCOL, callback, sizeof(veche_ws *), 0, 0, NULL, 0},
    {HTTP_PROTOCOL, callback, sizeof(veche_ws *), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* MIME types lws 4.1 does not know (it maps .js, .css, .svg, .json, .html
 * and images itself); listed ones it knows are there for the reader. */
static const struct lws_protocol_vhost_options mime_types[] = {
    {&mime_types[1], NULL, ".mjs", "text/javascript"},
    {&mime_types[2], NULL, ".js", "text/javascript"},
    {&mime_types[3], NULL, ".css", "text/css"},
    {&mime_types[4], NULL, ".svg", "image/svg+xml"},
    {&mime_types[5], NULL, ".json", "application/json"},
    {&mime_types[6], NULL, ".map", "application/json"},
    {&mime_types[7], NULL, ".webm", "video/webm"},
    {&mime_types[8], NULL, ".ogg", "audio/ogg"},
    {NULL, NULL, ".wasm", "application/wasm"},
};

/* 'sha256-BASE64' of an inline style block, for style-src. */
static void style_hash(const char *css, char *out, size_t cap)
{
    guint8 digest[32];
    gsize n = sizeof digest;
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(ck, (const guchar *)css, (gssize)strlen(css));
    g_checksum_get_digest(ck, digest, &n);
    g_checksum_free(ck);
    gchar *b64 = g_base64_encode(digest, n);
    snprintf(out, cap, " 'sha256-%s'", b64);
    g_free(b64);
}

/* The Content-Security-Policy of every response: scripts, styles, images
 * and media only from the server itself (no inline script, no eval; the
 * only inline styles allowed are the printable pages' own <style> blocks,
 * by their hashes, so that a saved page keeps its look), connections only
 * to itself (fetch, and the signalling WebSocket: 'self' covers wss: of
 * the same host in CSP 3; the host of public_url is added for browsers
 * that do not), no plugins, no framing. */
static void build_csp(veche_http *h, const veche_config *cfg)
{
    char ws_origin[300] = "", report[64], minutes[64];
    const char *url = cfg->public_url;
    bool secure = strncmp(url, "https://", 8) == 0;
    if (secure || strncmp(url, "http://", 7) == 0) {
        const char *host = url + (secure ? 8 : 7);
        size_t n = strcspn(host, "/?#");
        snprintf(ws_origin, sizeof ws_origin, " %s://%.*s", secure ? "wss" : "ws", (int)n, host);
    }
    style_hash(veche_report_css, report, sizeof report);
    style_hash(veche_minutes_css, minutes, sizeof minutes);
    snprintf(h->csp, sizeof h->csp,
             "default-src 'self'; script-src 'self'; style-src 'self'%s%s; "
             "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'%s; "
             "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
             report, minutes, ws_origin);
}

/* Headers added to every HTTP response of the vhost: no MIME sniffing, no
 * referrer, no framing, the CSP, and HSTS when the listener speaks TLS. */
static void build_headers(veche_http *h, const veche_config *cfg)
{
    build_csp(h, cfg);
    struct lws_protocol_vhost_options *o = h->headers;
    unsigned n = 0;
    o[n++] = (struct lws_protocol_vhost_options){NULL, NULL, "x-content-type-options:",
                                                 "nosniff"};
    o[n++] = (struct lws_protocol_vhost_options){NULL, NULL, "referrer-policy:", "no-referrer"};
    o[n++] = (struct lws_protocol_vhost_options){NULL, NULL, "x-frame-options:", "DENY"};
    o[n++] = (struct lws_protocol_vhost_options){NULL, NULL, "content-security-policy:",
                                                 h->csp};
    if (cfg->tls)
        o[n++] = (struct lws_protocol_vhost_options){NULL, NULL, "strict-transport-security:",
                                                     "max-age=31536000"};
    for (unsigned i = 0; i + 1 < n; i++)
        o[i].next = &o[i + 1];
}

/* lws log lines (warnings and errors only) go through veche_log, which
 * applies our level. */
static void lws_log_emit(int level, const char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    veche_log(level & LLL_ERR ? VECHE_LOG_ERROR : VECHE_LOG_WARN, NULL, NULL,
              "libwebsockets: %.*s", (int)n, line);
}

/* Queue a copy of text (key: replaceable, see txqueue.h) and ask for a
 * WRITEABLE. */
static void tx_push(veche_ws *ws, const char *text, size_t len, const char *key)
{
    veche_txq_push(ws->txq, text, len, key, g_get_monotonic_time());
    lws_callback_on_writable(ws->wsi);
}

/* Mark the connection closing with code/reason; the close frame goes out
 * from the WRITEABLE callback once the queue is empty, or lws drops the
 * connection after CLOSE_GRACE_SECS if the peer does not read. */
static void start_close(veche_ws *ws, int code, const char *reason)
{
    if (ws->closing)
        return;
    ws->closing = true;
    if (code < 1000 || code > 4999 || code == 1005 || code == 1006 || code == 1015)
        code = LWS_CLOSE_STATUS_NORMAL;
    ws->close_code = code;
    snprintf(ws->close_reason, sizeof ws->close_reason, "%s", reason ? reason : "");
    ws->rx_len = 0;
    if (ws->h->freeing)
        return;  /* the context is going; lws closes everything */
    lws_set_timeout(ws->wsi, PENDING_TIMEOUT_CLOSE_SEND, CLOSE_GRACE_SECS);
    lws_callback_on_writable(ws->wsi);
}

/* Refuse a message: send the JSON error, then close with code. */
static void ws_fail(veche_ws *ws, int code, const char *what, const char *reason)
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "{\"type\":\"error\",\"code\":\"%s\",\"reason\":\"%s\"}",
                     what, reason);
    VLOG_INFO(NULL, NULL, "websocket from %s: %s, closing with %d", ws->peer, reason, code);
    if (n > 0 && (size_t)n < sizeof msg && !ws->h->freeing)
        tx_push(ws, msg, (size_t)n, NULL);
    start_close(ws, code, reason);
}

/* The client's address: the TCP peer, or behind a trusted proxy the one
 * X-Forwarded-For names (xff.h). */
static void client_address(veche_http *h, struct lws *wsi, char *out, size_t cap)
{
    char peer[64];
    if (!lws_get_peer_simple(wsi, peer, sizeof peer)) {
        snprintf(out, cap, "%s", "");
        return;
    }
    char xff[512] = "";
    int len = h->trusted_proxies[0] ? lws_hdr_total_length(wsi, WSI_TOKEN_X_FORWARDED_FOR) : 0;
    if (len > 0 && len < (int)sizeof xff &&
        lws_hdr_copy(wsi, xff, sizeof xff, WSI_TOKEN_X_FORWARDED_FOR) < 0)
        xff[0] = '\0';
    veche_xff_client(peer, h->trusted_proxies, xff, out, cap);
}

/* Accept an upgrade only on /ws, for our protocol, while running. */
static int ws_filter(veche_http *h, struct lws *wsi)
{
    char uri[8];
    if (h->freeing || !bound_to(wsi, WS_PROTOCOL))
        return -1;
    if (lws_hdr_copy(wsi, uri, sizeof uri, WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, "/ws") != 0)
        return -1;
    return 0;
}

static int ws_established(veche_http *h, struct lws *wsi, veche_ws **pws)
{
    if (!pws)
        return -1;
    veche_ws *ws = g_new0(veche_ws, 1);
    ws->h = h;
    ws->wsi = wsi;
    ws->txq = veche_txq_new(LWS_PRE);
    client_address(h, wsi, ws->peer, sizeof ws->peer);
    if (!ws->peer[0])
        snprintf(ws->peer, sizeof ws->peer, "?");
    g_queue_push_tail(&h->conns, ws);
    ws->node = h->conns.tail;
    *pws = ws;
    int clen = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_COOKIE);
    ws->cookie = g_malloc0(clen > 0 && clen < 8192 ? (size_t)clen + 1 : 1);
    if (clen > 0 && clen < 8192 && lws_hdr_copy(wsi, ws->cookie, clen + 1,
                                                 WSI_TOKEN_HTTP_COOKIE) < 0)
        ws->cookie[0] = '\0';
    VLOG_INFO(NULL, NULL, "websocket open from %s", ws->peer);
    if (h->cb.on_open)
        h->cb.on_open(h->ud, ws, &ws->conn_ud);
    return 0;
}

/* Join fragments; deliver a complete text message, refuse binary frames
 * and messages over the limit. */
static int ws_receive(veche_ws *ws, const void *in, size_t len)
{
    veche_http *h = ws->h;
    if (ws->closing)
        return 0;
    if (lws_frame_is_binary(ws->wsi)) {
        ws_fail(ws, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "unsupported",
                "binary frames are not accepted");
        return 0;
    }
    if (len > h->max_message - ws->rx_len) {
        char reason[64];
        snprintf(reason, sizeof reason, "message exceeds %zu bytes", h->max_message);
        ws_fail(ws, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "too-large", reason);
        return 0;
    }
    if (ws->rx_len + len > ws->rx_cap) {
        size_t cap = ws->rx_cap ? ws->rx_cap * 2 : 1024;
        if (cap < ws->rx_len + len)
            cap = ws->rx_len + len;
        if (cap > h->max_message)
            cap = h->max_message;
        ws->rx = g_realloc(ws->rx, cap);
        ws->rx_cap = cap;
    }
    if (len)
        memcpy(ws->rx + ws->rx_len, in, len);
    ws->rx_len += len;
    if (!lws_is_final_fragment(ws->wsi) || lws_remaining_packet_payload(ws->wsi) != 0)
        return 0;
    size_t n = ws->rx_len;
    ws->rx_len = 0;
    if (h->cb.on_message)
        h->cb.on_message(h->ud, ws, ws->conn_ud, (const char *)ws->rx, n);
    if (ws->rx_cap > RX_KEEP_BYTES && ws->rx_len == 0) {
        g_free(ws->rx);
        ws->rx = NULL;
        ws->rx_cap = 0;
    }
    return 0;
}

/* One queued message per call; the close frame in a call of its own after
 * the last message, so lws has flushed everything before it. */
static int ws_writeable(veche_ws *ws)
{
    veche_txq_msg *m = veche_txq_pop(ws->txq);
    if (m) {
        size_t len = m->len;
        int n = lws_write(ws->wsi, m->buf + LWS_PRE, len, LWS_WRITE_TEXT);
        g_free(m);
        if (n < 0 || (size_t)n < len)
            return -1;
        if (!veche_txq_empty(ws->txq) || ws->closing)
            lws_callback_on_writable(ws->wsi);
        return 0;
    }
    if (ws->closing) {
        lws_close_reason(ws->wsi, (enum lws_close_status)ws->close_code,
                         (unsigned char *)ws->close_reason, strlen(ws->close_reason));
        return -1;
    }
    return 0;
}

/* The connection is gone: tell the user once, then free. */
static void ws_finish(veche_ws *ws)
{
    veche_http *h = ws->h;
    ws->closing = true;
    g_queue_delete_link(&h->conns, ws->node);
    VLOG_INFO(NULL, NULL, "websocket closed from %s", ws->peer);
    if (h->cb.on_close)
        h->cb.on_close(h->ud, ws, ws->conn_ud);
    veche_txq_free(ws->txq);
    g_free(ws->rx);
    g_free(ws->cookie);
    g_free(ws);
}

static int health_body(struct lws *wsi);

/* GET /healthz: headers and body at once, in this callback (like
 * http_not_found), not from a later HTTP_WRITEABLE: the answer costs no
 * second turn of a busy loop, and nothing but lws is touched. */
static int health_request(struct lws *wsi)
{
    /* room for the vhost's headers too: the CSP alone is ~500 bytes */
    unsigned char buf[LWS_PRE + 4096], *start = buf + LWS_PRE, *p = start,
                                      *end = buf + sizeof buf - 1;
    if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, "text/plain", 3, &p, end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                    (const unsigned char *)"no-store", 8, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    return health_body(wsi);
}

static int health_body(struct lws *wsi)
{
    unsigned char buf[LWS_PRE + 4];
    memcpy(buf + LWS_PRE, "ok\n", 3);
    if (lws_write(wsi, buf + LWS_PRE, 3, LWS_WRITE_HTTP_FINAL) != 3)
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ---- /api/ requests ---- */

static void api_req_free(api_req *r)
{
    if (!r)
        return;
    if (r->pending) {  /* the hook still holds it: its finish will only free */
        r->pending->r = NULL;
        r->pending->wsi = NULL;
    }
    if (r->ready) {
        g_free(r->ready->body);
        g_free(r->ready->file);
        g_free(r->ready);
    }
    g_free(r->cookie);
    if (r->body)
        g_byte_array_free(r->body, TRUE);
    g_free(r->out);
    if (r->fd >= 0)
        close(r->fd);
    g_free(r);
}

static int http_not_found(struct lws *wsi)
{
    if (lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL))
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* Send the headers of resp (taking its body); the body follows from
 * WRITEABLE. */
static int api_send(struct lws *wsi, api_req *r, veche_http_response *resp)
{
    if (r->fd >= 0) {
        close(r->fd);
        r->fd = -1;
    }
    if (resp->file) {
        r->fd = open(resp->file, O_RDONLY | O_CLOEXEC);
        g_free(resp->file);
        resp->file = NULL;
        r->file_offset = resp->file_offset;
        if (r->fd < 0) {
            g_free(resp->body);
            resp->status = 500;
            resp->content_type = "application/json";
            resp->content_range[0] = resp->disposition[0] = '\0';
            resp->body = g_strdup("{\"error\":\"internal\",\"reason\":\"cannot open the file\"}");
            resp->body_len = 0;
        }
    }
    if (resp->body && !resp->body_len)
        resp->body_len = strlen(resp->body);
    g_free(r->out);
    r->out = resp->body;
    r->out_len = resp->body || r->fd >= 0 ? resp->body_len : 0;
    r->out_pos = 0;
    resp->body = NULL;
    r->responding = true;
    unsigned char buf[LWS_PRE + 2048], *start = buf + LWS_PRE, *p = start,
                                       *end = buf + sizeof buf - 1;
    const char *ctype = resp->content_type ? resp->content_type : "application/json";
    if (lws_add_http_common_headers(wsi, (unsigned)(resp->status ? resp->status : 500), ctype,
                                    r->out_len, &p, end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                    (const unsigned char *)"no-store", 8, &p, end))
        return -1;
    if (resp->set_cookie[0] &&
        lws_add_http_header_by_name(wsi, (const unsigned char *)"set-cookie:",
                                    (const unsigned char *)resp->set_cookie,
                                    (int)strlen(resp->set_cookie), &p, end))
        return -1;
    if (resp->disposition[0] &&
        lws_add_http_header_by_name(wsi, (const unsigned char *)"content-disposition:",
                                    (const unsigned char *)resp->disposition,
                                    (int)strlen(resp->disposition), &p, end))
        return -1;
    if (r->fd >= 0 &&
        lws_add_http_header_by_name(wsi, (const unsigned char *)"accept-ranges:",
                                    (const unsigned char *)"bytes", 5, &p, end))
        return -1;
    if (resp->content_range[0] &&
        lws_add_http_header_by_name(wsi, (const unsigned char *)"content-range:",
                                    (const unsigned char *)resp->content_range,
                                    (int)strlen(resp->content_range), &p, end))
        return -1;
    if (lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    if (r->out_len == 0) {
        r->responding = false;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    }
    lws_callback_on_writable(wsi);
    return 0;
}

/* Call the hook; send its answer, or wait for a deferred one. */
static int api_respond(veche_http *h, struct lws *wsi, api_req *r)
{
    veche_http_response resp;
    memset(&resp, 0, sizeof resp);
    if (r->answered)
        return 0;
    r->answered = true;
    if (strcmp(r->method, "OPTIONS") == 0) {
        resp.status = 405;
        resp.body = g_strdup("{\"error\":\"method-not-allowed\","
                             "\"reason\":\"the API takes GET, POST, PUT, PATCH and DELETE\"}");
    } else if (r->too_large) {
        resp.status = 413;
        resp.body = g_strdup("{\"error\":\"too-large\",\"reason\":\"the body exceeds 1 MiB\"}");
    } else if (!h->api) {
        resp.status = 404;
        resp.body = g_strdup("{\"error\":\"not-found\",\"reason\":\"no such route\"}");
    } else {
        g_byte_array_append(r->body, (const guint8 *)"", 1);  /* NUL, not counted */
        veche_http_pending *pending = g_new0(veche_http_pending, 1);
        pending->r = r;
        pending->wsi = wsi;
        r->pending = pending;
        veche_http_request req = {
            .method = r->method, .path = r->path, .query = r->query,
            .cookie = r->cookie ? r->cookie : "", .accept_language = r->accept_language,
            .body = (const char *)r->body->data,
            .body_len = r->body->len - 1, .tls = h->tls, .peer = r->peer,
            .authorization = r->authorization, .pending = pending, .range = r->range,
        };
        h->api(h->api_ud, &req, &resp);
        if (resp.deferred) {
            g_free(resp.body);  /* ignored (http.h) */
            g_free(resp.file);
            if (r->pending)     /* not finished from inside the hook */
                lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, DEFER_TIMEOUT_SECS);
            return 0;
        }
        r->pending = NULL;
        g_free(pending);
    }
    return api_send(wsi, r, &resp);
}

void veche_http_pending_finish(veche_http_pending *pending, veche_http_response *resp)
{
    if (!pending) {
        if (resp) {
            g_free(resp->body);
            g_free(resp->file);
            resp->body = NULL;
            resp->file = NULL;
        }
        return;
    }
    api_req *r = pending->r;
    struct lws *wsi = pending->wsi;
    g_free(pending);
    if (!r) {  /* the client went away meanwhile */
        VLOG_DEBUG(NULL, NULL, "api: the client left before a deferred answer");
        if (resp) {
            g_free(resp->body);
            g_free(resp->file);
            resp->body = NULL;
            resp->file = NULL;
        }
        return;
    }
    r->pending = NULL;
    r->ready = g_new0(veche_http_response, 1);
    if (resp) {
        *r->ready = *resp;
        resp->body = NULL;
        resp->file = NULL;
    }
    r->ready->deferred = false;
    lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
    lws_callback_on_writable(wsi);
}

/* Up to 16 KiB of the response body per call. */
static int api_write(struct lws *wsi, api_req *r)
{
    if (!r->responding || r->out_pos >= r->out_len)
        return 0;
    enum { CHUNK = 16384 };
    size_t n = r->out_len - r->out_pos;
    if (n > CHUNK)
        n = CHUNK;
    unsigned char *buf = g_malloc(LWS_PRE + n);
    if (r->fd >= 0) {
        ssize_t got = pread(r->fd, buf + LWS_PRE, n, (off_t)(r->file_offset + r->out_pos));
        if (got != (ssize_t)n) {  /* the file shrank or failed: cut the answer */
            g_free(buf);
            return -1;
        }
    } else {
        memcpy(buf + LWS_PRE, r->out + r->out_pos, n);
    }
    bool last = r->out_pos + n == r->out_len;
    int w = lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
    g_free(buf);
    if (w < 0 || (size_t)w < n)
        return -1;
    r->out_pos += n;
    if (!last) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    r->responding = false;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* A new HTTP transaction on the callback mounts: /healthz or /api/. */
static int http_request(veche_http *h, struct lws *wsi, api_req **pr)
{
    static const struct {
        const char *name;
        enum lws_token_indexes token;
    } methods[] = {
        {"GET", WSI_TOKEN_GET_URI},       {"POST", WSI_TOKEN_POST_URI},
        {"PUT", WSI_TOKEN_PUT_URI},       {"PATCH", WSI_TOKEN_PATCH_URI},
        {"DELETE", WSI_TOKEN_DELETE_URI}, {"OPTIONS", WSI_TOKEN_OPTIONS_URI},
    };
    char path[512];
    const char *method = NULL;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0] && !method; i++)
        if (lws_hdr_copy(wsi, path, sizeof path, methods[i].token) > 0)
            method = methods[i].name;
    if (pr) {  /* the previous transaction on this keep-alive connection */
        api_req_free(*pr);
        *pr = NULL;
    }
    if (!method)
        return http_not_found(wsi);
    if (strcmp(path, "/healthz") == 0 && method[0] == 'G')
        return health_request(wsi);
    if ((strncmp(path, "/api/", 5) != 0 && strcmp(path, "/metrics") != 0) || !pr)
        return http_not_found(wsi);
    api_req *r = *pr = g_new0(api_req, 1);
    r->fd = -1;
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_RANGE) > 0 &&
        lws_hdr_copy(wsi, r->range, sizeof r->range, WSI_TOKEN_HTTP_RANGE) < 0)
        r->range[0] = '\0';
    client_address(h, wsi, r->peer, sizeof r->peer);
    snprintf(r->method, sizeof r->method, "%s", method);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->body = g_byte_array_new();
    size_t qn = 0;
    for (int i = 0; i < 16; i++) {
        char frag[256];
        int n = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n <= 0)
            break;
        int w = snprintf(r->query + qn, sizeof r->query - qn, "%s%s", qn ? "&" : "", frag);
        if (w < 0 || (size_t)w >= sizeof r->query - qn)
            break;
        qn += (size_t)w;
    }
    int clen = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_COOKIE);
    if (clen > 0 && clen < 8192) {
        r->cookie = g_malloc0((size_t)clen + 1);
        if (lws_hdr_copy(wsi, r->cookie, clen + 1, WSI_TOKEN_HTTP_COOKIE) < 0)
            r->cookie[0] = '\0';
    }
    int alen = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
    if (alen > 0 && (size_t)alen < sizeof r->authorization &&
        lws_hdr_copy(wsi, r->authorization, sizeof r->authorization,
                     WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
        r->authorization[0] = '\0';
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_ACCEPT_LANGUAGE) > 0 &&
        lws_hdr_copy(wsi, r->accept_language, sizeof r->accept_language,
                     WSI_TOKEN_HTTP_ACCEPT_LANGUAGE) < 0)
        r->accept_language[0] = '\0';
    if (strcmp(method, "GET") != 0) {
        char cl[24] = "";
        if (lws_hdr_copy(wsi, cl, sizeof cl, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
            strtoull(cl, NULL, 10) > 0)
            return 0;  /* the body follows: HTTP_BODY, then BODY_COMPLETION */
    }
    return api_respond(h, wsi, r);
}

static int api_body(api_req *r, const void *in, size_t len)
{
    if (!r || r->too_large)
        return 0;
    if (len > VECHE_HTTP_BODY_MAX - r->body->len) {
        r->too_large = true;
        g_byte_array_set_size(r->body, 0);
        return 0;
    }
    g_byte_array_append(r->body, in, (guint)len);
    return 0;
}

/* The one lws callback of both protocols. */
static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct lws_context *lctx = lws_get_context(wsi);
    veche_http *h = lctx ? lws_context_user(lctx) : NULL;
    veche_ws **pws = user;
    if (!h)
        return lws_callback_http_dummy(wsi, reason, user, in, len);

    switch (reason) {
    case LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS:
        h->ssl_ctx = user;  /* once, while the vhost is made */
        return 0;
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return ws_filter(h, wsi);
    case LWS_CALLBACK_ESTABLISHED:
        return ws_established(h, wsi, pws);
    case LWS_CALLBACK_RECEIVE:
        return pws && *pws ? ws_receive(*pws, in, len) : 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return pws && *pws ? ws_writeable(*pws) : 0;
    case LWS_CALLBACK_CLOSED:
        if (pws && *pws) {
            veche_ws *ws = *pws;
            *pws = NULL;
            ws_finish(ws);
        }
        return 0;
    case LWS_CALLBACK_HTTP:
        return http_request(h, wsi, bound_to(wsi, HTTP_PROTOCOL) ? (api_req **)user : NULL);
    case LWS_CALLBACK_HTTP_BODY:
        if (bound_to(wsi, HTTP_PROTOCOL) && user)
            return api_body(*(api_req **)user, in, len);
        break;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (bound_to(wsi, HTTP_PROTOCOL) && user && *(api_req **)user)
            return api_respond(h, wsi, *(api_req **)user);
        break;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (bound_to(wsi, HTTP_PROTOCOL)) {
            api_req *r = user ? *(api_req **)user : NULL;
            if (r && r->ready) {  /* a deferred answer: the headers first */
                veche_http_response *resp = r->ready;
                r->ready = NULL;
                int rc = api_send(wsi, r, resp);
                g_free(resp->body);
                g_free(resp->file);
                g_free(resp);
                return rc;
            }
            if (r && r->pending)
                return 0;  /* still waiting for the hook */
            return r && r->responding ? api_write(wsi, r) : 0;  /* /healthz: done */
        }
        break;
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        if (bound_to(wsi, HTTP_PROTOCOL) && user) {
            api_req_free(*(api_req **)user);
            *(api_req **)user = NULL;
        }
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* Fill h->cert and h->key from the config or the generated certificate. */
static int resolve_tls(veche_http *h, const veche_config *cfg, char *err, size_t errcap)
{
    if (cfg->tls_cert[0]) {
        snprintf(h->cert, sizeof h->cert, "%s", cfg->tls_cert);
        snprintf(h->key, sizeof h->key, "%s", cfg->tls_key);
        return 0;
    }
    if (g_mkdir_with_parents(cfg->data_dir, 0700) != 0) {
        snprintf(err, errcap, "cannot create data_dir %s: %s", cfg->data_dir, g_strerror(errno));
        return VECHE_EIO;
    }
    char why[256] = "";
    int rc = veche_tlscert_ensure(cfg->data_dir, cfg->tls_names, h->cert, h->key,
                                  (unsigned)sizeof h->cert, why, (unsigned)sizeof why);
    if (rc != 0) {
        snprintf(err, errcap, "TLS certificate in %s: %s", cfg->data_dir, why);
        return rc;
    }
    return 0;
}

veche_http *veche_http_new(const veche_config *cfg, GMainLoop *loop,
                           const veche_http_ws_callbacks *cb, void *ud, char *err, size_t errcap)
{
    if (!cfg || !loop || !cb) {
        snprintf(err, errcap, "veche_http_new: missing argument");
        return NULL;
    }
    veche_http *h = g_new0(veche_http, 1);
    h->cb = *cb;
    h->ud = ud;
    h->max_message = cfg->ws_max_message ? cfg->ws_max_message : 65536;
    h->send_queue_limit = (size_t)(cfg->ws_send_queue_kb ? cfg->ws_send_queue_kb : 4096) << 10;
    h->send_stall_us = (int64_t)(cfg->ws_send_stall_seconds ? cfg->ws_send_stall_seconds : 30)
                       * G_USEC_PER_SEC;
    h->tls = cfg->tls;
    g_queue_init(&h->conns);
    snprintf(h->web_root, sizeof h->web_root, "%s", cfg->web_root);
    snprintf(h->trusted_proxies, sizeof h->trusted_proxies, "%s", cfg->trusted_proxies);

    lws_set_log_level(LLL_ERR | LLL_WARN, lws_log_emit);

    uint64_t options = LWS_SERVER_OPTION_GLIB | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
                       LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
    const char *iface = NULL;
    if (strcmp(cfg->listen_address, "0.0.0.0") == 0) {
        options |= LWS_SERVER_OPTION_DISABLE_IPV6;  /* every IPv4 interface */
    } else if (strcmp(cfg->listen_address, "::") != 0 && cfg->listen_address[0]) {
        snprintf(h->iface, sizeof h->iface, "%s", cfg->listen_address);
        iface = h->iface;
        if (!strchr(h->iface, ':'))
            options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    }

    h->mount_api = (struct lws_http_mount){
        .mountpoint = "/api", .mountpoint_len = 4, .origin = HTTP_PROTOCOL,
        .protocol = HTTP_PROTOCOL, .origin_protocol = LWSMPRO_CALLBACK,
    };
    h->mount_metrics = (struct lws_http_mount){
        .mount_next = &h->mount_api,
        .mountpoint = "/metrics", .mountpoint_len = 8, .origin = HTTP_PROTOCOL,
        .protocol = HTTP_PROTOCOL, .origin_protocol = LWSMPRO_CALLBACK,
    };
    h->mount_health = (struct lws_http_mount){
        .mount_next = &h->mount_metrics,
        .mountpoint = "/healthz", .mountpoint_len = 8, .origin = HTTP_PROTOCOL,
        .protocol = HTTP_PROTOCOL, .origin_protocol = LWSMPRO_CALLBACK,
    };
    h->mount_root = (struct lws_http_mount){
        .mount_next = &h->mount_health, .mountpoint = "/", .mountpoint_len = 1,
        .origin = h->web_root, .def = "index.html", .origin_protocol = LWSMPRO_FILE,
        .extra_mimetypes = mime_types, .cache_max_age = 0, .cache_reusable = 1,
        .cache_revalidate = 1,  /* "max-age=0, must-revalidate" with the ETag */
    };

    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = cfg->port;
    info.iface = iface;
    info.protocols = protocols;
    info.mounts = &h->mount_root;
    build_headers(h, cfg);
    info.headers = h->headers;
    info.options = options;
    h->foreign_loops[0] = loop;
    info.foreign_loops = h->foreign_loops;
    info.user = h;
    info.vhost_name = "veche";
    info.server_string = "veche";
    info.alpn = "http/1.1";
    if (cfg->tls) {
        if (resolve_tls(h, cfg, err, errcap) != 0) {
            g_free(h);
            return NULL;
        }
        info.ssl_cert_filepath = h->cert;
        info.ssl_private_key_filepath = h->key;
    }

    h->ctx = lws_create_context(&info);
    if (!h->ctx) {
        snprintf(err, errcap, "cannot listen on %s port %u (in use, or bad TLS files?)",
                 cfg->listen_address, (unsigned)cfg->port);
        g_free(h);
        return NULL;
    }
    GSource *tick = g_timeout_source_new_seconds(1);
    g_source_set_callback(tick, stall_tick, h, NULL);
    h->stall_timer = g_source_attach(tick, g_main_loop_get_context(loop));
    g_source_unref(tick);
    return h;
}

int veche_http_reload_tls(veche_http *h, char *err, size_t errcap)
{
    if (!h || !h->tls) {
        snprintf(err, errcap, "TLS is off");
        return VECHE_ESTATE;
    }
    if (!h->ssl_ctx) {
        snprintf(err, errcap, "libwebsockets did not hand out its TLS context");
        return VECHE_ESTATE;
    }
    return veche_tlsreload_apply(h->ssl_ctx, h->cert, h->key, err, errcap);
}

void veche_http_free(veche_http *h)
{
    if (!h)
        return;
    h->freeing = true;
    if (h->stall_timer)
        g_source_remove(h->stall_timer);
    if (h->ctx)
        lws_context_destroy(h->ctx);  /* CLOSED for each open WebSocket */
    h->ctx = NULL;
    veche_ws *ws;
    while ((ws = g_queue_peek_head(&h->conns)))
        ws_finish(ws);  /* any lws did not report */
    g_free(h);
}

/* The peer cannot take essential messages within the bounds: drop what
 * is unsent and close (the close frame from WRITEABLE, whole). */
static void too_slow(veche_ws *ws, const char *why)
{
    VLOG_WARN(NULL, NULL, "websocket from %s: peer too slow (%s: %zu essential bytes"
              " queued), closing", ws->peer, why, veche_txq_essential_bytes(ws->txq));
    veche_txq_clear(ws->txq);
    start_close(ws, LWS_CLOSE_STATUS_POLICY_VIOLATION, "send queue full");
}

static bool stalled(const veche_ws *ws, int64_t now_us)
{
    int64_t oldest = veche_txq_oldest_essential_us(ws->txq);
    return oldest >= 0 && now_us - oldest > ws->h->send_stall_us;
}

/* Every second: close peers whose oldest essential message waits too long. */
static gboolean stall_tick(gpointer ud)
{
    veche_http *h = ud;
    int64_t now = g_get_monotonic_time();
    for (GList *l = h->conns.head; l; l = l->next) {
        veche_ws *ws = l->data;
        if (!ws->closing && stalled(ws, now))
            too_slow(ws, "stalled");
    }
    return G_SOURCE_CONTINUE;
}

int veche_ws_send_keyed(veche_ws *ws, const char *text, size_t len, const char *key)
{
    if (!ws || (!text && len))
        return VECHE_EINVAL;
    if (ws->closing || ws->h->freeing)
        return VECHE_ESTATE;
    bool essential = !key || !key[0];
    if (essential && (len > ws->h->send_queue_limit - veche_txq_essential_bytes(ws->txq) ||
                      stalled(ws, g_get_monotonic_time()))) {
        too_slow(ws, len > ws->h->send_queue_limit - veche_txq_essential_bytes(ws->txq)
                         ? "limit" : "stalled");
        return VECHE_ELIMIT;
    }
    tx_push(ws, text, len, key);
    return 0;
}

int veche_ws_send(veche_ws *ws, const char *text, size_t len)
{
    return veche_ws_send_keyed(ws, text, len, NULL);
}

bool veche_ws_queued(const veche_ws *ws, const char *key)
{
    return ws && veche_txq_has(ws->txq, key);
}

size_t veche_ws_queued_bytes(const veche_ws *ws)
{
    return ws ? veche_txq_bytes(ws->txq) : 0;
}

void veche_ws_close(veche_ws *ws, int code, const char *reason)
{
    if (ws)
        start_close(ws, code, reason);
}

const char *veche_ws_peer_addr(const veche_ws *ws)
{
    return ws ? ws->peer : "-";
}

const char *veche_ws_cookie(const veche_ws *ws)
{
    return ws && ws->cookie ? ws->cookie : "";
}

void veche_http_set_api(veche_http *h, veche_http_api_fn fn, void *ud)
{
    if (!h)
        return;
    h->api = fn;
    h->api_ud = ud;
}
