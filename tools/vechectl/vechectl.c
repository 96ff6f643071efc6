/* vechectl.c - administer Veche's database from the command line.
 *
 *   vechectl [-c FILE] [--db PATH] COMMAND [ARGS]
 *
 *   migrate                      create the database or bring its schema
 *                                up to date
 *   org-add LEVEL NAME [PARENT]  add an organization (central, regional,
 *                                primary); prints its id
 *   body-add ORG NAME [RULE]     add a body, RULE like ">1/2" or ">=2/3"
 *   course-add ORG NAME          add a course
 *   import-roster body|course ID FILE [--replace]
 *                                validate a roster CSV and import it whole,
 *                                or report every bad line and import nothing
 *   backup DEST                  online backup (the server may run)
 *   restore SRC                  replace the database (stop the server)
 *
 * The database is <data_dir>/veche.db of the configuration (-c), or PATH.
 * Exit status: 0 done, 1 refused or failed (reasons on stderr), 2 usage.
 * All work is done by the store and roster modules; this file only parses
 * arguments and prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "roster_import.h"
#include "store.h"

#define MAX_ROSTER_BYTES (32u << 20)

typedef struct {
    const char *name;
    int min_args, max_args;
    int (*run)(veche_store *s, int argc, char **argv);
} command;

static int fail(const char *what, int code)
{
    fprintf(stderr, "vechectl: %s: %s\n", what, veche_strerror(code));
    return 1;
}

static int parse_id(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || end == s || v <= 0)
        return -1;
    *out = v;
    return 0;
}

static int cmd_migrate(veche_store *s, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("schema version %d\n", veche_store_schema_version(s));
    return 0;
}

static int cmd_org_add(veche_store *s, int argc, char **argv)
{
    static const char *const levels[] = { "central", "regional", "primary" };
    int level = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(argv[0], levels[i]) == 0)
            level = i;
    int64_t parent = 0, id;
    if (level < 0 || (argc == 3 && parse_id(argv[2], &parent) != 0))
        return fprintf(stderr, "vechectl: org-add LEVEL NAME [PARENT]\n"), 2;
    int r = veche_store_org_create(s, argv[1], (veche_org_level)level, parent,
                                   time(NULL), &id);
    if (r != 0)
        return fail("org-add", r);
    printf("%lld\n", (long long)id);
    return 0;
}

static int cmd_body_add(veche_store *s, int argc, char **argv)
{
    int64_t org, id;
    veche_quorum_rule rule = VECHE_QUORUM_RULE_DEFAULT;
    if (parse_id(argv[0], &org) != 0 ||
        (argc == 3 && veche_quorum_rule_parse(argv[2], &rule) != 0))
        return fprintf(stderr, "vechectl: body-add ORG NAME [>1/2|>=2/3]\n"),
               2;
    int r = veche_store_body_create(s, org, argv[1], &rule, &id);
    if (r != 0)
        return fail("body-add", r);
    printf("%lld\n", (long long)id);
    return 0;
}

static int cmd_course_add(veche_store *s, int argc, char **argv)
{
    (void)argc;
    int64_t org, id;
    if (parse_id(argv[0], &org) != 0)
        return fprintf(stderr, "vechectl: course-add ORG NAME\n"), 2;
    int r = veche_store_course_create(s, org, argv[1], &id);
    if (r != 0)
        return fail("course-add", r);
    printf("%lld\n", (long long)id);
    return 0;
}

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
    return 1;
}

static int cmd_import(veche_store *s, int argc, char **argv)
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
    if ((int)kind < 0 || parse_id(argv[1], &target) != 0 ||
        (argc == 4 && !replace))
        return fprintf(stderr, "vechectl: import-roster body|course ID FILE"
                               " [--replace]\n"), 2;
    size_t len = 0;
    char *data = read_file(argv[2], &len);
    if (!data)
        return fprintf(stderr, "vechectl: %s: %s\n", argv[2],
                       strerror(errno)), 1;
    veche_roster_import *r = NULL;
    int e = veche_roster_import_new(data, len, kind, &r);
    free(data);
    if (e != 0)
        return fail(argv[2], e);
    veche_roster_stats st;
    int rc = 0;
    if (!veche_roster_import_ok(r))
        rc = print_issues(argv[2], r);
    else if ((e = veche_store_roster_apply(s, r, target, replace, time(NULL),
                                           &st)) != 0)
        rc = fail("import-roster", e);
    else
        printf("%zu rows: %u new persons, %u known, %u memberships set, "
               "%u removed\n", veche_roster_import_row_count(r),
               st.persons_created, st.persons_existing, st.members_set,
               st.members_removed);
    veche_roster_import_free(r);
    return rc;
}

static int cmd_backup(veche_store *s, int argc, char **argv)
{
    (void)argc;
    int r = veche_store_backup(s, argv[0]);
    return r != 0 ? fail(argv[0], r) : 0;
}

static int cmd_restore(veche_store *s, int argc, char **argv)
{
    (void)argc;
    int r = veche_store_restore(s, argv[0]);
    if (r != 0)
        return fail(argv[0], r);
    printf("restored; schema version %d\n", veche_store_schema_version(s));
    return 0;
}

static const command commands[] = {
    { "migrate", 0, 0, cmd_migrate },
    { "org-add", 2, 3, cmd_org_add },
    { "body-add", 2, 3, cmd_body_add },
    { "course-add", 2, 2, cmd_course_add },
    { "import-roster", 3, 4, cmd_import },
    { "backup", 1, 1, cmd_backup },
    { "restore", 1, 1, cmd_restore },
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: vechectl [-c FILE] [--db PATH] COMMAND [ARGS]\n"
        "  migrate\n"
        "  org-add central|regional|primary NAME [PARENT_ID]\n"
        "  body-add ORG_ID NAME [>1/2|>=2/3]\n"
        "  course-add ORG_ID NAME\n"
        "  import-roster body|course ID FILE.csv [--replace]\n"
        "  backup DEST\n"
        "  restore SRC   (stop the server first)\n");
}

int main(int argc, char **argv)
{
    veche_config cfg;
    char err[512], db[VECHE_PATH_MAX + 16] = "";
    veche_config_defaults(&cfg);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-c") && i + 1 < argc) {
            if (veche_config_load(&cfg, argv[++i], err, sizeof err) != 0)
                return fprintf(stderr, "vechectl: %s\n", err), 2;
        } else if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            snprintf(db, sizeof db, "%s", argv[++i]);
        } else {
            usage(!strcmp(argv[i], "-h") ? stdout : stderr);
            return !strcmp(argv[i], "-h") ? 0 : 2;
        }
    }
    const command *cmd = NULL;
    for (size_t k = 0; i < argc && k < sizeof commands / sizeof *commands; k++)
        if (!strcmp(argv[i], commands[k].name))
            cmd = &commands[k];
    int nargs = argc - i - 1;
    if (!cmd || nargs < cmd->min_args || nargs > cmd->max_args) {
        usage(stderr);
        return 2;
    }
    if (!db[0]) {
        if (mkdir(cfg.data_dir, 0700) != 0 && errno != EEXIST)
            return fprintf(stderr, "vechectl: %s: %s\n", cfg.data_dir,
                           strerror(errno)), 1;
        veche_config_database_path(&cfg, db, sizeof db);  /* `database`, or the default */
    }
    veche_store *s = NULL;
    int r = veche_store_open(db, &s);
    if (r != 0)
        return fail(db, r);
    int rc = cmd->run(s, nargs, argv + i + 1);
    veche_store_close(s);
    return rc;
}
