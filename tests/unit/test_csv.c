/* test_csv.c - the RFC 4180 reader and writer, UTF-8 checks, and roster
 * import validation: issues by line number, nothing kept from bad files,
 * Cyrillic names byte for byte. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csv.h"
#include "err.h"
#include "roster_import.h"

/* ---- reader ---- */

typedef struct {
    int ret;                      /* veche_csv_next's return */
    unsigned line;
    const char *fields[6];        /* NULL-terminated; unused when ret < 0 */
} rec_want;

static void expect_records(const char *data, size_t len, const rec_want *want,
                           size_t n_want, int line)
{
    veche_csv *r = veche_csv_new(data, len);
    CHECK(r != NULL);
    if (!r)
        return;
    for (size_t i = 0; i <= n_want; i++) {
        veche_csv_record rec;
        int got = veche_csv_next(r, &rec);
        int want_ret = i < n_want ? want[i].ret : 0;
        if (got != want_ret) {
            fprintf(stderr, "# line %d: record %zu returned %d, want %d\n",
                    line, i, got, want_ret);
            CHECK_EQ_INT(got, want_ret);
            break;
        }
        if (i == n_want)
            break;
        CHECK_EQ_INT(rec.line, want[i].line);
        if (got < 0) {
            CHECK(rec.error != NULL);
            continue;
        }
        CHECK(rec.error == NULL);
        size_t nf = 0;
        while (want[i].fields[nf])
            nf++;
        CHECK_EQ_INT(rec.n_fields, nf);
        for (size_t f = 0; f < nf && f < rec.n_fields; f++) {
            CHECK_EQ_INT(rec.fields[f].len, strlen(want[i].fields[f]));
            CHECK_EQ_STR(rec.fields[f].data, want[i].fields[f]);
        }
    }
    veche_csv_free(r);
}

#define EXPECT_CSV(text, ...)                                                \
    do {                                                                     \
        static const rec_want w_[] = { __VA_ARGS__ };                        \
        expect_records(text, sizeof text - 1, w_,                            \
                       sizeof w_ / sizeof w_[0], __LINE__);                  \
    } while (0)

#define BAD VECHE_EMALFORMED

TEST(plain_records)
{
    EXPECT_CSV("a,b,c\r\n1,2,3\n", { 1, 1, { "a", "b", "c" } },
               { 1, 2, { "1", "2", "3" } });
    EXPECT_CSV("x,y", { 1, 1, { "x", "y" } });
    EXPECT_CSV(",,\n", { 1, 1, { "", "", "" } });
    EXPECT_CSV("a,\n", { 1, 1, { "a", "" } });
    /* fuzz finding: a comma as the very last byte read past the input */
    EXPECT_CSV("a,", { 1, 1, { "a", "" } });
    EXPECT_CSV("x\n,", { 1, 1, { "x" } }, { 1, 2, { "", "" } });
    EXPECT_CSV("one\n\ntwo\n", { 1, 1, { "one" } }, { 1, 2, { "" } },
               { 1, 3, { "two" } });
    EXPECT_CSV(" spaced , kept \n", { 1, 1, { " spaced ", " kept " } });
}

TEST(empty_and_bom)
{
    veche_csv *r = veche_csv_new("", 0);
    veche_csv_record rec;
    CHECK(r != NULL);
    CHECK_EQ_INT(veche_csv_next(r, &rec), 0);
    CHECK_EQ_INT(veche_csv_next(r, &rec), 0);
    veche_csv_free(r);
    r = veche_csv_new(NULL, 0);
    CHECK(r != NULL);
    CHECK_EQ_INT(veche_csv_next(r, &rec), 0);
    veche_csv_free(r);
    CHECK(veche_csv_new(NULL, 1) == NULL);
    veche_csv_free(NULL);
    EXPECT_CSV("\xEF\xBB\xBF", { 0, 0, { NULL } });
    EXPECT_CSV("\xEF\xBB\xBFname\n", { 1, 1, { "name" } });
    /* A BOM later on is data (U+FEFF is valid UTF-8). */
    EXPECT_CSV("a\n\xEF\xBB\xBF" "b\n", { 1, 1, { "a" } },
               { 1, 2, { "\xEF\xBB\xBF" "b" } });
}

