/* test_http.c - the HTTP/WebSocket listener (http.c) on 127.0.0.1, once
 * over plain HTTP and once over TLS with a certificate generated into a
 * temporary data_dir, driven by libsoup 3 on the same GLib main loop:
 * /healthz, static files and their Content-Type, WebSocket echo with and
 * without the "veche-v1" subprotocol, fragment reassembly (a raw socket
 * client in a thread), refusals (too large -> 1009, binary -> 1003, wrong
 * path), server-side close after queued messages, the 4 MiB send limit,
 * on_close exactly once, and veche_http_free() with open connections;
 * /api/ requests answered at once and deferred ones (answered 50 ms later
 * from a GLib timeout, keep-alive going on after them, a client that leaves
 * or a listener freed before the answer).
 *
 * Only 127.0.0.1 is contacted; the soup session uses no proxy. */
#include <arpa/inet.h>
#include <errno.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "err.h"
#include "http.h"

#define MAX_MESSAGE 4096

#if defined(__SANITIZE_ADDRESS__)
#define VECHE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VECHE_ASAN 1
#endif
#endif
#ifdef VECHE_ASAN
/* libwebsockets is built without frame pointers: the fast unwinder stops
 * in it, so the lws entries of tests/lsan.supp could not match.  Flags
 * given in ASAN_OPTIONS still override this; 12 frames keep it fast enough
 * and reach the lws functions named there. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0:malloc_context_size=12";
}
#endif

/* ---- the server side: callbacks that echo ---- */

typedef struct {
    veche_ws *ws;
    int closes;          /* must end at exactly 1 */
    int messages;
} conn_state;

typedef struct {
    GPtrArray *conns;    /* of conn_state, every connection ever opened */
    int opens, closes;
    int flood_ok;        /* sends accepted before the limit */
    int flood_limit_rc;  /* the first refused send */
    int flood_after_rc;  /* a send after that */
    char last_peer[64];
    gint deferred;       /* API requests deferred */
    gint finished;       /* ... and finished */
    char api_peer[64];   /* req->peer of the last API request */
} server_state;

static void srv_open(void *ud, veche_ws *ws, void **conn_ud)
{
    server_state *s = ud;
    conn_state *c = g_new0(conn_state, 1);
    c->ws = ws;
    g_ptr_array_add(s->conns, c);
    s->opens++;
    snprintf(s->last_peer, sizeof s->last_peer, "%s", veche_ws_peer_addr(ws));
    *conn_ud = c;
}

static void srv_message(void *ud, veche_ws *ws, void *conn_ud, const char *text, size_t len)
{
    server_state *s = ud;
    conn_state *c = conn_ud;
    c->messages++;
    if (len == 8 && memcmp(text, "close-me", 8) == 0) {
        veche_ws_send(ws, "bye-ack", 7);
        veche_ws_close(ws, 4000, "bye");
        /* after a close request nothing more is queued */
        if (veche_ws_send(ws, "late", 4) != VECHE_ESTATE)
            s->flood_after_rc = 12345;
        return;
    }
    if (len == 5 && memcmp(text, "flood", 5) == 0) {
        static char big[65536];
        memset(big, 'f', sizeof big);
        s->flood_limit_rc = 0;
        for (int i = 0; i < 100; i++) {
            int rc = veche_ws_send(ws, big, sizeof big);
            if (rc != 0) {
                s->flood_limit_rc = rc;
                s->flood_after_rc = veche_ws_send(ws, "x", 1);
                break;
            }
            s->flood_ok++;
        }
        return;
    }
    CHECK_EQ_INT(veche_ws_send(ws, text, len), 0);
}

static void srv_close(void *ud, veche_ws *ws, void *conn_ud)
{
    server_state *s = ud;
    conn_state *c = conn_ud;
    CHECK(c->ws == ws);
    c->closes++;
    s->closes++;
    /* sending from on_close is refused, not a crash */
    CHECK_EQ_INT(veche_ws_send(ws, "x", 1), VECHE_ESTATE);
}

static const veche_http_ws_callbacks srv_cb = {srv_open, srv_message, srv_close};

/* ---- the main loop ---- */

static gboolean wake(gpointer data)
{
    g_atomic_int_set((gint *)data, 1);
    return G_SOURCE_REMOVE;
}

/* Iterate the default context until *flag is set or ms pass. */
static gboolean run_until(gint *flag, int ms)
{
    gint timed_out = 0;
    guint id = g_timeout_add(ms, wake, &timed_out);
    while (!g_atomic_int_get(flag) && !g_atomic_int_get(&timed_out))
        g_main_context_iteration(NULL, TRUE);
    if (!g_atomic_int_get(&timed_out))
        g_source_remove(id);
    return g_atomic_int_get(flag) != 0;
}

/* Run the loop for ms regardless (to let pending events happen). */
static void run_for(int ms)
{
    gint never = 0;
    run_until(&never, ms);
}

/* ---- the fixture: one server per case ---- */

