/*
 * In-process tests of the proxy (proxy.c): one event loop runs sockguard,
 * a fake dockerd on a unix socket (it records every byte and answers
 * each request it parses, or a scripted response), and non-blocking
 * clients.  Each test drives the loop until a condition holds, bounded
 * by a deadline, so nothing sleeps and a hang fails fast.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>

#include "config.h"
#include "log.h"
#include "proxy.h"
#include "rules.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define WAIT_MS		2000	/* longest wait for one condition */
#define UP_MAXCONN	32
#define UP_MAXSCRIPT	4
#define MAXCLIENTS	8

struct fakeup;

/* One connection accepted by the fake dockerd. */
struct upconn {
	struct fakeup		*up;
	struct bufferevent	*bev;
	struct evbuffer		*got;	/* all received */
	struct evbuffer		*pending; /* not parsed yet */
	struct evbuffer		*sent;	/* all sent */
	struct evbuffer		*raw;	/* received once raw */
	int			 hijacked;
	int			 eof;
	size_t			 nreq;
	size_t			 nheld;	/* parsed, not answered */
	char			 held_line[8][256];
	int			 held_head[8];
};

/* A scripted answer: sent verbatim; hijack makes the connection raw. */
struct script {
	const char	*resp;
	int		 hijack;
};

/* The fake dockerd. */
struct fakeup {
	struct event_base	*base;
	struct evconnlistener	*evl;
	struct upconn		 conns[UP_MAXCONN];
	size_t			 nconns;
	int			 hold;	/* answer later */
	struct script		 script[UP_MAXSCRIPT];
	size_t			 nscript, script_next;
};

/* A test client: a non-blocking socket with its own buffers. */
struct client {
	int		 fd;
	struct event	*rev, *wev;
	struct evbuffer	*in, *out;
	int		 eof;
	int		 err;
};

/* Everything one test uses; freed by teardown whatever happened. */
struct env {
	char		 dir[96];
	char		 listen_path[128];
	char		 up_path[128];
	struct event_base *base;
	struct event	*tick;
	struct config	*conf;
	struct ruleset	*rules;
	struct proxy	*px;
	struct fakeup	 up;
	int		 up_started;
	struct client	 clients[MAXCLIENTS];
	size_t		 nclients;
	int		 drained;
};

/* ------------------------------------------------------------------ */
/* The event loop */

/* Keeps EVLOOP_ONCE from blocking for long. */
static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
}

/* Milliseconds on a monotonic clock. */
static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef int (*cond_fn)(struct env *, void *);

/* Runs the loop until cond holds or ms pass; returns cond. */
static int
run_until_ms(struct env *e, cond_fn cond, void *arg, long long ms)
{
	long long	deadline = now_ms() + ms;

	while (!cond(e, arg)) {
		if (now_ms() > deadline)
			return 0;
		event_base_loop(e->base, EVLOOP_ONCE);
	}
	return 1;
}

/* Runs the loop until cond holds or WAIT_MS pass; returns cond. */
static int
run_until(struct env *e, cond_fn cond, void *arg)
{
	return run_until_ms(e, cond, arg, WAIT_MS);
}

/* Runs the loop for a few rounds so that pending work settles. */
static void
run_idle(struct env *e, int rounds)
{
	while (rounds-- > 0)
		event_base_loop(e->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
}

#define WAIT(e, cond, arg, what) do {					\
	if (!run_until((e), (cond), (arg)))				\
		fail_msg("timed out waiting for %s", (what));		\
} while (0)

/* ------------------------------------------------------------------ */
/* Buffers */

#define RID_HDR		"X-Sockguard-Request-Id: "
#define RID_LINE_LEN	(sizeof(RID_HDR) - 1 + 16 + 2)

/*
 * Removes sockguard's request id header lines (a random id on every
 * request and response) from s, checking their shape; returns how many.
 */
static size_t
strip_rid(char *s, size_t *n)
{
	char	*p;
	size_t	 count = 0;

	while ((p = strstr(s, RID_HDR)) != NULL) {
		if ((size_t)(s + *n - p) < RID_LINE_LEN)
			break;		/* still arriving */
		assert_int_equal(strspn(p + sizeof(RID_HDR) - 1,
		    "0123456789abcdef"), 16);
		assert_memory_equal(p + RID_LINE_LEN - 2, "\r\n", 2);
		memmove(p, p + RID_LINE_LEN, (size_t)(s + *n - p) -
		    RID_LINE_LEN + 1);
		*n -= RID_LINE_LEN;
		count++;
	}
	return count;
}

/* Returns buf as a malloc'd NUL-terminated string (length in *len). */
static char *
buf_raw(struct evbuffer *buf, size_t *len)
{
	size_t	 n = evbuffer_get_length(buf);
	char	*s = malloc(n + 1);

	assert_non_null(s);
	evbuffer_copyout(buf, s, n);
	s[n] = '\0';
	if (len != NULL)
		*len = n;
	return s;
}

/*
 * The same, less sockguard's request id lines (a random id on every
 * request and response; their shape is checked here, and their presence
 * by test_request_id), so that exact comparisons stay exact.
 */
static char *
buf_str(struct evbuffer *buf, size_t *len)
{
	size_t	 n;
	char	*s = buf_raw(buf, &n);

	strip_rid(s, &n);
	if (len != NULL)
		*len = n;
	return s;
}

/* Asserts that buf holds exactly want. */
static void
assert_buf(struct evbuffer *buf, const char *want, const char *what)
{
	char	*got;
	size_t	 len;

	got = buf_str(buf, &len);
	if (len != strlen(want) || memcmp(got, want, len) != 0)
		fail_msg("%s:\n--- got (%zu bytes):\n%s\n--- want (%zu bytes):"
		    "\n%s", what, len, got, strlen(want), want);
	free(got);
}

/* True if both buffers hold the same bytes. */
static int
buf_same(struct evbuffer *a, struct evbuffer *b)
{
	char	*sa, *sb;
	size_t	 la, lb;
	int	 same;

	sa = buf_str(a, &la);
	sb = buf_str(b, &lb);
	same = la == lb && memcmp(sa, sb, la) == 0;
	free(sa);
	free(sb);
	return same;
}

/* Finds s (case-insensitive) in buf[0..len), or NULL. */
static const char *
find_ci(const char *buf, size_t len, const char *s)
{
	size_t	i, n = strlen(s);

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(buf + i, s, n) == 0)
			return buf + i;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The fake dockerd */

/* Fills a unix socket address; the paths are short by construction. */
static void
sun_fill(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun->sun_path));
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

/* Writes a response to one parsed request: scripted, or an echo. */
static void
upconn_answer(struct upconn *uc, const char *line, int head_req)
{
	struct fakeup	*up = uc->up;
	struct evbuffer	*out = bufferevent_get_output(uc->bev);
	char		 resp[1024], body[512], name[128];
	int		 n, m;

	/* sockguard asks about containers before some requests. */
	if (sscanf(line, "GET /containers/%127[^/ ]/json", name) == 1) {
		m = snprintf(body, sizeof(body), "{\"Id\":\"%064d\","
		    "\"Name\":\"/%s\",\"HostConfig\":{},\"Mounts\":[]}",
		    (int)strlen(name), name);
		n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: application/json\r\nContent-Length: %d"
		    "\r\n\r\n%s", m, body);
		evbuffer_add(uc->sent, resp, (size_t)n);
		/* It asked for Connection: close and reads to EOF: write it
		 * now (a few hundred bytes fit the socket), then close. */
		assert_int_equal(write(bufferevent_getfd(uc->bev), resp,
		    (size_t)n), n);
		shutdown(bufferevent_getfd(uc->bev), SHUT_WR);
		return;
	}
	if (up->script_next < up->nscript) {
		const struct script *s = &up->script[up->script_next++];

		evbuffer_add(out, s->resp, strlen(s->resp));
		evbuffer_add(uc->sent, s->resp, strlen(s->resp));
		if (s->hijack)
			uc->hijacked = 1;
		return;
	}
	/* The body echoes the request line's method and target. */
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n"
	    "Api-Version: 1.41\r\nContent-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(line),
	    head_req ? "" : line);
	assert_true(n > 0 && (size_t)n < sizeof(resp));
	evbuffer_add(out, resp, (size_t)n);
	evbuffer_add(uc->sent, resp, (size_t)n);
}

