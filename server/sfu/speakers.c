/* speakers.c - a meeting's speakers list; see speakers.h.  The state is
 * kept as the very value events carry (veche_sfu_speakers), so a snapshot
 * is a copy. */
#include "speakers.h"

#include <glib.h>
#include <string.h>

#include "err.h"

struct veche_speakers {
    veche_sfu_speakers s;
};

veche_speakers *veche_speakers_new(void)
{
    return g_new0(veche_speakers, 1);
}

void veche_speakers_free(veche_speakers *sp)
{
    g_free(sp);
}

static int index_of(const veche_speakers *sp, const char *id)
{
    for (unsigned i = 0; id && i < sp->s.n; i++)
        if (strcmp(sp->s.list[i], id) == 0)
            return (int)i;
    return -1;
}

bool veche_speakers_waiting(const veche_speakers *sp, const char *id)
{
    return index_of(sp, id) >= 0;
}

const char *veche_speakers_speaking(const veche_speakers *sp)
{
    return sp->s.speaking;
}

int veche_speakers_request(veche_speakers *sp, const char *id)
{
    if (!id || !*id || strlen(id) >= VECHE_PARTICIPANT_ID_LEN)
        return VECHE_EINVAL;
    if (index_of(sp, id) >= 0 || strcmp(sp->s.speaking, id) == 0)
        return VECHE_EEXISTS;
    if (sp->s.n >= VECHE_SPEAKERS_MAX)
        return VECHE_ELIMIT;
    g_strlcpy(sp->s.list[sp->s.n++], id, VECHE_PARTICIPANT_ID_LEN);
    return 0;
}

static void remove_at(veche_speakers *sp, unsigned i)
{
    memmove(sp->s.list[i], sp->s.list[i + 1], (sp->s.n - i - 1) * sizeof sp->s.list[0]);
    memmove(&sp->s.away[i], &sp->s.away[i + 1], (sp->s.n - i - 1) * sizeof sp->s.away[0]);
    sp->s.n--;
    sp->s.away[sp->s.n] = false;
}

int veche_speakers_withdraw(veche_speakers *sp, const char *id)
{
    int i = index_of(sp, id);
    if (i < 0)
        return VECHE_ENOTFOUND;
    remove_at(sp, (unsigned)i);
    return 0;
}

int veche_speakers_move(veche_speakers *sp, const char *id, unsigned position)
{
    int i = index_of(sp, id);
    if (i < 0)
        return VECHE_ENOTFOUND;
    if (position < 1)
        return VECHE_EINVAL;
    char keep[VECHE_PARTICIPANT_ID_LEN];
    memcpy(keep, sp->s.list[i], sizeof keep);
    bool away = sp->s.away[i];
    remove_at(sp, (unsigned)i);
    unsigned to = position - 1 > sp->s.n ? sp->s.n : position - 1;
    memmove(sp->s.list[to + 1], sp->s.list[to], (sp->s.n - to) * sizeof sp->s.list[0]);
    memmove(&sp->s.away[to + 1], &sp->s.away[to], (sp->s.n - to) * sizeof sp->s.away[0]);
    memcpy(sp->s.list[to], keep, sizeof keep);
    sp->s.away[to] = away;
    sp->s.n++;
    return 0;
}

static void take_floor(veche_speakers *sp, char prev[VECHE_PARTICIPANT_ID_LEN])
{
    if (prev)
        g_strlcpy(prev, sp->s.speaking, VECHE_PARTICIPANT_ID_LEN);
    sp->s.speaking[0] = '\0';
    sp->s.since_ms = sp->s.deadline_ms = 0;
}

int veche_speakers_give(veche_speakers *sp, const char *id, int seconds, int64_t now_ms,
                        char prev[VECHE_PARTICIPANT_ID_LEN])
{
    int first = -1;
    for (unsigned k = 0; !id && k < sp->s.n && first < 0; k++)
        if (!sp->s.away[k])
            first = (int)k;
    if (!id && first < 0)
        return VECHE_ENOTFOUND;
    char who[VECHE_PARTICIPANT_ID_LEN];
    g_strlcpy(who, id ? id : sp->s.list[first], sizeof who);
    if (!who[0])
        return VECHE_EINVAL;
    int i = index_of(sp, who);
    if (i >= 0)
        remove_at(sp, (unsigned)i);
    take_floor(sp, prev);
    unsigned limit = seconds < 0 ? sp->s.limit_s : (unsigned)seconds;
    memcpy(sp->s.speaking, who, sizeof who);
    sp->s.since_ms = now_ms;
    sp->s.deadline_ms = limit ? now_ms + (int64_t)limit * 1000 : 0;
    return 0;
}

bool veche_speakers_done(veche_speakers *sp, char prev[VECHE_PARTICIPANT_ID_LEN])
{
    bool had = sp->s.speaking[0] != '\0';
    take_floor(sp, prev);
    return had;
}

void veche_speakers_set_limit(veche_speakers *sp, unsigned seconds)
{
    sp->s.limit_s = seconds;
}

void veche_speakers_reset(veche_speakers *sp, int64_t item, char prev[VECHE_PARTICIPANT_ID_LEN])
{
    take_floor(sp, prev);
    sp->s.n = 0;
    memset(sp->s.away, 0, sizeof sp->s.away);
    sp->s.item = item;
}

bool veche_speakers_forget(veche_speakers *sp, const char *id)
{
    bool was = veche_speakers_withdraw(sp, id) == 0;
    if (id && strcmp(sp->s.speaking, id) == 0) {
        take_floor(sp, NULL);
        was = true;
    }
    return was;
}

bool veche_speakers_hold(veche_speakers *sp, const char *id, char prev[VECHE_PARTICIPANT_ID_LEN])
{
    if (prev)
        prev[0] = '\0';
    int i = index_of(sp, id);
    bool changed = false;
    if (i >= 0 && !sp->s.away[i]) {
        sp->s.away[i] = true;
        changed = true;
    }
    if (id && *id && strcmp(sp->s.speaking, id) == 0) {
        take_floor(sp, prev);
        changed = true;
    }
    return changed;
}

bool veche_speakers_back(veche_speakers *sp, const char *id)
{
    int i = index_of(sp, id);
    if (i < 0 || !sp->s.away[i])
        return false;
    sp->s.away[i] = false;
    return true;
}

veche_sfu_speakers *veche_speakers_snapshot(const veche_speakers *sp)
{
    return g_memdup2(&sp->s, sizeof sp->s);
}
