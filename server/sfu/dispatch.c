/* dispatch.c - commands to rooms, replies back; see dispatch.h. */
#include "dispatch.h"

#include <stdlib.h>

#include "err.h"
#include "log.h"
#include "rectap.h"
#include "sfu.h"

typedef int (*cmd_fn)(veche_participant *p, const veche_sfu_cmd *c, veche_sfu_error *err,
                      veche_sfu_event *reply);

static int do_publish(veche_participant *p, const veche_sfu_cmd *c, veche_sfu_error *err,
                      veche_sfu_event *reply)
{
    char *answer = NULL;
    int rc = veche_participant_publish(p, c->sdp ? c->sdp : "", c->sources, c->n_sources,
                                       &answer, err);
    if (rc == 0) {
        reply->type = VECHE_EV_ANSWER;
        reply->publish_pc = true;
        reply->text = g_strdup(answer);
    }
    free(answer);
    return rc;
}

static int do_subscribe(veche_participant *p, const veche_sfu_cmd *c, veche_sfu_error *err,
                        veche_sfu_event *reply)
{
    (void)c, (void)reply;
    return veche_participant_subscribe(p, err);
}

static int do_answer(veche_participant *p, const veche_sfu_cmd *c, veche_sfu_error *err,
                     veche_sfu_event *reply)
{
    (void)reply;
    return veche_participant_subscribe_answer(p, c->sdp ? c->sdp : "", err);
}

static int do_candidate(veche_participant *p, const veche_sfu_cmd *c, veche_sfu_error *err,
                        veche_sfu_event *reply)
{
    (void)reply;
    return veche_participant_candidate(p, c->publish_pc, c->candidate ? c->candidate : "",
                                       err);
}

#define ONE(name, call) \
    static int name(veche_participant *p, const veche_sfu_cmd *c, veche_sfu_error *err, \
                    veche_sfu_event *reply) \
    { (void)c, (void)reply, (void)err; return call; }
ONE(do_chat, veche_participant_chat(p, c->text, c->author_event, c->author_person, err))
ONE(do_raise_hand, veche_participant_set_hand(p, NULL, true, err))
ONE(do_lower_hand, veche_participant_set_hand(p, c->target, false, err))
ONE(do_give_floor, veche_participant_set_floor(p, c->target, true, err))
ONE(do_take_floor, veche_participant_set_floor(p, c->target, false, err))
ONE(do_mute, veche_participant_mute(p, c->target, err))
ONE(do_mute_all, veche_participant_mute(p, NULL, err))
ONE(do_unmute, veche_participant_unmute(p, err))
ONE(do_mute_chat, veche_participant_mute_chat(p, c->target, true, err))
ONE(do_unmute_chat, veche_participant_mute_chat(p, c->target, false, err))
ONE(do_remove, veche_participant_remove(p, c->target, c->reason, err))
ONE(do_lock, veche_participant_lock(p, true, err))
ONE(do_unlock, veche_participant_lock(p, false, err))
ONE(do_unpublish, (veche_participant_unpublish(p), 0))
ONE(do_speak_request, veche_participant_speak_request(p, err))
ONE(do_speak_withdraw, veche_participant_speak_withdraw(p, err))
ONE(do_speakers_give, veche_participant_speakers_give(p, c->target, (int)c->number, err))
ONE(do_speakers_skip, veche_participant_speakers_skip(p, c->target, err))
ONE(do_speakers_move, veche_participant_speakers_move(p, c->target, (int)c->number, err))
ONE(do_speakers_limit, veche_participant_speakers_limit(p, (int)c->number, err))
ONE(do_speakers_done, veche_participant_speakers_done(p, err))
ONE(do_leave, (veche_participant_leave(p), 0))
ONE(do_drop, (veche_participant_drop(p), 0))
#undef ONE

