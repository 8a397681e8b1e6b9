/* Docker Engine API routing facts (see ../shared/docker-api/). */
#include <stdio.h>
#include <string.h>

#include "docker.h"
#include "uri.h"

/* POST routes whose body is JSON that the rules may inspect. */
static const char *json_routes[] = {
	"/containers/create",
	"/containers/*/update",
	"/containers/*/exec",
	"/containers/*/start",
	"/exec/*/start",
	"/services/create",
	"/services/*/update",
	"/volumes/create",
	"/networks/create",
	"/networks/*/connect",
	"/networks/*/disconnect",
	"/auth",
	"/swarm/init",
	"/swarm/join",
	"/swarm/update",
	"/swarm/unlock",
	"/secrets/create",
	"/secrets/*/update",
	"/configs/create",
	"/configs/*/update",
	"/nodes/*/update",
	"/plugins/pull",
	"/plugins/*/upgrade",
	"/plugins/*/set",
	"/commit",
};

/* Routes whose body is a stream (tar, image, context): never buffered. */
static const struct { const char *method, *route; } stream_routes[] = {
	{ "PUT", "/containers/*/archive" },
	{ "POST", "/build" },
	{ "POST", "/images/create" },
	{ "POST", "/images/load" },
	{ "POST", "/plugins/create" },
};

void
docker_split_version(const char *path, size_t len, char *ver, size_t verlen,
    const char **route, size_t *route_len)
{
	size_t	i;

	ver[0] = '\0';
	*route = path;
	*route_len = len;
	if (len < 3 || path[0] != '/' || path[1] != 'v')
		return;
	for (i = 2; i < len && ((path[i] >= '0' && path[i] <= '9') ||
	    path[i] == '.'); i++)
		;
	if (i == 2 || i >= len || path[i] != '/')
		return;
	snprintf(ver, verlen, "%.*s", (int)(i - 2), path + 2);
	*route = path + i;
	*route_len = len - i;
}

int
docker_route_match(const char *pat, const char *route, size_t len)
{
	size_t	i = 0;

	for (; *pat != '\0'; pat++) {
		if (*pat == '*') {
			size_t start = i;

			while (i < len && route[i] != '/')
				i++;
			if (i == start)
				return 0;
			continue;
		}
		if (i >= len || route[i] != *pat)
			return 0;
		i++;
	}
	return i == len;
}

int
docker_takes_body(const char *method, const char *route, size_t len)
{
	size_t	i;

	if (strcmp(method, "PUT") == 0 &&
	    docker_route_match("/volumes/*", route, len))
		return 1;	/* cluster volume update (API 1.42) */
	for (i = 0; i < sizeof(stream_routes) / sizeof(stream_routes[0]); i++)
		if (strcmp(stream_routes[i].method, method) == 0 &&
		    docker_route_match(stream_routes[i].route, route, len))
			return 1;
	return docker_body_is_json(method, route, len);
}

int
docker_body_is_json(const char *method, const char *route, size_t len)
{
	size_t	i;

	if (strcmp(method, "POST") != 0)
		return 0;
	for (i = 0; i < sizeof(json_routes) / sizeof(json_routes[0]); i++)
		if (docker_route_match(json_routes[i], route, len))
			return 1;
	return 0;
}

/* Decodes q[0..n) (query encoding) into out; -1 if malformed or long. */
static int
docker_query_decode(const char *q, size_t n, char *out, size_t outlen)
{
	size_t	i, o = 0;
	int	hi, lo, c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)q[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = uri_hex(q[i + 1])) < 0 ||
			    (lo = uri_hex(q[i + 2])) < 0)
				return -1;
			c = hi * 16 + lo;
			if (c == 0)
				return -1;
			i += 2;
		}
		if (o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

int
docker_query_get(const char *q, size_t qlen, const char *key, char *out,
    size_t outlen)
{
	char	name[128];
	size_t	i, start, eq;
	int	found = 0;

	if (q == NULL)
		return 0;
	if (memchr(q, ';', qlen) != NULL)
		return -1;
	for (start = 0; start <= qlen; start = i + 1) {
		for (i = start; i < qlen && q[i] != '&'; i++)
			;
		if (i == start)
			continue;
		for (eq = start; eq < i && q[eq] != '='; eq++)
			;
		if (docker_query_decode(q + start, eq - start, name,
		    sizeof(name)) == -1)
			return -1;
		if (strcmp(name, key) != 0)
			continue;
		if (found++)
			return -1;
		if (eq == i)
			out[0] = '\0';
		else if (docker_query_decode(q + eq + 1, i - eq - 1, out,
		    outlen) == -1)
			return -1;
	}
	return found ? 1 : 0;
}
