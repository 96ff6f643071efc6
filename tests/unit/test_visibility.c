/* test_visibility.c - who sees whom in a training (sfu/visibility.c):
 * the room's events are caught as the room emits them and their
 * addressees checked, through the real room (join, hand, floor, leave). */
#include "check.h"
#include "config.h"
#include "sfu.h"

#include <glib.h>
#include <string.h>

#define MAX_EVENTS 64

typedef struct {
    veche_sfu_event_type type;
    char participant[VECHE_PARTICIPANT_ID_LEN];  /* the subject */
    char to[8][VECHE_PARTICIPANT_ID_LEN];
    unsigned n_to;
    unsigned n_participants, present, n_hands;   /* JOINED */
    unsigned room_size;                          /* ROOM_SIZE */
    bool flag;                                   /* FLOOR granted, LEFT hidden */
} seen_event;

static seen_event events[MAX_EVENTS];
static unsigned n_events;

static void on_event(void *ud, veche_sfu_event *ev)
{
    (void)ud;
    if (n_events < MAX_EVENTS) {
        seen_event *e = &events[n_events++];
        memset(e, 0, sizeof *e);
        e->type = ev->type;
        g_strlcpy(e->participant, ev->type == VECHE_EV_PARTICIPANT_JOINED ? ev->who.id
                                                                         : ev->participant,
                  sizeof e->participant);
        for (unsigned i = 0; i < ev->n_to && i < 8; i++)
            g_strlcpy(e->to[e->n_to++], ev->to[i].participant, sizeof e->to[0]);
        if (ev->joined) {
            e->n_participants = ev->joined->n_participants;
            e->present = ev->joined->present;
            e->n_hands = ev->joined->n_hands;
        }
        e->room_size = ev->present;
        e->flag = ev->flag;
    }
    veche_sfu_event_free(ev);
}

/* The last event of type since mark, or NULL. */
static const seen_event *last(veche_sfu_event_type type, unsigned mark)
{
    for (unsigned i = n_events; i-- > mark;)
        if (events[i].type == type)
            return &events[i];
    return NULL;
}

static bool addressed(const seen_event *e, const veche_participant *p)
{
    for (unsigned i = 0; e && i < e->n_to; i++)
        if (strcmp(e->to[i], p->id) == 0)
            return true;
    return false;
}

static unsigned count(veche_sfu_event_type type, unsigned mark)
{
    unsigned n = 0;
    for (unsigned i = mark; i < n_events; i++)
        n += events[i].type == type;
    return n;
}

typedef struct {
    GMainContext *ctx;
    veche_config cfg;
    veche_sfu_env env;
    veche_room *room;
} fixture;

static void setup(fixture *f, veche_room_kind kind)
{
    n_events = 0;
    f->ctx = g_main_context_new();
    veche_config_defaults(&f->cfg);
    f->env = (veche_sfu_env){.ctx = f->ctx, .cfg = &f->cfg, .emit = on_event};
    f->room = veche_room_new("vis", kind, &f->env);
}

static void teardown(fixture *f)
{
    veche_room_free(f->room);
    /* who left is freed on the context's next turn (participant.c) */
    while (g_main_context_iteration(f->ctx, FALSE))
        ;
    g_main_context_unref(f->ctx);
}

static veche_participant *join(fixture *f, const char *name, veche_role role, uint64_t client)
{
    veche_join_request req = {.name = name, .fixed_role = true, .role = role,
                              .presides = role == VECHE_ROLE_MODERATOR, .client = client,
                              .req = client};
    veche_sfu_error err = {0};
    veche_participant *p = veche_room_join(f->room, &req, &err);
    CHECK(p != NULL);
    return p;
}

TEST(activists_see_the_trainer_not_each_other)
{
    fixture f;
    setup(&f, VECHE_ROOM_TRAINING);
    veche_participant *t = join(&f, "Trainer", VECHE_ROLE_MODERATOR, 1);
    veche_participant *a = join(&f, "A", VECHE_ROLE_MEMBER, 2);
    unsigned mark = n_events;
    veche_participant *b = join(&f, "B", VECHE_ROLE_MEMBER, 3);
    const seen_event *pj = last(VECHE_EV_PARTICIPANT_JOINED, mark);
    CHECK(pj && addressed(pj, t) && !addressed(pj, a) && pj->n_to == 1);
    const seen_event *j = last(VECHE_EV_JOINED, mark);
    CHECK(j != NULL);
    CHECK_EQ_INT(j->n_participants, 1);  /* the trainer only */
    CHECK_EQ_INT(j->present, 3);
    /* the trainer joining later sees everyone */
    mark = n_events;
    veche_participant *t2 = join(&f, "Assistant", VECHE_ROLE_MODERATOR, 4);
    j = last(VECHE_EV_JOINED, mark);
    CHECK(j && j->n_participants == 3);
    pj = last(VECHE_EV_PARTICIPANT_JOINED, mark);  /* a moderator: to everyone */
    CHECK(pj && addressed(pj, t) && addressed(pj, a) && addressed(pj, b) && pj->n_to == 3);
    /* a hand goes to the moderators and the raiser only */
    veche_sfu_error err = {0};
    mark = n_events;
    CHECK_EQ_INT(veche_participant_set_hand(b, NULL, true, &err), 0);
    const seen_event *h = last(VECHE_EV_HAND, mark);
    CHECK(h && addressed(h, t) && addressed(h, t2) && addressed(h, b) && !addressed(h, a));
    /* in `joined`: the hand for a moderator, not for another activist */
    mark = n_events;
    join(&f, "D", VECHE_ROLE_MEMBER, 5);
    CHECK(last(VECHE_EV_JOINED, mark) && last(VECHE_EV_JOINED, mark)->n_hands == 0);
    mark = n_events;
    join(&f, "Assistant 2", VECHE_ROLE_MODERATOR, 6);
    CHECK(last(VECHE_EV_JOINED, mark) && last(VECHE_EV_JOINED, mark)->n_hands == 1);
    /* a leave of a hidden activist: only to the moderators */
    mark = n_events;
    veche_participant_leave(a);
    const seen_event *pl = last(VECHE_EV_PARTICIPANT_LEFT, mark);
    CHECK(pl && addressed(pl, t) && addressed(pl, t2) && !addressed(pl, b));
    teardown(&f);
}

