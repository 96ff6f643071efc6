/* api_read.c - the API's read-only routes off the main loop.
 *
 * Every GET route that only reads the store (routes[] below: the table
 * says which, and why the others stay) runs, with the session cookie's
 * lookup, on a reader thread with a store connection of its own (WAL: a
 * read there sees every write committed on the main connection or the
 * store thread before it started, so the answers are the same as on the
 * main loop); the main loop only copies the request and later sends the
 * finished answer (http.h's deferred responses), so a page load waits for
 * SQLite without the rooms, the WebSockets or /healthz waiting too.
 *
 * Two readers, each one thread and one connection, so that a big report
 * does not hold up the page loads of everyone else: QUICK (the routes of
 * every page load: /api/me, /api/session, /api/events, lists, one lesson)
 * and HEAVY (reports, minutes, votes, the audit log, whole lists of people
 * and rosters: O(roster) or O(records)).  Each answers in the order its
 * requests came.
 *
 * The attendance reports need the live roll (who is in now, the quorum),
 * main-thread state, and the attendance written before the request: the
 * main loop first waits for the store thread's queue (a BARRIER, as
 * before), then copies the event's presence (veche_report_live_take,
 * O(present)) and hands the request to HEAVY, whose report is built from
 * its connection and that copy.
 *
 * A routed call on a reader gets a veche_api of its own (the reader's)
 * whose env has only cfg, secret, cost and the reader's store (and, for a
 * report, the roll's copy): the handlers of these routes use nothing else
 * (no roll, signal, storeq, mailer, guards or password pool, all
 * main-thread state).
 *
 * Like api_pw.c: finished jobs go into a queue under a mutex, one idle
 * source on the main context (attached by the first finished job) hands
 * them back.  Shutdown (api_read_stop): the threads finish what is queued,
 * the idle source is destroyed and the answers left are sent (the http
 * layer drops those whose client is gone).
 *
 * Does not: run any route that writes, or that needs main-thread state
 * beyond the roll's copy; those stay on the main loop (api.c).  Without a
 * main context or a pending handle (the fuzzer, tests calling the hook
 * directly) nothing is offloaded. */
#include "api_int.h"

#include <string.h>

#include "err.h"
#include "log.h"
#include "report.h"

typedef enum { READ_QUICK, READ_HEAVY, READ_KINDS } read_kind;

struct api_reader {
    veche_api api;                /* env: cfg, secret, cost, the thread's store */
    veche_api *owner;
    GThreadPool *pool;            /* one thread */
    GMutex lock;                  /* guards done and wake */
    GQueue done;                  /* of read_job, answered, for the main thread */
    GSource *wake;                /* idle source on owner->env.ctx, or NULL */
};

typedef struct {
    veche_http_pending *pending;
    veche_http_response resp;
    /* the request, copied (the hook's strings live only during its call) */
    char *method, *path, *query, *cookie, *accept_language, *peer, *range;
    bool tls;
    read_kind kind;
    int64_t report_event;         /* an attendance report: its event, else 0 */
    veche_report_live *live;      /* its copy of the roll (main thread made it) */
} read_job;

/* The GET routes off the main loop: path segments after /api/, "#" a
 * positive id (api_id).  Each handler reads only the store and the
 * configuration (and the attendance report the roll's copy, see above).
 *
 * Stay on the main loop, and why:
 *   every POST, PUT, PATCH and DELETE: they write, their order matters,
 *     several use main-thread state (the signal plane, the roll, mail,
 *     the sign-in guards, the password pool, the store thread's queue);
 *   GET admin/people/#/export: audited (writes the audit entry in the
 *     export's transaction);
 *   GET events/#/roll: a page of the live roll (main-thread state; its
 *     SQLite is the cookie lookup and one admission check, point lookups);
 *   anything not below (unknown routes: the 404 costs the cookie lookup). */
static const struct {
    const char *path;
    read_kind kind;
} routes[] = {
    /* every page load: the account and what it may open */
    {"me", READ_QUICK},
    {"session", READ_QUICK},
    {"events", READ_QUICK},
    {"privacy", READ_QUICK},
    {"password-reset/check", READ_QUICK},
    {"events/#/agenda", READ_QUICK},
    {"lessons", READ_QUICK},
    {"lessons/#", READ_QUICK},
    {"lessons/#/video", READ_QUICK},   /* the file itself is sent by the http layer */
    {"lessons/#/chapters.vtt", READ_QUICK},
    {"lessons/retention/#", READ_QUICK},
    {"admin/orgs", READ_QUICK},
    {"admin/orgs/#/admins", READ_QUICK},
    {"admin/bodies", READ_QUICK},
    {"admin/courses", READ_QUICK},
    {"admin/events", READ_QUICK},
    {"admin/events/#/guests", READ_QUICK},
    {"admin/bodies/#/voting", READ_QUICK},
    /* O(roster) or O(records): reports, minutes, votes, logs, lists */
    {"events/#/attendance", READ_HEAVY},
    {"events/#/attendance.csv", READ_HEAVY},
    {"events/#/attendance.html", READ_HEAVY},
    {"events/#/minutes", READ_HEAVY},
    {"events/#/minutes.html", READ_HEAVY},
    {"events/#/votes.csv", READ_HEAVY},
    {"events/#/votes.json", READ_HEAVY},
    {"admin/people", READ_HEAVY},
    {"admin/roster/body/#", READ_HEAVY},
    {"admin/roster/course/#", READ_HEAVY},
    {"admin/audit", READ_HEAVY},
    {"admin/audit.csv", READ_HEAVY},
};

