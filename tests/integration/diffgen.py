#!/usr/bin/python3
"""Corpus of container-create bodies for the differential check (t_diff.sh).

Usage: diffgen.py OUTDIR IMAGE OK_DIR BAD_DIR CGROUP_PARENT

Writes OUTDIR/NNN.json (raw bytes, not necessarily valid JSON or UTF-8)
and OUTDIR/index.tsv ("NNN<TAB>via<TAB>description", via "-" for bodies
not worth creating through sockguard too).  Every body starts from a
hardened base that the check's strictest profile allows (a non-root User,
ReadonlyRootfs, no-new-privileges, Memory and PidsLimit) and changes one
thing, spelled in one of the ways where Go's encoding/json and a naive
reader part: keys in other letter cases, under Unicode simple folding
(U+017F for s, U+212A for k), escaped, repeated (Go: the last wins),
look-alikes that do not fold; nulls, numbers in other forms, booleans as
strings, deep nesting, invalid UTF-8, bind sources through .. and links.
The corpus is fixed: no randomness, so a failure reproduces.
"""

import os
import sys


class Raw:
    """JSON text written as it is."""

    def __init__(self, text):
        self.text = text.encode() if isinstance(text, str) else text


class Key:
    """An object key: its bytes between the quotes, as written."""

    def __init__(self, raw):
        self.raw = raw.encode() if isinstance(raw, str) else raw


def enc_str(s):
    out = b'"'
    for ch in s:
        if ch in '"\\':
            out += b"\\" + ch.encode()
        elif ord(ch) < 0x20:
            out += b"\\u%04x" % ord(ch)
        else:
            out += ch.encode()
    return out + b'"'


def enc(v):
    """Serialises v; dict values keep their order, keys may be Key."""
    if isinstance(v, Raw):
        return v.text
    if v is None:
        return b"null"
    if v is True:
        return b"true"
    if v is False:
        return b"false"
    if isinstance(v, int):
        return str(v).encode()
    if isinstance(v, str):
        return enc_str(v)
    if isinstance(v, list):
        return b"[" + b",".join(enc(e) for e in v) + b"]"
    if isinstance(v, Obj):
        parts = []
        for k, val in v.items:
            kb = b'"' + k.raw + b'"' if isinstance(k, Key) else enc_str(k)
            parts.append(kb + b":" + enc(val))
        return b"{" + b",".join(parts) + b"}"
    raise TypeError(type(v))


class Obj:
    """An object as a list of (key, value): repeats and order kept."""

    def __init__(self, items=None):
        self.items = list(items or [])

    def set(self, key, value):
        """Replaces the field named key (exactly), else appends."""
        for i, (k, _) in enumerate(self.items):
            if k == key:
                self.items[i] = (key, value)
                return self
        self.items.append((key, value))
        return self

    def drop(self, key):
        self.items = [(k, v) for k, v in self.items if k != key]
        return self

    def add(self, key, value):
        self.items.append((key, value))
        return self


# ---------------------------------------------------------------- spellings

def esc_all(name):
    return "".join("\\u%04x" % ord(c) for c in name)


def esc_first(name):
    return "\\u%04x" % ord(name[0]) + name[1:]


def sub_letter(name, letters, repl):
    return "".join(repl if c in letters else c for c in name)


def spellings(name, full):
    """(label, Key) for name; full adds the Unicode ones."""
    out = [("exact", Key(name)), ("lower", Key(name.lower())),
           ("upper", Key(name.upper()))]
    if not full:
        return out
    out += [("escaped first letter", Key(esc_first(name))),
            ("all escaped", Key(esc_all(name))),
            ("alternating case", Key("".join(
                c.upper() if i % 2 else c.lower()
                for i, c in enumerate(name))))]
    if "s" in name.lower():
        out += [("U+017F for s", Key(sub_letter(name, "sS", "\u017f"))),
                ("\\u017f for s", Key(sub_letter(name, "sS", "\\u017f")))]
    if "k" in name.lower():
        out += [("U+212A for k", Key(sub_letter(name, "kK", "\u212a"))),
                ("\\u212a for k", Key(sub_letter(name, "kK", "\\u212a")))]
    # Look-alikes that fold to nothing ASCII: the field is not set.
    if "i" in name:
        out.append(("dotless i (no fold)", Key(name.replace("i", "\u0131"))))
    out += [("fullwidth first letter (no fold)",
             Key(chr(ord(name[0].upper()) + 0xfee0) + name[1:])),
            ("trailing space", Key(name + " ")),
            ("invalid UTF-8 after", Key(name.encode() + b"\xff")),
            ("lone surrogate escape after", Key(name + "\\ud800"))]
    return out


