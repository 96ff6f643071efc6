/* room.h - the SFU's rooms and the participants in them, as the media
 * worker that runs a room sees them (signalling reaches them only through
 * typed commands, sfu_msg.h and dispatch.h).
 *
 * A room holds participants; each participant has at most one publish
 * transport (its offer, our answer) carrying its tracks, and at most one
 * subscribe transport (our offer, its answer) carrying everyone else's
 * tracks.  Every published track is forwarded to every subscriber.  What
 * the clients must hear goes out as typed events through env->emit,
 * addressed by participant id and client number.
 *
 * Ownership: the worker (or a test) owns rooms.  A room owns its
 * participants; veche_participant_leave() detaches one at once (others are
 * told) and frees it on the next iteration of env->ctx, so it is safe to
 * call from any callback.  Everything runs on env->ctx's thread.
 */
#ifndef VECHE_ROOM_H
#define VECHE_ROOM_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "config.h"
#include "dtls.h"
#include "mstats.h"
#include "sendq.h"
#include "policy.h"
#include "sfu_msg.h"

typedef struct veche_room veche_room;
typedef struct veche_participant veche_participant;

/* What the room needs from the process; pointers outlive the room. */
typedef struct {
    GMainContext *ctx;           /* the room's thread's context */
    const veche_config *cfg;
    veche_dtls_cert *cert;
    veche_sfu_emit_fn emit;      /* events to the clients, on ctx's thread */
    void *emit_ud;
    unsigned worker;             /* index of the worker running the room */
    veche_mstats *mstats;        /* the worker's counters (mstats.h), or NULL */
    veche_sendq *sendq;          /* the worker's batched sends (sendq.h), or NULL */
} veche_sfu_env;

/* An error for the signalling reply: a protocol code and a reason. */
typedef struct {
    const char *code;         /* "bad-sdp", "unsupported", "bad-state", ... */
    char reason[200];
} veche_sfu_error;

/* How a participant asks to join. */
typedef struct {
    const char *name;
    const char *moderator_key;   /* NULL, or the room's key: moderator role */
    const char *resume_id;       /* NULL, or come back as this participant */
    const char *resume_key;
    bool fixed_role;             /* an event room: role comes from the roster, */
    veche_role role;             /* not from being first or the moderator key */
    const char *title;           /* NULL, or what others see as the role when it
                                    says more ("secretary", "observer"); <16 bytes */
    bool presides;               /* fixed_role: a moderator who chairs (chair,
                                    trainer); "mute all" spares only them */
    unsigned max_participants;   /* an event's own limit; 0: the default for
                                    the room (room_limit in room.c) */
    uint64_t client;             /* who the participant's events are for */
    uint64_t req;                /* the JOINED reply carries it */
} veche_join_request;

/* A new room of the given kind; the first to join moderates it. */
veche_room *veche_room_new(const char *id, veche_room_kind kind, const veche_sfu_env *env);
veche_room_kind veche_room_get_kind(const veche_room *room);
/* Frees every participant still inside, telling nobody; accepts NULL. */
void veche_room_free(veche_room *room);
const char *veche_room_id(const veche_room *room);
unsigned veche_room_size(const veche_room *room);
/* Empty, and nobody who dropped may still come back: the room may go. */
bool veche_room_idle(veche_room *room);

/* Add a participant; returns it after emitting the JOINED reply to it (and
 * `participant-joined` to the others), or NULL with *err (room full,
 * locked). */
veche_participant *veche_room_join(veche_room *room, const veche_join_request *req,
                                   veche_sfu_error *err);
/* The participant with this id whose events go to client, or NULL; with
 * an empty id, the client's participant (a request sent before the client
 * knew its id: a connection has one participant per room). */
veche_participant *veche_room_find_client(veche_room *room, const char *id, uint64_t client);
/* Leave: others get `track-removed` and `participant-left`; nothing is
 * sent to p's client any more. */
void veche_participant_leave(veche_participant *p);
/* The connection dropped: leave, but keep a resume record for a while. */
void veche_participant_drop(veche_participant *p);
/* Stop publishing: the publish transport and its tracks go (others get
 * `track-removed`); publishing again starts a new connection. */
void veche_participant_unpublish(veche_participant *p);
const char *veche_participant_id(const veche_participant *p);
veche_room *veche_participant_room(const veche_participant *p);

/* Apply a publish offer; on success *answer is the SDP text (caller frees
 * with free()). */
int veche_participant_publish(veche_participant *p, const char *sdp,
                              const veche_sfu_source *sources, unsigned n_sources,
                              char **answer, veche_sfu_error *err);
/* Start receiving: the server sends `offer` messages from now on. */
int veche_participant_subscribe(veche_participant *p, veche_sfu_error *err);
/* The client's answer to our last subscribe offer. */
int veche_participant_subscribe_answer(veche_participant *p, const char *sdp,
                                       veche_sfu_error *err);
/* A trickled candidate for the publish (publish=true) or subscribe PC. */
int veche_participant_candidate(veche_participant *p, bool publish, const char *candidate,
                                veche_sfu_error *err);

/* Moderation and room features (moderation.c); each checks the caller's
 * rights (veche_policy_allows) and fails with code "forbidden" otherwise,
 * then carries the request out through the room (room.c).
 * `target` is a participant id. */
/* Say text in the room's chat; author_event/person are signalling's
 * numbers for the author, returned in the event untouched. */
int veche_participant_chat(veche_participant *p, const char *text, int64_t author_event,
                           int64_t author_person, veche_sfu_error *err);
int veche_participant_set_hand(veche_participant *p, const char *target, bool raised,
                               veche_sfu_error *err);
int veche_participant_set_floor(veche_participant *p, const char *target, bool granted,
                                veche_sfu_error *err);
/* target NULL: everyone but moderators (mute-all). */
int veche_participant_mute(veche_participant *p, const char *target, veche_sfu_error *err);
int veche_participant_unmute(veche_participant *p, veche_sfu_error *err);
/* A moderator turns target's chat off (muted) or back on; everyone is told
 * (`chat-muted`); a chat-muted participant's `chat` is refused. */
int veche_participant_mute_chat(veche_participant *p, const char *target, bool muted,
                                veche_sfu_error *err);
int veche_participant_remove(veche_participant *p, const char *target, const char *reason,
                             veche_sfu_error *err);
int veche_participant_lock(veche_participant *p, bool locked, veche_sfu_error *err);

/* The speakers list of a meeting (speakers_room.c; "unsupported" in a
 * training).  A member or guest asks for the floor and may withdraw; the
 * chair gives it (id NULL: the first waiting; seconds < 0: the room's
 * limit, 0: none), skips, moves, sets the limit; done takes the floor back
 * (the chair, or the speaker ending their own speech). */
int veche_participant_speak_request(veche_participant *p, veche_sfu_error *err);
int veche_participant_speak_withdraw(veche_participant *p, veche_sfu_error *err);
int veche_participant_speakers_give(veche_participant *p, const char *id, int seconds,
                                    veche_sfu_error *err);
int veche_participant_speakers_skip(veche_participant *p, const char *id,
                                    veche_sfu_error *err);
int veche_participant_speakers_move(veche_participant *p, const char *id, int position,
                                    veche_sfu_error *err);
int veche_participant_speakers_limit(veche_participant *p, int seconds, veche_sfu_error *err);
int veche_participant_speakers_done(veche_participant *p, veche_sfu_error *err);
/* The agenda moved to item (0 = none): the list starts afresh. */
void veche_room_speakers_reset(veche_room *room, int64_t item);

#endif
