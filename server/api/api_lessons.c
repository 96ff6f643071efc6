/* api_lessons.c - the lesson catalog endpoints (docs/api.md, "Lessons"):
 * lists, one lesson, rename/describe, delete, the video with Range
 * support and as a download, the chapters, guest links and the course's
 * retention.
 *
 * Who may see a course's lessons: its roster (trainers and activists) and
 * administrators (platform, or of the course's organization or one above
 * it); who may change them: its trainers and those administrators.  A
 * guest link (?guest=TOKEN) opens one lesson, its video and chapters,
 * until it expires.  Everyone else gets 403 (401 without a session).
 * Rendering and retention are lesson_render.c's, on its own thread. */
#include "api_int.h"
#include "api_admin_int.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "range.h"
#include "report.h"
#include "store_lessons.h"
#include "storeq.h"

#define GUEST_HOURS_MAX (24 * 365)

typedef enum { SEE_NONE, SEE_VIEW, SEE_EDIT } lesson_right;

typedef struct {
    int64_t person;
    veche_access_role role;
} member_find;

static int member_cb(void *ud, const veche_member *m)
{
    member_find *f = ud;
    if (m->person_id == f->person)
        f->role = m->role;
    return 0;
}

/* What the signed-in person may do with a course's lessons. */
static lesson_right course_right(api_call *c, int64_t course_id)
{
    if (!c->person || c->blocked)
        return SEE_NONE;
    veche_course course;
    if (veche_store_course_get(c->api->env.store, course_id, &course) != 0)
        return SEE_NONE;
    if (api_is_admin_of(c, course.org_id))
        return SEE_EDIT;
    member_find f = {c->person, VECHE_ACCESS_NONE};
    if (veche_store_course_members(c->api->env.store, course_id, member_cb, &f) < 0)
        return SEE_NONE;
    return f.role == VECHE_ACCESS_TRAINER    ? SEE_EDIT
           : f.role == VECHE_ACCESS_ACTIVIST ? SEE_VIEW
                                             : SEE_NONE;
}

/* Load lesson id and decide; replies (401/403/404) and returns SEE_NONE
 * when refused.  A guest token opens one lesson for viewing. */
static lesson_right lesson_open(api_call *c, int64_t id, veche_lesson *l, bool guest_ok)
{
    int rc = veche_store_lesson_get(c->api->env.store, id, l);
    if (rc == 0 && l->state == VECHE_LESSON_DELETED)
        rc = VECHE_ENOTFOUND;
    char guest[96];
    api_query(c, "guest", guest, sizeof guest);
    if (rc != 0) {
        if (!c->person && !guest[0])
            api_need_person(c);   /* do not tell strangers which ids exist */
        else
            api_error(c, rc == VECHE_ENOTFOUND ? 404 : 500,
                      rc == VECHE_ENOTFOUND ? "not-found" : "internal",
                      rc == VECHE_ENOTFOUND ? "no such lesson" : "the store failed");
        return SEE_NONE;
    }
    lesson_right right = course_right(c, l->course_id);
    if (right != SEE_NONE)
        return right;
    if (guest[0] && guest_ok) {
        uint8_t hash[VECHE_TOKEN_HASH_LEN];
        rc = veche_token_session_hash(guest, hash) == 0
                 ? veche_store_lesson_guest_check(c->api->env.store, hash, id, c->now)
                 : VECHE_ENOTFOUND;
        if (rc == 0)
            return SEE_VIEW;
        api_error(c, 403, rc == VECHE_EEXPIRED ? "link-expired" : "forbidden",
                  rc == VECHE_EEXPIRED ? "this guest link has expired"
                                       : "this guest link does not open this lesson");
        return SEE_NONE;
    }
    if (!c->person || c->blocked)
        api_need_person(c);
    else
        api_error(c, 403, "forbidden", "only the course's roster may watch its lessons");
    return SEE_NONE;
}

