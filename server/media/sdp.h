/* sdp.h - Session Description Protocol for WebRTC (RFC 8866, RFC 8829
 * JSEP, RFC 8843 BUNDLE, RFC 8830 msid, RFC 8285 extmap, RFC 5245/8839 ICE,
 * RFC 8122 fingerprint), Unified Plan.
 *
 * The parser turns SDP text into a veche_sdp tree; the writer turns a tree
 * back into text.  The server builds answers and offers by filling a tree.
 * Only attributes WebRTC uses are modelled; any other attribute line is kept
 * verbatim in `other` so nothing is lost.  Session-level ICE and DTLS
 * attributes are copied into every media section by the parser, so callers
 * only look at media sections.
 *
 * Ownership: veche_sdp_parse() and veche_sdp_new() return a tree the caller
 * frees with veche_sdp_free().  Every string inside is owned by the tree.
 * Limits (bad input gets VECHE_ELIMIT / EMALFORMED and a reason, never a
 * crash): text up to 256 KiB, 512 media sections, 64 codecs per section,
 * lines up to 4 KiB.
 */
#ifndef VECHE_SDP_H
#define VECHE_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    VECHE_SDP_AUDIO,
    VECHE_SDP_VIDEO,
    VECHE_SDP_APPLICATION,
    VECHE_SDP_OTHER,
} veche_sdp_kind;

typedef enum {
    VECHE_SDP_SENDRECV,
    VECHE_SDP_SENDONLY,
    VECHE_SDP_RECVONLY,
    VECHE_SDP_INACTIVE,
} veche_sdp_dir;

typedef enum {
    VECHE_SDP_SETUP_NONE,
    VECHE_SDP_SETUP_ACTPASS,
    VECHE_SDP_SETUP_ACTIVE,
    VECHE_SDP_SETUP_PASSIVE,
} veche_sdp_setup;

#define VECHE_SDP_MAX_FB 12

/* Parser limits (see the comment at the top).  The per-section caps on
 * extmaps, SSRCs, groups, candidates and other lines bound the work a
 * hostile offer can cause; real browser offers use a small fraction. */
#define VECHE_SDP_MAX_TEXT       (256 * 1024)  /* bytes of SDP text */
#define VECHE_SDP_MAX_LINE       4096          /* bytes per line, without CRLF */
#define VECHE_SDP_MAX_MEDIA      512           /* media sections (and BUNDLE mids) */
#define VECHE_SDP_MAX_CODECS     64            /* per section */
#define VECHE_SDP_MAX_EXTMAPS    64            /* per section */
#define VECHE_SDP_MAX_SSRCS      64            /* per section */
#define VECHE_SDP_MAX_GROUPS     32            /* a=ssrc-group lines per section */
#define VECHE_SDP_MAX_CANDIDATES 256           /* per section */
#define VECHE_SDP_MAX_OTHER      256           /* unmodelled a= lines per section */

typedef struct {
    uint8_t pt;
    char name[32];            /* encoding name as written, e.g. "opus", "VP8" */
    uint32_t clock_rate;
    uint8_t channels;         /* 0 when absent */
    char *fmtp;               /* a=fmtp parameters or NULL */
    char *fb[VECHE_SDP_MAX_FB];  /* a=rtcp-fb values, e.g. "nack pli" */
    int n_fb;
} veche_sdp_codec;

typedef struct {
    uint8_t id;
    char *uri;
} veche_sdp_extmap;

typedef struct {
    uint32_t ssrc;
    char *cname;              /* NULL when absent */
    char *msid;               /* "stream track" from a=ssrc:N msid:, or NULL */
} veche_sdp_ssrc;

typedef struct {
    char semantics[16];       /* "FID", "SIM" */
    uint32_t ssrcs[8];
    int n;
} veche_sdp_ssrc_group;

