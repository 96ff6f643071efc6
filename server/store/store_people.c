/* store_people.c - organizations, their administrators, persons and
 * accounts.  See store.h. */
#include <string.h>

#include "err.h"
#include "store_int.h"

static const char *const level_names[] = { "central", "regional", "primary" };

const char *veche_store_org_level_name(veche_org_level level)
{
    return (unsigned)level <= VECHE_ORG_PRIMARY ? level_names[level] : "?";
}

int veche_store_org_level_parse(const char *name, veche_org_level *out)
{
    for (int i = 0; i < 3; i++)
        if (name && strcmp(name, level_names[i]) == 0) {
            *out = (veche_org_level)i;
            return 0;
        }
    return VECHE_EINVAL;
}

int store_row_org(sqlite3_stmt *st, veche_org *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->parent_id = sqlite3_column_int64(st, 1);
    store_column_text(st, 3, out->name, sizeof out->name);
    return veche_store_org_level_parse((const char *)sqlite3_column_text(st, 2),
                                       &out->level) == 0 ? 0 : VECHE_EMALFORMED;
}

void store_row_person(sqlite3_stmt *st, veche_person *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->org_id = sqlite3_column_int64(st, 1);
    store_column_text(st, 2, out->full_name, sizeof out->full_name);
    store_column_text(st, 3, out->email, sizeof out->email);
    store_column_text(st, 4, out->phone, sizeof out->phone);
}

/* ---- organizations ---- */

