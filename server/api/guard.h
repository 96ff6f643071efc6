/* guard.h - limits on password guessing: failed sign-ins counted per key (a
 * normalized e-mail address, a client IP address) in a bounded in-memory
 * table.
 *
 * Rule: when a key has `limit` failures within `window` seconds (counted
 * from its first failure in the window), it is locked for `window` seconds
 * from the failure that reached the limit; while locked, callers refuse
 * attempts without checking the password.  Attempts are counted when they
 * start (veche_guard_fail), so that many guesses sent at once cannot slip
 * past the limit before the first result; a success then takes its count
 * back (veche_guard_undo) or forgets the key (veche_guard_clear).
 *
 * The table holds at most `capacity` keys; a new key beyond that evicts the
 * key used least recently.  Nothing is stored on disk: a restart forgets.
 * Not thread-safe (the main loop owns it); times are seconds of any
 * monotonic clock given by the caller.
 */
#ifndef VECHE_GUARD_H
#define VECHE_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct veche_guard veche_guard;

/* limit >= 1, window >= 1, capacity >= 1 (0s are raised to 1). */
veche_guard *veche_guard_new(unsigned limit, int64_t window, size_t capacity);
void veche_guard_free(veche_guard *g);  /* accepts NULL */

/* Whether key is locked at now; then *retry_after (may be NULL) gets the
 * seconds left (at least 1). */
bool veche_guard_locked(veche_guard *g, const char *key, int64_t now, int64_t *retry_after);
/* Count an attempt of key at now as a failure (locks it at the limit). */
void veche_guard_fail(veche_guard *g, const char *key, int64_t now);
/* Take one counted attempt of key back (it succeeded); unlocks when the
 * count falls below the limit. */
void veche_guard_undo(veche_guard *g, const char *key);
/* Forget key (a successful sign-in for that address). */
void veche_guard_clear(veche_guard *g, const char *key);
/* Keys held now (for tests). */
size_t veche_guard_size(const veche_guard *g);

/* The key of an e-mail address: ASCII blanks around it dropped, ASCII
 * letters lowered, at most cap - 1 bytes (cap >= 1). */
void veche_guard_email_key(const char *email, char *out, size_t cap);

#endif
