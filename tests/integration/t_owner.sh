# shellcheck shell=bash
# Ownership (issue 8, sockguard-rules(5) ownership:): two CI tenants on
# one dockerd, each through its own sockguard socket, must each see and
# touch only what they created.
#
# One extra sockguard ("owner") with six listeners:
#   job-a, job-b  profile "tenant": the usual CI operations and
#                 ownership: {owner: "${listener}"} (the default label)
#   admin         profile "admin": everything, no ownership (the control)
#   nocert        profile "certowned": owner "${cert_cn}", which a unix
#                 client does not have, so every request is refused
#   "job c"       profile "tenant": the owner value "job c" holds a byte
#                 outside [A-Za-z0-9._@:/+-], so every request is refused
#   (no name)     profile "tenant" (the default): the owner is the path
# Tenant A makes a container, a volume, a network, an exec instance, an
# image (classic builder); tenant B tries every operation on them by
# name, full id and id prefix (refused, naming rule ownership, A's
# objects unchanged) while A's own operations work; lists, system df,
# events and prunes are checked for leaks; a docker-compose project runs
# inside A, and B using the same project name fails without touching it.
#
# Ground truth comes from dockerd directly (dd_).  Everything made here is
# removed at the end; the images, volumes, networks and containers dockerd
# had before are what it has after.
#
# Sourced by tests/integration/run: uses dks, dd_, $IMG, $W, $DD_SOCK,
# $ROOTFS.

OW=$W/own
OW_A=$W/own-a.sock		# listener job-a, profile tenant
OW_B=$W/own-b.sock		# listener job-b, profile tenant
OW_ADM=$W/own-adm.sock		# listener admin, profile admin
OW_NC=$W/own-nc.sock		# listener nocert, profile certowned
OW_BAD=$W/own-bad.sock		# listener "job c", profile tenant
OW_NONAME=$W/own-noname.sock	# a listener without a name: the default
				# profile, tenant; the owner is the path
OW_AUDIT=$OW/audit.log
OW_LABEL=io.sockguard.owner
OW_LOOP='trap "exit 0" TERM; while :; do sleep 0.1; done'
OW_PROJ=sgown$$			# the compose project name (unique per run)
# What a refusal of another tenant's object says (after "denied by rule
# ownership (profile tenant): ").
OW_NOT="[^\"]*not this client's"
mkdir -p "$OW/work" "$OW/ctx-a" "$OW/ctx-b" "$OW/compose"

oa() { dks "$OW_A" "$@"; }
ob() { dks "$OW_B" "$@"; }
oadm() { dks "$OW_ADM" "$@"; }

# own_api SOCK METHOD PATH [CURL-ARGS...]: one API request (/v1.41
# prefixed); API_CODE and API_BODY.
own_api() {
	local sock=$1 m=$2 p=$3 opt f=${OW_APIF:-$OW/api.body}
	opt=(-X "$m")
	shift 3
	[ "$m" = HEAD ] && opt=(-I)
	API_CODE=$(curl -s -m 20 "${opt[@]}" -o "$f" -w '%{http_code}' \
	    --unix-socket "$sock" "$@" "http://d/v1.41$p" 2>/dev/null)
	API_BODY=$(cat "$f" 2>/dev/null)
	API_BODY=${API_BODY%$'\n'}
}

# Checks can be queued: with OWN_PAR set, own_refused, own_api_refused
# and own_ok start their request in the background (four at a time) and
# own_flush waits for them and judges them in the order they were queued.
# Only for requests that do not depend on one another (refusals, reads).
OQ=()			# kind TAB name TAB argument, per queued check
OQ_PIDS=()
OWN_PAR=

# _own_bg FILE CMD...: CMD in the background, output in FILE, exit
# status in FILE.rc.
_own_bg() {
	local f=$1
	shift
	if [ ${#OQ_PIDS[@]} -ge 4 ]; then
		wait "${OQ_PIDS[0]}"
		OQ_PIDS=("${OQ_PIDS[@]:1}")
	fi
	( "$@" >"$f" 2>&1 </dev/null; echo $? >"$f.rc" ) &
	OQ_PIDS+=($!)
}

# _own_api_print SOCK METHOD PATH [CURL-ARGS...]: prints "CODE BODY".
_own_api_print() {
	local OW_APIF=$OW/api.$BASHPID
	own_api "$@"
	rm -f "$OW_APIF"
	printf '%s %s' "$API_CODE" "$API_BODY"
}

_own_judge_refused() {	# NAME ERE RC OUTPUT
	if [ "$3" -eq 0 ]; then
		fail "$1" "allowed (exit 0):" "$4"
	else
		check_match "$1" "Error response from daemon: sockguard: denied by rule ownership \\(profile [a-z]+\\): $2" \
		    "$4"
	fi
}
_own_judge_api() {	# NAME METHOD ERE "CODE BODY"
	if [ "$2" = HEAD ]; then
		check_eq "$1" 403 "${4%% *}"
	else
		check_match "$1" "^403 \\{\"message\":\"sockguard: denied by rule ownership \\(profile [a-z]+\\): $3" \
		    "$4"
	fi
}
_own_judge_ok() {	# NAME EXPECTED RC OUTPUT
	if [ "$3" -ne 0 ]; then
		fail "$1" "exit status $3:" "$4"
	else
		check_eq "$1" "$2" "$4"
	fi
}

own_flush() {
	local i pid kind name arg f
	for pid in "${OQ_PIDS[@]}"; do
		wait "$pid"
	done
	OQ_PIDS=()
	for i in "${!OQ[@]}"; do
		IFS=$'\t' read -r kind name arg <<<"${OQ[$i]}"
		f=$OW/q.$i
		case $kind in
		refused) _own_judge_refused "$name" "$arg" "$(cat "$f.rc")" "$(cat "$f")" ;;
		ok) _own_judge_ok "$name" "$arg" "$(cat "$f.rc")" "$(cat "$f")" ;;
		api:*) _own_judge_api "$name" "${kind#api:}" "$arg" "$(cat "$f")" ;;
		esac
		rm -f "$f" "$f.rc"
	done
	OQ=()
}

# own_refused NAME SOCK ERE ARGS...: `docker ARGS` through SOCK fails and
# prints the ownership refusal, its reason matching ERE.
own_refused() {
	local name=$1 sock=$2 ere=$3 out rc
	shift 3
	if [ -n "$OWN_PAR" ]; then
		_own_bg "$OW/q.${#OQ[@]}" dks "$sock" "$@"
		OQ+=("refused"$'\t'"$name"$'\t'"$ere")
		return
	fi
	out=$(dks "$sock" "$@" 2>&1 </dev/null)
	rc=$?
	_own_judge_refused "$name" "$ere" $rc "$out"
}
# own_bno NAME ARGS...: B's `docker ARGS` is refused: not B's.
own_bno() {
	local name=$1
	shift
	own_refused "$name" "$OW_B" "$OW_NOT" "$@"
}

# own_api_refused NAME SOCK ERE METHOD PATH [CURL-ARGS...]: 403 with the
# ownership refusal (for HEAD, which has no body: 403).
own_api_refused() {
	local name=$1 sock=$2 ere=$3 m=$4
	shift 3
	if [ -n "$OWN_PAR" ]; then
		_own_bg "$OW/q.${#OQ[@]}" _own_api_print "$sock" "$@"
		OQ+=("api:$m"$'\t'"$name"$'\t'"$ere")
		return
	fi
	own_api "$sock" "$@"
	_own_judge_api "$name" "$m" "$ere" "$API_CODE $API_BODY"
}
own_api_bno() {
	local name=$1
	shift
	own_api_refused "$name" "$OW_B" "$OW_NOT" "$@"
}

# own_ok NAME EXPECTED SOCK ARGS...: `docker ARGS` succeeds and prints
# exactly EXPECTED.
own_ok() {
	local name=$1 want=$2 sock=$3 out rc
	shift 3
	if [ -n "$OWN_PAR" ]; then
		_own_bg "$OW/q.${#OQ[@]}" dks "$sock" "$@"
		OQ+=("ok"$'\t'"$name"$'\t'"$want")
		return
	fi
	out=$(dks "$sock" "$@" 2>&1 </dev/null)
	rc=$?
	_own_judge_ok "$name" "$want" $rc "$out"
}

# The owner label of a container, volume, network or image, directly.
own_label_of() {
	dd_ "$1" inspect --format "{{index .${3-Config.}Labels \"$OW_LABEL\"}}" \
	    "$2" 2>&1
}

# What dockerd has (to compare before and after this file).
own_inventory() {
	echo "containers: $(dd_ ps -aq --no-trunc | sort | tr '\n' ' ')"
	echo "images: $(dd_ images -q --no-trunc | sort -u | tr '\n' ' ')"
	echo "volumes: $(dd_ volume ls -q | sort | tr '\n' ' ')"
	echo "networks: $(dd_ network ls -q --no-trunc | sort | tr '\n' ' ')"
}

# ------------------------------------------------------------------ setup

