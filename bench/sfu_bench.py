#!/usr/bin/python3
"""sfu_bench.py - one publisher, N subscribers, Veche and Janus VideoRoom
side by side, in a network namespace of its own.  See bench/README.md and
docs/performance.md.

  bench/sfu_bench.py [--smoke] [--subscribers 10,20,50] [--duration 20]
                     [--servers veche,janus] [--veche build/server/veche]
                     [--json FILE] [--perf FILE]

Must run as root (ip netns).  It creates the namespace veche-bench-<pid>
with `lo` up and a veth pair vb0 10.77.0.1/24 <-> vb1 10.77.0.2/24 both
inside it, re-runs itself in there, and deletes the namespace at the end.
The SFU's media addresses are 10.77.0.1, the peers' 10.77.0.2, signalling is
on the namespace's 127.0.0.1: no packet ever leaves the namespace.

For each server and each N: the server starts fresh (Veche from the build
tree with a temporary data directory; Janus, when Debian's `janus` is
installed, with its own config folder: `janus -F DIR`, VideoRoom room 1234,
HTTP API on 127.0.0.1:8088), then the publisher (tools/gst-peer, webrtcbin
max-bundle, 720p30 VP8 at 1.5 Mbit/s + Opus; --smoke: 640x360 at 500 kbit/s),
then N webrtcbin subscribers of the same program (10 per process), which
decode until their first video frame and then only count RTP packets
(tools/gst-peer --decode first).  Once every subscriber has a frame (or
after a warm-up limit) a window of --duration seconds is measured:

  cpu_us_per_pkt  SFU process utime+stime (/proc/PID/stat) over the RTP
                  packets all subscribers received in the window
  udp_drops       the drops column of /proc/net/udp{,6} for the SFU's own
                  sockets (inodes from /proc/PID/fd), end minus start
  loss_pct        subscribers' (expected - received) / expected in the
                  window, from RTP sequence numbers, video and audio
  api_p99_ms      p99 of GET /healthz (Veche, HTTPS, one kept-alive
                  connection) or GET /janus/info (Janus), every 50 ms
  first_frame_ms  median and max over subscribers of the time from the
                  start of the join to the first decoded video frame

Prints one line per (server, N) and a table; --json writes the numbers.
The program asserts nothing about them; exit status 1 only when a run could
not be measured (a server did not start, no packet was forwarded).
"""
import argparse
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GSTPEER = os.path.join(ROOT, "tools", "gst-peer", "veche_gst_peer.py")
SFU_ADDR, PEER_ADDR = "10.77.0.1", "10.77.0.2"
VECHE_PORT, JANUS_PORT = 8443, 8088
HZ = os.sysconf("SC_CLK_TCK")
PY = "/usr/bin/python3"   # Debian's, with python3-gi


def say(*a):
    print(*a, flush=True)


# ------------------------------------------------------------ namespace

def run_outside(args):
    ns = "veche-bench-%d" % os.getpid()
    cmds = [["ip", "netns", "add", ns],
            ["ip", "-n", ns, "link", "set", "lo", "up"],
            ["ip", "-n", ns, "link", "add", "vb0", "type", "veth", "peer", "name", "vb1"],
            ["ip", "-n", ns, "addr", "add", SFU_ADDR + "/24", "dev", "vb0"],
            ["ip", "-n", ns, "addr", "add", PEER_ADDR + "/24", "dev", "vb1"],
            ["ip", "-n", ns, "link", "set", "vb0", "up"],
            ["ip", "-n", ns, "link", "set", "vb1", "up"]]
    # libnice binds its sends to the interface (IP_UNICAST_IF), so packets
    # between the two ends really cross the veth pair and arrive with a
    # source address that is local: accept those.
    for dev in ("vb0", "vb1"):
        cmds.append(["ip", "netns", "exec", ns, "sysctl", "-qw",
                     "net.ipv4.conf.%s.accept_local=1" % dev,
                     "net.ipv4.conf.%s.rp_filter=0" % dev])
    try:
        for c in cmds:
            subprocess.run(c, check=True)
        inner = ["ip", "netns", "exec", ns, PY, os.path.abspath(__file__), "--in-netns", ns]
        inner += sys.argv[1:]
        proc = subprocess.Popen(inner)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.send_signal(signal.SIGINT)
            return proc.wait()
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


