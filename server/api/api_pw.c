/* api_pw.c - Argon2id for the API off the main loop: a GThreadPool of
 * password_threads (default one per core, 1 to 4; niced below the media)
 * does the hashing and verification of password
 * jobs (api_int.h); finished jobs go into a queue under a mutex, and one idle
 * source on the API's main context (attached by the first finished job,
 * removed when it has run) hands them back to the main thread, where the
 * handler's done() runs and the deferred answer is finished.  The store is
 * never touched off the main thread.
 *
 * Shutdown (api_pw_stop): the stopping flag makes the workers skip the work,
 * the pool is freed waiting for its threads' tasks, the idle source is
 * destroyed, and every job left is answered 503 without calling done(), so
 * no result arrives after the veche_api is gone. */
#include "api_int.h"

#include <sodium.h>
#include <string.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "log.h"

#define POOL_MAX_THREADS 4
#define POOL_NICE 10              /* below the main loop: media first, hashing after */

static void job_free(api_pw_job *j)
{
    if (j->password) {
        sodium_memzero(j->password, strlen(j->password));
        g_free(j->password);
    }
    if (j->new_password) {
        sodium_memzero(j->new_password, strlen(j->new_password));
        g_free(j->new_password);
    }
    g_free(j);
}

api_pw_job *api_pw_job_new(api_call *c, api_pw_done_fn done)
{
    api_pw_job *j = g_new0(api_pw_job, 1);
    j->api = c->api;
    j->done = done;
    j->cost = c->api->env.cost;
    j->tls = c->req->tls;
    j->now = c->now;
    j->person = c->person;
    j->hash_rc = -1;
    snprintf(j->peer, sizeof j->peer, "%s", c->req->peer ? c->req->peer : "");
    return j;
}

bool api_pw_busy(api_call *c)
{
    veche_api *a = c->api;
    if (!a->pool || !c->req->pending || a->in_flight < API_PW_MAX_JOBS)
        return false;
    VLOG_WARN(NULL, NULL, "api: %u password jobs in flight: refused (busy)", a->in_flight);
    api_error(c, 503, "busy", "the server is busy; try again in a moment");
    return true;
}

/* The Argon2id work of j (any thread). */
static void work(api_pw_job *j)
{
    if (j->password)
        j->verify_rc = j->verify_hash[0] ? veche_password_verify(j->verify_hash, j->password)
                                         : veche_password_verify_dummy(j->password, &j->cost);
    if (j->new_password && (!j->password || j->verify_rc == 0))
        j->hash_rc = veche_password_hash(j->new_password, &j->cost, j->new_hash);
}

/* Answer j's deferred request: done(), or 503 when cancelled. */
static void complete(veche_api *a, api_pw_job *j)
{
    a->in_flight--;
    veche_http_response resp;
    memset(&resp, 0, sizeof resp);
    veche_http_request req = {
        .method = "POST", .path = "", .query = "", .cookie = "", .body = "",
        .tls = j->tls, .peer = j->peer,
    };
    api_call c = {.api = a, .req = &req, .resp = &resp, .now = j->now, .person = j->person};
    if (j->cancelled)
        api_error(&c, 503, "busy", "the server is shutting down");
    else
        j->done(&c, j);
    if (resp.deferred) {  /* done() took j->pending: the store thread answers */
        job_free(j);
        return;
    }
    if (!resp.status)
        api_error(&c, 500, "internal", "no response");
    veche_http_pending_finish(j->pending, &resp);
    g_free(resp.body);  /* NULL: taken */
    job_free(j);
}

/* The idle source on the main context: every finished job. */
static gboolean deliver(gpointer data)
{
    veche_api *a = data;
    g_mutex_lock(&a->lock);
    GQueue q = a->done;
    g_queue_init(&a->done);
    if (a->wake) {
        g_source_unref(a->wake);
        a->wake = NULL;
    }
    g_mutex_unlock(&a->lock);
    api_pw_job *j;
    while ((j = g_queue_pop_head(&q)))
        complete(a, j);
    return G_SOURCE_REMOVE;
}

