/* test_dtls.c - DTLS-SRTP handshakes in memory: two veche_dtls wired
 * together through send callbacks that queue datagrams, and a plain OpenSSL
 * client as an independent peer to check the RFC 5764 key layout, the CM
 * profile and SHA-1 fingerprints.  Also fingerprint mismatch, bad
 * arguments, retransmission timers, close_notify and reentrant callbacks. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "check.h"
#include "dtls.h"
#include "err.h"
#include "srtp.h"

#define QMAX 64
#define DGRAM_MAX 2048

typedef struct side side;
struct side {
    veche_dtls *d;
    uint8_t q[QMAX][DGRAM_MAX]; /* datagrams sent, waiting for the peer */
    size_t qlen[QMAX];
    int nq;
    size_t max_dgram;
    int connected;
    int failed;
    char reason[256];
    veche_srtp_keys keys;
    bool close_on_connect; /* call veche_dtls_close() from connected() */
    bool reenter_on_send;  /* call veche_dtls_handle() from send() */
    int reenter_rc;
};

static void on_send(void *ud, const uint8_t *buf, size_t len)
{
    side *s = ud;
    if (len > s->max_dgram)
        s->max_dgram = len;
    if (s->reenter_on_send)
        s->reenter_rc = veche_dtls_handle(s->d, buf, len);
    if (s->nq < QMAX && len <= DGRAM_MAX) {
        memcpy(s->q[s->nq], buf, len);
        s->qlen[s->nq++] = len;
    }
}

static void on_connected(void *ud, const veche_srtp_keys *keys)
{
    side *s = ud;
    s->connected++;
    s->keys = *keys;
    if (s->close_on_connect)
        veche_dtls_close(s->d);
}

static void on_failed(void *ud, const char *reason)
{
    side *s = ud;
    s->failed++;
    snprintf(s->reason, sizeof s->reason, "%s", reason);
}

static const veche_dtls_callbacks cbs = { on_send, on_connected, on_failed };

/* Hand everything `from` has sent to `to`; returns how many datagrams. */
static int deliver(side *from, veche_dtls *to)
{
    int n = from->nq;
    from->nq = 0;
    static uint8_t tmp[DGRAM_MAX];
    for (int i = 0; i < n; i++) {
        memcpy(tmp, from->q[i], from->qlen[i]);
        (void)veche_dtls_handle(to, tmp, from->qlen[i]);
    }
    return n;
}

static void pump(side *a, side *b)
{
    for (int round = 0; round < 50; round++)
        if (deliver(a, b->d) + deliver(b, a->d) == 0)
            break;
}

static veche_dtls *new_side(side *s, veche_dtls_cert *mine, veche_dtls_role role,
                            const char *alg, const char *peer_fp)
{
    memset(s, 0, sizeof *s);
    s->d = veche_dtls_new(mine, role, alg, peer_fp, &cbs, s);
    return s->d;
}

