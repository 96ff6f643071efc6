/* sidecar.h - reads the JSON Lines sidecar of an archival part file
 * (docs/recording.md): the header, the tracks in Matroska order and the
 * marks, for the lesson renderer.
 *
 * It does not read the Matroska file and does no I/O: the caller hands the
 * whole text.  Unknown types and members are ignored, as the contract
 * asks; a line that is not a JSON object, or a known line missing a member
 * it needs, is an error with a reason naming the line.  Marks are kept in
 * the order of the file and then sorted by time (stable).
 *
 * Ownership: veche_sidecar_parse() gives a new veche_sidecar that the
 * caller frees with veche_sidecar_free() (accepts NULL).  Pure; any thread.
 */
#ifndef VECHE_SIDECAR_H
#define VECHE_SIDECAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VECHE_SIDECAR_MAX_TRACKS 64
#define VECHE_SIDECAR_MAX_MARKS 100000
#define VECHE_SIDECAR_NAME_MAX 128
#define VECHE_SIDECAR_LABEL_MAX 200

typedef enum {
    VECHE_TRACK_CAMERA,
    VECHE_TRACK_SCREEN,
    VECHE_TRACK_AUDIO,
} veche_track_kind;

typedef struct {
    int number;                   /* the Matroska TrackNumber, 1-based */
    veche_track_kind kind;
    int64_t participant;
    char role[16];                /* "trainer", "activist", ... or "" */
    char name[VECHE_SIDECAR_NAME_MAX];
} veche_sidecar_track;

typedef enum {
    VECHE_MARK_SCREEN_START,
    VECHE_MARK_SCREEN_STOP,
    VECHE_MARK_FLOOR_GIVEN,
    VECHE_MARK_FLOOR_TAKEN,
    VECHE_MARK_SPEAKER,
    VECHE_MARK_CHAPTER,
} veche_mark_what;

typedef struct {
    int64_t t_ms;                 /* from the part's time 0, >= 0 */
    veche_mark_what what;
    int64_t participant;          /* 0 when the mark names nobody */
    char label[VECHE_SIDECAR_LABEL_MAX]; /* chapter label, or the name given */
} veche_sidecar_mark;

typedef struct {
    int64_t event_id;
    int part;
    int64_t t0_ms;
    int64_t end_ms;               /* the end line's t_ms, or -1 (a crash) */
    size_t ntracks;
    veche_sidecar_track tracks[VECHE_SIDECAR_MAX_TRACKS];
    size_t nmarks;
    veche_sidecar_mark *marks;    /* nmarks of them, sorted by t_ms */
} veche_sidecar;

/* Parse text (len bytes, need not be NUL-terminated).  0 and *out, or a
 * negative veche_err-style code (-1) with a reason in err. */
int veche_sidecar_parse(const char *text, size_t len, veche_sidecar **out, char *err,
                        size_t errcap);
void veche_sidecar_free(veche_sidecar *s);

/* The track with this Matroska number, or NULL. */
const veche_sidecar_track *veche_sidecar_track_get(const veche_sidecar *s, int number);
/* The first track of kind belonging to participant, or NULL. */
const veche_sidecar_track *veche_sidecar_track_of(const veche_sidecar *s, int64_t participant,
                                                  veche_track_kind kind);
/* The participant whose tracks have role "trainer" (the first such), else
 * the owner of the first camera, else 0. */
int64_t veche_sidecar_trainer(const veche_sidecar *s);

#endif
