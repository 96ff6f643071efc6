/* sdp.c - SDP parser, tree builders and lookups for WebRTC Unified Plan.
 *
 * Follows RFC 8866 (SDP line syntax), RFC 8829 (JSEP media sections),
 * RFC 8843 (BUNDLE, a=mid), RFC 8830 (a=msid), RFC 8285 (a=extmap),
 * RFC 4585 (a=rtcp-fb), RFC 5576 (a=ssrc, a=ssrc-group), RFC 8839 and
 * RFC 8838 (ICE attributes, a=end-of-candidates), RFC 8122 (a=fingerprint,
 * a=setup), RFC 5761/5506 (a=rtcp-mux, a=rtcp-rsize).  The writer and the
 * tree comparison live in sdp_write.c.
 *
 * Does not: model i=/u=/e=/p=/b=/r=/z=/k= lines (dropped), numbered ports
 * ("m=video 9/2", the count is dropped), multicast TTLs, extmap directions
 * and extension attributes, a=rtcp (dropped: WebRTC muxes RTCP), session-
 * level attributes other than the ones listed in attr_table (dropped), or
 * more than one fingerprint or msid per section (the extra lines are kept
 * verbatim in `other`, like every unknown media-level attribute).
 *
 * Invariants of a tree returned by the parser:
 *  1. It obeys every VECHE_SDP_MAX_* limit in sdp.h.
 *  2. No string in it holds a control character, so each prints back as
 *     one line; tokens (mid, ufrag, pwd, extmap URI...) hold no space.
 *  3. Session-level ICE/DTLS attributes, c= and the direction have been
 *     copied into every section that lacks them; a=rtcp-fb:* has been
 *     expanded into each codec.
 *  4. veche_sdp_write() of it parses back to an equal tree
 *     (veche_sdp_equal); parse_r checks the canonical text fits the limits.
 *  5. On failure nothing is returned and nothing leaks.
 *
 * Parser flow: text -> lines (read_lines: CRLF/LF, length, control chars)
 * -> one handler per line type (line_table) -> for a= lines one handler per
 * attribute name (attr_table), each allowed at session level, media level
 * or both.  Session-level values land in a scratch section (parser.sess)
 * that finish_media() copies from.
 */
#include "sdp.h"

#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

/* Arrays in the tree hold n elements in a block sized to the next power of
 * two, so no capacity field is needed.  Returns the (maybe moved) block
 * with room for n + 1 elements, or NULL on OOM (the old block stays). */
static void *grow(void *arr, int n, size_t elem)
{
    if (n != 0 && (n & (n - 1)) != 0)
        return arr;
    return realloc(arr, (n ? (size_t)n * 2 : 1) * elem);
}

/* A value the writer can print on one line. */
static bool printable(const char *s)
{
    return s && strpbrk(s, "\r\n") == NULL;
}

/* A non-empty value without blanks (mid, ufrag, URI, ...). */
static bool is_token(const char *s)
{
    return s && *s && strpbrk(s, " \t\r\n") == NULL;
}

/* Copy s onto the end of a string array. */
static int strv_push(char ***v, int *n, int limit, const char *s)
{
    if (*n >= limit)
        return VECHE_ELIMIT;
    if (!printable(s))
        return VECHE_EINVAL;
    char *copy = strdup(s);
    char **nv = copy ? grow(*v, *n, sizeof *nv) : NULL;
    if (!nv) {
        free(copy);
        return VECHE_ENOMEM;
    }
    nv[(*n)++] = copy;
    *v = nv;
    return 0;
}

