/* rtcp.h - RTCP compound packet codec (RFC 3550, RFC 4585, RFC 5104,
 * RFC 5506, draft-alvestrand-rmcat-remb).
 *
 * A wire codec only: no I/O, no allocation.  An iterator walks a compound
 * packet item by item; per-type decoders fill small structs that point into
 * the input; writers emit one packet each into a caller buffer and return its
 * length, so a caller can build a compound packet by appending.
 */
#ifndef VECHE_RTCP_H
#define VECHE_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    VECHE_RTCP_SR = 200,
    VECHE_RTCP_RR = 201,
    VECHE_RTCP_SDES = 202,
    VECHE_RTCP_BYE = 203,
    VECHE_RTCP_APP = 204,
    VECHE_RTCP_RTPFB = 205,    /* fmt 1 = generic NACK */
    VECHE_RTCP_PSFB = 206,     /* fmt 1 = PLI, 4 = FIR, 15 = AFB (REMB) */
    VECHE_RTCP_XR = 207,
};
enum { VECHE_RTCP_FMT_NACK = 1, VECHE_RTCP_FMT_PLI = 1,
       VECHE_RTCP_FMT_FIR = 4, VECHE_RTCP_FMT_AFB = 15 };

/* One packet inside a compound packet. */
typedef struct {
    uint8_t type;             /* packet type, 200..207 or other */
    uint8_t fmt;              /* the 5-bit count / FMT field */
    const uint8_t *data;      /* whole packet including 4-byte header */
    size_t len;               /* (length field + 1) * 4 */
} veche_rtcp_item;

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} veche_rtcp_iter;

void veche_rtcp_iter_init(veche_rtcp_iter *it, const uint8_t *buf, size_t len);
/* Returns 1 and fills *item, 0 at the end, or a negative code with
 * *err_desc set when the next item is malformed (iteration stops). */
int veche_rtcp_iter_next(veche_rtcp_iter *it, veche_rtcp_item *item,
                         const char **err_desc);

typedef struct {
    uint32_t ssrc;
    uint8_t fraction_lost;
    int32_t cumulative_lost;  /* signed 24-bit, sign-extended */
    uint32_t ext_highest_seq;
    uint32_t jitter;
    uint32_t lsr;
    uint32_t dlsr;
} veche_rtcp_report_block;

typedef struct {
    uint32_t ssrc;
    uint64_t ntp;             /* 32.32 fixed point */
    uint32_t rtp_ts;
    uint32_t packet_count;
    uint32_t octet_count;
    int n_blocks;
    const uint8_t *blocks;    /* n_blocks * 24 bytes */
} veche_rtcp_sr;

typedef struct {
    uint32_t ssrc;
    int n_blocks;
    const uint8_t *blocks;
} veche_rtcp_rr;

/* Transport- or payload-specific feedback (RFC 4585 section 6.1). */
typedef struct {
    uint32_t sender_ssrc;
    uint32_t media_ssrc;
    const uint8_t *fci;
    size_t fci_len;
} veche_rtcp_fb;

int veche_rtcp_parse_sr(const veche_rtcp_item *item, veche_rtcp_sr *out);
int veche_rtcp_parse_rr(const veche_rtcp_item *item, veche_rtcp_rr *out);
/* Decode report block i (0-based) of an SR/RR block array. */
void veche_rtcp_report_block_get(const uint8_t *blocks, int i,
                                 veche_rtcp_report_block *out);
int veche_rtcp_parse_fb(const veche_rtcp_item *item, veche_rtcp_fb *out);
/* Expand a generic NACK's FCI into sequence numbers.  Writes at most max and
 * returns how many were written, or a negative code. */
int veche_rtcp_nack_expand(const veche_rtcp_fb *fb, uint16_t *seqs, int max);
/* FIR entry i: target SSRC and command sequence number. Returns 0 or
 * VECHE_ENOTFOUND past the last entry. */
int veche_rtcp_fir_entry(const veche_rtcp_fb *fb, int i, uint32_t *ssrc,
                         uint8_t *seq_nr);
/* REMB: returns 0 and the bitrate and up to max SSRCs (count in *n). */
int veche_rtcp_parse_remb(const veche_rtcp_fb *fb, uint64_t *bitrate_bps,
                          uint32_t *ssrcs, int max, int *n);

/* Writers: each returns the bytes written, or VECHE_ENOSPC (buffer left
 * untouched beyond cap). */
int veche_rtcp_write_sr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t ntp,
                        uint32_t rtp_ts, uint32_t packets, uint32_t octets,
                        const veche_rtcp_report_block *blocks, int n_blocks);
int veche_rtcp_write_rr(uint8_t *buf, size_t cap, uint32_t ssrc,
                        const veche_rtcp_report_block *blocks, int n_blocks);
int veche_rtcp_write_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc,
                                const char *cname);
int veche_rtcp_write_pli(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                         uint32_t media_ssrc);
int veche_rtcp_write_fir(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                         uint32_t media_ssrc, uint8_t seq_nr);
/* Packs seqs (any order, duplicates allowed) into PID/BLP pairs. */
int veche_rtcp_write_nack(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                          uint32_t media_ssrc, const uint16_t *seqs, int n);
int veche_rtcp_write_remb(uint8_t *buf, size_t cap, uint32_t sender_ssrc,
                          uint64_t bitrate_bps, const uint32_t *ssrcs, int n);

#endif
