/* verify.h - per-track receive accounting of veche-peer.
 *
 * A remote track is known by the publishing participant's id, its track id
 * (from the subscribe SDP's msid) and its SSRC, within one of our own
 * subscribe sessions (a rejoin starts a new session).  For each track we
 * count packets, loss from sequence gaps, duplicates, and whether each packet
 * is identical to what the sender sent: the first payload found in the clip
 * anchors the clip index, and every later packet must carry payload
 * i = (first_idx + (ext_seq - first_ext_seq)) mod N byte for byte, with the
 * payload type the subscribe offer gave the track (the server's own
 * numbering, vpeer_verify_set_pt; the sender's by default), clip packet
 * i's marker bit, and the timestamp that follows from the anchor's by the
 * frames in between (the sender's rules in sender.h).  The server rewrites
 * SSRC, payload type, sequence numbers and timestamps per subscriber, so
 * only these relative rules, never the sender's absolute values, hold.  Packets arriving more than
 * VPEER_VERIFY_GRACE_US after the track was removed (track-removed,
 * participant-left or an inactive m-line) are counted in after_removed.
 *
 * Times are monotonic microseconds passed in by the caller, so the module is
 * testable with synthetic packets.  Ownership: the verifier borrows the clip,
 * which must outlive it; strings are copied.  One thread.
 */
#ifndef VPEER_VERIFY_H
#define VPEER_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clip.h"

#define VPEER_VERIFY_GRACE_US 1000000

typedef struct vpeer_verify vpeer_verify;

/* Read-only view of one track for reports. */
typedef struct {
    const char *participant;
    const char *name;         /* "" when unknown */
    const char *track;
    const char *mid;          /* subscribe m-line it came on, "" if unknown */
    vpeer_kind kind;
    uint32_t ssrc;
    int session;
    uint64_t packets;         /* distinct packets */
    uint64_t lost;
    uint64_t duplicates;
    uint64_t identical;       /* payload and header as sent */
    uint64_t mismatched;      /* packets - identical */
    uint64_t bad_header;      /* of mismatched: payload right, header not */
    uint64_t after_removed;
    uint64_t rtx;             /* packets that came as RTX (accepted) */
    uint64_t rtx_refused;     /* RTX packets although we refused RTX */
    int64_t added_us;
    int64_t removed_us;       /* -1 unless the server removed it */
    int64_t ended_us;         /* -1 unless our session ended first */
    int64_t first_us, last_us;/* -1 before the first packet */
} vpeer_track_info;

typedef enum {
    VPEER_RTP_OK,
    VPEER_RTP_FIRST_VIDEO,    /* first packet of a video track: send a PLI */
    VPEER_RTP_UNKNOWN_SSRC,
    VPEER_RTP_MALFORMED,
} vpeer_rtp_result;

vpeer_verify *vpeer_verify_new(const vpeer_clip *clip);
void vpeer_verify_free(vpeer_verify *v);  /* accepts NULL */

/* Add a track seen in session `session`; when the same (session,
 * participant, track, ssrc) is already there, live or removed, nothing
 * changes (re-offers repeat m-lines).  Returns its index. */
int vpeer_verify_add_track(vpeer_verify *v, int session,
                           const char *participant, const char *track,
                           vpeer_kind kind, uint32_t ssrc, int64_t now_us);
/* The mid of the subscribe m-line that carries track i (the server reuses
 * the m-lines of ended tracks, so one mid may carry several tracks in turn:
 * each is its own record). */
void vpeer_verify_set_mid(vpeer_verify *v, int i, const char *mid);
/* The payload type the subscribe offer gave track i (until this is
 * called: the clip's, VPEER_AUDIO_PT / VPEER_VIDEO_PT). */
void vpeer_verify_set_pt(vpeer_verify *v, int i, uint8_t pt);
/* The RTX stream (RFC 4588) the offer paired with track i: its SSRC and
 * payload type, and whether our answer accepted RTX. */
void vpeer_verify_set_rtx(vpeer_verify *v, int i, uint32_t rtx_ssrc,
                          uint8_t rtx_pt, bool accepted);

typedef enum {
    VPEER_RTX_NONE,           /* not an RTX packet of ours */
    VPEER_RTX_UNWRAPPED,      /* RTX we accepted, now the original packet */
    VPEER_RTX_REFUSED,        /* RTX although our answer refused it */
} vpeer_rtx_result;

/* When buf is RTX of a track of the session, count it; if we accepted RTX,
 * turn it back into the original packet in place (RFC 4588 section 4:
 * sequence number from the OSN, the track's SSRC and payload type; *len
 * shrinks by 2). */
vpeer_rtx_result vpeer_verify_unwrap_rtx(vpeer_verify *v, int session,
                                         uint8_t *buf, size_t *len);
/* True when ssrc is a live video track of the session (one to NACK). */
bool vpeer_verify_is_video(const vpeer_verify *v, int session, uint32_t ssrc);

/* Remember a participant's name (applies to its tracks, past and future). */
void vpeer_verify_set_name(vpeer_verify *v, const char *participant,
                           const char *name);
/* Mark live tracks removed; track NULL = all tracks of the participant. */
void vpeer_verify_remove(vpeer_verify *v, const char *participant,
                         const char *track, int64_t now_us);
/* Our own session ended (we left): its live tracks stop being live without
 * counting as removed by the server. */
void vpeer_verify_end_session(vpeer_verify *v, int session, int64_t now_us);

/* The run's window has ended: from now on each track counts only packets
 * up to the highest sequence number it has seen (repairs still in flight
 * fill their gaps; anything newer is ignored), so a loss being repaired at
 * the window's edge is not counted as lost (--settle-ms). */
void vpeer_verify_freeze(vpeer_verify *v);

/* Account one plain RTP packet received in a session. */
vpeer_rtp_result vpeer_verify_on_rtp(vpeer_verify *v, int session,
                                     const uint8_t *buf, size_t len,
                                     int64_t now_us);
/* Note a sender report (for the LSR/DLSR of our receiver reports). */
void vpeer_verify_on_sr(vpeer_verify *v, int session, uint32_t ssrc,
                        uint64_t ntp, int64_t now_us);
/* Write a receiver report (with report blocks for up to 31 live tracks of the
 * session that got packets) into buf.  Returns its length or a negative
 * code. */
int vpeer_verify_write_rr(vpeer_verify *v, int session, uint32_t our_ssrc,
                          uint8_t *buf, size_t cap, int64_t now_us);
/* SSRCs of the session's tracks the server removed (up to max); returns
 * the count. */
int vpeer_verify_removed_ssrcs(const vpeer_verify *v, int session,
                               uint32_t *ssrcs, int max);
/* SSRCs of the session's live video tracks (up to max); returns the count. */
int vpeer_verify_live_video(const vpeer_verify *v, int session,
                            uint32_t *ssrcs, int max);

uint64_t vpeer_verify_unknown_ssrc(const vpeer_verify *v);
int vpeer_verify_count(const vpeer_verify *v);
void vpeer_verify_get(const vpeer_verify *v, int i, vpeer_track_info *out);

#endif
