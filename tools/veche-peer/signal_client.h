/* signal_client.h - one WebSocket signalling connection of veche-peer
 * (docs/protocol.md), on libsoup-3.0.
 *
 * Connects to a ws:// or wss:// URL with subprotocol "veche-v1", directly
 * (no proxy), accepting any server certificate (the server is ours and
 * self-signed: this is a test tool).  Incoming text messages are parsed
 * as JSON and handed up; messages go out as JSON objects or, for
 * misbehaviour tests, as raw text.
 *
 * States:  NEW --connect--> CONNECTING --ok--> OPEN --close/error--> CLOSED
 *                                  \--error------------------------> CLOSED
 * on_closed is called exactly once per connect(), whether the connection
 * failed or closed; after it the object may be connected again.
 *
 * Ownership: the caller frees with vpeer_signal_free() (not from inside a
 * callback).  Runs on the thread-default main context of the thread that
 * calls vpeer_signal_connect().
 */
#ifndef VPEER_SIGNAL_CLIENT_H
#define VPEER_SIGNAL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

typedef struct vpeer_signal vpeer_signal;

typedef struct {
    void (*on_open)(void *ud);
    /* A JSON value from the server (borrowed: valid during the call). */
    void (*on_message)(void *ud, json_t *msg);
    /* Text that was not JSON. */
    void (*on_bad_message)(void *ud, const char *text);
    /* code is the WebSocket close code (0 when the connection never opened
     * or dropped without one); reason is for people. */
    void (*on_closed)(void *ud, int code, const char *reason);
} vpeer_signal_callbacks;

vpeer_signal *vpeer_signal_new(const char *url,
                               const vpeer_signal_callbacks *cb, void *ud);
void vpeer_signal_free(vpeer_signal *s);  /* accepts NULL; closes quietly */

/* Start connecting.  Returns 0 or VECHE_ESTATE when not CLOSED/NEW. */
int vpeer_signal_connect(vpeer_signal *s);
/* Send a JSON object (borrowed).  Returns 0 or VECHE_ESTATE when not open. */
int vpeer_signal_send(vpeer_signal *s, const json_t *msg);
/* Send arbitrary text as one message. */
int vpeer_signal_send_text(vpeer_signal *s, const char *text);
bool vpeer_signal_is_open(const vpeer_signal *s);
/* Start a normal close (1000); on_closed follows. */
void vpeer_signal_close(vpeer_signal *s);

#endif
