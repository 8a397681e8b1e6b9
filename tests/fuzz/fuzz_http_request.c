/*
 * libFuzzer target for request framing (http.c), driven the way the proxy
 * drives it: a client byte stream arrives in pieces, heads are found with
 * http_head_scan(), parsed with http_request_parse(), re-serialised with
 * http_request_write_head(), and bodies moved with http_body_pump(), one
 * pipelined request after another.
 *
 * Input: byte 0 picks the limits and close_conn, byte 1 the piece size
 * for heads, byte 2 for bodies, byte 3 the pump budget; the rest is the
 * stream.  Invariants (any failure aborts):
 *  - a head found piece by piece is the head found all at once, and the
 *    stream is refused or waits the same way either way;
 *  - an accepted request is what sockguard relies on: known method,
 *    HTTP/1.0 or 1.1, a checked origin-form target, token header names,
 *    clean trimmed values, framing that matches its headers;
 *  - the re-serialised head parses again to the same request with the
 *    framing asked for and no hop-by-hop header;
 *  - a body pumped in pieces (re-framed and decoded) equals the body
 *    pumped at once; a re-framed chunked body is strict chunked encoding
 *    of the decoded bytes; what follows a body is left in the input.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <event2/buffer.h>

#include "config.h"
#include "http.h"
#include "uri.h"

#define MAX_REQUESTS	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Limit presets: the defaults, and small ones so that limits are hit. */
static const struct limits presets[4] = {
	{ .max_request_line = 16384, .max_header_bytes = 65536,
	    .max_headers = 100 },
	{ .max_request_line = 64, .max_header_bytes = 512,
	    .max_headers = 8 },
	{ .max_request_line = 16, .max_header_bytes = 128,
	    .max_headers = 3 },
	{ .max_request_line = 256, .max_header_bytes = 256,
	    .max_headers = 100 },
};
/* For re-parsing what sockguard writes: only http-parser's own cap. */
static const struct limits lim_big = {
	.max_request_line = 1 << 20, .max_header_bytes = 1 << 20,
	.max_headers = 100000,
};
static const size_t budgets[8] = { 1, 2, 3, 7, 16, 64, 4096, 1 << 20 };

/* Fuzzer parameters from the first input bytes. */
struct params {
	const struct limits	*lim;
	int			 close_conn;
	size_t			 head_step;	/* 0: all at once */
	size_t			 body_step;
	size_t			 budget;
};

/* Aborts the run: an invariant does not hold. */
#define CHECK(x)	do { if (!(x)) abort(); } while (0)

/* RFC 9110 tchar. */
static int
is_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c));
}

/* Case-insensitive comparison of a header name with a literal. */
static int
name_is(const struct http_header *h, const char *name)
{
	return h->name_len == strlen(name) &&
	    strncasecmp(h->name, name, h->name_len) == 0;
}

/* True if a Connection header of req lists the token name. */
static int
conn_lists(const struct http_request *req, const char *name,
    size_t name_len)
{
	size_t	 i, j, k, s, e;

	for (i = 0; i < req->nhdrs; i++) {
		const struct http_header *c = &req->hdrs[i];

		if (!name_is(c, "connection"))
			continue;
		for (j = 0; j <= c->value_len; j = k + 1) {
			for (k = j; k < c->value_len && c->value[k] != ','; k++)
				;
			for (s = j; s < k && (c->value[s] == ' ' ||
			    c->value[s] == '\t'); s++)
				;
			for (e = k; e > s && (c->value[e - 1] == ' ' ||
			    c->value[e - 1] == '\t'); e--)
				;
			if (e - s == name_len &&
			    strncasecmp(c->value + s, name, name_len) == 0)
				return 1;
		}
	}
	return 0;
}

/* Headers that must never be forwarded as the client sent them. */
static int
is_hop(const struct http_request *req, const struct http_header *h)
{
	static const char *hop[] = { "connection", "keep-alive",
	    "proxy-connection", "te", "trailer", "transfer-encoding",
	    "upgrade", "content-length", "expect", "proxy-authorization",
	    "proxy-authenticate" };
	size_t	i;

	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (name_is(h, hop[i]))
			return 1;
	return conn_lists(req, h->name, h->name_len);
}

