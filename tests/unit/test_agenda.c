/* test_agenda.c - an event's agenda in the store (store/store_agenda.c):
 * order and positions, the times set when the chair opens and leaves an
 * item, what may not be removed, the AGENDA request of the store thread,
 * and the times kept across a reopen of the database. */
#include "store_fixture.h"
#include "store_agenda.h"
#include "storeq.h"

#include <glib.h>

static GArray *items_of(veche_store *s, int64_t event)
{
    GArray *a = NULL;
    CHECK_EQ_INT(veche_store_agenda_items(s, event, &a), 0);
    return a;
}

static const veche_agenda_item *item(GArray *a, guint i)
{
    return &g_array_index(a, veche_agenda_item, i);
}

/* "id:position" of each item, in order. */
static const char *layout(veche_store *s, int64_t event)
{
    static char buf[256];
    GArray *a = items_of(s, event);
    buf[0] = '\0';
    for (guint i = 0; a && i < a->len; i++) {
        char one[32];
        snprintf(one, sizeof one, "%s%lld:%d", i ? " " : "", (long long)item(a, i)->id,
                 item(a, i)->position);
        g_strlcat(buf, one, sizeof buf);
    }
    if (a)
        g_array_unref(a);
    return buf;
}

TEST(add_list_and_validation)
{
    char path[128];
    veche_store *s = fresh(path, sizeof path);
    cast c;
    build_cast(s, &c);
    int64_t a = 0, b = 0;
    GArray *none = items_of(s, c.meeting);
    CHECK(none && none->len == 0);
    g_array_unref(none);
    CHECK_EQ_INT(veche_store_agenda_add(s, c.meeting, "Отчёт", "Иванов", &a), 0);
    CHECK_EQ_INT(veche_store_agenda_add(s, c.meeting, "Разное", NULL, &b), 0);
    CHECK_EQ_INT(veche_store_agenda_add(s, c.meeting, "Пустой докладчик", "", NULL), 0);
    GArray *l = items_of(s, c.meeting);
    CHECK_EQ_INT(l->len, 3);
    CHECK_EQ_STR(item(l, 0)->title, "Отчёт");
    CHECK_EQ_STR(item(l, 0)->speaker, "Иванов");
    CHECK_EQ_STR(item(l, 1)->speaker, "");
    CHECK_EQ_INT(item(l, 1)->position, 2);
    CHECK_EQ_INT(item(l, 0)->started_at, 0);
    CHECK_EQ_INT(veche_agenda_current(l), 0);
    g_array_unref(l);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM agenda_item WHERE speaker IS NULL"), 2);
    static const char *const bad_titles[] = {"", "tab\there", "\xff"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad_titles); i++)
        CHECK_EQ_INT(veche_store_agenda_add(s, c.meeting, bad_titles[i], NULL, NULL),
                     VECHE_EINVAL);
    char long_title[VECHE_AGENDA_TITLE_MAX * 2 + 3] = "";
    for (int i = 0; i < VECHE_AGENDA_TITLE_MAX; i++)
        g_strlcat(long_title, "я", sizeof long_title);
    CHECK_EQ_INT(veche_store_agenda_add(s, c.meeting, long_title, NULL, NULL), 0);
    g_strlcat(long_title, "я", sizeof long_title);
    CHECK_EQ_INT(veche_store_agenda_add(s, c.meeting, long_title, NULL, NULL), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_agenda_add(s, 9999, "Нет события", NULL, NULL), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_agenda_edit(s, c.meeting, b, "Разное и прочее", "Петров"), 0);
    CHECK_EQ_INT(veche_store_agenda_edit(s, c.lesson, b, "Чужое", NULL), VECHE_ENOTFOUND);
    l = items_of(s, c.meeting);
    CHECK_EQ_STR(item(l, 1)->title, "Разное и прочее");
    CHECK_EQ_STR(item(l, 1)->speaker, "Петров");
    g_array_unref(l);
    veche_store_close(s);
}

