/* cmd_events.c - vechectl's event commands: event-add, guest-add, events
 * [ORG_ID] and attendance (vechectl.h), and the ISO-8601 time parser they use.
 *
 * The attendance report is the one the web client downloads (report.h):
 * built from the store's record with the configuration's grace period.
 * vechectl has no live roll, so "present now" is always no and the quorum
 * is the one of the record (the server's page shows the live one).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <jansson.h>
#include <sodium.h>

#include "err.h"
#include "isotime.h"
#include "store_edit.h"
#include "report.h"
#include "store.h"
#include "vechectl.h"

/* ---- event-add ---- */

int vctl_parse_limit(const char *what, const char *arg, unsigned *out)
{
    char *end;
    errno = 0;
    long n = strcmp(arg, "default") == 0 ? 0 : strtol(arg, &end, 10);
    if (strcmp(arg, "default") != 0 &&
        (errno || end == arg || *end || n < 1 || n > VECHE_EVENT_LIMIT_MAX))
        return vctl_refuse("%s: the room limit is a number of people from 1 to %d,"
                           " or default (the room kind's)", what, VECHE_EVENT_LIMIT_MAX);
    *out = (unsigned)n;
    return VCTL_OK;
}

int cmd_event_add(vctl *c, int argc, char **argv)
{
    static const char syn[] = "event-add body|course ID TITLE START END [ROOM] [--limit N]";
    veche_event ev;
    memset(&ev, 0, sizeof ev);
    /* --limit N anywhere after the five positional arguments */
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--limit") != 0)
            continue;
        if (i + 1 >= argc)
            return vctl_usage(syn);
        int rc = vctl_parse_limit("event-add", argv[i + 1], &ev.max_participants);
        if (rc != VCTL_OK)
            return rc;
        memmove(argv + i, argv + i + 2, sizeof *argv * (size_t)(argc - i - 2));
        argc -= 2;
        break;
    }
    if (argc > 6)
        return vctl_usage(syn);
    int64_t target;
    bool body = !strcmp(argv[0], "body");
    if ((!body && strcmp(argv[0], "course")) ||
        vctl_parse_id(argv[1], &target) != 0)
        return vctl_usage(syn);
    int rc = vctl_check_text("event-add: title", argv[2], VECHE_TITLE_MAX);
    if (rc != VCTL_OK)
        return rc;
    /* Without an offset: the zone of the body's or course's organization
     * (or an ancestor's), else the configured time_zone, as on the admin
     * pages. */
    int64_t org = 0;
    veche_body ob;
    veche_course oc;
    if (body ? veche_store_body_get(c->st, target, &ob) == 0
             : veche_store_course_get(c->st, target, &oc) == 0)
        org = body ? ob.org_id : oc.org_id;
    char zone[64] = "";
    if (!org || veche_store_org_zone(c->st, org, zone) != 0 || !zone[0])
        snprintf(zone, sizeof zone, "%s", c->cfg->time_zone);
    if (veche_isotime_parse_zone(argv[3], zone, &ev.starts_at) != 0)
        return vctl_refuse("event-add: bad start time \"%s\" (like"
                           " 2026-12-01T18:00 in %s, or with Z or +03:00)",
                           argv[3], zone);
    if (veche_isotime_parse_zone(argv[4], zone, &ev.ends_at) != 0)
        return vctl_refuse("event-add: bad end time \"%s\" (like"
                           " 2026-12-01T20:00 in %s, or with Z or +03:00)",
                           argv[4], zone);
    if (ev.ends_at <= ev.starts_at)
        return vctl_refuse("event-add: the end is not after the start");
    if (argc == 6 && !veche_room_id_valid(argv[5]))
        return vctl_refuse("event-add: bad room id (1 to %d of A-Z a-z 0-9"
                           " _ . -)", VECHE_ROOM_ID_MAX);
    int r;
    if (body) {
        veche_body b;
        r = veche_store_body_get(c->st, target, &b);
        ev.body_id = target;
        ev.room_kind = VECHE_ROOM_MEETING;
    } else {
        veche_course co;
        r = veche_store_course_get(c->st, target, &co);
        ev.course_id = target;
        ev.room_kind = VECHE_ROOM_TRAINING;
    }
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no %s %lld", argv[0], (long long)target);
    if (r != 0)
        return vctl_fail("event-add", r);
    snprintf(ev.title, sizeof ev.title, "%s", argv[2]);
    if (argc == 6) {
        snprintf(ev.room_id, sizeof ev.room_id, "%s", argv[5]);
    } else {  /* a room nobody can guess: "ev-" and 16 hex digits */
        uint8_t rnd[8];
        randombytes_buf(rnd, sizeof rnd);
        memcpy(ev.room_id, "ev-", 3);
        sodium_bin2hex(ev.room_id + 3, sizeof ev.room_id - 3, rnd, sizeof rnd);
    }
    int64_t id;
    r = veche_store_event_create(c->st, &ev, c->now, &id);
    if (r == VECHE_EEXISTS)
        return vctl_refuse("event-add: room %s is taken", ev.room_id);
    if (r != 0)
        return vctl_fail("event-add", r);
    printf("%lld %s\n", (long long)id, ev.room_id);
    return VCTL_OK;
}

