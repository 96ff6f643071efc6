/* txqueue.c - a WebSocket's send queue with essential and replaceable
 * messages (txqueue.h).
 *
 * Invariants:
 *   1. msgs holds every unsent message in send order.
 *   2. by_key maps each replaceable message's key to its node in msgs;
 *      there is at most one unsent message per key.
 *   3. essential holds the nodes of the essential messages, oldest first,
 *      so the oldest essential time is its head (messages leave only from
 *      the head of msgs, and essential ones never move).
 *   4. ess_bytes / all_bytes are the sums of len over essential / all.
 */
#include "txqueue.h"

#include <glib.h>
#include <string.h>

struct veche_txq {
    size_t headroom;
    GQueue msgs;          /* of veche_txq_msg*, owned */
    GQueue essential;     /* of GList* nodes of msgs */
    GHashTable *by_key;   /* key (in the msg) -> GList* node of msgs */
    size_t ess_bytes, all_bytes;
};

veche_txq *veche_txq_new(size_t headroom)
{
    veche_txq *q = g_new0(veche_txq, 1);
    q->headroom = headroom;
    g_queue_init(&q->msgs);
    g_queue_init(&q->essential);
    q->by_key = g_hash_table_new(g_str_hash, g_str_equal);
    return q;
}

void veche_txq_clear(veche_txq *q)
{
    veche_txq_msg *m;
    if (!q)
        return;
    g_hash_table_remove_all(q->by_key);
    g_queue_clear(&q->essential);
    while ((m = g_queue_pop_head(&q->msgs)))
        g_free(m);
    q->ess_bytes = q->all_bytes = 0;
}

void veche_txq_free(veche_txq *q)
{
    if (!q)
        return;
    veche_txq_clear(q);
    g_hash_table_destroy(q->by_key);
    g_free(q);
}

static veche_txq_msg *msg_new(const veche_txq *q, const char *text, size_t len,
                              const char *key, int64_t now_us)
{
    veche_txq_msg *m = g_malloc(sizeof *m + q->headroom + len);
    m->len = len;
    m->queued_us = now_us;
    g_strlcpy(m->key, key ? key : "", sizeof m->key);
    if (len)
        memcpy(m->buf + q->headroom, text, len);
    return m;
}

int veche_txq_push(veche_txq *q, const char *text, size_t len, const char *key,
                   int64_t now_us)
{
    veche_txq_msg *m = msg_new(q, text, len, key, now_us);
    q->all_bytes += len;
    if (!m->key[0]) {
        q->ess_bytes += len;
        g_queue_push_tail(&q->msgs, m);
        g_queue_push_tail(&q->essential, q->msgs.tail);
        return 0;
    }
    GList *node = g_hash_table_lookup(q->by_key, m->key);
    if (node) {  /* the newer state takes the older one's place */
        veche_txq_msg *old = node->data;
        q->all_bytes -= old->len;
        g_hash_table_remove(q->by_key, old->key);
        g_free(old);
        node->data = m;
        g_hash_table_insert(q->by_key, m->key, node);
        return 1;
    }
    g_queue_push_tail(&q->msgs, m);
    g_hash_table_insert(q->by_key, m->key, q->msgs.tail);
    return 0;
}

veche_txq_msg *veche_txq_pop(veche_txq *q)
{
    veche_txq_msg *m = q ? g_queue_pop_head(&q->msgs) : NULL;
    if (!m)
        return NULL;
    q->all_bytes -= m->len;
    if (m->key[0]) {
        g_hash_table_remove(q->by_key, m->key);
    } else {
        q->ess_bytes -= m->len;
        g_queue_pop_head(&q->essential);
    }
    return m;
}

bool veche_txq_has(const veche_txq *q, const char *key)
{
    return q && key && key[0] && g_hash_table_contains(q->by_key, key);
}

bool veche_txq_empty(const veche_txq *q)
{
    return !q || q->msgs.length == 0;
}

size_t veche_txq_count(const veche_txq *q)
{
    return q ? q->msgs.length : 0;
}

size_t veche_txq_essential_bytes(const veche_txq *q)
{
    return q ? q->ess_bytes : 0;
}

size_t veche_txq_bytes(const veche_txq *q)
{
    return q ? q->all_bytes : 0;
}

int64_t veche_txq_oldest_essential_us(const veche_txq *q)
{
    GList *node = q && q->essential.head ? q->essential.head->data : NULL;
    return node ? ((veche_txq_msg *)node->data)->queued_us : -1;
}
