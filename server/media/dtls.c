/* dtls.c - DTLS 1.2 handshake for DTLS-SRTP (RFC 6347, 5763, 5764, 7714)
 * with OpenSSL 3.0.
 *
 * Does: generate the self-signed ECDSA P-256 certificate shared by all
 * sessions, run the handshake in either role, check the peer certificate
 * against the SDP fingerprint once the handshake is done, export the SRTP
 * keys, notice the peer's close_notify and send ours (also when the
 * fingerprint does not match, so that the peer gives up at once).
 * Does not: do socket I/O or own timers (the caller feeds datagrams in and
 * drives retransmission), carry application data (it is read and dropped),
 * or use cookie exchange (ICE already proved the peer's address).
 *
 * I/O: records are read from a memory BIO the caller's datagrams are written
 * into, and written through a small custom BIO whose every write is one
 * datagram handed to the send callback.  OpenSSL packs a flight's records
 * into datagrams no larger than the MTU set below, so boundaries are kept.
 */
#include "dtls.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "err.h"
#include "log.h"

#define DTLS_MTU 1200
#define CERT_DAYS 30
#define SRTP_PROFILES "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
#define CIPHERS "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" \
                "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:"       \
                "ECDHE-ECDSA-AES256-SHA"
#define EXPORTER_LABEL "EXTRACTOR-dtls_srtp"

struct veche_dtls_cert {
    atomic_int refs;
    SSL_CTX *ctx;         /* holds the key and certificate */
    BIO_METHOD *bio_meth; /* the datagram-per-write BIO, see bio_write() */
    char fingerprint[EVP_MAX_MD_SIZE * 3];
};

struct veche_dtls {
    veche_dtls_cert *cert;
    SSL *ssl;
    BIO *rbio; /* memory BIO, owned by ssl */
    veche_dtls_role role;
    veche_dtls_state state;
    veche_dtls_callbacks cb;
    void *ud;
    const EVP_MD *fp_md;
    uint8_t fp[EVP_MAX_MD_SIZE];
    unsigned fp_len;
    bool busy;          /* inside one of our entry points: no reentry */
    bool close_pending; /* veche_dtls_close() called from a callback */
};

/* ---- errors ---- */

/* Format the first queued OpenSSL error (or `fallback`) into buf and clear
 * the queue. */
static const char *ssl_error_string(char *buf, size_t cap, const char *fallback)
{
    unsigned long e = ERR_get_error();
    if (e != 0)
        ERR_error_string_n(e, buf, cap);
    else
        snprintf(buf, cap, "%s", fallback);
    ERR_clear_error();
    return buf;
}

/* ---- certificate ---- */

/* Fill `out` with "AB:CD:..." for the digest bytes. */
static void format_fingerprint(const uint8_t *md, unsigned n, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    char *p = out;
    for (unsigned i = 0; i < n; i++) {
        if (i)
            *p++ = ':';
        *p++ = hex[md[i] >> 4];
        *p++ = hex[md[i] & 15];
    }
    *p = '\0';
}

/* A self-signed X509 for `pkey`: CN "veche", random 64-bit serial, valid
 * from a day ago for CERT_DAYS days, SHA-256 signature. */
static X509 *make_x509(EVP_PKEY *pkey)
{
    X509 *x = X509_new();
    BIGNUM *bn = BN_new();
    X509_NAME *name = X509_NAME_new();
    bool ok = x && bn && name;
    ok = ok && X509_set_version(x, X509_VERSION_3) == 1;
    ok = ok && BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1;
    ok = ok && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    time_t now = time(NULL);
    ok = ok && X509_time_adj(X509_getm_notBefore(x), -24L * 3600, &now) != NULL;
    ok = ok && X509_time_adj(X509_getm_notAfter(x), CERT_DAYS * 24L * 3600, &now) != NULL;
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                          (const unsigned char *)"veche", -1, -1, 0) == 1;
    ok = ok && X509_set_subject_name(x, name) == 1;
    ok = ok && X509_set_issuer_name(x, name) == 1;
    ok = ok && X509_set_pubkey(x, pkey) == 1;
    ok = ok && X509_sign(x, pkey, EVP_sha256()) > 0;
    BN_free(bn);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Accept any certificate chain: the peer's is self-signed and is checked
 * against the SDP fingerprint once the handshake is done. */
