/* events_json.c - typed SFU events to protocol JSON; see events_json.h.
 * One encoder per event type, in a table; member order follows
 * docs/protocol.md's examples. */
#include "events_json.h"

#include <string.h>

static const char *kind_name(veche_sdp_kind kind)
{
    return kind == VECHE_SDP_AUDIO ? "audio" : "video";
}

static const char *pc_name(bool publish) { return publish ? "publish" : "subscribe"; }

static json_t *id_or_null(const char *id)
{
    return id[0] ? json_string(id) : json_null();
}

static json_t *track_json(const veche_sfu_track_info *t)
{
    return json_pack("{s:s, s:s, s:s}", "id", t->id, "kind", kind_name(t->kind), "source",
                     t->source);
}

static json_t *participant_json(const veche_sfu_participant_info *p, veche_room_kind kind)
{
    json_t *tracks = json_array();
    for (unsigned i = 0; i < p->n_tracks; i++)
        json_array_append_new(tracks, track_json(&p->tracks[i]));
    json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:b, s:b, s:b}", "id", p->id, "name",
                          p->name ? p->name : "", "tracks", tracks, "role",
                          veche_role_name(kind, p->role), "muted", p->muted, "hand", p->hand,
                          "floor", p->floor);
    if (o && p->title[0])  /* the role as people call it: secretary, observer */
        json_object_set_new(o, "title", json_string(p->title));
    if (o && p->chat_muted)
        json_object_set_new(o, "chatMuted", json_true());
    return o;
}

static json_t *chat_json(const veche_sfu_chat_msg *m)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:I}", "seq", (json_int_t)m->seq, "from", m->from,
                     "name", m->name ? m->name : "", "text", m->text ? m->text : "", "ts",
                     (json_int_t)m->ts_ms);
}

/* {list, speaking, now, since, deadline, limit, item}: times are the
 * server's wall clock in ms; the client counts down deadline - now from
 * when the message came. */
static json_t *speakers_state_json(const veche_sfu_speakers *s)
{
    json_t *list = json_array(), *away = json_array();
    for (unsigned i = 0; i < s->n && i < VECHE_SPEAKERS_MAX; i++) {
        json_array_append_new(list, json_string(s->list[i]));
        if (s->away[i])
            json_array_append_new(away, json_string(s->list[i]));
    }
    return json_pack("{s:o, s:o, s:o, s:I, s:o, s:o, s:i, s:o}", "list", list, "away", away,
                     "speaking", id_or_null(s->speaking), "now", (json_int_t)s->now_ms, "since",
                     s->since_ms ? json_integer(s->since_ms) : json_null(), "deadline",
                     s->deadline_ms ? json_integer(s->deadline_ms) : json_null(), "limit",
                     (int)s->limit_s, "item", s->item ? json_integer(s->item) : json_null());
}

static json_t *speakers_json(const veche_sfu_event *ev)
{
    if (!ev->speakers)
        return NULL;
    json_t *o = speakers_state_json(ev->speakers);
    if (o)
        json_object_set_new(o, "type", json_string("speakers"));
    return o;
}

static json_t *joined_json(const veche_sfu_event *ev)
{
    const veche_sfu_joined *j = ev->joined;
    json_t *others = json_array(), *hands = json_array(), *chat = json_array();
    for (unsigned i = 0; i < j->n_participants; i++)
        json_array_append_new(others, participant_json(&j->participants[i], j->kind));
    for (unsigned i = 0; i < j->n_hands; i++)
        json_array_append_new(hands, json_string(j->hands[i]));
    for (unsigned i = 0; i < j->n_chat; i++)
        json_array_append_new(chat, chat_json(&j->chat[i]));
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:o, s:o, s:o}",
                          "type", "joined", "room", ev->room, "participant", ev->participant,
                          "participants", others, "kind", veche_room_kind_name(j->kind),
                          "role", veche_role_name(j->kind, j->role), "resumeKey",
                          j->resume_key, "locked", j->locked, "speaker",
                          id_or_null(j->speaker), "hands", hands, "chat", chat);
    if (o && j->moderator_key[0])
        json_object_set_new(o, "moderatorKey", json_string(j->moderator_key));
    if (o) {
        json_object_set_new(o, "floor", json_boolean(j->floor));
        json_object_set_new(o, "muted", json_boolean(j->muted));
        json_object_set_new(o, "present", json_integer(j->present));
        if (j->speakers)
            json_object_set_new(o, "speakers", speakers_state_json(j->speakers));
    }
    return o;
}

static json_t *answer_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:s}", "type", "answer", "pc", pc_name(ev->publish_pc),
                     "sdp", ev->text ? ev->text : "");
}

static json_t *ok_json(const veche_sfu_event *ev)
{
    (void)ev;
    return json_pack("{s:s}", "type", "ok");
}

static json_t *error_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:s}", "type", "error", "code",
                     ev->code ? ev->code : "internal", "reason", ev->text ? ev->text : "");
}

static json_t *media_failed_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:s}", "type", "error", "code", "media-failed", "reason",
                     ev->text ? ev->text : "");
}

static json_t *participant_joined_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:o}", "type", "participant-joined", "participant",
                     participant_json(&ev->who, ev->kind));
}

