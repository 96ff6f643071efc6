/* test_rtp.c - RTP view: fixed header, CSRC, RFC 8285 one- and two-byte
 * extensions, padding, RFC 6464 audio level, RFC 5761 demux, setters. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "rtp.h"

/* Opus, one-byte extensions: id 1 audio level (voice, 42 -dBov), a padding
 * byte, id 3 with 3 bytes, one more padding byte. */
static const uint8_t pkt_one_byte[] = {
    0x90, 0x6f, 0x12, 0x34, 0x00, 0x01, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
    0xbe, 0xde, 0x00, 0x02,
    0x10, 0xaa, 0x00, 0x32, 0x01, 0x02, 0x03, 0x00,
    0xf8, 0xff, 0xfe,
};

/* Marker, PT 96, seq 65535; two-byte extensions: id 1 empty, padding,
 * id 2 with 3 bytes, id 15 with 2 bytes, padding; 9 payload bytes and
 * 3 bytes of RTP padding. */
static const uint8_t pkt_two_byte[] = {
    0xb0, 0xe0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
    0x10, 0x00, 0x00, 0x03,
    0x01, 0x00, 0x00, 0x02, 0x03, 0xaa, 0xbb, 0xcc, 0x0f, 0x02, 0x11, 0x22,
    0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98,
    0x00, 0x00, 0x03,
};

/* PCMA with two CSRCs. */
static const uint8_t pkt_csrc[] = {
    0x82, 0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0xa0, 0x00, 0x00, 0x00, 0x02,
    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,
    0xd5, 0xd5, 0xd5, 0xd5,
};

