/* signalling.c - signalling protocol v1: message schema table, validation, and
 * dispatch to the room and participant calls in room.h.
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
#include "report.h"
#include "storeq.h"
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

struct veche_signal {
    veche_sfu_env env;
    GHashTable *rooms;        /* id -> veche_room*, owned */
    GSource *sweep_timer;     /* frees empty rooms once resume ran out */
    veche_signal_accounts acc;/* store NULL: no accounts */
    GQueue conns;             /* of veche_signal_conn, not owned */
    int64_t last_conn_id;
    int64_t last_serial;      /* of veche_signal_conn, to find one again */
    bool blocked_check;       /* a BLOCKED request is on the store thread */
};

typedef struct join_ticket join_ticket;

struct veche_signal_conn {
    veche_signal *sig;
    veche_ws *ws;
    GList *node;              /* in sig->conns */
    veche_participant *participant;
    /* in an event's room (event_id != 0): who, for the roll */
    int64_t event_id;
    int64_t person_id;
    int64_t conn_id;
    veche_access_role access;
    join_ticket *joining;     /* a join to an event on its way, or NULL */
    int64_t serial;           /* unique in this process */
};

typedef int (*handler_fn)(veche_signal_conn *c, const veche_signal_msg *m,
                          veche_sfu_error *err);

/* The role others see in the room: the roster's ("secretary", ...), and
 * "observer" for a member of a meeting without a vote. */
static const char *room_title(const veche_auth_join *aj)
{
    veche_access_role r = aj->admission.role;
    if (r == VECHE_ACCESS_MEMBER && !aj->admission.voting &&
        aj->event.room_kind == VECHE_ROOM_MEETING)
        return "observer";
    return veche_access_role_name(r);
}

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

static void sink_send(void *ud, json_t *msg) { conn_send(ud, msg, NULL); }

static void drop_room_if_empty(veche_signal *s, veche_room *room);

/* --- event rooms: the roll and its messages to moderators --- */

static bool conn_moderates(const veche_signal_conn *c)
{
    return c->participant && veche_access_room_role(c->access) == VECHE_ROLE_MODERATOR;
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

static void quorum_logged(void *ud, veche_storeq_req *req)
{
    (void)ud;
    if (req->rc != 0)
        VLOG_ERROR(NULL, NULL, "event %lld: quorum log: write failed (%s)",
                   (long long)req->event_id, veche_errname(req->rc));
}

static void log_quorum(veche_signal *s, int64_t event_id, const veche_quorum_change *ch)
{
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_QUORUM_LOG);
    req->event_id = event_id;
    req->change = *ch;
    veche_storeq_submit(s->acc.storeq, req, quorum_logged, NULL, NULL);
}

static void leave_recorded(void *ud, veche_storeq_req *req)
{
    (void)ud;
    if (req->rc != 0)
        VLOG_ERROR(NULL, NULL, "event %lld: attendance: leave of person %lld not recorded (%s)",
                   (long long)req->att.event_id, (long long)req->att.person_id,
                   veche_errname(req->rc));
}

/* The `left` answer to a `leave` from an event's room, sent once the
 * leave is on disk (as `joined` is sent once the join is), to the
 * connection if it is still there. */
typedef struct {
    veche_signal *sig;
    int64_t serial;
    json_t *id;
} left_reply;

static void left_reply_free(gpointer ud)
{
    left_reply *lr = ud;
    json_decref(lr->id);
    g_free(lr);
}

static void left_written(void *ud, veche_storeq_req *req)
{
    left_reply *lr = ud;
    leave_recorded(NULL, req);
    for (GList *l = lr->sig->conns.head; l; l = l->next) {
        veche_signal_conn *c = l->data;
        if (c->serial == lr->serial) {
            conn_send(c, json_pack("{s:s}", "type", "left"), lr->id);
            break;
        }
    }
}

/* Append a leave of connection conn_id on the store thread (after its
 * join, which was written first: the queue keeps its order); lr (taken,
 * may be NULL) answers when it is written. */
