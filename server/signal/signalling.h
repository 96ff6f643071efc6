/* signalling.h - the signalling service (named so because "signal.h" would
 * shadow the C library header of that name), protocol v1 (docs/protocol.md):
 * parses and validates client messages, keeps the registry of rooms (which
 * media worker runs each), turns requests into typed commands to the
 * room's worker and the rooms' typed events into messages.
 *
 * veche_signal_parse() is pure (no I/O, no state) and is what the fuzzer
 * drives.  Ownership: veche_signal owns its rooms and knows every
 * connection (to close a blocked person's); a veche_signal_conn is
 * created per WebSocket by the server and freed when the socket closes
 * (which is the same as `leave`).  All on the main loop's thread; the
 * rooms run on the media workers this service starts (media_workers).
 */
#ifndef VECHE_SIGNALLING_H
#define VECHE_SIGNALLING_H

#include <stddef.h>
#include <jansson.h>

#include "http.h"
#include "metrics.h"
#include "mstats.h"
#include "roll.h"
#include "room.h"
#include "sfu_msg.h"
#include "store.h"
#include "storeq.h"
#include "vote.h"

typedef enum {
    VECHE_MSG_JOIN,
    VECHE_MSG_PUBLISH,
    VECHE_MSG_SUBSCRIBE,
    VECHE_MSG_ANSWER,
    VECHE_MSG_CANDIDATE,
    VECHE_MSG_LEAVE,
    VECHE_MSG_PING,
    VECHE_MSG_CHAT,
    VECHE_MSG_RAISE_HAND,
    VECHE_MSG_LOWER_HAND,
    VECHE_MSG_GIVE_FLOOR,
    VECHE_MSG_TAKE_FLOOR,
    VECHE_MSG_MUTE,
    VECHE_MSG_MUTE_ALL,
    VECHE_MSG_UNMUTE,
    VECHE_MSG_REMOVE,
    VECHE_MSG_LOCK,
    VECHE_MSG_UNLOCK,
    VECHE_MSG_UNPUBLISH,
    VECHE_MSG_VOTE,           /* vote-open, vote-cast, vote-close (vote_msg.c) */
    VECHE_MSG_RECORD_START,
    VECHE_MSG_RECORD_STOP,
    VECHE_MSG_RECORD_MARK,
    VECHE_MSG_MUTE_CHAT,
    VECHE_MSG_UNMUTE_CHAT,
    /* the agenda (agenda_msg.c) */
    VECHE_MSG_AGENDA_ADD,
    VECHE_MSG_AGENDA_REMOVE,
    VECHE_MSG_AGENDA_MOVE,
    VECHE_MSG_AGENDA_GO,
    VECHE_MSG_AGENDA_NEXT,
    VECHE_MSG_AGENDA_PREVIOUS,
    /* the speakers list of a meeting (the room: sfu/speakers.c) */
    VECHE_MSG_SPEAK_REQUEST,
    VECHE_MSG_SPEAK_WITHDRAW,
    VECHE_MSG_SPEAKERS_GIVE,
    VECHE_MSG_SPEAKERS_SKIP,
    VECHE_MSG_SPEAKERS_MOVE,
    VECHE_MSG_SPEAKERS_LIMIT,
    VECHE_MSG_SPEAKERS_DONE,
} veche_signal_type;

/* Requests that make the server tell everyone are rate-limited per
 * connection (ratelimit.h), one bucket per kind. */
typedef enum {
    VECHE_RL_NONE = 0,
    VECHE_RL_CHAT,
    VECHE_RL_HAND,
    VECHE_RL_MODERATION,
    VECHE_RL_COUNT
} veche_signal_limit;

/* A validated client message; string members point into root. */
typedef struct {
    veche_signal_type type;
    bool needs_room;          /* refused before a join */
    veche_signal_limit limit; /* its rate-limit kind */
    json_t *root;             /* owned; freed by veche_signal_msg_clear() */
    json_t *id;               /* borrowed from root, or NULL */
    const char *room;
    const char *name;
    const char *sdp;
    const char *pc;
    const char *candidate;
    const char *text;         /* chat */
    const char *participant;  /* target of a moderation request */
    const char *reason;       /* remove */
    veche_room_kind kind;     /* join; meeting when absent */
    const char *moderator_key;
    const char *resume_id;
    const char *resume_key;
    json_t *sources;          /* publish: mid -> source, borrowed, or NULL */
    int64_t event;            /* join: the event id, 0 when none */
    const char *invitation;   /* join: an invitation token, or NULL */
    /* agenda and speakers list (agenda_msg.c checks them) */
    const char *title;        /* agenda-add */
    const char *speaker;      /* agenda-add: NULL or the rapporteur */
    int64_t item;             /* agenda-remove, -move, -go: an item id (go: 0 = none) */
    int position;             /* agenda-move, speakers-move: 1.. */
    int seconds;              /* speakers-give, speakers-limit: 0 = no limit, -1 = absent */
} veche_signal_msg;

/* Parse and validate one message.  Returns 0, or a negative code with
 * err->code / err->reason set (out->id is still set when the message had
 * one, so the error can carry it; clear out either way). */