/* What an accepted request must be. */
static void
check_request(const struct http_request *req)
{
	const char	*why;
	size_t		 i, j, plen, ncl = 0, nte = 0, nhost = 0;
	uint64_t	 cl = 0;

	CHECK(req->method != NULL);
	CHECK(strcmp(req->method, "GET") == 0 ||
	    strcmp(req->method, "HEAD") == 0 ||
	    strcmp(req->method, "POST") == 0 ||
	    strcmp(req->method, "PUT") == 0 ||
	    strcmp(req->method, "DELETE") == 0 ||
	    strcmp(req->method, "OPTIONS") == 0 ||
	    strcmp(req->method, "PATCH") == 0);
	CHECK(req->http_major == 1 && req->http_minor <= 1);
	CHECK(req->url != NULL && req->url_len > 0);
	CHECK(req->url >= req->head &&
	    req->url + req->url_len <= req->head + req->head_len);
	CHECK(uri_check(req->url, req->url_len, &plen, &why) == 0);
	CHECK(plen == req->path_len);
	for (i = 0; i < req->nhdrs; i++) {
		const struct http_header *h = &req->hdrs[i];

		/* A name is a token: no space, no colon, not empty. */
		CHECK(h->name_len > 0);
		for (j = 0; j < h->name_len; j++)
			CHECK(is_tchar((unsigned char)h->name[j]));
		for (j = 0; j < h->value_len; j++) {
			unsigned char c = (unsigned char)h->value[j];

			CHECK(c >= 0x20 || c == '\t');
			CHECK(c != 0x7f);
		}
		if (h->value_len > 0)
			CHECK(h->value[0] != ' ' && h->value[0] != '\t' &&
			    h->value[h->value_len - 1] != ' ' &&
			    h->value[h->value_len - 1] != '\t');
		if (name_is(h, "content-length")) {
			ncl++;
			CHECK(h->value_len > 0);
			for (cl = 0, j = 0; j < h->value_len; j++) {
				CHECK(isdigit((unsigned char)h->value[j]));
				CHECK(cl <= (UINT64_MAX - 9) / 10);
				cl = cl * 10 + (uint64_t)(h->value[j] - '0');
			}
		} else if (name_is(h, "transfer-encoding")) {
			nte++;
			CHECK(h->value_len == 7 &&
			    strncasecmp(h->value, "chunked", 7) == 0);
		} else if (name_is(h, "host"))
			nhost++;
		else if (name_is(h, "expect"))
			CHECK(h->value_len == 12 &&
			    strncasecmp(h->value, "100-continue", 12) == 0);
	}
	CHECK(nhost <= 1 && (nhost == 1 || req->http_minor == 0));
	CHECK(ncl + nte <= 1);
	switch (req->framing) {
	case HTTP_BODY_NONE:
		CHECK(ncl == 0 && nte == 0);
		CHECK(req->body_done);
		break;
	case HTTP_BODY_LENGTH:
		CHECK(ncl == 1 && req->content_length == cl);
		CHECK(req->body_done == (cl == 0));
		break;
	case HTTP_BODY_CHUNKED:
		CHECK(nte == 1 && req->http_minor == 1);
		CHECK(!req->body_done);
		break;
	default:
		abort();
	}
	CHECK(!req->upgrade || req->upgrade_hdr != NULL);
}

/* True if a header name starts with, but is not, Transfer-Encoding. */
static int
te_prefix(const struct http_request *req)
{
	size_t	i;

	for (i = 0; i < req->nhdrs; i++)
		if (req->hdrs[i].name_len > 17 &&
		    strncasecmp(req->hdrs[i].name, "transfer-encoding",
		    17) == 0)
			return 1;
	return 0;
}

