/* store_recording.c - the recording table (store_recording.h). */
#include "store_recording.h"

#include <glib.h>
#include <string.h>

#include "err.h"
#include "store_int.h"

static int may_record(veche_store *s, int64_t event_id)
{
    int64_t allowed = 0;
    int rc = store_query_int(s, &allowed,
                             "SELECT CASE WHEN e.room_kind = 'training' THEN 1"
                             " ELSE ifnull(b.allow_recording, 0) END"
                             " FROM event e LEFT JOIN body b ON b.id = e.body_id"
                             " WHERE e.id = ?", "i", event_id);
    if (rc != 0)
        return rc;
    return allowed ? 0 : VECHE_EDENIED;
}

static int insert_part(veche_store *s, int64_t event_id, int64_t person_id, int64_t now,
                       veche_recording_row *out)
{
    int64_t last = 0;
    int rc = store_query_int(s, &last, "SELECT ifnull(max(part), 0) FROM recording"
                             " WHERE event_id = ?", "i", event_id);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->event_id = event_id;
    out->part = (int)last + 1;
    g_snprintf(out->path, sizeof out->path, "recordings/%lld/part-%d.mkv",
               (long long)event_id, out->part);
    g_snprintf(out->meta_path, sizeof out->meta_path, "recordings/%lld/part-%d.jsonl",
               (long long)event_id, out->part);
    rc = store_exec(s, "INSERT INTO recording (event_id, part, path, meta_path, state,"
                    " started_by, started_at) VALUES (?, ?, ?, ?, 'recording', nullif(?, 0), ?)",
                    "iittii", event_id, (int64_t)out->part, out->path, out->meta_path,
                    person_id, now);
    if (rc < 0)
        return rc;
    out->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int veche_store_recording_start(veche_store *s, int64_t event_id, int64_t person_id,
                                int64_t now, veche_recording_row *out)
{
    int rc = store_begin(s);
    if (rc != 0)
        return rc;
    rc = may_record(s, event_id);
    if (rc == 0)
        rc = insert_part(s, event_id, person_id ? person_id : 0, now, out);
    return store_end(s, rc);
}

int veche_store_recording_end(veche_store *s, int64_t id, const char *state,
                              int64_t stopped_by, int64_t ended_at, int64_t bytes)
{
    int rc = store_exec(s, "UPDATE recording SET state = ?, stopped_by = nullif(?, 0),"
                        " ended_at = ?, bytes = ? WHERE id = ?",
                        "tiiii", state, stopped_by, ended_at, bytes < 0 ? 0 : bytes, id);
    if (rc < 0)
        return rc;
    return rc == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_recording_open_parts(veche_store *s, veche_recording_row **out, unsigned *n)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = store_prepare(s, &st, "SELECT r.id, r.event_id, r.part, r.path, r.meta_path,"
                           " e.room_id FROM recording r JOIN event e ON e.id = r.event_id"
                           " WHERE r.state = 'recording' ORDER BY r.id", "");
    if (rc != 0)
        return rc;
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(veche_recording_row));
    while ((rc = store_step(s, st)) == 1) {
        veche_recording_row r = {0};
        r.id = sqlite3_column_int64(st, 0);
        r.event_id = sqlite3_column_int64(st, 1);
        r.part = sqlite3_column_int(st, 2);
        store_column_text(st, 3, r.path, sizeof r.path);
        store_column_text(st, 4, r.meta_path, sizeof r.meta_path);
        store_column_text(st, 5, r.room_id, sizeof r.room_id);
        g_array_append_val(rows, r);
    }
    sqlite3_finalize(st);
    if (rc < 0) {
        g_array_free(rows, TRUE);
        return rc;
    }
    *n = rows->len;
    *out = (veche_recording_row *)(void *)g_array_free(rows, FALSE);
    return 0;
}

int veche_store_body_allow_recording_get(veche_store *s, int64_t body_id, int *allow)
{
    if (!s || !allow)
        return VECHE_EINVAL;
    int64_t v = 0;
    int rc = store_query_int(s, &v, "SELECT allow_recording FROM body WHERE id = ?", "i",
                             body_id);
    if (rc != 0)
        return rc;
    *allow = v ? 1 : 0;
    return 0;
}

int veche_store_body_allow_recording_set(veche_store *s, int64_t body_id, int allow)
{
    if (!s || (allow != 0 && allow != 1))
        return VECHE_EINVAL;
    int rc = store_exec(s, "UPDATE body SET allow_recording = ? WHERE id = ?", "ii",
                        (int64_t)allow, body_id);
    if (rc < 0)
        return rc;
    return rc == 0 ? VECHE_ENOTFOUND : 0;
}
