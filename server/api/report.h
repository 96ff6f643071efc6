/* report.h - the attendance report of one event, for the minutes: the
 * roster (members or activists, and guests) plus anyone else who came,
 * each with present/absent, merged presence intervals (presence.c, with
 * the grace period), first join, last leave and time present; totals; and
 * for a meeting the quorum now and its log.
 *
 * Built from the store's record (so it is complete after a restart) and
 * the live roll (who is in right now).  Written as JSON (the API), CSV and
 * a printable HTML page in Russian or English (report_html.c).  Does not:
 * check who may see it (api_events.c does).  Ownership: the caller owns a
 * veche_report.
 */
#ifndef VECHE_REPORT_H
#define VECHE_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <jansson.h>

#include "roll.h"
#include "store.h"

typedef struct {
    int64_t person_id;
    char name[VECHE_NAME_MAX + 1];
    veche_access_role role;       /* on the roster; NONE for others who came */
    bool voting;
    bool on_roster;
    bool present_now;
    unsigned intervals;
    int64_t first_join_ms;        /* 0: never came */
    int64_t last_leave_ms;        /* 0: never came, or still present */
    int64_t present_ms;
} veche_report_row;

typedef struct {
    veche_event event;
    veche_report_row *rows;       /* roster order, then others by first join */
    size_t n_rows;
    unsigned roster, attended, present_now;  /* attended: roster rows that came */
    bool meeting;                 /* the rest only for a meeting */
    char rule[16];                /* ">1/2" */
    veche_roll_quorum quorum;     /* now (live), or at the last logged change */
    bool quorum_live;
    veche_quorum_change *log;
    size_t n_log;
    veche_attendance *record;     /* every join and leave, in recorded order */
    size_t n_record;
    int64_t now_ms;
} veche_report;

/* Build the report of event_id at now_ms; grace_ms merges reconnects.
 * Returns 0, VECHE_ENOTFOUND or a store error.  roll may be NULL (nobody
 * in).  Main thread (the roll is its state). */
int veche_report_build(veche_store *st, const veche_roll *roll, int64_t event_id,
                       int64_t grace_ms, int64_t now_ms, veche_report **out);

/* What a report takes from the live roll (who is in, the quorum now),
 * copied on the main thread, so that the report can be built on another
 * thread with its own store connection (api_read.c).  O(present).
 * Ownership: the caller frees it with veche_report_live_free. */
typedef struct veche_report_live veche_report_live;
veche_report_live *veche_report_live_take(const veche_roll *roll, int64_t event_id);
void veche_report_live_free(veche_report_live *l);  /* accepts NULL */
/* veche_report_build with a copy instead of the roll (live may be NULL:
 * nobody in); any thread. */
int veche_report_build_live(veche_store *st, const veche_report_live *live, int64_t event_id,
                            int64_t grace_ms, int64_t now_ms, veche_report **out);
void veche_report_free(veche_report *r);  /* accepts NULL */

/* The report as JSON (new reference), see docs/api.md. */
json_t *veche_report_json(const veche_report *r);
/* As CSV (UTF-8, CRLF, header row):
 *   person_id,full_name,role,voting,on_roster,attended,first_join_utc,
 *   last_leave_utc,intervals,present_seconds,present_now
 * g_malloc'd text in *out and its length. */
int veche_report_csv(const veche_report *r, char **out, size_t *len);
/* For people with a spreadsheet (Excel, LibreOffice): a UTF-8 byte order
 * mark, headers in the language, ';' between fields for Russian (Russian
 * Excel's list separator) and ',' for English, yes/no and roles in the
 * language, times as "2026-11-22 13:00:05" in time_zone, which the time
 * headers name ("First joined (Europe/Moscow)").  russian: Russian, else
 * English; time_zone NULL or unknown: UTC.  g_malloc'd text in *out. */
int veche_report_csv_excel(const veche_report *r, bool russian, const char *time_zone,
                           char **out, size_t *len);
/* A printable HTML page ("ru" or "en"; anything else is English), every
 * name escaped, times in time_zone (NULL or unknown: UTC), which the page
 * names.  g_malloc'd. */
char *veche_report_html(const veche_report *r, const char *lang, const char *time_zone);
/* The page's style sheet, inline in its <style> (the server's CSP allows
 * it by its SHA-256, http.c). */
extern const char veche_report_css[];

/* "2026-11-22 13:00:05" in tz (NULL: UTC); "" for 0. */
void veche_report_local_time(int64_t ms, GTimeZone *tz, char out[32]);
/* The zone named (g_time_zone_unref), UTC when name is NULL or unknown. */
GTimeZone *veche_report_zone(const char *name);
/* Russian role names ("председатель"), "—" for NONE. */
const char *veche_report_role_ru(veche_access_role role);

/* "2026-11-22T10:00:05Z" (UTC); "" for 0. */
void veche_report_time(int64_t ms, char out[32]);

#endif
