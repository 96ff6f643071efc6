/* cmd_minutes.c - vechectl minutes verify|show: check a finalized
 * minutes' SHA-256 against the records it was built from (minutes.h), or
 * print the minutes (JSON, or the printable page); vechectl body-voting:
 * a body's default majority rule and what a vote without quorum does. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "minutes.h"
#include "vechectl.h"

static int verify(vctl *c, int64_t event_id)
{
    char computed[65] = "", stored[65] = "";
    int r = veche_minutes_verify(c->st, event_id, 0, computed, stored);
    if (r == 0) {
        printf("OK %s\n", stored);
        return VCTL_OK;
    }
    if (r == VECHE_EBADSIG) {
        printf("MISMATCH stored %s computed %s\n", stored, computed);
        return vctl_refuse("minutes of event %lld: the records differ from the finalized "
                           "minutes", (long long)event_id);
    }
    if (r == VECHE_ESTATE)
        return vctl_refuse("minutes of event %lld are not finalized", (long long)event_id);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no event %lld", (long long)event_id);
    return vctl_fail("minutes verify", r);
}

static int show(vctl *c, int64_t event_id, const char *lang)
{
    json_t *content = NULL;
    veche_minutes_state m;
    int r = veche_minutes_content(c->st, event_id, 0, &content);
    if (r == 0)
        r = veche_store_minutes_state(c->st, event_id, &m);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no event %lld", (long long)event_id);
    if (r != 0) {
        json_decref(content);
        return vctl_fail("minutes", r);
    }
    char *text = lang ? veche_minutes_html(content, &m, lang, c->cfg->time_zone)
                      : json_dumps(content, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(content);
    if (!text)
        return vctl_fail("minutes", VECHE_ENOMEM);
    fputs(text, stdout);
    free(text);  /* g_malloc and malloc share the system allocator here */
    return VCTL_OK;
}

int cmd_minutes(vctl *c, int argc, char **argv)
{
    static const char *const syn = "minutes verify|show EVENT_ID [--html ru|en]";
    int64_t event_id;
    if (argc < 2 || vctl_parse_id(argv[1], &event_id) != 0)
        return vctl_usage(syn);
    if (!strcmp(argv[0], "verify") && argc == 2)
        return verify(c, event_id);
    if (!strcmp(argv[0], "show") && argc == 2)
        return show(c, event_id, NULL);
    if (!strcmp(argv[0], "show") && argc == 4 && !strcmp(argv[2], "--html") &&
        (!strcmp(argv[3], "ru") || !strcmp(argv[3], "en")))
        return show(c, event_id, argv[3]);
    return vctl_usage(syn);
}

int cmd_body_voting(vctl *c, int argc, char **argv)
{
    static const char *const syn = "body-voting BODY_ID [RULE] [refuse|warn]";
    int64_t body_id;
    if (vctl_parse_id(argv[0], &body_id) != 0)
        return vctl_usage(syn);
    veche_vote_rule rule;
    bool refuse = true;
    int r = veche_store_vote_settings(c->st, body_id, &rule, &refuse);
    if (r == VECHE_ENOTFOUND)
        return vctl_refuse("no body %lld", (long long)body_id);
    if (r != 0)
        return vctl_fail("body-voting", r);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "refuse") || !strcmp(argv[i], "warn"))
            refuse = !strcmp(argv[i], "refuse");
        else if (veche_vote_rule_parse(argv[i], &rule) != 0)
            return vctl_refuse("body-voting: %s: the rule is one of half-of-cast, "
                               "half-of-present, half-of-members, two-thirds-of-cast, "
                               "two-thirds-of-present, two-thirds-of-members", argv[i]);
    }
    if (argc > 1) {
        veche_body b;
        if ((r = veche_store_vote_set_settings(c->st, body_id, &rule, refuse)) != 0 ||
            (r = veche_store_body_get(c->st, body_id, &b)) != 0)
            return vctl_fail("body-voting", r);
        vctl_audit(c, b.org_id, "body.voting", "body", body_id,
                   "{\"fields\":[\"rule\",\"noQuorum\"]}");
    }
    printf("%s %s\n", veche_vote_rule_name(&rule), refuse ? "refuse" : "warn");
    return VCTL_OK;
}
