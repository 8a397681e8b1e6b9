/*
 * Unit tests for the request-target check (uri.c): a table of targets,
 * each accepted with its path length or refused.  The contract is uri.h:
 * one route only, as dockerd (which decodes before routing) sees it.  Every failing case is
 * reported before the test fails, so one run shows them all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "uri.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* A target (len 0: strlen) and the expected outcome. */
struct uri_case {
	const char	*url;
	size_t		 len;
	int		 ok;
	size_t		 path_len;	/* when ok */
};

#define OK(u, n)	{ u, 0, 1, n }
#define BAD(u)		{ u, 0, 0, 0 }
#define BADN(u)		{ u, sizeof(u) - 1, 0, 0 }

static const struct uri_case uri_cases[] = {
	/* Ordinary Docker API targets. */
	OK("/", 1),
	OK("/_ping", 6),
	OK("/v1.41/containers/json?all=1", 22),
	OK("/v1.41/containers/json?all=1&filters=%7B%22a%22%3A1%7D", 22),
	OK("/images/registry:5000/foo/bar/json", 34),
	OK("/containers/abc/archive?path=%2Fetc%2Fhosts", 23),
	OK("/images/create?fromImage=alpine&tag=3.19", 14),
	OK("/a%20b", 6),
	OK("/a;b=c", 6),
	OK("/a~b_c-d.e", 10),
	OK("/a:b@c", 6),
	/* Escapes of what a path cannot hold plain are fine. */
	OK("/a%25b", 6),
	OK("/a%3Fb", 6),
	OK("/a%23b", 6),
	OK("/a%2Cb%3Bc", 10),
	OK("/caf%C3%A9", 10),
	OK("/a%7Bb%7D", 9),
	/* Dots that are not dot segments. */
	OK("/...", 4),
	OK("/.a", 3),
	OK("/a.", 3),
	OK("/..a", 4),
	OK("/a..", 4),
	OK("/a/.../b", 8),
	/* Query: any escape is fine there but NUL, dots too. */
	OK("/a?x=%41%2e%7E", 2),
	OK("/a?x=%2F", 2),
	OK("/a?x=%2f&y=%5C", 2),
	OK("/a?x=../..//b", 2),
	OK("/?", 1),
	OK("/a?", 2),
	OK("/a??b", 2),
	OK("/a?x=/./", 2),
	/* Not origin-form. */
	BAD(""),
	BAD("x"),
	BAD("*"),
	BAD("http://x/y"),
	BAD("?a"),
	/* Empty segments. */
	BAD("//x"),
	BAD("//"),
	BAD("/a//b"),
	BAD("/a/"),
	BAD("/a/b/"),
	BAD("/a/?x=1"),
	BAD("//?x"),
	/* Dot segments, plain and encoded. */
	BAD("/."),
	BAD("/.."),
	BAD("/./a"),
	BAD("/../a"),
	BAD("/a/./b"),
	BAD("/a/../b"),
	BAD("/a/."),
	BAD("/a/.."),
	BAD("/a/.?x"),
	BAD("/a/..?x"),
	BAD("/%2e%2e/x"),
	BAD("/%2E/x"),
	BAD("/.%2e/x"),
	BAD("/%2e./x"),
	BAD("/%2E%2e"),
	BAD("/a/%2e"),
	/* Escapes of what needs none: dockerd routes them as plain. */
	BAD("/%41"),
	BAD("/a%2e"),
	BAD("/.%2e."),
	BAD("/images/%63reate"),
	BAD("/containers/abc/%61rchive"),
	BAD("/v1%2E41/containers/json"),
	BAD("/a%7e"),
	BAD("/a%7E"),
	BAD("/a%2D"),
	BAD("/a%5F"),
	BAD("/a%30"),
	BAD("/a%3A"),
	BAD("/a%3a"),
	BAD("/a%40"),
	/* Encoded '/', '\' and NUL in the path. */
	BAD("/a%2fb"),
	BAD("/a%2Fb"),
	BAD("/a%5cb"),
	BAD("/a%5Cb"),
	BAD("/a%00"),
	BAD("/a%00b?x"),
	/* Malformed escapes. */
	BAD("/a%zz"),
	BAD("/a%4"),
	BAD("/a%"),
	BAD("/a%g0"),
	BAD("/a%0g"),
	BAD("/a?x=%"),
	BAD("/a?x=%4"),
	BAD("/a?x=%zz"),
	BAD("/a%%41"),
	/* Characters that must be encoded. */
	BAD("/a#frag"),
	BAD("/a?x#frag"),
	BAD("/a b"),
	BAD("/a\\b"),
	BAD("/a?x=\\"),
	BAD("/a\tb"),
	BAD("/a\x7f"),
	BAD("/a\x80"),
	BAD("/a\xc3\xa9"),
	BADN("/a\0b"),
	/* Encoded NUL in the query. */
	BAD("/a?x=%00"),
	BAD("/a?x=1&y=%00"),
};