typedef struct {
    GMainLoop *loop;
    veche_http *http;
    veche_config cfg;
    server_state s;
    char web_root[64];
    char data_dir[64];
    SoupSession *session;
    const char *scheme;     /* "http" / "https" */
    const char *ws_scheme;  /* "ws" / "wss" */
} fixture;

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        CHECK(!"cannot write a web_root file");
        return;
    }
    fputs(text, f);
    fclose(f);
}

static void remove_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, name, NULL);
        remove(path);
        g_free(path);
    }
    g_dir_close(d);
    rmdir(dir);
}

/* A deferred answer in flight. */
typedef struct {
    server_state *s;
    veche_http_pending *pending;
    char *body;
} defer_job;

static gboolean defer_finish(gpointer data)
{
    defer_job *j = data;
    veche_http_response resp = {.status = 200, .body = j->body};
    snprintf(resp.set_cookie, sizeof resp.set_cookie, "d=1; Path=/");
    veche_http_pending_finish(j->pending, &resp);
    CHECK(resp.body == NULL);  /* taken */
    g_atomic_int_inc(&j->s->finished);
    g_free(j);
    return G_SOURCE_REMOVE;
}

/* The API hook of the tests: echoes what it was given; /api/defer/MS
 * answers MS milliseconds later from a timeout. */
static void echo_api(void *ud, const veche_http_request *req, veche_http_response *resp)
{
    server_state *s = ud;
    snprintf(s->api_peer, sizeof s->api_peer, "%s", req->peer ? req->peer : "(null)");
    if (g_str_has_prefix(req->path, "/api/defer/")) {
        CHECK(req->pending != NULL);
        if (!req->pending) {
            resp->status = 500;
            return;
        }
        defer_job *j = g_new0(defer_job, 1);
        j->s = s;
        j->pending = req->pending;
        j->body = g_strdup_printf("{\"deferred\":\"%s\",\"method\":\"%s\",\"len\":%zu}",
                                  req->path + strlen("/api/defer/"), req->method, req->body_len);
        resp->deferred = true;
        g_atomic_int_inc(&s->deferred);
        g_timeout_add((guint)atoi(req->path + strlen("/api/defer/")), defer_finish, j);
        return;
    }
    resp->status = 200;
    resp->body = g_strdup_printf("{\"method\":\"%s\",\"path\":\"%s\",\"query\":\"%s\","
                                 "\"len\":%zu}", req->method, req->path, req->query,
                                 req->body_len);
}

static gboolean fixture_start(fixture *f, bool tls)
{
    memset(f, 0, sizeof *f);
    f->loop = g_main_loop_new(NULL, FALSE);
    f->s.conns = g_ptr_array_new_with_free_func(g_free);
    snprintf(f->web_root, sizeof f->web_root, "/tmp/veche-web-XXXXXX");
    snprintf(f->data_dir, sizeof f->data_dir, "/tmp/veche-data-XXXXXX");
    if (!g_mkdtemp(f->web_root) || !g_mkdtemp(f->data_dir))
        return FALSE;
    write_file(f->web_root, "index.html", "<!doctype html><title>veche</title>\n");
    write_file(f->web_root, "app.js", "export const x = 1;\n");
    write_file(f->web_root, "mod.mjs", "export default 2;\n");
    write_file(f->web_root, "style.css", "body{}\n");
    write_file(f->web_root, "data.json", "{}\n");

    veche_config_defaults(&f->cfg);
    snprintf(f->cfg.listen_address, sizeof f->cfg.listen_address, "127.0.0.1");
    snprintf(f->cfg.web_root, sizeof f->cfg.web_root, "%s", f->web_root);
    snprintf(f->cfg.data_dir, sizeof f->cfg.data_dir, "%s", f->data_dir);
    f->cfg.tls = tls;
    f->cfg.ws_max_message = MAX_MESSAGE;
    f->scheme = tls ? "https" : "http";
    f->ws_scheme = tls ? "wss" : "ws";

    char err[512] = "";
    for (int attempt = 0; attempt < 30 && !f->http; attempt++) {
        f->cfg.port = (uint16_t)g_random_int_range(20000, 60000);
        f->http = veche_http_new(&f->cfg, f->loop, &srv_cb, &f->s, err, sizeof err);
    }
    if (!f->http) {
        fprintf(stderr, "# veche_http_new: %s\n", err);
        return FALSE;
    }
    veche_http_set_api(f->http, echo_api, &f->s);
    f->session = soup_session_new();
    soup_session_set_proxy_resolver(f->session, NULL);  /* 127.0.0.1 only */
    soup_session_set_timeout(f->session, 10);
    return TRUE;
}

