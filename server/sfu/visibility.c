/* visibility.c - who sees whom in a big training session (issue 14).
 *
 * In a training, an activist needs the trainer (and whoever else
 * moderates), the people who publish or have the floor, and the size of
 * the room; not the other 499 activists.  So, in a training room only:
 *
 *   - a member (activist, guest) sees the moderators, itself, and the
 *     participants that are *revealed*: given the floor or publishing a
 *     track;
 *   - when the floor is taken back from a revealed one who then publishes
 *     nothing, it is *concealed* again: the members other than itself get
 *     `participant-left` with `hidden` (its tile and list entry go), the
 *     moderators still see it;
 *   - moderators see everyone (and have the attendance protocol besides);
 *   - `participant-joined` / `-left` and `hand` about a participant go only
 *     to those who see it, and `joined` lists only them;
 *   - when a participant is revealed, the members who did not see it get
 *     its `participant-joined` then (before its floor or track-added);
 *   - members get the room's size as `room-size` {present}, from the room's
 *     2 s quality tick and only when it changed: at most one every 2 s per
 *     member, whatever the number joining.
 * So a join costs O(moderators) messages, not O(room), and an activist's
 * traffic during a join storm does not grow with the room.  A meeting is
 * unchanged: every member of a body sees every other (the roll call, hands,
 * the speakers list are public there).
 *
 * Media worker thread, like the rest of the room.  Not here: attendance
 * (signal/attendance.c) and the policy of who may do what (policy.c).
 */
#include "sfu.h"
#include "log.h"

bool veche_room_sees(const veche_room *room, const veche_participant *viewer,
                     const veche_participant *p)
{
    if (room->kind != VECHE_ROOM_TRAINING || viewer == p ||
        viewer->role == VECHE_ROLE_MODERATOR)
        return true;
    return p->role == VECHE_ROLE_MODERATOR || p->revealed || p->has_floor;
}

/* Those who see p only while it is revealed: the members but p. */
static bool sees_only_revealed(const veche_participant *v, const veche_participant *p)
{
    return v != p && v->role != VECHE_ROLE_MODERATOR;
}

void veche_room_broadcast_about(veche_room *room, const veche_participant *subject,
                                const veche_participant *except, veche_sfu_event *ev)
{
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *v = g_ptr_array_index(room->participants, i);
        if (v != except && veche_room_sees(room, v, subject))
            veche_sfu_event_add_to(ev, v->client, v->id);
    }
    veche_room_emit(room, ev);
}

void veche_room_reveal(veche_room *room, veche_participant *p)
{
    if (room->kind != VECHE_ROOM_TRAINING || p->role == VECHE_ROLE_MODERATOR || p->revealed)
        return;
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_PARTICIPANT_JOINED);
    veche_room_describe(p, &ev->who);
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *v = g_ptr_array_index(room->participants, i);
        if (v != p && !veche_room_sees(room, v, p))
            veche_sfu_event_add_to(ev, v->client, v->id);
    }
    p->revealed = true;
    veche_room_emit(room, ev);  /* frees it when it has no addressee */
}

void veche_room_conceal(veche_room *room, veche_participant *p)
{
    if (room->kind != VECHE_ROOM_TRAINING || p->role == VECHE_ROLE_MODERATOR || !p->revealed ||
        p->has_floor || p->tracks->len > 0)
        return;
    p->revealed = false;
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_PARTICIPANT_LEFT);
    g_strlcpy(ev->participant, p->id, sizeof ev->participant);
    ev->flag = true;  /* hidden: still in the room */
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *v = g_ptr_array_index(room->participants, i);
        if (sees_only_revealed(v, p))
            veche_sfu_event_add_to(ev, v->client, v->id);
    }
    VLOG_INFO(room->id, p->id, "concealed from %u member%s", ev->n_to, ev->n_to == 1 ? "" : "s");
    veche_room_emit(room, ev);  /* frees it when it has no addressee */
}

void veche_room_send_size(veche_room *room)
{
    unsigned n = room->participants->len;
    if (room->kind != VECHE_ROOM_TRAINING || n == room->size_sent)
        return;
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_ROOM_SIZE);
    ev->present = n;
    for (guint i = 0; i < n; i++) {
        veche_participant *v = g_ptr_array_index(room->participants, i);
        if (v->role != VECHE_ROLE_MODERATOR)
            veche_sfu_event_add_to(ev, v->client, v->id);
    }
    room->size_sent = n;
    veche_room_emit(room, ev);  /* frees it when it has no addressee */
}