own_setup() {
	local ok=1 s
	OW_INV0=$(own_inventory)
	cat >"$OW/rules.yaml" <<EOF
version: 1
default_profile: tenant
identities:
  - match: {listener: job-a}
    profile: tenant
  - match: {listener: job-b}
    profile: tenant
  - match: {listener: "job c"}
    profile: tenant
  - match: {listener: admin}
    profile: admin
  - match: {listener: nocert}
    profile: certowned
profiles:
  admin:
    endpoints: [{name: everything, allow: "* /**"}]
  tenant:
    # rules/ci.yaml's endpoints, with commit, and without its denials of
    # swarm, services, ...: those are refused by ownership itself.
    endpoints: &ep
      - {name: read, allow: "GET,HEAD /**"}
      - {name: containers, allow: "POST,PUT,DELETE /containers/**"}
      - {name: exec, allow: "POST /exec/**"}
      - {name: images, allow: "POST,DELETE /images/**"}
      - {name: build, allow: "POST /build/**"}
      - {name: commit, allow: "POST /commit"}
      - {name: volumes, allow: "POST,DELETE /volumes/**"}
      - {name: networks, allow: "POST,DELETE /networks/**"}
      - {name: login, allow: "POST /auth"}
      - {name: cluster, allow: "POST,DELETE /swarm/**"}
      - {name: services, allow: "POST,DELETE /services/**"}
      - {name: secrets, allow: "POST,DELETE /secrets/**"}
      - {name: configs, allow: "POST,DELETE /configs/**"}
      - {name: plugins, allow: "POST,DELETE /plugins/**"}
    containers: &ct
      privileged: false
      host_namespaces: false
      devices: false
      unconfined: false
      bind_mounts:
        allow: [$OW/work]
        propagation: false
      joins: checked
    build: &bd
      buildkit: false
      host_network: false
    ownership:
      owner: "\${listener}"
  certowned:
    endpoints: *ep
    containers: *ct
    build: *bd
    ownership:
      label: $OW_LABEL
      owner: "\${cert_cn}"
EOF
	cat >"$W/owner.yaml" <<EOF
upstream: $DD_SOCK
listen:
  - unix: $OW_A
    name: job-a
  - unix: $OW_B
    name: job-b
  - unix: $OW_ADM
    name: admin
  - unix: $OW_NC
    name: nocert
  - unix: $OW_BAD
    name: "job c"
  - unix: $OW_NONAME
rules: $OW/rules.yaml
audit:
  path: $OW_AUDIT
EOF
	sg_start owner || ok=0
	for s in "$OW_B" "$OW_ADM" "$OW_NC" "$OW_BAD" "$OW_NONAME"; do
		wait_for 5 sock_accepts "$s" || ok=0
	done
	if [ $ok = 1 ]; then
		pass "owner: setup: sockguard with two tenants (job-a, job-b), admin, nocert, \"job c\", no name"
	else
		fail "owner: setup: sockguard with two tenants (job-a, job-b), admin, nocert, \"job c\", no name" \
		    "$(tail -5 "$W/owner.log")"
		return 1
	fi
	if ! command -v docker-compose >/dev/null; then
		fail "owner: setup: docker-compose is installed (make deps-test)"
	fi
}

# Tenant A's objects (and some of B's), made through their sockets.
own_make() {
	local out rc bb
	# B's image is built while A makes its objects.
	printf 'FROM %s\nRUN echo built-b >/built\n' "$IMG" \
	    >"$OW/ctx-b/Dockerfile"
	(
		DOCKER_BUILDKIT=0 ob build -q -t ob-img:1 "$OW/ctx-b" \
		    >"$OW/build-b.out" 2>&1
		echo $? >"$OW/build-b.rc"
	) &
	bb=$!
	out=$(oa volume create oa-vol 2>&1)
	check_eq "owner: A: volume create" oa-vol "$out"
	check_eq "owner: A: the volume carries $OW_LABEL=job-a" job-a \
	    "$(own_label_of volume oa-vol '')"
	out=$(oa network create oa-net 2>&1)
	check_match "owner: A: network create" '^[0-9a-f]{64}$' "$out"
	OA_NET=$out
	check_eq "owner: A: the network carries $OW_LABEL=job-a" job-a \
	    "$(own_label_of network oa-net '')"
	out=$(oa run -d --name oa-c1 -v oa-vol:/data --network oa-net \
	    "$IMG" sh -c "echo oa-started; $OW_LOOP" 2>&1)
	check_match "owner: A: run -d -v oa-vol --network oa-net" \
	    '^[0-9a-f]{64}$' "$out"
	OA_CID=$out
	check_eq "owner: A: the container carries $OW_LABEL=job-a" job-a \
	    "$(own_label_of container oa-c1)"
	out=$(oa create --name oa-stop "$IMG" sh -c 'exit 3' 2>&1)
	check_match "owner: A: create (a stopped container)" '^[0-9a-f]{64}$' \
	    "$out"
	OA_STOP=$out
	# An exec instance, created and never started.
	own_api "$OW_A" POST /containers/oa-c1/exec \
	    -H 'Content-Type: application/json' \
	    -d '{"Cmd":["echo","exec-a"],"AttachStdout":true}'
	OA_EXEC=$(printf '%s' "$API_BODY" | sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
	check_match "owner: A: exec create (API)" '^201 [0-9a-f]{64}$' \
	    "$API_CODE $OA_EXEC"

	# An image: its Dockerfile claims B's label, --label adds another;
	# the owner label of the result is A's all the same.
	printf 'FROM %s\nLABEL %s=job-b\nRUN echo built-a >/built\n' \
	    "$IMG" "$OW_LABEL" >"$OW/ctx-a/Dockerfile"
	out=$(DOCKER_BUILDKIT=0 oa build -q --label extra=1 -t oa-img:1 \
	    "$OW/ctx-a" 2>&1)
	rc=$?
	check_rc "owner: A: build -t oa-img:1 (classic builder)" 0 $rc "$out"
	OA_IMG=$(dd_ image inspect --format '{{.Id}}' oa-img:1 2>&1)
	OA_IMG=${OA_IMG#sha256:}
	check_eq "owner: A: the image carries $OW_LABEL=job-a (not the Dockerfile's job-b) and extra=1" \
	    "job-a 1" \
	    "$(dd_ image inspect --format "{{index .Config.Labels \"$OW_LABEL\"}} {{index .Config.Labels \"extra\"}}" oa-img:1 2>&1)"
	# A's image under a registry name, for push (nothing listens there).
	out=$(oa tag oa-img:1 127.0.0.1:9/oa-img:1 2>&1)
	check_rc "owner: A: tag its image" 0 $? "$out"

	# B's own objects.
	out=$(ob volume create ob-vol 2>&1)
	check_eq "owner: B: volume create" ob-vol "$out"
	out=$(ob network create ob-net 2>&1)
	check_match "owner: B: network create" '^[0-9a-f]{64}$' "$out"
	out=$(ob run -d --name ob-c1 -v ob-vol:/data --network ob-net \
	    "$IMG" sh -c "$OW_LOOP" 2>&1)
	check_match "owner: B: run -d -v ob-vol --network ob-net" \
	    '^[0-9a-f]{64}$' "$out"
	OB_CID=$out
	check_eq "owner: B: the container carries $OW_LABEL=job-b" job-b \
	    "$(own_label_of container ob-c1)"
	wait $bb
	check_rc "owner: B: build -t ob-img:1 (at the same time as A's)" 0 \
	    "$(cat "$OW/build-b.rc")" "$(cat "$OW/build-b.out")"
	echo "from-b" >"$OW/work/bfile"
}

# A fingerprint of A's objects that anything B might do would change.
own_a_state() {
	dd_ inspect --format '{{.Name}} {{.State.Status}} {{.State.Paused}} {{.State.StartedAt}} {{.RestartCount}} {{.HostConfig.CpuShares}} {{len .ExecIDs}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' \
	    oa-c1 2>&1
	dd_ inspect --format '{{.Name}} {{.State.Status}}' oa-stop 2>&1
	dd_ cp oa-c1:/tmp - 2>&1 | tar -t 2>&1
	dd_ volume inspect --format '{{.Name}}' oa-vol 2>&1
	dd_ network inspect --format '{{.Name}} {{len .Containers}}' oa-net 2>&1
	dd_ image inspect --format '{{.Id}}' oa-img:1 2>&1
	dd_ images -q ob-commit 2>&1
	dd_ images -q ob-stolen 2>&1
	curl -s -m 5 --unix-socket "$DD_SOCK" "http://d/v1.41/exec/$OA_EXEC/json" |
	    sed -n 's/.*"Running":\([a-z]*\).*"Pid":\([0-9]*\).*/exec running=\1 pid=\2/p'
}

# ------------------------------------------------------- B on A's objects

# B on A's container named by REF (HOW: name, id, prefix); STOPREF names
# A's stopped container the same way.
own_b_container_ref() {
	local ref=$1 how=$2 sref=$3 N
	N="owner: B on A's container by $how"
	own_bno "$N: container inspect" container inspect "$ref"
	own_bno "$N: start (a stopped one)" start "$sref"
	own_bno "$N: stop" stop -t 1 "$ref"
	own_bno "$N: kill" kill "$ref"
	own_bno "$N: restart" restart -t 1 "$ref"
	own_bno "$N: logs" logs "$ref"
	own_bno "$N: attach" attach --no-stdin "$ref"
	own_bno "$N: exec" exec "$ref" true
	own_bno "$N: cp out" cp "$ref:/etc/hostname" "$OW/work/stolen"
	own_bno "$N: cp in" cp "$OW/work/bfile" "$ref:/tmp/bfile"
	own_bno "$N: export" export -o "$OW/work/export.tar" "$ref"
	own_bno "$N: stats" stats --no-stream "$ref"
	own_bno "$N: top" top "$ref"
	own_bno "$N: update" update --cpu-shares 512 "$ref"
	own_bno "$N: rename" rename "$ref" ob-stolen
	own_bno "$N: wait (a stopped one)" wait "$sref"
	own_bno "$N: pause" pause "$ref"
	own_bno "$N: unpause" unpause "$ref"
	own_bno "$N: diff" diff "$ref"
	own_bno "$N: port" port "$ref"
	own_bno "$N: commit" commit "$ref" ob-commit:1
	# The endpoints the CLI reaches only after its inspect.
	own_api_bno "$N: API logs" GET "/containers/$ref/logs?stdout=1&stderr=1"
	own_api_bno "$N: API attach" POST \
	    "/containers/$ref/attach?stream=0&logs=1&stdout=1"
	own_api_bno "$N: API exec create" POST "/containers/$ref/exec" \
	    -H 'Content-Type: application/json' -d '{"Cmd":["true"]}'
	own_api_bno "$N: API resize" POST "/containers/$ref/resize?h=10&w=40"
	own_api_bno "$N: API archive HEAD" HEAD "/containers/$ref/archive?path=/"
	own_api_bno "$N: API archive GET" GET "/containers/$ref/archive?path=/etc"
	own_api_bno "$N: API stats" GET "/containers/$ref/stats?stream=0"
	own_bno "$N: rm -f" rm -f "$ref"
}

own_b_containers() {
	local before after out
	before=$(own_a_state)
	OWN_PAR=1
	own_b_container_ref oa-c1 name oa-stop
	own_b_container_ref "$OA_CID" "full id" "$OA_STOP"
	own_b_container_ref "${OA_CID:0:10}" "id prefix" "${OA_STOP:0:10}"
	# Joins and references in B's creates.
	own_bno "owner: B: run --volumes-from A's container" \
	    run --rm --volumes-from oa-c1 "$IMG" true
	own_bno "owner: B: run --network container:A's" \
	    run --rm --network container:oa-c1 "$IMG" true
	own_bno "owner: B: run --pid container:A's (by id)" \
	    run --rm --pid "container:$OA_CID" "$IMG" true
	own_bno "owner: B: run --ipc container:A's (by prefix)" \
	    run --rm --ipc "container:${OA_CID:0:10}" "$IMG" true
	own_bno "owner: B: run --link A's container" \
	    run --rm --network ob-net --link oa-c1:peer "$IMG" true
	own_bno "owner: B: commit of A's container by id" \
	    commit "$OA_CID" ob-commit:2
	own_flush
	OWN_PAR=
	after=$(own_a_state)
	check_eq "owner: B's attempts left A's objects as they were" \
	    "$before" "$after"
	check_match "owner: ... A's container is still running" \
	    '^/oa-c1 running false ' "$after"
	check_true "owner: ... B copied nothing out" "a file was written" \
	    test ! -e "$OW/work/stolen" -a ! -e "$OW/work/export.tar"
	# A container that does not exist: dockerd's own answer.
	out=$(ob container inspect oa-nosuch 2>&1)
	check_match "owner: B: inspect of a container that does not exist: dockerd's 404" \
	    'No such container: oa-nosuch' "$out"
	out=$(ob stop oa-nosuch 2>&1)
	check_match "owner: B: stop of a container that does not exist: dockerd's 404" \
	    'No such container: oa-nosuch' "$out"
	check_eq "owner: ... none of B's refused runs made a container" ob-c1 \
	    "$(dd_ ps -a --format '{{.Names}}' --filter "label=$OW_LABEL=job-b")"
}

# B on A's exec instance (created, not started).
own_b_exec() {
	OWN_PAR=1
	own_api_bno "owner: B on A's exec instance: inspect" GET \
	    "/exec/$OA_EXEC/json"
	own_api_bno "owner: B on A's exec instance: start" POST \
	    "/exec/$OA_EXEC/start" -H 'Content-Type: application/json' \
	    -d '{"Detach":true,"Tty":false}'
	own_api_bno "owner: B on A's exec instance: resize" POST \
	    "/exec/$OA_EXEC/resize?h=10&w=40"
	own_flush
	OWN_PAR=
	own_api "$DD_SOCK" GET "/exec/$OA_EXEC/json"
	check_match "owner: ... A's exec instance was not started" \
	    '"Running":false.*"Pid":0' "$API_BODY"
}

own_b_volumes() {
	OWN_PAR=1
	own_bno "owner: B on A's volume: inspect" volume inspect oa-vol
	own_bno "owner: B on A's volume: rm" volume rm oa-vol
	own_bno "owner: B on A's volume: rm -f" volume rm -f oa-vol
	own_bno "owner: B: run -v A's volume" run --rm -v oa-vol:/d "$IMG" true
	own_bno "owner: B: run --mount A's volume" \
	    run --rm --mount type=volume,src=oa-vol,dst=/d "$IMG" true
	own_refused "owner: B: run -v a volume that does not exist: create it first" \
	    "$OW_B" "volume ob-nosuch does not exist: create it first" \
	    run --rm -v ob-nosuch:/d "$IMG" true
	own_flush
	OWN_PAR=
	check_eq "owner: ... and no such volume was made" "" \
	    "$(dd_ volume ls -q --filter name=ob-nosuch)"
	check_eq "owner: A's volume is still there" oa-vol \
	    "$(dd_ volume inspect --format '{{.Name}}' oa-vol 2>&1)"
}

own_b_networks() {
	local ref how out
	OWN_PAR=1
	for ref in oa-net "$OA_NET" "${OA_NET:0:10}"; do
		case $ref in
		oa-net) how=name ;;
		"$OA_NET") how="full id" ;;
		*) how="id prefix" ;;
		esac
		own_bno "owner: B on A's network by $how: inspect" \
		    network inspect "$ref"
		own_bno "owner: B on A's network by $how: connect B's container" \
		    network connect "$ref" ob-c1
		own_bno "owner: B on A's network by $how: disconnect A's container" \
		    network disconnect "$ref" oa-c1
		own_bno "owner: B on A's network by $how: rm" network rm "$ref"
		own_bno "owner: B: run --network A's network by $how" \
		    run --rm --network "$ref" "$IMG" true
	done
	own_bno "owner: B: connect A's container to B's network" \
	    network connect ob-net oa-c1
	own_bno "owner: B: connect A's container (by id) to B's network" \
	    network connect ob-net "$OA_CID"
	own_bno "owner: B: disconnect A's container from B's network" \
	    network disconnect -f ob-net oa-c1
	# NetworkingConfig naming A's network (the CLI names one network in
	# both places; the API takes more).
	own_api_bno "owner: B: create with NetworkingConfig naming A's network (API)" \
	    POST /containers/create -H 'Content-Type: application/json' \
	    -d "{\"Image\":\"$IMG\",\"HostConfig\":{\"NetworkMode\":\"ob-net\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"oa-net\":{}}}}"
	own_flush
	OWN_PAR=
	check_eq "owner: A's network is there, with A's container only" \
	    "oa-net oa-c1" \
	    "$(dd_ network inspect --format '{{.Name}}{{range .Containers}} {{.Name}}{{end}}' oa-net 2>&1)"
	check_eq "owner: B's network has B's container only" "ob-net ob-c1" \
	    "$(dd_ network inspect --format '{{.Name}}{{range .Containers}} {{.Name}}{{end}}' ob-net 2>&1)"
}

