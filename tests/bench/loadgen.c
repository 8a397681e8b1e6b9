/*
 * loadgen: a small HTTP/1.1 load generator for unix sockets, for
 * tests/bench/run (wrk and ab cannot talk to a unix socket).
 *
 *   loadgen http SOCK PATH CONNS WARMUP_S DURATION_S
 *	CONNS keep-alive connections (one thread, epoll), each sending
 *	"GET PATH" again as soon as the previous response is complete.
 *	req/s counts the responses completed in the measured window (after
 *	the warm-up); latencies are those of the requests both sent and
 *	completed in it, every one kept (p50, p90, p99 are exact).
 *   loadgen idle SOCK N [PATH]
 *	Opens N connections and holds them; with PATH, first does one
 *	keep-alive request on each.  Prints "ready N errors=E" once all are
 *	open, then holds them until SIGTERM or SIGINT (at most 10 minutes),
 *	and reports on stderr how many the server had closed meanwhile.
 *   loadgen download SOCK PATH
 *	One GET; reads the whole body and times it.
 *   loadgen upload SOCK METHOD PATH FILE [CONTENT_TYPE]
 *	One request whose body is FILE (sendfile, Content-Length); times
 *	from connect until the whole body is sent and the response read.
 *
 * Every mode prints one line of key=value pairs on stdout.  Latencies are
 * in microseconds, rates in requests/s or MB/s (10^6 bytes/s).  "errors"
 * counts non-2xx responses plus connection failures; a figure whose run
 * had errors should not be trusted (the run script flags it).
 *
 * Responses are parsed properly enough to stay in step: status line,
 * headers, then a Content-Length, chunked or until-close body; 1xx
 * interim responses are skipped.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX	(64 * 1024)
#define RBUF_SIZE	(64 * 1024)
#define BIG_RBUF	(1024 * 1024)

static void die(const char *, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "loadgen: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- response parser ------------------------------------------------ */

enum pstate {
	P_HEAD, P_BODY_CL, P_CHUNK_SIZE, P_CHUNK_DATA, P_CHUNK_CRLF,
	P_TRAILER, P_BODY_EOF, P_DONE
};

struct parser {
	enum pstate	 st;
	int		 status;
	int		 close;		/* Connection: close / HTTP/1.0 */
	int		 head_only;	/* response to HEAD: no body */
	uint64_t	 remain;	/* CL body or chunk bytes left */
	uint64_t	 body;		/* body bytes seen (payload) */
	size_t		 hlen;		/* bytes in head[] */
	char		 line[128];	/* chunk-size / trailer line */
	size_t		 llen;
	char		 head[HEAD_MAX];
};

static void
parser_reset(struct parser *p)
{
	p->st = P_HEAD;
	p->status = 0;
	p->close = 0;
	p->remain = 0;
	p->body = 0;
	p->hlen = 0;
	p->llen = 0;
}

/* Parses a complete head (ends with CRLFCRLF); -1 if malformed. */
static int
parse_head(struct parser *p)
{
	char		*s = p->head, *end = p->head + p->hlen, *eol, *c;
	int		 have_cl = 0, chunked = 0, v11;
	uint64_t	 cl = 0;

	if (p->hlen < 12 || strncmp(s, "HTTP/1.", 7) != 0)
		return -1;
	v11 = s[7] == '1';
	if (!isdigit((unsigned char)s[9]) || !isdigit((unsigned char)s[10]) ||
	    !isdigit((unsigned char)s[11]))
		return -1;
	p->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	p->close = !v11;
	eol = memmem(s, end - s, "\r\n", 2);
	for (s = eol + 2; s < end; s = eol + 2) {
		eol = memmem(s, end - s, "\r\n", 2);
		if (eol == NULL || eol == s)
			break;
		if ((c = memchr(s, ':', eol - s)) == NULL)
			return -1;
		*eol = '\0';
		for (c++; *c == ' ' || *c == '\t'; c++)
			;
		if (strncasecmp(s, "content-length:", 15) == 0) {
			char *e;
			cl = strtoull(c, &e, 10);
			have_cl = 1;
		} else if (strncasecmp(s, "transfer-encoding:", 18) == 0) {
			if (strcasestr(c, "chunked") != NULL)
				chunked = 1;
		} else if (strncasecmp(s, "connection:", 11) == 0) {
			if (strcasestr(c, "close") != NULL)
				p->close = 1;
			else if (strcasestr(c, "keep-alive") != NULL)
				p->close = 0;
		}
		*eol = '\r';
	}
	if (p->status / 100 == 1) {
		/* interim response: the real one follows */
		p->st = P_HEAD;
		p->hlen = 0;
		return 1;
	}
	if (p->head_only || p->status == 204 || p->status == 304)
		p->st = P_DONE;
	else if (chunked)
		p->st = P_CHUNK_SIZE;
	else if (have_cl) {
		p->remain = cl;
		p->st = cl ? P_BODY_CL : P_DONE;
	} else {
		p->st = P_BODY_EOF;
		p->close = 1;
	}
	return 0;
}

