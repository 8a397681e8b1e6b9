# shellcheck shell=bash
# The rules, end to end: the real docker CLI against sockguard with the
# SHIPPED rules/default.yaml (instance "poldef") and with custom profiles
# (instance "polx", one listener per profile).  Denials must reach the
# user as the exact CLI error and name the rule, the field and its value
# (checked in each instance's audit log); what is allowed is checked
# against what dockerd actually created (`dd_ inspect`).  Raw bodies that
# dockerd would read differently from a naive parser are refused, and
# `sockguard explain` agrees with the running daemon.
#
# Nothing here makes dockerd touch the network: images are the local
# $IMG; `docker plugin install` is not run through the CLI (it first asks
# GET /plugins/privileges, which the read rule allows and which makes
# dockerd contact the registry), its POST /plugins/pull is sent raw.
#
# Sourced by tests/integration/run: uses dk, dd_, dks, $IMG, $W, $DD_SOCK.

POL=$W/pol
PD_SOCK=$W/pd.sock		# rules/default.yaml, profile "default"
PX_SOCKDENY=$W/px-sockdeny.sock	# profile sockdeny: + dockerd's socket
PX_CAPNET=$W/px-capnet.sock	# profile capnet: allow_add NET_ADMIN
PX_HARD=$W/px-hardened.sock	# profile hardened: non-root, read-only
PD_AUDIT=$POL/audit-default.log
PX_AUDIT=$POL/audit-custom.log
POL_LOOP='trap "exit 0" TERM; while :; do sleep 0.1; done'
mkdir -p "$POL"

pol_count() { dd_ ps -aq | wc -l; }
# Byte offset of the end of an audit log (records after it are new).
pol_mark() { stat -c %s "$1" 2>/dev/null || echo 0; }
# The records written since MARK: decision, rule, field, value, path.
pol_recs() {
	auditq tsv "$1" "$2" stage decision rule field value method path
}
# The one "deny" record since MARK, as "rule|field|value".
pol_deny_rec() {
	pol_recs "$1" "$2" | awk -F'\t' '$2 == "deny" { print $3 "|" $4 "|" $5 }'
}

pol_setup() {
	local ok=1
	cat >"$W/poldef.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $PD_SOCK
    mode: "0600"
rules: $REPO/rules/default.yaml
audit:
  path: $PD_AUDIT
EOF
	# Profiles built on the shipped one's endpoints; sockdeny adds the
	# private dockerd's socket and its directory (which are not under
	# /var/run here) to the shipped deny list.
	cat >"$POL/rules.yaml" <<EOF
version: 1
default_profile: nothing
identities:
  - match: {listener: sockdeny}
    profile: sockdeny
  - match: {listener: capnet}
    profile: capnet
  - match: {listener: hardened}
    profile: hardened
profiles:
  nothing: {}
  sockdeny:
    endpoints: &ep
      - {name: read, allow: "GET,HEAD /**"}
      - {name: containers, allow: "POST,PUT,DELETE /containers/**"}
      - {name: exec, allow: "POST /exec/**"}
    containers:
      bind_mounts:
        deny: [/, /etc, /proc, /sys, /dev, /boot, /usr, /lib, /lib32, /lib64,
               /bin, /sbin, /root, /var/lib/docker, /var/lib/containerd,
               /var/run/docker.sock, /run/docker.sock, /run/containerd,
               /var/run/containerd, /run/sockguard, /var/run/sockguard,
               $DD_SOCK, $DD_DIR]
  capnet:
    endpoints: *ep
    containers:
      capabilities: {allow_add: [NET_ADMIN]}
  hardened:
    endpoints: *ep
    containers:
      require: {non_root_user: true, read_only_rootfs: true}
EOF
	cat >"$W/polx.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $PX_SOCKDENY
    name: sockdeny
  - unix: $PX_CAPNET
    name: capnet
  - unix: $PX_HARD
    name: hardened
rules: $POL/rules.yaml
audit:
  path: $PX_AUDIT
EOF
	sg_start poldef || ok=0
	sg_start polx || ok=0
	wait_for 5 sock_accepts "$PX_CAPNET" || ok=0
	wait_for 5 sock_accepts "$PX_HARD" || ok=0
	if [ $ok = 1 ]; then
		pass "policy: setup: sockguard with rules/default.yaml and with custom profiles"
	else
		fail "policy: setup: sockguard with rules/default.yaml and with custom profiles" \
		    "$(tail -5 "$W/poldef.log" "$W/polx.log")"
	fi
	POL_N0=$(pol_count)
}

