#!/usr/bin/env python3
"""Reads sockguard audit logs (JSON lines, see sockguard/audit.h).

usage:
  auditq.py check FILE...
      Every line of every FILE must be one whole record: valid UTF-8, a
      JSON object without repeated keys, its members in the documented
      order with the documented types, and the file must end with a
      newline (no torn tail).  Identities are those of unix clients
      ({uid, gid, pid[, user][, group]}) or of TLS clients ({remote[,
      subject, cn, issuer, serial, fingerprint, sans]}); a "connect"
      record (a TLS client refused at its handshake) is a denial with
      the identity {remote} alone.  Prints "N records" or one problem a line
      (at most 20) and exits 1.

  auditq.py pairs [--ids IDSFILE] [--pid PID] FILE...
      Groups the records of the FILEs (read in the order given: oldest
      first) by id.  Each allowed request ("allow", "audit-deny") must have
      exactly a decision record followed by a complete record; a refused
      one ("deny", "error") exactly one decision record (or one connect
      record).  --ids: only
      these ids (one a line), and each of them must be there; --pid: only
      records whose identity.pid is PID.  Prints
      "ids=N records=N conns=N" and the problems (exit 1 if any).

  auditq.py tsv FILE OFFSET FIELD...
      The records that start at byte OFFSET or later, one a line: the
      FIELDs, tab-separated.  A FIELD is a dotted path (identity.pid,
      summary.Env); strings are printed as they are, other values as
      compact JSON, missing ones as "-".
"""
import json
import re
import sys

ORDER = ["time", "stage", "id", "conn", "listener", "identity", "profile",
         "method", "path", "api_version", "decision", "rule", "reason",
         "field", "value", "status", "bytes_in", "bytes_out", "duration_ms",
         "summary"]
COMPLETE_ONLY = ["status", "bytes_in", "bytes_out", "duration_ms"]
OPTIONAL = ["field", "value", "summary"]
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ID_RE = re.compile(r"^[0-9a-f]{16}$")
DECISIONS = ("allow", "deny", "audit-deny", "error")
TLS_IDENT = ["remote", "subject", "cn", "issuer", "serial", "fingerprint",
             "sans"]
HEX_RE = re.compile(r"^[0-9a-f]+$")


class DupKey(Exception):
    pass


def pairs_hook(pairs):
    seen = set()
    for k, _ in pairs:
        if k in seen:
            raise DupKey(k)
        seen.add(k)
    return dict(pairs)


def keys_in_order(pairs):
    return [k for k, _ in pairs]


def parse_line(raw):
    """Returns (record, key order) or raises ValueError."""
    text = raw.decode("utf-8")          # UnicodeDecodeError is a ValueError
    order = []

    def hook(pairs):
        d = pairs_hook(pairs)
        order.append(keys_in_order(pairs))
        return d
    try:
        rec = json.loads(text, object_pairs_hook=hook)
    except DupKey as e:
        raise ValueError("repeated key %r" % e.args[0])
    if not isinstance(rec, dict):
        raise ValueError("not an object")
    return rec, order[-1]               # the outermost object closes last


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_record(rec, keys):
    probs = []
    stage = rec.get("stage")
    want = [k for k in ORDER
            if k in rec or (k not in OPTIONAL and
                            (k not in COMPLETE_ONLY or stage == "complete"))]
    if keys != want:
        probs.append("members %s, expected %s" % (keys, want))
    if stage != "complete":
        extra = [k for k in COMPLETE_ONLY if k in rec]
        if extra:
            probs.append("%s record has %s" % (stage, extra))
    if stage not in ("decision", "complete", "connect"):
        probs.append("stage %r" % stage)
    if stage == "connect" and rec.get("decision") != "deny":
        probs.append("connect record with decision %r" % rec.get("decision"))
    if not (isinstance(rec.get("time"), str) and TIME_RE.match(rec["time"])):
        probs.append("time %r is not RFC 3339 UTC with ms" % rec.get("time"))
    if not (isinstance(rec.get("id"), str) and ID_RE.match(rec["id"])):
        probs.append("id %r" % rec.get("id"))
    if not (is_int(rec.get("conn")) and rec["conn"] >= 0):
        probs.append("conn %r" % rec.get("conn"))
    ident = rec.get("identity")
    if ident is not None:
        if not isinstance(ident, dict):
            probs.append("identity %r" % ident)
        elif "remote" in ident:
            probs += check_tls_identity(ident, stage)
        else:
            ik = list(ident.keys())
            if ik[:3] != ["uid", "gid", "pid"] or \
                    not all(is_int(ident[k]) for k in ik[:3]) or \
                    any(k not in ("user", "group") for k in ik[3:]):
                probs.append("identity %r" % ident)
    for k in ("listener", "profile", "method", "path", "api_version",
              "rule", "reason"):
        if not isinstance(rec.get(k), str):
            probs.append("%s %r is not a string" % (k, rec.get(k)))
    for k in ("field", "value"):
        if k in rec and not (isinstance(rec[k], str) and rec[k]):
            probs.append("%s %r is not a non-empty string" % (k, rec[k]))
    if rec.get("decision") not in DECISIONS:
        probs.append("decision %r" % rec.get("decision"))
    if stage == "complete":
        if not is_int(rec.get("status")):
            probs.append("status %r" % rec.get("status"))
        for k in ("bytes_in", "bytes_out"):
            if not (is_int(rec.get(k)) and rec[k] >= 0):
                probs.append("%s %r" % (k, rec.get(k)))
        d = rec.get("duration_ms")
        if not (isinstance(d, (int, float)) and not isinstance(d, bool)
                and d >= 0):
            probs.append("duration_ms %r" % d)
    return probs


