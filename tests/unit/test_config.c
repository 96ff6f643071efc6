/* test_config.c - configuration: defaults, the file format (quotes,
 * comments, blanks), every error kind with its line number, --set,
 * the cross-field rules of validate, and print -> load round trip. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "err.h"

static int load_text(veche_config *c, const char *text, char *err, size_t errcap)
{
    return veche_config_load_buffer(c, "t.conf", text, strlen(text), err, errcap);
}

TEST(defaults)
{
    veche_config c;
    veche_config_defaults(&c);
    CHECK_EQ_STR(c.listen_address, "0.0.0.0");
    CHECK_EQ_INT(c.port, 8443);
    CHECK(c.tls);
    CHECK_EQ_STR(c.tls_cert, "");
    CHECK_EQ_STR(c.tls_key, "");
    CHECK_EQ_STR(c.tls_names, "");
    CHECK_EQ_STR(c.web_root, "web-client");
    CHECK_EQ_STR(c.data_dir, "./veche-data");
    CHECK_EQ_INT(c.ws_max_message, 65536);
    CHECK_EQ_STR(c.ice_addresses, "");
    CHECK_EQ_INT(c.rtp_port_min, 0);
    CHECK_EQ_INT(c.rtp_port_max, 0);
    CHECK_EQ_STR(c.stun_server, "");
    CHECK_EQ_INT(c.stun_port, 3478);
    CHECK_EQ_STR(c.public_address, "");
    CHECK_EQ_INT(c.max_room_participants, 100);
    CHECK_EQ_INT(c.nack_buffer_packets, 1024);
    CHECK_EQ_INT(c.max_bitrate_kbps, 2500);
    CHECK_EQ_STR(c.log_level, "info");
    char err[256];
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), 0);
}

TEST(parse_file)
{
    const char *text =
        "# a comment\n"
        "\n"
        "   \t\n"
        "  # indented comment\n"
        "port = 9443\n"
        "listen_address=127.0.0.1\n"
        "\tweb_root   =   \"/srv/web root\"   \n"
        "data_dir = \"/var/lib/veche\" # trailing comment \"quoted\"\n"
        "tls_names = a.example, 10.0.0.1 # comment\n"
        "stun_server = stun#1\n"
        "public_address = \"\"\n"
        "tls = off\r\n"
        "rtp_port_min = 40000\n"
        "rtp_port_max = 40100\n"
        "ws_max_message = 1024\n"
        "max_room_participants = 7\n"
        "nack_buffer_packets = 16\n"
        "max_bitrate_kbps = 1000\n"
        "log_level = debug";  /* no final newline */
    veche_config c;
    char err[256] = "";
    veche_config_defaults(&c);
    CHECK_EQ_INT(load_text(&c, text, err, sizeof err), 0);
    CHECK_EQ_STR(err, "");
    CHECK_EQ_INT(c.port, 9443);
    CHECK_EQ_STR(c.listen_address, "127.0.0.1");
    CHECK_EQ_STR(c.web_root, "/srv/web root");
    CHECK_EQ_STR(c.data_dir, "/var/lib/veche");
    CHECK_EQ_STR(c.tls_names, "a.example, 10.0.0.1");
    CHECK_EQ_STR(c.stun_server, "stun#1");
    CHECK_EQ_STR(c.public_address, "");
    CHECK(!c.tls);
    CHECK_EQ_INT(c.rtp_port_min, 40000);
    CHECK_EQ_INT(c.rtp_port_max, 40100);
    CHECK_EQ_INT(c.ws_max_message, 1024);
    CHECK_EQ_INT(c.max_room_participants, 7);
    CHECK_EQ_INT(c.nack_buffer_packets, 16);
    CHECK_EQ_INT(c.max_bitrate_kbps, 1000);
    CHECK_EQ_STR(c.log_level, "debug");
    /* untouched directives keep what c held */
    CHECK_EQ_INT(c.stun_port, 3478);
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), 0);

    /* empty values and quotes kept verbatim */
    CHECK_EQ_INT(load_text(&c, "stun_server =\nweb_root = \" a \\\"b \"\n", err, sizeof err), 0);
    CHECK_EQ_STR(c.stun_server, "");
    CHECK_EQ_STR(c.web_root, " a \"b ");
    /* escapes: \" and \\; any other backslash is kept */
    CHECK_EQ_INT(load_text(&c, "web_root = \"C:\\dir\\\\x\\\"#\" # c\n", err, sizeof err), 0);
    CHECK_EQ_STR(c.web_root, "C:\\dir\\x\"#");
    CHECK_EQ_INT(load_text(&c, "stun_server = # only a comment\n", err, sizeof err), 0);
    CHECK_EQ_STR(c.stun_server, "");
    /* an empty buffer changes nothing */
    CHECK_EQ_INT(veche_config_load_buffer(&c, "e", NULL, 0, err, sizeof err), 0);
}

