"""wsclient.py - a minimal WebSocket client (RFC 6455) for the signalling
tests: TLS to 127.0.0.1 with the self-signed certificate accepted, text
frames only, JSON helpers.  Standard library only, so the tests need no
packages beyond Debian's python3.
"""
import base64
import json
import os
import socket
import ssl
import struct
import time


class Closed(Exception):
    pass


class WS:
    def __init__(self, port, path="/ws", protocol="veche-v1", tls=True, timeout=5.0,
                 cookie=None, headers=None, host="127.0.0.1", source=None):
        # host: a loopback address; source: the local address to connect
        # from (127.0.0.0/8: a "client" distinct from a proxy on 127.0.0.1)
        raw = socket.create_connection((host, port), timeout=timeout,
                                       source_address=(source, 0) if source else None)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            raw = ctx.wrap_socket(raw, server_hostname="localhost")
        self.sock = raw
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if protocol:
            req += f"Sec-WebSocket-Protocol: {protocol}\r\n"
        if cookie:
            req += f"Cookie: {cookie}\r\n"
        for name, value in (headers or {}).items():
            req += f"{name}: {value}\r\n"
        self.sock.sendall((req + "\r\n").encode())
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise Closed("handshake refused: " + head.decode(errors="replace"))
        self.close_code = None
        self.roll = None  # attendance v2, as the messages so far build it
        self.roll_messages = 0

    def _apply_roll(self, m):
        """Apply an `attendance` snapshot or `attendance-delta` (protocol
        v2) to self.roll: {event, present, total, seq, people: {id: row}}
        holding the people present."""
        t = m.get("type")
        if t == "attendance":
            assert m.get("v") == 2 and "roster" not in m, m
            self.roll = dict(event=m["event"], present=m["present"], total=m["total"],
                             seq=m["seq"], people={r["person"]: r for r in m["people"]})
        elif t == "attendance-delta":
            assert self.roll is not None, "a delta before the snapshot"
            assert m["seq"] == self.roll["seq"] + 1, (m["seq"], self.roll["seq"])
            for r in m["joined"]:
                self.roll["people"][r["person"]] = r
            for pid in m["left"]:
                self.roll["people"].pop(pid, None)
            self.roll.update(present=m["present"], total=m["total"], seq=m["seq"])
            assert len(self.roll["people"]) == m["present"], (self.roll, m)
        else:
            return
        self.roll_messages += 1

    def wait_roll(self, pred, timeout=5.0):
        """Read messages until pred(self.roll) holds; return self.roll."""
        end = time.time() + timeout
        while not (self.roll is not None and pred(self.roll)):
            if time.time() >= end:
                raise AssertionError(f"roll not as expected within {timeout}s: {self.roll}")
            try:
                self.recv(max(0.05, end - time.time()))
            except (socket.timeout, TimeoutError):
                pass
        return self.roll

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise Closed("connection closed")
        self.buf += data

    def _need(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send_frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + body)

    def send(self, obj):
        text = obj if isinstance(obj, str) else json.dumps(obj)
        self.send_frame(1, text.encode())

    def recv_frame(self, timeout=5.0):
        self.sock.settimeout(timeout)
        b0, b1 = self._need(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._need(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._need(8))[0]
        return b0 & 0x0F, self._need(n)

    def recv(self, timeout=5.0):
        """The next JSON message; raises Closed on a close frame."""
        while True:
            op, data = self.recv_frame(timeout)
            if op == 1:
                m = json.loads(data)
                if isinstance(m, dict):
                    self._apply_roll(m)
                return m
            if op == 8:
                self.close_code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None
                raise Closed(f"closed with {self.close_code}")
            if op == 9:
                self.send_frame(10, data)

    def wait_for(self, pred, timeout=5.0):
        """Skip messages until pred(msg) is true; return that message."""
        end = time.time() + timeout
        seen = []
        while time.time() < end:
            try:
                m = self.recv(max(0.05, end - time.time()))
            except (socket.timeout, TimeoutError):
                break
            if pred(m):
                return m
            seen.append(m.get("type"))
        raise AssertionError(f"no matching message within {timeout}s (saw {seen})")

    def expect(self, type_, timeout=5.0, **members):
        return self.wait_for(lambda m: m.get("type") == type_ and
                             all(m.get(k) == v for k, v in members.items()), timeout)

    def close(self):
        try:
            self.send_frame(8, struct.pack("!H", 1000))
            self.sock.close()
        except OSError:
            pass