static void record_leave(veche_signal *s, int64_t event_id, int64_t person_id, int64_t conn_id,
                         int64_t ts_ms, left_reply *lr)
{
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_ATTEND);
    req->att = (veche_attendance){.event_id = event_id, .person_id = person_id,
                                  .kind = VECHE_PRESENCE_LEAVE, .ts_ms = ts_ms,
                                  .conn_id = conn_id};
    g_strlcpy(req->att.source, "session", sizeof req->att.source);
    if (lr)
        veche_storeq_submit(s->acc.storeq, req, left_written, lr, left_reply_free);
    else
        veche_storeq_submit(s->acc.storeq, req, leave_recorded, NULL, NULL);
}

/* The connection is out of its event's room: out of the roll, the leave
 * to the store thread, a quorum flip to its log; the moderators are
 * told.  Nothing here waits for the store. */
static void event_left(veche_signal_conn *c, left_reply *lr)
{
    if (!c->event_id) {
        if (lr) {  /* not in an event: answer now */
            conn_send(c, json_pack("{s:s}", "type", "left"), lr->id);
            left_reply_free(lr);
        }
        return;
    }
    veche_signal *s = c->sig;
    int64_t event_id = c->event_id;
    c->event_id = 0;
    int64_t now_ms = g_get_real_time() / 1000;
    veche_quorum_change ch;
    int flip = veche_roll_leave(s->acc.roll, event_id, c->person_id, now_ms, &ch);
    record_leave(s, event_id, c->person_id, c->conn_id, now_ms, lr);
    if (flip == 1)
        log_quorum(s, event_id, &ch);
    notify_event(s, event_id);
}

/* The removal as a code the client translates (room.c and moderation.c
 * give these reasons; anything else is the moderator's own words). */
static const char *removed_code(const char *reason)
{
    if (strcmp(reason, "reconnected on another connection") == 0)
        return "replaced";
    if (strcmp(reason, "removed by the moderator") == 0)
        return "by-moderator";
    return "by-moderator-reason";
}

/* Removed by a moderator (or superseded by a resumed connection). */
static void sink_removed(void *ud, const char *reason)
{
    veche_signal_conn *c = ud;
    veche_room *room = c->participant ? veche_participant_room(c->participant) : NULL;
    c->participant = NULL;
    event_left(c, NULL);
    conn_send(c, json_pack("{s:s, s:s, s:s}", "type", "removed", "reason", reason, "code",
                           removed_code(reason)), NULL);
    drop_room_if_empty(c->sig, room);
}

/* An empty room goes once nobody who dropped can resume into it (its
 * moderator key, chat and resume records live as long as it does). */
static void drop_room_if_empty(veche_signal *s, veche_room *room)
{
    if (room && veche_room_size(room) == 0 && !veche_room_resumable(room))
        g_hash_table_remove(s->rooms, veche_room_id(room));
}

static gboolean sweep_rooms(gpointer data)
{
    veche_signal *s = data;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, s->rooms);
    while (g_hash_table_iter_next(&it, &key, &value))
        if (veche_room_size(value) == 0 && !veche_room_resumable(value))
            g_hash_table_iter_remove(&it);
    return G_SOURCE_CONTINUE;
}

static void sink_media_failed(void *ud, const char *reason)
{
    veche_signal_conn *c = ud;
    veche_room *room = c->participant ? veche_participant_room(c->participant) : NULL;
    c->participant = NULL;
    event_left(c, NULL);
    veche_sfu_error err = {.code = "media-failed"};
    g_strlcpy(err.reason, reason, sizeof err.reason);
    send_error(c, &err, NULL);
    conn_send(c, json_pack("{s:s}", "type", "left"), NULL);
    drop_room_if_empty(c->sig, room);
}

/* --- handlers --- */

static const veche_participant_sink sink = {sink_send, sink_media_failed, sink_removed};

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

