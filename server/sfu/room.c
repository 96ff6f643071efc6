/* room.c - a room: its participants, the events they are told, the
 * once-a-second RTCP timer (receiver reports and REMB to publishers) and
 * the 20 ms NACK timer (upstream NACK retries, track.c).
 *
 * Track events: a new track gets a downtrack in every subscribed
 * participant and a `track-added` to everyone else; an ended track leaves
 * its downtracks inactive (reused by the next track of the same kind, see
 * negotiate.c) and sends `track-removed`; either way subscribers get a new
 * offer.  Media forwarding itself lives in track.c.
 */
#include "sfu.h"

#include <string.h>

#include "err.h"
#include "log.h"

#define RTCP_INTERVAL_MS 1000
/* Finer than the retry interval of nackgen.h (100 ms) so retries go out
 * close to when they are due. */
#define NACK_INTERVAL_MS 20

static gboolean on_rtcp_timer(gpointer data)
{
    veche_room *room = data;
    for (guint i = 0; i < room->participants->len; i++)
        veche_track_send_receiver_reports(g_ptr_array_index(room->participants, i),
                                          room->env.cfg->max_bitrate_kbps);
    veche_moderation_rtcp_tick(room);
    return G_SOURCE_CONTINUE;
}

static gboolean on_nack_timer(gpointer data)
{
    veche_room *room = data;
    for (guint i = 0; i < room->participants->len; i++)
        veche_track_nack_tick(g_ptr_array_index(room->participants, i));
    return G_SOURCE_CONTINUE;
}

static GSource *add_timer(veche_room *room, guint ms, GSourceFunc fn)
{
    GSource *src = g_timeout_source_new(ms);
    g_source_set_callback(src, fn, room, NULL);
    g_source_attach(src, room->env.ctx);
    return src;
}

veche_room *veche_room_new(const char *id, veche_room_kind kind, const veche_sfu_env *env)
{
    veche_room *room = g_new0(veche_room, 1);
    room->id = g_strdup(id);
    room->env = *env;
    room->participants = g_ptr_array_new();
    room->rtcp_timer = add_timer(room, RTCP_INTERVAL_MS, on_rtcp_timer);
    room->nack_timer = add_timer(room, NACK_INTERVAL_MS, on_nack_timer);
    veche_moderation_init(room, kind);
    VLOG_INFO(room->id, NULL, "%s room created", veche_room_kind_name(kind));
    return room;
}

void veche_room_free(veche_room *room)
{
    if (!room)
        return;
    /* Shutting down: no events, free directly (no callback is running). */
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        p->room = NULL;
    }
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        for (guint j = 0; j < p->downtracks->len; j++)
            ((veche_downtrack *)g_ptr_array_index(p->downtracks, j))->track = NULL;
    }
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        for (guint j = 0; j < p->tracks->len; j++)
            g_ptr_array_set_size(((veche_track *)g_ptr_array_index(p->tracks, j))->downtracks, 0);
        veche_participant_free(p);
    }
    g_ptr_array_free(room->participants, TRUE);
    g_source_destroy(room->rtcp_timer);
    g_source_unref(room->rtcp_timer);
    g_source_destroy(room->nack_timer);
    g_source_unref(room->nack_timer);
    veche_moderation_free(room);
    VLOG_INFO(room->id, NULL, "room closed");
    g_free(room->id);
    g_free(room);
}

const char *veche_room_id(const veche_room *room) { return room->id; }
unsigned veche_room_size(const veche_room *room) { return room->participants->len; }
veche_room_kind veche_room_get_kind(const veche_room *room) { return room->kind; }

void veche_room_broadcast(veche_room *room, veche_participant *except, json_t *msg)
{
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        if (p != except)
            veche_participant_send(p, json_incref(msg));
    }
    json_decref(msg);
}

static const char *kind_name(veche_sdp_kind kind)
{
    return kind == VECHE_SDP_AUDIO ? "audio" : "video";
}

static json_t *track_json(const veche_track *t)
{
    return json_pack("{s:s, s:s, s:s}", "id", t->id, "kind", kind_name(t->codec.kind),
                     "source", t->source);
}

void veche_room_track_added(veche_room *room, veche_track *t)
{
    VLOG_INFO(room->id, t->owner->id, "track %s (%s %s ssrc %u) added", t->id,
              kind_name(t->codec.kind), t->codec.name, t->ssrc);
    veche_room_broadcast(room, t->owner,
                         json_pack("{s:s, s:s, s:o}", "type", "track-added", "participant",
                                   t->owner->id, "track", track_json(t)));
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        if (p == t->owner || !p->sub_wanted)
            continue;
        veche_participant_add_downtrack(p, t);
        veche_participant_subscribe_changed(p);
    }
}

