#!/usr/bin/env python3
"""A scripted fake dockerd for t_reap.sh: answers that a real dockerd
gives rarely or never, to check `sockguard reap` against them.

usage: reapfake.py SOCKET LOG

Listens on the unix socket SOCKET; appends "METHOD TARGET" of every
request to LOG.  Answers, whatever the owner asked for:

  GET /containers/json   chunked, in 5-byte chunks with an extension:
                         fk-owned (job-f), fk-gone (job-f), fk-other
                         (job-g), fk-nolabel (no labels), fk-busy (job-f)
  DELETE fk-owned        204;  fk-gone: 404;  fk-busy: 500 "driver busy"
  GET .../fk-busy/json   200 (it is still there)
  GET /volumes           Content-Length, {"Volumes": null}
  GET /networks          no length, read until close: fk-net (job-f)
  DELETE fk-net          204
  anything else          404 page not found (plain text, as Go's mux)

On SIGTERM it removes SOCKET and exits 0.
"""
import json
import os
import signal
import socket
import socketserver
import sys

SOCK, LOG = sys.argv[1:3]
OWNER = "io.sockguard.owner"


def cid(c):
    return c * 64


CONTAINERS = [
    {"Id": cid("a"), "Names": ["/fk-owned"], "Labels": {OWNER: "job-f"}},
    {"Id": cid("b"), "Names": ["/fk-gone"], "Labels": {OWNER: "job-f"}},
    {"Id": cid("c"), "Names": ["/fk-other"], "Labels": {OWNER: "job-g"}},
    {"Id": cid("d"), "Names": ["/fk-nolabel"], "Labels": {}},
    {"Id": cid("e"), "Names": ["/fk-busy"], "Labels": {OWNER: "job-f"}},
]
NETWORKS = [{"Id": cid("f"), "Name": "fk-net", "Labels": {OWNER: "job-f"}}]


def head(status, reason, extra=""):
    return ("HTTP/1.1 %d %s\r\nApi-Version: 1.41\r\n%s" % (status, reason, extra)).encode()


def plain_json(status, reason, obj):
    body = json.dumps(obj).encode()
    return head(status, reason, "Content-Type: application/json\r\n"
                "Content-Length: %d\r\n\r\n" % len(body)) + body


def chunked_json(obj):
    body = json.dumps(obj).encode()
    out = head(200, "OK", "Content-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n")
    for i in range(0, len(body), 5):
        part = body[i:i + 5]
        out += b"%x;x=y\r\n%s\r\n" % (len(part), part)
    return out + b"0\r\n\r\n"


def answer(method, target):
    path = target.split("?", 1)[0]
    if method == "GET" and path == "/containers/json":
        return chunked_json(CONTAINERS)
    if method == "GET" and path == "/volumes":
        return plain_json(200, "OK", {"Volumes": None, "Warnings": None})
    if method == "GET" and path == "/networks":
        return head(200, "OK", "Content-Type: application/json\r\n"
                    "Connection: close\r\n\r\n") + json.dumps(NETWORKS).encode()
    if method == "DELETE" and path in ("/containers/" + cid("a"),
                                       "/networks/" + cid("f")):
        return head(204, "No Content", "\r\n")
    if method == "DELETE" and path == "/containers/" + cid("b"):
        return plain_json(404, "Not Found", {"message": "No such container: " + cid("b")})
    if method == "DELETE" and path == "/containers/" + cid("e"):
        return plain_json(500, "Internal Server Error", {"message": "driver busy"})
    if method == "GET" and path == "/containers/%s/json" % cid("e"):
        return plain_json(200, "OK", CONTAINERS[4])
    body = b"404 page not found\n"
    return head(404, "Not Found", "Content-Type: text/plain\r\n"
                "Content-Length: %d\r\n\r\n" % len(body)) + body


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = self.request.recv(65536)
            if not d:
                return
            buf += d
        method, target = buf.split(b"\r\n", 1)[0].decode().split(" ")[:2]
        with open(LOG, "a") as f:
            f.write("%s %s\n" % (method, target))
        self.request.sendall(answer(method, target))
        self.request.shutdown(socket.SHUT_WR)


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def stop(*_):
    try:
        os.unlink(SOCK)
    finally:
        os._exit(0)


if os.path.exists(SOCK):
    os.unlink(SOCK)
signal.signal(signal.SIGTERM, stop)
Server(SOCK, Handler).serve_forever()
