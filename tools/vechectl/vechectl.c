/* vechectl.c - administer Veche's database from the command line: the
 * entry point (options, the command table, --help), the shared helpers of
 * vechectl.h, and the organization, roster, backup and restore commands.
 * Accounts are in cmd_accounts.c, events and attendance in cmd_events.c.
 *
 *   vechectl [-c FILE] [--db PATH] COMMAND [ARGS]
 *
 * The database is the `database` of the configuration (-c FILE, the same
 * file the server reads; by default <data_dir>/veche.db), or PATH.  Links
 * use its public_url and invitation_ttl_hours, reports its
 * presence_grace_seconds.
 *
 * Exit status: 0 done, 1 usage, 2 refused or invalid data, 3 database
 * trouble (vechectl.h); one line on stderr says why.  All work is done by
 * the store, roster, password, token and report modules; these files only
 * parse arguments and print.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib.h>
#include <sodium.h>

#include "auth.h"
#include "config.h"
#include "paths.h"
#include "err.h"
#include "roster_import.h"
#include "store.h"
#include "vechectl.h"

#define MAX_ROSTER_BYTES (32u << 20)

typedef struct {
    const char *name;
    int min_args, max_args;
    int (*run)(vctl *c, int argc, char **argv);
    const char *synopsis;         /* arguments, for usage messages */
} command;

/* ---- shared helpers (vechectl.h) ---- */

int vctl_fail(const char *what, int code)
{
    fprintf(stderr, "vechectl: %s: %s\n", what, veche_strerror(code));
    return code == VECHE_EIO || code == VECHE_ENOMEM || code == VECHE_ECRYPTO
               ? VCTL_TROUBLE : VCTL_REFUSED;
}

int vctl_refuse(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vechectl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return VCTL_REFUSED;
}

int vctl_usage(const char *synopsis)
{
    fprintf(stderr, "usage: vechectl %s\n", synopsis);
    return VCTL_USAGE;
}

int vctl_check_text(const char *what, const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0)
        return vctl_refuse("%s: empty", what);
    if (n > max)
        return vctl_refuse("%s: longer than %zu bytes", what, max);
    if (!g_utf8_validate(s, (gssize)n, NULL))
        return vctl_refuse("%s: not valid UTF-8", what);
    for (const char *q = s; *q; q = g_utf8_next_char(q))
        if (g_unichar_iscntrl(g_utf8_get_char(q)))
            return vctl_refuse("%s: contains a control character", what);
    return VCTL_OK;
}

int vctl_parse_id(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v <= 0 || s[0] < '0' || s[0] > '9')
        return -1;
    *out = v;
    return 0;
}

int vctl_find_person(vctl *c, const char *email, veche_person *p,
                     veche_account *acc)
{
    int r = veche_store_person_find_email(c->st, email, p);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no person with e-mail %s", email);
    if (r != 0)
        return vctl_fail(email, r);
    if (!acc)
        return VCTL_OK;
    r = veche_store_account_get(c->st, p->id, acc);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("%s has no account", email);
    return r != 0 ? vctl_fail(email, r) : VCTL_OK;
}

int vctl_reset_link(vctl *c, int64_t person_id, char *out, size_t cap)
{
    int r = veche_auth_reset_link(c->st, c->cfg->public_url, person_id, c->now,
                                  (int64_t)c->cfg->invitation_ttl_hours * 3600, out, cap);
    if (r == VECHE_ELIMIT)
        return vctl_refuse("public_url is too long for a link");
    return r != 0 ? vctl_fail("reset link", r) : VCTL_OK;
}

/* ---- organizations, bodies, courses ---- */

static int cmd_migrate(vctl *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("schema version %d\n", veche_store_schema_version(c->st));
    return VCTL_OK;
}

