/* vote_msg.c - vote messages: parsing (pure) and hand-off to the votes
 * (vote_msg.h). */
#include "vote_msg.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "signalling.h"

static int bad(char *reason, size_t cap, const char *text)
{
    snprintf(reason, cap, "%s", text);
    return VECHE_EINVAL;
}

/* A positive integer member, or 0. */
static int64_t id_member(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

static int parse_options(json_t *opts, veche_votes_open_req *o, char *reason, size_t cap)
{
    if (!opts || json_is_null(opts))
        return 0;
    if (!json_is_array(opts) || json_array_size(opts) < 2 ||
        json_array_size(opts) > VECHE_VOTE_MAX_OPTIONS)
        return bad(reason, cap, "options must be an array of 2 to 10 strings");
    for (size_t i = 0; i < json_array_size(opts); i++) {
        const char *s = json_string_value(json_array_get(opts, i));
        if (!s || !*s || strlen(s) > VECHE_VOTE_OPTION_MAX || !g_utf8_validate(s, -1, NULL))
            return bad(reason, cap, "each option must be a string of 1 to 100 bytes");
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->options[j], s) == 0)
                return bad(reason, cap, "options must differ");
        g_strlcpy(o->options[i], s, sizeof o->options[i]);
    }
    o->n_options = json_array_size(opts);
    return 0;
}

static int parse_open(json_t *root, veche_votes_open_req *o, char *reason, size_t cap)
{
    const char *q = json_string_value(json_object_get(root, "question"));
    if (!q || !*q || strlen(q) > VECHE_VOTE_QUESTION_MAX || !g_utf8_validate(q, -1, NULL))
        return bad(reason, cap, "question must be a string of 1 to 1000 bytes");
    g_strlcpy(o->question, q, sizeof o->question);
    json_t *kind = json_object_get(root, "kind");
    o->kind = VECHE_VOTE_OPEN;
    if (kind && veche_vote_kind_parse(json_string_value(kind), &o->kind) != 0)
        return bad(reason, cap, "kind must be \"open\", \"named\" or \"secret\"");
    json_t *rule = json_object_get(root, "rule");
    if (rule && !json_is_null(rule)) {
        if (veche_vote_rule_parse(json_string_value(rule), &o->rule) != 0)
            return bad(reason, cap, "unknown rule (see docs/protocol.md)");
        o->rule_given = true;
    }
    json_t *item = json_object_get(root, "agendaItem");
    if (item && !json_is_null(item) && !(o->agenda_item = id_member(root, "agendaItem")))
        return bad(reason, cap, "agendaItem must be a positive integer");
    return parse_options(json_object_get(root, "options"), o, reason, cap);
}

int veche_vote_msg_parse(json_t *root, veche_vote_msg *out, char *reason, size_t cap)
{
    memset(out, 0, sizeof *out);
    const char *type = json_string_value(json_object_get(root, "type"));
    if (!type)
        return bad(reason, cap, "missing string member \"type\"");
    if (strcmp(type, "vote-open") == 0) {
        out->type = VECHE_VOTE_MSG_OPEN;
        return parse_open(root, &out->open, reason, cap);
    }
    if (strcmp(type, "vote-cast") == 0)
        out->type = VECHE_VOTE_MSG_CAST;
    else if (strcmp(type, "vote-close") == 0)
        out->type = VECHE_VOTE_MSG_CLOSE;
    else
        return bad(reason, cap, "not a vote message");
    if (!(out->vote = id_member(root, "vote")))
        return bad(reason, cap, "vote must be a positive integer");
    if (out->type == VECHE_VOTE_MSG_CAST) {
        json_t *o = json_object_get(root, "option");
        if (!json_is_integer(o) || json_integer_value(o) < 0 ||
            json_integer_value(o) >= VECHE_VOTE_MAX_OPTIONS)
            return bad(reason, cap, "option must be an option's index");
        out->option = (int)json_integer_value(o);
    }
    return 0;
}

typedef struct {
    veche_signal *s;
    uint64_t client;
    json_t *id;
} reply_to;

static void reply_free(void *ud)
{
    reply_to *r = ud;
    json_decref(r->id);
    g_free(r);
}

