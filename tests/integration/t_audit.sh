# shellcheck shell=bash
# The audit log (audit.path), end to end: records of real CLI commands,
# request ids, rotation (rename + SIGUSR1) under keep-alive load, SIGUSR1
# onto a path that must not be opened (symbolic link, FIFO, directory), a
# full disk (tmpfs) with audit.on_failure deny (the default) and allow,
# and a file size limit that leaves room for a decision record only.
#
# Records are read with auditq.py, which checks every line against the
# format of sockguard/audit.h (member order, types, RFC 3339 times, no
# torn tail) and pairs decision and complete records by id.
#
# Sourced by tests/integration/run: uses dks, dd_, $IMG, $W, $DD_SOCK.

AUD=$W/aud
AUD_SOCK=$W/aud.sock
AUD_LOG=$AUD/audit.log
AUD_LOOP='trap "exit 0" TERM; while :; do sleep 0.1; done'
mkdir -p "$AUD"

# aud_config NAME SOCK LOGPATH [ON_FAILURE]: $W/NAME.yaml, shipped rules.
aud_config() {
	cat >"$W/$1.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $2
    name: audit-it
rules: $REPO/rules/default.yaml
audit:
  path: $3
EOF
	[ -n "${4:-}" ] && echo "  on_failure: $4" >>"$W/$1.yaml"
}

aud_mark() { stat -c %s "$1" 2>/dev/null || echo 0; }

# Waits (up to 5 s) until every allowed request in the FILEs has its
# complete record (hijacked streams end a little after the client).
aud_pairs_ok() { auditq pairs "$@" >/dev/null 2>&1; }
aud_settled() { wait_for 5 aud_pairs_ok "$@"; }

# aud_curl SOCK OUTFILE CURL-ARGS... : one curl request in the background
# so that its pid is known (the identity sockguard records); sets AC_PID,
# AC_ID (X-Sockguard-Request-Id), AC_CODE, AC_BODY, AC_SENT (bytes of the
# request), AC_RCVD (bytes of the response, head and body) and AC_UPSTREAM
# (AC_RCVD without the X-Sockguard-Request-Id line sockguard added).
aud_curl() {
	local sock=$1 out=$2 sizes
	shift 2
	curl -s -m 20 -D "$out.head" -o "$out" \
	    -w '%{size_request} %{size_upload} %{size_header} %{size_download}' \
	    --unix-socket "$sock" "$@" >"$out.sizes" 2>&1 &
	AC_PID=$!
	wait "$AC_PID"
	AC_ID=$(tr -d '\r' <"$out.head" | awk -F': ' 'tolower($1) == "x-sockguard-request-id" { print $2 }')
	AC_CODE=$(awk 'NR == 1 { print $2 }' "$out.head")
	AC_BODY=$(cat "$out")
	sizes=$(cat "$out.sizes")
	set -- $sizes
	AC_SENT=$(($1 + $2))
	AC_RCVD=$(($3 + $4))
	# the response as dockerd sent it: without sockguard's id line
	AC_UPSTREAM=$((AC_RCVD - $(grep -i '^X-Sockguard-Request-Id:' "$out.head" | wc -c)))
}

aud_setup() {
	aud_config aud "$AUD_SOCK" "$AUD_LOG"
	if sg_start aud; then
		pass "audit: setup: sockguard with audit.path"
	else
		fail "audit: setup: sockguard with audit.path" \
		    "$(tail -5 "$W/aud.log")"
	fi
	local mode
	mode=$(printf '%o' $((0640 & ~0$(umask))))
	check_true "audit: the log file is created at start, mode 0640 less the umask" \
	    "$(ls -l "$AUD_LOG" 2>&1)" \
	    test "$(stat -c %a "$AUD_LOG" 2>/dev/null)" = "$mode"
	dd_ run -d --name sgau-c "$IMG" sh -c "$AUD_LOOP" >/dev/null 2>&1 ||
	    fail "audit: setup: sgau-c directly"
}

