/* server.c - wires the listener (http.c) to the signalling service
 * (signalling.c) and the API (api.c), and holds the process-wide state:
 * the DTLS certificate, the store (accounts and attendance), the server
 * secret that signs invitation links, the live roll, the mailer.  Seeds
 * the demo organization when asked.  No protocol logic lives here. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "api.h"
#include "backup.h"
#include "sweep.h"
#include "demo.h"
#include "dtls.h"
#include "err.h"
#include "http.h"
#include "lesson_render.h"
#include "log.h"
#include "mail.h"
#include "metrics.h"
#include "metrics_page.h"
#include "roll.h"
#include "signalling.h"
#include "sockbuf.h"
#include "srtp.h"
#include "store.h"
#include "storeq.h"
#include "vote.h"
#include "vote_msg.h"
#include "token.h"

struct veche_server {
    const veche_config *cfg;
    veche_dtls_cert *cert;
    veche_store *store;           /* main thread: the API's reads and writes */
    veche_storeq *storeq;         /* the store thread: joins, leaves, heartbeat */
    veche_token_secret secret;
    veche_roll *roll;
    veche_votes *votes;           /* the meetings' votes (main thread) */
    veche_mailer *mailer;
    veche_backup *backup;         /* NULL: backup_interval_hours = 0 */
    veche_lesson_render *lessons; /* renders lessons, enforces retention */
    veche_sweep *sweep;           /* NULL: retention_sweep_minutes = 0 */
    veche_signal *signal;
    veche_api *api;
    veche_metrics *metrics;       /* main-thread histograms and counters */
    veche_metrics_page_env metrics_page;
    veche_loopturn *loopturn;     /* the main loop's turn lengths (/metrics) */
    char backup_dir[VECHE_PATH_MAX + 16];
    veche_http *http;
    GSource *tick;                /* heartbeat and blocked accounts, every 500 ms */
    bool alive_pending;           /* an ALIVE request is on the store thread */
    char alive_path[VECHE_PATH_MAX + 16];
};

/* The heartbeat: the mtime of <data_dir>/alive is the server's last sign
 * of life, which closes the attendance left open by a crash. */
#define ALIVE_FILE "alive"
#define TICK_MS 500

static void alive_done(void *ud, veche_storeq_req *req)
{
    veche_server *s = ud;
    s->alive_pending = false;
    if (req->rc != 0)
        VLOG_WARN(NULL, NULL, "heartbeat: cannot touch %s", s->alive_path);
}

/* Touch the heartbeat on the store thread, behind the attendance writes
 * queued before it (one at a time). */
static void touch_alive(veche_server *s)
{
    if (s->alive_pending)
        return;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_ALIVE);
    req->path = g_strdup(s->alive_path);
    s->alive_pending = true;
    veche_storeq_submit(s->storeq, req, alive_done, s, NULL);
}

