/* nack.c - the gap tracker and NACK writer of nack.h.
 *
 * Each stream keeps its highest sequence number and a short list of the
 * missing ones with their next due time and tries.  The simulated loss only
 * ever drops a packet newer than everything seen, so a retransmission
 * (which is older by then) is never dropped.
 *
 * Does not: send anything (the caller sends what vpeer_nacker_write()
 * builds), or know which streams may be NACKed (the caller passes only
 * those).
 */
#include "nack.h"

#include <glib.h>

#include "err.h"
#include "rtcp.h"
#include "rtp.h"

#define MAX_GAP 200               /* a bigger jump is a restart */
#define MAX_MISSING 512           /* per stream; the oldest go first */
#define MAX_PER_NACK 128          /* sequence numbers per NACK packet */

typedef struct {
    uint16_t seq;
    uint8_t tries;
    int64_t due_us;
} missing;

typedef struct {
    uint32_t ssrc;
    bool started;
    uint16_t max;
    GArray *missing;              /* of missing, oldest first */
} stream;

struct vpeer_nacker {
    unsigned drop_per_mille;
    GHashTable *streams;          /* ssrc -> stream*, owned */
    vpeer_nack_stats stats;
};

static void stream_free(gpointer p)
{
    stream *s = p;
    g_array_unref(s->missing);
    g_free(s);
}

vpeer_nacker *vpeer_nacker_new(unsigned drop_per_mille)
{
    vpeer_nacker *n = g_new0(vpeer_nacker, 1);
    n->drop_per_mille = drop_per_mille > 500 ? 500 : drop_per_mille;
    n->streams = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       stream_free);
    return n;
}

void vpeer_nacker_free(vpeer_nacker *n)
{
    if (!n)
        return;
    g_hash_table_unref(n->streams);
    g_free(n);
}

static stream *get_stream(vpeer_nacker *n, uint32_t ssrc)
{
    stream *s = g_hash_table_lookup(n->streams, GUINT_TO_POINTER(ssrc));
    if (!s) {
        s = g_new0(stream, 1);
        s->ssrc = ssrc;
        s->missing = g_array_new(FALSE, FALSE, sizeof(missing));
        g_hash_table_insert(n->streams, GUINT_TO_POINTER(ssrc), s);
    }
    return s;
}

/* A well-mixed hash of (ssrc, seq) in 0..999. */
static unsigned per_mille(uint32_t ssrc, uint16_t seq)
{
    uint32_t x = ssrc ^ (seq * 0x9E3779B1u);
    x ^= x >> 16;
    x *= 0x85EBCA6Bu;
    x ^= x >> 13;
    x *= 0xC2B2AE35u;
    x ^= x >> 16;
    return x % 1000;
}

bool vpeer_nacker_simulate_drop(vpeer_nacker *n, uint32_t ssrc, uint16_t seq,
                                int64_t now_us)
{
    if (!n->drop_per_mille)
        return false;
    stream *s = get_stream(n, ssrc);
    if (!s->started || !veche_rtp_seq_newer(seq, s->max) ||
        per_mille(ssrc, seq) >= n->drop_per_mille)
        return false;
    n->stats.dropped++;
    return true;              /* the next arrival will find it missing */
}

static void add_missing(vpeer_nacker *n, stream *s, uint16_t seq,
                        int64_t now_us)
{
    if (s->missing->len >= MAX_MISSING) {
        g_array_remove_index(s->missing, 0);
        n->stats.given_up++;
    }
    missing m = { seq, 0, now_us };
    g_array_append_val(s->missing, m);
    n->stats.missing++;
}

void vpeer_nacker_on_packet(vpeer_nacker *n, uint32_t ssrc, uint16_t seq,
                            int64_t now_us)
{
    stream *s = get_stream(n, ssrc);
    if (!s->started) {
        s->started = true;
        s->max = seq;
        return;
    }
    if (veche_rtp_seq_newer(seq, s->max)) {
        uint16_t gap = (uint16_t)(seq - s->max);
        if (gap <= MAX_GAP)
            for (uint16_t k = 1; k < gap; k++)
                add_missing(n, s, (uint16_t)(s->max + k), now_us);
        else
            g_array_set_size(s->missing, 0);
        s->max = seq;
        return;
    }
    for (guint i = 0; i < s->missing->len; i++)
        if (g_array_index(s->missing, missing, i).seq == seq) {
            g_array_remove_index(s->missing, i);
            n->stats.recovered++;
            return;
        }
}

void vpeer_nacker_forget(vpeer_nacker *n, uint32_t ssrc)
{
    g_hash_table_remove(n->streams, GUINT_TO_POINTER(ssrc));
}

/* Collect the due sequence numbers of one stream (updating tries and due
 * times, dropping those asked for often enough) into seqs; returns count. */
static int collect_due(vpeer_nacker *n, stream *s, int64_t now_us,
                       uint16_t *seqs)
{
    int k = 0;
    for (guint i = 0; i < s->missing->len && k < MAX_PER_NACK;) {
        missing *m = &g_array_index(s->missing, missing, i);
        if (m->due_us > now_us) {
            i++;
            continue;
        }
        if (m->tries >= VPEER_NACK_TRIES) {
            g_array_remove_index(s->missing, i);
            n->stats.given_up++;
            continue;
        }
        m->tries++;
        m->due_us = now_us + VPEER_NACK_RETRY_US;
        seqs[k++] = m->seq;
        i++;
    }
    return k;
}

int vpeer_nacker_write(vpeer_nacker *n, uint32_t sender, int64_t now_us,
                       uint8_t *buf, size_t cap)
{
    size_t len = 0;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, n->streams);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        stream *s = value;
        uint16_t seqs[MAX_PER_NACK];
        int k = collect_due(n, s, now_us, seqs);
        if (k == 0)
            continue;
        int w = veche_rtcp_write_nack(buf + len, cap - len, sender, s->ssrc,
                                      seqs, k);
        if (w < 0)
            return len > 0 ? (int)len : w;
        len += (size_t)w;
        n->stats.requested += (uint64_t)k;
    }
    return (int)len;
}

const vpeer_nack_stats *vpeer_nacker_stats(const vpeer_nacker *n)
{
    return &n->stats;
}
