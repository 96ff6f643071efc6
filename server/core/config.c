/* config.c - the Veche configuration: defaults, the directive table, the
 * `key = value` file format of conf/veche.conf, --set overrides, the
 * cross-field checks and the printer that writes the same format back.
 *
 * File format, one directive per line:
 *
 *   # a comment                      (first non-blank character is '#')
 *   key = value                      (blanks around key and value trimmed)
 *   key = "a value with  spaces"     (outer double quotes removed; inside,
 *                                     \" is a quote and \\ a backslash)
 *   key = value   # trailing comment ('#' after a blank, outside quotes;
 *                                     `key = # x` sets an empty value)
 *
 * Unknown keys, bad numbers, out-of-range values, overlong strings, bad
 * booleans and control characters are errors reported as "path:line: reason".
 * A file is applied all or nothing: on error *c is left unchanged.
 *
 * Does not: expand variables or '~', include other files, or know which
 * directive a module reads (it only stores values).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "err.h"
#include "log.h"
#include "turn_urls.h"

#define MAX_FILE_SIZE (1u << 20)   /* a configuration is a few KiB */
#define WS_MESSAGE_MIN 1024u
#define WS_MESSAGE_MAX (16u << 20)

typedef enum { T_STRING, T_U16, T_UINT, T_SIZE, T_BOOL } dtype;

typedef struct {
    const char *name;
    dtype type;
    size_t offset;
    size_t size;               /* field size; for strings the buffer size */
    unsigned long long min, max;
    const char *section;       /* printed before the first directive of a section */
    const char *help;          /* may hold several lines */
} directive;

#define FIELD_SIZE(f) sizeof(((veche_config *)0)->f)
#define DIR(f, t, lo, hi, sec, h) {#f, t, offsetof(veche_config, f), FIELD_SIZE(f), lo, hi, sec, h}

