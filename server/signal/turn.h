/* turn.h - time-limited TURN credentials for the web client (the "TURN REST
 * API" of draft-uberti-behave-turn-rest-00, as coturn's use-auth-secret
 * checks them):
 *
 *   username   = "<expiry unix seconds>:<user>"
 *   credential = base64(HMAC-SHA1(turn_secret, username))
 *
 * and the `ice_servers` member of `joined` that carries them
 * (docs/protocol.md): [{"urls": [...], "username": ..., "credential": ...}],
 * the shape of RTCConfiguration.iceServers.
 *
 * Does not: talk to the TURN server, or relay media itself (coturn does;
 * docs/operations.md).  Pure functions; any thread.
 */
#ifndef VECHE_TURN_H
#define VECHE_TURN_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "config.h"

/* Sizes that always fit: 20 digits, ':', a user of up to 64 bytes; the
 * base64 of a 20-byte digest is 28 characters. */
#define VECHE_TURN_USERNAME_SIZE 96
#define VECHE_TURN_CREDENTIAL_SIZE 32

/* Fill username and credential for user (1..64 bytes, no ':') valid until
 * expiry (unix seconds).  Returns 0, or VECHE_EINVAL (bad user or secret,
 * small buffers) leaving the outputs empty. */
int veche_turn_credential(const char *secret, int64_t expiry, const char *user,
                          char *username, size_t ucap, char *credential, size_t ccap);

/* The `ice_servers` array for user at time now (unix seconds): one entry
 * with the configured URLs and a credential valid for turn_ttl_seconds.
 * NULL when TURN is off (turn_urls empty) or on error.  New reference. */
json_t *veche_turn_ice_servers(const veche_config *cfg, const char *user, int64_t now);

#endif
