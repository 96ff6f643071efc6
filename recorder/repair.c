/* repair.c - remux a crashed part into a finalized one (repair.h). */
#include "repair.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <stdbool.h>
#include <string.h>

typedef struct {
    int64_t part;
    char *path, *tmp;
    veche_rec_repaired_fn done;
    void *ud;
    GstElement *pipeline, *mux;
    guint bus_watch;
    guint64 frames;
    GstClockTime last_pts;
} job;

static GstPadProbeReturn count_frames(GstPad *pad, GstPadProbeInfo *info, gpointer ud)
{
    job *j = ud;
    (void)pad;
    GstBuffer *b = GST_PAD_PROBE_INFO_BUFFER(info);
    j->frames++;
    if (GST_BUFFER_PTS_IS_VALID(b) &&
        (j->last_pts == GST_CLOCK_TIME_NONE || GST_BUFFER_PTS(b) > j->last_pts))
        j->last_pts = GST_BUFFER_PTS(b);
    return GST_PAD_PROBE_OK;
}

/* The demuxer adds all its pads from the header, before any data. */
static void demux_pad(GstElement *demux, GstPad *pad, gpointer ud)
{
    job *j = ud;
    (void)demux;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    const char *name = gst_structure_get_name(gst_caps_get_structure(caps, 0));
    bool video = g_str_has_prefix(name, "video/");
    gst_caps_unref(caps);
    GstPad *mp = gst_element_request_pad_simple(j->mux, video ? "video_%u" : "audio_%u");
    if (mp) {
        /* a queue per stream: the muxer waits for every stream, and all
         * come from the demuxer's one thread */
        GstElement *q = gst_element_factory_make("queue", NULL);
        g_object_set(q, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
                     (guint64)10 * GST_SECOND, NULL);
        gst_bin_add(GST_BIN(j->pipeline), q);
        GstPad *qsink = gst_element_get_static_pad(q, "sink");
        GstPad *qsrc = gst_element_get_static_pad(q, "src");
        gst_pad_link(qsrc, mp);
        gst_element_sync_state_with_parent(q);
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, count_frames, j, NULL);
        gst_pad_link(pad, qsink);
        gst_object_unref(qsink);
        gst_object_unref(qsrc);
        gst_object_unref(mp);
    }
}

static int64_t file_size(const char *path)
{
    GStatBuf st;
    return g_stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

static void job_end(job *j, bool remux_ok)
{
    gst_element_set_state(j->pipeline, GST_STATE_NULL);
    int ok = j->frames > 0;
    if (ok && remux_ok && g_rename(j->tmp, j->path) != 0)
        remux_ok = false;
    if (!remux_ok)
        g_unlink(j->tmp);
    int64_t dur = j->last_pts != GST_CLOCK_TIME_NONE ? (int64_t)(j->last_pts / GST_MSECOND) : 0;
    j->done(j->ud, j->part, ok, file_size(j->path), dur);
    g_source_remove(j->bus_watch);
    gst_object_unref(j->pipeline);
    g_free(j->path);
    g_free(j->tmp);
    g_free(j);
}

static gboolean on_bus(GstBus *bus, GstMessage *msg, gpointer ud)
{
    (void)bus;
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS)
        job_end(ud, true);
    else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR)
        job_end(ud, false);
    else
        return G_SOURCE_CONTINUE;
    return G_SOURCE_REMOVE;
}

static gboolean fail_later(gpointer ud)
{
    job *j = ud;
    j->done(j->ud, j->part, 0, file_size(j->path), 0);
    gst_object_unref(j->pipeline);
    g_free(j->path);
    g_free(j->tmp);
    g_free(j);
    return G_SOURCE_REMOVE;
}

void veche_rec_repair_start(int64_t part, const char *path, veche_rec_repaired_fn done,
                            void *ud)
{
    job *j = g_new0(job, 1);
    j->part = part;
    j->path = g_strdup(path);
    j->tmp = g_strconcat(path, ".repair", NULL);
    j->done = done;
    j->ud = ud;
    j->last_pts = GST_CLOCK_TIME_NONE;
    j->pipeline = gst_pipeline_new(NULL);
    GstElement *src = gst_element_factory_make("filesrc", NULL);
    GstElement *demux = gst_element_factory_make("matroskademux", NULL);
    j->mux = gst_element_factory_make("matroskamux", NULL);
    GstElement *sink = gst_element_factory_make("filesink", NULL);
    if (!src || !demux || !j->mux || !sink || !g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        gst_clear_object(&src);
        gst_clear_object(&demux);
        gst_clear_object(&j->mux);
        gst_clear_object(&sink);
        g_idle_add(fail_later, j);
        return;
    }
    g_object_set(src, "location", path, NULL);
    g_object_set(sink, "location", j->tmp, NULL);
    gst_bin_add_many(GST_BIN(j->pipeline), src, demux, j->mux, sink, NULL);
    gst_element_link(src, demux);
    gst_element_link(j->mux, sink);
    g_signal_connect(demux, "pad-added", G_CALLBACK(demux_pad), j);
    GstBus *bus = gst_pipeline_get_bus(GST_PIPELINE(j->pipeline));
    j->bus_watch = gst_bus_add_watch(bus, on_bus, j);
    gst_object_unref(bus);
    if (gst_element_set_state(j->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        g_source_remove(j->bus_watch);
        g_idle_add(fail_later, j);
    }
}
