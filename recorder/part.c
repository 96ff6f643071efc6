/* part.c - one archival part: pipeline, sockets, sidecar (part.h). */
#include "part.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "sidecar.h"

#define RTP_LATENCY_MS 400        /* room for the worker's NACK repairs */
#define CLUSTER_NS GST_SECOND     /* a cluster at least every second */
#define SOCKET_BUFFER (4 * 1024 * 1024)

typedef enum { PART_OPEN, PART_RECORDING, PART_CLOSING, PART_CLOSED } part_state;

typedef struct {
    uint32_t ssrc;
    uint8_t pt;
    bool video;
    GstPad *mux_pad;              /* requested at start, in track order */
    bool linked;
} part_track;

struct veche_rec_part {
    /* passed by argument */
    int64_t id;
    veche_rec_closed_fn closed;
    void *ud;
    int64_t min_free_mb;
    /* allocated by this */
    char *path;
    GSocket *rtp, *rtcp;
    veche_rec_sidecar *sidecar;
    json_t *header;
    GstElement *pipeline, *mux;
    guint bus_watch, close_timer;
    part_track tracks[VECHE_REC_MAX_TRACKS];
    unsigned n_tracks;
    part_state state;
    int64_t t0_ms, stop_us, stop_wall_ms, closed_us;
    char *end_why;
};

static GSocket *bind_udp(const char *addr, char *reason, size_t size)
{
    GError *e = NULL;
    GInetAddress *ia = g_inet_address_new_from_string(addr);
    if (!ia) {
        g_snprintf(reason, size, "bad bind address %s", addr);
        return NULL;
    }
    GSocket *s = g_socket_new(g_inet_address_get_family(ia), G_SOCKET_TYPE_DATAGRAM,
                              G_SOCKET_PROTOCOL_UDP, &e);
    GSocketAddress *sa = g_inet_socket_address_new(ia, 0);
    g_object_unref(ia);
    if (s && !g_socket_bind(s, sa, FALSE, &e))
        g_clear_object(&s);
    g_object_unref(sa);
    if (!s) {
        g_snprintf(reason, size, "udp socket: %s", e ? e->message : "?");
        g_clear_error(&e);
        return NULL;
    }
    g_socket_set_option(s, SOL_SOCKET, SO_RCVBUF, SOCKET_BUFFER, NULL);
    return s;
}

static unsigned socket_port(GSocket *s)
{
    GSocketAddress *sa = g_socket_get_local_address(s, NULL);
    unsigned port = sa ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(sa)) : 0;
    g_clear_object(&sa);
    return port;
}

veche_rec_part *veche_rec_part_open(const veche_rec_cmd *c, veche_rec_closed_fn closed,
                                    void *ud, char *reason, size_t reason_size)
{
    char *dir = g_path_get_dirname(c->path);
    int rc = g_mkdir_with_parents(dir, 0750);
    g_free(dir);
    if (rc != 0) {
        g_snprintf(reason, reason_size, "cannot create the directory of %s", c->path);
        return NULL;
    }
    veche_rec_part *p = g_new0(veche_rec_part, 1);
    p->id = c->part;
    p->closed = closed;
    p->ud = ud;
    p->min_free_mb = c->min_free_mb;
    p->path = g_strdup(c->path);
    p->header = json_deep_copy(c->header);
    const char *bind = c->bind ? c->bind : "127.0.0.1";
    p->rtp = bind_udp(bind, reason, reason_size);
    p->rtcp = p->rtp ? bind_udp(bind, reason, reason_size) : NULL;
    p->sidecar = p->rtcp ? veche_rec_sidecar_open(c->meta) : NULL;
    if (p->rtcp && !p->sidecar)
        g_snprintf(reason, reason_size, "cannot create %s", c->meta);
    if (!p->sidecar) {
        veche_rec_part_free(p);
        return NULL;
    }
    return p;
}

void veche_rec_part_ports(const veche_rec_part *p, unsigned *rtp, unsigned *rtcp)
{
    *rtp = socket_port(p->rtp);
    *rtcp = socket_port(p->rtcp);
}

/* rtpbin asks for the caps of a payload type: the server's own numbering
 * (the worker rewrites it: VP8 98, Opus 109), given per track. */
