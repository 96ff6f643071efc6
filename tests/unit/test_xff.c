/* test_xff.c - the client address behind trusted proxies: rows of peer,
 * trusted list, X-Forwarded-For header and the address expected. */
#include <string.h>

#include "check.h"
#include "config.h"
#include "err.h"
#include "xff.h"

TEST(rows)
{
    static const struct {
        const char *peer, *trusted, *xff, *want;
    } rows[] = {
        /* no trust configured, or an untrusted peer: the header is ignored */
        {"192.0.2.7", "", "198.51.100.1", "192.0.2.7"},
        {"192.0.2.7", "127.0.0.1", "198.51.100.1", "192.0.2.7"},
        /* nginx on loopback appends the client */
        {"127.0.0.1", "127.0.0.1", "198.51.100.1", "198.51.100.1"},
        {"127.0.0.1", "127.0.0.1", " 198.51.100.1 ", "198.51.100.1"},
        /* a client-sent value before nginx's is not believed */
        {"127.0.0.1", "127.0.0.1", "203.0.113.9, 198.51.100.1", "198.51.100.1"},
        /* two trusted proxies: skip both */
        {"127.0.0.1", "127.0.0.1, 10.0.0.2", "198.51.100.1, 10.0.0.2", "198.51.100.1"},
        /* IPv6, and v4-mapped peers */
        {"::1", "::1", "2001:db8::5", "2001:db8::5"},
        {"::ffff:127.0.0.1", "127.0.0.1", "198.51.100.1", "198.51.100.1"},
        {"127.0.0.1", "127.0.0.1", "::ffff:198.51.100.1", "198.51.100.1"},
        /* garbage or empty entries stop the walk */
        {"127.0.0.1", "127.0.0.1", "unknown", "127.0.0.1"},
        {"127.0.0.1", "127.0.0.1", "", "127.0.0.1"},
        {"127.0.0.1", "127.0.0.1", NULL, "127.0.0.1"},
        {"127.0.0.1", "127.0.0.1", "198.51.100.1,", "127.0.0.1"},
        {"127.0.0.1", "127.0.0.1", "198.51.100.1:4431", "127.0.0.1"},
        {"127.0.0.1", "127.0.0.1", "x, 10.0.0.2", "10.0.0.2"},
        /* all hops trusted: the leftmost */
        {"127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.1"},
        /* a peer that is not an address at all */
        {"?", "127.0.0.1", "198.51.100.1", "?"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char out[64];
        veche_xff_client(rows[i].peer, rows[i].trusted, rows[i].xff, out, sizeof out);
        if (strcmp(out, rows[i].want) != 0)
            fprintf(stderr, "# row %zu: got %s\n", i, out);
        CHECK_EQ_STR(out, rows[i].want);
    }
}

TEST(small_buffer)
{
    char out[4];
    veche_xff_client("127.0.0.1", "127.0.0.1", "198.51.100.1", out, sizeof out);
    CHECK_EQ_STR(out, "198");
    veche_xff_client("127.0.0.1", "127.0.0.1", "198.51.100.1", out, 0);  /* no write */
}

TEST(config_checks_the_list)
{
    veche_config c;
    char err[256];
    veche_config_defaults(&c);
    CHECK_EQ_STR(c.trusted_proxies, "");
    CHECK_EQ_INT(veche_config_set(&c, "trusted_proxies", "127.0.0.1, ::1", err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_set(&c, "trusted_proxies", "127.0.0.1, nginx", err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), VECHE_EINVAL);
    CHECK(strstr(err, "trusted_proxies: 'nginx'") != NULL);
}

int main(void)
{
    RUN(rows);
    RUN(small_buffer);
    RUN(config_checks_the_list);
    return check_finish();
}
