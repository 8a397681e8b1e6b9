/*
 * Decisions.  Pure code: given a profile, the parsed request and its
 * parsed JSON body, say allow or deny, which rule and why.  The only
 * outside effect is bind-source resolution, done through the resolver in
 * struct policy_ctx so that tests and `sockguard explain` control it.
 *
 * A request is decided in two stages: policy_head() when the head has
 * been parsed (endpoint rules, query checks), policy_body() when a JSON
 * body has been read whole (what the request will make dockerd do).
 */
#ifndef SG_POLICY_H
#define SG_POLICY_H

#include <stddef.h>
#include <jansson.h>

struct profile;
struct strlist;

/*
 * Resolves symlinks in an absolute, cleaned host path the way dockerd
 * will follow them; a missing tail is kept as written.  Returns 0, or -1
 * with errno set.
 */
typedef int (*policy_resolver)(const char *path, char *out, size_t outlen);

struct policy_ctx {
	const char *const	*own_sockets;	/* never bind-mountable: the
						   upstream and the listeners */
	size_t			 nown_sockets;
	policy_resolver		 resolve;	/* NULL: no resolution */
};

struct policy_request {
	const char	*method;	/* "POST" */
	const char	*route;		/* path after /vX.Y, no query */
	size_t		 route_len;
	const char	*query;		/* after '?', or NULL */
	size_t		 query_len;
	const char	*version;	/* "1.41" or "" */
	json_t		*body;		/* parsed JSON body or NULL; the
					   policy may rewrite it */
	int		 body_present;	/* the request carried body bytes */
};

struct decision {
	int		 allow;		/* forward the request */
	int		 denied;	/* a rule said no (maybe audit-only) */
	int		 audit_only;	/* denied, but the profile audits */
	int		 status;	/* answer when !allow: 403, 400 */
	const char	*profile;
	char		 rule[96];
	char		 reason[512];
	char		 field[96];	/* offending field, if any */
	char		 value[256];	/* and its value */
	int		 rewritten;	/* body changed: re-serialise it */
};

/* Starts a decision (allow, nothing matched yet). */
void	policy_init(struct decision *, const struct profile *);
/*
 * Records a denial decided outside the policy (ownership): the first
 * reason stands, and a profile in audit mode turns a 403 into an allow.
 */
void	policy_deny(const struct profile *, struct decision *, int status,
	    const char *rule, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
void	policy_head(const struct profile *, const struct policy_ctx *,
	    const struct policy_request *, struct decision *);
void	policy_body(const struct profile *, const struct policy_ctx *,
	    struct policy_request *, struct decision *);

/*
 * True if METHOD route acts inside an existing container (exec, attach,
 * copying files in or out) or starts one (start, restart: its binds are
 * mounted anew): the proxy must first ask dockerd about it.  *op names
 * the operation for messages.
 */
int	policy_existing_op(const char *method, const char *route, size_t len,
	    const char **op);
/*
 * Decides such an operation from dockerd's inspect of the container: the
 * same HostConfig checks as at create (a container the profile could not
 * have created may not be entered), plus every bind dockerd mounted.
 */
void	policy_existing(const struct profile *, const struct policy_ctx *,
	    const char *op, json_t *inspect, struct decision *);

/* The registry of an image reference ("docker.io" for Docker Hub, "" for
 * a local image id), lower-case, as Docker's reference rules read it. */
void	policy_image_registry(const char *ref, char *out, size_t outlen);

/* Endpoint pattern match ("*" one segment, "**" any number). */
int	policy_pattern_match(const char *pattern, const char *route,
	    size_t len);

/* The default resolver: realpath(3) of the longest existing prefix. */
int	policy_resolve_host(const char *path, char *out, size_t outlen);

/*
 * Joins in a container create body, for profiles whose joins are checked:
 * HostConfig namespace modes "container:NAME", VolumesFrom "NAME[:mode]"
 * and Links "NAME[:alias]".  The proxy asks dockerd about each NAME,
 * decides it with policy_existing() (op "join"), and rewrites the string
 * to the full id dockerd gave, so that a name re-taken meanwhile cannot
 * switch the target.
 */
#define POLICY_JOIN_NAME	256
#define POLICY_MAX_JOINS	16	/* more: the create is denied */
enum policy_join_kind { PJ_MODE, PJ_VOLUMES, PJ_LINK };
struct policy_join {
	json_t			*node;	/* the string, borrowed from body */
	enum policy_join_kind	 kind;
	char			 name[POLICY_JOIN_NAME];
};
/* Fills out[0..max) and returns how many joins there are (maybe more). */
size_t	policy_joins(json_t *body, struct policy_join *out, size_t max);
/*
 * The joins the daemon must look up before forwarding r: those of a
 * container create (at most POLICY_MAX_JOINS once policy_body() allowed
 * it) when the profile checks joins; 0 for anything else.
 */
size_t	policy_create_joins(const struct profile *,
	    const struct policy_request *);
/* The full id (64 hex digits) in dockerd's inspect answer, or NULL. */
const char *policy_inspect_id(json_t *inspect);
/* Writes id into the join's string, keeping its mode or alias. */
int	policy_join_rewrite(const struct policy_join *, const char *id);

#endif
