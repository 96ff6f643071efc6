/* csv.c - RFC 4180 reader and writer.  See csv.h.
 *
 * The reader is a loop over fields: a field is quoted (up to the closing
 * quote, "" unescaped) or plain (up to a comma or line end), then an
 * optional tail up to the separator that is an error for a quoted field.
 * Unescaped bytes go to the scratch buffer, each field followed by a NUL;
 * a record never needs more scratch than the input has bytes plus one.
 */
#include "csv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct veche_csv {
    const char *data;
    size_t len, pos;
    unsigned line;
    char *scratch;              /* len + 1 bytes */
    veche_csv_field *fields;
    size_t fields_cap;
    char sep;                   /* ',' unless veche_csv_set_separator */
};

veche_csv *veche_csv_new(const char *data, size_t len)
{
    if (!data && len > 0)
        return NULL;
    veche_csv *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->data = data;
    r->len = len;
    r->line = 1;
    r->sep = ',';
    r->scratch = malloc(len + 1);
    if (!r->scratch) {
        free(r);
        return NULL;
    }
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    return r;
}

int veche_csv_set_separator(veche_csv *r, char sep)
{
    if (!r || (sep != ',' && sep != ';'))
        return VECHE_EINVAL;
    r->sep = sep;
    return 0;
}

char veche_csv_sniff_separator(const char *data, size_t len)
{
    size_t commas = 0, semis = 0, i = 0;
    bool quoted = false;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (; i < len; i++) {
        char c = data[i];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && (c == '\n' || c == '\r'))
            break;
        else if (!quoted && c == ',')
            commas++;
        else if (!quoted && c == ';')
            semis++;
    }
    return semis > commas ? ';' : ',';
}

void veche_csv_free(veche_csv *r)
{
    if (!r)
        return;
    free(r->scratch);
    free(r->fields);
    free(r);
}

long veche_csv_utf8_chars(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    long chars = 0;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            chars++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return -1;
        }
        if (len - i < n)
            return -1;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return -1;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        i += n;
        chars++;
    }
    return chars;
}

/* Per-record parsing state. */
typedef struct {
    veche_csv *r;
    char *out;                  /* next free scratch byte */
    size_t n_fields;
    const char *error;          /* the first problem in this record */
} rec_state;

static void flag(rec_state *st, const char *why)
{
    if (!st->error)
        st->error = why;
}

static int at_line_end(const veche_csv *r)
{
    return r->pos >= r->len || r->data[r->pos] == '\n' ||
           (r->data[r->pos] == '\r' && r->pos + 1 < r->len &&
            r->data[r->pos + 1] == '\n');
}

/* Copy bytes up to a comma or the end of the line.  Quotes and bare CRs
 * are kept but make the record bad; after a closing quote every byte is
 * an error (after_quote). */
static void plain_run(rec_state *st, int after_quote)
{
    veche_csv *r = st->r;
    while (!at_line_end(r) && r->data[r->pos] != r->sep) {
        char c = r->data[r->pos++];
        if (after_quote)
            flag(st, "text after a closing quote");
        else if (c == '"')
            flag(st, "quote inside an unquoted field");
        else if (c == '\r')
            flag(st, "carriage return without line feed");
        *st->out++ = c;
    }
}

/* Copy a quoted field's content; r->pos is past the opening quote. */
static void quoted_run(rec_state *st)
{
    veche_csv *r = st->r;
    for (;;) {
        if (r->pos >= r->len) {
            flag(st, "quoted field not closed before the end of the file");
            return;
        }
        char c = r->data[r->pos++];
        if (c == '"') {
            if (r->pos < r->len && r->data[r->pos] == '"') {
                r->pos++;
                *st->out++ = '"';
                continue;
            }
            return;
        }
        if (c == '\n')
            r->line++;
        *st->out++ = c;
    }
}

static int add_field(rec_state *st, char *start)
{
    veche_csv *r = st->r;
    size_t len = (size_t)(st->out - start);
    *st->out++ = '\0';
    if (memchr(start, '\0', len))
        flag(st, "NUL byte in a field");
    else if (veche_csv_utf8_chars(start, len) < 0)
        flag(st, "invalid UTF-8");
    if (st->n_fields == VECHE_CSV_MAX_FIELDS) {
        flag(st, "too many fields");
        return 0;
    }
    if (st->n_fields == r->fields_cap) {
        size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;
        veche_csv_field *nf = realloc(r->fields, cap * sizeof *nf);
        if (!nf)
            return VECHE_ENOMEM;
        r->fields = nf;
        r->fields_cap = cap;
    }
    r->fields[st->n_fields++] = (veche_csv_field){ start, len };
    return 0;
}