static json_t *lesson_json(const veche_lesson *l, lesson_right right)
{
    char when[32];
    veche_report_time(l->recorded_at * 1000, when);
    json_t *o = json_pack(
        "{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:f, s:b, s:s, s:s}",
        "id", (json_int_t)l->id, "eventId", (json_int_t)l->event_id, "courseId",
        (json_int_t)l->course_id, "course", l->course_name, "title", l->title, "description",
        l->description, "trainer", l->trainer_name, "recordedAt", when, "durationMs",
        (json_int_t)l->duration_ms, "bytes", (json_int_t)l->bytes, "state",
        veche_lesson_state_name(l->state), "progress", l->progress, "canEdit",
        right == SEE_EDIT, "video", "", "chapters", "");
    char url[96];
    snprintf(url, sizeof url, "/api/lessons/%lld/video", (long long)l->id);
    json_object_set_new(o, "video", json_string(url));
    snprintf(url, sizeof url, "/api/lessons/%lld/chapters.vtt", (long long)l->id);
    json_object_set_new(o, "chapters", json_string(url));
    if (l->error[0] && right == SEE_EDIT)
        json_object_set_new(o, "error", json_string(l->error));
    return o;
}

typedef struct {
    api_call *c;
    json_t *list;
    int64_t last_course;
    lesson_right last_right;
} list_ctx;

static int list_cb(void *ud, const veche_lesson *l)
{
    list_ctx *x = ud;
    if (l->course_id != x->last_course) {  /* rows come grouped often: one check per run */
        x->last_course = l->course_id;
        x->last_right = course_right(x->c, l->course_id);
    }
    if (x->last_right != SEE_NONE)
        json_array_append_new(x->list, lesson_json(l, x->last_right));
    return 0;
}

static void list_lessons(api_call *c)
{
    if (!api_need_person(c))
        return;
    char course_s[24];
    api_query(c, "course", course_s, sizeof course_s);
    int64_t course = api_id(course_s);
    if (course_s[0] && !course)
        return api_error(c, 400, "bad-request", "course must be a positive id");
    if (course && course_right(c, course) == SEE_NONE)
        return api_error(c, 403, "forbidden", "only the course's roster may see its lessons");
    veche_account acc;
    bool platform = veche_store_account_get(c->api->env.store, c->person, &acc) == 0 &&
                    acc.platform_admin;
    list_ctx x = {c, json_array(), 0, SEE_NONE};
    int rc = veche_store_lessons_list(c->api->env.store, course,
                                      course || platform ? 0 : c->person, list_cb, &x);
    if (rc < 0) {
        json_decref(x.list);
        return api_error(c, 500, "internal", "the store failed");
    }
    json_t *o = json_pack("{s:o}", "lessons", x.list);
    if (course) {
        int64_t keep = 0;
        veche_store_lesson_retention_get(c->api->env.store, course, &keep);
        json_object_set_new(o, "keepDays", keep ? json_integer(keep) : json_null());
        json_object_set_new(o, "canEdit", json_boolean(course_right(c, course) == SEE_EDIT));
    }
    api_reply(c, 200, o);
}

static void get_lesson(api_call *c, int64_t id)
{
    veche_lesson *l = g_new(veche_lesson, 1);
    lesson_right right = lesson_open(c, id, l, true);
    if (right != SEE_NONE)
        api_reply(c, 200, lesson_json(l, right));
    g_free(l);
}

static void describe_lesson(api_call *c, int64_t id)
{
    veche_lesson *l = g_new(veche_lesson, 1);
    lesson_right right = lesson_open(c, id, l, false);
    g_free(l);
    if (right == SEE_NONE)
        return;
    if (right != SEE_EDIT)
        return api_error(c, 403, "forbidden", "only trainers and administrators edit lessons");
    if (!api_need_body(c))
        return;
    json_t *t = json_object_get(c->body, "title"), *d = json_object_get(c->body, "description");
    if ((t && !json_is_string(t)) || (d && !json_is_string(d)) || (!t && !d))
        return api_error(c, 400, "bad-request", "title and/or description (strings)");
    int rc = veche_store_lesson_describe(c->api->env.store, id, json_string_value(t),
                                         json_string_value(d), c->now);
    if (rc == VECHE_EINVAL)
        return api_error(c, 400, "bad-request",
                         "the title must be 1 to 200 bytes, the description at most 4000");
    if (rc != 0)
        return api_error(c, rc == VECHE_ENOTFOUND ? 404 : 500,
                         rc == VECHE_ENOTFOUND ? "not-found" : "internal", "not changed");
    VLOG_INFO(NULL, NULL, "api: person %lld described lesson %lld", (long long)c->person,
              (long long)id);
    get_lesson(c, id);
}