void veche_room_track_removed(veche_room *room, veche_track *t)
{
    VLOG_INFO(room->id, t->owner->id, "track %s removed", t->id);
    for (guint i = 0; i < t->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(t->downtracks, i);
        veche_participant *sub = dt->sub;
        veche_participant_downtrack_ended(sub, dt);  /* may free dt */
        veche_participant_subscribe_changed(sub);
    }
    g_ptr_array_set_size(t->downtracks, 0);
    veche_room_broadcast(room, t->owner,
                         json_pack("{s:s, s:s, s:s}", "type", "track-removed", "participant",
                                   t->owner->id, "track", t->id));
}

static json_t *participant_json(const veche_participant *p)
{
    json_t *tracks = json_array();
    for (guint i = 0; i < p->tracks->len; i++)
        json_array_append_new(tracks, track_json(g_ptr_array_index(p->tracks, i)));
    json_t *obj = json_pack("{s:s, s:s, s:o}", "id", p->id, "name", p->name, "tracks", tracks);
    if (obj)
        veche_moderation_describe(p, obj);
    return obj;
}

/* Resuming while the old connection still looks alive: the old one goes. */
static void evict_stale(veche_room *room, const veche_join_request *req)
{
    veche_participant *old = req->resume_id ? veche_room_find(room, req->resume_id) : NULL;
    if (!old || !req->resume_key || strcmp(old->resume_key, req->resume_key) != 0)
        return;
    veche_participant_sink sink = old->sink;
    void *ud = old->sink_ud;
    veche_participant_drop(old);
    if (sink.removed)
        sink.removed(ud, "reconnected on another connection");
}

static json_t *string_array(GPtrArray *a)
{
    json_t *out = json_array();
    for (guint i = 0; i < a->len; i++)
        json_array_append_new(out, json_string(g_ptr_array_index(a, i)));
    return out;
}

veche_participant *veche_room_join(veche_room *room, const veche_join_request *req,
                                   const veche_participant_sink *sink, void *sink_ud,
                                   json_t **joined, veche_sfu_error *err)
{
    evict_stale(room, req);
    if (room->participants->len >= room->env.cfg->max_room_participants) {
        err->code = "room-full";
        g_strlcpy(err->reason, "the room is full", sizeof err->reason);
        return NULL;
    }
    const char *id = req->resume_id && !veche_room_find(room, req->resume_id) &&
                             g_hash_table_contains(room->departed, req->resume_id)
                         ? req->resume_id : NULL;
    veche_participant *p = veche_participant_new(room, id, req->name, sink, sink_ud);
    if (veche_moderation_admit(room, p, req, err) != 0) {
        veche_participant_free(p);
        return NULL;
    }
    if (id && g_hash_table_contains(room->departed, id)) {
        /* A wrong resume key: join as someone new. */
        g_snprintf(p->id, sizeof p->id, "%08x", g_random_int());
    }
    json_t *others = json_array();
    for (guint i = 0; i < room->participants->len; i++)
        json_array_append_new(others, participant_json(g_ptr_array_index(room->participants, i)));
    const void *speaker = veche_speaker_current(room->speaker);
    *joined = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:b, s:o, s:o, s:o}",
                        "type", "joined", "room", room->id, "participant", p->id,
                        "participants", others, "kind", veche_room_kind_name(room->kind),
                        "role", veche_role_name(room->kind, p->role), "resumeKey",
                        p->resume_key, "locked", room->locked, "speaker",
                        speaker ? json_string(((const veche_participant *)speaker)->id)
                                : json_null(),
                        "hands", string_array(room->hands), "chat",
                        veche_chat_history(room->chat));
    if (*joined && p->role == VECHE_ROLE_MODERATOR)
        json_object_set_new(*joined, "moderatorKey", json_string(room->moderator_key));
    if (*joined) {
        json_object_set_new(*joined, "floor", json_boolean(p->has_floor));
        json_object_set_new(*joined, "muted", json_boolean(p->muted));
    }
    json_t *me = participant_json(p);
    veche_room_broadcast(room, NULL, json_pack("{s:s, s:o}", "type", "participant-joined",
                                               "participant", me));
    g_ptr_array_add(room->participants, p);
    VLOG_INFO(room->id, p->id, "joined as %s", veche_role_name(room->kind, p->role));
    return p;
}
