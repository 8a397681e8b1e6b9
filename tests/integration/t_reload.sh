# shellcheck shell=bash
# SIGHUP: configuration, rules and listeners reloaded in place.
# Sourced by tests/integration/run.

RL=$W/reload
RL_SOCK=$W/rl.sock
RL_SOCK2=$W/rl2.sock
mkdir -p "$RL"

# rl_rules ALLOW-PING: a rules file that allows everything, /_ping too
# only when ALLOW-PING is "yes".
rl_rules() {
	{
		echo "version: 1"
		echo "default_profile: it"
		echo "profiles:"
		echo "  it:"
		echo "    mode: enforce"
		echo "    endpoints:"
		[ "$1" = yes ] || echo "      - {name: no-ping, deny: \"GET /_ping\"}"
		echo "      - {name: everything, allow: \"* /**\"}"
	} >"$RL/rules.yaml"
}

# rl_config [EXTRA-LISTENER-PATH]
rl_config() {
	{
		echo "upstream: $DD_SOCK"
		echo "listen:"
		echo "  - unix: $RL_SOCK"
		[ -n "${1:-}" ] && echo "  - unix: $1"
		echo "rules: $RL/rules.yaml"
	} >"$W/reload.yaml"
}

rl_hup() {
	kill -HUP "${SG_PIDS[reload]}"
}

# rl_wait_log N ERE: waits until the log has more than N lines matching.
rl_wait_log() {
	local n=$1 ere=$2
	wait_for 5 test "$(grep -cE "$ere" "$W/reload.log")" -gt "$n"
}

reload_start() {
	rl_rules yes
	rl_config
	if ! sg_start reload; then
		fail "reload: sockguard starts" "$(tail -5 "$W/reload.log")"
		return 1
	fi
}

# New rules apply to the next request of a connection opened before.
reload_rules_keepalive() {
	local out n
	n=$(grep -c "SIGHUP: reloaded" "$W/reload.log")
	raw "$RL_SOCK" --timeout 8 --responses 2 -- \
	    "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n" @sleep:2 \
	    "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n" >"$RL/ka.out" 2>&1 &
	local cpid=$!
	bg_register $cpid
	sleep 0.7
	rl_rules no
	rl_hup
	rl_wait_log "$n" "SIGHUP: reloaded"
	wait $cpid
	out=$(cat "$RL/ka.out")
	check_match "reload: the request before SIGHUP was allowed" \
	    "^response 200 " "$(grep -m1 '^response' <<<"$out")"
	check_match "reload: the next request on that connection meets the new rules" \
	    "^response 403 .*no-ping" "$(grep '^response' <<<"$out" | sed -n 2p)"
	check_match "reload: logged" "SIGHUP: reloaded $W/reload.yaml" \
	    "$(cat "$W/reload.log")"
	rl_rules yes
	rl_hup
	rl_wait_log "$((n + 1))" "SIGHUP: reloaded"
}

