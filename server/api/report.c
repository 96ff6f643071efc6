/* report.c - build an event's attendance report from the store and the
 * live roll; write it as JSON and CSV (report.h).  The HTML page is in
 * report_html.c. */
#include "report.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "csv.h"
#include "err.h"

typedef struct {
    veche_store *st;
    GArray *rows;                 /* veche_report_row */
    GHashTable *index;            /* person id -> row index + 1 */
} build_ctx;

static int add_row(build_ctx *c, int64_t person_id, veche_access_role role, bool voting,
                   bool on_roster)
{
    gpointer v = g_hash_table_lookup(c->index, &person_id);
    if (v) {
        veche_report_row *row = &g_array_index(c->rows, veche_report_row,
                                               GPOINTER_TO_SIZE(v) - 1);
        if (role > row->role)
            row->role = role;
        row->voting = row->voting || voting;
        return 0;
    }
    veche_person p;
    int rc = veche_store_person_get(c->st, person_id, &p);
    if (rc != 0)
        return rc;
    veche_report_row row = {.person_id = person_id, .role = role, .voting = voting,
                            .on_roster = on_roster};
    snprintf(row.name, sizeof row.name, "%s", p.full_name);
    g_array_append_val(c->rows, row);
    int64_t *key = g_new(int64_t, 1);
    *key = person_id;
    g_hash_table_insert(c->index, key, GSIZE_TO_POINTER((gsize)c->rows->len));
    return 0;
}

static int member_cb(void *ud, const veche_member *m)
{
    return add_row(ud, m->person_id, m->role, m->voting, true);
}

typedef struct {
    build_ctx *b;
    GHashTable *events;           /* person id -> GArray of veche_presence_event */
    GArray *record;               /* veche_attendance, as recorded */
} record_ctx;

static int record_cb(void *ud, const veche_attendance *a)
{
    record_ctx *c = ud;
    int rc = add_row(c->b, a->person_id, VECHE_ACCESS_NONE, false, false);
    if (rc != 0)
        return rc;
    GArray *evs = g_hash_table_lookup(c->events, &a->person_id);
    if (!evs) {
        int64_t *key = g_new(int64_t, 1);
        *key = a->person_id;
        evs = g_array_new(FALSE, FALSE, sizeof(veche_presence_event));
        g_hash_table_insert(c->events, key, evs);
    }
    veche_presence_event e = {a->ts_ms, a->kind, a->conn_id};
    g_array_append_val(evs, e);
    g_array_append_val(c->record, *a);
    return 0;
}

/* The log as people read it: a row that repeats the one before (same
 * status and counts, e.g. written again after a restart) is left out. */
static int log_cb(void *ud, const veche_quorum_change *ch)
{
    GArray *log = ud;
    if (log->len > 0) {
        const veche_quorum_change *prev = &g_array_index(log, veche_quorum_change, log->len - 1);
        if (prev->reached == ch->reached && prev->present == ch->present &&
            prev->voting == ch->voting)
            return 0;
    }
    g_array_append_val(log, *ch);
    return 0;
}

/* Presence of one row from its events.  An interval the record leaves
 * open while the person is not in the room now (a leave that could not be
 * written) is closed at its last known time rather than counted up to
 * now; after a crash the server closes such intervals in the record at
 * start (veche_roll_recover). */
static int merge_row(veche_report_row *row, GArray *evs, int64_t grace_ms, int64_t now_ms)
{
    veche_presence_interval *iv = g_new(veche_presence_interval, evs->len);
    int n = veche_presence_merge((const veche_presence_event *)(void *)evs->data, evs->len,
                                 grace_ms, iv, evs->len);
    if (n > 0 && iv[n - 1].open && !row->present_now)
        iv[n - 1].open = false;
    if (n > 0) {
        row->intervals = (unsigned)n;
        row->first_join_ms = iv[0].start_ms;
        row->last_leave_ms = iv[n - 1].open ? 0 : iv[n - 1].end_ms;
        row->present_ms = veche_presence_total_ms(iv, (size_t)n, now_ms);
    }
    g_free(iv);
    return n < 0 ? n : 0;
}

static void free_array(gpointer a) { g_array_free(a, TRUE); }

struct veche_report_live {
    int64_t event_id;
    GHashTable *present;          /* int64 person ids (keys owned) */
    bool quorum_live;
    veche_roll_quorum quorum;
};

