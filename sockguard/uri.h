/*
 * Request-target checks.  sockguard forwards only targets whose path it
 * can route with certainty: origin-form, well-formed percent escapes, no
 * dot or empty segments (encoded or not), no encoded '/', '\' or NUL, and
 * no escapes of characters that never need one (letters, digits, "-._~:@"):
 * dockerd decodes before routing, so "/images/%63reate" is /images/create.
 * What is left encoded in the path can only sit inside a name segment.
 */
#ifndef SG_URI_H
#define SG_URI_H

#include <stddef.h>

/*
 * Checks the raw target url[0..len).  On success returns 0 and sets
 * *path_len to the length of the path part (before '?').  On failure
 * returns -1 with *why set to a static reason.
 */
int	uri_check(const char *url, size_t len, size_t *path_len,
	    const char **why);

/* The value of a hex digit, or -1. */
int	uri_hex(int);

#endif
