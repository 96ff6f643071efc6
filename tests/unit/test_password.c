/* test_password.c - Argon2id hashing and verification, re-hash decisions,
 * the dummy verification, and the password policy. */
#include <string.h>

#include "check.h"
#include "err.h"
#include "password.h"

TEST(hash_and_verify)
{
    veche_password_cost fast = veche_password_cost_fast();
    char h1[VECHE_PASSWORD_HASH_SIZE], h2[VECHE_PASSWORD_HASH_SIZE];
    CHECK_EQ_INT(veche_password_hash("correct horse battery", &fast, h1), 0);
    CHECK_EQ_INT(veche_password_hash("correct horse battery", &fast, h2), 0);
    CHECK(strncmp(h1, "$argon2id$v=19$", 15) == 0);
    CHECK(strcmp(h1, h2) != 0);  /* a fresh salt each time */
    CHECK_EQ_INT(veche_password_verify(h1, "correct horse battery"), 0);
    CHECK_EQ_INT(veche_password_verify(h2, "correct horse battery"), 0);
    static const char *const wrong[] = {
        "correct horse batterx", "Correct horse battery", "", "correct",
        "correct horse battery ", "correct horse battery\n",
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        CHECK_EQ_INT(veche_password_verify(h1, wrong[i]), VECHE_EAUTH);
}

TEST(cyrillic_password)
{
    veche_password_cost fast = veche_password_cost_fast();
    char h[VECHE_PASSWORD_HASH_SIZE];
    const char *pw = "Пароль-Председателя";
    CHECK_EQ_INT(veche_password_hash(pw, &fast, h), 0);
    CHECK_EQ_INT(veche_password_verify(h, pw), 0);
    /* Same letters in another case: different bytes, different password. */
    CHECK_EQ_INT(veche_password_verify(h, "пароль-председателя"), VECHE_EAUTH);
}

TEST(interactive_cost)
{
    veche_password_cost c = veche_password_cost_interactive();
    char h[VECHE_PASSWORD_HASH_SIZE];
    CHECK_EQ_INT(veche_password_hash("a long enough password", &c, h), 0);
    CHECK(strstr(h, "$m=65536,t=2,p=1$") != NULL);
    CHECK_EQ_INT(veche_password_verify(h, "a long enough password"), 0);
    CHECK_EQ_INT(veche_password_needs_rehash(h, &c), 0);
}

TEST(needs_rehash)
{
    veche_password_cost fast = veche_password_cost_fast();
    veche_password_cost inter = veche_password_cost_interactive();
    char h[VECHE_PASSWORD_HASH_SIZE];
    CHECK_EQ_INT(veche_password_hash("0123456789ab", &fast, h), 0);
    CHECK_EQ_INT(veche_password_needs_rehash(h, &fast), 0);
    CHECK_EQ_INT(veche_password_needs_rehash(h, &inter), 1);
    CHECK_EQ_INT(veche_password_needs_rehash("$2y$10$bcrypt", &fast),
                 VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_password_needs_rehash("$argon2id$garbage", &fast),
                 VECHE_EMALFORMED);
}

TEST(malformed_hashes)
{
    static const char *const bad[] = {
        "", "plain text", "$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(veche_password_verify(bad[i], "whatever-password"),
                     VECHE_EMALFORMED);
    /* Prefix right, body broken: libsodium rejects it, we say "no". */
    CHECK_EQ_INT(veche_password_verify("$argon2id$v=19$m=8,t=1,p=1$xx$yy",
                                       "whatever-password"), VECHE_EAUTH);
    /* Not terminated within the buffer size. */
    char longhash[VECHE_PASSWORD_HASH_SIZE + 8];
    memset(longhash, 'a', sizeof longhash - 1);
    memcpy(longhash, "$argon2id$", 10);
    longhash[sizeof longhash - 1] = '\0';
    CHECK_EQ_INT(veche_password_verify(longhash, "x"), VECHE_EMALFORMED);
    CHECK_EQ_INT(veche_password_verify(NULL, "x"), VECHE_EINVAL);
    CHECK_EQ_INT(veche_password_verify("$argon2id$", NULL), VECHE_EINVAL);
}

TEST(bad_arguments)
{
    veche_password_cost fast = veche_password_cost_fast();
    veche_password_cost zero = { 0, 0 };
    char h[VECHE_PASSWORD_HASH_SIZE];
    CHECK_EQ_INT(veche_password_hash(NULL, &fast, h), VECHE_EINVAL);
    CHECK_EQ_INT(veche_password_hash("x", NULL, h), VECHE_EINVAL);
    CHECK_EQ_INT(veche_password_hash("x", &zero, h), VECHE_EINVAL);
    char big[VECHE_PASSWORD_MAX_BYTES + 2];
    memset(big, 'p', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_EQ_INT(veche_password_hash(big, &fast, h), VECHE_EINVAL);
}

TEST(dummy_verify)
{
    veche_password_cost fast = veche_password_cost_fast();
    CHECK_EQ_INT(veche_password_verify_dummy("anything at all", &fast),
                 VECHE_EAUTH);
    CHECK_EQ_INT(veche_password_verify_dummy("", &fast), VECHE_EAUTH);
    CHECK_EQ_INT(veche_password_verify_dummy(NULL, &fast), VECHE_EINVAL);
}

TEST(policy)
{
    static const struct {
        const char *pw, *email;
        int want;
    } rows[] = {
        { "0123456789", "a@example.org", 0 },
        { "012345678", "a@example.org", VECHE_EPOLICY },
        { "", NULL, VECHE_EPOLICY },
        /* 10 Cyrillic letters = 20 bytes: enough; 9 letters (18 bytes): no */
        { "абвгдеёжзи", NULL, 0 },
        { "абвгдеёжз", NULL, VECHE_EPOLICY },
        { "Chair@Example.org", "chair@example.org", VECHE_EPOLICY },
        { "chair@example.org", "chair@example.org", VECHE_EPOLICY },
        { "chair@example.org!", "chair@example.org", 0 },
        { "tab\there-password", NULL, VECHE_EPOLICY },
        { "del\x7fhere-password", NULL, VECHE_EPOLICY },
        { "bad utf8 \xc3\x28 here", NULL, VECHE_EPOLICY },
        { "overlong \xc0\xaf here", NULL, VECHE_EPOLICY },
        { "spaces are fine in it", NULL, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *why = "unset";
        int r = veche_password_check_policy(rows[i].pw, rows[i].email, &why);
        CHECK_EQ_INT(r, rows[i].want);
        if (r != rows[i].want)
            fprintf(stderr, "# row %zu\n", i);
        if (rows[i].want)
            CHECK(why != NULL && why[0] != '\0');
        else
            CHECK(why == NULL);
    }
    char big[VECHE_PASSWORD_MAX_BYTES + 2];
    memset(big, 'p', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_EQ_INT(veche_password_check_policy(big, NULL, NULL), VECHE_EPOLICY);
    CHECK_EQ_INT(veche_password_check_policy(NULL, NULL, NULL), VECHE_EPOLICY);
}

int main(void)
{
    RUN(hash_and_verify);
    RUN(cyrillic_password);
    RUN(interactive_cost);
    RUN(needs_rehash);
    RUN(malformed_hashes);
    RUN(bad_arguments);
    RUN(dummy_verify);
    RUN(policy);
    return check_finish();
}
