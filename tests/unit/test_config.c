/*
 * Unit tests for the configuration loader (config.c): the example file,
 * the defaults, every key with its errors, and the "NAME:LINE:COL:" prefix
 * of every message; reap_on_exit with the label the rules give it.  Most
 * tests are tables of YAML texts.
 *
 * Fixed bugs stay as regression cases in known_bugs[] at the end.
 */
#include <arpa/inet.h>
#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "owner.h"
#include "reap.h"
#include "rules.h"

#define NAME		"t.yaml"
#define EXAMPLE		"sockguard.example.yaml"

/* Lines 1-2 of most inputs; with RULES, the smallest valid file. */
#define LISTEN		"listen:\n  - unix: /run/sg.sock\n"
#define RULES		"rules: /etc/sockguard/rules.yaml\n"
#define MIN		LISTEN RULES

/* A buffer that may hold NUL bytes, for the tables. */
#define BUF(s)		s, sizeof(s) - 1

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* An input that must be refused: where the message points, what it says. */
struct bad {
	const char	*yaml;
	size_t		 len;		/* 0: strlen(yaml) */
	const char	*where;		/* "LINE:COL"; NULL: no position */
	const char	*msg;		/* a part of the message */
};

/* Parses len bytes (strlen(text) if 0) as file NAME. */
static int
parse(const char *text, size_t len, struct config **cf, char *err,
    size_t errlen)
{
	if (len == 0)
		len = strlen(text);
	return config_parse(NAME, (const unsigned char *)text, len, cf, err,
	    errlen);
}

/* Asserts that text is accepted and returns its config. */
static struct config *
parse_ok(const char *text)
{
	struct config	*cf;
	char		 err[1024] = "";

	if (parse(text, 0, &cf, err, sizeof(err)) != 0)
		fail_msg("refused: %s\n--- input:\n%s---", err, text);
	assert_non_null(cf);
	return cf;
}

/* Checks that err reads "NAME:LINE:COL: " with decimal LINE and COL. */
static int
has_position(const char *err)
{
	const char	*p;
	int		 i;

	if (strncmp(err, NAME ":", strlen(NAME ":")) != 0)
		return 0;
	p = err + strlen(NAME ":");
	for (i = 0; i < 2; i++) {
		if (!isdigit((unsigned char)*p) || *p == '0')
			return 0;
		while (isdigit((unsigned char)*p))
			p++;
		if (*p++ != ':')
			return 0;
	}
	return *p == ' ';
}

/* Checks that b is refused as it says; else writes why and returns -1. */
static int
check_bad(const struct bad *b, char *why, size_t whylen)
{
	struct config	*cf = (struct config *)&cf;
	char		 err[1024] = "", prefix[64];

	if (parse(b->yaml, b->len, &cf, err, sizeof(err)) != -1) {
		config_free(cf);
		snprintf(why, whylen, "accepted");
		return -1;
	}
	if (cf != NULL) {
		snprintf(why, whylen, "*out is not NULL on failure");
		return -1;
	}
	if (b->where != NULL) {
		snprintf(prefix, sizeof(prefix), "%s:%s: ", NAME, b->where);
		if (!has_position(err)) {
			snprintf(why, whylen, "no NAME:LINE:COL: in \"%s\"",
			    err);
			return -1;
		}
	} else
		snprintf(prefix, sizeof(prefix), "%s: ", NAME);
	if (strncmp(err, prefix, strlen(prefix)) != 0 ||
	    strstr(err, b->msg) == NULL) {
		snprintf(why, whylen, "want \"%s...%s...\"\n got \"%s\"",
		    prefix, b->msg, err);
		return -1;
	}
	return 0;
}

/* Runs a table of refused inputs. */
static void
run_bad(const struct bad *t, size_t n)
{
	char	why[2048];
	size_t	i;

	for (i = 0; i < n; i++) {
		if (check_bad(&t[i], why, sizeof(why)) == -1)
			fail_msg("case %zu: %s\n--- input:\n%s---", i, why,
			    t[i].yaml);
	}
}

/* Returns a copy of s with every from replaced by to. */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char	*p;
	char		*out, *o;
	size_t		 n = 0;

	for (p = s; (p = strstr(p, from)) != NULL; p += strlen(from))
		n++;
	out = o = malloc(strlen(s) + n * strlen(to) + 1);
	assert_non_null(out);
	while ((p = strstr(s, from)) != NULL) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, strlen(to));
		o += strlen(to);
		s = p + strlen(from);
	}
	strcpy(o, s);
	return out;
}