/* Parses complete requests from uc->pending; answers or holds them. */
static void
upconn_parse(struct upconn *uc)
{
	char		*s, *end, *p, line[256];
	const char	*cl, *te;
	size_t		 len, head_len, body_len, total, llen;

	while (!uc->hijacked && evbuffer_get_length(uc->pending) > 0) {
		s = buf_raw(uc->pending, &len);
		if ((end = strstr(s, "\r\n\r\n")) == NULL) {
			free(s);
			return;
		}
		head_len = (size_t)(end - s) + 4;
		cl = find_ci(s, head_len, "\r\nContent-Length:");
		te = find_ci(s, head_len, "\r\nTransfer-Encoding: chunked");
		if (te != NULL) {
			if ((p = strstr(end, "\r\n0\r\n\r\n")) == NULL) {
				free(s);
				return;
			}
			total = (size_t)(p - s) + 7;
		} else {
			body_len = cl != NULL ? strtoul(cl + 17, NULL, 10) : 0;
			total = head_len + body_len;
			if (len < total) {
				free(s);
				return;
			}
		}
		llen = strcspn(s, " ");
		llen += strcspn(s + llen + 1, " ") + 1;
		snprintf(line, sizeof(line), "%.*s", (int)llen, s);
		evbuffer_drain(uc->pending, total);
		uc->nreq++;
		if (uc->up->hold) {
			assert_true(uc->nheld < nitems(uc->held_line));
			snprintf(uc->held_line[uc->nheld], sizeof(line), "%s",
			    line);
			uc->held_head[uc->nheld++] =
			    strncmp(s, "HEAD ", 5) == 0;
		} else
			upconn_answer(uc, line, strncmp(s, "HEAD ", 5) == 0);
		free(s);
	}
	if (uc->hijacked)
		evbuffer_add_buffer(uc->raw, uc->pending);
}

/* Bytes from sockguard. */
static void
upconn_read_cb(struct bufferevent *bev, void *arg)
{
	struct upconn	*uc = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 len = evbuffer_get_length(in);

	evbuffer_add(uc->got, evbuffer_pullup(in, -1), len);
	if (uc->hijacked)
		evbuffer_add_buffer(uc->raw, in);
	else {
		evbuffer_add_buffer(uc->pending, in);
		upconn_parse(uc);
	}
}

/* EOF or error from sockguard. */
static void
upconn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct upconn	*uc = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		uc->eof = 1;
}

/* sockguard connected to the fake dockerd. */
static void
fakeup_accept_cb(struct evconnlistener *evl, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct fakeup	*up = arg;
	struct upconn	*uc;

	assert_true(up->nconns < UP_MAXCONN);
	uc = &up->conns[up->nconns++];
	memset(uc, 0, sizeof(*uc));
	uc->up = up;
	assert_non_null(uc->bev = bufferevent_socket_new(up->base, fd,
	    BEV_OPT_CLOSE_ON_FREE));
	assert_non_null(uc->got = evbuffer_new());
	assert_non_null(uc->pending = evbuffer_new());
	assert_non_null(uc->sent = evbuffer_new());
	assert_non_null(uc->raw = evbuffer_new());
	bufferevent_setcb(uc->bev, upconn_read_cb, NULL, upconn_event_cb, uc);
	bufferevent_enable(uc->bev, EV_READ | EV_WRITE);
}

/* Starts the fake dockerd on e->up_path. */
static void
fakeup_start(struct env *e)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&e->up, 0, sizeof(e->up));
	e->up.base = e->base;
	sun_fill(&sun, e->up_path);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_non_null(e->up.evl = evconnlistener_new(e->base,
	    fakeup_accept_cb, &e->up, LEV_OPT_CLOSE_ON_FREE, -1, fd));
	e->up_started = 1;
}

/* Answers every held request, in order. */
static void
fakeup_release(struct fakeup *up)
{
	size_t	i, j;

	up->hold = 0;
	for (i = 0; i < up->nconns; i++) {
		struct upconn *uc = &up->conns[i];

		for (j = 0; j < uc->nheld; j++)
			upconn_answer(uc, uc->held_line[j], uc->held_head[j]);
		uc->nheld = 0;
	}
}

/* Adds a scripted answer for the next request. */
static void
fakeup_script(struct fakeup *up, const char *resp, int hijack)
{
	assert_true(up->nscript < UP_MAXSCRIPT);
	up->script[up->nscript].resp = resp;
	up->script[up->nscript++].hijack = hijack;
}

/* Stops the fake dockerd and frees its connections. */
static void
fakeup_stop(struct env *e)
{
	size_t	i;

	if (!e->up_started)
		return;
	for (i = 0; i < e->up.nconns; i++) {
		struct upconn *uc = &e->up.conns[i];

		bufferevent_free(uc->bev);
		evbuffer_free(uc->got);
		evbuffer_free(uc->pending);
		evbuffer_free(uc->sent);
		evbuffer_free(uc->raw);
	}
	evconnlistener_free(e->up.evl);
	unlink(e->up_path);
	e->up_started = 0;
}

/* Total bytes the fake dockerd received, over all connections. */
static size_t
fakeup_bytes(const struct fakeup *up)
{
	size_t	i, n = 0;

	for (i = 0; i < up->nconns; i++)
		n += evbuffer_get_length(up->conns[i].got);
	return n;
}

/* ------------------------------------------------------------------ */
/* Clients */

/* Reads what sockguard sent; notes EOF. */
static void
client_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client	*c = arg;
	int		 n;

	for (;;) {
		n = evbuffer_read(c->in, fd, 65536);
		if (n > 0)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1)
			c->err = errno;
		c->eof = 1;
		event_del(c->rev);
		return;
	}
}

/* Writes queued bytes; stops watching once all are written. */
static void
client_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct client	*c = arg;

	while (evbuffer_get_length(c->out) > 0) {
		if (evbuffer_write(c->out, fd) == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->err = errno;
			break;
		}
	}
	if (evbuffer_get_length(c->out) == 0 || c->err != 0)
		event_del(c->wev);
	else
		event_add(c->wev, NULL);
}

/* Connects a new client to sockguard's listener. */
static struct client *
client_new(struct env *e)
{
	struct sockaddr_un	 sun;
	struct client		*c;

	assert_true(e->nclients < MAXCLIENTS);
	c = &e->clients[e->nclients++];
	memset(c, 0, sizeof(*c));
	sun_fill(&sun, e->listen_path);
	assert_true((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) != -1);
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fail_msg("connect %s: %s", e->listen_path, strerror(errno));
	assert_int_equal(evutil_make_socket_nonblocking(c->fd), 0);
	assert_non_null(c->in = evbuffer_new());
	assert_non_null(c->out = evbuffer_new());
	assert_non_null(c->rev = event_new(e->base, c->fd,
	    EV_READ | EV_PERSIST, client_read_cb, c));
	assert_non_null(c->wev = event_new(e->base, c->fd, EV_WRITE,
	    client_write_cb, c));
	event_add(c->rev, NULL);
	return c;
}

