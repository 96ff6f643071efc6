/* store_edit.h - changing and deleting what administrators made
 * (organizations, persons, accounts, bodies, courses, events), the audit
 * log, a person's data (export, erasure) and the retention sweep.  Part of
 * the store's interface beside store.h (docs/data-model.md, "Editing and
 * deleting", "Audit log", "Personal data").
 *
 * Deleting never takes a record with it: a person, event, body, course or
 * organization that a record (attendance, quorum log, recording) or
 * something below it still names is refused with VECHE_ESTATE and stays as
 * it was; an event is cancelled instead, a person erased.  Every function
 * here returns 0 or a veche_err; VECHE_ENOTFOUND for a missing row,
 * VECHE_EEXISTS for a taken name, e-mail or room, VECHE_EINVAL for bad
 * input.  A failed call changes nothing.  Called on the thread that owns
 * the connection, like store.h. */
#ifndef VECHE_STORE_EDIT_H
#define VECHE_STORE_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* ---- organizations ---- */

/* Any of name, time_zone, privacy_notice may be NULL (kept as it is);
 * time_zone and privacy_notice "" clear them (the server's zone, the
 * built-in notice).  The zone is not checked here (the caller does, with
 * veche_config_time_zone_valid). */
int veche_store_org_update(veche_store *s, int64_t id, const char *name,
                           const char *time_zone, const char *privacy_notice);
/* The organization's own settings; "" when not set.  Buffers of at least
 * 64 and VECHE_NOTICE_MAX + 1 bytes (either may be NULL). */
#define VECHE_NOTICE_MAX 2000
int veche_store_org_settings(veche_store *s, int64_t id, char *time_zone,
                             char *privacy_notice);
/* The organization's own session lifetime in hours (1..8760), or 0 for
 * "not set" (its ancestors' or the server's session_ttl_hours apply;
 * store.h veche_store_session_create).  Set: VECHE_EINVAL out of range. */
int veche_store_org_session_hours(veche_store *s, int64_t id, unsigned *hours);
int veche_store_org_set_session_hours(veche_store *s, int64_t id, unsigned hours);
/* The zone that applies to org: its own, else the nearest ancestor's, else
 * "" (the server's).  out has at least 64 bytes. */
int veche_store_org_zone(veche_store *s, int64_t id, char *out);
/* The notice the sign-in page shows: a central organization's (the lowest
 * id with one), else any organization's, else "" (the built-in one). */
int veche_store_privacy_notice(veche_store *s, char out[VECHE_NOTICE_MAX + 1]);
/* VECHE_ESTATE while it has organizations, persons, bodies or courses. */
int veche_store_org_delete(veche_store *s, int64_t id);
/* Administrators of org itself (not of its ancestors), by person id. */
typedef int (*veche_store_id_cb)(void *ud, int64_t id);
int veche_store_org_admins(veche_store *s, int64_t org_id,
                           veche_store_id_cb cb, void *ud);

/* ---- persons and accounts ---- */

/* p->id names the person; every field of p is written (org_id 0: none). */
int veche_store_person_update(veche_store *s, const veche_person *p);
/* VECHE_ESTATE when attendance names the person (erase instead). */
int veche_store_person_delete(veche_store *s, int64_t id);
/* Removes the account with its sessions and reset links; the person
 * stays.  *sessions_ended may be NULL. */
int veche_store_account_delete(veche_store *s, int64_t person_id,
                               int *sessions_ended);

/* Persons in scope (store.h, "listings") whose name or e-mail contains
 * query (any case for ASCII; "" or NULL: all), by name then id, skipping
 * offset and giving at most limit; *total the number that match. */
int veche_store_people_search(veche_store *s, int64_t org_id, int64_t admin_id,
                              const char *query, unsigned offset, unsigned limit,
                              veche_store_person_info_cb cb, void *ud,
                              unsigned *total);

/* ---- bodies, courses, events ---- */

/* name NULL: kept; rule NULL: kept. */
int veche_store_body_update(veche_store *s, int64_t id, const char *name,
                            const veche_quorum_rule *rule);
int veche_store_course_update(veche_store *s, int64_t id, const char *name);
/* VECHE_ESTATE while events are scheduled for it. */
int veche_store_body_delete(veche_store *s, int64_t id);
int veche_store_course_delete(veche_store *s, int64_t id);
/* title NULL: kept; starts_at/ends_at 0: kept (the result must still end
 * after it starts: VECHE_EINVAL). */
