/* srtp_hmac.h - HMAC-SHA1 for libsrtp2's AES-CM profiles, with nothing
 * re-initialised or allocated per packet.
 *
 * libsrtp2's own OpenSSL HMAC (hmac_ossl.c) re-keys an EVP_MAC for every
 * packet: OpenSSL 3.0's EVP_MAC_init copies the digest context, two heap
 * allocations and a provider round trip per protect or unprotect.  This
 * one keeps the SHA-1 states after the inner and outer key pads (computed
 * once per key) and starts each packet from a copy of them (a memcpy);
 * the hashing itself is OpenSSL's SHA-1 (SHA-NI where the CPU has it).
 *
 * veche_srtp_hmac_install() puts it in libsrtp2's crypto kernel in place
 * of SRTP_HMAC_SHA1 (srtp_replace_auth_type: libsrtp runs its self tests
 * and ours, RFC 2202, first); srtp.c calls it once after srtp_init().
 * The one-shot veche_srtp_hmac_sha1() is for tests.
 *
 * Ownership: the auth objects belong to libsrtp2 (its alloc/dealloc
 * hooks).  Thread safety: one object per stream, used by one thread.
 * Does not: SHA-1 itself, keys longer than 20 bytes (SRTP's are 20,
 * libsrtp's own refuses them too), other MACs.
 */
#ifndef VECHE_SRTP_HMAC_H
#define VECHE_SRTP_HMAC_H

#include <stddef.h>
#include <stdint.h>

/* Replace libsrtp2's HMAC-SHA1 with this one; 0 or VECHE_ECRYPTO.  Call
 * after srtp_init(), before any session is made. */
int veche_srtp_hmac_install(void);

/* HMAC-SHA1 of data under key (key_len <= 20) through the same code
 * (init, start, update in two parts, compute); the first tag_len (<= 20)
 * bytes of the MAC into tag.  0 or VECHE_EINVAL. */
int veche_srtp_hmac_sha1(const uint8_t *key, int key_len, const uint8_t *data, size_t len,
                         uint8_t *tag, int tag_len);

#endif
