/* test_minutes_digest.c - the minutes' digest form (api/minutes.c, format 2,
 * docs/voting.md): names are for display only, so renaming (erasing) a
 * person leaves the digest unchanged, while a changed id, count, ballot,
 * decision or time changes it; the free-text rapporteur counts only as
 * "named or not". */
#include "check.h"
#include "minutes.h"

#include <jansson.h>

static const char *CONTENT =
    "{\"event\": {\"id\": 3, \"title\": \"Заседание\"},"
    " \"present\": [{\"person\": 7, \"name\": \"Жанна Шестакова\", \"role\": \"member\","
    "  \"voting\": true, \"firstJoin\": 1000, \"lastLeave\": 2000}],"
    " \"absent\": [{\"person\": 8, \"name\": \"Вера Членова\", \"role\": \"member\","
    "  \"voting\": true}],"
    " \"invited\": [],"
    " \"quorumLog\": [],"
    " \"agenda\": [{\"id\": 1, \"position\": 1, \"title\": \"Смета\","
    "  \"speaker\": \"Жанна Шестакова\", \"startedAt\": 1, \"endedAt\": 2,"
    "  \"decision\": \"Утвердить.\"}],"
    " \"votes\": [{\"id\": 5, \"agendaItem\": 1, \"kind\": \"named\", \"counts\": [1, 0, 0],"
    "  \"ballots\": [{\"person\": 7, \"name\": \"Жанна Шестакова\", \"voted\": true,"
    "  \"option\": 0}]}]}";

static json_t *load(void)
{
    json_t *c = json_loads(CONTENT, 0, NULL);
    CHECK(c != NULL);
    return c;
}

static void digest(const json_t *c, char out[65])
{
    veche_minutes_digest(c, out);
    CHECK_EQ_INT((int)strlen(out), 64);
}

#define AT(c, a, i) json_array_get(json_object_get((c), (a)), (i))

TEST(names_are_not_in_the_digest_form)
{
    json_t *c = load();
    json_t *f = veche_minutes_digest_form(c);
    CHECK(f != NULL);
    char *text = json_dumps(f, JSON_SORT_KEYS | JSON_COMPACT);
    CHECK(text && !strstr(text, "Шестакова") && !strstr(text, "Членова"));
    CHECK(text && strstr(text, "\"digestFormat\":2") != NULL);
    CHECK(text && strstr(text, "\"person\":7") != NULL);   /* ids stay */
    CHECK(json_is_true(json_object_get(AT(f, "agenda", 0), "speaker")));
    CHECK_EQ_STR(json_string_value(json_object_get(AT(f, "agenda", 0), "title")), "Смета");
    /* the content itself is untouched: the page still shows the names */
    CHECK_EQ_STR(json_string_value(json_object_get(AT(c, "present", 0), "name")),
                 "Жанна Шестакова");
    free(text);
    json_decref(f);
    json_decref(c);
}

TEST(erasure_keeps_the_digest)
{
    json_t *c = load();
    char before[65], after[65];
    digest(c, before);
    /* what veche_store_person_erase does to the rows the content is built from */
    json_object_set_new(AT(c, "present", 0), "name", json_string("erased #7"));
    json_object_set_new(AT(c, "agenda", 0), "speaker", json_string("erased #7"));
    json_t *ballot = json_array_get(json_object_get(AT(c, "votes", 0), "ballots"), 0);
    json_object_set_new(ballot, "name", json_string("erased #7"));
    digest(c, after);
    CHECK_EQ_STR(after, before);
    json_decref(c);
}

TEST(records_change_the_digest)
{
    char base[65], d[65];
    json_t *c = load();
    digest(c, base);
    json_decref(c);
    /* each change alone */
    for (int k = 0; k < 7; k++) {
        c = load();
        json_t *vote = AT(c, "votes", 0);
        json_t *ballot = json_array_get(json_object_get(vote, "ballots"), 0);
        switch (k) {
        case 0: json_object_set_new(ballot, "option", json_integer(1)); break;
        case 1: json_object_set_new(ballot, "person", json_integer(8)); break;
        case 2: json_array_set_new(json_object_get(vote, "counts"), 0, json_integer(2)); break;
        case 3: json_object_set_new(AT(c, "agenda", 0), "decision", json_string("Отклонить.")); break;
        case 4: json_object_set_new(AT(c, "present", 0), "firstJoin", json_integer(999)); break;
        case 5: json_object_set_new(AT(c, "agenda", 0), "speaker", json_string("")); break;
        case 6: json_object_set_new(AT(c, "absent", 0), "person", json_integer(9)); break;
        }
        digest(c, d);
        if (strcmp(d, base) == 0)
            fprintf(stderr, "# change %d left the digest as it was\n", k);
        CHECK(strcmp(d, base) != 0);
        json_decref(c);
    }
}

int main(void)
{
    RUN(names_are_not_in_the_digest_form);
    RUN(erasure_keeps_the_digest);
    RUN(records_change_the_digest);
    return check_finish();
}
