/* turn.c - TURN REST API credentials and the `ice_servers` of `joined`
 * (turn.h).  HMAC-SHA1 and base64 from GLib; no I/O, no state.
 *
 * The credential's lifetime (turn_ttl_seconds) must cover a whole meeting:
 * coturn checks the expiry again on every Refresh of an allocation, so a
 * relayed call stops when its credential runs out.  A reconnect gets a new
 * `joined`, hence a fresh credential.
 */
#include "turn.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "turn_urls.h"

#define USER_MAX 64

int veche_turn_credential(const char *secret, int64_t expiry, const char *user,
                          char *username, size_t ucap, char *credential, size_t ccap)
{
    if (ucap)
        username[0] = '\0';
    if (ccap)
        credential[0] = '\0';
    size_t ulen = user ? strlen(user) : 0;
    if (!secret || !*secret || ulen == 0 || ulen > USER_MAX || strchr(user, ':') ||
        expiry < 0 || ucap < VECHE_TURN_USERNAME_SIZE || ccap < VECHE_TURN_CREDENTIAL_SIZE)
        return VECHE_EINVAL;
    char name[VECHE_TURN_USERNAME_SIZE];
    snprintf(name, sizeof name, "%lld:%s", (long long)expiry, user);
    GHmac *mac = g_hmac_new(G_CHECKSUM_SHA1, (const guchar *)secret, strlen(secret));
    g_hmac_update(mac, (const guchar *)name, -1);
    guint8 digest[20];
    gsize dlen = sizeof digest;
    g_hmac_get_digest(mac, digest, &dlen);
    g_hmac_unref(mac);
    gchar *b64 = g_base64_encode(digest, dlen);
    snprintf(username, ucap, "%s", name);
    snprintf(credential, ccap, "%s", b64);
    g_free(b64);
    return 0;
}

json_t *veche_turn_ice_servers(const veche_config *cfg, const char *user, int64_t now)
{
    if (!cfg || !cfg->turn_urls[0])
        return NULL;
    veche_turn_urls list;
    char why[128];
    if (veche_turn_urls_parse(cfg->turn_urls, &list, why, sizeof why) != 0 || list.n == 0)
        return NULL;
    char username[VECHE_TURN_USERNAME_SIZE], credential[VECHE_TURN_CREDENTIAL_SIZE];
    if (veche_turn_credential(cfg->turn_secret, now + (int64_t)cfg->turn_ttl_seconds, user,
                              username, sizeof username, credential, sizeof credential) != 0)
        return NULL;
    json_t *urls = json_array();
    for (unsigned i = 0; i < list.n; i++)
        json_array_append_new(urls, json_string(list.url[i]));
    json_t *server = json_pack("{s:o, s:s, s:s}", "urls", urls, "username", username,
                               "credential", credential);
    return server ? json_pack("[o]", server) : NULL;
}
