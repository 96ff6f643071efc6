/* roster_import.h - read and validate a roster CSV for a body or a course.
 *
 * The file is CSV (csv.h) whose first line is a header naming the
 * columns, in any order, ASCII case ignored.  The separator is ',' or ';'
 * (what Excel saves where the decimal mark is a comma), whichever the header
 * line holds more of.  The text is UTF-8 with or without a byte order mark;
 * a file that is not UTF-8 but reads as Windows-1251 Cyrillic (most bytes
 * above 0x7F are its letters) is converted with g_convert, anything else
 * is read as it is and every line that is not UTF-8 gets the issue
 * csv-malformed bad-utf8.  Columns:
 *
 *   full_name   required
 *   email       required; the login; unique in the file (ASCII case ignored)
 *   phone       optional column, optional value: digits, spaces, + ( ) - .
 *   role        required: chair | secretary | member   (body roster)
 *                         trainer | activist           (course roster)
 *   voting      optional: yes | no; empty means yes for body roles and no
 *               for course roles; "yes" on a course roster is an error
 *
 * Every field is trimmed of ASCII spaces and tabs at both ends; nothing
 * else is changed (names keep their exact bytes: no case folding, no
 * Unicode normalization).  Blank lines are skipped.  E-mail addresses are
 * ASCII (an internationalized domain must be given in its xn-- form).
 *
 * Validation never stops at the first problem: every bad line gets an
 * issue {line number, message}, the header being line 1 and line numbers
 * counting physical lines (a quoted field may span lines).  A result with
 * issues must not be imported; veche_store_roster_apply() refuses it, so a
 * roster goes in whole or not at all.
 *
 * The result is an opaque object that owns all its strings.  No I/O except
 * veche_roster_import_report(), which writes to a FILE.
 */
#ifndef VECHE_ROSTER_IMPORT_H
#define VECHE_ROSTER_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "access.h"

#define VECHE_ROSTER_MAX_ROWS 100000
#define VECHE_ROSTER_MAX_ISSUES 1000
#define VECHE_NAME_MAX 200        /* bytes of a full name */
#define VECHE_EMAIL_MAX 254       /* bytes of an e-mail address */
#define VECHE_PHONE_MAX 32        /* bytes of a phone number */

typedef enum {
    VECHE_ROSTER_BODY = 0,
    VECHE_ROSTER_COURSE = 1,
} veche_roster_kind;

typedef struct {
    unsigned line;
    const char *full_name;
    const char *email;
    const char *phone;            /* "" when not given */
    veche_access_role role;
    bool voting;
} veche_roster_row;

typedef struct {
    unsigned line;                /* 1-based; the header is line 1 */
    const char *message;          /* English, no personal data */
    const char *code;             /* static: "email-invalid", ... for translation */
    const char *arg, *arg2;       /* the code's parameters, "" when none (below) */
} veche_roster_issue;

/* Issue codes and their arguments (the web client's i18n keys roster.CODE):
 *   name-empty name-too-long name-control email-empty email-invalid
 *   phone-invalid voting-invalid voting-course header-missing file-empty
 *   no-rows                                               (no arguments)
 *   role-empty (arg "body"|"course")  role-unknown (arg kind, arg2 value or "")
 *   field-count (arg expected, arg2 found)  column-unknown (arg name, arg2 number)
 *   column-unknown-n (arg number)  column-twice, column-missing (arg column)
 *   email-duplicate (arg line)  too-many-rows, too-many-problems (arg count)
 *   header-malformed, csv-malformed (arg: text-after-quote quote-inside bare-cr
 *   unclosed-quote nul bad-utf8 too-many-fields other) */

typedef struct veche_roster_import veche_roster_import;

/* Parse and validate len bytes of CSV.  Returns 0 with *out set (look at
 * the issues), VECHE_EINVAL on NULL arguments or VECHE_ENOMEM. */
int veche_roster_import_new(const char *data, size_t len,
                            veche_roster_kind kind, veche_roster_import **out);
void veche_roster_import_free(veche_roster_import *r);  /* accepts NULL */

veche_roster_kind veche_roster_import_kind(const veche_roster_import *r);
/* "utf-8", or "windows-1251" when the file was converted. */
const char *veche_roster_import_encoding(const veche_roster_import *r);
/* The separator found in the header line: ',' or ';'. */
char veche_roster_import_separator(const veche_roster_import *r);
/* True when there are no issues (and so at least one row). */
bool veche_roster_import_ok(const veche_roster_import *r);

/* The valid rows in file order (all rows when ok); NULL past the end. */
size_t veche_roster_import_row_count(const veche_roster_import *r);
const veche_roster_row *veche_roster_import_row(const veche_roster_import *r,
                                                size_t i);

/* The issues in line order; NULL past the end.  At most
 * VECHE_ROSTER_MAX_ISSUES, the last one saying that reporting stopped. */
size_t veche_roster_import_issue_count(const veche_roster_import *r);
const veche_roster_issue *veche_roster_import_issue(const veche_roster_import *r,
                                                    size_t i);

/* Write "line N: message" per issue.  Returns 0 or VECHE_EIO. */
int veche_roster_import_report(const veche_roster_import *r, FILE *f);

/* The e-mail syntax the roster (and the store) accept: ASCII local part of
 * atext characters and single dots, '@', a domain of two or more LDH labels
 * (1..63 bytes each, no leading or trailing hyphen), at most
 * VECHE_EMAIL_MAX bytes in all. */
bool veche_roster_email_valid(const char *email);

#endif
