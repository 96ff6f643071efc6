/* participant.c - one person in a room: the publish and subscribe
 * negotiations (JSEP) and the callbacks of their two transports.
 *
 * Publish:   client offer -> veche_negotiate_publish() -> tracks added or
 *            removed by mid/SSRC -> our answer (a=setup:passive).
 * Subscribe: downtracks change -> one offer at a time (a=setup:actpass);
 *            a change while an offer is outstanding sets reoffer_needed and
 *            is offered when the answer arrives.
 *
 *   subscribe state:  idle --change--> offer_outstanding --answer--> idle
 *                                         \--change--> (reoffer_needed)
 *
 * Not here: ICE restart (an offer with new ICE credentials is refused),
 * simulcast.
 */
#include "sfu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"

#define MAX_PUBLISH_MEDIA 16

static void set_err(veche_sfu_error *err, const char *code, const char *reason)
{
    err->code = code;
    g_strlcpy(err->reason, reason, sizeof err->reason);
}

static const char *room_id(const veche_participant *p)
{
    return p->room ? p->room->id : NULL;
}

static void send_candidate(veche_participant *p, bool publish, const char *cand)
{
    veche_sfu_event *ev = veche_room_event(p->room, VECHE_EV_CANDIDATE);
    ev->publish_pc = publish;
    ev->text = g_strdup(cand ? cand : "");
    veche_participant_send(p, ev);
}

/* --- transport callbacks (publish) --- */

static void fail_media(veche_participant *p, const char *which, const char *reason)
{
    if (!p->room)
        return;
    VLOG_WARN(room_id(p), p->id, "%s transport failed: %s", which, reason);
    veche_sfu_event *ev = veche_room_event(p->room, VECHE_EV_MEDIA_FAILED);
    ev->text = g_strdup_printf("%s connection failed: %s", which, reason);
    veche_participant_send(p, ev);  /* told first: once it left, it is not addressable */
    /* A network failure, not a goodbye: the client may resume. */
    veche_participant_drop(p);
}

static void pub_candidate(void *ud, const char *cand)
{
    veche_participant *p = ud;
    if (p->pub_answered)
        send_candidate(p, true, cand);
}

static void pub_connected(void *ud)
{
    veche_participant *p = ud;
    VLOG_INFO(room_id(p), p->id, "publish transport connected");
}

static gboolean unpublish_later(gpointer data)
{
    veche_participant *p = data;
    p->unpublish_idle = NULL;
    veche_participant_unpublish(p);
    return G_SOURCE_REMOVE;
}

/* The client closing its publish connection (DTLS close_notify) means it
 * stopped sending, not that it left: drop the transport and its tracks on
 * the next loop turn (not from inside the transport's own callback). */
static void pub_failed(void *ud, const char *reason)
{
    veche_participant *p = ud;
    if (strcmp(reason, "closed by peer") != 0) {
        fail_media(p, "publish", reason);
        return;
    }
    if (p->room && !p->unpublish_idle) {
        p->unpublish_idle = g_idle_source_new();
        g_source_set_callback(p->unpublish_idle, unpublish_later, p, NULL);
        g_source_attach(p->unpublish_idle, p->room->env.ctx);
        g_source_unref(p->unpublish_idle);
    }
}

static void pub_rtp(void *ud, uint8_t *buf, size_t len)
{
    veche_participant *p = ud;
    uint32_t ssrc = (uint32_t)buf[8] << 24 | (uint32_t)buf[9] << 16 | buf[10] << 8 | buf[11];
    for (guint i = 0; i < p->tracks->len; i++) {
        veche_track *t = g_ptr_array_index(p->tracks, i);
        if (t->ssrc == ssrc) {
            veche_track_on_rtp(t, buf, len);
            return;
        }
        if (t->rtx_pt && t->rtx_ssrc == ssrc) {
            veche_track_on_rtx(t, buf, len);
            return;
        }
    }
}

static void pub_rtcp(void *ud, uint8_t *buf, size_t len)
{
    veche_track_on_publisher_rtcp(ud, buf, len);
}

/* --- transport callbacks (subscribe) --- */

static void sub_candidate(void *ud, const char *cand)
{
    veche_participant *p = ud;
    if (p->sub_offered)
        send_candidate(p, false, cand);
}

static void request_keyframes(veche_participant *p)
{
    for (guint i = 0; i < p->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(p->downtracks, i);
        if (dt->track && dt->negotiated && !dt->rejected)
            veche_track_request_keyframe(dt->track, false);
    }
}

