# shellcheck shell=bash
# The mutual-TLS tcp: listener end to end: the real docker CLI suite
# (t_cli.sh) again over TLS, the identity a client certificate gives (in
# the audit log, to the identity rules), every kind of client refused at
# the handshake (before a byte reaches the upstream), plain HTTP on the
# TLS port, request bodies held up by a look-up, stalled handshakes,
# curl, IPv6 and session resumption.
# Sourced by tests/integration/run.
#
# Two more sockguard instances:
#   tls   in front of the private dockerd, with identity rules, on
#         127.0.0.1 (listener "remote") and [::1] ("remote6") if the
#         machine has an IPv6 loopback;
#   tlsf  in front of a recording fake upstream (fakeupstream.py), with
#         a CRL and handshake_timeout: 2s, where "nothing reached the
#         upstream" is checked byte for byte.
# Certificates: `sockguard cert` for the CA, the server and the clients
# alice, bob and carol; `openssl ca`, with the same CA, for what `sockguard
# cert` will not make: expired, not yet valid, serverAuth only, revoked,
# and dave, with a multi-part subject, four kinds of SAN and a serial
# whose top bit is set.

TL=$W/tls			# certificates, rules, openssl ca files
TL_PKI=$TL/pki
TL_SOCK=$W/sgt.sock		# the tls instance's unix listener
TL_AUDIT=$W/tls-audit.log
TF_SOCK=$W/sgtf.sock		# the tlsf instance's
TF_AUDIT=$W/tlsf-audit.log
TF_UP=$W/tfu.sock		# its fake upstream, and what that recorded
TF_RAW=$W/tfu.raw
TF_EV=$W/tfu.events
TF_UP_PID=
TL_PORT=
TL_PORT6=
TF_PORT=
TL_V6=0
TL_OK=0
mkdir -p "$TL/c"
: >"$TF_RAW"
: >"$TF_EV"

# ---------------------------------------------------------------- helpers

# A free TCP port on the loopback address $1 (127.0.0.1 or ::1).
tls_free_port() {
	"$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.bind((sys.argv[1], 0))
print(s.getsockname()[1])
EOF
}

# Does this machine have an IPv6 loopback to listen on?
tls_have_v6() { tls_free_port ::1 >/dev/null 2>&1; }

# The docker CLI over mutual TLS: tls_docker HOST:PORT CERTDIR ARGS...
tls_docker() {
	local host=$1 dir=$2
	shift 2
	DK_TIMEOUT=${DK_TIMEOUT:-30} _docker_at "tcp://$host" "$dir" "$@"
}

# tls_curl OUT CERTDIR URL [CURL-ARGS...]: curl trusting our CA, with the
# client certificate in CERTDIR (none if empty).  Sets TC_RC, TC_CODE,
# TC_CTYPE, TC_BODY, TC_ID (X-Sockguard-Request-Id) and TC_PORT (curl's
# local port).
tls_curl() {
	local out=$1 dir=$2 url=$3 cert=()
	shift 3
	[ -n "$dir" ] && cert=(--cert "$dir/cert.pem" --key "$dir/key.pem")
	rm -f "$out" "$out.head"
	TC_PORT=$(curl -sS -m 10 --cacert "$TL_PKI/ca.pem" "${cert[@]}" \
	    -D "$out.head" -o "$out" -w '%{local_port}' "$@" "$url" \
	    2>"$out.err")
	TC_RC=$?
	TC_CODE=$(awk 'NR == 1 { print $2 }' "$out.head" 2>/dev/null)
	TC_CTYPE=$(tr -d '\r' <"$out.head" 2>/dev/null |
	    awk -F': ' 'tolower($1) == "content-type" { print $2 }')
	TC_ID=$(tr -d '\r' <"$out.head" 2>/dev/null |
	    awk -F': ' 'tolower($1) == "x-sockguard-request-id" { print $2 }')
	TC_BODY=$(cat "$out" 2>/dev/null)
}

# tls_rec LOG ID FIELD...: the FIELDs of request ID's decision record.
tls_rec() {
	local log=$1 id=$2
	shift 2
	auditq tsv "$log" 0 id stage "$@" |
	    awk -F'\t' -v id="$id" '$1 == id && $2 == "decision"' | cut -f3-
}

# Offsets into the tlsf instance's files: its audit log and log, and
# what the fake upstream recorded.
tls_fmark() {
	TF_MARK_AUDIT=$(stat -c %s "$TF_AUDIT" 2>/dev/null || echo 0)
	TF_MARK_LOG=$(stat -c %s "$W/tlsf.log" 2>/dev/null || echo 0)
	TF_MARK_RAW=$(stat -c %s "$TF_RAW")
	TF_MARK_EV=$(stat -c %s "$TF_EV")
}

# The connect records written since the mark: listener, decision, rule,
# reason, identity, one a line.
tls_fconnects() {
	auditq tsv "$TF_AUDIT" "$TF_MARK_AUDIT" stage listener decision rule \
	    reason identity | awk -F'\t' '$1 == "connect"' | cut -f2-
}

tls_fconnects_n() {
	[ "$(tls_fconnects | wc -l)" -ge "$1" ]
}

