/* YAML configuration -> struct config, strict, with line:column errors. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config.h"
#include "owner.h"
#include "xmalloc.h"
#include "yamlfile.h"

#define CONFIG_MAX_FILE		(1024 * 1024)

struct cfgctx {
	const char	*name;
	yaml_document_t	*doc;
	char		*err;
	size_t		 errlen;
	yaml_node_t	*n_upstream;	/* value nodes, for later checks */
	yaml_node_t	*n_mrl;
	yaml_node_t	*n_mhb;
	yaml_node_t	*n_listen[64];
};

static int	 cfg_error(struct cfgctx *, yaml_node_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static const char *cfg_scalar(struct cfgctx *, yaml_node_t *, const char *);
static int	 cfg_string(struct cfgctx *, yaml_node_t *, const char *,
		    char **);
static int	 cfg_size(struct cfgctx *, yaml_node_t *, const char *,
		    size_t, size_t *);
static int	 cfg_duration(struct cfgctx *, yaml_node_t *, const char *,
		    unsigned *);
static int	 cfg_listen_one(struct cfgctx *, yaml_node_t *,
		    struct listen_conf *);
static int	 cfg_listen(struct cfgctx *, yaml_node_t *, struct config *);
static int	 cfg_limits(struct cfgctx *, yaml_node_t *, struct limits *);
static int	 cfg_audit(struct cfgctx *, yaml_node_t *, struct config *);
static int	 cfg_root(struct cfgctx *, yaml_node_t *, struct config *);
static int	 cfg_validate(struct cfgctx *, yaml_node_t *, struct config *);

/* Writes "name:line:col: message" and returns -1. */
static int
cfg_error(struct cfgctx *c, yaml_node_t *n, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n != NULL)
		snprintf(c->err, c->errlen, "%s:%zu:%zu: %s", c->name,
		    (size_t)n->start_mark.line + 1,
		    (size_t)n->start_mark.column + 1, msg);
	else
		snprintf(c->err, c->errlen, "%s: %s", c->name, msg);
	return -1;
}

/* Returns the scalar text of n, or NULL after reporting what was wanted. */
static const char *
cfg_scalar(struct cfgctx *c, yaml_node_t *n, const char *what)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		cfg_error(c, n, "%s must be a scalar", what);
		return NULL;
	}
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
		cfg_error(c, n, "%s contains a NUL byte", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

/* Copies a non-empty scalar into *out (replacing any earlier value). */
static int
cfg_string(struct cfgctx *c, yaml_node_t *n, const char *what, char **out)
{
	const char	*s;

	if ((s = cfg_scalar(c, n, what)) == NULL)
		return -1;
	if (*s == '\0')
		return cfg_error(c, n, "%s must not be empty", what);
	free(*out);
	*out = xstrdup(s);
	return 0;
}

int
config_parse_size(const char *s, size_t max, size_t *out)
{
	static const struct { const char *sfx; unsigned long long mul; } u[] = {
		{ "", 1 }, { "B", 1 }, { "K", 1000 }, { "KB", 1000 },
		{ "KiB", 1024 }, { "M", 1000000 }, { "MB", 1000000 },
		{ "MiB", 1024 * 1024 }, { "G", 1000000000ULL },
		{ "GB", 1000000000ULL }, { "GiB", 1024ULL * 1024 * 1024 },
	};
	unsigned long long	 v;
	char			*end;
	size_t			 i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	while (*end == ' ')
		end++;
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (strcmp(end, u[i].sfx) != 0)
			continue;
		if (v > max / u[i].mul)
			return -1;
		*out = (size_t)(v * u[i].mul);
		return 0;
	}
	return -1;
}

int
config_parse_duration(const char *s, unsigned *out_ms)
{
	static const struct { const char *sfx; unsigned long long mul; } u[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 },
	};
	unsigned long long	 v;
	char			*end;
	size_t			 i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	for (i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		if (strcmp(end, u[i].sfx) != 0)
			continue;
		if (v > UINT_MAX / u[i].mul)
			return -1;
		*out_ms = (unsigned)(v * u[i].mul);
		return 0;
	}
	return -1;
}

