# shellcheck shell=bash
# `sockguard reap OWNER`, against the private dockerd directly: objects of
# two tenants and unlabelled ones are made with `dd_` (as sockguard's
# ownership would label them), reap removes exactly one tenant's
# containers (running, stopped, --rm, with an anonymous volume), volumes
# and networks, in the order their uses need, and leaves everything else;
# a dry run removes nothing; bad owners, labels and configurations exit 2;
# -l and the rules' ownership label pick the label; a volume another
# tenant uses makes it exit 1 and say which.  A scripted fake dockerd
# (reapfake.py) adds what a real one rarely gives: chunked and read-to-EOF
# lists, objects that vanish (404), a list whose filter matched objects
# of another owner (never removed), and a removal that fails.
#
# Sourced by tests/integration/run: uses dd_, $IMG, $W, $DD_SOCK, $SG_BIN.

RP=$W/reap
RP_L=io.sockguard.owner
RP_LOOP='trap "exit 0" TERM; while :; do sleep 0.1; done'
mkdir -p "$RP"

# rp OUT-VAR ARGS...: runs `sockguard reap ARGS`, stdout and stderr into
# the variable, exit status in RP_RC.
rp() {
	local -n _out=$1
	shift
	_out=$(timeout -k 5 120 "$SG_BIN" reap "$@" 2>&1)
	RP_RC=$?
}

# The names of every container, volume and network, sorted, one a line
# ("c NAME", "v NAME", "n NAME"); only those of this file (rp-*).
rp_inventory() {
	{
		dd_ ps -a --format '{{.Names}}' | sed 's/^/c /'
		dd_ volume ls -q | sed 's/^/v /'
		dd_ network ls --format '{{.Name}}' | sed 's/^/n /'
	} | grep -E '^. rp-' | sort
}

rp_setup() {
	local ok=1 t
	sg_config reap "$DD_SOCK" "$RP/unused.sock"
	# Rules whose profiles label with another key, and with two keys.
	cat >"$RP/rules-label.yaml" <<EOF
version: 1
default_profile: a
profiles:
  a:
    endpoints: [{allow: "* /**"}]
    ownership: {label: com.example.tenant, owner: "\${listener}"}
  b:
    ownership: {label: com.example.tenant, owner: "ci-\${uid}"}
  plain: {}
EOF
	cat >"$RP/rules-two.yaml" <<EOF
version: 1
default_profile: a
profiles:
  a:
    ownership: {label: com.example.tenant, owner: "\${listener}"}
  b:
    ownership: {label: io.sockguard.owner, owner: "\${listener}"}
EOF
	IT_RULES=$RP/rules-label.yaml sg_config reapl "$DD_SOCK" "$RP/unused.sock"
	IT_RULES=$RP/rules-two.yaml sg_config reap2 "$DD_SOCK" "$RP/unused.sock"
	sg_config reapnone "$RP/nothing.sock" "$RP/unused.sock"

	for t in job-a job-b; do
		dd_ network create --label "$RP_L=$t" "rp-$t-net" >/dev/null &&
		dd_ volume create --label "$RP_L=$t" "rp-$t-vol" >/dev/null &&
		dd_ run -d --label "$RP_L=$t" --name "rp-$t-run" \
		    -v "rp-$t-vol:/data" "$IMG" sh -c "$RP_LOOP" >/dev/null &&
		dd_ run -d --label "$RP_L=$t" --name "rp-$t-onnet" \
		    --network "rp-$t-net" "$IMG" sh -c "$RP_LOOP" >/dev/null &&
		dd_ create --label "$RP_L=$t" --name "rp-$t-created" "$IMG" \
		    true >/dev/null &&
		dd_ run --label "$RP_L=$t" --name "rp-$t-exited" "$IMG" \
		    true >/dev/null || ok=0
	done
	dd_ run -d --rm --label "$RP_L=job-a" --name rp-job-a-rm "$IMG" \
	    sh -c "$RP_LOOP" >/dev/null &&
	dd_ create --label "$RP_L=job-a" --name rp-job-a-anon -v /anon "$IMG" \
	    true >/dev/null || ok=0
	# Look-alikes of job-a that are not job-a's, and unlabelled objects.
	dd_ create --label "$RP_L=job-a2" --name rp-lookalike-prefix "$IMG" \
	    true >/dev/null &&
	dd_ create --label "$RP_L=JOB-A" --name rp-lookalike-case "$IMG" \
	    true >/dev/null &&
	dd_ create --label "other.owner=job-a" --name rp-otherlabel "$IMG" \
	    true >/dev/null &&
	dd_ volume create --label "other.owner=job-a" rp-otherlabel-vol \
	    >/dev/null &&
	dd_ create --label "com.example.tenant=job-c" --name rp-tenant-c \
	    "$IMG" true >/dev/null &&
	dd_ create --name rp-plain "$IMG" true >/dev/null &&
	dd_ volume create rp-plain-vol >/dev/null &&
	dd_ network create rp-plain-net >/dev/null || ok=0
	RP_ANON=$(dd_ inspect -f '{{range .Mounts}}{{.Name}}{{end}}' \
	    rp-job-a-anon)
	if [ "$ok" = 1 ] && [ -n "$RP_ANON" ]; then
		pass "reap: setup: job-a, job-b, look-alike and unlabelled objects"
	else
		fail "reap: setup: job-a, job-b, look-alike and unlabelled objects" \
		    "$(rp_inventory)"
	fi
}

