/* peer_sdp.h - the SDP veche-peer writes and reads: its publish offer, its
 * answer to the server's subscribe offer, and what it needs from the
 * server's SDP (ICE credentials, fingerprint, candidates, remote tracks).
 *
 * Pure functions over server/media/sdp.h trees: no I/O, no state.  Returned text
 * is malloc'd and freed by the caller with free().
 */
#ifndef VPEER_PEER_SDP_H
#define VPEER_PEER_SDP_H

#include <stdbool.h>
#include <stdint.h>

#include "clip.h"
#include "sdp.h"

/* Our side of a transport, as it goes into every media section. */
typedef struct {
    const char *ufrag, *pwd;
    const char *fingerprint;          /* sha-256, "AB:CD:..." */
    const char *const *candidates;    /* NULL-terminated; NULL = none */
    bool end_of_candidates;
    veche_sdp_setup setup;            /* of an answer; offers use actpass */
    bool rtx;                         /* answers accept offered video RTX */
} vpeer_sdp_local;

/* What we publish: one audio and one video track in one stream. */
typedef struct {
    uint32_t audio_ssrc, video_ssrc;
    const char *cname;
    const char *stream_id;
    const char *audio_track, *video_track;
    uint32_t video_rtx_ssrc;          /* offer RTX (PT 97) for VP8; 0 = no */
} vpeer_sdp_publish;

/* The remote side of a transport, pointing into a parsed tree. */
typedef struct {
    const char *ufrag, *pwd;
    const char *fp_alg, *fingerprint;
    veche_sdp_setup setup;
} vpeer_sdp_remote;

/* A media section of a subscribe offer that carries a remote track. */
typedef struct {
    const char *mid;
    char participant[128];            /* msid stream id (copied) */
    const char *track;                /* msid track id (into the tree) */
    vpeer_kind kind;
    uint32_t ssrc;                    /* primary SSRC, 0 when absent */
    bool active;                      /* port != 0 and sending to us */
    uint8_t pt;                       /* the codec we accept, 0 if none */
    uint32_t rtx_ssrc;                /* FID partner of ssrc, 0 if none */
    uint8_t rtx_pt;                   /* RTX payload type for pt, 0 if none */
} vpeer_sdp_track;

/* Our publish offer: BUNDLE 0 1, Opus (mid 0, PT 111) and VP8 (mid 1, PT 96),
 * sendonly, actpass.  NULL on OOM. */
char *vpeer_sdp_publish_offer(const vpeer_sdp_local *l,
                              const vpeer_sdp_publish *p);

/* Our answer to a subscribe offer: same mids, recvonly for sending sections,
 * inactive for inactive ones, the Opus or VP8 codec (and, with l->rtx, the
 * RTX codec for VP8), port 0 for port 0 or when no codec we know is
 * offered, a=setup from l->setup (active when NONE).  NULL with *err_desc
 * on failure. */
char *vpeer_sdp_subscribe_answer(const veche_sdp *offer,
                                 const vpeer_sdp_local *l,
                                 const char **err_desc);

/* ICE and DTLS parameters of the first non-rejected media section.
 * Returns 0, or VECHE_EMALFORMED with *err_desc when any is missing. */
int vpeer_sdp_remote_params(const veche_sdp *sdp, vpeer_sdp_remote *out,
                            const char **err_desc);

/* Calls fn for every candidate in every non-rejected media section. */
void vpeer_sdp_foreach_candidate(const veche_sdp *sdp,
                                 void (*fn)(void *ud, const char *cand),
                                 void *ud);

/* Fill out with the i-th audio/video section of a subscribe offer.  Returns
 * false when section i is not audio/video or has no msid. */
bool vpeer_sdp_track_at(const veche_sdp *offer, int i, vpeer_sdp_track *out);

/* Split a candidate line ("candidate:f 1 udp prio ADDR PORT typ ...") into
 * address and port.  Returns false for non-UDP or malformed ones. */
bool vpeer_sdp_candidate_addr(const char *cand, char *addr, size_t cap,
                              uint16_t *port);

#endif
