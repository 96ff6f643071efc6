/* attendance.c - snapshot and coalesced deltas of attendance to an
 * event's moderators (attendance.h).
 *
 *   subscribe --> snapshot (seq 0) --> [changes noted] --timer, not busy,
 *                                       interval passed--> delta (seq+1)
 *
 * Invariants: every recipient is in `recipients` and in its event's list
 * in `events`; the timer is armed while some recipient has something
 * unsent (changes, or a quorum it has not heard).
 */
#include "attendance.h"

#include "attdelta.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    void *to;
    int64_t event_id;
    veche_attdelta *delta;
    uint64_t seq;                 /* of the last message sent */
    int64_t last_us;              /* when it was sent */
    bool counts_dirty;            /* counts changed since then */
    char quorum[96];              /* the last quorum sent, as text */
} recipient;

struct veche_attfan {
    veche_attfan_hooks hooks;
    void *ud;
    const veche_roll *roll;
    GMainContext *ctx;
    unsigned interval_ms;
    GHashTable *recipients;       /* to -> recipient*, owned */
    GHashTable *events;           /* int64 event id (in a recipient) -> GPtrArray of recipient* */
    GSource *timer;
};

static void recipient_free(gpointer data)
{
    recipient *r = data;
    veche_attdelta_free(r->delta);
    g_free(r);
}

veche_attfan *veche_attfan_new(const veche_attfan_hooks *hooks, void *ud, const veche_roll *roll,
                               GMainContext *ctx, unsigned interval_ms)
{
    veche_attfan *f = g_new0(veche_attfan, 1);
    f->hooks = *hooks;
    f->ud = ud;
    f->roll = roll;
    f->ctx = ctx;
    f->interval_ms = interval_ms ? interval_ms : VECHE_ATTENDANCE_INTERVAL_MS;
    f->recipients = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, recipient_free);
    f->events = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify)g_ptr_array_unref);
    return f;
}

static void timer_stop(veche_attfan *f)
{
    if (f->timer) {
        g_source_destroy(f->timer);
        g_source_unref(f->timer);
        f->timer = NULL;
    }
}

void veche_attfan_free(veche_attfan *f)
{
    if (!f)
        return;
    timer_stop(f);
    g_hash_table_destroy(f->events);
    g_hash_table_destroy(f->recipients);
    g_free(f);
}

/* The quorum of the recipient's event if it changed since it was last
 * sent to it (new reference), else NULL. */
static json_t *quorum_if_new(veche_attfan *f, recipient *r)
{
    json_t *q = veche_roll_quorum_msg(f->roll, r->event_id);
    char *text = q ? json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    bool same = !text || strcmp(text, r->quorum) == 0;
    if (text)
        g_strlcpy(r->quorum, text, sizeof r->quorum);
    free(text);
    if (same) {
        json_decref(q);
        return NULL;
    }
    return q;
}

static json_t *counts_msg(veche_attfan *f, recipient *r, const char *type)
{
    unsigned present = 0, total = 0;
    veche_roll_counts(f->roll, r->event_id, &present, &total);
    return json_pack("{s:s, s:i, s:I, s:I, s:i, s:i}", "type", type,
                     "v", VECHE_ATTENDANCE_VERSION, "event", (json_int_t)r->event_id,
                     "seq", (json_int_t)r->seq, "present", (int)present, "total", (int)total);
}

static void send_snapshot(veche_attfan *f, recipient *r)
{
    json_t *msg = counts_msg(f, r, "attendance");
    json_t *people = veche_roll_present_json(f->roll, r->event_id);
    json_object_set_new(msg, "people", people ? people : json_array());
    char url[64];
    snprintf(url, sizeof url, "/api/events/%lld/roll", (long long)r->event_id);
    json_object_set_new(msg, "rosterUrl", json_string(url));
    f->hooks.send(f->ud, r->to, msg);
    json_t *q = quorum_if_new(f, r);
    if (q)
        f->hooks.send(f->ud, r->to, q);
    r->last_us = g_get_monotonic_time();
}

