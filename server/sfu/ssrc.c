/* ssrc.c - the SSRC space of a room.
 *
 * Every subscriber gets its own SSRCs: the server picks a random SSRC and
 * RTX SSRC for each downtrack (track.c rewrites the packets,
 * rtp_rewrite.h), so no SSRC a publisher chose ever reaches a subscriber
 * and a publisher cannot make two streams of one subscriber's BUNDLE group
 * share an SSRC (or an SRTP stream).  The invariants, over the members of
 * the room:
 *
 *   1. the SSRCs (media and RTX) of all published tracks are distinct;
 *   2. the SSRCs (media and RTX) of all downtracks, live or ended, are
 *      distinct, from each other and from every published track's;
 *   3. neither takes a participant's RTCP sender SSRC (rtcp_ssrc).
 *
 * veche_ssrc_allocate() keeps 2 and 3 when it picks; a publish that would
 * break 1, 2 or 3 is refused before anything changes
 * (veche_ssrc_check_publish, error "ssrc-conflict"), so nobody else's
 * media is touched.  A participant's own tracks do not conflict with its
 * next offer: a re-offer repeats them.
 *
 * Cost: a scan over the room's tracks and downtracks, at negotiation time
 * only, never per packet.  rtcp_ssrc is picked at join without a check
 * (a 2^-32 chance to meet a track's SSRC, harmless: it only names the
 * sender of our RTCP).
 */
#include "sfu.h"

#include <stdio.h>

#include "err.h"

static bool track_uses(const veche_track *t, uint32_t ssrc)
{
    return t->ssrc == ssrc || (t->rtx_ssrc && t->rtx_ssrc == ssrc);
}

static bool downtrack_uses(const veche_downtrack *dt, uint32_t ssrc)
{
    return dt->ssrc == ssrc || (dt->rtx_ssrc && dt->rtx_ssrc == ssrc);
}

/* Whether ssrc is taken in the room by anything but skip's own tracks. */
static bool participant_uses(const veche_participant *p, uint32_t ssrc,
                             const veche_participant *skip)
{
    if (p->rtcp_ssrc == ssrc)
        return true;
    for (guint i = 0; p != skip && i < p->tracks->len; i++)
        if (track_uses(g_ptr_array_index(p->tracks, i), ssrc))
            return true;
    for (guint i = 0; i < p->downtracks->len; i++)
        if (downtrack_uses(g_ptr_array_index(p->downtracks, i), ssrc))
            return true;
    return false;
}

bool veche_ssrc_in_use(const veche_room *room, const veche_participant *p, uint32_t ssrc,
                       const veche_participant *skip)
{
    if (ssrc == 0)
        return true;  /* never handed out; a=ssrc:0 means none */
    if (p && participant_uses(p, ssrc, skip))
        return true;
    for (guint i = 0; room && i < room->participants->len; i++) {
        const veche_participant *o = g_ptr_array_index(room->participants, i);
        if (o != p && participant_uses(o, ssrc, skip))
            return true;
    }
    return false;
}

uint32_t veche_ssrc_allocate(const veche_room *room, const veche_participant *sub,
                             uint32_t also_not)
{
    for (;;) {
        uint32_t ssrc = g_random_int();
        if (ssrc != also_not && !veche_ssrc_in_use(room, sub, ssrc, NULL))
            return ssrc;
    }
}

static int conflict(veche_sfu_error *err, const char *mid, uint32_t ssrc, const char *why)
{
    err->code = "ssrc-conflict";
    snprintf(err->reason, sizeof err->reason,
             "SSRC %u of m-line %s %s; publish again with new SSRCs", ssrc, mid, why);
    return VECHE_EEXISTS;
}

int veche_ssrc_check_publish(const veche_room *room, const veche_participant *p,
                             const veche_pub_media *media, int n, veche_sfu_error *err)
{
    for (int i = 0; i < n; i++) {
        uint32_t ssrcs[2] = {media[i].ssrc, media[i].rtx_ssrc};
        for (int k = 0; k < 2; k++) {
            uint32_t s = ssrcs[k];
            if (k == 1 && s == 0)
                continue;  /* no RTX */
            if (k == 1 && s == ssrcs[0])
                return conflict(err, media[i].mid, s, "is its own RTX SSRC");
            for (int j = 0; j < i; j++)
                if (s == media[j].ssrc || (media[j].rtx_ssrc && s == media[j].rtx_ssrc))
                    return conflict(err, media[i].mid, s, "is used by another m-line");
            if (veche_ssrc_in_use(room, p, s, p))
                return conflict(err, media[i].mid, s, "is already in use in this room");
        }
    }
    return 0;
}
