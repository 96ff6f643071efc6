/* cmd_agenda.c - vechectl agenda list|add|remove|move: an event's agenda
 * prepared before the meeting, or changed during it (store_agenda.h).  A
 * running server notices a change made here within about a second (it
 * watches the database's data version, docs/architecture.md) and tells
 * the people in the room. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "report.h"
#include "store_agenda.h"
#include "vechectl.h"

static const char *const syn =
    "agenda list EVENT_ID | agenda add EVENT_ID TITLE [SPEAKER] |"
    " agenda remove EVENT_ID ITEM_ID | agenda move EVENT_ID ITEM_ID POSITION";

static int agenda_fail(const char *what, int r)
{
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("%s: no such event or item", what);
    if (r == VECHE_ESTATE)
        return vctl_refuse("%s: the item was opened in the meeting; it stays", what);
    if (r == VECHE_ELIMIT)
        return vctl_refuse("%s: an agenda has at most %d items", what,
                           VECHE_AGENDA_MAX_ITEMS);
    if (r == VECHE_EINVAL)
        return vctl_refuse("%s: title must be 1-%d printable characters, speaker at most %d",
                           what, VECHE_AGENDA_TITLE_MAX, VECHE_AGENDA_SPEAKER_MAX);
    return vctl_fail(what, r);
}

static void print_time(int64_t secs)
{
    char buf[32];
    if (!secs) {
        fputs("-", stdout);
        return;
    }
    veche_report_time(secs * 1000, buf);
    fputs(buf, stdout);
}

static int agenda_list(vctl *c, int64_t event_id)
{
    veche_event ev;
    int r = veche_store_event_get(c->st, event_id, &ev);
    GArray *items = NULL;
    if (r == 0)
        r = veche_store_agenda_items(c->st, event_id, &items);
    if (r != 0)
        return agenda_fail("agenda list", r);
    for (guint i = 0; i < items->len; i++) {
        const veche_agenda_item *it = &g_array_index(items, veche_agenda_item, i);
        printf("%lld\t%d\t", (long long)it->id, it->position);
        print_time(it->started_at);
        fputc('\t', stdout);
        print_time(it->ended_at);
        printf("\t%s\t%s\n", it->title, it->speaker[0] ? it->speaker : "-");
    }
    g_array_unref(items);
    return VCTL_OK;
}

int cmd_agenda(vctl *c, int argc, char **argv)
{
    int64_t event_id, item_id, pos;
    const char *op = argv[0];
    if (argc < 2 || vctl_parse_id(argv[1], &event_id) != 0)
        return vctl_usage(syn);
    if (!strcmp(op, "list") && argc == 2)
        return agenda_list(c, event_id);
    if (!strcmp(op, "add") && (argc == 3 || argc == 4)) {
        int64_t id = 0;
        int r = veche_store_agenda_add(c->st, event_id, argv[2], argc == 4 ? argv[3] : NULL,
                                       &id);
        if (r != 0)
            return agenda_fail("agenda add", r);
        printf("%lld\n", (long long)id);
        return VCTL_OK;
    }
    if (argc < 3 || vctl_parse_id(argv[2], &item_id) != 0)
        return vctl_usage(syn);
    if (!strcmp(op, "remove") && argc == 3) {
        int r = veche_store_agenda_remove(c->st, event_id, item_id);
        return r != 0 ? agenda_fail("agenda remove", r) : VCTL_OK;
    }
    if (!strcmp(op, "move") && argc == 4 && vctl_parse_id(argv[3], &pos) == 0) {
        int r = veche_store_agenda_move(c->st, event_id, item_id, pos > 10000 ? 10000 : (int)pos);
        return r != 0 ? agenda_fail("agenda move", r) : VCTL_OK;
    }
    return vctl_usage(syn);
}