rp_usage() {
	local out
	rp out -c "$W/reap.yaml" 'job a'
	check_rc "reap: an owner with a space exits 2" 2 "$RP_RC" "$out"
	check_match "reap: an owner with a space: says why" 'bad owner' "$out"
	rp out -c "$W/reap.yaml" ''
	check_rc "reap: an empty owner exits 2" 2 "$RP_RC" "$out"
	rp out -c "$W/reap.yaml" "$(printf 'x%.0s' $(seq 129))"
	check_rc "reap: a 129-byte owner exits 2" 2 "$RP_RC" "$out"
	# shellcheck disable=SC2016 # a literal $( ), never expanded
	rp out -c "$W/reap.yaml" 'job-a$(id)'
	check_rc "reap: an owner with \$( exits 2" 2 "$RP_RC" "$out"
	rp out -h
	check_rc "reap: -h exits 0" 0 "$RP_RC" "$out"
	check_match "reap: -h says images are left alone" \
	    'images are left alone' "$out"
	rp out -c "$W/reap.yaml"
	check_rc "reap: no owner exits 2" 2 "$RP_RC" "$out"
	check_match "reap: no owner prints usage" 'usage: sockguard reap' "$out"
	rp out -c "$W/reap.yaml" job-a job-b
	check_rc "reap: two owners exit 2" 2 "$RP_RC" "$out"
	rp out -c "$W/reap.yaml" job-a -n
	check_rc "reap: an option after the owner exits 2" 2 "$RP_RC" "$out"
	rp out -c "$W/reap.yaml" -x job-a
	check_rc "reap: an unknown option exits 2" 2 "$RP_RC" "$out"
	rp out -c "$W/reap.yaml" -l 'bad label' job-a
	check_rc "reap: a bad -l label exits 2" 2 "$RP_RC" "$out"
	rp out -c "$RP/missing.yaml" job-a
	check_rc "reap: a missing configuration exits 2" 2 "$RP_RC" "$out"
	rp out -c "$W/reap2.yaml" job-a
	check_rc "reap: rules with two ownership labels exit 2" 2 "$RP_RC" "$out"
	check_match "reap: rules with two ownership labels: says so" \
	    'different ownership labels.*-l' "$out"
	check_eq "reap: nothing was removed by the refused commands" \
	    "$RP_INV0" "$(rp_inventory)"
}

