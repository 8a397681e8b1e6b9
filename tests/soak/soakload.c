/*
 * soakload: the load of tests/soak/run (and of t_faults.sh), one epoll
 * thread per process, unix sockets only.
 *
 *   soakload upstream SOCK
 *	A fake dockerd fast enough not to be the bottleneck: answers
 *	GET|HEAD /_ping, GET /containers/json, POST /containers/create (201),
 *	GET /containers/ID/json (an inspect document, also for sockguard's
 *	look-ups), DELETE /containers/ID (204), GET /containers/ID/logs (a
 *	chunked raw stream of four frames), GET /events (a chunked stream:
 *	one event, then held open until the peer closes) and POST
 *	/containers/ID/attach with Upgrade (101, then every byte echoed; EOF
 *	closes).  Anything else: 404.  Runs until SIGTERM.
 *
 *   soakload drive SOCK CONNS REQUESTS [option...]
 *	Opens CONNS connections to SOCK (sockguard), sends one request on
 *	each (a denied one: sockguard holds no upstream connection for it),
 *	samples when all are open and answered, then keeps them busy with
 *	a mix of requests until
 *	REQUESTS have been sent (the DELETE that follows each allowed create
 *	counts), then closes them all.  A connection that a stream, an
 *	attach or "Connection: close" ends is replaced at once, so CONNS
 *	stay open.  Every answer is checked against what its kind expects;
 *	anything else is an error.  Options:
 *	  --mix KIND=W,...   weights (default: the "fake" mix below)
 *	  --active N         only N of the CONNS connections run the mix; the
 *	                     others stay open, idle, after their first
 *	                     request (default: all)
 *	  --name NAME        container the logs/inspect/attach requests name
 *	  --image IMAGE      image of the allowed creates (default busybox)
 *	  --pid PID          sample that process's VmRSS and descriptor
 *	                     count when all CONNS are open and every 0.5 s
 *	  --deadline S       give up after S seconds (default 600)
 *	  --seed N           the mix's random sequence (default 1)
 *	Prints one line of key=value pairs; exit status 0 only if every
 *	request got what it expected and nothing timed out.  The first
 *	errors are described on stderr.
 *
 * Kinds (what the default rules, rules/default.yaml, make of them):
 *   ping      GET /_ping                      200 "OK"
 *   head      HEAD /_ping                     200, no body
 *   ps        GET /containers/json?all=1      200, a JSON list
 *   inspect   GET /containers/NAME/json       200
 *   create    POST /containers/create         201 with an Id, then
 *             DELETE /containers/ID?force=1   204
 *   priv      create with Privileged          403 containers.privileged
 *   bind      create binding /etc             403 containers.bind_mounts
 *   plugin    POST /plugins/pull              403
 *   logs      GET /containers/NAME/logs       200, chunked stream to its end
 *   events    GET /events                     200; held while 200 other
 *                                             requests complete, then the
 *                                             client closes mid-stream
 *   attach    POST /containers/NAME/attach    101, a line echoed back,
 *             (Upgrade: tcp, after sockguard's look-up), then the client
 *             closes
 *   close     GET /_ping, Connection: close   200, then the server closes
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAXEV		256
#define RBUF		65536
#define HEAD_MAX	(64 * 1024)
#define EVENTS_HOLD	200	/* completions an events stream stays open */
#define MAX_REPORTED	10	/* errors described on stderr */