/* Runs the table; on failure prints every wrong case. */
static void
test_uri_table(void **state)
{
	size_t		 i, len, plen, nfail = 0;
	const char	*why;
	int		 r;

	for (i = 0; i < nitems(uri_cases); i++) {
		const struct uri_case *c = &uri_cases[i];

		len = c->len != 0 ? c->len : strlen(c->url);
		plen = (size_t)-1;
		why = NULL;
		r = uri_check(c->url, len, &plen, &why);
		if (c->ok && r != 0) {
			print_error("\"%.*s\": refused (%s), want accepted\n",
			    (int)len, c->url, why ? why : "no reason");
			nfail++;
		} else if (c->ok && plen != c->path_len) {
			print_error("\"%.*s\": path_len %zu, want %zu\n",
			    (int)len, c->url, plen, c->path_len);
			nfail++;
		} else if (!c->ok && r != -1) {
			print_error("\"%.*s\": accepted (path_len %zu), want "
			    "refused\n", (int)len, c->url, plen);
			nfail++;
		} else if (!c->ok && (why == NULL || *why == '\0')) {
			print_error("\"%.*s\": refused without a reason\n",
			    (int)len, c->url);
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu targets wrong", nfail, nitems(uri_cases));
}

/* Only len bytes are read: a valid prefix of a bad buffer is fine. */
static void
test_uri_len_bound(void **state)
{
	const char	*url = "/a/b//c";
	const char	*why;
	size_t		 plen;

	assert_int_equal(uri_check(url, 4, &plen, &why), 0);
	assert_int_equal(plen, 4);
	assert_int_equal(uri_check(url, 5, &plen, &why), -1);
	/* "/a%2" of "/a%20": the escape is cut by len. */
	assert_int_equal(uri_check("/a%20", 4, &plen, &why), -1);
	assert_int_equal(uri_check("/a%20", 5, &plen, &why), 0);
	assert_int_equal(plen, 5);
}

/* Every single byte after "/a" either passes or fails, never crashes. */
static void
test_uri_all_bytes(void **state)
{
	char		 url[4] = "/a";
	const char	*why;
	size_t		 plen;
	int		 c, r;

	for (c = 0; c < 256; c++) {
		url[2] = (char)c;
		r = uri_check(url, 3, &plen, &why);
		/* RFC 3986 pchar, '?' and '/' minus '/' (empty segment). */
		if (c > 0x20 && c < 0x7f && c != '#' && c != '\\' &&
		    c != '/' && c != '%' && c != '"' && c != '<' &&
		    c != '>' && c != '^' && c != '`' && c != '{' &&
		    c != '|' && c != '}') {
			if (r != 0)
				fail_msg("\"/a\\x%02x\" refused: %s", c, why);
			assert_int_equal(plen, c == '?' ? 2 : 3);
		} else if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\' ||
		    c == '/' || c == '%') {
			if (r != -1)
				fail_msg("\"/a\\x%02x\" accepted", c);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_table),
		cmocka_unit_test(test_uri_len_bound),
		cmocka_unit_test(test_uri_all_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
