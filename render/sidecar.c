/* sidecar.c - the JSON Lines sidecar reader (sidecar.h, docs/recording.md). */
#include "sidecar.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    veche_mark_what what;
} mark_names[] = {
    {"screen_start", VECHE_MARK_SCREEN_START}, {"screen_stop", VECHE_MARK_SCREEN_STOP},
    {"floor_given", VECHE_MARK_FLOOR_GIVEN},   {"floor_taken", VECHE_MARK_FLOOR_TAKEN},
    {"speaker", VECHE_MARK_SPEAKER},           {"chapter", VECHE_MARK_CHAPTER},
};

static const struct {
    const char *name;
    veche_track_kind kind;
} kind_names[] = {
    {"camera", VECHE_TRACK_CAMERA},
    {"screen", VECHE_TRACK_SCREEN},
    {"audio", VECHE_TRACK_AUDIO},
};

static void copy_str(char *out, size_t cap, json_t *v)
{
    const char *s = json_string_value(v);
    snprintf(out, cap, "%s", s ? s : "");
}

/* An integer member >= 0, or -1. */
static int64_t get_uint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
}

/* Who a line names: the room's participant id, which the recorder writes
 * as a string ("407dbc79"), or a number (older sidecars, fixtures); 0 for
 * nobody.  A string becomes a positive number (FNV-1a, 62 bits), so equal
 * ids compare equal. */
static int64_t get_participant(json_t *o)
{
    json_t *v = json_object_get(o, "participant");
    if (json_is_integer(v))
        return json_integer_value(v) > 0 ? json_integer_value(v) : 0;
    const char *str = json_string_value(v);
    if (!str || !*str)
        return 0;
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *c = (const unsigned char *)str; *c; c++)
        h = (h ^ *c) * 1099511628211ULL;
    return (int64_t)(h >> 2) | 1;
}

static int line_header(veche_sidecar *s, json_t *o)
{
    s->event_id = get_uint(o, "event_id");
    s->part = (int)get_uint(o, "part");
    s->t0_ms = get_uint(o, "t0_ms");
    return s->event_id < 0 || s->part < 1 || s->t0_ms < 0 ? -1 : 0;
}

static int line_track(veche_sidecar *s, json_t *o)
{
    if (s->ntracks == VECHE_SIDECAR_MAX_TRACKS)
        return -1;
    veche_sidecar_track *t = &s->tracks[s->ntracks];
    memset(t, 0, sizeof *t);
    int64_t n = get_uint(o, "track");
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (n < 1 || n > 1000 || !kind)
        return -1;
    size_t i;
    for (i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(kind, kind_names[i].name) == 0)
            break;
    if (i == sizeof kind_names / sizeof kind_names[0])
        return 0;  /* a kind we do not know: ignored */
    t->number = (int)n;
    t->kind = kind_names[i].kind;
    t->participant = get_participant(o);
    copy_str(t->role, sizeof t->role, json_object_get(o, "role"));
    copy_str(t->name, sizeof t->name, json_object_get(o, "name"));
    s->ntracks++;
    return 0;
}

static int line_mark(veche_sidecar *s, json_t *o, size_t *cap)
{
    const char *what = json_string_value(json_object_get(o, "what"));
    int64_t t = get_uint(o, "t_ms");
    if (!what || t < 0)
        return -1;
    size_t i;
    for (i = 0; i < sizeof mark_names / sizeof mark_names[0]; i++)
        if (strcmp(what, mark_names[i].name) == 0)
            break;
    if (i == sizeof mark_names / sizeof mark_names[0])
        return 0;
    if (s->nmarks == VECHE_SIDECAR_MAX_MARKS)
        return -1;
    if (s->nmarks == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        s->marks = realloc(s->marks, *cap * sizeof *s->marks);
        if (!s->marks)
            abort();
    }
    veche_sidecar_mark *m = &s->marks[s->nmarks++];
    memset(m, 0, sizeof *m);
    m->t_ms = t;
    m->what = mark_names[i].what;
    m->participant = get_participant(o);
    copy_str(m->label, sizeof m->label,
             json_object_get(o, m->what == VECHE_MARK_CHAPTER ? "label" : "name"));
    return 0;
}

