# shellcheck shell=bash
# Raw HTTP through sockguard to a recording fake upstream
# (fakeupstream.py): what sockguard answers, whether it closes the
# connection, and - above all - which bytes reach the upstream.
# Sourced by tests/integration/run.

FU_SOCK=$W/fu.sock
FU_RAW=$W/fu.raw
FU_EV=$W/fu.events
RSOCK=$W/sgr.sock
FU_PID=
RAWD=$W/raw
mkdir -p "$RAWD"

fu_start() {
	"$PY" "$IT_DIR/fakeupstream.py" "$FU_SOCK" "$FU_RAW" "$FU_EV" \
	    2>>"$W/fakeupstream.log" &
	FU_PID=$!
	bg_register $FU_PID
	wait_for 10 sock_accepts "$FU_SOCK"
}

# mark: remember how much the upstream logs hold; new_raw / new_ev print
# what was added since.
mark() {
	RAW_MARK=$(stat -c %s "$FU_RAW" 2>/dev/null || echo 0)
	EV_MARK=$(stat -c %s "$FU_EV" 2>/dev/null || echo 0)
}
new_raw() { tail -c +$((RAW_MARK + 1)) "$FU_RAW" 2>/dev/null; }
new_ev() { tail -c +$((EV_MARK + 1)) "$FU_EV" 2>/dev/null; }
# Completed requests since the mark, less sockguard's own container
# look-ups (GET /containers/NAME/json before archive, exec, attach).
new_reqs() {
	new_ev | grep '^req ' | grep -v ' GET [^ ]*/containers/[^/ ]*/json '
}

# What rawclient printed, for failure messages.
show() { printf 'rawclient:\n%s\n' "$1"; }

# check_closed NAME OUT: the connection ended with EOF or a reset.
check_closed() {
	local end
	end=$(raw_end "$2")
	case $end in
	eof | reset) pass "$1" ;;
	*) fail "$1" "connection still open ($end)" "$(show "$2")" ;;
	esac
}

# check_json_error NAME OUT: the first response is sockguard's own JSON.
check_json_error() {
	local line
	line=$(printf '%s\n' "$2" | grep -m1 '^response ')
	if [[ $line == *ctype=application/json* ]] &&
	    [[ $line == *'body="{\"message\": \"sockguard: '* ||
	    $line == *'body="{\"message\":\"sockguard: '* ]]; then
		pass "$1"
	else
		fail "$1" 'want Content-Type: application/json and body {"message":"sockguard: ..."}' \
		    "$(show "$2")"
	fi
}

# check_upstream_clean NAME MARKER: nothing containing MARKER reached the
# upstream since the last mark.
check_upstream_clean() {
	sleep 0.3
	if ! kill -0 "$FU_PID" 2>/dev/null; then
		fail "$1" "the fake upstream is not running: its log cannot tell"
	elif new_raw | grep -aqF -- "$2"; then
		fail "$1" "the upstream received \"$2\":" \
		    "$(new_raw | head -c 2000 | cat -v)"
	else
		pass "$1"
	fi
}

# neg NAME STATUS-ERE MARKER PART...: a request sockguard must refuse with
# STATUS, closing the connection, forwarding nothing containing MARKER.
neg() {
	local name=$1 want=$2 marker=$3 out st
	shift 3
	mark
	out=$(raw "$RSOCK" --timeout 3 -- "$@")
	st=$(raw_status "$out")
	if [[ $st =~ ^($want)$ ]]; then
		pass "raw: $name: status $st"
	else
		fail "raw: $name: status ${st:-none}, want $want" "$(show "$out")"
	fi
	[ -n "$st" ] && check_json_error "raw: $name: JSON error body" "$out"
	check_closed "raw: $name: connection closed" "$out"
	check_upstream_clean "raw: $name: nothing reaches the upstream" \
	    "$marker"
}

H='Host: docker\r\n'
ARCH='/v1.41/containers/sgit/archive?path=/tmp'

