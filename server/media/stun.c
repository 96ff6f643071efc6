/* stun.c - STUN message decoder (RFC 5389, RFC 8489; demux per RFC 7983).
 *
 * Decodes the 20-byte header and the attribute TLVs into a veche_stun_msg
 * whose attribute values point into the input; checks FINGERPRINT
 * (CRC-32 of the message up to the attribute, XOR 0x5354554e, RFC 5389
 * section 15.5) and decodes (XOR-)MAPPED-ADDRESS for IPv4 and IPv6.
 *
 * Invariants of a successful parse: the message length in the header equals
 * the bytes after the header (a datagram carries exactly one message); every
 * attribute lies inside the message; FINGERPRINT, when present, is the last
 * attribute and 4 bytes long.
 *
 * Does not: verify MESSAGE-INTEGRITY (libnice owns credentials), encode
 * messages, or interpret attributes other than the address ones.  Attributes
 * after MESSAGE-INTEGRITY other than FINGERPRINT are checked for framing but
 * not recorded, as RFC 5389 section 15.4 says they must be ignored.
 */
#include "stun.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

#define STUN_HEADER_LEN 20
#define STUN_FINGERPRINT_XOR 0x5354554eu

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

/* CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320) four bits at a time:
 * a 16-entry table is small enough to write out and needs no init step. */
static uint32_t crc32(const uint8_t *p, size_t len)
{
    static const uint32_t nibble[16] = {
        0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC,
        0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
        0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
        0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
    };
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = nibble[crc & 0x0F] ^ (crc >> 4);
        crc = nibble[crc & 0x0F] ^ (crc >> 4);
    }
    return crc ^ 0xFFFFFFFFu;
}

bool veche_stun_is_stun(const uint8_t *buf, size_t len)
{
    if (!buf || len < STUN_HEADER_LEN)
        return false;
    size_t msg_len = rd16(buf + 2);
    return (buf[0] & 0xC0) == 0 && rd32(buf + 4) == VECHE_STUN_MAGIC &&
           msg_len % 4 == 0 && msg_len + STUN_HEADER_LEN == len;
}

static int fail(const char **err_desc, int code, const char *desc)
{
    if (err_desc)
        *err_desc = desc;
    return code;
}

/* Split the message type into method and class (RFC 5389 section 6):
 * M11..M7 C1 M6..M4 C0 M3..M0. */
static void decode_type(uint16_t t, veche_stun_msg *out)
{
    out->type = t;
    out->method = (uint16_t)((t & 0x000F) | (t & 0x00E0) >> 1 |
                             (t & 0x3E00) >> 2);
    out->klass = (uint8_t)((t >> 4 & 0x1) | (t >> 7 & 0x2));
}

static int check_header(const uint8_t *buf, size_t len, const char **err_desc)
{
    if (!buf || len < STUN_HEADER_LEN)
        return fail(err_desc, VECHE_ETRUNC, "shorter than a STUN header");
    if (buf[0] & 0xC0)
        return fail(err_desc, VECHE_EMALFORMED, "first two bits not zero");
    if (rd32(buf + 4) != VECHE_STUN_MAGIC)
        return fail(err_desc, VECHE_EMALFORMED, "no magic cookie");
    size_t msg_len = rd16(buf + 2);
    if (msg_len % 4)
        return fail(err_desc, VECHE_EMALFORMED, "length not a multiple of 4");
    if (msg_len + STUN_HEADER_LEN > len)
        return fail(err_desc, VECHE_ETRUNC, "message longer than the buffer");
    if (msg_len + STUN_HEADER_LEN < len)
        return fail(err_desc, VECHE_EMALFORMED, "bytes after the message");
    return 0;
}

/* Check FINGERPRINT at offset `at` of a message `len` bytes long. */
static int check_fingerprint(const uint8_t *buf, size_t at, size_t len,
                             uint16_t attr_len, veche_stun_msg *out,
                             const char **err_desc)
{
    if (attr_len != 4)
        return fail(err_desc, VECHE_EMALFORMED, "FINGERPRINT not 4 bytes");
    if (at + 8 != len)
        return fail(err_desc, VECHE_EMALFORMED, "FINGERPRINT not last");
    out->has_fingerprint = true;
    out->fingerprint_ok =
        (crc32(buf, at) ^ STUN_FINGERPRINT_XOR) == rd32(buf + at + 4);
    return 0;
}

