#!/usr/bin/env python3
"""metrics_recording.py - the recording part of metrics.sh: drives a real
recording and saves /metrics pages at each step for metrics.sh to check
(promtool, values).  Not a test by itself: it prints only '#' comments and
exits 1 when a step could not be carried out.

usage: metrics_recording.py VECHE VECHE_RECORDER OUTDIR

Steps, on 127.0.0.1 only: the demo trainer's GStreamer webrtcbin peer
(tools/gst-peer) publishes a 1280x720 camera, a 1280x720 screen share and
audio; then
  OUTDIR/r0.txt  before recording;
  OUTDIR/r1.txt  while recording (after ~15 s, over which the recorder's
                 CPU time is measured: OUTDIR/recorder-cpu.txt);
  OUTDIR/r2.txt  after record-stop (the part closed);
  OUTDIR/r3.txt  after a second part whose recorder was killed (-9) and
                 which the restarted recorder repaired;
  OUTDIR/r4.txt  after the lesson supervisor rendered the event's parts
                 (the real veche-render, at normal priority through
                 $VECHE_RENDER rather than nice 19; OUTDIR/queue.txt: the largest render queue and rendering
                 values seen while waiting).
"""
import glob
import os
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from accounts import DEMO, ROOT, Server  # noqa: E402
from recording import GSTPEER, PY, cpu_seconds, recorder_pid  # noqa: E402

MEASURE_S = 15
SCREEN = os.environ.get("VECHE_TEST_SCREEN_PATTERN", "smpte")  # a still slide


def value(page, sample):
    for line in page.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == sample:
            return float(parts[1])
    return None


