/* HTTP/1.1 framing: strict request heads, body re-framing, responses. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <event2/buffer.h>

#include "config.h"
#include "http.h"
#include "uri.h"
#include "xmalloc.h"

static int	req_on_url(http_parser *, const char *, size_t);
static int	req_on_header_field(http_parser *, const char *, size_t);
static int	req_on_header_value(http_parser *, const char *, size_t);
static int	resp_on_header_field(http_parser *, const char *, size_t);
static int	resp_on_header_value(http_parser *, const char *, size_t);
static int	resp_on_headers_complete(http_parser *);
static int	resp_on_message_complete(http_parser *);
static int	resp_on_body(http_parser *, const char *, size_t);

static const http_parser_settings req_settings = {
	.on_url = req_on_url,
	.on_header_field = req_on_header_field,
	.on_header_value = req_on_header_value,
};

static const http_parser_settings resp_settings = {
	.on_header_field = resp_on_header_field,
	.on_header_value = resp_on_header_value,
	.on_headers_complete = resp_on_headers_complete,
	.on_body = resp_on_body,
	.on_message_complete = resp_on_message_complete,
};

/* Sets *err and returns -1. */
static int
http_fail(struct http_error *err, int status, const char *reason)
{
	err->status = status;
	err->reason = reason;
	return -1;
}

int
http_head_scan(struct evbuffer *in, const struct limits *lim,
    size_t *scanned, size_t *head_len, struct http_error *err)
{
	unsigned char	*p, *eol, two[2];
	size_t		 len, i, want, line_end;

	/* Empty lines before a request line are allowed (RFC 9112 2.2),
	 * even when their CR and LF arrive in different reads. */
	for (;;) {
		len = evbuffer_copyout(in, two, 2);
		if (len >= 1 && two[0] == '\r' && (len == 1 ||
		    two[1] == '\n')) {
			if (len == 1) {
				*scanned = 0;
				return 0;
			}
			evbuffer_drain(in, 2);
			*scanned = 0;
			continue;
		}
		break;
	}
	if ((len = evbuffer_get_length(in)) == 0)
		return 0;
	want = len < lim->max_header_bytes ? len : lim->max_header_bytes;
	if ((p = evbuffer_pullup(in, (ev_ssize_t)want)) == NULL)
		return http_fail(err, 500, "out of memory");
	for (i = *scanned; i < want; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			return http_fail(err, 400, "the request head has a bare "
			    "LF line ending (CRLF is required)");
		if (p[i] != '\n')
			continue;
		if (i >= 3 && p[i - 2] == '\n' && p[i - 3] == '\r') {
			*head_len = i + 1;
			return 1;
		}
	}
	*scanned = want;
	/* The request line alone must fit max_request_line (plus CRLF). */
	eol = memchr(p, '\n', want);
	line_end = eol != NULL ? (size_t)(eol - p) : want;
	if (line_end > lim->max_request_line + 1)
		return http_fail(err, 414, "the request line is longer than "
		    "limits.max_request_line");
	if (want >= lim->max_header_bytes)
		return http_fail(err, 431, "the request head is larger than "
		    "limits.max_header_bytes");
	return 0;
}

/* Checks raw head bytes: CRLF only, no control bytes, no folding. */
static int
http_head_precheck(const char *h, size_t len, const struct limits *lim,
    size_t *nlines, struct http_error *err)
{
	size_t	i, lines = 0, first_len = 0;

	if (len < 2 || h[0] == '\r' || h[0] == ' ' || h[0] == '\t')
		return http_fail(err, 400, "the request line is empty or "
		    "starts with white space");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '\r') {
			if (i + 1 >= len || h[i + 1] != '\n')
				return http_fail(err, 400, "the request head "
				    "has a bare CR");
			continue;
		}
		if (c == '\n') {
			if (i == 0 || h[i - 1] != '\r')
				return http_fail(err, 400, "the request head "
				    "has a bare LF line ending");
			if (lines++ == 0)
				first_len = i - 1;
			if (i + 1 < len && (h[i + 1] == ' ' || h[i + 1] == '\t'))
				return http_fail(err, 400, "the request head "
				    "uses obsolete line folding");
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return http_fail(err, 400, "the request head has a "
			    "control character");
	}
	if (first_len > lim->max_request_line)
		return http_fail(err, 414, "the request line is longer than "
		    "limits.max_request_line");
	if (len > lim->max_header_bytes)
		return http_fail(err, 431, "the request head is larger than "
		    "limits.max_header_bytes");
	/* request line + headers + empty line */
	if (lines < 2 || lines - 2 > lim->max_headers)
		return http_fail(err, 431, "the request has more header "
		    "fields than limits.max_headers");
	*nlines = lines;
	return 0;
}

