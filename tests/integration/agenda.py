#!/usr/bin/env python3
"""agenda.py - the agenda and the speakers list of a meeting (TAP).

Runs the real server with the demo organization (docs/api.md): the chair
and the secretary prepare the agenda over the API, the chair moves through
it in the room and everyone sees the current item (a late joiner in
`joined`), the items' times are in the database and survive kill -9;
members ask for the floor, the chair reorders, skips and gives it with a
time limit, and the list starts afresh on the next item; a member whose
connection drops keeps their place (marked away) and has it back when they
resume, one who leaves, or does not come back within the resume grace
(resume_grace_seconds, GRACE here), is taken off the list.

Changes made outside the room while the meeting runs reach it at once:
over the API (the server tells the room), and with vechectl from another
process (the server notices the database's data version move within a
second or so).

usage: agenda.py VECHE_BINARY VECHECTL
"""
import os
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import DEMO, Server, run_cases  # noqa: E402

MEETING = 1    # the demo presidium's meeting (demo.c)
GRACE = 4      # resume_grace_seconds of this server
VECHECTL = None
TRAINING = 2   # the demo training


def db_items(srv):
    c = sqlite3.connect(os.path.join(srv.data, "veche.db"))
    try:
        return c.execute("SELECT id, position, title, speaker, started_at, ended_at"
                         " FROM agenda_item WHERE event_id = ? ORDER BY position",
                         (MEETING,)).fetchall()
    finally:
        c.close()


def agenda_msg(w, pred=lambda m: True, timeout=10):
    return w.wait_for(lambda m: m.get("type") == "agenda" and pred(m), timeout)


def speakers_msg(w, pred=lambda m: True, timeout=10):
    return w.wait_for(lambda m: m.get("type") == "speakers" and pred(m), timeout)


def error(w, code, timeout=10):
    m = w.wait_for(lambda m: m.get("type") in ("error",), timeout)
    assert m["code"] == code and m.get("reason"), m
    return m


class Ctx:
    def __init__(self, srv):
        self.srv = srv
        self.cookies = {}
        self.items = []

    def cookie(self, who):
        if who not in self.cookies:
            self.cookies[who] = self.srv.login(who + DEMO)[0]
        return self.cookies[who]

    def join(self, who, event=MEETING):
        return self.srv.join_event(self.cookie(who), event)


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def prepared_over_the_api(x):
    srv = x.srv
    st, b, _ = srv.api("GET", f"/api/events/{MEETING}/agenda", cookie=x.cookie("member1"))
    assert st == 200 and b["items"] == [] and b["current"] is None, (st, b)
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda",
                       {"title": "Отчёт председателя", "speaker": "Иванов И. И."},
                       cookie=x.cookie("chair"))
    assert st == 201 and len(b["items"]) == 1, (st, b)
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda", {"title": "Бюджет"},
                       cookie=x.cookie("secretary"))
    assert st == 201 and len(b["items"]) == 2, (st, b)
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda", {"title": "Разное"},
                       cookie=x.cookie("chair"))
    assert st == 201, (st, b)
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda", {"title": "Лишнее"},
                       cookie=x.cookie("chair"))
    extra = b["items"][-1]["id"]
    # a member may read, not change
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda", {"title": "Моё"},
                       cookie=x.cookie("member1"))
    assert st == 403 and b["error"] == "forbidden", (st, b)
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda", {"title": ""},
                       cookie=x.cookie("chair"))
    assert st == 400 and b["error"] == "bad-request", (st, b)
    st, b, _ = srv.api("GET", f"/api/events/{MEETING}/agenda", cookie=x.cookie("outsider"))
    assert st == 403, (st, b)
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda/{extra}/remove",
                       cookie=x.cookie("chair"))
    assert st == 200 and len(b["items"]) == 3, (st, b)
    budget = b["items"][1]["id"]
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda/{extra}/remove",
                       cookie=x.cookie("chair"))
    assert st == 404, (st, b)
    # Бюджет to the top, then back
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda/{budget}/move", {"position": 1},
                       cookie=x.cookie("chair"))
    assert st == 200 and [i["title"] for i in b["items"]] == \
        ["Бюджет", "Отчёт председателя", "Разное"], b
    assert [i["position"] for i in b["items"]] == [1, 2, 3], b
    st, b, _ = srv.api("POST", f"/api/events/{MEETING}/agenda/{budget}/move", {"position": 2},
                       cookie=x.cookie("chair"))
    assert [i["title"] for i in b["items"]] == ["Отчёт председателя", "Бюджет", "Разное"], b
    assert b["items"][0]["speaker"] == "Иванов И. И." and b["items"][1]["speaker"] is None, b
    x.items = [i["id"] for i in b["items"]]