# tls_check_upstream NAME: since the mark, the fake upstream saw no
# connection and no byte.
tls_check_upstream() {
	if ! kill -0 "$TF_UP_PID" 2>/dev/null; then
		fail "$1" "the fake upstream is not running: its logs cannot tell"
		return
	fi
	local ev raw
	ev=$(tail -c +$((TF_MARK_EV + 1)) "$TF_EV")
	raw=$(tail -c +$((TF_MARK_RAW + 1)) "$TF_RAW" | head -c 2000 | cat -v)
	if [ -n "$ev" ] || [ -n "$raw" ]; then
		fail "$1" "the upstream recorded:" "$ev" "$raw"
	else
		pass "$1"
	fi
}

# tls_check_refused NAME REASON: after refused handshakes at tlsf (the
# docker CLI tries more than once): audit connect records (deny, rule tls,
# REASON, identity {remote} only), the reason in sockguard's log, and
# nothing at the upstream.
tls_check_refused() {
	local name=$1 reason=$2 recs
	wait_for 5 tls_fconnects_n 1
	sleep 0.3		# a client that tried again may not be written yet
	recs=$(tls_fconnects)
	check_eq "$name: audit connect record: deny, rule tls, the reason" \
	    "$(printf 'fake\tdeny\ttls\t%s' "$reason")" \
	    "$(printf '%s\n' "$recs" | cut -f1-4 | sort -u)"
	check_eq "$name: the record's identity is the client's address alone" \
	    "" "$(printf '%s\n' "$recs" | cut -f5 |
	    grep -Ev '^\{"remote":"127\.0\.0\.1:[0-9]+"\}$')"
	check_match "$name: sockguard logs the refusal and why" \
	    "warning: fake: TLS client 127\\.0\\.0\\.1:[0-9]+ refused: $(
	    printf '%s' "$reason" | sed 's/[][().*+?^$|\\]/\\&/g')\$" \
	    "$(tail -c +$((TF_MARK_LOG + 1)) "$W/tlsf.log")"
	tls_check_upstream "$name: not a byte reaches the upstream"
}

# tls_ossl_cert NAME EXTENSIONS SUBJECT NOT-BEFORE NOT-AFTER: a client
# certificate in $TL/c/NAME (the layout DOCKER_CERT_PATH names) signed by
# our CA with `openssl ca`.  Times are seconds since the epoch.
tls_ossl_cert() {
	local d=$TL/c/$1
	mkdir -p "$d"
	cp "$TL_PKI/ca.pem" "$d/ca.pem"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/key.pem" -subj "$3" -out "$d/req.pem" &&
	openssl ca -batch -config "$TL/ca/ca.cnf" -extensions "$2" \
	    -startdate "$(date -u -d "@$4" +%Y%m%d%H%M%SZ)" \
	    -enddate "$(date -u -d "@$5" +%Y%m%d%H%M%SZ)" -notext \
	    -in "$d/req.pem" -out "$d/cert.pem"
}

# The certificates.
tls_pki() {
	local now
	now=$(date +%s)
	"$SG_BIN" cert ca -d "$TL_PKI" &&
	"$SG_BIN" cert server -d "$TL_PKI" --san 127.0.0.1 --san ::1 \
	    --san localhost &&
	"$SG_BIN" cert client -d "$TL_PKI" --cn alice \
	    --san email:alice@sg.test --san uri:spiffe://sg.test/alice &&
	"$SG_BIN" cert client -d "$TL_PKI" --cn bob &&
	"$SG_BIN" cert client -d "$TL_PKI" --cn carol \
	    --san dns:carol.sg.test || return 1
	# A client of another CA (with our CA to check the server by).
	"$SG_BIN" cert ca -d "$TL/other" --cn "Other CA" &&
	"$SG_BIN" cert client -d "$TL/other" --cn stranger || return 1
	mkdir -p "$TL/c/stranger"
	cp "$TL/other/clients/stranger/cert.pem" \
	    "$TL/other/clients/stranger/key.pem" "$TL/c/stranger/" &&
	cp "$TL_PKI/ca.pem" "$TL/c/stranger/" || return 1

	mkdir -p "$TL/ca"
	: >"$TL/ca/index.txt"
	echo 1000 >"$TL/ca/serial"
	echo 1000 >"$TL/ca/crlnumber"
	cat >"$TL/ca/ca.cnf" <<EOF
[ca]
default_ca = sg
[sg]
dir = $TL/ca
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $TL_PKI/ca.pem
private_key = $TL_PKI/ca-key.pem
default_md = sha256
policy = anything
unique_subject = no
[anything]
commonName = supplied
organizationName = optional
organizationalUnitName = optional
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
[serveronly]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
[dave]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = email:dave@sg.test, DNS:dave.sg.test, IP:10.0.0.7, URI:spiffe://sg.test/dave
EOF
	tls_ossl_cert expired client /CN=expired $((now - 172800)) \
	    $((now - 86400)) &&
	tls_ossl_cert future client /CN=future $((now + 86400)) \
	    $((now + 172800)) &&
	tls_ossl_cert serveronly serveronly /CN=serveronly $((now - 3600)) \
	    $((now + 86400)) &&
	tls_ossl_cert revoked client /CN=revoked $((now - 3600)) \
	    $((now + 86400)) &&
	openssl ca -batch -config "$TL/ca/ca.cnf" \
	    -revoke "$TL/c/revoked/cert.pem" &&
	openssl ca -batch -config "$TL/ca/ca.cnf" -gencrl -crldays 7 \
	    -out "$TL/crl.pem" || return 1
	# DER writes a serial whose top bit is set with a leading zero byte.
	echo 8A5C3E0F11223344 >"$TL/ca/serial"
	tls_ossl_cert dave dave "/CN=dave/O=Example Org/OU=ops" \
	    $((now - 3600)) $((now + 86400))
}

