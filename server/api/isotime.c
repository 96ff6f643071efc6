/* isotime.c - ISO 8601 date-times to unix seconds (isotime.h). */
#include "isotime.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "err.h"

#define ISOTIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/* Read exactly n decimal digits at *p, advancing it; -1 when not there. */
static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int veche_isotime_parse(const char *p, int64_t *out)
{
    if (!p || !out)
        return VECHE_EINVAL;
    int y = digits(&p, 4), mo, d, h, mi, sec = 0, off = 0;
    if (y < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 1 || mo > 12 || *p++ != '-' ||
        (d = digits(&p, 2)) < 1 || d > days_in_month(y, mo) ||
        (*p != 'T' && *p != 't' && *p != ' '))
        return VECHE_EINVAL;
    p++;
    if ((h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' || (mi = digits(&p, 2)) < 0 || mi > 59)
        return VECHE_EINVAL;
    if (*p == ':') {
        p++;
        if ((sec = digits(&p, 2)) < 0 || sec > 59)
            return VECHE_EINVAL;
        if (*p == '.' || *p == ',') {  /* fractions of a second are dropped */
            p++;
            if (*p < '0' || *p > '9')
                return VECHE_EINVAL;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh = digits(&p, 2), om = 0;
        if (oh < 0 || oh > 14)
            return VECHE_EINVAL;
        if (*p == ':')
            p++;
        if (*p && ((om = digits(&p, 2)) < 0 || om > 59))
            return VECHE_EINVAL;
        off = sign * (oh * 3600 + om * 60);
    }
    if (*p)
        return VECHE_EINVAL;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    if (t <= 0 || t > ISOTIME_MAX)
        return VECHE_EINVAL;
    *out = t;
    return 0;
}

/* Whether s (already parsed) names its zone: 'Z' or an offset after the
 * time (the date's own '-' are at 4 and 7). */
static bool has_zone(const char *s)
{
    size_t n = strlen(s);
    if (n > 0 && (s[n - 1] == 'Z' || s[n - 1] == 'z'))
        return true;
    return n > 11 && strpbrk(s + 11, "+-") != NULL;
}

int veche_isotime_parse_zone(const char *s, const char *zone, int64_t *out)
{
    int64_t wall;
    int rc = veche_isotime_parse(s, &wall);
    if (rc != 0 || !zone || !zone[0] || has_zone(s)) {
        if (rc == 0)
            *out = wall;
        return rc;
    }
    GTimeZone *tz = g_time_zone_new_identifier(zone);
    if (!tz)
        return VECHE_EINVAL;
    GDateTime *w = g_date_time_new_from_unix_utc(wall);
    GDateTime *t = w ? g_date_time_new(tz, g_date_time_get_year(w), g_date_time_get_month(w),
                                       g_date_time_get_day_of_month(w),
                                       g_date_time_get_hour(w), g_date_time_get_minute(w),
                                       g_date_time_get_second(w))
                     : NULL;
    int64_t v = t ? g_date_time_to_unix(t) : 0;
    if (t)
        g_date_time_unref(t);
    if (w)
        g_date_time_unref(w);
    g_time_zone_unref(tz);
    if (v <= 0 || v > ISOTIME_MAX)
        return VECHE_EINVAL;
    *out = v;
    return 0;
}