# ------------------------------------------------------------ measuring

def proc_cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime, stime


def thread_stats(pid):
    """Per thread of pid: tid -> (comm, cpu ticks, on-CPU ns, run-queue wait
    ns, voluntary and involuntary context switches)."""
    out = {}
    for d in glob.glob("/proc/%d/task/*" % pid):
        try:
            with open(d + "/stat") as f:
                head, rest = f.read().rsplit(")", 1)
            fields = rest.split()
            comm = head.split("(", 1)[1]
            with open(d + "/schedstat") as f:
                run_ns, wait_ns = (int(x) for x in f.read().split()[:2])
            vol = nonvol = 0
            with open(d + "/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches"):
                        vol = int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches"):
                        nonvol = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
        out[int(os.path.basename(d))] = (comm, int(fields[11]) + int(fields[12]), run_ns,
                                         wait_ns, vol, nonvol)
    return out


def thread_deltas(pid, before, after):
    """The window's CPU and switches, for the main thread (tid == pid), the
    media workers (veche-media*) and the rest."""
    groups = {}
    for tid, a in after.items():
        b = before.get(tid, (a[0], 0, 0, 0, 0, 0))
        g = "main" if tid == pid else "media" if a[0].startswith("veche-media") else "other"
        acc = groups.setdefault(g, [0, 0, 0, 0, 0])
        for i in range(5):
            acc[i] += a[i + 1] - b[i + 1]
    return groups


def udp_drops(pid):
    """Sum of the drops column over the process's UDP sockets."""
    inodes = set()
    for fd in glob.glob("/proc/%d/fd/*" % pid):
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    total, n = 0, 0
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if len(f) >= 13 and f[9] in inodes:
                total += int(f[-1])
                n += 1
    return total, n


class ApiProbe(threading.Thread):
    """GET a URL every 50 ms on one kept-alive connection; latencies in ms."""

    def __init__(self, https, port, path):
        super().__init__(daemon=True)
        self.https, self.port, self.path = https, port, path
        self.lat, self.errors = [], 0
        self.stop_ev = threading.Event()

    def conn(self):
        if self.https:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=5, context=ctx)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            c.connect()
            # no Nagle: a request must not wait for the previous one's ACK
            c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        return c

    def run(self):
        c = self.conn()
        while not self.stop_ev.wait(0.05):
            t = time.monotonic()
            try:
                c.request("GET", self.path)
                r = c.getresponse()
                r.read()
                if r.status == 200:
                    self.lat.append((time.monotonic() - t) * 1000.0)
                else:
                    self.errors += 1
                if r.getheader("connection", "").lower() == "close":
                    c.close()
                    c = self.conn()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                c.close()
                c = self.conn()
        c.close()

    def p99(self):
        if not self.lat:
            return None
        s = sorted(self.lat)
        return s[min(len(s) - 1, int(len(s) * 0.99))]


def read_stats(path):
    """name -> list of (t, packets, expected, lost, first_frame_ms)."""
    out = {}
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("record") != "stats":
            continue
        pk = ex = 0
        for k in ("video", "audio"):
            if k in r:
                pk += r[k]["packets"]
                ex += r[k]["expected"]
        out.setdefault(r["name"], []).append((r["t"], pk, ex, r.get("first_frame_ms")))
    return out


def at(series, t):
    """(packets, expected) interpolated at time t."""
    prev = None
    for row in series:
        if row[0] >= t:
            if prev is None:
                return row[1], row[2]
            f = (t - prev[0]) / max(1e-9, row[0] - prev[0])
            return prev[1] + f * (row[1] - prev[1]), prev[2] + f * (row[2] - prev[2])
        prev = row
    return (prev[1], prev[2]) if prev else (0, 0)


