/* api_audit.c - the audit log from the API's side: adm_audit() writes one
 * entry for an administrative change (who: the signed-in person, from
 * which address, in which organization, what), and the routes
 * GET /api/admin/audit (JSON, filtered, paged) and GET
 * /api/admin/audit.csv (the same as a spreadsheet in the organization's
 * time zone, which the header names).  There is no route that changes or
 * deletes an entry (docs/api.md, "Audit log").  The detail is JSON with
 * ids and field names, never a name or an e-mail. */
#include "api_admin_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csv.h"
#include "err.h"
#include "log.h"
#include "report.h"
#include "store_edit.h"

void adm_audit(api_call *c, int64_t org, const char *action, const char *kind, int64_t target,
               json_t *detail)
{
    veche_audit_entry e;
    memset(&e, 0, sizeof e);
    e.at = c->now;
    e.actor_id = c->person;
    snprintf(e.address, sizeof e.address, "%s", c->req->peer ? c->req->peer : "");
    e.org_id = org;
    snprintf(e.action, sizeof e.action, "%s", action);
    snprintf(e.target_kind, sizeof e.target_kind, "%s", kind);
    e.target_id = target;
    char *text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(detail);
    snprintf(e.detail, sizeof e.detail, "%s", text && strlen(text) < sizeof e.detail ? text
                                                                                       : "{}");
    free(text);
    if (!c->tx)  /* a route outside adm_in_tx: a bug; the entry is still written */
        VLOG_ERROR(NULL, NULL, "api: audit entry %s of %s %lld written outside a transaction",
                   action, kind, (long long)target);
    int rc = veche_store_audit_append(c->api->env.store, &e);
    if (rc != 0) {
        c->audit_rc = rc;
        VLOG_ERROR(NULL, NULL, "api: audit entry %s of %s %lld by person %lld not written",
                   action, kind, (long long)target, (long long)c->person);
    }
}

/* Replace the answer fn gave (its body is ours to free). */
static void reanswer(api_call *c, const char *reason)
{
    g_free(c->resp->body);
    c->resp->body = NULL;
    api_error(c, 500, "internal", reason);
}

void adm_in_tx(api_call *c, adm_tx_fn fn, void *ud)
{
    if (c->tx)
        return fn(c, ud);
    veche_store *st = c->api->env.store;
    if (veche_store_tx_begin(st) != 0)
        return api_error(c, 503, "busy", "the database is busy; try again");
    c->tx = true;
    c->audit_rc = 0;
    fn(c, ud);
    c->tx = false;
    int status = c->resp->status;
    bool ok = c->resp->deferred || (status >= 200 && status < 400);
    if (ok && c->audit_rc != 0 && !c->resp->deferred) {
        (void)veche_store_tx_end(st, false);
        VLOG_ERROR(NULL, NULL, "api: person %lld: change rolled back, its audit entry failed",
                   (long long)c->person);
        return reanswer(c, "the audit entry could not be written: nothing was changed");
    }
    int rc = veche_store_tx_end(st, ok);
    if (rc != 0 && ok && !c->resp->deferred) {
        VLOG_ERROR(NULL, NULL, "api: person %lld: change not committed (%d)",
                   (long long)c->person, rc);
        reanswer(c, "the change could not be saved: nothing was changed");
    }
}

json_t *adm_fields(api_call *c, const char *const *keys)
{
    json_t *list = json_array();
    for (size_t i = 0; keys[i]; i++)
        if (c->body && json_object_get(c->body, keys[i]))
            json_array_append_new(list, json_string(keys[i]));
    return json_pack("{s:o}", "fields", list);
}

/* ---- the listing ---- */

/* The filter from the query: org (scope), actor, person, action (a
 * prefix), kind, target, from, to (times), offset, limit.  Replies with
 * the error and returns false when something does not parse. */
static bool read_filter(api_call *c, veche_audit_filter *f, char *action, char *kind)
{
    memset(f, 0, sizeof *f);
    if (!adm_scope(c, &f->org_id, &f->admin_id))
        return false;
    char q[64];
    api_query(c, "actor", q, sizeof q);
    f->actor_id = api_id(q);
    api_query(c, "person", q, sizeof q);
    f->person_id = api_id(q);
    api_query(c, "target", q, sizeof q);
    f->target_id = api_id(q);
    api_query(c, "action", action, 48);
    f->action = action[0] ? action : NULL;
    api_query(c, "kind", kind, 16);
    f->target_kind = kind[0] ? kind : NULL;
    api_query(c, "offset", q, sizeof q);
    f->offset = (unsigned)strtoul(q, NULL, 10);
    api_query(c, "limit", q, sizeof q);
    f->limit = q[0] ? (unsigned)strtoul(q, NULL, 10) : 100;
    if (f->limit > 1000)
        f->limit = 1000;
    const char *names[2] = {"from", "to"};
    int64_t *dst[2] = {&f->from, &f->to};
    for (int i = 0; i < 2; i++) {
        api_query(c, names[i], q, sizeof q);
        json_t *v = json_string(q);
        int rc = q[0] ? adm_time_parse(v, dst[i]) : 0;
        json_decref(v);
        if (rc != 0) {
            api_error(c, 400, "bad-time", "from and to are times such as"
                                          " \"2026-11-29T12:00:00Z\"");
            return false;
        }
    }
    return true;
}

