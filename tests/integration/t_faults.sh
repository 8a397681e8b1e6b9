# shellcheck shell=bash
# Faults (issue 7, item 5): dockerd killed and restarted mid-stream and
# between requests, clients that leave mid-upload and mid-download,
# half-open and stalled TCP/TLS peers, SIGHUP and SIGUSR1 under load, a
# full audit disk, an upstream that answers garbage, never answers, or is
# stopped, and sockguard out of descriptors.  Sourced by
# tests/integration/run.
#
# Instances of its own (the shared dockerd and sockguard are not touched):
#   fdd  in front of a second private dockerd ($W/fd), which is killed
#   ff   in front of a recording fake dockerd (fakeupstream.py), with
#        upstream_timeout 1s and max_pending_upstream 3
#   ft   the same fake dockerd behind a mutual-TLS listener, with
#        handshake_timeout 1s and idle_timeout 2s
#   fs   in front of soakload's fake dockerd, for the signals under load
#   fa   the fake dockerd again, its audit log on a 64 KiB tmpfs
#   fe   the same, with a descriptor limit of 40
# Every check that "nothing leaked" compares sockguard's open descriptors
# (/proc/PID/fd) with their count before the fault.

FT=$W/faults
FF_UP=$W/ffu.sock
FF_EV=$FT/ffu.events
FF_UP_PID=
FD_PID=
FT_AFS=$FT/afs
mkdir -p "$FT"
: >"$FF_EV"

# ---------------------------------------------------------------- helpers

# Open descriptors of sockguard instance NAME.
ft_fds() {
	find "/proc/${SG_PIDS[$1]}/fd" -mindepth 1 -maxdepth 1 2>/dev/null |
	    wc -l
}
# ft_fds_back NAME N: NAME's descriptors are back to N (within 5 s).
ft_fds_le() { [ "$(ft_fds "$1")" -le "$2" ]; }
ft_fds_back() { wait_for 5 ft_fds_le "$1" "$2"; }

