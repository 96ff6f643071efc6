/* metrics_page.c - GET /metrics (metrics_page.h). */
#include "metrics_page.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup.h"
#include "log.h"
#include "mstats.h"
#include "recording.h"

static const char *const kind_names[VECHE_MSTATS_KINDS] = {"meeting", "training"};

static bool peer_is_loopback(const char *peer)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (!peer || !peer[0])
        return false;
    if (inet_pton(AF_INET, peer, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, peer, &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6))
            return true;
        if (IN6_IS_ADDR_V4MAPPED(&a6))
            return a6.s6_addr[12] == 127;
    }
    return false;
}

/* Constant-time comparison of two strings' bytes (the lengths may differ). */
static bool same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)(lb ? b[i % lb] : 0);
    return diff == 0;
}

int veche_metrics_page_access(const char *token, const char *authorization, const char *peer)
{
    if (!token || !token[0])
        return peer_is_loopback(peer) ? 0 : 403;
    if (!authorization || g_ascii_strncasecmp(authorization, "Bearer ", 7) != 0)
        return 401;
    const char *given = authorization + 7;
    while (*given == ' ')
        given++;
    return same_secret(given, token) ? 0 : 401;
}

bool veche_metrics_page_parse_snmp(const char *text, unsigned long long *in_errors,
                                   unsigned long long *rcvbuf_errors)
{
    /* "Udp: InDatagrams NoPorts InErrors ... RcvbufErrors ...\n"
     * "Udp: 123 4 5 ... 6 ...\n" */
    const char *head = strstr(text ? text : "", "\nUdp: ");
    if (!head && text && strncmp(text, "Udp: ", 5) == 0)
        head = text - 1;
    if (!head)
        return false;
    head++;
    const char *vals = strchr(head, '\n');
    if (!vals || strncmp(vals + 1, "Udp: ", 5) != 0)
        return false;
    vals++;
    char *names = g_strndup(head + 5, (gsize)(vals - 1 - (head + 5)));
    const char *vend = strchr(vals, '\n');
    char *nums = vend ? g_strndup(vals + 5, (gsize)(vend - (vals + 5))) : g_strdup(vals + 5);
    char **n = g_strsplit(names, " ", -1), **v = g_strsplit(nums, " ", -1);
    bool got_in = false, got_rcv = false;
    for (int i = 0; n[i] && v[i]; i++) {
        char *end;
        unsigned long long x = strtoull(v[i], &end, 10);
        if (*end)
            continue;
        if (strcmp(n[i], "InErrors") == 0)
            *in_errors = x, got_in = true;
        else if (strcmp(n[i], "RcvbufErrors") == 0)
            *rcvbuf_errors = x, got_rcv = true;
    }
    g_strfreev(n);
    g_strfreev(v);
    g_free(names);
    g_free(nums);
    return got_in && got_rcv;
}


typedef struct {
    const char *name, *help;
    size_t offset;             /* of the veche_mcounter in veche_mstats */
} counter_row;

#define ROW(n, f, h) {"veche_" n, h, offsetof(veche_mstats, f)}

static const counter_row counters[] = {
    ROW("rtp_packets_received_total", rtp_in, "RTP packets received (after SRTP)."),
    ROW("rtp_packets_sent_total", rtp_out, "RTP packets sent, retransmissions included."),
    ROW("rtcp_packets_received_total", rtcp_in, "RTCP packets received (after SRTCP)."),
    ROW("rtcp_packets_sent_total", rtcp_out, "RTCP packets sent."),
    ROW("media_received_bytes_total", bytes_in, "Bytes of RTP and RTCP received (after SRTP)."),
    ROW("media_sent_bytes_total", bytes_out, "Bytes of RTP and RTCP sent (before SRTP)."),
    ROW("media_dropped_unprotect_total", dropped_unprotect,
        "Datagrams dropped: SRTP/SRTCP authentication or replay check failed."),
    ROW("media_dropped_garbage_total", dropped_garbage,
        "Datagrams dropped: neither STUN, DTLS, RTP nor RTCP."),
    ROW("media_send_errors_total", send_errors, "Datagrams the socket refused to send."),
    ROW("rtp_packets_lost_total", lost, "Upstream packets found missing (sequence gaps)."),
    ROW("rtp_packets_repaired_total", repaired,
        "Missing upstream packets that arrived after all (retransmitted or late)."),
    ROW("nacks_received_total", nacks_in, "NACK feedback from subscribers."),
    ROW("nacks_sent_total", nacks_out, "NACK packets sent to publishers."),
    ROW("plis_received_total", plis_in, "PLI and FIR feedback from subscribers."),
    ROW("plis_sent_total", plis_out, "PLI and FIR packets sent to publishers."),
    ROW("rtx_packets_sent_total", rtx_out, "Packets resent to subscribers after a NACK."),
};

static uint64_t worker_value(const veche_mstats *ms, size_t offset)
{
    return veche_mstats_get((const veche_mcounter *)((const char *)ms + offset));
}

