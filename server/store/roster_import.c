/* roster_import.c - roster CSV validation.  See roster_import.h.
 *
 * One pass over the records checks each row on its own; duplicate e-mails
 * are found afterwards by sorting the rows by e-mail (ASCII case folded),
 * and the issues are then sorted by line.
 */
#include "roster_import.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv.h"
#include "err.h"

enum { COL_FULL_NAME, COL_EMAIL, COL_PHONE, COL_ROLE, COL_VOTING, N_COLS };

static const struct {
    const char *name;
    bool required;
} columns[N_COLS] = {
    [COL_FULL_NAME] = { "full_name", true },
    [COL_EMAIL] = { "email", true },
    [COL_PHONE] = { "phone", false },
    [COL_ROLE] = { "role", true },
    [COL_VOTING] = { "voting", false },
};

typedef struct {
    veche_roster_row pub;         /* strings owned */
    bool duplicate;
} row_slot;

typedef struct {
    veche_roster_issue pub;       /* message, arg and arg2 owned */
    size_t seq;                   /* order found: ties on one line */
} issue_slot;

struct veche_roster_import {
    veche_roster_kind kind;
    row_slot *rows;
    size_t n_rows, rows_cap;
    issue_slot *issues;           /* at most VECHE_ROSTER_MAX_ISSUES */
    size_t n_issues, issues_cap;
    size_t issues_dropped;        /* found beyond the limit */
    const char *encoding;         /* "utf-8" or "windows-1251" (converted) */
    char separator;
};

static void free_row(row_slot *slot)
{
    free((char *)slot->pub.full_name);
    free((char *)slot->pub.email);
    free((char *)slot->pub.phone);
}

/* ---- issues ---- */

/* Append an issue whatever the limit. */
static int push_issue(veche_roster_import *r, unsigned line, const char *code,
                      const char *a, const char *b, const char *text)
{
    if (r->n_issues == r->issues_cap) {
        size_t cap = r->issues_cap ? r->issues_cap * 2 : 16;
        issue_slot *ni = realloc(r->issues, cap * sizeof *ni);
        if (!ni)
            return VECHE_ENOMEM;
        r->issues = ni;
        r->issues_cap = cap;
    }
    char *msg = strdup(text), *da = strdup(a ? a : ""), *db = strdup(b ? b : "");
    if (!msg || !da || !db) {
        free(msg);
        free(da);
        free(db);
        return VECHE_ENOMEM;
    }
    r->issues[r->n_issues] = (issue_slot){ { line, msg, code, da, db }, r->n_issues };
    r->n_issues++;
    return 0;
}

/* Append an issue, keeping the last of VECHE_ROSTER_MAX_ISSUES slots for
 * the "too many problems" note that finish() adds. */
static int add_issue(veche_roster_import *r, unsigned line, const char *code,
                     const char *a, const char *b, const char *fmt,
                     ...) __attribute__((format(printf, 6, 7)));

static int add_issue(veche_roster_import *r, unsigned line, const char *code,
                     const char *a, const char *b, const char *fmt, ...)
{
    if (r->n_issues >= VECHE_ROSTER_MAX_ISSUES - 1) {
        r->issues_dropped++;
        return 0;
    }
    char buf[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return push_issue(r, line, code, a, b, buf);
}

/* An issue whose argument is a number. */
static int add_issue_n(veche_roster_import *r, unsigned line, const char *code,
                       size_t n, const char *fmt)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", n);
    return add_issue(r, line, code, num, NULL, fmt, n);
}

/* ---- field checks ---- */

static void trim(const veche_csv_field *f, const char **s, size_t *len)
{
    const char *p = f->data;
    size_t n = f->len;
    while (n > 0 && (p[0] == ' ' || p[0] == '\t'))
        p++, n--;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    *s = p;
    *len = n;
}

