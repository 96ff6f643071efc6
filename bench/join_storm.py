#!/usr/bin/env python3
"""join_storm.py - a lesson at its real size, signalling only (issue 14).

A course roster of ROSTER people is imported with `vechectl import-roster`,
a training event is added for it, the trainer joins over the WebSocket and
then JOINERS activists join within SPREAD seconds (each on its own
WebSocket, TLS, with a session cookie; no media).  Measured:

  trainer_bytes   bytes of WebSocket payload the trainer received from the
                  first activist's join until the roll settled
  trainer_msgs    messages the trainer received in that time
  join_p50/p99    from sending `join` to receiving `joined`, per activist
  healthz_p99     GET /healthz every 50 ms on one kept-alive connection
  trainer_stayed  the trainer's connection still answers a ping at the end
  main_cpu_ms_per_join  CPU time of the server's main thread (the GLib
                  loop: TLS, WebSocket, signalling, JSON) from the first
                  join until the roll settled, divided by the joins (it
                  includes the /healthz polls and the trainer's roll);
                  proc_cpu_ms_per_join the same for the whole process.
                  CPU time, not wall time: the load of other jobs on the
                  machine does not inflate it
  final_present   what the trainer's roll (snapshot + deltas) says at the end

Sessions are written straight into the database (the SHA-256 of a random
token, as the server stores them), so the storm measures joining, not
Argon2id: sign-in storms are measured by signin_storm.py.

  bench/join_storm.py [--roster 10000] [--joiners 500] [--spread 30]
                      [--build build] [--json FILE]
Prints one `RESULT {json}` line.  Used by tests/integration/bigroom.py
with CI sizes.  Only 127.0.0.1 is contacted.
"""
import argparse
import base64
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from accounts import Server  # noqa: E402
from wsclient import WS, Closed  # noqa: E402


def vechectl(binary, db, *args):
    out = subprocess.run([binary, "--db", db, *args], capture_output=True, text=True,
                         timeout=600)
    if out.returncode != 0:
        raise RuntimeError(f"vechectl {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout.strip()


def new_session(db, person_id, hours=12):
    """A session cookie for person_id, stored as the server stores them."""
    token = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
    now = int(time.time())
    db.execute("INSERT INTO session (token_hash, person_id, created_at, expires_at)"
               " VALUES (?, ?, ?, ?)",
               (hashlib.sha256(token.encode()).digest(), person_id, now, now + hours * 3600))
    return "veche_session=" + token


def make_lesson(srv, ctl, roster, joiners, tag="storm"):
    """Org, course with a roster of `roster` (one trainer, activists), a
    training event under way; sessions for the trainer and `joiners`
    activists.  Returns (event id, trainer cookie, [activist cookies])."""
    db_path = os.path.join(srv.data, "veche.db")
    org = vechectl(ctl, db_path, "org-add", "central", f"Профсоюз {tag}")
    course = vechectl(ctl, db_path, "course-add", org, f"Курс {tag}")
    csv_path = os.path.join(srv.data, f"roster-{tag}.csv")
    with open(csv_path, "w", encoding="utf-8") as f:
        f.write("full_name,email,role\n")
        f.write(f"Тренер Тренеров,trainer-{tag}@storm.test,trainer\n")
        for i in range(roster - 1):
            f.write(f"Активист Номер {i},a{i}-{tag}@storm.test,activist\n")
    t0 = time.time()
    vechectl(ctl, db_path, "import-roster", "course", course, csv_path)
    import_s = time.time() - t0
    start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))
    end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 6 * 3600))
    vechectl(ctl, db_path, "event-add", "course", course, f"Урок {tag}", start, end,
             f"lesson-{tag}")
    db = sqlite3.connect(db_path, timeout=30)
    event = db.execute("SELECT id FROM event WHERE room_id = ?", (f"lesson-{tag}",)).fetchone()[0]
    ids = dict(db.execute("SELECT email, id FROM person WHERE email LIKE ?", (f"%-{tag}@storm.test",)))
    trainer = new_session(db, ids[f"trainer-{tag}@storm.test"])
    picks = random.sample(range(roster - 1), joiners)
    cookies = [new_session(db, ids[f"a{i}-{tag}@storm.test"]) for i in picks]
    db.commit()
    db.close()
    return event, trainer, cookies, import_s