/* Reads a whole file, NUL-terminated. */
static char *
slurp(const char *path)
{
	FILE	*fp;
	char	*buf;
	long	 len;

	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("%s: %s (run the tests from the repository root)",
		    path, strerror(errno));
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	assert_true((len = ftell(fp)) >= 0);
	rewind(fp);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

/* Writes len bytes to a new temporary file and returns its path. */
static char *
write_temp(const char *buf, size_t len)
{
	const char	*dir;
	char		*path;
	int		 fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	assert_true(asprintf(&path, "%s/test_config.XXXXXX", dir) != -1);
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	return path;
}

/* The example file with its placeholders, as `make run` fills them. */
static char *
example_text(void)
{
	char	*raw, *tmp, *text;

	raw = slurp(EXAMPLE);
	tmp = replace(raw, "@UPSTREAM@", "/var/run/docker.sock");
	free(raw);
	raw = replace(tmp, "@LISTEN@", "/run/sockguard/docker.sock");
	text = replace(raw, "@RULES@", "/etc/sockguard/rules.yaml");
	free(raw);
	free(tmp);
	return text;
}

/* Asserts two limits are equal field by field (for readable failures). */
static void
assert_limits_equal(const struct limits *a, const struct limits *b)
{
	assert_int_equal(a->max_connections, b->max_connections);
	assert_int_equal(a->max_request_line, b->max_request_line);
	assert_int_equal(a->max_header_bytes, b->max_header_bytes);
	assert_int_equal(a->max_headers, b->max_headers);
	assert_int_equal(a->max_inspect_body, b->max_inspect_body);
	assert_int_equal(a->header_timeout_ms, b->header_timeout_ms);
	assert_int_equal(a->idle_timeout_ms, b->idle_timeout_ms);
	assert_int_equal(a->drain_timeout_ms, b->drain_timeout_ms);
	assert_int_equal(a->handshake_timeout_ms, b->handshake_timeout_ms);
	assert_int_equal(a->max_pending_upstream, b->max_pending_upstream);
	assert_int_equal(a->upstream_timeout_ms, b->upstream_timeout_ms);
}

/* The example configuration parses and states the defaults it claims. */
static void
test_example(void **state)
{
	struct config	*cf, *min;
	char		*text;

	text = example_text();
	cf = parse_ok(text);
	assert_string_equal(cf->file, NAME);
	assert_string_equal(cf->upstream, "/var/run/docker.sock");
	assert_int_equal(cf->nlisten, 1);
	assert_int_equal(cf->listen[0].kind, LISTEN_UNIX);
	assert_string_equal(cf->listen[0].path, "/run/sockguard/docker.sock");
	assert_string_equal(cf->listen[0].name, "local");
	assert_int_equal(cf->listen[0].mode, 0660);
	assert_false(cf->listen[0].has_owner);
	assert_false(cf->listen[0].has_group);
	assert_null(cf->listen[0].addr);
	assert_string_equal(cf->rules, "/etc/sockguard/rules.yaml");
	assert_null(cf->audit_path);
	/* "the values below are the defaults" */
	min = parse_ok(MIN);
	assert_limits_equal(&cf->limits, &min->limits);
	config_free(min);
	config_free(cf);
	free(text);
}

/* The example with its @...@ placeholders left in is not valid YAML. */
static void
test_example_placeholders(void **state)
{
	struct config	*cf = NULL;
	char		*text, err[1024] = "";

	text = slurp(EXAMPLE);
	assert_int_equal(parse(text, 0, &cf, err, sizeof(err)), -1);
	assert_null(cf);
	assert_true(has_position(err));
	free(text);
}

/* The smallest file (listen and rules): every default. */
static void
test_defaults(void **state)
{
	struct config	*cf;

	cf = parse_ok(MIN);
	assert_string_equal(cf->file, NAME);
	assert_string_equal(cf->upstream, "/var/run/docker.sock");
	assert_string_equal(cf->rules, "/etc/sockguard/rules.yaml");
	assert_null(cf->audit_path);
	assert_int_equal(cf->nlisten, 1);
	assert_int_equal(cf->listen[0].kind, LISTEN_UNIX);
	assert_string_equal(cf->listen[0].path, "/run/sg.sock");
	assert_null(cf->listen[0].name);
	assert_null(cf->listen[0].addr);
	assert_int_equal(cf->listen[0].mode, 0600);
	assert_false(cf->listen[0].has_owner);
	assert_false(cf->listen[0].has_group);
	assert_null(cf->listen[0].reap_owner);
	assert_null(cf->listen[0].reap_label);
	assert_int_equal(cf->limits.max_connections, 1024);
	assert_int_equal(cf->limits.max_request_line, 16 * 1024);
	assert_int_equal(cf->limits.max_header_bytes, 64 * 1024);
	assert_int_equal(cf->limits.max_headers, 100);
	assert_int_equal(cf->limits.max_inspect_body, 1024 * 1024);
	assert_int_equal(cf->limits.header_timeout_ms, 15000);
	assert_int_equal(cf->limits.idle_timeout_ms, 120000);
	assert_int_equal(cf->limits.drain_timeout_ms, 10000);
	assert_true(cf->sandbox);
	assert_int_equal(cf->limits.max_pending_upstream, 256);
	assert_int_equal(cf->limits.upstream_timeout_ms, 600000);
	config_free(cf);
}

/* sandbox: a boolean, on unless the file says false. */
static void
test_sandbox(void **state)
{
	static const struct bad t[] = {
		{ LISTEN "sandbox: maybe\n", 0, "3:10",
		    "sandbox must be true or false" },
		{ LISTEN "sandbox: [true]\n", 0, "3:10",
		    "sandbox must be a scalar" },
	};
	struct config	*cf;

	cf = parse_ok(MIN "sandbox: false\n");
	assert_false(cf->sandbox);
	config_free(cf);
	cf = parse_ok(MIN "sandbox: true\n");
	assert_true(cf->sandbox);
	config_free(cf);
	run_bad(t, nitems(t));
}

/* Every key at once, in block and in flow style. */
static void
test_every_key(void **state)
{
	static const char *texts[] = {
		"upstream: /run/docker.sock\n"
		"rules: /etc/sockguard/rules.yaml\n"
		"audit:\n"
		"  path: /var/log/sockguard/audit.log\n"
		"listen:\n"
		"  - unix: /run/sg/a.sock\n"
		"    name: a\n"
		"    mode: \"0640\"\n"
		"    owner: root\n"
		"    group: \"0\"\n"
		"    reap_on_exit: \"job-${listener}\"\n"
		"  - name: b\n"
		"    unix: /run/sg/b.sock\n"
		"limits:\n"
		"  max_connections: 10\n"
		"  max_request_line: 1KiB\n"
		"  max_header_bytes: 2KiB\n"
		"  max_headers: 20\n"
		"  max_inspect_body: 3MiB\n"
		"  header_timeout: 500ms\n"
		"  idle_timeout: 1h\n"
		"  drain_timeout: 30\n"
		"  max_pending_upstream: 7\n"
		"  upstream_timeout: 90s\n",
		"{upstream: /run/docker.sock, rules: /etc/sockguard/rules.yaml,"
		" audit: {path: /var/log/sockguard/audit.log},"
		" listen: [{unix: /run/sg/a.sock, name: a, mode: '0640',"
		" owner: '0', group: root, reap_on_exit: 'job-${listener}'},"
		" {name: b, unix: /run/sg/b.sock}],"
		" limits: {max_connections: 10, max_request_line: 1KiB,"
		" max_header_bytes: 2KiB, max_headers: 20,"
		" max_inspect_body: 3MiB, header_timeout: 500ms,"
		" idle_timeout: 1h, drain_timeout: 30,"
		" max_pending_upstream: 7, upstream_timeout: 90s}}\n",
	};
	struct config	*cf;
	size_t		 i;

	for (i = 0; i < nitems(texts); i++) {
		cf = parse_ok(texts[i]);
		assert_string_equal(cf->upstream, "/run/docker.sock");
		assert_string_equal(cf->rules, "/etc/sockguard/rules.yaml");
		assert_string_equal(cf->audit_path,
		    "/var/log/sockguard/audit.log");
		assert_int_equal(cf->nlisten, 2);
		assert_string_equal(cf->listen[0].path, "/run/sg/a.sock");
		assert_string_equal(cf->listen[0].name, "a");
		assert_int_equal(cf->listen[0].mode, 0640);
		assert_true(cf->listen[0].has_owner);
		assert_int_equal(cf->listen[0].owner, 0);
		assert_true(cf->listen[0].has_group);
		assert_int_equal(cf->listen[0].group, 0);
		assert_string_equal(cf->listen[0].reap_owner, "job-a");
		assert_string_equal(cf->listen[1].path, "/run/sg/b.sock");
		assert_null(cf->listen[1].reap_owner);
		assert_string_equal(cf->listen[1].name, "b");
		assert_int_equal(cf->listen[1].mode, 0600);
		assert_false(cf->listen[1].has_owner);
		assert_false(cf->listen[1].has_group);
		assert_int_equal(cf->limits.max_connections, 10);
		assert_int_equal(cf->limits.max_request_line, 1024);
		assert_int_equal(cf->limits.max_header_bytes, 2048);
		assert_int_equal(cf->limits.max_headers, 20);
		assert_int_equal(cf->limits.max_inspect_body, 3 * 1024 * 1024);
		assert_int_equal(cf->limits.header_timeout_ms, 500);
		assert_int_equal(cf->limits.idle_timeout_ms, 3600000);
		assert_int_equal(cf->limits.drain_timeout_ms, 30000);
		assert_int_equal(cf->limits.max_pending_upstream, 7);
		assert_int_equal(cf->limits.upstream_timeout_ms, 90000);
		config_free(cf);
	}
}

/* Other accepted files: later values win, aliases, comments, a BOM. */
static void
test_accepted(void **state)
{
	static const struct {
		const char	*yaml;
		const char	*upstream;
		const char	*path;
	} t[] = {
		{ "upstream: /a\nupstream: /b\n" MIN, "/b", "/run/sg.sock" },
		{ "upstream: &p /run/d.sock\nrules: *p\n" LISTEN,
		    "/run/d.sock", "/run/sg.sock" },
		{ "# comment\n\n" MIN "# end\n", "/var/run/docker.sock",
		    "/run/sg.sock" },
		{ "\xef\xbb\xbf" MIN, "/var/run/docker.sock",
		    "/run/sg.sock" },
		{ "---\n" MIN "...\n", "/var/run/docker.sock",
		    "/run/sg.sock" },
		{ "listen:\n- unix: '/run/a b.sock'\n" RULES,
		    "/var/run/docker.sock", "/run/a b.sock" },
		{ "listen:\n  - unix: \"/run/\\u00e9.sock\"\n" RULES,
		    "/var/run/docker.sock", "/run/\xc3\xa9.sock" },
		{ "listen:\n  - unix: !!str /run/t.sock\n" RULES,
		    "/var/run/docker.sock", "/run/t.sock" },
		{ "upstream: /" "123456789012345678901234567890123456789012345"
		    "678901234567890123456789012345678901234567890123456789012"
		    "3456\n" MIN, "/" "12345678901234567890123456789012345"
		    "678901234567890123456789012345678901234567890123456789012"
		    "34567890123456", "/run/sg.sock" },	/* 107 bytes */
	};
	struct config	*cf;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		cf = parse_ok(t[i].yaml);
		assert_string_equal(cf->upstream, t[i].upstream);
		assert_string_equal(cf->listen[0].path, t[i].path);
		config_free(cf);
	}
}

