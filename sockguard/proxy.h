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

/* The proxy takes conf and rules, and frees them when done with them. */
struct proxy	*proxy_new(struct event_base *, struct config *,
		    struct ruleset *);
/* The configuration in force. */
const struct config *proxy_config(const struct proxy *);
/* Opens every configured listener; -1 with a reason in err. */
int		 proxy_listen(struct proxy *, char *err, size_t errlen);
/*
 * Sockets passed by systemd (sdn_listen_fds()), before proxy_listen():
 * each is used by the listener whose address it has; one left over is
 * an error.  The proxy owns fds from then on.
 */
void		 proxy_set_inherited(struct proxy *, int *fds, size_t n);
/*
 * Reload: conf and rules apply to every request that starts from now on,
 * on new and existing connections; listeners the new conf adds open,
 * removed ones close (a socket from systemd must stay), kept TLS
 * listeners load their certificates, key, CA bundle and CRL again, and a
 * client whose certificate the new ones refuse is disconnected.
 * Established streams go on.  Atomic: on -1 (reason in err) nothing
 * changed and conf and rules are still the caller's; on 0 the proxy took
 * them.
 */
int		 proxy_reload(struct proxy *, struct config *,
		    struct ruleset *, char *err, size_t errlen);
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
