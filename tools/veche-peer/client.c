/* client.c - one veche-peer participant: drives the signalling protocol of
 * docs/protocol.md (join, leave, the room events, errors) and owns the
 * media session of the current join (session.c: publish, subscribe,
 * trickle).  See client.h for the states.
 *
 * Does not: decide when to leave or rejoin (main.c's scenario does), judge
 * the results (report.c does), handle media itself, or retry a failed
 * connection.
 */
#include "client.h"

#include <string.h>

#include "err.h"
#include "misbehave.h"
#include "session.h"
#include "signal_client.h"

#define UDP_GARBAGE_DELAY_MS 2000
#define FINISH_GRACE_MS 1500

typedef enum {
    ST_IDLE, ST_CONNECTING, ST_JOINING, ST_JOINED, ST_LEFT, ST_CLOSED,
} client_state;

struct vpeer_client {
    /* passed in (strings copied, objects borrowed or referenced) */
    GMainContext *ctx;
    char *url, *room, *name, *ice;
    bool publish, misbehave, trickle_only, rtx;
    unsigned drop_video, drop_send;
    bool no_nack, send_rtx;
    uint32_t ssrc_audio, ssrc_video;
    bool ssrc_from_offer;
    char *expect_refused;         /* NULL: a refused publish is an error */
    bool publish_pending;         /* --ssrc-from-offer: waiting for an offer */
    bool refused;                 /* the expected refusal came */
    veche_dtls_cert *cert;
    const vpeer_clip *clip;
    vpeer_verify *verify;
    vpeer_report *report;
    /* allocated by this */
    vpeer_signal *sig;
    vpeer_misbehave *mb;
    client_state state;
    char *participant;
    int session;
    int next_id;
    vpeer_session *sess;          /* the current join's media, or NULL */
    GSource *udp_timer;
    bool udp_done;
    vpeer_client_totals totals;   /* of finished sessions */
    bool finishing;
    void (*done)(void *ud);
    void *done_ud;
    GSource *finish_timer;
    GHashTable *unhandled;        /* server message types we do not know */
};

/* ---- small helpers -------------------------------------------------------- */

static int64_t now_us(void)
{
    return g_get_monotonic_time();
}

static void drop_source(GSource **s)
{
    if (*s) {
        g_source_destroy(*s);
        g_source_unref(*s);
        *s = NULL;
    }
}

static GSource *add_timeout(vpeer_client *c, guint ms, GSourceFunc fn)
{
    GSource *src = g_timeout_source_new(ms);
    g_source_set_callback(src, fn, c, NULL);
    g_source_attach(src, c->ctx);
    return src;
}

static void send_json(vpeer_client *c, json_t *msg)
{
    if (vpeer_signal_send(c->sig, msg) != 0)
        vpeer_report_error(c->report, "%s: could not send %s", c->name,
                           json_string_value(json_object_get(msg, "type")));
    json_decref(msg);
}

static const char *str_member(json_t *msg, const char *key)
{
    const char *s = json_string_value(json_object_get(msg, key));
    return s ? s : "";
}

/* ---- the media session ---------------------------------------------------- */

/* End the current session: stop media, drop both connections. */
static void end_session(vpeer_client *c)
{
    drop_source(&c->udp_timer);
    vpeer_session_add_totals(c->sess, &c->totals.media);
    vpeer_session_free(c->sess);
    c->sess = NULL;
}

static void session_signal(void *ud, json_t *msg)
{
    send_json(ud, msg);
}

/* --misbehave, once per run: garbage and junk at our connections. */
static gboolean on_udp_timer(gpointer ud)
{
    vpeer_client *c = ud;
    g_source_unref(c->udp_timer);
    c->udp_timer = NULL;
    c->udp_done = true;
    if (c->sess)
        vpeer_session_misbehave(c->sess);
    return G_SOURCE_REMOVE;
}

static void session_publish_connected(void *ud)
{
    vpeer_client *c = ud;
    if (c->misbehave && !c->udp_done && !c->udp_timer)
        c->udp_timer = add_timeout(c, UDP_GARBAGE_DELAY_MS, on_udp_timer);
}

/* A new session for the join that just succeeded. */
static void begin_session(vpeer_client *c)
{
    end_session(c);
    vpeer_session_config sc = {
        .ctx = c->ctx, .ice_addresses = c->ice,
        .trickle_only = c->trickle_only, .rtx = c->rtx,
        .drop_video = c->drop_video, .drop_send = c->drop_send, .no_nack = c->no_nack,
        .send_rtx = c->send_rtx,
        .cert = c->cert, .clip = c->clip, .verify = c->verify,
        .report = c->report, .number = c->session,
        .participant = c->participant, .name = c->name,
        .signal = session_signal,
        .publish_connected = session_publish_connected, .ud = c,
    };
    c->sess = vpeer_session_new(&sc);
}