static void fixture_stop(fixture *f)
{
    if (f->session)
        g_object_unref(f->session);
    f->session = NULL;
    veche_http_free(f->http);
    f->http = NULL;
    /* every connection was closed exactly once */
    for (guint i = 0; i < f->s.conns->len; i++)
        CHECK_EQ_INT(((conn_state *)g_ptr_array_index(f->s.conns, i))->closes, 1);
    CHECK_EQ_INT(f->s.opens, f->s.closes);
    run_for(50);  /* let soup finish with its sockets */
    g_ptr_array_unref(f->s.conns);
    g_main_loop_unref(f->loop);
    remove_dir(f->web_root);
    remove_dir(f->data_dir);
}

/* ---- an HTTP client ---- */

static gboolean accept_cert(SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors,
                            gpointer data)
{
    return TRUE;  /* the test's self-signed certificate */
}

typedef struct {
    gint done;
    GBytes *body;
    GError *error;
} http_result;

static void got_body(GObject *src, GAsyncResult *res, gpointer data)
{
    http_result *r = data;
    r->body = soup_session_send_and_read_finish(SOUP_SESSION(src), res, &r->error);
    g_atomic_int_set(&r->done, 1);
}

/* GET path; returns the status, the body (NUL-terminated, caller frees) and
 * a copy of the Content-Type. */
static guint http_get(fixture *f, const char *path, char **body, char **ctype)
{
    char *url = g_strdup_printf("%s://127.0.0.1:%u%s", f->scheme, f->cfg.port, path);
    SoupMessage *msg = soup_message_new("GET", url);
    g_free(url);
    g_signal_connect(msg, "accept-certificate", G_CALLBACK(accept_cert), NULL);
    http_result r = {0};
    soup_session_send_and_read_async(f->session, msg, G_PRIORITY_DEFAULT, NULL, got_body, &r);
    CHECK(run_until(&r.done, 10000));
    guint status = soup_message_get_status(msg);
    if (r.error) {
        fprintf(stderr, "# GET %s: %s\n", path, r.error->message);
        g_error_free(r.error);
    }
    if (body) {
        gsize n = 0;
        const char *data = r.body ? g_bytes_get_data(r.body, &n) : NULL;
        *body = g_strndup(data ? data : "", n);
    }
    if (ctype) {
        const char *ct =
            soup_message_headers_get_one(soup_message_get_response_headers(msg), "Content-Type");
        *ctype = g_strdup(ct ? ct : "");
    }
    if (r.body)
        g_bytes_unref(r.body);
    g_object_unref(msg);
    return status;
}

/* ---- a WebSocket client ---- */

typedef struct {
    SoupWebsocketConnection *conn;
    GPtrArray *texts;   /* of char*, text messages received */
    int binaries;
    gint connected;     /* connect finished (ok or not) */
    gint closed;
    gint got_message;
    GError *error;
} ws_client;

static void on_ws_message(SoupWebsocketConnection *conn, gint type, GBytes *message,
                          gpointer data)
{
    ws_client *c = data;
    if (type == SOUP_WEBSOCKET_DATA_TEXT) {
        gsize n;
        const char *p = g_bytes_get_data(message, &n);
        g_ptr_array_add(c->texts, g_strndup(p ? p : "", n));
    } else {
        c->binaries++;
    }
    g_atomic_int_set(&c->got_message, 1);
}

static void on_ws_closed(SoupWebsocketConnection *conn, gpointer data)
{
    g_atomic_int_set(&((ws_client *)data)->closed, 1);
}

static void ws_connected(GObject *src, GAsyncResult *res, gpointer data)
{
    ws_client *c = data;
    c->conn = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &c->error);
    if (c->conn) {
        soup_websocket_connection_set_max_incoming_payload_size(c->conn, 1 << 20);
        g_signal_connect(c->conn, "message", G_CALLBACK(on_ws_message), c);
        g_signal_connect(c->conn, "closed", G_CALLBACK(on_ws_closed), c);
    }
    g_atomic_int_set(&c->connected, 1);
}

/* Connect to path with the given subprotocol (NULL: offer none). */
static gboolean ws_connect(fixture *f, ws_client *c, const char *path, const char *protocol)
{
    memset(c, 0, sizeof *c);
    c->texts = g_ptr_array_new_with_free_func(g_free);
    char *url = g_strdup_printf("%s://127.0.0.1:%u%s", f->ws_scheme, f->cfg.port, path);
    SoupMessage *msg = soup_message_new("GET", url);
    g_free(url);
    g_signal_connect(msg, "accept-certificate", G_CALLBACK(accept_cert), NULL);
    char *protocols[] = {(char *)protocol, NULL};
    soup_session_websocket_connect_async(f->session, msg, NULL, protocol ? protocols : NULL,
                                         G_PRIORITY_DEFAULT, NULL, ws_connected, c);
    run_until(&c->connected, 10000);
    g_object_unref(msg);
    return c->conn != NULL;
}

/* Wait for the next text message; returns it (owned by c) or NULL. */
static const char *ws_next_text(ws_client *c, guint index)
{
    for (int i = 0; i < 100 && c->texts->len <= index; i++) {
        g_atomic_int_set(&c->got_message, 0);
        if (!run_until(&c->got_message, 100) && g_atomic_int_get(&c->closed))
            break;
    }
    return c->texts->len > index ? g_ptr_array_index(c->texts, index) : NULL;
}

