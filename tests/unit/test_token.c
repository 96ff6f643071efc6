/* test_token.c - session tokens and their hashes, invitation tokens
 * (known answers, signature, expiry, format), the secret file. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "err.h"
#include "token.h"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Secret 00 01 .. 1f, nonce a0 .. af, event 42, person 7, expires
 * 1700000000; computed independently (Python hmac/hashlib). */
static const char known_token[] =
    "AQAAAAAAAAAqAAAAAAAAAAcAAAAAZVPxAKChoqOkpaanqKmqq6ytrq8."
    "4E_iKOQXXIju0ySkp9z6-APE7xTVZnwZKB7_VZWeiNo";
/* The same, version byte 2, correctly signed. */
static const char version2_token[] =
    "AgAAAAAAAAAqAAAAAAAAAAcAAAAAZVPxAKChoqOkpaanqKmqq6ytrq8."
    "yasN5lYYrMYvz7lHSmc2VGU8p33gGP0BZFxVBNCU-bw";
/* Event id 0, correctly signed. */
static const char event0_token[] =
    "AQAAAAAAAAAAAAAAAAAAAAcAAAAAZVPxAKChoqOkpaanqKmqq6ytrq8."
    "fTJZxavrKEIaFXQBeZUL2dh0595GJCpJd4orgM3e4v8";

static veche_token_secret test_secret(void)
{
    veche_token_secret s;
    for (int i = 0; i < VECHE_TOKEN_SECRET_LEN; i++)
        s.key[i] = (uint8_t)i;
    return s;
}

static veche_invitation test_invitation(void)
{
    veche_invitation inv = { 42, 7, 1700000000, { 0 } };
    for (int i = 0; i < VECHE_TOKEN_NONCE_LEN; i++)
        inv.nonce[i] = (uint8_t)(0xa0 + i);
    return inv;
}

TEST(session_tokens)
{
    char t1[VECHE_TOKEN_SESSION_SIZE], t2[VECHE_TOKEN_SESSION_SIZE];
    uint8_t h1[VECHE_TOKEN_HASH_LEN], h2[VECHE_TOKEN_HASH_LEN];
    uint8_t again[VECHE_TOKEN_HASH_LEN];
    CHECK_EQ_INT(veche_token_session_new(t1, h1), 0);
    CHECK_EQ_INT(veche_token_session_new(t2, h2), 0);
    CHECK_EQ_INT(strlen(t1), VECHE_TOKEN_SESSION_CHARS);
    CHECK(strspn(t1, b64url) == VECHE_TOKEN_SESSION_CHARS);
    CHECK(strcmp(t1, t2) != 0);
    CHECK(memcmp(h1, h2, sizeof h1) != 0);
    CHECK_EQ_INT(veche_token_session_hash(t1, again), 0);
    CHECK(memcmp(h1, again, sizeof h1) == 0);
}

TEST(session_hash_known_answer)
{
    /* SHA-256 of 43 'A's (a valid token: 32 zero bytes). */
    static const uint8_t want[32] = {
        0x0f, 0x00, 0x73, 0x85, 0xb6, 0xf9, 0xd4, 0xb7, 0xee, 0xb2, 0x74,
        0x86, 0x05, 0xaf, 0xe1, 0xa9, 0x84, 0xa0, 0xa3, 0xbf, 0xa3, 0xf0,
        0x14, 0xd0, 0x9e, 0x2a, 0x78, 0x4c, 0xe9, 0xe5, 0xcd, 0x1a,
    };
    char t[VECHE_TOKEN_SESSION_SIZE];
    memset(t, 'A', VECHE_TOKEN_SESSION_CHARS);
    t[VECHE_TOKEN_SESSION_CHARS] = '\0';
    uint8_t h[VECHE_TOKEN_HASH_LEN];
    CHECK_EQ_INT(veche_token_session_hash(t, h), 0);
    CHECK(memcmp(h, want, sizeof want) == 0);
}

