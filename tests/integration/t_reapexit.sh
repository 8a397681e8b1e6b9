# shellcheck shell=bash
# reap_on_exit (sockguard.yaml(5)): a sockguard with the sandbox on (the
# default) and two named listeners under ownership, job-a with
# reap_on_exit: "${listener}" and job-b without.  Through each the docker
# CLI makes containers (one running, one with an anonymous volume), a
# named volume and a network; a reload that would reap by ${uid} is
# refused and changes nothing; on SIGTERM sockguard exits 0 having
# removed all of job-a's objects, each named in its log, and none of
# job-b's.  Then a reload that adds reap_on_exit to job-b is used by the
# next stop, where a volume held by a container of no tenant cannot be
# removed: exit status 1, the error in the log, the rest removed.  An
# unreachable dockerd makes it exit 1 too; a second SIGTERM while a
# silent dockerd keeps the reap waiting stops it at once (exit 1, what is
# left named), and one during the drain stops before the reap; sockguard
# -t refuses ${uid} and rules with two labels.
#
# Sourced by tests/integration/run: uses dd_, dks, $IMG, $W, $DD_SOCK,
# $SG_BIN.

# shellcheck disable=SC2016 # ${listener}, ${uid}: YAML text, never expanded

RX=$W/rx
RX_A=$RX/a.sock
RX_B=$RX/b.sock
RX_L=io.sockguard.owner
RX_LOOP='trap "exit 0" TERM; while :; do sleep 0.1; done'
mkdir -p "$RX"

# rx_config NAME UPSTREAM A-EXTRA B-EXTRA: $W/NAME.yaml with the listeners
# job-a and job-b, each followed by its extra line (e.g. reap_on_exit).
rx_config() {
	{
		echo "upstream: $2"
		echo "listen:"
		echo "  - unix: $RX_A"
		echo "    name: job-a"
		[ -n "$3" ] && echo "    $3"
		echo "  - unix: $RX_B"
		echo "    name: job-b"
		[ -n "$4" ] && echo "    $4"
		echo "rules: $RX/rules.yaml"
	} >"$W/$1.yaml.new"
	mv "$W/$1.yaml.new" "$W/$1.yaml"
}

# rx_hup NAME: SIGHUP, then waits for its outcome in NAME's log.
rx_hup() {
	local n
	n=$(grep -c "SIGHUP: " "$W/$1.log")
	kill -HUP "${SG_PIDS[$1]}"
	wait_for 10 test "$(grep -c "SIGHUP: " "$W/$1.log")" -gt "$n"
}

# rx_term NAME: SIGTERM, and waits up to 120 s for the exit; its status
# in RX_RC, how long it took (seconds) in RX_SECS.
rx_term() {
	local pid=${SG_PIDS[$1]} t0
	unset "SG_PIDS[$1]"
	t0=$(date +%s.%N)
	kill -TERM "$pid"
	if ! wait_for 120 eval "! kill -0 $pid 2>/dev/null"; then
		echo "# sockguard $1 still runs 120 s after SIGTERM; killing it"
		kill -KILL "$pid"
	fi
	wait "$pid"
	RX_RC=$?
	RX_SECS=$(date +%s.%N | awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }')
}

# Every container, volume and network of this file ("c NAME", ...).
rx_inventory() {
	{
		dd_ ps -a --format '{{.Names}}' | sed 's/^/c /'
		dd_ volume ls -q | sed 's/^/v /'
		dd_ network ls --format '{{.Name}}' | sed 's/^/n /'
	} | grep -E '^. rx-' | sort
}

# rx_objects SOCK T: tenant T's objects, made through its socket.
rx_objects() {
	local s=$1 t=$2
	dks "$s" volume create "rx-$t-vol" >/dev/null &&
	dks "$s" network create "rx-$t-net" >/dev/null &&
	dks "$s" run -d --name "rx-$t-run" -v "rx-$t-vol:/data" "$IMG" \
	    sh -c "$RX_LOOP" >/dev/null &&
	dks "$s" create --name "rx-$t-onnet" --network "rx-$t-net" "$IMG" \
	    true >/dev/null &&
	dks "$s" create --name "rx-$t-anon" -v /anon "$IMG" true >/dev/null &&
	dks "$s" run --name "rx-$t-exited" "$IMG" true >/dev/null
}

