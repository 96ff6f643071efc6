/* moderation.c - what makes a room a meeting or a training session rather
 * than a bare SFU room: roles, chat, raised hands, the floor, muting,
 * removal, locking, the active speaker and connection quality reports.
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
#include <openssl/rand.h>

#include "err.h"
#include "log.h"

#define QUALITY_EVERY_TICKS 2

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

static gboolean on_speaker_tick(gpointer data)
{
    veche_room *room = data;
    const void *who = NULL;
    if (veche_speaker_tick(room->speaker, &who)) {
        const veche_participant *p = who;
        veche_room_broadcast(room, NULL, json_pack("{s:s, s:s}", "type", "speaker",
                                                   "participant", p->id));
    }
    return G_SOURCE_CONTINUE;
}

void veche_moderation_init(veche_room *room, veche_room_kind kind)
{
    room->kind = kind;
    random_key(room->moderator_key);
    room->chat = veche_chat_new();
    room->speaker = veche_speaker_new();
    room->hands = g_ptr_array_new_with_free_func(g_free);
    room->departed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    room->speaker_timer = g_timeout_source_new(VECHE_SPEAKER_TICK_MS);
    g_source_set_callback(room->speaker_timer, on_speaker_tick, room, NULL);
    g_source_attach(room->speaker_timer, room->env.ctx);
}

void veche_moderation_free(veche_room *room)
{
    g_source_destroy(room->speaker_timer);
    g_source_unref(room->speaker_timer);
    veche_chat_free(room->chat);
    veche_speaker_free(room->speaker);
    g_ptr_array_free(room->hands, TRUE);
    g_hash_table_destroy(room->departed);
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

void veche_moderation_describe(const veche_participant *p, json_t *obj)
{
    json_object_set_new(obj, "role", json_string(veche_role_name(p->room->kind, p->role)));
    if (p->title[0])
        json_object_set_new(obj, "title", json_string(p->title));
    json_object_set_new(obj, "muted", json_boolean(p->muted));
    json_object_set_new(obj, "hand", json_boolean(p->hand_raised));
    json_object_set_new(obj, "floor", json_boolean(p->has_floor));
}

static void remove_hand(veche_participant *p)
{
    for (guint i = 0; i < p->room->hands->len; i++) {
        if (strcmp(g_ptr_array_index(p->room->hands, i), p->id) == 0) {
            g_ptr_array_remove_index(p->room->hands, i);
            break;
        }
    }
    p->hand_raised = false;
}

void veche_moderation_on_leave(veche_participant *p)
{
    veche_room *room = p->room;
    remove_hand(p);
    bool was_speaker = veche_speaker_current(room->speaker) == p;
    veche_speaker_forget(room->speaker, p);
    if (was_speaker)
        veche_room_broadcast(room, p, json_pack("{s:s, s:n}", "type", "speaker",
                                                "participant"));
    if (p->dropped) {
        veche_departed *d = g_new0(veche_departed, 1);
        memcpy(d->key, p->resume_key, sizeof d->key);
        d->role = p->role;
        d->has_floor = p->has_floor;
        d->muted = p->muted;
        d->left_ms = veche_now_ms();
        g_hash_table_replace(room->departed, g_strdup(p->id), d);
    }
}

/* Forget resume records older than the grace period. */
static void expire_departed(veche_room *room)
{
    uint64_t now = veche_now_ms();
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, room->departed);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (now - ((veche_departed *)value)->left_ms > VECHE_RESUME_GRACE_MS)
            g_hash_table_iter_remove(&it);
}

bool veche_room_resumable(veche_room *room)
{
    expire_departed(room);
    return g_hash_table_size(room->departed) > 0;
}

void veche_moderation_rtcp_tick(veche_room *room)
{
    expire_departed(room);
    if (++room->rtcp_ticks % QUALITY_EVERY_TICKS != 0)
        return;
    json_t *all = json_object();
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        unsigned worst = 0;
        bool any = false;
        for (guint j = 0; j < p->tracks->len; j++) {
            veche_track *t = g_ptr_array_index(p->tracks, j);
            if (!t->stats.started)
                continue;
            any = true;
            if (t->last_fraction_lost > worst)
                worst = t->last_fraction_lost;
        }
        if (!any)
            continue;
        double loss = worst / 256.0;
        const char *level = loss < 0.02 ? "good" : loss < 0.08 ? "fair" : "poor";
        json_object_set_new(all, p->id, json_pack("{s:f, s:s}", "loss", loss, "level", level));
    }
    if (json_object_size(all) > 0)
        veche_room_broadcast(room, NULL, json_pack("{s:s, s:o}", "type", "quality",
                                                   "participants", all));
    else
        json_decref(all);
}