static const directive directives[] = {
    DIR(listen_address, T_STRING, 0, 0, "HTTPS + WSS listener",
        "IP address to listen on for HTTPS and the signalling WebSocket:\n"
        "0.0.0.0 for every IPv4 interface, :: for every interface (IPv6 and\n"
        "IPv4), 127.0.0.1 for this machine only."),
    DIR(port, T_U16, 1, 65535, NULL, "TCP port of the HTTPS/WSS listener."),
    DIR(tls, T_BOOL, 0, 1, NULL,
        "Serve HTTPS/WSS (true) or plain HTTP/WS (false, for debugging only:\n"
        "browsers allow camera and microphone only on https or localhost)."),
    DIR(tls_cert, T_STRING, 0, 0, NULL,
        "PEM certificate chain for HTTPS.  Empty: a self-signed certificate is\n"
        "generated into data_dir on first start and reused."),
    DIR(tls_key, T_STRING, 0, 0, NULL,
        "PEM private key of tls_cert (set both or neither)."),
    DIR(tls_names, T_STRING, 0, 0, NULL,
        "Extra comma-separated subjectAltNames (host names or IPs) for the\n"
        "generated certificate, besides localhost, 127.0.0.1 and ::1."),
    DIR(web_root, T_STRING, 0, 0, NULL,
        "Directory of the web client served at /."),
    DIR(data_dir, T_STRING, 0, 0, NULL,
        "Directory for state kept between runs (the generated certificate)."),
    DIR(ws_max_message, T_SIZE, WS_MESSAGE_MIN, WS_MESSAGE_MAX, NULL,
        "Largest signalling message accepted, in bytes; a larger one closes\n"
        "the WebSocket with code 1009."),
    DIR(trusted_proxies, T_STRING, 0, 0, NULL,
        "Comma-separated IP addresses of reverse proxies (nginx) in front of\n"
        "Veche: for connections from them the client address (sign-in limits,\n"
        "logs) is taken from X-Forwarded-For.  Empty: the header is ignored."),
    DIR(ws_send_queue_kb, T_UINT, 16, 1048576, NULL,
        "Essential messages (offers, moderation, chat, ...) queued to one slow\n"
        "WebSocket peer, in KiB, before it is closed (1008).  Replaceable\n"
        "messages (attendance, quorum, quality, speaker, hands) never count:\n"
        "a slow reader gets their latest state only."),
    DIR(ws_send_stall_seconds, T_UINT, 1, 3600, NULL,
        "Seconds an essential message may wait unsent before the peer is\n"
        "closed as stuck (1008)."),
    DIR(ice_addresses, T_STRING, 0, 0, "media plane",
        "Comma-separated local IP addresses offered as ICE candidates.\n"
        "Empty: every address of every interface."),
    DIR(rtp_port_min, T_U16, 0, 65535, NULL,
        "Lowest UDP port for media (0 with rtp_port_max 0: any port)."),
    DIR(rtp_port_max, T_U16, 0, 65535, NULL,
        "Highest UDP port for media; open rtp_port_min..rtp_port_max in the\n"
        "firewall."),
    DIR(stun_server, T_STRING, 0, 0, NULL,
        "STUN server (host or IP) used to learn the public address; empty: none."),
    DIR(stun_port, T_U16, 1, 65535, NULL, "UDP port of stun_server."),
    DIR(public_address, T_STRING, 0, 0, NULL,
        "Public IP of a 1:1 NAT, announced instead of the host addresses;\n"
        "empty: none."),
    DIR(ice_tcp, T_BOOL, 0, 1, NULL,
        "Also offer ICE over TCP (RFC 6544): a passive TCP candidate on the\n"
        "same addresses and port range, for browsers that cannot send UDP to\n"
        "the server.  Open the port range for TCP too.  TURN over TLS on 443\n"
        "(turn_urls) reaches more networks (docs/operations.md)."),
    DIR(resume_grace_seconds, T_UINT, 1, 3600, NULL,
        "How long one whose connection dropped may come back as the same\n"
        "participant (resume): its floor, mute and place on the speakers\n"
        "list are kept that long, then it is gone for good."),
    DIR(max_room_participants, T_UINT, 1, 100000, NULL,
        "Most participants in a room that belongs to no event; more are\n"
        "refused (room-full)."),
    DIR(max_meeting_participants, T_UINT, 1, 100000, NULL,
        "Most participants in an event's meeting room, unless the event sets\n"
        "its own limit."),
    DIR(max_training_participants, T_UINT, 1, 100000, NULL,
        "Most participants in an event's training room, unless the event\n"
        "sets its own limit."),
    DIR(chat_rate_per_minute, T_UINT, 1, 60000, NULL,
        "Chat messages, hands and other requests that make the server tell\n"
        "everyone, per connection and minute (token bucket); more get\n"
        "rate-limited."),
    DIR(chat_burst, T_UINT, 1, 10000, NULL,
        "Requests of chat_rate_per_minute's kinds allowed at once (the\n"
        "bucket's size)."),
    DIR(nack_buffer_packets, T_UINT, 16, 65536, NULL,
        "Packets kept per video track to answer retransmission requests\n"
        "(NACK); rounded up to a power of two."),
    DIR(max_bitrate_kbps, T_UINT, 50, 1000000, NULL,
        "Highest bitrate asked of each publisher (REMB), in kbit/s."),
    DIR(udp_recv_buffer_kb, T_UINT, 64, 1048576, NULL,
        "Receive buffer of each media socket, in KiB, so that bursts (key\n"
        "frames, a busy CPU) are not dropped.  The kernel caps it at\n"
        "net.core.rmem_max unless veche runs as root (SO_RCVBUFFORCE); the\n"
        "log says at start what the kernel granted."),
    DIR(udp_send_buffer_kb, T_UINT, 64, 1048576, NULL,
        "Send buffer of each media socket, in KiB (capped at\n"
        "net.core.wmem_max unless root)."),
    DIR(media_workers, T_UINT, 0, 256, NULL,
        "Media worker threads; each room runs on one of them (the least\n"
        "loaded when it opens).  0: one per CPU core."),
    DIR(turn_urls, T_STRING, 0, 0, "TURN relay",
        "Comma-separated TURN server URLs handed to browsers, for people whose\n"
        "network lets only TCP 443 out, e.g.\n"
        "\"turn:turn.example.org:3478?transport=udp, turns:turn.example.org:443?transport=tcp\".\n"
        "Empty: no TURN (docs/operations.md shows a coturn setup)."),
    DIR(turn_secret, T_STRING, 0, 0, NULL,
        "The shared secret of the TURN server (coturn: use-auth-secret and\n"
        "static-auth-secret); each participant gets a credential made from it."),
    DIR(turn_ttl_seconds, T_UINT, 60, 604800, NULL,
        "Seconds a TURN credential stays valid; cover the longest meeting (the\n"
        "relay stops when it runs out; a reconnect gets a new one)."),
    DIR(database, T_STRING, 0, 0, "accounts and attendance",
        "SQLite database of organizations, rosters, accounts and attendance.\n"
        "Empty: veche.db in data_dir."),
    DIR(session_ttl_hours, T_UINT, 1, 8760, NULL,
        "Hours a sign-in or invitation session lasts unused; each use\n"
        "extends it, and joining an event keeps it until the event ends.\n"
        "An organization's session_hours (admin page) replaces it."),
    DIR(invitation_ttl_hours, T_UINT, 1, 8760, NULL,
        "Hours an invitation link stays valid."),
    DIR(presence_grace_seconds, T_UINT, 0, 86400, NULL,
        "A reconnect within this many seconds is not an absence in the\n"
        "attendance record."),
    DIR(smtp_relay, T_STRING, 0, 0, NULL,
        "SMTP relay \"host:port\" for password-reset mails (plain SMTP, no\n"
        "authentication: a local relay).  Empty: no mails are sent."),
    DIR(smtp_from, T_STRING, 0, 0, NULL,
        "Sender address of the password-reset mails."),
    DIR(public_url, T_STRING, 0, 0, NULL,
        "The server's address as people reach it, for links in mails and\n"
        "invitations.  Empty: https://localhost:PORT (from port and tls)."),
    DIR(time_zone, T_STRING, 0, 0, NULL,
        "IANA time zone of the attendance exports (CSV, printable page) and of\n"
        "times given to vechectl without an offset, e.g. \"Europe/Moscow\"."),
    DIR(demo, T_BOOL, 0, 1, NULL,
        "Seed a demo organization with accounts (password \"demo-password-1\")\n"
        "on start, once.  For trying Veche out only: never on a real server."),
    DIR(allow_anonymous_rooms, T_BOOL, 0, 1, NULL,
        "Allow rooms joined by name alone, without an event (no sign-in)."),
    DIR(event_join_early_minutes, T_UINT, 0, 10080, NULL,
        "Minutes before an event's start from which its members and guests may\n"
        "join (chair, secretary, trainer and administrators: any time).  Joins\n"
        "close at the event's end unless it is still under way."),
    DIR(login_max_failures, T_UINT, 1, 1000, "sign-in limits",
        "Failed sign-ins allowed for one e-mail address within\n"
        "login_lockout_seconds; then that address is refused (429) for\n"
        "login_lockout_seconds without its password being checked.  One client\n"
        "IP address may fail ten times as often (an office behind one NAT).\n"
        "A successful sign-in clears the address's count."),
    DIR(login_lockout_seconds, T_UINT, 1, 86400, NULL,
        "The window in which failures are counted, and how long a locked\n"
        "address (or IP) stays locked, in seconds."),
    DIR(password_threads, T_UINT, 0, 64, NULL,
        "Threads that check and hash passwords (Argon2id, about 0.1 s of one\n"
        "core per sign-in at libsodium's interactive cost).  They run below the\n"
        "media and the main loop (nice 10), so they use what those leave.\n"
        "0: one per CPU core (at most 4); a sign-in storm of 500 in a minute\n"
        "needs about one idle core (docs/performance.md \"Sign-in storm\")."),
    DIR(backup_interval_hours, T_UINT, 0, 8760, "backups",
        "Hours between online backups of the database taken by the running\n"
        "server (also one at start when the newest is older than that).\n"
        "0: none (then schedule `vechectl backup` yourself)."),
    DIR(backup_dir, T_STRING, 0, 0, NULL,
        "Directory of those backups, veche-YYYYmmddTHHMMSS.mmmZ.db.  Empty:\n"
        "data_dir/backups.  Copy it to another machine too."),
    DIR(backup_keep, T_UINT, 1, 100000, NULL,
        "How many of the newest backups are kept; older ones are removed."),
    DIR(recorder_path, T_STRING, 0, 0, "recording",
        "The veche-recorder program the server starts and supervises.  Empty:\n"
        "veche-recorder beside the veche program (or in the build tree), else\n"
        "on PATH.  \"none\": recording is off."),
    DIR(recorder_address, T_STRING, 0, 0, NULL,
        "IP address on which the recorder receives the media the server\n"
        "forwards to it (plain RTP over UDP: keep it on loopback or a private\n"
        "network)."),
    DIR(recording_min_free_mb, T_UINT, 1, 10000000, NULL,
        "Free disk space, in MiB, below which recording does not start and a\n"
        "recording under way is stopped cleanly (the trainer or chair is\n"
        "warned at twice this)."),
    DIR(retention_audit_days, T_UINT, 0, 36500, "retention of personal data",
        "Days the audit log is kept; the server's sweep (every\n"
        "retention_sweep_minutes) removes older entries.  0: kept forever."),
    DIR(retention_session_days, T_UINT, 1, 3650, NULL,
        "Days a sign-in session or a password reset link is kept at most,\n"
        "whatever its expiry; expired ones go at every sweep."),
    DIR(retention_chat_days, T_UINT, 0, 36500, NULL,
        "Days the chat of an event is kept, for organizations that set no\n"
        "chat retention of their own (PATCH /api/admin/orgs/ID\n"
        "chatRetentionDays).  0: kept forever."),
    DIR(retention_sweep_minutes, T_UINT, 0, 10080, NULL,
        "Minutes between the server's retention sweeps (on the backup\n"
        "thread, off the main loop).  0: none (run `vechectl retention-sweep`)."),
    DIR(log_level, T_STRING, 0, 0, "logging",
        "Least severe events logged: debug, info, warn or error."),
    DIR(metrics_token, T_STRING, 0, 0, "monitoring",
        "Bearer token that GET /metrics (Prometheus text format) requires\n"
        "in an `Authorization: Bearer TOKEN` header, from any address.\n"
        "Empty: /metrics answers only clients on this machine (loopback)."),
};