# The rules of the tls instance: alice (by common name), carol (by
# fingerprint, as OpenSSL prints it) and bob on the IPv6 listener may do
# anything; everyone else only read.
tls_rules() {
	local fp
	fp=$(openssl x509 -noout -fingerprint -sha256 \
	    -in "$TL_PKI/clients/carol/cert.pem" | sed 's/.*=//')
	cat >"$TL/rules.yaml" <<EOF
version: 1
default_profile: readonly
identities:
  - match: {cert_cn: "alice"}
    profile: it
  - match: {cert_fingerprint: "$fp"}
    profile: it
  - match: {listener: remote6, cert_cn: "bob"}
    profile: it
profiles:
  it:
    mode: enforce
    endpoints:
      - {name: everything, allow: "* /**"}
    build:
      buildkit: true
      host_network: false
  readonly:
    mode: enforce
    endpoints:
      - {name: read, allow: "GET,HEAD /**"}
EOF
}

# The instances' configurations, on fresh ports; paths under tls/ are
# relative to the configuration's directory, $W.
tls_configs() {
	local t="    tls:
      cert: tls/pki/server-cert.pem
      key: tls/pki/server-key.pem
      client_ca: tls/pki/ca.pem"
	TL_PORT=$(tls_free_port 127.0.0.1)
	TF_PORT=$(tls_free_port 127.0.0.1)
	{
		echo "upstream: $DD_SOCK"
		echo "listen:"
		echo "  - unix: $TL_SOCK"
		echo "  - tcp: \"127.0.0.1:$TL_PORT\""
		echo "    name: remote"
		echo "$t"
		if [ "$TL_V6" = 1 ]; then
			TL_PORT6=$(tls_free_port ::1)
			echo "  - tcp: \"[::1]:$TL_PORT6\""
			echo "    name: remote6"
			echo "$t"
		fi
		echo "rules: tls/rules.yaml"
		echo "audit:"
		echo "  path: $TL_AUDIT"
	} >"$W/tls.yaml"
	cat >"$W/tlsf.yaml" <<EOF
upstream: $TF_UP
listen:
  - unix: $TF_SOCK
  - tcp: "127.0.0.1:$TF_PORT"
    name: fake
$t
      crl: tls/crl.pem
rules: $IT_DIR/rules-allow.yaml
audit:
  path: $TF_AUDIT
limits:
  handshake_timeout: 2s
EOF
}

# Starts both instances; new ports if one was taken meanwhile.
tls_start() {
	local try name
	for try in 1 2 3; do
		tls_configs
		for name in tls tlsf; do
			sg_start "$name" || break
		done
		sg_alive tls && sg_alive tlsf && return 0
		sg_stop tls
		sg_stop tlsf
		grep -q 'Address already in use' "$W/tls.log" "$W/tlsf.log" ||
		    return 1
		echo "# a port was taken; again with others"
	done
	return 1
}

# ---------------------------------------------------------------- cases

tls_setup() {
	tls_have_v6 && TL_V6=1
	if ! tls_pki >"$TL/pki.log" 2>&1; then
		fail "tls: setup: certificates" "$(tail -20 "$TL/pki.log")"
		return 1
	fi
	tls_rules
	"$PY" "$IT_DIR/fakeupstream.py" "$TF_UP" "$TF_RAW" "$TF_EV" \
	    2>>"$W/tfu.log" &
	TF_UP_PID=$!
	bg_register "$TF_UP_PID"
	if ! wait_for 10 sock_accepts "$TF_UP"; then
		fail "tls: setup: fake upstream" "$(cat "$W/tfu.log")"
		return 1
	fi
	if ! tls_start; then
		fail "tls: setup: two sockguard instances with tcp: listeners" \
		    "$(tail -5 "$W/tls.log" "$W/tlsf.log")"
		return 1
	fi
	pass "tls: setup: two sockguard instances with tcp: listeners"
	check_match "tls: setup: the listener is announced with its certificate" \
	    "info: listening on 127\\.0\\.0\\.1:$TL_PORT \\(mutual TLS, [0-9]+ handshake threads\\): EC certificate \"CN=127\\.0\\.0\\.1\" valid until [0-9-]+; 1 client CA\$" \
	    "$(cat "$W/tls.log")"
	check_match "tls: setup: a CRL is announced" \
	    "listening on 127\\.0\\.0\\.1:$TF_PORT .*; 1 client CA; CRL\$" \
	    "$(cat "$W/tlsf.log")"
	TL_OK=1
}

