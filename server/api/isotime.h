/* isotime.h - ISO 8601 date-times as people and forms write them, to unix
 * seconds: the one parser behind the admin API's and vechectl's event
 * times.
 *
 * Accepted: YYYY-MM-DD, 'T' (or 't' or a space), hh:mm, optional :ss
 * (00-59) with an optional fraction (dropped), then 'Z'/'z', an offset
 * +hh, +hhmm or +hh:mm (up to 14 hours, either sign), or nothing (UTC, as
 * an <input type=datetime-local> gives it).  Dates are checked (no 31
 * April, 29 February only in leap years); the result must lie in
 * 1970-01-01T00:00:01Z .. 9999-12-31T23:59:59Z.  Formatting is
 * veche_report_time (report.h).  Stateless.
 */
#ifndef VECHE_ISOTIME_H
#define VECHE_ISOTIME_H

#include <stdint.h>

/* 0 with *out, or VECHE_EINVAL (NULL, malformed, impossible, out of range). */
int veche_isotime_parse(const char *s, int64_t *out);

/* The same, but a time without 'Z' or an offset is wall-clock time in the
 * IANA zone (e.g. "Europe/Moscow": 2026-12-01T18:00 is 15:00Z); zone NULL
 * or "" keeps UTC.  VECHE_EINVAL also for an unknown zone. */
int veche_isotime_parse_zone(const char *s, const char *zone, int64_t *out);

#endif
