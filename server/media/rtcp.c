/* rtcp.c - RTCP compound packet codec: iterator, SR/RR and report blocks
 * (RFC 3550 section 6.4), SDES CNAME writer (RFC 3550 section 6.5),
 * generic NACK (RFC 4585 section 6.2.1), PLI (RFC 4585 section 6.3.1),
 * FIR (RFC 5104 section 4.3.1), REMB (draft-alvestrand-rmcat-remb-03).
 * Non-compound (reduced-size, RFC 5506) packets are just one-item compounds.
 *
 * Invariants: the iterator yields only items whose length field lies inside
 * the buffer and whose padding, when the P bit is set, fits inside the item;
 * decoders read only the item body (item minus padding).  Writers never touch
 * buf beyond cap and set the P bit never.
 *
 * Does not: check the compound rules of RFC 3550 section 6.1 (first packet
 * SR/RR, SDES present), decode SDES, BYE, APP or XR bodies, or compute NTP
 * times.
 */
#include "rtcp.h"

#include <string.h>

#include "err.h"
#include "rtp.h"

#define HEADER_LEN 4
#define SR_LEN 28          /* header, SSRC, sender info */
#define RR_LEN 8           /* header, SSRC */
#define FB_LEN 12          /* header, sender SSRC, media SSRC */
#define BLOCK_LEN 24
#define MAX_BLOCKS 31
#define NACK_SEQ_SPACE 65536

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

/* ---- iterator ---------------------------------------------------------- */

void veche_rtcp_iter_init(veche_rtcp_iter *it, const uint8_t *buf, size_t len)
{
    it->p = buf;
    it->end = buf ? buf + len : buf;
}

static int iter_fail(veche_rtcp_iter *it, const char **err_desc, int code,
                     const char *desc)
{
    it->p = it->end;
    if (err_desc)
        *err_desc = desc;
    return code;
}

int veche_rtcp_iter_next(veche_rtcp_iter *it, veche_rtcp_item *item,
                         const char **err_desc)
{
    if (it->p >= it->end)
        return 0;
    const uint8_t *p = it->p;
    size_t left = (size_t)(it->end - p);
    if (left < HEADER_LEN)
        return iter_fail(it, err_desc, VECHE_ETRUNC, "truncated RTCP header");
    if (p[0] >> 6 != 2)
        return iter_fail(it, err_desc, VECHE_EMALFORMED, "RTCP version not 2");
    size_t len = ((size_t)rd16(p + 2) + 1) * 4;
    if (len > left)
        return iter_fail(it, err_desc, VECHE_ETRUNC, "RTCP length past end");
    if ((p[0] & 0x20) && (p[len - 1] == 0 || p[len - 1] > len - HEADER_LEN))
        return iter_fail(it, err_desc, VECHE_EMALFORMED, "bad RTCP padding");
    item->type = p[1];
    item->fmt = p[0] & 0x1F;
    item->data = p;
    item->len = len;
    it->p = p + len;
    return 1;
}

/* Bytes of the item without its padding; 0 when the item is inconsistent
 * (possible only for items not made by the iterator). */
static size_t body_len(const veche_rtcp_item *item)
{
    if (!item->data || item->len < HEADER_LEN)
        return 0;
    if (!(item->data[0] & 0x20))
        return item->len;
    uint8_t pad = item->data[item->len - 1];
    return pad > item->len - HEADER_LEN ? 0 : item->len - pad;
}

/* ---- SR / RR ----------------------------------------------------------- */

