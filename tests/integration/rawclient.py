#!/usr/bin/env python3
"""Sends raw bytes to a unix socket and reports the HTTP responses.

usage: rawclient.py SOCKET [--timeout S] [--responses N] [--raw-out FILE]
                    [--shut] [--head-responses I,J] -- PART...

Each PART is sent in order:
  @sleep:S        pause S seconds
  @wait100        wait (up to --timeout) until a "100" interim response came
  @file:PATH      the bytes of a file
  @repeat:N:TEXT  TEXT (escapes allowed) N times
  anything else   the text with Python escapes (\\r \\n \\t \\x00 ...) decoded

Sending happens in a thread while the main thread reads, so a server that
answers early (and closes) is seen even while a large body is still going.
--shut half-closes (SHUT_WR) after the last part.  --head-responses lists
the final responses (1-based) that answer HEAD requests and so have no
body whatever their Content-Length says.

Reading stops at end of stream, or after --responses final responses, or
when nothing arrived for --timeout seconds (default 3) after the last
part was sent.  Output, one item a line:
  interim STATUS t=SECONDS
  response STATUS t=SECONDS ctype=TYPE len=N body=JSON-STRING
  badresponse REASON              (bytes that are not an HTTP response)
  senderr ERROR                   (sending failed: peer closed early)
  end eof|reset|timeout|open t=SECONDS
"eof"/"reset": the server closed the connection; "open": --responses
were read and the connection was still open 0.3 s later; "timeout":
nothing more came and the connection stayed open.
"""
import codecs
import json
import os
import socket
import sys
import threading
import time


def decode_part(text):
    return codecs.escape_decode(text.encode("utf-8"))[0]


