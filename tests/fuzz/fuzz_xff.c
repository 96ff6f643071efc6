/* fuzz_xff.c - libFuzzer target for the X-Forwarded-For walk (xff.h): the
 * input, split at its first two NUL bytes, is the peer, the trusted list and
 * the header.  The result must be a NUL-terminated string no longer than the
 * buffer, equal to the peer whenever the peer is not trusted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 3);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = text[size + 1] = text[size + 2] = '\0';
    const char *peer = text;
    const char *trusted = peer + strlen(peer) + 1;
    if (trusted > text + size)
        trusted = text + size + 1;
    const char *xff = trusted + strlen(trusted) + 1;
    if (xff > text + size + 2)
        xff = text + size + 2;
    char out[64];
    memset(out, 'x', sizeof out);
    veche_xff_client(peer, trusted, xff, out, sizeof out);
    if (!memchr(out, '\0', sizeof out))
        abort();
    if (!*trusted && strncmp(out, peer, sizeof out - 1) != 0)
        abort();
    free(text);
    return 0;
}
