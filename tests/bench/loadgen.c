/*
 * loadgen: a small HTTP/1.1 load generator for unix sockets, for
 * tests/bench/run (wrk and ab cannot talk to a unix socket).
 *
 * SOCK is a unix socket path, or tcp://HOST:PORT, or (in the build with
 * -DLOADGEN_TLS, linked to OpenSSL: build/bench/loadgen-tls, used by
 * tests/bench/tls) tls://HOST:PORT: mutual TLS with the client
 * certificate, key and CA of $DOCKER_CERT_PATH (cert.pem, key.pem,
 * ca.pem, as the docker CLI reads them), TLS 1.2 unless
 * LOADGEN_TLS_MAX=1.3, the server's certificate checked against ca.pem
 * and HOST, OpenSSL's cipher suites unless LOADGEN_TLS_CIPHERS lists
 * others (OpenSSL's names, as in openssl-ciphers(1)).  OpenSSL on the client side costs a fraction of what mbedTLS
 * costs the server, so the server stays the one measured.
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
 *	(Not over TLS.)
 *   loadgen handshake tls://HOST:PORT CONNS WARMUP_S DURATION_S [resume]
 *	CONNS connections at a time, each one TLS handshake and a close
 *	(close_notify), then a new one; no request.  Full handshakes
 *	offer no session ticket; with "resume", one full handshake gets a
 *	ticket and every later one offers it (those the server did not
 *	resume are counted as not_resumed).  hs_per_s counts handshakes
 *	completed in the measured window; latencies run from connect(2)
 *	to the handshake's end; "all" counts every handshake completed,
 *	the first, the warm-up's and those in flight at the end too (for a
 *	server's CPU time per handshake; client_cpu_us_per_hs is the load
 *	generator's own).  TLS 1.2: the server's Finished comes after
 *	it checked the client's certificate, so a handshake the client saw
 *	complete is one the server did all its work for (in TLS 1.3 the
 *	client finishes first).
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
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

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

#ifdef LOADGEN_TLS
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

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

/* A connection: a socket, and its TLS state in the TLS build. */
struct sock {
	int		 fd;
#ifdef LOADGEN_TLS
	SSL		*ssl;
#endif
};

static struct sockaddr_storage	addr;
static socklen_t		addrlen;
static int			use_tls;
static char			host[256];
/* " proto=TLSv1.2 cipher=NAME" of the last connection, for the output */
static char			tls_desc[128];

#ifdef LOADGEN_TLS
static SSL_CTX	*tls_ctx;

