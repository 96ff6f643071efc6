/* test_policy.c - the rights table. */
#include <string.h>

#include "check.h"
#include "policy.h"

TEST(kinds_and_names)
{
    veche_room_kind k;
    CHECK(veche_room_kind_parse("meeting", &k) && k == VECHE_ROOM_MEETING);
    CHECK(veche_room_kind_parse("training", &k) && k == VECHE_ROOM_TRAINING);
    CHECK(!veche_room_kind_parse("Meeting", &k));
    CHECK(!veche_room_kind_parse("", &k));
    CHECK(!veche_room_kind_parse(NULL, &k));
    CHECK_EQ_STR(veche_room_kind_name(VECHE_ROOM_TRAINING), "training");
    CHECK_EQ_STR(veche_role_name(VECHE_ROOM_MEETING, VECHE_ROLE_MODERATOR), "chair");
    CHECK_EQ_STR(veche_role_name(VECHE_ROOM_TRAINING, VECHE_ROLE_MODERATOR), "trainer");
    CHECK_EQ_STR(veche_role_name(VECHE_ROOM_TRAINING, VECHE_ROLE_MEMBER), "activist");
    CHECK_EQ_STR(veche_role_name(VECHE_ROOM_MEETING, VECHE_ROLE_GUEST), "guest");
}

TEST(room_ids)
{
    CHECK(veche_room_id_valid("demo-presidium"));
    CHECK(veche_room_id_valid("ev-0123456789abcdef"));
    CHECK(veche_room_id_valid("A.b_c-9"));
    char longest[VECHE_ROOM_ID_MAX + 2];
    memset(longest, 'x', VECHE_ROOM_ID_MAX);
    longest[VECHE_ROOM_ID_MAX] = '\0';
    CHECK(veche_room_id_valid(longest));
    longest[VECHE_ROOM_ID_MAX] = 'x';
    longest[VECHE_ROOM_ID_MAX + 1] = '\0';
    CHECK(!veche_room_id_valid(longest));
    CHECK(!veche_room_id_valid(""));
    CHECK(!veche_room_id_valid(NULL));
    CHECK(!veche_room_id_valid("a b"));
    CHECK(!veche_room_id_valid("комната"));
    CHECK(!veche_room_id_valid("a/b"));
}

TEST(meeting_rights)
{
    for (int r = VECHE_ROLE_MODERATOR; r <= VECHE_ROLE_GUEST; r++) {
        CHECK(veche_policy_allows(VECHE_ROOM_MEETING, r, false, VECHE_RIGHT_PUBLISH));
        CHECK(veche_policy_allows(VECHE_ROOM_MEETING, r, false, VECHE_RIGHT_SCREEN));
        CHECK(veche_policy_allows(VECHE_ROOM_MEETING, r, false, VECHE_RIGHT_CHAT));
        CHECK_EQ_INT(veche_policy_allows(VECHE_ROOM_MEETING, r, false, VECHE_RIGHT_MODERATE),
                     r == VECHE_ROLE_MODERATOR);
    }
}

TEST(training_rights)
{
    CHECK(veche_policy_allows(VECHE_ROOM_TRAINING, VECHE_ROLE_MODERATOR, false,
                              VECHE_RIGHT_PUBLISH));
    CHECK(veche_policy_allows(VECHE_ROOM_TRAINING, VECHE_ROLE_MODERATOR, false,
                              VECHE_RIGHT_SCREEN));
    CHECK(!veche_policy_allows(VECHE_ROOM_TRAINING, VECHE_ROLE_MEMBER, false,
                               VECHE_RIGHT_PUBLISH));
    CHECK(!veche_policy_allows(VECHE_ROOM_TRAINING, VECHE_ROLE_GUEST, false,
                               VECHE_RIGHT_SCREEN));
    CHECK(veche_policy_allows(VECHE_ROOM_TRAINING, VECHE_ROLE_MEMBER, true,
                              VECHE_RIGHT_PUBLISH));
    CHECK(veche_policy_allows(VECHE_ROOM_TRAINING, VECHE_ROLE_MEMBER, false,
                              VECHE_RIGHT_RAISE_HAND));
    CHECK(!veche_policy_allows(VECHE_ROOM_TRAINING, VECHE_ROLE_MODERATOR, false,
                               VECHE_RIGHT_RAISE_HAND));
    CHECK(!veche_policy_allows(VECHE_ROOM_TRAINING, VECHE_ROLE_MEMBER, true,
                               VECHE_RIGHT_MODERATE));
    CHECK(strstr(veche_policy_refusal(VECHE_ROOM_TRAINING, VECHE_RIGHT_PUBLISH), "floor"));
    CHECK(strstr(veche_policy_refusal(VECHE_ROOM_TRAINING, VECHE_RIGHT_MODERATE), "trainer"));
}

int main(void)
{
    RUN(kinds_and_names);
    RUN(room_ids);
    RUN(meeting_rights);
    RUN(training_rights);
    return check_finish();
}