int veche_store_event_update(veche_store *s, int64_t id, const char *title,
                             int64_t starts_at, int64_t ends_at);
/* The event's own room limit: 1..VECHE_EVENT_LIMIT_MAX, or 0 for the room
 * kind's (VECHE_EINVAL above the maximum; VECHE_ENOTFOUND: no such event).
 * A live room applies it from the next join. */
int veche_store_event_set_limit(veche_store *s, int64_t id, unsigned max_participants);
/* cancelled: cancelled_at = now; else the cancellation is withdrawn. */
int veche_store_event_set_cancelled(veche_store *s, int64_t id, bool cancelled,
                                    int64_t now);
/* When the event was cancelled: *at unix seconds, 0 when it is not. */
int veche_store_event_cancelled(veche_store *s, int64_t id, int64_t *at);
/* VECHE_ESTATE when the event has attendance, a quorum log or recordings
 * (cancel it instead). */
int veche_store_event_delete(veche_store *s, int64_t id);

/* ---- audit log ---- */

typedef struct {
    int64_t id;                   /* set by the store */
    int64_t at;                   /* unix seconds */
    int64_t actor_id;             /* who; 0: vechectl or the server itself */
    char address[64];             /* the client's IP address, "" when none */
    int64_t org_id;               /* the organization concerned, 0: none */
    char action[48];              /* "person.update", "account.block", ... */
    char target_kind[16];         /* "org", "person", "account", "body", ... */
    int64_t target_id;
    char detail[512];             /* JSON object: ids and field names only */
} veche_audit_entry;

/* Append one entry (e->id ignored).  Entries cannot be changed or deleted
 * except by veche_store_retention_sweep (SQLite triggers refuse it). */
int veche_store_audit_append(veche_store *s, const veche_audit_entry *e);

typedef struct {
    int64_t org_id, admin_id;     /* scope as for listings; entries of no
                                     organization only without either */
    int64_t actor_id;             /* 0: any */
    int64_t target_id;            /* 0: any (with target_kind) */
    const char *target_kind;      /* NULL: any */
    const char *action;           /* a prefix ("person." or "account.block"), NULL: any */
    int64_t from, to;             /* at >= from, at < to; 0: open */
    int64_t person_id;            /* 0: any; else entries by or about this person */
    unsigned offset, limit;       /* limit 0: all */
} veche_audit_filter;

typedef int (*veche_store_audit_cb)(void *ud, const veche_audit_entry *e);
/* Newest first. */
int veche_store_audit_list(veche_store *s, const veche_audit_filter *f,
                           veche_store_audit_cb cb, void *ud);

/* ---- personal data and retention ---- */

/* Everything kept about a person as one JSON object (g_malloc'd into *out,
 * the caller frees it): profile, account flags (never the hash),
 * organizations administered, roster places, guest places, attendance
 * events, audit entries by or about them. */
int veche_store_person_export(veche_store *s, int64_t id, char **out);

/* Anonymize a person: name "erased #ID", e-mail "erased-ID@erased.invalid",
 * no phone; account, sessions, reset links, invitations and
 * administrator rights removed; an agenda speaker of that name and the
 * name in vote voter snapshots replaced; their chat messages deleted.
 * Roster places, attendance, quorum logs and recordings keep the id, so
 * counts and minutes stay as they were.  Then the WAL is checkpointed and
 * truncated so that no copy of the old bytes stays in the files (with
 * secure_delete the freed space is zeroed). */
int veche_store_person_erase(veche_store *s, int64_t id, int64_t now);

typedef struct {
    unsigned audit_removed;
    unsigned sessions_removed;
    unsigned resets_removed;
    unsigned chat_removed;
} veche_retention_stats;

/* Remove audit entries older than now - audit_days (0: keep forever),
 * sessions and reset links created more than session_days ago or expired
 * (session_days 0: only expired ones), and chat messages older than their
 * organization's chat retention, chat_days for an organization without
 * one of its own (store_chat.h; 0: kept).  One transaction. */
int veche_store_retention_sweep(veche_store *s, int64_t now, unsigned audit_days,
                                unsigned session_days, unsigned chat_days,
                                veche_retention_stats *out);

#endif
