/* A blocking HTTP/1.1 client of dockerd's unix socket (see dclient.h). */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dclient.h"
#include "xmalloc.h"

/* dclient_interruptible(): the flag to give up on, the mask to wait with. */
static volatile sig_atomic_t	*dclient_stop;
static const sigset_t		*dclient_waitmask;

/* http-parser: append a piece of the (de-chunked) body, within the cap. */
static int
dclient_on_body(http_parser *p, const char *at, size_t len)
{
	struct dclient_resp	*r = p->data;
	size_t			 cap;

	if (len > r->dr_max - r->dr_len) {
		r->dr_too_large = 1;
		return 1;
	}
	if (r->dr_len + len + 1 > r->dr_cap) {
		cap = r->dr_cap == 0 ? 4096 : r->dr_cap;
		while (cap < r->dr_len + len + 1)
			cap *= 2;
		r->dr_body = xreallocarray(r->dr_body, 1, cap);
		r->dr_cap = cap;
	}
	memcpy(r->dr_body + r->dr_len, at, len);
	r->dr_len += len;
	return 0;
}

/*
 * http-parser: a response ended.  An interim 1xx one is not the answer:
 * parsing goes on with the next response on the connection.
 */
static int
dclient_on_complete(http_parser *p)
{
	struct dclient_resp	*r = p->data;

	if (p->status_code >= 100 && p->status_code < 200 &&
	    p->status_code != 101)
		return 0;
	r->dr_done = 1;
	return 0;
}

static const http_parser_settings dclient_settings = {
	.on_body = dclient_on_body,
	.on_message_complete = dclient_on_complete,
};

void
dclient_resp_init(struct dclient_resp *r, size_t max_body)
{
	memset(r, 0, sizeof(*r));
	http_parser_init(&r->dr_parser, HTTP_RESPONSE);
	r->dr_parser.data = r;
	r->dr_max = max_body;
}

int
dclient_resp_feed(struct dclient_resp *r, const char *buf, size_t len)
{
	size_t	n;

	if (r->dr_done)
		return 1;
	n = http_parser_execute(&r->dr_parser, &dclient_settings, buf, len);
	if (r->dr_done) {
		if (r->dr_body == NULL)
			r->dr_body = xcalloc(1, 1);
		r->dr_body[r->dr_len] = '\0';
		return 1;
	}
	if (r->dr_too_large) {
		r->dr_err = "the answer is too large";
		return -1;
	}
	if (HTTP_PARSER_ERRNO(&r->dr_parser) != HPE_OK || n != len) {
		r->dr_err = len == 0 ? "the answer was cut short" :
		    "the answer is not well-formed HTTP";
		return -1;
	}
	if (len == 0) {
		r->dr_err = "the answer was cut short";
		return -1;
	}
	return 0;
}

void
dclient_resp_free(struct dclient_resp *r)
{
	if (r == NULL)
		return;
	free(r->dr_body);
	r->dr_body = NULL;
	r->dr_len = r->dr_cap = 0;
}

/* Milliseconds of CLOCK_MONOTONIC. */
static uint64_t
dclient_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
dclient_interruptible(volatile sig_atomic_t *stop, const sigset_t *waitmask)
{
	dclient_stop = stop;
	dclient_waitmask = waitmask;
}

/* Whether the caller asked to give up (dclient_interruptible()). */
static int
dclient_stopped(void)
{
	return dclient_stop != NULL && *dclient_stop;
}

/*
 * Waits until fd is ready for events or the deadline passes: 0, or -1
 * with errno (ETIMEDOUT; ECANCELED once dclient_stopped()).  The check
 * comes before ppoll() and the signals that set the flag are let in only
 * inside it, so none arrives unseen in between.
 */
