/* sweep.h - the server's retention sweep: every interval, on a thread of
 * its own with a connection of its own (never the main loop or the store
 * thread), veche_store_retention_sweep removes audit entries older than
 * the configured days, old or expired sessions and reset links, and chat
 * messages past their organization's chat retention (chat_days for those
 * without one of their own) (store_edit.h, store_chat.h).  The counts are
 * logged, no personal data.
 *
 * Does not: sweep attendance, votes or minutes (records kept for good).  Ownership: the caller owns the veche_sweep;
 * create and free it on ctx's thread. */
#ifndef VECHE_SWEEP_H
#define VECHE_SWEEP_H

#include <glib.h>
#include <stdbool.h>

typedef struct veche_sweep veche_sweep;

/* Sweep db_path every interval_secs (> 0), the first one at once.  NULL
 * for a bad argument. */
veche_sweep *veche_sweep_new(const char *db_path, unsigned audit_days, unsigned session_days,
                             unsigned chat_days, unsigned interval_secs, GMainContext *ctx);
/* Waits for a sweep under way.  Accepts NULL. */
void veche_sweep_free(veche_sweep *w);
/* Sweeps finished (with or without success). */
unsigned veche_sweep_count(veche_sweep *w);

#endif