/* Callback: the request target (one span, the head being linear). */
static int
req_on_url(http_parser *p, const char *at, size_t len)
{
	struct http_request *req = p->data;

	if (req->url == NULL)
		req->url = at;
	req->url_len = (size_t)(at + len - req->url);
	return 0;
}

/* Callback: a header name; trailers after a chunked body are ignored. */
static int
req_on_header_field(http_parser *p, const char *at, size_t len)
{
	struct http_request	*req = p->data;
	struct http_header	*h;

	if (req->nhdrs > 0 && req->hdrs[req->nhdrs - 1].value == NULL) {
		h = &req->hdrs[req->nhdrs - 1];
		h->name_len = (size_t)(at + len - h->name);
		return 0;
	}
	if (req->nhdrs == req->scratch_hdrs)
		return -1;
	h = &req->hdrs[req->nhdrs++];
	h->name = at;
	h->name_len = len;
	h->value = NULL;
	h->value_len = 0;
	return 0;
}

/* Callback: a header value (possibly empty: then never called). */
static int
req_on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http_request	*req = p->data;
	struct http_header	*h;

	if (req->nhdrs == 0)
		return 0;
	h = &req->hdrs[req->nhdrs - 1];
	if (h->value == NULL)
		h->value = at;
	h->value_len = (size_t)(at + len - h->value);
	return 0;
}

/* Compares a header name with a lower-case literal. */
static int
hdr_is(const struct http_header *h, const char *name)
{
	return h->name_len == strlen(name) &&
	    strncasecmp(h->name, name, h->name_len) == 0;
}

/* Compares a header value with a literal, ignoring case. */
static int
hdr_value_is(const struct http_header *h, const char *v)
{
	return h->value_len == strlen(v) &&
	    strncasecmp(h->value, v, h->value_len) == 0;
}

/* Trims spaces and tabs around every value; absent values become "". */
static void
http_trim_values(struct http_request *req)
{
	size_t	i;

	for (i = 0; i < req->nhdrs; i++) {
		struct http_header *h = &req->hdrs[i];

		if (h->value == NULL) {
			h->value = h->name + h->name_len;
			h->value_len = 0;
		}
		while (h->value_len > 0 && (h->value[0] == ' ' ||
		    h->value[0] == '\t')) {
			h->value++;
			h->value_len--;
		}
		while (h->value_len > 0 && (h->value[h->value_len - 1] == ' ' ||
		    h->value[h->value_len - 1] == '\t'))
			h->value_len--;
	}
}

/*
 * True if s[0..n) is an RFC 9110 token.  Debian builds http-parser
 * without its strict mode, which lets a space into header names.
 */
static int
http_is_token(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f ||
		    strchr("\"(),/:;<=>?@[\\]{}", c) != NULL)
			return 0;
	}
	return n > 0;
}

/* Methods the Docker API uses; anything else is refused. */
static int
http_method_ok(enum http_method m)
{
	switch (m) {
	case HTTP_GET: case HTTP_HEAD: case HTTP_POST: case HTTP_PUT:
	case HTTP_DELETE: case HTTP_OPTIONS: case HTTP_PATCH:
		return 1;
	default:
		return 0;
	}
}

/*
 * Content-Type: dockerd (Go's ParseForm) reads the parameters of a
 * form-encoded body as if in the query, and ahead of it, so a form body
 * would carry parameters the rules never saw.  Refused unless the body
 * is empty.  Go lowercases the media type with Unicode tables: a value
 * with bytes outside visible ASCII is refused rather than guessed at.
 */
static int
http_check_content_type(const struct http_header *h, int body,
    struct http_error *err)
{
	static const char *const forms[] = {
	    "application/x-www-form-urlencoded", "multipart/form-data" };
	size_t	i, n = 0;

	for (i = 0; i < h->value_len; i++) {
		unsigned char c = (unsigned char)h->value[i];

		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return http_fail(err, 400, "Content-Type has a byte "
			    "that is not visible ASCII");
	}
	while (n < h->value_len && h->value[n] != ';')
		n++;
	while (n > 0 && (h->value[n - 1] == ' ' || h->value[n - 1] == '\t'))
		n--;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (body && strlen(forms[i]) == n &&
		    strncasecmp(h->value, forms[i], n) == 0)
			return http_fail(err, 415, "form bodies are refused: "
			    "dockerd reads parameters from them that sockguard "
			    "does not check");
	return 0;
}

