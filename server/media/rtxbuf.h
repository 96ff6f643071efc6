/* rtxbuf.h - per-track retransmission buffer for answering NACKs.
 *
 * A fixed ring of slots allocated once when a track is created; storing and
 * fetching a packet never allocate.  A slot keeps the plain (unprotected) RTP
 * packet and the time it was stored.  Not thread-safe: owned by the track,
 * used on its room's thread.
 */
#ifndef VECHE_RTXBUF_H
#define VECHE_RTXBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct veche_rtxbuf veche_rtxbuf;

/* slots is rounded up to a power of two (at least 16).  NULL on OOM. */
veche_rtxbuf *veche_rtxbuf_new(unsigned slots);
void veche_rtxbuf_free(veche_rtxbuf *b);  /* accepts NULL */

/* Copy a plain RTP packet (len <= VECHE_RTP_MAX_PACKET) into the slot for
 * seq, replacing whatever was there.  now_ms is a monotonic time. */
int veche_rtxbuf_put(veche_rtxbuf *b, uint16_t seq, const uint8_t *pkt,
                     size_t len, uint64_t now_ms);

/* Find the packet with this seq stored no longer than max_age_ms ago.
 * Returns 0 with *pkt / *len pointing into the buffer (valid until the next
 * put), or VECHE_ENOTFOUND. */
int veche_rtxbuf_get(const veche_rtxbuf *b, uint16_t seq, uint64_t now_ms,
                     uint64_t max_age_ms, const uint8_t **pkt, size_t *len);

/* Whether the ring held seq and let it go: its slot now holds a newer
 * packet, or holds seq stored more than max_age_ms ago.  False for a seq
 * never stored whose slot holds nothing newer (a gap: the sender may
 * still have it). */
bool veche_rtxbuf_gone(const veche_rtxbuf *b, uint16_t seq, uint64_t now_ms,
                       uint64_t max_age_ms);

#endif
