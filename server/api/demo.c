/* demo.c - seed the demo organization (demo.h).  One password hash is
 * made and shared by every demo account (demo-only: real accounts each get
 * their own salt).  Logs counts, never the addresses. */
#include "demo.h"

#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"

#define DEMO_MARKER "chair@veche.demo"

typedef struct {
    const char *email;
    const char *name;
    veche_access_role role;       /* on the presidium or the course; NONE: neither */
    bool voting;
    bool course;                  /* course roster instead of the presidium */
    bool platform_admin;
} demo_person;

static const demo_person people[] = {
    {"admin@veche.demo", "Администратор Демо", VECHE_ACCESS_NONE, false, false, true},
    {DEMO_MARKER, "Анна Председателева", VECHE_ACCESS_CHAIR, true, false, false},
    {"secretary@veche.demo", "Борис Секретарёв", VECHE_ACCESS_SECRETARY, true, false, false},
    {"member1@veche.demo", "Вера Членова", VECHE_ACCESS_MEMBER, true, false, false},
    {"member2@veche.demo", "Григорий Членов", VECHE_ACCESS_MEMBER, true, false, false},
    {"member3@veche.demo", "Дарья Членова", VECHE_ACCESS_MEMBER, true, false, false},
    {"observer@veche.demo", "Евгений Наблюдателев", VECHE_ACCESS_MEMBER, false, false, false},
    {"trainer@veche.demo", "Жанна Тренерова", VECHE_ACCESS_TRAINER, false, true, false},
    {"activist1@veche.demo", "Зоя Активистова", VECHE_ACCESS_ACTIVIST, false, true, false},
    {"activist2@veche.demo", "Иван Активистов", VECHE_ACCESS_ACTIVIST, false, true, false},
    {"activist3@veche.demo", "Ксения Активистова", VECHE_ACCESS_ACTIVIST, false, true, false},
    {"activist4@veche.demo", "Лев Активистов", VECHE_ACCESS_ACTIVIST, false, true, false},
    {"outsider@veche.demo", "Мария Посторонняя", VECHE_ACCESS_NONE, false, false, false},
};

#define N_PEOPLE (sizeof people / sizeof people[0])

static int fail(const char *step, int rc)
{
    VLOG_ERROR(NULL, NULL, "demo: seeding failed at %s: %s", step, veche_strerror(rc));
    return rc;
}

int veche_demo_seed(veche_store *st, const veche_password_cost *cost, int64_t now)
{
    veche_person found;
    int rc = veche_store_person_find_email(st, DEMO_MARKER, &found);
    if (rc == 0) {
        VLOG_INFO(NULL, NULL, "demo: the demo organization is there (password %s)",
                  VECHE_DEMO_PASSWORD);
        return 0;
    }
    if (rc != VECHE_ENOTFOUND)
        return fail("lookup", rc);
    char hash[VECHE_PASSWORD_HASH_SIZE];
    if ((rc = veche_password_hash(VECHE_DEMO_PASSWORD, cost, hash)) != 0)
        return fail("password", rc);
    int64_t org = 0, body = 0, course = 0;
    if ((rc = veche_store_org_create(st, "Демо-организация", VECHE_ORG_CENTRAL, 0, now, &org)))
        return fail("organization", rc);
    veche_quorum_rule rule = VECHE_QUORUM_RULE_DEFAULT;
    if ((rc = veche_store_body_create(st, org, "Президиум", &rule, &body)))
        return fail("body", rc);
    if ((rc = veche_store_course_create(st, org, "Школа актива", &course)))
        return fail("course", rc);
    for (size_t i = 0; i < N_PEOPLE; i++) {
        const demo_person *d = &people[i];
        veche_person p = {.org_id = org};
        snprintf(p.full_name, sizeof p.full_name, "%s", d->name);
        snprintf(p.email, sizeof p.email, "%s", d->email);
        if ((rc = veche_store_person_create(st, &p, now, &p.id)) ||
            (rc = veche_store_account_create(st, p.id, hash, false, now)))
            return fail("person", rc);
        if (d->platform_admin && (rc = veche_store_account_set_platform_admin(st, p.id, true)))
            return fail("admin", rc);
        if (d->role == VECHE_ACCESS_NONE)
            continue;
        rc = d->course ? veche_store_course_member_set(st, course, p.id, d->role)
                       : veche_store_body_member_set(st, body, p.id, d->role, d->voting);
        if (rc)
            return fail("roster", rc);
    }
    veche_event meeting = {.body_id = body, .starts_at = now,
                           .ends_at = now + 365 * 86400, .room_kind = VECHE_ROOM_MEETING};
    snprintf(meeting.title, sizeof meeting.title, "Заседание президиума");
    snprintf(meeting.room_id, sizeof meeting.room_id, "demo-presidium");
    veche_event training = {.course_id = course, .starts_at = now,
                            .ends_at = now + 365 * 86400, .room_kind = VECHE_ROOM_TRAINING};
    snprintf(training.title, sizeof training.title, "Занятие школы актива");
    snprintf(training.room_id, sizeof training.room_id, "demo-training");
    int64_t id;
    if ((rc = veche_store_event_create(st, &meeting, now, &id)) ||
        (rc = veche_store_event_create(st, &training, now, &id)))
        return fail("event", rc);
    VLOG_WARN(NULL, NULL, "demo: seeded a demo organization: %zu accounts, all with the"
              " password \"%s\" (addresses in docs/api.md); demo only, never on a real"
              " server", N_PEOPLE, VECHE_DEMO_PASSWORD);
    return 1;
}