static void lower(char *dst, const char *src)
{
    for (; *src; src++)
        *dst++ = (char)(*src >= 'A' && *src <= 'Z' ? *src - 'A' + 'a' : *src);
    *dst = '\0';
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static veche_dtls_cert *cert_a, *cert_b, *cert_c;

TEST(cert_fingerprint)
{
    const char *fp = veche_dtls_cert_fingerprint(cert_a);
    CHECK(fp != NULL);
    CHECK_EQ_INT(strlen(fp), 95);
    for (size_t i = 0; i < 95; i++) {
        if (i % 3 == 2)
            CHECK(fp[i] == ':');
        else
            CHECK((fp[i] >= '0' && fp[i] <= '9') || (fp[i] >= 'A' && fp[i] <= 'F'));
    }
    CHECK(strcmp(fp, veche_dtls_cert_fingerprint(cert_b)) != 0);
    CHECK(veche_dtls_cert_ref(cert_a) == cert_a);
    veche_dtls_cert_unref(cert_a);
    veche_dtls_cert_unref(NULL);
    CHECK_EQ_STR(veche_dtls_cert_fingerprint(cert_a), fp);
}

TEST(bad_arguments)
{
    side s;
    const char *fp = veche_dtls_cert_fingerprint(cert_b);
    CHECK(new_side(&s, cert_a, VECHE_DTLS_CLIENT, "md5", fp) == NULL);
    CHECK(new_side(&s, cert_a, VECHE_DTLS_CLIENT, NULL, fp) == NULL);
    CHECK(new_side(&s, cert_a, VECHE_DTLS_CLIENT, "sha-1", fp) == NULL); /* 32 bytes */
    CHECK(new_side(&s, cert_a, VECHE_DTLS_CLIENT, "sha-256", "AB:CD") == NULL);
    CHECK(new_side(&s, cert_a, VECHE_DTLS_CLIENT, "sha-256", "zz") == NULL);
    CHECK(new_side(&s, NULL, VECHE_DTLS_CLIENT, "sha-256", fp) == NULL);
    CHECK(veche_dtls_new(cert_a, VECHE_DTLS_CLIENT, "sha-256", fp, NULL, NULL) == NULL);
    veche_dtls_free(NULL);
    CHECK_EQ_INT(veche_dtls_get_state(NULL), VECHE_DTLS_FAILED);
}

TEST(handshake_and_srtp)
{
    static side c, s;
    char fp_lower[128];
    lower(fp_lower, veche_dtls_cert_fingerprint(cert_a));
    CHECK(new_side(&c, cert_a, VECHE_DTLS_CLIENT, "sha-256",
                   veche_dtls_cert_fingerprint(cert_b)) != NULL);
    CHECK(new_side(&s, cert_b, VECHE_DTLS_SERVER, "SHA-256", fp_lower) != NULL);
    if (!c.d || !s.d)
        goto out;
    CHECK_EQ_INT(veche_dtls_get_state(c.d), VECHE_DTLS_NEW);
    CHECK_EQ_INT(veche_dtls_timeout_ms(c.d), -1);
    CHECK_EQ_INT(veche_dtls_start(s.d), 0); /* nothing for a server */
    CHECK_EQ_INT(s.nq, 0);
    CHECK_EQ_INT(veche_dtls_start(c.d), 0);
    CHECK_EQ_INT(veche_dtls_get_state(c.d), VECHE_DTLS_HANDSHAKING);
    CHECK_EQ_INT(c.nq, 1); /* ClientHello */
    int ms = veche_dtls_timeout_ms(c.d);
    CHECK(ms > 0 && ms <= 1000);
    CHECK_EQ_INT(veche_dtls_timeout_ms(s.d), -1);
    pump(&c, &s);
    CHECK_EQ_INT(veche_dtls_get_state(c.d), VECHE_DTLS_CONNECTED);
    CHECK_EQ_INT(veche_dtls_get_state(s.d), VECHE_DTLS_CONNECTED);
    CHECK(c.connected == 1 && s.connected == 1);
    CHECK(c.failed == 0 && s.failed == 0);
    CHECK(c.max_dgram > 0 && c.max_dgram <= 1200 && s.max_dgram <= 1200);
    CHECK_EQ_INT(veche_dtls_timeout_ms(c.d), -1);

    /* Same profile, keys crosswise. */
    CHECK_EQ_INT(c.keys.profile, VECHE_SRTP_AEAD_AES_128_GCM);
    CHECK_EQ_INT(s.keys.profile, c.keys.profile);
    CHECK_EQ_INT(c.keys.len, 28);
    CHECK_EQ_INT(s.keys.len, 28);
    CHECK(memcmp(c.keys.local, s.keys.remote, 28) == 0);
    CHECK(memcmp(c.keys.remote, s.keys.local, 28) == 0);
    CHECK(memcmp(c.keys.local, c.keys.remote, 28) != 0);

    /* SRTP both ways with the exported keys. */
    veche_srtp *sc = veche_srtp_new(&c.keys), *ss = veche_srtp_new(&s.keys);
    CHECK(sc && ss);
    if (sc && ss) {
        uint8_t pkt[64 + VECHE_SRTP_MAX_OVERHEAD] = { 0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1,
                                                       0xca, 0xfe, 0xba, 0xbe, 1, 2, 3, 4 };
        size_t len = 16;
        CHECK_EQ_INT(veche_srtp_protect_rtp(sc, pkt, &len, sizeof pkt), 0);
        CHECK_EQ_INT(veche_srtp_unprotect_rtp(ss, pkt, &len), 0);
        CHECK(len == 16 && pkt[15] == 4);
        CHECK_EQ_INT(veche_srtp_protect_rtp(ss, pkt, &len, sizeof pkt), 0);
        CHECK_EQ_INT(veche_srtp_unprotect_rtp(sc, pkt, &len), 0);
        CHECK(len == 16 && pkt[15] == 4);
    }
    veche_srtp_free(sc);
    veche_srtp_free(ss);

    /* Junk after the handshake is ignored. */
    uint8_t junk[40];
    memset(junk, 23, sizeof junk);
    CHECK_EQ_INT(veche_dtls_handle(s.d, junk, sizeof junk), 0);
    CHECK_EQ_INT(veche_dtls_get_state(s.d), VECHE_DTLS_CONNECTED);

    /* close_notify: the closer is CLOSED quietly, the peer is told. */
    veche_dtls_close(c.d);
    CHECK_EQ_INT(veche_dtls_get_state(c.d), VECHE_DTLS_CLOSED);
    CHECK_EQ_INT(c.nq, 1);
    pump(&c, &s);
    CHECK_EQ_INT(veche_dtls_get_state(s.d), VECHE_DTLS_CLOSED);
    CHECK_EQ_INT(s.failed, 1);
    CHECK_EQ_STR(s.reason, "closed by peer");
    CHECK_EQ_INT(c.failed, 0);
    CHECK_EQ_INT(veche_dtls_timeout_ms(s.d), -1);
out:
    veche_dtls_free(c.d);
    veche_dtls_free(s.d);
}

/* The client is told the wrong fingerprint: it fails, and the server, which
 * had already finished, learns through close_notify. */
TEST(fingerprint_mismatch_client)
{
    static side c, s;
    new_side(&c, cert_a, VECHE_DTLS_CLIENT, "sha-256", veche_dtls_cert_fingerprint(cert_c));
    new_side(&s, cert_b, VECHE_DTLS_SERVER, "sha-256", veche_dtls_cert_fingerprint(cert_a));
    CHECK(c.d && s.d);
    if (c.d && s.d) {
        veche_dtls_start(c.d);
        pump(&c, &s);
        CHECK_EQ_INT(veche_dtls_get_state(c.d), VECHE_DTLS_FAILED);
        CHECK_EQ_INT(c.connected, 0);
        CHECK_EQ_INT(c.failed, 1);
        CHECK_EQ_STR(c.reason, "fingerprint mismatch");
        CHECK(veche_dtls_get_state(s.d) == VECHE_DTLS_CLOSED);
        CHECK_EQ_INT(s.failed, 1);
        uint8_t junk[20] = { 22, 0xfe, 0xfd };
        CHECK_EQ_INT(veche_dtls_handle(c.d, junk, sizeof junk), VECHE_ESTATE);
        CHECK_EQ_INT(veche_dtls_timeout_ms(c.d), -1);
    }
    veche_dtls_free(c.d);
    veche_dtls_free(s.d);
}

/* The server is told a wrong SHA-1 fingerprint: it fails after finishing,
 * and its close_notify reaches the client. */
TEST(fingerprint_mismatch_server)
{
    static side c, s;
    static const char wrong_sha1[] =
        "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33";
    new_side(&c, cert_a, VECHE_DTLS_CLIENT, "sha-256", veche_dtls_cert_fingerprint(cert_b));
    new_side(&s, cert_b, VECHE_DTLS_SERVER, "sha-1", wrong_sha1);
    CHECK(c.d && s.d);
    if (c.d && s.d) {
        veche_dtls_start(c.d);
        pump(&c, &s);
        CHECK_EQ_INT(veche_dtls_get_state(s.d), VECHE_DTLS_FAILED);
        CHECK_EQ_INT(s.connected, 0);
        CHECK_EQ_STR(s.reason, "fingerprint mismatch");
        CHECK(veche_dtls_get_state(c.d) != VECHE_DTLS_CONNECTED);
        CHECK_EQ_INT(c.failed, 1);
    }
    veche_dtls_free(c.d);
    veche_dtls_free(s.d);
}

/* Lost ClientHello: the timer fires, the hello is sent again, the timeout
 * doubles, and the handshake then completes. */
TEST(retransmission)
{
    static side c, s;
    new_side(&c, cert_a, VECHE_DTLS_CLIENT, "sha-256", veche_dtls_cert_fingerprint(cert_b));
    new_side(&s, cert_b, VECHE_DTLS_SERVER, "sha-256", veche_dtls_cert_fingerprint(cert_a));
    CHECK(c.d && s.d);
    if (c.d && s.d) {
        veche_dtls_handle_timeout(c.d); /* NEW: nothing to do */
        CHECK_EQ_INT(c.nq, 0);
        veche_dtls_start(c.d);
        CHECK_EQ_INT(c.nq, 1);
        c.nq = 0; /* lost */
        veche_dtls_handle_timeout(c.d); /* not due yet */
        CHECK_EQ_INT(c.nq, 0);
        int ms = veche_dtls_timeout_ms(c.d);
        CHECK(ms > 0 && ms <= 1000);
        sleep_ms(ms + 20);
        CHECK_EQ_INT(veche_dtls_timeout_ms(c.d), 0);
        veche_dtls_handle_timeout(c.d);
        CHECK_EQ_INT(c.nq, 1);
        ms = veche_dtls_timeout_ms(c.d);
        CHECK(ms > 1000 && ms <= 2000);
        pump(&c, &s);
        CHECK_EQ_INT(veche_dtls_get_state(c.d), VECHE_DTLS_CONNECTED);
        CHECK_EQ_INT(veche_dtls_get_state(s.d), VECHE_DTLS_CONNECTED);
    }
    veche_dtls_free(c.d);
    veche_dtls_free(s.d);
}

/* Callbacks that call back in: a datagram fed from send() is dropped, a
 * close from connected() happens once the outer call returns. */
TEST(reentrant_callbacks)
{
    static side c, s;
    new_side(&c, cert_a, VECHE_DTLS_CLIENT, "sha-256", veche_dtls_cert_fingerprint(cert_b));
    new_side(&s, cert_b, VECHE_DTLS_SERVER, "sha-256", veche_dtls_cert_fingerprint(cert_a));
    CHECK(c.d && s.d);
    if (c.d && s.d) {
        c.reenter_on_send = true;
        s.close_on_connect = true;
        veche_dtls_start(c.d);
        CHECK_EQ_INT(c.reenter_rc, 0);
        CHECK_EQ_INT(veche_dtls_get_state(c.d), VECHE_DTLS_HANDSHAKING);
        c.reenter_on_send = false;
        pump(&c, &s);
        CHECK_EQ_INT(s.connected, 1);
        CHECK_EQ_INT(veche_dtls_get_state(s.d), VECHE_DTLS_CLOSED);
        CHECK_EQ_INT(s.failed, 0);
        CHECK_EQ_INT(veche_dtls_get_state(c.d), VECHE_DTLS_CLOSED);
        CHECK_EQ_INT(c.failed, 1);
    }
    veche_dtls_free(c.d);
    veche_dtls_free(s.d);
}

/* ---- a plain OpenSSL client as the peer ---- */

typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *rb, *wb;
    char fp_sha1[64];
} raw_peer;

