/* backup.h - regular online backups of the database while the server runs.
 *
 * Every interval the database is copied with SQLite's backup API
 * (veche_store_backup: written beside, renamed into place, fsynced) to
 * dir/veche-YYYYmmddTHHMMSS.mmmZ.db (UTC; _01 .. _99 added
 * within one millisecond), and only the newest `keep` such files are
 * kept.  At start a backup is taken at once when the newest one is older
 * than the interval (or there is none), so restarts do not skip backups.
 * Attendance, votes and rosters are records that must not be lost: a copy
 * on the same disk guards against mistakes and corruption, not against
 * losing the disk -- copy dir elsewhere too (docs/data-model.md).
 *
 * Threads: every backup opens its OWN connection to the database and runs
 * on the backup thread (at a lower priority), never on the main loop or
 * the store thread: a backup of a large database takes seconds of reading
 * and an fsync, and in WAL mode it holds up no writer.  The timer runs on
 * ctx; one backup at a time (a tick while one runs is skipped).
 *
 * Does not: restore (vechectl restore, server stopped), compress, or copy
 * off the machine.  Ownership: the caller owns the veche_backup; create,
 * start and free it on ctx's thread.
 */
#ifndef VECHE_BACKUP_H
#define VECHE_BACKUP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct veche_backup veche_backup;

/* Schedule backups of the database at db_path into dir (created 0700)
 * every interval_secs (> 0), keeping keep (>= 1) files; the first one
 * starts on the backup thread at once when one is due.  NULL when dir
 * cannot be created or an argument is bad. */
veche_backup *veche_backup_new(const char *db_path, const char *dir, unsigned interval_secs,
                               unsigned keep, GMainContext *ctx);
/* Waits for a backup under way.  Accepts NULL. */
void veche_backup_free(veche_backup *b);

/* Take a backup now in the calling thread, on a connection of its own,
 * and prune old ones: 0, or a store error (logged).  The new file's path
 * goes to path (may be NULL). */
int veche_backup_run(veche_backup *b, char *path, size_t cap);
/* Ask the backup thread for one now; false when one is already queued or
 * under way. */
bool veche_backup_start(veche_backup *b);
/* Wait until the backup thread has nothing to do (tests, shutdown). */
void veche_backup_wait(veche_backup *b);
/* Backups the thread finished, with or without success. */
unsigned veche_backup_count(veche_backup *b);

/* Unix time of the newest backup in dir, 0 when there is none. */
int64_t veche_backup_newest(const char *dir);

#endif
