/* config.h - Veche configuration: defaults, the `key = value` file format of
 * conf/veche.conf, and --set overrides from the command line.
 *
 * Directives are one table in config.c (name, type, field, help); unknown
 * keys and bad values are errors with the file name and line number.  The
 * struct is a plain value owned by the caller.
 */
#ifndef VECHE_CONFIG_H
#define VECHE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VECHE_PATH_MAX 1024

typedef struct {
    /* HTTPS + WSS listener */
    char listen_address[64];      /* "0.0.0.0"; "127.0.0.1" for local only */
    uint16_t port;                /* 8443 */
    bool tls;                     /* true; false only for debugging */
    char tls_cert[VECHE_PATH_MAX];/* empty: generate into data_dir */
    char tls_key[VECHE_PATH_MAX];
    char tls_names[256];          /* extra subjectAltNames for the generated cert */
    char web_root[VECHE_PATH_MAX];/* the web-client directory */
    char data_dir[VECHE_PATH_MAX];/* "./veche-data" */
    size_t ws_max_message;        /* bytes, 65536 */
    char trusted_proxies[512];    /* comma-separated IPs whose X-Forwarded-For counts */
    unsigned ws_send_queue_kb;    /* essential bytes queued to one peer before it is closed, 4096 */
    unsigned ws_send_stall_seconds; /* oldest unsent essential message age before closing, 30 */
    /* media plane */
    char ice_addresses[512];      /* comma-separated local IPs for ICE; empty = all */
    uint16_t rtp_port_min;        /* 0 = any */
    uint16_t rtp_port_max;
    char stun_server[256];        /* host or IP, empty = none */
    uint16_t stun_port;           /* 3478 */
    char public_address[64];      /* 1:1 NAT address announced instead of host IPs */
    bool ice_tcp;                 /* false: also passive TCP candidates (RFC 6544) */
    unsigned resume_grace_seconds;  /* 60: a dropped participant may resume */
    unsigned max_room_participants;  /* 100: rooms without an event, of either kind */
    unsigned max_meeting_participants;  /* 100: an event's meeting room */
    unsigned max_training_participants; /* 500: an event's training room */
    unsigned chat_rate_per_minute;   /* 30 chat messages a minute per connection ... */
    unsigned chat_burst;             /* ... after a burst of 10 */
    unsigned nack_buffer_packets; /* 1024 per video track */
    unsigned max_bitrate_kbps;    /* REMB cap sent to publishers, 2500 */
    unsigned udp_recv_buffer_kb;  /* SO_RCVBUF of media sockets, 4096 */
    unsigned udp_send_buffer_kb;  /* SO_SNDBUF of media sockets, 4096 */
    unsigned media_workers;       /* worker threads for rooms; 0 = one per core */
    /* TURN relay (coturn), handed to clients in `joined` */
    char turn_urls[1024];         /* comma-separated turn:/turns: URLs; empty = none */
    char turn_secret[256];        /* coturn's static-auth-secret */
    unsigned turn_ttl_seconds;    /* 86400: lifetime of a credential */
    /* accounts and attendance */
    char database[VECHE_PATH_MAX];/* empty: data_dir/veche.db */
    unsigned session_ttl_hours;   /* 12 */
    unsigned invitation_ttl_hours;/* 72 */
    unsigned presence_grace_seconds; /* 60 */
    char smtp_relay[256];         /* "host:port"; empty: no password-reset mail */
    char smtp_from[256];          /* sender address of those mails */
    char public_url[256];         /* links in mails; empty: derived from port and tls
                                     (veche_config_finish) */
    char time_zone[64];           /* "Europe/Moscow": exports and vechectl times */
    bool demo;                    /* false: seed a demo organization when true */
    bool allow_anonymous_rooms;   /* true: rooms joined without an event */
    unsigned event_join_early_minutes; /* 60: members join this early */
    unsigned login_max_failures;  /* 5 failed sign-ins per address (x10 per IP) ... */
    unsigned login_lockout_seconds; /* ... within 900 s lock it for 900 s */
    unsigned password_threads;    /* Argon2id threads (nice 10); 0 = one per core, at most 4 */
    char backup_dir[VECHE_PATH_MAX];/* empty: data_dir/backups */
    unsigned backup_interval_hours; /* 24; 0: no automatic backups */
    unsigned backup_keep;         /* 14 newest backups kept */
    /* recording (recorder/, docs/recording.md) */
    char recorder_path[VECHE_PATH_MAX];/* empty: veche-recorder beside veche, or PATH */
    char recorder_address[64];    /* "127.0.0.1": where the recorder receives media */
    unsigned recording_min_free_mb; /* 500: stop recording below this much free disk */
    /* retention of personal data (store_edit.h, the sweep in backup.c) */
    unsigned retention_audit_days;  /* 1095; 0: the audit log is kept forever */
    unsigned retention_session_days;/* 30: sessions and reset links at most */
    unsigned retention_chat_days;   /* 90: events' chat (an organization may set its own);
                                       0: kept forever */
    unsigned retention_sweep_minutes; /* 60; 0: no sweep by the server */
    /* logging */
    char log_level[16];           /* "debug", "info", "warn", "error" */
    /* monitoring */
    char metrics_token[128];      /* bearer token for /metrics; empty: loopback only */
} veche_config;

/* The database path: cfg->database, or data_dir/veche.db when empty. */
void veche_config_database_path(const veche_config *c, char *out, size_t cap);

/* Fill with the defaults above. */
void veche_config_defaults(veche_config *c);
/* Read a file on top of what *c holds.  Returns 0, or a negative code with
 * "path:line: reason" in err. */
int veche_config_load(veche_config *c, const char *path, char *err, size_t errcap);
/* Parse configuration text (len bytes, need not be NUL-terminated) on top of
 * *c; name is used in error messages ("name:line: reason").  *c is unchanged
 * on error.  veche_config_load() reads a file and calls this. */
int veche_config_load_buffer(veche_config *c, const char *name, const char *text,
                             size_t len, char *err, size_t errcap);
/* Set one directive by name, e.g. from "--set port=9443". */
int veche_config_set(veche_config *c, const char *key, const char *value,
                     char *err, size_t errcap);
/* Fill what is derived from other directives: an empty public_url becomes
 * "https://localhost:PORT" ("http://" without tls).  Call after loading. */
void veche_config_finish(veche_config *c);
/* Whether listen_address reaches only this machine (127.0.0.0/8 or ::1). */
bool veche_config_listen_is_loopback(const veche_config *c);
/* Check cross-field rules (port range order, ...). */
int veche_config_validate(const veche_config *c, char *err, size_t errcap);
/* `veche --check-config`: read path on top of *c (defaults, usually) and
 * report every problem to out (a FILE*), one "path:line: reason" per line:
 * each bad line, then the cross-field checks of veche_config_validate and
 * the demo-on-a-public-listener rule, with the line that set the directive
 * named.  Returns the number of problems (0: the file is good); *c holds
 * the good lines' values afterwards. */
int veche_config_check(veche_config *c, const char *path, void *out /* FILE* */);
/* The rule behind --i-know-demo-is-public: demo on a listener that other
 * machines reach.  Returns 0, or VECHE_EINVAL with the reason in err. */
int veche_config_check_demo(const veche_config *c, char *err, size_t errcap);

/* Print every directive with its help text and current value (for
 * `veche --help-config` and to keep conf/veche.conf honest). */
void veche_config_print(const veche_config *c, void *file /* FILE* */);

/* Whether name is a time zone GLib knows (an IANA name such as
 * "Europe/Moscow", or "UTC"). */
bool veche_config_time_zone_valid(const char *name);

#endif
