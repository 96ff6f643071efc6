/* ctl.c - parse the recorder's control lines (ctl.h). */
#include "ctl.h"

#include <glib.h>
#include <string.h>

static const struct {
    const char *name;
    veche_rec_cmd_type type;
} cmds[] = {
    {"open", VECHE_REC_OPEN},   {"tracks", VECHE_REC_TRACKS}, {"mark", VECHE_REC_MARK},
    {"stop", VECHE_REC_STOP},   {"repair", VECHE_REC_REPAIR}, {"quit", VECHE_REC_QUIT},
};

static int fail(char *reason, size_t size, const char *what)
{
    g_strlcpy(reason, what, size);
    return -1;
}

/* A non-empty string member without NUL bytes or newlines, copied. */
static char *dup_string(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) == 0 ||
        strlen(json_string_value(v)) != json_string_length(v) ||
        strchr(json_string_value(v), '\n'))
        return NULL;
    return g_strdup(json_string_value(v));
}

static int parse_track(json_t *t, veche_rec_track *out)
{
    json_t *ssrc = json_object_get(t, "ssrc"), *pt = json_object_get(t, "pt");
    const char *codec = json_string_value(json_object_get(t, "codec"));
    if (!json_is_integer(ssrc) || json_integer_value(ssrc) < 0 ||
        json_integer_value(ssrc) > 0xffffffffLL || !json_is_integer(pt) ||
        json_integer_value(pt) < 0 || json_integer_value(pt) > 127 || !codec ||
        (strcmp(codec, "vp8") && strcmp(codec, "opus")))
        return -1;
    out->ssrc = (uint32_t)json_integer_value(ssrc);
    out->pt = (uint8_t)json_integer_value(pt);
    out->video = strcmp(codec, "vp8") == 0;
    out->info = json_deep_copy(t);
    if (!out->info)
        return -1;
    json_object_del(out->info, "ssrc");
    json_object_del(out->info, "pt");
    json_object_del(out->info, "type");
    json_object_del(out->info, "track");
    return 0;
}

static int parse_tracks(json_t *root, veche_rec_cmd *out, char *reason, size_t size)
{
    json_t *arr = json_object_get(root, "tracks");
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return fail(reason, size, "tracks: a non-empty array is needed");
    if (json_array_size(arr) > VECHE_REC_MAX_TRACKS)
        return fail(reason, size, "tracks: too many");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *t = json_array_get(arr, i);
        if (!json_is_object(t) || parse_track(t, &out->tracks[out->n_tracks]) != 0)
            return fail(reason, size, "tracks: each needs ssrc, pt and codec vp8 or opus");
        for (unsigned j = 0; j < out->n_tracks; j++)
            if (out->tracks[j].ssrc == out->tracks[out->n_tracks].ssrc) {
                out->n_tracks++;
                return fail(reason, size, "tracks: an ssrc is repeated");
            }
        out->n_tracks++;
    }
    return 0;
}

static int parse_body(json_t *root, veche_rec_cmd *out, char *reason, size_t size)
{
    switch (out->type) {
    case VECHE_REC_OPEN: {
        out->path = dup_string(root, "path");
        out->meta = dup_string(root, "meta");
        out->bind = dup_string(root, "bind");
        json_t *h = json_object_get(root, "header");
        json_t *mf = json_object_get(root, "min_free_mb");
        if (!out->path || !out->meta || !json_is_object(h))
            return fail(reason, size, "open: path, meta and header are needed");
        out->header = json_incref(h);
        out->min_free_mb = json_is_integer(mf) && json_integer_value(mf) > 0
                               ? json_integer_value(mf) : 0;
        return 0;
    }
    case VECHE_REC_TRACKS:
        return parse_tracks(root, out, reason, size);
    case VECHE_REC_MARK: {
        json_t *mk = json_object_get(root, "mark");
        if (!json_is_object(mk) || !json_is_string(json_object_get(mk, "what")))
            return fail(reason, size, "mark: an object with `what` is needed");
        out->mark = json_incref(mk);
        return 0;
    }
    case VECHE_REC_REPAIR:
        out->path = dup_string(root, "path");
        return out->path ? 0 : fail(reason, size, "repair: path is needed");
    case VECHE_REC_STOP:
    case VECHE_REC_QUIT:
        return 0;
    }
    return fail(reason, size, "unknown command");
}

int veche_rec_ctl_parse(const char *line, size_t len, veche_rec_cmd *out, char *reason,
                        size_t reason_size)
{
    memset(out, 0, sizeof *out);
    if (len > VECHE_REC_MAX_LINE)
        return fail(reason, reason_size, "line too long");
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return fail(reason, reason_size, "not a JSON object");
    }
    const char *cmd = json_string_value(json_object_get(root, "cmd"));
    json_t *part = json_object_get(root, "part");
    int rc = -1;
    size_t i;
    for (i = 0; cmd && i < G_N_ELEMENTS(cmds); i++)
        if (strcmp(cmd, cmds[i].name) == 0)
            break;
    if (!cmd || i == G_N_ELEMENTS(cmds)) {
        fail(reason, reason_size, "unknown or missing cmd");
    } else if (cmds[i].type != VECHE_REC_QUIT &&
               (!json_is_integer(part) || json_integer_value(part) <= 0)) {
        fail(reason, reason_size, "part: a positive integer is needed");
    } else {
        out->type = cmds[i].type;
        out->part = json_is_integer(part) ? json_integer_value(part) : 0;
        rc = parse_body(root, out, reason, reason_size);
    }
    json_decref(root);
    if (rc != 0)
        veche_rec_ctl_clear(out);
    return rc;
}

void veche_rec_ctl_clear(veche_rec_cmd *cmd)
{
    g_free(cmd->path);
    g_free(cmd->meta);
    g_free(cmd->bind);
    json_decref(cmd->header);
    json_decref(cmd->mark);
    for (unsigned i = 0; i < cmd->n_tracks; i++)
        json_decref(cmd->tracks[i].info);
    memset(cmd, 0, sizeof *cmd);
}
