/* pc.h - one client-side RTCPeerConnection of veche-peer: a
 * veche_transport plus the bookkeeping around SDP and trickle ICE.
 *
 * The publish connection is the offerer (ICE controlling), the subscribe
 * connection the answerer (controlled).  The DTLS role follows the remote
 * a=setup: we are the DTLS server only when the remote side says "active"
 * (so normally the client: the server answers a=setup:passive and offers
 * a=setup:actpass).
 *
 * Candidates: vpeer_pc_local() snapshots our credentials and the candidates
 * gathered so far for the SDP (none in trickle-only mode);
 * vpeer_pc_local_sent() says that SDP went out: every candidate not in it
 * (and the end of candidates) goes to on_local_candidate from then on.
 *
 * Ownership: the caller frees with vpeer_pc_free(), never from inside one of
 * its callbacks.  Callbacks run on the GMainContext given at creation.
 */
#ifndef VPEER_PC_H
#define VPEER_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "dtls.h"
#include "peer_sdp.h"
#include "sdp.h"

typedef struct vpeer_pc vpeer_pc;

typedef struct {
    /* A local candidate to trickle, or NULL for end of candidates. */
    void (*on_local_candidate)(void *ud, vpeer_pc *pc, const char *cand);
    void (*on_connected)(void *ud, vpeer_pc *pc);
    void (*on_failed)(void *ud, vpeer_pc *pc, const char *reason);
    void (*on_rtp)(void *ud, vpeer_pc *pc, uint8_t *buf, size_t len);
    void (*on_rtcp)(void *ud, vpeer_pc *pc, uint8_t *buf, size_t len);
} vpeer_pc_callbacks;

typedef struct {
    GMainContext *ctx;
    const char *ice_addresses;    /* comma-separated; NULL = all */
    bool offerer;                 /* publish: true; subscribe: false */
    bool trickle_only;            /* no candidates in our SDP: trickle all */
    veche_dtls_cert *cert;        /* the pc takes a reference */
    const char *log_name;         /* e.g. "A/publish"; copied */
} vpeer_pc_config;

/* Creates the transport and starts gathering.  NULL on failure. */
vpeer_pc *vpeer_pc_new(const vpeer_pc_config *cfg,
                       const vpeer_pc_callbacks *cb, void *ud);
void vpeer_pc_free(vpeer_pc *pc);  /* accepts NULL */

/* Our side for an SDP; pointers valid until the next call on pc.  The
 * setup is actpass for the offerer and, for the answerer, the answer to the
 * remote a=setup (active unless the remote is active). */
void vpeer_pc_local(vpeer_pc *pc, vpeer_sdp_local *out);
/* The SDP built from the last vpeer_pc_local() was sent: trickle every
 * local candidate it lacked, and all later ones.  Idempotent. */
void vpeer_pc_local_sent(vpeer_pc *pc);

/* Apply the server's SDP: credentials and fingerprint the first time (later
 * ones must not change them: no ICE restart), then its candidates.
 * Returns 0 or a negative code with *err_desc. */
int vpeer_pc_set_remote(vpeer_pc *pc, const veche_sdp *sdp,
                        const char **err_desc);
/* A trickled remote candidate ("" = end of candidates). */
int vpeer_pc_add_candidate(vpeer_pc *pc, const char *cand);
/* Remote candidates seen so far (SDP and trickled), NULL-terminated. */
const char *const *vpeer_pc_remote_candidates(const vpeer_pc *pc);

/* How many local candidates went out in our first SDP and by trickle. */
void vpeer_pc_candidate_counts(const vpeer_pc *pc, unsigned *in_sdp,
                               unsigned *trickled);

bool vpeer_pc_connected(const vpeer_pc *pc);
bool vpeer_pc_failed(const vpeer_pc *pc);
int vpeer_pc_send(vpeer_pc *pc, uint8_t *buf, size_t len, size_t cap,
                  bool rtcp);
const char *vpeer_pc_name(const vpeer_pc *pc);

#endif
