/* store_events.c - bodies, courses and their rosters, events and guests,
 * and the admission decision.  See store.h and docs/data-model.md. */
#include <string.h>

#include "err.h"
#include "store_int.h"

static const char *mode_name(veche_quorum_mode m)
{
    return m == VECHE_QUORUM_AT_LEAST ? "at_least" : "more_than";
}

/* A failed foreign key on an insert means the caller named a missing row. */
static int insert_result(int r)
{
    return r == VECHE_ENOTFOUND ? VECHE_EINVAL : r < 0 ? r : 0;
}

/* ---- bodies ---- */

void store_row_body(sqlite3_stmt *st, veche_body *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->org_id = sqlite3_column_int64(st, 1);
    store_column_text(st, 2, out->name, sizeof out->name);
    out->quorum.num = (unsigned)sqlite3_column_int64(st, 3);
    out->quorum.den = (unsigned)sqlite3_column_int64(st, 4);
    const char *m = (const char *)sqlite3_column_text(st, 5);
    out->quorum.mode = m && strcmp(m, mode_name(VECHE_QUORUM_AT_LEAST)) == 0
                           ? VECHE_QUORUM_AT_LEAST
                           : VECHE_QUORUM_MORE_THAN;
}

void store_row_course(sqlite3_stmt *st, veche_course *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->org_id = sqlite3_column_int64(st, 1);
    store_column_text(st, 2, out->name, sizeof out->name);
}

