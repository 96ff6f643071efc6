/* signalling.c - signalling protocol v1: handles each validated client
 * message (the schema and validation are signal_parse.c's) as requests to
 * the rooms, typed commands (sfu_msg.h) to the media worker that runs each
 * room; the rooms' typed events come back through a mailbox on the main
 * loop and are sent as JSON (events_json.c).
 *
 * A connection is OUT, JOINING (a JOIN is on its way to the worker) or IN
 * (the JOINED reply came: it knows its participant id).  Events reach it
 * only while IN and addressed to its room and participant; replies reach
 * it by request number.  Requests may follow a `join` before its reply:
 * they go out behind it, without a participant id, and the room finds the
 * participant by client number.  A JOINED reply nobody waits for any more
 * (the connection left or closed meanwhile) is answered with LEAVE.
 *
 * Adding a message is one row in signal_parse.c's table and one handler
 * here (handler_for).  Every failure becomes an `error` message with a
 * code and a reason; nothing a client sends can crash the server or leak.
 */
#include "signalling.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attendance.h"
#include "agenda_msg.h"
#include "auth.h"
#include "chatlog.h"
#include "events_json.h"
#include "mailbox.h"
#include "recording.h"
#include "msgclass.h"
#include "ratelimit.h"
#include "txqueue.h"
#include "report.h"
#include "storeq.h"
#include "vote_msg.h"
#include "turn.h"
#include "worker.h"
#include "err.h"
#include "log.h"

/* The rooms' events delivered per turn of the main loop (mailbox.h): a
 * join storm's batch of fan-outs and `joined` replies is cut into parts
 * so that sockets and /healthz are served between them. */
#define EVENTS_BUDGET_US 2000

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
    bool blocked_check;       /* a BLOCKED request is on the store thread */
    veche_recording *rec;     /* with accounts: recording of event rooms */
    veche_metrics *metrics;   /* borrowed, NULL: none */
    veche_attfan *attfan;     /* attendance to moderators; NULL without accounts */
    veche_agenda_live *agenda;/* events' agendas as last read (agenda_msg.c), owned */
};

typedef enum { CONN_OUT, CONN_JOINING, CONN_IN } conn_state;

/* Requests that make the server tell everyone, rate-limited per
 * connection (ratelimit.h): one bucket per kind. */

static const struct {
    const char *what;             /* for the reason */
    unsigned scale;               /* times the configured rate and burst */
} rl_kinds[VECHE_RL_COUNT] = {
    [VECHE_RL_CHAT] = {"chat messages", 1},
    [VECHE_RL_HAND] = {"hand raises and lowerings", 1},
    [VECHE_RL_MODERATION] = {"moderation requests", 4},
};
typedef struct join_ticket join_ticket;

/* A request sent to the room, waiting for its reply. */
typedef struct {
    uint64_t req;
    veche_signal_type type;
    json_t *id;               /* the client's "id", or NULL */
    struct join_ticket *ticket;  /* JOIN to an event: its ticket (a reference) */
    bool abandoned;           /* JOIN: the connection left before the reply */
    int64_t sent_us;          /* monotonic time it went to the worker */
} pending;

