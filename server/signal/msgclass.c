/* msgclass.c - the table of replaceable message types (msgclass.h). */
#include "msgclass.h"

#include <stdio.h>
#include <string.h>

/* Replaceable types; `member` (or NULL) is the member whose value tells
 * states apart: one unsent `hand` per participant, one `quality` in all. */
static const struct {
    const char *type;
    const char *member;
} replaceable[] = {
    {"attendance-delta", NULL},  /* never replaced: attendance.c waits while one is unsent */
    {"quorum", NULL},
    {"quality", NULL},
    {"speaker", NULL},
    {"hand", "participant"},
    {"room-size", NULL},
    {"vote-progress", NULL},  /* one vote open per event: the latest count */
};

static int find(const char *type)
{
    for (size_t i = 0; type && i < sizeof replaceable / sizeof replaceable[0]; i++)
        if (strcmp(replaceable[i].type, type) == 0)
            return (int)i;
    return -1;
}

veche_msgclass veche_msgclass_of(const char *type)
{
    return find(type) >= 0 ? VECHE_MSGCLASS_REPLACEABLE : VECHE_MSGCLASS_ESSENTIAL;
}

veche_msgclass veche_msgclass_key(const json_t *msg, char *key, size_t cap)
{
    if (cap)
        key[0] = '\0';
    const char *type = json_string_value(json_object_get(msg, "type"));
    int i = find(type);
    if (i < 0 || cap == 0)
        return VECHE_MSGCLASS_ESSENTIAL;
    const char *sub = replaceable[i].member
                          ? json_string_value(json_object_get(msg, replaceable[i].member))
                          : NULL;
    snprintf(key, cap, "%s%s%s", type, sub ? ":" : "", sub ? sub : "");
    return VECHE_MSGCLASS_REPLACEABLE;
}