static bool raw_new(raw_peer *r, const char *srtp_profiles)
{
    memset(r, 0, sizeof *r);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    bool ok = key && x && n;
    ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(x), 42) == 1;
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), 0) && X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    ok = ok && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"raw", -1, -1, 0);
    ok = ok && X509_set_subject_name(x, n) && X509_set_issuer_name(x, n) && X509_set_pubkey(x, key);
    ok = ok && X509_sign(x, key, EVP_sha256()) > 0;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    ok = ok && X509_digest(x, EVP_sha1(), md, &mdlen) == 1;
    for (unsigned i = 0; ok && i < mdlen; i++)
        sprintf(r->fp_sha1 + 3 * i, i + 1 < mdlen ? "%02x:" : "%02x", md[i]);
    ok = ok && (r->ctx = SSL_CTX_new(DTLS_client_method())) != NULL;
    ok = ok && SSL_CTX_use_certificate(r->ctx, x) == 1 && SSL_CTX_use_PrivateKey(r->ctx, key) == 1;
    ok = ok && (!srtp_profiles || SSL_CTX_set_tlsext_use_srtp(r->ctx, srtp_profiles) == 0);
    ok = ok && (r->ssl = SSL_new(r->ctx)) != NULL;
    ok = ok && (r->rb = BIO_new(BIO_s_mem())) && (r->wb = BIO_new(BIO_s_mem()));
    if (ok) {
        BIO_set_mem_eof_return(r->rb, -1);
        SSL_set_bio(r->ssl, r->rb, r->wb);
        SSL_set_options(r->ssl, SSL_OP_NO_QUERY_MTU);
        SSL_set_mtu(r->ssl, 1200);
        SSL_set_connect_state(r->ssl);
    }
    X509_free(x);
    X509_NAME_free(n);
    EVP_PKEY_free(key);
    return ok;
}

