/* agenda_msg.c - the agenda in an event's room; see agenda_msg.h.
 *
 * A change, step by step:
 *
 *   agenda-* (chair, secretary) --AGENDA request--> store thread: the
 *   change and the items read back, one transaction and fsync
 *   agenda_done <-- completion: live copy replaced, `agenda` to everyone
 *   in the room, `ok` (or the error) to the asker, SPEAKERS_RESET to the
 *   room's worker when the current item changed.
 *
 * Completions come back in the order the requests went, so the live copy
 * is always the newest the store has; a join's ATTEND reads the items too
 * (veche_agenda_live_loaded), which is how a late joiner, or a room after a
 * restart, sees the current item.
 *
 * Changes made elsewhere reach the live room at once too:
 *
 *   the API (api_agenda.c, this process): veche_agenda_changed, a LIST
 *   request; its completion tells the room;
 *   vechectl, or anything else writing the database from another process:
 *   every WATCH_MS while an event's room has someone in it, a CHANGES
 *   request asks the store thread for SQLite's data version; when it moved,
 *   each such event's items are read again (LIST), and the room is told
 *   only when they differ from its live copy.
 */
#include "agenda_msg.h"

#include <string.h>

#include "err.h"
#include "log.h"

struct veche_agenda_live {
    GHashTable *events;       /* int64 event id (owned key) -> GArray* of items */
    GSource *watch;           /* the WATCH_MS timer, or NULL */
    bool asking;              /* a CHANGES request is on its way */
    bool seen;                /* version holds an answer */
    int64_t version;          /* the database's data version at the last look */
};

#define WATCH_MS 1000

typedef struct {
    veche_signal *sig;
    uint64_t client;          /* 0: nobody to answer (a change made elsewhere) */
    json_t *id;
    int64_t event_id;
    veche_agenda_op op;
} agenda_wait;

static void wait_free(gpointer ud)
{
    agenda_wait *w = ud;
    json_decref(w->id);
    g_free(w);
}

static void items_free(gpointer p)
{
    if (p)
        g_array_unref(p);
}

veche_agenda_live *veche_agenda_live_new(void)
{
    veche_agenda_live *a = g_new0(veche_agenda_live, 1);
    a->events = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, items_free);
    return a;
}

void veche_agenda_live_free(veche_agenda_live *a)
{
    if (!a)
        return;
    if (a->watch) {
        g_source_destroy(a->watch);
        g_source_unref(a->watch);
    }
    g_hash_table_destroy(a->events);
    g_free(a);
}

static const GArray *live_items(veche_agenda_live *a, int64_t event_id)
{
    return g_hash_table_lookup(a->events, &event_id);
}

/* Replace the live copy; the previous current item (0 = none, or no copy
 * before: -1) in *was. */
static void live_set(veche_agenda_live *a, int64_t event_id, GArray *items, int64_t *was)
{
    const GArray *old = live_items(a, event_id);
    if (was)
        *was = old ? veche_agenda_current(old) : -1;
    int64_t *key = g_new(int64_t, 1);
    *key = event_id;
    g_hash_table_replace(a->events, key, items);
}

void veche_agenda_live_loaded(veche_agenda_live *a, int64_t event_id, GArray **items)
{
    if (!a || !items || !*items)
        return;
    live_set(a, event_id, *items, NULL);
    *items = NULL;
}

/* --- JSON --- */

static json_t *time_or_null(int64_t t)
{
    return t ? json_integer(t) : json_null();
}

json_t *veche_agenda_json(const GArray *items)
{
    json_t *list = json_array();
    for (guint i = 0; items && i < items->len; i++) {
        const veche_agenda_item *it = &g_array_index(items, veche_agenda_item, i);
        json_t *o = json_pack("{s:I, s:i, s:s, s:o, s:o, s:o}", "id", (json_int_t)it->id,
                              "position", it->position, "title", it->title, "speaker",
                              it->speaker[0] ? json_string(it->speaker) : json_null(),
                              "startedAt", time_or_null(it->started_at), "endedAt",
                              time_or_null(it->ended_at));
        json_array_append_new(list, o);
    }
    int64_t cur = veche_agenda_current(items);
    return json_pack("{s:o, s:o}", "items", list, "current",
                     cur ? json_integer(cur) : json_null());
}

void veche_agenda_live_joined(veche_agenda_live *a, int64_t event_id, json_t *joined)
{
    if (a && joined)
        json_object_set_new(joined, "agenda", veche_agenda_json(live_items(a, event_id)));
}

