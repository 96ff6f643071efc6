/* fuzz_stun.c - libFuzzer target for the STUN decoder: is_stun, parse,
 * find, and address decoding of every attribute into roomy and tiny
 * buffers.  Aborts when a decoded attribute lies outside the input. */
#include <stdint.h>
#include <stdlib.h>

#include "stun.h"

static void check_attrs(const uint8_t *data, size_t size,
                        const veche_stun_msg *m)
{
    char out[64], tiny[8];
    for (int i = 0; i < m->n_attrs; i++) {
        const veche_stun_attr *a = &m->attrs[i];
        if (a->value < data || a->value + a->len > data + size)
            abort();
        if (veche_stun_find(m, a->type) == NULL)
            abort();
        if (veche_stun_attr_address(m, a, out, sizeof out) == 0 &&
            out[0] == '\0')
            abort();
        veche_stun_attr_address(m, a, tiny, sizeof tiny);
        veche_stun_attr_address(m, a, tiny, 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    veche_stun_msg m;
    const char *err = NULL;
    bool is_stun = veche_stun_is_stun(data, size);
    if (veche_stun_parse(data, size, &m, &err) != 0) {
        if (!err)
            abort();
        return 0;
    }
    if (!is_stun || m.n_attrs > VECHE_STUN_MAX_ATTRS)
        abort();   /* every parsed message passes the cheap test */
    check_attrs(data, size, &m);
    return 0;
}
