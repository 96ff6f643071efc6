/* test_media_alloc.c - counts heap allocations on the real media path:
 *
 *   SRTP datagram -> publisher transport (demux, SRTP unprotect)
 *     -> participant -> veche_track_on_rtp (stats, NACK ring, audio level)
 *     -> per subscriber: one copy, SRTP protect on its transport, into
 *        its batch; the worker's sendq flushes the batch (sendq.h)
 *     -> the transport's send hook (where ice.c would send)
 *
 * A room on a private main context gets a publisher (Opus with the RFC 6464
 * audio level extension, VP8 with NACK) and SUBS subscribers, negotiated
 * with hand-written SDP as in test_negotiate.c; their transports are then
 * connected with known SRTP keys through the transport's test seams
 * (transport.h) instead of ICE and DTLS.  After a warm-up (libsrtp creates
 * its per-SSRC stream state on the first packet of each SSRC), every
 * allocation is counted while PACKETS more go through: malloc, calloc,
 * realloc and the aligned allocators are interposed in this binary (in an
 * ASan build, the sanitizer's malloc hook counts instead).  Each
 * subscriber's hook unprotects what it got, with counting paused, and
 * checks it against what the publisher sent, so the packets really made it:
 * everything after the fixed header byte for byte, the marker, and the
 * fields the server rewrites per subscriber (rtp_rewrite.h) consistently:
 * one SSRC of the server's per stream, the server's payload type (Opus
 * 109, VP8 98), sequence numbers and timestamps at a constant offset.
 *
 * Not net heap growth (tools/bench media-path-no-alloc): an allocation
 * freed again in the same packet counts too.  This test includes sfu.h
 * (the SFU's private structures) to reach the participants' transports.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "check.h"
#include "config.h"
#include "dtls.h"
#include "log.h"
#include "rtp.h"
#include "sfu.h"
#include "srtp.h"

#define PWD "abcdefghijklmnopqrstuvwx"
#define SUBS 6
#define WARMUP 600
#define PACKETS 6000
#define AUDIO_SSRC 0x11110001u
#define VIDEO_SSRC 0x22220002u

/* ------------------------------------------------------------ counting */

static volatile int counting;
static volatile long allocations;

/* Distinct callers of the allocator while counting (return addresses). */
#define MAX_CALLERS 64
static void *callers[MAX_CALLERS];
static long caller_count[MAX_CALLERS];

static void note(void *caller)
{
    allocations++;
    for (int i = 0; i < MAX_CALLERS; i++) {
        if (callers[i] == caller || !callers[i]) {
            callers[i] = caller;
            caller_count[i]++;
            return;
        }
    }
}

#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_UNDER_ASAN 1
#endif
#endif

#ifdef ALLOC_UNDER_ASAN
/* The sanitizer owns malloc: count in its hook, and find the caller as the
 * first frame outside this binary and the sanitizer runtime. */
#include <execinfo.h>
int __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
                                              void (*f)(const volatile void *));
static void *self_base;

static void on_malloc(const volatile void *p, size_t n)
{
    (void)p;
    (void)n;
    if (!counting)
        return;
    counting = 0;             /* backtrace and dladdr must not count */
    void *frames[16];
    int k = backtrace(frames, 16);
    void *caller = NULL;
    for (int i = 1; i < k && !caller; i++) {
        Dl_info info;
        if (dladdr(frames[i], &info) && info.dli_fbase != self_base &&
            (!info.dli_fname || !strstr(info.dli_fname, "san")))
            caller = frames[i];
    }
    note(caller);
    counting = 1;
}
static void on_free(const volatile void *p) { (void)p; }
static void counting_init(void)
{
    Dl_info info;
    void *frames[4];
    if (dladdr((void *)counting_init, &info))
        self_base = info.dli_fbase;
    backtrace(frames, 4);     /* loads the unwinder before counting starts */
    __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
#else
/* glibc's own entry points, under the names it exports for interposers. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

#define NOTE()                                  \
    do {                                        \
        if (counting)                           \
            note(__builtin_return_address(0));  \
    } while (0)
void *malloc(size_t n) { NOTE(); return __libc_malloc(n); }
void *calloc(size_t n, size_t size) { NOTE(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t n) { NOTE(); return __libc_realloc(p, n); }
void *memalign(size_t align, size_t n) { NOTE(); return __libc_memalign(align, n); }
void *aligned_alloc(size_t align, size_t n) { NOTE(); return __libc_memalign(align, n); }
int posix_memalign(void **out, size_t align, size_t n)
{
    NOTE();
    void *p = __libc_memalign(align, n);
    if (!p)
        return 12; /* ENOMEM */
    *out = p;
    return 0;
}
static void counting_init(void) {}
#endif

