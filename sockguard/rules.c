/*
 * Rules file (YAML) -> struct ruleset, strict, with line:column errors.
 *
 * The format, version 1 (man/sockguard-rules.5 is the reference):
 *
 *	version: 1			# required, must be 1
 *	default_profile: default	# required; names a profile
 *	identities:			# optional list; first match wins
 *	  - match:			# every key given must match (AND);
 *					# at least one key
 *	      cert_cn: "ci-runner-*"	# fnmatch(3) globs on the verified
 *	      cert_san: "DNS:*.ci"	# client certificate: cert_cn,
 *	      cert_fingerprint: ...	# cert_san (any SAN, with or without
 *	      cert_issuer: ...		# its "DNS:" prefix), cert_fingerprint
 *	      cert_subject: ...		# (sha256, lower-cased, ':' dropped;
 *					# 64 hex digits unless a glob),
 *					# cert_issuer, cert_subject
 *	      uid: 1000			# unix peer uid: number or user name
 *	      gid: developers		# unix peer gid: number or group name
 *	      listener: ci		# the listener's name, exactly
 *	    profile: ci			# names a profile
 *	profiles:			# name -> profile; at least one;
 *	  default:			# names are [A-Za-z0-9._-]+
 *	    mode: enforce		# enforce (default) or audit
 *	    endpoints:			# first match wins; none: deny all
 *	      - allow: "GET,HEAD /containers/json"  # "METHODS /PATTERN"
 *	        name: read-only		# optional, default "endpoints[N]"
 *	      - deny: "* /plugins"	# exactly one of allow/deny
 *	    containers:			# every key optional; safe defaults
 *	      privileged: false
 *	      capabilities: {allow_add: []}	# NET_ADMIN, cap_net_admin, ALL
 *	      host_namespaces: false
 *	      devices: false
 *	      unconfined: false
 *	      bind_mounts:
 *	        deny: [...]		# absent: rules_default_bind_deny;
 *					# []: none
 *	        allow: []		# empty: any path not denied
 *	        propagation: false
 *	        resolve_symlinks: true
 *	      sysctls: {allow: []}	# fnmatch(3) globs on sysctl names
 *	      runtimes: [runc]		# absent: [runc]
 *	      log_drivers: [...]	# absent: rules_default_log_drivers
 *	      volume_drivers: false
 *	      cgroup_parent: false
 *	      joins: checked
 *	      require: {non_root_user: false, read_only_rootfs: false,
 *	          no_new_privileges: false, memory_limit: false,
 *	          pids_limit: false}
 *	    images:
 *	      registries: []		# hosts[:port]; empty: any registry
 *	    build: {buildkit: false, host_network: false}
 *	    exec: {privileged: false}
 *
 * Identity rules: cert_* keys never match a client without a verified
 * certificate, uid and gid only unix clients.  uid and gid are decimal
 * (below 4294967295) or a name looked up when the file is loaded.
 * Registries are "host" or "host:port" (IPv6 as "[addr]:port"), stored
 * lower-case, with index.docker.io and registry-1.docker.io as docker.io.
 * Paths are absolute and stored cleaned (rules_path_clean), capability
 * names normalised (rules_cap_norm) and then [A-Z0-9_]+.
 *
 * METHODS is "*" or a comma list of GET HEAD POST PUT DELETE OPTIONS PATCH
 * (any case).  PATTERN starts with "/"; each segment is literal, or "*"
 * for exactly one segment, or, once per pattern, "**" for zero or more
 * (anywhere: "/images/{**}/get" matches names with slashes); no
 * empty, "." or ".." segments, no "?" or "#".  Booleans are the plain
 * words true and false only (not yes/no/on/off, not quoted).  Lists and
 * mappings must be written as such: an empty value is an error, never
 * "none", so that "deny:" left empty cannot drop the built-in list.
 * Unknown and repeated keys are errors; so is a second YAML document.
 * Strings are non-empty, without NUL or other control characters.  List
 * items and mapping pairs are counted, aliases each time they are used,
 * and a file that expands to more than RULES_MAX_ITEMS is refused.
 */
#include <sys/types.h>

#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "identity.h"
#include "rules.h"
#include "xmalloc.h"
#include "yamlfile.h"

#define RULES_MAX_FILE		(1024 * 1024)
/* List items and mapping pairs visited, aliases counted each time. */
#define RULES_MAX_ITEMS		(256 * 1024)
#define VISLEN			96

const char *const rules_default_bind_deny[] = {
	"/", "/etc", "/proc", "/sys", "/dev", "/boot", "/usr", "/lib",
	"/lib32", "/lib64", "/bin", "/sbin", "/root", "/var/lib",
	"/var/spool", "/run", "/var/run", NULL
};

/* Log drivers that write on the host only, as dockerd's own files or
 * the journal; the others make dockerd connect out as root. */
static const char *const rules_default_log_drivers[] = {
	"json-file", "local", "journald", "none", NULL
};

/* A profile name and its index, sorted for duplicates and look-ups. */
struct rl_pname {
	const char	*name;
	size_t		 idx;
};

struct rlctx {
	const char	 *name;
	yaml_document_t	 *doc;
	char		 *err;
	size_t		  errlen;
	size_t		  budget;
	struct ruleset	 *rs;
	yaml_node_t	**idprof;	/* each identity's profile: value */
	struct rl_pname	 *pnames;	/* sorted by name, then index */
};

typedef int (*rl_item_fn)(struct rlctx *, yaml_node_t *, const char *,
    char **);

static const char *const root_keys[] = {
	"version", "default_profile", "identities", "profiles", NULL
};
enum { RK_VERSION, RK_DEFAULT, RK_IDENTITIES, RK_PROFILES };

static const char *const identity_keys[] = { "match", "profile", NULL };
enum { IK_MATCH, IK_PROFILE };

static const char *const match_keys[] = {
	"cert_cn", "cert_san", "cert_fingerprint", "cert_issuer",
	"cert_subject", "uid", "gid", "listener", NULL
};
enum { MK_CN, MK_SAN, MK_FPR, MK_ISSUER, MK_SUBJECT, MK_UID, MK_GID,
    MK_LISTENER };

static const char *const profile_keys[] = {
	"mode", "endpoints", "containers", "images", "build", "exec", "limits",
	"ownership", NULL
};
enum { PK_MODE, PK_ENDPOINTS, PK_CONTAINERS, PK_IMAGES, PK_BUILD,
    PK_EXEC, PK_LIMITS, PK_OWNERSHIP };

static const char *const ownership_keys[] = { "label", "owner", NULL };

static const char *const limit_keys[] = {
	"connections", "requests_per_second", "burst", NULL
};

static const char *const endpoint_keys[] = { "allow", "deny", "name", NULL };
enum { EK_ALLOW, EK_DENY, EK_NAME };

static const char *const container_keys[] = {
	"privileged", "capabilities", "host_namespaces", "devices",
	"unconfined", "bind_mounts", "sysctls", "runtimes", "volume_drivers",
	"cgroup_parent", "joins", "require", "log_drivers", NULL
};
enum { CK_PRIVILEGED, CK_CAPS, CK_HOSTNS, CK_DEVICES, CK_UNCONFINED,
    CK_BINDS, CK_SYSCTLS, CK_RUNTIMES, CK_VOLDRIVERS, CK_CGROUP, CK_JOINS,
    CK_REQUIRE, CK_LOGDRIVERS };

