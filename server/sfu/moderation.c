/* moderation.c - the requests that make a room a meeting or a training
 * session rather than a bare SFU room: chat, raised hands, the floor,
 * muting, removal, locking.
 *
 * This file only checks rights and carries requests out: the room
 * (room.c) owns membership, roles, resume and the event fan-out, and this
 * file asks it; room.c never calls here.
 *
 * Every request checks the caller's rights with veche_policy_allows(); the
 * media consequences are enforced here, not by the client: a muted
 * participant's audio is not forwarded (track.c checks owner->muted), and
 * taking the floor back drops the participant's publish transport.
 * Not here: rosters and accounts.  In an event's room the role comes from
 * the roster (req->fixed_role, decided in auth.c); in an anonymous room
 * the creator moderates, and so does whoever presents its moderator key.
 */
#include "sfu.h"

#include <string.h>

#include "err.h"
#include "log.h"

static int refuse(veche_sfu_error *err, const char *code, const char *reason)
{
    err->code = code;
    g_strlcpy(err->reason, reason, sizeof err->reason);
    return code[0] == 'f' ? VECHE_EDENIED : VECHE_EINVAL;
}

static int check_right(const veche_participant *p, veche_right right, veche_sfu_error *err)
{
    if (veche_policy_allows(p->room->kind, p->role, p->has_floor, right))
        return 0;
    return refuse(err, "forbidden", veche_policy_refusal(p->room->kind, right));
}

/* --- requests --- */

int veche_participant_chat(veche_participant *p, const char *text, int64_t author_event,
                           int64_t author_person, veche_sfu_error *err)
{
    if (check_right(p, VECHE_RIGHT_CHAT, err))
        return VECHE_EDENIED;
    if (p->chat_muted)
        return refuse(err, "forbidden", "a moderator has turned your chat off");
    if (!veche_chat_valid(text))
        return refuse(err, "bad-request",
                      "text must be 1-2000 characters of printable UTF-8");
    veche_sfu_event *ev = veche_room_event(p->room, VECHE_EV_CHAT);
    veche_chat_add(p->room->chat, p->id, p->name, text, g_get_real_time() / 1000, &ev->chat);
    ev->chat.author_event = author_event;
    ev->chat.author_person = author_person;
    veche_room_broadcast(p->room, NULL, ev);
    return 0;
}

static veche_participant *target_of(veche_participant *p, const char *target,
                                    veche_sfu_error *err)
{
    veche_participant *t = target ? veche_room_find(p->room, target) : p;
    if (!t)
        refuse(err, "no-such-participant", "no participant with that id in this room");
    return t;
}

/* hand, floor, locked: the subject and one flag, to those who see the
 * subject (in a training: its moderators and itself, unless it has been
 * revealed; visibility.c) */
static void broadcast_flag(veche_participant *t, veche_sfu_event_type type, bool flag)
{
    veche_sfu_event *ev = veche_room_event(t->room, type);
    g_strlcpy(ev->participant, t->id, sizeof ev->participant);
    ev->flag = flag;
    veche_room_broadcast_about(t->room, t, NULL, ev);
}

static void broadcast_hand(veche_participant *t)
{
    broadcast_flag(t, VECHE_EV_HAND, t->hand_raised);
}