static json_t *agenda_message(const GArray *items, int64_t event_id)
{
    json_t *o = veche_agenda_json(items);
    if (o) {
        json_object_set_new(o, "type", json_string("agenda"));
        json_object_set_new(o, "event", json_integer(event_id));
    }
    return o;
}

/* --- checking the members --- */

static const struct {
    veche_signal_type type;
    bool agenda;
} kinds[] = {
    {VECHE_MSG_AGENDA_ADD, true},      {VECHE_MSG_AGENDA_REMOVE, true},
    {VECHE_MSG_AGENDA_MOVE, true},     {VECHE_MSG_AGENDA_GO, true},
    {VECHE_MSG_AGENDA_NEXT, true},     {VECHE_MSG_AGENDA_PREVIOUS, true},
    {VECHE_MSG_SPEAK_REQUEST, false},  {VECHE_MSG_SPEAK_WITHDRAW, false},
    {VECHE_MSG_SPEAKERS_GIVE, false},  {VECHE_MSG_SPEAKERS_SKIP, false},
    {VECHE_MSG_SPEAKERS_MOVE, false},  {VECHE_MSG_SPEAKERS_LIMIT, false},
    {VECHE_MSG_SPEAKERS_DONE, false},
};

static int kind_of(veche_signal_type type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
        if (kinds[i].type == type)
            return kinds[i].agenda ? 1 : 2;
    return 0;
}

bool veche_agenda_msg_is_agenda(veche_signal_type type) { return kind_of(type) == 1; }
bool veche_agenda_msg_is_speakers(veche_signal_type type) { return kind_of(type) == 2; }

static int bad(veche_sfu_error *err, const char *reason)
{
    err->code = "bad-request";
    g_strlcpy(err->reason, reason, sizeof err->reason);
    return VECHE_EINVAL;
}

/* An integer member in [min, max]; absent gives dflt.  false when it is
 * there but not such an integer. */
static bool int_member(json_t *root, const char *key, int64_t min, int64_t max, int64_t dflt,
                       int64_t *out)
{
    json_t *v = json_object_get(root, key);
    *out = dflt;
    if (!v)
        return true;
    if (json_is_null(v) && dflt == 0)
        return true;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return false;
    *out = json_integer_value(v);
    return true;
}

#define MAX_SPEECH_SECONDS 3600

int veche_agenda_msg_check(veche_signal_msg *m, veche_sfu_error *err)
{
    json_t *r = m->root;
    int64_t v;
    m->seconds = -1;
    switch (m->type) {
    case VECHE_MSG_AGENDA_ADD: {
        json_t *t = json_object_get(r, "title"), *sp = json_object_get(r, "speaker");
        m->title = json_string_value(t);
        m->speaker = json_string_value(sp);
        if (!veche_agenda_title_valid(m->title))
            return bad(err, "title must be 1-200 printable characters");
        if ((sp && !json_is_null(sp) && !m->speaker) || !veche_agenda_speaker_valid(m->speaker))
            return bad(err, "speaker must be at most 100 printable characters");
        return 0;
    }
    case VECHE_MSG_AGENDA_REMOVE:
    case VECHE_MSG_AGENDA_MOVE:
        if (!json_object_get(r, "item") || !int_member(r, "item", 1, INT64_MAX, 0, &v))
            return bad(err, "item must be an agenda item id");
        m->item = v;
        if (m->type == VECHE_MSG_AGENDA_MOVE) {
            if (!json_object_get(r, "position") || !int_member(r, "position", 1, 10000, 0, &v))
                return bad(err, "position must be 1 or more");
            m->position = (int)v;
        }
        return 0;
    case VECHE_MSG_AGENDA_GO:
        if (!json_object_get(r, "item") || !int_member(r, "item", 1, INT64_MAX, 0, &v))
            return bad(err, "item must be an agenda item id, or null for none");
        m->item = v;
        return 0;
    case VECHE_MSG_SPEAKERS_MOVE:
        if (!json_object_get(r, "position") || !int_member(r, "position", 1, 10000, 0, &v))
            return bad(err, "position must be 1 or more");
        m->position = (int)v;
        return 0;
    case VECHE_MSG_SPEAKERS_GIVE:
    case VECHE_MSG_SPEAKERS_LIMIT:
        if (!int_member(r, "seconds", 0, MAX_SPEECH_SECONDS, -1, &v) ||
            (m->type == VECHE_MSG_SPEAKERS_LIMIT && v < 0))
            return bad(err, "seconds must be 0 (no limit) to 3600");
        m->seconds = (int)v;
        return 0;
    default:
        return 0;
    }
}