/* Framing and semantics checks over the parsed headers. */
static int
http_check_headers(struct http_request *req, struct http_error *err)
{
	const struct http_header *ct = NULL;
	size_t	 i, ncl = 0, nte = 0, nhost = 0;

	for (i = 0; i < req->nhdrs; i++) {
		const struct http_header *h = &req->hdrs[i];

		if (h->name_len == 0)
			return http_fail(err, 400, "a header has an empty name");
		if (!http_is_token(h->name, h->name_len))
			return http_fail(err, 400, "a header name has a "
			    "character that is not allowed in a token");
		if (hdr_is(h, "content-length"))
			ncl++;
		else if (hdr_is(h, "transfer-encoding")) {
			if (nte++ > 0)
				return http_fail(err, 400, "Transfer-Encoding "
				    "is given more than once");
			if (!hdr_value_is(h, "chunked"))
				return http_fail(err, 501, "only the chunked "
				    "transfer coding is supported");
		} else if (hdr_is(h, "host"))
			nhost++;
		else if (hdr_is(h, "expect")) {
			if (!hdr_value_is(h, "100-continue"))
				return http_fail(err, 417, "the only "
				    "expectation supported is 100-continue");
			req->expect_continue = 1;
		} else if (hdr_is(h, "connection")) {
			if (!hdr_value_is(h, "close") &&
			    !hdr_value_is(h, "keep-alive") &&
			    !hdr_value_is(h, "upgrade"))
				req->conn_lists = 1;
		} else if (hdr_is(h, "content-type")) {
			if (ct != NULL)
				return http_fail(err, 400, "Content-Type is "
				    "given more than once");
			ct = h;
		} else if (hdr_is(h, "upgrade")) {
			if (req->upgrade_hdr != NULL)
				return http_fail(err, 400, "Upgrade is given "
				    "more than once");
			if (h->value_len == 0)
				return http_fail(err, 400, "Upgrade is empty");
			req->upgrade_hdr = h;
		}
	}
	if (ncl > 1)
		return http_fail(err, 400, "Content-Length is given more than "
		    "once");
	if (ncl > 0 && nte > 0)
		return http_fail(err, 400, "Content-Length and "
		    "Transfer-Encoding together make the body length "
		    "ambiguous");
	if (nte > 0 && req->http_minor == 0)
		return http_fail(err, 400, "Transfer-Encoding in an HTTP/1.0 "
		    "request");
	if (nhost > 1 || (nhost == 0 && req->http_minor == 1))
		return http_fail(err, 400, "an HTTP/1.1 request needs exactly "
		    "one Host header");
	if (nte > 0)
		req->framing = HTTP_BODY_CHUNKED;
	else if (ncl > 0)
		req->framing = HTTP_BODY_LENGTH;
	else
		req->framing = HTTP_BODY_NONE;
	if (ct != NULL)
		return http_check_content_type(ct, req->framing ==
		    HTTP_BODY_CHUNKED || (req->framing == HTTP_BODY_LENGTH &&
		    req->parser.content_length > 0), err);
	return 0;
}

int
http_request_parse(const char *head, size_t len, const struct limits *lim,
    struct http_request *req, struct http_error *err)
{
	size_t		 nlines, parsed;
	enum http_errno	 e;
	const char	*why;

