/* Docker Engine API routing facts (see ../shared/docker-api/). */
#include <stdio.h>
#include <string.h>

#include "docker.h"

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
	"/containers/*/wait",
	"/commit",
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
