/* signalling.c - signalling protocol v1: message schema table, validation,
 * and requests to the rooms as typed commands (sfu_msg.h) to the media
 * worker that runs each room; the rooms' typed events come back through a
 * mailbox on the main loop and are sent as JSON (events_json.c).
 *
 * A connection is OUT, JOINING (a JOIN is on its way to the worker) or IN
 * (the JOINED reply came: it knows its participant id).  Events reach it
 * only while IN and addressed to its room and participant; replies reach
 * it by request number.  Requests may follow a `join` before its reply:
 * they go out behind it, without a participant id, and the room finds the
 * participant by client number.  A JOINED reply nobody waits for any more
 * (the connection left or closed meanwhile) is answered with LEAVE.
 *
 * One table row per message type gives its name, the members it needs and
 * its handler; validation is driven by the table, so adding a message is one
 * row and one handler.  Every failure becomes an `error` message with a code
 * and a reason; nothing a client sends can crash the server or leak.
 */
#include "signalling.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "events_json.h"
#include "mailbox.h"
#include "report.h"
#include "worker.h"
#include "err.h"
#include "log.h"

#define MAX_NAME_CHARS 64
#define MAX_CANDIDATE 1024

enum {
    F_ROOM = 1 << 0,
    F_NAME = 1 << 1,
    F_SDP = 1 << 2,
    F_PC = 1 << 3,
    F_CANDIDATE = 1 << 4,
    F_TEXT = 1 << 5,
    F_PARTICIPANT = 1 << 6,
};

/* A room as signalling sees it: which worker runs it, and how many
 * connections are in it or on their way in.  It goes (CLOSE_ROOM) when its
 * worker says it is idle and no connection is using it. */
typedef struct {
    unsigned worker;
    unsigned users;
} room_entry;

struct veche_signal {
    veche_sfu_env env;        /* ctx: the main loop's */
    GHashTable *rooms;        /* id -> room_entry*, owned */
    veche_worker **workers;   /* n_workers, owned */
    unsigned *worker_rooms;   /* rooms per worker */
    unsigned n_workers;
    veche_mailbox *events;    /* veche_sfu_event* from the workers */
    GHashTable *clients;      /* client number -> veche_signal_conn* */
    uint64_t last_client;
    uint64_t last_req;
    veche_signal_accounts acc;/* store NULL: no accounts */
    GQueue conns;             /* of veche_signal_conn, not owned */
    int64_t last_conn_id;
    int64_t data_version;     /* the store's, at the last blocked check */
};

typedef enum { CONN_OUT, CONN_JOINING, CONN_IN } conn_state;

/* A request sent to the room, waiting for its reply. */
typedef struct {
    uint64_t req;
    veche_signal_type type;
    json_t *id;               /* the client's "id", or NULL */
    veche_auth_join *aj;      /* JOIN to an event: the admission, owned */
    bool abandoned;           /* JOIN: the connection left before the reply */
} pending;

struct veche_signal_conn {
    veche_signal *sig;
    veche_ws *ws;
    GList *node;              /* in sig->conns */
    uint64_t client;          /* our number for it, in commands and events */
    conn_state state;
    char room[VECHE_ROOM_ID_MAX + 1];            /* JOINING or IN */
    char participant[VECHE_PARTICIPANT_ID_LEN];  /* IN */
    GQueue pending;           /* of pending*, owned */
    /* in an event's room (event_id != 0): who, for the roll */
    int64_t event_id;
    int64_t person_id;
    int64_t conn_id;
    veche_access_role access;
};

typedef int (*handler_fn)(veche_signal_conn *c, const veche_signal_msg *m,
                          veche_sfu_error *err);