# The real-CLI suite, as alice, over TLS; its checks compare with
# dockerd directly as they do over the unix socket.  Every kind of
# exchange, less the plain requests (info, ps, inspect, volume, network)
# that version and lifecycle already stand for.
tls_cli() {
	local IT_ONLY= IT_PREFIX="tls: " DK_HOST="tcp://127.0.0.1:$TL_PORT"
	local DK_CERTS=$TL_PKI/clients/alice
	local CLI_CASES="cli_version cli_setup_container cli_run cli_logs
	    cli_exec cli_attach cli_cp cli_save_load cli_build cli_buildkit
	    cli_events cli_stats_top cli_lifecycle cli_cleanup"
	# shellcheck source=t_cli.sh
	. "$IT_DIR/t_cli.sh"
}

# curl with --cacert --cert --key, and what the audit log says of the
# client, field by field against OpenSSL's reading of the certificate.
tls_identity() {
	local who dir prof crt want got f field what nameopt
	nameopt=esc_2253,esc_ctrl,esc_msb,utf8,sep_comma_plus_space,sname
	for who in alice dave; do
		dir=$TL_PKI/clients/alice
		prof=it
		if [ $who = dave ]; then
			dir=$TL/c/dave
			prof=readonly
		fi
		crt=$dir/cert.pem
		tls_curl "$TL/curl" "$dir" "https://127.0.0.1:$TL_PORT/_ping"
		check_eq "tls: curl --cacert --cert --key ($who): /_ping" \
		    "0 200 OK" "$TC_RC $TC_CODE $TC_BODY"
		got=$(tls_rec "$TL_AUDIT" "$TC_ID" listener profile \
		    identity.remote identity.cn identity.subject identity.issuer \
		    identity.serial identity.fingerprint identity.sans)
		want=$(printf '%s\t' remote $prof "127.0.0.1:$TC_PORT" "$who" \
		    "$(openssl x509 -noout -subject -nameopt $nameopt -in "$crt" |
		    sed 's/^subject=//')" \
		    "$(openssl x509 -noout -issuer -nameopt $nameopt -in "$crt" |
		    sed 's/^issuer=//')" \
		    "$(openssl x509 -noout -serial -in "$crt" | sed 's/^serial=//' |
		    tr A-F a-f)" \
		    "$(openssl x509 -noout -fingerprint -sha256 -in "$crt" |
		    sed 's/.*=//; s/://g' | tr A-F a-f)" \
		    "$(openssl x509 -noout -ext subjectAltName -in "$crt" |
		    sed -n '2s/^ *//p' | sed 's/IP Address:/IP:/g' |
		    "$PY" -c 'import json, sys
print(json.dumps(sys.stdin.read().strip().split(", "), separators=(",", ":")))')")
		want=${want%$'\t'}
		f=0
		for field in listener profile remote cn subject issuer serial \
		    fingerprint sans; do
			f=$((f + 1))
			case $field in
			listener | profile | remote) what= ;;
			*) what=" as OpenSSL reads the certificate" ;;
			esac
			check_eq "tls: identity: $who: audit $field$what" \
			    "$(printf '%s\n' "$want" | cut -f$f)" \
			    "$(printf '%s\n' "$got" | cut -f$f)"
		done
	done
}

# Identity rules see the certificate: alice by common name and carol by
# fingerprint may run containers; bob, in the default profile, may read
# but gets dockerd's kind of 403 on docker run.
tls_rules_cases() {
	local out rc a=127.0.0.1:$TL_PORT
	out=$(tls_docker "$a" "$TL_PKI/clients/alice" run --rm "$IMG" \
	    echo alice-ran 2>&1)
	check_eq "tls: rules: alice (cert_cn) may docker run" alice-ran "$out"
	out=$(tls_docker "$a" "$TL_PKI/clients/carol" run --rm "$IMG" \
	    echo carol-ran 2>&1)
	check_eq "tls: rules: carol (cert_fingerprint in OpenSSL's form) may docker run" \
	    carol-ran "$out"
	out=$(tls_docker "$a" "$TL_PKI/clients/bob" version \
	    --format '{{.Server.Version}}' 2>&1)
	check_eq "tls: rules: bob (default profile) may read" \
	    "$(dd_ version --format '{{.Server.Version}}')" "$out"
	out=$(tls_docker "$a" "$TL_PKI/clients/bob" run --rm "$IMG" \
	    echo bob-ran 2>&1)
	rc=$?
	check_rc "tls: rules: bob's docker run fails as on a daemon's 403" \
	    125 $rc "$out"
	check_line "tls: rules: bob is told which rule and profile denied it" \
	    "docker: Error response from daemon: sockguard: denied by rule endpoints (profile readonly): no rule allows POST /containers/create." \
	    "$out"
	check_line "tls: rules: the denial is audited under bob's name" \
	    "$(printf 'deny\treadonly\tbob\tendpoints')" \
	    "$(auditq tsv "$TL_AUDIT" 0 stage decision profile identity.cn rule \
	    path | awk -F'\t' '$1 == "decision" && $6 ~ /containers\/create/' |
	    cut -f2-5)"
}

