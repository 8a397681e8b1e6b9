/*
 * Ownership decisions (see owner.h): pure functions over routes, queries,
 * bodies and dockerd's answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "identity.h"
#include "json.h"
#include "owner.h"
#include "xmalloc.h"

#define OWNER_QUERY_MAX	8192	/* bytes of a filters= or labels= value */

static int
owner_fail(char *why, size_t whylen, const char *msg)
{
	snprintf(why, whylen, "%s", msg);
	return -1;
}

/* The characters an owner value may hold: safe in a label filter. */
static int
owner_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("._@:/+-", c) != NULL;
}

int
owner_label_check(const char *label, char *why, size_t whylen)
{
	size_t	i, n = strlen(label);

	if (n == 0 || n > OWNER_MAX)
		return owner_fail(why, whylen, "the ownership label must be "
		    "1 to 128 bytes");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)label[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("._/-", c) != NULL))
			return owner_fail(why, whylen, "the ownership label "
			    "may hold only letters, digits and . _ / -");
	}
	return 0;
}

/* The value of one template variable for a client; NULL if unset. */
static const char *
owner_var(const char *name, size_t len, const struct identity *id,
    char *num, size_t numlen)
{
#define VAR(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (VAR("listener"))
		return id != NULL ? id->listener : "";
	if (VAR("uid") || VAR("gid")) {
		if (id == NULL)
			return "0";
		if (!id->is_unix)
			return NULL;
		snprintf(num, numlen, "%lu", VAR("uid") ?
		    (unsigned long)id->uid : (unsigned long)id->gid);
		return num;
	}
	if (VAR("cert_cn"))
		return id != NULL ? id->cert_cn : "";
	if (VAR("cert_fingerprint"))
		return id != NULL ? id->cert_fingerprint : "";
	if (VAR("cert_serial"))
		return id != NULL ? id->cert_serial : "";
#undef VAR
	return (const char *)-1;	/* unknown */
}

/*
 * Expands tmpl into out.  A NULL identity checks the template only
 * (every known variable expands to something).  With fixed set the
 * value must be one for every client of a listener: ${listener} is the
 * only variable, and id->listener (NULL: the listener has no name) is it.
 */
static int
owner_subst(const char *tmpl, const struct identity *id, int fixed,
    char *out, size_t outlen, char *why, size_t whylen)
{
	const char	*p = tmpl, *end, *v;
	char		 num[24];
	size_t		 n = 0, vl;
	int		 len;

	while (*p != '\0') {
		if (p[0] == '$' && p[1] == '{') {
			if ((end = strchr(p + 2, '}')) == NULL)
				return owner_fail(why, whylen, "an unclosed "
				    "${ in the owner template");
			len = (int)(end - p - 2);
			v = owner_var(p + 2, (size_t)len, id, num,
			    sizeof(num));
			if (fixed && (len != 8 ||
			    memcmp(p + 2, "listener", 8) != 0)) {
				snprintf(why, whylen, "${%.*s} %s; only "
				    "${listener} may be used here", len, p + 2,
				    v == (const char *)-1 ? "is not a variable" :
				    "differs from client to client (run "
				    "`sockguard reap OWNER` for such owners)");
				return -1;
			}
			if (v == (const char *)-1) {
				snprintf(why, whylen, "unknown variable "
				    "${%.*s} in the owner template (known: "
				    "listener, uid, gid, cert_cn, "
				    "cert_fingerprint, cert_serial)",
				    len, p + 2);
				return -1;
			}
			if (v == NULL && fixed)
				return owner_fail(why, whylen, "${listener} "
				    "needs the listener to have a name:");
			if (v == NULL) {
				snprintf(why, whylen, "the owner template "
				    "uses ${%.*s}, which this client does "
				    "not have", len, p + 2);
				return -1;
			}
			vl = strlen(v);
			p = end + 1;
		} else {
			v = p++;
			vl = 1;
		}
		if (n + vl >= outlen)
			return owner_fail(why, whylen, "the owner value is "
			    "longer than 128 bytes");
		memcpy(out + n, v, vl);
		n += vl;
	}
	out[n] = '\0';
	return 0;
}

int
owner_template_check(const char *tmpl, char *why, size_t whylen)
{
	char	out[4096];

	if (*tmpl == '\0')
		return owner_fail(why, whylen, "the owner template is empty");
	return owner_subst(tmpl, NULL, 0, out, sizeof(out), why, whylen);
}

