/* chapters.c - chapters from marks, written as WebVTT (chapters.h). */
#include "chapters.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    int64_t t_ms;
    const char *kind;             /* static */
    char text[VECHE_SIDECAR_LABEL_MAX];
} chapter;

struct veche_chapters {
    GArray *list;                 /* of chapter, by time */
};

veche_chapters *veche_chapters_new(void)
{
    veche_chapters *c = g_new0(veche_chapters, 1);
    c->list = g_array_new(FALSE, TRUE, sizeof(chapter));
    chapter start = {0, "start", ""};
    g_array_append_val(c->list, start);
    return c;
}

void veche_chapters_free(veche_chapters *c)
{
    if (!c)
        return;
    g_array_free(c->list, TRUE);
    g_free(c);
}

size_t veche_chapters_count(const veche_chapters *c)
{
    return c->list->len;
}

/* Who a mark names: its own name, else the name on the participant's tracks. */
static const char *who(const veche_sidecar *s, const veche_sidecar_mark *m)
{
    if (m->label[0])
        return m->label;
    for (size_t i = 0; i < s->ntracks; i++)
        if (s->tracks[i].participant == m->participant && m->participant)
            return s->tracks[i].name;
    return "";
}

static void add(veche_chapters *c, int64_t t, const char *kind, const char *text)
{
    chapter *last = &g_array_index(c->list, chapter, c->list->len - 1);
    chapter ch = {t, kind, ""};
    snprintf(ch.text, sizeof ch.text, "%s", text);
    if (t < last->t_ms + VECHE_CHAPTER_MIN_GAP_MS && t >= last->t_ms) {
        ch.t_ms = last->t_ms;     /* keep the earlier start, name the later event */
        *last = ch;
        return;
    }
    g_array_append_val(c->list, ch);
}

void veche_chapters_add_part(veche_chapters *c, const veche_sidecar *s, int64_t offset_ms,
                             int64_t duration_ms)
{
    for (size_t i = 0; i < s->nmarks; i++) {
        const veche_sidecar_mark *m = &s->marks[i];
        if (m->t_ms >= duration_ms)
            break;
        const char *kind = m->what == VECHE_MARK_SCREEN_START  ? "screen"
                           : m->what == VECHE_MARK_FLOOR_GIVEN ? "floor"
                           : m->what == VECHE_MARK_CHAPTER     ? "chapter"
                                                               : NULL;
        if (kind)
            add(c, offset_ms + m->t_ms, kind, who(s, m));
    }
}

void veche_vtt_time(int64_t ms, char *out)
{
    if (ms < 0)
        ms = 0;
    snprintf(out, 16, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000 % 100),
             (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60), (long long)(ms % 1000));
}

/* Cue text: escaped, one line, no "-->". */
static void put_text(GString *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': g_string_append(out, "&amp;"); break;
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '\r':
        case '\n': g_string_append_c(out, ' '); break;
        default: g_string_append_c(out, *s);
        }
    }
}

char *veche_chapters_vtt(const veche_chapters *c, int64_t total_ms)
{
    GString *out = g_string_new("WEBVTT\n");
    unsigned n = 0;
    for (guint i = 0; i < c->list->len; i++) {
        const chapter *ch = &g_array_index(c->list, chapter, i);
        int64_t end = i + 1 < c->list->len ? g_array_index(c->list, chapter, i + 1).t_ms
                                           : total_ms;
        if (ch->t_ms >= total_ms || end <= ch->t_ms)
            continue;
        char a[16], b[16];
        veche_vtt_time(ch->t_ms, a);
        veche_vtt_time(end, b);
        g_string_append_printf(out, "\n%s-%u\n%s --> %s\n", ch->kind, ++n, a, b);
        put_text(out, ch->text[0] ? ch->text : "-");
        g_string_append_c(out, '\n');
    }
    char *r = strdup(out->str);
    g_string_free(out, TRUE);
    return r;
}
