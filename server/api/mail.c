/* mail.c - outgoing mail through an SMTP relay with libcurl, on one worker
 * thread (a GThreadPool of one).  See mail.h. */
#include "mail.h"

#include <curl/curl.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "err.h"
#include "log.h"

#define SEND_TIMEOUT_SECS 30L

struct veche_mailer {
    GThreadPool *pool;
    char *url;                   /* smtp://host:port */
    char *from;
};

typedef struct {
    const veche_mailer *m;
    char *to;
    char *message;               /* headers and body, CRLF line ends */
    size_t len, pos;
} mail_job;

static bool address_ok(const char *a)
{
    const char *at = a ? strchr(a, '@') : NULL;
    return at && at != a && at[1] && !strchr(at + 1, '@') && !strpbrk(a, "\r\n<> \t");
}

static size_t read_message(char *buf, size_t size, size_t nitems, void *ud)
{
    mail_job *j = ud;
    size_t n = j->len - j->pos, cap = size * nitems;
    if (n > cap)
        n = cap;
    memcpy(buf, j->message + j->pos, n);
    j->pos += n;
    return n;
}

static void job_free(mail_job *j)
{
    g_free(j->to);
    g_free(j->message);
    g_free(j);
}

/* The worker: one SMTP transaction per mail. */
static void send_one(gpointer data, gpointer user_data)
{
    mail_job *j = data;
    const veche_mailer *m = user_data;
    CURL *curl = curl_easy_init();
    CURLcode rc = CURLE_FAILED_INIT;
    if (curl) {
        char from[300], to[300];
        g_snprintf(from, sizeof from, "<%s>", m->from);
        g_snprintf(to, sizeof to, "<%s>", j->to);
        struct curl_slist *rcpt = curl_slist_append(NULL, to);
        if (rcpt &&
            curl_easy_setopt(curl, CURLOPT_URL, m->url) == CURLE_OK &&
            curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from) == CURLE_OK &&
            curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt) == CURLE_OK &&
            curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_message) == CURLE_OK &&
            curl_easy_setopt(curl, CURLOPT_READDATA, j) == CURLE_OK &&
            curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
            curl_easy_setopt(curl, CURLOPT_TIMEOUT, SEND_TIMEOUT_SECS) == CURLE_OK &&
            curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) == CURLE_OK)
            rc = curl_easy_perform(curl);
        curl_slist_free_all(rcpt);
        curl_easy_cleanup(curl);
    }
    if (rc == CURLE_OK)
        VLOG_INFO(NULL, NULL, "mail: sent through %s", m->url);
    else
        VLOG_WARN(NULL, NULL, "mail: not sent through %s: %s", m->url, curl_easy_strerror(rc));
    job_free(j);
}

veche_mailer *veche_mailer_new(const char *relay, const char *from)
{
    if (!relay || !*relay || !address_ok(from))
        return NULL;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    veche_mailer *m = g_new0(veche_mailer, 1);
    m->url = g_strdup_printf("smtp://%s/veche", relay);
    m->from = g_strdup(from);
    m->pool = g_thread_pool_new(send_one, m, 1, FALSE, NULL);
    if (!m->pool) {
        veche_mailer_free(m);
        return NULL;
    }
    return m;
}

void veche_mailer_free(veche_mailer *m)
{
    if (!m)
        return;
    if (m->pool)
        g_thread_pool_free(m->pool, FALSE, TRUE);  /* finish what is queued */
    g_free(m->url);
    g_free(m->from);
    g_free(m);
    curl_global_cleanup();
}

/* "=?UTF-8?B?...?=" when the subject is not plain ASCII (RFC 2047). */
static char *encode_subject(const char *subject)
{
    for (const unsigned char *p = (const unsigned char *)subject; *p; p++)
        if (*p >= 0x80 || *p < 0x20) {
            char *b64 = g_base64_encode((const guchar *)subject, strlen(subject));
            char *out = g_strdup_printf("=?UTF-8?B?%s?=", b64);
            g_free(b64);
            return out;
        }
    return g_strdup(subject);
}

int veche_mailer_send(veche_mailer *m, const char *to, const char *subject,
                      const char *body)
{
    if (!m || !address_ok(to) || !subject || !body || strpbrk(subject, "\r\n"))
        return VECHE_EINVAL;
    GString *msg = g_string_new(NULL);
    GDateTime *now = g_date_time_new_now_utc();
    char *date = g_date_time_format(now, "%a, %d %b %Y %H:%M:%S +0000");
    char *subj = encode_subject(subject);
    g_string_append_printf(msg, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: text/plain; charset=UTF-8\r\n"
                                "Content-Transfer-Encoding: 8bit\r\n\r\n",
                           date, m->from, to, subj);
    g_free(subj);
    g_free(date);
    g_date_time_unref(now);
    for (const char *p = body; *p; p++) {  /* bare LF -> CRLF */
        if (*p == '\n' && (p == body || p[-1] != '\r'))
            g_string_append_c(msg, '\r');
        g_string_append_c(msg, *p);
    }
    if (msg->len < 2 || strcmp(msg->str + msg->len - 2, "\r\n") != 0)
        g_string_append(msg, "\r\n");
    mail_job *j = g_new0(mail_job, 1);
    j->m = m;
    j->to = g_strdup(to);
    j->len = msg->len;
    j->message = g_string_free(msg, FALSE);
    if (!g_thread_pool_push(m->pool, j, NULL)) {
        job_free(j);
        return VECHE_EIO;
    }
    return 0;
}
