#!/usr/bin/env python3
"""bigroom.py - lessons and conferences at their real size (issue 14),
through the real server, signalling only.

  bigroom.py path/to/veche path/to/vechectl
Prints TAP.  Run with Debian's /usr/bin/python3, which has
python3-websockets (the independent WebSocket client of the close-frame
check).  Checks:
  1. join storm: a 10,000-person course roster, 300 activists join a
     training within 20 s; the trainer stays, receives under 2 MB in all,
     its roll (snapshot + deltas) ends with everyone, attendance deltas
     come at most every 250 ms, join p99 under JOIN_P99 (generous for a
     loaded 2-core CI runner; before issue 14 the trainer was thrown out
     of this storm and p99 was 7.9 s).
  2. a slow host: the trainer reads 50 kB/s while 200 join within 5 s:
     not disconnected, and its final counts are right.
  3. a really stuck peer: it stops reading while chat floods the room;
     the server closes it with a valid close frame (1008, UTF-8 reason),
     checked by python3-websockets, which rejects any malformed frame.
  4. flood: in a room of four, one member sends 5,000 chat messages of
     2 kB within a second; the others (taking 1 ms per message) receive
     at most the rate limit's worth, nobody is disconnected, the flooder
     gets `rate-limited`.
  5. room sizes: a full room says `room-full` with its limit; an event's
     own limit (vechectl event-edit limit, the admin API's maxParticipants)
     is the one applied and named.
  6. activists get counts, not the roster: while 200 activists join a
     training, an activist already there receives no `participant-joined`
     and at most one `room-size` every 2 s (a bound that does not grow with
     the room); the trainer still gets everyone; whoever is given the floor
     is then announced to the activists.
  7. session lifetime per organization: its administrator sets it (API);
     a sign-in then lasts that long, a session in use slides, joining an
     event holds it to the event's end, an unused one expires.
  8. a delegates' conference: 300 members of a body in one meeting
     (signalling only); members ask for the floor, the chair gives it and
     opens a vote; the chair's round trips stay bounded.
"""
import asyncio
import json
import multiprocessing
import os
import socket
import ssl
import struct
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "bench"))
from accounts import Server, run_cases  # noqa: E402
from wsclient import WS, Closed  # noqa: E402
import join_storm  # noqa: E402
from accounts import PASSWORD  # noqa: E402

JOIN_P99 = 3.0          # seconds, at CI size on an idle runner; see join_storm_ci
BYTES_BOUND = 2_000_000
CASES = []


def case(fn):
    CASES.append(fn)
    return fn


class Ctx:
    def __init__(self, veche, vechectl):
        self.veche, self.vechectl = veche, vechectl
        self.srv = Server(veche, settings=["max_training_participants=1000"])
        self.db = os.path.join(self.srv.data, "veche.db")

    def ctl(self, *args):
        return join_storm.vechectl(self.vechectl, self.db, *args)


@case
def join_storm_ci(x):
    event, tc, cookies, _ = join_storm.make_lesson(x.srv, x.vechectl, 10000, 300, tag="ci")
    res, t, workers = join_storm.storm(x.srv, event, tc, cookies, spread=20)
    print("# " + json.dumps(res, ensure_ascii=False))
    try:
        assert res["errors"] == 0 and res["joined"] == 300, res
        assert res["trainer_stayed"], res
        assert res["final_present"] == 301 and res["final_total"] == 10000, res
        assert res["trainer_bytes"] < BYTES_BOUND, res
        deltas = res["trainer_types"].get("attendance-delta", 0)
        assert deltas <= res["storm_s"] / 0.25 + 8, res  # coalesced: <= 4 a second
        assert "attendance" not in res["trainer_types"], res  # one snapshot, before
        # 3 s on an idle runner (7.9 s before issue 14); on a loaded one
        # (or under ASan) the loop's own stalls, as /healthz sees them, are
        # allowed on top, three times over
        bound = JOIN_P99 * 1000 + 3 * res["healthz_p99_ms"]
        assert res["join_p99_ms"] < bound, (bound, res)
        # they all leave or drop: the roll ends with the trainer alone
        r = t.wait_roll(lambda y: y["present"] == 1, 60)
        assert len(r["people"]) == 1, r
    finally:
        join_storm.finish(workers)
        t.close()


@case
def slow_host_not_dropped(x):
    event, tc, cookies, _ = join_storm.make_lesson(x.srv, x.vechectl, 10000, 200, tag="slow")
    res, t, workers = join_storm.storm(x.srv, event, tc, cookies, spread=5,
                                       trainer_read_rate=50_000)
    print("# " + json.dumps(res, ensure_ascii=False))
    try:
        assert res["trainer_stayed"], res
        assert res["joined"] == 200 and res["final_present"] == 201, res
        # half leave, half drop: still read at 50 kB/s, the counts end right
        r = t.wait_roll(lambda y: y["present"] == 1, 60)
        assert len(r["people"]) == 1 and r["total"] == 10000, r
        t.send(dict(type="ping", id="p"))
        t.wait_for(lambda m: m.get("type") == "pong", 15)
    finally:
        join_storm.finish(workers)
        t.close()