# ft_curl SOCK PATH [CURL-ARGS...]: sets FC_CODE and FC_BODY.
ft_curl() {
	local sock=$1 path=$2
	shift 2
	FC_BODY=$(curl -sS -m 20 --unix-socket "$sock" -o - -w '\n%{http_code}' \
	    "$@" "http://d$path" 2>&1)
	FC_CODE=${FC_BODY##*$'\n'}
	FC_BODY=${FC_BODY%$'\n'*}
}

# Lines of the fake dockerd's event log matching ERE.
ft_events() { grep -Ec -- "$1" "$FF_EV"; }

# ft_config NAME UPSTREAM SOCK RULES [LIMITS-YAML] [AUDIT-YAML]
ft_config() {
	{
		echo "upstream: $2"
		echo "listen:"
		echo "  - unix: $3"
		echo "rules: $4"
		if [ -n "${5:-}" ]; then
			echo "limits:"
			printf '%s\n' "$5" | sed 's/^/  /'
		fi
		if [ -n "${6:-}" ]; then
			echo "audit:"
			printf '%s\n' "$6" | sed 's/^/  /'
		fi
	} >"$W/$1.yaml"
}

# Rules: everything allowed but plugins (a denial that needs no dockerd).
cat >"$FT/rules.yaml" <<'EOF'
version: 1
default_profile: f
profiles:
  f:
    endpoints:
      - {name: no-plugins, deny: "* /plugins/**"}
      - {name: everything, allow: "* /**"}
EOF

ft_start_fake() {
	"$PY" "$IT_DIR/fakeupstream.py" "$FF_UP" "$FT/ffu.raw" "$FF_EV" \
	    2>>"$FT/ffu.log" &
	FF_UP_PID=$!
	bg_register "$FF_UP_PID"
	wait_for 10 sock_accepts "$FF_UP"
}

# ---------------------------------------------------------------- dockerd

# ka_send "METHOD PATH": a request on the keep-alive client; its answer
# line in KA_LINE.
ka_send() {
	KA_LINE=
	echo "$1" >&"${KA[1]}" || return 1
	read -r -t 30 KA_LINE <&"${KA[0]}"
}

# A second private dockerd behind sockguard fdd: SIGKILLed while a client
# follows its events and another holds a keep-alive connection; both see
# it (the stream ends, requests get 502), then it is started again and
# the same connection is served, sockguard never restarted.
faults_dockerd() {
	local dir=$W/fd sock=$W/fdd.sock pid0 fds0 ev rc out
	if ! dockerd_start "$dir"; then
		FD_PID=$DOCKERD_PID
		fail "faults: dockerd: a second private dockerd starts" \
		    "$(tail -20 "$dir/dockerd.log")"
		return
	fi
	FD_PID=$DOCKERD_PID
	sg_config fdd "$dir/docker.sock" "$sock"
	if ! sg_start fdd; then
		fail "faults: dockerd: sockguard starts"
		return
	fi
	pid0=${SG_PIDS[fdd]}
	fds0=$(ft_fds fdd)
	coproc KA { "$PY" "$IT_DIR/kaclient.py" "$sock"; }
	ka_send "GET /_ping"
	check_eq "faults: dockerd: a keep-alive client is served" "200 OK" \
	    "$KA_LINE"
	curl -sS -N -m 60 --unix-socket "$sock" -D "$FT/events.head" \
	    -o "$FT/events.out" "http://d/v1.41/events" 2>"$FT/events.err" &
	ev=$!
	bg_register $ev
	wait_for 10 grep -qs '^HTTP/1.1 200' "$FT/events.head"

	kill -KILL "$FD_PID"
	wait "$FD_PID" 2>/dev/null
	if wait_for 10 eval "! kill -0 $ev 2>/dev/null"; then
		wait $ev
		rc=$?
		check_true "faults: dockerd killed: the events stream through sockguard is cut, not ended cleanly" \
		    "curl exited $rc: $(cat "$FT/events.err")" test "$rc" -ne 0
	else
		fail "faults: dockerd killed: the events stream through sockguard ends" \
		    "curl still runs 10 s after dockerd died"
		stop_pid $ev
	fi
	ka_send "GET /_ping"
	check_match "faults: dockerd down: the keep-alive connection gets 502 naming the socket" \
	    "^502 .*cannot connect to the Docker Engine at $dir/docker.sock" \
	    "$KA_LINE"
	ft_curl "$sock" /v1.41/containers/json
	check_eq "faults: dockerd down: a new client gets 502" 502 "$FC_CODE"
	out=$(dks "$sock" version 2>&1)
	check_match "faults: dockerd down: the docker CLI prints sockguard's reason" \
	    'Error response from daemon: sockguard: cannot connect to the Docker Engine' \
	    "$out"

	if ! dockerd_start "$dir"; then
		FD_PID=$DOCKERD_PID
		fail "faults: dockerd: restarts" "$(tail -20 "$dir/dockerd.log")"
	else
		FD_PID=$DOCKERD_PID
		ka_send "GET /_ping"
		check_eq "faults: dockerd back: the same keep-alive connection is served" \
		    "200 OK" "$KA_LINE"
		out=$(dks "$sock" info --format '{{.Driver}}' 2>&1)
		check_eq "faults: dockerd back: the docker CLI works" vfs "$out"
	fi
	check_eq "faults: dockerd back: sockguard was never restarted" \
	    "$pid0 alive" "${SG_PIDS[fdd]} $(sg_alive fdd && echo alive)"
	eval "exec ${KA[1]}>&-"
	wait "$KA_PID" 2>/dev/null
	if ft_fds_back fdd "$fds0"; then
		pass "faults: dockerd: no descriptor left behind ($fds0)"
	else
		fail "faults: dockerd: no descriptor left behind ($fds0)" \
		    "$(ft_fds fdd) open"
	fi
	sg_stop fdd
	dockerd_stop "$FD_PID" "$dir"
	FD_PID=
}

# ---------------------------------------------------------------- clients

# Clients that leave in the middle of an upload and of a download: the
# upstream connection goes too, nothing stays open.
faults_disconnect() {
	local fds0 n0 e0
	fds0=$(ft_fds ff)
	n0=$(ft_events '^close [0-9]+ body got=[0-9]+$')
	"$PY" - "$W/ff.sock" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"POST /images/load HTTP/1.1\r\nHost: d\r\n"
          b"Content-Type: application/x-tar\r\n"
          b"Content-Length: 104857600\r\n\r\n")
for _ in range(16):
    s.sendall(b"u" * 65536)
time.sleep(0.3)
s.close()
EOF
	check_true "faults: client leaves mid-upload: the upstream connection is closed mid-body" \
	    "the fake dockerd saw no truncated body: $(tail -3 "$FF_EV")" \
	    wait_for 5 eval "[ \$(ft_events '^close [0-9]+ body got=[0-9]+\$') -gt $n0 ]"
	e0=$(ft_events '^error [0-9]+ ')
	"$PY" - "$W/ff.sock" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"GET /containers/web/export?fake_size=268435456 HTTP/1.1\r\n"
          b"Host: d\r\n\r\n")
