/* transport.c - a WebRTC transport: ICE (ice.c) + DTLS-SRTP (dtls.c,
 * srtp.c) and the RFC 7983 demux of what arrives.
 *
 *   datagram from libnice
 *     first byte 0..3     STUN that libnice did not take: counted, dropped
 *     first byte 20..63   DTLS record -> veche_dtls_handle()
 *     first byte 128..191 SRTP or SRTCP (RFC 5761 by the packet type) ->
 *                         unprotect in place -> on_rtp / on_rtcp
 *     anything else       counted as garbage, dropped
 *
 * The DTLS client starts its handshake once ICE is connected.  DTLS that
 * arrives before then (a browser's ClientHello can come the moment its own
 * ICE check succeeded, before ours did and before libnice can send) is
 * held, a few datagrams at most, and handed to DTLS once ICE is connected
 * and the remote fingerprint known: answered at once instead of after
 * OpenSSL's one-second retransmission of a flight libnice refused.  A transport
 * that is not connected within VECHE_TRANSPORT_CONNECT_TIMEOUT_MS fails.
 * No allocation on the packet path: packets are unprotected in libnice's
 * receive buffer and protected in the caller's.
 * Batching (sendq.h): with a sendq, protected RTP is copied into the
 * transport's batch (BATCH_MAX slots, allocated once at its first RTP) and the
 * batch goes to ice.c in one call, one sendmmsg, when the thread's loop
 * is about to wait or the batch is full: a key frame's packets, or all a
 * publisher's packets one wake-up read, reach a subscriber in one system
 * call instead of one each.
 */
#include "transport.h"

#include <string.h>

#include "err.h"
#include "ice.h"
#include "log.h"
#include "rtp.h"
#include "srtp.h"

#define VECHE_TRANSPORT_CONNECT_TIMEOUT_MS 30000
/* DTLS held until ICE is connected: a ClientHello is two datagrams. */
#define EARLY_DTLS_MAX 4
#define EARLY_DTLS_BYTES 2048
/* Batched RTP (sendq.h): slots of the largest protected packet. */
#define BATCH_MAX 16
#define BATCH_SLOT (VECHE_RTP_MAX_PACKET + 2 + VECHE_SRTP_MAX_OVERHEAD)

struct veche_transport {
    veche_transport_callbacks cb;
    void *ud;
    GMainContext *ctx;
    veche_ice *ice;
    veche_dtls_cert *cert;
    veche_mstats *ms;           /* the worker's counters, or NULL */
    veche_dtls *dtls;
    veche_srtp *srtp;
    veche_dtls_role role;
    bool remote_set;
    bool ice_connected;
    bool connected;
    bool failed;
    bool gathering_done;
    GPtrArray *local_candidates;  /* char*, NULL-terminated */
    GSource *dtls_timer;
    GSource *connect_timer;
    uint8_t *early_dtls[EARLY_DTLS_MAX];  /* owned; held until ICE connects */
    size_t early_dtls_len[EARLY_DTLS_MAX];
    unsigned n_early_dtls;
    veche_transport_stats stats;
    veche_sendq *sendq;         /* borrowed, or NULL: no batching */
    veche_sendq_entry sendq_entry;
    uint8_t *batch;             /* owned: BATCH_MAX slots, from the first RTP on */
    size_t batch_len[BATCH_MAX];
    unsigned n_batch;
    veche_transport_send_hook send_hook;  /* tests only: instead of ice */
    void *send_hook_ud;
    char *log_room;
    char *log_peer;
};

static void transport_fail(veche_transport *t, const char *reason)
{
    if (t->failed)
        return;
    t->failed = true;
    t->connected = false;
    VLOG_INFO(t->log_room, t->log_peer, "transport failed: %s", reason);
    t->cb.on_failed(t->ud, reason);
}

static void clear_source(GSource **s)
{
    if (*s) {
        g_source_destroy(*s);
        g_source_unref(*s);
        *s = NULL;
    }
}