def chat_frame(text):
    """A masked text frame (zero mask key: the payload unchanged), built once."""
    payload = json.dumps(dict(type="chat", text=text)).encode()
    n = len(payload)
    head = bytes([0x81]) + (bytes([0x80 | 126]) + struct.pack("!H", n) if n < 65536
                            else bytes([0x80 | 127]) + struct.pack("!Q", n))
    return head + b"\0\0\0\0" + payload


def anon_join(port, room, name, **kw):
    w = WS(port, timeout=15, **kw)
    w.send(dict(type="join", room=room, name=name))
    j = w.wait_for(lambda m: m.get("type") in ("joined", "error"), 15)
    assert j["type"] == "joined", j
    return w, j


@case
def flood_rate_limited(x):
    port = x.srv.port
    flooder, _ = anon_join(port, "flood-room", "Flooder")
    readers = [anon_join(port, "flood-room", f"Reader {i}")[0] for i in range(3)]
    got = {i: 0 for i in range(3)}
    closed = {}
    stop = threading.Event()

    def read(i, w):  # a browser rendering chat: 1 ms per message
        while not stop.is_set():
            try:
                m = w.recv(0.5)
            except (socket.timeout, TimeoutError):
                continue
            except (Closed, OSError) as e:
                closed[i] = repr(e)
                return
            if m.get("type") == "chat":
                got[i] += 1
            time.sleep(0.001)

    ths = [threading.Thread(target=read, args=(i, w), daemon=True) for i, w in enumerate(readers)]
    for th in ths:
        th.start()
    frame = chat_frame("ж" * 1000)  # 2 kB of UTF-8
    t0 = time.perf_counter()
    batch = frame * 250
    for _ in range(20):  # 5,000 messages
        flooder.sock.sendall(batch)
    sent_s = time.perf_counter() - t0
    limited = ok_chat = 0
    end = time.time() + 30
    while limited + ok_chat < 5000 and time.time() < end:
        try:
            m = flooder.recv(2)
        except (socket.timeout, TimeoutError):
            continue
        if m.get("type") == "error":
            assert m["code"] == "rate-limited" and "a minute" in m["reason"], m
            limited += 1
        elif m.get("type") == "chat" and m.get("name") == "Flooder":
            ok_chat += 1
    elapsed = time.perf_counter() - t0
    time.sleep(2)
    stop.set()
    for th in ths:
        th.join(5)
    print(f"# 5000 chats sent in {sent_s:.2f} s; {ok_chat} broadcast, {limited} rate-limited;"
          f" readers got {got}")
    allowed = 10 + 30 * (elapsed + 2) / 60 + 1  # burst + rate over the whole run
    assert ok_chat + limited == 5000, (ok_chat, limited)
    assert 10 <= ok_chat <= allowed, (ok_chat, allowed)
    assert all(1 <= n <= allowed for n in got.values()), got
    assert not closed, closed
    for w in readers + [flooder]:  # everyone still connected
        w.send(dict(type="ping", id="p"))
        w.wait_for(lambda m: m.get("type") == "pong", 15)
        w.close()


@case
def room_full_names_limit(x):
    srv = Server(x.veche, settings=["max_room_participants=2"])
    try:
        a, _ = anon_join(srv.port, "small", "A")
        b, _ = anon_join(srv.port, "small", "B")
        c = WS(srv.port, timeout=15)
        c.send(dict(type="join", room="small", name="C", id=5))
        e = c.wait_for(lambda m: m.get("type") in ("joined", "error"), 15)
        assert e["type"] == "error" and e["code"] == "room-full" and e["id"] == 5, e
        assert "at most 2 people" in e["reason"], e
        for w in (a, b, c):
            w.close()
    finally:
        srv.stop()


def crowd(x, event, cookies, spread):
    """join_storm's joiners: cookies join event from 4 processes within
    spread seconds.  Returns (latencies, errors, stop, workers); set stop and
    join_storm.finish(workers) to make them leave."""
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    workers, jq = join_storm.joiners(ctx, x.srv.port, event, cookies, spread, stop, 0.3)
    for w in workers:
        w.start()
    lat, errors = join_storm.gather(workers, jq, spread + 300)
    return lat, errors, stop, workers


def rtt(w, msg, reply, timeout=60):
    """Send msg with a fresh id; seconds until the answer with that id
    (reply: its type; an error fails)."""
    rid = f"r{time.monotonic_ns()}"
    t0 = time.perf_counter()
    w.send(dict(msg, id=rid))
    m = w.wait_for(lambda y: y.get("id") == rid, timeout)
    assert m["type"] == reply, (msg, m)
    return time.perf_counter() - t0, m


CONF_RTT = 3.0  # s: the chair's p99 (generous: a loaded 2-core runner, ASan)
VOTE_MEMBER_BYTES = 50_000  # a member's vote traffic: open + 300 ballots + close


