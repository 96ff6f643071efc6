/* vp8.c - VP8 RTP payload format (RFC 7741): payload descriptor decoding
 * (section 4.2), key frame detection from the payload header (section 4.3
 * and RFC 6386 section 9.1), and packetization of one encoded frame.
 *
 * The packetizer writes a 4-byte descriptor on every payload (X=1, I=1,
 * M=1: 15-bit picture id; S=1 and PID=0 on the first payload only) and
 * splits the frame into equal parts, the first ones one byte longer when it
 * does not divide evenly.  Payloads are built in a stack buffer of
 * VECHE_RTP_MAX_PACKET bytes, so max_payload above that is clamped.
 *
 * Does not: split on partition boundaries, write TL0PICIDX/TID/KEYIDX, or
 * parse the key frame header beyond its P bit.
 */
#include "vp8.h"

#include <limits.h>
#include <string.h>

#include "err.h"
#include "rtp.h"

#define DESC_LEN 4

static int fail(const char **err_desc, int code, const char *desc)
{
    if (err_desc)
        *err_desc = desc;
    return code;
}

/* I: M bit then a 7- or 15-bit picture id; returns bytes used or 0. */
static size_t parse_picture_id(const uint8_t *p, size_t left,
                               veche_vp8_descriptor *out)
{
    if (left < 1 || ((p[0] & 0x80) && left < 2))
        return 0;
    out->has_picture_id = true;
    if (!(p[0] & 0x80)) {
        out->picture_id = p[0] & 0x7F;
        return 1;
    }
    out->picture_id = (uint16_t)((p[0] & 0x7F) << 8 | p[1]);
    return 2;
}

/* The bytes after the X byte: I, L, T/K in that order. */
static int parse_extensions(const uint8_t *p, size_t len,
                            veche_vp8_descriptor *out, const char **err_desc)
{
    uint8_t x = p[1];
    size_t at = 2;
    if (x & 0x80) {
        size_t n = parse_picture_id(p + at, len - at, out);
        if (n == 0)
            return fail(err_desc, VECHE_ETRUNC, "truncated picture id");
        at += n;
    }
    if ((x & 0x40) && at >= len)
        return fail(err_desc, VECHE_ETRUNC, "truncated TL0PICIDX");
    if (x & 0x40) {
        out->has_tl0picidx = true;
        out->tl0picidx = p[at++];
    }
    if ((x & 0x30) && at >= len)
        return fail(err_desc, VECHE_ETRUNC, "truncated TID/KEYIDX");
    if (x & 0x30) {
        out->has_tid = x & 0x20;
        out->tid = out->has_tid ? p[at] >> 6 : 0;
        out->layer_sync = out->has_tid && (p[at] & 0x20);
        out->has_keyidx = x & 0x10;
        out->keyidx = out->has_keyidx ? p[at] & 0x1F : 0;
        at++;
    }
    out->descriptor_len = at;
    return 0;
}

/* Returns 0, or VECHE_ETRUNC when the descriptor is cut short or no VP8
 * payload follows it. */
int veche_vp8_parse(const uint8_t *payload, size_t len,
                    veche_vp8_descriptor *out, const char **err_desc)
{
    if (!payload || len < 1)
        return fail(err_desc, VECHE_ETRUNC, "empty VP8 payload");
    *out = (veche_vp8_descriptor){ 0 };
    out->non_reference = payload[0] & 0x20;
    out->start_of_partition = payload[0] & 0x10;
    out->partition_id = payload[0] & 0x07;
    out->descriptor_len = 1;
    if (payload[0] & 0x80) {
        if (len < 2)
            return fail(err_desc, VECHE_ETRUNC, "truncated X byte");
        int r = parse_extensions(payload, len, out, err_desc);
        if (r < 0)
            return r;
    }
    if (out->descriptor_len >= len)
        return fail(err_desc, VECHE_ETRUNC, "no VP8 data after descriptor");
    out->keyframe = out->start_of_partition && out->partition_id == 0 &&
                    !(payload[out->descriptor_len] & 0x01);
    return 0;
}

static void write_descriptor(uint8_t *p, bool first, uint16_t picture_id)
{
    p[0] = (uint8_t)(0x80 | (first ? 0x10 : 0));
    p[1] = 0x80;
    p[2] = (uint8_t)(0x80 | (picture_id >> 8 & 0x7F));
    p[3] = (uint8_t)picture_id;
}

/* Returns the number of payloads, or VECHE_EINVAL for an empty frame, a
 * missing callback or max_payload too small for a descriptor and a byte. */
int veche_vp8_packetize(const uint8_t *frame, size_t len, uint16_t picture_id,
                        size_t max_payload,
                        void (*emit)(void *ud, const uint8_t *p, size_t n,
                                     bool last),
                        void *ud)
{
    if (!frame || len == 0 || !emit || max_payload <= DESC_LEN)
        return VECHE_EINVAL;
    if (max_payload > VECHE_RTP_MAX_PACKET)
        max_payload = VECHE_RTP_MAX_PACKET;
    size_t room = max_payload - DESC_LEN;
    size_t count = (len + room - 1) / room;
    if (count > INT_MAX)
        return VECHE_ELIMIT;
    size_t base = len / count, extra = len % count, at = 0;
    uint8_t buf[VECHE_RTP_MAX_PACKET];
    for (size_t i = 0; i < count; i++) {
        size_t n = base + (i < extra ? 1 : 0);
        write_descriptor(buf, i == 0, picture_id);
        memcpy(buf + DESC_LEN, frame + at, n);
        emit(ud, buf, DESC_LEN + n, i + 1 == count);
        at += n;
    }
    return (int)count;
}
