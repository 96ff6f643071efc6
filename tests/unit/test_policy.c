/* test_policy.c - the rights table. */
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
    RUN(meeting_rights);
    RUN(training_rights);
    return check_finish();
}