static gboolean on_dtls_timer(gpointer data);

/* Re-arm the DTLS retransmission timer after any DTLS activity. */
static void arm_dtls_timer(veche_transport *t)
{
    clear_source(&t->dtls_timer);
    if (!t->dtls || t->failed)
        return;
    int ms = veche_dtls_timeout_ms(t->dtls);
    if (ms < 0)
        return;
    t->dtls_timer = g_timeout_source_new(ms > 0 ? (guint)ms : 1);
    g_source_set_callback(t->dtls_timer, on_dtls_timer, t, NULL);
    g_source_attach(t->dtls_timer, t->ctx);
}

static gboolean on_dtls_timer(gpointer data)
{
    veche_transport *t = data;
    g_source_unref(t->dtls_timer);
    t->dtls_timer = NULL;
    veche_dtls_handle_timeout(t->dtls);
    arm_dtls_timer(t);
    return G_SOURCE_REMOVE;
}

static gboolean on_connect_timeout(gpointer data)
{
    veche_transport *t = data;
    g_source_unref(t->connect_timer);
    t->connect_timer = NULL;
    if (!t->connected)
        transport_fail(t, t->ice_connected ? "DTLS handshake timed out"
                                           : "ICE connectivity checks timed out");
    return G_SOURCE_REMOVE;
}

/* Hand a datagram to the ICE agent (or a test's send hook). */
static int transport_send(veche_transport *t, const uint8_t *buf, size_t len)
{
    if (t->send_hook) {
        t->send_hook(t->send_hook_ud, buf, len);
        return 0;
    }
    return veche_ice_send(t->ice, buf, len) < 0 ? -1 : 0;
}

/* Send the batch: one call to ice.c (one sendmmsg), or the test hook. */
static void batch_flush(veche_transport *t)
{
    unsigned n = t->n_batch;
    if (n == 0)
        return;
    t->n_batch = 0;
    if (t->sendq)
        veche_sendq_cancel(t->sendq, &t->sendq_entry);
    const uint8_t *bufs[BATCH_MAX];
    for (unsigned i = 0; i < n; i++)
        bufs[i] = t->batch + (size_t)i * BATCH_SLOT;
    unsigned sent = n;
    if (t->send_hook) {
        for (unsigned i = 0; i < n; i++)
            t->send_hook(t->send_hook_ud, bufs[i], t->batch_len[i]);
    } else {
        int r = veche_ice_send_many(t->ice, bufs, t->batch_len, n);
        sent = r > 0 ? (unsigned)r : 0;
    }
    if (sent < n) {
        t->stats.send_errors += n - sent;
        VECHE_MSTATS_ADD(t->ms, send_errors, n - sent);
    }
}

static void on_sendq_flush(veche_sendq_entry *e)
{
    veche_transport *t = (veche_transport *)((char *)e - offsetof(veche_transport, sendq_entry));
    batch_flush(t);
}

/* Queue a protected datagram in the batch; false when it cannot be. */
static bool batch_put(veche_transport *t, const uint8_t *buf, size_t len)
{
    if (!t->sendq || len > BATCH_SLOT || t->failed)
        return false;
    if (!t->batch)  /* once, at the first RTP: publishers send none */
        t->batch = g_malloc((size_t)BATCH_MAX * BATCH_SLOT);
    memcpy(t->batch + (size_t)t->n_batch * BATCH_SLOT, buf, len);
    t->batch_len[t->n_batch++] = len;
    if (t->n_batch == BATCH_MAX)
        batch_flush(t);
    else
        veche_sendq_mark(t->sendq, &t->sendq_entry);
    return true;
}

/* DTLS before ICE is connected or before the remote fingerprint is known:
 * keep a copy (handshake only, never media) to hand over later. */
