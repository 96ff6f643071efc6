#!/usr/bin/env python3
"""admin_edit.py - editing, deleting, the audit log and personal data
(docs/api.md "Editing and deleting", "Audit log", "Personal data";
docs/data-model.md) against a real server with the demo organization:

  * edit and delete organizations, persons, accounts, bodies, courses,
    events and guests; deletes a record names are refused (409 in-use) and
    change nothing; search and paging of the people list; appointing and
    removing organization administrators; cancelling and rescheduling an
    event as a member sees it in My events;
  * an audit entry (who, when, what, from which address) for every kind of
    administrative change, block, unblock and reset; the log filtered and
    exported as CSV; UPDATE and DELETE on it refused by the database;
  * the person export holds profile, account, roster places, attendance
    and the audit entries about them;
  * erasure leaves the name and the e-mail nowhere in the database file or
    in a backup taken afterwards, and the attendance counts are unchanged;
  * an administrative change and its audit entry commit together: with
    the audit insert made to fail, each kind of change is rolled back;
  * a retention sweep removes old audit entries and old sessions, and chat
    older than the organization's chat retention (kept: newer, and all
    with 0); the chat of a meeting is stored, in its author's export, and
    gone with their erasure;
  * the attendance CSV and the audit CSV are in the organization's zone;
  * a body's allowRecording (API, listed, audited) decides whether its
    chair may start recording its meetings.

  admin_edit.py path/to/veche [path/to/vechectl]
Prints TAP.  Python 3 standard library only.
"""
import csv
import datetime
import io
import os
import sqlite3
import subprocess
import sys
import time
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import Server, run_cases  # noqa: E402
from admin_api import Client, expect  # noqa: E402
from wsclient import WS  # noqa: E402

DEMO = "@veche.demo"
CASES = []
S = {}


def case(fn):
    CASES.append(fn)
    return fn


def audit(a, **q):
    query = "&".join(f"{k}={v}" for k, v in q.items())
    return expect(a.call("GET", "/api/admin/audit?" + query), 200)["entries"]


def has_entry(a, action, target, kind=None):
    """The newest entry of action on target, checked for who/when/where."""
    es = [e for e in audit(a, action=action, limit=1000) if e["target"] == target
          and (kind is None or e["kind"] == kind)]
    assert es, f"no audit entry {action} for {target}: {audit(a, limit=20)}"
    e = es[0]
    assert e["actor"] == S["admin_id"] and e["address"] == "127.0.0.1", e
    at = datetime.datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp()
    assert abs(at - time.time()) < 600, e
    return e


def db(srv):
    return os.path.join(srv.data, "veche.db")


