/* test_storeq.c - the store thread (storeq.h): requests carried out on
 * its own connection, completions back on the main context in the order
 * submitted, a failing write as an error completion, admission and
 * sign-in through it, the blocked check, crash recovery, and a shutdown
 * that drains the queue. */
#include <glib.h>

#include "store_fixture.h"
#include "storeq.h"
#include "token.h"

typedef struct {
    GArray *order;                /* int: the tag of each completion, in order */
    GArray *rcs;                  /* int: its rc */
    GArray *ids;                  /* int64: att_id */
    GThread *thread;              /* the thread the completions ran on */
    bool other_thread;            /* a completion ran off the main thread */
    unsigned freed;               /* ud_free calls */
    veche_storeq_req last;        /* a copy of the last completion */
} results;

typedef struct {
    results *res;
    int tag;
} tagged;

static void on_done(void *ud, veche_storeq_req *req)
{
    tagged *t = ud;
    results *r = t->res;
    g_array_append_val(r->order, t->tag);
    g_array_append_val(r->rcs, req->rc);
    g_array_append_val(r->ids, req->att_id);
    if (g_thread_self() != r->thread)
        r->other_thread = true;
    r->last = *req;
    r->last.roster = NULL;
    r->last.blocked = NULL;
    r->last.persons = NULL;
    r->last.cookie = r->last.invitation = r->last.path = NULL;
    if (req->blocked) {           /* take it */
        r->last.blocked = req->blocked;
        req->blocked = NULL;
    }
}

static void on_free(gpointer ud)
{
    tagged *t = ud;
    t->res->freed++;
    g_free(t);
}

static void results_init(results *r)
{
    memset(r, 0, sizeof *r);
    r->order = g_array_new(FALSE, FALSE, sizeof(int));
    r->rcs = g_array_new(FALSE, FALSE, sizeof(int));
    r->ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
    r->thread = g_thread_self();
}

static void results_clear(results *r)
{
    g_array_free(r->order, TRUE);
    g_array_free(r->rcs, TRUE);
    g_array_free(r->ids, TRUE);
    if (r->last.blocked)
        g_array_free(r->last.blocked, TRUE);
}

static void submit(veche_storeq *q, veche_storeq_req *req, results *r, int tag)
{
    tagged *t = g_new0(tagged, 1);
    t->res = r;
    t->tag = tag;
    veche_storeq_submit(q, req, on_done, t, on_free);
}

/* Run ctx until n completions arrived (or 10 s passed). */
static void wait_for(GMainContext *ctx, results *r, guint n)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (r->order->len < n && g_get_monotonic_time() < end)
        g_main_context_iteration(ctx, FALSE), g_usleep(1000);
}

static veche_storeq_req *attend(const cast *c, int64_t person, veche_presence_kind kind,
                                int64_t ts_ms, int64_t conn_id)
{
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_ATTEND);
    req->att = (veche_attendance){.event_id = c->meeting, .person_id = person, .kind = kind,
                                  .ts_ms = ts_ms, .conn_id = conn_id};
    snprintf(req->att.source, sizeof req->att.source, "session");
    return req;
}

static const veche_token_secret *secret(void)
{
    static veche_token_secret k;
    memset(k.key, 7, sizeof k.key);
    return &k;
}

/* A SIGN_IN request for person, now (NOW) and for an hour. */
static veche_storeq_req *sign_in(int64_t person)
{
    veche_storeq_req *in = veche_storeq_req_new(VECHE_STOREQ_SIGN_IN);
    in->person_id = person;
    in->now = NOW;
    in->expires = NOW + 3600;
    return in;
}

/* What each test starts from: a fresh store with the cast, a main
 * context and a store thread on it, and empty results.  rig_close() frees
 * them all (q may have been freed and set to NULL by the test). */
typedef struct {
    char path[256];
    veche_store *s;
    cast c;
    GMainContext *ctx;
    veche_storeq *q;
    results r;
} rig;

static bool rig_open(rig *g)
{
    g->s = fresh(g->path, sizeof g->path);
    if (!g->s)
        return false;
    build_cast(g->s, &g->c);
    g->ctx = g_main_context_new();
    g->q = NULL;
    CHECK_EQ_INT(veche_storeq_new(g->path, secret(), g->ctx, &g->q), 0);
    results_init(&g->r);
    if (!g->q) {
        results_clear(&g->r);
        g_main_context_unref(g->ctx);
        veche_store_close(g->s);
        return false;
    }
    return true;
}

static void rig_close(rig *g)
{
    veche_storeq_free(g->q);
    results_clear(&g->r);
    g_main_context_unref(g->ctx);
    veche_store_close(g->s);
}