static void sub_connected(void *ud)
{
    veche_participant *p = ud;
    VLOG_INFO(room_id(p), p->id, "subscribe transport connected");
    request_keyframes(p);
}

static void sub_failed(void *ud, const char *reason) { fail_media(ud, "subscribe", reason); }
static void sub_rtp(void *ud, uint8_t *buf, size_t len) { (void)ud; (void)buf; (void)len; }

static void sub_rtcp(void *ud, uint8_t *buf, size_t len)
{
    veche_track_on_subscriber_rtcp(ud, buf, len);
}

static veche_transport *make_transport(veche_participant *p, bool controlling,
                                       const veche_transport_callbacks *cb)
{
    const veche_config *cfg = p->room->env.cfg;
    veche_transport_config tc = {
        .ctx = p->room->env.ctx, .local_addresses = cfg->ice_addresses,
        .port_min = cfg->rtp_port_min, .port_max = cfg->rtp_port_max,
        .stun_server = cfg->stun_server, .stun_port = cfg->stun_port,
        .public_address = cfg->public_address, .controlling = controlling,
        .ice_tcp = cfg->ice_tcp,
        .recv_buffer_kb = cfg->udp_recv_buffer_kb, .send_buffer_kb = cfg->udp_send_buffer_kb,
        .cert = p->room->env.cert, .log_room = p->room->id, .log_peer = p->id,
        .mstats = p->room->env.mstats, .sendq = p->room->env.sendq,
    };
    veche_transport *t = veche_transport_new(&tc, cb, p);
    if (t && veche_transport_gather(t) != 0) {
        veche_transport_free(t);
        return NULL;
    }
    return t;
}

/* --- lifecycle --- */

veche_participant *veche_participant_new(veche_room *room, const char *id, const char *name,
                                         uint64_t client)
{
    veche_participant *p = g_new0(veche_participant, 1);
    p->room = room;
    if (id)
        g_strlcpy(p->id, id, sizeof p->id);
    else
        snprintf(p->id, sizeof p->id, "%08x", g_random_int());
    p->name = g_strdup(name);
    p->client = client;
    p->rtcp_ssrc = g_random_int() | 1;
    p->tracks = g_ptr_array_new();
    p->downtracks = g_ptr_array_new_with_free_func(g_free);
    return p;
}

void veche_participant_free(veche_participant *p)
{
    if (!p)
        return;
    if (p->unpublish_idle)
        g_source_destroy(p->unpublish_idle);
    veche_transport_free(p->pub);
    veche_transport_free(p->sub);
    for (guint i = 0; i < p->tracks->len; i++)
        veche_track_free(g_ptr_array_index(p->tracks, i));
    g_ptr_array_free(p->tracks, TRUE);
    g_ptr_array_free(p->downtracks, TRUE);
    g_free(p->pub_ufrag);
    g_free(p->name);
    g_free(p);
}

static gboolean free_later(gpointer data)
{
    veche_participant_free(data);
    return G_SOURCE_REMOVE;
}

static void remove_tracks(veche_participant *p)
{
    while (p->tracks->len > 0) {
        veche_track *t = g_ptr_array_steal_index(p->tracks, p->tracks->len - 1);
        veche_room_track_removed(p->room, t);
        veche_track_free(t);
    }
}

void veche_participant_unpublish(veche_participant *p)
{
    if (!p->room || !p->pub)
        return;
    remove_tracks(p);
    veche_transport_free(p->pub);
    p->pub = NULL;
    p->pub_answered = false;
    g_free(p->pub_ufrag);
    p->pub_ufrag = NULL;
    VLOG_INFO(room_id(p), p->id, "publish connection closed by the server");
}

void veche_participant_drop(veche_participant *p)
{
    p->dropped = true;
    veche_participant_leave(p);
}

void veche_participant_leave(veche_participant *p)
{
    veche_room *room = p->room;
    if (!room)
        return;
    remove_tracks(p);
    veche_room_on_leave(room, p);
    for (guint i = 0; i < p->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(p->downtracks, i);
        if (dt->track)
            g_ptr_array_remove(dt->track->downtracks, dt);
        dt->track = NULL;
    }
    g_ptr_array_remove(room->participants, p);
    VLOG_INFO(room->id, p->id, "left");
    p->room = NULL;
    /* Transports may be inside a callback right now: free on the next turn. */
    GSource *idle = g_idle_source_new();
    g_source_set_callback(idle, free_later, p, NULL);
    g_source_attach(idle, room->env.ctx);
    g_source_unref(idle);
}