@case
def edit_and_delete_structure(srv):
    a = S["admin"]
    root = S["root"]
    reg = expect(a.call("POST", "/api/admin/orgs",
                        dict(name="Регион для правки", level="regional", parent=root)), 201)["id"]
    expect(a.call("PATCH", f"/api/admin/orgs/{reg}", dict(name="Регион исправленный")), 200)
    orgs = {o["id"]: o for o in expect(a.call("GET", "/api/admin/orgs"), 200)["orgs"]}
    assert orgs[reg]["name"] == "Регион исправленный", orgs[reg]
    e = has_entry(a, "org.update", reg)
    assert e["detail"] == {"fields": ["name"]} and e["org"] == reg, e
    expect(a.call("PATCH", f"/api/admin/orgs/{reg}", dict(timeZone="Mars/Olympus")), 400,
           "bad-zone")
    # a body and a course: renamed, quorum changed, deleted
    body = expect(a.call("POST", "/api/admin/bodies", dict(org=reg, name="Бюро")), 201)["id"]
    course = expect(a.call("POST", "/api/admin/courses", dict(org=reg, name="Школа")), 201)["id"]
    expect(a.call("PATCH", f"/api/admin/bodies/{body}", dict(name="Бюро 2", quorum=">=2/3")), 200)
    bodies = {b["id"]: b for b in expect(a.call("GET", "/api/admin/bodies"), 200)["bodies"]}
    assert bodies[body]["name"] == "Бюро 2" and bodies[body]["quorum"] == dict(op=">=", num=2,
                                                                                 den=3), bodies
    expect(a.call("PATCH", f"/api/admin/courses/{course}", dict(name="Школа 2")), 200)
    has_entry(a, "body.update", body)
    has_entry(a, "course.update", course)
    # an event of the body: the body cannot go while it has one
    ev = expect(a.call("POST", "/api/admin/events",
                       dict(title="Заседание", body=body, startsAt="2030-01-10T10:00:00Z",
                            endsAt="2030-01-10T12:00:00Z")), 201)["id"]
    expect(a.call("DELETE", f"/api/admin/bodies/{body}"), 409, "in-use")
    expect(a.call("PATCH", f"/api/admin/events/{ev}", dict(title="Заседание бюро")), 200)
    has_entry(a, "event.update", ev)
    # a guest added, listed and removed
    g = expect(a.call("POST", f"/api/admin/events/{ev}/guests",
                      dict(email="edit.guest@example.org", name="Гость Правки")), 200)["person"]
    has_entry(a, "guest.add", ev)
    gl = expect(a.call("GET", f"/api/admin/events/{ev}/guests"), 200)["guests"]
    assert [x["person"] for x in gl] == [g], gl
    expect(a.call("DELETE", f"/api/admin/events/{ev}/guests/{g}"), 200)
    assert expect(a.call("GET", f"/api/admin/events/{ev}/guests"), 200)["guests"] == []
    e = has_entry(a, "guest.remove", ev)
    assert e["detail"] == {"person": g}, e
    # the organization cannot go while it has bodies, persons...
    expect(a.call("DELETE", f"/api/admin/orgs/{reg}"), 409, "in-use")
    expect(a.call("DELETE", f"/api/admin/events/{ev}"), 200)
    has_entry(a, "event.delete", ev)
    expect(a.call("DELETE", f"/api/admin/bodies/{body}"), 200)
    expect(a.call("DELETE", f"/api/admin/courses/{course}"), 200)
    has_entry(a, "body.delete", body)
    has_entry(a, "course.delete", course)
    # the guest person (no attendance) can be deleted; then the organization
    expect(a.call("DELETE", f"/api/admin/people/{g}"), 200)
    has_entry(a, "person.delete", g)
    expect(a.call("DELETE", f"/api/admin/orgs/{reg}"), 200)
    has_entry(a, "org.delete", reg)
    assert reg not in {o["id"] for o in expect(a.call("GET", "/api/admin/orgs"), 200)["orgs"]}
    expect(a.call("DELETE", f"/api/admin/orgs/{reg}"), 404, "not-found")


@case
def people_edit_search_paging_accounts(srv):
    a = S["admin"]
    for i in range(7):
        expect(a.call("POST", "/api/admin/accounts",
                      dict(email=f"page{i}@example.org", name=f"Страничный {i}",
                           org=S["root"])), 201)
    j = expect(a.call("GET", "/api/admin/people?q=%D0%A1%D1%82%D1%80%D0%B0%D0%BD%D0%B8%D1%87"
                             "&limit=3&offset=0"), 200)
    assert j["total"] == 7 and len(j["people"]) == 3, j
    names = [p["name"] for p in j["people"]]
    j2 = expect(a.call("GET", "/api/admin/people?q=page&limit=3&offset=6"), 200)
    assert j2["total"] == 7 and len(j2["people"]) == 1, j2
    assert names == sorted(names), names
    assert expect(a.call("GET", "/api/admin/people?q=PAGE3%40"), 200)["total"] == 1
    assert expect(a.call("GET", "/api/admin/people?q=%25"), 200)["total"] == 0
    pid = [p for p in expect(a.call("GET", "/api/admin/people?q=page0"), 200)["people"]][0]["id"]
    expect(a.call("PATCH", f"/api/admin/people/{pid}",
                  dict(name="Исправленный Ноль", phone="+7 900 000-00-00")), 200)
    p = expect(a.call("GET", "/api/admin/people?q=page0"), 200)["people"][0]
    assert p["name"] == "Исправленный Ноль" and p["phone"] == "+7 900 000-00-00", p
    e = has_entry(a, "person.update", pid)
    assert e["detail"] == {"fields": ["name", "phone"]}, e
    assert "Исправленный" not in str(e), e  # ids and field names only
    expect(a.call("PATCH", f"/api/admin/people/{pid}", dict(email="page1@example.org")), 409,
           "exists")
    expect(a.call("PATCH", f"/api/admin/people/{pid}", dict(email="not an address")), 400,
           "bad-request")
    # block, unblock, reset, account delete: each audited
    expect(a.call("POST", f"/api/admin/accounts/{pid}/block"), 200)
    expect(a.call("POST", f"/api/admin/accounts/{pid}/unblock"), 200)
    expect(a.call("POST", f"/api/admin/accounts/{pid}/reset"), 200)
    has_entry(a, "account.block", pid)
    has_entry(a, "account.unblock", pid)
    has_entry(a, "account.reset", pid)
    has_entry(a, "account.create", pid)
    expect(a.call("DELETE", f"/api/admin/accounts/{pid}"), 200)
    assert expect(a.call("GET", "/api/admin/people?q=page0"), 200)["people"][0]["account"] is False
    has_entry(a, "account.delete", pid)
    # the audit log filtered by person, by action prefix, and as CSV
    mine = audit(a, person=pid, limit=100)
    assert {"person.update", "account.block", "account.unblock", "account.reset",
            "account.delete", "account.create"} <= {e["action"] for e in mine}, mine
    assert all(e["action"].startswith("account.") for e in audit(a, action="account.", limit=50))
    st, text = a.call("GET", f"/api/admin/audit.csv?person={pid}&lang=ru")
    assert st == 200 and text.startswith("\ufeff"), (st, text[:80])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect="excel", delimiter=";"))
    assert rows[0][1] == "время (Europe/Moscow)", rows[0]
    assert len(rows) - 1 == len(mine), (rows, mine)


