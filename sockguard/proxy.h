/*
 * The proxy: accepts clients on the listeners, reads every request of
 * every keep-alive connection, forwards what it parsed to the upstream
 * (dockerd) over one upstream connection per client, and relays the
 * responses, including streams and hijacked (attach/exec) connections.
 */
#ifndef SG_PROXY_H
#define SG_PROXY_H

#include <stddef.h>

struct event_base;
struct config;
struct proxy;
struct ruleset;
struct audit;

/* The proxy keeps pointers to conf and rules, which must outlive it. */
struct proxy	*proxy_new(struct event_base *, const struct config *,
		    const struct ruleset *);
/* Opens every configured listener; -1 with a reason in err. */
int		 proxy_listen(struct proxy *, char *err, size_t errlen);
/*
 * Sockets passed by systemd (sdn_listen_fds()), before proxy_listen():
 * each is used by the listener whose address it has; one left over is
 * an error.  The proxy owns fds from then on.
 */
void		 proxy_set_inherited(struct proxy *, int *fds, size_t n);
/*
 * Graceful stop: closes and removes the listeners, lets in-flight
 * requests finish for up to limits.drain_timeout, then calls done(arg).
 */
void		 proxy_drain(struct proxy *, void (*done)(void *), void *arg);
/* Records every request in the audit log (NULL: none). */
void		 proxy_set_audit(struct proxy *, struct audit *);
size_t		 proxy_sessions(const struct proxy *);
void		 proxy_free(struct proxy *);

#endif
