/*
 * tls.c: loading a listener's material (and the reasons it is refused),
 * and the identity read off a client certificate.  Certificates are made
 * by `sockguard cert` (cert_main) into a temporary directory; one with a
 * control byte in its CN is written with mbedTLS's writer here.
 */
#include <sys/stat.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "cert.h"
#include "config.h"
#include "tls.h"

static char	dir[64];
static char	path[256];

static const char *
in_dir(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* cert_main with its output silenced; argv ends with NULL. */
static int
run(const char *first, ...)
{
	char		*argv[32];
	const char	*a;
	va_list		 ap;
	int		 argc = 0, out, err, null, rc;

	argv[argc++] = "cert";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stdout);
	out = dup(1);
	err = dup(2);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	dup2(null, 2);
	rc = cert_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(out, 1);
	dup2(err, 2);
	close(out);
	close(err);
	close(null);
	return rc;
}

static int
setup(void **state)
{
	char	cdir[128];

	snprintf(dir, sizeof(dir), "/tmp/sg-test-tls.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cdir, sizeof(cdir), "%s/alice", dir);
	if (run("ca", "-d", dir, NULL) != 0 ||
	    run("server", "-d", dir, "--san", "localhost", "--san",
	    "127.0.0.1", "--san", "::1", NULL) != 0 ||
	    run("client", "-d", dir, "--cn", "alice", "-o", cdir, "--san",
	    "email:alice@example.com", "--san", "uri:spiffe://ci/alice",
	    "--san", "dns:alice.ci", NULL) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct tls_peer *
peer_of(const char *file)
{
	mbedtls_x509_crt	 crt;
	struct tls_peer		*p;

	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&crt, in_dir(file)), 0);
	p = tls_peer_from_crt(&crt);
	mbedtls_x509_crt_free(&crt);
	return p;
}

static int
is_hex(const char *s, size_t len)
{
	size_t	i;

	if (strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

/* A client certificate: every part of the identity rules can match. */
static void
test_peer_client(void **state)
{
	struct tls_peer	*p = peer_of("alice/cert.pem");

	assert_non_null(p);
	assert_string_equal(p->cn, "alice");
	assert_non_null(strstr(p->subject, "CN=alice"));
	assert_string_equal(p->issuer, "CN=sockguard CA");
	assert_int_equal(p->nsans, 3);
	assert_string_equal(p->sans[0], "email:alice@example.com");
	assert_string_equal(p->sans[1], "URI:spiffe://ci/alice");
	assert_string_equal(p->sans[2], "DNS:alice.ci");
	assert_true(is_hex(p->fingerprint, 64));
	assert_true(is_hex(p->serial, strlen(p->serial)));
	assert_true(strlen(p->serial) >= 2 && strlen(p->serial) <= 40);
	tls_peer_free(p);
}

/* IP SANs in their text forms; the CA itself has none. */
static void
test_peer_ip_and_none(void **state)
{
	struct tls_peer	*p = peer_of("server-cert.pem");
	struct tls_peer	*ca;

	assert_non_null(p);
	assert_string_equal(p->cn, "localhost");
	assert_int_equal(p->nsans, 3);
	assert_string_equal(p->sans[0], "DNS:localhost");
	assert_string_equal(p->sans[1], "IP:127.0.0.1");
	assert_string_equal(p->sans[2], "IP:::1");
	ca = peer_of("ca.pem");
	assert_non_null(ca);
	assert_int_equal(ca->nsans, 0);
	assert_null(ca->sans);
	/* two certificates, two fingerprints */
	assert_string_not_equal(p->fingerprint, ca->fingerprint);
	tls_peer_free(p);
	tls_peer_free(ca);
	tls_peer_free(NULL);
}

/* Writes a self-signed certificate whose subject is subj. */
static void
write_cert(const char *subj, const char *file)
{
	mbedtls_entropy_context	 ent;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context	 key;
	mbedtls_x509write_cert	 w;
	unsigned char		 pem[4096];
	FILE			*f;

	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&w);
	assert_int_equal(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func,
	    &ent, NULL, 0), 0);
	assert_int_equal(mbedtls_pk_setup(&key,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
	assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
	    mbedtls_pk_ec(key), mbedtls_ctr_drbg_random, &drbg), 0);
	mbedtls_x509write_crt_set_subject_key(&w, &key);
	mbedtls_x509write_crt_set_issuer_key(&w, &key);
	assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, subj), 0);
	assert_int_equal(mbedtls_x509write_crt_set_issuer_name(&w, "CN=x"), 0);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	assert_int_equal(mbedtls_x509write_crt_set_validity(&w,
	    "20200101000000", "20400101000000"), 0);
	{
		mbedtls_mpi serial;

		mbedtls_mpi_init(&serial);
		mbedtls_mpi_lset(&serial, 7);
		assert_int_equal(mbedtls_x509write_crt_set_serial(&w, &serial),
		    0);
		mbedtls_mpi_free(&serial);
	}
	assert_int_equal(mbedtls_x509write_crt_pem(&w, pem, sizeof(pem),
	    mbedtls_ctr_drbg_random, &drbg), 0);
	assert_non_null(f = fopen(in_dir(file), "w"));
	fputs((char *)pem, f);
	fclose(f);
	mbedtls_x509write_crt_free(&w);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
}