/* The document itself: empty, wrong type, unknown keys, bad keys. */
static void
test_top_level(void **state)
{
	static const struct bad t[] = {
		{ "", 0, NULL, "the file is empty" },
		{ "# only a comment\n", 0, NULL, "the file is empty" },
		{ "---\n", 0, "2:1", "the top level must be a mapping" },
		{ "- unix: /a\n", 0, "1:1", "the top level must be a mapping" },
		{ "hello\n", 0, "1:1", "the top level must be a mapping" },
		{ "# c\n\nupstreams: /a\n" LISTEN, 0, "3:1",
		    "unknown key \"upstreams\" (expected upstream, listen" },
		{ LISTEN "Limits: {}\n", 0, "3:1", "unknown key \"Limits\"" },
		{ "[a]: b\n", 0, "1:1", "a key must be a scalar" },
		{ "? {a: b}\n: c\n", 0, "1:3", "a key must be a scalar" },
		{ LISTEN "upstream:\n", 0, "3:10",
		    "upstream must not be empty" },
		{ "upstream: ''\n" LISTEN, 0, "1:11",
		    "upstream must not be empty" },
		{ "upstream: [/a]\n" LISTEN, 0, "1:11",
		    "upstream must be a scalar" },
		{ "upstream: {a: b}\n" LISTEN, 0, "1:11",
		    "upstream must be a scalar" },
		{ "upstream: run/docker.sock\n" LISTEN, 0, "1:11",
		    "upstream \"run/docker.sock\" must be an absolute path" },
		{ "upstream: ~\n" LISTEN, 0, "1:11",
		    "upstream \"~\" must be an absolute path" },
		{ "upstream: /" "1234567890123456789012345678901234567890123456"
		    "7890123456789012345678901234567890123456789012345678901234"
		    "567\n" LISTEN, 0, "1:11",
		    "upstream path is longer than a socket address holds" },
		{ LISTEN, 0, "1:1", "rules: a rules file is required" },
		{ "# c\n" LISTEN "upstream: /run/d.sock\n", 0, "2:1",
		    "rules: a rules file is required" },
		{ LISTEN "rules: ''\n", 0, "3:8", "rules must not be empty" },
		{ LISTEN "rules:\n", 0, "3:7", "rules must not be empty" },
		{ LISTEN "rules: [a]\n", 0, "3:8", "rules must be a scalar" },
		{ LISTEN "audit: /var/log/a\n", 0, "3:8",
		    "audit must be a mapping" },
		{ LISTEN "audit:\n", 0, "3:7", "audit must be a mapping" },
		{ LISTEN "audit: [path]\n", 0, "3:8",
		    "audit must be a mapping" },
		{ LISTEN "audit:\n  file: /a\n", 0, "4:3",
		    "unknown audit key \"file\"" },
		{ LISTEN "audit:\n  path: ''\n", 0, "4:9",
		    "path must not be empty" },
		{ LISTEN "audit:\n  path: {a: b}\n", 0, "4:9",
		    "path must be a scalar" },
		{ LISTEN "audit: {[p]: /a}\n", 0, "3:9",
		    "a key must be a scalar" },
		{ LISTEN "limits: []\n", 0, "3:9", "limits must be a mapping" },
		{ LISTEN "limits:\n", 0, "3:8", "limits must be a mapping" },
		{ LISTEN "limits:\n  max_conns: 5\n", 0, "4:3",
		    "unknown limits key \"max_conns\"" },
		{ LISTEN "limits:\n  header_timeout_ms: 5\n", 0, "4:3",
		    "unknown limits key \"header_timeout_ms\"" },
		{ LISTEN "limits:\n  [a]: 5\n", 0, "4:3",
		    "a key must be a scalar" },
		{ LISTEN "limits:\n  max_inspect_body: [1MiB]\n", 0, "4:21",
		    "max_inspect_body must be a scalar" },
		{ LISTEN "limits:\n  header_timeout: {a: b}\n", 0, "4:19",
		    "header_timeout must be a scalar" },
		{ LISTEN "limits:\n  max_pending_upstream: 0\n", 0, "4:25",
		    "max_pending_upstream: \"0\" is not a size between 1 and "
		    "1000000" },
		{ LISTEN "limits:\n  max_pending_upstream: 1000001\n", 0,
		    "4:25", "is not a size between 1 and 1000000" },
		{ LISTEN "limits:\n  upstream_timeout: 0s\n", 0, "4:21",
		    "upstream_timeout: \"0s\" is not a duration" },
		{ LISTEN "limits:\n  upstream_timeout: soon\n", 0, "4:21",
		    "upstream_timeout: \"soon\" is not a duration" },
	};

	run_bad(t, nitems(t));
}

/* listen: the list itself. */
static void
test_listen_list(void **state)
{
	static const struct bad t[] = {
		{ "upstream: /run/d.sock\n", 0, "1:1",
		    "listen: at least one listener is required" },
		{ "listen: []\n", 0, "1:9",
		    "listen must name at least one listener" },
		{ "listen:\n", 0, "1:8", "listen must be a list of listeners" },
		{ "listen: /run/sg.sock\n", 0, "1:9",
		    "listen must be a list of listeners" },
		{ "listen:\n  unix: /run/sg.sock\n", 0, "2:3",
		    "listen must be a list of listeners" },
		{ LISTEN "listen:\n  - unix: /run/b.sock\n", 0, "3:1",
		    "listen is given twice" },
		{ "listen:\n  - unix: /run/a.sock\n  - unix: /run/a.sock\n", 0,
		    "3:5", "listener /run/a.sock is given twice" },
		{ "listen:\n  - unix: /run/a.sock\n    name: x\n"
		    "  - unix: /run/b.sock\n    name: x\n", 0, "4:5",
		    "listener name x is given twice" },
		{ "listen: [{unix: /a}, {unix: /b}, {unix: /a}]\n", 0, "1:34",
		    "listener /a is given twice" },
		{ "listen: [&l {unix: /a}, *l]\n", 0, "1:10",
		    "listener /a is given twice" },
	};

	run_bad(t, nitems(t));
}

/* listen: one entry, its kind, path and keys. */
static void
test_listen_entry(void **state)
{
	static const struct bad t[] = {
		{ "listen:\n  - /run/sg.sock\n", 0, "2:5",
		    "a listen entry must be a mapping" },
		{ "listen:\n  - [unix, /a]\n", 0, "2:5",
		    "a listen entry must be a mapping" },
		{ "listen:\n  - name: a\n", 0, "2:5",
		    "a listen entry needs unix: PATH" },
		{ "listen:\n  - {}\n", 0, "2:5",
		    "a listen entry needs unix: PATH" },
		{ "listen:\n  - unix: run/sg.sock\n", 0, "2:11",
		    "unix: \"run/sg.sock\" must be an absolute path" },
		{ "listen:\n  - unix: ./sg.sock\n", 0, "2:11",
		    "must be an absolute path" },
		{ "listen:\n  - unix: ''\n", 0, "2:11",
		    "unix must not be empty" },
		{ "listen:\n  - unix:\n", 0, "2:10", "unix must not be empty" },
		{ "listen:\n  - unix: [/a]\n", 0, "2:11",
		    "unix must be a scalar" },
		{ "listen:\n  - unix: /" "12345678901234567890123456789012345"
		    "6789012345678901234567890123456789012345678901234567890123"
		    "4567890123456789\n", 0, "2:11",
		    "unix: path is longer than a socket address holds" },
		{ "listen:\n  - unix: /a\n    unix: /b\n", 0, "3:5",
		    "a listen entry takes one of unix: or tcp:, once" },
		{ "listen:\n  - unix: /a\n    tcp: 127.0.0.1:2375\n", 0, "3:5",
		    "a listen entry takes one of unix: or tcp:, once" },
		{ "listen:\n  - tcp: 127.0.0.1:2375\n", 0, "2:5",
		    "tcp: 127.0.0.1:2375 has no tls: block; sockguard never "
		    "serves the Docker API over a network without mutual TLS" },
		{ "listen:\n  - tcp: 0.0.0.0:2376\n    name: net\n", 0, "2:5",
		    "has no tls: block" },
		{ "listen:\n  - tcp: 0.0.0.0:2376\n    tls: {cert: c, key: k}\n",
		    0, "3:10", "tls needs cert, key and client_ca" },
		{ "listen:\n  - tcp: 0.0.0.0:2376\n    tls: {cert: c, key: k, "
		    "ca: x}\n", 0, "3:28", "unknown tls key \"ca\"" },
		{ "listen:\n  - tcp: 0.0.0.0:2376\n    tls: {cert: c, cert: d}\n",
		    0, "3:20", "tls: cert is given twice" },
		{ "listen:\n  - tcp: 0.0.0.0:2376\n    tls: [c]\n", 0, "3:10",
		    "tls must be a mapping" },
		{ "listen:\n  - tcp: 0.0.0.0:2376\n    mode: '0660'\n    "
		    "tls: {cert: c, key: k, client_ca: a}\n", 0, "3:5",
		    "mode, owner and group apply to unix: listeners only" },
		{ "listen:\n  - unix: /a\n    tls: {cert: c, key: k, "
		    "client_ca: a}\n", 0, "3:5",
		    "tls: applies to tcp: listeners only" },
		{ "listen:\n  - tcp: localhost:2376\n", 0, "2:10",
		    "is not HOST:PORT with a numeric address" },
		{ "listen:\n  - tcp: '::1:2376'\n", 0, "2:10",
		    "is not HOST:PORT" },
		{ "listen:\n  - tcp: '[127.0.0.1]:2376'\n", 0, "2:10",
		    "is not HOST:PORT" },
		{ "listen:\n  - tcp: '0.0.0.0:0'\n", 0, "2:10",
		    "is not HOST:PORT" },
		{ "listen:\n  - tcp: '0.0.0.0:65536'\n", 0, "2:10",
		    "is not HOST:PORT" },
		{ "listen:\n  - tcp: '0.0.0.0:+80'\n", 0, "2:10",
		    "is not HOST:PORT" },
		{ "listen:\n  - tcp: ':2376'\n", 0, "2:10",
		    "is not HOST:PORT" },
		{ "listen:\n  - tcp: ''\n", 0, "2:10",
		    "tcp must not be empty" },
		{ "listen:\n  - unix: /a\n    path: /b\n", 0, "3:5",
		    "unknown listen key \"path\" (expected unix or tcp, name, mode" },
		{ "listen:\n  - unix: /a\n    Mode: '0660'\n", 0, "3:5",
		    "unknown listen key \"Mode\"" },
		{ "listen:\n  - unix: /a\n    [k]: v\n", 0, "3:5",
		    "a key must be a scalar" },
		{ "listen:\n  - unix: /a\n    name: ''\n", 0, "3:11",
		    "name must not be empty" },
		{ "listen:\n  - unix: /a\n    name: [x]\n", 0, "3:11",
		    "name must be a scalar" },
		{ "listen:\n  - unix: /a\n    owner: [root]\n", 0, "3:12",
		    "owner must be a scalar" },
		{ "listen:\n  - unix: /a\n    group: {a: b}\n", 0, "3:12",
		    "group must be a scalar" },
		{ "listen:\n  - unix: /a\n    mode: [0660]\n", 0, "3:11",
		    "mode must be a scalar" },
	};
	static const char *ok_paths[] = {
		"/",
		"/run/sg.sock",
		/* 107 bytes: the most sun_path holds with its NUL */
		"/" "1234567890123456789012345678901234567890123456789012345678"
		"901234567890123456789012345678901234567890123456",
	};
	struct config	*cf;
	char		*text;
	size_t		 i;

	run_bad(t, nitems(t));
	for (i = 0; i < nitems(ok_paths); i++) {
		assert_true(asprintf(&text, "listen:\n  - unix: %s\n" RULES,
		    ok_paths[i]) != -1);
		cf = parse_ok(text);
		assert_string_equal(cf->listen[0].path, ok_paths[i]);
		config_free(cf);
		free(text);
	}
	assert_int_equal(strlen(ok_paths[2]), 107);
}

