/* fuzz_api.c - libFuzzer target for the HTTP API (api.c, api_events.c,
 * api_admin*.c): routing, JSON bodies, query strings, cookies, times, CSV
 * roster bodies, reports, as an administrator, a member or nobody.
 *
 * Input: line 1 "METHOD PATH[?QUERY]", line 2 who asks ("admin", "chair",
 * "member", a raw Cookie header, or anything else for nobody), the rest is
 * the body.  One in-memory store with the demo organization lives for the
 * whole run (a database file in /dev/shm), so requests build on each
 * other's state.  Aborts when a reply
 * has no status, a JSON reply does not parse, or an error reply lacks
 * "error" and "reason". */
#include <glib.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "config.h"
#include "demo.h"
#include "log.h"
#include "password.h"
#include "roll.h"
#include "store.h"
#include "token.h"

static veche_config cfg;
static veche_store *store;
static veche_token_secret secret;
static veche_roll *roll;
static veche_api *api;
static char cookies[3][64 + VECHE_TOKEN_SESSION_SIZE];

/* A session cookie for the demo person with this e-mail. */
static void session_for(const char *email, char *out, size_t cap)
{
    veche_person p;
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    int64_t now = g_get_real_time() / 1000000;
    if (veche_store_person_find_email(store, email, &p) != 0 ||
        veche_token_session_new(token, hash) != 0 ||
        veche_store_session_create(store, hash, p.id, now, now + 86400 * 365) != 0)
        abort();
    snprintf(out, cap, "x=1; veche_session=%s", token);
}

static char *dir;

static void cleanup(void)
{
    char path[512];
    static const char *const files[] = {"veche.db", "veche.db-wal", "veche.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
    remove(dir);
}

/* The store wants a file (WAL): a fresh one in RAM (/dev/shm) when there
 * is one, removed at exit. */
static void setup(void)
{
    veche_log_set_level(VECHE_LOG_ERROR);  /* one line per request otherwise */
    veche_config_defaults(&cfg);
    char tmpl[] = "/dev/shm/fuzz_api.XXXXXX", tmpl2[] = "/tmp/fuzz_api.XXXXXX";
    dir = g_mkdtemp(tmpl) ? g_strdup(tmpl) : g_mkdtemp(tmpl2) ? g_strdup(tmpl2) : NULL;
    if (!dir)
        abort();
    atexit(cleanup);
    char path[512];
    snprintf(path, sizeof path, "%s/veche.db", dir);
    if (veche_store_open(path, &store) != 0)
        abort();
    veche_password_cost cost = veche_password_cost_fast();
    if (veche_demo_seed(store, &cost, g_get_real_time() / 1000000) < 0)
        abort();
    for (size_t i = 0; i < sizeof secret; i++)
        ((uint8_t *)&secret)[i] = (uint8_t)(i * 7 + 1);
    roll = veche_roll_new();
    const veche_api_env env = {.cfg = &cfg, .store = store, .secret = &secret,
                               .roll = roll, .cost = cost};
    api = veche_api_new(&env);
    if (!api)
        abort();
    session_for("admin@veche.demo", cookies[0], sizeof cookies[0]);
    session_for("chair@veche.demo", cookies[1], sizeof cookies[1]);
    session_for("member1@veche.demo", cookies[2], sizeof cookies[2]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!api)
        setup();
    if (size > 1 << 16)
        return 0;
    char *in = g_strndup((const char *)data, size);
    char *nl1 = strchr(in, '\n');
    char *nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
    if (!nl1 || !nl2 || memchr(data, '\0', size)) {
        g_free(in);
        return 0;
    }
    *nl1 = *nl2 = '\0';
    char *line = in, *who = nl1 + 1, *body = nl2 + 1;
    char *sp = strchr(line, ' ');
    if (!sp) {
        g_free(in);
        return 0;
    }
    *sp = '\0';
    char *path = sp + 1, *query = strchr(path, '?');
    if (query)
        *query++ = '\0';
    if (strncmp(path, "/api/", 5) != 0 || strlen(line) > 7) {
        g_free(in);
        return 0;
    }
    const char *cookie = strcmp(who, "admin") == 0    ? cookies[0]
                         : strcmp(who, "chair") == 0  ? cookies[1]
                         : strcmp(who, "member") == 0 ? cookies[2]
                                                      : who;
    veche_http_request req = {
        .method = line, .path = path, .query = query ? query : "", .cookie = cookie,
        .body = body, .body_len = strlen(body), .tls = true,
    };
    veche_http_response resp;
    memset(&resp, 0, sizeof resp);
    veche_api_handle(api, &req, &resp);
    if (resp.status < 200 || resp.status > 599)
        abort();
    bool json = !resp.content_type || strstr(resp.content_type, "json");
    if (json && resp.body) {
        json_error_t err;
        json_t *j = json_loadb(resp.body, resp.body_len ? resp.body_len : strlen(resp.body), 0,
                               &err);
        if (!j)
            abort();
        if (resp.status >= 400 && (!json_is_string(json_object_get(j, "error")) ||
                                   !json_is_string(json_object_get(j, "reason"))))
            abort();
        json_decref(j);
    }
    g_free(resp.body);
    g_free(resp.file);  /* a lesson video answer */
    g_free(in);
    return 0;
}
