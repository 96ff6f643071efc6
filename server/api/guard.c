/* guard.c - failed sign-in counting with lockout in a bounded table: a
 * GHashTable by key and a GQueue in least recently used order.  See
 * guard.h. */
#include "guard.h"

#include <glib.h>
#include <string.h>

typedef struct {
    char *key;
    unsigned count;               /* failures in the window */
    int64_t window_start;         /* time of the first of them */
    int64_t locked_until;         /* 0: not locked */
    GList link;                   /* in g->lru, data = this entry */
} entry;

struct veche_guard {
    unsigned limit;
    int64_t window;
    size_t capacity;
    GHashTable *by_key;           /* key -> entry (owned here) */
    GQueue lru;                   /* head: used least recently */
};

static void entry_free(gpointer p)
{
    entry *e = p;
    g_free(e->key);
    g_free(e);
}

veche_guard *veche_guard_new(unsigned limit, int64_t window, size_t capacity)
{
    veche_guard *g = g_new0(veche_guard, 1);
    g->limit = limit ? limit : 1;
    g->window = window > 0 ? window : 1;
    g->capacity = capacity ? capacity : 1;
    g->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
    g_queue_init(&g->lru);
    return g;
}

void veche_guard_free(veche_guard *g)
{
    if (!g)
        return;
    g_hash_table_destroy(g->by_key);
    g_free(g);
}

static void drop(veche_guard *g, entry *e)
{
    g_queue_unlink(&g->lru, &e->link);
    g_hash_table_remove(g->by_key, e->key);
}

bool veche_guard_locked(veche_guard *g, const char *key, int64_t now, int64_t *retry_after)
{
    entry *e = g && key ? g_hash_table_lookup(g->by_key, key) : NULL;
    if (!e || !e->locked_until || now >= e->locked_until)
        return false;
    if (retry_after)
        *retry_after = e->locked_until - now;
    return true;
}

void veche_guard_fail(veche_guard *g, const char *key, int64_t now)
{
    if (!g || !key)
        return;
    entry *e = g_hash_table_lookup(g->by_key, key);
    if (e) {
        g_queue_unlink(&g->lru, &e->link);
    } else {
        while (g_hash_table_size(g->by_key) >= g->capacity && g->lru.head)
            drop(g, g->lru.head->data);
        e = g_new0(entry, 1);
        e->key = g_strdup(key);
        e->link.data = e;
        e->window_start = now;
        g_hash_table_insert(g->by_key, e->key, e);
    }
    g_queue_push_tail_link(&g->lru, &e->link);
    if (e->locked_until && now >= e->locked_until)
        e->locked_until = 0, e->count = 0, e->window_start = now;  /* served its time */
    if (now - e->window_start >= g->window)
        e->count = 0, e->window_start = now;
    if (e->count < G_MAXUINT)
        e->count++;
    if (e->count >= g->limit && !e->locked_until)
        e->locked_until = now + g->window;
}

void veche_guard_undo(veche_guard *g, const char *key)
{
    entry *e = g && key ? g_hash_table_lookup(g->by_key, key) : NULL;
    if (!e)
        return;
    if (e->count)
        e->count--;
    if (e->count < g->limit)
        e->locked_until = 0;
}

void veche_guard_clear(veche_guard *g, const char *key)
{
    entry *e = g && key ? g_hash_table_lookup(g->by_key, key) : NULL;
    if (e)
        drop(g, e);
}

size_t veche_guard_size(const veche_guard *g)
{
    return g ? g_hash_table_size(g->by_key) : 0;
}

void veche_guard_email_key(const char *email, char *out, size_t cap)
{
    const char *s = email ? email : "";
    size_t n = strlen(s);
    while (n && g_ascii_isspace(s[n - 1]))
        n--;
    while (n && g_ascii_isspace(*s))
        s++, n--;
    if (n > cap - 1)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = g_ascii_tolower(s[i]);
    out[n] = '\0';
}
