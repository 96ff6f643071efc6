/* test_transport.c - the transport's DTLS around ICE: a browser's
 * ClientHello can arrive before our ICE is connected (its check succeeded
 * first), when libnice cannot send yet.  The transport must hold it and
 * answer the moment ICE connects, not leave the answer to OpenSSL's
 * one-second retransmission (which cost every join a second).  A real
 * transport (libnice agent, no network use) against a veche_dtls client;
 * datagrams pass through the transport's test seams. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "check.h"
#include "dtls.h"
#include "srtp.h"
#include "transport.h"

#define QMAX 64
#define DGRAM_MAX 2048

typedef struct {
    uint8_t q[QMAX][DGRAM_MAX];
    size_t qlen[QMAX];
    int nq;
    int connected;
    int failed;
} queue;

static void push(queue *q, const uint8_t *buf, size_t len)
{
    if (q->nq < QMAX && len <= DGRAM_MAX) {
        memcpy(q->q[q->nq], buf, len);
        q->qlen[q->nq++] = len;
    }
}

/* The client's side: a plain veche_dtls. */
static void client_send(void *ud, const uint8_t *buf, size_t len) { push(ud, buf, len); }
static void client_connected(void *ud, const veche_srtp_keys *keys)
{
    (void)keys;
    ((queue *)ud)->connected++;
}
static void client_failed(void *ud, const char *reason)
{
    (void)reason;
    ((queue *)ud)->failed++;
}
static const veche_dtls_callbacks client_cbs = {client_send, client_connected, client_failed};

/* The server's side: what the transport sends, and its callbacks. */
static void server_hook(void *ud, const uint8_t *buf, size_t len) { push(ud, buf, len); }
static void on_candidate(void *ud, const char *c) { (void)ud, (void)c; }
static void on_connected(void *ud) { ((queue *)ud)->connected++; }
static void on_failed(void *ud, const char *reason)
{
    (void)reason;
    ((queue *)ud)->failed++;
}
static void on_media(void *ud, uint8_t *buf, size_t len) { (void)ud, (void)buf, (void)len; }
static const veche_transport_callbacks server_cbs = {on_candidate, on_connected, on_failed,
                                                     on_media, on_media};

typedef struct {
    GMainContext *ctx;
    veche_dtls_cert *server_cert, *client_cert;
    veche_transport *t;
    veche_dtls *client;
    queue sent;    /* by the transport */
    queue events;  /* the transport's callbacks */
    queue cq;      /* sent by the client, and its callbacks */
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->ctx = g_main_context_new();
    f->server_cert = veche_dtls_cert_new();
    f->client_cert = veche_dtls_cert_new();
    veche_transport_config cfg = {
        .ctx = f->ctx, .local_addresses = "127.0.0.1", .cert = f->server_cert,
        .log_room = "test", .log_peer = "p1",
    };
    f->t = veche_transport_new(&cfg, &server_cbs, &f->events);
    CHECK(f->t != NULL);
    veche_transport_set_send_hook(f->t, server_hook, &f->sent);
    f->client = veche_dtls_new(f->client_cert, VECHE_DTLS_CLIENT, "sha-256",
                               veche_dtls_cert_fingerprint(f->server_cert), &client_cbs, &f->cq);
    CHECK(f->client != NULL);
}

static void teardown(fixture *f)
{
    veche_dtls_free(f->client);
    veche_transport_free(f->t);
    veche_dtls_cert_unref(f->server_cert);
    veche_dtls_cert_unref(f->client_cert);
    g_main_context_unref(f->ctx);
}

static void set_remote(fixture *f)
{
    CHECK_EQ_INT(veche_transport_set_remote(f->t, "abcd", "0123456789abcdefghijkl", "sha-256",
                                            veche_dtls_cert_fingerprint(f->client_cert),
                                            VECHE_DTLS_SERVER),
                 0);
}

