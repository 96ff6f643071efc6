/* vechectl.h - what the command files of vechectl share: the context a
 * command runs in, the exit statuses, and the helpers for messages,
 * arguments and look-ups.
 *
 * Every command is `int cmd_x(vctl *c, int argc, char **argv)` with argv
 * the arguments after the command name (their count already checked
 * against the command table in vechectl.c) and returns an exit status.
 * Commands print results on stdout and one-line errors on stderr
 * ("vechectl: ..."); nothing is logged.
 */
#ifndef VECHECTL_H
#define VECHECTL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "store.h"

/* Exit statuses. */
enum {
    VCTL_OK = 0,
    VCTL_USAGE = 1,       /* bad command line: unknown command or option, wrong
                             argument count, an id that is not a number */
    VCTL_REFUSED = 2,     /* invalid data or refused: unknown e-mail, bad time,
                             weak password, missing row, taken name */
    VCTL_TROUBLE = 3,     /* the database (or the system) failed */
};

typedef struct {
    veche_store *st;
    const veche_config *cfg;
    int64_t now;          /* unix seconds, read once at start */
    const char *data_dir; /* where recordings/ and lessons/ are: the config's
                             data_dir, or the database's folder with --db */
    int audit_rc;         /* 0, or why an audit entry was not written */
} vctl;

/* Print "vechectl: WHAT: <message of code>" and return the exit status for
 * code: VCTL_TROUBLE for EIO, ENOMEM, ECRYPTO; VCTL_REFUSED otherwise. */
int vctl_fail(const char *what, int code);
/* Print "vechectl: <formatted>" and return VCTL_REFUSED. */
int vctl_refuse(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* Print "usage: vechectl SYNOPSIS" and return VCTL_USAGE. */
int vctl_usage(const char *synopsis);

/* A name or title: valid UTF-8 without control characters, 1 to max
 * bytes.  VCTL_OK, or VCTL_REFUSED with "vechectl: WHAT: reason" printed. */
int vctl_check_text(const char *what, const char *s, size_t max);

/* A positive decimal id: 0, or -1 for anything else. */
int vctl_parse_id(const char *s, int64_t *out);
/* An event's room limit: 1..VECHE_EVENT_LIMIT_MAX, or "default" (*out 0);
 * refuses (VCTL_REFUSED, with a message naming `what`) anything else. */
int vctl_parse_limit(const char *what, const char *arg, unsigned *out);

/* The person with this e-mail (ASCII case ignored) and, when acc is not
 * NULL, their account.  Returns VCTL_OK or an exit status, the reason
 * printed ("no person with e-mail ...", "... has no account"). */
int vctl_find_person(vctl *c, const char *email, veche_person *p,
                     veche_account *acc);

/* A one-time password reset link "public_url/?reset=TOKEN" for person,
 * valid for the configuration's invitation_ttl_hours.  Returns VCTL_OK or
 * an exit status with the reason printed. */
int vctl_reset_link(vctl *c, int64_t person_id, char *out, size_t cap);

/* Commands: cmd_accounts.c */
int cmd_account_add(vctl *c, int argc, char **argv);
int cmd_reset_link(vctl *c, int argc, char **argv);
int cmd_block(vctl *c, int argc, char **argv);
int cmd_unblock(vctl *c, int argc, char **argv);
int cmd_admin_add(vctl *c, int argc, char **argv);
int cmd_admin_remove(vctl *c, int argc, char **argv);
int cmd_people(vctl *c, int argc, char **argv);

/* Commands: cmd_events.c */
int cmd_event_add(vctl *c, int argc, char **argv);
int cmd_guest_add(vctl *c, int argc, char **argv);
int cmd_events(vctl *c, int argc, char **argv);
int cmd_attendance(vctl *c, int argc, char **argv);
/* cmd_agenda.c */
int cmd_agenda(vctl *c, int argc, char **argv);

/* Commands: cmd_minutes.c */
int cmd_minutes(vctl *c, int argc, char **argv);
int cmd_body_voting(vctl *c, int argc, char **argv);
/* Commands: cmd_lessons.c */
int cmd_lessons(vctl *c, int argc, char **argv);
int cmd_body_recording(vctl *c, int argc, char **argv);

/* Commands: cmd_privacy.c */
int cmd_person_edit(vctl *c, int argc, char **argv);
int cmd_person_delete(vctl *c, int argc, char **argv);
int cmd_person_export(vctl *c, int argc, char **argv);
int cmd_person_erase(vctl *c, int argc, char **argv);
int cmd_org_edit(vctl *c, int argc, char **argv);
int cmd_org_delete(vctl *c, int argc, char **argv);
int cmd_body_delete(vctl *c, int argc, char **argv);
int cmd_course_delete(vctl *c, int argc, char **argv);
int cmd_event_edit(vctl *c, int argc, char **argv);
int cmd_event_move(vctl *c, int argc, char **argv);
int cmd_event_cancel(vctl *c, int argc, char **argv);
int cmd_event_uncancel(vctl *c, int argc, char **argv);
int cmd_event_delete(vctl *c, int argc, char **argv);
int cmd_audit(vctl *c, int argc, char **argv);
int cmd_retention_sweep(vctl *c, int argc, char **argv);

/* One audit log entry for a change vechectl made: actor 0, address
 * "vechectl"; detail a JSON object of ids and field names (NULL: {}).  A
 * command runs in one store transaction (vechectl.c), so a failure to
 * write sets c->audit_rc and the change is rolled back with it. */
void vctl_audit(vctl *c, int64_t org, const char *action, const char *kind, int64_t target,
                const char *detail);

#endif
