# shellcheck shell=bash
# The real docker CLI (/usr/bin/docker, 20.10) through sockguard.  Where the
# output is deterministic it must equal what the same command prints
# against dockerd directly.  Everything created here is removed at the end.
#
# Sourced by tests/integration/run: uses dk, dd_, $IMG, $W from there.
# t_tls.sh sources it again with DK_HOST and DK_CERTS pointing dk at a
# mutual-TLS listener, IT_PREFIX="tls: " on the check names and the
# cases it runs in CLI_CASES.

CLI=$W/cli
mkdir -p "$CLI"
# A long-running container most cases use.  sh as PID 1 with a TERM trap,
# so `docker stop` does not wait for its 10 s timeout.
LOOP='trap "exit 0" TERM; while :; do sleep 0.1; done'

cli_version() {
	local out rc
	out=$(dk version 2>&1)
	rc=$?
	check_rc "cli: version exits 0" 0 $rc "$out"
	check_match "cli: version shows the server" \
	    '^Server:|Engine:' "$out"
	check_same "cli: version --format server version/API" \
	    version --format '{{.Server.Version}} {{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Server.Os}}'
}

cli_info() {
	local out rc
	out=$(dk info 2>&1)
	rc=$?
	check_rc "cli: info exits 0" 0 $rc "$out"
	check_same "cli: info --format" \
	    info --format '{{.ServerVersion}}|{{.Driver}}|{{.DockerRootDir}}|{{.Images}}|{{.ID}}'
}

cli_setup_container() {
	local out
	out=$(dd_ run -d --name sgit-run "$IMG" sh -c "$LOOP" 2>&1) ||
	    fail "cli: setup: start sgit-run directly" "$out"
}

cli_ps() {
	local out rc
	out=$(dk ps 2>&1)
	rc=$?
	check_rc "cli: ps" 0 $rc "$out"
	check_match "cli: ps lists sgit-run" 'sgit-run$' "$out"
	check_same "cli: ps -a --no-trunc --format" \
	    ps -a --no-trunc --format '{{.ID}} {{.Image}} {{.Command}} {{.Names}}'
	check_same "cli: ps --filter name=sgit-run -q" \
	    ps --filter name=sgit-run -q
	check_same "cli: images --format" \
	    images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'
}

cli_inspect() {
	check_same "cli: inspect --format (container)" \
	    inspect --format '{{.Id}} {{.Name}} {{.Config.Image}} {{.State.Status}} {{.Config.Cmd}}' sgit-run
	check_same "cli: image inspect --format" \
	    image inspect --format '{{.Id}} {{.RepoTags}} {{.Size}}' "$IMG"
	local out rc
	out=$(dk inspect sgit-no-such-container 2>&1)
	rc=$?
	check_rc "cli: inspect of a missing container fails like dockerd" 1 $rc "$out"
	check_match "cli: inspect of a missing container says No such" \
	    'No such (object|container)' "$out"
}

cli_run() {
	local out rc
	out=$(dk run --rm "$IMG" echo hi 2>&1)
	check_eq "cli: run --rm echo hi" "hi" "$out"
	check_same "cli: run --rm echo (same as direct)" \
	    run --rm "$IMG" echo hello world
	out=$(dk run --rm "$IMG" sh -c 'echo out; echo err >&2' 2>"$CLI/err")
	check_eq "cli: run stdout separate from stderr" "out" "$out"
	check_eq "cli: run stderr separate from stdout" "err" "$(cat "$CLI/err")"
	dk run --rm "$IMG" sh -c 'exit 3' >/dev/null 2>&1
	rc=$?
	check_rc "cli: run exit status passes through" 3 $rc
	out=$(dk run --rm -t "$IMG" echo tty 2>&1)
	check_eq "cli: run -t (tty stream)" "$(printf 'tty\r')" "$out"
	out=$(dk run --rm "$IMG" sh -c 'seq 1 20000' | md5)
	check_eq "cli: run with 100 KB of output" \
	    "$(seq 1 20000 | md5)" "$out"
}

cli_logs() {
	local cid out
	cid=$(dk run -d --name sgit-logs "$IMG" \
	    sh -c 'for i in 1 2 3 4 5; do echo line$i; sleep 0.2; done' 2>&1)
	check_match "cli: run -d prints the id" '^[0-9a-f]{64}$' "$cid"
	out=$(DK_TIMEOUT=20 dk logs -f sgit-logs 2>&1)
	check_eq "cli: logs -f follows until the container exits" \
	    "$(printf 'line%s\n' 1 2 3 4 5)" "$out"
	out=$(DK_TIMEOUT=20 dk wait sgit-logs 2>&1)
	check_eq "cli: wait" "0" "$out"
	check_same "cli: logs (stopped container)" logs sgit-logs
	check_same "cli: logs --tail 2" logs --tail 2 sgit-logs
	out=$(dk rm sgit-logs 2>&1)
	check_eq "cli: rm" "sgit-logs" "$out"
}

