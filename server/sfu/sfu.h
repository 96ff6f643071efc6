/* sfu.h - private structures shared by the SFU core files: room.c
 * (membership, the event fan-out, timers), moderation.c (requests),
 * dispatch.c (commands), participant.c (negotiation and the transports),
 * track.c (the media path) and negotiate.c (SDP building).  All of a room
 * runs on its media worker's thread.
 * Nothing outside those files includes this.
 *
 * Object graph (-> owns, ~> points to):
 *
 *   room -> participant -> publish transport, track[] -> rtxbuf
 *                       -> subscribe transport, downtrack[]
 *   track ~> downtrack[] (one per subscriber receiving it)
 *   downtrack ~> track (NULL once the track ended; the m-line goes inactive
 *                and, once the client has answered that, is reused by the
 *                subscriber's next downtrack of the same kind: negotiate.c)
 */
#ifndef VECHE_SFU_H
#define VECHE_SFU_H

#include <stdbool.h>
#include <stdint.h>

#include "chat.h"
#include "policy.h"
#include "room.h"
#include "rtp_rewrite.h"
#include "rtpstats.h"
#include "nackgen.h"
#include "rtcp.h"
#include "rtxbuf.h"
#include "sdp.h"
#include "speaker.h"
#include "speakers.h"
#include "transport.h"

typedef struct veche_track veche_track;
typedef struct veche_downtrack veche_downtrack;

/* The codec of a track, as negotiated with its publisher. */
typedef struct {
    veche_sdp_kind kind;
    uint8_t pt;
    char name[32];
    uint32_t clock_rate;
    uint8_t channels;
    char fmtp[256];
} veche_codec;

struct veche_room {
    char *id;
    veche_sfu_env env;
    GPtrArray *participants;     /* veche_participant*, owned */
    GSource *rtcp_timer;
    GSource *nack_timer;         /* upstream NACK retries (track.c), while
                                  * numbers are missing; else NULL */
    GSource *speaker_timer;
    unsigned next_track_no;
    unsigned rtcp_ticks;
    /* room kind and moderation (moderation.c) */
    veche_room_kind kind;
    bool claimed;                /* the creator has joined (and moderates) */
    bool locked;
    bool idle_told;              /* ROOM_IDLE sent, no join since (dispatch.c) */
    char moderator_key[33];
    veche_chat *chat;
    veche_speaker *speaker;
    GPtrArray *hands;            /* participant ids (char*, owned), in order raised */
    veche_speakers *speakers;    /* a meeting's speakers list (speakers_room.c) */
    GHashTable *departed;        /* id -> veche_departed*, for resume */
    struct veche_rectap *rectap; /* to the recorder while recording (rectap.h) */
    unsigned size_sent;          /* the last `room-size` to members (visibility.c) */
};

/* Who left without saying goodbye (dropped connection): kept for
 * resume_grace_seconds (config.h; 60 s by default) so they can come back
 * as the same participant. */
typedef struct {
    char key[33];
    veche_role role;
    bool has_floor;
    bool muted;
    bool chat_muted;
    uint64_t left_ms;
} veche_departed;

struct veche_participant {
    veche_room *room;            /* NULL once left */
    char id[17];
    char *name;
    veche_role role;
    char title[16];              /* "" or the role as people call it (room.h) */
    bool presides;               /* a moderator "mute all" spares */
    bool has_floor;
    bool hand_raised;
    bool muted;                  /* audio not forwarded (moderator or self) */
    bool chat_muted;             /* a moderator turned its chat off */
    bool dropped;                /* the connection went away: may resume */
    bool revealed;               /* a training: has the floor or publishes, so
                                    every member sees it (visibility.c) */
    GSource *unpublish_idle;     /* pending unpublish (publish PC closed) */
    char resume_key[33];
    uint64_t client;             /* signalling's number for its connection */
    uint32_t rtcp_ssrc;          /* our SSRC in RTCP sent to this client */
    /* publish side */
    veche_transport *pub;
    bool pub_answered;           /* an answer went out: trickle from now on */
    char *pub_ufrag;             /* the client's ICE ufrag, to spot restarts */
    GPtrArray *tracks;           /* veche_track*, owned */
    /* subscribe side */
    veche_transport *sub;
    bool sub_wanted;
    bool sub_remote_set;
    bool sub_offered;            /* an offer went out: trickle from now on */
    bool offer_outstanding;
    bool reoffer_needed;
    uint64_t sub_version;
    GPtrArray *downtracks;       /* veche_downtrack*, owned, in mid order */
    unsigned next_mid;
};