/* --- changes --- */

static const char *error_code(int rc, const char **reason)
{
    switch (rc) {
    case VECHE_ENOTFOUND:
        *reason = "there is no such item on this event's agenda";
        return "no-such-item";
    case VECHE_ESTATE:
        *reason = "this item has been opened in the meeting; it stays on the record";
        return "item-started";
    case VECHE_ELIMIT:
        *reason = "an agenda has at most 100 items";
        return "agenda-full";
    case VECHE_EINVAL:
        *reason = "bad title or speaker";
        return "bad-request";
    default:
        *reason = "the agenda could not be written";
        return "internal";
    }
}

static bool same_items(const GArray *a, const GArray *b)
{
    if (!a || !b || a->len != b->len)
        return false;
    for (guint i = 0; i < a->len; i++) {
        const veche_agenda_item *x = &g_array_index(a, veche_agenda_item, i);
        const veche_agenda_item *y = &g_array_index(b, veche_agenda_item, i);
        if (x->id != y->id || x->position != y->position || x->started_at != y->started_at ||
            x->ended_at != y->ended_at || strcmp(x->title, y->title) != 0 ||
            strcmp(x->speaker, y->speaker) != 0)
            return false;
    }
    return true;
}

static void agenda_done(void *ud, veche_storeq_req *req)
{
    agenda_wait *w = ud;
    veche_signal *s = w->sig;
    veche_agenda_live *live = veche_signal_agenda(s);
    int64_t was = -1;
    GArray *items = req->agenda;
    if (items && !w->client && same_items(live_items(live, w->event_id), items)) {
        /* read again after a change elsewhere, and nothing of this event's
         * changed: nobody is told */
        return;
    }
    if (items) {
        req->agenda = NULL;  /* taken */
        live_set(live, w->event_id, items, &was);
    }
    veche_signal_conn *c = w->client ? veche_signal_conn_find(s, w->client) : NULL;
    if (req->rc != 0) {
        const char *reason;
        const char *code = error_code(req->rc, &reason);
        VLOG_INFO(NULL, NULL, "event %lld: agenda change refused: %s", (long long)w->event_id,
                  code);
        if (c)
            veche_signal_conn_send(c, json_pack("{s:s, s:s, s:s}", "type", "error", "code",
                                                code, "reason", reason), w->id);
        return;
    }
    int64_t cur = veche_agenda_current(items);
    if (items)
        veche_signal_event_send(s, w->event_id, agenda_message(items, w->event_id));
    if (c && w->id) {
        json_t *ok = json_pack("{s:s}", "type", "ok");
        if (ok && w->op == VECHE_AGENDA_OP_ADD)
            json_object_set_new(ok, "item", json_integer(req->item_id));
        veche_signal_conn_send(c, ok, w->id);
    }
    if (items && was != cur) {
        if (w->op == VECHE_AGENDA_OP_GO)
            VLOG_INFO(NULL, NULL, "event %lld: agenda item %lld is current", (long long)w->event_id,
                      (long long)cur);
        veche_sfu_cmd *cmd = veche_sfu_cmd_new(VECHE_CMD_SPEAKERS_RESET, NULL, NULL, 0, 0);
        cmd->number = cur;
        veche_signal_event_post(s, w->event_id, cmd);
    }
}

static void submit(veche_signal *s, veche_storeq_req *req, uint64_t client, json_t *id)
{
    agenda_wait *w = g_new0(agenda_wait, 1);
    w->sig = s;
    w->client = client;
    w->id = id ? json_incref(id) : NULL;
    w->event_id = req->event_id;
    w->op = req->agenda_op;
    veche_storeq_submit(veche_signal_storeq(s), req, agenda_done, w, wait_free);
}

/* The item after (step 1) or before (-1) the current one; 0 for "none"
 * (after the last item), -1 when there is nowhere to go. */
static int64_t step_target(const GArray *items, int step)
{
    int64_t cur = veche_agenda_current(items);
    guint n = items ? items->len : 0;
    for (guint i = 0; cur && i < n; i++) {
        if (g_array_index(items, veche_agenda_item, i).id != cur)
            continue;
        if (step > 0)
            return i + 1 < n ? g_array_index(items, veche_agenda_item, i + 1).id : 0;
        return i > 0 ? g_array_index(items, veche_agenda_item, i - 1).id : -1;
    }
    /* no current item: next opens the first never opened, previous
     * reopens the last one opened */
    for (guint k = 0; k < n; k++) {
        const veche_agenda_item *it =
            &g_array_index(items, veche_agenda_item, step > 0 ? k : n - 1 - k);
        if (step > 0 ? !it->started_at : it->started_at != 0)
            return it->id;
    }
    return -1;
}

