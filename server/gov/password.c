/* password.c - Argon2id password hashes through libsodium's crypto_pwhash_str
 * family, and the password policy.  See password.h. */
#include "password.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "err.h"

#define ARGON2ID_PREFIX "$argon2id$"

_Static_assert(VECHE_PASSWORD_MIN_CHARS == 10, "update the policy message");

veche_password_cost veche_password_cost_interactive(void)
{
    veche_password_cost c = { crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE };
    return c;
}

veche_password_cost veche_password_cost_fast(void)
{
    veche_password_cost c = { crypto_pwhash_OPSLIMIT_MIN,
                              crypto_pwhash_MEMLIMIT_MIN };
    return c;
}

static int cost_valid(const veche_password_cost *cost)
{
    return cost && cost->opslimit >= crypto_pwhash_OPSLIMIT_MIN &&
           cost->opslimit <= crypto_pwhash_OPSLIMIT_MAX &&
           cost->memlimit >= crypto_pwhash_MEMLIMIT_MIN &&
           cost->memlimit <= crypto_pwhash_MEMLIMIT_MAX;
}

/* A stored hash we are willing to hand to libsodium: NUL within the buffer
 * size and the Argon2id prefix (we never made anything else). */
static int hash_well_formed(const char *hash)
{
    size_t n = strnlen(hash, VECHE_PASSWORD_HASH_SIZE);
    return n < VECHE_PASSWORD_HASH_SIZE &&
           strncmp(hash, ARGON2ID_PREFIX, strlen(ARGON2ID_PREFIX)) == 0;
}

int veche_password_hash(const char *password, const veche_password_cost *cost,
                        char out[VECHE_PASSWORD_HASH_SIZE])
{
    if (!password || !out || !cost_valid(cost))
        return VECHE_EINVAL;
    size_t len = strnlen(password, VECHE_PASSWORD_MAX_BYTES + 1);
    if (len > VECHE_PASSWORD_MAX_BYTES)
        return VECHE_EINVAL;
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    /* crypto_pwhash_str fails only when Argon2 cannot allocate memlimit. */
    if (crypto_pwhash_str_alg(out, password, len, cost->opslimit,
                              cost->memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return VECHE_ENOMEM;
    return 0;
}

int veche_password_verify(const char *hash, const char *password)
{
    if (!hash || !password)
        return VECHE_EINVAL;
    if (!hash_well_formed(hash))
        return VECHE_EMALFORMED;
    size_t len = strnlen(password, VECHE_PASSWORD_MAX_BYTES + 1);
    if (len > VECHE_PASSWORD_MAX_BYTES)
        return VECHE_EAUTH;
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    return crypto_pwhash_str_verify(hash, password, len) == 0 ? 0
                                                              : VECHE_EAUTH;
}

int veche_password_verify_dummy(const char *password,
                                const veche_password_cost *cost)
{
    if (!password || !cost_valid(cost))
        return VECHE_EINVAL;
    static const unsigned char salt[crypto_pwhash_SALTBYTES] = { 0 };
    unsigned char sink[32];
    size_t len = strnlen(password, VECHE_PASSWORD_MAX_BYTES + 1);
    if (len > VECHE_PASSWORD_MAX_BYTES)
        return VECHE_EAUTH;
    if (sodium_init() < 0)
        return VECHE_EAUTH;
    /* The result is thrown away; only the time spent matters.  A failure
     * (no memory) changes nothing: the answer is "no" either way. */
    if (crypto_pwhash(sink, sizeof sink, password, len, salt, cost->opslimit,
                      cost->memlimit, crypto_pwhash_ALG_ARGON2ID13) == 0)
        sodium_memzero(sink, sizeof sink);
    return VECHE_EAUTH;
}

int veche_password_needs_rehash(const char *hash,
                                const veche_password_cost *cost)
{
    if (!hash || !cost_valid(cost))
        return VECHE_EINVAL;
    if (!hash_well_formed(hash))
        return VECHE_EMALFORMED;
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    int r = crypto_pwhash_str_needs_rehash(hash, cost->opslimit,
                                           cost->memlimit);
    if (r < 0)
        return VECHE_EMALFORMED;
    return r ? 1 : 0;
}

static int policy_fail(const char **reason, const char *why)
{
    if (reason)
        *reason = why;
    return VECHE_EPOLICY;
}

int veche_password_check_policy(const char *password, const char *email,
                                const char **reason)
{
    if (!password)
        return policy_fail(reason, "no password");
    size_t len = strnlen(password, VECHE_PASSWORD_MAX_BYTES + 1);
    if (len > VECHE_PASSWORD_MAX_BYTES)
        return policy_fail(reason, "password is too long");
    long chars = veche_csv_utf8_chars(password, len);
    if (chars < 0)
        return policy_fail(reason, "password is not valid UTF-8");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)password[i];
        if (c < 0x20 || c == 0x7f)
            return policy_fail(reason, "password contains control characters");
    }
    if (chars < VECHE_PASSWORD_MIN_CHARS)
        return policy_fail(reason, "password is shorter than 10 characters");
    if (email && strcasecmp(password, email) == 0)
        return policy_fail(reason, "password must not be the e-mail address");
    if (reason)
        *reason = NULL;
    return 0;
}
