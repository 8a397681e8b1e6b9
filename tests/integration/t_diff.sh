# shellcheck shell=bash
# Differential check of the body decoder (issue 7, item 2): a generated
# corpus of container-create bodies (diffgen.py: keys in other cases,
# under Unicode folding, escaped, repeated; nulls, numbers, booleans as
# strings, nesting, invalid UTF-8, bind sources through .. and links),
# each judged by sockguard's own policy (sockguard explain) and created
# on the private dockerd, directly and through a sockguard instance;
# diffcheck.py says how they are compared.  A body that sockguard allows
# and that gives a container breaking a rule sockguard believed kept, or
# one that reads differently through sockguard, fails.  Sourced by
# tests/integration/run.

DF=$W/diff

diff_run() {
	local cgp n out summary
	mkdir -p "$DF/ok" "$DF/bad"
	ln -sfn ../bad "$DF/ok/link-to-bad"
	# dockerd with the systemd cgroup driver takes only slices.
	if [ "$(dd_ info --format '{{.CgroupDriver}}')" = systemd ]; then
		cgp=sgdiff.slice
	else
		cgp=/sgdiff
	fi
	n=$("$PY" "$IT_DIR/diffgen.py" "$DF/corpus" "$IMG" "$DF/ok" \
	    "$DF/bad" "$cgp")
	check_true "diff: the corpus is generated ($n bodies)" "diffgen.py: $n" \
	    test "${n:-0}" -gt 200
	"$PY" "$IT_DIR/diffcheck.py" setup "$DF" "$DF/ok"
	{
		echo "upstream: $DD_SOCK"
		echo "listen:"
		echo "  - unix: $DF/probe.sock"
		echo "rules: $DF/probe-rules.yaml"
	} >"$DF/probe.yaml"
	IT_RULES=$DF/open-rules.yaml sg_config diff "$DD_SOCK" "$W/diff.sock"
	if ! sg_start diff; then
		fail "diff: sockguard with every container check open starts" \
		    "$(tail -5 "$W/diff.log")"
		return
	fi
	timeout -k 5 300 "$PY" "$IT_DIR/diffcheck.py" run "$SG_BIN" \
	    "$DF/probe.yaml" "$DD_SOCK" "$W/diff.sock" "$DF/corpus" "$DF/ok" \
	    >"$DF/out" 2>&1
	sg_stop diff
	cp "$DF/out" "$W/diffcheck.log"
	out=$(cat "$DF/out")
	summary=$(sed -n 's/^summary //p' "$DF/out")
	check_match "diff: every body was judged and created (summary line)" \
	    "^bodies=$n " "$summary"
	check_eq "diff: sockguard allows nothing that dockerd makes into more, and forwards what it read" \
	    "" "$(grep -E '^(FAIL|Traceback|[A-Za-z]+Error)' <<<"$out")"
	# The corpus must reach each outcome, or a passing run proves little.
	diff_count() { sed -n "s/.*\\b$1=\\([0-9]*\\).*/\\1/p" <<<"$summary"; }
	check_true "diff: enough bodies compared with dockerd ($(diff_count compared)) and through sockguard ($(diff_count via_compared))" \
	    "$summary" test "$(diff_count compared)" -ge 150 -a \
	    "$(diff_count via_compared)" -ge 120
	check_true "diff: enough bodies refused as ambiguous or malformed ($(diff_count refused))" \
	    "$summary" test "$(diff_count refused)" -ge 40
	echo "# diff: $summary"
	# Nothing left behind: containers are removed as they are inspected,
	# the one named volume a relative bind source makes is not.
	dd_ volume rm -f sgdiff-rel >/dev/null 2>&1
	check_eq "diff: no container left behind" "" \
	    "$(dd_ ps -aq --filter name=sgdiff-)"
}

if [ "${IT_STANDIN:-}" = socat ]; then
	skip "diff: all" "IT_STANDIN=socat: no sockguard to test"
else
	run_cases diff_run
fi