/*
 * Feeds bytes; returns how many were consumed (stops right after a
 * complete response, p->st == P_DONE) or -1 on a malformed response.
 */
static ssize_t
parser_feed(struct parser *p, const char *buf, size_t len)
{
	size_t	i = 0, n;

	while (i < len && p->st != P_DONE) {
		switch (p->st) {
		case P_HEAD: {
			/* append, then look for the CRLFCRLF (it may straddle) */
			size_t old = p->hlen, from, take;
			char *e;

			take = len - i;
			if (take > HEAD_MAX - p->hlen)
				take = HEAD_MAX - p->hlen;
			if (take == 0)
				return -1;
			memcpy(p->head + old, buf + i, take);
			from = old > 3 ? old - 3 : 0;
			e = memmem(p->head + from, old + take - from, "\r\n\r\n", 4);
			if (e == NULL) {
				p->hlen += take;
				i += take;
				break;
			}
			p->hlen = (size_t)(e - p->head) + 4;
			i += p->hlen - old;
			if (parse_head(p) < 0)
				return -1;
			break;
		}
		case P_BODY_CL:
			n = len - i < p->remain ? len - i : p->remain;
			p->remain -= n;
			p->body += n;
			i += n;
			if (p->remain == 0)
				p->st = P_DONE;
			break;
		case P_BODY_EOF:
			p->body += len - i;
			i = len;
			break;
		case P_CHUNK_SIZE:
		case P_TRAILER:
		case P_CHUNK_CRLF: {
			char c = buf[i++];

			if (p->llen >= sizeof(p->line) - 1)
				return -1;
			p->line[p->llen++] = c;
			if (c != '\n')
				break;
			p->line[p->llen] = '\0';
			if (p->st == P_CHUNK_CRLF) {
				if (strcmp(p->line, "\r\n") != 0)
					return -1;
				p->st = P_CHUNK_SIZE;
			} else if (p->st == P_TRAILER) {
				if (strcmp(p->line, "\r\n") == 0)
					p->st = P_DONE;
			} else {
				char *e;
				unsigned long long sz;

				if (!isxdigit((unsigned char)p->line[0]))
					return -1;
				sz = strtoull(p->line, &e, 16);
				if (sz == 0)
					p->st = P_TRAILER;
				else {
					p->remain = sz;
					p->st = P_CHUNK_DATA;
				}
			}
			p->llen = 0;
			break;
		}
		case P_CHUNK_DATA:
			n = len - i < p->remain ? len - i : p->remain;
			p->remain -= n;
			p->body += n;
			i += n;
			if (p->remain == 0) {
				p->st = P_CHUNK_CRLF;
				p->llen = 0;
			}
			break;
		case P_DONE:
			break;
		}
	}
	return (ssize_t)i;
}

/* ---- sockets ---------------------------------------------------------- */

static struct sockaddr_un	sun;
static socklen_t		sunlen;

static void
set_addr(const char *path)
{
	if (strlen(path) >= sizeof(sun.sun_path))
		die("socket path too long: %s", path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	sunlen = sizeof(sun);
}

static int
connect_sock(int nonblock)
{
	struct timeval	tv = { 10, 0 };
	int		fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket: %s", strerror(errno));
	/* bounds a blocking connect when the listen backlog is full */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sunlen) == -1) {
		close(fd);
		return -1;
	}
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* ---- http mode ---------------------------------------------------------- */

struct conn {
	int		 fd;
	size_t		 woff;		/* request bytes written */
	uint64_t	 t_sent;	/* when the request started */
	struct parser	 p;
};