/* A CN carrying a control byte is no name to match: refused. */
static void
test_peer_control_cn(void **state)
{
	struct tls_peer	*p;

	write_cert("CN=ok-name", "plain.pem");
	p = peer_of("plain.pem");
	assert_non_null(p);
	assert_string_equal(p->cn, "ok-name");
	assert_string_equal(p->serial, "07");
	tls_peer_free(p);
	write_cert("CN=ci-runner-1\x01x", "ctl.pem");
	assert_null(peer_of("ctl.pem"));
	/* no CN at all: the subject still identifies it */
	write_cert("O=org only", "nocn.pem");
	p = peer_of("nocn.pem");
	assert_non_null(p);
	assert_null(p->cn);
	assert_string_equal(p->subject, "O=org only");
	tls_peer_free(p);
}

/* Loads a listener's material from the files named. */
static int
load(const char *cert, const char *key, const char *ca, const char *crl,
    char *err, size_t errlen)
{
	struct tls_conf		 tc;
	struct tls_server	*srv;
	char			 c[256], k[256], a[256], r[256];

	snprintf(c, sizeof(c), "%s", in_dir(cert));
	snprintf(k, sizeof(k), "%s", in_dir(key));
	snprintf(a, sizeof(a), "%s", in_dir(ca));
	snprintf(r, sizeof(r), "%s", crl ? in_dir(crl) : "");
	tc.cert = c;
	tc.key = k;
	tc.client_ca = a;
	tc.crl = crl ? r : NULL;
	err[0] = '\0';
	if (tls_server_new(&tc, 2, &srv, err, errlen) == -1) {
		assert_null(srv);
		return -1;
	}
	assert_non_null(strstr(tls_server_describe(srv), "CN=localhost"));
	tls_server_ref(srv);
	tls_server_unref(srv);
	tls_server_unref(srv);
	return 0;
}

static void
test_server_material(void **state)
{
	char	err[512];

	assert_int_equal(load("server-cert.pem", "server-key.pem", "ca.pem",
	    NULL, err, sizeof(err)), 0);
	/* a key of another certificate */
	assert_int_equal(load("server-cert.pem", "alice/key.pem", "ca.pem",
	    NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not belong to the certificate"));
	/* files that are not there, or not what they should be */
	assert_int_equal(load("nope.pem", "server-key.pem", "ca.pem", NULL,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nope.pem: server certificate:"));
	assert_int_equal(load("server-cert.pem", "server-key.pem",
	    "server-key.pem", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "server-key.pem: client CA bundle:"));
	assert_int_equal(load("server-cert.pem", "server-key.pem", "ca.pem",
	    "ca.pem", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ca.pem: revocation list:"));
	assert_int_equal(load("server-cert.pem", "ca.pem", "ca.pem", NULL,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ca.pem: private key:"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_client),
		cmocka_unit_test(test_peer_ip_and_none),
		cmocka_unit_test(test_peer_control_cn),
		cmocka_unit_test(test_server_material),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