TEST(the_floor_reveals_an_activist_first)
{
    fixture f;
    setup(&f, VECHE_ROOM_TRAINING);
    veche_participant *t = join(&f, "Trainer", VECHE_ROLE_MODERATOR, 1);
    veche_participant *a = join(&f, "A", VECHE_ROLE_MEMBER, 2);
    veche_participant *b = join(&f, "B", VECHE_ROLE_MEMBER, 3);
    veche_sfu_error err = {0};
    unsigned mark = n_events;
    CHECK_EQ_INT(veche_participant_set_floor(t, b->id, true, &err), 0);
    /* B's participant-joined to A (who did not see B), then the floor to all */
    unsigned pj_at = 0, floor_at = 0;
    for (unsigned i = mark; i < n_events; i++) {
        if (events[i].type == VECHE_EV_PARTICIPANT_JOINED && !pj_at)
            pj_at = i + 1;
        if (events[i].type == VECHE_EV_FLOOR && !floor_at)
            floor_at = i + 1;
    }
    CHECK(pj_at && floor_at && pj_at < floor_at);
    const seen_event *pj = &events[pj_at - 1];
    CHECK(strcmp(pj->participant, b->id) == 0 && addressed(pj, a) && pj->n_to == 1);
    const seen_event *fl = &events[floor_at - 1];
    CHECK(addressed(fl, t) && addressed(fl, a) && addressed(fl, b));
    CHECK(veche_room_sees(f.room, a, b));
    /* the floor taken back: the `floor` to all who saw B, then B is hidden
     * from A again (participant-left with hidden), the trainer still sees B */
    mark = n_events;
    CHECK_EQ_INT(veche_participant_set_floor(t, b->id, false, &err), 0);
    CHECK(!veche_room_sees(f.room, a, b) && veche_room_sees(f.room, t, b));
    CHECK_EQ_INT(n_events - mark, 2);
    fl = &events[mark];
    CHECK(fl->type == VECHE_EV_FLOOR && !fl->flag && addressed(fl, a) && addressed(fl, t) &&
          addressed(fl, b));
    const seen_event *hid = &events[mark + 1];
    CHECK(hid->type == VECHE_EV_PARTICIPANT_LEFT && hid->flag &&
          strcmp(hid->participant, b->id) == 0);
    CHECK(addressed(hid, a) && !addressed(hid, t) && !addressed(hid, b) && hid->n_to == 1);
    /* a hand of B's now goes to the moderators and B only */
    mark = n_events;
    CHECK_EQ_INT(veche_participant_set_hand(b, NULL, true, &err), 0);
    const seen_event *h = last(VECHE_EV_HAND, mark);
    CHECK(h && addressed(h, t) && addressed(h, b) && !addressed(h, a));
    /* taking back again: nothing more for A */
    mark = n_events;
    CHECK_EQ_INT(veche_participant_set_floor(t, b->id, false, &err), 0);
    CHECK_EQ_INT(count(VECHE_EV_PARTICIPANT_LEFT, mark), 0);
    /* its real leave: to the moderators only, not a hidden one */
    mark = n_events;
    veche_participant_leave(b);
    const seen_event *pl = last(VECHE_EV_PARTICIPANT_LEFT, mark);
    CHECK(pl && !pl->flag && addressed(pl, t) && !addressed(pl, a));
    /* given the floor again: revealed again (a participant-joined to A) */
    veche_participant *c = join(&f, "C", VECHE_ROLE_MEMBER, 4);
    CHECK_EQ_INT(veche_participant_set_floor(t, c->id, true, &err), 0);
    mark = n_events;
    CHECK_EQ_INT(veche_participant_set_floor(t, c->id, false, &err), 0);
    CHECK_EQ_INT(veche_participant_set_floor(t, c->id, true, &err), 0);
    CHECK_EQ_INT(count(VECHE_EV_PARTICIPANT_JOINED, mark), 1);
    CHECK(addressed(last(VECHE_EV_PARTICIPANT_JOINED, mark), a));
    teardown(&f);
}

