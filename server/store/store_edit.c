/* store_edit.c - editing and deleting organizations, persons, accounts,
 * bodies, courses and events, and the searchable people listing
 * (store_edit.h).  A delete that would take a record with it is refused
 * with VECHE_ESTATE after counting what still names the row, inside the
 * same transaction; the foreign keys (RESTRICT) stay the last guard. */
#include <glib.h>
#include <string.h>

#include "err.h"
#include "store_edit.h"
#include "store_int.h"

/* 0 when one row changed, VECHE_ENOTFOUND when none, else the error. */
static int one_row(int r)
{
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

/* Inside a transaction: VECHE_ENOTFOUND unless `exists` finds the row,
 * VECHE_ESTATE when `blockers` counts anything, else 0. */
static int check_delete(veche_store *s, int64_t id, const char *exists,
                        const char *blockers)
{
    int64_t n = 0;
    int r = store_query_int(s, &n, exists, "i", id);
    if (r < 0)
        return r;
    if (n == 0)
        return VECHE_ENOTFOUND;
    if ((r = store_query_int(s, &n, blockers, "i", id)) < 0)
        return r;
    return n > 0 ? VECHE_ESTATE : 0;
}

static int guarded_delete(veche_store *s, int64_t id, const char *exists,
                          const char *blockers, const char *del)
{
    int r = store_begin(s);
    if (r < 0)
        return r;
    r = check_delete(s, id, exists, blockers);
    if (r == 0)
        r = one_row(store_exec(s, del, "i", id));
    return store_end(s, r);
}

/* ---- organizations ---- */

int veche_store_org_update(veche_store *s, int64_t id, const char *name,
                           const char *time_zone, const char *privacy_notice)
{
    if (!s || (name && store_check_text(name, VECHE_TITLE_MAX) < 0) ||
        (time_zone && strlen(time_zone) > 63) ||
        (privacy_notice && strlen(privacy_notice) > VECHE_NOTICE_MAX))
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE organization SET name = ifnull(?1, name),"
                          " time_zone = CASE WHEN ?2 IS NULL THEN time_zone"
                          "  ELSE nullif(?2, '') END,"
                          " privacy_notice = CASE WHEN ?3 IS NULL THEN privacy_notice"
                          "  ELSE nullif(?3, '') END WHERE id = ?4",
                       "ttti", name, time_zone, privacy_notice, id);
    return one_row(r);
}

int veche_store_org_settings(veche_store *s, int64_t id, char *time_zone,
                             char *privacy_notice)
{
    if (!s)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT ifnull(time_zone, ''),"
                                  " ifnull(privacy_notice, '')"
                                  " FROM organization WHERE id = ?", "i", id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        if (time_zone)
            store_column_text(st, 0, time_zone, 64);
        if (privacy_notice)
            store_column_text(st, 1, privacy_notice, VECHE_NOTICE_MAX + 1);
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_org_session_hours(veche_store *s, int64_t id, unsigned *hours)
{
    if (!s || !hours)
        return VECHE_EINVAL;
    int64_t n = 0;
    int r = store_query_int(s, &n, "SELECT ifnull((SELECT ifnull(session_hours, 0)"
                                   " FROM organization WHERE id = ?), -1)", "i", id);
    if (r < 0)
        return r;
    if (n < 0)
        return VECHE_ENOTFOUND;
    *hours = (unsigned)n;
    return 0;
}

int veche_store_org_set_session_hours(veche_store *s, int64_t id, unsigned hours)
{
    if (!s || hours > 8760)
        return VECHE_EINVAL;
    return one_row(store_exec(s, "UPDATE organization SET session_hours = nullif(?, 0)"
                                 " WHERE id = ?", "ii", (int64_t)hours, id));
}

int veche_store_org_zone(veche_store *s, int64_t id, char *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    out[0] = '\0';
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
        "WITH RECURSIVE up(id, depth) AS ("
        "  SELECT ?, 0 UNION"
        "  SELECT o.parent_id, up.depth + 1 FROM organization o JOIN up"
        "  ON o.id = up.id WHERE o.parent_id IS NOT NULL AND up.depth < 16)"
        " SELECT o.time_zone FROM up JOIN organization o ON o.id = up.id"
        " WHERE o.time_zone IS NOT NULL ORDER BY up.depth LIMIT 1", "i", id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1)
        store_column_text(st, 0, out, 64);
    sqlite3_finalize(st);
    return r < 0 ? r : 0;
}

int veche_store_privacy_notice(veche_store *s, char out[VECHE_NOTICE_MAX + 1])
{
    if (!s || !out)
        return VECHE_EINVAL;
    out[0] = '\0';
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT privacy_notice FROM organization"
                                  " WHERE privacy_notice IS NOT NULL"
                                  " ORDER BY parent_id IS NOT NULL, id LIMIT 1", NULL);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1)
        store_column_text(st, 0, out, VECHE_NOTICE_MAX + 1);
    sqlite3_finalize(st);
    return r < 0 ? r : 0;
}