static json_t *entry_json(const veche_audit_entry *e)
{
    json_t *detail = json_loads(e->detail, 0, NULL);
    json_t *o = json_pack("{s:I, s:o, s:o, s:s, s:o, s:s, s:s, s:o, s:o}", "id",
                          (json_int_t)e->id, "at", adm_time_json(e->at), "actor",
                          adm_id_json(e->actor_id), "address", e->address, "org",
                          adm_id_json(e->org_id), "action", e->action, "kind",
                          e->target_kind, "target", adm_id_json(e->target_id), "detail",
                          detail ? detail : json_object());
    return o;
}

static int entry_cb(void *ud, const veche_audit_entry *e)
{
    json_t *o = entry_json(e);
    return o && json_array_append_new(ud, o) == 0 ? 0 : VECHE_ENOMEM;
}

typedef struct {
    FILE *f;
    GTimeZone *tz;
    char sep;
} csv_ctx;

static int csv_cb(void *ud, const veche_audit_entry *e)
{
    csv_ctx *x = ud;
    char id[24], actor[24], org[24], target[24], at[40];
    snprintf(id, sizeof id, "%lld", (long long)e->id);
    snprintf(actor, sizeof actor, "%lld", (long long)e->actor_id);
    snprintf(org, sizeof org, "%lld", (long long)e->org_id);
    snprintf(target, sizeof target, "%lld", (long long)e->target_id);
    GDateTime *dt = g_date_time_new_from_unix_utc(e->at);
    GDateTime *lt = dt ? g_date_time_to_timezone(dt, x->tz) : NULL;
    char *t = lt ? g_date_time_format(lt, "%Y-%m-%d %H:%M:%S") : NULL;
    snprintf(at, sizeof at, "%s", t ? t : "");
    g_free(t);
    if (lt)
        g_date_time_unref(lt);
    if (dt)
        g_date_time_unref(dt);
    const char *row[] = {id, at, e->actor_id ? actor : "", e->address, e->org_id ? org : "",
                         e->action, e->target_kind, e->target_id ? target : "", e->detail};
    return veche_csv_write_export_record_sep(x->f, row, G_N_ELEMENTS(row), x->sep);
}

/* The zone of the listing: the organization's (?org=) own or inherited,
 * else the server's. */
static void listing_zone(api_call *c, int64_t org, char zone[64])
{
    zone[0] = '\0';
    if (org)
        (void)veche_store_org_zone(c->api->env.store, org, zone);
    if (!zone[0])
        snprintf(zone, 64, "%s", c->api->env.cfg->time_zone);
}

/* GET /api/admin/audit and /api/admin/audit.csv */
void adm_audit_list(api_call *c, bool csv)
{
    veche_audit_filter f;
    char action[48], kind[16];
    if (!read_filter(c, &f, action, kind))
        return;
    if (!csv) {
        json_t *list = json_array();
        if (veche_store_audit_list(c->api->env.store, &f, entry_cb, list) != 0) {
            json_decref(list);
            return api_error(c, 500, "internal", "database error");
        }
        return api_reply(c, 200, json_pack("{s:o, s:i, s:i}", "entries", list, "offset",
                                           (int)f.offset, "limit", (int)f.limit));
    }
    char zone[64];
    listing_zone(c, f.org_id, zone);
    bool russian = api_russian(c);
    csv_ctx x = {NULL, veche_report_zone(zone), russian ? ';' : ','};
    char *buf = NULL;
    size_t len = 0;
    x.f = open_memstream(&buf, &len);
    if (!x.f) {
        g_time_zone_unref(x.tz);
        return api_error(c, 500, "internal", "out of memory");
    }
    char at_head[96];
    snprintf(at_head, sizeof at_head, russian ? "время (%s)" : "time (%s)", zone);
    const char *head_ru[] = {"№", at_head, "кто", "адрес", "организация", "действие",
                             "объект", "id объекта", "подробности"};
    const char *head_en[] = {"id", at_head, "actor", "address", "org", "action",
                             "kind", "target", "detail"};
    fputs("\xEF\xBB\xBF", x.f);  /* the BOM Excel needs to read UTF-8 */
    int rc = veche_csv_write_export_record_sep(x.f, russian ? head_ru : head_en, 9, x.sep);
    if (rc == 0)
        rc = veche_store_audit_list(c->api->env.store, &f, csv_cb, &x);
    fclose(x.f);
    g_time_zone_unref(x.tz);
    if (rc != 0) {
        free(buf);
        return api_error(c, 500, "internal", "could not write the CSV");
    }
    c->resp->status = 200;
    c->resp->content_type = "text/csv; charset=utf-8";
    c->resp->body = g_strndup(buf, len);
    c->resp->body_len = len;
    free(buf);
    snprintf(c->resp->disposition, sizeof c->resp->disposition,
             "attachment; filename=\"audit.csv\"");
}
