/* pc.c - a client-side peer connection: wraps veche_transport with the
 * SDP-facing state (remote description applied once, candidates seen,
 * trickle after the local description).
 *
 * Does not: build or parse SDP text (peer_sdp.c and sdp.c do), send
 * signalling messages (the owner does, from on_local_candidate), or support
 * ICE restarts.
 */
#include "pc.h"

#include <string.h>

#include "err.h"
#include "transport.h"

struct vpeer_pc {
    vpeer_pc_callbacks cb;
    void *ud;
    char *name;
    veche_dtls_cert *cert;        /* reference */
    veche_transport *t;           /* owned */
    bool trickle_only;
    bool offerer;
    veche_sdp_setup local_setup;  /* what our next answer says */
    bool local_sent;              /* trickle from now on */
    guint sdp_cands;              /* local candidates in the last snapshot */
    bool sdp_end;                 /* ... and whether it said end-of-cands */
    unsigned trickled;            /* local candidates trickled */
    bool remote_set;
    bool remote_end;              /* end of candidates seen */
    bool connected, failed;
    char *remote_ufrag;
    GPtrArray *remote_cands;      /* char *, NULL-terminated */
};

/* Hand one local candidate (NULL: the end) to the owner to trickle. */
static void trickle(vpeer_pc *pc, const char *cand)
{
    if (cand)
        pc->trickled++;
    pc->cb.on_local_candidate(pc->ud, pc, cand);
}

static void on_candidate(void *ud, const char *cand)
{
    vpeer_pc *pc = ud;
    if (pc->local_sent)
        trickle(pc, cand);
}

static void on_connected(void *ud)
{
    vpeer_pc *pc = ud;
    pc->connected = true;
    pc->cb.on_connected(pc->ud, pc);
}

static void on_failed(void *ud, const char *reason)
{
    vpeer_pc *pc = ud;
    pc->failed = true;
    pc->connected = false;
    pc->cb.on_failed(pc->ud, pc, reason);
}

static void on_rtp(void *ud, uint8_t *buf, size_t len)
{
    vpeer_pc *pc = ud;
    pc->cb.on_rtp(pc->ud, pc, buf, len);
}

static void on_rtcp(void *ud, uint8_t *buf, size_t len)
{
    vpeer_pc *pc = ud;
    pc->cb.on_rtcp(pc->ud, pc, buf, len);
}

vpeer_pc *vpeer_pc_new(const vpeer_pc_config *cfg,
                       const vpeer_pc_callbacks *cb, void *ud)
{
    vpeer_pc *pc = g_new0(vpeer_pc, 1);
    pc->cb = *cb;
    pc->ud = ud;
    pc->name = g_strdup(cfg->log_name);
    pc->trickle_only = cfg->trickle_only;
    pc->offerer = cfg->offerer;
    pc->local_setup = cfg->offerer ? VECHE_SDP_SETUP_ACTPASS
                                   : VECHE_SDP_SETUP_ACTIVE;
    pc->cert = veche_dtls_cert_ref(cfg->cert);
    pc->remote_cands = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(pc->remote_cands, NULL);
    veche_transport_config tc = {
        .ctx = cfg->ctx, .local_addresses = cfg->ice_addresses,
        .controlling = cfg->offerer, .cert = cfg->cert,
        .log_room = "veche-peer", .log_peer = cfg->log_name,
        /* like the server's defaults: a peer on a busy test machine must
         * not drop key frame bursts in its own socket */
        .recv_buffer_kb = 4096, .send_buffer_kb = 4096,
    };
    static const veche_transport_callbacks tcb = {
        on_candidate, on_connected, on_failed, on_rtp, on_rtcp,
    };
    pc->t = veche_transport_new(&tc, &tcb, pc);
    if (!pc->t || veche_transport_gather(pc->t) != 0) {
        vpeer_pc_free(pc);
        return NULL;
    }
    return pc;
}

void vpeer_pc_free(vpeer_pc *pc)
{
    if (!pc)
        return;
    veche_transport_free(pc->t);
    veche_dtls_cert_unref(pc->cert);
    g_ptr_array_unref(pc->remote_cands);
    g_free(pc->remote_ufrag);
    g_free(pc->name);
    g_free(pc);
}

static guint count_candidates(const char *const *c)
{
    guint n = 0;
    while (c && c[n])
        n++;
    return n;
}

void vpeer_pc_local(vpeer_pc *pc, vpeer_sdp_local *out)
{
    const char *const *cands = veche_transport_local_candidates(pc->t);
    bool done = veche_transport_gathering_done(pc->t);
    *out = (vpeer_sdp_local){
        .ufrag = veche_transport_local_ufrag(pc->t),
        .pwd = veche_transport_local_pwd(pc->t),
        .fingerprint = veche_dtls_cert_fingerprint(pc->cert),
        .candidates = pc->trickle_only ? NULL : cands,
        .end_of_candidates = !pc->trickle_only && done,
        .setup = pc->local_setup,
    };
    if (!pc->local_sent) {
        pc->sdp_cands = pc->trickle_only ? 0 : count_candidates(cands);
        pc->sdp_end = out->end_of_candidates;
    }
}

