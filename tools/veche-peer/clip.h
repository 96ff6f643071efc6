/* clip.h - the deterministic media clip veche-peer sends and checks.
 *
 * A clip is 5 s of Opus audio (20 ms frames, 48 kHz stereo) and 5 s of VP8
 * video (320x240, 30 fps) already cut into RTP payloads.  Every process on
 * the same machine builds byte-identical payloads, so a receiver can find a
 * received payload in its own copy and check every later one byte for byte.
 * Payloads are unique within a kind (checked at build time), so a payload
 * gives its index.
 *
 * Ownership: vpeer_clip_new() returns a clip the caller frees with
 * vpeer_clip_free(); it is read-only after that and may be shared by any
 * number of senders and receivers on one thread.
 */
#ifndef VPEER_CLIP_H
#define VPEER_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { VPEER_AUDIO = 0, VPEER_VIDEO = 1 } vpeer_kind;

#define VPEER_CLIP_SECONDS 5
#define VPEER_CLIP_MAX_PAYLOAD 1100
#define VPEER_AUDIO_PT 111
#define VPEER_VIDEO_PT 96
#define VPEER_VIDEO_RTX_PT 97        /* what we offer for RTX we send */
#define VPEER_AUDIO_CLOCK 48000
#define VPEER_VIDEO_CLOCK 90000
#define VPEER_AUDIO_FRAME_MS 20
#define VPEER_VIDEO_FPS 30

/* One RTP payload of the clip. */
typedef struct {
    const uint8_t *data;
    uint16_t len;
    bool marker;              /* last payload of its frame */
    uint32_t frame;           /* frame index within the clip */
} vpeer_clip_packet;

/* One frame: payloads [first, first + count). */
typedef struct {
    uint32_t first;
    uint32_t count;
} vpeer_clip_frame;

typedef struct vpeer_clip vpeer_clip;

/* Encode the clip (takes well under a second).  NULL with a static reason in
 * *err_desc on failure (err_desc may be NULL). */
vpeer_clip *vpeer_clip_new(const char **err_desc);
void vpeer_clip_free(vpeer_clip *c);  /* accepts NULL */

uint32_t vpeer_clip_packet_count(const vpeer_clip *c, vpeer_kind k);
const vpeer_clip_packet *vpeer_clip_packet_at(const vpeer_clip *c,
                                              vpeer_kind k, uint32_t i);
uint32_t vpeer_clip_frame_count(const vpeer_clip *c, vpeer_kind k);
vpeer_clip_frame vpeer_clip_frame_at(const vpeer_clip *c, vpeer_kind k,
                                     uint32_t i);
/* RTP timestamp units per frame and microseconds per frame. */
uint32_t vpeer_clip_frame_ticks(vpeer_kind k);
uint64_t vpeer_clip_frame_us(vpeer_kind k);
/* Average packets per second of a kind, for duration-based estimates. */
double vpeer_clip_packet_rate(const vpeer_clip *c, vpeer_kind k);

/* Index of a payload within the clip, or -1 when it is not in it. */
int64_t vpeer_clip_lookup(const vpeer_clip *c, vpeer_kind k,
                          const uint8_t *payload, size_t len);

/* SHA-256 over every payload (length-prefixed, audio then video), as 64
 * lowercase hex digits plus NUL into out. */
void vpeer_clip_sha256_hex(const vpeer_clip *c, char out[65]);

const char *vpeer_kind_name(vpeer_kind k);

#endif