static int cmd_org_add(vctl *c, int argc, char **argv)
{
    veche_org_level level;
    int64_t parent = 0, id;
    if (veche_store_org_level_parse(argv[0], &level) != 0 ||
        (argc == 3 && vctl_parse_id(argv[2], &parent) != 0))
        return vctl_usage("org-add central|regional|primary NAME [PARENT_ID]");
    int r = veche_store_org_create(c->st, argv[1], level, parent, c->now, &id);
    if (r == VECHE_EINVAL)
        return vctl_refuse("org-add: bad name, or the parent does not exist"
                           " or is not above a %s organization", argv[0]);
    if (r == VECHE_EEXISTS)
        return vctl_refuse("org-add: the name is taken at this place");
    if (r != 0)
        return vctl_fail("org-add", r);
    printf("%lld\n", (long long)id);
    return VCTL_OK;
}

static int cmd_body_add(vctl *c, int argc, char **argv)
{
    int64_t org, id;
    veche_quorum_rule rule = VECHE_QUORUM_RULE_DEFAULT;
    if (vctl_parse_id(argv[0], &org) != 0)
        return vctl_usage("body-add ORG_ID NAME [>1/2|>=2/3]");
    if (argc == 3 && veche_quorum_rule_parse(argv[2], &rule) != 0)
        return vctl_refuse("body-add: bad quorum rule \"%s\" (like >1/2 or"
                           " >=2/3)", argv[2]);
    veche_org org_row;
    int r = veche_store_org_get(c->st, org, &org_row);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no organization %lld", (long long)org);
    if (r == 0)
        r = veche_store_body_create(c->st, org, argv[1], &rule, &id);
    if (r == VECHE_EEXISTS)
        return vctl_refuse("body-add: the name is taken");
    if (r != 0)
        return vctl_fail("body-add", r);
    printf("%lld\n", (long long)id);
    return VCTL_OK;
}

static int cmd_course_add(vctl *c, int argc, char **argv)
{
    (void)argc;
    int64_t org, id;
    if (vctl_parse_id(argv[0], &org) != 0)
        return vctl_usage("course-add ORG_ID NAME");
    veche_org org_row;
    int r = veche_store_org_get(c->st, org, &org_row);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no organization %lld", (long long)org);
    if (r == 0)
        r = veche_store_course_create(c->st, org, argv[1], &id);
    if (r == VECHE_EEXISTS)
        return vctl_refuse("course-add: the name is taken");
    if (r != 0)
        return vctl_fail("course-add", r);
    printf("%lld\n", (long long)id);
    return VCTL_OK;
}

static int print_org(void *ud, const veche_org *o)
{
    (void)ud;
    char parent[24];
    snprintf(parent, sizeof parent, "%lld", (long long)o->parent_id);
    printf("%lld\t%s\t%s\t%s\n", (long long)o->id,
           veche_store_org_level_name(o->level), o->parent_id ? parent : "-",
           o->name);
    return 0;
}

static int cmd_orgs(vctl *c, int argc, char **argv)
{
    int64_t org = 0;
    if (argc == 1 && vctl_parse_id(argv[0], &org) != 0)
        return vctl_usage("orgs [ORG_ID]");
    veche_org o;
    int r = org ? veche_store_org_get(c->st, org, &o) : 0;
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no organization %lld", (long long)org);
    if (r == 0)
        r = veche_store_orgs_list(c->st, org, 0, print_org, NULL);
    return r < 0 ? vctl_fail("orgs", r) : VCTL_OK;
}

/* ---- roster import ---- */

/* The whole file in memory (a roster is small; the cap keeps it so). */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(MAX_ROSTER_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_ROSTER_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f) || n > MAX_ROSTER_BYTES;
    fclose(f);
    if (bad) {
        free(buf);
        errno = n > MAX_ROSTER_BYTES ? EFBIG : EIO;
        return NULL;
    }
    *len = n;
    return buf;
}

static int print_issues(const char *file, const veche_roster_import *r)
{
    size_t n = veche_roster_import_issue_count(r);
    for (size_t i = 0; i < n; i++) {
        const veche_roster_issue *is = veche_roster_import_issue(r, i);
        fprintf(stderr, "%s:%u: %s\n", file, is->line, is->message);
    }
    fprintf(stderr, "vechectl: %zu problem(s); nothing imported\n", n);
    return VCTL_REFUSED;
}

