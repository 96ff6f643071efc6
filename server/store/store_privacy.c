/* store_privacy.c - the audit log (append, filtered listing), a person's
 * data as JSON, erasure by anonymization, and the retention sweep
 * (store_edit.h, docs/data-model.md "Audit log", "Personal data"); the
 * export and erasure include the person's chat messages (store_chat.h).
 *
 * Invariants: audit_log rows are never updated, and deleted only by the
 * sweep, which opens audit_sweep inside its own transaction and closes it
 * before committing (the triggers of migration v4 refuse anything else).
 * The export is built by SQLite's JSON functions in one read, so it is one
 * consistent snapshot. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "store_chat.h"
#include "store_edit.h"
#include "store_int.h"

/* ---- audit log ---- */

int veche_store_audit_append(veche_store *s, const veche_audit_entry *e)
{
    if (!s || !e || !e->action[0] || !e->target_kind[0])
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO audit_log (at, actor_id, address, organization_id,"
                          " action, target_kind, target_id, detail)"
                          " VALUES (?, nullif(?, 0), ?, nullif(?, 0), ?, ?, nullif(?, 0),"
                          " ?)",
                       "iitittit", e->at, e->actor_id, e->address, e->org_id, e->action,
                       e->target_kind, e->target_id, e->detail[0] ? e->detail : "{}");
    return r < 0 ? r : 0;
}