TEST(session_hash_rejects)
{
    char t[VECHE_TOKEN_SESSION_SIZE];
    uint8_t h[VECHE_TOKEN_HASH_LEN];
    CHECK_EQ_INT(veche_token_session_new(t, h), 0);
    char bad[64];
    static const struct {
        size_t at;
        char c;
    } edits[] = {
        { 5, '+' }, { 5, '/' }, { 5, '=' }, { 5, ' ' }, { 0, '.' },
        /* the last character carries 4 bits: 'B' (1) sets a spare bit */
        { VECHE_TOKEN_SESSION_CHARS - 1, 'B' },
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        strcpy(bad, t);
        if (edits[i].at == VECHE_TOKEN_SESSION_CHARS - 1)
            memset(bad, 'A', VECHE_TOKEN_SESSION_CHARS);
        bad[edits[i].at] = edits[i].c;
        CHECK_EQ_INT(veche_token_session_hash(bad, h), VECHE_EMALFORMED);
    }
    strcpy(bad, t);
    bad[VECHE_TOKEN_SESSION_CHARS - 1] = '\0';
    CHECK_EQ_INT(veche_token_session_hash(bad, h), VECHE_EMALFORMED);
    strcpy(bad, t);
    strcat(bad, "A");
    CHECK_EQ_INT(veche_token_session_hash(bad, h), VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_token_session_hash("", h), VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_token_session_hash(NULL, h), VECHE_EINVAL);
}

TEST(invitation_known_answer)
{
    veche_token_secret s = test_secret();
    veche_invitation inv = test_invitation(), got;
    char t[VECHE_TOKEN_INVITATION_SIZE];
    CHECK_EQ_INT(veche_token_invitation_sign(&s, &inv, t), 0);
    CHECK_EQ_STR(t, known_token);
    CHECK_EQ_INT(strlen(t), VECHE_TOKEN_INVITATION_CHARS);
    CHECK_EQ_INT(veche_token_invitation_verify(&s, known_token, 1699999999,
                                               &got), 0);
    CHECK_EQ_INT(got.event_id, 42);
    CHECK_EQ_INT(got.person_id, 7);
    CHECK_EQ_INT(got.expires, 1700000000);
    CHECK(memcmp(got.nonce, inv.nonce, sizeof inv.nonce) == 0);
}

TEST(invitation_expiry)
{
    veche_token_secret s = test_secret();
    veche_invitation got;
    static const struct {
        int64_t now;
        int want;
    } rows[] = {
        { 0, 0 }, { 1699999999, 0 }, { 1700000000, VECHE_EEXPIRED },
        { 1700000001, VECHE_EEXPIRED }, { INT64_MAX, VECHE_EEXPIRED },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        CHECK_EQ_INT(veche_token_invitation_verify(&s, known_token,
                                                   rows[i].now, &got),
                     rows[i].want);
        /* Expired but genuine: the ids are reported. */
        CHECK_EQ_INT(got.event_id, 42);
    }
}

TEST(invitation_bad_signature)
{
    veche_token_secret s = test_secret(), other = test_secret();
    other.key[31] ^= 1;
    veche_invitation got;
    CHECK_EQ_INT(veche_token_invitation_verify(&other, known_token, 0, &got),
                 VECHE_EBADSIG);
    CHECK_EQ_INT(got.event_id, 0);  /* nothing leaks from a forged token */
    char t[VECHE_TOKEN_INVITATION_SIZE];
    /* Change the person id byte (payload char 20: 'H' -> 'I' keeps it
     * canonical), or one MAC character. */
    static const size_t at[] = { 20, 30, 60, 97 };
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        strcpy(t, known_token);
        t[at[i]] = t[at[i]] == 'A' ? 'Q' : 'A';
        CHECK_EQ_INT(veche_token_invitation_verify(&s, t, 0, &got),
                     VECHE_EBADSIG);
    }
}

TEST(invitation_bad_format)
{
    veche_token_secret s = test_secret();
    veche_invitation got;
    char t[VECHE_TOKEN_INVITATION_SIZE + 8];
    CHECK_EQ_INT(veche_token_invitation_verify(&s, "", 0, &got),
                 VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_token_invitation_verify(&s, "abc.def", 0, &got),
                 VECHE_EMALFORMED);
    /* dot moved, dot replaced, bad alphabet, padding */
    static const struct {
        size_t at;
        char c;
    } edits[] = { { 55, 'A' }, { 3, '*' }, { 70, '=' }, { 10, '.' },
                  { 98, '~' } };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        strcpy(t, known_token);
        t[edits[i].at] = edits[i].c;
        CHECK_EQ_INT(veche_token_invitation_verify(&s, t, 0, &got),
                     VECHE_EMALFORMED);
    }
    /* Non-canonical payload tail: 55 chars carry 330 bits for 328. */
    strcpy(t, known_token);
    t[54] = t[54] == 'v' ? 'w' : t[54] + 1;  /* '8' -> '9': low bit set */
    CHECK_EQ_INT(veche_token_invitation_verify(&s, t, 0, &got),
                 VECHE_EMALFORMED);
    strcpy(t, known_token);
    strcat(t, "A");
    CHECK_EQ_INT(veche_token_invitation_verify(&s, t, 0, &got),
                 VECHE_EMALFORMED);
    strcpy(t, known_token);
    t[VECHE_TOKEN_INVITATION_CHARS - 1] = '\0';
    CHECK_EQ_INT(veche_token_invitation_verify(&s, t, 0, &got),
                 VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_token_invitation_verify(&s, version2_token, 0, &got),
                 VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_token_invitation_verify(&s, event0_token, 0, &got),
                 VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_token_invitation_verify(&s, NULL, 0, &got),
                 VECHE_EINVAL);
}