/*
 * reap_on_exit: a literal owner or one made with ${listener} (the name,
 * wherever it is written in the entry), checked like `sockguard reap
 * OWNER`; the variables of a client are refused, where they are written.
 */
static void
test_reap_on_exit(void **state)
{
	static const struct {
		const char	*entry;		/* after "listen:\n  - " */
		const char	*want;
	} ok[] = {
		{ "unix: /a\n    name: job-41\n    reap_on_exit: \"${listener}\"\n",
		    "job-41" },
		/* the name may come after it */
		{ "reap_on_exit: \"${listener}\"\n    unix: /a\n    name: j\n",
		    "j" },
		{ "{unix: /a, name: b, reap_on_exit: 'ci/${listener}+${listener}'}\n",
		    "ci/b+b" },
		/* a literal needs no name */
		{ "unix: /a\n    reap_on_exit: ci-7\n", "ci-7" },
		{ "unix: /a\n    reap_on_exit: A.b_c@d:e/f+g-h\n",
		    "A.b_c@d:e/f+g-h" },
		{ "tcp: 127.0.0.1:2376\n    name: remote\n    tls: {cert: c, "
		    "key: k, client_ca: a}\n    reap_on_exit: \"${listener}\"\n",
		    "remote" },
	};
	static const struct bad t[] = {
		{ LISTEN "    reap_on_exit: \"${listener}\"\n", 0, "3:19",
		    "reap_on_exit: ${listener} needs the listener to have a "
		    "name" },
		{ LISTEN "    name: a\n    reap_on_exit: \"${uid}\"\n", 0, "4:19",
		    "reap_on_exit: ${uid} differs from client to client (run "
		    "`sockguard reap OWNER` for such owners); only ${listener} "
		    "may be used here" },
		{ LISTEN "    reap_on_exit: \"ci-${gid}\"\n", 0, "3:19",
		    "${gid} differs from client to client" },
		{ LISTEN "    name: a\n    reap_on_exit: \"${listener}-${cert_cn}\"\n",
		    0, "4:19", "${cert_cn} differs from client to client" },
		{ LISTEN "    reap_on_exit: \"${cert_fingerprint}\"\n", 0, "3:19",
		    "${cert_fingerprint} differs" },
		{ LISTEN "    reap_on_exit: \"${cert_serial}\"\n", 0, "3:19",
		    "${cert_serial} differs" },
		{ LISTEN "    reap_on_exit: \"${job}\"\n", 0, "3:19",
		    "reap_on_exit: ${job} is not a variable; only ${listener}" },
		{ LISTEN "    name: a\n    reap_on_exit: \"${listener\"\n", 0,
		    "4:19", "an unclosed ${" },
		{ LISTEN "    reap_on_exit: job 41\n", 0, "3:19",
		    "the owner value \"job 41\" is refused: an owner is made of "
		    "letters, digits and ._@:/+- only; byte 4 is not" },
		{ LISTEN "    reap_on_exit: a=b\n", 0, "3:19",
		    "\"a=b\" is refused" },
		{ LISTEN "    reap_on_exit: job-$x\n", 0, "3:19",
		    "\"job-$x\" is refused" },
		{ LISTEN "    reap_on_exit: ''\n", 0, "3:19",
		    "\"\" is refused: an owner is 1 to 128 bytes" },
		/* the name is fine for rules, not as an owner */
		{ LISTEN "    name: 'job 41'\n    reap_on_exit: \"${listener}\"\n",
		    0, "4:19", "\"job 41\" is refused" },
		{ LISTEN "    reap_on_exit: [a]\n", 0, "3:19",
		    "reap_on_exit must be a scalar" },
		{ LISTEN "    reap_on_exit: a\n    reap_on_exit: b\n", 0, "4:5",
		    "reap_on_exit is given twice" },
		{ LISTEN "    reap_on_exit: " "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", 0, "3:19",
		    "longer than 128 bytes" },
	};
	struct config	*cf;
	char		*text, big[OWNER_MAX + 1];
	size_t		 i;

	for (i = 0; i < nitems(ok); i++) {
		assert_true(asprintf(&text, "listen:\n  - %s" RULES,
		    ok[i].entry) != -1);
		cf = parse_ok(text);
		assert_non_null(cf->listen[0].reap_owner);
		assert_string_equal(cf->listen[0].reap_owner, ok[i].want);
		assert_null(cf->listen[0].reap_label);
		assert_true(cf->listen[0].reap_line >= 2);
		assert_true(cf->listen[0].reap_col >= 5);
		config_free(cf);
		free(text);
	}
	run_bad(t, nitems(t));
	/* 128 bytes is the most, as for `sockguard reap` */
	memset(big, 'x', OWNER_MAX);
	big[OWNER_MAX] = '\0';
	assert_true(asprintf(&text, LISTEN "    reap_on_exit: %s\n" RULES,
	    big) != -1);
	cf = parse_ok(text);
	assert_string_equal(cf->listen[0].reap_owner, big);
	config_free(cf);
	free(text);
}

/*
 * The label reap_on_exit reaps by comes from the rules, as for `sockguard
 * reap` without -l: the profiles' one label, the default without
 * ownership, and a refusal (naming the key's place) when they disagree.
 */
static void
test_reap_on_exit_label(void **state)
{
	static const struct {
		const char	*profiles;
		const char	*want;		/* NULL: refused */
	} cases[] = {
		{ "  p: {ownership: {label: com.example.job, owner: "
		    "\"${listener}\"}}\n  q: {}\n", "com.example.job" },
		{ "  p: {ownership: {owner: \"${listener}\"}}\n",
		    OWNER_DEFAULT_LABEL },
		/* no ownership at all: the default (and a warning) */
		{ "  p: {}\n", OWNER_DEFAULT_LABEL },
		{ "  p: {ownership: {label: a.b, owner: \"${listener}\"}}\n"
		    "  q: {ownership: {label: a.b, owner: \"ci-${uid}\"}}\n",
		    "a.b" },
		{ "  p: {ownership: {label: a.b, owner: \"${listener}\"}}\n"
		    "  q: {ownership: {label: a.c, owner: \"${listener}\"}}\n",
		    NULL },
		{ "  p: {ownership: {owner: \"${listener}\"}}\n"
		    "  q: {ownership: {label: a.b, owner: \"${listener}\"}}\n",
		    NULL },
	};
	static const char conf[] =
	    "listen:\n"
	    "  - {unix: /a, name: plain}\n"
	    "  - unix: /b\n"
	    "    name: job-b\n"
	    "    reap_on_exit: \"${listener}\"\n"
	    "  - {unix: /c, reap_on_exit: ci-c}\n"
	    RULES;
	struct config	*cf;
	struct ruleset	*rs;
	char		 yaml[1024], err[1024];
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		snprintf(yaml, sizeof(yaml), "version: 1\ndefault_profile: "
		    "p\nprofiles:\n%s", cases[i].profiles);
		if (rules_parse("r.yaml", (const unsigned char *)yaml,
		    strlen(yaml), &rs, err, sizeof(err)) == -1)
			fail_msg("case %zu: rules: %s", i, err);
		cf = parse_ok(conf);
		err[0] = '\0';
		if (cases[i].want == NULL) {
			assert_int_equal(reap_exit_prepare(cf, rs, err,
			    sizeof(err)), -1);
			/* the first listener with it: line 5, its value */
			if (strncmp(err, NAME ":5:19: reap_on_exit: r.yaml: "
			    "profiles ", strlen(NAME ":5:19: reap_on_exit: "
			    "r.yaml: profiles ")) != 0 ||
			    strstr(err, "use different ownership labels") ==
			    NULL || strstr(err, "-l") != NULL)
				fail_msg("case %zu: \"%s\"", i, err);
		} else {
			if (reap_exit_prepare(cf, rs, err, sizeof(err)) != 0)
				fail_msg("case %zu: refused: %s", i, err);
			assert_null(cf->listen[0].reap_label);
			assert_string_equal(cf->listen[1].reap_owner, "job-b");
			assert_string_equal(cf->listen[1].reap_label,
			    cases[i].want);
			assert_string_equal(cf->listen[2].reap_owner, "ci-c");
			assert_string_equal(cf->listen[2].reap_label,
			    cases[i].want);
			/* again (a reload's config is new, but twice is safe) */
			assert_int_equal(reap_exit_prepare(cf, rs, err,
			    sizeof(err)), 0);
			assert_string_equal(cf->listen[1].reap_label,
			    cases[i].want);
		}
		config_free(cf);
		/* without reap_on_exit, disagreeing rules are no error */
		cf = parse_ok(MIN);
		assert_int_equal(reap_exit_prepare(cf, rs, err, sizeof(err)),
		    0);
		assert_null(cf->listen[0].reap_label);
		config_free(cf);
		rules_free(rs);
	}
}