def caster_process(port, event, vote, jobs, out):
    """For each (cookie, start time) of jobs, on a thread of its own: a
    second connection of that delegate (a second tab) joins, casts `for`
    and stays until the vote-recorded; report the errors."""

    def cast(cookie):
        w = WS(port, cookie=cookie, timeout=60)
        w.send(dict(type="join", event=event, id="j"))
        m = w.wait_for(lambda y: y.get("id") == "j", 60)
        assert m["type"] == "joined", m
        w.send(dict(type="vote-cast", vote=vote, option=0, id="c"))
        m = w.wait_for(lambda y: y.get("id") == "c", 60)
        assert m["type"] == "vote-recorded", m
        w.close()

    out.put(join_storm.at_times(jobs, cast))


def count_vote_bytes(w):
    """From now on, w.vote_bytes sums the size of the `vote` and
    `vote-progress` messages w receives (compact JSON, as the server sends)."""
    w.vote_bytes, w.vote_msgs, recv = 0, 0, w.recv

    def counting(timeout=5.0):
        m = recv(timeout)
        if isinstance(m, dict) and m.get("type") in ("vote", "vote-progress"):
            w.vote_bytes += len(json.dumps(m, ensure_ascii=False, separators=(",", ":")).encode())
            w.vote_msgs += 1
        return m
    w.recv = counting