/* A join to an event, step by step (docs/architecture.md):
 *
 *   join_event --ADMIT--> join_admitted --ATTEND (join)--> join_recorded
 *                            |                               |
 *                 refused, or window closed:       into the room: `joined`
 *                 error (invitation given back)    (room refused: a leave
 *                                                  written, invitation given
 *                                                  back, error)
 *
 * ADMIT (store thread): cookie or invitation, admission table, invitation
 * used.  ATTEND: the join's record on disk (fsync) and, for the event's
 * first join, its roster.  Only then the room: nothing is undone in the
 * room.  The ticket follows the join; when the connection goes away
 * meanwhile, conn is NULL and the join winds down (a written join gets its
 * leave, the invitation goes back). */
struct join_ticket {
    unsigned refs;                /* one per request on the store thread */
    veche_signal *sig;
    veche_signal_conn *conn;      /* NULL once the connection went away */
    json_t *id;                   /* the join's id, or NULL */
    char *resume_id, *resume_key;
    veche_auth_join aj;
    int64_t conn_id, ts_ms;
    bool held;                    /* veche_roll_hold said yes */
};

static void ticket_unref(gpointer data)
{
    join_ticket *t = data;
    if (--t->refs > 0)
        return;
    if (t->conn && t->conn->joining == t)
        t->conn->joining = NULL;
    json_decref(t->id);
    g_free(t->resume_id);
    g_free(t->resume_key);
    g_free(t);
}

/* Give back the invitation of a join that did not happen (window closed,
 * room locked, attendance not written, connection gone). */
static void unadmit(veche_signal *s, const veche_auth_join *aj)
{
    if (!aj->source || strcmp(aj->source, "invitation") != 0)
        return;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_UNADMIT);
    req->join = *aj;
    veche_storeq_submit(s->acc.storeq, req, NULL, NULL, NULL);
}

static void ticket_error(join_ticket *t, const veche_sfu_error *err)
{
    if (!t->conn || !err->code)
        return;
    t->conn->joining = NULL;
    VLOG_INFO(NULL, NULL, "request refused: %s: %s", err->code, err->reason);
    send_error(t->conn, err, t->id);
}

/* The join is on disk: now into the room and the roll. */
static void join_recorded(void *ud, veche_storeq_req *req)
{
    join_ticket *t = ud;
    veche_signal *s = t->sig;
    veche_signal_conn *c = t->conn;
    const veche_auth_join *aj = &t->aj;
    veche_sfu_error err = {0};
    if (req->rc != 0) {
        VLOG_ERROR(aj->event.room_id, NULL, "attendance: join of person %lld not recorded (%s):"
                   " refused", (long long)aj->person.id, veche_errname(req->rc));
        if (t->held)
            veche_roll_release(s->acc.roll, aj->event.id);
        unadmit(s, aj);
        fail(&err, "internal", "the attendance record could not be written");
        return ticket_error(t, &err);
    }
    veche_room *room = NULL;
    veche_participant *p = NULL;
    json_t *joined = NULL;
    if (c) {
        room = g_hash_table_lookup(s->rooms, aj->event.room_id);
        if (!room) {
            room = veche_room_new(aj->event.room_id, aj->event.room_kind, &s->env);
            g_hash_table_insert(s->rooms, g_strdup(aj->event.room_id), room);
        }
        const veche_join_request jr = {
            .name = aj->person.full_name, .resume_id = t->resume_id,
            .resume_key = t->resume_key, .fixed_role = true,
            .role = veche_access_room_role(aj->admission.role), .title = room_title(aj),
            .presides = aj->admission.role == VECHE_ACCESS_CHAIR ||
                        aj->admission.role == VECHE_ACCESS_TRAINER,
        };
        p = veche_room_join(room, &jr, &sink, c, &joined, &err);
    }
    if (!p) {  /* the room refused, or the connection is gone: close the record */
        if (t->held)
            veche_roll_release(s->acc.roll, aj->event.id);
        record_leave(s, aj->event.id, aj->person.id, t->conn_id, t->ts_ms, NULL);
        unadmit(s, aj);
        drop_room_if_empty(s, room);
        return ticket_error(t, &err);
    }
    veche_quorum_change ch;
    int flip = veche_roll_join(s->acc.roll, &aj->event, &aj->person, &aj->admission,
                               t->conn_id, req->roster, t->held, t->ts_ms, &ch);
    req->roster = NULL;  /* taken */
    if (flip == 1)
        log_quorum(s, aj->event.id, &ch);
    else if (flip < 0)
        VLOG_ERROR(aj->event.room_id, NULL, "roll: join not counted (%s)", veche_errname(flip));
    c->joining = NULL;
    c->participant = p;
    c->event_id = aj->event.id;
    c->conn_id = t->conn_id;
    c->access = aj->admission.role;
    VLOG_INFO(aj->event.room_id, veche_participant_id(p),
              "event %lld: person %lld admitted as %s%s (%s)", (long long)aj->event.id,
              (long long)aj->person.id, veche_access_role_name(aj->admission.role),
              aj->admission.voting ? ", voting" : "", aj->source);
    if (joined) {
        json_object_set_new(joined, "event", json_integer(aj->event.id));
        json_object_set_new(joined, "person", json_integer(aj->person.id));
        json_object_set_new(joined, "access", json_string(veche_access_role_name(aj->admission.role)));
        json_object_set_new(joined, "voting", json_boolean(aj->admission.voting));
        json_object_set_new(joined, "title", json_string(aj->event.title));
    }
    conn_send(c, joined, t->id);
    notify_event(s, aj->event.id);
}

