#!/usr/bin/env python3
"""event_window.py - when an event takes joins (TAP).

Members and guests may join from event_join_early_minutes before the start
until the end; staff (chair, secretary, trainer, administrators) any time
before the end; after the end only while the event is still under way (a
meeting that runs over takes back whoever dropped out).  A refused
invitation join does not use the link up.  A cancelled event takes nobody
(event-cancelled, by session or invitation, staff too; the link is kept for
a withdrawn cancellation); a rescheduled one is joined by its new times.  Runs the real server with the
demo organization; events are made through the admin API.

usage: event_window.py VECHE_BINARY
"""
import os
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import DEMO, Server, Tap, refused  # noqa: E402


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    binary = sys.argv[1]
    srv = Server(binary, settings=["event_join_early_minutes=30"])
    tap = Tap()
    check = tap.check

    print("1..8")
    admin, _ = srv.login("admin" + DEMO)
    chair, _ = srv.login("chair" + DEMO)
    member, _ = srv.login("member1" + DEMO)
    st, bodies, _ = srv.api("GET", "/api/admin/bodies", cookie=admin)
    assert st == 200, (st, bodies)
    body = [b for b in bodies["bodies"] if b["name"] == "Президиум"][0]["id"]
    now = datetime.now(timezone.utc)

    def event(title, start, end):
        st, b, _ = srv.api("POST", "/api/admin/events", {
            "title": title, "body": body, "startsAt": iso(start), "endsAt": iso(end)},
            cookie=admin)
        assert st == 201, (st, b)
        return b["id"]

    later = event("Позже", now + timedelta(hours=3), now + timedelta(hours=5))
    soon = event("Скоро", now + timedelta(minutes=20), now + timedelta(hours=2))
    past = event("Вчера", now - timedelta(days=1, hours=2), now - timedelta(days=1))

    def not_started():
        m = refused(srv, member, "event-not-started", event=later)
        assert "UTC" in m["reason"] and "30 minutes" in m["reason"], m
        w, j = srv.join_event(chair, later)  # staff may prepare early
        assert j["access"] == "chair", j
        w.close()

    def early_window():
        w, j = srv.join_event(member, soon)  # 20 minutes ahead, window is 30
        assert j["access"] == "member", j
        w.close()

    def ended():
        refused(srv, member, "event-ended", event=past)
        refused(srv, chair, "event-ended", event=past)

    def runs_over():
        t = datetime.now(timezone.utc)
        short = event("Коротко", t - timedelta(minutes=5), t + timedelta(seconds=3))
        c, _ = srv.join_event(chair, short)
        time.sleep(4)  # past its end, the chair still in
        w, j = srv.join_event(member, short)
        assert j["event"] == short, j
        for x in (w, c):
            x.send(dict(type="leave"))
            x.expect("left")
            x.close()
        time.sleep(0.3)
        refused(srv, member, "event-ended", event=short)

    def invitation_kept():
        st, inv, _ = srv.api("POST", f"/api/events/{later}/invitations",
                             {"email": "early.guest@example.org", "name": "Ранний Гость"},
                             cookie=chair)
        assert st == 201, (st, inv)
        refused(srv, None, "event-not-started", event=later, invitation=inv["token"])
        refused(srv, None, "event-not-started", event=later, invitation=inv["token"])

    def cancelled():
        t = datetime.now(timezone.utc)
        ev = event("Отменённое", t - timedelta(minutes=5), t + timedelta(hours=1))
        st, inv, _ = srv.api("POST", f"/api/events/{ev}/invitations",
                             {"email": "cancel.guest@example.org", "name": "Гость Отмены"},
                             cookie=chair)
        assert st == 201, (st, inv)
        st, b, _ = srv.api("PATCH", f"/api/admin/events/{ev}", {"cancelled": True}, cookie=admin)
        assert st == 200, (st, b)
        for who in (member, chair, admin):
            m = refused(srv, who, "event-cancelled", event=ev)
            assert m["reason"] == "this event was cancelled", m
        refused(srv, None, "event-cancelled", event=ev, invitation=inv["token"])
        st, b, _ = srv.api("POST", "/api/invitations/accept", {"token": inv["token"]})
        assert st == 409 and b["error"] == "event-cancelled", (st, b)
        # withdrawn: the same people and the same (unused) link get in
        st, b, _ = srv.api("PATCH", f"/api/admin/events/{ev}", {"cancelled": False},
                           cookie=admin)
        assert st == 200, (st, b)
        w, j = srv.join_event(member, ev)
        assert j["event"] == ev and j["access"] == "member", j
        w.send(dict(type="leave"))
        w.expect("left")
        w.close()
        st, b, _ = srv.api("POST", "/api/invitations/accept", {"token": inv["token"]})
        assert st == 200 and b["event"] == ev, (st, b)

    def rescheduled():
        t = datetime.now(timezone.utc)
        ev = event("Перенесённое", t - timedelta(minutes=5), t + timedelta(hours=1))
        st, b, _ = srv.api("PATCH", f"/api/admin/events/{ev}", {
            "startsAt": iso(t + timedelta(days=2)), "endsAt": iso(t + timedelta(days=2, hours=1))},
            cookie=admin)
        assert st == 200, (st, b)
        m = refused(srv, member, "event-not-started", event=ev)
        assert iso(t + timedelta(days=2))[:10] in m["reason"], m
        st, b, _ = srv.api("PATCH", f"/api/admin/events/{ev}", {
            "startsAt": iso(t - timedelta(days=2)), "endsAt": iso(t - timedelta(days=2) +
                                                              timedelta(hours=1))},
            cookie=admin)
        assert st == 200, (st, b)
        refused(srv, member, "event-ended", event=ev)
        st, b, _ = srv.api("PATCH", f"/api/admin/events/{ev}", {
            "startsAt": iso(t - timedelta(minutes=1)), "endsAt": iso(t + timedelta(hours=1))},
            cookie=admin)
        assert st == 200, (st, b)
        w, j = srv.join_event(member, ev)
        assert j["event"] == ev, j
        w.close()

    check("before the window: members refused with the start time, staff admitted",
          not_started)
    check("within event_join_early_minutes of the start: admitted", early_window)
    check("after the end: refused for all", ended)
    check("after the end while under way: admitted; once empty: refused", runs_over)
    check("a refused invitation join does not use the link", invitation_kept)
    check("a cancelled event: refused for all, the link kept; withdrawn: joined", cancelled)
    check("a rescheduled event: its new times decide", rescheduled)
    alive = srv.proc.poll() is None
    clean = srv.stop()
    log = srv.log_text()
    tap.ok(alive and clean and "Sanitizer" not in log and DEMO not in log,
           "server alive, clean exit, no sanitizer report", log, 40)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
