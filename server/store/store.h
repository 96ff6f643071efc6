/* store.h - the persistent store: organizations, people, accounts, bodies,
 * courses, events, admission, sessions, invitations, attendance, quorum log.
 *
 * This is the ONLY module that speaks SQL.  The rest of Veche sees the C
 * structs and functions below, so that a PostgreSQL backend can be added
 * behind the same header later.  The backend today is SQLite, one database
 * file in the data directory, opened with:
 *
 *   journal_mode=WAL      readers (vechectl backup) never block the server
 *   foreign_keys=ON       every reference checked
 *   synchronous=FULL      a commit is on disk when the call returns, so an
 *                         acknowledged attendance record survives kill -9
 *                         and power loss
 *   busy_timeout=5000 ms  for a second process (vechectl) writing at once
 *
 * and a versioned list of migrations (store_schema.c) applied in one
 * transaction; the table schema_version says which ran.  The tables are
 * described in docs/data-model.md.
 *
 * Conventions.  Ids are positive int64; 0 means "none".  Times are passed
 * in, never read from the clock: *_at and expires are unix seconds, ts_ms
 * unix milliseconds.  Every function returns 0 (or a count) or a negative
 * veche_err: VECHE_ENOTFOUND (no such row), VECHE_EEXISTS (unique key
 * taken), VECHE_EINVAL (bad argument, or a referenced row is missing
 * where that is the caller's mistake), VECHE_EIO (database error, logged).
 * A failed call changes nothing: every write is one transaction.  Strings
 * are copied in; results are copied into caller-owned structs, or handed
 * to a callback one row at a time (the pointer valid during the call; a
 * non-zero return stops the listing and is returned).
 *
 * A veche_store is one connection used from one thread.
 */
#ifndef VECHE_STORE_H
#define VECHE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "access.h"
#include "password.h"
#include "policy.h"
#include "presence.h"
#include "quorum.h"
#include "roster_import.h"
#include "token.h"

/* The database's file name in the data directory. */
#define VECHE_STORE_FILE "veche.db"

#define VECHE_TITLE_MAX 200       /* bytes of an organization/body/course/event name */
#define VECHE_EVENT_LIMIT_MAX 100000  /* the largest room limit an event may set */
#define VECHE_SOURCE_MAX 15       /* bytes of an attendance source */

typedef struct veche_store veche_store;

/* ---- lifecycle ---- */

/* Open or create the database at path (created 0600), configure it and
 * bring its schema up to date.  VECHE_EUNSUPPORTED when the file has a
 * newer schema than this build knows, VECHE_EMALFORMED when it is not a
 * database. */
int veche_store_open(const char *path, veche_store **out);
void veche_store_close(veche_store *s);  /* accepts NULL */

/* The schema version of the open database, and the newest this build has. */
int veche_store_schema_version(veche_store *s);
int veche_store_schema_latest(void);

/* Online backup (sqlite3_backup_*) into a new file dest (0600; written
 * beside it and renamed into place when complete; VECHE_EEXISTS if dest
 * exists).  Other connections may keep writing meanwhile. */
int veche_store_backup(veche_store *s, const char *dest);
/* Replace the whole database with the backup at src (checked first: a
 * Veche database passing quick_check, schema not newer than ours), then
 * migrate it to the latest schema.  Nothing changes if a check fails. */
int veche_store_restore(veche_store *s, const char *src);

/* ---- a caller's transaction ----
 *
 * Several changes that must be on disk together or not at all (an
 * administrative change and its audit entry): veche_store_tx_begin opens
 * a write transaction (BEGIN IMMEDIATE) on this connection; every store
 * function called meanwhile joins it (its own transaction becomes a
 * SAVEPOINT: a failed call still undoes only its own part); then
 * veche_store_tx_end commits everything (commit true) or rolls everything
 * back.  Nothing is durable before the commit, so a crash in between
 * leaves neither.  One connection, one thread: the caller's. */
int veche_store_tx_begin(veche_store *s);
/* 0, or the commit's error (everything rolled back then); VECHE_EINVAL
 * when no transaction is open. */
int veche_store_tx_end(veche_store *s, bool commit);
/* Transactions open on s (0: none; nested store calls count too). */
unsigned veche_store_tx_depth(const veche_store *s);

/* ---- organizations ---- */

typedef enum {
    VECHE_ORG_CENTRAL = 0,        /* no parent */
    VECHE_ORG_REGIONAL = 1,       /* parent: central */
    VECHE_ORG_PRIMARY = 2,        /* parent: regional or central */
} veche_org_level;