/* Requests in, completions back on the main context, in order; the records
 * are on disk when their completion runs; the roster comes with a join
 * that asks for it. */
TEST(completions_in_order)
{
    rig g;
    if (!rig_open(&g))
        return;
    veche_storeq_req *first = attend(&g.c, g.c.chair, VECHE_PRESENCE_JOIN, 1000, 1);
    CHECK_EQ_INT(veche_store_event_get(g.s, g.c.meeting, &first->event), 0);
    first->want_roster = true;
    submit(g.q, first, &g.r, 0);
    for (int i = 1; i < 40; i++)
        submit(g.q, attend(&g.c, i % 2 ? g.c.secretary : g.c.member_nv,
                           i % 4 < 2 ? VECHE_PRESENCE_JOIN : VECHE_PRESENCE_LEAVE, 1000 + i,
                           100 + i / 2), &g.r, i);
    submit(g.q, veche_storeq_req_new(VECHE_STOREQ_BARRIER), &g.r, 40);
    CHECK_EQ_INT(veche_storeq_in_flight(g.q), 41);
    CHECK_EQ_INT(g.r.order->len, 0);  /* nothing before the loop runs */
    wait_for(g.ctx, &g.r, 41);
    CHECK_EQ_INT(g.r.order->len, 41);
    CHECK_EQ_INT(g_array_index(g.r.order, int, 40), 40);  /* the barrier comes last */
    g_array_set_size(g.r.order, 40);
    CHECK_EQ_INT(veche_storeq_in_flight(g.q), 0);
    CHECK(!g.r.other_thread);
    CHECK_EQ_INT(g.r.freed, 41);
    for (guint i = 0; i < g.r.order->len; i++) {
        CHECK_EQ_INT(g_array_index(g.r.order, int, i), (int)i);
        CHECK_EQ_INT(g_array_index(g.r.rcs, int, i), 0);
        if (i > 0)
            CHECK(g_array_index(g.r.ids, int64_t, i) > g_array_index(g.r.ids, int64_t, i - 1));
    }
    CHECK_EQ_INT(query(g.path, "SELECT count(*) FROM attendance_event"), 40);
    rig_close(&g);
}

/* The roster of a join that asks for it, through the roll. */
TEST(join_brings_roster)
{
    rig g;
    if (!rig_open(&g))
        return;
    veche_storeq_req *req = attend(&g.c, g.c.chair, VECHE_PRESENCE_JOIN, 5000, 9);
    CHECK_EQ_INT(veche_store_event_get(g.s, g.c.meeting, &req->event), 0);
    req->want_roster = true;
    veche_storeq_call(g.q, req);
    CHECK_EQ_INT(req->rc, 0);
    CHECK(req->roster != NULL);
    CHECK(req->att_id > 0);
    veche_roll *roll = veche_roll_new();
    veche_admission adm;
    veche_person who;
    CHECK_EQ_INT(veche_store_admit(g.s, g.c.meeting, g.c.chair, &adm), 0);
    CHECK_EQ_INT(veche_store_person_get(g.s, g.c.chair, &who), 0);
    CHECK(!veche_roll_hold(roll, g.c.meeting));  /* not loaded: ask for the roster */
    veche_quorum_change ch;
    CHECK(veche_roll_join(roll, &req->event, &who, &adm, 9, req->roster, false, 5000, &ch) >= 0);
    req->roster = NULL;
    CHECK(veche_roll_present(roll, g.c.meeting, g.c.chair));
    CHECK(veche_roll_hold(roll, g.c.meeting));  /* live: held, no roster needed */
    /* the join without a roster must come held */
    veche_person other;
    CHECK_EQ_INT(veche_store_person_get(g.s, g.c.secretary, &other), 0);
    CHECK(veche_roll_join(roll, &req->event, &other, &adm, 10, NULL, true, 5001, &ch) >= 0);
    CHECK(veche_roll_leave(roll, g.c.meeting, g.c.chair, 5002, &ch) >= 0);
    CHECK(veche_roll_leave(roll, g.c.meeting, g.c.secretary, 5003, &ch) >= 0);
    CHECK(!veche_roll_live(roll, g.c.meeting));
    /* unloaded: a join without a roster is refused, nothing changes */
    CHECK_EQ_INT(veche_roll_join(roll, &req->event, &who, &adm, 11, NULL, false, 5004, &ch),
                 VECHE_EINVAL);
    CHECK(!veche_roll_live(roll, g.c.meeting));
    veche_roll_free(roll);
    veche_storeq_req_free(req);
    rig_close(&g);
}

/* A write that fails comes back as an error completion; the requests
 * around it are not affected. */