own_b_images() {
	local ref how out
	OWN_PAR=1
	for ref in oa-img:1 "sha256:$OA_IMG" "${OA_IMG:0:12}"; do
		case $ref in
		oa-img:1) how=name ;;
		sha256:*) how="full id" ;;
		*) how="id prefix" ;;
		esac
		own_bno "owner: B on A's image by $how: inspect" \
		    image inspect "$ref"
		own_bno "owner: B on A's image by $how: history" history "$ref"
		own_bno "owner: B on A's image by $how: save" \
		    save -o "$OW/work/save.tar" "$ref"
		own_bno "owner: B on A's image by $how: tag" tag "$ref" ob-stolen:1
		own_bno "owner: B on A's image by $how: rmi" rmi "$ref"
		own_bno "owner: B on A's image by $how: run" \
		    run --rm "$ref" true
	done
	own_bno "owner: B on A's image: push" push 127.0.0.1:9/oa-img:1
	# Shared (unlabelled) images: B may use them, not change them.
	own_ok "owner: B: inspect of the shared image" "$IMG" "$OW_B" \
	    image inspect --format '{{index .RepoTags 0}}' "$IMG"
	own_refused "owner: B: rmi of the shared image" "$OW_B" \
	    "[^\"]*shared" rmi "$IMG"
	# Names are checked apart: a shared image may get a new name (for a
	# private registry, say), never one that names a shared image.
	own_refused "owner: B: tag over the shared image's name" "$OW_B" \
	    "cannot set the name $IMG" tag ob-img:1 "$IMG"
	own_flush
	OWN_PAR=
	check_eq "owner: A's image is still there, as A's" "sha256:$OA_IMG job-a" \
	    "$(dd_ image inspect --format "{{.Id}} {{index .Config.Labels \"$OW_LABEL\"}}" oa-img:1 2>&1)"
	check_true "owner: ... B saved nothing" "a file was written" \
	    test ! -e "$OW/work/save.tar"

	out=$(ob history -q "$IMG" 2>&1)
	check_rc "owner: B: history of the shared image" 0 $? "$out"
	out=$(set -o pipefail; ob save "$IMG" | tar -t 2>&1 | grep -c 'layer.tar$')
	check_rc "owner: B: save of the shared image (one name)" 0 $? "$out"
	check_match "owner: ... the shared image is still there" "^sha256:" \
	    "$(dd_ image inspect --format '{{.Id}}' "$IMG" 2>&1)"
	check_eq "owner: ... and not labelled by B's tag" "" \
	    "$(own_label_of image "$IMG")"
	out=$(ob tag "$IMG" ob-busybox:1 2>&1)
	check_rc "owner: B: tag of the shared image as a new name" 0 $? "$out"
	check_eq "owner: ... which is shared too (no label)" "" \
	    "$(own_label_of image ob-busybox:1)"
	out=$(ob rmi ob-busybox:1 2>&1)
	check_match "owner: ... which B cannot remove" \
	    'denied by rule ownership .*shared' "$out"
	dd_ rmi ob-busybox:1 >/dev/null 2>&1
	# An imported image is labelled like a built one: A's.
	out=$(set -o pipefail; tar -C "$ROOTFS" -c . | oa import - oa-imp:1 2>&1)
	check_rc "owner: A: import" 0 $? "$out"
	check_eq "owner: ... it carries A's label" "job-a" \
	    "$(own_label_of image oa-imp:1)"
	own_refused "owner: B: run of the image A imported" "$OW_B" \
	    "the image oa-imp:1 is not this client's" run --rm oa-imp:1 echo shared
	out=$(oa rmi oa-imp:1 2>&1)
	check_rc "owner: A: rmi of the image it imported" 0 $? "$out"
}

