/* xff.h - the client's address behind a reverse proxy (nginx): when the
 * TCP peer is one of trusted_proxies, the X-Forwarded-For header names the
 * client.
 *
 * The header is read from the right: each proxy appends the address it
 * got the request from, so entries added by trusted proxies are skipped and
 * the first one that is not a trusted proxy is the client.  Anything that
 * is not an IP literal stops the walk (the last good address is kept); a
 * peer that is not trusted is taken as it is, whatever the header says, so
 * clients cannot forge their address.  IPv4-mapped IPv6 addresses
 * (::ffff:a.b.c.d) compare equal to a.b.c.d.
 *
 * Does not: parse RFC 7239 `Forwarded`, or look at X-Real-IP.  Pure; any
 * thread.
 */
#ifndef VECHE_XFF_H
#define VECHE_XFF_H

#include <stddef.h>

/* Write the client address into out (cap bytes; 64 is enough): peer itself
 * unless peer is in trusted (comma-separated IP literals, "" for none) and
 * xff (the header's value, NULL or "" when absent) names another one. */
void veche_xff_client(const char *peer, const char *trusted, const char *xff, char *out,
                      size_t cap);

#endif