typedef struct {
    veche_http_pending *pending;  /* NULL once answered */
    int64_t person, id;
} delete_wait;

static void delete_wait_free(gpointer ud)
{
    delete_wait *w = ud;
    if (w->pending) {  /* the queue went away first (shutdown) */
        veche_http_response resp = {.status = 503};
        veche_http_pending_finish(w->pending, &resp);
    }
    g_free(w);
}

/* The answer to DELETE, once the store thread made the tombstone and
 * removed the files (or failed to). */
static void delete_reply(api_call *c, int64_t person, int64_t id, int rc)
{
    if (rc == 0 || rc == VECHE_EIO) {
        VLOG_INFO(NULL, NULL, "api: person %lld deleted lesson %lld%s", (long long)person,
                  (long long)id, rc ? " (a file stayed: removed later)" : "");
        api_reply(c, 200, json_pack("{s:I, s:b}", "deleted", (json_int_t)id, "filesPending",
                                    rc != 0));
    } else if (rc == VECHE_ENOTFOUND) {
        api_error(c, 404, "not-found", "there is no such lesson");
    } else {
        api_error(c, 500, "internal", "the store failed");
    }
}

static void delete_done(void *ud, veche_storeq_req *req)
{
    delete_wait *w = ud;
    veche_http_response resp;
    memset(&resp, 0, sizeof resp);
    veche_http_request hreq = {.method = "DELETE", .path = "", .query = "", .cookie = "",
                               .body = "", .peer = ""};
    api_call c = {.req = &hreq, .resp = &resp, .person = w->person};
    delete_reply(&c, w->person, w->id, req->rc);
    veche_http_pending_finish(w->pending, &resp);
    w->pending = NULL;
    g_free(resp.body);  /* NULL: taken */
}

/* DELETE: the tombstone and the files go on the store thread (file I/O is
 * not for the main loop); the answer comes when the files are gone. */
static void delete_lesson(api_call *c, int64_t id)
{
    veche_lesson *l = g_new(veche_lesson, 1);
    lesson_right right = lesson_open(c, id, l, false);
    g_free(l);
    if (right == SEE_VIEW)
        return api_error(c, 403, "forbidden", "only trainers and administrators delete lessons");
    if (right != SEE_EDIT)
        return;
    veche_storeq_req *req = veche_storeq_req_new(VECHE_STOREQ_LESSON_DELETE);
    req->item_id = id;
    req->now = c->now;
    req->path = g_strdup(c->api->env.cfg->data_dir);
    if (!c->api->env.storeq || !c->req->pending) {  /* no store thread (unit tests) */
        veche_storeq_req_free(req);
        int rc = veche_store_lesson_mark_deleted(c->api->env.store, id, c->now);
        if (rc == 0)
            rc = veche_store_lesson_remove_files(c->api->env.store,
                                                 c->api->env.cfg->data_dir, id);
        return delete_reply(c, c->person, id, rc);
    }
    delete_wait *w = g_new0(delete_wait, 1);
    w->pending = c->req->pending;
    w->person = c->person;
    w->id = id;
    c->resp->deferred = true;
    veche_storeq_submit(c->api->env.storeq, req, delete_done, w, delete_wait_free);
}