raw_setup() {
	if ! fu_start; then
		fail "raw: setup: fake upstream" "$(cat "$W/fakeupstream.log")"
		return 1
	fi
	sg_config raw "$FU_SOCK" "$RSOCK" "max_request_line: 1KiB
max_header_bytes: 4KiB
max_headers: 20
max_inspect_body: 64KiB
header_timeout: 1s
idle_timeout: 30s"
	if ! sg_start raw; then
		fail "raw: setup: sockguard in front of the fake upstream" \
		    "$(tail -10 "$W/raw.log")"
		return 1
	fi
	local out
	out=$(raw "$RSOCK" --responses 1 -- \
	    "GET /v1.41/version?m=warmup HTTP/1.1\r\n$H\r\n")
	check_eq "raw: a plain GET is proxied" 200 "$(raw_status "$out")"
}

# ------------------------------------------------------------ smuggling

raw_smuggling() {
	neg "CL+TE" '400' clte \
	    "PUT $ARCH&m=clte HTTP/1.1\r\n$H""Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled-clte HTTP/1.1\r\n$H\r\n"
	neg "TE+CL" '400' tecl \
	    "PUT $ARCH&m=tecl HTTP/1.1\r\n$H""Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGET /smuggled-tecl HTTP/1.1\r\n$H""Content-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n"
	neg "two different Content-Lengths" '400' twocl \
	    "PUT $ARCH&m=twocl HTTP/1.1\r\n$H""Content-Length: 3\r\nContent-Length: 40\r\n\r\nabcGET /smuggled-twocl HTTP/1.1\r\n$H\r\n"
	neg "two equal Content-Lengths" '400' samecl \
	    "PUT $ARCH&m=samecl HTTP/1.1\r\n$H""Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc"
	neg "Content-Length: 3, 3 (a list is two values)" '400' listcl \
	    "PUT $ARCH&m=listcl HTTP/1.1\r\n$H""Content-Length: 3, 3\r\n\r\nabc"
	neg "Content-Length not a number" '400' nancl \
	    "PUT $ARCH&m=nancl HTTP/1.1\r\n$H""Content-Length: +3\r\n\r\nabc"
	neg "chunk size not hex" '400' badhex \
	    "POST /v1.41/containers/create?name=sgit&m=badhex HTTP/1.1\r\n$H""Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
	neg "chunk size overflow" '400' ovfhex \
	    "POST /v1.41/containers/create?name=sgit&m=ovfhex HTTP/1.1\r\n$H""Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000002\r\n{}\r\n0\r\n\r\n"
	neg "negative chunk size" '400' neghex \
	    "POST /v1.41/containers/create?name=sgit&m=neghex HTTP/1.1\r\n$H""Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n"
	neg "Transfer-Encoding gzip" '400|501' tegzip \
	    "PUT $ARCH&m=tegzip HTTP/1.1\r\n$H""Transfer-Encoding: gzip\r\n\r\nabc"
	neg "Transfer-Encoding chunked, chunked" '400|501' techch \
	    "PUT $ARCH&m=techch HTTP/1.1\r\n$H""Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"
	neg "Transfer-Encoding gzip, chunked" '400|501' tegzch \
	    "PUT $ARCH&m=tegzch HTTP/1.1\r\n$H""Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"
	neg "Transfer-Encoding xchunked" '400|501' texch \
	    "PUT $ARCH&m=texch HTTP/1.1\r\n$H""Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"
	neg "two Transfer-Encoding headers" '400|501' te2 \
	    "PUT $ARCH&m=te2 HTTP/1.1\r\n$H""Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
}

# ------------------------------------------------------------ head syntax

