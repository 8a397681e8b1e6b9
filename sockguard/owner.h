/*
 * Ownership: a profile with `ownership:` gives each client (its owner
 * value, made from its identity) a private view of one shared dockerd.
 * Objects created through the profile get the owner label; lists, prunes
 * and events are narrowed to owned objects; an operation naming an object
 * is allowed only once dockerd says the object carries the client's label.
 *
 * Pure code: what a route names, how a query or body is rewritten, and
 * whether an inspect answer or an event is the client's.  The proxy does
 * the asking (see proxy.c) and `sockguard reap` the cleaning up.
 */
#ifndef SG_OWNER_H
#define SG_OWNER_H

#include <stddef.h>
#include <jansson.h>

struct identity;

#define OWNER_DEFAULT_LABEL	"io.sockguard.owner"
#define OWNER_MAX		128	/* bytes of an owner value */

/* A profile's `ownership:` (label NULL: none). */
struct ownership {
	char	*label;		/* label key, e.g. io.sockguard.owner */
	char	*owner;		/* template: "${listener}", "ci-${uid}" */
};

/*
 * Checks a template at load: text and ${listener}, ${uid}, ${gid},
 * ${cert_cn}, ${cert_fingerprint}, ${cert_serial}.  0, or -1 with why.
 */
int	owner_template_check(const char *tmpl, char *why, size_t whylen);
/* Checks a label key: 1..128 bytes of [A-Za-z0-9._/-]. 0 or -1. */
int	owner_label_check(const char *label, char *why, size_t whylen);

/* Checks an owner value: 1..OWNER_MAX bytes of [A-Za-z0-9._@:/+-]. */
int	owner_value_check(const char *owner, char *why, size_t whylen);

/*
 * The owner value of a client: the template expanded with its identity.
 * Returns 0, or -1 with why when a variable is unset for this client (no
 * certificate on a unix listener) or the value is not 1..OWNER_MAX bytes
 * of [A-Za-z0-9._@:/+-].
 */
int	owner_expand(const char *tmpl, const struct identity *, char *out,
	    size_t outlen, char *why, size_t whylen);

/*
 * The owner value of a whole listener (reap_on_exit in sockguard.yaml):
 * tmpl with ${listener} expanded to the listener's name, which may be
 * NULL when it has none (then ${listener} is refused).  The variables of
 * a client (${uid}, ${cert_cn}, ...) are refused: they differ from one
 * client to the next.  0, or -1 with why; the value is checked as
 * owner_expand() checks it.
 */
int	owner_expand_listener(const char *tmpl, const char *listener,
	    char *out, size_t outlen, char *why, size_t whylen);

/* What a request does to owned objects. */
enum owner_kind {
	OWN_NONE,	/* names nothing owned: /_ping, pulls, ... */
	OWN_DENY,	/* not isolated by ownership: refused */
	OWN_CREATE,	/* JSON body gets the label: containers, volumes,
			   networks */
	OWN_COMMIT,	/* /commit: container= must be owned */
	OWN_SAVE,	/* /images/get: names= (one) owned or shared */
	OWN_BUILD,	/* /build: labels= query gets the label */
	OWN_FILTER,	/* list or prune: label filter added to filters= */
	OWN_ANSWER,	/* images/json, system/df: sockguard asks and
			   answers with the owned part */
	OWN_EVENTS,	/* filter added, and each event checked */
	OWN_CONTAINER,	/* names a container (seg) */
	OWN_EXEC,	/* names an exec instance: its container's */
	OWN_VOLUME,
	OWN_NETWORK,
	OWN_IMAGE	/* reading (inspect, history, save, tag from,
			   push): owned or unlabelled (shared); removing
			   (write): owned */
};

struct owner_route {
	enum owner_kind	 kind;
	const char	*seg;		/* the reference, inside the route */
	size_t		 seg_len;
	int		 write;		/* OWN_IMAGE: rm */
	const char	*why;		/* OWN_DENY: the reason */
};

void	owner_route(const char *method, const char *route, size_t len,
	    struct owner_route *out);
/* The singular noun of a target kind ("container"). */
const char *owner_noun(enum owner_kind);

/*
 * The path to ask dockerd about a target (already escaped as the client
 * wrote it: dockerd decodes both the same way).  -1 if too long.
 */
int	owner_lookup_path(enum owner_kind, const char *seg, size_t seg_len,
	    char *out, size_t outlen);

/*
 * Whether dockerd's inspect answer of a target is the owner's.  Returns 1
 * owned, 0 not (why says so, naming the object by ref, the reference the
 * client gave: never by dockerd's name, which an id prefix would give
 * away), -1 malformed answer.  For OWN_IMAGE an unlabelled image with a
 * name counts as owned unless write is set.  *id is the full id to
 * forward by (containers, networks), or NULL to keep the reference.
 */
