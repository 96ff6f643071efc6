/* store_roster.c - apply a validated roster (roster_import.h) to a body or
 * a course in one transaction.  See store.h.
 *
 * With replace, the persons named in the file are collected in a temporary
 * table, and memberships of others are deleted at the end.
 */
#include "err.h"
#include "store_int.h"

typedef struct {
    veche_roster_kind kind;
    int64_t target_id;
    int64_t org_id;
    bool replace;
    int64_t now;
    veche_roster_stats stats;
} apply_ctx;

static int target_org(veche_store *s, apply_ctx *c)
{
    return store_query_int(s, &c->org_id,
                           c->kind == VECHE_ROSTER_BODY
                               ? "SELECT organization_id FROM body WHERE id = ?"
                               : "SELECT organization_id FROM course WHERE id = ?",
                           "i", c->target_id);
}

/* The person with this e-mail, created if new. */
static int person_for(veche_store *s, apply_ctx *c, const veche_roster_row *row,
                      int64_t *person_id)
{
    int r = store_query_int(s, person_id,
                            "SELECT id FROM person WHERE email = ?", "t",
                            row->email);
    if (r == 0) {
        c->stats.persons_existing++;
        return 0;
    }
    if (r != VECHE_ENOTFOUND)
        return r;
    r = store_exec(s, "INSERT INTO person (organization_id, full_name, email,"
                      " phone, created_at) VALUES (?, ?, ?, nullif(?, ''), ?)",
                   "ittti", c->org_id, row->full_name,
                   row->email, row->phone, c->now);
    if (r < 0)
        return r;
    *person_id = sqlite3_last_insert_rowid(s->db);
    c->stats.persons_created++;
    return 0;
}

static int set_member(veche_store *s, apply_ctx *c, int64_t person_id,
                      const veche_roster_row *row)
{
    int r = c->kind == VECHE_ROSTER_BODY
        ? store_exec(s, "INSERT INTO body_member (body_id, person_id, role,"
                        " voting) VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (body_id, person_id) DO UPDATE"
                        " SET role = excluded.role, voting = excluded.voting",
                     "iitb", c->target_id, person_id,
                     veche_access_role_name(row->role), (int)row->voting)
        : store_exec(s, "INSERT INTO course_member (course_id, person_id,"
                        " role) VALUES (?, ?, ?)"
                        " ON CONFLICT (course_id, person_id) DO UPDATE"
                        " SET role = excluded.role",
                     "iit", c->target_id, person_id,
                     veche_access_role_name(row->role));
    if (r < 0)
        return r;
    c->stats.members_set++;
    if (!c->replace)
        return 0;
    r = store_exec(s, "INSERT INTO temp.roster_keep (person_id) VALUES (?)"
                      " ON CONFLICT DO NOTHING", "i", person_id);
    return r < 0 ? r : 0;
}

static int remove_others(veche_store *s, apply_ctx *c)
{
    int r = store_exec(s, c->kind == VECHE_ROSTER_BODY
                       ? "DELETE FROM body_member WHERE body_id = ? AND"
                         " person_id NOT IN (SELECT person_id FROM"
                         " temp.roster_keep)"
                       : "DELETE FROM course_member WHERE course_id = ? AND"
                         " person_id NOT IN (SELECT person_id FROM"
                         " temp.roster_keep)",
                       "i", c->target_id);
    if (r < 0)
        return r;
    c->stats.members_removed = (unsigned)r;
    return 0;
}

static int apply_rows(veche_store *s, apply_ctx *c,
                      const veche_roster_import *roster)
{
    int r = target_org(s, c);
    if (r < 0)
        return r;
    if (c->replace &&
        ((r = store_exec(s, "CREATE TEMP TABLE IF NOT EXISTS roster_keep"
                            " (person_id INTEGER PRIMARY KEY)", NULL)) < 0 ||
         (r = store_exec(s, "DELETE FROM temp.roster_keep", NULL)) < 0))
        return r;
    size_t n = veche_roster_import_row_count(roster);
    for (size_t i = 0; i < n; i++) {
        const veche_roster_row *row = veche_roster_import_row(roster, i);
        int64_t person_id;
        if ((r = person_for(s, c, row, &person_id)) < 0 ||
            (r = set_member(s, c, person_id, row)) < 0)
            return r;
    }
    return c->replace ? remove_others(s, c) : 0;
}

int veche_store_roster_apply(veche_store *s, const veche_roster_import *r,
                             int64_t target_id, bool replace, int64_t now,
                             veche_roster_stats *stats)
{
    if (!s || !r || !veche_roster_import_ok(r))
        return VECHE_EINVAL;
    apply_ctx c = { veche_roster_import_kind(r), target_id, 0, replace, now,
                    { 0, 0, 0, 0 } };
    int e = store_begin(s);
    if (e < 0)
        return e;
    e = store_end(s, apply_rows(s, &c, r));
    if (e == 0 && stats)
        *stats = c.stats;
    return e;
}
