#!/usr/bin/env python3
"""room_rules.py - the server enforces room kinds, roles and moderation
(docs/protocol.md, "Room kinds, roles and moderation") over the real
signalling socket, without media: training publish refused without the
floor, hands, floor, chat history for late joiners, mute, remove, lock,
resume after a dropped connection.  Media-level effects (muted audio not
forwarded, floor taken back stops media) are checked by the browser tests.

  room_rules.py path/to/veche
Prints TAP.
"""
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import accounts  # noqa: E402  (its Server)
from accounts import ROOT, run_cases  # noqa: E402
from wsclient import WS, Closed  # noqa: E402

FAKE_OFFER = ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
              "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n")


class Server(accounts.Server):
    """The accounts tests' server with an empty database (no demo), for
    anonymous rooms."""

    def __init__(self, binary):
        super().__init__(binary, data=tempfile.mkdtemp(prefix="veche-rules-"), demo=False)

    def join(self, room, name, **extra):
        ws = WS(self.port)
        ws.send(dict(type="join", room=room, name=name, **extra))
        return ws, ws.expect("joined")


CASES = []


def case(fn):
    CASES.append(fn)
    return fn


@case
def training_publish_needs_floor(srv):
    t, tj = srv.join("course", "Trainer", kind="training")
    assert tj["kind"] == "training" and tj["role"] == "trainer", tj
    assert len(tj["moderatorKey"]) == 32
    a, aj = srv.join("course", "Olga", kind="meeting")  # kind ignored: room exists
    assert aj["kind"] == "training" and aj["role"] == "activist", aj
    assert "moderatorKey" not in aj
    a.send(dict(type="publish", id=7, sdp=FAKE_OFFER))
    e = a.expect("error")
    assert e["code"] == "forbidden" and e["id"] == 7 and "floor" in e["reason"], e
    # an activist cannot moderate
    a.send(dict(type="give-floor", participant=aj["participant"]))
    assert a.expect("error")["code"] == "forbidden"
    # raise hand -> trainer sees it
    a.send(dict(type="raise-hand"))
    h = t.expect("hand", participant=aj["participant"])
    assert h["raised"] is True
    t.send(dict(type="give-floor", participant=aj["participant"]))
    t.expect("hand", participant=aj["participant"], raised=False)
    a.expect("floor", participant=aj["participant"], granted=True)
    # with the floor, the publish gets past the rights check (to the SDP)
    a.send(dict(type="publish", sdp=FAKE_OFFER))
    e = a.expect("error")
    assert e["code"] in ("bad-sdp", "unsupported"), e
    t.send(dict(type="take-floor", participant=aj["participant"]))
    a.expect("floor", participant=aj["participant"], granted=False)
    a.send(dict(type="publish", sdp=FAKE_OFFER))
    assert a.expect("error")["code"] == "forbidden"
    # the trainer on a second device, with the key
    t2, t2j = srv.join("course", "Trainer (tablet)", moderatorKey=tj["moderatorKey"])
    assert t2j["role"] == "trainer", t2j
    for ws in (t, a, t2):
        ws.close()


@case
def meeting_chat_and_late_joiner(srv):
    c, cj = srv.join("board", "Chair")
    assert cj["kind"] == "meeting" and cj["role"] == "chair"
    m, mj = srv.join("board", "Борис")
    assert mj["role"] == "member"
    m.send(dict(type="chat", text="Добрый день, коллеги"))
    got = c.expect("chat")
    assert got["text"] == "Добрый день, коллеги" and got["name"] == "Борис", got
    m.expect("chat")  # the sender gets it too
    m.send(dict(type="chat", text="\u0007"))
    assert m.expect("error")["code"] == "bad-request"
    late, lj = srv.join("board", "Late")
    assert [x["text"] for x in lj["chat"]] == ["Добрый день, коллеги"], lj["chat"]
    for ws in (c, m, late):
        ws.close()


