/* store_admin.c - the listings behind the administration pages:
 * organizations, persons with their account flags, bodies and courses
 * with member counts, all restricted to a scope of organizations (the
 * subtree of one organization, or the subtrees a person administers).
 * Events in scope are listed by store_events.c (veche_store_events_in).
 * See store.h. */
#include <string.h>

#include "err.h"
#include "store_int.h"

int veche_store_orgs_list(veche_store *s, int64_t org_id, int64_t admin_id,
                          veche_store_org_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, STORE_SCOPE_CTE
                          "SELECT id, ifnull(parent_id, 0), level, name"
                          " FROM organization WHERE id IN scope ORDER BY id",
                          "ii", org_id, admin_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_org o;
        if ((r = store_row_org(st, &o)) != 0 || (r = cb(ud, &o)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_people_list(veche_store *s, int64_t org_id, int64_t admin_id,
                            veche_store_person_info_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    /* With neither org_id nor admin_id, persons of no organization too. */
    int r = store_prepare(s, &st, STORE_SCOPE_CTE
                          "SELECT p.id, ifnull(p.organization_id, 0), p.full_name,"
                          " p.email, ifnull(p.phone, ''), a.person_id IS NOT NULL,"
                          " ifnull(a.blocked, 0), ifnull(a.must_change_password, 0),"
                          " ifnull(a.platform_admin, 0)"
                          " FROM person p LEFT JOIN account a ON a.person_id = p.id"
                          " WHERE (?1 <= 0 AND ?2 <= 0) OR p.organization_id IN scope"
                          " ORDER BY p.full_name, p.id",
                          "ii", org_id, admin_id);
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
    return r;
}

int veche_store_bodies_list(veche_store *s, int64_t org_id, int64_t admin_id,
                            veche_store_body_info_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, STORE_SCOPE_CTE
                          "SELECT b.id, b.organization_id, b.name, b.quorum_num,"
                          " b.quorum_den, b.quorum_mode,"
                          " (SELECT count(*) FROM body_member m WHERE m.body_id = b.id),"
                          " (SELECT count(*) FROM body_member m WHERE m.body_id = b.id"
                          "  AND m.voting = 1), b.allow_recording"
                          " FROM body b WHERE b.organization_id IN scope"
                          " ORDER BY b.name, b.id",
                          "ii", org_id, admin_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_body_info bi;
        memset(&bi, 0, sizeof bi);
        store_row_body(st, &bi.body);
        bi.members = (unsigned)sqlite3_column_int64(st, 6);
        bi.voting = (unsigned)sqlite3_column_int64(st, 7);
        bi.allow_recording = sqlite3_column_int64(st, 8) != 0;
        if ((r = cb(ud, &bi)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_courses_list(veche_store *s, int64_t org_id, int64_t admin_id,
                             veche_store_course_info_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, STORE_SCOPE_CTE
                          "SELECT k.id, k.organization_id, k.name,"
                          " (SELECT count(*) FROM course_member m"
                          "  WHERE m.course_id = k.id)"
                          " FROM course k WHERE k.organization_id IN scope"
                          " ORDER BY k.name, k.id",
                          "ii", org_id, admin_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_course_info ci;
        memset(&ci, 0, sizeof ci);
        store_row_course(st, &ci.course);
        ci.members = (unsigned)sqlite3_column_int64(st, 3);
        if ((r = cb(ud, &ci)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}
