/* fuzz_sidecar.c - libFuzzer target for the recording sidecar reader and
 * what the renderer builds from it (render/sidecar.c, layout.c,
 * chapters.c).  Aborts when the marks are not sorted, a layout segment
 * names a track the sidecar does not have or goes back in time, or the
 * WebVTT text does not start with its signature. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chapters.h"
#include "layout.h"
#include "sidecar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    veche_sidecar *s = NULL;
    char err[128];
    if (veche_sidecar_parse((const char *)data, size, &s, err, sizeof err) != 0) {
        if (s || !err[0])
            abort();
        return 0;
    }
    for (size_t i = 1; i < s->nmarks; i++)
        if (s->marks[i].t_ms < s->marks[i - 1].t_ms)
            abort();
    size_t cap = s->nmarks + 1;
    veche_layout_seg *seg = malloc(cap * sizeof *seg);
    int n = veche_layout_build(s, 3600000, 1500, seg, cap);
    if (n < 1)
        abort();
    for (int i = 0; i < n; i++) {
        if ((seg[i].main_track && !veche_sidecar_track_get(s, seg[i].main_track)) ||
            (seg[i].inset_track && !veche_sidecar_track_get(s, seg[i].inset_track)) ||
            (i > 0 && seg[i].t_ms < seg[i - 1].t_ms))
            abort();
    }
    free(seg);
    veche_chapters *c = veche_chapters_new();
    veche_chapters_add_part(c, s, 0, 3600000);
    char *vtt = veche_chapters_vtt(c, 3600000);
    if (strncmp(vtt, "WEBVTT\n", 7) != 0)
        abort();
    free(vtt);
    veche_chapters_free(c);
    veche_sidecar_free(s);
    return 0;
}
