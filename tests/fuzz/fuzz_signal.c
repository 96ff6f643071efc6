/* fuzz_signal.c - drives the signalling message parser and validator. */
#include <stddef.h>
#include <stdint.h>

#include "signalling.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    veche_signal_msg m;
    veche_sfu_error err = {0};
    veche_signal_parse((const char *)data, size, &m, &err);
    veche_signal_msg_clear(&m);
    return 0;
}
