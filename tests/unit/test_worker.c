/* test_worker.c - the way between signalling and the rooms: the mailbox
 * (mailbox.c) across threads, typed events to protocol JSON
 * (events_json.c, rows of event and expected text), and a round trip of
 * typed commands through a real media worker thread (worker.c,
 * dispatch.c, room.c, moderation.c) with the replies and events it sends
 * back, as signalling receives them.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <jansson.h>

#include "check.h"
#include "config.h"
#include "dtls.h"
#include "events_json.h"
#include "log.h"
#include "mailbox.h"
#include "sfu_msg.h"
#include "worker.h"

/* --- mailbox --- */

#define POSTERS 4
#define PER_POSTER 2000

typedef struct {
    veche_mailbox *mb;
    unsigned n;
} poster;

static gpointer post_many(gpointer data)
{
    poster *p = data;
    for (uintptr_t i = 1; i <= PER_POSTER; i++)
        veche_mailbox_post(p->mb, (void *)(i << 8 | p->n));
    return NULL;
}

typedef struct {
    uintptr_t last[POSTERS];
    unsigned got;
    bool out_of_order;
} tally;

static void count(void *ud, void *item)
{
    tally *t = ud;
    uintptr_t v = (uintptr_t)item, who = v & 0xff, seq = v >> 8;
    if (seq != t->last[who] + 1)
        t->out_of_order = true;
    t->last[who] = seq;
    t->got++;
}

static void drop_nothing(void *item) { (void)item; }

TEST(mailbox_in_order_from_threads)
{
    GMainContext *ctx = g_main_context_new();
    tally t = {0};
    veche_mailbox *mb = veche_mailbox_new(ctx, count, &t, drop_nothing);
    poster ps[POSTERS];
    GThread *th[POSTERS];
    for (unsigned i = 0; i < POSTERS; i++) {
        ps[i] = (poster){mb, i};
        th[i] = g_thread_new("poster", post_many, &ps[i]);
    }
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (t.got < POSTERS * PER_POSTER && g_get_monotonic_time() < deadline)
        g_main_context_iteration(ctx, TRUE);  /* blocks: only wake-ups move it */
    for (unsigned i = 0; i < POSTERS; i++)
        g_thread_join(th[i]);
    CHECK_EQ_INT(t.got, POSTERS * PER_POSTER);
    CHECK(!t.out_of_order);
    veche_mailbox_free(mb);
    g_main_context_unref(ctx);
}

/* A slow consumer: each item takes at least 300 us. */
typedef struct {
    GArray *got;        /* uintptr_t, in delivery order */
} slow_tally;

static void slow_count(void *ud, void *item)
{
    slow_tally *t = ud;
    uintptr_t v = (uintptr_t)item;
    g_array_append_val(t->got, v);
    g_usleep(300);
}

/* Items delivered by one turn of ctx (non-blocking). */
static unsigned one_turn(GMainContext *ctx, slow_tally *t)
{
    unsigned before = t->got->len;
    g_main_context_iteration(ctx, FALSE);
    return t->got->len - before;
}

/* With a 1 ms budget a turn stops after the item that crosses it (at most
 * 4 of 300 us), the rest come on later turns in order, items posted
 * meanwhile after them; without one a turn takes the whole batch. */
TEST(mailbox_budget_cuts_a_batch_in_order)
{
    GMainContext *ctx = g_main_context_new();
    slow_tally t = {g_array_new(FALSE, FALSE, sizeof(uintptr_t))};
    veche_mailbox *mb = veche_mailbox_new(ctx, slow_count, &t, drop_nothing);
    for (uintptr_t i = 1; i <= 20; i++)
        veche_mailbox_post(mb, (void *)i);
    CHECK_EQ_INT(one_turn(ctx, &t), 20);  /* no budget: all of it */

    veche_mailbox_set_budget(mb, 1000);
    for (uintptr_t i = 21; i <= 40; i++)
        veche_mailbox_post(mb, (void *)i);
    unsigned first = one_turn(ctx, &t);
    CHECK(first >= 1 && first <= 4);
    for (uintptr_t i = 41; i <= 45; i++)  /* posted while the rest wait */
        veche_mailbox_post(mb, (void *)i);
    unsigned turns = 1;
    while (t.got->len < 45 && turns < 1000) {
        unsigned n = one_turn(ctx, &t);
        CHECK(n <= 4);
        turns++;
    }
    CHECK_EQ_INT(t.got->len, 45);
    CHECK(turns >= 25 / 4);
    bool in_order = true;
    for (unsigned i = 0; i < t.got->len; i++)
        in_order = in_order && g_array_index(t.got, uintptr_t, i) == i + 1;
    CHECK(in_order);
    veche_mailbox_free(mb);
    g_array_free(t.got, TRUE);
    g_main_context_unref(ctx);
}

