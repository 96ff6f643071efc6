/* report_html.c - the attendance report as a printable HTML page for the
 * minutes, in Russian or English (report.h).  Self-contained (inline CSS,
 * no scripts); every text from the database is escaped. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "report.h"

typedef struct {
    const char *title, *event, *kind_meeting, *kind_training, *when, *generated;
    const char *col_name, *col_role, *col_vote, *col_status, *col_first, *col_last,
        *col_time, *present, *absent, *left, *yes, *no, *other;
    const char *totals, *roster, *attended, *absent_n, *present_now;
    const char *quorum, *rule, *reached, *not_reached, *voting_present, *log;
    const char *zone;
} strings;

static const strings en = {
    "Attendance", "Event", "meeting", "training", "Scheduled", "Report generated",
    "Name", "Role", "Vote", "Status", "First joined", "Last left",
    "Time present", "present", "absent", "attended", "yes", "no", "not on the roster",
    "Totals", "On the roster", "Attended", "Absent", "Present now",
    "Quorum", "Rule", "reached", "not reached", "voting members present", "Quorum log",
    "Times are in the time zone",
};

static const strings ru = {
    "Явка", "Мероприятие", "заседание", "обучение", "Время проведения", "Отчёт составлен",
    "ФИО", "Роль", "Голос", "Статус", "Первый вход", "Последний выход",
    "Время присутствия", "присутствует", "отсутствовал(а)", "присутствовал(а)", "решающий",
    "совещательный", "не в списке",
    "Итого", "В списке", "Присутствовали", "Отсутствовали", "Присутствуют сейчас",
    "Кворум", "Правило", "есть", "нет", "членов с правом голоса присутствует", "Журнал кворума",
    "Время указано в часовом поясе",
};

const char *veche_report_role_ru(veche_access_role r)
{
    switch (r) {
    case VECHE_ACCESS_CHAIR: return "председатель";
    case VECHE_ACCESS_SECRETARY: return "секретарь";
    case VECHE_ACCESS_MEMBER: return "член";
    case VECHE_ACCESS_TRAINER: return "тренер";
    case VECHE_ACCESS_ACTIVIST: return "активист";
    case VECHE_ACCESS_GUEST: return "гость";
    case VECHE_ACCESS_ORG_ADMIN: return "администратор организации";
    case VECHE_ACCESS_PLATFORM_ADMIN: return "администратор";
    default: return "—";
    }
}

static void esc(GString *o, const char *s)
{
    char *e = g_markup_escape_text(s, -1);
    g_string_append(o, e);
    g_free(e);
}

static void cell(GString *o, const char *s)
{
    g_string_append(o, "<td>");
    esc(o, s);
    g_string_append(o, "</td>");
}

static void duration(char *out, size_t cap, int64_t ms)
{
    int64_t s = ms / 1000;
    snprintf(out, cap, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60),
             (long long)(s % 60));
}

/* The page's times: "2026-11-22 13:00:05" in the page's zone. */
typedef struct {
    GTimeZone *tz;
    const char *name;
} zone;

static void time_text(char *out, int64_t ms, const zone *z)
{
    veche_report_local_time(ms, z->tz, out);
}

static void people_table(GString *o, const veche_report *r, const strings *L, bool russian,
                         const zone *z)
{
    g_string_append_printf(o, "<table><thead><tr><th>#</th><th>%s</th><th>%s</th>", L->col_name,
                           L->col_role);
    if (r->meeting)
        g_string_append_printf(o, "<th>%s</th>", L->col_vote);
    g_string_append_printf(o, "<th>%s</th><th>%s (%s)</th><th>%s (%s)</th><th>%s</th></tr>"
                              "</thead><tbody>\n",
                           L->col_status, L->col_first, z->name, L->col_last, z->name,
                           L->col_time);
    for (size_t i = 0; i < r->n_rows; i++) {
        const veche_report_row *w = &r->rows[i];
        char first[32], last[32], dur[32];
        time_text(first, w->first_join_ms, z);
        time_text(last, w->last_leave_ms, z);
        duration(dur, sizeof dur, w->present_ms);
        g_string_append_printf(o, "<tr class=\"%s\"><td>%zu</td>",
                               w->first_join_ms ? "came" : "absent", i + 1);
        cell(o, w->name);
        cell(o, !w->on_roster ? L->other
                : russian     ? veche_report_role_ru(w->role)
                              : veche_access_role_name(w->role));
        if (r->meeting)
            cell(o, w->voting ? L->yes : L->no);
        cell(o, w->present_now ? L->present : w->first_join_ms ? L->left : L->absent);
        cell(o, first);
        cell(o, last);
        cell(o, w->first_join_ms ? dur : "");
        g_string_append(o, "</tr>\n");
    }
    g_string_append(o, "</tbody></table>\n");
}

