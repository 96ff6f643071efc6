/* main.c - veche-peer: a native WebRTC test participant for Veche.
 *
 * Parses options, builds the clip, runs one client through the scenario
 * (join; optionally leave after N s and rejoin M s later; finish after the
 * duration), then writes the JSON report and exits 0 only when every
 * expectation of report.h holds.  `--clip-hash` only prints the clip's
 * SHA-256 (to check that the clip is identical across processes).
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
    int duration, leave_after, rejoin_after, expect_peers;
    double min_ratio;
    gboolean misbehave, no_publish, clip_hash;
} options;

typedef struct {
    const options *opt;
    GMainLoop *loop;
    vpeer_client *client;
    vpeer_report *report;
    bool finishing;
    int64_t end_us;
} scenario;

static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){ .room = g_strdup("veche-peer"), .name = g_strdup("peer"),
                    .duration = 20, .min_ratio = 0.99,
                    .ice = g_strdup("127.0.0.1"),
                    .log_level = g_strdup("warn") };
    GOptionEntry entries[] = {
        { "url", 0, 0, G_OPTION_ARG_STRING, &o->url,
          "signalling URL, e.g. wss://127.0.0.1:8443/ws", "URL" },
        { "room", 0, 0, G_OPTION_ARG_STRING, &o->room, "room to join", "R" },
        { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, "display name", "N" },
        { "duration", 0, 0, G_OPTION_ARG_INT, &o->duration,
          "seconds to run (default 20)", "SEC" },
        { "ice-address", 0, 0, G_OPTION_ARG_STRING, &o->ice,
          "comma-separated local addresses for ICE (default 127.0.0.1)",
          "ADDRS" },
        { "leave-after", 0, 0, G_OPTION_ARG_INT, &o->leave_after,
          "leave the room after SEC seconds", "SEC" },
        { "rejoin-after", 0, 0, G_OPTION_ARG_INT, &o->rejoin_after,
          "join again SEC seconds after leaving", "SEC" },
        { "report", 0, 0, G_OPTION_ARG_FILENAME, &o->report_file,
          "write the JSON report to FILE", "FILE" },
        { "expect-peers", 0, 0, G_OPTION_ARG_INT, &o->expect_peers,
          "number of other peers that must deliver media", "N" },
        { "min-ratio", 0, 0, G_OPTION_ARG_DOUBLE, &o->min_ratio,
          "minimum delivered packet ratio (default 0.99)", "R" },
        { "misbehave", 0, 0, G_OPTION_ARG_NONE, &o->misbehave,
          "send bad signalling and garbage UDP first", NULL },
        { "no-publish", 0, 0, G_OPTION_ARG_NONE, &o->no_publish,
          "only subscribe", NULL },
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
    if (!o->clip_hash && !o->url) {
        fprintf(stderr, "veche-peer: --url is required\n");
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
    s->end_us = g_get_monotonic_time();
    vpeer_report_event(s->report, "finish", NULL);
    vpeer_client_finish(s->client, on_finished, s);
}

static gboolean on_end(gpointer ud)
{
    finish(ud);
    return G_SOURCE_REMOVE;
}

static gboolean on_signal(gpointer ud)
{
    scenario *s = ud;
    vpeer_report_error(s->report, "interrupted");
    finish(s);
    return G_SOURCE_CONTINUE;
}

static gboolean on_leave(gpointer ud)
{
    scenario *s = ud;
    if (vpeer_client_leave(s->client) != 0)
        vpeer_report_error(s->report, "could not leave: not joined");
    else
        vpeer_report_event(s->report, "leave-sent", NULL);
    return G_SOURCE_REMOVE;
}

static gboolean on_rejoin(gpointer ud)
{
    scenario *s = ud;
    if (vpeer_client_join(s->client) != 0)
        vpeer_report_error(s->report, "could not rejoin: not left");
    return G_SOURCE_REMOVE;
}

static void schedule(scenario *s)
{
    const options *o = s->opt;
    if (o->leave_after > 0) {
        g_timeout_add_seconds((guint)o->leave_after, on_leave, s);
        if (o->rejoin_after > 0)
            g_timeout_add_seconds((guint)(o->leave_after + o->rejoin_after),
                                  on_rejoin, s);
    }
    g_timeout_add_seconds((guint)o->duration, on_end, s);
    g_unix_signal_add(SIGINT, on_signal, s);
    g_unix_signal_add(SIGTERM, on_signal, s);
}

/* ---- report --------------------------------------------------------------- */