/* One still publishing stays revealed when the floor goes (a trainer's
 * own tracks aside, only the floor lets an activist publish, and taking it
 * back unpublishes; a track added some other way keeps it shown), and a
 * meeting never conceals. */
TEST(a_publisher_stays_revealed)
{
    fixture f;
    setup(&f, VECHE_ROOM_TRAINING);
    veche_participant *t = join(&f, "Trainer", VECHE_ROLE_MODERATOR, 1);
    veche_participant *a = join(&f, "A", VECHE_ROLE_MEMBER, 2);
    veche_participant *b = join(&f, "B", VECHE_ROLE_MEMBER, 3);
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_participant_set_floor(t, b->id, true, &err), 0);
    veche_codec codec = {.kind = VECHE_SDP_AUDIO, .pt = 111, .clock_rate = 48000};
    g_strlcpy(codec.name, "opus", sizeof codec.name);
    veche_track *tr = veche_track_new(b, "a1", &codec, 1234, 0, 16);
    CHECK(tr != NULL);
    g_ptr_array_add(b->tracks, tr);
    b->has_floor = false;  /* as if taken back without the unpublish */
    unsigned mark = n_events;
    veche_room_conceal(f.room, b);
    CHECK_EQ_INT(count(VECHE_EV_PARTICIPANT_LEFT, mark), 0);
    CHECK(veche_room_sees(f.room, a, b));
    /* its last track gone: now it is hidden */
    g_ptr_array_remove(b->tracks, tr);
    veche_track_free(tr);
    veche_room_conceal(f.room, b);
    const seen_event *hid = last(VECHE_EV_PARTICIPANT_LEFT, mark);
    CHECK(hid && hid->flag && addressed(hid, a) && hid->n_to == 1);
    teardown(&f);

    setup(&f, VECHE_ROOM_MEETING);
    veche_participant *c = join(&f, "Chair", VECHE_ROLE_MODERATOR, 1);
    join(&f, "A", VECHE_ROLE_MEMBER, 2);
    veche_participant *m = join(&f, "M", VECHE_ROLE_MEMBER, 3);
    CHECK_EQ_INT(veche_participant_set_floor(c, m->id, true, &err), 0);
    mark = n_events;
    CHECK_EQ_INT(veche_participant_set_floor(c, m->id, false, &err), 0);
    CHECK_EQ_INT(count(VECHE_EV_PARTICIPANT_LEFT, mark), 0);
    teardown(&f);
}

TEST(room_size_to_members_when_it_changed)
{
    fixture f;
    setup(&f, VECHE_ROOM_TRAINING);
    veche_participant *t = join(&f, "Trainer", VECHE_ROLE_MODERATOR, 1);
    veche_participant *a = join(&f, "A", VECHE_ROLE_MEMBER, 2);
    join(&f, "B", VECHE_ROLE_MEMBER, 3);
    unsigned mark = n_events;
    veche_room_send_size(f.room);
    const seen_event *s = last(VECHE_EV_ROOM_SIZE, mark);
    CHECK(s && s->room_size == 3 && addressed(s, a) && !addressed(s, t) && s->n_to == 2);
    mark = n_events;
    veche_room_send_size(f.room);  /* unchanged: nothing */
    CHECK_EQ_INT(count(VECHE_EV_ROOM_SIZE, mark), 0);
    join(&f, "C", VECHE_ROLE_MEMBER, 4);
    join(&f, "D", VECHE_ROLE_MEMBER, 5);
    mark = n_events;
    veche_room_send_size(f.room);  /* two joins: one message */
    CHECK_EQ_INT(count(VECHE_EV_ROOM_SIZE, mark), 1);
    CHECK(last(VECHE_EV_ROOM_SIZE, mark)->room_size == 5);
    teardown(&f);
}

TEST(a_meeting_is_unchanged)
{
    fixture f;
    setup(&f, VECHE_ROOM_MEETING);
    veche_participant *c = join(&f, "Chair", VECHE_ROLE_MODERATOR, 1);
    veche_participant *a = join(&f, "A", VECHE_ROLE_MEMBER, 2);
    unsigned mark = n_events;
    join(&f, "B", VECHE_ROLE_MEMBER, 3);
    const seen_event *pj = last(VECHE_EV_PARTICIPANT_JOINED, mark);
    CHECK(pj && addressed(pj, c) && addressed(pj, a));
    const seen_event *j = last(VECHE_EV_JOINED, mark);
    CHECK(j && j->n_participants == 2 && j->present == 3);
    mark = n_events;
    veche_room_send_size(f.room);
    CHECK_EQ_INT(count(VECHE_EV_ROOM_SIZE, mark), 0);
    teardown(&f);
}

int main(void)
{
    RUN(activists_see_the_trainer_not_each_other);
    RUN(the_floor_reveals_an_activist_first);
    RUN(a_publisher_stays_revealed);
    RUN(room_size_to_members_when_it_changed);
    RUN(a_meeting_is_unchanged);
    return check_finish();
}
