/* Docker Engine API routing facts (see ../shared/docker-api/). */
#include <stdio.h>
#include <string.h>

#include "docker.h"
#include "uri.h"

/* Routes whose body is JSON that the rules inspect: read whole, parsed. */
/* A method and a route pattern. */
struct docker_route {
	const char	*method;
	const char	*route;
};

static const struct docker_route json_routes[] = {
	{ "POST", "/containers/create" },
	{ "POST", "/containers/*/update" },
	{ "POST", "/containers/*/exec" },
	{ "POST", "/containers/*/start" },
	{ "POST", "/exec/*/start" },
	{ "POST", "/services/create" },
	{ "POST", "/services/*/update" },
	{ "POST", "/volumes/create" },
	{ "POST", "/networks/create" },
	{ "POST", "/networks/*/connect" },
	{ "POST", "/networks/*/disconnect" },
	{ "POST", "/auth" },
	{ "POST", "/swarm/init" },
	{ "POST", "/swarm/join" },
	{ "POST", "/swarm/update" },
	{ "POST", "/swarm/unlock" },
	{ "POST", "/secrets/create" },
	{ "POST", "/secrets/*/update" },
	{ "POST", "/configs/create" },
	{ "POST", "/configs/*/update" },
	{ "POST", "/nodes/*/update" },
	{ "POST", "/plugins/pull" },
	{ "POST", "/plugins/*/upgrade" },
	{ "POST", "/plugins/*/set" },
	{ "POST", "/commit" },
	{ "PUT", "/volumes/*" },		/* cluster volume update (API 1.42) */
};

/* Routes whose body is a stream (tar, image, context): never buffered. */
static const struct docker_route stream_routes[] = {
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

/* True if METHOD route matches an entry of a method/route table. */
static int
docker_route_in(const char *method, const char *route, size_t len,
    const struct docker_route *t, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].method, method) == 0 &&
		    docker_route_match(t[i].route, route, len))
			return 1;
	return 0;
}

enum docker_body
docker_body_kind(const char *method, const char *route, size_t len)
{
	if (docker_route_in(method, route, len, json_routes,
	    sizeof(json_routes) / sizeof(json_routes[0])))
		return DOCKER_BODY_JSON;
	if (docker_route_in(method, route, len, stream_routes,
	    sizeof(stream_routes) / sizeof(stream_routes[0])))
		return DOCKER_BODY_STREAM;
	return DOCKER_BODY_NONE;
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
