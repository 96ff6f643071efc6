/* srtp.h - SRTP/SRTCP protection of one DTLS-SRTP association (RFC 3711,
 * RFC 5764, RFC 7714) on top of libsrtp2.
 *
 * Protect and unprotect work in place on the caller's buffer and never
 * allocate, except that libsrtp creates its per-SSRC stream state the first
 * time it sees an SSRC.  One veche_srtp is used by one thread at a time.
 */
#ifndef VECHE_SRTP_H
#define VECHE_SRTP_H

#include <stddef.h>
#include <stdint.h>

/* Values are the DTLS-SRTP protection profile numbers (RFC 5764, 7714). */
typedef enum {
    VECHE_SRTP_AES128_CM_SHA1_80 = 0x0001,
    VECHE_SRTP_AEAD_AES_128_GCM = 0x0007,
} veche_srtp_profile;

/* Room a protected packet needs beyond its plain length. */
#define VECHE_SRTP_MAX_OVERHEAD 148

/* Keying material exported by DTLS (RFC 5764 section 4.2), already split into
 * each side's master key followed by its master salt. */
typedef struct {
    veche_srtp_profile profile;
    uint8_t local[46];        /* our master key || salt: what we protect with */
    uint8_t remote[46];       /* the peer's: what we unprotect with */
    size_t len;               /* key + salt length: 30 (CM) or 28 (GCM) */
} veche_srtp_keys;

typedef struct veche_srtp veche_srtp;

/* Once per process, before any other call.  Returns 0 or VECHE_ECRYPTO. */
int veche_srtp_global_init(void);

/* Master key + salt length of a profile, or 0 when unsupported. */
size_t veche_srtp_key_len(veche_srtp_profile profile);

/* New inbound+outbound contexts for any SSRC.  NULL on bad keys / OOM. */
veche_srtp *veche_srtp_new(const veche_srtp_keys *keys);
void veche_srtp_free(veche_srtp *s);  /* accepts NULL */

/* In place.  cap is the size of buf; protect needs cap >= *len +
 * VECHE_SRTP_MAX_OVERHEAD.  *len is updated.  Return 0 or a negative code
 * (VECHE_ECRYPTO for authentication or replay failures). Retransmitting an
 * already protected sequence number is allowed. */
int veche_srtp_protect_rtp(veche_srtp *s, uint8_t *buf, size_t *len, size_t cap);
int veche_srtp_unprotect_rtp(veche_srtp *s, uint8_t *buf, size_t *len);
int veche_srtp_protect_rtcp(veche_srtp *s, uint8_t *buf, size_t *len, size_t cap);
int veche_srtp_unprotect_rtcp(veche_srtp *s, uint8_t *buf, size_t *len);

/* Drop the outbound stream state libsrtp keeps for ssrc (we will not send
 * it again, or it starts over as a new stream).  Accepts NULL and an SSRC
 * never sent. */
void veche_srtp_forget_outbound(veche_srtp *s, uint32_t ssrc);

#endif
