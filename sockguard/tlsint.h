/* What tls.c, tlspool.c and tlsconn.c share; see tls.h. */
#ifndef SG_TLSINT_H
#define SG_TLSINT_H

#include <sys/queue.h>
#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "tls.h"

/* One handshake thread's copy of a listener's material. */
struct tls_material {
	mbedtls_ssl_config	 conf;
	mbedtls_x509_crt	 cert;
	mbedtls_pk_context	 key;
	mbedtls_x509_crt	 ca;
	mbedtls_x509_crl	 crl;
	mbedtls_entropy_context	 entropy;
	mbedtls_ctr_drbg_context drbg;
};

struct tls_server {
	int			 refs;		/* main thread only */
	unsigned		 n;		/* materials, one per thread */
	struct tls_material	*m;
	/* Shared by the threads: mbedTLS locks it (MBEDTLS_THREADING_C). */
	mbedtls_ssl_ticket_context ticket;
	mbedtls_entropy_context	 tentropy;
	mbedtls_ctr_drbg_context tdrbg;
	char			 desc[256];
};

struct event;
struct tls_worker;

struct tls_conn {
	TAILQ_ENTRY(tls_conn)	 entry;
	struct tls_server	*srv;		/* holds a reference */
	mbedtls_ssl_context	 ssl;
	int			 ssl_init;
	int			 fd;
	void			*ctx;
	/* handshake (owned by a pool thread meanwhile) */
	struct tls_worker	*ctx_worker;
	int			 started;
	struct event		*ev;
	uint64_t		 deadline_ms;	/* CLOCK_MONOTONIC */
	unsigned		 timeout_ms;
	int			 ok;
	char			 err[256];
	char			 remote[64];
	char			 desc[96];
	struct tls_peer		*peer;
	/* data path (main thread) */
	struct bufferevent	*bev;		/* plain bytes */
	struct bufferevent	*under;		/* records, the socket */
	int			 fatal;		/* a record error was seen */
	int			 peer_notified;	/* close_notify received */
	int			 notified;	/* close_notify sent */
	int			 shutting;	/* in tls_conn_shutdown() */
	int			 direct;	/* records written by flush */
};

/* Sets ssl up with the material of thread slot; 0 or mbedTLS error. */
int	tls_conn_setup(struct tls_conn *, unsigned slot);
/* Describes an mbedTLS failure, certificate verification included. */
void	tls_describe_error(const mbedtls_ssl_context *, int ret, char *buf,
	    size_t len);
uint64_t tls_now_ms(void);

#endif
