/* speakers_room.c - the speakers list requests of a meeting's room:
 * speak-request / speak-withdraw from a participant, speakers-give, -skip,
 * -move, -limit, -done from the chair (the room's moderators), and the
 * reset when the agenda moves on.  Rights come from policy.c
 * (VECHE_RIGHT_REQUEST_FLOOR, VECHE_RIGHT_MODERATE); the list itself is
 * speakers.c; every change goes to everyone as one SPEAKERS event.
 *
 * Giving the floor is the floor of moderation.c: the speaker's has_floor
 * is set (and the previous speaker's cleared), with a `floor` event each.
 * In a training the list is refused: trainings keep the raised hand.
 */
#include "sfu.h"

#include <string.h>

#include "err.h"
#include "log.h"

static int refuse(veche_sfu_error *err, const char *code, const char *reason)
{
    err->code = code;
    g_strlcpy(err->reason, reason, sizeof err->reason);
    return strcmp(code, "forbidden") == 0 ? VECHE_EDENIED : VECHE_EINVAL;
}

static int check(const veche_participant *p, veche_right right, veche_sfu_error *err)
{
    if (p->room->kind != VECHE_ROOM_MEETING)
        return refuse(err, "unsupported",
                      "a training has no speakers list; raise your hand instead");
    if (veche_policy_allows(p->room->kind, p->role, p->has_floor, right))
        return 0;
    return refuse(err, "forbidden", veche_policy_refusal(p->room->kind, right));
}

static void set_floor(veche_room *room, const char *id, bool granted)
{
    veche_participant *t = id && *id ? veche_room_find(room, id) : NULL;
    if (!t || t->has_floor == granted)
        return;
    t->has_floor = granted;
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_FLOOR);
    g_strlcpy(ev->participant, t->id, sizeof ev->participant);
    ev->flag = granted;
    veche_room_broadcast(room, NULL, ev);
}

int veche_participant_speak_request(veche_participant *p, veche_sfu_error *err)
{
    if (check(p, VECHE_RIGHT_REQUEST_FLOOR, err))
        return VECHE_EDENIED;
    int rc = veche_speakers_request(p->room->speakers, p->id);
    if (rc == VECHE_EEXISTS)
        return 0;  /* asked already: nothing changes */
    if (rc == VECHE_ELIMIT)
        return refuse(err, "speakers-full", "the speakers list is full");
    VLOG_INFO(p->room->id, p->id, "asked for the floor");
    veche_room_send_speakers(p->room);
    return 0;
}

int veche_participant_speak_withdraw(veche_participant *p, veche_sfu_error *err)
{
    if (p->room->kind != VECHE_ROOM_MEETING)  /* anyone may withdraw */
        return refuse(err, "unsupported", "a training has no speakers list");
    if (veche_speakers_withdraw(p->room->speakers, p->id) == 0) {
        VLOG_INFO(p->room->id, p->id, "withdrew from the speakers list");
        veche_room_send_speakers(p->room);
    }
    return 0;
}

static veche_participant *target(veche_participant *p, const char *id, veche_sfu_error *err)
{
    veche_participant *t = id ? veche_room_find(p->room, id) : NULL;
    if (!t)
        refuse(err, "no-such-participant", "no participant with that id in this room");
    return t;
}

int veche_participant_speakers_give(veche_participant *p, const char *id, int seconds,
                                    veche_sfu_error *err)
{
    if (check(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    if (id && !target(p, id, err))
        return VECHE_ENOTFOUND;
    char prev[VECHE_PARTICIPANT_ID_LEN];
    if (veche_speakers_give(p->room->speakers, id, seconds,
                            g_get_real_time() / 1000, prev) != 0)
        return refuse(err, "no-speakers", "nobody has asked for the floor");
    const char *now = veche_speakers_speaking(p->room->speakers);
    if (strcmp(prev, now) != 0)
        set_floor(p->room, prev, false);
    set_floor(p->room, now, true);
    VLOG_INFO(p->room->id, now, "given the floor from the speakers list by %s", p->id);
    veche_room_send_speakers(p->room);
    return 0;
}

int veche_participant_speakers_skip(veche_participant *p, const char *id,
                                    veche_sfu_error *err)
{
    if (check(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    if (veche_speakers_withdraw(p->room->speakers, id) != 0)
        return refuse(err, "not-listed", "this participant is not on the speakers list");
    VLOG_INFO(p->room->id, id, "skipped on the speakers list by %s", p->id);
    veche_room_send_speakers(p->room);
    return 0;
}

int veche_participant_speakers_move(veche_participant *p, const char *id, int position,
                                    veche_sfu_error *err)
{
    if (check(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    if (position < 1)
        return refuse(err, "bad-request", "position must be 1 or more");
    if (veche_speakers_move(p->room->speakers, id, (unsigned)position) != 0)
        return refuse(err, "not-listed", "this participant is not on the speakers list");
    veche_room_send_speakers(p->room);
    return 0;
}

int veche_participant_speakers_limit(veche_participant *p, int seconds, veche_sfu_error *err)
{
    if (check(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    veche_speakers_set_limit(p->room->speakers, seconds > 0 ? (unsigned)seconds : 0);
    veche_room_send_speakers(p->room);
    return 0;
}

int veche_participant_speakers_done(veche_participant *p, veche_sfu_error *err)
{
    const char *now = veche_speakers_speaking(p->room->speakers);
    bool own = p->room->kind == VECHE_ROOM_MEETING && strcmp(now, p->id) == 0;
    if (!own && check(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    char prev[VECHE_PARTICIPANT_ID_LEN];
    if (veche_speakers_done(p->room->speakers, prev)) {
        set_floor(p->room, prev, false);
        veche_room_send_speakers(p->room);
    }
    return 0;
}

void veche_room_speakers_reset(veche_room *room, int64_t item)
{
    if (room->kind != VECHE_ROOM_MEETING)
        return;
    char prev[VECHE_PARTICIPANT_ID_LEN];
    veche_speakers_reset(room->speakers, item, prev);
    set_floor(room, prev, false);
    veche_room_send_speakers(room);
}
