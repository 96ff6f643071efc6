#!/usr/bin/env python3
"""signin_storm.py - a sign-in storm at its real size (issue 14).

SIGNINS accounts (made in the database with the demo trainer's Argon2id
hash string: same password and cost, so every sign-in verifies one real
hash) sign in with POST /api/login, each at a random moment within SPREAD
seconds, all from 127.0.0.1 (a training room behind one NAT), each on a
connection of its own as a browser would.  Each does what the web client
does (web-client/js/api.js `call`): on 503, or a connection that failed,
it waits a growing, jittered delay (0.5 s doubling to 8 s, times 0.5-1.5)
and tries again, for up to 90 s; any other answer is final (429
included).  Measured:

  statuses        final answers (200 for everyone is the target)
  busy_503, conn_failed   503 answers and failed connections seen on the
                  way (retried, as the client does); limited_429: final 429s
  signin_p50/p99/max      from the first try to the final answer
  last_served_s   from the storm's start until the last one was answered
  healthz_p99     GET /healthz every 50 ms on one kept-alive connection
                  (join_storm.py's poller, a process of its own)
  one_signin_ms   server CPU (the whole process, utime+stime from
                  schedstat) per sign-in during the storm, and before the
                  storm one_alone_ms: the median latency of 10 sign-ins
                  one after another on an idle server (one Argon2id
                  verification plus TLS, HTTP and the session write)
  load_start/end  the 1-minute load average at the start and the end

  bench/signin_storm.py [--signins 500] [--spread 60] [--build build]
                        [--json FILE] [--set key=value ...]
Prints one `RESULT {json}` line.  Only 127.0.0.1 is contacted.
"""
import argparse
import json
import multiprocessing
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import join_storm  # noqa: E402
from join_storm import ROOT, Server, https_conn, healthz_poller, pct, thread_cpu_s  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from accounts import DEMO, PASSWORD  # noqa: E402


def make_accounts(srv, n, tag="signin"):
    """n accounts with the demo trainer's hash; returns their e-mails."""
    db = sqlite3.connect(os.path.join(srv.data, "veche.db"), timeout=30)
    (hsh,) = db.execute("SELECT a.password_hash FROM account a JOIN person p ON"
                        " p.id = a.person_id WHERE p.email = ?", ("trainer" + DEMO,)).fetchone()
    now = int(time.time())
    emails = []
    for i in range(n):
        email = f"{tag}{i}@signin.test"
        cur = db.execute("INSERT INTO person (full_name, email, created_at) VALUES (?, ?, ?)",
                         (f"Участник {i}", email, now))
        db.execute("INSERT INTO account (person_id, password_hash, must_change_password,"
                   " created_at, updated_at) VALUES (?, ?, 0, ?, ?)",
                   (cur.lastrowid, hsh, now, now))
        emails.append(email)
    db.commit()
    db.close()
    return emails