/* Admitted (or refused) on the store thread: check the window, then
 * write the join. */
static void join_admitted(void *ud, veche_storeq_req *req)
{
    join_ticket *t = ud;
    veche_signal *s = t->sig;
    veche_sfu_error err = {0};
    t->aj = req->join;
    const veche_auth_join *aj = &t->aj;
    if (req->rc != 0) {
        VLOG_INFO(NULL, NULL, "event %lld: join refused: %s", (long long)req->event_id,
                  aj->code);
        fail(&err, aj->code, aj->reason);
        return ticket_error(t, &err);
    }
    int64_t now_ms = g_get_real_time() / 1000;
    if (!t->conn || !join_window_open(s, aj, now_ms / 1000, &err)) {
        if (t->conn)
            VLOG_INFO(aj->event.room_id, NULL, "event %lld: person %lld refused: %s",
                      (long long)aj->event.id, (long long)aj->person.id, err.code);
        unadmit(s, aj);
        return ticket_error(t, &err);
    }
    t->conn->person_id = aj->person.id;  /* blocking from now on closes it */
    if (s->last_conn_id < g_get_real_time())
        s->last_conn_id = g_get_real_time();  /* unique across restarts too */
    t->conn_id = ++s->last_conn_id;
    t->ts_ms = now_ms;
    t->held = veche_roll_hold(s->acc.roll, aj->event.id);
    veche_storeq_req *rec = veche_storeq_req_new(VECHE_STOREQ_ATTEND);
    rec->att = (veche_attendance){.event_id = aj->event.id, .person_id = aj->person.id,
                                  .kind = VECHE_PRESENCE_JOIN, .ts_ms = now_ms,
                                  .conn_id = t->conn_id};
    g_strlcpy(rec->att.source, aj->source, sizeof rec->att.source);
    rec->event = aj->event;
    rec->want_roster = !t->held;
    t->refs++;
    veche_storeq_submit(s->acc.storeq, rec, join_recorded, t, ticket_unref);
}

/* A join naming an event or carrying an invitation: the store thread
 * admits and records it, the event gives the room and its kind, the
 * roster the role and name; the answer comes from join_recorded. */
static int join_event(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    veche_signal *s = c->sig;
    if (!s->acc.storeq)
        return fail(err, "unsupported", "this server has no accounts");
    join_ticket *t = g_new0(join_ticket, 1);
    t->refs = 1;
    t->sig = s;
    t->conn = c;
    t->id = m->id ? json_incref(m->id) : NULL;
    t->resume_id = g_strdup(m->resume_id);
    t->resume_key = g_strdup(m->resume_key);
    c->joining = t;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_ADMIT);
    req->cookie = g_strdup(veche_ws_cookie(c->ws));
    req->invitation = g_strdup(m->invitation);
    req->event_id = m->event;
    req->now = g_get_real_time() / 1000000;
    veche_storeq_submit(s->acc.storeq, req, join_admitted, t, ticket_unref);
    return 0;
}

