/*
 * A TLS listener's material and mbedTLS settings, and the identity read
 * off a verified client certificate.
 *
 * Settings: TLS 1.2 at least (1.3 too where the library has it), ECDHE
 * with AEAD suites only (AES-GCM, ChaCha20-Poly1305), X25519 or P-256/384
 * key exchange, a client certificate that chains to client_ca (and is
 * not on the CRL, not expired, not for another purpose) required, no
 * renegotiation, session tickets whose keys rotate (and are new for each
 * load: tickets issued before a reload are not accepted after it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509.h>
#include <mbedtls/sha256.h>
#include <mbedtls/version.h>

#include "config.h"
#include "log.h"
#include "sandbox.h"
#include "tlsint.h"
#include "xmalloc.h"

/* Session tickets: keys rotate every lifetime (the old one still opens). */
#define TLS_TICKET_LIFETIME	3600

/*
 * The server's preference decides.  In TLS 1.2 ChaCha20-Poly1305 comes
 * first: mbedTLS 2.28 seals and opens records with it about 1.5 times as
 * fast as with AES-128-GCM on our AES-NI machine (tests/bench/tlscrypto.c,
 * in make bench).  The docker CLI offers AES-GCM only, and gets AES-128-GCM.
 * The TLS 1.3 list (mbedTLS 3, whose AES-GCM is another implementation)
 * has not been measured and keeps AES-GCM first.
 */
static const int tls_suites[] = {
#if defined(MBEDTLS_SSL_PROTO_TLS1_3)
	MBEDTLS_TLS1_3_AES_128_GCM_SHA256,
	MBEDTLS_TLS1_3_AES_256_GCM_SHA384,
	MBEDTLS_TLS1_3_CHACHA20_POLY1305_SHA256,
#endif
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	0
};

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
static const uint16_t tls_groups[] = {
	MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
	MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1,
	MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
	MBEDTLS_SSL_IANA_TLS_GROUP_NONE
};
#else
static const mbedtls_ecp_group_id tls_curves[] = {
	MBEDTLS_ECP_DP_CURVE25519,
	MBEDTLS_ECP_DP_SECP256R1,
	MBEDTLS_ECP_DP_SECP384R1,
	MBEDTLS_ECP_DP_NONE
};
#endif

static void	tls_verify_words(uint32_t, char *, size_t);

uint64_t
tls_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "file: what: mbedTLS's words" into err; returns -1. */
static int
tls_fail(char *err, size_t errlen, const char *file, const char *what,
    int ret)
{
	char	msg[160];
	int	fd, saved;

	/* mbedTLS says only "read of file failed": ask the system why. */
	if (ret == MBEDTLS_ERR_PK_FILE_IO_ERROR ||
	    ret == MBEDTLS_ERR_X509_FILE_IO_ERROR) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
			saved = errno;
			snprintf(err, errlen, "%s: %s: %s%s", file, what,
			    strerror(saved), sandbox_hint(file, R_OK, saved));
			return -1;
		}
		close(fd);
	}
	mbedtls_strerror(ret, msg, sizeof(msg));
	snprintf(err, errlen, "%s: %s: %s", file, what, msg);
	return -1;
}

static void
tls_material_init(struct tls_material *m)
{
	mbedtls_ssl_config_init(&m->conf);
	mbedtls_x509_crt_init(&m->cert);
	mbedtls_pk_init(&m->key);
	mbedtls_x509_crt_init(&m->ca);
	mbedtls_x509_crl_init(&m->crl);
	mbedtls_entropy_init(&m->entropy);
	mbedtls_ctr_drbg_init(&m->drbg);
}

static void
tls_material_free(struct tls_material *m)
{
	mbedtls_ssl_config_free(&m->conf);
	mbedtls_x509_crt_free(&m->cert);
	mbedtls_pk_free(&m->key);
	mbedtls_x509_crt_free(&m->ca);
	mbedtls_x509_crl_free(&m->crl);
	mbedtls_ctr_drbg_free(&m->drbg);
	mbedtls_entropy_free(&m->entropy);
}