static void write_workers(GString *out, veche_signal *sig)
{
    unsigned n_workers = veche_signal_worker_count(sig);
    char labels[64];
    for (size_t r = 0; r < G_N_ELEMENTS(counters); r++) {
        uint64_t sum = 0;
        for (unsigned i = 0; i < n_workers; i++) {
            const veche_mstats *ms = veche_signal_worker_stats(sig, i);
            if (ms)
                sum += worker_value(ms, counters[r].offset);
        }
        veche_metrics_family(out, counters[r].name, "counter", counters[r].help);
        veche_metrics_sample(out, counters[r].name, "", (double)sum);
    }
    static const struct {
        const char *name, *help;
        size_t offset;
    } gauges[] = {
        {"veche_rooms", "Open rooms by kind.", offsetof(veche_mstats, rooms)},
        {"veche_participants", "Participants in rooms by room kind.",
         offsetof(veche_mstats, participants)},
        {"veche_tracks", "Published tracks by room kind.", offsetof(veche_mstats, tracks)},
    };
    for (size_t g = 0; g < G_N_ELEMENTS(gauges); g++) {
        veche_metrics_family(out, gauges[g].name, "gauge", gauges[g].help);
        for (unsigned k = 0; k < VECHE_MSTATS_KINDS; k++) {
            uint64_t sum = 0;
            for (unsigned i = 0; i < n_workers; i++) {
                const veche_mstats *ms = veche_signal_worker_stats(sig, i);
                if (ms)
                    sum += worker_value(ms, gauges[g].offset + k * sizeof(veche_mcounter));
            }
            snprintf(labels, sizeof labels, "kind=\"%s\"", kind_names[k]);
            veche_metrics_sample(out, gauges[g].name, labels, (double)sum);
        }
    }
    veche_metrics_family(out, "veche_worker_loop_lag_seconds", "gauge",
                         "Largest delay of a media worker's 100 ms timer in the last second.");
    for (unsigned i = 0; i < n_workers; i++) {
        const veche_mstats *ms = veche_signal_worker_stats(sig, i);
        snprintf(labels, sizeof labels, "worker=\"%u\"", i);
        veche_metrics_sample(out, "veche_worker_loop_lag_seconds", labels,
                             ms ? (double)veche_mstats_get(&ms->loop_lag_us) / 1e6 : 0);
    }
    veche_metrics_family(out, "veche_worker_loop_lag_seconds_total", "counter",
                         "Sum of the delays of a media worker's 100 ms timer.");
    for (unsigned i = 0; i < n_workers; i++) {
        const veche_mstats *ms = veche_signal_worker_stats(sig, i);
        snprintf(labels, sizeof labels, "worker=\"%u\"", i);
        veche_metrics_sample(out, "veche_worker_loop_lag_seconds_total", labels,
                             ms ? (double)veche_mstats_get(&ms->loop_lag_us_total) / 1e6 : 0);
    }
    veche_metrics_family(out, "veche_media_workers", "gauge", "Media worker threads.");
    veche_metrics_sample(out, "veche_media_workers", "", n_workers);
}

/* The main loop's turns (loopturn.h): the maxima since the last page. */
static void write_loopturn(GString *out, veche_loopturn *lt)
{
    veche_loopturn_stats st;
    veche_loopturn_take(lt, &st);
    veche_metrics_family(out, "veche_main_loop_turn_max_seconds", "gauge",
                         "Longest main loop turn (wake-up to next sleep, wall time) since "
                         "the previous scrape.");
    veche_metrics_sample(out, "veche_main_loop_turn_max_seconds", "", (double)st.max_us / 1e6);
    veche_metrics_family(out, "veche_main_loop_turn_cpu_max_seconds", "gauge",
                         "Most CPU time one main loop turn used since the previous scrape.");
    veche_metrics_sample(out, "veche_main_loop_turn_cpu_max_seconds", "",
                         (double)st.max_cpu_us / 1e6);
    veche_metrics_family(out, "veche_main_loop_busy_seconds_total", "counter",
                         "Wall time of all main loop turns.");
    veche_metrics_sample(out, "veche_main_loop_busy_seconds_total", "",
                         (double)st.busy_us_total / 1e6);
    veche_metrics_family(out, "veche_main_loop_turns_total", "counter", "Main loop turns.");
    veche_metrics_sample(out, "veche_main_loop_turns_total", "", (double)st.turns);
}

