/* test_render_timeline.c - the renderer's pure parts: the sidecar reader
 * (render/sidecar.c), the layout over time (layout.c) and the chapters and
 * their WebVTT text (chapters.c). */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "chapters.h"
#include "check.h"
#include "layout.h"
#include "sidecar.h"

/* docs/recording.md's example, with a cut last line as after a crash. */
static const char example[] =
    "{\"type\":\"header\",\"version\":1,\"event_id\":12,\"part\":1,\"room\":\"ev-12\","
    "\"t0_ms\":1764752400000}\n"
    "{\"type\":\"track\",\"track\":1,\"kind\":\"camera\",\"codec\":\"vp8\",\"participant\":3,"
    "\"person_id\":42,\"name\":\"Анна Петрова\",\"role\":\"trainer\"}\n"
    "{\"type\":\"track\",\"track\":2,\"kind\":\"audio\",\"codec\":\"opus\",\"participant\":3,"
    "\"role\":\"trainer\"}\n"
    "{\"type\":\"track\",\"track\":3,\"kind\":\"screen\",\"codec\":\"vp8\",\"participant\":3,"
    "\"role\":\"trainer\"}\n"
    "{\"type\":\"track\",\"track\":4,\"kind\":\"camera\",\"codec\":\"vp8\",\"participant\":7,"
    "\"name\":\"Иван Сидоров\",\"role\":\"activist\"}\n"
    "{\"type\":\"future\",\"x\":1}\n"
    "{\"type\":\"mark\",\"t_ms\":95000,\"what\":\"floor_given\",\"participant\":7,"
    "\"name\":\"Иван Сидоров\"}\n"
    "{\"type\":\"mark\",\"t_ms\":61000,\"what\":\"screen_start\",\"participant\":3}\n"
    "{\"type\":\"mark\",\"t_ms\":96000,\"what\":\"speaker\",\"participant\":7}\n"
    "{\"type\":\"mark\",\"t_ms\":120000,\"what\":\"chapter\",\"label\":\"Часть 2 <b>\"}\n"
    "{\"type\":\"mark\",\"t_ms\":130000,\"what\":\"screen_stop\",\"participant\":3}\n"
    "{\"type\":\"mark\",\"t_ms\":150000,\"what\":\"speaker\",\"participant\":3}\n"
    "{\"type\":\"mark\",\"t_ms\":150500,\"what\":\"speaker\",\"participant\":7}\n"
    "{\"type\":\"mark\",\"t_ms\":160000,\"what\":\"floor_taken\",\"participant\":7}\n"
    "{\"type\":\"mark\",\"t_ms\":170000,\"what\":\"spea";

static veche_sidecar *parse(const char *text)
{
    veche_sidecar *s = NULL;
    char err[128];
    if (veche_sidecar_parse(text, strlen(text), &s, err, sizeof err) != 0)
        fprintf(stderr, "# %s\n", err);
    return s;
}

TEST(sidecar_reads_the_contract)
{
    veche_sidecar *s = parse(example);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_EQ_INT(s->event_id, 12);
    CHECK_EQ_INT(s->part, 1);
    CHECK_EQ_INT(s->t0_ms, 1764752400000LL);
    CHECK_EQ_INT(s->end_ms, -1);      /* no end line: a crash */
    CHECK_EQ_INT(s->ntracks, 4);
    CHECK_EQ_INT(s->tracks[2].kind, VECHE_TRACK_SCREEN);
    CHECK_EQ_STR(s->tracks[0].name, "Анна Петрова");
    CHECK_EQ_INT(s->nmarks, 8);        /* the cut line is dropped */
    CHECK_EQ_INT(s->marks[0].what, VECHE_MARK_SCREEN_START);  /* sorted by time */
    CHECK_EQ_INT(s->marks[1].t_ms, 95000);
    CHECK_EQ_INT(veche_sidecar_trainer(s), 3);
    veche_sidecar_free(s);
}

