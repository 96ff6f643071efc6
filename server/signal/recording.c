/* recording.c - rooms' recordings on the main thread (recording.h). */
#include "recording.h"

#include <glib/gstdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "recorder_proc.h"

typedef enum { ST_STORE, ST_OPENING, ST_TAPPING, ST_STARTING, ST_ON, ST_STOPPING } rec_state;

static const char *const state_names[] = {"store", "opening", "tapping", "starting", "on",
                                          "stopping"};

typedef struct {
    char room[VECHE_ROOM_ID_MAX + 1];
    int64_t event_id;
    veche_recording_row row;     /* id 0 until the store wrote it */
    rec_state state;
    bool stop_wanted;            /* a stop came before ON */
    char by[VECHE_PARTICIPANT_ID_LEN];  /* who started it */
    uint64_t client;             /* their connection (answers, warnings) */
    json_t *id;                  /* the record-start's id until answered */
    int64_t started_by, stopped_by;
    GHashTable *screens;         /* track ids of screen shares */
    GPtrArray *screen_owners;    /* participants sharing a screen at the part's start */
    char last_mark[64];          /* to fold a repeated event into one mark */
    /* A track that starts while recording cannot join the part (Matroska's
     * header is written): the part closes and the next one starts with
     * every track, the room still told "recording" throughout. */
    bool rotate;                 /* this part is stopping to start the next */
    bool rotate_wanted;          /* a track came while starting: rotate once ON */
    bool continuing;             /* the next part is starting (not yet ON) */
} rec_room;

struct veche_recording {
    /* passed by argument */
    const veche_config *cfg;
    veche_storeq *storeq;
    veche_recording_env env;
    /* allocated by this */
    veche_recproc *proc;
    GHashTable *rooms;           /* room id -> rec_room*, owned */
    GHashTable *by_part;         /* recording id (gint64) -> rec_room*, not owned */
    GArray *to_repair;           /* veche_recording_row: when the recorder is ready */
    bool ready;
    veche_recording_stats stats; /* counters (active is counted when read) */
};

static void rec_room_free(gpointer p)
{
    rec_room *rr = p;
    json_decref(rr->id);
    g_hash_table_destroy(rr->screens);
    g_ptr_array_free(rr->screen_owners, TRUE);
    g_free(rr);
}

static int refuse(veche_sfu_error *err, const char *code, const char *reason)
{
    err->code = code;
    g_strlcpy(err->reason, reason, sizeof err->reason);
    return VECHE_EINVAL;
}

static int64_t now_s(void)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

static char *abs_path(const veche_recording *r, const char *rel)
{
    return g_build_filename(r->cfg->data_dir, rel, NULL);
}

static void send_cmd(veche_recording *r, json_t *cmd)
{
    if (veche_recproc_send(r->proc, cmd) != 0)
        VLOG_WARN(NULL, NULL, "recorder: command not sent (not running)");
    json_decref(cmd);
}

static void tell_room(veche_recording *r, const rec_room *rr, bool on, const char *reason)
{
    json_t *msg = json_pack("{s:s, s:b}", "type", "recording", "recording", on);
    if (on)
        json_object_set_new(msg, "by", json_string(rr->by));
    if (reason)
        json_object_set_new(msg, "reason", json_string(reason));
    r->env.send_room(r->env.ud, rr->room, msg);
}

static void answer(veche_recording *r, rec_room *rr, const char *code, const char *reason)
{
    json_t *msg = code ? json_pack("{s:s, s:s, s:s}", "type", "error", "code", code, "reason",
                                   reason)
                       : (rr->id ? json_pack("{s:s}", "type", "ok") : NULL);
    if (msg && rr->id)
        json_object_set(msg, "id", rr->id);
    if (msg)
        r->env.send_client(r->env.ud, rr->client, msg);
    json_decref(rr->id);
    rr->id = NULL;
}

/* ---- the `recording` table ---- */

