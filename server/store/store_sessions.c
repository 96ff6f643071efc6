/* store_sessions.c - sign-in sessions (by token hash), single-use
 * invitations (by nonce) and single-use password resets (by token hash).  See store.h; the tokens themselves are made and
 * checked in token.c. */
#include "err.h"
#include "log.h"
#include "store_int.h"

/* ---- sessions ---- */

int veche_store_session_hours_of(veche_store *s, int64_t person_id, int64_t *secs)
{
    if (!s || !secs)
        return VECHE_EINVAL;
    *secs = 0;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
        "WITH RECURSIVE up(id, depth) AS ("
        "  SELECT organization_id, 0 FROM person WHERE id = ? UNION"
        "  SELECT o.parent_id, up.depth + 1 FROM organization o JOIN up"
        "  ON o.id = up.id WHERE o.parent_id IS NOT NULL AND up.depth < 16)"
        " SELECT o.session_hours FROM up JOIN organization o ON o.id = up.id"
        " WHERE o.session_hours IS NOT NULL ORDER BY up.depth LIMIT 1", "i", person_id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1)
        *secs = sqlite3_column_int64(st, 0) * 3600;
    sqlite3_finalize(st);
    return r < 0 ? r : 0;
}

int veche_store_session_create(veche_store *s,
                               const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                               int64_t person_id, int64_t now,
                               int64_t expires)
{
    if (!s || !hash || expires <= now)
        return VECHE_EINVAL;
    int64_t ttl = 0;
    int r = veche_store_session_hours_of(s, person_id, &ttl);
    if (r < 0)
        return r;
    if (ttl <= 0)
        ttl = expires - now;
    r = store_exec(s, "INSERT INTO session (token_hash, person_id,"
                      " created_at, expires_at, ttl_secs) VALUES (?, ?, ?, ?, ?)",
                   "xiiii", (const void *)hash, VECHE_TOKEN_HASH_LEN,
                   person_id, now, now + ttl, ttl);
    return r == VECHE_ENOTFOUND ? VECHE_EINVAL : r < 0 ? r : 0;
}

/* A session from before v8 (ttl_secs 0) gets the lifetime it slides by
 * once, at its first use: its organization's session_hours (or an
 * ancestor's), else the lifetime it was opened with (expires_at -
 * created_at: the server's session_ttl_hours at its sign-in, as every
 * session was opened before v8).  Written into the row, so from then on it
 * is like any other (and a hold for an event adds it too).  Returns the
 * lifetime, or 0 when none can be told (the session then does not slide). */
static int64_t old_session_ttl(veche_store *s, const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                               int64_t person, int64_t opened_for)
{
    int64_t ttl = 0;
    if (veche_store_session_hours_of(s, person, &ttl) < 0 || ttl <= 0)
        ttl = opened_for;
    if (ttl <= 0)
        return 0;
    if (store_exec(s, "UPDATE session SET ttl_secs = ? WHERE token_hash = ? AND ttl_secs = 0",
                   "ix", ttl, (const void *)hash, VECHE_TOKEN_HASH_LEN) < 0)
        VLOG_WARN(NULL, NULL, "session of person %lld: lifetime not recorded", (long long)person);
    return ttl;
}

