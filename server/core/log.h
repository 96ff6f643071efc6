/* log.h - one line per event: time, level, room, participant, message.
 *
 *   2026-11-22T10:00:00.123Z info  room=board peer=4f2a1c ice connected
 *
 * No personal data beyond ids: callers pass room and participant ids, never
 * names or addresses unless the event is about the address.  Writes to
 * stderr.  The level is process-wide, set once at start-up.
 */
#ifndef VECHE_LOG_H
#define VECHE_LOG_H

typedef enum { VECHE_LOG_DEBUG, VECHE_LOG_INFO, VECHE_LOG_WARN, VECHE_LOG_ERROR } veche_log_level;

void veche_log_set_level(veche_log_level level);
/* Parse "debug"/"info"/"warn"/"error"; returns 0 or VECHE_EINVAL. */
int veche_log_parse_level(const char *name, veche_log_level *out);
/* room and peer may be NULL (printed as "-"). */
void veche_log(veche_log_level level, const char *room, const char *peer,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define VLOG_DEBUG(room, peer, ...) veche_log(VECHE_LOG_DEBUG, room, peer, __VA_ARGS__)
#define VLOG_INFO(room, peer, ...) veche_log(VECHE_LOG_INFO, room, peer, __VA_ARGS__)
#define VLOG_WARN(room, peer, ...) veche_log(VECHE_LOG_WARN, room, peer, __VA_ARGS__)
#define VLOG_ERROR(room, peer, ...) veche_log(VECHE_LOG_ERROR, room, peer, __VA_ARGS__)

#endif
