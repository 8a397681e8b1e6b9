# shellcheck shell=bash
# `sockguard cert`: the files it writes, as OpenSSL reads and verifies
# them, and as the real docker CLI (Go's TLS) uses them through a TLS
# terminator (socat, OpenSSL) in front of the private dockerd.
# Sourced by tests/integration/run.

CT=$W/cert			# CT/tls: the CA's directory
mkdir -p "$CT"

# cert_x509 FILE: OpenSSL's text dump of a certificate.
cert_x509() { openssl x509 -noout -text -in "$1" 2>&1; }

# The line after the one naming an extension, trimmed.
cert_ext() {
	printf '%s\n' "$2" | awk -v h="$1" 'f { sub(/^ +/, ""); print; exit }
	    index($0, h) { f = 1 }'
}

# A free TCP port on 127.0.0.1.
cert_free_port() {
	"$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cert_port_open() {
	"$PY" - "$1" <<'EOF' 2>/dev/null
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
EOF
}

# cert_tls_front DIR PORT: socat terminates TLS on 127.0.0.1:PORT with
# DIR/server-cert.pem, requires a client certificate from DIR/ca.pem and
# relays to the private dockerd.  Its pid is in CERT_FRONT_PID.
cert_tls_front() {
	socat "OPENSSL-LISTEN:$2,bind=127.0.0.1,reuseaddr,fork,cert=$1/server-cert.pem,key=$1/server-key.pem,cafile=$1/ca.pem,verify=1" \
	    "UNIX-CONNECT:$DD_SOCK" 2>>"$W/cert-socat.log" &
	CERT_FRONT_PID=$!
	bg_register "$CERT_FRONT_PID"
	wait_for 10 cert_port_open "$2"
}

# cert_docker CERT_PATH HOST:PORT ARGS...: the docker CLI over mutual TLS.
cert_docker() {
	local dir=$1 host=$2
	shift 2
	timeout -k 5 60 env -u DOCKER_CONTEXT -u DOCKER_API_VERSION \
	    DOCKER_CONFIG="$W/dockercfg" DOCKER_HOST="tcp://$host" \
	    DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$dir" "$DOCKER" "$@"
}

cert_usage() {
	local out rc
	out=$("$SG_BIN" cert --help 2>/dev/null)
	rc=$?
	check_rc "cert: --help exits 0" 0 $rc "$out"
	check_match "cert: --help prints usage on stdout" \
	    '^usage: sockguard cert ca' "$out"
	check_match "cert: sockguard -h mentions cert" 'sockguard cert' \
	    "$("$SG_BIN" -h 2>&1)"
	out=$("$SG_BIN" cert server -d "$CT/tls" 2>&1 >/dev/null)
	rc=$?
	check_rc "cert: server without --san is a usage error" 2 $rc "$out"
	check_match "cert: usage error is one sockguard cert: line" \
	    '^sockguard cert: .*--san' "$out"
	check_eq "cert: usage error is a single line" 1 \
	    "$(printf '%s\n' "$out" | wc -l)"
	out=$("$SG_BIN" cert server -d "$CT/tls" --san 'bad_name' 2>&1)
	check_rc "cert: a malformed --san is a usage error" 2 $? "$out"
	out=$("$SG_BIN" cert frob 2>&1)
	check_rc "cert: an unknown subcommand is a usage error" 2 $? "$out"
	check_true "cert: usage errors create nothing" "$CT/tls exists" \
	    test ! -e "$CT/tls"
}