# pol_denied NAME SOCK PROFILE RULE REASON FIELD VALUE CLI-PREFIX \
#     CLI-SUFFIX AUDIT -- DOCKER-ARGS...
# `docker ARGS` fails and prints exactly
#   CLI-PREFIXError response from daemon: sockguard: denied by rule RULE
#   (profile PROFILE): REASONCLI-SUFFIX
# (one line), and AUDIT holds exactly one deny record for it, naming RULE,
# FIELD and VALUE.
pol_denied() {
	local name=$1 sock=$2 prof=$3 rule=$4 reason=$5 field=$6 value=$7
	local pre=$8 suf=$9 log=${10} mark out rc recs
	shift 11
	mark=$(pol_mark "$log")
	out=$(dks "$sock" "$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		fail "$name: refused" "exit status 0:" "$out"
	else
		check_line "$name: CLI error names the rule" \
		    "${pre}Error response from daemon: sockguard: denied by rule $rule (profile $prof): $reason$suf" \
		    "$out"
	fi
	# docker cp asks about the path (HEAD) before the copy: one record
	# each, alike.
	recs=$(pol_deny_rec "$log" "$mark" | sort -u)
	check_eq "$name: audit record names rule, field and value" \
	    "$rule|$field|$value" "$recs"
}

# pol_run_denied RULE REASON FIELD VALUE RUN-ARGS...: docker run through
# the shipped rules.
pol_run_denied() {
	local rule=$1 reason=$2 field=$3 value=$4
	shift 4
	pol_denied "policy: default: run $*" "$PD_SOCK" default "$rule" \
	    "$reason" "$field" "$value" "docker: " "." "$PD_AUDIT" -- \
	    run --rm "$@" "$IMG" true
}

pol_default_run_denied() {
	local n0 bm='bind mount of' ns="shares the host's namespace"
	n0=$(pol_count)
	pol_run_denied containers.privileged \
	    "privileged containers are not allowed" \
	    HostConfig.Privileged true --privileged
	pol_run_denied containers.log_drivers \
	    "log driver syslog is not in log_drivers (it makes dockerd send the output elsewhere)" \
	    HostConfig.LogConfig.Type syslog --log-driver syslog \
	    --log-opt syslog-address=unix:///run/systemd/journal/syslog
	pol_run_denied containers.capabilities \
	    "adding capability SYS_ADMIN is not allowed (capabilities.allow_add)" \
	    'HostConfig.CapAdd[0]' SYS_ADMIN --cap-add SYS_ADMIN
	pol_run_denied containers.capabilities \
	    "adding capability all is not allowed (capabilities.allow_add)" \
	    'HostConfig.CapAdd[0]' all --cap-add all
	pol_run_denied containers.host_namespaces \
	    "HostConfig.NetworkMode=host $ns" HostConfig.NetworkMode host \
	    --net host
	pol_run_denied containers.host_namespaces \
	    "HostConfig.PidMode=host $ns" HostConfig.PidMode host --pid host
	pol_run_denied containers.host_namespaces \
	    "HostConfig.IpcMode=host $ns" HostConfig.IpcMode host --ipc host
	pol_run_denied containers.host_namespaces \
	    "HostConfig.UTSMode=host $ns" HostConfig.UTSMode host --uts host
	pol_run_denied containers.host_namespaces \
	    "HostConfig.UsernsMode=host $ns" HostConfig.UsernsMode host \
	    --userns host
	pol_run_denied containers.devices \
	    "HostConfig.Devices gives the container host devices" \
	    HostConfig.Devices - --device /dev/null
	pol_run_denied containers.unconfined \
	    "HostConfig.SecurityOpt[0] disables seccomp" \
	    'HostConfig.SecurityOpt[0]' seccomp=unconfined \
	    --security-opt seccomp=unconfined
	pol_run_denied containers.unconfined \
	    "HostConfig.SecurityOpt[0] disables AppArmor" \
	    'HostConfig.SecurityOpt[0]' apparmor=unconfined \
	    --security-opt apparmor=unconfined
	pol_run_denied containers.unconfined \
	    "HostConfig.SecurityOpt[0] changes the SELinux confinement" \
	    'HostConfig.SecurityOpt[0]' label=disable \
	    --security-opt label=disable
	pol_run_denied containers.unconfined \
	    "HostConfig.MaskedPaths replaces the masked /proc paths (systempaths=unconfined)" \
	    HostConfig.MaskedPaths - --security-opt systempaths=unconfined
	pol_run_denied containers.bind_mounts \
	    "$bm / exposes /, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' / -v /:/h
	pol_run_denied containers.bind_mounts \
	    "$bm /etc exposes /etc, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' /etc -v /etc:/e
	pol_run_denied containers.bind_mounts \
	    "$bm /var exposes /var/lib, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' /var -v /var:/v
	local dsock=/var/run/docker.sock exposed=/var/run
	if [ -L /var/run ]; then
		dsock="/var/run/docker.sock (resolved: /run/docker.sock)"
		exposed=/run
	fi
	pol_run_denied containers.bind_mounts \
	    "$bm $dsock exposes $exposed, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' /var/run/docker.sock -v /var/run/docker.sock:/s
	pol_run_denied containers.bind_mounts \
	    "$bm /etc exposes /etc, which bind_mounts.deny forbids" \
	    'HostConfig.Mounts[0]' /etc \
	    --mount type=bind,src=/etc,dst=/e
	# A link in a directory the client controls, pointing at /etc.
	mkdir -p "$POL/lnk"
	ln -sfn /etc "$POL/lnk/etc"
	pol_run_denied containers.bind_mounts \
	    "$bm $POL/lnk/etc (resolved: /etc) exposes /etc, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' "$POL/lnk/etc" -v "$POL/lnk/etc:/x"
	# (Joins are checked against their target: see pol_existing.)
	check_eq "policy: default: no denied run created a container" \
	    "$n0" "$(pol_count)"
}

pol_default_other_denied() {
	local out rc mark nv
	nv=$(dd_ volume ls -q | wc -l)
	pol_denied "policy: default: volume create binding /etc" "$PD_SOCK" \
	    default containers.bind_mounts \
	    "bind mount of /etc exposes /etc, which bind_mounts.deny forbids" \
	    "DriverOpts device" /etc "" "" "$PD_AUDIT" -- \
	    volume create --opt type=none --opt o=bind --opt device=/etc sgpol-vol
	check_eq "policy: default: the /etc volume was not created" \
	    "$nv" "$(dd_ volume ls -q | wc -l)"

	mkdir -p "$POL/ctx"
	printf 'FROM %s\nRUN echo built >/b\n' "$IMG" >"$POL/ctx/Dockerfile"
	DOCKER_BUILDKIT=0 pol_denied "policy: default: build --network host" \
	    "$PD_SOCK" default build.host_network \
	    "builds with networkmode=host are not allowed" networkmode host \
	    "" "" "$PD_AUDIT" -- build --network host -t sgpol-build:1 "$POL/ctx"
	check_true "policy: default: build --network host built nothing" \
	    "dockerd has sgpol-build:1" \
	    eval '! dd_ image inspect sgpol-build:1 >/dev/null 2>&1'

	# BuildKit: the CLI only reports the 403 of its session upgrade; the
	# rule is in the audit log.
	mark=$(pol_mark "$PD_AUDIT")
	out=$(DOCKER_BUILDKIT=1 DK_TIMEOUT=30 dks "$PD_SOCK" build \
	    -t sgpol-bk:1 "$POL/ctx" 2>&1)
	rc=$?
	check_true "policy: default: DOCKER_BUILDKIT=1 build is refused" \
	    "exit $rc: $out" test $rc -ne 0
	check_match "policy: default: BuildKit build: the CLI sees the 403" \
	    '403|denied by rule build\.buildkit' "$out"
	# (its /session upgrade and its POST /build?version=2 race; either
	# may be the one sockguard sees first)
	out=$(pol_recs "$PD_AUDIT" "$mark")
	check_match "policy: default: BuildKit build: denied by build.buildkit" \
	    $'^decision\tdeny\tbuild\\.buildkit\t[^\t]*\t[^\t]*\tPOST\t(/session|/v1\\.41/build\\?.*)$' \
	    "$out"
	check_nomatch "policy: default: BuildKit build: no session or build forwarded" \
	    $'^decision\tallow\t.*\t(/session|/grpc|/v1\\.41/build\\?.*)$' "$out"
	check_true "policy: default: BuildKit build built nothing" \
	    "dockerd has sgpol-bk:1" \
	    eval '! dd_ image inspect sgpol-bk:1 >/dev/null 2>&1'

	# Plugins: docker plugin create through the CLI, and the request
	# docker plugin install makes after asking for the privileges.
	mkdir -p "$POL/plugin/rootfs"
	echo '{}' >"$POL/plugin/config.json"
	pol_denied "policy: default: plugin create" "$PD_SOCK" default \
	    no-plugins "POST /plugins/create is denied" endpoint \
	    "POST /plugins/create" "" "" "$PD_AUDIT" -- \
	    plugin create sgpol/plugin "$POL/plugin"
	mark=$(pol_mark "$PD_AUDIT")
	echo '[]' >"$POL/plugin/privileges.json"
	pol_post "$PD_SOCK" '/v1.41/plugins/pull?remote=sgpol/x&name=x' \
	    "$POL/plugin/privileges.json"
	check_eq "policy: default: plugin install (POST /plugins/pull) is refused" \
	    '403 {"message":"sockguard: denied by rule no-plugins (profile default): POST /plugins/pull is denied"}' \
	    "$PP_CODE $PP_BODY"
	check_eq "policy: default: plugin install: audit record" \
	    "no-plugins|endpoint|POST /plugins/pull" \
	    "$(pol_deny_rec "$PD_AUDIT" "$mark")"
	check_eq "policy: default: no plugin was installed" "" \
	    "$(dd_ plugin ls -q 2>&1)"

	pol_denied "policy: default: swarm init" "$PD_SOCK" default no-swarm \
	    "POST /swarm/init is denied" endpoint "POST /swarm/init" "" "" \
	    "$PD_AUDIT" -- swarm init
	check_eq "policy: default: the daemon is not in a swarm" inactive \
	    "$(dd_ info --format '{{.Swarm.LocalNodeState}}' 2>&1)"
}

# Containers made directly against dockerd, then entered through sockguard.
pol_existing() {
	local out rc
	out=$(dd_ run -d --name sgpol-sock -v "$DD_SOCK:/var/run/docker.sock" \
	    "$IMG" sh -c "$POL_LOOP" 2>&1) ||
	    fail "policy: setup: sgpol-sock directly" "$out"
	out=$(dd_ run -d --name sgpol-plain "$IMG" sh -c "$POL_LOOP" 2>&1) ||
	    fail "policy: setup: sgpol-plain directly" "$out"

	pol_denied "policy: sockdeny: exec into a container holding dockerd's socket" \
	    "$PX_SOCKDENY" sockdeny containers.bind_mounts \
	    "exec into container /sgpol-sock, which this profile would not allow: bind mount of $DD_SOCK exposes $DD_SOCK, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' "$DD_SOCK" "" "" "$PX_AUDIT" -- \
	    exec sgpol-sock cat /proc/1/cmdline
	out=$(dks "$PX_SOCKDENY" exec sgpol-plain echo entered 2>&1)
	check_eq "policy: sockdeny: exec into a plain container works" \
	    entered "$out"
	pol_denied "policy: default: exec --privileged" "$PD_SOCK" default \
	    exec.privileged "privileged exec is not allowed" Privileged true \
	    "" "" "$PD_AUDIT" -- exec --privileged sgpol-plain true
	# require is not held against an existing container, but an exec
	# that asks for root is refused.
	out=$(dks "$PX_HARD" exec -u 1000 sgpol-plain id -u 2>&1)
	check_eq "policy: hardened: exec -u 1000 into a container" 1000 "$out"
	pol_denied "policy: hardened: exec -u 0" "$PX_HARD" hardened \
	    containers.require.non_root_user \
	    "exec as root is not allowed" User 0 \
	    "" "" "$PX_AUDIT" -- exec -u 0 sgpol-plain id -u
	pol_denied "policy: sockdeny: run -v dockerd's socket" "$PX_SOCKDENY" \
	    sockdeny containers.bind_mounts \
	    "bind mount of $DD_SOCK exposes $DD_SOCK, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' "$DD_SOCK" "docker: " "." "$PX_AUDIT" -- \
	    run --rm -v "$DD_SOCK:/var/run/docker.sock" "$IMG" true
	pol_denied "policy: sockdeny: run -v the directory of dockerd's socket" \
	    "$PX_SOCKDENY" sockdeny containers.bind_mounts \
	    "bind mount of $DD_DIR exposes $DD_SOCK, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' "$DD_DIR" "docker: " "." "$PX_AUDIT" -- \
	    run --rm -v "$DD_DIR:/d" "$IMG" true
	pol_denied "policy: sockdeny: --mount of the directory's parent" \
	    "$PX_SOCKDENY" sockdeny containers.bind_mounts \
	    "bind mount of $W exposes $DD_SOCK, which bind_mounts.deny forbids" \
	    'HostConfig.Mounts[0]' "$W" "docker: " "." "$PX_AUDIT" -- \
	    run --rm --mount "type=bind,src=$W,dst=/d" "$IMG" true

	# A privileged container: started if this sandbox can, else created.
	local priv_state
	dd_ run -d --name sgpol-priv --privileged "$IMG" sh -c "$POL_LOOP" \
	    >"$POL/priv.out" 2>&1
	priv_state=$(dd_ inspect --format '{{.State.Status}}' sgpol-priv 2>&1)
	if [ "$priv_state" != running ] && [ "$priv_state" != created ]; then
		dd_ rm -f sgpol-priv >/dev/null 2>&1
		dd_ create --name sgpol-priv --privileged "$IMG" true >/dev/null 2>&1
		priv_state=$(dd_ inspect --format '{{.State.Status}}' sgpol-priv 2>&1)
	fi
	[ "$priv_state" = running ] ||
	    echo "# privileged containers cannot start here ($(tail -1 "$POL/priv.out" | cut -c1-160)); sgpol-priv is $priv_state"
	check_eq "policy: setup: sgpol-priv is privileged (directly)" true \
	    "$(dd_ inspect --format '{{.HostConfig.Privileged}}' sgpol-priv 2>&1)"
	pol_denied "policy: default: exec into a privileged container ($priv_state)" \
	    "$PD_SOCK" default containers.privileged \
	    "exec into container /sgpol-priv, which this profile would not allow: privileged containers are not allowed" \
	    HostConfig.Privileged true "" "" "$PD_AUDIT" -- \
	    exec sgpol-priv true
	echo "copied" >"$POL/cpfile"
	pol_denied "policy: default: cp into a privileged container ($priv_state)" \
	    "$PD_SOCK" default containers.privileged \
	    "copy files into container /sgpol-priv, which this profile would not allow: privileged containers are not allowed" \
	    HostConfig.Privileged true "" "" "$PD_AUDIT" -- \
	    cp "$POL/cpfile" sgpol-priv:/tmp/cpfile
	# Copying out reads the binds too: the same checks.
	pol_denied "policy: default: cp out of a privileged container ($priv_state)" \
	    "$PD_SOCK" default containers.privileged \
	    "copy files from container /sgpol-priv, which this profile would not allow: privileged containers are not allowed" \
	    HostConfig.Privileged true "" "" "$PD_AUDIT" -- \
	    cp sgpol-priv:/etc/hostname "$POL/cpout"
	# A bind source swapped for a symbolic link after the create: dockerd
	# would mount where the link points at start, so start checks again.
	mkdir -p "$POL/swap/a"
	out=$(dks "$PD_SOCK" create --name sgpol-swap -v "$POL/swap/a:/h" \
	    "$IMG" ls /h/etc/shadow 2>&1)
	check_match "policy: default: create with a bind of a plain directory" \
	    '^[0-9a-f]{64}$' "$out"
	rmdir "$POL/swap/a" && ln -s / "$POL/swap/a"
	pol_denied "policy: default: start after the bind source became a link to /" \
	    "$PD_SOCK" default containers.bind_mounts \
	    "start container /sgpol-swap, which this profile would not allow: bind mount of $POL/swap/a (resolved: /) exposes /, which bind_mounts.deny forbids" \
	    "HostConfig.Binds[0]" "$POL/swap/a" "" "" "$PD_AUDIT" -- \
	    start sgpol-swap
	check_eq "policy: default: ... the container never ran" created \
	    "$(dd_ inspect --format '{{.State.Status}}' sgpol-swap 2>&1)"
	rm "$POL/swap/a" && mkdir "$POL/swap/a"
	out=$(dks "$PD_SOCK" start sgpol-swap 2>&1)
	check_eq "policy: default: ... a directory again: start works" \
	    sgpol-swap "$out"
	dd_ rm -f sgpol-swap >/dev/null 2>&1
	# dockerd reads /containers/{name:.*}/attach: "legacy/db" is the
	# link alias /legacy/db, a container sockguard cannot look up.
	out=$(curl -s -m 10 -X POST --unix-socket "$PD_SOCK" \
	    -w ' %{http_code}' 'http://d/v1.41/containers/legacy/db/attach?stream=1&stdin=1' 2>&1 |
	    tr -d '\n')
	check_match "policy: default: attach by a link alias path: 400, named" \
	    "names a container with '/' in its name \\(a link alias\\).* 400$" "$out"

	# The same copy into a plain stopped container goes through.
	dd_ create --name sgpol-created "$IMG" true >/dev/null 2>&1
	out=$(dks "$PD_SOCK" cp "$POL/cpfile" sgpol-created:/tmp/cpfile 2>&1)
	check_rc "policy: default: cp into a plain created container" 0 $? "$out"
	out=$(dd_ cp sgpol-created:/tmp/cpfile - 2>&1 | tar -xO 2>&1)
	check_eq "policy: default: the copied file is in it (direct cp out)" \
	    copied "$out"

	# Joins (joins: checked): the container joined is looked up, judged,
	# and named by its full id in what reaches dockerd.
	local plain_id
	plain_id=$(dd_ inspect --format '{{.Id}}' sgpol-plain)
	out=$(dks "$PD_SOCK" run --name sgpol-joiner --network container:sgpol-plain \
	    --pid container:sgpol-plain --volumes-from sgpol-plain:ro \
	    "$IMG" echo joined 2>&1)
	check_eq "policy: default: run joining a plain container" joined "$out"
	check_eq "policy: default: the join reached dockerd by full id" \
	    "container:$plain_id container:$plain_id [$plain_id:ro]" \
	    "$(dd_ inspect --format '{{.HostConfig.NetworkMode}} {{.HostConfig.PidMode}} {{.HostConfig.VolumesFrom}}' sgpol-joiner 2>&1)"
	pol_denied "policy: default: run --pid container:<privileged>" \
	    "$PD_SOCK" default containers.privileged \
	    "join container /sgpol-priv, which this profile would not allow: privileged containers are not allowed" \
	    HostConfig.Privileged true "docker: " "." "$PD_AUDIT" -- \
	    run --rm --pid container:sgpol-priv "$IMG" true
	pol_denied "policy: sockdeny: --volumes-from a container holding dockerd's socket" \
	    "$PX_SOCKDENY" sockdeny containers.bind_mounts \
	    "join container /sgpol-sock, which this profile would not allow: bind mount of $DD_SOCK exposes $DD_SOCK, which bind_mounts.deny forbids" \
	    'HostConfig.Binds[0]' "$DD_SOCK" "docker: " "." "$PX_AUDIT" -- \
	    run --rm --volumes-from sgpol-sock "$IMG" true
	# Joins do not chain through pid namespaces.
	pol_denied "policy: default: join a container that is in another's pid namespace" \
	    "$PD_SOCK" default containers.joins \
	    "join container /sgpol-joiner, which this profile would not allow: HostConfig.PidMode=container:$plain_id: it is in another container's namespace itself" \
	    HostConfig.PidMode "container:$plain_id" "docker: " "." "$PD_AUDIT" -- \
	    run --rm --network container:sgpol-joiner "$IMG" true
	out=$(dks "$PD_SOCK" run --rm --network container:sgpol-nosuch "$IMG" true 2>&1)
	check_match "policy: default: joining a container that does not exist: dockerd's answer" \
	    "Error response from daemon: sockguard: cannot join container sgpol-nosuch: No such container: sgpol-nosuch" "$out"
	# explain --upstream asks dockerd as the daemon does.
	printf '{"Image":"x","HostConfig":{"PidMode":"container:sgpol-priv"}}' \
	    >"$POL/join-priv.json"
	printf '{"Image":"x","HostConfig":{"NetworkMode":"container:sgpol-plain"}}' \
	    >"$POL/join-plain.json"
	out=$(timeout 20 "$SG_BIN" explain -c "$W/poldef.yaml" --upstream \
	    POST /containers/create "$POL/join-priv.json" 2>&1)
	check_rc "policy: explain --upstream: joining the privileged container is denied" \
	    2 $? "$out"
	check_match "policy: explain --upstream: says which container and why" \
	    "reason: join container /sgpol-priv, which this profile would not allow: privileged" "$out"
	out=$(timeout 20 "$SG_BIN" explain -c "$W/poldef.yaml" --upstream \
	    POST /containers/create "$POL/join-plain.json" 2>&1)
	check_match "policy: explain --upstream: a plain join is forwarded by full id" \
	    "forwarded body: .*\"NetworkMode\":\"container:$plain_id\"" "$out"
	out=$(timeout 20 "$SG_BIN" explain -c "$W/poldef.yaml" \
	    POST /containers/create "$POL/join-plain.json" 2>&1)
	check_match "policy: explain without --upstream: the join is not evaluated" \
	    "not evaluated: the create joins 1 other container" "$out"
	dd_ rm -f sgpol-joiner >/dev/null 2>&1
	dd_ rm -f sgpol-sock sgpol-plain sgpol-priv sgpol-created >/dev/null 2>&1
}

# What is allowed, checked against what dockerd made of it.
pol_allowed() {
	local out rc P=$POL/b
	out=$(dks "$PD_SOCK" run --name sgpol-run "$IMG" echo hi 2>&1)
	check_eq "policy: default: plain run" hi "$out"
	check_eq "policy: default: plain run: dockerd made a plain container" \
	    "false [] 0 false" \
	    "$(dd_ inspect --format '{{.HostConfig.Privileged}} {{.HostConfig.CapAdd}} {{len .Mounts}} {{.HostConfig.ReadonlyRootfs}}' sgpol-run 2>&1)"
	dd_ rm -f sgpol-run >/dev/null 2>&1

	mkdir -p "$P/real"
	echo marker >"$P/real/m"
	ln -sfn "$P/real" "$P/link"
	out=$(dks "$PD_SOCK" run --name sgpol-bind -v "$P/link:/x" "$IMG" \
	    cat /x/m 2>&1)
	check_eq "policy: default: run -v LINK:/x (link to an allowed dir)" \
	    marker "$out"
	check_eq "policy: default: -v LINK: dockerd got the resolved Binds" \
	    "[\"$P/real:/x\"]" \
	    "$(dd_ inspect --format '{{json .HostConfig.Binds}}' sgpol-bind 2>&1)"
	check_eq "policy: default: -v LINK: dockerd mounted the resolved source" \
	    "bind $P/real /x" \
	    "$(dd_ inspect --format '{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}}{{end}}' sgpol-bind 2>&1)"
	dd_ rm -f sgpol-bind >/dev/null 2>&1

	out=$(dks "$PD_SOCK" run --name sgpol-mnt \
	    --mount "type=bind,src=$P/link,dst=/x" "$IMG" cat /x/m 2>&1)
	check_eq "policy: default: run --mount src=LINK" marker "$out"
	check_eq "policy: default: --mount src=LINK: dockerd got the resolved HostConfig.Mounts" \
	    "bind $P/real /x" \
	    "$(dd_ inspect --format '{{range .HostConfig.Mounts}}{{.Type}} {{.Source}} {{.Target}}{{end}}' sgpol-mnt 2>&1)"
	check_eq "policy: default: --mount src=LINK: dockerd mounted the resolved source" \
	    "bind $P/real /x" \
	    "$(dd_ inspect --format '{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}}{{end}}' sgpol-mnt 2>&1)"
	dd_ rm -f sgpol-mnt >/dev/null 2>&1

	# capnet: NET_ADMIN may be added, nothing else.
	pol_run_denied containers.capabilities \
	    "adding capability net_admin is not allowed (capabilities.allow_add)" \
	    'HostConfig.CapAdd[0]' net_admin --cap-add net_admin
	out=$(dks "$PX_CAPNET" run --name sgpol-cap --cap-add net_admin "$IMG" \
	    sh -c 'grep CapEff /proc/self/status' 2>&1)
	rc=$?
	check_rc "policy: capnet: run --cap-add net_admin" 0 $rc "$out"
	check_match "policy: capnet: dockerd added NET_ADMIN" \
	    '^\[(CAP_)?NET_ADMIN\]$' \
	    "$(dd_ inspect --format '{{.HostConfig.CapAdd}}' sgpol-cap 2>&1 | tr a-z A-Z)"
	local eff
	eff=$(printf '%s\n' "$out" | awk '$1 == "CapEff:" { print $2 }')
	check_true "policy: capnet: the container has CAP_NET_ADMIN (CapEff $eff)" \
	    "$out" test -n "$eff" -a $(( 0x${eff:-0} & 0x1000 )) -ne 0
	dd_ rm -f sgpol-cap >/dev/null 2>&1
	pol_denied "policy: capnet: run --cap-add SYS_ADMIN" "$PX_CAPNET" \
	    capnet containers.capabilities \
	    "adding capability SYS_ADMIN is not allowed (capabilities.allow_add)" \
	    'HostConfig.CapAdd[0]' SYS_ADMIN "docker: " "." "$PX_AUDIT" -- \
	    run --rm --cap-add SYS_ADMIN "$IMG" true

	# hardened: a user other than root and a read-only root file system.
	local n0
	n0=$(pol_count)
	pol_denied "policy: hardened: run (no -u, no --read-only)" "$PX_HARD" \
	    hardened containers.require.non_root_user \
	    "the container must run as a non-root user (set --user)" \
	    User - "docker: " "." "$PX_AUDIT" -- run --rm "$IMG" true
	pol_denied "policy: hardened: run -u 1000 (no --read-only)" "$PX_HARD" \
	    hardened containers.require.read_only_rootfs \
	    "the container must have a read-only root filesystem (--read-only)" \
	    HostConfig.ReadonlyRootfs false "docker: " "." "$PX_AUDIT" -- \
	    run --rm -u 1000 "$IMG" true
	pol_denied "policy: hardened: run -u 0:0 --read-only" "$PX_HARD" \
	    hardened containers.require.non_root_user \
	    "the container must run as a non-root user (set --user)" \
	    User 0:0 "docker: " "." "$PX_AUDIT" -- \
	    run --rm -u 0:0 --read-only "$IMG" true
	check_eq "policy: hardened: the denied runs created nothing" "$n0" \
	    "$(pol_count)"
	out=$(dks "$PX_HARD" run --name sgpol-hard -u 1000 --read-only "$IMG" \
	    sh -c 'id -u; touch /w 2>/dev/null && echo writable || echo read-only' 2>&1)
	check_eq "policy: hardened: run -u 1000 --read-only" \
	    "$(printf '1000\nread-only')" "$out"
	check_eq "policy: hardened: dockerd made it non-root and read-only" \
	    "1000 true" \
	    "$(dd_ inspect --format '{{.Config.User}} {{.HostConfig.ReadonlyRootfs}}' sgpol-hard 2>&1)"
	dd_ rm -f sgpol-hard >/dev/null 2>&1
}

# pol_post SOCK PATH BODYFILE: POSTs; sets PP_CODE, PP_BODY and PP_ID.
pol_post() {
	local hdr=$POL/post.hdr
	PP_BODY=$(curl -s -m 20 -D "$hdr" -o - -w '\n%{http_code}' \
	    --unix-socket "$1" -H 'Content-Type: application/json' \
	    --data-binary "@$3" "http://d$2" 2>&1)
	PP_CODE=${PP_BODY##*$'\n'}
	PP_BODY=${PP_BODY%$'\n'*}
	PP_BODY=${PP_BODY%$'\n'}	# Docker-style errors end in a newline
	PP_ID=$(tr -d '\r' <"$hdr" | awk -F': ' 'tolower($1) == "x-sockguard-request-id" { print $2 }')
}

pol_bodies() {
	local B=$POL/bodies ls=$'\xc5\xbf'	# U+017F LATIN SMALL LETTER LONG S
	mkdir -p "$B"
	printf '{"Image":"%s","Cmd":["true"]}' "$IMG" >"$B/plain.json"
	printf '{"Image":"%s","Cmd":["true"],"Ho%stconfig":{"Privileged":true}}' \
	    "$IMG" "$ls" >"$B/fold-longs.json"
	printf '{"Image":"%s","Cmd":["true"],"HostConfig":{"privileged":true}}' \
	    "$IMG" >"$B/fold-case.json"
	printf '{"Image":"%s","Cmd":["true"],"hostconfig":{"Bind%s":["/etc:/e"]}}' \
	    "$IMG" "$ls" >"$B/fold-binds.json"
	printf '{"Image":"%s","Cmd":["true"],"HostConfig":{"Privileged":false},"HostConfig":{"Privileged":true}}' \
	    "$IMG" >"$B/dup.json"
	printf '{"Image":"%s","Cmd":["true"],"Privileged":true}' "$IMG" \
	    >"$B/toplevel.json"
	printf '{"Image":"%s","Cmd":["true"],"HostConfig":{"CapAdd":["NET_ADMIN"]}}' \
	    "$IMG" >"$B/capadd.json"
}

# Ground truth: what dockerd itself makes of a body sent to it directly
# (created, never started, removed at once).
pol_direct_privileged() {
	local id
	pol_post "$DD_SOCK" /v1.41/containers/create "$1"
	id=$(printf '%s' "$PP_BODY" | "$PY" -c \
	    'import json,sys; print(json.load(sys.stdin).get("Id",""))' 2>/dev/null)
	[ -n "$id" ] || { echo "no container: $PP_CODE $PP_BODY"; return; }
	dd_ inspect --format '{{.HostConfig.Privileged}}' "$id" 2>&1
	dd_ rm -f "$id" >/dev/null 2>&1
}

pol_raw() {
	local B=$POL/bodies n0 deny403
	pol_bodies
	deny403='{"message":"sockguard: denied by rule containers.privileged (profile default): privileged containers are not allowed"}'
	n0=$(pol_count)

	check_eq "policy: raw: dockerd itself reads \"Ho\\u017ftconfig\" as HostConfig (privileged)" \
	    true "$(pol_direct_privileged "$B/fold-longs.json")"
	pol_post "$PD_SOCK" /v1.41/containers/create "$B/fold-longs.json"
	check_eq "policy: raw: \"Ho\\u017ftconfig\":{\"Privileged\":true} is denied" \
	    "403 $deny403" "$PP_CODE $PP_BODY"
	pol_post "$PD_SOCK" /v1.41/containers/create "$B/fold-case.json"
	check_eq "policy: raw: HostConfig.privileged (lower case) is denied" \
	    "403 $deny403" "$PP_CODE $PP_BODY"
	pol_post "$PD_SOCK" /v1.41/containers/create "$B/fold-binds.json"
	check_eq "policy: raw: hostconfig.Bind\\u017f [/etc:/e] is denied" \
	    '403 {"message":"sockguard: denied by rule containers.bind_mounts (profile default): bind mount of /etc exposes /etc, which bind_mounts.deny forbids"}' \
	    "$PP_CODE $PP_BODY"

	check_eq "policy: raw: dockerd itself lets the second of two HostConfig win" \
	    true "$(pol_direct_privileged "$B/dup.json")"
	pol_post "$PD_SOCK" /v1.41/containers/create "$B/dup.json"
	check_eq "policy: raw: duplicate HostConfig keys: 400" 400 "$PP_CODE"
	check_match "policy: raw: duplicate HostConfig keys: says why" \
	    '^\{"message":"sockguard: the JSON body is refused: .*duplicate object key' \
	    "$PP_BODY"

	check_eq "policy: raw: dockerd itself honours a top-level Privileged" \
	    true "$(pol_direct_privileged "$B/toplevel.json")"
	pol_post "$PD_SOCK" /v1.41/containers/create "$B/toplevel.json"
	check_eq "policy: raw: top-level Privileged: 400" 400 "$PP_CODE"
	check_match "policy: raw: top-level Privileged: says why" \
	    'Privileged at the top level of the body' "$PP_BODY"

	pol_post "$PD_SOCK" /v1.41/containers/%63reate "$B/plain.json"
	check_eq "policy: raw: POST /v1.41/containers/%63reate: 400" 400 "$PP_CODE"
	check_match "policy: raw: %63reate: says why" 'percent-encodes' "$PP_BODY"

	check_eq "policy: raw: none of these created a container" "$n0" \
	    "$(pol_count)"
}

# pol_explain NAME CONFIG AS SOCK AUDIT PATH BODYFILE: sockguard explain
# and the running daemon decide the same (exit 0 and 2xx, or exit 2 and
# the same status and rule as the daemon's audit record).
pol_explain() {
	local name=$1 conf=$2 as=$3 sock=$4 log=$5 path=$6 body=$7
	local out rc mark drule erule estatus id
	out=$(timeout 10 "$SG_BIN" explain -c "$conf" ${as:+--as "$as"} \
	    POST "$path" "$body" 2>&1)
	rc=$?
	mark=$(pol_mark "$log")
	pol_post "$sock" "$path" "$body"
	drule=$(auditq tsv "$log" "$mark" id stage rule |
	    awk -F'\t' -v id="$PP_ID" '$1 == id && $2 == "decision" { print $3 }')
	erule=$(printf '%s\n' "$out" | sed -n 's/^rule: //p')
	estatus=$(printf '%s\n' "$out" | sed -n 's/^status: //p')
	if [ "${PP_CODE:0:1}" = 2 ]; then
		check_eq "$name: explain allows (exit 0), daemon $PP_CODE" \
		    "0" "$rc"
		id=$(printf '%s' "$PP_BODY" | "$PY" -c \
		    'import json,sys; print(json.load(sys.stdin).get("Id",""))' 2>/dev/null)
		[ -n "$id" ] && dd_ rm -f "$id" >/dev/null 2>&1
	else
		check_eq "$name: explain and daemon: exit status, HTTP status, rule" \
		    "2 $PP_CODE $drule" "$rc $estatus $erule"
	fi
}

pol_explain_cases() {
	local B=$POL/bodies c=/v1.41/containers/create
	pol_explain "policy: explain: plain create" "$W/poldef.yaml" "" \
	    "$PD_SOCK" "$PD_AUDIT" "$c" "$B/plain.json"
	pol_explain "policy: explain: Ho\\u017ftconfig privileged" \
	    "$W/poldef.yaml" "" "$PD_SOCK" "$PD_AUDIT" "$c" "$B/fold-longs.json"
	pol_explain "policy: explain: duplicate keys" "$W/poldef.yaml" "" \
	    "$PD_SOCK" "$PD_AUDIT" "$c" "$B/dup.json"
	pol_explain "policy: explain: top-level Privileged" "$W/poldef.yaml" "" \
	    "$PD_SOCK" "$PD_AUDIT" "$c" "$B/toplevel.json"
	pol_explain "policy: explain: CapAdd NET_ADMIN as listener=capnet" \
	    "$W/polx.yaml" listener=capnet "$PX_CAPNET" "$PX_AUDIT" "$c" \
	    "$B/capadd.json"
	pol_explain "policy: explain: CapAdd NET_ADMIN as listener=sockdeny" \
	    "$W/polx.yaml" listener=sockdeny "$PX_SOCKDENY" "$PX_AUDIT" "$c" \
	    "$B/capadd.json"
}

pol_teardown() {
	local left
	sg_stop poldef
	check_rc "policy: sockguard (rules/default.yaml) exits 0 on SIGTERM" 0 $?
	sg_stop polx
	check_rc "policy: sockguard (custom profiles) exits 0 on SIGTERM" 0 $?
	left=$(dd_ ps -aq --filter name=sgpol-)
	[ -n "$left" ] && dd_ rm -f $left >/dev/null 2>&1
	dd_ volume rm sgpol-vol >/dev/null 2>&1
	check_eq "policy: no containers left behind" "$POL_N0" "$(pol_count)"
	cp "$PD_AUDIT" "$W/policy-audit-default.log" 2>/dev/null
	cp "$PX_AUDIT" "$W/policy-audit-custom.log" 2>/dev/null
	rm -rf "$POL"
}

run_cases pol_setup pol_default_run_denied pol_default_other_denied \
    pol_existing pol_allowed pol_raw pol_explain_cases pol_teardown
