/* sfu_msg.h - what passes between signalling (the main thread) and the
 * rooms (a media worker's thread): typed commands in, typed events out.
 *
 * Both are plain values addressed by ids, never by pointers: a room by its
 * id, a participant by its id and by the `client` number signalling gave
 * its connection (a resumed participant keeps its id on a new connection,
 * so the id alone does not say which connection an event is for).
 *
 *   signalling --veche_sfu_cmd--> worker mailbox --> room (dispatch.c)
 *   room --veche_sfu_event (one per fan-out, n_to addressees)--> signalling
 *
 * Every command that names a request (req != 0) is answered by exactly one
 * reply event (JOINED, ANSWER, OK or ERROR) carrying the same req.  Events
 * and replies from one room arrive in the order the room made them.
 *
 * No JSON here: only signalling (events_json.c) turns events into the
 * protocol (docs/protocol.md).  Ownership: a command or event belongs to
 * whoever holds it; posting one hands it over (transfer full); strings
 * inside are owned by it and freed with it.  Any thread.
 */
#ifndef VECHE_SFU_MSG_H
#define VECHE_SFU_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "sdp.h"

#define VECHE_PARTICIPANT_ID_LEN 17   /* 16 characters and the NUL */
#define VECHE_MAX_SOURCES 16

/* --- commands --- */

#define VECHE_SFU_COMMANDS(X) \
    X(JOIN, "join") X(LEAVE, "leave") X(DROP, "drop") X(PUBLISH, "publish") \
    X(SUBSCRIBE, "subscribe") X(ANSWER, "answer") X(CANDIDATE, "candidate") \
    X(CHAT, "chat") X(RAISE_HAND, "raise-hand") X(LOWER_HAND, "lower-hand") \
    X(GIVE_FLOOR, "give-floor") X(TAKE_FLOOR, "take-floor") X(MUTE, "mute") \
    X(MUTE_ALL, "mute-all") X(UNMUTE, "unmute") X(REMOVE, "remove") X(LOCK, "lock") \
    X(UNLOCK, "unlock") X(UNPUBLISH, "unpublish") X(CLOSE_ROOM, "close-room") \
    X(REC_START, "rec-start") X(REC_STOP, "rec-stop") \
    X(MUTE_CHAT, "mute-chat") X(UNMUTE_CHAT, "unmute-chat") \
    X(SPEAK_REQUEST, "speak-request") X(SPEAK_WITHDRAW, "speak-withdraw") \
    X(SPEAKERS_GIVE, "speakers-give") X(SPEAKERS_SKIP, "speakers-skip") \
    X(SPEAKERS_MOVE, "speakers-move") X(SPEAKERS_LIMIT, "speakers-limit") \
    X(SPEAKERS_DONE, "speakers-done") X(SPEAKERS_RESET, "speakers-reset")

typedef enum {
#define X(e, s) VECHE_CMD_##e,
    VECHE_SFU_COMMANDS(X)
#undef X
    VECHE_CMD_COUNT
} veche_sfu_cmd_type;

/* A publish offer's mid -> source ("camera", "microphone", "screen"). */
typedef struct {
    char mid[32];
    char source[12];
} veche_sfu_source;

typedef struct {
    veche_sfu_cmd_type type;
    char room[VECHE_ROOM_ID_MAX + 1];
    char participant[VECHE_PARTICIPANT_ID_LEN];  /* the caller; "" for JOIN */
    uint64_t client;             /* the caller's connection (signalling's number) */
    uint64_t req;                /* nonzero: answer with a reply event */
    /* JOIN */
    veche_room_kind kind;        /* if the room is new */
    char *name;
    char *moderator_key;         /* NULL, or the room's key */
    char *resume_id;             /* NULL, or come back as this participant */
    char *resume_key;
    bool fixed_role;             /* an event's room: the role comes from the roster */
    veche_role role;
    char *title;                 /* NULL or "secretary", "observer"... (room.h) */
    bool presides;               /* fixed_role: a moderator who chairs */
    unsigned max_participants;   /* the event's own limit; 0: by room kind (room.c) */
    /* PUBLISH, ANSWER, CANDIDATE */
    char *sdp;
    char *candidate;
    bool publish_pc;             /* CANDIDATE: for the publish connection */
    veche_sfu_source sources[VECHE_MAX_SOURCES];
    unsigned n_sources;
    /* CHAT; moderation target (a participant id) and REMOVE's reason */
    char *text;
    char *target;
    char *reason;
    /* CHAT: the author as signalling knows it (event and person ids),
     * opaque to the room and handed back in the chat event, so the message
     * is stored even if its author's connection is gone by then */
    int64_t author_event, author_person;
    /* REC_START: where the recorder listens (text: its IPv4/IPv6 address);
     * rec_part names the part in the REC_TRACKS event that answers */
    uint16_t rec_rtp_port, rec_rtcp_port;
    int64_t rec_part;
    /* SPEAKERS_GIVE, _LIMIT: seconds (-1 = the room's limit); SPEAKERS_MOVE:
     * the position (1..); SPEAKERS_RESET (no caller): the agenda item now
     * current (0 = none) */
    int64_t number;
} veche_sfu_cmd;

