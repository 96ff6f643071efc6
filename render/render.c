/* render.c - veche-render: turns the archival parts of a session
 * (docs/recording.md) into the lesson a learner watches: one WebM file
 * (VP8 + Opus) and its chapters as WebVTT.
 *
 *   veche-render [options] --out L.webm --vtt L.vtt part-1.mkv [part-2.mkv ...]
 *
 * Each part's sidecar is the same path with .jsonl.  The parts follow each
 * other on the lesson's timeline (the gaps between them are left out).
 *
 * Pipeline (one for the whole lesson):
 *
 *   filesrc ! matroskademux -+- video_N ! queue ! vp8dec --> compositor ! vp8enc --+
 *     (one per part)         +- audio_N ! queue ! opusdec ! audioconvert           |
 *                                         ! audioresample --> audiomixer ! opusenc +-> webmmux
 *   videotestsrc (black) and audiotestsrc (silence) of the lesson's length   ! filesink
 *   set the length and fill what no part covers.
 *
 * The picture follows layout.h: each video track is a compositor pad whose
 * position, size and alpha are driven by GstController step curves built
 * from the marks, shifted to the part's place (pad offsets).  matroskademux
 * sends GAP events for a track that pauses (a screen share that stopped),
 * so the aggregators do not wait for it.
 *
 * Runs at low priority: nice 19 by default (--priority low), so meetings on
 * the same machine come first but a busy machine still lets it progress;
 * --priority idle adds SCHED_IDLE (only spare CPU: on a machine that is
 * never idle it may wait indefinitely); --priority normal for benchmarks.
 * Threads inherit it.  Encodes with vp8enc's realtime deadline, one
 * encoder thread.  Progress goes to stdout as "progress F" lines
 * (0..1), then "done DURATION_MS".  The output is written to OUT.part and
 * renamed when complete, so a crash never leaves a half file under the
 * final name.  Exit 0 on success, 1 with a reason on stderr otherwise.
 */
#include <errno.h>
#include <gst/controller/controller.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "chapters.h"
#include "layout.h"
#include "sidecar.h"

#define MAX_PARTS 64
#define MIN_LAYOUT_MS 1500

typedef struct {
    char *mkv;
    veche_sidecar *sc;
    int64_t offset_ms;
    int64_t duration_ms;
    GstElement *demux;
    /* branch sink pads by demuxer pad name, "video_0" -> track number */
    int video_tracks[VECHE_SIDECAR_MAX_TRACKS];
    size_t nvideo, naudio;
    GstElement *vqueue[VECHE_SIDECAR_MAX_TRACKS];
    GstElement *aqueue[VECHE_SIDECAR_MAX_TRACKS];
} part;

typedef struct {
    int width, height, fps, kbps;
    int priority;                 /* 0 normal, 1 low (nice 19), 2 idle */
    const char *out, *vtt;
    part parts[MAX_PARTS];
    size_t nparts;
    int64_t total_ms;
    GstElement *pipeline, *comp, *mixer, *sink;
    GMainLoop *loop;
    bool failed;
} render;

static void die(const char *what)
{
    fprintf(stderr, "veche-render: %s\n", what);
    exit(1);
}

static void lower_priority(bool idle)
{
    if (setpriority(PRIO_PROCESS, 0, 19) != 0)
        fprintf(stderr, "veche-render: setpriority: %s\n", strerror(errno));
    struct sched_param sp = {0};
    if (idle && sched_setscheduler(0, SCHED_IDLE, &sp) != 0)
        fprintf(stderr, "veche-render: SCHED_IDLE: %s\n", strerror(errno));
}

static char *sidecar_path(const char *mkv)
{
    size_t n = strlen(mkv);
    if (n > 4 && strcmp(mkv + n - 4, ".mkv") == 0)
        return g_strdup_printf("%.*s.jsonl", (int)(n - 4), mkv);
    return g_strdup_printf("%s.jsonl", mkv);
}