TEST(failing_write_is_an_error)
{
    rig g;
    if (!rig_open(&g))
        return;
    submit(g.q, attend(&g.c, g.c.chair, VECHE_PRESENCE_JOIN, 1000, 1), &g.r, 0);
    veche_storeq_req *bad = attend(&g.c, g.c.chair, VECHE_PRESENCE_JOIN, 1001, 2);
    bad->att.event_id = 987654;  /* no such event: the foreign key refuses */
    submit(g.q, bad, &g.r, 1);
    veche_storeq_req *bad2 = veche_storeq_req_new(VECHE_STOREQ_QUORUM_LOG);
    bad2->event_id = 987654;
    submit(g.q, bad2, &g.r, 2);
    submit(g.q, attend(&g.c, g.c.chair, VECHE_PRESENCE_LEAVE, 1002, 1), &g.r, 3);
    wait_for(g.ctx, &g.r, 4);
    CHECK_EQ_INT(g.r.order->len, 4);
    CHECK_EQ_INT(g_array_index(g.r.rcs, int, 0), 0);
    CHECK(g_array_index(g.r.rcs, int, 1) < 0);
    CHECK(g_array_index(g.r.rcs, int, 2) < 0);
    CHECK_EQ_INT(g_array_index(g.r.rcs, int, 3), 0);
    CHECK_EQ_INT(query(g.path, "SELECT count(*) FROM attendance_event"), 2);
    CHECK_EQ_INT(query(g.path, "SELECT count(*) FROM quorum_log"), 0);
    rig_close(&g);
}

/* Free drains: everything submitted is written; the completions not yet
 * delivered are dropped, each ud freed once. */
TEST(shutdown_drains)
{
    rig g;
    if (!rig_open(&g))
        return;
    for (int i = 0; i < 25; i++)
        submit(g.q, attend(&g.c, g.c.chair, i % 2 ? VECHE_PRESENCE_LEAVE : VECHE_PRESENCE_JOIN,
                           2000 + i, 10 + i / 2), &g.r, i);
    veche_storeq_free(g.q);  /* no loop turn: nothing delivered */
    CHECK_EQ_INT(g.r.order->len, 0);
    CHECK_EQ_INT(g.r.freed, 25);
    CHECK_EQ_INT(query(g.path, "SELECT count(*) FROM attendance_event"), 25);
    CHECK_EQ_INT(query(g.path, "SELECT max(ts_ms) FROM attendance_event"), 2024);
    /* nothing is left for the context either */
    while (g_main_context_iteration(g.ctx, FALSE))
        ;
    CHECK_EQ_INT(g.r.order->len, 0);
    g.q = NULL;  /* freed above */
    rig_close(&g);
}

/* Sign-in then a join by the session's cookie, admitted on the store
 * thread; refusals carry the protocol code. */
TEST(sign_in_and_admit)
{
    rig g;
    if (!rig_open(&g))
        return;
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    CHECK_EQ_INT(veche_token_session_new(token, hash), 0);
    veche_storeq_req *in = sign_in(g.c.chair);
    in->verify_hash[0] = '\0';  /* the cast's accounts have no password */
    memcpy(in->token, hash, sizeof hash);
    veche_storeq_call(g.q, in);
    CHECK_EQ_INT(in->rc, 0);
    veche_storeq_req_free(in);
    /* the password changed meanwhile: no session */
    in = sign_in(g.c.chair);
    snprintf(in->verify_hash, sizeof in->verify_hash, "$argon2id$old");
    veche_storeq_call(g.q, in);
    CHECK_EQ_INT(in->rc, VECHE_ENOTFOUND);
    veche_storeq_req_free(in);
    /* blocked: no session */
    in = sign_in(g.c.blocked);
    veche_storeq_call(g.q, in);
    CHECK_EQ_INT(in->rc, VECHE_EBLOCKED);
    veche_storeq_req_free(in);

    veche_storeq_req *ad = veche_storeq_req_new(VECHE_STOREQ_ADMIT);
    ad->cookie = g_strdup_printf("a=b; veche_session=%s", token);
    ad->event_id = g.c.meeting;
    ad->now = NOW + 10;
    veche_storeq_call(g.q, ad);
    CHECK_EQ_INT(ad->rc, 0);
    CHECK_EQ_INT(ad->join.person.id, g.c.chair);
    CHECK_EQ_INT(ad->join.event.id, g.c.meeting);
    CHECK_EQ_INT(ad->join.admission.role, VECHE_ACCESS_CHAIR);
    CHECK_EQ_STR(ad->join.source, "session");
    veche_storeq_req_free(ad);
    ad = veche_storeq_req_new(VECHE_STOREQ_ADMIT);
    ad->event_id = g.c.meeting;
    ad->now = NOW + 10;
    veche_storeq_call(g.q, ad);
    CHECK(ad->rc < 0);
    CHECK_EQ_STR(ad->join.code, "sign-in-required");
    veche_storeq_req_free(ad);
    rig_close(&g);
}