# Every kind of refused client, at the fake-upstream instance: the docker
# CLI where it sends the certificate, curl where it would not.
tls_refused() {
	local f=127.0.0.1:$TF_PORT name client dir heard reason out rc
	while IFS='|' read -r name client dir heard reason; do
		tls_fmark
		if [ "$client" = docker ]; then
			out=$(tls_docker "$f" "$TL/c/$dir" version \
			    --format '{{.Server.Version}}' 2>&1 </dev/null)
			rc=$?
		else
			tls_curl "$TL/curl" "${dir:+$TL/c/$dir}" \
			    "https://$f/_ping" </dev/null
			out=$(cat "$TL/curl.err")
			rc=$TC_RC
		fi
		check_true "tls: refused: $name: $client fails" \
		    "exit 0: $out" test "$rc" -ne 0
		check_match "tls: refused: $name: $client hears \"$heard\"" \
		    "$heard\$" "$out"
		tls_check_refused "tls: refused: $name" "$reason"
	done <<'EOF'
a certificate of another CA|curl|stranger|alert unknown ca|client certificate rejected: The certificate is not correctly signed by the trusted CA
a certificate of another CA, which Go withholds|docker|stranger|remote error: tls: handshake failure|the client sent no certificate (one signed by client_ca is required)
no client certificate|curl||alert handshake failure|the client sent no certificate (one signed by client_ca is required)
an expired certificate|docker|expired|remote error: tls: expired certificate|client certificate rejected: The certificate validity has expired
a certificate not yet valid|docker|future|remote error: tls: unknown certificate|client certificate rejected: The certificate validity starts in the future
a revoked certificate (crl:)|docker|revoked|remote error: tls: revoked certificate|client certificate rejected: The certificate has been revoked (is on a CRL)
a certificate for serverAuth only|docker|serveronly|remote error: tls: unsupported certificate|client certificate rejected: Usage does not match the extendedKeyUsage extension
EOF

	# The same instance serves a good client, and its upstream records
	# it: what the checks above found missing would have been there.
	tls_fmark
	tls_curl "$TL/curl" "$TL_PKI/clients/alice" "https://$f/_ping"
	check_eq "tls: refused: alice is served by the same instance" \
	    "0 200" "$TC_RC $TC_CODE"
	check_match "tls: refused: ... and her request reaches its upstream" \
	    '^req [0-9]+ 1 GET /_ping ' "$(tail -c +$((TF_MARK_EV + 1)) "$TF_EV")"
}

# Plain HTTP on the TLS port is answered in plain HTTP, forwarded nowhere.
tls_plain() {
	local out body
	body='{"message":"sockguard: this port speaks TLS and requires a client certificate (DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH)"}'
	tls_fmark
	tls_curl "$TL/curl" "" "http://127.0.0.1:$TF_PORT/_ping"
	check_eq "tls: plain HTTP: curl http:// gets a 400 with a JSON message" \
	    "400 application/json $body" "$TC_CODE $TC_CTYPE $TC_BODY"
	tls_check_refused "tls: plain HTTP" \
	    "the client spoke plain HTTP to the TLS port (answered 400)"

	# A request that comes a while after the connect is told apart too.
	tls_fmark
	out=$("$PY" - "$TF_PORT" <<'EOF' 2>&1
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
time.sleep(0.5)
s.sendall(b"GET /_ping HTTP/1.1\r\nHost: sg\r\n\r\n")
data = b""
try:
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
except OSError as e:
    print("error", e)
print(data.split(b"\r\n")[0].decode())
print(data.split(b"\r\n\r\n")[-1].decode(), end="")
EOF
)
	check_eq "tls: plain HTTP: a request 0.5 s after the connect gets the 400" \
	    "$(printf 'HTTP/1.1 400 Bad Request\n%s' "$body")" "$out"
	tls_check_refused "tls: plain HTTP, late" \
	    "the client spoke plain HTTP to the TLS port (answered 400)"

	tls_fmark
	out=$(DK_TIMEOUT=20 _docker_at "tcp://127.0.0.1:$TF_PORT" "" version \
	    --format '{{.Server.Version}}' 2>&1)
	check_line "tls: plain HTTP: the docker CLI without DOCKER_TLS_VERIFY is told why" \
	    "Error response from daemon: ${body:12:${#body}-14}" "$out"
	tls_check_refused "tls: plain HTTP (docker CLI)" \
	    "the client spoke plain HTTP to the TLS port (answered 400)"
}