# Global image names: B must not move a tag of A's onto its own content.
# own_steal NAME CMD...: CMD (B's) would point A's tag oa-img:1 at another
# image: it fails and oa-img:1 is still A's image (put back if not).
own_steal() {
	local name=$1 out rc now
	shift
	out=$("$@" 2>&1)
	rc=$?
	now=$(dd_ image inspect --format '{{.Id}}' oa-img:1 2>&1)
	if [ $rc -eq 0 ] || [ "$now" != "sha256:$OA_IMG" ]; then
		fail "$name" "exit status $rc; oa-img:1 is now $now, A's is sha256:$OA_IMG" "$out"
		dd_ tag "sha256:$OA_IMG" oa-img:1 >/dev/null 2>&1
		# B's image, if the move left it without a name.
		[ "$(dd_ image inspect --format '{{len .RepoTags}}' "$now" 2>&1)" = 0 ] &&
		    dd_ rmi "$now" >/dev/null 2>&1
	else
		pass "$name"
	fi
}
own_b_import_as_a() {
	tar -C "$ROOTFS" -c . | ob import - oa-img:1
}

# Image names are global: B must not move A's tag onto its own content
# (A's next run would run B's image).
own_b_image_names() {
	local out rc
	own_steal "owner: B: tag of its image as A's oa-img:1 is refused" \
	    ob tag ob-img:1 oa-img:1
	own_steal "owner: B: import as A's oa-img:1 is refused" \
	    own_b_import_as_a
	DOCKER_BUILDKIT=0 own_steal "owner: B: build -t A's oa-img:1 is refused" \
	    ob build -q -t oa-img:1 "$OW/ctx-b"
	own_steal "owner: B: commit of its container as A's oa-img:1 is refused" \
	    ob commit ob-c1 oa-img:1
	# B owns 127.0.0.1:9/oa-img:latest; pushing :1 is still A's image.
	out=$(ob tag ob-img:1 127.0.0.1:9/oa-img:latest 2>&1)
	check_rc "owner: B: tag its image as 127.0.0.1:9/oa-img:latest" 0 $? "$out"
	own_bno "owner: B: push 127.0.0.1:9/oa-img:1 (A's) while B owns :latest" \
	    push 127.0.0.1:9/oa-img:1
	dd_ rmi 127.0.0.1:9/oa-img:latest >/dev/null 2>&1
	# A plants nothing labelled for B.
	own_refused "owner: A: commit with --change LABEL $OW_LABEL=job-b" \
	    "$OW_A" "" commit --change "LABEL $OW_LABEL=job-b" oa-c1 oa-plant:1
	out=$(set -o pipefail; tar -C "$ROOTFS" -c . |
	    oa import --change "LABEL $OW_LABEL=job-b" - oa-plant:2 2>&1)
	rc=$?
	check_true "owner: A: import with --change LABEL $OW_LABEL=job-b is refused" \
	    "exit 0: $out" test $rc -ne 0
	check_eq "owner: ... no image labelled for B was planted by A" "" \
	    "$(dd_ images -q --filter "label=$OW_LABEL=job-b" oa-plant)"
	dd_ rmi oa-plant:1 oa-plant:2 >/dev/null 2>&1
}

# Setting another tenant's owner label.
own_foreign_label() {
	local out
	OWN_PAR=1
	own_refused "owner: B: run --label $OW_LABEL=job-a" "$OW_B" \
	    "[^\"]*$OW_LABEL" run --rm --label "$OW_LABEL=job-a" "$IMG" true
	own_refused "owner: B: volume create --label $OW_LABEL=job-a" "$OW_B" \
	    "[^\"]*$OW_LABEL" volume create --label "$OW_LABEL=job-a" ob-fake
	own_refused "owner: B: network create --label $OW_LABEL=job-a" "$OW_B" \
	    "[^\"]*$OW_LABEL" network create --label "$OW_LABEL=job-a" ob-fake
	DOCKER_BUILDKIT=0 own_refused "owner: B: build --label $OW_LABEL=job-a" "$OW_B" \
	    "[^\"]*$OW_LABEL" build --label "$OW_LABEL=job-a" -t ob-fake:1 \
	    "$OW/ctx-b"
	own_flush
	OWN_PAR=
	check_eq "owner: ... none of them made a volume, network or image" "" \
	    "$(dd_ volume ls -q --filter name=ob-fake; dd_ network ls -q --filter name=ob-fake; dd_ images -q ob-fake)"
	out=$(ob run --rm --label "$OW_LABEL=job-b" "$IMG" echo mine 2>&1)
	check_eq "owner: B: run --label $OW_LABEL=job-b (its own value) works" \
	    mine "$out"
}

# Not isolated by ownership: refused for owned profiles.
own_not_isolated() {
	local R="[^\"]*not isolated" out rc
	OWN_PAR=1
	own_refused "owner: B: service ls" "$OW_B" "$R" service ls
	own_refused "owner: B: node ls" "$OW_B" "$R" node ls
	own_refused "owner: B: secret ls" "$OW_B" "$R" secret ls
	own_refused "owner: B: config ls" "$OW_B" "$R" config ls
	own_refused "owner: B: plugin ls" "$OW_B" "$R" plugin ls
	own_refused "owner: B: swarm join-token (GET /swarm)" "$OW_B" "$R" \
	    swarm join-token worker
	own_refused "owner: B: swarm leave" "$OW_B" "$R" swarm leave
	own_api_refused "owner: B: GET /tasks (API)" "$OW_B" "$R" GET /tasks
	own_refused "owner: B: builder prune" "$OW_B" "$R" builder prune -f
	own_flush
	OWN_PAR=
	# (refused as a request sockguard cannot judge: 400, no rule)
	out=$(oa save -o "$OW/work/two.tar" oa-img:1 "$IMG" 2>&1)
	rc=$?
	check_match "owner: A: save of two images (even its own and a shared one) is refused" \
	    "^[^0].*Error response from daemon: sockguard: .*(ownership|names=)" "$rc $out"
	check_true "owner: ... nothing was saved" "a file was written" \
	    test ! -e "$OW/work/two.tar"
}

# Clients whose owner value cannot be made: every request is refused.
own_no_owner() {
	local out
	out=$(dks "$OW_NC" ps 2>&1)
	check_match "owner: owner \${cert_cn} on a unix listener: docker ps refused" \
	    'denied by rule ownership \(profile certowned\)' "$out"
	own_api "$OW_NC" GET /version
	check_match "owner: ... and GET /version too" \
	    '^403 .*denied by rule ownership' "$API_CODE $API_BODY"
	out=$(dks "$OW_BAD" ps 2>&1)
	check_match "owner: owner \"job c\" (a space): docker ps refused" \
	    'denied by rule ownership \(profile tenant\): .*job c' "$out"
	own_api "$OW_BAD" GET /volumes
	check_match "owner: ... and GET /volumes too" \
	    '^403 .*denied by rule ownership' "$API_CODE $API_BODY"
	# A listener without a name: \${listener} is its path.
	out=$(dks "$OW_NONAME" volume create on-vol 2>&1)
	check_eq "owner: a listener without a name: the owner is its path" \
	    "on-vol $OW_NONAME" "$out $(own_label_of volume on-vol '')"
	own_refused "owner: ... and B cannot touch what it made" "$OW_B" \
	    "$OW_NOT" volume rm on-vol
	out=$(dks "$OW_NONAME" volume rm on-vol 2>&1)
	check_eq "owner: ... which it can remove" on-vol "$out"
}

# ----------------------------------------------------------------- lists

# own_names KEY: the names in the list API_BODY holds (a list of objects,
# or {"Volumes": [...]}); KEY is Names (a list) or Name.
own_names() {
	printf '%s' "$API_BODY" | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
if isinstance(j, dict):
    j = j.get("Volumes") or []
out = []
for o in j:
    v = o.get(sys.argv[1])
    out += v if isinstance(v, list) else [v]
print(" ".join(sorted(out)))' "$1" 2>&1 | tail -1
}