static void rec_end(veche_recording *r, int64_t id, const char *state, int64_t stopped_by,
                    int64_t bytes)
{
    if (!id)
        return;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_REC_END);
    req->rec.id = id;
    g_strlcpy(req->rec_state, state, sizeof req->rec_state);
    req->person_id = stopped_by;
    req->now = now_s();
    req->bytes = bytes;
    veche_storeq_submit(r->storeq, req, NULL, NULL, NULL);
    VLOG_INFO(NULL, NULL, "recording %lld: %s, %lld bytes", (long long)id, state,
              (long long)bytes);
    if (strcmp(state, "failed") == 0) {
        r->stats.parts_failed++;
        return;
    }
    if (strcmp(state, "repaired") == 0)
        r->stats.parts_repaired++;
    else
        r->stats.parts_closed++;
    r->stats.bytes += bytes > 0 ? (uint64_t)bytes : 0;
}

/* The room's recording is over (closed, failed or lost). */
static void room_done(veche_recording *r, rec_room *rr)
{
    if (rr->row.id)
        g_hash_table_remove(r->by_part, &rr->row.id);
    g_hash_table_remove(r->rooms, rr->room);
}

static void fail_room(veche_recording *r, rec_room *rr, const char *code, const char *reason)
{
    VLOG_WARN(rr->room, rr->by, "recording failed (%s): %s", code, reason);
    if (rr->state >= ST_TAPPING)
        r->env.post(r->env.ud, veche_sfu_cmd_new(VECHE_CMD_REC_STOP, rr->room, NULL, 0, 0));
    if (rr->state >= ST_OPENING)
        send_cmd(r, json_pack("{s:s, s:I}", "cmd", "stop", "part", (json_int_t)rr->row.id));
    rec_end(r, rr->row.id, "failed", 0, 0);
    bool was_on = rr->state == ST_ON || rr->continuing;
    answer(r, rr, code, reason);
    if (was_on)
        tell_room(r, rr, false, code);
    room_done(r, rr);
}

/* ---- the steps ---- */

typedef struct {
    veche_recording *r;
    char room[VECHE_ROOM_ID_MAX + 1];
} store_ud;

/* STORE done: the part's row exists; open it in the recorder. */
static void stored(void *ud, veche_storeq_req *req)
{
    store_ud *su = ud;
    veche_recording *r = su->r;
    rec_room *rr = g_hash_table_lookup(r->rooms, su->room);
    if (!rr || rr->state != ST_STORE)
        return;
    if (req->rc == VECHE_EDENIED) {
        fail_room(r, rr, "forbidden", "this body's settings do not allow recording its meetings");
        return;
    }
    if (req->rc != 0) {
        fail_room(r, rr, "internal", "the recording could not be registered");
        return;
    }
    rr->row = req->rec;
    gint64 *key = g_new(gint64, 1);
    *key = rr->row.id;
    g_hash_table_insert(r->by_part, key, rr);
    char *path = abs_path(r, rr->row.path), *meta = abs_path(r, rr->row.meta_path);
    json_t *header = json_pack("{s:I, s:i, s:s}", "event_id", (json_int_t)rr->event_id, "part",
                               rr->row.part, "room", rr->room);
    send_cmd(r, json_pack("{s:s, s:I, s:s, s:s, s:o, s:I, s:s}", "cmd", "open", "part",
                          (json_int_t)rr->row.id, "path", path, "meta", meta, "header", header,
                          "min_free_mb", (json_int_t)r->cfg->recording_min_free_mb, "bind",
                          r->cfg->recorder_address));
    g_free(path);
    g_free(meta);
    rr->state = ST_OPENING;
    VLOG_INFO(rr->room, rr->by, "recording: part %d (id %lld) opening", rr->row.part,
              (long long)rr->row.id);
}