#define N_DIRECTIVES (sizeof directives / sizeof directives[0])

void veche_config_defaults(veche_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen_address, sizeof c->listen_address, "0.0.0.0");
    c->port = 8443;
    c->tls = true;
    snprintf(c->web_root, sizeof c->web_root, "web-client");
    snprintf(c->data_dir, sizeof c->data_dir, "./veche-data");
    c->ws_max_message = 65536;
    c->stun_port = 3478;
    c->max_room_participants = 100;
    c->resume_grace_seconds = 60;
    c->turn_ttl_seconds = 86400;
    c->max_meeting_participants = 100;
    c->max_training_participants = 500;
    c->chat_rate_per_minute = 30;
    c->chat_burst = 10;
    c->ws_send_queue_kb = 4096;
    c->ws_send_stall_seconds = 30;
    c->nack_buffer_packets = 1024;
    c->max_bitrate_kbps = 2500;
    c->udp_recv_buffer_kb = 4096;
    c->udp_send_buffer_kb = 4096;
    c->session_ttl_hours = 12;
    c->invitation_ttl_hours = 72;
    c->presence_grace_seconds = 60;
    snprintf(c->smtp_from, sizeof c->smtp_from, "veche@localhost");
    snprintf(c->time_zone, sizeof c->time_zone, "Europe/Moscow");
    c->allow_anonymous_rooms = true;
    c->event_join_early_minutes = 60;
    c->login_max_failures = 5;
    c->password_threads = 0;
    c->login_lockout_seconds = 900;
    c->backup_interval_hours = 24;
    c->backup_keep = 14;
    snprintf(c->recorder_address, sizeof c->recorder_address, "127.0.0.1");
    c->recording_min_free_mb = 500;
    c->retention_audit_days = 1095;
    c->retention_session_days = 30;
    c->retention_chat_days = 90;
    c->retention_sweep_minutes = 60;
    snprintf(c->log_level, sizeof c->log_level, "info");
}