got = 0
while got < 1 << 20:
    d = s.recv(65536)
    if not d:
        sys.exit("sockguard closed first")
    got += len(d)
s.close()
EOF
	check_true "faults: client leaves mid-download: the upstream connection is closed" \
	    "the fake dockerd's writes did not fail: $(tail -3 "$FF_EV")" \
	    wait_for 5 eval "[ \$(ft_events '^error [0-9]+ ') -gt $e0 ]"
	if ft_fds_back ff "$fds0"; then
		pass "faults: clients that left: no descriptor left behind ($fds0)"
	else
		fail "faults: clients that left: no descriptor left behind ($fds0)" \
		    "$(ft_fds ff) open: $(ls -l "/proc/${SG_PIDS[ff]}/fd")"
	fi
}

# ---------------------------------------------------------------- upstream

# dockerd answers garbage (502), never answers (504 at upstream_timeout),
# or is stopped while five clients wait (three 504s, two 503s at
# max_pending_upstream at once); then it answers again.
faults_upstream() {
	local fds0 t0 t i codes
	fds0=$(ft_fds ff)
	ft_curl "$W/ff.sock" "/_ping?fake_garbage=1"
	check_eq "faults: garbage from dockerd: 502" 502 "$FC_CODE"
	check_match "faults: garbage from dockerd: ... saying so" \
	    'sockguard: the Docker Engine sent a malformed response' "$FC_BODY"
	t0=$(date +%s%N)
	ft_curl "$W/ff.sock" "/_ping?fake_delay=30000"
	t=$((($(date +%s%N) - t0) / 1000000))
	check_eq "faults: dockerd never answers: 504" 504 "$FC_CODE"
	check_match "faults: dockerd never answers: ... naming the limit" \
	    "did not answer within 1 s \\(limits.upstream_timeout\\)" "$FC_BODY"
	check_true "faults: dockerd never answers: after upstream_timeout (1 s)" \
	    "answered after $t ms" test "$t" -ge 900 -a "$t" -lt 5000

	kill -STOP "$FF_UP_PID"
	for i in 1 2 3 4 5; do
		curl -s -m 20 --unix-socket "$W/ff.sock" -o /dev/null \
		    -w '%{http_code}\n' "http://d/v1.41/containers/json?n=$i" \
		    >"$FT/stopped.$i" &
		bg_register $!
	done
	wait_for 10 eval "[ \$(cat $FT/stopped.* | wc -l) -ge 5 ]"
	kill -CONT "$FF_UP_PID"
	codes=$(cat "$FT"/stopped.* | sort | tr '\n' ' ')
	check_eq "faults: dockerd stopped: 3 wait and get 504, 2 get 503 at max_pending_upstream" \
	    "503 503 504 504 504 " "$codes"
	check_match "faults: dockerd stopped: the 503s are in the audit log" \
	    '"decision":"error".*503 Service Unavailable: 3 requests are already waiting .*limits.max_pending_upstream' \
	    "$(cat "$FT/ff-audit.log")"
	check_match "faults: dockerd stopped: logged, with the count" \
	    'limits.max_pending_upstream \(3\) reached' "$(cat "$W/ff.log")"
	ft_curl "$W/ff.sock" /_ping
	check_eq "faults: dockerd answers again: served" 200 "$FC_CODE"
	if ft_fds_back ff "$fds0"; then
		pass "faults: upstream faults: no descriptor left behind ($fds0)"
	else
		fail "faults: upstream faults: no descriptor left behind ($fds0)" \
		    "$(ft_fds ff) open"
	fi
}