rp_dry() {
	local out
	rp out -n -c "$W/reap.yaml" job-a
	check_rc "reap: dry run exits 0" 0 "$RP_RC" "$out"
	check_eq "reap: dry run lists job-a's objects" \
	    "container rp-job-a-anon
container rp-job-a-created
container rp-job-a-exited
container rp-job-a-onnet
container rp-job-a-rm
container rp-job-a-run
network rp-job-a-net
volume rp-job-a-vol" \
	    "$(printf '%s\n' "$out" | grep -E '^(container|volume|network) ' |
	    awk '$1 == "volume" { print $1, $2; next } { print $1, $3 }' | sort)"
	check_line "reap: dry run summary" \
	    "dry run: would remove 6 containers, 1 volume, 1 network labelled $RP_L=job-a" \
	    "$out"
	check_eq "reap: dry run removes nothing" "$RP_INV0" "$(rp_inventory)"
}

rp_reap() {
	local out want id
	id=$(dd_ inspect -f '{{.Id}}' rp-job-a-run)
	rp out -c "$W/reap.yaml" job-a
	check_rc "reap: job-a exits 0" 0 "$RP_RC" "$out"
	check_line "reap: a removed container: full id and name" \
	    "container $id rp-job-a-run" "$out"
	check_line "reap: a removed volume: its name" "volume rp-job-a-vol" "$out"
	check_match "reap: a removed network: id and name" \
	    '^network [0-9a-f]{64} rp-job-a-net$' "$out"
	check_line "reap: summary" \
	    "removed 6 containers, 1 volume, 1 network labelled $RP_L=job-a" \
	    "$out"
	want=$(printf '%s\n' "$RP_INV0" | grep -v -e '^. rp-job-a-')
	check_eq "reap: exactly job-a's objects are gone" "$want" "$(rp_inventory)"
	check_eq "reap: no container is left with job-a's label" "" \
	    "$(dd_ ps -aq --filter "label=$RP_L=job-a")"
	if dd_ volume inspect "$RP_ANON" >/dev/null 2>&1; then
		fail "reap: the anonymous volume went with its container" \
		    "$RP_ANON is still there"
	else
		pass "reap: the anonymous volume went with its container"
	fi
	check_eq "reap: job-b's containers still run" "true true" \
	    "$(dd_ inspect -f '{{.State.Running}}' rp-job-b-run rp-job-b-onnet |
	    xargs)"
	rp out -c "$W/reap.yaml" job-a
	check_rc "reap: again: nothing left, exits 0" 0 "$RP_RC" "$out"
	check_eq "reap: again: only the summary" \
	    "removed 0 containers, 0 volumes, 0 networks labelled $RP_L=job-a" \
	    "$out"
}

rp_labels() {
	local out
	rp out -c "$W/reap.yaml" -l other.owner job-a
	check_rc "reap: -l other.owner exits 0" 0 "$RP_RC" "$out"
	check_line "reap: -l other.owner: summary" \
	    "removed 1 container, 1 volume, 0 networks labelled other.owner=job-a" \
	    "$out"
	check_eq "reap: -l other.owner: its objects are gone" "" \
	    "$(rp_inventory | grep -e rp-otherlabel)"
	rp out -c "$W/reapl.yaml" job-c
	check_rc "reap: the rules' ownership label: exits 0" 0 "$RP_RC" "$out"
	check_match "reap: the rules' ownership label is used" \
	    '^container [0-9a-f]{64} rp-tenant-c$' "$out"
	check_eq "reap: the look-alikes of job-a and the unlabelled remain" \
	    "c rp-lookalike-case
c rp-lookalike-prefix
c rp-plain
n rp-plain-net
v rp-plain-vol" \
	    "$(rp_inventory | grep -v -e '^. rp-job-b-')"
}

