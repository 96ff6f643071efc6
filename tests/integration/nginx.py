#!/usr/bin/env python3
"""nginx.py - Veche behind a real nginx (Debian's), configured with the
file the documentation ships, conf/nginx-veche.conf (docs/operations.md,
"Behind nginx"): only its listen address, certificate paths and Veche's
port are replaced.  nginx runs as the test's own process (`daemon off`,
its pid, logs and temporary files in a temporary directory), never the
package's service.

The client connects from 127.0.0.5 to nginx on 127.0.0.2; nginx reaches
Veche on 127.0.0.1.  Checked: nginx terminates TLS with its own (test-made)
certificate; Veche's pages come through with its CSP naming the public
URL; a sign-in and a signalling join of the demo meeting through nginx
work, and the proxied WebSocket carries the room's events both ways; with
trusted_proxies = 127.0.0.1 Veche's log and its audit log record the
client's address (the last X-Forwarded-For entry, the one nginx appended,
not the one the client forged), and without trusted_proxies they record
nginx's address and ignore the header.  Loopback only.

  nginx.py path/to/veche                     prints TAP
  nginx.py --front DIR PORT VECHE_PORT       only runs nginx (browser test)
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import DEMO, ROOT, Server, Tap, free_port, make_cert, served_cert  # noqa: E402
from wsclient import WS  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
FRONT = "127.0.0.2"    # nginx listens here
CLIENT = "127.0.0.5"   # the "browser" connects from here
FORGED = "203.0.113.9"  # what a client puts into X-Forwarded-For itself

tap = Tap(25)
ok = tap.ok


class Nginx:
    """nginx with conf/nginx-veche.conf on FRONT and a free port (chosen
    first: Veche's public_url names it), in front of Veche on veche_port
    (configure())."""

    def __init__(self, d, port=None, host=FRONT):
        self.dir = tempfile.mkdtemp(prefix="nginx-", dir=d)
        os.chmod(self.dir, 0o755)  # the workers (user nobody) make temp files here
        self.port = port or free_port()
        self.host = host
        self.proc = None

    def configure(self, veche_port, cert, key):
        site = open(os.path.join(ROOT, "conf", "nginx-veche.conf")).read()
        for old, new in (("listen 443 ssl", f"listen {self.host}:{self.port} ssl"),
                         ("/etc/letsencrypt/live/meet.example.org/fullchain.pem", cert),
                         ("/etc/letsencrypt/live/meet.example.org/privkey.pem", key),
                         ("https://127.0.0.1:8443", f"https://127.0.0.1:{veche_port}")):
            if old not in site:
                raise AssertionError(f"conf/nginx-veche.conf no longer has {old!r}")
            site = site.replace(old, new)
        with open(os.path.join(self.dir, "veche-site.conf"), "w") as f:
            f.write(site)
        self.conf = os.path.join(self.dir, "nginx.conf")
        t = self.dir
        with open(self.conf, "w") as f:
            f.write(f"""worker_processes 1;
pid {t}/nginx.pid;
error_log {t}/error.log info;
events {{ worker_connections 128; }}
http {{
    access_log {t}/access.log;
    client_body_temp_path {t}/body;
    proxy_temp_path {t}/proxy;
    fastcgi_temp_path {t}/fastcgi;
    uwsgi_temp_path {t}/uwsgi;
    scgi_temp_path {t}/scgi;
    include {t}/veche-site.conf;
}}
""")
        self.base = [NGINX, "-p", t, "-e", f"{t}/error.log", "-c", self.conf]

    def check(self):
        """`nginx -t` on the configuration: (passed, its output)."""
        r = subprocess.run(self.base + ["-t"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return r.returncode == 0, r.stdout.decode(errors="replace")

    def start(self):
        self.out = open(os.path.join(self.dir, "stdout.log"), "w")
        self.proc = subprocess.Popen(self.base + ["-g", "daemon off;"], stdout=self.out,
                                     stderr=subprocess.STDOUT)
        for _ in range(200):
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.log())
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not start: " + self.log())

    def via(self):
        return (self.host, self.port, CLIENT)

    def log(self):
        p = os.path.join(self.dir, "error.log")
        return open(p, errors="replace").read()[-3000:] if os.path.exists(p) else ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.out.close()


def audited_address(srv, front):
    """An administrative change made through nginx: the address its audit
    log entry records."""
    admin, _ = srv.login("admin" + DEMO, via=front.via())
    st, orgs, _ = srv.api("GET", "/api/admin/orgs", cookie=admin, via=front.via())
    assert st == 200 and orgs["orgs"], (st, orgs)
    org = orgs["orgs"][0]["id"]
    notice = f"notice {time.time()}"
    st, b, _ = srv.api("PATCH", f"/api/admin/orgs/{org}", {"privacyNotice": notice},
                       cookie=admin, via=front.via())
    assert st == 200, (st, b)
    st, b, _ = srv.api("GET", f"/api/admin/audit?org={org}&limit=1", cookie=admin,
                       via=front.via())
    assert st == 200 and b["entries"], (st, b)
    e = b["entries"][0]
    assert e["kind"] == "org" and e["target"] == org, e
    return e["address"], e


def behind_trusted(binary, d, cert, key, der):
    front = Nginx(d)
    srv = Server(binary, data=tempfile.mkdtemp(dir=d),
                 settings=["trusted_proxies=127.0.0.1", f"public_url=https://{FRONT}:{front.port}"])
    try:
        front.configure(srv.port, cert, key)
        good, out = front.check()
        ok(good, "nginx -t accepts conf/nginx-veche.conf", out)
        site = open(os.path.join(ROOT, "conf", "nginx-veche.conf")).read()
        doc = open(os.path.join(ROOT, "docs", "operations.md")).read()
        ok(site[site.index("server {"):] in doc,
           "docs/operations.md shows conf/nginx-veche.conf's server block as it is")
        front.start()

        ok(served_cert(front.port, FRONT, CLIENT) == der,
           "nginx terminates TLS with its own certificate")
        st, page, h = srv.api("GET", "/", via=front.via())
        csp = h.get("content-security-policy", "")
        ok(st == 200 and "<html" in page.lower() and
           f"wss://{FRONT}:{front.port}" in csp,
           "Veche's page comes through nginx, its CSP naming the public URL", (st, h))

        chair, me = srv.login("chair" + DEMO, via=front.via())
        ok(me.get("person"), "a sign-in through nginx", me)
        st, b, _ = srv.api("GET", "/api/events", cookie=chair, via=front.via())
        meeting = [e for e in b["events"] if e["kind"] == "meeting"][0]["id"]

        ws = WS(front.port, host=FRONT, source=CLIENT, cookie=chair, timeout=15,
                headers={"X-Forwarded-For": FORGED})
        ws.send(dict(type="join", event=meeting, id="j"))
        m = ws.wait_for(lambda x: x.get("type") in ("joined", "error"), 15)
        ok(m and m["type"] == "joined", "a signalling join of the demo meeting through nginx", m)
        # a second member straight to Veche: the proxied socket gets the event
        secretary, _ = srv.login("secretary" + DEMO)
        other = srv.ws(secretary)
        other.send(dict(type="join", event=meeting))
        o = other.wait_for(lambda x: x.get("type") in ("joined", "error"), 15)
        seen = ws.wait_for(lambda x: x.get("type") == "participant-joined", 15)
        ok(o["type"] == "joined" and seen is not None,
           "the proxied WebSocket receives the room's events", (o, seen))
        ws.send(dict(type="ping", id=5))
        ok(ws.expect("pong", timeout=10) is not None, "... and carries requests as before")
        other.close()
        ws.close()

        addr, entry = audited_address(srv, front)
        ok(addr == CLIENT, "trusted nginx: the audit log records the client's address", entry)
        time.sleep(0.3)
        log = srv.log_text()
        ok(f"websocket open from {CLIENT}" in log,
           "trusted nginx: the log records the client's address (X-Forwarded-For)", log[-2000:])
        ok(FORGED not in log, "trusted nginx: the address the client forged is not believed")
    finally:
        front.stop()
        clean = srv.stop()
    ok(clean, "the server exits cleanly", srv.log_text()[-2000:])


def behind_untrusted(binary, d, cert, key):
    front = Nginx(d)
    srv = Server(binary, data=tempfile.mkdtemp(dir=d))
    try:
        front.configure(srv.port, cert, key)
        front.start()
        ws = WS(front.port, host=FRONT, source=CLIENT, timeout=15)
        ws.send(dict(type="ping", id=1))
        ok(ws.expect("pong", timeout=10) is not None, "no trusted_proxies: the WebSocket works")
        ws.close()
        addr, entry = audited_address(srv, front)
        ok(addr == "127.0.0.1",
           "no trusted_proxies: the audit log records nginx's address", entry)
        time.sleep(0.3)
        log = srv.log_text()
        ok("websocket open from 127.0.0.1" in log and CLIENT not in log,
           "no trusted_proxies: X-Forwarded-For is ignored", log[-2000:])
    finally:
        front.stop()
        srv.stop()


def main(binary):
    if not os.path.exists(NGINX):
        ok(False, "nginx is installed (scripts/deps.sh test)")
        return tap.done()
    d = tempfile.mkdtemp(prefix="veche-nginx-")
    os.chmod(d, 0o755)
    try:
        cert, key, der = make_cert(d, "front")
        behind_trusted(binary, d, cert, key, der)
        behind_untrusted(binary, d, cert, key)
    except Exception:
        ok(False, "no exception", traceback.format_exc())
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return tap.done()


def front(d, port, veche_port):
    """For the browser test (tests/browser/nginx.test.mjs): nginx with
    conf/nginx-veche.conf and a new certificate, files under d, on
    127.0.0.1:port in front of Veche on veche_port; becomes the nginx
    process (SIGTERM stops it)."""
    os.chmod(d, 0o755)
    cert, key, _ = make_cert(d, "front")
    ngx = Nginx(d, port=int(port), host="127.0.0.1")
    ngx.configure(int(veche_port), cert, key)
    good, out = ngx.check()
    if not good:
        sys.exit("nginx -t: " + out)
    sys.stdout.flush()
    os.execv(NGINX, ngx.base + ["-g", "daemon off;"])


if __name__ == "__main__":
    if sys.argv[1] == "--front":
        front(*sys.argv[2:5])
    sys.exit(main(sys.argv[1]))
