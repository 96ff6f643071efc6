/* srtp_hmac.c - HMAC-SHA1 for libsrtp2 from precomputed pad states; see
 * srtp_hmac.h. */
/* SHA1_Init/Update/Final: deprecated in OpenSSL 3.0, not removed; they
 * work on a caller's SHA_CTX, which the EVP interface does not allow. */
#define OPENSSL_API_COMPAT 0x10100000L
#include "srtp_hmac.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <srtp2/auth.h>
#include <srtp2/srtp.h>

#include "err.h"

#define BLOCK 64
#define MAX_KEY 20

typedef struct {
    SHA_CTX inner0;  /* after the key xor ipad block */
    SHA_CTX outer0;  /* after the key xor opad block */
    SHA_CTX ctx;     /* the packet being authenticated */
} hmac_state;

/* One allocation per stream holds the auth object and its state. */
typedef struct {
    srtp_auth_t auth;
    hmac_state st;
} hmac_obj;

static const srtp_auth_type_t veche_hmac_type;

static srtp_err_status_t hmac_alloc(srtp_auth_t **a, int key_len, int out_len)
{
    if (key_len < 0 || key_len > MAX_KEY || out_len < 0 || out_len > SHA_DIGEST_LENGTH)
        return srtp_err_status_bad_param;
    hmac_obj *o = calloc(1, sizeof *o);
    if (!o)
        return srtp_err_status_alloc_fail;
    o->auth.type = &veche_hmac_type;
    o->auth.state = &o->st;
    o->auth.out_len = out_len;
    o->auth.key_len = key_len;
    o->auth.prefix_len = 0;
    *a = &o->auth;
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_dealloc(srtp_auth_t *a)
{
    hmac_obj *o = (hmac_obj *)a;  /* auth is the first member */
    OPENSSL_cleanse(o, sizeof *o);
    free(o);
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_init(void *state, const uint8_t *key, int key_len)
{
    hmac_state *st = state;
    if (key_len < 0 || key_len > MAX_KEY)
        return srtp_err_status_bad_param;
    uint8_t ipad[BLOCK], opad[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
        uint8_t k = i < key_len ? key[i] : 0;
        ipad[i] = k ^ 0x36;
        opad[i] = k ^ 0x5c;
    }
    int ok = SHA1_Init(&st->inner0) && SHA1_Update(&st->inner0, ipad, BLOCK) &&
             SHA1_Init(&st->outer0) && SHA1_Update(&st->outer0, opad, BLOCK);
    OPENSSL_cleanse(ipad, sizeof ipad);
    OPENSSL_cleanse(opad, sizeof opad);
    st->ctx = st->inner0;
    return ok ? srtp_err_status_ok : srtp_err_status_auth_fail;
}

static srtp_err_status_t hmac_start(void *state)
{
    hmac_state *st = state;
    st->ctx = st->inner0;
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_update(void *state, const uint8_t *buf, int len)
{
    hmac_state *st = state;
    if (len < 0)
        return srtp_err_status_bad_param;
    return SHA1_Update(&st->ctx, buf, (size_t)len) ? srtp_err_status_ok
                                                    : srtp_err_status_auth_fail;
}

static srtp_err_status_t hmac_compute(void *state, const uint8_t *buf, int len, int tag_len,
                                      uint8_t *tag)
{
    hmac_state *st = state;
    if (len < 0 || tag_len < 0 || tag_len > SHA_DIGEST_LENGTH)
        return srtp_err_status_bad_param;
    uint8_t inner[SHA_DIGEST_LENGTH], mac[SHA_DIGEST_LENGTH];
    SHA_CTX outer = st->outer0;
    if (!SHA1_Update(&st->ctx, buf, (size_t)len) || !SHA1_Final(inner, &st->ctx) ||
        !SHA1_Update(&outer, inner, sizeof inner) || !SHA1_Final(mac, &outer))
        return srtp_err_status_auth_fail;
    memcpy(tag, mac, (size_t)tag_len);
    return srtp_err_status_ok;
}

/* RFC 2202 test case 2 ("Jefe") and libsrtp's own (20-byte key, "Hi
 * There", test case 1); libsrtp also runs SRTP_HMAC_SHA1's own tests on
 * this type before it takes it. */
static const uint8_t tc1_key[20] = {
    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
    0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
static const uint8_t tc1_data[8] = {'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'};
static const uint8_t tc1_tag[20] = {
    0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
    0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00};
static const uint8_t tc2_key[4] = {'J', 'e', 'f', 'e'};
static const uint8_t tc2_data[28] = "what do ya want for nothing?";
static const uint8_t tc2_tag[20] = {
    0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
    0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79};

static const srtp_auth_test_case_t tc2 = {
    sizeof tc2_key, tc2_key, sizeof tc2_data, tc2_data, sizeof tc2_tag, tc2_tag, NULL,
};
static const srtp_auth_test_case_t tc1 = {
    sizeof tc1_key, tc1_key, sizeof tc1_data, tc1_data, sizeof tc1_tag, tc1_tag, &tc2,
};

static const srtp_auth_type_t veche_hmac_type = {
    .alloc = hmac_alloc,
    .dealloc = hmac_dealloc,
    .init = hmac_init,
    .compute = hmac_compute,
    .update = hmac_update,
    .start = hmac_start,
    .description = "HMAC-SHA1 (veche, precomputed pads)",
    .test_data = &tc1,
    .id = SRTP_HMAC_SHA1,
};

int veche_srtp_hmac_install(void)
{
    return srtp_replace_auth_type(&veche_hmac_type, SRTP_HMAC_SHA1) == srtp_err_status_ok
               ? 0
               : VECHE_ECRYPTO;
}

int veche_srtp_hmac_sha1(const uint8_t *key, int key_len, const uint8_t *data, size_t len,
                         uint8_t *tag, int tag_len)
{
    if (!key || !data || !tag || len > (size_t)INT32_MAX)
        return VECHE_EINVAL;
    srtp_auth_t *a = NULL;
    if (hmac_alloc(&a, key_len, tag_len) != srtp_err_status_ok)
        return VECHE_EINVAL;
    size_t half = len / 2;
    int rc = hmac_init(a->state, key, key_len) == srtp_err_status_ok &&
                     hmac_start(a->state) == srtp_err_status_ok &&
                     hmac_update(a->state, data, (int)half) == srtp_err_status_ok &&
                     hmac_compute(a->state, data + half, (int)(len - half), tag_len, tag) ==
                         srtp_err_status_ok
                 ? 0
                 : VECHE_EINVAL;
    hmac_dealloc(a);
    return rc;
}
