/* test_srtp.c - SRTP/SRTCP on libsrtp2: round trips for both profiles with
 * two contexts holding swapped keys, tamper and replay detection, repeated
 * protection of one sequence number, wrong keys, argument checks. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "srtp.h"

static const veche_srtp_profile profiles[] = {
    VECHE_SRTP_AES128_CM_SHA1_80,
    VECHE_SRTP_AEAD_AES_128_GCM,
};

/* Keys for one side; `seed` makes distinct key material. */
static veche_srtp_keys make_keys(veche_srtp_profile p, uint8_t local_seed, uint8_t remote_seed)
{
    veche_srtp_keys k;
    memset(&k, 0, sizeof k);
    k.profile = p;
    k.len = veche_srtp_key_len(p);
    for (size_t i = 0; i < k.len; i++) {
        k.local[i] = (uint8_t)(local_seed * 31 + i * 7);
        k.remote[i] = (uint8_t)(remote_seed * 31 + i * 7);
    }
    return k;
}

/* RTP: PT 111, given seq, ts 1000, SSRC 0x11223344, 20 payload bytes. */
static size_t make_rtp(uint8_t *buf, uint16_t seq)
{
    static const uint8_t hdr[12] = {
        0x80, 0x6f, 0, 0, 0x00, 0x00, 0x03, 0xe8, 0x11, 0x22, 0x33, 0x44,
    };
    memcpy(buf, hdr, sizeof hdr);
    buf[2] = (uint8_t)(seq >> 8);
    buf[3] = (uint8_t)seq;
    for (int i = 0; i < 20; i++)
        buf[12 + i] = (uint8_t)(0xa0 + i);
    return 32;
}

/* RTCP sender report, no report blocks, SSRC 0x11223344 (28 bytes). */
static size_t make_rtcp(uint8_t *buf)
{
    static const uint8_t sr[28] = {
        0x80, 200, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44,
        0xe1, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
        0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x0a,
        0x00, 0x00, 0x01, 0x90,
    };
    memcpy(buf, sr, sizeof sr);
    return sizeof sr;
}

static size_t tag_len(veche_srtp_profile p)
{
    return p == VECHE_SRTP_AES128_CM_SHA1_80 ? 10 : 16;
}

TEST(global_init_and_key_len)
{
    CHECK_EQ_INT(veche_srtp_global_init(), 0);
    CHECK_EQ_INT(veche_srtp_global_init(), 0);
    CHECK_EQ_INT(veche_srtp_key_len(VECHE_SRTP_AES128_CM_SHA1_80), 30);
    CHECK_EQ_INT(veche_srtp_key_len(VECHE_SRTP_AEAD_AES_128_GCM), 28);
    CHECK_EQ_INT(veche_srtp_key_len((veche_srtp_profile)0x0002), 0);
}

TEST(bad_keys)
{
    veche_srtp_keys k = make_keys(VECHE_SRTP_AES128_CM_SHA1_80, 1, 2);
    CHECK(veche_srtp_new(NULL) == NULL);
    k.len = 28;
    CHECK(veche_srtp_new(&k) == NULL);
    k = make_keys(VECHE_SRTP_AES128_CM_SHA1_80, 1, 2);
    k.profile = (veche_srtp_profile)0x0002;
    CHECK(veche_srtp_new(&k) == NULL);
    veche_srtp_free(NULL);
}