@case
def creates_and_import_audited(srv):
    """The kinds of change the other cases do not check: creating an
    organization, a body, a course and an event, and a roster import."""
    a = S["admin"]
    org = expect(a.call("POST", "/api/admin/orgs",
                        dict(name="Регион для аудита", level="regional", parent=S["root"])),
                 201)["id"]
    has_entry(a, "org.create", org)
    body = expect(a.call("POST", "/api/admin/bodies", dict(org=org, name="Бюро аудита")),
                  201)["id"]
    has_entry(a, "body.create", body)
    course = expect(a.call("POST", "/api/admin/courses", dict(org=org, name="Курс аудита")),
                    201)["id"]
    has_entry(a, "course.create", course)
    ev = expect(a.call("POST", "/api/admin/events",
                       dict(title="Событие аудита", body=body, startsAt="2030-04-01T10:00:00Z",
                            endsAt="2030-04-01T11:00:00Z")), 201)["id"]
    has_entry(a, "event.create", ev)
    roster = ("full_name;email;role;voting\r\n"
              "Аудит Первый;audit.first@example.org;member;yes\r\n")
    expect(a.call("POST", f"/api/admin/roster/body/{body}", raw=roster, ctype="text/csv"), 200)
    e = has_entry(a, "roster.import", body)
    assert "Аудит" not in str(e) and "audit.first" not in str(e), e  # ids only


@case
def appoint_and_remove_org_admin(srv):
    a = S["admin"]
    pid = expect(a.call("POST", "/api/admin/accounts",
                        dict(email="future.admin@example.org", name="Будущий Админ",
                             password="Long enough pass 2026!", org=S["root"])), 201)["person"]
    expect(a.call("POST", f"/api/admin/orgs/{S['root']}/admins", dict(person=pid)), 200)
    admins = expect(a.call("GET", f"/api/admin/orgs/{S['root']}/admins"), 200)["admins"]
    assert pid in [x["person"] for x in admins], admins
    e = has_entry(a, "admin.add", pid)
    assert e["detail"] == {"org": S["root"]} and e["org"] == S["root"], e
    # the new administrator sees the admin routes, then loses them
    b = Client(srv)
    b.login("future.admin@example.org", "Long enough pass 2026!")
    expect(b.call("GET", "/api/admin/orgs"), 200)
    expect(a.call("DELETE", f"/api/admin/orgs/{S['root']}/admins/{pid}"), 200)
    has_entry(a, "admin.remove", pid)
    expect(b.call("GET", "/api/admin/orgs"), 403, "forbidden")
    # nobody changes the log: no route, and the database refuses it
    expect(a.call("DELETE", "/api/admin/audit"), 404, "not-found")
    con = sqlite3.connect(db(srv), timeout=10)
    for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
        try:
            con.execute(sql)
            con.commit()
            raise AssertionError(sql + " was allowed")
        except sqlite3.IntegrityError as err:
            assert "audit log" in str(err), err
    con.close()