# ---------------------------------------------------------------- TLS

# Peers that stop: a TCP client that never sends, one that sends half a
# ClientHello (both closed at handshake_timeout), a TLS client idle after
# its handshake (idle_timeout), and one that asks for a large download and
# never reads (held, its memory bounded by back-pressure, others served;
# closed when it goes).
faults_half_open() {
	local port fds0 out rss0 rss1 pid
	port=$("$PY" -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if ! { "$SG_BIN" cert ca -d "$FT/pki" &&
	    "$SG_BIN" cert server -d "$FT/pki" --san 127.0.0.1 &&
	    "$SG_BIN" cert client -d "$FT/pki" --cn faults; } \
	    >"$FT/cert.log" 2>&1; then
		fail "faults: TLS: certificates" "$(cat "$FT/cert.log")"
		return
	fi
	cat >"$W/ft.yaml" <<EOF
upstream: $FF_UP
listen:
  - unix: $W/ft.sock
  - tcp: "127.0.0.1:$port"
    name: ft
    tls:
      cert: $FT/pki/server-cert.pem
      key: $FT/pki/server-key.pem
      client_ca: $FT/pki/ca.pem
rules: $FT/rules.yaml
limits:
  handshake_timeout: 1s
  idle_timeout: 2s
EOF
	sg_start ft || { fail "faults: TLS: sockguard starts"; return; }
	sleep 0.3
	fds0=$(ft_fds ft)
	"$PY" - 127.0.0.1 "$port" "$FT/pki" >"$FT/halfopen.out" 2>&1 <<'EOF' &
import socket, ssl, sys, threading, time
host, port, pki = sys.argv[1], int(sys.argv[2]), sys.argv[3]
res = {}

def closed_after(name, s):
    t0 = time.time()
    s.settimeout(10)
    try:
        while s.recv(4096):
            pass
    except OSError:
        pass
    res[name] = time.time() - t0

def silent():
    s = socket.create_connection((host, port))
    closed_after("silent", s)

def half_hello():
    s = socket.create_connection((host, port))
    s.sendall(b"\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03")
    closed_after("half_hello", s)

def idle_tls():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki + "/ca.pem")
    ctx.load_cert_chain(pki + "/clients/faults/cert.pem",
                        pki + "/clients/faults/key.pem")
    s = ctx.wrap_socket(socket.create_connection((host, port)),
                        server_hostname=host)
    closed_after("idle_tls", s)

ts = [threading.Thread(target=f) for f in (silent, half_hello, idle_tls)]
for t in ts:
    t.start()
for t in ts:
    t.join()
for k in ("silent", "half_hello", "idle_tls"):
    print("%s %.1f" % (k, res.get(k, -1)))
EOF
	pid=$!
	bg_register $pid
	sleep 0.3
	out=$(curl -sS -m 10 --cacert "$FT/pki/ca.pem" \
	    --cert "$FT/pki/clients/faults/cert.pem" \
	    --key "$FT/pki/clients/faults/key.pem" \
	    "https://127.0.0.1:$port/_ping" 2>&1)
	check_match "faults: half-open peers: another TLS client is served meanwhile" \
	    '"path": "/_ping"' "$out"
	wait $pid
	out=$(cat "$FT/halfopen.out")
	check_match "faults: a TCP peer that never sends is closed at handshake_timeout (1 s)" \
	    '^silent (0\.9|[1-4]\.[0-9])$' "$(grep '^silent' <<<"$out")"
	check_match "faults: a peer stuck in its ClientHello is closed at handshake_timeout" \
	    '^half_hello (0\.9|[1-4]\.[0-9])$' "$(grep '^half_hello' <<<"$out")"
	check_match "faults: a TLS peer idle after its handshake is closed at idle_timeout (2 s)" \
	    '^idle_tls (1\.9|[2-5]\.[0-9])$' "$(grep '^idle_tls' <<<"$out")"

	# A client that stops reading a 256 MiB download.
	rss0=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/${SG_PIDS[ft]}/status")
	"$PY" - 127.0.0.1 "$port" "$FT/pki" >"$FT/stall.out" 2>&1 <<'EOF' &
import socket, ssl, sys, time
host, port, pki = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(pki + "/ca.pem")
ctx.load_cert_chain(pki + "/clients/faults/cert.pem",
                    pki + "/clients/faults/key.pem")
raw = socket.socket()
raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
raw.connect((host, port))
s = ctx.wrap_socket(raw, server_hostname=host)
s.sendall(b"GET /containers/web/export?fake_size=268435456 HTTP/1.1\r\n"
          b"Host: d\r\n\r\n")
print("sent", flush=True)
time.sleep(4)
s.close()
print("gone", flush=True)
EOF
	pid=$!
	bg_register $pid
	wait_for 5 grep -q sent "$FT/stall.out"
	sleep 2.5
	rss1=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/${SG_PIDS[ft]}/status")
	out=$(curl -sS -m 10 --cacert "$FT/pki/ca.pem" \
	    --cert "$FT/pki/clients/faults/cert.pem" \
	    --key "$FT/pki/clients/faults/key.pem" \
	    "https://127.0.0.1:$port/_ping" 2>&1)
	check_match "faults: a TLS client that stops reading: others are served" \
	    '"path": "/_ping"' "$out"
	echo "# stalled TLS reader: sockguard RSS $rss0 KiB -> $rss1 KiB"
	check_true "faults: ... and sockguard holds at most 4 MiB more for it (back-pressure)" \
	    "RSS $rss0 KiB -> $rss1 KiB" test $((rss1 - rss0)) -le 4096
	wait $pid
	if ft_fds_back ft "$fds0"; then
		pass "faults: half-open and stalled peers: no descriptor left behind ($fds0)"
	else
		fail "faults: half-open and stalled peers: no descriptor left behind ($fds0)" \
		    "$(ft_fds ft) open"
	fi
	sg_stop ft
}