static void hold_early_dtls(veche_transport *t, const uint8_t *buf, size_t len)
{
    if (t->n_early_dtls == EARLY_DTLS_MAX || len > EARLY_DTLS_BYTES) {
        t->stats.dropped_garbage++;  /* the peer retransmits it */
        return;
    }
    t->early_dtls[t->n_early_dtls] = g_memdup2(buf, len);
    t->early_dtls_len[t->n_early_dtls++] = len;
}

/* Hand the held DTLS to the handshake once it can be answered. */
static void feed_early_dtls(veche_transport *t)
{
    if (!t->dtls || !t->ice_connected || t->n_early_dtls == 0)
        return;
    unsigned n = t->n_early_dtls;
    t->n_early_dtls = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!t->failed)
            veche_dtls_handle(t->dtls, t->early_dtls[i], t->early_dtls_len[i]);
        g_free(t->early_dtls[i]);
        t->early_dtls[i] = NULL;
    }
    arm_dtls_timer(t);
}

/* --- DTLS callbacks --- */

static void dtls_send(void *ud, const uint8_t *buf, size_t len)
{
    veche_transport *t = ud;
    if (transport_send(t, buf, len) < 0) {
        t->stats.send_errors++;
        VECHE_MSTATS_ADD(t->ms, send_errors, 1);
    }
}

static void dtls_connected(void *ud, const veche_srtp_keys *keys)
{
    veche_transport *t = ud;
    t->srtp = veche_srtp_new(keys);
    if (!t->srtp) {
        transport_fail(t, "SRTP setup failed");
        return;
    }
    t->connected = true;
    clear_source(&t->connect_timer);
    VLOG_INFO(t->log_room, t->log_peer, "dtls-srtp connected (profile %d)", keys->profile);
    t->cb.on_connected(t->ud);
}

static void dtls_failed(void *ud, const char *reason)
{
    veche_transport *t = ud;
    transport_fail(t, reason);
}

/* --- ICE callbacks --- */

static void ice_candidate(void *ud, const char *candidate)
{
    veche_transport *t = ud;
    if (!candidate) {
        t->gathering_done = true;
    } else {
        g_ptr_array_remove_index(t->local_candidates, t->local_candidates->len - 1);
        g_ptr_array_add(t->local_candidates, g_strdup(candidate));
        g_ptr_array_add(t->local_candidates, NULL);
    }
    t->cb.on_candidate(t->ud, candidate);
}

static void ice_state(void *ud, veche_ice_state state)
{
    veche_transport *t = ud;
    if (state == VECHE_ICE_FAILED) {
        transport_fail(t, "ICE failed");
        return;
    }
    if (state != VECHE_ICE_CONNECTED || t->ice_connected)
        return;
    t->ice_connected = true;
    VLOG_DEBUG(t->log_room, t->log_peer, "ice connected");
    if (t->dtls && t->role == VECHE_DTLS_CLIENT) {
        veche_dtls_start(t->dtls);
        arm_dtls_timer(t);
    }
    feed_early_dtls(t);
}

static void handle_srtp(veche_transport *t, uint8_t *buf, size_t len)
{
    if (!t->srtp) {
        t->stats.dropped_unprotect++;
        VECHE_MSTATS_ADD(t->ms, dropped_unprotect, 1);
        return;
    }
    bool rtcp = veche_rtp_is_rtcp(buf, len);
    int rc = rtcp ? veche_srtp_unprotect_rtcp(t->srtp, buf, &len)
                  : veche_srtp_unprotect_rtp(t->srtp, buf, &len);
    if (rc != 0) {
        t->stats.dropped_unprotect++;
        VECHE_MSTATS_ADD(t->ms, dropped_unprotect, 1);
        return;
    }
    t->stats.bytes_in += len;
    VECHE_MSTATS_ADD(t->ms, bytes_in, len);
    if (rtcp) {
        t->stats.rtcp_in++;
        VECHE_MSTATS_ADD(t->ms, rtcp_in, 1);
        t->cb.on_rtcp(t->ud, buf, len);
    } else {
        t->stats.rtp_in++;
        VECHE_MSTATS_ADD(t->ms, rtp_in, 1);
        t->cb.on_rtp(t->ud, buf, len);
    }
}