raw_head_syntax() {
	neg "obsolete line folding" '400' fold \
	    "GET /v1.41/version?m=fold HTTP/1.1\r\n$H""X-Long: a\r\n b\r\n\r\n"
	neg "folded Transfer-Encoding" '400' foldte \
	    "PUT $ARCH&m=foldte HTTP/1.1\r\n$H""Transfer-Encoding:\r\n chunked\r\nContent-Length: 3\r\n\r\nabc"
	neg "bare LF line endings" '400' barelf \
	    "GET /v1.41/version?m=barelf HTTP/1.1\nHost: docker\n\n"
	neg "one bare LF in the head" '400' onelf \
	    "GET /v1.41/version?m=onelf HTTP/1.1\r\nHost: docker\nX-A: b\r\n\r\n"
	neg "bare CR in the head" '400' barecr \
	    "GET /v1.41/version?m=barecr HTTP/1.1\r\nHost: docker\rX-A: b\r\n\r\n"
	neg "space before the colon" '400' spcolon \
	    "PUT $ARCH&m=spcolon HTTP/1.1\r\n$H""Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc"
	neg "space in a header name" '400' spname \
	    "GET /v1.41/version?m=spname HTTP/1.1\r\n$H""Bad Name: x\r\n\r\n"
	neg "invalid character in a header name" '400' atname \
	    "GET /v1.41/version?m=atname HTTP/1.1\r\n$H""X@Y: x\r\n\r\n"
	neg "header without a colon" '400' nocolon \
	    "GET /v1.41/version?m=nocolon HTTP/1.1\r\n$H""NoColonHere\r\n\r\n"
	neg "NUL in a header value" '400' nulval \
	    "GET /v1.41/version?m=nulval HTTP/1.1\r\n$H""X-A: a\x00b\r\n\r\n"
	neg "missing Host (HTTP/1.1)" '400' nohost \
	    "GET /v1.41/version?m=nohost HTTP/1.1\r\n\r\n"
	neg "two Host headers" '400' twohost \
	    "GET /v1.41/version?m=twohost HTTP/1.1\r\n$H$H\r\n"
	neg "HTTP/1.2" '505' http12 \
	    "GET /v1.41/version?m=http12 HTTP/1.2\r\n$H\r\n"
	neg "HTTP/2.0" '505' http20 \
	    "GET /v1.41/version?m=http20 HTTP/2.0\r\n$H\r\n"
	neg "HTTP/0.9 style request line" '400|505' http09 \
	    "GET /v1.41/version?m=http09\r\n\r\n"
}

# ------------------------------------------------------------ paths

raw_paths() {
	neg "dot-dot segment" '400' dotdot \
	    "GET /v1.41/containers/../images/json?m=dotdot HTTP/1.1\r\n$H\r\n"
	neg "dot segment" '400' dotseg \
	    "GET /v1.41/./containers/json?m=dotseg HTTP/1.1\r\n$H\r\n"
	neg "trailing dot-dot" '400' dotend \
	    "GET /v1.41/containers/..?m=dotend HTTP/1.1\r\n$H\r\n"
	neg "empty segment" '400' emptyseg \
	    "GET /v1.41//containers/json?m=emptyseg HTTP/1.1\r\n$H\r\n"
	neg "encoded slash %2F" '400' encslash \
	    "GET /v1.41/containers/a%2Fb/json?m=encslash HTTP/1.1\r\n$H\r\n"
	neg "encoded slash %2f" '400' encslash2 \
	    "GET /v1.41/containers/a%2fb/json?m=encslash2 HTTP/1.1\r\n$H\r\n"
	neg "encoded dot-dot %2e%2e" '400' encdot \
	    "GET /v1.41/containers/%2e%2e/images/json?m=encdot HTTP/1.1\r\n$H\r\n"
}

# ------------------------------------------------------------ size limits

raw_limits() {
	neg "request line over max_request_line (1KiB)" '414' longline \
	    "GET /v1.41/version?m=longline&x=$PAD1K HTTP/1.1\r\n$H\r\n"
	neg "head over max_header_bytes (4KiB)" '431' bighead \
	    "GET /v1.41/version?m=bighead HTTP/1.1\r\n$H" \
	    "@repeat:10:X-Pad: $(printf '%0500d' 0)\r\n" "\r\n"
	neg "more than max_headers (20)" '431' manyhdr \
	    "GET /v1.41/version?m=manyhdr HTTP/1.1\r\n$H" \
	    "@repeat:25:X-H: 1\r\n" "\r\n"
	head -c 70000 /dev/zero | tr '\0' ' ' >"$RAWD/pad70k"
	neg "JSON body over max_inspect_body (Content-Length)" '413' bigjson \
	    "POST /v1.41/containers/create?name=sgit-bigjson HTTP/1.1\r\n$H""Content-Type: application/json\r\nContent-Length: 70012\r\n\r\n" \
	    '{"Image":"x"' "@file:$RAWD/pad70k"
	neg "JSON body over max_inspect_body (chunked)" '413' bigchunk \
	    "POST /v1.41/containers/create?name=sgit-bigchunk HTTP/1.1\r\n$H""Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" \
	    "@repeat:20:1000\r\n$(printf '%04096d' 0)\r\n" "0\r\n\r\n"
	neg "exec body over max_inspect_body" '413' bigexec \
	    "POST /v1.41/containers/sgit/exec?m=bigexec HTTP/1.1\r\n$H""Content-Type: application/json\r\nContent-Length: 70012\r\n\r\n" \
	    '{"Cmd":["x"]' "@file:$RAWD/pad70k"
}
# The request line must be over 1 KiB: fill in the padding.
PAD1K=$(printf '%01100d' 0)