void veche_config_database_path(const veche_config *c, char *out, size_t cap)
{
    if (c->database[0])
        snprintf(out, cap, "%s", c->database);
    else
        snprintf(out, cap, "%s/veche.db", c->data_dir);
}

static const directive *find_directive(const char *key, size_t klen)
{
    for (size_t i = 0; i < N_DIRECTIVES; i++)
        if (strlen(directives[i].name) == klen && memcmp(directives[i].name, key, klen) == 0)
            return &directives[i];
    return NULL;
}

/* Case-insensitive comparison of a counted string with a C string. */
static bool word_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

/* Parse an unsigned decimal number of at most 20 digits; no sign, no blanks. */
static int parse_number(const char *s, size_t len, unsigned long long *out)
{
    if (len == 0 || len > 20)
        return VECHE_EINVAL;
    unsigned long long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return VECHE_EINVAL;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10)
            return VECHE_ELIMIT;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Store value (len bytes, not NUL-terminated) into the field of d in c.
 * On failure writes the reason (without location) into why. */
static int apply(veche_config *c, const directive *d, const char *value, size_t len,
                 char *why, size_t whycap)
{
    char *field = (char *)c + d->offset;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)value[i];
        if (ch < 0x20 || ch == 0x7f) {
            snprintf(why, whycap, "%s: control character in value", d->name);
            return VECHE_EMALFORMED;
        }
    }
    int shown = len > 40 ? 40 : (int)len;
    if (d->type == T_STRING) {
        if (len >= d->size) {
            snprintf(why, whycap, "%s: value too long (%zu bytes, at most %zu)", d->name, len,
                     d->size - 1);
            return VECHE_ELIMIT;
        }
        memset(field, 0, d->size);  /* no stale bytes after the NUL */
        memcpy(field, value, len);
        return 0;
    }
    if (d->type == T_BOOL) {
        bool b;
        if (word_is(value, len, "true") || word_is(value, len, "yes") ||
            word_is(value, len, "on") || word_is(value, len, "1"))
            b = true;
        else if (word_is(value, len, "false") || word_is(value, len, "no") ||
                 word_is(value, len, "off") || word_is(value, len, "0"))
            b = false;
        else {
            snprintf(why, whycap, "%s: '%.*s' is not a boolean (true/false/yes/no/on/off/1/0)",
                     d->name, shown, value);
            return VECHE_EINVAL;
        }
        *(bool *)field = b;
        return 0;
    }
    unsigned long long v;
    int rc = parse_number(value, len, &v);
    if (rc == VECHE_EINVAL) {
        snprintf(why, whycap, "%s: '%.*s' is not a number", d->name, shown, value);
        return rc;
    }
    if (rc != 0 || v < d->min || v > d->max) {
        snprintf(why, whycap, "%s: '%.*s' out of range %llu..%llu", d->name, shown, value,
                 d->min, d->max);
        return VECHE_ELIMIT;
    }
    switch (d->type) {
    case T_U16: *(uint16_t *)field = (uint16_t)v; break;
    case T_UINT: *(unsigned *)field = (unsigned)v; break;
    case T_SIZE: *(size_t *)field = (size_t)v; break;
    default: break;
    }
    return 0;
}