@case
def cancel_and_reschedule_seen_by_member(srv):
    a = S["admin"]
    mc = Client(srv)
    mc.login("member1" + DEMO, "demo-password-1")
    bodies = expect(a.call("GET", "/api/admin/bodies"), 200)["bodies"]
    presidium = [b for b in bodies if b["voting"] >= 5][0]["id"]
    ev = expect(a.call("POST", "/api/admin/events",
                       dict(title="Перенесённое", body=presidium,
                            startsAt="2030-02-01T10:00:00Z",
                            endsAt="2030-02-01T11:00:00Z")), 201)["id"]
    expect(a.call("PATCH", f"/api/admin/events/{ev}",
                  dict(startsAt="2030-02-03T12:00:00Z", endsAt="2030-02-03T13:30:00Z")), 200)
    e = has_entry(a, "event.reschedule", ev)
    assert e["detail"]["startsAt"] == "2030-02-03T12:00:00Z", e
    expect(a.call("PATCH", f"/api/admin/events/{ev}", dict(endsAt="2030-02-03T11:00:00Z")), 400,
           "bad-time")
    mine = {x["id"]: x for x in expect(mc.call("GET", "/api/events"), 200)["events"]}
    assert mine[ev]["startsAt"] == "2030-02-03T12:00:00Z" and not mine[ev]["cancelled"], mine[ev]
    expect(a.call("PATCH", f"/api/admin/events/{ev}", dict(cancelled=True)), 200)
    has_entry(a, "event.cancel", ev)
    mine = {x["id"]: x for x in expect(mc.call("GET", "/api/events"), 200)["events"]}
    assert mine[ev]["cancelled"] is True and mine[ev]["cancelledAt"], mine[ev]
    listed = {x["id"]: x for x in expect(a.call("GET", "/api/admin/events"), 200)["events"]}
    assert listed[ev]["cancelled"] is True, listed[ev]
    expect(a.call("PATCH", f"/api/admin/events/{ev}", dict(cancelled=False)), 200)
    has_entry(a, "event.uncancel", ev)
    S["later_event"] = ev


CHAT2 = "Сообщение Григория: позвоните мне по номеру 8-900-111-22-33"
CHAT3 = "Реплика Дарьи в чате собрания"
FAILING = ("org.update", "person.update", "event.cancel", "account.create", "account.block",
           "person.erase", "event.create", "body.voting")