TEST(booleans)
{
    static const struct {
        const char *text;
        bool want;
    } rows[] = {
        {"true", true}, {"TRUE", true}, {"yes", true}, {"on", true}, {"1", true},
        {"false", false}, {"No", false}, {"off", false}, {"0", false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_config c;
        char err[256];
        veche_config_defaults(&c);
        c.tls = !rows[i].want;
        CHECK_EQ_INT(veche_config_set(&c, "tls", rows[i].text, err, sizeof err), 0);
        CHECK_EQ_INT(c.tls, rows[i].want);
    }
}

TEST(errors_with_line_numbers)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } rows[] = {
        {"port = 1\nbogus = 3\n", VECHE_ENOTFOUND, "t.conf:2: unknown directive 'bogus'"},
        {"\n\nport = 8x\n", VECHE_EINVAL, "t.conf:3: port: '8x' is not a number"},
        {"port = -1\n", VECHE_EINVAL, "t.conf:1: port: '-1' is not a number"},
        {"port = +1\n", VECHE_EINVAL, "t.conf:1: port: '+1' is not a number"},
        {"port =\n", VECHE_EINVAL, "t.conf:1: port: '' is not a number"},
        {"port = 70000\n", VECHE_ELIMIT, "t.conf:1: port: '70000' out of range 1..65535"},
        {"port = 0\n", VECHE_ELIMIT, "t.conf:1: port: '0' out of range 1..65535"},
        {"ws_max_message = 99999999999999999999999\n", VECHE_EINVAL,
         "t.conf:1: ws_max_message: '99999999999999999999999' is not a number"},
        {"ws_max_message = 18446744073709551616\n", VECHE_ELIMIT,
         "t.conf:1: ws_max_message: '18446744073709551616' out of range 1024..16777216"},
        {"ws_max_message = 100\n", VECHE_ELIMIT,
         "t.conf:1: ws_max_message: '100' out of range 1024..16777216"},
        {"# c\ntls = maybe\n", VECHE_EINVAL,
         "t.conf:2: tls: 'maybe' is not a boolean (true/false/yes/no/on/off/1/0)"},
        {"log_level = \"0123456789abcdef\"\n", VECHE_ELIMIT,
         "t.conf:1: log_level: value too long (16 bytes, at most 15)"},
        {"port\n", VECHE_EMALFORMED, "t.conf:1: expected 'key = value'"},
        {"= 5\n", VECHE_EMALFORMED, "t.conf:1: expected 'key = value'"},
        {"por t = 5\n", VECHE_EMALFORMED, "t.conf:1: expected 'key = value'"},
        {"web_root = \"abc\n", VECHE_EMALFORMED,
         "t.conf:1: quoted value must end with '\"' (then only a comment)"},
        {"web_root = \"a\" b\n", VECHE_EMALFORMED,
         "t.conf:1: quoted value must end with '\"' (then only a comment)"},
        {"web_root = a\x01" "b\n", VECHE_EMALFORMED,
         "t.conf:1: web_root: control character in value"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_config c, before;
        char err[256] = "";
        veche_config_defaults(&c);
        before = c;
        int rc = load_text(&c, rows[i].text, err, sizeof err);
        CHECK_EQ_INT(rc, rows[i].rc);
        CHECK_EQ_STR(err, rows[i].msg);
        /* all or nothing: the first lines of a failing file are not kept */
        CHECK(memcmp(&c, &before, sizeof c) == 0);
    }

    /* overlong string: tls_names holds 255 bytes */
    char text[400];
    char name[300];
    memset(name, 'a', 256);
    name[256] = '\0';
    snprintf(text, sizeof text, "tls_names = %s\n", name);
    veche_config c;
    char err[256];
    veche_config_defaults(&c);
    CHECK_EQ_INT(load_text(&c, text, err, sizeof err), VECHE_ELIMIT);
    CHECK_EQ_STR(err, "t.conf:1: tls_names: value too long (256 bytes, at most 255)");
    name[255] = '\0';
    snprintf(text, sizeof text, "tls_names = %s\n", name);
    CHECK_EQ_INT(load_text(&c, text, err, sizeof err), 0);
    CHECK_EQ_INT(strlen(c.tls_names), 255);

    /* NUL inside a line */
    static const char nul[] = "port = 1\nport = 2\0 3\n";
    CHECK_EQ_INT(veche_config_load_buffer(&c, "n", nul, sizeof nul - 1, err, sizeof err),
                 VECHE_EMALFORMED);
    CHECK_EQ_STR(err, "n:2: NUL byte in line");
}

