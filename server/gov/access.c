/* role.c - role names and the permission table.  See role.h; the same
 * table is in docs/data-model.md. */
#include "access.h"

#include <strings.h>

#include "err.h"

static const char *const names[VECHE_ACCESS_COUNT] = {
    [VECHE_ACCESS_NONE] = "none",
    [VECHE_ACCESS_GUEST] = "guest",
    [VECHE_ACCESS_ACTIVIST] = "activist",
    [VECHE_ACCESS_MEMBER] = "member",
    [VECHE_ACCESS_TRAINER] = "trainer",
    [VECHE_ACCESS_SECRETARY] = "secretary",
    [VECHE_ACCESS_CHAIR] = "chair",
    [VECHE_ACCESS_ORG_ADMIN] = "org_admin",
    [VECHE_ACCESS_PLATFORM_ADMIN] = "platform_admin",
};

#define P(perm) (1u << (perm))
#define EVENT_STAFF (P(VECHE_ACCESS_MAY_ATTEND) | P(VECHE_ACCESS_MAY_MODERATE) |          \
                     P(VECHE_ACCESS_MAY_MANAGE_EVENT) |                             \
                     P(VECHE_ACCESS_MAY_EXPORT_ATTENDANCE))

/* One row per role: the permissions it carries. */
static const unsigned perms[VECHE_ACCESS_COUNT] = {
    [VECHE_ACCESS_NONE] = 0,
    [VECHE_ACCESS_GUEST] = P(VECHE_ACCESS_MAY_ATTEND),
    [VECHE_ACCESS_ACTIVIST] = P(VECHE_ACCESS_MAY_ATTEND),
    [VECHE_ACCESS_MEMBER] = P(VECHE_ACCESS_MAY_ATTEND),
    [VECHE_ACCESS_TRAINER] = EVENT_STAFF,
    [VECHE_ACCESS_SECRETARY] = EVENT_STAFF,
    [VECHE_ACCESS_CHAIR] = EVENT_STAFF,
    [VECHE_ACCESS_ORG_ADMIN] = EVENT_STAFF | P(VECHE_ACCESS_MAY_MANAGE_ROSTER) |
                             P(VECHE_ACCESS_MAY_MANAGE_ACCOUNTS),
    [VECHE_ACCESS_PLATFORM_ADMIN] = EVENT_STAFF | P(VECHE_ACCESS_MAY_MANAGE_ROSTER) |
                                  P(VECHE_ACCESS_MAY_MANAGE_ACCOUNTS) |
                                  P(VECHE_ACCESS_MAY_MANAGE_ORGS),
};

const char *veche_access_role_name(veche_access_role role)
{
    return (unsigned)role < VECHE_ACCESS_COUNT ? names[role] : "?";
}

int veche_access_role_parse(const char *name, veche_access_role *out)
{
    if (!name || !out)
        return VECHE_EINVAL;
    for (unsigned i = VECHE_ACCESS_NONE + 1; i < VECHE_ACCESS_COUNT; i++)
        if (strcasecmp(name, names[i]) == 0) {
            *out = (veche_access_role)i;
            return 0;
        }
    return VECHE_EINVAL;
}

bool veche_access_is_body_role(veche_access_role role)
{
    return role == VECHE_ACCESS_CHAIR || role == VECHE_ACCESS_SECRETARY ||
           role == VECHE_ACCESS_MEMBER;
}

bool veche_access_is_course_role(veche_access_role role)
{
    return role == VECHE_ACCESS_TRAINER || role == VECHE_ACCESS_ACTIVIST;
}

bool veche_access_may(veche_access_role role, veche_access_perm perm)
{
    if ((unsigned)role >= VECHE_ACCESS_COUNT || (unsigned)perm >= 32)
        return false;
    return (perms[role] & P(perm)) != 0;
}

veche_role veche_access_room_role(veche_access_role role)
{
    if (veche_access_may(role, VECHE_ACCESS_MAY_MODERATE))
        return VECHE_ROLE_MODERATOR;
    if (role == VECHE_ACCESS_MEMBER || role == VECHE_ACCESS_ACTIVIST)
        return VECHE_ROLE_MEMBER;
    return VECHE_ROLE_GUEST;
}