/* mode: an octal string; no execute bits, not world-writable. */
static void
test_mode(void **state)
{
	static const struct {
		const char	*value;		/* as written in YAML */
		int		 want;		/* -1: refused */
		const char	*msg;
	} t[] = {
		{ "\"0660\"",	0660, NULL },
		{ "'0600'",	0600, NULL },
		/*
		 * Unquoted: libyaml hands every scalar over as text, so 0660
		 * is the string "0660", read as octal like the quoted form;
		 * so is 660 (not decimal 660 = 01224).
		 */
		{ "0660",	0660, NULL },
		{ "660",	0660, NULL },
		{ "0640",	0640, NULL },
		{ "0400",	0400, NULL },
		{ "0",		0, NULL },
		{ "\"0777\"",	-1, "sets execute bits" },
		{ "\"0661\"",	-1, "sets execute bits" },
		{ "0700",	-1, "sets execute bits" },
		{ "0670",	-1, "sets execute bits" },
		{ "0662",	-1, "lets every local user connect" },
		{ "0666",	-1, "lets every local user connect" },
		{ "\"0664\"",	0664, NULL },	/* readable is harmless */
		{ "abc",	-1, "is not an octal mode" },
		{ "''",		-1, "\"\" is not an octal mode" },
		{ "0668",	-1, "\"0668\" is not an octal mode" },
		{ "0x1b0",	-1, "is not an octal mode" },
		{ "0o660",	-1, "is not an octal mode" },
		{ "1660",	-1, "is not an octal mode" },
		{ "01000",	-1, "is not an octal mode" },
		{ "-1",		-1, "is not an octal mode" },
		{ "0660.0",	-1, "is not an octal mode" },
		{ "99999999999999999999999",	-1, "is not an octal mode" },
	};
	struct config	*cf;
	char		*text, err[1024];
	size_t		 i;
	int		 r;

	for (i = 0; i < nitems(t); i++) {
		assert_true(asprintf(&text, LISTEN "    mode: %s\n" RULES,
		    t[i].value) != -1);
		err[0] = '\0';
		r = parse(text, 0, &cf, err, sizeof(err));
		if (t[i].want == -1) {
			if (r != -1)
				fail_msg("mode %s accepted", t[i].value);
			if (strncmp(err, NAME ":3:11: mode: ",
			    strlen(NAME ":3:11: mode: ")) != 0 ||
			    strstr(err, t[i].msg) == NULL)
				fail_msg("mode %s: got \"%s\"", t[i].value,
				    err);
		} else {
			if (r != 0)
				fail_msg("mode %s: %s", t[i].value, err);
			assert_int_equal(cf->listen[0].mode, t[i].want);
			config_free(cf);
		}
		free(text);
	}
}

/* owner and group: a number, or a name looked up in the system. */
static void
test_owner_group(void **state)
{
	static const struct {
		const char	*key;
		const char	*value;		/* as written in YAML */
		long long	 want;		/* -1: refused */
	} t[] = {
		/* a number is taken as is, without a lookup */
		{ "owner",	"root",			0 },
		{ "owner",	"0",			0 },
		{ "owner",	"'0'",			0 },
		{ "owner",	"1000",			1000 },
		{ "owner",	"54321",		54321 },
		{ "owner",	"4294967294",		4294967294LL },
		{ "owner",	"4294967295",		-1 },	/* (uid_t)-1 */
		{ "owner",	"4294967296",		-1 },
		{ "owner",	"-1",			-1 },
		{ "owner",	"sg-no-such-user",	-1 },
		{ "owner",	"Root",			-1 },
		{ "owner",	"''",			-1 },
		{ "group",	"root",			0 },
		{ "group",	"0",			0 },
		{ "group",	"999",			999 },
		{ "group",	"4294967294",		4294967294LL },
		{ "group",	"4294967295",		-1 },
		{ "group",	"-1",			-1 },
		{ "group",	"sg-no-such-group",	-1 },
		{ "group",	"''",			-1 },
	};
	struct config	*cf;
	char		*text, err[1024], want[64];
	size_t		 i;
	int		 r;

	for (i = 0; i < nitems(t); i++) {
		assert_true(asprintf(&text, LISTEN "    %s: %s\n" RULES,
		    t[i].key, t[i].value) != -1);
		err[0] = '\0';
		r = parse(text, 0, &cf, err, sizeof(err));
		if (t[i].want == -1) {
			if (r != -1)
				fail_msg("%s %s accepted", t[i].key,
				    t[i].value);
			snprintf(want, sizeof(want), NAME ":3:12: %s: no such "
			    "%s \"", t[i].key, *t[i].key == 'o' ? "user" :
			    "group");
			if (strncmp(err, want, strlen(want)) != 0)
				fail_msg("%s %s: want \"%s\", got \"%s\"",
				    t[i].key, t[i].value, want, err);
		} else {
			if (r != 0)
				fail_msg("%s %s: %s", t[i].key, t[i].value,
				    err);
			if (*t[i].key == 'o') {
				assert_true(cf->listen[0].has_owner);
				assert_false(cf->listen[0].has_group);
				assert_int_equal(cf->listen[0].owner,
				    t[i].want);
			} else {
				assert_true(cf->listen[0].has_group);
				assert_false(cf->listen[0].has_owner);
				assert_int_equal(cf->listen[0].group,
				    t[i].want);
			}
			config_free(cf);
		}
		free(text);
	}
}

/* Where a limit lands in struct limits. */
static const struct {
	const char	*key;
	size_t		 off;
	int		 duration;
} limit_fields[] = {
	{ "max_connections",	offsetof(struct limits, max_connections), 0 },
	{ "max_request_line",	offsetof(struct limits, max_request_line), 0 },
	{ "max_header_bytes",	offsetof(struct limits, max_header_bytes), 0 },
	{ "max_headers",	offsetof(struct limits, max_headers), 0 },
	{ "max_inspect_body",	offsetof(struct limits, max_inspect_body), 0 },
	{ "header_timeout",	offsetof(struct limits, header_timeout_ms), 1 },
	{ "idle_timeout",	offsetof(struct limits, idle_timeout_ms), 1 },
	{ "drain_timeout",	offsetof(struct limits, drain_timeout_ms), 1 },
};

/* Reads limit key from lim. */
static unsigned long long
limit_get(const struct limits *lim, const char *key)
{
	const char	*p = (const char *)lim;
	size_t		 i;

	for (i = 0; i < nitems(limit_fields); i++) {
		if (strcmp(limit_fields[i].key, key) != 0)
			continue;
		if (limit_fields[i].duration)
			return *(const unsigned *)(p + limit_fields[i].off);
		return *(const size_t *)(p + limit_fields[i].off);
	}
	fail_msg("no limit %s", key);
	return 0;
}

/* One limits: value and what it gives (0: refused). */
struct limit_case {
	const char		*key;
	const char		*value;		/* as written in YAML */
	unsigned long long	 want;
};

/* Runs "limits: {KEY: VALUE}" cases; refusals point at the value. */
static void
run_limits(const struct limit_case *t, size_t n)
{
	struct config	*cf;
	char		*text, err[1024], want[128];
	size_t		 i;
	int		 r, dur;

	for (i = 0; i < n; i++) {
		assert_true(asprintf(&text, LISTEN "limits:\n  %s: %s\n" RULES,
		    t[i].key, t[i].value) != -1);
		err[0] = '\0';
		r = parse(text, 0, &cf, err, sizeof(err));
		if (t[i].want == 0) {
			if (r != -1) {
				config_free(cf);
				fail_msg("%s: %s accepted", t[i].key,
				    t[i].value);
			}
			dur = strstr(t[i].key, "timeout") != NULL;
			snprintf(want, sizeof(want), NAME ":4:%zu: %s: \"",
			    strlen(t[i].key) + 5, t[i].key);
			if (strncmp(err, want, strlen(want)) != 0 ||
			    strstr(err, dur ? "\" is not a duration" :
			    "\" is not a size between 1 and ") == NULL)
				fail_msg("%s: %s: want \"%s...\", got \"%s\"",
				    t[i].key, t[i].value, want, err);
		} else {
			if (r != 0)
				fail_msg("%s: %s: %s", t[i].key, t[i].value,
				    err);
			if (limit_get(&cf->limits, t[i].key) != t[i].want)
				fail_msg("%s: %s gave %llu, want %llu",
				    t[i].key, t[i].value,
				    limit_get(&cf->limits, t[i].key),
				    t[i].want);
			config_free(cf);
		}
		free(text);
	}
}