static int by_time(const void *a, const void *b)
{
    const veche_sidecar_mark *x = a, *y = b;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return x < y ? -1 : x > y;  /* stable: qsort never compares equal pointers */
}

/* One line; 0 or -1 with err filled. */
static int parse_line(veche_sidecar *s, const char *p, size_t n, size_t lineno, size_t *cap,
                      bool *seen_header, char *err, size_t errcap)
{
    json_error_t jerr;
    json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &jerr);
    int rc = 0;
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!json_is_object(o) || !type) {
        snprintf(err, errcap, "line %zu: not a JSON object with a type", lineno);
        rc = -1;
    } else if (strcmp(type, "header") == 0) {
        rc = line_header(s, o);
        *seen_header = true;
    } else if (strcmp(type, "track") == 0) {
        rc = line_track(s, o);
    } else if (strcmp(type, "mark") == 0) {
        rc = line_mark(s, o, cap);
    } else if (strcmp(type, "end") == 0) {
        s->end_ms = get_uint(o, "t_ms");
        rc = s->end_ms < 0 ? -1 : 0;
    }
    if (rc < 0 && !err[0])
        snprintf(err, errcap, "line %zu: bad or missing members for \"%s\"", lineno, type);
    json_decref(o);
    return rc;
}

int veche_sidecar_parse(const char *text, size_t len, veche_sidecar **out, char *err,
                        size_t errcap)
{
    char dummy[8];
    if (!err || !errcap) {
        err = dummy;
        errcap = sizeof dummy;
    }
    err[0] = '\0';
    *out = NULL;
    veche_sidecar *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->end_ms = -1;
    size_t cap = 0, lineno = 0;
    bool seen_header = false;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        /* A line cut by a crash (the last, without its newline) is dropped. */
        bool blank = n == 0 || (n == 1 && p[0] == '\r');
        if (!blank) {
            if (!nl) {
                json_t *probe = json_loadb(p, n, 0, NULL);
                if (!probe)
                    break;
                json_decref(probe);
            }
            if (parse_line(s, p, n, lineno, &cap, &seen_header, err, errcap) < 0) {
                veche_sidecar_free(s);
                return -1;
            }
        }
        p += n + (nl ? 1 : 0);
    }
    if (!seen_header) {
        snprintf(err, errcap, "no header line");
        veche_sidecar_free(s);
        return -1;
    }
    if (s->nmarks > 1)
        qsort(s->marks, s->nmarks, sizeof *s->marks, by_time);
    *out = s;
    return 0;
}

void veche_sidecar_free(veche_sidecar *s)
{
    if (!s)
        return;
    free(s->marks);
    free(s);
}

const veche_sidecar_track *veche_sidecar_track_get(const veche_sidecar *s, int number)
{
    for (size_t i = 0; i < s->ntracks; i++)
        if (s->tracks[i].number == number)
            return &s->tracks[i];
    return NULL;
}

const veche_sidecar_track *veche_sidecar_track_of(const veche_sidecar *s, int64_t participant,
                                                  veche_track_kind kind)
{
    for (size_t i = 0; i < s->ntracks; i++)
        if (s->tracks[i].participant == participant && s->tracks[i].kind == kind)
            return &s->tracks[i];
    return NULL;
}

int64_t veche_sidecar_trainer(const veche_sidecar *s)
{
    for (size_t i = 0; i < s->ntracks; i++)
        if (strcmp(s->tracks[i].role, "trainer") == 0)
            return s->tracks[i].participant;
    for (size_t i = 0; i < s->ntracks; i++)
        if (s->tracks[i].kind == VECHE_TRACK_CAMERA)
            return s->tracks[i].participant;
    return 0;
}