TEST(load_file)
{
    char path[] = "/tmp/veche-test-config-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    FILE *f = fdopen(fd, "w");
    fputs("port = 9000\n\nbad_key = 1\n", f);
    fclose(f);
    veche_config c;
    char err[512], want[512];
    veche_config_defaults(&c);
    CHECK_EQ_INT(veche_config_load(&c, path, err, sizeof err), VECHE_ENOTFOUND);
    snprintf(want, sizeof want, "%s:3: unknown directive 'bad_key'", path);
    CHECK_EQ_STR(err, want);
    CHECK_EQ_INT(c.port, 8443);

    f = fopen(path, "w");
    fputs("port = 9000\n", f);
    fclose(f);
    CHECK_EQ_INT(veche_config_load(&c, path, err, sizeof err), 0);
    CHECK_EQ_INT(c.port, 9000);
    unlink(path);

    CHECK_EQ_INT(veche_config_load(&c, path, err, sizeof err), VECHE_EIO);
    CHECK(strstr(err, path) == err);
}

TEST(set)
{
    veche_config c;
    char err[256];
    veche_config_defaults(&c);
    CHECK_EQ_INT(veche_config_set(&c, "port", "9443", err, sizeof err), 0);
    CHECK_EQ_INT(c.port, 9443);
    CHECK_EQ_INT(veche_config_set(&c, "web_root", "/a b", err, sizeof err), 0);
    CHECK_EQ_STR(c.web_root, "/a b");
    CHECK_EQ_INT(veche_config_set(&c, "max_bitrate_kbps", "800", err, sizeof err), 0);
    CHECK_EQ_INT(c.max_bitrate_kbps, 800);
    CHECK_EQ_INT(veche_config_set(&c, "nope", "1", err, sizeof err), VECHE_ENOTFOUND);
    CHECK_EQ_STR(err, "unknown directive 'nope'");
    CHECK_EQ_INT(veche_config_set(&c, "port", "x", err, sizeof err), VECHE_EINVAL);
    CHECK_EQ_STR(err, "port: 'x' is not a number");
    CHECK_EQ_INT(veche_config_set(&c, "port", " 1", err, sizeof err), VECHE_EINVAL);
    CHECK_EQ_INT(veche_config_set(&c, "stun_port", "0", err, sizeof err), VECHE_ELIMIT);
    CHECK_EQ_INT(c.port, 9443);
    CHECK_EQ_INT(c.stun_port, 3478);
    CHECK_EQ_INT(veche_config_set(&c, "port", NULL, err, sizeof err), VECHE_EINVAL);
}

/* Apply key=value to defaults, then validate; returns the validate code. */
static int validate_with(const char *key, const char *value, const char *key2,
                         const char *value2, char *err, size_t errcap)
{
    veche_config c;
    veche_config_defaults(&c);
    if (key && veche_config_set(&c, key, value, err, errcap) != 0)
        return 1;
    if (key2 && veche_config_set(&c, key2, value2, err, errcap) != 0)
        return 1;
    return veche_config_validate(&c, err, errcap);
}

