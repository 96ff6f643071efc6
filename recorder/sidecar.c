/* sidecar.c - JSON Lines appended with one write(2) per line (sidecar.h). */
#include "sidecar.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

struct veche_rec_sidecar {
    int fd;
};

veche_rec_sidecar *veche_rec_sidecar_open(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return NULL;
    veche_rec_sidecar *sc = g_new0(veche_rec_sidecar, 1);
    sc->fd = fd;
    return sc;
}

int veche_rec_sidecar_append(veche_rec_sidecar *sc, json_t *obj, int sync)
{
    char *text = json_dumps(obj, JSON_COMPACT);
    if (!text)
        return -1;
    size_t n = strlen(text);
    char *line = g_malloc(n + 1);
    memcpy(line, text, n);
    line[n] = '\n';
    free(text);
    ssize_t w;
    do {
        w = write(sc->fd, line, n + 1);
    } while (w < 0 && errno == EINTR);
    g_free(line);
    if (w != (ssize_t)(n + 1))
        return -1;
    if (sync && fdatasync(sc->fd) != 0)
        return -1;
    return 0;
}

void veche_rec_sidecar_close(veche_rec_sidecar *sc)
{
    if (!sc)
        return;
    close(sc->fd);
    g_free(sc);
}
