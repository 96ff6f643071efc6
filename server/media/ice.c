/* ice.c - ICE through libnice: one agent, one stream, one component.
 *
 * Implements what ice.h promises on top of NiceAgent in full mode with the
 * RFC 5245 compatibility and trickle option.  Remote candidates that cannot
 * be used here (mDNS ".local" names, TCP) are ignored, as are candidates that
 * arrive before the remote credentials: the caller sets credentials first
 * from the SDP.  When a pair is selected, the socket that carries the media
 * gets the configured kernel buffer sizes (sockbuf.h); the other host
 * sockets only ever carry connectivity checks.
 * ICE-TCP (RFC 6544), when asked: libnice adds TCP host candidates; only
 * the passive ones are announced (a server is reached, it does not reach
 * out: browsers offer active TCP candidates only), and remote TCP
 * candidates are accepted.  libnice frames each datagram on a TCP
 * connection with RFC 4571 (agent not in reliable mode), so DTLS and SRTP
 * above see datagrams either way.
 * Sending: once a UDP pair is selected whose local side is our own socket
 * (host, server- or peer-reflexive; not a TURN relay, not TCP), datagrams
 * go straight to that socket (sendto, or one sendmmsg for a batch) to the
 * selected remote address, the same bytes libnice would send there but
 * without its agent lock and socket layers per datagram.  libnice keeps
 * the socket, its checks and keepalives; the pair is re-read whenever it
 * selects another.  Otherwise (TCP, relay, no pair yet) through
 * nice_agent_send().
 * Not here: TURN (the browser relays through coturn itself), ICE restarts.
 */
#include "ice.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <nice/agent.h>

#include "err.h"
#include "log.h"
#include "sockbuf.h"

struct veche_ice {
    veche_ice_callbacks cb;
    void *ud;
    NiceAgent *agent;
    guint stream_id;
    char *public_address;
    char *ufrag;
    char *pwd;
    unsigned recv_buffer_kb, send_buffer_kb;
    bool remote_creds;
    bool tcp;
    veche_ice_state state;
    /* The direct path (see the top): the selected socket (a ref) and the
     * remote address, or direct_sock NULL. */
    GSocket *direct_sock;
    int direct_fd;
    struct sockaddr_storage direct_to;
    socklen_t direct_to_len;
};

static void on_new_candidate(NiceAgent *agent, NiceCandidate *cand, gpointer data)
{
    veche_ice *ice = data;
    NiceCandidate *c = nice_candidate_copy(cand);
    if (ice->public_address && c->type == NICE_CANDIDATE_TYPE_HOST) {
        guint port = nice_address_get_port(&c->addr);
        if (nice_address_set_from_string(&c->addr, ice->public_address))
            nice_address_set_port(&c->addr, port);
    }
    if (c->transport == NICE_CANDIDATE_TRANSPORT_TCP_ACTIVE ||
        c->transport == NICE_CANDIDATE_TRANSPORT_TCP_SO) {
        nice_candidate_free(c);  /* we wait to be reached */
        return;
    }
    gchar *sdp = nice_agent_generate_local_candidate_sdp(agent, c);
    nice_candidate_free(c);
    if (!sdp)
        return;
    const char *line = g_str_has_prefix(sdp, "a=") ? sdp + 2 : sdp;
    ice->cb.on_candidate(ice->ud, line);
    g_free(sdp);
}

static void on_gathering_done(NiceAgent *agent, guint stream_id, gpointer data)
{
    veche_ice *ice = data;
    ice->cb.on_candidate(ice->ud, NULL);
}

static void on_component_state(NiceAgent *agent, guint stream_id, guint component,
                               guint state, gpointer data)
{
    veche_ice *ice = data;
    veche_ice_state next = ice->state;
    if (state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY)
        next = VECHE_ICE_CONNECTED;
    else if (state == NICE_COMPONENT_STATE_FAILED)
        next = VECHE_ICE_FAILED;
    if (next == ice->state || ice->state == VECHE_ICE_FAILED)
        return;
    ice->state = next;
    ice->cb.on_state(ice->ud, next);
}