static void raw_free(raw_peer *r)
{
    SSL_free(r->ssl);
    SSL_CTX_free(r->ctx);
}

/* Run the raw client against a veche server until neither sends. */
static void raw_pump(raw_peer *r, side *s)
{
    for (int round = 0; round < 50; round++) {
        (void)SSL_do_handshake(r->ssl);
        ERR_clear_error();
        uint8_t buf[8192];
        int n = BIO_read(r->wb, buf, sizeof buf);
        bool moved = false;
        if (n > 0) {
            (void)veche_dtls_handle(s->d, buf, (size_t)n);
            moved = true;
        }
        for (int i = 0; i < s->nq; i++)
            BIO_write(r->rb, s->q[i], (int)s->qlen[i]);
        moved = moved || s->nq > 0;
        s->nq = 0;
        if (!moved)
            break;
    }
}

/* CM profile, SHA-1 fingerprint, and the RFC 5764 4.2 layout checked
 * against OpenSSL's own export on the other side. */
TEST(raw_openssl_client)
{
    static side s;
    raw_peer r;
    CHECK(raw_new(&r, "SRTP_AES128_CM_SHA1_80"));
    CHECK(new_side(&s, cert_b, VECHE_DTLS_SERVER, "sha-1", r.fp_sha1) != NULL);
    if (r.ssl && s.d) {
        raw_pump(&r, &s);
        CHECK_EQ_INT(SSL_is_init_finished(r.ssl), 1);
        CHECK_EQ_INT(veche_dtls_get_state(s.d), VECHE_DTLS_CONNECTED);
        CHECK_EQ_INT(s.keys.profile, VECHE_SRTP_AES128_CM_SHA1_80);
        CHECK_EQ_INT(s.keys.len, 30);
        uint8_t km[60];
        CHECK_EQ_INT(SSL_export_keying_material(r.ssl, km, sizeof km, "EXTRACTOR-dtls_srtp",
                                                19, NULL, 0, 0), 1);
        /* client key, server key, client salt, server salt */
        CHECK(memcmp(s.keys.remote, km, 16) == 0);
        CHECK(memcmp(s.keys.remote + 16, km + 32, 14) == 0);
        CHECK(memcmp(s.keys.local, km + 16, 16) == 0);
        CHECK(memcmp(s.keys.local + 16, km + 46, 14) == 0);
    }
    veche_dtls_free(s.d);
    raw_free(&r);
}