typedef struct {
    int64_t id;
    int64_t parent_id;            /* 0 for a central organization */
    veche_org_level level;
    char name[VECHE_TITLE_MAX + 1];
} veche_org;

/* The parent must exist and sit at a higher level (VECHE_EINVAL).  Names
 * are unique among siblings (VECHE_EEXISTS). */
int veche_store_org_create(veche_store *s, const char *name,
                           veche_org_level level, int64_t parent_id,
                           int64_t now, int64_t *id);
int veche_store_org_get(veche_store *s, int64_t id, veche_org *out);
/* Make person an administrator of org (and so of every organization below
 * it), or stop that. */
int veche_store_org_admin_set(veche_store *s, int64_t org_id,
                              int64_t person_id, bool admin);
/* 1 if person administers org or one of its ancestors, 0 if not. */
int veche_store_org_is_admin(veche_store *s, int64_t org_id,
                             int64_t person_id);

/* ---- people and accounts ---- */

typedef struct {
    int64_t id;
    int64_t org_id;               /* 0: none */
    char full_name[VECHE_NAME_MAX + 1];  /* exact bytes as given */
    char email[VECHE_EMAIL_MAX + 1];     /* unique, ASCII case ignored */
    char phone[VECHE_PHONE_MAX + 1];     /* "" when none */
} veche_person;

/* p->id is ignored.  VECHE_EINVAL for an empty or over-long name or a bad
 * e-mail (veche_roster_email_valid), VECHE_EEXISTS if the e-mail is taken
 * in any letter case. */
int veche_store_person_create(veche_store *s, const veche_person *p,
                              int64_t now, int64_t *id);
int veche_store_person_get(veche_store *s, int64_t id, veche_person *out);
/* Find by e-mail, ASCII case ignored. */
int veche_store_person_find_email(veche_store *s, const char *email,
                                  veche_person *out);

typedef struct {
    int64_t person_id;
    char password_hash[VECHE_PASSWORD_HASH_SIZE];  /* "" when none set */
    bool blocked;
    bool must_change_password;
    bool platform_admin;
} veche_account;

/* One account per person (VECHE_EEXISTS); hash may be NULL (no password:
 * sign-in impossible until one is set). */
int veche_store_account_create(veche_store *s, int64_t person_id,
                               const char *password_hash,
                               bool must_change_password, int64_t now);
int veche_store_account_get(veche_store *s, int64_t person_id,
                            veche_account *out);
int veche_store_account_set_password(veche_store *s, int64_t person_id,
                                     const char *password_hash,
                                     bool must_change_password, int64_t now);
/* Block or unblock.  Blocking deletes the person's sessions in the same
 * transaction (their count in *sessions_ended, which may be NULL); the
 * caller then closes the live connections of that person. */
int veche_store_account_set_blocked(veche_store *s, int64_t person_id,
                                    bool blocked, int64_t now,
                                    int *sessions_ended);
int veche_store_account_set_platform_admin(veche_store *s, int64_t person_id,
                                           bool admin);
/* SQLite's data_version: it changes when ANOTHER connection (vechectl)
 * commits, not on this connection's own writes.  The server polls it to
 * notice accounts blocked behind its back. */
int veche_store_data_version(veche_store *s, int64_t *version);

/* ---- bodies and courses ---- */

typedef struct {
    int64_t id;
    int64_t org_id;
    char name[VECHE_TITLE_MAX + 1];
    veche_quorum_rule quorum;
} veche_body;

typedef struct {
    int64_t id;
    int64_t org_id;
    char name[VECHE_TITLE_MAX + 1];
} veche_course;

typedef struct {
    int64_t person_id;
    veche_access_role role;
    bool voting;                  /* always false on a course */
} veche_member;

typedef int (*veche_store_member_cb)(void *ud, const veche_member *m);

/* rule NULL: the default, more than half. */
int veche_store_body_create(veche_store *s, int64_t org_id, const char *name,
                            const veche_quorum_rule *rule, int64_t *id);
int veche_store_body_get(veche_store *s, int64_t id, veche_body *out);
int veche_store_body_set_quorum(veche_store *s, int64_t id,
                                const veche_quorum_rule *rule);
/* Add or update a membership; role must be a body role (VECHE_EINVAL). */
int veche_store_body_member_set(veche_store *s, int64_t body_id,
                                int64_t person_id, veche_access_role role,
                                bool voting);
int veche_store_body_member_remove(veche_store *s, int64_t body_id,
                                   int64_t person_id);
/* Members ordered by person id. */
int veche_store_body_members(veche_store *s, int64_t body_id,
                             veche_store_member_cb cb, void *ud);