/* The direct path for the selected pair, when it is plain UDP from one of
 * our own sockets; otherwise none (nice_agent_send). */
static void set_direct_path(veche_ice *ice, NiceAgent *agent, GSocket *sock)
{
    if (ice->direct_sock) {
        g_object_unref(ice->direct_sock);
        ice->direct_sock = NULL;
    }
    NiceCandidate *local = NULL, *remote = NULL;
    if (!sock || !nice_agent_get_selected_pair(agent, ice->stream_id, 1, &local, &remote) ||
        local->transport != NICE_CANDIDATE_TRANSPORT_UDP ||
        remote->transport != NICE_CANDIDATE_TRANSPORT_UDP ||
        local->type == NICE_CANDIDATE_TYPE_RELAYED)
        return;
    memset(&ice->direct_to, 0, sizeof ice->direct_to);
    nice_address_copy_to_sockaddr(&remote->addr, (struct sockaddr *)&ice->direct_to);
    int family = ((struct sockaddr *)&ice->direct_to)->sa_family;
    if (family != AF_INET && family != AF_INET6)
        return;
    ice->direct_to_len = family == AF_INET ? sizeof(struct sockaddr_in)
                                           : sizeof(struct sockaddr_in6);
    ice->direct_fd = g_socket_get_fd(sock);
    ice->direct_sock = g_object_ref(sock);
}

/* The pair that carries media from now on: size its socket's buffers and
 * send on it directly when it is plain UDP. */
static void on_selected_pair(NiceAgent *agent, guint stream_id, guint component,
                             gchar *lfoundation, gchar *rfoundation, gpointer data)
{
    veche_ice *ice = data;
    GSocket *sock = nice_agent_get_selected_socket(agent, stream_id, component);
    set_direct_path(ice, agent, sock);
    if (!sock)
        return;
    veche_sockbuf_sizes got;
    if ((ice->recv_buffer_kb || ice->send_buffer_kb) &&
        veche_sockbuf_apply(g_socket_get_fd(sock), ice->recv_buffer_kb, ice->send_buffer_kb,
                            &got) == 0)
        VLOG_DEBUG(NULL, NULL, "media socket %d: receive buffer %d KiB, send %d KiB",
                   g_socket_get_fd(sock), got.recv_bytes / 1024, got.send_bytes / 1024);
    g_object_unref(sock);
}

static void on_recv(NiceAgent *agent, guint stream_id, guint component, guint len,
                    gchar *buf, gpointer data)
{
    veche_ice *ice = data;
    ice->cb.on_recv(ice->ud, (uint8_t *)buf, len);
}

/* Add each address of a comma-separated list; 0 or VECHE_EINVAL. */
static int add_local_addresses(NiceAgent *agent, const char *list)
{
    if (!list || !*list)
        return 0;
    gchar **parts = g_strsplit(list, ",", -1);
    int rc = 0;
    for (gchar **p = parts; *p; p++) {
        gchar *ip = g_strstrip(*p);
        if (!*ip)
            continue;
        NiceAddress addr;
        nice_address_init(&addr);
        if (!nice_address_set_from_string(&addr, ip) ||
            !nice_agent_add_local_address(agent, &addr)) {
            rc = VECHE_EINVAL;
            break;
        }
    }
    g_strfreev(parts);
    return rc;
}

