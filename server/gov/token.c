/* token.c - session tokens, HMAC-signed invitation tokens and the server
 * secret file.  See token.h for the formats. */
#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"

#define B64_VARIANT sodium_base64_VARIANT_URLSAFE_NO_PADDING
#define SESSION_RAW 32
#define PAYLOAD_LEN 41
#define PAYLOAD_VERSION 1
#define PAYLOAD_CHARS 55
#define MAC_CHARS 43
#define SECRET_FILE "secret.key"

static const char mac_context[] = "veche/invitation/v1\n";

_Static_assert(PAYLOAD_CHARS + 1 + MAC_CHARS == VECHE_TOKEN_INVITATION_CHARS,
               "invitation token length");
_Static_assert(sodium_base64_ENCODED_LEN(PAYLOAD_LEN, B64_VARIANT) ==
                   PAYLOAD_CHARS + 1, "payload length");
_Static_assert(sodium_base64_ENCODED_LEN(SESSION_RAW, B64_VARIANT) ==
                   VECHE_TOKEN_SESSION_SIZE, "session token length");

/* Strict base64url: decodes exactly len characters into exactly want bytes,
 * and re-encoding gives the same text (no stray trailing bits). */
static int b64_decode_exact(const char *s, size_t len, uint8_t *out,
                            size_t want)
{
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, want, s, len, NULL, &got, &end,
                          B64_VARIANT) != 0 || got != want || end != s + len)
        return VECHE_EMALFORMED;
    char again[sodium_base64_ENCODED_LEN(PAYLOAD_LEN, B64_VARIANT)];
    if (len + 1 > sizeof again)
        return VECHE_EMALFORMED;
    sodium_bin2base64(again, sizeof again, out, want, B64_VARIANT);
    return memcmp(again, s, len) == 0 ? 0 : VECHE_EMALFORMED;
}

int veche_token_session_new(char out[VECHE_TOKEN_SESSION_SIZE],
                            uint8_t hash[VECHE_TOKEN_HASH_LEN])
{
    if (!out || !hash)
        return VECHE_EINVAL;
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    uint8_t raw[SESSION_RAW];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, VECHE_TOKEN_SESSION_SIZE, raw, sizeof raw,
                      B64_VARIANT);
    sodium_memzero(raw, sizeof raw);
    return veche_token_session_hash(out, hash);
}

int veche_token_session_hash(const char *token,
                             uint8_t hash[VECHE_TOKEN_HASH_LEN])
{
    if (!token || !hash)
        return VECHE_EINVAL;
    size_t len = strnlen(token, VECHE_TOKEN_SESSION_SIZE);
    uint8_t raw[SESSION_RAW];
    if (len != VECHE_TOKEN_SESSION_CHARS ||
        b64_decode_exact(token, len, raw, sizeof raw) != 0)
        return VECHE_EMALFORMED;
    sodium_memzero(raw, sizeof raw);
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    crypto_hash_sha256(hash, (const unsigned char *)token, len);
    return 0;
}

static void put_be64(uint8_t *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)u;
        u >>= 8;
    }
}

static int64_t get_be64(const uint8_t *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = (u << 8) | p[i];
    return (int64_t)u;
}

static void mac_payload(const veche_token_secret *secret, const char *b64,
                        uint8_t mac[crypto_auth_hmacsha256_BYTES])
{
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, secret->key, sizeof secret->key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)mac_context,
                                  sizeof mac_context - 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)b64,
                                  PAYLOAD_CHARS);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
}

int veche_token_invitation_sign(const veche_token_secret *secret,
                                const veche_invitation *inv,
                                char out[VECHE_TOKEN_INVITATION_SIZE])
{
    if (!secret || !inv || !out || inv->event_id <= 0 || inv->person_id <= 0)
        return VECHE_EINVAL;
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    uint8_t payload[PAYLOAD_LEN];
    payload[0] = PAYLOAD_VERSION;
    put_be64(payload + 1, inv->event_id);
    put_be64(payload + 9, inv->person_id);
    put_be64(payload + 17, inv->expires);
    memcpy(payload + 25, inv->nonce, VECHE_TOKEN_NONCE_LEN);
    sodium_bin2base64(out, PAYLOAD_CHARS + 1, payload, sizeof payload,
                      B64_VARIANT);
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    mac_payload(secret, out, mac);
    out[PAYLOAD_CHARS] = '.';
    sodium_bin2base64(out + PAYLOAD_CHARS + 1, MAC_CHARS + 1, mac, sizeof mac,
                      B64_VARIANT);
    return 0;
}

int veche_token_invitation_create(const veche_token_secret *secret,
                                  int64_t event_id, int64_t person_id,
                                  int64_t expires, veche_invitation *inv,
                                  char out[VECHE_TOKEN_INVITATION_SIZE])
{
    if (!inv)
        return VECHE_EINVAL;
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    inv->event_id = event_id;
    inv->person_id = person_id;
    inv->expires = expires;
    randombytes_buf(inv->nonce, sizeof inv->nonce);
    return veche_token_invitation_sign(secret, inv, out);
}

/* Split and decode; no secret involved. */
static int invitation_parse(const char *token, uint8_t payload[PAYLOAD_LEN],
                            uint8_t mac[crypto_auth_hmacsha256_BYTES])
{
    size_t len = strnlen(token, VECHE_TOKEN_INVITATION_SIZE);
    if (len != VECHE_TOKEN_INVITATION_CHARS || token[PAYLOAD_CHARS] != '.')
        return VECHE_EMALFORMED;
    if (b64_decode_exact(token, PAYLOAD_CHARS, payload, PAYLOAD_LEN) != 0 ||
        b64_decode_exact(token + PAYLOAD_CHARS + 1, MAC_CHARS, mac,
                         crypto_auth_hmacsha256_BYTES) != 0)
        return VECHE_EMALFORMED;
    return payload[0] == PAYLOAD_VERSION ? 0 : VECHE_EMALFORMED;
}