static const char *const caps_keys[] = { "allow_add", NULL };
static const char *const sysctl_keys[] = { "allow", NULL };

static const char *const bind_keys[] = {
	"deny", "allow", "propagation", "resolve_symlinks", NULL
};
enum { BK_DENY, BK_ALLOW, BK_PROPAGATION, BK_SYMLINKS };

static const char *const require_keys[] = {
	"non_root_user", "read_only_rootfs", "no_new_privileges",
	"memory_limit", "pids_limit", NULL
};
enum { QK_NONROOT, QK_ROFS, QK_NNP, QK_MEMORY, QK_PIDS };

static const char *const image_keys[] = { "registries", NULL };
static const char *const build_keys[] = {
	"buildkit", "host_network", NULL
};
static const char *const exec_keys[] = { "privileged", NULL };

static const struct {
	const char	*name;
	unsigned	 bit;
} rl_methods[] = {
	{ "GET", RULE_M_GET }, { "HEAD", RULE_M_HEAD }, { "POST", RULE_M_POST },
	{ "PUT", RULE_M_PUT }, { "DELETE", RULE_M_DELETE },
	{ "OPTIONS", RULE_M_OPTIONS }, { "PATCH", RULE_M_PATCH },
};

#define FOREACH_PAIR(map, pair)						\
	for ((pair) = (map)->data.mapping.pairs.start;			\
	    (pair) < (map)->data.mapping.pairs.top; (pair)++)
#define FOREACH_ITEM(seq, item)						\
	for ((item) = (seq)->data.sequence.items.start;			\
	    (item) < (seq)->data.sequence.items.top; (item)++)
#define NODE(c, i)	yaml_document_get_node((c)->doc, (i))

static int	 rl_error(struct rlctx *, yaml_node_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static const char *rl_vis(const char *, char *, size_t);
static const char *rl_scalar(struct rlctx *, yaml_node_t *, const char *);
static const char *rl_text(struct rlctx *, yaml_node_t *, const char *);
static int	 rl_dup(struct rlctx *, yaml_node_t *, const char *, char **);
static int	 rl_bool(struct rlctx *, yaml_node_t *, const char *, int *);
static int	 rl_spend(struct rlctx *, yaml_node_t *, size_t);
static int	 rl_mapping(struct rlctx *, yaml_node_t *, const char *);
static int	 rl_sequence(struct rlctx *, yaml_node_t *, const char *,
		    size_t *);
static int	 rl_key(struct rlctx *, yaml_node_t *, const char *,
		    const char *const *, unsigned *);
static int	 rl_strlist(struct rlctx *, yaml_node_t *, const char *,
		    rl_item_fn, struct strlist *);
static int	 rl_item_text(struct rlctx *, yaml_node_t *, const char *,
		    char **);
static int	 rl_item_path(struct rlctx *, yaml_node_t *, const char *,
		    char **);
static int	 rl_item_cap(struct rlctx *, yaml_node_t *, const char *,
		    char **);
static int	 rl_item_registry(struct rlctx *, yaml_node_t *,
		    const char *, char **);
static int	 rl_one_key(struct rlctx *, yaml_node_t *, const char *,
		    const char *const *, yaml_node_t **);
static int	 rl_methods_parse(struct rlctx *, yaml_node_t *,
		    const char *, const char *, size_t, unsigned *);
static const char *rl_pattern_check(const char *);
static int	 rl_endpoint(struct rlctx *, yaml_node_t *, size_t,
		    struct endpoint_rule *);
static int	 rl_endpoints(struct rlctx *, yaml_node_t *, struct profile *);
static int	 rl_binds(struct rlctx *, yaml_node_t *,
		    struct container_policy *);
static int	 rl_require(struct rlctx *, yaml_node_t *,
		    struct container_policy *);
static int	 rl_containers(struct rlctx *, yaml_node_t *,
		    struct container_policy *);
static int	 rl_build(struct rlctx *, yaml_node_t *, struct profile *);
static int	 rl_profile(struct rlctx *, yaml_node_t *, struct profile *);
static int	 rl_pname_cmp(const void *, const void *);
static int	 rl_profiles(struct rlctx *, yaml_node_t *);
static struct profile *rl_profile_find(struct rlctx *, const char *);
static int	 rl_id_number(const char *, unsigned long long *);
static int	 rl_fingerprint(struct rlctx *, yaml_node_t *, char **);
static int	 rl_match(struct rlctx *, yaml_node_t *,
		    struct identity_rule *);
static int	 rl_identity(struct rlctx *, yaml_node_t *,
		    struct identity_rule *, yaml_node_t **);
static int	 rl_identities(struct rlctx *, yaml_node_t *);
static int	 rl_version(struct rlctx *, yaml_node_t *);
static int	 rl_root(struct rlctx *, yaml_node_t *);
static void	 rl_profile_defaults(struct profile *);
static void	 rl_strlist_free(struct strlist *);
static int	 rl_glob(const char *, const char *);
static int	 rl_san_match(const char *, const struct identity *);
static int	 rl_identity_matches(const struct identity_rule *,
		    const struct identity *);

/* Writes "name:line:col: message" (1:1 without a node) and returns -1. */
static int
rl_error(struct rlctx *c, yaml_node_t *n, const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%zu:%zu: %s", c->name,
	    n != NULL ? (size_t)n->start_mark.line + 1 : 1,
	    n != NULL ? (size_t)n->start_mark.column + 1 : 1, msg);
	return -1;
}

/* Quotes untrusted text for a message: \xNN escapes, long text cut. */
static const char *
rl_vis(const char *s, char *buf, size_t len)
{
	unsigned char	ch;
	size_t		o = 0, need;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		need = (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') ?
		    4 : 1;
		if (o + need + 4 > len) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (need == 4)
			snprintf(buf + o, 5, "\\x%02x", ch);
		else
			buf[o] = (char)ch;
		o += need;
	}
	buf[o] = '\0';
	return buf;
}

/* Returns the text of scalar n, or NULL after reporting the problem. */
static const char *
rl_scalar(struct rlctx *c, yaml_node_t *n, const char *what)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		rl_error(c, n, "%s must be a single value, not a %s", what,
		    n != NULL && n->type == YAML_SEQUENCE_NODE ? "list" :
		    "mapping");
		return NULL;
	}
	if (strlen((const char *)n->data.scalar.value) !=
	    n->data.scalar.length) {
		rl_error(c, n, "%s contains a NUL byte", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

/* A scalar that is a non-empty string without control characters. */
static const char *
rl_text(struct rlctx *c, yaml_node_t *n, const char *what)
{
	const char	*s, *p;

	if ((s = rl_scalar(c, n, what)) == NULL)
		return NULL;
	if (*s == '\0') {
		rl_error(c, n, "%s must not be empty", what);
		return NULL;
	}
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			rl_error(c, n, "%s contains a control character",
			    what);
			return NULL;
		}
	}
	return s;
}

/* Copies a text scalar into *out. */
static int
rl_dup(struct rlctx *c, yaml_node_t *n, const char *what, char **out)
{
	const char	*s;

	if ((s = rl_text(c, n, what)) == NULL)
		return -1;
	free(*out);
	*out = xstrdup(s);
	return 0;
}

