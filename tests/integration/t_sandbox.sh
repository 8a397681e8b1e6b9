# shellcheck shell=bash
# Self-protection (sandbox: true, the default): the seccomp filter is in
# force on every thread, the TLS handshake threads included; Landlock
# refuses what the configuration did not name at start (a rules file
# outside its directories, even through a symbolic link from inside one;
# an audit log or a listener elsewhere) with an error that says so, while
# reloads, SIGUSR1 reopens after a rename and new listeners beside the old
# ones go on working, and bind sources anywhere on the host still
# resolve.  sandbox: false applies nothing.  Sourced by
# tests/integration/run; its files live in their own directory, so that
# the directories the sandbox grants hold none of the "outside" ones.

SB=$W/sbx
SB_ETC=$SB/etc			# configuration, rules, TLS material
SB_RUN=$SB/run			# unix listeners
SB_LOG=$SB/log			# the audit log
SB_OUT=$SB/outside		# nothing the configuration names
SB_SOCK=$SB_RUN/sg.sock
SB_PORT=
mkdir -p "$SB_ETC" "$SB_RUN" "$SB_LOG" "$SB_OUT"

# sb_config [RULES [AUDIT-PATH [EXTRA-UNIX-LISTENER]]]
sb_config() {
	{
		echo "upstream: $DD_SOCK"
		echo "listen:"
		echo "  - unix: $SB_SOCK"
		[ -n "${3:-}" ] && echo "  - unix: $3"
		echo "  - tcp: \"127.0.0.1:$SB_PORT\""
		echo "    tls:"
		echo "      cert: $SB_ETC/tls/server-cert.pem"
		echo "      key: $SB_ETC/tls/server-key.pem"
		echo "      client_ca: $SB_ETC/tls/ca.pem"
		echo "rules: ${1:-rules.yaml}"
		echo "audit:"
		echo "  path: ${2:-$SB_LOG/audit.log}"
	} >"$SB_ETC/sg.yaml.new"
	mv "$SB_ETC/sg.yaml.new" "$SB_ETC/sg.yaml"
}

# sb_hup: SIGHUP, then waits for its outcome in the log (either).
sb_hup() {
	local n
	n=$(grep -c "SIGHUP: " "$W/sbx.log")
	kill -HUP "${SG_PIDS[sbx]}"
	wait_for 5 test "$(grep -c "SIGHUP: " "$W/sbx.log")" -gt "$n"
}