/* Commands from a participant already in the room, one row each. */
static const cmd_fn handlers[VECHE_CMD_COUNT] = {
    [VECHE_CMD_LEAVE] = do_leave,           [VECHE_CMD_DROP] = do_drop,
    [VECHE_CMD_PUBLISH] = do_publish,       [VECHE_CMD_SUBSCRIBE] = do_subscribe,
    [VECHE_CMD_ANSWER] = do_answer,         [VECHE_CMD_CANDIDATE] = do_candidate,
    [VECHE_CMD_CHAT] = do_chat,             [VECHE_CMD_RAISE_HAND] = do_raise_hand,
    [VECHE_CMD_LOWER_HAND] = do_lower_hand, [VECHE_CMD_GIVE_FLOOR] = do_give_floor,
    [VECHE_CMD_TAKE_FLOOR] = do_take_floor, [VECHE_CMD_MUTE] = do_mute,
    [VECHE_CMD_MUTE_ALL] = do_mute_all,     [VECHE_CMD_UNMUTE] = do_unmute,
    [VECHE_CMD_REMOVE] = do_remove,         [VECHE_CMD_LOCK] = do_lock,
    [VECHE_CMD_UNLOCK] = do_unlock,         [VECHE_CMD_UNPUBLISH] = do_unpublish,
    [VECHE_CMD_MUTE_CHAT] = do_mute_chat,   [VECHE_CMD_UNMUTE_CHAT] = do_unmute_chat,
    [VECHE_CMD_SPEAK_REQUEST] = do_speak_request,
    [VECHE_CMD_SPEAK_WITHDRAW] = do_speak_withdraw,
    [VECHE_CMD_SPEAKERS_GIVE] = do_speakers_give,
    [VECHE_CMD_SPEAKERS_SKIP] = do_speakers_skip,
    [VECHE_CMD_SPEAKERS_MOVE] = do_speakers_move,
    [VECHE_CMD_SPEAKERS_LIMIT] = do_speakers_limit,
    [VECHE_CMD_SPEAKERS_DONE] = do_speakers_done,
};

GHashTable *veche_dispatch_rooms_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify)veche_room_free);
}

static void send_reply(const veche_sfu_env *env, const veche_sfu_cmd *cmd,
                       veche_sfu_event *reply)
{
    if (!cmd->req || !env->emit) {
        veche_sfu_event_free(reply);
        return;
    }
    reply->req = cmd->req;
    veche_sfu_event_add_to(reply, cmd->client, cmd->participant);
    env->emit(env->emit_ud, reply);
}

static void send_error(const veche_sfu_env *env, const veche_sfu_cmd *cmd,
                       const veche_sfu_error *err)
{
    veche_sfu_event *ev = veche_sfu_event_new(VECHE_EV_ERROR, cmd->room);
    ev->code = err->code ? err->code : "internal";
    ev->text = g_strdup(err->reason);
    send_reply(env, cmd, ev);
}

static void join(GHashTable *rooms, const veche_sfu_env *env, const veche_sfu_cmd *cmd)
{
    veche_room *room = g_hash_table_lookup(rooms, cmd->room);
    if (room && veche_room_idle(room)) {
        /* Empty and nobody may resume: the room is over even if its
         * close-room has not come yet (a join can overtake the room-idle
         * round trip); the newcomer starts a new one, as it would after. */
        g_hash_table_remove(rooms, cmd->room);
        room = NULL;
    }
    if (!room) {
        room = veche_room_new(cmd->room, cmd->kind, env);
        g_hash_table_insert(rooms, g_strdup(cmd->room), room);
    }
    const veche_join_request req = {
        .name = cmd->name ? cmd->name : "", .moderator_key = cmd->moderator_key,
        .resume_id = cmd->resume_id, .resume_key = cmd->resume_key,
        .fixed_role = cmd->fixed_role, .role = cmd->role,
        .title = cmd->title, .presides = cmd->presides,
        .max_participants = cmd->max_participants,
        .client = cmd->client, .req = cmd->req,
    };
    veche_sfu_error err = {0};
    if (veche_room_join(room, &req, &err))
        room->idle_told = false;
    else
        send_error(env, cmd, &err);
}

