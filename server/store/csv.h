/* csv.h - RFC 4180 CSV: a reader over a buffer, and a record writer.
 *
 * Reader: comma-separated fields (or semicolon: veche_csv_set_separator); a field in double quotes may hold commas,
 * line breaks and "" (one quote); records end with CRLF or LF, the last
 * one may lack it.  A UTF-8 byte order mark at the start is skipped.  Every
 * field must be valid UTF-8 (no overlong forms, surrogates or code points
 * past U+10FFFF) without NUL bytes.
 *
 * Errors are per record: a quote inside an unquoted field, text after a
 * closing quote, a bare CR, bad UTF-8, a NUL or too many fields make
 * veche_csv_next() return VECHE_EMALFORMED with the record's line and a
 * reason, and the reader continues with the next record, so a caller can
 * report every bad line.  An unterminated quoted field runs to the end of
 * the input and is reported at the line where it began.
 *
 * A blank line is a record of one empty field (as RFC 4180 says); callers
 * that ignore blank lines test veche_csv_record_blank().
 *
 * The reader borrows the input (keep it alive until veche_csv_free) and owns
 * one scratch buffer the size of the input, allocated in veche_csv_new;
 * field pointers stay valid until the next veche_csv_next().  No I/O.
 * The writer writes to a FILE and quotes only when needed (a separator,
 * quote or line break in the field, or a leading byte order mark).
 */
#ifndef VECHE_CSV_H
#define VECHE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define VECHE_CSV_MAX_FIELDS 256

typedef struct {
    const char *data;           /* NUL-terminated, unescaped */
    size_t len;
} veche_csv_field;

typedef struct {
    unsigned line;              /* physical line where the record starts (1-based) */
    size_t n_fields;
    const veche_csv_field *fields;
    const char *error;          /* static reason after VECHE_EMALFORMED, else NULL */
} veche_csv_record;

typedef struct veche_csv veche_csv;

/* NULL on OOM or a NULL data with len > 0. */
veche_csv *veche_csv_new(const char *data, size_t len);
void veche_csv_free(veche_csv *r);  /* accepts NULL */

/* Read fields separated by sep (',' or ';', the separator Excel uses where
 * the decimal mark is a comma) from now on.  0 or VECHE_EINVAL. */
int veche_csv_set_separator(veche_csv *r, char sep);

/* The separator of a file from its first line: ';' when that line (outside
 * quotes, after a byte order mark) holds more semicolons than commas, else
 * ','. */
char veche_csv_sniff_separator(const char *data, size_t len);

/* Read the next record into *rec.  Returns 1 (a record), 0 (end of input),
 * VECHE_EMALFORMED (a bad record: rec->line and rec->error say where and
 * why, the fields are what could be read; call again for the next record)
 * or VECHE_ENOMEM. */
int veche_csv_next(veche_csv *r, veche_csv_record *rec);

/* True for a record read from an empty line. */
bool veche_csv_record_blank(const veche_csv_record *rec);

/* Number of code points in s[0..len) if it is valid UTF-8 (strict, as
 * above; NUL counts as a character here), else -1. */
long veche_csv_utf8_chars(const char *s, size_t len);

/* Write one record (n fields; a NULL field is written empty) ending in
 * CRLF.  Fields are quoted when they hold a comma, quote, CR or LF, or
 * start with a byte order mark.
 * Returns 0 or VECHE_EIO. */
int veche_csv_write_record(FILE *f, const char *const *fields, size_t n);

/* The same for files people open in a spreadsheet (attendance exports): a
 * field that starts with '=', '+', '-', '@', TAB or CR, which a spreadsheet
 * would run as a formula, is written with a leading apostrophe ('=SUM(1)
 * shows as text).  Not a round trip for such fields, by design.  Returns 0
 * or VECHE_EIO. */
int veche_csv_write_export_record(FILE *f, const char *const *fields, size_t n);
/* The same with sep (',' or ';') between fields; a field holding either
 * separator is quoted.  0, VECHE_EINVAL or VECHE_EIO. */
int veche_csv_write_export_record_sep(FILE *f, const char *const *fields, size_t n, char sep);

#endif
