/* sockguard cert: a private CA, server and client certificates. */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/version.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/x509_crt.h>

#include "cert.h"
#include "xmalloc.h"

#define CERT_DEFAULT_DIR	"/etc/sockguard/tls"
#define CERT_DEFAULT_CA_CN	"sockguard CA"
#define CERT_CA_DAYS		3650
#define CERT_SERVER_DAYS	825
#define CERT_CLIENT_DAYS	365
#define CERT_MAX_DAYS		36500	/* a century; keeps years < 9999 */
#define CERT_SKEW		(5 * 60)	/* notBefore this far back */
#define CERT_CN_MAX		64	/* ub-common-name, RFC 5280 */
#define CERT_URI_MAX		1024
#define CERT_PEM_MAX		16384	/* a certificate with every SAN */
#define CERT_KEY_PEM_MAX	2048	/* a P-256 key is about 230 bytes */

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* The subcommands; 0 is none. */
enum cert_cmd { CMD_CA = 1, CMD_SERVER, CMD_CLIENT };

/* GeneralName choices we write (context-specific tags, RFC 5280). */
#define GN_EMAIL	1
#define GN_DNS		2
#define GN_URI		6
#define GN_IP		7

/* One parsed subjectAltName; val borrows the caller's string or ip. */
struct cert_san {
	int			 tag;		/* GN_* */
	const unsigned char	*val;
	size_t			 len;
	unsigned char		 ip[16];
};

/* The command line, checked. */
struct cert_opts {
	enum cert_cmd	 cmd;
	const char	*dir;
	const char	*cn;
	const char	*outdir;
	const char	*sans[CERT_MAX_SANS];
	size_t		 nsans;
	unsigned	 days;
	unsigned char	 san_der[CERT_SAN_DER_MAX];
	size_t		 san_len;
};

/* Randomness, the CA (loaded, or just made) and the new key. */
struct cert_ctx {
	mbedtls_entropy_context	 entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt	 ca;
	mbedtls_pk_context	 ca_key;
	mbedtls_pk_context	 key;
	char			 ca_name[512];	/* the CA's subject, as a DN */
	time_t			 not_after;	/* of the last certificate */
	char			 fingerprint[65];	/* its SHA-256, hex */
};

/* What one new certificate says. */
struct cert_req {
	const char		*subject;	/* "CN=..." */
	int			 is_ca;
	unsigned		 key_usage;	/* MBEDTLS_X509_KU_* */
	unsigned		 purposes;	/* CERT_PURPOSE_*; 0: no EKU */
	const unsigned char	*san;		/* DER; NULL: none */
	size_t			 san_len;
	unsigned		 days;
};

/* A file written all or nothing with its siblings: staged, then placed. */
struct cert_file {
	char	*path;		/* final name, owned */
	char	*tmp;		/* staged temporary, owned; NULL once placed */
	mode_t	 mode;
	char	 what[256];	/* the report line after the path */
};

/* ------------------------------------------------------------ names */

/* ASCII only, whatever the locale. */
static int
cert_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
cert_digit(int c)
{
	return c >= '0' && c <= '9';
}

/*
 * A hostname: dot-separated labels (1-63 letters, digits, inner hyphens),
 * at most 253 bytes, "*." first if wildcard allows it.  A last label of
 * digits only is refused: no top-level domain is numeric, and such names
 * are mistyped IPv4 addresses.
 */
static int
cert_dns_ok(const char *s, size_t len, int wildcard)
{
	size_t	i, label = 0;
	int	numeric = 1;

	if (len > 253)
		return 0;
	if (wildcard && len > 2 && s[0] == '*' && s[1] == '.') {
		s += 2;
		len -= 2;
	}
	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			numeric = 1;
			continue;
		}
		if (s[i] == '-' && label == 0)
			return 0;
		if (!cert_digit(s[i]))
			numeric = 0;
		if (!cert_alpha(s[i]) && !cert_digit(s[i]) && s[i] != '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && s[len - 1] != '-' && !numeric;
}

/* An rfc822Name: dot-atom local part (RFC 5322), '@', a hostname. */
static int
cert_email_ok(const char *s, size_t len)
{
	const char	*at = memchr(s, '@', len);
	size_t		 i, local;

	if (at == NULL || len > 254)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return 0;
		if (!cert_alpha(s[i]) && !cert_digit(s[i]) &&
		    strchr(".!#$%&'*+-/=?^_`{|}~", s[i]) == NULL)
			return 0;
	}
	return cert_dns_ok(at + 1, len - local - 1, 0);
}