TEST(sidecar_refuses_bad_lines)
{
    static const char *bad[] = {
        "",                                                       /* no header */
        "{\"type\":\"track\",\"track\":1,\"kind\":\"camera\"}\n",  /* no header */
        "{\"type\":\"header\",\"event_id\":1,\"part\":0,\"t0_ms\":0}\n",
        "{\"type\":\"header\",\"event_id\":1,\"part\":1,\"t0_ms\":0}\n[1,2]\n",
        "{\"type\":\"header\",\"event_id\":1,\"part\":1,\"t0_ms\":0}\n"
        "{\"type\":\"mark\",\"t_ms\":-5,\"what\":\"chapter\"}\n",
        "{\"type\":\"header\",\"event_id\":1,\"part\":1,\"t0_ms\":0}\n"
        "{\"type\":\"track\",\"track\":0,\"kind\":\"camera\"}\n",
        "{\"type\":\"header\",\"event_id\":1,\"part\":1,\"t0_ms\":0,\"part\":2}\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        veche_sidecar *s = (veche_sidecar *)1;
        char err[128] = "";
        CHECK_EQ_INT(veche_sidecar_parse(bad[i], strlen(bad[i]), &s, err, sizeof err), -1);
        CHECK(s == NULL);
        CHECK(err[0] != '\0');
    }
}

TEST(layout_follows_screen_and_speaker)
{
    veche_sidecar *s = parse(example);
    CHECK(s != NULL);
    if (!s)
        return;
    veche_layout_seg seg[32];
    int n = veche_layout_build(s, 180000, 1500, seg, 32);
    /* 0 trainer cam; 61 s screen + trainer inset; 130 s activist (floor at
     * 95 s while the screen was shared); the 500 ms of trainer at 150 s is
     * too short; 160 s floor taken: trainer. */
    static const veche_layout_seg want[] = {
        {0, 1, 0}, {61000, 3, 1}, {130000, 4, 0}, {160000, 1, 0},
    };
    CHECK_EQ_INT(n, 4);
    for (int i = 0; i < n && i < 4; i++) {
        CHECK_EQ_INT(seg[i].t_ms, want[i].t_ms);
        CHECK_EQ_INT(seg[i].main_track, want[i].main_track);
        CHECK_EQ_INT(seg[i].inset_track, want[i].inset_track);
    }
    /* Marks past the duration are ignored; too small an array is refused. */
    CHECK_EQ_INT(veche_layout_build(s, 100000, 1500, seg, 32), 2);
    CHECK_EQ_INT(veche_layout_build(s, 180000, 1500, seg, 2), -1);
    veche_sidecar_free(s);
}

/* The recorder writes the room's participant ids as strings
 * (docs/recording.md): the same session with "407dbc79" for 3 and
 * "9e1f0a22" for 7 gives the same layout. */
TEST(layout_with_string_participant_ids)
{
    GString *text = g_string_new(example);
    g_string_replace(text, "\"participant\":3", "\"participant\":\"407dbc79\"", 0);
    g_string_replace(text, "\"participant\":7", "\"participant\":\"9e1f0a22\"", 0);
    veche_sidecar *s = parse(text->str);
    g_string_free(text, TRUE);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK(veche_sidecar_trainer(s) != 0);
    CHECK(s->tracks[0].participant == s->tracks[2].participant);
    CHECK(s->tracks[0].participant != s->tracks[3].participant);
    veche_layout_seg seg[32];
    int n = veche_layout_build(s, 180000, 1500, seg, 32);
    static const veche_layout_seg want[] = {
        {0, 1, 0}, {61000, 3, 1}, {130000, 4, 0}, {160000, 1, 0},
    };
    CHECK_EQ_INT(n, 4);
    for (int i = 0; i < n && i < 4; i++) {
        CHECK_EQ_INT(seg[i].t_ms, want[i].t_ms);
        CHECK_EQ_INT(seg[i].main_track, want[i].main_track);
        CHECK_EQ_INT(seg[i].inset_track, want[i].inset_track);
    }
    veche_sidecar_free(s);
}