# ---------------------------------------------------------------- signals

# SIGHUP (reload) and SIGUSR1 (rename the audit log, reopen) again and
# again while soakload's mixed requests run: not one fails, and every
# request is in one of the audit files.
faults_signals() {
	local load=$REPO/build/soak/soakload pid sg n=0 files=() rc out dec sent
	local hup0 usr0
	if [ ! -x "$load" ]; then
		skip "faults: signals under load" "build/soak/soakload not built"
		return
	fi
	"$load" upstream "$FT/lu.sock" 2>"$FT/lu.log" &
	bg_register $!
	wait_for 5 sock_accepts "$FT/lu.sock"
	ft_config fs "$FT/lu.sock" "$W/fs.sock" "$REPO/rules/default.yaml" "" \
	    "path: $FT/fs-audit.log"
	sg_start fs || { fail "faults: signals: sockguard starts"; return; }
	sg=${SG_PIDS[fs]}
	"$load" drive "$W/fs.sock" 100 30000 --deadline 120 \
	    >"$FT/fs-drive.out" 2>"$FT/fs-drive.err" &
	pid=$!
	bg_register $pid
	sleep 0.2
	while kill -0 "$pid" 2>/dev/null && [ $n -lt 8 ]; do
		n=$((n + 1))
		kill -HUP "$sg"
		sleep 0.15
		mv "$FT/fs-audit.log" "$FT/fs-audit.log.$n"
		files+=("$FT/fs-audit.log.$n")
		kill -USR1 "$sg"
		sleep 0.15
	done
	wait $pid
	rc=$?
	out=$(cat "$FT/fs-drive.out")
	check_rc "faults: SIGHUP and SIGUSR1 under load: no request failed" 0 \
	    $rc "$out" "$(head -5 "$FT/fs-drive.err")"
	check_true "faults: ... with signals sent during the load" \
	    "only $n of each while it ran" test $n -ge 3
	wait_for 5 eval "[ \$(grep -c 'SIGHUP: reloaded' $W/fs.log) -ge $n ]"
	check_eq "faults: ... each SIGHUP reloaded, each SIGUSR1 reopened" \
	    "$n $n" "$(grep -c 'SIGHUP: reloaded' "$W/fs.log") $(grep -c 'SIGUSR1: audit log reopened' "$W/fs.log")"
	sg_stop fs
	files+=("$FT/fs-audit.log")
	sent=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^requests=/) {
	    sub(/requests=/, "", $i); print $i } }' <<<"$out")
	dec=$(cat "${files[@]}" | grep -c '"stage":"decision"')
	check_eq "faults: ... every request has its decision record in one of the files" \
	    "$sent" "$dec"
	out=$(auditq check "${files[@]}" 2>&1)
	check_rc "faults: ... every line of every file is a whole record" 0 $? "$out"
}