own_lists() {
	local a b adm
	b=$(ob ps -a --no-trunc --format '{{.ID}} {{.Names}}' 2>&1)
	check_match "owner: B: ps -a shows B's container" "^$OB_CID ob-c1\$" "$b"
	check_nomatch "owner: B: ps -a shows nothing of A's" \
	    "oa-|$OA_CID|$OA_STOP" "$b"
	b=$(ob ps -a --no-trunc --filter "label=$OW_LABEL=job-a" --format '{{.Names}}' 2>&1)
	check_nomatch "owner: B: ps -a --filter label=owner=job-a shows nothing of A's" \
	    "oa-" "$b"
	b=$(ob ps -a --no-trunc --filter "id=$OA_CID" --format '{{.Names}}' 2>&1)
	check_nomatch "owner: B: ps -a --filter id=<A's> shows nothing of A's" \
	    "oa-" "$b"
	# Filters in the array form docker-py (compose) sends, two keys.
	own_api "$OW_A" GET "/containers/json?all=1" -G --data-urlencode \
	    'filters={"name":["o"],"status":["running"]}'
	check_eq "owner: A: list with array-form filters on two keys (as compose sends)" \
	    "200 /oa-c1" "$API_CODE $(own_names Names)"
	own_api "$OW_B" GET "/containers/json?all=1" -G --data-urlencode \
	    'filters={"name":["o"],"status":["running"]}'
	check_eq "owner: B: the same list: B's only" "200 /ob-c1" \
	    "$API_CODE $(own_names Names)"
	own_api "$OW_B" GET "/volumes" -G --data-urlencode \
	    'filters={"name":["o"],"dangling":["false"]}'
	check_eq "owner: B: volume list with array-form filters on two keys: B's only" \
	    "200 ob-vol" "$API_CODE $(own_names Name)"
	a=$(oa ps -a --format '{{.Names}}' 2>&1 | sort | tr '\n' ' ')
	check_eq "owner: A: ps -a shows A's containers only" "oa-c1 oa-stop " "$a"
	adm=$(oadm ps -a --format '{{.Names}}' 2>&1 | grep -E '^o[ab]-' | sort | tr '\n' ' ')
	check_eq "owner: admin (no ownership): ps -a shows both tenants'" \
	    "oa-c1 oa-stop ob-c1 " "$adm"

	b=$(ob volume ls -q 2>&1)
	check_eq "owner: B: volume ls shows B's volume only" ob-vol "$b"
	a=$(oa volume ls -q 2>&1)
	check_eq "owner: A: volume ls shows A's volume only" oa-vol "$a"

	b=$(ob network ls --no-trunc --format '{{.ID}} {{.Name}}' 2>&1)
	check_match "owner: B: network ls shows B's network" ' ob-net$' "$b"
	check_nomatch "owner: B: network ls shows nothing of A's" \
	    "oa-net|$OA_NET" "$b"
	a=$(oa network ls --format '{{.Name}}' 2>&1)
	check_eq "owner: A: network ls shows A's network only" oa-net "$a"

	b=$(ob images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' 2>&1)
	check_match "owner: B: images shows B's image" '^ob-img:1 ' "$b"
	check_match "owner: B: images shows the shared image" "^$IMG " "$b"
	check_nomatch "owner: B: images shows nothing of A's" "oa-img|$OA_IMG" "$b"
	a=$(oa images --format '{{.Repository}}:{{.Tag}}' 2>&1 | sort | tr '\n' ' ')
	check_eq "owner: A: images shows A's and the shared ones" \
	    "127.0.0.1:9/oa-img:1 oa-img:1 $IMG " "$a"

	b=$(ob system df -v 2>&1)
	check_match "owner: B: system df -v shows B's container" 'ob-c1' "$b"
	check_match "owner: B: system df -v shows B's volume" 'ob-vol' "$b"
	check_nomatch "owner: B: system df -v shows nothing of A's" \
	    "oa-|${OA_CID:0:12}|${OA_STOP:0:12}|${OA_IMG:0:12}" "$b"
	a=$(oa system df -v 2>&1)
	check_match "owner: A: system df -v shows A's image" '(^|/)oa-img +1 ' "$a"
	check_match "owner: A: system df -v shows A's container" ' oa-c1$' "$a"
	check_match "owner: A: system df -v shows A's volume" '^oa-vol ' "$a"
	check_nomatch "owner: A: system df -v shows nothing of B's" \
	    "(^| )ob-|${OB_CID:0:12}" "$a"
}

# ----------------------------------------------------------------- events

# own_ev_seq SOCK X: what X (oa or ob) does while the events are watched.
own_ev_seq() {
	local s=$1 x=$2
	dks "$s" run -d --name "$x-ev" "$IMG" true >"$OW/ev-$x.cid" 2>&1
	{
		dks "$s" wait "$x-ev"
		dks "$s" rm "$x-ev"
		dks "$s" exec "$x-c1" true
		dks "$s" tag "$x-img:1" "$x-img:ev"
		dks "$s" rmi "$x-img:ev"
		dks "$s" volume create "$x-evvol"
		dks "$s" volume rm "$x-evvol"
		dks "$s" network create "$x-evnet"
		dks "$s" network rm "$x-evnet"
	} >/dev/null 2>&1
}

own_events() {
	local t0 t1 eva evb n0 oev bev ids
	n0=$(grep -c '/events' "$OW_AUDIT")
	t0=$(date +%s)
	DK_HOST=unix://$OW_A DK_TIMEOUT=60 dk_bg "$OW/ev-a.out" events \
	    --format '{{json .}}'
	local pa=$DK_BG_PID
	DK_HOST=unix://$OW_B DK_TIMEOUT=60 dk_bg "$OW/ev-b.out" events \
	    --format '{{json .}}'
	local pb=$DK_BG_PID
	wait_for 5 eval '[ "$(grep -c /events "$OW_AUDIT")" -ge $((n0 + 2)) ]'
	sleep 0.5
	# A and B at once: a container's life, an exec into a container of
	# their own, an image tag, a volume and a network.
	own_ev_seq "$OW_A" oa &
	local sa=$!
	own_ev_seq "$OW_B" ob &
	local sb=$!
	wait $sa
	wait $sb
	oev=$(cat "$OW/ev-oa.cid")
	bev=$(cat "$OW/ev-ob.cid")
	# A's stream ends with A's last event, B's with B's (if they come).
	wait_for 10 grep -q '"Action":"untag"' "$OW/ev-a.out"
	wait_for 10 grep -q '"Action":"untag"' "$OW/ev-b.out"
	sleep 1
	stop_pid "$pa" TERM
	stop_pid "$pb" TERM
	t1=$(date +%s)
	eva=$(cat "$OW/ev-a.out")
	evb=$(cat "$OW/ev-b.out")
	own_events_check "live" "$oev" "$bev" "$eva" "$evb"
	# The same, replayed from dockerd's event log.
	eva=$(DK_TIMEOUT=20 oa events --since "$t0" --until "$t1" \
	    --format '{{json .}}' 2>&1)
	evb=$(DK_TIMEOUT=20 ob events --since "$t0" --until "$t1" \
	    --format '{{json .}}' 2>&1)
	own_events_check "replayed (--since/--until)" "$oev" "$bev" "$eva" "$evb"
}

# own_events_check HOW A-CID B-CID A-STREAM B-STREAM
own_events_check() {
	local how=$1 oev=$2 bev=$3 eva=$4 evb=$5 acts
	acts=$(printf '%s\n' "$evb" | grep -F "\"id\":\"$bev\"" |
	    sed -n 's/.*"Action":"\([a-z_]*\)".*/\1/p' | tr '\n' ' ')
	check_eq "owner: events $how: B sees its container's create start die destroy" \
	    "create start die destroy " "$acts"
	check_match "owner: events $how: B sees its exec into its container" \
	    '"Action":"exec_start: true ?".*"name":"ob-c1"' "$evb"
	check_match "owner: events $how: B sees its image's tag" \
	    '"Type":"image","Action":"tag".*ob-img:ev' "$evb"
	check_nomatch "owner: events $how: B sees nothing of A's" \
	    "job-a|\"oa-|$oev|$OA_CID|$OA_IMG" "$evb"
	check_nomatch "owner: events $how: B sees no network or volume events" \
	    '"Type":"(network|volume)"' "$evb"
	acts=$(printf '%s\n' "$eva" | grep -F "\"id\":\"$oev\"" |
	    sed -n 's/.*"Action":"\([a-z_]*\)".*/\1/p' | tr '\n' ' ')
	check_eq "owner: events $how: A sees its container's create start die destroy" \
	    "create start die destroy " "$acts"
	check_match "owner: events $how: A sees its exec into its container" \
	    '"Action":"exec_start: true ?".*"name":"oa-c1"' "$eva"
	check_nomatch "owner: events $how: A sees nothing of B's" \
	    "job-b|\"ob-|$bev|$OB_CID" "$eva"
}

# ------------------------------------------------------ A's own operations

own_a_ops() {
	local out ref how st
	OWN_PAR=1
	for ref in oa-c1 "$OA_CID" "${OA_CID:0:10}"; do
		case $ref in
		oa-c1) how=name ;;
		"$OA_CID") how="full id" ;;
		*) how="id prefix" ;;
		esac
		own_ok "owner: A: container inspect by $how" /oa-c1 "$OW_A" \
		    container inspect --format '{{.Name}}' "$ref"
		own_ok "owner: A: exec by $how" "exec-$how" "$OW_A" \
		    exec "$ref" echo "exec-$how"
	done
	own_ok "owner: A: logs" oa-started "$OW_A" logs oa-c1
	own_ok "owner: A: stats --no-stream" oa-c1 "$OW_A" \
	    stats --no-stream --format '{{.Name}}' oa-c1
	own_ok "owner: A: image inspect by id prefix" "sha256:$OA_IMG" "$OW_A" \
	    image inspect --format '{{.Id}}' "${OA_IMG:0:12}"
	own_ok "owner: A: network inspect by id prefix" oa-net "$OW_A" \
	    network inspect --format '{{.Name}}' "${OA_NET:0:10}"
	own_ok "owner: A: volume inspect" oa-vol "$OW_A" \
	    volume inspect --format '{{.Name}}' oa-vol
	own_flush
	OWN_PAR=
	echo from-a >"$OW/work/afile"
	out=$(oa cp "$OW/work/afile" oa-c1:/tmp/afile 2>&1)
	check_rc "owner: A: cp in" 0 $? "$out"
	out=$(oa cp oa-c1:/tmp/afile - 2>&1 | tar -xO 2>&1)
	check_eq "owner: A: cp out" from-a "$out"
	out=$(oa export oa-c1 2>/dev/null | tar -t 2>/dev/null | grep -c busybox)
	check_true "owner: A: export" "no bin/busybox in the tar" test "$out" -gt 0
	out=$(oa top oa-c1 2>&1)
	check_match "owner: A: top" 'sleep|sh -c' "$out"
	out=$(oa update --cpu-shares 512 oa-c1 2>&1)
	check_eq "owner: A: update --cpu-shares 512" "oa-c1 512" \
	    "$out $(dd_ inspect --format '{{.HostConfig.CpuShares}}' oa-c1)"
	out=$(oa rename oa-c1 oa-c1r 2>&1 && oa rename oa-c1r oa-c1 2>&1)
	check_eq "owner: A: rename and back" "/oa-c1" \
	    "$out$(dd_ inspect --format '{{.Name}}' "$OA_CID")"
	out=$(oa pause oa-c1 2>&1; dd_ inspect --format '{{.State.Status}}' oa-c1)
	check_eq "owner: A: pause" "oa-c1 paused" "$(echo $out)"
	out=$(oa unpause oa-c1 2>&1; dd_ inspect --format '{{.State.Status}}' oa-c1)
	check_eq "owner: A: unpause" "oa-c1 running" "$(echo $out)"
	out=$(oa diff oa-c1 2>&1)
	check_match "owner: A: diff" '^A /tmp/afile$' "$out"
	out=$(oa port oa-c1 2>&1)
	check_rc "owner: A: port" 0 $? "$out"
	own_api "$OW_A" POST "/containers/oa-c1/resize?h=10&w=40"
	check_nomatch "owner: A: resize (API) is not refused" '^403' \
	    "$API_CODE $API_BODY"
	own_api "$OW_A" GET "/containers/oa-c1/archive?path=/tmp/afile"
	check_eq "owner: A: archive GET (API)" 200 "$API_CODE"
	# The exec instance made in own_make.
	own_api "$OW_A" GET "/exec/$OA_EXEC/json"
	check_match "owner: A: its exec instance: inspect" \
	    "^200 .*\"ContainerID\":\"$OA_CID\"" "$API_CODE $API_BODY"
	own_api "$OW_A" POST "/exec/$OA_EXEC/start" \
	    -H 'Content-Type: application/json' -d '{"Detach":true,"Tty":false}'
	check_eq "owner: A: its exec instance: start" 200 "$API_CODE"
	own_api "$OW_A" POST "/exec/$OA_EXEC/resize?h=10&w=40"
	check_nomatch "owner: A: its exec instance: resize is not refused" \
	    '^403' "$API_CODE $API_BODY"
	# Attach, start, wait on others of A's.
	oa run -d --name oa-att "$IMG" sh -c 'sleep 1; echo attached' \
	    >/dev/null 2>&1
	out=$(DK_TIMEOUT=20 oa attach --no-stdin oa-att 2>&1)
	check_eq "owner: A: attach" attached "$out"
	out=$(oa rm oa-att 2>&1)
	check_eq "owner: A: rm" oa-att "$out"
	own_ok "owner: A: start (by id prefix)" "${OA_STOP:0:10}" "$OW_A" \
	    start "${OA_STOP:0:10}"
	own_ok "owner: A: wait" 3 "$OW_A" wait oa-stop
	# Commit: the image is A's.
	out=$(oa commit oa-c1 oa-commit:1 2>&1)
	check_match "owner: A: commit" '^sha256:' "$out"
	check_eq "owner: ... the committed image carries $OW_LABEL=job-a" job-a \
	    "$(own_label_of image oa-commit:1)"
	own_bno "owner: B on A's committed image: inspect" image inspect oa-commit:1
	out=$(oa rmi oa-commit:1 2>&1)
	check_match "owner: A: rmi of its committed image" 'Untagged: oa-commit:1' "$out"
	# Its own image.
	out=$(oa history -q oa-img:1 2>&1 | head -1)
	check_eq "owner: A: history" "${OA_IMG:0:12}" "$out"
	out=$(set -o pipefail; oa save oa-img:1 | tar -t 2>&1 | grep -c 'layer.tar$')
	check_rc "owner: A: save (one image)" 0 $? "$out"
	out=$(oa tag oa-img:1 oa-img:2 2>&1 && oa rmi oa-img:2 2>&1)
	check_match "owner: A: tag and rmi" 'Untagged: oa-img:2' "$out"
	out=$(DK_TIMEOUT=30 oa push 127.0.0.1:9/oa-img:1 2>&1)
	check_match "owner: A: push of its image reaches dockerd (nothing listens at 127.0.0.1:9)" \
	    'connection refused|dial tcp' "$out"
	# Networks and volumes of its own.
	out=$(oa network create oa-net2 >/dev/null 2>&1 &&
	    oa network connect oa-net2 oa-c1 2>&1 &&
	    oa network disconnect oa-net2 oa-c1 2>&1 &&
	    oa network rm oa-net2 2>&1)
	check_eq "owner: A: network create, connect, disconnect, rm" oa-net2 "$out"
	out=$(oa volume create oa-vol2 >/dev/null 2>&1 &&
	    oa run --rm -v oa-vol2:/v "$IMG" sh -c 'echo kept >/v/f' 2>&1 &&
	    oa run --rm --mount type=volume,src=oa-vol2,dst=/v "$IMG" cat /v/f 2>&1 &&
	    oa volume rm oa-vol2 2>&1)
	check_eq "owner: A: volume create, -v, --mount, rm" "$(printf 'kept\noa-vol2')" "$out"
	own_ok "owner: A: run --volumes-from, --network container:, --pid container: of its own" \
	    /data "$OW_A" run --rm --volumes-from oa-c1 --network container:oa-c1 \
	    --pid "container:$OA_CID" "$IMG" ls -d /data
	# Lifecycle last: restart, stop, start, kill, start.
	st=$(dd_ inspect --format '{{.State.StartedAt}}' oa-c1)
	out=$(oa restart -t 1 oa-c1 2>&1)
	check_true "owner: A: restart" "$out" \
	    test "$out" = oa-c1 -a "$(dd_ inspect --format '{{.State.StartedAt}}' oa-c1)" != "$st"
	out=$(oa stop -t 1 oa-c1 2>&1; dd_ inspect --format '{{.State.Status}}' oa-c1)
	check_eq "owner: A: stop" "oa-c1 exited" "$(echo $out)"
	out=$(oa start oa-c1 2>&1; oa kill oa-c1 2>&1; oa wait oa-c1 >/dev/null 2>&1;
	    dd_ inspect --format '{{.State.Status}}' oa-c1)
	check_eq "owner: A: start, kill" "oa-c1 oa-c1 exited" "$(echo $out)"
	out=$(oa start oa-c1 2>&1)
	check_eq "owner: A: start again" oa-c1 "$out"
}