/* Reads a size scalar bounded by [1, max]. */
static int
cfg_size(struct cfgctx *c, yaml_node_t *n, const char *what, size_t max,
    size_t *out)
{
	const char	*s;
	size_t		 v;

	if ((s = cfg_scalar(c, n, what)) == NULL)
		return -1;
	if (config_parse_size(s, max, &v) == -1 || v == 0)
		return cfg_error(c, n, "%s: \"%s\" is not a size between 1 and "
		    "%zu (e.g. 4096, 64KiB, 1MiB)", what, s, max);
	*out = v;
	return 0;
}

/* Reads a duration scalar, at least 1 ms. */
static int
cfg_duration(struct cfgctx *c, yaml_node_t *n, const char *what,
    unsigned *out)
{
	const char	*s;
	unsigned	 v;

	if ((s = cfg_scalar(c, n, what)) == NULL)
		return -1;
	if (config_parse_duration(s, &v) == -1 || v == 0)
		return cfg_error(c, n, "%s: \"%s\" is not a duration "
		    "(e.g. 500ms, 15s, 2m)", what, s);
	*out = v;
	return 0;
}

/* Parses an octal file mode such as "0660". */
static int
cfg_mode(struct cfgctx *c, yaml_node_t *n, mode_t *out)
{
	const char	*s;
	char		*end;
	unsigned long	 v;

	if ((s = cfg_scalar(c, n, "mode")) == NULL)
		return -1;
	errno = 0;
	v = strtoul(s, &end, 8);
	if (!isdigit((unsigned char)*s) || *end != '\0' || errno != 0 ||
	    v > 0777)
		return cfg_error(c, n, "mode: \"%s\" is not an octal mode "
		    "such as \"0660\" (quote it in YAML)", s);
	if (v & 0111)
		return cfg_error(c, n, "mode: \"%s\" sets execute bits, which "
		    "mean nothing on a socket", s);
	if (v & 0002)
		return cfg_error(c, n, "mode: \"%s\" lets every local user "
		    "connect; give access through a group instead", s);
	*out = (mode_t)v;
	return 0;
}

/*
 * Resolves a user or group (what: "owner" or "group") given by number or
 * by name; a number is taken as it is, without a look-up.
 */
static int
cfg_id(struct cfgctx *c, yaml_node_t *n, const char *what, unsigned *out)
{
	const char	*s;
	struct passwd	*pw;
	struct group	*gr;
	char		*end;
	unsigned long	 v;

	if ((s = cfg_scalar(c, n, what)) == NULL)
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (isdigit((unsigned char)*s) && *end == '\0' && errno == 0 &&
	    v < UINT_MAX) {
		*out = (unsigned)v;
		return 0;
	}
	if (what[0] == 'o') {
		if ((pw = getpwnam(s)) == NULL)
			return cfg_error(c, n, "owner: no such user \"%s\"", s);
		*out = pw->pw_uid;
	} else {
		if ((gr = getgrnam(s)) == NULL)
			return cfg_error(c, n, "group: no such group \"%s\"",
			    s);
		*out = gr->gr_gid;
	}
	return 0;
}

/* A relative path is taken from the configuration file's directory. */
static void
cfg_relpath(struct cfgctx *c, char **path)
{
	const char	*slash = strrchr(c->name, '/');
	char		*abs;

	if (*path == NULL || (*path)[0] == '/' || slash == NULL)
		return;
	xasprintf(&abs, "%.*s/%s", (int)(slash - c->name), c->name, *path);
	free(*path);
	*path = abs;
}

#define FOREACH_PAIR(c, map, pair)					\
	for ((pair) = (map)->data.mapping.pairs.start;			\
	    (pair) < (map)->data.mapping.pairs.top; (pair)++)

