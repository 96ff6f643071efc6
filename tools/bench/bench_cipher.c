/* bench_cipher.c - what one SRTP protect of a media packet costs with the
 * packaged libsrtp2 (Debian builds it on NSS) against the bare cipher work
 * in OpenSSL, for both profiles that browsers negotiate:
 *   AES_CM_128_HMAC_SHA1_80: AES-128-CTR + HMAC-SHA1 (80-bit tag)
 *   AEAD_AES_128_GCM:         AES-128-GCM (128-bit tag)
 *
 *   veche-bench-cipher [packets=200000] [payload=1100]
 *
 * The OpenSSL figure is the floor a libsrtp2 built with its OpenSSL backend
 * could reach (it would add its own bookkeeping on top); docs/performance.md
 * uses it to decide whether building libsrtp2 ourselves is worth it.  Not a
 * test: no figure is asserted anywhere.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srtp.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);  /* CPU time: fair on a busy machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A 12-byte RTP header followed by payload bytes. */
static size_t make_packet(uint8_t *buf, size_t payload, uint16_t seq)
{
    memset(buf, 0, 12 + payload);
    buf[0] = 0x80;
    buf[1] = 96;
    buf[2] = (uint8_t)(seq >> 8);
    buf[3] = (uint8_t)seq;
    buf[8] = 0x12;
    buf[11] = 0x34;
    for (size_t i = 0; i < payload; i++)
        buf[12 + i] = (uint8_t)(i * 7);
    return 12 + payload;
}

static double bench_libsrtp(veche_srtp_profile prof, long packets, size_t payload)
{
    veche_srtp_keys k = {.profile = prof, .len = veche_srtp_key_len(prof)};
    for (size_t i = 0; i < k.len; i++) {
        k.local[i] = (uint8_t)(i + 1);
        k.remote[i] = (uint8_t)(i * 3 + 2);
    }
    veche_srtp *s = veche_srtp_new(&k);
    if (!s) {
        fprintf(stderr, "srtp_new failed\n");
        exit(2);
    }
    uint8_t buf[1600];
    double t0 = now_s();
    for (long i = 0; i < packets; i++) {
        size_t len = make_packet(buf, payload, (uint16_t)i);
        if (veche_srtp_protect_rtp(s, buf, &len, sizeof buf) != 0) {
            fprintf(stderr, "protect failed\n");
            exit(2);
        }
    }
    double t = now_s() - t0;
    veche_srtp_free(s);
    return t / (double)packets * 1e9;
}

static double bench_openssl_gcm(long packets, size_t payload)
{
    uint8_t key[16] = {1, 2, 3}, iv[12] = {4, 5, 6}, buf[1600], tag[16];
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), NULL, key, NULL);
    double t0 = now_s();
    for (long i = 0; i < packets; i++) {
        size_t len = make_packet(buf, payload, (uint16_t)i);
        int out = 0;
        iv[11] = (uint8_t)i;
        EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
        EVP_EncryptUpdate(c, NULL, &out, buf, 12);
        EVP_EncryptUpdate(c, buf + 12, &out, buf + 12, (int)(len - 12));
        EVP_EncryptFinal_ex(c, buf + len, &out);
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    }
    double t = now_s() - t0;
    EVP_CIPHER_CTX_free(c);
    return t / (double)packets * 1e9;
}

static double bench_openssl_cm(long packets, size_t payload)
{
    uint8_t key[16] = {1, 2, 3}, iv[16] = {4, 5, 6}, buf[1600], mac[20];
    uint8_t auth_key[20] = {7, 8, 9};
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    EVP_MAC *hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *h = EVP_MAC_CTX_new(hmac);
    OSSL_PARAM params[] = {OSSL_PARAM_utf8_string("digest", "SHA1", 0), OSSL_PARAM_END};
    EVP_MAC_init(h, auth_key, sizeof auth_key, params);
    EVP_MAC_CTX *base = EVP_MAC_CTX_dup(h);
    EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv);
    double t0 = now_s();
    for (long i = 0; i < packets; i++) {
        size_t len = make_packet(buf, payload, (uint16_t)i), maclen = 0;
        int out = 0;
        iv[15] = (uint8_t)i;
        EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
        EVP_EncryptUpdate(c, buf + 12, &out, buf + 12, (int)(len - 12));
        EVP_MAC_CTX *m = EVP_MAC_CTX_dup(base);
        EVP_MAC_update(m, buf, len);
        EVP_MAC_final(m, mac, &maclen, sizeof mac);
        EVP_MAC_CTX_free(m);
    }
    double t = now_s() - t0;
    EVP_MAC_CTX_free(base);
    EVP_MAC_CTX_free(h);
    EVP_MAC_free(hmac);
    EVP_CIPHER_CTX_free(c);
    return t / (double)packets * 1e9;
}

int main(int argc, char **argv)
{
    long packets = argc > 1 ? atol(argv[1]) : 200000;
    long payload = argc > 2 ? atol(argv[2]) : 1100;
    if (packets < 1 || payload < 1 || payload > 1200) {
        fprintf(stderr, "usage: %s [packets] [payload 1..1200]\n", argv[0]);
        return 2;
    }
    if (veche_srtp_global_init() != 0)
        return 2;
    printf("%-26s %12s %12s\n", "profile", "libsrtp2 ns", "OpenSSL ns");
    printf("%-26s %12.0f %12.0f\n", "AES_CM_128_HMAC_SHA1_80",
           bench_libsrtp(VECHE_SRTP_AES128_CM_SHA1_80, packets, (size_t)payload),
           bench_openssl_cm(packets, (size_t)payload));
    printf("%-26s %12.0f %12.0f\n", "AEAD_AES_128_GCM",
           bench_libsrtp(VECHE_SRTP_AEAD_AES_128_GCM, packets, (size_t)payload),
           bench_openssl_gcm(packets, (size_t)payload));
    return 0;
}
