/* storeq.c - the store thread (storeq.h).
 *
 * Requests go into a GAsyncQueue; the thread pops them one at a time, does
 * the work on its connection, and puts the request on the done list under
 * a mutex; the first one put there attaches an idle source to ctx, which
 * hands the whole list to the main thread (the same hand-back as
 * api_pw.c).  A STOP request (private) ends the thread once everything
 * before it is done.  A request submitted with veche_storeq_call is not
 * put on the done list: the thread marks it finished and wakes the caller.
 */
#include "storeq.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "log.h"
#include "store_chat.h"
#include "store_int.h"
#include "store_lessons.h"

#define STOREQ_STOP ((veche_storeq_kind)-1)

struct veche_storeq {
    /* passed by argument */
    const veche_token_secret *secret;
    GMainContext *ctx;
    /* allocated by this */
    veche_store *st;              /* the store thread's only */
    GThread *thread;
    GAsyncQueue *in;              /* of veche_storeq_req */
    GMutex lock;                  /* guards done, wake, and finished of sync requests */
    GCond cond;                   /* a sync request finished */
    GQueue done;                  /* carried out, waiting for the main thread */
    GSource *wake;                /* idle source on ctx delivering done, or NULL */
    unsigned in_flight;           /* main thread */
    veche_metrics *metrics;       /* main thread; borrowed, NULL: none */
    int64_t data_version;         /* store thread: at the last BLOCKED */
};

veche_storeq_req *veche_storeq_req_new(veche_storeq_kind kind)
{
    veche_storeq_req *r = g_new0(veche_storeq_req, 1);
    r->kind = kind;
    return r;
}

void veche_storeq_req_free(veche_storeq_req *r)
{
    if (!r)
        return;
    g_free(r->cookie);
    g_free(r->invitation);
    g_free(r->path);
    if (r->persons)
        g_array_free(r->persons, TRUE);
    if (r->blocked)
        g_array_free(r->blocked, TRUE);
    veche_roll_roster_free(r->roster);
    veche_vote_op_free(r->vote);
    g_free(r->rec_rows);
    g_free(r->title);
    g_free(r->speaker);
    g_free(r->text);
    if (r->agenda)
        g_array_unref(r->agenda);
    g_free(r);
}

/* ---- the work, on the store thread; one function per kind ---- */

static void do_admit(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = veche_auth_admit_join(q->st, q->secret, r->cookie, r->event_id, r->invitation,
                                  r->now, &r->join);
}

static void do_unadmit(veche_storeq *q, veche_storeq_req *r)
{
    veche_auth_join_undo(q->st, &r->join);
}

/* A join's roster is read before its record is written: a join recorded
 * without a roll to put it in would have to be undone. */
static void do_attend(veche_storeq *q, veche_storeq_req *r)
{
    if (r->want_roster && r->att.kind == VECHE_PRESENCE_JOIN &&
        (r->rc = veche_roll_roster_load(q->st, &r->event, &r->roster)) != 0)
        return;
    r->rc = veche_store_attendance_append(q->st, &r->att, &r->att_id);
    if (r->rc != 0) {
        veche_roll_roster_free(r->roster);
        r->roster = NULL;
    } else if (r->want_agenda && veche_store_agenda_items(q->st, r->att.event_id,
                                                         &r->agenda) != 0) {
        r->agenda = NULL;  /* the join stands; it is told no agenda */
    }
}

static void do_quorum_log(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = veche_store_quorum_log_append(q->st, r->event_id, &r->change);
}

