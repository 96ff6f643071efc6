/* roll.c - the live roll of event rooms (roll.h): per live event, the
 * roster with present flags and connection counts and the quorum tracker;
 * the roster's loading and crash recovery, which run on the store
 * thread.
 *
 * Invariants of a loaded event (so a join or leave costs O(1), whatever
 * the roster's size; only loading, on the store thread, is O(roster)):
 *   1. index maps every person_id in people to its position + 1;
 *   2. present holds exactly the person_ids whose conns > 0 (the same
 *      positions + 1), so the present list is built without a scan;
 *   3. voting counts the people with voting set, voting_present those of
 *      them with conns > 0. */
#include "roll.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"

typedef struct {
    int64_t person_id;
    char name[VECHE_NAME_MAX + 1];
    veche_access_role role;
    bool voting;
    bool on_roster;
    unsigned conns;               /* joined connections */
} roll_person;

typedef struct {
    veche_event ev;
    veche_quorum_rule rule;
    veche_quorum_tracker *tracker;  /* meetings only */
    GArray *people;               /* roll_person, roster order, then late joiners */
    GHashTable *index;            /* int64 person_id -> position + 1 */
    GHashTable *present;          /* int64 person_id -> position + 1, conns > 0 */
    unsigned voting, voting_present;
    unsigned conns;               /* joined connections in all */
    unsigned holds;               /* joins on their way to the store */
} roll_event;

struct veche_roll_roster {
    veche_quorum_rule rule;
    GArray *people;               /* roll_person, conns 0 */
    GHashTable *index;            /* as in roll_event, built on the store thread */
    unsigned voting;
};

static GHashTable *index_new(void)
{
    return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
}

static void index_put(GHashTable *index, int64_t person_id, guint pos)
{
    int64_t *key = g_new(int64_t, 1);
    *key = person_id;
    g_hash_table_replace(index, key, GUINT_TO_POINTER(pos + 1));
}

struct veche_roll {
    GHashTable *events;           /* int64 id -> roll_event*, owned */
};

static void event_free(gpointer data)
{
    roll_event *e = data;
    veche_quorum_tracker_free(e->tracker);
    g_array_free(e->people, TRUE);
    if (e->index)
        g_hash_table_destroy(e->index);
    if (e->present)
        g_hash_table_destroy(e->present);
    g_free(e);
}

veche_roll *veche_roll_new(void)
{
    veche_roll *r = g_new0(veche_roll, 1);
    r->events = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, event_free);
    return r;
}

void veche_roll_free(veche_roll *r)
{
    if (!r)
        return;
    g_hash_table_destroy(r->events);
    g_free(r);
}

static roll_event *find_event(const veche_roll *r, int64_t id)
{
    return g_hash_table_lookup(r->events, &id);
}

static roll_person *find_person(roll_event *e, int64_t person_id)
{
    guint pos = GPOINTER_TO_UINT(g_hash_table_lookup(e->index, &person_id));
    return pos ? &g_array_index(e->people, roll_person, pos - 1) : NULL;
}

typedef struct {
    veche_store *st;
    GArray *people;
    GHashTable *index;
    unsigned *voting;
} load_ctx;

static int add_member(void *ud, const veche_member *m)
{
    load_ctx *c = ud;
    roll_person p = {.person_id = m->person_id, .role = m->role, .voting = m->voting,
                     .on_roster = true};
    veche_person who;
    int rc = veche_store_person_get(c->st, m->person_id, &who);
    if (rc != 0)
        return rc;
    snprintf(p.name, sizeof p.name, "%s", who.full_name);
    guint pos = GPOINTER_TO_UINT(g_hash_table_lookup(c->index, &m->person_id));
    if (pos) {  /* on the roster and a guest too: one row */
        roll_person *q = &g_array_index(c->people, roll_person, pos - 1);
        if (!q->voting && p.voting)
            ++*c->voting;
        q->voting = q->voting || p.voting;
        if (p.role > q->role)
            q->role = p.role;
        return 0;
    }
    *c->voting += p.voting;
    g_array_append_val(c->people, p);
    index_put(c->index, p.person_id, c->people->len - 1);
    return 0;
}

void veche_roll_roster_free(veche_roll_roster *ro)
{
    if (!ro)
        return;
    g_array_free(ro->people, TRUE);
    if (ro->index)
        g_hash_table_destroy(ro->index);
    g_free(ro);
}

