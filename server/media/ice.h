/* ice.h - one ICE agent (libnice, full ICE, RFC 8445 with trickle, RFC 8838)
 * with one stream of one component, as used with BUNDLE and rtcp-mux.
 *
 * It gathers candidates on the configured local addresses and port range
 * (plus server-reflexive ones when a STUN server is set), rewrites host
 * candidates to the public 1:1 NAT address when one is configured, applies
 * remote credentials and candidates, and hands every non-STUN datagram up.
 * It knows nothing of DTLS or RTP.
 *
 * Ownership: the caller owns the veche_ice; veche_ice_free() must not be
 * called from inside one of its callbacks.  Everything runs on cfg->ctx.
 */
#ifndef VECHE_ICE_H
#define VECHE_ICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

typedef struct veche_ice veche_ice;

typedef enum { VECHE_ICE_CHECKING, VECHE_ICE_CONNECTED, VECHE_ICE_FAILED } veche_ice_state;

typedef struct {
    GMainContext *ctx;
    const char *local_addresses;  /* comma-separated; NULL/"" = all */
    uint16_t port_min, port_max;
    const char *stun_server;
    uint16_t stun_port;
    const char *public_address;
    bool controlling;
    bool tcp;                     /* ICE-TCP too: passive TCP host candidates */
    unsigned recv_buffer_kb;      /* media socket buffers, 0 = the kernel's */
    unsigned send_buffer_kb;
} veche_ice_config;

typedef struct {
    void (*on_candidate)(void *ud, const char *candidate); /* NULL = done */
    void (*on_state)(void *ud, veche_ice_state state);
    /* A datagram that is not STUN; buf may be modified in place (not grown). */
    void (*on_recv)(void *ud, uint8_t *buf, size_t len);
} veche_ice_callbacks;

veche_ice *veche_ice_new(const veche_ice_config *cfg, const veche_ice_callbacks *cb,
                         void *ud);
void veche_ice_free(veche_ice *ice);  /* accepts NULL */
int veche_ice_gather(veche_ice *ice);
const char *veche_ice_local_ufrag(const veche_ice *ice);
const char *veche_ice_local_pwd(const veche_ice *ice);
int veche_ice_set_remote_credentials(veche_ice *ice, const char *ufrag, const char *pwd);
/* "candidate:..." (with or without "a="); NULL/"" = end of candidates. */
int veche_ice_add_remote_candidate(veche_ice *ice, const char *candidate);
/* Returns bytes sent or a negative code. */
int veche_ice_send(veche_ice *ice, const uint8_t *buf, size_t len);
/* Send n datagrams (at most VECHE_ICE_SEND_MANY_MAX) to the peer, with one
 * sendmmsg() when the selected pair allows it (ice.c).  Returns how many
 * were sent; a datagram that fails is dropped and the others still go. */
#define VECHE_ICE_SEND_MANY_MAX 64
int veche_ice_send_many(veche_ice *ice, const uint8_t *const *bufs, const size_t *lens,
                        unsigned n);
/* Whether sends go straight to the selected pair's UDP socket (ice.c). */
bool veche_ice_sends_direct(const veche_ice *ice);

#endif
