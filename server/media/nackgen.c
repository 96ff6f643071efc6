/* nackgen.c - upstream NACK generator (RFC 4585 generic NACK); see
 * nackgen.h for the state machine and its invariant. */
#include "nackgen.h"

#include <stdlib.h>

#include "rtp.h"

#define WINDOW_MASK (VECHE_NACKGEN_WINDOW - 1)

typedef struct {
    uint64_t lost_ms;         /* when it was found missing */
    uint64_t sent_ms;         /* when the last NACK for it went out */
    uint16_t seq;
    uint8_t tries;            /* NACKs sent for it */
    bool pending;
} slot;

struct veche_nackgen {
    veche_nackgen_params params;
    bool started;
    uint16_t newest;          /* highest number received */
    uint16_t bad_seq;         /* RFC 3550 A.1: a far-older number + 1 */
    bool bad_seq_set;
    bool keyframe_wanted;
    unsigned n_pending;
    veche_nackgen_stats stats;
    slot slots[VECHE_NACKGEN_WINDOW];
};

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

veche_nackgen *veche_nackgen_new(const veche_nackgen_params *params)
{
    static const veche_nackgen_params defaults = VECHE_NACKGEN_DEFAULTS;
    veche_nackgen *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->params = params ? *params : defaults;
    g->params.max_gap = clamp(g->params.max_gap, 1, VECHE_NACKGEN_WINDOW / 2);
    g->params.max_retries = clamp(g->params.max_retries, 1, 255);
    g->params.retry_ms = clamp(g->params.retry_ms, 1, 10000);
    g->params.max_wait_ms = clamp(g->params.max_wait_ms, 1, 60000);
    return g;
}

void veche_nackgen_free(veche_nackgen *g)
{
    free(g);
}

static void give_up(veche_nackgen *g, slot *s)
{
    s->pending = false;
    g->n_pending--;
    g->stats.given_up++;
    g->keyframe_wanted = true;
}

static void forget_all(veche_nackgen *g)
{
    for (unsigned i = 0; i < VECHE_NACKGEN_WINDOW && g->n_pending; i++)
        if (g->slots[i].pending)
            give_up(g, &g->slots[i]);
}

static void restart(veche_nackgen *g, uint16_t seq)
{
    forget_all(g);
    g->newest = seq;
    g->bad_seq_set = false;
    g->keyframe_wanted = true;
    g->stats.resets++;
}

/* seq is newer than newest by d (1..max_gap): the numbers in between go
 * missing; a slot they reuse that is still missing fell out of the window. */
static veche_nackgen_result advance(veche_nackgen *g, uint16_t seq, unsigned d,
                                    uint64_t now_ms)
{
    for (unsigned i = 1; i <= d; i++) {
        uint16_t n = (uint16_t)(g->newest + i);
        slot *s = &g->slots[n & WINDOW_MASK];
        if (s->pending)
            give_up(g, s);
        if (n == seq)
            break;
        *s = (slot){ .lost_ms = now_ms, .seq = n, .pending = true };
        g->n_pending++;
        g->stats.missing++;
    }
    g->newest = seq;
    return d == 1 ? VECHE_NACKGEN_IN_ORDER : VECHE_NACKGEN_GAP;
}

/* seq is older than newest by d. */
static veche_nackgen_result older(veche_nackgen *g, uint16_t seq, unsigned d)
{
    slot *s = &g->slots[seq & WINDOW_MASK];
    if (d < VECHE_NACKGEN_WINDOW && s->pending && s->seq == seq) {
        s->pending = false;
        g->n_pending--;
        g->stats.repaired++;
        return VECHE_NACKGEN_REPAIRED;
    }
    if (d > g->params.max_gap) {
        /* Far behind: a stray packet, or the sender restarted its
         * numbers; two in a row (seq, seq + 1) mean a restart. */
        if (g->bad_seq_set && seq == g->bad_seq) {
            restart(g, seq);
            return VECHE_NACKGEN_RESET;
        }
        g->bad_seq = (uint16_t)(seq + 1);
        g->bad_seq_set = true;
    }
    return VECHE_NACKGEN_OLD;
}

veche_nackgen_result veche_nackgen_on_packet(veche_nackgen *g, uint16_t seq,
                                             uint64_t now_ms)
{
    if (!g->started) {
        g->started = true;
        g->newest = seq;
        return VECHE_NACKGEN_FIRST;
    }
    if (seq == g->newest)
        return VECHE_NACKGEN_OLD;
    if (!veche_rtp_seq_newer(seq, g->newest))
        return older(g, seq, (uint16_t)(g->newest - seq));
    g->bad_seq_set = false;
    unsigned d = (uint16_t)(seq - g->newest);
    if (d > g->params.max_gap) {
        restart(g, seq);
        return VECHE_NACKGEN_RESET;
    }
    return advance(g, seq, d, now_ms);
}

/* Whether s is to be given up at now_ms. */
static bool expired(const veche_nackgen *g, const slot *s, uint64_t now_ms)
{
    if (now_ms - s->lost_ms >= g->params.max_wait_ms)
        return true;
    return s->tries >= g->params.max_retries &&
           now_ms - s->sent_ms >= g->params.retry_ms;
}

int veche_nackgen_due(veche_nackgen *g, uint64_t now_ms, uint16_t *seqs,
                      int max, bool *keyframe)
{
    int n = 0;
    /* Oldest first: newest - WINDOW + 1 .. newest - 1. */
    for (unsigned i = 1; i < VECHE_NACKGEN_WINDOW && g->n_pending; i++) {
        uint16_t seq = (uint16_t)(g->newest - VECHE_NACKGEN_WINDOW + i);
        slot *s = &g->slots[seq & WINDOW_MASK];
        if (!s->pending || s->seq != seq)
            continue;
        if (expired(g, s, now_ms)) {
            give_up(g, s);
            continue;
        }
        if (n >= max || s->tries >= g->params.max_retries ||
            (s->tries > 0 && now_ms - s->sent_ms < g->params.retry_ms))
            continue;
        seqs[n++] = seq;
        s->tries++;
        s->sent_ms = now_ms;
        g->stats.nacked++;
    }
    *keyframe = g->keyframe_wanted;
    if (g->keyframe_wanted)
        g->stats.keyframes++;
    g->keyframe_wanted = false;
    return n;
}

bool veche_nackgen_pending(const veche_nackgen *g, uint16_t seq)
{
    const slot *s = &g->slots[seq & WINDOW_MASK];
    return s->pending && s->seq == seq;
}

unsigned veche_nackgen_n_pending(const veche_nackgen *g)
{
    return g->n_pending;
}

const veche_nackgen_stats *veche_nackgen_get_stats(const veche_nackgen *g)
{
    return &g->stats;
}