static char	*req;
static size_t	 reqlen;

static uint64_t	*lat;
static size_t	 nlat, caplat;

static void
lat_add(uint64_t ns)
{
	if (nlat == caplat) {
		caplat = caplat ? caplat * 2 : 1 << 20;
		if ((lat = realloc(lat, caplat * sizeof(*lat))) == NULL)
			die("out of memory");
	}
	lat[nlat++] = ns;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double q)
{
	size_t i;

	if (nlat == 0)
		return 0;
	i = (size_t)(q * (double)(nlat - 1) + 0.5);
	return (double)lat[i] / 1000.0;
}

static int
conn_open(int ep, struct conn *c)
{
	struct epoll_event ev;

	if ((c->fd = connect_sock(1)) == -1)
		return -1;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	return 0;
}

static void
conn_send(struct conn *c)
{
	ssize_t n;

	while (c->woff < reqlen) {
		n = write(c->fd, req + c->woff, reqlen - c->woff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return;		/* EAGAIN: EPOLLOUT resumes it */
		c->woff += n;
	}
}

static void
conn_start(struct conn *c)
{
	parser_reset(&c->p);
	c->woff = 0;
	c->t_sent = now_ns();
	conn_send(c);
}

static int
mode_http(int argc, char **argv)
{
	const char	*path;
	int		 nconn, ep, i, n;
	double		 warm, dur;
	struct conn	*conns;
	struct epoll_event evs[256];
	uint64_t	 t0, tm, te, t, done_win = 0, errors = 0, non2xx = 0;
	uint64_t	 connerr = 0, reconnects = 0, bodybytes = 0;
	static char	 rbuf[RBUF_SIZE];

	if (argc != 7)
		die("usage: loadgen http SOCK PATH CONNS WARMUP_S DURATION_S");
	set_addr(argv[2]);
	path = argv[3];
	nconn = atoi(argv[4]);
	warm = atof(argv[5]);
	dur = atof(argv[6]);
	if (nconn < 1 || dur <= 0)
		die("bad arguments");
	if (asprintf(&req, "GET %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockguard-bench\r\n\r\n", path) == -1)
		die("out of memory");
	reqlen = strlen(req);

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	if ((conns = calloc(nconn, sizeof(*conns))) == NULL)
		die("out of memory");
	for (i = 0; i < nconn; i++) {
		conns[i].p.head_only = 0;
		if (conn_open(ep, &conns[i]) == -1)
			die("connect %s: %s", argv[2], strerror(errno));
	}
	t0 = now_ns();
	tm = t0 + (uint64_t)(warm * 1e9);
	te = tm + (uint64_t)(dur * 1e9);
	for (i = 0; i < nconn; i++)
		conn_start(&conns[i]);

	while ((t = now_ns()) < te) {
		int tmo = (int)((te - t) / 1000000) + 1;

		n = epoll_wait(ep, evs, 256, tmo);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			struct conn	*c = evs[i].data.ptr;
			int		 broken = 0, eof = 0;

			if (evs[i].events & EPOLLOUT)
				conn_send(c);
			if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP |
			    EPOLLRDHUP)) {
				for (;;) {
					ssize_t r, off = 0;

					r = read(c->fd, rbuf, sizeof(rbuf));
					if (r == -1 && errno == EINTR)
						continue;
					if (r == -1 && errno == EAGAIN)
						break;
					if (r <= 0) {
						eof = 1;
						break;
					}
					while (off < r) {
						ssize_t k = parser_feed(&c->p,
						    rbuf + off, r - off);
						if (k < 0) {
							broken = 1;
							break;
						}
						off += k;
						if (c->p.st != P_DONE)
							continue;
						t = now_ns();
						if (t >= tm)
							done_win++;
						if (c->t_sent >= tm && t <= te) {
							lat_add(t - c->t_sent);
							bodybytes += c->p.body;
							if (c->p.status / 100 != 2)
								non2xx++;
						}
						if (off < r) {
							/* unsolicited bytes */
							if (c->t_sent >= tm)
								connerr++;
							broken = 1;
							break;
						}
						if (c->p.close) {
							broken = 1;
							break;
						}
						conn_start(c);
					}
					if (broken)
						break;
				}
				if (eof && c->p.st == P_BODY_EOF) {
					/* until-close body: complete */
					t = now_ns();
					if (t >= tm)
						done_win++;
					if (c->t_sent >= tm && t <= te) {
						lat_add(t - c->t_sent);
						bodybytes += c->p.body;
						if (c->p.status / 100 != 2)
							non2xx++;
					}
					broken = 1;
				} else if (eof) {
					if (c->t_sent >= tm)
						connerr++;
					broken = 1;
				}
				if (broken && !eof && c->p.st != P_DONE &&
				    c->t_sent >= tm)
					connerr++;	/* malformed */
			}
			if (broken) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				reconnects++;
				if (conn_open(ep, c) == -1) {
					connerr++;
					die("reconnect %s: %s", argv[2],
					    strerror(errno));
				}
				conn_start(c);
			}
		}
	}
	errors = non2xx + connerr;
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("mode=http conns=%d path=%s duration_s=%.2f requests=%"
	    PRIu64 " rps=%.0f p50_us=%.1f p90_us=%.1f p99_us=%.1f "
	    "max_us=%.1f errors=%" PRIu64 " non2xx=%" PRIu64 " connerr=%"
	    PRIu64 " reconnects=%" PRIu64 " body_bytes_per_req=%.0f\n",
	    nconn, path, dur, done_win, (double)done_win / dur, pct(0.50),
	    pct(0.90), pct(0.99),
	    nlat ? (double)lat[nlat - 1] / 1000.0 : 0.0, errors, non2xx,
	    connerr, reconnects,
	    nlat ? (double)bodybytes / (double)nlat : 0.0);
	return errors ? 1 : 0;
}

