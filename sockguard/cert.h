/*
 * `sockguard cert`: a private CA and the server and client certificates
 * of the mutual-TLS listener, written with mbedTLS's x509 writer.  The
 * two extensions that writer cannot make (subjectAltName and
 * extendedKeyUsage) are encoded here, by small pure functions that the
 * unit tests reach directly.  See man/sockguard.8, CERTIFICATES.
 */
#ifndef SG_CERT_H
#define SG_CERT_H

#include <stddef.h>

#define CERT_MAX_SANS		32	/* names in one certificate */
#define CERT_SAN_DER_MAX	4096	/* the encoded extension, at most */

/* How cert_encode_san() reads its names. */
enum cert_san_style {
	/* `cert server --san`: an IPv4 or IPv6 literal is an iPAddress,
	 * anything else a dNSName (hostname characters, optional "*."). */
	CERT_SAN_SERVER,
	/* `cert client --san`: "email:ADDR", "uri:URI" or "dns:NAME". */
	CERT_SAN_CLIENT,
};

/* extendedKeyUsage purposes, combined with |. */
#define CERT_PURPOSE_SERVER	0x1	/* id-kp-serverAuth */
#define CERT_PURPOSE_CLIENT	0x2	/* id-kp-clientAuth */

/*
 * Encodes n names (1 to CERT_MAX_SANS, in this order) as the DER value of
 * a subjectAltName extension, GeneralNames, at the START of buf.  Returns
 * the length written, or -1 with a one-line reason in err when a name is
 * empty or malformed, n is out of range, or buf is too small.  The names
 * are only read.
 */
int	cert_encode_san(const char *const *names, size_t n,
	    enum cert_san_style style, unsigned char *buf, size_t size,
	    char *err, size_t errlen);

/*
 * Encodes the DER value of an extendedKeyUsage extension with the
 * CERT_PURPOSE_* bits set in purposes (serverAuth first) at the START of
 * buf.  Returns the length, or -1 if purposes names none or an unknown
 * bit, or buf is too small.
 */
int	cert_encode_eku(unsigned purposes, unsigned char *buf, size_t size);

/*
 * The subcommand; argv[0] is "cert".  Prints one line per file written
 * on stdout and errors as one "sockguard cert: ..." line on stderr.
 * Returns the exit status: 0 done, 1 error (nothing was left behind but
 * directories), 2 usage error.
 */
int	cert_main(int argc, char **argv);

#endif