static int configure_agent(veche_ice *ice, const veche_ice_config *cfg)
{
    g_object_set(ice->agent, "controlling-mode", cfg->controlling, "upnp", FALSE,
                 "ice-tcp", cfg->tcp ? TRUE : FALSE, "ice-udp", TRUE, NULL);
    if (cfg->stun_server && *cfg->stun_server)
        g_object_set(ice->agent, "stun-server", cfg->stun_server, "stun-server-port",
                     (guint)cfg->stun_port, NULL);
    if (add_local_addresses(ice->agent, cfg->local_addresses) != 0)
        return VECHE_EINVAL;
    ice->stream_id = nice_agent_add_stream(ice->agent, 1);
    if (!ice->stream_id)
        return VECHE_EIO;
    if (cfg->port_min && cfg->port_max)
        nice_agent_set_port_range(ice->agent, ice->stream_id, 1, cfg->port_min,
                                  cfg->port_max);
    gchar *ufrag = NULL, *pwd = NULL;
    if (!nice_agent_get_local_credentials(ice->agent, ice->stream_id, &ufrag, &pwd))
        return VECHE_EIO;
    ice->ufrag = ufrag;
    ice->pwd = pwd;
    g_signal_connect(ice->agent, "new-candidate-full", G_CALLBACK(on_new_candidate), ice);
    g_signal_connect(ice->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done),
                     ice);
    g_signal_connect(ice->agent, "component-state-changed", G_CALLBACK(on_component_state),
                     ice);
    g_signal_connect(ice->agent, "new-selected-pair", G_CALLBACK(on_selected_pair), ice);
    if (!nice_agent_attach_recv(ice->agent, ice->stream_id, 1, cfg->ctx, on_recv, ice))
        return VECHE_EIO;
    return 0;
}

veche_ice *veche_ice_new(const veche_ice_config *cfg, const veche_ice_callbacks *cb,
                         void *ud)
{
    veche_ice *ice = g_new0(veche_ice, 1);
    ice->cb = *cb;
    ice->ud = ud;
    ice->state = VECHE_ICE_CHECKING;
    ice->tcp = cfg->tcp;
    ice->recv_buffer_kb = cfg->recv_buffer_kb;
    ice->send_buffer_kb = cfg->send_buffer_kb;
    if (cfg->public_address && *cfg->public_address)
        ice->public_address = g_strdup(cfg->public_address);
    ice->agent = nice_agent_new_full(cfg->ctx, NICE_COMPATIBILITY_RFC5245,
                                     NICE_AGENT_OPTION_ICE_TRICKLE);
    if (!ice->agent || configure_agent(ice, cfg) != 0) {
        veche_ice_free(ice);
        return NULL;
    }
    return ice;
}

void veche_ice_free(veche_ice *ice)
{
    if (!ice)
        return;
    if (ice->direct_sock)
        g_object_unref(ice->direct_sock);
    if (ice->agent) {
        g_signal_handlers_disconnect_by_data(ice->agent, ice);
        if (ice->stream_id) {
            nice_agent_attach_recv(ice->agent, ice->stream_id, 1, NULL, NULL, NULL);
            nice_agent_remove_stream(ice->agent, ice->stream_id);
        }
        g_object_unref(ice->agent);
    }
    g_free(ice->public_address);
    g_free(ice->ufrag);
    g_free(ice->pwd);
    g_free(ice);
}

int veche_ice_gather(veche_ice *ice)
{
    return nice_agent_gather_candidates(ice->agent, ice->stream_id) ? 0 : VECHE_EIO;
}

const char *veche_ice_local_ufrag(const veche_ice *ice) { return ice->ufrag; }
const char *veche_ice_local_pwd(const veche_ice *ice) { return ice->pwd; }

int veche_ice_set_remote_credentials(veche_ice *ice, const char *ufrag, const char *pwd)
{
    if (!ufrag || !pwd || !*ufrag || !*pwd)
        return VECHE_EINVAL;
    if (!nice_agent_set_remote_credentials(ice->agent, ice->stream_id, ufrag, pwd))
        return VECHE_EINVAL;
    ice->remote_creds = true;
    return 0;
}

