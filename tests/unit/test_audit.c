/*
 * Unit tests for the audit log (audit.c): every produced line is parsed
 * back with jansson and checked for raw control bytes; fields, their
 * types and order; escaping and truncation; the 64 KiB bound; one
 * write(2) per record; reopening after a rename; cutting back a short
 * write; redaction of create bodies; request ids; the names cache.
 * Files live in a temporary directory made by the group setup.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <grp.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "audit.h"
#include "identity.h"
#include "policy.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define BUF(s)		s, sizeof(s) - 1	/* bytes that may hold NUL */
#define MARK		AUDIT_TRUNCATED
#define SECRET		"S3cr3t-Value"

static char	 tmpdir[64];
static char	 line[AUDIT_LINE_MAX];

/* A path in the test directory. */
static const char *
tpath(const char *name)
{
	static char	p[4][256];
	static int	i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", tmpdir, name);
	return p[i];
}

/* nftw() callback removing everything. */
static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static int
group_setup(void **state)
{
	strcpy(tmpdir, "/tmp/test_audit.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	umask(022);
	return 0;
}

static int
group_teardown(void **state)
{
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Checks one line: ends in its only newline, holds no other raw control
 * byte, is shorter than 64 KiB and parses as one JSON object with no
 * repeated key.  Returns it parsed.
 */
static json_t *
parse_line(const char *s, size_t n)
{
	json_error_t	 err;
	json_t		*v;
	size_t		 i;

	assert_true(n > 1 && n < AUDIT_LINE_MAX);
	assert_int_equal(s[n - 1], '\n');
	for (i = 0; i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			fail_msg("raw control byte 0x%02x at %zu", c, i);
	}
	v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (v == NULL)
		fail_msg("line does not parse: %s at %d: %.200s", err.text,
		    err.position, s);
	assert_true(json_is_object(v));
	return v;
}

/* Formats r (no names) into line and parses it. */
static json_t *
fmt(const struct audit_rec *r, struct audit *names)
{
	size_t	n;

	n = audit_format(r, line, sizeof(line), names);
	assert_int_not_equal(n, 0);
	assert_int_equal(strlen(line), n);
	return parse_line(line, n);
}

/* Reads a whole file into a NUL-terminated string; *len its length. */
static char *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	char		*p;
	int		 fd;

	fd = open(path, O_RDONLY);
	assert_int_not_equal(fd, -1);
	assert_int_equal(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	assert_non_null(p);
	assert_int_equal(read(fd, p, (size_t)st.st_size), st.st_size);
	p[st.st_size] = '\0';
	close(fd);
	*len = (size_t)st.st_size;
	return p;
}

/* Parses every line of a file; returns how many there are. */
static size_t
check_file(const char *path)
{
	char	*p, *s, *nl;
	size_t	 len, n = 0;

	p = slurp(path, &len);
	if (len > 0)
		assert_int_equal(p[len - 1], '\n');
	for (s = p; s < p + len; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(p + len - s));
		assert_non_null(nl);
		json_decref(parse_line(s, (size_t)(nl - s) + 1));
		n++;
	}
	free(p);
	return n;
}

static const char *const sans[] = { "DNS:ci.example.com",
    "email:ci@example.com", "URI:spiffe://example.com/ci" };

/* A unix identity: uid 1000 in group 1000, pid 4242. */
static void
unix_ident(struct identity *id)
{
	memset(id, 0, sizeof(*id));
	id->listener = "local";
	id->is_unix = 1;
	id->uid = 1000;
	id->gid = 1000;
	id->pid = 4242;
}

/* A TLS identity with three SANs. */
static void
tls_ident(struct identity *id)
{
	memset(id, 0, sizeof(*id));
	id->listener = "tcp";
	id->cert_subject = "CN=ci,O=Example";
	id->cert_cn = "ci";
	id->cert_issuer = "CN=Example CA";
	id->cert_fingerprint = "ab01cd";
	id->cert_sans = sans;
	id->cert_nsans = nitems(sans);
}

/* A decision record with every string set. */
static void
base_rec(struct audit_rec *r, const struct identity *id)
{
	memset(r, 0, sizeof(*r));
	r->stage = "decision";
	r->id = "0123456789abcdef";
	r->conn = 7;
	r->listener = "local";
	r->ident = id;
	r->profile = "ci";
	r->method = "POST";
	r->path = "/v1.43/containers/create?name=web";
	r->api_version = "1.43";
	r->decision = "deny";
	r->rule = "no-privileged";
	r->reason = "privileged containers are not allowed";
	r->field = "HostConfig.Privileged";
	r->value = "true";
}

/* Expected member: name and jansson type. */
struct member {
	const char	*name;
	json_type	 type;
};

/* Checks that obj has exactly these members, in this order. */
static void
check_members(json_t *obj, const struct member *m, size_t n)
{
	const char	*k;
	json_t		*v;
	size_t		 i = 0;

	json_object_foreach(obj, k, v) {
		if (i >= n)
			fail_msg("unexpected member \"%s\"", k);
		if (strcmp(k, m[i].name) != 0)
			fail_msg("member %zu is \"%s\", want \"%s\"", i, k,
			    m[i].name);
		if (json_typeof(v) != m[i].type)
			fail_msg("member \"%s\" has type %d, want %d", k,
			    json_typeof(v), m[i].type);
		i++;
	}
	if (i != n)
		fail_msg("member \"%s\" missing", m[i].name);
}

/* A string member's value. */
static const char *
sval(json_t *obj, const char *name)
{
	json_t	*v = json_object_get(obj, name);

	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", name);
	return json_string_value(v);
}

/* Decision stage, unix identity: members, types, order, values. */
static void
test_fields_decision(void **state)
{
	static const struct member top[] = {
		{ "time", JSON_STRING }, { "stage", JSON_STRING },
		{ "id", JSON_STRING }, { "conn", JSON_INTEGER },
		{ "listener", JSON_STRING }, { "identity", JSON_OBJECT },
		{ "profile", JSON_STRING }, { "method", JSON_STRING },
		{ "path", JSON_STRING }, { "api_version", JSON_STRING },
		{ "decision", JSON_STRING }, { "rule", JSON_STRING },
		{ "reason", JSON_STRING }, { "field", JSON_STRING },
		{ "value", JSON_STRING },
	};
	static const struct member ident[] = {
		{ "uid", JSON_INTEGER }, { "gid", JSON_INTEGER },
		{ "pid", JSON_INTEGER },
	};
	struct identity	 id;
	struct audit_rec r;
	json_t		*v, *i;

	unix_ident(&id);
	base_rec(&r, &id);
	v = fmt(&r, NULL);
	check_members(v, top, nitems(top));
	i = json_object_get(v, "identity");
	check_members(i, ident, nitems(ident));
	assert_int_equal(json_integer_value(json_object_get(i, "uid")), 1000);
	assert_int_equal(json_integer_value(json_object_get(i, "pid")), 4242);
	assert_int_equal(json_integer_value(json_object_get(v, "conn")), 7);
	assert_string_equal(sval(v, "stage"), "decision");
	assert_string_equal(sval(v, "id"), "0123456789abcdef");
	assert_string_equal(sval(v, "listener"), "local");
	assert_string_equal(sval(v, "profile"), "ci");
	assert_string_equal(sval(v, "method"), "POST");
	assert_string_equal(sval(v, "path"),
	    "/v1.43/containers/create?name=web");
	assert_string_equal(sval(v, "api_version"), "1.43");
	assert_string_equal(sval(v, "decision"), "deny");
	assert_string_equal(sval(v, "rule"), "no-privileged");
	assert_string_equal(sval(v, "field"), "HostConfig.Privileged");
	assert_string_equal(sval(v, "value"), "true");
	json_decref(v);
}

/* Complete stage, TLS identity, summary: members, types, order, values. */
static void
test_fields_complete(void **state)
{
	static const struct member top[] = {
		{ "time", JSON_STRING }, { "stage", JSON_STRING },
		{ "id", JSON_STRING }, { "conn", JSON_INTEGER },
		{ "listener", JSON_STRING }, { "identity", JSON_OBJECT },
		{ "profile", JSON_STRING }, { "method", JSON_STRING },
		{ "path", JSON_STRING }, { "api_version", JSON_STRING },
		{ "decision", JSON_STRING }, { "rule", JSON_STRING },
		{ "reason", JSON_STRING }, { "status", JSON_INTEGER },
		{ "bytes_in", JSON_INTEGER }, { "bytes_out", JSON_INTEGER },
		{ "duration_ms", JSON_REAL }, { "summary", JSON_OBJECT },
	};
	static const struct member ident[] = {
		{ "subject", JSON_STRING }, { "cn", JSON_STRING },
		{ "issuer", JSON_STRING }, { "fingerprint", JSON_STRING },
		{ "sans", JSON_ARRAY },
	};
	struct identity	 id;
	struct audit_rec r;
	json_t		*v, *i, *sum;

	tls_ident(&id);
	base_rec(&r, &id);
	r.stage = "complete";
	r.decision = "allow";
	r.rule = "";
	r.reason = NULL;
	r.field = "";
	r.value = NULL;
	r.listener = NULL;		/* from the identity */
	r.status = 201;
	r.bytes_in = 1234;
	r.bytes_out = 18446744073709551615ULL;
	r.duration_ms = 12.3456;
	sum = json_pack("{s:s}", "Image", "nginx");
	r.summary = sum;
	v = fmt(&r, NULL);
	check_members(v, top, nitems(top));
	i = json_object_get(v, "identity");
	check_members(i, ident, nitems(ident));
	assert_string_equal(sval(i, "cn"), "ci");
	assert_int_equal(json_array_size(json_object_get(i, "sans")), 3);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(i, "sans"), 2)), "URI:spiffe://example.com/ci");
	assert_string_equal(sval(v, "listener"), "tcp");
	assert_string_equal(sval(v, "rule"), "");
	assert_string_equal(sval(v, "reason"), "");
	assert_int_equal(json_integer_value(json_object_get(v, "status")),
	    201);
	assert_int_equal(json_integer_value(json_object_get(v, "bytes_in")),
	    1234);
	/* Counters stop where int64 readers (jansson, Go) stop. */
	assert_int_equal(json_integer_value(json_object_get(v, "bytes_out")),
	    INT64_MAX);
	assert_non_null(strstr(line, "\"duration_ms\":12.346,"));
	assert_true(json_equal(json_object_get(v, "summary"), sum));
	json_decref(v);

	/* No identity, strange durations. */
	r.ident = NULL;
	r.listener = NULL;
	r.summary = NULL;
	r.duration_ms = -5;
	v = fmt(&r, NULL);
	assert_true(json_is_null(json_object_get(v, "identity")));
	assert_string_equal(sval(v, "listener"), "");
	assert_null(json_object_get(v, "summary"));
	assert_non_null(strstr(line, "\"duration_ms\":0.000}"));
	json_decref(v);
	r.duration_ms = NAN;
	json_decref(fmt(&r, NULL));
	assert_non_null(strstr(line, "\"duration_ms\":0.000}"));
	r.duration_ms = 1e300;
	json_decref(fmt(&r, NULL));
	assert_non_null(strstr(line, "\"duration_ms\":1000000000000.000}"));
	json_decref(sum);
}

