/*
 * Unit tests for `sockguard cert` (cert.c): the subjectAltName and
 * extendedKeyUsage encoders as tables of names and the exact DER they
 * must give, then whole runs of cert_main() into a temporary directory
 * whose certificates are read back with mbedTLS's parser and verifier.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <mbedtls/version.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "cert.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Fields mbedTLS 3 made private; the tests read them anyway. */
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define CRT(c, f)	((c)->MBEDTLS_PRIVATE(f))
#else
#define CRT(c, f)	((c)->f)
#endif

/* ------------------------------------------------------------ encoders */

/* One name, its style, and the DER of it alone (NULL: refused). */
struct san_case {
	enum cert_san_style	 style;
	const char		*name;
	const char		*der;	/* GeneralNames, as a C string */
	size_t			 len;
};

#define S(n, d)		{ CERT_SAN_SERVER, n, d, sizeof(d) - 1 }
#define C(n, d)		{ CERT_SAN_CLIENT, n, d, sizeof(d) - 1 }
#define S_BAD(n)	{ CERT_SAN_SERVER, n, NULL, 0 }
#define C_BAD(n)	{ CERT_SAN_CLIENT, n, NULL, 0 }

static const struct san_case san_cases[] = {
	/* Server: DNS names, [2] IA5String. */
	S("a.b", "\x30\x05\x82\x03" "a.b"),
	S("localhost", "\x30\x0b\x82\x09" "localhost"),
	S("*.sg.example", "\x30\x0e\x82\x0c" "*.sg.example"),
	S("xn--bcher-kva.example", "\x30\x17\x82\x15" "xn--bcher-kva.example"),
	S("1a.b-c.D9", "\x30\x0b\x82\x09" "1a.b-c.D9"),
	/* Server: IP literals, [7] OCTET STRING of 4 or 16 bytes. */
	S("10.1.2.3", "\x30\x06\x87\x04\x0a\x01\x02\x03"),
	S("0.0.0.0", "\x30\x06\x87\x04\x00\x00\x00\x00"),
	S("::1", "\x30\x12\x87\x10" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"),
	S("2001:db8::ff", "\x30\x12\x87\x10"
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\xff"),
	S("::ffff:10.0.0.1", "\x30\x12\x87\x10"
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff\x0a\0\0\x01"),
	/* Server: refused. */
	S_BAD(""),
	S_BAD("."),
	S_BAD("a."),
	S_BAD(".a"),
	S_BAD("a..b"),
	S_BAD("-a.b"),
	S_BAD("a-.b"),
	S_BAD("a.-b"),
	S_BAD("a_b.c"),
	S_BAD("a b"),
	S_BAD("a.b\n"),
	S_BAD("*"),
	S_BAD("*."),
	S_BAD("*a.b"),
	S_BAD("a.*.b"),
	S_BAD("*.*.b"),
	S_BAD("10.0.0.256"),
	S_BAD("1.2.3"),
	S_BAD("1.2.3.4.5"),
	S_BAD("fe80::1%eth0"),
	S_BAD("[::1]"),
	S_BAD("email:a@b.c"),
	S_BAD("caf\xc3\xa9.example"),
	/* 64-byte label. */
	S_BAD("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b"),
	/* Client: typed names. */
	C("dns:a.b", "\x30\x05\x82\x03" "a.b"),
	C("dns:*.a.b", "\x30\x07\x82\x05" "*.a.b"),
	C("email:a@b.c", "\x30\x07\x81\x05" "a@b.c"),
	C("email:first.last+ci@example.com", "\x30\x1b\x81\x19"
	    "first.last+ci@example.com"),
	C("uri:x:y", "\x30\x05\x86\x03" "x:y"),
	C("uri:spiffe://sg.example/ci/runner-1", "\x30\x21\x86\x1f"
	    "spiffe://sg.example/ci/runner-1"),
	C("uri:urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
	    "\x30\x2f\x86\x2d" "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66"),
	C("uri:https://a.b/%41?q=1#f", "\x30\x17\x86\x15"
	    "https://a.b/%41?q=1#f"),
	/* Client: refused. */
	C_BAD(""),
	C_BAD("a.b"),
	C_BAD("10.1.2.3"),
	C_BAD("ip:10.1.2.3"),
	C_BAD("DNS:a.b"),
	C_BAD("dns:"),
	C_BAD("dns:a..b"),
	C_BAD("dns:10.1.2.3"),
	C_BAD("email:"),
	C_BAD("email:alice"),
	C_BAD("email:@b.c"),
	C_BAD("email:a@"),
	C_BAD("email:a@b@c.d"),
	C_BAD("email:.a@b.c"),
	C_BAD("email:a.@b.c"),
	C_BAD("email:a..b@c.d"),
	C_BAD("email:a b@c.d"),
	C_BAD("email:a@b_c.d"),
	C_BAD("uri:"),
	C_BAD("uri:x"),
	C_BAD("uri:x:"),
	C_BAD("uri::x"),
	C_BAD("uri:1x:y"),
	C_BAD("uri:x y:z"),
	C_BAD("uri:x:a b"),
	C_BAD("uri:x:a\"b"),
	C_BAD("uri:x:a<b>"),
	C_BAD("uri:x:%zz"),
	C_BAD("uri:x:%4"),
	C_BAD("uri:x:a\\b"),
};

/* Every name alone: the exact DER, or a refusal with a reason. */
static void
test_san_table(void **state)
{
	unsigned char	 buf[CERT_SAN_DER_MAX];
	char		 err[256];
	size_t		 i, nfail = 0;
	int		 r;

	for (i = 0; i < nitems(san_cases); i++) {
		const struct san_case *c = &san_cases[i];

		err[0] = '\0';
		r = cert_encode_san(&c->name, 1, c->style, buf, sizeof(buf),
		    err, sizeof(err));
		if (c->der == NULL && r != -1) {
			print_error("\"%s\": accepted, want refused\n",
			    c->name);
			nfail++;
		} else if (c->der == NULL && err[0] == '\0') {
			print_error("\"%s\": refused without a reason\n",
			    c->name);
			nfail++;
		} else if (c->der != NULL && r < 0) {
			print_error("\"%s\": refused (%s), want accepted\n",
			    c->name, err);
			nfail++;
		} else if (c->der != NULL && ((size_t)r != c->len ||
		    memcmp(buf, c->der, c->len) != 0)) {
			print_error("\"%s\": wrong DER (%d bytes, want %zu)\n",
			    c->name, r, c->len);
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu names wrong", nfail, nitems(san_cases));
}

/* Several names keep their order; a long list gets a long-form length. */
static void
test_san_order_and_length(void **state)
{
	const char	*names[] = { "sg.example", "10.1.2.3", "::1" };
	unsigned char	 buf[CERT_SAN_DER_MAX];
	char		 err[256], label[64];
	const char	*many[CERT_MAX_SANS];
	char		 store[CERT_MAX_SANS][80];
	size_t		 i;
	int		 r;

	r = cert_encode_san(names, 3, CERT_SAN_SERVER, buf, sizeof(buf), err,
	    sizeof(err));
	assert_int_equal(r, 2 + 12 + 6 + 18);
	assert_memory_equal(buf, "\x30\x24\x82\x0a" "sg.example"
	    "\x87\x04\x0a\x01\x02\x03" "\x87\x10", 22);
	/* 32 names of 66 bytes: 32 * 68 = 2176 bytes, length 0x82 0x0880. */
	memset(label, 'a', 61);
	label[61] = '\0';
	for (i = 0; i < CERT_MAX_SANS; i++) {
		snprintf(store[i], sizeof(store[i]), "%s.n%03zu", label, i);
		many[i] = store[i];
	}
	r = cert_encode_san(many, CERT_MAX_SANS, CERT_SAN_SERVER, buf,
	    sizeof(buf), err, sizeof(err));
	assert_int_equal(r, 4 + 32 * 68);
	assert_memory_equal(buf, "\x30\x82\x08\x80\x82\x42", 6);
	assert_memory_equal(buf + 6, store[0], 66);
	assert_memory_equal(buf + 4 + 31 * 68 + 2, store[31], 66);
}

/* No names, too many, a buffer too small, one bad name among good. */
static void
test_san_refusals(void **state)
{
	const char	*names[CERT_MAX_SANS + 1];
	const char	*mixed[] = { "a.b", "c_d.e", "10.0.0.1" };
	unsigned char	 buf[CERT_SAN_DER_MAX];
	char		 err[256];
	size_t		 i;

	for (i = 0; i < nitems(names); i++)
		names[i] = "a.b";
	assert_int_equal(cert_encode_san(names, 0, CERT_SAN_SERVER, buf,
	    sizeof(buf), err, sizeof(err)), -1);
	assert_int_equal(cert_encode_san(names, CERT_MAX_SANS + 1,
	    CERT_SAN_SERVER, buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "32"));
	assert_int_equal(cert_encode_san(names, CERT_MAX_SANS,
	    CERT_SAN_SERVER, buf, sizeof(buf), err, sizeof(err)),
	    3 + 32 * 5);	/* long-form length: 0x81 0xa0 */
	/* 2 + 5 bytes needed. */
	assert_int_equal(cert_encode_san(names, 1, CERT_SAN_SERVER, buf, 6,
	    err, sizeof(err)), -1);
	assert_int_equal(cert_encode_san(names, 1, CERT_SAN_SERVER, buf, 7,
	    err, sizeof(err)), 7);
	assert_int_equal(cert_encode_san(mixed, 3, CERT_SAN_SERVER, buf,
	    sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "c_d.e"));
}

static void
test_eku(void **state)
{
	static const unsigned char server[] = "\x30\x0a\x06\x08"
	    "\x2b\x06\x01\x05\x05\x07\x03\x01";
	static const unsigned char client[] = "\x30\x0a\x06\x08"
	    "\x2b\x06\x01\x05\x05\x07\x03\x02";
	static const unsigned char both[] = "\x30\x14"
	    "\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x01"
	    "\x06\x08\x2b\x06\x01\x05\x05\x07\x03\x02";
	unsigned char	buf[64];

	assert_int_equal(cert_encode_eku(CERT_PURPOSE_SERVER, buf,
	    sizeof(buf)), 12);
	assert_memory_equal(buf, server, 12);
	assert_int_equal(cert_encode_eku(CERT_PURPOSE_CLIENT, buf,
	    sizeof(buf)), 12);
	assert_memory_equal(buf, client, 12);
	assert_int_equal(cert_encode_eku(CERT_PURPOSE_SERVER |
	    CERT_PURPOSE_CLIENT, buf, sizeof(buf)), 22);
	assert_memory_equal(buf, both, 22);
	assert_int_equal(cert_encode_eku(0, buf, sizeof(buf)), -1);
	assert_int_equal(cert_encode_eku(0x4, buf, sizeof(buf)), -1);
	assert_int_equal(cert_encode_eku(CERT_PURPOSE_SERVER, buf, 11), -1);
}

/* ------------------------------------------------------------ whole runs */

static char	tmpdir[64];

/* Runs cert_main with its output silenced. */
static int
run_argv(int argc, char **argv)
{
	int	out, errfd, null, rc;

	fflush(stdout);
	fflush(stderr);
	out = dup(1);
	errfd = dup(2);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	dup2(null, 2);
	rc = cert_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(errfd, 2);
	close(out);
	close(errfd);
	close(null);
	return rc;
}

/* Runs cert_main with the arguments after "cert" (NULL-terminated). */
static int
run(const char *first, ...)
{
	char		*argv[32];
	const char	*a;
	va_list		 ap;
	int		 argc = 0;

	argv[argc++] = "cert";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	return run_argv(argc, argv);
}

/* tmpdir/rel, in a static buffer (one at a time). */
static const char *
path(const char *rel)
{
	static char	buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, rel);
	return buf;
}

static char	pathbuf[4][256];

/* path() into one of four buffers, for argument lists. */
static const char *
pathn(int n, const char *rel)
{
	snprintf(pathbuf[n], sizeof(pathbuf[n]), "%s/%s", tmpdir, rel);
	return pathbuf[n];
}

static mode_t
mode_of(const char *rel)
{
	struct stat	st;

	if (stat(path(rel), &st) == -1)
		fail_msg("%s: missing", rel);
	return st.st_mode & 07777;
}

/* Number of entries in a directory, "." and ".." aside. */
static size_t
entries(const char *rel)
{
	DIR		*d = opendir(path(rel));
	struct dirent	*e;
	size_t		 n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
load(mbedtls_x509_crt *crt, const char *rel)
{
	mbedtls_x509_crt_init(crt);
	if (mbedtls_x509_crt_parse_file(crt, path(rel)) != 0)
		fail_msg("%s does not parse", rel);
}

static time_t
x509_time(const mbedtls_x509_time *t)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return timegm(&tm);
}

/* notBefore five minutes before start, notAfter days later. */
static void
check_validity(const mbedtls_x509_crt *crt, time_t start, unsigned days)
{
	time_t	from = x509_time(&crt->valid_from);
	time_t	to = x509_time(&crt->valid_to);

	assert_true(from >= start - 300 - 2 && from <= time(NULL) - 300);
	assert_int_equal(to - from, (time_t)days * 86400);
}

/* Does the signed part hold this extension OID (DER, with tag/len)? */
static int
has_ext(const mbedtls_x509_crt *crt, const char *oid_tlv, size_t len)
{
	return memmem(crt->v3_ext.p, crt->v3_ext.len, oid_tlv, len) != NULL;
}
#define SKI_OID	"\x06\x03\x55\x1d\x0e"
#define AKI_OID	"\x06\x03\x55\x1d\x23"

/* The n-th subjectAltName has this tag number and value. */
static void
check_san(const mbedtls_x509_crt *crt, size_t n, int tag, const void *val,
    size_t len)
{
	const mbedtls_x509_sequence	*s = &crt->subject_alt_names;

	while (n-- > 0 && s != NULL)
		s = s->next;
	assert_non_null(s);
	assert_int_equal(s->buf.tag, MBEDTLS_ASN1_CONTEXT_SPECIFIC | tag);
	assert_int_equal(s->buf.len, len);
	assert_memory_equal(s->buf.p, val, len);
}

static size_t
nsans(const mbedtls_x509_crt *crt)
{
	const mbedtls_x509_sequence	*s = &crt->subject_alt_names;
	size_t				 n = 0;

	for (; s != NULL && s->buf.p != NULL; s = s->next)
		n++;
	return n;
}

/* The key file holds the private half of the certificate's key. */
static void
check_key(const mbedtls_x509_crt *crt, const char *rel)
{
	mbedtls_pk_context	key;

	mbedtls_pk_init(&key);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	assert_int_equal(mbedtls_pk_parse_keyfile(&key, path(rel), NULL,
	    NULL, NULL), 0);
#else
	assert_int_equal(mbedtls_pk_parse_keyfile(&key, path(rel), NULL), 0);
	assert_int_equal(mbedtls_pk_check_pair(&crt->pk, &key), 0);
#endif
	assert_int_equal(mbedtls_pk_get_type(&key), MBEDTLS_PK_ECKEY);
	assert_int_equal(mbedtls_pk_get_bitlen(&key), 256);
	mbedtls_pk_free(&key);
}

/* Serial: 16 bytes or fewer, positive, not zero. */
static void
check_serial(const mbedtls_x509_crt *crt)
{
	size_t	i;
	int	any = 0;

	assert_true(crt->serial.len >= 1 && crt->serial.len <= 16);
	assert_true((crt->serial.p[0] & 0x80) == 0);
	for (i = 0; i < crt->serial.len; i++)
		any |= crt->serial.p[i];
	assert_true(any);
}

static int
setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sg-test-cert.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown_tmp(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Bytes of a file, for "unchanged" checks. */
static size_t
slurp(const char *rel, char *buf, size_t size)
{
	FILE	*fp = fopen(path(rel), "r");
	size_t	 n;

	assert_non_null(fp);
	n = fread(buf, 1, size, fp);
	fclose(fp);
	return n;
}

static void
test_ca(void **state)
{
	mbedtls_x509_crt	ca;
	time_t			start = time(NULL);
	char			before[4096], after[4096];
	size_t			n;

	assert_int_equal(run("ca", "-d", pathn(0, "tls"), NULL), 0);
	assert_int_equal(mode_of("tls"), 0700);
	assert_int_equal(mode_of("tls/ca.pem"), 0644);
	assert_int_equal(mode_of("tls/ca-key.pem"), 0600);
	assert_int_equal(entries("tls"), 2);
	load(&ca, "tls/ca.pem");
	assert_int_equal(ca.version, 3);
	assert_true(CRT(&ca, ca_istrue));
	assert_int_equal(CRT(&ca, max_pathlen), 1);	/* pathlen 0, +1 */
	assert_int_equal(CRT(&ca, key_usage), MBEDTLS_X509_KU_KEY_CERT_SIGN |
	    MBEDTLS_X509_KU_CRL_SIGN);
	assert_false(CRT(&ca, ext_types) & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE);
	assert_false(CRT(&ca, ext_types) & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);
	assert_true(has_ext(&ca, SKI_OID, 5));
	assert_int_equal(ca.subject_raw.len, ca.issuer_raw.len);
	assert_memory_equal(ca.subject_raw.p, ca.issuer_raw.p,
	    ca.subject_raw.len);
	assert_int_equal(CRT(&ca, sig_md), MBEDTLS_MD_SHA256);
	assert_int_equal(CRT(&ca, sig_pk), MBEDTLS_PK_ECDSA);
	assert_int_equal(ca.subject.val.len, strlen("sockguard CA"));
	assert_memory_equal(ca.subject.val.p, "sockguard CA", 12);
	assert_null(ca.subject.next);
	check_validity(&ca, start, 3650);
	check_serial(&ca);
	check_key(&ca, "tls/ca-key.pem");
	mbedtls_x509_crt_free(&ca);

	/* Never overwritten, nothing left behind. */
	n = slurp("tls/ca.pem", before, sizeof(before));
	assert_int_equal(run("ca", "-d", pathn(0, "tls"), NULL), 1);
	assert_int_equal(slurp("tls/ca.pem", after, sizeof(after)), n);
	assert_memory_equal(before, after, n);
	assert_int_equal(entries("tls"), 2);
	/* Only the key there: still refused, key untouched. */
	assert_int_equal(rename(pathn(0, "tls/ca.pem"), pathn(1, "ca.pem.saved")),
	    0);
	assert_int_equal(run("ca", "-d", pathn(0, "tls"), NULL), 1);
	assert_int_equal(entries("tls"), 1);
	assert_int_equal(rename(pathn(1, "ca.pem.saved"), pathn(0, "tls/ca.pem")),
	    0);

	/* Another CA, with its own name and lifetime, for mismatch tests. */
	assert_int_equal(run("ca", "-d", pathn(0, "other"), "--cn",
	    "Other CA 2", "--days", "10", NULL), 0);
	load(&ca, "other/ca.pem");
	assert_memory_equal(ca.subject.val.p, "Other CA 2", 10);
	check_validity(&ca, start, 10);
	mbedtls_x509_crt_free(&ca);
}

static void
test_server(void **state)
{
	mbedtls_x509_crt	ca, other, srv;
	time_t			start = time(NULL);
	uint32_t		flags;
	static const unsigned char ip4[] = { 10, 1, 2, 3 };
	static const unsigned char ip6[16] = { [15] = 1 };

	assert_int_equal(run("server", "-d", pathn(0, "tls"), "--san",
	    "sg.example", "--san=10.1.2.3", "--san", "::1", "--san",
	    "*.sg.example", NULL), 0);
	assert_int_equal(mode_of("tls/server-cert.pem"), 0644);
	assert_int_equal(mode_of("tls/server-key.pem"), 0600);
	assert_int_equal(entries("tls"), 4);
	load(&ca, "tls/ca.pem");
	load(&other, "other/ca.pem");
	load(&srv, "tls/server-cert.pem");
	assert_false(CRT(&srv, ca_istrue));
	assert_int_equal(CRT(&srv, key_usage),
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE | MBEDTLS_X509_KU_KEY_AGREEMENT);
	assert_true(CRT(&srv, ext_types) & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS);
	assert_true(CRT(&srv, ext_types) & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE);
	assert_true(CRT(&srv, ext_types) & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);
	assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(&srv,
	    MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
	    0);
	assert_int_not_equal(mbedtls_x509_crt_check_extended_key_usage(&srv,
	    MBEDTLS_OID_CLIENT_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
	    0);
	assert_true(has_ext(&srv, SKI_OID, 5));
	assert_true(has_ext(&srv, AKI_OID, 5));
	assert_int_equal(nsans(&srv), 4);
	check_san(&srv, 0, 2, "sg.example", 10);
	check_san(&srv, 1, 7, ip4, 4);
	check_san(&srv, 2, 7, ip6, 16);
	check_san(&srv, 3, 2, "*.sg.example", 12);
	assert_memory_equal(srv.subject.val.p, "sg.example", 10);
	assert_int_equal(srv.issuer_raw.len, ca.subject_raw.len);
	assert_memory_equal(srv.issuer_raw.p, ca.subject_raw.p,
	    ca.subject_raw.len);
	check_validity(&srv, start, 825);
	check_serial(&srv);
	check_key(&srv, "tls/server-key.pem");

	/* As a TLS client would verify it, by name and by no name. */
	flags = 0;
	assert_int_equal(mbedtls_x509_crt_verify(&srv, &ca, NULL,
	    "sg.example", &flags, NULL, NULL), 0);
	assert_int_equal(mbedtls_x509_crt_verify(&srv, &ca, NULL,
	    "x.sg.example", &flags, NULL, NULL), 0);
	assert_int_equal(mbedtls_x509_crt_verify(&srv, &ca, NULL, NULL,
	    &flags, NULL, NULL), 0);
	assert_int_not_equal(mbedtls_x509_crt_verify(&srv, &ca, NULL,
	    "other.example", &flags, NULL, NULL), 0);
	assert_true(flags & MBEDTLS_X509_BADCERT_CN_MISMATCH);
	assert_int_not_equal(mbedtls_x509_crt_verify(&srv, &other, NULL, NULL,
	    &flags, NULL, NULL), 0);
	assert_true(flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED);
	mbedtls_x509_crt_free(&srv);

	/* Refused: existing files; and a CA dir without a CA. */
	assert_int_equal(run("server", "-d", pathn(0, "tls"), "--san",
	    "sg.example", NULL), 1);
	assert_int_equal(entries("tls"), 4);
	assert_int_equal(run("server", "-d", pathn(0, "nothing"), "--san",
	    "sg.example", NULL), 1);
	assert_int_equal(access(path("nothing"), F_OK), -1);

	/* A shorter life, in a separate directory holding the same CA. */
	assert_int_equal(mkdir(pathn(0, "tls2"), 0700), 0);
	assert_int_equal(link(pathn(1, "tls/ca.pem"), pathn(2, "tls2/ca.pem")),
	    0);
	assert_int_equal(link(pathn(1, "tls/ca-key.pem"),
	    pathn(2, "tls2/ca-key.pem")), 0);
	assert_int_equal(run("server", "-d", pathn(0, "tls2"), "--san",
	    "127.0.0.1", "--days", "7", NULL), 0);
	load(&srv, "tls2/server-cert.pem");
	assert_memory_equal(srv.subject.val.p, "127.0.0.1", 9);
	check_validity(&srv, start, 7);
	mbedtls_x509_crt_free(&srv);
	mbedtls_x509_crt_free(&other);
	mbedtls_x509_crt_free(&ca);
}

static void
test_client(void **state)
{
	mbedtls_x509_crt	ca, copy, cli;
	time_t			start = time(NULL);
	uint32_t		flags = 0;
	mode_t			old;

	assert_int_equal(run("client", "-d", pathn(0, "tls"), "--cn", "alice",
	    NULL), 0);
	assert_int_equal(mode_of("tls/clients"), 0700);
	assert_int_equal(mode_of("tls/clients/alice"), 0700);
	assert_int_equal(mode_of("tls/clients/alice/ca.pem"), 0644);
	assert_int_equal(mode_of("tls/clients/alice/cert.pem"), 0644);
	assert_int_equal(mode_of("tls/clients/alice/key.pem"), 0600);
	assert_int_equal(entries("tls/clients/alice"), 3);
	load(&ca, "tls/ca.pem");
	load(&copy, "tls/clients/alice/ca.pem");
	assert_int_equal(copy.raw.len, ca.raw.len);
	assert_memory_equal(copy.raw.p, ca.raw.p, ca.raw.len);
	assert_null(copy.next);
	load(&cli, "tls/clients/alice/cert.pem");
	assert_memory_equal(cli.subject.val.p, "alice", 5);
	assert_false(CRT(&cli, ca_istrue));
	assert_int_equal(CRT(&cli, key_usage),
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
	assert_false(CRT(&cli, ext_types) & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);
	assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(&cli,
	    MBEDTLS_OID_CLIENT_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
	    0);
	assert_int_not_equal(mbedtls_x509_crt_check_extended_key_usage(&cli,
	    MBEDTLS_OID_SERVER_AUTH, MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
	    0);
	check_validity(&cli, start, 365);
	check_serial(&cli);
	check_key(&cli, "tls/clients/alice/key.pem");
	assert_int_equal(mbedtls_x509_crt_verify(&cli, &copy, NULL, NULL,
	    &flags, NULL, NULL), 0);
	mbedtls_x509_crt_free(&cli);

	/* -o, SANs of each kind, and a hostile umask. */
	old = umask(0277);
	assert_int_equal(run("client", "-d", pathn(0, "tls"), "--cn",
	    "runner-1.ci", "-o", pathn(1, "out"), "--san",
	    "email:ci@sg.example", "--san", "uri:spiffe://sg.example/ci",
	    "--san", "dns:runner-1.ci.sg.example", "--days", "30", NULL), 0);
	umask(old);
	assert_int_equal(mode_of("out"), 0700);
	assert_int_equal(mode_of("out/cert.pem"), 0644);
	assert_int_equal(mode_of("out/key.pem"), 0600);
	load(&cli, "out/cert.pem");
	assert_int_equal(nsans(&cli), 3);
	check_san(&cli, 0, 1, "ci@sg.example", 13);
	check_san(&cli, 1, 6, "spiffe://sg.example/ci", 22);
	check_san(&cli, 2, 2, "runner-1.ci.sg.example", 22);
	check_validity(&cli, start, 30);
	assert_int_equal(mbedtls_x509_crt_verify(&cli, &ca, NULL, NULL,
	    &flags, NULL, NULL), 0);
	mbedtls_x509_crt_free(&cli);

	/* An existing -o directory is used; its files are not replaced. */
	assert_int_equal(run("client", "-d", pathn(0, "tls"), "--cn", "bob",
	    "-o", pathn(1, "out"), NULL), 1);
	assert_int_equal(entries("out"), 3);
	/* No CA, no directory made. */
	assert_int_equal(run("client", "-d", pathn(0, "none"), "--cn", "carol",
	    NULL), 1);
	assert_int_equal(access(path("none"), F_OK), -1);
	/* A key that is not the CA's is caught before anything is made. */
	assert_int_equal(mkdir(pathn(0, "mixed"), 0700), 0);
	assert_int_equal(link(pathn(1, "tls/ca.pem"), pathn(2, "mixed/ca.pem")),
	    0);
	assert_int_equal(link(pathn(1, "other/ca-key.pem"),
	    pathn(2, "mixed/ca-key.pem")), 0);
	assert_int_equal(run("client", "-d", pathn(0, "mixed"), "--cn", "dave",
	    NULL), 1);
	assert_int_equal(entries("mixed"), 2);
	mbedtls_x509_crt_free(&copy);
	mbedtls_x509_crt_free(&ca);
}

/* Command lines and their exit statuses: 2 usage, 0 help. */
static void
test_usage(void **state)
{
	const char	*d = pathn(0, "tls");

	assert_int_equal(run(NULL), 2);
	assert_int_equal(run("--help", NULL), 0);
	assert_int_equal(run("-h", NULL), 0);
	assert_int_equal(run("server", "--help", NULL), 0);
	assert_int_equal(run("bogus", NULL), 2);
	assert_int_equal(run("ca", "-x", NULL), 2);
	assert_int_equal(run("ca", "stray", NULL), 2);
	assert_int_equal(run("ca", "-d", NULL), 2);
	assert_int_equal(run("ca", "-d", "", NULL), 2);
	assert_int_equal(run("ca", "--san", "a.b", NULL), 2);
	assert_int_equal(run("ca", "-o", "x", NULL), 2);
	assert_int_equal(run("ca", "--cn", "", NULL), 2);
	assert_int_equal(run("ca", "--cn", " x", NULL), 2);
	assert_int_equal(run("ca", "--cn", "a,b", NULL), 2);
	assert_int_equal(run("ca", "--cn", "x ", NULL), 2);
	assert_int_equal(run("ca", "--cn", "CN=x", NULL), 2);
	assert_int_equal(run("ca", "--days", "0", NULL), 2);
	assert_int_equal(run("ca", "--days", "-1", NULL), 2);
	assert_int_equal(run("ca", "--days", "36501", NULL), 2);
	assert_int_equal(run("ca", "--days", "1x", NULL), 2);
	assert_int_equal(run("ca", "--days", "99999999999999999999", NULL), 2);
	assert_int_equal(run("server", "-d", d, NULL), 2);
	assert_int_equal(run("server", "-d", d, "--cn", "x", "--san", "a.b",
	    NULL), 2);
	assert_int_equal(run("server", "-d", d, "--san", "bad_name", NULL), 2);
	assert_int_equal(run("server", "-d", d, "--san", "", NULL), 2);
	assert_int_equal(run("server", "-d", d, "--san",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    NULL), 2);	/* 67 bytes: too long for the CN it becomes */
	assert_int_equal(run("client", "-d", d, NULL), 2);
	assert_int_equal(run("client", "-d", d, "--cn", "../x", NULL), 2);
	assert_int_equal(run("client", "-d", d, "--cn", "x", "--san",
	    "a.b", NULL), 2);
	assert_int_equal(run("client", "-d", d, "--cn", "x", "-o", "", NULL),
	    2);
	assert_int_equal(entries("tls"), 5);	/* nothing new: + clients */
}

/* 33 --san options are refused while parsing. */
static void
test_usage_too_many(void **state)
{
	char	*argv[2 + 2 * (CERT_MAX_SANS + 1) + 3];
	int	 argc = 0, i;

	argv[argc++] = "cert";
	argv[argc++] = "server";
	for (i = 0; i < CERT_MAX_SANS + 1; i++) {
		argv[argc++] = "--san";
		argv[argc++] = "a.b";
	}
	argv[argc++] = "-d";
	argv[argc++] = (char *)path("tls");
	argv[argc] = NULL;
	assert_int_equal(run_argv(argc, argv), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_san_table),
		cmocka_unit_test(test_san_order_and_length),
		cmocka_unit_test(test_san_refusals),
		cmocka_unit_test(test_eku),
		/* In order: each uses what the one before made. */
		cmocka_unit_test(test_ca),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_client),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_usage_too_many),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