/* Lower the calling thread's scheduling priority once (Linux: nice is per
 * thread), so that on a busy machine the main loop is not kept off a core
 * by hashing. */
static void lower_priority(void)
{
#ifdef __linux__
    static _Thread_local bool done;
    if (done)
        return;
    done = true;
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), POOL_NICE) != 0)
        VLOG_DEBUG(NULL, NULL, "api: password thread keeps its priority");
#endif
}

/* A pool thread. */
static void pool_run(gpointer data, gpointer user)
{
    api_pw_job *j = data;
    veche_api *a = user;
    lower_priority();
    if (g_atomic_int_get(&a->stopping))
        j->cancelled = true;
    else
        work(j);
    g_mutex_lock(&a->lock);
    g_queue_push_tail(&a->done, j);
    if (!a->wake) {
        a->wake = g_idle_source_new();
        g_source_set_priority(a->wake, G_PRIORITY_DEFAULT);
        g_source_set_callback(a->wake, deliver, a, NULL);
        g_source_attach(a->wake, a->env.ctx);
    }
    g_mutex_unlock(&a->lock);
}

void api_pw_submit(api_call *c, api_pw_job *j)
{
    veche_api *a = c->api;
    if (!a->pool || !c->req->pending) {  /* inline: done() answers c itself */
        work(j);
        j->done(c, j);
        job_free(j);
        return;
    }
    GError *err = NULL;
    j->pending = c->req->pending;
    a->in_flight++;
    c->resp->deferred = true;
    if (!g_thread_pool_push(a->pool, j, &err)) {  /* no thread could start: answer at once */
        VLOG_ERROR(NULL, NULL, "api: password work: %s", err ? err->message : "?");
        g_clear_error(&err);
        c->resp->deferred = false;
        j->pending = NULL;
        a->in_flight--;
        work(j);
        j->done(c, j);
        job_free(j);
    }
}

void api_pw_start(veche_api *a)
{
    g_mutex_init(&a->lock);
    g_queue_init(&a->done);
    if (!a->env.ctx)
        return;
    /* One per core by default: the threads are niced below the media and
     * the main loop (POOL_NICE), so they take only the CPU those leave; with
     * cores - 1 a 2-core server hashed on one core while the other idled. */
    int n = (int)a->env.cfg->password_threads;
    if (n == 0) {
        n = (int)g_get_num_processors();
        n = n < 1 ? 1 : n > POOL_MAX_THREADS ? POOL_MAX_THREADS : n;
    }
    GError *err = NULL;
    a->pool = g_thread_pool_new(pool_run, a, n, TRUE, &err);
    if (!a->pool) {
        VLOG_ERROR(NULL, NULL, "api: no password threads (%s): Argon2id runs on the main loop",
                   err ? err->message : "?");
        g_clear_error(&err);
        return;
    }
    VLOG_INFO(NULL, NULL, "api: %d password thread%s", n, n == 1 ? "" : "s");
}

void api_pw_stop(veche_api *a)
{
    if (a->pool) {
        g_atomic_int_set(&a->stopping, 1);
        g_thread_pool_free(a->pool, FALSE, TRUE);  /* the rest run fast: cancelled */
        a->pool = NULL;
    }
    g_mutex_lock(&a->lock);
    if (a->wake) {
        g_source_destroy(a->wake);
        g_source_unref(a->wake);
        a->wake = NULL;
    }
    GQueue q = a->done;
    g_queue_init(&a->done);
    g_mutex_unlock(&a->lock);
    api_pw_job *j;
    while ((j = g_queue_pop_head(&q))) {
        j->cancelled = true;  /* late: answered 503, done() not called */
        complete(a, j);
    }
    g_mutex_clear(&a->lock);
}