/* The file's duration (a part cut by a crash has no end line). */
static int64_t discover_ms(const char *path)
{
    GError *err = NULL;
    GstDiscoverer *d = gst_discoverer_new(30 * GST_SECOND, &err);
    if (!d)
        return -1;
    char *abs = g_canonicalize_filename(path, NULL);
    char *uri = g_filename_to_uri(abs, NULL, NULL);
    GstDiscovererInfo *info = gst_discoverer_discover_uri(d, uri, &err);
    int64_t ms = info ? (int64_t)(gst_discoverer_info_get_duration(info) / GST_MSECOND) : -1;
    if (info)
        g_object_unref(info);
    g_clear_error(&err);
    g_free(uri);
    g_free(abs);
    g_object_unref(d);
    return ms;
}

static void load_part(render *r, const char *mkv)
{
    if (r->nparts == MAX_PARTS)
        die("too many parts");
    part *p = &r->parts[r->nparts];
    p->mkv = g_strdup(mkv);
    char *scp = sidecar_path(mkv), *text = NULL;
    gsize len = 0;
    char err[160];
    if (!g_file_get_contents(scp, &text, &len, NULL))
        die("cannot read a sidecar");
    if (veche_sidecar_parse(text, len, &p->sc, err, sizeof err) != 0) {
        fprintf(stderr, "veche-render: %s: %s\n", scp, err);
        exit(1);
    }
    g_free(text);
    g_free(scp);
    p->duration_ms = p->sc->end_ms > 0 ? p->sc->end_ms : discover_ms(mkv);
    if (p->duration_ms <= 0)
        die("a part has no duration");
    p->offset_ms = r->total_ms;
    r->total_ms += p->duration_ms;
    r->nparts++;
}

static GstElement *make(const char *factory)
{
    GstElement *e = gst_element_factory_make(factory, NULL);
    if (!e) {
        fprintf(stderr, "veche-render: no GStreamer element %s\n", factory);
        exit(1);
    }
    return e;
}

static GstElement *caps_filter(const char *caps)
{
    GstElement *f = make("capsfilter");
    GstCaps *c = gst_caps_from_string(caps);
    g_object_set(f, "caps", c, NULL);
    gst_caps_unref(c);
    return f;
}

