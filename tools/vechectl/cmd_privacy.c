/* cmd_privacy.c - vechectl's edit, delete and personal-data commands
 * (vechectl.h, docs/data-model.md "vechectl"): person-edit, person-delete,
 * person-export, person-erase, org-edit, org-delete, body-delete,
 * course-delete, event-edit, event-move, event-cancel, event-uncancel,
 * event-delete, the audit log listing and the retention sweep.  Every
 * change is written to the audit log with actor 0 and address "vechectl"
 * (vctl_audit), as the API writes the administrator and the client's
 * address.  Refusals (a record names the row) exit 2 and change nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "err.h"
#include "isotime.h"
#include "store_edit.h"
#include "vechectl.h"

void vctl_audit(vctl *c, int64_t org, const char *action, const char *kind, int64_t target,
                const char *detail)
{
    veche_audit_entry e;
    memset(&e, 0, sizeof e);
    e.at = c->now;
    snprintf(e.address, sizeof e.address, "vechectl");
    e.org_id = org;
    snprintf(e.action, sizeof e.action, "%s", action);
    snprintf(e.target_kind, sizeof e.target_kind, "%s", kind);
    e.target_id = target;
    snprintf(e.detail, sizeof e.detail, "%s", detail ? detail : "{}");
    int rc = veche_store_audit_append(c->st, &e);
    if (rc != 0) {
        c->audit_rc = rc;
        fprintf(stderr, "vechectl: the audit entry %s was not written\n", action);
    }
}

/* The exit status of a store result, with the refusal said in words. */
static int done(const char *what, int r, const char *in_use)
{
    if (r == VECHE_ESTATE)
        return vctl_refuse("%s: %s", what, in_use);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("%s: not found", what);
    if (r == VECHE_EEXISTS)
        return vctl_refuse("%s: the name, e-mail or room is taken", what);
    return r != 0 ? vctl_fail(what, r) : VCTL_OK;
}

/* ---- persons ---- */

int cmd_person_edit(vctl *c, int argc, char **argv)
{
    (void)argc;
    veche_person p;
    int rc = vctl_find_person(c, argv[0], &p, NULL);
    if (rc != VCTL_OK)
        return rc;
    const char *field = argv[1], *value = argv[2];
    if (!strcmp(field, "name"))
        rc = vctl_check_text("person-edit: name", value, VECHE_NAME_MAX);
    if (rc != VCTL_OK)
        return rc;
    if (!strcmp(field, "name"))
        snprintf(p.full_name, sizeof p.full_name, "%s", value);
    else if (!strcmp(field, "email") && strlen(value) < sizeof p.email)
        snprintf(p.email, sizeof p.email, "%s", value);
    else if (!strcmp(field, "phone") && strlen(value) < sizeof p.phone)
        snprintf(p.phone, sizeof p.phone, "%s", value);
    else
        return vctl_usage("person-edit EMAIL name|email|phone VALUE");
    int r = veche_store_person_update(c->st, &p);
    if (r == VECHE_EINVAL)
        return vctl_refuse("person-edit: bad %s", field);
    if ((rc = done("person-edit", r, "")) != VCTL_OK)
        return rc;
    char detail[64];
    snprintf(detail, sizeof detail, "{\"fields\":[\"%s\"]}", field);
    vctl_audit(c, p.org_id, "person.update", "person", p.id, detail);
    printf("person %lld changed\n", (long long)p.id);
    return VCTL_OK;
}

int cmd_person_delete(vctl *c, int argc, char **argv)
{
    (void)argc;
    veche_person p;
    int rc = vctl_find_person(c, argv[0], &p, NULL);
    if (rc != VCTL_OK)
        return rc;
    rc = done("person-delete", veche_store_person_delete(c->st, p.id),
              "the attendance record names this person; use person-erase");
    if (rc != VCTL_OK)
        return rc;
    vctl_audit(c, p.org_id, "person.delete", "person", p.id, NULL);
    printf("person %lld deleted\n", (long long)p.id);
    return VCTL_OK;
}

