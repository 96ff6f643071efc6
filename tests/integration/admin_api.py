#!/usr/bin/env python3
"""admin_api.py - the administration endpoints of the HTTP API
(docs/api.md, "Administration endpoints") against a real server with the
demo organization: organizations, bodies with a quorum rule, courses,
accounts with a password and with a reset link, roster CSV import (a good
file, and a bad one refused with line numbers and nothing imported),
events and guests, everything listed back; a non-administrator gets 403 on
every admin route, no cookie 401, a body that is not JSON 400.

  admin_api.py path/to/veche
Prints TAP.  Python 3 standard library only.
"""
import http.client
import json
import os
import ssl
import sys

ROOT = os.environ.get("VECHE_SOURCE_ROOT",
                      os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
DEMO_PASSWORD = "demo-password-1"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import Server, run_cases  # noqa: E402  (the server harness the account tests use)


class Client:
    """One browser: HTTPS to the server, keeping the veche_session cookie."""

    def __init__(self, srv):
        self.srv = srv
        self.cookie = None
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE

    def call(self, method, path, body=None, raw=None, ctype="application/json"):
        """(status, decoded JSON or text) of one request."""
        conn = http.client.HTTPSConnection("127.0.0.1", self.srv.port, context=self.ctx,
                                           timeout=60)
        headers = {}
        data = None
        if raw is not None:
            data = raw.encode() if isinstance(raw, str) else raw
            headers["Content-Type"] = ctype
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.cookie:
            headers["Cookie"] = "veche_session=" + self.cookie
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("veche_session="):
                self.cookie = v.split(";", 1)[0].split("=", 1)[1] or None
        conn.close()
        if text and r.getheader("Content-Type", "").startswith("application/json"):
            return r.status, json.loads(text)
        return r.status, text

    def login(self, email, password=DEMO_PASSWORD):
        st, j = self.call("POST", "/api/login", dict(email=email, password=password))
        assert st == 200, (st, j)
        return j


def expect(got, status, error=None):
    st, j = got
    assert st == status, f"wanted {status}, got {st}: {j}"
    if error is not None:
        assert isinstance(j, dict) and j.get("error") == error, j
        assert isinstance(j.get("reason"), str) and j["reason"], j
    return j


CASES = []
STATE = {}


def case(fn):
    CASES.append(fn)
    return fn


@case
def orgs(srv):
    a = STATE["admin"]
    j = expect(a.call("GET", "/api/admin/orgs"), 200)
    demo = [o for o in j["orgs"] if o["parent"] is None]
    assert demo and demo[0]["level"] == "central", j
    root = demo[0]["id"]
    STATE["root"] = root
    reg = expect(a.call("POST", "/api/admin/orgs",
                        dict(name="Северный регион", level="regional", parent=root)), 201)["id"]
    prim = expect(a.call("POST", "/api/admin/orgs",
                         dict(name="Первичка №1", level="primary", parent=reg)), 201)["id"]
    STATE["region"], STATE["primary"] = reg, prim
    # a sibling of the same name, a level that does not fit, a missing parent
    expect(a.call("POST", "/api/admin/orgs",
                  dict(name="Северный регион", level="regional", parent=root)), 409, "exists")
    expect(a.call("POST", "/api/admin/orgs",
                  dict(name="X", level="central", parent=root)), 400, "bad-request")
    expect(a.call("POST", "/api/admin/orgs", dict(name="X", level="regional")), 400,
           "bad-request")
    expect(a.call("POST", "/api/admin/orgs", dict(name="X", level="town", parent=root)), 400,
           "bad-request")
    expect(a.call("POST", "/api/admin/orgs",
                  dict(name="X", level="primary", parent=999999)), 404, "not-found")
    j = expect(a.call("GET", "/api/admin/orgs"), 200)
    by_id = {o["id"]: o for o in j["orgs"]}
    assert by_id[reg] == dict(id=reg, name="Северный регион", level="regional", parent=root,
                              timeZone=None, privacyNotice=None, sessionHours=None,
                              chatRetentionDays=None), j
    assert by_id[prim]["parent"] == reg and by_id[prim]["level"] == "primary", j
    j = expect(a.call("GET", f"/api/admin/orgs?org={reg}"), 200)
    assert sorted(o["id"] for o in j["orgs"]) == sorted([reg, prim]), j


@case
def accounts(srv):
    a = STATE["admin"]
    j = expect(a.call("POST", "/api/admin/accounts",
                      dict(email="reg.admin@example.org", name="Ольга Региональная",
                           password="Long enough pass 2026!", org=STATE["region"])), 201)
    assert "resetLink" not in j, j
    STATE["regadmin"] = j["person"]
    j = expect(a.call("POST", "/api/admin/accounts",
                      dict(email="new.member@example.org", name="Пётр Новый",
                           org=STATE["primary"])), 201)
    assert j["resetLink"].startswith(f"https://127.0.0.1:{srv.port}/?reset="), j
    STATE["newmember"] = j["person"]
    expect(a.call("POST", "/api/admin/accounts",
                  dict(email="new.member@example.org", name="Пётр Новый")), 409, "exists")
    expect(a.call("POST", "/api/admin/accounts", dict(email="x@example.org")), 400,
           "bad-request")
    # the new account signs in with its password; must change it
    r = Client(srv)
    me = r.login("reg.admin@example.org", "Long enough pass 2026!")
    assert me["mustChangePassword"] is True, me
    # a fresh reset link, and it works
    link = expect(a.call("POST", f"/api/admin/accounts/{STATE['newmember']}/reset"),
                  200)["resetLink"]
    token = link.split("?reset=", 1)[1]
    n = Client(srv)
    expect(n.call("POST", "/api/password-reset/confirm",
                  dict(token=token, new="Another long pass 2026!")), 200)
    n.login("new.member@example.org", "Another long pass 2026!")
    expect(a.call("POST", "/api/admin/accounts/999999/reset"), 404, "not-found")
    # block, unblock
    expect(a.call("POST", f"/api/admin/accounts/{STATE['newmember']}/block"), 200)
    j = expect(a.call("GET", f"/api/admin/people?org={STATE['primary']}"), 200)
    p = [x for x in j["people"] if x["id"] == STATE["newmember"]][0]
    assert p["blocked"] is True and p["account"] is True, p
    expect(a.call("POST", f"/api/admin/accounts/{STATE['newmember']}/unblock"), 200)
    # make the regional account an administrator of its region
    expect(a.call("POST", f"/api/admin/orgs/{STATE['region']}/admins",
                  dict(person=STATE["regadmin"])), 200)
    expect(a.call("POST", f"/api/admin/orgs/{STATE['region']}/admins",
                  dict(person=999999)), 404, "not-found")
    expect(a.call("POST", f"/api/admin/orgs/{STATE['region']}/admins", dict()), 400,
           "bad-request")
    STATE["regclient"] = r


@case
def people(srv):
    a = STATE["admin"]
    j = expect(a.call("GET", "/api/admin/people"), 200)
    names = [p["name"] for p in j["people"]]
    assert names == sorted(names, key=lambda s: s.encode()), names
    admin = [p for p in j["people"] if p["email"] == "admin@veche.demo"][0]
    assert admin["platformAdmin"] is True and admin["account"] is True, admin
    assert admin["mustChangePassword"] is False and admin["blocked"] is False, admin
    assert admin["org"] == STATE["root"] and admin["phone"] is None, admin
    new = [p for p in j["people"] if p["id"] == STATE["newmember"]][0]
    assert new == dict(id=STATE["newmember"], name="Пётр Новый", email="new.member@example.org",
                       phone=None, org=STATE["primary"], account=True, blocked=False,
                       mustChangePassword=False, platformAdmin=False), new
    # a region's administrator sees the region's subtree only
    r = STATE["regclient"]
    j = expect(r.call("GET", "/api/admin/people"), 200)
    assert sorted(p["id"] for p in j["people"]) == sorted([STATE["regadmin"],
                                                          STATE["newmember"]]), j
    j = expect(r.call("GET", "/api/admin/orgs"), 200)
    assert sorted(o["id"] for o in j["orgs"]) == sorted([STATE["region"], STATE["primary"]]), j
    expect(r.call("GET", f"/api/admin/people?org={STATE['root']}"), 403, "forbidden")
    expect(r.call("POST", "/api/admin/orgs", dict(name="Y", level="central")), 403,
           "forbidden")
    expect(r.call("GET", "/api/admin/people?org=abc"), 400, "bad-request")
    # ... but may build below it
    expect(r.call("POST", "/api/admin/orgs",
                  dict(name="Первичка №2", level="primary", parent=STATE["region"])), 201)


@case
def bodies_and_courses(srv):
    a = STATE["admin"]
    b = expect(a.call("POST", "/api/admin/bodies",
                      dict(org=STATE["primary"], name="Бюро", quorum=">=2/3")), 201)["id"]
    b2 = expect(a.call("POST", "/api/admin/bodies",
                       dict(org=STATE["primary"], name="Ревизоры")), 201)["id"]
    STATE["body"] = b
    expect(a.call("POST", "/api/admin/bodies",
                  dict(org=STATE["primary"], name="Бюро")), 409, "exists")
    expect(a.call("POST", "/api/admin/bodies",
                  dict(org=STATE["primary"], name="Z", quorum="half")), 400, "bad-quorum")
    expect(a.call("POST", "/api/admin/bodies",
                  dict(org=STATE["primary"], name="Z", quorum=">3/2")), 400, "bad-quorum")
    expect(a.call("POST", "/api/admin/bodies", dict(name="Z")), 400, "bad-request")
    expect(a.call("POST", "/api/admin/bodies", dict(org=999999, name="Z")), 404, "not-found")
    k = expect(a.call("POST", "/api/admin/courses",  # an id as a form gives it
                      dict(org=str(STATE["primary"]), name="Школа лидеров")), 201)["id"]
    STATE["course"] = k
    j = expect(a.call("GET", f"/api/admin/bodies?org={STATE['primary']}"), 200)
    assert j["bodies"] == [
        dict(id=b, org=STATE["primary"], name="Бюро", quorum={"op": ">=", "num": 2, "den": 3},
             members=0, voting=0, allowRecording=False),
        dict(id=b2, org=STATE["primary"], name="Ревизоры",
             quorum={"op": ">", "num": 1, "den": 2}, members=0, voting=0,
             allowRecording=False)], j
    j = expect(a.call("GET", f"/api/admin/courses?org={STATE['primary']}"), 200)
    assert j["courses"] == [dict(id=k, org=STATE["primary"], name="Школа лидеров",
                                 members=0)], j
    # the demo presidium is listed without ?org for the platform admin
    j = expect(a.call("GET", "/api/admin/bodies"), 200)
    assert any(x["name"] == "Президиум" and x["members"] == 6 and x["voting"] == 5
               for x in j["bodies"]), j


GOOD_CSV = ("full_name,email,role,voting,phone\r\n"
            "Анна Бюро,anna.buro@example.org,chair,yes,+7 900 000-00-01\r\n"
            "Борис Бюро,boris.buro@example.org,secretary,yes,\r\n"
            "Пётр Новый,NEW.MEMBER@example.org,member,no,\r\n")
BAD_CSV = ("full_name,email,role,voting\n"
           "Хорошая Строка,good.row@example.org,member,yes\n"
           "Плохая Почта,not-an-address,member,yes\n"
           "Плохая Роль,bad.role@example.org,king,yes\n")


@case
def rosters(srv):
    a = STATE["admin"]
    b = STATE["body"]
    j = expect(a.call("POST", f"/api/admin/roster/body/{b}", raw=GOOD_CSV, ctype="text/csv"),
               200)
    assert j["rows"] == 3 and j["personsCreated"] == 2 and j["personsExisting"] == 1, j
    j = expect(a.call("GET", f"/api/admin/roster/body/{b}"), 200)
    by_email = {m["email"].lower(): m for m in j["members"]}
    assert set(by_email) == {"anna.buro@example.org", "boris.buro@example.org",
                             "new.member@example.org"}, j
    anna = by_email["anna.buro@example.org"]
    assert anna["role"] == "chair" and anna["voting"] is True and anna["name"] == "Анна Бюро"
    assert by_email["new.member@example.org"]["person"] == STATE["newmember"]
    assert by_email["new.member@example.org"]["voting"] is False
    STATE["anna"] = anna["person"]
    # a bad file: every problem with its line, nothing imported
    st, j = a.call("POST", f"/api/admin/roster/body/{b}?replace=1", raw=BAD_CSV,
                   ctype="text/csv")
    assert st == 422 and j["error"] == "invalid-roster", (st, j)
    lines = sorted(i["line"] for i in j["issues"])
    assert lines == [3, 4], j
    assert all(i["message"] for i in j["issues"]), j
    j = expect(a.call("GET", f"/api/admin/roster/body/{b}"), 200)
    assert len(j["members"]) == 3, j
    st, j = a.call("GET", "/api/admin/people")
    assert not any(p["email"] == "good.row@example.org" for p in j["people"]), "imported"
    j = expect(a.call("GET", f"/api/admin/bodies?org={STATE['primary']}"), 200)
    bj = [x for x in j["bodies"] if x["id"] == b][0]
    assert bj["members"] == 3 and bj["voting"] == 2, bj
    # a course roster
    k = STATE["course"]
    csv = ("full_name,email,role\nЖанна Тренер,zhanna@example.org,trainer\n"
           "Анна Бюро,anna.buro@example.org,activist\n")
    expect(a.call("POST", f"/api/admin/roster/course/{k}", raw=csv, ctype="text/csv"), 200)
    j = expect(a.call("GET", f"/api/admin/roster/course/{k}"), 200)
    roles = sorted((m["email"], m["role"], m["voting"]) for m in j["members"])
    assert roles == [("anna.buro@example.org", "activist", False),
                     ("zhanna@example.org", "trainer", False)], roles
    expect(a.call("GET", "/api/admin/roster/body/999999"), 404, "not-found")
    expect(a.call("GET", "/api/admin/roster/course/999999"), 404, "not-found")


@case
def events(srv):
    a = STATE["admin"]
    j = expect(a.call("POST", "/api/admin/events",
                      dict(title="Заседание бюро", body=STATE["body"],
                           startsAt="2026-11-29T12:00:00Z", endsAt="2026-11-29T14:30")), 201)
    ev, room = j["id"], j["room"]
    assert 1 <= len(room) <= 64 and all(c.isalnum() or c in "_.-" for c in room), room
    k = expect(a.call("POST", "/api/admin/events",
                      dict(title="Занятие 1", course=STATE["course"], room="school-1",
                           startsAt="2026-12-01T10:00:00+03:00",
                           endsAt=1796122800)), 201)
    assert k["room"] == "school-1", k
    STATE["event"] = ev
    expect(a.call("POST", "/api/admin/events",
                  dict(title="Снова", course=STATE["course"], room="school-1",
                       startsAt="2026-12-01T10:00:00Z", endsAt="2026-12-01T11:00:00Z")),
           409, "exists")
    expect(a.call("POST", "/api/admin/events",
                  dict(title="Плохо", body=STATE["body"], startsAt="yesterday",
                       endsAt="2026-12-01T11:00:00Z")), 400, "bad-time")
    expect(a.call("POST", "/api/admin/events",
                  dict(title="Плохо", body=STATE["body"], startsAt="2026-12-01T12:00:00Z",
                       endsAt="2026-12-01T11:00:00Z")), 400, "bad-time")
    expect(a.call("POST", "/api/admin/events",
                  dict(title="Плохо", body=STATE["body"], course=STATE["course"],
                       startsAt="2026-12-01T10:00:00Z", endsAt="2026-12-01T11:00:00Z")),
           400, "bad-request")
    expect(a.call("POST", "/api/admin/events",
                  dict(title="Плохо", body=STATE["body"], room="a b",
                       startsAt="2026-12-01T10:00:00Z", endsAt="2026-12-01T11:00:00Z")),
           400, "bad-room")
    expect(a.call("POST", "/api/admin/events",
                  dict(title="Плохо", body=999999,
                       startsAt="2026-12-01T10:00:00Z", endsAt="2026-12-01T11:00:00Z")),
           404, "not-found")
    # guests: by id, and a new person by e-mail
    g1 = expect(a.call("POST", f"/api/admin/events/{ev}/guests",
                       dict(person=STATE["regadmin"])), 200)["person"]
    assert g1 == STATE["regadmin"]
    g2 = expect(a.call("POST", f"/api/admin/events/{ev}/guests",
                       dict(email="guest@example.org", name="Гость Гостев")), 200)["person"]
    again = expect(a.call("POST", f"/api/admin/events/{ev}/guests",
                          dict(email="GUEST@example.org")), 200)["person"]
    assert again == g2
    expect(a.call("POST", f"/api/admin/events/{ev}/guests",
                  dict(email="other@example.org")), 400, "bad-request")
    expect(a.call("POST", "/api/admin/events/999999/guests", dict(person=g1)), 404,
           "not-found")
    j = expect(a.call("GET", "/api/admin/events"), 200)
    mine = {e["id"]: e for e in j["events"]}
    assert mine[ev] == dict(id=ev, title="Заседание бюро", kind="meeting", room=room,
                            body=STATE["body"], course=None,
                            startsAt="2026-11-29T12:00:00Z", endsAt="2026-11-29T14:30:00Z",
                            guests=2, cancelled=False, maxParticipants=None), mine[ev]
    assert mine[k["id"]]["kind"] == "training" and mine[k["id"]]["course"] == STATE["course"]
    assert mine[k["id"]]["startsAt"] == "2026-12-01T07:00:00Z", mine[k["id"]]
    assert mine[k["id"]]["endsAt"] == "2026-12-01T11:00:00Z", mine[k["id"]]
    assert any(e["room"] == "demo-presidium" for e in j["events"]), j
    # the region's administrator sees the events of the region only
    j = expect(STATE["regclient"].call("GET", "/api/admin/events"), 200)
    assert sorted(e["id"] for e in j["events"]) == sorted([ev, k["id"]]), j
    # the guest is admitted: the event is in their list
    g = Client(srv)
    g.login("reg.admin@example.org", "Long enough pass 2026!")
    j = expect(g.call("GET", "/api/events"), 200)
    assert any(e["id"] == ev for e in j["events"]), j


def admin_routes():
    """(method, path, body) of every admin route, with ids that exist."""
    s = STATE
    return [
        ("GET", "/api/admin/orgs", None),
        ("POST", "/api/admin/orgs", dict(name="Q", level="regional", parent=s["root"])),
        ("POST", f"/api/admin/orgs/{s['root']}/admins", dict(person=s["anna"])),
        ("GET", "/api/admin/people", None),
        ("GET", f"/api/admin/people?org={s['root']}", None),
        ("POST", "/api/admin/accounts", dict(email="q@example.org", name="Q", org=s["root"])),
        ("POST", f"/api/admin/accounts/{s['newmember']}/block", None),
        ("POST", f"/api/admin/accounts/{s['newmember']}/unblock", None),
        ("POST", f"/api/admin/accounts/{s['newmember']}/reset", None),
        ("GET", "/api/admin/bodies", None),
        ("POST", "/api/admin/bodies", dict(org=s["root"], name="Q")),
        ("GET", "/api/admin/courses", None),
        ("POST", "/api/admin/courses", dict(org=s["root"], name="Q")),
        ("GET", f"/api/admin/roster/body/{s['body']}", None),
        ("GET", f"/api/admin/roster/course/{s['course']}", None),
        ("POST", f"/api/admin/roster/body/{s['body']}", "csv"),
        ("POST", f"/api/admin/roster/course/{s['course']}", "csv"),
        ("GET", "/api/admin/events", None),
        ("POST", "/api/admin/events", dict(title="Q", body=s["body"],
                                           startsAt="2026-12-01T10:00:00Z",
                                           endsAt="2026-12-01T11:00:00Z")),
        ("POST", f"/api/admin/events/{s['event']}/guests", dict(person=s["anna"])),
    ]


def send(cl, method, path, body):
    if body == "csv":
        return cl.call(method, path, raw=GOOD_CSV, ctype="text/csv")
    return cl.call(method, path, body)


@case
def non_admin_forbidden(srv):
    m = Client(srv)
    m.login("member1@veche.demo")
    for method, path, body in admin_routes():
        expect(send(m, method, path, body), 403, "forbidden")
    # an organization administrator outside their subtree (the demo
    # organization above their region)
    a, r = STATE["admin"], STATE["regclient"]
    root = STATE["root"]
    member1 = [p["id"] for p in a.call("GET", "/api/admin/people")[1]["people"]
               if p["email"] == "member1@veche.demo"][0]
    presidium = [b["id"] for b in a.call("GET", f"/api/admin/bodies?org={root}")[1]["bodies"]
                 if b["name"] == "Президиум"][0]
    school = [k["id"] for k in a.call("GET", f"/api/admin/courses?org={root}")[1]["courses"]
              if k["name"] == "Школа актива"][0]
    demo_ev = [e["id"] for e in a.call("GET", "/api/admin/events")[1]["events"]
               if e["room"] == "demo-presidium"][0]
    outside = [
        ("GET", f"/api/admin/orgs?org={root}", None),
        ("POST", "/api/admin/orgs", dict(name="Q", level="regional", parent=root)),
        ("POST", f"/api/admin/orgs/{root}/admins", dict(person=STATE["regadmin"])),
        ("POST", f"/api/admin/orgs/{STATE['region']}/admins", dict(person=member1)),
        ("GET", f"/api/admin/people?org={root}", None),
        ("POST", "/api/admin/accounts", dict(email="q@example.org", name="Q", org=root)),
        ("POST", f"/api/admin/accounts/{member1}/block", None),
        ("POST", f"/api/admin/accounts/{member1}/unblock", None),
        ("POST", f"/api/admin/accounts/{member1}/reset", None),
        ("GET", f"/api/admin/bodies?org={root}", None),
        ("POST", "/api/admin/bodies", dict(org=root, name="Q")),
        ("GET", f"/api/admin/courses?org={root}", None),
        ("POST", "/api/admin/courses", dict(org=root, name="Q")),
        ("GET", f"/api/admin/roster/body/{presidium}", None),
        ("GET", f"/api/admin/roster/course/{school}", None),
        ("POST", f"/api/admin/roster/body/{presidium}", "csv"),
        ("POST", f"/api/admin/roster/course/{school}", "csv"),
        ("GET", f"/api/admin/events?org={root}", None),
        ("POST", "/api/admin/events", dict(title="Q", body=presidium,
                                           startsAt="2026-12-01T10:00:00Z",
                                           endsAt="2026-12-01T11:00:00Z")),
        ("POST", f"/api/admin/events/{demo_ev}/guests", dict(person=STATE["regadmin"])),
    ]
    for method, path, body in outside:
        st, j = send(r, method, path, body)
        assert st == 403 and j["error"] == "forbidden", (method, path, st, j)
    # nothing of that happened
    j = expect(a.call("GET", f"/api/admin/roster/body/{presidium}"), 200)
    assert len(j["members"]) == 6, j


@case
def no_cookie_unauthorized(srv):
    n = Client(srv)
    for method, path, body in admin_routes():
        expect(send(n, method, path, body), 401, "sign-in-required")


@case
def bad_json(srv):
    a = STATE["admin"]
    for path in ("/api/admin/orgs", "/api/admin/accounts", "/api/admin/bodies",
                 "/api/admin/courses", "/api/admin/events",
                 f"/api/admin/orgs/{STATE['root']}/admins",
                 f"/api/admin/events/{STATE['event']}/guests"):
        expect(a.call("POST", path, raw="{not json"), 400, "bad-request")
        expect(a.call("POST", path, raw="[1, 2]"), 400, "bad-request")
    expect(a.call("GET", "/api/admin/nothing"), 404, "not-found")
    st, b = a.call("OPTIONS", "/api/admin/orgs")[:2]
    assert st == 405 and b["error"] == "method-not-allowed", (st, b)
    # DELETE is a method of the API now; on a collection it is no route
    expect(a.call("DELETE", "/api/admin/orgs"), 404, "not-found")


@case
def attendance_export_still_there(srv):
    a = STATE["admin"]
    st, text = a.call("GET", f"/api/events/{STATE['event']}/attendance.csv?format=rfc4180")
    assert st == 200 and "person" in text.lstrip("\ufeff").splitlines()[0], (st, text)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/server/veche")
    srv = Server(binary)

    def setup():
        STATE["admin"] = Client(srv)
        STATE["admin"].login("admin@veche.demo")
        return srv
    return run_cases(srv, CASES, setup, private=("@example.org", "@veche.demo"))


if __name__ == "__main__":
    sys.exit(main())