/* tls: of a tcp: listener: cert, key, client_ca (required), crl. */
static int
cfg_tls(struct cfgctx *c, yaml_node_t *n, struct tls_conf *t)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;
	const char		*key;
	char			**dst;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_error(c, n, "tls must be a mapping with cert, key "
		    "and client_ca");
	FOREACH_PAIR(c, n, p) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if ((key = cfg_scalar(c, k, "a key")) == NULL)
			return -1;
		if (strcmp(key, "cert") == 0)
			dst = &t->cert;
		else if (strcmp(key, "key") == 0)
			dst = &t->key;
		else if (strcmp(key, "client_ca") == 0)
			dst = &t->client_ca;
		else if (strcmp(key, "crl") == 0)
			dst = &t->crl;
		else
			return cfg_error(c, k, "unknown tls key \"%s\" "
			    "(expected cert, key, client_ca, crl)", key);
		if (*dst != NULL)
			return cfg_error(c, k, "tls: %s is given twice", key);
		if (cfg_string(c, v, key, dst) == -1)
			return -1;
		cfg_relpath(c, dst);
	}
	if (t->cert == NULL || t->key == NULL || t->client_ca == NULL)
		return cfg_error(c, n, "tls needs cert, key and client_ca: "
		    "sockguard always requires a client certificate signed "
		    "by client_ca");
	return 0;
}

/* unix: PATH or tcp: ADDR, the kind of a listen entry. */
static int
cfg_listen_kind(struct cfgctx *c, yaml_node_t *k, yaml_node_t *v,
    const char *key, struct listen_conf *l)
{
	l->kind = key[0] == 'u' ? LISTEN_UNIX : LISTEN_TCP;
	if (cfg_string(c, v, key,
	    l->kind == LISTEN_UNIX ? &l->path : &l->addr) == -1)
		return -1;
	if (l->kind == LISTEN_TCP) {
		if (config_parse_addr(l->addr, &l->sa, &l->salen) == -1)
			return cfg_error(c, v, "tcp: \"%s\" is not HOST:PORT "
			    "with a numeric address (e.g. \"0.0.0.0:2376\", "
			    "\"[::]:2376\", \"127.0.0.1:2376\")", l->addr);
		return 0;
	}
	if (l->path[0] != '/')
		return cfg_error(c, v, "unix: \"%s\" must be an absolute "
		    "path", l->path);
	if (strlen(l->path) >= 108)
		return cfg_error(c, v, "unix: path is longer than a socket "
		    "address holds (107 bytes)");
	return 0;
}

/*
 * reap_on_exit: OWNER, once the whole entry is read (${listener} is its
 * name, which may come after it).  One value for every client of the
 * listener, checked as `sockguard reap` checks its OWNER.
 */
static int
cfg_reap_on_exit(struct cfgctx *c, yaml_node_t *v, struct listen_conf *l)
{
	const char	*s;
	char		 owner[OWNER_MAX + 1], why[256];

	if ((s = cfg_scalar(c, v, "reap_on_exit")) == NULL)
		return -1;
	if (owner_expand_listener(s, l->name, owner, sizeof(owner), why,
	    sizeof(why)) == -1)
		return cfg_error(c, v, "reap_on_exit: %s", why);
	l->reap_owner = xstrdup(owner);
	l->reap_line = (size_t)v->start_mark.line + 1;
	l->reap_col = (size_t)v->start_mark.column + 1;
	return 0;
}

