#!/usr/bin/python3
"""avcheck.py FILE - decode a Matroska file (VP8 + Opus) and print, as JSON,
the times of the white flashes in the picture, the onsets of the beeps in
the sound, the flash-minus-beep offsets (ms) of the pairs, and the last
decoded video and audio times (s).  Used by recording.py."""
import json
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp  # noqa: E402,F401

Gst.init(None)
desc = ("filesrc location=\"%s\" ! matroskademux name=d"
        " d. ! queue ! vp8dec ! videoconvert ! videoscale ! video/x-raw,format=GRAY8,width=32,height=18"
        " ! appsink name=v sync=false"
        " d. ! queue ! opusdec ! audioconvert ! audioresample"
        " ! audio/x-raw,format=S16LE,channels=1,rate=48000 ! appsink name=a sync=false")
pipe = Gst.parse_launch(desc % sys.argv[1])
v, a = pipe.get_by_name("v"), pipe.get_by_name("a")
frames, audio = [], []   # (pts s, mean luma); (pts s, bytes)


def on_v(sink):
    s = sink.emit("pull-sample")
    b = s.get_buffer()
    ok, m = b.map(Gst.MapFlags.READ)
    frames.append((b.pts / 1e9, sum(m.data) / len(m.data)))
    b.unmap(m)
    return Gst.FlowReturn.OK


def on_a(sink):
    s = sink.emit("pull-sample")
    b = s.get_buffer()
    ok, m = b.map(Gst.MapFlags.READ)
    audio.append((b.pts / 1e9, bytes(m.data)))
    b.unmap(m)
    return Gst.FlowReturn.OK


for sink, cb in ((v, on_v), (a, on_a)):
    sink.set_property("emit-signals", True)
    sink.connect("new-sample", cb)
pipe.set_state(Gst.State.PLAYING)
msg = pipe.get_bus().timed_pop_filtered(120 * Gst.SECOND,
                                        Gst.MessageType.EOS | Gst.MessageType.ERROR)
pipe.set_state(Gst.State.NULL)

# An onset counts only after a dark picture / 0.3 s of silence was seen:
# the recording may begin in the middle of a flash or a beep.
flashes = []
prev = None
for t, y in frames:
    if y > 128 and prev is not None and prev <= 128:
        flashes.append(t)
    prev = y

beeps = []
quiet_since = audio[0][0] if audio else 0.0  # the last loud sample (or the start)
for t, data in audio:
    n = len(data) // 2
    for i in range(n):
        s = int.from_bytes(data[2 * i:2 * i + 2], "little", signed=True)
        ts = t + i / 48000.0
        if abs(s) > 8000:
            if ts - quiet_since > 0.3:
                beeps.append(ts)
            quiet_since = ts
# The part begins wherever the session was: the first half second may cut
# a flash or a beep in two, so onsets count from then on.
start = max(frames[0][0] if frames else 0.0, audio[0][0] if audio else 0.0) + 0.5
flashes = [f for f in flashes if f >= start]
beeps = [b for b in beeps if b >= start]
offsets = []
for f in flashes:
    near = [b for b in beeps if abs(b - f) < 0.5]
    if near:
        b = min(near, key=lambda x: abs(x - f))
        offsets.append(round((f - b) * 1000, 1))
print(json.dumps({"end": msg.type.first_value_nick if msg else "timeout",
                  "flashes": [round(x, 3) for x in flashes], "beeps": [round(x, 3) for x in beeps],
                  "offsets_ms": offsets,
                  "last_video": frames[-1][0] if frames else 0.0,
                  "last_audio": audio[-1][0] if audio else 0.0}))