class Parser:
    """Incremental HTTP/1.x response parser."""

    def __init__(self, head_responses=()):
        self.head_responses = head_responses   # 1-based: no body (HEAD)
        self.buf = b""
        self.items = []          # (kind, status, t, headers, body)
        self.final = 0
        self.got100 = threading.Event()
        self.bad = None
        self.need_close = None   # a response delimited by close, in progress

    def feed(self, data, t):
        self.buf += data
        self._parse(t, eof=False)

    def finish(self, t):
        self._parse(t, eof=True)

    def _parse(self, t, eof):
        while self.buf and self.bad is None:
            if self.need_close is not None:
                if not eof:
                    return
                status, headers = self.need_close
                self.items.append(("response", status, t, headers, self.buf))
                self.final += 1
                self.buf = b""
                self.need_close = None
                return
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if eof:
                    self.bad = "truncated head %r" % self.buf[:200]
                return
            head = self.buf[:end].decode("latin-1")
            lines = head.split("\r\n")
            parts = lines[0].split(" ", 2)
            if len(parts) < 2 or not parts[0].startswith("HTTP/1.") \
                    or not parts[1].isdigit():
                self.bad = "bad status line %r" % lines[0][:200]
                return
            status = int(parts[1])
            headers = {}
            for ln in lines[1:]:
                k, _, v = ln.partition(":")
                headers.setdefault(k.strip().lower(), []).append(v.strip())
            rest = self.buf[end + 4:]
            if 100 <= status < 200:
                self.items.append(("interim", status, t, headers, b""))
                self.buf = rest
                if status == 100:
                    self.got100.set()
                continue
            te = ",".join(headers.get("transfer-encoding", [])).lower()
            cl = headers.get("content-length")
            if status in (204, 304) or self.final + 1 in self.head_responses:
                body, rest2 = b"", rest
            elif "chunked" in te:
                r = self._chunked(rest)
                if r is None:
                    if eof:
                        self.bad = "truncated chunked body"
                    return
                body, rest2 = r
            elif cl is not None:
                try:
                    n = int(cl[0])
                except ValueError:
                    self.bad = "bad content-length %r" % cl
                    return
                if len(rest) < n:
                    if eof:
                        self.bad = "truncated body (%d of %d)" % (len(rest), n)
                        self.items.append(("response", status, t, headers,
                                           rest))
                    return
                body, rest2 = rest[:n], rest[n:]
            else:
                self.need_close = (status, headers)
                self.buf = rest
                continue
            self.items.append(("response", status, t, headers, body))
            self.final += 1
            self.buf = rest2

    @staticmethod
    def _chunked(data):
        body = b""
        pos = 0
        while True:
            eol = data.find(b"\r\n", pos)
            if eol < 0:
                return None
            size = int(data[pos:eol].split(b";")[0].strip() or b"0", 16)
            pos = eol + 2
            if size == 0:
                # trailers until an empty line
                while True:
                    eol = data.find(b"\r\n", pos)
                    if eol < 0:
                        return None
                    if eol == pos:
                        return body, data[eol + 2:]
                    pos = eol + 2
            if len(data) < pos + size + 2:
                return None
            body += data[pos:pos + size]
            pos += size + 2


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    path = args.pop(0)
    timeout = 3.0
    want = None
    raw_out = None
    shut = False
    heads = ()
    while args and args[0] != "--":
        opt = args.pop(0)
        if opt == "--timeout":
            timeout = float(args.pop(0))
        elif opt == "--responses":
            want = int(args.pop(0))
        elif opt == "--raw-out":
            raw_out = args.pop(0)
        elif opt == "--head-responses":
            heads = tuple(int(x) for x in args.pop(0).split(","))
        elif opt == "--shut":
            shut = True
        else:
            sys.exit("rawclient: unknown option " + opt)
    if args:
        args.pop(0)
    parts = args

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    t0 = time.monotonic()
    p = Parser(heads)
    out = []
    sent_done = threading.Event()
    senderr = []

    def sender():
        try:
            for part in parts:
                if part.startswith("@sleep:"):
                    time.sleep(float(part[7:]))
                elif part == "@wait100":
                    p.got100.wait(timeout)
                elif part.startswith("@file:"):
                    with open(part[6:], "rb") as f:
                        s.sendall(f.read())
                elif part.startswith("@repeat:"):
                    n, _, text = part[8:].partition(":")
                    s.sendall(decode_part(text) * int(n))
                else:
                    s.sendall(decode_part(part))
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError as e:
            senderr.append(os.strerror(e.errno) if e.errno else str(e))
        finally:
            sent_done.set()

    th = threading.Thread(target=sender, daemon=True)
    th.start()

    received = b""
    end = None
    s.settimeout(0.1)
    idle_since = None
    while True:
        if want is not None and p.final >= want:
            # Is the connection still open?
            s.settimeout(0.3)
            try:
                d = s.recv(65536)
                if d == b"":
                    end = "eof"
                else:
                    received += d
                    p.feed(d, time.monotonic() - t0)
                    end = "open"
            except socket.timeout:
                end = "open"
            except ConnectionResetError:
                end = "reset"
            break
        try:
            d = s.recv(65536)
        except socket.timeout:
            if sent_done.is_set():
                now = time.monotonic()
                if idle_since is None:
                    idle_since = now
                elif now - idle_since >= timeout:
                    end = "timeout"
                    break
            continue
        except ConnectionResetError:
            end = "reset"
            break
        if d == b"":
            end = "eof"
            break
        idle_since = None
        received += d
        p.feed(d, time.monotonic() - t0)
    t_end = time.monotonic() - t0
    if end in ("eof", "reset"):
        p.finish(t_end)
    s.close()
    th.join(0.5)

    if raw_out:
        with open(raw_out, "wb") as f:
            f.write(received)
    for kind, status, t, headers, body in p.items:
        if kind == "interim":
            out.append("interim %d t=%.2f" % (status, t))
        else:
            ctype = ",".join(headers.get("content-type", [])) or "-"
            out.append("response %d t=%.2f ctype=%s len=%d body=%s" % (
                status, t, ctype.replace(" ", ""), len(body),
                json.dumps(body.decode("latin-1"))))
    if p.bad:
        out.append("badresponse " + p.bad)
    for e in senderr:
        out.append("senderr " + e)
    out.append("end %s t=%.2f" % (end, t_end))
    print("\n".join(out))


if __name__ == "__main__":
    main()
