/* rectap.c - the room's tap towards the recorder (rectap.h). */
#include "rectap.h"

#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "rtp.h"
#include "sfu.h"
#include "vp8.h"

#define MAX_REC_TRACKS 16

struct veche_rectap {
    int fd;
    struct sockaddr_storage rtp, rtcp;
    socklen_t addr_len;
    uint64_t sent, dropped;
    /* Video tracks whose first key frame has not been forwarded yet: the
     * part can begin only with one, and a browser sends one only when
     * asked (it may drop a request that comes within ~300 ms of its last
     * key frame, e.g. one a new subscriber asked for): asked again every
     * 500 ms (veche_track_request_keyframe's interval) until it comes. */
    uint32_t wait_key[MAX_REC_TRACKS];
    unsigned n_wait;
};

static int make_addr(const char *addr, uint16_t port, struct sockaddr_storage *out,
                     socklen_t *len)
{
    GInetAddress *ia = g_inet_address_new_from_string(addr);
    if (!ia || port == 0) {
        g_clear_object(&ia);
        return VECHE_EINVAL;
    }
    GSocketAddress *sa = g_inet_socket_address_new(ia, port);
    g_object_unref(ia);
    gssize n = g_socket_address_get_native_size(sa);
    int rc = n > 0 && g_socket_address_to_native(sa, out, sizeof *out, NULL) ? 0 : VECHE_EINVAL;
    *len = (socklen_t)n;
    g_object_unref(sa);
    return rc;
}

static bool recordable(const veche_track *t)
{
    return !g_ascii_strcasecmp(t->codec.name, "VP8") ||
           !g_ascii_strcasecmp(t->codec.name, "opus");
}

static void add_track(veche_sfu_event *ev, veche_participant *p, veche_track *t)
{
    veche_sfu_rec_track *rt = &ev->rec_tracks[ev->n_rec_tracks++];
    g_strlcpy(rt->participant, p->id, sizeof rt->participant);
    rt->name = g_strdup(p->name);
    rt->role = p->role;
    g_strlcpy(rt->track, t->id, sizeof rt->track);
    g_strlcpy(rt->source, t->source, sizeof rt->source);
    rt->kind = t->codec.kind;
    rt->ssrc = t->ssrc;
    rt->pt = t->codec.kind == VECHE_SDP_VIDEO ? VECHE_SUB_PT_VP8 : VECHE_SUB_PT_OPUS;
}

static void mark_tracks(veche_room *room, veche_sfu_event *ev)
{
    unsigned n = 0;
    for (guint i = 0; i < room->participants->len; i++)
        n += ((veche_participant *)g_ptr_array_index(room->participants, i))->tracks->len;
    ev->rec_tracks = g_new0(veche_sfu_rec_track, n ? n : 1);
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        for (guint j = 0; j < p->tracks->len; j++) {
            veche_track *t = g_ptr_array_index(p->tracks, j);
            t->recorded = recordable(t) && ev->n_rec_tracks < MAX_REC_TRACKS;
            if (!t->recorded)
                continue;
            add_track(ev, p, t);
            /* The part can begin only with a keyframe, and a browser sends
             * one only when asked: ask now even when a subscriber asked
             * within the last 500 ms (the request interval would drop it,
             * and the recording would have no picture at all). */
            if (t->codec.kind == VECHE_SDP_VIDEO) {
                t->last_keyframe_request_ms = 0;
                veche_track_request_keyframe(t, false);
                room->rectap->wait_key[room->rectap->n_wait++] = t->ssrc;
            }
        }
    }
}

int veche_rectap_start(veche_room *room, const char *addr, uint16_t rtp_port,
                       uint16_t rtcp_port, veche_sfu_event *ev)
{
    veche_rectap *tap = g_new0(veche_rectap, 1);
    socklen_t len2;
    if (make_addr(addr, rtp_port, &tap->rtp, &tap->addr_len) != 0 ||
        make_addr(addr, rtcp_port, &tap->rtcp, &len2) != 0) {
        g_free(tap);
        return VECHE_EINVAL;
    }
    tap->fd = socket(tap->rtp.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (tap->fd < 0) {
        g_free(tap);
        return VECHE_EIO;
    }
    int sndbuf = 1 << 20;
    setsockopt(tap->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    veche_rectap_stop(room);
    room->rectap = tap;
    mark_tracks(room, ev);
    VLOG_INFO(room->id, NULL, "recording: %u tracks to %s:%u/%u", ev->n_rec_tracks, addr,
              rtp_port, rtcp_port);
    return 0;
}

void veche_rectap_stop(veche_room *room)
{
    if (!room->rectap)
        return;
    for (guint i = 0; i < room->participants->len; i++) {
        veche_participant *p = g_ptr_array_index(room->participants, i);
        for (guint j = 0; j < p->tracks->len; j++)
            ((veche_track *)g_ptr_array_index(p->tracks, j))->recorded = false;
    }
    VLOG_INFO(room->id, NULL, "recording tap stopped: %" G_GUINT64_FORMAT " packets sent, %"
              G_GUINT64_FORMAT " dropped", room->rectap->sent, room->rectap->dropped);
    veche_rectap_free(room->rectap);
    room->rectap = NULL;
}

void veche_rectap_free(veche_rectap *tap)
{
    if (!tap)
        return;
    close(tap->fd);
    g_free(tap);
}

static void send_to(veche_rectap *tap, const void *buf, size_t len,
                    const struct sockaddr_storage *to)
{
    if (sendto(tap->fd, buf, len, 0, (const struct sockaddr *)to, tap->addr_len) < 0)
        tap->dropped++;
    else
        tap->sent++;
}

/* Still waiting for t's first key frame: is this it?  If not, ask again
 * (rate-limited by veche_track_request_keyframe). */
static void watch_keyframe(veche_rectap *tap, veche_track *t, const uint8_t *pkt, size_t len)
{
    for (unsigned i = 0; i < tap->n_wait; i++) {
        if (tap->wait_key[i] != t->ssrc)
            continue;
        veche_rtp_view v;
        veche_vp8_descriptor d;
        if (veche_rtp_parse(pkt, len, &v, NULL) == 0 && v.payload_len > 0 &&
            veche_vp8_parse(v.payload, v.payload_len, &d, NULL) == 0 && d.keyframe)
            tap->wait_key[i] = tap->wait_key[--tap->n_wait];
        else
            veche_track_request_keyframe(t, false);
        return;
    }
}

void veche_rectap_rtp(veche_rectap *tap, veche_track *t, const uint8_t *pkt, size_t len)
{
    if (tap->n_wait && t->codec.kind == VECHE_SDP_VIDEO)
        watch_keyframe(tap, t, pkt, len);
    uint8_t out[VECHE_RTP_MAX_PACKET];
    if (len < 12 || len > sizeof out)
        return;
    memcpy(out, pkt, len);
    uint8_t pt = t->codec.kind == VECHE_SDP_VIDEO ? VECHE_SUB_PT_VP8 : VECHE_SUB_PT_OPUS;
    out[1] = (uint8_t)((out[1] & 0x80) | pt);
    send_to(tap, out, len, &tap->rtp);
}

void veche_rectap_rtcp(veche_rectap *tap, const veche_participant *pub, const uint8_t *pkt,
                       size_t len)
{
    for (guint j = 0; j < pub->tracks->len; j++)
        if (((const veche_track *)g_ptr_array_index(pub->tracks, j))->recorded) {
            send_to(tap, pkt, len, &tap->rtcp);
            return;
        }
}
