/* vote_rule.c - majority rules and the ballot box of one vote
 * (vote_rule.h).  Pure: no I/O, no clock, no globals. */
#include "vote_rule.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"

static const char *const kind_names[] = {"open", "named", "secret"};

static const struct {
    const char *name;
    veche_vote_rule rule;
} rule_names[] = {
    {"half-of-cast", {VECHE_VOTE_HALF, VECHE_VOTE_BASE_CAST}},
    {"half-of-present", {VECHE_VOTE_HALF, VECHE_VOTE_BASE_PRESENT}},
    {"half-of-members", {VECHE_VOTE_HALF, VECHE_VOTE_BASE_MEMBERS}},
    {"two-thirds-of-cast", {VECHE_VOTE_TWO_THIRDS, VECHE_VOTE_BASE_CAST}},
    {"two-thirds-of-present", {VECHE_VOTE_TWO_THIRDS, VECHE_VOTE_BASE_PRESENT}},
    {"two-thirds-of-members", {VECHE_VOTE_TWO_THIRDS, VECHE_VOTE_BASE_MEMBERS}},
};

const char *veche_vote_kind_name(veche_vote_kind k)
{
    return (unsigned)k < 3 ? kind_names[k] : NULL;
}

int veche_vote_kind_parse(const char *s, veche_vote_kind *k)
{
    for (unsigned i = 0; s && i < 3; i++) {
        if (strcmp(s, kind_names[i]) == 0) {
            *k = (veche_vote_kind)i;
            return 0;
        }
    }
    return VECHE_EINVAL;
}

const char *veche_vote_rule_name(const veche_vote_rule *r)
{
    for (size_t i = 0; i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (rule_names[i].rule.share == r->share && rule_names[i].rule.base == r->base)
            return rule_names[i].name;
    return NULL;
}

int veche_vote_rule_parse(const char *s, veche_vote_rule *r)
{
    for (size_t i = 0; s && i < sizeof rule_names / sizeof rule_names[0]; i++) {
        if (strcmp(s, rule_names[i].name) == 0) {
            *r = rule_names[i].rule;
            return 0;
        }
    }
    return VECHE_EINVAL;
}

/* The smallest count that reaches the share of base (at least 1). */
static unsigned needed_for(veche_vote_share share, unsigned base)
{
    uint64_t b = base, need;
    if (share == VECHE_VOTE_HALF)
        need = b / 2 + 1;                 /* count * 2 > base */
    else
        need = (b * 2 + 2) / 3;           /* count * 3 >= base * 2 */
    return need < 1 ? 1 : (unsigned)need;
}

int veche_vote_decide(const veche_vote_rule *rule, const unsigned *counts, size_t n_options,
                      int abstain, bool yes_no, unsigned present, unsigned members,
                      veche_vote_outcome *out)
{
    if (!rule || !veche_vote_rule_name(rule) || !counts || n_options == 0 ||
        n_options > VECHE_VOTE_MAX_OPTIONS || abstain >= (int)n_options || abstain < -1 ||
        (yes_no && n_options < 2))
        return VECHE_EINVAL;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n_options; i++) {
        out->ballots += counts[i];
        if ((int)i != abstain)
            out->cast += counts[i];
    }
    out->base = rule->base == VECHE_VOTE_BASE_CAST ? out->cast
              : rule->base == VECHE_VOTE_BASE_PRESENT ? present : members;
    out->needed = needed_for(rule->share, out->base);
    out->winner = -1;
    for (size_t i = 0; i < n_options; i++) {
        if ((int)i == abstain || counts[i] < out->needed)
            continue;
        if (out->winner >= 0) {   /* two reach it (impossible for a sane base): none wins */
            out->winner = -1;
            break;
        }
        out->winner = (int)i;
    }
    out->adopted = yes_no ? out->winner == 0 : out->winner >= 0;
    return 0;
}

/* --- the ballot box --- */

typedef struct {
    veche_vote_voter who;
    bool voted;
    int choice;               /* -1: none or unknown */
} box_voter;

struct veche_vote_box {
    veche_vote_kind kind;
    size_t n_options;
    unsigned counts[VECHE_VOTE_MAX_OPTIONS];
    box_voter *voters;
    size_t n_voters;
    bool closed;
};

