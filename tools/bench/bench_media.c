/* bench_media.c - benchmark of the SFU media path's per-packet work, without
 * the network: SRTP unprotect of a publisher packet, RTP parse, receive
 * statistics, the NACK ring, then for each subscriber one copy, the header
 * rewrite into the subscriber's SSRC/PT/seq/ts space (rtp_rewrite.h) and
 * one SRTP protect with that subscriber's own context (what track.c does
 * per downtrack before handing the datagram to libnice).
 *
 *   veche-bench-media [subscribers=10] [packets=200000] [payload=1100] [gcm]
 *
 * Prints packets/s in, packets/s out, ns per forwarded copy, and the heap
 * bytes allocated during the timed loop (mallinfo2), which must be 0: the
 * media path allocates nothing per packet.  Exit status 1 if it is not.
 * It does not measure libnice's socket send (see docs/architecture.md).
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtp.h"
#include "rtp_rewrite.h"
#include "rtpstats.h"
#include "rtxbuf.h"
#include "srtp.h"

#define MAX_SUBS 1000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keys for one association; side b gets a's local/remote swapped. */
static void make_keys(veche_srtp_keys *a, veche_srtp_keys *b, veche_srtp_profile p,
                      unsigned seed)
{
    memset(a, 0, sizeof *a);
    a->profile = p;
    a->len = veche_srtp_key_len(p);
    for (size_t i = 0; i < a->len; i++) {
        a->local[i] = (uint8_t)(seed * 31 + i);
        a->remote[i] = (uint8_t)(seed * 17 + i * 3 + 1);
    }
    *b = *a;
    memcpy(b->local, a->remote, sizeof b->local);
    memcpy(b->remote, a->local, sizeof b->remote);
}

int main(int argc, char **argv)
{
    int subs = argc > 1 ? atoi(argv[1]) : 10;
    long packets = argc > 2 ? atol(argv[2]) : 200000;
    int payload = argc > 3 ? atoi(argv[3]) : 1100;
    veche_srtp_profile prof = argc > 4 && strcmp(argv[4], "gcm") == 0
                                  ? VECHE_SRTP_AEAD_AES_128_GCM
                                  : VECHE_SRTP_AES128_CM_SHA1_80;
    if (subs < 1 || subs > MAX_SUBS || packets < 1 || payload < 1 || payload > 1200) {
        fprintf(stderr, "usage: %s [subscribers 1..%d] [packets] [payload 1..1200] [gcm]\n",
                argv[0], MAX_SUBS);
        return 2;
    }
    if (veche_srtp_global_init() != 0)
        return 1;

    /* The publisher's sender context and the server's receiver context. */
    veche_srtp_keys pk, sk;
    make_keys(&pk, &sk, prof, 1);
    veche_srtp *publisher = veche_srtp_new(&pk), *server_in = veche_srtp_new(&sk);
    static veche_srtp *server_out[MAX_SUBS];
    static veche_rtp_rewrite rewrite[MAX_SUBS];
    for (int i = 0; i < subs; i++) {
        veche_rtp_rewrite_init(&rewrite[i], 0x5000 + (uint32_t)i, 98, (uint16_t)(i * 977),
                               (uint32_t)i * 7919);
        veche_srtp_keys a, b;
        make_keys(&a, &b, prof, (unsigned)i + 2);
        server_out[i] = veche_srtp_new(&a);
    }
    veche_rtxbuf *ring = veche_rtxbuf_new(1024);
    veche_rtpstats stats;
    veche_rtpstats_init(&stats, 0x1234, 90000);
    if (!publisher || !server_in || !ring)
        return 1;

    uint8_t wire[VECHE_RTP_MAX_PACKET + VECHE_SRTP_MAX_OVERHEAD];
    uint8_t out[VECHE_RTP_MAX_PACKET + VECHE_SRTP_MAX_OVERHEAD];
    long forwarded = 0;
    size_t heap_before = 0;
    double t0 = 0, busy = 0;
    /* The first 1000 packets warm up libsrtp's per-SSRC streams. */
    for (long n = -1000; n < packets; n++) {
        if (n == 0) {
            heap_before = mallinfo2().uordblks;
            t0 = now_s();
        }
        uint16_t seq = (uint16_t)(n + 1000);
        veche_rtp_write_header(wire, sizeof wire, 96, false, seq, (uint32_t)(n * 3000), 0x1234);
        memset(wire + 12, (int)(seq & 0xff), (size_t)payload);
        size_t len = 12 + (size_t)payload;
        if (veche_srtp_protect_rtp(publisher, wire, &len, sizeof wire) != 0)
            return 1;
        double t1 = now_s();
        /* --- the server's work starts here --- */
        if (veche_srtp_unprotect_rtp(server_in, wire, &len) != 0)
            return 1;
        veche_rtp_view v;
        if (veche_rtp_parse(wire, len, &v, NULL) != 0)
            return 1;
        veche_rtpstats_update(&stats, v.seq, v.timestamp, (uint64_t)n, len);
        veche_rtxbuf_put(ring, v.seq, wire, len, (uint64_t)n);
        for (int i = 0; i < subs; i++) {
            size_t olen = len;
            memcpy(out, wire, len);
            if (!veche_rtp_rewrite_apply(&rewrite[i], out, v.ssrc, v.seq, v.timestamp, 3000))
                return 1;
            if (veche_srtp_protect_rtp(server_out[i], out, &olen, sizeof out) != 0)
                return 1;
            forwarded++;
        }
        /* --- and ends here --- */
        if (n >= 0)
            busy += now_s() - t1;
        else
            forwarded = 0;
    }
    double wall = now_s() - t0;
    size_t heap_after = mallinfo2().uordblks;
    long heap_growth = (long)heap_after - (long)heap_before;

    printf("profile        %s\n", prof == VECHE_SRTP_AEAD_AES_128_GCM ? "AEAD_AES_128_GCM"
                                                                       : "AES_CM_128_HMAC_SHA1_80");
    printf("subscribers    %d\npayload        %d bytes\n", subs, payload);
    printf("packets in     %ld (%.0f/s of server time)\n", packets, (double)packets / busy);
    printf("packets out    %ld (%.0f/s)\n", forwarded, (double)forwarded / busy);
    printf("per copy       %.0f ns (unprotect+parse+stats amortised)\n",
           busy * 1e9 / (double)forwarded);
    printf("server share   %.1f%% of %.2f s wall\n", 100.0 * busy / wall, wall);
    printf("heap growth    %ld bytes during the timed loop\n", heap_growth);

    veche_rtxbuf_free(ring);
    for (int i = 0; i < subs; i++)
        veche_srtp_free(server_out[i]);
    veche_srtp_free(publisher);
    veche_srtp_free(server_in);
    return heap_growth > 0 ? 1 : 0;
}