static void die(const char *, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fprintf(stderr, "soakload: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- byte buffers ---------------------------------------------------- */

struct buf {
	char	*p;
	size_t	 off, len, cap;		/* data is p[off .. off+len) */
};

static void
buf_reserve(struct buf *b, size_t n)
{
	if (b->off > 0 && b->off + b->len + n > b->cap) {
		memmove(b->p, b->p + b->off, b->len);
		b->off = 0;
	}
	if (b->off + b->len + n <= b->cap)
		return;
	while (b->cap < b->len + n)
		b->cap = b->cap ? b->cap * 2 : 4096;
	if ((b->p = realloc(b->p, b->cap)) == NULL)
		die("out of memory");
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->p + b->off + b->len, p, n);
	b->len += n;
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->p + b->off + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static char *
buf_data(struct buf *b)
{
	return b->p + b->off;
}

static void
buf_drain(struct buf *b, size_t n)
{
	b->off += n;
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Finds needle in the buffer; its offset from the data start, or -1. */
static ssize_t
buf_find(struct buf *b, const char *needle)
{
	char	*p = memmem(buf_data(b), b->len, needle, strlen(needle));

	return p == NULL ? -1 : p - buf_data(b);
}

/* Reads what is there; 1 data, 0 EOF, -1 error (errno), 2 nothing. */
static int
buf_read(struct buf *b, int fd)
{
	ssize_t	n;
	int	got = 0;

	for (;;) {
		buf_reserve(b, RBUF);
		n = read(fd, b->p + b->off + b->len, RBUF);
		if (n > 0) {
			b->len += (size_t)n;
			got = 1;
			if (n < RBUF)
				return 1;
			continue;
		}
		if (n == 0)
			return got ? 1 : 0;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN)
			return got ? 1 : 2;
		return got ? 1 : -1;
	}
}

/* Writes what it can; -1 on a write error. */
static int
buf_write(struct buf *b, int fd)
{
	ssize_t	n;

	while (b->len > 0) {
		n = send(fd, buf_data(b), b->len, MSG_NOSIGNAL);
		if (n > 0) {
			buf_drain(b, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		return -1;
	}
	return 0;
}

/* ---- small HTTP helpers ---------------------------------------------- */

/* The value of header name in head[0..len) (CRLF lines), or NULL. */
static const char *
hdr_get(const char *head, size_t len, const char *name, size_t *vlen)
{
	const char	*p = head, *end = head + len, *eol, *v;
	size_t		 n = strlen(name);

	while (p < end && (eol = memmem(p, (size_t)(end - p), "\r\n", 2)) !=
	    NULL) {
		if ((size_t)(eol - p) > n && p[n] == ':' &&
		    strncasecmp(p, name, n) == 0) {
			for (v = p + n + 1; v < eol && (*v == ' ' || *v == '\t');
			    v++)
				;
			*vlen = (size_t)(eol - v);
			return v;
		}
		p = eol + 2;
	}
	return NULL;
}

/* Does the header's value contain word (case-insensitive)? */
static int
hdr_has(const char *head, size_t len, const char *name, const char *word)
{
	const char	*v;
	size_t		 vlen, n = strlen(word), i;

	if ((v = hdr_get(head, len, name, &vlen)) == NULL)
		return 0;
	for (i = 0; i + n <= vlen; i++)
		if (strncasecmp(v + i, word, n) == 0)
			return 1;
	return 0;
}

/* The path without "/v1.NN", and without the query. */
static void
route_of(const char *target, size_t len, char *out, size_t outlen)
{
	const char	*q;
	size_t		 n;

	if (len > 3 && target[0] == '/' && target[1] == 'v' &&
	    target[2] >= '0' && target[2] <= '9') {
		q = memchr(target + 1, '/', len - 1);
		if (q != NULL) {
			len -= (size_t)(q - target);
			target = q;
		}
	}
	q = memchr(target, '?', len);
	n = q != NULL ? (size_t)(q - target) : len;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, target, n);
	out[n] = '\0';
}

static void
sun_fill(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		die("socket path too long: %s", path);
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

static void
ep_ctl(int ep, int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = ptr;
	if (epoll_ctl(ep, op, fd, &ev) == -1 && op != EPOLL_CTL_DEL)
		die("epoll_ctl: %s", strerror(errno));
}

/* A stable 64-hex-digit id for a name (FNV-1a, repeated). */
static void
fake_id(const char *name, size_t len, char out[65])
{
	uint64_t	h = 1469598103934665603ULL;
	size_t		i;
	int		k;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 1099511628211ULL;
	}
	for (k = 0; k < 4; k++) {
		snprintf(out + 16 * k, 17, "%016" PRIx64, h);
		h = h * 6364136223846793005ULL + 1442695040888963407ULL;
	}
}

/* ---- the fake dockerd ------------------------------------------------ */

struct uconn {
	int		 fd;
	struct buf	 in, out;
	int		 hijack;	/* 101 sent: echo */
	int		 close_after;	/* close once out is written */
	int		 streaming;	/* events: keep open, ignore input */
	uint64_t	 ncreated;
};

static volatile sig_atomic_t	up_stop;

static void
up_sigterm(int sig)
{
	up_stop = 1;
}

static const char PS_BODY[] =
    "[{\"Id\":\"8dfafdbc3a40\",\"Names\":[\"/web\"],\"Image\":\"busybox\","
    "\"Command\":\"sleep 1d\",\"Created\":1700000000,\"State\":\"running\","
    "\"Status\":\"Up 2 hours\",\"Ports\":[],\"Labels\":{},"
    "\"HostConfig\":{\"NetworkMode\":\"none\"},\"Mounts\":[]},"
    "{\"Id\":\"9a8b7c6d5e4f\",\"Names\":[\"/db\"],\"Image\":\"busybox\","
    "\"Command\":\"sleep 1d\",\"Created\":1700000001,\"State\":\"exited\","
    "\"Status\":\"Exited (0) 1 hour ago\",\"Ports\":[],\"Labels\":"
    "{\"com.example\":\"x\"},\"HostConfig\":{\"NetworkMode\":\"none\"},"
    "\"Mounts\":[]}]";

/* Answers one complete request (head h of hlen bytes, body skipped). */
static void
up_answer(struct uconn *c, const char *h, size_t hlen)
{
	const char	*sp1, *sp2;
	char		 route[512], id[65], body[1024];
	const char	*m;
	size_t		 mlen, tlen, n;
	int		 head, keep, blen;

	sp1 = memchr(h, ' ', hlen);
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', hlen - (size_t)(sp1 + 1 - h)) :
	    NULL;
	if (sp1 == NULL || sp2 == NULL) {
		buf_printf(&c->out, "HTTP/1.1 400 Bad Request\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n");
		c->close_after = 1;
		return;
	}
	m = h;
	mlen = (size_t)(sp1 - h);
	tlen = (size_t)(sp2 - sp1 - 1);
	route_of(sp1 + 1, tlen, route, sizeof(route));
	head = mlen == 4 && memcmp(m, "HEAD", 4) == 0;
	keep = !hdr_has(h, hlen, "Connection", "close");
#define METHOD(s)	(mlen == strlen(s) && memcmp(m, (s), mlen) == 0)
#define CLOSE_HDR	(keep ? "" : "Connection: close\r\n")
	if ((METHOD("GET") || head) && strcmp(route, "/_ping") == 0) {
		buf_printf(&c->out, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Length: 2\r\n%s\r\n%s", CLOSE_HDR,
		    head ? "" : "OK");
	} else if (METHOD("GET") && strcmp(route, "/containers/json") == 0) {
		buf_printf(&c->out, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		    "%s\r\n%s", sizeof(PS_BODY) - 1, CLOSE_HDR, PS_BODY);
	} else if (METHOD("POST") &&
	    strcmp(route, "/containers/create") == 0) {
		n = (size_t)snprintf(body, sizeof(body), "soak-%d-%" PRIu64,
		    c->fd, ++c->ncreated);
		fake_id(body, n, id);
		blen = snprintf(body, sizeof(body), "{\"Id\":\"%s\","
		    "\"Warnings\":[]}", id);
		buf_printf(&c->out, "HTTP/1.1 201 Created\r\nApi-Version: 1.41"
		    "\r\nContent-Type: application/json\r\nContent-Length: %d"
		    "\r\n%s\r\n%s", blen, CLOSE_HDR, body);
	} else if (METHOD("DELETE") && strncmp(route, "/containers/", 12) ==
	    0 && strchr(route + 12, '/') == NULL) {
		buf_printf(&c->out, "HTTP/1.1 204 No Content\r\n"
		    "Api-Version: 1.41\r\n%s\r\n", CLOSE_HDR);
	} else if (METHOD("GET") && strncmp(route, "/containers/", 12) == 0 &&
	    (n = strcspn(route + 12, "/")) > 0 &&
	    strcmp(route + 12 + n, "/json") == 0) {
		fake_id(route + 12, n, id);
		blen = snprintf(body, sizeof(body), "{\"Id\":\"%s\",\"Name\":"
		    "\"/%.*s\",\"Config\":{\"Image\":\"busybox\",\"OpenStdin\":"
		    "true},\"HostConfig\":{\"NetworkMode\":\"none\"},"
		    "\"Mounts\":[],\"State\":{\"Status\":\"running\","
		    "\"Running\":true}}", id, (int)n, route + 12);
		buf_printf(&c->out, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
		    "Content-Type: application/json\r\nContent-Length: %d\r\n"
		    "%s\r\n%s", blen, CLOSE_HDR, body);
	} else if (METHOD("GET") && strncmp(route, "/containers/", 12) == 0 &&
	    (n = strcspn(route + 12, "/")) > 0 &&
	    strcmp(route + 12 + n, "/logs") == 0) {
		static const char frame[] = "\x01\0\0\0\0\0\0\x0bsoak line\n";
		int i;

		buf_printf(&c->out, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
		    "Content-Type: application/vnd.docker.raw-stream\r\n"
		    "Transfer-Encoding: chunked\r\n%s\r\n", CLOSE_HDR);
		for (i = 0; i < 4; i++) {
			buf_printf(&c->out, "%zx\r\n", sizeof(frame) - 1);
			buf_add(&c->out, frame, sizeof(frame) - 1);
			buf_add(&c->out, "\r\n", 2);
		}
		buf_add(&c->out, "0\r\n\r\n", 5);
	} else if (METHOD("GET") && strcmp(route, "/events") == 0) {
		static const char ev[] = "{\"status\":\"start\",\"id\":\"8dfafdbc"
		    "3a40\",\"from\":\"busybox\",\"Type\":\"container\","
		    "\"Action\":\"start\"}\n";

		buf_printf(&c->out, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
		    "Content-Type: application/json\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n%zx\r\n%s\r\n",
		    sizeof(ev) - 1, ev);
		c->streaming = 1;
	} else if (METHOD("POST") && strncmp(route, "/containers/", 12) == 0 &&
	    (n = strcspn(route + 12, "/")) > 0 &&
	    strcmp(route + 12 + n, "/attach") == 0 &&
	    hdr_has(h, hlen, "Upgrade", "tcp")) {
		buf_printf(&c->out, "HTTP/1.1 101 UPGRADED\r\n"
		    "Content-Type: application/vnd.docker.raw-stream\r\n"
		    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
		c->hijack = 1;
	} else {
		static const char nf[] = "{\"message\":\"page not found\"}";

		buf_printf(&c->out, "HTTP/1.1 404 Not Found\r\n"
		    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
		    "%s\r\n%s", sizeof(nf) - 1, CLOSE_HDR, nf);
	}
	if (!keep)
		c->close_after = 1;
#undef METHOD
#undef CLOSE_HDR
}

/* Parses and answers the complete requests in c->in. */
static void
up_parse(struct uconn *c)
{
	ssize_t		 end;
	const char	*v;
	size_t		 hlen, vlen, blen;
	char		 num[32];

	while (!c->hijack && !c->streaming && !c->close_after &&
	    (end = buf_find(&c->in, "\r\n\r\n")) >= 0) {
		hlen = (size_t)end + 4;
		blen = 0;
		if ((v = hdr_get(buf_data(&c->in), hlen, "Content-Length",
		    &vlen)) != NULL && vlen < sizeof(num)) {
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			blen = strtoul(num, NULL, 10);
		}
		if (hdr_has(buf_data(&c->in), hlen, "Transfer-Encoding",
		    "chunked"))
			die("upstream: chunked request bodies are not handled");
		if (c->in.len < hlen + blen)
			return;
		up_answer(c, buf_data(&c->in), hlen);
		buf_drain(&c->in, hlen + blen);
	}
	if (c->hijack && c->in.len > 0) {
		buf_add(&c->out, buf_data(&c->in), c->in.len);
		buf_drain(&c->in, c->in.len);
	}
	if (c->streaming)
		buf_drain(&c->in, c->in.len);
}

static void
up_close(int ep, struct uconn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

/* Writes what is queued; closes when done and asked to.  0 if closed. */
static int
up_flush(int ep, struct uconn *c)
{
	if (buf_write(&c->out, c->fd) == -1) {
		up_close(ep, c);
		return 0;
	}
	if (c->out.len == 0 && c->close_after) {
		up_close(ep, c);
		return 0;
	}
	ep_ctl(ep, EPOLL_CTL_MOD, c->fd, EPOLLIN | (c->out.len > 0 ?
	    EPOLLOUT : 0), c);
	return 1;
}

static int
upstream_main(int argc, char **argv)
{
	struct sockaddr_un	 sun;
	struct epoll_event	 evs[MAXEV];
	struct sigaction	 sa;
	struct uconn		*c;
	static int		 lmark;
	int			 lfd, ep, n, i, fd, r;

	if (argc != 1)
		die("usage: soakload upstream SOCK");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = up_sigterm;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sun_fill(&sun, argv[0]);
	unlink(argv[0]);
	if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(lfd, 4096) == -1)
		die("listen %s: %s", argv[0], strerror(errno));
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll: %s", strerror(errno));
	ep_ctl(ep, EPOLL_CTL_ADD, lfd, EPOLLIN, &lmark);
	while (!up_stop) {
		n = epoll_wait(ep, evs, MAXEV, 200);
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &lmark) {
				while ((fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
					if ((c = calloc(1, sizeof(*c))) == NULL)
						die("out of memory");
					c->fd = fd;
					ep_ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, c);
				}
				continue;
			}
			c = evs[i].data.ptr;
			if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
				r = buf_read(&c->in, c->fd);
				if (r == -1) {
					up_close(ep, c);
					continue;
				}
				up_parse(c);
				if (r == 0) {
					/* Peer closed: an attach's last echo
					 * goes, then the connection. */
					c->close_after = 1;
					if (!c->hijack)
						buf_drain(&c->out, c->out.len);
				}
			}
			up_flush(ep, c);
		}
	}
	unlink(argv[0]);
	return 0;
}

/* ---- the load driver ------------------------------------------------- */

enum kind {
	K_PING, K_HEAD, K_PS, K_INSPECT, K_CREATE, K_PRIV, K_BIND, K_PLUGIN,
	K_LOGS, K_EVENTS, K_ATTACH, K_CLOSE, K_DELETE, NKINDS
};

static const char *kind_names[NKINDS] = {
	"ping", "head", "ps", "inspect", "create", "priv", "bind", "plugin",
	"logs", "events", "attach", "close", "delete"
};

/* The mix against the fake dockerd, per 1000 requests. */
static const int fake_mix[NKINDS] = {
	[K_PING] = 300, [K_HEAD] = 50, [K_PS] = 200, [K_INSPECT] = 100,
	[K_CREATE] = 100, [K_PRIV] = 80, [K_BIND] = 20, [K_PLUGIN] = 20,
	[K_LOGS] = 60, [K_EVENTS] = 20, [K_ATTACH] = 40, [K_CLOSE] = 10,
};

enum dstate {
	D_CONNECT,	/* waiting for a retry of connect(2) */
	D_READY,	/* connected, no request in flight */
	D_HEAD,		/* request sent, reading the response head */
	D_BODY_CL,	/* reading a Content-Length body */
	D_CHUNK,	/* reading a chunked body */
	D_UNTIL_CLOSE,	/* response ends at EOF ("close" answered) */
	D_HOLD,		/* events stream open; closed later by us */
	D_HIJACK	/* attach: waiting for our line to come back */
};

struct dconn {
	int		 fd;
	int		 idx;
	enum dstate	 st;
	enum kind	 kind;
	struct buf	 in, out;
	int		 status;
	uint64_t	 left;		/* body bytes or chunk bytes left */
	int		 chunk_crlf;	/* the CRLF after chunk data is due */
	int		 conn_close;	/* the response says Connection: close */
	int		 body_ok;
	char		 id[65];	/* a created container, to delete */
	uint64_t	 hold_until;
	char		 marker[40];
	uint64_t	 t0;
	struct dconn	*hold_next;
	int		 served;	/* completed a request */
};

struct drv {
	const char	*sock;
	int		 ep;
	int		 nconns;
	int		 nactive;	/* conns[0..nactive) run the mix */
	uint64_t	 budget, sent, done;
	uint64_t	 per_kind[NKINDS], errors, reported, conn_errors;
	uint64_t	 reconnects, open_now, open_max, served_once;
	int		 mix[NKINDS], mix_total;
	const char	*name, *image;
	unsigned	 seed;
	pid_t		 pid;
	long		 rss_held, fds_held, rss_max, fds_max;
	uint64_t	 next_sample;
	struct dconn	*conns;
	struct dconn	*hold_head, *hold_tail;	/* events, oldest first */
	int		 nretry;
	int		 ramp;		/* first requests, one a connection */
};

static void d_request(struct drv *, struct dconn *);
static void d_open(struct drv *, struct dconn *);

/* VmRSS (KiB) and the number of open descriptors of pid. */
static void
sample(pid_t pid, long *rss, long *fds)
{
	char		 path[64], line[256];
	FILE		*f;
	DIR		*d;
	struct dirent	*e;

	*rss = *fds = -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "VmRSS: %ld kB", rss) == 1)
				break;
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) != NULL) {
		*fds = 0;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				(*fds)++;
		closedir(d);
	}
}

