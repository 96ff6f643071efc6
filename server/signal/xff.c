/* xff.c - X-Forwarded-For from trusted proxies (xff.h). */
#include "xff.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define ADDR_TEXT 64

typedef struct {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char a[16];
} ip_addr;

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Parse len bytes of text (blanks around trimmed) as an IP literal. */
static bool parse_ip(const char *s, size_t len, ip_addr *ip)
{
    while (len && is_blank(*s))
        s++, len--;
    while (len && is_blank(s[len - 1]))
        len--;
    char tmp[ADDR_TEXT];
    if (len == 0 || len >= sizeof tmp)
        return false;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    memset(ip, 0, sizeof *ip);
    if (inet_pton(AF_INET, tmp, ip->a) == 1) {
        ip->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, tmp, ip->a) != 1)
        return false;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(ip->a, mapped, sizeof mapped) == 0) {
        memmove(ip->a, ip->a + 12, 4);
        memset(ip->a + 4, 0, 12);
        ip->family = AF_INET;
    } else {
        ip->family = AF_INET6;
    }
    return true;
}

static bool same_ip(const ip_addr *x, const ip_addr *y)
{
    return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

/* Whether ip is one of the comma-separated addresses of list. */
static bool listed(const char *list, const ip_addr *ip)
{
    const char *p = list;
    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        ip_addr entry;
        if (parse_ip(p, len, &entry) && same_ip(&entry, ip))
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

static void write_ip(const ip_addr *ip, char *out, size_t cap)
{
    char text[INET6_ADDRSTRLEN];
    if (inet_ntop(ip->family, ip->a, text, sizeof text))
        snprintf(out, cap, "%s", text);
}

void veche_xff_client(const char *peer, const char *trusted, const char *xff, char *out,
                      size_t cap)
{
    if (!cap)
        return;
    snprintf(out, cap, "%s", peer ? peer : "");
    ip_addr cur;
    if (!peer || !trusted || !*trusted || !xff || !*xff ||
        !parse_ip(peer, strlen(peer), &cur) || !listed(trusted, &cur))
        return;
    /* Walk the header from the right while the hop we stand on is trusted. */
    size_t end = strlen(xff);
    while (listed(trusted, &cur)) {
        if (end == 0)
            break;
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        ip_addr hop;
        if (!parse_ip(xff + start, end - start, &hop))
            break;  /* garbage: keep the last good address */
        cur = hop;
        write_ip(&cur, out, cap);
        end = start ? start - 1 : 0;
        if (start == 0)
            break;
    }
}
