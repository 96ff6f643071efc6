/* test_sendq.c - batched sends (sendq.h, transport.c, ice.c).
 *
 * A transport with a sendq keeps the RTP it protected until the sendq
 * flushes (or its batch is full), then sends the batch in order; a
 * GMainContext iteration flushes in its prepare step; a freed transport
 * leaves nothing behind in the queue.  Two real libnice agents on
 * 127.0.0.1 connect, and a batch from one reaches the other, in order,
 * through the direct path (the selected UDP socket, sendmmsg). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "check.h"
#include "ice.h"
#include "rtp.h"
#include "sendq.h"
#include "srtp.h"
#include "transport.h"

#define QMAX 64
#define DGRAM_MAX 1600

typedef struct {
    uint8_t q[QMAX][DGRAM_MAX];
    size_t qlen[QMAX];
    int nq;
} queue;

static void push(queue *q, const uint8_t *buf, size_t len)
{
    if (q->nq < QMAX && len <= DGRAM_MAX) {
        memcpy(q->q[q->nq], buf, len);
        q->qlen[q->nq++] = len;
    }
}

/* --- the queue alone --- */

typedef struct {
    veche_sendq_entry e;
    int flushed;
    int order;
} owner;

static int flush_clock;

static void owner_flush(veche_sendq_entry *e)
{
    owner *o = (owner *)e;
    o->flushed++;
    o->order = ++flush_clock;
}

TEST(queue_flushes_each_marked_entry_once)
{
    GMainContext *ctx = g_main_context_new();
    veche_sendq *q = veche_sendq_new(ctx);
    owner a = {.e.flush = owner_flush}, b = {.e.flush = owner_flush},
          c = {.e.flush = owner_flush};
    veche_sendq_mark(q, &a.e);
    veche_sendq_mark(q, &b.e);
    veche_sendq_mark(q, &a.e);   /* already marked */
    veche_sendq_mark(q, &c.e);
    veche_sendq_cancel(q, &b.e); /* its owner went away */
    veche_sendq_flush(q);
    CHECK_EQ_INT(a.flushed, 1);
    CHECK_EQ_INT(b.flushed, 0);
    CHECK_EQ_INT(c.flushed, 1);
    veche_sendq_flush(q);        /* nothing marked any more */
    CHECK_EQ_INT(a.flushed + b.flushed + c.flushed, 2);
    /* The loop flushes before it waits. */
    veche_sendq_mark(q, &b.e);
    g_main_context_iteration(ctx, FALSE);
    CHECK_EQ_INT(b.flushed, 1);
    veche_sendq_mark(q, &c.e);   /* freed while marked: unlinked */
    veche_sendq_free(q);
    CHECK(!c.e.queued);
    g_main_context_unref(ctx);
}

/* --- a transport's batch --- */

static void hook(void *ud, const uint8_t *buf, size_t len) { push(ud, buf, len); }
static void on_candidate(void *ud, const char *c) { (void)ud, (void)c; }
static void on_connected(void *ud) { (void)ud; }
static void on_failed(void *ud, const char *reason) { (void)ud, (void)reason; }
static void on_media(void *ud, uint8_t *buf, size_t len) { (void)ud, (void)buf, (void)len; }
static const veche_transport_callbacks cbs = {on_candidate, on_connected, on_failed,
                                              on_media, on_media};

typedef struct {
    GMainContext *ctx;
    veche_sendq *q;
    veche_dtls_cert *cert;
    veche_transport *t;
    veche_srtp *rx;      /* the peer's side of the keys */
    queue sent;
} fixture;

static void setup(fixture *f)
{
    memset(f, 0, sizeof *f);
    f->ctx = g_main_context_new();
    f->q = veche_sendq_new(f->ctx);
    f->cert = veche_dtls_cert_new();
    veche_transport_config cfg = {
        .ctx = f->ctx, .local_addresses = "127.0.0.1", .cert = f->cert,
        .log_room = "test", .log_peer = "p1", .sendq = f->q,
    };
    f->t = veche_transport_new(&cfg, &cbs, NULL);
    CHECK(f->t != NULL);
    veche_transport_set_send_hook(f->t, hook, &f->sent);
    veche_srtp_keys k = {.profile = VECHE_SRTP_AEAD_AES_128_GCM};
    k.len = veche_srtp_key_len(k.profile);
    for (size_t i = 0; i < k.len; i++) {
        k.local[i] = (uint8_t)(7 * i + 1);
        k.remote[i] = (uint8_t)(13 * i + 5);
    }
    CHECK_EQ_INT(veche_transport_test_connect(f->t, &k), 0);
    veche_srtp_keys peer = k;
    memcpy(peer.local, k.remote, sizeof peer.local);
    memcpy(peer.remote, k.local, sizeof peer.remote);
    f->rx = veche_srtp_new(&peer);
    CHECK(f->rx != NULL);
}