/* BLOCKED answers only after another connection wrote, and names the
 * blocked among the persons asked about. */
TEST(blocked_check)
{
    rig g;
    if (!rig_open(&g))
        return;
    veche_storeq_req *b = veche_storeq_req_new(VECHE_STOREQ_BLOCKED);
    b->persons = g_array_new(FALSE, FALSE, sizeof(int64_t));
    g_array_append_val(b->persons, g.c.chair);
    g_array_append_val(b->persons, g.c.blocked);
    submit(g.q, b, &g.r, 0);
    wait_for(g.ctx, &g.r, 1);
    CHECK(g.r.last.blocked && g.r.last.blocked->len == 0);  /* nothing written since start */
    g_array_free(g.r.last.blocked, TRUE);
    g.r.last.blocked = NULL;
    char sql[128];  /* as vechectl would: another process writes the file */
    snprintf(sql, sizeof sql, "UPDATE account SET blocked = 1 WHERE person_id = %lld",
             (long long)g.c.chair);
    CHECK_EQ_INT(exec_sql(g.path, sql), SQLITE_OK);
    b = veche_storeq_req_new(VECHE_STOREQ_BLOCKED);
    b->persons = g_array_new(FALSE, FALSE, sizeof(int64_t));
    g_array_append_val(b->persons, g.c.chair);
    g_array_append_val(b->persons, g.c.secretary);
    submit(g.q, b, &g.r, 1);
    wait_for(g.ctx, &g.r, 2);
    CHECK(g.r.last.blocked && g.r.last.blocked->len == 1 &&
          g_array_index(g.r.last.blocked, int64_t, 0) == g.c.chair);
    /* unblocked behind its back again: the store thread sees it at once
     * (no read transaction is left open on its connection) */
    snprintf(sql, sizeof sql, "UPDATE account SET blocked = 0 WHERE person_id = %lld",
             (long long)g.c.chair);
    CHECK_EQ_INT(exec_sql(g.path, sql), SQLITE_OK);
    veche_storeq_req *in = sign_in(g.c.chair);
    CHECK_EQ_INT(veche_token_session_new((char[VECHE_TOKEN_SESSION_SIZE]){0}, in->token), 0);
    veche_storeq_call(g.q, in);
    CHECK_EQ_INT(in->rc, 0);
    veche_storeq_req_free(in);
    rig_close(&g);
}

/* Recovery on the store thread closes the joins a crash left open; the
 * heartbeat file is touched there too. */
TEST(recover_and_alive)
{
    char alive[256];
    rig g;
    if (!rig_open(&g))
        return;
    for (int i = 0; i < 2; i++) {
        veche_storeq_req *j = attend(&g.c, i ? g.c.secretary : g.c.chair, VECHE_PRESENCE_JOIN,
                                     1000, 1 + i);
        veche_storeq_call(g.q, j);
        CHECK_EQ_INT(j->rc, 0);
        veche_storeq_req_free(j);
    }
    veche_storeq_req *rec = veche_storeq_req_new(VECHE_STOREQ_RECOVER);
    rec->last_alive_ms = 9000;
    veche_storeq_call(g.q, rec);
    CHECK_EQ_INT(rec->rc, 0);
    CHECK_EQ_INT(rec->count, 2);
    veche_storeq_req_free(rec);
    CHECK_EQ_INT(query(g.path, "SELECT count(*) FROM attendance_event WHERE kind = 'leave'"
                             " AND ts_ms = 9000 AND source = 'server'"), 2);
    db_path(alive, sizeof alive, "alive");
    veche_storeq_req *a = veche_storeq_req_new(VECHE_STOREQ_ALIVE);
    a->path = g_strdup(alive);
    veche_storeq_call(g.q, a);
    CHECK_EQ_INT(a->rc, 0);
    veche_storeq_req_free(a);
    CHECK(g_file_test(alive, G_FILE_TEST_EXISTS));
    rig_close(&g);
}

int main(void)
{
    if (fixture_begin() != 0)
        return 1;
    RUN(completions_in_order);
    RUN(join_brings_roster);
    RUN(failing_write_is_an_error);
    RUN(shutdown_drains);
    RUN(sign_in_and_admit);
    RUN(blocked_check);
    RUN(recover_and_alive);
    fixture_end();
    return check_finish();
}