/* A boolean: the plain words true or false, nothing else. */
static int
rl_bool(struct rlctx *c, yaml_node_t *n, const char *what, int *out)
{
	const char	*s;
	char		 vis[VISLEN];

	if ((s = rl_scalar(c, n, what)) == NULL)
		return -1;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		if (strcmp(s, "true") == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(s, "false") == 0) {
			*out = 0;
			return 0;
		}
	}
	return rl_error(c, n, "%s: \"%s\" is not a boolean (write true or "
	    "false, unquoted)", what, rl_vis(s, vis, sizeof(vis)));
}

/* Counts n entries against the budget that bounds alias expansion. */
static int
rl_spend(struct rlctx *c, yaml_node_t *n, size_t count)
{
	if (count > c->budget)
		return rl_error(c, n, "the rules expand to more than %u "
		    "entries (through aliases?)", RULES_MAX_ITEMS);
	c->budget -= count;
	return 0;
}

/* Checks that n is a mapping and pays for its pairs. */
static int
rl_mapping(struct rlctx *c, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_MAPPING_NODE)
		return rl_error(c, n, "%s must be a mapping", what);
	return rl_spend(c, n, (size_t)(n->data.mapping.pairs.top -
	    n->data.mapping.pairs.start));
}

/* Checks that n is a list, pays for its items and counts them. */
static int
rl_sequence(struct rlctx *c, yaml_node_t *n, const char *what,
    size_t *count)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return rl_error(c, n, "%s must be a list (write [] for an "
		    "empty one)", what);
	*count = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	return rl_spend(c, n, *count);
}

/* Finds key k among keys; unknown or repeated keys are errors. */
static int
rl_key(struct rlctx *c, yaml_node_t *k, const char *where,
    const char *const *keys, unsigned *seen)
{
	const char	*s;
	char		 expect[512], vis[VISLEN];
	size_t		 i, o = 0;

	if ((s = rl_scalar(c, k, "a key")) == NULL)
		return -1;
	for (i = 0; keys[i] != NULL; i++) {
		if (strcmp(s, keys[i]) != 0)
			continue;
		if (*seen & (1U << i))
			return rl_error(c, k, "%s is given twice in %s",
			    keys[i], where);
		*seen |= 1U << i;
		return (int)i;
	}
	expect[0] = '\0';
	for (i = 0; keys[i] != NULL && o < sizeof(expect); i++)
		o += (size_t)snprintf(expect + o, sizeof(expect) - o, "%s%s",
		    i == 0 ? "" : ", ", keys[i]);
	return rl_error(c, k, "unknown key \"%s\" in %s (expected %s)",
	    rl_vis(s, vis, sizeof(vis)), where, expect);
}

/* Frees a string list and empties it. */
static void
rl_strlist_free(struct strlist *sl)
{
	size_t	i;

	for (i = 0; i < sl->n; i++)
		free(sl->v[i]);
	free(sl->v);
	sl->v = NULL;
	sl->n = 0;
}

/* Replaces *sl with the list n, each item checked and copied by fn. */
static int
rl_strlist(struct rlctx *c, yaml_node_t *n, const char *what,
    rl_item_fn fn, struct strlist *sl)
{
	yaml_node_item_t	*it;
	size_t			 count = 0;

	if (rl_sequence(c, n, what, &count) == -1)
		return -1;
	rl_strlist_free(sl);
	if (count == 0)
		return 0;
	sl->v = xcalloc(count, sizeof(*sl->v));
	FOREACH_ITEM(n, it) {
		if (fn(c, NODE(c, *it), what, &sl->v[sl->n]) == -1)
			return -1;
		sl->n++;
	}
	return 0;
}

/* A list item taken as written. */
static int
rl_item_text(struct rlctx *c, yaml_node_t *n, const char *what, char **out)
{
	return rl_dup(c, n, what, out);
}

/* A list item that is an absolute path, stored cleaned. */
static int
rl_item_path(struct rlctx *c, yaml_node_t *n, const char *what, char **out)
{
	const char	*s;
	char		*clean, vis[VISLEN];
	size_t		 len;

	if ((s = rl_text(c, n, what)) == NULL)
		return -1;
	len = strlen(s) + 1;
	clean = xmalloc(len);
	if (rules_path_clean(s, clean, len) == -1) {
		free(clean);
		return rl_error(c, n, "%s: \"%s\" is not an absolute path",
		    what, rl_vis(s, vis, sizeof(vis)));
	}
	*out = clean;
	return 0;
}

/* A capability name, stored normalised: "cap_sys_admin" -> "SYS_ADMIN". */
static int
rl_item_cap(struct rlctx *c, yaml_node_t *n, const char *what, char **out)
{
	const char	*s, *p;
	char		*cap, vis[VISLEN];
	size_t		 len;

	if ((s = rl_text(c, n, what)) == NULL)
		return -1;
	len = strlen(s) + 1;
	cap = xmalloc(len);
	rules_cap_norm(s, cap, len);
	for (p = cap; *p != '\0'; p++) {
		if ((*p < 'A' || *p > 'Z') && (*p < '0' || *p > '9') &&
		    *p != '_')
			break;
	}
	if (*cap == '\0' || *p != '\0') {
		free(cap);
		return rl_error(c, n, "%s: \"%s\" is not a capability name "
		    "(e.g. NET_ADMIN or CAP_NET_ADMIN)", what,
		    rl_vis(s, vis, sizeof(vis)));
	}
	*out = cap;
	return 0;
}

