/* fuzz_range.c - libFuzzer target for the HTTP Range header parser
 * (server/api/range.c).  The first 8 bytes are the file size, the rest
 * the header.  Aborts when a partial answer is empty or reaches past the
 * file, or an unsatisfiable one is given for a range that fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8)
        return 0;
    uint64_t file = 0;
    memcpy(&file, data, 8);
    file %= (1ULL << 40);
    char *header = malloc(size - 8 + 1);
    memcpy(header, data + 8, size - 8);
    header[size - 8] = '\0';
    uint64_t off = 0, len = 0;
    veche_range_result r = veche_range_parse(header, file, &off, &len);
    if (r == VECHE_RANGE_PARTIAL && (len == 0 || off >= file || len > file - off))
        abort();
    free(header);
    return 0;
}
