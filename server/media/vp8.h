/* vp8.h - VP8 RTP payload format (RFC 7741): payload descriptor decoding,
 * key frame detection, and packetization of an encoded frame.
 *
 * No I/O, no allocation.
 */
#ifndef VECHE_VP8_H
#define VECHE_VP8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    bool start_of_partition;  /* S bit */
    uint8_t partition_id;
    bool has_picture_id;
    uint16_t picture_id;      /* 7 or 15 bits */
    bool has_tl0picidx;
    uint8_t tl0picidx;
    bool has_tid;
    uint8_t tid;
    size_t descriptor_len;    /* offset of the VP8 payload header */
    bool keyframe;            /* start of partition 0 and P bit clear */
    /* added after the first draft; zero when absent */
    bool non_reference;       /* N bit */
    bool layer_sync;          /* Y bit, valid when has_tid */
    bool has_keyidx;
    uint8_t keyidx;           /* 5 bits */
} veche_vp8_descriptor;

int veche_vp8_parse(const uint8_t *payload, size_t len,
                    veche_vp8_descriptor *out, const char **err_desc);

/* Packetize one encoded frame into RTP payloads of at most max_payload bytes
 * each, with a 15-bit picture id.  Calls emit(ud, payload, len, last) for each
 * payload; payload is only valid during the call.  Returns the number of
 * payloads or a negative code. */
int veche_vp8_packetize(const uint8_t *frame, size_t len, uint16_t picture_id,
                        size_t max_payload,
                        void (*emit)(void *ud, const uint8_t *p, size_t n,
                                     bool last),
                        void *ud);

#endif
