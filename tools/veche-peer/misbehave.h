/* misbehave.h - veche-peer's --misbehave script: bad signalling and
 * garbage UDP, each with the reaction the server must show.
 *
 * Signalling steps, sent once joined, one at a time, each waiting up to 5 s
 * for its error (check names in brackets):
 *   malformed JSON                          -> bad-json        [bad-json]
 *   a JSON array                            -> bad-json        [not-an-object]
 *   a message of an unknown type            -> unknown-type    [unknown-type]
 *   a candidate for pc "sideways"           -> bad-request     [bad-request]
 *   join while joined                       -> already-joined  [already-joined]
 *   an answer with no offer outstanding     -> bad-state       [bad-state]
 *   a publish whose SDP does not parse      -> bad-sdp         [bad-sdp]
 *   a publish offering only PCMU            -> unsupported     [unsupported-sdp]
 *   a 100 KiB message (> ws_max_message)    -> too-large, then close 1009
 *                                              [too-large, too-large-close]
 * Each outcome is recorded as a check in the report.  When the last step's
 * close comes (or its wait times out) the script calls finished(); the
 * owner then reconnects and rejoins.
 *
 * UDP: vpeer_misbehave_udp() sends random bytes, a fake STUN header, a fake
 * RTP header with random payload, a fake RTCP packet and a fake DTLS record
 * to each server candidate -- but only to addresses that are 127.0.0.1 or
 * listed in ice_addresses; any other candidate is skipped and logged.
 * These come from a socket of their own, so libnice drops them unseen
 * (they are not from a validated candidate pair): the expected silent drop.
 *
 * SRTP: vpeer_misbehave_srtp() sends the junk of junk.h through one of our
 * connected peer connections, so it passes SRTP and reaches the server's
 * RTP and RTCP handling; the server must drop or answer it and keep every
 * connection working (which the other peers' reports show).
 *
 * Ownership: the owner frees with vpeer_misbehave_free(); the report is
 * borrowed.  One thread.
 */
#ifndef VPEER_MISBEHAVE_H
#define VPEER_MISBEHAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include <jansson.h>

#include "pc.h"
#include "report.h"

typedef struct vpeer_misbehave vpeer_misbehave;

typedef struct {
    /* Send one text message on the signalling connection. */
    int (*send_text)(void *ud, const char *text);
    /* All signalling steps are over (the connection is probably closed). */
    void (*finished)(void *ud);
} vpeer_misbehave_hooks;

vpeer_misbehave *vpeer_misbehave_new(GMainContext *ctx, vpeer_report *r,
                                     const vpeer_misbehave_hooks *hooks,
                                     void *ud);
void vpeer_misbehave_free(vpeer_misbehave *m);  /* accepts NULL */

/* Run the signalling steps (once). */
void vpeer_misbehave_start(vpeer_misbehave *m);
bool vpeer_misbehave_running(const vpeer_misbehave *m);
/* An error message from the server; true when the script expected it. */
bool vpeer_misbehave_on_error(vpeer_misbehave *m, const char *code);
/* The signalling connection closed; true when the script expected it. */
bool vpeer_misbehave_on_closed(vpeer_misbehave *m, int code);

/* Send garbage datagrams to the allowed candidates; returns how many were
 * sent.  Records a check "udp-garbage" in the report. */
int vpeer_misbehave_udp(vpeer_report *r, const char *const *candidates,
                        const char *ice_addresses);

/* Sends one plain packet through a peer connection (protecting it in
 * place in buf, cap bytes); 0 or a negative code. */
typedef int (*vpeer_misbehave_send_fn)(void *ud, uint8_t *buf, size_t len,
                                       size_t cap, bool rtcp);

/* Send every RTCP junk kind of junk.h a few times (feedback about the
 * media SSRCs given, or random ones when n_media is 0), and with_rtp also
 * RTP junk for SSRCs nobody uses.  Records check `check` (ok when all
 * went out) and returns how many packets were sent. */
int vpeer_misbehave_srtp(vpeer_report *r, const char *check,
                         vpeer_misbehave_send_fn send, void *ud,
                         const uint32_t *media, int n_media, bool with_rtp);

/* All of the above for one session's connections (either may be NULL):
 * garbage datagrams to the server candidates of both, then SRTP junk
 * through both (checks "srtp-junk-publish" with RTP, "srtp-junk-subscribe"
 * with feedback about the given video SSRCs we receive). */
void vpeer_misbehave_media(vpeer_report *r, vpeer_pc *pub, vpeer_pc *sub,
                           const uint32_t *videos, int n_videos,
                           const char *ice_addresses);

/* True when addr may receive test traffic: "127.0.0.1" or an entry of the
 * comma-separated allow list. */
bool vpeer_misbehave_allowed(const char *addr, const char *ice_addresses);

#endif
