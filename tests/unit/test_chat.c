/* test_chat.c - chat validation and history. */
#include "chat.h"
#include "check.h"

TEST(validation)
{
    CHECK(veche_chat_valid("hello"));
    CHECK(veche_chat_valid("Привет, коллеги!\nВторая строка\t."));
    CHECK(!veche_chat_valid(""));
    CHECK(!veche_chat_valid("   \n\t"));
    CHECK(!veche_chat_valid("bell\a"));
    CHECK(!veche_chat_valid("\xff\xfe"));
    CHECK(!veche_chat_valid(NULL));
    char big[VECHE_CHAT_MAX_CHARS * 2 + 3];
    memset(big, 'x', VECHE_CHAT_MAX_CHARS);
    big[VECHE_CHAT_MAX_CHARS] = '\0';
    CHECK(veche_chat_valid(big));
    /* 2000 two-byte characters are fine, 2001 are not */
    for (int i = 0; i < VECHE_CHAT_MAX_CHARS; i++)
        memcpy(big + 2 * i, "я", 2);
    big[2 * VECHE_CHAT_MAX_CHARS] = '\0';
    CHECK(veche_chat_valid(big));
    memcpy(big + 2 * VECHE_CHAT_MAX_CHARS, "x", 2);
    CHECK(!veche_chat_valid(big));
}

TEST(event_and_history)
{
    veche_chat *c = veche_chat_new();
    json_t *e = veche_chat_add(c, "p1", "Анна", "первое", 1000);
    CHECK_EQ_STR(json_string_value(json_object_get(e, "type")), "chat");
    CHECK_EQ_INT(json_integer_value(json_object_get(e, "seq")), 1);
    CHECK_EQ_STR(json_string_value(json_object_get(e, "name")), "Анна");
    json_decref(e);
    json_decref(veche_chat_add(c, "p2", "Boris", "second", 2000));
    json_t *h = veche_chat_history(c);
    CHECK_EQ_INT(json_array_size(h), 2);
    CHECK_EQ_STR(json_string_value(json_object_get(json_array_get(h, 0), "text")), "первое");
    CHECK(json_object_get(json_array_get(h, 0), "type") == NULL);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(h, 1), "ts")), 2000);
    json_decref(h);
    veche_chat_free(c);
    veche_chat_free(NULL);
}

TEST(history_bounded)
{
    veche_chat *c = veche_chat_new();
    for (int i = 0; i < VECHE_CHAT_HISTORY + 20; i++)
        json_decref(veche_chat_add(c, "p", "n", "t", i));
    json_t *h = veche_chat_history(c);
    CHECK_EQ_INT(json_array_size(h), VECHE_CHAT_HISTORY);
    CHECK_EQ_INT(json_integer_value(json_object_get(json_array_get(h, 0), "seq")), 21);
    json_decref(h);
    veche_chat_free(c);
}

int main(void)
{
    RUN(validation);
    RUN(event_and_history);
    RUN(history_bounded);
    return check_finish();
}