int veche_store_session_lookup(veche_store *s,
                               const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                               int64_t now, int64_t *person_id)
{
    if (!s || !hash || !person_id)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
        "SELECT s.person_id, ifnull(a.blocked, 0), s.expires_at, s.ttl_secs,"
        " s.expires_at - s.created_at FROM session s LEFT JOIN account a ON a.person_id = s.person_id"
        " WHERE s.token_hash = ? AND s.expires_at > ?",
        "xi", (const void *)hash, VECHE_TOKEN_HASH_LEN, now);
    if (r < 0)
        return r;
    r = store_step(s, st);
    int64_t expires = 0, ttl = 0, opened_for = 0, person = 0;
    if (r == 1) {
        r = sqlite3_column_int(st, 1) ? VECHE_EBLOCKED : 0;
        person = sqlite3_column_int64(st, 0);
        if (r == 0)
            *person_id = person;
        expires = sqlite3_column_int64(st, 2);
        ttl = sqlite3_column_int64(st, 3);
        opened_for = sqlite3_column_int64(st, 4);
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    if (r == 0 && ttl <= 0)
        ttl = old_session_ttl(s, hash, person, opened_for);
    /* Sliding: a write at most once per half lifetime of a session in use.
     * A failed write leaves the session as it was (it still lets in). */
    if (r == 0 && ttl > 0 && expires - now < ttl / 2 &&
        store_exec(s, "UPDATE session SET expires_at = ? WHERE token_hash = ?", "ix",
                   now + ttl, (const void *)hash, VECHE_TOKEN_HASH_LEN) < 0)
        VLOG_WARN(NULL, NULL, "session of person %lld not extended", (long long)*person_id);
    return r;
}