/* Send subscribe and publish once joined (and after misbehaving). */
static void start_media(vpeer_client *c)
{
    send_json(c, json_pack("{s:s, s:i}", "type", "subscribe",
                           "id", ++c->next_id));
    if (c->publish && c->sess && c->ssrc_from_offer)
        c->publish_pending = true;
    else if (c->publish && c->sess)
        vpeer_session_publish(c->sess, ++c->next_id, c->ssrc_audio, c->ssrc_video);
}

static void on_answer(vpeer_client *c, json_t *msg)
{
    if (c->expect_refused && !strcmp(str_member(msg, "pc"), "publish"))
        vpeer_report_error(c->report, "our publish was answered although it "
                           "should be refused with %s", c->expect_refused);
    if (c->state == ST_JOINED && c->sess)
        vpeer_session_on_answer(c->sess, msg);
}

static void on_offer(vpeer_client *c, json_t *msg)
{
    if (c->state == ST_JOINED && c->sess)
        vpeer_session_on_offer(c->sess, msg);
    uint32_t a, v;
    if (c->state == ST_JOINED && c->sess && c->publish_pending) {
        vpeer_session_offer_ssrcs(msg, &a, &v);
        if (a && v) {        /* publish what the server gave us */
            c->publish_pending = false;
            vpeer_report_event(c->report, "ssrcs-from-offer",
                               json_pack("{s:I, s:I}", "audio", (json_int_t)a,
                                         "video", (json_int_t)v));
            vpeer_session_publish(c->sess, ++c->next_id, a, v);
        }
    }
}

static void on_candidate_msg(vpeer_client *c, json_t *msg)
{
    if (c->state == ST_JOINED && c->sess)
        vpeer_session_on_candidate(c->sess, msg);
}

/* ---- room events ---------------------------------------------------------- */

/* Tracks were removed: stop asking for their missing packets. */
static void forget_removed(vpeer_client *c)
{
    if (c->sess)
        vpeer_session_tracks_removed(c->sess);
}

static void note_participant(vpeer_client *c, json_t *p, json_t *names)
{
    const char *id = str_member(p, "id"), *name = str_member(p, "name");
    vpeer_verify_set_name(c->verify, id, name);
    json_array_append_new(names, json_pack("{s:s, s:s}", "id", id,
                                           "name", name));
}

static void on_joined(vpeer_client *c, json_t *msg)
{
    g_free(c->participant);
    c->participant = g_strdup(str_member(msg, "participant"));
    c->state = ST_JOINED;
    c->session++;
    c->totals.joins++;
    begin_session(c);
    json_t *present = json_array();
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(msg, "participants"), i, p)
        note_participant(c, p, present);
    vpeer_report_event(c->report, "joined",
                       json_pack("{s:s, s:s, s:i, s:o}", "participant",
                                 c->participant, "room", c->room, "session",
                                 c->session, "participants", present));
    if (c->mb && !vpeer_misbehave_running(c->mb) && c->session == 1) {
        vpeer_misbehave_start(c->mb);
        return;
    }
    start_media(c);
}

static void on_participant_joined(vpeer_client *c, json_t *msg)
{
    json_t *p = json_object_get(msg, "participant");
    const char *id = str_member(p, "id"), *name = str_member(p, "name");
    vpeer_verify_set_name(c->verify, id, name);
    vpeer_report_event(c->report, "participant-joined",
                       json_pack("{s:s, s:s}", "participant", id,
                                 "name", name));
}

static void on_participant_left(vpeer_client *c, json_t *msg)
{
    const char *id = str_member(msg, "participant");
    vpeer_verify_remove(c->verify, id, NULL, now_us());
    forget_removed(c);
    vpeer_report_event(c->report, "participant-left",
                       json_pack("{s:s}", "participant", id));
}

static void on_track_added(vpeer_client *c, json_t *msg)
{
    json_t *t = json_object_get(msg, "track");
    vpeer_report_event(c->report, "track-added",
                       json_pack("{s:s, s:s, s:s}", "participant",
                                 str_member(msg, "participant"), "track",
                                 str_member(t, "id"), "kind",
                                 str_member(t, "kind")));
}

static void on_track_removed(vpeer_client *c, json_t *msg)
{
    const char *id = str_member(msg, "participant");
    const char *track = str_member(msg, "track");
    vpeer_verify_remove(c->verify, id, track, now_us());
    forget_removed(c);
    vpeer_report_event(c->report, "track-removed",
                       json_pack("{s:s, s:s}", "participant", id,
                                 "track", track));
}