/* Reads the certificate, key, CA bundle and CRL files. */
static int
tls_material_read(struct tls_material *m, const struct tls_conf *tc,
    char *err, size_t errlen)
{
	int	r;

	if ((r = mbedtls_x509_crt_parse_file(&m->cert, tc->cert)) != 0)
		return tls_fail(err, errlen, tc->cert, "server certificate",
		    r);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	r = mbedtls_pk_parse_keyfile(&m->key, tc->key, NULL,
	    mbedtls_ctr_drbg_random, &m->drbg);
#else
	r = mbedtls_pk_parse_keyfile(&m->key, tc->key, NULL);
#endif
	if (r != 0)
		return tls_fail(err, errlen, tc->key, "private key", r);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	r = mbedtls_pk_check_pair(&m->cert.pk, &m->key,
	    mbedtls_ctr_drbg_random, &m->drbg);
#else
	r = mbedtls_pk_check_pair(&m->cert.pk, &m->key);
#endif
	if (r != 0) {
		snprintf(err, errlen, "%s: the private key does not belong to "
		    "the certificate %s", tc->key, tc->cert);
		return -1;
	}
	if ((r = mbedtls_x509_crt_parse_file(&m->ca, tc->client_ca)) != 0)
		return tls_fail(err, errlen, tc->client_ca, "client CA bundle",
		    r < 0 ? r : MBEDTLS_ERR_X509_INVALID_FORMAT);
	if (tc->crl != NULL &&
	    (r = mbedtls_x509_crl_parse_file(&m->crl, tc->crl)) != 0)
		return tls_fail(err, errlen, tc->crl, "revocation list", r);
	return 0;
}

/* The mbedTLS settings of one material. */
static int
tls_material_conf(struct tls_material *m, const struct tls_conf *tc,
    struct tls_server *srv, char *err, size_t errlen)
{
	mbedtls_ssl_config	*c = &m->conf;
	int			 r;

