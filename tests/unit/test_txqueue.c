/* test_txqueue.c - a WebSocket's send queue with message classes
 * (server/signal/txqueue.c) and the table of classes (msgclass.c). */
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "msgclass.h"
#include "txqueue.h"

#define HEAD 16

static char *text_of(veche_txq_msg *m)
{
    return g_strndup((const char *)m->buf + HEAD, m->len);
}

/* Pop everything as "a|b|c". */
static char *drain(veche_txq *q)
{
    GString *out = g_string_new("");
    veche_txq_msg *m;
    while ((m = veche_txq_pop(q))) {
        char *t = text_of(m);
        g_string_append_printf(out, "%s%s", out->len ? "|" : "", t);
        g_free(t);
        g_free(m);
    }
    return g_string_free(out, FALSE);
}

TEST(essential_in_order)
{
    veche_txq *q = veche_txq_new(HEAD);
    veche_txq_push(q, "a", 1, NULL, 10);
    veche_txq_push(q, "bb", 2, "", 20);
    veche_txq_push(q, "ccc", 3, NULL, 30);
    CHECK_EQ_INT(veche_txq_count(q), 3);
    CHECK_EQ_INT(veche_txq_essential_bytes(q), 6);
    CHECK_EQ_INT(veche_txq_oldest_essential_us(q), 10);
    char *all = drain(q);
    CHECK_EQ_STR(all, "a|bb|ccc");
    g_free(all);
    CHECK_EQ_INT(veche_txq_oldest_essential_us(q), -1);
    CHECK_EQ_INT(veche_txq_bytes(q), 0);
    veche_txq_free(q);
}

TEST(replaceable_keeps_latest_in_place)
{
    veche_txq *q = veche_txq_new(HEAD);
    veche_txq_push(q, "e1", 2, NULL, 1);
    CHECK_EQ_INT(veche_txq_push(q, "q1", 2, "quality", 2), 0);
    veche_txq_push(q, "e2", 2, NULL, 3);
    veche_txq_push(q, "hA1", 3, "hand:A", 4);
    CHECK_EQ_INT(veche_txq_push(q, "q2", 2, "quality", 5), 1);
    CHECK_EQ_INT(veche_txq_push(q, "q3-long", 7, "quality", 6), 1);
    veche_txq_push(q, "hB1", 3, "hand:B", 7);
    CHECK_EQ_INT(veche_txq_push(q, "hA2", 3, "hand:A", 8), 1);
    CHECK(veche_txq_has(q, "quality"));
    CHECK(!veche_txq_has(q, "speaker"));
    CHECK(!veche_txq_has(q, ""));
    CHECK_EQ_INT(veche_txq_count(q), 5);
    CHECK_EQ_INT(veche_txq_essential_bytes(q), 4);     /* replaceable ones never count */
    CHECK_EQ_INT(veche_txq_bytes(q), 4 + 7 + 3 + 3);
    char *all = drain(q);
    CHECK_EQ_STR(all, "e1|q3-long|e2|hA2|hB1");
    g_free(all);
    CHECK(!veche_txq_has(q, "quality"));
    /* once sent, the same key queues anew */
    CHECK_EQ_INT(veche_txq_push(q, "q4", 2, "quality", 9), 0);
    veche_txq_free(q);
}

TEST(oldest_essential_follows_pops)
{
    veche_txq *q = veche_txq_new(HEAD);
    veche_txq_push(q, "s", 1, "speaker", 5);
    veche_txq_push(q, "a", 1, NULL, 10);
    veche_txq_push(q, "b", 1, NULL, 20);
    CHECK_EQ_INT(veche_txq_oldest_essential_us(q), 10);
    g_free(veche_txq_pop(q));  /* the speaker */
    CHECK_EQ_INT(veche_txq_oldest_essential_us(q), 10);
    g_free(veche_txq_pop(q));
    CHECK_EQ_INT(veche_txq_oldest_essential_us(q), 20);
    veche_txq_clear(q);
    CHECK(veche_txq_empty(q));
    CHECK_EQ_INT(veche_txq_oldest_essential_us(q), -1);
    veche_txq_free(q);
    veche_txq_free(NULL);
}

static int classify(const char *json, char *key)
{
    json_t *m = json_loads(json, 0, NULL);
    int c = veche_msgclass_key(m, key, VECHE_TXQ_KEY_MAX);
    json_decref(m);
    return c;
}

/* Decode buf (len bytes of server frames) as RFC 6455 says a client
 * must: "text|text|..."; "BAD" on anything but final unmasked text frames. */
static char *decode_frames(const unsigned char *buf, size_t len)
{
    GString *out = g_string_new("");
    size_t i = 0;
    while (i < len) {
        if (len - i < 2 || buf[i] != 0x81 || (buf[i + 1] & 0x80))
            break;
        uint64_t n = buf[i + 1] & 0x7f;
        size_t hl = 2;
        if (n == 126) {
            n = (uint64_t)buf[i + 2] << 8 | buf[i + 3];
            hl = 4;
        } else if (n == 127) {
            n = 0;
            for (int k = 0; k < 8; k++)
                n = n << 8 | buf[i + 2 + k];
            hl = 10;
        }
        if (i + hl + n > len)
            break;
        g_string_append_printf(out, "%s%.*s", out->len ? "|" : "", (int)n,
                               (const char *)buf + i + hl);
        i += hl + n;
    }
    if (i != len)
        g_string_assign(out, "BAD");
    return g_string_free(out, FALSE);
}

