/* range.h - the HTTP Range request header (RFC 9110 section 14.2), for
 * serving lesson videos that a <video> element seeks in.
 *
 * Only one byte range is served: "bytes=A-B", "bytes=A-" and the suffix
 * "bytes=-N".  A header that is not a byte range, is malformed or lists
 * several ranges is ignored (RFC 9110 allows that: the whole file with
 * 200).  A range starting at or past the end is unsatisfiable (416).  An
 * end past the file is cut to it.  Pure: no I/O, no allocation.
 */
#ifndef VECHE_RANGE_H
#define VECHE_RANGE_H

#include <stdint.h>

typedef enum {
    VECHE_RANGE_NONE,             /* no usable Range: send the whole file, 200 */
    VECHE_RANGE_PARTIAL,          /* send [offset, offset + length), 206 */
    VECHE_RANGE_UNSATISFIABLE,    /* 416 with Content-Range: bytes * /size */
} veche_range_result;

/* header may be NULL or "".  On PARTIAL, *offset and *length are set
 * (length >= 1). */
veche_range_result veche_range_parse(const char *header, uint64_t size, uint64_t *offset,
                                     uint64_t *length);

#endif
