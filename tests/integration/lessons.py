#!/usr/bin/env python3
"""lessons.py - the lesson archive end to end against a real server
(docs/api.md, "Lessons"): archival parts made with GStreamer
(lesson_fixture.py) and their `recording` rows (state closed) are turned
into lessons by the server's supervisor running veche-render; the lesson
plays (gst-discoverer-1.0: VP8 + Opus, the parts' total duration) and has
WebVTT chapters; access: the roster sees, an outsider and a member of
another course get 403, no session 401, only trainers edit and delete;
Range answers (206, 416); download; guest links, an expired one refused;
retention per course deletes an old lesson and its file; deleting answers
after the store thread removed the files, or says they are pending, and
the supervisor sweeps pending files; a track the sidecar names but the
file lacks does not stop the lesson from rendering.

  lessons.py path/to/veche path/to/veche-render
Prints TAP.
"""
import os
import re
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import Server, run_cases  # noqa: E402
from admin_api import Client, expect  # noqa: E402
import lesson_fixture  # noqa: E402

CASES = []
S = {}


def case(fn):
    CASES.append(fn)
    return fn


def db(srv):
    c = sqlite3.connect(os.path.join(srv.data, "veche.db"), timeout=30)
    c.execute("PRAGMA busy_timeout = 30000")
    return c


def add_parts(srv, event_id, seconds_list):
    """Fixture parts for an event and their recording rows, state closed."""
    con = db(srv)
    for n, secs in enumerate(seconds_list, 1):
        d = os.path.join(srv.data, "recordings", str(event_id))
        lesson_fixture.make_part(d, event_id, n, secs, 640, 360)
        rel = f"recordings/{event_id}/part-{n}"
        con.execute("INSERT INTO recording (event_id, part, path, meta_path, state, started_at,"
                    " ended_at, bytes) VALUES (?, ?, ?, ?, 'closed', ?, ?, ?)",
                    (event_id, n, rel + ".mkv", rel + ".jsonl", int(time.time()) - 600,
                     int(time.time()) - 300, os.path.getsize(os.path.join(srv.data, rel + ".mkv"))))
    con.commit()
    con.close()


def wait_ready(client, course, event_id, timeout=900):
    seen = set()
    end = time.time() + timeout
    while time.time() < end:
        j = expect(client.call("GET", f"/api/lessons?course={course}"), 200)
        mine = [x for x in j["lessons"] if x["eventId"] == event_id]
        if mine:
            seen.add((mine[0]["state"], mine[0]["progress"] > 0))
            if mine[0]["state"] in ("ready", "failed"):
                return mine[0], seen
        time.sleep(1)
    raise AssertionError(f"no lesson for event {event_id} after {timeout} s: {seen}")


def discover(path):
    out = subprocess.run(["gst-discoverer-1.0", path], capture_output=True, text=True,
                         timeout=120).stdout
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", out)
    dur = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else -1
    return dur, out


@case
def setup(srv):
    for who in ("trainer", "activist1", "secretary", "observer"):
        S[who] = Client(srv)
        S[who].login(f"{who}@veche.demo")
    S["anon"] = Client(srv)
    con = db(srv)
    course, event = con.execute("SELECT course_id, id FROM event WHERE course_id IS NOT NULL"
                                " ORDER BY id LIMIT 1").fetchone()
    org = con.execute("SELECT organization_id FROM course WHERE id = ?", (course,)).fetchone()[0]
    # another course, with observer on its roster; a second event of the demo course
    con.execute("INSERT INTO course (organization_id, name) VALUES (?, 'Другой курс')", (org,))
    other = con.execute("SELECT last_insert_rowid()").fetchone()[0]
    obs = con.execute("SELECT id FROM person WHERE email = 'observer@veche.demo'").fetchone()[0]
    con.execute("INSERT INTO course_member (course_id, person_id, role) VALUES (?, ?,"
                " 'activist')", (other, obs))
    now = int(time.time())
    con.execute("INSERT INTO event (course_id, title, starts_at, ends_at, room_kind, room_id,"
                " created_at) VALUES (?, 'Занятие 2', ?, ?, 'training', 'lesson-test-2', ?)",
                (course, now - 7200, now - 3600, now))
    event2 = con.execute("SELECT last_insert_rowid()").fetchone()[0]
    con.commit()
    con.close()
    S.update(course=course, event=event, event2=event2, other=other)
    add_parts(srv, event, [5])
    add_parts(srv, event2, [4, 3])   # two parts: one lesson of 7 s