/* Returns 0, VECHE_EINVAL for another packet type, VECHE_ETRUNC. */
int veche_rtcp_parse_sr(const veche_rtcp_item *item, veche_rtcp_sr *out)
{
    if (item->type != VECHE_RTCP_SR)
        return VECHE_EINVAL;
    size_t n = body_len(item);
    if (n < SR_LEN || SR_LEN + (size_t)item->fmt * BLOCK_LEN > n)
        return VECHE_ETRUNC;
    const uint8_t *p = item->data;
    out->ssrc = rd32(p + 4);
    out->ntp = (uint64_t)rd32(p + 8) << 32 | rd32(p + 12);
    out->rtp_ts = rd32(p + 16);
    out->packet_count = rd32(p + 20);
    out->octet_count = rd32(p + 24);
    out->n_blocks = item->fmt;
    out->blocks = p + SR_LEN;
    return 0;
}

/* Returns 0, VECHE_EINVAL for another packet type, VECHE_ETRUNC. */
int veche_rtcp_parse_rr(const veche_rtcp_item *item, veche_rtcp_rr *out)
{
    if (item->type != VECHE_RTCP_RR)
        return VECHE_EINVAL;
    size_t n = body_len(item);
    if (n < RR_LEN || RR_LEN + (size_t)item->fmt * BLOCK_LEN > n)
        return VECHE_ETRUNC;
    out->ssrc = rd32(item->data + 4);
    out->n_blocks = item->fmt;
    out->blocks = item->data + RR_LEN;
    return 0;
}

