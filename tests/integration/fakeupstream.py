#!/usr/bin/env python3
"""A recording fake dockerd for sockguard's integration tests.

usage: fakeupstream.py SOCKET RAWLOG EVENTLOG

Listens on the unix socket SOCKET (a stale file there is replaced).
Appends every byte received, from every connection, to RAWLOG.  Appends
one line per event to EVENTLOG:

  open CONN
  req CONN SEQ METHOD TARGET framing=cl|chunked|none len=N sha256=HEX
  close CONN idle|head|body got=N     (peer closed: between requests, in
                                       a head, or in a body after N bytes)
  error CONN REASON                   (could not parse; connection closed)

Every complete request is answered "200 OK" with a small JSON body that
echoes what was received, except GET /containers/NAME/json (the look-up
sockguard makes before container operations such as archive and exec):
that gets a minimal container inspect document whose Id is the sha256
of NAME, half a second late for a NAME that starts with "slow-" (so
that a client's body piles up in sockguard meanwhile).  Query parameters
change the answer:
fake_status=NNN (status code), fake_delay=MS (wait first), fake_chunked=1
(chunked response), fake_close=1 (close after answering), fake_size=N (a
body of N bytes "x" instead, sent in 64 KiB pieces), fake_garbage=1 (a
line that is not HTTP instead of a response).  It never sends "100
Continue" itself.  On SIGTERM it removes SOCKET and exits 0.
"""
import hashlib
import json
import os
import re
import signal
import socket
import socketserver
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit

SOCK, RAWLOG, EVLOG = sys.argv[1:4]
lock = threading.Lock()
INSPECT = re.compile(r"^(?:/v[0-9.]+)?/containers/([^/?]+)/json(?:\?.*)?$")
counter = [0]


def log_raw(data):
    with lock, open(RAWLOG, "ab") as f:
        f.write(data)


def log_event(line):
    with lock, open(EVLOG, "a") as f:
        f.write(line + "\n")