TEST(quoted_fields)
{
    EXPECT_CSV("\"a,b\",\"say \"\"hi\"\"\",\"\"\n",
               { 1, 1, { "a,b", "say \"hi\"", "" } });
    /* line breaks inside quotes count: records start on lines 1, 3, 5 */
    EXPECT_CSV("\"two\nlines\",x\r\n\"crlf\r\ninside\",y\nz\n",
               { 1, 1, { "two\nlines", "x" } },
               { 1, 3, { "crlf\r\ninside", "y" } }, { 1, 5, { "z" } });
    EXPECT_CSV("\"\"\"\"", { 1, 1, { "\"" } });
    EXPECT_CSV("\"end\"", { 1, 1, { "end" } });
}

TEST(malformed_records_continue)
{
    EXPECT_CSV("ok\nab\"c,d\nnext\n", { 1, 1, { "ok" } }, { BAD, 2, { NULL } },
               { 1, 3, { "next" } });
    EXPECT_CSV("\"abc\"x,y\nnext\n", { BAD, 1, { NULL } },
               { 1, 2, { "next" } });
    EXPECT_CSV("a\rb\nnext\n", { BAD, 1, { NULL } }, { 1, 2, { "next" } });
    EXPECT_CSV("a\r", { BAD, 1, { NULL } });
    /* unterminated quote: reported where it began, swallows the rest */
    EXPECT_CSV("ok\n\"open,\nmore\nlines\n", { 1, 1, { "ok" } },
               { BAD, 2, { NULL } });
}

TEST(utf8_checks)
{
    EXPECT_CSV("Иванов Иван,ok\n", { 1, 1, { "Иванов Иван", "ok" } });
    EXPECT_CSV("\xF0\x9F\x98\x80\n", { 1, 1, { "\xF0\x9F\x98\x80" } });
    EXPECT_CSV("bad \xC3\x28\nnext\n", { BAD, 1, { NULL } },
               { 1, 2, { "next" } });
    EXPECT_CSV("\"quoted \xFF\"\n", { BAD, 1, { NULL } });
    EXPECT_CSV("a,b\0c\n", { BAD, 1, { NULL } });
    static const struct {
        const char *s;
        long want;
    } rows[] = {
        { "", 0 }, { "abc", 3 }, { "Иван", 4 }, { "\xE2\x82\xAC", 1 },
        { "\xF4\x8F\xBF\xBF", 1 },        /* U+10FFFF */
        { "\xF4\x90\x80\x80", -1 },       /* past U+10FFFF */
        { "\xC0\xAF", -1 },               /* overlong '/' */
        { "\xE0\x80\xAF", -1 },           /* overlong, 3 bytes */
        { "\xED\xA0\x80", -1 },           /* surrogate U+D800 */
        { "\xD0", -1 },                   /* truncated */
        { "\x80", -1 },                   /* lone continuation */
        { "\xF8\x88\x80\x80\x80", -1 },   /* 5-byte form */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_EQ_INT(veche_csv_utf8_chars(rows[i].s, strlen(rows[i].s)),
                     rows[i].want);
}

TEST(field_limit)
{
    size_t n = VECHE_CSV_MAX_FIELDS + 1;
    char *line = malloc(2 * n + 8);
    CHECK(line != NULL);
    if (!line)
        return;
    /* exactly the limit: fine */
    size_t k = 0;
    for (size_t i = 0; i < VECHE_CSV_MAX_FIELDS; i++) {
        line[k++] = 'x';
        line[k++] = i + 1 < VECHE_CSV_MAX_FIELDS ? ',' : '\n';
    }
    memcpy(line + k, "y\n", 2);
    veche_csv *r = veche_csv_new(line, k + 2);
    veche_csv_record rec;
    CHECK_EQ_INT(veche_csv_next(r, &rec), 1);
    CHECK_EQ_INT(rec.n_fields, VECHE_CSV_MAX_FIELDS);
    CHECK_EQ_INT(veche_csv_next(r, &rec), 1);
    veche_csv_free(r);
    /* one more: a bad record, then the reader goes on */
    k = 0;
    for (size_t i = 0; i < n; i++) {
        line[k++] = 'x';
        line[k++] = i + 1 < n ? ',' : '\n';
    }
    memcpy(line + k, "y\n", 2);
    r = veche_csv_new(line, k + 2);
    CHECK_EQ_INT(veche_csv_next(r, &rec), BAD);
    CHECK_EQ_STR(rec.error, "too many fields");
    CHECK_EQ_INT(veche_csv_next(r, &rec), 1);
    CHECK_EQ_INT(rec.line, 2);
    veche_csv_free(r);
    free(line);
}

TEST(export_writer_defuses_formulas)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f != NULL);
    if (!f)
        return;
    const char *row[] = { "=HYPERLINK(\"x\")", "+1", "-2", "@A1", "\tx",
                          "Анна", "2026-11-29T12:00:00Z", "a=b", NULL };
    CHECK_EQ_INT(veche_csv_write_export_record(f, row, 9), 0);
    fclose(f);
    CHECK_EQ_STR(buf, "\"'=HYPERLINK(\"\"x\"\")\",\"'+1\",\"'-2\",\"'@A1\",\"'\tx\","
                      "Анна,2026-11-29T12:00:00Z,a=b,\r\n");
    free(buf);
}