void veche_rtcp_report_block_get(const uint8_t *blocks, int i,
                                 veche_rtcp_report_block *out)
{
    const uint8_t *p = blocks + (size_t)i * BLOCK_LEN;
    uint32_t lost = (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    out->ssrc = rd32(p);
    out->fraction_lost = p[4];
    out->cumulative_lost = lost & 0x800000 ? (int32_t)lost - 0x1000000
                                           : (int32_t)lost;
    out->ext_highest_seq = rd32(p + 8);
    out->jitter = rd32(p + 12);
    out->lsr = rd32(p + 16);
    out->dlsr = rd32(p + 20);
}

/* ---- feedback ---------------------------------------------------------- */

/* Returns 0, VECHE_EINVAL for a packet other than RTPFB/PSFB, VECHE_ETRUNC. */
int veche_rtcp_parse_fb(const veche_rtcp_item *item, veche_rtcp_fb *out)
{
    if (item->type != VECHE_RTCP_RTPFB && item->type != VECHE_RTCP_PSFB)
        return VECHE_EINVAL;
    size_t n = body_len(item);
    if (n < FB_LEN)
        return VECHE_ETRUNC;
    out->sender_ssrc = rd32(item->data + 4);
    out->media_ssrc = rd32(item->data + 8);
    out->fci = item->data + FB_LEN;
    out->fci_len = n - FB_LEN;
    return 0;
}

/* Each FCI word is PID then BLP: bit i of BLP means PID + i + 1 is lost. */
int veche_rtcp_nack_expand(const veche_rtcp_fb *fb, uint16_t *seqs, int max)
{
    if (fb->fci_len % 4)
        return VECHE_EMALFORMED;
    if (max > 0 && !seqs)
        return VECHE_EINVAL;
    int n = 0;
    for (size_t at = 0; at < fb->fci_len && n < max; at += 4) {
        uint16_t pid = rd16(fb->fci + at), blp = rd16(fb->fci + at + 2);
        seqs[n++] = pid;
        for (int bit = 0; bit < 16 && n < max; bit++)
            if (blp & (1u << bit))
                seqs[n++] = (uint16_t)(pid + bit + 1);
    }
    return n;
}

/* FIR FCI entries are 8 bytes: SSRC, command sequence number, 3 reserved. */
int veche_rtcp_fir_entry(const veche_rtcp_fb *fb, int i, uint32_t *ssrc,
                         uint8_t *seq_nr)
{
    if (i < 0 || (size_t)i >= fb->fci_len / 8)
        return VECHE_ENOTFOUND;
    const uint8_t *p = fb->fci + (size_t)i * 8;
    *ssrc = rd32(p);
    *seq_nr = p[4];
    return 0;
}

/* mantissa << exp, saturated: exp is 6 bits on the wire, so up to 63. */
static uint64_t remb_bitrate(uint32_t mantissa, unsigned exp)
{
    if (mantissa > (UINT64_MAX >> exp))
        return UINT64_MAX;
    return (uint64_t)mantissa << exp;
}

/* Returns 0, VECHE_ETRUNC, or VECHE_EMALFORMED when the FCI is not REMB. */
int veche_rtcp_parse_remb(const veche_rtcp_fb *fb, uint64_t *bitrate_bps,
                          uint32_t *ssrcs, int max, int *n)
{
    const uint8_t *p = fb->fci;
    if (fb->fci_len < 8)
        return VECHE_ETRUNC;
    if (memcmp(p, "REMB", 4) != 0)
        return VECHE_EMALFORMED;
    size_t num = p[4];
    if (8 + num * 4 > fb->fci_len)
        return VECHE_ETRUNC;
    uint32_t mantissa = (uint32_t)(p[5] & 0x03) << 16 | (uint32_t)p[6] << 8 |
                        p[7];
    *bitrate_bps = remb_bitrate(mantissa, p[5] >> 2);
    int k = 0;
    for (; ssrcs && k < max && (size_t)k < num; k++)
        ssrcs[k] = rd32(p + 8 + (size_t)k * 4);
    *n = k;
    return 0;
}

/* ---- writers ----------------------------------------------------------- */

static void write_header(uint8_t *p, unsigned fmt, uint8_t type, size_t len)
{
    p[0] = (uint8_t)(0x80 | (fmt & 0x1F));
    p[1] = type;
    wr16(p + 2, (uint16_t)(len / 4 - 1));
}

/* Cumulative loss is a signed 24-bit field: clamp, then two's complement. */
static void write_block(uint8_t *p, const veche_rtcp_report_block *b)
{
    int32_t lost = b->cumulative_lost;
    if (lost > 0x7FFFFF)
        lost = 0x7FFFFF;
    if (lost < -0x800000)
        lost = -0x800000;
    uint32_t wire = (uint32_t)lost & 0xFFFFFF;
    wr32(p, b->ssrc);
    p[4] = b->fraction_lost;
    p[5] = (uint8_t)(wire >> 16);
    p[6] = (uint8_t)(wire >> 8);
    p[7] = (uint8_t)wire;
    wr32(p + 8, b->ext_highest_seq);
    wr32(p + 12, b->jitter);
    wr32(p + 16, b->lsr);
    wr32(p + 20, b->dlsr);
}

static bool blocks_ok(const veche_rtcp_report_block *blocks, int n)
{
    return n >= 0 && n <= MAX_BLOCKS && (n == 0 || blocks);
}

/* VECHE_EINVAL when n_blocks is outside 0..31. */
int veche_rtcp_write_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp,
                        uint32_t rtp_ts, uint32_t packets, uint32_t octets,
                        const veche_rtcp_report_block *blocks, int n_blocks)
{
    if (!blocks_ok(blocks, n_blocks))
        return VECHE_EINVAL;
    size_t len = SR_LEN + (size_t)n_blocks * BLOCK_LEN;
    if (!buf || cap < len)
        return VECHE_ENOSPC;
    write_header(buf, (unsigned)n_blocks, VECHE_RTCP_SR, len);
    wr32(buf + 4, ssrc);
    wr32(buf + 8, (uint32_t)(ntp >> 32));
    wr32(buf + 12, (uint32_t)ntp);
    wr32(buf + 16, rtp_ts);
    wr32(buf + 20, packets);
    wr32(buf + 24, octets);
    for (int i = 0; i < n_blocks; i++)
        write_block(buf + SR_LEN + (size_t)i * BLOCK_LEN, &blocks[i]);
    return (int)len;
}

