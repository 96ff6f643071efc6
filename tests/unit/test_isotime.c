/* test_isotime.c - ISO 8601 date-times to unix seconds. */
#include <stdint.h>

#include "check.h"
#include "err.h"
#include "isotime.h"

static int64_t parse(const char *s)
{
    int64_t t = -1;
    return veche_isotime_parse(s, &t) == 0 ? t : -1;
}

TEST(accepted_forms)
{
    const int64_t t = 1796148000;  /* 2026-12-01T18:00:00Z */
    CHECK(parse("2026-12-01T18:00") == t);
    CHECK(parse("2026-12-01 18:00") == t);
    CHECK(parse("2026-12-01t18:00z") == t);
    CHECK(parse("2026-12-01T18:00:00Z") == t);
    CHECK(parse("2026-12-01T18:00:00.999Z") == t);
    CHECK(parse("2026-12-01T21:00:00+03:00") == t);
    CHECK(parse("2026-12-01T21:00+0300") == t);
    CHECK(parse("2026-12-01T21:00+03") == t);
    CHECK(parse("2026-12-01T13:30-04:30") == t);
    CHECK(parse("2024-02-29T00:00Z") == 1709164800);
    CHECK(parse("1970-01-01T00:00:01Z") == 1);
    CHECK(parse("9999-12-31T23:59:59Z") == INT64_C(253402300799));
}

TEST(refused)
{
    static const char *const bad[] = {
        "", "2026-12-01", "2026-12-01T18", "2026-13-01T18:00", "2026-04-31T18:00",
        "2026-02-29T18:00", "2026-12-01T24:00", "2026-12-01T18:60", "2026-12-01T18:00:60",
        "2026-12-01T18:00x", "2026-12-01T18:00.5", "2026-12-01T18:00:00.", "2026-12-01T18:00+15",
        "2026-12-01T18:00+03:60", "1970-01-01T00:00Z", "1969-12-31T23:59Z", "26-12-01T18:00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t t = 0;
        CHECK_EQ_INT(veche_isotime_parse(bad[i], &t), VECHE_EINVAL);
    }
    int64_t t;
    CHECK_EQ_INT(veche_isotime_parse(NULL, &t), VECHE_EINVAL);
}

/* Without an offset, wall-clock time in the configured zone (vechectl). */
TEST(in_zone)
{
    int64_t t = 0;
    CHECK_EQ_INT(veche_isotime_parse_zone("2026-12-01T18:00", "Europe/Moscow", &t), 0);
    CHECK(t == INT64_C(1796137200));            /* 15:00Z */
    CHECK_EQ_INT(veche_isotime_parse_zone("2026-12-01T18:00Z", "Europe/Moscow", &t), 0);
    CHECK(t == INT64_C(1796148000));            /* an explicit zone wins */
    CHECK_EQ_INT(veche_isotime_parse_zone("2026-12-01T18:00-02:00", "Europe/Moscow", &t), 0);
    CHECK(t == INT64_C(1796155200));
    CHECK_EQ_INT(veche_isotime_parse_zone("2026-07-01 12:00", "Europe/Berlin", &t), 0);
    CHECK(t == INT64_C(1782900000));            /* summer time: 10:00Z */
    CHECK_EQ_INT(veche_isotime_parse_zone("2026-12-01T18:00", NULL, &t), 0);
    CHECK(t == INT64_C(1796148000));
    CHECK_EQ_INT(veche_isotime_parse_zone("2026-12-01T18:00", "Mars/Olympus", &t), VECHE_EINVAL);
}

int main(void)
{
    RUN(accepted_forms);
    RUN(refused);
    RUN(in_zone);
    return check_finish();
}