/* --- joining: roles and resume --- */

/* Someone was turned away by the lock: the moderators hear who. */
static void tell_moderators_knock(veche_room *room, const char *name)
{
    VLOG_INFO(room->id, NULL, "join refused: the room is locked");
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *m = g_ptr_array_index(room->participants, i);
        if (m->role == VECHE_ROLE_MODERATOR && m->sink.send)
            m->sink.send(m->sink_ud, json_pack("{s:s, s:s}", "type", "knock", "name",
                                               name ? name : ""));
    }
}

int veche_moderation_admit(veche_room *room, veche_participant *p,
                           const veche_join_request *req, veche_sfu_error *err)
{
    bool key_ok = req->moderator_key &&
                  CRYPTO_memcmp(req->moderator_key, room->moderator_key, 32) == 0 &&
                  strlen(req->moderator_key) == 32;
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
    snprintf(p->title, sizeof p->title, "%s", req->title ? req->title : "");
    veche_departed *d = req->resume_id ? g_hash_table_lookup(room->departed, req->resume_id)
                                       : NULL;
    if (d && req->resume_key && strcmp(d->key, req->resume_key) == 0 &&
        veche_now_ms() - d->left_ms <= VECHE_RESUME_GRACE_MS) {
        if (d->role == VECHE_ROLE_MODERATOR && !req->fixed_role)
            p->role = VECHE_ROLE_MODERATOR;
        p->has_floor = d->has_floor;
        p->muted = d->muted;
        g_hash_table_remove(room->departed, req->resume_id);
        return 0;
    }
    if (room->locked && p->role != VECHE_ROLE_MODERATOR) {
        tell_moderators_knock(room, req->name);
        return refuse(err, "room-locked", "the room is locked by its moderator");
    }
    return 0;
}

/* --- requests --- */

int veche_participant_chat(veche_participant *p, const char *text, veche_sfu_error *err)
{
    if (check_right(p, VECHE_RIGHT_CHAT, err))
        return VECHE_EDENIED;
    if (!veche_chat_valid(text))
        return refuse(err, "bad-request",
                      "text must be 1-2000 characters of printable UTF-8");
    json_t *event = veche_chat_add(p->room->chat, p->id, p->name, text,
                                   g_get_real_time() / 1000);
    if (!event)
        return refuse(err, "internal", "out of memory");
    veche_room_broadcast(p->room, NULL, event);
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

static void broadcast_hand(veche_participant *t)
{
    veche_room_broadcast(t->room, NULL, json_pack("{s:s, s:s, s:b}", "type", "hand",
                                                  "participant", t->id, "raised",
                                                  t->hand_raised));
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
        remove_hand(t);
        broadcast_hand(t);
    }
    return 0;
}

static void broadcast_floor(veche_participant *t)
{
    veche_room_broadcast(t->room, NULL, json_pack("{s:s, s:s, s:b}", "type", "floor",
                                                  "participant", t->id, "granted",
                                                  t->has_floor));
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
            remove_hand(t);
            broadcast_hand(t);
        }
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
    veche_room_broadcast(t->room, NULL, json_pack("{s:s, s:s, s:b, s:s}", "type", "muted",
                                                  "participant", t->id, "muted", muted,
                                                  "by", by->id));
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
    veche_participant_sink sink = t->sink;
    void *ud = t->sink_ud;
    veche_participant_leave(t);
    if (sink.removed)
        sink.removed(ud, reason && *reason ? reason : "removed by the moderator");
    return 0;
}

int veche_participant_lock(veche_participant *p, bool locked, veche_sfu_error *err)
{
    if (check_right(p, VECHE_RIGHT_MODERATE, err))
        return VECHE_EDENIED;
    if (p->room->locked != locked) {
        p->room->locked = locked;
        VLOG_INFO(p->room->id, p->id, "room %s", locked ? "locked" : "unlocked");
        veche_room_broadcast(p->room, NULL, json_pack("{s:s, s:b}", "type", "locked",
                                                      "locked", locked));
    }
    return 0;
}
