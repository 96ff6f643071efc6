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
 * Returns 0, VECHE_ENOTFOUND or a store error. */
int veche_report_build(veche_store *st, const veche_roll *roll, int64_t event_id,
                       int64_t grace_ms, int64_t now_ms, veche_report **out);
void veche_report_free(veche_report *r);  /* accepts NULL */

/* The report as JSON (new reference), see docs/api.md. */
json_t *veche_report_json(const veche_report *r);
/* As CSV (UTF-8, CRLF, header row):
 *   person_id,full_name,role,voting,on_roster,attended,first_join_utc,
 *   last_leave_utc,intervals,present_seconds,present_now
 * g_malloc'd text in *out and its length. */
int veche_report_csv(const veche_report *r, char **out, size_t *len);
/* A printable HTML page ("ru" or "en"; anything else is English), every
 * name escaped.  g_malloc'd. */
char *veche_report_html(const veche_report *r, const char *lang);

/* "2026-11-22T10:00:05Z" (UTC); "" for 0. */
void veche_report_time(int64_t ms, char out[32]);

#endif
