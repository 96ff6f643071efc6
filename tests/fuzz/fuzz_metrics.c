/* fuzz_metrics.c - libFuzzer target for the input parsing of GET /metrics
 * (api/metrics_page.c): the input as a /proc/net/snmp text, and its first
 * line as the Authorization header and the peer address of the access
 * rule.  Aborts when a refusal is neither 401 nor 403. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    unsigned long long in = 0, rcv = 0;
    (void)veche_metrics_page_parse_snmp(text, &in, &rcv);
    char *nl = strchr(text, '\n');
    if (nl)
        *nl = '\0';
    static const char *const tokens[] = {"", "s3cret"};
    for (size_t i = 0; i < 2; i++) {
        int a = veche_metrics_page_access(tokens[i], text, text);
        if (a != 0 && a != 401 && a != 403)
            abort();
    }
    free(text);
    return 0;
}