/* A client that offers no SRTP profile: the server fails after the
 * handshake instead of reporting keys. */
TEST(raw_client_without_srtp)
{
    static side s;
    raw_peer r;
    CHECK(raw_new(&r, NULL));
    CHECK(new_side(&s, cert_b, VECHE_DTLS_SERVER, "sha-1", r.fp_sha1) != NULL);
    if (r.ssl && s.d) {
        raw_pump(&r, &s);
        CHECK_EQ_INT(veche_dtls_get_state(s.d), VECHE_DTLS_FAILED);
        CHECK_EQ_INT(s.connected, 0);
        CHECK(strstr(s.reason, "SRTP") != NULL);
    }
    veche_dtls_free(s.d);
    raw_free(&r);
}

int main(void)
{
    cert_a = veche_dtls_cert_new();
    cert_b = veche_dtls_cert_new();
    cert_c = veche_dtls_cert_new();
    if (!cert_a || !cert_b || !cert_c || veche_srtp_global_init() != 0) {
        printf("Bail out! setup failed\n");
        return 1;
    }
    RUN(cert_fingerprint);
    RUN(bad_arguments);
    RUN(handshake_and_srtp);
    RUN(fingerprint_mismatch_client);
    RUN(fingerprint_mismatch_server);
    RUN(retransmission);
    RUN(reentrant_callbacks);
    RUN(raw_openssl_client);
    RUN(raw_client_without_srtp);
    veche_dtls_cert_unref(cert_a);
    veche_dtls_cert_unref(cert_b);
    veche_dtls_cert_unref(cert_c);
    return check_finish();
}