# ------------------------------------------------------------ forwarding

# pos NAME N PART...: N responses, connection still open; output in OUT.
pos() {
	local name=$1 n=$2
	shift 2
	mark
	OUT=$(raw "$RSOCK" --timeout 5 --responses "$n" -- "$@")
}

raw_forwarding() {
	local sha

	# A Content-Length body, binary, forwarded byte for byte.
	head -c 100000 /dev/urandom >"$RAWD/cl.bin"
	sha=$(sha256sum <"$RAWD/cl.bin" | cut -d' ' -f1)
	pos "content-length" 1 \
	    "PUT $ARCH&m=clbody HTTP/1.1\r\n$H""Content-Type: application/x-tar\r\nContent-Length: 100000\r\n\r\n" \
	    "@file:$RAWD/cl.bin"
	check_eq "raw: Content-Length body: 200 from upstream" 200 \
	    "$(raw_status "$OUT")"
	check_eq "raw: Content-Length body: connection kept open" open \
	    "$(raw_end "$OUT")"
	sleep 0.2
	check_match "raw: Content-Length body: upstream got the same 100000 bytes" \
	    "m=clbody framing=[a-z]+ len=100000 sha256=$sha" "$(new_ev)"

	# A chunked body with odd chunk sizes, upper- and lower-case hex,
	# leading zeros and CRLFs and a request line inside the data, sent in
	# two writes: the upstream must decode exactly the same bytes.
	"$PY" - "$RAWD" <<'EOF'
import os, sys
d = sys.argv[1]
pieces = [b"first-", os.urandom(4097),
          b"X\r\n0\r\n\r\nGET /not-a-request HTTP/1.1\r\n",
          os.urandom(255), b"y" * 16]
fmt = ["%x", "%X", "%x", "%04X", "%x"]
wire = [b"%s\r\n%s\r\n" % ((f % len(p)).encode(), p)
        for f, p in zip(fmt, pieces)]
open(d + "/ch.expect", "wb").write(b"".join(pieces))
open(d + "/ch.wire1", "wb").write(b"".join(wire[:2]))
open(d + "/ch.wire2", "wb").write(b"".join(wire[2:]) + b"00\r\n\r\n")
EOF
	sha=$(sha256sum <"$RAWD/ch.expect" | cut -d' ' -f1)
	local n
	n=$(stat -c %s "$RAWD/ch.expect")
	pos "chunked" 1 \
	    "PUT $ARCH&m=chbody HTTP/1.1\r\n$H""Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n" \
	    "@file:$RAWD/ch.wire1" "@sleep:0.2" "@file:$RAWD/ch.wire2"
	check_eq "raw: chunked body: 200 from upstream" 200 \
	    "$(raw_status "$OUT")"
	check_eq "raw: chunked body: connection kept open" open \
	    "$(raw_end "$OUT")"
	sleep 0.2
	check_match "raw: chunked body: upstream decodes the same $n bytes" \
	    "m=chbody framing=[a-z]+ len=$n sha256=$sha" "$(new_ev)"
	check_eq "raw: chunked body: exactly one request upstream" 1 \
	    "$(new_reqs | grep -c .)"

	# An empty chunked body.
	pos "chunked-empty" 1 \
	    "PUT $ARCH&m=chempty HTTP/1.1\r\n$H""Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
	check_eq "raw: empty chunked body: 200" 200 "$(raw_status "$OUT")"
	sleep 0.2
	check_match "raw: empty chunked body: upstream got an empty body" \
	    'm=chempty framing=[a-z]+ len=0 ' "$(new_ev)"

	# Responses: status and a chunked response pass through.
	pos "status" 1 "GET /v1.41/containers/nope/json?fake_status=404 HTTP/1.1\r\n$H\r\n"
	check_eq "raw: upstream's 404 passes through" 404 "$(raw_status "$OUT")"
	pos "chunked response" 1 "GET /v1.41/version?fake_chunked=1&m=chresp HTTP/1.1\r\n$H\r\n"
	check_match "raw: chunked response passes through whole" \
	    '^response 200 .*"path\\": \\"/v1.41/version\?fake_chunked=1&m=chresp\\"' \
	    "$OUT"
	mark
	OUT=$(raw "$RSOCK" --timeout 5 --responses 2 --head-responses 1 -- "HEAD /v1.41/version?m=head1 HTTP/1.1\r\n$H\r\nGET /v1.41/version?m=head2 HTTP/1.1\r\n$H\r\n")
	check_match "raw: HEAD response without a body, then the next response" \
	    'm=head2' "$(printf '%s\n' "$OUT" | sed -n 2p)"
}