rp_failure() {
	local out
	# job-b's volume, mounted by a container job-b does not own: dockerd
	# refuses (409), reap says which and exits 1, and removes the rest.
	dd_ create --name rp-user -v rp-job-b-vol:/x "$IMG" true >/dev/null
	rp out -c "$W/reap.yaml" job-b
	check_rc "reap: a volume in use elsewhere: exits 1" 1 "$RP_RC" "$out"
	check_match "reap: a volume in use elsewhere: says which" \
	    'cannot remove volume rp-job-b-vol: the Docker Engine answered 409' \
	    "$out"
	check_match "reap: a volume in use elsewhere: counted" \
	    '^failed: 1 could not be removed' "$out"
	check_eq "reap: a volume in use elsewhere: the rest is gone" \
	    "c rp-user
v rp-job-b-vol" "$(rp_inventory | grep -e rp-user -e rp-job-b-)"
	dd_ rm rp-user >/dev/null
	rp out -c "$W/reap.yaml" job-b
	check_rc "reap: once it is free: exits 0" 0 "$RP_RC" "$out"
	check_line "reap: once it is free: the volume goes" \
	    "volume rp-job-b-vol" "$out"
	rp out -c "$W/reapnone.yaml" job-a
	check_rc "reap: no dockerd: exits 1" 1 "$RP_RC" "$out"
	check_match "reap: no dockerd: says so" \
	    "cannot list containers: cannot connect to $RP/nothing.sock" "$out"
	check_line "reap: no dockerd: stops there" \
	    "stopped: the containers could not be listed (see the errors above)" \
	    "$out"
}

rp_fake() {
	local out pid log=$RP/fake.log
	sg_config reapfake "$RP/fake.sock" "$RP/unused.sock"
	"$PY" "$IT_DIR/reapfake.py" "$RP/fake.sock" "$log" \
	    2>>"$W/reapfake.log" &
	pid=$!
	bg_register "$pid"
	if ! wait_for 10 sock_accepts "$RP/fake.sock"; then
		fail "reap: fake dockerd: setup" "$(cat "$W/reapfake.log")"
		stop_pid "$pid"
		return
	fi
	rp out -c "$W/reapfake.yaml" job-f
	check_rc "reap: fake: a failed removal exits 1" 1 "$RP_RC" "$out"
	check_line "reap: fake: chunked list, removed" \
	    "container $(printf 'a%.0s' $(seq 64)) fk-owned" "$out"
	check_line "reap: fake: 404 on removal is already gone" \
	    "container $(printf 'b%.0s' $(seq 64)) fk-gone (already gone)" "$out"
	check_match "reap: fake: another owner's object in the list is skipped" \
	    'skipping container c{64} fk-other: .*io.sockguard.owner is not job-f' \
	    "$out"
	check_match "reap: fake: an unlabelled object in the list is skipped" \
	    'skipping container d{64} fk-nolabel' "$out"
	check_match "reap: fake: a failed removal says which and why" \
	    'cannot remove container e{64} fk-busy: the Docker Engine answered 500: driver busy' \
	    "$out"
	check_line "reap: fake: read-to-EOF list, removed" \
	    "network $(printf 'f%.0s' $(seq 64)) fk-net" "$out"
	check_line "reap: fake: summary" \
	    "removed 2 containers, 0 volumes, 1 network labelled $RP_L=job-f" \
	    "$out"
	check_nomatch "reap: fake: skipped objects were never removed" \
	    "DELETE /containers/(c|d)" "$(cat "$log")"
	check_line "reap: fake: the list filter, percent-encoded" \
	    "GET /containers/json?all=1&filters=%7B%22label%22%3A%5B%22io.sockguard.owner%3Djob-f%22%5D%7D" \
	    "$(cat "$log")"
	check_line "reap: fake: containers removed forced, with volumes" \
	    "DELETE /containers/$(printf 'a%.0s' $(seq 64))?force=1&v=1" \
	    "$(cat "$log")"
	stop_pid "$pid"
}

# Leaves nothing of this file behind for the files after it.
# shellcheck disable=SC2086 # the id lists are split on purpose
rp_cleanup() {
	local c v n
	c=$(dd_ ps -aq --filter name=rp-)
	[ -n "$c" ] && dd_ rm -f -v $c >/dev/null
	v=$(dd_ volume ls -q --filter name=rp-)
	[ -n "$v" ] && dd_ volume rm $v >/dev/null
	n=$(dd_ network ls -q --filter name=rp-)
	[ -n "$n" ] && dd_ network rm $n >/dev/null
	check_eq "reap: cleanup: nothing of t_reap.sh is left" "" \
	    "$(rp_inventory)"
}

rp_setup
RP_INV0=$(rp_inventory)
run_cases rp_usage rp_dry rp_reap rp_labels rp_failure rp_fake
rp_cleanup
