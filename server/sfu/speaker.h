/* speaker.h - active speaker detection from RFC 6464 audio levels (the
 * ssrc-audio-level RTP header extension the publishers' browsers send).
 *
 * Pure: no I/O, no timers, no clock.  The room feeds every audio packet's
 * level with veche_speaker_add() and calls veche_speaker_tick() every
 * VECHE_SPEAKER_TICK_MS; a tick returns the participant that has become the
 * active speaker, if that changed.  A speaker must be loudest for two ticks
 * in a row to take over (so a cough does not switch the view), and silence
 * keeps the last speaker.
 *
 * Ownership: keys are opaque pointers (participants) that the caller removes
 * with veche_speaker_forget() before freeing them.
 */
#ifndef VECHE_SPEAKER_H
#define VECHE_SPEAKER_H

#include <stdbool.h>
#include <stdint.h>

#define VECHE_SPEAKER_TICK_MS 300

typedef struct veche_speaker veche_speaker;

veche_speaker *veche_speaker_new(void);
void veche_speaker_free(veche_speaker *s);  /* accepts NULL */

/* One audio packet from `key`: level is -dBov (0 loudest .. 127 silence). */
void veche_speaker_add(veche_speaker *s, const void *key, uint8_t level);
/* Forget a participant (it left or was muted). */
void veche_speaker_forget(veche_speaker *s, const void *key);
/* Close the current window.  Returns true and sets *speaker when the active
 * speaker changed. */
bool veche_speaker_tick(veche_speaker *s, const void **speaker);
/* The current active speaker, or NULL. */
const void *veche_speaker_current(const veche_speaker *s);

#endif