static json_t *sent_json(const vpeer_client *c)
{
    vpeer_client_totals t;
    vpeer_client_totals_get(c, &t);
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i}",
                     "audio", (json_int_t)t.audio, "video", (json_int_t)t.video,
                     "nack_seqs", (json_int_t)t.nack_seqs,
                     "resent", (json_int_t)t.resent, "pli", (json_int_t)t.pli,
                     "fir", (json_int_t)t.fir, "sr", (json_int_t)t.sr,
                     "joins", t.joins);
}

static json_t *build_report(const options *o, scenario *s,
                            const vpeer_verify *v, const vpeer_clip *clip)
{
    vpeer_expect e = { o->expect_peers, o->min_ratio, 0.5, s->end_us };
    json_t *failures = vpeer_report_failures(s->report, v, clip, o->name, &e);
    char hash[65];
    vpeer_clip_sha256_hex(clip, hash);
    json_t *r = json_pack(
        "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:o}",
        "participant", vpeer_client_participant(s->client), "name", o->name,
        "room", o->room, "clip_sha256", hash,
        "tracks", vpeer_report_tracks(s->report, v),
        "events", vpeer_report_events(s->report), "sent", sent_json(s->client),
        "unknown_ssrc_packets", (json_int_t)vpeer_verify_unknown_ssrc(v),
        "errors", vpeer_report_errors(s->report),
        "checks", vpeer_report_checks(s->report));
    json_object_set_new(r, "ok", json_boolean(json_array_size(failures) == 0));
    json_object_set_new(r, "failures", failures);
    return r;
}

static void print_summary(const char *name, json_t *r)
{
    size_t i;
    json_t *t;
    printf("veche-peer %s: %s\n", name,
           json_is_true(json_object_get(r, "ok")) ? "ok" : "FAILED");
    json_array_foreach(json_object_get(r, "tracks"), i, t)
        printf("  %-8s %-5s %-8s pkts=%lld lost=%lld identical=%lld "
               "after_removed=%lld\n",
               json_string_value(json_object_get(t, "name")),
               json_string_value(json_object_get(t, "kind")),
               json_string_value(json_object_get(t, "participant")),
               json_integer_value(json_object_get(t, "packets")),
               json_integer_value(json_object_get(t, "lost")),
               json_integer_value(json_object_get(t, "identical")),
               json_integer_value(json_object_get(t, "after_removed")));
    json_array_foreach(json_object_get(r, "failures"), i, t)
        printf("  failure: %s\n", json_string_value(t));
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
    veche_dtls_cert *cert = veche_dtls_cert_new();
    if (!cert) {
        fprintf(stderr, "veche-peer: could not make a DTLS certificate\n");
        return 2;
    }
    vpeer_verify *v = vpeer_verify_new(clip);
    scenario s = { .opt = o, .loop = g_main_loop_new(NULL, FALSE),
                   .report = vpeer_report_new(g_get_monotonic_time()) };
    vpeer_client_config cfg = {
        .ctx = g_main_context_default(), .url = o->url, .room = o->room,
        .name = o->name, .ice_addresses = o->ice, .publish = !o->no_publish,
        .misbehave = o->misbehave, .cert = cert, .clip = clip, .verify = v,
        .report = s.report,
    };
    s.client = vpeer_client_new(&cfg);
    vpeer_client_start(s.client);
    schedule(&s);
    g_main_loop_run(s.loop);
    json_t *r = build_report(o, &s, v, clip);
    int status = json_is_true(json_object_get(r, "ok")) ? 0 : 1;
    if (o->report_file &&
        json_dump_file(r, o->report_file, JSON_INDENT(1)) != 0) {
        fprintf(stderr, "veche-peer: cannot write %s\n", o->report_file);
        status = 2;
    }
    print_summary(o->name, r);
    json_decref(r);
    vpeer_client_free(s.client);
    vpeer_report_free(s.report);
    vpeer_verify_free(v);
    veche_dtls_cert_unref(cert);
    g_main_loop_unref(s.loop);
    return status;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    veche_log_level level = VECHE_LOG_WARN;
    veche_log_parse_level(o.log_level, &level);
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