veche_roll_roster *veche_roll_roster_new(void)
{
    veche_roll_roster *ro = g_new0(veche_roll_roster, 1);
    ro->people = g_array_new(FALSE, TRUE, sizeof(roll_person));
    ro->index = index_new();
    veche_quorum_rule def = VECHE_QUORUM_RULE_DEFAULT;
    ro->rule = def;
    return ro;
}

int veche_roll_roster_load(veche_store *st, const veche_event *ev, veche_roll_roster **out)
{
    veche_roll_roster *ro = veche_roll_roster_new();
    load_ctx c = {st, ro->people, ro->index, &ro->voting};
    int rc;
    if (ev->body_id) {
        veche_body body;
        rc = veche_store_body_get(st, ev->body_id, &body);
        if (rc == 0) {
            ro->rule = body.quorum;
            rc = veche_store_body_members(st, ev->body_id, add_member, &c);
        }
    } else {
        rc = veche_store_course_members(st, ev->course_id, add_member, &c);
    }
    if (rc == 0)
        rc = veche_store_event_guests(st, ev->id, add_member, &c);
    if (rc != 0) {
        veche_roll_roster_free(ro);
        return rc;
    }
    *out = ro;
    return 0;
}

/* An event whose first connection joins, from its roster (taken). */
static int load_event(veche_roll *r, const veche_event *ev, veche_roll_roster *ro,
                      roll_event **out)
{
    roll_event *e = g_new0(roll_event, 1);
    e->ev = *ev;
    e->rule = ro->rule;
    e->people = ro->people;
    e->index = ro->index ? ro->index : index_new();
    e->voting = ro->voting;
    e->present = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    g_free(ro);
    if (ev->room_kind == VECHE_ROOM_MEETING) {
        e->tracker = veche_quorum_tracker_new(&e->rule);
        if (!e->tracker) {
            event_free(e);
            return VECHE_EINVAL;
        }
    }
    g_hash_table_insert(r->events, &e->ev.id, e);
    *out = e;
    return 0;
}

static void count_voting(const roll_event *e, unsigned *voting, unsigned *present)
{
    *voting = e->voting;
    *present = e->voting_present;
}

/* p (at pos) gained or lost its first / last connection. */
static void set_present(roll_event *e, roll_person *p, bool present)
{
    guint pos = (guint)(p - &g_array_index(e->people, roll_person, 0));
    if (present)
        index_put(e->present, p->person_id, pos);
    else
        g_hash_table_remove(e->present, &p->person_id);
    if (p->voting)
        e->voting_present += present ? 1 : -1;
}

/* Feed the tracker: 1 with *ch when the change is to be logged. */
static int update_quorum(roll_event *e, int64_t ts_ms, veche_quorum_change *ch)
{
    if (!e->tracker)
        return 0;
    unsigned voting, present;
    count_voting(e, &voting, &present);
    if (veche_quorum_tracker_update(e->tracker, ts_ms, voting, present, ch) != 1)
        return 0;
    VLOG_INFO(e->ev.room_id, NULL, "quorum %s: %u of %u voting members present",
              ch->reached ? "reached" : "not reached", ch->present, ch->voting);
    return 1;
}

/* Unload an event nobody is in and no join is coming to: the next join
 * reloads the roster. */
static void maybe_unload(veche_roll *r, roll_event *e)
{
    if (e->conns == 0 && e->holds == 0) {
        int64_t id = e->ev.id;
        g_hash_table_remove(r->events, &id);
    }
}

int veche_roll_voters(const veche_roll *r, int64_t event_id, GArray *out)
{
    roll_event *e = find_event(r, event_id);
    if (!e || !e->tracker)
        return VECHE_ENOTFOUND;
    for (guint i = 0; i < e->people->len; i++) {
        const roll_person *p = &g_array_index(e->people, roll_person, i);
        if (!p->voting || !p->on_roster || p->conns == 0)
            continue;
        veche_vote_voter v = {.person_id = p->person_id};
        g_strlcpy(v.name, p->name, sizeof v.name);
        g_array_append_val(out, v);
    }
    return 0;
}

