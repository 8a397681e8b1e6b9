/*
 * tlscrypto: what one server-side mutual-TLS 1.2 handshake costs in raw
 * mbedTLS crypto, and what the record ciphers cost per byte, on this CPU,
 * with the library sockguard links.  tests/bench/tls prints these
 * beside the handshake and transfer rates it measures, so that "how close
 * is sockguard to what mbedTLS allows" can be judged.
 *
 *   tlscrypto DIR CLIENT_DIR [SECONDS]
 *	DIR holds server-cert.pem, server-key.pem and ca.pem, CLIENT_DIR
 *	cert.pem and key.pem (as `sockguard cert` lays them out).  Each
 *	operation is repeated for SECONDS (0.3) of this thread's CPU time
 *	and its mean CPU time printed: other load on a shared machine
 *	delays it but does not add to it (it can still slow the CPU's
 *	caches down).
 *
 * A full ECDHE-ECDSA handshake with a client certificate costs the
 * server, in crypto:
 *   sign       one ECDSA P-256 signature of its ServerKeyExchange, with
 *              its long-lived key (mbedTLS caches that key's comb table);
 *   parse      parsing the client's certificate (new for each handshake);
 *   chain      checking that certificate against the CA (one ECDSA verify
 *              with the CA's long-lived key, plus the X.509 checks);
 *   certverify verifying the client's CertificateVerify signature with the
 *              key of the certificate just parsed (a fresh key object, so
 *              no cached table: as in a handshake);
 *   ecdhe      a fresh key pair and the shared secret (X25519, or P-256
 *              when the client offers no X25519), through the same
 *              mbedtls_ecdh calls the TLS code makes.
 * The bound is 1 / (sum of these): handshakes per second per core if the
 * handshake did nothing else (hashing, records, I/O and the event loop
 * are left out, so a real server stays below it).
 *
 * Records: AES-128-GCM, AES-256-GCM and ChaCha20-Poly1305 sealing and
 * opening 16 KiB records, MB/s (10^6 bytes/s): the order of tls.c's
 * cipher suites should follow them.
 *
 * Output: one "key=value ..." line per measurement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/chachapoly.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>

#define RECORD		16384

static mbedtls_ctr_drbg_context	drbg;
static double			secs = 0.3;

static void
die(const char *what, int ret)
{
	char	msg[160] = "";

	if (ret != 0)
		mbedtls_strerror(ret, msg, sizeof(msg));
	fprintf(stderr, "tlscrypto: %s%s%s\n", what, ret ? ": " : "", msg);
	exit(2);
}

/* This thread's CPU time. */
static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs op(arg) for secs (at least 3 times); its mean CPU time in µs. */
static double
timeit(void (*op)(void *), void *arg)
{
	double	t0, t;
	long	n = 0;

	op(arg);			/* warm-up: caches, lazy tables */
	t0 = now_s();
	do {
		op(arg);
		n++;
		t = now_s();
	} while (t - t0 < secs || n < 3);
	return (t - t0) / (double)n * 1e6;
}

/* ---- handshake crypto -------------------------------------------------- */

