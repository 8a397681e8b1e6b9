/*
 * Per-client usage for the profile limits of sockguard-rules(5): the
 * connections a client has open and a token bucket of its requests.  A
 * client is a key such as "uid:1000@ci" or "cert:<sha256>@remote".
 * Entries live while a connection holds them, and a while after (so
 * that a client opening one connection per command still meets its
 * rate), until tenants_sweep() finds them idle.  Time is passed in, in
 * milliseconds of CLOCK_MONOTONIC, so the module does no I/O.
 */
#ifndef SG_TENANT_H
#define SG_TENANT_H

#include <stddef.h>
#include <stdint.h>

struct tenants;
struct tenant;

struct tenants	*tenants_new(void);
void		 tenants_free(struct tenants *);
/* The entry for key, made if new; one more connection holds it. */
struct tenant	*tenant_hold(struct tenants *, const char *key, uint64_t now);
/* A connection let go of it. */
void		 tenant_release(struct tenant *, uint64_t now);
size_t		 tenant_conns(const struct tenant *);
/*
 * Takes one request's token from a bucket of burst tokens refilled at
 * rate per second (full when new).  Returns 1, or 0 with the wait in ms
 * until a token is there in *retry_ms.
 */
int		 tenant_take(struct tenant *, unsigned rate, unsigned burst,
		    uint64_t now, unsigned *retry_ms);
/* Frees entries no connection holds that were last used before cutoff. */
void		 tenants_sweep(struct tenants *, uint64_t cutoff);
size_t		 tenants_count(const struct tenants *);

#endif