/* A registry host with an optional port, lower-cased and normalised. */
static int
rl_item_registry(struct rlctx *c, yaml_node_t *n, const char *what,
    char **out)
{
	const char	*s, *p, *port = NULL;
	char		*reg, vis[VISLEN];
	size_t		 i;
	unsigned long	 v = 0;

	if ((s = rl_text(c, n, what)) == NULL)
		return -1;
	reg = xstrdup(s);
	for (i = 0; reg[i] != '\0'; i++) {
		if (reg[i] >= 'A' && reg[i] <= 'Z')
			reg[i] = (char)(reg[i] - 'A' + 'a');
	}
	if (reg[0] == '[') {
		/* An IPv6 literal: [hex:colons]. */
		for (p = reg + 1; (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'f') || *p == ':' || *p == '.'; p++)
			;
		if (*p != ']' || p == reg + 1)
			goto bad;
		p++;
	} else {
		for (p = reg; (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
		    *p == '_'; p++)
			;
		if (p == reg || reg[0] == '.' || reg[0] == '-' ||
		    p[-1] == '.' || p[-1] == '-')
			goto bad;
	}
	if (*p == ':') {
		port = ++p;
		for (; *p >= '0' && *p <= '9' && v <= 65535; p++)
			v = v * 10 + (unsigned long)(*p - '0');
		if (p == port || v == 0 || v > 65535 || *port == '0')
			goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (port == NULL && (strcmp(reg, "index.docker.io") == 0 ||
	    strcmp(reg, "registry-1.docker.io") == 0)) {
		free(reg);
		reg = xstrdup("docker.io");
	}
	*out = reg;
	return 0;
bad:
	free(reg);
	return rl_error(c, n, "%s: \"%s\" is not a registry host (e.g. "
	    "docker.io, registry.example.com:5000)", what,
	    rl_vis(s, vis, sizeof(vis)));
}

/* A mapping with a single known key (e.g. {allow_add: [...]}). */
static int
rl_one_key(struct rlctx *c, yaml_node_t *n, const char *where,
    const char *const *keys, yaml_node_t **value)
{
	yaml_node_pair_t	*p;
	unsigned		 seen = 0;

	*value = NULL;
	if (rl_mapping(c, n, where) == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		if (rl_key(c, NODE(c, p->key), where, keys, &seen) == -1)
			return -1;
		*value = NODE(c, p->value);
	}
	return 0;
}

/* Parses the comma list of methods m[0..len) of an endpoint rule. */
static int
rl_methods_parse(struct rlctx *c, yaml_node_t *n, const char *what,
    const char *m, size_t len, unsigned *out)
{
	const char	*end, *p, *q;
	char		 name[16], vis[VISLEN], *copy;
	size_t		 i, nlen;

	*out = 0;
	while (len > 0 && m[len - 1] == ' ')
		len--;
	end = m + len;
	if (len == 1 && m[0] == '*') {
		*out = RULE_M_ALL;
		return 0;
	}
	for (p = m; p <= end; p = q + 1) {
		for (q = p; q < end && *q != ','; q++)
			;
		while (p < q && *p == ' ')
			p++;
		nlen = (size_t)(q - p);
		while (nlen > 0 && p[nlen - 1] == ' ')
			nlen--;
		if (nlen == 0 || nlen >= sizeof(name))
			goto bad;
		memcpy(name, p, nlen);
		name[nlen] = '\0';
		for (i = 0; i < sizeof(rl_methods) / sizeof(rl_methods[0]); i++)
			if (strcasecmp(name, rl_methods[i].name) == 0)
				break;
		if (i == sizeof(rl_methods) / sizeof(rl_methods[0]))
			goto bad;
		*out |= rl_methods[i].bit;
	}
	return 0;
bad:
	copy = xstrndup(m, len);
	rl_error(c, n, "%s: methods \"%s\" must be \"*\" or a comma list of "
	    "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH", what,
	    rl_vis(copy, vis, sizeof(vis)));
	free(copy);
	return -1;
}

/* Returns why pattern p is not a route pattern, or NULL if it is one. */
static const char *
rl_pattern_check(const char *p)
{
	const char	*seg, *end;
	size_t		 len;
	int		 globstars = 0;

	if (*p != '/')
		return "must start with \"/\"";
	if (strpbrk(p, "?#") != NULL)
		return "must not hold a query (\"?\") or a fragment (\"#\")";
	if (strchr(p, ' ') != NULL)
		return "must not hold a space";
	if (strcmp(p, "/") == 0)
		return NULL;
	for (seg = p + 1; ; seg = end + 1) {
		if ((end = strchr(seg, '/')) == NULL)
			end = seg + strlen(seg);
		len = (size_t)(end - seg);
		if (len == 0)
			return "has an empty segment (\"//\" or a trailing "
			    "\"/\")";
		if ((len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return "has a \".\" or \"..\" segment";
		if (len == 2 && seg[0] == '*' && seg[1] == '*') {
			/* One "**" keeps matching linear in the route. */
			if (globstars++ > 0)
				return "may have \"**\" only once";
		} else if (memchr(seg, '*', len) != NULL && len != 1)
			return "has a \"*\" that is not a whole segment";
		if (*end == '\0')
			return NULL;
	}
}

/* One entry of endpoints: {allow|deny: "METHODS /PATTERN", name: ...}. */
static int
rl_endpoint(struct rlctx *c, yaml_node_t *n, size_t idx,
    struct endpoint_rule *e)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v, *rule = NULL;
	const char		*s, *sp, *why;
	char			 vis[VISLEN];
	unsigned		 seen = 0;
	int			 i;

	if (n->type != YAML_MAPPING_NODE)
		return rl_error(c, n, "an endpoint must be a mapping (e.g. "
		    "\"- allow: GET /_ping\")");
	if (rl_mapping(c, n, "an endpoint") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		k = NODE(c, p->key);
		v = NODE(c, p->value);
		if ((i = rl_key(c, k, "an endpoint", endpoint_keys,
		    &seen)) == -1)
			return -1;
		if (i == EK_NAME) {
			if (rl_dup(c, v, "name", &e->name) == -1)
				return -1;
			continue;
		}
		if (rule != NULL)
			return rl_error(c, k, "an endpoint takes one of "
			    "allow: or deny:, not both");
		rule = v;
		e->allow = i == EK_ALLOW;
		if ((s = rl_text(c, v, endpoint_keys[i])) == NULL)
			return -1;
		if ((sp = strrchr(s, ' ')) == NULL || sp[1] == '\0')
			return rl_error(c, v, "%s: \"%s\" must be \"METHODS "
			    "/PATTERN\" (e.g. \"GET,HEAD /containers/json\")",
			    endpoint_keys[i], rl_vis(s, vis, sizeof(vis)));
		if (rl_methods_parse(c, v, endpoint_keys[i], s,
		    (size_t)(sp - s), &e->methods) == -1)
			return -1;
		if ((why = rl_pattern_check(sp + 1)) != NULL)
			return rl_error(c, v, "%s: pattern \"%s\" %s",
			    endpoint_keys[i], rl_vis(sp + 1, vis, sizeof(vis)),
			    why);
		e->pattern = xstrdup(sp + 1);
	}
	if (rule == NULL)
		return rl_error(c, n, "an endpoint needs allow: or deny:");
	if (e->name == NULL)
		xasprintf(&e->name, "endpoints[%zu]", idx);
	e->line = (size_t)n->start_mark.line + 1;
	return 0;
}

/* endpoints: the ordered list of endpoint rules. */
static int
rl_endpoints(struct rlctx *c, yaml_node_t *n, struct profile *pf)
{
	yaml_node_item_t	*it;
	size_t			 count = 0, i = 0;

	if (rl_sequence(c, n, "endpoints", &count) == -1)
		return -1;
	if (count == 0)
		return 0;
	pf->endpoints = xcalloc(count, sizeof(*pf->endpoints));
	pf->nendpoints = count;
	FOREACH_ITEM(n, it) {
		if (rl_endpoint(c, NODE(c, *it), i, &pf->endpoints[i]) == -1)
			return -1;
		i++;
	}
	return 0;
}

/* containers.bind_mounts. */
static int
rl_binds(struct rlctx *c, yaml_node_t *n, struct container_policy *cp)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	unsigned		 seen = 0;
	int			 r = 0;

	if (rl_mapping(c, n, "bind_mounts") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		v = NODE(c, p->value);
		switch (rl_key(c, NODE(c, p->key), "bind_mounts", bind_keys,
		    &seen)) {
		case BK_DENY:
			r = rl_strlist(c, v, "deny", rl_item_path,
			    &cp->bind_deny);
			break;
		case BK_ALLOW:
			r = rl_strlist(c, v, "allow", rl_item_path,
			    &cp->bind_allow);
			break;
		case BK_PROPAGATION:
			r = rl_bool(c, v, "propagation", &cp->bind_propagation);
			break;
		case BK_SYMLINKS:
			r = rl_bool(c, v, "resolve_symlinks",
			    &cp->resolve_symlinks);
			break;
		default:
			return -1;
		}
		if (r == -1)
			return -1;
	}
	return 0;
}

/* containers.require: what every container must set. */
static int
rl_require(struct rlctx *c, yaml_node_t *n, struct container_policy *cp)
{
	yaml_node_pair_t	*p;
	int			*b, i;
	unsigned		 seen = 0;

	if (rl_mapping(c, n, "require") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		switch ((i = rl_key(c, NODE(c, p->key), "require",
		    require_keys, &seen))) {
		case QK_NONROOT:
			b = &cp->req_non_root_user;
			break;
		case QK_ROFS:
			b = &cp->req_read_only_rootfs;
			break;
		case QK_NNP:
			b = &cp->req_no_new_privileges;
			break;
		case QK_MEMORY:
			b = &cp->req_memory_limit;
			break;
		case QK_PIDS:
			b = &cp->req_pids_limit;
			break;
		default:
			return -1;
		}
		if (rl_bool(c, NODE(c, p->value), require_keys[i], b) == -1)
			return -1;
	}
	return 0;
}

/*
 * joins: checked (the default: each container joined is looked up and
 * must pass this profile's checks) or false (none); true means checked.
 */
static int
rl_joins(struct rlctx *c, yaml_node_t *n, int *out)
{
	char	vis[VISLEN];

	if (n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    strcmp((const char *)n->data.scalar.value, "checked") == 0) {
		*out = 1;
		return 0;
	}
	if (rl_bool(c, n, "joins", out) == 0)
		return 0;
	return rl_error(c, n, "joins: \"%s\" is neither checked (each "
	    "container joined must pass this profile's checks) nor false (no "
	    "joins), unquoted", n->type == YAML_SCALAR_NODE ?
	    rl_vis((const char *)n->data.scalar.value, vis, sizeof(vis)) :
	    "?");
}

/* containers: what a container may be. */
static int
rl_containers(struct rlctx *c, yaml_node_t *n, struct container_policy *cp)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v, *sub;
	int			*b, i, r;
	unsigned		 seen = 0;

	/* (cp is never NULL; clang-tidy's analyzer cannot see it.) */
	if (cp == NULL || rl_mapping(c, n, "containers") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		v = NODE(c, p->value);
		b = NULL;
		r = 0;
		switch ((i = rl_key(c, NODE(c, p->key), "containers",
		    container_keys, &seen))) {
		case CK_PRIVILEGED:
			b = &cp->privileged;
			break;
		case CK_HOSTNS:
			b = &cp->host_namespaces;
			break;
		case CK_DEVICES:
			b = &cp->devices;
			break;
		case CK_UNCONFINED:
			b = &cp->unconfined;
			break;
		case CK_VOLDRIVERS:
			b = &cp->volume_drivers;
			break;
		case CK_CGROUP:
			b = &cp->cgroup_parent;
			break;
		case CK_JOINS:
			r = rl_joins(c, v, &cp->joins);
			break;
		case CK_CAPS:
			r = rl_one_key(c, v, "capabilities", caps_keys, &sub);
			if (r == 0 && sub != NULL)
				r = rl_strlist(c, sub, "allow_add",
				    rl_item_cap, &cp->cap_add);
			break;
		case CK_SYSCTLS:
			r = rl_one_key(c, v, "sysctls", sysctl_keys, &sub);
			if (r == 0 && sub != NULL)
				r = rl_strlist(c, sub, "allow", rl_item_text,
				    &cp->sysctls);
			break;
		case CK_BINDS:
			r = rl_binds(c, v, cp);
			break;
		case CK_RUNTIMES:
			r = rl_strlist(c, v, "runtimes", rl_item_text,
			    &cp->runtimes);
			break;
		case CK_LOGDRIVERS:
			r = rl_strlist(c, v, "log_drivers", rl_item_text,
			    &cp->log_drivers);
			break;
		case CK_REQUIRE:
			r = rl_require(c, v, cp);
			break;
		default:
			return -1;
		}
		if (b != NULL)
			r = rl_bool(c, v, container_keys[i], b);
		if (r == -1)
			return -1;
	}
	return 0;
}

/* A whole number from 1 to max, plain in YAML. */
static int
rl_count(struct rlctx *c, yaml_node_t *n, const char *what, unsigned max,
    unsigned *out)
{
	const char	*s;
	char		*end, vis[VISLEN];
	unsigned long	 v;

	if ((s = rl_scalar(c, n, what)) == NULL)
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '1' || s[0] > '9' || *end != '\0' || errno != 0 || v > max)
		return rl_error(c, n, "%s: \"%s\" is not a whole number from 1 "
		    "to %u", what, rl_vis(s, vis, sizeof(vis)), max);
	*out = (unsigned)v;
	return 0;
}