const char *veche_participant_id(const veche_participant *p) { return p->id; }
veche_room *veche_participant_room(const veche_participant *p) { return p->room; }

/* --- publish --- */

static veche_track *find_track(veche_participant *p, const veche_pub_media *pm)
{
    for (guint i = 0; i < p->tracks->len; i++) {
        veche_track *t = g_ptr_array_index(p->tracks, i);
        if (strcmp(t->pub_mid, pm->mid) == 0 && t->ssrc == pm->ssrc &&
            t->codec.pt == pm->codec.pt)
            return t;
    }
    return NULL;
}

static bool media_has_track(const veche_pub_media *media, int n, const veche_track *t)
{
    for (int i = 0; i < n; i++)
        if (strcmp(t->pub_mid, media[i].mid) == 0 && t->ssrc == media[i].ssrc &&
            t->codec.pt == media[i].codec.pt)
            return true;
    return false;
}

/* Bring p->tracks in line with the accepted m-lines. */
static void update_tracks(veche_participant *p, const veche_pub_media *media, int n)
{
    for (guint i = p->tracks->len; i-- > 0;) {
        veche_track *t = g_ptr_array_index(p->tracks, i);
        if (!media_has_track(media, n, t)) {
            g_ptr_array_remove_index(p->tracks, i);
            veche_room_track_removed(p->room, t);
            veche_track_free(t);
        }
    }
    for (int i = 0; i < n; i++) {
        if (find_track(p, &media[i]))
            continue;
        char id[16];
        snprintf(id, sizeof id, "%c%u", media[i].codec.kind == VECHE_SDP_AUDIO ? 'a' : 'v',
                 ++p->room->next_track_no);
        veche_track *t = veche_track_new(p, id, &media[i].codec, media[i].ssrc,
                                         media[i].rtx_ssrc,
                                         p->room->env.cfg->nack_buffer_packets);
        if (!t)
            continue;
        g_strlcpy(t->pub_mid, media[i].mid, sizeof t->pub_mid);
        g_strlcpy(t->source, media[i].source, sizeof t->source);
        t->audio_level_id = media[i].audio_level_id;
        t->nack = media[i].nack;
        t->rtx_pt = media[i].rtx_pt;
        g_ptr_array_add(p->tracks, t);
        veche_room_track_added(p->room, t);
    }
}

static void add_sdp_candidates(veche_transport *t, const veche_sdp *sdp)
{
    for (int i = 0; i < sdp->n_media; i++)
        for (int j = 0; j < sdp->media[i].n_candidates; j++)
            veche_transport_add_remote_candidate(t, sdp->media[i].candidates[j]);
}

/* Set up the publish transport from the first accepted m-line. */
static int start_publish_transport(veche_participant *p, const veche_sdp_media *m,
                                   veche_dtls_role role, veche_sfu_error *err)
{
    static const veche_transport_callbacks cb = {
        .on_candidate = pub_candidate, .on_connected = pub_connected,
        .on_failed = pub_failed, .on_rtp = pub_rtp, .on_rtcp = pub_rtcp,
    };
    p->pub = make_transport(p, false, &cb);
    if (!p->pub) {
        set_err(err, "internal", "cannot create the ICE agent (check ice_addresses)");
        return VECHE_EIO;
    }
    if (veche_transport_set_remote(p->pub, m->ice_ufrag, m->ice_pwd, m->fingerprint_alg,
                                   m->fingerprint, role) != 0) {
        set_err(err, "bad-sdp", "unusable ICE credentials or fingerprint");
        return VECHE_EINVAL;
    }
    p->pub_ufrag = g_strdup(m->ice_ufrag);
    return 0;
}

/* The client's source for a mid, or NULL. */
static const char *source_of(const veche_sfu_source *sources, unsigned n, const char *mid)
{
    for (unsigned i = 0; i < n; i++)
        if (strcmp(sources[i].mid, mid) == 0)
            return sources[i].source;
    return NULL;
}

/* The source of each accepted m-line: from the client's `sources` map
 * (mid -> camera/microphone/screen), else audio is the microphone, the
 * first video the camera and any further video a screen share. */