aud_cli() {
	local out rc m recs n
	# A run with a secret in its environment.
	m=$(aud_mark "$AUD_LOG")
	out=$(dks "$AUD_SOCK" run --name sgau-run -e SECRET=hunter2 \
	    -e PLAIN=1 -e BARE "$IMG" echo hi 2>&1)
	check_eq "audit: run through sockguard" hi "$out"
	aud_settled "$AUD_LOG"
	recs=$(auditq tsv "$AUD_LOG" "$m" stage method path decision \
	    summary.name summary.Image summary.Env status |
	    sed 's#/containers/[0-9a-f]\{64\}/#/containers/ID/#')
	# (the CLI sends -e variables in no fixed order)
	check_line "audit: run: create decision record with the Env names, no values" \
	    "$(printf 'decision\tPOST\t/v1.41/containers/create?name=sgau-run\tallow\tsgau-run\t%s\t["BARE","PLAIN=<redacted>","SECRET=<redacted>"]\t-' "$IMG")" \
	    "$(printf '%s\n' "$recs" | "$PY" -c '
import json, sys
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    if f[0] == "decision" and f[6].startswith("["):
        f[6] = json.dumps(sorted(json.loads(f[6])), separators=(",", ":"))
    print("\t".join(f))')"
	check_line "audit: run: create complete record, status 201" \
	    "$(printf 'complete\tPOST\t/v1.41/containers/create?name=sgau-run\tallow\t-\t-\t-\t201')" \
	    "$recs"
	check_match "audit: run: the attach stream has a complete record (101/200)" \
	    $'^complete\tPOST\t/v1\\.41/containers/ID/attach\\?[^\t]*\tallow\t-\t-\t-\t(101|200)$' \
	    "$recs"
	check_line "audit: run: start complete record, status 204" \
	    "$(printf 'complete\tPOST\t/v1.41/containers/ID/start\tallow\t-\t-\t-\t204')" \
	    "$recs"

	# An exec into a container made directly.
	m=$(aud_mark "$AUD_LOG")
	out=$(dks "$AUD_SOCK" exec sgau-c sh -c 'echo out' 2>&1)
	check_eq "audit: exec through sockguard" out "$out"
	aud_settled "$AUD_LOG"
	recs=$(auditq tsv "$AUD_LOG" "$m" stage method path decision \
	    summary.container status |
	    sed 's#/exec/[0-9a-f]\{64\}/#/exec/ID/#')
	check_line "audit: exec: exec create decision record names the container" \
	    "$(printf 'decision\tPOST\t/v1.41/containers/sgau-c/exec\tallow\tsgau-c\t-')" \
	    "$recs"
	check_line "audit: exec: exec create complete record, status 201" \
	    "$(printf 'complete\tPOST\t/v1.41/containers/sgau-c/exec\tallow\t-\t201')" \
	    "$recs"
	check_match "audit: exec: the exec stream has a complete record (101/200)" \
	    $'^complete\tPOST\t/v1\\.41/exec/ID/start\tallow\t-\t(101|200)$' \
	    "$recs"
	check_nomatch "audit: exec: no command in the log" 'echo out' \
	    "$(tail -c +$((m + 1)) "$AUD_LOG")"

	# A denial: one record, with rule, field and value.
	m=$(aud_mark "$AUD_LOG")
	out=$(dks "$AUD_SOCK" run --rm --privileged "$IMG" true 2>&1)
	check_match "audit: run --privileged is denied" \
	    'denied by rule containers\.privileged' "$out"
	aud_settled "$AUD_LOG"
	recs=$(auditq tsv "$AUD_LOG" "$m" stage method path decision rule \
	    field value status | grep -F /containers/create)
	check_eq "audit: denied create: exactly one record, decision deny, rule, field, value" \
	    "$(printf 'decision\tPOST\t/v1.41/containers/create\tdeny\tcontainers.privileged\tHostConfig.Privileged\ttrue\t-')" \
	    "$recs"

	# The id in the response header is the record's id; the identity is
	# the client's.
	aud_curl "$AUD_SOCK" "$AUD/ping.out" http://d/_ping
	check_match "audit: _ping answer carries X-Sockguard-Request-Id" \
	    '^[0-9a-f]{16}$' "$AC_ID"
	aud_settled "$AUD_LOG"
	recs=$(auditq tsv "$AUD_LOG" 0 id stage conn listener identity.uid \
	    identity.gid identity.pid profile method path api_version \
	    decision status | awk -F'\t' -v id="$AC_ID" '$1 == id' | cut -f2,4-)
	check_eq "audit: the header id names a decision then a complete record of that request" \
	    "$(printf 'decision\taudit-it\t0\t0\t%s\tdefault\tGET\t/_ping\t\tallow\t-\ncomplete\taudit-it\t0\t0\t%s\tdefault\tGET\t/_ping\t\tallow\t200' "$AC_PID" "$AC_PID")" \
	    "$recs"
	check_eq "audit: complete record: bytes_in as curl sent, bytes_out as dockerd answered" \
	    "$AC_SENT $AC_UPSTREAM" \
	    "$(auditq tsv "$AUD_LOG" 0 id stage bytes_in bytes_out |
	        awk -F'\t' -v id="$AC_ID" '$1 == id && $2 == "complete" { print $3, $4 }')"
	local t now
	t=$(auditq tsv "$AUD_LOG" 0 id time | awk -F'\t' -v id="$AC_ID" '$1 == id { print $2; exit }')
	now=$(date +%s)
	t=$(date -u -d "$t" +%s 2>/dev/null || echo 0)
	check_true "audit: record time is now (UTC)" "record $t, now $now" \
	    test $((now - t)) -ge -2 -a $((now - t)) -le 5

	# A request refused as malformed: one "error" record, same id.
	aud_curl "$AUD_SOCK" "$AUD/bad.out" -X POST \
	    -H 'Content-Type: application/json' --data '{}' \
	    http://d/v1.41/containers/%63reate
	check_eq "audit: %63reate is refused with 400" 400 "$AC_CODE"
	recs=$(auditq tsv "$AUD_LOG" 0 id stage decision rule identity.pid |
	    awk -F'\t' -v id="$AC_ID" '$1 == id' | cut -f2-)
	check_eq "audit: the 400's id names one error record" \
	    "$(printf 'decision\terror\thttp\t%s' "$AC_PID")" "$recs"

	# The whole file.
	out=$(auditq check "$AUD_LOG" 2>&1)
	check_rc "audit: every line is a whole record in the documented order" \
	    0 $? "$out"
	out=$(auditq pairs "$AUD_LOG" 2>&1)
	check_rc "audit: each allowed request: decision then complete; each refused: one record" \
	    0 $? "$out"
	n=$(grep -c hunter2 "$AUD_LOG" "$W/aud.log" | awk -F: '{ s += $2 } END { print s }')
	check_eq "audit: the secret's value appears nowhere (log, stderr)" 0 "$n"
	dd_ rm -f sgau-run >/dev/null 2>&1
}