/* The last sign of life of the previous run in unix ms, 0 when unknown. */
static int64_t last_alive_ms(const veche_server *s)
{
    GStatBuf st;
    if (g_stat(s->alive_path, &st) != 0)
        return 0;
    return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

static gboolean on_tick(gpointer data)
{
    veche_server *s = data;
    touch_alive(s);
    veche_signal_check_blocked(s->signal);
    return G_SOURCE_CONTINUE;
}

/* The store, the secret, the demo and the mailer. */
static int open_accounts(veche_server *s, GMainContext *ctx, char *err, size_t errcap)
{
    const veche_config *cfg = s->cfg;
    if (g_mkdir_with_parents(cfg->data_dir, 0700) != 0) {
        snprintf(err, errcap, "cannot create data_dir %s: %s", cfg->data_dir, g_strerror(errno));
        return -1;
    }
    char path[VECHE_PATH_MAX + 16];
    veche_config_database_path(cfg, path, sizeof path);
    int rc = veche_store_open(path, &s->store);
    if (rc != 0) {
        snprintf(err, errcap, "database %s: %s", path, veche_strerror(rc));
        return rc;
    }
    char why[256] = "";
    rc = veche_token_load_or_create_secret(cfg->data_dir, &s->secret, why, sizeof why);
    if (rc != 0) {
        snprintf(err, errcap, "server secret in %s: %s", cfg->data_dir, why);
        return rc;
    }
    rc = veche_storeq_new(path, &s->secret, ctx, &s->storeq);
    if (rc != 0) {
        snprintf(err, errcap, "database %s: the store thread: %s", path, veche_strerror(rc));
        return rc;
    }
    if (cfg->demo) {
        veche_password_cost cost = veche_password_cost_interactive();
        rc = veche_demo_seed(s->store, &cost, g_get_real_time() / 1000000);
        if (rc < 0) {
            snprintf(err, errcap, "demo: %s (remove the database to start over)",
                     veche_strerror(rc));
            return rc;
        }
    }
    if (cfg->smtp_relay[0]) {
        s->mailer = veche_mailer_new(cfg->smtp_relay, cfg->smtp_from);
        if (!s->mailer) {
            snprintf(err, errcap, "smtp_relay/smtp_from: cannot set up mail");
            return -1;
        }
    }
    s->roll = veche_roll_new();
    s->lessons = veche_lesson_render_new(path, cfg->data_dir);
    snprintf(s->alive_path, sizeof s->alive_path, "%s/%s", cfg->data_dir, ALIVE_FILE);
    /* before listening, so the main loop does not run yet: waiting is fine */
    veche_storeq_req *rec = veche_storeq_req_new(VECHE_STOREQ_RECOVER);
    rec->last_alive_ms = last_alive_ms(s);
    veche_storeq_call(s->storeq, rec);
    rc = rec->rc;
    veche_storeq_req_free(rec);
    if (rc < 0) {
        snprintf(err, errcap, "database %s: closing the last run's attendance: %s", path,
                 veche_strerror(rc));
        return rc;
    }
    touch_alive(s);
    return 0;
}

/* The http.c hook: /metrics here, everything else to the API. */
static void http_route(void *ud, const veche_http_request *req, veche_http_response *resp)
{
    veche_server *s = ud;
    if (strcmp(req->path, "/metrics") == 0)
        veche_metrics_page_handle(&s->metrics_page, req, resp);
    else
        veche_api_handle(s->api, req, resp);
}

static void ws_open(void *ud, veche_ws *ws, void **conn_ud)
{
    veche_server *s = ud;
    *conn_ud = veche_signal_conn_new(s->signal, ws);
}

static void ws_message(void *ud, veche_ws *ws, void *conn_ud, const char *text, size_t len)
{
    veche_signal_conn_message(conn_ud, text, len);
}

static void ws_close(void *ud, veche_ws *ws, void *conn_ud)
{
    veche_signal_conn_free(conn_ud);
}

veche_server *veche_server_new(const veche_config *cfg, GMainLoop *loop, char *err,
                               size_t errcap)
{
    if (veche_srtp_global_init() != 0) {
        snprintf(err, errcap, "libsrtp initialisation failed");
        return NULL;
    }
    veche_server *s = g_new0(veche_server, 1);
    s->cfg = cfg;
    s->metrics = veche_metrics_new();
    s->cert = veche_dtls_cert_new();
    if (!s->cert) {
        snprintf(err, errcap, "cannot generate the DTLS certificate");
        veche_server_free(s);
        return NULL;
    }
    if (open_accounts(s, g_main_loop_get_context(loop), err, errcap) != 0) {
        veche_server_free(s);
        return NULL;
    }
    veche_storeq_set_metrics(s->storeq, s->metrics);
    if (cfg->backup_interval_hours) {
        char *dir = s->backup_dir;
        if (cfg->backup_dir[0])
            g_strlcpy(dir, cfg->backup_dir, sizeof s->backup_dir);
        else
            snprintf(dir, sizeof s->backup_dir, "%s/backups", cfg->data_dir);
        char db[VECHE_PATH_MAX + 16];
        veche_config_database_path(cfg, db, sizeof db);
        s->backup = veche_backup_new(db, dir, cfg->backup_interval_hours * 3600u,
                                     cfg->backup_keep, g_main_loop_get_context(loop));
        if (!s->backup) {
            snprintf(err, errcap, "backup_dir %s cannot be created", dir);
            veche_server_free(s);
            return NULL;
        }
    }
    if (cfg->retention_sweep_minutes) {
        char db[VECHE_PATH_MAX + 16];
        veche_config_database_path(cfg, db, sizeof db);
        s->sweep = veche_sweep_new(db, cfg->retention_audit_days, cfg->retention_session_days,
                                   cfg->retention_chat_days, cfg->retention_sweep_minutes * 60u,
                                   g_main_loop_get_context(loop));
    }
    veche_sfu_env env = {
        .ctx = g_main_loop_get_context(loop), .cfg = cfg, .cert = s->cert,
    };
    s->signal = veche_signal_new(&env);
    if (!s->signal) {
        snprintf(err, errcap, "cannot start the media worker threads");
        veche_server_free(s);
        return NULL;
    }
    s->votes = veche_votes_new(s->storeq, s->roll, g_main_loop_get_context(loop),
                               veche_vote_msg_notify, s->signal);
    int nvotes = veche_votes_restore(s->votes);  /* before listening: waiting is fine */
    if (nvotes < 0)
        VLOG_ERROR(NULL, NULL, "votes: open votes not restored (%s)", veche_errname(nvotes));
    const veche_signal_accounts acc = {
        .store = s->store, .storeq = s->storeq, .roll = s->roll, .votes = s->votes,
        .allow_anonymous_rooms = cfg->allow_anonymous_rooms,
        .join_early_secs = cfg->event_join_early_minutes * 60u,
    };
    veche_signal_set_accounts(s->signal, &acc);
    veche_signal_set_metrics(s->signal, s->metrics);
    s->loopturn = veche_loopturn_new(g_main_loop_get_context(loop));
    s->metrics_page = (veche_metrics_page_env){
        .cfg = cfg, .metrics = s->metrics, .signal = s->signal,
        .backup_dir = s->backup ? s->backup_dir : NULL, .lessons = s->lessons,
        .loopturn = s->loopturn,
    };
    const veche_api_env api_env = {
        .cfg = cfg, .store = s->store, .storeq = s->storeq, .secret = &s->secret,
        .roll = s->roll,
        .signal = s->signal, .mailer = s->mailer,
        .cost = veche_password_cost_interactive(),
        .ctx = env.ctx,  /* Argon2id on the API's threads, answers back here */
        .metrics = s->metrics,
    };
    s->api = veche_api_new(&api_env);
    static const veche_http_ws_callbacks cb = {ws_open, ws_message, ws_close};
    s->http = veche_http_new(cfg, loop, &cb, s, err, errcap);
    if (!s->http || !s->api) {
        if (s->http)
            snprintf(err, errcap, "cannot set up the API");
        veche_server_free(s);
        return NULL;
    }
    veche_http_set_api(s->http, http_route, s);
    s->tick = g_timeout_source_new(TICK_MS);
    g_source_set_callback(s->tick, on_tick, s, NULL);
    g_source_attach(s->tick, env.ctx);
    VLOG_INFO(NULL, NULL, "listening on %s:%u (%s), DTLS fingerprint sha-256 %s",
              cfg->listen_address, cfg->port, cfg->tls ? "https" : "http",
              veche_dtls_cert_fingerprint(s->cert));
    veche_sockbuf_check(cfg->udp_recv_buffer_kb, cfg->udp_send_buffer_kb);
    return s;
}

int veche_server_reload_tls(veche_server *s, char *err, size_t errcap)
{
    return veche_http_reload_tls(s ? s->http : NULL, err, errcap);
}

bool veche_server_backup_now(veche_server *s)
{
    return s && s->backup && veche_backup_start(s->backup);
}

void veche_server_free(veche_server *s)
{
    if (!s)
        return;
    if (s->tick) {
        g_source_destroy(s->tick);
        g_source_unref(s->tick);
    }
    veche_http_free(s->http);  /* closes connections: participants leave (recorded) */
    veche_api_free(s->api);    /* waits for password work; its answers go nowhere */
    veche_signal_free(s->signal);
    veche_lesson_render_free(s->lessons);  /* stops a render under way */
    veche_storeq_free(s->storeq);  /* drains: the leaves above are written */
    veche_votes_free(s->votes);    /* after the queue: no completion can reach it */
    veche_roll_free(s->roll);
    veche_backup_free(s->backup);  /* waits for a backup under way */
    veche_sweep_free(s->sweep);    /* waits for a sweep under way */
    veche_mailer_free(s->mailer);  /* waits for queued mail */
    veche_store_close(s->store);
    veche_dtls_cert_unref(s->cert);
    veche_metrics_free(s->metrics);
    veche_loopturn_free(s->loopturn);
    g_free(s);
}