/* Every string NULL: still every member, as "". */
static void
test_fields_null(void **state)
{
	struct audit_rec r;
	json_t		*v;

	memset(&r, 0, sizeof(r));
	v = fmt(&r, NULL);
	assert_string_equal(sval(v, "stage"), "");
	assert_string_equal(sval(v, "path"), "");
	assert_string_equal(sval(v, "decision"), "");
	assert_null(json_object_get(v, "field"));
	assert_null(json_object_get(v, "status"));
	assert_int_equal(json_object_size(v), 13);
	json_decref(v);
}

/* RFC 3339 UTC with milliseconds, given or now. */
static void
test_time(void **state)
{
	struct tm	 tm = { .tm_year = 2026 - 1900, .tm_mon = 10,
			    .tm_mday = 23, .tm_hour = 7, .tm_min = 43,
			    .tm_sec = 23 };
	struct timespec	 ts;
	struct audit_rec r;
	const char	*t;
	json_t		*v;
	size_t		 i;

	ts.tv_sec = timegm(&tm);
	ts.tv_nsec = 123999999;
	memset(&r, 0, sizeof(r));
	r.when = &ts;
	v = fmt(&r, NULL);
	assert_string_equal(sval(v, "time"), "2026-11-23T07:43:23.123Z");
	json_decref(v);

	r.when = NULL;
	v = fmt(&r, NULL);
	t = sval(v, "time");
	assert_int_equal(strlen(t), 24);
	for (i = 0; i < 24; i++) {
		if (i == 4 || i == 7)
			assert_int_equal(t[i], '-');
		else if (i == 10)
			assert_int_equal(t[i], 'T');
		else if (i == 13 || i == 16)
			assert_int_equal(t[i], ':');
		else if (i == 19)
			assert_int_equal(t[i], '.');
		else if (i == 23)
			assert_int_equal(t[i], 'Z');
		else
			assert_true(t[i] >= '0' && t[i] <= '9');
	}
	assert_true(strncmp(t, "20", 2) == 0);
	json_decref(v);
}