/* The video, whole or the range asked for. */
static void video(api_call *c, int64_t id)
{
    veche_lesson *l = g_new(veche_lesson, 1);
    lesson_right right = lesson_open(c, id, l, true);
    if (right == SEE_NONE)
        return g_free(l);
    if (l->state != VECHE_LESSON_READY || !l->path[0]) {
        g_free(l);
        return api_error(c, 409, "not-ready", "the lesson is not rendered yet");
    }
    char *path = g_build_filename(c->api->env.cfg->data_dir, l->path, NULL);
    GStatBuf sb;
    if (g_stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        g_free(path);
        g_free(l);
        return api_error(c, 404, "not-found", "the lesson's file is missing");
    }
    uint64_t size = (uint64_t)sb.st_size, off = 0, len = size;
    veche_range_result rr = veche_range_parse(c->req->range, size, &off, &len);
    if (rr == VECHE_RANGE_UNSATISFIABLE) {
        snprintf(c->resp->content_range, sizeof c->resp->content_range, "bytes */%llu",
                 (unsigned long long)size);
        g_free(path);
        g_free(l);
        return api_error(c, 416, "range-not-satisfiable", "the range is past the end");
    }
    c->resp->status = rr == VECHE_RANGE_PARTIAL ? 206 : 200;
    c->resp->content_type = "video/webm";
    c->resp->file = path;
    c->resp->file_offset = off;
    c->resp->body = NULL;
    c->resp->body_len = (size_t)len;
    if (rr == VECHE_RANGE_PARTIAL)
        snprintf(c->resp->content_range, sizeof c->resp->content_range, "bytes %llu-%llu/%llu",
                 (unsigned long long)off, (unsigned long long)(off + len - 1),
                 (unsigned long long)size);
    char dl[8];
    api_query(c, "download", dl, sizeof dl);
    if (dl[0] == '1')
        snprintf(c->resp->disposition, sizeof c->resp->disposition,
                 "attachment; filename=\"lesson-%lld.webm\"", (long long)id);
    g_free(l);
}

static void chapters(api_call *c, int64_t id)
{
    veche_lesson *l = g_new(veche_lesson, 1);
    lesson_right right = lesson_open(c, id, l, true);
    if (right == SEE_NONE)
        return g_free(l);
    char *text = NULL;
    gsize len = 0;
    char *path = l->vtt_path[0] ? g_build_filename(c->api->env.cfg->data_dir, l->vtt_path, NULL)
                                : NULL;
    if (l->state != VECHE_LESSON_READY || !path || !g_file_get_contents(path, &text, &len, NULL))
        api_error(c, 409, "not-ready", "the lesson is not rendered yet");
    else {
        c->resp->status = 200;
        c->resp->content_type = "text/vtt; charset=utf-8";
        c->resp->body = text;
        c->resp->body_len = len;
    }
    g_free(path);
    g_free(l);
}

static void guest_link(api_call *c, int64_t id)
{
    veche_lesson *l = g_new(veche_lesson, 1);
    lesson_right right = lesson_open(c, id, l, false);
    g_free(l);
    if (right == SEE_NONE)
        return;
    if (right != SEE_EDIT)
        return api_error(c, 403, "forbidden", "only trainers and administrators make guest links");
    json_t *h = c->body ? json_object_get(c->body, "hours") : NULL;
    json_int_t hours = h ? (json_is_integer(h) ? json_integer_value(h) : -1) : 72;
    if (hours < 1 || hours > GUEST_HOURS_MAX)
        return api_error(c, 400, "bad-request", "hours must be 1 to 8760");
    char token[VECHE_TOKEN_SESSION_SIZE];
    uint8_t hash[VECHE_TOKEN_HASH_LEN];
    int64_t expires = c->now + (int64_t)hours * 3600;
    if (veche_token_session_new(token, hash) != 0 ||
        veche_store_lesson_guest_create(c->api->env.store, hash, id, expires, c->person,
                                        c->now) != 0)
        return api_error(c, 500, "internal", "could not make a link");
    char url[VECHE_PATH_MAX + 160], when[32];
    snprintf(url, sizeof url, "%s/?lesson=%lld&guest=%s", c->api->env.cfg->public_url,
             (long long)id, token);
    veche_report_time(expires * 1000, when);
    VLOG_INFO(NULL, NULL, "api: person %lld made a guest link to lesson %lld for %lld h",
              (long long)c->person, (long long)id, (long long)hours);
    api_reply(c, 200, json_pack("{s:s, s:s, s:s}", "token", token, "url", url, "expiresAt",
                                when));
}