# ----------------------------------------------------------------- prunes

own_prunes() {
	local out
	oa create --name oa-prune "$IMG" true >/dev/null 2>&1
	oa volume create oa-prunevol >/dev/null 2>&1
	oa network create oa-prunenet >/dev/null 2>&1
	ob create --name ob-prune "$IMG" true >/dev/null 2>&1
	ob volume create ob-prunevol >/dev/null 2>&1
	ob network create ob-prunenet >/dev/null 2>&1
	check_eq "owner: prunes: setup" "oa-prune ob-prune oa-prunevol ob-prunevol oa-prunenet ob-prunenet" \
	    "$(echo $(dd_ ps -a --format '{{.Names}}' --filter name=prune | sort) \
	    $(dd_ volume ls -q --filter name=prune | sort) \
	    $(dd_ network ls --format '{{.Name}}' --filter name=prune | sort))"
	out=$(ob container prune -f 2>&1)
	check_rc "owner: B: container prune" 0 $? "$out"
	out=$(ob volume prune -f 2>&1)
	check_rc "owner: B: volume prune" 0 $? "$out"
	out=$(ob network prune -f 2>&1)
	check_rc "owner: B: network prune" 0 $? "$out"
	out=$(ob image prune -a -f 2>&1)
	check_rc "owner: B: image prune -a" 0 $? "$out"
	check_eq "owner: B's prunes removed B's only" \
	    "oa-prune oa-stop oa-prunevol oa-vol oa-net oa-prunenet sha256:$OA_IMG present" \
	    "$(echo $(dd_ ps -a --format '{{.Names}}' --filter status=exited --filter status=created | grep -E '^o[ab]-' | sort) \
	    $(dd_ volume ls -q | grep -E '^o[ab]-' | grep -v ob-vol | sort) \
	    $(dd_ network ls --format '{{.Name}}' | grep -E '^o[ab]-' | grep -v ob-net | sort) \
	    $(dd_ image inspect --format '{{.Id}}' oa-img:1 2>&1) \
	    $(dd_ image inspect "$IMG" >/dev/null 2>&1 && echo present))"
	check_eq "owner: ... and B's unused image went" "" \
	    "$(dd_ images -q ob-img)"
	out=$(oa container prune -f 2>&1; oa volume prune -f 2>&1; oa network prune -f 2>&1)
	check_eq "owner: A's prunes removed A's unused ones" "" \
	    "$(dd_ ps -aq --filter name=oa-prune; dd_ volume ls -q --filter name=oa-prunevol; dd_ network ls -q --filter name=oa-prunenet)"
	check_eq "owner: ... and B's running container, volume, network are there" \
	    "ob-c1 ob-vol ob-net" \
	    "$(echo $(dd_ ps --format '{{.Names}}' --filter name=ob-c1) \
	    $(dd_ volume ls -q --filter name=ob-vol) \
	    $(dd_ network ls --format '{{.Name}}' --filter name=ob-net))"
}