static void ice_recv(void *ud, uint8_t *buf, size_t len)
{
    veche_transport *t = ud;
    if (t->failed || len == 0)
        return;
    uint8_t b = buf[0];
    if (b >= 20 && b <= 63) {
        if (t->dtls && t->ice_connected) {
            veche_dtls_handle(t->dtls, buf, len);
            arm_dtls_timer(t);
        } else {
            hold_early_dtls(t, buf, len);
        }
    } else if (b >= 128 && b <= 191 && len >= VECHE_RTP_HEADER_MIN) {
        handle_srtp(t, buf, len);
    } else {
        t->stats.dropped_garbage++;
        VECHE_MSTATS_ADD(t->ms, dropped_garbage, 1);
    }
}

veche_transport *veche_transport_new(const veche_transport_config *cfg,
                                     const veche_transport_callbacks *cb, void *ud)
{
    veche_transport *t = g_new0(veche_transport, 1);
    t->cb = *cb;
    t->ud = ud;
    t->ctx = cfg->ctx;
    t->cert = veche_dtls_cert_ref(cfg->cert);
    t->ms = cfg->mstats;
    t->sendq = cfg->sendq;
    t->sendq_entry.flush = on_sendq_flush;
    t->log_room = g_strdup(cfg->log_room);
    t->log_peer = g_strdup(cfg->log_peer);
    t->local_candidates = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(t->local_candidates, NULL);
    veche_ice_config icfg = {
        .ctx = cfg->ctx, .local_addresses = cfg->local_addresses,
        .port_min = cfg->port_min, .port_max = cfg->port_max,
        .stun_server = cfg->stun_server, .stun_port = cfg->stun_port,
        .public_address = cfg->public_address, .controlling = cfg->controlling,
        .tcp = cfg->ice_tcp, .recv_buffer_kb = cfg->recv_buffer_kb, .send_buffer_kb = cfg->send_buffer_kb,
    };
    static const veche_ice_callbacks icb = {
        .on_candidate = ice_candidate, .on_state = ice_state, .on_recv = ice_recv,
    };
    t->ice = veche_ice_new(&icfg, &icb, t);
    if (!t->ice) {
        veche_transport_free(t);
        return NULL;
    }
    t->connect_timer = g_timeout_source_new(VECHE_TRANSPORT_CONNECT_TIMEOUT_MS);
    g_source_set_callback(t->connect_timer, on_connect_timeout, t, NULL);
    g_source_attach(t->connect_timer, t->ctx);
    return t;
}

void veche_transport_free(veche_transport *t)
{
    if (!t)
        return;
    clear_source(&t->dtls_timer);
    clear_source(&t->connect_timer);
    if (t->sendq)
        veche_sendq_cancel(t->sendq, &t->sendq_entry);
    g_free(t->batch);
    for (unsigned i = 0; i < t->n_early_dtls; i++)
        g_free(t->early_dtls[i]);
    veche_ice_free(t->ice);
    veche_dtls_free(t->dtls);
    veche_srtp_free(t->srtp);
    veche_dtls_cert_unref(t->cert);
    g_ptr_array_free(t->local_candidates, TRUE);
    g_free(t->log_room);
    g_free(t->log_peer);
    g_free(t);
}

int veche_transport_gather(veche_transport *t) { return veche_ice_gather(t->ice); }
const char *veche_transport_local_ufrag(const veche_transport *t)
{
    return veche_ice_local_ufrag(t->ice);
}
const char *veche_transport_local_pwd(const veche_transport *t)
{
    return veche_ice_local_pwd(t->ice);
}
const char *const *veche_transport_local_candidates(const veche_transport *t)
{
    return (const char *const *)t->local_candidates->pdata;
}
bool veche_transport_gathering_done(const veche_transport *t) { return t->gathering_done; }
bool veche_transport_is_connected(const veche_transport *t) { return t->connected; }
const veche_transport_stats *veche_transport_get_stats(const veche_transport *t)
{
    return &t->stats;
}

