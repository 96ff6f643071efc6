/* fuzz_vp8.c - libFuzzer target for the VP8 payload format: parse the
 * input as a payload, then packetize it as a frame (max payload from the
 * first byte) and check every payload parses and the parts join back into
 * the frame. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vp8.h"

typedef struct {
    const uint8_t *frame;
    size_t len, at, max;
    int count;
} joiner;

static void on_payload(void *ud, const uint8_t *p, size_t n, bool last)
{
    joiner *j = ud;
    veche_vp8_descriptor d;
    if (n > j->max || veche_vp8_parse(p, n, &d, NULL) != 0)
        abort();
    if (d.descriptor_len != 4 || d.start_of_partition != (j->count == 0))
        abort();
    size_t part = n - d.descriptor_len;
    if (j->at + part > j->len ||
        memcmp(p + d.descriptor_len, j->frame + j->at, part) != 0)
        abort();
    j->at += part;
    j->count++;
    if (last != (j->at == j->len))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    veche_vp8_descriptor d;
    const char *err = NULL;
    if (veche_vp8_parse(data, size, &d, &err) == 0) {
        if (d.descriptor_len >= size)
            abort();
    } else if (!err) {
        abort();
    }
    if (size == 0)
        return 0;
    joiner j = { data, size, 0, 5 + (size_t)data[0] * 6, 0 };
    int n = veche_vp8_packetize(data, size, (uint16_t)size, j.max,
                                on_payload, &j);
    if (n != j.count || j.at != size)
        abort();
    return 0;
}
