/* signal_parse.c - the signalling protocol's message schema: one table row
 * per message type (its name, the members it needs, whether it needs a
 * room, its rate-limit kind) and the validation the table drives.  Pure:
 * no I/O, no state; what the fuzzer drives (fuzz_signal).  Not here: what
 * a message does (signalling.c and the topic modules handle it).
 */
#include "signalling.h"

#include <stdio.h>
#include <string.h>

#include "agenda_msg.h"
#include "err.h"

#define MAX_NAME_CHARS 64
#define MAX_CANDIDATE 1024

enum {
    F_ROOM = 1 << 0,
    F_NAME = 1 << 1,
    F_SDP = 1 << 2,
    F_PC = 1 << 3,
    F_CANDIDATE = 1 << 4,
    F_TEXT = 1 << 5,
    F_PARTICIPANT = 1 << 6,
};

static const struct {
    const char *name;
    veche_signal_type type;
    unsigned fields;
    bool needs_room;          /* refused before a join */
    veche_signal_limit limit; /* rate-limited per connection, or NONE */
} messages[] = {
    {"join", VECHE_MSG_JOIN, 0, false, VECHE_RL_NONE},
    {"publish", VECHE_MSG_PUBLISH, F_SDP, true, VECHE_RL_NONE},
    {"subscribe", VECHE_MSG_SUBSCRIBE, 0, true, VECHE_RL_NONE},
    {"answer", VECHE_MSG_ANSWER, F_SDP | F_PC, true, VECHE_RL_NONE},
    {"candidate", VECHE_MSG_CANDIDATE, F_PC | F_CANDIDATE, true, VECHE_RL_NONE},
    {"leave", VECHE_MSG_LEAVE, 0, true, VECHE_RL_NONE},
    {"ping", VECHE_MSG_PING, 0, false, VECHE_RL_NONE},
    {"chat", VECHE_MSG_CHAT, F_TEXT, true, VECHE_RL_CHAT},
    {"raise-hand", VECHE_MSG_RAISE_HAND, 0, true, VECHE_RL_HAND},
    {"lower-hand", VECHE_MSG_LOWER_HAND, 0, true, VECHE_RL_HAND},
    {"give-floor", VECHE_MSG_GIVE_FLOOR, F_PARTICIPANT, true, VECHE_RL_MODERATION},
    {"take-floor", VECHE_MSG_TAKE_FLOOR, F_PARTICIPANT, true, VECHE_RL_MODERATION},
    {"mute", VECHE_MSG_MUTE, F_PARTICIPANT, true, VECHE_RL_MODERATION},
    {"mute-all", VECHE_MSG_MUTE_ALL, 0, true, VECHE_RL_MODERATION},
    {"unmute", VECHE_MSG_UNMUTE, 0, true, VECHE_RL_MODERATION},
    {"remove", VECHE_MSG_REMOVE, F_PARTICIPANT, true, VECHE_RL_MODERATION},
    {"lock", VECHE_MSG_LOCK, 0, true, VECHE_RL_MODERATION},
    {"unlock", VECHE_MSG_UNLOCK, 0, true, VECHE_RL_MODERATION},
    {"unpublish", VECHE_MSG_UNPUBLISH, 0, true, VECHE_RL_MODERATION},
    {"vote-open", VECHE_MSG_VOTE, 0, true, VECHE_RL_MODERATION},
    {"vote-cast", VECHE_MSG_VOTE, 0, true, VECHE_RL_HAND},
    {"vote-close", VECHE_MSG_VOTE, 0, true, VECHE_RL_MODERATION},
    {"record-start", VECHE_MSG_RECORD_START, 0, true, VECHE_RL_MODERATION},
    {"record-stop", VECHE_MSG_RECORD_STOP, 0, true, VECHE_RL_MODERATION},
    {"record-mark", VECHE_MSG_RECORD_MARK, 0, true, VECHE_RL_MODERATION},
    {"mute-chat", VECHE_MSG_MUTE_CHAT, F_PARTICIPANT, true, VECHE_RL_MODERATION},
    {"unmute-chat", VECHE_MSG_UNMUTE_CHAT, F_PARTICIPANT, true, VECHE_RL_MODERATION},
    {"agenda-add", VECHE_MSG_AGENDA_ADD, 0, true, VECHE_RL_MODERATION},
    {"agenda-remove", VECHE_MSG_AGENDA_REMOVE, 0, true, VECHE_RL_MODERATION},
    {"agenda-move", VECHE_MSG_AGENDA_MOVE, 0, true, VECHE_RL_MODERATION},
    {"agenda-go", VECHE_MSG_AGENDA_GO, 0, true, VECHE_RL_MODERATION},
    {"agenda-next", VECHE_MSG_AGENDA_NEXT, 0, true, VECHE_RL_MODERATION},
    {"agenda-previous", VECHE_MSG_AGENDA_PREVIOUS, 0, true, VECHE_RL_MODERATION},
    {"speak-request", VECHE_MSG_SPEAK_REQUEST, 0, true, VECHE_RL_HAND},
    {"speak-withdraw", VECHE_MSG_SPEAK_WITHDRAW, 0, true, VECHE_RL_HAND},
    {"speakers-give", VECHE_MSG_SPEAKERS_GIVE, 0, true, VECHE_RL_MODERATION},
    {"speakers-skip", VECHE_MSG_SPEAKERS_SKIP, F_PARTICIPANT, true, VECHE_RL_MODERATION},
    {"speakers-move", VECHE_MSG_SPEAKERS_MOVE, F_PARTICIPANT, true, VECHE_RL_MODERATION},
    {"speakers-limit", VECHE_MSG_SPEAKERS_LIMIT, 0, true, VECHE_RL_MODERATION},
    {"speakers-done", VECHE_MSG_SPEAKERS_DONE, 0, true, VECHE_RL_MODERATION},
};

