/* test_stun.c - STUN decoder against the RFC 5769 test vectors, plus
 * rows of malformed messages that must be rejected. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "stun.h"

/* RFC 5769 section 2.1: sample request. */
static const uint8_t rfc5769_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
    0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
    0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
    0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
};

/* RFC 5769 section 2.2: sample IPv4 response, 192.0.2.1:32853. */
static const uint8_t rfc5769_response_v4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3,
    0x8c, 0x74, 0x89, 0xf9, 0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 section 2.3: sample IPv6 response,
 * [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t rfc5769_response_v6[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01,
    0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
    0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
    0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
    0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

#define HDR(type_hi, type_lo, len_hi, len_lo)                               \
    type_hi, type_lo, len_hi, len_lo, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4,   \
        5, 6, 7, 8, 9, 10, 11, 12

TEST(rfc5769_request_parses)
{
    veche_stun_msg m;
    const char *err = NULL;
    CHECK_EQ_INT(veche_stun_parse(rfc5769_request, sizeof rfc5769_request, &m,
                                  &err), 0);
    CHECK_EQ_INT(m.type, 0x0001);
    CHECK_EQ_INT(m.method, 0x001);
    CHECK_EQ_INT(m.klass, 0);
    CHECK(memcmp(m.transaction_id, rfc5769_request + 8, 12) == 0);
    CHECK_EQ_INT(m.n_attrs, 5);   /* SOFTWARE PRIORITY ICE-CONTROLLED
                                     USERNAME MESSAGE-INTEGRITY */
    CHECK(m.has_fingerprint);
    CHECK(m.fingerprint_ok);
    const veche_stun_attr *u = veche_stun_find(&m, VECHE_STUN_ATTR_USERNAME);
    CHECK(u && u->len == 9 && memcmp(u->value, "evtj:h6vY", 9) == 0);
    const veche_stun_attr *p = veche_stun_find(&m, VECHE_STUN_ATTR_PRIORITY);
    CHECK(p && p->len == 4 && memcmp(p->value, "\x6e\x00\x01\xff", 4) == 0);
    CHECK(veche_stun_find(&m, VECHE_STUN_ATTR_ICE_CONTROLLED) != NULL);
    CHECK(veche_stun_find(&m, VECHE_STUN_ATTR_ICE_CONTROLLING) == NULL);
    CHECK(veche_stun_find(&m, VECHE_STUN_ATTR_FINGERPRINT) == NULL);
    CHECK(veche_stun_is_stun(rfc5769_request, sizeof rfc5769_request));
}

TEST(rfc5769_ipv4_response_address)
{
    veche_stun_msg m;
    char addr[64];
    CHECK_EQ_INT(veche_stun_parse(rfc5769_response_v4,
                                  sizeof rfc5769_response_v4, &m, NULL), 0);
    CHECK_EQ_INT(m.klass, 2);
    CHECK_EQ_INT(m.method, 1);
    CHECK(m.has_fingerprint && m.fingerprint_ok);
    const veche_stun_attr *a =
        veche_stun_find(&m, VECHE_STUN_ATTR_XOR_MAPPED_ADDRESS);
    CHECK(a != NULL);
    CHECK_EQ_INT(veche_stun_attr_address(&m, a, addr, sizeof addr), 0);
    CHECK_EQ_STR(addr, "192.0.2.1:32853");
}

TEST(rfc5769_ipv6_response_address)
{
    veche_stun_msg m;
    char addr[64];
    CHECK_EQ_INT(veche_stun_parse(rfc5769_response_v6,
                                  sizeof rfc5769_response_v6, &m, NULL), 0);
    CHECK(m.has_fingerprint && m.fingerprint_ok);
    const veche_stun_attr *a =
        veche_stun_find(&m, VECHE_STUN_ATTR_XOR_MAPPED_ADDRESS);
    CHECK(a != NULL);
    CHECK_EQ_INT(veche_stun_attr_address(&m, a, addr, sizeof addr), 0);
    CHECK_EQ_STR(addr, "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
    /* too small for the string: ENOSPC */
    CHECK_EQ_INT(veche_stun_attr_address(&m, a, addr, 10), VECHE_ENOSPC);
}

TEST(fingerprint_mismatch_detected)
{
    uint8_t msg[sizeof rfc5769_request];
    memcpy(msg, rfc5769_request, sizeof msg);
    msg[25] ^= 0x01;   /* a SOFTWARE byte */
    veche_stun_msg m;
    CHECK_EQ_INT(veche_stun_parse(msg, sizeof msg, &m, NULL), 0);
    CHECK(m.has_fingerprint);
    CHECK(!m.fingerprint_ok);
}

TEST(mapped_address_plain)
{
    static const uint8_t msg[] = {
        HDR(0x01, 0x01, 0x00, 0x0c),
        0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96, 10, 0, 0, 1,
    };
    veche_stun_msg m;
    char addr[32];
    CHECK_EQ_INT(veche_stun_parse(msg, sizeof msg, &m, NULL), 0);
    CHECK(!m.has_fingerprint);
    const veche_stun_attr *a = veche_stun_find(&m, VECHE_STUN_ATTR_MAPPED_ADDRESS);
    CHECK(a != NULL);
    CHECK_EQ_INT(veche_stun_attr_address(&m, a, addr, sizeof addr), 0);
    CHECK_EQ_STR(addr, "10.0.0.1:3478");
}

/* Rows: one address attribute value and the expected result. */
TEST(address_rejects)
{
    static const struct {
        uint16_t type;
        uint16_t len;
        const char *value;
        int want;
    } rows[] = {
        { 0x0006, 4, "\x00\x01\x00\x01", VECHE_EINVAL },      /* USERNAME */
        { 0x0001, 3, "\x00\x01\x00", VECHE_EMALFORMED },       /* short */
        { 0x0001, 8, "\x00\x03\x00\x01\x01\x02\x03\x04", VECHE_EMALFORMED },
        { 0x0020, 8, "\x00\x02\x00\x01\x01\x02\x03\x04", VECHE_EMALFORMED },
        { 0x0020, 12, "\x00\x01\x00\x01\x01\x02\x03\x04\x00\x00\x00\x00",
          VECHE_EMALFORMED },
    };
    veche_stun_msg m;
    memset(&m, 0, sizeof m);
    char out[64];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_stun_attr a = { rows[i].type, rows[i].len,
                              (const uint8_t *)rows[i].value };
        CHECK_EQ_INT(veche_stun_attr_address(&m, &a, out, sizeof out),
                     rows[i].want);
    }
}

TEST(message_type_decoding)
{
    static const struct {
        uint8_t hi, lo;
        uint16_t method;
        uint8_t klass;
    } rows[] = {
        { 0x00, 0x01, 0x001, 0 }, { 0x00, 0x11, 0x001, 1 },
        { 0x01, 0x01, 0x001, 2 }, { 0x01, 0x11, 0x001, 3 },
        { 0x3E, 0xEF, 0xFFF, 0 }, { 0x01, 0x03, 0x003, 2 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const uint8_t msg[] = { HDR(rows[i].hi, rows[i].lo, 0, 0) };
        veche_stun_msg m;
        CHECK_EQ_INT(veche_stun_parse(msg, sizeof msg, &m, NULL), 0);
        CHECK_EQ_INT(m.method, rows[i].method);
        CHECK_EQ_INT(m.klass, rows[i].klass);
        CHECK_EQ_INT(m.n_attrs, 0);
    }
}

TEST(every_truncation_rejected)
{
    veche_stun_msg m;
    for (size_t len = 0; len < sizeof rfc5769_request; len++) {
        const char *err = NULL;
        int r = veche_stun_parse(rfc5769_request, len, &m, &err);
        CHECK(r == VECHE_ETRUNC);
        CHECK(err != NULL);
        CHECK(!veche_stun_is_stun(rfc5769_request, len));
    }
}

/* Rows of malformed messages and the code each must give. */
TEST(malformed_rejected)
{
    static const uint8_t bad_bits[] = { 0x80, 0x01, 0, 0, 0x21, 0x12, 0xa4,
                                        0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                        11, 12 };
    static const uint8_t bad_magic[] = { 0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x43,
                                         1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                         12 };
    static const uint8_t odd_len[] = { HDR(0, 1, 0, 2), 0, 0 };
    static const uint8_t trailing[] = { HDR(0, 1, 0, 0), 0, 0, 0, 0 };
    static const uint8_t attr_past_end[] = { HDR(0, 1, 0, 8), 0, 6, 0, 5,
                                             'a', 'b', 'c', 'd' };
    static const uint8_t attr_hdr_cut[] = { HDR(0, 1, 0, 4), 0, 6, 0, 0x10 };
    static const uint8_t fp_not_last[] = { HDR(0, 1, 0, 12), 0x80, 0x28, 0, 4,
                                           0, 0, 0, 0, 0, 0x24, 0, 0 };
    static const uint8_t fp_bad_len[] = { HDR(0, 1, 0, 12), 0x80, 0x28, 0, 8,
                                          0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t garbage[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    static const struct {
        const char *name;
        const uint8_t *buf;
        size_t len;
        int want;
    } rows[] = {
        { "top bits", bad_bits, sizeof bad_bits, VECHE_EMALFORMED },
        { "magic", bad_magic, sizeof bad_magic, VECHE_EMALFORMED },
        { "length %4", odd_len, sizeof odd_len, VECHE_EMALFORMED },
        { "trailing", trailing, sizeof trailing, VECHE_EMALFORMED },
        { "attr past end", attr_past_end, sizeof attr_past_end, VECHE_ETRUNC },
        { "attr len cut", attr_hdr_cut, sizeof attr_hdr_cut, VECHE_ETRUNC },
        { "fp not last", fp_not_last, sizeof fp_not_last, VECHE_EMALFORMED },
        { "fp length", fp_bad_len, sizeof fp_bad_len, VECHE_EMALFORMED },
        { "http", garbage, sizeof garbage - 1, VECHE_EMALFORMED },
        { "null", NULL, 0, VECHE_ETRUNC },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_stun_msg m;
        const char *err = NULL;
        int r = veche_stun_parse(rows[i].buf, rows[i].len, &m, &err);
        if (r != rows[i].want)
            fprintf(stderr, "# row %s: %d\n", rows[i].name, r);
        CHECK_EQ_INT(r, rows[i].want);
        CHECK(err != NULL);
    }
}

TEST(too_many_attributes)
{
    uint8_t msg[20 + 33 * 4] = { HDR(0, 1, 0, 33 * 4) };
    for (int i = 0; i < 33; i++)
        msg[20 + i * 4 + 1] = 0x30;   /* type 0x0030, length 0 */
    veche_stun_msg m;
    const char *err = NULL;
    CHECK_EQ_INT(veche_stun_parse(msg, sizeof msg, &m, &err), VECHE_ELIMIT);
    msg[3] = 32 * 4;
    CHECK_EQ_INT(veche_stun_parse(msg, 20 + 32 * 4, &m, &err), 0);
    CHECK_EQ_INT(m.n_attrs, 32);
}

TEST(attributes_after_integrity_ignored)
{
    static const uint8_t msg[] = {
        HDR(0, 1, 0, 28),
        0x00, 0x08, 0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
        14, 15, 16, 17, 18, 19, 20,
        0x00, 0x25, 0x00, 0x00,    /* USE-CANDIDATE after M-I */
    };
    veche_stun_msg m;
    CHECK_EQ_INT(veche_stun_parse(msg, sizeof msg, &m, NULL), 0);
    CHECK_EQ_INT(m.n_attrs, 1);
    CHECK(veche_stun_find(&m, VECHE_STUN_ATTR_USE_CANDIDATE) == NULL);
}

TEST(is_stun_rows)
{
    static const uint8_t rtp[] = { 0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
                                   0, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t empty_ok[] = { HDR(0, 1, 0, 0) };
    static const uint8_t len_mismatch[] = { HDR(0, 1, 0, 4) };
    CHECK(!veche_stun_is_stun(rtp, sizeof rtp));
    CHECK(veche_stun_is_stun(empty_ok, sizeof empty_ok));
    CHECK(!veche_stun_is_stun(len_mismatch, sizeof len_mismatch));
    CHECK(!veche_stun_is_stun(NULL, 0));
    CHECK(veche_stun_is_stun(rfc5769_response_v6, sizeof rfc5769_response_v6));
}

int main(void)
{
    RUN(rfc5769_request_parses);
    RUN(rfc5769_ipv4_response_address);
    RUN(rfc5769_ipv6_response_address);
    RUN(fingerprint_mismatch_detected);
    RUN(mapped_address_plain);
    RUN(address_rejects);
    RUN(message_type_decoding);
    RUN(every_truncation_rejected);
    RUN(malformed_rejected);
    RUN(too_many_attributes);
    RUN(attributes_after_integrity_ignored);
    RUN(is_stun_rows);
    return check_finish();
}
