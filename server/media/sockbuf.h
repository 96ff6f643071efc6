/* sockbuf.h - kernel buffer sizes of the UDP media sockets.
 *
 * A keyframe burst to many subscribers, or a moment without CPU, must not
 * overflow the receive buffer of a publisher's socket (Linux's default is
 * about 208 KiB).  veche_sockbuf_apply() asks for SO_RCVBUF / SO_SNDBUF,
 * trying SO_RCVBUFFORCE / SO_SNDBUFFORCE first (they pass the
 * net.core.rmem_max / wmem_max caps with CAP_NET_ADMIN, i.e. as root), and
 * reads back what the kernel granted.  veche_sockbuf_check() does that once
 * on a throwaway socket at start and logs one line, a warning when the
 * kernel gave less than asked.
 *
 * Sizes are in bytes as asked (the kernel's getsockopt value, which Linux
 * doubles for bookkeeping, is halved back).  No state, no allocation.
 */
#ifndef VECHE_SOCKBUF_H
#define VECHE_SOCKBUF_H

#include <stdbool.h>

typedef struct {
    int recv_bytes;           /* granted, -1 when unknown */
    int send_bytes;
} veche_sockbuf_sizes;

/* Set the buffers of fd (0 leaves one alone) and read back what the kernel
 * granted into *out (may be NULL).  Returns 0, or a negative code when the
 * sizes could not be read back. */
int veche_sockbuf_apply(int fd, unsigned recv_kb, unsigned send_kb,
                        veche_sockbuf_sizes *out);

/* Try the sizes on a throwaway UDP socket and log the result once.
 * Returns true when the kernel granted both in full. */
bool veche_sockbuf_check(unsigned recv_kb, unsigned send_kb);

#endif