TEST(round_trip)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        veche_srtp_profile p = profiles[i];
        veche_srtp_keys ka = make_keys(p, 1, 2), kb = make_keys(p, 2, 1);
        veche_srtp *a = veche_srtp_new(&ka), *b = veche_srtp_new(&kb);
        CHECK(a && b);
        if (!a || !b) {
            veche_srtp_free(a);
            veche_srtp_free(b);
            continue;
        }
        uint8_t plain[64], buf[64 + VECHE_SRTP_MAX_OVERHEAD];
        for (uint16_t seq = 100; seq < 110; seq++) {
            /* a -> b, RTP */
            size_t n = make_rtp(plain, seq), len = n;
            memcpy(buf, plain, n);
            CHECK_EQ_INT(veche_srtp_protect_rtp(a, buf, &len, sizeof buf), 0);
            CHECK_EQ_INT(len, n + tag_len(p));
            CHECK(memcmp(buf, plain, 12) == 0);          /* header in clear */
            CHECK(memcmp(buf + 12, plain + 12, 20) != 0); /* payload not */
            CHECK_EQ_INT(veche_srtp_unprotect_rtp(b, buf, &len), 0);
            CHECK_EQ_INT(len, n);
            CHECK(memcmp(buf, plain, n) == 0);
            /* b -> a, RTP */
            len = n;
            memcpy(buf, plain, n);
            CHECK_EQ_INT(veche_srtp_protect_rtp(b, buf, &len, sizeof buf), 0);
            CHECK_EQ_INT(veche_srtp_unprotect_rtp(a, buf, &len), 0);
            CHECK(len == n && memcmp(buf, plain, n) == 0);
        }
        for (int k = 0; k < 3; k++) {
            size_t n = make_rtcp(plain), len = n;
            memcpy(buf, plain, n);
            CHECK_EQ_INT(veche_srtp_protect_rtcp(a, buf, &len, sizeof buf), 0);
            CHECK_EQ_INT(len, n + 4 + tag_len(p)); /* E + index, tag */
            CHECK_EQ_INT(veche_srtp_unprotect_rtcp(b, buf, &len), 0);
            CHECK(len == n && memcmp(buf, plain, n) == 0);
            len = n;
            memcpy(buf, plain, n);
            CHECK_EQ_INT(veche_srtp_protect_rtcp(b, buf, &len, sizeof buf), 0);
            CHECK_EQ_INT(veche_srtp_unprotect_rtcp(a, buf, &len), 0);
            CHECK(len == n && memcmp(buf, plain, n) == 0);
        }
        veche_srtp_free(a);
        veche_srtp_free(b);
    }
}

TEST(tamper_replay_repeat)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        veche_srtp_profile p = profiles[i];
        veche_srtp_keys ka = make_keys(p, 3, 4), kb = make_keys(p, 4, 3);
        veche_srtp *a = veche_srtp_new(&ka), *b = veche_srtp_new(&kb);
        CHECK(a && b);
        if (!a || !b) {
            veche_srtp_free(a);
            veche_srtp_free(b);
            continue;
        }
        uint8_t buf[64 + VECHE_SRTP_MAX_OVERHEAD], copy[sizeof buf], again[sizeof buf];

        /* Tampered RTP payload, header and tag are all rejected. */
        static const size_t flip_at[] = { 20, 5, 33 };
        for (size_t f = 0; f < 3; f++) {
            size_t len = make_rtp(buf, (uint16_t)(1 + f));
            CHECK_EQ_INT(veche_srtp_protect_rtp(a, buf, &len, sizeof buf), 0);
            buf[flip_at[f]] ^= 0x01;
            CHECK_EQ_INT(veche_srtp_unprotect_rtp(b, buf, &len), VECHE_ECRYPTO);
        }
        /* Tampered RTCP. */
        size_t len = make_rtcp(buf);
        CHECK_EQ_INT(veche_srtp_protect_rtcp(a, buf, &len, sizeof buf), 0);
        buf[10] ^= 0x80;
        CHECK_EQ_INT(veche_srtp_unprotect_rtcp(b, buf, &len), VECHE_ECRYPTO);

        /* Replay: the second copy of a packet is refused. */
        len = make_rtp(buf, 50);
        CHECK_EQ_INT(veche_srtp_protect_rtp(a, buf, &len, sizeof buf), 0);
        size_t plen = len;
        memcpy(copy, buf, len);
        CHECK_EQ_INT(veche_srtp_unprotect_rtp(b, buf, &len), 0);
        len = plen;
        CHECK_EQ_INT(veche_srtp_unprotect_rtp(b, copy, &len), VECHE_ECRYPTO);

        len = make_rtcp(buf);
        CHECK_EQ_INT(veche_srtp_protect_rtcp(a, buf, &len, sizeof buf), 0);
        plen = len;
        memcpy(copy, buf, len);
        CHECK_EQ_INT(veche_srtp_unprotect_rtcp(b, buf, &len), 0);
        len = plen;
        CHECK_EQ_INT(veche_srtp_unprotect_rtcp(b, copy, &len), VECHE_ECRYPTO);

        /* Retransmission: protecting seq 60 twice is allowed and gives the
         * same bytes; the receiver takes the first and refuses the second. */
        len = make_rtp(buf, 60);
        CHECK_EQ_INT(veche_srtp_protect_rtp(a, buf, &len, sizeof buf), 0);
        size_t len2 = make_rtp(again, 60);
        CHECK_EQ_INT(veche_srtp_protect_rtp(a, again, &len2, sizeof again), 0);
        CHECK(len == len2 && memcmp(buf, again, len) == 0);
        CHECK_EQ_INT(veche_srtp_unprotect_rtp(b, buf, &len), 0);
        CHECK_EQ_INT(veche_srtp_unprotect_rtp(b, again, &len2), VECHE_ECRYPTO);

        veche_srtp_free(a);
        veche_srtp_free(b);
    }
}

