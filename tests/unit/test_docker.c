/*
 * Unit tests for the Docker API facts (docker.c): the /vX.Y prefix, the
 * one-segment '*' of route patterns, which requests carry a body and
 * which a JSON body that sockguard reads whole, and query values read the
 * way dockerd reads them.  Tables; every wrong case is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "docker.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct split_case {
	const char	*path;
	const char	*ver;		/* "" when there is no prefix */
	const char	*route;
};

static const struct split_case split_cases[] = {
	{ "/v1.41/containers/json", "1.41", "/containers/json" },
	{ "/v1.24/_ping", "1.24", "/_ping" },
	{ "/v1/x", "1", "/x" },
	{ "/v1.41/", "1.41", "/" },
	{ "/v1.4.1/x", "1.4.1", "/x" },
	{ "/v/x", "", "/v/x" },
	{ "/version", "", "/version" },
	{ "/v1.41", "", "/v1.41" },		/* no route after it */
	{ "/vabc/x", "", "/vabc/x" },
	{ "/v1x/y", "", "/v1x/y" },
	{ "/v1.41x/y", "", "/v1.41x/y" },
	{ "/V1.41/x", "", "/V1.41/x" },
	{ "/containers/json", "", "/containers/json" },
	{ "/_ping", "", "/_ping" },
	{ "/", "", "/" },
	{ "/v", "", "/v" },
	{ "/v1", "", "/v1" },
	{ "v1.41/x", "", "v1.41/x" },
	{ "/x/v1.41/y", "", "/x/v1.41/y" },
};