/*
 * limits: what one client (one uid on a unix listener, one certificate on
 * a TLS one) of this profile may use: connections open at once, and
 * requests per second with a burst (a token bucket).
 */
static int
rl_limits(struct rlctx *c, yaml_node_t *n, struct profile *pf)
{
	yaml_node_pair_t	*p;
	unsigned		 seen = 0;
	int			 i, r;

	if (rl_mapping(c, n, "limits") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		if ((i = rl_key(c, NODE(c, p->key), "limits", limit_keys,
		    &seen)) == -1)
			return -1;
		r = rl_count(c, NODE(c, p->value), limit_keys[i], 1000000,
		    i == 0 ? &pf->lim_connections : i == 1 ? &pf->lim_rate :
		    &pf->lim_burst);
		if (r == -1)
			return -1;
	}
	if (pf->lim_burst != 0 && pf->lim_rate == 0)
		return rl_error(c, n, "limits: burst needs requests_per_second");
	if (pf->lim_rate != 0 && pf->lim_burst == 0)
		pf->lim_burst = pf->lim_rate;
	return 0;
}

/*
 * ownership: the label every object made through the profile gets, and
 * the owner value (a template over the client's identity) it carries.
 */
static int
rl_ownership(struct rlctx *c, yaml_node_t *n, struct ownership *o)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	const char		*s;
	char			 why[256];
	unsigned		 seen = 0;
	int			 i;

	if (rl_mapping(c, n, "ownership") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		v = NODE(c, p->value);
		if ((i = rl_key(c, NODE(c, p->key), "ownership",
		    ownership_keys, &seen)) == -1)
			return -1;
		if ((s = rl_text(c, v, ownership_keys[i])) == NULL)
			return -1;
		if ((i == 0 ? owner_label_check(s, why, sizeof(why)) :
		    owner_template_check(s, why, sizeof(why))) == -1)
			return rl_error(c, v, "ownership: %s", why);
		free(i == 0 ? o->label : o->owner);
		if (i == 0)
			o->label = xstrdup(s);
		else
			o->owner = xstrdup(s);
	}
	if (o->owner == NULL)
		return rl_error(c, n, "ownership: owner is required (e.g. "
		    "\"${listener}\")");
	if (o->label == NULL)
		o->label = xstrdup(OWNER_DEFAULT_LABEL);
	return 0;
}

