#!/usr/bin/python3
"""Differential check of sockguard's reading of create bodies (t_diff.sh).

  diffcheck.py setup WORK OK_DIR
      writes WORK/probe-rules.yaml (the profiles below) and
      WORK/open-rules.yaml (every container check allowing)
  diffcheck.py run SGBIN CONFIG DD_SOCK VIA_SOCK CORPUS OK_DIR
      CONFIG names probe-rules.yaml; VIA_SOCK is a sockguard running
      open-rules.yaml in front of DD_SOCK

For each body of the corpus (diffgen.py), sockguard's view comes from its
own policy, through `sockguard explain`, under the profile "all", which
restricts every field the container checks read (and requires every
hardening).  A body it refuses as malformed is fine (fail closed).  A
body it allows must, created directly on dockerd from the same bytes and
inspected, break none of those restrictions.  A body "all" denies by a
rule R is explained again under "but-R" (all of them but R), and so on,
lifting the rule that denies each time until sockguard allows it; then
dockerd's container may break the rules lifted and nothing else.  So
whatever sockguard allows under some combination of these rules, dockerd
does no more than that.

Every body sockguard allows (but plain letter-case variants, see
diffgen.py) is also created through VIA
(what reaches dockerd is then sockguard's own serialisation); its
container must read the same as the direct one in every field the checks
read, bind sources resolved.

Prints "FAIL NNN description: why" per disagreement, "# ..." notes, and
a closing "summary k=v ...".  Exits 1 on any failure or error.
"""

import concurrent.futures
import http.client
import json
import os
import socket
import subprocess
import sys
import threading

RULES = [
    # (rule, key in the profile, its restricting and its allowing value)
    ("privileged", "privileged", "false", "true"),
    ("capabilities", "capabilities", "{allow_add: []}", "{allow_add: [ALL]}"),
    ("host_namespaces", "host_namespaces", "false", "true"),
    ("devices", "devices", "false", "true"),
    ("unconfined", "unconfined", "false", "true"),
    ("bind_mounts", "bind_mounts", "{allow: [OK]}", "{allow: [/], deny: []}"),
    ("sysctls", "sysctls", "{allow: []}", "{allow: ['*']}"),
    ("runtimes", "runtimes", "[runc]", "[runc, sgdiff]"),
    ("volume_drivers", "volume_drivers", "false", "true"),
    ("cgroup_parent", "cgroup_parent", "false", "true"),
    ("require.non_root_user", "non_root_user", "true", "false"),
    ("require.read_only_rootfs", "read_only_rootfs", "true", "false"),
    ("require.no_new_privileges", "no_new_privileges", "true", "false"),
    ("require.memory_limit", "memory_limit", "true", "false"),
    ("require.pids_limit", "pids_limit", "true", "false"),
]


def profile_yaml(name, ok, lifted):
    """A profile restricting every rule but those in lifted."""
    out = ["  %s:" % name, "    endpoints:",
           '      - {allow: "POST /containers/create"}', "    containers:",
           "      joins: false"]
    req = []
    for rule, key, strict, loose in RULES:
        val = (loose if rule in lifted else strict).replace("OK", ok)
        if rule.startswith("require."):
            req.append("%s: %s" % (key, val))
        else:
            out.append("      %s: %s" % (key, val))
    out.append("      require: {%s}" % ", ".join(req))
    return out