TEST(validate)
{
    char err[256];
    /* RTP port range */
    CHECK_EQ_INT(validate_with("rtp_port_min", "40000", "rtp_port_max", "40010", err, sizeof err),
                 0);
    CHECK_EQ_INT(validate_with("rtp_port_min", "40000", "rtp_port_max", "40000", err, sizeof err),
                 0);
    CHECK_EQ_INT(validate_with("rtp_port_min", "40010", "rtp_port_max", "40000", err, sizeof err),
                 VECHE_EINVAL);
    CHECK_EQ_STR(err, "rtp_port_min (40010) is above rtp_port_max (40000)");
    CHECK_EQ_INT(validate_with("rtp_port_min", "40000", NULL, NULL, err, sizeof err),
                 VECHE_EINVAL);
    CHECK_EQ_STR(err, "rtp_port_min and rtp_port_max: set both or neither (0)");
    CHECK_EQ_INT(validate_with("rtp_port_max", "40000", NULL, NULL, err, sizeof err),
                 VECHE_EINVAL);
    /* certificate files */
    CHECK_EQ_INT(validate_with("tls_cert", "/c.pem", NULL, NULL, err, sizeof err), VECHE_EINVAL);
    CHECK_EQ_STR(err, "tls_cert and tls_key: set both or neither");
    CHECK_EQ_INT(validate_with("tls_key", "/k.pem", NULL, NULL, err, sizeof err), VECHE_EINVAL);
    CHECK_EQ_INT(validate_with("tls_cert", "/c.pem", "tls_key", "/k.pem", err, sizeof err), 0);
    /* log level */
    CHECK_EQ_INT(validate_with("log_level", "verbose", NULL, NULL, err, sizeof err),
                 VECHE_EINVAL);
    CHECK_EQ_STR(err, "log_level: 'verbose' is not debug, info, warn or error");
    CHECK_EQ_INT(validate_with("log_level", "error", NULL, NULL, err, sizeof err), 0);
    /* ICE addresses */
    CHECK_EQ_INT(validate_with("ice_addresses", "192.0.2.1", NULL, NULL, err, sizeof err), 0);
    CHECK_EQ_INT(validate_with("ice_addresses", "192.0.2.1, 2001:db8::1,10.0.0.2", NULL, NULL,
                               err, sizeof err), 0);
    CHECK_EQ_INT(validate_with("ice_addresses", "192.0.2.1,host.example", NULL, NULL, err,
                               sizeof err), VECHE_EINVAL);
    CHECK_EQ_STR(err, "ice_addresses: 'host.example' is not an IPv4 or IPv6 address");
    CHECK_EQ_INT(validate_with("ice_addresses", "192.0.2.1,", NULL, NULL, err, sizeof err),
                 VECHE_EINVAL);
    CHECK_EQ_INT(validate_with("ice_addresses", "192.0.2.300", NULL, NULL, err, sizeof err),
                 VECHE_EINVAL);
    /* public address */
    CHECK_EQ_INT(validate_with("public_address", "203.0.113.9", NULL, NULL, err, sizeof err), 0);
    CHECK_EQ_INT(validate_with("public_address", "2001:db8::9", NULL, NULL, err, sizeof err), 0);
    CHECK_EQ_INT(validate_with("public_address", "nat.example", NULL, NULL, err, sizeof err),
                 VECHE_EINVAL);
    CHECK_EQ_STR(err, "public_address: 'nat.example' is not an IPv4 or IPv6 address");
    /* listen address */
    CHECK_EQ_INT(validate_with("listen_address", "::", NULL, NULL, err, sizeof err), 0);
    CHECK_EQ_INT(validate_with("listen_address", "localhost", NULL, NULL, err, sizeof err),
                 VECHE_EINVAL);

    /* rules on values the table cannot hold in range (set directly) */
    veche_config c;
    veche_config_defaults(&c);
    c.port = 0;
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), VECHE_EINVAL);
    CHECK_EQ_STR(err, "port: must not be 0");
    veche_config_defaults(&c);
    c.ws_max_message = 1023;
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), VECHE_EINVAL);
    c.ws_max_message = (16u << 20) + 1;
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), VECHE_EINVAL);
    c.ws_max_message = 16u << 20;
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), 0);
}

/* Print c into a memory buffer; the caller frees. */
static char *print_to_string(const veche_config *c, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    veche_config_print(c, f);
    fclose(f);
    return buf;
}

