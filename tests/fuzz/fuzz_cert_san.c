/*
 * libFuzzer target for the subjectAltName encoder (cert.c).  The first
 * byte picks the style (server or client) and the EKU purposes, the rest
 * is names separated by newlines.  Whatever cert_encode_san() accepts
 * must read back, with mbedTLS's ASN.1 parser, as one SEQUENCE holding
 * exactly those names in order: email, DNS and URI values equal to the
 * name (prefix removed) and in printable ASCII, IP addresses 4 or 16
 * bytes, and DNS names nothing but hostname characters.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>

#include "cert.h"

#define FUZZ_MAX_NAMES	(CERT_MAX_SANS + 2)	/* a few too many, too */
#define FUZZ_MAX_INPUT	8192

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The value a typed or bare name must have been written with. */
static const char *
expected_value(const char *name, int tag)
{
	const char	*colon = strchr(name, ':');

	if (tag == 2 && strncmp(name, "dns:", 4) != 0)
		return name;		/* a bare server name */
	return colon != NULL ? colon + 1 : name;
}

/* Aborts unless der holds exactly the n names, in order. */
static void
check_der(const unsigned char *der, size_t len, char **names, size_t n,
    enum cert_san_style style)
{
	unsigned char	*p = (unsigned char *)der, *end = p + len, *vend;
	const char	*want;
	size_t		 i, k, vlen, seqlen;
	int		 tag;

	if (mbedtls_asn1_get_tag(&p, end, &seqlen, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) != 0 || p + seqlen != end)
		abort();
	for (i = 0; i < n; i++) {
		if (p >= end)
			abort();
		tag = *p & 0x1f;
		if ((*p & 0xe0) != MBEDTLS_ASN1_CONTEXT_SPECIFIC)
			abort();
		p++;
		if (mbedtls_asn1_get_len(&p, end, &vlen) != 0)
			abort();
		vend = p + vlen;
		if (tag == 7) {
			if (style != CERT_SAN_SERVER || (vlen != 4 && vlen != 16))
				abort();
		} else if (tag == 1 || tag == 2 || tag == 6) {
			if (style == CERT_SAN_SERVER && tag != 2)
				abort();
			want = expected_value(names[i], tag);
			if (vlen == 0 || strlen(want) != vlen ||
			    memcmp(want, p, vlen) != 0)
				abort();
			for (k = 0; k < vlen; k++)
				if (p[k] <= 0x20 || p[k] >= 0x7f)
					abort();
			for (k = 0; tag == 2 && k < vlen; k++)
				if (strchr("abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.*",
				    p[k]) == NULL)
					abort();
		} else
			abort();
		p = vend;
	}
	if (p != end)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			*buf, *names[FUZZ_MAX_NAMES], *s, *nl;
	unsigned char		 der[CERT_SAN_DER_MAX], eku[64];
	char			 err[256];
	enum cert_san_style	 style;
	size_t			 n = 0;
	int			 r;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	style = (data[0] & 1) ? CERT_SAN_CLIENT : CERT_SAN_SERVER;
	r = cert_encode_eku((data[0] >> 1) & 7, eku, sizeof(eku));
	if (r != -1 && (r < 12 || (data[0] & 0x8) != 0))
		abort();
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	if (memchr(buf, '\0', size - 1) != NULL) {
		free(buf);
		return 0;		/* names come from argv: no NULs */
	}
	for (s = buf; n < FUZZ_MAX_NAMES; s = nl + 1) {
		names[n++] = s;
		if ((nl = strchr(s, '\n')) == NULL)
			break;
		*nl = '\0';
	}
	err[0] = '\0';
	r = cert_encode_san((const char *const *)names, n, style, der,
	    sizeof(der), err, sizeof(err));
	if (r == -1 && err[0] == '\0')
		abort();
	if (r != -1) {
		if (r < 2 || (size_t)r > sizeof(der) || n > CERT_MAX_SANS)
			abort();
		check_der(der, (size_t)r, names, n, style);
	}
	free(buf);
	return 0;
}