/* A join to an event on its way (join_event below tells the steps). */
struct join_ticket {
    unsigned refs;                /* one per request on the store thread */
    veche_signal *sig;
    veche_signal_conn *conn;      /* NULL once the connection went away */
    json_t *id;                   /* the join's id, or NULL */
    char *resume_id, *resume_key;
    veche_auth_join aj;
    int64_t conn_id, ts_ms;
    bool held;                    /* veche_roll_hold said yes */
    veche_roll_roster *roster;    /* from ATTEND, for veche_roll_join; owned */
    bool settled;                 /* in the roll, or wound down */
};

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
    bool meeting;             /* the event is a meeting */
    join_ticket *joining;     /* a join to an event on the store thread, or NULL */
    int64_t join_start_us;    /* monotonic time the last join arrived */
    veche_bucket buckets[VECHE_RL_COUNT];
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
static int on_vote(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_record(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err);
static int on_agenda(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    return veche_agenda_msg_handle(c, m, err);
}

/* The handler of each message type (the schema is signal_parse.c's). */
static handler_fn handler_for(veche_signal_type type)
{
    switch (type) {
    case VECHE_MSG_JOIN: return on_join;
    case VECHE_MSG_PUBLISH: return on_publish;
    case VECHE_MSG_SUBSCRIBE: return on_subscribe;
    case VECHE_MSG_ANSWER: return on_answer;
    case VECHE_MSG_CANDIDATE: return on_candidate;
    case VECHE_MSG_LEAVE: return on_leave;
    case VECHE_MSG_PING: return on_ping;
    case VECHE_MSG_VOTE: return on_vote;
    case VECHE_MSG_RECORD_START:
    case VECHE_MSG_RECORD_STOP:
    case VECHE_MSG_RECORD_MARK: return on_record;
    case VECHE_MSG_AGENDA_ADD:
    case VECHE_MSG_AGENDA_REMOVE:
    case VECHE_MSG_AGENDA_MOVE:
    case VECHE_MSG_AGENDA_GO:
    case VECHE_MSG_AGENDA_NEXT:
    case VECHE_MSG_AGENDA_PREVIOUS: return on_agenda;
    default: return on_moderation;  /* chat, hands, floor, mute, speakers list... */
    }
}

static int fail(veche_sfu_error *err, const char *code, const char *reason)
{
    err->code = code;
    g_strlcpy(err->reason, reason, sizeof err->reason);
    return VECHE_EINVAL;
}

/* --- sending --- */

static void conn_send(veche_signal_conn *c, json_t *msg, json_t *id)
{
    if (!msg)
        return;
    if (id)
        json_object_set(msg, "id", id);
    char key[VECHE_TXQ_KEY_MAX];
    veche_msgclass_key(msg, key, sizeof key);
    char *text = json_dumps(msg, JSON_COMPACT);
    if (text) {
        veche_ws_send_keyed(c->ws, text, strlen(text), key);
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
static void post_request(veche_signal_conn *c, veche_sfu_cmd *cmd, veche_signal_type type,
                         json_t *id, join_ticket *ticket)
{
    pending *pd = g_new0(pending, 1);
    pd->req = cmd->req = ++c->sig->last_req;
    pd->type = type;
    pd->id = id ? json_incref(id) : NULL;
    pd->ticket = ticket;
    pd->sent_us = g_get_monotonic_time();
    g_queue_push_tail(&c->pending, pd);
    conn_post(c, cmd);
}

static void conn_request(veche_signal_conn *c, veche_sfu_cmd *cmd, const veche_signal_msg *m)
{
    post_request(c, cmd, m->type, m->id, NULL);
}

static void ticket_wind_down(join_ticket *t);
static void ticket_unref(gpointer data);

static void pending_free(veche_signal *s, pending *pd)
{
    (void)s;
    if (pd->ticket) {
        ticket_wind_down(pd->ticket);  /* no-op once the join is in the roll */
        ticket_unref(pd->ticket);
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

/* The attendance fan-out's hooks (attendance.h): recipients are
 * connections. */
static void att_send(void *ud, void *to, json_t *msg)
{
    (void)ud;
    conn_send(to, msg, NULL);
}

static bool att_busy(void *ud, void *to)
{
    (void)ud;
    return veche_ws_queued(((veche_signal_conn *)to)->ws, "attendance-delta");
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
    uint64_t client;
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
    veche_signal_conn *c = g_hash_table_lookup(lr->sig->clients, &lr->client);
    if (c)
        conn_send(c, json_pack("{s:s}", "type", "left"), lr->id);
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
    veche_attfan_unsubscribe(s->attfan, c);
    bool was = veche_roll_present(s->acc.roll, event_id, c->person_id);
    int flip = veche_roll_leave(s->acc.roll, event_id, c->person_id, now_ms, &ch);
    record_leave(s, event_id, c->person_id, c->conn_id, now_ms, lr);
    if (flip == 1)
        log_quorum(s, event_id, &ch);
    veche_attfan_changed(s->attfan, event_id, c->person_id, was,
                         veche_roll_present(s->acc.roll, event_id, c->person_id));
}

/* The connection is out of its room (its participant already left there). */
static void conn_out(veche_signal_conn *c, left_reply *lr)
{
    if (c->state == CONN_OUT) {
        if (lr) {
            conn_send(c, json_pack("{s:s}", "type", "left"), lr->id);
            left_reply_free(lr);
        }
        return;
    }
    room_release(c->sig, c->room);
    c->state = CONN_OUT;
    c->participant[0] = '\0';
    event_left(c, lr);
}

/* dropped: the connection went away (the participant may resume).
 * answer: send `left` (with id) once the leave is recorded. */
static void leave_room(veche_signal_conn *c, bool dropped, bool answer, json_t *id)
{
    left_reply *lr = NULL;
    if (answer) {
        lr = g_new0(left_reply, 1);
        lr->sig = c->sig;
        lr->client = c->client;
        lr->id = id ? json_incref(id) : NULL;
    }
    if (c->state != CONN_OUT)  /* JOINING: no id yet, found by client */
        conn_post(c, conn_cmd(c, dropped ? VECHE_CMD_DROP : VECHE_CMD_LEAVE));
    if (c->state == CONN_JOINING) {
        for (GList *l = c->pending.head; l; l = l->next)
            if (((pending *)l->data)->type == VECHE_MSG_JOIN)
                ((pending *)l->data)->abandoned = true;
    }
    conn_out(c, lr);
}

/* --- replies and events from the rooms --- */

/* The JOINED reply of an event's join (its attendance already on disk):
 * into the roll, a quorum flip to its log, the event's fields in `joined`. */
static void event_joined(veche_signal_conn *c, join_ticket *t, json_t *joined)
{
    veche_signal *s = c->sig;
    const veche_auth_join *aj = &t->aj;
    t->settled = true;
    veche_quorum_change ch;
    bool was = veche_roll_present(s->acc.roll, aj->event.id, aj->person.id);
    int flip = veche_roll_join(s->acc.roll, &aj->event, &aj->person, &aj->admission,
                               t->conn_id, t->roster, t->held, t->ts_ms, &ch);
    t->roster = NULL;  /* taken */
    if (flip == 1)
        log_quorum(s, aj->event.id, &ch);
    else if (flip < 0)
        VLOG_ERROR(aj->event.room_id, c->participant, "roll: join not counted (%s)",
                   veche_errname(flip));
    c->event_id = aj->event.id;
    c->person_id = aj->person.id;
    c->conn_id = t->conn_id;
    c->access = aj->admission.role;
    c->meeting = aj->event.room_kind == VECHE_ROOM_MEETING;
    veche_attfan_changed(s->attfan, aj->event.id, aj->person.id, was,
                         veche_roll_present(s->acc.roll, aj->event.id, aj->person.id));
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
        veche_agenda_live_joined(s->agenda, aj->event.id, joined);
    }
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
        if (pd->ticket)
            ticket_wind_down(pd->ticket);  /* the room refused: close the record */
        if (!pd->abandoned) {
            conn_out(c, NULL);
            veche_sfu_error err = {.code = ev->code};
            g_strlcpy(err.reason, ev->text ? ev->text : "", sizeof err.reason);
            refused(c, &err, pd->id);
        }
        return;
    }
    if (pd->abandoned || c->state != CONN_JOINING) {
        if (pd->ticket)
            ticket_wind_down(pd->ticket);
        post_to_worker(c->sig, ev->worker, veche_sfu_cmd_new(VECHE_CMD_LEAVE, ev->room,
                                                             ev->participant, c->client, 0));
        return;
    }
    c->state = CONN_IN;
    g_strlcpy(c->participant, ev->participant, sizeof c->participant);
    json_t *joined = veche_events_json(ev);
    json_t *ice = veche_turn_ice_servers(c->sig->env.cfg, c->participant,
                                         g_get_real_time() / G_USEC_PER_SEC);
    if (joined && ice)
        json_object_set_new(joined, "ice_servers", ice);
    else
        json_decref(ice);
    if (pd->ticket)
        event_joined(c, pd->ticket, joined);
    if (joined)
        json_object_set_new(joined, "recording",
                            json_boolean(veche_recording_active(c->sig->rec, c->room)));
    conn_send(c, joined, pd->id);
    veche_metrics_join(c->sig->metrics,
                       (double)(g_get_monotonic_time() - c->join_start_us) / 1e6);
    if (pd->ticket) {
        if (conn_moderates(c))
            veche_attfan_subscribe(c->sig->attfan, c->event_id, c);
        veche_vote_msg_to_joiner(c->sig, c->client, c->event_id, c->person_id, c->access);
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
    veche_metrics_signal_rtt(s->metrics, (double)(g_get_monotonic_time() - pd->sent_us) / 1e6);
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

/* Encode ev once (its class key in key, VECHE_TXQ_KEY_MAX bytes) and
 * send it to c. */
static void send_text(veche_signal_conn *c, char **text, char *key, const veche_sfu_event *ev)
{
    if (!*text) {
        json_t *msg = veche_events_json(ev);
        veche_msgclass_key(msg, key, VECHE_TXQ_KEY_MAX);
        *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
        json_decref(msg);
    }
    if (*text)
        veche_ws_send_keyed(c->ws, *text, strlen(*text), key);
}

/* An event for the participants it names (encoded once for all).  A chat
 * message in an event's room also goes to the store (chatlog.h), by the
 * author its CHAT command named: stored even when the author's connection
 * closed right after sending it. */
static void on_room_event(veche_signal *s, const veche_sfu_event *ev)
{
    veche_recording_on_event(s->rec, ev);  /* marks; the worker's REC_TRACKS */
    if (ev->type == VECHE_EV_REC_TRACKS)
        return;
    if (ev->type == VECHE_EV_CHAT)
        veche_chatlog_keep(s->acc.storeq, ev->chat.author_event, ev->chat.author_person,
                           &ev->chat);
    char *text = NULL, key[VECHE_TXQ_KEY_MAX] = "";
    for (unsigned i = 0; i < ev->n_to; i++) {
        veche_signal_conn *c = g_hash_table_lookup(s->clients, &ev->to[i].client);
        if (!c || c->state != CONN_IN || strcmp(c->room, ev->room) != 0 ||
            strcmp(c->participant, ev->to[i].participant) != 0)
            continue;
        if (ev->type == VECHE_EV_MEDIA_FAILED || ev->type == VECHE_EV_REMOVED) {
            conn_out(c, NULL);  /* the participant has left the room already */
            send_text(c, &text, key, ev);
            if (ev->type == VECHE_EV_MEDIA_FAILED)
                conn_send(c, json_pack("{s:s}", "type", "left"), NULL);
        } else {
            send_text(c, &text, key, ev);
        }
    }
    free(text);
}

/* A worker's room is idle: it goes unless a connection is on its way in. */
static void on_room_idle(veche_signal *s, const veche_sfu_event *ev)
{
    room_entry *e = g_hash_table_lookup(s->rooms, ev->room);
    veche_recording_room_idle(s->rec, ev->room);
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
                       veche_sfu_cmd *cmd, const char *resume_id, const char *resume_key,
                       json_t *id, join_ticket *ticket)
{
    room_use(c->sig, room);
    g_strlcpy(c->room, room, sizeof c->room);
    c->state = CONN_JOINING;
    g_strlcpy(cmd->room, room, sizeof cmd->room);
    cmd->client = c->client;
    cmd->kind = kind;
    cmd->resume_id = g_strdup(resume_id);
    cmd->resume_key = g_strdup(resume_key);
    post_request(c, cmd, VECHE_MSG_JOIN, id, ticket);
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

static void ticket_unref(gpointer data)
{
    join_ticket *t = data;
    if (--t->refs > 0)
        return;
    if (t->conn && t->conn->joining == t)
        t->conn->joining = NULL;
    veche_roll_roster_free(t->roster);
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

/* The join was written but the person did not get into the room (it
 * refused, or the connection went away): a leave at the join's own
 * millisecond, the roll's hold released, the invitation given back.
 * Once only; nothing once the join is in the roll. */
static void ticket_wind_down(join_ticket *t)
{
    if (t->settled)
        return;
    t->settled = true;
    veche_signal *s = t->sig;
    const veche_auth_join *aj = &t->aj;
    if (t->held)
        veche_roll_release(s->acc.roll, aj->event.id);
    record_leave(s, aj->event.id, aj->person.id, t->conn_id, t->ts_ms, NULL);
    unadmit(s, aj);
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
    t->roster = req->roster;
    req->roster = NULL;  /* taken */
    veche_agenda_live_loaded(s->agenda, aj->event.id, &req->agenda);
    if (!c) {  /* the connection is gone: close the record */
        ticket_wind_down(t);
        return;
    }
    /* Into the room: from now on the JOIN request's reply (join_replied)
     * carries the ticket, and the connection is JOINING. */
    veche_sfu_cmd *cmd = veche_sfu_cmd_new(VECHE_CMD_JOIN, NULL, NULL, 0, 0);
    cmd->name = g_strdup(aj->person.full_name);
    cmd->fixed_role = true;
    cmd->role = veche_access_room_role(aj->admission.role);
    cmd->title = g_strdup(room_title(aj));
    cmd->presides = aj->admission.role == VECHE_ACCESS_CHAIR ||
                    aj->admission.role == VECHE_ACCESS_TRAINER;
    cmd->max_participants = aj->event.max_participants;  /* 0: by kind */
    c->joining = NULL;
    t->conn = NULL;
    t->refs++;
    start_join(c, aj->event.room_id, aj->event.room_kind, cmd, t->resume_id, t->resume_key,
               t->id, t);
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
    rec->want_agenda = true;
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
    if (c->state != CONN_OUT)
        return fail(err, "already-joined", "leave the current room first");
    if (c->joining)
        return fail(err, "already-joined", "a join is on its way");
    c->join_start_us = g_get_monotonic_time();
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
    start_join(c, m->room, m->kind, cmd, m->resume_id, m->resume_key, m->id, NULL);
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
    conn_request(c, cmd, m);
    return 0;
}

static int on_subscribe(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    (void)err;
    conn_request(c, conn_cmd(c, VECHE_CMD_SUBSCRIBE), m);
    return 0;
}

static int on_answer(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    if (strcmp(m->pc, "subscribe") != 0)
        return fail(err, "bad-request", "answers are only for the subscribe connection");
    veche_sfu_cmd *cmd = conn_cmd(c, VECHE_CMD_ANSWER);
    cmd->sdp = g_strdup(m->sdp);
    conn_request(c, cmd, m);
    return 0;
}

static int on_candidate(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    (void)err;
    veche_sfu_cmd *cmd = conn_cmd(c, VECHE_CMD_CANDIDATE);
    cmd->publish_pc = strcmp(m->pc, "publish") == 0;
    cmd->candidate = g_strdup(m->candidate);
    conn_request(c, cmd, m);
    return 0;
}

static int on_leave(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    (void)err;
    leave_room(c, false, true, m->id);  /* `left` once the leave is recorded */
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
        {VECHE_MSG_MUTE_CHAT, VECHE_CMD_MUTE_CHAT},   {VECHE_MSG_UNMUTE_CHAT, VECHE_CMD_UNMUTE_CHAT},
        {VECHE_MSG_SPEAK_REQUEST, VECHE_CMD_SPEAK_REQUEST},
        {VECHE_MSG_SPEAK_WITHDRAW, VECHE_CMD_SPEAK_WITHDRAW},
        {VECHE_MSG_SPEAKERS_GIVE, VECHE_CMD_SPEAKERS_GIVE},
        {VECHE_MSG_SPEAKERS_SKIP, VECHE_CMD_SPEAKERS_SKIP},
        {VECHE_MSG_SPEAKERS_MOVE, VECHE_CMD_SPEAKERS_MOVE},
        {VECHE_MSG_SPEAKERS_LIMIT, VECHE_CMD_SPEAKERS_LIMIT},
        {VECHE_MSG_SPEAKERS_DONE, VECHE_CMD_SPEAKERS_DONE},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
        if (map[i].msg != m->type)
            continue;
        veche_sfu_cmd *cmd = conn_cmd(c, map[i].cmd);
        cmd->text = g_strdup(m->text);
        cmd->target = g_strdup(m->participant);
        cmd->reason = g_strdup(m->reason);
        cmd->number = m->type == VECHE_MSG_SPEAKERS_MOVE ? m->position : m->seconds;
        if (m->type == VECHE_MSG_CHAT) {
            cmd->author_event = c->event_id;
            cmd->author_person = c->person_id;
        }
        conn_request(c, cmd, m);
        return 0;
    }
    return fail(err, "internal", "unhandled message");
}

/* --- votes (vote_msg.c) --- */

static int on_vote(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    veche_vote_msg vm;
    char reason[200];
    if (veche_vote_msg_parse(m->root, &vm, reason, sizeof reason) != 0)
        return fail(err, "bad-request", reason);
    if (!c->sig->acc.votes)
        return fail(err, "not-in-meeting", "votes are held in a meeting's room");
    veche_votes_who who = {c->state == CONN_IN ? c->event_id : 0, c->person_id, c->access,
                           c->meeting};
    veche_vote_msg_handle(c->sig, c->sig->acc.votes, &who, c->client, &vm, m->id);
    return 0;
}

bool veche_signal_client_send(veche_signal *s, uint64_t client, json_t *msg, json_t *id)
{
    veche_signal_conn *c = g_hash_table_lookup(s->clients, &client);
    if (!c) {
        json_decref(msg);
        return false;
    }
    conn_send(c, msg, id);
    return true;
}

void veche_signal_each_in_event(veche_signal *s, int64_t event_id, veche_signal_conn_fn fn,
                                void *ud)
{
    for (GList *l = s->conns.head; l; l = l->next) {
        veche_signal_conn *c = l->data;
        if (c->state == CONN_IN && c->event_id == event_id)
            fn(ud, c->client, c->person_id, c->access);
    }
}

veche_votes *veche_signal_votes(veche_signal *s)
{
    return s->acc.votes;
}

/* record-start, record-stop, record-mark (recording.c checks and acts;
 * record-start is answered when the recording is on). */
static int on_record(veche_signal_conn *c, const veche_signal_msg *m, veche_sfu_error *err)
{
    if (c->state != CONN_IN)
        return fail(err, "not-joined", "join a room first");
    const veche_recording_who who = {
        .room = c->room, .participant = c->participant, .client = c->client,
        .event_id = c->event_id, .person_id = c->person_id, .moderates = conn_moderates(c),
        .id = m->id,
    };
    if (!c->sig->rec)
        return fail(err, "unsupported", "this server does not record");
    int rc;
    if (m->type == VECHE_MSG_RECORD_START)
        return veche_recording_start(c->sig->rec, &who, err);
    if (m->type == VECHE_MSG_RECORD_STOP)
        rc = veche_recording_stop(c->sig->rec, &who, err);
    else
        rc = veche_recording_mark(c->sig->rec, &who,
                                  json_string_value(json_object_get(m->root, "label")), err);
    if (rc == 0 && m->id)
        conn_send(c, json_pack("{s:s}", "type", "ok"), m->id);
    return rc;
}

/* --- what recording.c may do: reach a client, a room, a room's worker --- */

static void rec_send_client(void *ud, uint64_t client, json_t *msg)
{
    veche_signal *s = ud;
    veche_signal_conn *c = g_hash_table_lookup(s->clients, &client);
    if (c)
        conn_send(c, msg, NULL);
    else
        json_decref(msg);
}

static void rec_send_room(void *ud, const char *room, json_t *msg)
{
    veche_signal *s = ud;
    char *text = json_dumps(msg, JSON_COMPACT);
    json_decref(msg);
    for (GList *l = s->conns.head; text && l; l = l->next) {
        veche_signal_conn *c = l->data;
        if (c->state == CONN_IN && strcmp(c->room, room) == 0)
            veche_ws_send(c->ws, text, strlen(text));
    }
    free(text);
}

static void rec_post(void *ud, veche_sfu_cmd *cmd)
{
    veche_signal *s = ud;
    room_entry *e = g_hash_table_lookup(s->rooms, cmd->room);
    if (e)
        post_to_worker(s, e->worker, cmd);
    else
        veche_sfu_cmd_free(cmd);
}

static int64_t rec_person_of(void *ud, const char *room, const char *participant)
{
    veche_signal *s = ud;
    for (GList *l = s->conns.head; l; l = l->next) {
        veche_signal_conn *c = l->data;
        if (c->state == CONN_IN && strcmp(c->room, room) == 0 &&
            strcmp(c->participant, participant) == 0)
            return c->person_id;
    }
    return 0;
}

/* --- connections --- */

/* Whether c may make one more request of this kind now; else err says
 * so (logged once per run of refusals, not per request). */
static bool rate_ok(veche_signal_conn *c, veche_signal_limit kind, veche_sfu_error *err)
{
    if (kind == VECHE_RL_NONE)
        return true;
    const veche_config *cfg = c->sig->env.cfg;
    unsigned per_minute = (cfg ? cfg->chat_rate_per_minute : 30) * rl_kinds[kind].scale;
    unsigned burst = (cfg ? cfg->chat_burst : 10) * rl_kinds[kind].scale;
    veche_bucket *b = &c->buckets[kind];
    bool was_limited = b->limited;
    if (veche_bucket_take(b, per_minute, burst, g_get_monotonic_time()))
        return true;
    err->code = "rate-limited";
    snprintf(err->reason, sizeof err->reason,
             "too many %s: at most %u a minute after %u at once; wait a moment",
             rl_kinds[kind].what, per_minute, burst);
    if (!was_limited)
        VLOG_INFO(conn_room(c), conn_participant(c), "rate-limited: %s", rl_kinds[kind].what);
    return false;
}

void veche_signal_conn_message(veche_signal_conn *c, const char *text, size_t len)
{
    veche_signal_msg m;
    veche_sfu_error err = {0};
    int rc = veche_signal_parse(text, len, &m, &err);
    if (rc == 0) {
        /* JOINING counts as in: requests sent right after `join` follow it
         * to the room in order (found there by client number). */
        if (m.needs_room && c->state == CONN_OUT)
            rc = fail(&err, "not-joined", "join a room first");
        else if (!rate_ok(c, m.limit, &err))
            rc = VECHE_ELIMIT;  /* not logged per request: rate_ok did once */
        else
            rc = handler_for(m.type)(c, &m, &err);
    }
    if (rc == VECHE_ELIMIT)
        send_error(c, &err, m.id);
    else if (rc != 0)
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
    leave_room(c, true, false, NULL);
    veche_attfan_unsubscribe(c->sig->attfan, c);
    if (c->joining)
        c->joining->conn = NULL;  /* the join winds down when it comes back */
    pending *pd;
    while ((pd = g_queue_pop_head(&c->pending)))
        pending_free(c->sig, pd);
    g_hash_table_remove(c->sig->clients, &c->client);
    g_queue_delete_link(&c->sig->conns, c->node);
    g_free(c);
}

void veche_signal_set_metrics(veche_signal *s, veche_metrics *m)
{
    s->metrics = m;
}

unsigned veche_signal_worker_count(const veche_signal *s)
{
    return s->n_workers;
}

const veche_mstats *veche_signal_worker_stats(const veche_signal *s, unsigned i)
{
    return i < s->n_workers && s->workers[i] ? veche_worker_stats(s->workers[i]) : NULL;
}

void veche_signal_set_accounts(veche_signal *s, const veche_signal_accounts *a)
{
    if (!s || !a)
        return;
    s->acc = *a;
    veche_attfan_free(s->attfan);
    s->attfan = NULL;
    if (a->roll) {
        veche_attfan_hooks hooks = {att_send, att_busy};
        s->attfan = veche_attfan_new(&hooks, s, a->roll, s->env.ctx, 0);
    }
    if (a->storeq && !s->rec) {
        const veche_recording_env env = {
            .send_client = rec_send_client, .send_room = rec_send_room, .post = rec_post,
            .person_of = rec_person_of, .ud = s,
        };
        s->rec = veche_recording_new(s->env.cfg, a->storeq, s->env.ctx, &env);
    }
    if (a->storeq)
        veche_agenda_live_watch(s->agenda, s, s->env.ctx);
}

int veche_signal_recorder_pid(const veche_signal *s)
{
    return s ? veche_recording_recorder_pid(s->rec) : 0;
}

const veche_recording *veche_signal_recording(const veche_signal *s)
{
    return s ? s->rec : NULL;
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
    veche_mailbox_set_budget(s->events, EVENTS_BUDGET_US);
    s->agenda = veche_agenda_live_new();
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
    veche_recording_free(s->rec);
    /* Each worker runs what it was sent, frees its rooms on its thread and
     * ends; their last events are dropped with the mailbox. */
    for (unsigned i = 0; i < s->n_workers; i++)
        veche_worker_free(s->workers[i]);
    g_free(s->workers);
    g_free(s->worker_rooms);
    veche_mailbox_free(s->events);
    veche_attfan_free(s->attfan);
    g_hash_table_destroy(s->rooms);
    g_hash_table_destroy(s->clients);
    veche_agenda_live_free(s->agenda);
    g_free(s);
}

unsigned veche_signal_room_count(const veche_signal *s)
{
    return g_hash_table_size(s->rooms);
}

/* --- for the topic modules (agenda_msg.c) --- */

veche_signal *veche_signal_conn_service(veche_signal_conn *c) { return c->sig; }
uint64_t veche_signal_conn_client(const veche_signal_conn *c) { return c->client; }
veche_storeq *veche_signal_storeq(veche_signal *s) { return s->acc.storeq; }
veche_agenda_live *veche_signal_agenda(veche_signal *s) { return s->agenda; }

veche_signal_conn *veche_signal_conn_find(veche_signal *s, uint64_t client)
{
    return g_hash_table_lookup(s->clients, &client);
}

int64_t veche_signal_conn_event(const veche_signal_conn *c)
{
    return c->state == CONN_IN ? c->event_id : 0;
}

veche_access_role veche_signal_conn_access(const veche_signal_conn *c)
{
    return c->access;
}

void veche_signal_conn_send(veche_signal_conn *c, json_t *msg, json_t *id)
{
    conn_send(c, msg, id);
}

void veche_signal_event_send(veche_signal *s, int64_t event_id, json_t *msg)
{
    char *text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    for (GList *l = s->conns.head; l && text; l = l->next) {
        veche_signal_conn *c = l->data;
        if (c->state == CONN_IN && c->event_id == event_id)
            veche_ws_send(c->ws, text, strlen(text));
    }
    free(text);
    json_decref(msg);
}

bool veche_signal_event_live(veche_signal *s, int64_t event_id)
{
    for (GList *l = s->conns.head; l; l = l->next) {
        const veche_signal_conn *c = l->data;
        if (c->state == CONN_IN && c->event_id == event_id)
            return true;
    }
    return false;
}

void veche_signal_event_post(veche_signal *s, int64_t event_id, veche_sfu_cmd *cmd)
{
    for (GList *l = s->conns.head; l; l = l->next) {
        veche_signal_conn *c = l->data;
        if (c->state != CONN_IN || c->event_id != event_id)
            continue;
        g_strlcpy(cmd->room, c->room, sizeof cmd->room);
        conn_post(c, cmd);
        return;
    }
    veche_sfu_cmd_free(cmd);
}