/* A hexadecimal digit, either case. */
static int
cert_hex(int c)
{
	return cert_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * A uniformResourceIdentifier: "scheme:" and something, in RFC 3986's
 * characters with well-formed %-escapes.  Go's x509 parser refuses a
 * certificate whose URI SAN its URL parser refuses, so anything looser
 * would break the docker CLI that loads the certificate.
 */
static int
cert_uri_ok(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > CERT_URI_MAX || !cert_alpha(s[0]))
		return 0;
	for (i = 1; i < len && s[i] != ':'; i++)
		if (!cert_alpha(s[i]) && !cert_digit(s[i]) &&
		    strchr("+-.", s[i]) == NULL)
			return 0;
	if (i >= len - 1)		/* no ':', or nothing after it */
		return 0;
	for (i++; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || !cert_hex(s[i + 1]) ||
			    !cert_hex(s[i + 2]))
				return 0;
			i += 2;
		} else if (!cert_alpha(s[i]) && !cert_digit(s[i]) &&
		    strchr("-._~:/?#[]@!$&'()*+,;=", s[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * A --cn: 1-64 bytes, a letter or digit first, then letters, digits,
 * spaces and ".-_@:", not ending in a space.  Nothing the DN strings of
 * mbedTLS 2 or 3 read as syntax, and a safe directory name.
 */
static int
cert_cn_ok(const char *s)
{
	size_t	i, len = strlen(s);

	if (len == 0 || len > CERT_CN_MAX ||
	    (!cert_alpha(s[0]) && !cert_digit(s[0])) || s[len - 1] == ' ')
		return 0;
	for (i = 1; i < len; i++)
		if (!cert_alpha(s[i]) && !cert_digit(s[i]) &&
		    strchr(" .-_@:", s[i]) == NULL)
			return 0;
	return 1;
}

/* ------------------------------------------------------------ encoders */

/* Reads one name as style says; -1 with a reason in err. */
static int
cert_san_parse(const char *name, enum cert_san_style style,
    struct cert_san *san, char *err, size_t errlen)
{
	const char	*v = name;

	memset(san, 0, sizeof(*san));
	if (style == CERT_SAN_SERVER) {
		if (inet_pton(AF_INET, v, san->ip) == 1) {
			san->tag = GN_IP;
			san->len = 4;
		} else if (inet_pton(AF_INET6, v, san->ip) == 1) {
			san->tag = GN_IP;
			san->len = 16;
		} else
			san->tag = GN_DNS;
	} else if (strncmp(v, "email:", 6) == 0) {
		san->tag = GN_EMAIL;
		v += 6;
	} else if (strncmp(v, "uri:", 4) == 0) {
		san->tag = GN_URI;
		v += 4;
	} else if (strncmp(v, "dns:", 4) == 0) {
		san->tag = GN_DNS;
		v += 4;
	} else {
		snprintf(err, errlen, "--san \"%.64s\": say which kind of name: "
		    "email:ADDR, uri:URI or dns:NAME", name);
		return -1;
	}
	if (san->tag == GN_IP) {
		san->val = san->ip;
		return 0;
	}
	san->val = (const unsigned char *)v;
	san->len = strlen(v);
	if ((san->tag == GN_DNS && !cert_dns_ok(v, san->len, 1)) ||
	    (san->tag == GN_EMAIL && !cert_email_ok(v, san->len)) ||
	    (san->tag == GN_URI && !cert_uri_ok(v, san->len))) {
		snprintf(err, errlen, "--san \"%.64s%s\": not %s", name,
		    strlen(name) > 64 ? "..." : "",
		    san->tag == GN_EMAIL ? "an e-mail address" :
		    san->tag == GN_URI ? "a URI (scheme:..., RFC 3986 "
		    "characters)" : style == CERT_SAN_SERVER ? "an IP address "
		    "or a DNS name (letters, digits, '-', '.', optional "
		    "leading \"*.\")" : "a DNS name");
		return -1;
	}
	return 0;
}

/* Prepends tag, length and value at *p; the length written or < 0. */
static int
cert_write_tlv(unsigned char **p, unsigned char *start, unsigned char tag,
    const unsigned char *val, size_t len)
{
	int	r;
	size_t	n = 0;

	if ((r = mbedtls_asn1_write_raw_buffer(p, start, val, len)) < 0)
		return r;
	n += (size_t)r;
	if ((r = mbedtls_asn1_write_len(p, start, len)) < 0)
		return r;
	n += (size_t)r;
	if ((r = mbedtls_asn1_write_tag(p, start, tag)) < 0)
		return r;
	return (int)(n + (size_t)r);
}

/* Wraps the len bytes before end in a SEQUENCE, moved to buf's start. */
static int
cert_seq_finish(unsigned char *buf, unsigned char *p, size_t len)
{
	int	r;
	size_t	n = len;

	if ((r = mbedtls_asn1_write_len(&p, buf, len)) < 0)
		return -1;
	n += (size_t)r;
	if ((r = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE)) < 0)
		return -1;
	n += (size_t)r;
	memmove(buf, p, n);
	return (int)n;
}

int
cert_encode_san(const char *const *names, size_t n,
    enum cert_san_style style, unsigned char *buf, size_t size, char *err,
    size_t errlen)
{
	struct cert_san	 sans[CERT_MAX_SANS];
	unsigned char	*p = buf + size;
	size_t		 i, len = 0;
	int		 r = 0;

	if (n == 0 || n > CERT_MAX_SANS) {
		snprintf(err, errlen, "%zu --san names: give 1 to %d", n,
		    CERT_MAX_SANS);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (cert_san_parse(names[i], style, &sans[i], err, errlen) == -1)
			return -1;
	/* The ASN.1 writer works backwards: last name first. */
	for (i = n; i-- > 0;) {
		r = cert_write_tlv(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC |
		    sans[i].tag, sans[i].val, sans[i].len);
		if (r < 0)
			break;
		len += (size_t)r;
	}
	if (r < 0 || (r = cert_seq_finish(buf, p, len)) < 0) {
		snprintf(err, errlen, "the --san names take more than %zu "
		    "bytes encoded", size);
		return -1;
	}
	return r;
}

int
cert_encode_eku(unsigned purposes, unsigned char *buf, size_t size)
{
	static const struct {
		unsigned	 bit;
		const char	*oid;
		size_t		 len;
	} kp[] = {
		{ CERT_PURPOSE_SERVER, MBEDTLS_OID_SERVER_AUTH,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH) },
		{ CERT_PURPOSE_CLIENT, MBEDTLS_OID_CLIENT_AUTH,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH) },
	};
	unsigned char	*p = buf + size;
	size_t		 i, len = 0;
	int		 r;

	if (purposes == 0 ||
	    (purposes & ~(unsigned)(CERT_PURPOSE_SERVER | CERT_PURPOSE_CLIENT)))
		return -1;
	for (i = nitems(kp); i-- > 0;) {
		if ((purposes & kp[i].bit) == 0)
			continue;
		if ((r = mbedtls_asn1_write_oid(&p, buf, kp[i].oid,
		    kp[i].len)) < 0)
			return -1;
		len += (size_t)r;
	}
	return cert_seq_finish(buf, p, len);
}

/* ------------------------------------------------------------ options */

/* The usage summary, for --help (stdout). */
static void
cert_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: sockguard cert ca     [-d DIR] [--cn NAME] [--days N]\n"
	    "       sockguard cert server [-d DIR] --san NAME [--san NAME ...] "
	    "[--days N]\n"
	    "       sockguard cert client [-d DIR] --cn NAME [-o OUTDIR]\n"
	    "                             [--san email:ADDR|uri:URI|dns:NAME "
	    "...] [--days N]\n"
	    "  -d DIR     the CA's directory (default " CERT_DEFAULT_DIR ")\n"
	    "  --cn NAME  common name (ca: default \"" CERT_DEFAULT_CA_CN
	    "\"; client: required)\n"
	    "  --san NAME a subjectAltName, repeatable (at most %d); server: "
	    "an IP address\n"
	    "             or a DNS name, the first is also the common name\n"
	    "  --days N   validity (defaults: ca %d, server %d, client %d)\n"
	    "  -o OUTDIR  the client's files (default DIR/clients/NAME)\n"
	    "Files are never overwritten.  Exit status: 0 done, 1 error, "
	    "2 usage error.\n", CERT_MAX_SANS, CERT_CA_DAYS, CERT_SERVER_DAYS,
	    CERT_CLIENT_DAYS);
}