static int on_join(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    if (c->participant)
        return fail(err, "already-joined", "leave the current room first");
    if (c->joining)
        return fail(err, "already-joined", "a join is on its way");
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
    veche_room *room = g_hash_table_lookup(c->sig->rooms, m->room);
    if (!room) {
        room = veche_room_new(m->room, m->kind, &c->sig->env);
        g_hash_table_insert(c->sig->rooms, g_strdup(m->room), room);
    }
    const veche_join_request req = {
        .name = m->name, .moderator_key = m->moderator_key,
        .resume_id = m->resume_id, .resume_key = m->resume_key,
    };
    json_t *joined = NULL;
    c->participant = veche_room_join(room, &req, &sink, c, &joined, err);
    if (!c->participant) {
        drop_room_if_empty(c->sig, room);
        return VECHE_ELIMIT;
    }
    conn_send(c, joined, m->id);
    return 0;
}

static int on_publish(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    char *answer = NULL;
    int rc = veche_participant_publish(c->participant, m->sdp, m->sources, &answer, err);
    if (rc != 0)
        return rc;
    conn_send(c, json_pack("{s:s, s:s, s:s}", "type", "answer", "pc", "publish", "sdp",
                           answer), m->id);
    free(answer);
    return 0;
}

static int on_subscribe(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    return veche_participant_subscribe(c->participant, err);
}

static int on_answer(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    if (strcmp(m->pc, "subscribe") != 0)
        return fail(err, "bad-request", "answers are only for the subscribe connection");
    return veche_participant_subscribe_answer(c->participant, m->sdp, err);
}

static int on_candidate(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    return veche_participant_candidate(c->participant, strcmp(m->pc, "publish") == 0,
                                       m->candidate, err);
}

/* dropped: the connection went away (the participant may resume).
 * answer: send `left` (with id, may be NULL), after the leave is written
 * when the room is an event's. */
static void leave_room(veche_signal_conn *c, bool dropped, bool answer, json_t *id)
{
    if (!c->participant)
        return;
    left_reply *lr = NULL;
    if (answer) {
        lr = g_new0(left_reply, 1);
        lr->sig = c->sig;
        lr->serial = c->serial;
        lr->id = id ? json_incref(id) : NULL;
    }
    veche_room *room = veche_participant_room(c->participant);
    if (dropped)
        veche_participant_drop(c->participant);
    else
        veche_participant_leave(c->participant);
    c->participant = NULL;
    event_left(c, lr);
    drop_room_if_empty(c->sig, room);
}

static int on_leave(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    leave_room(c, false, true, m->id);
    return 0;
}

static int on_ping(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    conn_send(c, json_pack("{s:s}", "type", "pong"), m->id);
    return 0;
}

/* Room features and moderation: rights are checked in moderation.c. */
static int on_moderation(veche_signal_conn *c, const veche_signal_msg *m,
                         veche_sfu_error *err)
{
    veche_participant *p = c->participant;
    int rc;
    switch (m->type) {
    case VECHE_MSG_CHAT: rc = veche_participant_chat(p, m->text, err); break;
    case VECHE_MSG_RAISE_HAND: rc = veche_participant_set_hand(p, NULL, true, err); break;
    case VECHE_MSG_LOWER_HAND:
        rc = veche_participant_set_hand(p, m->participant, false, err);
        break;
    case VECHE_MSG_GIVE_FLOOR:
        rc = veche_participant_set_floor(p, m->participant, true, err);
        break;
    case VECHE_MSG_TAKE_FLOOR:
        rc = veche_participant_set_floor(p, m->participant, false, err);
        break;
    case VECHE_MSG_MUTE: rc = veche_participant_mute(p, m->participant, err); break;
    case VECHE_MSG_MUTE_ALL: rc = veche_participant_mute(p, NULL, err); break;
    case VECHE_MSG_UNMUTE: rc = veche_participant_unmute(p, err); break;
    case VECHE_MSG_REMOVE:
        rc = veche_participant_remove(p, m->participant, m->reason, err);
        break;
    case VECHE_MSG_LOCK: rc = veche_participant_lock(p, true, err); break;
    case VECHE_MSG_UNLOCK: rc = veche_participant_lock(p, false, err); break;
    case VECHE_MSG_UNPUBLISH: veche_participant_unpublish(p); rc = 0; break;
    default: rc = fail(err, "internal", "unhandled message"); break;
    }
    if (rc == 0 && m->id)
        conn_send(c, json_pack("{s:s}", "type", "ok"), m->id);
    return rc;
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
        if (messages[i].needs_room && !c->participant)
            rc = fail(&err, "not-joined", "join a room first");
        else
            rc = messages[i].handler(c, &m, &err);
        break;
    }
    if (rc != 0) {
        const char *room = c->participant ? veche_room_id(veche_participant_room(c->participant)) : NULL;
        VLOG_INFO(room, c->participant ? veche_participant_id(c->participant) : NULL,
                  "request refused: %s: %s", err.code, err.reason);
        send_error(c, &err, m.id);
    }
    veche_signal_msg_clear(&m);
}