/* The SRTP profile under test (each TEST sets it). */
static veche_srtp_profile test_profile = VECHE_SRTP_AEAD_AES_128_GCM;
/* Whether allocations inside the crypto library are tolerated (reported
 * apart).  No longer for any profile: AES-CM's HMAC-SHA1, which OpenSSL
 * 3.0 re-initialised with two allocations per packet (EVP_MAC_init), is
 * now Veche's own from precomputed pad states (srtp_hmac.h).  Kept as a
 * switch for a crypto backend that cannot do without. */
static bool tolerate_crypto_allocs;

/* The crypto library under libsrtp2: OpenSSL's libcrypto (our build,
 * scripts/srtp-openssl.sh) or NSS/NSPR (Debian's package, which sets up a
 * PK11 context and a lock for every packet). */
static bool in_srtp_backend(const char *object)
{
    static const char *const nss[] = {"libcrypto", "libnss", "libnspr", "libfreebl",
                                      "libsoftokn", "libplc4", "libplds4"};
    const char *base = object ? strrchr(object, '/') : NULL;
    base = base ? base + 1 : object;
    for (size_t i = 0; base && i < sizeof nss / sizeof nss[0]; i++)
        if (strncmp(base, nss[i], strlen(nss[i])) == 0)
            return true;
    return false;
}

/* Print the callers; return how many allocations came from outside the
 * SRTP crypto backend. */
static long report_callers(long *backend)
{
    long others = 0;
    *backend = 0;
    for (int i = 0; i < MAX_CALLERS && caller_count[i]; i++) {
        Dl_info info = {0};
        bool found = callers[i] && dladdr(callers[i], &info) && info.dli_fname;
        printf("# %ld allocations called from %s (%s)\n", caller_count[i],
               found ? info.dli_fname : "?", found && info.dli_sname ? info.dli_sname : "?");
        if (found && in_srtp_backend(info.dli_fname))
            *backend += caller_count[i];
        else
            others += caller_count[i];
    }
    return others;
}

/* ------------------------------------------------------------ the room */

typedef struct {
    char *offer;
    veche_srtp *rx;      /* the subscriber's side of its SRTP association */
    long rtp_got;
    long rtp_ok;         /* unprotected and equal to what was sent */
    /* per publisher SSRC (audio, video): the rewriting seen first */
    uint32_t in_ssrc[2], out_ssrc[2], ts_off[2];
    uint16_t seq_off[2];
} peer;

static const uint8_t *expect_pkt;   /* the plain packet being forwarded */
static size_t expect_len;

/* The room's events: a test's client number is its peer's address. */
static void on_event(void *ud, veche_sfu_event *ev)
{
    (void)ud;
    for (unsigned i = 0; ev->type == VECHE_EV_OFFER && i < ev->n_to; i++) {
        peer *pr = (peer *)(uintptr_t)ev->to[i].client;
        g_free(pr->offer);
        pr->offer = g_strdup(ev->text);
    }
    veche_sfu_event_free(ev);
}

/* got is what the subscriber received for the plain packet sent (both
 * len bytes): identical but for the rewritten header fields, which follow
 * one mapping per stream (the first packet of a stream fixes it). */
