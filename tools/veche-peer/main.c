/* main.c - veche-peer: a native WebRTC test participant for Veche.
 *
 * Parses options, builds the clip, runs one client through the scenario
 * (join; optionally leave after N s and rejoin M s later, --cycles times;
 * finish after the duration), writes the JSON-lines report (report.h) to stdout or --report
 * FILE and a short human summary to stderr, and exits 0 only when every
 * expectation of report.h holds (1 when one does not, 2 on a usage or
 * set-up error).  `--clip-hash` only prints the clip's SHA-256 (to check
 * that the clip is identical across processes).
 *
 * Does not: contain protocol or media code (client.c and friends do).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib-unix.h>
#include <jansson.h>

#include "client.h"
#include "clip.h"
#include "dtls.h"
#include "log.h"
#include "report.h"
#include "srtp.h"
#include "verify.h"

typedef struct {
    char *url, *room, *name, *report_file, *ice, *log_level;
    int duration, leave_after, rejoin_after, cycles, expect_peers,
        drop_video, drop_send, settle_ms;
    double min_ratio;
    gboolean misbehave, no_publish, clip_hash, trickle_only, rtx, no_nack, send_rtx,
             ssrc_from_offer;
    gint64 ssrc_audio, ssrc_video;
    char *expect_refused;
} options;

typedef struct {
    const options *opt;
    GMainLoop *loop;
    vpeer_client *client;
    vpeer_report *report;
    vpeer_verify *verify;
    bool finishing;
    int64_t end_us;
    int left;                     /* leaves so far (--cycles) */
} scenario;