static void close_room(GHashTable *rooms, const char *id)
{
    veche_room *room = g_hash_table_lookup(rooms, id);
    if (room && veche_room_idle(room))
        g_hash_table_remove(rooms, id);
    else if (room)
        room->idle_told = false;  /* someone came back: tell again later */
}

/* From signalling, not a participant: the agenda moved on. */
static void speakers_reset(GHashTable *rooms, const veche_sfu_cmd *cmd)
{
    veche_room *room = g_hash_table_lookup(rooms, cmd->room);
    if (room)
        veche_room_speakers_reset(room, cmd->number);
}

static void tell_if_idle(veche_room *room, const veche_sfu_env *env)
{
    if (room->idle_told || !veche_room_idle(room) || !env->emit)
        return;
    room->idle_told = true;
    env->emit(env->emit_ud, veche_sfu_event_new(VECHE_EV_ROOM_IDLE, room->id));
}

/* Signalling checked the rights (an event's trainer or chair); the room
 * starts or stops its tap and tells what it forwards (REC_TRACKS, to the
 * caller's address: signalling matches it by part). */
static void record(GHashTable *rooms, const veche_sfu_env *env, const veche_sfu_cmd *cmd)
{
    veche_room *room = g_hash_table_lookup(rooms, cmd->room);
    if (cmd->type == VECHE_CMD_REC_STOP) {
        if (room)
            veche_rectap_stop(room);
        return;
    }
    veche_sfu_event *ev = veche_sfu_event_new(VECHE_EV_REC_TRACKS, cmd->room);
    ev->rec_part = cmd->rec_part;
    if (room)
        ev->kind = room->kind;
    if (room && veche_rectap_start(room, cmd->text ? cmd->text : "", cmd->rec_rtp_port,
                                   cmd->rec_rtcp_port, ev) != 0)
        VLOG_ERROR(cmd->room, NULL, "recording: cannot start the tap");
    veche_sfu_event_add_to(ev, cmd->client, cmd->participant);
    if (env->emit)
        env->emit(env->emit_ud, ev);
    else
        veche_sfu_event_free(ev);
}

void veche_dispatch_command(GHashTable *rooms, const veche_sfu_env *env, veche_sfu_cmd *cmd)
{
    if (cmd->type == VECHE_CMD_REC_START || cmd->type == VECHE_CMD_REC_STOP)
        record(rooms, env, cmd);
    else if (cmd->type == VECHE_CMD_JOIN)
        join(rooms, env, cmd);
    else if (cmd->type == VECHE_CMD_CLOSE_ROOM)
        close_room(rooms, cmd->room);
    else if (cmd->type == VECHE_CMD_SPEAKERS_RESET)
        speakers_reset(rooms, cmd);
    else {
        veche_room *room = g_hash_table_lookup(rooms, cmd->room);
        veche_participant *p = room ? veche_room_find_client(room, cmd->participant,
                                                             cmd->client) : NULL;
        veche_sfu_error err = {0};
        veche_sfu_event *reply = veche_sfu_event_new(VECHE_EV_OK, cmd->room);
        int rc = VECHE_ESTATE;
        if (!p || cmd->type >= VECHE_CMD_COUNT || !handlers[cmd->type]) {
            err.code = "not-joined";
            g_strlcpy(err.reason, "join a room first", sizeof err.reason);
        } else {
            rc = handlers[cmd->type](p, cmd, &err, reply);
        }
        if (rc == 0) {
            send_reply(env, cmd, reply);
        } else {
            veche_sfu_event_free(reply);
            send_error(env, cmd, &err);
        }
    }
    veche_room *room = g_hash_table_lookup(rooms, cmd->room);
    if (room)
        tell_if_idle(room, env);
    veche_sfu_cmd_free(cmd);
}

void veche_dispatch_sweep(GHashTable *rooms, const veche_sfu_env *env)
{
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, rooms);
    while (g_hash_table_iter_next(&it, &key, &value))
        tell_if_idle(value, env);
}
