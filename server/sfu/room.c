/* room.c - a room owns its participants: who is in it (joining, roles,
 * resume, leaving), the events they are told (every event goes out through
 * veche_room_broadcast or veche_participant_send, typed, to env.emit), and
 * its timers: the once-a-second RTCP timer (receiver reports and REMB to
 * publishers, a quality report every 2 s), the 20 ms NACK timer (upstream
 * NACK retries, track.c) and the active speaker tick.
 *
 * Track events: a new track gets a downtrack in every subscribed
 * participant and a `track-added` to everyone else; an ended track leaves
 * its downtracks inactive (reused by the next track of the same kind, see
 * negotiate.c) and sends `track-removed`; either way subscribers get a new
 * offer.  Media forwarding itself lives in track.c; moderation requests in
 * moderation.c, which asks this file and is never called from it.
 */
#include "sfu.h"
#include "rectap.h"

#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "err.h"
#include "log.h"

#define RTCP_INTERVAL_MS 1000
#define QUALITY_EVERY_TICKS 2
/* Finer than the retry interval of nackgen.h (100 ms) so retries go out
 * close to when they are due.  Runs only while a track misses something:
 * without loss the worker is not woken 50 times a second per room. */
#define NACK_INTERVAL_MS 20

/* 32 hex characters from the OS's CSPRNG (keys grant moderator rights). */
static void random_key(char out[33])
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        for (size_t i = 0; i < sizeof raw; i++)
            raw[i] = (unsigned char)g_random_int();
    for (size_t i = 0; i < sizeof raw; i++)
        g_snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

/* --- the fan-out --- */

veche_sfu_event *veche_room_event(const veche_room *room, veche_sfu_event_type type)
{
    veche_sfu_event *ev = veche_sfu_event_new(type, room->id);
    ev->kind = room->kind;
    return ev;
}

void veche_room_emit(veche_room *room, veche_sfu_event *ev)
{
    if (ev->n_to > 0 && room->env.emit)
        room->env.emit(room->env.emit_ud, ev);
    else
        veche_sfu_event_free(ev);
}

void veche_room_broadcast(veche_room *room, const veche_participant *except,
                          veche_sfu_event *ev)
{
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        if (p != except)
            veche_sfu_event_add_to(ev, p->client, p->id);
    }
    veche_room_emit(room, ev);
}

void veche_participant_send(veche_participant *p, veche_sfu_event *ev)
{
    if (!p->room) {
        veche_sfu_event_free(ev);
        return;
    }
    veche_sfu_event_add_to(ev, p->client, p->id);
    veche_room_emit(p->room, ev);
}

/* --- timers --- */

static uint64_t resume_grace_ms(const veche_room *room)
{
    const veche_config *cfg = room->env.cfg;
    return (cfg && cfg->resume_grace_seconds ? cfg->resume_grace_seconds : 60) * (uint64_t)1000;
}

/* Forget resume records older than the grace period: who did not come
 * back also leaves the speakers list, where they kept their place. */
static void expire_departed(veche_room *room)
{
    uint64_t now = veche_now_ms();
    GHashTableIter it;
    gpointer key, value;
    bool listed = false;
    uint64_t grace = resume_grace_ms(room);
    g_hash_table_iter_init(&it, room->departed);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (now - ((veche_departed *)value)->left_ms > grace) {
            if (veche_speakers_forget(room->speakers, key)) {
                VLOG_INFO(room->id, (const char *)key,
                          "did not come back: off the speakers list");
                listed = true;
            }
            g_hash_table_iter_remove(&it);
        }
    }
    if (listed && room->kind == VECHE_ROOM_MEETING)
        veche_room_send_speakers(room);
}

/* The worst loss among p's started tracks; false if none started. */
static bool worst_loss(const veche_participant *p, double *loss)
{
    unsigned worst = 0;
    bool any = false;
    for (guint j = 0; j < p->tracks->len; j++) {
        const veche_track *t = g_ptr_array_index(p->tracks, j);
        if (!t->stats.started)
            continue;
        any = true;
        if (t->last_fraction_lost > worst)
            worst = t->last_fraction_lost;
    }
    *loss = worst / 256.0;
    return any;
}

