#!/usr/bin/env python3
"""proxy.py - behind a reverse proxy (docs/operations.md, "Behind nginx"):
with trusted_proxies = 127.0.0.1 the client address of a WebSocket is the
one X-Forwarded-For names (the server log shows it); without it, or with a
list that does not hold the peer, the header is ignored.  127.0.0.1 only
(the forwarded addresses are only text in a header).

  proxy.py path/to/veche
Prints TAP.
"""
import os
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import Server, Tap  # noqa: E402
from wsclient import WS  # noqa: E402

tap = Tap(20)
ok = tap.ok


def run(binary, trusted, d):
    """Start a server, open one WebSocket with X-Forwarded-For, return its log."""
    srv = Server(binary, data=tempfile.mkdtemp(dir=d), demo=False,
                 settings=[f"trusted_proxies={trusted}"])
    try:
        ws = WS(srv.port, headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.23"})
        ws.send(dict(type="ping", id=1))
        ws.expect("pong")
        ws.close()
        time.sleep(0.3)
    finally:
        srv.stop()
    return srv.log_text()


def main(binary):
    d = tempfile.mkdtemp(prefix="veche-proxy-")
    try:
        log = run(binary, "127.0.0.1", d)
        ok("websocket open from 198.51.100.23" in log,
           "trusted proxy: the client address is the last X-Forwarded-For entry", log[-1500:])
        ok("203.0.113.9" not in log, "trusted proxy: the client-supplied entry is not believed")
        log = run(binary, "", d)
        ok("websocket open from 127.0.0.1" in log and "198.51.100.23" not in log,
           "no trusted proxies: the header is ignored", log[-1500:])
        log = run(binary, "192.0.2.1", d)
        ok("websocket open from 127.0.0.1" in log and "198.51.100.23" not in log,
           "a peer that is not a listed proxy: the header is ignored", log[-1500:])
    except Exception:
        ok(False, "no exception", traceback.format_exc())
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