# A broken file changes nothing and says where it is broken.
reload_bad_file() {
	local n out
	n=$(grep -c "SIGHUP: " "$W/reload.log")
	cp "$W/reload.yaml" "$RL/good.yaml"
	printf 'limits:\n  max_headers: lots\n' >>"$W/reload.yaml"
	rl_hup
	rl_wait_log "$n" "SIGHUP: "
	check_match "reload: a bad file is refused with file:line:column" \
	    "error: SIGHUP: $W/reload.yaml:[0-9]+:[0-9]+: .*previous configuration" \
	    "$(tail -3 "$W/reload.log")"
	out=$(curl -s -m 5 --unix-socket "$RL_SOCK" http://d/_ping)
	check_eq "reload: still serving with the old configuration" OK "$out"
	cp "$RL/good.yaml" "$W/reload.yaml"
	# rules that do not load: the same
	n=$(grep -c "SIGHUP: " "$W/reload.log")
	echo "profiles: [" >>"$RL/rules.yaml"
	rl_hup
	rl_wait_log "$n" "SIGHUP: "
	check_match "reload: a bad rules file is refused" \
	    "error: SIGHUP: $RL/rules.yaml:[0-9]+:[0-9]+: " \
	    "$(tail -3 "$W/reload.log")"
	rl_rules yes
}

# Listeners added open; removed ones close and their files go.
reload_listeners() {
	local n out
	n=$(grep -c "SIGHUP: reloaded" "$W/reload.log")
	rl_config "$RL_SOCK2"
	rl_hup
	rl_wait_log "$n" "SIGHUP: reloaded"
	out=$(curl -s -m 5 --unix-socket "$RL_SOCK2" http://d/_ping)
	check_eq "reload: an added listener serves" OK "$out"
	rl_config
	rl_hup
	rl_wait_log "$((n + 1))" "SIGHUP: reloaded"
	check_true "reload: a removed listener's socket file is gone" \
	    "$RL_SOCK2 still exists" test ! -e "$RL_SOCK2"
	out=$(curl -s -m 5 --unix-socket "$RL_SOCK" http://d/_ping)
	check_eq "reload: the kept listener still serves" OK "$out"
}

# A stream open across reloads goes on.
reload_stream() {
	local n id out
	n=$(grep -c "SIGHUP: reloaded" "$W/reload.log")
	id=$(dd_ run -d "$IMG" sh -c 'while :; do echo tick; sleep 0.2; done')
	timeout -k 2 20 curl -s -N --unix-socket "$RL_SOCK" \
	    "http://d/v1.41/containers/$id/logs?follow=1&stdout=1" \
	    >"$RL/stream.out" &
	local cpid=$!
	bg_register $cpid
	sleep 1
	rl_hup
	rl_wait_log "$n" "SIGHUP: reloaded"
	local before
	before=$(wc -c <"$RL/stream.out")
	sleep 1.5
	check_true "reload: a logs -f stream goes on after SIGHUP" \
	    "$(wc -c <"$RL/stream.out") bytes, $before at the reload" \
	    test "$(wc -c <"$RL/stream.out")" -gt "$before"
	check_true "reload: the stream's client is still connected" \
	    "curl exited" kill -0 $cpid
	stop_pid $cpid
	dd_ rm -f "$id" >/dev/null
}

# Requests on new and keep-alive connections while SIGHUP comes 30
# times: none fails.
reload_under_load() {
	local lpid out i
	"$PY" - "$RL_SOCK" >"$RL/load.out" 2>&1 <<'EOF' &
import socket, sys, threading, time

path = sys.argv[1]
stop = time.time() + 4
counts = {"ok": 0, "bad": 0}
lock = threading.Lock()
req = b"GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"

def one_response(f):
    status = f.readline()
    length = 0
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = f.read(length)
    return status.startswith(b"HTTP/1.1 200") and body == b"OK"

def worker(keepalive):
    s = f = None
    while time.time() < stop:
        try:
            if s is None:
                s = socket.socket(socket.AF_UNIX)
                s.settimeout(5)
                s.connect(path)
                f = s.makefile("rb")
            s.sendall(req)
            good = one_response(f)
        except OSError as e:
            good = False
        with lock:
            counts["ok" if good else "bad"] += 1
        if not keepalive or not good:
            s.close()
            s = None

threads = [threading.Thread(target=worker, args=(i % 2 == 0,))
           for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ok=%d bad=%d" % (counts["ok"], counts["bad"]))
EOF
	lpid=$!
	bg_register $lpid
	for ((i = 0; i < 30; i++)); do
		sleep 0.1
		rl_hup
	done
	wait $lpid
	out=$(cat "$RL/load.out")
	check_match "reload: no request fails during 30 reloads under load" \
	    '^ok=[1-9][0-9]* bad=0$' "$out"
	check_true "reload: sockguard still running" "it exited" \
	    sg_alive reload
}

reload_stop() {
	sg_stop reload
}

if [ "${IT_STANDIN:-}" = socat ]; then
	skip "reload: all" "IT_STANDIN=socat: no sockguard to test"
elif reload_start; then
	run_cases reload_rules_keepalive reload_bad_file reload_listeners \
	    reload_stream reload_under_load
	reload_stop
fi
