/* layout.c - the picture over time from the marks (layout.h). */
#include "layout.h"

typedef struct {
    const veche_sidecar *s;
    int64_t trainer;
    int64_t screen_owner;         /* 0: no screen shared */
    int64_t speaker;
} layout_state;

static int camera_of(const veche_sidecar *s, int64_t participant)
{
    const veche_sidecar_track *t = veche_sidecar_track_of(s, participant, VECHE_TRACK_CAMERA);
    return t ? t->number : 0;
}

static int first_camera(const veche_sidecar *s)
{
    for (size_t i = 0; i < s->ntracks; i++)
        if (s->tracks[i].kind == VECHE_TRACK_CAMERA)
            return s->tracks[i].number;
    return 0;
}

static veche_layout_seg current(const layout_state *st, int64_t t)
{
    veche_layout_seg seg = {t, 0, 0};
    const veche_sidecar_track *screen =
        st->screen_owner ? veche_sidecar_track_of(st->s, st->screen_owner, VECHE_TRACK_SCREEN)
                         : NULL;
    if (screen) {
        seg.main_track = screen->number;
        seg.inset_track = camera_of(st->s, st->trainer);
        if (!seg.inset_track)
            seg.inset_track = camera_of(st->s, st->screen_owner);
        return seg;
    }
    seg.main_track = camera_of(st->s, st->speaker);
    if (!seg.main_track)
        seg.main_track = camera_of(st->s, st->trainer);
    if (!seg.main_track)
        seg.main_track = first_camera(st->s);
    return seg;
}

static void apply(layout_state *st, const veche_sidecar_mark *m)
{
    switch (m->what) {
    case VECHE_MARK_SCREEN_START:
        st->screen_owner = m->participant;
        break;
    case VECHE_MARK_SCREEN_STOP:
        if (st->screen_owner == m->participant || !m->participant)
            st->screen_owner = 0;
        break;
    case VECHE_MARK_FLOOR_GIVEN:
    case VECHE_MARK_SPEAKER:
        if (camera_of(st->s, m->participant))  /* no camera: keep the picture */
            st->speaker = m->participant;
        break;
    case VECHE_MARK_FLOOR_TAKEN:
        st->speaker = st->trainer;
        break;
    case VECHE_MARK_CHAPTER:
        break;
    }
}

static int same(const veche_layout_seg *a, const veche_layout_seg *b)
{
    return a->main_track == b->main_track && a->inset_track == b->inset_track;
}

int veche_layout_build(const veche_sidecar *s, int64_t duration_ms, int64_t min_ms,
                       veche_layout_seg *out, size_t cap)
{
    if (cap < 1)
        return -1;
    layout_state st = {s, veche_sidecar_trainer(s), 0, 0};
    st.speaker = st.trainer;
    size_t n = 0;
    size_t i = 0;
    /* Marks at time 0 shape the first layout. */
    for (; i < s->nmarks && s->marks[i].t_ms <= 0; i++)
        apply(&st, &s->marks[i]);
    out[n++] = current(&st, 0);
    while (i < s->nmarks && s->marks[i].t_ms < duration_ms) {
        int64_t t = s->marks[i].t_ms;
        for (; i < s->nmarks && s->marks[i].t_ms == t; i++)
            apply(&st, &s->marks[i]);
        veche_layout_seg seg = current(&st, t);
        int64_t next = i < s->nmarks && s->marks[i].t_ms < duration_ms ? s->marks[i].t_ms
                                                                        : duration_ms;
        if (same(&seg, &out[n - 1]))
            continue;
        if (next - t < min_ms && next != duration_ms)
            continue;  /* too short: the layout before goes on */
        if (n == cap)
            return -1;
        out[n++] = seg;
    }
    return (int)n;
}