class Counter:
    """Reads the trainer's socket on a thread: payload bytes and messages
    per type, the roll kept by WS.recv."""

    def __init__(self, ws, read_rate=None):
        self.ws, self.bytes, self.msgs, self.types = ws, 0, 0, {}
        self.closed = None
        self.read_rate = read_rate  # bytes per second, None: as fast as it comes
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        ws = self.ws
        orig_fill = ws._fill
        if self.read_rate:
            def slow_fill():  # a slow reader: small reads, paced
                data = ws.sock.recv(4096)
                if not data:
                    raise Closed("connection closed")
                ws.buf += data
                time.sleep(len(data) / self.read_rate)
            ws._fill = slow_fill
        while not self.stop.is_set():
            try:
                op, data = ws.recv_frame(0.2)
            except (socket.timeout, TimeoutError):
                continue
            except (Closed, OSError) as e:
                self.closed = str(e)
                return
            with self.lock:
                self.bytes += len(data)
                if op == 8:
                    self.closed = f"close frame {data[:2].hex()} {data[2:]!r}"
                    return
                if op != 1:
                    continue
                m = json.loads(data)
                self.msgs += 1
                self.types[m.get("type")] = self.types.get(m.get("type"), 0) + 1
                ws._apply_roll(m)
        ws._fill = orig_fill

    def snapshot(self):
        with self.lock:
            return self.bytes, self.msgs, dict(self.types), dict(self.ws.roll or {})

    def finish(self):
        self.stop.set()
        self.t.join(5)


def https_conn(port, timeout=10):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=timeout)


def healthz_poller(port, stop, out):
    """Poll /healthz every 50 ms on one kept-alive connection (in a process
    of its own: the joiners' threads must not slow the measurement)."""
    conn = https_conn(port)
    lat = []
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            r.read()
        except (http.client.HTTPException, OSError):
            # the server may end a kept-alive connection: a new one, and
            # this sample is not counted (it measured the close, not the loop)
            conn.close()
            conn = https_conn(port)
            continue
        lat.append(time.perf_counter() - t0)
        time.sleep(0.05)
    conn.close()
    out.put(lat)