static bool has_control(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return true;
    }
    /* C1 controls U+0080..U+009F are C2 80..C2 9F in UTF-8. */
    for (size_t i = 0; i + 1 < len; i++)
        if ((unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] < 0xA0)
            return true;
    return false;
}

static bool is_atext(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

static bool is_ldh(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '-';
}

static bool local_part_valid(const char *s, size_t len)
{
    if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.')
                return false;
        } else if (!is_atext((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

static bool domain_valid(const char *s, size_t len)
{
    size_t labels = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') {
            if (!is_ldh((unsigned char)s[i]))
                return false;
            continue;
        }
        size_t n = i - start;
        if (n == 0 || n > 63 || s[start] == '-' || s[i - 1] == '-')
            return false;
        labels++;
        start = i + 1;
    }
    return labels >= 2;
}

bool veche_roster_email_valid(const char *email)
{
    if (!email)
        return false;
    size_t len = strnlen(email, VECHE_EMAIL_MAX + 1);
    if (len == 0 || len > VECHE_EMAIL_MAX)
        return false;
    const char *at = strchr(email, '@');
    if (!at || strchr(at + 1, '@'))
        return false;
    return local_part_valid(email, (size_t)(at - email)) &&
           domain_valid(at + 1, len - (size_t)(at - email) - 1);
}

static bool phone_valid(const char *s, size_t len)
{
    if (len > VECHE_PHONE_MAX)
        return false;
    unsigned digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digits++;
        else if (c == '+' && i == 0)
            continue;
        else if (c == '\0' || !strchr(" ()-.", c))
            return false;
    }
    return digits >= 5 && digits <= 15;
}

/* A short printable ASCII value may be quoted back in a message. */
static bool echoable(const char *s, size_t len)
{
    if (len == 0 || len > 24)
        return false;
    for (size_t i = 0; i < len; i++)
        if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '"')
            return false;
    return true;
}

/* ---- rows ---- */

typedef struct {
    const char *s[N_COLS];
    size_t len[N_COLS];
} row_text;

static int check_name(veche_roster_import *r, unsigned line,
                      const row_text *t, bool *ok)
{
    size_t n = t->len[COL_FULL_NAME];
    const char *code = n == 0 ? "name-empty"
                     : n > VECHE_NAME_MAX ? "name-too-long"
                     : has_control(t->s[COL_FULL_NAME], n) ? "name-control" : NULL;
    if (!code)
        return 0;
    *ok = false;
    return add_issue(r, line, code, NULL, NULL, "%s",
                     n == 0 ? "full_name is empty"
                     : n > VECHE_NAME_MAX ? "full_name is longer than 200 bytes"
                                          : "full_name contains control characters");
}

static int check_email(veche_roster_import *r, unsigned line,
                       const row_text *t, bool *ok)
{
    size_t n = t->len[COL_EMAIL];
    char email[VECHE_EMAIL_MAX + 1];
    if (n == 0) {
        *ok = false;
        return add_issue(r, line, "email-empty", NULL, NULL, "email is empty");
    }
    if (n <= VECHE_EMAIL_MAX) {
        memcpy(email, t->s[COL_EMAIL], n);
        email[n] = '\0';
        if (veche_roster_email_valid(email))
            return 0;
    }
    *ok = false;
    return add_issue(r, line, "email-invalid", NULL, NULL, "email is not a valid address");
}