static void teardown(fixture *f)
{
    veche_transport_free(f->t);
    veche_sendq_free(f->q);
    veche_srtp_free(f->rx);
    veche_dtls_cert_unref(f->cert);
    g_main_context_unref(f->ctx);
}

/* Protect and send (or queue) RTP with sequence number seq. */
static void send_seq(fixture *f, uint16_t seq)
{
    uint8_t buf[1300 + VECHE_SRTP_MAX_OVERHEAD];
    memset(buf, 0, sizeof buf);
    buf[0] = 0x80;
    buf[1] = 96;
    veche_rtp_set_seq(buf, seq);
    veche_rtp_set_ssrc(buf, 0x1234);
    memset(buf + 12, (int)(seq & 0xff), 1000);
    CHECK_EQ_INT(veche_transport_send_rtp(f->t, buf, 1012, sizeof buf), 0);
}

/* What the hook got, unprotected: each is seq first + i, in order. */
static void check_sent(fixture *f, int n, uint16_t first)
{
    CHECK_EQ_INT(f->sent.nq, n);
    for (int i = 0; i < f->sent.nq && i < n; i++) {
        size_t len = f->sent.qlen[i];
        CHECK_EQ_INT(veche_srtp_unprotect_rtp(f->rx, f->sent.q[i], &len), 0);
        CHECK_EQ_INT(len, 1012);
        CHECK_EQ_INT((f->sent.q[i][2] << 8) | f->sent.q[i][3], (uint16_t)(first + i));
        CHECK_EQ_INT(f->sent.q[i][500], (first + i) & 0xff);
    }
    f->sent.nq = 0;
}

TEST(transport_batches_rtp_until_flush)
{
    fixture f;
    setup(&f);
    for (int i = 0; i < 5; i++)
        send_seq(&f, (uint16_t)(100 + i));
    CHECK_EQ_INT(f.sent.nq, 0);        /* queued, not sent */
    CHECK_EQ_INT(veche_transport_get_stats(f.t)->rtp_out, 5);
    veche_sendq_flush(f.q);
    check_sent(&f, 5, 100);
    veche_sendq_flush(f.q);            /* nothing twice */
    CHECK_EQ_INT(f.sent.nq, 0);
    teardown(&f);
}

TEST(transport_full_batch_goes_at_once)
{
    fixture f;
    setup(&f);
    for (int i = 0; i < 16; i++)
        send_seq(&f, (uint16_t)(65530 + i));   /* across the wrap */
    check_sent(&f, 16, 65530);         /* without a flush */
    send_seq(&f, 10);
    CHECK_EQ_INT(f.sent.nq, 0);
    g_main_context_iteration(f.ctx, FALSE);   /* the loop's prepare step */
    check_sent(&f, 1, 10);
    teardown(&f);
}

TEST(transport_freed_with_queued_rtp_leaves_queue_clean)
{
    fixture f;
    setup(&f);
    send_seq(&f, 1);
    send_seq(&f, 2);
    veche_transport_free(f.t);
    f.t = NULL;
    veche_sendq_flush(f.q);            /* must not touch the freed transport */
    CHECK_EQ_INT(f.sent.nq, 0);
    teardown(&f);
}

TEST(rtcp_is_not_held)
{
    fixture f;
    setup(&f);
    send_seq(&f, 7);
    uint8_t rtcp[64 + VECHE_SRTP_MAX_OVERHEAD] = {0x81, 201, 0, 1, 0, 0, 0x12, 0x34};
    CHECK_EQ_INT(veche_transport_send_rtcp(f.t, rtcp, 8, sizeof rtcp), 0);
    CHECK_EQ_INT(f.sent.nq, 1);        /* the RTCP; the RTP still queued */
    f.sent.nq = 0;
    veche_sendq_flush(f.q);
    check_sent(&f, 1, 7);
    teardown(&f);
}

/* --- two real ICE agents on loopback --- */

typedef struct {
    veche_ice *self, *other;
    bool connected;
    queue got;
} side;

