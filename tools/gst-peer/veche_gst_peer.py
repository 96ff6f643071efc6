#!/usr/bin/python3
"""veche_gst_peer.py - a GStreamer webrtcbin test peer for Veche and for
Janus VideoRoom: a third WebRTC stack beside Chromium and veche-peer.

  publish:   videotestsrc -> vp8enc -> rtpvp8pay  \\
             audiotestsrc -> opusenc -> rtpopuspay -> webrtcbin (our offer)
  subscribe: webrtcbin (the server's offer) -> rtp*depay -> decoder -> fakesink

Signalling: Veche's protocol v1 (docs/protocol.md) over wss with the
self-signed certificate accepted (tests/integration/wsclient.py), or with
--janus URL the Janus 1.x HTTP API and the VideoRoom plugin (the room must
exist; the publisher joins as a publisher, each subscriber asks for the
room's first publisher's streams).

One process runs one publisher (--publish) and/or --subscribers K
subscriber sessions, each with its own webrtcbin and its own signalling
connection, all on one GLib main loop.  ICE uses only the --ice-address
addresses (added to webrtcbin's agent, and only their candidates are
signalled), so nothing is sent to any other address.

What a subscriber counts, per received stream (a pad probe ahead of the
depayloader): RTP packets, the extended sequence-number range (loss =
expected - received, RFC 3550 style, duplicates ignored), decoded frames
(video) and the time from the start of its join to its first decoded video
frame.  With --decode first a subscriber stops decoding after its first
video frame (packets are still counted): the benchmark's many subscribers
would otherwise spend the machine on VP8 decoding.

Output (--report FILE, JSON lines; "-" = stdout):
  {"record":"stats","t":unix,"name":..,"video":{..},"audio":{..}} every
  --stats-interval s per subscriber, and {"record":"result",...} at the end,
  with ok = every expectation (--expect-video/--expect-audio) met.
Exit status 0 when every session met its expectations.
"""
import argparse
import ctypes
import json
import os
import random
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "integration"))
import wsclient  # noqa: E402

T0 = time.time()


def log(*a):
    print("%7.3f" % (time.time() - T0), *a, file=sys.stderr, flush=True)


class Report:
    def __init__(self, path):
        self.f = sys.stdout if path in (None, "-") else open(path, "w")

    def write(self, rec):
        self.f.write(json.dumps(rec) + "\n")
        self.f.flush()


def keep_ref(obj):
    """GStreamer 1.22's webrtcbin hands out its "ice-agent" without a
    reference for the caller, and PyGObject drops one when the wrapper goes:
    the agent would be freed under webrtcbin.  Take one extra reference."""
    pyapi = ctypes.pythonapi
    pyapi.PyCapsule_GetPointer.restype = ctypes.c_void_p
    pyapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    gobject = ctypes.CDLL("libgobject-2.0.so.0")
    gobject.g_object_ref.argtypes = [ctypes.c_void_p]
    gobject.g_object_ref.restype = ctypes.c_void_p
    gobject.g_object_ref(pyapi.PyCapsule_GetPointer(obj.__gpointer__, None))


# ---------------------------------------------------------------- signalling