struct veche_track {
    veche_participant *owner;
    char id[16];
    char pub_mid[32];
    char source[12];             /* "camera", "microphone", "screen" */
    uint8_t audio_level_id;      /* RFC 6464 extension id, 0 = none */
    uint8_t last_fraction_lost;  /* of the last RR we sent, /256 */
    veche_codec codec;
    uint32_t ssrc;
    uint32_t rtx_ssrc;           /* publisher's RTX SSRC, 0 if none */
    uint8_t rtx_pt;              /* publisher's RTX payload type, 0 if none */
    bool nack;                   /* publisher negotiated generic NACK */
    bool recorded;               /* forwarded to the room's rectap */
    veche_rtxbuf *rtxbuf;        /* video only */
    veche_nackgen *nackgen;      /* video only: upstream NACKs and PLIs */
    veche_mstats *ms;            /* the worker's counters, or NULL */
    uint64_t ms_missing, ms_repaired; /* nackgen's counts already added to ms */
    veche_rtpstats stats;
    uint64_t last_keyframe_request_ms;
    uint8_t fir_seq;
    /* sequence numbers recently NACKed upstream, so that several
     * subscribers missing the same packet cause one upstream NACK */
    uint16_t upstream_nacked[16];
    uint64_t upstream_nacked_ms[16];
    unsigned upstream_nacked_next;
    GPtrArray *downtracks;       /* veche_downtrack*, not owned */
};

/* The subscriber's payload types: the server's own numbering, the same on
 * every subscribe transport whatever the publishers use (track.c rewrites
 * the payload type of every packet). */
#define VECHE_SUB_PT_OPUS 109
#define VECHE_SUB_PT_VP8 98
#define VECHE_SUB_PT_RTX 99          /* apt=VECHE_SUB_PT_VP8 */

struct veche_downtrack {
    veche_participant *sub;      /* the subscriber */
    veche_track *track;          /* NULL once the track ended */
    char mid[16];
    char msid[64];               /* "<participant> <track>" */
    veche_codec codec;           /* the track's, with our payload type */
    uint32_t ssrc;               /* ours, unique in the room (ssrc.c) */
    uint32_t rtx_ssrc;           /* ours, for RTX towards the subscriber */
    uint8_t rtx_pt;              /* 0 = no RTX */
    uint16_t rtx_seq;
    veche_rtp_rewrite rw;        /* the track's SSRC/PT/seq/ts -> ours */
    /* the subscriber's last receiver report about ssrc */
    uint64_t rr_ms;              /* 0 = none yet */
    uint8_t rr_fraction_lost;    /* /256 */
    int32_t rr_cumulative_lost;
    uint32_t rr_jitter;
    uint64_t keyframes_for_loss; /* key frames asked for unrepairable loss */
    bool offered;                /* in an offer sent to the client */
    bool offered_live;           /* ... and that offer had it sendonly */
    bool negotiated;             /* the client answered an offer with it */
    bool rejected;               /* the client rejected the m-line */
    bool reusable;               /* the client's last answered view of this
                                  * m-line is inactive: a new downtrack of
                                  * the same kind may take its mid over */
    uint64_t packets;
    uint64_t octets;
};

/* track.c: the media path */
veche_track *veche_track_new(veche_participant *owner, const char *id,
                             const veche_codec *codec, uint32_t ssrc, uint32_t rtx_ssrc,
                             unsigned nack_slots);
void veche_track_free(veche_track *t);
void veche_track_on_rtp(veche_track *t, uint8_t *buf, size_t len);
/* An RTX packet (RFC 4588) on the track's rtx_ssrc: unwrapped in place
 * (buf must be writable) and forwarded when it fills a gap. */