static void strv_free(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Parse a whole string of decimal digits no larger than max. */
static bool parse_num(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (d > max || v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Fields are separated by spaces; tabs count as spaces so that no token
 * ends in a blank the line reader would strip on the way back. */
static char *skip_spaces(char *s)
{
    return s + strspn(s, " \t");
}

/* Cut the next blank-separated token off *s, in place; NULL when none. */
static char *next_tok(char **s)
{
    char *start = skip_spaces(*s), *end = start + strcspn(start, " \t");
    if (!*start) {
        *s = start;
        return NULL;
    }
    *s = *end ? end + 1 : end;
    *end = '\0';
    return start;
}

/* ------------------------------------------------------------------ */
/* Freeing                                                             */

static void codec_free(veche_sdp_codec *c)
{
    free(c->fmtp);
    for (int i = 0; i < c->n_fb; i++)
        free(c->fb[i]);
}

/* Free what a section owns, not the section itself. */
static void media_free(veche_sdp_media *m)
{
    free(m->kind_name);
    free(m->proto);
    free(m->mid);
    free(m->msid);
    for (int i = 0; i < m->n_codecs; i++)
        codec_free(&m->codecs[i]);
    free(m->codecs);
    for (int i = 0; i < m->n_extmaps; i++)
        free(m->extmaps[i].uri);
    free(m->extmaps);
    for (int i = 0; i < m->n_ssrcs; i++) {
        free(m->ssrcs[i].cname);
        free(m->ssrcs[i].msid);
    }
    free(m->ssrcs);
    free(m->groups);
    free(m->ice_ufrag);
    free(m->ice_pwd);
    free(m->fingerprint_alg);
    free(m->fingerprint);
    strv_free(m->candidates, m->n_candidates);
    free(m->conn_addr);
    strv_free(m->other, m->n_other);
    free(m->fmt);
}

void veche_sdp_free(veche_sdp *sdp)
{
    if (!sdp)
        return;
    free(sdp->origin_user);
    free(sdp->session_name);
    strv_free(sdp->bundle, sdp->n_bundle);
    free(sdp->msid_semantic);
    for (int i = 0; i < sdp->n_media; i++)
        media_free(&sdp->media[i]);
    free(sdp->media);
    free(sdp);
}

/* ------------------------------------------------------------------ */
/* Builders                                                            */

static const char *const kind_names[] = {
    [VECHE_SDP_AUDIO] = "audio",
    [VECHE_SDP_VIDEO] = "video",
    [VECHE_SDP_APPLICATION] = "application",
    [VECHE_SDP_OTHER] = "other",
};

static veche_sdp_kind kind_from_name(const char *name)
{
    for (int k = VECHE_SDP_AUDIO; k < VECHE_SDP_OTHER; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return (veche_sdp_kind)k;
    return VECHE_SDP_OTHER;
}

int veche_sdp_media_set(char **field, const char *value)
{
    char *copy = NULL;
    if (!field)
        return VECHE_EINVAL;
    if (value) {
        if (!printable(value))
            return VECHE_EINVAL;
        if (!(copy = strdup(value)))
            return VECHE_ENOMEM;
    }
    free(*field);
    *field = copy;
    return 0;
}

veche_sdp *veche_sdp_new(void)
{
    veche_sdp *sdp = calloc(1, sizeof *sdp);
    uint64_t id;
    if (!sdp)
        return NULL;
    if (getrandom(&id, sizeof id, 0) != (ssize_t)sizeof id ||
        veche_sdp_media_set(&sdp->origin_user, "-") != 0 ||
        veche_sdp_media_set(&sdp->session_name, "-") != 0) {
        veche_sdp_free(sdp);
        return NULL;
    }
    sdp->session_id = id & INT64_MAX;  /* JSEP: 63 bits */
    sdp->session_version = 2;
    return sdp;
}

/* A zeroed section on the end of sdp->media, or NULL (limit or OOM). */
static veche_sdp_media *media_append(veche_sdp *sdp)
{
    if (sdp->n_media >= VECHE_SDP_MAX_MEDIA)
        return NULL;
    veche_sdp_media *nm = grow(sdp->media, sdp->n_media, sizeof *nm);
    if (!nm)
        return NULL;
    sdp->media = nm;
    veche_sdp_media *m = &nm[sdp->n_media++];
    memset(m, 0, sizeof *m);
    return m;
}

veche_sdp_media *veche_sdp_add_media(veche_sdp *sdp, veche_sdp_kind kind)
{
    if ((unsigned)kind > VECHE_SDP_OTHER)
        return NULL;
    veche_sdp_media *m = media_append(sdp);
    if (!m)
        return NULL;
    m->kind = kind;
    m->port = 9;
    m->dir = VECHE_SDP_SENDRECV;
    if (veche_sdp_media_set(&m->kind_name, kind_names[kind]) != 0 ||
        veche_sdp_media_set(&m->proto, "UDP/TLS/RTP/SAVPF") != 0 ||
        veche_sdp_media_set(&m->conn_addr, "0.0.0.0") != 0) {
        media_free(m);
        sdp->n_media--;
        return NULL;
    }
    return m;
}

static veche_sdp_codec *codec_by_pt(veche_sdp_media *m, unsigned pt)
{
    for (int i = 0; i < m->n_codecs; i++)
        if (m->codecs[i].pt == pt)
            return &m->codecs[i];
    return NULL;
}

veche_sdp_codec *veche_sdp_media_add_codec(veche_sdp_media *m, uint8_t pt,
                                           const char *name, uint32_t clock_rate,
                                           uint8_t channels, const char *fmtp)
{
    name = name ? name : "";
    if (pt > 127 || codec_by_pt(m, pt) || m->n_codecs >= VECHE_SDP_MAX_CODECS ||
        strlen(name) >= sizeof m->codecs->name || strpbrk(name, " \t/\r\n") ||
        (fmtp && !printable(fmtp)))
        return NULL;
    char *f = fmtp ? strdup(fmtp) : NULL;
    veche_sdp_codec *nc = (f || !fmtp) ? grow(m->codecs, m->n_codecs, sizeof *nc) : NULL;
    if (!nc) {
        free(f);
        return NULL;
    }
    m->codecs = nc;
    veche_sdp_codec *c = &nc[m->n_codecs++];
    memset(c, 0, sizeof *c);
    c->pt = pt;
    snprintf(c->name, sizeof c->name, "%s", name);
    c->clock_rate = clock_rate;
    c->channels = channels;
    c->fmtp = f;
    return c;
}

int veche_sdp_codec_add_fb(veche_sdp_codec *c, const char *fb)
{
    if (!fb || !*fb || !printable(fb))
        return VECHE_EINVAL;
    if (veche_sdp_codec_has_fb(c, fb))
        return 0;
    if (c->n_fb >= VECHE_SDP_MAX_FB)
        return VECHE_ELIMIT;
    if (!(c->fb[c->n_fb] = strdup(fb)))
        return VECHE_ENOMEM;
    c->n_fb++;
    return 0;
}

int veche_sdp_media_add_extmap(veche_sdp_media *m, uint8_t id, const char *uri)
{
    if (id == 0 || !is_token(uri) || veche_sdp_media_extmap_id(m, uri))
        return VECHE_EINVAL;
    for (int i = 0; i < m->n_extmaps; i++)
        if (m->extmaps[i].id == id)
            return VECHE_EINVAL;
    if (m->n_extmaps >= VECHE_SDP_MAX_EXTMAPS)
        return VECHE_ELIMIT;
    char *u = strdup(uri);
    veche_sdp_extmap *ne = u ? grow(m->extmaps, m->n_extmaps, sizeof *ne) : NULL;
    if (!ne) {
        free(u);
        return VECHE_ENOMEM;
    }
    m->extmaps = ne;
    ne[m->n_extmaps++] = (veche_sdp_extmap){.id = id, .uri = u};
    return 0;
}

static veche_sdp_ssrc *find_ssrc(veche_sdp_media *m, uint32_t ssrc)
{
    for (int i = 0; i < m->n_ssrcs; i++)
        if (m->ssrcs[i].ssrc == ssrc)
            return &m->ssrcs[i];
    return NULL;
}

int veche_sdp_media_add_ssrc(veche_sdp_media *m, uint32_t ssrc,
                             const char *cname, const char *msid)
{
    if (find_ssrc(m, ssrc) || (cname && !printable(cname)) || (msid && !printable(msid)))
        return VECHE_EINVAL;
    if (m->n_ssrcs >= VECHE_SDP_MAX_SSRCS)
        return VECHE_ELIMIT;
    veche_sdp_ssrc s = {.ssrc = ssrc};
    if ((cname && !(s.cname = strdup(cname))) || (msid && !(s.msid = strdup(msid))))
        goto oom;
    veche_sdp_ssrc *ns = grow(m->ssrcs, m->n_ssrcs, sizeof *ns);
    if (!ns)
        goto oom;
    m->ssrcs = ns;
    ns[m->n_ssrcs++] = s;
    return 0;
oom:
    free(s.cname);
    free(s.msid);
    return VECHE_ENOMEM;
}

int veche_sdp_media_add_group(veche_sdp_media *m, const char *semantics,
                              const uint32_t *ssrcs, int n)
{
    veche_sdp_ssrc_group g = {.n = n};
    if (!is_token(semantics) || strlen(semantics) >= sizeof g.semantics ||
        n < 1 || n > (int)(sizeof g.ssrcs / sizeof g.ssrcs[0]) || !ssrcs)
        return VECHE_EINVAL;
    if (m->n_groups >= VECHE_SDP_MAX_GROUPS)
        return VECHE_ELIMIT;
    veche_sdp_ssrc_group *ng = grow(m->groups, m->n_groups, sizeof *ng);
    if (!ng)
        return VECHE_ENOMEM;
    m->groups = ng;
    snprintf(g.semantics, sizeof g.semantics, "%s", semantics);
    memcpy(g.ssrcs, ssrcs, (size_t)n * sizeof *ssrcs);
    ng[m->n_groups++] = g;
    return 0;
}

int veche_sdp_media_add_candidate(veche_sdp_media *m, const char *candidate)
{
    static const char prefix[] = "candidate:";
    if (!candidate || !printable(candidate))
        return VECHE_EINVAL;
    if (strncmp(candidate, prefix, sizeof prefix - 1) == 0)
        return strv_push(&m->candidates, &m->n_candidates,
                         VECHE_SDP_MAX_CANDIDATES, candidate);
    size_t len = sizeof prefix + strlen(candidate);
    char *full = malloc(len);
    if (!full)
        return VECHE_ENOMEM;
    snprintf(full, len, "%s%s", prefix, candidate);
    int rc = strv_push(&m->candidates, &m->n_candidates, VECHE_SDP_MAX_CANDIDATES, full);
    free(full);
    return rc;
}

int veche_sdp_add_bundle(veche_sdp *sdp, const char *mid)
{
    if (!is_token(mid))
        return VECHE_EINVAL;
    return strv_push(&sdp->bundle, &sdp->n_bundle, VECHE_SDP_MAX_MEDIA, mid);
}

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

const veche_sdp_codec *veche_sdp_media_find_codec(const veche_sdp_media *m,
                                                  const char *name)
{
    for (int i = 0; name && i < m->n_codecs; i++)
        if (strcasecmp(m->codecs[i].name, name) == 0)
            return &m->codecs[i];
    return NULL;
}

const veche_sdp_codec *veche_sdp_media_codec_by_pt(const veche_sdp_media *m,
                                                   uint8_t pt)
{
    for (int i = 0; i < m->n_codecs; i++)
        if (m->codecs[i].pt == pt)
            return &m->codecs[i];
    return NULL;
}

/* Does an fmtp parameter list ("apt=96;foo=1") hold apt=<pt>? */
static bool fmtp_has_apt(const char *fmtp, unsigned pt)
{
    for (const char *p = fmtp; p && *p; p = strchr(p, ';')) {
        while (*p == ';' || *p == ' ')
            p++;
        if (strncasecmp(p, "apt=", 4) != 0 || p[4] < '0' || p[4] > '9')
            continue;
        char *end;
        unsigned long v = strtoul(p + 4, &end, 10);
        if (v == pt && (*end == '\0' || *end == ';' || *end == ' '))
            return true;
    }
    return false;
}

int veche_sdp_media_rtx_for(const veche_sdp_media *m, uint8_t pt)
{
    for (int i = 0; i < m->n_codecs; i++) {
        const veche_sdp_codec *c = &m->codecs[i];
        if (strcasecmp(c->name, "rtx") == 0 && fmtp_has_apt(c->fmtp, pt))
            return c->pt;
    }
    return -1;
}

uint8_t veche_sdp_media_extmap_id(const veche_sdp_media *m, const char *uri)
{
    for (int i = 0; uri && i < m->n_extmaps; i++)
        if (strcmp(m->extmaps[i].uri, uri) == 0)
            return m->extmaps[i].id;
    return 0;
}

bool veche_sdp_codec_has_fb(const veche_sdp_codec *c, const char *fb)
{
    for (int i = 0; fb && i < c->n_fb; i++)
        if (strcasecmp(c->fb[i], fb) == 0)
            return true;
    return false;
}

static bool is_fid_secondary(const veche_sdp_media *m, uint32_t ssrc)
{
    for (int i = 0; i < m->n_groups; i++) {
        const veche_sdp_ssrc_group *g = &m->groups[i];
        if (strcmp(g->semantics, "FID") != 0)
            continue;
        for (int j = 1; j < g->n; j++)
            if (g->ssrcs[j] == ssrc)
                return true;
    }
    return false;
}

uint32_t veche_sdp_media_primary_ssrc(const veche_sdp_media *m)
{
    for (int i = 0; i < m->n_ssrcs; i++)
        if (!is_fid_secondary(m, m->ssrcs[i].ssrc))
            return m->ssrcs[i].ssrc;
    return 0;
}

uint32_t veche_sdp_media_rtx_ssrc(const veche_sdp_media *m, uint32_t primary)
{
    for (int i = 0; i < m->n_groups; i++) {
        const veche_sdp_ssrc_group *g = &m->groups[i];
        if (strcmp(g->semantics, "FID") == 0 && g->n >= 2 && g->ssrcs[0] == primary)
            return g->ssrcs[1];
    }
    return 0;
}

bool veche_sdp_media_bundled(const veche_sdp *sdp, const veche_sdp_media *m)
{
    for (int i = 0; m->mid && i < sdp->n_bundle; i++)
        if (strcmp(sdp->bundle[i], m->mid) == 0)
            return true;
    return false;
}

bool veche_sdp_media_active(const veche_sdp *sdp, const veche_sdp_media *m)
{
    return m->port != 0 || (m->bundle_only && veche_sdp_media_bundled(sdp, m));
}

static bool has_transport(const veche_sdp_media *m)
{
    return m->ice_ufrag && m->ice_pwd && m->fingerprint && m->fingerprint_alg;
}

static const veche_sdp_media *media_by_mid(const veche_sdp *sdp, const char *mid)
{
    for (int i = 0; i < sdp->n_media; i++)
        if (sdp->media[i].mid && strcmp(sdp->media[i].mid, mid) == 0)
            return &sdp->media[i];
    return NULL;
}

const veche_sdp_media *veche_sdp_media_transport(const veche_sdp *sdp,
                                                 const veche_sdp_media *m)
{
    if (has_transport(m) || !veche_sdp_media_bundled(sdp, m))
        return m;
    for (int i = 0; i < sdp->n_bundle; i++) {
        const veche_sdp_media *t = media_by_mid(sdp, sdp->bundle[i]);
        if (t && has_transport(t) && veche_sdp_media_active(sdp, t))
            return t;
    }
    return m;
}

bool veche_sdp_media_is_rtp(const veche_sdp_media *m)
{
    return m->proto && strstr(m->proto, "RTP/") != NULL;
}

const char *veche_sdp_dir_name(veche_sdp_dir d)
{
    static const char *const names[] = {
        [VECHE_SDP_SENDRECV] = "sendrecv",
        [VECHE_SDP_SENDONLY] = "sendonly",
        [VECHE_SDP_RECVONLY] = "recvonly",
        [VECHE_SDP_INACTIVE] = "inactive",
    };
    return (unsigned)d <= VECHE_SDP_INACTIVE ? names[d] : "sendrecv";
}

/* ------------------------------------------------------------------ */
/* Parser state                                                        */

typedef struct parser parser;
typedef struct attr_handler attr_handler;

struct parser {
    veche_sdp *sdp;
    veche_sdp_media *m;          /* current section; NULL at session level */
    veche_sdp_media sess;        /* session-level defaults (owned here) */
    int line;                    /* 1-based number of the current line */
    bool seen_t;
    bool dir_seen;               /* in the current section (or session) */
    bool ice_options_seen;       /* in the current section */
    uint8_t rtpmap_seen[16];     /* bitmaps by payload type, current section */
    uint8_t fmtp_seen[16];
    const char *attr;            /* current a= line without "a=", pristine */
    char text[VECHE_SDP_MAX_LINE + 1];  /* the current line */
    char work[VECHE_SDP_MAX_LINE + 1];  /* scratch copy handlers cut up */
    char *reason;
    size_t reason_size;
};

/* Handlers return 0, a negative code (reason set with fail()), or KEEP to
 * keep the line verbatim in `other` (media level) / drop it (session). */
enum { KEEP = 1 };

static int fail(parser *p, int code, const char *fmt, ...)
{
    if (!p->reason || p->reason_size == 0)
        return code;
    size_t n = 0;
    if (p->line > 0) {
        int w = snprintf(p->reason, p->reason_size, "line %d: ", p->line);
        n = w < 0 ? 0 : (size_t)w < p->reason_size ? (size_t)w : p->reason_size - 1;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->reason + n, p->reason_size - n, fmt, ap);
    va_end(ap);
    return code;
}

/* Turn a builder's return code into a parse error. */
static int built(parser *p, int rc, const char *what)
{
    if (rc == VECHE_ENOMEM)
        return fail(p, rc, "out of memory");
    if (rc == VECHE_ELIMIT)
        return fail(p, rc, "too many %s", what);
    if (rc < 0)
        return fail(p, rc, "bad %s", what);
    return rc;
}

static bool bit_test_set(uint8_t *bits, unsigned i)
{
    bool was = bits[i / 8] & (1u << (i % 8));
    bits[i / 8] |= (uint8_t)(1u << (i % 8));
    return was;
}

/* ------------------------------------------------------------------ */
/* Attribute handlers (a= lines)                                       */

typedef int (*attr_fn)(parser *p, veche_sdp_media *m, const attr_handler *h, char *val);

enum { SESSION = 1, MEDIA = 2 };

struct attr_handler {
    const char *name;
    attr_fn fn;
    unsigned scope;              /* SESSION | MEDIA */
    size_t arg;                  /* field offset or enum value */
};

static int bad(parser *p, const attr_handler *h)
{
    return fail(p, VECHE_EMALFORMED, "bad a=%s line", h->name);
}

static int dup_attr(parser *p, const attr_handler *h)
{
    return fail(p, VECHE_EMALFORMED, "duplicate a=%s", h->name);
}

#define FIELD(m, type, off) ((type *)((char *)(m) + (off)))

/* Flags without a value: a=rtcp-mux, a=rtcp-rsize, a=end-of-candidates,
 * a=bundle-only. */
static int a_flag(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    if (val)
        return bad(p, h);
    *FIELD(m, bool, h->arg) = true;
    return 0;
}

static int a_ice_lite(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    if (val)
        return bad(p, h);
    p->sdp->ice_lite = true;
    return 0;
}

static int a_dir(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    if (val)
        return bad(p, h);
    if (p->dir_seen)
        return fail(p, VECHE_EMALFORMED, "more than one direction attribute");
    p->dir_seen = true;
    m->dir = (veche_sdp_dir)h->arg;
    return 0;
}

/* Single tokens stored once: a=ice-ufrag, a=ice-pwd. */
static int a_token(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    char **field = FIELD(m, char *, h->arg);
    if (!is_token(val))
        return bad(p, h);
    if (*field)
        return dup_attr(p, h);
    return built(p, veche_sdp_media_set(field, val), "value");
}

static int a_mid(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    if (!is_token(val))
        return bad(p, h);
    if (m->mid)
        return dup_attr(p, h);
    for (int i = 0; i < p->sdp->n_media; i++)
        if (p->sdp->media[i].mid && strcmp(p->sdp->media[i].mid, val) == 0)
            return fail(p, VECHE_EMALFORMED, "mid used by two media sections");
    return built(p, veche_sdp_media_set(&m->mid, val), "a=mid");
}

static int a_msid(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    if (!val || !*val)
        return bad(p, h);
    if (m->msid)
        return KEEP;  /* a second stream id: kept verbatim */
    return built(p, veche_sdp_media_set(&m->msid, val), "a=msid");
}

static int a_group(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    char *sem = val ? next_tok(&val) : NULL;
    if (!sem)
        return bad(p, h);
    if (strcmp(sem, "BUNDLE") != 0)
        return 0;  /* LS, FID, ... groups are not modelled */
    for (char *mid; (mid = next_tok(&val));) {
        int rc = built(p, veche_sdp_add_bundle(p->sdp, mid), "BUNDLE mids");
        if (rc)
            return rc;
    }
    return 0;
}

static int a_msid_semantic(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    if (!val)
        return bad(p, h);
    return built(p, veche_sdp_media_set(&p->sdp->msid_semantic, skip_spaces(val)),
                 "a=msid-semantic");
}

static int a_ice_options(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    if (!val || !*val)
        return bad(p, h);
    p->ice_options_seen = true;
    for (char *opt; (opt = next_tok(&val));)
        if (strcmp(opt, "trickle") == 0)
            m->ice_trickle = true;
    return 0;
}

static int a_fingerprint(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    char *alg = val ? next_tok(&val) : NULL, *fp = alg ? next_tok(&val) : NULL;
    if (!fp || next_tok(&val))
        return bad(p, h);
    if (m->fingerprint)
        return KEEP;  /* a second hash function: kept verbatim */
    int rc = built(p, veche_sdp_media_set(&m->fingerprint_alg, alg), "a=fingerprint");
    return rc ? rc : built(p, veche_sdp_media_set(&m->fingerprint, fp), "a=fingerprint");
}

static int a_setup(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    static const char *const roles[] = {
        [VECHE_SDP_SETUP_ACTPASS] = "actpass",
        [VECHE_SDP_SETUP_ACTIVE] = "active",
        [VECHE_SDP_SETUP_PASSIVE] = "passive",
    };
    for (int r = VECHE_SDP_SETUP_ACTPASS; val && r <= VECHE_SDP_SETUP_PASSIVE; r++) {
        if (strcmp(val, roles[r]) != 0)
            continue;
        if (m->setup != VECHE_SDP_SETUP_NONE)
            return dup_attr(p, h);
        m->setup = (veche_sdp_setup)r;
        return 0;
    }
    return bad(p, h);
}

/* A payload type token of a=rtpmap/fmtp/rtcp-fb. */
static int parse_pt(parser *p, const attr_handler *h, const char *tok, unsigned *pt)
{
    uint64_t v;
    if (!tok)
        return bad(p, h);
    if (!parse_num(tok, 127, &v))
        return fail(p, VECHE_EMALFORMED, "bad payload type in a=%s", h->name);
    *pt = (unsigned)v;
    return 0;
}

/* The payload type that starts the value, cut off *val. */
static int take_pt(parser *p, const attr_handler *h, char **val, unsigned *pt)
{
    return parse_pt(p, h, *val ? next_tok(val) : NULL, pt);
}

/* "opus/48000/2" into c (NULL: a payload type not in the m= line). */
static int set_encoding(parser *p, const attr_handler *h, veche_sdp_codec *c, char *enc)
{
    char *rate = strchr(enc, '/'), *chans = rate ? strchr(rate + 1, '/') : NULL;
    uint64_t r, ch = 0;
    if (!rate || rate == enc || (size_t)(rate - enc) >= sizeof c->name)
        return bad(p, h);
    *rate++ = '\0';
    if (chans)
        *chans++ = '\0';
    if (!parse_num(rate, UINT32_MAX, &r) || r == 0 ||
        (chans && (!parse_num(chans, 255, &ch) || ch == 0)))
        return bad(p, h);
    if (c) {
        snprintf(c->name, sizeof c->name, "%s", enc);
        c->clock_rate = (uint32_t)r;
        c->channels = (uint8_t)ch;
    }
    return 0;
}

static int a_rtpmap(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    unsigned pt;
    int rc = take_pt(p, h, &val, &pt);
    char *enc = rc ? NULL : next_tok(&val);
    if (rc)
        return rc;
    if (!enc || next_tok(&val))
        return bad(p, h);
    if (bit_test_set(p->rtpmap_seen, pt))
        return fail(p, VECHE_EMALFORMED, "duplicate a=rtpmap for payload type %u", pt);
    return set_encoding(p, h, codec_by_pt(m, pt), enc);
}

static int a_fmtp(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    unsigned pt;
    int rc = take_pt(p, h, &val, &pt);
    if (rc)
        return rc;
    val = skip_spaces(val);
    if (!*val)
        return bad(p, h);
    if (bit_test_set(p->fmtp_seen, pt))
        return fail(p, VECHE_EMALFORMED, "duplicate a=fmtp for payload type %u", pt);
    veche_sdp_codec *c = codec_by_pt(m, pt);
    return c ? built(p, veche_sdp_media_set(&c->fmtp, val), "a=fmtp") : 0;
}

static int add_fb(parser *p, veche_sdp_codec *c, const char *fb)
{
    int rc = veche_sdp_codec_add_fb(c, fb);
    if (rc == VECHE_ELIMIT)
        return fail(p, rc, "too many a=rtcp-fb for payload type %u (max %d)",
                    c->pt, VECHE_SDP_MAX_FB);
    return built(p, rc, "a=rtcp-fb");
}

static int a_rtcp_fb(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    char *tok = val ? next_tok(&val) : NULL;
    bool all = tok && strcmp(tok, "*") == 0;  /* RFC 4585 4.2: every codec */
    unsigned pt = 0;
    int rc = all ? 0 : parse_pt(p, h, tok, &pt);
    if (rc)
        return rc;
    val = skip_spaces(val);
    if (!*val)
        return bad(p, h);
    for (int i = 0; rc == 0 && i < m->n_codecs; i++)
        if (all || m->codecs[i].pt == pt)
            rc = add_fb(p, &m->codecs[i], val);
    return rc;
}

static int a_extmap(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    char *id = val ? next_tok(&val) : NULL, *uri = id ? next_tok(&val) : NULL;
    char *dir = id ? strchr(id, '/') : NULL;
    uint64_t v;
    if (dir)
        *dir++ = '\0';
    if (!uri || !parse_num(id, 255, &v) || v == 0)
        return bad(p, h);
    if (dir && strcmp(dir, "sendrecv") && strcmp(dir, "sendonly") &&
        strcmp(dir, "recvonly") && strcmp(dir, "inactive"))
        return bad(p, h);
    for (int i = 0; i < m->n_extmaps; i++)
        if (m->extmaps[i].id == v || strcmp(m->extmaps[i].uri, uri) == 0)
            return fail(p, VECHE_EMALFORMED, "duplicate a=extmap id or URI");
    return built(p, veche_sdp_media_add_extmap(m, (uint8_t)v, uri), "a=extmap");
}

static int a_ssrc(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    char *num = val ? next_tok(&val) : NULL, *attr = num ? skip_spaces(val) : NULL;
    char *colon = attr ? strchr(attr, ':') : NULL;
    uint64_t ssrc;
    if (!num || !parse_num(num, UINT32_MAX, &ssrc) || !*attr)
        return bad(p, h);
    if (!colon || (strncmp(attr, "cname:", 6) != 0 && strncmp(attr, "msid:", 5) != 0))
        return KEEP;  /* label:, mslabel:, ... kept verbatim */
    if (!colon[1])
        return bad(p, h);
    veche_sdp_ssrc *s = find_ssrc(m, (uint32_t)ssrc);
    if (!s) {
        int rc = built(p, veche_sdp_media_add_ssrc(m, (uint32_t)ssrc, NULL, NULL), "a=ssrc");
        if (rc)
            return rc;
        s = &m->ssrcs[m->n_ssrcs - 1];
    }
    char **field = attr[0] == 'c' ? &s->cname : &s->msid;
    if (*field)
        return dup_attr(p, h);
    return built(p, veche_sdp_media_set(field, colon + 1), "a=ssrc");
}

static int a_ssrc_group(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    char *sem = val ? next_tok(&val) : NULL;
    uint32_t ssrcs[8];
    int n = 0;
    for (char *tok; sem && (tok = next_tok(&val));) {
        uint64_t v;
        if (!parse_num(tok, UINT32_MAX, &v))
            return bad(p, h);
        if (n == 8)
            return fail(p, VECHE_ELIMIT, "too many SSRCs in a=ssrc-group (max 8)");
        ssrcs[n++] = (uint32_t)v;
    }
    if (!sem || n == 0 || strlen(sem) >= sizeof m->groups->semantics)
        return bad(p, h);
    return built(p, veche_sdp_media_add_group(m, sem, ssrcs, n), "a=ssrc-group");
}

static int a_candidate(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    if (!val || !*val)
        return bad(p, h);
    return built(p, veche_sdp_media_add_candidate(m, p->attr), "a=candidate");
}

static int a_drop(parser *p, veche_sdp_media *m, const attr_handler *h, char *val)
{
    return 0;
}

#define OFF(f) offsetof(veche_sdp_media, f)

static const attr_handler attr_table[] = {
    {"group", a_group, SESSION, 0},
    {"msid-semantic", a_msid_semantic, SESSION, 0},
    {"ice-lite", a_ice_lite, SESSION, 0},
    {"ice-ufrag", a_token, SESSION | MEDIA, OFF(ice_ufrag)},
    {"ice-pwd", a_token, SESSION | MEDIA, OFF(ice_pwd)},
    {"ice-options", a_ice_options, SESSION | MEDIA, 0},
    {"fingerprint", a_fingerprint, SESSION | MEDIA, 0},
    {"setup", a_setup, SESSION | MEDIA, 0},
    {"sendrecv", a_dir, SESSION | MEDIA, VECHE_SDP_SENDRECV},
    {"sendonly", a_dir, SESSION | MEDIA, VECHE_SDP_SENDONLY},
    {"recvonly", a_dir, SESSION | MEDIA, VECHE_SDP_RECVONLY},
    {"inactive", a_dir, SESSION | MEDIA, VECHE_SDP_INACTIVE},
    {"mid", a_mid, MEDIA, 0},
    {"msid", a_msid, MEDIA, 0},
    {"rtpmap", a_rtpmap, MEDIA, 0},
    {"fmtp", a_fmtp, MEDIA, 0},
    {"rtcp-fb", a_rtcp_fb, MEDIA, 0},
    {"extmap", a_extmap, MEDIA, 0},
    {"ssrc", a_ssrc, MEDIA, 0},
    {"ssrc-group", a_ssrc_group, MEDIA, 0},
    {"rtcp-mux", a_flag, MEDIA, OFF(rtcp_mux)},
    {"rtcp-rsize", a_flag, MEDIA, OFF(rtcp_rsize)},
    {"candidate", a_candidate, MEDIA, 0},
    {"end-of-candidates", a_flag, MEDIA, OFF(end_of_candidates)},
    {"bundle-only", a_flag, MEDIA, OFF(bundle_only)},
    {"rtcp", a_drop, MEDIA, 0},
};

static const attr_handler *find_attr(const char *name, unsigned scope)
{
    for (size_t i = 0; i < sizeof attr_table / sizeof attr_table[0]; i++)
        if ((attr_table[i].scope & scope) && strcmp(attr_table[i].name, name) == 0)
            return &attr_table[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Line handlers                                                       */

static int l_attr(parser *p, char *val)
{
    veche_sdp_media *m = p->m ? p->m : &p->sess;
    if (!*val)
        return fail(p, VECHE_EMALFORMED, "empty a= line");
    p->attr = val;
    strcpy(p->work, val);
    char *name = p->work, *colon = strchr(name, ':'), *aval = NULL;
    if (colon) {
        *colon = '\0';
        aval = colon + 1;
    }
    const attr_handler *h = find_attr(name, p->m ? MEDIA : SESSION);
    int rc = h ? h->fn(p, m, h, aval) : KEEP;
    if (rc != KEEP || !p->m)
        return rc == KEEP ? 0 : rc;  /* unknown session attributes: dropped */
    return built(p, strv_push(&m->other, &m->n_other, VECHE_SDP_MAX_OTHER, val),
                 "unmodelled attributes");
}

static int l_version(parser *p, char *val)
{
    return strcmp(val, "0") == 0 ? 0 : fail(p, VECHE_EMALFORMED, "expected v=0");
}

static int l_origin(parser *p, char *val)
{
    char *tok[6];
    for (int i = 0; i < 6; i++)
        if (!(tok[i] = next_tok(&val)))
            return fail(p, VECHE_EMALFORMED, "bad o= line");
    if (next_tok(&val) || !parse_num(tok[1], UINT64_MAX, &p->sdp->session_id) ||
        !parse_num(tok[2], UINT64_MAX, &p->sdp->session_version))
        return fail(p, VECHE_EMALFORMED, "bad o= line");
    return built(p, veche_sdp_media_set(&p->sdp->origin_user, tok[0]), "o= line");
}

static int l_name(parser *p, char *val)
{
    return built(p, veche_sdp_media_set(&p->sdp->session_name, val), "s= line");
}

static int l_time(parser *p, char *val)
{
    p->seen_t = true;
    return 0;
}

static int l_ignore(parser *p, char *val)
{
    return 0;
}

static int l_conn(parser *p, char *val)
{
    char *net = next_tok(&val), *type = net ? next_tok(&val) : NULL;
    char *addr = type ? next_tok(&val) : NULL;
    if (!addr || next_tok(&val) || strcmp(net, "IN") != 0 ||
        (strcmp(type, "IP4") != 0 && strcmp(type, "IP6") != 0))
        return fail(p, VECHE_EMALFORMED, "bad c= line");
    veche_sdp_media *m = p->m ? p->m : &p->sess;
    return built(p, veche_sdp_media_set(&m->conn_addr, addr), "c= line");
}

/* Copy session-level values into the section just finished if it lacks
 * them (RFC 8866 5.7, RFC 8839 5.4, RFC 8122 5). */
static int finish_media(parser *p)
{
    veche_sdp_media *m = p->m, *s = &p->sess;
    int rc = 0;
    if (!m)
        return 0;
    if (!m->ice_ufrag && s->ice_ufrag)
        rc |= veche_sdp_media_set(&m->ice_ufrag, s->ice_ufrag);
    if (!m->ice_pwd && s->ice_pwd)
        rc |= veche_sdp_media_set(&m->ice_pwd, s->ice_pwd);
    if (!m->conn_addr && s->conn_addr)
        rc |= veche_sdp_media_set(&m->conn_addr, s->conn_addr);
    if (!m->fingerprint && s->fingerprint) {
        rc |= veche_sdp_media_set(&m->fingerprint_alg, s->fingerprint_alg);
        rc |= veche_sdp_media_set(&m->fingerprint, s->fingerprint);
    }
    if (m->setup == VECHE_SDP_SETUP_NONE)
        m->setup = s->setup;
    if (!p->ice_options_seen)
        m->ice_trickle = s->ice_trickle;
    return rc ? fail(p, VECHE_ENOMEM, "out of memory") : 0;
}

/* The format list after the proto: payload types for RTP, else verbatim. */
static int media_formats(parser *p, veche_sdp_media *m, char *val)
{
    static const struct { uint8_t pt; const char *name; } statics[] = {
        {0, "PCMU"}, {8, "PCMA"}, {9, "G722"},  /* RFC 3551 table 4 */
    };
    if (!veche_sdp_media_is_rtp(m))
        return built(p, veche_sdp_media_set(&m->fmt, val), "m= line");
    for (char *tok; (tok = next_tok(&val));) {
        uint64_t pt;
        const char *name = "";
        if (!parse_num(tok, 127, &pt))
            return fail(p, VECHE_EMALFORMED, "bad payload type in m= line");
        if (codec_by_pt(m, (unsigned)pt))
            return fail(p, VECHE_EMALFORMED, "payload type %u twice in m= line",
                        (unsigned)pt);
        if (m->n_codecs >= VECHE_SDP_MAX_CODECS)
            return fail(p, VECHE_ELIMIT, "too many codecs (max %d)", VECHE_SDP_MAX_CODECS);
        for (size_t i = 0; i < sizeof statics / sizeof statics[0]; i++)
            if (statics[i].pt == pt)
                name = statics[i].name;
        if (!veche_sdp_media_add_codec(m, (uint8_t)pt, name, *name ? 8000 : 0, 0, NULL))
            return fail(p, VECHE_ENOMEM, "out of memory");
    }
    return 0;
}

/* Join the remaining tokens with single spaces, in place. */
static char *join_tokens(char *val)
{
    char *out = val, *start = val;
    for (char *tok; (tok = next_tok(&val));) {
        if (out != start)
            *out++ = ' ';
        size_t n = strlen(tok);
        memmove(out, tok, n);
        out += n;
    }
    *out = '\0';
    return start;
}

static int l_media(parser *p, char *val)
{
    int rc = finish_media(p);
    if (rc)
        return rc;
    if (!p->seen_t)
        return fail(p, VECHE_EMALFORMED, "m= line before t= line");
    if (p->sdp->n_media >= VECHE_SDP_MAX_MEDIA)
        return fail(p, VECHE_ELIMIT, "too many media sections (max %d)", VECHE_SDP_MAX_MEDIA);
    veche_sdp_media *m = p->m = media_append(p->sdp);
    if (!m)
        return fail(p, VECHE_ENOMEM, "out of memory");
    p->dir_seen = p->ice_options_seen = false;
    memset(p->rtpmap_seen, 0, sizeof p->rtpmap_seen);
    memset(p->fmtp_seen, 0, sizeof p->fmtp_seen);
    m->dir = p->sess.dir;

    char *kind = next_tok(&val), *port = kind ? next_tok(&val) : NULL;
    char *proto = port ? next_tok(&val) : NULL, *count = port ? strchr(port, '/') : NULL;
    uint64_t v;
    if (count)
        *count++ = '\0';
    if (!proto || !*skip_spaces(val) || strspn(port, "0123456789") != strlen(port) ||
        (count && !parse_num(count, UINT32_MAX, &v)))
        return fail(p, VECHE_EMALFORMED, "bad m= line");
    if (!parse_num(port, 65535, &v))
        return fail(p, VECHE_EMALFORMED, "port out of range in m= line");
    m->port = (uint16_t)v;
    m->kind = kind_from_name(kind);
    if ((rc = built(p, veche_sdp_media_set(&m->kind_name, kind), "m= line")) ||
        (rc = built(p, veche_sdp_media_set(&m->proto, proto), "m= line")))
        return rc;
    return media_formats(p, m, join_tokens(val));
}

typedef int (*line_fn)(parser *p, char *val);

static const struct line_handler {
    char type;
    line_fn fn;
    bool session_only;
} line_table[] = {
    {'v', l_version, true}, {'o', l_origin, true}, {'s', l_name, true},
    {'t', l_time, true},    {'u', l_ignore, true}, {'e', l_ignore, true},
    {'p', l_ignore, true},  {'r', l_ignore, true}, {'z', l_ignore, true},
    {'i', l_ignore, false}, {'b', l_ignore, false}, {'k', l_ignore, false},
    {'c', l_conn, false},   {'m', l_media, false}, {'a', l_attr, false},
};

static int parse_line(parser *p)
{
    static const char head[] = "vos";  /* RFC 8866 5: the first three lines */
    char type = p->text[0];
    if (p->text[1] != '=' || type < 'a' || type > 'z')
        return fail(p, VECHE_EMALFORMED, "expected <type>=<value>");
    if (p->line <= 3 && type != head[p->line - 1])
        return fail(p, VECHE_EMALFORMED, "expected %c= line", head[p->line - 1]);
    if (p->line > 3 && strchr(head, type))
        return fail(p, VECHE_EMALFORMED, "misplaced %c= line", type);
    for (size_t i = 0; i < sizeof line_table / sizeof line_table[0]; i++) {
        const struct line_handler *l = &line_table[i];
        if (l->type != type)
            continue;
        if (l->session_only && p->m)
            return fail(p, VECHE_EMALFORMED, "%c= line inside a media section", type);
        return l->fn(p, p->text + 2);
    }
    return fail(p, VECHE_EMALFORMED, "unknown line type %c=", type);
}

/* ------------------------------------------------------------------ */
/* Lines and the entry points                                          */

static bool only_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\n", s[i]) || s[i] == '\0')
            return false;
    return true;
}

/* Copy one line (n bytes, terminator removed) into p->text. */
static int take_line(parser *p, const char *s, size_t n)
{
    if (n > VECHE_SDP_MAX_LINE)
        return fail(p, VECHE_ELIMIT, "line longer than %d bytes", VECHE_SDP_MAX_LINE);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == 0)
            return fail(p, VECHE_EMALFORMED, "NUL byte");
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
            return fail(p, VECHE_EMALFORMED, "control character 0x%02x", ch);
    }
    memcpy(p->text, s, n);
    p->text[n] = '\0';
    return 0;
}

static int read_lines(parser *p, const char *text, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl ? 1 : 0);
        p->line++;
        if (n > 0 && s[n - 1] == '\r')
            n--;
        int rc = take_line(p, s, n);
        if (rc)
            return rc;
        if (!p->text[0]) {
            if (only_blank(text + pos, len - pos))
                break;  /* blank lines at the very end are tolerated */
            return fail(p, VECHE_EMALFORMED, "empty line");
        }
        if ((rc = parse_line(p)))
            return rc;
    }
    return 0;
}

/* The longest line of a CRLF text, without its terminator. */
static size_t longest_line(const char *s)
{
    size_t longest = 0;
    for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1) {
        size_t n = (size_t)(nl - s);
        n -= n > 0 && s[n - 1] == '\r';
        longest = n > longest ? n : longest;
    }
    return longest;
}