def check_tls_identity(ident, stage):
    """A TLS client's identity: members in order, of the right kinds."""
    ik = list(ident.keys())
    if ik != [k for k in TLS_IDENT if k in ident] or ik[0] != "remote":
        return ["TLS identity members %s, expected a subsequence of %s"
                % (ik, TLS_IDENT)]
    probs = []
    for k in ik:
        if k == "sans":
            if not (isinstance(ident[k], list) and
                    all(isinstance(x, str) and x for x in ident[k])):
                probs.append("identity.sans %r" % ident[k])
        elif not isinstance(ident[k], str):
            probs.append("identity.%s %r is not a string" % (k, ident[k]))
    if stage == "connect" and ik != ["remote"]:
        probs.append("connect record identity %r: only remote is known "
                     "before the handshake" % ident)
    if stage != "connect" and "fingerprint" not in ident:
        probs.append("TLS identity without a fingerprint: %r" % ident)
    fp = ident.get("fingerprint", "0" * 64)
    if not (isinstance(fp, str) and len(fp) == 64 and HEX_RE.match(fp)):
        probs.append("identity.fingerprint %r" % fp)
    serial = ident.get("serial", "0")
    if not (isinstance(serial, str) and HEX_RE.match(serial)):
        probs.append("identity.serial %r" % serial)
    return probs


def read_records(path, offset=0):
    """Yields (line number, raw bytes, record or None, problems)."""
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    lines = data.split(b"\n")
    tail = lines.pop()                  # after the last newline
    for n, raw in enumerate(lines, 1):
        if not raw:
            yield n, raw, None, ["empty line"]
            continue
        if re.search(rb"[\x00-\x1f\x7f]", raw):
            yield n, raw, None, ["raw control byte"]
            continue
        try:
            rec, keys = parse_line(raw)
        except ValueError as e:
            yield n, raw, None, ["not a JSON record: %s" % e]
            continue
        yield n, raw, rec, check_record(rec, keys)
    if tail:
        yield len(lines) + 1, tail, None, \
            ["torn tail: %d bytes after the last newline" % len(tail)]


def cmd_check(paths):
    nrec, probs = 0, []
    for p in paths:
        for n, raw, rec, pr in read_records(p):
            if rec is not None:
                nrec += 1
            for x in pr:
                probs.append("%s:%d: %s: %s" % (p, n, x,
                                                raw[:200].decode("utf-8",
                                                                 "replace")))
    if probs:
        for x in probs[:20]:
            print(x)
        if len(probs) > 20:
            print("... %d problems in all" % len(probs))
        return 1
    print("%d records" % nrec)
    return 0


def cmd_pairs(args):
    ids_file = pid = None
    while args and args[0].startswith("--"):
        if args[0] == "--ids":
            ids_file = args[1]
        elif args[0] == "--pid":
            pid = int(args[1])
        else:
            print("unknown option %s" % args[0])
            return 2
        args = args[2:]
    want = None
    if ids_file is not None:
        with open(ids_file) as f:
            want = [x.strip() for x in f if x.strip()]
        if len(set(want)) != len(want):
            print("the client saw %d ids, %d distinct"
                  % (len(want), len(set(want))))
            return 1
        want = set(want)
    by_id, probs, nrec, conns = {}, [], 0, set()
    for p in args:
        for n, raw, rec, pr in read_records(p):
            if rec is None or pr:
                probs.append("%s:%d: bad record: %s" % (p, n, "; ".join(pr)))
                continue
            if want is not None and rec["id"] not in want:
                continue
            ident = rec.get("identity") or {}
            if pid is not None and ident.get("pid") != pid:
                continue
            nrec += 1
            conns.add(rec["conn"])
            by_id.setdefault(rec["id"], []).append(rec)
    for rid, recs in by_id.items():
        stages = [r["stage"] for r in recs]
        dec = recs[0]["decision"]
        if dec in ("allow", "audit-deny"):
            ok = stages == ["decision", "complete"]
        else:
            ok = stages in (["decision"], ["connect"])
        if not ok:
            probs.append("id %s (%s %s, %s): stages %s" % (
                rid, recs[0]["method"], recs[0]["path"], dec, stages))
        elif any(r[k] != recs[0][k] for r in recs
                 for k in ("conn", "method", "path", "decision")):
            probs.append("id %s: records disagree" % rid)
    if want is not None:
        missing = want - set(by_id)
        if missing:
            probs.append("%d ids the client saw have no record, e.g. %s"
                         % (len(missing), sorted(missing)[:3]))
    print("ids=%d records=%d conns=%d" % (len(by_id), nrec, len(conns)))
    for x in probs[:20]:
        print(x)
    if len(probs) > 20:
        print("... %d problems in all" % len(probs))
    return 1 if probs else 0


def get_path(rec, path):
    v = rec
    for part in path.split("."):
        if not isinstance(v, dict) or part not in v:
            return "-"
        v = v[part]
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def cmd_tsv(path, offset, fields):
    for n, raw, rec, pr in read_records(path, int(offset)):
        if rec is None:
            print("BAD-LINE\t%s" % "; ".join(pr))
            continue
        print("\t".join(get_path(rec, f) for f in fields))
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "check":
        return cmd_check(argv[1:])
    if len(argv) >= 2 and argv[0] == "pairs":
        return cmd_pairs(argv[1:])
    if len(argv) >= 3 and argv[0] == "tsv":
        return cmd_tsv(argv[1], argv[2], argv[3:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