/* A step curve on property prop of pad: value v[i] from time t[i] on. */
static void control(GstPad *pad, const char *prop, const GstClockTime *t, const double *v,
                    size_t n, bool absolute)
{
    GstControlSource *cs = gst_interpolation_control_source_new();
    g_object_set(cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
    for (size_t i = 0; i < n; i++)
        gst_timed_value_control_source_set(GST_TIMED_VALUE_CONTROL_SOURCE(cs), t[i], v[i]);
    GstControlBinding *b = absolute
        ? gst_direct_control_binding_new_absolute(GST_OBJECT(pad), prop, cs)
        : gst_direct_control_binding_new(GST_OBJECT(pad), prop, cs);
    gst_object_add_control_binding(GST_OBJECT(pad), b);
    gst_object_unref(cs);
}

/* Where track goes in each layout segment: full frame, inset or hidden. */
static void drive_pad(render *r, part *p, GstPad *pad, int track, const veche_layout_seg *segs,
                      int nsegs)
{
    GstClockTime *t = g_new(GstClockTime, nsegs);
    double *x = g_new(double, nsegs), *y = g_new(double, nsegs), *w = g_new(double, nsegs),
           *h = g_new(double, nsegs), *a = g_new(double, nsegs), *z = g_new(double, nsegs);
    int iw = r->width / 4, ih = r->height / 4, margin = r->width / 64;
    for (int i = 0; i < nsegs; i++) {
        /* Control times are the pad's running time, before its offset. */
        t[i] = (GstClockTime)(p->offset_ms + segs[i].t_ms) * GST_MSECOND;
        bool is_main = segs[i].main_track == track, is_inset = segs[i].inset_track == track;
        x[i] = is_inset ? r->width - iw - margin : 0;
        y[i] = is_inset ? r->height - ih - margin : 0;
        w[i] = is_inset ? iw : r->width;
        h[i] = is_inset ? ih : r->height;
        a[i] = is_main || is_inset ? 1.0 : 0.0;
        z[i] = is_inset ? 3 : 2;
    }
    control(pad, "xpos", t, x, nsegs, true);
    control(pad, "ypos", t, y, nsegs, true);
    control(pad, "width", t, w, nsegs, true);
    control(pad, "height", t, h, nsegs, true);
    control(pad, "zorder", t, z, nsegs, true);
    control(pad, "alpha", t, a, nsegs, true);
    g_free(t), g_free(x), g_free(y), g_free(w), g_free(h), g_free(a), g_free(z);
}

static GstElement *queue_new(void)
{
    GstElement *q = make("queue");
    g_object_set(q, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
                 (guint64)10 * GST_SECOND, NULL);
    return q;
}

static void add_video_branch(render *r, part *p, int track, const veche_layout_seg *segs,
                             int nsegs)
{
    GstElement *q = queue_new(), *dec = make("vp8dec");
    /* One thread: libvpx's VP8 threads wait for each other by spinning,
     * which on a busy machine burns more CPU than it saves (see
     * docs/performance.md); each track has its own streaming thread anyway. */
    g_object_set(dec, "threads", 1, NULL);
    gst_bin_add_many(GST_BIN(r->pipeline), q, dec, NULL);
    if (!gst_element_link(q, dec))
        die("link vp8dec");
    GstPad *sink = gst_element_request_pad_simple(r->comp, "sink_%u");
    g_object_set(sink, "sizing-policy", 1 /* keep-aspect-ratio */, NULL);
    drive_pad(r, p, sink, track, segs, nsegs);
    GstPad *src = gst_element_get_static_pad(dec, "src");
    /* The compositor shows in an output frame [t, t + 1/fps) the input
     * frame that starts before its end: up to a whole output frame early
     * (40 ms at 25 fps, measured: video 20 ms earlier than in the archival
     * file on average).  Half a frame later makes it the nearest frame,
     * within +-half a frame of its time (tests/integration/recording.py). */
    gst_pad_set_offset(src, (gint64)p->offset_ms * GST_MSECOND +
                                (gint64)(GST_SECOND / (2 * (guint64)r->fps)));
    if (gst_pad_link(src, sink) != GST_PAD_LINK_OK)
        die("link to compositor");
    gst_object_unref(src);
    gst_object_unref(sink);
    p->vqueue[p->nvideo++] = q;
}

static void add_audio_branch(render *r, part *p)
{
    GstElement *q = queue_new(), *dec = make("opusdec"), *conv = make("audioconvert"),
               *res = make("audioresample"),
               *caps = caps_filter("audio/x-raw,format=F32LE,rate=48000,channels=2");
    gst_bin_add_many(GST_BIN(r->pipeline), q, dec, conv, res, caps, NULL);
    if (!gst_element_link_many(q, dec, conv, res, caps, NULL))
        die("link the audio branch");
    GstPad *src = gst_element_get_static_pad(caps, "src");
    GstPad *sink = gst_element_request_pad_simple(r->mixer, "sink_%u");
    gst_pad_set_offset(src, (gint64)p->offset_ms * GST_MSECOND);
    if (gst_pad_link(src, sink) != GST_PAD_LINK_OK)
        die("link to audiomixer");
    gst_object_unref(src);
    gst_object_unref(sink);
    p->aqueue[p->naudio++] = q;
}

/* matroskademux names its pads video_N / audio_N by order of kind. */
static void on_demux_pad(GstElement *demux, GstPad *pad, gpointer ud)
{
    part *p = ud;
    char *name = gst_pad_get_name(pad);
    unsigned idx = 0;
    GstElement *q = NULL;
    if (sscanf(name, "video_%u", &idx) == 1 && idx < p->nvideo)
        q = p->vqueue[idx];
    else if (sscanf(name, "audio_%u", &idx) == 1 && idx < p->naudio)
        q = p->aqueue[idx];
    if (q) {
        GstPad *sink = gst_element_get_static_pad(q, "sink");
        if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
            fprintf(stderr, "veche-render: %s: cannot link %s\n", p->mkv, name);
        gst_object_unref(sink);
    } else {
        fprintf(stderr, "veche-render: %s: pad %s not in the sidecar, ignored\n", p->mkv, name);
    }
    g_free(name);
}

/* A track the sidecar names but the file lacks (a recorder that never got
 * its first keyframe writes the header without it): its branch ends at
 * once, or the compositor / mixer would wait for it for ever. */
static void on_no_more_pads(GstElement *demux, gpointer ud)
{
    part *p = ud;
    (void)demux;
    for (size_t i = 0; i < p->nvideo + p->naudio; i++) {
        GstElement *q = i < p->nvideo ? p->vqueue[i] : p->aqueue[i - p->nvideo];
        GstPad *sink = gst_element_get_static_pad(q, "sink");
        if (!gst_pad_is_linked(sink)) {
            fprintf(stderr, "veche-render: %s: a %s track of the sidecar is not in the file;"
                    " left out\n", p->mkv, i < p->nvideo ? "video" : "audio");
            GstSegment seg;
            gst_segment_init(&seg, GST_FORMAT_TIME);
            gst_pad_send_event(sink, gst_event_new_stream_start("veche-render-missing"));
            gst_pad_send_event(sink, gst_event_new_segment(&seg));
            gst_pad_send_event(sink, gst_event_new_eos());
        }
        gst_object_unref(sink);
    }
}

static void add_part(render *r, part *p)
{
    GstElement *src = make("filesrc");
    p->demux = make("matroskademux");
    g_object_set(src, "location", p->mkv, NULL);
    gst_bin_add_many(GST_BIN(r->pipeline), src, p->demux, NULL);
    if (!gst_element_link(src, p->demux))
        die("link matroskademux");
    size_t cap = p->sc->nmarks + 1;
    veche_layout_seg *segs = g_new(veche_layout_seg, cap);
    int nsegs = veche_layout_build(p->sc, p->duration_ms, MIN_LAYOUT_MS, segs, cap);
    if (nsegs < 1)
        die("layout");
    /* The sidecar lists tracks in Matroska order. */
    for (size_t i = 0; i < p->sc->ntracks; i++) {
        const veche_sidecar_track *t = &p->sc->tracks[i];
        if (t->kind == VECHE_TRACK_AUDIO)
            add_audio_branch(r, p);
        else
            add_video_branch(r, p, t->number, segs, nsegs);
    }
    g_free(segs);
    g_signal_connect(p->demux, "pad-added", G_CALLBACK(on_demux_pad), p);
    g_signal_connect(p->demux, "no-more-pads", G_CALLBACK(on_no_more_pads), p);
}

/* Black picture and silence for the whole lesson: they set its length. */
static void add_background(render *r)
{
    GstElement *v = make("videotestsrc"), *a = make("audiotestsrc");
    char *vcaps = g_strdup_printf("video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1",
                                  r->width, r->height, r->fps);
    GstElement *vf = caps_filter(vcaps), *af =
        caps_filter("audio/x-raw,format=F32LE,rate=48000,channels=2");
    g_free(vcaps);
    int64_t frames = (r->total_ms * r->fps + 999) / 1000;
    int64_t blocks = (r->total_ms + 19) / 20;
    g_object_set(v, "pattern", 2 /* black */, "num-buffers", (int)frames, NULL);
    g_object_set(a, "wave", 4 /* silence */, "samplesperbuffer", 960, "num-buffers", (int)blocks,
                 NULL);
    gst_bin_add_many(GST_BIN(r->pipeline), v, vf, a, af, NULL);
    if (!gst_element_link(v, vf) || !gst_element_link(a, af))
        die("link the background");
    GstPad *vs = gst_element_get_static_pad(vf, "src"), *as = gst_element_get_static_pad(af, "src");
    GstPad *cs = gst_element_request_pad_simple(r->comp, "sink_%u");
    GstPad *ms = gst_element_request_pad_simple(r->mixer, "sink_%u");
    g_object_set(cs, "zorder", 0, NULL);
    if (gst_pad_link(vs, cs) != GST_PAD_LINK_OK || gst_pad_link(as, ms) != GST_PAD_LINK_OK)
        die("link the background to the mixers");
    gst_object_unref(vs), gst_object_unref(as), gst_object_unref(cs), gst_object_unref(ms);
}

static void build(render *r)
{
    r->pipeline = gst_pipeline_new("lesson");
    r->comp = make("compositor");
    r->mixer = make("audiomixer");
    /* A voice whose timestamps jump (likely the recorder's rtpbin
     * lip-syncing a stream once its first sender report comes) is put
     * back in place at once, not after the default second of audio off by
     * the jump (measured: the first beeps 245 ms late, docs/performance.md). */
    g_object_set(r->mixer, "discont-wait", (guint64)0, NULL);
    char *vcaps = g_strdup_printf("video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1",
                                  r->width, r->height, r->fps);
    GstElement *vcf = caps_filter(vcaps), *venc = make("vp8enc"), *vq = make("queue");
    g_free(vcaps);
    /* threads 1: libvpx's VP8 encoder threads synchronise rows by spinning
     * (sched_yield loops); on a shared 2-core machine that spinning cost
     * 20x the encoding itself (docs/performance.md "Rendering a lesson").
     * One thread gives the same picture; the decoders, compositor and
     * encoder still run in parallel on their own streaming threads. */
    g_object_set(venc, "deadline", (gint64)1, "cpu-used", 16, "threads", 1,
                 "token-partitions", 1 /* 2 partitions */, "lag-in-frames", 0,
                 "end-usage", 1 /* cbr */, "target-bitrate", r->kbps * 1000,
                 "keyframe-max-dist", r->fps * 4, "static-threshold", 100, NULL);
    GstElement *aconv = make("audioconvert"), *aenc = make("opusenc"), *aq = make("queue");
    g_object_set(aenc, "bitrate", 64000, NULL);
    /* Matroska version 1 (BlockGroups, no SimpleBlocks): Chromium's
     * FFmpegDemuxer fails its first seek ("demuxer seek failed") in a
     * version 2 VP8 + Opus file from GStreamer 1.22's webmmux, and plays a
     * version 1 one (tests/browser/lessons.test.mjs). */
    GstElement *mux = make("webmmux");
    g_object_set(mux, "version", 1, NULL);
    r->sink = make("filesink");
    char *tmp = g_strdup_printf("%s.part", r->out);
    g_object_set(r->sink, "location", tmp, NULL);
    g_free(tmp);
    gst_bin_add_many(GST_BIN(r->pipeline), r->comp, vcf, venc, vq, r->mixer, aconv, aenc, aq,
                     mux, r->sink, NULL);
    if (!gst_element_link_many(r->comp, vcf, venc, vq, mux, NULL) ||
        !gst_element_link_many(r->mixer, aconv, aenc, aq, mux, NULL) ||
        !gst_element_link(mux, r->sink))
        die("link the encoders");
    add_background(r);
    for (size_t i = 0; i < r->nparts; i++)
        add_part(r, &r->parts[i]);
}

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer ud)
{
    render *r = ud;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gchar *dbg = NULL;
        gst_message_parse_error(msg, &err, &dbg);
        fprintf(stderr, "veche-render: %s: %s (%s)\n", GST_OBJECT_NAME(msg->src), err->message,
                dbg ? dbg : "");
        g_error_free(err);
        g_free(dbg);
        r->failed = true;
        g_main_loop_quit(r->loop);
    } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS) {
        g_main_loop_quit(r->loop);
    }
    return TRUE;
}