static void ice_cand(void *ud, const char *cand)
{
    side *s = ud;
    if (cand)
        veche_ice_add_remote_candidate(s->other, cand);
}

static void ice_state(void *ud, veche_ice_state st)
{
    if (st == VECHE_ICE_CONNECTED)
        ((side *)ud)->connected = true;
}

static void ice_recv(void *ud, uint8_t *buf, size_t len) { push(&((side *)ud)->got, buf, len); }

static bool iterate_until(GMainContext *ctx, bool *flag_a, bool *flag_b, int *count,
                          int want)
{
    gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    while (g_get_monotonic_time() < end) {
        if (flag_a && *flag_a && *flag_b)
            return true;
        if (count && *count >= want)
            return true;
        g_main_context_iteration(ctx, FALSE);
        g_usleep(1000);
    }
    return false;
}

TEST(ice_batch_goes_direct_and_arrives_in_order)
{
    GMainContext *ctx = g_main_context_new();
    static side a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    static const veche_ice_callbacks cb = {ice_cand, ice_state, ice_recv};
    veche_ice_config ca = {.ctx = ctx, .local_addresses = "127.0.0.1", .controlling = true};
    veche_ice_config cbc = {.ctx = ctx, .local_addresses = "127.0.0.1", .controlling = false};
    a.self = veche_ice_new(&ca, &cb, &a);
    b.self = veche_ice_new(&cbc, &cb, &b);
    CHECK(a.self && b.self);
    if (!a.self || !b.self)
        goto out;
    a.other = b.self;
    b.other = a.self;
    CHECK_EQ_INT(veche_ice_set_remote_credentials(a.self, veche_ice_local_ufrag(b.self),
                                                  veche_ice_local_pwd(b.self)), 0);
    CHECK_EQ_INT(veche_ice_set_remote_credentials(b.self, veche_ice_local_ufrag(a.self),
                                                  veche_ice_local_pwd(a.self)), 0);
    CHECK(!veche_ice_sends_direct(a.self));
    CHECK_EQ_INT(veche_ice_gather(a.self), 0);
    CHECK_EQ_INT(veche_ice_gather(b.self), 0);
    CHECK(iterate_until(ctx, &a.connected, &b.connected, NULL, 0));
    /* The selected pair is host UDP: sends bypass libnice. */
    for (int i = 0; i < 2000 && !veche_ice_sends_direct(a.self); i++) {
        g_main_context_iteration(ctx, FALSE);
        g_usleep(1000);
    }
    CHECK(veche_ice_sends_direct(a.self));
    CHECK(veche_ice_sends_direct(b.self));
    uint8_t data[20][200];
    const uint8_t *bufs[20];
    size_t lens[20];
    for (int i = 0; i < 20; i++) {
        memset(data[i], 0x80 + i, sizeof data[i]);   /* first byte: not STUN */
        bufs[i] = data[i];
        lens[i] = 100 + (size_t)i;
    }
    CHECK_EQ_INT(veche_ice_send_many(a.self, bufs, lens, 20), 20);
    CHECK(iterate_until(ctx, NULL, NULL, &b.got.nq, 20));
    CHECK_EQ_INT(b.got.nq, 20);
    for (int i = 0; i < b.got.nq; i++) {
        CHECK_EQ_INT(b.got.qlen[i], 100 + i);
        CHECK_EQ_INT(b.got.q[i][0], 0x80 + i);
    }
    CHECK_EQ_INT(veche_ice_send(a.self, data[3], 50), 50);
    CHECK(iterate_until(ctx, NULL, NULL, &b.got.nq, 21));
    CHECK_EQ_INT(b.got.qlen[20], 50);
out:
    veche_ice_free(a.self);
    veche_ice_free(b.self);
    while (g_main_context_iteration(ctx, FALSE))
        ;
    g_main_context_unref(ctx);
}

int main(void)
{
    if (veche_srtp_global_init() != 0) {
        printf("not ok 1 - srtp init\n1..1\n");
        return 1;
    }
    RUN(queue_flushes_each_marked_entry_once);
    RUN(transport_batches_rtp_until_flush);
    RUN(transport_full_batch_goes_at_once);
    RUN(transport_freed_with_queued_rtp_leaves_queue_clean);
    RUN(rtcp_is_not_held);
    RUN(ice_batch_goes_direct_and_arrives_in_order);
    return check_finish();
}
