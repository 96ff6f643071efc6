/* fuzz_sdp.c - libFuzzer target for the SDP parser and writer: parse; if
 * that succeeds, run every lookup, write the tree, and check the text
 * parses back to an equal tree and writes to the same text again (the
 * round-trip invariant in sdp.c).  A failed parse must give a reason. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp.h"

static void check_lookups(const veche_sdp_media *m)
{
    uint32_t primary = veche_sdp_media_primary_ssrc(m);
    veche_sdp_media_rtx_ssrc(m, primary);
    for (int i = 0; i < m->n_codecs; i++) {
        const veche_sdp_codec *c = &m->codecs[i];
        if (veche_sdp_media_codec_by_pt(m, c->pt) != c)
            abort();
        int rtx = veche_sdp_media_rtx_for(m, c->pt);
        if (rtx != -1 && !veche_sdp_media_codec_by_pt(m, (uint8_t)rtx))
            abort();
        if (veche_sdp_media_find_codec(m, c->name) == NULL ||
            (c->n_fb > 0 && !veche_sdp_codec_has_fb(c, c->fb[0])))
            abort();
    }
    for (int i = 0; i < m->n_extmaps; i++)
        if (veche_sdp_media_extmap_id(m, m->extmaps[i].uri) != m->extmaps[i].id)
            abort();
}

static void check_round_trip(const veche_sdp *sdp)
{
    char reason[160];
    char *text = veche_sdp_write(sdp);
    veche_sdp *again = NULL;
    if (!text)
        abort();
    if (veche_sdp_parse_r(text, strlen(text), &again, reason, sizeof reason) != 0) {
        fprintf(stderr, "written SDP does not parse: %s\n%s", reason, text);
        abort();
    }
    char *text2 = veche_sdp_write(again);
    if (!veche_sdp_equal(sdp, again) || !text2 || strcmp(text, text2) != 0) {
        fprintf(stderr, "round trip differs:\n%s----\n%s", text, text2 ? text2 : "(null)");
        abort();
    }
    free(text2);
    free(text);
    veche_sdp_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char reason[160];
    veche_sdp *sdp = NULL;
    if (veche_sdp_parse_r((const char *)data, size, &sdp, reason, sizeof reason) != 0) {
        if (sdp || reason[0] == '\0')
            abort();
        return 0;
    }
    for (int i = 0; i < sdp->n_media; i++) {
        const veche_sdp_media *m = &sdp->media[i];
        check_lookups(m);
        /* BUNDLE (RFC 8843): port 0 is live only with bundle-only; a
         * section's transport is itself or, for a bundled one, a live
         * section of the group with ICE credentials. */
        const veche_sdp_media *t = veche_sdp_media_transport(sdp, m);
        if ((m->port == 0 && !m->bundle_only && veche_sdp_media_active(sdp, m)) ||
            (t != m && (!veche_sdp_media_bundled(sdp, m) || !veche_sdp_media_bundled(sdp, t) ||
                        !veche_sdp_media_active(sdp, t) || !t->ice_ufrag)))
            abort();
    }
    check_round_trip(sdp);
    veche_sdp_free(sdp);
    return 0;
}
