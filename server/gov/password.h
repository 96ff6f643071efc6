/* password.h - account passwords: Argon2id hashing, verification and the
 * password policy.
 *
 * Hashes are libsodium's crypto_pwhash_str strings ("$argon2id$v=19$m=...,
 * t=...,p=1$salt$hash"): salt and parameters travel inside the string, so a
 * hash made with one cost still verifies after the cost is raised, and
 * veche_password_needs_rehash() says when to re-hash at the next sign-in.
 *
 * The cost is a value passed by the caller (interactive in production, the
 * library minimum in unit tests), never a global.  Verification compares in
 * constant time (libsodium); veche_password_verify_dummy() spends the same
 * time when no account exists, so the response time does not tell whether an
 * e-mail is registered.  No I/O, no storage; stateless and thread-safe.
 */
#ifndef VECHE_PASSWORD_H
#define VECHE_PASSWORD_H

#include <stddef.h>

/* Room for a hash string with its NUL (crypto_pwhash_STRBYTES). */
#define VECHE_PASSWORD_HASH_SIZE 128
/* Policy: at least this many characters (code points, not bytes). */
#define VECHE_PASSWORD_MIN_CHARS 10
/* Policy: at most this many bytes (bounds hashing work per request). */
#define VECHE_PASSWORD_MAX_BYTES 1024

typedef struct {
    unsigned long long opslimit;
    size_t memlimit;
} veche_password_cost;

/* crypto_pwhash_*_INTERACTIVE: about 64 MiB and 0.1 s per hash. */
veche_password_cost veche_password_cost_interactive(void);
/* crypto_pwhash_*_MIN: fast and weak, for unit tests only. */
veche_password_cost veche_password_cost_fast(void);

/* Hash password into out (NUL-terminated).  Returns 0, VECHE_EINVAL (NULL
 * argument, password longer than VECHE_PASSWORD_MAX_BYTES), VECHE_ENOMEM
 * (Argon2 could not get its memory) or VECHE_ECRYPTO. */
int veche_password_hash(const char *password, const veche_password_cost *cost,
                        char out[VECHE_PASSWORD_HASH_SIZE]);

/* Check password against a stored hash.  Returns 0 on a match, VECHE_EAUTH
 * on a mismatch, VECHE_EMALFORMED when hash is not an Argon2id string,
 * VECHE_EINVAL on NULL arguments. */
int veche_password_verify(const char *hash, const char *password);

/* Do the work of one verification at this cost and fail: call it when the
 * e-mail has no account (or no password yet).  Always returns VECHE_EAUTH
 * (or VECHE_EINVAL on NULL arguments). */
int veche_password_verify_dummy(const char *password,
                                const veche_password_cost *cost);

/* 1 when hash was made with other parameters than cost (re-hash after the
 * next successful sign-in), 0 when not, VECHE_EMALFORMED for a foreign or
 * broken string. */
int veche_password_needs_rehash(const char *hash,
                                const veche_password_cost *cost);

/* The password policy: valid UTF-8 without control characters, at least
 * VECHE_PASSWORD_MIN_CHARS code points, at most VECHE_PASSWORD_MAX_BYTES
 * bytes, and not the e-mail address (compared without regard to ASCII case;
 * email may be NULL).  Returns 0, or VECHE_EPOLICY with a static English
 * reason in *reason (reason may be NULL). */
int veche_password_check_policy(const char *password, const char *email,
                                const char **reason);

#endif