static void send_quality(veche_room *room)
{
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_QUALITY);
    ev->quality = g_new0(veche_sfu_quality, room->participants->len + 1);
    for (guint i = 0; i < room->participants->len; i++) {
        const veche_participant *p = g_ptr_array_index(room->participants, i);
        veche_sfu_quality *q = &ev->quality[ev->n_quality];
        if (worst_loss(p, &q->loss)) {
            g_strlcpy(q->participant, p->id, sizeof q->participant);
            ev->n_quality++;
        }
    }
    if (ev->n_quality > 0)
        veche_room_broadcast(room, NULL, ev);
    else
        veche_sfu_event_free(ev);
}

static gboolean on_rtcp_timer(gpointer data)
{
    veche_room *room = data;
    for (guint i = 0; i < room->participants->len; i++)
        veche_track_send_receiver_reports(g_ptr_array_index(room->participants, i),
                                          room->env.cfg->max_bitrate_kbps);
    expire_departed(room);
    if (++room->rtcp_ticks % QUALITY_EVERY_TICKS == 0) {
        send_quality(room);
        veche_room_send_size(room);
    }
    return G_SOURCE_CONTINUE;
}

static GSource *add_timer(veche_room *room, guint ms, GSourceFunc fn);

static gboolean on_nack_timer(gpointer data)
{
    veche_room *room = data;
    bool missing = false;
    for (guint i = 0; i < room->participants->len; i++)
        if (veche_track_nack_tick(g_ptr_array_index(room->participants, i)))
            missing = true;
    if (missing)
        return G_SOURCE_CONTINUE;
    g_source_unref(room->nack_timer);   /* GLib destroys it on return */
    room->nack_timer = NULL;
    return G_SOURCE_REMOVE;
}

void veche_room_nack_soon(veche_room *room)
{
    if (!room->nack_timer)
        room->nack_timer = add_timer(room, NACK_INTERVAL_MS, on_nack_timer);
}

static void send_speaker(veche_room *room, const veche_participant *except,
                         const veche_participant *who)
{
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_SPEAKER);
    if (who)
        g_strlcpy(ev->participant, who->id, sizeof ev->participant);
    veche_room_broadcast(room, except, ev);
}

static gboolean on_speaker_tick(gpointer data)
{
    veche_room *room = data;
    const void *who = NULL;
    if (veche_speaker_tick(room->speaker, &who))
        send_speaker(room, NULL, who);
    return G_SOURCE_CONTINUE;
}

static GSource *add_timer(veche_room *room, guint ms, GSourceFunc fn)
{
    GSource *src = g_timeout_source_new(ms);
    g_source_set_callback(src, fn, room, NULL);
    g_source_attach(src, room->env.ctx);
    return src;
}

static void remove_timer(GSource *src)
{
    g_source_destroy(src);
    g_source_unref(src);
}

/* --- lifecycle --- */

veche_room *veche_room_new(const char *id, veche_room_kind kind, const veche_sfu_env *env)
{
    veche_room *room = g_new0(veche_room, 1);
    room->id = g_strdup(id);
    room->env = *env;
    room->kind = kind;
    room->participants = g_ptr_array_new();
    random_key(room->moderator_key);
    room->chat = veche_chat_new();
    room->speaker = veche_speaker_new();
    room->hands = g_ptr_array_new_with_free_func(g_free);
    room->speakers = veche_speakers_new();
    room->departed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    room->rtcp_timer = add_timer(room, RTCP_INTERVAL_MS, on_rtcp_timer);
    room->speaker_timer = add_timer(room, VECHE_SPEAKER_TICK_MS, on_speaker_tick);
    VLOG_INFO(room->id, NULL, "%s room created on media worker %u",
              veche_room_kind_name(kind), env->worker);
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
    remove_timer(room->rtcp_timer);
    if (room->nack_timer)
        remove_timer(room->nack_timer);
    remove_timer(room->speaker_timer);
    veche_rectap_free(room->rectap);
    veche_chat_free(room->chat);
    veche_speaker_free(room->speaker);
    g_ptr_array_free(room->hands, TRUE);
    veche_speakers_free(room->speakers);
    g_hash_table_destroy(room->departed);
    VLOG_INFO(room->id, NULL, "room closed");
    g_free(room->id);
    g_free(room);
}

