/* store_attendance.c - the attendance record, the quorum log, and their
 * CSV exports.  See store.h.
 *
 * Appends are autocommit statements on a synchronous=FULL connection: each
 * is its own transaction and is on disk when the call returns.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "err.h"
#include "store_int.h"

static const char *kind_name(veche_presence_kind k)
{
    return k == VECHE_PRESENCE_LEAVE ? "leave" : "join";
}

int veche_store_attendance_append(veche_store *s, const veche_attendance *a,
                                  int64_t *id)
{
    if (!s || !a || store_check_text(a->source, VECHE_SOURCE_MAX) < 0 ||
        (a->kind != VECHE_PRESENCE_JOIN && a->kind != VECHE_PRESENCE_LEAVE))
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO attendance_event (event_id, person_id,"
                          " kind, ts_ms, conn_id, source)"
                          " VALUES (?, ?, ?, ?, ?, ?)",
                       "iitiit", a->event_id, a->person_id, kind_name(a->kind),
                       a->ts_ms, a->conn_id, a->source);
    if (r == VECHE_ENOTFOUND)
        return VECHE_EINVAL;  /* no such event or person */
    if (r >= 0 && id)
        *id = sqlite3_last_insert_rowid(s->db);
    return r < 0 ? r : 0;
}

static void read_attendance(sqlite3_stmt *st, veche_attendance *a)
{
    a->id = sqlite3_column_int64(st, 0);
    a->event_id = sqlite3_column_int64(st, 1);
    a->person_id = sqlite3_column_int64(st, 2);
    const char *k = (const char *)sqlite3_column_text(st, 3);
    a->kind = k && strcmp(k, "leave") == 0 ? VECHE_PRESENCE_LEAVE
                                           : VECHE_PRESENCE_JOIN;
    a->ts_ms = sqlite3_column_int64(st, 4);
    a->conn_id = sqlite3_column_int64(st, 5);
    store_column_text(st, 6, a->source, sizeof a->source);
}

#define ATTENDANCE_COLUMNS \
    "SELECT a.id, a.event_id, a.person_id, a.kind, a.ts_ms, a.conn_id," \
    " a.source"