static int check_role(veche_roster_import *r, unsigned line, const row_text *t,
                      veche_access_role *role, bool *ok)
{
    const char *s = t->s[COL_ROLE];
    size_t n = t->len[COL_ROLE];
    const char *expect = r->kind == VECHE_ROSTER_BODY
                             ? "chair, secretary or member"
                             : "trainer or activist";
    const char *kind = r->kind == VECHE_ROSTER_BODY ? "body" : "course";
    char name[16];
    *role = VECHE_ACCESS_NONE;
    if (n > 0 && n < sizeof name) {
        memcpy(name, s, n);
        name[n] = '\0';
        if (veche_access_role_parse(name, role) != 0)
            *role = VECHE_ACCESS_NONE;
    }
    bool fits = r->kind == VECHE_ROSTER_BODY ? veche_access_is_body_role(*role)
                                             : veche_access_is_course_role(*role);
    if (fits)
        return 0;
    *ok = false;
    if (n == 0)
        return add_issue(r, line, "role-empty", kind, NULL, "role is empty (expected %s)",
                         expect);
    if (echoable(s, n)) {
        char value[32];
        snprintf(value, sizeof value, "%.*s", (int)n, s);
        return add_issue(r, line, "role-unknown", kind, value,
                         "unknown role \"%s\" (expected %s)", value, expect);
    }
    return add_issue(r, line, "role-unknown", kind, NULL, "unknown role (expected %s)", expect);
}

static int check_voting(veche_roster_import *r, unsigned line,
                        const row_text *t, bool *voting, bool *ok)
{
    const char *s = t->s[COL_VOTING];
    size_t n = t->len[COL_VOTING];
    bool body = r->kind == VECHE_ROSTER_BODY;
    if (n == 0) {
        *voting = body;
        return 0;
    }
    if (n == 3 && strncasecmp(s, "yes", 3) == 0) {
        *voting = true;
    } else if (n == 2 && strncasecmp(s, "no", 2) == 0) {
        *voting = false;
    } else {
        *ok = false;
        return add_issue(r, line, "voting-invalid", NULL, NULL, "voting must be yes or no");
    }
    if (*voting && !body) {
        *ok = false;
        return add_issue(r, line, "voting-course", NULL, NULL,
                         "voting applies only to body rosters");
    }
    return 0;
}

static int keep_row(veche_roster_import *r, unsigned line, const row_text *t,
                    veche_access_role role, bool voting)
{
    if (r->n_rows == r->rows_cap) {
        size_t cap = r->rows_cap ? r->rows_cap * 2 : 32;
        row_slot *nr = realloc(r->rows, cap * sizeof *nr);
        if (!nr)
            return VECHE_ENOMEM;
        r->rows = nr;
        r->rows_cap = cap;
    }
    row_slot *slot = &r->rows[r->n_rows];
    memset(slot, 0, sizeof *slot);
    slot->pub.line = line;
    slot->pub.role = role;
    slot->pub.voting = voting;
    slot->pub.full_name = strndup(t->s[COL_FULL_NAME], t->len[COL_FULL_NAME]);
    slot->pub.email = strndup(t->s[COL_EMAIL], t->len[COL_EMAIL]);
    slot->pub.phone = strndup(t->s[COL_PHONE], t->len[COL_PHONE]);
    r->n_rows++;  /* counted now so that free() releases partial copies */
    if (!slot->pub.full_name || !slot->pub.email || !slot->pub.phone)
        return VECHE_ENOMEM;
    return 0;
}

static int check_row(veche_roster_import *r, const veche_csv_record *rec,
                     const int col[N_COLS], size_t n_cols)
{
    unsigned line = rec->line;
    if (rec->n_fields != n_cols) {
        char want[24], got[24];
        snprintf(want, sizeof want, "%zu", n_cols);
        snprintf(got, sizeof got, "%zu", rec->n_fields);
        return add_issue(r, line, "field-count", want, got, "expected %zu fields, found %zu",
                         n_cols, rec->n_fields);
    }
    row_text t;
    for (int c = 0; c < N_COLS; c++) {
        t.s[c] = "";
        t.len[c] = 0;
        if (col[c] >= 0)
            trim(&rec->fields[col[c]], &t.s[c], &t.len[c]);
    }
    bool ok = true, voting = false;
    veche_access_role role;
    int e;
    if ((e = check_name(r, line, &t, &ok)) != 0 ||
        (e = check_email(r, line, &t, &ok)) != 0)
        return e;
    if (t.len[COL_PHONE] > 0 && !phone_valid(t.s[COL_PHONE], t.len[COL_PHONE])) {
        ok = false;
        if ((e = add_issue(r, line, "phone-invalid", NULL, NULL,
                           "phone is not a valid number")) != 0)
            return e;
    }
    if ((e = check_role(r, line, &t, &role, &ok)) != 0 ||
        (e = check_voting(r, line, &t, &voting, &ok)) != 0)
        return e;
    return ok ? keep_row(r, line, &t, role, voting) : 0;
}

