/* quorum.c - quorum rules in integer arithmetic and the change tracker.
 * See quorum.h. */
#include "quorum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

struct veche_quorum_tracker {
    veche_quorum_rule rule;
    veche_quorum_change *changes;
    size_t n, cap;
};

int veche_quorum_rule_check(const veche_quorum_rule *rule)
{
    if (!rule || rule->den == 0 || rule->num > rule->den)
        return VECHE_EINVAL;
    if (rule->mode != VECHE_QUORUM_MORE_THAN &&
        rule->mode != VECHE_QUORUM_AT_LEAST)
        return VECHE_EINVAL;
    return 0;
}

/* A decimal unsigned of at most 9 digits; advances *p. */
static int parse_small(const char **p, unsigned *out)
{
    const char *s = *p;
    unsigned v = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 9) {
        v = v * 10 + (unsigned)(*s - '0');
        s++;
        digits++;
    }
    if (digits == 0 || (*s >= '0' && *s <= '9'))
        return VECHE_EINVAL;
    *p = s;
    *out = v;
    return 0;
}

int veche_quorum_rule_parse(const char *text, veche_quorum_rule *rule)
{
    if (!text || !rule)
        return VECHE_EINVAL;
    veche_quorum_rule r;
    const char *p = text;
    if (p[0] == '>' && p[1] == '=') {
        r.mode = VECHE_QUORUM_AT_LEAST;
        p += 2;
    } else if (p[0] == '>') {
        r.mode = VECHE_QUORUM_MORE_THAN;
        p += 1;
    } else {
        return VECHE_EINVAL;
    }
    if (parse_small(&p, &r.num) != 0 || *p++ != '/' ||
        parse_small(&p, &r.den) != 0 || *p != '\0')
        return VECHE_EINVAL;
    if (veche_quorum_rule_check(&r) != 0)
        return VECHE_EINVAL;
    *rule = r;
    return 0;
}

int veche_quorum_rule_format(const veche_quorum_rule *rule, char *out,
                             size_t cap)
{
    if (veche_quorum_rule_check(rule) != 0 || !out)
        return VECHE_EINVAL;
    int n = snprintf(out, cap, "%s%u/%u",
                     rule->mode == VECHE_QUORUM_AT_LEAST ? ">=" : ">",
                     rule->num, rule->den);
    if (n < 0 || (size_t)n >= cap)
        return VECHE_ENOSPC;
    return n;
}

bool veche_quorum_reached(const veche_quorum_rule *rule, unsigned voting,
                          unsigned present)
{
    if (veche_quorum_rule_check(rule) != 0 || voting == 0)
        return false;
    if (present == 0)
        return false;  /* even a 0/1 rule needs somebody in the room */
    if (present > voting)
        present = voting;
    uint64_t have = (uint64_t)present * rule->den;
    uint64_t need = (uint64_t)voting * rule->num;
    return rule->mode == VECHE_QUORUM_AT_LEAST ? have >= need : have > need;
}

unsigned veche_quorum_needed(const veche_quorum_rule *rule, unsigned voting)
{
    if (veche_quorum_rule_check(rule) != 0 || voting == 0)
        return voting + 1;
    uint64_t need = (uint64_t)voting * rule->num;
    /* at least: ceil(need / den); more than: floor(need / den) + 1. */
    uint64_t k = rule->mode == VECHE_QUORUM_AT_LEAST
                     ? (need + rule->den - 1) / rule->den
                     : need / rule->den + 1;
    if (k == 0)
        k = 1;  /* as in veche_quorum_reached: nobody is no quorum */
    return k > voting ? voting + 1 : (unsigned)k;
}

veche_quorum_tracker *veche_quorum_tracker_new(const veche_quorum_rule *rule)
{
    if (veche_quorum_rule_check(rule) != 0)
        return NULL;
    veche_quorum_tracker *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->rule = *rule;
    return t;
}

void veche_quorum_tracker_free(veche_quorum_tracker *t)
{
    if (!t)
        return;
    free(t->changes);
    free(t);
}

int veche_quorum_tracker_update(veche_quorum_tracker *t, int64_t ts_ms,
                                unsigned voting, unsigned present,
                                veche_quorum_change *change)
{
    if (!t)
        return VECHE_EINVAL;
    bool reached = veche_quorum_reached(&t->rule, voting, present);
    if (t->n > 0) {
        const veche_quorum_change *last = &t->changes[t->n - 1];
        if (last->reached == reached)
            return 0;
        if (ts_ms < last->ts_ms)
            ts_ms = last->ts_ms;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        veche_quorum_change *nc = realloc(t->changes, cap * sizeof *nc);
        if (!nc)
            return VECHE_ENOMEM;
        t->changes = nc;
        t->cap = cap;
    }
    veche_quorum_change c = { ts_ms, reached, present, voting };
    t->changes[t->n++] = c;
    if (change)
        *change = c;
    return 1;
}

bool veche_quorum_tracker_reached(const veche_quorum_tracker *t)
{
    return t && t->n > 0 && t->changes[t->n - 1].reached;
}

size_t veche_quorum_tracker_count(const veche_quorum_tracker *t)
{
    return t ? t->n : 0;
}

const veche_quorum_change *veche_quorum_tracker_get(const veche_quorum_tracker *t,
                                                    size_t i)
{
    return t && i < t->n ? &t->changes[i] : NULL;
}
