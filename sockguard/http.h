/*
 * HTTP/1.1 framing for the proxy, on top of http-parser.
 *
 * Requests are read strictly: the head is scanned and checked as a whole
 * before http-parser sees it (CRLF only, no obsolete folding, no control
 * bytes, limits), then parsed into struct http_request, which owns a copy
 * of the head.  sockguard never relays client bytes it has not parsed: the
 * head is re-serialised by http_request_write_head() and the body is moved
 * with its framing re-written by http_body_pump().
 *
 * Responses come from dockerd and are relayed as received, but parsed on
 * the way (http_response_pump) so the connection stays in step.
 */
#ifndef SG_HTTP_H
#define SG_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <http_parser.h>

struct evbuffer;
struct limits;

/* A failed check: the HTTP status to answer and a static reason. */
struct http_error {
	int		 status;
	const char	*reason;
};

struct http_header {
	const char	*name;
	size_t		 name_len;
	const char	*value;		/* trimmed of surrounding spaces */
	size_t		 value_len;
};

enum http_framing { HTTP_BODY_NONE, HTTP_BODY_LENGTH, HTTP_BODY_CHUNKED };

struct http_request {
	char			*head;		/* owned copy of the raw head */
	size_t			 head_len;
	const char		*method;	/* static, e.g. "GET" */
	enum http_method	 method_id;
	const char		*url;		/* into head, url_len bytes */
	size_t			 url_len;
	char			*url_forward;	/* owned; forwarded instead */
	const char		*extra_header;	/* borrowed: a whole header
						   line sockguard adds */
	size_t			 path_len;	/* url[0..path_len) is the path */
	unsigned short		 http_major, http_minor;
	struct http_header	*hdrs;		/* owned array */
	size_t			 nhdrs;
	enum http_framing	 framing;	/* of the client's body */
	uint64_t		 content_length;
	int			 keep_alive;
	int			 upgrade;	/* Connection: upgrade */
	const struct http_header *upgrade_hdr;
	int			 expect_continue;
	int			 conn_lists;	/* Connection names other
						   headers (or several tokens) */

	http_parser		 parser;	/* of the head */
	size_t			 scratch_hdrs;	/* allocated hdrs */

	/* body state, advanced by http_body_pump() */
	uint64_t		 body_left;	/* HTTP_BODY_LENGTH */
	uint64_t		 body_seen;	/* decoded body bytes so far */
	int			 body_done;
	int			 ch_state;	/* chunked decoder (http.c) */
	uint64_t		 ch_size;	/* current chunk size/left */
	unsigned		 ch_digits;
	size_t			 ch_extra;	/* extension + trailer bytes */
};

/*
 * Looks for a complete request head at the front of in.  Returns 1 and
 * sets *head_len when the head (through its final CRLF CRLF) is there,
 * 0 when more bytes are needed, -1 with *err when the limits are passed.
 * Leading empty lines (CRLF left after a previous body) are drained.
 * *scanned carries progress between calls (start at 0 for each request)
 * so a head that arrives byte by byte is scanned once, not quadratically.
 */
int	http_head_scan(struct evbuffer *in, const struct limits *,
	    size_t *scanned, size_t *head_len, struct http_error *err);

/*
 * Parses and checks head[0..len) into req, which takes a copy.  Returns
 * 0, or -1 with *err (and req left for http_request_clear()).
 */
int	http_request_parse(const char *head, size_t len, const struct limits *,
	    struct http_request *req, struct http_error *err);
void	http_request_clear(struct http_request *);

/* Finds a header by case-insensitive name; NULL if absent. */
const struct http_header *http_request_header(const struct http_request *,
	    const char *name);

/*
 * Writes the request head as sockguard forwards it: request line, the
 * end-to-end headers, then its own framing for a body of the given kind
 * (length is used for HTTP_BODY_LENGTH).  close_conn asks the upstream
 * to close after the response.
 */
void	http_request_write_head(const struct http_request *,
	    struct evbuffer *out, enum http_framing, uint64_t length,
	    int close_conn);

/*
 * Moves up to max bytes of request body from in to out.  reframe=1 keeps
 * chunked bodies chunked (with sockguard's own chunk framing); reframe=0
 * writes the decoded bytes only.  Returns 1 when the body is complete,
 * 0 when more input is needed, -1 with *err on a framing error.  Bytes
 * after the body stay in in.  Chunked bodies are decoded by sockguard
 * itself, strictly (hex sizes of at most 16 digits, CRLF everywhere,
 * extensions and trailers bounded and dropped): Debian's http-parser is
 * built without its strict checks.
 */
int	http_body_pump(struct http_request *, struct evbuffer *in,
	    struct evbuffer *out, int reframe, size_t max,
	    struct http_error *err);

/* Response tracking. */
enum http_resp_event {
	HTTP_RESP_MORE,		/* need more bytes */
	HTTP_RESP_DONE,		/* response complete */
	HTTP_RESP_UPGRADED,	/* 101: head relayed, raw streams follow */
	HTTP_RESP_HIJACKED,	/* 200 raw/multiplexed stream, no framing */
	HTTP_RESP_ERROR		/* malformed response */
};

struct http_response {
	http_parser	 parser;
	int		 head_request;	/* answer to HEAD: no body */
	int		 status;
	int		 headers_done;
	int		 done;
	int		 stream_type;	/* Content-Type is a docker stream */
	int		 keep_alive;
	uint64_t	 bytes;		/* relayed so far */
	int		 hijack;	/* set by the header callback */
	int		 head_checked;	/* the whole head was checked */
	const char	*inject;	/* borrowed: a header line to add
					   after the status line, or NULL */
	size_t		 status_line;	/* its length, CRLF included */
	size_t		 head_moved;	/* head bytes relayed so far */
	int		 injected;
	int		 last_was_value;
	char		 field[16];	/* current header name (prefix) */
	size_t		 field_len;
	int		 in_ct;		/* parsing Content-Type value */
	char		 ct[64];
	size_t		 ct_len;
	uint64_t	 head_end;	/* bytes through the head's end */
	struct evbuffer	*body_sink;	/* borrowed; see below */
	int		 sinking;	/* body goes to body_sink */
};

void	http_response_init(struct http_response *, int head_request);
/*
 * Parses and relays up to max bytes from in to out.  With body_sink set
 * (after init), a 200 response with a chunked body has its head relayed
 * and its decoded body appended to body_sink instead (sinking is set);
 * the caller writes its own chunks, and the last one at HTTP_RESP_DONE.
 */
enum http_resp_event http_response_pump(struct http_response *,
	    struct evbuffer *in, struct evbuffer *out, size_t max);
/* The upstream closed: completes a read-until-close response. */
enum http_resp_event http_response_eof(struct http_response *);

/* Standard reason phrase. */
const char *http_status_text(int);

/*
 * Writes a complete Docker-style error response to out: the status, a
 * JSON body {"message": "sockguard: <message>"}; Connection: close when
 * close_conn is set.
 */
void	http_write_error(struct evbuffer *out, int status, int close_conn,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * The same, with a whole header line (e.g. the request id) added, and
 * for a HEAD request (head_only) without the body.
 */
void	http_write_error_hdr(struct evbuffer *out, int status, int close_conn,
	    const char *header, int head_only, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));

/* Appends s (n bytes) to out as a JSON string body (no quotes). */
void	http_json_escape(struct evbuffer *out, const char *s, size_t n);

#endif
