/* minutes.h - the minutes (протокол заседания) of one event, generated
 * from its records: the body, the date and times, who was present (with
 * times), absent and invited, the quorum rule and log, the agenda with its
 * times and the secretary's decision per item, and each vote (question,
 * kind, rule, counts, result, quorum at opening and closing, names for a
 * named vote).
 *
 * The content is a JSON object built only from stored rows (never the live
 * roll, the clock or a setting such as the presence grace period: present
 * people carry their first join and last leave), so the same records give
 * the same bytes.  Its digest covers ids and records, not names (format 2,
 * docs/voting.md): the SHA-256 of json_dumps(digest form, JSON_SORT_KEYS |
 * JSON_COMPACT | JSON_ENSURE_ASCII), where the digest form is the content
 * with "digestFormat": 2, without the people's and the named ballots'
 * names (their person ids stay), and with each agenda item's free-text
 * rapporteur reduced to whether there is one.  So erasing a person (their
 * name replaced) leaves finalized minutes valid, while altering any
 * record they are built from makes verification fail.  Finalizing stores
 * that digest; verifying rebuilds the content and compares (and accepts
 * the format-1 digest, the whole content, of minutes finalized before).
 *
 * Formats: JSON (the API), a printable HTML page laid out like a Russian
 * протокол (minutes_html.c), CSV of the votes.  Does not: check who may
 * see or finalize (api_minutes.c), or write anything but through
 * store_votes.h.  Runs on whichever thread owns the store handle.
 * Ownership: returned objects and strings belong to the caller.
 */
#ifndef VECHE_MINUTES_H
#define VECHE_MINUTES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "store_votes.h"

/* The content of event_id's minutes (new reference) in *out; grace_ms
 * merges reconnects as the attendance report does.  0, VECHE_ENOTFOUND, or
 * a store error. */
int veche_minutes_content(veche_store *st, int64_t event_id, int64_t grace_ms, json_t **out);

/* The digest form of content (see above; a new reference, NULL when out
 * of memory), and the lowercase hex SHA-256 of its canonical text. */
json_t *veche_minutes_digest_form(const json_t *content);
void veche_minutes_digest(const json_t *content, char out[65]);

/* Rebuild and compare with the stored digest: 0 (matches; *computed and
 * *stored filled), VECHE_ESTATE (not finalized), VECHE_EBADSIG (differs),
 * or a store error. */
int veche_minutes_verify(veche_store *st, int64_t event_id, int64_t grace_ms,
                         char computed[65], char stored[65]);

/* The printable page ("ru" or "en"), times in time_zone (NULL: UTC), with
 * the finalization state m (digest shown when finalized, else the digest
 * the content would get).  g_malloc'd. */
char *veche_minutes_html(const json_t *content, const veche_minutes_state *m, const char *lang,
                         const char *time_zone);
/* The minutes page's style sheet, inline in its <style> (the server's CSP
 * allows it by its SHA-256, http.c). */
extern const char veche_minutes_css[];

/* The votes as CSV (UTF-8, CRLF, header row):
 *   vote_id,agenda_item,question,kind,rule,options,counts,voted,entitled,
 *   members,result,opened_utc,closed_utc,quorum_open,quorum_close,named_ballots
 * g_malloc'd. */
char *veche_minutes_votes_csv(const json_t *content);

#endif
