/* test_range.c - the HTTP Range header (server/api/range.c): rows of
 * header, file size and the expected answer. */
#include <string.h>

#include "check.h"
#include "range.h"

TEST(range_rows)
{
    static const struct {
        const char *header;
        uint64_t size;
        veche_range_result want;
        uint64_t off, len;
    } rows[] = {
        {NULL, 100, VECHE_RANGE_NONE, 0, 0},
        {"", 100, VECHE_RANGE_NONE, 0, 0},
        {"bytes=0-99", 100, VECHE_RANGE_PARTIAL, 0, 100},
        {"bytes=0-0", 100, VECHE_RANGE_PARTIAL, 0, 1},
        {"bytes=10-19", 100, VECHE_RANGE_PARTIAL, 10, 10},
        {"bytes=90-", 100, VECHE_RANGE_PARTIAL, 90, 10},
        {"bytes=90-500", 100, VECHE_RANGE_PARTIAL, 90, 10},      /* end cut to the file */
        {"bytes=-10", 100, VECHE_RANGE_PARTIAL, 90, 10},
        {"bytes=-500", 100, VECHE_RANGE_PARTIAL, 0, 100},
        {" bytes = 5-6 ", 100, VECHE_RANGE_PARTIAL, 5, 2},
        {"bytes=5 - 6", 100, VECHE_RANGE_NONE, 0, 0},           /* no spaces inside */
        {"bytes=100-", 100, VECHE_RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=100-200", 100, VECHE_RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=-0", 100, VECHE_RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=0-", 0, VECHE_RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=-5", 0, VECHE_RANGE_UNSATISFIABLE, 0, 0},
        {"bytes=20-10", 100, VECHE_RANGE_NONE, 0, 0},           /* invalid: ignored */
        {"bytes=0-1,5-9", 100, VECHE_RANGE_NONE, 0, 0},         /* several: whole file */
        {"bytes=-", 100, VECHE_RANGE_NONE, 0, 0},
        {"bytes=a-b", 100, VECHE_RANGE_NONE, 0, 0},
        {"bytes 0-1", 100, VECHE_RANGE_NONE, 0, 0},
        {"items=0-1", 100, VECHE_RANGE_NONE, 0, 0},
        {"bytes=+1-2", 100, VECHE_RANGE_NONE, 0, 0},
        {"bytes=1234567890123456789-", 100, VECHE_RANGE_NONE, 0, 0}, /* too long: ignored */
        {"bytes=999999999999999999-", UINT64_MAX, VECHE_RANGE_PARTIAL, 999999999999999999ULL,
         UINT64_MAX - 999999999999999999ULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        uint64_t off = 7, len = 7;
        veche_range_result r = veche_range_parse(rows[i].header, rows[i].size, &off, &len);
        if (r != rows[i].want)
            fprintf(stderr, "# row %zu: \"%s\"\n", i, rows[i].header ? rows[i].header : "NULL");
        CHECK_EQ_INT(r, rows[i].want);
        if (r == VECHE_RANGE_PARTIAL) {
            CHECK_EQ_INT(off, rows[i].off);
            CHECK(len == rows[i].len);
        }
    }
}

int main(void)
{
    RUN(range_rows);
    return check_finish();
}
