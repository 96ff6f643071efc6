#!/usr/bin/env python3
"""tls_reload.py - SIGHUP reloads the HTTPS certificate and key (a certbot
renewal) without dropping anyone (docs/operations.md).

The server runs with tls_cert/tls_key pointing at files in a temporary
directory.  A participant joins a room over the WebSocket; the files are
replaced the way certbot does it (new files renamed over the old), SIGHUP
is sent; then the open WebSocket must still answer and still be in the
room (a second participant sees it), while a new connection must see the
new certificate.  A broken renewal (a key that does not match) must be
refused with the old certificate kept and the server alive.  127.0.0.1
only.

  tls_reload.py path/to/veche
Prints TAP.
"""
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import Server, Tap, make_cert, served_cert  # noqa: E402
from wsclient import WS  # noqa: E402

tap = Tap(30)
ok = tap.ok


def install(src, dst):
    """Replace dst as certbot does: a new file renamed over the old one."""
    tmp = dst + ".new"
    shutil.copyfile(src, tmp)
    os.rename(tmp, dst)


def wait_log(path, text, start, timeout=10.0):
    """Whether text appears in the log after byte offset start."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(path, errors="replace") as f:
            f.seek(start)
            if text in f.read():
                return True
        time.sleep(0.1)
    return False


def main(binary):
    d = tempfile.mkdtemp(prefix="veche-tlsreload-")
    srv = None
    try:
        a_cert, a_key, a_der = make_cert(d, "first")
        b_cert, b_key, b_der = make_cert(d, "second")
        live_cert, live_key = os.path.join(d, "fullchain.pem"), os.path.join(d, "privkey.pem")
        install(a_cert, live_cert)
        install(a_key, live_key)
        os.mkdir(os.path.join(d, "data"))
        srv = Server(binary, data=os.path.join(d, "data"), demo=False,
                     settings=["allow_anonymous_rooms=true", f"tls_cert={live_cert}",
                               f"tls_key={live_key}"])
        proc, port, log_path = srv.proc, srv.port, srv.logs[-1]
        ok(served_cert(port) == a_der, "the server serves the configured certificate")

        anna = WS(port)
        anna.send(dict(type="join", room="reload", name="Anna"))
        anna_id = anna.expect("joined")["participant"]

        # The renewal.
        install(b_cert, live_cert)
        install(b_key, live_key)
        mark = os.path.getsize(log_path)
        proc.send_signal(signal.SIGHUP)
        ok(wait_log(log_path, "TLS certificate reloaded", mark), "SIGHUP: the log says reloaded",
           open(log_path).read()[-2000:])
        ok(proc.poll() is None, "the server is still running after SIGHUP")

        anna.send(dict(type="ping", id=7))
        ok(anna.expect("pong", timeout=5.0) is not None,
           "the WebSocket opened before the reload still answers")
        ok(served_cert(port) == b_der, "a new connection gets the new certificate")
        boris = WS(port)
        boris.send(dict(type="join", room="reload", name="Boris"))
        joined = boris.expect("joined")
        ok(any(p["id"] == anna_id for p in joined.get("participants", [])),
           "the participant who joined before the reload is still in the room", joined)
        seen = anna.wait_for(lambda m: m.get("type") == "participant-joined", timeout=5.0)
        ok(seen is not None and seen["participant"]["name"] == "Boris",
           "the old WebSocket still gets the room's events", seen)

        # A broken renewal: the first key with the second certificate.
        install(a_key, live_key)
        mark = os.path.getsize(log_path)
        proc.send_signal(signal.SIGHUP)
        ok(wait_log(log_path, "not reloaded", mark), "a key that does not match is refused",
           open(log_path).read()[-2000:])
        ok(proc.poll() is None and served_cert(port) == b_der,
           "after a refused reload the server keeps serving the previous certificate")
        # An unreadable certificate, the same.
        with open(live_cert, "w") as f:
            f.write("not a certificate\n")
        install(b_key, live_key)
        mark = os.path.getsize(log_path)
        proc.send_signal(signal.SIGHUP)
        ok(wait_log(log_path, "not reloaded", mark), "a garbage certificate file is refused")
        anna.send(dict(type="ping", id=8))
        ok(anna.expect("pong", timeout=5.0) is not None and served_cert(port) == b_der,
           "... and the meeting and the previous certificate go on")
        anna.close()
        boris.close()
    except Exception:
        ok(False, "no exception", traceback.format_exc())
    finally:
        if srv:
            clean = srv.stop()
            ok(clean, f"the server exits cleanly on SIGTERM (status {srv.proc.returncode})",
               srv.log_text()[-3000:])
        shutil.rmtree(d, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