static GstCaps *pt_map(GstElement *rtpbin, guint session, guint pt, gpointer ud)
{
    veche_rec_part *p = ud;
    (void)rtpbin, (void)session;
    for (unsigned i = 0; i < p->n_tracks; i++) {
        if (p->tracks[i].pt != pt)
            continue;
        if (p->tracks[i].video)
            return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "video",
                                       "encoding-name", G_TYPE_STRING, "VP8", "clock-rate",
                                       G_TYPE_INT, 90000, "payload", G_TYPE_INT, (int)pt,
                                       NULL);
        return gst_caps_new_simple("application/x-rtp", "media", G_TYPE_STRING, "audio",
                                   "encoding-name", G_TYPE_STRING, "OPUS", "clock-rate",
                                   G_TYPE_INT, 48000, "payload", G_TYPE_INT, (int)pt, NULL);
    }
    return NULL;
}

static part_track *track_by_ssrc(veche_rec_part *p, uint32_t ssrc)
{
    for (unsigned i = 0; i < p->n_tracks; i++)
        if (p->tracks[i].ssrc == ssrc)
            return &p->tracks[i];
    return NULL;
}

/* A stream of rtpbin appeared: depayload it into its track's mux pad.  A
 * stream we were not told about goes to a fakesink. */
static void pad_added(GstElement *rtpbin, GstPad *pad, gpointer ud)
{
    veche_rec_part *p = ud;
    unsigned session, ssrc, pt;
    const char *name = GST_PAD_NAME(pad);
    if (sscanf(name, "recv_rtp_src_%u_%u_%u", &session, &ssrc, &pt) != 3)
        return;
    part_track *t = track_by_ssrc(p, ssrc);
    GstElement *bin = GST_ELEMENT(gst_element_get_parent(rtpbin));
    GstElement *sink;
    if (!t || t->linked) {
        sink = gst_element_factory_make("fakesink", NULL);
        g_object_set(sink, "async", FALSE, "sync", FALSE, NULL);
        gst_bin_add(GST_BIN(bin), sink);
        gst_element_sync_state_with_parent(sink);
        GstPad *sp = gst_element_get_static_pad(sink, "sink");
        gst_pad_link(pad, sp);
        gst_object_unref(sp);
    } else {
        GstElement *depay = gst_element_factory_make(t->video ? "rtpvp8depay" : "rtpopusdepay",
                                                     NULL);
        if (t->video)
            g_object_set(depay, "wait-for-keyframe", TRUE, NULL);
        gst_bin_add(GST_BIN(bin), depay);
        GstElement *last = depay;
        if (!t->video) {
            /* rtpopusdepay leaves the rate out; Matroska needs 48000. */
            GstElement *set = gst_element_factory_make("capssetter", NULL);
            GstCaps *caps = gst_caps_from_string("audio/x-opus,rate=48000,channels=2,"
                                                 "channel-mapping-family=0");
            g_object_set(set, "caps", caps, NULL);
            gst_caps_unref(caps);
            gst_bin_add(GST_BIN(bin), set);
            gst_element_link(depay, set);
            gst_element_sync_state_with_parent(set);
            last = set;
        }
        GstPad *dsrc = gst_element_get_static_pad(last, "src");
        GstPad *dsink = gst_element_get_static_pad(depay, "sink");
        gst_pad_link(dsrc, t->mux_pad);
        gst_element_sync_state_with_parent(depay);
        gst_pad_link(pad, dsink);
        gst_object_unref(dsrc);
        gst_object_unref(dsink);
        t->linked = true;
    }
    gst_object_unref(bin);
}

static void write_end(veche_rec_part *p)
{
    json_t *end = json_pack("{s:s, s:I}", "type", "end", "t_ms",
                            (json_int_t)veche_rec_part_duration_ms(p));
    if (p->end_why)
        json_object_set_new(end, "why", json_string(p->end_why));
    veche_rec_sidecar_append(p->sidecar, end, 1);
    json_decref(end);
}

static void finish(veche_rec_part *p, int ok, const char *reason)
{
    if (p->state == PART_CLOSED)
        return;
    if (p->close_timer)
        g_source_remove(p->close_timer);
    p->close_timer = 0;
    if (p->pipeline)
        gst_element_set_state(p->pipeline, GST_STATE_NULL);
    p->closed_us = g_get_monotonic_time();
    if (p->state != PART_OPEN)
        write_end(p);
    p->state = PART_CLOSED;
    p->closed(p->ud, p, ok, reason);
}

