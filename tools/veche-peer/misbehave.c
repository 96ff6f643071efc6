/* misbehave.c - the --misbehave script (see misbehave.h): a table of bad
 * signalling messages with the error each must draw, garbage datagrams for
 * the server's ICE ports, and authenticated junk (junk.h) through our own
 * connections.
 *
 * Does not: send UDP anywhere but 127.0.0.1 and the --ice-address list, or
 * judge the server beyond the error codes and the close; whether the room
 * survived is judged by the other peers' reports.
 */
#include "misbehave.h"

#include <string.h>
#include <gio/gio.h>

#include "err.h"
#include "junk.h"
#include "peer_sdp.h"
#include "srtp.h"

#define STEP_TIMEOUT_MS 5000
#define BIG_MESSAGE (100 * 1024)
#define JUNK_ROUNDS 3             /* each junk kind goes out this often */

/* Messages other than the oversized one, sent as they are. */
static const char MSG_BAD_JSON[] = "{\"type\": \"join\", this is not json";
static const char MSG_NOT_OBJECT[] = "[\"join\", 1, 2]";
static const char MSG_UNKNOWN[] =
    "{\"type\":\"no-such-type\",\"id\":\"mb-unknown\"}";
static const char MSG_BAD_REQUEST[] =
    "{\"type\":\"candidate\",\"id\":7,\"pc\":\"sideways\","
    "\"candidate\":\"\"}";
static const char MSG_ALREADY_JOINED[] =
    "{\"type\":\"join\",\"room\":\"elsewhere\",\"name\":\"M2\"}";
static const char MSG_BAD_STATE[] =
    "{\"type\":\"answer\",\"pc\":\"subscribe\",\"sdp\":\"v=0\\r\\n\"}";
static const char MSG_BAD_SDP[] =
    "{\"type\":\"publish\",\"id\":\"mb-sdp\","
    "\"sdp\":\"v=0\\r\\nthis is not sdp\\r\\n\"}";
/* Parses, but offers nothing the server forwards (PCMU only). */
static const char MSG_UNSUPPORTED_SDP[] =
    "{\"type\":\"publish\",\"sdp\":\"v=0\\r\\no=- 1 1 IN IP4 127.0.0.1\\r\\n"
    "s=-\\r\\nt=0 0\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 0\\r\\n"
    "c=IN IP4 0.0.0.0\\r\\na=mid:0\\r\\na=sendonly\\r\\na=rtcp-mux\\r\\n"
    "a=rtpmap:0 PCMU/8000\\r\\na=ssrc:1 cname:x\\r\\n\"}";

typedef struct {
    const char *name;         /* check name */
    const char *text;         /* the message; NULL = the oversized one */
    const char *expect;       /* error code */
    bool expect_close;
} step;

/* The oversized message goes last: the server closes the connection. */
static const step STEPS[] = {
    { "bad-json", MSG_BAD_JSON, "bad-json", false },
    { "not-an-object", MSG_NOT_OBJECT, "bad-json", false },
    { "unknown-type", MSG_UNKNOWN, "unknown-type", false },
    { "bad-request", MSG_BAD_REQUEST, "bad-request", false },
    { "already-joined", MSG_ALREADY_JOINED, "already-joined", false },
    { "bad-state", MSG_BAD_STATE, "bad-state", false },
    { "bad-sdp", MSG_BAD_SDP, "bad-sdp", false },
    { "unsupported-sdp", MSG_UNSUPPORTED_SDP, "unsupported", false },
    { "too-large", NULL, "too-large", true },
};
#define N_STEPS ((int)(sizeof STEPS / sizeof *STEPS))

struct vpeer_misbehave {
    GMainContext *ctx;
    vpeer_report *report;         /* borrowed */
    vpeer_misbehave_hooks hooks;
    void *ud;
    int step;                     /* index into STEPS; N_STEPS = done */
    bool started;
    bool got_error;               /* for the current step */
    GSource *timer;
};

vpeer_misbehave *vpeer_misbehave_new(GMainContext *ctx, vpeer_report *r,
                                     const vpeer_misbehave_hooks *hooks,
                                     void *ud)
{
    vpeer_misbehave *m = g_new0(vpeer_misbehave, 1);
    m->ctx = ctx;
    m->report = r;
    m->hooks = *hooks;
    m->ud = ud;
    return m;
}

static void stop_timer(vpeer_misbehave *m)
{
    if (m->timer) {
        g_source_destroy(m->timer);
        g_source_unref(m->timer);
        m->timer = NULL;
    }
}

void vpeer_misbehave_free(vpeer_misbehave *m)
{
    if (!m)
        return;
    stop_timer(m);
    g_free(m);
}

/* The oversized message: a ping padded to BIG_MESSAGE bytes. */
static char *big_message(void)
{
    GString *s = g_string_new("{\"type\":\"ping\",\"id\":\"mb-big\","
                              "\"pad\":\"");
    while (s->len < BIG_MESSAGE)
        g_string_append_c(s, 'x');
    g_string_append(s, "\"}");
    return g_string_free(s, FALSE);
}

