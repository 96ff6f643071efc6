/* test_chat.c - chat validation and history. */
#include "chat.h"
#include "check.h"

#include <glib.h>

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

static void free_history(veche_sfu_chat_msg *h, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        veche_sfu_chat_msg_clear(&h[i]);
    g_free(h);
}

TEST(event_and_history)
{
    veche_chat *c = veche_chat_new();
    veche_sfu_chat_msg e;
    veche_chat_add(c, "p1", "Анна", "первое", 1000, &e);
    CHECK_EQ_INT(e.seq, 1);
    CHECK_EQ_STR(e.from, "p1");
    CHECK_EQ_STR(e.name, "Анна");
    CHECK_EQ_STR(e.text, "первое");
    veche_sfu_chat_msg_clear(&e);
    veche_chat_add(c, "p2", "Boris", "second", 2000, &e);
    CHECK_EQ_INT(e.seq, 2);
    veche_sfu_chat_msg_clear(&e);
    unsigned n = 0;
    veche_sfu_chat_msg *h = veche_chat_history(c, &n);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_STR(h[0].text, "первое");
    CHECK_EQ_INT(h[1].ts_ms, 2000);
    CHECK_EQ_STR(h[1].name, "Boris");
    free_history(h, n);
    veche_chat_free(c);
    veche_chat_free(NULL);
}

TEST(history_bounded)
{
    veche_chat *c = veche_chat_new();
    for (int i = 0; i < VECHE_CHAT_HISTORY + 20; i++) {
        veche_sfu_chat_msg e;
        veche_chat_add(c, "p", "n", "t", i, &e);
        veche_sfu_chat_msg_clear(&e);
    }
    unsigned n = 0;
    veche_sfu_chat_msg *h = veche_chat_history(c, &n);
    CHECK_EQ_INT(n, VECHE_CHAT_HISTORY);
    CHECK_EQ_INT(h[0].seq, 21);
    free_history(h, n);
    veche_chat_free(c);
}

int main(void)
{
    RUN(validation);
    RUN(event_and_history);
    RUN(history_bounded);
    return check_finish();
}
