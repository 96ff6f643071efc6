/* ctl.h - the recorder's control protocol: one JSON object per line from
 * the server on stdin (commands), one per line back on stdout (events).
 * docs/recording.md, "The recorder process", lists them.
 *
 * veche_rec_ctl_parse is pure (no I/O, no global state) and fuzzed
 * (tests/fuzz/fuzz_recorder_ctl.c): any input gives 0 and a filled command,
 * or a negative code with a reason; it never crashes or leaks.
 *
 * Ownership: a parsed command owns its strings and JSON (freed with
 * veche_rec_ctl_clear).  Any thread.
 */
#ifndef VECHE_REC_CTL_H
#define VECHE_REC_CTL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define VECHE_REC_MAX_TRACKS 16
#define VECHE_REC_MAX_LINE 65536

typedef enum {
    VECHE_REC_OPEN,     /* part, path, meta, header, min_free_mb, bind */
    VECHE_REC_TRACKS,   /* part, tracks[] */
    VECHE_REC_MARK,     /* part, mark */
    VECHE_REC_STOP,     /* part */
    VECHE_REC_REPAIR,   /* part, path */
    VECHE_REC_QUIT,
} veche_rec_cmd_type;

typedef struct {
    uint32_t ssrc;
    uint8_t pt;
    bool video;          /* VP8; else Opus */
    json_t *info;        /* the sidecar's track line without type/track (owned) */
} veche_rec_track;

typedef struct {
    veche_rec_cmd_type type;
    int64_t part;        /* the recording row's id */
    char *path;          /* OPEN, REPAIR: the .mkv */
    char *meta;          /* OPEN: the .jsonl */
    char *bind;          /* OPEN: address for the UDP sockets (default 127.0.0.1) */
    json_t *header;      /* OPEN: the sidecar header's members (owned) */
    int64_t min_free_mb; /* OPEN */
    json_t *mark;        /* MARK: the mark's members (owned) */
    veche_rec_track tracks[VECHE_REC_MAX_TRACKS];
    unsigned n_tracks;
} veche_rec_cmd;

/* Parse one line (len bytes, not NUL-terminated).  0, or -1 with reason
 * (at least 128 bytes) filled; out is left cleared on failure. */
int veche_rec_ctl_parse(const char *line, size_t len, veche_rec_cmd *out, char *reason,
                        size_t reason_size);
void veche_rec_ctl_clear(veche_rec_cmd *cmd);

#endif
