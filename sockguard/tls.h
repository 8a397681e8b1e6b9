/*
 * Mutual TLS for tcp: listeners (mbedTLS).
 *
 * tls.c      a listener's key material, loaded once per handshake thread
 *            (mbedTLS caches curve tables inside key objects, so threads
 *            never share one), the mbedTLS settings, and the identity read
 *            off a verified client certificate;
 * tlspool.c  the handshake threads: every handshake runs non-blocking on
 *            an event loop of its own, off the loop that serves streams;
 * tlsconn.c  a finished connection as a libevent filter bufferevent over
 *            the socket, so the proxy reads and writes plain HTTP.
 *
 * Ownership: a tls_server is reference-counted by the main thread only
 * (the proxy, each tls_conn); handshake threads borrow it.  A tls_conn
 * belongs to whoever holds it: the pool while it handshakes, the done
 * callback after, then the bufferevent made by tls_conn_bufferevent().
 */
#ifndef SG_TLS_H
#define SG_TLS_H

#include <sys/socket.h>
#include <stddef.h>

struct bufferevent;
struct event_base;
struct tls_conf;
struct mbedtls_x509_crt;

struct tls_server;
struct tls_conn;
struct tls_pool;

/* Who a verified client certificate names.  Strings are owned. */
struct tls_peer {
	char		*subject;	/* "CN=alice, O=example" */
	char		*cn;		/* NULL when the subject has none */
	char		*issuer;
	char		*serial;	/* lower-case hex, no DER 00 pad */
	char		 fingerprint[65];	/* SHA-256 of the DER */
	char		**sans;		/* "DNS:x", "email:y", "URI:z", "IP:a" */
	size_t		 nsans;
};

/*
 * Loads the material of one listener for nthreads handshake threads.
 * Returns 0, or -1 with "file: reason" in err.
 */
int	tls_server_new(const struct tls_conf *, unsigned nthreads,
	    struct tls_server **, char *err, size_t errlen);
void	tls_server_ref(struct tls_server *);
void	tls_server_unref(struct tls_server *);
/* A one-line summary for the log ("ECDSA P-256 cert CN=..., 1 CA"). */
const char *tls_server_describe(const struct tls_server *);

/* The identity in a certificate; NULL if out of memory. */
struct tls_peer *tls_peer_from_crt(const struct mbedtls_x509_crt *);
void	tls_peer_free(struct tls_peer *);

/*
 * The handshake pool.  done runs on base's thread for every connection
 * handed to tls_pool_submit(), once its handshake ended either way; it
 * then owns the tls_conn.
 */
typedef void	(*tls_done_fn)(struct tls_conn *, void *arg);

struct tls_pool *tls_pool_new(struct event_base *, unsigned nthreads,
	    tls_done_fn done, void *arg, char *err, size_t errlen);
/* Stops the threads; connections still handshaking are closed. */
void	tls_pool_free(struct tls_pool *);
unsigned tls_pool_threads(const struct tls_pool *);
/* Takes fd (non-blocking); ctx is returned by tls_conn_ctx(). */
void	tls_pool_submit(struct tls_pool *, struct tls_server *, int fd,
	    const struct sockaddr *, socklen_t, unsigned timeout_ms,
	    void *ctx);

/* After the handshake: */
int	tls_conn_ok(const struct tls_conn *);
const char *tls_conn_error(const struct tls_conn *);	/* when not ok */
const char *tls_conn_remote(const struct tls_conn *);	/* "addr:port" */
void	*tls_conn_ctx(const struct tls_conn *);
/* Moves the peer identity out (the caller frees it); NULL if failed. */
struct tls_peer *tls_conn_take_peer(struct tls_conn *);
/* "TLSv1.2 TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256" */
const char *tls_conn_describe(const struct tls_conn *);
/*
 * Checks the client certificate of an established connection against
 * another listener material (a reload's CA bundle and CRL); 0 if it is
 * still accepted, else -1 with the reason in why.  Main thread only.
 */
int	tls_conn_verify_again(struct tls_conn *, struct tls_server *,
	    char *why, size_t whylen);
/* Closes the socket and frees a connection that was not made a bev. */
void	tls_conn_free(struct tls_conn *);

/*
 * Makes the connection a filter bufferevent of plain bytes over a socket
 * bufferevent of records.  The connection lives as long as the
 * bufferevent; end both with tls_conn_close(), never bufferevent_free().
 */
struct bufferevent *tls_conn_bufferevent(struct tls_conn *,
	    struct event_base *);
/* Sends close_notify after what is queued (a half-close of the stream). */
void	tls_conn_shutdown(struct tls_conn *);
/*
 * Ends the connection: with graceful, queued bytes and a close_notify
 * are written first (for at most a few seconds) in the background.
 */
void	tls_conn_close(struct tls_conn *, int graceful);
/*
 * Writes the records queued now, instead of waiting a loop iteration for
 * a write event (which costs two epoll_ctl(2) calls per response); a
 * write event is armed only for what the socket would not take.
 */
void	tls_conn_flush(struct tls_conn *);
/* Reading was resumed: decrypt records that arrived meanwhile. */
void	tls_conn_kick(struct tls_conn *);

#endif