/* Everything the client sent, to the transport, as if from the network. */
static int client_to_server(fixture *f)
{
    int n = f->cq.nq;
    f->cq.nq = 0;
    for (int i = 0; i < n; i++)
        veche_transport_test_receive(f->t, f->cq.q[i], f->cq.qlen[i]);
    return n;
}

static int server_to_client(fixture *f)
{
    int n = f->sent.nq;
    f->sent.nq = 0;
    for (int i = 0; i < n; i++)
        CHECK_EQ_INT(veche_dtls_handle(f->client, f->sent.q[i], f->sent.qlen[i]), 0);
    return n;
}

/* Run the handshake to its end with no timer firing. */
static void finish_handshake(fixture *f)
{
    for (int round = 0; round < 8 && !(f->events.connected && f->cq.connected); round++) {
        server_to_client(f);
        client_to_server(f);
    }
    CHECK_EQ_INT(f->events.connected, 1);
    CHECK_EQ_INT(f->cq.connected, 1);
    CHECK_EQ_INT(f->events.failed, 0);
}

TEST(client_hello_before_ice_answered_when_ice_connects)
{
    fixture f;
    setup(&f);
    set_remote(&f);
    CHECK_EQ_INT(veche_dtls_start(f.client), 0);
    CHECK(client_to_server(&f) > 0);
    CHECK_EQ_INT(f.sent.nq, 0);          /* nothing sent: ICE is not connected */
    veche_transport_test_ice_connected(f.t);
    CHECK(f.sent.nq > 0);                /* the answer, at once */
    finish_handshake(&f);
    teardown(&f);
}

TEST(client_hello_before_remote_description_kept)
{
    fixture f;
    setup(&f);
    CHECK_EQ_INT(veche_dtls_start(f.client), 0);
    client_to_server(&f);                /* no fingerprint yet */
    veche_transport_test_ice_connected(f.t);
    CHECK_EQ_INT(f.sent.nq, 0);
    set_remote(&f);                      /* the answer's SDP arrives */
    CHECK(f.sent.nq > 0);
    finish_handshake(&f);
    teardown(&f);
}

TEST(retransmissions_before_ice_bounded_and_freed)
{
    fixture f;
    setup(&f);
    set_remote(&f);
    CHECK_EQ_INT(veche_dtls_start(f.client), 0);
    CHECK(f.cq.nq > 0 && f.cq.nq <= 4);
    /* The browser resends its flight again and again: the transport keeps
     * a few datagrams, drops the rest; freed with the transport (ASan). */
    uint8_t copy[QMAX][DGRAM_MAX];
    size_t len[QMAX];
    int n = f.cq.nq;
    for (int i = 0; i < n; i++) {
        memcpy(copy[i], f.cq.q[i], f.cq.qlen[i]);
        len[i] = f.cq.qlen[i];
    }
    f.cq.nq = 0;
    for (int r = 0; r < 10; r++) {
        for (int i = 0; i < n; i++) {
            uint8_t buf[DGRAM_MAX];
            memcpy(buf, copy[i], len[i]);
            veche_transport_test_receive(f.t, buf, len[i]);
        }
    }
    CHECK_EQ_INT(f.sent.nq, 0);
    CHECK(veche_transport_get_stats(f.t)->dropped_garbage > 0);
    teardown(&f);
}

TEST(after_ice_dtls_handled_directly)
{
    fixture f;
    setup(&f);
    set_remote(&f);
    veche_transport_test_ice_connected(f.t);
    CHECK_EQ_INT(veche_dtls_start(f.client), 0);
    client_to_server(&f);
    CHECK(f.sent.nq > 0);
    finish_handshake(&f);
    teardown(&f);
}

int main(void)
{
    if (veche_srtp_global_init() != 0) {
        printf("not ok 1 - srtp init\n1..1\n");
        return 1;
    }
    RUN(client_hello_before_ice_answered_when_ice_connects);
    RUN(client_hello_before_remote_description_kept);
    RUN(retransmissions_before_ice_bounded_and_freed);
    RUN(after_ice_dtls_handled_directly);
    return check_finish();
}
