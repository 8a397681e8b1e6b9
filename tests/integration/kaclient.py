#!/usr/bin/env python3
"""One keep-alive client connection, driven a request at a time.

usage: kaclient.py SOCKET

Connects once to the unix SOCKET.  For each line "METHOD PATH" read on
stdin it sends that request (no body) on the same connection and prints
one line: "STATUS BODY" (the body on one line, at most 300 bytes), or
"closed" if the server closed the connection instead of answering (then
it exits).  Responses must carry a Content-Length (sockguard's errors
and /_ping do).  Used by t_faults.sh to send requests before, during and
after a fault without reconnecting.
"""
import socket
import sys


def read_response(f):
    line = f.readline()
    if not line:
        return None
    status = int(line.split()[1])
    length = 0
    while True:
        h = f.readline()
        if not h:
            return None
        if h in (b"\r\n", b"\n"):
            break
        name, _, value = h.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    body = f.read(length) if length else b""
    if len(body) < length:
        return None
    return status, body


def main():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    s.connect(sys.argv[1])
    f = s.makefile("rb")
    for line in sys.stdin:
        if not line.strip():
            continue
        method, path = line.split()
        s.sendall(("%s %s HTTP/1.1\r\nHost: d\r\n\r\n" % (method, path))
                  .encode())
        try:
            r = read_response(f)
        except OSError:
            r = None
        if r is None:
            print("closed", flush=True)
            return
        body = r[1].decode("utf-8", "replace").replace("\n", " ")[:300]
        print("%d %s" % (r[0], body), flush=True)


if __name__ == "__main__":
    main()
