/* log.c - one line per event on stderr:
 *
 *   2026-11-22T10:00:00.123Z info  room=board peer=4f2a1c ice connected
 *
 * Each line is formatted into one buffer and handed to the kernel with a
 * single write(2), so lines from several threads do not interleave.  Control
 * characters in ids and messages are replaced with '?' so that no event can
 * forge or split lines.
 *
 * The only global of the process is the log level (set once at start-up;
 * it is read without locking, which is fine for a value written before any
 * other thread starts).
 *
 * Does not: rotate, buffer, write to files or syslog, or decide what is
 * personal data (callers pass ids, see log.h).
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

#define LINE_STACK 1024      /* most lines fit; longer ones use the heap */
#define LINE_MAX_LEN 65536   /* longer messages are cut */

/* The process-wide level: the one global of Veche (see log.h). */
static veche_log_level g_level = VECHE_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void veche_log_set_level(veche_log_level level)
{
    if (level >= VECHE_LOG_DEBUG && level <= VECHE_LOG_ERROR)
        g_level = level;
}

int veche_log_parse_level(const char *name, veche_log_level *out)
{
    if (!name)
        return VECHE_EINVAL;
    for (int i = VECHE_LOG_DEBUG; i <= VECHE_LOG_ERROR; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            if (out)
                *out = (veche_log_level)i;
            return 0;
        }
    }
    return VECHE_EINVAL;
}

/* Replace control characters in buf[from, to) so one event is one line. */
static void sanitize(char *buf, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        unsigned char ch = (unsigned char)buf[i];
        if (ch < 0x20 || ch == 0x7f)
            buf[i] = '?';
    }
}

/* Write all of buf to stderr with as few write(2) calls as the kernel
 * allows (one for any pipe or terminal write of a normal line). */
static void write_all(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;  /* nowhere left to report it */
        }
        buf += n;
        len -= (size_t)n;
    }
}

void veche_log(veche_log_level level, const char *room, const char *peer,
               const char *fmt, ...)
{
    if (level < g_level || level < VECHE_LOG_DEBUG || level > VECHE_LOG_ERROR)
        return;

    struct timespec ts;
    struct tm tm;
    char stamp[32] = "1970-01-01T00:00:00";
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
        ts.tv_sec = 0;
        ts.tv_nsec = 0;
    }
    if (gmtime_r(&ts.tv_sec, &tm) == NULL ||
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
        snprintf(stamp, sizeof stamp, "1970-01-01T00:00:00");

    char prefix[384];
    int plen = snprintf(prefix, sizeof prefix, "%s.%03ldZ %-5s room=%.120s peer=%.120s ",
                        stamp, (long)(ts.tv_nsec / 1000000), level_names[level],
                        room && *room ? room : "-", peer && *peer ? peer : "-");
    if (plen < 0)
        return;
    if ((size_t)plen >= sizeof prefix)
        plen = (int)sizeof prefix - 1;

    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int mlen = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (mlen < 0) {
        va_end(ap2);
        return;
    }
    if (mlen > LINE_MAX_LEN)
        mlen = LINE_MAX_LEN;

    size_t total = (size_t)plen + (size_t)mlen + 1;  /* + '\n' */
    char stack[LINE_STACK];
    char *buf = total + 1 <= sizeof stack ? stack : malloc(total + 1);
    if (!buf) {
        va_end(ap2);
        return;
    }
    memcpy(buf, prefix, (size_t)plen);
    vsnprintf(buf + plen, (size_t)mlen + 1, fmt, ap2);
    va_end(ap2);
    sanitize(buf, 0, total - 1);
    buf[total - 1] = '\n';
    write_all(buf, total);
    if (buf != stack)
        free(buf);
}