static void do_alive(veche_storeq *q, veche_storeq_req *r)
{
    (void)q;
    if (!r->path || utimensat(AT_FDCWD, r->path, NULL, 0) == 0)
        return;
    int fd = g_open(r->path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        r->rc = VECHE_EIO;
    else
        g_close(fd, NULL);
}

static void do_blocked(veche_storeq *q, veche_storeq_req *r)
{
    int64_t version = 0;
    r->blocked = g_array_new(FALSE, FALSE, sizeof(int64_t));
    if ((r->rc = veche_store_data_version(q->st, &version)) != 0 || version == q->data_version)
        return;
    q->data_version = version;
    for (guint i = 0; r->persons && i < r->persons->len; i++) {
        int64_t id = g_array_index(r->persons, int64_t, i);
        veche_account acc;
        if (veche_store_account_get(q->st, id, &acc) == 0 && acc.blocked)
            g_array_append_val(r->blocked, id);
    }
}

static void do_recover(veche_storeq *q, veche_storeq_req *r)
{
    int n = veche_roll_recover(q->st, r->last_alive_ms);
    r->rc = n < 0 ? n : 0;
    r->count = n < 0 ? 0 : n;
}

static void do_sign_in(veche_storeq *q, veche_storeq_req *r)
{
    veche_account acc;
    r->rc = veche_store_account_get(q->st, r->person_id, &acc);
    if (r->rc == 0 && strcmp(acc.password_hash, r->verify_hash) != 0)
        r->rc = VECHE_ENOTFOUND;  /* the password changed while it was checked */
    if (r->rc == 0 && acc.blocked)
        r->rc = VECHE_EBLOCKED;
    if (r->rc == 0)
        r->rc = veche_store_session_create(q->st, r->token, r->person_id, r->now, r->expires);
}

/* A ballot is on disk (synchronous=FULL) before its completion runs, so a
 * voter is told "recorded" only for a ballot that survives kill -9. */
static void do_vote(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = r->vote ? veche_vote_op_run(q->st, r->vote) : VECHE_EINVAL;
}

static void do_chat(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = veche_store_chat_append(q->st, r->event_id, r->person_id, r->ts_ms, r->text,
                                    NULL);
}

static void do_agenda(veche_storeq *q, veche_storeq_req *r)
{
    switch (r->agenda_op) {
    case VECHE_AGENDA_OP_LIST:
        break;
    case VECHE_AGENDA_OP_ADD:
        r->rc = veche_store_agenda_add(q->st, r->event_id, r->title, r->speaker, &r->item_id);
        break;
    case VECHE_AGENDA_OP_REMOVE:
        r->rc = veche_store_agenda_remove(q->st, r->event_id, r->item_id);
        break;
    case VECHE_AGENDA_OP_MOVE:
        r->rc = veche_store_agenda_move(q->st, r->event_id, r->item_id, r->position);
        break;
    case VECHE_AGENDA_OP_GO:
        r->rc = veche_store_agenda_go(q->st, r->event_id, r->item_id, r->now);
        break;
    }
    int rc = veche_store_agenda_items(q->st, r->event_id, &r->agenda);
    if (r->rc == 0)
        r->rc = rc;
}

static void do_changes(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = veche_store_data_version(q->st, &r->changes);
}

static void do_rec_start(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = veche_store_recording_start(q->st, r->event_id, r->person_id, r->now, &r->rec);
}

static void do_rec_end(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = veche_store_recording_end(q->st, r->rec.id, r->rec_state, r->person_id, r->now,
                                      r->bytes);
}

static void do_rec_open(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = veche_store_recording_open_parts(q->st, &r->rec_rows, &r->n_rec_rows);
}

/* Deleting a lesson: the tombstone first (its files "pending"), then the
 * files, here and not on the main loop; a crash between the two leaves
 * them to the lesson supervisor's sweep (lesson_render.c). */
static void do_lesson_delete(veche_storeq *q, veche_storeq_req *r)
{
    r->rc = veche_store_lesson_mark_deleted(q->st, r->item_id, r->now);
    if (r->rc == 0 && r->path)
        r->rc = veche_store_lesson_remove_files(q->st, r->path, r->item_id);
}

static void do_barrier(veche_storeq *q, veche_storeq_req *r)
{
    (void)q;
    (void)r;
}

typedef void (*work_fn)(veche_storeq *q, veche_storeq_req *r);

static const work_fn work[] = {
    [VECHE_STOREQ_ADMIT] = do_admit,
    [VECHE_STOREQ_UNADMIT] = do_unadmit,
    [VECHE_STOREQ_ATTEND] = do_attend,
    [VECHE_STOREQ_QUORUM_LOG] = do_quorum_log,
    [VECHE_STOREQ_ALIVE] = do_alive,
    [VECHE_STOREQ_BLOCKED] = do_blocked,
    [VECHE_STOREQ_RECOVER] = do_recover,
    [VECHE_STOREQ_SIGN_IN] = do_sign_in,
    [VECHE_STOREQ_BARRIER] = do_barrier,
    [VECHE_STOREQ_VOTE] = do_vote,
    [VECHE_STOREQ_REC_START] = do_rec_start,
    [VECHE_STOREQ_REC_END] = do_rec_end,
    [VECHE_STOREQ_REC_OPEN] = do_rec_open,
    [VECHE_STOREQ_AGENDA] = do_agenda,
    [VECHE_STOREQ_CHANGES] = do_changes,
    [VECHE_STOREQ_LESSON_DELETE] = do_lesson_delete,
    [VECHE_STOREQ_CHAT] = do_chat,
};

void veche_storeq_set_metrics(veche_storeq *q, veche_metrics *m)
{
    if (q)
        q->metrics = m;
}

/* ---- hand-back to the main thread ---- */

static gboolean deliver(gpointer data)
{
    veche_storeq *q = data;
    g_mutex_lock(&q->lock);
    GQueue list = q->done;
    g_queue_init(&q->done);
    if (q->wake) {
        g_source_unref(q->wake);
        q->wake = NULL;
    }
    g_mutex_unlock(&q->lock);
    veche_storeq_req *r;
    while ((r = g_queue_pop_head(&list))) {
        q->in_flight--;
        if (r->kind == VECHE_STOREQ_ATTEND)
            veche_metrics_attendance_write(q->metrics, (double)r->work_us / 1e6);
        if (r->done)
            r->done(r->ud, r);
        if (r->ud_free)
            r->ud_free(r->ud);
        veche_storeq_req_free(r);
    }
    return G_SOURCE_REMOVE;
}

static gpointer thread_main(gpointer data)
{
    veche_storeq *q = data;
    for (;;) {
        veche_storeq_req *r = g_async_queue_pop(q->in);
        if (r->kind == STOREQ_STOP) {
            veche_storeq_req_free(r);
            return NULL;
        }
        int64_t t0 = g_get_monotonic_time();
        if ((size_t)r->kind < G_N_ELEMENTS(work) && work[r->kind])
            work[r->kind](q, r);
        else
            r->rc = VECHE_EINVAL;
        r->work_us = g_get_monotonic_time() - t0;
        /* invariant: no request leaves a transaction or statement open (a
         * read transaction left open would freeze this thread's view) */
        if (!sqlite3_get_autocommit(q->st->db) || sqlite3_next_stmt(q->st->db, NULL))
            VLOG_ERROR(NULL, NULL, "storeq: request kind %d left a transaction or statement"
                       " open", (int)r->kind);
        g_mutex_lock(&q->lock);
        if (r->sync) {
            r->finished = true;
            g_cond_broadcast(&q->cond);
        } else {
            g_queue_push_tail(&q->done, r);
            if (!q->wake) {
                q->wake = g_idle_source_new();
                g_source_set_priority(q->wake, G_PRIORITY_DEFAULT);
                g_source_set_callback(q->wake, deliver, q, NULL);
                g_source_attach(q->wake, q->ctx);
            }
        }
        g_mutex_unlock(&q->lock);
    }
}

/* ---- the public calls, main thread ---- */

int veche_storeq_new(const char *path, const veche_token_secret *secret, GMainContext *ctx,
                     veche_storeq **out)
{
    veche_store *st = NULL;
    int rc = veche_store_open(path, &st);
    if (rc != 0)
        return rc;
    veche_storeq *q = g_new0(veche_storeq, 1);
    q->secret = secret;
    q->ctx = ctx;
    q->st = st;
    q->in = g_async_queue_new();
    g_mutex_init(&q->lock);
    g_cond_init(&q->cond);
    g_queue_init(&q->done);
    /* this connection's own writes do not move data_version: start from
     * now, so the first BLOCKED checks only after another process wrote */
    (void)veche_store_data_version(st, &q->data_version);
    q->thread = g_thread_new("veche-store", thread_main, q);
    *out = q;
    return 0;
}

void veche_storeq_free(veche_storeq *q)
{
    if (!q)
        return;
    g_async_queue_push(q->in, veche_storeq_req_new(STOREQ_STOP));
    g_thread_join(q->thread);  /* everything queued before is done */
    g_mutex_lock(&q->lock);
    if (q->wake) {
        g_source_destroy(q->wake);
        g_source_unref(q->wake);
        q->wake = NULL;
    }
    GQueue list = q->done;
    g_queue_init(&q->done);
    g_mutex_unlock(&q->lock);
    veche_storeq_req *r;
    while ((r = g_queue_pop_head(&list))) {  /* carried out; nobody to tell */
        if (r->ud_free)
            r->ud_free(r->ud);
        veche_storeq_req_free(r);
    }
    g_async_queue_unref(q->in);
    veche_store_close(q->st);
    g_mutex_clear(&q->lock);
    g_cond_clear(&q->cond);
    g_free(q);
}

void veche_storeq_submit(veche_storeq *q, veche_storeq_req *req, veche_storeq_done_fn done,
                         void *ud, GDestroyNotify ud_free)
{
    req->done = done;
    req->ud = ud;
    req->ud_free = ud_free;
    q->in_flight++;
    g_async_queue_push(q->in, req);
}

void veche_storeq_call(veche_storeq *q, veche_storeq_req *req)
{
    req->sync = true;
    req->finished = false;
    g_async_queue_push(q->in, req);
    g_mutex_lock(&q->lock);
    while (!req->finished)
        g_cond_wait(&q->cond, &q->lock);
    g_mutex_unlock(&q->lock);
}

unsigned veche_storeq_in_flight(const veche_storeq *q)
{
    return q ? q->in_flight : 0;
}