# ---------------------------------------------------------------- audit

# The audit log's file system fills up.  on_failure: deny (the default):
# requests that would be forwarded get 503 and nothing reaches dockerd,
# denials are still answered, the file keeps whole lines only, and
# service resumes once there is room, without a restart.  on_failure:
# allow: forwarded, and the error logged.
faults_audit_full() {
	local i n0 out fa_yaml=$W/fa.yaml
	mkdir -p "$FT_AFS"
	if ! mount -t tmpfs -o size=64k sgfaults "$FT_AFS" 2>"$FT/mount.err"; then
		skip "faults: audit disk full" "cannot mount a tmpfs: $(cat "$FT/mount.err")"
		return
	fi
	ft_config fa "$FF_UP" "$W/fa.sock" "$FT/rules.yaml" "" \
	    "path: $FT_AFS/audit.log"
	sg_start fa || { fail "faults: audit full: sockguard starts"; umount "$FT_AFS"; return; }
	ft_curl "$W/fa.sock" /_ping
	check_eq "faults: audit full: served while there is room" 200 "$FC_CODE"
	dd if=/dev/zero of="$FT_AFS/fill" bs=4k 2>/dev/null
	# What is left in the file's last block goes first.
	for ((i = 0; i < 40; i++)); do
		ft_curl "$W/fa.sock" /_ping
		[ "$FC_CODE" = 503 ] && break
	done
	check_eq "faults: audit full: a request that would be forwarded gets 503" \
	    503 "$FC_CODE"
	check_match "faults: audit full: ... saying why" \
	    'sockguard: the audit log cannot be written \(No space left on device\); requests are refused until it can' \
	    "$FC_BODY"
	n0=$(ft_events '^req ')
	for i in 1 2 3; do ft_curl "$W/fa.sock" "/containers/json?x=$i"; done
	check_eq "faults: audit full: ... and nothing reaches dockerd" \
	    "503 $n0" "$FC_CODE $(ft_events '^req ')"
	ft_curl "$W/fa.sock" /plugins/pull?remote=x -X POST
	check_eq "faults: audit full: a denial is still answered (403)" 403 \
	    "$FC_CODE"
	out=$(curl -s -m 10 -I --unix-socket "$W/fa.sock" http://d/_ping |
	    tr -d '\r' | head -1)
	check_eq "faults: audit full: HEAD gets a 503 head" \
	    "HTTP/1.1 503 Service Unavailable" "$out"
	check_match "faults: audit full: logged" \
	    "audit: cannot write to $FT_AFS/audit.log: No space left on device; refusing requests until it can" \
	    "$(cat "$W/fa.log")"
	out=$(auditq check "$FT_AFS/audit.log" 2>&1)
	check_rc "faults: audit full: the file holds whole lines only" 0 $? "$out"
	rm -f "$FT_AFS/fill"
	ft_curl "$W/fa.sock" /_ping
	check_eq "faults: audit full: room again: served, no restart" 200 "$FC_CODE"
	check_match "faults: audit full: ... and recorded" \
	    '"stage":"complete".*"path":"/_ping"' "$(tail -1 "$FT_AFS/audit.log")"

	sed -i 's|^audit:$|audit:\n  on_failure: allow|' "$fa_yaml"
	kill -HUP "${SG_PIDS[fa]}"
	wait_for 5 grep -q 'SIGHUP: reloaded' "$W/fa.log"
	dd if=/dev/zero of="$FT_AFS/fill" bs=4k 2>/dev/null
	for ((i = 0; i < 40; i++)); do
		ft_curl "$W/fa.sock" /_ping
		grep -q 'forwarding anyway' "$W/fa.log" && break
	done
	n0=$(ft_events '^req ')
	ft_curl "$W/fa.sock" /containers/json
	check_eq "faults: audit full, on_failure allow: forwarded" \
	    "200 $((n0 + 1))" "$FC_CODE $(ft_events '^req ')"
	check_match "faults: audit full, on_failure allow: the error is logged" \
	    'audit: cannot write to .*: No space left on device \(forwarding anyway: audit.on_failure is allow\)' \
	    "$(cat "$W/fa.log")"
	sg_stop fa
	check_rc "faults: audit full: sockguard exits 0" 0 $?
	umount "$FT_AFS"
}