int64_t veche_roll_body_id(const veche_roll *r, int64_t event_id)
{
    roll_event *e = find_event(r, event_id);
    return e ? e->ev.body_id : 0;
}

bool veche_roll_hold(veche_roll *r, int64_t event_id)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    if (!e)
        return false;
    e->holds++;
    return true;
}

void veche_roll_release(veche_roll *r, int64_t event_id)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    if (!e || e->holds == 0)
        return;
    e->holds--;
    maybe_unload(r, e);
}

int veche_roll_join(veche_roll *r, const veche_event *ev, const veche_person *person,
                    const veche_admission *a, int64_t conn_id, veche_roll_roster *roster,
                    bool held, int64_t ts_ms, veche_quorum_change *ch)
{
    (void)conn_id;
    if (!r || !ev || !person || !a) {
        veche_roll_roster_free(roster);
        return VECHE_EINVAL;
    }
    roll_event *e = find_event(r, ev->id);
    if (e) {
        veche_roll_roster_free(roster);  /* a concurrent first join loaded it */
        if (held && e->holds > 0)
            e->holds--;
    } else if (!roster) {
        return VECHE_EINVAL;
    } else {
        int rc = load_event(r, ev, roster, &e);
        if (rc != 0)
            return rc;
    }
    roll_person *p = find_person(e, person->id);
    if (!p) {
        roll_person np = {.person_id = person->id, .role = a->role};
        snprintf(np.name, sizeof np.name, "%s", person->full_name);
        g_array_append_val(e->people, np);
        index_put(e->index, np.person_id, e->people->len - 1);
        p = &g_array_index(e->people, roll_person, e->people->len - 1);
    }
    if (a->role > p->role)
        p->role = a->role;
    if (a->voting && !p->voting) {
        p->voting = true;
        e->voting++;
        e->voting_present += p->conns > 0;
    }
    if (p->conns++ == 0)
        set_present(e, p, true);
    e->conns++;
    return update_quorum(e, ts_ms, ch);
}

int veche_roll_leave(veche_roll *r, int64_t event_id, int64_t person_id, int64_t ts_ms,
                     veche_quorum_change *ch)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    roll_person *p = e ? find_person(e, person_id) : NULL;
    if (!p || p->conns == 0)
        return VECHE_ENOTFOUND;
    if (--p->conns == 0)
        set_present(e, p, false);
    e->conns--;
    int flip = update_quorum(e, ts_ms, ch);
    maybe_unload(r, e);
    return flip;
}

int veche_roll_quorum_now(const veche_roll *r, int64_t event_id, veche_roll_quorum *q)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    if (!e || !e->tracker)
        return VECHE_ENOTFOUND;
    count_voting(e, &q->voting, &q->present);
    q->needed = veche_quorum_needed(&e->rule, q->voting);
    q->reached = veche_quorum_reached(&e->rule, q->voting, q->present);
    return 0;
}

bool veche_roll_live(const veche_roll *r, int64_t event_id)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    return e && e->conns > 0;
}

bool veche_roll_present(const veche_roll *r, int64_t event_id, int64_t person_id)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    roll_person *p = e ? find_person(e, person_id) : NULL;
    return p && p->conns > 0;
}

static json_t *person_json(const roll_person *p)
{
    return json_pack("{s:I, s:s, s:s, s:b, s:b, s:b}", "person", (json_int_t)p->person_id,
                     "name", p->name, "role", veche_access_role_name(p->role),
                     "voting", p->voting, "present", p->conns > 0, "onRoster", p->on_roster);
}

int veche_roll_counts(const veche_roll *r, int64_t event_id, unsigned *present,
                      unsigned *total)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    if (!e)
        return VECHE_ENOTFOUND;
    *present = g_hash_table_size(e->present);
    *total = e->people->len;
    return 0;
}

json_t *veche_roll_person_json(const veche_roll *r, int64_t event_id, int64_t person_id)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    roll_person *p = e ? find_person(e, person_id) : NULL;
    return p ? person_json(p) : NULL;
}

void veche_roll_present_ids(const veche_roll *r, int64_t event_id, GArray *out)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    if (!e)
        return;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, e->present);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_array_append_val(out, *(int64_t *)key);
}

