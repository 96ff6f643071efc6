/* fuzz_vote.c - drives the vote message parser (vote_msg.c) and, for what
 * it accepts, the majority rules and a ballot box. */
#include <stddef.h>
#include <stdint.h>

#include "vote_msg.h"

static const veche_vote_voter voters[] = {{1, "a"}, {2, "b"}, {3, "c"}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    if (!root)
        return 0;
    veche_vote_msg m;
    char reason[200];
    if (json_is_object(root) && veche_vote_msg_parse(root, &m, reason, sizeof reason) == 0) {
        size_t n = m.type == VECHE_VOTE_MSG_OPEN && m.open.n_options ? m.open.n_options : 3;
        veche_vote_box *b = veche_vote_box_new(m.open.kind, n, voters, 3);
        int prev;
        for (int64_t p = 0; b && p < 4; p++)
            veche_vote_box_cast(b, p, m.option, &prev);
        unsigned counts[VECHE_VOTE_MAX_OPTIONS] = {0};
        for (size_t i = 0; b && i < n; i++)
            counts[i] = veche_vote_box_count(b, (int)i);
        veche_vote_rule rule = m.open.rule;
        veche_vote_outcome o;
        veche_vote_decide(&rule, counts, n, n == 3 ? 2 : -1, true, 3, (unsigned)m.vote, &o);
        veche_vote_box_free(b);
    }
    json_decref(root);
    return 0;
}
