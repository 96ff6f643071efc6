/* rtp.h - RTP packet view and in-place header edits (RFC 3550, RFC 8285).
 *
 * A wire codec only: no I/O, no allocation.  veche_rtp_parse() decodes a
 * packet into a view whose pointers point into the caller's buffer; the
 * setters rewrite fields of a packet in place.  Demultiplexing of RTP from
 * RTCP on one port follows RFC 5761 section 4.
 */
#ifndef VECHE_RTP_H
#define VECHE_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VECHE_RTP_HEADER_MIN 12
#define VECHE_RTP_MAX_PACKET 1500

/* A decoded RTP packet; every pointer points into the parsed buffer. */
typedef struct {
    uint8_t version;          /* always 2 after a successful parse */
    bool padding;
    bool extension;
    uint8_t csrc_count;
    bool marker;
    uint8_t payload_type;
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    const uint8_t *csrc;      /* csrc_count * 4 bytes */
    uint16_t ext_profile;     /* 0xBEDE one-byte, 0x100x two-byte (RFC 8285) */
    const uint8_t *ext;       /* extension data after its 4-byte header */
    size_t ext_len;           /* in bytes (multiple of 4) */
    size_t header_len;        /* offset of the payload */
    const uint8_t *payload;
    size_t payload_len;       /* without padding */
    uint8_t padding_len;
} veche_rtp_view;

/* Decode an RTP packet.  Returns 0 or VECHE_ETRUNC / VECHE_EMALFORMED with a
 * static description in *err_desc (err_desc may be NULL). */
int veche_rtp_parse(const uint8_t *buf, size_t len, veche_rtp_view *out,
                    const char **err_desc);

/* RFC 5761 demux for a packet already known to be RTP or RTCP: true when
 * the second byte is an RTCP packet type (192..223). */
bool veche_rtp_is_rtcp(const uint8_t *buf, size_t len);

/* Find header extension `id` (one-byte or two-byte form).  Returns 0 and sets
 * *data and *len, or VECHE_ENOTFOUND. */
int veche_rtp_find_ext(const veche_rtp_view *v, uint8_t id,
                       const uint8_t **data, size_t *len);

/* RFC 6464 audio level: level in -dBov 0..127 (0 loudest), voice flag. */
int veche_rtp_audio_level(const veche_rtp_view *v, uint8_t id,
                          uint8_t *level, bool *voice);

/* In-place field rewrites; buf must hold at least a 12-byte header. */
void veche_rtp_set_seq(uint8_t *buf, uint16_t seq);
void veche_rtp_set_ssrc(uint8_t *buf, uint32_t ssrc);
void veche_rtp_set_payload_type(uint8_t *buf, uint8_t pt);
void veche_rtp_set_timestamp(uint8_t *buf, uint32_t ts);

/* Write a 12-byte header without CSRC or extension.  Returns 12, or
 * VECHE_ENOSPC when cap < 12. */
int veche_rtp_write_header(uint8_t *buf, size_t cap, uint8_t pt, bool marker,
                           uint16_t seq, uint32_t timestamp, uint32_t ssrc);

/* True when sequence number a is newer than b, modulo 2^16 (RFC 3550). */
static inline bool veche_rtp_seq_newer(uint16_t a, uint16_t b)
{
    return a != b && (uint16_t)(a - b) < 0x8000;
}

#endif
