/*
 * libFuzzer target for the request-target check (uri.c).  Arbitrary
 * bytes go to uri_check(); whatever it accepts must be a target that
 * routes one way only: origin-form, canonical once decoded (no empty,
 * "." or ".." segment, plain or encoded), no encoded '/', '\' or NUL, no
 * escape of a character that needs none (letters, digits, "-._~:@"),
 * nothing left raw that must be encoded, and path_len at the first '?'.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Value of a hex digit, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Finds needle (case-insensitive) in h[0..n). */
static int
has_ci(const char *h, size_t n, const char *needle)
{
	size_t	i, k = strlen(needle);

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(h + i, needle, k) == 0)
			return 1;
	return 0;
}

/* Aborts unless url[0..len) with path_len is a safe accepted target. */
static void
check_accepted(const char *url, size_t len, size_t plen)
{
	char	*dec;
	size_t	 i, n = 0, seg;
	int	 hi, lo, c;

	if (len == 0 || url[0] != '/' || plen > len)
		abort();
	/* path_len ends at the first '?'. */
	if (memchr(url, '?', plen) != NULL)
		abort();
	if (plen < len && url[plen] != '?')
		abort();
	for (i = 0; i < len; i++) {
		c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\')
			abort();
	}
	/* Raw shapes that must not appear in the path. */
	for (i = 0; i + 1 < plen; i++)
		if (url[i] == '/' && url[i + 1] == '/')
			abort();
	if (plen > 1 && url[plen - 1] == '/')
		abort();
	if (has_ci(url, plen, "%2f") || has_ci(url, plen, "%5c") ||
	    has_ci(url, plen, "%00"))
		abort();
	if (has_ci(url, len, "%00"))
		abort();
	/* Every escape, path and query, is two hex digits. */
	for (i = 0; i < len; i++) {
		if (url[i] != '%')
			continue;
		if (i + 2 >= len || hexval(url[i + 1]) < 0 ||
		    hexval(url[i + 2]) < 0)
			abort();
		i += 2;
	}
	/* Decoded, the path is canonical: no empty, "." or ".." segment. */
	if ((dec = malloc(plen + 1)) == NULL)
		abort();
	for (i = 0; i < plen; i++) {
		if (url[i] == '%') {
			hi = hexval(url[i + 1]);
			lo = hexval(url[i + 2]);
			c = hi * 16 + lo;
			if (c == '/' || c == '\\' || c == 0)
				abort();
			/* An alias: dockerd routes it as the plain byte. */
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || strchr("-._~:@", c))
				abort();
			dec[n++] = (char)c;
			i += 2;
		} else
			dec[n++] = url[i];
	}
	dec[n] = '\0';
	for (seg = 1, i = 1; i <= n; i++) {
		if (i < n && dec[i] != '/')
			continue;
		if (n > 1 && i == seg)
			abort();		/* empty segment */
		if ((i - seg == 1 && dec[seg] == '.') ||
		    (i - seg == 2 && dec[seg] == '.' && dec[seg + 1] == '.'))
			abort();		/* dot segment */
		seg = i + 1;
	}
	if (strstr(dec, "/./") != NULL || strstr(dec, "/../") != NULL)
		abort();
	free(dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*why = NULL;
	char		*url;
	size_t		 plen = (size_t)-1;
	int		 r;

	/* An exact-size copy, so any read past len is caught. */
	if ((url = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(url, data, size);
	r = uri_check(url, size, &plen, &why);
	if (r == 0)
		check_accepted(url, size, plen);
	else if (r != -1 || why == NULL || *why == '\0')
		abort();
	free(url);
	return 0;
}