# Request bodies arrive whole when they pile up in sockguard: a look-up
# of a "slow-" container takes the fake upstream half a second, while
# the client sends 3 MiB on, in chunks of 1 to 1000 bytes, each chunk
# line, data and CRLF a TLS record of its own (small records, so that
# whole ones still wait under the input when it reaches its high mark);
# then the same with Content-Length and a request pipelined right behind
# it.  The fake upstream's answers echo each body's length and SHA-256.
tls_bodies() {
	local out
	tls_fmark
	out=$("$PY" - "$TF_PORT" "$TL_PKI/ca.pem" \
	    "$TL_PKI/clients/alice/cert.pem" "$TL_PKI/clients/alice/key.pem" \
	    <<'EOF' 2>&1
import hashlib, random, socket, ssl, sys
port, ca, cert, key = sys.argv[1:5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.load_cert_chain(cert, key)
rnd = random.Random(7)
size = 3 * 1024 * 1024
body = rnd.randbytes(size)
want = hashlib.sha256(body).hexdigest()
phase, off = "handshake", 0
try:
    # Not a timing: 60 s per socket call only ends a stall; a failure
    # says where it stopped, to tell a stall from a slow machine.
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port)),
                                                 60),
                        server_hostname="127.0.0.1")
    s.sendall(b"PUT /v1.41/containers/slow-a/archive?path=/tmp HTTP/1.1\r\n"
              b"Host: sg\r\nTransfer-Encoding: chunked\r\n\r\n")
    phase = "chunked body"
    while off < size:
        n = min(rnd.randint(1, 1000), size - off)
        s.sendall(b"%x\r\n" % n)
        s.sendall(body[off:off + n])
        s.sendall(b"\r\n")
        off += n
    s.sendall(b"0\r\n\r\n")
    phase = "length body"
    s.sendall(b"PUT /v1.41/containers/slow-b/archive?path=/tmp HTTP/1.1\r\n"
              b"Host: sg\r\nContent-Length: %d\r\n\r\n" % size + body +
              b"GET /_ping HTTP/1.1\r\nHost: sg\r\n\r\n")
    f = s.makefile("rb")
    for what in ("chunked", "length", "next"):
        phase = "answer " + what
        status = f.readline().decode().strip()
        n = 0
        while True:
            h = f.readline().decode().strip()
            if not h:
                break
            if h.lower().startswith("content-length:"):
                n = int(h.split(":")[1])
        data = f.read(n).decode()
        ok = status.startswith("HTTP/1.1 200") and (what == "next" or
            ('"len": %d' % size in data and want in data))
        print(what, "ok" if ok else "bad:", "" if ok else status + data)
except (OSError, ValueError) as e:
    print("error", e, "in", phase, "after", off, "chunked bytes")
EOF
)
	check_line "tls: bodies: 3 MiB in small chunks, held up by a slow look-up, arrive whole" \
	    "chunked ok " "$out"
	check_line "tls: bodies: 3 MiB with Content-Length, held up the same way, arrive whole" \
	    "length ok " "$out"
	check_line "tls: bodies: the request pipelined behind them is forwarded as itself" \
	    "next ok " "$out"
	check_eq "tls: bodies: the upstream got the two bodies and the request, in order" \
	    "1 PUT 3145728 2 PUT 3145728 3 GET 0" \
	    "$(tail -c +$((TF_MARK_EV + 1)) "$TF_EV" | awk '$1 == "req" &&
	    $5 !~ /\/json$/ { sub("len=", "", $7); printf "%s%s %s %s",
	    sep, $3, $4, $7; sep = " " }')"
}

# Clients that stall in the handshake hold no thread: while twenty of
# them (ten silent, ten stopped halfway through a real ClientHello) wait,
# a good client is served at once; each stalled one is dropped after
# limits.handshake_timeout (2 s).
tls_stall() {
	local out good n
	tls_fmark
	out=$("$PY" - "$TF_PORT" "$TL_PKI/ca.pem" \
	    "$TL_PKI/clients/alice/cert.pem" "$TL_PKI/clients/alice/key.pem" \
	    20 <<'EOF' 2>&1
import socket, ssl, sys, time
port, ca, cert, key, n = sys.argv[1:6]
port, n = int(port), int(n)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.load_verify_locations(ca)
ctx.load_cert_chain(cert, key)
# A real ClientHello, to send half of.
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname="127.0.0.1")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = out.read()
stalls = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    kind = "silent"
    if i % 2:
        s.sendall(hello[:len(hello) // 2])
        kind = "half"
    stalls.append((s, kind, time.monotonic()))
time.sleep(0.3)
t0 = time.monotonic()
with socket.create_connection(("127.0.0.1", port), 5) as raw:
    with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        tls.sendall(b"GET /_ping HTTP/1.1\r\nHost: sg\r\n"
                    b"Connection: close\r\n\r\n")
        data = b""
        while True:
            d = tls.recv(4096)
            if not d:
                break
            data += d
print("good %s %.1f" % (data.split(b" ")[1].decode(),
                        time.monotonic() - t0))
for s, kind, t in stalls:
    s.settimeout(10)
    try:
        end = "eof" if not s.recv(4096) else "data"
    except ConnectionResetError:
        end = "reset"
    except socket.timeout:
        end = "open"
    print("stall %s %s %.1f" % (kind, end, time.monotonic() - t))
EOF
)
	good=$(printf '%s\n' "$out" | awk '$1 == "good"')
	check_true "tls: stall: a good client is served while 20 handshakes stall" \
	    "$out" awk -v l="$good" 'BEGIN { split(l, f, " ");
	    exit !(f[2] == "200" && f[3] < 1.5) }'
	n=$(printf '%s\n' "$out" | awk '$1 == "stall" && $3 == "eof" &&
	    $4 >= 1.8 && $4 < 3.5' | wc -l)
	check_eq "tls: stall: each stalled client is closed after handshake_timeout (2 s)" \
	    20 "$n"
	[ "$n" = 20 ] || printf '%s\n' "$out" | _diag
	wait_for 5 tls_fconnects_n 20
	check_eq "tls: stall: each is audited as a handshake timeout" \
	    "20 fake deny tls the handshake did not finish within limits.handshake_timeout" \
	    "$(tls_fconnects | cut -f1-4 | sort | uniq -c | tr '\t' ' ' |
	    sed 's/^ *//')"
	check_eq "tls: stall: only the good client's request reaches the upstream" \
	    "GET /_ping" "$(tail -c +$((TF_MARK_EV + 1)) "$TF_EV" |
	    awk '$1 == "req" { print $4, $5 }')"
}