/* The re-serialised head parses again to the same request. */
static void
check_write_head(const struct http_request *req, enum http_framing framing,
    uint64_t length, int close_conn)
{
	struct http_request	 again;
	struct http_error	 err;
	struct evbuffer		*out;
	unsigned char		*p;
	size_t			 len, i, k = 0;

	CHECK((out = evbuffer_new()) != NULL);
	http_request_write_head(req, out, framing, length, close_conn);
	len = evbuffer_get_length(out);
	p = evbuffer_pullup(out, -1);
	if (http_request_parse((char *)p, len, &lim_big, &again, &err) != 0) {
		/*
		 * Only a client that listed Host in Connection loses it; and
		 * http-parser takes a name that merely starts with
		 * "transfer-encoding" for one when a length comes with it.
		 */
		CHECK(conn_lists(req, "host", 4) || te_prefix(req));
		http_request_clear(&again);
		evbuffer_free(out);
		return;
	}
	CHECK(strcmp(again.method, req->method) == 0);
	CHECK(again.url_len == req->url_len &&
	    memcmp(again.url, req->url, req->url_len) == 0);
	CHECK(again.http_minor == req->http_minor);
	CHECK(again.framing == framing);
	if (framing == HTTP_BODY_LENGTH)
		CHECK(again.content_length == length);
	CHECK(again.upgrade == req->upgrade);
	CHECK(again.expect_continue == 0);
	if (!req->upgrade)
		CHECK(again.keep_alive == !close_conn);
	/* The end-to-end headers, in order, then sockguard's own. */
	for (i = 0; i < req->nhdrs; i++) {
		const struct http_header *h = &req->hdrs[i];

		if (is_hop(req, h))
			continue;
		CHECK(k < again.nhdrs);
		CHECK(again.hdrs[k].name_len == h->name_len &&
		    memcmp(again.hdrs[k].name, h->name, h->name_len) == 0);
		CHECK(again.hdrs[k].value_len == h->value_len &&
		    memcmp(again.hdrs[k].value, h->value, h->value_len) == 0);
		k++;
	}
	for (; k < again.nhdrs; k++) {
		const struct http_header *h = &again.hdrs[k];

		CHECK((name_is(h, "content-length") &&
		    framing == HTTP_BODY_LENGTH) ||
		    (name_is(h, "transfer-encoding") &&
		    framing == HTTP_BODY_CHUNKED) ||
		    name_is(h, "connection") ||
		    (name_is(h, "upgrade") && req->upgrade));
	}
	http_request_clear(&again);
	evbuffer_free(out);
}

/*
 * Decodes strict chunked encoding as sockguard writes it: lower-case hex
 * sizes without leading zeros or extensions, CRLF everywhere, no
 * trailers.  Returns 1 when complete (*used set), 0 for a valid prefix,
 * -1 if invalid.  The data goes to dec.
 */
static int
chunked_strict(const unsigned char *b, size_t n, struct evbuffer *dec,
    size_t *used)
{
	size_t		i = 0, digits;
	uint64_t	size;

	for (;;) {
		size = 0;
		for (digits = 0; i < n && ((b[i] >= '0' && b[i] <= '9') ||
		    (b[i] >= 'a' && b[i] <= 'f')); i++, digits++) {
			if (digits == 0 && b[i] == '0' && i + 1 < n &&
			    b[i + 1] != '\r')
				return -1;	/* leading zero */
			if (size > (UINT64_MAX >> 4))
				return -1;
			size = size * 16 + (uint64_t)(b[i] <= '9' ?
			    b[i] - '0' : b[i] - 'a' + 10);
		}
		if (i == n)
			return 0;
		if (digits == 0 || b[i] != '\r')
			return -1;
		if (++i == n)
			return 0;
		if (b[i++] != '\n')
			return -1;
		if (size == 0) {
			if (i == n)
				return 0;
			if (b[i++] != '\r')
				return -1;
			if (i == n)
				return 0;
			if (b[i++] != '\n')
				return -1;
			*used = i;
			return 1;
		}
		if (n - i <= size) {
			evbuffer_add(dec, b + i, n - i);
			return 0;
		}
		evbuffer_add(dec, b + i, (size_t)size);
		i += (size_t)size;
		if (b[i++] != '\r')
			return -1;
		if (i == n)
			return 0;
		if (b[i++] != '\n')
			return -1;
	}
}

/* True if two buffers hold the same bytes. */
static int
buf_same(struct evbuffer *a, struct evbuffer *b)
{
	size_t	n = evbuffer_get_length(a);

	if (n != evbuffer_get_length(b))
		return 0;
	if (n == 0)
		return 1;
	return memcmp(evbuffer_pullup(a, -1), evbuffer_pullup(b, -1), n) == 0;
}

/* One pump of a body, fed in pieces. */
struct pump {
	struct http_request	 req;
	struct evbuffer		*in, *out;
	int			 reframe;
	size_t			 step, budget;
	int			 result;
	struct http_error	 err;
};