TEST(writer_round_trip)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f != NULL);
    if (!f)
        return;
    const char *row1[] = { "plain", "a,b", "say \"hi\"", "two\nlines",
                           "Пётр Ильич", NULL };
    const char *row2[] = { "", "\r" };
    CHECK_EQ_INT(veche_csv_write_record(f, row1, 6), 0);
    CHECK_EQ_INT(veche_csv_write_record(f, row2, 2), 0);
    fclose(f);
    CHECK_EQ_STR(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\","
                      "Пётр Ильич,\r\n,\"\r\"\r\n");
    veche_csv *r = veche_csv_new(buf, len);
    veche_csv_record rec;
    CHECK_EQ_INT(veche_csv_next(r, &rec), 1);
    CHECK_EQ_INT(rec.n_fields, 6);
    for (size_t i = 0; i < 5 && rec.n_fields == 6; i++)
        CHECK_EQ_STR(rec.fields[i].data, row1[i]);
    CHECK_EQ_INT(veche_csv_next(r, &rec), 1);
    CHECK_EQ_INT(rec.line, 3);
    CHECK(rec.n_fields == 2 && strcmp(rec.fields[1].data, "\r") == 0);
    CHECK_EQ_INT(veche_csv_next(r, &rec), 0);
    veche_csv_free(r);
    free(buf);
}

/* ---- roster import ---- */

typedef struct {
    unsigned line;
    const char *message;
} issue_want;

static veche_roster_import *parse(const char *text, veche_roster_kind kind)
{
    veche_roster_import *r = NULL;
    CHECK_EQ_INT(veche_roster_import_new(text, strlen(text), kind, &r), 0);
    return r;
}

