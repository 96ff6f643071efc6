/* fuzz_recorder_ctl.c - libFuzzer target for veche-recorder's control-line
 * parser (recorder/ctl.c): any input parses or is refused with a reason,
 * never crashes or leaks; a parsed command is consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    veche_rec_cmd c;
    char reason[160] = "";
    if (veche_rec_ctl_parse((const char *)data, size, &c, reason, sizeof reason) == 0) {
        if (c.type != VECHE_REC_QUIT && c.part <= 0)
            abort();
        if (c.type == VECHE_REC_OPEN && (!c.path || !c.meta || !c.header))
            abort();
        if (c.type == VECHE_REC_TRACKS && (c.n_tracks == 0 || c.n_tracks > VECHE_REC_MAX_TRACKS))
            abort();
        veche_rec_ctl_clear(&c);
    } else if (!reason[0]) {
        abort();
    }
    return 0;
}