/* ---- guest-add ---- */

int cmd_guest_add(vctl *c, int argc, char **argv)
{
    (void)argc;
    int64_t event_id;
    const char *email = argv[1], *name = argv[2];
    if (vctl_parse_id(argv[0], &event_id) != 0)
        return vctl_usage("guest-add EVENT_ID EMAIL NAME");
    veche_event ev;
    int r = veche_store_event_get(c->st, event_id, &ev);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no event %lld", (long long)event_id);
    if (r != 0)
        return vctl_fail("guest-add", r);
    veche_person p;
    r = veche_store_person_find_email(c->st, email, &p);
    bool created = false;
    if (r == VECHE_ENOTFOUND) {  /* a new person of the event's organization */
        if (!veche_roster_email_valid(email))
            return vctl_refuse("guest-add: bad e-mail address %s", email);
        int rc = vctl_check_text("guest-add: name", name, VECHE_NAME_MAX);
        if (rc != VCTL_OK)
            return rc;
        memset(&p, 0, sizeof p);
        p.org_id = ev.org_id;
        snprintf(p.full_name, sizeof p.full_name, "%s", name);
        snprintf(p.email, sizeof p.email, "%s", email);
        r = veche_store_person_create(c->st, &p, c->now, &p.id);
        created = r == 0;
    }
    if (r != 0)
        return vctl_fail("guest-add", r);
    veche_admission a;
    r = veche_store_admit(c->st, event_id, p.id, &a);
    if (r == VECHE_EDENIED && a.refusal == VECHE_REFUSE_BLOCKED)
        return vctl_refuse("%s: the account is blocked", email);
    if (r == 0) {  /* on the roster, staff, or a guest already */
        printf("%lld already admitted as %s\n", (long long)p.id,
               veche_access_role_name(a.role));
        return VCTL_OK;
    }
    if (r == VECHE_EDENIED && a.refusal == VECHE_REFUSE_NOT_LISTED)
        r = veche_store_event_guest_add(c->st, event_id, p.id);
    if (r != 0)
        return vctl_fail("guest-add", r);
    printf("%lld guest%s\n", (long long)p.id, created ? " (new person)" : "");
    return VCTL_OK;
}

/* ---- events ---- */

static int print_event(void *ud, const veche_event *ev)
{
    (void)ud;
    char start[32], end[32];
    veche_report_time(ev->starts_at * 1000, start);
    veche_report_time(ev->ends_at * 1000, end);
    printf("%lld\t%s\t%s\t%lld\t%s\t%s\t%s\t%s\n", (long long)ev->id,
           veche_room_kind_name(ev->room_kind),
           ev->body_id ? "body" : "course",
           (long long)(ev->body_id ? ev->body_id : ev->course_id), start, end,
           ev->room_id, ev->title);
    return 0;
}