static bool rewritten_ok(peer *pr, const uint8_t *got, const uint8_t *sent, size_t len)
{
    veche_rtp_view g, s;
    if (veche_rtp_parse(got, len, &g, NULL) != 0 || veche_rtp_parse(sent, len, &s, NULL) != 0 ||
        got[0] != sent[0] || g.marker != s.marker || memcmp(got + 12, sent + 12, len - 12) != 0)
        return false;
    int k = s.payload_type == 111 ? 0 : 1;
    if (g.payload_type != (k == 0 ? 109 : 98) || g.ssrc == s.ssrc)
        return false;
    if (!pr->in_ssrc[k]) {
        pr->in_ssrc[k] = s.ssrc;
        pr->out_ssrc[k] = g.ssrc;
        pr->seq_off[k] = (uint16_t)(g.seq - s.seq);
        pr->ts_off[k] = g.timestamp - s.timestamp;
    }
    return pr->in_ssrc[k] == s.ssrc && pr->out_ssrc[k] == g.ssrc &&
           pr->seq_off[k] == (uint16_t)(g.seq - s.seq) && pr->ts_off[k] == g.timestamp - s.timestamp;
}

/* What a subscriber transport sends: RTP is checked (counting paused). */
static void sub_hook(void *ud, const uint8_t *buf, size_t len)
{
    peer *pr = ud;
    if (len < 12 || veche_rtp_is_rtcp(buf, len))
        return;
    int was = counting;
    counting = 0;
    uint8_t copy[1600];
    size_t n = len;
    memcpy(copy, buf, len);
    pr->rtp_got++;
    if (veche_srtp_unprotect_rtp(pr->rx, copy, &n) == 0 && n == expect_len &&
        rewritten_ok(pr, copy, expect_pkt, n))
        pr->rtp_ok++;
    counting = was;
}

static long pub_rtcp_sent;
static void pub_hook(void *ud, const uint8_t *buf, size_t len)
{
    (void)ud;
    (void)buf;
    (void)len;
    pub_rtcp_sent++;
}

/* Keys of one association: the server's side and the client's side. */
static void make_keys(veche_srtp_keys *server, veche_srtp_keys *client, unsigned seed)
{
    memset(server, 0, sizeof *server);
    server->profile = test_profile;
    server->len = veche_srtp_key_len(server->profile);
    for (size_t i = 0; i < server->len; i++) {
        server->local[i] = (uint8_t)(seed * 31 + i);
        server->remote[i] = (uint8_t)(seed * 17 + i * 3 + 1);
    }
    *client = *server;
    memcpy(client->local, server->remote, sizeof client->local);
    memcpy(client->remote, server->local, sizeof client->remote);
}

static const char *publish_offer(const char *fp)
{
    static char sdp[2048];
    const char *common = "c=IN IP4 0.0.0.0\r\na=sendonly\r\na=ice-ufrag:pubu\r\n"
                         "a=ice-pwd:" PWD "\r\na=setup:actpass\r\na=rtcp-mux\r\n";
    snprintf(sdp, sizeof sdp,
             "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE a v\r\n"
             "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n%sa=mid:a\r\na=fingerprint:sha-256 %s\r\n"
             "a=rtpmap:111 opus/48000/2\r\n"
             "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
             "a=ssrc:%u cname:x\r\n"
             "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n%sa=mid:v\r\na=fingerprint:sha-256 %s\r\n"
             "a=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\n"
             "a=ssrc:%u cname:x\r\n",
             common, fp, AUDIO_SSRC, common, fp, VIDEO_SSRC);
    return sdp;
}

/* Answer a subscribe offer: recvonly for every sendonly m-line. */
static int answer(veche_participant *p, peer *pr, const char *fp)
{
    const char *why = NULL;
    veche_sdp *o = veche_sdp_parse(pr->offer, strlen(pr->offer), &why);
    if (!o)
        return -1;
    GString *s = g_string_new("v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    for (int i = 0; i < o->n_media; i++) {
        const veche_sdp_media *m = &o->media[i];
        g_string_append_printf(s, "m=%s 9 UDP/TLS/RTP/SAVPF", m->kind_name);
        for (int j = 0; j < m->n_codecs; j++)
            g_string_append_printf(s, " %u", m->codecs[j].pt);
        g_string_append_printf(s, "\r\nc=IN IP4 0.0.0.0\r\na=mid:%s\r\na=%s\r\n"
                               "a=ice-ufrag:subu\r\na=ice-pwd:" PWD "\r\n"
                               "a=fingerprint:sha-256 %s\r\na=setup:active\r\na=rtcp-mux\r\n",
                               m->mid, m->dir == VECHE_SDP_SENDONLY ? "recvonly" : "inactive",
                               fp);
        for (int j = 0; j < m->n_codecs; j++) {
            const veche_sdp_codec *c = &m->codecs[j];
            g_string_append_printf(s, "a=rtpmap:%u %s/%u", c->pt, c->name, c->clock_rate);
            if (c->channels)
                g_string_append_printf(s, "/%u", c->channels);
            g_string_append(s, "\r\n");
        }
    }
    veche_sdp_free(o);
    g_free(pr->offer);
    pr->offer = NULL;
    veche_sfu_error err = {0};
    int rc = veche_participant_subscribe_answer(p, s->str, &err);
    if (rc != 0)
        fprintf(stderr, "# answer: %s %s\n", err.code, err.reason);
    g_string_free(s, TRUE);
    return rc;
}

