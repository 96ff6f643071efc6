/* junk.c - builders of the authenticated junk packets of junk.h: one
 * switch case per kind, each a small variation on a real RTCP or RTP
 * packet (RFC 3550, 4585, 5104, REMB draft) with a lie in it.
 *
 * Does not: send anything (misbehave.c does, through a peer connection),
 * or produce anything SRTP could not protect.
 */
#include "junk.h"

#include <string.h>

#include "err.h"
#include "rtcp.h"
#include "rtp.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void fill_random(GRand *rng, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)g_rand_int(rng);
}

/* RTCP common header: version 2, count/fmt, packet type, length field. */
static void rtcp_header(uint8_t *p, unsigned count, uint8_t pt,
                        uint16_t length_field)
{
    p[0] = (uint8_t)(0x80 | (count & 0x1f));
    p[1] = pt;
    put16(p + 2, length_field);
}

/* A PSFB/RTPFB header plus sender and media SSRC; returns 12. */
static int fb_header(uint8_t *p, unsigned fmt, uint8_t pt, uint16_t length,
                     uint32_t self, uint32_t media)
{
    rtcp_header(p, fmt, pt, length);
    put32(p + 4, self);
    put32(p + 8, media);
    return 12;
}

/* Kinds 0-8: lengths and counts that lie, feedback storms. */
static int rtcp_part1(int i, uint32_t self, uint32_t media, GRand *rng,
                      uint8_t *b)
{
    switch (i) {
    case 0:     /* RR claiming 31 report blocks, carrying none */
        rtcp_header(b, 31, VECHE_RTCP_RR, 1);
        put32(b + 4, self);
        return 8;
    case 1:     /* SR whose length field claims 260 bytes of 28 */
        rtcp_header(b, 0, VECHE_RTCP_SR, 0x40);
        put32(b + 4, self);
        fill_random(rng, b + 8, 20);
        return 28;
    case 2:     /* an empty RR, then an item that is only a header */
        rtcp_header(b, 0, VECHE_RTCP_RR, 1);
        put32(b + 4, self);
        rtcp_header(b + 8, 0, VECHE_RTCP_APP, 0);
        return 12;
    case 3: {   /* a NACK storm: 100 FCI entries, every BLP bit set */
        int n = fb_header(b, VECHE_RTCP_FMT_NACK, VECHE_RTCP_RTPFB, 102, self,
                          media);
        for (int k = 0; k < 100; k++, n += 4) {
            put16(b + n, (uint16_t)g_rand_int(rng));
            put16(b + n + 2, 0xffff);
        }
        return n;
    }
    case 4: {   /* a NACK for an SSRC nobody has */
        int n = fb_header(b, VECHE_RTCP_FMT_NACK, VECHE_RTCP_RTPFB, 3, self,
                          g_rand_int(rng));
        put32(b + n, g_rand_int(rng));
        return n + 4;
    }
    case 5:     /* a plain PLI (sent many times over) */
        return fb_header(b, VECHE_RTCP_FMT_PLI, VECHE_RTCP_PSFB, 2, self,
                         media);
    case 6:     /* FIR without an FCI entry */
        return fb_header(b, VECHE_RTCP_FMT_FIR, VECHE_RTCP_PSFB, 2, self, 0);
    case 7: {   /* FIR for ten SSRCs nobody has */
        int n = fb_header(b, VECHE_RTCP_FMT_FIR, VECHE_RTCP_PSFB, 22, self, 0);
        for (int k = 0; k < 10; k++, n += 8) {
            put32(b + n, g_rand_int(rng));
            put32(b + n + 4, (uint32_t)k << 24);
        }
        return n;
    }
    case 8: {   /* REMB announcing 255 SSRCs, listing one */
        int n = fb_header(b, VECHE_RTCP_FMT_AFB, VECHE_RTCP_PSFB, 5, self, 0);
        memcpy(b + n, "REMB", 4);
        b[n + 4] = 255;
        fill_random(rng, b + n + 5, 3);
        put32(b + n + 8, media);
        return n + 12;
    }
    }
    return VECHE_EINVAL;
}