/* The recorder (signal/recording.h) and the lesson renderer. */
static void write_recording(GString *out, veche_signal *sig)
{
    veche_recording_stats rs;
    veche_recording_get_stats(veche_signal_recording(sig), &rs);
    veche_metrics_family(out, "veche_recorder_up", "gauge",
                         "1 while the veche-recorder process runs.");
    veche_metrics_sample(out, "veche_recorder_up", "", veche_signal_recorder_pid(sig) ? 1 : 0);
    veche_metrics_family(out, "veche_recordings_active", "gauge",
                         "Rooms being recorded now.");
    veche_metrics_sample(out, "veche_recordings_active", "", rs.active);
    veche_metrics_family(out, "veche_recorder_restarts_total", "counter",
                         "Times the recorder process died and was started again.");
    veche_metrics_sample(out, "veche_recorder_restarts_total", "", (double)rs.recorder_restarts);
    veche_metrics_family(out, "veche_recording_parts_total", "counter",
                         "Recording parts ended, by how: closed, repaired (after a crash) "
                         "or failed.");
    veche_metrics_sample(out, "veche_recording_parts_total", "state=\"closed\"",
                         (double)rs.parts_closed);
    veche_metrics_sample(out, "veche_recording_parts_total", "state=\"repaired\"",
                         (double)rs.parts_repaired);
    veche_metrics_sample(out, "veche_recording_parts_total", "state=\"failed\"",
                         (double)rs.parts_failed);
    veche_metrics_family(out, "veche_recording_bytes_total", "counter",
                         "Bytes of the recording parts closed or repaired.");
    veche_metrics_sample(out, "veche_recording_bytes_total", "", (double)rs.bytes);
}

static void write_lessons(GString *out, veche_lesson_render *lr)
{
    veche_lesson_render_stats ls;
    veche_lesson_render_get_stats(lr, &ls);
    veche_metrics_family(out, "veche_lesson_render_queue", "gauge",
                         "Recorded events waiting to be rendered into lessons.");
    veche_metrics_sample(out, "veche_lesson_render_queue", "", ls.queued);
    veche_metrics_family(out, "veche_lesson_rendering", "gauge",
                         "1 while veche-render renders a lesson.");
    veche_metrics_sample(out, "veche_lesson_rendering", "", ls.rendering ? 1 : 0);
    veche_metrics_family(out, "veche_lesson_renders_total", "counter",
                         "Lesson renders finished, by result.");
    veche_metrics_sample(out, "veche_lesson_renders_total", "result=\"ready\"", (double)ls.ready);
    veche_metrics_sample(out, "veche_lesson_renders_total", "result=\"failed\"",
                         (double)ls.failed);
}

static void write_snmp(GString *out, const char *path)
{
    gchar *text = NULL;
    unsigned long long in_err = 0, rcvbuf = 0;
    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !veche_metrics_page_parse_snmp(text, &in_err, &rcvbuf)) {
        g_free(text);
        return;
    }
    g_free(text);
    veche_metrics_family(out, "veche_host_udp_receive_errors_total", "counter",
                         "UDP datagrams the host's kernel dropped on receipt (InErrors of "
                         "/proc/net/snmp, every process of the network namespace).");
    veche_metrics_sample(out, "veche_host_udp_receive_errors_total", "", (double)in_err);
    veche_metrics_family(out, "veche_host_udp_receive_buffer_errors_total", "counter",
                         "UDP datagrams dropped because a socket's receive buffer was full "
                         "(RcvbufErrors of /proc/net/snmp).");
    veche_metrics_sample(out, "veche_host_udp_receive_buffer_errors_total", "", (double)rcvbuf);
}

static void write_backup(GString *out, const char *dir)
{
    int64_t newest = veche_backup_newest(dir);
    veche_metrics_family(out, "veche_backup_newest_timestamp_seconds", "gauge",
                         "Unix time of the newest database backup (0: none yet).");
    veche_metrics_sample(out, "veche_backup_newest_timestamp_seconds", "", (double)newest);
    veche_metrics_family(out, "veche_backup_age_seconds", "gauge",
                         "Age of the newest database backup (-1: none yet).");
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;
    veche_metrics_sample(out, "veche_backup_age_seconds", "",
                         newest > 0 ? (double)(now > newest ? now - newest : 0) : -1);
}

void veche_metrics_page_handle(const veche_metrics_page_env *env, const veche_http_request *req,
                               veche_http_response *resp)
{
    resp->content_type = "text/plain";
    if (strcmp(req->method, "GET") != 0) {
        resp->status = 405;
        resp->body = g_strdup("GET only\n");
        return;
    }
    int refuse = veche_metrics_page_access(env->cfg->metrics_token, req->authorization,
                                           req->peer);
    if (refuse) {
        VLOG_INFO(NULL, NULL, "metrics: refused %d to %s", refuse,
                  req->peer && req->peer[0] ? req->peer : "?");
        resp->status = refuse;
        resp->body = g_strdup(refuse == 401 ? "a bearer token is required\n"
                                            : "only from this machine (set metrics_token)\n");
        return;
    }
    GString *out = g_string_sized_new(8192);
    veche_metrics_family(out, "veche_up", "gauge", "1 while the server runs.");
    veche_metrics_sample(out, "veche_up", "", 1);
    if (env->signal) {
        write_workers(out, env->signal);
        write_recording(out, env->signal);
    }
    if (env->lessons)
        write_lessons(out, env->lessons);
    if (env->loopturn)
        write_loopturn(out, env->loopturn);
    if (env->metrics)
        veche_metrics_write(env->metrics, out);
    write_snmp(out, env->snmp_path ? env->snmp_path : "/proc/net/snmp");
    if (env->backup_dir)
        write_backup(out, env->backup_dir);
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp->body_len = out->len;
    resp->body = g_string_free(out, FALSE);
}