/* OPENING done: the recorder listens; the room's worker starts its tap. */
static void opened(veche_recording *r, rec_room *rr, json_t *ev)
{
    json_int_t rtp = json_integer_value(json_object_get(ev, "rtp"));
    json_int_t rtcp = json_integer_value(json_object_get(ev, "rtcp"));
    if (rr->state != ST_OPENING || rtp <= 0 || rtp > 65535 || rtcp <= 0 || rtcp > 65535)
        return;
    veche_sfu_cmd *cmd = veche_sfu_cmd_new(VECHE_CMD_REC_START, rr->room, rr->by, rr->client, 0);
    cmd->text = g_strdup(r->cfg->recorder_address);
    cmd->rec_rtp_port = (uint16_t)rtp;
    cmd->rec_rtcp_port = (uint16_t)rtcp;
    cmd->rec_part = rr->row.id;
    rr->state = ST_TAPPING;
    r->env.post(r->env.ud, cmd);
}

static const char *track_kind(const veche_sfu_rec_track *t)
{
    if (t->kind == VECHE_SDP_AUDIO)
        return "audio";
    return strcmp(t->source, "screen") == 0 ? "screen" : "camera";
}

/* TAPPING done: the worker forwards these tracks; the recorder builds its
 * pipeline for them. */
static void tracks(veche_recording *r, rec_room *rr, const veche_sfu_event *ev)
{
    if (rr->state != ST_TAPPING)
        return;
    if (ev->n_rec_tracks == 0) {
        fail_room(r, rr, "nothing-to-record", "nobody sends audio or video yet");
        return;
    }
    json_t *arr = json_array();
    for (unsigned i = 0; i < ev->n_rec_tracks; i++) {
        const veche_sfu_rec_track *t = &ev->rec_tracks[i];
        int64_t person = r->env.person_of(r->env.ud, rr->room, t->participant);
        json_array_append_new(arr, json_pack(
            "{s:I, s:i, s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "ssrc", (json_int_t)t->ssrc, "pt",
            (int)t->pt, "codec", t->kind == VECHE_SDP_VIDEO ? "vp8" : "opus", "kind",
            track_kind(t), "participant", t->participant, "track_id", t->track, "person_id",
            person ? json_integer(person) : json_null(), "name", t->name ? t->name : "",
            "role", veche_role_name(ev->kind, t->role)));
        if (strcmp(t->source, "screen") == 0) {
            g_hash_table_add(rr->screens, g_strdup(t->track));
            g_ptr_array_add(rr->screen_owners, g_strdup(t->participant));
        }
    }
    send_cmd(r, json_pack("{s:s, s:I, s:o}", "cmd", "tracks", "part", (json_int_t)rr->row.id,
                          "tracks", arr));
    rr->state = ST_STARTING;
}

/* Close the part: the recording's end (rotate false) or, for a track
 * that started meanwhile, the step to the next part (rotate true). */
static void close_part(veche_recording *r, rec_room *rr, bool rotate)
{
    r->env.post(r->env.ud, veche_sfu_cmd_new(VECHE_CMD_REC_STOP, rr->room, NULL, 0, 0));
    send_cmd(r, json_pack("{s:s, s:I}", "cmd", "stop", "part", (json_int_t)rr->row.id));
    rr->state = ST_STOPPING;
    rr->rotate = rotate;
    VLOG_INFO(rr->room, NULL, "recording: part %d stopping%s", rr->row.part,
              rotate ? " (a new track: the next part follows)" : "");
}

static void stop_room(veche_recording *r, rec_room *rr, int64_t by)
{
    if (rr->state == ST_STOPPING && !rr->rotate)
        return;
    rr->stopped_by = by;
    if (rr->state != ST_ON) {
        rr->stop_wanted = true;  /* carried out once ON, or instead of the next part */
        return;
    }
    close_part(r, rr, false);
}

static void start_part(veche_recording *r, rec_room *rr);
static void mark(veche_recording *r, rec_room *rr, json_t *m);