int cmd_person_export(vctl *c, int argc, char **argv)
{
    veche_person p;
    int rc = vctl_find_person(c, argv[0], &p, NULL);
    if (rc != VCTL_OK)
        return rc;
    const char *path = NULL;
    if (argc == 3 && !strcmp(argv[1], "-o"))
        path = argv[2];
    else if (argc != 1)
        return vctl_usage("person-export EMAIL [-o FILE]");
    char *text = NULL;
    int r = veche_store_person_export(c->st, p.id, &text);
    if (r != 0)
        return vctl_fail("person-export", r);
    FILE *f = stdout;
    if (path) {
        f = fopen(path, "wx");
        if (!f) {
            g_free(text);
            return vctl_refuse("%s: cannot create it (it must not exist)", path);
        }
    }
    bool ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    ok = (path ? fclose(f) == 0 : fflush(f) == 0) && ok;
    g_free(text);
    if (!ok)
        return vctl_fail("person-export: writing", VECHE_EIO);
    vctl_audit(c, p.org_id, "person.export", "person", p.id, NULL);
    return VCTL_OK;
}

int cmd_person_erase(vctl *c, int argc, char **argv)
{
    (void)argc;
    veche_person p;
    int rc = vctl_find_person(c, argv[0], &p, NULL);
    if (rc != VCTL_OK)
        return rc;
    if ((rc = done("person-erase", veche_store_person_erase(c->st, p.id, c->now), "")) !=
        VCTL_OK)
        return rc;
    vctl_audit(c, p.org_id, "person.erase", "person", p.id, NULL);
    printf("person %lld erased\n", (long long)p.id);
    return VCTL_OK;
}

/* ---- organizations, bodies, courses ---- */

int cmd_org_edit(vctl *c, int argc, char **argv)
{
    (void)argc;
    int64_t id;
    const char *field = argv[1], *value = argv[2];
    bool name = !strcmp(field, "name"), zone = !strcmp(field, "time-zone"),
         notice = !strcmp(field, "privacy-notice");
    if (vctl_parse_id(argv[0], &id) != 0 || !(name || zone || notice))
        return vctl_usage("org-edit ORG_ID name|time-zone|privacy-notice VALUE");
    if (zone && value[0] && !veche_config_time_zone_valid(value))
        return vctl_refuse("org-edit: '%s' is not a known time zone (e.g. Europe/Moscow)",
                           value);
    int rc = name ? vctl_check_text("org-edit: name", value, VECHE_TITLE_MAX) : VCTL_OK;
    if (rc != VCTL_OK)
        return rc;
    int r = veche_store_org_update(c->st, id, name ? value : NULL, zone ? value : NULL,
                                   notice ? value : NULL);
    if ((rc = done("org-edit", r, "")) != VCTL_OK)
        return rc;
    char detail[64];
    snprintf(detail, sizeof detail, "{\"fields\":[\"%s\"]}",
             name ? "name" : zone ? "timeZone" : "privacyNotice");
    vctl_audit(c, id, "org.update", "org", id, detail);
    printf("organization %lld changed\n", (long long)id);
    return VCTL_OK;
}

