/* rtxbuf.c - per-track retransmission buffer: a ring of fixed-size slots
 * indexed by RTP sequence number modulo the ring size (RFC 4585 NACK
 * answering; the RTX wrapping of RFC 4588 is the caller's job).
 *
 * Invariants: the slot count is a power of two between 16 and 65536 (more
 * would never be used: seq has 16 bits); a slot is either empty (len 0) or
 * holds the packet whose seq it records.  One allocation in _new(), none
 * afterwards.
 *
 * Does not: protect (SRTP) packets, or track which packets were already
 * resent.
 */
#include "rtxbuf.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rtp.h"

#define MIN_SLOTS 16u
#define MAX_SLOTS 65536u

typedef struct {
    uint64_t stored_ms;
    uint16_t seq;
    uint16_t len;             /* 0: empty */
    uint8_t data[VECHE_RTP_MAX_PACKET];
} rtx_slot;

struct veche_rtxbuf {
    unsigned mask;            /* slots - 1 */
    rtx_slot slots[];
};

static unsigned round_slots(unsigned slots)
{
    unsigned n = MIN_SLOTS;
    while (n < slots && n < MAX_SLOTS)
        n <<= 1;
    return n;
}

/* Slots above 65536 are clamped to 65536.  Free with veche_rtxbuf_free(). */
veche_rtxbuf *veche_rtxbuf_new(unsigned slots)
{
    unsigned n = round_slots(slots);
    veche_rtxbuf *b = calloc(1, sizeof *b + (size_t)n * sizeof(rtx_slot));
    if (!b)
        return NULL;
    b->mask = n - 1;
    return b;
}

void veche_rtxbuf_free(veche_rtxbuf *b)
{
    free(b);
}

/* Returns 0, VECHE_EINVAL for an empty packet, VECHE_ENOSPC for one longer
 * than VECHE_RTP_MAX_PACKET (the buffer is then unchanged). */
int veche_rtxbuf_put(veche_rtxbuf *b, uint16_t seq, const uint8_t *pkt,
                     size_t len, uint64_t now_ms)
{
    if (!pkt || len == 0)
        return VECHE_EINVAL;
    if (len > VECHE_RTP_MAX_PACKET)
        return VECHE_ENOSPC;
    rtx_slot *s = &b->slots[seq & b->mask];
    memcpy(s->data, pkt, len);
    s->len = (uint16_t)len;
    s->seq = seq;
    s->stored_ms = now_ms;
    return 0;
}

int veche_rtxbuf_get(const veche_rtxbuf *b, uint16_t seq, uint64_t now_ms,
                     uint64_t max_age_ms, const uint8_t **pkt, size_t *len)
{
    const rtx_slot *s = &b->slots[seq & b->mask];
    if (s->len == 0 || s->seq != seq)
        return VECHE_ENOTFOUND;
    if (now_ms > s->stored_ms && now_ms - s->stored_ms > max_age_ms)
        return VECHE_ENOTFOUND;
    *pkt = s->data;
    *len = s->len;
    return 0;
}

bool veche_rtxbuf_gone(const veche_rtxbuf *b, uint16_t seq, uint64_t now_ms,
                       uint64_t max_age_ms)
{
    const rtx_slot *s = &b->slots[seq & b->mask];
    if (s->len == 0)
        return false;
    if (s->seq == seq)
        return now_ms > s->stored_ms && now_ms - s->stored_ms > max_age_ms;
    return veche_rtp_seq_newer(s->seq, seq);
}