/* ---- idle mode ---------------------------------------------------------- */

static volatile sig_atomic_t	stop;

static void
on_signal(int sig)
{
	stop = 1;
}

/* One blocking request/response on fd; returns the status or -1. */
static int
one_request(int fd, const char *r, size_t rlen, struct parser *p,
    char *buf, size_t bufsz)
{
	ssize_t n, off, k;

	parser_reset(p);
	if (write_all(fd, r, rlen) == -1)
		return -1;
	for (;;) {
		n = read(fd, buf, bufsz);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return p->st == P_BODY_EOF ? p->status : -1;
		for (off = 0; off < n; off += k) {
			if ((k = parser_feed(p, buf + off, n - off)) < 0)
				return -1;
			if (p->st == P_DONE)
				return p->status;
		}
	}
}

static int
mode_idle(int argc, char **argv)
{
	int		 n, i, *fds, bad = 0;
	const char	*path = argc > 4 ? argv[4] : NULL;
	char		*r = NULL, buf[RBUF_SIZE];
	struct parser	*p;
	struct sigaction sa;
	sigset_t	 mask, old;

	if (argc < 4 || argc > 5)
		die("usage: loadgen idle SOCK N [PATH]");
	set_addr(argv[2]);
	n = atoi(argv[3]);
	if (n < 0)
		die("bad N");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGALRM);
	if ((fds = calloc(n + 1, sizeof(*fds))) == NULL ||
	    (p = malloc(sizeof(*p))) == NULL)
		die("out of memory");
	memset(p, 0, sizeof(*p));
	if (path && asprintf(&r, "GET %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockguard-bench\r\n\r\n", path) == -1)
		die("out of memory");
	for (i = 0; i < n; i++) {
		if ((fds[i] = connect_sock(0)) == -1)
			die("connect #%d to %s: %s", i, argv[2],
			    strerror(errno));
		if (r && one_request(fds[i], r, strlen(r), p, buf,
		    sizeof(buf)) / 100 != 2)
			bad++;
	}
	printf("ready %d errors=%d\n", n, bad);
	fflush(stdout);
	alarm(600);
	sigprocmask(SIG_BLOCK, &mask, &old);
	while (!stop)
		sigsuspend(&old);
	/* check that the proxy kept them open (it may time them out) */
	for (i = 0, bad = 0; i < n; i++) {
		struct pollfd pfd = { fds[i], POLLIN | POLLRDHUP, 0 };
		if (poll(&pfd, 1, 0) == 1)
			bad++;
		close(fds[i]);
	}
	fprintf(stderr, "loadgen idle: %d of %d connections had been closed "
	    "by the server\n", bad, n);
	return 0;
}