/* org-delete, body-delete, course-delete, event-delete: ID */
static int delete_by_id(vctl *c, const char *cmd, const char *id_text)
{
    int64_t id;
    if (vctl_parse_id(id_text, &id) != 0)
        return vctl_usage(cmd);
    int64_t org = 0;
    int r;
    const char *kind, *action, *in_use;
    if (!strncmp(cmd, "org", 3)) {
        veche_org o;
        if (veche_store_org_get(c->st, id, &o) == 0)
            org = o.parent_id;
        r = veche_store_org_delete(c->st, id);
        kind = "org", action = "org.delete";
        in_use = "it still has organizations, persons, bodies or courses";
    } else if (!strncmp(cmd, "body", 4) || !strncmp(cmd, "course", 6)) {
        bool body = cmd[0] == 'b';
        veche_body b;
        veche_course k;
        if (body ? veche_store_body_get(c->st, id, &b) == 0
                 : veche_store_course_get(c->st, id, &k) == 0)
            org = body ? b.org_id : k.org_id;
        r = body ? veche_store_body_delete(c->st, id) : veche_store_course_delete(c->st, id);
        kind = body ? "body" : "course", action = body ? "body.delete" : "course.delete";
        in_use = "events are scheduled for it";
    } else {
        veche_event ev;
        if (veche_store_event_get(c->st, id, &ev) == 0)
            org = ev.org_id;
        r = veche_store_event_delete(c->st, id);
        kind = "event", action = "event.delete";
        in_use = "it has an attendance record; use event-cancel";
    }
    int rc = done(cmd, r, in_use);
    if (rc != VCTL_OK)
        return rc;
    vctl_audit(c, org, action, kind, id, NULL);
    printf("%s %lld deleted\n", kind, (long long)id);
    return VCTL_OK;
}

int cmd_org_delete(vctl *c, int argc, char **argv)
{
    (void)argc;
    return delete_by_id(c, "org-delete ORG_ID", argv[0]);
}

int cmd_body_delete(vctl *c, int argc, char **argv)
{
    (void)argc;
    return delete_by_id(c, "body-delete BODY_ID", argv[0]);
}

int cmd_course_delete(vctl *c, int argc, char **argv)
{
    (void)argc;
    return delete_by_id(c, "course-delete COURSE_ID", argv[0]);
}

/* ---- events ---- */

int cmd_event_delete(vctl *c, int argc, char **argv)
{
    (void)argc;
    return delete_by_id(c, "event-delete EVENT_ID", argv[0]);
}

/* The event named by text, for the edit commands. */
static int find_event(vctl *c, const char *syn, const char *text, veche_event *ev)
{
    int64_t id;
    if (vctl_parse_id(text, &id) != 0)
        return vctl_usage(syn);
    return done(syn, veche_store_event_get(c->st, id, ev), "");
}

int cmd_event_edit(vctl *c, int argc, char **argv)
{
    (void)argc;
    static const char syn[] = "event-edit EVENT_ID title TITLE | limit N|default";
    veche_event ev;
    int rc = find_event(c, syn, argv[0], &ev);
    if (rc != VCTL_OK)
        return rc;
    if (strcmp(argv[1], "limit") == 0) {
        unsigned limit;
        if ((rc = vctl_parse_limit("event-edit", argv[2], &limit)) != VCTL_OK ||
            (rc = done("event-edit", veche_store_event_set_limit(c->st, ev.id, limit), "")) !=
                VCTL_OK)
            return rc;
        vctl_audit(c, ev.org_id, "event.update", "event", ev.id,
                   "{\"fields\":[\"maxParticipants\"]}");
        if (limit)
            printf("event %lld: the room takes at most %u people\n", (long long)ev.id, limit);
        else
            printf("event %lld: the room takes the room kind's limit\n", (long long)ev.id);
        return VCTL_OK;
    }
    if (strcmp(argv[1], "title"))
        return vctl_usage(syn);
    if ((rc = vctl_check_text("event-edit: title", argv[2], VECHE_TITLE_MAX)) != VCTL_OK ||
        (rc = done("event-edit", veche_store_event_update(c->st, ev.id, argv[2], 0, 0), "")) !=
            VCTL_OK)
        return rc;
    vctl_audit(c, ev.org_id, "event.update", "event", ev.id, "{\"fields\":[\"title\"]}");
    printf("event %lld changed\n", (long long)ev.id);
    return VCTL_OK;
}