/* A zeroed command of `type` for room and caller (participant may be NULL). */
veche_sfu_cmd *veche_sfu_cmd_new(veche_sfu_cmd_type type, const char *room,
                                 const char *participant, uint64_t client, uint64_t req);
void veche_sfu_cmd_free(veche_sfu_cmd *cmd);  /* accepts NULL */
const char *veche_sfu_cmd_name(veche_sfu_cmd_type type);

/* --- events --- */

#define VECHE_SFU_EVENTS(X) \
    X(JOINED, "joined") X(ANSWER, "answer") X(OK, "ok") X(ERROR, "error") \
    X(PARTICIPANT_JOINED, "participant-joined") X(PARTICIPANT_LEFT, "participant-left") \
    X(TRACK_ADDED, "track-added") X(TRACK_REMOVED, "track-removed") X(OFFER, "offer") \
    X(CANDIDATE, "candidate") X(CHAT, "chat") X(HAND, "hand") X(FLOOR, "floor") \
    X(MUTED, "muted") X(SPEAKER, "speaker") X(QUALITY, "quality") X(LOCKED, "locked") \
    X(MEDIA_FAILED, "media-failed") X(REMOVED, "removed") X(ROOM_IDLE, "room-idle") \
    X(KNOCK, "knock") X(REC_TRACKS, "rec-tracks") X(CHAT_MUTED, "chat-muted") \
    X(SPEAKERS, "speakers") X(ROOM_SIZE, "room-size")

typedef enum {
#define X(e, s) VECHE_EV_##e,
    VECHE_SFU_EVENTS(X)
#undef X
    VECHE_EV_COUNT
} veche_sfu_event_type;

/* Who an event is for. */
typedef struct {
    uint64_t client;
    char participant[VECHE_PARTICIPANT_ID_LEN];
} veche_sfu_addr;

typedef struct {
    char id[16];
    veche_sdp_kind kind;
    char source[12];
} veche_sfu_track_info;

typedef struct {
    char id[VECHE_PARTICIPANT_ID_LEN];
    char *name;
    veche_role role;
    char title[16];              /* "" or the role as people call it (room.h) */
    bool muted, hand, floor;
    bool chat_muted;             /* a moderator turned its chat off */
    unsigned n_tracks;
    veche_sfu_track_info *tracks;
} veche_sfu_participant_info;

typedef struct {
    uint64_t seq;
    char from[VECHE_PARTICIPANT_ID_LEN];
    char *name;
    char *text;
    int64_t ts_ms;
    int64_t author_event, author_person;  /* the CHAT command's (opaque) */
} veche_sfu_chat_msg;

typedef struct {
    char participant[VECHE_PARTICIPANT_ID_LEN];
    double loss;                 /* worst fraction lost of its tracks, 0..1 */
} veche_sfu_quality;