const char *veche_room_id(const veche_room *room) { return room->id; }
unsigned veche_room_size(const veche_room *room) { return room->participants->len; }
veche_room_kind veche_room_get_kind(const veche_room *room) { return room->kind; }

bool veche_room_idle(veche_room *room)
{
    expire_departed(room);
    return room->participants->len == 0 && g_hash_table_size(room->departed) == 0;
}

veche_participant *veche_room_find(veche_room *room, const char *id)
{
    for (guint i = 0; id && i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        if (strcmp(p->id, id) == 0)
            return p;
    }
    return NULL;
}

veche_participant *veche_room_find_client(veche_room *room, const char *id, uint64_t client)
{
    if (id && *id) {
        veche_participant *p = veche_room_find(room, id);
        return p && p->client == client ? p : NULL;
    }
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        if (p->client == client)
            return p;
    }
    return NULL;
}

/* --- tracks --- */

static void track_info(const veche_track *t, veche_sfu_track_info *out)
{
    g_strlcpy(out->id, t->id, sizeof out->id);
    out->kind = t->codec.kind;
    g_strlcpy(out->source, t->source, sizeof out->source);
}

static const char *kind_name(veche_sdp_kind kind)
{
    return kind == VECHE_SDP_AUDIO ? "audio" : "video";
}

void veche_room_track_added(veche_room *room, veche_track *t)
{
    VLOG_INFO(room->id, t->owner->id, "track %s (%s %s ssrc %u) added", t->id,
              kind_name(t->codec.kind), t->codec.name, t->ssrc);
    veche_room_reveal(room, t->owner);  /* a publisher is seen by all */
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_TRACK_ADDED);
    g_strlcpy(ev->participant, t->owner->id, sizeof ev->participant);
    track_info(t, &ev->track);
    veche_room_broadcast(room, t->owner, ev);
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
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_TRACK_REMOVED);
    g_strlcpy(ev->participant, t->owner->id, sizeof ev->participant);
    g_strlcpy(ev->track.id, t->id, sizeof ev->track.id);
    veche_room_broadcast(room, t->owner, ev);
}

/* --- joining and leaving --- */

void veche_room_describe(const veche_participant *p, veche_sfu_participant_info *out)
{
    g_strlcpy(out->id, p->id, sizeof out->id);
    out->name = g_strdup(p->name);
    out->role = p->role;
    g_strlcpy(out->title, p->title, sizeof out->title);
    out->muted = p->muted;
    out->chat_muted = p->chat_muted;
    out->hand = p->hand_raised;
    out->floor = p->has_floor;
    out->n_tracks = p->tracks->len;
    out->tracks = g_new0(veche_sfu_track_info, p->tracks->len + 1);
    for (guint i = 0; i < p->tracks->len; i++)
        track_info(g_ptr_array_index(p->tracks, i), &out->tracks[i]);
}

/* Resuming while the old connection still looks alive: the old one goes. */
static void evict_stale(veche_room *room, const veche_join_request *req)
{
    veche_participant *old = req->resume_id ? veche_room_find(room, req->resume_id) : NULL;
    if (!old || !req->resume_key || strcmp(old->resume_key, req->resume_key) != 0)
        return;
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_REMOVED);
    ev->code = "replaced";
    ev->text = g_strdup("reconnected on another connection");
    veche_participant_send(old, ev);  /* before it leaves: it is still addressable */
    veche_participant_drop(old);
}

/* Someone was turned away by the lock: the moderators hear who. */
static void tell_moderators_knock(veche_room *room, const char *name)
{
    VLOG_INFO(room->id, NULL, "join refused: the room is locked");
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_KNOCK);
    ev->text = g_strdup(name ? name : "");
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *m = g_ptr_array_index(room->participants, i);
        if (m->role == VECHE_ROLE_MODERATOR)
            veche_sfu_event_add_to(ev, m->client, m->id);
    }
    veche_room_emit(room, ev);
}

/* Decide a joining participant's role and restore a resumed one's state
 * (*back: it was away on the speakers list and is back in its place);
 * refuses with "room-locked". */