int cmd_event_move(vctl *c, int argc, char **argv)
{
    (void)argc;
    veche_event ev;
    int rc = find_event(c, "event-move EVENT_ID START END", argv[0], &ev);
    if (rc != VCTL_OK)
        return rc;
    char zone[64] = "";
    if (veche_store_org_zone(c->st, ev.org_id, zone) != 0 || !zone[0])
        snprintf(zone, sizeof zone, "%s", c->cfg->time_zone);
    int64_t starts, ends;
    if (veche_isotime_parse_zone(argv[1], zone, &starts) != 0 ||
        veche_isotime_parse_zone(argv[2], zone, &ends) != 0)
        return vctl_refuse("event-move: bad time (like 2026-12-01T18:00 in %s, or with Z"
                           " or +03:00)", zone);
    if (ends <= starts)
        return vctl_refuse("event-move: the end is not after the start");
    if ((rc = done("event-move", veche_store_event_update(c->st, ev.id, NULL, starts, ends),
                   "")) != VCTL_OK)
        return rc;
    char detail[128];
    snprintf(detail, sizeof detail, "{\"fields\":[\"startsAt\",\"endsAt\"],\"startsAt\":%lld,"
             "\"endsAt\":%lld}", (long long)starts, (long long)ends);
    vctl_audit(c, ev.org_id, "event.reschedule", "event", ev.id, detail);
    printf("event %lld moved\n", (long long)ev.id);
    return VCTL_OK;
}

static int set_cancelled(vctl *c, const char *text, bool cancelled)
{
    veche_event ev;
    int rc = find_event(c, cancelled ? "event-cancel EVENT_ID" : "event-uncancel EVENT_ID",
                        text, &ev);
    if (rc != VCTL_OK ||
        (rc = done("event-cancel", veche_store_event_set_cancelled(c->st, ev.id, cancelled,
                                                                   c->now), "")) != VCTL_OK)
        return rc;
    vctl_audit(c, ev.org_id, cancelled ? "event.cancel" : "event.uncancel", "event", ev.id,
               NULL);
    printf("event %lld %s\n", (long long)ev.id, cancelled ? "cancelled" : "not cancelled");
    return VCTL_OK;
}

int cmd_event_cancel(vctl *c, int argc, char **argv)
{
    (void)argc;
    return set_cancelled(c, argv[0], true);
}

int cmd_event_uncancel(vctl *c, int argc, char **argv)
{
    (void)argc;
    return set_cancelled(c, argv[0], false);
}

/* ---- audit log, retention ---- */

static int audit_cb(void *ud, const veche_audit_entry *e)
{
    (void)ud;
    char when[32];
    GDateTime *dt = g_date_time_new_from_unix_utc(e->at);
    char *t = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
    snprintf(when, sizeof when, "%s", t ? t : "-");
    g_free(t);
    if (dt)
        g_date_time_unref(dt);
    printf("%lld\t%s\t%lld\t%s\t%lld\t%s\t%s\t%lld\t%s\n", (long long)e->id, when,
           (long long)e->actor_id, e->address[0] ? e->address : "-", (long long)e->org_id,
           e->action, e->target_kind, (long long)e->target_id, e->detail);
    return 0;
}

int cmd_audit(vctl *c, int argc, char **argv)
{
    veche_audit_filter f;
    memset(&f, 0, sizeof f);
    if (argc == 1 && vctl_parse_id(argv[0], &f.org_id) != 0)
        return vctl_usage("audit [ORG_ID]");
    int r = veche_store_audit_list(c->st, &f, audit_cb, NULL);
    return r != 0 ? vctl_fail("audit", r) : VCTL_OK;
}

int cmd_retention_sweep(vctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    veche_retention_stats s;
    int r = veche_store_retention_sweep(c->st, c->now, c->cfg->retention_audit_days,
                                        c->cfg->retention_session_days,
                                        c->cfg->retention_chat_days, &s);
    if (r != 0)
        return vctl_fail("retention-sweep", r);
    printf("removed %u audit entries, %u sessions, %u reset links, %u chat messages\n",
           s.audit_removed, s.sessions_removed, s.resets_removed, s.chat_removed);
    return VCTL_OK;
}
