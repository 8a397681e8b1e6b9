# shellcheck shell=bash
# sockguard's command line, configuration checks and socket handling.
# Sourced by tests/integration/run.

CFG=$W/cfg
mkdir -p "$CFG"

# cfg_write FILE: the config on stdin, with the rules line appended.
cfg_write() {
	cat >"$1"
	echo "rules: $IT_DIR/rules-allow.yaml" >>"$1"
}

# cfg_check_bad NAME LINE ERE: `sockguard -t` on $CFG/NAME.yaml must exit 1
# and print "FILE:LINE:COLUMN:" and something matching ERE.
cfg_check_bad() {
	local name=$1 line=$2 ere=$3 f=$CFG/$1.yaml out rc
	out=$(timeout 10 "$SG_BIN" -t -c "$f" 2>&1)
	rc=$?
	check_rc "config: -t rejects $name" 1 $rc "$out"
	check_match "config: -t error for $name has file:$line:column" \
	    "$(printf '%s' "$f" | sed 's/[.[\*^$]/\\&/g'):$line:[0-9]+:" "$out"
	check_match "config: -t error for $name says why" "$ere" "$out"
}

config_version() {
	local out rc
	out=$(timeout 5 "$SG_BIN" -V 2>&1)
	rc=$?
	check_rc "config: -V exits 0" 0 $rc "$out"
	check_match "config: -V prints a version" \
	    '^sockguard [0-9]+\.[0-9]+(\.[0-9]+)?' "$out"
}

config_check_good() {
	local out rc
	cfg_write "$CFG/good.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $W/good.sock
    name: local
    mode: "0660"
limits:
  max_connections: 64
  max_request_line: 8KiB
  max_header_bytes: 32KiB
  max_headers: 50
  max_inspect_body: 2MiB
  header_timeout: 5s
  idle_timeout: 1m
EOF
	out=$(timeout 10 "$SG_BIN" -t -c "$CFG/good.yaml" 2>&1)
	rc=$?
	check_rc "config: -t accepts a good config" 0 $rc "$out"
	check_true "config: -t does not create the socket" \
	    "$W/good.sock exists" test ! -e "$W/good.sock"
}