static gboolean on_tick(gpointer ud)
{
    render *r = ud;
    gint64 pos = 0;
    if (gst_element_query_position(r->comp, GST_FORMAT_TIME, &pos) && pos > 0) {
        double f = (double)pos / ((double)r->total_ms * GST_MSECOND);
        printf("progress %.3f\n", f > 1 ? 1.0 : f);
        fflush(stdout);
    }
    return G_SOURCE_CONTINUE;
}

static void usage(void)
{
    fprintf(stderr, "usage: veche-render [--width W] [--height H] [--fps F] [--kbps K]\n"
                    "                    [--priority low|idle|normal] --out L.webm --vtt L.vtt\n"
                    "                    part-1.mkv [part-2.mkv ...]\n");
    exit(2);
}

static void write_vtt(render *r)
{
    veche_chapters *c = veche_chapters_new();
    for (size_t i = 0; i < r->nparts; i++)
        veche_chapters_add_part(c, r->parts[i].sc, r->parts[i].offset_ms,
                                r->parts[i].duration_ms);
    char *vtt = veche_chapters_vtt(c, r->total_ms);
    GError *err = NULL;
    if (!g_file_set_contents(r->vtt, vtt, -1, &err))
        die(err->message);
    free(vtt);
    veche_chapters_free(c);
}

