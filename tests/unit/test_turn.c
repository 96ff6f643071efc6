/* test_turn.c - TURN REST API credentials (a known answer computed
 * independently with Python's hmac/base64), the turn_urls list (rows of
 * input and verdict), the `ice_servers` of `joined`, and the config checks
 * that tie turn_urls to turn_secret. */
#include <string.h>

#include "check.h"
#include "config.h"
#include "err.h"
#include "turn.h"
#include "turn_urls.h"

TEST(known_credential)
{
    char user[VECHE_TURN_USERNAME_SIZE], cred[VECHE_TURN_CREDENTIAL_SIZE];
    CHECK_EQ_INT(veche_turn_credential("north-wind-secret", 1700000000, "7f3a9c21", user,
                                       sizeof user, cred, sizeof cred), 0);
    CHECK_EQ_STR(user, "1700000000:7f3a9c21");
    /* python3: base64(hmac.new(b'north-wind-secret', b'1700000000:7f3a9c21', sha1)) */
    CHECK_EQ_STR(cred, "ThATZn27+vMpdq2Nl4ed0+ivDBc=");
}

TEST(credential_refuses_bad_input)
{
    char user[VECHE_TURN_USERNAME_SIZE], cred[VECHE_TURN_CREDENTIAL_SIZE];
    char long_user[80];
    memset(long_user, 'a', sizeof long_user - 1);
    long_user[sizeof long_user - 1] = '\0';
    const struct { const char *secret, *user; size_t ucap; } rows[] = {
        {"", "abc", sizeof user},          /* no secret */
        {NULL, "abc", sizeof user},
        {"s", "", sizeof user},            /* no user */
        {"s", "a:b", sizeof user},         /* ':' would forge the expiry */
        {"s", long_user, sizeof user},
        {"s", "abc", 10},                  /* buffer too small */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        CHECK_EQ_INT(veche_turn_credential(rows[i].secret, 1, rows[i].user, user, rows[i].ucap,
                                           cred, sizeof cred), VECHE_EINVAL);
        CHECK_EQ_STR(cred, "");
    }
}

TEST(url_list)
{
    const struct { const char *text; int rc; unsigned n; const char *last; } rows[] = {
        {"", 0, 0, NULL},
        {"   ", 0, 0, NULL},
        {"turn:127.0.0.1:3478", 0, 1, "turn:127.0.0.1:3478"},
        {" turn:a.example:3478?transport=udp ,turns:a.example:443?transport=tcp ", 0, 2,
         "turns:a.example:443?transport=tcp"},
        {"stun:a.example", 0, 1, "stun:a.example"},
        {"http://a.example", VECHE_EINVAL, 0, NULL},
        {"turn:", VECHE_EINVAL, 0, NULL},
        {"turn:a b", VECHE_EINVAL, 0, NULL},
        {"turn:a\"b", VECHE_EINVAL, 0, NULL},
        {"turn:a.example,", VECHE_EINVAL, 0, NULL},       /* an empty URL */
        {"turn:a.example,,turn:b.example", VECHE_EINVAL, 0, NULL},
        {"turn:a1,turn:a2,turn:a3,turn:a4,turn:a5,turn:a6,turn:a7,turn:a8", 0, 8,
         "turn:a8"},
        {"turn:a1,turn:a2,turn:a3,turn:a4,turn:a5,turn:a6,turn:a7,turn:a8,turn:a9",
         VECHE_EINVAL, 0, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_turn_urls u;
        char why[160] = "";
        int rc = veche_turn_urls_parse(rows[i].text, &u, why, sizeof why);
        if (rc != rows[i].rc)
            fprintf(stderr, "# row %zu: '%s' gave %d (%s)\n", i, rows[i].text, rc, why);
        CHECK_EQ_INT(rc, rows[i].rc);
        CHECK_EQ_INT(u.n, rows[i].n);
        if (rc != 0)
            CHECK(strncmp(why, "turn_urls: ", 11) == 0);
        if (rows[i].last && u.n)
            CHECK_EQ_STR(u.url[u.n - 1], rows[i].last);
    }
}

TEST(ice_servers_in_joined)
{
    veche_config c;
    veche_config_defaults(&c);
    CHECK(veche_turn_ice_servers(&c, "7f3a9c21", 1700000000) == NULL);  /* TURN off */
    snprintf(c.turn_urls, sizeof c.turn_urls, "turn:127.0.0.1:3478, turns:t.example:443");
    snprintf(c.turn_secret, sizeof c.turn_secret, "north-wind-secret");
    c.turn_ttl_seconds = 3600;
    json_t *a = veche_turn_ice_servers(&c, "7f3a9c21", 1700000000 - 3600);
    CHECK(a && json_is_array(a) && json_array_size(a) == 1);
    json_t *s = json_array_get(a, 0);
    CHECK_EQ_STR(json_string_value(json_object_get(s, "username")), "1700000000:7f3a9c21");
    CHECK_EQ_STR(json_string_value(json_object_get(s, "credential")),
                 "ThATZn27+vMpdq2Nl4ed0+ivDBc=");
    json_t *urls = json_object_get(s, "urls");
    CHECK(json_array_size(urls) == 2);
    CHECK_EQ_STR(json_string_value(json_array_get(urls, 1)), "turns:t.example:443");
    json_decref(a);
}

TEST(config_ties_urls_to_secret)
{
    veche_config c;
    char err[256];
    veche_config_defaults(&c);
    CHECK_EQ_INT(c.turn_ttl_seconds, 86400);
    CHECK_EQ_INT(veche_config_set(&c, "turn_urls", "turn:127.0.0.1:3478", err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), VECHE_EINVAL);
    CHECK(strstr(err, "turn_secret") != NULL);
    CHECK_EQ_INT(veche_config_set(&c, "turn_secret", "s3cret", err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_set(&c, "turn_urls", "turn:ok.example, http://bad", err,
                                  sizeof err), 0);
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), VECHE_EINVAL);
    CHECK(strstr(err, "http://bad") != NULL);
    CHECK(veche_config_set(&c, "turn_ttl_seconds", "10", err, sizeof err) != 0);
}

int main(void)
{
    RUN(known_credential);
    RUN(credential_refuses_bad_input);
    RUN(url_list);
    RUN(ice_servers_in_joined);
    RUN(config_ties_urls_to_secret);
    return check_finish();
}