/* Packet i of the publisher: every 4th is audio (with an audio level),
 * the rest video. */
static size_t make_packet(uint8_t *buf, long i)
{
    static uint16_t aseq = 100, vseq = 5000;
    bool audio = i % 4 == 0;
    size_t len;
    if (audio) {
        veche_rtp_write_header(buf, 1600, 111, false, aseq++, (uint32_t)(i * 960), AUDIO_SSRC);
        buf[0] |= 0x10;                       /* X: one-byte header extension */
        memcpy(buf + 12, "\xbe\xde\x00\x01\x10\x28\x00\x00", 8);  /* id 1, level 40 */
        memset(buf + 20, (int)(i & 0xff), 80);
        len = 100;
    } else {
        veche_rtp_write_header(buf, 1600, 96, i % 8 == 1, vseq++, (uint32_t)(i / 8 * 3000),
                               VIDEO_SSRC);
        memset(buf + 12, (int)(i & 0xff), 1100);
        len = 1112;
    }
    return len;
}

static void run_media_path(void);

/* AES-GCM (what browsers negotiate): not one allocation per packet in any
 * library.  Fails with Debian's NSS-based libsrtp2: run
 * scripts/srtp-openssl.sh (meson.build then links that build). */
TEST(gcm_media_path_allocates_nothing_per_packet)
{
    test_profile = VECHE_SRTP_AEAD_AES_128_GCM;
    tolerate_crypto_allocs = false;
    run_media_path();
}

/* AES-CM + HMAC-SHA1 (what GStreamer's webrtcbin negotiates): nothing
 * either, the crypto library included (srtp_hmac.c). */
TEST(aescm_media_path_allocates_nothing_per_packet)
{
    test_profile = VECHE_SRTP_AES128_CM_SHA1_80;
    tolerate_crypto_allocs = false;
    run_media_path();
}

