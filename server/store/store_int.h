/* store_int.h - what the store_*.c files share; not for the rest of Veche.
 *
 * The connection, statement helpers that map SQLite result codes to
 * veche_err, and transaction helpers.  Statements are prepared per call
 * (the store is not on a hot path) and always finalized by the helper that
 * finishes them.
 */
#ifndef VECHE_STORE_INT_H
#define VECHE_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

struct veche_store {
    sqlite3 *db;
    unsigned tx_depth;            /* store_begin levels open (1: BEGIN, more: SAVEPOINTs) */
    bool wal_truncate_pending;    /* an erasure inside an outer transaction: the
                                     WAL is truncated when the outermost commits */
};

/* The migrations, oldest first: migration i brings the schema to version
 * i + 1 (store_schema.c). */
const char *const *store_migrations(size_t *count);

/* Apply migrations[version..count) in one transaction.  Exposed for tests
 * that check a failing migration leaves the database as it was. */
int store_migrate(veche_store *s, const char *const *migrations, size_t count);

/* Map a SQLite result code to a veche_err; log database failures (not
 * constraint violations, which are the caller's to report). */
int store_err(veche_store *s, int rc);

/* Prepare sql and bind arguments described by types, one letter each:
 *   i  int64_t            b  bool or int (stored 0/1)
 *   t  const char * (NULL binds NULL)
 *   x  const void *, int length (a blob)
 * Returns 0 or a veche_err (*st is NULL then). */
int store_prepare(veche_store *s, sqlite3_stmt **st, const char *sql,
                  const char *types, ...);

/* Step a prepared write to completion and finalize it.  Returns the number
 * of rows changed (>= 0) or a veche_err. */
int store_finish(veche_store *s, sqlite3_stmt *st);

/* Prepare, bind, step to completion: store_prepare + store_finish. */
int store_exec(veche_store *s, const char *sql, const char *types, ...);

/* Step once: 1 for a row, 0 when done, or a veche_err.  Does not finalize. */
int store_step(veche_store *s, sqlite3_stmt *st);

/* Run a single-integer query: 0 with *out, VECHE_ENOTFOUND when no row. */
int store_query_int(veche_store *s, int64_t *out, const char *sql,
                    const char *types, ...);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  rollback never fails visibly (it
 * is only called after an error, whose code the caller returns).  They
 * nest: inside an open transaction (veche_store_tx_begin, or another
 * store_begin) store_begin opens a SAVEPOINT, store_commit releases it and
 * store_rollback rolls back to it, so a store function's own transaction
 * becomes part of the caller's and nothing is on disk before the outermost
 * commit. */
int store_begin(veche_store *s);
int store_commit(veche_store *s);
void store_rollback(veche_store *s);

/* Finish a transaction by the result: commit when r >= 0 (returning r, or
 * the commit's error), roll back otherwise (returning r). */
int store_end(veche_store *s, int r);

/* Checkpoint the WAL into the database and truncate it (erasure: the
 * frames that held the old bytes go).  Inside a transaction it cannot
 * run: then it is noted and done after the outermost commit. */
int store_wal_truncate(veche_store *s);

/* Copy a text column into a fixed buffer (truncating, always terminated;
 * NULL gives ""). */
void store_column_text(sqlite3_stmt *st, int col, char *out, size_t cap);

/* Rows read into structs, the columns from 0 in this order (one place per
 * struct, for the _get functions and the listings alike):
 *   org     id, ifnull(parent_id, 0), level, name; VECHE_EMALFORMED for an
 *           unknown level, else 0 (store_people.c)
 *   person  id, ifnull(organization_id, 0), full_name, email,
 *           ifnull(phone, '') (store_people.c)
 *   body    id, organization_id, name, quorum_num, quorum_den, quorum_mode
 *   course  id, organization_id, name (store_events.c) */
int store_row_org(sqlite3_stmt *st, veche_org *out);
void store_row_person(sqlite3_stmt *st, veche_person *out);
void store_row_body(sqlite3_stmt *st, veche_body *out);
void store_row_course(sqlite3_stmt *st, veche_course *out);

/* Text lengths: 0 < strlen(s) <= max, else VECHE_EINVAL. */
int store_check_text(const char *s, size_t max);

/* A common table expression "scope(id)" of the organizations a listing
 * covers (store.h, "listings for administrators"), from parameters ?1
 * (org_id) and ?2 (admin_id).  UNION (not UNION ALL) stops on a cycle. */
#define STORE_SCOPE_CTE                                                     \
    "WITH RECURSIVE scope(id) AS ("                                         \
    " SELECT id FROM organization WHERE CASE"                               \
    "  WHEN ?1 > 0 THEN id = ?1"                                            \
    "  WHEN ?2 > 0 THEN id IN (SELECT organization_id FROM org_admin"      \
    "                          WHERE person_id = ?2)"                       \
    "  ELSE parent_id IS NULL END"                                          \
    " UNION SELECT o.id FROM organization o JOIN scope"                     \
    "  ON o.parent_id = scope.id) "

#endif