/* STARTING done: recording. */
static void recording_on(veche_recording *r, rec_room *rr)
{
    if (rr->state != ST_STARTING)
        return;
    rr->state = ST_ON;
    VLOG_INFO(rr->room, rr->by, "recording: part %d on", rr->row.part);
    answer(r, rr, NULL, NULL);
    if (!rr->continuing)
        tell_room(r, rr, true, NULL);
    rr->continuing = false;
    /* screens already shared when the part began: the renderer's layout
     * follows screen_start marks */
    for (guint i = 0; i < rr->screen_owners->len; i++) {
        rr->last_mark[0] = '\0';
        mark(r, rr, json_pack("{s:s, s:s}", "what", "screen_start", "participant",
                              (const char *)g_ptr_array_index(rr->screen_owners, i)));
    }
    g_ptr_array_set_size(rr->screen_owners, 0);
    if (rr->stop_wanted)
        stop_room(r, rr, rr->stopped_by);
    else if (rr->rotate_wanted)
        close_part(r, rr, true);
    rr->rotate_wanted = false;
}

static void closed(veche_recording *r, rec_room *rr, json_t *ev)
{
    const char *why = json_string_value(json_object_get(ev, "why"));
    bool ok = json_is_true(json_object_get(ev, "ok"));
    json_int_t bytes = json_integer_value(json_object_get(ev, "bytes"));
    if (rr->state != ST_STOPPING)  /* the recorder stopped it (disk) */
        r->env.post(r->env.ud, veche_sfu_cmd_new(VECHE_CMD_REC_STOP, rr->room, NULL, 0, 0));
    VLOG_INFO(rr->room, NULL, "recording: part %d closed in %lld ms%s%s", rr->row.part,
              (long long)json_integer_value(json_object_get(ev, "close_ms")),
              why ? ": " : "", why ? why : "");
    bool disk = rr->state != ST_STOPPING;
    if (rr->rotate && !disk && !rr->stop_wanted && g_strcmp0(why, "disk-full") != 0) {
        rec_end(r, rr->row.id, ok ? "closed" : "failed", 0, bytes);
        start_part(r, rr);
        return;
    }
    rec_end(r, rr->row.id, ok ? "closed" : "failed", rr->stopped_by, bytes);
    if (rr->state == ST_ON || rr->state == ST_STOPPING)
        tell_room(r, rr, false, disk ? "disk-full" : NULL);
    else
        answer(r, rr, "internal", "the recorder could not start");
    room_done(r, rr);
}

static void recorder_error(veche_recording *r, rec_room *rr, json_t *ev)
{
    const char *code = json_string_value(json_object_get(ev, "code"));
    const char *reason = json_string_value(json_object_get(ev, "reason"));
    bool disk = g_strcmp0(code, "disk-full") == 0;
    VLOG_WARN(rr->room, NULL, "recorder: part %d: %s", rr->row.part, reason ? reason : "?");
    if (rr->state == ST_OPENING || rr->state == ST_STARTING || rr->state == ST_TAPPING)
        fail_room(r, rr, disk ? "disk-full" : "internal",
                  disk ? "not enough free disk space to record" : "the recorder failed");
}

static void repaired(veche_recording *r, json_t *ev)
{
    json_int_t id = json_integer_value(json_object_get(ev, "part"));
    bool ok = json_is_true(json_object_get(ev, "ok"));
    rec_end(r, id, ok ? "repaired" : "failed", 0,
            json_integer_value(json_object_get(ev, "bytes")));
}

static void send_repairs(veche_recording *r)
{
    for (guint i = 0; i < r->to_repair->len; i++) {
        veche_recording_row *row = &g_array_index(r->to_repair, veche_recording_row, i);
        char *path = abs_path(r, row->path);
        VLOG_INFO(row->room_id, NULL, "recording %lld: repairing %s", (long long)row->id, path);
        send_cmd(r, json_pack("{s:s, s:I, s:s}", "cmd", "repair", "part", (json_int_t)row->id,
                              "path", path));
        g_free(path);
    }
    g_array_set_size(r->to_repair, 0);
}

static void disk_low(veche_recording *r, rec_room *rr, json_t *ev)
{
    json_int_t free_mb = json_integer_value(json_object_get(ev, "free_mb"));
    VLOG_WARN(rr->room, NULL, "recording: disk low, %lld MB free", (long long)free_mb);
    r->env.send_client(r->env.ud, rr->client,
                       json_pack("{s:s, s:s, s:I}", "type", "recording-warning", "code",
                                 "disk-low", "freeMb", free_mb));
}