/* One entry of listen: a mapping with unix: or tcp: and its options. */
static int
cfg_listen_one(struct cfgctx *c, yaml_node_t *n, struct listen_conf *l)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v, *n_tls = NULL, *n_unixopt = NULL;
	yaml_node_t		*n_reap = NULL;
	const char		*key;
	int			 seen_kind = 0;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_error(c, n, "a listen entry must be a mapping "
		    "(e.g. \"- unix: /run/sockguard/docker.sock\")");
	l->mode = 0600;
	FOREACH_PAIR(c, n, p) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if ((key = cfg_scalar(c, k, "a key")) == NULL)
			return -1;
		if (strcmp(key, "unix") == 0 || strcmp(key, "tcp") == 0) {
			if (seen_kind++)
				return cfg_error(c, k, "a listen entry takes "
				    "one of unix: or tcp:, once");
			if (cfg_listen_kind(c, k, v, key, l) == -1)
				return -1;
		} else if (strcmp(key, "name") == 0) {
			if (cfg_string(c, v, key, &l->name) == -1)
				return -1;
		} else if (strcmp(key, "reap_on_exit") == 0) {
			if (n_reap != NULL)
				return cfg_error(c, k, "reap_on_exit is given "
				    "twice");
			n_reap = v;
		} else if (strcmp(key, "tls") == 0) {
			n_tls = k;
			if (cfg_tls(c, v, &l->tls) == -1)
				return -1;
		} else if (strcmp(key, "mode") == 0) {
			n_unixopt = k;
			if (cfg_mode(c, v, &l->mode) == -1)
				return -1;
		} else if (strcmp(key, "owner") == 0 ||
		    strcmp(key, "group") == 0) {
			unsigned id = 0;

			n_unixopt = k;
			if (cfg_id(c, v, key, &id) == -1)
				return -1;
			if (key[0] == 'o') {
				l->owner = (uid_t)id;
				l->has_owner = 1;
			} else {
				l->group = (gid_t)id;
				l->has_group = 1;
			}
		} else
			return cfg_error(c, k, "unknown listen key \"%s\" "
			    "(expected unix or tcp, name, mode, owner, group, "
			    "tls, reap_on_exit)", key);
	}
	if (n_reap != NULL && cfg_reap_on_exit(c, n_reap, l) == -1)
		return -1;
	if (!seen_kind)
		return cfg_error(c, n, "a listen entry needs unix: PATH or "
		    "tcp: HOST:PORT");
	if (l->kind == LISTEN_TCP && l->tls.cert == NULL)
		return cfg_error(c, n, "tcp: %s has no tls: block; sockguard "
		    "never serves the Docker API over a network without "
		    "mutual TLS (give tls: cert, key and client_ca)", l->addr);
	if (l->kind == LISTEN_UNIX && n_tls != NULL)
		return cfg_error(c, n_tls, "tls: applies to tcp: listeners "
		    "only");
	if (l->kind == LISTEN_TCP && n_unixopt != NULL)
		return cfg_error(c, n_unixopt, "mode, owner and group apply "
		    "to unix: listeners only");
	return 0;
}

/* listen: a sequence of listener mappings. */
static int
cfg_listen(struct cfgctx *c, yaml_node_t *n, struct config *cf)
{
	yaml_node_item_t	*it;
	size_t			 i, count;

	if (n->type != YAML_SEQUENCE_NODE)
		return cfg_error(c, n, "listen must be a list of listeners");
	count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if (count == 0)
		return cfg_error(c, n, "listen must name at least one listener");
	cf->listen = xcalloc(count, sizeof(*cf->listen));
	if (count > sizeof(c->n_listen) / sizeof(c->n_listen[0]))
		return cfg_error(c, n, "listen: at most %zu listeners",
		    sizeof(c->n_listen) / sizeof(c->n_listen[0]));
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		c->n_listen[cf->nlisten] = yaml_document_get_node(c->doc, *it);
		if (cfg_listen_one(c, c->n_listen[cf->nlisten],
		    &cf->listen[cf->nlisten]) == -1) {
			cf->nlisten++;
			return -1;
		}
		cf->nlisten++;
	}
	for (i = 0; i < cf->nlisten; i++) {
		size_t j;

		for (j = 0; j < i; j++) {
			if (cf->listen[i].path && cf->listen[j].path &&
			    strcmp(cf->listen[i].path, cf->listen[j].path) == 0)
				return cfg_error(c, c->n_listen[i], "listener "
				    "%s is given twice", cf->listen[i].path);
			if (cf->listen[i].addr && cf->listen[j].addr &&
			    cf->listen[i].salen == cf->listen[j].salen &&
			    memcmp(&cf->listen[i].sa, &cf->listen[j].sa,
			    cf->listen[i].salen) == 0)
				return cfg_error(c, c->n_listen[i], "listener "
				    "%s is given twice", cf->listen[i].addr);
			if (cf->listen[i].name && cf->listen[j].name &&
			    strcmp(cf->listen[i].name, cf->listen[j].name) == 0)
				return cfg_error(c, c->n_listen[i], "listener "
				    "name %s is given twice", cf->listen[i].name);
		}
	}
	return 0;
}

