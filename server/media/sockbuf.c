/* sockbuf.c - SO_RCVBUF / SO_SNDBUF of the media sockets; see sockbuf.h. */
#include "sockbuf.h"

#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

/* Ask with the FORCE option first (root), then the capped one. */
static void set_one(int fd, int force_opt, int opt, unsigned kb)
{
    if (kb == 0)
        return;
    int bytes = (int)(kb > 1048576 ? 1048576 : kb) * 1024;
    if (setsockopt(fd, SOL_SOCKET, force_opt, &bytes, sizeof bytes) != 0)
        (void)setsockopt(fd, SOL_SOCKET, opt, &bytes, sizeof bytes);
}

static int get_one(int fd, int opt)
{
    int v = 0;
    socklen_t len = sizeof v;
    if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) != 0)
        return -1;
    return v / 2;   /* Linux reports twice the size asked (socket(7)) */
}

int veche_sockbuf_apply(int fd, unsigned recv_kb, unsigned send_kb,
                        veche_sockbuf_sizes *out)
{
    set_one(fd, SO_RCVBUFFORCE, SO_RCVBUF, recv_kb);
    set_one(fd, SO_SNDBUFFORCE, SO_SNDBUF, send_kb);
    veche_sockbuf_sizes s = { get_one(fd, SO_RCVBUF), get_one(fd, SO_SNDBUF) };
    if (out)
        *out = s;
    return s.recv_bytes < 0 || s.send_bytes < 0 ? VECHE_EIO : 0;
}

bool veche_sockbuf_check(unsigned recv_kb, unsigned send_kb)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        VLOG_WARN(NULL, NULL, "media socket buffers: cannot open a UDP socket to check them");
        return false;
    }
    veche_sockbuf_sizes s;
    int rc = veche_sockbuf_apply(fd, recv_kb, send_kb, &s);
    close(fd);
    bool full = rc == 0 && s.recv_bytes >= (int)recv_kb * 1024 &&
                s.send_bytes >= (int)send_kb * 1024;
    if (full)
        VLOG_INFO(NULL, NULL, "media socket buffers: receive %d KiB, send %d KiB",
                  s.recv_bytes / 1024, s.send_bytes / 1024);
    else
        VLOG_WARN(NULL, NULL, "media socket buffers: asked receive %u KiB, send %u KiB, "
                  "the kernel granted %d KiB and %d KiB (raise net.core.rmem_max and "
                  "net.core.wmem_max, or run as root)", recv_kb, send_kb,
                  s.recv_bytes / 1024, s.send_bytes / 1024);
    return full;
}
