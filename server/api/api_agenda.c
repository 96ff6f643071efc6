/* api_agenda.c - an event's agenda over the API (docs/api.md, "Agenda"):
 *
 *   GET    /api/events/{id}/agenda                 anyone admitted
 *   POST   /api/events/{id}/agenda                 {title, speaker?}
 *   POST   /api/events/{id}/agenda/{item}          {title, speaker?}: edit
 *   POST   /api/events/{id}/agenda/{item}/remove   an item never opened
 *   POST   /api/events/{id}/agenda/{item}/move     {position}
 * (the API takes GET and POST only)
 *
 * The changes need the event's manage permission (chair, secretary,
 * trainer, administrators: access.h).  They are short writes on the main
 * thread's connection, like the API's other writes (docs/architecture.md);
 * after each one the room, if anyone is in it, is told through the store
 * thread (veche_agenda_changed).  Opening and leaving items is the chair's
 * in the room (agenda_msg.c), not here.
 */
#include "api_int.h"

#include <string.h>

#include "agenda_msg.h"
#include "err.h"
#include "log.h"
#include "store_agenda.h"

static bool may(api_call *c, int64_t event_id, veche_access_perm perm)
{
    return api_may_event(c, event_id, perm, NULL);
}

static void reply_agenda(api_call *c, int64_t event_id, int status)
{
    GArray *items = NULL;
    if (veche_store_agenda_items(c->api->env.store, event_id, &items) != 0)
        return api_error(c, 500, "internal", "database error");
    json_t *o = veche_agenda_json(items);
    g_array_unref(items);
    if (o)
        json_object_set_new(o, "event", json_integer(event_id));
    api_reply(c, status, o);
}

static void changed(api_call *c, int64_t event_id, int rc, int status, const char *what)
{
    switch (rc) {
    case 0:
        VLOG_INFO(NULL, NULL, "api: person %lld: event %lld agenda %s", (long long)c->person,
                  (long long)event_id, what);
        veche_agenda_changed(c->api->env.signal, event_id);
        return reply_agenda(c, event_id, status);
    case VECHE_EINVAL:
        return api_error(c, 400, "bad-request",
                         "title must be 1-200 printable characters, speaker at most 100");
    case VECHE_ENOTFOUND:
        return api_error(c, 404, "not-found", "there is no such item on this agenda");
    case VECHE_ESTATE:
        return api_error(c, 409, "item-started",
                         "this item was opened in the meeting; it stays on the record");
    case VECHE_ELIMIT:
        return api_error(c, 409, "agenda-full", "an agenda has at most 100 items");
    default:
        return api_error(c, 500, "internal", "database error");
    }
}

/* title (required) and speaker (optional string or null) of the body. */
static bool item_body(api_call *c, const char **title, const char **speaker)
{
    if (!api_need_body(c))
        return false;
    json_t *sp = json_object_get(c->body, "speaker");
    *title = api_str(c, "title");
    *speaker = api_str(c, "speaker");
    if (!*title || (sp && !json_is_null(sp) && !*speaker)) {
        api_error(c, 400, "bad-request", "title (a string) is required; speaker is a string");
        return false;
    }
    return true;
}

void api_agenda(api_call *c, int64_t event_id)
{
    const char *m = c->req->method;
    const char *title, *speaker;
    veche_store *st = c->api->env.store;
    if (c->nsegs == 3 && strcmp(m, "GET") == 0) {
        if (may(c, event_id, VECHE_ACCESS_MAY_ATTEND))
            reply_agenda(c, event_id, 200);
        return;
    }
    int64_t item = c->nsegs >= 4 ? api_id(c->segs[3]) : 0;
    if (c->nsegs == 3 && strcmp(m, "POST") == 0) {
        if (!may(c, event_id, VECHE_ACCESS_MAY_MANAGE_EVENT) || !item_body(c, &title, &speaker))
            return;
        return changed(c, event_id, veche_store_agenda_add(st, event_id, title, speaker, NULL),
                       201, "item added");
    }
    if (c->nsegs == 4 && item && strcmp(m, "POST") == 0) {
        if (!may(c, event_id, VECHE_ACCESS_MAY_MANAGE_EVENT) || !item_body(c, &title, &speaker))
            return;
        return changed(c, event_id,
                       veche_store_agenda_edit(st, event_id, item, title, speaker), 200,
                       "item edited");
    }
    if (c->nsegs == 5 && item && strcmp(c->segs[4], "remove") == 0 && strcmp(m, "POST") == 0) {
        if (!may(c, event_id, VECHE_ACCESS_MAY_MANAGE_EVENT))
            return;
        return changed(c, event_id, veche_store_agenda_remove(st, event_id, item), 200,
                       "item removed");
    }
    if (c->nsegs == 5 && item && strcmp(c->segs[4], "move") == 0 && strcmp(m, "POST") == 0) {
        if (!may(c, event_id, VECHE_ACCESS_MAY_MANAGE_EVENT) || !api_need_body(c))
            return;
        json_t *pos = json_object_get(c->body, "position");
        if (!json_is_integer(pos) || json_integer_value(pos) < 1 ||
            json_integer_value(pos) > 10000)
            return api_error(c, 400, "bad-request", "position must be 1 or more");
        return changed(c, event_id,
                       veche_store_agenda_move(st, event_id, item, (int)json_integer_value(pos)),
                       200, "item moved");
    }
    api_error(c, 404, "not-found", "no such route");
}