int veche_token_invitation_verify(const veche_token_secret *secret,
                                  const char *token, int64_t now,
                                  veche_invitation *inv)
{
    if (!secret || !token || !inv)
        return VECHE_EINVAL;
    memset(inv, 0, sizeof *inv);
    uint8_t payload[PAYLOAD_LEN], mac[crypto_auth_hmacsha256_BYTES];
    int r = invitation_parse(token, payload, mac);
    if (r != 0)
        return r;
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    uint8_t want[crypto_auth_hmacsha256_BYTES];
    mac_payload(secret, token, want);
    if (sodium_memcmp(want, mac, sizeof mac) != 0)
        return VECHE_EBADSIG;
    int64_t event_id = get_be64(payload + 1);
    int64_t person_id = get_be64(payload + 9);
    if (event_id <= 0 || person_id <= 0)
        return VECHE_EMALFORMED;  /* signed by us, yet never issued */
    inv->event_id = event_id;
    inv->person_id = person_id;
    inv->expires = get_be64(payload + 17);
    memcpy(inv->nonce, payload + 25, VECHE_TOKEN_NONCE_LEN);
    return now >= inv->expires ? VECHE_EEXPIRED : 0;
}

/* ---- the secret file ---- */

static int fail(char *err, size_t errcap, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errcap, int code, const char *fmt, ...)
{
    if (err && errcap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errcap, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int read_secret(const char *path, veche_token_secret *secret,
                       char *err, size_t errcap)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? VECHE_ENOTFOUND
                               : fail(err, errcap, VECHE_EIO, "%s: %s", path,
                                      strerror(errno));
    struct stat st;
    int r = 0;
    if (fstat(fd, &st) != 0)
        r = fail(err, errcap, VECHE_EIO, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode) || st.st_size != VECHE_TOKEN_SECRET_LEN)
        r = fail(err, errcap, VECHE_EMALFORMED,
                 "%s: not a %d-byte regular file", path,
                 VECHE_TOKEN_SECRET_LEN);
    else if (st.st_mode & (S_IRWXG | S_IRWXO))
        r = fail(err, errcap, VECHE_EPOLICY,
                 "%s: group or others have access; chmod 600 it and "
                 "consider replacing it", path);
    else if (read(fd, secret->key, sizeof secret->key) !=
             (ssize_t)sizeof secret->key)
        r = fail(err, errcap, VECHE_EIO, "%s: short read", path);
    (void)close(fd);  /* read-only descriptor */
    return r;
}

/* Write a fresh secret to a temporary file next to path, sync it, and link
 * it to path.  Returns 0, VECHE_EEXISTS when path appeared meanwhile. */
static int create_secret(const char *dir, const char *path,
                         char *err, size_t errcap)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s/.secret.key.XXXXXX", dir) >=
        (int)sizeof tmp)
        return fail(err, errcap, VECHE_EINVAL, "%s: path too long", dir);
    int fd = mkstemp(tmp);  /* mode 0600 */
    if (fd < 0)
        return fail(err, errcap, VECHE_EIO, "%s: %s", dir, strerror(errno));
    uint8_t key[VECHE_TOKEN_SECRET_LEN];
    randombytes_buf(key, sizeof key);
    int r = 0;
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 ||
        write(fd, key, sizeof key) != (ssize_t)sizeof key || fsync(fd) != 0)
        r = fail(err, errcap, VECHE_EIO, "%s: %s", tmp, strerror(errno));
    sodium_memzero(key, sizeof key);
    if (close(fd) != 0 && r == 0)
        r = fail(err, errcap, VECHE_EIO, "%s: %s", tmp, strerror(errno));
    if (r == 0 && link(tmp, path) != 0)
        r = errno == EEXIST ? VECHE_EEXISTS
                            : fail(err, errcap, VECHE_EIO, "%s: %s", path,
                                   strerror(errno));
    (void)unlink(tmp);  /* the temporary name goes in every case */
    if (r != 0)
        return r;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        /* The new directory entry must reach the disk too: a secret lost
         * in a crash would void every invitation link issued meanwhile. */
        if (fsync(dfd) != 0)
            r = fail(err, errcap, VECHE_EIO, "%s: %s", dir, strerror(errno));
        (void)close(dfd);
    }
    return r;
}

int veche_token_load_or_create_secret(const char *dir,
                                      veche_token_secret *secret,
                                      char *err, size_t errcap)
{
    if (!dir || !secret)
        return VECHE_EINVAL;
    if (err && errcap)
        err[0] = '\0';
    if (sodium_init() < 0)
        return VECHE_ECRYPTO;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, SECRET_FILE) >=
        (int)sizeof path)
        return fail(err, errcap, VECHE_EINVAL, "%s: path too long", dir);
    int r = read_secret(path, secret, err, errcap);
    if (r != VECHE_ENOTFOUND)
        return r;
    r = create_secret(dir, path, err, errcap);
    if (r != 0 && r != VECHE_EEXISTS)
        return r;
    /* Read back what is now in place: ours, or the one that won a race. */
    return read_secret(path, secret, err, errcap);
}