# ---------------------------------------------------------------- compose

# own_compose SOCK ARGS...: docker-compose through SOCK (the 20.10 docker
# CLI first in PATH: compose exec runs it).
own_compose() {
	local sock=$1
	shift
	timeout -k 5 90 env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY \
	    -u DOCKER_CERT_PATH -u DOCKER_API_VERSION -u COMPOSE_FILE \
	    -u COMPOSE_PROJECT_NAME DOCKER_CONFIG="$W/dockercfg" \
	    DOCKER_HOST="unix://$sock" PATH="/usr/bin:$PATH" \
	    docker-compose --ansi never -f "$OW/compose/docker-compose.yml" "$@"
}

# own_compose_none NAME SOCK PROJECT: compose ps -q of another tenant's
# project name lists nothing of it: nothing at all, or the refusal of the
# project's network (which compose inspects first).
own_compose_none() {
	local out rc err
	out=$(own_compose "$2" -p "$3" ps -q 2>"$OW/compose.err")
	rc=$?
	err=$(cat "$OW/compose.err")
	if [ $rc -ne 0 ]; then
		check_match "$1" "^sockguard: denied by rule ownership \\(profile tenant\\): [^\"]*${3}_back $OW_NOT" \
		    "$err"
	else
		check_eq "$1" "" "$out"
	fi
}

own_compose_flow() {
	local out ids ids2 P=$OW_PROJ
	command -v docker-compose >/dev/null || {
		fail "owner: compose: docker-compose is missing (make deps-test)"
		return
	}
	cat >"$OW/compose/docker-compose.yml" <<EOF
version: "2.4"
services:
  web:
    image: $IMG
    command: ['sh', '-c', 'echo web-up; $OW_LOOP']
    volumes: ["data:/data"]
    networks: [back]
  worker:
    image: $IMG
    command: ['sh', '-c', 'echo worker-up; $OW_LOOP']
    volumes: ["data:/data"]
    networks: [back]
    depends_on: [web]
volumes:
  data: {}
networks:
  back: {}
EOF
	# A's project and B's own (another name), at the same time.
	_own_bg "$OW/compose-a" own_compose "$OW_A" -p "$P" up -d
	_own_bg "$OW/compose-b" own_compose "$OW_B" -p "${P}b" up -d
	own_flush
	check_rc "owner: compose: A: up -d" 0 "$(cat "$OW/compose-a.rc")" \
	    "$(cat "$OW/compose-a")"
	check_rc "owner: compose: B: up -d of its own project at the same time" \
	    0 "$(cat "$OW/compose-b.rc")" "$(cat "$OW/compose-b")"
	out=$(own_compose "$OW_A" -p "$P" ps 2>&1)
	check_match "owner: compose: A: ps lists web up" "${P}_web_1 .* Up" "$out"
	check_match "owner: compose: A: ps lists worker up" "${P}_worker_1 .* Up" "$out"
	out=$(own_compose "$OW_A" -p "$P" exec -T web sh -c 'echo shared >/data/f' 2>&1 &&
	    own_compose "$OW_A" -p "$P" exec -T worker cat /data/f 2>&1)
	check_eq "owner: compose: A: exec -T into both (one named volume)" \
	    shared "$out"
	out=$(own_compose "$OW_A" -p "$P" logs --no-color 2>&1)
	check_match "owner: compose: A: logs" 'web_1 +\| web-up' "$out"
	check_match "owner: compose: A: logs (worker)" 'worker_1 +\| worker-up' "$out"
	check_eq "owner: compose: A's containers, volume, network carry $OW_LABEL=job-a" \
	    "job-a job-a job-a job-a" \
	    "$(echo $(own_label_of container "${P}_web_1") \
	    $(own_label_of container "${P}_worker_1") \
	    $(own_label_of volume "${P}_data" '') \
	    $(own_label_of network "${P}_back" ''))"
	ids=$(dd_ ps -q --no-trunc --filter "label=com.docker.compose.project=$P" | sort)
	ids="$ids $(dd_ inspect --format '{{.State.StartedAt}}' "${P}_web_1" "${P}_worker_1" 2>&1)"

	# Each cannot see or touch the other's.
	out=$(ob ps -a --format '{{.Names}}' 2>&1)
	check_nomatch "owner: compose: B: ps -a shows none of A's project" "${P}_" "$out"
	out=$(oa ps -a --format '{{.Names}}' 2>&1)
	check_nomatch "owner: compose: A: ps -a shows none of B's project" "${P}b_" "$out"
	OWN_PAR=1
	own_bno "owner: compose: B: exec into A's project container" \
	    exec "${P}_web_1" true
	own_bno "owner: compose: B: rm -f of A's project container" \
	    rm -f "${P}_worker_1"
	own_bno "owner: compose: B: volume rm of A's project volume" \
	    volume rm "${P}_data"
	own_bno "owner: compose: B: network rm of A's project network" \
	    network rm "${P}_back"
	own_bno "owner: compose: B: run -v A's project volume" \
	    run --rm -v "${P}_data:/d" "$IMG" true
	own_refused "owner: compose: A: exec into B's project container" \
	    "$OW_A" "$OW_NOT" exec "${P}b_web_1" true
	own_flush
	OWN_PAR=
	own_compose_none "owner: compose: B: ps of A's project name lists nothing of it" \
	    "$OW_B" "$P"
	own_compose_none "owner: compose: A: ps of B's project name lists nothing of it" \
	    "$OW_A" "${P}b"
	# B with A's project name: fails, touching nothing of A's.
	out=$(own_compose "$OW_B" -p "$P" up -d 2>&1)
	check_true "owner: compose: B: up -d with A's project name fails" \
	    "exit 0: $out" test $? -ne 0
	own_compose "$OW_B" -p "$P" down -v >/dev/null 2>&1
	ids2=$(dd_ ps -q --no-trunc --filter "label=com.docker.compose.project=$P" | sort)
	ids2="$ids2 $(dd_ inspect --format '{{.State.StartedAt}}' "${P}_web_1" "${P}_worker_1" 2>&1)"
	check_eq "owner: compose: ... nor does its down -v: A's project containers are untouched (same ids, still running)" \
	    "$ids" "$ids2"
	check_eq "owner: compose: ... A's project volume and network are there" \
	    "${P}_data ${P}_back" \
	    "$(echo $(dd_ volume ls -q --filter "name=${P}_") \
	    $(dd_ network ls --format '{{.Name}}' --filter "name=${P}_"))"
	check_eq "owner: compose: ... and B made nothing under A's project name" "" \
	    "$(dd_ ps -aq --filter "label=com.docker.compose.project=$P" --filter "label=$OW_LABEL=job-b")"

	_own_bg "$OW/compose-a" own_compose "$OW_A" -p "$P" down -v
	_own_bg "$OW/compose-b" own_compose "$OW_B" -p "${P}b" down -v
	own_flush
	check_rc "owner: compose: A: down -v" 0 "$(cat "$OW/compose-a.rc")" \
	    "$(cat "$OW/compose-a")"
	check_rc "owner: compose: B: down -v of its own project" 0 \
	    "$(cat "$OW/compose-b.rc")" "$(cat "$OW/compose-b")"
	check_eq "owner: compose: ... nothing of either project is left" "" \
	    "$(dd_ ps -aq --filter "label=com.docker.compose.project"; \
	    dd_ volume ls -q --filter "name=${P}"; \
	    dd_ network ls -q --filter "name=${P}")"
}

# ------------------------------------------------------------- teardown