static const char *media_source(const veche_sfu_source *sources, unsigned n_sources,
                                const veche_pub_media *media, int i)
{
    const char *s = source_of(sources, n_sources, media[i].mid);
    if (s && (!strcmp(s, "camera") || !strcmp(s, "microphone") || !strcmp(s, "screen")))
        return s;
    if (media[i].codec.kind == VECHE_SDP_AUDIO)
        return "microphone";
    for (int j = 0; j < i; j++)
        if (media[j].codec.kind == VECHE_SDP_VIDEO)
            return "screen";
    return "camera";
}

int veche_participant_publish(veche_participant *p, const char *sdp_text,
                              const veche_sfu_source *sources, unsigned n_sources,
                              char **answer, veche_sfu_error *err)
{
    veche_right right = VECHE_RIGHT_PUBLISH;
    if (!veche_policy_allows(p->room->kind, p->role, p->has_floor, right)) {
        set_err(err, "forbidden", veche_policy_refusal(p->room->kind, right));
        return VECHE_EDENIED;
    }
    const char *why = NULL;
    veche_sdp *offer = veche_sdp_parse(sdp_text, strlen(sdp_text), &why);
    if (!offer) {
        set_err(err, "bad-sdp", why ? why : "unparsable SDP");
        return VECHE_EMALFORMED;
    }
    veche_pub_media media[MAX_PUBLISH_MEDIA];
    int n = veche_negotiate_publish(offer, media, MAX_PUBLISH_MEDIA, err);
    int rc = n < 0 ? n : 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *src = media_source(sources, n_sources, media, i);
        g_strlcpy(media[i].source, src, sizeof media[i].source);
        if (!strcmp(src, "screen") &&
            !veche_policy_allows(p->room->kind, p->role, p->has_floor, VECHE_RIGHT_SCREEN)) {
            set_err(err, "forbidden", veche_policy_refusal(p->room->kind, VECHE_RIGHT_SCREEN));
            rc = VECHE_EDENIED;
        }
    }
    if (rc == 0)
        rc = veche_ssrc_check_publish(p->room, p, media, n, err);
    /* The transport's ICE and DTLS attributes: the first accepted m-line's,
     * or its BUNDLE group's tagged m-line's when it is a=bundle-only
     * without them (RFC 8843). */
    const veche_sdp_media *first =
        n > 0 ? veche_sdp_media_transport(offer, &offer->media[media[0].index]) : NULL;
    veche_dtls_role role = first && first->setup == VECHE_SDP_SETUP_PASSIVE
                               ? VECHE_DTLS_CLIENT : VECHE_DTLS_SERVER;
    if (rc == 0 && !p->pub)
        rc = start_publish_transport(p, first, role, err);
    else if (rc == 0 && g_strcmp0(p->pub_ufrag, first->ice_ufrag) != 0) {
        set_err(err, "unsupported", "ICE restart is not supported; join again");
        rc = VECHE_EUNSUPPORTED;
    }
    if (rc == 0) {
        add_sdp_candidates(p->pub, offer);
        update_tracks(p, media, n);
        *answer = veche_negotiate_publish_answer(
            offer, media, n, p->pub, veche_dtls_cert_fingerprint(p->room->env.cert),
            role == VECHE_DTLS_SERVER ? VECHE_SDP_SETUP_PASSIVE : VECHE_SDP_SETUP_ACTIVE);
        p->pub_answered = true;
        if (!*answer) {
            set_err(err, "internal", "out of memory");
            rc = VECHE_ENOMEM;
        }
    }
    veche_sdp_free(offer);
    return rc;
}

/* --- subscribe --- */

/* Whether a live downtrack of p other than except sends ssrc (as media
 * or RTX). */
static bool ssrc_in_use(const veche_participant *p, const veche_downtrack *except,
                        uint32_t ssrc)
{
    for (guint i = 0; i < p->downtracks->len; i++) {
        const veche_downtrack *dt = g_ptr_array_index(p->downtracks, i);
        if (dt != except && dt->track && (dt->ssrc == ssrc || dt->rtx_ssrc == ssrc))
            return true;
    }
    return false;
}

/* The first ended m-line of this kind that the client has answered as
 * inactive, or -1. */
static int reusable_slot(const veche_participant *p, veche_sdp_kind kind)
{
    for (guint i = 0; i < p->downtracks->len; i++) {
        const veche_downtrack *dt = g_ptr_array_index(p->downtracks, i);
        if (dt->reusable && !dt->track && !dt->rejected && dt->codec.kind == kind)
            return (int)i;
    }
    return -1;
}

