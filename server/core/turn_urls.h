/* turn_urls.h - the turn_urls directive's value: a comma-separated list of
 * TURN/STUN server URLs (RFC 7065 turn:/turns:, RFC 7064 stun:) as the
 * browser's RTCIceServer.urls takes them.
 *
 * Checks the form only (scheme, length, characters); does not resolve or
 * contact anything.  Pure; any thread.
 */
#ifndef VECHE_TURN_URLS_H
#define VECHE_TURN_URLS_H

#include <stddef.h>

#define VECHE_TURN_URLS_MAX 8
#define VECHE_TURN_URL_SIZE 256

typedef struct {
    unsigned n;
    char url[VECHE_TURN_URLS_MAX][VECHE_TURN_URL_SIZE];
} veche_turn_urls;

/* Split text at commas (blanks around each URL trimmed; empty text gives no
 * URL) into *out.  Each URL must start with turn:, turns: or stun:, be 6..255
 * bytes of printable ASCII without blanks, quotes or '\'; at most 8.
 * Returns 0, or VECHE_EINVAL with "turn_urls: reason" in why (out->n is then
 * 0). */
int veche_turn_urls_parse(const char *text, veche_turn_urls *out, char *why, size_t whycap);

#endif
