/* dtls.h - DTLS 1.2 handshake for DTLS-SRTP (RFC 6347, RFC 5763, RFC 5764)
 * with OpenSSL over memory BIOs.
 *
 * This module does no I/O and owns no timers: records to send go out through
 * the send callback; the caller feeds received records in with
 * veche_dtls_handle() and drives retransmission with
 * veche_dtls_timeout_ms()/veche_dtls_handle_timeout().  After the handshake
 * the peer's certificate fingerprint is checked against the one from SDP and
 * the SRTP keys are exported.  Application data is not supported.
 *
 * States:  NEW --start/handle--> HANDSHAKING --ok--> CONNECTED
 *                                     \--error/bad fingerprint--> FAILED
 *          CONNECTED --close_notify--> CLOSED
 *
 * Ownership: a veche_dtls_cert is shared (reference counted) by all the
 * sessions made with it.  Callbacks are called from inside the calls above,
 * on the caller's thread; a callback may not free the veche_dtls.
 */
#ifndef VECHE_DTLS_H
#define VECHE_DTLS_H

#include <stddef.h>
#include <stdint.h>
#include "srtp.h"

typedef struct veche_dtls_cert veche_dtls_cert;
typedef struct veche_dtls veche_dtls;

/* Generate an ECDSA P-256 key and a self-signed certificate (valid 30 days,
 * random serial, CN "veche").  NULL on failure. */
veche_dtls_cert *veche_dtls_cert_new(void);
veche_dtls_cert *veche_dtls_cert_ref(veche_dtls_cert *c);
void veche_dtls_cert_unref(veche_dtls_cert *c);  /* accepts NULL */
/* SHA-256 fingerprint as "AB:CD:...", 95 characters. */
const char *veche_dtls_cert_fingerprint(const veche_dtls_cert *c);

typedef enum { VECHE_DTLS_CLIENT, VECHE_DTLS_SERVER } veche_dtls_role;
typedef enum {
    VECHE_DTLS_NEW,
    VECHE_DTLS_HANDSHAKING,
    VECHE_DTLS_CONNECTED,
    VECHE_DTLS_FAILED,
    VECHE_DTLS_CLOSED,
} veche_dtls_state;

typedef struct {
    /* A datagram to put on the wire. */
    void (*send)(void *ud, const uint8_t *buf, size_t len);
    /* Handshake done, fingerprint verified; keys for veche_srtp_new(). */
    void (*connected)(void *ud, const veche_srtp_keys *keys);
    /* Handshake or verification failed, or the peer closed; reason is
     * human-readable. */
    void (*failed)(void *ud, const char *reason);
} veche_dtls_callbacks;

/* remote_fp_alg is "sha-256" (also "sha-1", "sha-384", "sha-512"); remote_fp
 * is the SDP fingerprint text.  NULL on failure. */
veche_dtls *veche_dtls_new(veche_dtls_cert *cert, veche_dtls_role role,
                           const char *remote_fp_alg, const char *remote_fp,
                           const veche_dtls_callbacks *cb, void *ud);
void veche_dtls_free(veche_dtls *d);  /* accepts NULL; sends no alert */

/* Client: send the ClientHello.  Server: nothing to do.  Returns 0. */
int veche_dtls_start(veche_dtls *d);
/* Feed one received DTLS datagram.  Returns 0, or a negative code after which
 * the state is FAILED (failed() was called). */
int veche_dtls_handle(veche_dtls *d, const uint8_t *buf, size_t len);
/* Milliseconds until veche_dtls_handle_timeout() is due, or -1 for none. */
int veche_dtls_timeout_ms(veche_dtls *d);
void veche_dtls_handle_timeout(veche_dtls *d);
/* Send close_notify. */
void veche_dtls_close(veche_dtls *d);
veche_dtls_state veche_dtls_get_state(const veche_dtls *d);

#endif