/* Queues n bytes to send. */
static void
client_sendn(struct client *c, const char *s, size_t n)
{
	evbuffer_add(c->out, s, n);
	event_add(c->wev, NULL);
}

/* Queues a string to send. */
static void
client_send(struct client *c, const char *s)
{
	client_sendn(c, s, strlen(s));
}

/* Closes a client and frees what it holds. */
static void
client_free(struct client *c)
{
	if (c->rev == NULL)
		return;
	event_free(c->rev);
	event_free(c->wev);
	evbuffer_free(c->in);
	evbuffer_free(c->out);
	if (c->fd != -1)
		close(c->fd);
	c->rev = NULL;
}

/* One response as a client sees it. */
struct resp {
	int	 status;
	char	 head[1024];
	char	 body[2048];
	size_t	 body_len;
	int	 has_close;
};

/*
 * Parses one response at the front of buf (head_req: no body).  Returns
 * its length, or 0 if incomplete.
 */
static size_t
resp_parse(const char *buf, size_t len, int head_req, struct resp *r)
{
	const char	*end, *cl;
	size_t		 head_len, body_len = 0;

	memset(r, 0, sizeof(*r));
	if ((end = strstr(buf, "\r\n\r\n")) == NULL)
		return 0;
	head_len = (size_t)(end - buf) + 4;
	assert_true(head_len < sizeof(r->head));
	memcpy(r->head, buf, head_len);
	assert_int_equal(sscanf(buf, "HTTP/1.%*d %d ", &r->status), 1);
	r->has_close = find_ci(buf, head_len, "\r\nConnection: close\r\n") !=
	    NULL;
	if (r->status >= 200 && r->status != 204 && r->status != 304 &&
	    !head_req) {
		cl = find_ci(buf, head_len, "\r\nContent-Length:");
		assert_non_null(cl);
		body_len = strtoul(cl + 17, NULL, 10);
	}
	if (len < head_len + body_len)
		return 0;
	assert_true(body_len < sizeof(r->body));
	memcpy(r->body, buf + head_len, body_len);
	r->body_len = body_len;
	return head_len + body_len;
}

/* Takes the next complete response from c->in; 0 if none. */
static int
client_take(struct client *c, int head_req, struct resp *r)
{
	char	 s[4096];
	size_t	 len, n;

	/* A response this harness reads fits struct resp: look no further. */
	len = evbuffer_copyout(c->in, s, sizeof(s) - 1) > 0 ?
	    evbuffer_get_length(c->in) : 0;
	if (len > sizeof(s) - 1)
		len = sizeof(s) - 1;
	s[len] = '\0';
	n = resp_parse(s, len, head_req, r);
	if (n == 0)
		return 0;
	evbuffer_drain(c->in, n);
	return 1;
}

/* True if a complete final response (not 1xx) is queued. */
static int
has_response(struct client *c, int head_req)
{
	struct resp	 r;
	char		*s, *p;
	size_t		 len, n;
	int		 found = 0;

	s = buf_str(c->in, &len);
	for (p = s; (n = resp_parse(p, len - (size_t)(p - s), head_req,
	    &r)) > 0; p += n) {
		if (r.status >= 200) {
			found = 1;
			break;
		}
	}
	free(s);
	return found;
}

/* Condition: the client (arg) has a final response to a non-HEAD. */
static int
cond_response(struct env *e, void *arg)
{
	return has_response(arg, 0);
}

/* Condition: the client (arg) has a final response to a HEAD. */
static int
cond_head_response(struct env *e, void *arg)
{
	return has_response(arg, 1);
}

/* Condition: the client saw EOF. */
static int
cond_eof(struct env *e, void *arg)
{
	struct client	*c = arg;

	return c->eof;
}

/* Condition: the client has at least *(size_t *)arg bytes. */
struct want_bytes {
	struct client	*c;
	size_t		 n;
};

static int
cond_client_bytes(struct env *e, void *arg)
{
	struct want_bytes	*w = arg;

	return evbuffer_get_length(w->c->in) >= w->n;
}

/* Condition: the fake dockerd parsed *(size_t *)arg requests in all. */
static int
cond_up_requests(struct env *e, void *arg)
{
	size_t	i, n = 0;

	for (i = 0; i < e->up.nconns; i++)
		n += e->up.conns[i].nreq;
	return n >= *(size_t *)arg;
}

/* Condition: the fake dockerd received *(size_t *)arg bytes in all. */
static int
cond_up_bytes(struct env *e, void *arg)
{
	return fakeup_bytes(&e->up) >= *(size_t *)arg;
}

/* Condition: no sessions are left. */
static int
cond_no_sessions(struct env *e, void *arg)
{
	return proxy_sessions(e->px) == 0;
}

/* Condition: *(size_t *)arg sessions. */
static int
cond_sessions(struct env *e, void *arg)
{
	return proxy_sessions(e->px) == *(size_t *)arg;
}

/* Condition: the drain callback ran. */
static int
cond_drained(struct env *e, void *arg)
{
	return e->drained;
}

/* ------------------------------------------------------------------ */
/* Set-up */

/* Creates the directory and the loop; the proxy starts in env_start(). */
static int
setup(void **state)
{
	struct env	*e;
	const char	*tmp;

	signal(SIGPIPE, SIG_IGN);
	log_init(getenv("SG_TEST_DEBUG") != NULL ? LOG_LVL_DEBUG :
	    LOG_LVL_ERR);
	e = calloc(1, sizeof(*e));
	assert_non_null(e);
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0' ||
	    strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(e->dir, sizeof(e->dir), "%s/sgproxy.XXXXXX", tmp);
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->listen_path, sizeof(e->listen_path), "%s/sg.sock",
	    e->dir);
	snprintf(e->up_path, sizeof(e->up_path), "%s/docker.sock", e->dir);
	assert_non_null(e->base = event_base_new());
	assert_non_null(e->tick = event_new(e->base, -1, EV_PERSIST, tick_cb,
	    NULL));
	{
		struct timeval tv = { 0, 10 * 1000 };

		event_add(e->tick, &tv);
	}
	*state = e;
	return 0;
}

/* Frees everything, in the order the loop needs. */
static int
teardown(void **state)
{
	struct env	*e = *state;
	size_t		 i;

	proxy_free(e->px);
	for (i = 0; i < e->nclients; i++)
		client_free(&e->clients[i]);
	fakeup_stop(e);
	event_free(e->tick);
	event_base_free(e->base);
	/* conf and rules went with the proxy (proxy_new took them). */
	unlink(e->listen_path);
	unlink(e->up_path);
	rmdir(e->dir);
	free(e);
	return 0;
}

/* Rules that allow every endpoint: these tests are about transport. */
static const char allow_all[] =
    "version: 1\n"
    "default_profile: all\n"
    "profiles:\n"
    "  all:\n"
    "    endpoints:\n"
    "      - {name: everything, allow: \"* /**\"}\n";

/* Parses the config (extra limits lines) and rules, starts the proxy. */
static void
env_start_rules(struct env *e, const char *limits, int start_upstream,
    const char *rules)
{
	char	yaml[1024], err[512];

	snprintf(yaml, sizeof(yaml), "upstream: %s\nlisten:\n  - unix: %s\n"
	    "    mode: \"0600\"\nrules: %s/rules.yaml\n%s%s", e->up_path,
	    e->listen_path, e->dir, limits != NULL ? "limits:\n" : "",
	    limits != NULL ? limits : "");
	if (config_parse("test.yaml", (const unsigned char *)yaml,
	    strlen(yaml), &e->conf, err, sizeof(err)) != 0)
		fail_msg("config: %s\n%s", err, yaml);
	if (rules_parse("rules.yaml", (const unsigned char *)rules,
	    strlen(rules), &e->rules, err, sizeof(err)) != 0)
		fail_msg("rules: %s\n%s", err, rules);
	if (start_upstream)
		fakeup_start(e);
	assert_non_null(e->px = proxy_new(e->base, e->conf, e->rules));
	if (proxy_listen(e->px, err, sizeof(err)) != 0)
		fail_msg("proxy_listen: %s", err);
}