aud_rotate() {
	local n=4000 conns=4 pid pypid sgpid k=0 files=() rot_live=0 out rc
	local reopened0 reopened1
	sgpid=${SG_PIDS[aud]}
	reopened0=$(grep -c 'SIGUSR1: audit log reopened' "$W/aud.log")
	timeout -k 2 60 "$PY" "$IT_DIR/auditload.py" "$AUD_SOCK" $n $conns \
	    "$AUD/ids" >"$AUD/load.out" 2>&1 &
	pid=$!
	bg_register "$pid"
	wait_for 5 grep -q '^pid ' "$AUD/load.out"
	pypid=$(awk '$1 == "pid" { print $2 }' "$AUD/load.out")
	# Rename and signal while the load runs: as logrotate does.
	while [ $k -lt 8 ]; do
		sleep 0.1
		kill -0 "$pid" 2>/dev/null && rot_live=$((rot_live + 1))
		k=$((k + 1))
		mv "$AUD_LOG" "$AUD_LOG.$k" || break
		files+=("$AUD_LOG.$k")
		kill -USR1 "$sgpid"
		wait_for 3 test -e "$AUD_LOG" || break
	done
	files+=("$AUD_LOG")
	wait "$pid"
	rc=$?
	out=$(cat "$AUD/load.out")
	check_rc "audit: rotation: $n keep-alive requests all answered" 0 $rc \
	    "$out"
	echo "# $(tail -1 "$AUD/load.out"); $k renames, $rot_live during the load"
	check_true "audit: rotation: the log was renamed during the load" \
	    "only $rot_live of $k renames happened while the client ran" \
	    test $rot_live -ge 3
	reopened1=$(grep -c 'SIGUSR1: audit log reopened' "$W/aud.log")
	check_eq "audit: rotation: sockguard reopened the log on each SIGUSR1" \
	    "$k" "$((reopened1 - reopened0))"
	aud_settled "${files[@]}"
	out=$(auditq check "${files[@]}" 2>&1)
	check_rc "audit: rotation: every line of every file is a whole record" \
	    0 $? "$out"
	out=$(auditq pairs --ids "$AUD/ids" --pid "$pypid" "${files[@]}" 2>&1)
	rc=$?
	check_rc "audit: rotation: one decision and one complete record per request" \
	    0 $rc "$out"
	check_eq "audit: rotation: request, record and connection counts" \
	    "ids=$n records=$((2 * n)) conns=$conns" "$(head -1 <<<"$out")"
	local spread
	spread=$(for f in "${files[@]}"; do
		grep -c "\"pid\":$pypid[,}]" "$f"
	done | awk '$1 > 0' | wc -l)
	check_true "audit: rotation: the load's records are spread over the files" \
	    "only $spread file(s) hold them" test "$spread" -ge 2
	out=$(auditq pairs "${files[@]}" 2>&1)
	check_rc "audit: rotation: all requests in the files pair up" 0 $? "$out"
}

