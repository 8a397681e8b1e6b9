/*
 * libFuzzer target for response tracking (http.c): bytes "from dockerd"
 * go through http_response_pump() in pieces, with a budget per call, then
 * http_response_eof(), one keep-alive response after another.
 *
 * Input: byte 0 bit 0 says the request was HEAD, bits 1-3 pick the
 * budget; byte 1 is the piece size; the rest is the stream.  Invariants:
 *  - the relayed bytes are exactly the bytes consumed, in order, and
 *    r.bytes counts them;
 *  - the outcome and the bytes consumed do not depend on the piece size
 *    or the budget;
 *  - a finished response takes nothing more;
 *  - UPGRADED is a 101, HIJACKED a 200 Docker stream without framing,
 *    and either has relayed its whole head (the stream bytes follow).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <event2/buffer.h>

#include "http.h"

#define MAX_RESPONSES	8

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts the run: an invariant does not hold. */
#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static const size_t budgets[8] = { 1, 2, 5, 13, 64, 1000, 65536, SIZE_MAX };

/* The outcome of tracking one response. */
struct outcome {
	enum http_resp_event	 ev;
	size_t			 consumed;
	int			 status;
};

/*
 * Tracks one response from stream[0..n): pieces of step bytes (0: at
 * once), budget bytes per pump call.  Checks the relay as it goes.
 */
static void
track(const unsigned char *stream, size_t n, int head_req, size_t step,
    size_t budget, struct outcome *o)
{
	struct http_response	 r;
	struct evbuffer		*in, *out;
	enum http_resp_event	 ev = HTTP_RESP_MORE;
	size_t			 off = 0, k, before, got;

	CHECK((in = evbuffer_new()) != NULL);
	CHECK((out = evbuffer_new()) != NULL);
	http_response_init(&r, head_req);
	while (off < n && ev == HTTP_RESP_MORE) {
		k = step == 0 || n - off < step ? n - off : step;
		evbuffer_add(in, stream + off, k);
		off += k;
		do {
			before = evbuffer_get_length(in);
			ev = http_response_pump(&r, in, out, budget);
			CHECK(evbuffer_get_length(in) <= before);
			CHECK(before - evbuffer_get_length(in) <= budget);
		} while (ev == HTTP_RESP_MORE &&
		    evbuffer_get_length(in) < before);
	}
	o->consumed = off - evbuffer_get_length(in);
	got = evbuffer_get_length(out);
	/* The relay is byte for byte what was consumed. */
	CHECK(got == o->consumed);
	CHECK(r.bytes == got);
	if (got > 0)
		CHECK(memcmp(evbuffer_pullup(out, -1), stream, got) == 0);
	switch (ev) {
	case HTTP_RESP_MORE:
		/* Everything was taken, or a head is held until it is
		 * whole (it is relayed only then). */
		CHECK(off == n);
		CHECK(evbuffer_get_length(in) == 0 || !r.headers_done);
		ev = http_response_eof(&r);
		CHECK(ev == HTTP_RESP_DONE || ev == HTTP_RESP_ERROR);
		/* At EOF only a read-until-close body can end. */
		if (ev == HTTP_RESP_DONE)
			CHECK(r.headers_done &&
			    (r.status < 100 || r.status >= 200));
		break;
	case HTTP_RESP_DONE:
		CHECK(r.done && r.headers_done);
		CHECK(r.status < 100 || r.status >= 200);
		/* Finished: nothing more is taken (MORE if nothing waits). */
		before = evbuffer_get_length(in);
		ev = http_response_pump(&r, in, out, budget);
		CHECK(ev == HTTP_RESP_DONE || (ev == HTTP_RESP_MORE &&
		    before == 0));
		ev = HTTP_RESP_DONE;
		CHECK(evbuffer_get_length(in) == before);
		CHECK(http_response_eof(&r) == HTTP_RESP_DONE);
		break;
	case HTTP_RESP_UPGRADED:
		CHECK(r.status == 101);
		/* FALLTHROUGH */
	case HTTP_RESP_HIJACKED:
		CHECK(r.headers_done);
		CHECK(ev == HTTP_RESP_UPGRADED || (r.status == 200 &&
		    r.stream_type && !head_req));
		/* The whole head went out: it ends with its empty line. */
		CHECK(got >= 2 && stream[got - 1] == '\n');
		break;
	case HTTP_RESP_ERROR:
		break;
	default:
		abort();
	}
	o->ev = ev;
	o->status = r.status;
	evbuffer_free(in);
	evbuffer_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome		 a, b;
	const unsigned char	*stream;
	size_t			 n, off = 0, step, budget;
	int			 head_req, i;

	if (size < 2)
		return 0;
	head_req = data[0] & 1;
	budget = budgets[(data[0] >> 1) & 7];
	step = data[1];
	stream = data + 2;
	n = size - 2;
	for (i = 0; i < MAX_RESPONSES; i++) {
		track(stream + off, n - off, head_req, step, budget, &a);
		track(stream + off, n - off, head_req, 0, SIZE_MAX, &b);
		CHECK(a.ev == b.ev);
		if (a.ev != HTTP_RESP_ERROR)
			CHECK(a.consumed == b.consumed && a.status == b.status);
		/* Keep-alive: the next response follows a finished one. */
		if (a.ev != HTTP_RESP_DONE || a.consumed == 0 ||
		    off + a.consumed >= n)
			break;
		off += a.consumed;
	}
	return 0;
}