/* The same with rules that allow everything. */
static void
env_start(struct env *e, const char *limits, int start_upstream)
{
	env_start_rules(e, limits, start_upstream, allow_all);
}

/* Sends a request and waits for its (final) response. */
static void
roundtrip(struct env *e, struct client *c, const char *req, int head_req,
    struct resp *r)
{
	client_send(c, req);
	WAIT(e, head_req ? cond_head_response : cond_response, c,
	    "a response");
	do
		assert_true(client_take(c, head_req, r));
	while (r->status < 200);
}

/* The "message" of a sockguard JSON error body; caller frees. */
static char *
error_message(const struct resp *r)
{
	json_error_t	 jerr;
	json_t		*j, *m;
	char		*s;

	if ((j = json_loadb(r->body, r->body_len, 0, &jerr)) == NULL)
		fail_msg("error body is not JSON (%s): %.*s", jerr.text,
		    (int)r->body_len, r->body);
	m = json_object_get(j, "message");
	assert_true(json_is_string(m));
	assert_non_null(s = strdup(json_string_value(m)));
	json_decref(j);
	assert_true(strncmp(s, "sockguard: ", 11) == 0);
	return s;
}

/* ------------------------------------------------------------------ */
/* Tests */

#define PING	"GET /_ping HTTP/1.1\r\nHost: api.moby.localhost\r\n" \
		"User-Agent: Docker-Client/24.0.5 (linux)\r\n\r\n"
#define PING_FWD PING

/* A GET is re-serialised upstream and its response relayed as is. */
static void
test_get_forwarded(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	size_t		 one = 1;

	env_start(e, NULL, 1);
	c = client_new(e);
	client_send(c, "GET /v1.41/containers/json?all=1 HTTP/1.1\r\n"
	    "Host: docker\r\nUser-Agent: Docker-Client/24.0.5 (linux)\r\n"
	    "Connection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\n"
	    "X-Hop: 1\r\nTE: trailers\r\n\r\n");
	WAIT(e, cond_up_requests, &one, "the request upstream");
	assert_buf(e->up.conns[0].got, "GET /v1.41/containers/json?all=1 "
	    "HTTP/1.1\r\nHost: docker\r\nUser-Agent: Docker-Client/24.0.5 "
	    "(linux)\r\n\r\n", "forwarded request");
	WAIT(e, cond_response, c, "the response");
	/* Relayed byte for byte. */
	assert_true(buf_same(c->in, e->up.conns[0].sent));
	assert_true(client_take(c, 0, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len,
	    strlen("GET /v1.41/containers/json?all=1"));
	assert_memory_equal(r.body, "GET /v1.41/containers/json?all=1",
	    r.body_len);
	/* Kept alive. */
	run_idle(e, 5);
	assert_false(c->eof);
	assert_int_equal(proxy_sessions(e->px), 1);
}

/*
 * Every request carries one request id to dockerd, and its response
 * carries the same id back to the client.
 */
static void
test_request_id(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	char		*up, *down, *p, *q;
	size_t		 ulen, dlen;

	env_start(e, NULL, 1);
	c = client_new(e);
	roundtrip(e, c, PING, 0, &r);
	assert_int_equal(r.status, 200);
	up = buf_raw(e->up.conns[0].got, &ulen);
	down = r.head;
	dlen = strlen(down);
	assert_int_equal(strip_rid(up, &ulen), 1);
	free(up);
	up = buf_raw(e->up.conns[0].got, &ulen);
	assert_non_null(p = strstr(up, RID_HDR));
	assert_non_null(q = strstr(down, RID_HDR));
	assert_memory_equal(p, q, RID_LINE_LEN);
	/* right after the status line */
	assert_ptr_equal(q, strstr(down, "\r\n") + 2);
	(void)dlen;
	free(up);
}

/* Keep-alive: later requests use the same upstream connection. */
static void
test_keepalive_reuse(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;

	env_start(e, NULL, 1);
	c = client_new(e);
	roundtrip(e, c, PING, 0, &r);
	assert_int_equal(r.status, 200);
	roundtrip(e, c, "HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n", 1, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 0);
	roundtrip(e, c, "GET /v1.41/version HTTP/1.1\r\nHost: d\r\n\r\n", 0,
	    &r);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "GET /v1.41/version", r.body_len);
	assert_int_equal(e->up.nconns, 1);
	assert_int_equal(e->up.conns[0].nreq, 3);
	assert_int_equal(evbuffer_get_length(c->in), 0);
	/* HTTP/1.0 without keep-alive: "Connection: close", then EOF. */
	roundtrip(e, c, "GET /_ping HTTP/1.0\r\n\r\n", 0, &r);
	assert_int_equal(r.status, 200);
	WAIT(e, cond_eof, c, "EOF after an HTTP/1.0 response");
	assert_int_equal(e->up.nconns, 1);
	{
		char *got = buf_str(e->up.conns[0].got, NULL);

		assert_non_null(strstr(got, "GET /_ping HTTP/1.0\r\n"
		    "Connection: close\r\n\r\n"));
		free(got);
	}
}

/* Pipelined requests (with bodies) are answered in order. */
static void
test_pipelined(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct want_bytes w;
	size_t		 four = 4;

	env_start(e, NULL, 1);
	c = client_new(e);
	client_send(c,
	    "GET /a HTTP/1.1\r\nHost: d\r\n\r\n"
	    "POST /build?t=b HTTP/1.1\r\nHost: d\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	    "\r\n"		/* a stray CRLF between requests is allowed */
	    "POST /images/load HTTP/1.1\r\nHost: d\r\nContent-Length: 2"
	    "\r\n\r\nxy"
	    "GET /d HTTP/1.1\r\nHost: d\r\n\r\n");
	WAIT(e, cond_up_requests, &four, "four requests upstream");
	assert_int_equal(e->up.nconns, 1);
	assert_buf(e->up.conns[0].got,
	    "GET /a HTTP/1.1\r\nHost: d\r\n\r\n"
	    "POST /build?t=b HTTP/1.1\r\nHost: d\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	    "POST /images/load HTTP/1.1\r\nHost: d\r\nContent-Length: 2"
	    "\r\n\r\nxy"
	    "GET /d HTTP/1.1\r\nHost: d\r\n\r\n", "forwarded requests");
	w.c = c;
	/* what dockerd sent, plus a request id line in each response */
	w.n = evbuffer_get_length(e->up.conns[0].sent) + 4 * RID_LINE_LEN;
	WAIT(e, cond_client_bytes, &w, "four responses");
	/* In order, byte for byte. */
	assert_true(buf_same(c->in, e->up.conns[0].sent));
	{
		static const char *want[] = { "GET /a",
		    "POST /build?t=b", "POST /images/load",
		    "GET /d" };
		struct resp	r;
		size_t		i;

		for (i = 0; i < nitems(want); i++) {
			assert_true(client_take(c, 0, &r));
			assert_int_equal(r.body_len, strlen(want[i]));
			assert_memory_equal(r.body, want[i], r.body_len);
		}
	}
}