static void
d_sample(struct drv *dv)
{
	long	rss, fds;

	if (dv->pid <= 0)
		return;
	sample(dv->pid, &rss, &fds);
	if (rss > dv->rss_max)
		dv->rss_max = rss;
	if (fds > dv->fds_max)
		dv->fds_max = fds;
	dv->next_sample = now_ms() + 500;
}

/* Records an error; the first few are described. */
static void
d_error(struct drv *dv, struct dconn *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
d_error(struct drv *dv, struct dconn *c, const char *fmt, ...)
{
	va_list	ap;
	size_t	n;

	dv->errors++;
	if (dv->reported++ >= MAX_REPORTED)
		return;
	fprintf(stderr, "soakload: conn %d, %s: ", c->idx, kind_names[c->kind]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	n = c->in.len < 300 ? c->in.len : 300;
	fprintf(stderr, " [input: %.*s]\n", (int)n, buf_data(&c->in));
}

/* Closes the connection; reopen: replace it with a new one. */
static void
d_close(struct drv *dv, struct dconn *c, int reopen)
{
	if (c->fd != -1) {
		epoll_ctl(dv->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
		dv->open_now--;
	}
	c->in.len = c->in.off = 0;
	c->out.len = c->out.off = 0;
	c->id[0] = '\0';
	if (reopen && dv->sent < dv->budget) {
		dv->reconnects++;
		d_open(dv, c);
	}
}

/* Starts connecting; on EAGAIN (backlog full) it is retried later. */
static void
d_open(struct drv *dv, struct dconn *c)
{
	struct sockaddr_un	sun;

	c->st = D_CONNECT;
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	sun_fill(&sun, dv->sock);
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno != EAGAIN)
			die("connect %s: %s", dv->sock, strerror(errno));
		close(c->fd);
		c->fd = -1;
		dv->nretry++;
		return;
	}
	dv->open_now++;
	if (dv->open_now > dv->open_max)
		dv->open_max = dv->open_now;
	ep_ctl(dv->ep, EPOLL_CTL_ADD, c->fd, EPOLLIN, c);
	c->st = D_READY;
	d_request(dv, c);
}

/* A request or stream of c has ended as expected. */
static void
d_count(struct drv *dv, struct dconn *c)
{
	dv->done++;
	if (!c->served) {
		c->served = 1;
		dv->served_once++;
	}
}

/* A random kind from the mix. */
static enum kind
d_pick(struct drv *dv)
{
	int	r, k;

	r = (int)(rand_r(&dv->seed) % (unsigned)dv->mix_total);
	for (k = 0; k < NKINDS; k++) {
		if (r < dv->mix[k])
			return (enum kind)k;
		r -= dv->mix[k];
	}
	return K_PING;
}

/* Sends the next request on c (or nothing when the budget is spent). */
static void
d_request(struct drv *dv, struct dconn *c)
{
	static const char V[] = "/v1.41";
	char	 body[512];
	int	 n;

	if (c->st != D_READY)
		return;
	if (c->id[0] != '\0')
		c->kind = K_DELETE;
	else if (dv->sent >= dv->budget || (dv->ramp && c->served) ||
	    (!dv->ramp && c->idx >= dv->nactive))
		return;
	else if (dv->ramp)
		c->kind = K_PLUGIN;	/* served, and no upstream held */
	else
		c->kind = d_pick(dv);
	dv->sent++;
	dv->per_kind[c->kind]++;
	c->status = 0;
	c->conn_close = 0;
	c->body_ok = 0;
	c->t0 = now_ms();
	c->st = D_HEAD;
	switch (c->kind) {
	case K_PING:
		buf_printf(&c->out, "GET /_ping HTTP/1.1\r\nHost: docker\r\n"
		    "User-Agent: soakload\r\n\r\n");
		break;
	case K_HEAD:
		buf_printf(&c->out, "HEAD /_ping HTTP/1.1\r\nHost: docker\r\n"
		    "\r\n");
		break;
	case K_CLOSE:
		buf_printf(&c->out, "GET /_ping HTTP/1.1\r\nHost: docker\r\n"
		    "Connection: close\r\n\r\n");
		break;
	case K_PS:
		buf_printf(&c->out, "GET %s/containers/json?all=1 HTTP/1.1\r\n"
		    "Host: docker\r\n\r\n", V);
		break;
	case K_INSPECT:
		buf_printf(&c->out, "GET %s/containers/%s/json HTTP/1.1\r\n"
		    "Host: docker\r\n\r\n", V, dv->name);
		break;
	case K_CREATE:
	case K_PRIV:
	case K_BIND:
		n = snprintf(body, sizeof(body), "{\"Image\":\"%s\",\"Cmd\":"
		    "[\"true\"],\"Env\":[\"SOAK=1\"],\"HostConfig\":{%s}}",
		    dv->image, c->kind == K_PRIV ? "\"Privileged\":true" :
		    c->kind == K_BIND ? "\"Binds\":[\"/etc:/host-etc:ro\"]" :
		    "\"NetworkMode\":\"none\"");
		buf_printf(&c->out, "POST %s/containers/create HTTP/1.1\r\n"
		    "Host: docker\r\nContent-Type: application/json\r\n"
		    "Content-Length: %d\r\n\r\n%s", V, n, body);
		break;
	case K_DELETE:
		buf_printf(&c->out, "DELETE %s/containers/%s?force=1 HTTP/1.1"
		    "\r\nHost: docker\r\n\r\n", V, c->id);
		c->id[0] = '\0';
		break;
	case K_PLUGIN:
		buf_printf(&c->out, "POST %s/plugins/pull?remote=soak/evil "
		    "HTTP/1.1\r\nHost: docker\r\nContent-Type: "
		    "application/json\r\nContent-Length: 2\r\n\r\n[]", V);
		break;
	case K_LOGS:
		buf_printf(&c->out, "GET %s/containers/%s/logs?stdout=1&"
		    "stderr=1&tail=4 HTTP/1.1\r\nHost: docker\r\n\r\n", V,
		    dv->name);
		break;
	case K_EVENTS:
		buf_printf(&c->out, "GET %s/events?filters=%%7B%%22type%%22%%3A"
		    "%%5B%%22container%%22%%5D%%7D HTTP/1.1\r\nHost: docker\r\n"
		    "\r\n", V);
		break;
	case K_ATTACH:
		buf_printf(&c->out, "POST %s/containers/%s/attach?stream=1&"
		    "stdin=1&stdout=1 HTTP/1.1\r\nHost: docker\r\n"
		    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n", V, dv->name);
		break;
	case NKINDS:
		break;
	}
	if (buf_write(&c->out, c->fd) == -1) {
		dv->conn_errors++;
		d_error(dv, c, "send: %s", strerror(errno));
		d_close(dv, c, 1);
		return;
	}
	if (c->out.len > 0)
		ep_ctl(dv->ep, EPOLL_CTL_MOD, c->fd, EPOLLIN | EPOLLOUT, c);
}

/* The status each kind must get. */
static int
expected_status(enum kind k)
{
	switch (k) {
	case K_CREATE:
		return 201;
	case K_DELETE:
		return 204;
	case K_PRIV:
	case K_BIND:
	case K_PLUGIN:
		return 403;
	case K_ATTACH:
		return 101;
	default:
		return 200;
	}
}

/* Closes the events streams that have been held long enough. */
static void
d_release_holds(struct drv *dv, int all)
{
	struct dconn	*c;

	while ((c = dv->hold_head) != NULL &&
	    (all || c->hold_until <= dv->done)) {
		dv->hold_head = c->hold_next;
		if (dv->hold_head == NULL)
			dv->hold_tail = NULL;
		c->hold_next = NULL;
		d_close(dv, c, 1);	/* the client leaves mid-stream */
	}
}

/* A response (or stream) ended as expected: next request. */
static void
d_done(struct drv *dv, struct dconn *c)
{
	d_count(dv, c);
	if (c->conn_close) {
		/* The server closes; wait for its EOF (state kept). */
		c->st = D_UNTIL_CLOSE;
		c->left = 0;
		return;
	}
	c->st = D_READY;
	d_request(dv, c);
}

/* Checks a complete body of c's kind (the head is at the front). */
static int
d_check_body(struct dconn *c, const char *body, size_t len)
{
	switch (c->kind) {
	case K_PING:
	case K_CLOSE:
		return len == 2 && memcmp(body, "OK", 2) == 0;
	case K_PS:
		return len > 0 && body[0] == '[';
	case K_INSPECT:
		return len > 0 && body[0] == '{';
	case K_CREATE: {
		const char *p = memmem(body, len, "\"Id\":\"", 6);
		size_t n;

		if (p == NULL)
			return 0;
		p += 6;
		n = strcspn(p, "\"");
		if (n == 0 || n > 64 || p + n > body + len)
			return 0;
		memcpy(c->id, p, n);
		c->id[n] = '\0';
		return 1;
	}
	case K_PRIV:
		return memmem(body, len, "containers.privileged", 21) != NULL;
	case K_BIND:
		return memmem(body, len, "containers.bind_mounts", 22) != NULL;
	case K_PLUGIN:
		return memmem(body, len, "denied by rule", 14) != NULL;
	default:
		return 1;
	}
}

/*
 * Parses what arrived on c.  Returns 0 to go on, -1 if c was closed (and
 * possibly replaced).
 */
static int
d_input(struct drv *dv, struct dconn *c, int eof)
{
	ssize_t		 end;
	const char	*h, *v;
	size_t		 hlen, vlen;
	char		 num[32];
	int		 want;

	for (;;) {
		switch (c->st) {
		case D_CONNECT:
		case D_READY:
			if (c->in.len > 0) {
				d_error(dv, c, "%zu bytes nobody asked for",
				    c->in.len);
				d_close(dv, c, 1);
				return -1;
			}
			if (eof) {
				dv->conn_errors++;
				d_error(dv, c, "closed by the server between "
				    "requests");
				d_close(dv, c, 1);
				return -1;
			}
			return 0;
		case D_HEAD:
			if ((end = buf_find(&c->in, "\r\n\r\n")) < 0) {
				if (c->in.len > HEAD_MAX) {
					d_error(dv, c, "response head too long");
					d_close(dv, c, 1);
					return -1;
				}
				goto need_more;
			}
			h = buf_data(&c->in);
			hlen = (size_t)end + 4;
			if (hlen < 12 || sscanf(h, "HTTP/1.%*d %d", &c->status) !=
			    1) {
				d_error(dv, c, "not an HTTP response");
				d_close(dv, c, 1);
				return -1;
			}
			if (c->status == 100) {	/* interim */
				buf_drain(&c->in, hlen);
				continue;
			}
			want = expected_status(c->kind);
			if (c->status != want) {
				d_error(dv, c, "status %d, expected %d",
				    c->status, want);
				/* Read it to its end to stay in step, if
				 * it has a length; else start afresh. */
			}
			c->conn_close = hdr_has(h, hlen, "Connection", "close");
			if (c->status == 101) {
				buf_drain(&c->in, hlen);
				if (c->kind != K_ATTACH) {
					d_close(dv, c, 1);
					return -1;
				}
				snprintf(c->marker, sizeof(c->marker),
				    "soak-%d-%" PRIu64 "\n", c->idx, dv->sent);
				buf_printf(&c->out, "%s", c->marker);
				if (buf_write(&c->out, c->fd) == -1) {
					dv->conn_errors++;
					d_error(dv, c, "attach send: %s",
					    strerror(errno));
					d_close(dv, c, 1);
					return -1;
				}
				if (c->out.len > 0)
					ep_ctl(dv->ep, EPOLL_CTL_MOD, c->fd,
					    EPOLLIN | EPOLLOUT, c);
				c->st = D_HIJACK;
				continue;
			}
			if (c->kind == K_HEAD || c->status == 204 ||
			    c->status == 304) {
				buf_drain(&c->in, hlen);
				if (c->status == want) {
					d_done(dv, c);
					if (c->st == D_UNTIL_CLOSE)
						continue;
					return 0;
				}
				d_close(dv, c, 1);
				return -1;
			}
			if (hdr_has(h, hlen, "Transfer-Encoding", "chunked")) {
				buf_drain(&c->in, hlen);
				if (c->kind == K_EVENTS && c->status == want) {
					/* Held open; closed by us later. */
					c->st = D_HOLD;
					c->hold_until = dv->done + EVENTS_HOLD;
					c->hold_next = NULL;
					if (dv->hold_tail != NULL)
						dv->hold_tail->hold_next = c;
					else
						dv->hold_head = c;
					dv->hold_tail = c;
					d_count(dv, c);
					continue;
				}
				c->st = D_CHUNK;
				c->left = 0;
				c->chunk_crlf = 0;
				c->body_ok = c->status == want;
				continue;
			}
			if ((v = hdr_get(h, hlen, "Content-Length", &vlen)) ==
			    NULL || vlen >= sizeof(num)) {
				d_error(dv, c, "response without a length");
				d_close(dv, c, 1);
				return -1;
			}
			memcpy(num, v, vlen);
			num[vlen] = '\0';
			c->left = strtoull(num, NULL, 10);
			buf_drain(&c->in, hlen);
			c->st = D_BODY_CL;
			continue;
		case D_BODY_CL:
			if (c->in.len < c->left)
				goto need_more;
			if (c->status == expected_status(c->kind)) {
				if (!d_check_body(c, buf_data(&c->in),
				    (size_t)c->left)) {
					d_error(dv, c, "unexpected body");
					buf_drain(&c->in, (size_t)c->left);
					d_close(dv, c, 1);
					return -1;
				}
				buf_drain(&c->in, (size_t)c->left);
				d_done(dv, c);
				continue;
			}
			buf_drain(&c->in, (size_t)c->left);
			d_close(dv, c, 1);
			return -1;
		case D_CHUNK:
			if (c->chunk_crlf) {
				if (c->in.len < 2)
					goto need_more;
				if (memcmp(buf_data(&c->in), "\r\n", 2) != 0)
					goto bad_chunk;
				buf_drain(&c->in, 2);
				c->chunk_crlf = 0;
			}
			if (c->left > 0) {
				size_t n = c->in.len < c->left ? c->in.len :
				    (size_t)c->left;

				if (n == 0)
					goto need_more;
				buf_drain(&c->in, n);
				c->left -= n;
				if (c->left == 0)
					c->chunk_crlf = 1;
				continue;
			}
			if ((end = buf_find(&c->in, "\r\n")) < 0)
				goto need_more;
			memcpy(num, buf_data(&c->in), (size_t)end <
			    sizeof(num) - 1 ? (size_t)end : sizeof(num) - 1);
			num[(size_t)end < sizeof(num) - 1 ? (size_t)end :
			    sizeof(num) - 1] = '\0';
			c->left = strtoull(num, NULL, 16);
			buf_drain(&c->in, (size_t)end + 2);
			if (c->left > 0)
				continue;
			/* The last chunk: no trailers from dockerd. */
			if (c->in.len < 2)
				goto last_crlf;
			if (memcmp(buf_data(&c->in), "\r\n", 2) != 0)
				goto bad_chunk;
			buf_drain(&c->in, 2);
			if (!c->body_ok) {
				d_close(dv, c, 1);
				return -1;
			}
			d_done(dv, c);
			continue;
last_crlf:
			/* Put the "0\r\n" back: parse it again next time. */
			{
				char tmp[2];
				size_t k = c->in.len;

				memcpy(tmp, buf_data(&c->in), k);
				c->in.len = 0;
				c->in.off = 0;
				buf_add(&c->in, "0\r\n", 3);
				buf_add(&c->in, tmp, k);
			}
			goto need_more;
bad_chunk:
			d_error(dv, c, "malformed chunked body");
			d_close(dv, c, 1);
			return -1;
		case D_UNTIL_CLOSE:
			if (c->in.len > 0) {
				d_error(dv, c, "bytes after a Connection: "
				    "close response");
				d_close(dv, c, 1);
				return -1;
			}
			if (eof) {
				d_close(dv, c, 1);
				return -1;
			}
			return 0;
		case D_HOLD:
			buf_drain(&c->in, c->in.len);
			if (eof) {
				dv->conn_errors++;
				d_error(dv, c, "events stream ended by the "
				    "server");
				/* Unlinked lazily: it is no longer D_HOLD. */
				c->st = D_READY;
				d_close(dv, c, 1);
				return -1;
			}
			return 0;
		case D_HIJACK:
			if (buf_find(&c->in, c->marker) >= 0) {
				d_count(dv, c);
				d_close(dv, c, 1);
				return -1;
			}
			if (c->in.len > 65536)
				buf_drain(&c->in, c->in.len - 1024);
			goto need_more;
		}
	}
need_more:
	if (eof) {
		dv->conn_errors++;
		d_error(dv, c, "connection closed inside a response (state %d)",
		    (int)c->st);
		d_close(dv, c, 1);
		return -1;
	}
	return 0;
}

/* Parses --mix KIND=W,KIND=W. */
static void
parse_mix(struct drv *dv, char *s)
{
	char	*tok, *eq, *save = NULL;
	int	 k;

	memset(dv->mix, 0, sizeof(dv->mix));
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			die("--mix: %s: KIND=WEIGHT expected", tok);
		*eq = '\0';
		for (k = 0; k < K_DELETE; k++)
			if (strcmp(tok, kind_names[k]) == 0)
				break;
		if (k == K_DELETE)
			die("--mix: unknown kind %s", tok);
		dv->mix[k] = atoi(eq + 1);
	}
}

/* Drops the events streams from the hold list whose state changed. */
static void
d_hold_compact(struct drv *dv)
{
	struct dconn	**pp = &dv->hold_head, *c;

	dv->hold_tail = NULL;
	while ((c = *pp) != NULL) {
		if (c->st != D_HOLD || c->fd == -1) {
			*pp = c->hold_next;
			c->hold_next = NULL;
			continue;
		}
		dv->hold_tail = c;
		pp = &c->hold_next;
	}
}

static int
drive_main(int argc, char **argv)
{
	struct drv		 dv;
	struct epoll_event	 evs[MAXEV];
	struct dconn		*c;
	uint64_t		 t0, t_held = 0, deadline, t_end;
	unsigned		 deadline_s = 600;
	int			 i, n, k, timeout, r;
	long			 in_flight;

	if (argc < 3)
		die("usage: soakload drive SOCK CONNS REQUESTS [options]");
	memset(&dv, 0, sizeof(dv));
	dv.sock = argv[0];
	dv.nconns = atoi(argv[1]);
	dv.budget = strtoull(argv[2], NULL, 10);
	dv.name = "soak-cat";
	dv.image = "busybox";
	dv.seed = 1;
	dv.rss_held = dv.fds_held = -1;
	memcpy(dv.mix, fake_mix, sizeof(dv.mix));
	for (i = 3; i < argc; i++) {
		if (i + 1 >= argc)
			die("%s needs a value", argv[i]);
		if (strcmp(argv[i], "--mix") == 0)
			parse_mix(&dv, argv[++i]);
		else if (strcmp(argv[i], "--active") == 0)
			dv.nactive = atoi(argv[++i]);
		else if (strcmp(argv[i], "--name") == 0)
			dv.name = argv[++i];
		else if (strcmp(argv[i], "--image") == 0)
			dv.image = argv[++i];
		else if (strcmp(argv[i], "--pid") == 0)
			dv.pid = (pid_t)atol(argv[++i]);
		else if (strcmp(argv[i], "--deadline") == 0)
			deadline_s = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0)
			dv.seed = (unsigned)atoi(argv[++i]);
		else
			die("unknown option %s", argv[i]);
	}
	for (k = 0; k < K_DELETE; k++)
		dv.mix_total += dv.mix[k];
	if (dv.nactive <= 0 || dv.nactive > dv.nconns)
		dv.nactive = dv.nconns;
	if (dv.nconns < 1 || dv.budget < (uint64_t)dv.nconns ||
	    dv.mix_total <= 0)
		die("need CONNS >= 1, REQUESTS >= CONNS and a mix");
	signal(SIGPIPE, SIG_IGN);
	if ((dv.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll: %s", strerror(errno));
	if ((dv.conns = calloc((size_t)dv.nconns, sizeof(*dv.conns))) == NULL)
		die("out of memory");
	t0 = now_ms();
	deadline = t0 + (uint64_t)deadline_s * 1000;
	dv.ramp = 1;
	for (i = 0; i < dv.nconns; i++) {
		dv.conns[i].idx = i;
		dv.conns[i].fd = -1;
		d_open(&dv, &dv.conns[i]);
	}
	d_sample(&dv);
	for (;;) {
		/* Connections whose connect(2) met a full backlog. */
		if (dv.nretry > 0) {
			dv.nretry = 0;
			for (i = 0; i < dv.nconns; i++) {
				c = &dv.conns[i];
				if (c->st == D_CONNECT && c->fd == -1 &&
				    dv.sent < dv.budget)
					d_open(&dv, c);
			}
		}
		if (dv.ramp && dv.served_once == (uint64_t)dv.nconns) {
			/* Every connection open at once, served and idle:
			 * the held sample; then the mix on all of them. */
			dv.ramp = 0;
			t_held = now_ms();
			if (dv.pid > 0)
				sample(dv.pid, &dv.rss_held, &dv.fds_held);
			for (i = 0; i < dv.nconns; i++)
				d_request(&dv, &dv.conns[i]);
		}
		if (dv.pid > 0 && now_ms() >= dv.next_sample)
			d_sample(&dv);
		d_release_holds(&dv, dv.sent >= dv.budget);
		in_flight = 0;
		for (i = 0; i < dv.nconns && dv.sent >= dv.budget; i++) {
			c = &dv.conns[i];
			if (c->fd != -1 && c->st != D_READY)
				in_flight++;
			else if (c->fd != -1 && c->id[0] != '\0')
				in_flight++;
		}
		if (dv.sent >= dv.budget && in_flight == 0)
			break;
		if (now_ms() > deadline) {
			fprintf(stderr, "soakload: deadline of %u s reached with "
			    "%ld requests in flight\n", deadline_s, in_flight);
			dv.errors++;
			break;
		}
		timeout = dv.nretry > 0 ? 1 : 100;
		n = epoll_wait(dv.ep, evs, MAXEV, timeout);
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (c->fd == -1)
				continue;
			if (evs[i].events & EPOLLOUT) {
				if (buf_write(&c->out, c->fd) == -1) {
					dv.conn_errors++;
					d_error(&dv, c, "send: %s",
					    strerror(errno));
					d_close(&dv, c, 1);
					continue;
				}
				if (c->out.len == 0)
					ep_ctl(dv.ep, EPOLL_CTL_MOD, c->fd,
					    EPOLLIN, c);
			}
			if (!(evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
				continue;
			r = buf_read(&c->in, c->fd);
			if (r == 2)
				continue;
			if (r == -1) {
				if (c->st == D_HIJACK || c->st == D_UNTIL_CLOSE)
					r = 0;	/* a reset ends it too */
				else {
					dv.conn_errors++;
					d_error(&dv, c, "read: %s",
					    strerror(errno));
					if (c->st == D_HOLD)
						c->st = D_READY;
					d_close(&dv, c, 1);
					d_hold_compact(&dv);
					continue;
				}
			}
			if (d_input(&dv, c, r == 0) == -1)
				d_hold_compact(&dv);
		}
	}
	t_end = now_ms();
	/* Every connection goes now: the clients leave. */
	for (i = 0; i < dv.nconns; i++)
		d_close(&dv, &dv.conns[i], 0);
	printf("conns=%d active=%d held=%" PRIu64 " requests=%" PRIu64 " done=%" PRIu64
	    " errors=%" PRIu64 " conn_errors=%" PRIu64 " reconnects=%" PRIu64
	    " secs=%.1f req_per_s=%.0f held_after_s=%.1f",
	    dv.nconns, dv.nactive, dv.open_max, dv.sent, dv.done, dv.errors,
	    dv.conn_errors, dv.reconnects, (double)(t_end - t0) / 1000.0,
	    (double)dv.done * 1000.0 / (double)(t_end - t0 + 1),
	    t_held ? (double)(t_held - t0) / 1000.0 : -1.0);
	if (dv.pid > 0)
		printf(" rss_held_kb=%ld fds_held=%ld rss_max_kb=%ld "
		    "fds_max=%ld", dv.rss_held, dv.fds_held, dv.rss_max,
		    dv.fds_max);
	for (k = 0; k < NKINDS; k++)
		printf(" %s=%" PRIu64, kind_names[k], dv.per_kind[k]);
	printf("\n");
	for (i = 0; i < dv.nconns; i++) {
		buf_free(&dv.conns[i].in);
		buf_free(&dv.conns[i].out);
	}
	free(dv.conns);
	close(dv.ep);
	return dv.errors == 0 && dv.conn_errors == 0 && dv.done >= dv.sent &&
	    dv.open_max >= (uint64_t)dv.nconns && t_held != 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "upstream") == 0)
		return upstream_main(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "drive") == 0)
		return drive_main(argc - 2, argv + 2);
	fprintf(stderr, "usage: soakload upstream SOCK\n"
	    "       soakload drive SOCK CONNS REQUESTS [--mix K=W,...] "
	    "[--name C] [--image I] [--pid PID] [--deadline S] [--seed N]\n");
	return 2;
}
