/* token.h - session tokens, signed invitation tokens, the server secret.
 *
 * Session token: 32 random bytes (randombytes_buf) as 43 characters of
 * unpadded base64url; it lives only in the browser's HttpOnly cookie.  The
 * server stores SHA-256(token text) (veche_token_session_hash), so a copy of
 * the database does not hand out sessions.
 *
 * Invitation token: a personal, expiring link an organizer creates for one
 * person and one event:
 *
 *     base64url(payload) "." base64url(HMAC-SHA-256(secret, context || b64 payload))
 *
 * payload is 41 bytes: version (1), event id, person id, expiry (unix
 * seconds) as 8-byte big-endian signed integers, then a 16-byte random nonce
 * (the store records the nonce to make the link single-use).  context is the
 * fixed string "veche/invitation/v1\n", so a MAC made with the same secret
 * for another purpose never verifies as an invitation.  Base64url is strict:
 * no padding, no whitespace, no non-canonical trailing bits.  A token is 99
 * characters.
 *
 * Server secret: 32 random bytes kept in <data_dir>/secret.key (mode 0600),
 * generated on first start.  Everything here is stateless and thread-safe
 * except the file helper, which does I/O.
 */
#ifndef VECHE_TOKEN_H
#define VECHE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define VECHE_TOKEN_SECRET_LEN 32
#define VECHE_TOKEN_HASH_LEN 32          /* SHA-256 of a session token */
#define VECHE_TOKEN_SESSION_CHARS 43     /* without the NUL */
#define VECHE_TOKEN_SESSION_SIZE 44      /* with the NUL */
#define VECHE_TOKEN_NONCE_LEN 16
#define VECHE_TOKEN_INVITATION_CHARS 99  /* without the NUL */
#define VECHE_TOKEN_INVITATION_SIZE 100  /* with the NUL */

typedef struct {
    uint8_t key[VECHE_TOKEN_SECRET_LEN];
} veche_token_secret;

typedef struct {
    int64_t event_id;
    int64_t person_id;
    int64_t expires;                       /* unix seconds */
    uint8_t nonce[VECHE_TOKEN_NONCE_LEN];
} veche_invitation;

/* A fresh session token (out, NUL-terminated) and the hash to store.
 * Returns 0 or VECHE_ECRYPTO. */
int veche_token_session_new(char out[VECHE_TOKEN_SESSION_SIZE],
                            uint8_t hash[VECHE_TOKEN_HASH_LEN]);

/* Hash a token received in a cookie, after checking its format.  Returns 0
 * or VECHE_EMALFORMED (wrong length or alphabet), VECHE_ECRYPTO. */
int veche_token_session_hash(const char *token,
                             uint8_t hash[VECHE_TOKEN_HASH_LEN]);

/* Sign inv as is (nonce included) into out.  Returns 0, VECHE_EINVAL (NULL,
 * negative ids) or VECHE_ECRYPTO. */
int veche_token_invitation_sign(const veche_token_secret *secret,
                                const veche_invitation *inv,
                                char out[VECHE_TOKEN_INVITATION_SIZE]);

/* Fill inv with the ids, expiry and a random nonce, then sign it. */
int veche_token_invitation_create(const veche_token_secret *secret,
                                  int64_t event_id, int64_t person_id,
                                  int64_t expires, veche_invitation *inv,
                                  char out[VECHE_TOKEN_INVITATION_SIZE]);

/* Check a token's format, then its signature (constant time), then its
 * expiry against now (unix seconds; expired when now >= expires).  Returns
 * 0 with *inv filled; VECHE_EMALFORMED; VECHE_EBADSIG; VECHE_EEXPIRED (*inv
 * filled too: the signature was good, so the caller may say which event the
 * stale link was for).  On the other errors *inv is zeroed. */
int veche_token_invitation_verify(const veche_token_secret *secret,
                                  const char *token, int64_t now,
                                  veche_invitation *inv);

/* Read <dir>/secret.key, or create it (0600, written to a temporary file,
 * synced, then linked into place so that two processes starting at once
 * agree on one secret).  Refuses a file that is not a regular file of
 * exactly 32 bytes (VECHE_EMALFORMED) or that group or others may read or
 * write (VECHE_EPOLICY).  Returns 0 or a negative code with a reason in err
 * (err may be NULL). */
int veche_token_load_or_create_secret(const char *dir,
                                      veche_token_secret *secret,
                                      char *err, size_t errcap);

#endif
