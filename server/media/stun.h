/* stun.h - STUN message codec (RFC 5389 / RFC 8489), used to classify and
 * validate packets on the media ports and by tests and fuzzers.
 *
 * libnice owns the ICE connectivity checks; this module only decodes.  No
 * I/O, no allocation; the decoded message points into the input buffer.
 */
#ifndef VECHE_STUN_H
#define VECHE_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VECHE_STUN_MAGIC 0x2112A442u
#define VECHE_STUN_MAX_ATTRS 32

enum {
    VECHE_STUN_ATTR_MAPPED_ADDRESS = 0x0001,
    VECHE_STUN_ATTR_USERNAME = 0x0006,
    VECHE_STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
    VECHE_STUN_ATTR_ERROR_CODE = 0x0009,
    VECHE_STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
    VECHE_STUN_ATTR_PRIORITY = 0x0024,
    VECHE_STUN_ATTR_USE_CANDIDATE = 0x0025,
    VECHE_STUN_ATTR_FINGERPRINT = 0x8028,
    VECHE_STUN_ATTR_ICE_CONTROLLED = 0x8029,
    VECHE_STUN_ATTR_ICE_CONTROLLING = 0x802A,
};

typedef struct {
    uint16_t type;
    uint16_t len;
    const uint8_t *value;
} veche_stun_attr;

typedef struct {
    uint16_t type;            /* full message type */
    uint16_t method;          /* 0x001 = Binding */
    uint8_t klass;            /* 0 request, 1 indication, 2 success, 3 error */
    uint8_t transaction_id[12];
    int n_attrs;
    veche_stun_attr attrs[VECHE_STUN_MAX_ATTRS];
    bool has_fingerprint;
    bool fingerprint_ok;      /* CRC-32 of the message checked */
} veche_stun_msg;

/* Cheap test (RFC 7983): first two bits zero, magic cookie present, length
 * a multiple of 4 matching the buffer. */
bool veche_stun_is_stun(const uint8_t *buf, size_t len);

/* Decode a STUN message.  Returns 0, or VECHE_ETRUNC / VECHE_EMALFORMED /
 * VECHE_ELIMIT with *err_desc set. */
int veche_stun_parse(const uint8_t *buf, size_t len, veche_stun_msg *out,
                     const char **err_desc);

/* First attribute of a type, or NULL. */
const veche_stun_attr *veche_stun_find(const veche_stun_msg *m, uint16_t type);

/* Decode (XOR-)MAPPED-ADDRESS into a printable "ip:port" string. */
int veche_stun_attr_address(const veche_stun_msg *m, const veche_stun_attr *a,
                            char *out, size_t cap);

#endif