int veche_config_set(veche_config *c, const char *key, const char *value, char *err,
                     size_t errcap)
{
    if (!c || !key || !value) {
        snprintf(err, errcap, "missing key or value");
        return VECHE_EINVAL;
    }
    const directive *d = find_directive(key, strlen(key));
    if (!d) {
        snprintf(err, errcap, "unknown directive '%.64s'", key);
        return VECHE_ENOTFOUND;
    }
    veche_config tmp = *c;
    int rc = apply(&tmp, d, value, strlen(value), err, errcap);
    if (rc == 0)
        *c = tmp;
    return rc;
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v';
}

static bool is_key_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

/* Parse one line (without its '\n') into c.  Returns 0 or a negative code
 * with the reason (no location) in why. */
static int parse_line(veche_config *c, const char *p, size_t len, char *why, size_t whycap)
{
    const char *end = p + len;
    while (p < end && is_blank(*p))
        p++;
    while (end > p && is_blank(end[-1]))
        end--;
    if (p == end || *p == '#')
        return 0;
    if (memchr(p, '\0', (size_t)(end - p))) {
        snprintf(why, whycap, "NUL byte in line");
        return VECHE_EMALFORMED;
    }
    const char *key = p;
    while (p < end && is_key_char(*p))
        p++;
    size_t klen = (size_t)(p - key);
    while (p < end && is_blank(*p))
        p++;
    if (klen == 0 || p == end || *p != '=') {
        snprintf(why, whycap, "expected 'key = value'");
        return VECHE_EMALFORMED;
    }
    p++;
    while (p < end && is_blank(*p))
        p++;

    const directive *d = find_directive(key, klen);
    if (!d) {
        snprintf(why, whycap, "unknown directive '%.*s'", klen > 64 ? 64 : (int)klen, key);
        return VECHE_ENOTFOUND;
    }

    if (p < end && *p == '"') {
        /* Quoted: \" is a quote and \\ a backslash (any other backslash is
         * kept); the first other quote ends the value, and only blanks or a
         * comment may follow it. */
        char *buf = malloc((size_t)(end - p));
        if (!buf) {
            snprintf(why, whycap, "out of memory");
            return VECHE_ENOMEM;
        }
        size_t n = 0;
        const char *q = p + 1;
        for (; q < end && *q != '"'; q++) {
            if (*q == '\\' && q + 1 < end && (q[1] == '"' || q[1] == '\\'))
                q++;
            buf[n++] = *q;
        }
        const char *t = q < end ? q + 1 : end;
        while (t < end && is_blank(*t))
            t++;
        int rc;
        if (q == end || (t < end && *t != '#')) {
            snprintf(why, whycap, "quoted value must end with '\"' (then only a comment)");
            rc = VECHE_EMALFORMED;
        } else {
            rc = apply(c, d, buf, n, why, whycap);
        }
        free(buf);
        return rc;
    }
    /* Unquoted: up to a '#' that starts the value or follows a blank. */
    const char *val = p, *vend = p;
    while (vend < end && !(*vend == '#' && (vend == val || is_blank(vend[-1]))))
        vend++;
    while (vend > val && is_blank(vend[-1]))
        vend--;
    return apply(c, d, val, (size_t)(vend - val), why, whycap);
}