/* The first OpenSSL error, for a message. */
static const char *
tls_err(void)
{
	static char	buf[256];
	unsigned long	e = ERR_get_error();

	if (e == 0)
		return "no OpenSSL error (the peer closed?)";
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

/* The client context: $DOCKER_CERT_PATH's certificate, key and CA. */
static void
tls_init(int tickets)
{
	const char	*dir = getenv("DOCKER_CERT_PATH");
	const char	*max = getenv("LOADGEN_TLS_MAX");
	const char	*ciphers = getenv("LOADGEN_TLS_CIPHERS");
	char		 ca[4096], cert[4096], key[4096];

	if (dir == NULL)
		die("tls://: set DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem)");
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	if ((tls_ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		die("SSL_CTX_new: %s", tls_err());
	SSL_CTX_set_min_proto_version(tls_ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(tls_ctx, max != NULL &&
	    strcmp(max, "1.3") == 0 ? TLS1_3_VERSION : TLS1_2_VERSION);
	if (ciphers != NULL && *ciphers != '\0' &&
	    SSL_CTX_set_cipher_list(tls_ctx, ciphers) != 1)
		die("LOADGEN_TLS_CIPHERS %s: %s", ciphers, tls_err());
	if (SSL_CTX_load_verify_locations(tls_ctx, ca, NULL) != 1)
		die("%s: %s", ca, tls_err());
	if (SSL_CTX_use_certificate_chain_file(tls_ctx, cert) != 1)
		die("%s: %s", cert, tls_err());
	if (SSL_CTX_use_PrivateKey_file(tls_ctx, key, SSL_FILETYPE_PEM) != 1)
		die("%s: %s", key, tls_err());
	SSL_CTX_set_verify(tls_ctx, SSL_VERIFY_PEER, NULL);
	if (!tickets)
		SSL_CTX_set_options(tls_ctx, SSL_OP_NO_TICKET);
	/* Fewer read(2)s: a whole socket buffer per call, not a record. */
	SSL_CTX_set_read_ahead(tls_ctx, 1);
	SSL_CTX_set_mode(tls_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

/* A new SSL on s->fd, the server's name or address to be checked. */
static void
tls_attach(struct sock *s)
{
	X509_VERIFY_PARAM	*vp;
	unsigned char		 a[16];

	if ((s->ssl = SSL_new(tls_ctx)) == NULL)
		die("SSL_new: %s", tls_err());
	SSL_set_fd(s->ssl, s->fd);
	vp = SSL_get0_param(s->ssl);
	if (inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(vp, host);
	else {
		X509_VERIFY_PARAM_set1_host(vp, host, 0);
		SSL_set_tlsext_host_name(s->ssl, host);
	}
}
#endif

/* unix path, tcp://HOST:PORT or tls://HOST:PORT (IP addresses). */
static void
set_addr(const char *spec)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)&addr;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&addr;
	const char		*hp, *colon;
	char			*e;
	unsigned long		 port;

	memset(&addr, 0, sizeof(addr));
	if (strncmp(spec, "tcp://", 6) != 0 && strncmp(spec, "tls://", 6) != 0) {
		if (strlen(spec) >= sizeof(sun->sun_path))
			die("socket path too long: %s", spec);
		sun->sun_family = AF_UNIX;
		strcpy(sun->sun_path, spec);
		addrlen = sizeof(*sun);
		return;
	}
	use_tls = spec[2] == 's';
#ifndef LOADGEN_TLS
	if (use_tls)
		die("tls:// needs the OpenSSL build (cc -DLOADGEN_TLS ... -lssl "
		    "-lcrypto)");
#endif
	hp = spec + 6;
	if ((colon = strrchr(hp, ':')) == NULL || (size_t)(colon - hp) >=
	    sizeof(host))
		die("bad address %s (want HOST:PORT)", spec);
	port = strtoul(colon + 1, &e, 10);
	if (*e != '\0' || port == 0 || port > 65535)
		die("bad port in %s", spec);
	memcpy(host, hp, colon - hp);
	host[colon - hp] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host) - 2);
		host[strlen(host) - 2] = '\0';
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		addrlen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		addrlen = sizeof(*sin6);
	} else
		die("%s: HOST must be an IP address", spec);
#ifdef LOADGEN_TLS
	if (use_tls)
		tls_init(0);
#endif
}

/* A socket of the address's family, TCP_NODELAY for TCP. */
static int
new_socket(int nonblock)
{
	struct timeval	tv = { 10, 0 };
	int		fd, one = 1;

	fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd == -1)
		die("socket: %s", strerror(errno));
	/* bounds a blocking connect when the listen backlog is full */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (addr.ss_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/*
 * Connects (blocking), does the TLS handshake if any, then makes the
 * socket non-blocking if asked.  -1 with errno (or a message printed for
 * a failed handshake).
 */
static int
sock_open(struct sock *s, int nonblock)
{
	memset(s, 0, sizeof(*s));
	s->fd = new_socket(0);
	if (connect(s->fd, (struct sockaddr *)&addr, addrlen) == -1) {
		close(s->fd);
		return -1;
	}
#ifdef LOADGEN_TLS
	if (use_tls) {
		tls_attach(s);
		if (SSL_connect(s->ssl) != 1) {
			fprintf(stderr, "loadgen: TLS handshake: %s\n",
			    tls_err());
			SSL_free(s->ssl);
			close(s->fd);
			errno = EPROTO;
			return -1;
		}
		snprintf(tls_desc, sizeof(tls_desc), " proto=%s cipher=%s",
		    SSL_get_version(s->ssl), SSL_get_cipher_name(s->ssl));
	}
#endif
	if (nonblock)
		fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

/* read(2) semantics: -1 with EAGAIN when nothing is there yet. */
static ssize_t
sock_read(struct sock *s, void *buf, size_t len)
{
#ifdef LOADGEN_TLS
	if (s->ssl != NULL) {
		int n = SSL_read(s->ssl, buf, len > INT32_MAX ? INT32_MAX :
		    (int)len);

		if (n > 0)
			return n;
		switch (SSL_get_error(s->ssl, n)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			errno = EAGAIN;
			return -1;
		case SSL_ERROR_ZERO_RETURN:
			return 0;	/* close_notify */
		case SSL_ERROR_SYSCALL:
			if (errno == 0 || errno == EAGAIN)
				return 0;	/* EOF without close_notify */
			return -1;
		default:
			fprintf(stderr, "loadgen: TLS read: %s\n", tls_err());
			errno = EPROTO;
			return -1;
		}
	}
#endif
	return read(s->fd, buf, len);
}

/* write(2) semantics, as sock_read(). */
static ssize_t
sock_write(struct sock *s, const void *buf, size_t len)
{
#ifdef LOADGEN_TLS
	if (s->ssl != NULL) {
		int n = SSL_write(s->ssl, buf, len > INT32_MAX ? INT32_MAX :
		    (int)len);

		if (n > 0)
			return n;
		switch (SSL_get_error(s->ssl, n)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			errno = EAGAIN;
			return -1;
		case SSL_ERROR_SYSCALL:
			return -1;
		default:
			errno = EPROTO;
			return -1;
		}
	}
#endif
	return write(s->fd, buf, len);
}

/* Closes, with a close_notify first on TLS (not waiting for the peer's). */
static void
sock_close(struct sock *s)
{
#ifdef LOADGEN_TLS
	if (s->ssl != NULL) {
		(void)SSL_shutdown(s->ssl);
		SSL_free(s->ssl);
		s->ssl = NULL;
	}
#endif
	close(s->fd);
	s->fd = -1;
}

static int
write_all(struct sock *s, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = sock_write(s, buf, len);
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
	struct sock	 s;
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

	if (sock_open(&c->s, 1) == -1)
		return -1;
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->s.fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	return 0;
}

static void
conn_send(struct conn *c)
{
	ssize_t n;

	while (c->woff < reqlen) {
		n = sock_write(&c->s, req + c->woff, reqlen - c->woff);
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

					r = sock_read(&c->s, rbuf, sizeof(rbuf));
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
				epoll_ctl(ep, EPOLL_CTL_DEL, c->s.fd, NULL);
				sock_close(&c->s);
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
	    PRIu64 " reconnects=%" PRIu64 " body_bytes_per_req=%.0f%s\n",
	    nconn, path, dur, done_win, (double)done_win / dur, pct(0.50),
	    pct(0.90), pct(0.99),
	    nlat ? (double)lat[nlat - 1] / 1000.0 : 0.0, errors, non2xx,
	    connerr, reconnects,
	    nlat ? (double)bodybytes / (double)nlat : 0.0, tls_desc);
	return errors ? 1 : 0;
}

/* ---- idle mode ---------------------------------------------------------- */

static volatile sig_atomic_t	stop;

static void
on_signal(int sig)
{
	stop = 1;
}

/* One blocking request/response on s; returns the status or -1. */
static int
one_request(struct sock *s, const char *r, size_t rlen, struct parser *p,
    char *buf, size_t bufsz)
{
	ssize_t n, off, k;

	parser_reset(p);
	if (write_all(s, r, rlen) == -1)
		return -1;
	for (;;) {
		n = sock_read(s, buf, bufsz);
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
	int		 n, i, bad = 0;
	struct sock	*socks;
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
	if ((socks = calloc(n + 1, sizeof(*socks))) == NULL ||
	    (p = malloc(sizeof(*p))) == NULL)
		die("out of memory");
	memset(p, 0, sizeof(*p));
	if (path && asprintf(&r, "GET %s HTTP/1.1\r\nHost: docker\r\n"
	    "User-Agent: sockguard-bench\r\n\r\n", path) == -1)
		die("out of memory");
	for (i = 0; i < n; i++) {
		if (sock_open(&socks[i], 0) == -1)
			die("connect #%d to %s: %s", i, argv[2],
			    strerror(errno));
		if (r && one_request(&socks[i], r, strlen(r), p, buf,
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
		struct pollfd pfd = { socks[i].fd, POLLIN | POLLRDHUP, 0 };
		if (poll(&pfd, 1, 0) == 1)
			bad++;
		sock_close(&socks[i]);
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
	    "mbps=%.1f errors=%d early_response=%d%s\n", mode, path, status,
	    bytes, s, s > 0 ? (double)bytes / s / 1e6 : 0.0,
	    status / 100 != 2, early, tls_desc);
}

static int
mode_download(int argc, char **argv)
{
	int		 status;
	struct sock	 s;
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
	if (sock_open(&s, 0) == -1)
		die("connect %s: %s", argv[2], strerror(errno));
	status = one_request(&s, r, strlen(r), p, buf, BIG_RBUF);
	t1 = now_ns();
	sock_close(&s);
	print_xfer("download", argv[3], status, p->body, t1 - t0, 0);
	return status / 100 == 2 ? 0 : 1;
}

static int
mode_upload(int argc, char **argv)
{
	int		 fd, ffd, status = -1, early = 0;
	struct sock	 s;
	const char	*ctype = argc > 6 ? argv[6] : "application/octet-stream";
	char		*h, *buf;
	struct parser	*p;
	struct stat	 st;
	off_t		 off = 0;
	uint64_t	 t0, t1;

	if (argc < 6 || argc > 7)
		die("usage: loadgen upload SOCK METHOD PATH FILE [TYPE]");
	set_addr(argv[2]);
	if (use_tls)
		die("upload: not over TLS");
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
	if (sock_open(&s, 0) == -1)
		die("connect %s: %s", argv[2], strerror(errno));
	fd = s.fd;
	if (write_all(&s, h, strlen(h)) == -1)
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

/* ---- handshake mode ------------------------------------------------------ */

#ifdef LOADGEN_TLS
struct hs {
	struct sock	 s;
	uint64_t	 t0;		/* connect(2) */
};

/* A new connection in the slot: non-blocking connect, then the handshake. */
static void
hs_start(int ep, struct hs *h, SSL_SESSION *sess)
{
	struct epoll_event ev;

	h->s.fd = new_socket(1);
	h->t0 = now_ns();
	if (connect(h->s.fd, (struct sockaddr *)&addr, addrlen) == -1 &&
	    errno != EINPROGRESS)
		die("connect: %s", strerror(errno));
	tls_attach(&h->s);
	if (sess != NULL)
		SSL_set_session(h->s.ssl, sess);
	ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
	ev.data.ptr = h;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, h->s.fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
}

static void
hs_end(int ep, struct hs *h)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, h->s.fd, NULL);
	sock_close(&h->s);
}

/* One full handshake, for its session (and ticket) and its description. */
static SSL_SESSION *
hs_first(int want_ticket, char *desc, size_t desclen)
{
	struct sock	 s;
	SSL_SESSION	*sess;

	if (sock_open(&s, 0) == -1)
		die("first handshake: %s", strerror(errno));
	snprintf(desc, desclen, "proto=%s cipher=%s",
	    SSL_get_version(s.ssl), SSL_get_cipher_name(s.ssl));
	sess = SSL_get1_session(s.ssl);
	if (want_ticket && (sess == NULL || !SSL_SESSION_has_ticket(sess)))
		die("the server sent no session ticket");
	sock_close(&s);
	return sess;
}

static int
mode_handshake(int argc, char **argv)
{
	int		 nconn, ep, i, n, resume;
	double		 warm, dur;
	struct hs	*hs;
	struct epoll_event evs[256];
	uint64_t	 tm, te, t, done = 0, errors = 0, not_resumed = 0;
	uint64_t	 all = 1;	/* completed, warm-up and drain too */
	SSL_SESSION	*sess;
	char		 desc[128], first_err[256] = "";
	struct rusage	 ru;

	if (argc < 6 || argc > 7)
		die("usage: loadgen handshake tls://HOST:PORT CONNS WARMUP_S "
		    "DURATION_S [resume]");
	resume = argc == 7 && strcmp(argv[6], "resume") == 0;
	if (argc == 7 && !resume)
		die("the last argument may only be \"resume\"");
	set_addr(argv[2]);
	if (!use_tls)
		die("handshake: the address must be tls://");
	if (resume) {
		SSL_CTX_free(tls_ctx);
		tls_init(1);
	}
	nconn = atoi(argv[3]);
	warm = atof(argv[4]);
	dur = atof(argv[5]);
	if (nconn < 1 || dur <= 0)
		die("bad arguments");
	sess = hs_first(resume, desc, sizeof(desc));
	if (!resume) {
		SSL_SESSION_free(sess);
		sess = NULL;
	}
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	if ((hs = calloc(nconn, sizeof(*hs))) == NULL)
		die("out of memory");
	tm = now_ns() + (uint64_t)(warm * 1e9);
	te = tm + (uint64_t)(dur * 1e9);
	for (i = 0; i < nconn; i++)
		hs_start(ep, &hs[i], sess);
	while ((t = now_ns()) < te) {
		n = epoll_wait(ep, evs, 256, (int)((te - t) / 1000000) + 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			die("epoll_wait: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			struct hs	*h = evs[i].data.ptr;
			int		 r, e;

			r = SSL_connect(h->s.ssl);
			if (r != 1) {
				e = SSL_get_error(h->s.ssl, r);
				if (e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE)
					continue;
				if (first_err[0] == '\0')
					snprintf(first_err, sizeof(first_err),
					    "%s", e == SSL_ERROR_SYSCALL ?
					    strerror(errno) : tls_err());
				ERR_clear_error();
				if (h->t0 >= tm)
					errors++;
				hs_end(ep, h);
				hs_start(ep, h, sess);
				continue;
			}
			t = now_ns();
			all++;
			if (t >= tm && t <= te) {
				done++;
				if (h->t0 >= tm)
					lat_add(t - h->t0);
				if (resume && !SSL_session_reused(h->s.ssl))
					not_resumed++;
			}
			hs_end(ep, h);
			hs_start(ep, h, sess);
		}
	}
	/*
	 * Handshakes in flight finish (uncounted) rather than being cut off,
	 * so the server logs no failures the load generator caused.
	 */
	for (i = 0; i < nconn; i++) {
		uint64_t	 end = now_ns() + 5000000000ULL;
		struct pollfd	 pfd = { hs[i].s.fd, 0, 0 };
		int		 r, e;

		while ((r = SSL_connect(hs[i].s.ssl)) != 1) {
			e = SSL_get_error(hs[i].s.ssl, r);
			if ((e != SSL_ERROR_WANT_READ &&
			    e != SSL_ERROR_WANT_WRITE) || now_ns() > end)
				break;
			pfd.events = e == SSL_ERROR_WANT_READ ? POLLIN :
			    POLLOUT;
			(void)poll(&pfd, 1, 100);
		}
		if (r == 1)
			all++;
		ERR_clear_error();
		hs_end(ep, &hs[i]);
	}
	if (first_err[0] != '\0')
		fprintf(stderr, "loadgen: first failed handshake: %s\n",
		    first_err);
	getrusage(RUSAGE_SELF, &ru);
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("mode=handshake kind=%s conns=%d duration_s=%.2f %s "
	    "handshakes=%" PRIu64 " hs_per_s=%.0f p50_us=%.1f p99_us=%.1f "
	    "errors=%" PRIu64 " not_resumed=%" PRIu64 " all=%" PRIu64
	    " client_cpu_us_per_hs=%.0f\n",
	    resume ? "resumed" : "full", nconn, dur, desc, done,
	    (double)done / dur, pct(0.50), pct(0.99), errors, not_resumed, all,
	    ((double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec) * 1e6 /
	    (double)all + ((double)ru.ru_utime.tv_usec +
	    (double)ru.ru_stime.tv_usec) / (double)all);
	return errors || not_resumed ? 1 : 0;
}
#endif

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
#ifdef LOADGEN_TLS
	if (argc >= 2 && strcmp(argv[1], "handshake") == 0)
		return mode_handshake(argc, argv);
	fprintf(stderr, "usage: loadgen http|idle|download|upload|handshake "
	    "...\n");
#else
	fprintf(stderr, "usage: loadgen http|idle|download|upload ...\n");
#endif
	return 2;
}
