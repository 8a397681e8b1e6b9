/*
 * Questions sockguard asks dockerd on a connection of its own, e.g.
 * "GET /containers/NAME/json" before an exec into NAME: the answer is
 * decided by the rules and the request is then forwarded by the full id
 * dockerd gave, so a name re-taken in between cannot switch the target.
 */
#ifndef SG_LOOKUP_H
#define SG_LOOKUP_H

#include <stddef.h>
#include <jansson.h>

struct event_base;
struct lookup;

/*
 * Called once: status is the HTTP status (0 if no answer), body the
 * parsed JSON (NULL if none; borrowed, valid during the call), err a
 * reason when status is 0.
 */
typedef void (*lookup_cb)(void *arg, int status, json_t *body,
    const char *err);

/*
 * Starts GET path (already escaped) on a new connection to the upstream
 * socket; the answer (at most max_body bytes) arrives through cb, within
 * timeout_ms.  Returns NULL (and never calls cb) if it cannot start.
 */
struct lookup	*lookup_start(struct event_base *, const char *upstream,
		    const char *path, size_t max_body, unsigned timeout_ms,
		    lookup_cb cb, void *arg);
/* Abandons a lookup in flight; cb is not called. NULL is fine. */
void		 lookup_cancel(struct lookup *);

/* Appends s percent-encoded as one path segment to out (size outlen). */
int		 lookup_escape_segment(const char *s, char *out, size_t outlen);

#endif