int veche_store_audit_list(veche_store *s, const veche_audit_filter *f,
                           veche_store_audit_cb cb, void *ud)
{
    if (!s || !f || !cb)
        return VECHE_EINVAL;
    char *prefix = g_strdup_printf("%s%%", f->action ? f->action : "");
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, STORE_SCOPE_CTE
        "SELECT id, at, ifnull(actor_id, 0), address, ifnull(organization_id, 0),"
        " action, target_kind, ifnull(target_id, 0), detail FROM audit_log"
        " WHERE ((?1 <= 0 AND ?2 <= 0) OR organization_id IN scope)"
        " AND (?3 = 0 OR actor_id = ?3)"
        " AND (?4 IS NULL OR target_kind = ?4) AND (?5 = 0 OR target_id = ?5)"
        " AND action LIKE ?6"
        " AND (?7 = 0 OR at >= ?7) AND (?8 = 0 OR at < ?8)"
        " AND (?9 = 0 OR actor_id = ?9 OR (target_id = ?9"
        "      AND target_kind IN ('person', 'account')))"
        " ORDER BY id DESC LIMIT ?10 OFFSET ?11",
        "iiititiiiii", f->org_id, f->admin_id, f->actor_id, f->target_kind, f->target_id,
        prefix, f->from, f->to, f->person_id, f->limit ? (int64_t)f->limit : INT64_C(-1),
        (int64_t)f->offset);
    g_free(prefix);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_audit_entry e;
        memset(&e, 0, sizeof e);
        e.id = sqlite3_column_int64(st, 0);
        e.at = sqlite3_column_int64(st, 1);
        e.actor_id = sqlite3_column_int64(st, 2);
        store_column_text(st, 3, e.address, sizeof e.address);
        e.org_id = sqlite3_column_int64(st, 4);
        store_column_text(st, 5, e.action, sizeof e.action);
        store_column_text(st, 6, e.target_kind, sizeof e.target_kind);
        e.target_id = sqlite3_column_int64(st, 7);
        store_column_text(st, 8, e.detail, sizeof e.detail);
        if ((r = cb(ud, &e)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

/* ---- a person's data ---- */

/* One SELECT that gives the whole export as JSON text (?1 the person).
 * Roster places name their body or course; attendance its event. */
static const char export_sql[] =
    "SELECT json_object("
    " 'person', json_object('id', p.id, 'name', p.full_name, 'email', p.email,"
    "   'phone', p.phone, 'org', p.organization_id, 'createdAt', p.created_at),"
    " 'account', (SELECT json_object('blocked', json(CASE a.blocked WHEN 1 THEN 'true'"
    "     ELSE 'false' END), 'mustChangePassword', json(CASE a.must_change_password"
    "     WHEN 1 THEN 'true' ELSE 'false' END), 'platformAdmin', json(CASE"
    "     a.platform_admin WHEN 1 THEN 'true' ELSE 'false' END), 'createdAt',"
    "     a.created_at, 'updatedAt', a.updated_at) FROM account a WHERE a.person_id = p.id),"
    " 'administers', (SELECT json_group_array(organization_id) FROM org_admin"
    "   WHERE person_id = p.id),"
    " 'bodies', (SELECT json_group_array(json_object('body', m.body_id, 'name', b.name,"
    "   'role', m.role, 'voting', json(CASE m.voting WHEN 1 THEN 'true' ELSE 'false' END)))"
    "   FROM body_member m JOIN body b ON b.id = m.body_id WHERE m.person_id = p.id),"
    " 'courses', (SELECT json_group_array(json_object('course', m.course_id, 'name', k.name,"
    "   'role', m.role)) FROM course_member m JOIN course k ON k.id = m.course_id"
    "   WHERE m.person_id = p.id),"
    " 'guestOf', (SELECT json_group_array(json_object('event', g.event_id, 'title', e.title))"
    "   FROM event_guest g JOIN event e ON e.id = g.event_id WHERE g.person_id = p.id),"
    " 'sessions', (SELECT json_group_array(json_object('createdAt', created_at,"
    "   'expiresAt', expires_at)) FROM session WHERE person_id = p.id),"
    " 'attendance', (SELECT json_group_array(json_object('event', t.event_id, 'title',"
    "   e.title, 'kind', t.kind, 'tsMs', t.ts_ms, 'conn', t.conn_id, 'source', t.source))"
    "   FROM (SELECT * FROM attendance_event WHERE person_id = p.id ORDER BY id) t"
    "   JOIN event e ON e.id = t.event_id),"
    " 'audit', (SELECT json_group_array(json_object('id', l.id, 'at', l.at, 'actor',"
    "   l.actor_id, 'address', l.address, 'org', l.organization_id, 'action', l.action,"
    "   'targetKind', l.target_kind, 'target', l.target_id, 'detail', json(l.detail)))"
    "   FROM (SELECT * FROM audit_log WHERE actor_id = p.id OR (target_id = p.id"
    "   AND target_kind IN ('person', 'account')) ORDER BY id) l),"
    " 'chat', (SELECT json_group_array(json_object('event', m.event_id, 'title', e.title,"
    "   'tsMs', m.ts_ms, 'text', m.text))"
    "   FROM (SELECT * FROM chat_message WHERE person_id = p.id ORDER BY id) m"
    "   JOIN event e ON e.id = m.event_id)"
    ") FROM person p WHERE p.id = ?1";

int veche_store_person_export(veche_store *s, int64_t id, char **out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    *out = NULL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, export_sql, "i", id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        *out = g_strdup((const char *)sqlite3_column_text(st, 0));
        r = *out ? 0 : VECHE_ENOMEM;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

/* The person's row with the anonymous name and e-mail, no phone. */
static int rename_person(veche_store *s, int64_t id, const char *name, const char *email)
{
    int r = store_exec(s, "UPDATE person SET full_name = ?, email = ?, phone = NULL"
                          " WHERE id = ?", "tti", name, email, id);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_person_erase(veche_store *s, int64_t id, int64_t now)
{
    (void)now;
    if (!s || id <= 0)
        return VECHE_EINVAL;
    char name[64], email[96];
    snprintf(name, sizeof name, "erased #%lld", (long long)id);
    snprintf(email, sizeof email, "erased-%lld@erased.invalid", (long long)id);
    int r = store_begin(s);
    if (r < 0)
        return r;
    /* the speaker of an agenda item is free text: the old name goes too */
    r = store_exec(s, "UPDATE agenda_item SET speaker = ?1 WHERE speaker ="
                      " (SELECT full_name FROM person WHERE id = ?2)", "ti", name, id);
    /* a vote's voter snapshot holds the name too (v5 lets it change) */
    if (r >= 0)
        r = store_exec(s, "UPDATE vote_voter SET name = ? WHERE person_id = ?", "ti", name, id);
    if (r >= 0)
        r = rename_person(s, id, name, email);
    static const char *const gone[] = {
        "DELETE FROM account WHERE person_id = ?",
        "DELETE FROM session WHERE person_id = ?",
        "DELETE FROM password_reset WHERE person_id = ?",
        "DELETE FROM invitation WHERE person_id = ?",
        "DELETE FROM org_admin WHERE person_id = ?",
        "DELETE FROM chat_message WHERE person_id = ?",
    };
    for (size_t i = 0; r >= 0 && i < G_N_ELEMENTS(gone); i++)
        r = store_exec(s, gone[i], "i", id);
    r = store_end(s, r < 0 ? r : 0);
    return r == 0 ? store_wal_truncate(s) : r;  /* after the outermost commit */
}

/* ---- retention ---- */

int veche_store_retention_sweep(veche_store *s, int64_t now, unsigned audit_days,
                                unsigned session_days, unsigned chat_days,
                                veche_retention_stats *out)
{
    if (!s)
        return VECHE_EINVAL;
    veche_retention_stats stats = {0};
    int r = store_begin(s);
    if (r < 0)
        return r;
    if (audit_days) {
        int64_t before = now - (int64_t)audit_days * 86400;
        r = store_exec(s, "UPDATE audit_sweep SET open = 1 WHERE id = 1", NULL);
        if (r >= 0 && (r = store_exec(s, "DELETE FROM audit_log WHERE at < ?", "i",
                                      before)) >= 0)
            stats.audit_removed = (unsigned)r;
        if (r >= 0)
            r = store_exec(s, "UPDATE audit_sweep SET open = 0 WHERE id = 1", NULL);
    }
    int64_t created = session_days ? now - (int64_t)session_days * 86400 : 0;
    if (r >= 0 && (r = store_exec(s, "DELETE FROM session WHERE expires_at <= ?"
                                     " OR created_at < ?", "ii", now, created)) >= 0)
        stats.sessions_removed = (unsigned)r;
    if (r >= 0 && (r = store_exec(s, "DELETE FROM password_reset WHERE expires_at <= ?"
                                     " OR created_at < ?", "ii", now, created)) >= 0)
        stats.resets_removed = (unsigned)r;
    if (r >= 0)
        r = veche_store_chat_sweep(s, now, chat_days, &stats.chat_removed);
    r = store_end(s, r < 0 ? r : 0);
    if (r == 0 && out)
        *out = stats;
    return r;
}