static int admit(veche_room *room, veche_participant *p, const veche_join_request *req,
                 bool *back, veche_sfu_error *err)
{
    bool key_ok = req->moderator_key && strlen(req->moderator_key) == 32 &&
                  CRYPTO_memcmp(req->moderator_key, room->moderator_key, 32) == 0;
    random_key(p->resume_key);
    p->role = VECHE_ROLE_MEMBER;
    if (req->fixed_role) {
        p->role = req->role;  /* from the roster (signalling.c, auth.c) */
        p->presides = req->presides && p->role == VECHE_ROLE_MODERATOR;
    } else if (!room->claimed || key_ok) {
        p->role = VECHE_ROLE_MODERATOR;
        p->presides = true;
        room->claimed = true;
    }
    g_strlcpy(p->title, req->title ? req->title : "", sizeof p->title);
    veche_departed *d = req->resume_id ? g_hash_table_lookup(room->departed, req->resume_id)
                                       : NULL;
    if (d && req->resume_key && strcmp(d->key, req->resume_key) == 0 &&
        veche_now_ms() - d->left_ms <= resume_grace_ms(room)) {
        if (d->role == VECHE_ROLE_MODERATOR && !req->fixed_role)
            p->role = VECHE_ROLE_MODERATOR;
        p->has_floor = d->has_floor;
        p->muted = d->muted;
        p->chat_muted = d->chat_muted;
        g_hash_table_remove(room->departed, req->resume_id);
        *back = veche_speakers_back(room->speakers, p->id);
        return 0;
    }
    if (room->locked && p->role != VECHE_ROLE_MODERATOR) {
        tell_moderators_knock(room, req->name);
        err->code = "room-locked";
        g_strlcpy(err->reason, "the room is locked by its moderator", sizeof err->reason);
        return VECHE_EDENIED;
    }
    return 0;
}

static veche_sfu_joined *joined_reply(veche_room *room, const veche_participant *p)
{
    veche_sfu_joined *j = g_new0(veche_sfu_joined, 1);
    j->kind = room->kind;
    j->role = p->role;
    memcpy(j->resume_key, p->resume_key, sizeof j->resume_key);
    if (p->role == VECHE_ROLE_MODERATOR)
        memcpy(j->moderator_key, room->moderator_key, sizeof j->moderator_key);
    j->locked = room->locked;
    j->floor = p->has_floor;
    j->muted = p->muted;
    j->worker = room->env.worker;
    const veche_participant *speaker = veche_speaker_current(room->speaker);
    if (speaker)
        g_strlcpy(j->speaker, speaker->id, sizeof j->speaker);
    /* only those p sees (visibility.c: in a training, an activist sees the
     * trainer and who publishes or has the floor) */
    j->present = room->participants->len + 1;
    j->participants = g_new0(veche_sfu_participant_info, room->participants->len + 1);
    for (guint i = 0; i < room->participants->len; i++) {
        const veche_participant *q = g_ptr_array_index(room->participants, i);
        if (veche_room_sees(room, p, q))
            veche_room_describe(q, &j->participants[j->n_participants++]);
    }
    bool sees_all = room->kind != VECHE_ROOM_TRAINING || p->role == VECHE_ROLE_MODERATOR;
    j->hands = g_malloc0(sizeof *j->hands * (room->hands->len + 1));
    for (guint i = 0; i < room->hands->len; i++) {
        const char *id = g_ptr_array_index(room->hands, i);
        const veche_participant *q = sees_all ? NULL : veche_room_find(room, id);
        if (sees_all || (q && veche_room_sees(room, p, q)))
            g_strlcpy(j->hands[j->n_hands++], id, sizeof j->hands[0]);
    }
    j->chat = veche_chat_history(room->chat, &j->n_chat);
    if (room->kind == VECHE_ROOM_MEETING) {
        j->speakers = veche_speakers_snapshot(room->speakers);
        j->speakers->now_ms = g_get_real_time() / 1000;
    }
    return j;
}

/* The most people the room takes: the event's own limit, else by kind for
 * an event's room (a training 500, a meeting 100 by default), else
 * max_room_participants. */
static unsigned room_limit(const veche_room *room, const veche_join_request *req)
{
    const veche_config *cfg = room->env.cfg;
    if (req->max_participants)
        return req->max_participants;
    if (!req->fixed_role)
        return cfg->max_room_participants;
    return room->kind == VECHE_ROOM_TRAINING ? cfg->max_training_participants
                                             : cfg->max_meeting_participants;
}

