/*
 * libFuzzer target for the identity read off a client certificate
 * (tls_peer_from_crt in tls.c).  Bytes are parsed as a DER certificate
 * by mbedTLS, as a handshake would; whatever mbedTLS accepts must give
 * an identity whose strings hold no control byte (rules glob them and
 * the log prints them), whose SANs carry one of the four prefixes, whose
 * serial and fingerprint are lower-case hex -- or be refused (NULL)
 * because a name held a control byte.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "tls.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_clean(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			__builtin_trap();
}

static void
check_hex(const char *s, size_t want)
{
	size_t	n = strlen(s);

	if ((want != 0 && n != want) || n % 2 != 0 ||
	    strspn(s, "0123456789abcdef") != n)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mbedtls_x509_crt	 crt;
	struct tls_peer		*p;
	size_t			 i;

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_der(&crt, data, size) != 0) {
		mbedtls_x509_crt_free(&crt);
		return 0;
	}
	if ((p = tls_peer_from_crt(&crt)) != NULL) {
		check_clean(p->cn);
		check_hex(p->serial, 0);
		check_hex(p->fingerprint, 64);
		for (i = 0; i < p->nsans; i++) {
			check_clean(p->sans[i]);
			if (strncmp(p->sans[i], "DNS:", 4) != 0 &&
			    strncmp(p->sans[i], "email:", 6) != 0 &&
			    strncmp(p->sans[i], "URI:", 4) != 0 &&
			    strncmp(p->sans[i], "IP:", 3) != 0)
				__builtin_trap();
		}
		tls_peer_free(p);
	}
	mbedtls_x509_crt_free(&crt);
	return 0;
}