def post_login(port, email):
    """One POST /api/login on a new connection (no client-side timeout to
    speak of: a browser waits).  The status, or the exception's repr."""
    try:
        conn = https_conn(port, timeout=600)
        conn.request("POST", "/api/login", body=json.dumps({"email": email, "password": PASSWORD}),
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        conn.close()
        return r.status
    except Exception as e:  # noqa: BLE001 - counted and reported
        return repr(e)


def sign_in_as_client(port, email):
    """As web-client/js/api.js: retry 503, and a connection that failed,
    with backoff for up to 90 s.  Returns (final status, tries, 503s seen,
    failed connections seen)."""
    waited, busy, failed = 0.0, 0, 0
    for attempt in range(1000):
        st = post_login(port, email)
        if (st != 503 and isinstance(st, int)) or waited > 90:
            return st, attempt + 1, busy, failed
        if st == 503:
            busy += 1
        else:
            failed += 1
        delay = min(8.0, 0.5 * 2 ** attempt) * (0.5 + random.random())
        time.sleep(delay)
        waited += delay
    return st, attempt + 1, busy, failed


def signer_process(port, jobs, out):
    """Sign in each (email, start time) of jobs on a thread of its own;
    report [(status, tries, busy, failed, latency, end time)]."""
    res, lock = [], threading.Lock()

    def one(email, at):
        time.sleep(max(0.0, at - time.time()))
        t0 = time.time()
        st, tries, busy, failed = sign_in_as_client(port, email)
        t1 = time.time()
        with lock:
            res.append((st, tries, busy, failed, t1 - t0, t1))

    ths = [threading.Thread(target=one, args=j, daemon=True) for j in jobs]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    out.put(res)


def alone(port, emails):
    """Median latency of sign-ins one after another (an idle server)."""
    lat = []
    for e in emails:
        t0 = time.perf_counter()
        st = post_login(port, e)
        if st != 200:
            raise RuntimeError(f"a sign-in alone answered {st}")
        lat.append(time.perf_counter() - t0)
    lat.sort()
    return lat[len(lat) // 2]


def storm(srv, emails, spread, procs=2):
    """Run the storm; returns the result dict."""
    ctx = multiprocessing.get_context("fork")
    out, hq, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    poller = ctx.Process(target=healthz_poller, args=(srv.port, stop, hq))
    poller.start()
    time.sleep(1.0)
    start = time.time() + 1.0
    jobs = sorted((e, start + random.uniform(0, spread)) for e in emails)
    random.shuffle(jobs)
    workers = [ctx.Process(target=signer_process, args=(srv.port, jobs[i::procs], out))
               for i in range(procs)]
    load_start = os.getloadavg()[0]
    cpu0 = thread_cpu_s(srv.proc.pid, 0)
    for w in workers:
        w.start()
    res = []
    for _ in workers:
        res += out.get(timeout=spread + 900)
    cpu1 = thread_cpu_s(srv.proc.pid, 0)
    stop.set()
    health = hq.get(timeout=60)
    for w in workers + [poller]:
        w.join(30)
    statuses = {}
    for r in res:
        statuses[str(r[0])] = statuses.get(str(r[0]), 0) + 1
    lat = [r[4] for r in res]
    ok = sum(1 for r in res if r[0] == 200)
    return dict(
        signins=len(emails), spread_s=spread, served=ok, statuses=statuses,
        busy_503=sum(r[2] for r in res), got_busy=sum(1 for r in res if r[2]),
        conn_failed=sum(r[3] for r in res), got_conn_failed=sum(1 for r in res if r[3]),
        limited_429=sum(1 for r in res if r[0] == 429),
        retries_max=max(r[1] for r in res) - 1,
        signin_p50_ms=round(pct(lat, 0.5) * 1000), signin_p99_ms=round(pct(lat, 0.99) * 1000),
        signin_max_ms=round(max(lat) * 1000),
        last_served_s=round(max(r[5] for r in res) - start, 1),
        healthz_p50_ms=round(pct(health, 0.5) * 1000, 1) if health else None,
        healthz_p99_ms=round(pct(health, 0.99) * 1000, 1) if health else None,
        healthz_n=len(health),
        one_signin_cpu_ms=round((cpu1 - cpu0) * 1000 / max(1, len(emails)), 1)
        if cpu0 is not None and cpu1 is not None else None,
        load_start=round(load_start, 2), load_end=round(os.getloadavg()[0], 2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--signins", type=int, default=500)
    ap.add_argument("--spread", type=float, default=60.0)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--json")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="a server directive (e.g. password_threads=2)")
    a = ap.parse_args()
    veche = os.path.join(a.build, "server", "veche")
    srv = Server(veche, data=tempfile.mkdtemp(prefix="veche-signin-"),
                 settings=["log_level=warn", *a.set])
    try:
        emails = make_accounts(srv, a.signins + 10)
        one = alone(srv.port, emails[:10])
        res = storm(srv, emails[10:], a.spread)
        res.update(one_alone_ms=round(one * 1000), settings=a.set, cores=os.cpu_count())
    finally:
        srv.stop()
    join_storm.print_result(res, a.json)


if __name__ == "__main__":
    main()
