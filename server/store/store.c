/* store.c - the store's connection: open and configure SQLite, run the
 * migrations, statement and transaction helpers, online backup and
 * restore.  The entity functions are in store_people.c, store_events.c,
 * store_sessions.c, store_attendance.c and store_roster.c; the schema in
 * store_schema.c.  See store.h.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"

#define BUSY_TIMEOUT_MS 5000
/* All pages in one step, under one read transaction of the source: a
 * backup stepped in pieces starts over whenever another connection writes
 * the source in between, which in a busy meeting (an attendance write a
 * second) could be forever.  In WAL mode the read does not hold up
 * writers; backups run on their own thread and connection (backup.c). */
#define BACKUP_PAGES_PER_STEP (-1)

/* ---- helpers shared with the store_*.c files ---- */

int store_err(veche_store *s, int rc)
{
    switch (rc) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return 0;
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return VECHE_EEXISTS;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return VECHE_ENOTFOUND;
    case SQLITE_NOMEM:
        return VECHE_ENOMEM;
    case SQLITE_TOOBIG:
        return VECHE_ELIMIT;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        VLOG_ERROR(NULL, NULL, "store: %s", sqlite3_errstr(rc));
        return VECHE_EMALFORMED;
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return VECHE_EINVAL;
    VLOG_ERROR(NULL, NULL, "store: %s: %s", sqlite3_errstr(rc),
               s && s->db ? sqlite3_errmsg(s->db) : "-");
    return VECHE_EIO;
}

static int bind_args(sqlite3_stmt *st, const char *types, va_list ap)
{
    int rc = SQLITE_OK;
    for (int i = 1; types && *types && rc == SQLITE_OK; types++, i++) {
        switch (*types) {
        case 'i':
            rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'b':
            rc = sqlite3_bind_int(st, i, va_arg(ap, int) ? 1 : 0);
            break;
        case 't': {
            const char *t = va_arg(ap, const char *);
            rc = t ? sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(st, i);
            break;
        }
        case 'x': {
            const void *p = va_arg(ap, const void *);
            int n = va_arg(ap, int);
            rc = sqlite3_bind_blob(st, i, p, n, SQLITE_TRANSIENT);
            break;
        }
        default:
            rc = SQLITE_MISUSE;
        }
    }
    return rc;
}

static int vprepare(veche_store *s, sqlite3_stmt **st, const char *sql,
                    const char *types, va_list ap)
{
    *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    if (rc == SQLITE_OK)
        rc = bind_args(*st, types, ap);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return store_err(s, rc);
    }
    return 0;
}

int store_prepare(veche_store *s, sqlite3_stmt **st, const char *sql,
                  const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    int r = vprepare(s, st, sql, types, ap);
    va_end(ap);
    return r;
}

int store_step(veche_store *s, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return store_err(s, sqlite3_extended_errcode(s->db));
}

int store_finish(veche_store *s, sqlite3_stmt *st)
{
    int r;
    while ((r = store_step(s, st)) == 1)
        ;
    sqlite3_finalize(st);
    return r < 0 ? r : sqlite3_changes(s->db);
}

int store_exec(veche_store *s, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    va_start(ap, types);
    int r = vprepare(s, &st, sql, types, ap);
    va_end(ap);
    return r < 0 ? r : store_finish(s, st);
}

int store_query_int(veche_store *s, int64_t *out, const char *sql,
                    const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    va_start(ap, types);
    int r = vprepare(s, &st, sql, types, ap);
    va_end(ap);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1) {
        *out = sqlite3_column_int64(st, 0);
        r = 0;
    } else if (r == 0) {
        r = VECHE_ENOTFOUND;
    }
    sqlite3_finalize(st);
    return r;
}

int store_begin(veche_store *s)
{
    int r = store_exec(s, s->tx_depth ? "SAVEPOINT veche_nested" : "BEGIN IMMEDIATE", NULL);
    if (r < 0)
        return r;
    s->tx_depth++;
    return 0;
}

/* The outermost transaction ended (committed or rolled back). */
static void tx_closed(veche_store *s, bool committed)
{
    s->tx_depth = 0;
    bool truncate = s->wal_truncate_pending;
    s->wal_truncate_pending = false;
    if (committed && truncate)
        (void)store_wal_truncate(s);  /* logged by store_err; the erasure stands */
}

