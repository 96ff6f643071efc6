/* fuzz_config.c - libFuzzer target for the configuration parser: the input
 * is loaded as a file with veche_config_load_buffer(); a successful load is
 * validated, printed and loaded again, and must give the identical struct.
 * Each line of the input of the form key=value is also passed to
 * veche_config_set() (as `--set key=value` would).  Aborts on a round-trip
 * mismatch or an error without a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

/* The print -> load round trip of a loaded config must be exact. */
static void check_round_trip(const veche_config *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return;
    veche_config_print(c, f);
    if (fclose(f) != 0) {
        free(text);
        return;
    }
    veche_config again;
    char err[512];
    veche_config_defaults(&again);
    if (veche_config_load_buffer(&again, "printed", text, len, err, sizeof err) != 0 ||
        memcmp(&again, c, sizeof again) != 0)
        abort();
    free(text);
}

/* Split each line at its first '=' and feed it to veche_config_set(). */
static void fuzz_set(const uint8_t *data, size_t size)
{
    veche_config c;
    char err[512];
    veche_config_defaults(&c);
    size_t pos = 0;
    while (pos < size) {
        const uint8_t *nl = memchr(data + pos, '\n', size - pos);
        size_t llen = nl ? (size_t)(nl - (data + pos)) : size - pos;
        char *line = malloc(llen + 1);
        if (!line)
            return;
        memcpy(line, data + pos, llen);
        line[llen] = '\0';
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            err[0] = '\0';
            if (veche_config_set(&c, line, eq + 1, err, sizeof err) != 0 && err[0] == '\0')
                abort();
        }
        free(line);
        pos += llen + (nl ? 1 : 0);
    }
    veche_config_validate(&c, err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    veche_config c;
    char err[512];
    veche_config_defaults(&c);
    err[0] = '\0';
    if (veche_config_load_buffer(&c, "fuzz", (const char *)data, size, err, sizeof err) == 0) {
        veche_config_validate(&c, err, sizeof err);
        check_round_trip(&c);
    } else if (strncmp(err, "fuzz:", 5) != 0) {
        abort();
    }
    /* a tiny error buffer must stay NUL-terminated and in bounds */
    char tiny[8];
    veche_config_defaults(&c);
    veche_config_load_buffer(&c, "fuzz", (const char *)data, size, tiny, sizeof tiny);
    fuzz_set(data, size);
    return 0;
}
