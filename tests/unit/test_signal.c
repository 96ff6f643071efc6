/* test_signal.c - signalling message validation (signalling.c): rows of raw
 * client messages and the result or error code each must give. */
#include <string.h>

#include "check.h"
#include "signalling.h"

typedef struct {
    const char *text;
    int ok;                   /* 1 = parses, 0 = error */
    const char *code;         /* expected error code when !ok */
    veche_signal_type type;   /* expected type when ok */
} row;

static const row rows[] = {
    {"{\"type\":\"join\",\"room\":\"board\",\"name\":\"Anna\"}", 1, NULL, VECHE_MSG_JOIN},
    {"{\"type\":\"join\",\"room\":\"board\",\"name\":\"Анна Иванова\"}", 1, NULL, VECHE_MSG_JOIN},
    {"{\"type\":\"join\",\"room\":\"b\",\"name\":\"x\",\"future\":[1,2]}", 1, NULL, VECHE_MSG_JOIN},
    {"{\"type\":\"ping\",\"id\":7}", 1, NULL, VECHE_MSG_PING},
    {"{\"type\":\"subscribe\"}", 1, NULL, VECHE_MSG_SUBSCRIBE},
    {"{\"type\":\"leave\"}", 1, NULL, VECHE_MSG_LEAVE},
    {"{\"type\":\"publish\",\"sdp\":\"v=0\"}", 1, NULL, VECHE_MSG_PUBLISH},
    {"{\"type\":\"answer\",\"pc\":\"subscribe\",\"sdp\":\"v=0\"}", 1, NULL, VECHE_MSG_ANSWER},
    {"{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":\"\"}", 1, NULL, VECHE_MSG_CANDIDATE},
    {"", 0, "bad-json", 0},
    {"{", 0, "bad-json", 0},
    {"[1,2,3]", 0, "bad-json", 0},
    {"\"join\"", 0, "bad-json", 0},
    {"{\"type\":\"join\",\"type\":\"ping\"}", 0, "bad-json", 0},
    {"{\"room\":\"x\"}", 0, "bad-request", 0},
    {"{\"type\":42}", 0, "bad-request", 0},
    {"{\"type\":\"dance\"}", 0, "unknown-type", 0},
    {"{\"type\":\"join\",\"name\":\"Anna\"}", 0, "bad-request", 0},
    {"{\"type\":\"join\",\"room\":\"a b\",\"name\":\"Anna\"}", 0, "bad-request", 0},
    {"{\"type\":\"join\",\"room\":\"../etc\",\"name\":\"Anna\"}", 0, "bad-request", 0},
    {"{\"type\":\"join\",\"room\":\"r\",\"name\":\"\"}", 0, "bad-request", 0},
    {"{\"type\":\"join\",\"room\":\"r\",\"name\":\"a\\u0007b\"}", 0, "bad-request", 0},
    {"{\"type\":\"join\",\"room\":\"r\",\"name\":\"\\ud800\"}", 0, "bad-json", 0},
    {"{\"type\":\"publish\"}", 0, "bad-request", 0},
    {"{\"type\":\"publish\",\"sdp\":\"\"}", 0, "bad-request", 0},
    {"{\"type\":\"answer\",\"pc\":\"sideways\",\"sdp\":\"v=0\"}", 0, "bad-request", 0},
    {"{\"type\":\"candidate\",\"pc\":\"publish\"}", 0, "bad-request", 0},
    {"{\"type\":\"candidate\",\"pc\":\"publish\",\"candidate\":7}", 0, "bad-request", 0},
};

TEST(table_rows)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_signal_msg m;
        veche_sfu_error err = {0};
        int rc = veche_signal_parse(rows[i].text, strlen(rows[i].text), &m, &err);
        if (rows[i].ok) {
            if (rc != 0)
                fprintf(stderr, "# row %zu: %s: %s\n", i, err.code, err.reason);
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_INT(m.type, rows[i].type);
        } else {
            if (rc == 0 || !err.code || strcmp(err.code, rows[i].code) != 0)
                fprintf(stderr, "# row %zu: got %s\n", i, err.code ? err.code : "ok");
            CHECK(rc != 0);
            CHECK_EQ_STR(err.code, rows[i].code);
            CHECK(err.reason[0] != '\0');
        }
        veche_signal_msg_clear(&m);
    }
}

TEST(id_is_kept_for_errors)
{
    const char *text = "{\"type\":\"join\",\"id\":\"r1\"}";
    veche_signal_msg m;
    veche_sfu_error err = {0};
    CHECK(veche_signal_parse(text, strlen(text), &m, &err) != 0);
    CHECK(m.id != NULL);
    CHECK_EQ_STR(json_string_value(m.id), "r1");
    veche_signal_msg_clear(&m);
}

TEST(fields_point_into_message)
{
    const char *text = "{\"type\":\"join\",\"room\":\"presidium-2026\",\"name\":\"Борис\"}";
    veche_signal_msg m;
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_signal_parse(text, strlen(text), &m, &err), 0);
    CHECK_EQ_STR(m.room, "presidium-2026");
    CHECK_EQ_STR(m.name, "Борис");
    veche_signal_msg_clear(&m);
}

TEST(name_length_counts_characters)
{
    char text[512];
    char name[300] = "";
    for (int i = 0; i < 64; i++)
        strcat(name, "Ж");  /* 64 characters, 128 bytes: allowed */
    snprintf(text, sizeof text, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"%s\"}", name);
    veche_signal_msg m;
    veche_sfu_error err = {0};
    CHECK_EQ_INT(veche_signal_parse(text, strlen(text), &m, &err), 0);
    veche_signal_msg_clear(&m);
    strcat(name, "Ж");  /* 65: refused */
    snprintf(text, sizeof text, "{\"type\":\"join\",\"room\":\"r\",\"name\":\"%s\"}", name);
    CHECK(veche_signal_parse(text, strlen(text), &m, &err) != 0);
    veche_signal_msg_clear(&m);
}

/* Each row's own rate-limit kind: the three vote messages share one type,
 * yet casting a ballot is limited like a hand (a member's own action),
 * opening and closing like moderation. */
TEST(limit_and_room_come_from_the_row)
{
    static const struct {
        const char *text;
        veche_signal_limit limit;
        bool needs_room;
    } limits[] = {
        {"{\"type\":\"vote-cast\"}", VECHE_RL_HAND, true},
        {"{\"type\":\"vote-open\"}", VECHE_RL_MODERATION, true},
        {"{\"type\":\"chat\",\"text\":\"x\"}", VECHE_RL_CHAT, true},
        {"{\"type\":\"ping\"}", VECHE_RL_NONE, false},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        veche_signal_msg m;
        veche_sfu_error err = {0};
        CHECK_EQ_INT(veche_signal_parse(limits[i].text, strlen(limits[i].text), &m, &err), 0);
        CHECK_EQ_INT(m.limit, limits[i].limit);
        CHECK_EQ_INT(m.needs_room, limits[i].needs_room);
        veche_signal_msg_clear(&m);
    }
}

int main(void)
{
    RUN(table_rows);
    RUN(id_is_kept_for_errors);
    RUN(fields_point_into_message);
    RUN(name_length_counts_characters);
    RUN(limit_and_room_come_from_the_row);
    return check_finish();
}