int store_commit(veche_store *s)
{
    bool nested = s->tx_depth > 1 && !sqlite3_get_autocommit(s->db);
    int r = store_exec(s, nested ? "RELEASE veche_nested" : "COMMIT", NULL);
    if (r < 0) {
        store_rollback(s);
        return r;
    }
    if (nested)
        s->tx_depth--;
    else
        tx_closed(s, true);
    return 0;
}

void store_rollback(veche_store *s)
{
    if (sqlite3_get_autocommit(s->db)) {  /* nothing open (SQLite may have ended it) */
        s->tx_depth = 0;
        s->wal_truncate_pending = false;
        return;
    }
    if (s->tx_depth > 1) {
        (void)sqlite3_exec(s->db, "ROLLBACK TO veche_nested; RELEASE veche_nested", NULL,
                           NULL, NULL);
        s->tx_depth--;
        return;
    }
    (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    tx_closed(s, false);
}

int store_end(veche_store *s, int r)
{
    if (r < 0) {
        store_rollback(s);
        return r;
    }
    int c = store_commit(s);
    return c < 0 ? c : r;
}

int store_wal_truncate(veche_store *s)
{
    if (s->tx_depth || !sqlite3_get_autocommit(s->db)) {
        s->wal_truncate_pending = true;
        return 0;
    }
    /* another connection's open read transaction can keep the WAL from
     * being reset; then it is tried again a few times */
    int rc = SQLITE_BUSY;
    for (int i = 0; i < 50 && rc != SQLITE_OK; i++) {
        rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
        if (rc != SQLITE_OK)
            g_usleep(20000);
    }
    return rc == SQLITE_OK ? 0 : store_err(s, rc);
}

int veche_store_tx_begin(veche_store *s)
{
    return s ? store_begin(s) : VECHE_EINVAL;
}

int veche_store_tx_end(veche_store *s, bool commit)
{
    if (!s || !s->tx_depth)
        return VECHE_EINVAL;
    if (commit)
        return store_commit(s);
    store_rollback(s);
    return 0;
}

unsigned veche_store_tx_depth(const veche_store *s)
{
    return s ? s->tx_depth : 0;
}

void store_column_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

int store_check_text(const char *s, size_t max)
{
    if (!s)
        return VECHE_EINVAL;
    size_t n = strnlen(s, max + 1);
    return n == 0 || n > max ? VECHE_EINVAL : 0;
}

/* ---- migrations ---- */

int store_migrate(veche_store *s, const char *const *migrations, size_t count)
{
    int r = store_begin(s);
    if (r < 0)
        return r;
    r = store_exec(s, "CREATE TABLE IF NOT EXISTS schema_version ("
                      " version INTEGER PRIMARY KEY,"
                      " applied_at INTEGER NOT NULL)", NULL);
    int64_t have = 0;
    if (r >= 0)
        r = store_query_int(s, &have,
                            "SELECT ifnull(max(version), 0) FROM schema_version",
                            NULL);
    if (r >= 0 && (size_t)have > count) {
        VLOG_ERROR(NULL, NULL, "store: schema version %lld is newer than "
                   "this build (%zu)", (long long)have, count);
        r = VECHE_EUNSUPPORTED;
    }
    for (size_t v = (size_t)have; r >= 0 && v < count; v++) {
        int rc = sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL);
        r = rc == SQLITE_OK ? 0 : store_err(s, rc);
        if (r < 0) {
            VLOG_ERROR(NULL, NULL, "store: migration %zu failed", v + 1);
            break;
        }
        r = store_exec(s, "INSERT INTO schema_version (version, applied_at)"
                          " VALUES (?, CAST(strftime('%s', 'now') AS INTEGER))",
                       "i", (int64_t)(v + 1));
        if (r >= 0)
            VLOG_INFO(NULL, NULL, "store: schema migrated to version %zu",
                      v + 1);
    }
    return store_end(s, r < 0 ? r : 0);
}

int veche_store_schema_latest(void)
{
    size_t n;
    store_migrations(&n);
    return (int)n;
}

int veche_store_schema_version(veche_store *s)
{
    if (!s)
        return VECHE_EINVAL;
    int64_t v = 0;
    int r = store_query_int(s, &v, "SELECT ifnull(max(version), 0)"
                                   " FROM schema_version", NULL);
    return r < 0 ? r : (int)v;
}

