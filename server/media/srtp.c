/* srtp.c - SRTP/SRTCP protection for one DTLS-SRTP association, on top of
 * libsrtp2 (2.5).
 *
 * Does: build one libsrtp session for outbound traffic (any SSRC, our key)
 * and one for inbound traffic (any SSRC, the peer's key) from the keys DTLS
 * exported, and protect/unprotect RTP and RTCP in place.
 * Does not: derive keys (dtls.c does), use MKIs, or lock: one veche_srtp is
 * used by one thread at a time.  The only global state is libsrtp's own,
 * initialised once by veche_srtp_global_init(), which also puts our
 * HMAC-SHA1 (srtp_hmac.h) in place of libsrtp's.
 */
#include "srtp.h"

#include <arpa/inet.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "err.h"
#include "srtp_hmac.h"

struct veche_srtp {
    srtp_t out;  /* protects with keys->local */
    srtp_t in;   /* unprotects with keys->remote */
};

static pthread_once_t srtp_once = PTHREAD_ONCE_INIT;
static int srtp_init_result = VECHE_ECRYPTO;

static void srtp_init_once(void)
{
    srtp_init_result = srtp_init() == srtp_err_status_ok ? 0 : VECHE_ECRYPTO;
    /* AES-CM's HMAC-SHA1 without a re-key and allocations per packet. */
    if (srtp_init_result == 0)
        srtp_init_result = veche_srtp_hmac_install();
}

int veche_srtp_global_init(void)
{
    if (pthread_once(&srtp_once, srtp_init_once) != 0)
        return VECHE_ECRYPTO;
    return srtp_init_result;
}

size_t veche_srtp_key_len(veche_srtp_profile profile)
{
    switch (profile) {
    case VECHE_SRTP_AES128_CM_SHA1_80:
        return SRTP_AES_ICM_128_KEY_LEN_WSALT; /* 16 + 14 = 30 */
    case VECHE_SRTP_AEAD_AES_128_GCM:
        return SRTP_AES_GCM_128_KEY_LEN_WSALT; /* 16 + 12 = 28 */
    }
    return 0;
}

/* Create one libsrtp session for any inbound or any outbound SSRC with the
 * given key || salt.  Returns NULL on failure. */
static srtp_t session_new(veche_srtp_profile profile, srtp_ssrc_type_t type,
                          const uint8_t *key)
{
    srtp_policy_t policy;
    memset(&policy, 0, sizeof policy);
    switch (profile) {
    case VECHE_SRTP_AES128_CM_SHA1_80:
        srtp_crypto_policy_set_rtp_default(&policy.rtp);
        srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
        break;
    case VECHE_SRTP_AEAD_AES_128_GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
        break;
    default:
        return NULL;
    }
    policy.ssrc.type = type;
    policy.ssrc.value = 0;
    /* libsrtp copies the key material while creating the session. */
    policy.key = (unsigned char *)key;
    policy.window_size = 1024;
    policy.allow_repeat_tx = 1;
    policy.next = NULL;

    srtp_t session = NULL;
    if (srtp_create(&session, &policy) != srtp_err_status_ok)
        return NULL;
    return session;
}

veche_srtp *veche_srtp_new(const veche_srtp_keys *keys)
{
    if (!keys)
        return NULL;
    size_t want = veche_srtp_key_len(keys->profile);
    if (want == 0 || keys->len != want)
        return NULL;
    veche_srtp *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->out = session_new(keys->profile, ssrc_any_outbound, keys->local);
    s->in = session_new(keys->profile, ssrc_any_inbound, keys->remote);
    if (!s->out || !s->in) {
        veche_srtp_free(s);
        return NULL;
    }
    return s;
}

void veche_srtp_forget_outbound(veche_srtp *s, uint32_t ssrc)
{
    if (s && s->out)
        (void)srtp_remove_stream(s->out, htonl(ssrc));  /* none: not an error */
}

void veche_srtp_free(veche_srtp *s)
{
    if (!s)
        return;
    if (s->out)
        (void)srtp_dealloc(s->out);
    if (s->in)
        (void)srtp_dealloc(s->in);
    free(s);
}

/* Shared argument checks for protect: the packet must fit in an int together
 * with the largest trailer libsrtp may append, and cap must leave room. */
static int check_protect_args(const veche_srtp *s, const uint8_t *buf,
                              const size_t *len, size_t cap)
{
    if (!s || !buf || !len || *len == 0)
        return VECHE_EINVAL;
    if (*len > (size_t)INT_MAX - VECHE_SRTP_MAX_OVERHEAD)
        return VECHE_EINVAL;
    if (cap < *len + VECHE_SRTP_MAX_OVERHEAD)
        return VECHE_ENOSPC;
    return 0;
}

static int check_unprotect_args(const veche_srtp *s, const uint8_t *buf,
                                const size_t *len)
{
    if (!s || !buf || !len || *len == 0 || *len > (size_t)INT_MAX)
        return VECHE_EINVAL;
    return 0;
}

int veche_srtp_protect_rtp(veche_srtp *s, uint8_t *buf, size_t *len, size_t cap)
{
    int rc = check_protect_args(s, buf, len, cap);
    if (rc != 0)
        return rc;
    int n = (int)*len;
    if (srtp_protect(s->out, buf, &n) != srtp_err_status_ok || n < 0)
        return VECHE_ECRYPTO;
    *len = (size_t)n;
    return 0;
}

int veche_srtp_unprotect_rtp(veche_srtp *s, uint8_t *buf, size_t *len)
{
    int rc = check_unprotect_args(s, buf, len);
    if (rc != 0)
        return rc;
    int n = (int)*len;
    if (srtp_unprotect(s->in, buf, &n) != srtp_err_status_ok || n < 0)
        return VECHE_ECRYPTO;
    *len = (size_t)n;
    return 0;
}

int veche_srtp_protect_rtcp(veche_srtp *s, uint8_t *buf, size_t *len, size_t cap)
{
    int rc = check_protect_args(s, buf, len, cap);
    if (rc != 0)
        return rc;
    int n = (int)*len;
    if (srtp_protect_rtcp(s->out, buf, &n) != srtp_err_status_ok || n < 0)
        return VECHE_ECRYPTO;
    *len = (size_t)n;
    return 0;
}

int veche_srtp_unprotect_rtcp(veche_srtp *s, uint8_t *buf, size_t *len)
{
    int rc = check_unprotect_args(s, buf, len);
    if (rc != 0)
        return rc;
    int n = (int)*len;
    if (srtp_unprotect_rtcp(s->in, buf, &n) != srtp_err_status_ok || n < 0)
        return VECHE_ECRYPTO;
    *len = (size_t)n;
    return 0;
}
