/* misbehave.c - the --misbehave script (see misbehave.h): a table of bad
 * signalling messages with the error each must draw, and garbage datagrams
 * for the server's ICE ports.
 *
 * Does not: send UDP anywhere but 127.0.0.1 and the --ice-address list, or
 * judge the server beyond the error codes and the close; whether the room
 * survived is judged by the other peers' reports.
 */
#include "misbehave.h"

#include <string.h>
#include <gio/gio.h>

#include "peer_sdp.h"

#define STEP_TIMEOUT_MS 5000
#define BIG_MESSAGE (100 * 1024)

typedef enum { BUILD_BAD_JSON, BUILD_UNKNOWN, BUILD_BAD_SDP, BUILD_BIG } build;

typedef struct {
    const char *name;         /* check name */
    build what;
    const char *expect;       /* error code */
    bool expect_close;
} step;

static const step STEPS[] = {
    { "bad-json", BUILD_BAD_JSON, "bad-json", false },
    { "unknown-type", BUILD_UNKNOWN, "unknown-type", false },
    { "bad-sdp", BUILD_BAD_SDP, "bad-sdp", false },
    { "too-large", BUILD_BIG, "too-large", true },
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

static char *build_message(build what)
{
    switch (what) {
    case BUILD_BAD_JSON:
        return g_strdup("{\"type\": \"join\", this is not json");
    case BUILD_UNKNOWN:
        return g_strdup("{\"type\":\"no-such-type\",\"id\":\"mb-unknown\"}");
    case BUILD_BAD_SDP:
        return g_strdup("{\"type\":\"publish\",\"id\":\"mb-sdp\","
                        "\"sdp\":\"v=0\\r\\nthis is not sdp\\r\\n\"}");
    case BUILD_BIG: {
        GString *s = g_string_new("{\"type\":\"ping\",\"id\":\"mb-big\","
                                  "\"pad\":\"");
        while (s->len < BIG_MESSAGE)
            g_string_append_c(s, 'x');
        g_string_append(s, "\"}");
        return g_string_free(s, FALSE);
    }
    }
    return NULL;
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
                           "no error within 5 s");
    if (st->expect_close)
        vpeer_report_check(m->report, "too-large-close", false,
                           "connection not closed within 5 s");
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
    char *text = build_message(st->what);
    int rc = m->hooks.send_text(m->ud, text);
    g_free(text);
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
