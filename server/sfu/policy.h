/* policy.h - who may do what in a room: the room kinds (meeting, training),
 * the roles in them and the rights each role has.  The server asks here on
 * every request; the web client only mirrors it.
 *
 *   meeting  (an elected body):  everyone publishes camera, microphone and
 *            screen; the chair (moderator) mutes, removes, locks; members
 *            and guests (observers too: members without a vote) ask for
 *            the floor on the speakers list, which replaces the raised
 *            hand; the chair and the secretary give it.
 *   training (a trainer and activists): the trainer (moderator) publishes;
 *            an activist publishes only while given the floor.
 *
 * Pure functions over plain values; no state, no I/O.
 */
#ifndef VECHE_POLICY_H
#define VECHE_POLICY_H

#include <stdbool.h>

typedef enum { VECHE_ROOM_MEETING, VECHE_ROOM_TRAINING } veche_room_kind;

typedef enum {
    VECHE_ROLE_MODERATOR,   /* chair of a meeting, trainer of a training */
    VECHE_ROLE_MEMBER,      /* member of the body, activist of the course */
    VECHE_ROLE_GUEST,       /* invited: no vote; otherwise like a member */
} veche_role;

typedef enum {
    VECHE_RIGHT_PUBLISH,     /* camera and microphone */
    VECHE_RIGHT_SCREEN,      /* an additional screen-share video track */
    VECHE_RIGHT_MODERATE,    /* mute others, mute all, remove, lock, floor */
    VECHE_RIGHT_RAISE_HAND,
    VECHE_RIGHT_CHAT,
    VECHE_RIGHT_REQUEST_FLOOR,  /* join a meeting's speakers list */
} veche_right;

/* "meeting"/"training" <-> kind; parse returns false for anything else. */
bool veche_room_kind_parse(const char *s, veche_room_kind *out);

#define VECHE_ROOM_ID_MAX 64      /* bytes of a room id */
/* Whether s is a room id: 1 to VECHE_ROOM_ID_MAX of A-Z a-z 0-9 _ . -
 * (signalling, event rooms made by the admin API and vechectl alike). */
bool veche_room_id_valid(const char *s);
const char *veche_room_kind_name(veche_room_kind k);
const char *veche_role_name(veche_room_kind k, veche_role r);  /* "chair", "trainer", ... */

/* Whether a participant with `role` (holding the floor or not) has `right`
 * in a room of `kind`. */
bool veche_policy_allows(veche_room_kind kind, veche_role role, bool has_floor,
                         veche_right right);

/* The error reason for a refused right, for people. */
const char *veche_policy_refusal(veche_room_kind kind, veche_right right);

#endif
