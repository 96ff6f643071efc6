/* turn_urls.c - parse and check the turn_urls directive (turn_urls.h). */
#include "turn_urls.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

#define URL_MIN 6       /* "stun:x" */

static bool url_char_ok(char ch)
{
    return ch > 0x20 && ch < 0x7f && ch != '"' && ch != '\\';
}

static bool has_scheme(const char *u, size_t len)
{
    static const char *const schemes[] = {"turn:", "turns:", "stun:"};
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if (len > n && memcmp(u, schemes[i], n) == 0)
            return true;
    }
    return false;
}

/* Check one trimmed URL of len bytes; the reason into why. */
static int check_one(const char *u, size_t len, char *why, size_t whycap)
{
    int shown = len > 40 ? 40 : (int)len;
    if (len < URL_MIN || len >= VECHE_TURN_URL_SIZE) {
        snprintf(why, whycap, "turn_urls: '%.*s' is empty, too short or too long", shown, u);
        return VECHE_EINVAL;
    }
    for (size_t i = 0; i < len; i++)
        if (!url_char_ok(u[i])) {
            snprintf(why, whycap, "turn_urls: '%.*s' has a blank or a bad character", shown, u);
            return VECHE_EINVAL;
        }
    if (!has_scheme(u, len)) {
        snprintf(why, whycap, "turn_urls: '%.*s' does not start with turn:, turns: or stun:",
                 shown, u);
        return VECHE_EINVAL;
    }
    return 0;
}

int veche_turn_urls_parse(const char *text, veche_turn_urls *out, char *why, size_t whycap)
{
    out->n = 0;
    if (!text)
        return VECHE_EINVAL;
    const char *p = text;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p)
        return 0;  /* no URL at all: TURN off */
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ',')
            p++;
        const char *end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        size_t len = (size_t)(end - start);
        if (out->n == VECHE_TURN_URLS_MAX) {
            snprintf(why, whycap, "turn_urls: more than %d URLs", VECHE_TURN_URLS_MAX);
            out->n = 0;
            return VECHE_EINVAL;
        }
        if (check_one(start, len, why, whycap) != 0) {
            out->n = 0;
            return VECHE_EINVAL;
        }
        memcpy(out->url[out->n], start, len);
        out->url[out->n][len] = '\0';
        out->n++;
        if (!*p)
            return 0;
        p++;  /* the comma */
    }
}