/* Kinds 9-17: bad items of other types, random bytes, long compounds. */
static int rtcp_part2(int i, uint32_t self, uint32_t media, GRand *rng,
                      uint8_t *b)
{
    switch (i) {
    case 9: {   /* application feedback that is not REMB */
        int n = fb_header(b, VECHE_RTCP_FMT_AFB, VECHE_RTCP_PSFB, 5, self, 0);
        memcpy(b + n, "XXXX", 4);
        fill_random(rng, b + n + 4, 8);
        return n + 12;
    }
    case 10:    /* SDES whose CNAME item runs past the packet */
        rtcp_header(b, 1, VECHE_RTCP_SDES, 2);
        put32(b + 4, self);
        b[8] = 1;
        b[9] = 200;
        b[10] = 'a';
        b[11] = 'b';
        return 12;
    case 11:    /* BYE whose reason runs past the packet */
        rtcp_header(b, 1, VECHE_RTCP_BYE, 2);
        put32(b + 4, self);
        b[8] = 250;
        memcpy(b + 9, "xyz", 3);
        return 12;
    case 12:    /* APP with random data */
        rtcp_header(b, 0, VECHE_RTCP_APP, 18);
        put32(b + 4, self);
        memcpy(b + 8, "JUNK", 4);
        fill_random(rng, b + 12, 64);
        return 76;
    case 13:    /* XR with random blocks */
        rtcp_header(b, 0, VECHE_RTCP_XR, 10);
        put32(b + 4, self);
        fill_random(rng, b + 8, 36);
        return 44;
    case 14:    /* a packet type that does not exist */
        rtcp_header(b, 3, 210, 8);
        put32(b + 4, self);
        fill_random(rng, b + 8, 28);
        return 36;
    case 15: {  /* random bytes behind a plausible header */
        int n = 8 + (int)g_rand_int_range(rng, 0, 600);
        fill_random(rng, b, (size_t)n);
        uint8_t pt = (uint8_t)(200 + g_rand_int_range(rng, 0, 8));
        rtcp_header(b, g_rand_int(rng), pt, (uint16_t)g_rand_int(rng));
        put32(b + 4, self);
        return n;
    }
    case 16: {  /* a compound of 20 PLIs */
        int n = 0;
        for (int k = 0; k < 20; k++)
            n += fb_header(b + n, VECHE_RTCP_FMT_PLI, VECHE_RTCP_PSFB, 2, self,
                           media);
        return n;
    }
    case 17:    /* an empty RR, then an item with version 1 */
        rtcp_header(b, 0, VECHE_RTCP_RR, 1);
        put32(b + 4, self);
        b[8] = 0x40;
        b[9] = VECHE_RTCP_RR;
        put16(b + 10, 1);
        put32(b + 12, self);
        return 16;
    }
    return VECHE_EINVAL;
}

int vpeer_junk_rtcp(int i, uint32_t self, uint32_t media, GRand *rng,
                    uint8_t *buf, size_t cap)
{
    if (i < 0 || i >= VPEER_JUNK_RTCP_KINDS)
        return VECHE_EINVAL;
    if (cap < VPEER_JUNK_MAX)
        return VECHE_ENOSPC;
    memset(buf, 0, VPEER_JUNK_MAX);
    return i <= 8 ? rtcp_part1(i, self, media, rng, buf)
                  : rtcp_part2(i, self, media, rng, buf);
}

int vpeer_junk_rtp(int i, uint32_t ssrc, uint16_t seq, GRand *rng,
                   uint8_t *buf, size_t cap)
{
    if (i < 0 || i >= VPEER_JUNK_RTP_KINDS)
        return VECHE_EINVAL;
    if (cap < VPEER_JUNK_MAX)
        return VECHE_ENOSPC;
    int h = veche_rtp_write_header(buf, cap, i == 1 ? 111 : i == 2 ? 127 : 96,
                                   i == 1, seq, g_rand_int(rng), ssrc);
    if (h < 0)
        return h;
    switch (i) {
    case 0: {   /* random payload */
        int n = (int)g_rand_int_range(rng, 1, 1000);
        fill_random(rng, buf + h, (size_t)n);
        return h + n;
    }
    case 1:     /* padding bit set, padding longer than the packet */
        buf[0] |= 0x20;
        fill_random(rng, buf + h, 50);
        buf[h + 49] = 255;
        return h + 50;
    default:    /* a one-byte header extension whose element overruns it */
        buf[0] |= 0x10;
        put16(buf + h, 0xBEDE);
        put16(buf + h + 2, 2);
        buf[h + 4] = 0xEF;            /* id 14, 16 bytes in 8 */
        fill_random(rng, buf + h + 5, 7 + 40);
        return h + 4 + 8 + 40;
    }
}