veche_downtrack *veche_participant_add_downtrack(veche_participant *p, veche_track *t)
{
    veche_downtrack *dt = g_new0(veche_downtrack, 1);
    dt->sub = p;
    dt->track = t;
    snprintf(dt->msid, sizeof dt->msid, "%s %s", t->owner->id, t->id);
    /* Our own SSRCs and payload type (ssrc.c, track.c rewrites). */
    dt->codec = t->codec;
    dt->codec.pt = t->codec.kind == VECHE_SDP_AUDIO ? VECHE_SUB_PT_OPUS : VECHE_SUB_PT_VP8;
    dt->ssrc = veche_ssrc_allocate(p->room, p, 0);
    if (t->codec.kind == VECHE_SDP_VIDEO) {
        dt->rtx_ssrc = veche_ssrc_allocate(p->room, p, dt->ssrc);
        dt->rtx_pt = VECHE_SUB_PT_RTX;
    }
    dt->rtx_seq = (uint16_t)g_random_int();
    veche_rtp_rewrite_init(&dt->rw, dt->ssrc, dt->codec.pt, (uint16_t)g_random_int(),
                           g_random_int());
    int slot = reusable_slot(p, t->codec.kind);
    if (slot >= 0) {
        /* Same mid and m-line, everything else new; the client still sees
         * the m-line inactive until it answers the offer with this one.
         * The old state goes: no track points at it (the track ended) and
         * RTCP finds downtracks by the SSRC of a live one only. */
        veche_downtrack *old = g_ptr_array_index(p->downtracks, (guint)slot);
        g_strlcpy(dt->mid, old->mid, sizeof dt->mid);
        dt->reusable = true;
        p->downtracks->pdata[slot] = dt;
        if (p->sub) {
            if (!ssrc_in_use(p, dt, old->ssrc))
                veche_transport_forget_ssrc(p->sub, old->ssrc);
            if (old->rtx_ssrc && !ssrc_in_use(p, dt, old->rtx_ssrc))
                veche_transport_forget_ssrc(p->sub, old->rtx_ssrc);
        }
        VLOG_DEBUG(room_id(p), p->id, "mid %s reused for track %s of %s (was %s)", dt->mid,
                   t->id, t->owner->id, old->msid);
        g_free(old);
    } else {
        snprintf(dt->mid, sizeof dt->mid, "%u", p->next_mid++);
        g_ptr_array_add(p->downtracks, dt);
    }
    g_ptr_array_add(t->downtracks, dt);
    return dt;
}

void veche_participant_downtrack_ended(veche_participant *p, veche_downtrack *dt)
{
    dt->track = NULL;
    /* Never offered (and not a reused m-line): the client never saw its
     * mid, so it simply goes (the array frees it). */
    if (!dt->offered && !dt->reusable)
        g_ptr_array_remove(p->downtracks, dt);
}

static void send_offer(veche_participant *p)
{
    char *sdp = veche_negotiate_subscribe_offer(
        p, veche_dtls_cert_fingerprint(p->room->env.cert));
    if (!sdp)
        return;
    for (guint i = 0; i < p->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(p->downtracks, i);
        dt->offered = true;
        dt->offered_live = dt->track != NULL && !dt->rejected;
    }
    veche_sfu_event *ev = veche_room_event(p->room, VECHE_EV_OFFER);
    ev->text = g_strdup(sdp);
    veche_participant_send(p, ev);
    free(sdp);
    p->sub_offered = true;
    p->offer_outstanding = true;
    p->reoffer_needed = false;
}

void veche_participant_subscribe_changed(veche_participant *p)
{
    if (!p->sub_wanted || !p->room || p->downtracks->len == 0)
        return;
    if (p->offer_outstanding)
        p->reoffer_needed = true;
    else
        send_offer(p);
}

int veche_participant_subscribe(veche_participant *p, veche_sfu_error *err)
{
    static const veche_transport_callbacks cb = {
        .on_candidate = sub_candidate, .on_connected = sub_connected,
        .on_failed = sub_failed, .on_rtp = sub_rtp, .on_rtcp = sub_rtcp,
    };
    if (p->sub_wanted) {
        set_err(err, "bad-state", "already subscribed");
        return VECHE_ESTATE;
    }
    p->sub = make_transport(p, true, &cb);
    if (!p->sub) {
        set_err(err, "internal", "cannot create the ICE agent (check ice_addresses)");
        return VECHE_EIO;
    }
    p->sub_wanted = true;
    for (guint i = 0; i < p->room->participants->len; i++) {
        veche_participant *o = g_ptr_array_index(p->room->participants, i);
        for (guint j = 0; o != p && j < o->tracks->len; j++)
            veche_participant_add_downtrack(p, g_ptr_array_index(o->tracks, j));
    }
    veche_participant_subscribe_changed(p);
    return 0;
}