# ------------------------------------------------------------ servers

class Veche:
    name = "veche"

    def __init__(self, args, tmp):
        self.args, self.tmp = args, tmp

    def start(self):
        d = os.path.join(self.tmp, "veche-data")
        os.makedirs(d, exist_ok=True)
        self.log = open(os.path.join(self.tmp, "veche.log"), "w")
        self.proc = subprocess.Popen(
            [self.args.veche, "--set", "listen_address=127.0.0.1",
             "--set", "port=%d" % VECHE_PORT, "--set", "ice_addresses=" + SFU_ADDR,
             "--set", "rtp_port_min=41000", "--set", "rtp_port_max=41999",
             "--set", "web_root=" + os.path.join(ROOT, "web-client"),
             "--set", "data_dir=" + d, "--set", "log_level=warn",
             "--set", "max_room_participants=200"],
            stdout=self.log, stderr=subprocess.STDOUT)
        return wait_http(ApiProbe(True, VECHE_PORT, "/healthz"), self.proc)

    def probe(self):
        return ApiProbe(True, VECHE_PORT, "/healthz")

    def peer_args(self):
        return ["--port", str(VECHE_PORT), "--room", "bench"]

    def loop_turn_max_us(self):
        """(wall, CPU) of the main loop's longest turn since the last read
        (/metrics resets them), in µs; (None, None) if the server does not
        say.  One kept-alive connection, so no TLS handshake of ours falls
        inside the window."""
        if getattr(self, "mconn", None) is None:
            self.mconn = ApiProbe(True, VECHE_PORT, "/metrics").conn()
        try:
            self.mconn.request("GET", "/metrics")
            text = self.mconn.getresponse().read().decode()
        except (OSError, http.client.HTTPException):
            self.mconn = None
            return None, None
        got = {}
        for line in text.splitlines():
            for key in ("veche_main_loop_turn_max_seconds", "veche_main_loop_turn_cpu_max_seconds"):
                if line.startswith(key + " "):
                    got[key] = float(line.split()[1]) * 1e6
        return (got.get("veche_main_loop_turn_max_seconds"),
                got.get("veche_main_loop_turn_cpu_max_seconds"))

    def stop(self):
        if getattr(self, "mconn", None) is not None:
            self.mconn.close()
            self.mconn = None
        stop_proc(self.proc)
        self.log.close()


JANUS_CFG = {
    "janus.jcfg": """general: {
  configs_folder = "%(dir)s"
  plugins_folder = "/usr/lib/x86_64-linux-gnu/janus/plugins"
  transports_folder = "/usr/lib/x86_64-linux-gnu/janus/transports"
  events_folder = "/usr/lib/x86_64-linux-gnu/janus/events"
  loggers_folder = "/usr/lib/x86_64-linux-gnu/janus/loggers"
  debug_level = 3
  session_timeout = 60
}
media: {
  rtp_port_range = "42000-42999"
}
nat: {
  ice_enforce_list = "vb0"
}
plugins: {
  disable = "libjanus_audiobridge.so,libjanus_duktape.so,libjanus_echotest.so,libjanus_lua.so,libjanus_nosip.so,libjanus_recordplay.so,libjanus_sip.so,libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so"
}
transports: {
  disable = "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_pfunix.so,libjanus_rabbitmq.so,libjanus_websockets.so"
}
events: {
  broadcast = false
}
loggers: {
  disable = "libjanus_jsonlog.so"
}
""",
    "janus.transport.http.jcfg": """general: {
  json = "plain"
  base_path = "/janus"
  http = true
  port = %(port)d
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
}
""",
    "janus.plugin.videoroom.jcfg": """general: {
}
room-1234: {
  description = "bench"
  publishers = 3
  bitrate = 0
  fir_freq = 10
  audiocodec = "opus"
  videocodec = "vp8"
  record = false
}
""",
}