static int
dclient_wait(int fd, short events, uint64_t deadline)
{
	struct pollfd	pfd;
	struct timespec	ts;
	uint64_t	now;
	int		n;

	for (;;) {
		if (dclient_stopped()) {
			errno = ECANCELED;
			return -1;
		}
		if ((now = dclient_now()) >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		ts.tv_sec = (time_t)((deadline - now) / 1000);
		ts.tv_nsec = (long)((deadline - now) % 1000) * 1000000L;
		n = ppoll(&pfd, 1, &ts, dclient_waitmask);
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

/* Connects to the unix socket path; the descriptor, or -1 with errno. */
static int
dclient_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Writes all of buf before the deadline: 0, or -1 with errno. */
static int
dclient_send(int fd, const char *buf, size_t len, uint64_t deadline)
{
	ssize_t	n;

	while (len > 0) {
		if (dclient_wait(fd, POLLOUT, deadline) == -1)
			return -1;
		n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Fills a's message from a body that is not the JSON we expect. */
static void
dclient_message(struct dclient_answer *a, const char *body, size_t len)
{
	json_t	*m = json_is_object(a->body) ?
		    json_object_get(a->body, "message") : NULL;
	size_t	 i;

	if (json_is_string(m)) {
		snprintf(a->message, sizeof(a->message), "%s",
		    json_string_value(m));
		return;
	}
	if (a->body != NULL)
		return;
	/* Plain text (Go's "404 page not found"): its first line. */
	for (i = 0; i < len && i + 1 < sizeof(a->message); i++) {
		if (body[i] == '\n' || body[i] == '\r')
			break;
		a->message[i] = (unsigned char)body[i] < 0x20 ||
		    body[i] == 0x7f ? '?' : body[i];
	}
	a->message[i] = '\0';
}

int
dclient_request(const char *sock, const char *method, const char *path,
    unsigned timeout_ms, size_t max_body, struct dclient_answer *a,
    char *err, size_t errlen)
{
	struct dclient_resp	 r;
	uint64_t		 deadline = dclient_now() + timeout_ms;
	char			*req = NULL, buf[16384];
	ssize_t			 n;
	int			 fd, rc = -1, done = 0;

	memset(a, 0, sizeof(*a));
	dclient_resp_init(&r, max_body);
	if (dclient_stopped()) {
		fd = -1;
		snprintf(err, errlen, "interrupted");
		goto out;
	}
	if ((fd = dclient_connect(sock)) == -1) {
		snprintf(err, errlen, "cannot connect to %s: %s", sock,
		    strerror(errno));
		goto out;
	}
	xasprintf(&req, "%s %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockguard\r\nConnection: close\r\n\r\n", method, path);
	if (dclient_send(fd, req, strlen(req), deadline) == -1) {
		if (errno == ECANCELED)
			snprintf(err, errlen, "interrupted");
		else
			snprintf(err, errlen, "cannot send to %s: %s", sock,
			    strerror(errno));
		goto out;
	}
	while (done == 0) {
		if (dclient_wait(fd, POLLIN, deadline) == -1) {
			if (errno == ECANCELED)
				snprintf(err, errlen, "interrupted");
			else
				snprintf(err, errlen, "no answer from %s: %s",
				    sock, errno == ETIMEDOUT ? "timed out" :
				    strerror(errno));
			goto out;
		}
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			snprintf(err, errlen, "cannot read from %s: %s", sock,
			    strerror(errno));
			goto out;
		}
		if ((done = dclient_resp_feed(&r, buf, (size_t)n)) == -1) {
			snprintf(err, errlen, "%s: %s", sock, r.dr_err);
			goto out;
		}
	}
	a->status = r.dr_parser.status_code;
	if (r.dr_len > 0)
		a->body = json_loadb(r.dr_body, r.dr_len,
		    JSON_REJECT_DUPLICATES, NULL);
	dclient_message(a, r.dr_body, r.dr_len);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(req);
	dclient_resp_free(&r);
	return rc;
}

void
dclient_answer_free(struct dclient_answer *a)
{
	if (a == NULL)
		return;
	json_decref(a->body);
	a->body = NULL;
}