/* build: what image builds may use. */
static int
rl_build(struct rlctx *c, yaml_node_t *n, struct profile *pf)
{
	yaml_node_pair_t	*p;
	unsigned		 seen = 0;
	int			 i;

	if (rl_mapping(c, n, "build") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		if ((i = rl_key(c, NODE(c, p->key), "build", build_keys,
		    &seen)) == -1)
			return -1;
		if (rl_bool(c, NODE(c, p->value), build_keys[i], i == 0 ?
		    &pf->buildkit : &pf->build_host_network) == -1)
			return -1;
	}
	return 0;
}

/* Fills l with copies of the NULL-terminated list v. */
static void
rl_strlist_set(struct strlist *l, const char *const *v)
{
	size_t	i, n;

	for (n = 0; v[n] != NULL; n++)
		;
	l->v = xcalloc(n, sizeof(*l->v));
	for (i = 0; i < n; i++)
		l->v[i] = xstrdup(v[i]);
	l->n = n;
}

/* The safe defaults a profile starts from. */
static void
rl_profile_defaults(struct profile *pf)
{
	struct container_policy	*cp = &pf->containers;

	cp->resolve_symlinks = 1;
	cp->joins = 1;		/* checked */
	cp->runtimes.v = xcalloc(1, sizeof(*cp->runtimes.v));
	cp->runtimes.v[0] = xstrdup("runc");
	cp->runtimes.n = 1;
	rl_strlist_set(&cp->bind_deny, rules_default_bind_deny);
	rl_strlist_set(&cp->log_drivers, rules_default_log_drivers);
}

/* One profile's mapping (its name is already set). */
static int
rl_profile(struct rlctx *c, yaml_node_t *n, struct profile *pf)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v, *sub;
	const char		*s;
	char			 vis[VISLEN];
	unsigned		 seen = 0;
	int			 r = 0;

	if (rl_mapping(c, n, "a profile") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		v = NODE(c, p->value);
		switch (rl_key(c, NODE(c, p->key), "a profile", profile_keys,
		    &seen)) {
		case PK_MODE:
			if ((s = rl_text(c, v, "mode")) == NULL)
				return -1;
			if (strcmp(s, "audit") == 0)
				pf->audit_mode = 1;
			else if (strcmp(s, "enforce") == 0)
				pf->audit_mode = 0;
			else
				return rl_error(c, v, "mode: \"%s\" is not "
				    "enforce or audit",
				    rl_vis(s, vis, sizeof(vis)));
			break;
		case PK_ENDPOINTS:
			r = rl_endpoints(c, v, pf);
			break;
		case PK_CONTAINERS:
			r = rl_containers(c, v, &pf->containers);
			break;
		case PK_IMAGES:
			r = rl_one_key(c, v, "images", image_keys, &sub);
			if (r == 0 && sub != NULL)
				r = rl_strlist(c, sub, "registries",
				    rl_item_registry, &pf->registries);
			break;
		case PK_BUILD:
			r = rl_build(c, v, pf);
			break;
		case PK_LIMITS:
			r = rl_limits(c, v, pf);
			break;
		case PK_OWNERSHIP:
			r = rl_ownership(c, v, &pf->ownership);
			break;
		case PK_EXEC:
			r = rl_one_key(c, v, "exec", exec_keys, &sub);
			if (r == 0 && sub != NULL)
				r = rl_bool(c, sub, "privileged",
				    &pf->exec_privileged);
			break;
		default:
			return -1;
		}
		if (r == -1)
			return -1;
	}
	return 0;
}