static int print_event_info(void *ud, const veche_event_info *e)
{
    return print_event(ud, &e->event);
}

int cmd_events(vctl *c, int argc, char **argv)
{
    int64_t org = 0;
    if (argc == 1 && vctl_parse_id(argv[0], &org) != 0)
        return vctl_usage("events [ORG_ID]");
    int r = 0;
    veche_org o;
    if (org)
        r = veche_store_org_get(c->st, org, &o);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no organization %lld", (long long)org);
    if (r == 0)
        r = org ? veche_store_events_in(c->st, org, 0, print_event_info, NULL)
                : veche_store_events_list(c->st, print_event, NULL);
    return r < 0 ? vctl_fail("events", r) : VCTL_OK;
}

/* ---- attendance ---- */

/* Write len bytes to path (created 0600: the report names people, or
 * replaced) or, when path is NULL, to stdout. */
static int write_out(const char *path, const char *data, size_t len)
{
    if (!path) {
        if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0)
            return vctl_refuse("writing the report: %s", strerror(errno));
        return VCTL_OK;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return vctl_refuse("%s: %s", path, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            close(fd);
            return vctl_refuse("%s: %s", path, strerror(e));
        }
        off += (size_t)n;
    }
    if (close(fd) != 0)
        return vctl_refuse("%s: %s", path, strerror(errno));
    return VCTL_OK;
}

int cmd_attendance(vctl *c, int argc, char **argv)
{
    static const char *const syn =
        "attendance EVENT_ID [--csv | --json | --html [--lang ru|en]]"
        " [-o FILE]";
    enum { CSV, JSON, HTML } format = CSV;
    int formats = 0;
    const char *lang = NULL, *path = NULL;
    int64_t event_id;
    if (vctl_parse_id(argv[0], &event_id) != 0)
        return vctl_usage(syn);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--csv"))
            format = CSV, formats++;
        else if (!strcmp(argv[i], "--json"))
            format = JSON, formats++;
        else if (!strcmp(argv[i], "--html"))
            format = HTML, formats++;
        else if (!strcmp(argv[i], "--lang") && i + 1 < argc && !lang)
            lang = argv[++i];
        else if (!strcmp(argv[i], "-o") && i + 1 < argc && !path)
            path = argv[++i];
        else
            return vctl_usage(syn);
    }
    if (formats > 1 || (lang && format != HTML))
        return vctl_usage(syn);
    if (lang && strcmp(lang, "ru") && strcmp(lang, "en"))
        return vctl_refuse("attendance: language %s: only ru and en", lang);

    veche_report *rep = NULL;
    int64_t grace_ms = (int64_t)c->cfg->presence_grace_seconds * 1000;
    int r = veche_report_build(c->st, NULL, event_id, grace_ms,
                               c->now * 1000, &rep);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no event %lld", (long long)event_id);
    if (r != 0)
        return vctl_fail("attendance", r);
    char *text = NULL;
    size_t len = 0;
    if (format == CSV) {
        r = veche_report_csv(rep, &text, &len);
    } else if (format == HTML) {
        char zone[64] = "";
        if (veche_store_org_zone(c->st, rep->event.org_id, zone) != 0 || !zone[0])
            snprintf(zone, sizeof zone, "%s", c->cfg->time_zone);
        text = veche_report_html(rep, lang ? lang : "en", zone);
        len = text ? strlen(text) : 0;
        r = text ? 0 : VECHE_ENOMEM;
    } else {
        json_t *j = veche_report_json(rep);
        char *s = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        json_decref(j);
        if (s) {  /* g_free below, like the other formats */
            text = g_strconcat(s, "\n", NULL);
            len = strlen(text);
            free(s);
        }
        r = text ? 0 : VECHE_ENOMEM;
    }
    veche_report_free(rep);
    int rc = r != 0 ? vctl_fail("attendance", r) : write_out(path, text, len);
    g_free(text);
    return rc;
}