json_t *veche_roll_present_json(const veche_roll *r, int64_t event_id)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    if (!e)
        return NULL;
    json_t *list = json_array();
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, e->present);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const roll_person *p = &g_array_index(e->people, roll_person, GPOINTER_TO_UINT(value) - 1);
        json_array_append_new(list, person_json(p));
    }
    return list;
}

json_t *veche_roll_page_json(const veche_roll *r, int64_t event_id, size_t offset, size_t limit)
{
    roll_event *e = r ? find_event(r, event_id) : NULL;
    if (!e)
        return NULL;
    json_t *list = json_array();
    for (size_t i = offset; i < e->people->len && i - offset < limit; i++)
        json_array_append_new(list, person_json(&g_array_index(e->people, roll_person, i)));
    return json_pack("{s:I, s:i, s:i, s:I, s:o}", "event", (json_int_t)event_id,
                     "present", (int)g_hash_table_size(e->present),
                     "total", (int)e->people->len, "offset", (json_int_t)offset,
                     "people", list);
}

json_t *veche_roll_quorum_msg(const veche_roll *r, int64_t event_id)
{
    veche_roll_quorum q;
    if (veche_roll_quorum_now(r, event_id, &q) != 0)
        return NULL;
    return json_pack("{s:s, s:I, s:i, s:i, s:i, s:b}", "type", "quorum",
                     "event", (json_int_t)event_id, "present", (int)q.present,
                     "voting", (int)q.voting, "needed", (int)q.needed,
                     "reached", q.reached);
}

typedef struct {
    int64_t last_alive_ms;
    GArray *closes;               /* veche_attendance: the leaves to write */
} recover_ctx;

static int recover_cb(void *ud, const veche_attendance *a)
{
    recover_ctx *c = ud;
    veche_attendance leave = *a;
    leave.id = 0;
    leave.kind = VECHE_PRESENCE_LEAVE;
    leave.ts_ms = c->last_alive_ms > a->ts_ms ? c->last_alive_ms : a->ts_ms;
    snprintf(leave.source, sizeof leave.source, "server");
    g_array_append_val(c->closes, leave);
    return 0;
}

static int last_change_cb(void *ud, const veche_quorum_change *ch)
{
    *(veche_quorum_change *)ud = *ch;
    return 0;
}

/* The meeting's quorum log ends with nobody present (a leave at ts_ms). */
static void recover_quorum(veche_store *st, int64_t event_id, int64_t ts_ms)
{
    veche_event ev;
    veche_quorum_change last = {.ts_ms = -1};
    if (veche_store_event_get(st, event_id, &ev) != 0 || ev.room_kind != VECHE_ROOM_MEETING ||
        veche_store_quorum_log_list(st, event_id, last_change_cb, &last) != 0 ||
        last.ts_ms < 0 || (last.present == 0 && !last.reached))
        return;
    veche_quorum_change ch = {.ts_ms = ts_ms > last.ts_ms ? ts_ms : last.ts_ms,
                              .reached = false, .present = 0, .voting = last.voting};
    if (veche_store_quorum_log_append(st, event_id, &ch) != 0)
        VLOG_ERROR(ev.room_id, NULL, "quorum log: write failed");
}

int veche_roll_recover(veche_store *st, int64_t last_alive_ms)
{
    if (!st)
        return VECHE_EINVAL;
    recover_ctx c = {last_alive_ms, g_array_new(FALSE, FALSE, sizeof(veche_attendance))};
    int rc = veche_store_attendance_open(st, recover_cb, &c);
    GHashTable *events = g_hash_table_new(g_int64_hash, g_int64_equal);
    int closed = 0;
    for (guint i = 0; rc == 0 && i < c.closes->len; i++) {
        veche_attendance *a = &g_array_index(c.closes, veche_attendance, i);
        rc = veche_store_attendance_append(st, a, NULL);
        if (rc == 0) {
            closed++;
            g_hash_table_insert(events, &a->event_id, a);  /* the latest leave per event */
        }
    }
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, events);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const veche_attendance *a = value;
        recover_quorum(st, a->event_id, a->ts_ms);
    }
    if (closed > 0)
        VLOG_WARN(NULL, NULL, "attendance: %d connection(s) left open by the last run closed"
                  " at its last sign of life (%u event(s))", closed,
                  g_hash_table_size(events));
    g_hash_table_destroy(events);
    g_array_free(c.closes, TRUE);
    return rc < 0 ? rc : closed;
}