/* Requests with an ambiguous body: 400, closed, nothing upstream. */
static const char *smuggle[] = {
	"POST /containers/create HTTP/1.1\r\nHost: d\r\nContent-Length: 4\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1"
	    "\r\nHost: d\r\n\r\n",
	"POST /build HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 40\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n"
	    "Host: d\r\n\r\n",
	"POST /build HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n"
	    "Content-Length: 34\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: d"
	    "\r\n\r\n",
	"POST /build HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: identity\r\n\r\n0\r\n\r\n",
	"POST /build HTTP/1.1\r\nHost: d\r\nTransfer-Encoding:\r\n chunked"
	    "\r\n\r\n0\r\n\r\n",
	"POST /build HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\n\r\n",
	"POST /build HTTP/1.1\r\nHost: d\nContent-Length: 34\r\n\r\n"
	    "GET /smuggled HTTP/1.1\r\nHost: d\r\n\r\n",
	"POST /build HTTP/1.1\r\nHost: d\r\nContent-Length : 34\r\n\r\n"
	    "GET /smuggled HTTP/1.1\r\nHost: d\r\n\r\n",
	"POST /build HTTP/1.1\r\nHost: d\r\nTransfer-Encoding : chunked\r\n"
	    "\r\n0\r\n\r\n",
};

/* Each shape on a fresh connection, and after a good request. */
static void
test_smuggling_refused(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	size_t		 i, before, nfail = 0;
	char		*msg;

	env_start(e, NULL, 1);
	for (i = 0; i < nitems(smuggle); i++) {
		/* Fresh: sockguard must not even connect upstream. */
		before = e->up.nconns;
		c = client_new(e);
		client_send(c, smuggle[i]);
		if (!run_until_ms(e, cond_eof, c, 300)) {
			print_error("shape %zu: connection not closed\n", i);
			nfail++;
		} else if (!client_take(c, 0, &r) || r.status != 400 ||
		    !r.has_close) {
			print_error("shape %zu: no 400 with Connection: close "
			    "(status %d)\n", i, r.status);
			nfail++;
		} else {
			msg = error_message(&r);
			free(msg);
		}
		run_idle(e, 3);
		if (e->up.nconns != before) {
			print_error("shape %zu: sockguard connected upstream\n",
			    i);
			nfail++;
		}
		client_free(c);
		e->nclients--;
	}
	/* After a good request the upstream is connected: still nothing. */
	for (i = 0; i < nitems(smuggle); i++) {
		c = client_new(e);
		roundtrip(e, c, PING, 0, &r);
		before = fakeup_bytes(&e->up);
		client_send(c, smuggle[i]);
		if (!run_until_ms(e, cond_eof, c, 300) ||
		    !client_take(c, 0, &r) || r.status != 400) {
			print_error("shape %zu after a request: no 400\n", i);
			nfail++;
		}
		run_idle(e, 3);
		if (fakeup_bytes(&e->up) != before) {
			print_error("shape %zu after a request: %zu bytes went "
			    "upstream\n", i, fakeup_bytes(&e->up) - before);
			nfail++;
		}
		client_free(c);
		e->nclients--;
	}
	if (nfail != 0)
		fail_msg("%zu failures over %zu shapes", nfail,
		    nitems(smuggle));
}

/* No dockerd: 502 naming the socket; the connection works once it is up. */
static void
test_upstream_missing(void **state)
{
	struct env	*e = *state;
	struct client	*c, *c2;
	struct resp	 r;
	char		*msg;
	size_t		 one = 1;

	env_start(e, NULL, 0);
	c = client_new(e);
	roundtrip(e, c, PING, 0, &r);
	assert_int_equal(r.status, 502);
	assert_false(r.has_close);
	msg = error_message(&r);
	if (strstr(msg, e->up_path) == NULL)
		fail_msg("502 message does not name %s: %s", e->up_path, msg);
	free(msg);
	run_idle(e, 3);
	assert_false(c->eof);

	/* HEAD (the CLI's first request): the answer has no body, or the
	 * client finds stray bytes before its next response. */
	roundtrip(e, c, "HEAD /_ping HTTP/1.1\r\nHost: d\r\n\r\n", 1, &r);
	assert_int_equal(r.status, 502);
	run_idle(e, 3);
	assert_int_equal(evbuffer_get_length(c->in), 0);

	/* A streamed body cannot be answered early and kept: close. */
	c2 = client_new(e);
	client_send(c2, "POST /build?t=x HTTP/1.1\r\n"
	    "Host: d\r\nContent-Length: 5\r\n\r\nhello");
	WAIT(e, cond_eof, c2, "EOF after the 502");
	assert_true(client_take(c2, 0, &r));
	assert_int_equal(r.status, 502);
	assert_true(r.has_close);

	/* dockerd appears: the same client connection now gets through. */
	fakeup_start(e);
	roundtrip(e, c, PING, 0, &r);
	assert_int_equal(r.status, 200);
	assert_true(cond_up_requests(e, &one));
	assert_buf(e->up.conns[0].got, PING_FWD, "forwarded ping");
}

/*
 * cond_response() skips 1xx, so waiting for "100 Continue" above would
 * wait for the final response; this condition waits for any head.
 */
static int
cond_any_head(struct env *e, void *arg)
{
	struct client	*c = arg;
	char		*s;
	int		 found;

	s = buf_str(c->in, NULL);
	found = strstr(s, "\r\n\r\n") != NULL;
	free(s);
	return found;
}

