/*
 * Unit tests (test_tls_peer) for the identity tls.c reads off a client certificate
 * (tls_peer_from_crt()): a table of certificates, made with OpenSSL, and
 * the fields the rules and the audit log must see, each written as
 * OpenSSL writes it (openssl x509 -serial, -fingerprint -sha256,
 * -nameopt esc_2253,esc_ctrl,esc_msb,utf8,sep_comma_plus_space,sname).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/x509_crt.h>

#include "tls.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct peer_case {
	const char	*name;
	const char	*pem;
	const char	*subject, *cn, *issuer, *serial, *fingerprint;
	const char	*sans[5];	/* NULL-terminated */
};

static const struct peer_case peer_cases[] = {
	{
	    /* The serial's top bit is set: DER writes 00 8a 5c ... */
	    "serial with its top bit set, three-part subject, four SANs",
	    "-----BEGIN CERTIFICATE-----\n"
	    "MIIB/jCCAaSgAwIBAgIJAIpcPg8RIjNEMAoGCCqGSM49BAMCMBcxFTATBgNVBAMM\n"
	    "DHNvY2tndWFyZCBDQTAgFw0yNjExMjMxMTA3MDRaGA8yMTI2MTAzMDExMDcwNFow\n"
	    "MzENMAsGA1UEAwwEZGF2ZTEUMBIGA1UECgwLRXhhbXBsZSBPcmcxDDAKBgNVBAsM\n"
	    "A29wczBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFkr0Zih09+KDoLfCAzx6J18\n"
	    "UEYzM37x+F3u6ehAQ2quBnJdaSV0MjsLAWQuAhJrqv8nvaBLqSXlgxlwi/ZOmkSj\n"
	    "gbowgbcwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAwwCgYI\n"
	    "KwYBBQUHAwIwQgYDVR0RBDswOYEMZGF2ZUBzZy50ZXN0ggxkYXZlLnNnLnRlc3SH\n"
	    "BAoAAAeGFXNwaWZmZTovL3NnLnRlc3QvZGF2ZTAdBgNVHQ4EFgQUc2C818b+orqz\n"
	    "Ab30iLOD4WPGaJkwHwYDVR0jBBgwFoAUd/6SscLpketvh2eYeSYMDPSZIc8wCgYI\n"
	    "KoZIzj0EAwIDSAAwRQIhAM6W1f4ICoHfBDArUoLba6W7/6obD62nofmYC+EmyvIz\n"
	    "AiAv+zaAl11vCJ70uW3f48L84O4Hi2lf+i6pcLL9EvIFpA==\n"
	    "-----END CERTIFICATE-----\n",
	    "CN=dave, O=Example Org, OU=ops", "dave", "CN=sockguard CA",
	    "8a5c3e0f11223344",
	    "8f27529fa371d54431559b347e493d2f0b8beeee3b55c700ac2e1d528c8f56da",
	    { "email:dave@sg.test", "DNS:dave.sg.test", "IP:10.0.0.7",
	    "URI:spiffe://sg.test/dave", NULL },
	},
	{
	    /* Serial 0 is the one byte 00, which stays. */
	    "serial zero",
	    "-----BEGIN CERTIFICATE-----\n"
	    "MIIB0zCCAXigAwIBAgIBADAKBggqhkjOPQQDAjAXMRUwEwYDVQQDDAxzb2NrZ3Vh\n"
	    "cmQgQ0EwIBcNMjYxMTIzMTEwNzA0WhgPMjEyNjEwMzAxMTA3MDRaMA8xDTALBgNV\n"
	    "BAMMBHplcm8wWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQCpkZtDb0AI6nwjIIl\n"
	    "rXfKR2R+x594dzPpGsK842Rv3M7kpmSeHSZ13vQenNYejf8gBlB9HbAI/pLXhFMg\n"
	    "yB1Fo4G6MIG3MAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQM\n"
	    "MAoGCCsGAQUFBwMCMEIGA1UdEQQ7MDmBDGRhdmVAc2cudGVzdIIMZGF2ZS5zZy50\n"
	    "ZXN0hwQKAAAHhhVzcGlmZmU6Ly9zZy50ZXN0L2RhdmUwHQYDVR0OBBYEFKQCZhn5\n"
	    "1RPYvNf0Cal1Sy60GQQWMB8GA1UdIwQYMBaAFHf+krHC6ZHrb4dnmHkmDAz0mSHP\n"
	    "MAoGCCqGSM49BAMCA0kAMEYCIQDIyQBYjfXld9Pp2uGg7Hk4GudnU9fLtnYMcsDV\n"
	    "QgdklAIhAJ7+tUdHP0WxpLPnFtK7m5zLwaH2NuY8d2n3TRRvcdOX\n"
	    "-----END CERTIFICATE-----\n",
	    "CN=zero", "zero", "CN=sockguard CA", "00",
	    "87f177bafe9b732080d291fbc2a6a8bbe50a8b4fad62dc0c69afc4e49b60909b",
	    { "email:dave@sg.test", "DNS:dave.sg.test", "IP:10.0.0.7",
	    "URI:spiffe://sg.test/dave", NULL },
	},
	{
	    /* No common name; an IPv6 SAN and an otherName, left out. */
	    "no CN, IPv6 and otherName SANs",
	    "-----BEGIN CERTIFICATE-----\n"
	    "MIIB0DCCAXagAwIBAgICEAAwCgYIKoZIzj0EAwIwFzEVMBMGA1UEAwwMc29ja2d1\n"
	    "YXJkIENBMCAXDTI2MTEyMzExMDcwNFoYDzIxMjYxMDMwMTEwNzA0WjAjMRAwDgYD\n"
	    "VQQKDAdObyBOYW1lMQ8wDQYDVQQLDAZyb2JvdHMwWTATBgcqhkjOPQIBBggqhkjO\n"
	    "PQMBBwNCAARrCClntF3Zvsn5kRe92wcM8HXy9DjKaNRUlHqQJ/oZ0CjdzVLCsSNG\n"
	    "6e5vGcQBHlR30fBScKKT4msYAvUww3ETo4GjMIGgMAwGA1UdEwEB/wQCMAAwDgYD\n"
	    "VR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMCsGA1UdEQQkMCKHEAAA\n"
	    "AAAAAAAAAAAAAAAAAAGgDgYDKgMEoAcMBW90aGVyMB0GA1UdDgQWBBTY63R+lAMX\n"
	    "BUhb8VUFyMznM/JwLzAfBgNVHSMEGDAWgBR3/pKxwumR62+HZ5h5JgwM9JkhzzAK\n"
	    "BggqhkjOPQQDAgNIADBFAiBmjkilg2+wgfMf5MR+CvXRcQWx8cIMwuaWt4BxtxQU\n"
	    "DwIhAJ1oGh+DDuPpvEkoayxOPS9yUMqsDPN0Ja07DMfMxGP9\n"
	    "-----END CERTIFICATE-----\n",
	    "O=No Name, OU=robots", NULL, "CN=sockguard CA", "1000",
	    "4f2dc61f2a1989de7aa370f01cc6d445f55aa15d402c102d9a43e988992b53cf",
	    { "IP:::1", NULL },
	},
};

static void
test_peer_table(void **state)
{
	const struct peer_case	*pc;
	mbedtls_x509_crt	 crt;
	struct tls_peer		*p;
	size_t			 i, n;

	for (pc = peer_cases; pc < peer_cases + nitems(peer_cases); pc++) {
		print_message("%s\n", pc->name);
		mbedtls_x509_crt_init(&crt);
		assert_int_equal(mbedtls_x509_crt_parse(&crt,
		    (const unsigned char *)pc->pem, strlen(pc->pem) + 1), 0);
		assert_non_null(p = tls_peer_from_crt(&crt));
		assert_string_equal(p->subject, pc->subject);
		if (pc->cn == NULL)
			assert_null(p->cn);
		else
			assert_string_equal(p->cn, pc->cn);
		assert_string_equal(p->issuer, pc->issuer);
		assert_string_equal(p->serial, pc->serial);
		assert_string_equal(p->fingerprint, pc->fingerprint);
		for (n = 0; pc->sans[n] != NULL; n++)
			continue;
		assert_int_equal(p->nsans, n);
		for (i = 0; i < n; i++)
			assert_string_equal(p->sans[i], pc->sans[i]);
		tls_peer_free(p);
		mbedtls_x509_crt_free(&crt);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