rx_setup() {
	cat >"$RX/rules.yaml" <<EOF
version: 1
default_profile: tenant
profiles:
  tenant:
    endpoints: [{name: everything, allow: "* /**"}]
    ownership: {owner: "\${listener}"}
EOF
	cat >"$RX/rules-two.yaml" <<EOF
version: 1
default_profile: a
profiles:
  a:
    ownership: {label: com.example.job, owner: "\${listener}"}
  b:
    ownership: {owner: "\${listener}"}
EOF
	rx_config rx "$DD_SOCK" 'reap_on_exit: "${listener}"' ''
	if ! sg_start rx || ! wait_for 5 sock_accepts "$RX_B"; then
		fail "reap on exit: setup: sockguard with job-a and job-b" \
		    "$(tail -20 "$W/rx.log")"
		return 1
	fi
	if rx_objects "$RX_A" a && rx_objects "$RX_B" b; then
		pass "reap on exit: setup: objects of job-a and job-b made through their sockets"
	else
		fail "reap on exit: setup: objects of job-a and job-b made through their sockets" \
		    "$(rx_inventory)" "$(tail -20 "$W/rx.log")"
	fi
	RX_ANON=$(dd_ inspect -f '{{range .Mounts}}{{.Name}}{{end}}' rx-a-anon)
	check_eq "reap on exit: setup: job-a's objects carry its label" \
	    "job-a job-a" "$(dd_ inspect -f "{{index .Config.Labels \"$RX_L\"}}" \
	    rx-a-run rx-a-anon | xargs)"
	check_match "reap on exit: sockguard runs with the sandbox" \
	    'sandbox: seccomp filter (and Landlock \(ABI [0-9]+\) )?in force' \
	    "$(cat "$W/rx.log")"
}

rx_exit() {
	local log want ids
	RX_INV0=$(rx_inventory)
	RX_ID=$(dd_ inspect -f '{{.Id}}' rx-a-run)
	RX_NET=$(dd_ network inspect -f '{{.Id}}' rx-a-net)
	# A reload that would reap by the client's uid is refused, and the
	# configuration in force stays.
	rx_config rx "$DD_SOCK" 'reap_on_exit: "${listener}"' \
	    'reap_on_exit: "ci-${uid}"'
	rx_hup rx
	check_match "reap on exit: a reload with \${uid} is refused, with file:line:col" \
	    "SIGHUP: $W/rx.yaml:8:19: reap_on_exit: \\$\\{uid\\} differs from client to client.*; still running with the previous configuration" \
	    "$(cat "$W/rx.log")"
	rx_config rx "$DD_SOCK" 'reap_on_exit: "${listener}"' ''
	rx_term rx
	log=$(cat "$W/rx.log")
	check_rc "reap on exit: SIGTERM: exits 0 after the reap" 0 "$RX_RC" \
	    "$(tail -20 "$W/rx.log")"
	want=$(printf '%s\n' "$RX_INV0" | grep -v '^. rx-a-')
	check_eq "reap on exit: all of job-a's objects are gone, none of job-b's" \
	    "$want" "$(rx_inventory)"
	check_eq "reap on exit: nothing carries job-a's label" "" \
	    "$(dd_ ps -aq --filter "label=$RX_L=job-a"; dd_ volume ls -q \
	    --filter "label=$RX_L=job-a"; dd_ network ls -q --filter \
	    "label=$RX_L=job-a")"
	if [ -n "$RX_ANON" ] && ! dd_ volume inspect "$RX_ANON" >/dev/null 2>&1
	then
		pass "reap on exit: the anonymous volume went with its container"
	else
		fail "reap on exit: the anonymous volume went with its container" \
		    "volume '$RX_ANON'"
	fi
	check_eq "reap on exit: job-b's container still runs" "true" \
	    "$(dd_ inspect -f '{{.State.Running}}' rx-b-run)"
	check_match "reap on exit: the log names the running container removed" \
	    "info: reap_on_exit: listener job-a: removed container $RX_ID rx-a-run\$" \
	    "$log"
	check_match "reap on exit: the log names the volume removed" \
	    'info: reap_on_exit: listener job-a: removed volume rx-a-vol$' "$log"
	check_match "reap on exit: the log names the network removed" \
	    "info: reap_on_exit: listener job-a: removed network $RX_NET rx-a-net\$" \
	    "$log"
	check_eq "reap on exit: one log line per container removed" \
	    "rx-a-anon rx-a-exited rx-a-onnet rx-a-run" \
	    "$(printf '%s\n' "$log" | sed -n \
	    's/.*reap_on_exit: listener job-a: removed container [0-9a-f]\{64\} //p' |
	    sort | xargs)"
	check_match "reap on exit: the summary" \
	    "info: reap_on_exit: listener job-a: removed 4 containers, 1 volume, 1 network labelled $RX_L=job-a\$" \
	    "$log"
	check_nomatch "reap on exit: nothing of job-b in the reap" \
	    'reap_on_exit: listener job-b' "$log"
	check_match "reap on exit: then stopped" 'info: stopped$' "$log"
	check_nomatch "reap on exit: no call outside the seccomp filter" \
	    'outside the seccomp filter' "$log"
	# The reap comes after the drain and before the exit.
	ids=$(printf '%s\n' "$log" | grep -n -e 'signal 15: no longer accepting' \
	    -e 'reap_on_exit: removing' -e 'info: stopped$' | cut -d: -f1 | xargs)
	check_true "reap on exit: signal, then the reap, then stopped, in that order" \
	    "line numbers: '$ids'" \
	    awk -v s="$ids" 'BEGIN { n = split(s, a, " "); exit !(n == 3 &&
	    a[1] < a[2] && a[2] < a[3]) }'
}