int veche_transport_set_remote(veche_transport *t, const char *ufrag, const char *pwd,
                               const char *fp_alg, const char *fingerprint,
                               veche_dtls_role role)
{
    if (t->remote_set)
        return VECHE_ESTATE;
    if (!fp_alg || !fingerprint)
        return VECHE_EINVAL;
    int rc = veche_ice_set_remote_credentials(t->ice, ufrag, pwd);
    if (rc != 0)
        return rc;
    static const veche_dtls_callbacks dcb = {
        .send = dtls_send, .connected = dtls_connected, .failed = dtls_failed,
    };
    t->dtls = veche_dtls_new(t->cert, role, fp_alg, fingerprint, &dcb, t);
    if (!t->dtls)
        return VECHE_EINVAL;
    t->role = role;
    t->remote_set = true;
    if (t->ice_connected && role == VECHE_DTLS_CLIENT) {
        veche_dtls_start(t->dtls);
        arm_dtls_timer(t);
    }
    feed_early_dtls(t);
    return 0;
}

int veche_transport_add_remote_candidate(veche_transport *t, const char *candidate)
{
    return veche_ice_add_remote_candidate(t->ice, candidate);
}

int veche_transport_send_rtp(veche_transport *t, uint8_t *buf, size_t len, size_t cap)
{
    if (!t->connected)
        return VECHE_ESTATE;
    int rc = veche_srtp_protect_rtp(t->srtp, buf, &len, cap);
    if (rc != 0)
        return rc;
    if (!batch_put(t, buf, len) && transport_send(t, buf, len) < 0) {
        t->stats.send_errors++;
        VECHE_MSTATS_ADD(t->ms, send_errors, 1);
        return VECHE_EIO;
    }
    t->stats.rtp_out++;
    t->stats.bytes_out += len;
    VECHE_MSTATS_ADD(t->ms, rtp_out, 1);
    VECHE_MSTATS_ADD(t->ms, bytes_out, len);
    return 0;
}

void veche_transport_forget_ssrc(veche_transport *t, uint32_t ssrc)
{
    if (t && t->srtp)
        veche_srtp_forget_outbound(t->srtp, ssrc);
}

int veche_transport_send_rtcp(veche_transport *t, uint8_t *buf, size_t len, size_t cap)
{
    if (!t->connected)
        return VECHE_ESTATE;
    int rc = veche_srtp_protect_rtcp(t->srtp, buf, &len, cap);
    if (rc != 0)
        return rc;
    if (transport_send(t, buf, len) < 0) {
        t->stats.send_errors++;
        VECHE_MSTATS_ADD(t->ms, send_errors, 1);
        return VECHE_EIO;
    }
    t->stats.rtcp_out++;
    t->stats.bytes_out += len;
    VECHE_MSTATS_ADD(t->ms, rtcp_out, 1);
    VECHE_MSTATS_ADD(t->ms, bytes_out, len);
    return 0;
}

/* --- test seams (transport.h) --- */

void veche_transport_set_send_hook(veche_transport *t, veche_transport_send_hook hook,
                                   void *ud)
{
    t->send_hook = hook;
    t->send_hook_ud = ud;
}

int veche_transport_test_connect(veche_transport *t, const veche_srtp_keys *keys)
{
    if (t->connected || t->failed)
        return VECHE_ESTATE;
    t->ice_connected = true;
    dtls_connected(t, keys);
    return t->connected ? 0 : VECHE_ECRYPTO;
}

void veche_transport_test_receive(veche_transport *t, uint8_t *buf, size_t len)
{
    ice_recv(t, buf, len);
}

void veche_transport_test_ice_connected(veche_transport *t)
{
    ice_state(t, VECHE_ICE_CONNECTED);
}