typedef struct {
    veche_sdp_kind kind;
    char *kind_name;          /* "audio", "video", "application", ... */
    uint16_t port;            /* 0 = rejected / stopped */
    char *proto;              /* "UDP/TLS/RTP/SAVPF" */
    char *mid;                /* NULL when absent */
    veche_sdp_dir dir;
    char *msid;               /* a=msid value "stream track", or NULL */
    veche_sdp_codec *codecs;  /* in m-line order */
    int n_codecs;
    veche_sdp_extmap *extmaps;
    int n_extmaps;
    veche_sdp_ssrc *ssrcs;
    int n_ssrcs;
    veche_sdp_ssrc_group *groups;
    int n_groups;
    char *ice_ufrag;
    char *ice_pwd;
    bool ice_trickle;         /* a=ice-options:trickle */
    char *fingerprint_alg;    /* "sha-256" */
    char *fingerprint;        /* "AB:CD:..." */
    veche_sdp_setup setup;
    bool rtcp_mux;
    bool rtcp_rsize;
    char **candidates;        /* "candidate:..." values without "a=" */
    int n_candidates;
    bool end_of_candidates;
    char *conn_addr;          /* c= address, or NULL */
    char **other;             /* other a= lines, verbatim without "a=" */
    int n_other;
    /* Added after the first draft of this header: */
    char *fmt;                /* m= format list when proto is not RTP (e.g.
                               * "webrtc-datachannel"), or NULL */
    bool bundle_only;         /* a=bundle-only (RFC 8843 6): with port 0 and
                               * its mid in the BUNDLE group the section is
                               * live, not rejected; veche_sdp_media_active() */
} veche_sdp_media;

typedef struct {
    uint64_t session_id;
    uint64_t session_version;
    char *origin_user;        /* "-" normally */
    char *session_name;       /* "-" normally */
    char **bundle;            /* mids of a=group:BUNDLE */
    int n_bundle;
    char *msid_semantic;      /* e.g. "WMS *", or NULL */
    bool ice_lite;
    veche_sdp_media *media;
    int n_media;
} veche_sdp;

/* Parse SDP text (CRLF or LF line ends).  Returns a tree, or NULL with a
 * static or tree-independent reason in *err_desc (e.g. "line 7: bad m= line").
 * err_desc may be NULL.  The reason lives in a thread-local buffer that the
 * next veche_sdp_parse() on the same thread overwrites; code that wants no
 * hidden state uses veche_sdp_parse_r().  *err_desc is NULL on success. */
veche_sdp *veche_sdp_parse(const char *text, size_t len, const char **err_desc);

/* The reentrant parser behind veche_sdp_parse(): returns 0 and the tree in
 * *out, or a negative code (VECHE_EMALFORMED, VECHE_ELIMIT, VECHE_ENOMEM,
 * VECHE_EINVAL) with *out = NULL and the reason written into reason
 * (reason_size bytes, truncated; reason may be NULL).
 * Every tree it returns writes (veche_sdp_write) to text that parses back to
 * an equal tree: input whose canonical form would break the limits (say one
 * session-level fingerprint copied into 512 sections) is refused. */
int veche_sdp_parse_r(const char *text, size_t len, veche_sdp **out,
                      char *reason, size_t reason_size);

/* Free a tree; accepts NULL. */
void veche_sdp_free(veche_sdp *sdp);

/* An empty tree (v=0, o=- <random id> 2 IN IP4 127.0.0.1, s=-, t=0 0). */
veche_sdp *veche_sdp_new(void);

/* Append an empty media section (port 9, proto UDP/TLS/RTP/SAVPF, c=IN IP4
 * 0.0.0.0, direction sendrecv) and return it; pointer valid until the next
 * add.  NULL on OOM or past the limit. */
veche_sdp_media *veche_sdp_add_media(veche_sdp *sdp, veche_sdp_kind kind);

/* Builders for a media section.  Each copies its strings; return 0 or
 * VECHE_ENOMEM / VECHE_ELIMIT, or VECHE_EINVAL for a value the writer could
 * not print (CR or LF inside), a duplicate (payload type, extmap id, SSRC)
 * or an out-of-range number; add_codec returns NULL for all of these.
 * add_fb ignores a value the codec already has; add_candidate puts
 * "candidate:" in front when the value lacks it; add_group takes 1 to 8
 * SSRCs. */
int veche_sdp_media_set(char **field, const char *value); /* replace a string field */
veche_sdp_codec *veche_sdp_media_add_codec(veche_sdp_media *m, uint8_t pt,
                                           const char *name, uint32_t clock_rate,
                                           uint8_t channels, const char *fmtp);