rx_failure() {
	local log
	# No reap_on_exit at start; a reload gives job-b a literal one.
	rx_config rx2 "$DD_SOCK" '' ''
	if ! sg_start rx2; then
		fail "reap on exit: a failing reap: setup" "$(tail -20 "$W/rx2.log")"
		return
	fi
	rx_config rx2 "$DD_SOCK" '' 'reap_on_exit: job-b'
	rx_hup rx2
	check_match "reap on exit: a reload adds reap_on_exit" \
	    'SIGHUP: reloaded' "$(cat "$W/rx2.log")"
	# job-b's volume, held by a container of no tenant: dockerd refuses.
	dd_ create --name rx-holder -v rx-b-vol:/x "$IMG" true >/dev/null
	rx_term rx2
	log=$(cat "$W/rx2.log")
	check_rc "reap on exit: an object that cannot be removed: exit status 1" \
	    1 "$RX_RC" "$(tail -20 "$W/rx2.log")"
	check_match "reap on exit: the error names the volume and dockerd's answer" \
	    'error: reap_on_exit: listener job-b: cannot remove volume rx-b-vol: the Docker Engine answered 409' \
	    "$log"
	check_match "reap on exit: the summary says what could not be removed" \
	    "error: reap_on_exit: listener job-b: removed 4 containers, 0 volumes, 1 network labelled $RX_L=job-b; 1 could not be removed" \
	    "$log"
	check_match "reap on exit: the last line says why the status is 1" \
	    'error: stopped, exit status 1' "$(tail -1 "$W/rx2.log")"
	check_eq "reap on exit: the rest of job-b's objects are gone" \
	    "c rx-holder
v rx-b-vol" "$(rx_inventory)"
	dd_ rm rx-holder >/dev/null
	dd_ volume rm rx-b-vol >/dev/null
}

rx_unreachable() {
	rx_config rx3 "$RX/nothing.sock" 'reap_on_exit: "${listener}"' \
	    'reap_on_exit: other'
	if ! sg_start rx3; then
		fail "reap on exit: no dockerd: setup" "$(tail -20 "$W/rx3.log")"
		return
	fi
	rx_term rx3
	check_rc "reap on exit: no dockerd: exit status 1" 1 "$RX_RC" \
	    "$(tail -20 "$W/rx3.log")"
	check_match "reap on exit: no dockerd: says so" \
	    "error: reap_on_exit: listener job-a: cannot list containers: cannot connect to $RX/nothing.sock" \
	    "$(cat "$W/rx3.log")"
	check_match "reap on exit: no dockerd: the next listener is tried too" \
	    "error: reap_on_exit: listener job-b: removed 0 containers, 0 volumes, 0 networks labelled $RX_L=other; the containers could not be listed" \
	    "$(cat "$W/rx3.log")"
}

rx_second_signal() {
	local pid log
	# A dockerd that takes connections and never answers.
	"$PY" - "$RX/silent.sock" <<'EOF' 2>>"$W/rx-silent.log" &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
EOF
	pid=$!
	bg_register "$pid"
	rx_config rx4 "$RX/silent.sock" 'reap_on_exit: "${listener}"' \
	    'reap_on_exit: "${listener}"'
	if ! wait_for 10 sock_accepts "$RX/silent.sock" || ! sg_start rx4; then
		fail "reap on exit: second signal: setup" "$(tail -20 "$W/rx4.log")"
		stop_pid "$pid"
		return
	fi
	kill -TERM "${SG_PIDS[rx4]}"
	wait_for 10 grep -q 'reap_on_exit: removing' "$W/rx4.log"
	sleep 1
	check_true "reap on exit: second signal: the reap waits on the silent dockerd" \
	    "sockguard exited" kill -0 "${SG_PIDS[rx4]}"
	rx_term rx4
	log=$(cat "$W/rx4.log")
	check_rc "reap on exit: second signal: exit status 1" 1 "$RX_RC" \
	    "$(tail -20 "$W/rx4.log")"
	check_true "reap on exit: second signal: stops at once (not after the request's 60 s)" \
	    "took $RX_SECS s" awk -v s="$RX_SECS" 'BEGIN { exit !(s < 5) }'
	check_match "reap on exit: second signal: the reap says it stopped and what is left" \
	    'error: reap_on_exit: listener job-a: stopped by a second signal .*the rest is left' \
	    "$log"
	check_match "reap on exit: second signal: the next listener is not reaped" \
	    'error: reap_on_exit: listener job-b: not reaped' "$log"
	stop_pid "$pid"
	rm -f "$RX/silent.sock"
}