def at_times(jobs, fn):
    """For each (cookie, start time) of jobs, on a thread of its own: wait
    for the time, then fn(cookie).  Returns, once all have ended, what they
    raised (repr)."""
    errors, lock = [], threading.Lock()

    def run(cookie, at):
        time.sleep(max(0.0, at - time.time()))
        try:
            fn(cookie)
        except Exception as e:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(repr(e))

    threads = [threading.Thread(target=run, args=j, daemon=True) for j in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return errors


def joiner_process(port, event, jobs, stop, out):
    """Join with each (cookie, start time) of jobs on a thread of its own;
    report [latency or error] and keep the connections until stop."""
    lat, errors, conns = [], [], []
    lock = threading.Lock()

    def joiner(cookie):
        w = WS(port, cookie=cookie, timeout=60)
        t0 = time.perf_counter()
        w.send(dict(type="join", event=event, id="j"))
        m = w.wait_for(lambda y: y.get("type") in ("joined", "error"), 60)
        dt = time.perf_counter() - t0
        with lock:
            if m["type"] == "joined":
                lat.append(dt)
                conns.append(w)
            else:
                errors.append(m)

    errors += at_times(jobs, joiner)
    out.put((lat, errors))
    stop.wait()
    for w in conns[:len(conns) // 2]:  # half leave, half drop
        try:
            w.send(dict(type="leave"))
        except OSError:
            pass
    for w in conns:
        w.close()


def thread_cpu_s(pid, tid=None):
    """CPU time (seconds, nanosecond resolution from schedstat) of one
    thread of pid (the main thread when tid is None: its tid is the pid),
    or of the whole process with tid=0 (the sum over its threads, those
    that ended are not counted); None when /proc cannot tell."""
    try:
        tids = os.listdir(f"/proc/{pid}/task") if tid == 0 else [tid or pid]
        total = 0
        for t in tids:
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total / 1e9


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def joiners(ctx, port, event, cookies, spread, stop, lead, procs=4):
    """The joiner processes (not started): cookies join event one after
    another over `spread` seconds from `lead` seconds from now, dealt round
    up to procs processes (joiner_process).  Returns (workers, queue) for
    gather()."""
    jq = ctx.Queue()
    base = time.time() + lead
    jobs = [(c, base + spread * i / max(1, len(cookies))) for i, c in enumerate(cookies)]
    nproc = max(1, min(procs, len(cookies)))
    workers = [ctx.Process(target=joiner_process,
                           args=(port, event, jobs[k::nproc], stop, jq), daemon=True)
               for k in range(nproc)]
    return workers, jq


def gather(workers, jq, timeout):
    """(latencies, errors) of the started joiners, once each has reported."""
    lat, errors = [], []
    for _ in workers:
        got_lat, got_err = jq.get(timeout=timeout)
        lat += got_lat
        errors += got_err
    return lat, errors


def storm(srv, event, trainer_cookie, cookies, spread, trainer_read_rate=None,
          settle_timeout=120, procs=4):
    """Run the storm against a started server.  Returns (the result dict,
    the trainer's WS, the joiner processes): once `stop` is set (it is, on
    return) those make half the activists leave and drop the rest, and
    end; join them with finish()."""
    t = WS(srv.port, cookie=trainer_cookie, timeout=15)
    t.send(dict(type="join", event=event, id="t"))
    j = t.wait_for(lambda m: m.get("type") in ("joined", "error"), 30)
    assert j["type"] == "joined", j
    t.wait_roll(lambda r: True, 10)
    counter = Counter(t, trainer_read_rate)
    ctx = multiprocessing.get_context("fork")
    stop, hq = ctx.Event(), ctx.Queue()
    hp = ctx.Process(target=healthz_poller, args=(srv.port, stop, hq), daemon=True)
    hp.start()
    n = len(cookies)
    workers, jq = joiners(ctx, srv.port, event, cookies, spread, stop, 0.5, procs)
    b0, m0, _, _ = counter.snapshot()
    pid = srv.proc.pid
    main0, proc0 = thread_cpu_s(pid), thread_cpu_s(pid, 0)
    t_start = time.perf_counter()
    for w in workers:
        w.start()
    lat, errors = gather(workers, jq, spread + 300)
    storm_s = time.perf_counter() - t_start
    want = 1 + len(lat)
    end = time.time() + settle_timeout
    while time.time() < end:
        _, _, _, roll = counter.snapshot()
        if roll.get("present") == want or counter.closed:
            break
        time.sleep(0.1)
    b1, m1, types, roll = counter.snapshot()
    main1, proc1 = thread_cpu_s(pid), thread_cpu_s(pid, 0)
    counter.finish()
    stop.set()
    health = hq.get(timeout=30)
    hp.join(5)
    stayed = counter.closed is None
    if stayed:
        try:
            t.send(dict(type="ping", id="p"))
            t.wait_for(lambda m: m.get("type") == "pong", 30)
        except (Closed, OSError, AssertionError) as e:
            stayed, counter.closed = False, repr(e)
    result = dict(joiners=n, joined=len(lat), errors=len(errors), error_sample=errors[:3],
                  spread_s=spread, storm_s=round(storm_s, 1),
                  trainer_bytes=b1 - b0, trainer_msgs=m1 - m0, trainer_types=types,
                  join_p50_ms=round(pct(lat, 0.50) * 1000, 1) if lat else None,
                  join_p99_ms=round(pct(lat, 0.99) * 1000, 1) if lat else None,
                  join_max_ms=round(max(lat) * 1000, 1) if lat else None,
                  healthz_p99_ms=round(pct(health, 0.99) * 1000, 2) if health else None,
                  healthz_max_ms=round(max(health) * 1000, 2) if health else None,
                  healthz_polls=len(health),
                  main_cpu_ms_per_join=(round((main1 - main0) * 1000 / len(lat), 2)
                                        if lat and main0 is not None else None),
                  proc_cpu_ms_per_join=(round((proc1 - proc0) * 1000 / len(lat), 2)
                                        if lat and proc0 is not None else None),
                  trainer_stayed=stayed, trainer_closed=counter.closed,
                  final_present=roll.get("present"), want_present=want,
                  final_total=roll.get("total"))
    return result, t, workers


def finish(workers):
    for w in workers:
        w.join(60)


def print_result(res, path=None):
    """The RESULT line a run ends with, and the same as JSON in path."""
    print("RESULT " + json.dumps(res, ensure_ascii=False))
    if path:
        with open(path, "w") as f:
            json.dump(res, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--roster", type=int, default=10000)
    ap.add_argument("--joiners", type=int, default=500)
    ap.add_argument("--spread", type=float, default=30.0)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--json")
    a = ap.parse_args()
    veche = os.path.join(a.build, "server", "veche")
    ctl = os.path.join(a.build, "tools", "vechectl", "vechectl")
    srv = Server(veche, data=tempfile.mkdtemp(prefix="veche-storm-"),
                 settings=["max_training_participants=1000", "log_level=warn"])
    try:
        event, tc, cookies, import_s = make_lesson(srv, ctl, a.roster, a.joiners)
        res, t, workers = storm(srv, event, tc, cookies, a.spread)
        res.update(roster=a.roster, import_s=round(import_s, 1))
        finish(workers)
        t.close()
    finally:
        srv.stop()
    print_result(res, a.json)


if __name__ == "__main__":
    main()