# ---------------------------------------------------------------- bodies

def main():
    outdir, image, ok, bad, cgparent = sys.argv[1:6]
    os.makedirs(outdir, exist_ok=True)
    bodies = []

    def base(hc=None):
        h = Obj([("ReadonlyRootfs", True),
                 ("SecurityOpt", ["no-new-privileges"]),
                 ("Memory", 67108864), ("PidsLimit", 64)])
        for k, v in (hc or []):
            h.set(k, v)
        return Obj([("Image", image), ("Cmd", ["true"]), ("User", "1000"),
                    ("HostConfig", h)])

    # Plain letter-case variants are created through sockguard only for
    # the exact spelling: what sockguard forwards differs from what it
    # read only where it re-escapes, re-encodes numbers or rewrites a
    # bind source, and creates are what makes this check slow.
    plain = (", key lower", ", key upper", ", key alternating case")

    def add(desc, body):
        via = "-" if desc.endswith(plain) else "via"
        bodies.append((desc, body if isinstance(body, bytes) else enc(body),
                       via))

    def hc_of(body):
        return [v for k, v in body.items if k == "HostConfig"][0]

    add("the hardened base", base())

    # One field of HostConfig set the risky way, under many spellings.
    dev = [Obj([("PathOnHost", "/dev/null"), ("PathInContainer", "/dev/sg"),
                ("CgroupPermissions", "rwm")])]
    risky = [
        ("Privileged", True, True),
        ("CapAdd", ["NET_ADMIN"], False),
        ("NetworkMode", "host", True),
        ("PidMode", "host", False),
        ("IpcMode", "host", False),
        ("UTSMode", "host", False),
        ("UsernsMode", "host", True),
        ("CgroupnsMode", "host", False),
        ("Devices", dev, True),
        ("DeviceCgroupRules", ["c 1:3 rwm"], False),
        ("Sysctls", Obj([("net.ipv4.ip_unprivileged_port_start", "0")]),
         True),
        ("VolumeDriver", "sgdiffdrv", False),
        ("CgroupParent", cgparent, False),
        ("Binds", [bad + ":/x"], True),
        ("Mounts", [Obj([("Type", "bind"), ("Source", bad),
                         ("Target", "/x")])], True),
        ("MaskedPaths", [], False),
        ("ReadonlyPaths", [], False),
        ("ReadonlyRootfs", False, True),
        ("Memory", 0, False),
        ("PidsLimit", 0, False),
    ]
    for name, value, full in risky:
        for label, key in spellings(name, full):
            b = base()
            h = hc_of(b)
            h.drop(name)
            h.add(key, value)
            add("HostConfig.%s = %s, key %s" % (name, enc(value).decode(
                errors="replace")[:40], label), b)
    for opt in ("seccomp=unconfined", "seccomp:unconfined",
                "apparmor=unconfined", "label=disable", "label:disable",
                "systempaths=unconfined", "SECCOMP=unconfined"):
        add("SecurityOpt %s" % opt,
            base([("SecurityOpt", ["no-new-privileges", opt])]))
    for label, key in spellings("SecurityOpt", True):
        b = base()
        hc_of(b).drop("SecurityOpt").add(key, ["apparmor=unconfined"])
        add("SecurityOpt without no-new-privileges, key %s" % label, b)
    for nnp in ("no-new-privileges=false", "no-new-privileges:false",
                "NO-NEW-PRIVILEGES", "no-new-privileges=TRUE"):
        add("SecurityOpt [%s]" % nnp, base([("SecurityOpt", [nnp])]))

    # The HostConfig key itself.
    for label, key in spellings("HostConfig", True):
        b = base()
        h = hc_of(b)
        h.set("Privileged", True)
        b.items = [(key if k == "HostConfig" else k, v) for k, v in b.items]
        add("HostConfig with Privileged, key %s" % label, b)

    # The User, at the top level.
    for user in ("0", "root", "", "00", "+0", "-0", "0:0", "root:root",
                 " 0", "0x0", "ROOT", "1000:0"):
        add("User %r" % user, base().set("User", user))
    for label, key in spellings("User", True):
        b = base().drop("User")
        b.add(key, "0")
        add("User 0, key %s" % label, b)

    # Repeats: exact (jansson refuses) and under folding; the last wins.
    for name, cold, hot in (("Privileged", False, True),
                            ("ReadonlyRootfs", True, False),
                            ("Binds", [ok + ":/x"], [bad + ":/x"]),
                            ("NetworkMode", "none", "host"),
                            ("CapAdd", [], ["SYS_ADMIN"])):
        for first, second in ((name, name), (name, name.lower()),
                              (name.lower(), name)):
            for a, b_ in ((cold, hot), (hot, cold)):
                b = base()
                hc_of(b).drop(name).add(first, a).add(Key(second), b_)
                add("HostConfig.%s repeated as %s then %s" % (
                    name, first, second), b)
    b = base()
    hc_of(b).drop("Binds").add("Binds", [ok + ":/x"]).add(
        Key("Bind\u017f"), [bad + ":/x"])
    add("Binds then Bind<U+017F>", b)
    b = base()
    hc_of(b).add("NetworkMode", "none").add(Key("Networ\\u212aMode"), "host")
    add("NetworkMode then Networ\\u212aMode", b)
    b = base()
    b.add(Key("hostconfig"), Obj([("Privileged", True)]))
    add("HostConfig then hostconfig with Privileged", b)
    b = Obj([("Image", image), ("HOSTCONFIG", Obj([("Privileged", True)]))])
    b.items += base().items[1:]
    add("HOSTCONFIG with Privileged, then HostConfig", b)
    b = base()
    b.add(Key("HostConfig"), Obj([("Privileged", True)]))
    add("HostConfig repeated exactly", b)
    b = base().set("User", "0")
    b.add(Key("user"), "1000")
    add("User 0 then user 1000", b)
    b = base()
    b.add(Key("user"), "0")
    add("User 1000 then user 0", b)

    # HostConfig fields at the top level (the deprecated form).
    for name, value in (("Privileged", True), ("Binds", [bad + ":/x"]),
                        ("privileged", True), ("CapAdd", ["ALL"]),
                        ("NetworkMode", "host")):
        add("top-level %s" % name, base().set(name, value))

    # The same without HostConfig: dockerd then takes the top level whole.
    for label, key, value in (("Privileged", "Privileged", True),
                              ("PRIVILEGED", "PRIVILEGED", True),
                              ("Bind<U+017F>", "Bind\u017f", [bad + ":/x"]),
                              ("Networ\\u212aMode", "Networ\\u212aMode",
                               "host")):
        b = base().drop("HostConfig")
        b.add(Key(key), value)
        add("top-level %s, no HostConfig" % label, b)

    # Nulls.
    add("HostConfig null", base().set("HostConfig", None))
    for name in ("Privileged", "CapAdd", "Binds", "Mounts", "SecurityOpt",
                 "ReadonlyRootfs", "Memory", "PidsLimit", "NetworkMode",
                 "Devices", "Sysctls"):
        b = base()
        hc_of(b).drop(name).add(name, None)
        add("HostConfig.%s null" % name, b)
    add("User null", base().set("User", None))
    b = base()
    hc_of(b).add("Privileged", True).add(Key("privileged"), None)
    add("Privileged true then privileged null", b)

    # Numbers and booleans in other forms.
    for name, text in (("Privileged", "1"), ("Privileged", "0"),
                       ("Privileged", '"true"'), ("Privileged", '"1"'),
                       ("ReadonlyRootfs", '"true"'), ("ReadonlyRootfs", "1"),
                       ("Memory", "6.7108864e7"), ("Memory", "67108864.0"),
                       ("Memory", "-0"), ("Memory", "-1"), ("Memory", "1E8"),
                       ("Memory", '"67108864"'), ("PidsLimit", "64.0"),
                       ("PidsLimit", "1e2"), ("PidsLimit", "-0"),
                       ("PidsLimit", "-1"),
                       ("PidsLimit", "9223372036854775807"),
                       ("PidsLimit", "9223372036854775808"),
                       ("PidsLimit", "1e400"), ("Memory", "-0.0")):
        b = base()
        hc_of(b).drop(name).add(name, Raw(text))
        add("HostConfig.%s = %s" % (name, text), b)

    # Nesting: an unknown field Go skips, with Privileged beside it.
    for depth in (30, 62, 63, 64, 65, 80):
        b = base([("Privileged", True)])
        b.add("SgDeep", Raw("[" * depth + "]" * depth))
        add("Privileged beside an unknown field nested %d deep" % depth, b)
    b = base()
    b.add("Config", Obj([("HostConfig", Obj([("Privileged", True)]))]))
    add("Privileged in HostConfig inside an unknown Config", b)
    b = base()
    hc_of(b).add("HostConfig", Obj([("Privileged", True)]))
    add("Privileged in a HostConfig inside HostConfig", b)

    # Invalid UTF-8 and odd escapes in values.
    for label, raw in (("0xff", b"\xff"), ("lone 0xc5", b"\xc5"),
                       ("overlong slash", b"\xc0\xaf"),
                       ("surrogate escape", b"\\ud800"),
                       ("NUL escape", b"\\u0000")):
        src = bad.encode() + raw + b":/x"
        b = base()
        hc_of(b).add("Binds", Raw(b'["' + src + b'"]'))
        add("Binds source with %s" % label, b)
    b = base()
    hc_of(b).add("NetworkMode", Raw(b'"ho\\u0073t"'))
    add("NetworkMode h-o-\\u0073-t", b)
    b = base()
    hc_of(b).add("NetworkMode", Raw(b'"HOST"'))
    add("NetworkMode HOST", b)
    b = base()
    hc_of(b).add("PidMode", Raw(b'"Host"'))
    add("PidMode Host", b)

    # Bind sources: where they really lead.
    link = os.path.join(ok, "link-to-bad")
    for label, srcs in (("ok", [ok]), ("ok with ..", [ok + "/../" +
                                                     os.path.basename(bad)]),
                        ("ok with //", ["/" + ok]),
                        ("link in ok to bad", [link]),
                        ("ok and bad", [ok, bad]),
                        ("bad with :ro", [bad + ":ro"]),
                        ("relative", ["sgdiff-rel"])):
        bs = [s + ":/x%d" % i if ":" not in s else
              s.replace(":", ":/x%d:" % i, 1) for i, s in enumerate(srcs)]
        add("Binds %s" % label, base([("Binds", bs)]))
    for tlabel, tkey, tval in (("Type bind", "Type", "bind"),
                               ("type bind", "type", "bind"),
                               ("TYPE bind", "TYPE", "bind"),
                               ("Type BIND", "Type", "BIND"),
                               ("Type Bind", "Type", "Bind"),
                               ("Type b\\u0069nd", "Type",
                                Raw('"b\\u0069nd"'))):
        for slabel, skey in (("Source", "Source"), ("source", "source"),
                             ("SOURCE", "SOURCE"),
                             ("\\u017fource", "\\u017fource")):
            m = Obj([(Key(tkey), tval), (Key(skey), bad),
                     ("Target", "/x")])
            add("Mounts %s, %s bad" % (tlabel, slabel),
                base([("Mounts", [m])]))
    m = Obj([("Type", "bind"), ("Source", ok), ("source", bad),
             ("Target", "/x")])
    add("Mounts Source ok then source bad", base([("Mounts", [m])]))
    m = Obj([("Type", "volume"), ("Target", "/x"),
             ("VolumeOptions", Obj([("DriverConfig",
                                     Obj([("Name", "sgdiffdrv")]))]))])
    add("Mounts volume with driver sgdiffdrv", base([("Mounts", [m])]))

    # Anonymous volumes whose local-driver options bind a host path.
    def vol(opts, vo="VolumeOptions", dc="DriverConfig", op="Options",
            name="local"):
        return [Obj([("Type", "volume"), ("Target", "/x"),
                     (Key(vo), Obj([(Key(dc), Obj([
                         ("Name", name),
                         (Key(op), Obj([(Key(k), v) for k, v in opts]))]))]))])]
    bind_opts = [("type", "none"), ("o", "bind"), ("device", bad)]
    for label, kw in (("", {}), ("volumeoptions", {"vo": "volumeoptions"}),
                      ("VOLUMEOPTIONS", {"vo": "VOLUMEOPTIONS"}),
                      ("driverconfig", {"dc": "driverconfig"}),
                      ("options", {"op": "options"}),
                      ("Option\\u017f", {"op": "Option\\u017f"}),
                      ("Option<U+017F>", {"op": "Option\u017f"})):
        add("Mounts volume, local options bind bad%s" % (
            ", key " + label if label else ""),
            base([("Mounts", vol(bind_opts, **kw))]))
    for label, opts in (
            ("o rbind", [("o", "rbind"), ("device", bad)]),
            ("o ro,bind", [("o", "ro,bind"), ("device", bad)]),
            ("o BIND", [("o", "BIND"), ("device", bad)]),
            ("O bind", [("type", "none"), ("O", "bind"),
                        ("device", bad)]),
            ("Device", [("type", "none"), ("o", "bind"), ("Device", bad)]),
            ("device via a link in ok", [("type", "none"), ("o", "bind"),
                                         ("device", link)]),
            ("device ok", [("type", "none"), ("o", "bind"),
                           ("device", ok)]),
            ("device repeated", [("type", "none"), ("o", "bind"),
                                 ("device", ok), ("device", bad)]),
            ("type tmpfs", [("type", "tmpfs"), ("device", "tmpfs")])):
        add("Mounts volume, local options %s" % label,
            base([("Mounts", vol(opts))]))

    # Other ways to the same things.
    add("HostConfig.Capabilities", base([("Capabilities",
                                          ["CAP_SYS_ADMIN"])]))
    add("HostConfig.Cgroup host", base([("Cgroup", "host")]))
    add("HostConfig.DeviceRequests", base([("DeviceRequests", [Obj([
        ("Driver", ""), ("Count", -1), ("Capabilities", [["gpu"]])])])]))
    add("HostConfig.Sysctls kernel.shm_rmid_forced",
        base([("Sysctls", Obj([("kernel.shm_rmid_forced", "1")]))]))
    for label, key, net in (("host", "EndpointsConfig", "host"),
                            ("HOST", "EndpointsConfig", "HOST"),
                            ("host, key endpointsconfig", "endpointsconfig",
                             "host")):
        b = base()
        b.add("NetworkingConfig", Obj([(Key(key), Obj([(net, Obj())]))]))
        add("NetworkingConfig.EndpointsConfig %s" % label, b)

    with open(os.path.join(outdir, "index.tsv"), "w") as idx:
        for i, (desc, body, via) in enumerate(bodies):
            name = "%03d" % i
            with open(os.path.join(outdir, name + ".json"), "wb") as f:
                f.write(body)
            idx.write("%s\t%s\t%s\n" % (name, via, desc.replace("\t", " ")
                                        .replace("\n", " ")))
    print(len(bodies))


if __name__ == "__main__":
    main()