int veche_config_load_buffer(veche_config *c, const char *name, const char *text, size_t len,
                             char *err, size_t errcap)
{
    if (!c || (!text && len)) {
        snprintf(err, errcap, "%s: no input", name ? name : "(config)");
        return VECHE_EINVAL;
    }
    veche_config tmp = *c;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - (text + pos)) : len - pos;
        char why[256];
        line++;
        int rc = parse_line(&tmp, text + pos, llen, why, sizeof why);
        if (rc != 0) {
            snprintf(err, errcap, "%s:%u: %s", name ? name : "(config)", line, why);
            return rc;
        }
        pos += llen + (nl ? 1 : 0);
    }
    *c = tmp;
    return 0;
}

int veche_config_load(veche_config *c, const char *path, char *err, size_t errcap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errcap, "%s: %s", path, strerror(errno));
        return VECHE_EIO;
    }
    char *buf = malloc(MAX_FILE_SIZE + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errcap, "%s: out of memory", path);
        return VECHE_ENOMEM;
    }
    size_t len = fread(buf, 1, MAX_FILE_SIZE + 1, f);
    int failed = ferror(f);
    fclose(f);
    int rc;
    if (failed) {
        snprintf(err, errcap, "%s: read error", path);
        rc = VECHE_EIO;
    } else if (len > MAX_FILE_SIZE) {
        snprintf(err, errcap, "%s: larger than %u bytes", path, MAX_FILE_SIZE);
        rc = VECHE_ELIMIT;
    } else {
        rc = veche_config_load_buffer(c, path, buf, len, err, errcap);
    }
    free(buf);
    return rc;
}

void veche_config_finish(veche_config *c)
{
    if (!c->public_url[0])
        snprintf(c->public_url, sizeof c->public_url, "%s://localhost:%u",
                 c->tls ? "https" : "http", (unsigned)c->port);
}

bool veche_config_listen_is_loopback(const veche_config *c)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, c->listen_address, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, c->listen_address, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

static bool is_ip_literal(const char *s, size_t len)
{
    char tmp[64];
    unsigned char addr[16];
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return inet_pton(AF_INET, tmp, addr) == 1 || inet_pton(AF_INET6, tmp, addr) == 1;
}

/* Check a comma-separated address list (ice_addresses, trusted_proxies):
 * every entry an IP literal. */
