"""metrics_accounts.py VECHE - /metrics on the accounts path, and the
printable report under the Content-Security-Policy (TAP).

Against the demo organization (accounts.Server, 127.0.0.1 only):
  1. a fresh server counts no sign-ins and no attendance writes;
  2. one good and one wrong sign-in are counted by result;
  3. the chair joins the meeting: the join is in the join histogram and the
     attendance record's write in the attendance write histogram; the
     backup taken at start shows in the backup age;
  4. the printable attendance page keeps its style inline (a saved page
     keeps its look) and the CSP allows exactly that block by its SHA-256,
     and no inline script or style attribute.
"""
import base64
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import Server, run_cases  # noqa: E402

MEETING = "Заседание президиума"


def metrics(srv):
    st, text, _ = srv.api("GET", "/metrics")
    assert st == 200, (st, text)
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


STATE = {}
CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def nothing_counted_at_start(srv):
    m = metrics(srv)
    for r in ("ok", "wrong-credentials", "locked", "blocked", "error"):
        assert m[f'veche_sign_ins_total{{result="{r}"}}'] == 0, (r, m)
    assert m["veche_attendance_write_seconds_count"] == 0, m


@case
def sign_ins_counted_by_result(srv):
    STATE["chair"], _ = srv.login("chair@veche.demo")
    st, _, _ = srv.api("POST", "/api/login",
                       {"email": "member1@veche.demo", "password": "not-the-password"})
    assert st == 401, st
    m = metrics(srv)
    assert m['veche_sign_ins_total{result="ok"}'] == 1, m
    assert m['veche_sign_ins_total{result="wrong-credentials"}'] == 1, m


@case
def join_and_attendance_write_counted(srv):
    st, body, _ = srv.api("GET", "/api/events", cookie=STATE["chair"])
    assert st == 200, (st, body)
    ev = [e for e in body["events"] if e["title"] == MEETING]
    assert ev, body
    STATE["event"] = ev[0]["id"]
    w, joined = srv.join_event(STATE["chair"], STATE["event"])
    m = metrics(srv)
    w.close()
    assert m["veche_join_seconds_count"] >= 1, m
    assert m["veche_attendance_write_seconds_count"] >= 1, m
    assert m["veche_attendance_write_seconds_sum"] > 0, m
    assert m['veche_attendance_write_seconds_bucket{le="+Inf"}'] == \
        m["veche_attendance_write_seconds_count"], m
    assert 0 <= m["veche_backup_age_seconds"] < 600, m
    assert m["veche_backup_newest_timestamp_seconds"] > 1.7e9, m


@case
def printable_report_under_csp(srv):
    st, page, h = srv.api("GET", f"/api/events/{STATE['event']}/attendance.html?lang=en",
                          cookie=STATE["chair"])
    assert st == 200, (st, page)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert len(styles) == 1 and "border-collapse" in styles[0], page[:400]
    assert "style=" not in page and "<script" not in page, page[:400]
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    csp = h.get("content-security-policy", "")
    style_src = re.search(r"(?:^|; )style-src ([^;]*)", csp)
    assert style_src, csp
    assert style_src.group(1).split()[0] == "'self'", csp
    assert f"'sha256-{digest}'" in style_src.group(1).split(), (digest, csp)
    assert "unsafe" not in csp, csp


def main():
    srv = Server(sys.argv[1])
    return run_cases(srv, CASES, name=lambda fn: fn.__name__.replace("_", " "))


if __name__ == "__main__":
    sys.exit(main())
