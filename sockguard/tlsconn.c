/*
 * A TLS connection after its handshake: a libevent filter bufferevent
 * whose input holds decrypted bytes and whose output is encrypted into
 * records on a socket bufferevent underneath.  The proxy uses it like a
 * socket bufferevent.
 *
 * Flow control: the socket side reads at most TLS_UNDER_READ_HIGH bytes
 * of records ahead and holds at most TLS_UNDER_WRITE_HIGH of records to
 * write; the plain side keeps the watermarks the proxy sets.  libevent's
 * filter only decrypts when new records arrive, so records left waiting
 * while the proxy did not read are decrypted again when it drains the
 * input or resumes reading (tls_conn_kick).
 *
 * Errors: a bad record, or a close_notify, is reported to the proxy as
 * an error or EOF event; after close_notify nothing more is read.
 */
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "tlsint.h"

#define TLS_UNDER_READ_HIGH	(64 * 1024)
#define TLS_UNDER_WRITE_HIGH	(256 * 1024)
#define TLS_RECORD_MAX		16384
#define TLS_LINGER_SEC		5

int
tls_conn_ok(const struct tls_conn *c)
{
	return c->ok;
}

const char *
tls_conn_error(const struct tls_conn *c)
{
	return c->err;
}

const char *
tls_conn_remote(const struct tls_conn *c)
{
	return c->remote;
}

void *
tls_conn_ctx(const struct tls_conn *c)
{
	return c->ctx;
}

const char *
tls_conn_describe(const struct tls_conn *c)
{
	return c->desc;
}

struct tls_peer *
tls_conn_take_peer(struct tls_conn *c)
{
	struct tls_peer	*p = c->peer;

	c->peer = NULL;
	return p;
}

/* Frees what the connection owns but its socket. */
static void
tls_conn_destroy(void *arg)
{
	struct tls_conn	*c = arg;

	if (c->ev != NULL)
		event_free(c->ev);
	if (c->ssl_init)
		mbedtls_ssl_free(&c->ssl);
	tls_peer_free(c->peer);
	tls_server_unref(c->srv);
	free(c);
}

void
tls_conn_free(struct tls_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	tls_conn_destroy(c);
}

/* Records out: onto the socket bufferevent's output. */
static int
bev_send(void *arg, const unsigned char *buf, size_t len)
{
	struct tls_conn	*c = arg;

	if (evbuffer_add(bufferevent_get_output(c->under), buf, len) == -1)
		return MBEDTLS_ERR_SSL_ALLOC_FAILED;
	return (int)len;
}

/* Records in: from the socket bufferevent's input. */
static int
bev_recv(void *arg, unsigned char *buf, size_t len)
{
	struct tls_conn	*c = arg;
	int		 n;

	n = evbuffer_remove(bufferevent_get_input(c->under), buf, len);
	return n > 0 ? n : MBEDTLS_ERR_SSL_WANT_READ;
}

/* Tells the proxy, from the event loop, that the stream ended. */
static void
tls_report(struct tls_conn *c, short what)
{
	bufferevent_trigger_event(c->bev, what, BEV_TRIG_DEFER_CALLBACKS);
}

static void
tls_fatal(struct tls_conn *c, int ret, const char *dir)
{
	char	why[200];

	if (c->fatal)
		return;
	c->fatal = 1;
	tls_describe_error(&c->ssl, ret, why, sizeof(why));
	log_info("tls %s: %s error: %s", c->remote, dir, why);
	tls_report(c, BEV_EVENT_ERROR | (dir[0] == 'r' ? BEV_EVENT_READING :
	    BEV_EVENT_WRITING));
}

/*
 * Records -> plain bytes.  At lim it still empties the record in hand,
 * so that no decrypted byte waits inside mbedTLS unseen by libevent.
 */
