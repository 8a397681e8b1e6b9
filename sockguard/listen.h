/*
 * Listening sockets.  TCP ones are plain bind+listen; TLS is the
 * proxy's.  A unix socket is bound with mode 0600, given its
 * owner, group and mode, and only then listen(2)s: no client can connect
 * before its permissions are final.  A stale socket file is replaced; a
 * live one (another process accepts on it) is an error.
 */
#ifndef SG_LISTEN_H
#define SG_LISTEN_H

#include <sys/types.h>
#include <stddef.h>

struct listen_conf;

struct listen_sock {
	int	fd;
	dev_t	dev;		/* identity of the socket file we made */
	ino_t	ino;
};

/* Opens the listener; returns 0, or -1 with a reason in err. */
int	listen_unix_open(const struct listen_conf *, struct listen_sock *,
	    char *err, size_t errlen);
/* Opens a tcp: listener (SO_REUSEADDR); 0, or -1 with a reason. */
int	listen_tcp_open(const struct listen_conf *, struct listen_sock *,
	    char *err, size_t errlen);
/* Removes the socket file if it is still the one we created. */
void	listen_unix_remove(const struct listen_conf *,
	    const struct listen_sock *);

#endif
