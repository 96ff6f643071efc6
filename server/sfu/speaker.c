/* speaker.c - active speaker detection; see speaker.h.
 *
 * Each window, a participant's score is the mean loudness (127 - level) of
 * its packets, counting only packets louder than SPEECH_LEVEL; the highest
 * score wins the window if it has enough voiced packets.  Two consecutive
 * window wins make a new active speaker.  The table is a small array: rooms
 * have tens of publishers, and a linear scan beats hashing at that size.
 */
#include "speaker.h"

#include <glib.h>

#define SPEECH_LEVEL 60          /* quieter than -60 dBov counts as silence */
#define MIN_VOICED_PACKETS 5     /* of ~15 Opus packets in a 300 ms window */
#define WINS_TO_SWITCH 2

typedef struct {
    const void *key;
    uint32_t voiced;
    uint32_t loudness_sum;
} entry;

struct veche_speaker {
    GArray *entries;             /* entry */
    const void *current;
    const void *candidate;
    unsigned candidate_wins;
};

veche_speaker *veche_speaker_new(void)
{
    veche_speaker *s = g_new0(veche_speaker, 1);
    s->entries = g_array_new(FALSE, TRUE, sizeof(entry));
    return s;
}

void veche_speaker_free(veche_speaker *s)
{
    if (!s)
        return;
    g_array_free(s->entries, TRUE);
    g_free(s);
}

static entry *find(veche_speaker *s, const void *key, bool create)
{
    for (guint i = 0; i < s->entries->len; i++) {
        entry *e = &g_array_index(s->entries, entry, i);
        if (e->key == key)
            return e;
    }
    if (!create)
        return NULL;
    entry e = {.key = key};
    g_array_append_val(s->entries, e);
    return &g_array_index(s->entries, entry, s->entries->len - 1);
}

void veche_speaker_add(veche_speaker *s, const void *key, uint8_t level)
{
    if (level > 127 || level > SPEECH_LEVEL)
        return;
    entry *e = find(s, key, true);
    e->voiced++;
    e->loudness_sum += 127u - level;
}

void veche_speaker_forget(veche_speaker *s, const void *key)
{
    for (guint i = 0; i < s->entries->len; i++) {
        if (g_array_index(s->entries, entry, i).key == key) {
            g_array_remove_index_fast(s->entries, i);
            break;
        }
    }
    if (s->candidate == key) {
        s->candidate = NULL;
        s->candidate_wins = 0;
    }
    if (s->current == key)
        s->current = NULL;
}

bool veche_speaker_tick(veche_speaker *s, const void **speaker)
{
    const void *winner = NULL;
    uint32_t best = 0;
    for (guint i = 0; i < s->entries->len; i++) {
        entry *e = &g_array_index(s->entries, entry, i);
        if (e->voiced >= MIN_VOICED_PACKETS) {
            uint32_t score = e->loudness_sum / e->voiced;
            if (score > best) {
                best = score;
                winner = e->key;
            }
        }
        e->voiced = 0;
        e->loudness_sum = 0;
    }
    if (!winner || winner == s->current) {
        s->candidate = NULL;
        s->candidate_wins = 0;
        return false;
    }
    if (winner == s->candidate) {
        s->candidate_wins++;
    } else {
        s->candidate = winner;
        s->candidate_wins = 1;
    }
    /* The first speaker in a silent room takes over at once. */
    if (s->candidate_wins < WINS_TO_SWITCH && s->current)
        return false;
    s->current = winner;
    s->candidate = NULL;
    s->candidate_wins = 0;
    if (speaker)
        *speaker = winner;
    return true;
}

const void *veche_speaker_current(const veche_speaker *s)
{
    return s->current;
}