static const veche_sdp_media *answer_media(const veche_sdp *ans, const char *mid)
{
    for (int i = 0; i < ans->n_media; i++)
        if (ans->media[i].mid && strcmp(ans->media[i].mid, mid) == 0)
            return &ans->media[i];
    return NULL;
}

/* Mark downtracks negotiated or rejected; return the first usable m-line. */
static const veche_sdp_media *apply_answer(veche_participant *p, const veche_sdp *ans)
{
    const veche_sdp_media *first = NULL;
    for (guint i = 0; i < p->downtracks->len; i++) {
        veche_downtrack *dt = g_ptr_array_index(p->downtracks, i);
        if (!dt->offered)
            continue;
        const veche_sdp_media *m = answer_media(ans, dt->mid);
        if (!m || !veche_sdp_media_active(ans, m)) {
            dt->rejected = true;
            continue;
        }
        dt->negotiated = true;
        /* The client now sees the m-line as we offered it: inactive ones
         * may take a new track (one that became sendonly with a new msid
         * fires ontrack again in a browser, JSEP 5.10 / WebRTC 4.4.1.6). */
        dt->reusable = !dt->offered_live;
        /* RTX only if the answer kept our RTX payload type (RFC 4588,
         * JSEP); else NACKs are answered with the packet itself.  A zero
         * rtx_ssrc remembers the refusal so later offers leave RTX out. */
        if (dt->rtx_pt && !veche_sdp_media_codec_by_pt(m, dt->rtx_pt)) {
            dt->rtx_pt = 0;
            dt->rtx_ssrc = 0;
        }
        if (!first)
            first = veche_sdp_media_transport(ans, m);
    }
    return first;
}

int veche_participant_subscribe_answer(veche_participant *p, const char *sdp_text,
                                       veche_sfu_error *err)
{
    if (!p->offer_outstanding) {
        set_err(err, "bad-state", "no subscribe offer is outstanding");
        return VECHE_ESTATE;
    }
    const char *why = NULL;
    veche_sdp *ans = veche_sdp_parse(sdp_text, strlen(sdp_text), &why);
    if (!ans) {
        set_err(err, "bad-sdp", why ? why : "unparsable SDP");
        return VECHE_EMALFORMED;
    }
    const veche_sdp_media *m = apply_answer(p, ans);
    int rc = 0;
    if (m && !p->sub_remote_set) {
        veche_dtls_role role = m->setup == VECHE_SDP_SETUP_PASSIVE ? VECHE_DTLS_CLIENT
                                                                    : VECHE_DTLS_SERVER;
        if (!m->ice_ufrag || !m->ice_pwd || !m->fingerprint || !m->fingerprint_alg ||
            veche_transport_set_remote(p->sub, m->ice_ufrag, m->ice_pwd,
                                       m->fingerprint_alg, m->fingerprint, role) != 0) {
            set_err(err, "bad-sdp", "answer lacks usable ICE credentials or fingerprint");
            rc = VECHE_EMALFORMED;
        } else {
            p->sub_remote_set = true;
        }
    }
    if (rc == 0 && p->sub_remote_set)
        add_sdp_candidates(p->sub, ans);
    veche_sdp_free(ans);
    p->offer_outstanding = false;
    if (rc == 0 && veche_transport_is_connected(p->sub))
        request_keyframes(p);
    if (p->reoffer_needed)
        send_offer(p);
    return rc;
}

int veche_participant_candidate(veche_participant *p, bool publish, const char *candidate,
                                veche_sfu_error *err)
{
    veche_transport *t = publish ? p->pub : p->sub;
    if (!t) {
        set_err(err, "bad-state", publish ? "nothing published yet" : "not subscribed");
        return VECHE_ESTATE;
    }
    int rc = veche_transport_add_remote_candidate(t, candidate);
    if (rc == VECHE_ESTATE)
        return 0;  /* before the answer: the SDP will carry it again */
    if (rc != 0) {
        set_err(err, "bad-request", "unparsable candidate");
        return rc;
    }
    return 0;
}
