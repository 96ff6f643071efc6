/* chat.c - room chat history; see chat.h. */
#include "chat.h"

#include <glib.h>

struct veche_chat {
    GQueue messages;             /* veche_sfu_chat_msg*, owned */
    uint64_t next_seq;
};

static void msg_free(gpointer data)
{
    veche_sfu_chat_msg_clear(data);
    g_free(data);
}

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
    g_queue_clear_full(&c->messages, msg_free);
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

void veche_chat_add(veche_chat *c, const char *from_id, const char *from_name,
                    const char *text, int64_t ts_ms, veche_sfu_chat_msg *out)
{
    veche_sfu_chat_msg *m = g_new0(veche_sfu_chat_msg, 1);
    m->seq = c->next_seq++;
    g_strlcpy(m->from, from_id, sizeof m->from);
    m->name = g_strdup(from_name);
    m->text = g_strdup(text);
    m->ts_ms = ts_ms;
    g_queue_push_tail(&c->messages, m);
    while (g_queue_get_length(&c->messages) > VECHE_CHAT_HISTORY)
        msg_free(g_queue_pop_head(&c->messages));
    veche_sfu_chat_msg_copy(out, m);
}

veche_sfu_chat_msg *veche_chat_history(const veche_chat *c, unsigned *n)
{
    *n = g_queue_get_length((GQueue *)&c->messages);
    veche_sfu_chat_msg *out = g_new0(veche_sfu_chat_msg, *n ? *n : 1);
    unsigned i = 0;
    for (GList *l = c->messages.head; l; l = l->next)
        veche_sfu_chat_msg_copy(&out[i++], l->data);
    return out;
}