static void run_media_path(void)
{
    CHECK_EQ_INT(veche_srtp_global_init(), 0);
    GMainContext *ctx = g_main_context_new();
    veche_config cfg;
    veche_config_defaults(&cfg);
    g_strlcpy(cfg.ice_addresses, "127.0.0.1", sizeof cfg.ice_addresses);
    veche_dtls_cert *cert = veche_dtls_cert_new();
    const char *fp = veche_dtls_cert_fingerprint(cert);
    /* As on a media worker: subscriber sends are batched (sendq.h). */
    veche_sendq *sendq = veche_sendq_new(ctx);
    veche_sfu_env env = {.ctx = ctx, .cfg = &cfg, .cert = cert, .emit = on_event,
                         .sendq = sendq};
    veche_room *room = veche_room_new("alloc", VECHE_ROOM_MEETING, &env);

    /* The publisher. */
    peer pub_peer = {0};
    veche_join_request req = {.name = "pub", .client = (uintptr_t)&pub_peer, .req = 1};
    veche_sfu_error err = {0};
    veche_participant *pub = veche_room_join(room, &req, &err);
    CHECK(pub != NULL);
    char *ans = NULL;
    CHECK_EQ_INT(veche_participant_publish(pub, publish_offer(fp), NULL, 0, &ans, &err), 0);
    free(ans);
    CHECK(pub->pub != NULL && pub->tracks->len == 2);

    /* The subscribers, each with its transport negotiated and connected. */
    peer subs[SUBS] = {0};
    veche_participant *sp[SUBS];
    for (int i = 0; i < SUBS; i++) {
        char name[16];
        snprintf(name, sizeof name, "sub%d", i);
        veche_join_request r = {.name = name, .client = (uintptr_t)&subs[i], .req = 1};
        sp[i] = veche_room_join(room, &r, &err);
        CHECK(sp[i] != NULL);
        CHECK_EQ_INT(veche_participant_subscribe(sp[i], &err), 0);
        while (subs[i].offer)
            CHECK_EQ_INT(answer(sp[i], &subs[i], fp), 0);
    }
    veche_srtp_keys server_k, client_k;
    make_keys(&server_k, &client_k, 1);
    veche_srtp *client_tx = veche_srtp_new(&client_k);
    veche_transport_set_send_hook(pub->pub, pub_hook, NULL);
    CHECK_EQ_INT(veche_transport_test_connect(pub->pub, &server_k), 0);
    for (int i = 0; i < SUBS; i++) {
        make_keys(&server_k, &client_k, (unsigned)i + 2);
        subs[i].rx = veche_srtp_new(&client_k);
        CHECK(sp[i]->sub != NULL);
        veche_transport_set_send_hook(sp[i]->sub, sub_hook, &subs[i]);
        CHECK_EQ_INT(veche_transport_test_connect(sp[i]->sub, &server_k), 0);
        CHECK_EQ_INT((int)sp[i]->downtracks->len, 2);
    }
    CHECK(pub_rtcp_sent > 0);   /* the subscribers' connects asked for a key frame */

    /* Warm up, then count. */
    uint8_t plain[1600], wire[1600];
    long counted = 0;
    for (long i = 0; i < WARMUP + PACKETS; i++) {
        size_t len = make_packet(plain, i);
        memcpy(wire, plain, len);
        expect_pkt = plain;
        expect_len = len;
        CHECK_EQ_INT(veche_srtp_protect_rtp(client_tx, wire, &len, sizeof wire), 0);
        if (i == WARMUP) {
            allocations = 0;
            memset(callers, 0, sizeof callers);
            memset(caller_count, 0, sizeof caller_count);
        }
        counting = i >= WARMUP;
        veche_transport_test_receive(pub->pub, wire, len);
        veche_sendq_flush(sendq);   /* what the worker's loop does next */
        counting = 0;
        counted += i >= WARMUP;
    }
    long got = 0, ok = 0;
    for (int i = 0; i < SUBS; i++) {
        got += subs[i].rtp_got;
        ok += subs[i].rtp_ok;
    }
    const veche_transport_stats *st = veche_transport_get_stats(pub->pub);
    printf("# %ld packets in after %d warm-up, %ld forwarded copies, %ld allocations\n",
           counted, WARMUP, got, allocations);
    CHECK_EQ_INT((int)st->rtp_in, WARMUP + PACKETS);
    CHECK_EQ_INT((int)st->dropped_unprotect, 0);
    CHECK_EQ_INT((int)got, (WARMUP + PACKETS) * SUBS);
    CHECK_EQ_INT((int)ok, (WARMUP + PACKETS) * SUBS);
    long backend = 0, others = report_callers(&backend);
    long srtp_ops = counted * (1 + SUBS);
    printf("# %s: crypto library under libsrtp2: %ld allocations, %.2f per protect/unprotect\n",
           test_profile == VECHE_SRTP_AEAD_AES_128_GCM ? "AES-GCM" : "AES-CM", backend,
           (double)backend / (double)srtp_ops);
    printf("# everything else (Veche, GLib, libsrtp2): %ld allocations\n", others);
    CHECK_EQ_INT(others, 0);
    if (!tolerate_crypto_allocs)
        CHECK_EQ_INT(backend, 0);

    veche_srtp_free(client_tx);
    for (int i = 0; i < SUBS; i++) {
        veche_srtp_free(subs[i].rx);
        g_free(subs[i].offer);
    }
    veche_room_free(room);
    while (g_main_context_iteration(ctx, FALSE))
        ;
    veche_sendq_free(sendq);
    veche_dtls_cert_unref(cert);
    g_main_context_unref(ctx);
}

int main(void)
{
    counting_init();
    veche_log_set_level(VECHE_LOG_WARN);
    RUN(gcm_media_path_allocates_nothing_per_packet);
    RUN(aescm_media_path_allocates_nothing_per_packet);
    return check_finish();
}