/* Whether pattern ("a/#/b") matches the segments. */
static bool pattern_matches(const char *pattern, char **segs, size_t n)
{
    size_t i = 0;
    for (const char *p = pattern; *p; i++) {
        size_t len = strcspn(p, "/");
        if (i == n)
            return false;
        if (len == 1 && *p == '#') {
            if (!api_id(segs[i]))
                return false;
        } else if (strlen(segs[i]) != len || strncmp(segs[i], p, len) != 0) {
            return false;
        }
        p += len;
        if (*p == '/')
            p++;
    }
    return i == n;
}

/* The reader of (method, path) as api.c's router splits path (empty
 * segments skipped), or -1: the main loop's.  *report_event: the event
 * of an attendance report, else 0. */
int api_read_route(const char *method, const char *path, int64_t *report_event)
{
    *report_event = 0;
    if (!method || !path || strcmp(method, "GET") != 0 || strncmp(path, "/api/", 5) != 0)
        return -1;
    char *copy = g_strdup(path + 5), *segs[API_MAX_SEGS];
    size_t n = 0;
    for (char *save = NULL, *seg = strtok_r(copy, "/", &save); seg;
         seg = strtok_r(NULL, "/", &save)) {
        if (n == API_MAX_SEGS) {
            g_free(copy);
            return -1;
        }
        segs[n++] = seg;
    }
    int kind = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(routes) && kind < 0; i++)
        if (pattern_matches(routes[i].path, segs, n))
            kind = (int)routes[i].kind;
    if (kind >= 0 && n == 3 && strcmp(segs[0], "events") == 0 &&
        g_str_has_prefix(segs[2], "attendance"))
        *report_event = api_id(segs[1]);
    g_free(copy);
    return kind;
}

static void job_free(read_job *j)
{
    g_free(j->method);
    g_free(j->path);
    g_free(j->query);
    g_free(j->cookie);
    g_free(j->accept_language);
    g_free(j->peer);
    g_free(j->range);
    g_free(j->resp.body);  /* NULL when taken by the http layer */
    g_free(j->resp.file);
    veche_report_live_free(j->live);
    g_free(j);
}

/* Send j's answer (main thread) and free it. */
static void complete(read_job *j)
{
    if (!j->resp.status)
        j->resp.status = 500;
    veche_http_pending_finish(j->pending, &j->resp);
    job_free(j);
}

/* The idle source on the main context: every answered job. */
static gboolean deliver(gpointer data)
{
    api_reader *r = data;
    g_mutex_lock(&r->lock);
    GQueue q = r->done;
    g_queue_init(&r->done);
    if (r->wake) {
        g_source_unref(r->wake);
        r->wake = NULL;
    }
    g_mutex_unlock(&r->lock);
    read_job *j;
    while ((j = g_queue_pop_head(&q)))
        complete(j);
    return G_SOURCE_REMOVE;
}

/* The reader thread: the whole call (cookie, route) on its connection. */
static void pool_run(gpointer data, gpointer user)
{
    read_job *j = data;
    api_reader *r = user;
    veche_http_request req = {
        .method = j->method, .path = j->path, .query = j->query, .cookie = j->cookie,
        .accept_language = j->accept_language, .body = "", .body_len = 0, .tls = j->tls,
        .peer = j->peer, .authorization = "", .pending = NULL, .range = j->range,
    };
    r->api.live = j->live;
    api_run(&r->api, &req, &j->resp);
    r->api.live = NULL;
    g_mutex_lock(&r->lock);
    g_queue_push_tail(&r->done, j);
    if (!r->wake) {
        r->wake = g_idle_source_new();
        g_source_set_priority(r->wake, G_PRIORITY_DEFAULT);
        g_source_set_callback(r->wake, deliver, r, NULL);
        g_source_attach(r->wake, r->owner->env.ctx);
    }
    g_mutex_unlock(&r->lock);
}

/* Hand j to its reader; false (j untouched) when the thread refuses. */
static bool push(veche_api *a, read_job *j)
{
    GError *err = NULL;
    if (g_thread_pool_push(a->readers[j->kind]->pool, j, &err))
        return true;
    VLOG_ERROR(NULL, NULL, "api: read thread: %s", err ? err->message : "?");
    g_clear_error(&err);
    return false;
}