raw_pipelining() {
	local out
	# The first is the slowest: answers must still come in order.
	pos "pipelined" 3 \
	    "GET /v1.41/version?p=1&fake_delay=300 HTTP/1.1\r\n$H\r\nGET /v1.41/version?p=2 HTTP/1.1\r\n$H\r\nGET /v1.41/version?p=3&fake_delay=100 HTTP/1.1\r\n$H\r\n"
	out=$(printf '%s\n' "$OUT" | grep '^response' |
	    sed -n 's/.*version?p=\([0-9]\).*/\1/p' | tr '\n' ' ')
	check_eq "raw: 3 pipelined GETs answered in order" "1 2 3 " "$out"
	check_eq "raw: pipelined: connection kept open" open "$(raw_end "$OUT")"

	# With a body in the middle.
	pos "pipelined-body" 3 \
	    "GET /v1.41/version?p=1 HTTP/1.1\r\n$H\r\nPUT $ARCH&p=2 HTTP/1.1\r\n$H""Content-Length: 5\r\n\r\nhelloGET /v1.41/version?p=3 HTTP/1.1\r\n$H\r\n"
	out=$(printf '%s\n' "$OUT" | grep '^response' |
	    sed -n 's/.*[?&]p=\([0-9]\).*/\1/p' | tr '\n' ' ')
	check_eq "raw: pipelined GET, PUT with body, GET answered in order" \
	    "1 2 3 " "$out"

	# A good request, then a smuggling attempt: the first is answered,
	# the second refused, and it never reaches the upstream.
	mark
	OUT=$(raw "$RSOCK" --timeout 3 -- \
	    "GET /v1.41/version?p=1 HTTP/1.1\r\n$H\r\nPUT $ARCH&m=pipesmug HTTP/1.1\r\n$H""Content-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n")
	check_eq "raw: good then bad pipelined: statuses" "200 400" \
	    "$(printf '%s\n' "$OUT" | awk '$1 == "response" { printf "%s%s", s, $2; s = " " }')"
	check_closed "raw: good then bad pipelined: connection closed" "$OUT"
	check_upstream_clean "raw: good then bad pipelined: bad one not forwarded" \
	    pipesmug
	check_upstream_clean "raw: good then bad pipelined: nothing smuggled" \
	    smuggled
}