TEST(layout_without_cameras)
{
    veche_sidecar *s = parse("{\"type\":\"header\",\"event_id\":1,\"part\":1,\"t0_ms\":0}\n"
                             "{\"type\":\"track\",\"track\":1,\"kind\":\"audio\","
                             "\"participant\":3,\"role\":\"trainer\"}\n"
                             "{\"type\":\"mark\",\"t_ms\":10,\"what\":\"speaker\","
                             "\"participant\":3}\n");
    CHECK(s != NULL);
    if (!s)
        return;
    veche_layout_seg seg[4];
    CHECK_EQ_INT(veche_layout_build(s, 5000, 1500, seg, 4), 1);
    CHECK_EQ_INT(seg[0].main_track, 0);   /* black picture, audio only */
    veche_sidecar_free(s);
}

TEST(chapters_and_webvtt)
{
    veche_sidecar *s = parse(example);
    CHECK(s != NULL);
    if (!s)
        return;
    veche_chapters *c = veche_chapters_new();
    veche_chapters_add_part(c, s, 0, 180000);
    veche_chapters_add_part(c, s, 180000, 100000);  /* a second part: shifted, cut */
    char *vtt = veche_chapters_vtt(c, 280000);
    static const char want[] =
        "WEBVTT\n"
        "\nstart-1\n00:00:00.000 --> 00:01:01.000\n-\n"
        "\nscreen-2\n00:01:01.000 --> 00:01:35.000\nАнна Петрова\n"
        "\nfloor-3\n00:01:35.000 --> 00:02:00.000\nИван Сидоров\n"
        "\nchapter-4\n00:02:00.000 --> 00:04:01.000\nЧасть 2 &lt;b&gt;\n"
        "\nscreen-5\n00:04:01.000 --> 00:04:35.000\nАнна Петрова\n"
        "\nfloor-6\n00:04:35.000 --> 00:04:40.000\nИван Сидоров\n";
    CHECK_EQ_STR(vtt, want);
    CHECK_EQ_INT(veche_chapters_count(c), 6);
    free(vtt);
    veche_chapters_free(c);
    veche_chapters_free(NULL);
    veche_sidecar_free(s);
}

TEST(chapters_close_together_merge)
{
    veche_sidecar *s = parse("{\"type\":\"header\",\"event_id\":1,\"part\":1,\"t0_ms\":0}\n"
                             "{\"type\":\"mark\",\"t_ms\":500,\"what\":\"chapter\","
                             "\"label\":\"Intro\\nline\"}\n"
                             "{\"type\":\"mark\",\"t_ms\":5000,\"what\":\"screen_start\"}\n"
                             "{\"type\":\"mark\",\"t_ms\":6000,\"what\":\"chapter\","
                             "\"label\":\"Slides\"}\n");
    CHECK(s != NULL);
    if (!s)
        return;
    veche_chapters *c = veche_chapters_new();
    veche_chapters_add_part(c, s, 0, 10000);
    char *vtt = veche_chapters_vtt(c, 10000);
    CHECK_EQ_STR(vtt, "WEBVTT\n"
                      "\nchapter-1\n00:00:00.000 --> 00:00:05.000\nIntro line\n"
                      "\nchapter-2\n00:00:05.000 --> 00:00:10.000\nSlides\n");
    free(vtt);
    veche_chapters_free(c);
    veche_sidecar_free(s);
}

TEST(vtt_time)
{
    char t[16];
    veche_vtt_time(0, t);
    CHECK_EQ_STR(t, "00:00:00.000");
    veche_vtt_time(3723004, t);
    CHECK_EQ_STR(t, "01:02:03.004");
    veche_vtt_time(-1, t);
    CHECK_EQ_STR(t, "00:00:00.000");
}

int main(void)
{
    RUN(sidecar_reads_the_contract);
    RUN(sidecar_refuses_bad_lines);
    RUN(layout_follows_screen_and_speaker);
    RUN(layout_with_string_participant_ids);
    RUN(layout_without_cameras);
    RUN(chapters_and_webvtt);
    RUN(chapters_close_together_merge);
    RUN(vtt_time);
    return check_finish();
}