static int verify_any(int preverify_ok, X509_STORE_CTX *store)
{
    (void)preverify_ok;
    (void)store;
    return 1;
}

static int bio_write(BIO *b, const char *data, int len);
static long bio_ctrl(BIO *b, int cmd, long num, void *ptr);
static int bio_create(BIO *b);

/* The SSL_CTX every session made with this certificate uses. */
static SSL_CTX *make_ctx(EVP_PKEY *pkey, X509 *x)
{
    SSL_CTX *ctx = SSL_CTX_new(DTLS_method());
    bool ok = ctx != NULL;
    ok = ok && SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) == 1;
    ok = ok && SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) == 1;
    ok = ok && SSL_CTX_set_cipher_list(ctx, CIPHERS) == 1;
    ok = ok && SSL_CTX_use_certificate(ctx, x) == 1;
    ok = ok && SSL_CTX_use_PrivateKey(ctx, pkey) == 1;
    ok = ok && SSL_CTX_check_private_key(ctx) == 1;
    /* Note: returns 0 on success. */
    ok = ok && SSL_CTX_set_tlsext_use_srtp(ctx, SRTP_PROFILES) == 0;
    if (!ok) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_any);
    SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
    return ctx;
}

veche_dtls_cert *veche_dtls_cert_new(void)
{
    char ebuf[256];
    veche_dtls_cert *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    atomic_init(&c->refs, 1);
    EVP_PKEY *pkey = EVP_EC_gen("P-256");
    X509 *x = pkey ? make_x509(pkey) : NULL;
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    bool ok = x && X509_digest(x, EVP_sha256(), md, &mdlen) == 1;
    if (ok) {
        format_fingerprint(md, mdlen, c->fingerprint);
        c->ctx = make_ctx(pkey, x);
        ok = c->ctx != NULL;
    }
    if (ok) {
        int type = BIO_get_new_index();
        c->bio_meth = type > 0 ? BIO_meth_new(type | BIO_TYPE_SOURCE_SINK, "veche-dtls") : NULL;
        ok = c->bio_meth && BIO_meth_set_write(c->bio_meth, bio_write) == 1 &&
             BIO_meth_set_ctrl(c->bio_meth, bio_ctrl) == 1 &&
             BIO_meth_set_create(c->bio_meth, bio_create) == 1;
    }
    X509_free(x);      /* the SSL_CTX holds its own references */
    EVP_PKEY_free(pkey);
    if (!ok) {
        VLOG_WARN(NULL, NULL, "dtls: certificate generation failed: %s",
                  ssl_error_string(ebuf, sizeof ebuf, "unknown error"));
        veche_dtls_cert_unref(c);
        return NULL;
    }
    return c;
}

veche_dtls_cert *veche_dtls_cert_ref(veche_dtls_cert *c)
{
    if (c)
        atomic_fetch_add(&c->refs, 1);
    return c;
}

void veche_dtls_cert_unref(veche_dtls_cert *c)
{
    if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    SSL_CTX_free(c->ctx);
    BIO_meth_free(c->bio_meth);
    free(c);
}

const char *veche_dtls_cert_fingerprint(const veche_dtls_cert *c)
{
    return c ? c->fingerprint : NULL;
}

/* ---- the send BIO ---- */

static int bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    return 1;
}

/* One write from OpenSSL's DTLS record layer is one datagram. */
static int bio_write(BIO *b, const char *data, int len)
{
    veche_dtls *d = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    if (len <= 0)
        return 0;
    if (d && d->cb.send)
        d->cb.send(d->ud, (const uint8_t *)data, (size_t)len);
    return len;
}

/* Answer what the DTLS code asks a datagram BIO: flushing always succeeds,
 * nothing is ever pending, the MTU is set on the SSL, not discovered. */
static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)b;
    (void)num;
    (void)ptr;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_DGRAM_QUERY_MTU:
        return DTLS_MTU;
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return 0;
    default: /* PENDING, WPENDING, DGRAM_MTU_EXCEEDED, DGRAM_GET_PEER, ... */
        return 0;
    }
}

/* ---- sessions ---- */