static void quorum_section(GString *o, const veche_report *r, const strings *L, const zone *z)
{
    g_string_append_printf(o, "<h2>%s</h2><p>%s: ", L->quorum, L->rule);
    esc(o, r->rule);
    g_string_append_printf(o, ". %s — %u / %u %s.</p>\n",
                           r->quorum.reached ? L->reached : L->not_reached, r->quorum.present,
                           r->quorum.voting, L->voting_present);
    if (r->n_log == 0)
        return;
    g_string_append_printf(o, "<h3>%s</h3><table><tbody>\n", L->log);
    for (size_t i = 0; i < r->n_log; i++) {
        char at[32];
        time_text(at, r->log[i].ts_ms, z);
        g_string_append_printf(o, "<tr><td>%s</td><td>%s</td><td>%u / %u</td></tr>\n", at,
                               r->log[i].reached ? L->reached : L->not_reached,
                               r->log[i].present, r->log[i].voting);
    }
    g_string_append(o, "</tbody></table>\n");
}

const char veche_report_css[] =
    "body{font-family:sans-serif;margin:2em;color:#000}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #888;padding:.25em .5em;text-align:left}"
    "tr.absent td{color:#555}"
    "@media print{body{margin:0}}";

char *veche_report_html(const veche_report *r, const char *lang, const char *time_zone)
{
    bool russian = lang && strcmp(lang, "ru") == 0;
    zone z = {veche_report_zone(time_zone),
              veche_config_time_zone_valid(time_zone) ? time_zone : "UTC"};
    const strings *L = russian ? &ru : &en;
    GString *o = g_string_new(NULL);
    g_string_append_printf(o, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                              "<title>%s: ", russian ? "ru" : "en", L->title);
    esc(o, r->event.title);
    /* inline, so that a saved page (vechectl attendance --html) keeps it;
     * the Content-Security-Policy allows exactly this block by its hash */
    g_string_append_printf(o, "</title><style>%s</style></head><body>\n<h1>", veche_report_css);
    g_string_append_printf(o, "%s: ", L->title);
    esc(o, r->event.title);
    char starts[32], ends[32], now[32];
    time_text(starts, r->event.starts_at * 1000, &z);
    time_text(ends, r->event.ends_at * 1000, &z);
    time_text(now, r->now_ms, &z);
    g_string_append_printf(o, "</h1>\n<p>%s: %s, %s – %s (%s)</p>\n",
                           L->event, r->meeting ? L->kind_meeting : L->kind_training, starts,
                           ends, z.name);
    g_string_append_printf(o, "<p class=\"zone\">%s: %s.</p>\n", L->zone, z.name);
    people_table(o, r, L, russian, &z);
    g_string_append_printf(o, "<h2>%s</h2><p>%s: %u. %s: %u. %s: %u. %s: %u.</p>\n", L->totals,
                           L->roster, r->roster, L->attended, r->attended, L->absent_n,
                           r->roster - r->attended, L->present_now, r->present_now);
    if (r->meeting)
        quorum_section(o, r, L, &z);
    g_string_append_printf(o, "<p><small>%s: %s (%s)</small></p>\n</body></html>\n",
                           L->generated, now, z.name);
    g_time_zone_unref(z.tz);
    return g_string_free(o, FALSE);
}