@case
def delegates_conference_300(x):
    """A delegates' conference: a body of 300 voting delegates, its chair and
    secretary in one meeting whose own limit (event-add --limit 600) is above
    the meeting default of 100 (and above the 302 delegates plus the second
    tabs they vote from: on a loaded runner many of those are open at once).  While the delegates join within 20 s the chair
    pings; then ten delegates ask for the floor, the chair gives it down the
    list, opens a vote, all 300 and the chair vote, and the chair closes
    it; a delegate's vote messages stay under VOTE_MEMBER_BYTES.  The
    chair's round trips stay bounded (ping p95 during the storm, each
    request after it) and the chair's roll ends with everyone."""
    import sqlite3
    tag, n, asking = "conf", 300, 10
    org = x.ctl("org-add", "central", f"Профсоюз {tag}")
    body = x.ctl("body-add", org, f"Конференция {tag}")
    csv_path = os.path.join(x.srv.data, f"roster-{tag}.csv")
    with open(csv_path, "w", encoding="utf-8") as f:
        f.write("full_name,email,role\n")
        f.write(f"Председатель Конференции,chair-{tag}@conf.test,chair\n")
        f.write(f"Секретарь Конференции,secretary-{tag}@conf.test,secretary\n")
        for i in range(n):
            f.write(f"Делегат Номер {i},d{i}-{tag}@conf.test,member\n")
    x.ctl("import-roster", "body", body, csv_path)
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 6 * 3600))
    event = int(x.ctl("event-add", "body", body, "Конференция", start, end, f"room-{tag}",
                      "--limit", "600").split()[0])
    db = sqlite3.connect(x.db, timeout=30)
    ids = dict(db.execute("SELECT email, id FROM person WHERE email LIKE ?", (f"%-{tag}@conf.test",)))
    cookie = {e: join_storm.new_session(db, i) for e, i in ids.items()}
    db.commit()
    db.close()
    chair, cj = x.srv.join_event(cookie[f"chair-{tag}@conf.test"], event)
    assert cj["role"] == "chair", cj
    chair.wait_roll(lambda r: True, 15)
    sec, _ = x.srv.join_event(cookie[f"secretary-{tag}@conf.test"], event)
    delegates = [cookie[f"d{i}-{tag}@conf.test"] for i in range(n)]
    speakers = [x.srv.join_event(c, event) for c in delegates[:asking]]
    pings, stop_ping = [], threading.Event()
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    rest = delegates[asking:]
    workers, jq = join_storm.joiners(ctx, x.srv.port, event, rest, 20, stop, 0.3)
    hq, hstop = ctx.Queue(), ctx.Event()
    hp = ctx.Process(target=join_storm.healthz_poller, args=(x.srv.port, hstop, hq), daemon=True)
    try:
        hp.start()
        for w in workers:
            w.start()
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < 21:  # the chair pings through the storm
            pings.append(rtt(chair, dict(type="ping"), "pong")[0])
            time.sleep(0.1)
        lat, errors = join_storm.gather(workers, jq, 300)
        hstop.set()  # /healthz through the storm
        health = hq.get(timeout=60)
        hp.join(5)
        assert not errors and len(lat) == n - asking, errors[:3]
        r = chair.wait_roll(lambda y: y["present"] == n + 2, 60)
        assert r["total"] == n + 2, r
        ops = {}
        for w, j in speakers:
            rtt(w, dict(type="speak-request"), "ok")
        for _ in range(asking):  # down the list, each in turn
            dt, _ = rtt(chair, dict(type="speakers-give"), "ok")
            ops.setdefault("speakers-give", []).append(dt)
        dt, _ = rtt(chair, dict(type="speakers-done"), "ok")
        ops["speakers-done"] = [dt]
        watch = speakers[0][0]  # a delegate: every vote message it gets is counted
        count_vote_bytes(watch)
        dt, m = rtt(chair, dict(type="vote-open", question="Утвердить регламент?"), "vote-opened")
        ops["vote-open"] = [dt]
        vote = m["vote"]
        vmsg = chair.wait_for(lambda y: y.get("type") == "vote" and y["vote"]["id"] == vote, 30)
        vote_bytes = len(json.dumps(vmsg, ensure_ascii=False).encode())
        assert "voters" not in vmsg["vote"] and vmsg["vote"]["entitled"] == n + 2, vmsg["vote"]
        # every delegate votes: the 290 in the workers from a second tab
        # each, over 10 s, the ten speakers and the chair from here
        cq = ctx.Queue()
        t0 = time.time() + 0.3
        cjobs = [(c, t0 + 10 * i / len(rest)) for i, c in enumerate(rest)]
        casters = [ctx.Process(target=caster_process,
                               args=(x.srv.port, event, vote, cjobs[k::4], cq), daemon=True)
                   for k in range(4)]
        for p in casters:
            p.start()
        for w, _ in speakers:
            rtt(w, dict(type="vote-cast", vote=vote, option=0), "vote-recorded")
        rtt(chair, dict(type="vote-cast", vote=vote, option=0), "vote-recorded")
        cast_errors = []
        for _ in casters:
            cast_errors += cq.get(timeout=300)
        for p in casters:
            p.join(30)
        assert not cast_errors, cast_errors[:3]
        dt, _ = rtt(chair, dict(type="vote-close", vote=vote), "vote-closed")
        ops["vote-close"] = [dt]
        closed = watch.wait_for(lambda y: y.get("type") == "vote" and y["vote"]["id"] == vote
                                and y["vote"]["state"] == "closed", 60)
        assert closed["vote"]["voted"] == n + 1 and closed["vote"]["counts"][0] == n + 1, \
            closed["vote"]
        assert watch.vote_bytes < VOTE_MEMBER_BYTES, (watch.vote_bytes, watch.vote_msgs)
        dt = max(rtt(chair, dict(type="ping"), "pong")[0] for _ in range(20))
        ops["ping after"] = [dt]
        hz99 = join_storm.pct(health, 0.99)
        pings.sort()
        p99 = join_storm.pct(pings, 0.99)
        print(f"# conference: {n} delegates joined; join p50"
              f" {join_storm.pct(lat, 0.5) * 1000:.0f} ms p99 {join_storm.pct(lat, 0.99) * 1000:.0f}"
              f" ms; the chair's ping during the storm p50 {join_storm.pct(pings, 0.5) * 1000:.1f} ms"
              f" p95 {join_storm.pct(pings, 0.95) * 1000:.1f} ms p99 {p99 * 1000:.1f} ms max {pings[-1] * 1000:.1f} ms ({len(pings)});"
              f" chair's requests after (max ms): "
              + ", ".join(f"{k} {max(v) * 1000:.1f}" for k, v in ops.items())
              + f"; /healthz p99 {hz99 * 1000:.1f} ms; one `vote` message {vote_bytes} bytes;"
              f" a delegate's vote traffic (open, {n + 1} ballots, close) {watch.vote_bytes}"
              f" bytes in {watch.vote_msgs} messages")
        # 3 s on an idle runner; on a loaded one (or under ASan) the loop's
        # own stalls, as /healthz sees them, are allowed on top, three times
        bound = CONF_RTT + 3 * hz99
        # p95: a ping every 100 ms gives ~60-150 samples, so p99 is the
        # single worst, which on a loaded runner is the machine's, not ours
        assert join_storm.pct(pings, 0.95) < bound, (bound, pings[-8:])
        # the vote's open and close too: since `vote` v2 (no voters' list,
        # coalesced counts) they take milliseconds, not seconds
        assert all(max(v) < bound for v in ops.values()), (bound, ops)
    finally:
        stop.set()
        hstop.set()
        join_storm.finish(workers)
        for w in [chair, sec] + [w for w, _ in speakers]:
            w.close()


def quiet(w, types, seconds):
    """No message of these types reaches w within seconds."""
    end = time.time() + seconds
    while time.time() < end:
        try:
            m = w.recv(0.2)
        except (socket.timeout, TimeoutError):
            continue
        assert m.get("type") not in types, m


