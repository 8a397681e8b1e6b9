/*
 * Facts about the Docker Engine API that the proxy needs: the optional
 * /vX.Y version prefix, and which endpoints take a JSON body that sockguard
 * reads whole (so the rules can look at it) rather than streams.
 */
#ifndef SG_DOCKER_H
#define SG_DOCKER_H

#include <stddef.h>

/*
 * Splits a path into its API version prefix ("/v1.41", may be empty) and
 * the route after it.  *route points into path; *route_len excludes the
 * query.  The version is written to ver (empty when absent).
 */
void	docker_split_version(const char *path, size_t len, char *ver,
	    size_t verlen, const char **route, size_t *route_len);

/*
 * What body METHOD route takes: JSON that sockguard reads whole and parses
 * (so the rules can look at it), a stream it forwards as it comes (build
 * contexts, image tars, archives), or none.  dockerd ignores a body where
 * it takes none, and what it ignores the rules cannot have judged, so
 * sockguard refuses one there.
 */
enum docker_body { DOCKER_BODY_NONE, DOCKER_BODY_JSON, DOCKER_BODY_STREAM };
enum docker_body docker_body_kind(const char *method, const char *route,
	    size_t len);

/* Matches route against a pattern where '*' is exactly one segment. */
int	docker_route_match(const char *pattern, const char *route, size_t len);

/*
 * Reads the first value of key from a raw query string as Go's
 * url.ParseQuery would, percent- and '+'-decoded into out.  Returns 1
 * when found, 0 when absent, -1 when sockguard cannot be sure what dockerd
 * reads: a ';' separator, a malformed escape, a repeated key, an encoded
 * NUL, or a value longer than outlen - 1.
 */
int	docker_query_get(const char *q, size_t qlen, const char *key,
	    char *out, size_t outlen);

#endif