# aud_grep_gt FILE ERE N: FILE has more than N lines matching ERE.
aud_grep_gt() { [ "$(grep -Ec -- "$2" "$1")" -gt "$3" ]; }

# SIGUSR1 when what is at audit.path cannot be the log (a symbolic link,
# a FIFO, a directory): the error is logged, the old file stays in use,
# and the link's target is never written.
aud_reopen_refused() {
	local sgpid=${SG_PIDS[aud]} old=$AUD/old.log target=$AUD/target kind n0 out
	local msg='SIGUSR1: cannot reopen the audit log' recs
	mv "$AUD_LOG" "$old"
	: >"$target"
	for kind in symlink fifo directory; do
		case $kind in
		symlink) ln -s "$target" "$AUD_LOG" ;;
		fifo) mkfifo "$AUD_LOG" ;;
		directory) mkdir "$AUD_LOG" ;;
		esac
		n0=$(grep -c "$msg" "$W/aud.log")
		kill -USR1 "$sgpid"
		if wait_for 3 aud_grep_gt "$W/aud.log" "$msg" "$n0"; then
			pass "audit: reopen onto a $kind is refused and logged"
		else
			fail "audit: reopen onto a $kind is refused and logged" \
			    "$(tail -3 "$W/aud.log")"
		fi
		aud_curl "$AUD_SOCK" "$AUD/reopen.out" http://d/_ping
		check_eq "audit: after a refused reopen ($kind) requests work" \
		    200 "$AC_CODE"
		aud_settled "$old"
		recs=$(auditq tsv "$old" 0 id stage |
		    awk -F'\t' -v id="$AC_ID" '$1 == id { print $2 }' | tr '\n' ' ')
		check_eq "audit: ... and are recorded in the old file ($kind)" \
		    "decision complete " "$recs"
		rm -rf "$AUD_LOG"
	done
	check_eq "audit: the symbolic link's target was never written" 0 \
	    "$(stat -c %s "$target")"
	kill -USR1 "$sgpid"
	wait_for 3 test -f "$AUD_LOG"
	aud_curl "$AUD_SOCK" "$AUD/reopen.out" http://d/_ping
	aud_settled "$AUD_LOG"
	check_eq "audit: a later SIGUSR1 opens a new file at the path" \
	    "decision complete " \
	    "$(auditq tsv "$AUD_LOG" 0 id stage |
	        awk -F'\t' -v id="$AC_ID" '$1 == id { print $2 }' | tr '\n' ' ')"
	out=$(auditq check "$old" "$AUD_LOG" 2>&1)
	check_rc "audit: old and new files hold whole records" 0 $? "$out"
}

# aud_fill DIR: fills the file system of DIR with a filler file.
aud_fill() {
	dd if=/dev/zero of="$1/filler" bs=1k >/dev/null 2>&1
	sync
}

# aud_ping SOCK: prints the status of one GET /_ping.
aud_ping() {
	curl -s -m 10 -o "$AUD/ping.body" -w '%{http_code}' \
	    --unix-socket "$1" http://d/_ping
}

