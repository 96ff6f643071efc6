/* quorum.h - is a body quorate, and when did that change.
 *
 * A rule is a fraction num/den of the voting members and a comparison:
 *   VECHE_QUORUM_MORE_THAN  present > voting * num/den   (default 1/2:
 *                           "more than half")
 *   VECHE_QUORUM_AT_LEAST   present >= voting * num/den  (e.g. "at least
 *                           two thirds")
 * computed in exact integer arithmetic (present * den vs voting * num).  A
 * body without voting members, or with none of them present, is never
 * quorate (whatever the fraction).  Present voting members
 * beyond the voting count (inconsistent input) count as the voting count.
 *
 * The tracker remembers the current status and every change with its time;
 * it does no I/O (the caller writes changes to the store's quorum log).
 * Rule functions are pure; a tracker belongs to one room's thread.
 */
#ifndef VECHE_QUORUM_H
#define VECHE_QUORUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    VECHE_QUORUM_MORE_THAN = 0,
    VECHE_QUORUM_AT_LEAST = 1,
} veche_quorum_mode;

typedef struct {
    unsigned num;             /* 0 <= num <= den */
    unsigned den;             /* > 0 */
    veche_quorum_mode mode;
} veche_quorum_rule;

#define VECHE_QUORUM_RULE_DEFAULT { 1, 2, VECHE_QUORUM_MORE_THAN }

/* 0, or VECHE_EINVAL for den == 0, num > den or an unknown mode. */
int veche_quorum_rule_check(const veche_quorum_rule *rule);

/* Parse ">1/2" (more than) or ">=2/3" (at least).  Returns 0 or
 * VECHE_EINVAL; *rule is untouched on failure. */
int veche_quorum_rule_parse(const char *text, veche_quorum_rule *rule);
/* Write the form veche_quorum_rule_parse() reads; returns the length or
 * VECHE_ENOSPC / VECHE_EINVAL. */
int veche_quorum_rule_format(const veche_quorum_rule *rule, char *out,
                             size_t cap);

/* Is a body with `voting` voting members quorate with `present` of them
 * present?  An invalid rule is never quorate. */
bool veche_quorum_reached(const veche_quorum_rule *rule, unsigned voting,
                          unsigned present);

/* The smallest number of present voting members that makes a quorum, or
 * voting + 1 when none does (no voting members, invalid rule). */
unsigned veche_quorum_needed(const veche_quorum_rule *rule, unsigned voting);

/* One change of status, as the quorum log records it. */
typedef struct {
    int64_t ts_ms;            /* server time, unix milliseconds */
    bool reached;
    unsigned present;         /* present voting members at that moment */
    unsigned voting;          /* voting members at that moment */
} veche_quorum_change;

typedef struct veche_quorum_tracker veche_quorum_tracker;

/* A tracker with a copy of rule; NULL on an invalid rule or OOM. */
veche_quorum_tracker *veche_quorum_tracker_new(const veche_quorum_rule *rule);
void veche_quorum_tracker_free(veche_quorum_tracker *t);  /* accepts NULL */

/* Report the counts at ts_ms.  The first update always records a change
 * (the initial status); later ones only when the status flips.  A time
 * earlier than the last recorded change is taken as that time (the wall
 * clock may step back; the log stays ordered).  Returns 1 when a change was
 * recorded (copied to *change if not NULL), 0 when the status stayed, or
 * VECHE_ENOMEM (the tracker is as it was). */
int veche_quorum_tracker_update(veche_quorum_tracker *t, int64_t ts_ms,
                                unsigned voting, unsigned present,
                                veche_quorum_change *change);

/* The current status; false before the first update. */
bool veche_quorum_tracker_reached(const veche_quorum_tracker *t);
/* The recorded changes, oldest first; get returns NULL past the end.  The
 * pointer is valid until the next update. */
size_t veche_quorum_tracker_count(const veche_quorum_tracker *t);
const veche_quorum_change *veche_quorum_tracker_get(const veche_quorum_tracker *t,
                                                    size_t i);

#endif