static void on_line(void *ud, json_t *ev)
{
    veche_recording *r = ud;
    const char *what = json_string_value(json_object_get(ev, "ev"));
    gint64 part = json_integer_value(json_object_get(ev, "part"));
    if (!what)
        return;
    if (strcmp(what, "ready") == 0) {
        r->ready = true;
        send_repairs(r);
        return;
    }
    if (strcmp(what, "repaired") == 0) {
        repaired(r, ev);
        return;
    }
    rec_room *rr = g_hash_table_lookup(r->by_part, &part);
    if (!rr)
        return;
    if (strcmp(what, "opened") == 0)
        opened(r, rr, ev);
    else if (strcmp(what, "recording") == 0)
        recording_on(r, rr);
    else if (strcmp(what, "closed") == 0)
        closed(r, rr, ev);
    else if (strcmp(what, "error") == 0)
        recorder_error(r, rr, ev);
    else if (strcmp(what, "disk-low") == 0)
        disk_low(r, rr, ev);
}

/* The recorder died: every part is lost to it; repair them when it is back. */
static void on_died(void *ud)
{
    veche_recording *r = ud;
    r->ready = false;
    r->stats.recorder_restarts++;
    GList *rooms = g_hash_table_get_values(r->rooms);
    for (GList *l = rooms; l; l = l->next) {
        rec_room *rr = l->data;
        if (rr->state >= ST_TAPPING)
            r->env.post(r->env.ud, veche_sfu_cmd_new(VECHE_CMD_REC_STOP, rr->room, NULL, 0, 0));
        if (rr->row.id)
            g_array_append_val(r->to_repair, rr->row);
        if (rr->state == ST_ON || rr->state == ST_STOPPING || rr->continuing)
            tell_room(r, rr, false, "recorder-failed");
        else
            answer(r, rr, "internal", "the recorder failed");
        VLOG_ERROR(rr->room, NULL, "recording: part %d lost with the recorder (%s)",
                   rr->row.part, state_names[rr->state]);
        room_done(r, rr);
    }
    g_list_free(rooms);
}

/* The part's row (STORE), for a new recording or the next part of one
 * (rr->rotate: the previous part has just closed). */
static void start_part(veche_recording *r, rec_room *rr)
{
    if (rr->rotate) {
        if (rr->row.id)
            g_hash_table_remove(r->by_part, &rr->row.id);
        memset(&rr->row, 0, sizeof rr->row);
        g_hash_table_remove_all(rr->screens);
        rr->rotate = false;
        rr->continuing = true;
    }
    rr->state = ST_STORE;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_REC_START);
    req->event_id = rr->event_id;
    req->person_id = rr->started_by;
    req->now = now_s();
    store_ud *su = g_new0(store_ud, 1);
    su->r = r;
    g_strlcpy(su->room, rr->room, sizeof su->room);
    veche_storeq_submit(r->storeq, req, stored, su, g_free);
}

/* ---- the requests ---- */

static int check_who(const veche_recording *r, const veche_recording_who *who,
                     veche_sfu_error *err)
{
    if (!r->storeq || !r->proc)
        return refuse(err, "unsupported", "this server does not record");
    if (!who->event_id)
        return refuse(err, "unsupported", "only an event's room can be recorded");
    if (!who->moderates)
        return refuse(err, "forbidden",
                      "only the trainer or the chair may start and stop recording");
    return 0;
}

int veche_recording_start(veche_recording *r, const veche_recording_who *who,
                          veche_sfu_error *err)
{
    if (check_who(r, who, err) != 0)
        return VECHE_EINVAL;
    if (g_hash_table_contains(r->rooms, who->room))
        return refuse(err, "bad-state", "this room is being recorded already");
    if (!r->ready)
        return refuse(err, "internal", "the recorder is not running; try again shortly");
    rec_room *rr = g_new0(rec_room, 1);
    g_strlcpy(rr->room, who->room, sizeof rr->room);
    g_strlcpy(rr->by, who->participant ? who->participant : "", sizeof rr->by);
    rr->event_id = who->event_id;
    rr->client = who->client;
    rr->id = who->id ? json_incref(who->id) : NULL;
    rr->started_by = who->person_id;
    rr->screens = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    rr->screen_owners = g_ptr_array_new_with_free_func(g_free);
    g_hash_table_insert(r->rooms, g_strdup(rr->room), rr);
    start_part(r, rr);
    VLOG_INFO(who->room, who->participant, "recording requested by person %lld",
              (long long)who->person_id);
    return 0;
}