static int check_ip_list(const char *name, const char *list, char *err, size_t errcap)
{
    const char *p = list;
    if (!*p)
        return 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *e = comma ? comma : p + strlen(p);
        const char *s = p;
        while (s < e && is_blank(*s))
            s++;
        const char *t = e;
        while (t > s && is_blank(t[-1]))
            t--;
        if (!is_ip_literal(s, (size_t)(t - s))) {
            snprintf(err, errcap, "%s: '%.*s' is not an IPv4 or IPv6 address", name,
                     (int)((t - s) > 64 ? 64 : (t - s)), s);
            return VECHE_EINVAL;
        }
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int veche_config_validate(const veche_config *c, char *err, size_t errcap)
{
    if (!is_ip_literal(c->listen_address, strnlen(c->listen_address, sizeof c->listen_address))) {
        snprintf(err, errcap, "listen_address: '%.64s' is not an IPv4 or IPv6 address",
                 c->listen_address);
        return VECHE_EINVAL;
    }
    if (c->port == 0) {
        snprintf(err, errcap, "port: must not be 0");
        return VECHE_EINVAL;
    }
    if ((c->tls_cert[0] == '\0') != (c->tls_key[0] == '\0')) {
        snprintf(err, errcap, "tls_cert and tls_key: set both or neither");
        return VECHE_EINVAL;
    }
    if (c->web_root[0] == '\0') {
        snprintf(err, errcap, "web_root: must not be empty");
        return VECHE_EINVAL;
    }
    if (c->tls && c->tls_cert[0] == '\0' && c->data_dir[0] == '\0') {
        snprintf(err, errcap, "data_dir: must not be empty when the certificate is generated");
        return VECHE_EINVAL;
    }
    if (c->ws_max_message < WS_MESSAGE_MIN || c->ws_max_message > WS_MESSAGE_MAX) {
        snprintf(err, errcap, "ws_max_message: %zu out of range %u..%u", c->ws_max_message,
                 WS_MESSAGE_MIN, WS_MESSAGE_MAX);
        return VECHE_EINVAL;
    }
    if ((c->rtp_port_min == 0) != (c->rtp_port_max == 0)) {
        snprintf(err, errcap, "rtp_port_min and rtp_port_max: set both or neither (0)");
        return VECHE_EINVAL;
    }
    if (c->rtp_port_min > c->rtp_port_max) {
        snprintf(err, errcap, "rtp_port_min (%u) is above rtp_port_max (%u)", c->rtp_port_min,
                 c->rtp_port_max);
        return VECHE_EINVAL;
    }
    if (c->turn_urls[0] && !c->turn_secret[0]) {
        snprintf(err, errcap, "turn_secret: must be set when turn_urls is");
        return VECHE_EINVAL;
    }
    veche_turn_urls urls;
    if (veche_turn_urls_parse(c->turn_urls, &urls, err, errcap) != 0)
        return VECHE_EINVAL;
    if (c->stun_server[0] && c->stun_port == 0) {
        snprintf(err, errcap, "stun_port: must not be 0");
        return VECHE_EINVAL;
    }
    int rc = check_ip_list("ice_addresses", c->ice_addresses, err, errcap);
    if (rc == 0)
        rc = check_ip_list("trusted_proxies", c->trusted_proxies, err, errcap);
    if (rc != 0)
        return rc;
    if (c->public_address[0] &&
        !is_ip_literal(c->public_address, strnlen(c->public_address, sizeof c->public_address))) {
        snprintf(err, errcap, "public_address: '%.64s' is not an IPv4 or IPv6 address",
                 c->public_address);
        return VECHE_EINVAL;
    }
    if (c->smtp_relay[0] && !strchr(c->smtp_relay, ':')) {
        snprintf(err, errcap, "smtp_relay: '%.64s' is not host:port", c->smtp_relay);
        return VECHE_EINVAL;
    }
    if (c->public_url[0] && strncmp(c->public_url, "https://", 8) != 0 &&
        strncmp(c->public_url, "http://", 7) != 0) {
        snprintf(err, errcap, "public_url: '%.64s' must start with https:// or http://",
                 c->public_url);
        return VECHE_EINVAL;
    }
    if (!veche_config_time_zone_valid(c->time_zone)) {
        snprintf(err, errcap, "time_zone: '%.64s' is not a known time zone (e.g. Europe/Moscow)",
                 c->time_zone);
        return VECHE_EINVAL;
    }
    if (veche_log_parse_level(c->log_level, NULL) != 0) {
        snprintf(err, errcap, "log_level: '%.16s' is not debug, info, warn or error",
                 c->log_level);
        return VECHE_EINVAL;
    }
    for (const char *t = c->metrics_token; *t; t++)
        if (*t == ' ' || *t == '\t' || *t == ',') {
            snprintf(err, errcap, "metrics_token: must not contain blanks or commas");
            return VECHE_EINVAL;
        }
    return 0;
}

int veche_config_check_demo(const veche_config *c, char *err, size_t errcap)
{
    if (!c->demo || veche_config_listen_is_loopback(c))
        return 0;
    snprintf(err, errcap,
             "demo: demo = true (accounts with a published password) on listen_address "
             "'%.64s', which other machines reach; use 127.0.0.1, turn demo off, or start "
             "with --i-know-demo-is-public", c->listen_address);
    return VECHE_EINVAL;
}

/* The line of the file that set the directive an error message starts
 * with ("name: ..." or "name and other: ..."), 0 when none did. */
static unsigned error_line(const char *msg, const unsigned *lines)
{
    size_t n = 0;
    while (is_key_char(msg[n]))
        n++;
    const directive *d = n ? find_directive(msg, n) : NULL;
    return d ? lines[d - directives] : 0;
}

static void report(FILE *out, const char *path, unsigned line, const char *msg)
{
    if (line)
        fprintf(out, "%s:%u: %s\n", path, line, msg);
    else
        fprintf(out, "%s: %s\n", path, msg);
}

int veche_config_check(veche_config *c, const char *path, void *file)
{
    FILE *out = file;
    char err[512];
    gchar *text = NULL;
    gsize len = 0;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &text, &len, &gerr)) {
        fprintf(out, "%s: %s\n", path, gerr->message);
        g_error_free(gerr);
        return 1;
    }
    if (len > MAX_FILE_SIZE) {
        fprintf(out, "%s: larger than %u bytes\n", path, MAX_FILE_SIZE);
        g_free(text);
        return 1;
    }
    unsigned lines[N_DIRECTIVES] = {0};
    int problems = 0;
    unsigned line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *p = text + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - p) : len - pos;
        char why[256];
        line++;
        if (parse_line(c, p, llen, why, sizeof why) != 0) {
            report(out, path, line, why);
            problems++;
        } else {
            size_t k = 0;
            while (k < llen && is_blank(p[k]))
                k++;
            size_t ks = k;
            while (k < llen && is_key_char(p[k]))
                k++;
            const directive *d = k > ks ? find_directive(p + ks, k - ks) : NULL;
            if (d)
                lines[d - directives] = line;
        }
        pos += llen + (nl ? 1 : 0);
    }
    g_free(text);
    veche_config tmp = *c;
    veche_config_finish(&tmp);
    /* validate stops at the first problem: clear each one found by going
     * back to the default of that directive, then look again */
    veche_config defaults;
    veche_config_defaults(&defaults);
    for (int round = 0; round < (int)N_DIRECTIVES; round++) {
        if (veche_config_validate(&tmp, err, sizeof err) == 0)
            break;
        report(out, path, error_line(err, lines), err);
        problems++;
        size_t n = 0;
        while (is_key_char(err[n]))
            n++;
        const directive *d = n ? find_directive(err, n) : NULL;
        if (!d || memcmp((char *)&tmp + d->offset, (const char *)&defaults + d->offset,
                         d->size) == 0)
            break;  /* nothing to clear: stop rather than repeat the problem */
        memcpy((char *)&tmp + d->offset, (const char *)&defaults + d->offset, d->size);
        if (d->type == T_STRING && strcmp(d->name, "public_url") == 0)
            veche_config_finish(&tmp);
    }
    if (veche_config_check_demo(&tmp, err, sizeof err) != 0) {
        report(out, path, lines[find_directive("demo", 4) - directives], err);
        problems++;
    }
    return problems;
}

