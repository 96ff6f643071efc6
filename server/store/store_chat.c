/* store_chat.c - events' chat in the store (store_chat.h).
 *
 * Invariants: a message row names its event and its author by id only (the
 * name is the person's row, so an erasure needs no rewrite here, only the
 * DELETE of the person's messages); a message is removed only by the
 * person's erasure, the event's deletion (cascade) or the sweep. */
#include "store_chat.h"

#include <string.h>

#include "err.h"
#include "store_int.h"

int veche_store_chat_append(veche_store *s, int64_t event_id, int64_t person_id,
                            int64_t ts_ms, const char *text, int64_t *id)
{
    if (!s || event_id <= 0 || person_id <= 0 || !text || !text[0])
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO chat_message (event_id, person_id, ts_ms, text)"
                          " VALUES (?, ?, ?, ?)", "iiit", event_id, person_id, ts_ms, text);
    if (r < 0)
        return r;
    if (id)
        *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int veche_store_chat_list(veche_store *s, int64_t event_id, veche_store_chat_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT person_id, ts_ms, text FROM chat_message"
                                  " WHERE event_id = ? ORDER BY id", "i", event_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        const char *text = (const char *)sqlite3_column_text(st, 2);
        if ((r = cb(ud, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                    text ? text : "")) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_org_chat_retention_set(veche_store *s, int64_t org_id, int64_t days)
{
    if (!s || org_id <= 0 || days < -1 || days > 36500)
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE organization SET chat_retention_days = nullif(?, -1)"
                          " WHERE id = ?", "ii", days, org_id);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_org_chat_retention_get(veche_store *s, int64_t org_id, int64_t *days)
{
    if (!s || !days)
        return VECHE_EINVAL;
    return store_query_int(s, days, "SELECT ifnull(chat_retention_days, -1) FROM organization"
                                    " WHERE id = ?", "i", org_id);
}

/* Each message with its organization's days (own, else ?2), removed when
 * they are not 0 and it is older. */
static const char sweep_sql[] =
    "DELETE FROM chat_message WHERE id IN ("
    " SELECT m.id FROM chat_message m JOIN event e ON e.id = m.event_id"
    " LEFT JOIN body b ON b.id = e.body_id LEFT JOIN course c ON c.id = e.course_id"
    " LEFT JOIN organization o ON o.id = coalesce(b.organization_id, c.organization_id)"
    " WHERE coalesce(o.chat_retention_days, ?2) > 0"
    " AND m.ts_ms < (?1 - coalesce(o.chat_retention_days, ?2) * 86400) * 1000)";

int veche_store_chat_sweep(veche_store *s, int64_t now, unsigned default_days,
                           unsigned *removed)
{
    if (!s)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    r = store_exec(s, sweep_sql, "ii", now, (int64_t)default_days);
    if (r >= 0 && removed)
        *removed = (unsigned)r;
    return store_end(s, r < 0 ? r : 0);
}