int veche_signal_parse(const char *text, size_t len, veche_signal_msg *out,
                       veche_sfu_error *err);
void veche_signal_msg_clear(veche_signal_msg *m);

typedef struct veche_signal veche_signal;
typedef struct veche_signal_conn veche_signal_conn;

/* env->ctx is the main loop's context (events come back there); NULL if
 * no media worker thread could start. */
veche_signal *veche_signal_new(const veche_sfu_env *env);
void veche_signal_free(veche_signal *s);  /* accepts NULL; frees all rooms */
unsigned veche_signal_room_count(const veche_signal *s);

/* Accounts: joins naming an event (or carrying an invitation) are
 * admitted (auth.c) and written to the attendance record on the store
 * thread (storeq.h), then join the room and the roll (roll.c); the room,
 * its kind and each person's role come from the event and the roster.
 * Leaves go the same way.  Without this call such joins are refused.
 * The pointers must outlive the service; the store thread's completions
 * must not run after veche_signal_free (free the queue after the service,
 * with no main loop turn in between). */
typedef struct {
    veche_store *store;           /* main-thread reads: is an anonymous room an event's? */
    veche_storeq *storeq;         /* admission and attendance */
    veche_roll *roll;
    bool allow_anonymous_rooms;   /* joins without an event */
    unsigned join_early_secs;     /* members may join this long before the start */
    veche_votes *votes;           /* NULL: no votes (notify: veche_vote_msg_notify) */
} veche_signal_accounts;
void veche_signal_set_accounts(veche_signal *s, const veche_signal_accounts *a);

/* Join latency and request round trips go to m (borrowed, outlives s;
 * NULL: none). */
void veche_signal_set_metrics(veche_signal *s, veche_metrics *m);
/* The media workers and their counters (mstats.h), for /metrics; NULL for
 * an index out of range. */
unsigned veche_signal_worker_count(const veche_signal *s);
const veche_mstats *veche_signal_worker_stats(const veche_signal *s, unsigned i);

/* Close every connection of person (blocked, signed out everywhere): each
 * gets an `error` {code, reason}, leaves its room (recorded as a leave)
 * and is closed.  Returns how many connections there were. */
unsigned veche_signal_disconnect_person(veche_signal *s, int64_t person_id,
                                        const char *code, const char *reason);

/* Close the connections of people whose account was blocked by another
 * process (vechectl writes the database directly): a BLOCKED request to
 * the store thread, cheap when nothing changed (data_version); the
 * connections close when it comes back.  The server calls it every half
 * second; one at a time is in flight. */
void veche_signal_check_blocked(veche_signal *s);

/* For protocol modules beside signalling.c (vote_msg.c): send msg (taken)
 * to connection client, with id if not NULL; false when it is gone. */
bool veche_signal_client_send(veche_signal *s, uint64_t client, json_t *msg, json_t *id);
/* Call fn for each connection in event_id's room (joined). */
typedef void (*veche_signal_conn_fn)(void *ud, uint64_t client, int64_t person_id,
                                     veche_access_role access);
void veche_signal_each_in_event(veche_signal *s, int64_t event_id, veche_signal_conn_fn fn,
                                void *ud);
/* The votes given with the accounts, or NULL. */
veche_votes *veche_signal_votes(veche_signal *s);
/* For the topic modules that handle messages of their own (agenda_msg.c):
 * a connection's service, number, event (0 unless in an event's room) and
 * access role there; send a message (taken) to a connection, with the
 * request's id (borrowed, may be NULL), or to every connection in an
 * event's room; post a typed command to the room of an event (dropped
 * when nobody is in it); the store thread (NULL without accounts). */
veche_signal *veche_signal_conn_service(veche_signal_conn *c);
uint64_t veche_signal_conn_client(const veche_signal_conn *c);
veche_signal_conn *veche_signal_conn_find(veche_signal *s, uint64_t client);
int64_t veche_signal_conn_event(const veche_signal_conn *c);
veche_access_role veche_signal_conn_access(const veche_signal_conn *c);
void veche_signal_conn_send(veche_signal_conn *c, json_t *msg, json_t *id);
void veche_signal_event_send(veche_signal *s, int64_t event_id, json_t *msg);
void veche_signal_event_post(veche_signal *s, int64_t event_id, veche_sfu_cmd *cmd);
/* Whether someone is in event_id's room now. */
bool veche_signal_event_live(veche_signal *s, int64_t event_id);
veche_storeq *veche_signal_storeq(veche_signal *s);
typedef struct veche_agenda_live veche_agenda_live;
veche_agenda_live *veche_signal_agenda(veche_signal *s);

veche_signal_conn *veche_signal_conn_new(veche_signal *s, veche_ws *ws);
/* The socket closed: leave the room, free. Accepts NULL. */
void veche_signal_conn_free(veche_signal_conn *c);
void veche_signal_conn_message(veche_signal_conn *c, const char *text, size_t len);

/* The pid of the recorder process (0: none running). */
int veche_signal_recorder_pid(const veche_signal *s);
/* The recording module (metrics); NULL until accounts are set. */
const struct veche_recording *veche_signal_recording(const veche_signal *s);

#endif
