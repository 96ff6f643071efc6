/* rtp.c - RTP packet view and in-place header edits (RFC 3550 section 5.1,
 * header extensions RFC 8285, audio level RFC 6464, RTP/RTCP demux
 * RFC 5761 section 4).
 *
 * Invariants of a successful veche_rtp_parse(): header_len + payload_len +
 * padding_len == len, and every pointer in the view lies inside the input.
 *
 * Does not: validate payload types against a session, check the SSRC, or
 * rewrite extensions; RFC 8285 elements that run past the extension block
 * end the search for an id instead of failing the whole packet.
 */
#include "rtp.h"

#include "err.h"

#define ONE_BYTE_PROFILE 0xBEDE
#define TWO_BYTE_PROFILE_MASK 0xFFF0
#define TWO_BYTE_PROFILE 0x1000

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int fail(const char **err_desc, int code, const char *desc)
{
    if (err_desc)
        *err_desc = desc;
    return code;
}

static void parse_fixed(const uint8_t *buf, veche_rtp_view *out)
{
    out->version = buf[0] >> 6;
    out->padding = buf[0] & 0x20;
    out->extension = buf[0] & 0x10;
    out->csrc_count = buf[0] & 0x0F;
    out->marker = buf[1] & 0x80;
    out->payload_type = buf[1] & 0x7F;
    out->seq = rd16(buf + 2);
    out->timestamp = rd32(buf + 4);
    out->ssrc = rd32(buf + 8);
}

/* Extension header at out->header_len; advances header_len past it. */
static int parse_ext(const uint8_t *buf, size_t len, veche_rtp_view *out,
                     const char **err_desc)
{
    size_t at = out->header_len;
    if (len - at < 4)
        return fail(err_desc, VECHE_ETRUNC, "truncated extension header");
    out->ext_profile = rd16(buf + at);
    out->ext_len = (size_t)rd16(buf + at + 2) * 4;
    if (out->ext_len > len - at - 4)
        return fail(err_desc, VECHE_ETRUNC, "extension past the end");
    out->ext = buf + at + 4;
    out->header_len = at + 4 + out->ext_len;
    return 0;
}

static int parse_padding(const uint8_t *buf, size_t len, veche_rtp_view *out,
                         const char **err_desc)
{
    if (len == out->header_len)
        return fail(err_desc, VECHE_EMALFORMED, "padding bit but no padding");
    uint8_t pad = buf[len - 1];
    if (pad == 0 || pad > len - out->header_len)
        return fail(err_desc, VECHE_EMALFORMED, "bad padding length");
    out->padding_len = pad;
    return 0;
}

int veche_rtp_parse(const uint8_t *buf, size_t len, veche_rtp_view *out,
                    const char **err_desc)
{
    if (!buf || len < VECHE_RTP_HEADER_MIN)
        return fail(err_desc, VECHE_ETRUNC, "shorter than an RTP header");
    if (buf[0] >> 6 != 2)
        return fail(err_desc, VECHE_EMALFORMED, "RTP version not 2");
    *out = (veche_rtp_view){ 0 };
    parse_fixed(buf, out);
    out->csrc = buf + VECHE_RTP_HEADER_MIN;
    out->header_len = VECHE_RTP_HEADER_MIN + (size_t)out->csrc_count * 4;
    if (out->header_len > len)
        return fail(err_desc, VECHE_ETRUNC, "CSRC list past the end");
    int r = out->extension ? parse_ext(buf, len, out, err_desc) : 0;
    if (r == 0 && out->padding)
        r = parse_padding(buf, len, out, err_desc);
    if (r < 0)
        return r;
    out->payload = buf + out->header_len;
    out->payload_len = len - out->header_len - out->padding_len;
    return 0;
}

bool veche_rtp_is_rtcp(const uint8_t *buf, size_t len)
{
    return buf && len >= 2 && buf[1] >= 192 && buf[1] <= 223;
}

/* RFC 8285 section 4.2: ID 0 is padding, ID 15 stops the walk. */
static int find_one_byte(const uint8_t *p, size_t n, uint8_t id,
                         const uint8_t **data, size_t *len)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] == 0) {
            i++;
            continue;
        }
        uint8_t eid = p[i] >> 4;
        size_t elen = (size_t)(p[i] & 0x0F) + 1;
        if (eid == 15 || elen > n - i - 1)
            break;
        if (eid == id) {
            *data = p + i + 1;
            *len = elen;
            return 0;
        }
        i += 1 + elen;
    }
    return VECHE_ENOTFOUND;
}

/* RFC 8285 section 4.3: a zero byte is padding, otherwise ID, length. */
static int find_two_byte(const uint8_t *p, size_t n, uint8_t id,
                         const uint8_t **data, size_t *len)
{
    size_t i = 0;
    while (i < n) {
        if (p[i] == 0) {
            i++;
            continue;
        }
        if (n - i < 2 || p[i + 1] > n - i - 2)
            break;
        if (p[i] == id) {
            *data = p + i + 2;
            *len = p[i + 1];
            return 0;
        }
        i += 2 + (size_t)p[i + 1];
    }
    return VECHE_ENOTFOUND;
}

int veche_rtp_find_ext(const veche_rtp_view *v, uint8_t id,
                       const uint8_t **data, size_t *len)
{
    if (!v->extension || id == 0)
        return VECHE_ENOTFOUND;
    if (v->ext_profile == ONE_BYTE_PROFILE)
        return id < 15 ? find_one_byte(v->ext, v->ext_len, id, data, len)
                       : VECHE_ENOTFOUND;
    if ((v->ext_profile & TWO_BYTE_PROFILE_MASK) == TWO_BYTE_PROFILE)
        return find_two_byte(v->ext, v->ext_len, id, data, len);
    return VECHE_ENOTFOUND;
}

/* Returns 0, VECHE_ENOTFOUND, or VECHE_EMALFORMED for an empty element. */
int veche_rtp_audio_level(const veche_rtp_view *v, uint8_t id,
                          uint8_t *level, bool *voice)
{
    const uint8_t *d;
    size_t n;
    int r = veche_rtp_find_ext(v, id, &d, &n);
    if (r < 0)
        return r;
    if (n < 1)
        return VECHE_EMALFORMED;
    *level = d[0] & 0x7F;
    *voice = d[0] & 0x80;
    return 0;
}

void veche_rtp_set_seq(uint8_t *buf, uint16_t seq)
{
    wr16(buf + 2, seq);
}

void veche_rtp_set_ssrc(uint8_t *buf, uint32_t ssrc)
{
    wr32(buf + 8, ssrc);
}

/* Keeps the marker bit. */
void veche_rtp_set_payload_type(uint8_t *buf, uint8_t pt)
{
    buf[1] = (uint8_t)((buf[1] & 0x80) | (pt & 0x7F));
}

void veche_rtp_set_timestamp(uint8_t *buf, uint32_t ts)
{
    wr32(buf + 4, ts);
}

int veche_rtp_write_header(uint8_t *buf, size_t cap, uint8_t pt, bool marker,
                           uint16_t seq, uint32_t timestamp, uint32_t ssrc)
{
    if (!buf || cap < VECHE_RTP_HEADER_MIN)
        return VECHE_ENOSPC;
    buf[0] = 0x80;
    buf[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7F));
    wr16(buf + 2, seq);
    wr32(buf + 4, timestamp);
    wr32(buf + 8, ssrc);
    return VECHE_RTP_HEADER_MIN;
}
