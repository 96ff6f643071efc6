/* store_agenda.c - an event's agenda items; see store_agenda.h. */
#include "store_agenda.h"

#include <string.h>

#include "err.h"
#include "store_int.h"

static bool text_valid(const char *s, glong min, glong max)
{
    if (!s || !g_utf8_validate(s, -1, NULL))
        return false;
    glong n = g_utf8_strlen(s, -1);
    if (n < min || n > max)
        return false;
    for (const char *p = s; *p; p = g_utf8_next_char(p))
        if (g_unichar_iscntrl(g_utf8_get_char(p)))
            return false;
    return true;
}

bool veche_agenda_title_valid(const char *s)
{
    return text_valid(s, 1, VECHE_AGENDA_TITLE_MAX);
}

bool veche_agenda_speaker_valid(const char *s)
{
    return !s || text_valid(s, 0, VECHE_AGENDA_SPEAKER_MAX);
}

int veche_store_agenda_items(veche_store *s, int64_t event_id, GArray **out)
{
    *out = NULL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
        "SELECT id, event_id, position, title, ifnull(speaker, ''),"
        " ifnull(started_at, 0), ifnull(ended_at, 0) FROM agenda_item"
        " WHERE event_id = ? ORDER BY position, id", "i", event_id);
    if (r)
        return r;
    GArray *a = g_array_new(FALSE, TRUE, sizeof(veche_agenda_item));
    while ((r = store_step(s, st)) == 1) {
        veche_agenda_item it = {0};
        it.id = sqlite3_column_int64(st, 0);
        it.event_id = sqlite3_column_int64(st, 1);
        it.position = sqlite3_column_int(st, 2);
        store_column_text(st, 3, it.title, sizeof it.title);
        store_column_text(st, 4, it.speaker, sizeof it.speaker);
        it.started_at = sqlite3_column_int64(st, 5);
        it.ended_at = sqlite3_column_int64(st, 6);
        g_array_append_val(a, it);
    }
    sqlite3_finalize(st);
    if (r < 0) {
        g_array_unref(a);
        return r;
    }
    *out = a;
    return 0;
}

int64_t veche_agenda_current(const GArray *items)
{
    for (guint i = 0; items && i < items->len; i++) {
        const veche_agenda_item *it = &g_array_index(items, veche_agenda_item, i);
        if (it->started_at && !it->ended_at)
            return it->id;
    }
    return 0;
}

/* The item's position and whether it was ever opened. */
static int item_get(veche_store *s, int64_t event_id, int64_t item_id, int64_t *pos,
                    int64_t *started)
{
    int r = store_query_int(s, pos, "SELECT position FROM agenda_item WHERE id = ?"
                            " AND event_id = ?", "ii", item_id, event_id);
    if (r == 0 && started)
        r = store_query_int(s, started, "SELECT ifnull(started_at, 0) FROM agenda_item"
                            " WHERE id = ?", "i", item_id);
    return r;
}

static int count_items(veche_store *s, int64_t event_id, int64_t *n)
{
    return store_query_int(s, n, "SELECT count(*) FROM agenda_item WHERE event_id = ?", "i",
                           event_id);
}

static const char *speaker_or_null(const char *speaker)
{
    return speaker && *speaker ? speaker : NULL;
}

int veche_store_agenda_add(veche_store *s, int64_t event_id, const char *title,
                           const char *speaker, int64_t *id)
{
    if (!s || !veche_agenda_title_valid(title) || !veche_agenda_speaker_valid(speaker))
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r)
        return r;
    int64_t n = 0, exists = 0;
    r = store_query_int(s, &exists, "SELECT count(*) FROM event WHERE id = ?", "i", event_id);
    if (r == 0 && !exists)
        r = VECHE_ENOTFOUND;
    if (r == 0)
        r = count_items(s, event_id, &n);
    if (r == 0 && n >= VECHE_AGENDA_MAX_ITEMS)
        r = VECHE_ELIMIT;
    if (r == 0)
        r = store_exec(s, "INSERT INTO agenda_item (event_id, position, title, speaker)"
                       " VALUES (?, ?, ?, ?)", "iitt", event_id, n + 1, title,
                       speaker_or_null(speaker));
    if (r >= 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return store_end(s, r < 0 ? r : 0);
}

int veche_store_agenda_edit(veche_store *s, int64_t event_id, int64_t item_id,
                            const char *title, const char *speaker)
{
    if (!s || !veche_agenda_title_valid(title) || !veche_agenda_speaker_valid(speaker))
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE agenda_item SET title = ?, speaker = ? WHERE id = ?"
                       " AND event_id = ?", "ttii", title, speaker_or_null(speaker), item_id,
                       event_id);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_agenda_remove(veche_store *s, int64_t event_id, int64_t item_id)
{
    if (!s)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r)
        return r;
    int64_t pos = 0, started = 0;
    r = item_get(s, event_id, item_id, &pos, &started);
    if (r == 0 && started)
        r = VECHE_ESTATE;
    if (r == 0)
        r = store_exec(s, "DELETE FROM agenda_item WHERE id = ?", "i", item_id);
    if (r >= 0)
        r = store_exec(s, "UPDATE agenda_item SET position = position - 1"
                       " WHERE event_id = ? AND position > ?", "ii", event_id, pos);
    return store_end(s, r < 0 ? r : 0);
}

int veche_store_agenda_move(veche_store *s, int64_t event_id, int64_t item_id, int position)
{
    if (!s || position < 1)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r)
        return r;
    int64_t pos = 0, n = 0;
    r = item_get(s, event_id, item_id, &pos, NULL);
    if (r == 0)
        r = count_items(s, event_id, &n);
    int64_t to = position > n ? n : position;
    if (r == 0 && to < pos)
        r = store_exec(s, "UPDATE agenda_item SET position = position + 1 WHERE event_id = ?"
                       " AND position >= ? AND position < ?", "iii", event_id, to, pos);
    else if (r == 0 && to > pos)
        r = store_exec(s, "UPDATE agenda_item SET position = position - 1 WHERE event_id = ?"
                       " AND position > ? AND position <= ?", "iii", event_id, pos, to);
    if (r >= 0)
        r = store_exec(s, "UPDATE agenda_item SET position = ? WHERE id = ?", "ii", to,
                       item_id);
    return store_end(s, r < 0 ? r : 0);
}

int veche_store_agenda_go(veche_store *s, int64_t event_id, int64_t item_id, int64_t now)
{
    if (!s || item_id < 0)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r)
        return r;
    int64_t pos = 0, cur = 0;
    if (item_id)
        r = item_get(s, event_id, item_id, &pos, NULL);
    if (r == 0) {
        r = store_query_int(s, &cur, "SELECT id FROM agenda_item WHERE event_id = ?"
                            " AND started_at IS NOT NULL AND ended_at IS NULL", "i", event_id);
        if (r == VECHE_ENOTFOUND)
            r = 0, cur = 0;
    }
    if (r == 0 && cur == item_id)
        return store_end(s, 0);  /* already there */
    if (r == 0)
        r = store_exec(s, "UPDATE agenda_item SET ended_at = ? WHERE event_id = ?"
                       " AND started_at IS NOT NULL AND ended_at IS NULL", "ii", now, event_id);
    if (r >= 0 && item_id)
        r = store_exec(s, "UPDATE agenda_item SET started_at = ifnull(started_at, ?),"
                       " ended_at = NULL WHERE id = ?", "ii", now, item_id);
    return store_end(s, r < 0 ? r : 0);
}