/* Parses --days' value: 1 to CERT_MAX_DAYS. */
static int
cert_parse_days(const char *s, unsigned *days)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!cert_digit(*s) || *end != '\0' || errno != 0 || v < 1 ||
	    v > CERT_MAX_DAYS)
		return -1;
	*days = (unsigned)v;
	return 0;
}

/*
 * Reads the options after the subcommand into o.  Returns 0, 1 when help
 * was asked for, or -1 with a reason in err.  Values come as the next
 * argument, or after '=' for the long options.
 */
static int
cert_parse_opts(int argc, char **argv, struct cert_opts *o, char *err,
    size_t errlen)
{
	const char	*arg, *val, *eq;
	size_t		 nlen;
	int		 i;

	for (i = 2; i < argc; i++) {
		arg = argv[i];
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			return 1;
		if (arg[0] != '-') {
			snprintf(err, errlen, "unexpected argument \"%.64s\"",
			    arg);
			return -1;
		}
		val = NULL;
		nlen = strlen(arg);
		if (arg[1] == '-' && (eq = strchr(arg, '=')) != NULL) {
			nlen = (size_t)(eq - arg);
			val = eq + 1;
		}
#define OPT(s)	(nlen == strlen(s) && strncmp(arg, (s), nlen) == 0)
		if (!OPT("-d") && !OPT("-o") && !OPT("--cn") &&
		    !OPT("--san") && !OPT("--days")) {
			snprintf(err, errlen, "unknown option %.*s", (int)nlen,
			    arg);
			return -1;
		}
		if ((OPT("--cn") && o->cmd == CMD_SERVER) ||
		    (OPT("--san") && o->cmd == CMD_CA) ||
		    (OPT("-o") && o->cmd != CMD_CLIENT)) {
			snprintf(err, errlen, "%.*s does not apply to cert %s",
			    (int)nlen, arg, argv[1]);
			return -1;
		}
		if (val == NULL && (val = argv[++i]) == NULL) {
			snprintf(err, errlen, "%s needs a value", arg);
			return -1;
		}
		if (OPT("-d"))
			o->dir = val;
		else if (OPT("-o"))
			o->outdir = val;
		else if (OPT("--cn"))
			o->cn = val;
		else if (OPT("--days")) {
			if (cert_parse_days(val, &o->days) == -1) {
				snprintf(err, errlen, "--days \"%.32s\": give a "
				    "whole number from 1 to %d", val,
				    CERT_MAX_DAYS);
				return -1;
			}
		} else if (o->nsans == CERT_MAX_SANS) {
			snprintf(err, errlen, "too many --san names (at most "
			    "%d)", CERT_MAX_SANS);
			return -1;
		} else
			o->sans[o->nsans++] = val;
#undef OPT
	}
	return 0;
}

