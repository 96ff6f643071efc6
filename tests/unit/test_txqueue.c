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
        {"{\"type\":\"vote\",\"vote\":{}}", VECHE_MSGCLASS_ESSENTIAL, ""},
        {"{\"type\":\"vote-progress\",\"vote\":3}", VECHE_MSGCLASS_REPLACEABLE, "vote-progress"},
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
    return check_finish();
}
