/* err.h - Veche error codes.
 *
 * One X-macro table gives the enum, the symbolic name and the message, in the
 * manner of libuv's uv.h.  Every function that can fail returns 0 (or a
 * positive count) on success and one of these negative codes on failure.
 */
#ifndef VECHE_ERR_H
#define VECHE_ERR_H

#define VECHE_ERRORS(X)                                        \
    X(OK,          0,   "success")                             \
    X(EINVAL,      -1,  "invalid argument")                    \
    X(ETRUNC,      -2,  "truncated input")                     \
    X(EMALFORMED,  -3,  "malformed input")                     \
    X(ENOMEM,      -4,  "out of memory")                       \
    X(EUNSUPPORTED,-5,  "unsupported feature")                 \
    X(ECRYPTO,     -6,  "cryptographic failure")               \
    X(ENOSPC,      -7,  "buffer too small")                    \
    X(ESTATE,      -8,  "operation not valid in this state")   \
    X(ENOTFOUND,   -9,  "not found")                           \
    X(EIO,         -10, "input/output error")                  \
    X(ELIMIT,      -11, "limit exceeded")                      \
    X(EAUTH,       -12, "authentication failed")               \
    X(EEXPIRED,    -13, "expired")                             \
    X(EBADSIG,     -14, "bad signature")                       \
    X(EEXISTS,     -15, "already exists")                      \
    X(EUSED,       -16, "already used")                        \
    X(EPOLICY,     -17, "rejected by policy")                  \
    X(EDENIED,     -18, "permission denied")                   \
    X(EBLOCKED,    -19, "account blocked")

typedef enum {
#define VECHE_ERR_ENUM(name, code, msg) VECHE_##name = (code),
    VECHE_ERRORS(VECHE_ERR_ENUM)
#undef VECHE_ERR_ENUM
} veche_err;

/* Human-readable message for an error code; never NULL. */
const char *veche_strerror(int code);
/* Symbolic name ("EINVAL") for an error code; never NULL. */
const char *veche_errname(int code);

#endif