/* VECHE_EINVAL when n_blocks is outside 0..31. */
int veche_rtcp_write_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
                        const veche_rtcp_report_block *blocks, int n_blocks)
{
    if (!blocks_ok(blocks, n_blocks))
        return VECHE_EINVAL;
    size_t len = RR_LEN + (size_t)n_blocks * BLOCK_LEN;
    if (!buf || cap < len)
        return VECHE_ENOSPC;
    write_header(buf, (unsigned)n_blocks, VECHE_RTCP_RR, len);
    wr32(buf + 4, ssrc);
    for (int i = 0; i < n_blocks; i++)
        write_block(buf + RR_LEN + (size_t)i * BLOCK_LEN, &blocks[i]);
    return (int)len;
}

/* One chunk: SSRC, CNAME item (type 1, length, text), then the end item
 * (a zero byte) and zero padding to a 32-bit boundary.  VECHE_EINVAL for a
 * NULL cname or one longer than 255 bytes. */
int veche_rtcp_write_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc,
                                const char *cname)
{
    if (!cname)
        return VECHE_EINVAL;
    size_t n = strlen(cname);
    if (n > 255)
        return VECHE_EINVAL;
    size_t len = HEADER_LEN + ((4 + 2 + n + 1 + 3) & ~(size_t)3);
    if (!buf || cap < len)
        return VECHE_ENOSPC;
    memset(buf, 0, len);
    write_header(buf, 1, VECHE_RTCP_SDES, len);
    wr32(buf + 4, ssrc);
    buf[8] = 1;
    buf[9] = (uint8_t)n;
    memcpy(buf + 10, cname, n);
    return (int)len;
}

static int write_fb_header(uint8_t *buf, size_t cap, size_t len, unsigned fmt,
                           uint8_t type, uint32_t sender, uint32_t media)
{
    if (!buf || cap < len)
        return VECHE_ENOSPC;
    write_header(buf, fmt, type, len);
    wr32(buf + 4, sender);
    wr32(buf + 8, media);
    return (int)len;
}

int veche_rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                         uint32_t media_ssrc)
{
    return write_fb_header(buf, cap, FB_LEN, VECHE_RTCP_FMT_PLI,
                           VECHE_RTCP_PSFB, sender_ssrc, media_ssrc);
}

/* RFC 5104 section 4.3.1.2: the header's media SSRC is 0; the target SSRC
 * goes in the FCI entry. */
int veche_rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                         uint32_t media_ssrc, uint8_t seq_nr)
{
    int len = write_fb_header(buf, cap, FB_LEN + 8, VECHE_RTCP_FMT_FIR,
                              VECHE_RTCP_PSFB, sender_ssrc, 0);
    if (len < 0)
        return len;
    wr32(buf + FB_LEN, media_ssrc);
    buf[FB_LEN + 4] = seq_nr;
    memset(buf + FB_LEN + 5, 0, 3);
    return len;
}

/* ---- NACK packing ------------------------------------------------------ */

/* The set of sequence numbers to NACK as a bitmap over offsets from the
 * oldest one, so that sorting, duplicates and wraparound are one pass. */
typedef struct {
    uint64_t bits[NACK_SEQ_SPACE / 64];
} nack_set;

static void set_add(nack_set *s, uint32_t k)
{
    s->bits[k / 64] |= (uint64_t)1 << (k % 64);
}

static bool set_has(const nack_set *s, uint32_t k)
{
    return k < NACK_SEQ_SPACE && (s->bits[k / 64] >> (k % 64) & 1);
}

/* First offset >= from in the set, or NACK_SEQ_SPACE. */
static uint32_t set_next(const nack_set *s, uint32_t from)
{
    while (from < NACK_SEQ_SPACE) {
        uint64_t w = s->bits[from / 64] >> (from % 64);
        if (w == 0) {
            from = (from / 64 + 1) * 64;
            continue;
        }
        while (!(w & 1)) {
            w >>= 1;
            from++;
        }
        return from;
    }
    return NACK_SEQ_SPACE;
}