/* The digest for an SDP fingerprint algorithm name (RFC 8122), or NULL. */
static const EVP_MD *md_from_name(const char *alg)
{
    return !alg                            ? NULL
           : strcasecmp(alg, "sha-1") == 0   ? EVP_sha1()
           : strcasecmp(alg, "sha-256") == 0 ? EVP_sha256()
           : strcasecmp(alg, "sha-384") == 0 ? EVP_sha384()
           : strcasecmp(alg, "sha-512") == 0 ? EVP_sha512()
                                             : NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parse "ab:CD:..." (surrounding blanks allowed) into exactly `want` bytes.
 * Returns 0 or -1. */
static int parse_fingerprint(const char *s, uint8_t *out, unsigned want)
{
    unsigned n = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    for (;;) {
        int hi = hexval(s[0]);
        int lo = hi < 0 ? -1 : hexval(s[1]);
        if (lo < 0 || n >= want)
            return -1;
        out[n++] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (*s != ':')
            break;
        s++;
    }
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0' && n == want ? 0 : -1;
}

veche_dtls *veche_dtls_new(veche_dtls_cert *cert, veche_dtls_role role,
                           const char *remote_fp_alg, const char *remote_fp,
                           const veche_dtls_callbacks *cb, void *ud)
{
    if (!cert || !remote_fp || !cb || (role != VECHE_DTLS_CLIENT && role != VECHE_DTLS_SERVER))
        return NULL;
    const EVP_MD *md = md_from_name(remote_fp_alg);
    if (!md)
        return NULL;
    veche_dtls *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->fp_md = md;
    d->fp_len = (unsigned)EVP_MD_get_size(md);
    if (parse_fingerprint(remote_fp, d->fp, d->fp_len) != 0) {
        free(d);
        return NULL;
    }
    d->cert = veche_dtls_cert_ref(cert);
    d->role = role;
    d->state = VECHE_DTLS_NEW;
    d->cb = *cb;
    d->ud = ud;

    char ebuf[256];
    BIO *wbio = NULL;
    d->ssl = SSL_new(cert->ctx);
    d->rbio = BIO_new(BIO_s_mem());
    wbio = BIO_new(cert->bio_meth);
    if (!d->ssl || !d->rbio || !wbio) {
        BIO_free(d->rbio);
        BIO_free(wbio);
        d->rbio = NULL;
        goto error;
    }
    /* An empty read BIO means "try again later", not end of file. */
    BIO_set_mem_eof_return(d->rbio, -1);
    BIO_set_data(wbio, d);
    SSL_set_bio(d->ssl, d->rbio, wbio); /* ssl owns both now */
    SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
    if (SSL_set_mtu(d->ssl, DTLS_MTU) <= 0)
        goto error;
    if (role == VECHE_DTLS_CLIENT)
        SSL_set_connect_state(d->ssl);
    else
        SSL_set_accept_state(d->ssl);
    return d;

error:
    VLOG_WARN(NULL, NULL, "dtls: session setup failed: %s",
              ssl_error_string(ebuf, sizeof ebuf, "unknown error"));
    veche_dtls_free(d);
    return NULL;
}

void veche_dtls_free(veche_dtls *d)
{
    if (!d)
        return;
    SSL_free(d->ssl); /* frees both BIOs; sends nothing */
    veche_dtls_cert_unref(d->cert);
    free(d);
}

/* Enter FAILED (or CLOSED when `closed`) and tell the owner, once. */
static void fail(veche_dtls *d, bool closed, const char *reason)
{
    if (d->state == VECHE_DTLS_FAILED || d->state == VECHE_DTLS_CLOSED)
        return;
    d->state = closed ? VECHE_DTLS_CLOSED : VECHE_DTLS_FAILED;
    if (closed)
        VLOG_DEBUG(NULL, NULL, "dtls: %s", reason);
    else
        VLOG_WARN(NULL, NULL, "dtls: %s", reason);
    if (d->cb.failed)
        d->cb.failed(d->ud, reason);
}

/* fail() with "<what>: <first OpenSSL error or fallback>". */
static void fail_ssl(veche_dtls *d, const char *what, const char *fallback)
{
    char ebuf[256], reason[320];
    snprintf(reason, sizeof reason, "%s: %s", what,
             ssl_error_string(ebuf, sizeof ebuf, fallback));
    fail(d, false, reason);
}

/* React to a non-positive return from an SSL call: wanting more input is
 * fine, a clean close_notify is CLOSED, anything else FAILED.  Returns 0 or
 * a negative code. */
static int handle_ssl_result(veche_dtls *d, int r, const char *what)
{
    switch (SSL_get_error(d->ssl, r)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
        ERR_clear_error();
        return 0;
    case SSL_ERROR_ZERO_RETURN:
        ERR_clear_error();
        fail(d, true, "closed by peer");
        return 0;
    default:
        fail_ssl(d, what, "I/O error");
        return VECHE_ECRYPTO;
    }
}

/* The handshake is done: check the peer's certificate fingerprint, work out
 * the SRTP profile and export both sides' keys.  Returns 0 or a negative
 * code after failing the session. */
static int finish_handshake(veche_dtls *d)
{
    X509 *peer = SSL_get0_peer_certificate(d->ssl);
    if (!peer) {
        fail(d, false, "no peer certificate");
        return VECHE_EAUTH;
    }
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    if (X509_digest(peer, d->fp_md, md, &n) != 1) {
        ERR_clear_error();
        fail(d, false, "cannot digest peer certificate");
        return VECHE_ECRYPTO;
    }
    if (n != d->fp_len || CRYPTO_memcmp(md, d->fp, n) != 0) {
        /* Tell the peer, which believes the handshake succeeded. */
        ERR_clear_error();
        if (SSL_shutdown(d->ssl) < 0)
            ERR_clear_error();
        fail(d, false, "fingerprint mismatch");
        return VECHE_EAUTH;
    }

    const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);
    veche_srtp_keys keys;
    memset(&keys, 0, sizeof keys);
    size_t salt_len;
    if (p && p->id == SRTP_AES128_CM_SHA1_80) {
        keys.profile = VECHE_SRTP_AES128_CM_SHA1_80;
        salt_len = 14;
    } else if (p && p->id == SRTP_AEAD_AES_128_GCM) {
        keys.profile = VECHE_SRTP_AEAD_AES_128_GCM;
        salt_len = 12;
    } else {
        fail(d, false, "no SRTP protection profile negotiated");
        return VECHE_EUNSUPPORTED;
    }
    const size_t key_len = 16;
    keys.len = key_len + salt_len;

    /* RFC 5764 4.2: client key, server key, client salt, server salt. */
    uint8_t km[2 * (16 + 14)];
    if (SSL_export_keying_material(d->ssl, km, 2 * keys.len, EXPORTER_LABEL,
                                   strlen(EXPORTER_LABEL), NULL, 0, 0) != 1) {
        fail_ssl(d, "key export failed", "unknown error");
        return VECHE_ECRYPTO;
    }
    uint8_t *client = d->role == VECHE_DTLS_CLIENT ? keys.local : keys.remote;
    uint8_t *server = d->role == VECHE_DTLS_CLIENT ? keys.remote : keys.local;
    memcpy(client, km, key_len);
    memcpy(server, km + key_len, key_len);
    memcpy(client + key_len, km + 2 * key_len, salt_len);
    memcpy(server + key_len, km + 2 * key_len + salt_len, salt_len);
    OPENSSL_cleanse(km, sizeof km);

    d->state = VECHE_DTLS_CONNECTED;
    VLOG_DEBUG(NULL, NULL, "dtls: connected, %s, profile %s", SSL_get_cipher_name(d->ssl),
               p->name);
    if (d->cb.connected)
        d->cb.connected(d->ud, &keys);
    OPENSSL_cleanse(&keys, sizeof keys);
    return 0;
}