# A second SIGTERM while a stream holds the drain open: sockguard stops
# before the reap, removes nothing, exits 1 and says so.
rx_second_in_drain() {
	local log
	rx_config rx5 "$DD_SOCK" 'reap_on_exit: "${listener}"' ''
	if ! sg_start rx5; then
		fail "reap on exit: second signal in the drain: setup" \
		    "$(tail -20 "$W/rx5.log")"
		return
	fi
	dks "$RX_A" volume create rx-a-kept >/dev/null
	DK_HOST=unix://$RX_A dk_bg "$RX/events.out" events
	sleep 1
	kill -TERM "${SG_PIDS[rx5]}"
	sleep 1
	check_true "reap on exit: second signal in the drain: the stream holds the drain" \
	    "sockguard exited" kill -0 "${SG_PIDS[rx5]}"
	rx_term rx5
	log=$(cat "$W/rx5.log")
	check_rc "reap on exit: second signal in the drain: exit status 1" 1 \
	    "$RX_RC" "$(tail -20 "$W/rx5.log")"
	check_true "reap on exit: second signal in the drain: stops at once" \
	    "took $RX_SECS s" awk -v s="$RX_SECS" 'BEGIN { exit !(s < 5) }'
	check_match "reap on exit: second signal in the drain: says nothing was reaped" \
	    'error: reap_on_exit: not done: a second signal stopped sockguard before the drain ended' \
	    "$log"
	check_eq "reap on exit: second signal in the drain: the volume remains" \
	    "v rx-a-kept" "$(rx_inventory | grep rx-a-kept)"
	stop_pid "$DK_BG_PID"
}

rx_check() {
	local out rc
	rx_config rxc "$DD_SOCK" 'reap_on_exit: "${listener}"' \
	    'reap_on_exit: "${uid}"'
	out=$("$SG_BIN" -t -c "$W/rxc.yaml" 2>&1)
	rc=$?
	check_rc "reap on exit: -t refuses \${uid}" 1 "$rc" "$out"
	check_match "reap on exit: -t names the place and the reason" \
	    "$W/rxc.yaml:8:19: reap_on_exit: \\$\\{uid\\} differs from client to client" \
	    "$out"
	sed -i "s|^rules: .*|rules: $RX/rules-two.yaml|" "$W/rxc.yaml"
	sed -i 's|reap_on_exit: "${uid}"|reap_on_exit: ci|' "$W/rxc.yaml"
	out=$("$SG_BIN" -t -c "$W/rxc.yaml" 2>&1)
	rc=$?
	check_rc "reap on exit: -t refuses rules with two ownership labels" 1 \
	    "$rc" "$out"
	check_match "reap on exit: -t: the two labels, at the first reap_on_exit" \
	    "$W/rxc.yaml:5:19: reap_on_exit: $RX/rules-two.yaml: profiles a and b use different ownership labels" \
	    "$out"
	sed -i "s|^rules: .*|rules: $RX/rules.yaml|" "$W/rxc.yaml"
	out=$("$SG_BIN" -t -c "$W/rxc.yaml" 2>&1)
	check_rc "reap on exit: -t accepts a literal owner and \${listener}" 0 \
	    "$?" "$out"
}

# Leaves nothing of this file behind.
# shellcheck disable=SC2086 # the id lists are split on purpose
rx_cleanup() {
	local c v n
	c=$(dd_ ps -aq --filter name=rx-)
	[ -n "$c" ] && dd_ rm -f -v $c >/dev/null
	v=$(dd_ volume ls -q --filter name=rx-)
	[ -n "$v" ] && dd_ volume rm $v >/dev/null
	n=$(dd_ network ls -q --filter name=rx-)
	[ -n "$n" ] && dd_ network rm $n >/dev/null
	check_eq "reap on exit: cleanup: nothing of t_reapexit.sh is left" "" \
	    "$(rx_inventory)"
}

if rx_setup; then
	run_cases rx_exit rx_failure
fi
run_cases rx_unreachable rx_second_signal rx_second_in_drain rx_check
rx_cleanup