# Session resumption: a session saved from one connection resumes on the
# next, without a certificate sent again, and the identity holds.
tls_resume() {
	local a=$TL_PKI/clients/alice out req id
	req='GET /_ping HTTP/1.1\r\nHost: sg\r\nConnection: close\r\n\r\n'
	rm -f "$TL/sess.pem"
	out=$(printf "$req" | timeout 20 openssl s_client -ign_eof \
	    -connect "127.0.0.1:$TL_PORT" -CAfile "$TL_PKI/ca.pem" \
	    -cert "$a/cert.pem" -key "$a/key.pem" -sess_out "$TL/sess.pem" 2>&1)
	check_match "tls: resume: a first connection makes a new session" \
	    '^New, TLSv1\.[23], Cipher is' "$out"
	check_match "tls: resume: ... and is served" '^OK' \
	    "$(printf '%s\n' "$out" | tr -d '\r')"
	out=$(printf "$req" | timeout 20 openssl s_client -ign_eof \
	    -connect "127.0.0.1:$TL_PORT" -CAfile "$TL_PKI/ca.pem" \
	    -sess_in "$TL/sess.pem" 2>&1)
	check_match "tls: resume: the next connection resumes it (Reused)" \
	    '^Reused, TLSv1\.[23], Cipher is' "$out"
	check_match "tls: resume: ... and is served without a certificate sent" \
	    '^OK' "$(printf '%s\n' "$out" | tr -d '\r')"
	id=$(printf '%s\n' "$out" | tr -d '\r' |
	    awk -F': ' 'tolower($1) == "x-sockguard-request-id" { print $2 }')
	check_eq "tls: resume: the resumed connection keeps alice's identity and profile" \
	    "$(printf 'alice\t%s\tit' "$(openssl x509 -noout -fingerprint \
	    -sha256 -in "$a/cert.pem" | sed 's/.*=//; s/://g' | tr A-F a-f)")" \
	    "$(tls_rec "$TL_AUDIT" "$id" identity.cn identity.fingerprint \
	    profile)"
	out=$(timeout 30 openssl s_client -reconnect \
	    -connect "127.0.0.1:$TL_PORT" -CAfile "$TL_PKI/ca.pem" \
	    -cert "$a/cert.pem" -key "$a/key.pem" </dev/null 2>&1)
	check_eq "tls: resume: openssl s_client -reconnect: 1 new, 5 reused" \
	    "1 5" "$(printf '%s\n' "$out" | grep -c '^New, ') $(printf '%s\n' \
	    "$out" | grep -c '^Reused, ')"
}