static enum bufferevent_filter_result
tls_filter_in(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct tls_conn		*c = arg;
	struct evbuffer_iovec	 v;
	size_t			 got = 0;
	int			 r;

	if (c->fatal || c->peer_notified) {
		evbuffer_drain(src, evbuffer_get_length(src));
		return BEV_NEED_MORE;
	}
	for (;;) {
		if (lim >= 0 && got >= (size_t)lim &&
		    mbedtls_ssl_get_bytes_avail(&c->ssl) == 0)
			break;
		if (evbuffer_reserve_space(dst, TLS_RECORD_MAX, &v, 1) < 1) {
			tls_fatal(c, MBEDTLS_ERR_SSL_ALLOC_FAILED, "read");
			break;
		}
		r = mbedtls_ssl_read(&c->ssl, v.iov_base, v.iov_len);
		if (r > 0) {
			v.iov_len = (size_t)r;
			evbuffer_commit_space(dst, &v, 1);
			got += (size_t)r;
			continue;
		}
		evbuffer_commit_space(dst, &v, 0);
		if (r == MBEDTLS_ERR_SSL_WANT_READ ||
		    r == MBEDTLS_ERR_SSL_WANT_WRITE)
			break;
		if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == 0) {
			c->peer_notified = 1;
			tls_report(c, BEV_EVENT_EOF | BEV_EVENT_READING);
			break;
		}
		tls_fatal(c, r, "read");
		break;
	}
	return got > 0 ? BEV_OK : BEV_NEED_MORE;
}

/* Plain bytes -> records of up to 16 KiB. */
static enum bufferevent_filter_result
tls_filter_out(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
    enum bufferevent_flush_mode mode, void *arg)
{
	struct tls_conn	*c = arg;
	size_t		 before = evbuffer_get_length(dst), n;
	unsigned char	*p;
	int		 r;

	if (c->fatal || c->notified) {
		/* Nothing may follow a close_notify. */
		evbuffer_drain(src, evbuffer_get_length(src));
		return c->fatal ? BEV_ERROR : BEV_OK;
	}
	while ((n = evbuffer_get_length(src)) > 0) {
		if (lim >= 0 && evbuffer_get_length(dst) - before >=
		    (size_t)lim)
			break;
		if (n > TLS_RECORD_MAX)
			n = TLS_RECORD_MAX;
		if ((p = evbuffer_pullup(src, (ev_ssize_t)n)) == NULL) {
			tls_fatal(c, MBEDTLS_ERR_SSL_ALLOC_FAILED, "write");
			return BEV_ERROR;
		}
		r = mbedtls_ssl_write(&c->ssl, p, n);
		if (r > 0) {
			evbuffer_drain(src, (size_t)r);
			continue;
		}
		if (r == MBEDTLS_ERR_SSL_WANT_WRITE ||
		    r == MBEDTLS_ERR_SSL_WANT_READ)
			break;
		tls_fatal(c, r, "write");
		return BEV_ERROR;
	}
	return BEV_OK;
}

void
tls_conn_kick(struct tls_conn *c)
{
	size_t	high = 0;

	if (c->bev == NULL || c->fatal || c->peer_notified ||
	    evbuffer_get_length(bufferevent_get_input(c->under)) == 0 ||
	    !(bufferevent_get_enabled(c->bev) & EV_READ))
		return;
	bufferevent_getwatermark(c->bev, EV_READ, NULL, &high);
	if (high > 0 && evbuffer_get_length(bufferevent_get_input(c->bev)) >=
	    high)
		return;
	bufferevent_trigger(c->under, EV_READ, BEV_TRIG_IGNORE_WATERMARKS |
	    BEV_TRIG_DEFER_CALLBACKS);
}

void
tls_conn_flush(struct tls_conn *c)
{
	struct evbuffer	*out = bufferevent_get_output(c->under);
	int		 n, i;

	if (!c->direct)
		return;
	if (bufferevent_get_enabled(c->under) & EV_WRITE) {
		/* A write event is on what a direct write left; once that is
		 * out (and whatever the filter added meanwhile), back to
		 * direct writes.  Never disabled from inside libevent's own
		 * write path, which may still be adding records. */
		if (evbuffer_get_length(out) == 0)
			bufferevent_disable(c->under, EV_WRITE);
		return;
	}
	for (i = 0; i < 8 && evbuffer_get_length(out) > 0; i++) {
		/* As the proxy's bev_flush(): a socket bufferevent keeps
		 * its output's front frozen between its own writes. */
		evbuffer_unfreeze(out, 1);
		n = evbuffer_write(out, bufferevent_getfd(c->under));
		evbuffer_freeze(out, 1);
		if (n == -1 || evbuffer_get_length(out) > 0)
			break;	/* errors are libevent's to report */
		/* The filter stops at the records' high mark: on. */
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
			return;
		bufferevent_flush(c->bev, EV_WRITE, BEV_NORMAL);
	}
	if (evbuffer_get_length(out) > 0)
		bufferevent_enable(c->under, EV_WRITE);
}

