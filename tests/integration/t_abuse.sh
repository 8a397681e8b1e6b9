# shellcheck shell=bash
# Clients that do not play along must not cost sockguard unbounded memory
# or other clients their service (issue 7; found by an adversarial
# review): a client that pipelines requests and never reads the answers,
# whether sockguard answers them itself (denials) or dockerd does; uploads
# that stall mid-body (they must neither hold a slot of
# limits.max_pending_upstream nor a connection for ever); an upgrade that
# sockguard refuses itself closes the connection.  Sourced by
# tests/integration/run.

AB=$W/abuse
AB_SOCK=$W/ab.sock
mkdir -p "$AB"

abuse_start() {
	cat >"$W/abuse.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $AB_SOCK
    name: abuse
rules: $REPO/rules/default.yaml
audit:
  path: $AB/audit.log
limits:
  idle_timeout: 2s
  max_pending_upstream: 2
EOF
	sg_start abuse || { fail "abuse: sockguard starts" \
	    "$(tail -5 "$W/abuse.log")"; return 1; }
}

# VmRSS of a pid, in KiB.
abuse_rss() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

# abuse_flood NAME REQUEST: one client sends REQUEST over and over and
# never reads; sockguard must stop reading it (the kernel then refuses
# more) long before 64 MiB, grow by less than 48 MiB, and serve another
# client meanwhile.
abuse_flood() {
	local name=$1 req=$2 pid rss0 rss1 out flood sent how
	pid=${SG_PIDS[abuse]}
	rss0=$(abuse_rss "$pid")
	"$PY" - "$AB_SOCK" "$req" >"$AB/flood.out" 2>&1 <<'EOF' &
import select, socket, sys, time
sock, req = sys.argv[1], sys.argv[2].encode().decode("unicode_escape").encode()
block = req * max(1, 65536 // len(req))
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
s.setblocking(False)
sent, cap, how = 0, 256 << 20, "capped"
while sent < cap:
    _, w, _ = select.select([], [s], [], 3)
    if not w:
        how = "stalled"             # not read from for 3 s: stopped
        break
    try:
        sent += s.send(block)
    except BlockingIOError:
        pass
    except OSError:
        how = "closed"              # idle_timeout: it stopped, then closed
        break
print("sent", sent, how, flush=True)
time.sleep(30)                      # hold it, unread, until killed
EOF
	flood=$!
	bg_register $flood
	wait_for 60 grep -q '^sent' "$AB/flood.out"
	out=$(curl -s -m 10 --unix-socket "$AB_SOCK" http://d/_ping)
	check_eq "abuse: $name: another client is served meanwhile" OK "$out"
	rss1=$(abuse_rss "$pid")
	read -r _ sent how <"$AB/flood.out"
	check_match "abuse: $name: sockguard stops reading the client (then idle_timeout closes it)" \
	    '^(stalled|closed)$' "$how"
	check_true "abuse: $name: ... before it sent 64 MiB (sent $sent bytes)" \
	    "$sent bytes" test "${sent:-999999999}" -lt $((64 << 20))
	check_true "abuse: $name: RSS grew by less than 48 MiB ($rss0 -> $rss1 KiB)" \
	    "$rss0 -> $rss1 KiB" test $((rss1 - rss0)) -lt $((48 << 10))
	stop_pid $flood
	check_true "abuse: $name: sockguard is alive" "it exited" \
	    sg_alive abuse
}

abuse_flood_denied() {
	abuse_flood "pipelined denials, never read" \
	    'POST /v1.41/swarm/leave HTTP/1.1\r\nHost: d\r\n\r\n'
}

abuse_flood_forwarded() {
	abuse_flood "pipelined requests dockerd answers, never read" \
	    'GET /v1.41/nothing-here HTTP/1.1\r\nHost: d\r\n\r\n'
}

# abuse_send_stall REQUEST OUT: in the background, sends REQUEST (a head
# and the start of its body) and writes the first line of the answer, if
# one comes within 20 s, to OUT.
abuse_send_stall() {
	"$PY" - "$AB_SOCK" "$1" >"$2" 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(20)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
try:
    print(s.recv(4096).split(b"\r\n")[0].decode(), flush=True)
except socket.timeout:
    print("no answer in 20 s")
EOF
}

# Two uploads stall after two bytes with max_pending_upstream: 2: a third
# client is still served (a stalled upload waits for its client, not for
# dockerd); each stalled one gets 408 after idle_timeout (2 s).  A JSON
# body sockguard reads itself stalls the same way.
abuse_stalled_bodies() {
	local p1 p2 p3 out
	abuse_send_stall "POST /v1.41/build?t=sgab HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nContent-Length: 1000000\r\n\r\nab" \
	    "$AB/stall1.out"
	p1=$!
	abuse_send_stall "POST /v1.41/build?t=sgab HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nContent-Length: 1000000\r\n\r\nab" \
	    "$AB/stall2.out"
	p2=$!
	abuse_send_stall "POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"Image\":" \
	    "$AB/stall3.out"
	p3=$!
	bg_register "$p1"; bg_register "$p2"; bg_register "$p3"
	sleep 0.5
	out=$(curl -s -m 10 --unix-socket "$AB_SOCK" \
	    -w ' %{http_code}' http://d/v1.41/version -o /dev/null)
	check_eq "abuse: two stalled uploads hold no max_pending_upstream slot: another client is served" \
	    " 200" "$out"
	wait "$p1" "$p2" "$p3"
	check_eq "abuse: a stalled upload gets 408 after idle_timeout" \
	    "HTTP/1.1 408 Request Timeout" "$(cat "$AB/stall1.out")"
	check_eq "abuse: ... so does the other" \
	    "HTTP/1.1 408 Request Timeout" "$(cat "$AB/stall2.out")"
	check_eq "abuse: a stalled JSON body gets 408 after idle_timeout" \
	    "HTTP/1.1 408 Request Timeout" "$(cat "$AB/stall3.out")"
	check_match "abuse: ... and the audit log says why" \
	    'request body stalled' "$(cat "$AB/audit.log")"
	check_eq "abuse: the truncated build made no image" "" \
	    "$(dd_ images -q sgab 2>&1)"
}

# An upgrade sockguard refuses itself: the client may already speak the
# protocol it asked for, so nothing after it is read as a request.
abuse_upgrade_refused() {
	local out
	out=$(raw "$AB_SOCK" -- "POST /session HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\nGET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
	check_eq "abuse: a refused upgrade: 403" 403 "$(raw_status "$out")"
	check_eq "abuse: ... and one answer only" 1 \
	    "$(grep -c '^response' <<<"$out")"
	check_eq "abuse: ... then the connection is closed" eof \
	    "$(raw_end "$out")"
}

abuse_stop() {
	sg_stop abuse
	check_rc "abuse: sockguard exits 0 on SIGTERM" 0 $? \
	    "$(tail -5 "$W/abuse.log")"
}

if [ -n "${IT_STANDIN:-}" ]; then
	skip "abuse: all" "IT_STANDIN: no sockguard to test"
elif abuse_start; then
	run_cases abuse_flood_denied abuse_flood_forwarded \
	    abuse_stalled_bodies abuse_upgrade_refused
	abuse_stop
fi