int veche_agenda_msg_handle(veche_signal_conn *c, const veche_signal_msg *m,
                            veche_sfu_error *err)
{
    veche_signal *s = veche_signal_conn_service(c);
    int64_t event_id = veche_signal_conn_event(c);
    if (!event_id || !veche_signal_storeq(s)) {
        err->code = "not-an-event";
        g_strlcpy(err->reason, "only an event's meeting has an agenda", sizeof err->reason);
        return VECHE_EINVAL;
    }
    if (!veche_access_may(veche_signal_conn_access(c), VECHE_ACCESS_MAY_MANAGE_EVENT)) {
        err->code = "forbidden";
        g_strlcpy(err->reason, "only the chair or the secretary may change the agenda",
                  sizeof err->reason);
        return VECHE_EDENIED;
    }
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_AGENDA);
    req->event_id = event_id;
    req->now = g_get_real_time() / G_USEC_PER_SEC;
    req->item_id = m->item;
    req->position = m->position;
    switch (m->type) {
    case VECHE_MSG_AGENDA_ADD:
        req->agenda_op = VECHE_AGENDA_OP_ADD;
        req->title = g_strdup(m->title);
        req->speaker = g_strdup(m->speaker);
        break;
    case VECHE_MSG_AGENDA_REMOVE:
        req->agenda_op = VECHE_AGENDA_OP_REMOVE;
        break;
    case VECHE_MSG_AGENDA_MOVE:
        req->agenda_op = VECHE_AGENDA_OP_MOVE;
        break;
    case VECHE_MSG_AGENDA_GO:
        req->agenda_op = VECHE_AGENDA_OP_GO;
        break;
    default: {  /* next, previous */
        int64_t to = step_target(live_items(veche_signal_agenda(s), event_id),
                                 m->type == VECHE_MSG_AGENDA_NEXT ? 1 : -1);
        if (to < 0) {
            veche_storeq_req_free(req);
            err->code = "no-such-item";
            g_strlcpy(err->reason, m->type == VECHE_MSG_AGENDA_NEXT
                                       ? "there is no item after this one"
                                       : "there is no item before this one",
                      sizeof err->reason);
            return VECHE_ENOTFOUND;
        }
        req->agenda_op = VECHE_AGENDA_OP_GO;
        req->item_id = to;
    }
    }
    submit(s, req, veche_signal_conn_client(c), m->id);
    return 0;
}

void veche_agenda_changed(veche_signal *s, int64_t event_id)
{
    if (!s || !veche_signal_storeq(s))
        return;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_AGENDA);
    req->event_id = event_id;
    req->agenda_op = VECHE_AGENDA_OP_LIST;
    submit(s, req, 0, NULL);
}

/* --- changes made by other processes (vechectl) --- */

static void changes_done(void *ud, veche_storeq_req *req)
{
    veche_signal *s = ud;
    veche_agenda_live *a = veche_signal_agenda(s);
    a->asking = false;
    if (req->rc != 0 || (a->seen && req->changes == a->version))
        return;
    a->seen = true;
    a->version = req->changes;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, a->events);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        int64_t event_id = *(int64_t *)key;
        if (veche_signal_event_live(s, event_id))
            veche_agenda_changed(s, event_id);
    }
}

static gboolean on_watch(gpointer ud)
{
    veche_signal *s = ud;
    veche_agenda_live *a = veche_signal_agenda(s);
    veche_storeq *q = veche_signal_storeq(s);
    if (a->asking || !q)
        return G_SOURCE_CONTINUE;
    GHashTableIter it;
    gpointer key;
    bool any = false;
    g_hash_table_iter_init(&it, a->events);
    while (!any && g_hash_table_iter_next(&it, &key, NULL))
        any = veche_signal_event_live(s, *(int64_t *)key);
    if (!any)
        return G_SOURCE_CONTINUE;
    a->asking = true;
    veche_storeq_submit(q, veche_storeq_req_new(VECHE_STOREQ_CHANGES), changes_done, s, NULL);
    return G_SOURCE_CONTINUE;
}

void veche_agenda_live_watch(veche_agenda_live *a, veche_signal *s, GMainContext *ctx)
{
    if (!a || !s || a->watch)
        return;
    a->watch = g_timeout_source_new(WATCH_MS);
    g_source_set_callback(a->watch, on_watch, s, NULL);
    g_source_attach(a->watch, ctx);
}
