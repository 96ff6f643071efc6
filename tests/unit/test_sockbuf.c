/* test_sockbuf.c - media socket buffer sizes: what the kernel grants is
 * what was asked, or (without CAP_NET_ADMIN) net.core.rmem_max/wmem_max. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "sockbuf.h"

static long proc_value(const char *path)
{
    FILE *f = fopen(path, "r");
    long v = -1;
    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

static long expect(unsigned kb, const char *max_path)
{
    long asked = (long)kb * 1024;
    if (geteuid() == 0)
        return asked;
    long max = proc_value(max_path);
    return max >= 0 && max < asked ? max : asked;
}

TEST(apply_grants_asked_or_cap)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(fd >= 0);
    veche_sockbuf_sizes s;
    CHECK_EQ_INT(veche_sockbuf_apply(fd, 3072, 2048, &s), 0);
    CHECK_EQ_INT(s.recv_bytes, expect(3072, "/proc/sys/net/core/rmem_max"));
    CHECK_EQ_INT(s.send_bytes, expect(2048, "/proc/sys/net/core/wmem_max"));
    /* 0 leaves a buffer alone */
    veche_sockbuf_sizes t;
    CHECK_EQ_INT(veche_sockbuf_apply(fd, 0, 0, &t), 0);
    CHECK_EQ_INT(t.recv_bytes, s.recv_bytes);
    close(fd);
    CHECK(veche_sockbuf_apply(-1, 64, 64, &s) < 0);
}

TEST(check_reports_clamping)
{
    bool full = veche_sockbuf_check(256, 256);
    bool capped = geteuid() != 0 &&
                  proc_value("/proc/sys/net/core/rmem_max") < 256 * 1024;
    CHECK(full == !capped);
}

int main(void)
{
    RUN(apply_grants_asked_or_cap);
    RUN(check_reports_clamping);
    return check_finish();
}