TEST(print_round_trip)
{
    veche_config a, b;
    char err[256];
    /* defaults */
    veche_config_defaults(&a);
    size_t len;
    char *text = print_to_string(&a, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    CHECK(strstr(text, "\n# TCP port of the HTTPS/WSS listener.\nport = 8443\n") != NULL);
    CHECK(strstr(text, "\nweb_root = \"web-client\"\n") != NULL);
    CHECK(strstr(text, "\ntls = true\n") != NULL);
    memset(&b, 0x5a, sizeof b);
    veche_config_defaults(&b);
    b.port = 1;
    b.tls = false;
    b.web_root[0] = 'X';
    CHECK_EQ_INT(veche_config_load_buffer(&b, "printed", text, len, err, sizeof err), 0);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    free(text);

    /* every directive changed, with awkward strings */
    const char *sets[][2] = {
        {"listen_address", "::1"}, {"port", "1"}, {"tls", "no"},
        {"tls_cert", "/etc/a b/#c.pem"}, {"tls_key", "\"quoted\""},
        {"tls_names", "x.example,192.0.2.7"}, {"web_root", " lead and trail "},
        {"data_dir", "d#d"}, {"ws_max_message", "16777216"},
        {"ice_addresses", "192.0.2.1,::1"}, {"rtp_port_min", "65535"},
        {"rtp_port_max", "65535"}, {"stun_server", "s\\\" #x\\\\y\\"},
        {"stun_port", "65535"}, {"public_address", "203.0.113.1"},
        {"max_room_participants", "100000"}, {"nack_buffer_packets", "65536"},
        {"max_bitrate_kbps", "50"}, {"log_level", "error"},
    };
    veche_config_defaults(&a);
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        CHECK_EQ_INT(veche_config_set(&a, sets[i][0], sets[i][1], err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_validate(&a, err, sizeof err), 0);
    text = print_to_string(&a, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    veche_config_defaults(&b);
    CHECK_EQ_INT(veche_config_load_buffer(&b, "printed", text, len, err, sizeof err), 0);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK_EQ_STR(b.web_root, " lead and trail ");
    CHECK_EQ_STR(b.tls_key, "\"quoted\"");
    CHECK_EQ_STR(b.stun_server, "s\\\" #x\\\\y\\");
    free(text);
}

TEST(example_file_loads)
{
    /* conf/veche.conf must load and validate (it is the README's config) */
    const char *fixtures = getenv("VECHE_FIXTURES");
    if (!fixtures)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/../../conf/veche.conf", fixtures);
    veche_config c;
    char err[512];
    veche_config_defaults(&c);
    CHECK_EQ_INT(veche_config_load(&c, path, err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), 0);
    CHECK_EQ_STR(c.web_root, "web-client");
    CHECK_EQ_STR(c.data_dir, "veche-data");
    CHECK_EQ_STR(c.ice_addresses, "");
    /* safe for production (issue 11) */
    CHECK(!c.demo);
    CHECK(!c.allow_anonymous_rooms);
    CHECK_EQ_STR(c.metrics_token, "");
    CHECK_EQ_STR(c.public_url, "");
    veche_config_finish(&c);
    CHECK_EQ_STR(c.public_url, "https://localhost:8443");
    FILE *out = tmpfile();
    CHECK(out != NULL);
    if (!out)
        return;
    veche_config_defaults(&c);
    CHECK_EQ_INT(veche_config_check(&c, path, out), 0);
    fclose(out);
}

TEST(dev_file_loads)
{
    /* conf/dev.conf: the run command's, demo on, loopback only */
    const char *fixtures = getenv("VECHE_FIXTURES");
    if (!fixtures)
        return;
    char path[1024];
    snprintf(path, sizeof path, "%s/../../conf/dev.conf", fixtures);
    veche_config c;
    char err[512];
    veche_config_defaults(&c);
    CHECK_EQ_INT(veche_config_load(&c, path, err, sizeof err), 0);
    CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), 0);
    CHECK(c.demo);
    CHECK(c.allow_anonymous_rooms);
    CHECK_EQ_STR(c.listen_address, "127.0.0.1");
    CHECK(veche_config_listen_is_loopback(&c));
    CHECK_EQ_INT(veche_config_check_demo(&c, err, sizeof err), 0);
}

TEST(public_url_follows_port)
{
    static const struct {
        const char *port, *tls, *set_url, *want;
    } rows[] = {
        {"8443", "true", NULL, "https://localhost:8443"},
        {"9443", "true", NULL, "https://localhost:9443"},
        {"8080", "false", NULL, "http://localhost:8080"},
        {"9443", "true", "https://meet.example.org", "https://meet.example.org"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_config c;
        char err[256];
        veche_config_defaults(&c);
        CHECK_EQ_INT(veche_config_set(&c, "port", rows[i].port, err, sizeof err), 0);
        CHECK_EQ_INT(veche_config_set(&c, "tls", rows[i].tls, err, sizeof err), 0);
        if (rows[i].set_url)
            CHECK_EQ_INT(veche_config_set(&c, "public_url", rows[i].set_url, err, sizeof err), 0);
        veche_config_finish(&c);
        CHECK_EQ_STR(c.public_url, rows[i].want);
        CHECK_EQ_INT(veche_config_validate(&c, err, sizeof err), 0);
    }
}

TEST(demo_needs_loopback)
{
    static const struct {
        const char *addr;
        bool demo, refused;
    } rows[] = {
        {"127.0.0.1", true, false}, {"127.0.0.2", true, false}, {"::1", true, false},
        {"0.0.0.0", true, true},    {"::", true, true},         {"192.0.2.10", true, true},
        {"0.0.0.0", false, false},  {"2001:db8::1", true, true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_config c;
        char err[512] = "";
        veche_config_defaults(&c);
        CHECK_EQ_INT(veche_config_set(&c, "listen_address", rows[i].addr, err, sizeof err), 0);
        c.demo = rows[i].demo;
        int rc = veche_config_check_demo(&c, err, sizeof err);
        CHECK_EQ_INT(rc != 0, rows[i].refused);
        if (rows[i].refused)
            CHECK(strstr(err, "--i-know-demo-is-public") != NULL);
    }
}

/* Run veche_config_check over text; returns the problems, report in out. */
static int check_text(const char *text, char *out, size_t cap)
{
    char path[] = "/tmp/veche-check-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    FILE *f = tmpfile();
    veche_config c;
    veche_config_defaults(&c);
    int n = ok && f ? veche_config_check(&c, path, f) : -1;
    out[0] = '\0';
    if (f) {
        rewind(f);
        size_t got = fread(out, 1, cap - 1, f);
        out[got] = '\0';
        fclose(f);
    }
    unlink(path);
    return n;
}

TEST(check_reports_every_problem_with_its_line)
{
    char out[4096];
    const char *text =
        "# a comment\n"
        "port = 99999\n"                 /* 2: out of range */
        "listen_address = 127.0.0.1\n"
        "nonsense = 1\n"                 /* 4: unknown */
        "tls = maybe\n"                  /* 5: not a boolean */
        "rtp_port_min = 40000\n"         /* 6: cross-field, max unset */
        "log_level = loud\n"             /* 7: cross-field */
        "demo = true\n"
        "no equals sign\n";              /* 9: malformed */
    int n = check_text(text, out, sizeof out);
    CHECK_EQ_INT(n, 6);
    const char *want[] = {":2: port: '99999' out of range", ":4: unknown directive 'nonsense'",
                          ":5: tls: 'maybe' is not a boolean", ":9: expected 'key = value'",
                          ":6: rtp_port_min and rtp_port_max", ":7: log_level: 'loud'"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        CHECK(strstr(out, want[i]) != NULL);
        if (!strstr(out, want[i]))
            printf("# missing %s in:\n%s", want[i], out);
    }
    /* demo on loopback is fine; on 0.0.0.0 it is a problem on its line */
    n = check_text("listen_address = 0.0.0.0\ndemo = yes\n", out, sizeof out);
    CHECK_EQ_INT(n, 1);
    CHECK(strstr(out, ":2: demo: demo = true") != NULL);
    n = check_text("listen_address = 127.0.0.1\ndemo = yes\n", out, sizeof out);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_STR(out, "");
    n = check_text("metrics_token = \"a b\"\n", out, sizeof out);
    CHECK_EQ_INT(n, 1);
    CHECK(strstr(out, ":1: metrics_token: must not contain blanks") != NULL);
}

int main(void)
{
    RUN(defaults);
    RUN(parse_file);
    RUN(booleans);
    RUN(errors_with_line_numbers);
    RUN(load_file);
    RUN(set);
    RUN(validate);
    RUN(print_round_trip);
    RUN(example_file_loads);
    RUN(dev_file_loads);
    RUN(public_url_follows_port);
    RUN(demo_needs_loopback);
    RUN(check_reports_every_problem_with_its_line);
    return check_finish();
}
