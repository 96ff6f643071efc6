/* fuzz_rtcp.c - libFuzzer target for the RTCP codec: iterate a compound
 * packet and give every item to every decoder.  Decoded SR, RR, FIR, PLI,
 * NACK and REMB are also re-encoded with the writers: SR and RR must give
 * back the same bytes, FIR/PLI the same fields, NACK the same sequence
 * number set and REMB the same bitrate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtcp.h"

#define MAX_SEQS 4096

static void check_blocks(const veche_rtcp_item *item, const uint8_t *blocks,
                         int n)
{
    if (blocks + (size_t)n * 24 > item->data + item->len)
        abort();
    for (int i = 0; i < n; i++) {
        veche_rtcp_report_block b;
        veche_rtcp_report_block_get(blocks, i, &b);
        if (b.cumulative_lost > 0x7fffff || b.cumulative_lost < -0x800000)
            abort();
    }
}

/* 65536-bit set of sequence numbers. */
static void seq_set(uint8_t *set, const uint16_t *seqs, int n)
{
    memset(set, 0, 8192);
    for (int i = 0; i < n; i++)
        set[seqs[i] >> 3] |= (uint8_t)(1u << (seqs[i] & 7));
}

static void nack_round_trip(const veche_rtcp_fb *fb)
{
    static const int max = MAX_SEQS;
    uint16_t seqs[MAX_SEQS], again[MAX_SEQS];
    uint8_t buf[12 + 4 * MAX_SEQS], a[8192], b[8192];
    int n = veche_rtcp_nack_expand(fb, seqs, max);
    if (n <= 0 || n == max)
        return;
    int len = veche_rtcp_write_nack(buf, sizeof buf, 1, 2, seqs, n);
    if (len < 16)
        abort();
    veche_rtcp_fb fb2 = { 1, 2, buf + 12, (size_t)len - 12 };
    int m = veche_rtcp_nack_expand(&fb2, again, max);
    seq_set(a, seqs, n);
    seq_set(b, again, m);
    if (m <= 0 || m > n || memcmp(a, b, sizeof a) != 0)
        abort();
}

static void remb_round_trip(const veche_rtcp_fb *fb)
{
    uint64_t bps, bps2;
    uint32_t ssrcs[255], ssrcs2[255];
    int n, n2;
    uint8_t buf[20 + 4 * 255];
    if (veche_rtcp_parse_remb(fb, &bps, ssrcs, 255, &n) != 0)
        return;
    int len = veche_rtcp_write_remb(buf, sizeof buf, 1, bps, ssrcs, n);
    veche_rtcp_fb fb2 = { 1, 0, buf + 12, (size_t)len - 12 };
    if (len < 20 || veche_rtcp_parse_remb(&fb2, &bps2, ssrcs2, 255, &n2) != 0)
        abort();
    if (n2 != n || memcmp(ssrcs, ssrcs2, sizeof ssrcs[0] * (size_t)n) != 0)
        abort();
    if (bps != UINT64_MAX && bps2 != bps)
        abort();
}

static void fir_round_trip(const veche_rtcp_fb *fb, uint32_t ssrc,
                           uint8_t seq_nr)
{
    uint8_t buf[20];
    veche_rtcp_fb fb2 = { 0, 0, buf + 12, 8 };
    uint32_t ssrc2;
    uint8_t seq2;
    if (veche_rtcp_write_fir(buf, sizeof buf, fb->sender_ssrc, ssrc,
                             seq_nr) != 20 ||
        veche_rtcp_fir_entry(&fb2, 0, &ssrc2, &seq2) != 0 || ssrc2 != ssrc ||
        seq2 != seq_nr)
        abort();
}

static void pli_round_trip(const veche_rtcp_fb *fb)
{
    uint8_t buf[12];
    veche_rtcp_iter it;
    veche_rtcp_item item;
    veche_rtcp_fb fb2;
    if (veche_rtcp_write_pli(buf, sizeof buf, fb->sender_ssrc,
                             fb->media_ssrc) != 12)
        abort();
    veche_rtcp_iter_init(&it, buf, sizeof buf);
    if (veche_rtcp_iter_next(&it, &item, NULL) != 1 ||
        veche_rtcp_parse_fb(&item, &fb2) != 0 ||
        fb2.sender_ssrc != fb->sender_ssrc ||
        fb2.media_ssrc != fb->media_ssrc || fb2.fci_len != 0)
        abort();
}

static void check_fb(const veche_rtcp_item *item)
{
    veche_rtcp_fb fb;
    if (veche_rtcp_parse_fb(item, &fb) != 0)
        return;
    if (fb.fci + fb.fci_len > item->data + item->len)
        abort();
    nack_round_trip(&fb);
    uint32_t ssrc;
    uint8_t seq_nr;
    for (int i = 0; veche_rtcp_fir_entry(&fb, i, &ssrc, &seq_nr) == 0; i++)
        fir_round_trip(&fb, ssrc, seq_nr);
    pli_round_trip(&fb);
    remb_round_trip(&fb);
}

/* Decode the report blocks into structs and write the packet again; the
 * bytes after the first must match (the P bit and length may differ). */
static void sr_rr_round_trip(const veche_rtcp_item *item, const uint8_t *blocks,
                             int n, const veche_rtcp_sr *sr, uint32_t rr_ssrc)
{
    veche_rtcp_report_block b[31];
    uint8_t buf[28 + 31 * 24];
    for (int i = 0; i < n; i++)
        veche_rtcp_report_block_get(blocks, i, &b[i]);
    int len = sr ? veche_rtcp_write_sr(buf, sizeof buf, sr->ssrc, sr->ntp,
                                       sr->rtp_ts, sr->packet_count,
                                       sr->octet_count, b, n)
                 : veche_rtcp_write_rr(buf, sizeof buf, rr_ssrc, b, n);
    if (len < 8 || (size_t)len > item->len ||
        memcmp(buf + 4, item->data + 4, (size_t)len - 4) != 0 ||
        (buf[0] & 0x1f) != item->fmt || buf[1] != item->type)
        abort();
}

static void check_item(const veche_rtcp_item *item)
{
    veche_rtcp_sr sr;
    veche_rtcp_rr rr;
    if (veche_rtcp_parse_sr(item, &sr) == 0) {
        check_blocks(item, sr.blocks, sr.n_blocks);
        sr_rr_round_trip(item, sr.blocks, sr.n_blocks, &sr, 0);
    }
    if (veche_rtcp_parse_rr(item, &rr) == 0) {
        check_blocks(item, rr.blocks, rr.n_blocks);
        sr_rr_round_trip(item, rr.blocks, rr.n_blocks, NULL, rr.ssrc);
    }
    check_fb(item);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    veche_rtcp_iter it;
    veche_rtcp_item item;
    const char *err = NULL;
    int r;
    veche_rtcp_iter_init(&it, data, size);
    while ((r = veche_rtcp_iter_next(&it, &item, &err)) > 0) {
        if (item.data < data || item.data + item.len > data + size)
            abort();
        check_item(&item);
    }
    if (r < 0 && !err)
        abort();
    return 0;
}