/* A track the room forwards to the recorder (REC_TRACKS). */
typedef struct {
    char participant[VECHE_PARTICIPANT_ID_LEN];
    char *name;
    veche_role role;
    char track[16];
    char source[12];             /* camera, microphone, screen */
    veche_sdp_kind kind;
    uint32_t ssrc;               /* the publisher's (forwarded as is) */
    uint8_t pt;                  /* the server's: VP8 98, Opus 109 */
} veche_sfu_rec_track;
/* A meeting's speakers list as everyone sees it (sfu/speakers.c). */
#define VECHE_SPEAKERS_MAX 64
typedef struct {
    unsigned n;                  /* waiting, in order */
    char list[VECHE_SPEAKERS_MAX][VECHE_PARTICIPANT_ID_LEN];
    bool away[VECHE_SPEAKERS_MAX];  /* list[i]'s connection dropped: it keeps
                                       its place while it may resume */
    char speaking[VECHE_PARTICIPANT_ID_LEN];  /* "" = nobody has the floor */
    int64_t now_ms;              /* when this copy was made: the clients count
                                    down from deadline - now (wall clock, ms) */
    int64_t since_ms;            /* when the floor was given (server clock) */
    int64_t deadline_ms;         /* 0 = no time limit */
    unsigned limit_s;            /* the room's limit per speech, 0 = none */
    int64_t item;                /* the agenda item it is for, 0 = none */
} veche_sfu_speakers;

/* The `joined` reply: the room as the newcomer first sees it. */
typedef struct {
    veche_room_kind kind;
    veche_role role;
    char resume_key[33];
    char moderator_key[33];      /* "" unless the newcomer moderates */
    bool locked, floor, muted;
    char speaker[VECHE_PARTICIPANT_ID_LEN];  /* "" = none */
    unsigned worker;             /* the media worker the room runs on */
    unsigned present;            /* people in the room, the newcomer too */
    unsigned n_participants;     /* those the newcomer sees (visibility.c) */
    veche_sfu_participant_info *participants;
    unsigned n_hands;
    char (*hands)[VECHE_PARTICIPANT_ID_LEN];
    unsigned n_chat;
    veche_sfu_chat_msg *chat;
    veche_sfu_speakers *speakers;  /* a meeting's list, or NULL (training) */
} veche_sfu_joined;

typedef struct {
    veche_sfu_event_type type;
    char room[VECHE_ROOM_ID_MAX + 1];
    veche_room_kind kind;        /* the room's (names roles) */
    unsigned worker;             /* the media worker it came from */
    uint64_t req;                /* replies: the command's req */
    unsigned n_to;
    veche_sfu_addr *to;          /* addressees (none for ROOM_IDLE) */
    /* The subject: participant-joined/left, track-*, hand, floor, muted,
     * speaker ("" = nobody speaks now), the joiner of JOINED. */
    char participant[VECHE_PARTICIPANT_ID_LEN];
    char by[VECHE_PARTICIPANT_ID_LEN];     /* muted: who muted */
    bool flag;                   /* hand raised, floor granted, muted, locked */
    bool publish_pc;             /* ANSWER, OFFER, CANDIDATE: which connection */
    const char *code;            /* ERROR, REMOVED: a static protocol code */
    char *text;                  /* SDP, candidate, error/removed/failure reason,
                                    knock: the name of who was turned away */
    veche_sfu_track_info track;  /* track-added; track-removed uses track.id */
    veche_sfu_participant_info who;  /* participant-joined */
    veche_sfu_chat_msg chat;     /* chat */
    unsigned n_quality;
    veche_sfu_quality *quality;  /* quality */
    veche_sfu_joined *joined;    /* JOINED */
    int64_t rec_part;            /* REC_TRACKS: the REC_START's part */
    unsigned n_rec_tracks;
    veche_sfu_rec_track *rec_tracks;  /* REC_TRACKS: what is forwarded */
    veche_sfu_speakers *speakers;  /* SPEAKERS */
    unsigned present;            /* ROOM_SIZE: people in the room */
} veche_sfu_event;

veche_sfu_event *veche_sfu_event_new(veche_sfu_event_type type, const char *room);
void veche_sfu_event_free(veche_sfu_event *ev);  /* accepts NULL */
/* Add an addressee. */
void veche_sfu_event_add_to(veche_sfu_event *ev, uint64_t client, const char *participant);
const char *veche_sfu_event_name(veche_sfu_event_type type);
/* Free the strings and arrays inside (not the struct). */
void veche_sfu_participant_info_clear(veche_sfu_participant_info *pi);
void veche_sfu_chat_msg_clear(veche_sfu_chat_msg *m);
/* A deep copy of src into dst. */
void veche_sfu_chat_msg_copy(veche_sfu_chat_msg *dst, const veche_sfu_chat_msg *src);

/* Where a room's events go: called on the room's thread, takes ev. */
typedef void (*veche_sfu_emit_fn)(void *ud, veche_sfu_event *ev);

#endif