struct hs {
	mbedtls_pk_context	 key;		/* the server's */
	mbedtls_x509_crt	 ca;
	const unsigned char	*client_der;	/* the client's certificate */
	size_t			 client_len;
	unsigned char		 hash[32];	/* what gets signed */
	unsigned char		 cv[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t			 cvlen;		/* a CertificateVerify */
	mbedtls_ecp_group_id	 grp;		/* ECDHE curve */
	unsigned char		 peer[200];	/* the client's ECDHE key */
	size_t			 peerlen;	/* in TLS encoding */
	mbedtls_x509_crt	*crt;		/* parse's result */
};

static void
op_sign(void *arg)
{
	struct hs	*h = arg;
	unsigned char	 sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	size_t		 len;
	int		 r;

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	r = mbedtls_pk_sign(&h->key, MBEDTLS_MD_SHA256, h->hash, 32, sig,
	    sizeof(sig), &len, mbedtls_ctr_drbg_random, &drbg);
#else
	r = mbedtls_pk_sign(&h->key, MBEDTLS_MD_SHA256, h->hash, 32, sig,
	    &len, mbedtls_ctr_drbg_random, &drbg);
#endif
	if (r != 0)
		die("sign", r);
}

/* Parses the client certificate into h->crt (freed by the next call). */
static void
op_parse(void *arg)
{
	struct hs	*h = arg;
	int		 r;

	mbedtls_x509_crt_free(h->crt);
	mbedtls_x509_crt_init(h->crt);
	if ((r = mbedtls_x509_crt_parse_der(h->crt, h->client_der,
	    h->client_len)) != 0)
		die("parse the client certificate", r);
}

static void
op_chain(void *arg)
{
	struct hs	*h = arg;
	uint32_t	 flags;
	int		 r;

	r = mbedtls_x509_crt_verify(h->crt, &h->ca, NULL, NULL, &flags,
	    NULL, NULL);
	if (r != 0)
		die("verify the client certificate", r);
}

/* CertificateVerify with a key object as new as in a handshake. */
static void
op_certverify(void *arg)
{
	struct hs	*h = arg;
	int		 r;

	op_parse(h);
	r = mbedtls_pk_verify(&h->crt->pk, MBEDTLS_MD_SHA256, h->hash, 32,
	    h->cv, h->cvlen);
	if (r != 0)
		die("verify CertificateVerify", r);
}

/* Server side of ECDHE, as ssl_srv.c does it: params out, public in. */
static void
op_ecdhe(void *arg)
{
	struct hs		*h = arg;
	mbedtls_ecdh_context	 e;
	unsigned char		 buf[200], secret[66];
	size_t			 len, slen;
	int			 r;

	mbedtls_ecdh_init(&e);
	if ((r = mbedtls_ecdh_setup(&e, h->grp)) != 0 ||
	    (r = mbedtls_ecdh_make_params(&e, &len, buf, sizeof(buf),
	    mbedtls_ctr_drbg_random, &drbg)) != 0 ||
	    (r = mbedtls_ecdh_read_public(&e, h->peer, h->peerlen)) != 0 ||
	    (r = mbedtls_ecdh_calc_secret(&e, &slen, secret, sizeof(secret),
	    mbedtls_ctr_drbg_random, &drbg)) != 0)
		die("ECDHE", r);
	mbedtls_ecdh_free(&e);
}

/* A client's ECDHE public key on the curve, in TLS's encoding. */
static void
make_peer(struct hs *h)
{
	mbedtls_ecdh_context	e;
	int			r;

	mbedtls_ecdh_init(&e);
	if ((r = mbedtls_ecdh_setup(&e, h->grp)) != 0 ||
	    (r = mbedtls_ecdh_make_public(&e, &h->peerlen, h->peer,
	    sizeof(h->peer), mbedtls_ctr_drbg_random, &drbg)) != 0)
		die("client ECDHE key", r);
	mbedtls_ecdh_free(&e);
}

static void
handshake(const char *dir, const char *cdir)
{
	static struct hs	h;
	mbedtls_x509_crt	client, crt;
	mbedtls_pk_context	ckey;
	char			path[4096];
	double			sign, parse, chain, cv, x25519, p256;
	int			r;

	mbedtls_pk_init(&h.key);
	mbedtls_x509_crt_init(&h.ca);
	mbedtls_x509_crt_init(&client);
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&ckey);
	h.crt = &crt;

	snprintf(path, sizeof(path), "%s/server-key.pem", dir);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	r = mbedtls_pk_parse_keyfile(&h.key, path, NULL,
	    mbedtls_ctr_drbg_random, &drbg);
#else
	r = mbedtls_pk_parse_keyfile(&h.key, path, NULL);
#endif
	if (r != 0)
		die(path, r);
	snprintf(path, sizeof(path), "%s/ca.pem", dir);
	if ((r = mbedtls_x509_crt_parse_file(&h.ca, path)) != 0)
		die(path, r);
	snprintf(path, sizeof(path), "%s/cert.pem", cdir);
	if ((r = mbedtls_x509_crt_parse_file(&client, path)) != 0)
		die(path, r);
	h.client_der = client.raw.p;
	h.client_len = client.raw.len;
	snprintf(path, sizeof(path), "%s/key.pem", cdir);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	r = mbedtls_pk_parse_keyfile(&ckey, path, NULL,
	    mbedtls_ctr_drbg_random, &drbg);
#else
	r = mbedtls_pk_parse_keyfile(&ckey, path, NULL);
#endif
	if (r != 0)
		die(path, r);

	/* Any 32 bytes stand for a transcript hash. */
	memset(h.hash, 0x5a, sizeof(h.hash));
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	r = mbedtls_pk_sign(&ckey, MBEDTLS_MD_SHA256, h.hash, 32, h.cv,
	    sizeof(h.cv), &h.cvlen, mbedtls_ctr_drbg_random, &drbg);
#else
	r = mbedtls_pk_sign(&ckey, MBEDTLS_MD_SHA256, h.hash, 32, h.cv,
	    &h.cvlen, mbedtls_ctr_drbg_random, &drbg);
#endif
	if (r != 0)
		die("client signature", r);

	sign = timeit(op_sign, &h);
	parse = timeit(op_parse, &h);
	chain = timeit(op_chain, &h);
	cv = timeit(op_certverify, &h) - parse;
	h.grp = MBEDTLS_ECP_DP_CURVE25519;
	make_peer(&h);
	x25519 = timeit(op_ecdhe, &h);
	h.grp = MBEDTLS_ECP_DP_SECP256R1;
	make_peer(&h);
	p256 = timeit(op_ecdhe, &h);