/* The size limits: units, bounds, and malformed values. */
static void
test_limits_sizes(void **state)
{
	static const struct limit_case t[] = {
		{ "max_connections",	"1",		1 },
		{ "max_connections",	"4096",		4096 },
		{ "max_connections",	"'4096'",	4096 },
		{ "max_connections",	"1000000",	1000000 },
		{ "max_connections",	"1M",		1000000 },
		{ "max_connections",	"1000K",	1000000 },
		{ "max_connections",	"1000001",	0 },
		{ "max_connections",	"1MiB",		0 },
		{ "max_connections",	"0",		0 },
		{ "max_connections",	"-1",		0 },
		{ "max_connections",	"abc",		0 },
		{ "max_connections",	"''",		0 },
		{ "max_connections",	"~",		0 },
		{ "max_connections",	"99999999999999999999", 0 },
		{ "max_connections",	"18446744073709551616", 0 },
		{ "max_connections",	"+5",		0 },
		{ "max_connections",	"' 5'",		0 },
		{ "max_connections",	"0x10",		0 },
		{ "max_connections",	"1e3",		0 },
		{ "max_request_line",	"100B",		100 },
		{ "max_request_line",	"1K",		1000 },
		{ "max_request_line",	"2KB",		2000 },
		{ "max_request_line",	"16KiB",	16384 },
		{ "max_request_line",	"8 KiB",	8192 },
		{ "max_request_line",	"64KiB",	65536 },
		{ "max_request_line",	"1.5KiB",	0 },
		{ "max_request_line",	"64kib",	0 },
		{ "max_request_line",	"64KIB",	0 },
		{ "max_request_line",	"64Ki",		0 },
		{ "max_request_line",	"64 KiB x",	0 },
		{ "max_request_line",	"1048577",	0 },
		{ "max_request_line",	"2MiB",		0 },
		{ "max_request_line",	"0KiB",		0 },
		{ "max_header_bytes",	"64KiB",	65536 },
		{ "max_header_bytes",	"1MiB",		1048576 },
		{ "max_header_bytes",	"1024KiB",	1048576 },
		{ "max_header_bytes",	"1048576",	1048576 },
		{ "max_header_bytes",	"1048577",	0 },
		{ "max_header_bytes",	"1025KiB",	0 },
		{ "max_header_bytes",	"1G",		0 },
		{ "max_header_bytes",	"17179869184GiB", 0 },	/* 2^64 */
		{ "max_headers",	"1",		1 },
		{ "max_headers",	"10000",	10000 },
		{ "max_headers",	"10K",		10000 },
		{ "max_headers",	"10001",	0 },
		{ "max_headers",	"10KiB",	0 },
		{ "max_inspect_body",	"1MiB",		1048576 },
		{ "max_inspect_body",	"100MB",	100000000 },
		{ "max_inspect_body",	"256MiB",	268435456 },
		{ "max_inspect_body",	"268435457",	0 },
		{ "max_inspect_body",	"257MiB",	0 },
		{ "max_inspect_body",	"1GiB",		0 },
	};

	run_limits(t, nitems(t));
}

/* The timeouts: units, bounds, and malformed values. */
static void
test_limits_durations(void **state)
{
	static const struct limit_case t[] = {
		{ "header_timeout",	"500ms",	500 },
		{ "header_timeout",	"1ms",		1 },
		{ "header_timeout",	"15s",		15000 },
		{ "header_timeout",	"30",		30000 },
		{ "header_timeout",	"'30'",		30000 },
		{ "header_timeout",	"4294967295ms",	4294967295ULL },
		{ "header_timeout",	"4294967s",	4294967000ULL },
		{ "header_timeout",	"4294967",	4294967000ULL },
		{ "header_timeout",	"0",		0 },
		{ "header_timeout",	"0ms",		0 },
		{ "header_timeout",	"0s",		0 },
		{ "header_timeout",	"5x",		0 },
		{ "header_timeout",	"1.5s",		0 },
		{ "header_timeout",	"15 s",		0 },
		{ "header_timeout",	"15S",		0 },
		{ "header_timeout",	"15sec",	0 },
		{ "header_timeout",	"-1",		0 },
		{ "header_timeout",	"-1s",		0 },
		{ "header_timeout",	"s",		0 },
		{ "header_timeout",	"''",		0 },
		{ "header_timeout",	"4294967296ms",	0 },
		{ "header_timeout",	"4294968s",	0 },
		{ "header_timeout",	"99999999999999999999", 0 },
		{ "idle_timeout",	"2m",		120000 },
		{ "idle_timeout",	"71582m",	4294920000ULL },
		{ "idle_timeout",	"71583m",	0 },
		{ "idle_timeout",	"1h",		3600000 },
		{ "idle_timeout",	"1193h",	4294800000ULL },
		{ "idle_timeout",	"1194h",	0 },
		{ "idle_timeout",	"1d",		0 },
		{ "drain_timeout",	"10s",		10000 },
		{ "drain_timeout",	"1",		1000 },
		{ "drain_timeout",	"'0'",		0 },
	};

	run_limits(t, nitems(t));
}

/* Checks needing several keys: request line against header bytes. */
static void
test_limits_cross(void **state)
{
	static const struct bad t[] = {
		{ MIN "limits:\n  max_request_line: 128KiB\n", 0, "5:21",
		    "limits: max_request_line exceeds max_header_bytes" },
		{ MIN "limits:\n  max_header_bytes: 8KiB\n", 0, "5:21",
		    "max_request_line exceeds max_header_bytes" },
		{ MIN "limits:\n  max_request_line: 1KiB\n"
		    "  max_header_bytes: 1000\n", 0, "6:21",
		    "max_request_line exceeds max_header_bytes" },
		{ "# c\n" MIN "limits: {max_request_line: 1MiB}\n", 0, "5:28",
		    "max_request_line exceeds max_header_bytes" },
	};
	static const struct {
		const char	*yaml;
		size_t		 line, head;
	} ok[] = {
		{ MIN "limits:\n  max_request_line: 64KiB\n", 65536, 65536 },
		{ MIN "limits:\n  max_header_bytes: 16KiB\n", 16384, 16384 },
		{ MIN "limits:\n  max_request_line: 1MiB\n"
		    "  max_header_bytes: 1MiB\n", 1048576, 1048576 },
		{ MIN "limits:\n  max_header_bytes: 1\n"
		    "  max_request_line: 1\n", 1, 1 },
		/* the later value wins */
		{ MIN "limits:\n  max_request_line: 1MiB\n"
		    "  max_request_line: 1KiB\n", 1024, 65536 },
	};
	struct config	*cf;
	size_t		 i;

	run_bad(t, nitems(t));
	for (i = 0; i < nitems(ok); i++) {
		cf = parse_ok(ok[i].yaml);
		assert_int_equal(cf->limits.max_request_line, ok[i].line);
		assert_int_equal(cf->limits.max_header_bytes, ok[i].head);
		config_free(cf);
	}
}

/* Text that is not YAML: libyaml's message at its line and column. */
static void
test_invalid_yaml(void **state)
{
	static const struct bad t[] = {
		{ "listen: [\n", 0, "2:1", "did not find expected" },
		{ "listen: {unix: /a\n", 0, "2:1", "did not find expected" },
		{ "a: b: c\n", 0, "1:5",
		    "mapping values are not allowed in this context" },
		{ "listen:\n\t- unix: /a\n", 0, "2:1",
		    "found character that cannot start any token" },
		{ LISTEN "upstream: \"/a\n", 0, "4:1",
		    "found unexpected end of stream" },
		{ "listen: *a\n", 0, "1:9", "found undefined alias" },
		{ LISTEN "  - unix: /b\n bad: 1\n", 0, "4:2",
		    "did not find expected key" },
		{ "upstream: @UPSTREAM@\n", 0, "1:11",
		    "found character that cannot start any token" },
		{ "%YAML 2.0\n---\na: b\n", 0, "1:1",
		    "found incompatible YAML document" },
		{ LISTEN "upstream: \"\\q\"\n", 0, "3:12",
		    "found unknown escape character" },
	};

	run_bad(t, nitems(t));
}

/* NUL bytes: escaped in a value, or raw in the file. */
static void
test_nul(void **state)
{
	static const struct bad t[] = {
		{ LISTEN "upstream: \"/run/d\\0.sock\"\n", 0, "3:11",
		    "upstream contains a NUL byte" },
		{ "listen:\n  - unix: \"/run/a\\0b\"\n", 0, "2:11",
		    "unix contains a NUL byte" },
		{ "listen:\n  - unix: \"/\\x00\"\n", 0, "2:11",
		    "unix contains a NUL byte" },
		{ "listen:\n  - unix: /a\n    name: \"a\\0\"\n", 0, "3:11",
		    "name contains a NUL byte" },
		{ LISTEN "rules: \"a\\0\"\n", 0, "3:8",
		    "rules contains a NUL byte" },
		{ LISTEN "audit: {path: \"/a\\0\"}\n", 0, "3:15",
		    "path contains a NUL byte" },
	};
	/* Raw bytes the YAML reader refuses; see known_bugs for where. */
	static const struct {
		const char	*buf;
		size_t		 len;
		const char	*msg;
	} raw[] = {
		{ BUF(LISTEN "upstream: /run/d\0.sock\n"),
		    "control characters are not allowed" },
		{ BUF("\0"), "control characters are not allowed" },
		{ BUF(LISTEN "upstream: /run/\xff\n"),
		    "invalid leading UTF-8 octet" },
		{ BUF(LISTEN "upstream: /run/\xc3\n"),
		    "invalid trailing UTF-8 octet" },
		{ BUF(LISTEN "upstream: /run/\xc3"),
		    "incomplete UTF-8 octet sequence" },
		{ BUF(LISTEN "upstream: /run/\xed\xa0\x80\n"),
		    "invalid Unicode character" },
	};
	struct config	*cf;
	char		 err[1024];
	size_t		 i;

	run_bad(t, nitems(t));
	for (i = 0; i < nitems(raw); i++) {
		err[0] = '\0';
		if (parse(raw[i].buf, raw[i].len, &cf, err, sizeof(err)) != -1)
			fail_msg("raw case %zu accepted", i);
		assert_null(cf);
		if (!has_position(err) || strstr(err, raw[i].msg) == NULL)
			fail_msg("raw case %zu: got \"%s\"", i, err);
	}
}

