#!/usr/bin/env python3
"""mainloop.py - the main loop stays responsive while the API reads (TAP).

GET /api/me reads the person's admission to every event; with a few
thousand events each answer takes the store a noticeable time.  Those
reads run on the API's read thread (server/api/api_read.c), so /healthz,
polled on a kept-alive connection while several /api/me are in flight,
must keep answering in a fraction of one /api/me's time; before, the main
loop did them one after the other and /healthz waited behind them.  The
answers must be the same as before (the read thread's connection sees
every committed write: a rename through the admin API shows at once), and
the read routes keep their errors (401 without a session).

usage: mainloop.py VECHE_BINARY
"""
import os
import sqlite3
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "bench"))
from accounts import DEMO, Server, run_cases  # noqa: E402
from join_storm import https_conn  # noqa: E402

EVENTS = 800       # copies of a demo event: /api/me reads each one's admission
PARALLEL = 6       # /api/me in flight at once


def add_events(srv, n):
    """n more events of the demo organization (copies of its first one)."""
    db = sqlite3.connect(os.path.join(srv.data, "veche.db"), timeout=30)
    db.execute(
        "INSERT INTO event (body_id, course_id, title, starts_at, ends_at, room_kind, room_id,"
        " created_at) WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt"
        f" WHERE x < {n}) SELECT body_id, course_id, title, starts_at, ends_at, room_kind,"
        " room_id || '-copy-' || x, created_at FROM event, cnt"
        " WHERE event.id = (SELECT min(id) FROM event)")
    db.commit()
    db.close()


def timed_get(srv, path, cookie):
    t0 = time.perf_counter()
    st, body, _ = srv.api("GET", path, cookie=cookie)
    return st, body, time.perf_counter() - t0


def healthz_while(srv, busy):
    """Poll /healthz every 10 ms on one kept-alive connection while busy()
    runs on another thread; busy's result and the latencies (s)."""
    conn = https_conn(srv.port, timeout=60)
    conn.request("GET", "/healthz")  # the TLS handshake before the clock starts
    conn.getresponse().read()
    out = {}
    th = threading.Thread(target=lambda: out.update(res=busy()))
    th.start()
    lat = []
    while th.is_alive():
        t0 = time.perf_counter()
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        assert r.read() == b"ok\n" and r.status == 200
        lat.append(time.perf_counter() - t0)
        time.sleep(0.01)
    th.join()
    conn.close()
    return out["res"], lat


def healthz_not_behind_api_reads(srv):
    member, _ = srv.login("member1" + DEMO)
    st, want, _ = timed_get(srv, "/api/me", member)
    assert st == 200, (st, want)
    one = min(timed_get(srv, "/api/me", member)[2] for _ in range(3))
    # The test can only tell the threads apart when one read is slow.
    assert one >= 0.04, f"/api/me took {one * 1000:.1f} ms: too fast to measure against"

    def many():
        got = []
        ths = [threading.Thread(target=lambda: got.append(timed_get(srv, "/api/me", member)))
               for _ in range(PARALLEL)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        return got

    got, lat = healthz_while(srv, many)
    assert len(got) == PARALLEL and all(st == 200 and b == want for st, b, _ in got), got
    med = statistics.median(lat)
    print(f"# /api/me alone {one * 1000:.0f} ms; {PARALLEL} at once: /healthz median"
          f" {med * 1000:.1f} ms, max {max(lat) * 1000:.1f} ms over {len(lat)} polls")
    # On the main loop /healthz would wait behind the reads (median about half
    # of one /api/me at least); here it must not.
    assert len(lat) >= 3, lat
    assert med < one / 4, (med, one)


def answers_see_writes_at_once(srv):
    admin, _ = srv.login("admin" + DEMO)
    member, _ = srv.login("member2" + DEMO)
    st, me, _ = timed_get(srv, "/api/me", member)
    assert st == 200, me
    for name in ("Пётр Переименованный", "Pyotr Renamed"):
        st, b, _ = srv.api("PATCH", f"/api/admin/people/{me['person']}", {"name": name},
                           cookie=admin)
        assert st == 200, (st, b)
        for path in ("/api/me", "/api/session"):
            st, got, _ = timed_get(srv, path, member)
            assert st == 200 and got["name"] == name, (path, st, got)


def read_routes_keep_their_errors(srv):
    st, b, _ = srv.api("GET", "/api/me")
    assert st == 401 and b["error"] == "sign-in-required", (st, b)
    st, b, _ = srv.api("GET", "/api/events", cookie="veche_session=nonsense")
    assert st == 401 and b["error"] == "sign-in-required", (st, b)
    st, b, _ = srv.api("GET", "/api/session")
    assert st == 200 and b["signedIn"] is False, (st, b)
    member, _ = srv.login("member1" + DEMO)
    st, b, _ = srv.api("GET", "/api/events", cookie=member)
    assert st == 200 and len(b["events"]) > EVENTS, (st, len(b.get("events", [])))


def main():
    srv = Server(sys.argv[1])
    add_events(srv, EVENTS)
    return run_cases(srv, [read_routes_keep_their_errors, answers_see_writes_at_once,
                           healthz_not_behind_api_reads])


if __name__ == "__main__":
    sys.exit(main())