/* A buffered JSON body with Expect and chunks goes up with a length. */
static void
test_json_body(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	size_t		 one = 1;

	env_start(e, NULL, 1);
	c = client_new(e);
	client_send(c, "POST /v1.41/containers/create?name=web HTTP/1.1\r\n"
	    "Host: docker\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
	WAIT(e, cond_any_head, c, "100 Continue");
	client_send(c, "9\r\n{\"Image\":\r\n9\r\n\"alpine\"}\r\n0\r\n\r\n");
	WAIT(e, cond_up_requests, &one, "the request upstream");
	assert_buf(e->up.conns[0].got, "POST /v1.41/containers/create?name=web"
	    " HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n"
	    "Content-Length: 18\r\n\r\n{\"Image\":\"alpine\"}", "buffered");
	assert_true(client_take(c, 0, &r));
	assert_int_equal(r.status, 100);
	WAIT(e, cond_response, c, "the final response");
	assert_true(client_take(c, 0, &r));
	assert_int_equal(r.status, 200);
}

/* A chunked upload streams upstream re-framed; 413 over the cap. */
static void
test_bodies(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	size_t		 one = 1, two = 2;

	env_start(e, "  max_inspect_body: 32\n", 1);
	(void)one;
	c = client_new(e);
	client_send(c, "POST /v1.41/build?t=app HTTP/1.1\r\nHost: d\r\n"
	    "Content-Type: application/x-tar\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n005;x=y\r\nhello\r\n");
	WAIT(e, cond_up_bytes, &one, "the head upstream");
	client_send(c, "6\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
	WAIT(e, cond_response, c, "the response");
	assert_true(client_take(c, 0, &r));
	assert_int_equal(r.status, 200);
	assert_buf(e->up.conns[0].got, "POST /v1.41/build?t=app HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: application/x-tar\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "re-framed");
	/* A JSON body under the cap is buffered, over it 413. */
	roundtrip(e, c, "POST /containers/create HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 2\r\n\r\n{}", 0, &r);
	assert_int_equal(r.status, 200);
	assert_true(cond_up_requests(e, &two));
	roundtrip(e, c, "POST /containers/create HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 33\r\n\r\n", 0, &r);
	assert_int_equal(r.status, 413);
	assert_true(r.has_close);
	WAIT(e, cond_eof, c, "EOF after 413");
	c = client_new(e);
	roundtrip(e, c, "POST /containers/create HTTP/1.1\r\nHost: d\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "20\r\n01234567890123456789012345678901\r\n1\r\nx\r\n0\r\n\r\n",
	    0, &r);
	assert_int_equal(r.status, 413);
	WAIT(e, cond_eof, c, "EOF after 413");
	assert_int_equal(e->up.conns[0].nreq, 2);
}

#define UPGRADED "HTTP/1.1 101 UPGRADED\r\n" \
	"Content-Type: application/vnd.docker.raw-stream\r\n" \
	"Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
#define EXEC_START "POST /v1.41/exec/abc/start HTTP/1.1\r\nHost: docker\r\n" \
	"User-Agent: Docker-Client/24.0.5 (linux)\r\nContent-Length: 27\r\n" \
	"Connection: Upgrade\r\nContent-Type: application/json\r\n" \
	"Upgrade: tcp\r\n\r\n{\"Detach\":false,\"Tty\":true}"

/* Condition: upstream connection 0 saw EOF. */
static int
cond_up_eof(struct env *e, void *arg)
{
	return e->up.nconns > 0 && e->up.conns[0].eof;
}

/* Condition: upstream connection 0 got *(size_t *)arg raw bytes. */
static int
cond_up_raw(struct env *e, void *arg)
{
	return e->up.nconns > 0 &&
	    evbuffer_get_length(e->up.conns[0].raw) >= *(size_t *)arg;
}

/* Condition: upstream connection 0 has written all it was given. */
static int
cond_up_flushed(struct env *e, void *arg)
{
	return evbuffer_get_length(bufferevent_get_output(
	    e->up.conns[0].bev)) == 0;
}

/* 101: raw bytes both ways, and half-closes passed on. */
static void
test_upgrade(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct upconn	*uc;
	struct want_bytes w;
	size_t		 n;

	env_start(e, NULL, 1);
	fakeup_script(&e->up, UPGRADED, 1);
	c = client_new(e);
	client_send(c, EXEC_START);
	w.c = c;
	w.n = strlen(UPGRADED);
	WAIT(e, cond_client_bytes, &w, "the 101");
	assert_buf(c->in, UPGRADED, "101 relayed");
	evbuffer_drain(c->in, evbuffer_get_length(c->in));
	uc = &e->up.conns[0];
	assert_buf(uc->got, "POST /v1.41/exec/abc/start HTTP/1.1\r\n"
	    "Host: docker\r\nUser-Agent: Docker-Client/24.0.5 (linux)\r\n"
	    "Content-Type: application/json\r\nContent-Length: 27\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
	    "{\"Detach\":false,\"Tty\":true}", "upgrade request");

	/* Client to dockerd: not parsed as HTTP any more. */
	{
		static const char raw[] = "GET / HTTP/1.1\r\n\r\n\0\1\2 ls\n";

		client_sendn(c, raw, sizeof(raw) - 1);
		n = sizeof(raw) - 1;
		WAIT(e, cond_up_raw, &n, "raw bytes upstream");
		assert_int_equal(evbuffer_get_length(uc->raw), n);
		assert_memory_equal(evbuffer_pullup(uc->raw, -1), raw, n);
	}
	/* dockerd to client. */
	bufferevent_write(uc->bev, "\x01\x00\x00\x00\x00\x00\x00\x03ok\n", 11);
	w.n = 11;
	WAIT(e, cond_client_bytes, &w, "raw bytes to the client");
	assert_int_equal(evbuffer_get_length(c->in), 11);
	assert_memory_equal(evbuffer_pullup(c->in, -1),
	    "\x01\x00\x00\x00\x00\x00\x00\x03ok\n", 11);
	evbuffer_drain(c->in, 11);

	/* The client closes stdin: dockerd sees EOF, output still flows. */
	assert_int_equal(shutdown(c->fd, SHUT_WR), 0);
	WAIT(e, cond_up_eof, NULL, "EOF upstream");
	assert_false(c->eof);
	bufferevent_write(uc->bev, "bye", 3);
	WAIT(e, cond_up_flushed, NULL, "dockerd flushed");
	assert_int_equal(shutdown(bufferevent_getfd(uc->bev), SHUT_WR), 0);
	WAIT(e, cond_eof, c, "EOF at the client");
	assert_buf(c->in, "bye", "last bytes");
	assert_int_equal(c->err, 0);
	WAIT(e, cond_no_sessions, NULL, "the session to end");
}

/* A 200 raw stream without an upgrade is relayed raw too. */
static void
test_hijack_raw_stream(void **state)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n"
	    "Content-Type: application/vnd.docker.raw-stream\r\n\r\n";
	struct env	*e = *state;
	struct client	*c;
	struct want_bytes w;
	size_t		 n = 5;
	char		 resp[256];

	snprintf(resp, sizeof(resp), "%sstart", head);
	env_start(e, NULL, 1);
	fakeup_script(&e->up, resp, 1);
	c = client_new(e);
	client_send(c, "POST /exec/abc/start HTTP/1.1\r\nHost: d\r\n"
	    "Content-Type: application/json\r\nContent-Length: 16\r\n\r\n"
	    "{\"Detach\":false}");
	w.c = c;
	w.n = strlen(resp);
	WAIT(e, cond_client_bytes, &w, "the stream head");
	assert_buf(c->in, resp, "head and first bytes");
	client_send(c, "input");
	WAIT(e, cond_up_raw, &n, "client bytes upstream");
	assert_buf(e->up.conns[0].raw, "input", "raw input");
}

/* Done callback for proxy_drain(). */
static void
drained_cb(void *arg)
{
	struct env	*e = arg;

	e->drained++;
}

/* Drain: idle sessions close at once, the listener goes away. */
static void
test_drain_idle(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	struct stat	 st;

	env_start(e, NULL, 1);
	c = client_new(e);
	roundtrip(e, c, PING, 0, &r);
	assert_int_equal(proxy_sessions(e->px), 1);
	assert_int_equal(stat(e->listen_path, &st), 0);
	proxy_drain(e->px, drained_cb, e);
	WAIT(e, cond_drained, NULL, "the drain callback");
	assert_int_equal(e->drained, 1);
	assert_int_equal(proxy_sessions(e->px), 0);
	WAIT(e, cond_eof, c, "EOF on the idle client");
	assert_int_equal(evbuffer_get_length(c->in), 0);
	assert_int_equal(stat(e->listen_path, &st), -1);
	assert_int_equal(errno, ENOENT);
	run_idle(e, 5);
	assert_int_equal(e->drained, 1);
}

/* Drain: a request in flight finishes, then its connection closes. */
static void
test_drain_busy(void **state)
{
	struct env	*e = *state;
	struct client	*c, *idle;
	struct resp	 r;
	size_t		 one = 1;

	env_start(e, NULL, 1);
	idle = client_new(e);
	c = client_new(e);
	e->up.hold = 1;
	client_send(c, PING);
	WAIT(e, cond_up_requests, &one, "the request upstream");
	{
		size_t two = 2;

		WAIT(e, cond_sessions, &two, "both sessions");
	}
	proxy_drain(e->px, drained_cb, e);
	run_idle(e, 5);
	assert_int_equal(e->drained, 0);
	assert_true(idle->eof || run_until(e, cond_eof, idle));
	assert_int_equal(proxy_sessions(e->px), 1);
	fakeup_release(&e->up);
	WAIT(e, cond_response, c, "the response");
	assert_true(client_take(c, 0, &r));
	assert_int_equal(r.status, 200);
	WAIT(e, cond_eof, c, "EOF after the last response");
	WAIT(e, cond_drained, NULL, "the drain callback");
	assert_int_equal(e->drained, 1);
}

/* Drain: a stream that does not end is closed at drain_timeout. */
static void
test_drain_timeout(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct want_bytes w;
	long long	 t0;

	env_start(e, "  drain_timeout: 100ms\n", 1);
	fakeup_script(&e->up, UPGRADED, 1);
	c = client_new(e);
	client_send(c, EXEC_START);
	w.c = c;
	w.n = strlen(UPGRADED);
	WAIT(e, cond_client_bytes, &w, "the 101");
	t0 = now_ms();
	proxy_drain(e->px, drained_cb, e);
	run_idle(e, 3);
	assert_int_equal(e->drained, 0);
	WAIT(e, cond_drained, NULL, "the drain timeout");
	assert_true(now_ms() - t0 >= 90);
	WAIT(e, cond_eof, c, "EOF on the stream");
	assert_int_equal(proxy_sessions(e->px), 0);
}

/* Over max_connections: a complete 503, then close. */
static void
test_max_connections(void **state)
{
	struct env	*e = *state;
	struct client	*c1, *c2;
	struct resp	 r;
	size_t		 one = 1, len;
	char		*all, *msg;

	env_start(e, "  max_connections: 1\n", 1);
	c1 = client_new(e);
	WAIT(e, cond_sessions, &one, "the first session");
	c2 = client_new(e);
	WAIT(e, cond_eof, c2, "the refusal");
	all = buf_str(c2->in, &len);
	if (!client_take(c2, 0, &r)) {
		print_error("%s\n", all);
		free(all);
		fail_msg("incomplete 503 (its Content-Length does not match "
		    "its body)");
	}
	free(all);
	assert_int_equal(r.status, 503);
	assert_true(r.has_close);
	msg = error_message(&r);
	free(msg);
	assert_int_equal(evbuffer_get_length(c2->in), 0);
	roundtrip(e, c1, PING, 0, &r);
	assert_int_equal(r.status, 200);
}

/* Condition: never; run_until_ms() with it just runs the loop. */
static int
cond_never(struct env *e, void *arg)
{
	return 0;
}

/* Condition: the fake dockerd's connection *(size_t *)arg saw EOF. */
static int
cond_upconn_eof(struct env *e, void *arg)
{
	size_t	i = *(size_t *)arg;

	return i < e->up.nconns && e->up.conns[i].eof;
}

/* Asserts that r is sockguard's error with status and a message with s. */
static void
assert_error(const struct resp *r, int status, const char *s)
{
	char	*msg;

	if (r->status != status)
		fail_msg("status %d, expected %d: %.*s", r->status, status,
		    (int)r->body_len, r->body);
	msg = error_message(r);
	if (strstr(msg, s) == NULL)
		fail_msg("message without \"%s\": %s", s, msg);
	free(msg);
}

#define ATTACH	"POST /containers/web/attach?stream=1&stdout=1 HTTP/1.1\r\n" \
		"Host: d\r\n\r\n"

/*
 * limits.max_pending_upstream: while that many requests wait for dockerd
 * (a look-up before an attach counts), the next gets 503 at once on a
 * connection that stays open; once dockerd answers, it goes through.
 */
static void
test_pending_cap(void **state)
{
	struct env	*e = *state;
	struct client	*a, *b, *c;
	struct resp	 r;
	size_t		 two = 2, n;

	env_start(e, "  max_pending_upstream: 2\n", 1);
	e->up.hold = 1;
	a = client_new(e);
	b = client_new(e);
	c = client_new(e);
	client_send(a, PING);
	client_send(b, ATTACH);		/* its look-up is held */
	WAIT(e, cond_up_requests, &two, "two requests held by dockerd");
	roundtrip(e, c, PING, 0, &r);
	assert_error(&r, 503, "2 requests are already waiting for the Docker "
	    "Engine to answer (limits.max_pending_upstream)");
	assert_false(r.has_close);
	run_idle(e, 3);
	assert_false(c->eof);
	/* Nothing of it went upstream. */
	assert_int_equal(e->up.nconns, 2);

	fakeup_release(&e->up);
	WAIT(e, cond_response, a, "the held ping's answer");
	assert_true(client_take(a, 0, &r));
	assert_int_equal(r.status, 200);
	WAIT(e, cond_response, b, "the attach, after its look-up");
	assert_true(client_take(b, 0, &r));
	assert_int_equal(r.status, 200);
	/* The refused client is served now, on the same connection. */
	n = e->up.nconns;
	roundtrip(e, c, PING, 0, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(e->up.nconns, n + 1);
}

/*
 * limits.upstream_timeout: dockerd silent after the request went up
 * whole gets 504, its connection is dropped, the client's kept and the
 * pending slot freed; an answer that began in time is never cut.
 */
static void
test_upstream_timeout(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	size_t		 first = 0, two = 2;
	long long	 t0;
	char		 want[256];

	env_start(e, "  upstream_timeout: 150ms\n  max_pending_upstream: 1\n",
	    1);
	e->up.hold = 1;
	c = client_new(e);
	t0 = now_ms();
	roundtrip(e, c, PING, 0, &r);
	if (now_ms() - t0 < 140)
		fail_msg("504 after %lld ms, before upstream_timeout",
		    now_ms() - t0);
	snprintf(want, sizeof(want), "the Docker Engine at %s did not answer "
	    "within 150 ms (limits.upstream_timeout)", e->up_path);
	assert_error(&r, 504, want);
	assert_false(r.has_close);
	WAIT(e, cond_upconn_eof, &first, "the silent connection dropped");

	/* The slot is free again (the cap is 1): a slow answer that starts
	 * in time is relayed whole, however long its body takes. */
	e->up.hold = 0;
	fakeup_script(&e->up, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
	    "he", 0);
	client_send(c, PING);
	WAIT(e, cond_up_requests, &two, "the second request upstream");
	run_until_ms(e, cond_never, NULL, 300);
	assert_false(has_response(c, 0));
	assert_false(c->eof);
	bufferevent_write(e->up.conns[1].bev, "llo", 3);
	WAIT(e, cond_response, c, "the slow answer");
	assert_true(client_take(c, 0, &r));
	assert_int_equal(r.status, 200);
	assert_int_equal(r.body_len, 5);
	assert_memory_equal(r.body, "hello", 5);
}

/* Rules that let everything through but privileged containers. */
static const char no_privileged_rules[] =
    "version: 1\n"
    "default_profile: p\n"
    "profiles:\n"
    "  p:\n"
    "    endpoints:\n"
    "      - {name: everything, allow: \"* /**\"}\n"
    "    containers:\n"
    "      privileged: false\n";

/*
 * Creates denied for their body, one after another on a keep-alive
 * connection, then one allowed: each body read whole for the decision is
 * freed with its request (the soak found each denied one leaked; the
 * ASan run of this test reports it at exit), and nothing denied goes up.
 */
static void
test_denied_bodies_freed(void **state)
{
	static const char priv[] = "{\"Image\":\"busybox\",\"HostConfig\":"
	    "{\"Privileged\":true}}";
	static const char plain[] = "{\"Image\":\"busybox\"}";
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	char		 req[512], *got;
	int		 i;

	env_start_rules(e, NULL, 1, no_privileged_rules);
	c = client_new(e);
	for (i = 0; i < 3; i++) {
		snprintf(req, sizeof(req), "POST /v1.41/containers/create "
		    "HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n"
		    "Content-Length: %zu\r\n\r\n%s", sizeof(priv) - 1, priv);
		roundtrip(e, c, req, 0, &r);
		assert_error(&r, 403, "containers.privileged");
		assert_false(r.has_close);
	}
	assert_int_equal(fakeup_bytes(&e->up), 0);
	snprintf(req, sizeof(req), "POST /v1.41/containers/create HTTP/1.1\r\n"
	    "Host: d\r\nContent-Type: application/json\r\nContent-Length: %zu"
	    "\r\n\r\n%s", sizeof(plain) - 1, plain);
	roundtrip(e, c, req, 0, &r);
	assert_int_equal(r.status, 200);
	got = buf_raw(e->up.conns[0].got, NULL);
	assert_non_null(strstr(got, plain));
	free(got);
}

/* A head that does not finish in time gets 408; an idle client is closed. */
static void
test_timeouts(void **state)
{
	struct env	*e = *state;
	struct client	*c, *idle;
	struct resp	 r;

	env_start(e, "  header_timeout: 100ms\n  idle_timeout: 150ms\n", 1);
	idle = client_new(e);
	c = client_new(e);
	client_send(c, "GET /_ping HTTP/1.1\r\nHost:");
	WAIT(e, cond_eof, c, "the header timeout");
	assert_true(client_take(c, 0, &r));
	assert_int_equal(r.status, 408);
	WAIT(e, cond_eof, idle, "the idle timeout");
	assert_int_equal(evbuffer_get_length(idle->in), 0);
	WAIT(e, cond_no_sessions, NULL, "no sessions");
}

/* A request line over the limit split after a leading CRLF: still 414. */
static void
test_split_leading_crlf(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	char		 req[512];
	size_t		 one = 1;

	env_start(e, "  max_request_line: 100\n", 1);
	c = client_new(e);
	snprintf(req, sizeof(req), "GET /%0200d HTTP/1.1\r\nHost: d\r\n\r\n",
	    0);
	client_send(c, "\r");
	run_idle(e, 5);
	client_send(c, "\n");
	run_idle(e, 5);
	client_send(c, req);
	WAIT(e, cond_response, c, "a response");
	assert_true(client_take(c, 0, &r));
	if (r.status != 414)
		fail_msg("a 214-byte request line (limit 100) after a split "
		    "CRLF: %d%s, want 414", r.status,
		    cond_up_requests(e, &one) ? " (forwarded upstream)" : "");
}

/* Many pipelined requests while dockerd is down: each gets its 502. */
static void
test_pipelined_502(void **state)
{
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	struct want_bytes w;
	size_t		 i, len, n = 2000;
	static const char req[] = "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n";

	if (getenv("SG_TEST_PIPELINE") != NULL)
		n = strtoul(getenv("SG_TEST_PIPELINE"), NULL, 10);
	env_start(e, NULL, 0);
	c = client_new(e);
	for (i = 0; i < n; i++)
		client_sendn(c, req, sizeof(req) - 1);
	WAIT(e, cond_response, c, "the first 502");
	len = evbuffer_get_length(c->in);
	assert_true(client_take(c, 0, &r));
	assert_int_equal(r.status, 502);
	len -= evbuffer_get_length(c->in);	/* one response */
	w.c = c;
	w.n = (n - 1) * len;
	WAIT(e, cond_client_bytes, &w, "all the 502s");
	for (i = 1; i < n; i++) {
		assert_true(client_take(c, 0, &r));
		assert_int_equal(r.status, 502);
	}
	assert_int_equal(evbuffer_get_length(c->in), 0);
	assert_false(c->eof);
}

/* The denials of rules/readonly.yaml, then its catch-all read rule. */
static const char readonly_rules[] =
    "version: 1\n"
    "default_profile: ro\n"
    "profiles:\n"
    "  ro:\n"
    "    endpoints:\n"
    "      - {name: no-archive, deny: \"* /containers/*/archive\"}\n"
    "      - {name: no-export, deny: \"* /containers/*/export\"}\n"
    "      - {name: no-image-save, deny: \"* /images/get\"}\n"
    "      - {name: no-exec, deny: \"* /exec/**\"}\n"
    "      - {name: read, allow: \"GET,HEAD /**\"}\n";

/*
 * dockerd routes on the percent-decoded path (gorilla/mux without
 * UseEncodedPath), so a denied route spelled with escapes must not get
 * through as some other route.
 */
static void
test_encoded_route(void **state)
{
	static const char *targets[] = {
		/* plain, as a control: denied */
		"/containers/abc/archive?path=%2Fetc%2Fshadow",
		"/containers/abc/%61rchive?path=%2Fetc%2Fshadow",
		"/containers/abc/archiv%65?path=%2Fetc%2Fshadow",
		"/%63ontainers/abc/archive?path=%2Fetc%2Fshadow",
		"/v1.41/containers/abc/%61rchive?path=%2Fetc",
		"/v1%2E41/containers/abc/archive?path=%2Fetc",
		"/containers/abc/%65xport",
		"/images/%67et?names=alpine",
		"/%65xec/abc/json",
	};
	struct env	*e = *state;
	struct client	*c;
	struct resp	 r;
	size_t		 i, before, nfail = 0;
	char		 req[512];

	env_start_rules(e, NULL, 1, readonly_rules);
	c = client_new(e);
	roundtrip(e, c, PING, 0, &r);
	assert_int_equal(r.status, 200);
	for (i = 0; i < nitems(targets); i++) {
		before = fakeup_bytes(&e->up);
		snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: d\r\n"
		    "\r\n", targets[i]);
		roundtrip(e, c, req, 0, &r);
		if (r.status == 200 || fakeup_bytes(&e->up) != before) {
			print_error("GET %s: %d, forwarded to dockerd (which "
			    "decodes it to a denied route)\n", targets[i],
			    r.status);
			nfail++;
		}
		if (c->eof) {
			client_free(c);
			e->nclients--;
			c = client_new(e);
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu denied routes got through", nfail,
		    nitems(targets));
}

/* proxy_free() with sessions in every state (leaks show under ASan). */
static void
test_free_busy(void **state)
{
	struct env	*e = *state;
	struct client	*idle, *waiting, *partial, *stream, *body;
	struct want_bytes w;
	struct resp	 r;
	size_t		 three = 3, five = 5;

	env_start(e, NULL, 1);
	fakeup_script(&e->up, UPGRADED, 1);
	stream = client_new(e);
	client_send(stream, EXEC_START);
	w.c = stream;
	w.n = strlen(UPGRADED);
	WAIT(e, cond_client_bytes, &w, "the 101");
	idle = client_new(e);
	roundtrip(e, idle, PING, 0, &r);
	e->up.hold = 1;
	waiting = client_new(e);
	client_send(waiting, PING);
	WAIT(e, cond_up_requests, &three, "the held request");
	partial = client_new(e);
	client_send(partial, "GET /_ping HTTP/1.1\r\nHo");
	body = client_new(e);
	client_send(body, "POST /containers/create HTTP/1.1\r\nHost: d\r\n"
	    "Content-Length: 100\r\n\r\n{\"Ima");
	WAIT(e, cond_sessions, &five, "five sessions");
	proxy_free(e->px);
	e->px = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_get_forwarded),
		T(test_request_id),
		T(test_keepalive_reuse),
		T(test_pipelined),
		T(test_smuggling_refused),
		T(test_upstream_missing),
		T(test_json_body),
		T(test_bodies),
		T(test_upgrade),
		T(test_hijack_raw_stream),
		T(test_drain_idle),
		T(test_drain_busy),
		T(test_drain_timeout),
		T(test_max_connections),
		T(test_timeouts),
		T(test_pending_cap),
		T(test_upstream_timeout),
		T(test_denied_bodies_freed),
		T(test_split_leading_crlf),
		T(test_pipelined_502),
		T(test_encoded_route),
		T(test_free_busy),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