/* limits: optional caps and timeouts. */
static int
cfg_limits(struct cfgctx *c, yaml_node_t *n, struct limits *lim)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;
	const char		*key;
	int			 r;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_error(c, n, "limits must be a mapping");
	FOREACH_PAIR(c, n, p) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if ((key = cfg_scalar(c, k, "a key")) == NULL)
			return -1;
		if (strcmp(key, "max_connections") == 0)
			r = cfg_size(c, v, key, 1000000, &lim->max_connections);
		else if (strcmp(key, "max_request_line") == 0) {
			c->n_mrl = v;
			r = cfg_size(c, v, key, 1024 * 1024,
			    &lim->max_request_line);
		}
		else if (strcmp(key, "max_header_bytes") == 0) {
			c->n_mhb = v;
			r = cfg_size(c, v, key, 1024 * 1024,
			    &lim->max_header_bytes);
		}
		else if (strcmp(key, "max_headers") == 0)
			r = cfg_size(c, v, key, 10000, &lim->max_headers);
		else if (strcmp(key, "max_inspect_body") == 0)
			r = cfg_size(c, v, key, 256 * 1024 * 1024,
			    &lim->max_inspect_body);
		else if (strcmp(key, "max_pending_upstream") == 0)
			r = cfg_size(c, v, key, 1000000,
			    &lim->max_pending_upstream);
		else if (strcmp(key, "header_timeout") == 0)
			r = cfg_duration(c, v, key, &lim->header_timeout_ms);
		else if (strcmp(key, "idle_timeout") == 0)
			r = cfg_duration(c, v, key, &lim->idle_timeout_ms);
		else if (strcmp(key, "drain_timeout") == 0)
			r = cfg_duration(c, v, key, &lim->drain_timeout_ms);
		else if (strcmp(key, "handshake_timeout") == 0)
			r = cfg_duration(c, v, key,
			    &lim->handshake_timeout_ms);
		else if (strcmp(key, "upstream_timeout") == 0)
			r = cfg_duration(c, v, key, &lim->upstream_timeout_ms);
		else
			r = cfg_error(c, k, "unknown limits key \"%s\"", key);
		if (r == -1)
			return -1;
	}
	return 0;
}

/* A YAML boolean: the plain words true and false only. */
static int
cfg_bool(struct cfgctx *c, yaml_node_t *n, const char *what, int *out)
{
	const char	*s;

	if ((s = cfg_scalar(c, n, what)) == NULL)
		return -1;
	if (strcmp(s, "true") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0)
		*out = 0;
	else
		return cfg_error(c, n, "%s must be true or false", what);
	return 0;
}