static gboolean close_timeout(gpointer ud)
{
    veche_rec_part *p = ud;
    p->close_timer = 0;
    finish(p, 1, "closed without EOS");
    return G_SOURCE_REMOVE;
}

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer ud)
{
    veche_rec_part *p = ud;
    (void)bus;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
        finish(p, 1, NULL);
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *e = NULL;
        gst_message_parse_error(msg, &e, NULL);
        g_printerr("veche-recorder: part %" G_GINT64_FORMAT ": %s\n", p->id,
                   e ? e->message : "error");
        g_clear_error(&e);
        finish(p, 0, "pipeline error");
    }
    return G_SOURCE_CONTINUE;
}

static GstElement *make_src(GstElement *pipe, GSocket *s, const char *caps)
{
    GstElement *src = gst_element_factory_make("udpsrc", NULL);
    GstCaps *c = gst_caps_from_string(caps);
    g_object_set(src, "socket", s, "close-socket", FALSE, "caps", c, NULL);
    gst_caps_unref(c);
    gst_bin_add(GST_BIN(pipe), src);
    return src;
}

static int build(veche_rec_part *p, char *reason, size_t size)
{
    GstElement *pipe = gst_pipeline_new(NULL);
    GstElement *rtpbin = gst_element_factory_make("rtpbin", NULL);
    GstElement *mux = gst_element_factory_make("matroskamux", NULL);
    GstElement *sink = gst_element_factory_make("filesink", NULL);
    p->pipeline = pipe;
    if (!rtpbin || !mux || !sink) {
        g_snprintf(reason, size, "GStreamer elements missing (rtpbin, matroskamux)");
        gst_clear_object(&rtpbin);
        gst_clear_object(&mux);
        gst_clear_object(&sink);
        return -1;
    }
    g_object_set(rtpbin, "latency", RTP_LATENCY_MS, NULL);
    g_object_set(mux, "streamable", FALSE, "min-cluster-duration", (gint64)(CLUSTER_NS / 2),
                 "max-cluster-duration", (gint64)CLUSTER_NS, NULL);
    g_object_set(sink, "location", p->path, "buffer-mode", 2 /* unbuffered */, "sync",
                 FALSE, "async", FALSE, NULL);
    gst_bin_add_many(GST_BIN(pipe), rtpbin, mux, sink, NULL);
    p->mux = mux;
    if (!gst_element_link(mux, sink)) {
        g_snprintf(reason, size, "cannot link matroskamux to filesink");
        return -1;
    }
    for (unsigned i = 0; i < p->n_tracks; i++) {
        p->tracks[i].mux_pad = gst_element_request_pad_simple(
            mux, p->tracks[i].video ? "video_%u" : "audio_%u");
        if (!p->tracks[i].mux_pad) {
            g_snprintf(reason, size, "matroskamux gave no pad");
            return -1;
        }
    }
    g_signal_connect(rtpbin, "request-pt-map", G_CALLBACK(pt_map), p);
    g_signal_connect(rtpbin, "pad-added", G_CALLBACK(pad_added), p);
    GstElement *rsrc = make_src(pipe, p->rtp, "application/x-rtp");
    GstElement *csrc = make_src(pipe, p->rtcp, "application/x-rtcp");
    if (!gst_element_link_pads(rsrc, "src", rtpbin, "recv_rtp_sink_0") ||
        !gst_element_link_pads(csrc, "src", rtpbin, "recv_rtcp_sink_0")) {
        g_snprintf(reason, size, "cannot link udpsrc to rtpbin");
        return -1;
    }
    GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(pipe));
    p->bus_watch = gst_bus_add_watch(bus, on_bus, p);
    gst_object_unref(bus);
    return 0;
}