/* The oldest seq modulo 2^16: exact when the seqs span under 32768. */
static uint16_t oldest_seq(const uint16_t *seqs, int n)
{
    uint16_t oldest = seqs[0];
    for (int i = 1; i < n; i++)
        if (veche_rtp_seq_newer(oldest, seqs[i]))
            oldest = seqs[i];
    return oldest;
}

/* BLP for the 16 offsets after pid_off. */
static uint16_t set_blp(const nack_set *s, uint32_t pid_off)
{
    uint16_t blp = 0;
    for (uint32_t j = 0; j < 16; j++)
        if (set_has(s, pid_off + 1 + j))
            blp |= (uint16_t)(1u << j);
    return blp;
}

/* Writes PID/BLP words after the feedback header; returns the FCI length or
 * VECHE_ENOSPC. */
static int write_nack_fci(uint8_t *buf, size_t cap, const nack_set *s,
                          uint16_t base)
{
    size_t at = FB_LEN;
    for (uint32_t k = set_next(s, 0); k < NACK_SEQ_SPACE;
         k = set_next(s, k + 17)) {
        if (cap < at + 4)
            return VECHE_ENOSPC;
        wr16(buf + at, (uint16_t)(base + k));
        wr16(buf + at + 2, set_blp(s, k));
        at += 4;
    }
    return (int)(at - FB_LEN);
}

/* VECHE_EINVAL for n <= 0.  Sequence numbers are ordered from the oldest
 * (modulo 2^16), so 65534, 65535, 0, 1 make one PID/BLP pair. */
int veche_rtcp_write_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                          uint32_t media_ssrc, const uint16_t *seqs, int n)
{
    if (!seqs || n <= 0)
        return VECHE_EINVAL;
    if (!buf || cap < FB_LEN + 4)
        return VECHE_ENOSPC;
    nack_set set;
    memset(&set, 0, sizeof set);
    uint16_t base = oldest_seq(seqs, n);
    for (int i = 0; i < n; i++)
        set_add(&set, (uint16_t)(seqs[i] - base));
    int fci = write_nack_fci(buf, cap, &set, base);
    if (fci < 0)
        return fci;
    return write_fb_header(buf, cap, FB_LEN + (size_t)fci,
                           VECHE_RTCP_FMT_NACK, VECHE_RTCP_RTPFB,
                           sender_ssrc, media_ssrc);
}

/* ---- REMB -------------------------------------------------------------- */

/* Smallest exponent whose 18-bit mantissa holds the bitrate (rounded down). */
static void remb_encode(uint64_t bps, unsigned *exp, uint32_t *mantissa)
{
    unsigned e = 0;
    while ((bps >> e) >= (1u << 18))
        e++;
    *exp = e;
    *mantissa = (uint32_t)(bps >> e);
}

/* VECHE_EINVAL for n outside 0..255.  The header's media SSRC is 0. */
int veche_rtcp_write_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                          uint64_t bitrate_bps, const uint32_t *ssrcs, int n)
{
    if (n < 0 || n > 255 || (n > 0 && !ssrcs))
        return VECHE_EINVAL;
    int len = write_fb_header(buf, cap, FB_LEN + 8 + (size_t)n * 4,
                              VECHE_RTCP_FMT_AFB, VECHE_RTCP_PSFB,
                              sender_ssrc, 0);
    if (len < 0)
        return len;
    unsigned exp;
    uint32_t mantissa;
    remb_encode(bitrate_bps, &exp, &mantissa);
    uint8_t *p = buf + FB_LEN;
    memcpy(p, "REMB", 4);
    p[4] = (uint8_t)n;
    p[5] = (uint8_t)(exp << 2 | mantissa >> 16);
    wr16(p + 6, (uint16_t)mantissa);
    for (int i = 0; i < n; i++)
        wr32(p + 8 + (size_t)i * 4, ssrcs[i]);
    return len;
}