/* A report waiting for the store thread's BARRIER; job is NULL once it
 * went on (so report_barrier_free never touches a job a reader holds). */
typedef struct {
    veche_api *api;
    read_job *job;
} barrier_wait;

/* The BARRIER before a report is through (main thread): the attendance
 * written before the request is in the store; copy the roll and go on. */
static void report_barrier_done(void *ud, veche_storeq_req *req)
{
    (void)req;
    barrier_wait *w = ud;
    read_job *j = w->job;
    w->job = NULL;
    j->live = veche_report_live_take(w->api->env.roll, j->report_event);
    if (!w->api->readers[j->kind] || !push(w->api, j)) {
        j->resp.status = 503;
        complete(j);
    }
}

static void report_barrier_free(gpointer ud)
{
    barrier_wait *w = ud;
    if (w->job) {  /* the queue went away first (shutdown) */
        w->job->resp.status = 503;
        complete(w->job);
    }
    g_free(w);
}

bool api_read_offload(veche_api *a, const veche_http_request *req, veche_http_response *resp)
{
    int64_t report_event = 0;
    int kind = req->body_len ? -1 : api_read_route(req->method, req->path, &report_event);
    if (kind < 0 || !a->readers[kind] || !req->pending)
        return false;
    read_job *j = g_new0(read_job, 1);
    j->pending = req->pending;
    j->method = g_strdup(req->method);
    j->path = g_strdup(req->path);
    j->query = g_strdup(req->query ? req->query : "");
    j->cookie = g_strdup(req->cookie ? req->cookie : "");
    j->accept_language = g_strdup(req->accept_language ? req->accept_language : "");
    j->peer = g_strdup(req->peer ? req->peer : "");
    j->range = g_strdup(req->range ? req->range : "");
    j->tls = req->tls;
    j->kind = (read_kind)kind;
    j->report_event = report_event;
    resp->deferred = true;
    if (report_event && a->env.storeq) {
        barrier_wait *w = g_new(barrier_wait, 1);
        w->api = a;
        w->job = j;
        veche_storeq_submit(a->env.storeq, veche_storeq_req_new(VECHE_STOREQ_BARRIER),
                            report_barrier_done, w, report_barrier_free);
        return true;
    }
    if (report_event)
        j->live = veche_report_live_take(a->env.roll, report_event);
    if (!push(a, j)) {  /* answer on the main loop instead */
        resp->deferred = false;
        j->pending = NULL;
        job_free(j);
        return false;
    }
    return true;
}

/* A reader with its own connection to the database, or NULL (logged). */
static api_reader *reader_new(veche_api *a, const char *what)
{
    char path[VECHE_PATH_MAX + 16];
    veche_config_database_path(a->env.cfg, path, sizeof path);
    veche_store *st = NULL;
    int rc = veche_store_open(path, &st);
    if (rc != 0) {
        VLOG_ERROR(NULL, NULL, "api: %s read connection %s: %s: its reads stay on the main loop",
                   what, path, veche_strerror(rc));
        return NULL;
    }
    api_reader *r = g_new0(api_reader, 1);
    r->owner = a;
    r->api.env = (veche_api_env){
        .cfg = a->env.cfg, .store = st, .secret = a->env.secret, .cost = a->env.cost,
    };
    r->api.is_reader = true;
    g_mutex_init(&r->lock);
    g_queue_init(&r->done);
    GError *err = NULL;
    r->pool = g_thread_pool_new(pool_run, r, 1, TRUE, &err);
    if (!r->pool) {
        VLOG_ERROR(NULL, NULL, "api: no %s read thread (%s): its reads stay on the main loop",
                   what, err ? err->message : "?");
        g_clear_error(&err);
        g_mutex_clear(&r->lock);
        veche_store_close(st);
        g_free(r);
        return NULL;
    }
    return r;
}

static void reader_free(api_reader *r)
{
    if (!r)
        return;
    g_thread_pool_free(r->pool, FALSE, TRUE);  /* what is queued is answered */
    g_mutex_lock(&r->lock);
    if (r->wake) {
        g_source_destroy(r->wake);
        g_source_unref(r->wake);
        r->wake = NULL;
    }
    GQueue q = r->done;
    g_queue_init(&r->done);
    g_mutex_unlock(&r->lock);
    read_job *j;
    while ((j = g_queue_pop_head(&q)))
        complete(j);
    g_mutex_clear(&r->lock);
    veche_store_close(r->api.env.store);
    g_free(r);
}

void api_read_start(veche_api *a)
{
    if (!a->env.ctx || !a->env.cfg)
        return;
    a->readers[READ_QUICK] = reader_new(a, "quick");
    a->readers[READ_HEAVY] = reader_new(a, "heavy");
}

void api_read_stop(veche_api *a)
{
    for (int k = 0; k < READ_KINDS; k++) {
        api_reader *r = a->readers[k];
        a->readers[k] = NULL;
        reader_free(r);
    }
}