static box_voter *find(const veche_vote_box *b, int64_t person_id)
{
    for (size_t i = 0; i < b->n_voters; i++)
        if (b->voters[i].who.person_id == person_id)
            return &b->voters[i];
    return NULL;
}

veche_vote_box *veche_vote_box_new(veche_vote_kind kind, size_t n_options,
                                   const veche_vote_voter *voters, size_t n)
{
    if (!veche_vote_kind_name(kind) || n_options == 0 || n_options > VECHE_VOTE_MAX_OPTIONS ||
        (n && !voters))
        return NULL;
    veche_vote_box *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->kind = kind;
    b->n_options = n_options;
    b->voters = calloc(n ? n : 1, sizeof *b->voters);
    if (!b->voters) {
        free(b);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (find(b, voters[i].person_id))
            continue;
        box_voter *v = &b->voters[b->n_voters++];
        v->who = voters[i];
        v->who.name[sizeof v->who.name - 1] = '\0';
        v->choice = -1;
    }
    return b;
}

void veche_vote_box_free(veche_vote_box *b)
{
    if (!b)
        return;
    free(b->voters);
    free(b);
}

int veche_vote_box_cast(veche_vote_box *b, int64_t person_id, int option, int *previous)
{
    if (b->closed)
        return VECHE_ESTATE;
    box_voter *v = find(b, person_id);
    if (!v)
        return VECHE_EDENIED;
    if (option < 0 || (size_t)option >= b->n_options)
        return VECHE_EINVAL;
    if (!v->voted) {
        v->voted = true;
        v->choice = option;
        b->counts[option]++;
        return 0;
    }
    if (v->choice < 0)
        return VECHE_ESTATE;      /* a secret ballot from before a restart */
    if (v->choice == option)
        return 2;
    if (previous)
        *previous = v->choice;
    b->counts[v->choice]--;
    b->counts[option]++;
    v->choice = option;
    return 1;
}

int veche_vote_box_undo(veche_vote_box *b, int64_t person_id, int previous)
{
    box_voter *v = find(b, person_id);
    if (!v || !v->voted || v->choice < 0 || previous >= (int)b->n_options)
        return VECHE_ESTATE;
    b->counts[v->choice]--;
    if (previous < 0) {
        v->voted = false;
        v->choice = -1;
    } else {
        b->counts[previous]++;
        v->choice = previous;
    }
    return 0;
}

int veche_vote_box_restore(veche_vote_box *b, int64_t person_id, int option)
{
    box_voter *v = find(b, person_id);
    if (!v)
        return VECHE_EDENIED;
    if (option < -1 || option >= (int)b->n_options)
        return VECHE_EINVAL;
    v->voted = true;
    v->choice = option;
    return 0;
}

int veche_vote_box_set_count(veche_vote_box *b, int option, unsigned count)
{
    if (option < 0 || (size_t)option >= b->n_options)
        return VECHE_EINVAL;
    b->counts[option] = count;
    return 0;
}

void veche_vote_box_close(veche_vote_box *b) { b->closed = true; }
bool veche_vote_box_closed(const veche_vote_box *b) { return b->closed; }

bool veche_vote_box_entitled(const veche_vote_box *b, int64_t person_id)
{
    return find(b, person_id) != NULL;
}

bool veche_vote_box_has_voted(const veche_vote_box *b, int64_t person_id)
{
    const box_voter *v = find(b, person_id);
    return v && v->voted;
}

int veche_vote_box_choice(const veche_vote_box *b, int64_t person_id)
{
    const box_voter *v = find(b, person_id);
    return v && v->voted ? v->choice : -1;
}

size_t veche_vote_box_options(const veche_vote_box *b) { return b->n_options; }

unsigned veche_vote_box_count(const veche_vote_box *b, int option)
{
    return option >= 0 && (size_t)option < b->n_options ? b->counts[option] : 0;
}

size_t veche_vote_box_voters(const veche_vote_box *b) { return b->n_voters; }

const veche_vote_voter *veche_vote_box_voter(const veche_vote_box *b, size_t i)
{
    return i < b->n_voters ? &b->voters[i].who : NULL;
}

unsigned veche_vote_box_voted(const veche_vote_box *b)
{
    unsigned n = 0;
    for (size_t i = 0; i < b->n_voters; i++)
        n += b->voters[i].voted;
    return n;
}
