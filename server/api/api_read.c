/* api_read.c - the API's read-only routes off the main loop.
 *
 * GET /api/me, GET /api/session and GET /api/events (the routes every page
 * asks on load; /api/me reads the person's admission to every event) only
 * read the store.  They run, with the session cookie's lookup, on one
 * thread of their own with a store connection of its own (WAL: a read
 * there sees every write committed on the main connection or the store
 * thread before it started, so the answers are the same as on the main
 * loop); the main loop only copies the request and later sends the
 * finished answer (http.h's deferred responses), so a page load waits
 * for SQLite without the rooms, the WebSockets or /healthz waiting too.
 *
 * A routed call on the thread gets a veche_api of its own (the reader's)
 * whose env has only cfg, secret, cost and the thread's store: the
 * handlers of these routes use nothing else (no roll, signal, storeq,
 * mailer, guards or password pool, all main-thread state).  One thread,
 * because one connection may be used by one thread at a time; requests
 * are answered in the order they came.
 *
 * Like api_pw.c: finished jobs go into a queue under a mutex, one idle
 * source on the main context (attached by the first finished job) hands
 * them back.  Shutdown (api_read_stop): the thread finishes what is
 * queued, the idle source is destroyed and the answers left are sent
 * (the http layer drops those whose client is gone).
 *
 * Does not: run any route that writes, or that needs main-thread state;
 * those stay on the main loop (api.c).  Without a main context or a
 * pending handle (the fuzzer, tests calling the hook directly) nothing is
 * offloaded. */
#include "api_int.h"

#include <string.h>

#include "err.h"
#include "log.h"

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
    char *method, *path, *query, *cookie, *accept_language, *peer;
    bool tls;
} read_job;

/* The routes that only read the store: (method, path after /api/). */
static const struct {
    const char *method, *path;
} routes[] = {
    {"GET", "me"},
    {"GET", "session"},
    {"GET", "events"},
};

/* Whether path ("/api/x/y") is one of routes[], as api.c's router splits
 * it (empty segments are skipped). */
static bool is_read_route(const char *method, const char *path)
{
    if (!method || !path || strncmp(path, "/api/", 5) != 0)
        return false;
    const char *p = path + 5;
    while (*p == '/')
        p++;
    size_t n = strcspn(p, "/");
    for (const char *q = p + n; *q; q++)
        if (*q != '/')
            return false;  /* more than one segment */
    for (size_t i = 0; i < G_N_ELEMENTS(routes); i++)
        if (strcmp(method, routes[i].method) == 0 && strlen(routes[i].path) == n &&
            strncmp(p, routes[i].path, n) == 0)
            return true;
    return false;
}

static void job_free(read_job *j)
{
    g_free(j->method);
    g_free(j->path);
    g_free(j->query);
    g_free(j->cookie);
    g_free(j->accept_language);
    g_free(j->peer);
    g_free(j->resp.body);  /* NULL when taken by the http layer */
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
        .peer = j->peer, .authorization = "", .pending = NULL, .range = "",
    };
    api_run(&r->api, &req, &j->resp);
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

bool api_read_offload(veche_api *a, const veche_http_request *req, veche_http_response *resp)
{
    api_reader *r = a->reader;
    if (!r || !req->pending || req->body_len || !is_read_route(req->method, req->path))
        return false;
    read_job *j = g_new0(read_job, 1);
    j->pending = req->pending;
    j->method = g_strdup(req->method);
    j->path = g_strdup(req->path);
    j->query = g_strdup(req->query ? req->query : "");
    j->cookie = g_strdup(req->cookie ? req->cookie : "");
    j->accept_language = g_strdup(req->accept_language ? req->accept_language : "");
    j->peer = g_strdup(req->peer ? req->peer : "");
    j->tls = req->tls;
    GError *err = NULL;
    if (!g_thread_pool_push(r->pool, j, &err)) {  /* answer on the main loop instead */
        VLOG_ERROR(NULL, NULL, "api: read thread: %s", err ? err->message : "?");
        g_clear_error(&err);
        j->pending = NULL;
        job_free(j);
        return false;
    }
    resp->deferred = true;
    return true;
}

void api_read_start(veche_api *a)
{
    if (!a->env.ctx || !a->env.cfg)
        return;
    char path[VECHE_PATH_MAX + 16];
    veche_config_database_path(a->env.cfg, path, sizeof path);
    veche_store *st = NULL;
    int rc = veche_store_open(path, &st);
    if (rc != 0) {
        VLOG_ERROR(NULL, NULL, "api: read connection %s: %s: reads stay on the main loop", path,
                   veche_strerror(rc));
        return;
    }
    api_reader *r = g_new0(api_reader, 1);
    r->owner = a;
    r->api.env = (veche_api_env){
        .cfg = a->env.cfg, .store = st, .secret = a->env.secret, .cost = a->env.cost,
    };
    g_mutex_init(&r->lock);
    g_queue_init(&r->done);
    GError *err = NULL;
    r->pool = g_thread_pool_new(pool_run, r, 1, TRUE, &err);
    if (!r->pool) {
        VLOG_ERROR(NULL, NULL, "api: no read thread (%s): reads stay on the main loop",
                   err ? err->message : "?");
        g_clear_error(&err);
        g_mutex_clear(&r->lock);
        veche_store_close(st);
        g_free(r);
        return;
    }
    a->reader = r;
}

void api_read_stop(veche_api *a)
{
    api_reader *r = a->reader;
    if (!r)
        return;
    a->reader = NULL;
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