veche_signal_conn *veche_signal_conn_new(veche_signal *s, veche_ws *ws)
{
    veche_signal_conn *c = g_new0(veche_signal_conn, 1);
    c->sig = s;
    c->ws = ws;
    c->serial = ++s->last_serial;
    g_queue_push_tail(&s->conns, c);
    c->node = s->conns.tail;
    return c;
}

void veche_signal_conn_free(veche_signal_conn *c)
{
    if (!c)
        return;
    leave_room(c, true, false, NULL);
    if (c->joining)
        c->joining->conn = NULL;  /* the join winds down when it comes back */
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
        const char *room = c->participant ? veche_room_id(veche_participant_room(c->participant))
                                          : NULL;
        VLOG_INFO(room, c->participant ? veche_participant_id(c->participant) : NULL,
                  "disconnected: %s", code);
        veche_sfu_error err = {.code = code};
        g_strlcpy(err.reason, reason, sizeof err.reason);
        send_error(c, &err, NULL);
        leave_room(c, false, false, NULL);
        c->person_id = 0;  /* told and closing: not counted again */
        veche_ws_close(c->ws, 1008, code);
    }
    return n;
}

static void blocked_checked(void *ud, veche_storeq_req *req)
{
    veche_signal *s = ud;
    s->blocked_check = false;
    for (guint i = 0; req->blocked && i < req->blocked->len; i++) {
        int64_t id = g_array_index(req->blocked, int64_t, i);
        unsigned closed = veche_signal_disconnect_person(s, id, "blocked",
                                                         "this account has been blocked");
        if (closed)
            VLOG_INFO(NULL, NULL, "person %lld blocked elsewhere: %u connection(s) closed",
                      (long long)id, closed);
    }
}

void veche_signal_check_blocked(veche_signal *s)
{
    if (!s || !s->acc.storeq || s->blocked_check)
        return;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_BLOCKED);
    req->persons = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (GList *l = s->conns.head; l; l = l->next) {
        const veche_signal_conn *c = l->data;
        if (c->person_id > 0)
            g_array_append_val(req->persons, c->person_id);
    }
    s->blocked_check = true;
    veche_storeq_submit(s->acc.storeq, req, blocked_checked, s, NULL);
}

veche_signal *veche_signal_new(const veche_sfu_env *env)
{
    veche_signal *s = g_new0(veche_signal, 1);
    s->env = *env;
    g_queue_init(&s->conns);
    s->acc.allow_anonymous_rooms = true;
    s->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)veche_room_free);
    s->sweep_timer = g_timeout_source_new_seconds(5);
    g_source_set_callback(s->sweep_timer, sweep_rooms, s, NULL);
    g_source_attach(s->sweep_timer, env->ctx);
    return s;
}

void veche_signal_free(veche_signal *s)
{
    if (!s)
        return;
    g_source_destroy(s->sweep_timer);
    g_source_unref(s->sweep_timer);
    g_hash_table_destroy(s->rooms);
    g_free(s);
}

unsigned veche_signal_room_count(const veche_signal *s)
{
    return g_hash_table_size(s->rooms);
}