	memset(req, 0, sizeof(*req));
	if (http_head_precheck(head, len, lim, &nlines, err) == -1)
		return -1;
	req->head = xstrndup(head, len);
	req->head_len = len;
	req->scratch_hdrs = nlines;
	req->hdrs = xcalloc(nlines, sizeof(*req->hdrs));
	/* http-parser has its own cap (80 KiB); ours was checked above. */
	http_parser_set_max_header_size((uint32_t)(lim->max_header_bytes + 4));
	http_parser_init(&req->parser, HTTP_REQUEST);
	req->parser.data = req;
	parsed = http_parser_execute(&req->parser, &req_settings, req->head,
	    len);
	e = HTTP_PARSER_ERRNO(&req->parser);
	if (e != HPE_OK || parsed != len) {
		if (e == HPE_HEADER_OVERFLOW)
			return http_fail(err, 431, "the request head is too "
			    "large");
		return http_fail(err, 400, e == HPE_OK ? "the request head "
		    "did not parse as HTTP/1.1" : http_errno_description(e));
	}
	req->method_id = (enum http_method)req->parser.method;
	req->method = http_method_str(req->method_id);
	req->http_major = req->parser.http_major;
	req->http_minor = req->parser.http_minor;
	if (req->http_major != 1 || req->http_minor > 1)
		return http_fail(err, 505, "only HTTP/1.0 and HTTP/1.1 are "
		    "supported");
	if (!http_method_ok(req->method_id))
		return http_fail(err, 405, "the Docker API does not use this "
		    "method");
	if (req->url == NULL || uri_check(req->url, req->url_len,
	    &req->path_len, &why) == -1)
		return http_fail(err, 400, req->url == NULL ?
		    "the request has no target" : why);
	http_trim_values(req);
	if (http_check_headers(req, err) == -1)
		return -1;
	req->content_length = req->framing == HTTP_BODY_LENGTH ?
	    req->parser.content_length : 0;
	req->body_left = req->content_length;
	req->body_done = req->framing == HTTP_BODY_NONE ||
	    (req->framing == HTTP_BODY_LENGTH && req->content_length == 0);
	req->keep_alive = http_should_keep_alive(&req->parser);
	req->upgrade = req->parser.upgrade && req->upgrade_hdr != NULL;
	return 0;
}

void
http_request_clear(struct http_request *req)
{
	if (req == NULL)
		return;
	free(req->head);
	free(req->hdrs);
	free(req->url_forward);
	memset(req, 0, sizeof(*req));
}

const struct http_header *
http_request_header(const struct http_request *req, const char *name)
{
	size_t	i;

	for (i = 0; i < req->nhdrs; i++)
		if (hdr_is(&req->hdrs[i], name))
			return &req->hdrs[i];
	return NULL;
}

/* True if Connection: lists this header name (a hop-by-hop header). */
static int
http_connection_lists(const struct http_request *req,
    const struct http_header *h)
{
	size_t	 i, j, k;

	for (i = 0; i < req->nhdrs; i++) {
		const struct http_header *c = &req->hdrs[i];

		if (!hdr_is(c, "connection"))
			continue;
		for (j = 0; j < c->value_len; j = k + 1) {
			size_t s, e;

			for (k = j; k < c->value_len && c->value[k] != ','; k++)
				;
			for (s = j; s < k && (c->value[s] == ' ' ||
			    c->value[s] == '\t'); s++)
				;
			for (e = k; e > s && (c->value[e - 1] == ' ' ||
			    c->value[e - 1] == '\t'); e--)
				;
			if (e - s == h->name_len &&
			    strncasecmp(c->value + s, h->name, e - s) == 0)
				return 1;
		}
	}
	return 0;
}

/* First letters of the hop-by-hop names below (either case). */
static const unsigned char http_hop_first[256] = {
	['c'] = 1, ['C'] = 1, ['k'] = 1, ['K'] = 1, ['p'] = 1, ['P'] = 1,
	['t'] = 1, ['T'] = 1, ['u'] = 1, ['U'] = 1, ['e'] = 1, ['E'] = 1,
	['x'] = 1, ['X'] = 1,
};

/* Headers that describe one hop and are rewritten by sockguard. */
static int
http_hop_header(const struct http_request *req, const struct http_header *h)
{
	if (h->name_len > 0 && !http_hop_first[(unsigned char)h->name[0]])
		return req->conn_lists && http_connection_lists(req, h);
	static const char *hop[] = { "connection", "keep-alive",
	    "proxy-connection", "te", "trailer", "transfer-encoding",
	    "upgrade", "content-length", "expect", "proxy-authorization",
	    "proxy-authenticate", "x-sockguard-request-id" };
	size_t	i;

	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (hdr_is(h, hop[i]))
			return 1;
	return req->conn_lists && http_connection_lists(req, h);
}

/* Appends n bytes at *p (the caller reserved room for them). */
static void
put(char **p, const void *s, size_t n)
{
	memcpy(*p, s, n);
	*p += n;
}

void
http_request_write_head(const struct http_request *req, struct evbuffer *out,
    enum http_framing framing, uint64_t length, int close_conn)
{
	struct evbuffer_iovec	 v;
	size_t			 i, room;
	char			*p, num[48];
	int			 n;