static int cmd_import(vctl *c, int argc, char **argv)
{
    veche_roster_kind kind;
    int64_t target;
    bool replace = argc == 4 && strcmp(argv[3], "--replace") == 0;
    if (strcmp(argv[0], "body") == 0)
        kind = VECHE_ROSTER_BODY;
    else if (strcmp(argv[0], "course") == 0)
        kind = VECHE_ROSTER_COURSE;
    else
        kind = (veche_roster_kind)-1;
    if ((int)kind < 0 || vctl_parse_id(argv[1], &target) != 0 ||
        (argc == 4 && !replace))
        return vctl_usage("import-roster body|course ID FILE.csv [--replace]");
    size_t len = 0;
    char *data = read_file(argv[2], &len);
    if (!data)
        return vctl_refuse("%s: %s", argv[2], strerror(errno));
    veche_roster_import *r = NULL;
    int e = veche_roster_import_new(data, len, kind, &r);
    free(data);
    if (e != 0)
        return vctl_fail(argv[2], e);
    veche_roster_stats st;
    int rc = VCTL_OK;
    if (!veche_roster_import_ok(r))
        rc = print_issues(argv[2], r);
    else if ((e = veche_store_roster_apply(c->st, r, target, replace, c->now,
                                           &st)) == VECHE_ENOTFOUND)
        rc = vctl_refuse("import-roster: no %s %lld", argv[0],
                         (long long)target);
    else if (e != 0)
        rc = vctl_fail("import-roster", e);
    else
        printf("%zu rows: %u new persons, %u known, %u memberships set, "
               "%u removed\n", veche_roster_import_row_count(r),
               st.persons_created, st.persons_existing, st.members_set,
               st.members_removed);
    veche_roster_import_free(r);
    return rc;
}

/* ---- backup and restore ---- */

static int cmd_backup(vctl *c, int argc, char **argv)
{
    (void)argc;
    int r = veche_store_backup(c->st, argv[0]);
    if (r == VECHE_EEXISTS)
        return vctl_refuse("%s: exists; not overwritten", argv[0]);
    return r != 0 ? vctl_fail(argv[0], r) : VCTL_OK;
}

static int cmd_restore(vctl *c, int argc, char **argv)
{
    (void)argc;
    int r = veche_store_restore(c->st, argv[0]);
    if (r != 0)
        return vctl_fail(argv[0], r);
    printf("restored; schema version %d\n", veche_store_schema_version(c->st));
    return VCTL_OK;
}

/* ---- the command table, usage, main ---- */