	printf("op=handshake_parts key=%s sign_us=%.0f parse_us=%.0f "
	    "chain_us=%.0f certverify_us=%.0f ecdhe_x25519_us=%.0f "
	    "ecdhe_p256_us=%.0f\n", mbedtls_pk_get_name(&h.key), sign, parse,
	    chain, cv, x25519, p256);
	printf("op=handshake_bound ecdhe=x25519 us=%.0f hs_per_s=%.0f\n",
	    sign + parse + chain + cv + x25519,
	    1e6 / (sign + parse + chain + cv + x25519));
	printf("op=handshake_bound ecdhe=p256 us=%.0f hs_per_s=%.0f\n",
	    sign + parse + chain + cv + p256,
	    1e6 / (sign + parse + chain + cv + p256));

	mbedtls_pk_free(&h.key);
	mbedtls_pk_free(&ckey);
	mbedtls_x509_crt_free(&h.ca);
	mbedtls_x509_crt_free(&client);
	mbedtls_x509_crt_free(&crt);
}

/* ---- record ciphers ------------------------------------------------------ */

struct aead {
	mbedtls_gcm_context	 gcm;
	mbedtls_chachapoly_context cp;
	int			 chacha;
	unsigned char		 iv[12], aad[13], tag[16];
	unsigned char		*in, *out;
};

static void
op_seal(void *arg)
{
	struct aead	*a = arg;
	int		 r;

	a->iv[11]++;
	if (a->chacha)
		r = mbedtls_chachapoly_encrypt_and_tag(&a->cp, RECORD, a->iv,
		    a->aad, sizeof(a->aad), a->in, a->out, a->tag);
	else
		r = mbedtls_gcm_crypt_and_tag(&a->gcm, MBEDTLS_GCM_ENCRYPT,
		    RECORD, a->iv, sizeof(a->iv), a->aad, sizeof(a->aad),
		    a->in, a->out, sizeof(a->tag), a->tag);
	if (r != 0)
		die("seal", r);
}

/* Opens the record op_seal made last (same IV and tag). */
static void
op_open(void *arg)
{
	struct aead	*a = arg;
	int		 r;

	if (a->chacha)
		r = mbedtls_chachapoly_auth_decrypt(&a->cp, RECORD, a->iv,
		    a->aad, sizeof(a->aad), a->tag, a->out, a->in);
	else
		r = mbedtls_gcm_auth_decrypt(&a->gcm, RECORD, a->iv,
		    sizeof(a->iv), a->aad, sizeof(a->aad), a->tag,
		    sizeof(a->tag), a->out, a->in);
	if (r != 0)
		die("open", r);
}

static void
record_cipher(const char *name, int chacha, unsigned keybits)
{
	static struct aead	a;
	unsigned char		key[32];
	double			seal, open;
	int			r;

	memset(&a, 0, sizeof(a));
	a.chacha = chacha;
	if ((a.in = calloc(1, RECORD)) == NULL ||
	    (a.out = calloc(1, RECORD)) == NULL)
		die("out of memory", 0);
	mbedtls_ctr_drbg_random(&drbg, key, sizeof(key));
	mbedtls_ctr_drbg_random(&drbg, a.in, RECORD);
	if (chacha) {
		mbedtls_chachapoly_init(&a.cp);
		r = mbedtls_chachapoly_setkey(&a.cp, key);
	} else {
		mbedtls_gcm_init(&a.gcm);
		r = mbedtls_gcm_setkey(&a.gcm, MBEDTLS_CIPHER_ID_AES, key,
		    keybits);
	}
	if (r != 0)
		die(name, r);
	seal = timeit(op_seal, &a);
	/* op_open decrypts out back into in: seal once more so they match */
	op_seal(&a);
	open = timeit(op_open, &a);
	printf("op=record cipher=%s seal_mbps=%.0f open_mbps=%.0f\n", name,
	    RECORD / seal, RECORD / open);
	if (chacha)
		mbedtls_chachapoly_free(&a.cp);
	else
		mbedtls_gcm_free(&a.gcm);
	free(a.in);
	free(a.out);
}

int
main(int argc, char **argv)
{
	mbedtls_entropy_context	ent;
	char			ver[32];
	int			r;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: tlscrypto DIR CLIENT_DIR [SECONDS]\n");
		return 2;
	}
	if (argc == 4 && (secs = atof(argv[3])) <= 0)
		die("SECONDS must be positive", 0);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	if ((r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent,
	    (const unsigned char *)"tlscrypto", 9)) != 0)
		die("random generator", r);
	mbedtls_version_get_string(ver);
	printf("op=library mbedtls=%s\n", ver);
	handshake(argv[1], argv[2]);
	record_cipher("AES-128-GCM", 0, 128);
	record_cipher("AES-256-GCM", 0, 256);
	record_cipher("ChaCha20-Poly1305", 1, 0);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	return 0;
}