static void ws_client_done(ws_client *c)
{
    if (c->conn) {
        if (soup_websocket_connection_get_state(c->conn) == SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_close(c->conn, 1000, NULL);
        run_until(&c->closed, 5000);
        g_signal_handlers_disconnect_by_data(c->conn, c);
        g_object_unref(c->conn);
    }
    if (c->error)
        g_error_free(c->error);
    g_ptr_array_unref(c->texts);
    memset(c, 0, sizeof *c);
}

/* ---- a raw client in a thread: fragmented frames ---- */

typedef struct {
    uint16_t port;
    gint done;
    int ok;
    char why[128];
} raw_job;

static int send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int recv_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t n = recv(fd, p, len, 0);
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Send one masked client frame. */
static int send_frame(int fd, uint8_t b0, const char *payload, size_t len)
{
    uint8_t hdr[8] = {b0, (uint8_t)(0x80 | len), 0x11, 0x22, 0x33, 0x44};
    char masked[125];
    if (len > sizeof masked)
        return -1;
    for (size_t i = 0; i < len; i++)
        masked[i] = (char)(payload[i] ^ hdr[2 + i % 4]);
    if (send_all(fd, hdr, 6) != 0)
        return -1;
    return send_all(fd, masked, len);
}

static gpointer raw_client(gpointer data)
{
    raw_job *j = data;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(j->port)};
    struct timeval tv = {.tv_sec = 5};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static const char req[] = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n\r\n";
    char resp[1024];
    size_t n = 0;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        send_all(fd, req, sizeof req - 1) != 0) {
        snprintf(j->why, sizeof j->why, "connect/send: %s", strerror(errno));
        goto out;
    }
    while (n < sizeof resp - 1 && (n < 4 || memcmp(resp + n - 4, "\r\n\r\n", 4) != 0)) {
        if (recv_all(fd, resp + n, 1) != 0)
            break;
        n++;
    }
    resp[n] = '\0';
    if (strncmp(resp, "HTTP/1.1 101", 12) != 0) {
        snprintf(j->why, sizeof j->why, "handshake: %.40s", resp);
        goto out;
    }
    /* "hel" + "lo" as two fragments, then "x" + "" + "yz" as three */
    if (send_frame(fd, 0x01, "hel", 3) || send_frame(fd, 0x80, "lo", 2) ||
        send_frame(fd, 0x01, "x", 1) || send_frame(fd, 0x00, "", 0) ||
        send_frame(fd, 0x80, "yz", 2)) {
        snprintf(j->why, sizeof j->why, "send frames failed");
        goto out;
    }
    static const char *want[] = {"hello", "xyz"};
    for (int i = 0; i < 2; i++) {
        uint8_t h[2];
        char payload[16];
        size_t wl = strlen(want[i]);
        if (recv_all(fd, h, 2) != 0 || h[0] != 0x81 || h[1] != wl ||
            recv_all(fd, payload, wl) != 0 || memcmp(payload, want[i], wl) != 0) {
            snprintf(j->why, sizeof j->why, "echo %d wrong", i);
            goto out;
        }
    }
    static const char close_payload[] = {0x03, (char)0xe8};
    send_frame(fd, 0x88, close_payload, 2);
    uint8_t h[2];
    j->ok = recv_all(fd, h, 2) == 0 && h[0] == 0x88;
    if (!j->ok)
        snprintf(j->why, sizeof j->why, "no close frame");
out:
    if (fd >= 0)
        close(fd);
    g_atomic_int_set(&j->done, 1);
    return NULL;
}

/* ---- a raw HTTP/1.1 client in a thread: keep-alive and leaving early ---- */

typedef struct {
    uint16_t port;
    bool leave_early;    /* send one deferred request and close at once */
    gint done;
    int ok;
    char why[160];
} raw_http_job;