raw_expect_continue() {
	local sha line100 line200
	sha=$(printf 'hello world' | sha256sum | cut -d' ' -f1)
	mark
	OUT=$(raw "$RSOCK" --timeout 5 --responses 1 -- \
	    "PUT $ARCH&m=expect HTTP/1.1\r\n$H""Expect: 100-continue\r\nContent-Length: 11\r\n\r\n" \
	    "@wait100" "hello world")
	line100=$(printf '%s\n' "$OUT" | grep -m1 '^interim 100')
	line200=$(printf '%s\n' "$OUT" | grep -m1 '^response')
	if [ -n "$line100" ] && [ "$(printf '%s\n' "$OUT" | grep -m1 -E '^(interim|response)')" = "$line100" ]; then
		pass "raw: Expect: 100-continue: 100 Continue before the final response"
	else
		fail "raw: Expect: 100-continue: 100 Continue before the final response" \
		    "$(show "$OUT")"
	fi
	# The fake upstream never sends 100 itself: this one is sockguard's,
	# and it must come without waiting for the body (rawclient waits up to
	# 5 s for it before sending the body).
	check_true "raw: Expect: 100-continue: 100 comes before the body is sent" \
	    "$line100" awk -v l="$line100" 'BEGIN { split(l, a, "t="); exit !(a[2] + 0 < 2) }'
	check_match "raw: Expect: 100-continue: then 200" '^response 200' "$line200"
	sleep 0.2
	check_match "raw: Expect: 100-continue: upstream got the body" \
	    "m=expect framing=[a-z]+ len=11 sha256=$sha" "$(new_ev)"
}

raw_connection_close() {
	pos "http10" 1 "GET /v1.41/version?m=http10 HTTP/1.0\r\n\r\n"
	check_eq "raw: HTTP/1.0 without Host: 200" 200 "$(raw_status "$OUT")"
	check_closed "raw: HTTP/1.0: connection closed after the response" "$OUT"
	pos "conn-close" 1 "GET /v1.41/version?m=cclose HTTP/1.1\r\n$H""Connection: close\r\n\r\n"
	check_eq "raw: Connection: close: 200" 200 "$(raw_status "$OUT")"
	check_closed "raw: Connection: close: connection closed after the response" "$OUT"
}

# A malformed chunk in the middle of a streamed upload: the upstream sees
# a truncated body and the end of its connection, nothing after the bad
# chunk, and never a second request.
raw_midstream_bad_chunk() {
	local st ev
	head -c 8192 /dev/urandom | base64 -w0 | head -c 8192 >"$RAWD/mid.a"
	mark
	OUT=$(raw "$RSOCK" --timeout 3 -- \
	    "PUT $ARCH&m=midbad HTTP/1.1\r\n$H""Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n" \
	    "@file:$RAWD/mid.a" "\r\n" "@sleep:0.5" \
	    "zz\r\nAFTERBAD\r\n0\r\n\r\nGET /smuggled-mid HTTP/1.1\r\n$H\r\n")
	st=$(raw_status "$OUT")
	if [ -z "$st" ] || [ "$st" = 400 ]; then
		pass "raw: bad chunk mid-stream: client gets 400 or a close"
	else
		fail "raw: bad chunk mid-stream: client gets 400 or a close" \
		    "$(show "$OUT")"
	fi
	check_closed "raw: bad chunk mid-stream: client connection closed" "$OUT"
	# The upstream connection that carried the head must end mid-body.
	if wait_for 5 eval 'new_ev | grep -q "^close [0-9]* body "'; then
		pass "raw: bad chunk mid-stream: upstream connection closed mid-body"
	else
		fail "raw: bad chunk mid-stream: upstream connection closed mid-body" \
		    "upstream events since:" "$(new_ev)"
	fi
	ev=$(new_ev)
	check_nomatch "raw: bad chunk mid-stream: upstream never completes the request" \
	    '^req .*m=midbad' "$ev"
	check_upstream_clean "raw: bad chunk mid-stream: nothing after the bad chunk" \
	    AFTERBAD
	check_upstream_clean "raw: bad chunk mid-stream: no second request" \
	    smuggled-mid
	check_eq "raw: bad chunk mid-stream: no request at all completed upstream" \
	    "" "$(new_reqs)"
}

