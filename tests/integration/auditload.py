#!/usr/bin/env python3
"""Keep-alive load for the audit log tests.

usage: auditload.py SOCKET N CONNS IDSFILE

Sends N requests, GET /_ping, over CONNS keep-alive connections (one
thread each, N/CONNS requests apiece) to the unix SOCKET.  Every response
must be a 200 carrying an X-Sockguard-Request-Id header; the ids are
written to IDSFILE, one a line.  The first line of output is "pid PID"
(the process whose peer credentials sockguard records); the last is
"done N ok, N failed, SECONDS s".  Exit status 1 if any request failed or
a connection was closed by the server.
"""
import http.client
import os
import socket
import sys
import threading
import time


class UnixConn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("d", timeout=30)
        self.path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(30)
        s.connect(self.path)
        self.sock = s


def worker(path, n, ids, errors, lock):
    conn = UnixConn(path)
    conn.connect()
    sock = conn.sock
    for i in range(n):
        try:
            conn.request("GET", "/_ping")
            r = conn.getresponse()
            body = r.read()
            rid = r.getheader("X-Sockguard-Request-Id")
            if r.status != 200 or body != b"OK" or not rid:
                raise RuntimeError("status %d body %r id %r"
                                   % (r.status, body[:80], rid))
            if conn.sock is not sock:
                raise RuntimeError("the connection was not kept alive")
            with lock:
                ids.append(rid)
        except Exception as e:          # noqa: BLE001 - report everything
            with lock:
                errors.append("request %d: %s" % (i, e))
            return
    conn.close()


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    path, n, conns, ids_file = argv[0], int(argv[1]), int(argv[2]), argv[3]
    print("pid %d" % os.getpid(), flush=True)
    ids, errors, lock = [], [], threading.Lock()
    t0 = time.monotonic()
    per = [n // conns + (1 if i < n % conns else 0) for i in range(conns)]
    threads = [threading.Thread(target=worker,
                                args=(path, k, ids, errors, lock))
               for k in per]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(ids_file, "w") as f:
        f.write("".join(x + "\n" for x in ids))
    for e in errors[:10]:
        print("error %s" % e)
    print("done %d ok, %d failed, %.1f s"
          % (len(ids), n - len(ids), time.monotonic() - t0), flush=True)
    return 1 if errors or len(ids) != n else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