veche_report_live *veche_report_live_take(const veche_roll *roll, int64_t event_id)
{
    veche_report_live *l = g_new0(veche_report_live, 1);
    l->event_id = event_id;
    l->present = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
    veche_roll_present_ids(roll, event_id, ids);
    for (guint i = 0; i < ids->len; i++) {
        int64_t *k = g_new(int64_t, 1);
        *k = g_array_index(ids, int64_t, i);
        g_hash_table_add(l->present, k);
    }
    g_array_free(ids, TRUE);
    l->quorum_live = roll && veche_roll_quorum_now(roll, event_id, &l->quorum) == 0;
    return l;
}

void veche_report_live_free(veche_report_live *l)
{
    if (!l)
        return;
    g_hash_table_destroy(l->present);
    g_free(l);
}

int veche_report_build(veche_store *st, const veche_roll *roll, int64_t event_id,
                       int64_t grace_ms, int64_t now_ms, veche_report **out)
{
    veche_report_live *l = roll ? veche_report_live_take(roll, event_id) : NULL;
    int rc = veche_report_build_live(st, l, event_id, grace_ms, now_ms, out);
    veche_report_live_free(l);
    return rc;
}

int veche_report_build_live(veche_store *st, const veche_report_live *live, int64_t event_id,
                            int64_t grace_ms, int64_t now_ms, veche_report **out)
{
    if (live && live->event_id != event_id)
        live = NULL;
    veche_report *r = g_new0(veche_report, 1);
    r->now_ms = now_ms;
    int rc = veche_store_event_get(st, event_id, &r->event);
    build_ctx b = {st, g_array_new(FALSE, TRUE, sizeof(veche_report_row)),
                   g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL)};
    GHashTable *events = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, free_array);
    GArray *log = g_array_new(FALSE, FALSE, sizeof(veche_quorum_change));
    veche_quorum_rule rule = VECHE_QUORUM_RULE_DEFAULT;
    if (rc == 0 && r->event.body_id) {
        veche_body body;
        rc = veche_store_body_get(st, r->event.body_id, &body);
        if (rc == 0) {
            rule = body.quorum;
            rc = veche_store_body_members(st, r->event.body_id, member_cb, &b);
        }
    } else if (rc == 0) {
        rc = veche_store_course_members(st, r->event.course_id, member_cb, &b);
    }
    if (rc == 0)
        rc = veche_store_event_guests(st, event_id, member_cb, &b);
    r->roster = b.rows->len;
    record_ctx rcx = {&b, events, g_array_new(FALSE, FALSE, sizeof(veche_attendance))};
    if (rc == 0)
        rc = veche_store_attendance_list(st, event_id, record_cb, &rcx);
    r->meeting = r->event.room_kind == VECHE_ROOM_MEETING;
    if (rc == 0 && r->meeting)
        rc = veche_store_quorum_log_list(st, event_id, log_cb, log);
    for (guint i = 0; rc == 0 && i < b.rows->len; i++) {
        veche_report_row *row = &g_array_index(b.rows, veche_report_row, i);
        GArray *evs = g_hash_table_lookup(events, &row->person_id);
        row->present_now = live && g_hash_table_contains(live->present, &row->person_id);
        if (evs)
            rc = merge_row(row, evs, grace_ms, now_ms);
        r->present_now += row->present_now;
        if (row->on_roster && row->first_join_ms)
            r->attended++;
    }
    g_hash_table_destroy(events);
    g_hash_table_destroy(b.index);
    r->n_rows = b.rows->len;
    r->rows = (veche_report_row *)(void *)g_array_free(b.rows, FALSE);
    r->n_log = log->len;
    r->log = (veche_quorum_change *)(void *)g_array_free(log, FALSE);
    r->n_record = rcx.record->len;
    r->record = (veche_attendance *)(void *)g_array_free(rcx.record, FALSE);
    if (rc == 0 && r->meeting) {
        if (veche_quorum_rule_format(&rule, r->rule, sizeof r->rule) < 0)
            snprintf(r->rule, sizeof r->rule, "?");
        r->quorum_live = live && live->quorum_live;
        if (r->quorum_live)
            r->quorum = live->quorum;
        if (!r->quorum_live) {
            unsigned voting = 0;
            for (size_t i = 0; i < r->n_rows; i++)
                voting += r->rows[i].on_roster && r->rows[i].voting;
            r->quorum.voting = voting;
            r->quorum.present = 0;
            r->quorum.reached = false;
            r->quorum.needed = veche_quorum_needed(&rule, voting);
        }
    }
    if (rc != 0) {
        veche_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void veche_report_free(veche_report *r)
{
    if (!r)
        return;
    g_free(r->rows);
    g_free(r->log);
    g_free(r->record);
    g_free(r);
}

void veche_report_time(int64_t ms, char out[32])
{
    out[0] = '\0';
    if (ms <= 0)
        return;
    GDateTime *t = g_date_time_new_from_unix_utc(ms / 1000);
    if (!t)
        return;
    char *s = g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ");
    g_date_time_unref(t);
    if (s)
        snprintf(out, 32, "%s", s);
    g_free(s);
}

GTimeZone *veche_report_zone(const char *name)
{
    GTimeZone *tz = name && name[0] ? g_time_zone_new_identifier(name) : NULL;
    return tz ? tz : g_time_zone_new_utc();
}

void veche_report_local_time(int64_t ms, GTimeZone *tz, char out[32])
{
    out[0] = '\0';
    if (ms <= 0)
        return;
    GDateTime *utc = g_date_time_new_from_unix_utc(ms / 1000);
    GDateTime *t = utc && tz ? g_date_time_to_timezone(utc, tz) : NULL;
    char *s = t ? g_date_time_format(t, "%Y-%m-%d %H:%M:%S") : NULL;
    if (s)
        snprintf(out, 32, "%s", s);
    g_free(s);
    if (t)
        g_date_time_unref(t);
    if (utc)
        g_date_time_unref(utc);
}

static json_t *time_json(int64_t ms)
{
    char buf[32];
    veche_report_time(ms, buf);
    return buf[0] ? json_string(buf) : json_null();
}

json_t *veche_report_json(const veche_report *r)
{
    json_t *people = json_array();
    for (size_t i = 0; i < r->n_rows; i++) {
        const veche_report_row *w = &r->rows[i];
        json_t *o = json_pack("{s:I, s:s, s:s, s:b, s:b, s:b, s:b, s:i, s:I}",
                              "person", (json_int_t)w->person_id, "name", w->name,
                              "role", w->on_roster ? veche_access_role_name(w->role) : "other",
                              "voting", w->voting, "onRoster", w->on_roster,
                              "present", w->present_now, "attended", w->first_join_ms != 0,
                              "intervals", (int)w->intervals,
                              "presentSeconds", (json_int_t)(w->present_ms / 1000));
        if (o) {
            json_object_set_new(o, "firstJoin", time_json(w->first_join_ms));
            json_object_set_new(o, "lastLeave", time_json(w->last_leave_ms));
        }
        json_array_append_new(people, o);
    }
    json_t *out = json_pack("{s:{s:I, s:s, s:s, s:s}, s:o, s:{s:i, s:i, s:i, s:i}}",
                            "event", "id", (json_int_t)r->event.id, "title", r->event.title,
                            "kind", veche_room_kind_name(r->event.room_kind),
                            "room", r->event.room_id, "people", people, "totals",
                            "roster", (int)r->roster, "attended", (int)r->attended,
                            "absent", (int)(r->roster - r->attended),
                            "presentNow", (int)r->present_now);
    if (!out)
        return NULL;
    json_t *rec = json_array();
    for (size_t i = 0; i < r->n_record; i++) {
        const veche_attendance *a = &r->record[i];
        json_t *o = json_pack("{s:I, s:s, s:I, s:s}", "person", (json_int_t)a->person_id,
                              "kind", a->kind == VECHE_PRESENCE_LEAVE ? "leave" : "join",
                              "tsMs", (json_int_t)a->ts_ms, "source", a->source);
        if (o)
            json_object_set_new(o, "at", time_json(a->ts_ms));
        json_array_append_new(rec, o);
    }
    json_object_set_new(out, "record", rec);
    json_t *ev = json_object_get(out, "event");
    json_object_set_new(ev, "startsAt", time_json(r->event.starts_at * 1000));
    json_object_set_new(ev, "endsAt", time_json(r->event.ends_at * 1000));
    if (!r->meeting) {
        json_object_set_new(out, "quorum", json_null());
        return out;
    }
    json_t *log = json_array();
    for (size_t i = 0; i < r->n_log; i++) {
        json_t *o = json_pack("{s:b, s:i, s:i}", "reached", r->log[i].reached,
                              "present", (int)r->log[i].present, "voting",
                              (int)r->log[i].voting);
        if (o)
            json_object_set_new(o, "at", time_json(r->log[i].ts_ms));
        json_array_append_new(log, o);
    }
    json_object_set_new(out, "quorum",
                        json_pack("{s:s, s:b, s:i, s:i, s:i, s:b, s:o}", "rule", r->rule,
                                  "live", r->quorum_live, "present", (int)r->quorum.present,
                                  "voting", (int)r->quorum.voting, "needed",
                                  (int)r->quorum.needed, "reached", r->quorum.reached,
                                  "log", log));
    return out;
}

int veche_report_csv(const veche_report *r, char **out, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return VECHE_ENOMEM;
    static const char *const head[] = {
        "person_id", "full_name", "role", "voting", "on_roster", "attended",
        "first_join_utc", "last_leave_utc", "intervals", "present_seconds", "present_now",
    };
    int rc = veche_csv_write_record(f, head, G_N_ELEMENTS(head));
    for (size_t i = 0; rc == 0 && i < r->n_rows; i++) {
        const veche_report_row *w = &r->rows[i];
        char id[24], iv[16], secs[24], first[32], last[32];
        snprintf(id, sizeof id, "%lld", (long long)w->person_id);
        snprintf(iv, sizeof iv, "%u", w->intervals);
        snprintf(secs, sizeof secs, "%lld", (long long)(w->present_ms / 1000));
        veche_report_time(w->first_join_ms, first);
        veche_report_time(w->last_leave_ms, last);
        const char *fields[] = {
            id, w->name, w->on_roster ? veche_access_role_name(w->role) : "other",
            w->voting ? "yes" : "no", w->on_roster ? "yes" : "no",
            w->first_join_ms ? "yes" : "no", first, last, iv, secs,
            w->present_now ? "yes" : "no",
        };
        rc = veche_csv_write_export_record(f, fields, G_N_ELEMENTS(fields));
    }
    if (fclose(f) != 0 && rc == 0)
        rc = VECHE_EIO;
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = g_memdup2(buf, n + 1);
    *len = n;
    free(buf);
    return 0;
}

/* The Excel export's words, per language. */
typedef struct {
    const char *head[11];         /* the time columns end in " (%s)": the zone */
    const char *yes, *no, *other;
    char sep;
} excel_words;

static const excel_words excel_en = {
    {"Person id", "Full name", "Role", "Voting", "On the roster", "Attended",
     "First joined (%s)", "Last left (%s)", "Intervals", "Seconds present", "Present now"},
    "yes", "no", "not on the roster", ',',
};

static const excel_words excel_ru = {
    {"Номер", "ФИО", "Роль", "Решающий голос", "В списке", "Присутствовал(а)",
     "Первый вход (%s)", "Последний выход (%s)", "Интервалов", "Секунд присутствия",
     "Присутствует сейчас"},
    "да", "нет", "не в списке", ';',
};

int veche_report_csv_excel(const veche_report *r, bool russian, const char *time_zone,
                           char **out, size_t *len)
{
    const excel_words *W = russian ? &excel_ru : &excel_en;
    GTimeZone *tz = veche_report_zone(time_zone);
    const char *zone = veche_config_time_zone_valid(time_zone) ? time_zone : "UTC";
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) {
        g_time_zone_unref(tz);
        return VECHE_ENOMEM;
    }
    fputs("\xEF\xBB\xBF", f);
    char first_h[96], last_h[96];
    snprintf(first_h, sizeof first_h, W->head[6], zone);
    snprintf(last_h, sizeof last_h, W->head[7], zone);
    const char *head[11];
    memcpy(head, W->head, sizeof head);
    head[6] = first_h;
    head[7] = last_h;
    int rc = veche_csv_write_export_record_sep(f, head, G_N_ELEMENTS(head), W->sep);
    for (size_t i = 0; rc == 0 && i < r->n_rows; i++) {
        const veche_report_row *w = &r->rows[i];
        char id[24], iv[16], secs[24], first[32], last[32];
        snprintf(id, sizeof id, "%lld", (long long)w->person_id);
        snprintf(iv, sizeof iv, "%u", w->intervals);
        snprintf(secs, sizeof secs, "%lld", (long long)(w->present_ms / 1000));
        veche_report_local_time(w->first_join_ms, tz, first);
        veche_report_local_time(w->last_leave_ms, tz, last);
        const char *role = !w->on_roster ? W->other
                           : russian     ? veche_report_role_ru(w->role)
                                         : veche_access_role_name(w->role);
        const char *fields[] = {
            id, w->name, role, w->voting ? W->yes : W->no, w->on_roster ? W->yes : W->no,
            w->first_join_ms ? W->yes : W->no, first, last, iv, secs,
            w->present_now ? W->yes : W->no,
        };
        rc = veche_csv_write_export_record_sep(f, fields, G_N_ELEMENTS(fields), W->sep);
    }
    g_time_zone_unref(tz);
    if (fclose(f) != 0 && rc == 0)
        rc = VECHE_EIO;
    if (rc != 0) {
        free(buf);
        return rc;
    }
    *out = g_memdup2(buf, n + 1);
    *len = n;
    free(buf);
    return 0;
}