int veche_store_org_create(veche_store *s, const char *name,
                           veche_org_level level, int64_t parent_id,
                           int64_t now, int64_t *id)
{
    if (!s || store_check_text(name, VECHE_TITLE_MAX) < 0 ||
        (unsigned)level > VECHE_ORG_PRIMARY ||
        (level == VECHE_ORG_CENTRAL) != (parent_id == 0))
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    if (parent_id != 0) {
        veche_org parent;
        r = veche_store_org_get(s, parent_id, &parent);
        if (r == VECHE_ENOTFOUND || (r == 0 && parent.level >= level))
            r = VECHE_EINVAL;
    }
    if (r >= 0)
        r = store_exec(s, "INSERT INTO organization (parent_id, level, name,"
                          " created_at) VALUES (nullif(?, 0), ?, ?, ?)",
                       "itti", parent_id, level_names[level], name, now);
    if (r >= 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return store_end(s, r < 0 ? r : 0);
}

int veche_store_org_get(veche_store *s, int64_t id, veche_org *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT id, ifnull(parent_id, 0), level, name"
                                  " FROM organization WHERE id = ?", "i", id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        r = store_row_org(st, out);
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_org_admin_set(veche_store *s, int64_t org_id,
                              int64_t person_id, bool admin)
{
    if (!s)
        return VECHE_EINVAL;
    int r = admin
        ? store_exec(s, "INSERT INTO org_admin (organization_id, person_id)"
                        " VALUES (?, ?) ON CONFLICT DO NOTHING", "ii",
                     org_id, person_id)
        : store_exec(s, "DELETE FROM org_admin WHERE organization_id = ?"
                        " AND person_id = ?", "ii", org_id, person_id);
    return r < 0 ? r : 0;
}

int veche_store_org_is_admin(veche_store *s, int64_t org_id, int64_t person_id)
{
    if (!s)
        return VECHE_EINVAL;
    int64_t n = 0;
    /* UNION (not UNION ALL) stops even if the tree were ever cyclic. */
    int r = store_query_int(s, &n,
        "WITH RECURSIVE up(id) AS ("
        "  SELECT ? UNION"
        "  SELECT o.parent_id FROM organization o JOIN up ON o.id = up.id"
        "  WHERE o.parent_id IS NOT NULL)"
        " SELECT count(*) FROM org_admin"
        " WHERE person_id = ? AND organization_id IN (SELECT id FROM up)",
        "ii", org_id, person_id);
    return r < 0 ? r : n > 0;
}

/* ---- persons ---- */

int veche_store_person_create(veche_store *s, const veche_person *p,
                              int64_t now, int64_t *id)
{
    if (!s || !p || store_check_text(p->full_name, VECHE_NAME_MAX) < 0 ||
        !veche_roster_email_valid(p->email) ||
        strnlen(p->phone, sizeof p->phone) >= sizeof p->phone)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO person (organization_id, full_name,"
                          " email, phone, created_at)"
                          " VALUES (nullif(?, 0), ?, ?, nullif(?, ''), ?)",
                       "ittti", p->org_id,
                       p->full_name, p->email, p->phone, now);
    if (r == VECHE_ENOTFOUND)
        r = VECHE_EINVAL;  /* no such organization */
    if (r >= 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return r < 0 ? r : 0;
}

static int read_person(veche_store *s, sqlite3_stmt *st, veche_person *out)
{
    int r = store_step(s, st);
    if (r == 1) {
        store_row_person(st, out);
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

#define PERSON_COLUMNS \
    "SELECT id, ifnull(organization_id, 0), full_name, email, ifnull(phone, '')" \
    " FROM person "

int veche_store_person_get(veche_store *s, int64_t id, veche_person *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, PERSON_COLUMNS "WHERE id = ?", "i", id);
    return r < 0 ? r : read_person(s, st, out);
}

int veche_store_person_find_email(veche_store *s, const char *email,
                                  veche_person *out)
{
    if (!s || !email || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    /* The column's NOCASE collation makes this case-insensitive. */
    int r = store_prepare(s, &st, PERSON_COLUMNS "WHERE email = ?", "t",
                          email);
    return r < 0 ? r : read_person(s, st, out);
}

/* ---- accounts ---- */

static int check_hash(const char *hash)
{
    return !hash || strnlen(hash, VECHE_PASSWORD_HASH_SIZE) <
                        VECHE_PASSWORD_HASH_SIZE ? 0 : VECHE_EINVAL;
}

int veche_store_account_create(veche_store *s, int64_t person_id,
                               const char *password_hash,
                               bool must_change_password, int64_t now)
{
    if (!s || check_hash(password_hash) < 0)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO account (person_id, password_hash,"
                          " must_change_password, created_at, updated_at)"
                          " VALUES (?, ?, ?, ?, ?)", "itbii", person_id,
                       password_hash, (int)must_change_password, now, now);
    return r < 0 ? r : 0;
}

int veche_store_account_get(veche_store *s, int64_t person_id,
                            veche_account *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT person_id, ifnull(password_hash, ''),"
                                  " blocked, must_change_password,"
                                  " platform_admin FROM account"
                                  " WHERE person_id = ?", "i", person_id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        out->person_id = sqlite3_column_int64(st, 0);
        store_column_text(st, 1, out->password_hash,
                          sizeof out->password_hash);
        out->blocked = sqlite3_column_int(st, 2) != 0;
        out->must_change_password = sqlite3_column_int(st, 3) != 0;
        out->platform_admin = sqlite3_column_int(st, 4) != 0;
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

/* An UPDATE of one account: 0, or VECHE_ENOTFOUND when it changed nothing. */
static int one_account(int r)
{
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_account_set_password(veche_store *s, int64_t person_id,
                                     const char *password_hash,
                                     bool must_change_password, int64_t now)
{
    if (!s || check_hash(password_hash) < 0)
        return VECHE_EINVAL;
    return one_account(store_exec(s,
        "UPDATE account SET password_hash = ?, must_change_password = ?,"
        " updated_at = ? WHERE person_id = ?", "tbii", password_hash,
        (int)must_change_password, now, person_id));
}

int veche_store_account_set_blocked(veche_store *s, int64_t person_id,
                                    bool blocked, int64_t now,
                                    int *sessions_ended)
{
    if (!s)
        return VECHE_EINVAL;
    int r = store_begin(s);
    if (r < 0)
        return r;
    r = one_account(store_exec(s, "UPDATE account SET blocked = ?,"
                                  " updated_at = ? WHERE person_id = ?",
                               "bii", (int)blocked, now, person_id));
    int ended = 0;
    if (r >= 0 && blocked) {
        r = store_exec(s, "DELETE FROM session WHERE person_id = ?", "i",
                       person_id);
        ended = r;
    }
    r = store_end(s, r < 0 ? r : 0);
    if (r == 0 && sessions_ended)
        *sessions_ended = ended;
    return r;
}

int veche_store_account_set_platform_admin(veche_store *s, int64_t person_id,
                                           bool admin)
{
    if (!s)
        return VECHE_EINVAL;
    return one_account(store_exec(s, "UPDATE account SET platform_admin = ?"
                                     " WHERE person_id = ?", "bi",
                                  (int)admin, person_id));
}

int veche_store_data_version(veche_store *s, int64_t *version)
{
    if (!s || !version)
        return VECHE_EINVAL;
    return store_query_int(s, version, "PRAGMA data_version", NULL);
}