@case
def event_limit_names_room_full(x):
    event, tc, cookies, _ = join_storm.make_lesson(x.srv, x.vechectl, 20, 4, tag="lim")
    out = x.ctl("event-edit", str(event), "limit", "3")
    assert "at most 3 people" in out, out
    for bad in ("0", "100001", "three"):  # refused, the limit unchanged
        try:
            x.ctl("event-edit", str(event), "limit", bad)
            raise AssertionError(f"limit {bad} accepted")
        except RuntimeError as e:
            assert "room limit" in str(e), e
    t, _ = x.srv.join_event(tc, event)
    a, _ = x.srv.join_event(cookies[0], event)
    b, _ = x.srv.join_event(cookies[1], event)
    c = x.srv.ws(cookies[2])
    c.send(dict(type="join", event=event, id=7))
    e = c.wait_for(lambda m: m.get("type") in ("joined", "error"), 15)
    assert e["type"] == "error" and e["code"] == "room-full" and e["id"] == 7, e
    assert "at most 3 people" in e["reason"], e  # the event's limit, not training's 1000
    # the organizer lifts it over the API: the next join gets in
    org = x.ctl("org-add", "central", "Профсоюз lim-api")
    cookie, _ = login_as(x, "trainer-lim@storm.test")
    x.ctl("admin-add", "platform", "trainer-lim@storm.test")
    st, body, _ = x.srv.api("PATCH", f"/api/admin/events/{event}", {"maxParticipants": "5"},
                            cookie=cookie)
    assert st == 400 and body["error"] == "bad-limit", (st, body)
    st, body, _ = x.srv.api("PATCH", f"/api/admin/events/{event}", {"maxParticipants": 4},
                            cookie=cookie)
    assert st == 200, (st, body)
    st, body, _ = x.srv.api("GET", "/api/admin/events", cookie=cookie)
    mine = [ev for ev in body["events"] if ev["id"] == event][0]
    assert mine["maxParticipants"] == 4, mine
    c2, j = x.srv.join_event(cookies[2], event)
    assert j["present"] == 4, j
    d = x.srv.ws(cookies[3])
    d.send(dict(type="join", event=event, id=8))
    e = d.wait_for(lambda m: m.get("type") in ("joined", "error"), 15)
    assert e["code"] == "room-full" and "at most 4 people" in e["reason"], e
    # a new event with its own limit, made over the API; null: the kind's again
    course = x.ctl("course-add", org, "Курс lim-api")
    st, body, _ = x.srv.api("POST", "/api/admin/events", {
        "title": "Большой урок", "course": int(course), "startsAt": int(time.time()) - 60,
        "endsAt": int(time.time()) + 3600, "maxParticipants": 700}, cookie=cookie)
    assert st == 201, (st, body)
    st, body, _ = x.srv.api("GET", "/api/admin/events", cookie=cookie)
    big = [ev for ev in body["events"] if ev["title"] == "Большой урок"][0]
    assert big["maxParticipants"] == 700, big
    st, body, _ = x.srv.api("PATCH", f"/api/admin/events/{event}", {"maxParticipants": None},
                            cookie=cookie)
    assert st == 200, (st, body)
    st, body, _ = x.srv.api("GET", "/api/admin/events", cookie=cookie)
    assert [ev for ev in body["events"] if ev["id"] == event][0]["maxParticipants"] is None
    for w in (t, a, b, c, c2, d):
        w.close()


def login_as(x, email):
    """Give the person an account with the test password and sign in."""
    import sqlite3
    from accounts import DEMO
    db = sqlite3.connect(x.db, timeout=30)
    (hsh,) = db.execute("SELECT a.password_hash FROM account a JOIN person p ON"
                        " p.id = a.person_id WHERE p.email = ?", ("trainer" + DEMO,)).fetchone()
    now = int(time.time())
    db.execute("INSERT INTO account (person_id, password_hash, must_change_password,"
               " created_at, updated_at) SELECT id, ?, 0, ?, ? FROM person WHERE email = ?"
               " ON CONFLICT (person_id) DO NOTHING", (hsh, now, now, email))
    db.commit()
    db.close()
    return x.srv.login(email, PASSWORD)


@case
def activists_get_counts_not_the_roster(x):
    n = 200
    event, tc, cookies, _ = join_storm.make_lesson(x.srv, x.vechectl, 1000, n + 2, tag="quiet")
    t, _ = x.srv.join_event(tc, event)
    obs, oj = x.srv.join_event(cookies[0], event)
    assert oj["role"] == "activist", oj
    assert [p["role"] for p in oj["participants"]] == ["trainer"], oj  # not the others
    assert oj["present"] == 2, oj
    seen = join_storm.Counter(obs)
    trainer = join_storm.Counter(t)
    t0 = time.perf_counter()
    lat, errors, stop, workers = crowd(x, event, cookies[2:], spread=10)
    storm_s = time.perf_counter() - t0
    try:
        assert not errors and len(lat) == n, errors[:3]
        time.sleep(4.5)  # two room-size ticks after the last join
        _, msgs, types, _ = seen.snapshot()
        seen.finish()
        _, _, ttypes, _ = trainer.snapshot()
        trainer.finish()
        print(f"# {n} activists joined in {storm_s:.1f} s: an activist got {msgs} messages"
              f" {types}; the trainer {ttypes}")
        assert types.get("participant-joined", 0) == 0, types
        # one room-size every 2 s at most, whatever n: was n participant-joined
        assert 1 <= types.get("room-size", 0) <= (storm_s + 4.5) / 2 + 2, types
        assert msgs <= (storm_s + 4.5) / 2 + 4, types
        # moderators see everyone: the observer and the n (not read before the counter)
        assert ttypes.get("participant-joined", 0) == n + 1, ttypes
        late, lj = x.srv.join_event(cookies[1], event)
        assert lj["present"] == n + 3 and len(lj["participants"]) == 1, lj["present"]
        m = obs.wait_for(lambda y: y.get("type") == "room-size" and y["present"] == n + 3, 10)
        # a hand goes to the trainer, not to the other activists
        late.send(dict(type="raise-hand"))
        t.wait_for(lambda y: y.get("type") == "hand" and y["participant"] == lj["participant"],
                   10)
        quiet(obs, ("hand", "participant-joined"), 1.0)
        # given the floor, the activist is announced to everyone, then the floor
        t.send(dict(type="give-floor", participant=lj["participant"]))
        m = obs.wait_for(lambda y: y.get("type") in ("participant-joined", "floor"), 10)
        assert m["type"] == "participant-joined" and m["participant"]["id"] == lj["participant"], m
        m = obs.wait_for(lambda y: y.get("type") == "floor", 10)
        assert m["participant"] == lj["participant"] and m["granted"] is True, m
        late.send(dict(type="leave"))
        m = obs.wait_for(lambda y: y.get("type") == "participant-left", 10)
        assert m["participant"] == lj["participant"], m
        late.close()
    finally:
        stop.set()
        join_storm.finish(workers)
        t.close()
        obs.close()