/* rules: required; a relative path is taken from the file's directory. */
static void
test_rules(void **state)
{
	static const struct {
		const char	*name;		/* the file's name */
		const char	*rules;		/* as written */
		const char	*want;
	} t[] = {
		{ "/etc/sockguard/sockguard.yaml", "/etc/sg/r.yaml",
		    "/etc/sg/r.yaml" },
		{ "/etc/sockguard/sockguard.yaml", "rules/default.yaml",
		    "/etc/sockguard/rules/default.yaml" },
		{ "/etc/sockguard/sockguard.yaml", "../r.yaml",
		    "/etc/sockguard/../r.yaml" },
		{ "/etc/sockguard/sockguard.yaml", "'~/r.yaml'",
		    "/etc/sockguard/~/r.yaml" },
		{ "/sockguard.yaml",	"r.yaml",	"/r.yaml" },
		{ "conf/sg.yaml",	"r.yaml",	"conf/r.yaml" },
		{ "./sg.yaml",		"r.yaml",	"./r.yaml" },
		{ "sg.yaml",		"r.yaml",	"r.yaml" },
		{ "sg.yaml",		"/r.yaml",	"/r.yaml" },
	};
	struct config	*cf;
	char		*text, err[1024];
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		assert_true(asprintf(&text, LISTEN "rules: %s\n",
		    t[i].rules) != -1);
		err[0] = '\0';
		if (config_parse(t[i].name, (const unsigned char *)text,
		    strlen(text), &cf, err, sizeof(err)) != 0)
			fail_msg("%s, rules %s: %s", t[i].name, t[i].rules,
			    err);
		assert_string_equal(cf->file, t[i].name);
		assert_string_equal(cf->rules, t[i].want);
		config_free(cf);
		free(text);
	}
	/* the message names the file as given */
	assert_int_equal(config_parse("/etc/sg.yaml",
	    (const unsigned char *)LISTEN, strlen(LISTEN), &cf, err,
	    sizeof(err)), -1);
	assert_null(cf);
	assert_memory_equal(err, "/etc/sg.yaml:1:1: rules: a rules file is "
	    "required", strlen("/etc/sg.yaml:1:1: rules: a rules file is "
	    "required"));
}

/* tcp: listeners: addresses, tls: paths relative to the config file. */
static void
test_listen_tcp(void **state)
{
	static const char text[] = "listen:\n"
	    "  - tcp: \"127.0.0.1:2376\"\n    name: remote\n"
	    "    tls: {cert: tls/s.pem, key: /k.pem, client_ca: ca.pem, "
	    "crl: crl.pem}\n"
	    "  - tcp: \"[::]:2377\"\n"
	    "    tls: {cert: c, key: k, client_ca: a}\n"
	    RULES "limits: {handshake_timeout: 3s}\n";
	struct config		*cf;
	const struct sockaddr_in  *sin;
	const struct sockaddr_in6 *sin6;
	char			 err[512];

	assert_int_equal(config_parse("/etc/sg/sg.yaml",
	    (const unsigned char *)text, strlen(text), &cf, err, sizeof(err)),
	    0);
	assert_int_equal(cf->nlisten, 2);
	assert_int_equal(cf->listen[0].kind, LISTEN_TCP);
	assert_null(cf->listen[0].path);
	assert_string_equal(cf->listen[0].addr, "127.0.0.1:2376");
	sin = (const struct sockaddr_in *)&cf->listen[0].sa;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 2376);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(cf->listen[0].salen, sizeof(*sin));
	assert_string_equal(cf->listen[0].tls.cert, "/etc/sg/tls/s.pem");
	assert_string_equal(cf->listen[0].tls.key, "/k.pem");
	assert_string_equal(cf->listen[0].tls.client_ca, "/etc/sg/ca.pem");
	assert_string_equal(cf->listen[0].tls.crl, "/etc/sg/crl.pem");
	assert_string_equal(listen_label(&cf->listen[0]), "remote");
	sin6 = (const struct sockaddr_in6 *)&cf->listen[1].sa;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 2377);
	assert_null(cf->listen[1].tls.crl);
	assert_string_equal(listen_label(&cf->listen[1]), "[::]:2377");
	assert_int_equal(cf->limits.handshake_timeout_ms, 3000);
	config_free(cf);
	/* the same address twice */
	assert_int_equal(config_parse("t.yaml", (const unsigned char *)
	    "listen:\n  - tcp: '127.0.0.1:1'\n    tls: {cert: c, key: k, "
	    "client_ca: a}\n  - tcp: '127.0.0.1:1'\n    tls: {cert: c, "
	    "key: k, client_ca: a}\n" RULES, strlen("listen:\n  - tcp: "
	    "'127.0.0.1:1'\n    tls: {cert: c, key: k, client_ca: a}\n  - "
	    "tcp: '127.0.0.1:1'\n    tls: {cert: c, key: k, client_ca: a}\n"
	    RULES), &cf, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "listener 127.0.0.1:1 is given twice"));
}

/* A short err buffer is truncated, terminated, and not overrun. */
static void
test_err_truncated(void **state)
{
	struct config	*cf;
	char		 err[32];
	size_t		 i;

	memset(err, 'X', sizeof(err));
	assert_int_equal(parse(LISTEN "bogus: 1\n", 0, &cf, err, 16), -1);
	assert_int_equal(strlen(err), 15);
	assert_memory_equal(err, NAME ":3:1: unk", 15);
	for (i = 16; i < sizeof(err); i++)
		assert_int_equal(err[i], 'X');
	memset(err, 'X', sizeof(err));
	assert_int_equal(parse("[", 0, &cf, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	for (i = 8; i < sizeof(err); i++)
		assert_int_equal(err[i], 'X');
}

/* config_load: a file, a missing one, a directory, one too large. */
static void
test_load(void **state)
{
	struct config	*cf;
	char		*text, *path, *big, *slash, err[1024], want[1200];
	size_t		 biglen = 1024 * 1024;

	/* the example, through a real file */
	text = example_text();
	path = write_temp(text, strlen(text));
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), 0);
	assert_string_equal(cf->file, path);
	assert_string_equal(cf->listen[0].path, "/run/sockguard/docker.sock");
	config_free(cf);
	unlink(path);
	free(path);
	free(text);

	/* a relative rules path is taken from the file's directory */
	path = write_temp(LISTEN "rules: r.yaml\n",
	    strlen(LISTEN "rules: r.yaml\n"));
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s", path);
	slash = strrchr(want, '/');
	assert_non_null(slash);
	strcpy(slash, "/r.yaml");
	assert_string_equal(cf->rules, want);
	config_free(cf);
	unlink(path);
	free(path);

	/* messages name the file */
	path = write_temp(LISTEN "x: 1\n", strlen(LISTEN "x: 1\n"));
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), -1);
	assert_null(cf);
	snprintf(want, sizeof(want), "%s:3:1: unknown key \"x\"", path);
	assert_memory_equal(err, want, strlen(want));
	unlink(path);
	free(path);

	/* exactly 1 MiB is allowed, one byte more is not */
	big = malloc(biglen + 1);
	assert_non_null(big);
	memset(big, ' ', biglen + 1);
	memcpy(big, MIN "#", strlen(MIN "#"));
	big[biglen - 1] = '\n';
	path = write_temp(big, biglen);
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), 0);
	config_free(cf);
	unlink(path);
	free(path);
	big[biglen] = '\n';
	path = write_temp(big, biglen + 1);
	assert_int_equal(config_load(path, &cf, err, sizeof(err)), -1);
	assert_null(cf);
	snprintf(want, sizeof(want), "%s: larger than 1 MiB", path);
	assert_string_equal(err, want);
	unlink(path);
	free(path);
	free(big);

	assert_int_equal(config_load("/nonexistent/sg.yaml", &cf, err,
	    sizeof(err)), -1);
	assert_null(cf);
	assert_string_equal(err, "/nonexistent/sg.yaml: No such file or "
	    "directory");

	assert_int_equal(config_load("/", &cf, err, sizeof(err)), -1);
	assert_null(cf);
	assert_string_equal(err, "/: Is a directory");
}

