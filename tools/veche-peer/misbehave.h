/* misbehave.h - veche-peer's --misbehave script: bad signalling and
 * garbage UDP, each with the reaction the server must show.
 *
 * Signalling steps, one at a time, each waiting up to 5 s for its error:
 *   1. malformed JSON                         -> error bad-json
 *   2. a message of an unknown type           -> error unknown-type
 *   3. a publish whose SDP does not parse     -> error bad-sdp
 *   4. a 100 KiB message                      -> error too-large, then close
 * Each outcome is recorded as a check in the report.  When step 4's close
 * comes (or its wait times out) the script calls finished(); the owner then
 * reconnects and rejoins.
 *
 * UDP: vpeer_misbehave_udp() sends random bytes, a fake STUN header, a fake
 * RTP header with random payload, a fake RTCP packet and a fake DTLS record
 * to each server candidate -- but only to addresses that are 127.0.0.1 or
 * listed in ice_addresses; any other candidate is skipped and logged.
 *
 * Ownership: the owner frees with vpeer_misbehave_free(); the report is
 * borrowed.  One thread.
 */
#ifndef VPEER_MISBEHAVE_H
#define VPEER_MISBEHAVE_H

#include <stdbool.h>
#include <glib.h>
#include <jansson.h>

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

/* True when addr may receive test traffic: "127.0.0.1" or an entry of the
 * comma-separated allow list. */
bool vpeer_misbehave_allowed(const char *addr, const char *ice_addresses);

#endif
