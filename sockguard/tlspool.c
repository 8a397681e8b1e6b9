/*
 * Handshake threads.  A full mutual-TLS handshake costs mbedTLS a few
 * milliseconds of CPU (ECDHE, a signature, a certificate check): done on
 * the proxy's loop it would stall every established stream meanwhile.
 * Each thread runs an event loop of its own and drives its handshakes
 * non-blocking, each under a deadline; the proxy's loop only hands
 * sockets over and takes finished connections back.
 *
 * Hand-over: a mutex-guarded queue per direction, and an eventfd that
 * wakes the other side.  A connection is touched by one thread at a
 * time: the pool thread from submission until it is queued back.
 */
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <mbedtls/net_sockets.h>

#include "log.h"
#include "tlsint.h"
#include "xmalloc.h"

TAILQ_HEAD(tls_connq, tls_conn);

struct tls_worker {
	struct tls_pool		*pool;
	unsigned		 slot;
	pthread_t		 thread;
	int			 started;
	struct event_base	*base;
	int			 efd;
	struct event		*ev_wake;
	pthread_mutex_t		 mu;
	struct tls_connq	 in;	/* submitted, guarded by mu */
	int			 stop;	/* guarded by mu */
	struct tls_connq	 busy;	/* handshaking, worker only */
};

struct tls_pool {
	struct event_base	*base;
	unsigned		 n, next;
	struct tls_worker	*w;
	tls_done_fn		 done;
	void			*arg;
	int			 efd;
	struct event		*ev_done;
	pthread_mutex_t		 mu;
	struct tls_connq	 out;	/* finished, guarded by mu */
};

static void	hs_step(struct tls_conn *, struct tls_worker *);

/* Hands c to the thread that reads q, and wakes it. */
static void
connq_push(pthread_mutex_t *mu, struct tls_connq *q, struct tls_conn *c,
    int efd)
{
	pthread_mutex_lock(mu);
	TAILQ_INSERT_TAIL(q, c, entry);
	pthread_mutex_unlock(mu);
	(void)eventfd_write(efd, 1);
}

/* Hands a finished handshake back to the proxy's loop. */
static void
hs_finish(struct tls_conn *c, struct tls_worker *w)
{
	struct tls_pool	*pool = w->pool;

	if (c->ev != NULL) {
		event_free(c->ev);
		c->ev = NULL;
	}
	TAILQ_REMOVE(&w->busy, c, entry);
	connq_push(&pool->mu, &pool->out, c, pool->efd);
}

/*
 * Reads (up to 64 KiB of) what the client sent and nobody will read: a
 * socket closed with unread bytes sends a reset, which can destroy the
 * alert or answer saying why the client was refused before it reads it.
 */
static void
hs_drain(struct tls_conn *c)
{
	char	junk[4096];
	size_t	got = 0;
	ssize_t	r;

	while (got < 64 * 1024 &&
	    (r = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT)) > 0)
		got += (size_t)r;
}