/* Read (and drop) whatever arrived after the handshake, which is how a
 * close_notify or a fatal alert from the peer is noticed. */
static int drain(veche_dtls *d)
{
    uint8_t buf[2048];
    while (d->state == VECHE_DTLS_CONNECTED) {
        ERR_clear_error();
        int r = SSL_read(d->ssl, buf, sizeof buf);
        if (r > 0)
            continue; /* application data is not supported: ignore it */
        return handle_ssl_result(d, r, "read failed");
    }
    return 0;
}

/* Advance the handshake with what has been fed in so far. */
static int step(veche_dtls *d)
{
    if (d->state == VECHE_DTLS_NEW)
        d->state = VECHE_DTLS_HANDSHAKING;
    if (d->state == VECHE_DTLS_HANDSHAKING) {
        ERR_clear_error();
        int r = SSL_do_handshake(d->ssl);
        if (r != 1)
            return handle_ssl_result(d, r, "handshake failed");
        int rc = finish_handshake(d);
        if (rc != 0)
            return rc;
    }
    return drain(d);
}

static void do_close(veche_dtls *d);

/* Leave an entry point: run a close requested by a callback meanwhile. */
static void leave(veche_dtls *d)
{
    d->busy = false;
    if (d->close_pending) {
        d->close_pending = false;
        do_close(d);
    }
}