static int fail(veche_sfu_error *err, const char *code, const char *reason)
{
    err->code = code;
    g_strlcpy(err->reason, reason, sizeof err->reason);
    return VECHE_EINVAL;
}

static bool valid_name(const char *s)
{
    if (!g_utf8_validate(s, -1, NULL))
        return false;
    glong n = g_utf8_strlen(s, -1);
    if (n == 0 || n > MAX_NAME_CHARS)
        return false;
    for (const char *p = s; *p; p = g_utf8_next_char(p))
        if (g_unichar_iscntrl(g_utf8_get_char(p)))
            return false;
    return true;
}

static const char *string_member(json_t *root, const char *key)
{
    json_t *v = json_object_get(root, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The members of `join`: room and name (required without an event or
 * invitation, optional with one), event, invitation, kind, moderatorKey,
 * resume. */
static int check_join(veche_signal_msg *m, veche_sfu_error *err)
{
    json_t *event = json_object_get(m->root, "event");
    if (event && (!json_is_integer(event) || json_integer_value(event) <= 0))
        return fail(err, "bad-request", "event must be a positive event id");
    m->event = event ? (int64_t)json_integer_value(event) : 0;
    json_t *inv = json_object_get(m->root, "invitation");
    m->invitation = json_string_value(inv);
    if (inv && (!m->invitation || strlen(m->invitation) > 200))
        return fail(err, "bad-request", "invitation must be an invitation token");
    bool anonymous = !m->event && !m->invitation;
    if ((anonymous || m->room) && (!m->room || !veche_room_id_valid(m->room)))
        return fail(err, "bad-request", "room must be 1-64 of A-Z a-z 0-9 _ . -");
    if ((anonymous || m->name) && (!m->name || !valid_name(m->name)))
        return fail(err, "bad-request", "name must be 1-64 printable characters");
    json_t *kind = json_object_get(m->root, "kind");
    m->kind = VECHE_ROOM_MEETING;
    if (kind && !veche_room_kind_parse(json_string_value(kind), &m->kind))
        return fail(err, "bad-request", "kind must be \"meeting\" or \"training\"");
    json_t *key = json_object_get(m->root, "moderatorKey");
    m->moderator_key = json_string_value(key);
    if (key && !m->moderator_key)
        return fail(err, "bad-request", "moderatorKey must be a string");
    json_t *resume = json_object_get(m->root, "resume");
    if (resume) {
        m->resume_id = string_member(resume, "participant");
        m->resume_key = string_member(resume, "key");
        if (!json_is_object(resume) || !m->resume_id || !m->resume_key)
            return fail(err, "bad-request", "resume must be {participant, key}");
    }
    return 0;
}

/* Check the members the table asks for; 0 or an error. */
static int check_fields(veche_signal_msg *m, unsigned fields, veche_sfu_error *err)
{
    m->room = string_member(m->root, "room");
    m->name = string_member(m->root, "name");
    m->sdp = string_member(m->root, "sdp");
    m->pc = string_member(m->root, "pc");
    m->candidate = string_member(m->root, "candidate");
    if ((fields & F_ROOM) && (!m->room || !veche_room_id_valid(m->room)))
        return fail(err, "bad-request", "room must be 1-64 of A-Z a-z 0-9 _ . -");
    if ((fields & F_NAME) && (!m->name || !valid_name(m->name)))
        return fail(err, "bad-request", "name must be 1-64 printable characters");
    if ((fields & F_SDP) && (!m->sdp || !*m->sdp))
        return fail(err, "bad-request", "sdp must be a non-empty string");
    if ((fields & F_PC) && (!m->pc || (strcmp(m->pc, "publish") && strcmp(m->pc, "subscribe"))))
        return fail(err, "bad-request", "pc must be \"publish\" or \"subscribe\"");
    if ((fields & F_CANDIDATE) && (!m->candidate || strlen(m->candidate) > MAX_CANDIDATE))
        return fail(err, "bad-request", "candidate must be a string of at most 1024 bytes");
    m->text = string_member(m->root, "text");
    if ((fields & F_TEXT) && !m->text)
        return fail(err, "bad-request", "text must be a string");
    m->participant = string_member(m->root, "participant");
    json_t *target = json_object_get(m->root, "participant");
    if (((fields & F_PARTICIPANT) && !m->participant) || (target && !m->participant))
        return fail(err, "bad-request", "participant must be a participant id");
    m->reason = string_member(m->root, "reason");
    if (m->reason && g_utf8_strlen(m->reason, -1) > 200)
        return fail(err, "bad-request", "reason must be at most 200 characters");
    if (m->type == VECHE_MSG_JOIN)
        return check_join(m, err);
    if (veche_agenda_msg_is_agenda(m->type) || veche_agenda_msg_is_speakers(m->type))
        return veche_agenda_msg_check(m, err);
    json_t *sources = json_object_get(m->root, "sources");
    if (sources && !json_is_object(sources))
        return fail(err, "bad-request", "sources must be an object from mid to source");
    m->sources = sources;
    return 0;
}

int veche_signal_parse(const char *text, size_t len, veche_signal_msg *out,
                       veche_sfu_error *err)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    out->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!out->root || !json_is_object(out->root)) {
        char reason[200];
        snprintf(reason, sizeof reason, "not a JSON object: %s",
                 out->root ? "wrong type" : jerr.text);
        return fail(err, "bad-json", reason);
    }
    json_t *id = json_object_get(out->root, "id");
    if (json_is_string(id) || json_is_integer(id))
        out->id = id;
    const char *type = string_member(out->root, "type");
    if (!type)
        return fail(err, "bad-request", "missing string member \"type\"");
    for (size_t i = 0; i < G_N_ELEMENTS(messages); i++) {
        if (strcmp(messages[i].name, type) == 0) {
            out->type = messages[i].type;
            out->needs_room = messages[i].needs_room;
            out->limit = messages[i].limit;
            return check_fields(out, messages[i].fields, err);
        }
    }
    return fail(err, "unknown-type", "unknown message type");
}

void veche_signal_msg_clear(veche_signal_msg *m)
{
    json_decref(m->root);
    memset(m, 0, sizeof *m);
}