class VecheSignal:
    """Veche protocol v1 on the GLib loop: the socket is read when readable
    and frames are taken from the buffer only once they are complete."""

    def __init__(self, port, on_message, cookie=None):
        self.ws = wsclient.WS(port, timeout=10.0, cookie=cookie)
        self.ws.sock.setblocking(False)
        self.on_message = on_message
        self.closed = False
        self.watch = GLib.io_add_watch(self.ws.sock.fileno(), GLib.PRIORITY_DEFAULT,
                                       GLib.IOCondition.IN | GLib.IOCondition.HUP,
                                       self._readable)
        GLib.idle_add(self._drain)   # the handshake may have read ahead

    def send(self, obj):
        if self.closed:
            return
        try:
            self.ws.sock.setblocking(True)
            self.ws.send(obj)
            self.ws.sock.setblocking(False)
        except OSError as e:
            log("signalling send failed:", e)
            self.closed = True

    def _readable(self, fd, cond):
        try:
            while True:
                data = self.ws.sock.recv(65536)
                if not data:
                    self.closed = True
                    break
                self.ws.buf += data
                if not self.ws.sock.pending():
                    break
        except (ssl.SSLWantReadError, BlockingIOError):
            pass
        except OSError:
            self.closed = True
        self._drain()
        return not self.closed

    def _drain(self):
        while True:
            frame = self._take_frame()
            if frame is None:
                return False
            op, data = frame
            if op == 1:
                self.on_message(json.loads(data))
            elif op == 9:
                self.ws.send_frame(10, data)
            elif op == 8:
                self.closed = True
                return False

    def _take_frame(self):
        b = self.ws.buf
        if len(b) < 2:
            return None
        n, off = b[1] & 0x7F, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, off = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, off = struct.unpack("!Q", b[2:10])[0], 10
        if len(b) < off + n:
            return None
        self.ws.buf = b[off + n:]
        return b[0] & 0x0F, b[off:off + n]

    def close(self):
        if self.watch:
            GLib.source_remove(self.watch)
            self.watch = None
        self.ws.close()


class JanusSignal:
    """The Janus HTTP API: requests from the main loop (short, local),
    events by long poll on a thread, handed to the main loop."""

    def __init__(self, url, on_event):
        self.url = url.rstrip("/")
        self.on_event = on_event
        self.closed = False
        self.session = self._post(self.url, {"janus": "create"})["data"]["id"]
        self.handle = self._post(self._surl(), {"janus": "attach",
                                                "plugin": "janus.plugin.videoroom"})["data"]["id"]
        threading.Thread(target=self._poll, daemon=True).start()

    def _surl(self):
        return "%s/%d" % (self.url, self.session)

    def _post(self, url, body):
        body = dict(body, transaction=os.urandom(6).hex())
        req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            reply = json.loads(r.read())
        if reply.get("janus") == "error":
            raise RuntimeError("janus: %s" % reply.get("error"))
        return reply

    def message(self, body, jsep=None):
        msg = {"janus": "message", "body": body}
        if jsep:
            msg["jsep"] = jsep
        return self._post("%s/%d" % (self._surl(), self.handle), msg)

    def trickle(self, candidate):
        self._post("%s/%d" % (self._surl(), self.handle), {"janus": "trickle",
                                                           "candidate": candidate})

    def _poll(self):
        while not self.closed:
            try:
                with urllib.request.urlopen("%s?maxev=10" % self._surl(), timeout=40) as r:
                    evs = json.loads(r.read())
            except OSError as e:
                if not self.closed:
                    log("janus poll:", e)
                    time.sleep(0.5)
                continue
            for ev in evs if isinstance(evs, list) else [evs]:
                GLib.idle_add(self.on_event, ev)

    def close(self):
        self.closed = True
        try:
            self._post(self._surl(), {"janus": "destroy"})
        except OSError:
            pass


# ---------------------------------------------------------------- counting

class StreamCount:
    """Packets, sequence range and decoded frames of one received stream."""

    def __init__(self, kind):
        self.kind = kind
        self.packets = 0
        self.first_ext = None
        self.max_ext = None
        self.frames = 0
        self.bytes = 0

    def on_seq(self, seq, size):
        self.packets += 1
        self.bytes += size
        if self.max_ext is None:
            self.first_ext = self.max_ext = seq
            return
        # extend by the nearest 16-bit neighbour of the highest seen
        ext = (self.max_ext & ~0xFFFF) | seq
        if ext < self.max_ext - 0x8000:
            ext += 0x10000
        elif ext > self.max_ext + 0x8000:
            ext -= 0x10000
        if ext > self.max_ext:
            self.max_ext = ext
        if ext < self.first_ext:
            self.first_ext = ext

    def snapshot(self):
        expected = 0 if self.max_ext is None else self.max_ext - self.first_ext + 1
        return {"packets": self.packets, "expected": expected,
                "lost": max(0, expected - self.packets), "frames": self.frames,
                "bytes": self.bytes}


# ---------------------------------------------------------------- sessions