int veche_store_body_voting_count(veche_store *s, int64_t body_id,
                                  unsigned *count);

int veche_store_course_create(veche_store *s, int64_t org_id, const char *name,
                              int64_t *id);
int veche_store_course_get(veche_store *s, int64_t id, veche_course *out);
/* role must be trainer or activist (VECHE_EINVAL). */
int veche_store_course_member_set(veche_store *s, int64_t course_id,
                                  int64_t person_id, veche_access_role role);
int veche_store_course_member_remove(veche_store *s, int64_t course_id,
                                     int64_t person_id);
int veche_store_course_members(veche_store *s, int64_t course_id,
                               veche_store_member_cb cb, void *ud);

/* ---- events and admission ---- */

typedef struct {
    int64_t id;
    int64_t body_id;              /* exactly one of body_id, course_id */
    int64_t course_id;
    int64_t org_id;               /* read-only: the body's or course's */
    char title[VECHE_TITLE_MAX + 1];
    int64_t starts_at, ends_at;   /* unix seconds */
    veche_room_kind room_kind;    /* policy.h: meeting or training */
    char room_id[VECHE_ROOM_ID_MAX + 1];  /* unique; the signalling room */
    unsigned max_participants;    /* the organizer's room limit, 1..100000;
                                     0: the room kind's (room.c room_limit) */
} veche_event;

/* ev->id and ev->org_id are ignored. */
int veche_store_event_create(veche_store *s, const veche_event *ev,
                             int64_t now, int64_t *id);
int veche_store_event_get(veche_store *s, int64_t id, veche_event *out);
int veche_store_event_find_room(veche_store *s, const char *room_id,
                                veche_event *out);
typedef int (*veche_store_event_cb)(void *ud, const veche_event *ev);
/* Every event, by start time then id. */
int veche_store_events_list(veche_store *s, veche_store_event_cb cb, void *ud);
/* An event's guests (role guest, voting false), by person id. */
int veche_store_event_guests(veche_store *s, int64_t event_id,
                             veche_store_member_cb cb, void *ud);
int veche_store_event_guest_add(veche_store *s, int64_t event_id,
                                int64_t person_id);
int veche_store_event_guest_remove(veche_store *s, int64_t event_id,
                                   int64_t person_id);

typedef enum {
    VECHE_ADMIT_OK = 0,
    VECHE_REFUSE_NO_PERSON,       /* no such person */
    VECHE_REFUSE_BLOCKED,         /* the person's account is blocked */
    VECHE_REFUSE_NOT_LISTED,      /* not on the roster, not a guest, not staff */
} veche_refusal;

typedef struct {
    veche_access_role role;              /* the highest role held in this event */
    bool voting;                  /* a voting member of the event's body */
    veche_refusal refusal;
} veche_admission;

/* May person join event?  Returns 0 (admitted: role, voting), VECHE_EDENIED
 * (refusal says why; role NONE) or VECHE_ENOTFOUND (no such event).  The
 * decision table is in docs/data-model.md. */
int veche_store_admit(veche_store *s, int64_t event_id, int64_t person_id,
                      veche_admission *out);

/* The roles person holds as their highest role (veche_store_admit's
 * role) in at least one event, as a bit mask (1u << veche_access_role):
 * the union of veche_store_admit over every event, in a few queries by the
 * person's memberships and administered organizations (indexes
 * body_member_person, course_member_person, event_guest_person, event_body,
 * event_course), not one per event.  A blocked person has none.  0,
 * VECHE_ENOTFOUND (no such person) or a store error. */
int veche_store_person_event_roles(veche_store *s, int64_t person_id, unsigned *mask);
/* The events person may hold a role in (a member of its body or course, a
 * guest, an administrator of its organization or one above, a platform
 * administrator: every event), by start time then id: the events of
 * veche_store_events_list that veche_store_admit does not refuse as
 * not listed, and maybe some it refuses otherwise (ask it).  For the
 * events page: it scans by the person's rows, not every event's. */
int veche_store_events_for_person(veche_store *s, int64_t person_id,
                                  veche_store_event_cb cb, void *ud);
/* "ok", "no_person", "blocked", "not_listed". */
const char *veche_store_refusal_name(veche_refusal r);

/* ---- sessions ---- */

/* Store a session under the token's hash (token.h).  Its lifetime is
 * expires - now (the server's session_ttl_hours), unless the person's
 * organization, or its nearest ancestor that sets one, has session_hours:
 * then that.  The session slides by its lifetime (lookup below).
 * (docs/data-model.md "Session lifetime") */
int veche_store_session_create(veche_store *s,
                               const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                               int64_t person_id, int64_t now,
                               int64_t expires);