def setup(work, ok):
    lines = ["version: 1", "default_profile: all", "identities:"]
    for rule, _, _, _ in RULES:
        lines += ["  - match: {listener: but-%s}" % rule,
                  "    profile: but-%s" % rule]
    lines.append("profiles:")
    lines += profile_yaml("all", ok, set())
    for rule, _, _, _ in RULES:
        lines += profile_yaml("but-" + rule, ok, {rule})
    with open(os.path.join(work, "probe-rules.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    lines = ["version: 1", "default_profile: open", "profiles:"]
    lines += profile_yaml("open", ok, {r[0] for r in RULES})
    with open(os.path.join(work, "open-rules.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- dockerd

class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(60)
        self.sock.connect(self.path)


def call(sock, method, path, body=None):
    c = UnixHTTP(sock)
    try:
        headers = {"Content-Type": "application/json"} if body else {}
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        return r.status, data
    finally:
        c.close()


def create(sock, body, name):
    """(container id, None) or (None, dockerd's or sockguard's answer)."""
    st, data = call(sock, "POST", "/v1.41/containers/create?name=" + name,
                    body)
    if st != 201:
        return None, "%d %s" % (st, data.decode(errors="replace")[:200])
    return json.loads(data)["Id"], None


def inspect_remove(sock, cid):
    """The view of container cid, which is then removed with its
    anonymous volumes."""
    st, data = call(sock, "GET", "/v1.41/containers/%s/json" % cid)
    try:
        if st != 200:
            raise RuntimeError("inspect %s: %d" % (cid, st))
        return view(json.loads(data), sock)
    finally:
        call(sock, "DELETE", "/v1.41/containers/%s?force=1&v=1" % cid)


# ---------------------------------------------------------------- truth

SEC_KEYS = ("label", "apparmor", "seccomp", "no-new-privileges",
            "systempaths")


def go_atoi_zero(s):
    """strconv.Atoi(s) == 0 without error."""
    t = s[1:] if s[:1] in "+-" else s
    return t != "" and t.isascii() and t.isdigit() and int(t) == 0


def go_parse_bool(s):
    return s in ("1", "t", "T", "TRUE", "true", "True")


def sec_opts(opts):
    """dockerd's reading of SecurityOpt: (key, value) pairs."""
    out = []
    for o in opts or []:
        if o == "no-new-privileges":
            out.append(("no-new-privileges", "true"))
        elif "=" in o:
            out.append(tuple(o.split("=", 1)))
        elif ":" in o:
            out.append(tuple(o.split(":", 1)))
        else:
            out.append((o, None))
    return out


def volume_bind(sock, name):
    """The host path the local driver will bind for volume name, if any:
    its options, read as the driver reads them (exact keys)."""
    st, data = call(sock, "GET", "/v1.41/volumes/" + name)
    if st != 200:
        return None
    opts = json.loads(data).get("Options") or {}
    flags = (opts.get("o") or "").split(",")
    if opts.get("device") and ("bind" in flags or "rbind" in flags):
        return opts["device"]
    return None


def view(ins, sock):
    """The fields the container checks read, as dockerd made them."""
    hc = ins["HostConfig"]
    binds = []
    vdrivers = []
    for m in ins.get("Mounts") or []:
        if m.get("Type") == "bind":
            binds.append((os.path.realpath(m["Source"]),
                          m.get("Destination")))
        elif m.get("Type") == "volume":
            vdrivers.append(m.get("Driver") or "")
            dev = volume_bind(sock, m.get("Name") or "")
            if dev is not None:
                binds.append((os.path.realpath(dev), m.get("Destination")))
    return {
        "Privileged": bool(hc.get("Privileged")),
        "Capabilities": hc.get("Capabilities") or [],
        "Cgroup": hc.get("Cgroup") or "",
        "Networks": sorted((ins.get("NetworkSettings") or {})
                           .get("Networks") or {}),
        "CapAdd": sorted(hc.get("CapAdd") or []),
        "NetworkMode": hc.get("NetworkMode"),
        "PidMode": hc.get("PidMode"),
        "IpcMode": hc.get("IpcMode"),
        "UTSMode": hc.get("UTSMode"),
        "UsernsMode": hc.get("UsernsMode"),
        "CgroupnsMode": hc.get("CgroupnsMode"),
        "Devices": sorted(d.get("PathOnHost") for d in
                          hc.get("Devices") or []),
        "DeviceCgroupRules": hc.get("DeviceCgroupRules") or [],
        "DeviceRequests": len(hc.get("DeviceRequests") or []),
        "SecurityOpt": hc.get("SecurityOpt") or [],
        "MaskedPaths": hc.get("MaskedPaths"),
        "ReadonlyPaths": hc.get("ReadonlyPaths"),
        "Sysctls": hc.get("Sysctls") or {},
        "Runtime": hc.get("Runtime"),
        "VolumeDriver": hc.get("VolumeDriver") or "",
        "VolumeDrivers": sorted(vdrivers),
        "CgroupParent": hc.get("CgroupParent") or "",
        "User": ins["Config"].get("User") or "",
        "ReadonlyRootfs": bool(hc.get("ReadonlyRootfs")),
        "Memory": hc.get("Memory") or 0,
        "PidsLimit": hc.get("PidsLimit"),
        "Binds": sorted(binds),
    }


def violations(v, base, ok):
    """The rules of RULES that dockerd's container v breaks."""
    bad = set()
    opts = list(v["SecurityOpt"])
    # dockerd's own addition: SELinux labelling off for a privileged
    # container or one in the host's pid or ipc namespace; that comes
    # with what those rules allow, not with unconfined.
    if (v["Privileged"] or v["PidMode"] == "host" or
            v["IpcMode"] == "host") and "label=disable" in opts:
        del opts[len(opts) - 1 - opts[::-1].index("label=disable")]
    if v["Privileged"]:
        bad.add("privileged")
    if v["CapAdd"] or v["Capabilities"]:
        bad.add("capabilities")
    modes = ["NetworkMode", "PidMode", "IpcMode", "UTSMode", "UsernsMode",
             "Cgroup"]
    # On a cgroup v1 host dockerd's default is "host": asked or not, the
    # container is the same, so only a v2 host can tell.
    if base["CgroupnsMode"] != "host":
        modes.append("CgroupnsMode")
    if any(v[m] == "host" for m in modes) or "host" in v["Networks"]:
        bad.add("host_namespaces")
    if v["Devices"] or v["DeviceCgroupRules"] or v["DeviceRequests"]:
        bad.add("devices")
    for k, val in sec_opts(opts):
        if (k == "seccomp" and val != "builtin") or \
           (k == "apparmor" and val == "unconfined") or \
           (k == "label" and (val == "disable" or
                              (val or "").startswith("type:"))) or \
           k == "systempaths" or k not in SEC_KEYS:
            bad.add("unconfined")
    # dockerd fills in the default masked paths of unprivileged ones.
    if not v["Privileged"] and (v["MaskedPaths"] != base["MaskedPaths"] or
                                v["ReadonlyPaths"] != base["ReadonlyPaths"]):
        bad.add("unconfined")
    okr = os.path.realpath(ok)
    for src, _ in v["Binds"]:
        if src != okr and not src.startswith(okr + "/"):
            bad.add("bind_mounts")
    if v["Sysctls"]:
        bad.add("sysctls")
    if v["Runtime"] not in ("runc", "", None):
        bad.add("runtimes")
    if v["VolumeDriver"] not in ("", "local") or \
       any(d not in ("", "local") for d in v["VolumeDrivers"]):
        bad.add("volume_drivers")
    if v["CgroupParent"]:
        bad.add("cgroup_parent")
    user = v["User"].split(":", 1)[0]
    if user in ("", "root") or go_atoi_zero(user):
        bad.add("require.non_root_user")
    if not v["ReadonlyRootfs"]:
        bad.add("require.read_only_rootfs")
    if not any(k == "no-new-privileges" and val is not None and
               go_parse_bool(val) for k, val in sec_opts(opts)):
        bad.add("require.no_new_privileges")
    if v["Memory"] <= 0:
        bad.add("require.memory_limit")
    if v["PidsLimit"] is None or v["PidsLimit"] <= 0:
        bad.add("require.pids_limit")
    return bad


# ---------------------------------------------------------------- sockguard

SUBSETS = {}
SUBSETS_LOCK = threading.Lock()


def subset_config(config, ok, lifted):
    """A configuration whose rules are all but lifted (for two or more)."""
    key = ",".join(sorted(lifted))
    with SUBSETS_LOCK:
        if key in SUBSETS:
            return SUBSETS[key]
        work = os.path.dirname(config)
        n = len(SUBSETS)
        rules = os.path.join(work, "sub%d-rules.yaml" % n)
        with open(rules, "w") as f:
            f.write("\n".join(["version: 1", "default_profile: sub",
                               "profiles:"] +
                              profile_yaml("sub", ok, lifted)) + "\n")
        conf = os.path.join(work, "sub%d.yaml" % n)
        with open(config) as f, open(conf, "w") as g:
            for line in f:
                g.write("rules: %s\n" % rules if line.startswith("rules:")
                        else line)
        SUBSETS[key] = conf
        return conf


def explain(sg, config, ok, lifted, path):
    """(decision, rule, status, reason) of sockguard explain, under every
    rule but those in lifted."""
    if len(lifted) > 1:
        args = ["-c", subset_config(config, ok, lifted)]
    else:
        args = ["-c", config, "--as", "listener=" +
                ("but-" + next(iter(lifted)) if lifted else "all")]
    p = subprocess.run([sg, "explain"] + args +
                       ["POST", "/v1.41/containers/create", path],
                       capture_output=True, timeout=30)
    out = {}
    for line in p.stdout.decode(errors="replace").splitlines():
        k, _, val = line.partition(": ")
        out[k] = val
    if p.returncode not in (0, 2) or "decision" not in out:
        raise RuntimeError("explain %s (%s): exit %d: %s" % (
            path, profile, p.returncode, p.stderr.decode(errors="replace")))
    return (out["decision"], out.get("rule", ""), out.get("status", ""),
            out.get("reason", ""))


def check_body(sg, config, dd, via, corpus, ok, base, num, want_via,
               desc):
    """One body: (lines to print, counts to add)."""
    lines, c = [], {}

    def note(key, line):
        c[key] = c.get(key, 0) + 1
        if line:
            lines.append(line)

    path = os.path.join(corpus, num + ".json")
    with open(path, "rb") as f:
        body = f.read()
    # Lift the rule that denies, one at a time, until sockguard allows.
    lifted = set()
    denials = []
    while True:
        dec, rule, status, reason = explain(sg, config, ok, lifted, path)
        if dec == "allow":
            break
        if status != "403" or not rule.startswith("containers."):
            note("refused", "# %s %s: refused, %s %s" % (
                num, desc, status, reason) if not lifted else
                 "FAIL %s %s: denied by %s once %s were lifted" % (
                     num, desc, rule, ", ".join(denials)))
            if lifted:
                c["fail"] = c.get("fail", 0) + 1
            return lines, c
        r = rule[len("containers."):]
        if r in lifted:
            # Denied whatever the profile allows (a mount type dockerd
            # would not take in that spelling, say): fail closed.
            note("refused", "# %s %s: denied by %s even when it allows "
                 "everything: %s" % (num, desc, rule, reason))
            return lines, c
        lifted.add(r)
        denials.append(r)
    if len(lifted) > 1:
        note("lifted_more", "# %s %s: allowed once %s were lifted" % (
            num, desc, ", ".join(denials)))
    rule = ", ".join(denials)
    cid, err = create(dd, body, "sgdiff-%s-d" % num)
    direct = None
    if cid is None:
        note("dockerd_refused", "# %s %s: sockguard allows%s; dockerd "
             "refuses: %s" % (num, desc, " but " + rule if lifted else "",
                              err))
    else:
        direct = inspect_remove(dd, cid)
        broken = violations(direct, base, ok)
        note("compared", None)
        if not broken <= lifted:
            note("fail", "FAIL %s %s: sockguard allows it%s, but dockerd's "
                 "container breaks %s: %s" % (
                     num, desc, " under all rules but " + ", ".join(lifted)
                     if lifted else " under every rule",
                     ", ".join(sorted(broken - lifted)),
                     json.dumps(direct, sort_keys=True)))
        elif lifted and not lifted <= broken:
            note("stricter", "# %s %s: sockguard denies by %s; dockerd's "
                 "container does not break it" % (num, desc, rule))
    # What sockguard forwards must mean what the client sent.
    if want_via != "via":
        return lines, c
    vid, verr = create(via, body, "sgdiff-%s-v" % num)
    if vid is None:
        note("via_refused", "# %s %s: through sockguard: %s" % (num, desc,
                                                                verr))
        return lines, c
    through = inspect_remove(dd, vid)
    note("via_compared", None)
    if direct is None:
        note("fail", "FAIL %s %s: dockerd refuses the body but creates "
             "what sockguard forwards: %s" % (
                 num, desc, json.dumps(through, sort_keys=True)))
    elif through != direct:
        diff = {k: (direct[k], through[k]) for k in direct
                if direct[k] != through[k]}
        note("fail", "FAIL %s %s: through sockguard the container differs "
             "(direct, through): %s" % (num, desc,
                                        json.dumps(diff, sort_keys=True)))
    return lines, c


def run(sg, config, dd, via, corpus, ok):
    counts = dict(bodies=0, refused=0, lifted_more=0, compared=0,
                  dockerd_refused=0, stricter=0, via_compared=0,
                  via_refused=0, fail=0)
    with open(os.path.join(corpus, "index.tsv")) as f:
        index = [line.rstrip("\n").split("\t", 2) for line in f]
    with open(os.path.join(corpus, "000.json"), "rb") as f:
        cid, err = create(dd, f.read(), "sgdiff-base")
    if cid is None:
        raise RuntimeError("the base body: dockerd says " + err)
    base = inspect_remove(dd, cid)
    print("# dockerd's defaults: CgroupnsMode %s" % base["CgroupnsMode"])
    # Four at a time: dockerd's work overlaps sockguard's checks.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda e: check_body(sg, config, dd, via, corpus,
                                                ok, base, *e), index)
        for lines, c in results:
            counts["bodies"] += 1
            for k, n in c.items():
                counts[k] += n
            for line in lines:
                print(line)
    print("summary " + " ".join("%s=%d" % kv for kv in counts.items()))
    return 1 if counts["fail"] else 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) == 8 and sys.argv[1] == "run":
        return run(*sys.argv[2:8])
    print(__doc__, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