/* docker_split_version() table. */
static void
test_split_version(void **state)
{
	const char	*route;
	size_t		 i, rlen, nfail = 0;
	char		 ver[16];

	for (i = 0; i < nitems(split_cases); i++) {
		const struct split_case *c = &split_cases[i];

		memset(ver, 'X', sizeof(ver));
		route = NULL;
		rlen = (size_t)-1;
		docker_split_version(c->path, strlen(c->path), ver,
		    sizeof(ver), &route, &rlen);
		if (memchr(ver, '\0', sizeof(ver)) == NULL ||
		    strcmp(ver, c->ver) != 0 || route == NULL ||
		    route < c->path || route > c->path + strlen(c->path) ||
		    rlen != strlen(c->route) ||
		    memcmp(route, c->route, rlen) != 0) {
			print_error("\"%s\": ver \"%.*s\" route \"%.*s\", want "
			    "\"%s\" \"%s\"\n", c->path, (int)sizeof(ver), ver,
			    route ? (int)rlen : 0, route ? route : "",
			    c->ver, c->route);
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu paths wrong", nfail, nitems(split_cases));
}

/* Only len bytes are looked at: the query is not part of the route. */
static void
test_split_version_len(void **state)
{
	const char	*path = "/v1.41/containers/json?all=1", *route;
	size_t		 rlen;
	char		 ver[16], small[3];

	docker_split_version(path, 22, ver, sizeof(ver), &route, &rlen);
	assert_string_equal(ver, "1.41");
	assert_int_equal(rlen, strlen("/containers/json"));
	assert_memory_equal(route, "/containers/json", rlen);
	/* "/v1.41" of "/v1.41/x": no '/' after the version within len. */
	docker_split_version("/v1.41/x", 6, ver, sizeof(ver), &route, &rlen);
	assert_string_equal(ver, "");
	assert_int_equal(rlen, 6);
	/* A version longer than ver is cut, the route is still split. */
	docker_split_version("/v1.41/x", 8, small, sizeof(small), &route,
	    &rlen);
	assert_string_equal(small, "1.");
	assert_int_equal(rlen, 2);
	assert_memory_equal(route, "/x", 2);
}

struct match_case {
	const char	*pattern;
	const char	*route;
	int		 match;
};

static const struct match_case match_cases[] = {
	{ "/containers/create", "/containers/create", 1 },
	{ "/containers/create", "/containers/create/", 0 },
	{ "/containers/create", "/containers/creat", 0 },
	{ "/containers/create", "/containers/createx", 0 },
	{ "/containers/create", "/Containers/create", 0 },
	{ "/containers/*/exec", "/containers/abc/exec", 1 },
	{ "/containers/*/exec", "/containers/a.b-c_d/exec", 1 },
	{ "/containers/*/exec", "/containers/abc/def/exec", 0 },
	{ "/containers/*/exec", "/containers//exec", 0 },
	{ "/containers/*/exec", "/containers/exec", 0 },
	{ "/containers/*/exec", "/containers/abc/exec/", 0 },
	{ "/containers/*/exec", "/containers/abc/execx", 0 },
	{ "/containers/*", "/containers/abc", 1 },
	{ "/containers/*", "/containers/", 0 },
	{ "/containers/*", "/containers/abc/def", 0 },
	{ "/*/*", "/a/b", 1 },
	{ "/*/*", "/a/", 0 },
	{ "/", "/", 1 },
	{ "/", "", 0 },
};

/* docker_route_match() table. */
static void
test_route_match(void **state)
{
	size_t	i, nfail = 0;
	int	r;

	for (i = 0; i < nitems(match_cases); i++) {
		const struct match_case *c = &match_cases[i];

		r = docker_route_match(c->pattern, c->route,
		    strlen(c->route));
		if (!!r != c->match) {
			print_error("\"%s\" ~ \"%s\": %d, want %d\n",
			    c->pattern, c->route, r, c->match);
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu matches wrong", nfail,
		    nitems(match_cases));
}

/* The route is len bytes, not a C string. */
static void
test_route_match_len(void **state)
{
	assert_true(docker_route_match("/containers/*/exec",
	    "/containers/abc/exec?x", 20));
	assert_false(docker_route_match("/containers/*/exec",
	    "/containers/abc/exec", 19));
	assert_true(docker_route_match("/containers/*",
	    "/containers/abc/def", 15));
}

struct json_case {
	const char	*method;
	const char	*path;		/* with its version prefix */
	int		 json;
};

static const struct json_case json_cases[] = {
	{ "POST", "/containers/create", 1 },
	{ "POST", "/v1.41/containers/create", 1 },
	{ "POST", "/v1.24/containers/create", 1 },
	{ "GET", "/containers/create", 0 },
	{ "PUT", "/containers/create", 0 },
	{ "post", "/containers/create", 0 },
	{ "POST", "/containers/abc/exec", 1 },
	{ "POST", "/v1.41/containers/abc/exec", 1 },
	{ "POST", "/containers/abc/def/exec", 0 },
	{ "POST", "/containers//exec", 0 },
	{ "POST", "/containers/abc/update", 1 },
	{ "POST", "/containers/abc/start", 1 },
	{ "POST", "/containers/abc/wait", 0 },	/* options in the query */
	{ "POST", "/exec/abc/start", 1 },
	{ "POST", "/v1.41/exec/abc/start", 1 },
	{ "POST", "/exec/abc/resize", 0 },
	{ "POST", "/services/create", 1 },
	{ "POST", "/services/abc/update", 1 },
	{ "POST", "/volumes/create", 1 },
	{ "POST", "/networks/create", 1 },
	{ "POST", "/networks/abc/connect", 1 },
	{ "POST", "/networks/abc/disconnect", 1 },
	{ "POST", "/auth", 1 },
	{ "POST", "/swarm/init", 1 },
	{ "POST", "/secrets/create", 1 },
	{ "POST", "/configs/create", 1 },
	{ "POST", "/plugins/pull", 1 },
	{ "POST", "/commit", 1 },
	{ "POST", "/build", 0 },
	{ "POST", "/v1.41/build", 0 },
	{ "POST", "/images/load", 0 },
	{ "POST", "/images/create", 0 },
	{ "POST", "/containers/abc/attach", 0 },
	{ "PUT", "/containers/abc/archive", 0 },
	{ "POST", "/containers/create/x", 0 },
	{ "POST", "/v1.41/v1.41/containers/create", 0 },
	{ "GET", "/_ping", 0 },
	{ "PUT", "/v1.43/volumes/abc", 1 },	/* parsed, not streamed */
	{ "PUT", "/v1.43/volumes/abc/x", 0 },
};

/* docker_body_kind() == JSON on routes after docker_split_version(). */
static void
test_body_is_json(void **state)
{
	const char	*route;
	size_t		 i, rlen, nfail = 0;
	char		 ver[16];
	int		 r;

	for (i = 0; i < nitems(json_cases); i++) {
		const struct json_case *c = &json_cases[i];

		docker_split_version(c->path, strlen(c->path), ver,
		    sizeof(ver), &route, &rlen);
		r = docker_body_kind(c->method, route, rlen) ==
		    DOCKER_BODY_JSON;
		if (!!r != c->json) {
			print_error("%s %s: %d, want %d\n", c->method,
			    c->path, r, c->json);
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu requests wrong", nfail,
		    nitems(json_cases));
}

struct body_case {
	const char	*method;
	const char	*route;
	int		 body;
};

static const struct body_case body_cases[] = {
	{ "PUT", "/containers/abc/archive", 1 },
	{ "POST", "/build", 1 },
	{ "POST", "/images/create", 1 },
	{ "POST", "/images/load", 1 },
	{ "POST", "/plugins/create", 1 },
	{ "PUT", "/volumes/abc", 1 },
	{ "POST", "/containers/create", 1 },
	{ "POST", "/exec/abc/start", 1 },
	{ "POST", "/auth", 1 },
	{ "GET", "/containers/json", 0 },
	{ "GET", "/containers/abc/archive", 0 },
	{ "HEAD", "/containers/abc/archive", 0 },
	{ "POST", "/containers/abc/archive", 0 },
	{ "PUT", "/containers/abc/def/archive", 0 },
	{ "POST", "/containers/abc/kill", 0 },
	{ "POST", "/containers/abc/attach", 0 },
	{ "POST", "/containers/abc/wait", 0 },
	{ "DELETE", "/containers/abc", 0 },
	{ "POST", "/images/abc/push", 0 },
	{ "POST", "/build/prune", 0 },
	{ "PUT", "/volumes", 0 },
	{ "PUT", "/volumes/abc/def", 0 },
	{ "POST", "/volumes/abc", 0 },
	{ "GET", "/_ping", 0 },
};

/* docker_body_kind() != NONE table (routes after the version prefix). */
static void
test_takes_body(void **state)
{
	size_t	i, nfail = 0;
	int	r;

	for (i = 0; i < nitems(body_cases); i++) {
		const struct body_case *c = &body_cases[i];

		r = docker_body_kind(c->method, c->route, strlen(c->route)) !=
		    DOCKER_BODY_NONE;
		if (!!r != c->body) {
			print_error("%s %s: %d, want %d\n", c->method,
			    c->route, r, c->body);
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu routes wrong", nfail, nitems(body_cases));
}

struct query_case {
	const char	*query;		/* NULL: no query at all */
	const char	*key;
	int		 result;
	const char	*value;		/* when result is 1 */
};

static const struct query_case query_cases[] = {
	{ "all=1&filters=x", "all", 1, "1" },
	{ "all=1&filters=x", "filters", 1, "x" },
	{ "all", "all", 1, "" },
	{ "all=", "all", 1, "" },
	{ "a=1&b=2", "c", 0, NULL },
	{ "", "a", 0, NULL },
	{ NULL, "a", 0, NULL },
	{ "a=1&&b=2&", "b", 1, "2" },
	{ "a=x+y%2Fz%20", "a", 1, "x y/z " },
	{ "%61=1", "a", 1, "1" },
	{ "a+b=1", "a b", 1, "1" },
	{ "a=1&A=2", "A", 1, "2" },
	{ "a=1=2", "a", 1, "1=2" },
	{ "ab=1", "a", 0, NULL },
	{ "a=1&b=%zz", "a", 1, "1" },	/* b is not read */
	/* What sockguard cannot be sure dockerd reads the same way. */
	{ "a=1;b=2", "a", -1, NULL },
	{ "a=1&a=2", "a", -1, NULL },
	{ "a=1&%61=2", "a", -1, NULL },
	{ "a=%zz", "a", -1, NULL },
	{ "a=%4", "a", -1, NULL },
	{ "a=%", "a", -1, NULL },
	{ "a=%00", "a", -1, NULL },
	{ "%zz=1&a=2", "a", -1, NULL },
	{ "a=0123456789abcdef", "a", -1, NULL },	/* over outlen */
	{ "a=0123456789abcde", "a", 1, "0123456789abcde" },
};

/* docker_query_get() table, with a 16-byte output buffer. */
static void
test_query_get(void **state)
{
	size_t	i, nfail = 0;
	char	out[16];
	int	r;

	for (i = 0; i < nitems(query_cases); i++) {
		const struct query_case *c = &query_cases[i];

		memset(out, 'X', sizeof(out));
		out[sizeof(out) - 1] = '\0';
		r = docker_query_get(c->query, c->query ? strlen(c->query) : 0,
		    c->key, out, sizeof(out));
		if (r != c->result || (r == 1 && strcmp(out, c->value) != 0)) {
			print_error("\"%s\" [%s]: %d \"%s\", want %d \"%s\"\n",
			    c->query ? c->query : "(null)", c->key, r,
			    r == 1 ? out : "", c->result,
			    c->value ? c->value : "");
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu queries wrong", nfail,
		    nitems(query_cases));
}

/* Only qlen bytes of the query are read. */
static void
test_query_get_len(void **state)
{
	char	out[16];

	assert_int_equal(docker_query_get("a=12&b=3", 3, "a", out,
	    sizeof(out)), 1);
	assert_string_equal(out, "1");
	assert_int_equal(docker_query_get("a=12&b=3", 4, "b", out,
	    sizeof(out)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_version),
		cmocka_unit_test(test_split_version_len),
		cmocka_unit_test(test_route_match),
		cmocka_unit_test(test_route_match_len),
		cmocka_unit_test(test_body_is_json),
		cmocka_unit_test(test_takes_body),
		cmocka_unit_test(test_query_get),
		cmocka_unit_test(test_query_get_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