/* Frames of 2, 4 and 10 header bytes, taken while they fit in max (the
 * first always), in order, the rest left queued. */
TEST(pop_frames_batches_in_order)
{
    veche_txq *q = veche_txq_new(HEAD);
    char *mid = g_strnfill(200, 'm'), *big = g_strnfill(70000, 'b');
    veche_txq_push(q, "hello", 5, NULL, 1);
    veche_txq_push(q, mid, 200, "quality", 2);
    veche_txq_push(q, big, 70000, NULL, 3);
    veche_txq_push(q, "x", 1, NULL, 4);
    veche_txq_push(q, "yz", 2, NULL, 5);
    size_t len = 0;
    unsigned count = 0;
    unsigned char *b = veche_txq_pop_frames(q, 300, &len, &count);
    CHECK_EQ_INT(count, 2);
    CHECK_EQ_INT(len, 7 + 204);
    char *got = decode_frames(b + HEAD, len), *want = g_strdup_printf("hello|%s", mid);
    CHECK_EQ_STR(got, want);
    g_free(got);
    g_free(want);
    g_free(b);
    CHECK_EQ_INT(veche_txq_count(q), 3);
    CHECK(!veche_txq_has(q, "quality"));
    b = veche_txq_pop_frames(q, 300, &len, &count);  /* too big for max: alone */
    CHECK_EQ_INT(count, 1);
    CHECK_EQ_INT(len, 70010);
    got = decode_frames(b + HEAD, len);
    CHECK_EQ_STR(got, big);
    g_free(got);
    g_free(b);
    b = veche_txq_pop_frames(q, 300, &len, &count);
    got = decode_frames(b + HEAD, len);
    CHECK_EQ_STR(got, "x|yz");
    CHECK_EQ_INT(veche_txq_essential_bytes(q), 0);
    g_free(got);
    g_free(b);
    CHECK(veche_txq_pop_frames(q, 300, &len, &count) == NULL);
    CHECK_EQ_INT(count, 0);
    g_free(mid);
    g_free(big);
    veche_txq_free(q);
}

TEST(message_classes)
{
    static const struct {
        const char *json;
        int cls;
        const char *key;
    } rows[] = {
        {"{\"type\":\"offer\",\"pc\":\"subscribe\"}", VECHE_MSGCLASS_ESSENTIAL, ""},
        {"{\"type\":\"answer\"}", VECHE_MSGCLASS_ESSENTIAL, ""},
        {"{\"type\":\"floor\",\"participant\":\"a\"}", VECHE_MSGCLASS_ESSENTIAL, ""},
        {"{\"type\":\"muted\",\"participant\":\"a\"}", VECHE_MSGCLASS_ESSENTIAL, ""},
        {"{\"type\":\"chat\",\"text\":\"x\"}", VECHE_MSGCLASS_ESSENTIAL, ""},
        {"{\"type\":\"vote-opened\"}", VECHE_MSGCLASS_ESSENTIAL, ""},   /* unknown: essential */
        {"{\"type\":\"attendance\"}", VECHE_MSGCLASS_ESSENTIAL, ""},    /* the snapshot */
        {"{\"type\":\"attendance-delta\"}", VECHE_MSGCLASS_REPLACEABLE, "attendance-delta"},
        {"{\"type\":\"quality\",\"participants\":{}}", VECHE_MSGCLASS_REPLACEABLE, "quality"},
        {"{\"type\":\"speaker\",\"participant\":null}", VECHE_MSGCLASS_REPLACEABLE, "speaker"},
        {"{\"type\":\"quorum\"}", VECHE_MSGCLASS_REPLACEABLE, "quorum"},
        {"{\"type\":\"hand\",\"participant\":\"7f3a\"}", VECHE_MSGCLASS_REPLACEABLE, "hand:7f3a"},
        {"{\"type\":42}", VECHE_MSGCLASS_ESSENTIAL, ""},
        {"[]", VECHE_MSGCLASS_ESSENTIAL, ""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char key[VECHE_TXQ_KEY_MAX];
        CHECK_EQ_INT(classify(rows[i].json, key), rows[i].cls);
        CHECK_EQ_STR(key, rows[i].key);
    }
    CHECK_EQ_INT(veche_msgclass_of("quality"), VECHE_MSGCLASS_REPLACEABLE);
    CHECK_EQ_INT(veche_msgclass_of(NULL), VECHE_MSGCLASS_ESSENTIAL);
}

int main(void)
{
    RUN(essential_in_order);
    RUN(replaceable_keeps_latest_in_place);
    RUN(oldest_essential_follows_pops);
    RUN(message_classes);
    RUN(pop_frames_batches_in_order);
    return check_finish();
}