/* --- events to JSON --- */

static veche_sfu_event *ev_new(veche_sfu_event_type type, const char *participant)
{
    veche_sfu_event *ev = veche_sfu_event_new(type, "board");
    ev->kind = VECHE_ROOM_MEETING;
    g_strlcpy(ev->participant, participant ? participant : "", sizeof ev->participant);
    return ev;
}

static char *encode(veche_sfu_event *ev)
{
    json_t *j = veche_events_json(ev);
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    veche_sfu_event_free(ev);
    return s;
}

typedef struct {
    veche_sfu_event *ev;
    const char *json;   /* NULL: not sent */
} row;

TEST(events_as_protocol_json)
{
    row rows[12];
    int n = 0;
    veche_sfu_event *ev;

    ev = ev_new(VECHE_EV_PARTICIPANT_LEFT, "p1");
    rows[n++] = (row){ev, "{\"type\":\"participant-left\",\"participant\":\"p1\"}"};

    ev = ev_new(VECHE_EV_TRACK_ADDED, "p1");
    g_strlcpy(ev->track.id, "v3", sizeof ev->track.id);
    ev->track.kind = VECHE_SDP_VIDEO;
    g_strlcpy(ev->track.source, "screen", sizeof ev->track.source);
    rows[n++] = (row){ev, "{\"type\":\"track-added\",\"participant\":\"p1\","
                                      "\"track\":{\"id\":\"v3\",\"kind\":\"video\","
                                      "\"source\":\"screen\"}}"};

    ev = ev_new(VECHE_EV_TRACK_REMOVED, "p1");
    g_strlcpy(ev->track.id, "a1", sizeof ev->track.id);
    rows[n++] = (row){ev, "{\"type\":\"track-removed\",\"participant\":\"p1\","
                                      "\"track\":\"a1\"}"};

    ev = ev_new(VECHE_EV_CANDIDATE, NULL);
    ev->publish_pc = true;
    ev->text = g_strdup("candidate:1 1 udp 1 127.0.0.1 5000 typ host");
    rows[n++] = (row){ev, "{\"type\":\"candidate\",\"pc\":\"publish\","
                                      "\"candidate\":\"candidate:1 1 udp 1 127.0.0.1 5000 "
                                      "typ host\"}"};

    ev = ev_new(VECHE_EV_OFFER, NULL);
    ev->text = g_strdup("v=0\r\n");
    rows[n++] = (row){ev, "{\"type\":\"offer\",\"pc\":\"subscribe\","
                                      "\"sdp\":\"v=0\\r\\n\"}"};

    ev = ev_new(VECHE_EV_MUTED, "p2");
    g_strlcpy(ev->by, "p1", sizeof ev->by);
    ev->flag = true;
    rows[n++] = (row){ev, "{\"type\":\"muted\",\"participant\":\"p2\","
                                      "\"muted\":true,\"by\":\"p1\"}"};

    ev = ev_new(VECHE_EV_SPEAKER, NULL);
    rows[n++] = (row){ev, "{\"type\":\"speaker\",\"participant\":null}"};

    ev = ev_new(VECHE_EV_FLOOR, "p2");
    rows[n++] = (row){ev, "{\"type\":\"floor\",\"participant\":\"p2\","
                                      "\"granted\":false}"};

    ev = ev_new(VECHE_EV_QUALITY, NULL);
    ev->quality = g_new0(veche_sfu_quality, 2);
    ev->n_quality = 2;
    g_strlcpy(ev->quality[0].participant, "p1", sizeof ev->quality[0].participant);
    ev->quality[0].loss = 0.0;
    g_strlcpy(ev->quality[1].participant, "p2", sizeof ev->quality[1].participant);
    ev->quality[1].loss = 0.125;
    rows[n++] = (row){ev, "{\"type\":\"quality\",\"participants\":{"
                                      "\"p1\":{\"loss\":0.0,\"level\":\"good\"},"
                                      "\"p2\":{\"loss\":0.125,\"level\":\"poor\"}}}"};

    ev = ev_new(VECHE_EV_ERROR, NULL);
    ev->code = "forbidden";
    ev->text = g_strdup("only the chair may do that");
    rows[n++] = (row){ev, "{\"type\":\"error\",\"code\":\"forbidden\","
                                      "\"reason\":\"only the chair may do that\"}"};

    ev = ev_new(VECHE_EV_CHAT, NULL);
    ev->chat = (veche_sfu_chat_msg){.seq = 7, .name = g_strdup("Анна"),
                                    .text = g_strdup("hi"), .ts_ms = 1000};
    g_strlcpy(ev->chat.from, "p1", sizeof ev->chat.from);
    rows[n++] = (row){ev, "{\"seq\":7,\"from\":\"p1\",\"name\":\"Анна\","
                                      "\"text\":\"hi\",\"ts\":1000,\"type\":\"chat\"}"};

    rows[n++] = (row){ev_new(VECHE_EV_ROOM_IDLE, NULL), NULL};

    for (int i = 0; i < n; i++) {
        char *got = encode(rows[i].ev);
        if (rows[i].json)
            CHECK_EQ_STR(got, rows[i].json);
        else
            CHECK(got == NULL);
        free(got);
    }
}

