/* storeq.h - the store on its own thread: typed requests in, completions
 * back to the main loop.
 *
 * One thread owns one store connection (veche_store, opened by
 * veche_storeq_new) and works through a FIFO queue of requests.  Each
 * request is a veche_storeq_req of one kind (the table below): the caller
 * fills its "in" fields, submits it with a completion callback, and the
 * callback runs later on the main context (ctx) with the "out" fields
 * filled, in the order the requests were submitted.  So a join's
 * attendance is on disk (synchronous=FULL, fsync) before its completion
 * runs, and nothing on the main loop waits for SQLite or an fsync.
 *
 *   kind          in                              out
 *   ADMIT         cookie, invitation, event_id,   join (auth.h; rc and
 *                 now (s)                         join.code on refusal)
 *   UNADMIT       join                            (its invitation given back)
 *   ATTEND        att, event, want_roster,        att_id, roster (ATTEND of a
 *                 want_agenda                     join with want_roster), agenda
 *                                                 (with want_agenda)
 *   QUORUM_LOG    event_id, change                -
 *   ALIVE         path                            (the file's mtime set to now)
 *   BLOCKED       persons                         blocked: those of persons
 *                                                 whose account is blocked,
 *                                                 only when another process
 *                                                 wrote the database since
 *                                                 the last BLOCKED
 *   RECOVER       last_alive_ms                   count: connections closed
 *   SIGN_IN       person_id, verify_hash, token,  rc: 0, VECHE_ENOTFOUND (the
 *                 now, expires                    password changed), or
 *                                                 VECHE_EBLOCKED
 *   VOTE          vote (store_votes.h: open, cast, vote (its out fields)
 *                 close, restore)
 *   REC_START     event_id, person_id, now        rec (store_recording.h); rc
 *                                                 VECHE_EDENIED when the body
 *                                                 does not allow recording
 *   REC_END       rec.id, rec_state, person_id,   -
 *                 now, bytes
 *   REC_OPEN      -                               rec_rows, n_rec_rows: parts
 *                                                 left in state `recording`
 *   AGENDA        agenda_op, event_id, item_id,   agenda: the event's items after
 *                 position, title, speaker, now   the change (store_agenda.h); rc
 *                 (s)                             of the change (the items are
 *                                                 read even when it failed)
 *   CHANGES       -                               changes: the database's
 *                                                 data version (store.h, as
 *                                                 BLOCKED uses it): it
 *                                                 differs from the last when
 *                                                 another process or
 *                                                 connection wrote since
 *   LESSON_DELETE item_id (the lesson), path (the   rc: VECHE_ENOTFOUND (missing
 *                 data_dir), now                  or deleted), VECHE_EIO (the
 *                                                 tombstone is made, a file
 *                                                 stayed: the supervisor
 *                                                 tries again)
 *   CHAT          event_id, person_id, ts_ms,     - (store_chat.h: the message
 *                 text                            appended)
 *   BARRIER       -                               - (no work: its completion
 *                                                 runs after those of every
 *                                                 request before it, so a
 *                                                 read made then on another
 *                                                 connection sees their writes)
 *
 * Every request's rc is 0 or a negative veche_err; a failed write is an
 * error completion, never a crash, and changes nothing (one transaction).
 *
 * The interface has no SQLite type in it: requests and completions are
 * Veche's own structs (store.h, auth.h, roll.h), and the work of each kind
 * is written against store.h.  A PostgreSQL backend (several Veche nodes on
 * one database) can stand behind the same requests: a pool of connections
 * instead of one thread, the same completions (docs/data-model.md).
 *
 * Threads and ownership.  Create, submit and free on the main thread (the
 * thread running ctx).  A submitted request belongs to the queue; the
 * callback borrows it (it may take req->roster, req->blocked and req->agenda by setting
 * them to NULL) and it is freed when the callback returns.  ud is the
 * callback's; ud_free (may be NULL) is called after the callback, or
 * instead of it when the queue is freed before the completion was
 * delivered.  veche_storeq_free drains the queue: every request submitted
 * before it is carried out (the writes happen), and completions not yet
 * delivered are dropped (ud_free only).
 *
 * Does not: own the roll (main thread), or make backups (backup.c, on its
 * own connection and thread).
 */
#ifndef VECHE_STOREQ_H
#define VECHE_STOREQ_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "metrics.h"
#include "roll.h"
#include "store.h"
#include "store_votes.h"
#include "store_recording.h"
#include "store_agenda.h"
#include "token.h"

typedef enum {
    VECHE_STOREQ_ADMIT,
    VECHE_STOREQ_UNADMIT,
    VECHE_STOREQ_ATTEND,
    VECHE_STOREQ_QUORUM_LOG,
    VECHE_STOREQ_ALIVE,
    VECHE_STOREQ_BLOCKED,
    VECHE_STOREQ_RECOVER,
    VECHE_STOREQ_SIGN_IN,
    VECHE_STOREQ_BARRIER,
    VECHE_STOREQ_VOTE,
    VECHE_STOREQ_REC_START,
    VECHE_STOREQ_REC_END,
    VECHE_STOREQ_REC_OPEN,
    VECHE_STOREQ_AGENDA,
    VECHE_STOREQ_CHANGES,
    VECHE_STOREQ_LESSON_DELETE,
    VECHE_STOREQ_CHAT,
} veche_storeq_kind;

