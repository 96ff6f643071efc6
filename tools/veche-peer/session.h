/* session.h - the media of one join of a veche-peer client: the publish
 * connection with the sender of the clip, the subscribe connection with
 * the receive path (RTX back to the original, NACKs, accounting in
 * verify.h, receiver reports), and the SDP of both (peer_sdp.h).
 *
 * client.c makes one session per `joined` and frees it on leave.  Messages
 * for the server go out through cfg->signal; the server's answer, offers
 * and candidates come in through the calls below.  A session is numbered
 * (cfg->number) so verify.h keeps the tracks of each join apart.
 *
 * Does not: handle join, leave or room events (client.c does).
 *
 * Ownership: the session borrows clip, verify and report, takes a
 * reference on the certificate and copies its strings.  Free it with
 * vpeer_session_free(), never from inside one of its callbacks.
 * Everything runs on cfg->ctx.
 */
#ifndef VPEER_SESSION_H
#define VPEER_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <jansson.h>

#include "clip.h"
#include "dtls.h"
#include "nack.h"
#include "report.h"
#include "verify.h"

typedef struct vpeer_session vpeer_session;

typedef struct {
    GMainContext *ctx;
    const char *ice_addresses;    /* comma-separated, NULL = all */
    bool trickle_only;            /* no candidates in our SDP, trickle all */
    bool rtx;                     /* accept RTX for video in our answers */
    unsigned drop_video;          /* simulated loss after SRTP (nack.h) */
    unsigned drop_send;           /* simulated loss before SRTP (sender.h) */
    bool no_nack;                 /* never NACK what we receive */
    bool send_rtx;                /* offer RTX for the video we send */
    veche_dtls_cert *cert;
    const vpeer_clip *clip;
    vpeer_verify *verify;
    vpeer_report *report;
    int number;                   /* the session number for verify.h */
    const char *participant;      /* our participant id in this join */
    const char *name;             /* ours, for log labels */
    /* Send a signalling message (takes the reference). */
    void (*signal)(void *ud, json_t *msg);
    /* The publish connection is connected (may be NULL). */
    void (*publish_connected)(void *ud);
    void *ud;
} vpeer_session_config;

/* What a session did, added up over sessions by the client. */
typedef struct {
    uint64_t audio, video;        /* RTP packets sent (first transmissions) */
    uint64_t skipped;             /* of those, left out on purpose */
    uint64_t nack_seqs, resent, resent_rtx, pli, fir, sr;   /* sender.h */
    uint64_t send_errors;         /* RTP/RTCP the sender could not send */
    uint64_t rtcp_errors;         /* our RR, PLI, NACK not sent */
    vpeer_nack_stats nack;        /* receive side */
} vpeer_session_totals;

vpeer_session *vpeer_session_new(const vpeer_session_config *cfg);
/* Stops the media, drops both connections, ends the session in verify.h.
 * Accepts NULL. */
void vpeer_session_free(vpeer_session *s);

/* Create the publish connection and the sender and send our offer as a
 * `publish` request with id request_id, with random SSRCs where
 * audio_ssrc / video_ssrc are 0. */
void vpeer_session_publish(vpeer_session *s, int request_id, uint32_t audio_ssrc,
                           uint32_t video_ssrc);
/* The SSRCs of the first live audio and video track of a subscribe offer
 * (0 where none). */
void vpeer_session_offer_ssrcs(json_t *offer_msg, uint32_t *audio, uint32_t *video);
/* The server's `answer` (ignored unless its id is our publish request's),
 * `offer` and `candidate` messages. */
void vpeer_session_on_answer(vpeer_session *s, json_t *msg);
void vpeer_session_on_offer(vpeer_session *s, json_t *msg);
void vpeer_session_on_candidate(vpeer_session *s, json_t *msg);
/* Tracks were removed (verify.h knows which): stop NACKing them. */
void vpeer_session_tracks_removed(vpeer_session *s);

/* --misbehave: garbage datagrams at the server's candidates and SRTP junk
 * through both connections (misbehave.h). */
void vpeer_session_misbehave(vpeer_session *s);

/* Add this session's counts to *t. */
void vpeer_session_add_totals(const vpeer_session *s, vpeer_session_totals *t);

#endif