static json_t *participant_left_json(const veche_sfu_event *ev)
{
    json_t *o = json_pack("{s:s, s:s}", "type", "participant-left", "participant",
                          ev->participant);
    if (o && ev->flag)  /* concealed, still in the room (sfu/visibility.c) */
        json_object_set_new(o, "hidden", json_true());
    return o;
}

static json_t *track_added_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:o}", "type", "track-added", "participant",
                     ev->participant, "track", track_json(&ev->track));
}

static json_t *track_removed_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:s}", "type", "track-removed", "participant",
                     ev->participant, "track", ev->track.id);
}

static json_t *offer_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:s}", "type", "offer", "pc", pc_name(ev->publish_pc),
                     "sdp", ev->text ? ev->text : "");
}

static json_t *candidate_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:s}", "type", "candidate", "pc", pc_name(ev->publish_pc),
                     "candidate", ev->text ? ev->text : "");
}

static json_t *chat_event_json(const veche_sfu_event *ev)
{
    json_t *o = chat_json(&ev->chat);
    if (o)
        json_object_set_new(o, "type", json_string("chat"));
    return o;
}

static json_t *flag_json(const veche_sfu_event *ev, const char *type, const char *flag)
{
    return json_pack("{s:s, s:s, s:b}", "type", type, "participant", ev->participant, flag,
                     ev->flag);
}

static json_t *hand_json(const veche_sfu_event *ev) { return flag_json(ev, "hand", "raised"); }
static json_t *floor_json(const veche_sfu_event *ev) { return flag_json(ev, "floor", "granted"); }

static json_t *muted_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:b, s:s}", "type", "muted", "participant", ev->participant,
                     "muted", ev->flag, "by", ev->by);
}

static json_t *chat_muted_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s, s:b, s:s}", "type", "chat-muted", "participant",
                     ev->participant, "muted", ev->flag, "by", ev->by);
}

static json_t *speaker_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:o}", "type", "speaker", "participant",
                     id_or_null(ev->participant));
}

static json_t *quality_json(const veche_sfu_event *ev)
{
    json_t *all = json_object();
    for (unsigned i = 0; i < ev->n_quality; i++) {
        double loss = ev->quality[i].loss;
        const char *level = loss < 0.02 ? "good" : loss < 0.08 ? "fair" : "poor";
        json_object_set_new(all, ev->quality[i].participant,
                            json_pack("{s:f, s:s}", "loss", loss, "level", level));
    }
    return json_pack("{s:s, s:o}", "type", "quality", "participants", all);
}

static json_t *locked_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:b}", "type", "locked", "locked", ev->flag);
}

/* The removal as a code the client translates (room.c and moderation.c
 * give these reasons; anything else is the moderator's own words). */
static json_t *removed_json(const veche_sfu_event *ev)
{
    const char *reason = ev->text ? ev->text : "";
    return json_pack("{s:s, s:s, s:s}", "type", "removed", "reason", reason, "code",
                     ev->code ? ev->code : "by-moderator");
}

/* To moderators: someone was turned away by the lock. */
static json_t *knock_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:s}", "type", "knock", "name", ev->text ? ev->text : "");
}

/* To a training's members: how many are in the room (visibility.c). */
static json_t *room_size_json(const veche_sfu_event *ev)
{
    return json_pack("{s:s, s:i}", "type", "room-size", "present", (int)ev->present);
}

static json_t *(*const encoders[VECHE_EV_COUNT])(const veche_sfu_event *) = {
    [VECHE_EV_JOINED] = joined_json,
    [VECHE_EV_ANSWER] = answer_json,
    [VECHE_EV_OK] = ok_json,
    [VECHE_EV_ERROR] = error_json,
    [VECHE_EV_PARTICIPANT_JOINED] = participant_joined_json,
    [VECHE_EV_PARTICIPANT_LEFT] = participant_left_json,
    [VECHE_EV_TRACK_ADDED] = track_added_json,
    [VECHE_EV_TRACK_REMOVED] = track_removed_json,
    [VECHE_EV_OFFER] = offer_json,
    [VECHE_EV_CANDIDATE] = candidate_json,
    [VECHE_EV_CHAT] = chat_event_json,
    [VECHE_EV_HAND] = hand_json,
    [VECHE_EV_FLOOR] = floor_json,
    [VECHE_EV_MUTED] = muted_json,
    [VECHE_EV_CHAT_MUTED] = chat_muted_json,
    [VECHE_EV_SPEAKER] = speaker_json,
    [VECHE_EV_QUALITY] = quality_json,
    [VECHE_EV_LOCKED] = locked_json,
    [VECHE_EV_MEDIA_FAILED] = media_failed_json,
    [VECHE_EV_REMOVED] = removed_json,
    [VECHE_EV_KNOCK] = knock_json,
    [VECHE_EV_SPEAKERS] = speakers_json,
    [VECHE_EV_ROOM_SIZE] = room_size_json,
};

json_t *veche_events_json(const veche_sfu_event *ev)
{
    if (ev->type >= VECHE_EV_COUNT || !encoders[ev->type])
        return NULL;
    if (ev->type == VECHE_EV_JOINED && !ev->joined)
        return NULL;
    return encoders[ev->type](ev);
}