void veche_track_on_rtx(veche_track *t, uint8_t *buf, size_t len);
/* From the room's NACK timer: upstream NACK retries and give-up PLIs of
 * every video track of pub.  Returns whether numbers are still missing
 * (the timer keeps running only while some are: veche_room_nack_soon). */
bool veche_track_nack_tick(veche_participant *pub);
void veche_track_on_publisher_sr(veche_track *t, const uint8_t *sr_pkt, uint64_t ntp,
                                 uint32_t rtp_ts);
/* Ask the publisher for a key frame (rate-limited); fir selects FIR. */
void veche_track_request_keyframe(veche_track *t, bool fir);
/* NACKed seqs from a subscriber, in t's numbering (seqs) and as the
 * subscriber named them (out_seqs): resend what we have, forward what we
 * never had, ask for a key frame when the ring let one go. */
void veche_track_on_nack(veche_track *t, veche_downtrack *dt, const uint16_t *seqs,
                         const uint16_t *out_seqs, int n);
/* RTCP from a subscriber transport, whole compound. */
void veche_track_on_subscriber_rtcp(veche_participant *sub, const uint8_t *buf, size_t len);
/* RTCP from a publisher transport, whole compound. */
void veche_track_on_publisher_rtcp(veche_participant *pub, const uint8_t *buf, size_t len);
/* Periodic RR + REMB towards a publisher. */
void veche_track_send_receiver_reports(veche_participant *pub, unsigned max_kbps);
uint64_t veche_now_ms(void);

/* negotiate.c: SDP */
/* Accepted publish m-line. */
typedef struct {
    int index;                   /* in the offer */
    char mid[32];
    veche_codec codec;
    uint32_t ssrc;
    uint32_t rtx_ssrc;           /* 0 unless RTX is accepted */
    uint8_t rtx_pt;              /* 0 = no RTX from the publisher */
    bool nack;
    uint8_t audio_level_id;
    char source[12];             /* set by participant.c */
} veche_pub_media;

/* Choose what to accept from a publish offer; fills media (up to max) and
 * returns how many, or a negative code with *err. */
int veche_negotiate_publish(const veche_sdp *offer, veche_pub_media *media, int max,
                            veche_sfu_error *err);
/* Build the answer text for a publish offer. */
char *veche_negotiate_publish_answer(const veche_sdp *offer, const veche_pub_media *media,
                                     int n, veche_transport *t, const char *fingerprint,
                                     veche_sdp_setup setup);
/* Build the subscribe offer text for the participant's downtracks. */
char *veche_negotiate_subscribe_offer(veche_participant *p, const char *fingerprint);

/* translate.c: a subscriber's RTCP feedback in the publisher's terms */
#define VECHE_FEEDBACK_MAX_SEQS 64
typedef enum { VECHE_FEEDBACK_PLI, VECHE_FEEDBACK_FIR, VECHE_FEEDBACK_NACK } veche_feedback_kind;
typedef struct {
    veche_feedback_kind kind;
    veche_downtrack *dt;          /* the subscriber's downtrack it names */
    veche_track *track;           /* dt->track: where it goes */
    int n_seqs;                   /* NACK: at least 1 */
    uint16_t seqs[VECHE_FEEDBACK_MAX_SEQS];     /* in the track's numbering */
    uint16_t out_seqs[VECHE_FEEDBACK_MAX_SEQS]; /* as the subscriber named them */
} veche_feedback;
/* sub's live downtrack with our SSRC ssrc, or NULL. */
veche_downtrack *veche_translate_downtrack(const veche_participant *sub, uint32_t ssrc);
/* Translate one RTPFB/PSFB item of sub's RTCP into up to max entries (one
 * per FIR entry; one for a PLI or NACK).  Returns how many; 0 for anything
 * not about a live downtrack of sub, or malformed. */
int veche_translate_feedback(const veche_participant *sub, const veche_rtcp_item *item,
                             veche_feedback *out, int max);