# A bad first chunk on a streamed endpoint: refused, and no request ever
# completes upstream (sockguard may already have sent the head).
raw_bad_first_chunk_streamed() {
	mark
	OUT=$(raw "$RSOCK" --timeout 3 -- \
	    "PUT $ARCH&m=firstbad HTTP/1.1\r\n$H""Transfer-Encoding: chunked\r\n\r\nq\r\nBADFIRST\r\n0\r\n\r\n")
	check_eq "raw: bad first chunk (streamed endpoint): 400" 400 \
	    "$(raw_status "$OUT")"
	check_closed "raw: bad first chunk (streamed endpoint): connection closed" "$OUT"
	sleep 0.3
	check_nomatch "raw: bad first chunk (streamed endpoint): no request completes upstream" \
	    '^req .*m=firstbad' "$(new_ev)"
	check_upstream_clean "raw: bad first chunk (streamed endpoint): its bytes not forwarded" \
	    BADFIRST
}

# Upstream down: 502 naming the socket and the error; back up: works again
# without restarting sockguard.
raw_upstream_down() {
	local out msg
	stop_pid "$FU_PID" TERM		# removes its socket
	out=$(raw "$RSOCK" --timeout 3 -- "GET /v1.41/version?m=down1 HTTP/1.1\r\n$H\r\n")
	check_eq "raw: upstream gone: 502" 502 "$(raw_status "$out")"
	check_json_error "raw: upstream gone: JSON error body" "$out"
	msg=$(printf '%s\n' "$out" | grep -m1 '^response')
	check_match "raw: upstream gone: message names the upstream socket" \
	    "$FU_SOCK" "$msg"
	check_match "raw: upstream gone: message has the errno text" \
	    'No such file or directory' "$msg"

	# A stale socket file: nobody listening.
	"$PY" -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$FU_SOCK"
	out=$(raw "$RSOCK" --timeout 3 -- "GET /v1.41/version?m=down2 HTTP/1.1\r\n$H\r\n")
	check_eq "raw: upstream refusing: 502" 502 "$(raw_status "$out")"
	check_match "raw: upstream refusing: message has the errno text" \
	    'Connection refused' "$(printf '%s\n' "$out" | grep -m1 '^response')"

	if ! fu_start; then
		fail "raw: restart the fake upstream" "$(tail "$W/fakeupstream.log")"
		return
	fi
	mark
	out=$(raw "$RSOCK" --timeout 3 --responses 1 -- "GET /v1.41/version?m=backup HTTP/1.1\r\n$H\r\n")
	check_eq "raw: upstream back: next request works (same sockguard)" 200 \
	    "$(raw_status "$out")"
	sleep 0.2
	check_match "raw: upstream back: the request reached it" \
	    'm=backup' "$(new_ev)"
	check_true "raw: sockguard still running after the upstream outage" \
	    "it exited: $(tail -5 "$W/raw.log")" sg_alive raw
}

# Half a head, then silence: sockguard gives up after header_timeout (1 s)
# while another client is served promptly.
raw_slowloris() {
	local spid fast t st end
	raw "$RSOCK" --timeout 6 -- \
	    "GET /v1.41/version?m=slowloris HTTP/1.1\r\n$H""X-Slow: 1\r\n" \
	    >"$RAWD/slow.out" &
	spid=$!
	bg_register $spid
	sleep 0.3
	fast=$(raw "$RSOCK" --timeout 3 --responses 1 -- "GET /v1.41/version?m=fast HTTP/1.1\r\n$H\r\n")
	check_eq "raw: slowloris: another client is served" 200 "$(raw_status "$fast")"
	t=$(printf '%s\n' "$fast" | awk '$1 == "response" { sub("t=", "", $3); print $3; exit }')
	check_true "raw: slowloris: ... promptly (under 0.5 s)" "took ${t:-?} s" \
	    awk -v t="${t:-99}" 'BEGIN { exit !(t < 0.5) }'
	wait "$spid"
	local out
	out=$(cat "$RAWD/slow.out")
	st=$(raw_status "$out")
	end=$(raw_end "$out")
	t=$(printf '%s\n' "$out" | awk '$1 == "end" { sub("t=", "", $3); print $3 }')
	if { [ -z "$st" ] || [ "$st" = 408 ]; } && { [ "$end" = eof ] || [ "$end" = reset ]; }; then
		pass "raw: slowloris: half a head gets 408 or a close"
	else
		fail "raw: slowloris: half a head gets 408 or a close" "$(show "$out")"
	fi
	check_true "raw: slowloris: ... after header_timeout (1 s), not much later" \
	    "ended after ${t:-?} s" \
	    awk -v t="${t:-99}" 'BEGIN { exit !(t >= 0.9 && t < 3) }'
}