/* Required options, defaults, names; -1 with a reason in err. */
static int
cert_check_opts(struct cert_opts *o, char *err, size_t errlen)
{
	int	r;

	if ((o->dir != NULL && o->dir[0] == '\0') ||
	    (o->outdir != NULL && o->outdir[0] == '\0')) {
		snprintf(err, errlen, "%s needs a directory, not \"\"",
		    o->outdir != NULL && o->outdir[0] == '\0' ? "-o" : "-d");
		return -1;
	}
	if (o->dir == NULL)
		o->dir = CERT_DEFAULT_DIR;
	if (o->days == 0)
		o->days = o->cmd == CMD_CA ? CERT_CA_DAYS :
		    o->cmd == CMD_SERVER ? CERT_SERVER_DAYS : CERT_CLIENT_DAYS;
	if (o->cmd == CMD_CA && o->cn == NULL)
		o->cn = CERT_DEFAULT_CA_CN;
	if (o->cmd == CMD_CLIENT && o->cn == NULL) {
		snprintf(err, errlen, "client needs --cn NAME");
		return -1;
	}
	if (o->cmd == CMD_SERVER && o->nsans == 0) {
		snprintf(err, errlen, "server needs at least one --san NAME "
		    "(a DNS name or IP address clients connect to)");
		return -1;
	}
	if (o->cn != NULL && !cert_cn_ok(o->cn)) {
		snprintf(err, errlen, "--cn \"%.64s\": use 1-%d letters, "
		    "digits, spaces and \".-_@:\", starting with a letter or "
		    "digit", o->cn, CERT_CN_MAX);
		return -1;
	}
	if (o->nsans == 0)
		return 0;
	if ((r = cert_encode_san(o->sans, o->nsans, o->cmd == CMD_SERVER ?
	    CERT_SAN_SERVER : CERT_SAN_CLIENT, o->san_der, sizeof(o->san_der),
	    err, errlen)) == -1)
		return -1;
	o->san_len = (size_t)r;
	if (o->cmd == CMD_SERVER && strlen(o->sans[0]) > CERT_CN_MAX) {
		snprintf(err, errlen, "the first --san is also the common name, "
		    "which is limited to %d bytes: put a shorter name first",
		    CERT_CN_MAX);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ crypto */

/* The printf-style text, ": " and mbedTLS's reason into err; returns -1. */
static int __attribute__((format(printf, 4, 5)))
cert_mberr(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list	ap;
	size_t	len;
	char	reason[160];

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	mbedtls_strerror(code, reason, sizeof(reason));
	len = strlen(err);
	snprintf(err + len, errlen - len, ": %s", reason);
	return -1;
}

/* Every context initialised (cannot fail), so one free undoes any state. */
static void
cert_ctx_init(struct cert_ctx *c)
{
	memset(c, 0, sizeof(*c));
	mbedtls_entropy_init(&c->entropy);
	mbedtls_ctr_drbg_init(&c->drbg);
	mbedtls_x509_crt_init(&c->ca);
	mbedtls_pk_init(&c->ca_key);
	mbedtls_pk_init(&c->key);
}

/* Frees the keys (mbedTLS zeroises their numbers) and the rest. */
static void
cert_ctx_free(struct cert_ctx *c)
{
	mbedtls_pk_free(&c->key);
	mbedtls_pk_free(&c->ca_key);
	mbedtls_x509_crt_free(&c->ca);
	mbedtls_ctr_drbg_free(&c->drbg);
	mbedtls_entropy_free(&c->entropy);
}

/* Seeds the CTR-DRBG from the system's entropy sources. */
static int
cert_seed(struct cert_ctx *c, char *err, size_t errlen)
{
	static const char	 pers[] = "sockguard cert";
	int			 r;

	if ((r = mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func,
	    &c->entropy, (const unsigned char *)pers, sizeof(pers) - 1)) != 0)
		return cert_mberr(err, errlen, r, "cannot seed the random "
		    "generator");
	return 0;
}

/* A new ECDSA P-256 key in c->key. */
static int
cert_genkey(struct cert_ctx *c, char *err, size_t errlen)
{
	int	r;

	if ((r = mbedtls_pk_setup(&c->key,
	    mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))) != 0 ||
	    (r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1,
	    mbedtls_pk_ec(c->key), mbedtls_ctr_drbg_random, &c->drbg)) != 0)
		return cert_mberr(err, errlen, r, "cannot generate a P-256 key");
	return 0;
}

/* 16 random bytes, top bit clear (a positive INTEGER), not all zero. */
static int
cert_set_serial(struct cert_ctx *c, mbedtls_x509write_cert *w)
{
	unsigned char	s[16], any;
	size_t		i;
	int		r;

	do {
		if ((r = mbedtls_ctr_drbg_random(&c->drbg, s, sizeof(s))) != 0)
			return r;
		s[0] &= 0x7f;
		for (any = 0, i = 0; i < sizeof(s); i++)
			any |= s[i];
	} while (any == 0);
#if MBEDTLS_VERSION_NUMBER >= 0x03040000
	return mbedtls_x509write_crt_set_serial_raw(w, s, sizeof(s));
#else
	{
		mbedtls_mpi	serial;

		mbedtls_mpi_init(&serial);
		if ((r = mbedtls_mpi_read_binary(&serial, s, sizeof(s))) == 0)
			r = mbedtls_x509write_crt_set_serial(w, &serial);
		mbedtls_mpi_free(&serial);
		return r;
	}
#endif
}

/* notBefore CERT_SKEW ago (clocks differ), notAfter days after it. */
static int
cert_set_validity(struct cert_ctx *c, mbedtls_x509write_cert *w,
    unsigned days)
{
	char		 from[16], to[16];
	time_t		 t0 = time(NULL) - CERT_SKEW;
	struct tm	 tm;

	c->not_after = t0 + (time_t)days * 86400;
	if (gmtime_r(&t0, &tm) == NULL ||
	    strftime(from, sizeof(from), "%Y%m%d%H%M%S", &tm) != 14 ||
	    gmtime_r(&c->not_after, &tm) == NULL ||
	    strftime(to, sizeof(to), "%Y%m%d%H%M%S", &tm) != 14)
		return MBEDTLS_ERR_X509_INVALID_DATE;
	return mbedtls_x509write_crt_set_validity(w, from, to);
}