/* Input bytes, their escaped JSON text, and what jansson reads back. */
struct esc_case {
	const char	*in;
	size_t		 inlen;
	const char	*json;
	const char	*decoded;	/* NULL: the input */
	size_t		 declen;
};

#define FFFD	"\xef\xbf\xbd"

static const struct esc_case esc_cases[] = {
	{ BUF("plain/path?x=1"), "plain/path?x=1", NULL, 0 },
	{ BUF("a\"b"), "a\\\"b", NULL, 0 },
	{ BUF("a\\b"), "a\\\\b", NULL, 0 },
	{ BUF("\"\\\""), "\\\"\\\\\\\"", NULL, 0 },
	{ BUF("a\nb\rc\td"), "a\\u000ab\\u000dc\\u0009d", NULL, 0 },
	{ BUF("\x01\x1f\x7f"), "\\u0001\\u001f\\u007f", NULL, 0 },
	{ BUF("a\0b"), "a\\u0000b", NULL, 0 },
	{ BUF("\x1b[31mred"), "\\u001b[31mred", NULL, 0 },
	{ BUF("x\n{\"forged\":1}"), "x\\u000a{\\\"forged\\\":1}", NULL, 0 },
	/* Valid multi-byte characters are kept. */
	{ BUF("caf\xc3\xa9"), "caf\xc3\xa9", NULL, 0 },
	{ BUF("\xe2\x82\xac"), "\xe2\x82\xac", NULL, 0 },
	{ BUF("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80", NULL, 0 },
	{ BUF("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf", NULL, 0 },
	{ BUF(FFFD), FFFD, NULL, 0 },
	{ BUF("\xc2\xa0"), "\xc2\xa0", NULL, 0 },		/* NBSP */
	{ BUF("\xed\x9f\xbf"), "\xed\x9f\xbf", NULL, 0 },	/* U+D7FF */
	{ BUF("\xee\x80\x80"), "\xee\x80\x80", NULL, 0 },	/* U+E000 */
	/* C1 controls and the Unicode line breaks are escaped. */
	{ BUF("\xc2\x85"), "\\u0085", NULL, 0 },
	{ BUF("\xc2\x9b" "2J"), "\\u009b2J", NULL, 0 },
	{ BUF("a\xe2\x80\xa8" "b\xe2\x80\xa9"), "a\\u2028b\\u2029", NULL, 0 },
	/* Overlong forms. */
	{ BUF("\xc0\xaf"), "\\ufffd\\ufffd", BUF(FFFD FFFD) },
	{ BUF("\xc1\xbf"), "\\ufffd\\ufffd", BUF(FFFD FFFD) },
	{ BUF("\xe0\x80\xaf"), "\\ufffd\\ufffd\\ufffd", BUF(FFFD FFFD FFFD) },
	{ BUF("\xe0\x9f\xbf"), "\\ufffd\\ufffd\\ufffd", BUF(FFFD FFFD FFFD) },
	{ BUF("\xf0\x80\x80\xaf"), "\\ufffd\\ufffd\\ufffd\\ufffd",
	    BUF(FFFD FFFD FFFD FFFD) },
	{ BUF("\xf0\x8f\xbf\xbf"), "\\ufffd\\ufffd\\ufffd\\ufffd",
	    BUF(FFFD FFFD FFFD FFFD) },
	/* Surrogates, encoded directly. */
	{ BUF("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd", BUF(FFFD FFFD FFFD) },
	{ BUF("\xed\xbf\xbf"), "\\ufffd\\ufffd\\ufffd", BUF(FFFD FFFD FFFD) },
	{ BUF("\xed\xa0\xbd\xed\xb8\x80"),
	    "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd",
	    BUF(FFFD FFFD FFFD FFFD FFFD FFFD) },
	/* Above U+10FFFF, and bytes that never start anything. */
	{ BUF("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd",
	    BUF(FFFD FFFD FFFD FFFD) },
	{ BUF("\xf5\xf8\xfe\xff"), "\\ufffd\\ufffd\\ufffd\\ufffd",
	    BUF(FFFD FFFD FFFD FFFD) },
	/* Stray continuation bytes. */
	{ BUF("a\x80" "b\xbf"), "a\\ufffdb\\ufffd", BUF("a" FFFD "b" FFFD) },
	/* Truncated sequences, at the end and before other bytes. */
	{ BUF("a\xc3"), "a\\ufffd", BUF("a" FFFD) },
	{ BUF("\xe2\x82"), "\\ufffd\\ufffd", BUF(FFFD FFFD) },
	{ BUF("\xf0\x9f\x98"), "\\ufffd\\ufffd\\ufffd", BUF(FFFD FFFD FFFD) },
	{ BUF("\xe2\x82z\xc3\xa9"), "\\ufffd\\ufffdz\xc3\xa9",
	    BUF(FFFD FFFD "z\xc3\xa9") },
	{ BUF("\xc3\""), "\\ufffd\\\"", BUF(FFFD "\"") },
};

/* The text of the path member in line. */
static char *
raw_path(void)
{
	const char	*s, *e;

	s = strstr(line, "\"path\":\"");
	assert_non_null(s);
	s += 8;
	e = strstr(s, "\",\"api_version\":");
	assert_non_null(e);
	return strndup(s, (size_t)(e - s));
}

/* Escaping, table-driven, through the path (it may hold NUL bytes). */
static void
test_escape(void **state)
{
	const struct esc_case	*c;
	struct audit_rec	 r;
	json_t			*v, *p;
	const char		*want;
	char			*raw;
	size_t			 i, wlen;

	for (i = 0; i < nitems(esc_cases); i++) {
		c = &esc_cases[i];
		memset(&r, 0, sizeof(r));
		r.path = c->in;
		r.path_len = c->inlen;
		v = fmt(&r, NULL);
		raw = raw_path();
		if (strcmp(raw, c->json) != 0)
			fail_msg("case %zu: escaped as \"%s\", want \"%s\"", i,
			    raw, c->json);
		free(raw);
		want = c->decoded != NULL ? c->decoded : c->in;
		wlen = c->decoded != NULL ? c->declen : c->inlen;
		p = json_object_get(v, "path");
		if (json_string_length(p) != wlen ||
		    memcmp(json_string_value(p), want, wlen) != 0)
			fail_msg("case %zu: reads back differently", i);
		json_decref(v);
	}
}

/* Which string of the record a truncation case fills. */
enum tfield { T_PATH, T_REASON, T_VALUE, T_RULE, T_ID, T_PROFILE,
    T_METHOD, T_FIELD, T_SAN, T_SUMMARY };

struct trunc_case {
	enum tfield	 f;
	const char	*unit;		/* repeated n times */
	size_t		 n;
	const char	*tail;		/* then this */
	size_t		 keep;		/* input bytes kept */
	int		 cut;		/* ends in the marker */
};

static const struct trunc_case trunc_cases[] = {
	{ T_PATH, "a", 4096, "", 4096, 0 },
	{ T_PATH, "a", 4097, "", 4096, 1 },
	{ T_PATH, "a", 20000, "", 4096, 1 },
	{ T_PATH, "a", 4094, "\xc3\xa9", 4096, 0 },
	{ T_PATH, "a", 4095, "\xc3\xa9", 4095, 1 },	/* no half é */
	{ T_PATH, "a", 4094, "\xe2\x82\xac", 4094, 1 },
	{ T_PATH, "\"", 4096, "", 4096, 0 },		/* escapes are free */
	{ T_PATH, "\x01", 4097, "", 4096, 1 },
	{ T_REASON, "r", 1024, "", 1024, 0 },
	{ T_REASON, "r", 1025, "", 1024, 1 },
	{ T_VALUE, "v", 512, "", 512, 0 },
	{ T_VALUE, "v", 513, "", 512, 1 },
	{ T_RULE, "x", 256, "", 256, 0 },
	{ T_RULE, "x", 257, "", 256, 1 },
	{ T_ID, "x", 300, "", 256, 1 },
	{ T_PROFILE, "x", 300, "", 256, 1 },
	{ T_METHOD, "X", 300, "", 256, 1 },
	{ T_FIELD, "x", 300, "", 256, 1 },
	{ T_SAN, "x", 300, "", 256, 1 },
	{ T_SUMMARY, "x", 300, "", 256, 1 },
	{ T_SUMMARY, "x", 256, "", 256, 0 },
};

/* Per-field caps and the marker, table-driven. */
static void
test_truncation(void **state)
{
	const struct trunc_case	*c;
	struct identity		 id;
	struct audit_rec	 r;
	const char		*sans1[1];
	json_t			*v, *sum = NULL, *got;
	char			*in, *want;
	size_t			 i, k, ulen, len, wlen;

	for (i = 0; i < nitems(trunc_cases); i++) {
		c = &trunc_cases[i];
		ulen = strlen(c->unit);
		len = ulen * c->n + strlen(c->tail);
		in = malloc(len + 1);
		for (k = 0; k < c->n; k++)
			memcpy(in + k * ulen, c->unit, ulen);
		strcpy(in + ulen * c->n, c->tail);
		tls_ident(&id);
		base_rec(&r, &id);
		sans1[0] = in;
		switch (c->f) {
		case T_PATH:	r.path = in; break;
		case T_REASON:	r.reason = in; break;
		case T_VALUE:	r.value = in; break;
		case T_RULE:	r.rule = in; break;
		case T_ID:	r.id = in; break;
		case T_PROFILE:	r.profile = in; break;
		case T_METHOD:	r.method = in; break;
		case T_FIELD:	r.field = in; break;
		case T_SAN:
			id.cert_sans = sans1;
			id.cert_nsans = 1;
			break;
		case T_SUMMARY:
			sum = json_pack("{s:[s]}", "Binds", in);
			r.summary = sum;
			break;
		}
		v = fmt(&r, NULL);
		switch (c->f) {
		case T_PATH:	got = json_object_get(v, "path"); break;
		case T_REASON:	got = json_object_get(v, "reason"); break;
		case T_VALUE:	got = json_object_get(v, "value"); break;
		case T_RULE:	got = json_object_get(v, "rule"); break;
		case T_ID:	got = json_object_get(v, "id"); break;
		case T_PROFILE:	got = json_object_get(v, "profile"); break;
		case T_METHOD:	got = json_object_get(v, "method"); break;
		case T_FIELD:	got = json_object_get(v, "field"); break;
		case T_SAN:
			got = json_array_get(json_object_get(json_object_get(v,
			    "identity"), "sans"), 0);
			break;
		default:
			got = json_array_get(json_object_get(json_object_get(v,
			    "summary"), "Binds"), 0);
			break;
		}
		assert_true(json_is_string(got));
		wlen = c->keep + (c->cut ? strlen(MARK) : 0);
		want = malloc(wlen + 1);
		memcpy(want, in, c->keep);
		memcpy(want + c->keep, MARK, c->cut ? strlen(MARK) : 0);
		/* \x01 reads back as itself: the escape is \u0001. */
		if (json_string_length(got) != wlen ||
		    memcmp(json_string_value(got), want, wlen) != 0)
			fail_msg("case %zu: got %zu bytes, want %zu", i,
			    json_string_length(got), wlen);
		free(want);
		free(in);
		json_decref(v);
		json_decref(sum);
		sum = NULL;
	}
}

/* Fills s with n bytes of \x01, each escaped to six. */
static char *
ctl_string(size_t n)
{
	char	*s = malloc(n + 1);

	memset(s, 1, n);
	s[n] = '\0';
	return s;
}

/* Whatever the fields hold, a line stays under 64 KiB and whole. */
static void
test_line_bound(void **state)
{
	static const char *const names[] = { "time", "stage", "id", "conn",
	    "listener", "identity", "profile", "method", "path",
	    "api_version", "decision", "rule", "reason", "field", "value",
	    "status", "bytes_in", "bytes_out", "duration_ms", "summary" };
	struct identity	 id;
	struct audit_rec r;
	const char	**many;
	char		*big, *small;
	json_t		*sum, *arr, *deep, *v;
	size_t		 i, n;

	big = ctl_string(100000);
	small = ctl_string(300);
	many = malloc(1000 * sizeof(*many));
	for (i = 0; i < 1000; i++)
		many[i] = small;
	tls_ident(&id);
	id.cert_subject = id.cert_cn = id.cert_issuer = big;
	id.cert_fingerprint = big;
	id.cert_sans = many;
	id.cert_nsans = 1000;
	sum = json_object();
	arr = json_array();
	for (i = 0; i < 1000; i++)
		json_array_append_new(arr, json_string_nocheck(small));
	json_object_set_new(sum, "Binds", arr);
	deep = json_string("bottom");
	for (i = 0; i < 50; i++)
		deep = json_pack("{s:o}", "d", deep);
	json_object_set_new(sum, "deep", deep);
	memset(&r, 0, sizeof(r));
	r.stage = "complete";
	r.id = r.listener = r.profile = r.method = r.path = r.api_version =
	    r.decision = r.rule = r.reason = r.field = r.value = big;
	r.stage = "complete";
	r.ident = &id;
	r.summary = sum;
	v = fmt(&r, NULL);
	for (i = 0; i < nitems(names); i++)
		if (json_object_get(v, names[i]) == NULL)
			fail_msg("\"%s\" missing", names[i]);
	assert_non_null(strstr(line, MARK));
	json_decref(v);

	/* Summary first to overflow: its own markers, still whole. */
	base_rec(&r, NULL);
	r.summary = sum;
	v = fmt(&r, NULL);
	assert_non_null(strstr(line, "\"" MARK "\"]"));
	/* Depth: the 50-deep object ends in a marker. */
	json_object_del(sum, "Binds");
	json_decref(v);
	v = fmt(&r, NULL);
	assert_non_null(strstr(line, "{\"d\":\"" MARK "\"}"));
	json_decref(v);

	/* The smallest buffer squeezes but still holds a whole record. */
	r.path = big;
	n = audit_format(&r, line, AUDIT_MIN_BUF, NULL);
	assert_true(n > 0 && n < AUDIT_MIN_BUF);
	json_decref(parse_line(line, n));
	assert_int_equal(audit_format(&r, line, AUDIT_MIN_BUF - 1, NULL), 0);

	json_decref(sum);
	free(many);
	free(small);
	free(big);
}

/* Opens an audit log on name in the test directory. */
static struct audit *
open_file(const char *name)
{
	struct audit_conf c = { .path = tpath(name) };
	struct audit	*a;
	char		 err[256];

	if (audit_open(&c, &a, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	return a;
}

/* Open errors: symbolic link, directory, FIFO, missing directory. */
static void
test_open_errors(void **state)
{
	static const struct {
		const char	*name;
		int		 err;
		const char	*msg;
	} cases[] = {
		{ "link.log", ELOOP, "is a symbolic link" },
		{ "dir.log", EISDIR, "Is a directory" },
		{ "fifo.log", ENXIO, "not a regular file" },
		{ "missing/a.log", ENOENT, "No such file" },
	};
	struct audit_conf c = { 0 };
	struct audit	*a;
	struct stat	 st;
	char		 err[256];
	size_t		 i;

	assert_int_equal(symlink("target.log", tpath("link.log")), 0);
	assert_int_equal(mkdir(tpath("dir.log"), 0755), 0);
	assert_int_equal(mkfifo(tpath("fifo.log"), 0600), 0);
	for (i = 0; i < nitems(cases); i++) {
		c.path = tpath(cases[i].name);
		a = (struct audit *)&c;
		errno = 0;
		assert_int_equal(audit_open(&c, &a, err, sizeof(err)), -1);
		assert_int_equal(errno, cases[i].err);
		assert_null(a);
		if (strstr(err, cases[i].msg) == NULL ||
		    strstr(err, c.path) == NULL)
			fail_msg("case %zu: \"%s\"", i, err);
	}
	/* The symbolic link was not followed. */
	assert_int_equal(lstat(tpath("target.log"), &st), -1);

	/* A new file gets mode 0640. */
	a = open_file("mode.log");
	assert_int_equal(stat(tpath("mode.log"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_true(audit_healthy(a));
	audit_close(a);
}

/* NULL handles: nothing to do, nothing fails. */
static void
test_null_handles(void **state)
{
	struct audit_rec r;

	base_rec(&r, NULL);
	audit_close(NULL);
	assert_int_equal(audit_write(NULL, &r), 0);
	assert_int_equal(audit_reopen(NULL), 0);
	assert_true(audit_healthy(NULL));
}

/* Records appended to the file, one line each, parseable. */
static void
test_write_file(void **state)
{
	struct identity	 id;
	struct audit_rec r;
	struct audit	*a;

	unix_ident(&id);
	base_rec(&r, &id);
	a = open_file("write.log");
	assert_int_equal(audit_write(a, &r), 0);
	r.stage = "complete";
	r.status = 403;
	assert_int_equal(audit_write(a, &r), 0);
	audit_close(a);
	a = open_file("write.log");		/* appends */
	assert_int_equal(audit_write(a, &r), 0);
	audit_close(a);
	assert_int_equal(check_file(tpath("write.log")), 3);
}

/*
 * One write(2) per record: stderr is a SOCK_SEQPACKET socket, which
 * keeps the boundary of every write as one message.
 */
static void
test_single_write(void **state)
{
	struct audit_conf c = { .to_stderr = 1 };
	struct audit_rec r;
	struct audit	*a;
	char		 err[256], *big, *msg;
	ssize_t		 n;
	int		 sv[2], saved, i;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	n = 256 * 1024;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &n, sizeof(int));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &n, sizeof(int));
	saved = dup(STDERR_FILENO);
	assert_int_equal(dup2(sv[0], STDERR_FILENO), STDERR_FILENO);
	assert_int_equal(audit_open(&c, &a, err, sizeof(err)), 0);
	big = ctl_string(5000);
	base_rec(&r, NULL);
	assert_int_equal(audit_write(a, &r), 0);
	r.path = big;				/* 24 KiB escaped */
	assert_int_equal(audit_write(a, &r), 0);
	r.path = "/_ping";
	assert_int_equal(audit_write(a, &r), 0);
	audit_close(a);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(sv[0]);

	msg = malloc(AUDIT_LINE_MAX + 1);
	for (i = 0; i < 3; i++) {
		n = recv(sv[1], msg, AUDIT_LINE_MAX + 1, MSG_DONTWAIT);
		assert_true(n > 0);
		json_decref(parse_line(msg, (size_t)n));
		if (i == 1)
			assert_true(n > 24576);
	}
	assert_int_equal(recv(sv[1], msg, AUDIT_LINE_MAX, MSG_DONTWAIT), 0);
	close(sv[1]);
	free(msg);
	free(big);
}

/* Writers appending long lines to one file at once never interleave. */
static void
test_concurrent_writers(void **state)
{
	struct audit_rec r;
	struct audit	*a;
	char		*big;
	pid_t		 pids[4];
	int		 i, k, st;

	big = malloc(20001);
	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0) {
			memset(big, 'a' + i, 20000);
			big[20000] = '\0';
			a = open_file("many.log");
			base_rec(&r, NULL);
			r.reason = big;			/* 1 KiB */
			r.path = big;			/* 4 KiB */
			r.summary = json_pack("{s:[s,s,s,s,s,s,s,s,s,s]}",
			    "Binds", big, big, big, big, big, big, big, big,
			    big, big);
			for (k = 0; k < 300; k++)
				if (audit_write(a, &r) != 0)
					_exit(1);
			json_decref(r.summary);
			audit_close(a);
			free(big);
			_exit(0);
		}
		assert_true(pids[i] > 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(check_file(tpath("many.log")), 1200);
	free(big);
}

/* logrotate: write, rename, reopen, write; a failed reopen keeps the old. */
static void
test_reopen(void **state)
{
	struct audit_rec r;
	struct audit	*a;

	base_rec(&r, NULL);
	a = open_file("rot.log");
	assert_int_equal(audit_write(a, &r), 0);
	assert_int_equal(rename(tpath("rot.log"), tpath("rot.log.1")), 0);
	assert_int_equal(audit_write(a, &r), 0);	/* still the old */
	assert_int_equal(audit_reopen(a), 0);
	assert_int_equal(audit_write(a, &r), 0);
	assert_int_equal(check_file(tpath("rot.log.1")), 2);
	assert_int_equal(check_file(tpath("rot.log")), 1);

	/* Rotated again, and a symbolic link planted at the path. */
	assert_int_equal(rename(tpath("rot.log"), tpath("rot.log.2")), 0);
	assert_int_equal(symlink("/etc/passwd", tpath("rot.log")), 0);
	errno = 0;
	assert_int_equal(audit_reopen(a), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(audit_write(a, &r), 0);
	assert_true(audit_healthy(a));
	assert_int_equal(check_file(tpath("rot.log.2")), 2);
	audit_close(a);

	/* Without a path, reopening does nothing. */
	{
		struct audit_conf c = { .resolve_names = 1 };
		char err[64];

		assert_int_equal(audit_open(&c, &a, err, sizeof(err)), 0);
		assert_int_equal(audit_reopen(a), 0);
		assert_int_equal(audit_write(a, &r), 0);
		audit_close(a);
	}
}

/*
 * The child half of test_short_write: returns the number of the step
 * that went wrong, 0 if none.  RLIMIT_FSIZE with SIGXFSZ ignored makes
 * the kernel write up to the limit (short) and then fail with EFBIG.
 */
static int
short_write_child(void)
{
	struct rlimit	 rl;
	struct audit_rec r;
	struct audit	*a;
	struct stat	 st;
	off_t		 size;

	struct audit_conf c = { .path = tpath("short.log"), .to_stderr = 1 };
	char		 err[256];

	signal(SIGXFSZ, SIG_IGN);
	if (getrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 1;
	/* A failing stderr sink (read-only: EBADF) keeps the file's errno. */
	if (dup2(open("/dev/null", O_RDONLY), STDERR_FILENO) == -1 ||
	    audit_open(&c, &a, err, sizeof(err)) == -1)
		return 1;
	base_rec(&r, NULL);
	if (audit_write(a, &r) != 0 || stat(tpath("short.log"), &st) == -1)
		return 2;
	size = st.st_size;

	/* Room for 100 bytes of the next line: short, cut back. */
	rl.rlim_cur = (rlim_t)size + 100;
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 3;
	errno = 0;
	if (audit_write(a, &r) != -1 || errno != ENOSPC)
		return 4;
	if (audit_healthy(a) || stat(tpath("short.log"), &st) == -1 ||
	    st.st_size != size)
		return 5;

	/* No room at all: EFBIG, nothing written. */
	rl.rlim_cur = (rlim_t)size;
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 6;
	errno = 0;
	if (audit_write(a, &r) != -1 || errno != EFBIG)
		return 7;
	if (stat(tpath("short.log"), &st) == -1 || st.st_size != size)
		return 8;

	/* Room again: healthy again. */
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_FSIZE, &rl) == -1)
		return 9;
	r.stage = "complete";
	if (audit_write(a, &r) != 0 || !audit_healthy(a))
		return 10;
	audit_close(a);
	return 0;
}

/* A short write leaves no torn line; the call fails, then recovers. */
static void
test_short_write(void **state)
{
	pid_t	pid;
	int	st;

	if ((pid = fork()) == 0)
		_exit(short_write_child());
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) != 0)
		fail_msg("child failed at step %d", WEXITSTATUS(st));
	assert_int_equal(check_file(tpath("short.log")), 2);
}

/* A summary case: kind, body, name, the summary wanted (NULL: none). */
struct sum_case {
	const char	*kind;
	const char	*body;
	const char	*name;
	const char	*want;
};

static const struct sum_case sum_cases[] = {
	{ "container",
	  "{\"Image\":\"nginx:latest\",\"User\":\"1000:1000\","
	  "\"Env\":[\"TOKEN=" SECRET "\",\"PATH=/usr/bin\",\"EMPTY=\","
	  "\"BARE\"],"
	  "\"Cmd\":[\"sh\",\"-c\",\"login -p " SECRET "\"],"
	  "\"Entrypoint\":[\"" SECRET "\"],"
	  "\"Labels\":{\"team\":\"web\",\"tier\":\"front\"},"
	  "\"HostConfig\":{\"Privileged\":true,\"CapAdd\":[\"NET_ADMIN\"],"
	  "\"Binds\":[\"/srv:/srv:ro\"],"
	  "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\","
	  "\"Target\":\"/v\",\"VolumeOptions\":{\"DriverConfig\":{"
	  "\"Name\":\"cifs\",\"Options\":{\"password\":\"" SECRET "\"}}}},"
	  "{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/host\","
	  "\"ReadOnly\":true}],"
	  "\"NetworkMode\":\"host\",\"PidMode\":\"host\",\"IpcMode\":\"host\","
	  "\"UTSMode\":\"host\",\"UsernsMode\":\"host\","
	  "\"CgroupnsMode\":\"host\","
	  "\"Devices\":[{\"PathOnHost\":\"/dev/fuse\","
	  "\"PathInContainer\":\"/dev/fuse\","
	  "\"CgroupPermissions\":\"rwm\"}],"
	  "\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":\\\"" SECRET
	  "\\\"}\",\"seccomp=unconfined\",\"label=disable\","
	  "\"seccomp:{\\\"x\\\":\\\"" SECRET "\\\"}\",\"seccomp=builtin\"],"
	  "\"Runtime\":\"runsc\",\"VolumesFrom\":[\"data:ro\"],"
	  "\"Memory\":1024}}",
	  "web",
	  "{\"Image\":\"nginx:latest\",\"name\":\"web\",\"User\":\"1000:1000\","
	  "\"Env\":[\"TOKEN=<redacted>\",\"PATH=<redacted>\","
	  "\"EMPTY=<redacted>\",\"BARE\"],"
	  "\"Labels\":{\"team\":\"web\",\"tier\":\"front\"},"
	  "\"HostConfig\":{\"Privileged\":true,\"CapAdd\":[\"NET_ADMIN\"],"
	  "\"Binds\":[\"/srv:/srv:ro\"],"
	  "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\"},"
	  "{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/host\"}],"
	  "\"NetworkMode\":\"host\",\"PidMode\":\"host\",\"IpcMode\":\"host\","
	  "\"UTSMode\":\"host\",\"UsernsMode\":\"host\","
	  "\"CgroupnsMode\":\"host\",\"Devices\":[\"/dev/fuse\"],"
	  "\"SecurityOpt\":[\"seccomp=<profile>\",\"seccomp=unconfined\","
	  "\"label=disable\",\"seccomp=<profile>\",\"seccomp=builtin\"],"
	  "\"Runtime\":\"runsc\",\"VolumesFrom\":[\"data:ro\"]}}" },
	/* Keys found the way Go finds them. */
	{ "container",
	  "{\"image\":\"alpine\",\"ENV\":[\"K=" SECRET "\"],"
	  "\"hostconfig\":{\"privileged\":true,\"BINDS\":[\"/:/h\"],"
	  "\"Pidmode\":\"host\",\"mounts\":[{\"type\":\"bind\","
	  "\"SOURCE\":\"/\",\"target\":\"/h\"}],"
	  "\"devices\":[{\"pathonhost\":\"/dev/mem\"}]}}",
	  NULL,
	  "{\"Image\":\"alpine\",\"Env\":[\"K=<redacted>\"],"
	  "\"HostConfig\":{\"Privileged\":true,\"Binds\":[\"/:/h\"],"
	  "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/h\"}],"
	  "\"PidMode\":\"host\",\"Devices\":[\"/dev/mem\"]}}" },
	/* Zero values are left out. */
	{ "container",
	  "{\"Image\":\"alpine\",\"User\":\"\",\"Env\":null,\"Labels\":{},"
	  "\"HostConfig\":{\"Privileged\":false,\"CapAdd\":[],"
	  "\"Binds\":null,\"NetworkMode\":\"\",\"SecurityOpt\":null}}",
	  "",
	  "{\"Image\":\"alpine\"}" },
	{ "container", "{}", NULL, "{}" },
	{ "exec",
	  "{\"AttachStdout\":true,\"Tty\":true,\"Privileged\":true,"
	  "\"User\":\"root\",\"Cmd\":[\"mysql\",\"-p" SECRET "\"],"
	  "\"Env\":[\"MYSQL_PWD=" SECRET "\"],\"WorkingDir\":\"/\"}",
	  "db",
	  "{\"container\":\"db\",\"Privileged\":true,\"User\":\"root\","
	  "\"Tty\":true,\"Env\":[\"MYSQL_PWD=<redacted>\"]}" },
	{ "exec", "{\"Cmd\":[\"ls\"]}", NULL, "{}" },
	{ "service",
	  "{\"Name\":\"web\",\"TaskTemplate\":{\"ContainerSpec\":{"
	  "\"Image\":\"nginx\",\"User\":\"nobody\","
	  "\"Env\":[\"DB_PASSWORD=" SECRET "\"],"
	  "\"Args\":[\"--password\",\"" SECRET "\"],"
	  "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\",\"Target\":\"/host\","
	  "\"BindOptions\":{\"Propagation\":\"rshared\"}}],"
	  "\"CapabilityAdd\":[\"CAP_SYS_ADMIN\"]}},"
	  "\"Labels\":{\"x\":\"y\"}}",
	  "svc1",
	  "{\"service\":\"svc1\",\"Name\":\"web\",\"ContainerSpec\":{"
	  "\"Image\":\"nginx\",\"User\":\"nobody\","
	  "\"Env\":[\"DB_PASSWORD=<redacted>\"],"
	  "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\","
	  "\"Target\":\"/host\"}],\"CapabilityAdd\":[\"CAP_SYS_ADMIN\"]}}" },
	{ "service", "{\"Name\":\"x\",\"TaskTemplate\":null}", NULL,
	  "{\"Name\":\"x\"}" },
	{ "volume", "{\"Name\":\"v\"}", NULL, NULL },
	{ "container", "[]", NULL, NULL },
};

/* Summaries, table-driven; no secret reaches a summary or a line. */
static void
test_summary(void **state)
{
	const struct sum_case	*c;
	struct audit_rec	 r;
	json_error_t		 err;
	json_t			*body, *want, *got, *v;
	char			*dump;
	size_t			 i;

	for (i = 0; i < nitems(sum_cases); i++) {
		c = &sum_cases[i];
		body = json_loads(c->body, JSON_DECODE_ANY, &err);
		if (body == NULL)
			fail_msg("case %zu: body: %s", i, err.text);
		got = audit_summary(c->kind, body, c->name);
		if (c->want == NULL) {
			assert_null(got);
			json_decref(body);
			continue;
		}
		want = json_loads(c->want, 0, &err);
		if (want == NULL)
			fail_msg("case %zu: want: %s", i, err.text);
		assert_non_null(got);
		dump = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!json_equal(got, want))
			fail_msg("case %zu: got %s", i, dump);
		if (strstr(dump, SECRET) != NULL)
			fail_msg("case %zu: secret in %s", i, dump);
		free(dump);
		/* Nor in the line carrying it. */
		base_rec(&r, NULL);
		r.summary = got;
		v = fmt(&r, NULL);
		assert_null(strstr(line, SECRET));
		assert_true(json_equal(json_object_get(v, "summary"), want));
		json_decref(v);
		json_decref(want);
		json_decref(got);
		json_decref(body);
	}
	assert_null(audit_summary(NULL, NULL, NULL));
	assert_null(audit_summary("container", NULL, NULL));
}

/* A summary name need not be UTF-8: the line escapes it. */
static void
test_summary_name_bytes(void **state)
{
	struct audit_rec r;
	json_t		*body, *sum, *v;

	body = json_object();
	sum = audit_summary("container", body, "web\xff\n");
	base_rec(&r, NULL);
	r.summary = sum;
	v = fmt(&r, NULL);
	assert_non_null(strstr(line, "\"name\":\"web\\ufffd\\u000a\""));
	json_decref(v);
	json_decref(sum);
	json_decref(body);
}

/* Secrets in Env values never reach the file or stderr. */
static void
test_redaction_sinks(void **state)
{
	struct audit_conf c = { .path = tpath("redact.log"), .to_stderr = 1,
			    .syslog = 1 };
	struct audit_rec r;
	struct audit	*a;
	json_t		*body, *sum;
	char		 err[256], *p, *got;
	size_t		 len;
	int		 fd, saved;

	body = json_loads(sum_cases[0].body, 0, NULL);
	assert_non_null(body);
	sum = audit_summary("container", body, "web");
	fd = open(tpath("redact.err"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	assert_int_equal(audit_open(&c, &a, err, sizeof(err)), 0);
	base_rec(&r, NULL);
	r.summary = sum;
	assert_int_equal(audit_write(a, &r), 0);
	audit_close(a);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	p = slurp(tpath("redact.log"), &len);
	assert_null(strstr(p, SECRET));
	assert_non_null(strstr(p, "TOKEN=<redacted>"));
	got = slurp(tpath("redact.err"), &len);
	assert_string_equal(got, p);
	free(got);
	free(p);
	json_decref(sum);
	json_decref(body);
}

/* Decisions by name. */
static void
test_decision_names(void **state)
{
	static const struct {
		int		 allow, denied, audit_only;
		const char	*want;
	} cases[] = {
		{ 1, 0, 0, "allow" },
		{ 0, 1, 0, "deny" },
		{ 0, 0, 0, "deny" },
		{ 1, 1, 1, "audit-deny" },
	};
	struct decision	d;
	size_t		i;

	for (i = 0; i < nitems(cases); i++) {
		memset(&d, 0, sizeof(d));
		d.allow = cases[i].allow;
		d.denied = cases[i].denied;
		d.audit_only = cases[i].audit_only;
		assert_string_equal(audit_decision(&d), cases[i].want);
	}
}

/* qsort() comparator for ids. */
static int
id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 17);
}

/* 100,000 ids: 16 lower-case hex digits, all different; fork redraws. */
static void
test_ids(void **state)
{
	enum { N = 100000 };
	char	(*ids)[17], child[17];
	size_t	 i, k;
	pid_t	 pid;
	int	 fds[2], st;

	ids = malloc(N * sizeof(*ids));
	for (i = 0; i < N; i++) {
		audit_new_id(ids[i]);
		assert_int_equal(strlen(ids[i]), 16);
		for (k = 0; k < 16; k++)
			assert_non_null(strchr("0123456789abcdef", ids[i][k]));
	}
	qsort(ids, N, sizeof(*ids), id_cmp);
	for (i = 1; i < N; i++)
		if (memcmp(ids[i - 1], ids[i], 17) == 0)
			fail_msg("id %s repeated", ids[i]);

	/* A child draws its own prefix instead of repeating ours. */
	audit_new_id(ids[0]);
	assert_int_equal(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		audit_new_id(child);
		_exit(write(fds[1], child, 17) == 17 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(read(fds[0], child, 17), 17);
	close(fds[0]);
	close(fds[1]);
	assert_true(strcmp(child, ids[0]) != 0);
	assert_true(strncmp(child, ids[0], 8) != 0);
	free(ids);
}

/* User and group names: resolved, cached, or not asked for. */
static void
test_names(void **state)
{
	struct audit_conf c = { .resolve_names = 1 };
	struct identity	 id;
	struct audit_rec r;
	struct passwd	*pw;
	struct group	*gr;
	struct audit	*a, *off;
	json_t		*v, *i;
	char		 err[64], user[64], group[64];
	int		 k;

	if ((pw = getpwuid(0)) == NULL || (gr = getgrgid(0)) == NULL)
		skip();
	snprintf(user, sizeof(user), "%s", pw->pw_name);
	snprintf(group, sizeof(group), "%s", gr->gr_name);
	assert_int_equal(audit_open(&c, &a, err, sizeof(err)), 0);
	c.resolve_names = 0;
	assert_int_equal(audit_open(&c, &off, err, sizeof(err)), 0);
	unix_ident(&id);
	id.uid = 0;
	id.gid = 0;
	base_rec(&r, &id);
	for (k = 0; k < 2; k++) {		/* lookup, then cache */
		v = fmt(&r, a);
		i = json_object_get(v, "identity");
		assert_string_equal(sval(i, "user"), user);
		assert_string_equal(sval(i, "group"), group);
		json_decref(v);
	}
	v = fmt(&r, off);
	assert_null(json_object_get(json_object_get(v, "identity"), "user"));
	json_decref(v);
	v = fmt(&r, NULL);
	assert_null(json_object_get(json_object_get(v, "identity"), "user"));
	json_decref(v);

	/* Unknown ids have no names; churn past the cache's size. */
	for (k = 0; k < 3 * AUDIT_NAMES_CACHE; k++) {
		id.uid = (uid_t)(3000000 + k);
		id.gid = (gid_t)(3000000 + k);
		v = fmt(&r, a);
		i = json_object_get(v, "identity");
		assert_null(json_object_get(i, "user"));
		assert_null(json_object_get(i, "group"));
		json_decref(v);
	}
	id.uid = 0;
	v = fmt(&r, a);
	assert_string_equal(sval(json_object_get(v, "identity"), "user"),
	    user);
	json_decref(v);
	audit_close(off);
	audit_close(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_decision),
		cmocka_unit_test(test_fields_complete),
		cmocka_unit_test(test_fields_null),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_line_bound),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_null_handles),
		cmocka_unit_test(test_write_file),
		cmocka_unit_test(test_single_write),
		cmocka_unit_test(test_concurrent_writers),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_short_write),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_summary_name_bytes),
		cmocka_unit_test(test_redaction_sinks),
		cmocka_unit_test(test_decision_names),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