/* Feeds body[0..n) to p piece by piece, pumping until no progress. */
static void
pump_run(struct pump *p, const unsigned char *body, size_t n)
{
	size_t	off = 0, k, before;
	int	r = 0;

	p->result = 0;
	do {
		k = p->step == 0 || n - off < p->step ? n - off : p->step;
		evbuffer_add(p->in, body + off, k);
		off += k;
		do {
			before = evbuffer_get_length(p->in);
			r = http_body_pump(&p->req, p->in, p->out, p->reframe,
			    p->budget, &p->err);
			CHECK(evbuffer_get_length(p->in) <= before);
			CHECK(before - evbuffer_get_length(p->in) <=
			    p->budget);
		} while (r == 0 && evbuffer_get_length(p->in) < before);
	} while (r == 0 && off < n);
	/* What was not fed is still "in the input". */
	evbuffer_add(p->in, body + off, n - off);
	p->result = r;
	if (r == -1)
		CHECK(p->err.status == 400 || p->err.status == 500);
}

/*
 * Pumps the body after a parsed head three ways and checks they agree.
 * Returns the number of body bytes consumed when complete, else -1.
 */
static long
check_body(const struct http_request *req, const struct params *prm,
    const unsigned char *body, size_t n)
{
	struct pump	 p[3];
	struct evbuffer	*dec;
	size_t		 i, used, consumed;
	long		 ret = -1;
	int		 r;

	memset(p, 0, sizeof(p));
	for (i = 0; i < 3; i++) {
		/* Each pump needs its own parser state: a private copy. */
		p[i].req = *req;
		CHECK((p[i].in = evbuffer_new()) != NULL);
		CHECK((p[i].out = evbuffer_new()) != NULL);
	}
	p[0].reframe = 1;
	p[0].step = prm->body_step;
	p[0].budget = prm->budget;
	p[1].reframe = 0;
	p[1].step = prm->body_step;
	p[1].budget = prm->budget;
	p[2].reframe = 1;
	p[2].step = 0;
	p[2].budget = SIZE_MAX;
	for (i = 0; i < 3; i++) {
		p[i].req.parser.data = &p[i].req;
		pump_run(&p[i], body, n);
	}
	/* The same outcome however the bytes arrived. */
	CHECK(p[0].result == p[1].result && p[0].result == p[2].result);
	if (p[0].result == -1)
		goto out;
	CHECK(evbuffer_get_length(p[0].in) == evbuffer_get_length(p[1].in));
	CHECK(evbuffer_get_length(p[0].in) == evbuffer_get_length(p[2].in));
	CHECK(buf_same(p[0].out, p[2].out));
	consumed = n - evbuffer_get_length(p[0].in);
	/* The rest of the input is untouched. */
	if (n - consumed > 0)
		CHECK(memcmp(evbuffer_pullup(p[0].in, -1), body + consumed,
		    n - consumed) == 0);
	CHECK(p[0].req.body_seen == p[1].req.body_seen);
	CHECK(p[0].req.body_done == (p[0].result == 1));
	if (req->framing == HTTP_BODY_LENGTH) {
		CHECK(evbuffer_get_length(p[0].out) == consumed);
		CHECK(buf_same(p[0].out, p[1].out));
		if (consumed > 0)
			CHECK(memcmp(evbuffer_pullup(p[0].out, -1), body,
			    consumed) == 0);
		CHECK(p[0].req.body_seen == consumed);
		CHECK((p[0].result == 1) == (consumed == req->content_length));
	} else if (req->framing == HTTP_BODY_CHUNKED) {
		/* Re-framed: strict chunked encoding of the decoded bytes. */
		CHECK((dec = evbuffer_new()) != NULL);
		used = 0;
		r = evbuffer_get_length(p[0].out) == 0 ? 0 : chunked_strict(
		    evbuffer_pullup(p[0].out, -1),
		    evbuffer_get_length(p[0].out), dec, &used);
		CHECK(r == p[0].result);
		if (r == 1)
			CHECK(used == evbuffer_get_length(p[0].out));
		CHECK(buf_same(dec, p[1].out));
		CHECK(p[1].req.body_seen == evbuffer_get_length(p[1].out));
		evbuffer_free(dec);
	} else
		CHECK(p[0].result == 1 && consumed == 0);
	if (p[0].result == 1)
		ret = (long)consumed;
out:
	for (i = 0; i < 3; i++) {
		evbuffer_free(p[i].in);
		evbuffer_free(p[i].out);
	}
	return ret;
}