int veche_store_session_hold(veche_store *s, const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                             int64_t now, int64_t until)
{
    if (!s || !hash)
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE session SET expires_at = max(expires_at, ? + ttl_secs)"
                          " WHERE token_hash = ? AND expires_at > ?", "ixi", until,
                       (const void *)hash, VECHE_TOKEN_HASH_LEN, now);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_session_delete(veche_store *s,
                               const uint8_t hash[VECHE_TOKEN_HASH_LEN])
{
    if (!s || !hash)
        return VECHE_EINVAL;
    int r = store_exec(s, "DELETE FROM session WHERE token_hash = ?", "x",
                       (const void *)hash, VECHE_TOKEN_HASH_LEN);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_session_expire(veche_store *s, int64_t now)
{
    if (!s)
        return VECHE_EINVAL;
    return store_exec(s, "DELETE FROM session WHERE expires_at <= ?", "i",
                      now);
}

/* ---- invitations ---- */

int veche_store_invitation_add(veche_store *s, const veche_invitation *inv,
                               int64_t created_by, int64_t now)
{
    if (!s || !inv || inv->event_id <= 0 || inv->person_id <= 0)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO invitation (nonce, event_id, person_id,"
                          " expires_at, created_by, created_at)"
                          " VALUES (?, ?, ?, ?, nullif(?, 0), ?)",
                       "xiiiii", (const void *)inv->nonce,
                       VECHE_TOKEN_NONCE_LEN, inv->event_id, inv->person_id,
                       inv->expires, created_by, now);
    return r == VECHE_ENOTFOUND ? VECHE_EINVAL : r < 0 ? r : 0;
}

int veche_store_invitation_use(veche_store *s, const veche_invitation *inv,
                               int64_t now)
{
    if (!s || !inv)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    sqlite3_stmt *st;
    r = store_prepare(s, &st, "SELECT used_at IS NOT NULL, expires_at"
                              " FROM invitation WHERE nonce = ?"
                              " AND event_id = ? AND person_id = ?",
                      "xii", (const void *)inv->nonce, VECHE_TOKEN_NONCE_LEN,
                      inv->event_id, inv->person_id);
    if (r == 0) {
        r = store_step(s, st);
        if (r == 0)
            r = VECHE_ENOTFOUND;
        else if (r == 1)
            r = sqlite3_column_int(st, 0) ? VECHE_EUSED
                : now >= sqlite3_column_int64(st, 1) ? VECHE_EEXPIRED : 0;
        sqlite3_finalize(st);
    }
    if (r == 0)
        r = store_exec(s, "UPDATE invitation SET used_at = ? WHERE nonce = ?",
                       "ix", now, (const void *)inv->nonce,
                       VECHE_TOKEN_NONCE_LEN);
    return store_end(s, r < 0 ? r : 0);
}

int veche_store_invitation_unuse(veche_store *s, const veche_invitation *inv,
                                 int64_t used_at)
{
    if (!s || !inv)
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE invitation SET used_at = NULL WHERE nonce = ?"
                          " AND event_id = ? AND person_id = ? AND used_at = ?",
                       "xiii", (const void *)inv->nonce, VECHE_TOKEN_NONCE_LEN,
                       inv->event_id, inv->person_id, used_at);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_invitation_revoke(veche_store *s,
                                  const uint8_t nonce[VECHE_TOKEN_NONCE_LEN])
{
    if (!s || !nonce)
        return VECHE_EINVAL;
    int r = store_exec(s, "DELETE FROM invitation WHERE nonce = ?", "x",
                       (const void *)nonce, VECHE_TOKEN_NONCE_LEN);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

/* ---- password resets ---- */

int veche_store_reset_create(veche_store *s,
                             const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                             int64_t person_id, int64_t now, int64_t expires)
{
    if (!s || !hash || expires <= now)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO password_reset (token_hash, person_id,"
                          " created_at, expires_at) VALUES (?, ?, ?, ?)",
                       "xiii", (const void *)hash, VECHE_TOKEN_HASH_LEN,
                       person_id, now, expires);
    return r == VECHE_ENOTFOUND ? VECHE_EINVAL : r < 0 ? r : 0;
}

int veche_store_reset_check(veche_store *s, const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                            int64_t now)
{
    if (!s || !hash)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT r.used_at IS NOT NULL, r.expires_at,"
                                  " ifnull(a.blocked, 0) FROM password_reset r"
                                  " LEFT JOIN account a ON a.person_id = r.person_id"
                                  " WHERE r.token_hash = ?",
                          "x", (const void *)hash, VECHE_TOKEN_HASH_LEN);
    if (r != 0)
        return r;
    r = store_step(s, st);
    if (r == 0)
        r = VECHE_ENOTFOUND;
    else if (r == 1)
        r = sqlite3_column_int(st, 0) ? VECHE_EUSED
            : now >= sqlite3_column_int64(st, 1) ? VECHE_EEXPIRED
            : sqlite3_column_int(st, 2) ? VECHE_EBLOCKED : 0;
    sqlite3_finalize(st);
    return r;
}

int veche_store_reset_consume(veche_store *s,
                              const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                              const char *password_hash, int64_t now,
                              int64_t *person_id)
{
    if (!s || !hash || !password_hash || !*password_hash || !person_id)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    sqlite3_stmt *st;
    int64_t person = 0;
    r = store_prepare(s, &st, "SELECT r.person_id, r.used_at IS NOT NULL,"
                              " r.expires_at, ifnull(a.blocked, 0)"
                              " FROM password_reset r"
                              " LEFT JOIN account a ON a.person_id = r.person_id"
                              " WHERE r.token_hash = ?",
                      "x", (const void *)hash, VECHE_TOKEN_HASH_LEN);
    if (r == 0) {
        r = store_step(s, st);
        if (r == 0)
            r = VECHE_ENOTFOUND;
        else if (r == 1) {
            person = sqlite3_column_int64(st, 0);
            r = sqlite3_column_int(st, 1) ? VECHE_EUSED
                : now >= sqlite3_column_int64(st, 2) ? VECHE_EEXPIRED
                : sqlite3_column_int(st, 3) ? VECHE_EBLOCKED : 0;
        }
        sqlite3_finalize(st);
    }
    if (r == 0)
        r = store_exec(s, "UPDATE password_reset SET used_at = ?"
                          " WHERE token_hash = ?", "ix", now,
                       (const void *)hash, VECHE_TOKEN_HASH_LEN);
    if (r >= 0)
        r = store_exec(s, "INSERT INTO account (person_id, password_hash,"
                          " must_change_password, created_at, updated_at)"
                          " VALUES (?1, ?2, 0, ?3, ?3) ON CONFLICT (person_id)"
                          " DO UPDATE SET password_hash = ?2,"
                          " must_change_password = 0, updated_at = ?3",
                       "iti", person, password_hash, now);
    if (r >= 0)
        r = store_exec(s, "DELETE FROM session WHERE person_id = ?", "i",
                       person);
    r = store_end(s, r < 0 ? r : 0);
    if (r == 0)
        *person_id = person;
    return r;
}