/* Orders profile names, then their indexes, so duplicates sit together. */
static int
rl_pname_cmp(const void *a, const void *b)
{
	const struct rl_pname	*x = a, *y = b;
	int			 r;

	if ((r = strcmp(x->name, y->name)) != 0)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* profiles: profile names to profiles; names unique. */
static int
rl_profiles(struct rlctx *c, yaml_node_t *n)
{
	struct ruleset		*rs = c->rs;
	yaml_node_pair_t	*p;
	yaml_node_t		*k;
	const char		*s, *q;
	char			 vis[VISLEN];
	size_t			 count, i, dup = SIZE_MAX;

	if (rl_mapping(c, n, "profiles") == -1)
		return -1;
	count = (size_t)(n->data.mapping.pairs.top -
	    n->data.mapping.pairs.start);
	if (count == 0)
		return rl_error(c, n, "profiles must define at least one "
		    "profile");
	rs->profiles = xcalloc(count, sizeof(*rs->profiles));
	rs->nprofiles = count;
	c->pnames = xcalloc(count, sizeof(*c->pnames));
	i = 0;
	FOREACH_PAIR(n, p) {
		k = NODE(c, p->key);
		if ((s = rl_text(c, k, "a profile name")) == NULL)
			return -1;
		for (q = s; (*q >= 'a' && *q <= 'z') || (*q >= 'A' &&
		    *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '.' ||
		    *q == '_' || *q == '-'; q++)
			;
		if (*q != '\0')
			return rl_error(c, k, "profile name \"%s\" may hold "
			    "only letters, digits, \".\", \"_\" and \"-\"",
			    rl_vis(s, vis, sizeof(vis)));
		rs->profiles[i].name = xstrdup(s);
		c->pnames[i].name = rs->profiles[i].name;
		c->pnames[i].idx = i;
		i++;
	}
	qsort(c->pnames, count, sizeof(*c->pnames), rl_pname_cmp);
	for (i = 1; i < count; i++) {
		if (strcmp(c->pnames[i - 1].name, c->pnames[i].name) == 0 &&
		    c->pnames[i].idx < dup)
			dup = c->pnames[i].idx;
	}
	if (dup != SIZE_MAX)
		return rl_error(c,
		    NODE(c, n->data.mapping.pairs.start[dup].key),
		    "profile \"%s\" is defined twice", rs->profiles[dup].name);
	i = 0;
	FOREACH_PAIR(n, p) {
		rl_profile_defaults(&rs->profiles[i]);
		if (rl_profile(c, NODE(c, p->value), &rs->profiles[i]) == -1)
			return -1;
		i++;
	}
	return 0;
}

/* Finds a profile by name (profiles are parsed), or NULL. */
static struct profile *
rl_profile_find(struct rlctx *c, const char *name)
{
	size_t	lo = 0, hi = c->rs->nprofiles, mid;
	int	r;

	if (c->pnames == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((r = strcmp(name, c->pnames[mid].name)) == 0)
			return &c->rs->profiles[c->pnames[mid].idx];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* A uid or gid in decimal: 0 ok, -1 not all digits, -2 out of range. */
static int
rl_id_number(const char *s, unsigned long long *out)
{
	unsigned long long	v = 0;
	const char		*p;

	int			big = 0;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (!big)
			v = v * 10 + (unsigned)(*p - '0');
		if (v >= (unsigned long long)(uid_t)-1)
			big = 1;
	}
	if (p == s || *p != '\0')
		return -1;
	if (big)
		return -2;
	*out = v;
	return 0;
}

/* cert_fingerprint: lower-cased, colons dropped; 64 hex unless a glob. */
static int
rl_fingerprint(struct rlctx *c, yaml_node_t *n, char **out)
{
	const char	*s, *p;
	char		*fp, vis[VISLEN];
	size_t		 o = 0, i;

	if ((s = rl_text(c, n, "cert_fingerprint")) == NULL)
		return -1;
	fp = xmalloc(strlen(s) + 1);
	for (p = s; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		fp[o++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p - 'A' + 'a') :
		    *p;
	}
	fp[o] = '\0';
	if (strpbrk(fp, "*?[") == NULL) {
		for (i = 0; i < o; i++) {
			if ((fp[i] < '0' || fp[i] > '9') &&
			    (fp[i] < 'a' || fp[i] > 'f'))
				break;
		}
		if (o != 64 || i != o) {
			free(fp);
			return rl_error(c, n, "cert_fingerprint: \"%s\" is "
			    "not a SHA-256 fingerprint (64 hex digits, colons "
			    "allowed) nor a glob", rl_vis(s, vis, sizeof(vis)));
		}
	}
	free(*out);
	*out = fp;
	return 0;
}

/* match: what an identity rule requires of a client. */
static int
rl_match(struct rlctx *c, yaml_node_t *n, struct identity_rule *r)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	const char		*s;
	char			 vis[VISLEN];
	struct passwd		*pw;
	struct group		*gr;
	unsigned long long	 id;
	unsigned		 seen = 0;
	int			 i, rv = 0, num;

	if (rl_mapping(c, n, "match") == -1)
		return -1;
	if (n->data.mapping.pairs.top == n->data.mapping.pairs.start)
		return rl_error(c, n, "match must name at least one of "
		    "cert_cn, cert_san, cert_fingerprint, cert_issuer, "
		    "cert_subject, uid, gid, listener");
	FOREACH_PAIR(n, p) {
		v = NODE(c, p->value);
		switch ((i = rl_key(c, NODE(c, p->key), "match", match_keys,
		    &seen))) {
		case MK_CN:
			rv = rl_dup(c, v, "cert_cn", &r->cert_cn);
			break;
		case MK_SAN:
			rv = rl_dup(c, v, "cert_san", &r->cert_san);
			break;
		case MK_FPR:
			rv = rl_fingerprint(c, v, &r->cert_fingerprint);
			break;
		case MK_ISSUER:
			rv = rl_dup(c, v, "cert_issuer", &r->cert_issuer);
			break;
		case MK_SUBJECT:
			rv = rl_dup(c, v, "cert_subject", &r->cert_subject);
			break;
		case MK_LISTENER:
			rv = rl_dup(c, v, "listener", &r->listener);
			break;
		case MK_UID:
		case MK_GID:
			if ((s = rl_text(c, v, match_keys[i])) == NULL)
				return -1;
			if ((num = rl_id_number(s, &id)) == -2)
				return rl_error(c, v, "%s: %s is out of range",
				    match_keys[i], rl_vis(s, vis, sizeof(vis)));
			if (num == -1 && i == MK_UID) {
				if ((pw = getpwnam(s)) == NULL)
					return rl_error(c, v, "uid: no such "
					    "user \"%s\"",
					    rl_vis(s, vis, sizeof(vis)));
				id = pw->pw_uid;
			} else if (num == -1) {
				if ((gr = getgrnam(s)) == NULL)
					return rl_error(c, v, "gid: no such "
					    "group \"%s\"",
					    rl_vis(s, vis, sizeof(vis)));
				id = gr->gr_gid;
			}
			if (i == MK_UID) {
				r->has_uid = 1;
				r->uid = (uid_t)id;
			} else {
				r->has_gid = 1;
				r->gid = (gid_t)id;
			}
			break;
		default:
			return -1;
		}
		if (rv == -1)
			return -1;
	}
	return 0;
}

/* One identity rule: {match: {...}, profile: NAME}. */
static int
rl_identity(struct rlctx *c, yaml_node_t *n, struct identity_rule *r,
    yaml_node_t **prof)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*v;
	unsigned		 seen = 0;

	if (n->type != YAML_MAPPING_NODE)
		return rl_error(c, n, "an identity must be a mapping with "
		    "match: and profile:");
	if (rl_mapping(c, n, "an identity") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		v = NODE(c, p->value);
		switch (rl_key(c, NODE(c, p->key), "an identity",
		    identity_keys, &seen)) {
		case IK_MATCH:
			if (rl_match(c, v, r) == -1)
				return -1;
			break;
		case IK_PROFILE:
			if (rl_text(c, v, "profile") == NULL)
				return -1;
			*prof = v;
			break;
		default:
			return -1;
		}
	}
	if (!(seen & (1U << IK_MATCH)))
		return rl_error(c, n, "an identity needs match:");
	if (*prof == NULL)
		return rl_error(c, n, "an identity needs profile:");
	r->line = (size_t)n->start_mark.line + 1;
	return 0;
}

/* identities: the ordered list of identity rules. */
static int
rl_identities(struct rlctx *c, yaml_node_t *n)
{
	struct ruleset		*rs = c->rs;
	yaml_node_item_t	*it;
	size_t			 count = 0, i = 0;

	if (rl_sequence(c, n, "identities", &count) == -1)
		return -1;
	if (count == 0)
		return 0;
	rs->identities = xcalloc(count, sizeof(*rs->identities));
	rs->nidentities = count;
	c->idprof = xcalloc(count, sizeof(*c->idprof));
	FOREACH_ITEM(n, it) {
		if (rl_identity(c, NODE(c, *it), &rs->identities[i],
		    &c->idprof[i]) == -1)
			return -1;
		i++;
	}
	return 0;
}

/* version: must be 1. */
static int
rl_version(struct rlctx *c, yaml_node_t *n)
{
	const char	*s;
	char		 vis[VISLEN];

	if ((s = rl_scalar(c, n, "version")) == NULL)
		return -1;
	if (strcmp(s, "1") != 0)
		return rl_error(c, n, "version: \"%s\" is not supported (this "
		    "sockguard reads version 1)", rl_vis(s, vis, sizeof(vis)));
	return 0;
}

/* The top-level mapping; version is read first so newer files say so. */
static int
rl_root(struct rlctx *c, yaml_node_t *n)
{
	struct ruleset		*rs = c->rs;
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v, *def = NULL;
	const char		*s;
	char			 vis[VISLEN];
	unsigned		 seen = 0;
	size_t			 i;
	int			 r = 0;

	if (n == NULL)
		return rl_error(c, NULL, "the rules file is empty (it needs "
		    "version, default_profile and profiles)");
	if (rl_mapping(c, n, "the top level") == -1)
		return -1;
	FOREACH_PAIR(n, p) {
		k = NODE(c, p->key);
		if (k->type == YAML_SCALAR_NODE &&
		    k->data.scalar.length == strlen("version") &&
		    memcmp(k->data.scalar.value, "version", 7) == 0) {
			if (rl_version(c, NODE(c, p->value)) == -1)
				return -1;
			break;
		}
	}
	FOREACH_PAIR(n, p) {
		v = NODE(c, p->value);
		switch (rl_key(c, NODE(c, p->key), "the top level", root_keys,
		    &seen)) {
		case RK_VERSION:
			break;
		case RK_DEFAULT:
			if (rl_text(c, v, "default_profile") == NULL)
				return -1;
			def = v;
			break;
		case RK_IDENTITIES:
			r = rl_identities(c, v);
			break;
		case RK_PROFILES:
			r = rl_profiles(c, v);
			break;
		default:
			return -1;
		}
		if (r == -1)
			return -1;
	}
	if (!(seen & (1U << RK_VERSION)))
		return rl_error(c, n, "version: 1 is required");
	if (!(seen & (1U << RK_PROFILES)))
		return rl_error(c, n, "profiles: at least one profile is "
		    "required");
	if (def == NULL)
		return rl_error(c, n, "default_profile is required");
	s = (const char *)def->data.scalar.value;
	if ((rs->default_profile = rl_profile_find(c, s)) == NULL)
		return rl_error(c, def, "default_profile: no profile named "
		    "\"%s\"", rl_vis(s, vis, sizeof(vis)));
	for (i = 0; i < rs->nidentities; i++) {
		s = (const char *)c->idprof[i]->data.scalar.value;
		if ((rs->identities[i].profile = rl_profile_find(c, s)) == NULL)
			return rl_error(c, c->idprof[i], "profile: no profile "
			    "named \"%s\"", rl_vis(s, vis, sizeof(vis)));
	}
	return 0;
}

/* Parses a rules file held in buf; see rules.h. */
int
rules_parse(const char *name, const unsigned char *buf, size_t len,
    struct ruleset **out, char *err, size_t errlen)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc;
	struct rlctx	 c;
	struct ruleset	*rs;
	int		 r;

	*out = NULL;
	if (len > RULES_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than 1 MiB", name);
		return -1;
	}
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser",
		    name);
		return -1;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yamlfile_error(name, &parser, buf, len, err, errlen);
		yaml_parser_delete(&parser);
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.name = name;
	c.doc = &doc;
	c.err = err;
	c.errlen = errlen;
	c.budget = RULES_MAX_ITEMS;
	c.rs = rs = xcalloc(1, sizeof(*rs));
	rs->file = xstrdup(name);
	r = rl_root(&c, yaml_document_get_root_node(&doc));
	if (r == 0) {
		/* The rest of the stream must hold no second document. */
		r = yamlfile_one_document(name, "a rules file", &parser, buf,
		    len, err, errlen);
	}
	free(c.idprof);
	free(c.pnames);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r == -1) {
		rules_free(rs);
		return -1;
	}
	*out = rs;
	return 0;
}