/* Scans stream[0..n) in pieces of step (0: at once) like the proxy. */
static int
scan(const unsigned char *stream, size_t n, size_t step,
    const struct limits *lim, size_t *head_off, size_t *head_len,
    int *status)
{
	struct evbuffer		*in;
	struct http_error	 err;
	size_t			 off = 0, k, scanned = 0;
	int			 r = 0;

	CHECK((in = evbuffer_new()) != NULL);
	*status = 0;
	while (off < n) {
		k = step == 0 || n - off < step ? n - off : step;
		evbuffer_add(in, stream + off, k);
		off += k;
		r = http_head_scan(in, lim, &scanned, head_len, &err);
		if (r != 0)
			break;
	}
	if (r == -1)
		*status = err.status;
	if (r == 1) {
		CHECK(*head_len > 0 && *head_len <= evbuffer_get_length(in));
		/* Where the head starts: after the drained empty lines. */
		*head_off = off - evbuffer_get_length(in);
		CHECK(*head_off + *head_len <= n);
		CHECK(memcmp(evbuffer_pullup(in, (ev_ssize_t)*head_len),
		    stream + *head_off, *head_len) == 0);
	}
	evbuffer_free(in);
	return r;
}

/* Scan and parse: 0 accepted, NEED_MORE, or an error status. */
#define NEED_MORE	1
static int
head_outcome(const unsigned char *stream, size_t n, size_t step,
    const struct limits *lim, size_t *head_off, size_t *head_len,
    struct http_request *req)
{
	struct http_error	err;
	int			r, status;

	memset(req, 0, sizeof(*req));
	r = scan(stream, n, step, lim, head_off, head_len, &status);
	if (r == 0)
		return NEED_MORE;
	if (r == -1) {
		CHECK(status >= 400 && status <= 599);
		return status;
	}
	if (http_request_parse((const char *)stream + *head_off, *head_len,
	    lim, req, &err) == -1) {
		CHECK(err.status >= 400 && err.status <= 599 &&
		    err.reason != NULL);
		http_request_clear(req);
		return err.status;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request	 req, ref;
	struct params		 prm;
	const unsigned char	*stream;
	size_t			 n, off = 0, hoff, hlen, roff, rlen;
	long			 used;
	int			 i, r, rr;

	if (size < 4)
		return 0;
	prm.lim = &presets[data[0] & 3];
	prm.close_conn = (data[0] >> 2) & 1;
	prm.head_step = data[1];
	prm.body_step = data[2];
	prm.budget = budgets[data[3] & 7];
	stream = data + 4;
	n = size - 4;

	for (i = 0; i < MAX_REQUESTS && off < n; i++) {
		/* The proxy's way: pieces.  The reference: all at once. */
		r = head_outcome(stream + off, n - off, prm.head_step, prm.lim,
		    &hoff, &hlen, &req);
		rr = head_outcome(stream + off, n - off, 0, prm.lim, &roff,
		    &rlen, &ref);
		CHECK((r == 0) == (rr == 0));
		CHECK((r == NEED_MORE) == (rr == NEED_MORE));
		if (rr == 0) {
			CHECK(hoff == roff && hlen == rlen);
			http_request_clear(&ref);
		}
		if (r != 0)
			break;
		check_request(&req);
		check_write_head(&req, req.framing, req.content_length,
		    prm.close_conn);
		check_write_head(&req, HTTP_BODY_NONE, 0, !prm.close_conn);
		check_write_head(&req, HTTP_BODY_LENGTH, req.body_seen + n,
		    prm.close_conn);
		if (req.http_minor == 1)	/* never chunked to 1.0 */
			check_write_head(&req, HTTP_BODY_CHUNKED, 0,
			    prm.close_conn);
		off += hoff + hlen;
		used = check_body(&req, &prm, stream + off, n - off);
		http_request_clear(&req);
		if (used < 0)
			break;
		off += (size_t)used;
	}
	return 0;
}