/* The recipient's delta: the net changes since its last message. */
static void send_delta(veche_attfan *f, recipient *r)
{
    size_t cap = veche_attdelta_pending(r->delta);
    int64_t *joined = g_new(int64_t, cap + 1), *left = g_new(int64_t, cap + 1);
    size_t nj, nl;
    veche_attdelta_take(r->delta, joined, &nj, left, &nl, cap);
    r->seq++;
    json_t *msg = counts_msg(f, r, "attendance-delta");
    json_t *jl = json_array(), *ll = json_array();
    for (size_t i = 0; i < nj; i++) {
        json_t *row = veche_roll_person_json(f->roll, r->event_id, joined[i]);
        if (row)
            json_array_append_new(jl, row);
    }
    for (size_t i = 0; i < nl; i++)
        json_array_append_new(ll, json_integer(left[i]));
    json_object_set_new(msg, "joined", jl);
    json_object_set_new(msg, "left", ll);
    json_t *q = quorum_if_new(f, r);
    if (q)
        json_object_set(msg, "quorum", q);
    f->hooks.send(f->ud, r->to, msg);
    if (q)
        f->hooks.send(f->ud, r->to, q);
    r->counts_dirty = false;
    r->last_us = g_get_monotonic_time();
    g_free(joined);
    g_free(left);
}

static bool due(const recipient *r)
{
    return r->counts_dirty || veche_attdelta_pending(r->delta) > 0;
}

static void arm(veche_attfan *f);

/* Send every due delta whose recipient is not busy and whose interval has
 * passed (force: ignore the interval); re-arm while something waits. */
static void flush(veche_attfan *f, bool force)
{
    int64_t now = g_get_monotonic_time();
    bool waiting = false;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, f->recipients);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        recipient *r = value;
        if (!due(r))
            continue;
        if ((!force && now - r->last_us < (int64_t)f->interval_ms * 1000) ||
            f->hooks.busy(f->ud, r->to)) {
            waiting = true;
            continue;
        }
        send_delta(f, r);
    }
    if (waiting)
        arm(f);
}

static gboolean on_timer(gpointer ud)
{
    veche_attfan *f = ud;
    g_source_unref(f->timer);
    f->timer = NULL;
    flush(f, false);
    return G_SOURCE_REMOVE;
}

static void arm(veche_attfan *f)
{
    if (f->timer)
        return;
    f->timer = g_timeout_source_new(f->interval_ms);
    g_source_set_callback(f->timer, on_timer, f, NULL);
    g_source_attach(f->timer, f->ctx);
}

void veche_attfan_flush(veche_attfan *f)
{
    if (f)
        flush(f, true);
}

void veche_attfan_subscribe(veche_attfan *f, int64_t event_id, void *to)
{
    if (!f || !to)
        return;
    veche_attfan_unsubscribe(f, to);
    recipient *r = g_new0(recipient, 1);
    r->to = to;
    r->event_id = event_id;
    r->delta = veche_attdelta_new();
    g_hash_table_insert(f->recipients, to, r);
    GPtrArray *list = g_hash_table_lookup(f->events, &event_id);
    if (!list) {
        list = g_ptr_array_new();
        g_hash_table_insert(f->events, g_memdup2(&event_id, sizeof event_id), list);
    }
    g_ptr_array_add(list, r);
    send_snapshot(f, r);
}

void veche_attfan_unsubscribe(veche_attfan *f, void *to)
{
    recipient *r = f && to ? g_hash_table_lookup(f->recipients, to) : NULL;
    if (!r)
        return;
    int64_t event_id = r->event_id;
    GPtrArray *list = g_hash_table_lookup(f->events, &event_id);
    if (list) {
        g_ptr_array_remove_fast(list, r);
        if (list->len == 0)
            g_hash_table_remove(f->events, &event_id);
    }
    g_hash_table_remove(f->recipients, to);
}

void veche_attfan_changed(veche_attfan *f, int64_t event_id, int64_t person_id, bool was,
                          bool now)
{
    GPtrArray *list = f ? g_hash_table_lookup(f->events, &event_id) : NULL;
    if (!list || was == now)
        return;
    for (guint i = 0; i < list->len; i++) {
        recipient *r = g_ptr_array_index(list, i);
        veche_attdelta_note(r->delta, person_id, was, now);
        r->counts_dirty = true;
    }
    arm(f);
}