TEST(wrong_key)
{
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        veche_srtp_profile p = profiles[i];
        veche_srtp_keys ka = make_keys(p, 5, 6), kc = make_keys(p, 6, 9);
        veche_srtp *a = veche_srtp_new(&ka), *c = veche_srtp_new(&kc);
        CHECK(a && c);
        if (a && c) {
            uint8_t buf[64 + VECHE_SRTP_MAX_OVERHEAD];
            size_t len = make_rtp(buf, 7);
            CHECK_EQ_INT(veche_srtp_protect_rtp(a, buf, &len, sizeof buf), 0);
            CHECK_EQ_INT(veche_srtp_unprotect_rtp(c, buf, &len), VECHE_ECRYPTO);
            len = make_rtcp(buf);
            CHECK_EQ_INT(veche_srtp_protect_rtcp(a, buf, &len, sizeof buf), 0);
            CHECK_EQ_INT(veche_srtp_unprotect_rtcp(c, buf, &len), VECHE_ECRYPTO);
        }
        veche_srtp_free(a);
        veche_srtp_free(c);
    }
}

TEST(bad_arguments)
{
    veche_srtp_keys ka = make_keys(VECHE_SRTP_AES128_CM_SHA1_80, 7, 8);
    veche_srtp *a = veche_srtp_new(&ka);
    CHECK(a != NULL);
    if (!a)
        return;
    uint8_t buf[64 + VECHE_SRTP_MAX_OVERHEAD];
    size_t len = make_rtp(buf, 1);
    /* cap must leave VECHE_SRTP_MAX_OVERHEAD bytes. */
    CHECK_EQ_INT(veche_srtp_protect_rtp(a, buf, &len, len + 10), VECHE_ENOSPC);
    CHECK_EQ_INT(len, 32);
    CHECK_EQ_INT(veche_srtp_protect_rtcp(a, buf, &len, len + VECHE_SRTP_MAX_OVERHEAD - 1),
                 VECHE_ENOSPC);
    CHECK_EQ_INT(veche_srtp_protect_rtp(a, buf, &len, len + VECHE_SRTP_MAX_OVERHEAD), 0);
    CHECK_EQ_INT(veche_srtp_protect_rtp(NULL, buf, &len, sizeof buf), VECHE_EINVAL);
    CHECK_EQ_INT(veche_srtp_protect_rtp(a, NULL, &len, sizeof buf), VECHE_EINVAL);
    CHECK_EQ_INT(veche_srtp_unprotect_rtp(a, buf, NULL), VECHE_EINVAL);
    CHECK_EQ_INT(veche_srtp_unprotect_rtcp(NULL, buf, &len), VECHE_EINVAL);
    /* Too short to be SRTP at all. */
    len = 4;
    CHECK(veche_srtp_unprotect_rtp(a, buf, &len) < 0);
    len = 4;
    CHECK(veche_srtp_unprotect_rtcp(a, buf, &len) < 0);
    veche_srtp_free(a);
}

int main(void)
{
    if (veche_srtp_global_init() != 0) {
        printf("Bail out! srtp_init failed\n");
        return 1;
    }
    RUN(global_init_and_key_len);
    RUN(bad_keys);
    RUN(round_trip);
    RUN(tamper_replay_repeat);
    RUN(wrong_key);
    RUN(bad_arguments);
    return check_finish();
}
