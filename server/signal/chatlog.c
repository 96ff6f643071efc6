/* chatlog.c - an event room's chat to the store thread (chatlog.h). */
#include "chatlog.h"

#include <glib.h>

#include "err.h"
#include "log.h"

static void kept(void *ud, veche_storeq_req *req)
{
    (void)ud;
    if (req->rc != 0)
        VLOG_WARN(NULL, NULL, "chat: event %lld: a message of person %lld not stored: %s",
                  (long long)req->event_id, (long long)req->person_id, veche_errname(req->rc));
}

void veche_chatlog_keep(veche_storeq *q, int64_t event_id, int64_t person_id,
                        const veche_sfu_chat_msg *m)
{
    if (!q || event_id <= 0 || person_id <= 0 || !m || !m->text)
        return;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_CHAT);
    req->event_id = event_id;
    req->person_id = person_id;
    req->ts_ms = m->ts_ms;
    req->text = g_strdup(m->text);
    veche_storeq_submit(q, req, kept, NULL, NULL);
}