static void expect_issues(const veche_roster_import *r, const issue_want *want,
                          size_t n, int line)
{
    size_t got = veche_roster_import_issue_count(r);
    if (got != n) {
        fprintf(stderr, "# line %d: %zu issues, want %zu\n", line, got, n);
        for (size_t i = 0; i < got; i++)
            fprintf(stderr, "#   line %u: %s\n",
                    veche_roster_import_issue(r, i)->line,
                    veche_roster_import_issue(r, i)->message);
        CHECK_EQ_INT(got, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const veche_roster_issue *is = veche_roster_import_issue(r, i);
        CHECK_EQ_INT(is->line, want[i].line);
        CHECK_EQ_STR(is->message, want[i].message);
    }
    CHECK(veche_roster_import_ok(r) == (n == 0));
}

#define EXPECT_ISSUES(r, ...)                                                \
    do {                                                                     \
        static const issue_want w_[] = { __VA_ARGS__ };                      \
        expect_issues(r, w_, sizeof w_ / sizeof w_[0], __LINE__);            \
    } while (0)

/* "Иванов Иван Иванович" spelled out as bytes, so the test does not depend
 * on the compiler's or the editor's idea of the source encoding. */
static const char ivanov[] =
    "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD\xD0\xBE\xD0\xB2 "
    "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD "
    "\xD0\x98\xD0\xB2\xD0\xB0\xD0\xBD\xD0\xBE\xD0\xB2\xD0\xB8\xD1\x87";

TEST(roster_valid_cyrillic)
{
    char text[1024];
    snprintf(text, sizeof text,
             "\xEF\xBB\xBF" "full_name,email,phone,role,voting\r\n"
             "%s,ivanov@example.ru,+7 (495) 123-45-67,chair,yes\r\n"
             "\"Петрова, Анна Сергеевна\",Petrova@Example.RU,,secretary,\r\n"
             "\r\n"
             "Ёлкин Фёдор,elkin@example.ru,,member,no\r\n"
             "  Сидоров Пётр  , sidorov@xn--80ak6aa92e.xn--p1ai ,,Member,\r\n",
             ivanov);
    veche_roster_import *r = parse(text, VECHE_ROSTER_BODY);
    if (!r)
        return;
    CHECK(veche_roster_import_ok(r));
    CHECK_EQ_INT(veche_roster_import_issue_count(r), 0);
    CHECK_EQ_INT(veche_roster_import_row_count(r), 4);
    const veche_roster_row *row = veche_roster_import_row(r, 0);
    CHECK(row && strlen(row->full_name) == sizeof ivanov - 1 &&
          memcmp(row->full_name, ivanov, sizeof ivanov) == 0);
    CHECK_EQ_STR(row->email, "ivanov@example.ru");
    CHECK_EQ_STR(row->phone, "+7 (495) 123-45-67");
    CHECK_EQ_INT(row->role, VECHE_ACCESS_CHAIR);
    CHECK(row->voting);
    CHECK_EQ_INT(row->line, 2);
    row = veche_roster_import_row(r, 1);
    CHECK_EQ_STR(row->full_name, "Петрова, Анна Сергеевна");
    CHECK_EQ_STR(row->email, "Petrova@Example.RU");  /* kept as written */
    CHECK_EQ_STR(row->phone, "");
    CHECK_EQ_INT(row->role, VECHE_ACCESS_SECRETARY);
    CHECK(row->voting);  /* empty: body roles vote */
    row = veche_roster_import_row(r, 2);
    CHECK_EQ_STR(row->full_name, "Ёлкин Фёдор");  /* Ё stays Ё */
    CHECK(!row->voting);
    CHECK_EQ_INT(row->line, 5);  /* the blank line 4 was skipped */
    row = veche_roster_import_row(r, 3);
    CHECK_EQ_STR(row->full_name, "Сидоров Пётр");  /* ends trimmed */
    CHECK_EQ_STR(row->email, "sidorov@xn--80ak6aa92e.xn--p1ai");
    CHECK_EQ_INT(row->role, VECHE_ACCESS_MEMBER);
    CHECK(veche_roster_import_row(r, 4) == NULL);
    veche_roster_import_free(r);
}

TEST(roster_columns_any_order)
{
    veche_roster_import *r = parse("Role,EMAIL,Full_Name\n"
                                   "member,a@b.org,Анна\n", VECHE_ROSTER_BODY);
    if (!r)
        return;
    CHECK(veche_roster_import_ok(r));
    const veche_roster_row *row = veche_roster_import_row(r, 0);
    CHECK(row && strcmp(row->full_name, "Анна") == 0 &&
          strcmp(row->email, "a@b.org") == 0 && row->voting);
    veche_roster_import_free(r);
}

TEST(roster_bad_rows_reported_by_line)
{
    const char *text =
        "full_name,email,phone,role,voting\n"              /* 1 */
        "Иванов Иван,ivanov@example.ru,,chair,yes\n"       /* 2 ok */
        ",empty@example.ru,,member,\n"                     /* 3 */
        "Петров Пётр,not-an-email,,member,\n"              /* 4 */
        "Сидоров,sidorov@example.ru,,chairman,\n"          /* 5 */
        "Двойник,IVANOV@example.ru,,member,\n"             /* 6 */
        "Мало полей,few@example.ru,member\n"               /* 7 */
        "Плохой \xD0 байт,utf@example.ru,,member,\n"       /* 8 */
        "\"Многострочное\n"                                /* 9 */
        "имя\",multi@example.ru,,member,yes\n"             /* 10 */
        "Голос,vote@example.ru,,member,maybe\n"            /* 11 */
        "Телефон,phone@example.ru,12ab34,member,\n"        /* 12 */
        "Хорошая Анна,anna@example.ru,,member,no\n"        /* 13 ok */
        "Сломанная \"кавычка,q@example.ru,,member,\n"      /* 14 */
        ",,,,\n";                                          /* 15 */
    veche_roster_import *r = parse(text, VECHE_ROSTER_BODY);
    if (!r)
        return;
    EXPECT_ISSUES(r,
        { 3, "full_name is empty" },
        { 4, "email is not a valid address" },
        { 5, "unknown role \"chairman\" (expected chair, secretary or member)" },
        { 6, "email duplicates line 2" },
        { 7, "expected 5 fields, found 3" },
        { 8, "invalid UTF-8" },
        { 9, "full_name contains control characters" },
        { 11, "voting must be yes or no" },
        { 12, "phone is not a valid number" },
        { 14, "quote inside an unquoted field" },
        { 15, "full_name is empty" },
        { 15, "email is empty" },
        { 15, "role is empty (expected chair, secretary or member)" });
    CHECK(!veche_roster_import_ok(r));
    /* The rows that passed on their own are there, but ok is false: the
     * store refuses the whole file. */
    CHECK_EQ_INT(veche_roster_import_row_count(r), 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK_EQ_INT(veche_roster_import_report(r, f), 0);
    fclose(f);
    CHECK(strncmp(buf, "line 3: full_name is empty\nline 4: email is not",
                  47) == 0);
    free(buf);
    veche_roster_import_free(r);
}

TEST(roster_header_problems)
{
    veche_roster_import *r = parse("name,email,role\nA,a@b.org,member\n",
                                   VECHE_ROSTER_BODY);
    if (r) {
        EXPECT_ISSUES(r, { 1, "unknown column \"name\"" },
                      { 1, "missing column full_name" });
        CHECK_EQ_INT(veche_roster_import_row_count(r), 0);
    }
    veche_roster_import_free(r);
    r = parse("full_name,email,role,email\n", VECHE_ROSTER_BODY);
    if (r)
        EXPECT_ISSUES(r, { 1, "column email appears twice" });
    veche_roster_import_free(r);
    r = parse("full_name,email,role\n", VECHE_ROSTER_BODY);
    if (r)
        EXPECT_ISSUES(r, { 1, "no rows after the header" });
    veche_roster_import_free(r);
    r = parse("", VECHE_ROSTER_BODY);
    if (r)
        EXPECT_ISSUES(r, { 1, "the file is empty" });
    veche_roster_import_free(r);
    r = parse("\nfull_name,email,role\n", VECHE_ROSTER_BODY);
    if (r)
        EXPECT_ISSUES(r, { 1, "the first line must be the header" });
    veche_roster_import_free(r);
    r = parse("full_name,\"email\n", VECHE_ROSTER_BODY);
    if (r)
        EXPECT_ISSUES(r, { 1, "header: quoted field not closed before the "
                              "end of the file" });
    veche_roster_import_free(r);
}

TEST(roster_course)
{
    veche_roster_import *r = parse("full_name,email,role,voting\n"
                                   "Тренер,t@example.org,trainer,\n"
                                   "Активист,a@example.org,activist,no\n",
                                   VECHE_ROSTER_COURSE);
    if (r) {
        CHECK(veche_roster_import_ok(r));
        CHECK_EQ_INT(veche_roster_import_kind(r), VECHE_ROSTER_COURSE);
        CHECK(!veche_roster_import_row(r, 0)->voting);
        CHECK_EQ_INT(veche_roster_import_row(r, 1)->role, VECHE_ACCESS_ACTIVIST);
    }
    veche_roster_import_free(r);
    r = parse("full_name,email,role,voting\n"
              "Член,m@example.org,member,\n"
              "Активист,a@example.org,activist,yes\n", VECHE_ROSTER_COURSE);
    if (r)
        EXPECT_ISSUES(r,
            { 2, "unknown role \"member\" (expected trainer or activist)" },
            { 3, "voting applies only to body rosters" });
    veche_roster_import_free(r);
}

TEST(roster_too_many_issues)
{
    size_t n = 1500;
    char *text = malloc(32 + n * 24);
    CHECK(text != NULL);
    if (!text)
        return;
    size_t k = (size_t)sprintf(text, "full_name,email,role\n");
    for (size_t i = 0; i < n; i++)
        k += (size_t)sprintf(text + k, "X,bad%zu,member\n", i);
    veche_roster_import *r = NULL;
    CHECK_EQ_INT(veche_roster_import_new(text, k, VECHE_ROSTER_BODY, &r), 0);
    if (r) {
        size_t c = veche_roster_import_issue_count(r);
        CHECK_EQ_INT(c, VECHE_ROSTER_MAX_ISSUES);
        const veche_roster_issue *last = veche_roster_import_issue(r, c - 1);
        CHECK(last && strstr(last->message, "501 more not shown") != NULL);
        CHECK_EQ_INT(veche_roster_import_issue(r, 0)->line, 2);
        CHECK(!veche_roster_import_ok(r));
    }
    veche_roster_import_free(r);
    free(text);
}

TEST(email_syntax)
{
    static const struct {
        const char *email;
        bool ok;
    } rows[] = {
        { "a@b.org", true }, { "first.last+tag@sub.example.com", true },
        { "o'brien@example.ie", true }, { "x@xn--p1ai.xn--p1ai", true },
        { "", false }, { "a@b", false }, { "@b.org", false },
        { "a@", false }, { "a@@b.org", false }, { "a@b@c.org", false },
        { ".a@b.org", false }, { "a.@b.org", false }, { "a..b@b.org", false },
        { "a@-b.org", false }, { "a@b-.org", false }, { "a@b..org", false },
        { "a@.b.org", false }, { "a@b.org.", false }, { "a b@c.org", false },
        { "a@b_c.org", false }, { "иван@пример.рф", false },
        { "\"quoted\"@b.org", false },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (veche_roster_email_valid(rows[i].email) != rows[i].ok)
            fprintf(stderr, "# %s\n", rows[i].email);
        CHECK(veche_roster_email_valid(rows[i].email) == rows[i].ok);
    }
    /* length limits: local part 64, label 63, total 254 */
    char e[300];
    memset(e, 'a', 65);
    strcpy(e + 65, "@b.org");
    CHECK(!veche_roster_email_valid(e));
    strcpy(e + 64, "@b.org");
    CHECK(veche_roster_email_valid(e));
    strcpy(e, "a@");
    memset(e + 2, 'b', 64);
    strcpy(e + 66, ".org");
    CHECK(!veche_roster_email_valid(e));
    CHECK(!veche_roster_email_valid(NULL));
}

TEST(roster_bad_arguments)
{
    veche_roster_import *r = NULL;
    CHECK_EQ_INT(veche_roster_import_new(NULL, 3, VECHE_ROSTER_BODY, &r),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_roster_import_new("x", 1, (veche_roster_kind)9, &r),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_roster_import_new("x", 1, VECHE_ROSTER_BODY, NULL),
                 VECHE_EINVAL);
    veche_roster_import_free(NULL);
    CHECK(!veche_roster_import_ok(NULL));
}


/* Excel where the decimal mark is a comma saves ';' between fields. */
TEST(semicolon_reader_and_writer)
{
    static const char text[] = "a;\"b;c\";d,e\r\n1;2;3\r\n";
    CHECK(veche_csv_sniff_separator(text, sizeof text - 1) == ';');
    CHECK(veche_csv_sniff_separator("a,b;c,d\n", 8) == ',');
    CHECK(veche_csv_sniff_separator("\xEF\xBB\xBF" "\"x;y\",z\n", 10) == ',');
    veche_csv *r = veche_csv_new(text, sizeof text - 1);
    CHECK_EQ_INT(veche_csv_set_separator(r, ';'), 0);
    CHECK_EQ_INT(veche_csv_set_separator(r, '\t'), VECHE_EINVAL);
    veche_csv_record rec;
    CHECK_EQ_INT(veche_csv_next(r, &rec), 1);
    CHECK_EQ_INT(rec.n_fields, 3);
    CHECK_EQ_STR(rec.fields[1].data, "b;c");
    CHECK_EQ_STR(rec.fields[2].data, "d,e");
    CHECK_EQ_INT(veche_csv_next(r, &rec), 1);
    CHECK_EQ_INT(rec.n_fields, 3);
    veche_csv_free(r);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char *fields[] = {"x;y", "a,b", "=1"};
    CHECK_EQ_INT(veche_csv_write_export_record_sep(f, fields, 3, ';'), 0);
    CHECK_EQ_INT(veche_csv_write_export_record_sep(f, fields, 3, '|'), VECHE_EINVAL);
    fclose(f);
    CHECK_EQ_STR(buf, "\"x;y\";a,b;\"'=1\"\r\n");
    free(buf);
}

/* Russian Excel: ';', a BOM, and Windows-1251 from "CSV (semicolon)". */
TEST(roster_semicolon_bom_cp1251)
{
    veche_roster_import *r = parse("\xEF\xBB\xBF" "full_name;email;role;voting\r\n"
                                   "Иванов, Иван;ivanov@example.org;chair;yes\r\n"
                                   "Петрова Анна;petrova@example.org;member;no\r\n",
                                   VECHE_ROSTER_BODY);
    EXPECT_ISSUES(r);
    CHECK_EQ_INT(veche_roster_import_row_count(r), 2);
    CHECK_EQ_STR(veche_roster_import_row(r, 0)->full_name, "Иванов, Иван");
    CHECK(veche_roster_import_separator(r) == ';');
    CHECK_EQ_STR(veche_roster_import_encoding(r), "utf-8");
    veche_roster_import_free(r);

    /* "Петров Пётр" in Windows-1251 (П=CF е=E5 т=F2 р=F0 о=EE в=E2 ё=B8) */
    r = parse("full_name;email;role\r\n"
              "\xCF\xE5\xF2\xF0\xEE\xE2 \xCF\xB8\xF2\xF0;petrov@example.org;member\r\n",
              VECHE_ROSTER_BODY);
    EXPECT_ISSUES(r);
    CHECK_EQ_STR(veche_roster_import_encoding(r), "windows-1251");
    CHECK_EQ_STR(veche_roster_import_row(r, 0)->full_name, "Петров Пётр");
    veche_roster_import_free(r);

    /* Not UTF-8 and not Cyrillic in Windows-1251: each bad line is reported. */
    r = parse("full_name;email;role\r\nA\x80\x81\x82;a@example.org;member\r\n",
              VECHE_ROSTER_BODY);
    EXPECT_ISSUES(r, {2, "invalid UTF-8"});
    CHECK_EQ_STR(veche_roster_import_issue(r, 0)->code, "csv-malformed");
    CHECK_EQ_STR(veche_roster_import_issue(r, 0)->arg, "bad-utf8");
    veche_roster_import_free(r);
}

/* Each issue carries a code and its arguments for the client to translate. */
TEST(roster_issue_codes)
{
    veche_roster_import *r = parse("full_name,email,role,colour\r\n", VECHE_ROSTER_BODY);
    CHECK_EQ_INT(veche_roster_import_issue_count(r), 1);
    const veche_roster_issue *is = veche_roster_import_issue(r, 0);
    CHECK_EQ_STR(is->code, "column-unknown");
    CHECK_EQ_STR(is->arg, "colour");
    CHECK_EQ_STR(is->arg2, "4");
    veche_roster_import_free(r);

    r = parse("full_name,email,role\r\nA,a@example.org,member\r\nB,b@example.org\r\n"
              "C,a@example.org,member\r\nD,d@example.org,boss\r\n", VECHE_ROSTER_BODY);
    CHECK_EQ_INT(veche_roster_import_issue_count(r), 3);
    static const char *const want[][3] = {
        {"field-count", "3", "2"}, {"email-duplicate", "2", ""},
        {"role-unknown", "body", "boss"},
    };
    for (size_t i = 0; i < 3 && i < veche_roster_import_issue_count(r); i++) {
        is = veche_roster_import_issue(r, i);
        CHECK_EQ_STR(is->code, want[i][0]);
        CHECK_EQ_STR(is->arg, want[i][1]);
        CHECK_EQ_STR(is->arg2, want[i][2]);
    }
    veche_roster_import_free(r);
}

int main(void)
{
    RUN(plain_records);
    RUN(empty_and_bom);
    RUN(quoted_fields);
    RUN(malformed_records_continue);
    RUN(utf8_checks);
    RUN(field_limit);
    RUN(writer_round_trip);
    RUN(export_writer_defuses_formulas);
    RUN(roster_valid_cyrillic);
    RUN(roster_columns_any_order);
    RUN(roster_bad_rows_reported_by_line);
    RUN(roster_header_problems);
    RUN(roster_course);
    RUN(roster_too_many_issues);
    RUN(email_syntax);
    RUN(roster_bad_arguments);
    RUN(semicolon_reader_and_writer);
    RUN(roster_semicolon_bom_cp1251);
    RUN(roster_issue_codes);
    return check_finish();
}
