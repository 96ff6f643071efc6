/* range.c - one byte range from an HTTP Range header (range.h). */
#include "range.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* Digits at *p into *out (no sign, at most 18 of them); false when none. */
static bool number(const char **p, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    while (**p >= '0' && **p <= '9') {
        if (++n > 18)
            return false;
        v = v * 10 + (uint64_t)(**p - '0');
        (*p)++;
    }
    *out = v;
    return n > 0;
}

static void skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\t')
        (*p)++;
}

veche_range_result veche_range_parse(const char *header, uint64_t size, uint64_t *offset,
                                     uint64_t *length)
{
    if (!header)
        return VECHE_RANGE_NONE;
    const char *p = header;
    skip_ws(&p);
    if (strncmp(p, "bytes", 5) != 0)
        return VECHE_RANGE_NONE;
    p += 5;
    skip_ws(&p);
    if (*p++ != '=')
        return VECHE_RANGE_NONE;
    skip_ws(&p);
    uint64_t first = 0, last = 0;
    bool has_first = number(&p, &first);
    if (*p++ != '-')
        return VECHE_RANGE_NONE;
    bool has_last = number(&p, &last);
    skip_ws(&p);
    if (*p != '\0' || (!has_first && !has_last))  /* several ranges, or junk */
        return VECHE_RANGE_NONE;
    if (!has_first) {  /* suffix: the last N bytes */
        if (last == 0 || size == 0)
            return VECHE_RANGE_UNSATISFIABLE;
        *offset = last >= size ? 0 : size - last;
        *length = size - *offset;
        return VECHE_RANGE_PARTIAL;
    }
    if (has_last && last < first)
        return VECHE_RANGE_NONE;   /* invalid: ignored */
    if (first >= size)
        return VECHE_RANGE_UNSATISFIABLE;
    if (!has_last || last >= size)
        last = size - 1;
    *offset = first;
    *length = last - first + 1;
    return VECHE_RANGE_PARTIAL;
}