/* config_parse_size directly, with its max. */
static void
test_parse_size(void **state)
{
	static const struct {
		const char	*s;
		size_t		 max;
		int		 r;
		size_t		 want;
	} t[] = {
		{ "0",		100,		0,	0 },
		{ "4096",	SIZE_MAX,	0,	4096 },
		{ "4096 ",	SIZE_MAX,	0,	4096 },
		{ "64KiB",	SIZE_MAX,	0,	65536 },
		{ "64 KiB",	SIZE_MAX,	0,	65536 },
		{ "1MiB",	SIZE_MAX,	0,	1048576 },
		{ "1GiB",	SIZE_MAX,	0,	1073741824 },
		{ "2B",		SIZE_MAX,	0,	2 },
		{ "3K",		SIZE_MAX,	0,	3000 },
		{ "3KB",	SIZE_MAX,	0,	3000 },
		{ "3M",		SIZE_MAX,	0,	3000000 },
		{ "3MB",	SIZE_MAX,	0,	3000000 },
		{ "3G",		SIZE_MAX,	0,	3000000000ULL },
		{ "3GB",	SIZE_MAX,	0,	3000000000ULL },
		{ "007",	SIZE_MAX,	0,	7 },
		{ "1KiB",	1024,		0,	1024 },
		{ "1KiB",	1023,		-1,	0 },
		{ "1K",		999,		-1,	0 },
		{ "100",	100,		0,	100 },
		{ "101",	100,		-1,	0 },
		{ "18446744073709551615", SIZE_MAX, 0,	SIZE_MAX },
		{ "18446744073709551616", SIZE_MAX, -1,	0 },
		{ "99999999999999999999", SIZE_MAX, -1,	0 },
		{ "17179869183GiB", SIZE_MAX,	0,	17179869183ULL << 30 },
		{ "17179869184GiB", SIZE_MAX,	-1,	0 },	/* 2^64 */
		{ "18446744073709552KB", SIZE_MAX, -1,	0 },
		{ "",		SIZE_MAX,	-1,	0 },
		{ "-1",		SIZE_MAX,	-1,	0 },
		{ "+1",		SIZE_MAX,	-1,	0 },
		{ " 1",		SIZE_MAX,	-1,	0 },
		{ "1.5KiB",	SIZE_MAX,	-1,	0 },
		{ "1KiBx",	SIZE_MAX,	-1,	0 },
		{ "1kib",	SIZE_MAX,	-1,	0 },
		{ "1TiB",	SIZE_MAX,	-1,	0 },
		{ "KiB",	SIZE_MAX,	-1,	0 },
		{ "0x10",	SIZE_MAX,	-1,	0 },
		{ "1\t",	SIZE_MAX,	-1,	0 },
	};
	size_t	i, v;

	for (i = 0; i < nitems(t); i++) {
		v = 12345;
		if (config_parse_size(t[i].s, t[i].max, &v) != t[i].r)
			fail_msg("\"%s\" max %zu: want %d", t[i].s, t[i].max,
			    t[i].r);
		if (v != (t[i].r == 0 ? t[i].want : 12345))
			fail_msg("\"%s\": got %zu, want %zu", t[i].s, v,
			    t[i].want);
	}
}

/* config_parse_duration directly. */
static void
test_parse_duration(void **state)
{
	static const struct {
		const char	*s;
		int		 r;
		unsigned	 want;
	} t[] = {
		{ "0",		0,	0 },
		{ "0ms",	0,	0 },
		{ "500ms",	0,	500 },
		{ "15s",	0,	15000 },
		{ "2m",		0,	120000 },
		{ "1h",		0,	3600000 },
		{ "30",		0,	30000 },
		{ "0030s",	0,	30000 },
		{ "4294967295ms", 0,	UINT_MAX },
		{ "4294967296ms", -1,	0 },
		{ "4294967",	0,	4294967000U },
		{ "4294968",	-1,	0 },
		{ "4294968s",	-1,	0 },
		{ "71583m",	-1,	0 },
		{ "1194h",	-1,	0 },
		{ "99999999999999999999", -1, 0 },
		{ "99999999999999999999ms", -1, 0 },
		{ "",		-1,	0 },
		{ "5x",		-1,	0 },
		{ "ms",		-1,	0 },
		{ "-1",		-1,	0 },
		{ "+1s",	-1,	0 },
		{ " 1s",	-1,	0 },
		{ "1 s",	-1,	0 },
		{ "1.5s",	-1,	0 },
		{ "1S",		-1,	0 },
		{ "1d",		-1,	0 },
		{ "1sms",	-1,	0 },
	};
	unsigned	v;
	size_t		i;

	for (i = 0; i < nitems(t); i++) {
		v = 12345;
		if (config_parse_duration(t[i].s, &v) != t[i].r)
			fail_msg("\"%s\": want %d", t[i].s, t[i].r);
		if (v != (t[i].r == 0 ? t[i].want : 12345))
			fail_msg("\"%s\": got %u, want %u", t[i].s, v,
			    t[i].want);
	}
}

/* config_free(NULL) does nothing. */
static void
test_free_null(void **state)
{
	config_free(NULL);
}

/*
 * Regressions: bugs found in config.c by these tests and fixed since;
 * each case must be refused at this position.
 */
static const struct bad known_bugs[] = {
	/* 1. reader errors are reported at 1:1, wherever the byte is */
	{ BUF(LISTEN "upstream: /run/\xff\n"), "3:16",
	    "invalid leading UTF-8 octet" },
	{ BUF(LISTEN "upstream: /run/d\0.sock\n"), "3:17",
	    "control characters are not allowed" },
	/* 2. only the first document is read: the rest is never parsed */
	{ MIN "---\n[[[ : : {\n", 0, "5:5", "" },
	{ MIN "...\n\t@@@\n", 0, "5:1", "" },
	{ MIN "---\nlisten:\n  - tcp: 0.0.0.0:2375\n", 0, "4:1",
	    "a second YAML document" },
	/* 3. only strings are checked for NUL: the rest is cut at it */
	{ LISTEN "    mode: \"0660\\0777\"\n" RULES, 0, "3:11", "NUL" },
	{ LISTEN "    owner: \"root\\0junk\"\n" RULES, 0, "3:12", "NUL" },
	{ MIN "limits: {max_headers: \"50\\0junk\"}\n", 0, "4:23", "NUL" },
	{ MIN "limits: {idle_timeout: \"1s\\0junk\"}\n", 0, "4:24", "NUL" },
	/* 4. strtoul() takes blanks and signs; "-N" wraps around */
	{ LISTEN "    owner: \"-18446744073709551615\"\n" RULES, 0,
	    "3:12", "" },
	{ LISTEN "    group: \"-18446744073709551615\"\n" RULES, 0,
	    "3:12", "" },
	{ LISTEN "    owner: \" 0\"\n" RULES, 0, "3:12", "" },
	{ LISTEN "    group: \"+0\"\n" RULES, 0, "3:12", "" },
	{ LISTEN "    mode: \"-1777777777777777777120\"\n" RULES, 0,
	    "3:11", "" },
	{ LISTEN "    mode: \" +0660\"\n" RULES, 0, "3:11", "" },
	{ LISTEN "    mode: \"-0\"\n" RULES, 0, "3:11", "" },
	/* 5. a listener on the upstream socket itself */
	{ "listen:\n  - unix: /var/run/docker.sock\n" RULES, 0, "2:5",
	    "is the upstream socket itself" },
	{ "upstream: /run/d.sock\nlisten: [{unix: /run/d.sock}]\n" RULES, 0,
	    "1:11",
	    "" },
	/* 6. whole-file checks point at the root, not at the node at fault */
	{ "# c\n\n" MIN "upstream: run/d.sock\n", 0, "6:11",
	    "must be an absolute path" },
	{ "listen:\n  - unix: /a\n  - unix: /a\n" RULES, 0, "3:5",
	    "is given twice" },
	{ MIN "limits:\n  max_request_line: 128KiB\n", 0, "5:21",
	    "exceeds max_header_bytes" },
};

/* The cases of known_bugs[]: fixed bugs that must stay fixed. */
static void
test_known_bugs(void **state)
{
	char	why[2048];
	size_t	i, nfail = 0;

	for (i = 0; i < nitems(known_bugs); i++) {
		if (check_bad(&known_bugs[i], why, sizeof(why)) == 0)
			continue;
		print_error("known bug %zu: %s\n--- input:\n%s---\n", i, why,
		    known_bugs[i].yaml);
		nfail++;
	}
	if (nfail != 0)
		fail_msg("%zu of %zu fixed bugs are back", nfail,
		    nitems(known_bugs));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_example_placeholders),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_sandbox),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_listen_list),
		cmocka_unit_test(test_listen_entry),
		cmocka_unit_test(test_listen_tcp),
		cmocka_unit_test(test_reap_on_exit),
		cmocka_unit_test(test_reap_on_exit_label),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_owner_group),
		cmocka_unit_test(test_limits_sizes),
		cmocka_unit_test(test_limits_durations),
		cmocka_unit_test(test_limits_cross),
		cmocka_unit_test(test_invalid_yaml),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_err_truncated),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_known_bugs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