int	owner_check(enum owner_kind, json_t *inspect, const char *ref,
	    const char *label, const char *owner, int write, const char **id,
	    char *why, size_t whylen);
/* An exec instance's container id from /exec/ID/json, or NULL. */
const char *owner_exec_container(json_t *inspect);

/*
 * The query for a list, prune or events request with the label filter
 * added to filters= (merged with the client's, which dockerd ANDs).  For
 * /build the owner label is added to labels=.  Returns a malloc'd query
 * ("" allowed), or NULL with why when the client's query is ambiguous or
 * already asks for a different owner.
 */
char	*owner_query(enum owner_kind, const char *query, size_t qlen,
	    const char *label, const char *owner, char *why, size_t whylen);

/*
 * The query with parameter key set to value (percent-encoded here) in
 * place of any it had; NULL if a parameter name is encoded.
 */
char	*owner_query_set(const char *query, size_t qlen, const char *key,
	    const char *value);

/*
 * Image names a request points somewhere (docker tag, build -t, commit,
 * import, pull): each must not name another client's image, or a shared
 * one unless pulled (*pull).  Fills out[0..max) (decoded names, ":tag"
 * added where the query gives one); returns how many, -1 when the
 * query cannot be read or names more than max, -2 for a pull that names
 * no tag (dockerd would pull, and retag, every tag of the name).
 */
#define OWNER_MAX_DESTS	8
int	owner_dest_names(const char *method, const char *route, size_t len,
	    const char *query, size_t qlen, char out[][256], size_t max,
	    int *pull);

/*
 * commit and import take Dockerfile instructions in changes=; one that
 * mentions the owner label could plant another owner's.  Returns 0, or
 * -1 with why.
 */
int	owner_changes_check(const char *query, size_t qlen, const char *label,
	    char *why, size_t whylen);
/* import (fromSrc=) gets changes=LABEL <label>=<owner> added; malloc'd. */
char	*owner_import_query(const char *query, size_t qlen, const char *label,
	    const char *owner);

/*
 * Adds the owner label to a create body's Labels (containers, volumes,
 * networks, commit config; found as Go finds it, case-insensitively).
 * Returns 1 when the body changed, 0 when it already had it, -1 with why
 * when Labels is not an object or names another owner.  A NULL or JSON
 * null body (commit) is left alone: the image keeps its container's.
 */
int	owner_label_body(json_t *body, const char *label, const char *owner,
	    char *why, size_t whylen);

/*
 * References in a body that must be owned, looked up the way joins are:
 * container create's named volumes (Binds, Mounts), user networks
 * (NetworkMode, NetworkingConfig's keys and NetworkIDs) and Image (owned
 * or shared; a missing one is left to dockerd, whose 404 makes the CLI
 * pull), a network connect's Container and EndpointConfig.NetworkID,
 * and a volume create's Name (OREF_NEW_VOLUME: absent or owned; dockerd
 * answers a create of an existing name with that volume).
 */
enum owner_ref_kind { OREF_VOLUME, OREF_NETWORK, OREF_CONTAINER,
    OREF_IMAGE, OREF_NEW_VOLUME };
struct owner_ref {
	enum owner_ref_kind	 kind;
	json_t			*node;	/* OREF_CONTAINER: string rewritten
					   to the full id; borrowed */
	char			 name[256];
};
#define OWNER_MAX_REFS	32
/* The kind of object a reference is looked up as. */
enum owner_kind	owner_ref_object(enum owner_ref_kind);
/*
 * A create body as the owner may send it: a network create always has
 * CheckDuplicate (a second network of the same name makes the first
 * one's name ambiguous for its owner).  Returns 1 if it changed.
 */
int	owner_create_body(const char *route, size_t len, json_t *body);
/* Fills out[0..max); returns how many there are (maybe more than max). */
size_t	owner_refs(const char *route, size_t len, json_t *body,
	    struct owner_ref *out, size_t max);

/*
 * The owned part of a list dockerd gave (images/json: owned and shared
 * images; system/df: owned images, containers and volumes, no build
 * cache).  Changes answer in place; -1 if it is not the expected shape.
 */
int	owner_filter_answer(const char *route, size_t len, json_t *answer,
	    const char *label, const char *owner);

/*
 * Whether one event (a JSON object of /events) may be shown: container
 * and image events whose attributes carry the owner label.  Network and
 * volume events carry no labels, so they are never shown.
 */
int	owner_event_visible(json_t *event, const char *label,
	    const char *owner);

#endif