/* Whether a candidate line names something libnice here can reach. */
static bool candidate_usable(const char *line, bool tcp)
{
    /* "candidate:F C TRANSPORT PRIO ADDR PORT typ T ..." */
    gchar **f = g_strsplit(line, " ", 8);
    bool ok = g_strv_length(f) >= 8 &&
              (g_ascii_strcasecmp(f[2], "udp") == 0 ||
               (tcp && g_ascii_strcasecmp(f[2], "tcp") == 0)) &&
              !g_str_has_suffix(f[4], ".local") && strcmp(f[1], "1") == 0;
    g_strfreev(f);
    return ok;
}

int veche_ice_add_remote_candidate(veche_ice *ice, const char *candidate)
{
    if (!candidate || !*candidate) {
        nice_agent_peer_candidate_gathering_done(ice->agent, ice->stream_id);
        return 0;
    }
    if (!ice->remote_creds)
        return VECHE_ESTATE;
    const char *line = g_str_has_prefix(candidate, "a=") ? candidate + 2 : candidate;
    if (!g_str_has_prefix(line, "candidate:"))
        return VECHE_EINVAL;
    if (!candidate_usable(line, ice->tcp))
        return 0;
    gchar *sdp = g_strconcat("a=", line, NULL);
    NiceCandidate *c = nice_agent_parse_remote_candidate_sdp(ice->agent, ice->stream_id, sdp);
    g_free(sdp);
    if (!c)
        return VECHE_EINVAL;
    GSList *list = g_slist_append(NULL, c);
    int n = nice_agent_set_remote_candidates(ice->agent, ice->stream_id, 1, list);
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    return n >= 0 ? 0 : VECHE_EINVAL;
}

bool veche_ice_sends_direct(const veche_ice *ice) { return ice->direct_sock != NULL; }

int veche_ice_send(veche_ice *ice, const uint8_t *buf, size_t len)
{
    if (ice->direct_sock) {
        ssize_t n;
        do
            n = sendto(ice->direct_fd, buf, len, 0, (struct sockaddr *)&ice->direct_to,
                       ice->direct_to_len);
        while (n < 0 && errno == EINTR);
        return n < 0 ? VECHE_EIO : (int)n;
    }
    /* libnice refuses (-1) until a pair is selected; DTLS retransmits. */
    gint n = nice_agent_send(ice->agent, ice->stream_id, 1, (guint)len, (const gchar *)buf);
    return n < 0 ? VECHE_EIO : n;
}

int veche_ice_send_many(veche_ice *ice, const uint8_t *const *bufs, const size_t *lens,
                        unsigned n)
{
    if (!ice->direct_sock) {
        unsigned sent = 0;
        for (unsigned i = 0; i < n; i++)
            if (veche_ice_send(ice, bufs[i], lens[i]) >= 0)
                sent++;
        return (int)sent;
    }
    struct mmsghdr msgs[VECHE_ICE_SEND_MANY_MAX];
    struct iovec iov[VECHE_ICE_SEND_MANY_MAX];
    if (n > VECHE_ICE_SEND_MANY_MAX)
        n = VECHE_ICE_SEND_MANY_MAX;
    memset(msgs, 0, n * sizeof msgs[0]);
    for (unsigned i = 0; i < n; i++) {
        iov[i].iov_base = (void *)bufs[i];
        iov[i].iov_len = lens[i];
        msgs[i].msg_hdr.msg_name = &ice->direct_to;
        msgs[i].msg_hdr.msg_namelen = ice->direct_to_len;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    /* sendmmsg stops at the first datagram that fails; that one is
     * dropped (a full buffer or an error the peer's retransmission
     * requests recover from) and the rest still go. */
    unsigned done = 0, sent = 0;
    while (done < n) {
        int r = sendmmsg(ice->direct_fd, msgs + done, n - done, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            done++;
            continue;
        }
        done += (unsigned)r;
        sent += (unsigned)r;
    }
    return (int)sent;
}
