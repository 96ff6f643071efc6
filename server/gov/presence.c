/* presence.c - join/leave events to merged presence intervals.  See
 * presence.h for the rules. */
#include "presence.h"

#include <stdlib.h>

#include "err.h"

typedef struct {
    const veche_presence_event *ev;
    size_t index;               /* input position: the tie-breaker */
} ordered;

static int cmp_ordered(const void *a, const void *b)
{
    const ordered *x = a, *y = b;
    if (x->ev->ts_ms != y->ev->ts_ms)
        return x->ev->ts_ms < y->ev->ts_ms ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The set of joined connections: a small unsorted array. */
typedef struct {
    int64_t *ids;
    size_t n;
} conn_set;

static bool conn_find(const conn_set *s, int64_t id, size_t *at)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->ids[i] == id) {
            *at = i;
            return true;
        }
    return false;
}

/* Append iv to out, merging with the previous one across a short gap. */
static int emit(veche_presence_interval *out, size_t cap, size_t *n,
                veche_presence_interval iv, int64_t grace_ms)
{
    if (*n > 0) {
        veche_presence_interval *last = &out[*n - 1];
        int64_t gap;
        if (__builtin_sub_overflow(iv.start_ms, last->end_ms, &gap) == 0 &&
            gap <= grace_ms) {
            if (iv.end_ms > last->end_ms)
                last->end_ms = iv.end_ms;
            last->open = iv.open;
            return 0;
        }
    }
    if (*n == cap)
        return VECHE_ENOSPC;
    out[(*n)++] = iv;
    return 0;
}

/* One pass over the sorted events; conns has room for every event. */
static int walk(const ordered *ord, size_t n, int64_t grace_ms,
                conn_set *conns, veche_presence_interval *out, size_t cap)
{
    size_t count = 0;
    int64_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const veche_presence_event *e = ord[i].ev;
        size_t at;
        bool joined = conn_find(conns, e->conn_id, &at);
        if (e->kind == VECHE_PRESENCE_JOIN) {
            if (joined)
                continue;
            if (conns->n == 0)
                start = e->ts_ms;
            conns->ids[conns->n++] = e->conn_id;
        } else {
            if (!joined)
                continue;
            conns->ids[at] = conns->ids[--conns->n];
            if (conns->n > 0)
                continue;
            veche_presence_interval iv = { start, e->ts_ms, false };
            int r = emit(out, cap, &count, iv, grace_ms);
            if (r != 0)
                return r;
        }
    }
    if (conns->n > 0) {
        veche_presence_interval iv = { start, start, true };
        int r = emit(out, cap, &count, iv, grace_ms);
        if (r != 0)
            return r;
    }
    return (int)count;
}

int veche_presence_merge(const veche_presence_event *ev, size_t n,
                         int64_t grace_ms, veche_presence_interval *out,
                         size_t cap)
{
    if ((n > 0 && (!ev || (!out && cap > 0))) || grace_ms < 0 ||
        n > (size_t)INT32_MAX)
        return VECHE_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind != VECHE_PRESENCE_JOIN &&
            ev[i].kind != VECHE_PRESENCE_LEAVE)
            return VECHE_EINVAL;
    if (n == 0)
        return 0;
    ordered *ord = malloc(n * sizeof *ord);
    conn_set conns = { malloc(n * sizeof *conns.ids), 0 };
    int r = VECHE_ENOMEM;
    if (ord && conns.ids) {
        for (size_t i = 0; i < n; i++)
            ord[i] = (ordered){ &ev[i], i };
        qsort(ord, n, sizeof *ord, cmp_ordered);
        r = walk(ord, n, grace_ms, &conns, out, cap);
    }
    free(ord);
    free(conns.ids);
    return r;
}

int64_t veche_presence_total_ms(const veche_presence_interval *iv, size_t n,
                                int64_t now_ms)
{
    int64_t total = 0;
    for (size_t i = 0; iv && i < n; i++) {
        int64_t end = iv[i].open ? now_ms : iv[i].end_ms;
        if (end > iv[i].start_ms)
            total += end - iv[i].start_ms;
    }
    return total;
}
