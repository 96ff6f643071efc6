/* policy.c - the rights table of policy.h. */
#include "policy.h"

#include <string.h>

bool veche_room_kind_parse(const char *s, veche_room_kind *out)
{
    if (s && strcmp(s, "meeting") == 0)
        *out = VECHE_ROOM_MEETING;
    else if (s && strcmp(s, "training") == 0)
        *out = VECHE_ROOM_TRAINING;
    else
        return false;
    return true;
}

bool veche_room_id_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > VECHE_ROOM_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '.' || s[i] == '-'))
            return false;
    return true;
}

const char *veche_room_kind_name(veche_room_kind k)
{
    return k == VECHE_ROOM_TRAINING ? "training" : "meeting";
}

const char *veche_role_name(veche_room_kind k, veche_role r)
{
    switch (r) {
    case VECHE_ROLE_MODERATOR:
        return k == VECHE_ROOM_TRAINING ? "trainer" : "chair";
    case VECHE_ROLE_MEMBER:
        return k == VECHE_ROOM_TRAINING ? "activist" : "member";
    case VECHE_ROLE_GUEST:
        return "guest";
    }
    return "guest";
}

bool veche_policy_allows(veche_room_kind kind, veche_role role, bool has_floor,
                         veche_right right)
{
    bool moderator = role == VECHE_ROLE_MODERATOR;
    switch (right) {
    case VECHE_RIGHT_MODERATE:
        return moderator;
    case VECHE_RIGHT_CHAT:
        return true;
    case VECHE_RIGHT_RAISE_HAND:
        return !moderator && kind == VECHE_ROOM_TRAINING;
    case VECHE_RIGHT_REQUEST_FLOOR:
        return !moderator && kind == VECHE_ROOM_MEETING;
    case VECHE_RIGHT_PUBLISH:
    case VECHE_RIGHT_SCREEN:
        return kind == VECHE_ROOM_MEETING || moderator || has_floor;
    }
    return false;
}

const char *veche_policy_refusal(veche_room_kind kind, veche_right right)
{
    switch (right) {
    case VECHE_RIGHT_MODERATE:
        return kind == VECHE_ROOM_TRAINING ? "only the trainer may do this"
                                           : "only the chair may do this";
    case VECHE_RIGHT_RAISE_HAND:
        return kind == VECHE_ROOM_MEETING
                   ? "a meeting has a speakers list: ask for the floor (speak-request)"
                   : "the moderator does not raise a hand";
    case VECHE_RIGHT_REQUEST_FLOOR:
        return kind == VECHE_ROOM_MEETING ? "the chair gives the floor; it does not ask"
                                          : "a training has no speakers list; raise your hand";
    case VECHE_RIGHT_PUBLISH:
    case VECHE_RIGHT_SCREEN:
        return "in a training session only the trainer and those given the floor "
               "may send audio or video; raise your hand";
    case VECHE_RIGHT_CHAT:
        break;
    }
    return "not allowed";
}