static void run_step(vpeer_misbehave *m);

static gboolean on_timeout(gpointer ud)
{
    vpeer_misbehave *m = ud;
    const step *st = &STEPS[m->step];
    g_source_unref(m->timer);
    m->timer = NULL;
    if (!m->got_error)
        vpeer_report_check(m->report, st->name, false,
                           "no error within the time limit");
    if (st->expect_close)
        vpeer_report_check(m->report, "too-large-close", false,
                           "connection not closed within the time limit");
    m->step++;
    run_step(m);
    return G_SOURCE_REMOVE;
}

static void run_step(vpeer_misbehave *m)
{
    if (m->step >= N_STEPS) {
        m->hooks.finished(m->ud);
        return;
    }
    const step *st = &STEPS[m->step];
    m->got_error = false;
    char *big = st->text ? NULL : big_message();
    int rc = m->hooks.send_text(m->ud, st->text ? st->text : big);
    g_free(big);
    if (rc != 0) {
        vpeer_report_check(m->report, st->name, false, "could not send");
        m->step++;
        run_step(m);
        return;
    }
    m->timer = g_timeout_source_new(STEP_TIMEOUT_MS);
    g_source_set_callback(m->timer, on_timeout, m, NULL);
    g_source_attach(m->timer, m->ctx);
}

void vpeer_misbehave_start(vpeer_misbehave *m)
{
    if (m->started)
        return;
    m->started = true;
    run_step(m);
}

bool vpeer_misbehave_running(const vpeer_misbehave *m)
{
    return m && m->started && m->step < N_STEPS;
}

/* Move past the current step. */
static void next_step(vpeer_misbehave *m)
{
    stop_timer(m);
    m->step++;
    run_step(m);
}

bool vpeer_misbehave_on_error(vpeer_misbehave *m, const char *code)
{
    if (!vpeer_misbehave_running(m) || m->got_error)
        return false;
    const step *st = &STEPS[m->step];
    bool ok = strcmp(code, st->expect) == 0;
    char *detail = g_strdup_printf("got %s", code);
    vpeer_report_check(m->report, st->name, ok, detail);
    g_free(detail);
    m->got_error = true;
    if (!st->expect_close)
        next_step(m);
    return true;
}

bool vpeer_misbehave_on_closed(vpeer_misbehave *m, int code)
{
    if (!vpeer_misbehave_running(m))
        return false;
    const step *st = &STEPS[m->step];
    char *detail = g_strdup_printf("close code %d", code);
    if (!m->got_error)
        vpeer_report_check(m->report, st->name, false,
                           "closed without an error message");
    vpeer_report_check(m->report, st->expect_close ? "too-large-close"
                                                   : "unexpected-close",
                       st->expect_close && (code == 1009 || code == 0),
                       detail);
    g_free(detail);
    stop_timer(m);
    m->step = N_STEPS;
    m->hooks.finished(m->ud);
    return true;
}

/* ---- UDP garbage ---------------------------------------------------------- */

bool vpeer_misbehave_allowed(const char *addr, const char *ice_addresses)
{
    if (strcmp(addr, "127.0.0.1") == 0)
        return true;
    if (!ice_addresses)
        return false;
    bool ok = false;
    char **list = g_strsplit(ice_addresses, ",", -1);
    for (int i = 0; list[i] && !ok; i++)
        ok = strcmp(g_strstrip(list[i]), addr) == 0;
    g_strfreev(list);
    return ok;
}

static void random_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)g_random_int();
}

/* Datagram number i of the garbage set; returns its length. */
static size_t garbage(int i, uint8_t *p, size_t cap)
{
    size_t n = 160;
    random_bytes(p, n);
    switch (i) {
    case 0:                                   /* random bytes */
        break;
    case 1:                                   /* STUN binding request */
        p[0] = 0x00; p[1] = 0x01; p[2] = 0x00; p[3] = 0x08;
        p[4] = 0x21; p[5] = 0x12; p[6] = 0xa4; p[7] = 0x42;
        p[20] = 0x00; p[21] = 0x06; p[22] = 0x00; p[23] = 0x04; /* USERNAME */
        n = 28;
        break;
    case 2:                                   /* RTP, PT 96 */
        p[0] = 0x80; p[1] = 96;
        break;
    case 3:                                   /* RTCP "SR" with a bad length */
        p[0] = 0x80; p[1] = 200; p[2] = 0x00; p[3] = 0x40;
        break;
    default:                                  /* DTLS 1.2 handshake record */
        p[0] = 22; p[1] = 0xfe; p[2] = 0xfd;
        memset(p + 3, 0, 8);                  /* epoch 0, sequence 0 */
        p[11] = 0x00; p[12] = (uint8_t)(n - 13);
        p[13] = 1;                            /* "ClientHello" */
        break;
    }
    return n < cap ? n : cap;
}