aud_diskfull() {
	local fs=$AUD/fs sock=$W/audfull.sock log i code out rc n200 sgpid m
	mkdir -p "$fs"
	if ! out=$(mount -t tmpfs -o size=64k,mode=0755 tmpfs "$fs" 2>&1); then
		echo "# SKIPPING the disk-full tests: cannot mount a tmpfs: $out"
		skip "audit: disk full (on_failure deny and allow)" \
		    "mount -t tmpfs is not permitted here: $out"
		return
	fi
	AUD_FS=$fs
	log=$fs/audit.log
	aud_config audfull "$sock" "$log"
	if ! sg_start audfull; then
		fail "audit: full: sockguard starts" "$(tail -5 "$W/audfull.log")"
		return
	fi
	sgpid=${SG_PIDS[audfull]}
	out=$(dks "$sock" version --format '{{.Server.Version}}' 2>&1)
	check_rc "audit: full: requests work before the disk fills" 0 $? "$out"

	aud_fill "$fs"
	n200=0
	for ((i = 0; i < 60; i++)); do
		code=$(aud_ping "$sock")
		[ "$code" = 200 ] || break
		n200=$((n200 + 1))
	done
	echo "# disk full: $n200 request(s) still fitted in the log's last page"
	check_eq "audit: full (deny): a request that cannot be logged gets 503" \
	    503 "$code"
	check_match "audit: full (deny): the 503 says the audit log cannot be written" \
	    '^\{"message":"sockguard: the audit log cannot be written \(No space left on device\)' \
	    "$(cat "$AUD/ping.body")"
	check_eq "audit: full (deny): and the next one too" 503 "$(aud_ping "$sock")"
	out=$(dks "$sock" run --name sgau-full "$IMG" true 2>&1)
	rc=$?
	check_true "audit: full (deny): docker run is refused" \
	    "exit $rc: $out" test $rc -ne 0
	check_match "audit: full (deny): docker run says why" \
	    'Error response from daemon: sockguard: the audit log cannot be written' \
	    "$out"
	check_eq "audit: full (deny): dockerd created no container sgau-full" "" \
	    "$(dd_ ps -aq --filter name=sgau-full)"
	out=$(dks "$sock" run --rm --privileged "$IMG" true 2>&1)
	check_match "audit: full (deny): a denial is still answered as the denial" \
	    'Error response from daemon: sockguard: denied by rule containers\.privileged' \
	    "$out"
	out=$(auditq check "$log" 2>&1)
	check_rc "audit: full (deny): the log ends with a whole line" 0 $? "$out"
	check_match "audit: full (deny): stderr says the log cannot be written" \
	    "audit: cannot write to $log: No space left on device; refusing requests until it can" \
	    "$(cat "$W/audfull.log")"

	rm -f "$fs/filler"
	m=$(aud_mark "$log")
	aud_curl "$sock" "$AUD/ping2.out" http://d/_ping
	check_eq "audit: full (deny): space freed: requests work again" 200 \
	    "$AC_CODE"
	check_eq "audit: full (deny): ... without a restart" "$sgpid" \
	    "$(sg_alive audfull && echo "${SG_PIDS[audfull]}")"
	out=$(dks "$sock" run --rm "$IMG" echo back 2>&1)
	check_eq "audit: full (deny): docker run works again" back "$out"
	aud_settled "$log"
	check_eq "audit: full (deny): the first request after is logged" \
	    "$(printf 'decision\nallow\ncomplete\nallow')" \
	    "$(auditq tsv "$log" "$m" id stage decision |
	        awk -F'\t' -v id="$AC_ID" '$1 == id { print $2; print $3 }')"
	out=$(auditq check "$log" 2>&1)
	check_rc "audit: full (deny): every line is a whole record" 0 $? "$out"
	out=$(auditq pairs "$log" 2>&1)
	check_rc "audit: full (deny): logged requests pair up" 0 $? "$out"
	sg_stop audfull
	cp "$log" "$W/audit-full-deny.log" 2>/dev/null

	# on_failure: allow
	sock=$W/audallow.sock
	log=$fs/allow.log
	rm -f "$fs/audit.log"
	aud_config audallow "$sock" "$log" allow
	if ! sg_start audallow; then
		fail "audit: full (allow): sockguard starts" \
		    "$(tail -5 "$W/audallow.log")"
	else
		out=$(dks "$sock" version --format '{{.Server.Version}}' 2>&1)
		check_rc "audit: full (allow): requests work before" 0 $? "$out"
		aud_fill "$fs"
		local codes=""
		for ((i = 0; i < 20; i++)); do
			codes="$codes $(aud_ping "$sock")"
		done
		check_eq "audit: full (allow): requests are answered while the disk is full" \
		    "$(printf ' 200%.0s' $(seq 20))" "$codes"
		out=$(dks "$sock" run --rm "$IMG" echo still 2>&1)
		check_eq "audit: full (allow): docker run works" still "$out"
		check_match "audit: full (allow): stderr says it cannot write" \
		    "audit: cannot write to $log: No space left on device \(forwarding anyway: audit.on_failure is allow\)" \
		    "$(cat "$W/audallow.log")"
		out=$(auditq check "$log" 2>&1)
		check_rc "audit: full (allow): the log ends with a whole line" 0 $? \
		    "$out"
		sg_stop audallow
		check_rc "audit: full (allow): sockguard exits 0 on SIGTERM" 0 $?
		cp "$log" "$W/audit-full-allow.log" 2>/dev/null
	fi
	rm -f "$fs/filler"
	umount "$fs" || umount -l "$fs"
	AUD_FS=
}

