/* Request-target validation: refuse what could be routed two ways. */
#include <stddef.h>
#include <string.h>

#include "uri.h"

static int	uri_aliasing(int);
static int	uri_segment_is_dots(const char *, size_t);

/* Returns the value of a hex digit, or -1. */
int
uri_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * True for characters that a path never needs to encode: letters, digits,
 * "-._~" and ":@".  dockerd decodes the path before routing, so an
 * escaped form would name the same route while matching rules differently.
 */
static int
uri_aliasing(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~' || c == ':' || c == '@';
}

/* True if a (raw) segment decodes to "." or "..". */
static int
uri_segment_is_dots(const char *s, size_t n)
{
	size_t	i = 0, dots = 0;

	while (i < n) {
		if (s[i] == '.')
			i++;
		else if (n - i >= 3 && s[i] == '%' && s[i + 1] == '2' &&
		    (s[i + 2] == 'e' || s[i + 2] == 'E'))
			i += 3;
		else
			return 0;
		dots++;
	}
	return dots == 1 || dots == 2;
}

int
uri_check(const char *url, size_t len, size_t *path_len, const char **why)
{
	size_t	i, seg = 1, plen;
	int	hi, lo, c;

	if (len == 0 || url[0] != '/') {
		*why = "the request target must be a path starting with '/'";
		return -1;
	}
	for (plen = 0; plen < len && url[plen] != '?'; plen++)
		;
	for (i = 0; i < len; i++) {
		c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\') {
			*why = "the request target has a character that must "
			    "be percent-encoded";
			return -1;
		}
		if (c != '%')
			continue;
		if (i + 2 >= len || (hi = uri_hex(url[i + 1])) < 0 ||
		    (lo = uri_hex(url[i + 2])) < 0) {
			*why = "the request target has a malformed percent "
			    "escape";
			return -1;
		}
		c = hi * 16 + lo;
		if (i < plen && (c == '/' || c == '\\' || c == 0)) {
			*why = "the path has an encoded '/', '\\' or NUL";
			return -1;
		}
		if (i < plen && uri_aliasing(c)) {
			*why = "the path percent-encodes a character that needs "
			    "no encoding (dockerd would route it as the plain "
			    "character)";
			return -1;
		}
		if (i >= plen && c == 0) {
			*why = "the query has an encoded NUL";
			return -1;
		}
		i += 2;
	}
	for (i = 1; i <= plen; i++) {
		if (i < plen && url[i] != '/')
			continue;
		/* segment [seg, i) */
		if (i == seg && plen > 1) {
			*why = "the path has an empty segment ('//' or a "
			    "trailing '/')";
			return -1;
		}
		if (uri_segment_is_dots(url + seg, i - seg)) {
			*why = "the path has a '.' or '..' segment";
			return -1;
		}
		seg = i + 1;
	}
	*path_len = plen;
	return 0;
}
