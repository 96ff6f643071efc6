/* minutes_html.c - the minutes as a printable page laid out like a Russian
 * протокол заседания (heading, presiding and secretary, present / absent /
 * invited, quorum, the agenda, then per item СЛУШАЛИ / ГОЛОСОВАЛИ /
 * ПОСТАНОВИЛИ, signature lines, the digest), in Russian or English; and
 * the votes as CSV (minutes.h).  Self-contained HTML (inline CSS, no
 * script); every stored text is escaped. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "minutes.h"
#include "report.h"

typedef struct {
    const char *lang, *title, *of_meeting, *venue, *date, *scheduled, *actual, *presiding,
        *secretary, *present, *absent, *invited, *none, *quorum, *rule, *reached, *not_reached,
        *at_opening, *of, *agenda, *heard, *speaker, *voted, *decided, *no_decision, *kind_open,
        *kind_named, *kind_secret, *result, *adopted, *rejected, *chosen, *nobody, *still_open,
        *entitled, *counts_voted, *quorum_open, *quorum_close, *other_votes, *signature,
        *digest, *draft, *final, *zone, *for_, *against, *abstain, *no_quorum;
} strings;

static const strings en = {
    "en", "MINUTES", "of the meeting of", "Videoconference (Veche)", "Date", "Scheduled",
    "Held", "Presiding", "Secretary", "Present", "Absent", "Invited", "none", "Quorum", "rule",
    "present", "not present", "at the opening", "of", "AGENDA", "HEARD", "rapporteur", "VOTED",
    "DECIDED", "(no decision recorded)", "open", "named (roll-call)", "secret", "Result",
    "adopted", "not adopted", "chosen", "no option reached the majority", "still open",
    "entitled to vote", "voted", "quorum at opening", "quorum at closing",
    "Votes outside the agenda", "signature", "SHA-256 of the content", "DRAFT: not finalized",
    "Finalized", "Times are in the time zone", "for", "against", "abstain",
    "opened without quorum (the body warns)",
};

static const strings ru = {
    "ru", "ПРОТОКОЛ", "заседания", "Видеоконференция (Вече)", "Дата", "Время по плану",
    "Проведено", "Председательствующий", "Секретарь", "Присутствовали", "Отсутствовали",
    "Приглашённые", "нет", "Кворум", "правило", "имеется", "отсутствует", "при открытии", "из",
    "ПОВЕСТКА ДНЯ", "СЛУШАЛИ", "докладчик", "ГОЛОСОВАЛИ", "ПОСТАНОВИЛИ",
    "(решение не записано)", "открытое", "поимённое", "тайное", "Итог", "решение принято",
    "решение не принято", "избран вариант", "ни один вариант не набрал большинства",
    "голосование не закрыто", "с правом голоса", "проголосовали", "кворум при открытии",
    "кворум при закрытии", "Голосования вне повестки", "подпись",
    "Контрольная сумма SHA-256 содержания", "ПРОЕКТ: протокол не утверждён", "Утверждён",
    "Время указано в часовом поясе", "за", "против", "воздержались",
    "открыто без кворума (по правилам органа — с предупреждением)",
};

static const char *rule_text(const char *rule, bool russian)
{
    static const char *const names[][3] = {
        {"half-of-cast", "more than half of the votes cast", "более половины поданных голосов"},
        {"half-of-present", "more than half of those present",
         "более половины присутствующих"},
        {"half-of-members", "more than half of the members", "более половины членов органа"},
        {"two-thirds-of-cast", "two thirds of the votes cast",
         "не менее двух третей поданных голосов"},
        {"two-thirds-of-present", "two thirds of those present",
         "не менее двух третей присутствующих"},
        {"two-thirds-of-members", "two thirds of the members",
         "не менее двух третей членов органа"},
    };
    for (size_t i = 0; rule && i < G_N_ELEMENTS(names); i++)
        if (strcmp(rule, names[i][0]) == 0)
            return names[i][russian ? 2 : 1];
    return rule ? rule : "";
}

static void esc(GString *o, const char *s)
{
    char *e = g_markup_escape_text(s ? s : "", -1);
    g_string_append(o, e);
    g_free(e);
}

/* A person's name; an erased person (veche_store_person_erase: "erased
 * #ID") as "erased participant #ID" in the page's language. */