static int on_join(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_publish(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_subscribe(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_answer(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_candidate(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_leave(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_ping(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_moderation(veche_signal_conn *c, const veche_signal_msg *m,
                         veche_sfu_error *err);

static const struct {
    const char *name;
    veche_signal_type type;
    unsigned fields;
    bool needs_room;
    handler_fn handler;
} messages[] = {
    {"join", VECHE_MSG_JOIN, 0, false, on_join},
    {"publish", VECHE_MSG_PUBLISH, F_SDP, true, on_publish},
    {"subscribe", VECHE_MSG_SUBSCRIBE, 0, true, on_subscribe},
    {"answer", VECHE_MSG_ANSWER, F_SDP | F_PC, true, on_answer},
    {"candidate", VECHE_MSG_CANDIDATE, F_PC | F_CANDIDATE, true, on_candidate},
    {"leave", VECHE_MSG_LEAVE, 0, true, on_leave},
    {"ping", VECHE_MSG_PING, 0, false, on_ping},
    {"chat", VECHE_MSG_CHAT, F_TEXT, true, on_moderation},
    {"raise-hand", VECHE_MSG_RAISE_HAND, 0, true, on_moderation},
    {"lower-hand", VECHE_MSG_LOWER_HAND, 0, true, on_moderation},
    {"give-floor", VECHE_MSG_GIVE_FLOOR, F_PARTICIPANT, true, on_moderation},
    {"take-floor", VECHE_MSG_TAKE_FLOOR, F_PARTICIPANT, true, on_moderation},
    {"mute", VECHE_MSG_MUTE, F_PARTICIPANT, true, on_moderation},
    {"mute-all", VECHE_MSG_MUTE_ALL, 0, true, on_moderation},
    {"unmute", VECHE_MSG_UNMUTE, 0, true, on_moderation},
    {"remove", VECHE_MSG_REMOVE, F_PARTICIPANT, true, on_moderation},
    {"lock", VECHE_MSG_LOCK, 0, true, on_moderation},
    {"unlock", VECHE_MSG_UNLOCK, 0, true, on_moderation},
    {"unpublish", VECHE_MSG_UNPUBLISH, 0, true, on_moderation},
};

static int fail(veche_sfu_error *err, const char *code, const char *reason)
{
    err->code = code;
    g_strlcpy(err->reason, reason, sizeof err->reason);
    return VECHE_EINVAL;
}

static bool valid_name(const char *s)
{
    if (!g_utf8_validate(s, -1, NULL))
        return false;
    glong n = g_utf8_strlen(s, -1);
    if (n == 0 || n > MAX_NAME_CHARS)
        return false;
    for (const char *p = s; *p; p = g_utf8_next_char(p))
        if (g_unichar_iscntrl(g_utf8_get_char(p)))
            return false;
    return true;
}

static const char *string_member(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The members of `join`: room and name (required without an event or
 * invitation, optional with one), event, invitation, kind, moderatorKey,
 * resume. */
static int check_join(veche_signal_msg *m, veche_sfu_error *err)
{
    json_t *event = json_object_get(m->root, "event");
    if (event && (!json_is_integer(event) || json_integer_value(event) <= 0))
        return fail(err, "bad-request", "event must be a positive event id");
    m->event = event ? (int64_t)json_integer_value(event) : 0;
    json_t *inv = json_object_get(m->root, "invitation");
    m->invitation = json_string_value(inv);
    if (inv && (!m->invitation || strlen(m->invitation) > 200))
        return fail(err, "bad-request", "invitation must be an invitation token");
    bool anonymous = !m->event && !m->invitation;
    if ((anonymous || m->room) && (!m->room || !veche_room_id_valid(m->room)))
        return fail(err, "bad-request", "room must be 1-64 of A-Z a-z 0-9 _ . -");
    if ((anonymous || m->name) && (!m->name || !valid_name(m->name)))
        return fail(err, "bad-request", "name must be 1-64 printable characters");
    json_t *kind = json_object_get(m->root, "kind");
    m->kind = VECHE_ROOM_MEETING;
    if (kind && !veche_room_kind_parse(json_string_value(kind), &m->kind))
        return fail(err, "bad-request", "kind must be \"meeting\" or \"training\"");
    json_t *key = json_object_get(m->root, "moderatorKey");
    m->moderator_key = json_string_value(key);
    if (key && !m->moderator_key)
        return fail(err, "bad-request", "moderatorKey must be a string");
    json_t *resume = json_object_get(m->root, "resume");
    if (resume) {
        m->resume_id = string_member(resume, "participant");
        m->resume_key = string_member(resume, "key");
        if (!json_is_object(resume) || !m->resume_id || !m->resume_key)
            return fail(err, "bad-request", "resume must be {participant, key}");
    }
    return 0;
}

/* Check the members the table asks for; 0 or an error. */
static int check_fields(veche_signal_msg *m, unsigned fields, veche_sfu_error *err)
{
    m->room = string_member(m->root, "room");
    m->name = string_member(m->root, "name");
    m->sdp = string_member(m->root, "sdp");
    m->pc = string_member(m->root, "pc");
    m->candidate = string_member(m->root, "candidate");
    if ((fields & F_ROOM) && (!m->room || !veche_room_id_valid(m->room)))
        return fail(err, "bad-request", "room must be 1-64 of A-Z a-z 0-9 _ . -");
    if ((fields & F_NAME) && (!m->name || !valid_name(m->name)))
        return fail(err, "bad-request", "name must be 1-64 printable characters");
    if ((fields & F_SDP) && (!m->sdp || !*m->sdp))
        return fail(err, "bad-request", "sdp must be a non-empty string");
    if ((fields & F_PC) && (!m->pc || (strcmp(m->pc, "publish") && strcmp(m->pc, "subscribe"))))
        return fail(err, "bad-request", "pc must be \"publish\" or \"subscribe\"");
    if ((fields & F_CANDIDATE) && (!m->candidate || strlen(m->candidate) > MAX_CANDIDATE))
        return fail(err, "bad-request", "candidate must be a string of at most 1024 bytes");
    m->text = string_member(m->root, "text");
    if ((fields & F_TEXT) && !m->text)
        return fail(err, "bad-request", "text must be a string");
    m->participant = string_member(m->root, "participant");
    json_t *target = json_object_get(m->root, "participant");
    if (((fields & F_PARTICIPANT) && !m->participant) || (target && !m->participant))
        return fail(err, "bad-request", "participant must be a participant id");
    m->reason = string_member(m->root, "reason");
    if (m->reason && g_utf8_strlen(m->reason, -1) > 200)
        return fail(err, "bad-request", "reason must be at most 200 characters");
    if (m->type == VECHE_MSG_JOIN)
        return check_join(m, err);
    json_t *sources = json_object_get(m->root, "sources");
    if (sources && !json_is_object(sources))
        return fail(err, "bad-request", "sources must be an object from mid to source");
    m->sources = sources;
    return 0;
}

int veche_signal_parse(const char *text, size_t len, veche_signal_msg *out,
                       veche_sfu_error *err)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    out->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!out->root || !json_is_object(out->root)) {
        char reason[200];
        snprintf(reason, sizeof reason, "not a JSON object: %s",
                 out->root ? "wrong type" : jerr.text);
        return fail(err, "bad-json", reason);
    }
    json_t *id = json_object_get(out->root, "id");
    if (json_is_string(id) || json_is_integer(id))
        out->id = id;
    const char *type = string_member(out->root, "type");
    if (!type)
        return fail(err, "bad-request", "missing string member \"type\"");
    for (size_t i = 0; i < G_N_ELEMENTS(messages); i++) {
        if (strcmp(messages[i].name, type) == 0) {
            out->type = messages[i].type;
            return check_fields(out, messages[i].fields, err);
        }
    }
    return fail(err, "unknown-type", "unknown message type");
}

void veche_signal_msg_clear(veche_signal_msg *m)
{
    json_decref(m->root);
    memset(m, 0, sizeof *m);
}

/* --- sending --- */

static void conn_send(veche_signal_conn *c, json_t *msg, json_t *id)
{
    if (!msg)
        return;
    if (id)
        json_object_set(msg, "id", id);
    char *text = json_dumps(msg, JSON_COMPACT);
    if (text) {
        veche_ws_send(c->ws, text, strlen(text));
        free(text);
    }
    json_decref(msg);
}

static void send_error(veche_signal_conn *c, const veche_sfu_error *err, json_t *id)
{
    conn_send(c, json_pack("{s:s, s:s, s:s}", "type", "error", "code", err->code, "reason",
                           err->reason), id);
}

static const char *conn_room(const veche_signal_conn *c)
{
    return c->state != CONN_OUT ? c->room : NULL;
}

static const char *conn_participant(const veche_signal_conn *c)
{
    return c->state == CONN_IN ? c->participant : NULL;
}

/* --- rooms: which worker, how many users --- */

static unsigned pick_worker(const veche_signal *s)
{
    unsigned best = 0;
    for (unsigned i = 1; i < s->n_workers; i++)
        if (s->worker_rooms[i] < s->worker_rooms[best])
            best = i;
    return best;
}

/* The room's entry, made (and pinned to the least loaded worker) if new;
 * one more user. */
static room_entry *room_use(veche_signal *s, const char *id)
{
    room_entry *e = g_hash_table_lookup(s->rooms, id);
    if (!e) {
        e = g_new0(room_entry, 1);
        e->worker = pick_worker(s);
        s->worker_rooms[e->worker]++;
        g_hash_table_insert(s->rooms, g_strdup(id), e);
        VLOG_INFO(id, NULL, "room pinned to media worker %u", e->worker);
    }
    e->users++;
    return e;
}

static void room_release(veche_signal *s, const char *id)
{
    room_entry *e = g_hash_table_lookup(s->rooms, id);
    if (e && e->users > 0)
        e->users--;
}

static void post_to_worker(veche_signal *s, unsigned worker, veche_sfu_cmd *cmd)
{
    veche_worker_send(s->workers[worker < s->n_workers ? worker : 0], cmd);
}

/* A command for the connection's room, as its participant. */
static veche_sfu_cmd *conn_cmd(veche_signal_conn *c, veche_sfu_cmd_type type)
{
    return veche_sfu_cmd_new(type, c->room, c->participant, c->client, 0);
}

static void conn_post(veche_signal_conn *c, veche_sfu_cmd *cmd)
{
    room_entry *e = g_hash_table_lookup(c->sig->rooms, c->room);
    post_to_worker(c->sig, e ? e->worker : 0, cmd);
}

/* Send cmd as a request: its reply goes to the client with this id. */
static void conn_request(veche_signal_conn *c, veche_sfu_cmd *cmd, const veche_signal_msg *m,
                         veche_auth_join *aj)
{
    pending *pd = g_new0(pending, 1);
    pd->req = cmd->req = ++c->sig->last_req;
    pd->type = m->type;
    pd->id = m->id ? json_incref(m->id) : NULL;
    pd->aj = aj;
    g_queue_push_tail(&c->pending, pd);
    conn_post(c, cmd);
}

static void pending_free(veche_signal *s, pending *pd)
{
    if (pd->aj) {
        veche_auth_join_undo(s->acc.store, pd->aj);
        g_free(pd->aj);
    }
    json_decref(pd->id);
    g_free(pd);
}

static pending *take_pending(veche_signal_conn *c, uint64_t req)
{
    for (GList *l = c->pending.head; l; l = l->next) {
        pending *pd = l->data;
        if (pd->req == req) {
            g_queue_delete_link(&c->pending, l);
            return pd;
        }
    }
    return NULL;
}

/* --- event rooms: the roll and its messages to moderators --- */

static bool conn_moderates(const veche_signal_conn *c)
{
    return c->state == CONN_IN && veche_access_room_role(c->access) == VECHE_ROLE_MODERATOR;
}

/* Send the event's `attendance` and, for a meeting, `quorum` to its
 * moderators: after every join and leave (the counts change even when the
 * status does not). */
static void notify_event(veche_signal *s, int64_t event_id)
{
    json_t *att = veche_roll_attendance_msg(s->acc.roll, event_id);
    json_t *q = veche_roll_quorum_msg(s->acc.roll, event_id);
    for (GList *l = s->conns.head; l; l = l->next) {
        veche_signal_conn *c = l->data;
        if (c->event_id != event_id || !conn_moderates(c))
            continue;
        if (att)
            conn_send(c, json_incref(att), NULL);
        if (q)
            conn_send(c, json_incref(q), NULL);
    }
    json_decref(att);
    json_decref(q);
}

/* The connection is out of its event's room: record the leave. */
static void event_left(veche_signal_conn *c)
{
    if (!c->event_id)
        return;
    int64_t event_id = c->event_id;
    veche_roll_leave(c->sig->acc.roll, event_id, c->person_id, c->conn_id,
                     g_get_real_time() / 1000);
    c->event_id = 0;
    notify_event(c->sig, event_id);
}

/* The connection is out of its room (its participant already left there). */
static void conn_out(veche_signal_conn *c)
{
    if (c->state == CONN_OUT)
        return;
    room_release(c->sig, c->room);
    c->state = CONN_OUT;
    c->participant[0] = '\0';
    event_left(c);
}

/* dropped: the connection went away (the participant may resume). */
static void leave_room(veche_signal_conn *c, bool dropped)
{
    if (c->state != CONN_OUT)  /* JOINING: no id yet, found by client */
        conn_post(c, conn_cmd(c, dropped ? VECHE_CMD_DROP : VECHE_CMD_LEAVE));
    if (c->state == CONN_JOINING) {
        for (GList *l = c->pending.head; l; l = l->next)
            if (((pending *)l->data)->type == VECHE_MSG_JOIN)
                ((pending *)l->data)->abandoned = true;
    }
    conn_out(c);
}

/* --- replies and events from the rooms --- */

/* The JOINED reply of an event's join: record the attendance, then tell. */
static int event_joined(veche_signal_conn *c, veche_auth_join *aj, json_t *joined)
{
    veche_signal *s = c->sig;
    if (s->last_conn_id < g_get_real_time())
        s->last_conn_id = g_get_real_time();  /* unique across restarts too */
    int64_t conn_id = ++s->last_conn_id;
    int rc = veche_roll_join(s->acc.roll, &aj->event, &aj->person, &aj->admission, conn_id,
                             aj->source, g_get_real_time() / 1000);
    if (rc != 0) {
        VLOG_ERROR(aj->event.room_id, c->participant,
                   "attendance: join not recorded (%s): refused", veche_errname(rc));
        return rc;
    }
    c->event_id = aj->event.id;
    c->person_id = aj->person.id;
    c->conn_id = conn_id;
    c->access = aj->admission.role;
    VLOG_INFO(aj->event.room_id, c->participant,
              "event %lld: person %lld admitted as %s%s (%s)", (long long)aj->event.id,
              (long long)aj->person.id, veche_access_role_name(aj->admission.role),
              aj->admission.voting ? ", voting" : "", aj->source);
    if (joined) {
        json_object_set_new(joined, "event", json_integer(aj->event.id));
        json_object_set_new(joined, "person", json_integer(aj->person.id));
        json_object_set_new(joined, "access",
                            json_string(veche_access_role_name(aj->admission.role)));
        json_object_set_new(joined, "voting", json_boolean(aj->admission.voting));
        json_object_set_new(joined, "title", json_string(aj->event.title));
    }
    return 0;
}

static void refused(veche_signal_conn *c, const veche_sfu_error *err, json_t *id)
{
    VLOG_INFO(conn_room(c), conn_participant(c), "request refused: %s: %s", err->code,
              err->reason);
    send_error(c, err, id);
}

/* The reply to a JOIN: in the room (or refused). */
static void join_replied(veche_signal_conn *c, pending *pd, const veche_sfu_event *ev)
{
    if (ev->type == VECHE_EV_ERROR) {
        if (!pd->abandoned) {
            conn_out(c);
            veche_sfu_error err = {.code = ev->code};
            g_strlcpy(err.reason, ev->text ? ev->text : "", sizeof err.reason);
            refused(c, &err, pd->id);
        }
        return;
    }
    if (pd->abandoned || c->state != CONN_JOINING) {
        post_to_worker(c->sig, ev->worker, veche_sfu_cmd_new(VECHE_CMD_LEAVE, ev->room,
                                                             ev->participant, c->client, 0));
        return;
    }
    c->state = CONN_IN;
    g_strlcpy(c->participant, ev->participant, sizeof c->participant);
    json_t *joined = veche_events_json(ev);
    if (pd->aj && event_joined(c, pd->aj, joined) != 0) {
        json_decref(joined);
        leave_room(c, false);
        veche_sfu_error err = {.code = "internal"};
        g_strlcpy(err.reason, "the attendance record could not be written", sizeof err.reason);
        refused(c, &err, pd->id);
        return;
    }
    conn_send(c, joined, pd->id);
    if (pd->aj) {
        g_free(pd->aj);  /* admitted for good: no undo */
        pd->aj = NULL;
        notify_event(c->sig, c->event_id);
    }
}

/* Requests answered with `ok` when they carry an id (the others: none). */
static bool replies_ok(veche_signal_type type)
{
    return type != VECHE_MSG_SUBSCRIBE && type != VECHE_MSG_ANSWER &&
           type != VECHE_MSG_CANDIDATE;
}

static void on_reply(veche_signal *s, const veche_sfu_event *ev)
{
    veche_signal_conn *c = ev->n_to ? g_hash_table_lookup(s->clients, &ev->to[0].client) : NULL;
    pending *pd = c ? take_pending(c, ev->req) : NULL;
    if (!pd) {
        /* A JOINED nobody waits for: the connection is gone. */
        if (ev->type == VECHE_EV_JOINED)
            post_to_worker(s, ev->worker,
                           veche_sfu_cmd_new(VECHE_CMD_LEAVE, ev->room, ev->participant,
                                             ev->n_to ? ev->to[0].client : 0, 0));
        return;
    }
    if (pd->type == VECHE_MSG_JOIN) {
        join_replied(c, pd, ev);
    } else if (ev->type == VECHE_EV_ERROR) {
        veche_sfu_error err = {.code = ev->code};
        g_strlcpy(err.reason, ev->text ? ev->text : "", sizeof err.reason);
        refused(c, &err, pd->id);
    } else if (ev->type == VECHE_EV_ANSWER || (pd->id && replies_ok(pd->type))) {
        conn_send(c, veche_events_json(ev), pd->id);
    }
    pending_free(s, pd);
}

static void send_text(veche_signal_conn *c, char **text, const veche_sfu_event *ev)
{
    if (!*text) {
        json_t *msg = veche_events_json(ev);
        *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
        json_decref(msg);
    }
    if (*text)
        veche_ws_send(c->ws, *text, strlen(*text));
}

/* An event for the participants it names (encoded once for all). */
static void on_room_event(veche_signal *s, const veche_sfu_event *ev)
{
    char *text = NULL;
    for (unsigned i = 0; i < ev->n_to; i++) {
        veche_signal_conn *c = g_hash_table_lookup(s->clients, &ev->to[i].client);
        if (!c || c->state != CONN_IN || strcmp(c->room, ev->room) != 0 ||
            strcmp(c->participant, ev->to[i].participant) != 0)
            continue;
        if (ev->type == VECHE_EV_MEDIA_FAILED || ev->type == VECHE_EV_REMOVED) {
            conn_out(c);  /* the participant has left the room already */
            send_text(c, &text, ev);
            if (ev->type == VECHE_EV_MEDIA_FAILED)
                conn_send(c, json_pack("{s:s}", "type", "left"), NULL);
        } else {
            send_text(c, &text, ev);
        }
    }
    free(text);
}

/* A worker's room is idle: it goes unless a connection is on its way in. */
static void on_room_idle(veche_signal *s, const veche_sfu_event *ev)
{
    room_entry *e = g_hash_table_lookup(s->rooms, ev->room);
    if (e && e->worker == ev->worker) {
        if (e->users > 0)
            return;
        s->worker_rooms[e->worker]--;
        g_hash_table_remove(s->rooms, ev->room);
    }
    post_to_worker(s, ev->worker, veche_sfu_cmd_new(VECHE_CMD_CLOSE_ROOM, ev->room, NULL, 0, 0));
}

static void on_event(void *ud, void *item)
{
    veche_signal *s = ud;
    veche_sfu_event *ev = item;
    if (ev->type == VECHE_EV_ROOM_IDLE)
        on_room_idle(s, ev);
    else if (ev->req)
        on_reply(s, ev);
    else
        on_room_event(s, ev);
    veche_sfu_event_free(ev);
}

/* From a worker's thread: on to the main loop. */
static void emit_to_main(void *ud, veche_sfu_event *ev)
{
    veche_mailbox_post(ud, ev);
}

/* --- handlers --- */

/* Whether the event takes joins now: from join_early_secs before its start
 * (staff -- chair, secretary, trainer, administrators -- any time, to
 * prepare) until its end, and after the end while it is still under way
 * (a meeting that runs over takes back whoever dropped out).  Otherwise
 * fills err with event-not-started / event-ended. */
static bool join_window_open(veche_signal *s, const veche_auth_join *aj, int64_t now,
                             veche_sfu_error *err)
{
    const veche_event *ev = &aj->event;
    bool staff = veche_access_may(aj->admission.role, VECHE_ACCESS_MAY_MANAGE_EVENT);
    if (!staff && ev->starts_at && now < ev->starts_at - (int64_t)s->acc.join_early_secs) {
        char when[32];
        veche_report_time(ev->starts_at * 1000, when);
        err->code = "event-not-started";
        snprintf(err->reason, sizeof err->reason,
                 "this event starts at %s UTC; joining opens %u minutes before", when,
                 s->acc.join_early_secs / 60);
        return false;
    }
    if (ev->ends_at && now >= ev->ends_at && !veche_roll_live(s->acc.roll, ev->id)) {
        err->code = "event-ended";
        snprintf(err->reason, sizeof err->reason, "this event has ended");
        return false;
    }
    return true;
}

/* Send the JOIN: the connection is JOINING until the reply. */
static void start_join(veche_signal_conn *c, const char *room, veche_room_kind kind,
                       veche_sfu_cmd *cmd, const veche_signal_msg *m, veche_auth_join *aj)
{
    room_use(c->sig, room);
    g_strlcpy(c->room, room, sizeof c->room);
    c->state = CONN_JOINING;
    g_strlcpy(cmd->room, room, sizeof cmd->room);
    cmd->client = c->client;
    cmd->kind = kind;
    cmd->resume_id = g_strdup(m->resume_id);
    cmd->resume_key = g_strdup(m->resume_key);
    conn_request(c, cmd, m, aj);
}

/* A join naming an event or carrying an invitation: the store admits, the
 * event gives the room and its kind, the roster the role and name; the
 * attendance is written when the room's JOINED reply comes
 * (event_joined). */
static int join_event(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    veche_signal *s = c->sig;
    if (!s->acc.store)
        return fail(err, "unsupported", "this server has no accounts");
    int64_t now_ms = g_get_real_time() / 1000;
    veche_auth_join *aj = g_new0(veche_auth_join, 1);
    int rc = veche_auth_admit_join(s->acc.store, s->acc.secret, veche_ws_cookie(c->ws),
                                   m->event, m->invitation, now_ms / 1000, aj);
    if (rc != 0) {
        VLOG_INFO(NULL, NULL, "event %lld: join refused: %s", (long long)m->event, aj->code);
        fail(err, aj->code, aj->reason);
        g_free(aj);
        return VECHE_EINVAL;
    }
    if (!join_window_open(s, aj, now_ms / 1000, err)) {
        veche_auth_join_undo(s->acc.store, aj);
        VLOG_INFO(aj->event.room_id, NULL, "event %lld: person %lld refused: %s",
                  (long long)aj->event.id, (long long)aj->person.id, err->code);
        g_free(aj);
        return VECHE_EINVAL;
    }
    veche_sfu_cmd *cmd = veche_sfu_cmd_new(VECHE_CMD_JOIN, NULL, NULL, 0, 0);
    cmd->name = g_strdup(aj->person.full_name);
    cmd->fixed_role = true;
    cmd->role = veche_access_room_role(aj->admission.role);
    start_join(c, aj->event.room_id, aj->event.room_kind, cmd, m, aj);
    return 0;
}

static int on_join(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    if (c->state != CONN_OUT)
        return fail(err, "already-joined", "leave the current room first");
    if (m->event || m->invitation)
        return join_event(c, m, err);
    if (c->sig->acc.store) {
        veche_event ev;
        if (!c->sig->acc.allow_anonymous_rooms)
            return fail(err, "sign-in-required",
                        "this server admits only signed-in people to events");
        if (veche_store_event_find_room(c->sig->acc.store, m->room, &ev) == 0)
            return fail(err, "sign-in-required",
                        "this room belongs to an event: join it with the event's id");
    }
    veche_sfu_cmd *cmd = veche_sfu_cmd_new(VECHE_CMD_JOIN, NULL, NULL, 0, 0);
    cmd->name = g_strdup(m->name);
    cmd->moderator_key = g_strdup(m->moderator_key);
    start_join(c, m->room, m->kind, cmd, m, NULL);
    return 0;
}

/* The publish offer's `sources` (mid -> source) as a typed list. */
static void copy_sources(json_t *sources, veche_sfu_cmd *cmd)
{
    const char *mid;
    json_t *v;
    json_object_foreach(sources, mid, v) {
        const char *src = json_string_value(v);
        if (!src || strlen(mid) >= sizeof cmd->sources[0].mid ||
            strlen(src) >= sizeof cmd->sources[0].source ||
            cmd->n_sources == VECHE_MAX_SOURCES)
            continue;
        g_strlcpy(cmd->sources[cmd->n_sources].mid, mid, sizeof cmd->sources[0].mid);
        g_strlcpy(cmd->sources[cmd->n_sources].source, src, sizeof cmd->sources[0].source);
        cmd->n_sources++;
    }
}

static int on_publish(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    (void)err;
    veche_sfu_cmd *cmd = conn_cmd(c, VECHE_CMD_PUBLISH);
    cmd->sdp = g_strdup(m->sdp);
    copy_sources(m->sources, cmd);
    conn_request(c, cmd, m, NULL);
    return 0;
}

static int on_subscribe(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    (void)err;
    conn_request(c, conn_cmd(c, VECHE_CMD_SUBSCRIBE), m, NULL);
    return 0;
}

static int on_answer(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    if (strcmp(m->pc, "subscribe") != 0)
        return fail(err, "bad-request", "answers are only for the subscribe connection");
    veche_sfu_cmd *cmd = conn_cmd(c, VECHE_CMD_ANSWER);
    cmd->sdp = g_strdup(m->sdp);
    conn_request(c, cmd, m, NULL);
    return 0;
}

static int on_candidate(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    (void)err;
    veche_sfu_cmd *cmd = conn_cmd(c, VECHE_CMD_CANDIDATE);
    cmd->publish_pc = strcmp(m->pc, "publish") == 0;
    cmd->candidate = g_strdup(m->candidate);
    conn_request(c, cmd, m, NULL);
    return 0;
}

static int on_leave(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    (void)err;
    leave_room(c, false);
    conn_send(c, json_pack("{s:s}", "type", "left"), m->id);
    return 0;
}

static int on_ping(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    (void)err;
    conn_send(c, json_pack("{s:s}", "type", "pong"), m->id);
    return 0;
}

/* Room features and moderation: rights are checked by the room
 * (moderation.c); one command per message. */
static int on_moderation(veche_signal_conn *c, const veche_signal_msg *m,
                         veche_sfu_error *err)
{
    static const struct {
        veche_signal_type msg;
        veche_sfu_cmd_type cmd;
    } map[] = {
        {VECHE_MSG_CHAT, VECHE_CMD_CHAT},             {VECHE_MSG_RAISE_HAND, VECHE_CMD_RAISE_HAND},
        {VECHE_MSG_LOWER_HAND, VECHE_CMD_LOWER_HAND}, {VECHE_MSG_GIVE_FLOOR, VECHE_CMD_GIVE_FLOOR},
        {VECHE_MSG_TAKE_FLOOR, VECHE_CMD_TAKE_FLOOR}, {VECHE_MSG_MUTE, VECHE_CMD_MUTE},
        {VECHE_MSG_MUTE_ALL, VECHE_CMD_MUTE_ALL},     {VECHE_MSG_UNMUTE, VECHE_CMD_UNMUTE},
        {VECHE_MSG_REMOVE, VECHE_CMD_REMOVE},         {VECHE_MSG_LOCK, VECHE_CMD_LOCK},
        {VECHE_MSG_UNLOCK, VECHE_CMD_UNLOCK},         {VECHE_MSG_UNPUBLISH, VECHE_CMD_UNPUBLISH},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (map[i].msg != m->type)
            continue;
        veche_sfu_cmd *cmd = conn_cmd(c, map[i].cmd);
        cmd->text = g_strdup(m->text);
        cmd->target = g_strdup(m->participant);
        cmd->reason = g_strdup(m->reason);
        conn_request(c, cmd, m, NULL);
        return 0;
    }
    return fail(err, "internal", "unhandled message");
}

/* --- connections --- */

void veche_signal_conn_message(veche_signal_conn *c, const char *text, size_t len)
{
    veche_signal_msg m;
    veche_sfu_error err = {0};
    int rc = veche_signal_parse(text, len, &m, &err);
    for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(messages); i++) {
        if (messages[i].type != m.type)
            continue;
        /* JOINING counts as in: requests sent right after `join` follow it
         * to the room in order (found there by client number). */
        if (messages[i].needs_room && c->state == CONN_OUT)
            rc = fail(&err, "not-joined", "join a room first");
        else
            rc = messages[i].handler(c, &m, &err);
        break;
    }
    if (rc != 0)
        refused(c, &err, m.id);
    veche_signal_msg_clear(&m);
}

veche_signal_conn *veche_signal_conn_new(veche_signal *s, veche_ws *ws)
{
    veche_signal_conn *c = g_new0(veche_signal_conn, 1);
    c->sig = s;
    c->ws = ws;
    c->client = ++s->last_client;
    g_queue_init(&c->pending);
    g_queue_push_tail(&s->conns, c);
    c->node = s->conns.tail;
    g_hash_table_insert(s->clients, &c->client, c);
    return c;
}

void veche_signal_conn_free(veche_signal_conn *c)
{
    if (!c)
        return;
    leave_room(c, true);
    pending *pd;
    while ((pd = g_queue_pop_head(&c->pending)))
        pending_free(c->sig, pd);
    g_hash_table_remove(c->sig->clients, &c->client);
    g_queue_delete_link(&c->sig->conns, c->node);
    g_free(c);
}

void veche_signal_set_accounts(veche_signal *s, const veche_signal_accounts *a)
{
    if (s && a)
        s->acc = *a;
}

unsigned veche_signal_disconnect_person(veche_signal *s, int64_t person_id,
                                        const char *code, const char *reason)
{
    unsigned n = 0;
    for (GList *l = s ? s->conns.head : NULL; l && person_id > 0; l = l->next) {
        veche_signal_conn *c = l->data;
        if (c->person_id != person_id)
            continue;
        n++;
        VLOG_INFO(conn_room(c), conn_participant(c), "disconnected: %s", code);
        veche_sfu_error err = {.code = code};
        g_strlcpy(err.reason, reason, sizeof err.reason);
        send_error(c, &err, NULL);
        leave_room(c, false);
        c->person_id = 0;  /* told and closing: not counted again */
        veche_ws_close(c->ws, 1008, code);
    }
    return n;
}

unsigned veche_signal_check_blocked(veche_signal *s)
{
    int64_t version = 0;
    if (!s || !s->acc.store || veche_store_data_version(s->acc.store, &version) != 0 ||
        version == s->data_version)
        return 0;
    s->data_version = version;
    GArray *people = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (GList *l = s->conns.head; l; l = l->next) {
        const veche_signal_conn *c = l->data;
        if (c->person_id > 0)
            g_array_append_val(people, c->person_id);
    }
    unsigned n = 0;
    for (guint i = 0; i < people->len; i++) {
        int64_t id = g_array_index(people, int64_t, i);
        veche_account acc;
        if (veche_store_account_get(s->acc.store, id, &acc) != 0 || !acc.blocked)
            continue;
        unsigned closed = veche_signal_disconnect_person(s, id, "blocked",
                                                         "this account has been blocked");
        if (closed)
            VLOG_INFO(NULL, NULL, "person %lld blocked elsewhere: %u connection(s) closed",
                      (long long)id, closed);
        n += closed;
    }
    g_array_free(people, TRUE);
    return n;
}

static void drop_event(void *item) { veche_sfu_event_free(item); }

veche_signal *veche_signal_new(const veche_sfu_env *env)
{
    veche_signal *s = g_new0(veche_signal, 1);
    s->env = *env;
    g_queue_init(&s->conns);
    s->acc.allow_anonymous_rooms = true;
    s->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    s->clients = g_hash_table_new(g_int64_hash, g_int64_equal);
    s->events = veche_mailbox_new(env->ctx, on_event, s, drop_event);
    unsigned n = veche_worker_count(env->cfg);
    s->workers = g_new0(veche_worker *, n);
    s->worker_rooms = g_new0(unsigned, n);
    for (unsigned i = 0; i < n; i++) {
        s->workers[i] = veche_worker_new(i, env->cfg, env->cert, emit_to_main, s->events);
        if (!s->workers[i])
            break;
        s->n_workers = i + 1;
    }
    if (s->n_workers == 0) {
        veche_signal_free(s);
        return NULL;
    }
    VLOG_INFO(NULL, NULL, "%u media worker thread(s)", s->n_workers);
    return s;
}

void veche_signal_free(veche_signal *s)
{
    if (!s)
        return;
    /* Each worker runs what it was sent, frees its rooms on its thread and
     * ends; their last events are dropped with the mailbox. */
    for (unsigned i = 0; i < s->n_workers; i++)
        veche_worker_free(s->workers[i]);
    g_free(s->workers);
    g_free(s->worker_rooms);
    veche_mailbox_free(s->events);
    g_hash_table_destroy(s->rooms);
    g_hash_table_destroy(s->clients);
    g_free(s);
}

unsigned veche_signal_room_count(const veche_signal *s)
{
    return g_hash_table_size(s->rooms);
}