cli_exec() {
	local out rc
	check_same "cli: exec echo" exec sgit-run echo hello
	out=$(dk exec sgit-run sh -c 'echo a; echo b >&2; exit 4' \
	    2>"$CLI/err")
	rc=$?
	check_eq "cli: exec stdout" "a" "$out"
	check_eq "cli: exec stderr" "b" "$(cat "$CLI/err")"
	check_rc "cli: exec exit status" 4 $rc
	out=$(echo data | dk exec -i sgit-run cat 2>&1)
	check_eq "cli: echo data | exec -i cat" "data" "$out"
	head -c 1048576 /dev/urandom >"$CLI/1m"
	out=$(dk exec -i sgit-run sh -c 'wc -c' <"$CLI/1m" 2>&1)
	check_eq "cli: exec -i wc -c of 1 MiB (stdin half-close)" \
	    "1048576" "$(echo "$out" | tr -d ' ')"
	out=$(dk exec -i sgit-run md5sum <"$CLI/1m" 2>&1)
	check_eq "cli: exec -i md5sum of 1 MiB" \
	    "$(md5 <"$CLI/1m")  -" "$out"
	out=$(dk exec -t sgit-run echo tty 2>&1)
	check_eq "cli: exec -t (tty stream)" "$(printf 'tty\r')" "$out"
}

cli_exited() {
	[ "$(dd_ inspect --format '{{.State.Status}}' "$1" 2>&1)" = exited ]
}

cli_attach() {
	local out
	out=$(printf 'x\ny\n' | dk run -i --rm "$IMG" cat 2>&1)
	check_eq "cli: printf | run -i --rm cat" "$(printf 'x\ny')" "$out"
	out=$(dk run -i --rm "$IMG" md5sum <"$CLI/1m" 2>&1)
	check_eq "cli: run -i md5sum of 1 MiB" "$(md5 <"$CLI/1m")  -" "$out"

	dd_ create -i --name sgit-att "$IMG" \
	    sh -c 'read l; echo got:$l' >/dev/null 2>&1
	out=$(echo hello | dk start -ai sgit-att 2>&1)
	check_eq "cli: echo | start -ai" "got:hello" "$out"

	dd_ run -d -i --name sgit-att2 "$IMG" \
	    sh -c 'read l; echo got:$l; read m; echo got:$m' >/dev/null 2>&1
	# dockerd ends an attach's output when its stdin ends (the container
	# was not started with StdinOnce), so stdin stays open until the
	# container has exited.
	out=$( (printf 'one\ntwo\n'; wait_for 20 cli_exited sgit-att2) |
	    DK_TIMEOUT=30 dk attach sgit-att2 2>&1)
	check_eq "cli: printf | attach (container waiting on stdin)" \
	    "$(printf 'got:one\ngot:two')" "$out"
	dd_ rm -f sgit-att sgit-att2 >/dev/null 2>&1
}

cli_cp() {
	local out
	head -c 2500000 /dev/urandom >"$CLI/cp.bin"
	out=$(dk cp "$CLI/cp.bin" sgit-run:/tmp/cp.bin 2>&1)
	check_rc "cli: cp into a container" 0 $? "$out"
	out=$(dd_ exec sgit-run md5sum /tmp/cp.bin 2>&1)
	check_eq "cli: cp in: contents arrive intact" \
	    "$(md5 <"$CLI/cp.bin")  /tmp/cp.bin" "$out"
	rm -f "$CLI/cp.out"
	out=$(dk cp sgit-run:/tmp/cp.bin "$CLI/cp.out" 2>&1)
	check_rc "cli: cp out of a container" 0 $? "$out"
	check_eq "cli: cp out: contents intact" \
	    "$(md5 <"$CLI/cp.bin")" "$(md5 <"$CLI/cp.out" 2>&1)"
	check_same_md5 "cli: cp out as a tar stream equals direct" \
	    cp sgit-run:/tmp/cp.bin -
	mkdir -p "$CLI/cpdir/sub"
	for i in 1 2 3; do echo "file $i" >"$CLI/cpdir/sub/f$i"; done
	dk cp "$CLI/cpdir" sgit-run:/tmp/ >/dev/null 2>&1
	check_same "cli: cp of a directory in" \
	    exec sgit-run sh -c 'cat /tmp/cpdir/sub/f1 /tmp/cpdir/sub/f2 /tmp/cpdir/sub/f3'
}