static const command commands[] = {
    { "migrate", 0, 0, cmd_migrate, "migrate" },
    { "org-add", 2, 3, cmd_org_add,
      "org-add central|regional|primary NAME [PARENT_ID]" },
    { "orgs", 0, 1, cmd_orgs, "orgs [ORG_ID]" },
    { "body-add", 2, 3, cmd_body_add, "body-add ORG_ID NAME [>1/2|>=2/3]" },
    { "course-add", 2, 2, cmd_course_add, "course-add ORG_ID NAME" },
    { "import-roster", 3, 4, cmd_import,
      "import-roster body|course ID FILE.csv [--replace]" },
    { "event-add", 5, 8, cmd_event_add,
      "event-add body|course ID TITLE START END [ROOM] [--limit N]" },
    { "guest-add", 3, 3, cmd_guest_add, "guest-add EVENT_ID EMAIL NAME" },
    { "events", 0, 1, cmd_events, "events [ORG_ID]" },
    { "attendance", 1, 5, cmd_attendance,
      "attendance EVENT_ID [--csv | --json | --html [--lang ru|en]]"
      " [-o FILE]" },
    { "minutes", 2, 4, cmd_minutes, "minutes verify|show EVENT_ID [--html ru|en]" },
    { "body-voting", 1, 3, cmd_body_voting, "body-voting BODY_ID [RULE] [refuse|warn]" },
    { "agenda", 2, 4, cmd_agenda,
      "agenda list EVENT_ID | agenda add EVENT_ID TITLE [SPEAKER] |"
      " agenda remove EVENT_ID ITEM_ID | agenda move EVENT_ID ITEM_ID POSITION" },
    { "account-add", 3, 4, cmd_account_add,
      "account-add EMAIL NAME ORG_ID [--password-stdin | --reset-link]" },
    { "reset-link", 1, 1, cmd_reset_link, "reset-link EMAIL" },
    { "block", 1, 1, cmd_block, "block EMAIL" },
    { "unblock", 1, 1, cmd_unblock, "unblock EMAIL" },
    { "admin-add", 2, 3, cmd_admin_add,
      "admin-add org ORG_ID EMAIL | admin-add platform EMAIL" },
    { "admin-remove", 2, 3, cmd_admin_remove,
      "admin-remove org ORG_ID EMAIL | admin-remove platform EMAIL" },
    { "people", 0, 1, cmd_people, "people [ORG_ID]" },
    { "body-recording", 1, 2, cmd_body_recording, "body-recording BODY_ID [on|off]" },
    { "lessons", 1, 3, cmd_lessons,
      "lessons list [COURSE_ID] | lessons export ID FILE | lessons delete ID" },
    { "person-edit", 3, 3, cmd_person_edit, "person-edit EMAIL name|email|phone VALUE" },
    { "person-delete", 1, 1, cmd_person_delete, "person-delete EMAIL" },
    { "person-export", 1, 3, cmd_person_export, "person-export EMAIL [-o FILE]" },
    { "person-erase", 1, 1, cmd_person_erase, "person-erase EMAIL" },
    { "org-edit", 3, 3, cmd_org_edit,
      "org-edit ORG_ID name|time-zone|privacy-notice VALUE" },
    { "org-delete", 1, 1, cmd_org_delete, "org-delete ORG_ID" },
    { "body-delete", 1, 1, cmd_body_delete, "body-delete BODY_ID" },
    { "course-delete", 1, 1, cmd_course_delete, "course-delete COURSE_ID" },
    { "event-edit", 3, 3, cmd_event_edit,
      "event-edit EVENT_ID title TITLE | limit N|default" },
    { "event-move", 3, 3, cmd_event_move, "event-move EVENT_ID START END" },
    { "event-cancel", 1, 1, cmd_event_cancel, "event-cancel EVENT_ID" },
    { "event-uncancel", 1, 1, cmd_event_uncancel, "event-uncancel EVENT_ID" },
    { "event-delete", 1, 1, cmd_event_delete, "event-delete EVENT_ID" },
    { "audit", 0, 1, cmd_audit, "audit [ORG_ID]" },
    { "retention-sweep", 0, 0, cmd_retention_sweep, "retention-sweep" },
    { "backup", 1, 1, cmd_backup, "backup DEST" },
    { "restore", 1, 1, cmd_restore, "restore SRC" },
};

/* Commands that run outside a transaction: they replace or copy the
 * database file, or copy and unlink lesson files (long, not audited). */