class Session:
    """One webrtcbin and one signalling connection: a publisher or a
    subscriber."""

    def __init__(self, app, name, publish):
        self.app = app
        self.args = app.args
        self.name = name
        self.publish = publish
        self.t_start = time.time()
        self.first_frame_ms = None
        self.counts = {}
        self.failed = None
        self.sig = None
        self.janus_feed = None
        self.pipe = Gst.Pipeline.new(name)
        self.webrtc = Gst.ElementFactory.make("webrtcbin", "webrtc")
        self.webrtc.set_property("bundle-policy", self.args.bundle_policy_enum)
        self.webrtc.set_property("latency", 100)
        self.pipe.add(self.webrtc)
        ice = self.webrtc.get_property("ice-agent")
        keep_ref(ice)
        for a in self.args.ice_addresses:
            ice.emit("add-local-ip-address", a)
        self.webrtc.connect("on-ice-candidate", self.on_local_candidate)
        self.webrtc.connect("pad-added", self.on_pad_added)
        self.webrtc.connect("notify::ice-connection-state", self.on_ice_state)
        bus = self.pipe.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_bus_error)
        if publish:
            self.build_sources()

    # -- pipeline
    def build_sources(self):
        a = self.args
        if a.flash_beep:
            return self.build_flash_beep()
        desc = (
            "videotestsrc is-live=true pattern=%s ! video/x-raw,width=%d,height=%d,framerate=%d/1"
            " ! videoconvert ! queue max-size-buffers=2 leaky=downstream"
            " ! vp8enc deadline=1 cpu-used=%d threads=%d target-bitrate=%d keyframe-max-dist=%d"
            " error-resilient=partitions end-usage=cbr"
            " ! rtpvp8pay pt=96 picture-id-mode=15-bit mtu=1200"
            " ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,ssrc=(uint)%d"
            " ! queue name=vq"
            "%s"
            " audiotestsrc is-live=true wave=sine freq=440 volume=0.2"
            " ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2"
            " ! opusenc bitrate=32000 ! rtpopuspay pt=111"
            " ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000,ssrc=(uint)%d"
            " ! queue name=aq"
        ) % (a.pattern, a.width, a.height, a.fps, a.cpu_used, a.enc_threads,
             a.bitrate * 1000, a.fps * 3, random.randrange(1, 1 << 31),
             self.screen_desc(), random.randrange(1, 1 << 31))
        src = Gst.parse_bin_from_description(desc, False)
        self.pipe.add(src)
        for qname in ("vq", "sq", "aq") if a.screen else ("vq", "aq"):
            q = src.get_by_name(qname)
            ghost = Gst.GhostPad.new(qname, q.get_static_pad("src"))
            src.add_pad(ghost)
            sink = self.webrtc.request_pad_simple("sink_%u")
            ghost.link(sink)
        # sendonly transceivers: we never receive on the publish connection
        for tr in self.transceivers():
            tr.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)

    def screen_desc(self):
        """--screen: a second video stream, which Veche takes as a screen
        share (the first video is the camera, any further one the screen)."""
        a = self.args
        if not a.screen:
            return ""
        return (
            " videotestsrc is-live=true pattern=%s ! video/x-raw,width=%d,height=%d,framerate=%d/1"
            " ! videoconvert ! queue max-size-buffers=2 leaky=downstream"
            " ! vp8enc deadline=1 cpu-used=%d threads=%d target-bitrate=%d keyframe-max-dist=%d"
            " error-resilient=partitions end-usage=cbr"
            " ! rtpvp8pay pt=96 picture-id-mode=15-bit mtu=1200"
            " ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,ssrc=(uint)%d"
            " ! queue name=sq"
        ) % (a.screen_pattern, a.width, a.height, a.screen_fps, a.cpu_used, a.enc_threads,
             a.screen_bitrate * 1000, a.screen_fps * 3, random.randrange(1, 1 << 31))

    def build_flash_beep(self):
        """A black picture that flashes white for 100 ms at every whole second
        from 1 s on, and a 1 kHz beep over silence at exactly the same times
        (non-live sources paced by clocksync start at 0, so the frames of a
        whole second exist; GstController steps the colour and the volume)."""
        a = self.args
        desc = (
            "videotestsrc name=vsrc pattern=solid-color foreground-color=0xff000000"
            " ! video/x-raw,width=%d,height=%d,framerate=%d/1,format=I420 ! clocksync"
            " ! queue max-size-buffers=2 leaky=downstream"
            " ! vp8enc deadline=1 cpu-used=%d threads=%d target-bitrate=%d keyframe-max-dist=%d"
            " error-resilient=partitions end-usage=cbr"
            " ! rtpvp8pay pt=96 picture-id-mode=15-bit mtu=1200"
            " ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000,ssrc=(uint)%d"
            " ! queue name=vq"
            " audiotestsrc name=asrc wave=sine freq=1000 volume=0 samplesperbuffer=48"
            " ! audio/x-raw,rate=48000,channels=2 ! clocksync ! audioconvert"
            " ! opusenc bitrate=64000 ! rtpopuspay pt=111"
            " ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000,ssrc=(uint)%d"
            " ! queue name=aq"
        ) % (a.width, a.height, a.fps, a.cpu_used, a.enc_threads, a.bitrate * 1000, a.fps,
             random.randrange(1, 1 << 31), random.randrange(1, 1 << 31))
        src = Gst.parse_bin_from_description(desc, False)
        gi.require_version("GstController", "1.0")
        from gi.repository import GstController
        for name, prop, on, off in (("vsrc", "foreground-color", 0xffffffff, 0xff000000),
                                    ("asrc", "volume", 0.8, 0.0)):
            el = src.get_by_name(name)
            cs = GstController.InterpolationControlSource()
            cs.set_property("mode", GstController.InterpolationMode.NONE)
            el.add_control_binding(GstController.DirectControlBinding.new_absolute(el, prop, cs))
            cs.set(0, off)
            for k in range(1, int(a.duration) + 600):
                cs.set(k * Gst.SECOND, on)
                cs.set(k * Gst.SECOND + 100 * Gst.MSECOND, off)
            self.controls = getattr(self, "controls", []) + [cs]
        self.pipe.add(src)
        for qname in ("vq", "aq"):
            q = src.get_by_name(qname)
            ghost = Gst.GhostPad.new(qname, q.get_static_pad("src"))
            src.add_pad(ghost)
            sink = self.webrtc.request_pad_simple("sink_%u")
            ghost.link(sink)
        for tr in self.transceivers():
            tr.set_property("direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)

    def transceivers(self):
        out, i = [], 0
        while True:
            tr = self.webrtc.emit("get-transceiver", i)
            if tr is None:
                return out
            out.append(tr)
            i += 1

    def on_pad_added(self, webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps()
        s = caps.get_structure(0)
        media = s.get_string("media")
        enc = (s.get_string("encoding-name") or "").upper()
        if enc == "VP8":
            chain = "queue ! rtpvp8depay ! vp8dec name=dec ! fakesink sync=false async=false"
        elif enc == "OPUS":
            chain = "queue ! rtpopusdepay ! opusdec name=dec ! fakesink sync=false async=false"
        else:
            chain = "fakesink sync=false async=false"
        bin_ = Gst.parse_bin_from_description(chain, True)
        self.pipe.add(bin_)
        bin_.sync_state_with_parent()
        pad.link(bin_.get_static_pad("sink"))
        key = media if media not in self.counts else "%s%d" % (media, len(self.counts))
        cnt = StreamCount(media)
        self.counts[key] = cnt
        pad.add_probe(Gst.PadProbeType.BUFFER, self.on_rtp, cnt)
        dec = bin_.get_by_name("dec")
        if dec is not None:
            dec.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self.on_frame, cnt)
            if media == "video" and self.args.decode == "first":
                dec.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER,
                                                     self.drop_after_first, cnt)
        log(self.name, "receiving", media, enc)

    @staticmethod
    def on_rtp(pad, info, cnt):
        buf = info.get_buffer()
        ok, m = buf.map(Gst.MapFlags.READ)
        if ok:
            if m.size >= 4:
                cnt.on_seq((m.data[2] << 8) | m.data[3], m.size)
            buf.unmap(m)
        return Gst.PadProbeReturn.OK

    def on_frame(self, pad, info, cnt):
        cnt.frames += 1
        if cnt.kind == "video" and self.first_frame_ms is None:
            self.first_frame_ms = (time.time() - self.t_start) * 1000.0
            log(self.name, "first video frame after %.0f ms" % self.first_frame_ms)
        return Gst.PadProbeReturn.OK

    @staticmethod
    def drop_after_first(pad, info, cnt):
        return Gst.PadProbeReturn.DROP if cnt.frames > 0 else Gst.PadProbeReturn.OK

    def on_bus_error(self, bus, msg):
        err, dbg = msg.parse_error()
        self.fail("pipeline error: %s (%s)" % (err.message, dbg))

    def on_ice_state(self, webrtc, pspec):
        st = webrtc.get_property("ice-connection-state")
        log(self.name, "ice", st.value_nick)
        if st == GstWebRTC.WebRTCICEConnectionState.FAILED:
            self.fail("ICE failed")

    def fail(self, why):
        if not self.failed:
            self.failed = why
            log(self.name, "FAILED:", why)

    # -- start
    def start(self):
        self.pipe.set_state(Gst.State.PLAYING)
        self.t_start = time.time()
        try:
            if self.args.janus:
                self.sig = JanusSignal(self.args.janus, self.on_janus_event)
                self.janus_join()
            else:
                self.sig = VecheSignal(self.args.port, self.on_veche_message, self.args.cookie)
                if self.args.event:
                    self.sig.send({"type": "join", "event": self.args.event})
                else:
                    self.sig.send({"type": "join", "room": self.args.room, "name": self.name})
        except (OSError, RuntimeError, wsclient.Closed) as e:
            self.fail("signalling: %s" % e)

    def allowed(self, cand):
        parts = cand.split()
        return len(parts) > 5 and parts[4] in self.args.ice_addresses

    def strip_candidates(self, sdp):
        out = []
        for line in sdp.split("\r\n"):
            if line.startswith("a=candidate:") and not self.allowed(line[2:]):
                continue
            out.append(line)
        return "\r\n".join(out)

    def create_offer(self, done):
        # webrtcbin writes a=ssrc only for sink pads with caps: wait for
        # the first buffer of every source (Veche needs an SSRC per m-line)
        pads = [p for p in self.webrtc.sinkpads]
        if any(p.get_current_caps() is None for p in pads):
            GLib.timeout_add(50, lambda: self.create_offer(done) and False)
            return

        def on_offer(promise, _):
            reply = promise.get_reply()
            offer = reply.get_value("offer")
            if self.args.verbose:
                log(self.name, "offer:\n" + offer.sdp.as_text())
            self.webrtc.emit("set-local-description", offer, Gst.Promise.new())
            done(offer.sdp.as_text())
        self.webrtc.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, None))

    def apply_offer(self, sdp_text, done):
        if self.args.verbose:
            log(self.name, "remote offer:\n" + sdp_text)
        ok, msg = GstSdp.SDPMessage.new_from_text(sdp_text)
        offer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, msg)

        def on_answer(promise, _):
            reply = promise.get_reply()
            answer = reply.get_value("answer")
            self.webrtc.emit("set-local-description", answer, Gst.Promise.new())
            done(answer.sdp.as_text())

        def on_remote_set(promise, _):
            self.webrtc.emit("create-answer", None,
                             Gst.Promise.new_with_change_func(on_answer, None))
        self.webrtc.emit("set-remote-description", offer,
                         Gst.Promise.new_with_change_func(on_remote_set, None))

    def apply_answer(self, sdp_text):
        if self.args.verbose:
            log(self.name, "remote answer:\n" + sdp_text)
        ok, msg = GstSdp.SDPMessage.new_from_text(sdp_text)
        ans = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, msg)
        self.webrtc.emit("set-remote-description", ans, Gst.Promise.new())

    def add_remote_candidate(self, cand, mline=0):
        if cand:
            self.webrtc.emit("add-ice-candidate", mline, cand)

    # -- Veche
    def on_veche_message(self, m):
        t = m.get("type")
        if t == "joined":
            log(self.name, "joined as", m.get("participant"))
            if self.publish:
                self.create_offer(lambda sdp: self.sig.send(
                    {"type": "publish", "sdp": self.strip_candidates(sdp)}))
            else:
                self.sig.send({"type": "subscribe"})
        elif t == "answer" and m.get("pc") == "publish":
            self.apply_answer(m["sdp"])
        elif t == "offer" and m.get("pc") == "subscribe":
            self.apply_offer(m["sdp"], lambda sdp: self.sig.send(
                {"type": "answer", "pc": "subscribe", "sdp": self.strip_candidates(sdp)}))
        elif t == "candidate":
            self.add_remote_candidate(m.get("candidate"))
        elif t == "error":
            self.fail("server error %s: %s" % (m.get("code"), m.get("reason")))

    # -- Janus VideoRoom
    def janus_join(self):
        a = self.args
        if self.publish:
            r = self.sig.message({"request": "join", "ptype": "publisher",
                                  "room": a.janus_room, "display": self.name})
            log(self.name, "janus join:", r.get("janus"))
            return
        # a subscriber asks for the room's first publisher (retrying while
        # there is none yet)
        r = self.sig.message({"request": "listparticipants", "room": a.janus_room})
        pubs = [p for p in r["plugindata"]["data"].get("participants", [])
                if p.get("publisher")]
        if not pubs:
            GLib.timeout_add(200, lambda: (self.janus_join(), False)[1])
            return
        self.janus_feed = pubs[0]["id"]
        self.sig.message({"request": "join", "ptype": "subscriber", "room": a.janus_room,
                          "streams": [{"feed": self.janus_feed}]})

    def on_janus_event(self, ev):
        kind = ev.get("janus")
        data = ev.get("plugindata", {}).get("data", {})
        jsep = ev.get("jsep")
        if kind == "event" and data.get("videoroom") == "joined" and self.publish:
            log(self.name, "janus publisher id", data.get("id"))
            self.create_offer(lambda sdp: self.sig.message(
                {"request": "publish", "audio": True, "video": True},
                {"type": "offer", "sdp": self.strip_candidates(sdp)}))
        elif jsep and jsep.get("type") == "answer":
            self.apply_answer(jsep["sdp"])
        elif jsep and jsep.get("type") == "offer":
            self.apply_offer(jsep["sdp"], lambda sdp: self.sig.message(
                {"request": "start"}, {"type": "answer", "sdp": self.strip_candidates(sdp)}))
        elif kind == "trickle":
            c = ev.get("candidate", {})
            if c.get("candidate") and self.allowed(c["candidate"]):
                self.add_remote_candidate(c["candidate"], c.get("sdpMLineIndex", 0))
        elif data.get("error"):
            self.fail("janus error %s: %s" % (data.get("error_code"), data.get("error")))
        return False

    def on_local_candidate(self, webrtc, mline, cand):
        if self.args.verbose:
            log(self.name, "local candidate", mline, cand, "(sent)" if self.allowed(cand) else "")
        if not self.allowed(cand):
            return
        GLib.idle_add(self._send_candidate, mline, cand)

    def _send_candidate(self, mline, cand):
        if self.sig is None:
            return False
        try:
            if self.args.janus:
                self.sig.trickle({"candidate": cand, "sdpMLineIndex": mline})
            else:
                self.sig.send({"type": "candidate",
                               "pc": "publish" if self.publish else "subscribe",
                               "candidate": cand, "mid": str(mline)})
        except OSError as e:
            self.fail("signalling: %s" % e)
        return False

    # -- results
    def stats(self):
        rec = {"name": self.name, "role": "publisher" if self.publish else "subscriber",
               "first_frame_ms": self.first_frame_ms}
        for k, c in self.counts.items():
            rec[k] = c.snapshot()
        return rec

    def result(self):
        rec = self.stats()
        problems = []
        if self.failed:
            problems.append(self.failed)
        if not self.publish:
            for kind in self.args.expect:
                c = self.counts.get(kind)
                if c is None or c.packets == 0:
                    problems.append("no %s received" % kind)
                elif kind == "video" and c.frames == 0:
                    problems.append("no video frame decoded")
                elif kind == "audio" and c.frames == 0:
                    problems.append("no audio decoded")
        rec["ok"] = not problems
        rec["problems"] = problems
        return rec

    def stop(self):
        if self.sig:
            try:
                if not self.args.janus and not self.sig.closed:
                    self.sig.send({"type": "leave"})
            except OSError:
                pass
            self.sig.close()
        self.pipe.set_state(Gst.State.NULL)