static int raw_connect(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct timeval tv = {.tv_sec = 5};
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Send req on fd and read one response (headers, then Content-Length bytes
 * of body into body).  The status, or -1. */
static int raw_exchange(int fd, const char *req, char *body, size_t cap)
{
    char head[2048];
    size_t n = 0;
    if (send_all(fd, req, strlen(req)) != 0)
        return -1;
    while (n < sizeof head - 1 && (n < 4 || memcmp(head + n - 4, "\r\n\r\n", 4) != 0)) {
        if (recv_all(fd, head + n, 1) != 0)
            return -1;
        n++;
    }
    head[n] = '\0';
    int status = 0;
    if (sscanf(head, "HTTP/1.1 %d", &status) != 1)
        return -1;
    const char *cl = strcasestr(head, "content-length:");
    size_t len = cl ? strtoul(cl + 15, NULL, 10) : 0;
    if (len >= cap || (len && recv_all(fd, body, len) != 0))
        return -1;
    body[len] = '\0';
    return status;
}

static gpointer raw_http_client(gpointer data)
{
    raw_http_job *j = data;
    int fd = raw_connect(j->port);
    char body[512];
    if (fd < 0) {
        snprintf(j->why, sizeof j->why, "connect: %s", strerror(errno));
        goto out;
    }
    if (j->leave_early) {
        static const char req[] = "GET /api/defer/300 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
        j->ok = send_all(fd, req, sizeof req - 1) == 0;
        goto out;
    }
    /* a deferred GET, a deferred POST with a body, then an immediate GET,
     * all on one keep-alive connection */
    int st = raw_exchange(fd, "GET /api/defer/50 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", body,
                          sizeof body);
    if (st != 200 || strcmp(body, "{\"deferred\":\"50\",\"method\":\"GET\",\"len\":0}") != 0) {
        snprintf(j->why, sizeof j->why, "first: %d %.80s", st, body);
        goto out;
    }
    st = raw_exchange(fd, "POST /api/defer/20 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Length: 7\r\n\r\n{\"a\":1}", body, sizeof body);
    if (st != 200 || strcmp(body, "{\"deferred\":\"20\",\"method\":\"POST\",\"len\":7}") != 0) {
        snprintf(j->why, sizeof j->why, "second: %d %.80s", st, body);
        goto out;
    }
    st = raw_exchange(fd, "GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", body, sizeof body);
    if (st != 200 || !strstr(body, "\"path\":\"/api/me\"")) {
        snprintf(j->why, sizeof j->why, "third: %d %.80s", st, body);
        goto out;
    }
    st = raw_exchange(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", body, sizeof body);
    j->ok = st == 200 && strcmp(body, "ok\n") == 0;
    if (!j->ok)
        snprintf(j->why, sizeof j->why, "healthz: %d %.80s", st, body);
out:
    if (fd >= 0)
        close(fd);
    g_atomic_int_set(&j->done, 1);
    g_main_context_wakeup(NULL);  /* the loop may be asleep with nothing else to do */
    return NULL;
}

static bool run_raw_http(uint16_t port, bool leave_early)
{
    raw_http_job j = {.port = port, .leave_early = leave_early};
    GThread *t = g_thread_new("raw-http", raw_http_client, &j);
    CHECK(run_until(&j.done, 10000));
    g_thread_join(t);
    if (!j.ok)
        fprintf(stderr, "# raw HTTP client: %s\n", j.why);
    return j.ok;
}

/* ---- the cases, run for plain and TLS ---- */

/* A request with a body (NULL: none) to the API; returns the status and
 * the response body (caller frees). */
static guint api_request(fixture *f, const char *method, const char *path, const char *body,
                         char **out)
{
    char *url = g_strdup_printf("%s://127.0.0.1:%u%s", f->scheme, f->cfg.port, path);
    SoupMessage *msg = soup_message_new(method, url);
    g_free(url);
    g_signal_connect(msg, "accept-certificate", G_CALLBACK(accept_cert), NULL);
    if (body) {
        GBytes *b = g_bytes_new(body, strlen(body));
        soup_message_set_request_body_from_bytes(msg, "application/json", b);
        g_bytes_unref(b);
    }
    http_result r = {0};
    soup_session_send_and_read_async(f->session, msg, G_PRIORITY_DEFAULT, NULL, got_body, &r);
    CHECK(run_until(&r.done, 10000));
    guint status = soup_message_get_status(msg);
    if (r.error) {
        fprintf(stderr, "# %s %s: %s\n", method, path, r.error->message);
        g_error_free(r.error);
    }
    gsize n = 0;
    const char *data = r.body ? g_bytes_get_data(r.body, &n) : NULL;
    *out = g_strndup(data ? data : "", n);
    if (r.body)
        g_bytes_unref(r.body);
    g_object_unref(msg);
    return status;
}

/* /api/ requests reach the hook once each, with and without a body, and
 * the connection stays usable (keep-alive) after each. */
static void check_api(fixture *f)
{
    char *out = NULL;
    CHECK_EQ_INT(api_request(f, "POST", "/api/x/1/block", "", &out), 200);
    CHECK_EQ_STR(out, "{\"method\":\"POST\",\"path\":\"/api/x/1/block\",\"query\":\"\","
                      "\"len\":0}");
    g_free(out);
    CHECK_EQ_INT(api_request(f, "POST", "/api/login", "{\"a\":1}", &out), 200);
    CHECK_EQ_STR(out, "{\"method\":\"POST\",\"path\":\"/api/login\",\"query\":\"\","
                      "\"len\":7}");
    g_free(out);
    /* PATCH (with its body) and DELETE reach the hook; PUT does not */
    CHECK_EQ_INT(api_request(f, "DELETE", "/api/orgs/1", NULL, &out), 200);
    CHECK_EQ_STR(out, "{\"method\":\"DELETE\",\"path\":\"/api/orgs/1\",\"query\":\"\","
                      "\"len\":0}");
    g_free(out);
    CHECK_EQ_INT(api_request(f, "PATCH", "/api/orgs/1", "{\"a\":1}", &out), 200);
    CHECK_EQ_STR(out, "{\"method\":\"PATCH\",\"path\":\"/api/orgs/1\",\"query\":\"\","
                      "\"len\":7}");
    g_free(out);
    CHECK_EQ_INT(api_request(f, "PUT", "/api/orgs/1", "{}", &out), 405);
    CHECK_EQ_STR(out, "{\"error\":\"method-not-allowed\","
                      "\"reason\":\"the API takes GET, POST, PATCH and DELETE\"}");
    g_free(out);
    CHECK_EQ_INT(api_request(f, "GET", "/api/me?lang=ru", NULL, &out), 200);
    CHECK_EQ_STR(out, "{\"method\":\"GET\",\"path\":\"/api/me\",\"query\":\"lang=ru\","
                      "\"len\":0}");
    g_free(out);
    CHECK_EQ_STR(f->s.api_peer, "127.0.0.1");
}

/* Deferred answers: the exact body ~50 ms later, and the connection goes
 * on (soup reuses it: the next requests work). */
static void check_api_deferred(fixture *f)
{
    char *out = NULL;
    int finished = g_atomic_int_get(&f->s.finished);
    gint64 t0 = g_get_monotonic_time();
    CHECK_EQ_INT(api_request(f, "GET", "/api/defer/50", NULL, &out), 200);
    gint64 took = g_get_monotonic_time() - t0;
    CHECK_EQ_STR(out, "{\"deferred\":\"50\",\"method\":\"GET\",\"len\":0}");
    CHECK(took >= 45000);
    g_free(out);
    CHECK_EQ_INT(api_request(f, "POST", "/api/defer/50", "{\"x\":[1,2]}", &out), 200);
    CHECK_EQ_STR(out, "{\"deferred\":\"50\",\"method\":\"POST\",\"len\":11}");
    g_free(out);
    CHECK_EQ_INT(api_request(f, "GET", "/api/me", NULL, &out), 200);
    CHECK_EQ_STR(out, "{\"method\":\"GET\",\"path\":\"/api/me\",\"query\":\"\",\"len\":0}");
    g_free(out);
    CHECK_EQ_INT(g_atomic_int_get(&f->s.finished), finished + 2);
}

static void check_http(fixture *f)
{
    char *body, *ct;
    CHECK_EQ_INT(http_get(f, "/healthz", &body, &ct), 200);
    CHECK_EQ_STR(body, "ok\n");
    CHECK(g_str_has_prefix(ct, "text/plain"));
    g_free(body);
    g_free(ct);

    CHECK_EQ_INT(http_get(f, "/index.html", &body, &ct), 200);
    CHECK_EQ_STR(body, "<!doctype html><title>veche</title>\n");
    CHECK(g_str_has_prefix(ct, "text/html"));
    g_free(body);
    g_free(ct);

    CHECK_EQ_INT(http_get(f, "/", &body, NULL), 200);
    CHECK_EQ_STR(body, "<!doctype html><title>veche</title>\n");
    g_free(body);

    static const struct {
        const char *path, *type;
    } types[] = {
        {"/app.js", "text/javascript"}, {"/mod.mjs", "text/javascript"},
        {"/style.css", "text/css"}, {"/data.json", "application/json"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        CHECK_EQ_INT(http_get(f, types[i].path, NULL, &ct), 200);
        if (!g_str_has_prefix(ct, types[i].type)) {
            fprintf(stderr, "# %s: Content-Type '%s'\n", types[i].path, ct);
            CHECK(!"wrong Content-Type");
        }
        g_free(ct);
    }
    CHECK_EQ_INT(http_get(f, "/missing.html", NULL, NULL), 404);
    CHECK_EQ_INT(http_get(f, "/../etc/passwd", NULL, NULL) == 200, 0);
}

static void check_echo(fixture *f, const char *protocol)
{
    ws_client c;
    int closes = f->s.closes;
    CHECK(ws_connect(f, &c, "/ws", protocol));
    if (!c.conn) {
        fprintf(stderr, "# connect: %s\n", c.error ? c.error->message : "?");
        ws_client_done(&c);
        return;
    }
    const char *got = soup_websocket_connection_get_protocol(c.conn);
    if (protocol)
        CHECK_EQ_STR(got, "veche-v1");
    else
        CHECK(got == NULL);
    soup_websocket_connection_send_text(c.conn, "{\"type\":\"ping\"}");
    soup_websocket_connection_send_text(c.conn, "second");
    CHECK_EQ_STR(ws_next_text(&c, 0), "{\"type\":\"ping\"}");
    CHECK_EQ_STR(ws_next_text(&c, 1), "second");
    /* a message exactly at the limit is accepted */
    char *at_limit = g_malloc(MAX_MESSAGE + 1);
    memset(at_limit, 'a', MAX_MESSAGE);
    at_limit[MAX_MESSAGE] = '\0';
    soup_websocket_connection_send_text(c.conn, at_limit);
    const char *echo = ws_next_text(&c, 2);
    CHECK(echo && strlen(echo) == MAX_MESSAGE);
    g_free(at_limit);
    CHECK_EQ_STR(f->s.last_peer, "127.0.0.1");
    /* client-side close: on_close once */
    soup_websocket_connection_close(c.conn, 1000, NULL);
    CHECK(run_until(&c.closed, 5000));
    run_for(50);
    CHECK_EQ_INT(f->s.closes, closes + 1);
    ws_client_done(&c);
}

/* Send text (or binary when bin) and expect the error text then code. */
static void check_refusal(fixture *f, const char *text, size_t len, bool bin,
                          const char *want_error, int want_code)
{
    ws_client c;
    int closes = f->s.closes;
    CHECK(ws_connect(f, &c, "/ws", "veche-v1"));
    if (!c.conn) {
        ws_client_done(&c);
        return;
    }
    if (bin)
        soup_websocket_connection_send_binary(c.conn, text, len);
    else
        soup_websocket_connection_send_text(c.conn, text);
    CHECK_EQ_STR(ws_next_text(&c, 0), want_error);
    CHECK(run_until(&c.closed, 5000));
    CHECK_EQ_INT(soup_websocket_connection_get_close_code(c.conn), want_code);
    run_for(50);
    CHECK_EQ_INT(f->s.closes, closes + 1);
    ws_client_done(&c);
}

static void check_ws(fixture *f)
{
    check_echo(f, "veche-v1");
    check_echo(f, NULL);

    char *big = g_malloc(MAX_MESSAGE + 2);
    memset(big, 'b', MAX_MESSAGE + 1);
    big[MAX_MESSAGE + 1] = '\0';
    check_refusal(f, big, MAX_MESSAGE + 1, false,
                  "{\"type\":\"error\",\"code\":\"too-large\",\"reason\":\"message exceeds 4096 bytes\"}",
                  1009);
    g_free(big);
    check_refusal(f, "\x01\x02", 2, true,
                  "{\"type\":\"error\",\"code\":\"unsupported\",\"reason\":\"binary frames are not accepted\"}",
                  1003);

    /* server-side close: queued message first, then the close code */
    ws_client c;
    CHECK(ws_connect(f, &c, "/ws", "veche-v1"));
    if (c.conn) {
        soup_websocket_connection_send_text(c.conn, "close-me");
        CHECK_EQ_STR(ws_next_text(&c, 0), "bye-ack");
        CHECK(run_until(&c.closed, 5000));
        CHECK_EQ_INT(soup_websocket_connection_get_close_code(c.conn), 4000);
        CHECK_EQ_STR(soup_websocket_connection_get_close_data(c.conn), "bye");
        CHECK_EQ_INT(c.texts->len, 1);
        CHECK_EQ_INT(f->s.flood_after_rc, 0);
    }
    ws_client_done(&c);

    /* a WebSocket on another path is refused */
    CHECK(!ws_connect(f, &c, "/other", "veche-v1"));
    ws_client_done(&c);
    CHECK(!ws_connect(f, &c, "/other", NULL));
    ws_client_done(&c);
}

static void check_send_limit(fixture *f)
{
    ws_client c;
    int closes = f->s.closes;
    CHECK(ws_connect(f, &c, "/ws", NULL));
    if (!c.conn) {
        ws_client_done(&c);
        return;
    }
    soup_websocket_connection_send_text(c.conn, "flood");
    CHECK(run_until(&c.closed, 5000));
    CHECK_EQ_INT(f->s.flood_ok, 64);  /* 64 x 64 KiB = 4 MiB */
    CHECK_EQ_INT(f->s.flood_limit_rc, VECHE_ELIMIT);
    CHECK_EQ_INT(f->s.flood_after_rc, VECHE_ESTATE);
    run_for(50);
    CHECK_EQ_INT(f->s.closes, closes + 1);
    ws_client_done(&c);
}

static void check_free_with_open_connections(fixture *f)
{
    ws_client a, b;
    CHECK(ws_connect(f, &a, "/ws", "veche-v1"));
    CHECK(ws_connect(f, &b, "/ws", NULL));
    if (a.conn)
        soup_websocket_connection_send_text(a.conn, "hi");
    CHECK_EQ_STR(ws_next_text(&a, 0), "hi");
    int closes = f->s.closes;
    CHECK_EQ_INT(f->s.opens - closes, 2);
    /* and a deferred API request waiting: freed before its answer */
    int deferred = g_atomic_int_get(&f->s.deferred);
    int finished = g_atomic_int_get(&f->s.finished);
    char *url = g_strdup_printf("%s://127.0.0.1:%u/api/defer/200", f->scheme, f->cfg.port);
    SoupMessage *msg = soup_message_new("GET", url);
    g_free(url);
    g_signal_connect(msg, "accept-certificate", G_CALLBACK(accept_cert), NULL);
    http_result r = {0};
    soup_session_send_and_read_async(f->session, msg, G_PRIORITY_DEFAULT, NULL, got_body, &r);
    for (int i = 0; i < 250 && g_atomic_int_get(&f->s.deferred) == deferred; i++)
        run_for(20);
    CHECK_EQ_INT(g_atomic_int_get(&f->s.deferred), deferred + 1);
    veche_http_free(f->http);
    f->http = NULL;
    CHECK_EQ_INT(f->s.closes, closes + 2);
    CHECK(run_until(&r.done, 10000));  /* the client sees an error */
    CHECK(soup_message_get_status(msg) != 200);
    if (r.error)
        g_error_free(r.error);
    if (r.body)
        g_bytes_unref(r.body);
    g_object_unref(msg);
    for (int i = 0; i < 100 && g_atomic_int_get(&f->s.finished) == finished; i++)
        run_for(20);
    CHECK_EQ_INT(g_atomic_int_get(&f->s.finished), finished + 1);
    /* the clients notice */
    CHECK(run_until(&a.closed, 5000));
    CHECK(run_until(&b.closed, 5000));
    ws_client_done(&a);
    ws_client_done(&b);
}

static void run_cases(bool tls)
{
    fixture f;
    if (!fixture_start(&f, tls)) {
        CHECK(!"server did not start");
        fixture_stop(&f);
        return;
    }
    check_http(&f);
    check_api(&f);
    check_api_deferred(&f);
    check_ws(&f);
    check_send_limit(&f);
    if (!tls) {
        raw_job j = {.port = f.cfg.port};
        GThread *t = g_thread_new("raw-ws", raw_client, &j);
        CHECK(run_until(&j.done, 10000));
        g_thread_join(t);
        if (!j.ok)
            fprintf(stderr, "# raw client: %s\n", j.why);
        CHECK(j.ok);
        run_for(50);
        /* keep-alive across deferred answers, byte for byte */
        CHECK(run_raw_http(f.cfg.port, false));
        /* a client that leaves before the answer: no crash, no leak (lws 4.1
         * reads nothing while a transaction waits, so the answer goes into the
         * closed socket and the connection ends then; a connection closed by
         * lws while waiting, below with veche_http_free(), detaches instead) */
        int deferred = g_atomic_int_get(&f.s.deferred);
        int finished = g_atomic_int_get(&f.s.finished);
        CHECK(run_raw_http(f.cfg.port, true));
        for (int i = 0; i < 100 && g_atomic_int_get(&f.s.finished) == finished; i++)
            run_for(20);
        CHECK_EQ_INT(g_atomic_int_get(&f.s.deferred), deferred + 1);
        CHECK_EQ_INT(g_atomic_int_get(&f.s.finished), finished + 1);
        /* the listener keeps serving */
        char *body = NULL;
        CHECK_EQ_INT(http_get(&f, "/healthz", &body, NULL), 200);
        g_free(body);
    }
    check_free_with_open_connections(&f);
    fixture_stop(&f);
}

TEST(plain_http_and_ws)
{
    run_cases(false);
}

TEST(tls_https_and_wss)
{
    run_cases(true);
}

TEST(bad_listen_fails)
{
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    veche_config cfg;
    veche_config_defaults(&cfg);
    snprintf(cfg.listen_address, sizeof cfg.listen_address, "192.0.2.1");  /* not ours */
    cfg.tls = false;
    cfg.port = (uint16_t)g_random_int_range(20000, 60000);
    server_state s = {.conns = g_ptr_array_new_with_free_func(g_free)};
    char err[512] = "";
    veche_http *h = veche_http_new(&cfg, loop, &srv_cb, &s, err, sizeof err);
    CHECK(h == NULL);
    CHECK(err[0] != '\0');
    veche_http_free(h);
    veche_http_free(NULL);
    g_ptr_array_unref(s.conns);
    g_main_loop_unref(loop);
}

int main(void)
{
    /* never use a proxy, whatever the environment says */
    g_unsetenv("http_proxy");
    g_unsetenv("https_proxy");
    g_unsetenv("HTTP_PROXY");
    g_unsetenv("HTTPS_PROXY");
    g_unsetenv("all_proxy");
    g_unsetenv("ALL_PROXY");
    /* Idle GLib worker threads (the TLS handshakes of glib-networking run
     * in them) exit instead of waiting for more work: LeakSanitizer in
     * Debian 12 crashes scanning the dynamic TLS (gnutls, loaded with the
     * GIO module) of threads still alive at exit. */
    g_thread_pool_set_max_unused_threads(0);
    RUN(plain_http_and_ws);
    RUN(tls_https_and_wss);
    RUN(bad_listen_fails);
    int rc = check_finish();
    fflush(stdout);
    g_usleep(G_USEC_PER_SEC);  /* an idle worker gives up after 0.5 s */
    g_thread_pool_stop_unused_threads();
    return rc;
}