/* The extensions req asks for, beyond what the writer has helpers for. */
static int
cert_set_extensions(mbedtls_x509write_cert *w, const struct cert_req *req)
{
	unsigned char	eku[64];
	int		r, len;

	if ((r = mbedtls_x509write_crt_set_basic_constraints(w, req->is_ca,
	    req->is_ca ? 0 : -1)) != 0 ||
	    (r = mbedtls_x509write_crt_set_subject_key_identifier(w)) != 0 ||
	    (!req->is_ca &&
	    (r = mbedtls_x509write_crt_set_authority_key_identifier(w)) != 0) ||
	    (r = mbedtls_x509write_crt_set_key_usage(w, req->key_usage)) != 0)
		return r;
	if (req->purposes != 0) {
		if ((len = cert_encode_eku(req->purposes, eku, sizeof(eku))) < 0)
			return MBEDTLS_ERR_ASN1_BUF_TOO_SMALL;
		if ((r = mbedtls_x509write_crt_set_extension(w,
		    MBEDTLS_OID_EXTENDED_KEY_USAGE,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, eku,
		    (size_t)len)) != 0)
			return r;
	}
	if (req->san != NULL)
		return mbedtls_x509write_crt_set_extension(w,
		    MBEDTLS_OID_SUBJECT_ALT_NAME,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, req->san,
		    req->san_len);
	return 0;
}

/*
 * Writes the certificate req describes for c->key as PEM into pem,
 * signed by c->ca_key, or self-signed when req->is_ca.
 */
static int
cert_issue(struct cert_ctx *c, const struct cert_req *req,
    unsigned char *pem, size_t pemsize, char *err, size_t errlen)
{
	mbedtls_x509write_cert	 w;
	const char		*what;
	int			 r;

	mbedtls_x509write_crt_init(&w);
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, &c->key);
	mbedtls_x509write_crt_set_issuer_key(&w,
	    req->is_ca ? &c->key : &c->ca_key);
	if ((r = cert_set_serial(c, &w)) != 0)
		what = "cannot set the serial number";
	else if ((r = cert_set_validity(c, &w, req->days)) != 0)
		what = "cannot set the validity";
	else if ((r = mbedtls_x509write_crt_set_subject_name(&w,
	    req->subject)) != 0)
		what = "cannot set the subject name";
	else if ((r = mbedtls_x509write_crt_set_issuer_name(&w,
	    req->is_ca ? req->subject : c->ca_name)) != 0)
		what = "cannot set the issuer name from ca.pem";
	else if ((r = cert_set_extensions(&w, req)) != 0)
		what = "cannot add the extensions";
	else if ((r = mbedtls_x509write_crt_pem(&w, pem, pemsize,
	    mbedtls_ctr_drbg_random, &c->drbg)) != 0)
		what = "cannot sign the certificate";
	mbedtls_x509write_crt_free(&w);
	if (r != 0)
		return cert_mberr(err, errlen, r, "%s", what);
	return 0;
}

/* The SHA-256 of a DER certificate as 64 lower-case hex digits. */
static void
cert_fingerprint(const mbedtls_x509_crt *crt, char out[65])
{
	unsigned char	md[32];
	size_t		i;

	if (mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
	    crt->raw.p, crt->raw.len, md) != 0) {
		snprintf(out, 65, "?");
		return;
	}
	for (i = 0; i < sizeof(md); i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/*
 * Reads the new certificate back and checks it as peers will: its issuer
 * bytes equal the CA's subject bytes (Go finds parents by comparing them)
 * and it verifies against the CA.  For a new CA, trust is the CA itself.
 */
static int
cert_check_issued(struct cert_ctx *c, const unsigned char *pem, int is_ca,
    char *err, size_t errlen)
{
	mbedtls_x509_crt	 crt, *trust;
	char			 why[256], *nl;
	uint32_t		 flags = 0;
	int			 r, rc = -1;

	mbedtls_x509_crt_init(&crt);
	if ((r = mbedtls_x509_crt_parse(&crt, pem,
	    strlen((const char *)pem) + 1)) != 0) {
		cert_mberr(err, errlen, r, "the new certificate does not parse");
		goto out;
	}
	trust = is_ca ? &crt : &c->ca;
	if (crt.issuer_raw.len != trust->subject_raw.len ||
	    memcmp(crt.issuer_raw.p, trust->subject_raw.p,
	    crt.issuer_raw.len) != 0) {
		snprintf(err, errlen, "the issuer name of the new certificate "
		    "does not match the CA's subject \"%s\" byte for byte",
		    c->ca_name);
		goto out;
	}
	if (mbedtls_x509_crt_verify(&crt, trust, NULL, NULL, &flags, NULL,
	    NULL) != 0) {
		mbedtls_x509_crt_verify_info(why, sizeof(why), "", flags);
		while ((nl = strchr(why, '\n')) != NULL)
			*nl = nl[1] == '\0' ? '\0' : ';';
		snprintf(err, errlen, "the new certificate does not verify "
		    "against the CA: %s", why);
		goto out;
	}
	cert_fingerprint(&crt, c->fingerprint);
	rc = 0;
out:
	mbedtls_x509_crt_free(&crt);
	return rc;
}

/* Reads a private key file, the same call in mbedTLS 2 and 3. */
static int
cert_parse_keyfile(struct cert_ctx *c, mbedtls_pk_context *pk,
    const char *path)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	return mbedtls_pk_parse_keyfile(pk, path, NULL,
	    mbedtls_ctr_drbg_random, &c->drbg);
#else
	return mbedtls_pk_parse_keyfile(pk, path, NULL);
#endif
}