@case
def chair_moves_through_and_everyone_sees(x):
    c, cj = x.join("chair")
    assert [i["id"] for i in cj["agenda"]["items"]] == x.items, cj["agenda"]
    assert cj["agenda"]["current"] is None, cj["agenda"]
    m, mj = x.join("member1")
    assert mj["agenda"]["current"] is None
    # a member may not move the agenda
    m.send(dict(type="agenda-next", id="n"))
    assert error(m, "forbidden")["id"] == "n"
    t0 = int(time.time())
    c.send(dict(type="agenda-next", id=1))
    a = agenda_msg(m, lambda a: a["current"] == x.items[0])
    first = a["items"][0]
    assert first["startedAt"] and first["endedAt"] is None and abs(first["startedAt"] - t0) <= 2, a
    c.wait_for(lambda r: r.get("type") == "ok" and r.get("id") == 1, 10)
    time.sleep(1.1)  # whole seconds: the next item opens a second later
    c.send(dict(type="agenda-next", id=2))
    a = agenda_msg(m, lambda a: a["current"] == x.items[1])
    assert a["items"][0]["endedAt"] >= a["items"][0]["startedAt"] + 1, a
    assert a["items"][1]["startedAt"] == a["items"][0]["endedAt"], a
    # added during the meeting: everyone sees it, the current item stays
    c.send(dict(type="agenda-add", id=3, title="Срочный вопрос", speaker="Секретарёв Б."))
    ok = c.wait_for(lambda r: r.get("type") == "ok" and r.get("id") == 3, 10)
    a = agenda_msg(m, lambda a: len(a["items"]) == 4)
    assert a["current"] == x.items[1] and a["items"][3]["id"] == ok["item"], a
    assert a["items"][3]["title"] == "Срочный вопрос", a
    x.items.append(ok["item"])
    # go to an item, and back
    c.send(dict(type="agenda-go", id=4, item=x.items[3]))
    agenda_msg(m, lambda a: a["current"] == x.items[3])
    c.send(dict(type="agenda-previous", id=5))
    agenda_msg(m, lambda a: a["current"] == x.items[2])
    # refusals
    c.send(dict(type="agenda-go", id=6, item=999999))
    assert error(c, "no-such-item")["id"] == 6
    c.send(dict(type="agenda-remove", id=7, item=x.items[0]))
    assert error(c, "item-started")["id"] == 7
    c.send(dict(type="agenda-add", id=8, title="x" * 201))
    assert error(c, "bad-request")["id"] == 8
    c.send(dict(type="agenda-move", id=9, item=x.items[3], position=0))
    assert error(c, "bad-request")["id"] == 9
    # the database has the times the room was told
    rows = {r[0]: r for r in db_items(x.srv)}
    assert rows[x.items[0]][4] == first["startedAt"] and rows[x.items[0]][5], rows
    assert rows[x.items[2]][4] and rows[x.items[2]][5] is None, rows
    assert rows[x.items[3]][4] and rows[x.items[3]][5], rows
    x.chair, x.member = (c, cj), (m, mj)