class App:
    def __init__(self, args):
        self.args = args
        self.report = Report(args.report)
        self.loop = GLib.MainLoop()
        self.sessions = []
        if args.publish:
            self.sessions.append(Session(self, args.name, True))
        for i in range(args.subscribers):
            self.sessions.append(Session(self, "%s-sub%d" % (args.name, i + 1), False))

    def run(self):
        # stagger the starts a little so that joins do not all collide
        for i, s in enumerate(self.sessions):
            GLib.timeout_add(int(i * self.args.stagger * 1000), lambda s=s: s.start() or False)
        GLib.timeout_add(int(self.args.stats_interval * 1000), self.tick)
        GLib.timeout_add(int(self.args.duration * 1000), self.finish)
        for sig in (2, 15):
            GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, self.finish)
        self.loop.run()
        results = [s.result() for s in self.sessions]
        for r in results:
            r["record"] = "result"
            self.report.write(r)
        for s in self.sessions:
            s.stop()
        return 0 if all(r["ok"] for r in results) else 1

    def tick(self):
        now = time.time()
        for s in self.sessions:
            if not s.publish:
                rec = s.stats()
                rec.update(record="stats", t=now)
                self.report.write(rec)
        return True

    def finish(self):
        self.tick()
        self.loop.quit()
        return False


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, help="Veche's HTTPS port on 127.0.0.1")
    p.add_argument("--janus", help="Janus HTTP API URL instead, e.g. http://10.0.0.1:8088/janus")
    p.add_argument("--janus-room", type=int, default=1234)
    p.add_argument("--room", default="gst")
    p.add_argument("--name", default="gst")
    p.add_argument("--publish", action="store_true")
    p.add_argument("--subscribers", type=int, default=0)
    p.add_argument("--expect", default="video,audio",
                   help="kinds each subscriber must receive and decode")
    p.add_argument("--decode", choices=("all", "first"), default="all")
    p.add_argument("--bundle-policy", choices=("max-bundle", "max-compat"),
                   default="max-bundle")
    p.add_argument("--ice-address", action="append", dest="ice_addresses", default=[])
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=720)
    p.add_argument("--fps", type=int, default=30)
    p.add_argument("--bitrate", type=int, default=1500, help="video kbit/s")
    p.add_argument("--pattern", default="smpte", help="videotestsrc pattern")
    p.add_argument("--cpu-used", type=int, default=8)
    p.add_argument("--screen", action="store_true",
                   help="publish a second video, a screen share (not with --flash-beep)")
    p.add_argument("--screen-pattern", default="snow", help="its videotestsrc pattern")
    p.add_argument("--screen-fps", type=int, default=15)
    p.add_argument("--screen-bitrate", type=int, default=1000, help="its kbit/s")
    p.add_argument("--enc-threads", type=int, default=1)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--stagger", type=float, default=0.05)
    p.add_argument("--stats-interval", type=float, default=0.5)
    p.add_argument("--report")
    p.add_argument("--event", type=int, help="join this event (needs --cookie)")
    p.add_argument("--cookie", help="Cookie header of the WebSocket upgrade (veche_session=...)")
    p.add_argument("--flash-beep", action="store_true",
                   help="publish a white flash and a beep at every whole second (A/V sync)")
    p.add_argument("--verbose", action="store_true", help="log SDP")
    args = p.parse_args()
    if not args.port and not args.janus:
        p.error("--port or --janus is needed")
    if not args.ice_addresses:
        args.ice_addresses = ["127.0.0.1"]
    args.expect = [k for k in args.expect.split(",") if k]
    Gst.init(None)
    args.bundle_policy_enum = {
        "max-bundle": GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE,
        "max-compat": GstWebRTC.WebRTCBundlePolicy.MAX_COMPAT}[args.bundle_policy]
    sys.exit(App(args).run())


if __name__ == "__main__":
    main()