/* audit: where the JSON-lines audit log goes, and what a failure does. */
static int
cfg_audit(struct cfgctx *c, yaml_node_t *n, struct config *cf)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;
	const char		*key, *s;
	int			 r;

	if (n->type != YAML_MAPPING_NODE)
		return cfg_error(c, n, "audit must be a mapping");
	FOREACH_PAIR(c, n, p) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if ((key = cfg_scalar(c, k, "a key")) == NULL)
			return -1;
		if (strcmp(key, "path") == 0) {
			r = cfg_string(c, v, key, &cf->audit_path);
			if (r == 0 && cf->audit_path[0] != '/')
				r = cfg_error(c, v, "audit.path must be an "
				    "absolute path");
		} else if (strcmp(key, "syslog") == 0)
			r = cfg_bool(c, v, key, &cf->audit_syslog);
		else if (strcmp(key, "stderr") == 0)
			r = cfg_bool(c, v, key, &cf->audit_stderr);
		else if (strcmp(key, "resolve_names") == 0)
			r = cfg_bool(c, v, key, &cf->audit_resolve_names);
		else if (strcmp(key, "on_failure") == 0) {
			if ((s = cfg_scalar(c, v, key)) == NULL)
				return -1;
			if (strcmp(s, "deny") == 0)
				cf->audit_fail_open = 0;
			else if (strcmp(s, "allow") == 0)
				cf->audit_fail_open = 1;
			else
				return cfg_error(c, v, "on_failure must be deny "
				    "or allow");
			r = 0;
		} else
			r = cfg_error(c, k, "unknown audit key \"%s\" (expected "
			    "path, syslog, stderr, resolve_names, on_failure)",
			    key);
		if (r == -1)
			return -1;
	}
	return 0;
}

/* The top-level mapping. */
static int
cfg_root(struct cfgctx *c, yaml_node_t *n, struct config *cf)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;
	const char		*key;
	int			 r, seen_listen = 0;

	if (n == NULL)
		return cfg_error(c, NULL, "the file is empty");
	if (n->type != YAML_MAPPING_NODE)
		return cfg_error(c, n, "the top level must be a mapping");
	FOREACH_PAIR(c, n, p) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if ((key = cfg_scalar(c, k, "a key")) == NULL)
			return -1;
		if (strcmp(key, "upstream") == 0) {
			c->n_upstream = v;
			r = cfg_string(c, v, key, &cf->upstream);
		}
		else if (strcmp(key, "listen") == 0) {
			if (seen_listen++)
				return cfg_error(c, k, "listen is given twice");
			r = cfg_listen(c, v, cf);
		} else if (strcmp(key, "rules") == 0)
			r = cfg_string(c, v, key, &cf->rules);
		else if (strcmp(key, "audit") == 0)
			r = cfg_audit(c, v, cf);
		else if (strcmp(key, "limits") == 0)
			r = cfg_limits(c, v, &cf->limits);
		else if (strcmp(key, "sandbox") == 0)
			r = cfg_bool(c, v, key, &cf->sandbox);
		else
			r = cfg_error(c, k, "unknown key \"%s\" (expected "
			    "upstream, listen, rules, audit, limits, sandbox)",
			    key);
		if (r == -1)
			return -1;
	}
	return cfg_validate(c, n, cf);
}

/* Checks what needs the whole file. */
static int
cfg_validate(struct cfgctx *c, yaml_node_t *root, struct config *cf)
{
	if (cf->upstream == NULL)
		cf->upstream = xstrdup("/var/run/docker.sock");
	if (cf->upstream[0] != '/')
		return cfg_error(c, c->n_upstream, "upstream \"%s\" must be an "
		    "absolute path to dockerd's unix socket", cf->upstream);
	if (strlen(cf->upstream) >= 108)
		return cfg_error(c, c->n_upstream, "upstream path is longer "
		    "than a socket address holds");
	if (cf->nlisten == 0)
		return cfg_error(c, root, "listen: at least one listener is "
		    "required");
	for (size_t i = 0; i < cf->nlisten; i++)
		if (cf->listen[i].path != NULL &&
		    strcmp(cf->listen[i].path, cf->upstream) == 0)
			return cfg_error(c, c->n_upstream != NULL ?
			    c->n_upstream : c->n_listen[i], "listener %s is the "
			    "upstream socket itself", cf->upstream);
	if (cf->rules == NULL)
		return cfg_error(c, root, "rules: a rules file is required "
		    "(sockguard has no unfiltered mode; see sockguard-rules(5) "
		    "and the shipped rules/default.yaml)");
	cfg_relpath(c, &cf->rules);
	if (cf->limits.max_request_line > cf->limits.max_header_bytes)
		return cfg_error(c, c->n_mhb != NULL ? c->n_mhb : c->n_mrl,
		    "limits: max_request_line exceeds max_header_bytes");
	return 0;
}