cli_save_load() {
	local big=$W/bigroot id out n a b
	mkdir -p "$big"
	cp -a "$ROOTFS/." "$big/"
	head -c 110000000 /dev/urandom >"$big/big"
	tar -C "$big" -c . | dd_ import - sgit-big:1 >/dev/null
	id=$(dd_ image inspect --format '{{.Id}}' sgit-big:1)
	rm -rf "$big"

	a=$(dd_ save sgit-big:1 | md5)
	dk save -o "$CLI/save.tar" sgit-big:1 >"$CLI/save.err" 2>&1
	check_rc "cli: save of a 110 MB image" 0 $? "$(cat "$CLI/save.err")"
	n=$(stat -c %s "$CLI/save.tar" 2>/dev/null || echo 0)
	check_true "cli: save wrote over 100 MB" "only $n bytes" \
	    test "$n" -gt 100000000
	b=$(md5 <"$CLI/save.tar")
	check_eq "cli: save through sockguard equals save direct" "$a" "$b"
	rm -f "$CLI/save.tar"

	# Load back under another tag, with the image gone from the daemon.
	dd_ tag sgit-big:1 sgit-big:reload
	dk save sgit-big:reload >"$CLI/reload.tar" 2>"$CLI/save.err"
	check_rc "cli: save (to stdout)" 0 $? "$(cat "$CLI/save.err")"
	dd_ rmi sgit-big:1 sgit-big:reload >/dev/null 2>&1
	out=$(dd_ image inspect sgit-big:reload 2>&1) &&
	    fail "cli: setup: rmi before load" "$out"
	out=$(dk load -i "$CLI/reload.tar" 2>&1)
	check_eq "cli: load of a 110 MB image" \
	    "Loaded image: sgit-big:reload" "$out"
	check_eq "cli: loaded image has the original id" "$id" \
	    "$(dd_ image inspect --format '{{.Id}}' sgit-big:reload 2>&1)"
	dd_ rmi sgit-big:reload >/dev/null 2>&1
	out=$(dk load <"$CLI/reload.tar" 2>&1)
	check_eq "cli: load from stdin" "Loaded image: sgit-big:reload" "$out"
	out=$(dk run --rm sgit-big:reload sh -c 'wc -c </big' 2>&1)
	check_eq "cli: the loaded big file is whole" "110000000" \
	    "$(echo "$out" | tr -d ' ')"
	rm -f "$CLI/reload.tar"
	dd_ rmi sgit-big:reload >/dev/null 2>&1
}

cli_build() {
	local ctx=$CLI/ctx out rc
	mkdir -p "$ctx"
	head -c 4000000 /dev/urandom >"$ctx/f"
	printf 'FROM %s\nCOPY f /f\nRUN md5sum /f >/f.md5\nCMD ["cat", "/f.md5"]\n' \
	    "$IMG" >"$ctx/Dockerfile"
	out=$(DOCKER_BUILDKIT=0 dk build -t sgit-build:0 "$ctx" 2>&1)
	rc=$?
	check_rc "cli: build (classic builder, 4 MB context)" 0 $rc "$out"
	check_match "cli: build output reaches the client" \
	    'Successfully tagged sgit-build:0' "$out"
	if [ $rc -eq 0 ]; then
		out=$(dd_ run --rm sgit-build:0 2>&1)
		check_eq "cli: built image holds the context file" \
		    "$(md5 <"$ctx/f")  /f" "$out"
	else
		skip "cli: built image holds the context file" "the build failed"
	fi
	# A failing build reports the error.
	printf 'FROM %s\nRUN exit 7\n' "$IMG" >"$CLI/Dockerfile.fail"
	out=$(DOCKER_BUILDKIT=0 dk build --force-rm -f "$CLI/Dockerfile.fail" \
	    "$ctx" 2>&1)
	rc=$?
	check_true "cli: failing build fails" "exit 0: $out" test $rc -ne 0
	check_match "cli: failing build shows the error" \
	    'returned a non-zero code: 7' "$out"
	dd_ rmi sgit-build:0 >/dev/null 2>&1
}