static int send_garbage(GSocket *sock, const char *addr, uint16_t port)
{
    GInetAddress *ia = g_inet_address_new_from_string(addr);
    if (!ia)
        return 0;
    GSocketAddress *sa = g_inet_socket_address_new(ia, port);
    int sent = 0;
    uint8_t buf[256];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 5; i++) {
            size_t n = garbage(i, buf, sizeof buf);
            if (g_socket_send_to(sock, sa, (const char *)buf, n, NULL,
                                 NULL) == (gssize)n)
                sent++;
        }
    g_object_unref(sa);
    g_object_unref(ia);
    return sent;
}

int vpeer_misbehave_udp(vpeer_report *r, const char *const *candidates,
                        const char *ice_addresses)
{
    GSocket *sock = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                 G_SOCKET_PROTOCOL_UDP, NULL);
    if (!sock) {
        vpeer_report_check(r, "udp-garbage", false, "no socket");
        return 0;
    }
    int sent = 0, targets = 0, skipped = 0;
    for (int i = 0; candidates && candidates[i]; i++) {
        char addr[64];
        uint16_t port;
        if (!vpeer_sdp_candidate_addr(candidates[i], addr, sizeof addr, &port))
            continue;
        if (!vpeer_misbehave_allowed(addr, ice_addresses)) {
            skipped++;
            continue;
        }
        targets++;
        sent += send_garbage(sock, addr, port);
    }
    g_object_unref(sock);
    char *detail = g_strdup_printf("%d datagrams to %d candidates, %d "
                                   "candidates skipped (not allowed)",
                                   sent, targets, skipped);
    vpeer_report_check(r, "udp-garbage", sent > 0, detail);
    g_free(detail);
    return sent;
}

/* ---- authenticated junk --------------------------------------------------- */

int vpeer_misbehave_srtp(vpeer_report *r, const char *check,
                         vpeer_misbehave_send_fn send, void *ud,
                         const uint32_t *media, int n_media, bool with_rtp)
{
    GRand *rng = g_rand_new();
    uint32_t self = g_rand_int(rng) | 1;      /* an SSRC of the junk's own */
    uint32_t rtp_ssrc = g_rand_int(rng) | 2;
    uint8_t buf[VPEER_JUNK_MAX + VECHE_SRTP_MAX_OVERHEAD];
    int sent = 0, failed = 0;
    for (int round = 0; round < JUNK_ROUNDS; round++) {
        for (int i = 0; i < VPEER_JUNK_RTCP_KINDS; i++) {
            uint32_t m = n_media > 0 ? media[(round + i) % n_media]
                                     : g_rand_int(rng);
            int n = vpeer_junk_rtcp(i, self, m, rng, buf, sizeof buf);
            if (n > 0 && send(ud, buf, (size_t)n, sizeof buf, true) == 0)
                sent++;
            else
                failed++;
        }
        for (int i = 0; with_rtp && i < VPEER_JUNK_RTP_KINDS; i++) {
            int n = vpeer_junk_rtp(i, rtp_ssrc, (uint16_t)(round * 16 + i),
                                   rng, buf, sizeof buf);
            if (n > 0 && send(ud, buf, (size_t)n, sizeof buf, false) == 0)
                sent++;
            else
                failed++;
        }
    }
    g_rand_free(rng);
    char *detail = g_strdup_printf("%d packets sent, %d not sent", sent,
                                   failed);
    vpeer_report_check(r, check, sent > 0 && failed == 0, detail);
    g_free(detail);
    return sent;
}

static int junk_send(void *ud, uint8_t *buf, size_t len, size_t cap,
                     bool rtcp)
{
    vpeer_pc *pc = ud;
    return vpeer_pc_connected(pc) ? vpeer_pc_send(pc, buf, len, cap, rtcp)
                                  : VECHE_ESTATE;
}

void vpeer_misbehave_media(vpeer_report *r, vpeer_pc *pub, vpeer_pc *sub,
                           const uint32_t *videos, int n_videos,
                           const char *ice_addresses)
{
    GPtrArray *all = g_ptr_array_new();
    vpeer_pc *pcs[2] = { pub, sub };
    for (int i = 0; i < 2; i++)
        for (const char *const *p = pcs[i] ? vpeer_pc_remote_candidates(pcs[i])
                                           : NULL; p && *p; p++)
            g_ptr_array_add(all, (gpointer)*p);
    g_ptr_array_add(all, NULL);
    int n = vpeer_misbehave_udp(r, (const char *const *)all->pdata,
                                ice_addresses);
    g_ptr_array_unref(all);
    int junk_pub = pub ? vpeer_misbehave_srtp(r, "srtp-junk-publish",
                                              junk_send, pub, NULL, 0, true)
                       : 0;
    int junk_sub = sub ? vpeer_misbehave_srtp(r, "srtp-junk-subscribe",
                                              junk_send, sub, videos,
                                              n_videos, false)
                       : 0;
    vpeer_report_event(r, "garbage-sent",
                       json_pack("{s:i, s:i, s:i, s:i}", "datagrams", n,
                                 "junk_publish", junk_pub, "junk_subscribe",
                                 junk_sub, "videos", n_videos));
}