/* ---- header ---- */

static int read_header(veche_roster_import *r, const veche_csv_record *rec,
                       int col[N_COLS], bool *usable)
{
    int e;
    size_t issues_before = r->n_issues + r->issues_dropped;
    *usable = false;
    for (int c = 0; c < N_COLS; c++)
        col[c] = -1;
    for (size_t i = 0; i < rec->n_fields; i++) {
        const char *s;
        size_t n;
        trim(&rec->fields[i], &s, &n);
        int found = -1;
        for (int c = 0; c < N_COLS; c++)
            if (strlen(columns[c].name) == n &&
                strncasecmp(s, columns[c].name, n) == 0)
                found = c;
        char name[32], num[24];
        snprintf(name, sizeof name, "%.*s", (int)(n < 24 ? n : 24), s);
        snprintf(num, sizeof num, "%zu", i + 1);
        if (found < 0)
            e = echoable(s, n)
                    ? add_issue(r, rec->line, "column-unknown", name, num,
                                "unknown column \"%s\"", name)
                    : add_issue(r, rec->line, "column-unknown-n", num, NULL,
                                "unknown column %zu", i + 1);
        else if (col[found] >= 0)
            e = add_issue(r, rec->line, "column-twice", columns[found].name, NULL,
                          "column %s appears twice", columns[found].name);
        else
            e = 0, col[found] = (int)i;
        if (e != 0)
            return e;
    }
    for (int c = 0; c < N_COLS; c++)
        if (columns[c].required && col[c] < 0 &&
            (e = add_issue(r, rec->line, "column-missing", columns[c].name, NULL,
                           "missing column %s", columns[c].name)) != 0)
            return e;
    /* Rows are checked only against a header without problems. */
    *usable = r->n_issues + r->issues_dropped == issues_before;
    return 0;
}

/* ---- duplicates and ordering ---- */

static int cmp_email(const void *a, const void *b)
{
    const row_slot *x = *(row_slot *const *)a, *y = *(row_slot *const *)b;
    int c = strcasecmp(x->pub.email, y->pub.email);
    if (c != 0)
        return c;
    return x->pub.line < y->pub.line ? -1 : x->pub.line > y->pub.line;
}

static int find_duplicates(veche_roster_import *r)
{
    if (r->n_rows < 2)
        return 0;
    row_slot **by = malloc(r->n_rows * sizeof *by);
    if (!by)
        return VECHE_ENOMEM;
    for (size_t i = 0; i < r->n_rows; i++)
        by[i] = &r->rows[i];
    qsort(by, r->n_rows, sizeof *by, cmp_email);
    int e = 0;
    size_t first = 0;
    for (size_t i = 1; i < r->n_rows && e == 0; i++) {
        if (strcasecmp(by[i]->pub.email, by[first]->pub.email) != 0) {
            first = i;
            continue;
        }
        by[i]->duplicate = true;
        e = add_issue_n(r, by[i]->pub.line, "email-duplicate", by[first]->pub.line,
                        "email duplicates line %zu");
    }
    free(by);
    return e;
}