cli_buildkit() {
	local p=$CLI/bkprobe ctx=$CLI/bkctx out rc
	mkdir -p "$p" "$ctx"
	printf 'FROM %s\nRUN echo probe >/p\n' "$IMG" >"$p/Dockerfile"
	# RUN needs --network none: this daemon has no bridge network.
	out=$(DOCKER_BUILDKIT=1 DK_TIMEOUT=60 dd_ build --network none \
	    -t sgit-bkprobe:1 "$p" 2>&1)
	rc=$?
	dd_ rmi sgit-bkprobe:1 >/dev/null 2>&1
	if [ $rc -ne 0 ]; then
		skip "cli: BuildKit build" "BuildKit does not work against \
this dockerd even directly (exit $rc): $(echo "$out" | tail -1)"
		return
	fi
	head -c 3000000 /dev/urandom >"$ctx/f"
	printf 'FROM %s\nCOPY f /f\nRUN md5sum /f >/f.md5\n' "$IMG" \
	    >"$ctx/Dockerfile"
	out=$(DOCKER_BUILDKIT=1 DK_TIMEOUT=60 dk build --network none \
	    -t sgit-bk:1 "$ctx" 2>&1)
	rc=$?
	check_rc "cli: BuildKit build (session upgrade, 3 MB context)" 0 $rc \
	    "$out"
	if [ $rc -eq 0 ]; then
		out=$(dd_ run --rm sgit-bk:1 cat /f.md5 2>&1)
		check_eq "cli: BuildKit-built image holds the context file" \
		    "$(md5 <"$ctx/f")  /f" "$out"
	else
		skip "cli: BuildKit-built image holds the context file" \
		    "the build failed"
	fi
	dd_ rmi sgit-bk:1 >/dev/null 2>&1
	DK_TIMEOUT=30 dd_ builder prune -af >/dev/null 2>&1
}

cli_events() {
	local t0 t1 out i
	t0=$(date +%s)
	dk run --rm --name sgit-ev --label sgit-ev=1 "$IMG" true >/dev/null 2>&1
	sleep 1
	t1=$(date +%s)
	out=$(DK_TIMEOUT=20 dk events --since "$t0" --until "$t1" \
	    --filter container=sgit-ev --format '{{.Status}}' 2>&1)
	check_match "cli: events --since/--until shows the container's start" \
	    '^start$' "$(echo "$out" | grep -x start)"
	check_same "cli: events --since/--until equal direct" \
	    events --since "$t0" --until "$t1" --filter container=sgit-ev \
	    --format '{{.Type}} {{.Status}} {{.Actor.Attributes.name}}'

	# A live stream: replayed events show it is connected, then a new
	# container's events must arrive while it streams.
	dk_bg "$CLI/events" events --since "$t0" --filter label=sgit-ev=1 \
	    --format '{{.Actor.Attributes.name}} {{.Status}}'
	local pid=$DK_BG_PID
	if ! wait_for 10 grep -qx 'sgit-ev destroy' "$CLI/events"; then
		fail "cli: events stream replays --since" "$(cat "$CLI/events")"
	else
		pass "cli: events stream replays --since"
	fi
	dd_ run --rm --name sgit-ev2 --label sgit-ev=1 "$IMG" true \
	    >/dev/null 2>&1
	if wait_for 10 grep -qx 'sgit-ev2 destroy' "$CLI/events"; then
		pass "cli: events stream delivers live events"
	else
		fail "cli: events stream delivers live events" \
		    "after 10 s the stream holds:" "$(cat "$CLI/events")"
	fi
	kill -0 "$pid" 2>/dev/null
	check_rc "cli: events stream stays open" 0 $?
	stop_pid "$pid"
}

cli_stats_top() {
	local out
	out=$(DK_TIMEOUT=30 dk stats --no-stream --format '{{.Name}} {{.ID}}' sgit-run 2>&1)
	check_eq "cli: stats --no-stream" \
	    "sgit-run $(dd_ inspect --format '{{.Id}}' sgit-run | cut -c1-12)" \
	    "$out"
	out=$(dk top sgit-run 2>&1)
	check_match "cli: top lists the container's processes" \
	    'trap "exit 0" TERM' "$out"
}