static void on_left(vpeer_client *c, json_t *msg)
{
    vpeer_report_event(c->report, "left", NULL);
    if (c->state == ST_JOINED) {
        /* not asked for: the server gave up on us (media-failed, whose
         * error is already recorded) */
        end_session(c);
        c->state = ST_LEFT;
    }
    if (c->finishing)
        vpeer_signal_close(c->sig);
}

/* A moderator removed us: we are out of the room. */
static void on_removed(vpeer_client *c, json_t *msg)
{
    const char *reason = str_member(msg, "reason");
    vpeer_report_event(c->report, "removed",
                       json_pack("{s:s}", "reason", reason));
    vpeer_report_error(c->report, "removed from the room: %s", reason);
    end_session(c);
    c->state = ST_LEFT;
}

/* Every 2 s the server reports each publisher's uplink loss; keep ours. */
static void on_quality(vpeer_client *c, json_t *msg)
{
    json_t *q = json_object_get(json_object_get(msg, "participants"),
                                c->participant);
    json_t *loss = json_object_get(q, "loss");
    if (json_is_number(loss) &&
        json_number_value(loss) > c->totals.uplink_loss_max)
        c->totals.uplink_loss_max = json_number_value(loss);
}

static void on_error_msg(vpeer_client *c, json_t *msg)
{
    const char *code = str_member(msg, "code");
    vpeer_report_event(c->report, "error",
                       json_pack("{s:s, s:s}", "code", code, "reason",
                                 str_member(msg, "reason")));
    if (vpeer_misbehave_on_error(c->mb, code))
        return;
    if (c->expect_refused && !c->refused && strcmp(code, c->expect_refused) == 0) {
        c->refused = true;
        vpeer_report_check(c->report, "publish-refused", true,
                           str_member(msg, "reason"));
        return;
    }
    vpeer_report_error(c->report, "server error %s: %s", code,
                       str_member(msg, "reason"));
}

static void on_ignore(vpeer_client *c, json_t *msg)
{
}

typedef struct {
    const char *type;
    void (*fn)(vpeer_client *c, json_t *msg);
} handler;

static const handler HANDLERS[] = {
    { "joined", on_joined },
    { "answer", on_answer },
    { "offer", on_offer },
    { "candidate", on_candidate_msg },
    { "participant-joined", on_participant_joined },
    { "participant-left", on_participant_left },
    { "track-added", on_track_added },
    { "track-removed", on_track_removed },
    { "left", on_left },
    { "removed", on_removed },
    { "quality", on_quality },
    { "error", on_error_msg },
    { "pong", on_ignore },
};

/* ---- signalling callbacks ------------------------------------------------- */

static void send_join(vpeer_client *c)
{
    c->state = ST_JOINING;
    send_json(c, json_pack("{s:s, s:i, s:s, s:s}", "type", "join",
                           "id", ++c->next_id, "room", c->room,
                           "name", c->name));
}

static void on_sig_open(void *ud)
{
    vpeer_client *c = ud;
    vpeer_report_event(c->report, "connected",
                       json_pack("{s:s}", "pc", "signalling"));
    send_join(c);
}

static void on_sig_message(void *ud, json_t *msg)
{
    vpeer_client *c = ud;
    const char *type = str_member(msg, "type");
    for (size_t i = 0; i < sizeof HANDLERS / sizeof *HANDLERS; i++)
        if (strcmp(type, HANDLERS[i].type) == 0) {
            HANDLERS[i].fn(c, msg);
            return;
        }
    /* Later protocol versions add messages (chat, speakers, ...): note
     * each new type once; they are not errors. */
    if (g_hash_table_add(c->unhandled, g_strdup(type)))
        vpeer_report_event(c->report, "unhandled-message",
                           json_pack("{s:s}", "type", type));
}

static void on_sig_bad_message(void *ud, const char *text)
{
    vpeer_client *c = ud;
    vpeer_report_error(c->report, "server sent text that is not JSON: %.80s",
                       text);
}

static void finish_done(vpeer_client *c)
{
    drop_source(&c->finish_timer);
    void (*done)(void *) = c->done;
    c->done = NULL;
    if (done)
        done(c->done_ud);
}

static void on_sig_closed(void *ud, int code, const char *reason)
{
    vpeer_client *c = ud;
    vpeer_report_event(c->report, "signalling-closed",
                       json_pack("{s:i, s:s}", "code", code, "reason", reason));
    if (vpeer_misbehave_on_closed(c->mb, code))
        return;   /* the script's finished hook reconnects */
    end_session(c);
    c->state = ST_CLOSED;
    if (c->finishing) {
        finish_done(c);
        return;
    }
    vpeer_report_error(c->report, "signalling closed unexpectedly (%d %s)",
                       code, reason);
}

static const vpeer_signal_callbacks SIG_CB = {
    on_sig_open, on_sig_message, on_sig_bad_message, on_sig_closed,
};

/* ---- misbehave hooks ------------------------------------------------------ */