int veche_store_body_create(veche_store *s, int64_t org_id, const char *name,
                            const veche_quorum_rule *rule, int64_t *id)
{
    veche_quorum_rule def = VECHE_QUORUM_RULE_DEFAULT;
    if (!rule)
        rule = &def;
    if (!s || store_check_text(name, VECHE_TITLE_MAX) < 0 ||
        veche_quorum_rule_check(rule) < 0)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO body (organization_id, name, quorum_num,"
                          " quorum_den, quorum_mode) VALUES (?, ?, ?, ?, ?)",
                       "itiit", org_id, name, (int64_t)rule->num,
                       (int64_t)rule->den, mode_name(rule->mode));
    if (r >= 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return insert_result(r);
}

int veche_store_body_get(veche_store *s, int64_t id, veche_body *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT id, organization_id, name, quorum_num,"
                                  " quorum_den, quorum_mode FROM body"
                                  " WHERE id = ?", "i", id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        store_row_body(st, out);
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_body_set_quorum(veche_store *s, int64_t id,
                                const veche_quorum_rule *rule)
{
    if (!s || veche_quorum_rule_check(rule) < 0)
        return VECHE_EINVAL;
    int r = store_exec(s, "UPDATE body SET quorum_num = ?, quorum_den = ?,"
                          " quorum_mode = ? WHERE id = ?", "iiti",
                       (int64_t)rule->num, (int64_t)rule->den,
                       mode_name(rule->mode), id);
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_body_member_set(veche_store *s, int64_t body_id,
                                int64_t person_id, veche_access_role role,
                                bool voting)
{
    if (!s || !veche_access_is_body_role(role))
        return VECHE_EINVAL;
    return insert_result(store_exec(s,
        "INSERT INTO body_member (body_id, person_id, role, voting)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (body_id, person_id)"
        " DO UPDATE SET role = excluded.role, voting = excluded.voting",
        "iitb", body_id, person_id, veche_access_role_name(role), (int)voting));
}

static int remove_result(int r)
{
    return r < 0 ? r : r == 0 ? VECHE_ENOTFOUND : 0;
}

int veche_store_body_member_remove(veche_store *s, int64_t body_id,
                                   int64_t person_id)
{
    if (!s)
        return VECHE_EINVAL;
    return remove_result(store_exec(s, "DELETE FROM body_member WHERE"
                                       " body_id = ? AND person_id = ?",
                                    "ii", body_id, person_id));
}

/* Rows of (person_id, role, voting) to the callback. */
static int list_members(veche_store *s, sqlite3_stmt *st,
                        veche_store_member_cb cb, void *ud)
{
    int r;
    while ((r = store_step(s, st)) == 1) {
        veche_member m = { sqlite3_column_int64(st, 0), VECHE_ACCESS_NONE,
                           sqlite3_column_int(st, 2) != 0 };
        if (veche_access_role_parse((const char *)sqlite3_column_text(st, 1),
                             &m.role) != 0) {
            r = VECHE_EMALFORMED;
            break;
        }
        if ((r = cb(ud, &m)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_body_members(veche_store *s, int64_t body_id,
                             veche_store_member_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT person_id, role, voting"
                                  " FROM body_member WHERE body_id = ?"
                                  " ORDER BY person_id", "i", body_id);
    return r < 0 ? r : list_members(s, st, cb, ud);
}

int veche_store_body_voting_count(veche_store *s, int64_t body_id,
                                  unsigned *count)
{
    if (!s || !count)
        return VECHE_EINVAL;
    int64_t n = 0;
    int r = store_query_int(s, &n, "SELECT count(*) FROM body_member"
                                   " WHERE body_id = ? AND voting = 1",
                            "i", body_id);
    if (r == 0)
        *count = (unsigned)n;
    return r;
}

/* ---- courses ---- */

int veche_store_course_create(veche_store *s, int64_t org_id, const char *name,
                              int64_t *id)
{
    if (!s || store_check_text(name, VECHE_TITLE_MAX) < 0)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO course (organization_id, name)"
                          " VALUES (?, ?)", "it", org_id, name);
    if (r >= 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return insert_result(r);
}

int veche_store_course_get(veche_store *s, int64_t id, veche_course *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT id, organization_id, name FROM course"
                                  " WHERE id = ?", "i", id);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        store_row_course(st, out);
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_course_member_set(veche_store *s, int64_t course_id,
                                  int64_t person_id, veche_access_role role)
{
    if (!s || !veche_access_is_course_role(role))
        return VECHE_EINVAL;
    return insert_result(store_exec(s,
        "INSERT INTO course_member (course_id, person_id, role)"
        " VALUES (?, ?, ?) ON CONFLICT (course_id, person_id)"
        " DO UPDATE SET role = excluded.role",
        "iit", course_id, person_id, veche_access_role_name(role)));
}

int veche_store_course_member_remove(veche_store *s, int64_t course_id,
                                     int64_t person_id)
{
    if (!s)
        return VECHE_EINVAL;
    return remove_result(store_exec(s, "DELETE FROM course_member WHERE"
                                       " course_id = ? AND person_id = ?",
                                    "ii", course_id, person_id));
}

int veche_store_course_members(veche_store *s, int64_t course_id,
                               veche_store_member_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT person_id, role, 0"
                                  " FROM course_member WHERE course_id = ?"
                                  " ORDER BY person_id", "i", course_id);
    return r < 0 ? r : list_members(s, st, cb, ud);
}

/* ---- events ---- */

int veche_store_event_create(veche_store *s, const veche_event *ev,
                             int64_t now, int64_t *id)
{
    if (!s || !ev || store_check_text(ev->title, VECHE_TITLE_MAX) < 0 ||
        store_check_text(ev->room_id, VECHE_ROOM_ID_MAX) < 0 ||
        (ev->body_id != 0) == (ev->course_id != 0) ||
        ev->ends_at < ev->starts_at ||
        (ev->room_kind != VECHE_ROOM_MEETING &&
         ev->room_kind != VECHE_ROOM_TRAINING) ||
        ev->max_participants > VECHE_EVENT_LIMIT_MAX)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO event (body_id, course_id, title,"
                          " starts_at, ends_at, room_kind, room_id, created_at,"
                          " max_participants)"
                          " VALUES (nullif(?, 0), nullif(?, 0), ?, ?, ?, ?, ?, ?,"
                          " nullif(?, 0))",
                       "iitiittii", ev->body_id, ev->course_id, ev->title,
                       ev->starts_at, ev->ends_at,
                       veche_room_kind_name(ev->room_kind), ev->room_id, now,
                       (int64_t)ev->max_participants);
    if (r >= 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return insert_result(r);
}

#define EVENT_COLUMNS                                                         \
    "SELECT e.id, ifnull(e.body_id, 0), ifnull(e.course_id, 0),"              \
    " coalesce(b.organization_id, c.organization_id, 0), e.title,"            \
    " e.starts_at, e.ends_at, e.room_kind, e.room_id,"                        \
    " ifnull(e.max_participants, 0)"                                          \
    " FROM event e LEFT JOIN body b ON b.id = e.body_id"                      \
    " LEFT JOIN course c ON c.id = e.course_id "

/* The columns of EVENT_COLUMNS in the current row. */
static int event_columns(sqlite3_stmt *st, veche_event *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->body_id = sqlite3_column_int64(st, 1);
    out->course_id = sqlite3_column_int64(st, 2);
    out->org_id = sqlite3_column_int64(st, 3);
    store_column_text(st, 4, out->title, sizeof out->title);
    out->starts_at = sqlite3_column_int64(st, 5);
    out->ends_at = sqlite3_column_int64(st, 6);
    store_column_text(st, 8, out->room_id, sizeof out->room_id);
    out->max_participants = (unsigned)sqlite3_column_int64(st, 9);
    return veche_room_kind_parse((const char *)sqlite3_column_text(st, 7),
                                 &out->room_kind) ? 0 : VECHE_EMALFORMED;
}

static int read_event(veche_store *s, sqlite3_stmt *st, veche_event *out)
{
    int r = store_step(s, st);
    if (r == 1) {
        r = event_columns(st, out);
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_event_get(veche_store *s, int64_t id, veche_event *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, EVENT_COLUMNS "WHERE e.id = ?", "i", id);
    return r < 0 ? r : read_event(s, st, out);
}

int veche_store_event_find_room(veche_store *s, const char *room_id,
                                veche_event *out)
{
    if (!s || !room_id || !out)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, EVENT_COLUMNS "WHERE e.room_id = ?", "t",
                          room_id);
    return r < 0 ? r : read_event(s, st, out);
}

/* Each row of st (EVENT_COLUMNS) to cb until it returns nonzero; st is
 * finalized.  0, cb's nonzero, or a store error. */
static int each_event(veche_store *s, sqlite3_stmt *st, veche_store_event_cb cb, void *ud)
{
    int r;
    while ((r = store_step(s, st)) == 1) {
        veche_event ev;
        if ((r = event_columns(st, &ev)) < 0 || (r = cb(ud, &ev)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_events_list(veche_store *s, veche_store_event_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, EVENT_COLUMNS "ORDER BY e.starts_at, e.id", "");
    return r < 0 ? r : each_event(s, st, cb, ud);
}

int veche_store_events_in(veche_store *s, int64_t org_id, int64_t admin_id,
                          veche_store_event_info_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, STORE_SCOPE_CTE EVENT_COLUMNS
                          "WHERE coalesce(b.organization_id, c.organization_id)"
                          " IN scope ORDER BY e.starts_at, e.id",
                          "ii", org_id, admin_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_event_info ei;
        int64_t n = 0;
        if ((r = event_columns(st, &ei.event)) < 0 ||
            (r = store_query_int(s, &n, "SELECT count(*) FROM event_guest"
                                        " WHERE event_id = ?", "i",
                                 ei.event.id)) < 0)
            break;
        ei.guests = (unsigned)n;
        if ((r = cb(ud, &ei)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_event_guests(veche_store *s, int64_t event_id,
                             veche_store_member_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT person_id, 'guest', 0 FROM event_guest"
                                  " WHERE event_id = ? ORDER BY person_id",
                          "i", event_id);
    return r < 0 ? r : list_members(s, st, cb, ud);
}

int veche_store_event_guest_add(veche_store *s, int64_t event_id,
                                int64_t person_id)
{
    if (!s)
        return VECHE_EINVAL;
    return insert_result(store_exec(s,
        "INSERT INTO event_guest (event_id, person_id) VALUES (?, ?)"
        " ON CONFLICT DO NOTHING", "ii", event_id, person_id));
}

int veche_store_event_guest_remove(veche_store *s, int64_t event_id,
                                   int64_t person_id)
{
    if (!s)
        return VECHE_EINVAL;
    return remove_result(store_exec(s, "DELETE FROM event_guest WHERE"
                                       " event_id = ? AND person_id = ?",
                                    "ii", event_id, person_id));
}

/* ---- admission ---- */

const char *veche_store_refusal_name(veche_refusal r)
{
    switch (r) {
    case VECHE_ADMIT_OK: return "ok";
    case VECHE_REFUSE_NO_PERSON: return "no_person";
    case VECHE_REFUSE_BLOCKED: return "blocked";
    case VECHE_REFUSE_NOT_LISTED: return "not_listed";
    }
    return "?";
}

static void raise_role(veche_admission *a, veche_access_role role)
{
    if (role > a->role)
        a->role = role;
}

/* Every role the person holds in the event, from one query: the rows are
 * (role name, voting). */
static int collect_roles(veche_store *s, const veche_event *ev,
                         int64_t person_id, veche_admission *a)
{
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
        "SELECT 'platform_admin', 0 FROM account"
        "  WHERE person_id = ?1 AND platform_admin = 1"
        " UNION ALL SELECT role, voting FROM body_member"
        "  WHERE body_id = ?2 AND person_id = ?1"
        " UNION ALL SELECT role, 0 FROM course_member"
        "  WHERE course_id = ?3 AND person_id = ?1"
        " UNION ALL SELECT 'guest', 0 FROM event_guest"
        "  WHERE event_id = ?4 AND person_id = ?1",
        "iiii", person_id, ev->body_id, ev->course_id, ev->id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_access_role role;
        if (veche_access_role_parse((const char *)sqlite3_column_text(st, 0),
                             &role) != 0) {
            r = VECHE_EMALFORMED;
            break;
        }
        raise_role(a, role);
        if (sqlite3_column_int(st, 1))
            a->voting = true;
    }
    sqlite3_finalize(st);
    if (r < 0)
        return r;
    r = veche_store_org_is_admin(s, ev->org_id, person_id);
    if (r > 0)
        raise_role(a, VECHE_ACCESS_ORG_ADMIN);
    return r < 0 ? r : 0;
}

int veche_store_admit(veche_store *s, int64_t event_id, int64_t person_id,
                      veche_admission *out)
{
    if (!s || !out)
        return VECHE_EINVAL;
    memset(out, 0, sizeof *out);
    veche_event ev;
    int r = veche_store_event_get(s, event_id, &ev);
    if (r < 0)
        return r;
    int64_t blocked = 0;
    r = store_query_int(s, &blocked,
                        "SELECT ifnull((SELECT blocked FROM account"
                        " WHERE person_id = p.id), 0) FROM person p"
                        " WHERE p.id = ?", "i", person_id);
    if (r == VECHE_ENOTFOUND) {
        out->refusal = VECHE_REFUSE_NO_PERSON;
        return VECHE_EDENIED;
    }
    if (r < 0)
        return r;
    if (blocked) {
        out->refusal = VECHE_REFUSE_BLOCKED;
        return VECHE_EDENIED;
    }
    if ((r = collect_roles(s, &ev, person_id, out)) < 0) {
        memset(out, 0, sizeof *out);
        return r;
    }
    if (out->role == VECHE_ACCESS_NONE) {
        out->refusal = VECHE_REFUSE_NOT_LISTED;
        return VECHE_EDENIED;
    }
    return 0;
}

/* ---- a person's events, by their rows ---- */

/* The event-holding units (bodies and courses with an event) of the
 * organizations person administers, or below them: ?1 = 0, ?2 = person. */
#define ADMIN_EVENT_IDS                                                       \
    " SELECT e2.id FROM scope JOIN body b2 ON b2.organization_id = scope.id"  \
    "  JOIN event e2 ON e2.body_id = b2.id"                                   \
    " UNION SELECT e2.id FROM scope JOIN course c2"                           \
    "  ON c2.organization_id = scope.id JOIN event e2 ON e2.course_id = c2.id"

int veche_store_person_event_roles(veche_store *s, int64_t person_id, unsigned *mask)
{
    if (!s || !mask)
        return VECHE_EINVAL;
    *mask = 0;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st,
                          "SELECT ifnull(a.blocked, 0), ifnull(a.platform_admin, 0),"
                          " EXISTS (SELECT 1 FROM event)"
                          " FROM person p LEFT JOIN account a ON a.person_id = p.id"
                          " WHERE p.id = ?", "i", person_id);
    if (r < 0)
        return r;
    bool blocked = false, platform = false, any = false;
    r = store_step(s, st);
    if (r == 1) {
        blocked = sqlite3_column_int(st, 0) != 0;
        platform = sqlite3_column_int(st, 1) != 0;
        any = sqlite3_column_int(st, 2) != 0;
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    if (r < 0 || blocked || !any)
        return r;
    if (platform) {  /* the highest role, in every event */
        *mask = 1u << VECHE_ACCESS_PLATFORM_ADMIN;
        return 0;
    }
    /* Events of the organizations administered: org_admin, higher than any
     * role a roster gives. */
    int64_t admin = 0;
    r = store_query_int(s, &admin, STORE_SCOPE_CTE "SELECT EXISTS (" ADMIN_EVENT_IDS ")", "ii",
                        (int64_t)0, person_id);
    if (r < 0)
        return r;
    if (admin)
        *mask |= 1u << VECHE_ACCESS_ORG_ADMIN;
    /* Elsewhere: the role of the event's roster, or guest where the person
     * is a guest but not on the roster (guest is the lowest role). */
    r = store_prepare(s, &st, STORE_SCOPE_CTE
        "SELECT m.role FROM body_member m JOIN body b ON b.id = m.body_id"
        " WHERE m.person_id = ?2 AND b.organization_id NOT IN scope"
        "  AND EXISTS (SELECT 1 FROM event e WHERE e.body_id = m.body_id)"
        " UNION SELECT m.role FROM course_member m JOIN course c ON c.id = m.course_id"
        " WHERE m.person_id = ?2 AND c.organization_id NOT IN scope"
        "  AND EXISTS (SELECT 1 FROM event e WHERE e.course_id = m.course_id)"
        " UNION SELECT 'guest' FROM event_guest g JOIN event e ON e.id = g.event_id"
        "  LEFT JOIN body b ON b.id = e.body_id LEFT JOIN course c ON c.id = e.course_id"
        " WHERE g.person_id = ?2"
        "  AND coalesce(b.organization_id, c.organization_id) NOT IN scope"
        "  AND NOT EXISTS (SELECT 1 FROM body_member m"
        "                  WHERE m.body_id = e.body_id AND m.person_id = ?2)"
        "  AND NOT EXISTS (SELECT 1 FROM course_member m"
        "                  WHERE m.course_id = e.course_id AND m.person_id = ?2)",
        "ii", (int64_t)0, person_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_access_role role;
        if (veche_access_role_parse((const char *)sqlite3_column_text(st, 0), &role) != 0) {
            r = VECHE_EMALFORMED;
            break;
        }
        *mask |= 1u << role;
    }
    sqlite3_finalize(st);
    if (r < 0)
        *mask = 0;
    return r < 0 ? r : 0;
}

int veche_store_events_for_person(veche_store *s, int64_t person_id,
                                  veche_store_event_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, STORE_SCOPE_CTE EVENT_COLUMNS
        "WHERE e.id IN ("
        " SELECT e2.id FROM body_member m JOIN event e2 ON e2.body_id = m.body_id"
        "  WHERE m.person_id = ?2"
        " UNION SELECT e2.id FROM course_member m JOIN event e2 ON e2.course_id = m.course_id"
        "  WHERE m.person_id = ?2"
        " UNION SELECT event_id FROM event_guest WHERE person_id = ?2"
        " UNION" ADMIN_EVENT_IDS
        " UNION SELECT id FROM event WHERE EXISTS (SELECT 1 FROM account"
        "  WHERE person_id = ?2 AND platform_admin = 1))"
        " ORDER BY e.starts_at, e.id",
        "ii", (int64_t)0, person_id);
    return r < 0 ? r : each_event(s, st, cb, ud);
}