# SIGHUP with another client CA: established clients the new bundle
# refuses are closed, new ones refused, sessions from before the reload
# not resumed; the old CA back, alice is served again.
tls_reload() {
	local a=$TL_PKI/clients/alice out cpid n req
	req='GET /_ping HTTP/1.1\r\nHost: sg\r\nConnection: close\r\n\r\n'
	rm -f "$TL/rl-sess.pem"
	out=$(printf "$req" | timeout 20 openssl s_client -ign_eof \
	    -connect "127.0.0.1:$TL_PORT" -CAfile "$TL_PKI/ca.pem" \
	    -cert "$a/cert.pem" -key "$a/key.pem" -sess_out "$TL/rl-sess.pem" \
	    2>&1)
	check_match "tls: reload: a session saved before the reload" \
	    '^New, TLSv1' "$out"
	timeout -k 2 30 curl -sS -N --cacert "$TL_PKI/ca.pem" \
	    --cert "$a/cert.pem" --key "$a/key.pem" \
	    "https://127.0.0.1:$TL_PORT/v1.41/events" >"$TL/rl-events.out" \
	    2>&1 &
	cpid=$!
	bg_register $cpid
	sleep 1
	check_true "tls: reload: a stream is open before the reload" \
	    "curl exited: $(cat "$TL/rl-events.out")" kill -0 $cpid
	n=$(grep -c "SIGHUP: reloaded" "$W/tls.log")
	cp "$W/tls.yaml" "$TL/tls.yaml.saved"
	sed -i 's|client_ca: tls/pki/ca.pem|client_ca: tls/other/ca.pem|' \
	    "$W/tls.yaml"
	kill -HUP "${SG_PIDS[tls]}"
	wait_for 10 test "$(grep -c "SIGHUP: reloaded" "$W/tls.log")" -gt "$n"
	wait_for 5 sh -c "! kill -0 $cpid 2>/dev/null"
	check_true "tls: reload: a client the new CA refuses is disconnected" \
	    "curl still connected" sh -c "! kill -0 $cpid 2>/dev/null"
	check_match "tls: reload: ... and the log says why" \
	    "closed after reload: client certificate rejected" \
	    "$(cat "$W/tls.log")"
	tls_curl "$TL/rl1" "$a" "https://127.0.0.1:$TL_PORT/_ping"
	check_true "tls: reload: alice is refused under the new CA" \
	    "curl exit status $TC_RC, body $TC_BODY" test "$TC_RC" -ne 0
	out=$(printf "$req" | timeout 20 openssl s_client -ign_eof \
	    -connect "127.0.0.1:$TL_PORT" -CAfile "$TL_PKI/ca.pem" \
	    -sess_in "$TL/rl-sess.pem" 2>&1)
	check_nomatch "tls: reload: the session from before is not resumed" \
	    '^Reused, ' "$out"
	cp "$TL/tls.yaml.saved" "$W/tls.yaml"
	kill -HUP "${SG_PIDS[tls]}"
	wait_for 10 test "$(grep -c "SIGHUP: reloaded" "$W/tls.log")" -gt \
	    "$((n + 1))"
	tls_curl "$TL/rl2" "$a" "https://127.0.0.1:$TL_PORT/_ping"
	check_eq "tls: reload: the old CA back, alice is served" "0 OK" \
	    "$TC_RC $TC_BODY"
	out=$(printf "$req" | timeout 20 openssl s_client -ign_eof \
	    -connect "127.0.0.1:$TL_PORT" -CAfile "$TL_PKI/ca.pem" \
	    -sess_in "$TL/rl-sess.pem" 2>&1)
	check_nomatch "tls: reload: ... but her old session is still not resumed (new ticket keys)" \
	    '^Reused, ' "$out"
	stop_pid $cpid
}

# The [::1] listener: curl and the docker CLI, the address in the audit
# log, and the listener's name in the identity rules.
tls_ipv6() {
	local out
	if [ "$TL_V6" != 1 ]; then
		skip "tls: IPv6: [::1] listener" "NO IPv6 LOOPBACK on this machine (::1 cannot be bound): the IPv6 listener is NOT tested"
		return
	fi
	tls_curl "$TL/curl" "$TL_PKI/clients/alice" \
	    "https://[::1]:$TL_PORT6/_ping" -g
	check_eq "tls: IPv6: curl https://[::1]:PORT/_ping" "0 200 OK" \
	    "$TC_RC $TC_CODE $TC_BODY"
	check_eq "tls: IPv6: audited with the listener and an [addr]:port remote" \
	    "$(printf 'remote6\t[::1]:%s\talice' "$TC_PORT")" \
	    "$(tls_rec "$TL_AUDIT" "$TC_ID" listener identity.remote \
	    identity.cn)"
	out=$(tls_docker "[::1]:$TL_PORT6" "$TL_PKI/clients/bob" run --rm \
	    "$IMG" echo bob-ran-v6 2>&1)
	check_eq "tls: IPv6: bob may docker run on listener remote6 (a listener rule)" \
	    bob-ran-v6 "$out"
}

tls_audit_valid() {
	local out
	out=$(auditq check "$TL_AUDIT" "$TF_AUDIT" 2>&1)
	check_rc "tls: audit: every record is well formed" 0 $? "$out"
	out=$(auditq pairs "$TL_AUDIT" "$TF_AUDIT" 2>&1)
	check_rc "tls: audit: each request has its records" 0 $? "$out"
}

tls_stop() {
	local rc
	sg_stop tls
	rc=$?
	check_rc "tls: sockguard (tls) exits 0 on SIGTERM" 0 $rc \
	    "$(tail -5 "$W/tls.log")"
	sg_stop tlsf
	rc=$?
	check_rc "tls: sockguard (tlsf) exits 0 on SIGTERM" 0 $rc \
	    "$(tail -5 "$W/tlsf.log")"
	stop_pid "$TF_UP_PID"
	check_eq "tls: no containers left behind" "" "$(dd_ ps -aq)"
}

if ! command -v openssl >/dev/null; then
	skip "tls: all" "openssl is not installed"
elif [ -n "${IT_STANDIN:-}" ]; then
	skip "tls: all" "IT_STANDIN: no sockguard to test"
else
	tls_setup
	if [ "$TL_OK" = 1 ]; then
		run_cases tls_cli tls_identity tls_rules_cases tls_refused \
		    tls_plain tls_bodies tls_stall tls_resume tls_reload \
		    tls_ipv6 tls_audit_valid
		tls_stop
	else
		sg_stop tls
		sg_stop tlsf
		stop_pid "$TF_UP_PID"
	fi
fi
