/* test_store_recording.c - the `recording` table (store_recording.c):
 * parts numbered per event, who started and stopped them, a meeting only
 * when its body allows recording (schema v5), parts left by a crash
 * listed for repair. */
#include <glib.h>

#include "store_fixture.h"
#include "store_int.h"
#include "store_recording.h"

TEST(parts_numbered_and_closed)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    int64_t trainer = c.trainer, ev = c.lesson;
    veche_recording_row a, b;
    CHECK_EQ_INT(veche_store_recording_start(s, ev, trainer, NOW, &a), 0);
    CHECK_EQ_INT(veche_store_recording_start(s, ev, 0, NOW + 5, &b), 0);
    CHECK_EQ_INT(a.part, 1);
    CHECK_EQ_INT(b.part, 2);
    char want[64];
    g_snprintf(want, sizeof want, "recordings/%lld/part-2.mkv", (long long)ev);
    CHECK_EQ_STR(b.path, want);
    g_snprintf(want, sizeof want, "recordings/%lld/part-2.jsonl", (long long)ev);
    CHECK_EQ_STR(b.meta_path, want);
    CHECK_EQ_INT(veche_store_recording_end(s, a.id, "closed", trainer, NOW + 60, 12345), 0);
    CHECK_EQ_INT(veche_store_recording_end(s, 9999, "closed", 0, NOW, 0), VECHE_ENOTFOUND);
    CHECK_EQ_INT(veche_store_recording_end(s, a.id, "bogus", 0, NOW, 0) < 0, 1);
    veche_recording_row *open = NULL;
    unsigned n = 0;
    CHECK_EQ_INT(veche_store_recording_open_parts(s, &open, &n), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(open[0].id, b.id);
    CHECK(open[0].room_id[0] != '\0');
    g_free(open);
    veche_store_close(s);
    CHECK_EQ_INT(query(path, "SELECT started_by FROM recording WHERE part = 1"), trainer);
    CHECK_EQ_INT(query(path, "SELECT stopped_by FROM recording WHERE part = 1"), trainer);
    CHECK_EQ_INT(query(path, "SELECT bytes FROM recording WHERE part = 1"), 12345);
    CHECK_EQ_INT(query(path, "SELECT started_by IS NULL FROM recording WHERE part = 2"), 1);
}

TEST(meeting_needs_the_body_setting)
{
    char path[256];
    veche_store *s = fresh(path, sizeof path);
    if (!s)
        return;
    cast c;
    build_cast(s, &c);
    int64_t ev = c.meeting;
    veche_recording_row r;
    CHECK_EQ_INT(veche_store_recording_start(s, ev, 0, NOW, &r), VECHE_EDENIED);
    CHECK_EQ_INT(veche_store_recording_start(s, 777, 0, NOW, &r), VECHE_ENOTFOUND);
    CHECK_EQ_INT(exec_sql(path, "UPDATE body SET allow_recording = 1"), SQLITE_OK);
    CHECK_EQ_INT(veche_store_recording_start(s, ev, 0, NOW, &r), 0);
    CHECK_EQ_INT(r.part, 1);
    veche_store_close(s);
    CHECK_EQ_INT(query(path, "SELECT count(*) FROM recording"), 1);
}

int main(void)
{
    if (fixture_begin() != 0)
        return 1;
    RUN(parts_numbered_and_closed);
    RUN(meeting_needs_the_body_setting);
    fixture_end();
    return check_finish();
}