/* ---- download / upload ------------------------------------------------ */

static void
print_xfer(const char *mode, const char *path, int status, uint64_t bytes,
    uint64_t ns, int early)
{
	double s = (double)ns / 1e9;

	printf("mode=%s path=%s status=%d bytes=%" PRIu64 " seconds=%.3f "
	    "mbps=%.1f errors=%d early_response=%d\n", mode, path, status,
	    bytes, s, s > 0 ? (double)bytes / s / 1e6 : 0.0,
	    status / 100 != 2, early);
}

static int
mode_download(int argc, char **argv)
{
	int		 fd, status;
	char		*r, *buf;
	struct parser	*p;
	uint64_t	 t0, t1;

	if (argc != 4)
		die("usage: loadgen download SOCK PATH");
	set_addr(argv[2]);
	if ((buf = malloc(BIG_RBUF)) == NULL ||
	    (p = calloc(1, sizeof(*p))) == NULL)
		die("out of memory");
	if (asprintf(&r, "GET %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockguard-bench\r\n\r\n", argv[3]) == -1)
		die("out of memory");
	t0 = now_ns();
	if ((fd = connect_sock(0)) == -1)
		die("connect %s: %s", argv[2], strerror(errno));
	status = one_request(fd, r, strlen(r), p, buf, BIG_RBUF);
	t1 = now_ns();
	close(fd);
	print_xfer("download", argv[3], status, p->body, t1 - t0, 0);
	return status / 100 == 2 ? 0 : 1;
}

static int
mode_upload(int argc, char **argv)
{
	int		 fd, ffd, status = -1, early = 0;
	const char	*ctype = argc > 6 ? argv[6] : "application/octet-stream";
	char		*h, *buf;
	struct parser	*p;
	struct stat	 st;
	off_t		 off = 0;
	uint64_t	 t0, t1;

	if (argc < 6 || argc > 7)
		die("usage: loadgen upload SOCK METHOD PATH FILE [TYPE]");
	set_addr(argv[2]);
	if ((ffd = open(argv[5], O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(ffd, &st) == -1)
		die("%s: %s", argv[5], strerror(errno));
	if ((buf = malloc(BIG_RBUF)) == NULL ||
	    (p = calloc(1, sizeof(*p))) == NULL)
		die("out of memory");
	parser_reset(p);
	if (asprintf(&h, "%s %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockguard-bench\r\nContent-Type: %s\r\n"
	    "Content-Length: %jd\r\n\r\n", argv[3], argv[4], ctype,
	    (intmax_t)st.st_size) == -1)
		die("out of memory");

	t0 = now_ns();
	if ((fd = connect_sock(0)) == -1)
		die("connect %s: %s", argv[2], strerror(errno));
	if (write_all(fd, h, strlen(h)) == -1)
		die("write: %s", strerror(errno));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (off < st.st_size)
			pfd.events |= POLLOUT;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (pfd.revents & POLLOUT) {
			ssize_t n = sendfile(fd, ffd, &off, st.st_size - off);
			if (n == -1 && errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "loadgen: sendfile: %s after "
				    "%jd bytes\n", strerror(errno),
				    (intmax_t)off);
				break;
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(fd, buf, BIG_RBUF), o = 0, k;

			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n <= 0) {
				if (p->st == P_BODY_EOF)
					status = p->status;
				break;
			}
			while (o < n && p->st != P_DONE) {
				if ((k = parser_feed(p, buf + o, n - o)) < 0)
					die("malformed response");
				o += k;
			}
			if (p->st == P_DONE) {
				status = p->status;
				if (off < st.st_size)
					early = 1;
				break;
			}
		}
	}
	t1 = now_ns();
	close(fd);
	if (early)
		fprintf(stderr, "loadgen: response %d came after %jd of %jd "
		    "body bytes\n", status, (intmax_t)off,
		    (intmax_t)st.st_size);
	print_xfer("upload", argv[4], status, (uint64_t)off, t1 - t0, early);
	return status / 100 == 2 && !early ? 0 : 1;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "http") == 0)
		return mode_http(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "idle") == 0)
		return mode_idle(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "download") == 0)
		return mode_download(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "upload") == 0)
		return mode_upload(argc, argv);
	fprintf(stderr, "usage: loadgen http|idle|download|upload ...\n");
	return 2;
}