int veche_participant_set_hand(veche_participant *p, const char *target, bool raised,
                               veche_sfu_error *err)
{
    veche_participant *t = target_of(p, target, err);
    if (!t)
        return VECHE_ENOTFOUND;
    if (raised) {
        if (t != p)
            return refuse(err, "forbidden", "only you can raise your hand");
        if (check_right(p, VECHE_RIGHT_RAISE_HAND, err))
            return VECHE_EDENIED;
        if (!p->hand_raised) {
            p->hand_raised = true;
            g_ptr_array_add(p->room->hands, g_strdup(p->id));
            broadcast_hand(p);
        }
        return 0;
    }
    if (t != p && check_right(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    if (t->hand_raised) {
        veche_room_forget_hand(t->room, t);
        broadcast_hand(t);
    }
    return 0;
}

static void broadcast_floor(veche_participant *t)
{
    broadcast_flag(t, VECHE_EV_FLOOR, t->has_floor);
}

int veche_participant_set_floor(veche_participant *p, const char *target, bool granted,
                                veche_sfu_error *err)
{
    if (check_right(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    veche_participant *t = target_of(p, target, err);
    if (!t)
        return VECHE_ENOTFOUND;
    if (granted) {
        if (t->hand_raised) {
            veche_room_forget_hand(t->room, t);
            broadcast_hand(t);
        }
        veche_room_reveal(t->room, t);  /* before its `floor` */
        t->has_floor = true;
        VLOG_INFO(p->room->id, t->id, "floor given by %s", p->id);
    } else {
        t->has_floor = false;
        /* Enforced: media stops now, whatever the client does. */
        if (!veche_policy_allows(t->room->kind, t->role, false, VECHE_RIGHT_PUBLISH))
            veche_participant_unpublish(t);
        VLOG_INFO(p->room->id, t->id, "floor taken back by %s", p->id);
    }
    broadcast_floor(t);
    if (!granted)
        veche_room_conceal(t->room, t);  /* after its `floor`: hidden again */
    return 0;
}

static void set_muted(veche_participant *t, bool muted, const veche_participant *by)
{
    if (t->muted == muted)
        return;
    t->muted = muted;
    if (muted)
        veche_speaker_forget(t->room->speaker, t);
    VLOG_INFO(t->room->id, t->id, "%s by %s", muted ? "muted" : "unmuted", by->id);
    veche_sfu_event *ev = veche_room_event(t->room, VECHE_EV_MUTED);
    g_strlcpy(ev->participant, t->id, sizeof ev->participant);
    g_strlcpy(ev->by, by->id, sizeof ev->by);
    ev->flag = muted;
    veche_room_broadcast_about(t->room, t, NULL, ev);  /* "mute all": O(N), not O(N^2) */
}

int veche_participant_mute(veche_participant *p, const char *target, veche_sfu_error *err)
{
    if (target && strcmp(target, p->id) == 0) {
        set_muted(p, true, p);
        return 0;
    }
    if (check_right(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    if (target) {
        veche_participant *t = target_of(p, target, err);
        if (!t)
            return VECHE_ENOTFOUND;
        set_muted(t, true, p);
        return 0;
    }
    for (guint i = 0; i < p->room->participants->len; i++) {
        veche_participant *t = g_ptr_array_index(p->room->participants, i);
        if (t != p && !t->presides)   /* a secretary is muted too */
            set_muted(t, true, p);
    }
    return 0;
}

int veche_participant_mute_chat(veche_participant *p, const char *target, bool muted,
                                veche_sfu_error *err)
{
    if (check_right(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    veche_participant *t = target_of(p, target, err);
    if (!t)
        return VECHE_ENOTFOUND;
    if (t->chat_muted == muted)
        return 0;
    t->chat_muted = muted;
    VLOG_INFO(t->room->id, t->id, "chat %s by %s", muted ? "muted" : "unmuted", p->id);
    veche_sfu_event *ev = veche_room_event(t->room, VECHE_EV_CHAT_MUTED);
    g_strlcpy(ev->participant, t->id, sizeof ev->participant);
    g_strlcpy(ev->by, p->id, sizeof ev->by);
    ev->flag = muted;
    veche_room_broadcast_about(t->room, t, NULL, ev);
    return 0;
}

int veche_participant_unmute(veche_participant *p, veche_sfu_error *err)
{
    (void)err;
    set_muted(p, false, p);
    return 0;
}

int veche_participant_remove(veche_participant *p, const char *target, const char *reason,
                             veche_sfu_error *err)
{
    if (check_right(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    veche_participant *t = target_of(p, target, err);
    if (!t)
        return VECHE_ENOTFOUND;
    if (t == p)
        return refuse(err, "bad-request", "use leave to leave the room yourself");
    VLOG_INFO(p->room->id, t->id, "removed by %s", p->id);
    veche_sfu_event *ev = veche_room_event(p->room, VECHE_EV_REMOVED);
    ev->code = reason && *reason ? "by-moderator-reason" : "by-moderator";
    ev->text = g_strdup(reason && *reason ? reason : "removed by the moderator");
    veche_participant_send(t, ev);  /* told first: once it left, it is not addressable */
    veche_participant_leave(t);
    return 0;
}

int veche_participant_lock(veche_participant *p, bool locked, veche_sfu_error *err)
{
    if (check_right(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    if (p->room->locked != locked) {
        p->room->locked = locked;
        VLOG_INFO(p->room->id, p->id, "room %s", locked ? "locked" : "unlocked");
        veche_sfu_event *ev = veche_room_event(p->room, VECHE_EV_LOCKED);
        ev->flag = locked;
        veche_room_broadcast(p->room, NULL, ev);
    }
    return 0;
}