/* Is c->ca_key the private half of the CA certificate's key? 0 if so. */
static int
cert_check_pair(struct cert_ctx *c)
{
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
	return mbedtls_pk_check_pair(&c->ca.pk, &c->ca_key,
	    mbedtls_ctr_drbg_random, &c->drbg);
#else
	return mbedtls_pk_check_pair(&c->ca.pk, &c->ca_key);
#endif
}

/* Loads DIR/ca.pem and DIR/ca-key.pem and checks they belong together. */
static int
cert_load_ca(struct cert_ctx *c, const char *dir, char *err, size_t errlen)
{
	char		*crt, *key, *need[2];
	struct stat	 st;
	size_t		 i;
	int		 r, rc = -1;

	xasprintf(&crt, "%s/ca.pem", dir);
	xasprintf(&key, "%s/ca-key.pem", dir);
	need[0] = crt;
	need[1] = key;
	for (i = 0; i < nitems(need); i++) {
		if (stat(need[i], &st) == -1) {
			snprintf(err, errlen, "%s: %s (the CA comes first: "
			    "sockguard cert ca -d %s)", need[i],
			    strerror(errno), dir);
			goto out;
		}
	}
	if ((r = mbedtls_x509_crt_parse_file(&c->ca, crt)) != 0) {
		cert_mberr(err, errlen, r > 0 ? MBEDTLS_ERR_X509_INVALID_FORMAT :
		    r, "%s is not a PEM certificate", crt);
		goto out;
	}
	if ((r = cert_parse_keyfile(c, &c->ca_key, key)) != 0) {
		cert_mberr(err, errlen, r, "%s is not an unencrypted private "
		    "key", key);
		goto out;
	}
	if (mbedtls_x509_crt_check_key_usage(&c->ca,
	    MBEDTLS_X509_KU_KEY_CERT_SIGN) != 0) {
		snprintf(err, errlen, "%s is not a CA certificate: its key "
		    "usage does not allow signing certificates", crt);
		goto out;
	}
	if (cert_check_pair(c) != 0) {
		snprintf(err, errlen, "%s is not the key of %s", key, crt);
		goto out;
	}
	if (mbedtls_x509_dn_gets(c->ca_name, sizeof(c->ca_name),
	    &c->ca.subject) < 0) {
		snprintf(err, errlen, "%s: the subject name is too long", crt);
		goto out;
	}
	rc = 0;
out:
	free(crt);
	free(key);
	return rc;
}

/* ------------------------------------------------------------ files */

/* f names dir/name with mode; nothing is created yet. */
static void
cert_file_init(struct cert_file *f, const char *dir, const char *name,
    mode_t mode)
{
	memset(f, 0, sizeof(*f));
	xasprintf(&f->path, "%s/%s", dir, name);
	f->mode = mode;
}

/* Removes what is still staged (never what was placed) and frees. */
static void
cert_files_free(struct cert_file *files, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (files[i].tmp != NULL)
			unlink(files[i].tmp);
		free(files[i].tmp);
		free(files[i].path);
	}
}