cli_lifecycle() {
	local out
	out=$(dk pause sgit-run 2>&1)
	check_eq "cli: pause" "sgit-run" "$out"
	check_eq "cli: paused" "paused" \
	    "$(dd_ inspect --format '{{.State.Status}}' sgit-run)"
	out=$(dk unpause sgit-run 2>&1)
	check_eq "cli: unpause" "sgit-run" "$out"
	out=$(dk rename sgit-run sgit-run2 2>&1 && dk rename sgit-run2 sgit-run 2>&1)
	check_eq "cli: rename and back" "" "$out"
	dd_ exec sgit-run touch /tmp/changed
	# dockerd lists changes in no fixed order.
	local da db
	da=$(dk diff sgit-run 2>&1)
	check_rc "cli: diff" 0 $? "$da"
	db=$(dd_ diff sgit-run 2>&1)
	check_match "cli: diff shows the change" '^A /tmp/changed$' "$da"
	check_eq "cli: diff (sorted) equals direct" "$(echo "$db" | sort)" \
	    "$(echo "$da" | sort)"
	out=$(dk commit sgit-run sgit-commit:1 2>&1)
	check_match "cli: commit" '^sha256:[0-9a-f]{64}$' "$out"
	if dd_ image inspect sgit-commit:1 >/dev/null 2>&1; then
		check_same "cli: committed image keeps the change" \
		    run --rm sgit-commit:1 ls /tmp/changed
		dd_ rmi sgit-commit:1 >/dev/null 2>&1
	else
		skip "cli: committed image keeps the change" "commit failed"
	fi
	out=$(DK_TIMEOUT=30 dk stop sgit-run 2>&1)
	check_eq "cli: stop" "sgit-run" "$out"
	check_eq "cli: stopped" "exited" \
	    "$(dd_ inspect --format '{{.State.Status}}' sgit-run)"
	check_same_md5 "cli: export equals direct" export sgit-run
	out=$(dk start sgit-run 2>&1)
	check_eq "cli: start" "sgit-run" "$out"
	out=$(dk kill sgit-run 2>&1)
	check_eq "cli: kill" "sgit-run" "$out"
	out=$(dk rm sgit-run 2>&1)
	check_eq "cli: rm" "sgit-run" "$out"
	out=$(dd_ inspect sgit-run 2>&1) &&
	    fail "cli: container is gone after rm" "$out"
}

cli_volume() {
	local out
	out=$(dk volume create sgit-vol 2>&1)
	check_eq "cli: volume create" "sgit-vol" "$out"
	check_same "cli: volume ls" volume ls --format '{{.Driver}} {{.Name}}'
	check_same "cli: volume inspect" volume inspect \
	    --format '{{.Name}} {{.Driver}} {{.Mountpoint}}' sgit-vol
	dk run --rm -v sgit-vol:/v "$IMG" sh -c 'echo persisted >/v/f' \
	    >/dev/null 2>&1
	out=$(dk run --rm -v sgit-vol:/v "$IMG" cat /v/f 2>&1)
	check_eq "cli: volume keeps data between containers" "persisted" "$out"
	out=$(dk volume rm sgit-vol 2>&1)
	check_eq "cli: volume rm" "sgit-vol" "$out"
	out=$(dd_ volume ls -q)
	check_nomatch "cli: volume is gone" '^sgit-vol$' "$out"
}

cli_network() {
	local out
	out=$(dk network create sgit-net 2>&1)
	check_match "cli: network create (bridge)" '^[0-9a-f]{64}$' "$out"
	check_same "cli: network ls" network ls --no-trunc \
	    --format '{{.ID}} {{.Name}} {{.Driver}} {{.Scope}}'
	check_same "cli: network inspect" network inspect \
	    --format '{{.Name}} {{.Driver}} {{.Internal}}' sgit-net
	out=$(dk run --rm --network sgit-net "$IMG" echo net-ok 2>&1)
	check_eq "cli: run on the network" "net-ok" "$out"
	out=$(dk network rm sgit-net 2>&1)
	check_eq "cli: network rm" "sgit-net" "$out"
	out=$(dd_ network ls --format '{{.Name}}')
	check_nomatch "cli: network is gone" '^sgit-net$' "$out"
}

cli_cleanup() {
	local left
	left=$(dd_ ps -aq)
	if [ -n "$left" ]; then
		fail "cli: no containers left behind" \
		    "$(dd_ ps -a --format '{{.Names}} {{.Status}}')"
		dd_ rm -f $left >/dev/null 2>&1
	else
		pass "cli: no containers left behind"
	fi
	check_eq "cli: no images left behind" "$IMG" \
	    "$(dd_ images --format '{{.Repository}}:{{.Tag}}')"
	check_eq "cli: no volumes left behind" "" "$(dd_ volume ls -q)"
	check_eq "cli: no networks left behind" "$(printf 'host\nnone')" \
	    "$(dd_ network ls --format '{{.Name}}' | sort)"
	rm -rf "$CLI"
}

# CLI_CASES: a subset, in this order (cli_setup_container makes, and
# cli_lifecycle removes, the container most cases use).
# shellcheck disable=SC2086
run_cases ${CLI_CASES:-cli_version cli_info cli_setup_container cli_ps \
    cli_inspect cli_run cli_logs cli_exec cli_attach cli_cp cli_save_load \
    cli_build cli_buildkit cli_events cli_stats_top cli_lifecycle \
    cli_volume cli_network cli_cleanup}