int
owner_value_check(const char *owner, char *why, size_t whylen)
{
	size_t	i, n = strlen(owner);

	if (n == 0 || n > OWNER_MAX) {
		snprintf(why, whylen, "an owner is 1 to %d bytes", OWNER_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (owner_char_ok((unsigned char)owner[i]))
			continue;
		snprintf(why, whylen, "an owner is made of letters, digits and "
		    "._@:/+- only; byte %zu is not", i + 1);
		return -1;
	}
	return 0;
}

/* owner_expand() and owner_expand_listener(): expansion, then the check. */
static int
owner_expand_id(const char *tmpl, const struct identity *id, int fixed,
    char *out, size_t outlen, char *why, size_t whylen)
{
	char	buf[OWNER_MAX + 1] = "", inner[128];
	size_t	n;

	if (owner_subst(tmpl, id, fixed, buf, sizeof(buf), why, whylen) == -1)
		return -1;
	n = strlen(buf);
	if (n >= outlen || owner_value_check(buf, inner, sizeof(inner)) == -1) {
		/* Named in the answer, control bytes shown as '?'. */
		for (char *q = buf; *q != '\0'; q++)
			if ((unsigned char)*q < 0x20 || (unsigned char)*q >= 0x7f)
				*q = '?';
		snprintf(why, whylen, "the owner value \"%s\" is refused: %s",
		    buf, n >= outlen ? "too long" : inner);
		return -1;
	}
	memcpy(out, buf, n + 1);
	return 0;
}

int
owner_expand(const char *tmpl, const struct identity *id, char *out,
    size_t outlen, char *why, size_t whylen)
{
	return owner_expand_id(tmpl, id, 0, out, outlen, why, whylen);
}

int
owner_expand_listener(const char *tmpl, const char *listener, char *out,
    size_t outlen, char *why, size_t whylen)
{
	struct identity	id;

	memset(&id, 0, sizeof(id));
	id.listener = listener;
	return owner_expand_id(tmpl, &id, 1, out, outlen, why, whylen);
}

/* ------------------------------------------------------------ routes */

/* route == lit exactly. */
static int
is(const char *route, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(route, lit, len) == 0;
}

/* route starts with prefix and has more after it. */
static int
under(const char *route, size_t len, const char *prefix)
{
	size_t	n = strlen(prefix);

	return len > n && memcmp(route, prefix, n) == 0;
}

/* Sets a target: the segment after prefix (up to the next '/'). */
static void
target(struct owner_route *o, enum owner_kind kind, const char *route,
    size_t len, size_t off)
{
	size_t	i = off;

	while (i < len && route[i] != '/')
		i++;
	o->kind = kind;
	o->seg = route + off;
	o->seg_len = i - off;
}

static void
deny_route(struct owner_route *o, const char *why)
{
	o->kind = OWN_DENY;
	o->why = why;
}

static void
route_images(const char *m, const char *route, size_t len,
    struct owner_route *o)
{
	static const char *const ops[] = { "/json", "/history", "/get",
	    "/push", "/tag" };
	int	get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;
	size_t	i, n;

	if (get && is(route, len, "/images/json")) {
		o->kind = OWN_ANSWER;
		return;
	}
	if (post && is(route, len, "/images/prune")) {
		o->kind = OWN_FILTER;
		return;
	}
	if (get && is(route, len, "/images/get")) {
		o->kind = OWN_SAVE;
		return;
	}
	if (post && is(route, len, "/images/load")) {
		deny_route(o, "docker load cannot be isolated: the archive "
		    "sets image names and labels sockguard does not read");
		return;
	}
	if ((post && is(route, len, "/images/create")) ||
	    (get && is(route, len, "/images/search")))
		return;		/* pulls: the names they set are checked */
	/* /images/{name}/op and DELETE /images/{name}: names hold '/'. */
	o->kind = OWN_IMAGE;
	o->seg = route + 8;
	o->seg_len = len - 8;
	if (strcmp(m, "DELETE") == 0) {
		o->write = 1;
		return;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		n = strlen(ops[i]);
		if (len > 8 + n && memcmp(route + len - n, ops[i], n) == 0) {
			/* tag and push read the image; the names they set
			 * and push's tag are checked apart. */
			o->seg_len = len - 8 - n;
			return;
		}
	}
	deny_route(o, "this image endpoint is not isolated by ownership");
}

void
owner_route(const char *m, const char *route, size_t len,
    struct owner_route *o)
{
	int	get = strcmp(m, "GET") == 0, post = strcmp(m, "POST") == 0;

	memset(o, 0, sizeof(*o));
	/*
	 * The fixed words are routes only with their own method: dockerd
	 * takes DELETE /containers/json or GET /volumes/create as the
	 * object named "json" or "create".
	 */
	if ((get && (is(route, len, "/containers/json") ||
	    is(route, len, "/volumes") || is(route, len, "/networks"))) ||
	    (post && (is(route, len, "/containers/prune") ||
	    is(route, len, "/volumes/prune") ||
	    is(route, len, "/networks/prune"))))
		o->kind = OWN_FILTER;
	else if (post && (is(route, len, "/containers/create") ||
	    is(route, len, "/volumes/create") ||
	    is(route, len, "/networks/create")))
		o->kind = OWN_CREATE;
	else if (under(route, len, "/containers/"))
		target(o, OWN_CONTAINER, route, len, 12);
	else if (under(route, len, "/exec/"))
		target(o, OWN_EXEC, route, len, 6);
	else if (under(route, len, "/volumes/"))
		target(o, OWN_VOLUME, route, len, 9);
	else if (under(route, len, "/networks/"))
		target(o, OWN_NETWORK, route, len, 10);
	else if (under(route, len, "/images/"))
		route_images(m, route, len, o);
	else if (is(route, len, "/commit"))
		o->kind = OWN_COMMIT;
	else if (is(route, len, "/build"))
		o->kind = OWN_BUILD;
	else if (is(route, len, "/events"))
		o->kind = OWN_EVENTS;
	else if (is(route, len, "/system/df"))
		o->kind = OWN_ANSWER;
	else if (is(route, len, "/_ping") || is(route, len, "/version") ||
	    is(route, len, "/info") || is(route, len, "/auth") ||
	    is(route, len, "/session") || is(route, len, "/grpc") ||
	    under(route, len, "/distribution/"))
		o->kind = OWN_NONE;
	else
		deny_route(o, "this endpoint is not isolated by ownership "
		    "(services, tasks, secrets, configs, nodes, swarm, "
		    "plugins, build cache)");
	/* A target segment must name something. */
	if (o->kind >= OWN_CONTAINER && o->seg_len == 0)
		deny_route(o, "the request names no object");
}

const char *
owner_noun(enum owner_kind k)
{
	switch (k) {
	case OWN_CONTAINER:	return "container";
	case OWN_EXEC:		return "exec instance";
	case OWN_VOLUME:	return "volume";
	case OWN_NETWORK:	return "network";
	case OWN_IMAGE:		return "image";
	default:		return "object";
	}
}

int
owner_lookup_path(enum owner_kind k, const char *seg, size_t n, char *out,
    size_t outlen)
{
	int	r;

	switch (k) {
	case OWN_CONTAINER:
		r = snprintf(out, outlen, "/containers/%.*s/json", (int)n, seg);
		break;
	case OWN_EXEC:
		r = snprintf(out, outlen, "/exec/%.*s/json", (int)n, seg);
		break;
	case OWN_VOLUME:
		r = snprintf(out, outlen, "/volumes/%.*s", (int)n, seg);
		break;
	case OWN_NETWORK:
		r = snprintf(out, outlen, "/networks/%.*s", (int)n, seg);
		break;
	case OWN_IMAGE:
		r = snprintf(out, outlen, "/images/%.*s/json", (int)n, seg);
		break;
	default:
		return -1;
	}
	return r < 0 || (size_t)r >= outlen ? -1 : 0;
}

/* ------------------------------------------------------------ answers */

/* The owner label's value in a Labels object: NULL if absent. */
static const char *
label_of(json_t *labels, const char *label)
{
	return json_string_value(json_object_get(labels, label));
}

/*
 * Whether an unlabelled image is shared: it has a name (a tag or a
 * digest).  A classic build's step images are unlabelled (the owner
 * label is its last step) and unnamed; they are nobody's to use.
 * dockerd lists unnamed images with "<none>:<none>" and "<none>@<none>".
 */
static int
image_named(json_t *img)
{
	static const char *const keys[] = { "RepoTags", "RepoDigests" };
	json_t		*e;
	const char	*s;
	size_t		 i, k;

	for (k = 0; k < 2; k++)
		json_array_foreach(json_object_get(img, keys[k]), i, e)
			if ((s = json_string_value(e)) != NULL && *s != '\0' &&
			    strncmp(s, "<none>", 6) != 0)
				return 1;
	return 0;
}

int
owner_check(enum owner_kind k, json_t *inspect, const char *ref,
    const char *label, const char *owner, int write, const char **id,
    char *why, size_t whylen)
{
	json_t		*labels;
	const char	*v;

	*id = NULL;
	if (!json_is_object(inspect))
		return -1;
	switch (k) {
	case OWN_CONTAINER:
	case OWN_IMAGE:
		labels = json_object_get(json_object_get(inspect, "Config"),
		    "Labels");
		*id = json_string_value(json_object_get(inspect, "Id"));
		if (*id == NULL)
			return -1;
		break;
	case OWN_VOLUME:
		labels = json_object_get(inspect, "Labels");
		break;
	case OWN_NETWORK:
		labels = json_object_get(inspect, "Labels");
		*id = json_string_value(json_object_get(inspect, "Id"));
		if (*id == NULL)
			return -1;
		break;
	default:
		return -1;
	}
	v = label_of(labels, label);
	if (k == OWN_IMAGE) {
		*id = NULL;	/* rm by name untags; keep the reference */
		if (v == NULL && !write && image_named(inspect))
			return 1;	/* shared: pulled or loaded */
	}
	if (v != NULL && strcmp(v, owner) == 0)
		return 1;
	if (k == OWN_IMAGE && v == NULL && !image_named(inspect))
		snprintf(why, whylen, "the image has no owner and no name "
		    "(a build step): it is nobody's to use");
	else if (k == OWN_IMAGE && v == NULL)
		snprintf(why, whylen, "the image is shared (not built "
		    "through sockguard): it may be used, not changed");
	else
		snprintf(why, whylen, "the %s%s%s is not this client's "
		    "(%s is not %s)", owner_noun(k), ref != NULL ? " " : "",
		    ref != NULL ? ref : "", label, owner);
	return 0;
}

const char *
owner_exec_container(json_t *inspect)
{
	return json_string_value(json_object_get(inspect, "ContainerID"));
}

/* ------------------------------------------------------------ queries */

static void
pct_encode(const char *s, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	n = 0;

	for (; *s != '\0' && n + 3 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			out[n++] = (char)c;
		else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

/*
 * The query with every parameter named key removed and key=value (raw,
 * encoded here) appended.  NULL if a parameter name is encoded ('%' or
 * '+'): sockguard would have to guess what dockerd decodes it to.
 */
static char *
query_replace(const char *q, size_t qlen, const char *key, const char *value)
{
	char		*enc, *out;
	const char	*p = q, *end = q + qlen, *amp, *eq;
	size_t		 cap, n = 0, vlen = strlen(value), klen = strlen(key);

	cap = qlen + 3 * vlen + klen + 8;
	out = xmalloc(cap);
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		if (memchr(p, '%', (size_t)(eq - p)) != NULL ||
		    memchr(p, '+', (size_t)(eq - p)) != NULL) {
			free(out);
			return NULL;
		}
		if (amp > p && ((size_t)(eq - p) != klen ||
		    memcmp(p, key, klen) != 0)) {
			if (n > 0)
				out[n++] = '&';
			memcpy(out + n, p, (size_t)(amp - p));
			n += (size_t)(amp - p);
		}
		p = amp + 1;
	}
	enc = xmalloc(3 * vlen + 4);
	pct_encode(value, enc, 3 * vlen + 4);
	snprintf(out + n, cap - n, "%s%s=%s", n > 0 ? "&" : "", key, enc);
	free(enc);
	return out;
}

/* query_replace on an owned query, which it frees; NULL stays NULL. */
static char *
query_set_then(char *q, const char *key, const char *value)
{
	char	*out;

	if (q == NULL)
		return NULL;
	out = query_replace(q, strlen(q), key, value);
	free(q);
	return out;
}

char *
owner_query_set(const char *q, size_t qlen, const char *key,
    const char *value)
{
	return query_replace(q != NULL ? q : "", q != NULL ? qlen : 0, key,
	    value);
}

/*
 * Calls fn for the decoded value of each parameter named key (raw names
 * compared; an encoded name fails).  Returns -1 if fn or a decode does.
 */
static int
query_each(const char *q, size_t qlen, const char *key,
    int (*fn)(const char *, void *), void *arg)
{
	const char	*p, *end, *amp, *eq;
	size_t		 klen = strlen(key);
	char		*v;
	int		 r;

	if (q == NULL)
		return 0;
	p = q;
	end = q + qlen;
	v = xmalloc(OWNER_QUERY_MAX);
	for (; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		if (memchr(p, '%', (size_t)(eq - p)) != NULL ||
		    memchr(p, '+', (size_t)(eq - p)) != NULL)
			goto bad;
		if ((size_t)(eq - p) != klen || memcmp(p, key, klen) != 0)
			continue;
		/* One parameter alone reads the way dockerd reads it. */
		r = docker_query_get(p, (size_t)(amp - p), key, v,
		    OWNER_QUERY_MAX);
		if (r != 1 || fn(v, arg) == -1)
			goto bad;
	}
	free(v);
	return 0;
bad:
	free(v);
	return -1;
}

struct dests {
	char	(*out)[256];
	size_t	  n, max;
	const char *tag;	/* appended as ":tag" when non-empty */
};

static int
dest_add(const char *name, void *arg)
{
	struct dests	*d = arg;
	int		 r;

	if (*name == '\0')
		return 0;
	if (d->n >= d->max)
		return -1;
	r = snprintf(d->out[d->n], 256, "%s%s%s", name,
	    d->tag != NULL && *d->tag != '\0' ? ":" : "",
	    d->tag != NULL ? d->tag : "");
	if (r < 0 || r >= 256)
		return -1;
	d->n++;
	return 0;
}

/* Whether an image reference has a tag or a digest. */
static int
ref_has_tag(const char *ref)
{
	const char	*slash = strrchr(ref, '/');

	return strchr(ref, '@') != NULL ||
	    strchr(slash != NULL ? slash : ref, ':') != NULL;
}

int
owner_dest_names(const char *m, const char *route, size_t len,
    const char *q, size_t qlen, char out[][256], size_t max, int *pull)
{
	struct dests	 d = { out, 0, max, NULL };
	char		 tag[256], src[2048];
	const char	*key = NULL;
	int		 r;

	*pull = 0;
	if (strcmp(m, "POST") != 0 || q == NULL)
		return 0;
	if (is(route, len, "/build")) {
		key = "t";
	} else if (is(route, len, "/commit") ||
	    (len > 12 && memcmp(route, "/images/", 8) == 0 &&
	    memcmp(route + len - 4, "/tag", 4) == 0)) {
		key = "repo";
	} else if (is(route, len, "/images/create")) {
		r = docker_query_get(q, qlen, "fromImage", tag, sizeof(tag));
		if (r == -1)
			return -1;
		if (r == 1 && tag[0] != '\0') {
			key = "fromImage";
			*pull = 1;
			snprintf(src, sizeof(src), "%s", tag);
		} else {
			if (docker_query_get(q, qlen, "fromSrc", src,
			    sizeof(src)) == -1)
				return -1;
			key = "repo";
		}
	} else
		return 0;
	if (strcmp(key, "t") != 0) {
		r = docker_query_get(q, qlen, "tag", tag, sizeof(tag));
		if (r == -1)
			return -1;
		/* A digest pins content: nothing to take over. */
		if (r == 1 && strchr(tag, ':') == NULL)
			d.tag = tag;
		else if (r == 1)
			return 0;
		/* No tag anywhere: dockerd pulls every tag of the name. */
		if (*pull && (r == 0 || tag[0] == '\0') &&
		    !ref_has_tag(src))
			return -2;
	}
	if (query_each(q, qlen, key, dest_add, &d) == -1)
		return -1;
	return (int)d.n;
}

/*
 * Whether changes= text could set the owner label.  dockerd joins the
 * values with line breaks and reads them as a Dockerfile: '$' expands
 * variables (in label keys too), a trailing escape ('\\', or '`' after
 * an escape directive) continues into the next value, such as the
 * owner LABEL sockguard appends to an import.  None of those are let in.
 */
static int
change_ok(const char *v, void *arg)
{
	const char	*label = arg;
	char		 flat[OWNER_QUERY_MAX];
	size_t		 n = 0;

	if (strpbrk(v, "$\\`\r\n") != NULL ||
	    v[strspn(v, " \t")] == '#')
		return -1;
	/* Quotes could split the key: drop them first. */
	for (; *v != '\0' && n + 1 < sizeof(flat); v++)
		if (*v != '"' && *v != '\'')
			flat[n++] = *v;
	flat[n] = '\0';
	return strcasestr(flat, label) != NULL ? -1 : 0;
}

int
owner_changes_check(const char *q, size_t qlen, const char *label,
    char *why, size_t whylen)
{
	if (query_each(q, qlen, "changes", change_ok, (void *)label) == -1) {
		snprintf(why, whylen, "changes= may not mention label %s, "
		    "hold '$', '\\', '`' or a line break, or start with '#' "
		    "(or it cannot be read)", label);
		return -1;
	}
	return 0;
}

char *
owner_import_query(const char *q, size_t qlen, const char *label,
    const char *owner)
{
	char	*out, *enc, change[2 * OWNER_MAX + 16];
	size_t	 n;

	snprintf(change, sizeof(change), "LABEL %s=%s", label, owner);
	n = 3 * strlen(change) + 4;
	enc = xmalloc(n);
	pct_encode(change, enc, n);
	xasprintf(&out, "%.*s%schanges=%s", (int)qlen, q != NULL ? q : "",
	    qlen > 0 ? "&" : "", enc);
	free(enc);
	return out;
}

/* filters= with label=LABEL=OWNER added to the client's. */
static char *
owner_filters(const char *q, size_t qlen, const char *label,
    const char *owner, char *why, size_t whylen)
{
	char		*raw, *dumped, *out, pair[2 * OWNER_MAX + 2];
	const char	*k, *k2;
	json_t		*f = NULL, *l, *set = NULL, *v;
	size_t		 i;
	int		 r;

	raw = xmalloc(OWNER_QUERY_MAX);
	r = q != NULL ? docker_query_get(q, qlen, "filters", raw,
	    OWNER_QUERY_MAX) : 0;
	if (r == -1) {
		free(raw);
		owner_fail(why, whylen, "the filters parameter is ambiguous "
		    "or too long");
		return NULL;
	}
	if (r == 1 && raw[0] != '\0') {
		f = json_body_parse(raw, strlen(raw), 1, why, whylen);
		if (f == NULL) {
			free(raw);
			return NULL;
		}
	} else
		f = json_object();
	free(raw);
	/*
	 * {"k": ["a"]} or {"k": {"a": true}}: dockerd takes either form,
	 * but not the two mixed, so every key is written in the map form.
	 */
	json_object_foreach(f, k, l) {
		set = json_object();
		if (json_is_array(l)) {
			json_array_foreach(l, i, v) {
				if (!json_is_string(v))
					goto bad;
				json_object_set_new(set, json_string_value(v),
				    json_true());
			}
		} else if (json_is_object(l)) {
			json_object_foreach(l, k2, v)
				if (!json_is_boolean(v))
					goto bad;
			json_object_update(set, l);
		} else
			goto bad;
		json_object_set_new(f, k, set);
	}
	set = json_object_get(f, "label");
	if (set == NULL) {
		set = json_object();
		json_object_set_new(f, "label", set);
	}
	snprintf(pair, sizeof(pair), "%s=%s", label, owner);
	json_object_set_new(set, pair, json_true());
	set = NULL;		/* f's now */
	if ((dumped = json_dumps(f, JSON_COMPACT)) == NULL)
		goto bad;
	json_decref(f);
	out = query_replace(q != NULL ? q : "", q != NULL ? qlen : 0,
	    "filters", dumped);
	free(dumped);
	if (out == NULL)
		owner_fail(why, whylen, "the query has an encoded parameter "
		    "name");
	return out;
bad:
	json_decref(set);
	json_decref(f);
	owner_fail(why, whylen, "the filters parameter is not what dockerd "
	    "reads");
	return NULL;
}

/* labels= (a JSON object of strings) with the owner label added. */
static char *
owner_build_labels(const char *q, size_t qlen, const char *label,
    const char *owner, char *why, size_t whylen)
{
	char		*raw, *dumped, *out;
	json_t		*l;
	const char	*v;
	int		 r;

	raw = xmalloc(OWNER_QUERY_MAX);
	r = q != NULL ? docker_query_get(q, qlen, "labels", raw,
	    OWNER_QUERY_MAX) : 0;
	if (r == -1) {
		free(raw);
		owner_fail(why, whylen, "the labels parameter is ambiguous "
		    "or too long");
		return NULL;
	}
	l = r == 1 && raw[0] != '\0' ?
	    json_body_parse(raw, strlen(raw), 1, why, whylen) : json_object();
	free(raw);
	if (l == NULL)
		return NULL;
	v = json_string_value(json_object_get(l, label));
	if (json_object_get(l, label) != NULL &&
	    (v == NULL || strcmp(v, owner) != 0)) {
		json_decref(l);
		snprintf(why, whylen, "label %s may only be %s here", label,
		    owner);
		return NULL;
	}
	json_object_set_new(l, label, json_string(owner));
	dumped = json_dumps(l, JSON_COMPACT);
	json_decref(l);
	if (dumped == NULL) {
		owner_fail(why, whylen, "out of memory");
		return NULL;
	}
	out = query_replace(q != NULL ? q : "", q != NULL ? qlen : 0,
	    "labels", dumped);
	free(dumped);
	/* Build containers (of failed steps too) go with the build. */
	out = query_set_then(out, "rm", "1");
	out = query_set_then(out, "forcerm", "1");
	if (out == NULL)
		owner_fail(why, whylen, "the query has an encoded parameter "
		    "name");
	return out;
}

/*
 * A build's RUN steps join networkmode: an owned network cannot be told
 * from another's without a look-up, so only the built-in ones.
 */
static int
owner_build_network(const char *q, size_t qlen, char *why, size_t whylen)
{
	char	v[64];
	int	r;

	r = q != NULL ? docker_query_get(q, qlen, "networkmode", v,
	    sizeof(v)) : 0;
	if (r == 0 || (r == 1 && (v[0] == '\0' || strcmp(v, "default") == 0 ||
	    strcmp(v, "bridge") == 0 || strcmp(v, "none") == 0)))
		return 0;
	return owner_fail(why, whylen, "a build's network may only be "
	    "default, bridge or none here");
}

char *
owner_query(enum owner_kind k, const char *q, size_t qlen, const char *label,
    const char *owner, char *why, size_t whylen)
{
	if (k == OWN_BUILD)
		return owner_build_network(q, qlen, why, whylen) == -1 ? NULL :
		    owner_build_labels(q, qlen, label, owner, why, whylen);
	return owner_filters(q, qlen, label, owner, why, whylen);
}

/* ------------------------------------------------------------ bodies */

int
owner_label_body(json_t *body, const char *label, const char *owner,
    char *why, size_t whylen)
{
	json_t		*labels, *cur;
	const char	*v;

	if (body == NULL || json_is_null(body))
		return 0;
	if (!json_is_object(body))
		return owner_fail(why, whylen, "the body is not an object");
	labels = json_field(body, "Labels");
	if (labels == NULL || json_is_null(labels)) {
		if (labels != NULL)	/* replace null in place, any case */
			json_object_foreach(body, v, cur)
				if (cur == labels)
					break;
		json_object_set_new(body, labels != NULL ? v : "Labels",
		    json_pack("{ss}", label, owner));
		return 1;
	}
	if (!json_is_object(labels))
		return owner_fail(why, whylen, "Labels is not an object");
	cur = json_object_get(labels, label);
	if (cur != NULL) {
		v = json_string_value(cur);
		if (v != NULL && strcmp(v, owner) == 0)
			return 0;
		snprintf(why, whylen, "label %s may only be %s here", label,
		    owner);
		return -1;
	}
	json_object_set_new(labels, label, json_string(owner));
	return 1;
}

/* A network name a container may use without owning it. */
static int
network_builtin(const char *n)
{
	return *n == '\0' || strcmp(n, "default") == 0 ||
	    strcmp(n, "bridge") == 0 || strcmp(n, "none") == 0 ||
	    strcmp(n, "host") == 0 || strncmp(n, "container:", 10) == 0;
}

static void
ref_add(struct owner_ref *out, size_t max, size_t *n,
    enum owner_ref_kind kind, json_t *node, const char *name, size_t len)
{
	if (*n < max) {
		out[*n].kind = kind;
		out[*n].node = node;
		snprintf(out[*n].name, sizeof(out[*n].name), "%.*s", (int)len,
		    name);
	}
	(*n)++;
}

/* Named volumes of a create: Binds "name:/dst" and volume Mounts. */
static void
refs_volumes(json_t *hc, struct owner_ref *out, size_t max, size_t *n)
{
	json_t		*a, *v;
	const char	*s, *c, *t;
	size_t		 i;

	a = json_field(hc, "Binds");
	json_array_foreach(a, i, v) {
		if ((s = json_string_value(v)) == NULL || *s == '/')
			continue;
		if ((c = strchr(s, ':')) != NULL && c > s)
			ref_add(out, max, n, OREF_VOLUME, NULL, s,
			    (size_t)(c - s));
	}
	a = json_field(hc, "Mounts");
	json_array_foreach(a, i, v) {
		t = json_string_value(json_field(v, "Type"));
		s = json_string_value(json_field(v, "Source"));
		if (t != NULL && strcmp(t, "volume") == 0 && s != NULL &&
		    *s != '\0')
			ref_add(out, max, n, OREF_VOLUME, NULL, s, strlen(s));
	}
}

/*
 * An endpoint's NetworkID: dockerd attaches to it rather than to the
 * network the path or the EndpointsConfig key names.
 */
static void
refs_network_id(json_t *endpoint, struct owner_ref *out, size_t max,
    size_t *n)
{
	const char	*s;

	s = json_string_value(json_field(endpoint, "NetworkID"));
	if (s != NULL && !network_builtin(s))
		ref_add(out, max, n, OREF_NETWORK, NULL, s, strlen(s));
}

enum owner_kind
owner_ref_object(enum owner_ref_kind k)
{
	switch (k) {
	case OREF_VOLUME:
	case OREF_NEW_VOLUME:	return OWN_VOLUME;
	case OREF_NETWORK:	return OWN_NETWORK;
	case OREF_CONTAINER:	return OWN_CONTAINER;
	default:		return OWN_IMAGE;
	}
}

int
owner_create_body(const char *route, size_t len, json_t *body)
{
	const char	*k;
	json_t		*v;
	void		*tmp;

	if (!is(route, len, "/networks/create") || !json_is_object(body))
		return 0;
	/* Every spelling dockerd would read as the field goes. */
	json_object_foreach_safe(body, tmp, k, v)
		if (json_key_fold_equal(k, strlen(k), "CheckDuplicate", 14))
			json_object_del(body, k);
	json_object_set_new(body, "CheckDuplicate", json_true());
	return 1;
}

size_t
owner_refs(const char *route, size_t len, json_t *body,
    struct owner_ref *out, size_t max)
{
	json_t		*hc, *ec, *v;
	const char	*s, *k;
	size_t		 n = 0, rl;

	if (!json_is_object(body))
		return 0;
	if (is(route, len, "/containers/create")) {
		s = json_string_value(json_field(body, "Image"));
		if (s != NULL && *s != '\0')
			ref_add(out, max, &n, OREF_IMAGE, NULL, s, strlen(s));
		hc = json_field(body, "HostConfig");
		refs_volumes(hc, out, max, &n);
		s = json_string_value(json_field(hc, "NetworkMode"));
		if (s != NULL && !network_builtin(s))
			ref_add(out, max, &n, OREF_NETWORK, NULL, s, strlen(s));
		ec = json_field(json_field(body, "NetworkingConfig"),
		    "EndpointsConfig");
		json_object_foreach(ec, k, v) {
			if (!network_builtin(k) &&
			    (s == NULL || strcmp(k, s) != 0))
				ref_add(out, max, &n, OREF_NETWORK, NULL, k,
				    strlen(k));
			refs_network_id(v, out, max, &n);
		}
		return n;
	}
	if (is(route, len, "/volumes/create")) {
		s = json_string_value(json_field(body, "Name"));
		if (s != NULL && *s != '\0')
			ref_add(out, max, &n, OREF_NEW_VOLUME, NULL, s,
			    strlen(s));
		return n;
	}
	rl = len;
	if (under(route, len, "/networks/") && rl > 8 &&
	    (memcmp(route + rl - 8, "/connect", 8) == 0 ||
	    (rl > 11 && memcmp(route + rl - 11, "/disconnect", 11) == 0))) {
		v = json_field(body, "Container");
		if ((s = json_string_value(v)) != NULL)
			ref_add(out, max, &n, OREF_CONTAINER, v, s, strlen(s));
		refs_network_id(json_field(body, "EndpointConfig"), out, max,
		    &n);
	}
	return n;
}

/* ------------------------------------------------------------ lists */

/* Keeps the elements of a whose Labels pass: own, or shared if allowed. */
static int
filter_array(json_t *a, const char *label, const char *owner, int shared)
{
	json_t		*e;
	const char	*v;
	size_t		 i;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return -1;
	for (i = 0; i < json_array_size(a);) {
		e = json_array_get(a, i);
		v = label_of(json_object_get(e, "Labels"), label);
		if ((v != NULL && strcmp(v, owner) == 0) ||
		    (v == NULL && shared && image_named(e)))
			i++;
		else
			json_array_remove(a, i);
	}
	return 0;
}

int
owner_filter_answer(const char *route, size_t len, json_t *a,
    const char *label, const char *owner)
{
	if (is(route, len, "/images/json"))
		return filter_array(a, label, owner, 1);
	if (!is(route, len, "/system/df") || !json_is_object(a))
		return -1;
	if (filter_array(json_object_get(a, "Images"), label, owner, 1) == -1 ||
	    filter_array(json_object_get(a, "Containers"), label, owner,
	    0) == -1 ||
	    filter_array(json_object_get(a, "Volumes"), label, owner, 0) == -1)
		return -1;
	/* Build cache records carry no owner. */
	if (json_object_get(a, "BuildCache") != NULL)
		json_object_set_new(a, "BuildCache", json_array());
	return 0;
}

int
owner_event_visible(json_t *ev, const char *label, const char *owner)
{
	const char	*type, *v;

	type = json_string_value(json_object_get(ev, "Type"));
	if (type == NULL || (strcmp(type, "container") != 0 &&
	    strcmp(type, "image") != 0))
		return 0;
	v = json_string_value(json_object_get(json_object_get(
	    json_object_get(ev, "Actor"), "Attributes"), label));
	return v != NULL && strcmp(v, owner) == 0;
}