int veche_store_org_delete(veche_store *s, int64_t id)
{
    if (!s)
        return VECHE_EINVAL;
    return guarded_delete(s, id, "SELECT count(*) FROM organization WHERE id = ?1",
                          "SELECT (SELECT count(*) FROM organization WHERE parent_id = ?1)"
                          " + (SELECT count(*) FROM person WHERE organization_id = ?1)"
                          " + (SELECT count(*) FROM body WHERE organization_id = ?1)"
                          " + (SELECT count(*) FROM course WHERE organization_id = ?1)",
                          "DELETE FROM organization WHERE id = ?");
}

int veche_store_org_admins(veche_store *s, int64_t org_id, veche_store_id_cb cb,
                           void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT person_id FROM org_admin"
                                  " WHERE organization_id = ? ORDER BY person_id",
                          "i", org_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1)
        if ((r = cb(ud, sqlite3_column_int64(st, 0))) != 0)
            break;
    sqlite3_finalize(st);
    return r;
}

/* ---- persons and accounts ---- */

int veche_store_person_update(veche_store *s, const veche_person *p)
{
    if (!s || !p || store_check_text(p->full_name, VECHE_NAME_MAX) < 0 ||
        !veche_roster_email_valid(p->email) ||
        strnlen(p->phone, sizeof p->phone) >= sizeof p->phone)
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE person SET organization_id = nullif(?, 0),"
                          " full_name = ?, email = ?, phone = nullif(?, '')"
                          " WHERE id = ?",
                       "ittti", p->org_id, p->full_name, p->email, p->phone, p->id);
    if (r == VECHE_ENOTFOUND)
        r = VECHE_EINVAL;  /* no such organization */
    return one_row(r);
}

int veche_store_person_delete(veche_store *s, int64_t id)
{
    if (!s)
        return VECHE_EINVAL;
    return guarded_delete(s, id, "SELECT count(*) FROM person WHERE id = ?1",
                          "SELECT count(*) FROM attendance_event WHERE person_id = ?1",
                          "DELETE FROM person WHERE id = ?");
}

int veche_store_account_delete(veche_store *s, int64_t person_id, int *sessions_ended)
{
    if (!s)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    int ended = 0;
    r = one_row(store_exec(s, "DELETE FROM account WHERE person_id = ?", "i", person_id));
    if (r == 0)
        r = ended = store_exec(s, "DELETE FROM session WHERE person_id = ?", "i", person_id);
    if (r >= 0)
        r = store_exec(s, "DELETE FROM password_reset WHERE person_id = ?", "i", person_id);
    r = store_end(s, r < 0 ? r : 0);
    if (r == 0 && sessions_ended)
        *sessions_ended = ended;
    return r;
}

/* LIKE pattern "%query%" with the LIKE characters escaped by '\'. */
static char *like_pattern(const char *query)
{
    size_t n = strlen(query);
    char *out = g_malloc(2 * n + 3), *o = out;
    *o++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (query[i] == '%' || query[i] == '_' || query[i] == '\\')
            *o++ = '\\';
        *o++ = query[i];
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

#define PEOPLE_WHERE                                                        \
    " FROM person p LEFT JOIN account a ON a.person_id = p.id"              \
    " WHERE ((?1 <= 0 AND ?2 <= 0) OR p.organization_id IN scope)"          \
    " AND (?3 = '%%' OR p.full_name LIKE ?3 ESCAPE '\\'"                    \
    "      OR p.email LIKE ?3 ESCAPE '\\')"

int veche_store_people_search(veche_store *s, int64_t org_id, int64_t admin_id,
                              const char *query, unsigned offset, unsigned limit,
                              veche_store_person_info_cb cb, void *ud,
                              unsigned *total)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    char *pat = like_pattern(query ? query : "");
    int64_t n = 0;
    int r = store_query_int(s, &n, STORE_SCOPE_CTE "SELECT count(*)" PEOPLE_WHERE,
                            "iit", org_id, admin_id, pat);
    sqlite3_stmt *st = NULL;
    if (r >= 0)
        r = store_prepare(s, &st, STORE_SCOPE_CTE
                          "SELECT p.id, ifnull(p.organization_id, 0), p.full_name,"
                          " p.email, ifnull(p.phone, ''), a.person_id IS NOT NULL,"
                          " ifnull(a.blocked, 0), ifnull(a.must_change_password, 0),"
                          " ifnull(a.platform_admin, 0)" PEOPLE_WHERE
                          " ORDER BY p.full_name, p.id LIMIT ?4 OFFSET ?5",
                          "iitii", org_id, admin_id, pat,
                          limit ? (int64_t)limit : INT64_C(-1), (int64_t)offset);
    g_free(pat);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_person_info pi;
        memset(&pi, 0, sizeof pi);
        store_row_person(st, &pi.person);
        pi.account = sqlite3_column_int(st, 5) != 0;
        pi.blocked = sqlite3_column_int(st, 6) != 0;
        pi.must_change_password = sqlite3_column_int(st, 7) != 0;
        pi.platform_admin = sqlite3_column_int(st, 8) != 0;
        if ((r = cb(ud, &pi)) != 0)
            break;
    }
    sqlite3_finalize(st);
    if (r == 0 && total)
        *total = (unsigned)n;
    return r;
}