/* The session lifetime of person's organization in seconds (its own or
 * its nearest ancestor's session_hours), or 0 when none sets one. */
int veche_store_session_hours_of(veche_store *s, int64_t person_id, int64_t *secs);
/* The person of a live session: 0; VECHE_ENOTFOUND when unknown or expired
 * (expired when now >= expires); VECHE_EBLOCKED when the account is
 * blocked.  Use extends it: once less than half of its lifetime is left,
 * it ends a whole lifetime after now (sliding expiry).  A session from
 * before v8 (no lifetime recorded) gets its organization's lifetime, else
 * the one it was opened with, at its first use. */
int veche_store_session_lookup(veche_store *s,
                               const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                               int64_t now, int64_t *person_id);
/* Keep the session until at least `until` plus its lifetime (a lesson's
 * end: joining an event's room keeps the session for the whole lesson).
 * 0 or VECHE_ENOTFOUND (unknown or expired). */
int veche_store_session_hold(veche_store *s, const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                             int64_t now, int64_t until);
/* Sign-out: 0 or VECHE_ENOTFOUND. */
int veche_store_session_delete(veche_store *s,
                               const uint8_t hash[VECHE_TOKEN_HASH_LEN]);
/* Delete expired sessions; returns how many. */
int veche_store_session_expire(veche_store *s, int64_t now);

/* ---- invitations (single use) ---- */

/* Record an issued invitation (the nonce is the key).  created_by may be 0. */
int veche_store_invitation_add(veche_store *s, const veche_invitation *inv,
                               int64_t created_by, int64_t now);
/* Use a verified invitation once: 0; VECHE_EUSED when used before;
 * VECHE_ENOTFOUND when unknown, revoked or not matching inv's ids;
 * VECHE_EEXPIRED when now >= its expiry. */
int veche_store_invitation_use(veche_store *s, const veche_invitation *inv,
                               int64_t now);
/* Give back a use made at used_at (the join it admitted failed after all,
 * e.g. the room is locked), so the link works again: 0 or VECHE_ENOTFOUND. */
int veche_store_invitation_unuse(veche_store *s, const veche_invitation *inv,
                                 int64_t used_at);
int veche_store_invitation_revoke(veche_store *s,
                                  const uint8_t nonce[VECHE_TOKEN_NONCE_LEN]);

/* ---- password resets (single use, by token hash) ---- */

/* Store a reset token's hash (a session-format token, token.h) for person,
 * valid until expires. */
int veche_store_reset_create(veche_store *s,
                             const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                             int64_t person_id, int64_t now, int64_t expires);
/* Use a reset token once, in one transaction: mark it used, set the
 * person's password hash (must_change_password cleared) and end every
 * session of the person.  0 with *person_id; VECHE_ENOTFOUND (unknown),
 * VECHE_EUSED, VECHE_EEXPIRED (now >= expires), VECHE_EBLOCKED (the
 * account is blocked: nothing changes). */
/* Whether a reset token could be used now, without using it: 0 or, as
 * for consume, VECHE_ENOTFOUND, VECHE_EUSED, VECHE_EEXPIRED, VECHE_EBLOCKED. */
int veche_store_reset_check(veche_store *s, const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                            int64_t now);
int veche_store_reset_consume(veche_store *s,
                              const uint8_t hash[VECHE_TOKEN_HASH_LEN],
                              const char *password_hash, int64_t now,
                              int64_t *person_id);

/* ---- attendance and quorum log ---- */

typedef struct {
    int64_t id;                   /* assigned by append */
    int64_t event_id;
    int64_t person_id;
    veche_presence_kind kind;
    int64_t ts_ms;                /* server time */
    int64_t conn_id;              /* connection, for presence merging */
    char source[VECHE_SOURCE_MAX + 1];  /* "session", "invitation", "server" */
} veche_attendance;

typedef int (*veche_store_attendance_cb)(void *ud, const veche_attendance *a);
typedef int (*veche_store_quorum_cb)(void *ud, const veche_quorum_change *c);

/* Append one join or leave in its own synchronous transaction: when this
 * returns 0 the record is on disk.  a->id is ignored; the new id in *id
 * (may be NULL). */
int veche_store_attendance_append(veche_store *s, const veche_attendance *a,
                                  int64_t *id);
/* An event's records in the order appended. */
int veche_store_attendance_list(veche_store *s, int64_t event_id,
                                veche_store_attendance_cb cb, void *ud);
/* The joins, over all events, of connections with no later leave (left
 * open by a crash), in the order appended. */