	/* One reserved region and one commit: a single buffer callback. */
	room = req->head_len + 128 + (req->url_forward != NULL ?
	    strlen(req->url_forward) : 0) + (req->extra_header != NULL ?
	    strlen(req->extra_header) : 0);
	if (evbuffer_reserve_space(out, (ev_ssize_t)room, &v, 1) < 1)
		return;
	p = v.iov_base;
	put(&p, req->method, strlen(req->method));
	put(&p, " ", 1);
	if (req->url_forward != NULL)
		put(&p, req->url_forward, strlen(req->url_forward));
	else
		put(&p, req->url, req->url_len);
	put(&p, req->http_minor == 0 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n",
	    11);
	for (i = 0; i < req->nhdrs; i++) {
		const struct http_header *h = &req->hdrs[i];

		if (http_hop_header(req, h))
			continue;
		put(&p, h->name, h->name_len);
		put(&p, ": ", 2);
		put(&p, h->value, h->value_len);
		put(&p, "\r\n", 2);
	}
	if (req->extra_header != NULL)
		put(&p, req->extra_header, strlen(req->extra_header));
	if (framing == HTTP_BODY_LENGTH) {
		n = snprintf(num, sizeof(num), "Content-Length: %llu\r\n",
		    (unsigned long long)length);
		put(&p, num, (size_t)n);
	} else if (framing == HTTP_BODY_CHUNKED)
		put(&p, "Transfer-Encoding: chunked\r\n", 28);
	if (req->upgrade) {
		/* The Upgrade value came from the head: it fits the room. */
		put(&p, "Connection: Upgrade\r\nUpgrade: ", 30);
		put(&p, req->upgrade_hdr->value, req->upgrade_hdr->value_len);
		put(&p, "\r\n", 2);
	} else if (close_conn)
		put(&p, "Connection: close\r\n", 19);
	else if (req->http_minor == 0)
		put(&p, "Connection: keep-alive\r\n", 24);
	put(&p, "\r\n", 2);
	v.iov_len = (size_t)(p - (char *)v.iov_base);
	evbuffer_commit_space(out, &v, 1);
}

/* The states of the chunked decoder (RFC 9112 7.1). */
enum {
	CH_SIZE = 0,	/* hex digits of a chunk size */
	CH_EXT,		/* ";ext" up to CR */
	CH_SIZE_LF,	/* LF after the size line */
	CH_DATA,	/* ch_size data bytes left */
	CH_DATA_CR,	/* CR after the data */
	CH_DATA_LF,	/* LF after the data */
	CH_TRAILER,	/* at the start of a trailer line (or the end) */
	CH_TRAILER_LINE,/* inside a trailer field line */
	CH_TRAILER_LF,	/* LF ending a trailer field line */
	CH_END_LF,	/* LF of the final empty line */
	CH_DONE
};

#define CH_MAX_EXTRA	8192	/* extension and trailer bytes per body */

/*
 * Advances the chunked decoder by one framing byte.  Returns 0, or -1
 * with *err.  reframe: sockguard's own chunk lines go to out.
 */