@case
def late_joiner_sees_the_current_item(x):
    w, j = x.join("member2")
    assert j["agenda"]["current"] == x.items[2], j["agenda"]
    assert [i["title"] for i in j["agenda"]["items"]][2] == "Разное", j["agenda"]
    assert j["speakers"]["now"] and dict(j["speakers"], now=0) == {
        "now": 0, "list": [], "away": [], "speaking": None, "since": None, "deadline": None,
        "limit": 0, "item": x.items[2]}, j["speakers"]
    x.member2 = (w, j)


@case
def members_ask_the_chair_gives_the_floor(x):
    c, cj = x.chair
    m1, m1j = x.member
    m2, m2j = x.member2
    m3, m3j = x.join("member3")
    p1, p2, p3 = m1j["participant"], m2j["participant"], m3j["participant"]
    c.send(dict(type="speak-request", id="c"))  # the chair gives, it does not ask
    assert error(c, "forbidden")["id"] == "c"
    m1.send(dict(type="raise-hand", id="h"))    # a meeting has the list instead
    assert error(m1, "forbidden")["id"] == "h"
    m1.send(dict(type="speak-request"))
    speakers_msg(c, lambda s: s["list"] == [p1])
    m2.send(dict(type="speak-request"))
    m3.send(dict(type="speak-request"))
    s = speakers_msg(m3, lambda s: s["list"] == [p1, p2, p3])
    m2.send(dict(type="speak-withdraw"))
    speakers_msg(c, lambda s: s["list"] == [p1, p3])
    m1.send(dict(type="speakers-give", id="g"))  # not the chair
    assert error(m1, "forbidden")["id"] == "g"
    c.send(dict(type="speakers-move", participant=p3, position=1, id="mv"))
    speakers_msg(m1, lambda s: s["list"] == [p3, p1])
    c.send(dict(type="speakers-limit", seconds=120))
    speakers_msg(m1, lambda s: s["limit"] == 120)
    c.send(dict(type="speakers-give", seconds=90, id="give"))
    s = speakers_msg(m1, lambda s: s["speaking"] == p3)
    assert s["list"] == [p1] and s["deadline"] - s["since"] == 90000, s
    assert abs(s["since"] / 1000 - time.time()) < 5, s
    m3.wait_for(lambda f: f.get("type") == "floor" and f["participant"] == p3 and f["granted"], 10)
    # the next one gets the room's limit, and the floor moves
    c.send(dict(type="speakers-give"))
    m3.wait_for(lambda f: f.get("type") == "floor" and f["participant"] == p3 and
                not f["granted"], 10)
    s = speakers_msg(m3, lambda s: s["speaking"] == p1)
    assert s["list"] == [] and s["deadline"] - s["since"] == 120000, s
    assert 119000 <= s["deadline"] - s["now"] <= 120000, s
    c.send(dict(type="speakers-give", id="none"))
    assert error(c, "no-speakers")["id"] == "none"
    m2.send(dict(type="speak-request"))
    speakers_msg(c, lambda s: s["list"] == [p2])
    c.send(dict(type="speakers-skip", participant=p2))
    speakers_msg(m2, lambda s: s["list"] == [])
    c.send(dict(type="speakers-skip", participant=p2, id="sk"))
    assert error(c, "not-listed")["id"] == "sk"
    m1.send(dict(type="speakers-done"))  # the speaker ends their own speech
    speakers_msg(c, lambda s: s["speaking"] is None)
    # the next item: the list starts afresh
    m2.send(dict(type="speak-request"))
    m3.send(dict(type="speak-request"))
    speakers_msg(c, lambda s: s["list"] == [p2, p3])
    c.send(dict(type="speakers-give"))
    speakers_msg(c, lambda s: s["speaking"] == p2)
    c.send(dict(type="agenda-next"))
    s = speakers_msg(m3, lambda s: s["item"] == x.items[3])
    assert s["list"] == [] and s["speaking"] is None, s
    assert s["item"] == x.items[3], s
    m2.wait_for(lambda f: f.get("type") == "floor" and f["participant"] == p2 and
                not f["granted"], 10)
    m3.close()