static int cmp_issue(const void *a, const void *b)
{
    const issue_slot *x = a, *y = b;
    if (x->pub.line != y->pub.line)
        return x->pub.line < y->pub.line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int finish(veche_roster_import *r)
{
    int e = find_duplicates(r);
    if (e != 0)
        return e;
    /* Drop duplicate rows: rows are those that passed every check. */
    size_t k = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        if (!r->rows[i].duplicate) {
            r->rows[k++] = r->rows[i];
            continue;
        }
        free_row(&r->rows[i]);
    }
    r->n_rows = k;
    if (r->n_issues > 1)
        qsort(r->issues, r->n_issues, sizeof *r->issues, cmp_issue);
    if (r->issues_dropped == 0)
        return 0;
    char note[80], num[24];
    snprintf(note, sizeof note, "too many problems: %zu more not shown",
             r->issues_dropped);
    snprintf(num, sizeof num, "%zu", r->issues_dropped);
    return push_issue(r, r->issues[r->n_issues - 1].pub.line, "too-many-problems", num, NULL,
                      note);
}

/* ---- the pass ---- */

/* The csv.h reasons as codes the client translates. */
static const char *csv_code(const char *reason)
{
    static const struct {
        const char *reason, *code;
    } table[] = {
        {"text after a closing quote", "text-after-quote"},
        {"quote inside an unquoted field", "quote-inside"},
        {"carriage return without line feed", "bare-cr"},
        {"quoted field not closed before the end of the file", "unclosed-quote"},
        {"NUL byte in a field", "nul"},
        {"invalid UTF-8", "bad-utf8"},
        {"too many fields", "too-many-fields"},
    };
    for (size_t i = 0; reason && i < sizeof table / sizeof table[0]; i++)
        if (strcmp(reason, table[i].reason) == 0)
            return table[i].code;
    return "other";
}

/* Whether a non-UTF-8 file reads as Windows-1251 Russian text: most of its
 * bytes above 0x7F are Cyrillic letters there (0xC0..0xFF, Ё 0xA8, ё 0xB8)
 * and at least one is. */
static bool looks_cp1251(const char *data, size_t len)
{
    size_t high = 0, letters = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c < 0x80)
            continue;
        high++;
        letters += c >= 0xC0 || c == 0xA8 || c == 0xB8;
    }
    return letters > 0 && letters * 10 >= high * 9;
}

/* The text to read: data itself when it is UTF-8 (a BOM is fine), else
 * its conversion from Windows-1251 into *converted (g_free) when it looks
 * like that, else data (each line that is not UTF-8 gets an issue). */
static const char *decode(veche_roster_import *r, const char *data, size_t *len,
                          char **converted)
{
    *converted = NULL;
    r->encoding = "utf-8";
    if (veche_csv_utf8_chars(data, *len) >= 0)
        return data;
    if (looks_cp1251(data, *len)) {
        gsize out_len = 0;
        char *u = g_convert(data, (gssize)*len, "UTF-8", "WINDOWS-1251", NULL, &out_len, NULL);
        if (u) {
            *converted = u;
            *len = out_len;
            r->encoding = "windows-1251";
            return u;
        }
    }
    return data;   /* the reader reports each line that is not UTF-8 */
}

static int validate(veche_roster_import *r, veche_csv *csv)
{
    veche_csv_record rec;
    int col[N_COLS];
    size_t n_cols = 0;
    bool have_header = false, usable = false;
    size_t data_rows = 0;
    int e;
    for (;;) {
        int got = veche_csv_next(csv, &rec);
        if (got == 0)
            break;
        if (got == VECHE_ENOMEM)
            return got;
        if (!have_header) {
            have_header = true;
            if (got == VECHE_EMALFORMED)
                return add_issue(r, rec.line, "header-malformed", csv_code(rec.error), NULL,
                                 "header: %s", rec.error);
            if (veche_csv_record_blank(&rec))
                return add_issue(r, rec.line, "header-missing", NULL, NULL,
                                 "the first line must be the header");
            if ((e = read_header(r, &rec, col, &usable)) != 0)
                return e;
            if (!usable)
                return 0;
            n_cols = rec.n_fields;
            continue;
        }
        if (got == 1 && veche_csv_record_blank(&rec))
            continue;
        if (++data_rows > VECHE_ROSTER_MAX_ROWS)
            return add_issue_n(r, rec.line, "too-many-rows", VECHE_ROSTER_MAX_ROWS,
                               "too many rows (at most %zu)");
        e = got == VECHE_EMALFORMED
                ? add_issue(r, rec.line, "csv-malformed", csv_code(rec.error), NULL, "%s",
                            rec.error)
                : check_row(r, &rec, col, n_cols);
        if (e != 0)
            return e;
    }
    if (!have_header)
        return add_issue(r, 1, "file-empty", NULL, NULL, "the file is empty");
    if (data_rows == 0)
        return add_issue(r, 1, "no-rows", NULL, NULL, "no rows after the header");
    return 0;
}