static int
chunk_byte(struct http_request *req, unsigned char c, struct evbuffer *out,
    int reframe, struct http_error *err)
{
	int	hex = (c >= '0' && c <= '9') ? c - '0' :
	    (c >= 'a' && c <= 'f') ? c - 'a' + 10 :
	    (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;

	switch (req->ch_state) {
	case CH_SIZE:
		if (hex >= 0) {
			if (++req->ch_digits > 16)
				return http_fail(err, 400, "a chunk size has "
				    "more than 16 hex digits");
			req->ch_size = req->ch_size * 16 + (uint64_t)hex;
			return 0;
		}
		if (req->ch_digits == 0 || (c != ';' && c != '\r'))
			return http_fail(err, 400, "malformed chunk size");
		req->ch_state = c == ';' ? CH_EXT : CH_SIZE_LF;
		return 0;
	case CH_EXT:
		if (c == '\r') {
			req->ch_state = CH_SIZE_LF;
			return 0;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f ||
		    ++req->ch_extra > CH_MAX_EXTRA)
			return http_fail(err, 400, "malformed or oversized "
			    "chunk extension");
		return 0;
	case CH_SIZE_LF:
		if (c != '\n')
			return http_fail(err, 400, "a chunk size line does not "
			    "end with CRLF");
		if (req->ch_size == 0) {
			req->ch_state = CH_TRAILER;
			return 0;
		}
		if (reframe)
			evbuffer_add_printf(out, "%llx\r\n",
			    (unsigned long long)req->ch_size);
		req->ch_state = CH_DATA;
		return 0;
	case CH_DATA_CR:
		if (c != '\r')
			return http_fail(err, 400, "chunk data is not followed "
			    "by CRLF");
		req->ch_state = CH_DATA_LF;
		return 0;
	case CH_DATA_LF:
		if (c != '\n')
			return http_fail(err, 400, "chunk data is not followed "
			    "by CRLF");
		if (reframe)
			evbuffer_add(out, "\r\n", 2);
		req->ch_state = CH_SIZE;
		req->ch_size = 0;
		req->ch_digits = 0;
		return 0;
	case CH_TRAILER:
		req->ch_state = c == '\r' ? CH_END_LF : CH_TRAILER_LINE;
		if (c == '\n')
			return http_fail(err, 400, "a bare LF in the trailer");
		/* FALLTHROUGH */
	case CH_TRAILER_LINE:
		if (req->ch_state == CH_END_LF)
			return 0;
		if (c == '\r') {
			req->ch_state = CH_TRAILER_LF;
			return 0;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f ||
		    ++req->ch_extra > CH_MAX_EXTRA)
			return http_fail(err, 400, "malformed or oversized "
			    "trailer");
		return 0;
	case CH_TRAILER_LF:
		if (c != '\n')
			return http_fail(err, 400, "a trailer line does not "
			    "end with CRLF");
		req->ch_state = CH_TRAILER;
		return 0;
	case CH_END_LF:
		if (c != '\n')
			return http_fail(err, 400, "the chunked body does not "
			    "end with CRLF");
		if (reframe)
			evbuffer_add(out, "0\r\n\r\n", 5);
		req->ch_state = CH_DONE;
		req->body_done = 1;
		return 0;
	default:
		return http_fail(err, 500, "chunked decoder state");
	}
}

/* Chunked bodies: framing bytes one by one, data moved in blocks. */
static int
http_chunked_pump(struct http_request *req, struct evbuffer *in,
    struct evbuffer *out, int reframe, size_t max, struct http_error *err)
{
	struct evbuffer_iovec	 v;
	const unsigned char	*p;
	size_t			 n, i;

	while (!req->body_done && max > 0 && evbuffer_get_length(in) > 0) {
		if (req->ch_state == CH_DATA) {
			n = evbuffer_get_length(in);
			if (n > max)
				n = max;
			if (n > req->ch_size)
				n = (size_t)req->ch_size;
			if (evbuffer_remove_buffer(in, out, n) != (int)n)
				return http_fail(err, 500, "cannot move body "
				    "bytes");
			req->ch_size -= n;
			req->body_seen += n;
			max -= n;
			if (req->ch_size == 0)
				req->ch_state = CH_DATA_CR;
			continue;
		}
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		p = v.iov_base;
		for (i = 0; i < v.iov_len && i < max && !req->body_done &&
		    req->ch_state != CH_DATA; i++)
			if (chunk_byte(req, p[i], out, reframe, err) == -1)
				return -1;
		evbuffer_drain(in, i);
		max -= i;
	}
	return req->body_done;
}

int
http_body_pump(struct http_request *req, struct evbuffer *in,
    struct evbuffer *out, int reframe, size_t max, struct http_error *err)
{
	size_t	n;

	if (req->body_done)
		return 1;
	if (req->framing == HTTP_BODY_CHUNKED)
		return http_chunked_pump(req, in, out, reframe, max, err);
	n = evbuffer_get_length(in);
	if (n > max)
		n = max;
	if (n > req->body_left)
		n = (size_t)req->body_left;
	if (n > 0 && evbuffer_remove_buffer(in, out, n) != (int)n)
		return http_fail(err, 500, "cannot move body bytes");
	req->body_left -= n;
	req->body_seen += n;
	req->body_done = req->body_left == 0;
	return req->body_done;
}

/* Callback: a response header name, kept if it may be Content-Type. */
static int
resp_on_header_field(http_parser *p, const char *at, size_t len)
{
	struct http_response *r = p->data;

	if (r->last_was_value || r->field_len == 0) {
		r->field_len = 0;
		r->in_ct = 0;
	}
	r->last_was_value = 0;
	if (r->field_len + len <= sizeof(r->field)) {
		memcpy(r->field + r->field_len, at, len);
		r->field_len += len;
	} else
		r->field_len = sizeof(r->field) + 1;
	r->in_ct = r->field_len == 12 &&
	    strncasecmp(r->field, "content-type", 12) == 0;
	return 0;
}

/* Callback: a response header value; Content-Type is remembered. */
static int
resp_on_header_value(http_parser *p, const char *at, size_t len)
{
	struct http_response	*r = p->data;
	size_t			 room;

	r->last_was_value = 1;
	if (!r->in_ct)
		return 0;
	room = sizeof(r->ct) - 1 - r->ct_len;
	if (len > room)
		len = room;
	memcpy(r->ct + r->ct_len, at, len);
	r->ct_len += len;
	r->ct[r->ct_len] = '\0';
	return 0;
}

/* Callback: end of the response head; detects Docker's raw streams. */
static int
resp_on_headers_complete(http_parser *p)
{
	struct http_response *r = p->data;

	r->status = p->status_code;
	r->headers_done = 1;
	r->stream_type =
	    strncasecmp(r->ct, "application/vnd.docker.raw-stream", 33) == 0 ||
	    strncasecmp(r->ct, "application/vnd.docker.multiplexed-stream",
	    41) == 0;
	if (r->status == 200 && r->stream_type && !(p->flags & F_CHUNKED) &&
	    p->content_length == ULLONG_MAX && !r->head_request) {
		/* dockerd hijacked the connection without an upgrade: the
		 * head ends here (no body), raw streams follow. */
		r->hijack = 1;
		return 1;
	}
	/* RFC 9112 6.3: these never have a body, whatever the headers say. */
	if (r->head_request || r->status / 100 == 1 || r->status == 204 ||
	    r->status == 304)
		return 1;
	r->sinking = r->body_sink != NULL && r->status == 200 &&
	    (p->flags & F_CHUNKED);
	return 0;
}

/* Callback: decoded body bytes, kept when the body is sunk. */
static int
resp_on_body(http_parser *p, const char *at, size_t len)
{
	struct http_response *r = p->data;

	if (r->sinking && evbuffer_add(r->body_sink, at, len) == -1)
		return 1;
	return 0;
}

/* Callback: the response ends; stop so nothing after it is taken. */
static int
resp_on_message_complete(http_parser *p)
{
	struct http_response *r = p->data;

	r->done = 1;
	r->keep_alive = http_should_keep_alive(p);
	http_parser_pause(p, 1);
	return 0;
}

#define HTTP_RESP_MAX_HEAD	(64 * 1024)

/*
 * A response head is parsed only once it is all there and uses CRLF
 * line endings only, so that sockguard and the client cannot disagree on
 * where it ends (Debian's http-parser takes a bare LF).  Returns 1 when
 * the head is complete and clean, 0 when more is needed, -1 if bad.
 */
static int
http_response_head_check(struct evbuffer *in, size_t *status_line,
    size_t *head_len)
{
	struct evbuffer_ptr	 end;
	const unsigned char	*p;
	size_t			 len, i;

	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos == -1)
		return evbuffer_get_length(in) > HTTP_RESP_MAX_HEAD ? -1 : 0;
	len = (size_t)end.pos + 4;
	*head_len = len;
	if (len > HTTP_RESP_MAX_HEAD ||
	    (p = evbuffer_pullup(in, (ev_ssize_t)len)) == NULL)
		return -1;
	/* "HTTP/1.x NNN" then a space or the line end: the lenient parser
	 * would take "H\r\n" for "HTTP" and end the head elsewhere. */
	if (len < 16 || memcmp(p, "HTTP/1.", 7) != 0 ||
	    (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
	    p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' ||
	    p[11] < '0' || p[11] > '9' || (p[12] != ' ' && p[12] != '\r'))
		return -1;
	*status_line = 0;
	for (i = 0; i < len; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			return -1;
		if (p[i] == '\r' && (i + 1 >= len || p[i + 1] != '\n'))
			return -1;
		if (p[i] == '\n' && *status_line == 0)
			*status_line = i + 1;
	}
	return 1;
}

/*
 * Relays n parsed bytes; the first time the status line has gone by,
 * adds r->inject (sockguard's own header line) right after it.  Body
 * bytes of a sunk response are dropped: their decoded form is sunk.
 */
static void
http_response_move(struct http_response *r, struct evbuffer *in,
    struct evbuffer *out, size_t n)
{
	size_t	first, body = 0;

	if (r->sinking) {
		first = r->bytes < r->head_end ?
		    (size_t)(r->head_end - r->bytes) : 0;
		if (first < n) {
			body = n - first;
			n = first;
		}
	}
	if (r->inject != NULL && !r->injected && r->status_line > 0) {
		first = r->status_line - r->head_moved;
		if (n >= first) {
			evbuffer_remove_buffer(in, out, first);
			evbuffer_add(out, r->inject, strlen(r->inject));
			r->injected = 1;
			n -= first;
		} else
			r->head_moved += n;
	}
	if (n > 0)
		evbuffer_remove_buffer(in, out, n);
	if (body > 0)
		evbuffer_drain(in, body);
}

void
http_response_init(struct http_response *r, int head_request)
{
	memset(r, 0, sizeof(*r));
	r->head_request = head_request;
	http_parser_init(&r->parser, HTTP_RESPONSE);
	r->parser.data = r;
}

enum http_resp_event
http_response_pump(struct http_response *r, struct evbuffer *in,
    struct evbuffer *out, size_t max)
{
	struct evbuffer_iovec	 v;
	size_t			 n, done;
	enum http_errno		 e;

	while (max > 0 && evbuffer_get_length(in) > 0) {
		if (!r->head_checked) {
			size_t	hl = 0;
			int	rc = http_response_head_check(in,
			    &r->status_line, &hl);

			if (rc != 1)
				return rc == 0 ? HTTP_RESP_MORE :
				    HTTP_RESP_ERROR;
			r->head_checked = 1;
			r->head_end = r->bytes + hl;
		}
		if (evbuffer_peek(in, -1, NULL, &v, 1) < 1)
			break;
		n = v.iov_len < max ? v.iov_len : max;
		done = http_parser_execute(&r->parser, &resp_settings,
		    v.iov_base, n);
		e = HTTP_PARSER_ERRNO(&r->parser);
		if (e != HPE_OK && e != HPE_PAUSED)
			return HTTP_RESP_ERROR;
		if (done > 0)
			http_response_move(r, in, out, done);
		r->bytes += done;
		max -= done;
		if (r->hijack)
			return HTTP_RESP_HIJACKED;
		if (r->done) {
			if (r->status == 101)
				return HTTP_RESP_UPGRADED;
			if (r->status / 100 != 1)
				return HTTP_RESP_DONE;
			/* An interim 1xx: the final response follows. */
			{
				const char	*inject = r->inject;
				struct evbuffer	*sink = r->body_sink;

				n = (size_t)r->bytes;
				http_response_init(r, r->head_request);
				r->bytes = n;
				r->inject = inject;
				r->body_sink = sink;
			}
			continue;
		}
		if (done < n)
			return HTTP_RESP_ERROR;
	}
	return HTTP_RESP_MORE;
}

enum http_resp_event
http_response_eof(struct http_response *r)
{
	if (r->done)
		return HTTP_RESP_DONE;
	if (r->headers_done)
		http_parser_execute(&r->parser, &resp_settings, NULL, 0);
	return r->done ? HTTP_RESP_DONE : HTTP_RESP_ERROR;
}

const char *
http_status_text(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t		len, i;
	unsigned	cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void
http_json_escape(struct evbuffer *out, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, k;

	for (i = 0; i < n; i += k) {
		k = 1;
		if (u[i] == '"' || u[i] == '\\') {
			evbuffer_add(out, "\\", 1);
			evbuffer_add(out, &u[i], 1);
		} else if (u[i] < 0x20 || u[i] == 0x7f)
			evbuffer_add_printf(out, "\\u%04x", u[i]);
		else if ((k = utf8_seq(u + i, n - i)) == 0) {
			evbuffer_add(out, "\\ufffd", 6);
			k = 1;
		} else
			evbuffer_add(out, &u[i], k);
	}
}

/* Builds a sockguard error response; header may be NULL. */
static void __attribute__((format(printf, 6, 0)))
http_vwrite_error(struct evbuffer *out, int status, int close_conn,
    const char *header, int head_only, const char *fmt, va_list ap)
{
	struct evbuffer	*body;
	char		 msg[1024];
	int		 n;

	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	if ((body = evbuffer_new()) == NULL)
		return;
	evbuffer_add(body, "{\"message\":\"sockguard: ", 23);
	http_json_escape(body, msg, (size_t)n);
	evbuffer_add(body, "\"}\n", 3);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n%s"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n%s\r\n", status, http_status_text(status),
	    header != NULL ? header : "", evbuffer_get_length(body),
	    close_conn ? "Connection: close\r\n" : "");
	if (!head_only)		/* a HEAD answer has the length, no body */
		evbuffer_add_buffer(out, body);
	evbuffer_free(body);
}

void
http_write_error(struct evbuffer *out, int status, int close_conn,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	http_vwrite_error(out, status, close_conn, NULL, 0, fmt, ap);
	va_end(ap);
}

void
http_write_error_hdr(struct evbuffer *out, int status, int close_conn,
    const char *header, int head_only, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	http_vwrite_error(out, status, close_conn, header, head_only, fmt, ap);
	va_end(ap);
}
