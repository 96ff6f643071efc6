/* access.h - the roles a person holds in an event through the rosters and
 * the organization tree, and what each role may do.
 *
 * These are the organizational roles of issue #4; the room roles of
 * policy.h (moderator, member, guest) are what they become inside a room,
 * see veche_access_room_role().  Roles, lowest to highest (a person with
 * several gets the highest):
 *
 *   guest           invited to one event, no vote
 *   activist        enrolled in a course
 *   member          member of a body (voting or not)
 *   trainer         runs a course
 *   secretary       of a body
 *   chair           of a body
 *   org_admin       administers the event's organization or one above it
 *   platform_admin  administers the whole installation
 *
 * Voting is not a role: it is the body membership's voting flag, reported
 * next to the role by admission (docs/data-model.md).  The permission table
 * says what a role may do *within the event or organization where it
 * holds*; the store resolves where that is.  Pure; no globals.
 */
#ifndef VECHE_ACCESS_H
#define VECHE_ACCESS_H

#include <stdbool.h>

#include "policy.h"

typedef enum {
    VECHE_ACCESS_NONE = 0,
    VECHE_ACCESS_GUEST,
    VECHE_ACCESS_ACTIVIST,
    VECHE_ACCESS_MEMBER,
    VECHE_ACCESS_TRAINER,
    VECHE_ACCESS_SECRETARY,
    VECHE_ACCESS_CHAIR,
    VECHE_ACCESS_ORG_ADMIN,
    VECHE_ACCESS_PLATFORM_ADMIN,
} veche_access_role;

#define VECHE_ACCESS_COUNT (VECHE_ACCESS_PLATFORM_ADMIN + 1)

typedef enum {
    VECHE_ACCESS_MAY_ATTEND,            /* join the event's room */
    VECHE_ACCESS_MAY_MODERATE,          /* mute or remove others, end the meeting */
    VECHE_ACCESS_MAY_MANAGE_EVENT,      /* schedule, edit, invite guests, send links */
    VECHE_ACCESS_MAY_EXPORT_ATTENDANCE, /* attendance and quorum log as CSV */
    VECHE_ACCESS_MAY_MANAGE_ROSTER,     /* bodies, courses, memberships, CSV import */
    VECHE_ACCESS_MAY_MANAGE_ACCOUNTS,   /* create, block, reset passwords */
    VECHE_ACCESS_MAY_MANAGE_ORGS,       /* top-level organizations, platform admins (an
                                         * org admin creates sub-organizations below
                                         * their own: api_admin_org.c) */
} veche_access_perm;

/* "chair", "org_admin", ...; "none" for VECHE_ACCESS_NONE, "?" if unknown. */
const char *veche_access_role_name(veche_access_role role);
/* Parse a name as veche_access_role_name() writes it, ignoring ASCII case.
 * Returns 0 or VECHE_EINVAL ("none" is not accepted). */
int veche_access_role_parse(const char *name, veche_access_role *out);

/* chair, secretary, member: roles on a body's roster. */
bool veche_access_is_body_role(veche_access_role role);
/* trainer, activist: roles on a course's roster. */
bool veche_access_is_course_role(veche_access_role role);

/* The permission table; false for unknown roles and permissions. */
bool veche_access_may(veche_access_role role, veche_access_perm perm);

/* The role in the room (policy.h): staff (trainer, secretary, chair,
 * org_admin, platform_admin) moderate, member and activist are members,
 * a guest is a guest.  VECHE_ACCESS_NONE (not admitted) gives guest, the
 * least; callers admit first. */
veche_role veche_access_room_role(veche_access_role role);

#endif