/* Invariant 4: what the writer makes of the tree must parse again. */
static int check_canonical(parser *p)
{
    char *text = veche_sdp_write(p->sdp);
    if (!text)
        return fail(p, VECHE_ENOMEM, "out of memory");
    bool fits = strlen(text) <= VECHE_SDP_MAX_TEXT &&
                longest_line(text) <= VECHE_SDP_MAX_LINE;
    free(text);
    return fits ? 0 : fail(p, VECHE_ELIMIT,
                           "SDP too large once written out in canonical form");
}

static int parse_all(parser *p, const char *text, size_t len)
{
    int rc = read_lines(p, text, len);
    if (rc == 0)
        rc = finish_media(p);
    p->line = 0;  /* the checks below are not about one line */
    if (rc == 0 && !p->sdp->origin_user)
        rc = fail(p, VECHE_EMALFORMED, "missing o= line");
    if (rc == 0 && !p->sdp->session_name)
        rc = fail(p, VECHE_EMALFORMED, "missing s= line");
    if (rc == 0 && !p->seen_t)
        rc = fail(p, VECHE_EMALFORMED, "missing t= line");
    return rc ? rc : check_canonical(p);
}

int veche_sdp_parse_r(const char *text, size_t len, veche_sdp **out,
                      char *reason, size_t reason_size)
{
    parser *p = calloc(1, sizeof *p);
    int rc;
    if (reason && reason_size)
        reason[0] = '\0';
    if (out)
        *out = NULL;
    if (!p)
        return VECHE_ENOMEM;
    p->reason = reason;
    p->reason_size = reason_size;
    if (!out || (!text && len))
        rc = fail(p, VECHE_EINVAL, "invalid argument");
    else if (len == 0 || only_blank(text, len))
        rc = fail(p, VECHE_EMALFORMED, "empty SDP");
    else if (len > VECHE_SDP_MAX_TEXT)
        rc = fail(p, VECHE_ELIMIT, "SDP larger than %d bytes", VECHE_SDP_MAX_TEXT);
    else if (!(p->sdp = calloc(1, sizeof *p->sdp)))
        rc = fail(p, VECHE_ENOMEM, "out of memory");
    else
        rc = parse_all(p, text, len);
    media_free(&p->sess);
    if (rc == 0)
        *out = p->sdp;
    else
        veche_sdp_free(p->sdp);
    free(p);
    return rc;
}

veche_sdp *veche_sdp_parse(const char *text, size_t len, const char **err_desc)
{
    /* The one piece of state outside a call in this module: the reason must
     * outlive the call, and the header's contract returns a pointer.  Being
     * thread-local, parsers on different threads do not share it. */
    static _Thread_local char reason[160];
    veche_sdp *sdp = NULL;
    int rc = veche_sdp_parse_r(text, len, &sdp, reason, sizeof reason);
    if (err_desc)
        *err_desc = rc ? reason : NULL;
    return sdp;
}