@case
def change_and_audit_entry_commit_together(srv):
    """A failing audit insert (a trigger added to the database for the test)
    rolls the change back: for each kind of change, both rows or neither."""
    a = S["admin"]
    pid = expect(a.call("POST", "/api/admin/accounts",
                        dict(email="atomic@example.org", name="Атомарный Человек",
                             org=S["root"])), 201)["person"]
    notice = expect(a.call("GET", "/api/admin/orgs"), 200)["orgs"]
    notice = [o for o in notice if o["id"] == S["root"]][0].get("privacyNotice")
    con = sqlite3.connect(db(srv), timeout=10)
    con.execute("CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit_log WHEN NEW.action IN"
                " (%s) BEGIN SELECT RAISE(ABORT, 'test: audit insert fails'); END"
                % ",".join(f"'{x}'" for x in FAILING))
    con.commit()
    before = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    try:
        def refused(method, path, body=None):
            st, j = a.call(method, path, body)
            assert st == 500 and j["error"] == "internal" and "audit" in j["reason"], (path, st, j)
        refused("PATCH", f"/api/admin/orgs/{S['root']}", dict(privacyNotice="не сохранится"))
        refused("PATCH", f"/api/admin/people/{pid}", dict(name="Не Сохранится"))
        refused("PATCH", f"/api/admin/events/{S['later_event']}", dict(cancelled=True))
        refused("POST", "/api/admin/accounts", dict(email="never@example.org", name="Никогда",
                                                     org=S["root"]))
        refused("POST", f"/api/admin/accounts/{pid}/block")
        refused("POST", f"/api/admin/people/{pid}/erase")
        bodies = expect(a.call("GET", "/api/admin/bodies"), 200)["bodies"]
        refused("POST", "/api/admin/events", dict(title="Не созданное", body=bodies[0]["id"],
                                                  startsAt="2030-03-01T10:00:00Z",
                                                  endsAt="2030-03-01T11:00:00Z"))
        voting_body = bodies[0]["id"]
        rule_before = con.execute("SELECT * FROM body WHERE id = ?", (voting_body,)).fetchone()
        refused("POST", f"/api/admin/bodies/{voting_body}/voting",
                dict(rule="two-thirds-of-members", noQuorum="warn"))
        # vechectl runs each command in one transaction too
        for args in (["event-cancel", str(S["later_event"])],
                     ["person-edit", "atomic@example.org", "name", "Не Сохранится"],
                     ["body-voting", str(voting_body), "two-thirds-of-members", "warn"]):
            out = subprocess.run([S["vechectl"], "--db", db(srv)] + args, capture_output=True,
                                 text=True, timeout=60)
            assert out.returncode != 0 and "nothing was changed" in out.stderr, (args, out)
        # nothing of any of them is in the database
        assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == before
        orgs = expect(a.call("GET", "/api/admin/orgs"), 200)["orgs"]
        assert [o for o in orgs if o["id"] == S["root"]][0].get("privacyNotice") == notice
        assert con.execute("SELECT full_name FROM person WHERE id = ?", (pid,)).fetchone() == (
            "Атомарный Человек",)
        assert con.execute("SELECT cancelled_at FROM event WHERE id = ?", (S["later_event"],)
                           ).fetchone() == (None,)
        assert con.execute("SELECT count(*) FROM person WHERE email = 'never@example.org'"
                           ).fetchone()[0] == 0
        assert con.execute("SELECT blocked FROM account WHERE person_id = ?", (pid,)
                           ).fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM event WHERE title = 'Не созданное'"
                           ).fetchone()[0] == 0
        assert con.execute("SELECT * FROM body WHERE id = ?", (voting_body,)
                           ).fetchone() == rule_before
    finally:
        con.execute("DROP TRIGGER test_audit_fails")
        con.commit()
        con.close()
    # with the audit log writable again, each change comes with its entry
    expect(a.call("PATCH", f"/api/admin/people/{pid}", dict(name="Атомарный Исправленный")), 200)
    has_entry(a, "person.update", pid)
    expect(a.call("POST", f"/api/admin/accounts/{pid}/block"), 200)
    has_entry(a, "account.block", pid)
    expect(a.call("POST", f"/api/admin/people/{pid}/erase"), 200)
    has_entry(a, "person.erase", pid)
    # a body's voting settings, through the API and through vechectl
    expect(a.call("POST", f"/api/admin/bodies/{voting_body}/voting",
                  dict(rule="two-thirds-of-present")), 200)
    e = has_entry(a, "body.voting", voting_body)
    assert e["detail"] == {"fields": ["rule"]}, e
    out = subprocess.run([S["vechectl"], "--db", db(srv), "body-voting", str(voting_body),
                          "half-of-cast", "refuse"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out
    es = [e for e in audit(a, action="body.voting", limit=100) if e["target"] == voting_body]
    assert es and es[0]["address"] == "vechectl", es
    con = sqlite3.connect(db(srv), timeout=10)
    assert con.execute("SELECT full_name FROM person WHERE id = ?", (pid,)).fetchone() == (
        f"erased #{pid}",)
    con.close()


def join_and_leave(srv, email, event, chat=()):
    """Join, send each text of chat (each echoed back), leave: the leave's
    record follows the chat's on the store thread, so after `left` the
    messages are on disk."""
    c = Client(srv)
    c.login(email, "demo-password-1")
    w = WS(srv.port, cookie="veche_session=" + c.cookie, timeout=15)
    w.send(dict(type="join", event=event))
    m = w.wait_for(lambda x: x.get("type") in ("joined", "error"), 15)
    assert m["type"] == "joined", m
    for text in chat:
        w.send(dict(type="chat", text=text))
        e = w.wait_for(lambda x: x.get("type") in ("chat", "error"), 15)
        assert e["type"] == "chat" and e["text"] == text, e
    w.send(dict(type="leave"))
    w.wait_for(lambda x: x.get("type") == "left", 10)
    w.close()
    return m["person"]


def report(srv, event):
    st, rep = S["admin"].call("GET", f"/api/events/{event}/attendance")
    assert st == 200, rep
    return rep


@case
def person_export_everything(srv):
    a = S["admin"]
    meeting = [e for e in expect(a.call("GET", "/api/admin/events"), 200)["events"]
               if e["kind"] == "meeting" and e["room"] != ""][0]["id"]
    S["meeting"] = meeting
    pid = join_and_leave(srv, "member2" + DEMO, meeting, chat=[CHAT2])
    S["member3"] = join_and_leave(srv, "member3" + DEMO, meeting, chat=[CHAT3])
    S["member2"] = pid
    expect(a.call("POST", f"/api/admin/accounts/{pid}/reset"), 200)
    st, j = a.call("GET", f"/api/admin/people/{pid}/export")
    assert st == 200, j
    # every kind of data kept about a person has its place in the export
    assert set(j) == {"person", "account", "administers", "bodies", "courses", "guestOf",
                      "sessions", "attendance", "audit", "chat"}, sorted(j)
    assert j["person"]["id"] == pid and j["person"]["email"] == "member2" + DEMO, j["person"]
    assert j["person"]["name"] == "Григорий Членов", j["person"]
    assert j["account"]["blocked"] is False and "hash" not in str(j["account"]).lower(), j
    assert [b["role"] for b in j["bodies"]] == ["member"] and j["bodies"][0]["voting"], j
    kinds = [x["kind"] for x in j["attendance"] if x["event"] == meeting]
    assert kinds[:2] == ["join", "leave"], j["attendance"]
    assert any(x["action"] == "account.reset" and x["target"] == pid for x in j["audit"]), j
    assert j["sessions"], j
    # their own chat, and only theirs
    assert [(x["event"], x["text"]) for x in j["chat"]] == [(meeting, CHAT2)], j["chat"]
    assert j["chat"][0]["tsMs"] > (time.time() - 600) * 1000, j["chat"]
    has_entry(a, "person.export", pid)
    # vechectl gives the same data
    out = subprocess.run([S["vechectl"], "--db", db(srv), "person-export", "member2" + DEMO],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    import json
    v = json.loads(out.stdout)
    assert v["person"] == j["person"] and v["attendance"] == j["attendance"], v
    assert v["chat"] == j["chat"], v


@case
def erasure_leaves_no_name_or_email(srv):
    a = S["admin"]
    pid, meeting = S["member2"], S["meeting"]
    before = report(srv, meeting)
    # a person with attendance cannot be deleted, only erased
    expect(a.call("DELETE", f"/api/admin/people/{pid}"), 409, "in-use")
    expect(a.call("POST", f"/api/admin/people/{pid}/erase"), 200)
    has_entry(a, "person.erase", pid)
    after = report(srv, meeting)
    assert before["totals"] == after["totals"], (before["totals"], after["totals"])
    rows_b = {r["person"]: r for r in before["people"]}
    rows_a = {r["person"]: r for r in after["people"]}
    assert set(rows_b) == set(rows_a), (rows_b.keys(), rows_a.keys())
    for k in rows_b:
        for f in ("attended", "intervals", "presentSeconds", "voting", "onRoster"):
            if f in rows_b[k]:
                assert rows_b[k][f] == rows_a[k][f], (k, f, rows_b[k], rows_a[k])
    assert rows_a[pid]["name"] == f"erased #{pid}", rows_a[pid]
    # the erased person cannot sign in
    st, _ = Client(srv).call("POST", "/api/login", dict(email="member2" + DEMO,
                                                         password="demo-password-1"))
    assert st == 401, st
    # no trace in the database file, its WAL, or a backup taken now
    # their chat messages go with them (docs/data-model.md "Chat")
    con = sqlite3.connect(db(srv), timeout=10)
    assert con.execute("SELECT count(*) FROM chat_message WHERE person_id = ?", (pid,)
                       ).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM chat_message WHERE person_id = ?",
                       (S["member3"],)).fetchone()[0] == 1
    con.close()
    secrets = ["Григорий Членов".encode(), ("member2" + DEMO).encode(),
               "Григорий Членов".encode("utf-16-le"), CHAT2.encode()]
    files = [db(srv), db(srv) + "-wal"]
    dest = os.path.join(srv.data, "after-erase.db")
    out = subprocess.run([S["vechectl"], "--db", db(srv), "backup", dest],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    files.append(dest)
    for f in files:
        if not os.path.exists(f):
            continue
        data = open(f, "rb").read()
        for s in secrets:
            assert s not in data, f"{s!r} found in {f}"
    # the control: another member's name is still there (the scan works)
    assert "Дарья Членова".encode() in open(dest, "rb").read()
    assert CHAT3.encode() in open(dest, "rb").read()


@case
def retention_sweep_removes_old(srv):
    con = sqlite3.connect(db(srv), timeout=10)
    old = int(time.time()) - 4000 * 86400
    con.execute("INSERT INTO audit_log (at, action, target_kind, detail)"
                " VALUES (?, 'test.old', 'org', '{}')", (old,))
    con.execute("INSERT INTO session (token_hash, person_id, created_at, expires_at)"
                " VALUES (randomblob(32), ?, ?, ?)", (S["admin_id"], old, old + 3600))
    con.commit()
    n = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    con.close()
    out = subprocess.run([S["vechectl"], "--db", db(srv), "retention-sweep"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "removed 1 audit entries" in out.stdout, out
    con = sqlite3.connect(db(srv), timeout=10)
    assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'test.old'"
                       ).fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM audit_log").fetchone()[0] == n - 1
    assert con.execute("SELECT count(*) FROM session WHERE created_at = ?", (old,)
                       ).fetchone()[0] == 0
    con.close()
    # the signed-in administrator's session is recent: it stays
    expect(S["admin"].call("GET", "/api/admin/orgs"), 200)


@case
def chat_retention_per_organization(srv):
    a = S["admin"]
    con = sqlite3.connect(db(srv), timeout=10)
    org = con.execute("SELECT coalesce(b.organization_id, c.organization_id) FROM event e"
                      " LEFT JOIN body b ON b.id = e.body_id LEFT JOIN course c"
                      " ON c.id = e.course_id WHERE e.id = ?", (S["meeting"],)).fetchone()[0]
    con.close()
    expect(a.call("PATCH", f"/api/admin/orgs/{org}", dict(chatRetentionDays=-1)), 400,
           "bad-request")
    expect(a.call("PATCH", f"/api/admin/orgs/{org}", dict(chatRetentionDays="30")), 400,
           "bad-request")
    expect(a.call("PATCH", f"/api/admin/orgs/{org}", dict(chatRetentionDays=30)), 200)
    e = has_entry(a, "org.update", org)
    assert e["detail"] == {"fields": ["chatRetentionDays"]}, e
    orgs = {o["id"]: o for o in expect(a.call("GET", "/api/admin/orgs"), 200)["orgs"]}
    assert orgs[org]["chatRetentionDays"] == 30, orgs[org]
    now_ms = int(time.time() * 1000)
    day = 86400 * 1000

    def put(days_ago, text):
        con = sqlite3.connect(db(srv), timeout=10)
        con.execute("INSERT INTO chat_message (event_id, person_id, ts_ms, text)"
                    " VALUES (?, ?, ?, ?)", (S["meeting"], S["member3"],
                                             now_ms - days_ago * day, text))
        con.commit()
        con.close()

    def texts():
        con = sqlite3.connect(db(srv), timeout=10)
        t = {r[0] for r in con.execute("SELECT text FROM chat_message WHERE event_id = ?",
                                       (S["meeting"],))}
        con.close()
        return t

    def sweep(removed):
        out = subprocess.run([S["vechectl"], "--db", db(srv), "retention-sweep"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0 and f"{removed} chat messages" in out.stdout, out

    put(40, "сорок дней назад")
    put(10, "десять дней назад")
    sweep(1)  # 30 days: the 40-day-old one goes
    assert texts() == {"десять дней назад", CHAT3}, texts()
    expect(a.call("PATCH", f"/api/admin/orgs/{org}", dict(chatRetentionDays=5)), 200)
    sweep(1)  # 5 days: the 10-day-old one goes; the meeting's own chat stays
    assert texts() == {CHAT3}, texts()
    expect(a.call("PATCH", f"/api/admin/orgs/{org}", dict(chatRetentionDays=0)), 200)
    put(1000, "тысячу дней назад")
    sweep(0)  # 0: kept forever
    assert texts() == {"тысячу дней назад", CHAT3}, texts()
    expect(a.call("PATCH", f"/api/admin/orgs/{org}", dict(chatRetentionDays=None)), 200)
    orgs = {o["id"]: o for o in expect(a.call("GET", "/api/admin/orgs"), 200)["orgs"]}
    assert orgs[org]["chatRetentionDays"] is None, orgs[org]
    sweep(1)  # the server's retention_chat_days (90 by default)
    assert texts() == {CHAT3}, texts()


@case
def chat_stored_when_author_leaves_at_once(srv):
    """A message whose author closes the connection right after sending it
    (before the room's echo comes back) is still stored: the room hands
    back the author signalling named, not a connection to look up."""
    c = Client(srv)
    c.login("member3" + DEMO, "demo-password-1")
    text = "сказал и ушёл %d" % time.time_ns()
    w = WS(srv.port, cookie="veche_session=" + c.cookie, timeout=15)
    w.send(dict(type="join", event=S["meeting"]))
    m = w.wait_for(lambda x: x.get("type") in ("joined", "error"), 15)
    assert m["type"] == "joined", m
    w.send(dict(type="chat", text=text))
    w.close()
    deadline = time.time() + 15
    rows = []
    while time.time() < deadline:
        con = sqlite3.connect(db(srv), timeout=10)
        rows = con.execute("SELECT event_id, person_id FROM chat_message WHERE text = ?",
                           (text,)).fetchall()
        con.close()
        if rows:
            break
        time.sleep(0.1)
    assert rows == [(S["meeting"], S["member3"])], rows


@case
def csv_in_the_organizations_zone(srv):
    a = S["admin"]
    expect(a.call("PATCH", f"/api/admin/orgs/{S['root']}", dict(timeZone="Asia/Vladivostok")), 200)
    st, text = a.call("GET", f"/api/events/{S['meeting']}/attendance.csv?lang=ru")
    assert st == 200 and text.startswith("\ufeff"), (st, text[:60])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect="excel", delimiter=";"))
    head = rows[0]
    zcols = [i for i, h in enumerate(head) if "Asia/Vladivostok" in h]
    assert zcols, head
    # a first join in the CSV equals the JSON's UTC time in Vladivostok
    rep = report(srv, S["meeting"])
    came = [r for r in rep["people"] if r.get("firstJoin")]
    assert came, rep["people"]
    want = {datetime.datetime.fromisoformat(r["firstJoin"].replace("Z", "+00:00"))
            .astimezone(zoneinfo.ZoneInfo("Asia/Vladivostok")).strftime("%Y-%m-%d %H:%M:%S")
            for r in came}
    got = {row[i] for row in rows[1:] for i in zcols}
    assert want <= got, (want, got)
    st, page = a.call("GET", f"/api/events/{S['meeting']}/attendance.html?lang=en")
    assert st == 200 and "Asia/Vladivostok" in page, page[:300]
    st, text = a.call("GET", f"/api/admin/audit.csv?org={S['root']}&lang=en")
    assert st == 200 and "time (Asia/Vladivostok)" in text.splitlines()[0], text[:200]
    e = has_entry(a, "org.update", S["root"])
    assert e["detail"] == {"fields": ["timeZone"]}, e
    expect(a.call("PATCH", f"/api/admin/orgs/{S['root']}", dict(timeZone="")), 200)


@case
def allow_recording_of_a_body(srv):
    """allowRecording set by the administrator decides whether the chair may
    record the body's meetings (the chair sends no media here, so an allowed
    start gets as far as nothing-to-record; a refused one is forbidden)."""
    a = S["admin"]
    c = sqlite3.connect(db(srv))
    event, body = c.execute("SELECT id, body_id FROM event WHERE room_id = 'demo-presidium'"
                            ).fetchone()
    c.close()
    bodies = {b["id"]: b for b in expect(a.call("GET", "/api/admin/bodies"), 200)["bodies"]}
    assert bodies[body]["allowRecording"] is False, bodies[body]
    chair, _ = srv.login("chair" + DEMO)
    w, joined = srv.join_event(chair, event)

    def start(rid):
        w.send(dict(type="record-start", id=rid))
        m = w.wait_for(lambda x: x.get("id") == rid, 20)
        assert m["type"] == "error", m
        return m["code"]
    assert start("r0") == "forbidden"
    expect(a.call("PATCH", f"/api/admin/bodies/{body}", dict(allowRecording="yes")), 400,
           "bad-request")
    courses = expect(a.call("GET", "/api/admin/courses"), 200)["courses"]
    expect(a.call("PATCH", f"/api/admin/courses/{courses[0]['id']}",
                  dict(name="x", allowRecording=True)), 400, "bad-request")
    expect(a.call("PATCH", f"/api/admin/bodies/{body}", dict(allowRecording=True)), 200)
    bodies = {b["id"]: b for b in expect(a.call("GET", "/api/admin/bodies"), 200)["bodies"]}
    assert bodies[body]["allowRecording"] is True, bodies[body]
    e = has_entry(a, "body.update", body)
    assert e["detail"] == {"fields": ["allowRecording"]}, e
    assert start("r1") == "nothing-to-record"
    expect(a.call("PATCH", f"/api/admin/bodies/{body}", dict(allowRecording=False)), 200)
    assert start("r2") == "forbidden"
    w.close()
    member = Client(srv)
    member.login("member1" + DEMO, "demo-password-1")
    expect(member.call("PATCH", f"/api/admin/bodies/{body}", dict(allowRecording=True)), 403,
           "forbidden")


@case
def member_gets_403_on_edits(srv):
    m = Client(srv)
    m.login("member1" + DEMO, "demo-password-1")
    for method, path in (("PATCH", f"/api/admin/orgs/{S['root']}"),
                         ("DELETE", f"/api/admin/events/{S['later_event']}"),
                         ("GET", "/api/admin/audit"),
                         ("POST", f"/api/admin/people/{S['admin_id']}/erase")):
        expect(m.call(method, path, {}), 403, "forbidden")
    expect(S["admin"].call("POST", f"/api/admin/people/{S['admin_id']}/erase"), 400,
           "bad-request")


def main():
    binary = sys.argv[1]
    S["vechectl"] = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.dirname(binary)), "tools/vechectl/vechectl")
    srv = Server(binary, settings=["backup_interval_hours=0"])

    def setup():
        a = S["admin"] = Client(srv)
        me = a.login("admin" + DEMO)
        S["admin_id"] = me["person"]
        S["root"] = [o for o in expect(a.call("GET", "/api/admin/orgs"), 200)["orgs"]
                     if o["parent"] is None][0]["id"]
        return srv
    return run_cases(srv, CASES, setup, private=("@example.org", "@veche.demo", "членов"))


if __name__ == "__main__":
    sys.exit(main())
