/* fuzz_rtp.c - libFuzzer target for the RTP view: parse, is_rtcp,
 * find_ext for every id, audio level, and the setters and header writer on
 * a copy (re-parsed to check they change only their field). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtp.h"

static void check_view(const uint8_t *data, size_t size,
                       const veche_rtp_view *v)
{
    if (v->header_len + v->payload_len + v->padding_len != size)
        abort();
    if (v->payload != data + v->header_len)
        abort();
    if (v->extension && (v->ext < data || v->ext + v->ext_len > v->payload))
        abort();
}

static void check_exts(const veche_rtp_view *v)
{
    for (unsigned id = 0; id < 256; id++) {
        const uint8_t *d;
        size_t n;
        if (veche_rtp_find_ext(v, (uint8_t)id, &d, &n) == 0 &&
            (d < v->ext || d + n > v->ext + v->ext_len))
            abort();
        uint8_t level;
        bool voice;
        if (veche_rtp_audio_level(v, (uint8_t)id, &level, &voice) == 0 &&
            level > 127)
            abort();
    }
}

/* Rewrite every field on a copy; the result must still parse the same. */
static void check_setters(const uint8_t *data, size_t size,
                          const veche_rtp_view *v)
{
    uint8_t copy[VECHE_RTP_MAX_PACKET];
    if (size > sizeof copy)
        return;
    memcpy(copy, data, size);
    veche_rtp_set_seq(copy, (uint16_t)(v->seq + 1));
    veche_rtp_set_ssrc(copy, ~v->ssrc);
    veche_rtp_set_payload_type(copy, (uint8_t)(v->payload_type ^ 0x55));
    veche_rtp_set_timestamp(copy, v->timestamp + 90000);
    veche_rtp_view w;
    if (veche_rtp_parse(copy, size, &w, NULL) != 0 ||
        w.seq != (uint16_t)(v->seq + 1) || w.ssrc != ~v->ssrc ||
        w.payload_type != ((v->payload_type ^ 0x55) & 0x7f) ||
        w.marker != v->marker || w.payload_len != v->payload_len)
        abort();
    if (veche_rtp_write_header(copy, size, w.payload_type, w.marker, w.seq,
                               w.timestamp, w.ssrc) != 12)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    veche_rtp_view v;
    const char *err = NULL;
    veche_rtp_is_rtcp(data, size);
    if (veche_rtp_parse(data, size, &v, &err) != 0) {
        if (!err)
            abort();
        return 0;
    }
    check_view(data, size, &v);
    check_exts(&v);
    check_setters(data, size, &v);
    return 0;
}
