/*
 * Unit tests for HTTP framing (http.c): request heads (scan, parse,
 * every malformed shape), head re-serialisation, request bodies (length
 * and chunked, re-framed or decoded), response tracking, and the
 * Docker-style error responses.
 *
 * Most tests are tables.  Each table case is also run one byte at a time
 * and must give the same result as the bytes arriving all at once.  A
 * table prints every wrong case before failing, so one run shows them all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <jansson.h>

#include "config.h"
#include "http.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
/* A string literal that may hold NUL bytes, and its length. */
#define LIT(s)		s, sizeof(s) - 1

/* Limits for most cases: small, so the limit cases stay readable. */
static const struct limits lim_test = {
	.max_connections = 16,
	.max_request_line = 256,
	.max_header_bytes = 2048,
	.max_headers = 16,
	.max_inspect_body = 65536,
	.header_timeout_ms = 1000,
	.idle_timeout_ms = 1000,
	.drain_timeout_ms = 1000,
};

/* ------------------------------------------------------------------ */
/* Helpers */

/* Returns a malloc'd copy of buf's contents (NUL-terminated), *len set. */
static char *
buf_dup(struct evbuffer *buf, size_t *len)
{
	size_t	 n = evbuffer_get_length(buf);
	char	*s = malloc(n + 1);

	assert_non_null(s);
	if (n > 0)
		assert_int_equal(evbuffer_copyout(buf, s, n), (ev_ssize_t)n);
	s[n] = '\0';
	if (len != NULL)
		*len = n;
	return s;
}

/* True if buf holds exactly s[0..n). */
static int
buf_equals(struct evbuffer *buf, const char *s, size_t n)
{
	char	*got;
	size_t	 len;
	int	 eq;

	got = buf_dup(buf, &len);
	eq = len == n && memcmp(got, s, n) == 0;
	free(got);
	return eq;
}