int veche_store_attendance_list(veche_store *s, int64_t event_id,
                                veche_store_attendance_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, ATTENDANCE_COLUMNS
                          " FROM attendance_event a WHERE a.event_id = ?"
                          " ORDER BY a.id", "i", event_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_attendance a;
        read_attendance(st, &a);
        if ((r = cb(ud, &a)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

/* "2026-11-22T10:00:00.123Z"; "" for an empty time. */
static void format_utc(int64_t ts_ms, char out[32])
{
    time_t secs = (time_t)(ts_ms >= 0 ? ts_ms / 1000 : (ts_ms - 999) / 1000);
    int ms = (int)(ts_ms - (int64_t)secs * 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm) ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        out[0] = '\0';
        return;
    }
    size_t n = strlen(out);
    snprintf(out + n, 32 - n, ".%03dZ", ms);
}

int veche_store_attendance_export_csv(veche_store *s, int64_t event_id,
                                      FILE *f)
{
    if (!s || !f)
        return VECHE_EINVAL;
    static const char *const header[] = {
        "event_id", "person_id", "full_name", "email", "kind", "time_utc",
        "ts_ms", "conn_id", "source",
    };
    int r = veche_csv_write_record(f, header, 9);
    sqlite3_stmt *st;
    if (r == 0)
        r = store_prepare(s, &st, ATTENDANCE_COLUMNS ", p.full_name, p.email"
                          " FROM attendance_event a"
                          " JOIN person p ON p.id = a.person_id"
                          " WHERE a.event_id = ? ORDER BY a.id", "i", event_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_attendance a;
        read_attendance(st, &a);
        char ev[24], pid[24], ts[24], conn[24], when[32];
        snprintf(ev, sizeof ev, "%lld", (long long)a.event_id);
        snprintf(pid, sizeof pid, "%lld", (long long)a.person_id);
        snprintf(ts, sizeof ts, "%lld", (long long)a.ts_ms);
        snprintf(conn, sizeof conn, "%lld", (long long)a.conn_id);
        format_utc(a.ts_ms, when);
        const char *row[] = {
            ev, pid, (const char *)sqlite3_column_text(st, 7),
            (const char *)sqlite3_column_text(st, 8), kind_name(a.kind),
            when, ts, conn, a.source,
        };
        if ((r = veche_csv_write_export_record(f, row, 9)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r < 0 ? r : 0;
}

/* ---- presence summary ---- */

typedef struct {
    veche_presence_event *ev;
    size_t n, cap;
} event_buf;

static int buf_push(event_buf *b, const veche_presence_event *e)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        veche_presence_event *ne = realloc(b->ev, cap * sizeof *ne);
        if (!ne)
            return VECHE_ENOMEM;
        b->ev = ne;
        b->cap = cap;
    }
    b->ev[b->n++] = *e;
    return 0;
}

/* Merge one person's events and write their row. */
static int write_person(FILE *f, int64_t person_id, const char *name,
                        const char *email, const event_buf *b,
                        int64_t grace_ms, int64_t now_ms)
{
    veche_presence_interval *iv = malloc((b->n ? b->n : 1) * sizeof *iv);
    if (!iv)
        return VECHE_ENOMEM;
    int n = veche_presence_merge(b->ev, b->n, grace_ms, iv, b->n);
    int r = n < 0 ? n : 0;
    if (n > 0) {
        char pid[24], count[24], secs[24], first[32], last[32] = "";
        snprintf(pid, sizeof pid, "%lld", (long long)person_id);
        snprintf(count, sizeof count, "%d", n);
        snprintf(secs, sizeof secs, "%lld",
                 (long long)(veche_presence_total_ms(iv, (size_t)n, now_ms) /
                             1000));
        format_utc(iv[0].start_ms, first);
        if (!iv[n - 1].open)
            format_utc(iv[n - 1].end_ms, last);
        const char *row[] = { pid, name, email, first, last, count, secs };
        r = veche_csv_write_export_record(f, row, 7);
    }
    free(iv);
    return r;
}

int veche_store_presence_export_csv(veche_store *s, int64_t event_id,
                                    int64_t grace_ms, int64_t now_ms,
                                    FILE *f)
{
    if (!s || !f || grace_ms < 0)
        return VECHE_EINVAL;
    static const char *const header[] = {
        "person_id", "full_name", "email", "first_join_utc", "last_leave_utc",
        "intervals", "present_seconds",
    };
    int r = veche_csv_write_record(f, header, 7);
    sqlite3_stmt *st;
    if (r == 0)
        r = store_prepare(s, &st, "SELECT a.person_id, a.kind, a.ts_ms,"
                          " a.conn_id, p.full_name, p.email"
                          " FROM attendance_event a"
                          " JOIN person p ON p.id = a.person_id"
                          " WHERE a.event_id = ? ORDER BY a.person_id, a.id",
                          "i", event_id);
    if (r < 0)
        return r;
    event_buf b = { NULL, 0, 0 };
    int64_t cur = 0;
    char name[VECHE_NAME_MAX + 1] = "", email[VECHE_EMAIL_MAX + 1] = "";
    while ((r = store_step(s, st)) == 1) {
        int64_t pid = sqlite3_column_int64(st, 0);
        if (pid != cur && b.n > 0) {
            if ((r = write_person(f, cur, name, email, &b, grace_ms,
                                  now_ms)) != 0)
                break;
            b.n = 0;
        }
        cur = pid;
        store_column_text(st, 4, name, sizeof name);
        store_column_text(st, 5, email, sizeof email);
        const char *k = (const char *)sqlite3_column_text(st, 1);
        veche_presence_event e = {
            sqlite3_column_int64(st, 2),
            k && strcmp(k, "leave") == 0 ? VECHE_PRESENCE_LEAVE
                                         : VECHE_PRESENCE_JOIN,
            sqlite3_column_int64(st, 3),
        };
        if ((r = buf_push(&b, &e)) != 0)
            break;
    }
    sqlite3_finalize(st);
    if (r == 0 && b.n > 0)
        r = write_person(f, cur, name, email, &b, grace_ms, now_ms);
    free(b.ev);
    return r < 0 ? r : 0;
}

/* ---- quorum log ---- */

int veche_store_quorum_log_append(veche_store *s, int64_t event_id,
                                  const veche_quorum_change *c)
{
    if (!s || !c)
        return VECHE_EINVAL;
    int r = store_exec(s, "INSERT INTO quorum_log (event_id, ts_ms, reached,"
                          " present, voting) VALUES (?, ?, ?, ?, ?)",
                       "iibii", event_id, c->ts_ms, (int)c->reached,
                       (int64_t)c->present, (int64_t)c->voting);
    return r == VECHE_ENOTFOUND ? VECHE_EINVAL : r < 0 ? r : 0;
}

int veche_store_quorum_log_list(veche_store *s, int64_t event_id,
                                veche_store_quorum_cb cb, void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, "SELECT ts_ms, reached, present, voting"
                                  " FROM quorum_log WHERE event_id = ?"
                                  " ORDER BY id", "i", event_id);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_quorum_change c = {
            sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1) != 0,
            (unsigned)sqlite3_column_int64(st, 2),
            (unsigned)sqlite3_column_int64(st, 3),
        };
        if ((r = cb(ud, &c)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}

int veche_store_attendance_open(veche_store *s, veche_store_attendance_cb cb,
                                void *ud)
{
    if (!s || !cb)
        return VECHE_EINVAL;
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, ATTENDANCE_COLUMNS
                          " FROM attendance_event a WHERE a.kind = 'join'"
                          " AND NOT EXISTS (SELECT 1 FROM attendance_event l"
                          "  WHERE l.event_id = a.event_id"
                          "  AND l.person_id = a.person_id AND l.id > a.id"
                          "  AND l.conn_id = a.conn_id AND l.kind = 'leave')"
                          " ORDER BY a.id", NULL);
    if (r < 0)
        return r;
    while ((r = store_step(s, st)) == 1) {
        veche_attendance a;
        read_attendance(st, &a);
        if ((r = cb(ud, &a)) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r;
}
