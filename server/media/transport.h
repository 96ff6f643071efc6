/* transport.h - one WebRTC transport (one RTCPeerConnection's worth): a
 * libnice agent with one stream and one component (BUNDLE + rtcp-mux), the
 * DTLS-SRTP handshake on top of it, and the demux of arriving datagrams
 * (RFC 7983): STUN stays in libnice, DTLS goes to dtls.c, SRTP/SRTCP are
 * unprotected and handed up as plain RTP and RTCP.
 *
 * The transport knows nothing of SDP or rooms: its user passes in remote ICE
 * credentials, candidates, fingerprint and DTLS role, and reads back local
 * credentials and candidates.  It is used both by the server and by
 * veche-peer.
 *
 * States:  NEW --gather--> CHECKING --ICE ok--> DTLS --keys--> CONNECTED
 *          any --ICE failed / DTLS failed / free--> FAILED (on_failed once)
 *
 * Ownership: the caller owns the transport and frees it with
 * veche_transport_free(), never from inside one of its callbacks (defer with
 * an idle source).  All calls and callbacks happen on cfg->ctx's thread.
 */
#ifndef VECHE_TRANSPORT_H
#define VECHE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "dtls.h"
#include "mstats.h"
#include "sendq.h"
#include "srtp.h"


typedef struct veche_transport veche_transport;

typedef struct {
    /* A local candidate ("candidate:..." without "a="), or NULL when
     * gathering is done. */
    void (*on_candidate)(void *ud, const char *candidate);
    /* ICE connected and DTLS done: media can flow. */
    void (*on_connected)(void *ud);
    /* ICE or DTLS failed; the transport is dead. Called at most once. */
    void (*on_failed)(void *ud, const char *reason);
    /* A plain RTP / RTCP packet, unprotected in place in the receive
     * buffer; it may be modified but not grown; valid only during the call. */
    void (*on_rtp)(void *ud, uint8_t *buf, size_t len);
    void (*on_rtcp)(void *ud, uint8_t *buf, size_t len);
} veche_transport_callbacks;

typedef struct {
    GMainContext *ctx;            /* where libnice and timers run */
    const char *local_addresses;  /* comma-separated IPs; NULL/"" = all */
    uint16_t port_min, port_max;  /* 0 = any */
    const char *stun_server;      /* NULL/"" = none */
    uint16_t stun_port;
    const char *public_address;   /* 1:1 NAT: announced instead of host IPs */
    bool controlling;             /* ICE role: true for the offerer */
    bool ice_tcp;                 /* also passive TCP candidates (RFC 6544) */
    unsigned recv_buffer_kb;      /* media socket buffers, 0 = the kernel's */
    unsigned send_buffer_kb;
    veche_dtls_cert *cert;        /* shared; the transport takes a ref */
    const char *log_room;         /* for log lines; copied */
    const char *log_peer;
    veche_mstats *mstats;         /* the worker's counters (borrowed), or NULL */
    /* The thread's batched sends (sendq.h, borrowed; outlives the
     * transport), or NULL to send every datagram at once. */
    veche_sendq *sendq;
} veche_transport_config;

typedef struct {
    uint64_t rtp_in, rtcp_in, rtp_out, rtcp_out;
    uint64_t bytes_in, bytes_out;
    uint64_t dropped_unprotect;   /* failed SRTP/SRTCP auth or replay */
    uint64_t dropped_garbage;     /* neither DTLS nor RTP/RTCP */
    uint64_t send_errors;
} veche_transport_stats;

veche_transport *veche_transport_new(const veche_transport_config *cfg,
                                     const veche_transport_callbacks *cb,
                                     void *ud);
void veche_transport_free(veche_transport *t);  /* accepts NULL */

/* Start gathering local candidates (on_candidate is called for each; host
 * candidates may be reported before this returns).  Returns 0 or a code. */
int veche_transport_gather(veche_transport *t);
const char *veche_transport_local_ufrag(const veche_transport *t);
const char *veche_transport_local_pwd(const veche_transport *t);
/* Candidates gathered so far, NULL-terminated; owned by the transport. */
const char *const *veche_transport_local_candidates(const veche_transport *t);
bool veche_transport_gathering_done(const veche_transport *t);

/* Remote side, from its SDP: ICE credentials, DTLS fingerprint and our DTLS
 * role.  May be called once.  Returns 0 or a code. */
int veche_transport_set_remote(veche_transport *t, const char *ufrag,
                               const char *pwd, const char *fp_alg,
                               const char *fingerprint, veche_dtls_role role);
/* A remote candidate; NULL or "" means end of candidates.  Unusable ones
 * (mDNS .local names, TCP, other families) are ignored and return 0. */
int veche_transport_add_remote_candidate(veche_transport *t,
                                         const char *candidate);

bool veche_transport_is_connected(const veche_transport *t);

/* Protect in place and send.  cap is buf's size and must leave room for
 * VECHE_SRTP_MAX_OVERHEAD.  VECHE_ESTATE until connected.  With a sendq,
 * RTP is copied into the transport's batch and goes out with the rest of
 * the batch when the sendq flushes (or at once when the batch is full);
 * RTCP always goes at once. */
int veche_transport_send_rtp(veche_transport *t, uint8_t *buf, size_t len,
                             size_t cap);
int veche_transport_send_rtcp(veche_transport *t, uint8_t *buf, size_t len,
                              size_t cap);

/* An SSRC we no longer send: drop its SRTP stream state (srtp.h). */
void veche_transport_forget_ssrc(veche_transport *t, uint32_t ssrc);

const veche_transport_stats *veche_transport_get_stats(const veche_transport *t);

/* Test seams, for tests that drive the real media path without a network
 * (tests/unit/test_media_alloc.c).  The server never calls them.
 *
 * veche_transport_set_send_hook: every datagram the transport would hand
 * to the ICE agent (protected RTP and RTCP, DTLS) goes to hook instead, in
 * the caller's buffer, valid only during the call; NULL restores the agent.
 * veche_transport_test_connect: act as if ICE and DTLS had completed with
 * these SRTP keys (on_connected is called).  Returns 0 or a code.
 * veche_transport_test_receive: a datagram as if the ICE agent had received
 * it (demuxed and unprotected in place, as from the network).
 * veche_transport_test_ice_connected: as if ICE had just connected (the
 * DTLS client starts, DTLS held until now is handled; test_transport.c). */
typedef void (*veche_transport_send_hook)(void *ud, const uint8_t *buf, size_t len);
void veche_transport_set_send_hook(veche_transport *t, veche_transport_send_hook hook,
                                   void *ud);
int veche_transport_test_connect(veche_transport *t, const veche_srtp_keys *keys);
void veche_transport_test_receive(veche_transport *t, uint8_t *buf, size_t len);
void veche_transport_test_ice_connected(veche_transport *t);

#endif