static void reply(void *ud, json_t *msg, const char *code, const char *reason)
{
    reply_to *r = ud;
    if (!msg)
        msg = json_pack("{s:s, s:s, s:s}", "type", "error", "code", code, "reason", reason);
    veche_signal_client_send(r->s, r->client, msg, r->id);
}

void veche_vote_msg_handle(veche_signal *s, veche_votes *votes, const veche_votes_who *who,
                           uint64_t client, const veche_vote_msg *m, json_t *id)
{
    reply_to *r = g_new0(reply_to, 1);
    r->s = s;
    r->client = client;
    r->id = id ? json_incref(id) : NULL;
    switch (m->type) {
    case VECHE_VOTE_MSG_OPEN:
        return veche_votes_open(votes, who, &m->open, reply, r, reply_free);
    case VECHE_VOTE_MSG_CAST:
        return veche_votes_cast(votes, who, m->vote, m->option, reply, r, reply_free);
    case VECHE_VOTE_MSG_CLOSE:
        return veche_votes_close(votes, who, m->vote, reply, r, reply_free);
    }
    reply_free(r);
}

typedef struct {
    veche_signal *s;
    veche_votes *votes;
    int64_t event_id;
    veche_votes_change what;
    int64_t person_id;            /* BALLOT: only this person's connections */
    json_t *shared;               /* STATE: the vote */
    json_t *progress;             /* the open vote's `vote-progress`, or NULL */
    json_t *waiting;              /* progress with its waiting list, made once */
} notify_ctx;

/* The progress message with the waiting list (veche_votes_sees_waiting),
 * made for the first who sees it. */
static json_t *progress_waiting(notify_ctx *n)
{
    if (!n->waiting)
        n->waiting = veche_votes_progress_waiting_msg(n->votes, n->event_id, n->progress);
    return n->waiting ? json_incref(n->waiting) : NULL;
}

static void send_one(void *ud, uint64_t client, int64_t person_id, veche_access_role access)
{
    notify_ctx *n = ud;
    json_t *msg = NULL;
    switch (n->what) {
    case VECHE_VOTES_BALLOT:
        if (person_id == n->person_id)
            msg = veche_votes_msg(n->votes, n->event_id, person_id);
        break;
    case VECHE_VOTES_STATE:
        msg = veche_votes_msg_with(n->votes, n->event_id, person_id, n->shared);
        /* who runs the vote gets the waiting list as soon as it opens */
        if (msg && veche_votes_sees_waiting(access) && n->progress) {
            veche_signal_client_send(n->s, client, msg, NULL);
            msg = progress_waiting(n);
        }
        break;
    case VECHE_VOTES_PROGRESS:
        if (veche_votes_sees_waiting(access))
            msg = progress_waiting(n);
        else
            msg = n->progress ? json_deep_copy(n->progress) : NULL;
        break;
    }
    if (msg)
        veche_signal_client_send(n->s, client, msg, NULL);
}

/* The messages of one change, made once for all its recipients; false
 * when there are no votes. */
static bool ctx_init(notify_ctx *n, veche_signal *s, int64_t event_id, veche_votes_change what,
                     int64_t person_id)
{
    *n = (notify_ctx){s, veche_signal_votes(s), event_id, what, person_id, NULL, NULL, NULL};
    if (!n->votes)
        return false;
    if (what == VECHE_VOTES_STATE)
        n->shared = veche_votes_state_json(n->votes, event_id);
    if (what != VECHE_VOTES_BALLOT)
        n->progress = veche_votes_progress_msg(n->votes, event_id);
    return true;
}

static void ctx_clear(notify_ctx *n)
{
    json_decref(n->shared);
    json_decref(n->progress);
    json_decref(n->waiting);
}

void veche_vote_msg_notify(void *ud, int64_t event_id, veche_votes_change what,
                           int64_t person_id)
{
    notify_ctx n;
    if (!ctx_init(&n, ud, event_id, what, person_id))
        return;
    veche_signal_each_in_event(ud, event_id, send_one, &n);
    ctx_clear(&n);
}

void veche_vote_msg_to_joiner(veche_signal *s, uint64_t client, int64_t event_id,
                              int64_t person_id, veche_access_role access)
{
    notify_ctx n;
    if (!ctx_init(&n, s, event_id, VECHE_VOTES_STATE, person_id))
        return;
    send_one(&n, client, person_id, access);
    ctx_clear(&n);
}