/* ---- bodies, courses, events ---- */

int veche_store_body_update(veche_store *s, int64_t id, const char *name,
                            const veche_quorum_rule *rule)
{
    if (!s || (name && store_check_text(name, VECHE_TITLE_MAX) < 0) ||
        (rule && veche_quorum_rule_check(rule) < 0))
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    r = one_row(store_exec(s, "UPDATE body SET name = ifnull(?, name) WHERE id = ?",
                           "ti", name, id));
    if (r == 0 && rule)
        r = veche_store_body_set_quorum(s, id, rule);
    return store_end(s, r);
}

int veche_store_course_update(veche_store *s, int64_t id, const char *name)
{
    if (!s || store_check_text(name, VECHE_TITLE_MAX) < 0)
        return VECHE_EINVAL;
    return one_row(store_exec(s, "UPDATE course SET name = ? WHERE id = ?", "ti", name, id));
}

int veche_store_body_delete(veche_store *s, int64_t id)
{
    if (!s)
        return VECHE_EINVAL;
    return guarded_delete(s, id, "SELECT count(*) FROM body WHERE id = ?1",
                          "SELECT count(*) FROM event WHERE body_id = ?1",
                          "DELETE FROM body WHERE id = ?");
}

int veche_store_course_delete(veche_store *s, int64_t id)
{
    if (!s)
        return VECHE_EINVAL;
    return guarded_delete(s, id, "SELECT count(*) FROM course WHERE id = ?1",
                          "SELECT count(*) FROM event WHERE course_id = ?1",
                          "DELETE FROM course WHERE id = ?");
}

int veche_store_event_update(veche_store *s, int64_t id, const char *title,
                             int64_t starts_at, int64_t ends_at)
{
    if (!s || (title && store_check_text(title, VECHE_TITLE_MAX) < 0) ||
        starts_at < 0 || ends_at < 0)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    veche_event ev;
    r = veche_store_event_get(s, id, &ev);
    if (r == 0 && (starts_at ? starts_at : ev.starts_at) > (ends_at ? ends_at : ev.ends_at))
        r = VECHE_EINVAL;
    if (r == 0)
        r = one_row(store_exec(s, "UPDATE event SET title = ifnull(?, title),"
                                  " starts_at = ?, ends_at = ? WHERE id = ?", "tiii",
                               title, starts_at ? starts_at : ev.starts_at,
                               ends_at ? ends_at : ev.ends_at, id));
    return store_end(s, r);
}

int veche_store_event_set_limit(veche_store *s, int64_t id, unsigned max_participants)
{
    if (!s || max_participants > VECHE_EVENT_LIMIT_MAX)
        return VECHE_EINVAL;
    return one_row(store_exec(s, "UPDATE event SET max_participants = nullif(?, 0)"
                                 " WHERE id = ?", "ii", (int64_t)max_participants, id));
}

int veche_store_event_set_cancelled(veche_store *s, int64_t id, bool cancelled,
                                    int64_t now)
{
    if (!s)
        return VECHE_EINVAL;
    return one_row(store_exec(s, "UPDATE event SET cancelled_at = nullif(?, 0)"
                                 " WHERE id = ?", "ii", cancelled ? now : 0, id));
}

int veche_store_event_cancelled(veche_store *s, int64_t id, int64_t *at)
{
    if (!s || !at)
        return VECHE_EINVAL;
    return store_query_int(s, at, "SELECT ifnull(cancelled_at, 0) FROM event WHERE id = ?",
                           "i", id);
}

int veche_store_event_delete(veche_store *s, int64_t id)
{
    if (!s)
        return VECHE_EINVAL;
    return guarded_delete(s, id, "SELECT count(*) FROM event WHERE id = ?1",
                          "SELECT (SELECT count(*) FROM attendance_event WHERE event_id = ?1)"
                          " + (SELECT count(*) FROM quorum_log WHERE event_id = ?1)"
                          " + (SELECT count(*) FROM recording WHERE event_id = ?1)",
                          "DELETE FROM event WHERE id = ?");
}