/* Record the attribute at `at` (framing already checked). */
static int add_attr(const uint8_t *buf, size_t at, veche_stun_msg *out,
                    const char **err_desc)
{
    if (out->n_attrs == VECHE_STUN_MAX_ATTRS)
        return fail(err_desc, VECHE_ELIMIT, "too many attributes");
    veche_stun_attr *a = &out->attrs[out->n_attrs++];
    a->type = rd16(buf + at);
    a->len = rd16(buf + at + 2);
    a->value = buf + at + 4;
    return 0;
}

static int parse_attrs(const uint8_t *buf, size_t len, veche_stun_msg *out,
                       const char **err_desc)
{
    bool after_integrity = false;
    size_t at = STUN_HEADER_LEN;
    while (at < len) {
        if (len - at < 4)
            return fail(err_desc, VECHE_ETRUNC, "truncated attribute header");
        uint16_t type = rd16(buf + at), alen = rd16(buf + at + 2);
        size_t padded = ((size_t)alen + 3) & ~(size_t)3;
        if (padded > len - at - 4)
            return fail(err_desc, VECHE_ETRUNC, "attribute past the end");
        if (type == VECHE_STUN_ATTR_FINGERPRINT)
            return check_fingerprint(buf, at, len, alen, out, err_desc);
        if (!after_integrity) {
            int r = add_attr(buf, at, out, err_desc);
            if (r < 0)
                return r;
        }
        if (type == VECHE_STUN_ATTR_MESSAGE_INTEGRITY)
            after_integrity = true;
        at += 4 + padded;
    }
    return 0;
}

int veche_stun_parse(const uint8_t *buf, size_t len, veche_stun_msg *out,
                     const char **err_desc)
{
    int r = check_header(buf, len, err_desc);
    if (r < 0)
        return r;
    memset(out, 0, sizeof *out);
    decode_type(rd16(buf), out);
    memcpy(out->transaction_id, buf + 8, 12);
    return parse_attrs(buf, len, out, err_desc);
}

const veche_stun_attr *veche_stun_find(const veche_stun_msg *m, uint16_t type)
{
    for (int i = 0; i < m->n_attrs; i++)
        if (m->attrs[i].type == type)
            return &m->attrs[i];
    return NULL;
}

/* Undo the XOR of RFC 5389 section 15.2: the port with the top 16 bits of
 * the cookie, the address with the cookie followed by the transaction id. */
static void unxor(const veche_stun_msg *m, uint16_t *port, uint8_t *addr,
                  size_t addr_len)
{
    uint8_t key[16] = { 0x21, 0x12, 0xA4, 0x42 };
    memcpy(key + 4, m->transaction_id, 12);
    *port ^= (uint16_t)(VECHE_STUN_MAGIC >> 16);
    for (size_t i = 0; i < addr_len; i++)
        addr[i] ^= key[i];
}

static int format_address(int family, const uint8_t *addr, uint16_t port,
                          char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    if (!inet_ntop(family, addr, ip, sizeof ip))
        return VECHE_EMALFORMED;
    const char *fmt = family == AF_INET6 ? "[%s]:%u" : "%s:%u";
    int n = snprintf(out, cap, fmt, ip, (unsigned)port);
    if (n < 0 || (size_t)n >= cap)
        return VECHE_ENOSPC;
    return 0;
}

/* Returns 0 and writes "a.b.c.d:port" or "[v6]:port"; VECHE_EINVAL for an
 * attribute of another type, VECHE_EMALFORMED for a bad family or length,
 * VECHE_ENOSPC when cap is too small (out then holds a truncated string if
 * cap > 0). */
int veche_stun_attr_address(const veche_stun_msg *m, const veche_stun_attr *a,
                            char *out, size_t cap)
{
    bool xored = a->type == VECHE_STUN_ATTR_XOR_MAPPED_ADDRESS;
    if (!xored && a->type != VECHE_STUN_ATTR_MAPPED_ADDRESS)
        return VECHE_EINVAL;
    if (a->len < 4)
        return VECHE_EMALFORMED;
    uint8_t family = a->value[1];
    size_t addr_len = family == 0x01 ? 4 : family == 0x02 ? 16 : 0;
    if (addr_len == 0 || a->len != 4 + addr_len)
        return VECHE_EMALFORMED;
    uint16_t port = rd16(a->value + 2);
    uint8_t addr[16];
    memcpy(addr, a->value + 4, addr_len);
    if (xored)
        unxor(m, &port, addr, addr_len);
    return format_address(addr_len == 4 ? AF_INET : AF_INET6, addr, port,
                          out, cap);
}