int veche_csv_next(veche_csv *r, veche_csv_record *rec)
{
    if (!r || !rec)
        return VECHE_EINVAL;
    memset(rec, 0, sizeof *rec);
    if (r->pos >= r->len)
        return 0;
    rec->line = r->line;
    rec_state st = { r, r->scratch, 0, NULL };
    for (;;) {
        char *start = st.out;
        /* A comma may have been the last byte: then an empty field. */
        if (r->pos < r->len && r->data[r->pos] == '"') {
            r->pos++;
            quoted_run(&st);
            plain_run(&st, 1);
        } else {
            plain_run(&st, 0);
        }
        /* Over VECHE_CSV_MAX_FIELDS the bytes are still consumed: reuse. */
        if (st.n_fields == VECHE_CSV_MAX_FIELDS)
            st.out = start;
        int e = add_field(&st, start);
        if (e != 0)
            return e;
        if (r->pos < r->len && r->data[r->pos] == r->sep) {
            r->pos++;
            continue;
        }
        break;
    }
    if (r->pos < r->len) {  /* at LF or CRLF */
        r->pos += r->data[r->pos] == '\r' ? 2 : 1;
        r->line++;
    }
    rec->n_fields = st.n_fields;
    rec->fields = r->fields;
    rec->error = st.error;
    return st.error ? VECHE_EMALFORMED : 1;
}

bool veche_csv_record_blank(const veche_csv_record *rec)
{
    return rec && rec->n_fields == 1 && rec->fields[0].len == 0;
}

/* Quote a field holding a separator, a quote or a line break, and one that
 * starts with a byte order mark (a reader would skip it at file start). */
static int needs_quotes(const char *s, char sep)
{
    return strchr(s, sep) != NULL || strpbrk(s, "\"\r\n") != NULL ||
           strncmp(s, "\xEF\xBB\xBF", 3) == 0;
}

/* Whether a spreadsheet would take the field for a formula (OWASP's
 * "CSV injection" list). */
static int looks_like_formula(const char *s)
{
    return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

static int write_field(FILE *f, const char *s, int guard, char sep)
{
    if (!s)
        return 0;
    if (guard && looks_like_formula(s)) {
        /* quoted, so the apostrophe and a leading TAB or CR survive */
        if (fputs("\"'", f) < 0)
            return VECHE_EIO;
        for (; *s; s++) {
            if (*s == '"' && fputc('"', f) == EOF)
                return VECHE_EIO;
            if (fputc(*s, f) == EOF)
                return VECHE_EIO;
        }
        return fputc('"', f) == EOF ? VECHE_EIO : 0;
    }
    if (!needs_quotes(s, sep))
        return fputs(s, f) < 0 ? VECHE_EIO : 0;
    if (fputc('"', f) == EOF)
        return VECHE_EIO;
    for (; *s; s++) {
        if (*s == '"' && fputc('"', f) == EOF)
            return VECHE_EIO;
        if (fputc(*s, f) == EOF)
            return VECHE_EIO;
    }
    return fputc('"', f) == EOF ? VECHE_EIO : 0;
}

static int write_record(FILE *f, const char *const *fields, size_t n, int guard, char sep)
{
    if (!f || (!fields && n > 0) || (sep != ',' && sep != ';'))
        return VECHE_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && fputc(sep, f) == EOF)
            return VECHE_EIO;
        int r = write_field(f, fields[i], guard, sep);
        if (r != 0)
            return r;
    }
    return fputs("\r\n", f) < 0 ? VECHE_EIO : 0;
}

int veche_csv_write_record(FILE *f, const char *const *fields, size_t n)
{
    return write_record(f, fields, n, 0, ',');
}

int veche_csv_write_export_record(FILE *f, const char *const *fields, size_t n)
{
    return write_record(f, fields, n, 1, ',');
}

int veche_csv_write_export_record_sep(FILE *f, const char *const *fields, size_t n, char sep)
{
    return write_record(f, fields, n, 1, sep);
}