@case
def floor_taken_back_hides_again(x):
    """A training's activist given the floor is shown to the other
    activists; when the floor is taken back (and so their media stopped)
    they are hidden again: `participant-left` with hidden to the other
    activists only, after the `floor`; the trainer still sees them, and
    their real leave later reaches the trainer alone."""
    event, tc, cookies, _ = join_storm.make_lesson(x.srv, x.vechectl, 10, 3, tag="hide")
    t, _ = x.srv.join_event(tc, event)
    obs, _ = x.srv.join_event(cookies[0], event)
    spk, sj = x.srv.join_event(cookies[1], event)
    who = sj["participant"]
    try:
        t.wait_for(lambda y: y.get("type") == "participant-joined"
                   and y["participant"]["id"] == who, 10)
        t.send(dict(type="give-floor", participant=who))
        m = obs.wait_for(lambda y: y.get("type") == "participant-joined", 10)
        assert m["participant"]["id"] == who, m
        obs.wait_for(lambda y: y.get("type") == "floor" and y["granted"] is True, 10)
        spk.wait_for(lambda y: y.get("type") == "floor" and y["granted"] is True, 10)
        t.send(dict(type="take-floor", participant=who))
        m = obs.wait_for(lambda y: y.get("type") in ("floor", "participant-left"), 10)
        assert m["type"] == "floor" and m["granted"] is False, m  # the floor first
        m = obs.wait_for(lambda y: y.get("type") == "participant-left", 10)
        assert m == {"type": "participant-left", "participant": who, "hidden": True}, m
        t.wait_for(lambda y: y.get("type") == "floor" and y["granted"] is False, 10)
        spk.wait_for(lambda y: y.get("type") == "floor" and y["granted"] is False, 10)
        quiet(t, ("participant-left",), 1.0)    # the trainer still sees them
        quiet(spk, ("participant-left",), 0.2)  # not about oneself
        # hidden: a hand goes to the trainer, not to the other activist
        spk.send(dict(type="raise-hand"))
        t.wait_for(lambda y: y.get("type") == "hand" and y["participant"] == who, 10)
        quiet(obs, ("hand",), 1.0)
        # a newcomer's `joined` does not list them; the trainer's does
        late, lj = x.srv.join_event(cookies[2], event)
        assert who not in [p["id"] for p in lj["participants"]], lj["participants"]
        late.close()
        # their real leave: to the trainer (no hidden), nothing to the others
        spk.send(dict(type="leave"))
        m = t.wait_for(lambda y: y.get("type") == "participant-left" and y["participant"] == who,
                       10)
        assert "hidden" not in m, m
        quiet(obs, ("participant-left",), 1.0)
    finally:
        spk.close()
        t.close()
        obs.close()