veche_participant *veche_room_join(veche_room *room, const veche_join_request *req,
                                   veche_sfu_error *err)
{
    evict_stale(room, req);
    unsigned limit = room_limit(room, req);
    if (room->participants->len >= limit) {
        err->code = "room-full";
        g_snprintf(err->reason, sizeof err->reason,
                   "the room is full: it takes at most %u people", limit);
        return NULL;
    }
    const char *id = req->resume_id && !veche_room_find(room, req->resume_id) &&
                             g_hash_table_contains(room->departed, req->resume_id)
                         ? req->resume_id : NULL;
    veche_participant *p = veche_participant_new(room, id, req->name, req->client);
    bool back = false;
    if (admit(room, p, req, &back, err) != 0) {
        veche_participant_free(p);
        return NULL;
    }
    if (id && g_hash_table_contains(room->departed, id)) {
        /* A wrong resume key: join as someone new. */
        g_snprintf(p->id, sizeof p->id, "%08x", g_random_int());
    }
    veche_sfu_event *joined = veche_room_event(room, VECHE_EV_JOINED);
    joined->req = req->req;
    g_strlcpy(joined->participant, p->id, sizeof joined->participant);
    joined->joined = joined_reply(room, p);
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_PARTICIPANT_JOINED);
    veche_room_describe(p, &ev->who);
    veche_room_broadcast_about(room, p, NULL, ev);  /* training: O(moderators) */
    g_ptr_array_add(room->participants, p);
    veche_participant_send(p, joined);
    VLOG_INFO(room->id, p->id, "joined as %s", veche_role_name(room->kind, p->role));
    if (back && room->kind == VECHE_ROOM_MEETING) {
        VLOG_INFO(room->id, p->id, "back in its place on the speakers list");
        veche_room_send_speakers(room);
    }
    return p;
}

void veche_room_forget_hand(veche_room *room, veche_participant *p)
{
    for (guint i = 0; i < room->hands->len; i++) {
        if (strcmp(g_ptr_array_index(room->hands, i), p->id) == 0) {
            g_ptr_array_remove_index(room->hands, i);
            break;
        }
    }
    p->hand_raised = false;
}

/* p is leaving (still in the participant list, so it is not told): hands,
 * speaker, resume record, and the others hear `participant-left`.  On the
 * speakers list one who dropped keeps its place, marked away, until it
 * resumes or its resume record runs out (expire_departed). */
void veche_room_on_leave(veche_room *room, veche_participant *p)
{
    veche_room_forget_hand(room, p);
    /* dropped: keeps its place (away) while it may resume; a speech from
     * the list ends (ended: the floor does not come back with a resume) */
    char ended[VECHE_PARTICIPANT_ID_LEN] = "";
    bool listed = p->dropped ? veche_speakers_hold(room->speakers, p->id, ended)
                             : veche_speakers_forget(room->speakers, p->id);
    bool was_speaker = veche_speaker_current(room->speaker) == p;
    veche_speaker_forget(room->speaker, p);
    if (was_speaker)
        send_speaker(room, p, NULL);
    if (p->dropped) {
        veche_departed *d = g_new0(veche_departed, 1);
        memcpy(d->key, p->resume_key, sizeof d->key);
        d->role = p->role;
        d->has_floor = p->has_floor && strcmp(ended, p->id) != 0;
        d->muted = p->muted;
        d->chat_muted = p->chat_muted;
        d->left_ms = veche_now_ms();
        g_hash_table_replace(room->departed, g_strdup(p->id), d);
    }
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_PARTICIPANT_LEFT);
    g_strlcpy(ev->participant, p->id, sizeof ev->participant);
    veche_room_broadcast_about(room, p, p, ev);
    if (listed && room->kind == VECHE_ROOM_MEETING) {
        ev = veche_room_event(room, VECHE_EV_SPEAKERS);
        ev->speakers = veche_speakers_snapshot(room->speakers);
        ev->speakers->now_ms = g_get_real_time() / 1000;
        veche_room_broadcast(room, p, ev);
    }
}

void veche_room_send_speakers(veche_room *room)
{
    veche_sfu_event *ev = veche_room_event(room, VECHE_EV_SPEAKERS);
    ev->speakers = veche_speakers_snapshot(room->speakers);
    ev->speakers->now_ms = g_get_real_time() / 1000;
    veche_room_broadcast(room, NULL, ev);
}