static bool runs_outside_transaction(const char *name)
{
    static const char *const names[] = {"migrate", "backup", "restore", "lessons"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* Run cmd in one store transaction (store.h, "a caller's transaction"):
 * whatever it changes and the audit entries it writes are committed
 * together when it succeeds, and rolled back together when it fails or an
 * audit entry could not be written.  So the change and its entry are on
 * disk both or neither, whenever the process is killed. */
static int run_command(const command *cmd, vctl *c, int nargs, char **args)
{
    if (runs_outside_transaction(cmd->name))
        return cmd->run(c, nargs, args);
    int r = veche_store_tx_begin(c->st);
    if (r != 0)
        return vctl_fail("the database", r);
    int rc = cmd->run(c, nargs, args);
    if (rc == VCTL_OK && c->audit_rc != 0) {
        fprintf(stderr, "vechectl: the audit entry could not be written: nothing was"
                        " changed\n");
        rc = VCTL_TROUBLE;
    }
    r = veche_store_tx_end(c->st, rc == VCTL_OK);
    if (r != 0 && rc == VCTL_OK)
        rc = vctl_fail("commit", r);
    return rc;
}

static void usage(FILE *f)
{
    fputs(
"usage: vechectl [-c FILE] [--db PATH] COMMAND [ARGS]\n"
"\n"
"  -c FILE      the server's configuration (data_dir, database, public_url,\n"
"               invitation_ttl_hours, presence_grace_seconds)\n"
"  --db PATH    this database file instead\n"
"\n"
"Organizations and rosters:\n"
"  migrate                        create the database or update its schema\n"
"  org-add central|regional|primary NAME [PARENT_ID]   prints the id\n"
"  orgs [ORG_ID]                  organizations (below ORG_ID), one a line\n"
"  body-add ORG_ID NAME [>1/2|>=2/3]                   prints the id\n"
"  course-add ORG_ID NAME                              prints the id\n"
"  import-roster body|course ID FILE.csv [--replace]\n"
"                                 all rows or none; problems as FILE:LINE\n"
"Events:\n"
"  event-add body|course ID TITLE START END [ROOM] [--limit N]\n"
"                                 times 2026-12-01T18:00 (in the config's\n"
"                                 time_zone) or with Z or +03:00; a meeting\n"
"                                 for a body, a training\n"
"                                 for a course; prints the id and the room\n"
"  guest-add EVENT_ID EMAIL NAME  invite a guest (a new e-mail becomes a\n"
"                                 person of the event's organization)\n"
"  events [ORG_ID]                events (of ORG_ID and below), one a line\n"
"  attendance EVENT_ID [--csv | --json | --html [--lang ru|en]] [-o FILE]\n"
"                                 the attendance report (CSV by default)\n"
"  agenda list EVENT_ID           the agenda: id, position, opened, left,\n"
"                                 title, speaker; one item a line\n"
"  agenda add EVENT_ID TITLE [SPEAKER]                 prints the item id\n"
"  agenda remove EVENT_ID ITEM_ID an item not yet opened in the meeting\n"
"  agenda move EVENT_ID ITEM_ID POSITION               renumbers the rest\n"
"Accounts:\n"
"  minutes verify EVENT_ID         recompute the finalized minutes' SHA-256\n"
"                                 from the records: OK (0) or MISMATCH (2)\n"
"  minutes show EVENT_ID [--html ru|en]   the minutes as JSON or a page\n"
"  body-voting BODY_ID [RULE] [refuse|warn]   a body's default majority rule\n"
"                                 (half-of-cast ... two-thirds-of-members) and\n"
"                                 a vote without quorum: refuse or warn\n"
"  account-add EMAIL NAME ORG_ID [--password-stdin | --reset-link]\n"
"                                 prints the person id, then a one-time\n"
"                                 link (the default) to set the password;\n"
"                                 with --password-stdin the first line of\n"
"                                 stdin, to be changed at first sign-in\n"
"  reset-link EMAIL               a new one-time password reset link\n"
"  block EMAIL | unblock EMAIL    blocking ends the person's sessions\n"
"  admin-add org ORG_ID EMAIL     administrator of an organization\n"
"  admin-add platform EMAIL       administrator of the whole platform\n"
"  admin-remove org ORG_ID EMAIL | admin-remove platform EMAIL\n"
"  people [ORG_ID]                persons (of ORG_ID and below) with their\n"
"                                 account state, one a line\n"
"Lessons:\n"
"  lessons list [COURSE_ID]       lessons (of a course), one a line\n"
"  lessons export ID FILE         copy the lesson's WebM, and its chapters\n"
"                                 to FILE with .vtt\n"
"  lessons delete ID              remove the lesson and its files\n"
"  body-recording BODY_ID [on|off]   whether the body's chair may record\n"
"                                 its meetings (off unless set)\n"
"Editing and deleting (each written to the audit log):\n"
"  person-edit EMAIL name|email|phone VALUE\n"
"  person-delete EMAIL            only one no attendance names\n"
"  org-edit ORG_ID name|time-zone|privacy-notice VALUE   (\"\" clears)\n"
"  org-delete ORG_ID | body-delete ID | course-delete ID  only empty ones\n"
"  event-edit EVENT_ID title TITLE\n"
"  event-edit EVENT_ID limit N|default   the event's room limit (people)\n"
"  event-move EVENT_ID START END  reschedule (times as for event-add)\n"
"  event-cancel EVENT_ID | event-uncancel EVENT_ID\n"
"  event-delete EVENT_ID          only one without attendance\n"
"Personal data:\n"
"  person-export EMAIL [-o FILE]  everything kept about the person, JSON\n"
"  person-erase EMAIL             anonymize: name, e-mail, account gone\n"
"  audit [ORG_ID]                 the audit log, newest first\n"
"  retention-sweep                remove what the retention_* settings say\n"
"Backups:\n"
"  backup DEST                    online backup (the server may run)\n"
"  restore SRC                    replace the database (stop the server)\n"
"\n"
"Exit status: 0 done, 1 usage, 2 refused or invalid data, 3 database\n"
"trouble.\n", f);
}

int main(int argc, char **argv)
{
    veche_config cfg;
    char err[512], db[VECHE_PATH_MAX + 16] = "";
    veche_config_defaults(&cfg);
    /* Installed: the installed data_dir, and /etc/veche/veche.conf unless
     * -c names another file (core/paths.h). */
    bool named_config = false;
    for (int k = 1; k < argc && argv[k][0] == '-'; k++)
        named_config = named_config || !strcmp(argv[k], "-c");
    static const veche_install_dirs dirs = VECHE_INSTALL_DIRS;
    if (veche_paths_apply_installed(&cfg, &dirs, !named_config, err, sizeof err) != 0)
        return vctl_refuse("%s", err);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return VCTL_OK;
        } else if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            if (veche_config_load(&cfg, argv[++i], err, sizeof err) != 0)
                return vctl_refuse("%s", err);
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            snprintf(db, sizeof db, "%s", argv[++i]);
        } else {
            fprintf(stderr, "vechectl: unknown option %s\n", argv[i]);
            usage(stderr);
            return VCTL_USAGE;
        }
    }
    if (i == argc) {
        usage(stderr);
        return VCTL_USAGE;
    }
    veche_config_finish(&cfg);  /* public_url from the port when empty */
    const command *cmd = NULL;
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
        if (!strcmp(argv[i], commands[k].name))
            cmd = &commands[k];
    if (!cmd) {
        fprintf(stderr, "vechectl: unknown command %s (see vechectl --help)\n",
                argv[i]);
        return VCTL_USAGE;
    }
    int nargs = argc - i - 1;
    if (nargs < cmd->min_args || nargs > cmd->max_args)
        return vctl_usage(cmd->synopsis);
    if (sodium_init() < 0)
        return fprintf(stderr, "vechectl: libsodium failed to start\n"),
               VCTL_TROUBLE;
    bool db_given = db[0] != '\0';
    if (!db[0]) {
        if (mkdir(cfg.data_dir, 0700) != 0 && errno != EEXIST)
            return fprintf(stderr, "vechectl: %s: %s\n", cfg.data_dir,
                           strerror(errno)), VCTL_TROUBLE;
        veche_config_database_path(&cfg, db, sizeof db);
    }
    veche_store *s = NULL;
    int r = veche_store_open(db, &s);
    if (r != 0) {
        fprintf(stderr, "vechectl: %s: %s\n", db, veche_strerror(r));
        return VCTL_TROUBLE;
    }
    char *db_dir = g_path_get_dirname(db);
    vctl c = { .st = s, .cfg = &cfg, .now = (int64_t)time(NULL),
               .data_dir = db_given ? db_dir : cfg.data_dir };
    int rc = run_command(cmd, &c, nargs, argv + i + 1);
    veche_store_close(s);
    g_free(db_dir);
    if (fflush(stdout) != 0 && rc == VCTL_OK)
        return fprintf(stderr, "vechectl: writing output: %s\n",
                       strerror(errno)), VCTL_TROUBLE;
    return rc;
}