class Janus:
    name = "janus"

    def __init__(self, args, tmp):
        self.args, self.tmp = args, tmp

    def start(self):
        d = os.path.join(self.tmp, "janus-cfg")
        os.makedirs(d, exist_ok=True)
        for fname, text in JANUS_CFG.items():
            with open(os.path.join(d, fname), "w") as f:
                f.write(text % {"dir": d, "port": JANUS_PORT})
        self.log = open(os.path.join(self.tmp, "janus.log"), "w")
        self.proc = subprocess.Popen([self.args.janus, "-F", d, "-C", os.path.join(d, "janus.jcfg")],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        return wait_http(ApiProbe(False, JANUS_PORT, "/janus/info"), self.proc)

    def probe(self):
        return ApiProbe(False, JANUS_PORT, "/janus/info")

    def loop_turn_max_us(self):
        return None, None

    def peer_args(self):
        return ["--janus", "http://127.0.0.1:%d/janus" % JANUS_PORT, "--janus-room", "1234"]

    def stop(self):
        stop_proc(self.proc)
        self.log.close()


def wait_http(probe, proc, secs=20):
    end = time.time() + secs
    while time.time() < end:
        if proc.poll() is not None:
            return False
        c = probe.conn()
        try:
            c.request("GET", probe.path)
            if c.getresponse().status == 200:
                return True
        except (OSError, http.client.HTTPException):
            pass
        finally:
            c.close()
        time.sleep(0.2)
    return False


def stop_proc(proc, grace=10):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ------------------------------------------------------------ one run

def run_one(args, server, n, tmp):
    res = {"server": server.name, "subscribers": n}
    rdir = os.path.join(tmp, "%s-%d" % (server.name, n))
    os.makedirs(rdir, exist_ok=True)
    server.tmp = rdir
    if not server.start():
        say("  %s did not start; see %s" % (server.name, rdir))
        res["error"] = "server did not start"
        return res
    pid = server.proc.pid
    procs = []
    warm_limit = 15 + n * 0.4
    total = warm_limit + args.duration + 10
    common = [PY, GSTPEER, "--ice-address", PEER_ADDR, "--bundle-policy", "max-bundle"]
    common += server.peer_args()
    try:
        pub_log = open(os.path.join(rdir, "pub.err"), "w")
        procs.append(subprocess.Popen(
            common + ["--publish", "--name", "pub", "--width", str(args.width),
                      "--height", str(args.height), "--bitrate", str(args.bitrate),
                      "--duration", str(total + 5),
                      "--report", os.path.join(rdir, "pub.jsonl")],
            stdout=subprocess.DEVNULL, stderr=pub_log))
        # subscribers join once the publisher's media flows
        pub_err = os.path.join(rdir, "pub.err")
        t_pub = time.time()
        while time.time() - t_pub < 30:
            text = open(pub_err).read()
            if "ice completed" in text or "ice connected" in text or "FAILED" in text:
                break
            time.sleep(0.2)
        time.sleep(1.0)
        res["publisher_ready_s"] = round(time.time() - t_pub, 1)
        reports = []
        for i in range(0, n, 10):
            k = min(10, n - i)
            rep = os.path.join(rdir, "subs%d.jsonl" % i)
            reports.append(rep)
            procs.append(subprocess.Popen(
                common + ["--subscribers", str(k), "--name", "s%d" % i, "--decode", "first",
                          "--duration", str(total), "--stagger", "0.1",
                          "--report", rep],
                stdout=subprocess.DEVNULL,
                stderr=open(os.path.join(rdir, "subs%d.err" % i), "w")))
        # warm-up: until every subscriber decoded a frame
        t_begin = time.time()
        while time.time() - t_begin < warm_limit:
            stats = {}
            for rep in reports:
                stats.update(read_stats(rep))
            have = sum(1 for s in stats.values() if s and s[-1][3] is not None)
            if have >= n:
                break
            time.sleep(0.5)
        time.sleep(1.0)
        res["warmup_s"] = round(time.time() - t_begin, 1)
        # the window
        perf = None
        if args.perf and server.name == "veche":
            perf = subprocess.Popen(["perf", "record", "-F", str(args.perf_freq), "-g", "-p", str(pid),
                                     "-o", args.perf, "--", "sleep", str(args.duration)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        probe = server.probe()
        probe.start()
        load0 = open("/proc/loadavg").read().split()[0]
        server.loop_turn_max_us()   # starts the window's maximum
        threads0 = thread_stats(pid)
        t0, cpu0, (drops0, nsock) = time.time(), proc_cpu_ticks(pid), udp_drops(pid)
        # The main loop's longest turn: read every 3 s on one kept-alive
        # connection (an idle one is closed after a few seconds, and a new
        # one's TLS handshake would be a turn of its own in the window).
        turn = [None, None]
        while True:
            left = t0 + args.duration - time.time()
            if left <= 0:
                break
            time.sleep(min(3.0, left))
            for i, v in enumerate(server.loop_turn_max_us()):
                if v is not None:
                    turn[i] = max(turn[i] or 0.0, v)
        t1, cpu1, (drops1, _) = time.time(), proc_cpu_ticks(pid), udp_drops(pid)
        threads1 = thread_stats(pid)
        probe.stop_ev.set()
        probe.join()
        if perf:
            perf.wait()
        time.sleep(args.stats_lag)
        stats = {}
        for rep in reports:
            stats.update(read_stats(rep))
        pk = ex = 0
        firsts = []
        for name, series in stats.items():
            p0, e0 = at(series, t0)
            p1, e1 = at(series, t1)
            pk += p1 - p0
            ex += e1 - e0
            if series[-1][3] is not None:
                firsts.append(series[-1][3])
        cpu_s = (cpu1 - cpu0) / HZ
        res.update({
            "window_s": round(t1 - t0, 2),
            "loadavg_1min": [float(load0), float(open("/proc/loadavg").read().split()[0])],
            "sfu_cpu_s": round(cpu_s, 2),
            "sfu_cpu_pct": round(100.0 * cpu_s / (t1 - t0), 1),
            "forwarded_packets": int(pk),
            "cpu_us_per_pkt": round(cpu_s * 1e6 / pk, 1) if pk > 0 else None,
            "udp_drops": drops1 - drops0,
            "udp_sockets": nsock,
            "loss_pct": round(100.0 * max(0.0, ex - pk) / ex, 2) if ex > 0 else None,
            "api_p99_ms": round(probe.p99(), 2) if probe.p99() is not None else None,
            "api_samples": len(probe.lat),
            "api_errors": probe.errors,
            "subscribers_with_frame": len(firsts),
            "first_frame_ms_median": round(statistics.median(firsts)) if firsts else None,
            "first_frame_ms_max": round(max(firsts)) if firsts else None,
        })
        # Per thread group: CPU (on-CPU time from schedstat), run-queue wait
        # (ready but not running), context switches; the media threads'
        # voluntary switches are their wake-ups.
        win = t1 - t0
        for g, (ticks, run_ns, wait_ns, vol, nonvol) in sorted(
                thread_deltas(pid, threads0, threads1).items()):
            res["%s_cpu_s" % g] = round(run_ns / 1e9, 3)
            res["%s_runq_wait_ms" % g] = round(wait_ns / 1e6, 1)
            res["%s_wakeups_per_s" % g] = round(vol / win, 1)
            res["%s_preempted_per_s" % g] = round(nonvol / win, 1)
        if pk > 0 and res.get("media_wakeups_per_s") is not None:
            res["media_wakeups_per_fwd_pkt"] = round(res["media_wakeups_per_s"] * win / pk, 4)
        if res.get("main_runq_wait_ms") is not None:
            res["main_runq_wait_pct"] = round(res["main_runq_wait_ms"] / 10.0 / win, 2)
        if turn[0] is not None:
            res["main_loop_turn_max_ms"] = round(turn[0] / 1000.0, 2)
        if turn[1] is not None:
            res["main_loop_turn_cpu_max_ms"] = round(turn[1] / 1000.0, 2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        server.stop()
    return res


def fmt(v, spec="%s"):
    return "-" if v is None else spec % v


def print_table(results):
    say("")
    say("| server | subscribers | SFU CPU µs/forwarded pkt | SFU CPU % | forwarded pkts "
        "| UDP drops at SFU | subscriber loss % | API p99 ms | first frame ms median / max |")
    say("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            say("| %s | %d | %s | | | | | | |" % (r["server"], r["subscribers"], r["error"]))
            continue
        say("| %s | %d | %s | %s | %d | %d | %s | %s | %s / %s |" % (
            r["server"], r["subscribers"], fmt(r["cpu_us_per_pkt"], "%.1f"),
            fmt(r["sfu_cpu_pct"], "%.0f"), r["forwarded_packets"], r["udp_drops"],
            fmt(r["loss_pct"], "%.2f"), fmt(r["api_p99_ms"], "%.1f"),
            fmt(r["first_frame_ms_median"]), fmt(r["first_frame_ms_max"])))


def run_inside(args):
    tmp = tempfile.mkdtemp(prefix="veche-bench.")
    servers = []
    for s in args.servers:
        if s == "veche":
            servers.append(Veche(args, tmp))
        elif s == "janus":
            if args.janus and os.access(args.janus, os.X_OK):
                servers.append(Janus(args, tmp))
            else:
                say("janus: not installed (Debian package `janus`): skipping Janus, "
                    "measuring Veche only")
    results = []
    for n in args.subscribers:
        for srv in servers:
            say("== %s, %d subscribers, %s s window" % (srv.name, n, args.duration))
            r = run_one(args, srv, n, tmp)
            say("RESULT " + json.dumps(r))
            results.append(r)
    print_table(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                       "args": {k: v for k, v in vars(args).items() if k != "in_netns"},
                       "results": results}, f, indent=1)
    if args.keep:
        say("kept " + tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    bad = [r for r in results if "error" in r or not r.get("forwarded_packets")]
    return 1 if bad or not results else 0


def main():
    p = argparse.ArgumentParser(description="Veche vs Janus VideoRoom: SFU cost per packet")
    p.add_argument("--smoke", action="store_true",
                   help="2 subscribers, 640x360 at 500 kbit/s, a 4 s window (CI)")
    p.add_argument("--subscribers", default="10,20,50")
    p.add_argument("--duration", type=float, default=20.0)
    p.add_argument("--servers", default="veche,janus")
    p.add_argument("--veche", default=os.path.join(ROOT, "build", "server", "veche"))
    p.add_argument("--janus", default=shutil.which("janus") or "/usr/bin/janus")
    p.add_argument("--width", type=int, default=1280)
    p.add_argument("--height", type=int, default=720)
    p.add_argument("--bitrate", type=int, default=1500, help="video kbit/s")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--perf", help="perf record Veche during its windows into this file")
    p.add_argument("--perf-freq", type=int, default=499, help="perf samples per second")
    p.add_argument("--keep", action="store_true", help="keep the logs and reports")
    p.add_argument("--stats-lag", type=float, default=1.0)
    p.add_argument("--in-netns", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.smoke:
        args.subscribers, args.duration = "2", min(args.duration, 4.0)
        args.width, args.height, args.bitrate = 640, 360, 500
    args.subscribers = [int(x) for x in args.subscribers.split(",") if x]
    args.servers = [s for s in args.servers.split(",") if s]
    args.veche = os.path.abspath(args.veche)
    if args.json:
        args.json = os.path.abspath(args.json)
    if args.perf:
        args.perf = os.path.abspath(args.perf)
    if not args.in_netns:
        if os.geteuid() != 0:
            say("sfu_bench.py needs root for `ip netns`")
            return 2
        return run_outside(args)
    return run_inside(args)


if __name__ == "__main__":
    sys.exit(main())