int veche_recording_stop(veche_recording *r, const veche_recording_who *who,
                         veche_sfu_error *err)
{
    if (check_who(r, who, err) != 0)
        return VECHE_EINVAL;
    rec_room *rr = g_hash_table_lookup(r->rooms, who->room);
    if (!rr)
        return refuse(err, "bad-state", "this room is not being recorded");
    stop_room(r, rr, who->person_id);
    return 0;
}

static void mark(veche_recording *r, rec_room *rr, json_t *m)
{
    char key[64];
    const char *who = json_string_value(json_object_get(m, "participant"));
    g_snprintf(key, sizeof key, "%s/%s", json_string_value(json_object_get(m, "what")),
               who ? who : "");
    if (rr->state != ST_ON || (strcmp(key, rr->last_mark) == 0 &&
                               !json_object_get(m, "label"))) {
        json_decref(m);
        return;
    }
    g_strlcpy(rr->last_mark, key, sizeof rr->last_mark);
    send_cmd(r, json_pack("{s:s, s:I, s:o}", "cmd", "mark", "part", (json_int_t)rr->row.id,
                          "mark", m));
}

int veche_recording_mark(veche_recording *r, const veche_recording_who *who,
                         const char *label, veche_sfu_error *err)
{
    if (check_who(r, who, err) != 0)
        return VECHE_EINVAL;
    rec_room *rr = g_hash_table_lookup(r->rooms, who->room);
    if (!rr || rr->state != ST_ON)
        return refuse(err, "bad-state", "this room is not being recorded");
    if (!label || !g_utf8_validate(label, -1, NULL) || !*label ||
        g_utf8_strlen(label, -1) > 200)
        return refuse(err, "bad-request", "label must be 1-200 characters");
    mark(r, rr, json_pack("{s:s, s:s}", "what", "chapter", "label", label));
    return 0;
}

bool veche_recording_active(const veche_recording *r, const char *room)
{
    const rec_room *rr = r ? g_hash_table_lookup(r->rooms, room) : NULL;
    return rr && (rr->state == ST_ON || rr->state == ST_STOPPING || rr->continuing);
}

void veche_recording_on_event(veche_recording *r, const veche_sfu_event *ev)
{
    if (!r)
        return;
    rec_room *rr = g_hash_table_lookup(r->rooms, ev->room);
    if (ev->type == VECHE_EV_REC_TRACKS) {
        if (rr && rr->row.id == ev->rec_part)
            tracks(r, rr, ev);
        return;
    }
    if (rr && ev->type == VECHE_EV_TRACK_ADDED && rr->state == ST_STARTING)
        rr->rotate_wanted = true;  /* after the worker's list of tracks: not in it */
    if (!rr || rr->state != ST_ON)
        return;
    switch (ev->type) {
    case VECHE_EV_TRACK_ADDED:
        /* the next part has it (its header names it); a screen's
         * screen_start goes into that part when it is on */
        close_part(r, rr, true);
        break;
    case VECHE_EV_TRACK_REMOVED:
        if (g_hash_table_remove(rr->screens, ev->track.id))
            mark(r, rr, json_pack("{s:s, s:s}", "what", "screen_stop", "participant",
                                  ev->participant));
        break;
    case VECHE_EV_FLOOR:
        mark(r, rr, json_pack("{s:s, s:s}", "what", ev->flag ? "floor_given" : "floor_taken",
                              "participant", ev->participant));
        break;
    case VECHE_EV_SPEAKER:
        if (ev->participant[0])
            mark(r, rr, json_pack("{s:s, s:s}", "what", "speaker", "participant",
                                  ev->participant));
        break;
    default:
        break;
    }
}