cert_make() {
	local out rc
	out=$("$SG_BIN" cert ca -d "$CT/tls" 2>&1)
	rc=$?
	check_rc "cert: ca exits 0" 0 $rc "$out"
	check_match "cert: ca reports ca.pem" "^$CT/tls/ca\\.pem: " "$out"
	check_match "cert: ca reports ca-key.pem" "^$CT/tls/ca-key\\.pem: " \
	    "$out"
	out=$("$SG_BIN" cert server -d "$CT/tls" --san localhost \
	    --san 127.0.0.1 --san ::1 --san '*.sg.test' 2>&1)
	rc=$?
	check_rc "cert: server exits 0" 0 $rc "$out"
	check_eq "cert: server reports two files" 2 \
	    "$(printf '%s\n' "$out" | grep -c "^$CT/tls/server-")"
	out=$("$SG_BIN" cert client -d "$CT/tls" --cn it-client \
	    --san email:ci@sg.test --san uri:spiffe://sg.test/ci 2>&1)
	rc=$?
	check_rc "cert: client exits 0" 0 $rc "$out"
	CERT_CLIENT_OUT=$out
	check_line "cert: client prints DOCKER_HOST" \
	    "export DOCKER_HOST=tcp://HOST:2376" "$out"
	check_line "cert: client prints DOCKER_TLS_VERIFY" \
	    "export DOCKER_TLS_VERIFY=1" "$out"
	check_line "cert: client prints DOCKER_CERT_PATH" \
	    "export DOCKER_CERT_PATH=$(realpath "$CT/tls/clients/it-client")" \
	    "$out"
	check_eq "cert: file modes" \
	    "700 644 600 644 600 700 700 644 644 600" \
	    "$(cd "$CT/tls" && stat -c %a . ca.pem ca-key.pem \
	    server-cert.pem server-key.pem clients clients/it-client \
	    clients/it-client/ca.pem clients/it-client/cert.pem \
	    clients/it-client/key.pem | tr '\n' ' ' | sed 's/ $//')"
	check_eq "cert: client ca.pem is the CA certificate" \
	    "$(openssl x509 -in "$CT/tls/ca.pem" -outform DER | md5)" \
	    "$(openssl x509 -in "$CT/tls/clients/it-client/ca.pem" \
	    -outform DER | md5)"
	check_eq "cert: no temporary files left" "" \
	    "$(find "$CT/tls" -name '*.??????' -type f)"
}

cert_openssl_text() {
	local ca srv cli
	ca=$(cert_x509 "$CT/tls/ca.pem")
	srv=$(cert_x509 "$CT/tls/server-cert.pem")
	cli=$(cert_x509 "$CT/tls/clients/it-client/cert.pem")
	check_match "cert: ca subject" 'Subject: CN ?= ?sockguard CA$' "$ca"
	check_match "cert: ca basicConstraints critical" \
	    'X509v3 Basic Constraints: critical' "$ca"
	check_eq "cert: ca is a CA" "CA:TRUE, pathlen:0" \
	    "$(cert_ext 'X509v3 Basic Constraints' "$ca")"
	check_eq "cert: ca keyUsage" "Certificate Sign, CRL Sign" \
	    "$(cert_ext 'X509v3 Key Usage' "$ca")"
	check_match "cert: ca has a subject key id" \
	    'X509v3 Subject Key Identifier' "$ca"
	check_nomatch "cert: ca has no EKU" 'Extended Key Usage' "$ca"
	check_match "cert: ECDSA with SHA-256" \
	    'Signature Algorithm: ecdsa-with-SHA256' "$srv"
	check_match "cert: P-256 keys" 'NIST CURVE: P-256' "$srv$cli"
	check_match "cert: server subject is the first SAN" \
	    'Subject: CN ?= ?localhost$' "$srv"
	check_eq "cert: server SANs" \
	    "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:*.sg.test" \
	    "$(cert_ext 'X509v3 Subject Alternative Name' "$srv")"
	check_eq "cert: server EKU" "TLS Web Server Authentication" \
	    "$(cert_ext 'X509v3 Extended Key Usage' "$srv")"
	check_eq "cert: server is not a CA" "CA:FALSE" \
	    "$(cert_ext 'X509v3 Basic Constraints' "$srv")"
	check_eq "cert: server keyUsage" "Digital Signature, Key Agreement" \
	    "$(cert_ext 'X509v3 Key Usage' "$srv")"
	check_match "cert: server has the authority key id" \
	    'X509v3 Authority Key Identifier' "$srv"
	check_match "cert: client subject" 'Subject: CN ?= ?it-client$' "$cli"
	check_eq "cert: client SANs" \
	    "email:ci@sg.test, URI:spiffe://sg.test/ci" \
	    "$(cert_ext 'X509v3 Subject Alternative Name' "$cli")"
	check_eq "cert: client EKU" "TLS Web Client Authentication" \
	    "$(cert_ext 'X509v3 Extended Key Usage' "$cli")"
	check_eq "cert: client keyUsage" "Digital Signature" \
	    "$(cert_ext 'X509v3 Key Usage' "$cli")"
	check_eq "cert: client is not a CA" "CA:FALSE" \
	    "$(cert_ext 'X509v3 Basic Constraints' "$cli")"
	# Validity: server 825 days, client 365, from five minutes back.
	check_eq "cert: server lifetime 825 days" 825 "$(cert_days "$srv")"
	check_eq "cert: client lifetime 365 days" 365 "$(cert_days "$cli")"
	check_eq "cert: CA lifetime 3650 days" 3650 "$(cert_days "$ca")"
	check_true "cert: notBefore is five minutes back" \
	    "$(printf '%s\n' "$srv" | grep 'Not Before')" cert_skewed "$srv"
}

# Whole days between notBefore and notAfter of a text dump.
cert_days() {
	local nb na
	nb=$(printf '%s\n' "$1" | sed -n 's/.*Not Before *: //p')
	na=$(printf '%s\n' "$1" | sed -n 's/.*Not After *: //p')
	echo $(( ($(date -d "$na" +%s) - $(date -d "$nb" +%s)) / 86400 ))
}

cert_skewed() {
	local nb d
	nb=$(printf '%s\n' "$1" | sed -n 's/.*Not Before *: //p')
	d=$(( $(date +%s) - $(date -d "$nb" +%s) ))
	[ "$d" -ge 300 ] && [ "$d" -lt 400 ]
}

cert_openssl_verify() {
	local t=$CT/tls c=$CT/tls/clients/it-client/cert.pem out
	out=$(openssl verify -CAfile "$t/ca.pem" "$t/server-cert.pem" "$c" 2>&1)
	check_rc "cert: openssl verify accepts server and client" 0 $? "$out"
	out=$(openssl verify -purpose sslserver -CAfile "$t/ca.pem" \
	    "$t/server-cert.pem" 2>&1)
	check_rc "cert: server passes -purpose sslserver" 0 $? "$out"
	out=$(openssl verify -purpose sslclient -CAfile "$t/ca.pem" "$c" 2>&1)
	check_rc "cert: client passes -purpose sslclient" 0 $? "$out"
	out=$(openssl verify -purpose sslclient -CAfile "$t/ca.pem" \
	    "$t/server-cert.pem" 2>&1)
	check_true "cert: server fails -purpose sslclient" "$out" \
	    test -n "$(printf '%s' "$out" | grep 'unsuitable certificate purpose')"
	out=$(openssl verify -purpose sslserver -CAfile "$t/ca.pem" "$c" 2>&1)
	check_true "cert: client fails -purpose sslserver" "$out" \
	    test -n "$(printf '%s' "$out" | grep 'unsuitable certificate purpose')"
	out=$(openssl verify -x509_strict -CAfile "$t/ca.pem" \
	    "$t/server-cert.pem" "$c" 2>&1)
	check_rc "cert: openssl verify -x509_strict accepts both" 0 $? "$out"
	check_match "cert: keys are EC keys OpenSSL reads" 'Private-Key: \(256 bit' \
	    "$(openssl pkey -in "$t/server-key.pem" -noout -text 2>&1)"
}

cert_no_overwrite() {
	local before out rc
	before=$(md5sum "$CT/tls"/*.pem)
	out=$("$SG_BIN" cert ca -d "$CT/tls" 2>&1)
	rc=$?
	check_rc "cert: ca refuses an existing CA" 1 $rc "$out"
	check_match "cert: the refusal names the file" \
	    "^sockguard cert: $CT/tls/ca\\.pem already exists" "$out"
	out=$("$SG_BIN" cert server -d "$CT/tls" --san localhost 2>&1)
	check_rc "cert: server refuses existing server files" 1 $? "$out"
	out=$("$SG_BIN" cert client -d "$CT/tls" --cn it-client 2>&1)
	check_rc "cert: client refuses existing client files" 1 $? "$out"
	check_eq "cert: nothing was changed" "$before" "$(md5sum "$CT/tls"/*.pem)"
}

# The real docker CLI over mutual TLS, with the lines `cert client`
# printed (HOST filled in), through an OpenSSL front that checks the
# client certificate.
cert_docker_cli() {
	local port out want envs
	port=$(cert_free_port)
	if ! cert_tls_front "$CT/tls" "$port"; then
		fail "cert: setup: TLS front on 127.0.0.1:$port" \
		    "$(tail -5 "$W/cert-socat.log")"
		stop_pid "$CERT_FRONT_PID"
		return
	fi
	want=$(dd_ version --format '{{.Server.Version}}' 2>&1)
	envs=$(printf '%s\n' "$CERT_CLIENT_OUT" | grep '^export ' |
	    sed "s|tcp://HOST:2376|tcp://127.0.0.1:$port|")
	out=$(eval "$envs"; timeout -k 5 60 env -u DOCKER_CONTEXT \
	    DOCKER_CONFIG="$W/dockercfg" "$DOCKER" version \
	    --format '{{.Server.Version}}' 2>&1)
	check_eq "cert: docker CLI with the printed env lines, by IP SAN" \
	    "$want" "$out"
	out=$(cert_docker "$CT/tls/clients/it-client" "localhost:$port" \
	    version --format '{{.Server.Version}}' 2>&1)
	check_eq "cert: docker CLI by DNS SAN" "$want" "$out"

	# A client of another CA is refused by the server end.
	"$SG_BIN" cert ca -d "$CT/other" --cn "Other CA" >/dev/null 2>&1
	"$SG_BIN" cert client -d "$CT/other" --cn stranger >/dev/null 2>&1
	mkdir -p "$CT/stranger"
	cp "$CT/other/clients/stranger/cert.pem" \
	    "$CT/other/clients/stranger/key.pem" "$CT/stranger/"
	cp "$CT/tls/ca.pem" "$CT/stranger/ca.pem"
	out=$(cert_docker "$CT/stranger" "127.0.0.1:$port" version \
	    --format '{{.Server.Version}}' 2>&1)
	check_match "cert: a client certificate of another CA is refused" \
	    'remote error: tls|bad certificate|unknown (ca|certificate)' "$out"
	stop_pid "$CERT_FRONT_PID"

	# A server certificate without the address the CLI dials is refused
	# by the CLI: the SANs are what it checks.
	mkdir -p "$CT/elsewhere"
	cp "$CT/tls/ca.pem" "$CT/tls/ca-key.pem" "$CT/elsewhere/"
	"$SG_BIN" cert server -d "$CT/elsewhere" --san other.sg.test \
	    >/dev/null 2>&1
	port=$(cert_free_port)
	if ! cert_tls_front "$CT/elsewhere" "$port"; then
		fail "cert: setup: second TLS front" \
		    "$(tail -5 "$W/cert-socat.log")"
		stop_pid "$CERT_FRONT_PID"
		return
	fi
	out=$(cert_docker "$CT/tls/clients/it-client" "127.0.0.1:$port" \
	    version --format '{{.Server.Version}}' 2>&1)
	check_match "cert: docker CLI refuses a server without its address" \
	    "x509: cannot validate certificate for 127\\.0\\.0\\.1" "$out"
	out=$(cert_docker "$CT/tls/clients/it-client" "localhost:$port" \
	    version --format '{{.Server.Version}}' 2>&1)
	check_match "cert: docker CLI refuses a server without its name" \
	    "valid for other\\.sg\\.test, not localhost" "$out"
	stop_pid "$CERT_FRONT_PID"
}

if ! command -v openssl >/dev/null; then
	skip "cert: all" "openssl is not installed"
else
	run_cases cert_usage cert_make cert_openssl_text cert_openssl_verify \
	    cert_no_overwrite cert_docker_cli
fi