TEST(limit_of_items)
{
    char path[128];
    veche_store *s = fresh(path, sizeof path);
    cast c;
    build_cast(s, &c);
    for (int i = 0; i < VECHE_AGENDA_MAX_ITEMS; i++)
        CHECK_EQ_INT(veche_store_agenda_add(s, c.lesson, "Пункт", NULL, NULL), 0);
    CHECK_EQ_INT(veche_store_agenda_add(s, c.lesson, "Лишний", NULL, NULL), VECHE_ELIMIT);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM agenda_item"), VECHE_AGENDA_MAX_ITEMS);
    /* the limit is per event */
    CHECK_EQ_INT(veche_store_agenda_add(s, c.meeting, "Другое событие", NULL, NULL), 0);
    CHECK_EQ_INT(exec_sql(path, "DELETE FROM agenda_item WHERE position = 1"), 0);
    CHECK_EQ_INT(veche_store_agenda_add(s, c.lesson, "Снова", NULL, NULL), 0);
    veche_store_close(s);
}

TEST(times_on_enter_and_leave)
{
    char path[128];
    veche_store *s = fresh(path, sizeof path);
    cast c;
    build_cast(s, &c);
    int64_t a, b, d;
    veche_store_agenda_add(s, c.meeting, "A", NULL, &a);
    veche_store_agenda_add(s, c.meeting, "B", NULL, &b);
    veche_store_agenda_add(s, c.meeting, "C", NULL, &d);
    const struct {
        int64_t *to;       /* NULL: none */
        int64_t now;
        /* want: started, ended of A, B, C */
        int64_t t[6];
    } steps[] = {
        {&a, 100, {100, 0, 0, 0, 0, 0}},          /* enter A */
        {&a, 150, {100, 0, 0, 0, 0, 0}},          /* A again: nothing changes */
        {&b, 200, {100, 200, 200, 0, 0, 0}},      /* leave A, enter B */
        {&a, 300, {100, 0, 200, 300, 0, 0}},      /* back to A: first start kept */
        {&d, 400, {100, 400, 200, 300, 400, 0}},
        {NULL, 500, {100, 400, 200, 300, 400, 500}},  /* none: C left */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        int64_t to = steps[i].to ? *steps[i].to : 0;
        CHECK_EQ_INT(veche_store_agenda_go(s, c.meeting, to, steps[i].now), 0);
        GArray *l = items_of(s, c.meeting);
        for (guint k = 0; k < 3; k++) {
            if (item(l, k)->started_at != steps[i].t[2 * k] ||
                item(l, k)->ended_at != steps[i].t[2 * k + 1])
                fprintf(stderr, "# step %zu item %u: %lld-%lld\n", i, k,
                        (long long)item(l, k)->started_at, (long long)item(l, k)->ended_at);
            CHECK_EQ_INT(item(l, k)->started_at, steps[i].t[2 * k]);
            CHECK_EQ_INT(item(l, k)->ended_at, steps[i].t[2 * k + 1]);
        }
        CHECK_EQ_INT(veche_agenda_current(l), to);
        g_array_unref(l);
    }
    /* at most one current item, whatever happened */
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM agenda_item WHERE started_at IS NOT NULL"
                             " AND ended_at IS NULL"), 0);
    /* an item of another event, or none: refused, nothing changes */
    CHECK_EQ_INT(veche_store_agenda_go(s, c.meeting, b, 600), 0);
    CHECK_EQ_INT(veche_store_agenda_go(s, c.lesson, b, 700), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_agenda_go(s, c.meeting, 9999, 700), VECHE_ENOTFOUND);
    CHECK_EQ_INT(query(path, "SELECT ifnull(ended_at, 0) FROM agenda_item WHERE title = 'B'"),
                 0);
    /* kept on disk: another connection, then a reopen */
    CHECK_EQ_INT(query(path, "SELECT started_at FROM agenda_item WHERE title = 'A'"), 100);
    veche_store_close(s);
    CHECK_EQ_INT(veche_store_open(path, &s), 0);
    GArray *l = items_of(s, c.meeting);
    CHECK_EQ_INT(veche_agenda_current(l), b);
    CHECK_EQ_INT(item(l, 0)->ended_at, 400);
    CHECK_EQ_INT(item(l, 1)->started_at, 200);   /* B reopened at 600: first start kept */
    CHECK_EQ_INT(item(l, 1)->ended_at, 0);
    CHECK_EQ_INT(item(l, 2)->ended_at, 500);
    g_array_unref(l);
    veche_store_close(s);
}