static void esc_name(GString *o, const strings *L, const char *name)
{
    static const char erased[] = "erased #";
    const char *id = name && strncmp(name, erased, sizeof erased - 1) == 0
                         ? name + sizeof erased - 1 : NULL;
    bool digits = id && *id;
    for (const char *c = id; digits && *c; c++)
        digits = *c >= '0' && *c <= '9';
    if (!digits) {
        esc(o, name);
        return;
    }
    g_string_append_printf(o, L->lang[0] == 'r' ? "удалённый участник №%s"
                                                : "erased participant #%s", id);
}

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t num(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* Agenda times may be seconds or milliseconds (agenda_item's writer decides). */
static int64_t as_ms(int64_t t)
{
    return t > 0 && t < 100000000000LL ? t * 1000 : t;
}

static void when(GString *o, GTimeZone *tz, int64_t ms)
{
    char buf[32];
    veche_report_local_time(ms, tz, buf);
    g_string_append(o, buf[0] ? buf : "—");
}

static void people(GString *o, const strings *L, GTimeZone *tz, const json_t *list, bool times)
{
    if (json_array_size(list) == 0) {
        g_string_append_printf(o, "<p>%s</p>", L->none);
        return;
    }
    g_string_append(o, "<ol>");
    size_t i;
    json_t *p;
    json_array_foreach(list, i, p) {
        g_string_append(o, "<li>");
        esc_name(o, L, str(p, "name"));
        veche_access_role role = VECHE_ACCESS_NONE;
        veche_access_role_parse(str(p, "role"), &role);
        g_string_append_printf(o, " (%s%s)", L == &ru ? veche_report_role_ru(role)
                                                      : veche_access_role_name(role),
                               json_is_true(json_object_get(p, "voting"))
                                   ? (L == &ru ? ", с правом голоса" : ", voting") : "");
        if (times && num(p, "firstJoin")) {
            g_string_append(o, ": ");
            when(o, tz, num(p, "firstJoin"));
            g_string_append(o, " – ");
            when(o, tz, num(p, "lastLeave"));
        }
        g_string_append(o, "</li>");
    }
    g_string_append(o, "</ol>");
}

static const char *find_role(const json_t *present, const char *role)
{
    size_t i;
    json_t *p;
    json_array_foreach(present, i, p)
        if (strcmp(str(p, "role"), role) == 0)
            return str(p, "name");
    return "";
}

static void quorum_line(GString *o, const strings *L, const char *label, const json_t *q)
{
    if (!json_is_object(q))
        return;
    g_string_append_printf(o, "%s: %s (%lld %s %lld)", label,
                           json_is_true(json_object_get(q, "reached")) ? L->reached
                                                                        : L->not_reached,
                           (long long)num(q, "present"), L->of, (long long)num(q, "voting"));
}

static const char *option_text(const strings *L, const json_t *v, size_t i)
{
    const char *o = json_string_value(json_array_get(json_object_get(v, "options"), i));
    if (json_is_true(json_object_get(v, "defaultOptions")))
        return i == 0 ? L->for_ : i == 1 ? L->against : L->abstain;
    return o ? o : "?";
}

static void vote_block(GString *o, const strings *L, GTimeZone *tz, const json_t *v)
{
    const char *kind = str(v, "kind");
    g_string_append_printf(o, "<div class=\"vote\"><p><b>%s:</b> ", L->voted);
    esc(o, str(v, "question"));
    g_string_append_printf(o, "<br>%s; %s: %s; ",
                           strcmp(kind, "named") == 0 ? L->kind_named
                           : strcmp(kind, "secret") == 0 ? L->kind_secret : L->kind_open,
                           L->rule, rule_text(str(v, "rule"), L == &ru));
    when(o, tz, num(v, "openedAt"));
    g_string_append(o, " – ");
    when(o, tz, num(v, "closedAt"));
    g_string_append(o, "<br>");
    quorum_line(o, L, L->quorum_open, json_object_get(v, "quorumAtOpening"));
    g_string_append(o, "; ");
    quorum_line(o, L, L->quorum_close, json_object_get(v, "quorumAtClosing"));
    if (json_is_true(json_object_get(v, "noQuorum")))
        g_string_append_printf(o, "<br><i>%s</i>", L->no_quorum);
    g_string_append_printf(o, "<br>%s: %lld, %s: %lld</p><table class=\"counts\"><tr>",
                           L->entitled, (long long)num(v, "entitled"), L->counts_voted,
                           (long long)num(v, "voted"));
    json_t *counts = json_object_get(v, "counts");
    for (size_t i = 0; i < json_array_size(counts); i++) {
        g_string_append(o, "<td>");
        esc(o, option_text(L, v, i));
        g_string_append_printf(o, ": <b>%lld</b></td>",
                               (long long)json_integer_value(json_array_get(counts, i)));
    }
    g_string_append(o, "</tr></table>");
    json_t *ballots = json_object_get(v, "ballots");
    if (json_array_size(ballots)) {
        g_string_append(o, "<table class=\"ballots\">");
        size_t i;
        json_t *b;
        json_array_foreach(ballots, i, b) {
            g_string_append(o, "<tr><td>");
            esc_name(o, L, str(b, "name"));
            g_string_append(o, "</td><td>");
            json_t *opt = json_object_get(b, "option");
            esc(o, json_is_integer(opt) ? option_text(L, v, (size_t)json_integer_value(opt))
                                        : "—");
            g_string_append(o, "</td></tr>");
        }
        g_string_append(o, "</table>");
    }
    const char *res = str(v, "result");
    g_string_append_printf(o, "<p><b>%s:</b> ", L->result);
    if (strcmp(res, "adopted") == 0)
        g_string_append(o, L->adopted);
    else if (strcmp(res, "rejected") == 0)
        g_string_append(o, L->rejected);
    else if (strcmp(res, "chosen") == 0) {
        g_string_append_printf(o, "%s «", L->chosen);
        esc(o, option_text(L, v, (size_t)num(v, "winner")));
        g_string_append(o, "»");
    } else
        g_string_append(o, strcmp(res, "open") == 0 ? L->still_open : L->nobody);
    g_string_append(o, "</p></div>");
}

static void votes_of(GString *o, const strings *L, GTimeZone *tz, const json_t *votes,
                     int64_t item)
{
    size_t i;
    json_t *v;
    json_array_foreach(votes, i, v)
        if (num(v, "agendaItem") == item)
            vote_block(o, L, tz, v);
}

const char veche_minutes_css[] =
    "body{font-family:'Times New Roman',serif;margin:2em auto;max-width:48em;color:#000}"
    "h1{text-align:center;font-size:1.4em;margin-bottom:0}"
    ".sub{text-align:center;margin-top:.2em}"
    "table{border-collapse:collapse;margin:.5em 0}"
    "td{border:1px solid #888;padding:.2em .5em}"
    ".vote{margin-left:1.5em}.sign{margin-top:3em;line-height:3em}"
    ".digest{font-family:monospace;font-size:.85em;word-break:break-all;margin-top:2em}"
    ".draft{color:#a00;font-weight:bold;text-align:center}"
    "@media print{body{margin:0}}";

static void head(GString *o, const strings *L, const json_t *c)
{
    const json_t *ev = json_object_get(c, "event");
    g_string_append_printf(o, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                              "<title>%s: ", L->lang, L->title);
    esc(o, str(ev, "title"));
    /* inline, so that a saved page (vechectl) keeps it; the server's
     * Content-Security-Policy allows exactly this block by its hash */
    g_string_append_printf(o, "</title><style>%s</style></head><body>", veche_minutes_css);
}

char *veche_minutes_html(const json_t *c, const veche_minutes_state *m, const char *lang,
                         const char *time_zone)
{
    const strings *L = lang && strcmp(lang, "ru") == 0 ? &ru : &en;
    GTimeZone *tz = veche_report_zone(time_zone);
    const json_t *ev = json_object_get(c, "event"), *present = json_object_get(c, "present");
    GString *o = g_string_new(NULL);
    head(o, L, c);
    if (!m->finalized)
        g_string_append_printf(o, "<p class=\"draft\">%s</p>", L->draft);
    g_string_append_printf(o, "<h1>%s № %lld</h1><p class=\"sub\">%s ", L->title,
                           (long long)num(ev, "id"), L->of_meeting);
    esc(o, str(ev, "body"));
    g_string_append(o, "<br>");
    esc(o, str(ev, "organization"));
    g_string_append(o, "</p><p>");
    esc(o, str(ev, "title"));
    g_string_append_printf(o, "<br>%s: ", L->scheduled);
    when(o, tz, num(ev, "startsAt"));
    int64_t first = 0, last = 0;
    size_t i;
    json_t *p;
    json_array_foreach(present, i, p) {
        int64_t f = num(p, "firstJoin"), l = num(p, "lastLeave");
        if (f && (!first || f < first))
            first = f;
        if (l > last)
            last = l;
    }
    g_string_append_printf(o, "<br>%s: ", L->actual);
    when(o, tz, first);
    g_string_append(o, " – ");
    when(o, tz, last);
    g_string_append_printf(o, "<br>%s<br>%s %s</p>", L->venue, L->zone,
                           veche_config_time_zone_valid(time_zone) ? time_zone : "UTC");
    /* the roster's chair and secretary, present or not */
    const json_t *absent = json_object_get(c, "absent");
    const char *chair = find_role(present, "chair"), *sec = find_role(present, "secretary");
    if (!*chair)
        chair = find_role(absent, "chair");
    if (!*sec)
        sec = find_role(absent, "secretary");
    g_string_append_printf(o, "<p>%s: ", L->presiding);
    esc_name(o, L, chair);
    g_string_append_printf(o, "<br>%s: ", L->secretary);
    esc_name(o, L, sec);
    g_string_append_printf(o, "</p><h2>%s</h2>", L->present);
    people(o, L, tz, present, true);
    g_string_append_printf(o, "<h2>%s</h2>", L->absent);
    people(o, L, tz, json_object_get(c, "absent"), false);
    g_string_append_printf(o, "<h2>%s</h2>", L->invited);
    people(o, L, tz, json_object_get(c, "invited"), true);
    g_string_append_printf(o, "<h2>%s</h2><p>%s: ", L->quorum, L->rule);
    esc(o, str(ev, "quorumRule"));
    const json_t *log = json_object_get(c, "quorumLog");
    if (json_array_size(log)) {
        g_string_append(o, "<br>");
        const json_t *q0 = json_array_get(log, 0);
        json_array_foreach(log, i, p)
            if (json_is_true(json_object_get(p, "reached"))) {
                q0 = p;
                break;
            }
        quorum_line(o, L, L->at_opening, q0);
        g_string_append(o, ", ");
        when(o, tz, num(q0, "at"));
    }
    g_string_append(o, "</p>");
    const json_t *agenda = json_object_get(c, "agenda"), *votes = json_object_get(c, "votes");
    g_string_append_printf(o, "<h2>%s</h2><ol>", L->agenda);
    json_array_foreach(agenda, i, p) {
        g_string_append(o, "<li>");
        esc(o, str(p, "title"));
        g_string_append(o, "</li>");
    }
    g_string_append(o, "</ol>");
    json_array_foreach(agenda, i, p) {
        g_string_append_printf(o, "<h3>%zu. %s:</h3><p>", i + 1, L->heard);
        esc(o, str(p, "title"));
        if (*str(p, "speaker")) {
            g_string_append_printf(o, " (%s: ", L->speaker);
            esc_name(o, L, str(p, "speaker"));
            g_string_append(o, ")");
        }
        g_string_append(o, "<br>");
        when(o, tz, as_ms(num(p, "startedAt")));
        g_string_append(o, " – ");
        when(o, tz, as_ms(num(p, "endedAt")));
        g_string_append(o, "</p>");
        votes_of(o, L, tz, votes, num(p, "id"));
        g_string_append_printf(o, "<p><b>%s:</b> ", L->decided);
        const char *d = str(p, "decision");
        esc(o, *d ? d : L->no_decision);
        g_string_append(o, "</p>");
    }
    bool outside = false;
    json_array_foreach(votes, i, p)
        outside = outside || !json_is_integer(json_object_get(p, "agendaItem"));
    if (outside) {
        g_string_append_printf(o, "<h3>%s</h3>", L->other_votes);
        votes_of(o, L, tz, votes, 0);
    }
    g_string_append_printf(o, "<div class=\"sign\">%s ____________________ / ", L->presiding);
    esc(o, chair);
    g_string_append_printf(o, " /<br>%s ____________________ / ", L->secretary);
    esc(o, sec);
    g_string_append(o, " /</div>");
    char digest[65];
    if (m->finalized)
        g_strlcpy(digest, m->digest, sizeof digest);
    else
        veche_minutes_digest(c, digest);
    g_string_append_printf(o, "<p class=\"digest\">%s: %s", L->digest, digest);
    if (m->finalized) {
        g_string_append_printf(o, "<br>%s: ", L->final);
        when(o, tz, m->finalized_at * 1000);
    }
    g_string_append(o, "</p></body></html>\n");
    g_time_zone_unref(tz);
    return g_string_free(o, FALSE);
}

static void csv_field(GString *o, const char *s)
{
    g_string_append_c(o, '"');
    for (; s && *s; s++) {
        if (*s == '"')
            g_string_append_c(o, '"');
        g_string_append_c(o, *s);
    }
    g_string_append(o, "\",");
}

static void csv_join(GString *o, const json_t *a, bool ints)
{
    GString *t = g_string_new(NULL);
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *x = json_array_get(a, i);
        if (i)
            g_string_append_c(t, ';');
        if (ints)
            g_string_append_printf(t, "%lld", (long long)json_integer_value(x));
        else
            g_string_append(t, json_string_value(x) ? json_string_value(x) : "");
    }
    csv_field(o, t->str);
    g_string_free(t, TRUE);
}

char *veche_minutes_votes_csv(const json_t *c)
{
    GString *o = g_string_new("vote_id,agenda_item,question,kind,rule,options,counts,voted,"
                              "entitled,members,result,opened_utc,closed_utc,quorum_open,"
                              "quorum_close,named_ballots\r\n");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(c, "votes"), i, v) {
        char buf[64], t[32];
        snprintf(buf, sizeof buf, "%lld", (long long)num(v, "id"));
        csv_field(o, buf);
        snprintf(buf, sizeof buf, "%lld", (long long)num(v, "agendaItem"));
        csv_field(o, num(v, "agendaItem") ? buf : "");
        csv_field(o, str(v, "question"));
        csv_field(o, str(v, "kind"));
        csv_field(o, str(v, "rule"));
        csv_join(o, json_object_get(v, "options"), false);
        csv_join(o, json_object_get(v, "counts"), true);
        const char *nums[] = {"voted", "entitled", "members"};
        for (size_t k = 0; k < 3; k++) {
            snprintf(buf, sizeof buf, "%lld", (long long)num(v, nums[k]));
            csv_field(o, buf);
        }
        csv_field(o, str(v, "result"));
        veche_report_time(num(v, "openedAt"), t);
        csv_field(o, t);
        veche_report_time(num(v, "closedAt"), t);
        csv_field(o, t);
        const char *qs[] = {"quorumAtOpening", "quorumAtClosing"};
        for (size_t k = 0; k < 2; k++) {
            json_t *q = json_object_get(v, qs[k]);
            snprintf(buf, sizeof buf, "%s %lld/%lld",
                     json_is_true(json_object_get(q, "reached")) ? "reached" : "not reached",
                     (long long)num(q, "present"), (long long)num(q, "voting"));
            csv_field(o, json_is_object(q) ? buf : "");
        }
        GString *b = g_string_new(NULL);
        size_t j;
        json_t *x;
        json_array_foreach(json_object_get(v, "ballots"), j, x) {
            json_t *opt = json_object_get(x, "option");
            const char *name = json_is_integer(opt)
                ? json_string_value(json_array_get(json_object_get(v, "options"),
                                                   (size_t)json_integer_value(opt)))
                : NULL;
            g_string_append_printf(b, "%s%s=%s", j ? ";" : "", str(x, "name"),
                                   name ? name : "");
        }
        csv_field(o, b->str);
        g_string_free(b, TRUE);
        o->str[o->len - 1] = '\r';  /* the last field's comma */
        g_string_append_c(o, '\n');
    }
    return g_string_free(o, FALSE);
}