/* ---- open and close ---- */

/* Run a pragma whose answer we check against want (NULL: don't). */
static int pragma(veche_store *s, const char *sql, const char *want)
{
    sqlite3_stmt *st;
    int r = store_prepare(s, &st, sql, NULL);
    if (r < 0)
        return r;
    r = store_step(s, st);
    if (r == 1 && want) {
        const char *got = (const char *)sqlite3_column_text(st, 0);
        if (!got || strcmp(got, want) != 0) {
            VLOG_ERROR(NULL, NULL, "store: %s gave %s, not %s", sql,
                       got ? got : "nothing", want);
            r = VECHE_EUNSUPPORTED;
        }
    }
    sqlite3_finalize(st);
    return r < 0 ? r : 0;
}

static int configure(veche_store *s)
{
    int r;
    sqlite3_extended_result_codes(s->db, 1);
    if (sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS) != SQLITE_OK ||
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) !=
            SQLITE_OK ||
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) !=
            SQLITE_OK)
        return store_err(s, sqlite3_extended_errcode(s->db));
    if ((r = pragma(s, "PRAGMA journal_mode = WAL", "wal")) < 0 ||
        (r = pragma(s, "PRAGMA synchronous = FULL", NULL)) < 0 ||
        (r = pragma(s, "PRAGMA foreign_keys = ON", NULL)) < 0 ||
        (r = pragma(s, "PRAGMA foreign_keys", "1")) < 0 ||
        /* freed space is zeroed: an erased person's name leaves no bytes
         * behind in free pages (store_privacy.c) */
        (r = pragma(s, "PRAGMA secure_delete = ON", "1")) < 0)
        return r;
    return 0;
}

int veche_store_open(const char *path, veche_store **out)
{
    if (!path || !out || !*path)
        return VECHE_EINVAL;
    *out = NULL;
    /* Create the file ourselves so that it (and the -wal and -shm files
     * SQLite gives the same mode) is private: it holds password hashes.
     * Only when it does not exist (O_EXCL): closing a descriptor of a file
     * drops every POSIX lock this process holds on it, so an open() and
     * close() of a database another connection of ours has open (the store
     * thread's, a backup's) would take that connection's locks away; then
     * another process (vechectl) may think itself the last one, checkpoint
     * and reset the WAL under us, and our connections read stale pages. */
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno != EEXIST) {
        VLOG_ERROR(NULL, NULL, "store: %s: %s", path, strerror(errno));
        return VECHE_EIO;
    }
    if (fd >= 0)
        (void)close(fd);  /* opened only to create it; nobody else has it */
    veche_store *s = calloc(1, sizeof *s);
    if (!s)
        return VECHE_ENOMEM;
    int rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                 SQLITE_OPEN_NOFOLLOW, NULL);
    int r = rc == SQLITE_OK ? configure(s) : store_err(s, rc);
    if (r == 0) {
        size_t n;
        const char *const *m = store_migrations(&n);
        r = store_migrate(s, m, n);
    }
    if (r < 0) {
        veche_store_close(s);
        return r;
    }
    *out = s;
    return 0;
}

void veche_store_close(veche_store *s)
{
    if (!s)
        return;
    if (sqlite3_close(s->db) != SQLITE_OK)
        VLOG_ERROR(NULL, NULL, "store: close: %s", sqlite3_errmsg(s->db));
    free(s);
}

/* ---- backup and restore ---- */

/* Copy every page of src's main database into dst's, retrying while the
 * source is busy. */
static int copy_db(veche_store *s, sqlite3 *dst, sqlite3 *src)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b)
        return store_err(s, sqlite3_extended_errcode(dst));
    int rc;
    do {
        rc = sqlite3_backup_step(b, BACKUP_PAGES_PER_STEP);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    int frc = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return store_err(s, rc);
    return frc == SQLITE_OK ? 0 : store_err(s, frc);
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return VECHE_EIO;
    int r = fsync(fd) == 0 ? 0 : VECHE_EIO;
    (void)close(fd);  /* read-only descriptor: nothing to flush */
    return r;
}

static int fsync_parent(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return VECHE_ENOMEM;
    int r = fsync_path(dirname(copy), O_RDONLY | O_DIRECTORY);
    free(copy);
    return r;
}

