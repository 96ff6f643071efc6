/* attdelta.c - coalescing of attendance changes (attdelta.h).
 *
 * Invariants: every person in `order` has one entry in `seen`; `changed`
 * counts the entries whose heard != now. */
#include "attdelta.h"

#include <glib.h>

typedef struct {
    int64_t person_id;
    bool heard;                   /* what the recipient was last told */
    bool now;
} entry;

struct veche_attdelta {
    GHashTable *seen;             /* int64 person_id (in the entry) -> entry* */
    GPtrArray *order;             /* entry*, owned, in order of first note */
    size_t changed;
};

veche_attdelta *veche_attdelta_new(void)
{
    veche_attdelta *d = g_new0(veche_attdelta, 1);
    d->seen = g_hash_table_new(g_int64_hash, g_int64_equal);
    d->order = g_ptr_array_new_with_free_func(g_free);
    return d;
}

void veche_attdelta_free(veche_attdelta *d)
{
    if (!d)
        return;
    g_hash_table_destroy(d->seen);
    g_ptr_array_free(d->order, TRUE);
    g_free(d);
}

void veche_attdelta_note(veche_attdelta *d, int64_t person_id, bool was_present,
                         bool now_present)
{
    if (!d || was_present == now_present)
        return;
    entry *e = g_hash_table_lookup(d->seen, &person_id);
    if (!e) {
        e = g_new(entry, 1);
        e->person_id = person_id;
        e->heard = e->now = was_present;
        g_ptr_array_add(d->order, e);
        g_hash_table_insert(d->seen, &e->person_id, e);
    }
    bool before = e->heard != e->now;
    e->now = now_present;
    bool after = e->heard != e->now;
    d->changed += (size_t)after - (size_t)before;
}

size_t veche_attdelta_pending(const veche_attdelta *d)
{
    return d ? d->changed : 0;
}

void veche_attdelta_take(veche_attdelta *d, int64_t *joined, size_t *n_joined, int64_t *left,
                         size_t *n_left, size_t cap)
{
    *n_joined = *n_left = 0;
    if (!d)
        return;
    for (guint i = 0; i < d->order->len; i++) {
        const entry *e = g_ptr_array_index(d->order, i);
        if (e->heard == e->now)
            continue;
        if (e->now && *n_joined < cap)
            joined[(*n_joined)++] = e->person_id;
        else if (!e->now && *n_left < cap)
            left[(*n_left)++] = e->person_id;
    }
    g_hash_table_remove_all(d->seen);
    g_ptr_array_set_size(d->order, 0);
    d->changed = 0;
}
