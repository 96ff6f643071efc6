/* sfu_msg.c - constructors and destructors of the typed commands and
 * events between signalling and the rooms; see sfu_msg.h. */
#include "sfu_msg.h"

#include <glib.h>

static const char *const cmd_names[] = {
#define X(e, s) s,
    VECHE_SFU_COMMANDS(X)
#undef X
};

static const char *const event_names[] = {
#define X(e, s) s,
    VECHE_SFU_EVENTS(X)
#undef X
};

const char *veche_sfu_cmd_name(veche_sfu_cmd_type type)
{
    return type < VECHE_CMD_COUNT ? cmd_names[type] : "?";
}

const char *veche_sfu_event_name(veche_sfu_event_type type)
{
    return type < VECHE_EV_COUNT ? event_names[type] : "?";
}

veche_sfu_cmd *veche_sfu_cmd_new(veche_sfu_cmd_type type, const char *room,
                                 const char *participant, uint64_t client, uint64_t req)
{
    veche_sfu_cmd *cmd = g_new0(veche_sfu_cmd, 1);
    cmd->type = type;
    g_strlcpy(cmd->room, room ? room : "", sizeof cmd->room);
    g_strlcpy(cmd->participant, participant ? participant : "", sizeof cmd->participant);
    cmd->client = client;
    cmd->req = req;
    return cmd;
}

void veche_sfu_cmd_free(veche_sfu_cmd *cmd)
{
    if (!cmd)
        return;
    g_free(cmd->name);
    g_free(cmd->title);
    g_free(cmd->moderator_key);
    g_free(cmd->resume_id);
    g_free(cmd->resume_key);
    g_free(cmd->sdp);
    g_free(cmd->candidate);
    g_free(cmd->text);
    g_free(cmd->target);
    g_free(cmd->reason);
    g_free(cmd);
}

veche_sfu_event *veche_sfu_event_new(veche_sfu_event_type type, const char *room)
{
    veche_sfu_event *ev = g_new0(veche_sfu_event, 1);
    ev->type = type;
    g_strlcpy(ev->room, room ? room : "", sizeof ev->room);
    return ev;
}

void veche_sfu_event_add_to(veche_sfu_event *ev, uint64_t client, const char *participant)
{
    /* grows by powers of two: a room fan-out adds one per participant */
    if ((ev->n_to & (ev->n_to - 1)) == 0)
        ev->to = g_renew(veche_sfu_addr, ev->to, ev->n_to ? ev->n_to * 2 : 1);
    veche_sfu_addr *a = &ev->to[ev->n_to++];
    a->client = client;
    g_strlcpy(a->participant, participant ? participant : "", sizeof a->participant);
}

void veche_sfu_participant_info_clear(veche_sfu_participant_info *pi)
{
    g_free(pi->name);
    g_free(pi->tracks);
    pi->name = NULL;
    pi->tracks = NULL;
    pi->n_tracks = 0;
}

void veche_sfu_chat_msg_clear(veche_sfu_chat_msg *m)
{
    g_free(m->name);
    g_free(m->text);
    m->name = m->text = NULL;
}

void veche_sfu_chat_msg_copy(veche_sfu_chat_msg *dst, const veche_sfu_chat_msg *src)
{
    *dst = *src;
    dst->name = g_strdup(src->name);
    dst->text = g_strdup(src->text);
}

static void joined_free(veche_sfu_joined *j)
{
    if (!j)
        return;
    for (unsigned i = 0; i < j->n_participants; i++)
        veche_sfu_participant_info_clear(&j->participants[i]);
    g_free(j->participants);
    g_free(j->hands);
    for (unsigned i = 0; i < j->n_chat; i++)
        veche_sfu_chat_msg_clear(&j->chat[i]);
    g_free(j->chat);
    g_free(j->speakers);
    g_free(j);
}

void veche_sfu_event_free(veche_sfu_event *ev)
{
    if (!ev)
        return;
    g_free(ev->to);
    g_free(ev->text);
    veche_sfu_participant_info_clear(&ev->who);
    veche_sfu_chat_msg_clear(&ev->chat);
    g_free(ev->quality);
    for (unsigned i = 0; i < ev->n_rec_tracks; i++)
        g_free(ev->rec_tracks[i].name);
    g_free(ev->rec_tracks);
    joined_free(ev->joined);
    g_free(ev->speakers);
    g_free(ev);
}
