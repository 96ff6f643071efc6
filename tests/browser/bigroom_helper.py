#!/usr/bin/env python3
"""bigroom_helper.py - the server-side half of bigroom.test.mjs, reusing
bench/join_storm.py (Python's standard library only).

  bigroom_helper.py setup DATA_DIR VECHECTL ROSTER JOINERS
      a course roster of ROSTER people (vechectl import-roster), a training
      under way, sessions for its trainer and JOINERS activists; prints
      {"event": ID, "trainer": COOKIE, "activists": [COOKIE...]}
  bigroom_helper.py join PORT EVENT SPREAD < cookies.json
      joins each activist within SPREAD seconds, prints "JOINED n" and
      keeps the connections until stdin reaches its end, then leaves.
"""
import json
import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "bench"))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import join_storm  # noqa: E402
from wsclient import WS  # noqa: E402


class _Srv:
    def __init__(self, data):
        self.data = data


def setup(data, vechectl, roster, joiners):
    event, trainer, cookies, _ = join_storm.make_lesson(_Srv(data), vechectl, int(roster),
                                                        int(joiners), tag=f"br{os.getpid()}")
    print(json.dumps(dict(event=event, trainer=trainer, activists=cookies)))


def join(port, event, spread):
    cookies = json.loads(sys.stdin.readline())
    conns, errors = [], []
    lock = threading.Lock()
    base = time.time() + 0.2

    def one(cookie, at):
        time.sleep(max(0.0, at - time.time()))
        try:
            w = WS(int(port), cookie=cookie, timeout=30)
            w.send(dict(type="join", event=int(event)))
            m = w.wait_for(lambda y: y.get("type") in ("joined", "error"), 30)
            with lock:
                (conns if m["type"] == "joined" else errors).append(w if m["type"] == "joined" else m)
        except Exception as e:  # noqa: BLE001 - reported
            with lock:
                errors.append(repr(e))

    n = len(cookies)
    ths = [threading.Thread(target=one, args=(c, base + float(spread) * i / max(1, n)))
           for i, c in enumerate(cookies)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    print(f"JOINED {len(conns)} ERRORS {json.dumps(errors[:3])}", flush=True)
    sys.stdin.read()
    for w in conns:
        w.close()


if __name__ == "__main__":
    {"setup": setup, "join": join}[sys.argv[1]](*sys.argv[2:])