class Conn:
    def __init__(self, sock, cid):
        self.sock = sock
        self.cid = cid
        self.buf = b""
        self.eof = False

    def fill(self):
        d = self.sock.recv(65536)
        if not d:
            self.eof = True
            return False
        log_raw(d)
        self.buf += d
        return True

    def read_line(self, limit=1 << 20):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            if len(self.buf) > limit or not self.fill():
                return None

    def read_exact(self, n):
        while len(self.buf) < n:
            if not self.fill():
                return None
        d, self.buf = self.buf[:n], self.buf[n:]
        return d


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        with lock:
            counter[0] += 1
            cid = counter[0]
        log_event("open %d" % cid)
        c = Conn(self.request, cid)
        seq = 0
        try:
            while True:
                seq += 1
                if not self.one(c, seq):
                    break
        except OSError as e:
            log_event("error %d %s" % (cid, e.strerror or e))

    def one(self, c, seq):
        cid = c.cid
        # request line, skipping empty lines between requests
        while True:
            if not c.buf and not c.fill():
                log_event("close %d idle got=0" % cid)
                return False
            line = c.read_line()
            if line is None:
                log_event("close %d head got=%d" % (cid, len(c.buf)))
                return False
            if line:
                break
        parts = line.decode("latin-1").split(" ")
        if len(parts) != 3:
            log_event("error %d bad-request-line %r" % (cid, line[:100]))
            return False
        method, target, version = parts
        headers = []
        while True:
            h = c.read_line()
            if h is None:
                log_event("close %d head got=%d" % (cid, len(c.buf)))
                return False
            if not h:
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers.append((k.strip().lower(), v.strip()))
        hd = {}
        for k, v in headers:
            hd.setdefault(k, []).append(v)
        te = ",".join(hd.get("transfer-encoding", [])).lower()
        body = b""
        if te:
            framing = "chunked"
            if te.replace(" ", "") != "chunked":
                log_event("error %d unsupported-te %r" % (cid, te))
                return False
            while True:
                sl = c.read_line()
                if sl is None:
                    log_event("close %d body got=%d" % (cid, len(body)))
                    return False
                try:
                    size = int(sl.split(b";")[0].strip(), 16)
                except ValueError:
                    log_event("error %d bad-chunk-size %r" % (cid, sl[:50]))
                    return False
                if size == 0:
                    while True:     # trailers
                        t = c.read_line()
                        if t is None:
                            log_event("close %d body got=%d"
                                      % (cid, len(body)))
                            return False
                        if not t:
                            break
                    break
                d = c.read_exact(size)
                if d is None:
                    body += c.buf
                    log_event("close %d body got=%d" % (cid, len(body)))
                    return False
                body += d
                if c.read_exact(2) != b"\r\n":
                    log_event("error %d bad-chunk-end" % cid)
                    return False
        elif "content-length" in hd:
            framing = "cl"
            try:
                n = int(hd["content-length"][0])
            except ValueError:
                log_event("error %d bad-content-length" % cid)
                return False
            d = c.read_exact(n)
            if d is None:
                log_event("close %d body got=%d" % (cid, len(c.buf)))
                return False
            body = d
        else:
            framing = "none"
        sha = hashlib.sha256(body).hexdigest()
        log_event("req %d %d %s %s framing=%s len=%d sha256=%s" % (
            cid, seq, method, target, framing, len(body), sha))

        q = parse_qs(urlsplit(target).query)
        status = int(q.get("fake_status", ["200"])[0])
        delay = int(q.get("fake_delay", ["0"])[0])
        if delay:
            time.sleep(delay / 1000.0)
        rbody = json.dumps({"fake": "upstream", "conn": cid, "seq": seq,
                            "method": method, "path": target,
                            "len": len(body), "sha256": sha}).encode()
        m = INSPECT.match(target)
        if m and method == "GET" and "fake_status" not in q:
            name = m.group(1)
            if name.startswith("slow-"):
                time.sleep(0.5)
            rbody = json.dumps({
                "Id": hashlib.sha256(name.encode()).hexdigest(),
                "Name": "/" + name, "Config": {"Image": "fake"},
                "HostConfig": {}, "Mounts": [],
                "State": {"Status": "running", "Running": True}}).encode()
        if q.get("fake_garbage", ["0"])[0] == "1":
            c.sock.sendall(b"HELLO this is not HTTP\r\n\r\n")
            log_event("close %d server got=0" % cid)
            return False
        size = int(q.get("fake_size", ["-1"])[0])
        if size >= 0:
            c.sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: "
                           b"application/octet-stream\r\nContent-Length: "
                           b"%d\r\n\r\n" % size)
            piece = b"x" * 65536
            while size > 0:
                c.sock.sendall(piece[:min(size, len(piece))])
                size -= min(size, len(piece))
            return True
        close = q.get("fake_close", ["0"])[0] == "1" or \
            "close" in ",".join(hd.get("connection", [])).lower() or \
            version == "HTTP/1.0"
        head = "HTTP/1.1 %d Fake\r\nContent-Type: application/json\r\n" \
            "Api-Version: 1.41\r\nServer: fakeupstream\r\n" % status
        if close:
            head += "Connection: close\r\n"
        if q.get("fake_chunked", ["0"])[0] == "1":
            head += "Transfer-Encoding: chunked\r\n\r\n"
            mid = len(rbody) // 2
            out = head.encode()
            for piece in (rbody[:mid], rbody[mid:]):
                out += b"%x\r\n%s\r\n" % (len(piece), piece)
            out += b"0\r\n\r\n"
        else:
            head += "Content-Length: %d\r\n\r\n" % len(rbody)
            out = head.encode() + (b"" if method == "HEAD" else rbody)
        c.sock.sendall(out)
        if close:
            log_event("close %d server got=0" % cid)
            return False
        return True


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    try:
        os.unlink(SOCK)
    except FileNotFoundError:
        pass
    srv = Server(SOCK, Handler)

    def stop(signum, frame):
        try:
            os.unlink(SOCK)
        except FileNotFoundError:
            pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    srv.serve_forever()


if __name__ == "__main__":
    main()