/* Prints n bytes with C escapes into a static buffer, for messages. */
static const char *
esc(const char *s, size_t n)
{
	static char	out[4][2048];
	static int	which;
	char		*o = out[which++ % 4];
	size_t		 i, k = 0;

	for (i = 0; i < n && k + 8 < sizeof(out[0]); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			k += (size_t)snprintf(o + k, 3, "\\r");
		else if (c == '\n')
			k += (size_t)snprintf(o + k, 3, "\\n");
		else if (c == '\t')
			k += (size_t)snprintf(o + k, 3, "\\t");
		else if (c == '\\' || c == '"')
			k += (size_t)snprintf(o + k, 3, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			k += (size_t)snprintf(o + k, 5, "\\x%02x", c);
		else
			o[k++] = (char)c;
	}
	if (i < n)
		k += (size_t)snprintf(o + k, 4, "...");
	o[k] = '\0';
	return o;
}

/* Outcome of scanning (and parsing) a request head. */
struct head_result {
	int	 scan;		/* http_head_scan(): 1, 0 or -1 */
	int	 status;	/* 0 if parsed, else the error status */
	char	*head;		/* the head found (malloc'd) */
	size_t	 head_len;
	size_t	 left;		/* input left after the head */
};

/* Frees what a head_result owns. */
static void
head_result_free(struct head_result *hr)
{
	free(hr->head);
	hr->head = NULL;
}

/*
 * Feeds raw[0..len) to http_head_scan() in pieces of step bytes (0: all
 * at once), calling it after each piece with the same scanned counter,
 * like the proxy does; then parses the head if one was found.
 */
static void
head_run(const char *raw, size_t len, size_t step, const struct limits *lim,
    struct head_result *hr, struct http_request *req)
{
	struct evbuffer		*in;
	struct http_error	 err = { 0, NULL };
	size_t			 off = 0, n, scanned = 0, head_len = 0;
	unsigned char		*p;
	int			 r = 0;

	memset(hr, 0, sizeof(*hr));
	memset(req, 0, sizeof(*req));
	assert_non_null(in = evbuffer_new());
	if (step == 0)
		step = len;
	while (off < len) {
		n = len - off < step ? len - off : step;
		assert_int_equal(evbuffer_add(in, raw + off, n), 0);
		off += n;
		r = http_head_scan(in, lim, &scanned, &head_len, &err);
		if (r != 0)
			break;
	}
	hr->scan = r;
	if (r == -1) {
		assert_non_null(err.reason);
		hr->status = err.status;
	} else if (r == 1) {
		assert_true(head_len > 0 &&
		    head_len <= evbuffer_get_length(in));
		p = evbuffer_pullup(in, (ev_ssize_t)head_len);
		hr->head = malloc(head_len);
		assert_non_null(hr->head);
		memcpy(hr->head, p, head_len);
		hr->head_len = head_len;
		hr->left = evbuffer_get_length(in) - head_len + (len - off);
		if (http_request_parse((char *)p, head_len, lim, req,
		    &err) == -1) {
			assert_non_null(err.reason);
			hr->status = err.status;
		}
	}
	evbuffer_free(in);
}

/* Parses a complete head that must be accepted (test_lim). */
static void
parse_ok(const char *raw, size_t len, struct http_request *req)
{
	struct http_error	err = { 0, NULL };

	if (http_request_parse(raw, len, &lim_test, req, &err) != 0)
		fail_msg("refused with %d (%s): \"%s\"", err.status,
		    err.reason, esc(raw, len));
}

/* ------------------------------------------------------------------ */
/* Request heads */

#define NEED_MORE	(-1)	/* status: the scan must ask for more */

struct req_case {
	const char		*name;
	const char		*raw;
	size_t			 len;
	int			 status;	/* 0 accepted, or expected */
	int			 alt;		/* also acceptable */
	const char		*method;
	const char		*url;
	enum http_framing	 framing;
	uint64_t		 cl;
	int			 keep_alive;
	int			 upgrade;
	int			 expect;
};

#define RQ_BAD(name, raw, st) \
	{ name, LIT(raw), st, st, NULL, NULL, 0, 0, 0, 0, 0 }
#define RQ_BAD2(name, raw, st, alt) \
	{ name, LIT(raw), st, alt, NULL, NULL, 0, 0, 0, 0, 0 }
#define RQ_OK(name, raw, m, u, fr, cl, ka, up, ex) \
	{ name, LIT(raw), 0, 0, m, u, fr, cl, ka, up, ex }

#define H11		" HTTP/1.1\r\nHost: docker\r\n"
#define CHUNKED		"Transfer-Encoding: chunked\r\n"

static const struct req_case req_cases[] = {
	/* What the docker CLI sends. */
	RQ_OK("ping", "GET /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n"
	    "User-Agent: Docker-Client/24.0.5 (linux)\r\n\r\n",
	    "GET", "/_ping", HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("head ping", "HEAD /_ping HTTP/1.1\r\nHost: docker\r\n\r\n",
	    "HEAD", "/_ping", HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("create", "POST /v1.41/containers/create?name=web" H11
	    "Content-Type: application/json\r\nContent-Length: 123\r\n\r\n",
	    "POST", "/v1.41/containers/create?name=web", HTTP_BODY_LENGTH,
	    123, 1, 0, 0),
	RQ_OK("archive", "PUT /v1.41/containers/abc/archive?path=%2Ftmp" H11
	    "Content-Type: application/x-tar\r\n" CHUNKED "\r\n",
	    "PUT", "/v1.41/containers/abc/archive?path=%2Ftmp",
	    HTTP_BODY_CHUNKED, 0, 1, 0, 0),
	RQ_OK("exec start", "POST /v1.41/exec/abc/start" H11
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n"
	    "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n",
	    "POST", "/v1.41/exec/abc/start", HTTP_BODY_LENGTH, 27, 1, 1, 0),
	RQ_OK("attach", "POST /containers/abc/attach?stream=1&stdin=1" H11
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n",
	    "POST", "/containers/abc/attach?stream=1&stdin=1",
	    HTTP_BODY_NONE, 0, 1, 1, 0),
	RQ_OK("delete", "DELETE /v1.41/containers/abc?force=1" H11 "\r\n",
	    "DELETE", "/v1.41/containers/abc?force=1", HTTP_BODY_NONE, 0, 1,
	    0, 0),
	RQ_OK("options", "OPTIONS /_ping" H11 "\r\n", "OPTIONS", "/_ping",
	    HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("patch", "PATCH /x" H11 "Content-Length: 0\r\n\r\n", "PATCH",
	    "/x", HTTP_BODY_LENGTH, 0, 1, 0, 0),
	/* Versions and keep-alive. */
	RQ_OK("1.0 without Host", "GET /_ping HTTP/1.0\r\n\r\n", "GET",
	    "/_ping", HTTP_BODY_NONE, 0, 0, 0, 0),
	RQ_OK("1.0 keep-alive", "GET /_ping HTTP/1.0\r\n"
	    "Connection: keep-alive\r\n\r\n", "GET", "/_ping",
	    HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("1.0 with Host and length", "POST /x HTTP/1.0\r\nHost: a\r\n"
	    "Content-Length: 3\r\n\r\n", "POST", "/x", HTTP_BODY_LENGTH, 3,
	    0, 0, 0),
	RQ_OK("1.1 close", "GET /x" H11 "Connection: close\r\n\r\n", "GET",
	    "/x", HTTP_BODY_NONE, 0, 0, 0, 0),
	/* Header details. */
	RQ_OK("expect 100-continue", "POST /x" H11 "Content-Length: 5\r\n"
	    "Expect: 100-continue\r\n\r\n", "POST", "/x", HTTP_BODY_LENGTH, 5,
	    1, 0, 1),
	RQ_OK("expect case", "POST /x" H11 "Content-Length: 5\r\n"
	    "expect: 100-Continue\r\n\r\n", "POST", "/x", HTTP_BODY_LENGTH, 5,
	    1, 0, 1),
	RQ_OK("leading CRLFs", "\r\n\r\n\r\nGET /x" H11 "\r\n", "GET", "/x",
	    HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("one leading CRLF", "\r\nGET /x" H11 "\r\n", "GET", "/x",
	    HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("value spaces and tabs", "GET /x HTTP/1.1\r\nHost: \t docker "
	    "\t\r\nX-A:v\r\nX-Empty:\r\nX-Sp:   \r\n\r\n", "GET", "/x",
	    HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("obs-text value", "GET /x" H11 "X-A: caf\xc3\xa9 \xff\r\n\r\n",
	    "GET", "/x", HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("length 0", "POST /x" H11 "Content-Length: 0\r\n\r\n", "POST",
	    "/x", HTTP_BODY_LENGTH, 0, 1, 0, 0),
	RQ_OK("length spaces", "POST /x" H11 "Content-Length:   7  \r\n\r\n",
	    "POST", "/x", HTTP_BODY_LENGTH, 7, 1, 0, 0),
	RQ_OK("chunked any case", "POST /x" H11
	    "transfer-encoding: Chunked\r\n\r\n", "POST", "/x",
	    HTTP_BODY_CHUNKED, 0, 1, 0, 0),
	RQ_OK("chunked trailing space", "POST /x" H11
	    "Transfer-Encoding: chunked  \r\n\r\n", "POST", "/x",
	    HTTP_BODY_CHUNKED, 0, 1, 0, 0),
	RQ_OK("upgrade without Connection", "GET /x" H11 "Upgrade: tcp\r\n"
	    "\r\n", "GET", "/x", HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("connection upgrade without Upgrade", "GET /x" H11
	    "Connection: Upgrade\r\n\r\n", "GET", "/x", HTTP_BODY_NONE, 0, 1,
	    0, 0),
	RQ_OK("query", "GET /v1.41/containers/json?all=1&filters=%7B%7D" H11
	    "\r\n", "GET", "/v1.41/containers/json?all=1&filters=%7B%7D",
	    HTTP_BODY_NONE, 0, 1, 0, 0),

	/* Form bodies: dockerd would read parameters from them. */
	RQ_BAD("form body", "POST /images/create?fromImage=a" H11
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 9\r\n\r\n", 415),
	RQ_BAD("form body, case and parameters", "POST /x" H11
	    "content-type:  Application/X-WWW-Form-URLencoded ;charset=x\r\n"
	    CHUNKED "\r\n", 415),
	RQ_BAD("form body, broken parameter", "PUT /x" H11
	    "Content-Type: application/x-www-form-urlencoded; =\r\n"
	    "Content-Length: 1\r\n\r\n", 415),
	RQ_BAD("multipart body", "POST /x" H11
	    "Content-Type: multipart/form-data; boundary=b\r\n"
	    "Content-Length: 9\r\n\r\n", 415),
	RQ_BAD("two Content-Types", "POST /x" H11
	    "Content-Type: application/json\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 2\r\n\r\n", 400),
	RQ_BAD("Content-Type not ASCII", "POST /x" H11
	    "Content-Type: appl\xc4\xb0" "cation/x-www-form-urlencoded\r\n"
	    "Content-Length: 2\r\n\r\n", 400),
	RQ_OK("form type, no body", "POST /containers/a/start" H11
	    "Content-Type: application/x-www-form-urlencoded\r\n\r\n",
	    "POST", "/containers/a/start", HTTP_BODY_NONE, 0, 1, 0, 0),
	RQ_OK("form type, empty body", "POST /containers/a/start" H11
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 0\r\n\r\n", "POST", "/containers/a/start",
	    HTTP_BODY_LENGTH, 0, 1, 0, 0),
	RQ_OK("tar body", "POST /build" H11
	    "Content-Type: application/x-tar\r\nContent-Length: 9\r\n\r\n",
	    "POST", "/build", HTTP_BODY_LENGTH, 9, 1, 0, 0),

	/* Ambiguous body length. */
	RQ_BAD("CL then TE", "POST /x" H11 "Content-Length: 5\r\n" CHUNKED
	    "\r\n", 400),
	RQ_BAD("TE then CL", "POST /x" H11 CHUNKED "Content-Length: 5\r\n"
	    "\r\n", 400),
	RQ_BAD("CL 0 and TE", "POST /x" H11 "Content-Length: 0\r\n" CHUNKED
	    "\r\n", 400),
	RQ_BAD("two CL same", "POST /x" H11 "Content-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\n", 400),
	RQ_BAD("two CL different", "POST /x" H11 "Content-Length: 5\r\n"
	    "Content-Length: 6\r\n\r\n", 400),
	RQ_BAD("CL list", "POST /x" H11 "Content-Length: 5, 5\r\n\r\n", 400),
	RQ_BAD("CL not a number", "POST /x" H11 "Content-Length: abc\r\n"
	    "\r\n", 400),
	RQ_BAD("CL negative", "POST /x" H11 "Content-Length: -1\r\n\r\n",
	    400),
	RQ_BAD("CL plus sign", "POST /x" H11 "Content-Length: +5\r\n\r\n",
	    400),
	RQ_BAD("CL empty", "POST /x" H11 "Content-Length:\r\n\r\n", 400),
	RQ_BAD("CL overflow", "POST /x" H11
	    "Content-Length: 99999999999999999999\r\n\r\n", 400),
	RQ_BAD2("TE gzip", "POST /x" H11
	    "Transfer-Encoding: gzip\r\n\r\n", 400, 501),
	RQ_BAD2("TE gzip, chunked", "POST /x" H11
	    "Transfer-Encoding: gzip, chunked\r\n\r\n", 400, 501),
	RQ_BAD2("TE chunked, chunked", "POST /x" H11
	    "Transfer-Encoding: chunked, chunked\r\n\r\n", 400, 501),
	RQ_BAD2("TE identity", "POST /x" H11
	    "Transfer-Encoding: identity\r\n\r\n", 400, 501),
	RQ_BAD2("TE chunked;x", "POST /x" H11
	    "Transfer-Encoding: chunked;x\r\n\r\n", 400, 501),
	RQ_BAD2("TE xchunked", "POST /x" H11
	    "Transfer-Encoding: xchunked\r\n\r\n", 400, 501),
	RQ_BAD2("TE chunkedx", "POST /x" H11
	    "Transfer-Encoding: chunkedx\r\n\r\n", 400, 501),
	RQ_BAD2("TE empty", "POST /x" H11 "Transfer-Encoding:\r\n\r\n",
	    400, 501),
	RQ_BAD("two TE headers", "POST /x" H11 CHUNKED CHUNKED "\r\n", 400),
	RQ_BAD("TE in HTTP/1.0", "POST /x HTTP/1.0\r\n" CHUNKED "\r\n", 400),
	RQ_BAD("TE in HTTP/1.0 with Host", "POST /x HTTP/1.0\r\nHost: a\r\n"
	    CHUNKED "\r\n", 400),

	/* Line structure. */
	RQ_BAD("obs-fold SP", "GET /x" H11 "X-A: a\r\n b\r\n\r\n", 400),
	RQ_BAD("obs-fold HTAB", "GET /x" H11 "X-A: a\r\n\tb\r\n\r\n", 400),
	RQ_BAD("obs-fold after request line", "GET /x HTTP/1.1\r\n Host: a"
	    "\r\n\r\n", 400),
	RQ_BAD("obs-fold of Transfer-Encoding", "POST /x" H11
	    "Transfer-Encoding:\r\n chunked\r\n\r\n", 400),
	RQ_BAD("bare LF in a header", "GET /x" H11 "X-A: a\nX-B: b\r\n\r\n",
	    400),
	RQ_BAD("bare LF after request line", "GET /x HTTP/1.1\nHost: a\r\n"
	    "\r\n", 400),
	RQ_BAD("bare LF terminator", "GET /x HTTP/1.1\r\nHost: a\r\n\n",
	    400),
	RQ_BAD("LF only", "GET /x HTTP/1.1\nHost: a\n\n", 400),
	RQ_BAD("bare LF first", "\nGET /x" H11 "\r\n", 400),
	RQ_BAD("bare CR in a value", "GET /x" H11 "X-A: a\rb\r\n\r\n", 400),
	RQ_BAD("bare CR in request line", "GET /x\r HTTP/1.1\r\nHost: a\r\n"
	    "\r\n", 400),
	RQ_BAD("bare CR line end", "GET /x" H11 "X-A: a\r\r\n\r\n", 400),
	RQ_BAD("NUL in a value", "GET /x" H11 "X-A: a\0b\r\n\r\n", 400),
	RQ_BAD("NUL in a name", "GET /x" H11 "X-\0A: b\r\n\r\n", 400),
	RQ_BAD("NUL in request line", "GET /x\0 HTTP/1.1\r\nHost: a\r\n\r\n",
	    400),
	RQ_BAD("SOH in a value", "GET /x" H11 "X-A: a\x01\r\n\r\n", 400),
	RQ_BAD("ESC in a value", "GET /x" H11 "X-A: \x1b[31m\r\n\r\n", 400),
	RQ_BAD("DEL in a value", "GET /x" H11 "X-A: a\x7f\r\n\r\n", 400),
	RQ_BAD("VT in a name", "GET /x" H11 "X\x0b""A: a\r\n\r\n", 400),
	RQ_BAD("space before colon", "GET /x HTTP/1.1\r\nHost : x\r\n\r\n",
	    400),
	RQ_BAD("space before colon, 1.0", "GET /x HTTP/1.0\r\nHost : x\r\n"
	    "\r\n", 400),
	RQ_BAD("space before colon, CL", "POST /x" H11 "Content-Length : 5"
	    "\r\n\r\n", 400),
	RQ_BAD("space before colon, TE", "POST /x" H11 "Transfer-Encoding :"
	    " chunked\r\n\r\n", 400),
	RQ_BAD("space in a name", "GET /x" H11 "X A: b\r\n\r\n", 400),
	RQ_BAD("tab before colon", "GET /x" H11 "X-A\t: b\r\n\r\n", 400),
	RQ_BAD("empty name", "GET /x" H11 ": x\r\n\r\n", 400),
	RQ_BAD("no colon", "GET /x" H11 "X-A\r\n\r\n", 400),
	RQ_BAD("name with '('", "GET /x" H11 "X(A): b\r\n\r\n", 400),
	RQ_BAD("non-ASCII name", "GET /x" H11 "X-\xc3\xa9: b\r\n\r\n", 400),

	/* Versions. */
	RQ_BAD("HTTP/0.9 request", "GET /x\r\n\r\n", 505),
	RQ_BAD("HTTP/0.9", "GET /x HTTP/0.9\r\n\r\n", 505),
	RQ_BAD("HTTP/2.0", "GET /x HTTP/2.0\r\nHost: a\r\n\r\n", 505),
	RQ_BAD("HTTP/1.2", "GET /x HTTP/1.2\r\nHost: a\r\n\r\n", 505),
	RQ_BAD("HTTP/3.0", "GET /x HTTP/3.0\r\nHost: a\r\n\r\n", 505),
	RQ_BAD("lower-case version", "GET /x http/1.1\r\nHost: a\r\n\r\n",
	    400),
	RQ_BAD("no version digits", "GET /x HTTP/\r\nHost: a\r\n\r\n", 400),

	/* Methods. */
	RQ_BAD("CONNECT", "CONNECT docker:443 HTTP/1.1\r\nHost: docker:443"
	    "\r\n\r\n", 405),
	RQ_BAD("TRACE", "TRACE /x" H11 "\r\n", 405),
	RQ_BAD("PROPFIND", "PROPFIND /x" H11 "\r\n", 405),
	RQ_BAD("unknown method", "FOO /x" H11 "\r\n", 400),
	RQ_BAD("lower-case method", "get /x" H11 "\r\n", 400),

	/* Host. */
	RQ_BAD("1.1 without Host", "GET /x HTTP/1.1\r\n\r\n", 400),
	RQ_BAD("two Hosts", "GET /x" H11 "Host: other\r\n\r\n", 400),
	RQ_BAD("two Hosts, 1.0", "GET /x HTTP/1.0\r\nHost: a\r\nhost: b\r\n"
	    "\r\n", 400),

	/* Targets. */
	RQ_BAD("absolute-form", "GET http://x/y" H11 "\r\n", 400),
	RQ_BAD("asterisk", "OPTIONS *" H11 "\r\n", 400),
	RQ_BAD("dot segment", "GET /a/../b" H11 "\r\n", 400),
	RQ_BAD("encoded slash", "GET /a%2fb" H11 "\r\n", 400),
	RQ_BAD("fragment", "GET /a#b" H11 "\r\n", 400),
	RQ_BAD("tab in target", "GET /a\tb" H11 "\r\n", 400),
	RQ_BAD("no target", "GET  HTTP/1.1\r\nHost: a\r\n\r\n", 400),

	/* Expect. */
	RQ_BAD("expect other", "POST /x" H11 "Content-Length: 5\r\n"
	    "Expect: 200-ok\r\n\r\n", 417),
	RQ_BAD("expect list", "POST /x" H11 "Content-Length: 5\r\n"
	    "Expect: 100-continue, foo\r\n\r\n", 417),

	/* Not a complete head yet. */
	RQ_BAD("incomplete", "GET /x" H11, NEED_MORE),
	RQ_BAD("incomplete CR", "GET /x" H11 "\r", NEED_MORE),
	RQ_BAD("only CRLFs", "\r\n\r\n", NEED_MORE),
	RQ_BAD("only CR", "\r", NEED_MORE),
	RQ_BAD("empty", "", NEED_MORE),
};

/* Checks one outcome against the case; writes why and returns -1. */
static int
req_check(const struct req_case *c, const struct head_result *hr,
    const struct http_request *req, char *why, size_t whylen)
{
	if (c->status == NEED_MORE) {
		if (hr->scan != 0) {
			snprintf(why, whylen, "scan %d (status %d), want 0",
			    hr->scan, hr->status);
			return -1;
		}
		return 0;
	}
	if (hr->scan == 0) {
		snprintf(why, whylen, "scan asks for more bytes");
		return -1;
	}
	if (hr->status != c->status && hr->status != c->alt) {
		snprintf(why, whylen, "status %d, want %d%s", hr->status,
		    c->status, hr->scan == -1 ? " (from the scan)" : "");
		return -1;
	}
	if (c->status != 0)
		return 0;
	if (strcmp(req->method, c->method) != 0 ||
	    req->url_len != strlen(c->url) ||
	    memcmp(req->url, c->url, req->url_len) != 0) {
		snprintf(why, whylen, "%s \"%s\", want %s %s", req->method,
		    esc(req->url, req->url_len), c->method, c->url);
		return -1;
	}
	if (req->framing != c->framing || req->content_length != c->cl) {
		snprintf(why, whylen, "framing %d length %llu, want %d %llu",
		    (int)req->framing, (unsigned long long)req->content_length,
		    (int)c->framing, (unsigned long long)c->cl);
		return -1;
	}
	if (req->keep_alive != c->keep_alive || req->upgrade != c->upgrade ||
	    req->expect_continue != c->expect) {
		snprintf(why, whylen, "keep_alive %d upgrade %d expect %d, "
		    "want %d %d %d", req->keep_alive, req->upgrade,
		    req->expect_continue, c->keep_alive, c->upgrade, c->expect);
		return -1;
	}
	if (hr->left != 0) {
		snprintf(why, whylen, "%zu bytes left after the head",
		    hr->left);
		return -1;
	}
	return 0;
}

/* Every case, all at once, then one byte at a time: same outcome. */
static void
test_request_table(void **state)
{
	struct head_result	 all, one;
	struct http_request	 req;
	char			 why[512];
	size_t			 i, nfail = 0;

	for (i = 0; i < nitems(req_cases); i++) {
		const struct req_case *c = &req_cases[i];

		head_run(c->raw, c->len, 0, &lim_test, &all, &req);
		if (req_check(c, &all, &req, why, sizeof(why)) == -1) {
			print_error("%s: %s\n  input \"%s\"\n", c->name, why,
			    esc(c->raw, c->len));
			nfail++;
		}
		http_request_clear(&req);
		head_run(c->raw, c->len, 1, &lim_test, &one, &req);
		if (req_check(c, &one, &req, why, sizeof(why)) == -1) {
			print_error("%s, byte by byte: %s\n  input \"%s\"\n",
			    c->name, why, esc(c->raw, c->len));
			nfail++;
		} else if (all.scan == 1 && (one.head_len != all.head_len ||
		    memcmp(one.head, all.head, all.head_len) != 0)) {
			print_error("%s, byte by byte: head \"%s\", all at once"
			    " \"%s\"\n", c->name, esc(one.head, one.head_len),
			    esc(all.head, all.head_len));
			nfail++;
		}
		http_request_clear(&req);
		head_result_free(&all);
		head_result_free(&one);
	}
	if (nfail != 0)
		fail_msg("%zu wrong outcomes over %zu cases", nfail,
		    nitems(req_cases));
}

/* Bare LF is caught by the scan, before the head is complete. */
static void
test_scan_bare_lf_early(void **state)
{
	static const char *early[] = {
		"GET /x HTTP/1.1\n",
		"GET /x HTTP/1.1\r\nHost: a\n",
		"\n",
		"\r\n\n",
	};
	struct evbuffer		*in;
	struct http_error	 err;
	size_t			 i, scanned, head_len;

	for (i = 0; i < nitems(early); i++) {
		assert_non_null(in = evbuffer_new());
		evbuffer_add(in, early[i], strlen(early[i]));
		scanned = 0;
		if (http_head_scan(in, &lim_test, &scanned, &head_len,
		    &err) != -1)
			fail_msg("\"%s\": not refused by the scan",
			    esc(early[i], strlen(early[i])));
		assert_int_equal(err.status, 400);
		evbuffer_free(in);
	}
}

/* Pipelined heads: the scan reports the first, the rest stays. */
static void
test_scan_pipelined(void **state)
{
	static const char	 two[] = "GET /a" H11 "\r\nGET /b" H11 "\r\n";
	struct evbuffer		*in;
	struct http_error	 err;
	size_t			 scanned = 0, head_len = 0, first;

	first = strlen("GET /a" H11 "\r\n");
	assert_non_null(in = evbuffer_new());
	evbuffer_add(in, two, strlen(two));
	assert_int_equal(http_head_scan(in, &lim_test, &scanned, &head_len,
	    &err), 1);
	assert_int_equal(head_len, first);
	evbuffer_drain(in, head_len);
	scanned = 0;
	assert_int_equal(http_head_scan(in, &lim_test, &scanned, &head_len,
	    &err), 1);
	assert_int_equal(head_len, strlen(two) - first);
	evbuffer_free(in);
}

/* Builds "GET /aaa... HTTP/1.1" of exactly linelen bytes plus headers. */
static char *
make_head(size_t linelen, size_t nextra, size_t valuelen, int complete)
{
	char	*s, *p;
	size_t	 i, pathlen, cap;

	assert_true(linelen >= strlen("GET / HTTP/1.1"));
	pathlen = linelen - strlen("GET  HTTP/1.1");
	cap = linelen + 64 + nextra * 32 + valuelen + 64;
	assert_non_null(s = malloc(cap));
	p = s;
	p += sprintf(p, "GET /");
	memset(p, 'a', pathlen - 1);
	p += pathlen - 1;
	p += sprintf(p, " HTTP/1.1\r\nHost: docker\r\n");
	for (i = 0; i < nextra; i++)
		p += sprintf(p, "X-H%zu: v\r\n", i);
	if (valuelen > 0) {
		p += sprintf(p, "X-Big: ");
		memset(p, 'b', valuelen);
		p += valuelen;
		p += sprintf(p, "\r\n");
	}
	if (complete)
		p += sprintf(p, "\r\n");
	*p = '\0';
	assert_true((size_t)(p - s) < cap);
	return s;
}

/*
 * Runs head_run() all at once and byte by byte; checks the status that
 * the scan or the parse gives (NEED_MORE if the scan waits).
 */
static void
expect_limit(const char *name, const char *raw, const struct limits *lim,
    int want_status, size_t *nfail)
{
	struct head_result	hr;
	struct http_request	req;
	size_t			step;
	int			got;

	for (step = 0; step <= 1; step++) {
		head_run(raw, strlen(raw), step, lim, &hr, &req);
		got = hr.scan == 0 ? NEED_MORE : hr.status;
		if (got != want_status) {
			print_error("%s%s: status %d (scan %d), want %d\n",
			    name, step ? " (byte by byte)" : "", got, hr.scan,
			    want_status);
			(*nfail)++;
		}
		http_request_clear(&req);
		head_result_free(&hr);
	}
}

/* Request line, head size and header count limits, at and past them. */
static void
test_limits(void **state)
{
	struct limits	 lim = lim_test;
	char		*h;
	size_t		 nfail = 0, base;

	lim.max_request_line = 64;
	lim.max_header_bytes = 512;
	lim.max_headers = 6;

	h = make_head(64, 0, 0, 1);
	expect_limit("request line at the limit", h, &lim, 0, &nfail);
	free(h);
	h = make_head(65, 0, 0, 1);
	expect_limit("request line one over", h, &lim, 414, &nfail);
	free(h);
	h = make_head(300, 0, 0, 1);
	expect_limit("request line far over", h, &lim, 414, &nfail);
	free(h);
	/* An unfinished request line over the limit is refused early. */
	h = make_head(300, 0, 0, 0);
	h[100] = '\0';
	expect_limit("unfinished request line", h, &lim, 414, &nfail);
	free(h);
	/* Leading empty lines do not count towards the request line. */
	h = make_head(64, 0, 0, 1);
	{
		char *l;

		assert_true(asprintf(&l, "\r\n%s", h) > 0);
		expect_limit("CRLF then request line at the limit", l, &lim,
		    0, &nfail);
		free(l);
		free(h);
		h = make_head(65, 0, 0, 1);
		assert_true(asprintf(&l, "\r\n%s", h) > 0);
		expect_limit("CRLF then request line one over", l, &lim,
		    414, &nfail);
		free(l);
	}
	free(h);

	/* Head size: exactly max_header_bytes, then one more. */
	h = make_head(20, 0, 0, 1);
	base = strlen(h) + strlen("X-Big: \r\n");
	free(h);
	h = make_head(20, 0, 512 - base, 1);
	assert_int_equal(strlen(h), 512);
	expect_limit("head at max_header_bytes", h, &lim, 0, &nfail);
	free(h);
	h = make_head(20, 0, 512 - base + 1, 1);
	expect_limit("head one over max_header_bytes", h, &lim, 431,
	    &nfail);
	free(h);
	h = make_head(20, 0, 2000, 0);
	expect_limit("unfinished head over max_header_bytes", h, &lim,
	    431, &nfail);
	free(h);

	/* Header count: Host plus extras. */
	h = make_head(20, 5, 0, 1);
	expect_limit("max_headers headers", h, &lim, 0, &nfail);
	free(h);
	h = make_head(20, 6, 0, 1);
	expect_limit("max_headers + 1 headers", h, &lim, 431, &nfail);
	free(h);

	if (nfail != 0)
		fail_msg("%zu limit cases wrong", nfail);
}

/* The largest configurable limits hold: a 100 KiB head under 1 MiB. */
static void
test_limits_large(void **state)
{
	struct limits		 lim = lim_test;
	struct head_result	 hr;
	struct http_request	 req;
	char			*h;
	size_t			 len;

	lim.max_request_line = 1024 * 1024;	/* config.c's maxima */
	lim.max_header_bytes = 1024 * 1024;
	lim.max_headers = 10000;

	h = make_head(200, 0, 100 * 1024, 1);
	len = strlen(h);
	head_run(h, len, 0, &lim, &hr, &req);
	http_request_clear(&req);
	head_result_free(&hr);
	free(h);
	if (hr.scan != 1 || hr.status != 0)
		fail_msg("a %zu-byte head under max_header_bytes %zu: scan %d "
		    "status %d (%s), want accepted", len,
		    lim.max_header_bytes, hr.scan, hr.status,
		    hr.status == 431 ? "http-parser's own 80 KiB limit" : "");
}

/* Headers are found by case-insensitive name, values trimmed. */
static void
test_request_headers(void **state)
{
	static const char	 raw[] = "GET /x HTTP/1.1\r\nHost: \t docker "
	    "\t\r\nX-A:v\r\nX-Empty:\r\nX-Sp:   \r\nx-a: second\r\n\r\n";
	struct http_request	 req;
	const struct http_header *h;

	parse_ok(LIT(raw), &req);
	assert_int_equal(req.nhdrs, 5);
	assert_non_null(h = http_request_header(&req, "host"));
	assert_int_equal(h->value_len, 6);
	assert_memory_equal(h->value, "docker", 6);
	assert_non_null(h = http_request_header(&req, "X-A"));
	assert_int_equal(h->value_len, 1);
	assert_memory_equal(h->value, "v", 1);
	assert_non_null(h = http_request_header(&req, "x-empty"));
	assert_int_equal(h->value_len, 0);
	assert_non_null(h = http_request_header(&req, "X-SP"));
	assert_int_equal(h->value_len, 0);
	assert_null(http_request_header(&req, "X-Missing"));
	assert_null(http_request_header(&req, "X"));
	assert_int_equal(req.http_major, 1);
	assert_int_equal(req.http_minor, 1);
	assert_int_equal(req.path_len, 2);
	assert_true(req.body_done);
	/* The request owns a copy of the head. */
	assert_ptr_not_equal(req.head, raw);
	assert_true(req.url >= req.head && req.url < req.head + req.head_len);
	http_request_clear(&req);
	assert_null(req.head);
	http_request_clear(&req);
	http_request_clear(NULL);
}

/* ------------------------------------------------------------------ */
/* Re-serialised heads */

struct write_case {
	const char		*name;
	const char		*raw;
	enum http_framing	 framing;
	uint64_t		 length;
	int			 close_conn;
	const char		*want;
};

#define HOP_HEAD "POST /v1.41/containers/create?name=x HTTP/1.1\r\n" \
	"Host: docker\r\n" \
	"User-Agent: Docker-Client/24.0.5 (linux)\r\n" \
	"Connection: keep-alive, X-Secret ,  x-other\r\n" \
	"Keep-Alive: timeout=5\r\n" \
	"TE: trailers\r\n" \
	"Trailer: X-Checksum\r\n" \
	"Proxy-Connection: keep-alive\r\n" \
	"Proxy-Authorization: Basic eDp5\r\n" \
	"Upgrade: h2c\r\n" \
	"X-Secret: 1\r\n" \
	"X-Other: 2\r\n" \
	"X-Secretx: kept\r\n" \
	"Content-Type: application/json\r\n" \
	"Content-Length: 2\r\n" \
	"Expect: 100-continue\r\n" \
	"X-Spaces:    v   \r\n" \
	"\r\n"
#define HOP_WANT "POST /v1.41/containers/create?name=x HTTP/1.1\r\n" \
	"Host: docker\r\n" \
	"User-Agent: Docker-Client/24.0.5 (linux)\r\n" \
	"X-Secretx: kept\r\n" \
	"Content-Type: application/json\r\n" \
	"X-Spaces: v\r\n"

#define CHUNK_HEAD "PUT /containers/abc/archive?path=%2F HTTP/1.1\r\n" \
	"Host: docker\r\n" \
	"Transfer-Encoding: chunked\r\n" \
	"Content-Type: application/x-tar\r\n" \
	"\r\n"
#define CHUNK_WANT "PUT /containers/abc/archive?path=%2F HTTP/1.1\r\n" \
	"Host: docker\r\n" \
	"Content-Type: application/x-tar\r\n"

#define UPGRADE_HEAD "POST /v1.41/exec/abc/start HTTP/1.1\r\n" \
	"Host: docker\r\n" \
	"Connection: Upgrade\r\n" \
	"Upgrade: tcp\r\n" \
	"Content-Type: application/json\r\n" \
	"Content-Length: 27\r\n" \
	"\r\n"
#define UPGRADE_WANT "POST /v1.41/exec/abc/start HTTP/1.1\r\n" \
	"Host: docker\r\n" \
	"Content-Type: application/json\r\n" \
	"Content-Length: 27\r\n" \
	"Connection: Upgrade\r\n" \
	"Upgrade: tcp\r\n" \
	"\r\n"

static const struct write_case write_cases[] = {
	{ "hop-by-hop dropped, length", HOP_HEAD, HTTP_BODY_LENGTH, 2, 0,
	    HOP_WANT "Content-Length: 2\r\n\r\n" },
	{ "hop-by-hop dropped, close", HOP_HEAD, HTTP_BODY_LENGTH, 2, 1,
	    HOP_WANT "Content-Length: 2\r\nConnection: close\r\n\r\n" },
	{ "hop-by-hop dropped, chunked", HOP_HEAD, HTTP_BODY_CHUNKED, 0, 0,
	    HOP_WANT "Transfer-Encoding: chunked\r\n\r\n" },
	{ "hop-by-hop dropped, no body", HOP_HEAD, HTTP_BODY_NONE, 0, 0,
	    HOP_WANT "\r\n" },
	{ "chunked forwarded chunked", CHUNK_HEAD, HTTP_BODY_CHUNKED, 0, 0,
	    CHUNK_WANT "Transfer-Encoding: chunked\r\n\r\n" },
	{ "chunked forwarded with a length", CHUNK_HEAD, HTTP_BODY_LENGTH,
	    1234, 0, CHUNK_WANT "Content-Length: 1234\r\n\r\n" },
	{ "large length", CHUNK_HEAD, HTTP_BODY_LENGTH,
	    9223372036854775807ULL, 0, CHUNK_WANT
	    "Content-Length: 9223372036854775807\r\n\r\n" },
	{ "upgrade", UPGRADE_HEAD, HTTP_BODY_LENGTH, 27, 0, UPGRADE_WANT },
	{ "upgrade ignores close", UPGRADE_HEAD, HTTP_BODY_LENGTH, 27, 1,
	    UPGRADE_WANT },
	{ "upgrade with more Connection tokens",
	    "GET /containers/abc/attach HTTP/1.1\r\nHost: d\r\n"
	    "Connection: keep-alive, Upgrade\r\nUpgrade: tcp\r\n\r\n",
	    HTTP_BODY_NONE, 0, 0,
	    "GET /containers/abc/attach HTTP/1.1\r\nHost: d\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n" },
	{ "1.0 keep-alive", "GET /_ping HTTP/1.0\r\nConnection: keep-alive"
	    "\r\n\r\n", HTTP_BODY_NONE, 0, 0,
	    "GET /_ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" },
	{ "1.0 close", "GET /_ping HTTP/1.0\r\n\r\n", HTTP_BODY_NONE, 0, 1,
	    "GET /_ping HTTP/1.0\r\nConnection: close\r\n\r\n" },
	{ "1.1 close", "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close"
	    "\r\n\r\n", HTTP_BODY_NONE, 0, 1,
	    "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n" },
	{ "order and case kept", "DELETE /containers/abc?force=1 HTTP/1.1\r\n"
	    "X-B: 2\r\nhOsT: d\r\nX-A: 1\r\nX-B: 3\r\n\r\n", HTTP_BODY_NONE,
	    0, 0, "DELETE /containers/abc?force=1 HTTP/1.1\r\nX-B: 2\r\n"
	    "hOsT: d\r\nX-A: 1\r\nX-B: 3\r\n\r\n" },
	{ "Connection listing Content-Type", "POST /x HTTP/1.1\r\nHost: d\r\n"
	    "Connection: content-type\r\nContent-Type: a/b\r\n"
	    "Content-Length: 1\r\n\r\n", HTTP_BODY_LENGTH, 1, 0,
	    "POST /x HTTP/1.1\r\nHost: d\r\nContent-Length: 1\r\n\r\n" },
};

/* http_request_write_head() table: exact bytes. */
static void
test_write_head(void **state)
{
	struct http_request	 req;
	struct evbuffer		*out;
	char			*got;
	size_t			 i, len, nfail = 0;

	for (i = 0; i < nitems(write_cases); i++) {
		const struct write_case *c = &write_cases[i];

		parse_ok(c->raw, strlen(c->raw), &req);
		assert_non_null(out = evbuffer_new());
		http_request_write_head(&req, out, c->framing, c->length,
		    c->close_conn);
		got = buf_dup(out, &len);
		if (len != strlen(c->want) || memcmp(got, c->want, len) != 0) {
			print_error("%s:\n  got  \"%s\"\n  want \"%s\"\n",
			    c->name, esc(got, len), esc(c->want,
			    strlen(c->want)));
			nfail++;
		}
		free(got);
		evbuffer_free(out);
		http_request_clear(&req);
	}
	if (nfail != 0)
		fail_msg("%zu of %zu heads wrong", nfail, nitems(write_cases));
}

/* What is written parses again as the same request. */
static void
test_write_head_reparses(void **state)
{
	struct http_request	 req, again;
	struct http_error	 err;
	struct evbuffer		*out;
	unsigned char		*p;
	size_t			 i, len;

	for (i = 0; i < nitems(write_cases); i++) {
		const struct write_case *c = &write_cases[i];

		parse_ok(c->raw, strlen(c->raw), &req);
		assert_non_null(out = evbuffer_new());
		http_request_write_head(&req, out, c->framing, c->length,
		    c->close_conn);
		len = evbuffer_get_length(out);
		p = evbuffer_pullup(out, -1);
		if (http_request_parse((char *)p, len, &lim_test, &again,
		    &err) != 0)
			fail_msg("%s: the forwarded head is refused: %d %s",
			    c->name, err.status, err.reason);
		assert_string_equal(again.method, req.method);
		assert_int_equal(again.url_len, req.url_len);
		assert_memory_equal(again.url, req.url, req.url_len);
		assert_int_equal(again.framing, c->framing);
		if (c->framing == HTTP_BODY_LENGTH)
			assert_true(again.content_length == c->length);
		assert_int_equal(again.upgrade, req.upgrade);
		assert_int_equal(again.expect_continue, 0);
		if (!req.upgrade)
			assert_int_equal(again.keep_alive, c->close_conn ? 0 :
			    req.http_minor == 1 || req.keep_alive);
		assert_null(http_request_header(&again, "keep-alive"));
		assert_null(http_request_header(&again, "te"));
		assert_null(http_request_header(&again, "trailer"));
		assert_null(http_request_header(&again, "proxy-connection"));
		assert_null(http_request_header(&again,
		    "proxy-authorization"));
		assert_null(http_request_header(&again, "x-secret"));
		http_request_clear(&again);
		evbuffer_free(out);
		http_request_clear(&req);
	}
}

/* ------------------------------------------------------------------ */
/* Request bodies */

#define LEN_HEAD(n)	"POST /x HTTP/1.1\r\nHost: d\r\nContent-Length: " n \
			"\r\n\r\n"
#define CHK_HEAD	"POST /x HTTP/1.1\r\nHost: d\r\n" CHUNKED "\r\n"
#define NEXT_REQ	"GET /next HTTP/1.1\r\nHost: d\r\n\r\n"

/* A Content-Length body split over pumps; what follows stays put. */
static void
test_body_length(void **state)
{
	struct http_request	 req;
	struct http_error	 err;
	struct evbuffer		*in, *out;

	parse_ok(LIT(LEN_HEAD("10")), &req);
	assert_int_equal(req.framing, HTTP_BODY_LENGTH);
	assert_false(req.body_done);
	assert_non_null(in = evbuffer_new());
	assert_non_null(out = evbuffer_new());
	/* Nothing yet. */
	assert_int_equal(http_body_pump(&req, in, out, 1, 1 << 20, &err), 0);
	evbuffer_add(in, "01234", 5);
	assert_int_equal(http_body_pump(&req, in, out, 1, 1 << 20, &err), 0);
	assert_true(buf_equals(out, "01234", 5));
	assert_int_equal(evbuffer_get_length(in), 0);
	/* The budget: 2 bytes of the next 5. */
	evbuffer_add(in, "56789" NEXT_REQ, 5 + strlen(NEXT_REQ));
	assert_int_equal(http_body_pump(&req, in, out, 1, 2, &err), 0);
	assert_true(buf_equals(out, "0123456", 7));
	assert_int_equal(http_body_pump(&req, in, out, 0, 1 << 20, &err), 1);
	assert_true(buf_equals(out, "0123456789", 10));
	assert_true(buf_equals(in, NEXT_REQ, strlen(NEXT_REQ)));
	assert_true(req.body_done);
	assert_true(req.body_seen == 10);
	/* Done stays done; nothing more is taken. */
	assert_int_equal(http_body_pump(&req, in, out, 1, 1 << 20, &err), 1);
	assert_true(buf_equals(in, NEXT_REQ, strlen(NEXT_REQ)));
	assert_int_equal(http_body_pump(&req, in, out, 1, 0, &err), 1);
	http_request_clear(&req);

	/* No body: complete at once, nothing taken. */
	parse_ok(LIT("GET /x HTTP/1.1\r\nHost: d\r\n\r\n"), &req);
	assert_int_equal(http_body_pump(&req, in, out, 1, 1 << 20, &err), 1);
	assert_true(buf_equals(in, NEXT_REQ, strlen(NEXT_REQ)));
	http_request_clear(&req);
	/* Content-Length: 0 likewise. */
	parse_ok(LIT(LEN_HEAD("0")), &req);
	assert_true(req.body_done);
	assert_int_equal(http_body_pump(&req, in, out, 1, 1 << 20, &err), 1);
	assert_true(buf_equals(in, NEXT_REQ, strlen(NEXT_REQ)));
	http_request_clear(&req);
	evbuffer_free(in);
	evbuffer_free(out);
}

/* A Content-Length body one byte at a time. */
static void
test_body_length_bytewise(void **state)
{
	static const char	 body[] = "{\"Image\":\"alpine\"}";
	struct http_request	 req;
	struct http_error	 err;
	struct evbuffer		*in, *out;
	size_t			 i;
	int			 r = 0;

	parse_ok(LIT(LEN_HEAD("18")), &req);
	assert_non_null(in = evbuffer_new());
	assert_non_null(out = evbuffer_new());
	for (i = 0; i < strlen(body); i++) {
		evbuffer_add(in, body + i, 1);
		r = http_body_pump(&req, in, out, 1, 1 << 20, &err);
		assert_int_equal(r, i + 1 == strlen(body));
	}
	assert_true(buf_equals(out, body, strlen(body)));
	http_request_clear(&req);
	evbuffer_free(in);
	evbuffer_free(out);
}

struct chunk_case {
	const char	*name;
	const char	*body;
	size_t		 len;
	int		 result;	/* 1 complete, 0 more, -1 error */
	const char	*reframed;	/* reframe=1 output (result >= 0) */
	size_t		 reframed_len;
	const char	*decoded;	/* reframe=0 output */
	size_t		 decoded_len;
	size_t		 left;		/* left in the input */
};

#define CK_OK(name, body, out, dec, left) \
	{ name, LIT(body), 1, LIT(out), LIT(dec), left }
#define CK_MORE(name, body, out, dec) \
	{ name, LIT(body), 0, LIT(out), LIT(dec), 0 }
#define CK_BAD(name, body) { name, LIT(body), -1, NULL, 0, NULL, 0, 0 }

static const struct chunk_case chunk_cases[] = {
	CK_OK("one chunk", "5\r\nhello\r\n0\r\n\r\n",
	    "5\r\nhello\r\n0\r\n\r\n", "hello", 0),
	CK_OK("two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
	    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 0),
	CK_OK("empty body", "0\r\n\r\n", "0\r\n\r\n", "", 0),
	CK_OK("pipelined request after", "5\r\nhello\r\n0\r\n\r\n" NEXT_REQ,
	    "5\r\nhello\r\n0\r\n\r\n", "hello", sizeof(NEXT_REQ) - 1),
	CK_OK("extensions dropped", "5;name=value\r\nhello\r\n"
	    "6;a;b=\"c d\"\r\n world\r\n0;last\r\n\r\n",
	    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", 0),
	CK_OK("trailers dropped", "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n"
	    "Content-Length: 99\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", "hello",
	    0),
	CK_OK("hex sizes", "00A\r\n0123456789\r\n1f\r\n"
	    "abcdefghijklmnopqrstuvwxyz01234\r\n0000\r\n\r\n",
	    "a\r\n0123456789\r\n1f\r\nabcdefghijklmnopqrstuvwxyz01234\r\n"
	    "0\r\n\r\n", "0123456789abcdefghijklmnopqrstuvwxyz01234", 0),
	CK_OK("binary data", "4\r\n\0\r\n\xff\r\n0\r\n\r\n",
	    "4\r\n\0\r\n\xff\r\n0\r\n\r\n", "\0\r\n\xff", 0),
	CK_OK("data that looks like framing", "6\r\n0\r\n\r\nx\r\n0\r\n\r\n",
	    "6\r\n0\r\n\r\nx\r\n0\r\n\r\n", "0\r\n\r\nx", 0),
	CK_MORE("in a size line", "1", "", ""),
	CK_MORE("in the data", "5\r\nhel", "5\r\nhel", "hel"),
	CK_MORE("before the last CRLF", "5\r\nhello\r\n0\r\n",
	    "5\r\nhello\r\n", "hello"),
	CK_MORE("in the trailers", "5\r\nhello\r\n0\r\nX-A: b",
	    "5\r\nhello\r\n", "hello"),
	CK_BAD("non-hex size", "g\r\nhello\r\n0\r\n\r\n"),
	CK_BAD("negative size", "-1\r\nhello\r\n0\r\n\r\n"),
	CK_BAD("size overflow", "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
	CK_BAD("size 2^64", "10000000000000000\r\nhello\r\n0\r\n\r\n"),
	CK_BAD("empty size line", "\r\nhello\r\n0\r\n\r\n"),
	CK_BAD("space before size", " 5\r\nhello\r\n0\r\n\r\n"),
	CK_BAD("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n"),
	CK_BAD("LF-only size line", "5\nhello\r\n0\r\n\r\n"),
	CK_BAD("LF only", "5\nhello\n0\n\n"),
	CK_BAD("CR then junk in size line", "5\rXhello\r\n0\r\n\r\n"),
	CK_BAD("no CRLF after data", "5\r\nhello0\r\n\r\n"),
	CK_BAD("junk instead of CRLF after data", "5\r\nhelloXX0\r\n\r\n"),
	CK_BAD("LF only after data", "5\r\nhello\n\n0\r\n\r\n"),
	CK_BAD("data longer than size", "5\r\nhelloworld\r\n0\r\n\r\n"),
	CK_BAD("junk instead of final LF", "5\r\nhello\r\n0\r\n\rX"),
	CK_BAD("bare LF ends the trailers", "5\r\nhello\r\n0\r\n\n"),
};

/* Pumps all of body in pieces of step bytes (0: at once). */
static int
chunk_run(const struct chunk_case *c, int reframe, size_t step,
    struct evbuffer *out, size_t *left, uint64_t *seen,
    struct http_error *err)
{
	struct http_request	 req;
	struct evbuffer		*in;
	size_t			 off = 0, n;
	int			 r = 0;

	parse_ok(LIT(CHK_HEAD), &req);
	assert_int_equal(req.framing, HTTP_BODY_CHUNKED);
	assert_non_null(in = evbuffer_new());
	if (step == 0)
		step = c->len;
	while (off < c->len) {
		n = c->len - off < step ? c->len - off : step;
		evbuffer_add(in, c->body + off, n);
		off += n;
		r = http_body_pump(&req, in, out, reframe, 1 << 20, err);
		if (r != 0)
			break;
	}
	*left = evbuffer_get_length(in) + (c->len - off);
	*seen = req.body_seen;
	http_request_clear(&req);
	evbuffer_free(in);
	return r;
}

/* The chunked table, re-framed and decoded, at once and byte by byte. */
static void
test_body_chunked(void **state)
{
	struct http_error	 err;
	struct evbuffer		*out;
	const char		*want;
	uint64_t		 seen;
	size_t			 i, left, wantlen, step, nfail = 0;
	int			 reframe, r;

	for (i = 0; i < nitems(chunk_cases); i++) {
		const struct chunk_case *c = &chunk_cases[i];

		for (reframe = 1; reframe >= 0; reframe--)
		for (step = 0; step <= 1; step++) {
			assert_non_null(out = evbuffer_new());
			err.status = 0;
			r = chunk_run(c, reframe, step, out, &left, &seen,
			    &err);
			if (r != c->result) {
				print_error("%s (reframe %d%s): %d, want %d\n",
				    c->name, reframe, step ? ", byte by byte" :
				    "", r, c->result);
				nfail++;
			} else if (r == -1 && err.status != 400) {
				print_error("%s: status %d, want 400\n",
				    c->name, err.status);
				nfail++;
			} else if (r >= 0) {
				want = reframe ? c->reframed : c->decoded;
				wantlen = reframe ? c->reframed_len :
				    c->decoded_len;
				if (!buf_equals(out, want, wantlen)) {
					char *got;
					size_t n;

					got = buf_dup(out, &n);
					print_error("%s (reframe %d%s): \"%s\","
					    " want \"%s\"\n", c->name, reframe,
					    step ? ", byte by byte" : "",
					    esc(got, n), esc(want, wantlen));
					free(got);
					nfail++;
				}
				if (seen != c->decoded_len) {
					print_error("%s: body_seen %llu, want "
					    "%zu\n", c->name,
					    (unsigned long long)seen,
					    c->decoded_len);
					nfail++;
				}
				if (left != c->left) {
					print_error("%s: %zu bytes left, want "
					    "%zu\n", c->name, left, c->left);
					nfail++;
				}
			}
			evbuffer_free(out);
		}
	}
	if (nfail != 0)
		fail_msg("%zu wrong outcomes over %zu chunked bodies", nfail,
		    nitems(chunk_cases));
}

/* The max budget counts input bytes; the rest waits for the next call. */
static void
test_body_chunked_budget(void **state)
{
	static const char	 body[] = "5\r\nhello\r\n0\r\n\r\n" NEXT_REQ;
	struct http_request	 req;
	struct http_error	 err;
	struct evbuffer		*in, *out;
	size_t			 total = strlen(body), calls = 0;
	int			 r;

	parse_ok(LIT(CHK_HEAD), &req);
	assert_non_null(in = evbuffer_new());
	assert_non_null(out = evbuffer_new());
	evbuffer_add(in, body, total);
	assert_int_equal(http_body_pump(&req, in, out, 1, 4, &err), 0);
	assert_int_equal(evbuffer_get_length(in), total - 4);
	assert_true(buf_equals(out, "5\r\nh", 4));
	while ((r = http_body_pump(&req, in, out, 1, 3, &err)) == 0)
		assert_true(++calls < 100);
	assert_int_equal(r, 1);
	assert_true(buf_equals(out, "5\r\nhello\r\n0\r\n\r\n", 15));
	assert_true(buf_equals(in, NEXT_REQ, strlen(NEXT_REQ)));
	assert_true(req.body_seen == 5);
	/* max 0 moves nothing. */
	http_request_clear(&req);
	parse_ok(LIT(CHK_HEAD), &req);
	evbuffer_drain(out, evbuffer_get_length(out));
	assert_int_equal(http_body_pump(&req, in, out, 1, 0, &err), 0);
	assert_int_equal(evbuffer_get_length(in), strlen(NEXT_REQ));
	assert_int_equal(evbuffer_get_length(out), 0);
	http_request_clear(&req);
	evbuffer_free(in);
	evbuffer_free(out);
}

/* A large chunk arriving in odd pieces is re-framed as it streams. */
static void
test_body_chunked_stream(void **state)
{
	struct http_request	 req;
	struct http_error	 err;
	struct evbuffer		*in, *out, *want;
	char			 data[5000];
	size_t			 i, off, n;
	int			 r = 0;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	assert_non_null(in = evbuffer_new());
	assert_non_null(out = evbuffer_new());
	assert_non_null(want = evbuffer_new());
	evbuffer_add_printf(want, "%zx\r\n", sizeof(data));
	evbuffer_add(want, data, sizeof(data));
	evbuffer_add(want, "\r\n0\r\n\r\n", 7);
	parse_ok(LIT(CHK_HEAD), &req);
	{
		char	*src;
		size_t	 srclen;

		src = buf_dup(want, &srclen);
		for (off = 0, n = 1; off < srclen;
		    off += n, n = n * 3 % 997 + 1) {
			if (n > srclen - off)
				n = srclen - off;
			evbuffer_add(in, src + off, n);
			r = http_body_pump(&req, in, out, 1, 1 << 20, &err);
			assert_int_not_equal(r, -1);
			/* Data is forwarded as it arrives, not held back. */
			assert_int_equal(evbuffer_get_length(in), 0);
		}
		assert_int_equal(r, 1);
		assert_true(buf_equals(out, src, srclen));
		free(src);
	}
	assert_true(req.body_seen == sizeof(data));
	http_request_clear(&req);
	evbuffer_free(in);
	evbuffer_free(out);
	evbuffer_free(want);
}

/* ------------------------------------------------------------------ */
/* Responses */

struct resp_case {
	const char		*name;
	const char		*raw;
	size_t			 len;
	int			 head_request;
	enum http_resp_event	 ev;	/* after pumping everything */
	size_t			 relayed;	/* bytes moved to out */
	enum http_resp_event	 eof;	/* then http_response_eof() */
	int			 keep_alive;	/* if DONE before eof */
};

#define ALL		((size_t)-1)
#define RS(name, raw, hr, ev, n, eof, ka) { name, LIT(raw), hr, ev, n, eof, ka }

#define RAW_HEAD	"HTTP/1.1 200 OK\r\n" \
	"Content-Type: application/vnd.docker.raw-stream\r\n\r\n"
#define MUX_HEAD	"HTTP/1.1 200 OK\r\n" \
	"Content-Type: application/vnd.docker.multiplexed-stream\r\n\r\n"
#define UPG_HEAD	"HTTP/1.1 101 UPGRADED\r\n" \
			"Content-Type: application/vnd.docker.raw-stream\r\n" \
			"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
#define JSON_200	"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n" \
			"Content-Type: application/json\r\n" \
			"Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n" \
			"Content-Length: 2\r\n\r\n{}"

static const struct resp_case resp_cases[] = {
	RS("length", JSON_200, 0, HTTP_RESP_DONE, ALL, HTTP_RESP_DONE, 1),
	RS("length, more after", JSON_200 "HTTP/1.1 200 OK\r\n", 0,
	    HTTP_RESP_DONE, sizeof(JSON_200) - 1, HTTP_RESP_DONE, 1),
	RS("ping", "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
	    "Content-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "\r\nOK", 0, HTTP_RESP_DONE, ALL, HTTP_RESP_DONE, 1),
	RS("connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\n"
	    "Content-Length: 2\r\n\r\n{}", 0, HTTP_RESP_DONE, ALL,
	    HTTP_RESP_DONE, 0),
	RS("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 0, HTTP_RESP_DONE, ALL,
	    HTTP_RESP_DONE, 1),
	RS("chunked with trailers", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-A: b\r\n"
	    "\r\n", 0, HTTP_RESP_DONE, ALL, HTTP_RESP_DONE, 1),
	RS("read until close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain"
	    "\r\n\r\nsome logs", 0, HTTP_RESP_MORE, ALL, HTTP_RESP_DONE, 0),
	RS("HTTP/1.0 until close", "HTTP/1.0 200 OK\r\n\r\nabc", 0,
	    HTTP_RESP_MORE, ALL, HTTP_RESP_DONE, 0),
	RS("truncated length", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"
	    "\r\nabc", 0, HTTP_RESP_MORE, ALL, HTTP_RESP_ERROR, 0),
	RS("truncated chunked", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n5\r\nhel", 0, HTTP_RESP_MORE,
	    ALL, HTTP_RESP_ERROR, 0),
	/* A head is relayed only once it is whole and clean. */
	RS("truncated head", "HTTP/1.1 200 OK\r\nContent-Len", 0,
	    HTTP_RESP_MORE, 0, HTTP_RESP_ERROR, 0),
	RS("garbled status line", "H\r\n\r\nHTTP/1.1 200 OK\r\n"
	    "Content-Length: 0\r\n\r\n", 0, HTTP_RESP_ERROR, 0,
	    HTTP_RESP_ERROR, 0),
	RS("HTTP/2 status line", "HTTP/2 200\r\nContent-Length: 0\r\n\r\n",
	    0, HTTP_RESP_ERROR, 0, HTTP_RESP_ERROR, 0),
	RS("bare LF in the head", "HTTP/1.1 200 OK\nContent-Length: 0\r\n"
	    "\r\n", 0, HTTP_RESP_ERROR, 0, HTTP_RESP_ERROR, 0),
	RS("bare CR in the head", "HTTP/1.1 200 OK\r\nX: a\rb\r\n"
	    "Content-Length: 0\r\n\r\n", 0, HTTP_RESP_ERROR, 0,
	    HTTP_RESP_ERROR, 0),
	RS("nothing", "", 0, HTTP_RESP_MORE, 0, HTTP_RESP_ERROR, 0),
	RS("HEAD with a length", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
	    "\r\n", 1, HTTP_RESP_DONE, ALL, HTTP_RESP_DONE, 1),
	RS("HEAD with chunked", "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 1, HTTP_RESP_DONE, ALL,
	    HTTP_RESP_DONE, 1),
	RS("HEAD without framing", "HTTP/1.1 200 OK\r\n\r\n", 1,
	    HTTP_RESP_DONE, ALL, HTTP_RESP_DONE, 1),
	RS("HEAD raw stream", RAW_HEAD, 1, HTTP_RESP_DONE, ALL,
	    HTTP_RESP_DONE, 1),
	RS("204", "HTTP/1.1 204 No Content\r\nApi-Version: 1.41\r\n\r\n", 0,
	    HTTP_RESP_DONE, ALL, HTTP_RESP_DONE, 1),
	RS("304", "HTTP/1.1 304 Not Modified\r\n\r\n", 0, HTTP_RESP_DONE,
	    ALL, HTTP_RESP_DONE, 1),
	RS("304 with a length", "HTTP/1.1 304 Not Modified\r\n"
	    "Content-Length: 10\r\n\r\n", 0, HTTP_RESP_DONE, ALL,
	    HTTP_RESP_DONE, 1),
	RS("204 with a length", "HTTP/1.1 204 No Content\r\n"
	    "Content-Length: 5\r\n\r\n", 0, HTTP_RESP_DONE, ALL,
	    HTTP_RESP_DONE, 1),
	RS("100 then 200", "HTTP/1.1 100 Continue\r\n\r\n" JSON_200, 0,
	    HTTP_RESP_DONE, ALL, HTTP_RESP_DONE, 1),
	RS("two 1xx then 200", "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 102 Processing\r\n\r\n" JSON_200, 0, HTTP_RESP_DONE,
	    ALL, HTTP_RESP_DONE, 1),
	RS("100 alone", "HTTP/1.1 100 Continue\r\n\r\n", 0, HTTP_RESP_MORE,
	    ALL, HTTP_RESP_ERROR, 0),
	RS("101 upgrade", UPG_HEAD "raw bytes\x01\x00", 0,
	    HTTP_RESP_UPGRADED, sizeof(UPG_HEAD) - 1, HTTP_RESP_DONE, 0),
	RS("101 upgrade, head only", UPG_HEAD, 0, HTTP_RESP_UPGRADED, ALL,
	    HTTP_RESP_DONE, 0),
	RS("raw stream hijack", RAW_HEAD "\x01\x00\x00\x00\x00\x00\x00\x02hi",
	    0, HTTP_RESP_HIJACKED, sizeof(RAW_HEAD) - 1, HTTP_RESP_ERROR, 0),
	RS("multiplexed stream hijack", MUX_HEAD "\x01\x00\x00\x00", 0,
	    HTTP_RESP_HIJACKED, sizeof(MUX_HEAD) - 1, HTTP_RESP_ERROR, 0),
	RS("raw stream, head only", RAW_HEAD, 0, HTTP_RESP_HIJACKED,
	    sizeof(RAW_HEAD) - 1, HTTP_RESP_ERROR, 0),
	RS("raw stream with a length", "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/vnd.docker.raw-stream\r\n"
	    "Content-Length: 3\r\n\r\nabc", 0, HTTP_RESP_DONE, ALL,
	    HTTP_RESP_DONE, 1),
	RS("raw stream chunked", "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/vnd.docker.raw-stream\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 0,
	    HTTP_RESP_DONE, ALL, HTTP_RESP_DONE, 1),
	RS("raw stream with 404", "HTTP/1.1 404 Not Found\r\n"
	    "Content-Type: application/vnd.docker.raw-stream\r\n\r\nabc", 0,
	    HTTP_RESP_MORE, ALL, HTTP_RESP_DONE, 0),
	RS("garbage", "XYZ 200 OK\r\n\r\n", 0, HTTP_RESP_ERROR, 0,
	    HTTP_RESP_ERROR, 0),
	RS("status too large", "HTTP/1.1 2000 OK\r\n\r\n", 0, HTTP_RESP_ERROR,
	    0, HTTP_RESP_ERROR, 0),
	RS("bad length", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 0,
	    HTTP_RESP_ERROR, 0, HTTP_RESP_ERROR, 0),
	RS("length and chunked", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 0, HTTP_RESP_ERROR,
	    0, HTTP_RESP_ERROR, 0),
	RS("bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "\r\nzz\r\n", 0, HTTP_RESP_ERROR, 0, HTTP_RESP_ERROR, 0),
};

/* Pumps raw in pieces of step (0: at once) until something happens. */
static enum http_resp_event
resp_run(const struct resp_case *c, size_t step, struct http_response *r,
    struct evbuffer *in, struct evbuffer *out)
{
	enum http_resp_event	ev = HTTP_RESP_MORE;
	size_t			off = 0, n;

	http_response_init(r, c->head_request);
	if (step == 0)
		step = c->len;
	while (off < c->len) {
		n = c->len - off < step ? c->len - off : step;
		evbuffer_add(in, c->raw + off, n);
		off += n;
		ev = http_response_pump(r, in, out, 1 << 20);
		if (ev != HTTP_RESP_MORE)
			break;
	}
	evbuffer_add(in, c->raw + off, c->len - off);
	return ev;
}

/* The response table, at once and byte by byte. */
static void
test_response_table(void **state)
{
	struct http_response	 r;
	struct evbuffer		*in, *out;
	enum http_resp_event	 ev;
	size_t			 i, step, want, nfail = 0;

	for (i = 0; i < nitems(resp_cases); i++) {
		const struct resp_case *c = &resp_cases[i];

		want = c->relayed == ALL ? c->len : c->relayed;
		for (step = 0; step <= 1; step++) {
			const char *how = step ? " (byte by byte)" : "";

			assert_non_null(in = evbuffer_new());
			assert_non_null(out = evbuffer_new());
			ev = resp_run(c, step, &r, in, out);
			if (ev != c->ev) {
				print_error("%s%s: event %d, want %d\n",
				    c->name, how, (int)ev, (int)c->ev);
				nfail++;
				goto next;
			}
			if (ev == HTTP_RESP_ERROR)
				goto next;
			if (!buf_equals(out, c->raw, want) ||
			    !buf_equals(in, c->raw + want, c->len - want)) {
				print_error("%s%s: relayed %zu bytes, left %zu,"
				    " want %zu and %zu\n", c->name, how,
				    evbuffer_get_length(out),
				    evbuffer_get_length(in), want,
				    c->len - want);
				nfail++;
				goto next;
			}
			if (r.bytes != want) {
				print_error("%s%s: bytes %llu, want %zu\n",
				    c->name, how, (unsigned long long)r.bytes,
				    want);
				nfail++;
			}
			if (ev == HTTP_RESP_DONE && r.keep_alive !=
			    c->keep_alive) {
				print_error("%s%s: keep_alive %d, want %d\n",
				    c->name, how, r.keep_alive,
				    c->keep_alive);
				nfail++;
			}
			if (ev == HTTP_RESP_MORE &&
			    (ev = http_response_eof(&r)) != c->eof) {
				print_error("%s%s: at eof %d, want %d\n",
				    c->name, how, (int)ev, (int)c->eof);
				nfail++;
			}
next:
			evbuffer_free(in);
			evbuffer_free(out);
		}
	}
	if (nfail != 0)
		fail_msg("%zu wrong outcomes over %zu responses", nfail,
		    nitems(resp_cases));
}

/* The max budget holds; a finished response takes nothing more. */
static void
test_response_budget(void **state)
{
	struct http_response	 r;
	struct evbuffer		*in, *out;
	size_t			 total = strlen(JSON_200), calls = 0;
	enum http_resp_event	 ev;

	assert_non_null(in = evbuffer_new());
	assert_non_null(out = evbuffer_new());
	http_response_init(&r, 0);
	evbuffer_add(in, JSON_200 JSON_200, 2 * total);
	assert_int_equal(http_response_pump(&r, in, out, 10), HTTP_RESP_MORE);
	assert_int_equal(evbuffer_get_length(out), 10);
	assert_int_equal(http_response_pump(&r, in, out, 0), HTTP_RESP_MORE);
	assert_int_equal(evbuffer_get_length(out), 10);
	while ((ev = http_response_pump(&r, in, out, 7)) == HTTP_RESP_MORE)
		assert_true(++calls < 100);
	assert_int_equal(ev, HTTP_RESP_DONE);
	assert_true(buf_equals(out, JSON_200, total));
	assert_int_equal(evbuffer_get_length(in), total);
	/* Done: the next response is not touched until re-init. */
	assert_int_equal(http_response_pump(&r, in, out, 1 << 20),
	    HTTP_RESP_DONE);
	assert_int_equal(evbuffer_get_length(in), total);
	assert_int_equal(http_response_eof(&r), HTTP_RESP_DONE);
	/* Re-initialised, the next one parses. */
	http_response_init(&r, 0);
	assert_int_equal(http_response_pump(&r, in, out, 1 << 20),
	    HTTP_RESP_DONE);
	assert_int_equal(evbuffer_get_length(in), 0);
	assert_int_equal(r.status, 200);
	evbuffer_free(in);
	evbuffer_free(out);
}

/* ------------------------------------------------------------------ */
/* Error responses */

/* A parsed http_write_error() response. */
struct err_resp {
	int	 status;
	char	 reason[64];
	size_t	 content_length;
	int	 has_close;
	int	 json_ct;
	json_t	*body;
};

/* Parses what http_write_error() wrote; fails the test if malformed. */
static void
err_resp_parse(struct evbuffer *buf, struct err_resp *er)
{
	char		*s, *p, *line, *end, *body;
	size_t		 len, ncl = 0;
	json_error_t	 jerr;

	memset(er, 0, sizeof(*er));
	s = buf_dup(buf, &len);
	assert_true(strlen(s) == len);	/* no NUL bytes */
	assert_non_null(end = strstr(s, "\r\n\r\n"));
	body = end + 4;
	*end = '\0';
	assert_int_equal(sscanf(s, "HTTP/1.1 %d %63[^\r]", &er->status,
	    er->reason), 2);
	assert_non_null(line = strstr(s, "\r\n"));
	for (line += 2; line != NULL && *line != '\0'; line = p) {
		if ((p = strstr(line, "\r\n")) != NULL)
			*p = '\0', p += 2;
		assert_null(strchr(line, '\n'));
		if (strncasecmp(line, "Content-Length: ", 16) == 0) {
			er->content_length = strtoul(line + 16, NULL, 10);
			ncl++;
		} else if (strcasecmp(line, "Connection: close") == 0)
			er->has_close = 1;
		else if (strcasecmp(line, "Content-Type: application/json")
		    == 0)
			er->json_ct = 1;
		else
			fail_msg("unexpected header \"%s\"", line);
	}
	assert_int_equal(ncl, 1);
	assert_int_equal(er->content_length, len - (size_t)(body - s));
	er->body = json_loadb(body, er->content_length, 0, &jerr);
	if (er->body == NULL)
		fail_msg("body is not JSON (%s): \"%s\"", jerr.text,
		    esc(body, er->content_length));
	free(s);
}

/* Returns the "message" string of a parsed error, and its length. */
static const char *
err_message(const struct err_resp *er, size_t *len)
{
	json_t	*m;

	assert_true(json_is_object(er->body));
	assert_int_equal(json_object_size(er->body), 1);
	assert_non_null(m = json_object_get(er->body, "message"));
	assert_true(json_is_string(m));
	*len = json_string_length(m);
	return json_string_value(m);
}

struct werr_case {
	int		 status;
	int		 close_conn;
	const char	*msg;		/* passed as "%s" */
	const char	*want;		/* after "sockguard: " */
	size_t		 wantlen;	/* 0: strlen(want) */
};

static const struct werr_case werr_cases[] = {
	{ 403, 1, "denied", "denied", 0 },
	{ 400, 0, "plain", "plain", 0 },
	{ 502, 1, "cannot connect to /run/docker.sock: No such file",
	    "cannot connect to /run/docker.sock: No such file", 0 },
	{ 400, 1, "quote \" and \\ backslash", "quote \" and \\ backslash",
	    0 },
	{ 400, 1, "ctl \x01\x1f\n\r\t\x7f end", "ctl \x01\x1f\n\r\t\x7f end",
	    0 },
	{ 400, 1, "utf-8 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
	    "utf-8 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3", 0 },
	{ 400, 1, "bad \xff\xfe", "bad \xef\xbf\xbd\xef\xbf\xbd", 0 },
	{ 400, 1, "lone \x80 cont", "lone \xef\xbf\xbd cont", 0 },
	{ 400, 1, "overlong \xc0\xaf", "overlong \xef\xbf\xbd\xef\xbf\xbd",
	    0 },
	{ 400, 1, "overlong3 \xe0\x80\xaf",
	    "overlong3 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0 },
	{ 400, 1, "surrogate \xed\xa0\x80",
	    "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0 },
	{ 400, 1, "too big \xf4\x90\x80\x80",
	    "too big \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0 },
	{ 400, 1, "cut \xe2\x82", "cut \xef\xbf\xbd\xef\xbf\xbd", 0 },
	{ 431, 1, "", "", 0 },
	{ 999, 1, "odd status", "odd status", 0 },
};

/* http_write_error(): valid JSON, escaped message, exact framing. */
static void
test_write_error(void **state)
{
	struct evbuffer	*out;
	struct err_resp	 er;
	const char	*m;
	char		*want;
	size_t		 i, mlen;

	for (i = 0; i < nitems(werr_cases); i++) {
		const struct werr_case *c = &werr_cases[i];

		assert_non_null(out = evbuffer_new());
		http_write_error(out, c->status, c->close_conn, "%s", c->msg);
		err_resp_parse(out, &er);
		assert_int_equal(er.status, c->status);
		assert_string_equal(er.reason, http_status_text(c->status));
		assert_int_equal(er.has_close, c->close_conn);
		assert_true(er.json_ct);
		m = err_message(&er, &mlen);
		assert_true(asprintf(&want, "sockguard: %s", c->want) > 0);
		if (mlen != strlen(want) || memcmp(m, want, mlen) != 0)
			fail_msg("case %zu: message \"%s\", want \"%s\"", i,
			    esc(m, mlen), esc(want, strlen(want)));
		free(want);
		json_decref(er.body);
		evbuffer_free(out);
	}
}

/* A long message is cut but stays valid; formats are applied. */
static void
test_write_error_long(void **state)
{
	struct evbuffer	*out;
	struct err_resp	 er;
	const char	*m;
	char		 big[3000];
	size_t		 mlen;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[1022] = '\xc3';	/* a two-byte sequence cut by the limit */
	big[1023] = '\xa9';
	assert_non_null(out = evbuffer_new());
	http_write_error(out, 413, 1, "%s", big);
	err_resp_parse(out, &er);
	m = err_message(&er, &mlen);
	assert_true(mlen > strlen("sockguard: ") + 1000);
	assert_true(mlen < strlen("sockguard: ") + 1100);
	json_decref(er.body);
	evbuffer_free(out);

	assert_non_null(out = evbuffer_new());
	http_write_error(out, 413, 0, "body of %d bytes over %s", 42, "cap");
	err_resp_parse(out, &er);
	m = err_message(&er, &mlen);
	assert_string_equal(m, "sockguard: body of 42 bytes over cap");
	assert_false(er.has_close);
	json_decref(er.body);
	evbuffer_free(out);
}

/* Reason phrases for what sockguard answers. */
static void
test_status_text(void **state)
{
	assert_string_equal(http_status_text(400), "Bad Request");
	assert_string_equal(http_status_text(403), "Forbidden");
	assert_string_equal(http_status_text(405), "Method Not Allowed");
	assert_string_equal(http_status_text(408), "Request Timeout");
	assert_string_equal(http_status_text(413), "Payload Too Large");
	assert_string_equal(http_status_text(414), "URI Too Long");
	assert_string_equal(http_status_text(417), "Expectation Failed");
	assert_string_equal(http_status_text(431),
	    "Request Header Fields Too Large");
	assert_string_equal(http_status_text(501), "Not Implemented");
	assert_string_equal(http_status_text(502), "Bad Gateway");
	assert_string_equal(http_status_text(503), "Service Unavailable");
	assert_string_equal(http_status_text(505),
	    "HTTP Version Not Supported");
	assert_non_null(http_status_text(0));
	assert_non_null(http_status_text(-1));
}

/* http_json_escape() alone: exact output. */
static void
test_json_escape(void **state)
{
	struct evbuffer	*out;

	assert_non_null(out = evbuffer_new());
	http_json_escape(out, "a\"b\\c\x01\x7f\n\xff", 9);
	assert_true(buf_equals(out, "a\\\"b\\\\c\\u0001\\u007f\\u000a\\ufffd",
	    strlen("a\\\"b\\\\c\\u0001\\u007f\\u000a\\ufffd")));
	evbuffer_drain(out, evbuffer_get_length(out));
	http_json_escape(out, "x\0y", 3);
	assert_true(buf_equals(out, "x\\u0000y", 8));
	evbuffer_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_table),
		cmocka_unit_test(test_scan_bare_lf_early),
		cmocka_unit_test(test_scan_pipelined),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_limits_large),
		cmocka_unit_test(test_request_headers),
		cmocka_unit_test(test_write_head),
		cmocka_unit_test(test_write_head_reparses),
		cmocka_unit_test(test_body_length),
		cmocka_unit_test(test_body_length_bytewise),
		cmocka_unit_test(test_body_chunked),
		cmocka_unit_test(test_body_chunked_budget),
		cmocka_unit_test(test_body_chunked_stream),
		cmocka_unit_test(test_response_table),
		cmocka_unit_test(test_response_budget),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_write_error_long),
		cmocka_unit_test(test_status_text),
		cmocka_unit_test(test_json_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