@case
def mute_remove_lock(srv):
    c, cj = srv.join("presidium", "Chair")
    m, mj = srv.join("presidium", "Member")
    g, gj = srv.join("presidium", "Guest")
    m.send(dict(type="mute", participant=gj["participant"]))
    assert m.expect("error")["code"] == "forbidden"
    c.send(dict(type="mute", id="x", participant=mj["participant"]))
    c.expect("ok")
    got = m.expect("muted", participant=mj["participant"])
    assert got["muted"] is True and got["by"] == cj["participant"]
    m.send(dict(type="unmute"))
    c.expect("muted", participant=mj["participant"], muted=False)
    c.send(dict(type="mute-all"))
    g.expect("muted", participant=gj["participant"], muted=True)
    c.send(dict(type="mute", participant="nobody"))
    assert c.expect("error")["code"] == "no-such-participant"
    c.send(dict(type="lock"))
    m.expect("locked", locked=True)
    x = WS(srv.port)
    x.send(dict(type="join", room="presidium", name="Stranger"))
    assert x.expect("error")["code"] == "room-locked"
    x.close()
    c.send(dict(type="remove", participant=gj["participant"], reason="not on the list"))
    r = g.expect("removed")
    assert r["reason"] == "not on the list" and r["code"] == "by-moderator-reason", r
    c.expect("participant-left", participant=gj["participant"])
    g.send(dict(type="chat", text="still here?"))
    assert g.expect("error")["code"] == "not-joined"
    c.send(dict(type="unlock"))
    m.expect("locked", locked=False)
    for ws in (c, m, g):
        ws.close()


@case
def resume_after_drop(srv):
    c, cj = srv.join("rejoin", "Chair")
    m, mj = srv.join("rejoin", "Member")
    c.send(dict(type="give-floor", participant=mj["participant"]))
    m.expect("floor", granted=True)
    m.sock.close()  # a dropped connection, no leave
    c.expect("participant-left", participant=mj["participant"])
    m2, m2j = srv.join("rejoin", "Member",
                       resume=dict(participant=mj["participant"], key=mj["resumeKey"]))
    assert m2j["participant"] == mj["participant"], m2j
    assert m2j["floor"] is True
    back = c.expect("participant-joined")
    assert back["participant"]["id"] == mj["participant"]
    # a wrong key gets a new identity
    m2.sock.close()
    c.expect("participant-left", participant=mj["participant"])
    m3, m3j = srv.join("rejoin", "Member", resume=dict(participant=mj["participant"], key="0" * 32))
    assert m3j["participant"] != mj["participant"] and m3j["role"] == "member"
    # the chair resumes as chair while the old socket still looks alive
    c2, c2j = srv.join("rejoin", "Chair", resume=dict(participant=cj["participant"], key=cj["resumeKey"]))
    assert c2j["participant"] == cj["participant"] and c2j["role"] == "chair", c2j
    r = c.expect("removed")
    assert r["reason"].startswith("reconnected") and r["code"] == "replaced", r
    for ws in (c, c2, m3):
        ws.close()


@case
def empty_room_kept_for_resume(srv):
    t, tj = srv.join("solo", "Trainer", kind="training")
    t.send(dict(type="chat", text="remember me"))
    t.expect("chat")
    t.sock.close()  # the only participant drops
    time.sleep(0.3)
    t2, t2j = srv.join("solo", "Trainer", resume=dict(participant=tj["participant"], key=tj["resumeKey"]))
    assert t2j["participant"] == tj["participant"] and t2j["role"] == "trainer", t2j
    assert t2j["kind"] == "training" and t2j["moderatorKey"] == tj["moderatorKey"]
    assert [c["text"] for c in t2j["chat"]] == ["remember me"]
    t2.send(dict(type="unpublish", id=3))
    t2.expect("ok")
    t2.send(dict(type="leave"))
    t2.expect("left")
    t2.close()
    # a goodbye (leave) keeps nothing: the next joiner creates a new room
    n, nj = srv.join("solo", "Newcomer")
    assert nj["kind"] == "meeting" and nj["role"] == "chair" and nj["chat"] == [], nj
    n.close()


@case
def bad_requests(srv):
    w = WS(srv.port)
    w.send(dict(type="join", room="r", name="n", kind="party"))
    assert w.expect("error")["code"] == "bad-request"
    w.send(dict(type="join", room="r", name="n", resume="x"))
    assert w.expect("error")["code"] == "bad-request"
    w.send(dict(type="raise-hand"))
    assert w.expect("error")["code"] == "not-joined"
    w.send(dict(type="join", room="r", name="n"))
    w.expect("joined")
    w.send(dict(type="remove"))
    assert w.expect("error")["code"] == "bad-request"
    w.send(dict(type="raise-hand"))  # the moderator does not raise a hand
    assert w.expect("error")["code"] == "forbidden"
    w.send(dict(type="publish", sdp=FAKE_OFFER, sources=[1]))
    assert w.expect("error")["code"] == "bad-request"
    w.close()


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/server/veche")
    return run_cases(Server(binary), CASES)


if __name__ == "__main__":
    sys.exit(main())