/* Default limits, before the file overrides them. */
static void
config_defaults(struct limits *lim)
{
	lim->max_connections = 1024;
	lim->max_request_line = 16 * 1024;
	lim->max_header_bytes = 64 * 1024;
	lim->max_headers = 100;
	lim->max_inspect_body = 1024 * 1024;
	lim->max_pending_upstream = 256;
	lim->header_timeout_ms = 15000;
	lim->idle_timeout_ms = 120000;
	lim->drain_timeout_ms = 10000;
	lim->handshake_timeout_ms = 10000;
	lim->upstream_timeout_ms = 10 * 60 * 1000;
}

int
config_parse(const char *name, const unsigned char *buf, size_t len,
    struct config **out, char *err, size_t errlen)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc;
	struct cfgctx	 c = { .name = name, .doc = &doc, .err = err,
			    .errlen = errlen };
	struct config	*cf;
	int		 r;

	*out = NULL;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise YAML parser", name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yamlfile_error(name, &parser, buf, len, err, errlen);
		yaml_parser_delete(&parser);
		return -1;
	}
	if (yamlfile_one_document(name, "the configuration", &parser, buf,
	    len, err, errlen) == -1) {
		yaml_document_delete(&doc);
		yaml_parser_delete(&parser);
		return -1;
	}
	cf = xcalloc(1, sizeof(*cf));
	cf->file = xstrdup(name);
	cf->audit_resolve_names = 1;
	cf->sandbox = 1;
	config_defaults(&cf->limits);
	r = cfg_root(&c, yaml_document_get_root_node(&doc), cf);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r == -1) {
		config_free(cf);
		return -1;
	}
	*out = cf;
	return 0;
}

int
config_load(const char *file, struct config **out, char *err, size_t errlen)
{
	unsigned char	*buf;
	size_t		 len;
	int		 r;

	*out = NULL;
	if ((buf = yamlfile_read(file, CONFIG_MAX_FILE, &len, err, errlen))
	    == NULL)
		return -1;
	r = config_parse(file, buf, len, out, err, errlen);
	free(buf);
	return r;
}

void
config_free(struct config *cf)
{
	size_t	i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nlisten; i++) {
		free(cf->listen[i].name);
		free(cf->listen[i].path);
		free(cf->listen[i].addr);
		free(cf->listen[i].tls.cert);
		free(cf->listen[i].tls.key);
		free(cf->listen[i].tls.client_ca);
		free(cf->listen[i].tls.crl);
		free(cf->listen[i].reap_owner);
		free(cf->listen[i].reap_label);
	}
	free(cf->listen);
	free(cf->file);
	free(cf->upstream);
	free(cf->rules);
	free(cf->audit_path);
	free(cf);
}

const char *
listen_label(const struct listen_conf *l)
{
	if (l->name != NULL)
		return l->name;
	return l->kind == LISTEN_UNIX ? l->path : l->addr;
}

int
config_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*colon, *port;
	char			 host[INET6_ADDRSTRLEN + 1], *end;
	size_t			 hlen;
	unsigned long		 v;
	int			 bracket = s[0] == '[';

	memset(ss, 0, sizeof(*ss));
	if (bracket) {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		hlen = (size_t)(colon - s - 1);
		port = colon + 2;
		s++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		hlen = (size_t)(colon - s);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host) || !isdigit((unsigned char)*port))
		return -1;
	errno = 0;
	v = strtoul(port, &end, 10);
	if (*end != '\0' || errno != 0 || v == 0 || v > 65535)
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1 && !bracket) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)v);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1 &&
	    bracket) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)v);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}
