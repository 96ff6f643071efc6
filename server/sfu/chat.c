/* chat.c - room chat history; see chat.h. */
#include "chat.h"

#include <glib.h>

struct veche_chat {
    GQueue messages;             /* json_t* {seq, from, name, text, ts}, owned */
    uint64_t next_seq;
};

veche_chat *veche_chat_new(void)
{
    veche_chat *c = g_new0(veche_chat, 1);
    g_queue_init(&c->messages);
    c->next_seq = 1;
    return c;
}

void veche_chat_free(veche_chat *c)
{
    if (!c)
        return;
    g_queue_clear_full(&c->messages, (GDestroyNotify)json_decref);
    g_free(c);
}

bool veche_chat_valid(const char *text)
{
    if (!text || !g_utf8_validate(text, -1, NULL))
        return false;
    glong n = g_utf8_strlen(text, -1);
    if (n < 1 || n > VECHE_CHAT_MAX_CHARS)
        return false;
    bool visible = false;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);
        if (g_unichar_iscntrl(ch) && ch != '\n' && ch != '\t')
            return false;
        if (!g_unichar_isspace(ch))
            visible = true;
    }
    return visible;
}

json_t *veche_chat_add(veche_chat *c, const char *from_id, const char *from_name,
                       const char *text, int64_t ts_ms)
{
    json_t *m = json_pack("{s:I, s:s, s:s, s:s, s:I}", "seq", (json_int_t)c->next_seq++,
                          "from", from_id, "name", from_name, "text", text, "ts",
                          (json_int_t)ts_ms);
    if (!m)
        return NULL;
    g_queue_push_tail(&c->messages, json_incref(m));
    while (g_queue_get_length(&c->messages) > VECHE_CHAT_HISTORY)
        json_decref(g_queue_pop_head(&c->messages));
    json_t *event = json_deep_copy(m);
    json_decref(m);
    if (event)
        json_object_set_new(event, "type", json_string("chat"));
    return event;
}

json_t *veche_chat_history(const veche_chat *c)
{
    json_t *a = json_array();
    for (GList *l = c->messages.head; l; l = l->next)
        json_array_append(a, l->data);
    return a;
}
