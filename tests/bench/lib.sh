# shellcheck shell=bash
# Shell functions shared by tests/bench/run and tests/bench/tls (sourced,
# never run).  The caller sets, before calling them: B (build/bench), RUN
# (a short temporary directory), SRC (tests/bench), ON_SRV (the command
# prefix that pins a server), and for the dockerd functions DSOCK,
# PAYLOAD, STAMP and SIZE_MIB.  Every process is started by the caller,
# recorded with track, and stopped by its pid (stop_pid, bench_cleanup).

say() { printf '%s bench: %s\n' "$(date +%T)" "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- processes: every one is started by the caller, stopped by its pid ---

PIDS=()
declare -A PIDNAME=()

# stop_pid PID [GRACE_SECONDS]: SIGTERM, wait, SIGKILL if it lingers.
stop_pid() {
	local pid=$1 grace=${2:-15} i
	if kill -TERM "$pid" 2>/dev/null; then
		for ((i = 0; i < grace * 10; i++)); do
			# a child that exited stays a zombie until waited for
			[ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" = Z ] && break
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null &&
		    [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
			say "${PIDNAME[$pid]:-$pid} did not stop in ${grace}s; SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
	local p keep=()
	for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
	PIDS=("${keep[@]+"${keep[@]}"}")
}

track() { PIDS+=("$1"); PIDNAME[$1]=$2; }

DOCKERD_PID=
DOCKERD_ARGS=()	# more dockerd options (tests/bench/tls: its TLS port)

# stop_dockerd: removes the bench containers, then stops dockerd.
stop_dockerd() {
	local i
	[ -n "$DOCKERD_PID" ] || return 0
	if kill -0 "$DOCKERD_PID" 2>/dev/null; then
		for i in 1 2 3 4 5; do
			curl -s -o /dev/null --max-time 20 --unix-socket "$DSOCK" \
			    -X DELETE "http://d/containers/sgbench-c$i?force=1" || true
		done
	fi
	stop_pid "$DOCKERD_PID" 20
	DOCKERD_PID=
}

# bench_cleanup: the EXIT trap: every process stopped, RUN removed.
bench_cleanup() {
	local rc=$? i
	trap - EXIT INT TERM
	stop_dockerd
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${PIDS[i]}" 20
	done
	rm -rf "$RUN" ${SHM:+"$SHM"}
	exit "$rc"
}

# wait_sock SOCK PID NAME: until SOCK answers GET /_ping with 200.
wait_sock() {
	local sock=$1 pid=$2 name=$3 i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || die "$name exited (see its log)"
		if [ -S "$sock" ] && curl -sf -o /dev/null --max-time 2 \
		    --unix-socket "$sock" http://d/_ping; then
			return 0
		fi
		sleep 0.1
	done
	die "$name did not answer on $sock within 30s"
}

# cpu_busy: percent of all CPUs busy over one second (others' load: the
# bench's own processes are idle or not started when it is called).
cpu_busy() {
	local a b
	read -r -a a < /proc/stat; sleep 1; read -r -a b < /proc/stat
	awk -v u="$((b[1] + b[2] + b[3] + b[6] + b[7] + b[8] - a[1] - a[2] - a[3] - a[6] - a[7] - a[8]))" \
	    -v t="$((b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + b[7] + b[8] - a[1] - a[2] - a[3] - a[4] - a[5] - a[6] - a[7] - a[8]))" \
	    'BEGIN { printf "%.0f", t ? 100 * u / t : 0 }'
}

# load_sample: "BUSY TOTAL OURS" in clock ticks: all CPUs' busy and total
# time (/proc/stat), and the CPU time of this script and every process it
# started (live ones, plus what reaped ones left in their parent's cutime).
# Over a run, (BUSY - OURS) / TOTAL is the share of the machine that
# something else used: the noise in that run's figures.
load_sample() {
	local c
	read -r -a c < /proc/stat
	printf '%s %s ' "$((c[1] + c[2] + c[3] + c[6] + c[7] + c[8]))" \
	    "$((c[1] + c[2] + c[3] + c[4] + c[5] + c[6] + c[7] + c[8]))"
	# (processes come and go: cat may miss some, which is fine)
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root=$$ '
	{ pid = $1; line = $0; sub(/^[0-9]+ \(.*\) /, "", line)
	  split(line, f, " "); ppid[pid] = f[2]
	  t[pid] = f[12] + f[13] + f[14] + f[15] }
	END { for (p in ppid) {
		q = p
		for (n = 0; q != "" && q != root && q > 1 && n < 64; n++)
			q = ppid[q]
		if (q == root) s += t[p]
	      }
	      print s + 0 }'
}

# other_pct "SAMPLE0" "SAMPLE1": percent of all CPUs used by others.
other_pct() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
	    t = y[2] - x[2]; o = (y[1] - x[1]) - (y[3] - x[3]); if (o < 0) o = 0
	    printf "%.0f", (t > 0 ? 100 * o / t : 0) }'
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
nfds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# ---- the private dockerd ----------------------------------------------------

dapi() { curl -s --max-time "${DAPI_TIMEOUT:-60}" --unix-socket "$DSOCK" "$@"; }

# start_dockerd: the private dockerd (data root build/bench/docker, kept
# between runs) on DSOCK, plus DOCKERD_ARGS.
start_dockerd() {
	DDATA=$B/docker
	mkdir -p "$DDATA"
	"${ON_SRV[@]}" dockerd --data-root "$DDATA" --exec-root "$RUN/x" \
	    --pidfile "$RUN/dockerd.pid" -H "unix://$DSOCK" \
	    --storage-driver=vfs --iptables=false --bridge=none \
	    "${DOCKERD_ARGS[@]+"${DOCKERD_ARGS[@]}"}" \
	    > "$B/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	track "$DOCKERD_PID" dockerd
	wait_sock "$DSOCK" "$DOCKERD_PID" dockerd
}

# An offline busybox image, 5 running containers (so GET /containers/json
# is realistic: ~4 KB), and a big image whose `docker save` tar is the
# payload.  The big image and the payload are kept in build/bench between
# runs.
setup_dockerd() {
	local code rootfs=$RUN/rootfs i c
	code=$(dapi -o /dev/null -w '%{http_code}' http://d/images/sgbench-small/json)
	if [ "$code" != 200 ]; then
		say "dockerd: importing the busybox image sgbench-small"
		mkdir -p "$rootfs/bin"
		cp "$(command -v busybox)" "$rootfs/bin/busybox"
		for c in sh sleep cat ls true; do ln -s busybox "$rootfs/bin/$c"; done
		tar -C "$rootfs" -c . | dapi -f -o /dev/null -X POST \
		    -H 'Content-Type: application/x-tar' --data-binary @- \
		    'http://d/images/create?fromSrc=-&repo=sgbench-small&tag=latest' ||
		    die "dockerd: import of sgbench-small failed"
		rm -rf "$rootfs"
	fi
	for i in 1 2 3 4 5; do
		dapi -o /dev/null -X DELETE "http://d/containers/sgbench-c$i?force=1"
		dapi -f -o /dev/null -X POST -H 'Content-Type: application/json' \
		    -d "{\"Image\":\"sgbench-small\",\"Cmd\":[\"sleep\",\"86400\"],\"Labels\":{\"com.example.app\":\"web-$i\",\"com.example.bench\":\"sockguard\"},\"HostConfig\":{\"NetworkMode\":\"none\"}}" \
		    "http://d/containers/create?name=sgbench-c$i" ||
		    die "dockerd: cannot create container sgbench-c$i"
		dapi -f -o /dev/null -X POST "http://d/containers/sgbench-c$i/start" ||
		    die "dockerd: cannot start container sgbench-c$i"
	done

	code=$(dapi -o /dev/null -w '%{http_code}' http://d/images/sgbench-big/json)
	if [ "$code" = 200 ] && [ -f "$PAYLOAD" ] &&
	    [ "$(cat "$STAMP" 2>/dev/null)" = "docker size=$SIZE_MIB" ]; then
		return 0
	fi
	say "dockerd: creating sgbench-big with one ${SIZE_MIB} MiB file (vfs: slow once, kept in $DDATA)"
	dapi -o /dev/null -X DELETE 'http://d/images/sgbench-big?force=1'
	mkdir -p "$RUN/blob"
	truncate -s "${SIZE_MIB}M" "$RUN/blob/blob"
	tar -C "$RUN/blob" -c blob | DAPI_TIMEOUT=900 dapi -f -o "$RUN/import.out" \
	    -X POST -H 'Content-Type: application/x-tar' -T - \
	    'http://d/images/create?fromSrc=-&repo=sgbench-big&tag=latest' ||
	    die "dockerd: import of sgbench-big failed"
	rm -rf "$RUN/blob"
	! grep -q '"error' "$RUN/import.out" || die "dockerd: import: $(cat "$RUN/import.out")"
	say "dockerd: saving sgbench-big to $PAYLOAD"
	DAPI_TIMEOUT=900 dapi -f -o "$PAYLOAD.tmp" http://d/images/sgbench-big/get ||
	    die "dockerd: docker save of sgbench-big failed"
	mv "$PAYLOAD.tmp" "$PAYLOAD"
	echo "docker size=$SIZE_MIB" > "$STAMP"
}

# ---- results: R["key"] holds one value per round ---------------------------

declare -A R=()		# "key" -> space-separated values, one per round

rec() { R[$1]="${R[$1]:-} $2"; }
kv() { [[ " $1 " =~ \ $2=([^ ]*) ]] && echo "${BASH_REMATCH[1]}" || echo ""; }
median() {
	local v=${R[$1]:-}
	[ -n "${v// /}" ] || { echo ""; return; }
	# shellcheck disable=SC2086 # one value per word
	printf '%s\n' $v | sort -g | awk '{ a[NR] = $1 }
	    END { if (NR % 2) print a[(NR + 1) / 2];
		  else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
max() {
	local v=${R[$1]:-} m="" x
	for x in $v; do [ -z "$m" ] || ((x > m)) && m=$x; done
	echo "${m:-0}"
}
# noisy KEY: the larger "other load" of a row's direct and proxied runs.
noise() {
	local a b
	a=$(max "$1|direct|other"); b=$(max "$1|proxy|other")
	echo $((a > b ? a : b))
}
sum() {
	local v=${R[$1]:-} s=0 x
	for x in $v; do s=$((s + x)); done
	echo "$s"
}

# fmt VALUE FORMAT: printf FORMAT VALUE, or n/a when VALUE is empty.
fmt() {
	# shellcheck disable=SC2059 # the format is the caller's
	if [ -n "$1" ]; then printf "$2" "$1"; else printf 'n/a'; fi
}

# verdict OK_EXPR: "ok" or "MISS" (awk expression over nothing)
verdict() { awk "BEGIN { exit !($1) }" && echo ok || echo MISS; }