# ---------------------------------------------------------------- descriptors

# CPU time (user + system, clock ticks) of process $1.
ft_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# sockguard out of descriptors (its limit far below max_connections):
# accept(2) fails with EMFILE while clients wait in the backlog.  It must
# neither spin on the listener nor flood its log, and must accept again
# once descriptors are free.
faults_emfile() {
	local pid hold c0 c1 n hz
	ft_config fe "$FF_UP" "$W/fe.sock" "$FT/rules.yaml"
	(ulimit -n 40 && exec "$SG_BIN" -c "$W/fe.yaml") 2>>"$W/fe.log" &
	pid=$!
	SG_PIDS[fe]=$pid
	bg_register $pid
	if ! wait_for 10 sock_accepts "$W/fe.sock"; then
		fail "faults: out of descriptors: sockguard starts" \
		    "$(tail -5 "$W/fe.log")"
		return
	fi
	"$PY" - "$W/fe.sock" >"$FT/emfile.out" 2>&1 <<'EOF' &
import socket, sys, time
ss = []
for _ in range(80):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    ss.append(s)
print("held", flush=True)
time.sleep(2.5)
EOF
	hold=$!
	bg_register $hold
	wait_for 5 grep -q held "$FT/emfile.out"
	sleep 0.3
	c0=$(ft_cpu_ticks "$pid")
	sleep 1.5
	c1=$(ft_cpu_ticks "$pid")
	hz=$(getconf CLK_TCK)
	check_true "faults: out of descriptors: sockguard does not spin on accept" \
	    "$((c1 - c0)) ticks of CPU in 1.5 s (of $hz a second)" \
	    test $((c1 - c0)) -le $((hz / 5))
	n=$(grep -c 'accept: Too many open files' "$W/fe.log")
	check_true "faults: out of descriptors: ... nor floods its log" \
	    "$n lines: $(grep -m1 accept "$W/fe.log")" test "$n" -le 3
	wait $hold
	ft_curl "$W/fe.sock" /_ping
	check_eq "faults: out of descriptors: served again once they are free" \
	    200 "$FC_CODE"
	sg_stop fe
}

# ---------------------------------------------------------------- run

if [ "${IT_STANDIN:-}" = socat ]; then
	skip "faults: all" "IT_STANDIN=socat: no sockguard to test"
elif ! ft_start_fake; then
	fail "faults: the fake dockerd starts" "$(cat "$FT/ffu.log")"
else
	ft_config ff "$FF_UP" "$W/ff.sock" "$FT/rules.yaml" \
	    "$(printf 'upstream_timeout: 1s\nmax_pending_upstream: 3')" \
	    "path: $FT/ff-audit.log"
	if sg_start ff; then
		run_cases faults_dockerd faults_disconnect faults_upstream \
		    faults_half_open faults_signals faults_audit_full \
		    faults_emfile
		sg_stop ff
		check_rc "faults: ff exits 0 on SIGTERM" 0 $?
	else
		fail "faults: sockguard ff starts" "$(tail -5 "$W/ff.log")"
	fi
	stop_pid "$FF_UP_PID"
fi
[ -n "$FD_PID" ] && dockerd_stop "$FD_PID" "$W/fd"
mountpoint -q "$FT_AFS" 2>/dev/null && umount "$FT_AFS"
