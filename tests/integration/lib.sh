# shellcheck shell=bash
# Shared helpers for tests/integration/run and the t_*.sh files it sources.
#
# Every check prints exactly one line, "ok - NAME", "not ok - NAME" (followed
# by "#   " lines saying why) or "skip - NAME # SKIP: WHY".  The counters
# below feed the closing "N passed, N failed[, N skipped]" line.

IT_DIR=${IT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
REPO=${REPO:-$(cd "$IT_DIR/../.." && pwd)}
DOCKER=/usr/bin/docker		# the 20.10 client that matches the daemon
# The python3 binary itself, not a version-manager shim found in PATH: a
# shim costs about a second per start (rawclient.py starts many times), and
# its pid is not the interpreter's, so stopping it by pid would orphan the
# fake upstream.
if [ -z "${PY:-}" ]; then
	if [ -x /usr/bin/python3 ]; then
		PY=/usr/bin/python3
	else
		PY=$(python3 -c 'import sys; print(sys.executable)')
	fi
fi

N_PASS=0
N_FAIL=0
N_SKIP=0
FAILED_NAMES=()
BG_PIDS=()			# every background process we started

# ---------------------------------------------------------------- reporting

# Indents diagnostics, at most 60 lines of them.
_diag() {
	awk 'NR <= 60 { print "#   " $0 } NR == 61 { print "#   [...]" }'
}

# IT_PREFIX, when set, goes before every check name: a file sourced
# twice (t_cli.sh, again over TLS from t_tls.sh) keeps its names apart.
pass() {
	N_PASS=$((N_PASS + 1))
	echo "ok - ${IT_PREFIX:-}$1"
}

# fail NAME [REASON...]: each REASON is printed as diagnostic lines.
fail() {
	local name=${IT_PREFIX:-}$1
	shift
	N_FAIL=$((N_FAIL + 1))
	FAILED_NAMES+=("$name")
	echo "not ok - $name"
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@" | _diag
	fi
}

skip() {
	N_SKIP=$((N_SKIP + 1))
	echo "skip - ${IT_PREFIX:-}$1 # SKIP: $2"
}

# Prints the closing line; returns non-zero if anything failed.
summary() {
	local s="$N_PASS passed, $N_FAIL failed"
	[ "$N_SKIP" -gt 0 ] && s="$s, $N_SKIP skipped"
	if [ "$N_FAIL" -gt 0 ]; then
		echo "# failed checks:"
		printf '#   %s\n' "${FAILED_NAMES[@]}"
	fi
	echo "$s"
	[ "$N_FAIL" -eq 0 ]
}

# Should a case named NAME run?  IT_ONLY is an optional extended regex.
selected() {
	[ -z "${IT_ONLY:-}" ] && return 0
	[[ $1 =~ $IT_ONLY ]]
}

# ---------------------------------------------------------------- assertions

# check_eq NAME EXPECTED ACTUAL
check_eq() {
	if [ "$2" == "$3" ]; then
		pass "$1"
	else
		fail "$1" "$(diff -u --label expected --label actual \
		    <(printf '%s\n' "$2") <(printf '%s\n' "$3"))"
	fi
}

# check_match NAME ERE ACTUAL
# (grep reads a process substitution, not a pipe: with pipefail, grep -q
# exiting at the first match could kill printf with SIGPIPE and so fail a
# check that matched.)
check_match() {
	if grep -Eq -- "$2" < <(printf '%s' "$3"); then
		pass "$1"
	else
		fail "$1" "expected to match /$2/, got:" "$3"
	fi
}

# check_nomatch NAME ERE ACTUAL
check_nomatch() {
	if grep -Eq -- "$2" < <(printf '%s' "$3"); then
		fail "$1" "must not match /$2/, got:" "$3"
	else
		pass "$1"
	fi
}

# check_rc NAME EXPECTED_RC ACTUAL_RC [OUTPUT]
check_rc() {
	if [ "$2" == "$3" ]; then
		pass "$1"
	else
		fail "$1" "exit status $3, expected $2" "${4:-}"
	fi
}

# check_true NAME REASON-IF-FALSE COMMAND...: passes if COMMAND succeeds.
check_true() {
	local name=$1 why=$2
	shift 2
	if "$@"; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}

# ---------------------------------------------------------------- docker

# The docker CLI's environment, isolated from the user's configuration,
# into the array DK_ENV: DOCKER_HOST=$1 (unix:///path or tcp://host:port)
# and, when $2 names a certificate directory (ca.pem, cert.pem, key.pem),
# mutual TLS with it.
_docker_env() {
	DK_ENV=(env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH
	    -u DOCKER_API_VERSION DOCKER_CONFIG="$W/dockercfg"
	    DOCKER_HOST="$1")
	if [ -n "${2:-}" ]; then
		DK_ENV+=(DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$2")
	fi
}

# _docker_at HOST CERTDIR ARGS...: the docker CLI against HOST (CERTDIR
# empty for none).  Every call is bounded so a stuck proxy cannot hang
# the suite.
_docker_at() {
	_docker_env "$1" "$2"
	shift 2
	timeout -k 5 "${DK_TIMEOUT:-90}" "${DK_ENV[@]}" "$DOCKER" "$@"
}
_docker() {
	local sock=$1
	shift
	_docker_at "unix://$sock" "" "$@"
}
# docker through sockguard: its main unix socket, or DK_HOST (with the
# client certificate directory DK_CERTS for a tcp:// one).
dk() { _docker_at "${DK_HOST:-unix://$SG_SOCK}" "${DK_CERTS:-}" "$@"; }
# docker directly against the private dockerd
dd_() { _docker "$DD_SOCK" "$@"; }
# docker through another sockguard socket: dks SOCK ARGS...
dks() { _docker "$@"; }

# ---------------------------------------------------------------- processes

# bg_register PID: remembered so cleanup can stop it.
bg_register() { BG_PIDS+=("$1"); }

# stop_pid PID [SIGNAL]: signals one process we started and reaps it;
# SIGKILL after 10 s.  Returns the process's exit status (or 0 if it was
# already gone / not our child).
stop_pid() {
	local pid=$1 sig=${2:-TERM} i rc=0
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return $?; }
	kill -s "$sig" "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "# pid $pid ignored SIG$sig for 10 s; killing it" >&2
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	return $rc
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s.
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# Does the unix socket PATH accept connections?
sock_accepts() {
	"$PY" - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(1)
s.connect(sys.argv[1])
EOF
}

# ---------------------------------------------------------------- dockerd

# Does the Docker API at unix socket $1 answer /_ping?
dockerd_pings() {
	[ "$(curl -s -m 2 --unix-socket "$1" http://d/_ping)" = OK ]
}

# dockerd_start DIR: a private dockerd (vfs storage, no bridge, no
# iptables) with everything under DIR: data (DIR/data), exec root
# (DIR/x), pid file, log (DIR/dockerd.log, appended to) and socket
# (DIR/docker.sock).  Its pid in DOCKERD_PID, registered for cleanup.
# Returns non-zero if it does not answer /_ping within 30 s.  DIR must be
# short: containerd's sockets under the exec root must fit 108 bytes.
dockerd_start() {
	local dir=$1 cpid
	mkdir -p "$dir/data" "$dir/x"
	# The containerd of a dockerd that was killed dies with it, but where
	# PID 1 does not reap orphans it stays a zombie, and its pid file
	# would make the new dockerd wait for it until it gives up.
	cpid=$(cat "$dir/x/containerd/containerd.pid" 2>/dev/null)
	if [ -n "$cpid" ] && ! awk '$1 == "State:" && $2 != "Z" { ok = 1 }
	    END { exit !ok }' "/proc/$cpid/status" 2>/dev/null; then
		rm -f "$dir/x/containerd/containerd.pid"
	fi
	dockerd --data-root "$dir/data" --exec-root "$dir/x" \
	    --pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
	    --storage-driver=vfs --iptables=false --bridge=none \
	    >>"$dir/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	bg_register "$DOCKERD_PID"
	wait_for 30 dockerd_pings "$dir/docker.sock"
}

# dockerd_stop PID DIR: removes the containers of the dockerd at
# DIR/docker.sock, stops it (SIGTERM), then the containerd it started
# under DIR/x if that outlived it (a dockerd killed with SIGKILL leaves
# its containerd running).
dockerd_stop() {
	local pid=$1 dir=$2 left cpid m
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		left=$(DK_TIMEOUT=30 _docker "$dir/docker.sock" ps -aq \
		    2>/dev/null)
		[ -n "$left" ] && DK_TIMEOUT=60 _docker "$dir/docker.sock" \
		    rm -f $left >/dev/null 2>&1
		stop_pid "$pid" TERM
	fi
	cpid=$(cat "$dir/x/containerd/containerd.pid" 2>/dev/null)
	if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null &&
	    grep -qF "$dir/" "/proc/$cpid/cmdline" 2>/dev/null; then
		kill -TERM "$cpid"
		wait_for 10 eval "! kill -0 $cpid 2>/dev/null" ||
		    kill -KILL "$cpid" 2>/dev/null
	fi
	# A dockerd killed mid-run leaves the mount it made of its data root.
	for m in $(findmnt -rn -o TARGET | grep -F "$dir/" | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
}

# busybox_import SOCK IMAGE DIR: imports an offline image, IMAGE, of
# /bin/busybox and its applets into the dockerd at SOCK (root file
# system built in DIR).
busybox_import() {
	local sock=$1 img=$2 rootfs=$3 a
	mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
	cp /bin/busybox "$rootfs/bin/busybox"
	for a in sh echo cat ls sleep true false head tail wc md5sum \
	    sha256sum dd tar seq printf env yes id sort tr grep sed mkdir rm \
	    touch date; do
		ln -sf busybox "$rootfs/bin/$a"
	done
	tar -C "$rootfs" -c . | _docker "$sock" import - "$img" >/dev/null
}

# ---------------------------------------------------------------- sockguard

declare -A SG_PIDS=()

# sg_config NAME UPSTREAM LISTEN [LIMITS-YAML]: writes $W/NAME.yaml, with
# the permissive rules-allow.yaml (the tests are about the proxy, not the
# policy).
sg_config() {
	{
		echo "upstream: $2"
		echo "listen:"
		echo "  - unix: $3"
		echo "    mode: \"0600\""
		echo "rules: ${IT_RULES:-$IT_DIR/rules-allow.yaml}"
		if [ -n "${4:-}" ]; then
			echo "limits:"
			printf '%s\n' "$4" | sed 's/^/  /'
		fi
	} > "$W/$1.yaml"
}

# sg_start NAME: runs $SG_BIN -c $W/NAME.yaml (log $W/NAME.log), waits for
# its socket (the listen path in the config) to accept.  Returns non-zero
# if it did not come up within 10 s.
sg_start() {
	local name=$1 sock
	sock=$(sed -n 's/^  - unix: //p' "$W/$name.yaml" | head -1)
	if [ "${IT_STANDIN:-}" = socat ]; then
		# Development only: a plain byte pipe instead of sockguard.
		local up
		up=$(sed -n 's/^upstream: //p' "$W/$name.yaml")
		rm -f "$sock"
		socat -t 600 "UNIX-LISTEN:$sock,fork,mode=600" "UNIX-CONNECT:$up" \
		    2>>"$W/$name.log" &
	else
		"$SG_BIN" -c "$W/$name.yaml" 2>>"$W/$name.log" &
	fi
	SG_PIDS[$name]=$!
	bg_register $!
	if ! wait_for 10 sock_accepts "$sock"; then
		echo "# sockguard $name did not come up; log:" >&2
		tail -20 "$W/$name.log" | _diag >&2
		return 1
	fi
}

# sg_stop NAME: SIGTERM, returns sockguard's exit status.
sg_stop() {
	local pid=${SG_PIDS[$1]:-}
	unset "SG_PIDS[$1]"
	stop_pid "$pid" TERM
}

# sg_alive NAME
sg_alive() {
	local pid=${SG_PIDS[$1]:-}
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# ---------------------------------------------------------------- raw HTTP

# raw SOCK [rawclient options] -- PART...: see rawclient.py.
raw() {
	timeout -k 2 60 "$PY" "$IT_DIR/rawclient.py" "$@"
}

# First status code on a "response NNN" line of rawclient output.
raw_status() {
	printf '%s\n' "$1" | awk '$1 == "response" { print $2; exit }'
}
# How the connection ended: eof, reset, timeout or open.
raw_end() {
	printf '%s\n' "$1" | awk '$1 == "end" { print $2; exit }'
}

# ---------------------------------------------------------------- cases

# run_cases FUNC...: runs each case function whose name IT_ONLY selects.
run_cases() {
	local f t0
	for f in "$@"; do
		selected "$f" || continue
		t0=$(date +%s.%N)
		"$f"
		echo "# $f: $(date +%s.%N | awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }') s"
	done
}

# check_same NAME ARGS...: `docker ARGS` must succeed both through sockguard
# and directly, and print (stdout and stderr) exactly the same.
check_same() {
	local name=$1 a b ra rb
	shift
	a=$(dk "$@" 2>&1)
	ra=$?
	b=$(dd_ "$@" 2>&1)
	rb=$?
	if [ "$ra" -ne 0 ] || [ "$rb" -ne 0 ]; then
		fail "$name" "exit status $ra through sockguard, $rb direct" \
		    "through sockguard:" "$a" "direct:" "$b"
		return
	fi
	check_eq "$name" "$b" "$a"
}

# check_same_md5 NAME ARGS...: the same, for binary output: `docker ARGS`
# must succeed both ways, print something, and its stdout have the same md5.
check_same_md5() {
	local name=$1 a b ra rb empty=d41d8cd98f00b204e9800998ecf8427e
	shift
	a=$(set -o pipefail; dk "$@" 2>"$W/same.err" | md5)
	ra=$?
	b=$(set -o pipefail; dd_ "$@" 2>>"$W/same.err" | md5)
	rb=$?
	if [ "$ra" -ne 0 ] || [ "$rb" -ne 0 ] || [ "$b" = $empty ]; then
		fail "$name" "exit status $ra through sockguard, $rb direct; \
direct md5 $b" "$(cat "$W/same.err")"
		return
	fi
	check_eq "$name" "$b" "$a"
}

# dk_bg OUTFILE ARGS...: docker as dk runs it, in the background, stdout
# and stderr to OUTFILE; its pid (that of `timeout`) in DK_BG_PID.
dk_bg() {
	local out=$1
	shift
	_docker_env "${DK_HOST:-unix://$SG_SOCK}" "${DK_CERTS:-}"
	timeout -k 2 "${DK_TIMEOUT:-90}" "${DK_ENV[@]}" "$DOCKER" "$@" \
	    >"$out" 2>&1 &
	DK_BG_PID=$!
	bg_register "$DK_BG_PID"
}

# auditq.py (audit log checks and queries), bounded like the others
auditq() { timeout -k 2 60 "$PY" "$IT_DIR/auditq.py" "$@"; }

# check_line NAME LINE OUTPUT: some line of OUTPUT is exactly LINE.
check_line() {
	if grep -Fxq -- "$2" < <(printf '%s\n' "$3"); then
		pass "$1"
	else
		fail "$1" "expected the line:" "$2" "got:" "$3"
	fi
}

# md5 of a file or stdin, hash only
md5() { md5sum "$@" | cut -d' ' -f1; }
