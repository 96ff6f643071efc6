/* test_srtp_hmac.c - Veche's HMAC-SHA1 for libsrtp2 (srtp_hmac.h): RFC 2202
 * vectors, agreement with OpenSSL's one-shot HMAC on random keys and
 * lengths, refused parameters, and an AES-CM SRTP packet whose tag is
 * recomputed here from the master key without libsrtp (RFC 3711 key
 * derivation with OpenSSL's AES, HMAC with OpenSSL's HMAC). */
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "check.h"
#include "err.h"
#include "srtp.h"
#include "srtp_hmac.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(s + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

TEST(rfc2202_vectors)
{
    uint8_t key[20], data[50], want[20], tag[20];
    /* case 1 */
    memset(key, 0x0b, 20);
    hex("b617318655057264e28bc0b6fb378c8ef146be00", want, 20);
    CHECK_EQ_INT(veche_srtp_hmac_sha1(key, 20, (const uint8_t *)"Hi There", 8, tag, 20), 0);
    CHECK(memcmp(tag, want, 20) == 0);
    /* case 2 */
    hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", want, 20);
    CHECK_EQ_INT(veche_srtp_hmac_sha1((const uint8_t *)"Jefe", 4,
                                      (const uint8_t *)"what do ya want for nothing?", 28,
                                      tag, 20), 0);
    CHECK(memcmp(tag, want, 20) == 0);
    /* case 3, truncated to SRTP's 80 bits */
    memset(key, 0xaa, 20);
    memset(data, 0xdd, 50);
    hex("125d7342b9ac11cd91a39af48aa17b4f63f175d3", want, 20);
    memset(tag, 0, sizeof tag);
    CHECK_EQ_INT(veche_srtp_hmac_sha1(key, 20, data, 50, tag, 10), 0);
    CHECK(memcmp(tag, want, 10) == 0);
    for (int i = 10; i < 20; i++)
        CHECK_EQ_INT(tag[i], 0);
}

TEST(matches_openssl_hmac)
{
    GRand *rnd = g_rand_new_with_seed(8);
    uint8_t key[20], data[1500], tag[20], want[EVP_MAX_MD_SIZE];
    int bad = 0;
    for (int round = 0; round < 500; round++) {
        int klen = g_rand_int_range(rnd, 0, 21);
        size_t len = (size_t)g_rand_int_range(rnd, 0, (gint32)sizeof data + 1);
        for (int i = 0; i < klen; i++)
            key[i] = (uint8_t)g_rand_int(rnd);
        for (size_t i = 0; i < len; i++)
            data[i] = (uint8_t)g_rand_int(rnd);
        unsigned wlen = 0;
        if (!HMAC(EVP_sha1(), key, klen, data, len, want, &wlen) || wlen != 20 ||
            veche_srtp_hmac_sha1(key, klen, data, len, tag, 20) != 0 ||
            memcmp(tag, want, 20) != 0)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    g_rand_free(rnd);
}

TEST(refuses_bad_parameters)
{
    uint8_t key[21] = {0}, tag[21];
    CHECK_EQ_INT(veche_srtp_hmac_sha1(key, 21, key, 1, tag, 10), VECHE_EINVAL);
    CHECK_EQ_INT(veche_srtp_hmac_sha1(key, 20, key, 1, tag, 21), VECHE_EINVAL);
    CHECK_EQ_INT(veche_srtp_hmac_sha1(key, -1, key, 1, tag, 10), VECHE_EINVAL);
    CHECK_EQ_INT(veche_srtp_hmac_sha1(NULL, 0, key, 1, tag, 10), VECHE_EINVAL);
}

/* RFC 3711 4.3.1 with kdr 0, index 0: the session key of `label` is the
 * AES-CM keystream under the master key from IV = (label at byte 7) xor
 * the master salt, padded with two zero bytes. */
static void derive(const uint8_t *master, const uint8_t *salt, uint8_t label, uint8_t *out,
                   size_t n)
{
    uint8_t iv[16] = {0}, zero[32] = {0};
    memcpy(iv, salt, 14);
    iv[7] ^= label;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int len = 0;
    CHECK(c && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, master, iv) == 1 &&
          EVP_EncryptUpdate(c, out, &len, zero, (int)n) == 1);
    EVP_CIPHER_CTX_free(c);
}

/* A packet protected through libsrtp2 (with this HMAC installed) carries
 * the tag an independent HMAC-SHA1 computes: HMAC(auth key, header ||
 * encrypted payload || ROC 0), first 10 bytes. */
TEST(srtp_aescm_tag_is_standard)
{
    CHECK_EQ_INT(veche_srtp_global_init(), 0);
    veche_srtp_keys k;
    memset(&k, 0, sizeof k);
    k.profile = VECHE_SRTP_AES128_CM_SHA1_80;
    k.len = veche_srtp_key_len(k.profile);
    for (size_t i = 0; i < k.len; i++) {
        k.local[i] = (uint8_t)(0x40 + i * 3);
        k.remote[i] = (uint8_t)(0x90 + i);
    }
    veche_srtp *s = veche_srtp_new(&k);
    CHECK(s != NULL);
    if (!s)
        return;
    for (uint16_t seq = 7; seq < 10; seq++) {
        uint8_t buf[112 + VECHE_SRTP_MAX_OVERHEAD] = {0x80, 0x60, 0, (uint8_t)seq, 0, 0, 0x10, 0,
                            0xde, 0xad, 0xbe, 0xef};
        for (int i = 12; i < 112; i++)
            buf[i] = (uint8_t)(i * 5 + seq);
        size_t len = 112;
        CHECK_EQ_INT(veche_srtp_protect_rtp(s, buf, &len, sizeof buf), 0);
        CHECK_EQ_INT((int)len, 122);
        uint8_t auth_key[20], msg[200], want[EVP_MAX_MD_SIZE];
        derive(k.local, k.local + 16, 0x01, auth_key, sizeof auth_key);
        memcpy(msg, buf, 112);
        memset(msg + 112, 0, 4);  /* ROC */
        unsigned wlen = 0;
        CHECK(HMAC(EVP_sha1(), auth_key, 20, msg, 116, want, &wlen) != NULL);
        CHECK(memcmp(buf + 112, want, 10) == 0);
    }
    veche_srtp_free(s);
}

int main(void)
{
    RUN(rfc2202_vectors);
    RUN(matches_openssl_hmac);
    RUN(refuses_bad_parameters);
    RUN(srtp_aescm_tag_is_standard);
    return check_finish();
}