void veche_recording_room_idle(veche_recording *r, const char *room)
{
    rec_room *rr = r ? g_hash_table_lookup(r->rooms, room) : NULL;
    if (rr)
        stop_room(r, rr, 0);
}

int veche_recording_recorder_pid(const veche_recording *r)
{
    return r ? veche_recproc_pid(r->proc) : 0;
}

void veche_recording_get_stats(const veche_recording *r, veche_recording_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!r)
        return;
    *out = r->stats;
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, r->rooms);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const rec_room *rr = value;
        if (rr->state == ST_ON || rr->state == ST_STOPPING)
            out->active++;
    }
}

/* ---- life ---- */

static char *find_recorder(const veche_config *cfg)
{
    if (cfg->recorder_path[0])
        return strcmp(cfg->recorder_path, "none") ? g_strdup(cfg->recorder_path) : NULL;
    char *self = g_file_read_link("/proc/self/exe", NULL);
    char *dir = self ? g_path_get_dirname(self) : NULL;
    g_free(self);
    const char *const tries[] = {"veche-recorder", "../recorder/veche-recorder"};
    for (size_t i = 0; dir && i < G_N_ELEMENTS(tries); i++) {
        char *p = g_build_filename(dir, tries[i], NULL);
        if (g_file_test(p, G_FILE_TEST_IS_EXECUTABLE)) {
            g_free(dir);
            return p;
        }
        g_free(p);
    }
    g_free(dir);
    return g_find_program_in_path("veche-recorder");
}

veche_recording *veche_recording_new(const veche_config *cfg, veche_storeq *storeq,
                                     GMainContext *ctx, const veche_recording_env *env)
{
    veche_recording *r = g_new0(veche_recording, 1);
    r->cfg = cfg;
    r->storeq = storeq;
    r->env = *env;
    r->rooms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, rec_room_free);
    r->by_part = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    r->to_repair = g_array_new(FALSE, TRUE, sizeof(veche_recording_row));
    if (!storeq)
        return r;
    /* Parts a crash left open: repaired once the recorder is up. */
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_REC_OPEN);
    veche_storeq_call(storeq, req);
    if (req->rc == 0 && req->n_rec_rows)
        g_array_append_vals(r->to_repair, req->rec_rows, req->n_rec_rows);
    veche_storeq_req_free(req);
    char *path = find_recorder(cfg);
    if (path)
        r->proc = veche_recproc_new(path, ctx, on_line, on_died, r);
    else
        VLOG_WARN(NULL, NULL, "no veche-recorder: recording is off");
    g_free(path);
    return r;
}

/* Shutting down: the recorder has closed its parts (it exits only after);
 * record them as closed now, the loop will not run again. */
static void close_rows(veche_recording *r)
{
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, r->rooms);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        rec_room *rr = value;
        if (!rr->row.id)
            continue;
        char *path = abs_path(r, rr->row.path);
        GStatBuf st;
        veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_REC_END);
        req->rec.id = rr->row.id;
        g_strlcpy(req->rec_state, rr->state >= ST_STARTING ? "closed" : "failed",
                  sizeof req->rec_state);
        req->person_id = 0;
        req->now = now_s();
        req->bytes = g_stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
        veche_storeq_call(r->storeq, req);
        VLOG_INFO(rr->room, NULL, "recording %lld: %s at shutdown", (long long)rr->row.id,
                  req->rec_state);
        veche_storeq_req_free(req);
        g_free(path);
    }
}

void veche_recording_free(veche_recording *r)
{
    if (!r)
        return;
    bool waited = veche_recproc_running(r->proc);
    veche_recproc_free(r->proc);  /* the recorder closes its parts */
    if (waited && r->storeq)
        close_rows(r);
    g_hash_table_destroy(r->by_part);
    g_hash_table_destroy(r->rooms);
    g_array_free(r->to_repair, TRUE);
    g_free(r);
}