/* Reads FILE (at most 1 MiB) and parses it. */
int
rules_load(const char *file, struct ruleset **out, char *err, size_t errlen)
{
	unsigned char	*buf;
	size_t		 len;
	int		 r;

	*out = NULL;
	if ((buf = yamlfile_read(file, RULES_MAX_FILE, &len, err, errlen))
	    == NULL)
		return -1;
	r = rules_parse(file, buf, len, out, err, errlen);
	free(buf);
	return r;
}

/* Frees a ruleset and everything it owns; NULL is fine. */
void
rules_free(struct ruleset *rs)
{
	struct identity_rule	*ir;
	struct profile		*pf;
	size_t			 i, j;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nidentities; i++) {
		ir = &rs->identities[i];
		free(ir->cert_cn);
		free(ir->cert_san);
		free(ir->cert_fingerprint);
		free(ir->cert_issuer);
		free(ir->cert_subject);
		free(ir->listener);
	}
	free(rs->identities);
	for (i = 0; i < rs->nprofiles; i++) {
		pf = &rs->profiles[i];
		free(pf->name);
		for (j = 0; j < pf->nendpoints; j++) {
			free(pf->endpoints[j].name);
			free(pf->endpoints[j].pattern);
		}
		free(pf->endpoints);
		rl_strlist_free(&pf->containers.cap_add);
		rl_strlist_free(&pf->containers.bind_deny);
		rl_strlist_free(&pf->containers.bind_allow);
		rl_strlist_free(&pf->containers.sysctls);
		rl_strlist_free(&pf->containers.runtimes);
		rl_strlist_free(&pf->containers.log_drivers);
		rl_strlist_free(&pf->registries);
		free(pf->ownership.label);
		free(pf->ownership.owner);
	}
	free(rs->profiles);
	free(rs->file);
	free(rs);
}

/* Whether glob p matches v; a missing value matches nothing. */
static int
rl_glob(const char *p, const char *v)
{
	return v != NULL && fnmatch(p, v, 0) == 0;
}

/* Whether glob p matches a SAN, whole ("DNS:x") or after its "TYPE:". */
static int
rl_san_match(const char *p, const struct identity *id)
{
	const char	*s, *colon;
	size_t		 i;

	if (id->cert_sans == NULL)
		return 0;
	for (i = 0; i < id->cert_nsans; i++) {
		if ((s = id->cert_sans[i]) == NULL)
			continue;
		if (rl_glob(p, s))
			return 1;
		if ((colon = strchr(s, ':')) != NULL && rl_glob(p, colon + 1))
			return 1;
	}
	return 0;
}

/* Whether every key of identity rule r holds for id. */
static int
rl_identity_matches(const struct identity_rule *r, const struct identity *id)
{
	if (r->cert_cn != NULL && !rl_glob(r->cert_cn, id->cert_cn))
		return 0;
	if (r->cert_san != NULL && !rl_san_match(r->cert_san, id))
		return 0;
	if (r->cert_fingerprint != NULL &&
	    !rl_glob(r->cert_fingerprint, id->cert_fingerprint))
		return 0;
	if (r->cert_issuer != NULL && !rl_glob(r->cert_issuer, id->cert_issuer))
		return 0;
	if (r->cert_subject != NULL &&
	    !rl_glob(r->cert_subject, id->cert_subject))
		return 0;
	if (r->has_uid && (!id->is_unix || id->uid != r->uid))
		return 0;
	if (r->has_gid && (!id->is_unix || id->gid != r->gid))
		return 0;
	if (r->listener != NULL &&
	    (id->listener == NULL || strcmp(r->listener, id->listener) != 0))
		return 0;
	return 1;
}

/* The first identity rule that matches id wins, else the default. */
const struct profile *
rules_profile_for(const struct ruleset *rs, const struct identity *id)
{
	size_t	i;

	if (rs == NULL)
		return NULL;
	if (id == NULL)
		return rs->default_profile;
	for (i = 0; i < rs->nidentities; i++) {
		if (rl_identity_matches(&rs->identities[i], id))
			return rs->identities[i].profile;
	}
	return rs->default_profile;
}

/* Lexical clean of an absolute path into out, as in rules.h. */
int
rules_path_clean(const char *in, char *out, size_t outlen)
{
	const char	*seg, *end;
	size_t		 o = 1, len;

	if (in[0] != '/' || outlen < 2) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	out[0] = '/';
	for (seg = in; *seg != '\0'; seg = end) {
		while (*seg == '/')
			seg++;
		for (end = seg; *end != '\0' && *end != '/'; end++)
			;
		len = (size_t)(end - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o + (o > 1) + len + 1 > outlen) {
			out[0] = '\0';
			return -1;
		}
		if (o > 1)
			out[o++] = '/';
		memmove(out + o, seg, len);
		o += len;
	}
	out[o] = '\0';
	return 0;
}

/* Upper-cases a capability name and drops a leading "CAP_". */
void
rules_cap_norm(const char *in, char *out, size_t outlen)
{
	size_t	o = 0;

	if (outlen == 0)
		return;
	if (strncasecmp(in, "CAP_", 4) == 0)
		in += 4;
	for (; *in != '\0' && o + 1 < outlen; in++, o++)
		out[o] = (*in >= 'a' && *in <= 'z') ? (char)(*in - 'a' + 'A') :
		    *in;
	out[o] = '\0';
}