int veche_roster_import_new(const char *data, size_t len,
                            veche_roster_kind kind, veche_roster_import **out)
{
    if (!out || (!data && len > 0) ||
        (kind != VECHE_ROSTER_BODY && kind != VECHE_ROSTER_COURSE))
        return VECHE_EINVAL;
    *out = NULL;
    veche_roster_import *r = calloc(1, sizeof *r);
    if (!r)
        return VECHE_ENOMEM;
    r->kind = kind;
    char *converted = NULL;
    const char *text = decode(r, data ? data : "", &len, &converted);
    r->separator = veche_csv_sniff_separator(text, len);
    veche_csv *csv = veche_csv_new(text, len);
    int e = csv ? veche_csv_set_separator(csv, r->separator) : VECHE_ENOMEM;
    if (e == 0)
        e = validate(r, csv);
    if (e == 0)
        e = finish(r);
    veche_csv_free(csv);
    g_free(converted);
    if (e != 0) {
        veche_roster_import_free(r);
        return e;
    }
    *out = r;
    return 0;
}

void veche_roster_import_free(veche_roster_import *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_rows; i++)
        free_row(&r->rows[i]);
    for (size_t i = 0; i < r->n_issues; i++) {
        free((char *)r->issues[i].pub.message);
        free((char *)r->issues[i].pub.arg);
        free((char *)r->issues[i].pub.arg2);
    }
    free(r->rows);
    free(r->issues);
    free(r);
}

const char *veche_roster_import_encoding(const veche_roster_import *r)
{
    return r && r->encoding ? r->encoding : "utf-8";
}

char veche_roster_import_separator(const veche_roster_import *r)
{
    return r && r->separator ? r->separator : ',';
}

veche_roster_kind veche_roster_import_kind(const veche_roster_import *r)
{
    return r ? r->kind : VECHE_ROSTER_BODY;
}

bool veche_roster_import_ok(const veche_roster_import *r)
{
    return r && r->n_issues == 0 && r->n_rows > 0;
}

size_t veche_roster_import_row_count(const veche_roster_import *r)
{
    return r ? r->n_rows : 0;
}

const veche_roster_row *veche_roster_import_row(const veche_roster_import *r,
                                                size_t i)
{
    return r && i < r->n_rows ? &r->rows[i].pub : NULL;
}

size_t veche_roster_import_issue_count(const veche_roster_import *r)
{
    return r ? r->n_issues : 0;
}

const veche_roster_issue *veche_roster_import_issue(const veche_roster_import *r,
                                                    size_t i)
{
    return r && i < r->n_issues ? &r->issues[i].pub : NULL;
}

int veche_roster_import_report(const veche_roster_import *r, FILE *f)
{
    if (!r || !f)
        return VECHE_EINVAL;
    for (size_t i = 0; i < r->n_issues; i++)
        if (fprintf(f, "line %u: %s\n", r->issues[i].pub.line,
                    r->issues[i].pub.message) < 0)
            return VECHE_EIO;
    return 0;
}
