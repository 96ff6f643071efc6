/* client.h - one veche-peer participant: a signalling connection
 * (signal_client.h) and, per join, a media session (session.h: a publish
 * connection that sends the clip and a subscribe connection whose tracks
 * are checked by verify.h).  Reusable: a load generator runs many clients
 * on one main context.
 *
 * States (per join; leave/join can repeat on the same WebSocket):
 *
 *   IDLE --start--> CONNECTING --open--> JOINING --joined--> JOINED
 *   JOINED --leave--> LEFT --join--> JOINING
 *   JOINED --server sends left (media-failed) or removed--> LEFT
 *   any --close (unexpected)--> CLOSED (an error is recorded)
 *   CONNECTING/JOINED --misbehave too-large close--> CONNECTING (rejoin)
 *
 * Each join is a new "session" number in verify.h, with a new publish
 * connection (new random SSRCs) and a new subscribe connection.  Server
 * messages of types it does not know (later protocol additions) are noted
 * once as "unhandled-message" events, not errors.
 *
 * Ownership: the client borrows clip, verify and report (they outlive it)
 * and copies the strings of its config.  Free with vpeer_client_free(), not
 * from inside a callback.  Everything runs on cfg->ctx, which must be the
 * thread-default context of the thread that calls vpeer_client_start().
 */
#ifndef VPEER_CLIENT_H
#define VPEER_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "clip.h"
#include "dtls.h"
#include "report.h"
#include "session.h"
#include "verify.h"

typedef struct vpeer_client vpeer_client;

typedef struct {
    GMainContext *ctx;
    const char *url;
    const char *room;
    const char *name;
    const char *ice_addresses;    /* comma-separated, NULL = all */
    bool publish;
    bool misbehave;
    bool trickle_only;            /* no candidates in our SDP, trickle all */
    bool rtx;                     /* accept RTX for video in our answers */
    unsigned drop_video;          /* simulated video loss, per mille (nack.h);
                                   * only with rtx (see main.c --drop-video) */
    unsigned drop_send;           /* simulated upstream loss (sender.h) */
    bool no_nack;                 /* never NACK what we receive */
    bool send_rtx;                /* offer RTX for the video we send */
    uint32_t ssrc_audio, ssrc_video;  /* our publish SSRCs, 0 = random */
    bool ssrc_from_offer;         /* publish with the SSRCs of the first
                                   * subscribe offer that has both kinds */
    const char *expect_refused;   /* error code our publish must get, or NULL */
    veche_dtls_cert *cert;        /* the client takes a reference */
    const vpeer_clip *clip;
    vpeer_verify *verify;
    vpeer_report *report;
} vpeer_client_config;

typedef struct {
    vpeer_session_totals media;   /* all sessions */
    int joins;
    double uplink_loss_max;       /* worst uplink loss the server reported
                                   * for us in `quality` (0..1), -1: none */
} vpeer_client_totals;

vpeer_client *vpeer_client_new(const vpeer_client_config *cfg);
void vpeer_client_free(vpeer_client *c);  /* accepts NULL */

/* Connect and join. */
int vpeer_client_start(vpeer_client *c);
/* Leave the room (stop media, drop both connections), keep the WebSocket. */
int vpeer_client_leave(vpeer_client *c);
/* Join again after a leave. */
int vpeer_client_join(vpeer_client *c);
/* Leave if joined and close the WebSocket; done() is called once the server
 * said "left" and the connection closed, or after a short grace time. */
void vpeer_client_finish(vpeer_client *c, void (*done)(void *ud), void *ud);

/* Current participant id ("" before the first join). */
const char *vpeer_client_participant(const vpeer_client *c);
void vpeer_client_totals_get(const vpeer_client *c, vpeer_client_totals *out);

#endif