int veche_sdp_codec_add_fb(veche_sdp_codec *c, const char *fb);
int veche_sdp_media_add_extmap(veche_sdp_media *m, uint8_t id, const char *uri);
int veche_sdp_media_add_ssrc(veche_sdp_media *m, uint32_t ssrc,
                             const char *cname, const char *msid);
int veche_sdp_media_add_group(veche_sdp_media *m, const char *semantics,
                              const uint32_t *ssrcs, int n);
int veche_sdp_media_add_candidate(veche_sdp_media *m, const char *candidate);
int veche_sdp_add_bundle(veche_sdp *sdp, const char *mid);

/* Lookups. */
const veche_sdp_codec *veche_sdp_media_find_codec(const veche_sdp_media *m,
                                                  const char *name);  /* case-insensitive */
const veche_sdp_codec *veche_sdp_media_codec_by_pt(const veche_sdp_media *m,
                                                   uint8_t pt);
/* The RTX payload type whose fmtp says apt=<pt>, or -1. */
int veche_sdp_media_rtx_for(const veche_sdp_media *m, uint8_t pt);
/* Extension id for a URI, or 0. */
uint8_t veche_sdp_media_extmap_id(const veche_sdp_media *m, const char *uri);
bool veche_sdp_codec_has_fb(const veche_sdp_codec *c, const char *fb);
/* The primary SSRC of a section (first one not an FID secondary), or 0; the
 * FID (RTX) partner of it, or 0. */
uint32_t veche_sdp_media_primary_ssrc(const veche_sdp_media *m);
uint32_t veche_sdp_media_rtx_ssrc(const veche_sdp_media *m, uint32_t primary);

/* BUNDLE (RFC 8843).  bundled: the section's mid is in the BUNDLE group.
 * active: the section is in use, i.e. its port is not 0, or it is port 0
 * with a=bundle-only and bundled (RFC 8843 6, 7.2.1: Firefox, GStreamer
 * webrtcbin and WHIP clients with max-bundle offer every section after the
 * first that way).  Any other port-0 section is rejected or stopped (JSEP
 * 5.2.2, 5.3.1).  transport: the section whose ICE and DTLS attributes
 * apply to m: m itself when it has ice-ufrag, ice-pwd and a fingerprint,
 * else, when m is bundled, the first active section of the group in
 * group order (the tagged one, RFC 8843 7.2.1, 7.3.1) that has them, else
 * m.  m must point into sdp. */
bool veche_sdp_media_bundled(const veche_sdp *sdp, const veche_sdp_media *m);
bool veche_sdp_media_active(const veche_sdp *sdp, const veche_sdp_media *m);
const veche_sdp_media *veche_sdp_media_transport(const veche_sdp *sdp,
                                                 const veche_sdp_media *m);

/* Serialize to text with CRLF line ends.  Returns a malloc'd string the caller
 * frees with free(), or NULL on OOM.  NULL fields are left out, except
 * origin_user and session_name ("-"), kind_name (from kind) and proto
 * ("UDP/TLS/RTP/SAVPF").  The m= line lists `fmt` when proto is not RTP and
 * fmt is set, else the codecs' payload types, else "0" (m= needs one
 * format).  Codecs with an empty name get no a=rtpmap; SSRCs with neither
 * cname nor msid get no a=ssrc line. */
char *veche_sdp_write(const veche_sdp *sdp);

/* True when the section's proto carries RTP ("RTP/" in it), so its formats
 * are payload types; false for SCTP data channels and the like. */
bool veche_sdp_media_is_rtp(const veche_sdp_media *m);

/* True when two trees agree in every modelled field (the o= address, t=,
 * a=rtcp, extmap directions and unknown session attributes are not
 * modelled).  Either may be NULL; two NULLs are equal. */
bool veche_sdp_equal(const veche_sdp *a, const veche_sdp *b);

/* "sendrecv", "sendonly", "recvonly", "inactive"; "sendrecv" for a value
 * outside the enum. */
const char *veche_sdp_dir_name(veche_sdp_dir d);

#endif