TEST(one_byte_extension)
{
    veche_rtp_view v;
    CHECK_EQ_INT(veche_rtp_parse(pkt_one_byte, sizeof pkt_one_byte, &v, NULL),
                 0);
    CHECK_EQ_INT(v.version, 2);
    CHECK(!v.padding && v.extension && !v.marker);
    CHECK_EQ_INT(v.payload_type, 111);
    CHECK_EQ_INT(v.seq, 0x1234);
    CHECK_EQ_INT(v.timestamp, 0x10000);
    CHECK_EQ_INT(v.ssrc, 0xdeadbeefu);
    CHECK_EQ_INT(v.ext_profile, 0xBEDE);
    CHECK_EQ_INT(v.ext_len, 8);
    CHECK_EQ_INT(v.header_len, 24);
    CHECK_EQ_INT(v.payload_len, 3);
    CHECK(v.payload == pkt_one_byte + 24);

    static const struct {
        uint8_t id;
        int want;
        size_t len;
        uint8_t first;
    } rows[] = {
        { 1, 0, 1, 0xaa }, { 3, 0, 3, 0x01 }, { 2, VECHE_ENOTFOUND, 0, 0 },
        { 14, VECHE_ENOTFOUND, 0, 0 }, { 15, VECHE_ENOTFOUND, 0, 0 },
        { 0, VECHE_ENOTFOUND, 0, 0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const uint8_t *d = NULL;
        size_t n = 0;
        CHECK_EQ_INT(veche_rtp_find_ext(&v, rows[i].id, &d, &n), rows[i].want);
        if (rows[i].want == 0) {
            CHECK_EQ_INT(n, rows[i].len);
            CHECK(d && d[0] == rows[i].first);
        }
    }
    uint8_t level = 0;
    bool voice = false;
    CHECK_EQ_INT(veche_rtp_audio_level(&v, 1, &level, &voice), 0);
    CHECK_EQ_INT(level, 42);
    CHECK(voice);
    CHECK_EQ_INT(veche_rtp_audio_level(&v, 4, &level, &voice),
                 VECHE_ENOTFOUND);
}

TEST(two_byte_extension_and_padding)
{
    veche_rtp_view v;
    CHECK_EQ_INT(veche_rtp_parse(pkt_two_byte, sizeof pkt_two_byte, &v, NULL),
                 0);
    CHECK(v.padding && v.extension && v.marker);
    CHECK_EQ_INT(v.payload_type, 96);
    CHECK_EQ_INT(v.seq, 65535);
    CHECK_EQ_INT(v.timestamp, 0xffffffffu);
    CHECK_EQ_INT(v.ext_profile, 0x1000);
    CHECK_EQ_INT(v.ext_len, 12);
    CHECK_EQ_INT(v.header_len, 28);
    CHECK_EQ_INT(v.padding_len, 3);
    CHECK_EQ_INT(v.payload_len, 9);
    CHECK(v.payload[0] == 0x90 && v.payload[8] == 0x98);

    const uint8_t *d;
    size_t n;
    CHECK_EQ_INT(veche_rtp_find_ext(&v, 1, &d, &n), 0);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(veche_rtp_find_ext(&v, 2, &d, &n), 0);
    CHECK_EQ_INT(n, 3);
    CHECK(memcmp(d, "\xaa\xbb\xcc", 3) == 0);
    CHECK_EQ_INT(veche_rtp_find_ext(&v, 15, &d, &n), 0);   /* legal here */
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(veche_rtp_find_ext(&v, 3, &d, &n), VECHE_ENOTFOUND);
    uint8_t level;
    bool voice;
    /* an empty element cannot carry a level */
    CHECK_EQ_INT(veche_rtp_audio_level(&v, 1, &level, &voice),
                 VECHE_EMALFORMED);
}

TEST(csrc_list)
{
    veche_rtp_view v;
    CHECK_EQ_INT(veche_rtp_parse(pkt_csrc, sizeof pkt_csrc, &v, NULL), 0);
    CHECK_EQ_INT(v.csrc_count, 2);
    CHECK(v.csrc == pkt_csrc + 12);
    CHECK(!v.extension);
    CHECK_EQ_INT(v.header_len, 20);
    CHECK_EQ_INT(v.payload_len, 4);
    const uint8_t *d;
    size_t n;
    CHECK_EQ_INT(veche_rtp_find_ext(&v, 1, &d, &n), VECHE_ENOTFOUND);
}

/* One-byte elements that must end the search: id 15, and an element whose
 * length runs past the block. */
TEST(one_byte_walk_stops)
{
    static const uint8_t id15[] = {
        0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
        0xbe, 0xde, 0x00, 0x01, 0xf0, 0x21, 0x00, 0x00,
    };
    static const uint8_t overrun[] = {
        0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
        0xbe, 0xde, 0x00, 0x01, 0x1f, 0x21, 0x00, 0x00,
    };
    static const uint8_t other_profile[] = {
        0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
        0xab, 0xcd, 0x00, 0x01, 0x10, 0x21, 0x00, 0x00,
    };
    veche_rtp_view v;
    const uint8_t *d;
    size_t n;
    CHECK_EQ_INT(veche_rtp_parse(id15, sizeof id15, &v, NULL), 0);
    CHECK_EQ_INT(veche_rtp_find_ext(&v, 2, &d, &n), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_rtp_parse(overrun, sizeof overrun, &v, NULL), 0);
    CHECK_EQ_INT(veche_rtp_find_ext(&v, 1, &d, &n), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_rtp_parse(other_profile, sizeof other_profile, &v,
                                 NULL), 0);
    CHECK_EQ_INT(veche_rtp_find_ext(&v, 1, &d, &n), VECHE_ENOTFOUND);
    CHECK_EQ_INT(v.payload_len, 0);
}

TEST(malformed_rejected)
{
    static const uint8_t v1[] = { 0x40, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 };
    static const uint8_t cc_past[] = { 0x83, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
                                       1, 2, 3, 4, 5, 6, 7, 8 };
    static const uint8_t ext_hdr_cut[] = { 0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                           0, 1, 0xbe, 0xde };
    static const uint8_t ext_past[] = { 0x90, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
                                        0xbe, 0xde, 0x00, 0x02, 0x10, 0, 0, 0 };
    static const uint8_t pad_zero[] = { 0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
                                        0xaa, 0x00 };
    static const uint8_t pad_big[] = { 0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
                                       0xaa, 0x03 };
    static const uint8_t pad_none[] = { 0xa0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                                        1 };
    static const struct {
        const char *name;
        const uint8_t *buf;
        size_t len;
        int want;
    } rows[] = {
        { "empty", pkt_csrc, 0, VECHE_ETRUNC },
        { "11 bytes", pkt_csrc, 11, VECHE_ETRUNC },
        { "null", NULL, 12, VECHE_ETRUNC },
        { "version 1", v1, sizeof v1, VECHE_EMALFORMED },
        { "csrc past end", cc_past, sizeof cc_past, VECHE_ETRUNC },
        { "ext header cut", ext_hdr_cut, sizeof ext_hdr_cut, VECHE_ETRUNC },
        { "ext past end", ext_past, sizeof ext_past, VECHE_ETRUNC },
        { "padding 0", pad_zero, sizeof pad_zero, VECHE_EMALFORMED },
        { "padding > payload", pad_big, sizeof pad_big, VECHE_EMALFORMED },
        { "P bit, no bytes", pad_none, sizeof pad_none, VECHE_EMALFORMED },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_rtp_view v;
        const char *err = NULL;
        int r = veche_rtp_parse(rows[i].buf, rows[i].len, &v, &err);
        if (r != rows[i].want)
            fprintf(stderr, "# row %s: %d\n", rows[i].name, r);
        CHECK_EQ_INT(r, rows[i].want);
        CHECK(err != NULL);
    }
}

TEST(header_truncations_rejected)
{
    veche_rtp_view v;
    for (size_t len = 0; len < 24; len++)
        CHECK_EQ_INT(veche_rtp_parse(pkt_one_byte, len, &v, NULL),
                     VECHE_ETRUNC);
    CHECK_EQ_INT(veche_rtp_parse(pkt_one_byte, 24, &v, NULL), 0);
    CHECK_EQ_INT(v.payload_len, 0);
}

TEST(is_rtcp_rows)
{
    static const struct {
        uint8_t second;
        bool rtcp;
    } rows[] = {
        { 96, false }, { 111, false }, { 127, false }, { 191, false },
        { 192, true }, { 200, true }, { 206, true }, { 223, true },
        { 224, false }, { 0xe0 | 0x7f, false },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const uint8_t b[4] = { 0x80, rows[i].second, 0, 1 };
        CHECK_EQ_INT(veche_rtp_is_rtcp(b, sizeof b), rows[i].rtcp);
    }
    const uint8_t one[1] = { 0x80 };
    CHECK(!veche_rtp_is_rtcp(one, 1));
}

TEST(write_header_and_setters)
{
    uint8_t buf[16];
    memset(buf, 0x55, sizeof buf);
    CHECK_EQ_INT(veche_rtp_write_header(buf, 11, 96, true, 1, 2, 3),
                 VECHE_ENOSPC);
    CHECK_EQ_INT(buf[0], 0x55);
    CHECK_EQ_INT(veche_rtp_write_header(buf, sizeof buf, 96, true, 0xfffe,
                                        0x01020304, 0xa1b2c3d4), 12);
    static const uint8_t want[12] = { 0x80, 0xe0, 0xff, 0xfe, 1, 2, 3, 4,
                                      0xa1, 0xb2, 0xc3, 0xd4 };
    CHECK(memcmp(buf, want, 12) == 0);

    veche_rtp_set_seq(buf, 7);
    veche_rtp_set_ssrc(buf, 0x11223344);
    veche_rtp_set_payload_type(buf, 0xff);    /* only 7 bits kept */
    veche_rtp_set_timestamp(buf, 0xcafebabe);
    veche_rtp_view v;
    CHECK_EQ_INT(veche_rtp_parse(buf, 12, &v, NULL), 0);
    CHECK_EQ_INT(v.seq, 7);
    CHECK_EQ_INT(v.ssrc, 0x11223344);
    CHECK_EQ_INT(v.payload_type, 127);
    CHECK(v.marker);                          /* kept by set_payload_type */
    CHECK_EQ_INT(v.timestamp, 0xcafebabeu);
    veche_rtp_set_payload_type(buf, 8);
    CHECK_EQ_INT(buf[1], 0x88);
}

TEST(seq_newer_rows)
{
    static const struct {
        uint16_t a, b;
        bool newer;
    } rows[] = {
        { 1, 0, true }, { 0, 1, false }, { 0, 65535, true },
        { 65535, 0, false }, { 5, 5, false }, { 0x8000, 0, false },
        { 0x7fff, 0, true }, { 100, 65000, true },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_EQ_INT(veche_rtp_seq_newer(rows[i].a, rows[i].b), rows[i].newer);
}

int main(void)
{
    RUN(one_byte_extension);
    RUN(two_byte_extension_and_padding);
    RUN(csrc_list);
    RUN(one_byte_walk_stops);
    RUN(malformed_rejected);
    RUN(header_truncations_rejected);
    RUN(is_rtcp_rows);
    RUN(write_header_and_setters);
    RUN(seq_newer_rows);
    return check_finish();
}