@case
def session_lifetime_per_org(x):
    import sqlite3
    tag = "sess"
    event, tc, cookies, _ = join_storm.make_lesson(x.srv, x.vechectl, 10, 1, tag=tag)
    db = sqlite3.connect(x.db, timeout=30)
    (org,) = db.execute("SELECT c.organization_id FROM event e JOIN course c ON"
                        " c.id = e.course_id WHERE e.id = ?", (event,)).fetchone()
    db.close()
    admin = f"trainer-{tag}@storm.test"
    cookie, _ = login_as(x, admin)
    x.ctl("admin-add", "org", str(org), admin)
    other_org = x.ctl("org-add", "central", "Чужой профсоюз")
    for body, code in (({"sessionHours": 0.5}, "bad-hours"), ({"sessionHours": 9000}, "bad-hours")):
        st, b, _ = x.srv.api("PATCH", f"/api/admin/orgs/{org}", body, cookie=cookie)
        assert st == 400 and b["error"] == code, (st, b)
    st, b, _ = x.srv.api("PATCH", f"/api/admin/orgs/{other_org}", {"sessionHours": 2},
                         cookie=cookie)
    assert st == 403, (st, b)  # not their organization
    st, b, _ = x.srv.api("PATCH", f"/api/admin/orgs/{org}", {"sessionHours": 2}, cookie=cookie)
    assert st == 200, (st, b)
    st, b, _ = x.srv.api("GET", "/api/admin/orgs", cookie=cookie)
    assert [o for o in b["orgs"] if o["id"] == org][0]["sessionHours"] == 2, b
    # a sign-in now lasts 2 h (not the server's 12); the cookie outlives it
    sess, _ = login_as(x, admin)
    token_hash = session_hash(sess)

    def row():
        con = sqlite3.connect(x.db, timeout=30)
        r = con.execute("SELECT expires_at, ttl_secs FROM session WHERE token_hash = ?",
                        (token_hash,)).fetchone()
        con.close()
        return r

    def set_expiry(at):
        con = sqlite3.connect(x.db, timeout=30)
        con.execute("UPDATE session SET expires_at = ? WHERE token_hash = ?", (at, token_hash))
        con.commit()
        con.close()

    expires, ttl = row()
    assert ttl == 7200 and abs(expires - (time.time() + 7200)) < 60, (expires, ttl)
    # in use with less than half left: extended by a whole lifetime
    set_expiry(int(time.time()) + 600)
    assert x.srv.api("GET", "/api/me", cookie=sess)[0] == 200
    expires, _ = row()
    assert abs(expires - (time.time() + 7200)) < 60, expires
    # joining the event (it ends in 6 h) holds the session to its end and 2 h
    set_expiry(int(time.time()) + 600)
    w, j = x.srv.join_event(sess, event)
    con = sqlite3.connect(x.db, timeout=30)
    (ends,) = con.execute("SELECT ends_at FROM event WHERE id = ?", (event,)).fetchone()
    con.close()
    expires, _ = row()
    assert expires == ends + 7200, (expires, ends)
    w.close()
    # unused past its end: gone, for the API and for joining
    set_expiry(int(time.time()) - 1)
    assert x.srv.api("GET", "/api/me", cookie=sess)[0] == 401
    w = x.srv.ws(sess)
    w.send(dict(type="join", event=event))
    e = w.wait_for(lambda m: m.get("type") in ("joined", "error"), 15)
    assert e["type"] == "error" and e["code"] == "sign-in-required", e
    w.close()
    st, b, _ = x.srv.api("PATCH", f"/api/admin/orgs/{org}", {"sessionHours": None},
                         cookie=cookie)
    assert st == 200, (st, b)
    sess2, _ = login_as(x, admin)
    token_hash = session_hash(sess2)
    assert row()[1] == 12 * 3600, row()  # the server's default again


def session_hash(cookie):
    import hashlib
    return hashlib.sha256(cookie.split("=", 1)[1].encode()).digest()


@case
def moderator_mutes_chat(x):
    port = x.srv.port
    mod, mj = anon_join(port, "mute-chat-room", "Chair")
    assert mj["role"] == "chair", mj
    mem, memj = anon_join(port, "mute-chat-room", "Member")
    who = memj["participant"]
    mem.send(dict(type="mute-chat", participant=mj["participant"], id="x"))
    e = mem.wait_for(lambda m: m.get("type") == "error", 10)
    assert e["code"] == "forbidden" and e["id"] == "x", e  # members may not
    mod.send(dict(type="mute-chat", participant=who, id=1))
    for w in (mod, mem):
        m = w.wait_for(lambda y: y.get("type") == "chat-muted", 10)
        assert m["participant"] == who and m["muted"] is True and m["by"] == mj["participant"], m
    mem.send(dict(type="chat", text="hello?", id=2))
    e = mem.wait_for(lambda m: m.get("type") in ("error", "chat"), 10)
    assert e["type"] == "error" and e["code"] == "forbidden" and e["id"] == 2, e
    late, lj = anon_join(port, "mute-chat-room", "Late")  # a late joiner sees it too
    assert [p for p in lj["participants"] if p["id"] == who][0].get("chatMuted") is True, lj
    mod.send(dict(type="unmute-chat", participant=who))
    mem.wait_for(lambda y: y.get("type") == "chat-muted" and y["muted"] is False, 10)
    mem.send(dict(type="chat", text="thanks"))
    c = mod.wait_for(lambda y: y.get("type") == "chat", 10)
    assert c["text"] == "thanks" and c["from"] == who, c
    for w in (mod, mem, late):
        w.close()