/* Print help as "# " lines, one per line of the help text. */
static void print_comment(FILE *f, const char *text)
{
    while (*text) {
        const char *nl = strchr(text, '\n');
        int n = nl ? (int)(nl - text) : (int)strlen(text);
        fprintf(f, "# %.*s\n", n, text);
        text += n + (nl ? 1 : 0);
    }
}

/* Print `name = "value"` with \" and \\ escaped, the inverse of parse_line. */
static void print_quoted(FILE *f, const char *name, const char *value, size_t len)
{
    fprintf(f, "%s = \"", name);
    for (size_t i = 0; i < len; i++) {
        if (value[i] == '"' || value[i] == '\\')
            fputc('\\', f);
        fputc(value[i], f);
    }
    fputs("\"\n", f);
}

void veche_config_print(const veche_config *c, void *file)
{
    FILE *f = file;
    fprintf(f, "# Veche configuration: one `key = value` per line; '#' starts a comment;\n"
               "# strings may be double-quoted.  `veche --help-config` prints this list\n"
               "# with the current values.\n");
    for (size_t i = 0; i < N_DIRECTIVES; i++) {
        const directive *d = &directives[i];
        const char *field = (const char *)c + d->offset;
        if (d->section)
            fprintf(f, "\n# ---- %s ----\n", d->section);
        fprintf(f, "\n");
        print_comment(f, d->help);
        switch (d->type) {
        case T_STRING:
            print_quoted(f, d->name, field, strnlen(field, d->size));
            break;
        case T_U16: fprintf(f, "%s = %u\n", d->name, (unsigned)*(const uint16_t *)field); break;
        case T_UINT: fprintf(f, "%s = %u\n", d->name, *(const unsigned *)field); break;
        case T_SIZE: fprintf(f, "%s = %zu\n", d->name, *(const size_t *)field); break;
        case T_BOOL:
            fprintf(f, "%s = %s\n", d->name, *(const bool *)field ? "true" : "false");
            break;
        }
    }
}

bool veche_config_time_zone_valid(const char *name)
{
    if (!name || !name[0] || strcmp(name, "UTC") == 0)
        return name && name[0];
    GTimeZone *tz = g_time_zone_new_identifier(name);
    if (!tz)
        return false;
    g_time_zone_unref(tz);
    return true;
}
