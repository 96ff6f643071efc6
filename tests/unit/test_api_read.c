/* test_api_read.c - which thread answers an API request
 * (server/api/api_read.c's api_read_route): rows of method and path and
 * the expected reader (0 quick, 1 heavy, -1 the main loop) and report
 * event. */
#include <stdio.h>
#include <string.h>

#include "api_int.h"
#include "check.h"

TEST(route_rows)
{
    static const struct {
        const char *method, *path;
        int want;
        int64_t report;
    } rows[] = {
        {"GET", "/api/me", 0, 0},
        {"GET", "/api//me/", 0, 0},                 /* empty segments skipped, as api.c */
        {"GET", "/api/session", 0, 0},
        {"GET", "/api/events", 0, 0},
        {"GET", "/api/privacy", 0, 0},
        {"GET", "/api/password-reset/check", 0, 0},
        {"GET", "/api/events/7/agenda", 0, 0},
        {"GET", "/api/lessons", 0, 0},
        {"GET", "/api/lessons/3", 0, 0},
        {"GET", "/api/lessons/3/video", 0, 0},
        {"GET", "/api/lessons/3/chapters.vtt", 0, 0},
        {"GET", "/api/lessons/retention/4", 0, 0},
        {"GET", "/api/admin/orgs", 0, 0},
        {"GET", "/api/admin/orgs/2/admins", 0, 0},
        {"GET", "/api/admin/bodies/2/voting", 0, 0},
        {"GET", "/api/admin/events/9/guests", 0, 0},
        {"GET", "/api/events/7/attendance", 1, 7},
        {"GET", "/api/events/7/attendance.csv", 1, 7},
        {"GET", "/api/events/12/attendance.html", 1, 12},
        {"GET", "/api/events/7/minutes", 1, 0},
        {"GET", "/api/events/7/minutes.html", 1, 0},
        {"GET", "/api/events/7/votes.csv", 1, 0},
        {"GET", "/api/events/7/votes.json", 1, 0},
        {"GET", "/api/admin/people", 1, 0},
        {"GET", "/api/admin/roster/body/5", 1, 0},
        {"GET", "/api/admin/roster/course/5", 1, 0},
        {"GET", "/api/admin/audit", 1, 0},
        {"GET", "/api/admin/audit.csv", 1, 0},
        /* the main loop's */
        {"POST", "/api/me", -1, 0},
        {"POST", "/api/login", -1, 0},
        {"GET", "/api/login", -1, 0},
        {"PATCH", "/api/admin/people/5", -1, 0},
        {"GET", "/api/admin/people/5/export", -1, 0},  /* audited */
        {"GET", "/api/events/7/roll", -1, 0},          /* the live roll */
        {"POST", "/api/events/7/minutes/finalize", -1, 0},
        {"PUT", "/api/lessons/retention/4", -1, 0},
        {"DELETE", "/api/lessons/3", -1, 0},
        {"GET", "/api/events/0/attendance", -1, 0},    /* not an id */
        {"GET", "/api/events/x7/attendance", -1, 0},
        {"GET", "/api/events/7/attendance/more", -1, 0},
        {"GET", "/api/lessons/retention", -1, 0},
        {"GET", "/api/no-such-route", -1, 0},
        {"GET", "/api/", -1, 0},
        {"GET", "/healthz", -1, 0},
        {"GET", "/api/me/a/b/c/d/e/f/g/h", -1, 0},    /* more segments than the router takes */
        {"get", "/api/me", -1, 0},
        {NULL, "/api/me", -1, 0},
        {"GET", NULL, -1, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t report = -1;
        int got = api_read_route(rows[i].method, rows[i].path, &report);
        if (got != rows[i].want || report != rows[i].report)
            fprintf(stderr, "# row %zu: %s %s: %d, report %lld\n", i,
                    rows[i].method ? rows[i].method : "NULL",
                    rows[i].path ? rows[i].path : "NULL", got, (long long)report);
        CHECK_EQ_INT(got, rows[i].want);
        CHECK_EQ_INT(report, rows[i].report);
    }
}

int main(void)
{
    RUN(route_rows);
    return check_finish();
}
