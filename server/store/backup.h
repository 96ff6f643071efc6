/* backup.h - regular online backups of the database while the server runs.
 *
 * Every interval the store is copied with SQLite's backup API
 * (veche_store_backup: written beside, renamed into place, fsynced) to
 * dir/veche-YYYYmmddTHHMMSS.mmmZ.db (UTC; _01 .. _99 added
 * within one millisecond), and only the newest `keep` such files are
 * kept.  At start a backup is taken at once when the newest one is older
 * than the interval (or there is none), so restarts do not skip backups.
 * Attendance, votes and rosters are records that must not be lost: a copy
 * on the same disk guards against mistakes and corruption, not against
 * losing the disk -- copy dir elsewhere too (docs/data-model.md).
 *
 * Does not: restore (vechectl restore, server stopped), compress, or copy
 * off the machine.  Runs on the GLib main loop; a backup of a database of
 * a few megabytes takes milliseconds.  Ownership: the caller owns the
 * veche_backup and keeps the store alive while it lives.
 */
#ifndef VECHE_BACKUP_H
#define VECHE_BACKUP_H

#include <glib.h>

#include "store.h"

typedef struct veche_backup veche_backup;

/* Schedule backups of st into dir (created 0700) every interval_secs
 * (> 0), keeping keep (>= 1) files.  NULL when dir cannot be created. */
veche_backup *veche_backup_new(veche_store *st, const char *dir, unsigned interval_secs,
                               unsigned keep, GMainContext *ctx);
void veche_backup_free(veche_backup *b);  /* accepts NULL */

/* Take a backup now and prune old ones: 0, or a store error (logged).
 * The new file's path goes to path (may be NULL). */
int veche_backup_run(veche_backup *b, char *path, size_t cap);

/* Unix time of the newest backup in dir, 0 when there is none. */
int64_t veche_backup_newest(const char *dir);

#endif
