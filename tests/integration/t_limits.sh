# shellcheck shell=bash
# Per-client profile limits (sockguard-rules(5), limits): connections
# open at once and requests per second.  Sourced by tests/integration/run.

LM=$W/limits
LM_SOCK=$W/lm.sock
mkdir -p "$LM"

limits_start() {
	cat >"$LM/rules.yaml" <<EOF
version: 1
default_profile: capped
profiles:
  capped:
    endpoints: [{name: everything, allow: "* /**"}]
    limits: {connections: 2, requests_per_second: 5, burst: 5}
EOF
	cat >"$W/limits.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $LM_SOCK
    name: capped
rules: $LM/rules.yaml
audit:
  path: $LM/audit.log
EOF
	sg_start limits || { fail "limits: sockguard starts" \
	    "$(tail -5 "$W/limits.log")"; return 1; }
}

# A third connection of the same client is answered 503 and closed;
# with one of the two gone, it is served again.
limits_connections() {
	local out hold
	"$PY" -c '
import socket, sys, time
ss = []
for _ in range(2):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    ss.append(s)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
' "$LM_SOCK" 3 >"$LM/hold.out" &
	hold=$!
	bg_register $hold
	wait_for 5 grep -q held "$LM/hold.out"
	out=$(raw "$LM_SOCK" -- "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n")
	check_match "limits: a third connection of the client gets 503" \
	    '^response 503 .*limits.connections' "$(grep '^response' <<<"$out")"
	check_match "limits: ... and names the profile and the cap" \
	    'profile capped allows 2' "$out"
	check_eq "limits: ... and is closed" eof "$(raw_end "$out")"
	stop_pid $hold
	sleep 0.3
	out=$(curl -s -m 5 --unix-socket "$LM_SOCK" http://d/_ping)
	check_eq "limits: with the others gone it is served again" OK "$out"
	check_match "limits: the refusal is in the audit log" \
	    '"decision":"error".*limits.connections' "$(cat "$LM/audit.log")"
}

# Seven pipelined requests against a bucket of five: the last two get
# 429 with Retry-After; a second later there are tokens again.
limits_rate() {
	local out req='GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n'
	sleep 1.2	# a full bucket
	out=$(raw "$LM_SOCK" --responses 7 -- "$req$req$req$req$req$req$req")
	check_eq "limits: 5 of 7 requests at once pass the bucket of 5" \
	    "200 200 200 200 200 429 429" \
	    "$(awk '$1 == "response" { printf "%s%s", s, $2; s = " " }' <<<"$out")"
	check_match "limits: the 429 says why" \
	    'more than 5 requests per second \(burst 5, profile capped\)' \
	    "$(grep -m1 '^response 429' <<<"$out")"
	sleep 1.2
	raw "$LM_SOCK" --responses 7 --raw-out "$LM/raw.out" -- \
	    "$req$req$req$req$req$req$req" >/dev/null
	check_match "limits: a 429 carries Retry-After" \
	    'Retry-After: [1-9]' "$(tr -d '\r' <"$LM/raw.out")"
	check_match "limits: the 429 is in the audit log with its rule" \
	    '"decision":"deny","rule":"limits.requests_per_second"' \
	    "$(cat "$LM/audit.log")"
	sleep 1.2
	out=$(curl -s -m 5 --unix-socket "$LM_SOCK" http://d/_ping)
	check_eq "limits: a second later the client is served again" OK "$out"
}

if [ "${IT_STANDIN:-}" = socat ]; then
	skip "limits: all" "IT_STANDIN=socat: no sockguard to test"
elif limits_start; then
	run_cases limits_connections limits_rate
	sg_stop limits
	check_rc "limits: sockguard exits 0 on SIGTERM" 0 $?
fi