int veche_store_attendance_open(veche_store *s, veche_store_attendance_cb cb,
                                void *ud);
/* The records as RFC 4180 CSV, UTF-8, header row first:
 *   event_id,person_id,full_name,email,kind,time_utc,ts_ms,conn_id,source */
int veche_store_attendance_export_csv(veche_store *s, int64_t event_id,
                                      FILE *f);
/* One row per person with merged presence (presence.h):
 *   person_id,full_name,email,first_join_utc,last_leave_utc,intervals,
 *   present_seconds
 * last_leave_utc is empty for a person still present at now_ms. */
int veche_store_presence_export_csv(veche_store *s, int64_t event_id,
                                    int64_t grace_ms, int64_t now_ms,
                                    FILE *f);

int veche_store_quorum_log_append(veche_store *s, int64_t event_id,
                                  const veche_quorum_change *c);
int veche_store_quorum_log_list(veche_store *s, int64_t event_id,
                                veche_store_quorum_cb cb, void *ud);

/* ---- listings for administrators (store_admin.c) ---- */

/* Which organizations a listing covers:
 *   org_id > 0     that organization and every one below it;
 *   else admin_id > 0  the subtrees of the organizations admin_id
 *                  administers (org_admin rows; none: an empty listing);
 *   else           every organization (and, for persons, also those of no
 *                  organization). */

/* "central", "regional", "primary"; "?" if unknown (store_people.c). */
const char *veche_store_org_level_name(veche_org_level level);
/* Parse a level name as above: 0 or VECHE_EINVAL. */
int veche_store_org_level_parse(const char *name, veche_org_level *out);

typedef int (*veche_store_org_cb)(void *ud, const veche_org *o);
/* Organizations in scope, by id (so a parent comes before its children). */
int veche_store_orgs_list(veche_store *s, int64_t org_id, int64_t admin_id,
                          veche_store_org_cb cb, void *ud);

typedef struct {
    veche_person person;
    bool account;                 /* has an account; the flags below are false if not */
    bool blocked;
    bool must_change_password;
    bool platform_admin;
} veche_person_info;

typedef int (*veche_store_person_info_cb)(void *ud, const veche_person_info *p);
/* Persons in scope with their account flags, by full name then id. */
int veche_store_people_list(veche_store *s, int64_t org_id, int64_t admin_id,
                            veche_store_person_info_cb cb, void *ud);

typedef struct {
    veche_body body;
    unsigned members;             /* memberships, voting or not */
    unsigned voting;              /* voting members */
    bool allow_recording;         /* its chair may record its meetings */
} veche_body_info;

typedef int (*veche_store_body_info_cb)(void *ud, const veche_body_info *b);
/* Bodies of the organizations in scope with their member counts, by
 * name then id. */
int veche_store_bodies_list(veche_store *s, int64_t org_id, int64_t admin_id,
                            veche_store_body_info_cb cb, void *ud);

typedef struct {
    veche_course course;
    unsigned members;             /* trainers and activists */
} veche_course_info;

typedef int (*veche_store_course_info_cb)(void *ud, const veche_course_info *c);
/* Courses of the organizations in scope with their member counts, by name
 * then id. */
int veche_store_courses_list(veche_store *s, int64_t org_id, int64_t admin_id,
                             veche_store_course_info_cb cb, void *ud);

typedef struct {
    veche_event event;
    unsigned guests;              /* event_guest rows */
} veche_event_info;

typedef int (*veche_store_event_info_cb)(void *ud, const veche_event_info *e);
/* Events of the bodies and courses of the organizations in scope with their
 * guest counts, by start time then id. */
int veche_store_events_in(veche_store *s, int64_t org_id, int64_t admin_id,
                          veche_store_event_info_cb cb, void *ud);

/* ---- roster import ---- */

typedef struct {
    unsigned persons_created;     /* e-mails not yet known */
    unsigned persons_existing;    /* known e-mails: the stored person is kept */
    unsigned members_set;         /* memberships added or updated */
    unsigned members_removed;     /* replace: members not in the file */
} veche_roster_stats;

/* Apply a validated roster to the body or course target_id (the kind the
 * roster was read for) in ONE transaction: new e-mails become persons of
 * the target's organization; every row's membership is set; with replace,
 * members absent from the file are removed.  VECHE_EINVAL when the roster
 * has issues (nothing is done), VECHE_ENOTFOUND when the target does not
 * exist; on any error nothing is imported.  stats may be NULL. */
int veche_store_roster_apply(veche_store *s, const veche_roster_import *r,
                             int64_t target_id, bool replace, int64_t now,
                             veche_roster_stats *stats);

#endif