/* --- a round trip through a worker thread --- */

typedef struct {
    GMainContext *ctx;
    veche_mailbox *inbox;       /* events, as signalling gets them */
    GQueue events;              /* received, in order */
    GThread *main_thread;
    bool emitted_on_main;       /* must stay false */
} harness;

static void on_event(void *ud, void *item)
{
    g_queue_push_tail(&((harness *)ud)->events, item);
}

static void emit_from_worker(void *ud, veche_sfu_event *ev)
{
    harness *h = ud;
    if (g_thread_self() == h->main_thread)
        h->emitted_on_main = true;
    veche_mailbox_post(h->inbox, ev);
}

static void drop_event(void *item) { veche_sfu_event_free(item); }

/* The next event, waiting up to 5 s for the worker. */
static veche_sfu_event *next_event(harness *h)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (g_queue_is_empty(&h->events) && g_get_monotonic_time() < deadline)
        g_main_context_iteration(h->ctx, FALSE), g_usleep(1000);
    return g_queue_pop_head(&h->events);
}

static veche_sfu_cmd *join_cmd(uint64_t client, uint64_t req, const char *name)
{
    veche_sfu_cmd *c = veche_sfu_cmd_new(VECHE_CMD_JOIN, "board", NULL, client, req);
    c->name = g_strdup(name);
    c->kind = VECHE_ROOM_MEETING;
    return c;
}

/* Check the next event's type, reply number and first addressee. */
static veche_sfu_event *expect(harness *h, veche_sfu_event_type type, uint64_t req,
                               uint64_t client)
{
    veche_sfu_event *ev = next_event(h);
    CHECK(ev != NULL);
    if (!ev)
        return NULL;
    CHECK_EQ_STR(veche_sfu_event_name(ev->type), veche_sfu_event_name(type));
    CHECK_EQ_INT(ev->req, req);
    if (client)
        CHECK(ev->n_to >= 1 && ev->to[0].client == client);
    CHECK_EQ_INT(ev->worker, 3);
    return ev;
}