@case
def lesson_rendered_and_plays(srv):
    lesson, seen = wait_ready(S["trainer"], S["course"], S["event"])
    assert lesson["state"] == "ready", lesson
    assert lesson["title"] == "Школа актива: занятие" or lesson["title"], lesson
    assert lesson["trainer"] == "Жанна Тренерова", lesson
    assert abs(lesson["durationMs"] - 5000) <= 100, lesson
    path = os.path.join(srv.data, "lessons", str(lesson["id"]), "lesson.webm")
    assert lesson["bytes"] == os.path.getsize(path) > 0, lesson
    dur, out = discover(path)
    assert abs(dur - 5.0) <= 0.5, out
    assert "VP8" in out and "Opus" in out, out
    S["lesson"] = lesson
    print(f"# states seen while rendering: {sorted(seen)}")


@case
def two_parts_make_one_lesson(srv):
    lesson, _ = wait_ready(S["trainer"], S["course"], S["event2"])
    assert lesson["state"] == "ready", lesson
    path = os.path.join(srv.data, "lessons", str(lesson["id"]), "lesson.webm")
    dur, out = discover(path)
    assert abs(dur - 7.0) <= 0.5, out
    S["lesson2"] = lesson


@case
def a_track_missing_from_the_file(srv):
    """The sidecar names a camera the Matroska file lacks (a recorder that
    never got its first keyframe): the lesson renders all the same."""
    import json
    con = db(srv)
    now = int(time.time())
    con.execute("INSERT INTO event (course_id, title, starts_at, ends_at, room_kind, room_id,"
                " created_at) VALUES (?, 'Занятие 3', ?, ?, 'training', 'lesson-test-3', ?)",
                (S["course"], now - 7200, now - 3600, now))
    event3 = con.execute("SELECT last_insert_rowid()").fetchone()[0]
    con.commit()
    con.close()
    d = os.path.join(srv.data, "recordings", str(event3))
    lesson_fixture.make_part(d, event3, 1, 3, 640, 360)
    meta = os.path.join(d, "part-1.jsonl")
    lines = [json.loads(x) for x in open(meta)]
    tracks = [x for x in lines if x["type"] == "track"]
    extra = dict(tracks[0], track=max(t["track"] for t in tracks) + 1, kind="camera",
                 codec="vp8", track_id="missing")
    at = lines.index(tracks[-1]) + 1
    lines.insert(at, extra)
    with open(meta, "w") as f:
        f.write("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    rel = f"recordings/{event3}/part-1"
    con = db(srv)
    con.execute("INSERT INTO recording (event_id, part, path, meta_path, state, started_at,"
                " ended_at, bytes) VALUES (?, 1, ?, ?, 'closed', ?, ?, ?)",
                (event3, rel + ".mkv", rel + ".jsonl", now - 600, now - 300,
                 os.path.getsize(os.path.join(srv.data, rel + ".mkv"))))
    con.commit()
    con.close()
    lesson, _ = wait_ready(S["trainer"], S["course"], event3, timeout=600)
    assert lesson["state"] == "ready", lesson
    dur, out = discover(os.path.join(srv.data, "lessons", str(lesson["id"]), "lesson.webm"))
    assert abs(dur - 3.0) <= 0.5, out


@case
def chapters(srv):
    lid = S["lesson"]["id"]
    st, text = S["activist1"].call("GET", f"/api/lessons/{lid}/chapters.vtt")
    assert st == 200 and text.startswith("WEBVTT\n"), (st, text)
    # start (0) and screen_start (1.5 s) are closer than 2 s: one chapter
    assert re.search(r"\nscreen-1\n00:00:00\.000 --> 00:00:04\.000\nАнна Петрова\n", text), text
    assert re.search(r"\nfloor-2\n00:00:04\.000 --> 00:00:05\.000\nИван Сидоров\n", text), text


@case
def roster_sees_outsiders_do_not(srv):
    lid, course = S["lesson"]["id"], S["course"]
    j = expect(S["activist1"].call("GET", f"/api/lessons?course={course}"), 200)
    assert {x["id"] for x in j["lessons"]} >= {lid} and j["canEdit"] is False, j
    j = expect(S["activist1"].call("GET", "/api/lessons"), 200)
    assert lid in {x["id"] for x in j["lessons"]}, j
    assert expect(S["activist1"].call("GET", f"/api/lessons/{lid}"), 200)["canEdit"] is False
    assert expect(S["trainer"].call("GET", f"/api/lessons/{lid}"), 200)["canEdit"] is True
    for who in ("secretary", "observer"):   # outsider; member of another course
        c = S[who]
        expect(c.call("GET", f"/api/lessons?course={course}"), 403, "forbidden")
        expect(c.call("GET", f"/api/lessons/{lid}"), 403, "forbidden")
        expect(c.call("GET", f"/api/lessons/{lid}/video"), 403, "forbidden")
        expect(c.call("GET", f"/api/lessons/{lid}/video?download=1"), 403, "forbidden")
        expect(c.call("GET", f"/api/lessons/{lid}/chapters.vtt"), 403, "forbidden")
        j = expect(c.call("GET", "/api/lessons"), 200)
        assert lid not in {x["id"] for x in j["lessons"]}, j
    expect(S["anon"].call("GET", f"/api/lessons/{lid}/video"), 401, "sign-in-required")
    expect(S["anon"].call("GET", "/api/lessons"), 401, "sign-in-required")
    expect(S["activist1"].call("GET", "/api/lessons/999999"), 404, "not-found")


def raw_get(srv, path, headers, cookie=None):
    if cookie:
        headers = dict(headers, Cookie="veche_session=" + cookie)
    import http.client
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", srv.port, context=ctx, timeout=60)
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    h = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, body, h


@case
def range_and_download(srv):
    lid = S["lesson"]["id"]
    path = os.path.join(srv.data, "lessons", str(lid), "lesson.webm")
    data = open(path, "rb").read()
    size = len(data)
    ck = S["activist1"].cookie
    st, body, h = raw_get(srv, f"/api/lessons/{lid}/video", {}, ck)
    assert st == 200 and body == data and h["accept-ranges"] == "bytes", (st, h)
    assert h["content-type"] == "video/webm", h
    st, body, h = raw_get(srv, f"/api/lessons/{lid}/video", {"Range": "bytes=100-199"}, ck)
    assert st == 206 and body == data[100:200], (st, len(body), h)
    assert h["content-range"] == f"bytes 100-199/{size}", h
    st, body, h = raw_get(srv, f"/api/lessons/{lid}/video", {"Range": "bytes=-50"}, ck)
    assert st == 206 and body == data[-50:], (st, h)
    st, body, h = raw_get(srv, f"/api/lessons/{lid}/video", {"Range": f"bytes={size - 10}-"}, ck)
    assert st == 206 and body == data[-10:] and h["content-range"].endswith(f"/{size}"), h
    st, body, h = raw_get(srv, f"/api/lessons/{lid}/video", {"Range": f"bytes={size}-"}, ck)
    assert st == 416 and h["content-range"] == f"bytes */{size}", (st, h)
    st, body, h = raw_get(srv, f"/api/lessons/{lid}/video", {"Range": "bytes=0-1,5-9"}, ck)
    assert st == 200 and len(body) == size, st   # several ranges: the whole file
    st, body, h = raw_get(srv, f"/api/lessons/{lid}/video?download=1", {}, ck)
    assert st == 200 and body == data, st
    assert h["content-disposition"] == f'attachment; filename="lesson-{lid}.webm"', h


@case
def only_trainers_edit(srv):
    lid = S["lesson"]["id"]
    expect(S["activist1"].call("PATCH", f"/api/lessons/{lid}", {"title": "x"}), 403, "forbidden")
    expect(S["observer"].call("PATCH", f"/api/lessons/{lid}", {"title": "x"}), 403, "forbidden")
    expect(S["trainer"].call("PATCH", f"/api/lessons/{lid}", {"title": ""}), 400, "bad-request")
    expect(S["trainer"].call("PATCH", f"/api/lessons/{lid}", {"title": 5}), 400, "bad-request")
    j = expect(S["trainer"].call("PATCH", f"/api/lessons/{lid}",
                                 {"title": "Переговоры: основы", "description": "Запись"}), 200)
    assert j["title"] == "Переговоры: основы" and j["description"] == "Запись", j
    j = expect(S["activist1"].call("GET", f"/api/lessons/{lid}"), 200)
    assert j["title"] == "Переговоры: основы", j
    expect(S["activist1"].call("DELETE", f"/api/lessons/{lid}"), 403, "forbidden")
    expect(S["activist1"].call("POST", f"/api/lessons/{lid}/guest-links", {"hours": 1}), 403,
           "forbidden")
    expect(S["activist1"].call("PUT", f"/api/lessons/retention/{S['course']}",
                               {"keepDays": 1}), 403, "forbidden")


@case
def guest_links(srv):
    lid, lid2 = S["lesson"]["id"], S["lesson2"]["id"]
    expect(S["trainer"].call("POST", f"/api/lessons/{lid}/guest-links", {"hours": 0}), 400,
           "bad-request")
    j = expect(S["trainer"].call("POST", f"/api/lessons/{lid}/guest-links", {"hours": 2}), 200)
    tok = j["token"]
    assert j["url"].endswith(f"/?lesson={lid}&guest={tok}"), j
    g = S["anon"]
    assert expect(g.call("GET", f"/api/lessons/{lid}?guest={tok}"), 200)["id"] == lid
    st, body, h = raw_get(srv, f"/api/lessons/{lid}/video?guest={tok}", {"Range": "bytes=0-9"})
    assert st == 206 and len(body) == 10, st
    expect(g.call("GET", f"/api/lessons/{lid2}?guest={tok}"), 403, "forbidden")
    expect(g.call("GET", f"/api/lessons/{lid}?guest=junk"), 403, "forbidden")
    expect(g.call("PATCH", f"/api/lessons/{lid}?guest={tok}", {"title": "x"}), 401,
           "sign-in-required")
    # the same kind of link, expired
    j = expect(S["trainer"].call("POST", f"/api/lessons/{lid}/guest-links", {"hours": 1}), 200)
    con = db(srv)
    con.execute("UPDATE lesson_guest_link SET expires_at = ? WHERE rowid ="
                " (SELECT max(rowid) FROM lesson_guest_link WHERE lesson_id = ?)",
                (int(time.time()) - 1, lid))
    n = con.execute("SELECT count(*) FROM lesson_guest_link WHERE expires_at < ?",
                    (int(time.time()),)).fetchone()[0]
    con.commit()
    con.close()
    assert n == 1, n
    expect(g.call("GET", f"/api/lessons/{lid}?guest={j['token']}"), 403, "link-expired")
    expect(g.call("GET", f"/api/lessons/{lid}/video?guest={j['token']}"), 403, "link-expired")


@case
def delete_is_final(srv):
    lid = S["lesson2"]["id"]
    path = os.path.join(srv.data, "lessons", str(lid), "lesson.webm")
    vtt = os.path.join(srv.data, "lessons", str(lid), "chapters.vtt")
    assert os.path.exists(path) and os.path.exists(vtt)
    # The chapters file made one that cannot be unlinked (a folder with a
    # file in it): the store thread removes the video, answers "pending",
    # and the supervisor's sweep removes the rest once it can.
    os.unlink(vtt)
    os.makedirs(os.path.join(vtt, "stuck"))
    j = expect(S["trainer"].call("DELETE", f"/api/lessons/{lid}"), 200)
    assert j == {"deleted": lid, "filesPending": True}, j
    assert not os.path.exists(path)
    con = db(srv)
    row = con.execute("SELECT state, path, vtt_path FROM lesson WHERE id = ?", (lid,)).fetchone()
    con.close()
    assert row[0] == "deleted" and row[1] and row[2], row   # pending: the paths kept
    os.rmdir(os.path.join(vtt, "stuck"))
    os.rmdir(vtt)
    open(vtt, "w").write("WEBVTT\n")
    end = time.time() + 30
    while os.path.exists(vtt) and time.time() < end:
        time.sleep(0.3)
    assert not os.path.exists(vtt), "the supervisor did not sweep the pending file"
    time.sleep(0.5)
    con = db(srv)
    row = con.execute("SELECT path, vtt_path FROM lesson WHERE id = ?", (lid,)).fetchone()
    con.close()
    assert row == (None, None), row
    assert not os.path.exists(os.path.dirname(path))   # its folder went with the files
    expect(S["trainer"].call("DELETE", f"/api/lessons/{lid}"), 404, "not-found")
    expect(S["activist1"].call("GET", f"/api/lessons/{lid}"), 404, "not-found")
    time.sleep(5)   # the supervisor polls every 2 s: it must not render it again
    j = expect(S["trainer"].call("GET", f"/api/lessons?course={S['course']}"), 200)
    assert lid not in {x["id"] for x in j["lessons"]}, j
    assert not os.path.exists(path)


@case
def retention_deletes_old_lessons(srv):
    lid, course = S["lesson"]["id"], S["course"]
    j = expect(S["trainer"].call("GET", f"/api/lessons/retention/{course}"), 200)
    assert j["keepDays"] is None, j
    expect(S["trainer"].call("PUT", f"/api/lessons/retention/{course}", {"keepDays": 0}), 400,
           "bad-request")
    j = expect(S["trainer"].call("PUT", f"/api/lessons/retention/{course}", {"keepDays": 30}), 200)
    assert j["keepDays"] == 30, j
    # audited with the change, like every administrative change
    con = db(srv)
    row = con.execute("SELECT actor_id IS NOT NULL, detail FROM audit_log"
                      " WHERE action = 'course.retention' AND target_kind = 'course'"
                      " AND target_id = ? ORDER BY id DESC", (course,)).fetchone()
    con.close()
    assert row == (1, '{"keepDays":30}'), row
    path = os.path.join(srv.data, "lessons", str(lid), "lesson.webm")
    time.sleep(5)
    assert os.path.exists(path)   # recorded now: kept
    con = db(srv)
    con.execute("UPDATE lesson SET recorded_at = ? WHERE id = ?",
                (int(time.time()) - 31 * 86400, lid))
    con.commit()
    con.close()
    end = time.time() + 30
    while os.path.exists(path) and time.time() < end:
        time.sleep(0.5)
    assert not os.path.exists(path)
    expect(S["activist1"].call("GET", f"/api/lessons/{lid}"), 404, "not-found")


def main():
    veche, render = sys.argv[1], sys.argv[2]
    os.environ["VECHE_RENDER"] = os.path.abspath(render)
    # Under ASan the server's veche-render inherits these: full stacks at
    # malloc, so lsan.supp can name GLib's load-time allocation (the fast
    # unwinder stops at g_malloc inside libglib).
    if "ASAN_OPTIONS" in os.environ:
        os.environ["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=0"
    return run_cases(Server(veche), CASES)


if __name__ == "__main__":
    sys.exit(main())