TEST(remove_and_move)
{
    char path[128];
    veche_store *s = fresh(path, sizeof path);
    cast c;
    build_cast(s, &c);
    int64_t id[4];
    for (int i = 0; i < 4; i++)
        veche_store_agenda_add(s, c.meeting, "Пункт", NULL, &id[i]);
    char want[64];
    CHECK_EQ_INT(veche_store_agenda_move(s, c.meeting, id[3], 1), 0);
    snprintf(want, sizeof want, "%lld:1 %lld:2 %lld:3 %lld:4", (long long)id[3],
             (long long)id[0], (long long)id[1], (long long)id[2]);
    CHECK_EQ_STR(layout(s, c.meeting), want);
    CHECK_EQ_INT(veche_store_agenda_move(s, c.meeting, id[3], 50), 0);  /* past the end */
    snprintf(want, sizeof want, "%lld:1 %lld:2 %lld:3 %lld:4", (long long)id[0],
             (long long)id[1], (long long)id[2], (long long)id[3]);
    CHECK_EQ_STR(layout(s, c.meeting), want);
    CHECK_EQ_INT(veche_store_agenda_move(s, c.meeting, id[0], 0), VECHE_EINVAL);
    CHECK_EQ_INT(veche_store_agenda_move(s, c.lesson, id[0], 1), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_agenda_remove(s, c.meeting, id[1]), 0);
    snprintf(want, sizeof want, "%lld:1 %lld:2 %lld:3", (long long)id[0], (long long)id[2],
             (long long)id[3]);
    CHECK_EQ_STR(layout(s, c.meeting), want);
    CHECK_EQ_INT(veche_store_agenda_remove(s, c.meeting, id[1]), VECHE_ENOTFOUND);
    /* opened once: it stays on the record, even after it was left */
    CHECK_EQ_INT(veche_store_agenda_go(s, c.meeting, id[2], 100), 0);
    CHECK_EQ_INT(veche_store_agenda_go(s, c.meeting, 0, 200), 0);
    CHECK_EQ_INT(veche_store_agenda_remove(s, c.meeting, id[2]), VECHE_ESTATE);
    CHECK_EQ_STR(layout(s, c.meeting), want);
    veche_store_close(s);
}

TEST(store_thread_request)
{
    char path[128];
    veche_store *s = fresh(path, sizeof path);
    cast c;
    build_cast(s, &c);
    veche_store_close(s);
    veche_storeq *q = NULL;
    CHECK_EQ_INT(veche_storeq_new(path, NULL, NULL, &q), 0);
    veche_storeq_req *r = veche_storeq_req_new(VECHE_STOREQ_AGENDA);
    r->event_id = c.meeting;
    r->agenda_op = VECHE_AGENDA_OP_ADD;
    r->title = g_strdup("Первый");
    veche_storeq_call(q, r);
    CHECK_EQ_INT(r->rc, 0);
    CHECK(r->item_id > 0);
    CHECK(r->agenda && r->agenda->len == 1);
    int64_t first = r->item_id;
    veche_storeq_req_free(r);
    r = veche_storeq_req_new(VECHE_STOREQ_AGENDA);
    r->event_id = c.meeting;
    r->agenda_op = VECHE_AGENDA_OP_GO;
    r->item_id = first;
    r->now = NOW + 60;
    veche_storeq_call(q, r);
    CHECK_EQ_INT(r->rc, 0);
    CHECK_EQ_INT(veche_agenda_current(r->agenda), first);
    CHECK_EQ_INT(item(r->agenda, 0)->started_at, NOW + 60);
    veche_storeq_req_free(r);
    /* a refused change still reads the items back */
    r = veche_storeq_req_new(VECHE_STOREQ_AGENDA);
    r->event_id = c.meeting;
    r->agenda_op = VECHE_AGENDA_OP_REMOVE;
    r->item_id = first;
    veche_storeq_call(q, r);
    CHECK_EQ_INT(r->rc, VECHE_ESTATE);
    CHECK(r->agenda && r->agenda->len == 1);
    veche_storeq_req_free(r);
    veche_storeq_free(q);
    CHECK_EQ_INT(query(path, "SELECT started_at FROM agenda_item"), NOW + 60);
}

int main(void)
{
    if (fixture_begin() != 0)
        return 1;
    RUN(add_list_and_validation);
    RUN(limit_of_items);
    RUN(times_on_enter_and_leave);
    RUN(remove_and_move);
    RUN(store_thread_request);
    fixture_end();
    return check_finish();
}
