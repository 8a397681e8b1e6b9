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

/* True if METHOD route takes a JSON body that sockguard buffers whole. */
int	docker_body_is_json(const char *method, const char *route, size_t len);

/* Matches route against a pattern where '*' is exactly one segment. */
int	docker_route_match(const char *pattern, const char *route, size_t len);

#endif