/* None of the files may exist yet: sockguard cert never overwrites. */
static int
cert_files_absent(const struct cert_file *files, size_t n, char *err,
    size_t errlen)
{
	struct stat	st;
	size_t		i;

	for (i = 0; i < n; i++) {
		if (lstat(files[i].path, &st) == 0) {
			snprintf(err, errlen, "%s already exists; not "
			    "overwriting it (move it away to make a new one)",
			    files[i].path);
			return -1;
		}
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", files[i].path,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Writes data to a new temporary file beside f->path, created 0600 and
 * then set to f->mode whatever the umask, and syncs it to disk.
 */
static int
cert_stage(struct cert_file *f, const void *data, size_t len, char *err,
    size_t errlen)
{
	const char	*p = data;
	ssize_t		 w;
	int		 fd;

	xasprintf(&f->tmp, "%s.XXXXXX", f->path);
	/* mkostemp: O_CREAT|O_EXCL with mode 0600, so a key is never
	 * readable by others, not even for a moment. */
	if ((fd = mkostemp(f->tmp, O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot create %s: %s", f->tmp,
		    strerror(errno));
		free(f->tmp);
		f->tmp = NULL;
		return -1;
	}
	if (fchmod(fd, f->mode) == -1)
		goto fail;
	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "cannot write %s: %s", f->tmp, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/* Syncs a directory, so the new names in it survive a crash. */
static int
cert_sync_dir(const char *dir, char *err, size_t errlen)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "cannot sync directory %s: %s", dir,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Moves every staged file to its name, none over an existing file; if
 * one cannot be placed, removes those already placed.  Then syncs dir.
 */
static int
cert_commit(struct cert_file *files, size_t n, const char *dir, char *err,
    size_t errlen)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (renameat2(AT_FDCWD, files[i].tmp, AT_FDCWD, files[i].path,
		    RENAME_NOREPLACE) == -1) {
			snprintf(err, errlen, errno == EEXIST ? "%s appeared "
			    "meanwhile; not overwriting it" : "cannot create "
			    "%s: %s", files[i].path, strerror(errno));
			while (i-- > 0)
				unlink(files[i].path);
			return -1;
		}
		free(files[i].tmp);
		files[i].tmp = NULL;
	}
	return cert_sync_dir(dir, err, errlen);
}

/* Creates dir 0700 (whatever the umask), or accepts an existing one. */
static int
cert_mkdir(const char *dir, char *err, size_t errlen)
{
	struct stat	st;

	if (mkdir(dir, 0700) == 0) {
		if (chmod(dir, 0700) == 0)
			return 0;
	} else if (errno == EEXIST && stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
	}
	snprintf(err, errlen, "cannot create directory %s: %s", dir,
	    strerror(errno));
	return -1;
}

/* Writes the key in c->key to f as PEM; the buffer is wiped after. */
static int
cert_stage_key(struct cert_ctx *c, struct cert_file *f, char *err,
    size_t errlen)
{
	unsigned char	pem[CERT_KEY_PEM_MAX];
	int		r, rc;

	if ((r = mbedtls_pk_write_key_pem(&c->key, pem, sizeof(pem))) != 0)
		rc = cert_mberr(err, errlen, r, "cannot encode the key");
	else
		rc = cert_stage(f, pem, strlen((char *)pem), err, errlen);
	mbedtls_platform_zeroize(pem, sizeof(pem));
	return rc;
}

/* "valid until 2026-01-31 12:00 UTC" for c's last certificate. */
static const char *
cert_until(const struct cert_ctx *c, char *buf, size_t size)
{
	struct tm	tm;

	if (gmtime_r(&c->not_after, &tm) == NULL ||
	    strftime(buf, size, "valid until %Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(buf, size, "valid until ?");
	return buf;
}

/* Prints one line per file placed. */
static void
cert_report(const struct cert_file *files, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		printf("%s: %s\n", files[i].path, files[i].what);
}

/* ------------------------------------------------------------ commands */

/* cert ca: a new self-signed CA in DIR. */
static int
cert_run_ca(const struct cert_opts *o, struct cert_ctx *c, char *err,
    size_t errlen)
{
	struct cert_file	 files[2];
	struct cert_req		 req;
	unsigned char		 pem[CERT_PEM_MAX];
	char			*subject, until[64];
	int			 rc = -1;

	xasprintf(&subject, "CN=%s", o->cn);
	cert_file_init(&files[0], o->dir, "ca.pem", 0644);
	cert_file_init(&files[1], o->dir, "ca-key.pem", 0600);
	memset(&req, 0, sizeof(req));
	req.subject = subject;
	req.is_ca = 1;
	req.key_usage = MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN;
	req.days = o->days;
	if (cert_mkdir(o->dir, err, errlen) == -1 ||
	    cert_files_absent(files, nitems(files), err, errlen) == -1 ||
	    cert_genkey(c, err, errlen) == -1 ||
	    cert_issue(c, &req, pem, sizeof(pem), err, errlen) == -1 ||
	    cert_check_issued(c, pem, 1, err, errlen) == -1 ||
	    cert_stage(&files[0], pem, strlen((char *)pem), err, errlen) == -1 ||
	    cert_stage_key(c, &files[1], err, errlen) == -1 ||
	    cert_commit(files, nitems(files), o->dir, err, errlen) == -1)
		goto out;
	snprintf(files[0].what, sizeof(files[0].what), "CA certificate, %s, "
	    "%s", subject, cert_until(c, until, sizeof(until)));
	snprintf(files[1].what, sizeof(files[1].what), "CA private key "
	    "(mode 0600; it signs every certificate: keep it secret)");
	cert_report(files, nitems(files));
	rc = 0;
out:
	cert_files_free(files, nitems(files));
	free(subject);
	return rc;
}

/* cert server: DIR/server-cert.pem and DIR/server-key.pem. */
static int
cert_run_server(const struct cert_opts *o, struct cert_ctx *c, char *err,
    size_t errlen)
{
	struct cert_file	 files[2];
	struct cert_req		 req;
	unsigned char		 pem[CERT_PEM_MAX];
	char			*subject, until[64];
	int			 rc = -1;

	xasprintf(&subject, "CN=%s", o->sans[0]);
	cert_file_init(&files[0], o->dir, "server-cert.pem", 0644);
	cert_file_init(&files[1], o->dir, "server-key.pem", 0600);
	memset(&req, 0, sizeof(req));
	req.subject = subject;
	req.key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
	    MBEDTLS_X509_KU_KEY_AGREEMENT;
	req.purposes = CERT_PURPOSE_SERVER;
	req.san = o->san_der;
	req.san_len = o->san_len;
	req.days = o->days;
	if (cert_load_ca(c, o->dir, err, errlen) == -1 ||
	    cert_files_absent(files, nitems(files), err, errlen) == -1 ||
	    cert_genkey(c, err, errlen) == -1 ||
	    cert_issue(c, &req, pem, sizeof(pem), err, errlen) == -1 ||
	    cert_check_issued(c, pem, 0, err, errlen) == -1 ||
	    cert_stage(&files[0], pem, strlen((char *)pem), err, errlen) == -1 ||
	    cert_stage_key(c, &files[1], err, errlen) == -1 ||
	    cert_commit(files, nitems(files), o->dir, err, errlen) == -1)
		goto out;
	snprintf(files[0].what, sizeof(files[0].what), "server certificate, "
	    "%s, %zu subjectAltName%s, %s", subject, o->nsans,
	    o->nsans == 1 ? "" : "s", cert_until(c, until, sizeof(until)));
	snprintf(files[1].what, sizeof(files[1].what), "server private key "
	    "(mode 0600)");
	cert_report(files, nitems(files));
	rc = 0;
out:
	cert_files_free(files, nitems(files));
	free(subject);
	return rc;
}

/* The client's directory: -o, or DIR/clients/NAME (parent made too). */
static char *
cert_client_dir(const struct cert_opts *o, char *err, size_t errlen)
{
	char	*parent, *out;

	if (o->outdir != NULL) {
		if (cert_mkdir(o->outdir, err, errlen) == -1)
			return NULL;
		return xstrdup(o->outdir);
	}
	xasprintf(&parent, "%s/clients", o->dir);
	xasprintf(&out, "%s/%s", parent, o->cn);
	if (cert_mkdir(parent, err, errlen) == -1 ||
	    cert_mkdir(out, err, errlen) == -1) {
		free(parent);
		free(out);
		return NULL;
	}
	free(parent);
	return out;
}

/* The CA certificate as PEM, for the client's copy. */
static int
cert_ca_pem(const struct cert_ctx *c, unsigned char *buf, size_t size,
    char *err, size_t errlen)
{
	size_t	olen;
	int	r;

	if ((r = mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n",
	    "-----END CERTIFICATE-----\n", c->ca.raw.p, c->ca.raw.len, buf,
	    size, &olen)) != 0)
		return cert_mberr(err, errlen, r, "cannot copy ca.pem");
	return 0;
}

/* Prints what a user pastes on the docker client's machine. */
static void
cert_client_env(const char *outdir)
{
	char	abs[PATH_MAX];

	if (realpath(outdir, abs) == NULL)
		snprintf(abs, sizeof(abs), "%s", outdir);
	printf("# on the client, with HOST replaced by sockguard's address:\n"
	    "export DOCKER_HOST=tcp://HOST:2376\n"
	    "export DOCKER_TLS_VERIFY=1\n"
	    "export DOCKER_CERT_PATH=%s\n", abs);
}

/* cert client: ca.pem, cert.pem and key.pem in the client's directory. */
static int
cert_run_client(const struct cert_opts *o, struct cert_ctx *c, char *err,
    size_t errlen)
{
	struct cert_file	 files[3];
	struct cert_req		 req;
	unsigned char		 pem[CERT_PEM_MAX], capem[CERT_PEM_MAX];
	char			*subject, *out = NULL, until[64];
	size_t			 n = 0;
	int			 rc = -1;

	xasprintf(&subject, "CN=%s", o->cn);
	memset(&req, 0, sizeof(req));
	req.subject = subject;
	req.key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
	req.purposes = CERT_PURPOSE_CLIENT;
	req.san = o->nsans > 0 ? o->san_der : NULL;
	req.san_len = o->san_len;
	req.days = o->days;
	if (cert_load_ca(c, o->dir, err, errlen) == -1 ||
	    (out = cert_client_dir(o, err, errlen)) == NULL)
		goto out;
	cert_file_init(&files[n++], out, "ca.pem", 0644);
	cert_file_init(&files[n++], out, "cert.pem", 0644);
	cert_file_init(&files[n++], out, "key.pem", 0600);
	if (cert_files_absent(files, n, err, errlen) == -1 ||
	    cert_genkey(c, err, errlen) == -1 ||
	    cert_issue(c, &req, pem, sizeof(pem), err, errlen) == -1 ||
	    cert_check_issued(c, pem, 0, err, errlen) == -1 ||
	    cert_ca_pem(c, capem, sizeof(capem), err, errlen) == -1 ||
	    cert_stage(&files[0], capem, strlen((char *)capem), err,
	    errlen) == -1 ||
	    cert_stage(&files[1], pem, strlen((char *)pem), err, errlen) == -1 ||
	    cert_stage_key(c, &files[2], err, errlen) == -1 ||
	    cert_commit(files, n, out, err, errlen) == -1)
		goto out;
	snprintf(files[0].what, sizeof(files[0].what), "copy of the CA "
	    "certificate");
	snprintf(files[1].what, sizeof(files[1].what), "client certificate, "
	    "%s, %s, SHA-256 %s", subject, cert_until(c, until, sizeof(until)),
	    c->fingerprint);
	snprintf(files[2].what, sizeof(files[2].what), "client private key "
	    "(mode 0600)");
	cert_report(files, n);
	cert_client_env(out);
	rc = 0;
out:
	cert_files_free(files, n);
	free(out);
	free(subject);
	return rc;
}

int
cert_main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		enum cert_cmd	 cmd;
	} cmds[] = {
		{ "ca", CMD_CA }, { "server", CMD_SERVER },
		{ "client", CMD_CLIENT },
	};
	struct cert_opts	*o;
	struct cert_ctx		 c;
	char			 err[1024];
	size_t			 i;
	int			 r;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		cert_usage(stdout);
		return 0;
	}
	o = xcalloc(1, sizeof(*o));
	for (i = 0; argc >= 2 && i < nitems(cmds); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			o->cmd = cmds[i].cmd;
	if (o->cmd == 0) {
		fprintf(stderr, "sockguard cert: %s%s%s; see sockguard cert "
		    "--help\n", argc < 2 ? "say ca, server or client" :
		    "unknown subcommand \"", argc < 2 ? "" : argv[1],
		    argc < 2 ? "" : "\"");
		free(o);
		return 2;
	}
	if ((r = cert_parse_opts(argc, argv, o, err, sizeof(err))) == 1) {
		cert_usage(stdout);
		free(o);
		return 0;
	}
	if (r == -1 || cert_check_opts(o, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockguard cert: %s\n", err);
		free(o);
		return 2;
	}
	cert_ctx_init(&c);
	if ((r = cert_seed(&c, err, sizeof(err))) == 0)
		r = o->cmd == CMD_CA ? cert_run_ca(o, &c, err, sizeof(err)) :
		    o->cmd == CMD_SERVER ? cert_run_server(o, &c, err,
		    sizeof(err)) : cert_run_client(o, &c, err, sizeof(err));
	cert_ctx_free(&c);
	free(o);
	if (r == -1) {
		fprintf(stderr, "sockguard cert: %s\n", err);
		return 1;
	}
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "sockguard cert: standard output: %s\n",
		    strerror(errno));
		return 1;
	}
	return 0;
}