TEST(commands_and_events_through_a_worker)
{
    harness h = {.ctx = g_main_context_new(), .main_thread = g_thread_self()};
    g_queue_init(&h.events);
    h.inbox = veche_mailbox_new(h.ctx, on_event, &h, drop_event);
    veche_config cfg;
    veche_config_defaults(&cfg);
    veche_dtls_cert *cert = veche_dtls_cert_new();
    veche_worker *w = veche_worker_new(3, &cfg, cert, emit_from_worker, &h);
    CHECK(w != NULL);
    CHECK_EQ_INT(veche_worker_index(w), 3);

    veche_worker_send(w, join_cmd(11, 1, "Anna"));
    veche_sfu_event *ev = expect(&h, VECHE_EV_JOINED, 1, 11);
    char anna[VECHE_PARTICIPANT_ID_LEN];
    g_strlcpy(anna, ev->participant, sizeof anna);
    CHECK(strlen(anna) == 8);
    CHECK_EQ_INT(ev->joined->role, VECHE_ROLE_MODERATOR);
    CHECK_EQ_INT(ev->joined->worker, 3);
    CHECK_EQ_INT(ev->joined->n_participants, 0);
    CHECK(strlen(ev->joined->moderator_key) == 32);
    veche_sfu_event_free(ev);

    veche_worker_send(w, join_cmd(12, 2, "Boris"));
    ev = expect(&h, VECHE_EV_PARTICIPANT_JOINED, 0, 11);  /* Anna is told first */
    CHECK_EQ_STR(ev->who.name, "Boris");
    CHECK_EQ_INT(ev->n_to, 1);
    veche_sfu_event_free(ev);
    ev = expect(&h, VECHE_EV_JOINED, 2, 12);
    char boris[VECHE_PARTICIPANT_ID_LEN];
    g_strlcpy(boris, ev->participant, sizeof boris);
    CHECK_EQ_INT(ev->joined->role, VECHE_ROLE_MEMBER);
    CHECK_EQ_INT(ev->joined->n_participants, 1);
    CHECK_EQ_STR(ev->joined->participants[0].id, anna);
    CHECK_EQ_STR(ev->joined->moderator_key, "");
    veche_sfu_event_free(ev);

    veche_sfu_cmd *c = veche_sfu_cmd_new(VECHE_CMD_CHAT, "board", anna, 11, 3);
    c->text = g_strdup("hello");
    veche_worker_send(w, c);
    ev = expect(&h, VECHE_EV_CHAT, 0, 0);
    CHECK_EQ_INT(ev->n_to, 2);
    CHECK_EQ_STR(ev->chat.text, "hello");
    CHECK_EQ_STR(ev->chat.from, anna);
    veche_sfu_event_free(ev);
    veche_sfu_event_free(expect(&h, VECHE_EV_OK, 3, 11));

    /* A member may not lock; a command from the wrong client finds nobody. */
    veche_worker_send(w, veche_sfu_cmd_new(VECHE_CMD_LOCK, "board", boris, 12, 4));
    ev = expect(&h, VECHE_EV_ERROR, 4, 12);
    CHECK_EQ_STR(ev->code, "forbidden");
    veche_sfu_event_free(ev);
    veche_worker_send(w, veche_sfu_cmd_new(VECHE_CMD_LOCK, "board", anna, 12, 5));
    ev = expect(&h, VECHE_EV_ERROR, 5, 12);
    CHECK_EQ_STR(ev->code, "not-joined");
    veche_sfu_event_free(ev);

    /* Removal: the removed one is told, the others see it leave. */
    c = veche_sfu_cmd_new(VECHE_CMD_REMOVE, "board", anna, 11, 6);
    c->target = g_strdup(boris);
    veche_worker_send(w, c);
    ev = expect(&h, VECHE_EV_REMOVED, 0, 12);
    CHECK_EQ_STR(ev->text, "removed by the moderator");
    veche_sfu_event_free(ev);
    ev = expect(&h, VECHE_EV_PARTICIPANT_LEFT, 0, 11);
    CHECK_EQ_STR(ev->participant, boris);
    veche_sfu_event_free(ev);
    veche_sfu_event_free(expect(&h, VECHE_EV_OK, 6, 11));

    /* The last one leaves: the room is idle (reported once), then closed. */
    veche_worker_send(w, veche_sfu_cmd_new(VECHE_CMD_LEAVE, "board", anna, 11, 0));
    ev = expect(&h, VECHE_EV_ROOM_IDLE, 0, 0);
    CHECK_EQ_STR(ev->room, "board");
    veche_sfu_event_free(ev);
    veche_worker_send(w, veche_sfu_cmd_new(VECHE_CMD_CLOSE_ROOM, "board", NULL, 0, 0));
    /* A command for the closed room: not joined. */
    veche_worker_send(w, veche_sfu_cmd_new(VECHE_CMD_UNMUTE, "board", anna, 11, 7));
    ev = expect(&h, VECHE_EV_ERROR, 7, 11);
    CHECK_EQ_STR(ev->code, "not-joined");
    veche_sfu_event_free(ev);

    /* A request sent right behind the join, before the client knew its
     * participant id, finds it by client number. */
    veche_worker_send(w, join_cmd(13, 8, "Vera"));
    veche_worker_send(w, veche_sfu_cmd_new(VECHE_CMD_UNMUTE, "board", NULL, 13, 9));
    ev = expect(&h, VECHE_EV_JOINED, 8, 13);
    CHECK_EQ_INT(ev->joined->role, VECHE_ROLE_MODERATOR);  /* a new room */
    json_t *j = veche_events_json(ev);
    CHECK_EQ_STR(json_string_value(json_object_get(j, "type")), "joined");
    CHECK_EQ_STR(json_string_value(json_object_get(j, "role")), "chair");
    CHECK_EQ_STR(json_string_value(json_object_get(j, "participant")), ev->participant);
    CHECK(json_is_null(json_object_get(j, "speaker")));
    CHECK_EQ_INT(json_array_size(json_object_get(j, "participants")), 0);
    CHECK(json_string_length(json_object_get(j, "moderatorKey")) == 32);
    CHECK(json_is_false(json_object_get(j, "locked")));
    json_decref(j);
    veche_sfu_event_free(ev);
    veche_sfu_event_free(expect(&h, VECHE_EV_OK, 9, 13));
    /* A room still full when the worker stops is freed on its thread. */
    veche_worker_free(w);
    CHECK(!h.emitted_on_main);
    veche_mailbox_free(h.inbox);
    g_queue_clear_full(&h.events, drop_event);
    veche_dtls_cert_unref(cert);
    g_main_context_unref(h.ctx);
}

int main(void)
{
    veche_log_set_level(VECHE_LOG_WARN);
    RUN(mailbox_in_order_from_threads);
    RUN(mailbox_budget_cuts_a_batch_in_order);
    RUN(events_as_protocol_json);
    RUN(commands_and_events_through_a_worker);
    return check_finish();
}