config_check_bad() {
	cfg_write "$CFG/unknown-key.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $W/bad.sock
bogus_key: 1
EOF
	cfg_check_bad unknown-key 4 'bogus_key'

	cfg_write "$CFG/unknown-listen-key.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $W/bad.sock
    colour: blue
EOF
	cfg_check_bad unknown-listen-key 4 'colour'

	cfg_write "$CFG/bad-mode.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $W/bad.sock
    mode: "rw-rw----"
EOF
	cfg_check_bad bad-mode 4 'mode'

	cfg_write "$CFG/world-mode.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $W/bad.sock
    mode: "0666"
EOF
	cfg_check_bad world-mode 4 'mode'

	cfg_write "$CFG/tcp-without-tls.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - tcp: 127.0.0.1:2376
EOF
	cfg_check_bad tcp-without-tls 3 'TLS|tls'

	cfg_write "$CFG/bad-size.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $W/bad.sock
limits:
  max_request_line: 12XB
EOF
	cfg_check_bad bad-size 5 'max_request_line'

	cfg_write "$CFG/invalid-yaml.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $W/bad.sock
   mode: [
EOF
	cfg_check_bad invalid-yaml '[0-9]+' '.'
}

# A stale socket file (nobody listening) at the listen path is replaced.
config_stale_socket() {
	local s=$W/stale.sock out rc
	"$PY" -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$s"
	if ! [ -S "$s" ] || sock_accepts "$s"; then
		fail "config: setup: stale socket" "could not make one at $s"
		return
	fi
	sg_config stale "$DD_SOCK" "$s"
	if sg_start stale; then
		pass "config: starts over a stale socket file"
		out=$(curl -s -m 5 --unix-socket "$s" http://docker/_ping 2>&1)
		check_eq "config: the replaced socket serves requests" "OK" "$out"
		sg_stop stale
		rc=$?
		check_rc "config: exit status 0 after SIGTERM" 0 $rc \
		    "$(tail -5 "$W/stale.log")"
		check_true "config: socket removed after SIGTERM" \
		    "$s still exists" test ! -e "$s"
	else
		fail "config: starts over a stale socket file" \
		    "$(tail -10 "$W/stale.log")"
		sg_stop stale
	fi
}

# A live socket (another process listening) makes sockguard refuse.
config_live_socket() {
	local s=$W/live.sock out rc spid
	socat "UNIX-LISTEN:$s,fork" EXEC:/bin/true 2>/dev/null &
	spid=$!
	bg_register $spid
	if ! wait_for 5 sock_accepts "$s"; then
		fail "config: setup: socat listening" "no socket at $s"
		stop_pid $spid
		return
	fi
	sg_config live "$DD_SOCK" "$s"
	out=$(timeout 10 "$SG_BIN" -c "$W/live.yaml" 2>&1)
	rc=$?
	check_true "config: refuses to start over a live socket" \
	    "exit status $rc (124: still running after 10 s): $out" \
	    test $rc -ne 0 -a $rc -ne 124
	check_match "config: refusal names the socket" "$s" "$out"
	check_true "config: the other process's socket is left alone" \
	    "$s no longer accepts connections" sock_accepts "$s"
	stop_pid $spid
	rm -f "$s"
}

# The socket gets the configured mode; SIGTERM removes it, exit status 0.
config_mode_and_sigterm() {
	local s=$W/mode.sock rc
	sg_config mode "$DD_SOCK" "$s"
	sed -i 's/mode: "0600"/mode: "0660"/' "$W/mode.yaml"
	if ! sg_start mode; then
		fail "config: starts with mode 0660" "$(tail -10 "$W/mode.log")"
		sg_stop mode
		return
	fi
	check_eq "config: socket mode is the configured 0660" "660" \
	    "$(stat -c %a "$s")"
	check_eq "config: socket mode of the main instance is 0600" "600" \
	    "$(stat -c %a "$SG_SOCK")"
	check_eq "config: socket is a socket" "socket" \
	    "$(stat -c %F "$s")"
	sg_stop mode
	rc=$?
	check_rc "config: exit status 0 after SIGTERM" 0 $rc \
	    "$(tail -5 "$W/mode.log")"
	check_true "config: socket removed after SIGTERM" \
	    "$s still exists" test ! -e "$s"
}

# SIGTERM with an idle keep-alive client still exits 0, within the drain
# timeout.
config_sigterm_with_client() {
	local s=$W/drain.sock cpid t0 rc secs
	sg_config drain "$DD_SOCK" "$s" 'drain_timeout: 2s'
	if ! sg_start drain; then
		fail "config: starts with drain_timeout" "$(tail -10 "$W/drain.log")"
		sg_stop drain
		return
	fi
	# A client that made one request and keeps the connection open.
	"$PY" - "$s" <<'EOF' &
import socket, sys, time
c = socket.socket(socket.AF_UNIX)
c.connect(sys.argv[1])
c.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\n\r\n")
c.recv(4096)
time.sleep(20)
EOF
	cpid=$!
	bg_register $cpid
	sleep 0.5
	t0=$(date +%s.%N)
	sg_stop drain
	rc=$?
	secs=$(date +%s.%N | awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }')
	check_rc "config: SIGTERM with an idle client: exit status 0" 0 $rc \
	    "$(tail -5 "$W/drain.log")"
	check_true "config: SIGTERM with an idle client: exits within 5 s" \
	    "took $secs s" awk -v s="$secs" 'BEGIN { exit !(s < 5) }'
	check_true "config: SIGTERM with an idle client: socket removed" \
	    "$s still exists" test ! -e "$s"
	stop_pid $cpid
}

# Socket activation as systemd does it (systemd-socket-activate sets
# LISTEN_PID/LISTEN_FDS), with a NOTIFY_SOCKET that records what
# sockguard tells the service manager.
config_socket_activation() {
	local s=$W/sa.sock n=$W/notify.sock f=$CFG/sa.yaml pid npid out rc
	if ! command -v systemd-socket-activate >/dev/null; then
		fail "config: socket activation" "systemd-socket-activate is" \
		    "missing (package systemd; make deps-test)"
		return
	fi
	cfg_write "$f" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $s
EOF
	"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
try:
    while True:
        print(s.recv(4096).decode().replace("\n", " | "), flush=True)
except socket.timeout:
    pass
' "$n" >"$W/notify.out" &
	npid=$!
	bg_register $npid
	wait_for 5 test -S "$n"
	systemd-socket-activate -E NOTIFY_SOCKET="$n" -l "$s" \
	    "$SG_BIN" -c "$f" 2>"$W/sa.log" &
	pid=$!
	bg_register $pid
	wait_for 5 test -S "$s"
	# The socket is systemd's; the first connection starts sockguard.
	out=$(curl -s -m 10 --unix-socket "$s" http://d/_ping)
	check_eq "config: socket activation: the inherited socket serves" \
	    OK "$out"
	wait_for 5 grep -q READY=1 "$W/notify.out"
	check_match "config: socket activation: READY=1 with a status" \
	    "READY=1 \| STATUS=listening on $s; rules" "$(cat "$W/notify.out")"
	check_match "config: socket activation: says the socket is systemd's" \
	    "listening on $s \(socket from systemd" "$(cat "$W/sa.log")"
	stop_pid $pid TERM
	rc=$?
	check_rc "config: socket activation: SIGTERM exits 0" 0 $rc \
	    "$(tail -5 "$W/sa.log")"
	check_match "config: socket activation: STOPPING=1 on SIGTERM" \
	    "STOPPING=1" "$(cat "$W/notify.out")"
	check_true "config: socket activation: the unit's socket is left" \
	    "$s was removed" test -S "$s"
	stop_pid $npid
	rm -f "$s" "$n"
	# A passed socket that no listener has is refused.
	systemd-socket-activate -l "$s" -l "$W/extra.sock" \
	    "$SG_BIN" -c "$f" 2>"$W/sa2.log" &
	pid=$!
	bg_register $pid
	wait_for 5 test -S "$s"
	curl -s -m 5 --unix-socket "$s" http://d/_ping >/dev/null
	wait_for 5 grep -q "no listener" "$W/sa2.log"
	stop_pid $pid TERM
	check_match "config: socket activation: an unknown socket is an error" \
	    "systemd passed a socket \(unix $W/extra.sock.*no listener" \
	    "$(cat "$W/sa2.log")"
	rm -f "$s" "$W/extra.sock"
}

if [ "${IT_STANDIN:-}" = socat ]; then
	skip "config: all" "IT_STANDIN=socat: no sockguard to test"
else
	run_cases config_version config_check_good config_check_bad \
	    config_stale_socket config_live_socket config_mode_and_sigterm \
	    config_sigterm_with_client config_socket_activation
fi