sb_ping() { curl -s -m 5 --unix-socket "${1:-$SB_SOCK}" http://d/_ping; }

sb_start() {
	SB_PORT=$("$PY" -c 'import socket; s = socket.socket();
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if ! { "$SG_BIN" cert ca -d "$SB_ETC/tls" &&
	    "$SG_BIN" cert server -d "$SB_ETC/tls" --san 127.0.0.1 &&
	    "$SG_BIN" cert client -d "$SB_ETC/tls" --cn sbx; } \
	    >"$SB/pki.log" 2>&1; then
		fail "sandbox: setup: certificates" "$(tail -5 "$SB/pki.log")"
		return 1
	fi
	cp "$REPO/rules/default.yaml" "$SB_ETC/rules.yaml"
	sb_config
	"$SG_BIN" -c "$SB_ETC/sg.yaml" 2>>"$W/sbx.log" &
	SG_PIDS[sbx]=$!
	bg_register $!
	if ! wait_for 10 sock_accepts "$SB_SOCK"; then
		fail "sandbox: sockguard starts with the sandbox" \
		    "$(tail -20 "$W/sbx.log")"
		return 1
	fi
}

# /proc says so, for the process and each of its threads.
sandbox_in_force() {
	local pid=${SG_PIDS[sbx]} t n=0 filtered=0
	check_match "sandbox: seccomp filter mode (/proc/PID/status)" \
	    $'^Seccomp:\t2$' "$(grep '^Seccomp:' "/proc/$pid/status")"
	check_match "sandbox: no_new_privs" $'^NoNewPrivs:\t1$' \
	    "$(grep '^NoNewPrivs:' "/proc/$pid/status")"
	# A TLS handshake needs the threads, so they exist by now.
	_docker_at "tcp://127.0.0.1:$SB_PORT" "$SB_ETC/tls/clients/sbx" \
	    version --format '{{.Server.Version}}' >"$SB/tlsver.out" 2>&1
	check_eq "sandbox: the TLS listener serves under it" \
	    "$(dd_ version --format '{{.Server.Version}}')" \
	    "$(cat "$SB/tlsver.out")"
	for t in /proc/"$pid"/task/*; do
		n=$((n + 1))
		grep -q $'^Seccomp:\t2$' "$t/status" && filtered=$((filtered + 1))
	done
	check_true "sandbox: every thread is filtered ($filtered of $n, TLS handshake threads included)" \
	    "$filtered of $n threads have Seccomp: 2" \
	    test "$n" -gt 1 -a "$filtered" -eq "$n"
	# The one thing the test believes the log about: whether the kernel
	# has Landlock at all (the checks below then show it is in force).
	if grep -q "the kernel has no Landlock" "$W/sbx.log"; then
		skip "sandbox: Landlock" "the kernel has no Landlock"
		SB_NO_LANDLOCK=1
	else
		check_match "sandbox: the log says both parts are in force" \
		    "info: sandbox: seccomp filter and Landlock \\(ABI [0-9]+\\) in force" \
		    "$(cat "$W/sbx.log")"
	fi
}

# Containers run; bind sources outside every granted directory, and a
# symbolic link there to /etc, still resolve (stat and readlink are not
# Landlock's).
sandbox_serves() {
	local out
	echo "from outside" >"$SB_OUT/file"
	out=$(dks "$SB_SOCK" run --rm -v "$SB_OUT:/x:ro" "$IMG" cat /x/file \
	    2>&1)
	check_eq "sandbox: docker run with a bind mount from outside its paths" \
	    "from outside" "$out"
	ln -sfn /etc "$SB_OUT/etc-link"
	out=$(dks "$SB_SOCK" run --rm -v "$SB_OUT/etc-link:/x" "$IMG" true 2>&1)
	check_match "sandbox: a link to /etc is resolved and denied as /etc" \
	    "denied by rule containers.bind_mounts .*/etc" "$out"
	# /proc/1/root is a link only a tracer of pid 1 may read, and
	# Landlock lets no sandboxed process trace one outside the sandbox:
	# it does not resolve, and what does not resolve is denied.
	out=$(dks "$SB_SOCK" run --rm -v /proc/1/root/etc:/x "$IMG" true 2>&1)
	echo "$out" >>"$SB/proc.out"
	check_match "sandbox: a bind source through /proc/1/root is denied" \
	    "denied by rule containers.bind_mounts .*cannot resolve bind source /proc/1/root/etc" \
	    "$out"
}

# New rules, replaced by a rename as editors and configuration tools do.
sandbox_reload() {
	sed '/^    endpoints:/a\      - {name: sbx-no-ping, deny: "GET /_ping"}' \
	    "$REPO/rules/default.yaml" >"$SB_ETC/rules.yaml.new"
	mv "$SB_ETC/rules.yaml.new" "$SB_ETC/rules.yaml"
	sb_hup
	check_match "sandbox: SIGHUP reloads (rules replaced by a rename)" \
	    "SIGHUP: reloaded" "$(tail -2 "$W/sbx.log")"
	check_match "sandbox: ... and the new rules apply" "sbx-no-ping" \
	    "$(sb_ping)"
	cp "$REPO/rules/default.yaml" "$SB_ETC/rules.yaml"
	sb_hup
	check_eq "sandbox: ... and the old ones again" OK "$(sb_ping)"
}

# A rules file outside: readable (sockguard -t loads it), refused by
# Landlock on reload, also through a link that lies inside.
sandbox_refuses_rules() {
	local out
	[ -n "${SB_NO_LANDLOCK:-}" ] && return
	cp "$REPO/rules/default.yaml" "$SB_OUT/rules.yaml"
	sb_config "$SB_OUT/rules.yaml"
	out=$("$SG_BIN" -t -c "$SB_ETC/sg.yaml" 2>&1)
	check_match "sandbox: the outside rules file itself is fine (-t)" \
	    "configuration OK" "$out"
	sb_hup
	check_match "sandbox: a rules file outside is refused, and why" \
	    "error: SIGHUP: $SB_OUT/rules.yaml: Permission denied \\(refused by sockguard's sandbox.*restart sockguard.*\\); still running with the previous configuration" \
	    "$(tail -2 "$W/sbx.log")"
	ln -sfn ../outside/rules.yaml "$SB_ETC/linked.yaml"
	sb_config "$SB_ETC/linked.yaml"
	sb_hup
	check_match "sandbox: ... also through a link in an allowed directory (Landlock judges the file, not the name)" \
	    "error: SIGHUP: $SB_ETC/linked.yaml: Permission denied \\(refused by sockguard's sandbox" \
	    "$(tail -2 "$W/sbx.log")"
	check_eq "sandbox: still serving with the previous rules" OK \
	    "$(sb_ping)"
	rm -f "$SB_ETC/linked.yaml"
	sb_config
}

# logrotate's rename and SIGUSR1; an audit log elsewhere is refused.
sandbox_audit() {
	local n
	sb_ping >/dev/null
	mv "$SB_LOG/audit.log" "$SB_LOG/audit.log.1"
	n=$(grep -c "SIGUSR1: audit log reopened" "$W/sbx.log")
	kill -USR1 "${SG_PIDS[sbx]}"
	wait_for 5 test "$(grep -c "SIGUSR1: audit log reopened" \
	    "$W/sbx.log")" -gt "$n"
	sb_ping >/dev/null
	check_match "sandbox: SIGUSR1 after a rename opens a new audit log" \
	    '"path":"/_ping"' "$(cat "$SB_LOG/audit.log" 2>&1)"
	[ -n "${SB_NO_LANDLOCK:-}" ] && return
	sb_config "" "$SB_OUT/audit.log"
	sb_hup
	check_match "sandbox: an audit log in another directory is refused, and why" \
	    "error: SIGHUP: audit: open $SB_OUT/audit.log: Permission denied \\(refused by sockguard's sandbox" \
	    "$(tail -2 "$W/sbx.log")"
	check_true "sandbox: ... and not created" "it exists" \
	    test ! -e "$SB_OUT/audit.log"
	sb_config
}

# Listeners added beside the first work; elsewhere they are refused.
sandbox_listeners() {
	sb_config "" "" "$SB_RUN/two.sock"
	sb_hup
	check_eq "sandbox: a listener added in the first one's directory serves" \
	    OK "$(sb_ping "$SB_RUN/two.sock")"
	sb_config
	sb_hup
	check_true "sandbox: ... and its socket goes when it is removed" \
	    "$SB_RUN/two.sock still exists" test ! -e "$SB_RUN/two.sock"
	[ -n "${SB_NO_LANDLOCK:-}" ] && return
	sb_config "" "" "$SB_OUT/three.sock"
	sb_hup
	check_match "sandbox: a listener in another directory is refused, and why" \
	    "error: SIGHUP: bind $SB_OUT/three.sock: Permission denied \\(refused by sockguard's sandbox" \
	    "$(tail -2 "$W/sbx.log")"
	sb_config
}

sandbox_stop() {
	local rc
	sg_stop sbx
	rc=$?
	check_eq "sandbox: SIGTERM: exit status 0" 0 "$rc"
	check_true "sandbox: the socket file is removed on stop" \
	    "$SB_SOCK still exists" test ! -e "$SB_SOCK"
}

# sandbox: false applies neither part, and says so.
sandbox_off() {
	sg_config sbxoff "$DD_SOCK" "$SB_RUN/off.sock"
	echo "sandbox: false" >>"$W/sbxoff.yaml"
	if ! sg_start sbxoff; then
		fail "sandbox: sandbox: false starts" "$(tail -5 "$W/sbxoff.log")"
		return
	fi
	check_match "sandbox: sandbox: false: no filter" $'^Seccomp:\t0$' \
	    "$(grep '^Seccomp:' "/proc/${SG_PIDS[sbxoff]}/status")"
	check_match "sandbox: sandbox: false: a warning says so" \
	    "warning: sandbox: off" "$(cat "$W/sbxoff.log")"
	sg_stop sbxoff
}

if [ "${IT_STANDIN:-}" = socat ]; then
	skip "sandbox: all" "IT_STANDIN=socat: no sockguard to test"
elif sb_start; then
	run_cases sandbox_in_force sandbox_serves sandbox_reload \
	    sandbox_refuses_rules sandbox_audit sandbox_listeners
	sandbox_stop
	run_cases sandbox_off
fi