# What an adversarial review found getting through, each tried by B on
# A's objects: a form body whose fields dockerd reads as the query; the
# fixed route words (json, create, prune) used as object names; an
# endpoint's NetworkID; a build's network; a classic build's unnamed
# step images; a pull of every tag; changes= with variables or a
# trailing escape; a create of an existing volume or network name;
# docker load; a refusal naming the object behind an id prefix.
own_review() {
	local out p vol ctx
	# A's objects with names dockerd routes as fixed words elsewhere.
	out=$(oa create --name json "$IMG" true 2>&1 &&
	    oa volume create create 2>&1 && oa network create prune 2>&1)
	check_rc "owner: review: A makes container json, volume create, network prune" \
	    0 $? "$out"
	own_api "$OW_B" DELETE "/containers/json?force=1"
	_own_judge_api "owner: review: B's DELETE /containers/json is A's container json: refused" \
	    DELETE "$OW_NOT" "$API_CODE $API_BODY"
	own_api "$OW_B" GET /volumes/create
	_own_judge_api "owner: review: B's GET /volumes/create is A's volume: refused" \
	    GET "$OW_NOT" "$API_CODE $API_BODY"
	own_api "$OW_B" DELETE /volumes/create
	_own_judge_api "owner: review: B's DELETE /volumes/create: refused" \
	    DELETE "$OW_NOT" "$API_CODE $API_BODY"
	own_api "$OW_B" DELETE /networks/prune
	_own_judge_api "owner: review: B's DELETE /networks/prune: refused" \
	    DELETE "$OW_NOT" "$API_CODE $API_BODY"
	check_eq "owner: review: ... A's json, create and prune are still there" \
	    "json create prune" \
	    "$(dd_ inspect --format '{{.Name}}' json | tr -d /) $(dd_ volume inspect --format '{{.Name}}' create) $(dd_ network inspect --format '{{.Name}}' prune)"

	# Form body: dockerd would pull what the body names.
	own_api "$OW_B" POST "/images/create?fromImage=ob-none&tag=1" \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "fromSrc=-&repo=oa-img&tag=1"
	check_match "owner: review: a form body is refused (415)" \
	    '^415 \{"message":"sockguard: [^"]*form bodies are refused' \
	    "$API_CODE $API_BODY"

	# NetworkID takes precedence over the network the path or key names.
	own_api "$OW_B" POST /networks/ob-net/connect \
	    -H 'Content-Type: application/json' \
	    -d "{\"Container\":\"$OB_CID\",\"EndpointConfig\":{\"NetworkID\":\"$OA_NET\"}}"
	_own_judge_api "owner: review: connect to B's network with A's NetworkID: refused" \
	    POST "$OW_NOT" "$API_CODE $API_BODY"
	own_api "$OW_B" POST /containers/create \
	    -H 'Content-Type: application/json' \
	    -d "{\"Image\":\"$IMG\",\"HostConfig\":{\"NetworkMode\":\"ob-net\"},\"NetworkingConfig\":{\"EndpointsConfig\":{\"ob-net\":{\"NetworkID\":\"$OA_NET\"}}}}"
	_own_judge_api "owner: review: create on B's network with A's NetworkID: refused" \
	    POST "$OW_NOT" "$API_CODE $API_BODY"
	check_eq "owner: review: ... B's container is not on A's network" "" \
	    "$(dd_ network inspect --format '{{range $k, $v := .Containers}}{{$k}} {{end}}' oa-net | grep -o "$OB_CID")"

	# A build's RUN steps on A's network.
	ctx=$OW/ctx-b/review
	mkdir -p "$ctx"
	printf 'FROM %s\nRUN true\n' "$IMG" >"$ctx/Dockerfile"
	own_refused "owner: review: B's build --network A's network: refused" \
	    "$OW_B" "a build's network may only be default, bridge or none" \
	    build -q --network oa-net "$ctx"

	# A classic build's step images carry no label and no name.
	printf 'FROM %s\nRUN echo secret-a >/s\nRUN true\n' "$IMG" \
	    >"$OW/ctx-a/Dockerfile.steps"
	out=$(DOCKER_BUILDKIT=0 oa build -q -f "$OW/ctx-a/Dockerfile.steps" \
	    -t oa-steps:1 "$OW/ctx-a" 2>&1)
	check_rc "owner: review: A builds oa-steps:1 (classic, two RUN steps)" \
	    0 $? "$out"
	p=$(dd_ image inspect --format '{{.Parent}}' oa-steps:1 2>&1)
	check_match "owner: review: ... which has an unnamed step image" \
	    '^sha256:' "$p"
	own_refused "owner: review: B inspects A's step image: nobody's" \
	    "$OW_B" "[^\"]*nobody's" image inspect "$p"
	own_refused "owner: review: B runs A's step image: nobody's" \
	    "$OW_B" "[^\"]*nobody's" run --rm "$p" cat /s
	out=$(ob images -a -q --no-trunc 2>&1)
	check_nomatch "owner: review: B's images -a does not list A's step image" \
	    "$p" "$out"

	# Every tag of a name would be pulled and retagged.
	own_api "$OW_B" POST "/images/create?fromImage=127.0.0.1%3A9%2Foa-img&tag="
	_own_judge_api "owner: review: pull of every tag: refused" POST \
	    "a pull must name one tag" "$API_CODE $API_BODY"

	# changes= is a Dockerfile: variables and escapes are not let in.
	own_api "$OW_B" POST "/commit?container=ob-c1&repo=ob-commit&tag=2&changes=LABEL%20io.sock%24%7BX%7Dguard.owner%3Djob-a" \
	    -H 'Content-Type: application/json' -d '{}'
	_own_judge_api "owner: review: commit changes= with a variable in the label key: refused" \
	    POST "changes= may not" "$API_CODE $API_BODY"
	own_api "$OW_B" POST "/images/create?fromSrc=-&repo=ob-fake&tag=1&changes=ENV%20X%3D%5C" \
	    -H 'Content-Type: application/x-tar' --data-binary @/dev/null
	_own_judge_api "owner: review: import changes= ending in an escape: refused" \
	    POST "changes= may not" "$API_CODE $API_BODY"

	# Creates of an existing name: dockerd answers with A's volume, or
	# makes a second network of the name.
	own_api "$OW_B" POST /volumes/create \
	    -H 'Content-Type: application/json' -d '{"Name":"oa-vol"}'
	_own_judge_api "owner: review: volume create of A's volume name: refused" \
	    POST "$OW_NOT" "$API_CODE $API_BODY"
	check_nomatch "owner: review: ... the answer holds nothing of A's volume" \
	    'Mountpoint|job-a' "$API_BODY"
	own_api "$OW_B" POST /networks/create \
	    -H 'Content-Type: application/json' \
	    -d '{"Name":"oa-net","checkDuplicate":false}'
	check_match "owner: review: network create of A's network name with CheckDuplicate false: dockerd's conflict" \
	    '^409 .*already exists' "$API_CODE $API_BODY"
	check_eq "owner: review: ... one network named oa-net" 1 \
	    "$(dd_ network ls -q --filter name='^oa-net$' | wc -l)"
	out=$(oa run --rm --network oa-net "$IMG" echo still-mine 2>&1)
	check_eq "owner: review: ... A still uses oa-net by name" still-mine "$out"

	# docker load sets names and labels sockguard does not read.
	own_api "$OW_B" POST "/images/load?quiet=1" \
	    -H 'Content-Type: application/x-tar' --data-binary @/dev/null
	_own_judge_api "owner: review: docker load: refused" POST \
	    "docker load cannot be isolated" "$API_CODE $API_BODY"

	# A refusal names the object as the client did, not as dockerd does.
	own_api "$OW_B" GET "/containers/${OA_CID:0:12}/json"
	_own_judge_api "owner: review: B inspects A's container by id prefix: refused" \
	    GET "the container ${OA_CID:0:12} is not this client's" \
	    "$API_CODE $API_BODY"
	check_nomatch "owner: review: ... without A's container name" \
	    'oa-c1' "$API_BODY"

	out=$(oa rm json 2>&1 && oa volume rm create 2>&1 &&
	    oa network rm prune 2>&1 && oa rmi oa-steps:1 2>&1)
	check_rc "owner: review: A removes json, create, prune, oa-steps:1" \
	    0 $? "$out"
}

own_teardown() {
	local c v n i
	if [ -n "${SG_PIDS[owner]:-}" ]; then
		sg_stop owner
		check_rc "owner: sockguard exits 0 on SIGTERM" 0 $?
	fi
	c=$(dd_ ps -aq --filter "label=$OW_LABEL")
	[ -n "$c" ] && dd_ rm -f $c >/dev/null 2>&1
	c=$(dd_ ps -aq --filter "label=com.docker.compose.project")
	[ -n "$c" ] && dd_ rm -f $c >/dev/null 2>&1
	v=$(dd_ volume ls -q --filter "label=$OW_LABEL")
	[ -n "$v" ] && dd_ volume rm -f $v >/dev/null 2>&1
	n=$(dd_ network ls -q --filter "label=$OW_LABEL")
	[ -n "$n" ] && dd_ network rm $n >/dev/null 2>&1
	for i in oa-img:1 127.0.0.1:9/oa-img:1 127.0.0.1:9/oa-img:latest \
	    oa-img:2 oa-img:ev oa-commit:1 shared-imp:1 oa-plant:1 oa-plant:2 \
	    ob-img:1 ob-img:ev ob-stolen:1 ob-commit:1 ob-commit:2 ob-fake:1 \
	    ob-busybox:1 oa-steps:1; do
		dd_ image inspect "$i" >/dev/null 2>&1 && dd_ rmi -f "$i" >/dev/null 2>&1
	done
	i=$(dd_ images -q --filter "label=$OW_LABEL")
	[ -n "$i" ] && dd_ rmi -f $i >/dev/null 2>&1
	i=$(dd_ images -q --filter dangling=true)
	[ -n "$i" ] && dd_ rmi -f $i >/dev/null 2>&1
	# A wrong prune must not cost the files after this one their image.
	if ! dd_ image inspect "$IMG" >/dev/null 2>&1; then
		fail "owner: the shared test image survived" "re-importing it"
		tar -C "$ROOTFS" -c . | dd_ import - "$IMG" >/dev/null 2>&1
		OW_INV0=$(printf '%s\n' "$OW_INV0" | sed "s/^images: .*/images: $(dd_ images -q --no-trunc | sort -u | tr '\n' ' ')/")
	fi
	check_eq "owner: dockerd has what it had before this file" \
	    "$OW_INV0" "$(own_inventory)"
	cp "$OW_AUDIT" "$W/owner-audit.log" 2>/dev/null
	rm -rf "$OW"
}

if [ "${IT_STANDIN:-}" = socat ]; then
	skip "owner: all" "IT_STANDIN=socat: no sockguard to test"
elif own_setup; then
	run_cases own_make own_b_containers own_b_exec own_b_volumes \
	    own_b_networks own_b_images own_b_image_names own_foreign_label \
	    own_not_isolated own_no_owner own_lists own_events own_a_ops \
	    own_prunes own_compose_flow own_review
	own_teardown
else
	own_teardown
fi