# A file size limit (RLIMIT_FSIZE, set on the running sockguard with
# prlimit) that leaves room for a request's decision record but not for
# its complete record: the request goes through, the lost complete record
# is reported on stderr, the next request gets 503 (EFBIG does not kill
# sockguard), and raising the limit lets requests through again.
aud_fsize() {
	local sock=$W/audlim.sock log=$AUD/lim.log sgpid size dlen clen lim
	local before out
	if ! command -v prlimit >/dev/null; then
		skip "audit: file size limit" "prlimit is not installed"
		return
	fi
	aud_config audlim "$sock" "$log"
	if ! sg_start audlim; then
		fail "audit: fsize: sockguard starts" "$(tail -5 "$W/audlim.log")"
		return
	fi
	sgpid=${SG_PIDS[audlim]}
	aud_curl "$sock" "$AUD/lim1.out" http://d/_ping
	aud_curl "$sock" "$AUD/lim2.out" http://d/_ping
	aud_settled "$log"
	# The lengths of a _ping's two lines, newline included.
	dlen=$(tail -2 "$log" | head -1 | wc -c)
	clen=$(tail -1 "$log" | wc -c)
	size=$(stat -c %s "$log")
	lim=$((size + dlen + 20))
	echo "# fsize: log $size bytes, _ping lines $dlen + $clen bytes; limit $lim"
	before=$(grep -c 'audit: cannot write' "$W/audlim.log")
	if ! prlimit --pid "$sgpid" --fsize="$lim:unlimited"; then
		skip "audit: file size limit" "prlimit --pid failed"
		sg_stop audlim
		return
	fi
	aud_curl "$sock" "$AUD/lim3.out" http://d/_ping
	check_eq "audit: fsize: room for the decision record: forwarded" 200 \
	    "$AC_CODE"
	sleep 0.3
	check_eq "audit: fsize: its decision record is written, its complete record is not" \
	    decision \
	    "$(auditq tsv "$log" 0 id stage | awk -F'\t' -v id="$AC_ID" '$1 == id { print $2 }')"
	check_true "audit: fsize: the lost complete record is logged at error" \
	    "no new 'audit: cannot write' line on stderr: $(tail -3 "$W/audlim.log")" \
	    test "$(grep -c 'audit: cannot write' "$W/audlim.log")" -gt "$before"
	aud_curl "$sock" "$AUD/lim4.out" http://d/_ping
	check_eq "audit: fsize: no room for a decision record: 503" 503 "$AC_CODE"
	check_match "audit: fsize: the 503 says the audit log cannot be written" \
	    '"sockguard: the audit log cannot be written \(' "$AC_BODY"
	check_true "audit: fsize: sockguard survives the file size limit" \
	    "it exited: $(tail -3 "$W/audlim.log")" sg_alive audlim
	out=$(auditq check "$log" 2>&1)
	check_rc "audit: fsize: the log ends with a whole line" 0 $? "$out"
	prlimit --pid "$sgpid" --fsize=unlimited:unlimited
	aud_curl "$sock" "$AUD/lim5.out" http://d/_ping
	check_eq "audit: fsize: limit raised: requests work again" 200 "$AC_CODE"
	sg_stop audlim
	cp "$log" "$W/audit-fsize.log" 2>/dev/null
}

aud_teardown() {
	local f
	sg_stop aud
	check_rc "audit: sockguard exits 0 on SIGTERM" 0 $?
	[ -n "${AUD_FS:-}" ] && { umount "$AUD_FS" || umount -l "$AUD_FS"; }
	dd_ rm -f sgau-c sgau-run sgau-full >/dev/null 2>&1
	check_eq "audit: no containers left behind" "" \
	    "$(dd_ ps -aq --filter name=sgau-)"
	for f in "$AUD"/audit.log*; do cp "$f" "$W/main-${f##*/}.log"; done 2>/dev/null
	rm -rf "$AUD"
}

run_cases aud_setup aud_cli aud_rotate aud_reopen_refused aud_diskfull aud_fsize \
    aud_teardown