@case
def signin_storm_no_busy(x):
    """100 people sign in at once from one address (a training room behind
    one NAT): every one is served, none gets 503 busy (the old queue took 64)
    or 429, and /healthz keeps answering.  The accounts are made in the
    database with the demo trainer's Argon2id hash (same password, own
    salt-bearing string), so only the sign-ins hash."""
    import signin_storm
    from accounts import PASSWORD
    emails = signin_storm.make_accounts(x.srv, 100, tag="storm")
    statuses = []
    lock = threading.Lock()

    def sign_in(email):  # as a browser: no client-side timeout while queued
        try:
            conn = join_storm.https_conn(x.srv.port, timeout=600)
            conn.request("POST", "/api/login", body=json.dumps(
                {"email": email, "password": PASSWORD}), headers={"Content-Type": "application/json"})
            st = conn.getresponse().status
            conn.close()
        except Exception as e:  # noqa: BLE001 - counted
            st = repr(e)
        with lock:
            statuses.append(st)

    ths = [threading.Thread(target=sign_in, args=(e,)) for e in emails]
    t0 = time.perf_counter()
    for th in ths:
        th.start()
    health = []
    while any(th.is_alive() for th in ths):
        h0 = time.perf_counter()
        st = x.srv.api("GET", "/healthz")[0]
        health.append(time.perf_counter() - h0)
        assert st == 200, st
        time.sleep(0.2)
    for th in ths:
        th.join()
    took = time.perf_counter() - t0
    health.sort()
    print(f"# 100 sign-ins at once in {took:.1f} s; /healthz worst {health[-1] * 1000:.0f} ms"
          f" of {len(health)}")
    assert statuses.count(200) == 100, {s: statuses.count(s) for s in set(statuses)}


STUCK_SCRIPT = r"""
import asyncio, json, socket, ssl, sys
import websockets
from websockets.exceptions import ConnectionClosed

async def main(port, stall):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    ws = await websockets.connect(f"wss://127.0.0.1:{port}/ws", ssl=ctx, sock=sock,
                                  server_hostname="localhost", max_queue=1,
                                  read_limit=4096, max_size=2**20, ping_interval=None,
                                  subprotocols=["veche-v1"])
    await ws.send(json.dumps({"type": "join", "room": "stuck-room", "name": "Stuck"}))
    while json.loads(await ws.recv())["type"] != "joined":
        pass
    print("JOINED", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)   # the flood starts: stop reading
    ws.transport.pause_reading()
    await loop.run_in_executor(None, sys.stdin.readline)   # told to read again
    ws.transport.resume_reading()
    n = 0
    try:
        while True:
            await ws.recv()
            n += 1
    except ConnectionClosed as e:
        rcvd = e.rcvd
        print("RESULT " + json.dumps({
            "messages": n,
            "rcvd_code": rcvd.code if rcvd else None,
            "rcvd_reason": rcvd.reason if rcvd else None,
            "sent_code": e.sent.code if e.sent else None}), flush=True)

asyncio.run(main(int(sys.argv[1]), 0))
"""


def stuck_peer(x, after):
    """A peer that stops reading while chat floods the room, until the
    server gives up on it (its log says so: the essential queue passed
    64 KiB or waited 2 s, after the kernel's buffers filled), and reads
    again `after` seconds later."""
    import subprocess
    srv = Server(x.veche, settings=["ws_send_queue_kb=64", "ws_send_stall_seconds=2",
                                    "chat_rate_per_minute=60000", "chat_burst=10000"])
    try:
        p = subprocess.Popen(["/usr/bin/python3", "-c", STUCK_SCRIPT, str(srv.port)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "JOINED"
        flooder, _ = anon_join(srv.port, "stuck-room", "Flooder")
        p.stdin.write("stop\n")
        p.stdin.flush()
        time.sleep(0.5)
        frame = chat_frame("ж" * 1000)
        end = time.time() + 180
        sent = 0
        while "too slow" not in srv.log_text():  # 2 kB chats until the server gives up
            assert time.time() < end, "the server never gave up on the stuck peer"
            flooder.sock.sendall(frame * 20)
            for _ in range(20):
                flooder.recv(30)  # our own echo: we stay a fast reader
            sent += 20
        time.sleep(after)
        p.stdin.write("read\n")
        p.stdin.flush()
        out, _ = p.communicate(timeout=120)
        line = [ln for ln in out.splitlines() if ln.startswith("RESULT ")]
        assert line, out
        res = json.loads(line[0][7:])
        res["chats_sent"] = sent
        print(f"# stuck, reading again {after} s after the server gave up: {res}")
        # the flooder, a fast reader, is still there
        flooder.send(dict(type="ping", id="p"))
        flooder.wait_for(lambda m: m.get("type") == "pong", 15)
        flooder.close()
        return res
    finally:
        srv.stop()


@case
def stuck_peer_close_frame_valid(x):
    # reading again at once, within lws's 10 s grace: the close frame
    # reaches it, whole, after the data that was in flight
    res = stuck_peer(x, 0)
    assert res["rcvd_code"] == 1008 and res["rcvd_reason"] == "send queue full", res
    assert res["sent_code"] in (None, 1008), res  # 1002 would be a protocol error
    # reading again only after the grace: whatever it then reads is whole
    # frames and either that close frame or none (1006), never a malformed one
    res = stuck_peer(x, 14)
    assert res["sent_code"] != 1002 and (res["rcvd_code"] in (None, 1008)), res


def main():
    x = Ctx(sys.argv[1], sys.argv[2])
    return run_cases(x.srv, CASES, lambda: x)


if __name__ == "__main__":
    sys.exit(main())