int veche_rec_part_start(veche_rec_part *p, const veche_rec_cmd *c, int64_t *t0_ms,
                         char *reason, size_t reason_size)
{
    if (p->state != PART_OPEN) {
        g_snprintf(reason, reason_size, "part already started");
        return -1;
    }
    for (unsigned i = 0; i < c->n_tracks; i++) {
        p->tracks[i].ssrc = c->tracks[i].ssrc;
        p->tracks[i].pt = c->tracks[i].pt;
        p->tracks[i].video = c->tracks[i].video;
    }
    p->n_tracks = c->n_tracks;
    if (build(p, reason, reason_size) != 0)
        return -1;
    if (gst_element_set_state(p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        g_snprintf(reason, reason_size, "the pipeline does not start (%s)", p->path);
        return -1;
    }
    p->t0_ms = g_get_real_time() / 1000;
    p->state = PART_RECORDING;
    *t0_ms = p->t0_ms;
    json_object_set_new(p->header, "type", json_string("header"));
    json_object_set_new(p->header, "version", json_integer(1));
    json_object_set_new(p->header, "t0_ms", json_integer(p->t0_ms));
    int rc = veche_rec_sidecar_append(p->sidecar, p->header, 0);
    for (unsigned i = 0; i < c->n_tracks; i++) {
        json_t *line = json_pack("{s:s, s:i}", "type", "track", "track", (int)i + 1);
        json_object_update_missing(line, c->tracks[i].info);
        rc |= veche_rec_sidecar_append(p->sidecar, line, i + 1 == c->n_tracks);
        json_decref(line);
    }
    if (rc != 0) {
        g_snprintf(reason, reason_size, "cannot write the sidecar");
        return -1;
    }
    return 0;
}

void veche_rec_part_mark(veche_rec_part *p, json_t *mark)
{
    if (p->state != PART_RECORDING)
        return;
    json_t *line = json_pack("{s:s, s:I}", "type", "mark", "t_ms",
                             (json_int_t)(g_get_real_time() / 1000 - p->t0_ms));
    json_object_update_missing(line, mark);
    json_object_del(line, "type");
    json_object_set_new(line, "type", json_string("mark"));
    veche_rec_sidecar_append(p->sidecar, line, 0);
    json_decref(line);
}

void veche_rec_part_stop(veche_rec_part *p, const char *why)
{
    if (p->state == PART_CLOSING || p->state == PART_CLOSED)
        return;
    g_free(p->end_why);
    p->end_why = g_strdup(why);
    p->stop_us = g_get_monotonic_time();
    p->stop_wall_ms = g_get_real_time() / 1000;
    if (p->state == PART_OPEN) {
        finish(p, 1, NULL);
        return;
    }
    p->state = PART_CLOSING;
    /* A track whose stream never came has no EOS coming either. */
    for (unsigned i = 0; i < p->n_tracks; i++)
        if (!p->tracks[i].linked)
            gst_pad_send_event(p->tracks[i].mux_pad, gst_event_new_eos());
    gst_element_send_event(p->pipeline, gst_event_new_eos());
    p->close_timer = g_timeout_add(VECHE_REC_CLOSE_TIMEOUT_MS, close_timeout, p);
}

int64_t veche_rec_part_id(const veche_rec_part *p) { return p->id; }
const char *veche_rec_part_path(const veche_rec_part *p) { return p->path; }
int64_t veche_rec_part_min_free_mb(const veche_rec_part *p) { return p->min_free_mb; }
int veche_rec_part_is_closing(const veche_rec_part *p)
{
    return p->state == PART_CLOSING || p->state == PART_CLOSED;
}

int64_t veche_rec_part_duration_ms(const veche_rec_part *p)
{
    if (!p->t0_ms)
        return 0;
    int64_t end = p->stop_wall_ms ? p->stop_wall_ms : g_get_real_time() / 1000;
    return end - p->t0_ms;
}

int64_t veche_rec_part_close_ms(const veche_rec_part *p)
{
    return p->closed_us && p->stop_us ? (p->closed_us - p->stop_us) / 1000 : 0;
}

void veche_rec_part_free(veche_rec_part *p)
{
    if (!p)
        return;
    if (p->close_timer)
        g_source_remove(p->close_timer);
    if (p->bus_watch)
        g_source_remove(p->bus_watch);
    if (p->pipeline) {
        gst_element_set_state(p->pipeline, GST_STATE_NULL);
        for (unsigned i = 0; i < p->n_tracks; i++)
            if (p->tracks[i].mux_pad) {
                gst_element_release_request_pad(p->mux, p->tracks[i].mux_pad);
                gst_object_unref(p->tracks[i].mux_pad);
            }
        gst_object_unref(p->pipeline);
    }
    g_clear_object(&p->rtp);
    g_clear_object(&p->rtcp);
    veche_rec_sidecar_close(p->sidecar);
    json_decref(p->header);
    g_free(p->end_why);
    g_free(p->path);
    g_free(p);
}