int veche_dtls_start(veche_dtls *d)
{
    if (!d)
        return VECHE_EINVAL;
    if (d->busy || d->role != VECHE_DTLS_CLIENT || d->state != VECHE_DTLS_NEW)
        return 0;
    d->busy = true;
    int rc = step(d);
    leave(d);
    return rc;
}

int veche_dtls_handle(veche_dtls *d, const uint8_t *buf, size_t len)
{
    if (!d || !buf || len == 0 || len > INT_MAX)
        return VECHE_EINVAL;
    if (d->state == VECHE_DTLS_FAILED)
        return VECHE_ESTATE;
    if (d->state == VECHE_DTLS_CLOSED)
        return 0;
    if (d->busy) {
        VLOG_WARN(NULL, NULL, "dtls: datagram fed from inside a callback dropped");
        return 0;
    }
    if (d->role == VECHE_DTLS_CLIENT && d->state == VECHE_DTLS_NEW)
        return 0; /* nothing can legitimately arrive before our ClientHello */
    d->busy = true;
    int rc;
    if (BIO_write(d->rbio, buf, (int)len) != (int)len) {
        ERR_clear_error();
        fail(d, false, "out of memory buffering a datagram");
        rc = VECHE_ENOMEM;
    } else {
        rc = step(d);
    }
    /* Keep datagram boundaries: never let a remainder merge with the next. */
    (void)BIO_reset(d->rbio);
    leave(d);
    return rc;
}

/* The timer is looked at (and serviced below) while handshaking and once
 * connected, so a timeout reported here is never left unhandled. */
int veche_dtls_timeout_ms(veche_dtls *d)
{
    if (!d || (d->state != VECHE_DTLS_HANDSHAKING && d->state != VECHE_DTLS_CONNECTED))
        return -1;
    struct timeval tv;
    if (DTLSv1_get_timeout(d->ssl, &tv) != 1)
        return -1;
    long long ms = (long long)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

void veche_dtls_handle_timeout(veche_dtls *d)
{
    if (!d || d->busy ||
        (d->state != VECHE_DTLS_HANDSHAKING && d->state != VECHE_DTLS_CONNECTED))
        return;
    d->busy = true;
    ERR_clear_error();
    if (DTLSv1_handle_timeout(d->ssl) < 0)
        fail_ssl(d, "handshake timed out", "too many retransmissions");
    leave(d);
}

/* Send close_notify if connected, and enter CLOSED without calling failed. */
static void do_close(veche_dtls *d)
{
    if (d->state == VECHE_DTLS_FAILED || d->state == VECHE_DTLS_CLOSED)
        return;
    if (d->state == VECHE_DTLS_CONNECTED) {
        d->busy = true;
        ERR_clear_error();
        if (SSL_shutdown(d->ssl) < 0) {
            char ebuf[256];
            VLOG_WARN(NULL, NULL, "dtls: close_notify failed: %s",
                      ssl_error_string(ebuf, sizeof ebuf, "unknown error"));
        }
        d->busy = false;
    }
    d->state = VECHE_DTLS_CLOSED;
}

void veche_dtls_close(veche_dtls *d)
{
    if (!d)
        return;
    if (d->busy) {
        d->close_pending = true;
        return;
    }
    do_close(d);
}

veche_dtls_state veche_dtls_get_state(const veche_dtls *d)
{
    return d ? d->state : VECHE_DTLS_FAILED;
}
