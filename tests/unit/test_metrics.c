/* test_metrics.c - the Prometheus text of core/metrics.c (histogram
 * buckets, sums, counts, sign-in counters) and the access rule and
 * /proc/net/snmp parser of api/metrics_page.c. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "metrics.h"
#include "metrics_page.h"

TEST(histogram_buckets_are_cumulative)
{
    static const double b[] = {0.1, 0.5, 1};
    veche_histogram h;
    veche_histogram_init(&h, b, 3);
    static const double obs[] = {0.05, 0.1, 0.3, 0.7, 2, -1};  /* -1 counts as 0 */
    for (size_t i = 0; i < sizeof obs / sizeof obs[0]; i++)
        veche_histogram_observe(&h, obs[i]);
    GString *out = g_string_new(NULL);
    veche_metrics_histogram(out, "x_seconds", &h);
    CHECK_EQ_STR(out->str,
                 "x_seconds_bucket{le=\"0.1\"} 3\n"
                 "x_seconds_bucket{le=\"0.5\"} 4\n"
                 "x_seconds_bucket{le=\"1\"} 5\n"
                 "x_seconds_bucket{le=\"+Inf\"} 6\n"
                 "x_seconds_sum 3.15\n"
                 "x_seconds_count 6\n");
    g_string_free(out, TRUE);
}

TEST(samples_and_families)
{
    GString *out = g_string_new(NULL);
    veche_metrics_family(out, "a_total", "counter", "An a.");
    veche_metrics_sample(out, "a_total", "", 9007199254740991.0);
    veche_metrics_sample(out, "b", "k=\"v\"", 0.25);
    CHECK_EQ_STR(out->str, "# HELP a_total An a.\n# TYPE a_total counter\n"
                           "a_total 9007199254740991\nb{k=\"v\"} 0.25\n");
    g_string_free(out, TRUE);
}

TEST(registry_counts)
{
    veche_metrics *m = veche_metrics_new();
    veche_metrics_join(m, 0.02);
    veche_metrics_join(m, 3);
    veche_metrics_signal_rtt(m, 0.0001);
    veche_metrics_attendance_write(m, 0.004);
    veche_metrics_sign_in(m, VECHE_SIGNIN_OK);
    veche_metrics_sign_in(m, VECHE_SIGNIN_WRONG);
    veche_metrics_sign_in(m, VECHE_SIGNIN_WRONG);
    veche_metrics_sign_in(m, VECHE_SIGNIN_N);  /* out of range: ignored */
    veche_metrics_join(NULL, 1);               /* metrics off: nothing */
    GString *out = g_string_new(NULL);
    veche_metrics_write(m, out);
    CHECK(strstr(out->str, "veche_join_seconds_bucket{le=\"0.025\"} 1\n") != NULL);
    CHECK(strstr(out->str, "veche_join_seconds_bucket{le=\"5\"} 2\n") != NULL);
    CHECK(strstr(out->str, "veche_join_seconds_count 2\n") != NULL);
    CHECK(strstr(out->str, "veche_signal_roundtrip_seconds_bucket{le=\"0.0005\"} 1\n") != NULL);
    CHECK(strstr(out->str, "veche_attendance_write_seconds_count 1\n") != NULL);
    CHECK(strstr(out->str, "veche_sign_ins_total{result=\"ok\"} 1\n") != NULL);
    CHECK(strstr(out->str, "veche_sign_ins_total{result=\"wrong-credentials\"} 2\n") != NULL);
    CHECK(strstr(out->str, "veche_sign_ins_total{result=\"locked\"} 0\n") != NULL);
    g_string_free(out, TRUE);
    veche_metrics_free(m);
    veche_metrics_free(NULL);
}

TEST(access_rule)
{
    static const struct {
        const char *token, *auth, *peer;
        int want;
    } rows[] = {
        {"", NULL, "127.0.0.1", 0},
        {"", "", "127.0.0.2", 0},
        {"", NULL, "::1", 0},
        {"", NULL, "::ffff:127.0.0.1", 0},
        {"", NULL, "10.99.71.2", 403},
        {"", "Bearer x", "10.99.71.2", 403},
        {"", NULL, "::ffff:10.0.0.1", 403},
        {"", NULL, "", 403},
        {"", NULL, NULL, 403},
        {"s3cret", NULL, "127.0.0.1", 401},
        {"s3cret", "Bearer s3cret", "10.99.71.2", 0},
        {"s3cret", "bearer  s3cret", "10.99.71.2", 0},
        {"s3cret", "Bearer s3cre", "10.99.71.2", 401},
        {"s3cret", "Bearer s3cret2", "10.99.71.2", 401},
        {"s3cret", "Bearer ", "10.99.71.2", 401},
        {"s3cret", "Basic s3cret", "10.99.71.2", 401},
        {"s3cret", "s3cret", "127.0.0.1", 401},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int got = veche_metrics_page_access(rows[i].token, rows[i].auth, rows[i].peer);
        CHECK_EQ_INT(got, rows[i].want);
        if (got != rows[i].want)
            printf("# row %zu\n", i);
    }
}

TEST(snmp_parse)
{
    const char *text =
        "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
        "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors"
        " IgnoredMulti MemErrors\n"
        "Udp: 100 2 37 90 35 0 0 0 0\n"
        "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\n"
        "UdpLite: 0 0 0 0 0 0\n";
    unsigned long long in = 0, rcv = 0;
    CHECK(veche_metrics_page_parse_snmp(text, &in, &rcv));
    CHECK_EQ_INT(in, 37);
    CHECK_EQ_INT(rcv, 35);
    CHECK(!veche_metrics_page_parse_snmp("Ip: a\nIp: 1\n", &in, &rcv));
    CHECK(!veche_metrics_page_parse_snmp("", &in, &rcv));
    CHECK(!veche_metrics_page_parse_snmp(NULL, &in, &rcv));
    CHECK(!veche_metrics_page_parse_snmp("\nUdp: InErrors RcvbufErrors\n", &in, &rcv));
    CHECK(!veche_metrics_page_parse_snmp("\nUdp: InErrors RcvbufErrors\nUdp: x 1\n", &in, &rcv));
}

int main(void)
{
    RUN(histogram_buckets_are_cumulative);
    RUN(samples_and_families);
    RUN(registry_counts);
    RUN(access_rule);
    RUN(snmp_parse);
    return check_finish();
}