# max_connections: the connection beyond it gets 503 and is closed.
raw_max_connections() {
	local msock=$W/sgm.sock out
	sg_config maxconn "$FU_SOCK" "$msock" 'max_connections: 2'
	if ! sg_start maxconn; then
		fail "raw: setup: sockguard with max_connections 2" \
		    "$(tail -10 "$W/maxconn.log")"
		return
	fi
	out=$("$PY" - "$msock" <<'EOF'
import socket, sys, time
path = sys.argv[1]
req = b"GET /v1.41/version HTTP/1.1\r\nHost: docker\r\n\r\n"
held = []
for i in range(2):
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(5)
    c.connect(path)
    c.sendall(req)
    print("held%d %s" % (i, c.recv(4096).split(b"\r\n")[0].decode()))
    held.append(c)
c = socket.socket(socket.AF_UNIX)
c.settimeout(5)
c.connect(path)
try:
    c.sendall(req)
except OSError:
    pass
data = b""
try:
    while True:
        d = c.recv(4096)
        if not d:
            break
        data += d
    end = "eof"
except socket.timeout:
    end = "timeout"
except ConnectionResetError:
    end = "reset"
print("third %s %s" % (data.split(b"\r\n")[0].decode(), end))
for h in held:
    h.close()
time.sleep(0.5)
c = socket.socket(socket.AF_UNIX)
c.settimeout(5)
c.connect(path)
c.sendall(req)
print("after %s" % c.recv(4096).split(b"\r\n")[0].decode())
EOF
)
	check_match "raw: max_connections: first two served" \
	    'held1 HTTP/1.1 200' "$out"
	check_match "raw: max_connections: the third gets 503 and a close" \
	    'third HTTP/1.1 503 .* (eof|reset)$' "$out"
	check_match "raw: max_connections: served again once they closed" \
	    'after HTTP/1.1 200' "$out"
	sg_stop maxconn
}

# idle_timeout: a keep-alive connection with no new request is closed.
raw_idle_timeout() {
	local isock=$W/sgi.sock out t
	sg_config idle "$FU_SOCK" "$isock" 'idle_timeout: 1s'
	if ! sg_start idle; then
		fail "raw: setup: sockguard with idle_timeout 1s" \
		    "$(tail -10 "$W/idle.log")"
		return
	fi
	out=$(raw "$isock" --timeout 5 -- "GET /v1.41/version?m=idle HTTP/1.1\r\n$H\r\n")
	check_eq "raw: idle_timeout: the request is answered" 200 \
	    "$(raw_status "$out")"
	t=$(printf '%s\n' "$out" | awk '$1 == "end" { sub("t=", "", $3); print $3 }')
	check_closed "raw: idle_timeout: idle connection closed" "$out"
	check_true "raw: idle_timeout: ... after about 1 s" "after ${t:-?} s" \
	    awk -v t="${t:-99}" 'BEGIN { exit !(t >= 0.9 && t < 3) }'
	sg_stop idle
}

raw_teardown() {
	sg_stop raw
	check_rc "raw: sockguard exits 0 on SIGTERM" 0 $? "$(tail -5 "$W/raw.log")"
	stop_pid "$FU_PID"
	rm -rf "$RAWD"
}

if [ "${IT_STANDIN:-}" = socat ]; then
	skip "raw: all" "IT_STANDIN=socat: no sockguard to test"
elif raw_setup; then
	run_cases raw_smuggling raw_head_syntax raw_paths raw_limits \
	    raw_forwarding raw_pipelining raw_expect_continue \
	    raw_connection_close raw_midstream_bad_chunk \
	    raw_bad_first_chunk_streamed raw_upstream_down raw_slowloris \
	    raw_max_connections raw_idle_timeout
	raw_teardown
fi