def main():
    binary, recorder, out = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(out, exist_ok=True)
    # The server runs veche-render at nice 19: on a loaded test machine it
    # may wait minutes for CPU.  The real renderer, at normal priority.
    render = os.path.join(os.path.dirname(os.path.abspath(binary)), "..", "render", "veche-render")
    wrapper = os.path.join(out, "render-normal.sh")
    with open(wrapper, "w") as f:
        f.write(f'#!/bin/sh\nexec "{render}" --priority normal "$@"\n')
    os.chmod(wrapper, 0o755)
    os.environ["VECHE_RENDER"] = wrapper
    # Under ASan: full stacks at malloc, so lsan.supp can name GLib's
    # load-time allocation in veche-render (as lessons.py does).
    if "ASAN_OPTIONS" in os.environ:
        os.environ["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=0"
    srv = Server(binary, settings=[f"recorder_path={recorder}"])
    peer = None

    def scrape(name=None):
        st, page, _ = srv.api("GET", "/metrics")
        assert st == 200, st
        if name:
            with open(os.path.join(out, name), "w") as f:
                f.write(page)
        return page

    def wait_metric(sample, minimum, timeout):
        end = time.time() + timeout
        while time.time() < end:
            v = value(scrape(), sample)
            if v is not None and v >= minimum:
                return v
            time.sleep(0.25)
        raise AssertionError(f"{sample} did not reach {minimum} in {timeout} s")

    try:
        trainer, _ = srv.login("trainer" + DEMO)
        st, evs, _ = srv.api("GET", "/api/events", cookie=trainer)
        assert st == 200, (st, evs)
        event = [e for e in evs["events"] if e.get("roomKind", e.get("kind")) == "training"
                 or "training" in str(e)][0]["id"]
        wt, _ = srv.join_event(trainer, event)
        peer = subprocess.Popen(
            [PY, GSTPEER, "--port", str(srv.port), "--event", str(event), "--cookie", trainer,
             "--publish", "--screen", "--screen-pattern", SCREEN, "--pattern", "ball", "--width", "1280", "--height", "720",
             "--fps", "30", "--bitrate", "1500", "--duration", "240"],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(out, "peer.log"), "w"))
        kinds = []
        while len(kinds) < 3:
            m = wt.wait_for(lambda x: x.get("type") == "track-added", 60)
            kinds.append(m["track"].get("source", m["track"]["kind"]))
        assert sorted(kinds) == ["camera", "microphone", "screen"], kinds
        # media flows (ICE can take seconds on a loaded machine)
        wait_metric("veche_rtp_packets_received_total", 1500, 90)
        scrape("r0.txt")

        wt.send({"type": "record-start", "id": "r1"})
        m = wt.wait_for(lambda x: x.get("id") == "r1", 30)
        assert m["type"] == "ok", m
        started = time.time()
        time.sleep(1.0)
        rpid = recorder_pid(srv.proc.pid)
        assert rpid, "no veche-recorder child"
        cpu0, t0 = cpu_seconds(rpid), time.time()
        time.sleep(MEASURE_S)
        cpu = (cpu_seconds(rpid) - cpu0) / (time.time() - t0)
        scrape("r1.txt")
        wt.send({"type": "record-stop", "id": "s1"})
        m = wt.wait_for(lambda x: x.get("type") == "recording" and x["recording"] is False, 30)
        seconds = time.time() - started
        time.sleep(0.5)
        page = scrape("r2.txt")
        nbytes = value(page, "veche_recording_bytes_total") or 0
        with open(os.path.join(out, "recorder-cpu.txt"), "w") as f:
            f.write(f"{cpu * 100:.2f}\n")
        part1 = glob.glob(os.path.join(srv.data, "recordings", "*", "part-1.mkv"))
        if part1:
            d = subprocess.run(["gst-discoverer-1.0", part1[0]], capture_output=True, text=True,
                               timeout=60).stdout
            print("# part 1 as gst-discoverer-1.0 sees it: " + ", ".join(
                l.strip() for l in d.splitlines() if l.strip().startswith(("video #", "audio #"))))
        print(f"# recorder CPU while recording 720p camera + 720p screen + audio: "
              f"{cpu * 100:.2f}% of one core over {MEASURE_S} s; the part: "
              f"{nbytes / 1e6:.1f} MB in {seconds:.1f} s ({nbytes * 8 / seconds / 1e6:.2f} Mbit/s)")

        wt.send({"type": "record-start", "id": "r2"})
        m = wt.wait_for(lambda x: x.get("id") == "r2", 30)
        assert m["type"] == "ok", m
        # kill once the part has data on disk (video starts at a key frame)
        end = time.time() + 60
        while time.time() < end:
            p2 = glob.glob(os.path.join(srv.data, "recordings", "*", "part-2.mkv"))
            if p2 and os.path.getsize(p2[0]) > 50000:
                break
            time.sleep(0.2)
        time.sleep(1)
        os.kill(recorder_pid(srv.proc.pid), 9)  # our server's child, by pid
        m = wt.wait_for(lambda x: x.get("type") == "recording" and x["recording"] is False, 30)
        assert m.get("reason") == "recorder-failed", m
        end = time.time() + 90
        while time.time() < end:  # the restarted recorder repairs the part
            page = scrape()
            if (value(page, 'veche_recording_parts_total{state="repaired"}') or 0) + \
                    (value(page, 'veche_recording_parts_total{state="failed"}') or 0) >= 1:
                break
            time.sleep(0.25)
        assert value(page, 'veche_recording_parts_total{state="repaired"}') == 1, \
            "the killed part was not repaired"
        wait_metric("veche_recorder_up", 1, 60)
        scrape("r3.txt")

        # The event's parts are all closed or repaired: the supervisor
        # queues and renders them.
        most_queue = most_rendering = 0
        end = time.time() + 240
        while time.time() < end:
            page = scrape()
            most_queue = max(most_queue, value(page, "veche_lesson_render_queue") or 0)
            most_rendering = max(most_rendering, value(page, "veche_lesson_rendering") or 0)
            done = (value(page, 'veche_lesson_renders_total{result="ready"}') or 0) + \
                (value(page, 'veche_lesson_renders_total{result="failed"}') or 0)
            # part 1 may be rendered alone first, then again with part 2
            if done >= 1 and value(page, "veche_lesson_render_queue") == 0 and \
                    value(page, "veche_lesson_rendering") == 0:
                break
            time.sleep(0.1)
        scrape("r4.txt")
        with open(os.path.join(out, "queue.txt"), "w") as f:
            f.write(f"{most_queue:g} {most_rendering:g}\n")
        return 0
    except Exception:  # noqa: BLE001 - reported to metrics.sh
        for line in traceback.format_exc().splitlines():
            print("# " + line)
        for line in srv.log_text().splitlines():
            if any(w in line for w in ("recording", "recorder", "repair", "lessons")):
                print("#   " + line)
        return 1
    finally:
        if peer:
            peer.terminate()
            try:
                peer.wait(10)
            except subprocess.TimeoutExpired:
                peer.kill()
                peer.wait()
        clean = srv.stop()
        print(f"# server exit {'clean' if clean else 'NOT clean'}")
        with open(os.path.join(out, "server.log"), "w") as f:
            f.write(srv.log_text())
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