def vechectl(x, *args):
    r = subprocess.run([VECHECTL, "--db", os.path.join(x.srv.data, "veche.db"), "agenda",
                        *args], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (args, r.returncode, r.stdout, r.stderr)
    return r.stdout.strip()


@case
def changes_elsewhere_reach_the_room(x):
    c, _ = x.chair
    m1, _ = x.member
    titles = lambda a: [i["title"] for i in a["items"]]  # noqa: E731
    # the secretary adds an item over the API while the meeting runs
    t0 = time.time()
    st, b, _ = x.srv.api("POST", f"/api/events/{MEETING}/agenda", {"title": "Из API"},
                         cookie=x.cookie("secretary"))
    assert st == 201, (st, b)
    api_item = b["items"][-1]["id"]
    a = agenda_msg(m1, lambda a: "Из API" in titles(a), timeout=5)
    assert a["current"] == x.items[3] and time.time() - t0 < 5, (a, time.time() - t0)
    # vechectl, another process writing the database: the room hears it too
    t0 = time.time()
    ctl_item = int(vechectl(x, "add", str(MEETING), "Из vechectl", "Петров П. П."))
    a = agenda_msg(m1, lambda a: "Из vechectl" in titles(a), timeout=10)
    took = time.time() - t0
    assert a["items"][-1] == {"id": ctl_item, "position": 6, "title": "Из vechectl",
                              "speaker": "Петров П. П.", "startedAt": None,
                              "endedAt": None}, a
    assert took < 5, took  # a one-second watch, not the next in-room change
    print(f"# a vechectl change reached the room after {took:.2f} s", flush=True)
    agenda_msg(c, lambda a: "Из vechectl" in titles(a), timeout=5)
    vechectl(x, "move", str(MEETING), str(ctl_item), "5")
    a = agenda_msg(m1, lambda a: titles(a)[-2:] == ["Из vechectl", "Из API"], timeout=10)
    vechectl(x, "remove", str(MEETING), str(ctl_item))
    agenda_msg(m1, lambda a: "Из vechectl" not in titles(a), timeout=10)
    st, b, _ = x.srv.api("POST", f"/api/events/{MEETING}/agenda/{api_item}/remove",
                         cookie=x.cookie("chair"))
    assert st == 200, (st, b)
    a = agenda_msg(m1, lambda a: "Из API" not in titles(a), timeout=5)
    assert [i["id"] for i in a["items"]] == x.items and a["current"] == x.items[3], a


@case
def dropped_speaker_keeps_the_place(x):
    c, _ = x.chair
    m2, m2j = x.member2
    m3, m3j = x.join("member3")
    p2, p3 = m2j["participant"], m3j["participant"]
    m2.send(dict(type="speak-request"))
    m3.send(dict(type="speak-request"))
    speakers_msg(c, lambda s: s["list"] == [p2, p3])
    # p2's network goes: the socket is gone, no goodbye
    m2.sock.close()
    c.wait_for(lambda m: m.get("type") == "participant-left" and m["participant"] == p2, 10)
    s = speakers_msg(c, lambda s: s["away"] == [p2])
    assert s["list"] == [p2, p3], s
    # while p2 is away, "next speaker" passes over them, keeping their place
    m3.send(dict(type="speak-withdraw"))
    speakers_msg(c, lambda s: s["list"] == [p2])
    c.send(dict(type="speakers-give", id="g"))
    assert error(c, "no-speakers")["id"] == "g"
    m3.send(dict(type="speak-request"))
    speakers_msg(c, lambda s: s["list"] == [p2, p3])
    # back within the grace: the same participant, first in the list again
    w, j = x.srv.join_event(x.cookie("member2"), MEETING,
                            resume=dict(participant=p2, key=m2j["resumeKey"]))
    assert j["participant"] == p2, j
    assert j["speakers"]["list"] == [p2, p3] and j["speakers"]["away"] == [], j["speakers"]
    s = speakers_msg(c, lambda s: s["away"] == [])
    assert s["list"] == [p2, p3], s
    x.member2 = (w, j)
    key = j["resumeKey"]
    # one who says goodbye is off the list at once
    m3.send(dict(type="leave"))
    speakers_msg(c, lambda s: s["list"] == [p2] and s["away"] == [])
    m3.close()
    # one who drops and does not come back within the grace is removed
    w.sock.close()
    speakers_msg(c, lambda s: s["away"] == [p2])
    t0 = time.time()
    s = speakers_msg(c, lambda s: s["list"] == [], timeout=GRACE + 15)
    assert s["away"] == [] and time.time() - t0 >= GRACE - 1.5, (s, time.time() - t0)
    # and coming back after that is a new participant, not on the list
    w, j = x.srv.join_event(x.cookie("member2"), MEETING,
                            resume=dict(participant=p2, key=key))
    assert j["participant"] != p2 and j["speakers"]["list"] == [], j
    # one speaking whose connection drops loses the floor, also on resuming
    p2 = j["participant"]
    c.send(dict(type="speakers-give", participant=p2))
    speakers_msg(c, lambda s: s["speaking"] == p2)
    w.wait_for(lambda f: f.get("type") == "floor" and f["participant"] == p2 and f["granted"], 10)
    w.sock.close()
    speakers_msg(c, lambda s: s["speaking"] is None and s["list"] == [])
    w, j = x.srv.join_event(x.cookie("member2"), MEETING,
                            resume=dict(participant=p2, key=j["resumeKey"]))
    assert j["participant"] == p2 and j["floor"] is False, j
    assert j["speakers"]["speaking"] is None, j["speakers"]
    x.member2 = (w, j)


@case
def training_keeps_the_raised_hand(x):
    t, _ = x.join("trainer", TRAINING)
    a, aj = x.join("activist1", TRAINING)
    assert "speakers" not in aj, aj
    a.send(dict(type="speak-request", id="s"))
    assert error(a, "unsupported")["id"] == "s"
    a.send(dict(type="raise-hand"))
    t.wait_for(lambda h: h.get("type") == "hand" and h["participant"] == aj["participant"], 10)
    t.send(dict(type="agenda-next", id="n"))  # the training has no agenda items
    assert error(t, "no-such-item")["id"] == "n"
    a.close()
    t.close()


@case
def kill9_keeps_the_times(x):
    before = db_items(x.srv)
    assert any(r[4] and r[5] is None for r in before), before
    for w, _ in (x.chair, x.member, x.member2):
        w.close()
    x.srv.kill9()
    x.srv.start()
    x.cookies = {}
    after = db_items(x.srv)
    assert after == before, (before, after)
    w, j = x.join("member1")
    assert j["agenda"]["current"] == x.items[3], j["agenda"]
    got = {i["id"]: (i["startedAt"], i["endedAt"]) for i in j["agenda"]["items"]}
    assert got == {r[0]: (r[4], r[5]) for r in before}, (got, before)
    c, _ = x.join("chair")
    c.send(dict(type="agenda-next", id="end"))  # past the last item: none is current
    a = agenda_msg(w, lambda a: a["current"] is None)
    assert all(i["endedAt"] for i in a["items"]), a
    c.close()
    w.close()


def main():
    global VECHECTL
    VECHECTL = sys.argv[2]
    srv = Server(sys.argv[1], settings=[f"resume_grace_seconds={GRACE}"])
    sys.exit(run_cases(srv, CASES, lambda: Ctx(srv)))


if __name__ == "__main__":
    main()