/* The proxy took plain bytes: records may be waiting. */
static void
tls_in_drained_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	if (info->n_deleted > 0)
		tls_conn_kick(arg);
}

struct bufferevent *
tls_conn_bufferevent(struct tls_conn *c, struct event_base *base)
{
	c->under = bufferevent_socket_new(base, c->fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->under == NULL)
		return NULL;
	c->fd = -1;			/* the socket bufferevent's now */
	bufferevent_setwatermark(c->under, EV_READ, 0, TLS_UNDER_READ_HIGH);
	bufferevent_setwatermark(c->under, EV_WRITE, 0, TLS_UNDER_WRITE_HIGH);
	/*
	 * Deferred callbacks: libevent's filter runs the user's callbacks
	 * from inside the user's own buffer calls otherwise.  Draining the
	 * input below its high watermark decrypts more at once and calls
	 * the read callback right there, in the middle of the proxy moving
	 * a chunk (the same body bytes were then moved twice); queueing
	 * output calls the write callback the same way.  A socket
	 * bufferevent never does either.
	 */
	c->bev = bufferevent_filter_new(c->under, tls_filter_in,
	    tls_filter_out, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS,
	    tls_conn_destroy, c);
	if (c->bev == NULL) {
		bufferevent_free(c->under);
		c->under = NULL;
		return NULL;
	}
	mbedtls_ssl_set_bio(&c->ssl, c, bev_send, bev_recv, NULL);
	evbuffer_add_cb(bufferevent_get_input(c->bev), tls_in_drained_cb, c);
	/* Output is encrypted as soon as it is queued... */
	bufferevent_enable(c->bev, EV_WRITE);
	/* ...and written by tls_conn_flush(), not on a write event. */
	bufferevent_disable(c->under, EV_WRITE);
	c->direct = 1;
	return c->bev;
}

void
tls_conn_shutdown(struct tls_conn *c)
{
	if (c->notified || c->fatal || c->shutting)
		return;
	/* Guard against re-entry should a flush ever run the proxy's write
	 * callback synchronously (callbacks are deferred today). */
	c->shutting = 1;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
		bufferevent_flush(c->bev, EV_WRITE, BEV_FLUSH);
	(void)mbedtls_ssl_close_notify(&c->ssl);
	c->notified = 1;
}

/* Lingering: the last records are out (or never will be). */
static void
tls_linger_end(struct bufferevent *under, void *arg)
{
	struct tls_conn	*c = arg;

	if (evbuffer_get_length(bufferevent_get_output(under)) > 0)
		return;
	bufferevent_free(c->bev);	/* frees c and the socket */
}

static void
tls_linger_event(struct bufferevent *under, short what, void *arg)
{
	struct tls_conn	*c = arg;

	bufferevent_free(c->bev);
}

void
tls_conn_close(struct tls_conn *c, int graceful)
{
	struct bufferevent	*under = c->under;
	struct timeval		 tv = { TLS_LINGER_SEC, 0 };

	bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	c->direct = 0;		/* from here on, write events */
	if (graceful && !c->fatal) {
		bufferevent_flush(c->bev, EV_WRITE, BEV_FLUSH);
		if (!c->notified)
			(void)mbedtls_ssl_close_notify(&c->ssl);
		c->notified = 1;
	}
	if (!graceful || c->fatal ||
	    evbuffer_get_length(bufferevent_get_output(under)) == 0) {
		bufferevent_free(c->bev);	/* frees c and the socket */
		return;
	}
	/* The filter stays (it owns c and the socket) but no longer runs. */
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	bufferevent_setcb(under, NULL, tls_linger_end, tls_linger_event, c);
	bufferevent_setwatermark(under, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(under, NULL, &tv);
	bufferevent_disable(under, EV_READ);
	bufferevent_enable(under, EV_WRITE);
}