/* ssrc.c: the room's SSRC space (invariants there) */
/* Whether ssrc is taken in the room (p may be a participant not yet in the
 * room's list); skip's own published tracks are not counted. */
bool veche_ssrc_in_use(const veche_room *room, const veche_participant *p, uint32_t ssrc,
                       const veche_participant *skip);
/* A random SSRC for a downtrack of sub, free in the room and != also_not. */
uint32_t veche_ssrc_allocate(const veche_room *room, const veche_participant *sub,
                             uint32_t also_not);
/* 0, or VECHE_EEXISTS with err "ssrc-conflict" when p's accepted m-lines
 * repeat an SSRC (media or RTX) in use in the room or among themselves. */
int veche_ssrc_check_publish(const veche_room *room, const veche_participant *p,
                             const veche_pub_media *media, int n, veche_sfu_error *err);


/* room.c: membership and the event fan-out (moderation.c asks here) */
/* A new event of the room (no addressees yet). */
veche_sfu_event *veche_room_event(const veche_room *room, veche_sfu_event_type type);
/* Send ev to everyone in the room but except (may be NULL); takes ev. */
void veche_room_broadcast(veche_room *room, const veche_participant *except,
                          veche_sfu_event *ev);
void veche_room_track_added(veche_room *room, veche_track *t);
/* A track found a gap: run the NACK timer (room.c) until nothing is
 * missing any more. */
void veche_room_nack_soon(veche_room *room);
void veche_room_track_removed(veche_room *room, veche_track *t);
/* A participant of the room by id, or NULL. */
veche_participant *veche_room_find(veche_room *room, const char *id);
/* Lower a raised hand (no event). */
void veche_room_forget_hand(veche_room *room, veche_participant *p);
/* p is leaving: hands, speaker, resume record; the others are told. */
void veche_room_on_leave(veche_room *room, veche_participant *p);
/* The speakers list to everyone (a SPEAKERS event). */
void veche_room_send_speakers(veche_room *room);
/* Hand ev to the room's emitter (freed when it has no addressee). */
void veche_room_emit(veche_room *room, veche_sfu_event *ev);
/* p as others see it (the caller clears out). */
void veche_room_describe(const veche_participant *p, veche_sfu_participant_info *out);

/* visibility.c: who sees whom in a training (activists see the trainer,
 * who publishes or has the floor, and the room's size) */
bool veche_room_sees(const veche_room *room, const veche_participant *viewer,
                     const veche_participant *p);
/* Send ev (about subject) to everyone who sees subject but except; takes ev. */
void veche_room_broadcast_about(veche_room *room, const veche_participant *subject,
                                const veche_participant *except, veche_sfu_event *ev);
/* p now has the floor or publishes: the members who did not see it get its
 * `participant-joined`; from now on everyone sees it. */
void veche_room_reveal(veche_room *room, veche_participant *p);
/* p no longer has the floor and publishes nothing: the members (p aside)
 * get its `participant-left` with hidden; from now on only the moderators
 * and p see it.  Nothing when p is not revealed, or still has the floor or
 * a track. */
void veche_room_conceal(veche_room *room, veche_participant *p);
/* A training's size to its members (`room-size`) when it changed. */
void veche_room_send_size(veche_room *room);

/* participant.c */
veche_participant *veche_participant_new(veche_room *room, const char *id, const char *name,
                                         uint64_t client);

/* Send ev to p's client (dropped once p left); takes ev. */
void veche_participant_send(veche_participant *p, veche_sfu_event *ev);
void veche_participant_subscribe_changed(veche_participant *p);
/* A downtrack of t for p: an ended m-line of the same kind is reused
 * (same mid, new SSRC/msid/codec) when the client has seen it inactive,
 * else a new m-line is appended. */
veche_downtrack *veche_participant_add_downtrack(veche_participant *p, veche_track *t);
/* t ended: unhook dt from it; a downtrack the client never saw goes away. */
void veche_participant_downtrack_ended(veche_participant *p, veche_downtrack *dt);
void veche_participant_free(veche_participant *p);

#endif