/* What an AGENDA request does before it reads the items back. */
typedef enum {
    VECHE_AGENDA_OP_LIST,
    VECHE_AGENDA_OP_ADD,      /* title, speaker */
    VECHE_AGENDA_OP_REMOVE,   /* item_id */
    VECHE_AGENDA_OP_MOVE,     /* item_id, position */
    VECHE_AGENDA_OP_GO,       /* item_id (0: none), now */
} veche_agenda_op;

typedef struct veche_storeq veche_storeq;
typedef struct veche_storeq_req veche_storeq_req;

/* The completion, on the main context.  req is borrowed (see above). */
typedef void (*veche_storeq_done_fn)(void *ud, veche_storeq_req *req);

struct veche_storeq_req {
    veche_storeq_kind kind;                    /* public, read-only */
    /* in (owned strings are freed with the request) */
    char *cookie;                              /* ADMIT: the Cookie header, or NULL */
    char *invitation;                          /* ADMIT: a token, or NULL */
    char *path;                                /* ALIVE; LESSON_DELETE: data_dir */
    int64_t event_id;                          /* ADMIT (0: the invitation's), QUORUM_LOG */
    int64_t now;                               /* ADMIT, SIGN_IN: unix seconds */
    veche_auth_join join;                      /* UNADMIT in, ADMIT out */
    veche_attendance att;                      /* ATTEND */
    veche_event event;                         /* ATTEND: for the roster */
    bool want_roster;                          /* ATTEND */
    veche_quorum_change change;                /* QUORUM_LOG */
    GArray *persons;                           /* BLOCKED: int64_t, owned */
    int64_t last_alive_ms;                     /* RECOVER */
    int64_t person_id;                         /* SIGN_IN */
    char verify_hash[VECHE_PASSWORD_HASH_SIZE];/* SIGN_IN: still the account's? */
    uint8_t token[VECHE_TOKEN_HASH_LEN];       /* SIGN_IN: the session's hash */
    int64_t expires;                           /* SIGN_IN */
    veche_vote_op *vote;                       /* VOTE: in and out, owned */
    veche_recording_row rec;                   /* REC_START out, REC_END in (id) */
    char rec_state[12];                        /* REC_END */
    int64_t bytes;                             /* REC_END */
    bool want_agenda;                          /* ATTEND */
    veche_agenda_op agenda_op;                 /* AGENDA */
    int64_t item_id;                           /* AGENDA; LESSON_DELETE: the lesson */
    int position;                              /* AGENDA: MOVE */
    char *title, *speaker;                     /* AGENDA: ADD */
    char *text;                                /* CHAT: the message */
    int64_t ts_ms;                             /* CHAT: when it was sent */
    /* out */
    int rc;
    int64_t att_id;                            /* ATTEND */
    veche_roll_roster *roster;                 /* ATTEND: owned unless taken */
    GArray *blocked;                           /* BLOCKED: int64_t, owned unless taken */
    int count;                                 /* RECOVER */
    veche_recording_row *rec_rows;             /* REC_OPEN: owned unless taken */
    unsigned n_rec_rows;                       /* REC_OPEN */
    int64_t work_us;                           /* time the store thread took */
    GArray *agenda;                            /* AGENDA, ATTEND: veche_agenda_item,
                                                  owned unless taken */
    int64_t changes;                           /* CHANGES */
    /* private */
    veche_storeq_done_fn done;
    void *ud;
    GDestroyNotify ud_free;
    bool sync, finished;
};

/* Open the database at path (veche_store_open) and start the thread;
 * secret (borrowed, outlives the queue) checks invitations.  Completions
 * go to ctx.  0 with *out, or veche_store_open's error. */
int veche_storeq_new(const char *path, const veche_token_secret *secret, GMainContext *ctx,
                     veche_storeq **out);
/* Drain and stop (see above).  Accepts NULL. */
void veche_storeq_free(veche_storeq *q);

/* Observe every ATTEND's work_us into m's attendance write histogram
 * (on the completion's thread); m (borrowed, NULL: none) outlives q. */
void veche_storeq_set_metrics(veche_storeq *q, veche_metrics *m);

/* A zeroed request of kind (free it only if it is never submitted). */
veche_storeq_req *veche_storeq_req_new(veche_storeq_kind kind);
void veche_storeq_req_free(veche_storeq_req *req);  /* accepts NULL */

/* Queue req (taken); done (may be NULL) runs on ctx when it is done. */
void veche_storeq_submit(veche_storeq *q, veche_storeq_req *req, veche_storeq_done_fn done,
                         void *ud, GDestroyNotify ud_free);

/* Queue req and wait until the store thread has carried it out (behind
 * everything queued before it); the caller reads the out fields and frees
 * req.  Blocks: only for start-up (crash recovery before listening),
 * vechectl-like tools and tests, never from the running main loop. */
void veche_storeq_call(veche_storeq *q, veche_storeq_req *req);

/* Requests submitted and not yet completed (main thread). */
unsigned veche_storeq_in_flight(const veche_storeq *q);

#endif
