/* fuzz_csv.c - libFuzzer target for the CSV reader and roster validation.
 * Aborts when a field is not NUL-terminated at its length or not valid
 * UTF-8, when line numbers go backwards, when a record written back by the
 * CSV writer does not read back the same, or when a roster result breaks
 * its contract (issues in line order, ok only without issues, every row's
 * e-mail valid and role fitting the roster kind). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "err.h"
#include "roster_import.h"

/* Write rec with the CSV writer and read it back: the same fields.  sep
 * ',': the plain writer and reader; ';': the export writer and the ';'
 * reader (Russian Excel's files). */
static void round_trip(const veche_csv_record *rec, char sep)
{
    const char *fields[VECHE_CSV_MAX_FIELDS];
    for (size_t i = 0; i < rec->n_fields; i++)
        fields[i] = rec->fields[i].data;
    /* the export writer defuses formulas: only fields it keeps as they are */
    if (sep == ';')
        for (size_t i = 0; i < rec->n_fields; i++)
            if (fields[i][0] && strchr("=+-@\t\r", fields[i][0]))
                return;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    int w = sep == ';' ? veche_csv_write_export_record_sep(f, fields, rec->n_fields, ';')
                       : veche_csv_write_record(f, fields, rec->n_fields);
    if (w != 0)
        abort();
    fclose(f);
    veche_csv *r = veche_csv_new(buf, len);
    veche_csv_record back;
    if (!r || (sep == ';' && veche_csv_set_separator(r, ';') != 0) ||
        veche_csv_next(r, &back) != 1 || back.n_fields != rec->n_fields)
        abort();
    for (size_t i = 0; i < back.n_fields; i++)
        if (back.fields[i].len != rec->fields[i].len ||
            memcmp(back.fields[i].data, rec->fields[i].data, back.fields[i].len) != 0)
            abort();
    if (sep == ',' && veche_csv_next(r, &back) != 0)
        abort();
    veche_csv_free(r);
    free(buf);
}

static void check_reader(const char *data, size_t size)
{
    char sep = veche_csv_sniff_separator(data, size);
    if (sep != ',' && sep != ';')
        abort();
    veche_csv *r = veche_csv_new(data, size);
    if (!r)
        return;
    unsigned last_line = 0;
    /* Every record consumes at least one byte: size + 1 calls suffice. */
    for (size_t calls = 0;; calls++) {
        if (calls > size + 1)
            abort();
        veche_csv_record rec;
        int got = veche_csv_next(r, &rec);
        if (got == 0 || got == VECHE_ENOMEM)
            break;
        if (rec.line < 1 || rec.line < last_line)
            abort();
        last_line = rec.line;
        if (got == VECHE_EMALFORMED) {
            if (!rec.error)
                abort();
            continue;
        }
        if (got != 1 || rec.error || rec.n_fields == 0 ||
            rec.n_fields > VECHE_CSV_MAX_FIELDS)
            abort();
        for (size_t i = 0; i < rec.n_fields; i++) {
            const veche_csv_field *fl = &rec.fields[i];
            if (fl->data[fl->len] != '\0' || strlen(fl->data) != fl->len ||
                veche_csv_utf8_chars(fl->data, fl->len) < 0)
                abort();
        }
        round_trip(&rec, ',');
        round_trip(&rec, ';');
    }
    veche_csv_free(r);
}

static void check_roster(const char *data, size_t size, veche_roster_kind kind)
{
    veche_roster_import *r = NULL;
    if (veche_roster_import_new(data, size, kind, &r) != 0)
        return;
    size_t n_issues = veche_roster_import_issue_count(r);
    if (n_issues > VECHE_ROSTER_MAX_ISSUES ||
        veche_roster_import_ok(r) != (n_issues == 0))
        abort();
    unsigned last = 0;
    for (size_t i = 0; i < n_issues; i++) {
        const veche_roster_issue *is = veche_roster_import_issue(r, i);
        if (!is || is->line < 1 || is->line < last || !is->message ||
            !is->message[0] || !is->code || !is->code[0] || !is->arg || !is->arg2)
            abort();
        last = is->line;
    }
    for (size_t i = 0; i < veche_roster_import_row_count(r); i++) {
        const veche_roster_row *row = veche_roster_import_row(r, i);
        bool fits = kind == VECHE_ROSTER_BODY
                        ? veche_access_is_body_role(row->role)
                        : veche_access_is_course_role(row->role) &&
                              !row->voting;
        /* converted from Windows-1251 or not: the kept text is UTF-8 */
        if (veche_csv_utf8_chars(row->full_name, strlen(row->full_name)) < 0)
            abort();
        if (!row->full_name[0] || strlen(row->full_name) > VECHE_NAME_MAX ||
            !veche_roster_email_valid(row->email) || !fits || row->line < 2)
            abort();
    }
    veche_roster_import_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    check_reader(text, size);
    check_roster(text, size, VECHE_ROSTER_BODY);
    check_roster(text, size, VECHE_ROSTER_COURSE);
    return 0;
}