	r = mbedtls_ssl_config_defaults(c, MBEDTLS_SSL_IS_SERVER,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (r != 0)
		return tls_fail(err, errlen, tc->cert, "TLS settings", r);
	mbedtls_ssl_conf_rng(c, mbedtls_ctr_drbg_random, &m->drbg);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
	mbedtls_ssl_conf_groups(c, tls_groups);
#else
	mbedtls_ssl_conf_min_version(c, MBEDTLS_SSL_MAJOR_VERSION_3,
	    MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_curves(c, tls_curves);
#endif
	mbedtls_ssl_conf_ciphersuites(c, tls_suites);
	mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(c, &m->ca, tc->crl != NULL ? &m->crl :
	    NULL);
	if ((r = mbedtls_ssl_conf_own_cert(c, &m->cert, &m->key)) != 0)
		return tls_fail(err, errlen, tc->cert, "server certificate",
		    r);
	mbedtls_ssl_conf_renegotiation(c, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_session_tickets_cb(c, mbedtls_ssl_ticket_write,
	    mbedtls_ssl_ticket_parse, &srv->ticket);
	return 0;
}

static int
tls_seed(mbedtls_ctr_drbg_context *drbg, mbedtls_entropy_context *ent,
    const char *file, char *err, size_t errlen)
{
	static const unsigned char pers[] = "sockguard tls";
	int	r;

	r = mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, ent, pers,
	    sizeof(pers) - 1);
	return r == 0 ? 0 : tls_fail(err, errlen, file, "random generator",
	    r);
}

/* "ECDSA cert CN=x (expires 2027-01-01), 1 CA, CRL" */
static void
tls_server_set_desc(struct tls_server *srv, const struct tls_conf *tc)
{
	const struct tls_material *m = &srv->m[0];
	const mbedtls_x509_crt	*ca;
	const char		*kind = mbedtls_pk_get_name(&m->cert.pk);
	char			 subj[128];
	size_t			 nca = 0;

	if (mbedtls_x509_dn_gets(subj, sizeof(subj), &m->cert.subject) < 0)
		snprintf(subj, sizeof(subj), "?");
	nca = m->ca.raw.len > 0;
	for (ca = m->ca.next; ca != NULL && ca->raw.len > 0; ca = ca->next)
		nca++;
	snprintf(srv->desc, sizeof(srv->desc), "%s certificate \"%s\" "
	    "valid until %04d-%02d-%02d; %zu client CA%s%s",
	    kind != NULL ? kind : "?", subj, m->cert.valid_to.year,
	    m->cert.valid_to.mon, m->cert.valid_to.day, nca,
	    nca == 1 ? "" : "s", tc->crl != NULL ? "; CRL" : "");
}

int
tls_server_new(const struct tls_conf *tc, unsigned nthreads,
    struct tls_server **out, char *err, size_t errlen)
{
	struct tls_server	*srv;
	unsigned		 i;
	int			 r;

	*out = NULL;
	srv = xcalloc(1, sizeof(*srv));
	srv->refs = 1;
	/* One material per handshake thread, and one for this thread. */
	srv->n = (nthreads > 0 ? nthreads : 1) + 1;
	srv->m = xcalloc(srv->n, sizeof(*srv->m));
	mbedtls_ssl_ticket_init(&srv->ticket);
	mbedtls_entropy_init(&srv->tentropy);
	mbedtls_ctr_drbg_init(&srv->tdrbg);
	for (i = 0; i < srv->n; i++)
		tls_material_init(&srv->m[i]);
	if (tls_seed(&srv->tdrbg, &srv->tentropy, tc->cert, err, errlen) == -1)
		goto fail;
	r = mbedtls_ssl_ticket_setup(&srv->ticket, mbedtls_ctr_drbg_random,
	    &srv->tdrbg, MBEDTLS_CIPHER_AES_256_GCM, TLS_TICKET_LIFETIME);
	if (r != 0) {
		tls_fail(err, errlen, tc->cert, "session tickets", r);
		goto fail;
	}
	for (i = 0; i < srv->n; i++) {
		if (tls_seed(&srv->m[i].drbg, &srv->m[i].entropy, tc->cert,
		    err, errlen) == -1 ||
		    tls_material_read(&srv->m[i], tc, err, errlen) == -1 ||
		    tls_material_conf(&srv->m[i], tc, srv, err, errlen) == -1)
			goto fail;
	}
	tls_server_set_desc(srv, tc);
	*out = srv;
	return 0;
fail:
	tls_server_unref(srv);
	return -1;
}

void
tls_server_ref(struct tls_server *srv)
{
	srv->refs++;
}

void
tls_server_unref(struct tls_server *srv)
{
	unsigned	i;

	if (srv == NULL || --srv->refs > 0)
		return;
	for (i = 0; i < srv->n; i++)
		tls_material_free(&srv->m[i]);
	mbedtls_ssl_ticket_free(&srv->ticket);
	mbedtls_ctr_drbg_free(&srv->tdrbg);
	mbedtls_entropy_free(&srv->tentropy);
	free(srv->m);
	free(srv);
}

const char *
tls_server_describe(const struct tls_server *srv)
{
	return srv->desc;
}

int
tls_conn_setup(struct tls_conn *c, unsigned slot)
{
	int	r;

	mbedtls_ssl_init(&c->ssl);
	c->ssl_init = 1;
	r = mbedtls_ssl_setup(&c->ssl, &c->srv->m[slot % (c->srv->n - 1)].conf);
	return r;
}

int
tls_conn_verify_again(struct tls_conn *c, struct tls_server *srv,
    char *why, size_t whylen)
{
	struct tls_material	*m = &srv->m[srv->n - 1];
	const mbedtls_x509_crt	*peer;
	uint32_t		 flags = 0;

	if (!c->ssl_init ||
	    (peer = mbedtls_ssl_get_peer_cert(&c->ssl)) == NULL) {
		snprintf(why, whylen, "no client certificate to check");
		return -1;
	}
	if (mbedtls_x509_crt_verify((mbedtls_x509_crt *)peer, &m->ca,
	    m->crl.raw.len > 0 ? &m->crl : NULL, NULL, &flags, NULL,
	    NULL) == 0)
		return 0;
	tls_verify_words(flags, why, whylen);
	return -1;
}

/* The first line of mbedTLS's words on why verification failed. */
static void
tls_verify_words(uint32_t flags, char *buf, size_t len)
{
	char	info[512], *nl;

	if (mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags) < 0)
		snprintf(info, sizeof(info), "verification failed");
	if ((nl = strchr(info, '\n')) != NULL)
		*nl = '\0';
	snprintf(buf, len, "client certificate rejected: %s", info);
}

void
tls_describe_error(const mbedtls_ssl_context *ssl, int ret, char *buf,
    size_t len)
{
	uint32_t	flags;
	char		msg[160];

	/*
	 * A certificate that chains but is not for client authentication
	 * (keyUsage, extendedKeyUsage) fails as BAD_HS_CERTIFICATE, with
	 * the reason in the same flags as a failed verification.
	 */
	flags = mbedtls_ssl_get_verify_result(ssl);
	if ((ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ||
	    ret == MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE) && flags != 0 &&
	    flags != (uint32_t)-1) {
		tls_verify_words(flags, buf, len);
		return;
	}
	switch (ret) {
#if defined(MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE)
	case MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE:
		snprintf(buf, len, "the client sent no certificate (one "
		    "signed by client_ca is required)");
		return;
#endif
	case MBEDTLS_ERR_SSL_CONN_EOF:
		snprintf(buf, len, "the client closed the connection during "
		    "the handshake");
		return;
	default:
		mbedtls_strerror(ret, msg, sizeof(msg));
		snprintf(buf, len, "%s", msg);
	}
}

/* A copy of an ASN.1 string; NULL if it holds a NUL or control byte. */
static char *
tls_strndup_clean(const unsigned char *p, size_t len)
{
	size_t	i;
	char	*s;

	for (i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return NULL;
	s = xmalloc(len + 1);
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static void
tls_hex(const unsigned char *p, size_t len, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * len] = '\0';
}

/* One subjectAltName as "DNS:x"; NULL for kinds the rules do not use. */
static char *
tls_san(const mbedtls_asn1_buf *b)
{
	char		 ip[INET6_ADDRSTRLEN], *v, *s;
	const char	*kind;
	int		 tag = b->tag & MBEDTLS_ASN1_TAG_VALUE_MASK;

	if ((b->tag & MBEDTLS_ASN1_TAG_CLASS_MASK) !=
	    MBEDTLS_ASN1_CONTEXT_SPECIFIC)
		return NULL;
	if (tag == 7) {
		if ((b->len != 4 && b->len != 16) || inet_ntop(b->len == 4 ?
		    AF_INET : AF_INET6, b->p, ip, sizeof(ip)) == NULL)
			return NULL;
		xasprintf(&s, "IP:%s", ip);
		return s;
	}
	if (tag == 1)
		kind = "email";
	else if (tag == 2)
		kind = "DNS";
	else if (tag == 6)
		kind = "URI";
	else
		return NULL;
	if ((v = tls_strndup_clean(b->p, b->len)) == NULL)
		return NULL;
	xasprintf(&s, "%s:%s", kind, v);
	free(v);
	return s;
}

struct tls_peer *
tls_peer_from_crt(const mbedtls_x509_crt *crt)
{
	struct tls_peer			*p;
	const mbedtls_x509_name		*n;
	const mbedtls_x509_sequence	*seq;
	const unsigned char		*sp;
	unsigned char			 sum[32];
	char				 dn[1024], *san;
	size_t				 cap = 0, slen;

	p = xcalloc(1, sizeof(*p));
	if (mbedtls_x509_dn_gets(dn, sizeof(dn), &crt->subject) < 0)
		dn[0] = '\0';
	p->subject = xstrdup(dn);
	if (mbedtls_x509_dn_gets(dn, sizeof(dn), &crt->issuer) < 0)
		dn[0] = '\0';
	p->issuer = xstrdup(dn);
	n = &crt->subject;
	do {
		if (n->oid.p == NULL || MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN,
		    &n->oid) != 0)
			continue;
		/* A CN with a NUL or control byte is not a name to match. */
		if ((p->cn = tls_strndup_clean(n->val.p, n->val.len)) == NULL)
			goto fail;
		break;
	} while ((n = n->next) != NULL);
	/*
	 * The serial as OpenSSL and mbedtls_x509_serial_gets() write it:
	 * without the zero byte DER puts before a top bit that is set.
	 */
	sp = crt->serial.p;
	slen = crt->serial.len;
	if (slen > 1 && sp[0] == 0) {
		sp++;
		slen--;
	}
	p->serial = xmalloc(slen * 2 + 1);
	tls_hex(sp, slen, p->serial);
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	mbedtls_sha256(crt->raw.p, crt->raw.len, sum, 0);
#else
	mbedtls_sha256_ret(crt->raw.p, crt->raw.len, sum, 0);
#endif
	tls_hex(sum, sizeof(sum), p->fingerprint);
	for (seq = &crt->subject_alt_names; seq != NULL; seq = seq->next) {
		if (seq->buf.p == NULL || (san = tls_san(&seq->buf)) == NULL)
			continue;
		if (p->nsans == cap) {
			cap = cap ? cap * 2 : 4;
			p->sans = xreallocarray(p->sans, cap,
			    sizeof(*p->sans));
		}
		p->sans[p->nsans++] = san;
	}
	return p;
fail:
	tls_peer_free(p);
	return NULL;
}

void
tls_peer_free(struct tls_peer *p)
{
	size_t	i;

	if (p == NULL)
		return;
	free(p->subject);
	free(p->cn);
	free(p->issuer);
	free(p->serial);
	for (i = 0; i < p->nsans; i++)
		free(p->sans[i]);
	free(p->sans);
	free(p);
}