/* The new retention and its audit entry, in one transaction (adm_in_tx). */
static void set_retention(api_call *c, void *ud)
{
    const int64_t *cd = ud;  /* course, days (0: forever) */
    veche_course k;
    if (veche_store_course_get(c->api->env.store, cd[0], &k) != 0 ||
        veche_store_lesson_retention_set(c->api->env.store, cd[0], cd[1]) != 0)
        return api_error(c, 500, "internal", "the store failed");
    adm_audit(c, k.org_id, "course.retention", "course", cd[0],
              json_pack("{s:o}", "keepDays", cd[1] ? json_integer(cd[1]) : json_null()));
    api_reply(c, 200, NULL);  /* replaced below by the settings as read back */
}

static void retention(api_call *c, int64_t course)
{
    if (!api_need_person(c))
        return;
    lesson_right right = course_right(c, course);
    if (right == SEE_NONE)
        return api_error(c, 403, "forbidden", "only the course's roster may see this");
    if (strcmp(c->req->method, "PUT") == 0) {
        if (right != SEE_EDIT)
            return api_error(c, 403, "forbidden", "only trainers and administrators set this");
        json_t *k = c->body ? json_object_get(c->body, "keepDays") : NULL;
        if (!c->body || !k || !(json_is_null(k) || (json_is_integer(k) &&
                                                    json_integer_value(k) >= 1 &&
                                                    json_integer_value(k) <= 36500)))
            return api_error(c, 400, "bad-request", "keepDays: 1 to 36500, or null (forever)");
        int64_t cd[2] = {course, json_is_null(k) ? 0 : json_integer_value(k)}, days = cd[1];
        adm_in_tx(c, set_retention, cd);
        if (c->resp->status != 200)
            return;
        g_free(c->resp->body);
        c->resp->body = NULL;
        VLOG_INFO(NULL, NULL, "api: person %lld set retention of course %lld to %lld days",
                  (long long)c->person, (long long)course, (long long)days);
    }
    int64_t keep = 0;
    if (veche_store_lesson_retention_get(c->api->env.store, course, &keep) != 0)
        return api_error(c, 500, "internal", "the store failed");
    api_reply(c, 200, json_pack("{s:I, s:o}", "courseId", (json_int_t)course, "keepDays",
                                keep ? json_integer(keep) : json_null()));
}

void api_lessons(api_call *c)
{
    const char *m = c->req->method;
    bool get = strcmp(m, "GET") == 0;
    if (c->nsegs == 1 && get)
        return list_lessons(c);
    if (c->nsegs == 3 && strcmp(c->segs[1], "retention") == 0 && api_id(c->segs[2]) &&
        (get || strcmp(m, "PUT") == 0))
        return retention(c, api_id(c->segs[2]));
    int64_t id = c->nsegs >= 2 ? api_id(c->segs[1]) : 0;
    if (!id)
        return api_error(c, 404, "not-found", "no such route");
    if (c->nsegs == 2 && get)
        return get_lesson(c, id);
    if (c->nsegs == 2 && strcmp(m, "PATCH") == 0)
        return describe_lesson(c, id);
    if (c->nsegs == 2 && strcmp(m, "DELETE") == 0)
        return delete_lesson(c, id);
    if (c->nsegs == 3 && get && strcmp(c->segs[2], "video") == 0)
        return video(c, id);
    if (c->nsegs == 3 && get && strcmp(c->segs[2], "chapters.vtt") == 0)
        return chapters(c, id);
    if (c->nsegs == 3 && strcmp(m, "POST") == 0 && strcmp(c->segs[2], "guest-links") == 0)
        return guest_link(c, id);
    api_error(c, 404, "not-found", "no such route");
}