static void
hs_fail(struct tls_conn *c, struct tls_worker *w, const char *fmt, int ret)
{
	char	why[200];

	hs_drain(c);
	if (fmt == NULL)
		tls_describe_error(&c->ssl, ret, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", fmt);
#if defined(MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE)
	/*
	 * mbedTLS refuses a client without a certificate without an alert,
	 * so the client would see a bare reset; RFC 5246 7.4.6 says
	 * handshake_failure.  (Go's client sends none when no certificate
	 * it has is from a CA the server names: the wrong CA looks so.)
	 */
	if (fmt == NULL && ret == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE)
		(void)mbedtls_ssl_send_alert_message(&c->ssl,
		    MBEDTLS_SSL_ALERT_LEVEL_FATAL,
		    MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
#endif
	snprintf(c->err, sizeof(c->err), "%s", why);
	c->ok = 0;
	hs_finish(c, w);
}

/* The verified peer, checked once more (a resumed session skips it). */
static void
hs_done(struct tls_conn *c, struct tls_worker *w)
{
	const mbedtls_x509_crt	*crt = mbedtls_ssl_get_peer_cert(&c->ssl);

	if (crt == NULL) {
		hs_fail(c, w, "no verified client certificate", 0);
		return;
	}
	if (mbedtls_x509_time_is_past(&crt->valid_to)) {
		hs_fail(c, w, "client certificate rejected: expired since the "
		    "session was resumed", 0);
		return;
	}
	if ((c->peer = tls_peer_from_crt(crt)) == NULL) {
		hs_fail(c, w, "client certificate rejected: its subject holds "
		    "control characters", 0);
		return;
	}
	snprintf(c->desc, sizeof(c->desc), "%s %s",
	    mbedtls_ssl_get_version(&c->ssl),
	    mbedtls_ssl_get_ciphersuite(&c->ssl));
	c->ok = 1;
	hs_finish(c, w);
}

static void
hs_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tls_conn	*c = arg;

	if (what & EV_TIMEOUT) {
		hs_fail(c, c->ctx_worker, "the handshake did not finish within "
		    "limits.handshake_timeout", 0);
		return;
	}
	hs_step(c, c->ctx_worker);
}

/* Waits for the socket, with what is left of the deadline. */
static void
hs_wait(struct tls_conn *c, struct tls_worker *w, short what)
{
	uint64_t	now = tls_now_ms();
	uint64_t	left = c->deadline_ms > now ? c->deadline_ms - now : 0;
	struct timeval	tv = { (time_t)(left / 1000),
			    (suseconds_t)(left % 1000) * 1000 };

	if (c->ev != NULL)
		event_free(c->ev);
	c->ev = event_new(w->base, c->fd, what, hs_event_cb, c);
	if (c->ev == NULL || event_add(c->ev, &tv) == -1) {
		hs_fail(c, w, "out of memory", 0);
		return;
	}
}

/*
 * Plain HTTP on the TLS port (a client without DOCKER_TLS_VERIFY, curl
 * http://): answer in plain HTTP, as dockerd does, instead of dropping
 * the connection without a word.  What arrived of the request is read
 * first (see hs_drain()).
 */
static void
hs_plain_http(struct tls_conn *c)
{
	static const char body[] = "{\"message\":\"sockguard: this port "
	    "speaks TLS and requires a client certificate "
	    "(DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH)\"}\n";
	char		msg[512];
	int		n;

	hs_drain(c);
	n = snprintf(msg, sizeof(msg), "HTTP/1.1 400 Bad Request\r\n"
	    "Content-Type: application/json\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n\r\n%s", sizeof(body) - 1, body);
	(void)!send(c->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/*
 * The client's first byte, without taking it: 1 when it is there (in
 * *b), 0 at EOF or on an error (the handshake then says which), -1 while
 * it has not arrived.
 */
static int
hs_peek(struct tls_conn *c, unsigned char *b)
{
	ssize_t	n;

	n = recv(c->fd, b, 1, MSG_PEEK);
	if (n == 1)
		return 1;
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return -1;
	return 0;
}

static void
hs_step(struct tls_conn *c, struct tls_worker *w)
{
	unsigned char	b;
	int		r;

	/*
	 * Plain HTTP or TLS is told by the first byte, so wait for it: a
	 * request can follow the connect by a round trip or more.
	 */
	if (!c->started) {
		if ((r = hs_peek(c, &b)) == -1) {
			hs_wait(c, w, EV_READ);
			return;
		}
		c->started = 1;
		if (r == 1 && b >= 'A' && b <= 'Z') {
			hs_plain_http(c);
			hs_fail(c, w, "the client spoke plain HTTP to the "
			    "TLS port (answered 400)", 0);
			return;
		}
	}
	r = mbedtls_ssl_handshake(&c->ssl);
	if (r == 0)
		hs_done(c, w);
	else if (r == MBEDTLS_ERR_SSL_WANT_READ)
		hs_wait(c, w, EV_READ);
	else if (r == MBEDTLS_ERR_SSL_WANT_WRITE)
		hs_wait(c, w, EV_WRITE);
	else
		hs_fail(c, w, NULL, r);
}

/* Socket I/O for the handshake. */
static int
hs_send(void *arg, const unsigned char *buf, size_t len)
{
	struct tls_conn	*c = arg;
	ssize_t		 n;

	n = send(c->fd, buf, len, MSG_NOSIGNAL);
	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int
hs_recv(void *arg, unsigned char *buf, size_t len)
{
	struct tls_conn	*c = arg;
	ssize_t		 n;

	n = recv(c->fd, buf, len, 0);
	if (n > 0)
		return (int)n;
	if (n == 0)
		return MBEDTLS_ERR_SSL_CONN_EOF;
	if (errno == EAGAIN || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_READ;
	return MBEDTLS_ERR_NET_RECV_FAILED;
}

/* Starts the handshakes the proxy handed over. */
static void
worker_wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tls_worker	*w = arg;
	struct tls_connq	 q = TAILQ_HEAD_INITIALIZER(q);
	struct tls_conn		*c;
	eventfd_t		 v;
	int			 stop, r;

	(void)eventfd_read(w->efd, &v);
	pthread_mutex_lock(&w->mu);
	TAILQ_CONCAT(&q, &w->in, entry);
	stop = w->stop;
	pthread_mutex_unlock(&w->mu);
	while ((c = TAILQ_FIRST(&q)) != NULL) {
		TAILQ_REMOVE(&q, c, entry);
		TAILQ_INSERT_TAIL(&w->busy, c, entry);
		c->ctx_worker = w;
		if ((r = tls_conn_setup(c, w->slot)) != 0) {
			hs_fail(c, w, NULL, r);
			continue;
		}
		mbedtls_ssl_set_bio(&c->ssl, c, hs_send, hs_recv, NULL);
		hs_step(c, w);
	}
	if (stop)
		event_base_loopbreak(w->base);
}

static void *
worker_main(void *arg)
{
	struct tls_worker	*w = arg;
	sigset_t		 all;

	/* Signals are the proxy loop's business; SIGSYS stays deliverable,
	 * or a call outside the seccomp filter would kill the process. */
	sigfillset(&all);
	sigdelset(&all, SIGSYS);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/* Takes finished connections and gives them to the done callback. */
static void
pool_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tls_pool		*pool = arg;
	struct tls_connq	 q = TAILQ_HEAD_INITIALIZER(q);
	struct tls_conn		*c;
	eventfd_t		 v;

	(void)eventfd_read(pool->efd, &v);
	pthread_mutex_lock(&pool->mu);
	TAILQ_CONCAT(&q, &pool->out, entry);
	pthread_mutex_unlock(&pool->mu);
	while ((c = TAILQ_FIRST(&q)) != NULL) {
		TAILQ_REMOVE(&q, c, entry);
		pool->done(c, pool->arg);
	}
}

static int
worker_init(struct tls_pool *pool, struct tls_worker *w, unsigned slot)
{
	w->pool = pool;
	w->slot = slot;
	pthread_mutex_init(&w->mu, NULL);
	TAILQ_INIT(&w->in);
	TAILQ_INIT(&w->busy);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd == -1 || (w->base = event_base_new()) == NULL)
		return -1;
	w->ev_wake = event_new(w->base, w->efd, EV_READ | EV_PERSIST,
	    worker_wake_cb, w);
	if (w->ev_wake == NULL || event_add(w->ev_wake, NULL) == -1)
		return -1;
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return -1;
	w->started = 1;
	return 0;
}

struct tls_pool *
tls_pool_new(struct event_base *base, unsigned nthreads, tls_done_fn done,
    void *arg, char *err, size_t errlen)
{
	struct tls_pool	*pool;
	unsigned	 i;

	pool = xcalloc(1, sizeof(*pool));
	pool->base = base;
	pool->done = done;
	pool->arg = arg;
	pool->n = nthreads > 0 ? nthreads : 1;
	pthread_mutex_init(&pool->mu, NULL);
	TAILQ_INIT(&pool->out);
	pool->w = xcalloc(pool->n, sizeof(*pool->w));
	for (i = 0; i < pool->n; i++)
		pool->w[i].efd = -1;
	pool->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pool->efd == -1)
		goto fail;
	pool->ev_done = event_new(base, pool->efd, EV_READ | EV_PERSIST,
	    pool_done_cb, pool);
	if (pool->ev_done == NULL || event_add(pool->ev_done, NULL) == -1)
		goto fail;
	for (i = 0; i < pool->n; i++)
		if (worker_init(pool, &pool->w[i], i) == -1)
			goto fail;
	return pool;
fail:
	snprintf(err, errlen, "cannot start the TLS handshake threads: %s",
	    strerror(errno));
	tls_pool_free(pool);
	return NULL;
}

unsigned
tls_pool_threads(const struct tls_pool *pool)
{
	return pool->n;
}

void
tls_pool_submit(struct tls_pool *pool, struct tls_server *srv, int fd,
    const struct sockaddr *sa, socklen_t salen, unsigned timeout_ms,
    void *ctx)
{
	struct tls_worker	*w = &pool->w[pool->next++ % pool->n];
	struct tls_conn		*c;
	char			 host[INET6_ADDRSTRLEN];
	const struct sockaddr_in  *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->ctx = ctx;
	c->srv = srv;
	tls_server_ref(srv);
	c->timeout_ms = timeout_ms;
	c->deadline_ms = tls_now_ms() + timeout_ms;
	if (sa->sa_family == AF_INET6 && salen >= (socklen_t)sizeof(*sin6) &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host)))
		snprintf(c->remote, sizeof(c->remote), "[%s]:%u", host,
		    ntohs(sin6->sin6_port));
	else if (sa->sa_family == AF_INET &&
	    salen >= (socklen_t)sizeof(*sin) &&
	    inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host)))
		snprintf(c->remote, sizeof(c->remote), "%s:%u", host,
		    ntohs(sin->sin_port));
	else
		snprintf(c->remote, sizeof(c->remote), "?");
	connq_push(&w->mu, &w->in, c, w->efd);
}