/* Back up into the already created, empty file tmp. */
static int backup_into(veche_store *s, const char *tmp)
{
    sqlite3 *d = NULL;
    int rc = sqlite3_open_v2(tmp, &d, SQLITE_OPEN_READWRITE, NULL);
    int r = rc == SQLITE_OK ? copy_db(s, d, s->db) : store_err(s, rc);
    /* A backup is one self-contained file: leave WAL mode. */
    if (r == 0 && sqlite3_exec(d, "PRAGMA journal_mode = DELETE", NULL, NULL,
                               NULL) != SQLITE_OK)
        r = store_err(s, sqlite3_extended_errcode(d));
    if (sqlite3_close(d) != SQLITE_OK && r == 0)
        r = VECHE_EIO;
    if (r == 0)
        r = fsync_path(tmp, O_RDONLY);
    return r;
}

int veche_store_backup(veche_store *s, const char *dest)
{
    if (!s || !dest || !*dest)
        return VECHE_EINVAL;
    struct stat st;
    if (lstat(dest, &st) == 0)
        return VECHE_EEXISTS;
    size_t n = strlen(dest);
    char *tmp = malloc(n + 8);
    if (!tmp)
        return VECHE_ENOMEM;
    memcpy(tmp, dest, n);
    memcpy(tmp + n, ".XXXXXX", 8);
    int fd = mkstemp(tmp);  /* 0600 */
    if (fd < 0) {
        VLOG_ERROR(NULL, NULL, "store: backup: %s", strerror(errno));
        free(tmp);
        return VECHE_EIO;
    }
    (void)close(fd);  /* SQLite reopens it by name */
    int r = backup_into(s, tmp);
    /* link() refuses to replace a dest that appeared meanwhile. */
    if (r == 0 && link(tmp, dest) != 0)
        r = errno == EEXIST ? VECHE_EEXISTS : VECHE_EIO;
    (void)unlink(tmp);  /* the temporary name goes in every case */
    if (r == 0)
        r = fsync_parent(dest);
    free(tmp);
    return r;
}

/* Check that src is a sound Veche database we can read. */
static int check_backup(sqlite3 *src)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(src, "PRAGMA quick_check", -1, &st, NULL);
    int r = rc == SQLITE_OK ? 0 : VECHE_EMALFORMED;
    if (r == 0) {
        const char *t = sqlite3_step(st) == SQLITE_ROW
                            ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (!t || strcmp(t, "ok") != 0)
            r = VECHE_EMALFORMED;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (r == 0 && sqlite3_prepare_v2(src, "SELECT max(version) FROM"
                                          " schema_version", -1, &st,
                                     NULL) != SQLITE_OK)
        r = VECHE_EMALFORMED;  /* not a Veche database */
    if (r == 0) {
        if (sqlite3_step(st) != SQLITE_ROW ||
            sqlite3_column_type(st, 0) != SQLITE_INTEGER)
            r = VECHE_EMALFORMED;
        else if (sqlite3_column_int64(st, 0) > veche_store_schema_latest())
            r = VECHE_EUNSUPPORTED;
    }
    sqlite3_finalize(st);
    if (r != 0)
        VLOG_ERROR(NULL, NULL, "store: restore: the file is %s",
                   r == VECHE_EUNSUPPORTED ? "from a newer Veche"
                                           : "not a sound Veche database");
    return r;
}

int veche_store_restore(veche_store *s, const char *src)
{
    if (!s || !src || !*src)
        return VECHE_EINVAL;
    if (access(src, R_OK) != 0)
        return errno == ENOENT ? VECHE_ENOTFOUND : VECHE_EIO;
    sqlite3 *d = NULL;
    int rc = sqlite3_open_v2(src, &d, SQLITE_OPEN_READONLY, NULL);
    int r = rc == SQLITE_OK ? check_backup(d) : VECHE_EIO;
    if (r == 0)
        r = copy_db(s, s->db, d);
    (void)sqlite3_close(d);  /* read-only; no statements left open */
    if (r != 0)
        return r;
    /* The pages came with the backup's header: configure again, then bring
     * an older backup's schema up to date. */
    size_t n;
    const char *const *m = store_migrations(&n);
    if ((r = configure(s)) == 0)
        r = store_migrate(s, m, n);
    return r;
}