int main(int argc, char **argv)
{
    render r = {.width = 1280, .height = 720, .fps = 25, .kbps = 1500, .priority = 1};
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc)
            usage();
        const char *o = argv[i] + 2, *v = argv[i + 1];
        if (strcmp(o, "out") == 0) r.out = v;
        else if (strcmp(o, "vtt") == 0) r.vtt = v;
        else if (strcmp(o, "width") == 0) r.width = atoi(v);
        else if (strcmp(o, "height") == 0) r.height = atoi(v);
        else if (strcmp(o, "fps") == 0) r.fps = atoi(v);
        else if (strcmp(o, "kbps") == 0) r.kbps = atoi(v);
        else if (strcmp(o, "priority") == 0)
            r.priority = !strcmp(v, "normal") ? 0 : !strcmp(v, "idle") ? 2 : 1;
        else usage();
    }
    if (!r.out || !r.vtt || i >= argc || r.width < 16 || r.height < 16 || r.width > 3840 ||
        r.height > 2160 || r.fps < 1 || r.fps > 60 || r.kbps < 50 || r.kbps > 20000)
        usage();
    if (r.priority > 0)
        lower_priority(r.priority == 2);
    gst_init(NULL, NULL);
    for (; i < argc; i++)
        load_part(&r, argv[i]);
    build(&r);
    r.loop = g_main_loop_new(NULL, FALSE);
    GstBus *bus = gst_element_get_bus(r.pipeline);
    gst_bus_add_watch(bus, on_bus, &r);
    gst_object_unref(bus);
    g_timeout_add(500, on_tick, &r);
    if (gst_element_set_state(r.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        die("the pipeline does not start");
    g_main_loop_run(r.loop);
    gst_element_set_state(r.pipeline, GST_STATE_NULL);
    gst_object_unref(r.pipeline);
    g_main_loop_unref(r.loop);
    char *tmp = g_strdup_printf("%s.part", r.out);
    if (r.failed) {
        remove(tmp);
        die("rendering failed");
    }
    write_vtt(&r);
    if (rename(tmp, r.out) != 0)
        die("cannot rename the output");
    g_free(tmp);
    printf("progress 1.000\ndone %lld\n", (long long)r.total_ms);
    for (size_t k = 0; k < r.nparts; k++) {
        veche_sidecar_free(r.parts[k].sc);
        g_free(r.parts[k].mkv);
    }
    return 0;
}