/* Stops one thread and frees what it still held. */
static void
worker_stop(struct tls_worker *w)
{
	struct tls_conn	*c;

	if (w->started) {
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_mutex_unlock(&w->mu);
		(void)eventfd_write(w->efd, 1);
		pthread_join(w->thread, NULL);
	}
	TAILQ_CONCAT(&w->busy, &w->in, entry);
	while ((c = TAILQ_FIRST(&w->busy)) != NULL) {
		TAILQ_REMOVE(&w->busy, c, entry);
		tls_conn_free(c);
	}
	if (w->ev_wake != NULL)
		event_free(w->ev_wake);
	if (w->base != NULL)
		event_base_free(w->base);
	if (w->efd != -1)
		close(w->efd);
	pthread_mutex_destroy(&w->mu);
}

void
tls_pool_free(struct tls_pool *pool)
{
	struct tls_conn	*c;
	unsigned	 i;

	if (pool == NULL)
		return;
	for (i = 0; i < pool->n; i++)
		worker_stop(&pool->w[i]);
	while ((c = TAILQ_FIRST(&pool->out)) != NULL) {
		TAILQ_REMOVE(&pool->out, c, entry);
		tls_conn_free(c);
	}
	if (pool->ev_done != NULL)
		event_free(pool->ev_done);
	if (pool->efd != -1)
		close(pool->efd);
	pthread_mutex_destroy(&pool->mu);
	free(pool->w);
	free(pool);
}