void vpeer_pc_local_sent(vpeer_pc *pc)
{
    if (pc->local_sent)
        return;
    pc->local_sent = true;
    const char *const *cands = veche_transport_local_candidates(pc->t);
    for (guint i = pc->sdp_cands; cands && cands[i]; i++)
        trickle(pc, cands[i]);
    if (veche_transport_gathering_done(pc->t) && !pc->sdp_end)
        trickle(pc, NULL);
}

/* Hand the transport the candidates that came before the remote
 * description; returns how many it refused. */
static int flush_candidates(vpeer_pc *pc)
{
    int refused = 0;
    for (guint i = 0; i + 1 < pc->remote_cands->len; i++)
        if (veche_transport_add_remote_candidate(
                pc->t, g_ptr_array_index(pc->remote_cands, i)) != 0)
            refused++;
    if (pc->remote_end && veche_transport_add_remote_candidate(pc->t, NULL) != 0)
        refused++;
    return refused;
}

typedef struct {
    vpeer_pc *pc;
    int refused;
} sdp_cands;

static void add_sdp_candidate(void *ud, const char *cand)
{
    sdp_cands *sc = ud;
    if (vpeer_pc_add_candidate(sc->pc, cand) != 0)
        sc->refused++;
}

int vpeer_pc_set_remote(vpeer_pc *pc, const veche_sdp *sdp,
                        const char **err_desc)
{
    vpeer_sdp_remote r;
    int refused = 0;
    int rc = vpeer_sdp_remote_params(sdp, &r, err_desc);
    if (rc != 0)
        return rc;
    if (pc->remote_set) {
        if (strcmp(pc->remote_ufrag, r.ufrag) != 0) {
            *err_desc = "remote ICE credentials changed (ICE restart)";
            return VECHE_EUNSUPPORTED;
        }
    } else {
        /* RFC 5763: "active" makes us the DTLS server; actpass (in an
         * offer) and passive (in an answer) leave us the client. */
        veche_dtls_role role = r.setup == VECHE_SDP_SETUP_ACTIVE
                                   ? VECHE_DTLS_SERVER : VECHE_DTLS_CLIENT;
        if (!pc->offerer)
            pc->local_setup = role == VECHE_DTLS_SERVER
                                  ? VECHE_SDP_SETUP_PASSIVE
                                  : VECHE_SDP_SETUP_ACTIVE;
        rc = veche_transport_set_remote(pc->t, r.ufrag, r.pwd, r.fp_alg,
                                        r.fingerprint, role);
        if (rc != 0) {
            *err_desc = "transport rejected the remote parameters";
            return rc;
        }
        pc->remote_set = true;
        pc->remote_ufrag = g_strdup(r.ufrag);
        refused = flush_candidates(pc);
    }
    sdp_cands sc = { pc, refused };
    vpeer_sdp_foreach_candidate(sdp, add_sdp_candidate, &sc);
    for (int i = 0; i < sdp->n_media; i++)
        if (sdp->media[i].port != 0 && sdp->media[i].end_of_candidates &&
            !pc->remote_end && vpeer_pc_add_candidate(pc, "") != 0)
            sc.refused++;
    if (sc.refused) {
        *err_desc = "the transport refused a remote candidate";
        return VECHE_EINVAL;
    }
    return 0;
}

static bool known_candidate(const vpeer_pc *pc, const char *cand)
{
    for (guint i = 0; i + 1 < pc->remote_cands->len; i++)
        if (strcmp(g_ptr_array_index(pc->remote_cands, i), cand) == 0)
            return true;
    return false;
}

int vpeer_pc_add_candidate(vpeer_pc *pc, const char *cand)
{
    if (!cand || !cand[0]) {
        pc->remote_end = true;
        return pc->remote_set
            ? veche_transport_add_remote_candidate(pc->t, NULL) : 0;
    }
    if (known_candidate(pc, cand))
        return 0;   /* re-offers repeat their candidates */
    pc->remote_cands->pdata[pc->remote_cands->len - 1] = g_strdup(cand);
    g_ptr_array_add(pc->remote_cands, NULL);
    return pc->remote_set ? veche_transport_add_remote_candidate(pc->t, cand)
                          : 0;
}

const char *const *vpeer_pc_remote_candidates(const vpeer_pc *pc)
{
    return (const char *const *)pc->remote_cands->pdata;
}

void vpeer_pc_candidate_counts(const vpeer_pc *pc, unsigned *in_sdp,
                               unsigned *trickled)
{
    *in_sdp = pc->sdp_cands;
    *trickled = pc->trickled;
}

bool vpeer_pc_connected(const vpeer_pc *pc)
{
    return pc->connected;
}

bool vpeer_pc_failed(const vpeer_pc *pc)
{
    return pc->failed;
}

int vpeer_pc_send(vpeer_pc *pc, uint8_t *buf, size_t len, size_t cap,
                  bool rtcp)
{
    return rtcp ? veche_transport_send_rtcp(pc->t, buf, len, cap)
                : veche_transport_send_rtp(pc->t, buf, len, cap);
}

const char *vpeer_pc_name(const vpeer_pc *pc)
{
    return pc->name;
}