static int parse_options(int argc, char **argv, options *o)
{
    /* String defaults are filled in after parsing: GOption overwrites a
     * preset string without freeing it. */
    *o = (options){ .duration = 20, .min_ratio = 0.99, .cycles = 1 };
    GOptionEntry entries[] = {
        { "url", 0, 0, G_OPTION_ARG_STRING, &o->url,
          "signalling URL, e.g. wss://127.0.0.1:8443/ws", "URL" },
        { "room", 0, 0, G_OPTION_ARG_STRING, &o->room, "room to join", "R" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, "display name", "N" },
        { "duration", 0, 0, G_OPTION_ARG_INT, &o->duration,
          "seconds to run (default 20)", "SEC" },
        { "settle-ms", 0, 0, G_OPTION_ARG_INT, &o->settle_ms,
          "after the duration, wait MS for repairs of gaps already seen "
          "(newer packets are not counted) before finishing (default 0)", "MS" },
        { "ice-address", 0, 0, G_OPTION_ARG_STRING, &o->ice,
          "comma-separated local addresses for ICE (default 127.0.0.1)",
          "ADDRS" },
        { "leave-after", 0, 0, G_OPTION_ARG_INT, &o->leave_after,
          "leave the room after SEC seconds", "SEC" },
        { "rejoin-after", 0, 0, G_OPTION_ARG_INT, &o->rejoin_after,
          "join again SEC seconds after leaving", "SEC" },
        { "cycles", 0, 0, G_OPTION_ARG_INT, &o->cycles,
          "leave and rejoin N times (each join lasting --leave-after SEC, "
          "default 1)", "N" },
        { "report", 0, 0, G_OPTION_ARG_FILENAME, &o->report_file,
          "write the JSON-lines report to FILE instead of stdout", "FILE" },
        { "expect-peers", 0, 0, G_OPTION_ARG_INT, &o->expect_peers,
          "number of other peers that must deliver media", "N" },
        { "min-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &o->min_ratio,
          "minimum delivered packet ratio (default 0.99)", "R" },
        { "misbehave", 0, 0, G_OPTION_ARG_NONE, &o->misbehave,
          "send bad signalling and garbage UDP first", NULL },
        { "no-publish", 0, 0, G_OPTION_ARG_NONE, &o->no_publish,
          "only subscribe", NULL },
        { "trickle-only", 0, 0, G_OPTION_ARG_NONE, &o->trickle_only,
          "put no candidates in our SDP, trickle them all", NULL },
        { "rtx", 0, 0, G_OPTION_ARG_NONE, &o->rtx,
          "accept RTX (RFC 4588) for the video we receive", NULL },
        { "drop-video", 0, 0, G_OPTION_ARG_INT, &o->drop_video,
          "throw away about N per mille of received video packets (they "
          "must come back as RTX after our NACKs; needs --rtx)", "N" },
        { "drop-send", 0, 0, G_OPTION_ARG_INT, &o->drop_send,
          "leave out about N per mille of our video packets the first time "
          "(they must be fetched by the server's NACKs)", "N" },
        { "no-nack", 0, 0, G_OPTION_ARG_NONE, &o->no_nack,
          "never NACK the video we receive (so only the server's own NACKs "
          "to the publisher can repair upstream loss)", NULL },
        { "send-rtx", 0, 0, G_OPTION_ARG_NONE, &o->send_rtx,
          "offer RTX (RFC 4588) for the video we publish and, when the "
          "server accepts it, answer NACKs with RTX", NULL },
        { "ssrc-audio", 0, 0, G_OPTION_ARG_INT64, &o->ssrc_audio,
          "publish audio with this SSRC (default random)", "N" },
        { "ssrc-video", 0, 0, G_OPTION_ARG_INT64, &o->ssrc_video,
          "publish video with this SSRC (default random)", "N" },
        { "ssrc-from-offer", 0, 0, G_OPTION_ARG_NONE, &o->ssrc_from_offer,
          "publish only once a subscribe offer has audio and video, with "
          "their SSRCs (the server must refuse it)", NULL },
        { "expect-refused", 0, 0, G_OPTION_ARG_STRING, &o->expect_refused,
          "our publish must be refused with this error code (a check)", "CODE" },
        { "clip-hash", 0, 0, G_OPTION_ARG_NONE, &o->clip_hash,
          "print the clip's SHA-256 and exit", NULL },
        { "log-level", 0, 0, G_OPTION_ARG_STRING, &o->log_level,
          "server library log level (debug, info, warn, error)", "L" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- Veche test peer");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &err);
    g_option_context_free(ctx);
    if (!ok) {
        fprintf(stderr, "veche-peer: %s\n", err->message);
        g_error_free(err);
        return -1;
    }
    if (!o->room)
        o->room = g_strdup("veche-peer");
    if (!o->name)
        o->name = g_strdup("peer");
    if (!o->ice)
        o->ice = g_strdup("127.0.0.1");
    if (!o->log_level)
        o->log_level = g_strdup("warn");
    if (!o->clip_hash && !o->url) {
        fprintf(stderr, "veche-peer: --url is required\n");
        return -1;
    }
    if (o->duration <= 0 || o->settle_ms < 0 || o->settle_ms > 60000 ||
        o->leave_after < 0 || o->rejoin_after < 0 || o->cycles < 1 ||
        o->expect_peers < 0 || o->min_ratio < 0 || o->min_ratio > 1 ||
        o->drop_video < 0 || o->drop_video > 500 || o->drop_send < 0 ||
        o->drop_send > 500 || o->ssrc_audio < 0 || o->ssrc_audio > 0xffffffffLL ||
        o->ssrc_video < 0 || o->ssrc_video > 0xffffffffLL ||
        (o->ssrc_audio && o->ssrc_audio == o->ssrc_video)) {
        fprintf(stderr, "veche-peer: bad --duration, --leave-after, "
                        "--rejoin-after, --cycles, --expect-peers, --min-ratio, "
                        "--drop-video, --drop-send, --ssrc-audio or --ssrc-video\n");
        return -1;
    }
    /* A packet dropped after SRTP accepted it cannot come back as a plain
     * retransmission (SRTP replay protection): only RTX can repair it. */
    if (o->drop_video && !o->rtx) {
        fprintf(stderr, "veche-peer: --drop-video needs --rtx\n");
        return -1;
    }
    return 0;
}

static void free_options(options *o)
{
    g_free(o->url);
    g_free(o->room);
    g_free(o->name);
    g_free(o->report_file);
    g_free(o->ice);
    g_free(o->log_level);
    g_free(o->expect_refused);
}

/* ---- scenario ------------------------------------------------------------- */

static void on_finished(void *ud)
{
    scenario *s = ud;
    g_main_loop_quit(s->loop);
}

static void finish(scenario *s)
{
    if (s->finishing)
        return;
    s->finishing = true;
    if (!s->end_us)  /* with --settle-ms the window ended before the settling */
        s->end_us = g_get_monotonic_time();
    vpeer_report_event(s->report, "finish", NULL);
    vpeer_client_finish(s->client, on_finished, s);
}

static gboolean on_settled(gpointer ud)
{
    finish(ud);
    return G_SOURCE_REMOVE;
}

/* The duration is over: with --settle-ms, count no new packets but let the
 * repairs of gaps already seen arrive for that long, then finish. */
static gboolean on_end(gpointer ud)
{
    scenario *s = ud;
    if (s->opt->settle_ms > 0 && !s->finishing) {
        vpeer_verify_freeze(s->verify);
        s->end_us = g_get_monotonic_time();
        vpeer_report_event(s->report, "settle", NULL);
        g_timeout_add((guint)s->opt->settle_ms, on_settled, s);
    } else {
        finish(s);
    }
    return G_SOURCE_REMOVE;
}

static gboolean on_signal(gpointer ud)
{
    scenario *s = ud;
    vpeer_report_error(s->report, "interrupted");
    finish(s);
    return G_SOURCE_CONTINUE;
}

static gboolean on_rejoin(gpointer ud);

static gboolean on_leave(gpointer ud)
{
    scenario *s = ud;
    if (vpeer_client_leave(s->client) != 0)
        vpeer_report_error(s->report, "could not leave: not joined");
    else
        vpeer_report_event(s->report, "leave-sent", NULL);
    s->left++;
    if (s->opt->rejoin_after > 0)
        g_timeout_add((guint)s->opt->rejoin_after * 1000, on_rejoin, s);
    return G_SOURCE_REMOVE;
}

static gboolean on_rejoin(gpointer ud)
{
    scenario *s = ud;
    if (vpeer_client_join(s->client) != 0)
        vpeer_report_error(s->report, "could not rejoin: not left");
    else if (s->left < s->opt->cycles)
        g_timeout_add((guint)s->opt->leave_after * 1000, on_leave, s);
    return G_SOURCE_REMOVE;
}

static void schedule(scenario *s)
{
    const options *o = s->opt;
    /* g_timeout_add, not _seconds: those may fire up to a second late */
    if (o->leave_after > 0)   /* on_leave schedules the rejoin, and so on */
        g_timeout_add((guint)o->leave_after * 1000, on_leave, s);
    g_timeout_add((guint)o->duration * 1000, on_end, s);
    g_unix_signal_add(SIGINT, on_signal, s);
    g_unix_signal_add(SIGTERM, on_signal, s);
}

/* ---- report --------------------------------------------------------------- */

static json_t *sent_json(const vpeer_client *c)
{
    vpeer_client_totals t;
    vpeer_client_totals_get(c, &t);
    const vpeer_session_totals *m = &t.media;
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
                     "s:i, s:o}",
                     "audio", (json_int_t)m->audio,
                     "video", (json_int_t)m->video,
                     "skipped", (json_int_t)m->skipped,
                     "send_errors", (json_int_t)m->send_errors,
                     "rtcp_errors", (json_int_t)m->rtcp_errors,
                     "nack_seqs", (json_int_t)m->nack_seqs,
                     "resent", (json_int_t)m->resent,
                     "resent_rtx", (json_int_t)m->resent_rtx, "pli", (json_int_t)m->pli,
                     "fir", (json_int_t)m->fir, "sr", (json_int_t)m->sr,
                     "joins", t.joins, "uplink_loss_max",
                     t.uplink_loss_max < 0 ? json_null()
                                           : json_real(t.uplink_loss_max));
}

static json_t *nack_json(const vpeer_client *c)
{
    vpeer_client_totals t;
    vpeer_client_totals_get(c, &t);
    const vpeer_nack_stats *n = &t.media.nack;
    return json_pack("{s:I, s:I, s:I, s:I, s:I}",
                     "missing", (json_int_t)n->missing,
                     "requested", (json_int_t)n->requested,
                     "recovered", (json_int_t)n->recovered,
                     "given_up", (json_int_t)n->given_up,
                     "dropped", (json_int_t)n->dropped);
}

/* One line per track and failure, for people, on stderr. */
static void print_summary(const char *name, bool ok, const vpeer_verify *v,
                          json_t *failures)
{
    fprintf(stderr, "veche-peer %s: %s\n", name, ok ? "ok" : "FAILED");
    for (int i = 0; i < vpeer_verify_count(v); i++) {
        vpeer_track_info t;
        vpeer_verify_get(v, i, &t);
        fprintf(stderr, "  %-8s %-5s %-8s s%d pkts=%llu lost=%llu "
                "identical=%llu after_removed=%llu\n", t.name,
                vpeer_kind_name(t.kind), t.participant, t.session,
                (unsigned long long)t.packets, (unsigned long long)t.lost,
                (unsigned long long)t.identical,
                (unsigned long long)t.after_removed);
    }
    size_t i;
    json_t *f;
    json_array_foreach(failures, i, f)
        fprintf(stderr, "  failure: %s\n", json_string_value(f));
}

/* Evaluate, write the track and result records; returns the exit status. */
static int write_report(const options *o, scenario *s, const vpeer_verify *v,
                        const vpeer_clip *clip)
{
    vpeer_expect e = { o->expect_peers, o->min_ratio, 0.5, s->end_us };
    json_t *failures = vpeer_report_failures(s->report, v, clip, o->name, &e);
    bool ok = failures && json_array_size(failures) == 0;
    char hash[65];
    vpeer_clip_sha256_hex(clip, hash);
    vpeer_report_emit_tracks(s->report, v);
    vpeer_report_emit_result(s->report, json_pack(
        "{s:b, s:s, s:s, s:s, s:o, s:o, s:I, s:O*}", "ok", ok,
        "participant", vpeer_client_participant(s->client), "room", o->room,
        "clip_sha256", hash, "sent", sent_json(s->client),
        "nack", nack_json(s->client),
        "unknown_ssrc_packets", (json_int_t)vpeer_verify_unknown_ssrc(v),
        "failures", failures));
    print_summary(o->name, ok, v, failures);
    json_decref(failures);
    return ok ? 0 : 1;
}

/* ---- main ----------------------------------------------------------------- */

static int print_clip_hash(const vpeer_clip *clip)
{
    char hash[65];
    vpeer_clip_sha256_hex(clip, hash);
    printf("%s audio=%u video=%u\n", hash,
           vpeer_clip_packet_count(clip, VPEER_AUDIO),
           vpeer_clip_packet_count(clip, VPEER_VIDEO));
    return 0;
}

static int run(const options *o, const vpeer_clip *clip)
{
    FILE *out = stdout;
    if (o->report_file && strcmp(o->report_file, "-") != 0 &&
        !(out = fopen(o->report_file, "w"))) {
        fprintf(stderr, "veche-peer: cannot write %s\n", o->report_file);
        return 2;
    }
    veche_dtls_cert *cert = veche_dtls_cert_new();
    if (!cert) {
        fprintf(stderr, "veche-peer: could not make a DTLS certificate\n");
        if (out != stdout)
            fclose(out);
        return 2;
    }
    vpeer_verify *v = vpeer_verify_new(clip);
    scenario s = { .opt = o, .loop = g_main_loop_new(NULL, FALSE), .verify = v,
                   .report = vpeer_report_new(g_get_monotonic_time(), o->name,
                                              out) };
    vpeer_client_config cfg = {
        .ctx = g_main_context_default(), .url = o->url, .room = o->room,
        .name = o->name, .ice_addresses = o->ice, .publish = !o->no_publish,
        .misbehave = o->misbehave, .trickle_only = o->trickle_only,
        .rtx = o->rtx, .drop_video = (unsigned)o->drop_video,
        .drop_send = (unsigned)o->drop_send, .no_nack = o->no_nack, .send_rtx = o->send_rtx,
        .cert = cert, .clip = clip,
        .ssrc_audio = (uint32_t)o->ssrc_audio, .ssrc_video = (uint32_t)o->ssrc_video,
        .ssrc_from_offer = o->ssrc_from_offer, .expect_refused = o->expect_refused,
        .verify = v, .report = s.report,
    };
    s.client = vpeer_client_new(&cfg);
    int status;
    if (vpeer_client_start(s.client) != 0) {
        fprintf(stderr, "veche-peer: bad --url %s\n", o->url);
        status = 2;
    } else {
        schedule(&s);
        g_main_loop_run(s.loop);
        status = write_report(o, &s, v, clip);
    }
    vpeer_client_free(s.client);
    vpeer_report_free(s.report);
    vpeer_verify_free(v);
    veche_dtls_cert_unref(cert);
    g_main_loop_unref(s.loop);
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "veche-peer: cannot write %s\n", o->report_file);
        status = 2;
    }
    return status;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o) != 0) {
        free_options(&o);
        return 2;
    }
    veche_log_level level = VECHE_LOG_WARN;
    if (veche_log_parse_level(o.log_level, &level) != 0)
        fprintf(stderr, "veche-peer: unknown --log-level %s, using warn\n",
                o.log_level);
    veche_log_set_level(level);
    const char *err = "?";
    vpeer_clip *clip = vpeer_clip_new(&err);
    if (!clip) {
        fprintf(stderr, "veche-peer: clip: %s\n", err);
        free_options(&o);
        return 2;
    }
    int status;
    if (o.clip_hash) {
        status = print_clip_hash(clip);
    } else if (veche_srtp_global_init() != 0) {
        fprintf(stderr, "veche-peer: SRTP initialisation failed\n");
        status = 2;
    } else {
        status = run(&o, clip);
    }
    vpeer_clip_free(clip);
    free_options(&o);
    return status;
}