static int mb_send_text(void *ud, const char *text)
{
    vpeer_client *c = ud;
    return vpeer_signal_send_text(c->sig, text);
}

/* The bad-signalling script is over: go on normally, reconnecting first
 * when the server closed on us (it should have, for too-large). */
static void mb_finished(void *ud)
{
    vpeer_client *c = ud;
    if (vpeer_signal_is_open(c->sig)) {
        start_media(c);
        return;
    }
    end_session(c);
    c->state = ST_CONNECTING;
    vpeer_report_event(c->report, "reconnect", NULL);
    if (vpeer_signal_connect(c->sig) != 0)
        vpeer_report_error(c->report, "could not reconnect");
}

static const vpeer_misbehave_hooks MB_HOOKS = { mb_send_text, mb_finished };

/* ---- public --------------------------------------------------------------- */

vpeer_client *vpeer_client_new(const vpeer_client_config *cfg)
{
    vpeer_client *c = g_new0(vpeer_client, 1);
    c->ctx = cfg->ctx;
    c->url = g_strdup(cfg->url);
    c->ssrc_audio = cfg->ssrc_audio;
    c->ssrc_video = cfg->ssrc_video;
    c->ssrc_from_offer = cfg->ssrc_from_offer;
    c->expect_refused = g_strdup(cfg->expect_refused);
    c->room = g_strdup(cfg->room);
    c->name = g_strdup(cfg->name);
    c->ice = g_strdup(cfg->ice_addresses);
    c->publish = cfg->publish;
    c->misbehave = cfg->misbehave;
    c->trickle_only = cfg->trickle_only;
    c->rtx = cfg->rtx;
    c->drop_video = cfg->drop_video;
    c->drop_send = cfg->drop_send;
    c->no_nack = cfg->no_nack;
    c->send_rtx = cfg->send_rtx;
    c->cert = veche_dtls_cert_ref(cfg->cert);
    c->clip = cfg->clip;
    c->verify = cfg->verify;
    c->report = cfg->report;
    c->participant = g_strdup("");
    c->totals.uplink_loss_max = -1;
    c->unhandled = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->sig = vpeer_signal_new(c->url, &SIG_CB, c);
    if (c->misbehave)
        c->mb = vpeer_misbehave_new(c->ctx, c->report, &MB_HOOKS, c);
    return c;
}

void vpeer_client_free(vpeer_client *c)
{
    if (!c)
        return;
    end_session(c);
    drop_source(&c->finish_timer);
    vpeer_misbehave_free(c->mb);
    vpeer_signal_free(c->sig);
    veche_dtls_cert_unref(c->cert);
    g_hash_table_unref(c->unhandled);
    g_free(c->participant);
    g_free(c->url);
    g_free(c->expect_refused);
    g_free(c->room);
    g_free(c->name);
    g_free(c->ice);
    g_free(c);
}

int vpeer_client_start(vpeer_client *c)
{
    if (c->state != ST_IDLE)
        return VECHE_ESTATE;
    c->state = ST_CONNECTING;
    return vpeer_signal_connect(c->sig);
}

int vpeer_client_leave(vpeer_client *c)
{
    if (c->state != ST_JOINED)
        return VECHE_ESTATE;
    send_json(c, json_pack("{s:s, s:i}", "type", "leave",
                           "id", ++c->next_id));
    end_session(c);
    c->state = ST_LEFT;
    return 0;
}

int vpeer_client_join(vpeer_client *c)
{
    if (c->state != ST_LEFT)
        return VECHE_ESTATE;
    send_join(c);
    return 0;
}

static gboolean on_finish_timer(gpointer ud)
{
    vpeer_client *c = ud;
    g_source_unref(c->finish_timer);
    c->finish_timer = NULL;
    finish_done(c);
    return G_SOURCE_REMOVE;
}

void vpeer_client_finish(vpeer_client *c, void (*done)(void *ud), void *ud)
{
    if (c->expect_refused && !c->refused)
        vpeer_report_check(c->report, "publish-refused", false,
                           c->publish_pending ? "no subscribe offer to copy SSRCs from"
                                              : "the expected error never came");
    c->finishing = true;
    c->done = done;
    c->done_ud = ud;
    c->finish_timer = add_timeout(c, FINISH_GRACE_MS, on_finish_timer);
    if (vpeer_client_leave(c) != 0) {
        end_session(c);
        vpeer_signal_close(c->sig);
    }
    if (c->state == ST_CLOSED || c->state == ST_IDLE)
        finish_done(c);
}

const char *vpeer_client_participant(const vpeer_client *c)
{
    return c->participant;
}

void vpeer_client_totals_get(const vpeer_client *c, vpeer_client_totals *out)
{
    *out = c->totals;
    vpeer_session_add_totals(c->sess, &out->media);
}