TEST(invitation_create)
{
    veche_token_secret s = test_secret();
    veche_invitation a, b, got;
    char ta[VECHE_TOKEN_INVITATION_SIZE], tb[VECHE_TOKEN_INVITATION_SIZE];
    CHECK_EQ_INT(veche_token_invitation_create(&s, 5, 9, 2000, &a, ta), 0);
    CHECK_EQ_INT(veche_token_invitation_create(&s, 5, 9, 2000, &b, tb), 0);
    CHECK(memcmp(a.nonce, b.nonce, sizeof a.nonce) != 0);
    CHECK(strcmp(ta, tb) != 0);
    CHECK_EQ_INT(veche_token_invitation_verify(&s, ta, 1999, &got), 0);
    CHECK_EQ_INT(got.event_id, 5);
    CHECK_EQ_INT(got.person_id, 9);
    CHECK(memcmp(got.nonce, a.nonce, sizeof a.nonce) == 0);
    CHECK_EQ_INT(veche_token_invitation_create(&s, 0, 9, 2000, &a, ta),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_token_invitation_create(&s, 5, -1, 2000, &a, ta),
                 VECHE_EINVAL);
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/veche-token-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

static void remove_dir(const char *dir)
{
    char p[512];
    snprintf(p, sizeof p, "%s/secret.key", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/link.key", dir);
    unlink(p);
    rmdir(dir);
}

TEST(secret_file)
{
    char *dir = make_tmpdir();
    CHECK(dir != NULL);
    if (!dir)
        return;
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/secret.key", dir);
    veche_token_secret a, b;
    CHECK_EQ_INT(veche_token_load_or_create_secret(dir, &a, err, sizeof err),
                 0);
    struct stat st;
    CHECK_EQ_INT(stat(path, &st), 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    CHECK_EQ_INT(st.st_size, VECHE_TOKEN_SECRET_LEN);
    CHECK_EQ_INT(veche_token_load_or_create_secret(dir, &b, err, sizeof err),
                 0);
    CHECK(memcmp(a.key, b.key, sizeof a.key) == 0);

    /* Readable by others: refused with a reason. */
    CHECK_EQ_INT(chmod(path, 0644), 0);
    CHECK_EQ_INT(veche_token_load_or_create_secret(dir, &b, err, sizeof err),
                 VECHE_EPOLICY);
    CHECK(strstr(err, "chmod 600") != NULL);
    CHECK_EQ_INT(chmod(path, 0600), 0);

    /* Wrong size: refused, never silently replaced. */
    CHECK_EQ_INT(truncate(path, 16), 0);
    CHECK_EQ_INT(veche_token_load_or_create_secret(dir, &b, err, sizeof err),
                 VECHE_EMALFORMED);
    CHECK_EQ_INT(unlink(path), 0);

    /* A symlink in its place is not followed. */
    char target[512];
    snprintf(target, sizeof target, "%s/link.key", dir);
    int fd = open(target, O_CREAT | O_WRONLY, 0600);
    CHECK(fd >= 0);
    CHECK_EQ_INT(write(fd, a.key, sizeof a.key), (long)sizeof a.key);
    close(fd);
    CHECK_EQ_INT(symlink(target, path), 0);
    CHECK(veche_token_load_or_create_secret(dir, &b, err, sizeof err) < 0);
    CHECK_EQ_INT(unlink(path), 0);

    CHECK_EQ_INT(veche_token_load_or_create_secret("/nonexistent/veche", &b,
                                                   err, sizeof err),
                 VECHE_EIO);
    remove_dir(dir);
    free(dir);
}

int main(void)
{
    RUN(session_tokens);
    RUN(session_hash_known_answer);
    RUN(session_hash_rejects);
    RUN(invitation_known_answer);
    RUN(invitation_expiry);
    RUN(invitation_bad_signature);
    RUN(invitation_bad_format);
    RUN(invitation_create);
    RUN(secret_file);
    return check_finish();
}
