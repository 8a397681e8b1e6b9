/*
 * Pure decisions over parsed requests.  Each check reads the body the way
 * dockerd's Go decoder does (json_field() folds keys like encoding/json)
 * and denies in Docker's own terms, naming the field and the value.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "docker.h"
#include "json.h"
#include "policy.h"
#include "xmalloc.h"
#include "rules.h"

/*
 * HostConfig fields (v1.41 to v1.56, the 19.03 Capabilities, and
 * Resources), in strcasecmp(3) order for bsearch(3) with a folded key.
 * dockerd still reads them at the top level of a create body (a
 * deprecated embedded struct) when HostConfig is absent, and merges some
 * when it is present: sockguard refuses them there.
 */
static const char *const hostconfig_fields[] = {
	"Annotations", "AutoRemove", "Binds", "BlkioDeviceReadBps",
	"BlkioDeviceReadIOps", "BlkioDeviceWriteBps", "BlkioDeviceWriteIOps",
	"BlkioWeight", "BlkioWeightDevice", "Capabilities", "CapAdd",
	"CapDrop", "Cgroup", "CgroupnsMode", "CgroupParent", "ConsoleSize",
	"ContainerIDFile", "CpuCount", "CpuPercent", "CpuPeriod", "CpuQuota",
	"CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus",
	"CpusetMems", "CpuShares", "DeviceCgroupRules", "DeviceRequests",
	"Devices", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts",
	"GroupAdd", "Init", "IOMaximumBandwidth", "IOMaximumIOps", "IpcMode",
	"Isolation", "KernelMemory", "KernelMemoryTCP", "Links", "LogConfig",
	"MaskedPaths", "Memory", "MemoryReservation", "MemorySwap",
	"MemorySwappiness", "Mounts", "NanoCpus", "NetworkMode",
	"OomKillDisable", "OomScoreAdj", "PidMode", "PidsLimit",
	"PortBindings", "Privileged", "PublishAllPorts", "ReadonlyPaths",
	"ReadonlyRootfs", "Resources", "RestartPolicy", "Runtime",
	"SecurityOpt", "ShmSize", "StorageOpt", "Sysctls", "Tmpfs",
	"Ulimits", "UsernsMode", "UTSMode", "VolumeDriver", "VolumesFrom",
};

/* bsearch(3): a folded key against an (ASCII) field name. */
static int
policy_fieldcmp(const void *key, const void *entry)
{
	return strcasecmp(key, *(const char *const *)entry);
}

static int	deny(struct decision *, int, const char *, const char *,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 6, 7)));

void
policy_init(struct decision *d, const struct profile *p)
{
	memset(d, 0, sizeof(*d));
	d->allow = 1;
	d->status = 200;
	d->profile = p != NULL ? p->name : "";
}

/*
 * Records a denial: rule name, offending field and value, reason.
 * Malformed input (400) is refused even in audit mode.  Returns -1.
 */
static int
deny(struct decision *d, int status, const char *rule, const char *field,
    const char *value, const char *fmt, ...)
{
	va_list	ap;

	if (d->denied)
		return -1;	/* the first reason stands */
	d->denied = 1;
	d->status = status;
	snprintf(d->rule, sizeof(d->rule), "%s", rule);
	snprintf(d->field, sizeof(d->field), "%s", field ? field : "");
	snprintf(d->value, sizeof(d->value), "%s", value ? value : "");
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	d->allow = 0;
	return -1;
}

/* Audit mode turns policy denials (not malformed input) into allows. */
static void
policy_finish(const struct profile *p, struct decision *d)
{
	if (d->denied && d->status == 403 && p != NULL && p->audit_mode) {
		d->audit_only = 1;
		d->allow = 1;
	}
}

void
policy_deny(const struct profile *p, struct decision *d, int status,
    const char *rule, const char *fmt, ...)
{
	va_list	ap;
	char	reason[sizeof(d->reason)];

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	deny(d, status, rule, NULL, NULL, "%s", reason);
	policy_finish(p, d);
}

/* Method name -> RULE_M_* bit. */
static unsigned
policy_method_bit(const char *m)
{
	static const struct { const char *name; unsigned bit; } t[] = {
		{ "GET", RULE_M_GET }, { "HEAD", RULE_M_HEAD },
		{ "POST", RULE_M_POST }, { "PUT", RULE_M_PUT },
		{ "DELETE", RULE_M_DELETE }, { "OPTIONS", RULE_M_OPTIONS },
		{ "PATCH", RULE_M_PATCH },
	};
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].name, m) == 0)
			return t[i].bit;
	return 0;
}

int
policy_pattern_match(const char *pat, const char *route, size_t len)
{
	const char	*ps, *rs;
	size_t		 plen, rlen;

	if (*pat == '\0')
		return len == 0;
	if (*pat != '/')
		return 0;
	ps = pat + 1;
	plen = strcspn(ps, "/");
	if (plen == 2 && ps[0] == '*' && ps[1] == '*') {
		/* "**": zero segments, or one more and try again */
		if (policy_pattern_match(ps + 2, route, len))
			return 1;
		if (len == 0)
			return 0;
		for (rlen = 1; rlen < len && route[rlen] != '/'; rlen++)
			;
		return policy_pattern_match(pat, route + rlen, len - rlen);
	}
	if (len == 0 || route[0] != '/')
		return 0;
	rs = route + 1;
	for (rlen = 0; rlen < len - 1 && rs[rlen] != '/'; rlen++)
		;
	if (plen == 1 && ps[0] == '*') {
		if (rlen == 0)
			return 0;
	} else if (plen != rlen || memcmp(ps, rs, plen) != 0)
		return 0;
	return policy_pattern_match(ps + plen, rs + rlen, len - 1 - rlen);
}

/* Endpoint rules: first match wins; no match is a denial. */
static int
policy_endpoints(const struct profile *p, const struct policy_request *r,
    struct decision *d)
{
	unsigned	bit = policy_method_bit(r->method);
	size_t		i;
	char		what[256];

	snprintf(what, sizeof(what), "%s %.*s", r->method, (int)r->route_len,
	    r->route);
	for (i = 0; i < p->nendpoints; i++) {
		const struct endpoint_rule *e = &p->endpoints[i];

		if (!(e->methods & bit) ||
		    !policy_pattern_match(e->pattern, r->route, r->route_len))
			continue;
		if (e->allow)
			return 0;
		return deny(d, 403, e->name, "endpoint", what, "%s is denied",
		    what);
	}
	return deny(d, 403, "endpoints", "endpoint", what, "no rule allows %s",
	    what);
}

void
policy_image_registry(const char *ref, char *out, size_t outlen)
{
	const char	*slash;
	size_t		 n, i;
	int		 domain;

	out[0] = '\0';
	n = strlen(ref);
	if (n == 71 && strncmp(ref, "sha256:", 7) == 0 &&
	    strspn(ref + 7, "0123456789abcdef") == 64)
		return;			/* a local image id */
	if (n == 64 && strspn(ref, "0123456789abcdef") == 64)
		return;
	if ((slash = strchr(ref, '/')) == NULL) {
		snprintf(out, outlen, "docker.io");
		return;
	}
	n = (size_t)(slash - ref);
	domain = memchr(ref, '.', n) != NULL || memchr(ref, ':', n) != NULL ||
	    (n == 9 && strncmp(ref, "localhost", 9) == 0);
	for (i = 0; i < n && !domain; i++)
		if (ref[i] >= 'A' && ref[i] <= 'Z')
			domain = 1;
	if (!domain) {
		snprintf(out, outlen, "docker.io");
		return;
	}
	snprintf(out, outlen, "%.*s", (int)n, ref);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	if (strcmp(out, "index.docker.io") == 0 ||
	    strcmp(out, "registry-1.docker.io") == 0)
		snprintf(out, outlen, "docker.io");
}

/* images.registries: the registry of ref must be listed (if any are). */
static int
check_registry(const struct profile *p, const char *field, const char *ref,
    struct decision *d)
{
	char	reg[256];
	size_t	i;

	if (p->registries.n == 0)
		return 0;
	policy_image_registry(ref, reg, sizeof(reg));
	if (reg[0] == '\0')
		return 0;
	for (i = 0; i < p->registries.n; i++)
		if (strcmp(p->registries.v[i], reg) == 0)
			return 0;
	return deny(d, 403, "images.registries", field, ref, "%s %s is from "
	    "registry %s, which is not in images.registries", field, ref, reg);
}

/* A string member, or NULL; a member of another type is malformed. */
static int
get_string(const json_t *obj, const char *name, const char *path,
    const char **out, struct decision *d)
{
	json_t	*v;

	*out = NULL;
	if (obj == NULL || (v = json_field(obj, name)) == NULL ||
	    json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return deny(d, 400, "body", path, "", "%s must be a string",
		    path);
	*out = json_string_value(v);
	return 0;
}

/* A boolean member (absent/null: 0). */
static int
get_bool(const json_t *obj, const char *name, const char *path, int *out,
    struct decision *d)
{
	json_t	*v;

	*out = 0;
	if (obj == NULL || (v = json_field(obj, name)) == NULL ||
	    json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return deny(d, 400, "body", path, "", "%s must be a boolean",
		    path);
	*out = json_is_true(v);
	return 0;
}

/* An integer member (absent/null: 0). */
static int
get_int(const json_t *obj, const char *name, const char *path,
    json_int_t *out, struct decision *d)
{
	json_t	*v;

	*out = 0;
	if (obj == NULL || (v = json_field(obj, name)) == NULL ||
	    json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return deny(d, 400, "body", path, "", "%s must be an integer",
		    path);
	*out = json_integer_value(v);
	return 0;
}

/* An array member or NULL (absent/null); another type is malformed. */
static int
get_array(const json_t *obj, const char *name, const char *path,
    json_t **out, struct decision *d)
{
	json_t	*v;

	*out = NULL;
	if (obj == NULL || (v = json_field(obj, name)) == NULL ||
	    json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return deny(d, 400, "body", path, "", "%s must be a list",
		    path);
	*out = v;
	return 0;
}

/* An object member or NULL (absent/null); another type is malformed. */
static int
get_object(const json_t *obj, const char *name, const char *path,
    json_t **out, struct decision *d)
{
	json_t	*v;

	*out = NULL;
	if (obj == NULL || (v = json_field(obj, name)) == NULL ||
	    json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return deny(d, 400, "body", path, "", "%s must be an object",
		    path);
	*out = v;
	return 0;
}

/* True if path is p or below it. */
static int
path_under(const char *path, const char *p)
{
	size_t	n = strlen(p);

	if (strcmp(p, "/") == 0)
		return 1;
	return strncmp(path, p, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * Checks one host path against bind_mounts: a deny entry covers itself,
 * what is below it and what is above it (binding /var exposes
 * /var/lib/docker); "/" covers only "/".  Then bind_mounts.allow, if set.
 */
static int
check_host_path(const struct container_policy *cp,
    const struct policy_ctx *ctx, const char *field, const char *shown,
    const char *path, struct decision *d)
{
	size_t	i;

	for (i = 0; i < cp->bind_deny.n + ctx->nown_sockets; i++) {
		const char *e = i < cp->bind_deny.n ? cp->bind_deny.v[i] :
		    ctx->own_sockets[i - cp->bind_deny.n];
		int hit;

		if (strcmp(e, "/") == 0)
			hit = strcmp(path, "/") == 0;
		else
			hit = path_under(path, e) || path_under(e, path);
		if (hit)
			return deny(d, 403, "containers.bind_mounts", field,
			    shown, "bind mount of %s%s%s%s exposes %s, %s",
			    shown,
			    strcmp(shown, path) != 0 ? " (resolved: " : "",
			    strcmp(shown, path) != 0 ? path : "",
			    strcmp(shown, path) != 0 ? ")" : "", e,
			    i < cp->bind_deny.n ? "which bind_mounts.deny "
			    "forbids" : "a socket sockguard guards or serves");
	}
	if (cp->bind_allow.n == 0)
		return 0;
	for (i = 0; i < cp->bind_allow.n; i++)
		if (path_under(path, cp->bind_allow.v[i]))
			return 0;
	return deny(d, 403, "containers.bind_mounts", field, shown, "bind "
	    "mount of %s is outside bind_mounts.allow", path);
}

/*
 * Cleans and resolves a bind source, checks it, and returns in out the
 * path to forward (resolved when resolution is on).
 */
static int
check_bind_source(const struct container_policy *cp,
    const struct policy_ctx *ctx, const char *field, const char *src,
    char *out, size_t outlen, struct decision *d)
{
	char	clean[PATH_MAX];

	if (strlen(src) >= sizeof(clean) ||
	    rules_path_clean(src, clean, sizeof(clean)) == -1)
		return deny(d, 400, "body", field, src, "%s: bind source %s is "
		    "not an absolute path", field, src);
	if (cp->resolve_symlinks && ctx->resolve != NULL) {
		if (ctx->resolve(clean, out, outlen) == -1)
			return deny(d, 403, "containers.bind_mounts", field,
			    src, "cannot resolve bind source %s: %s (sockguard "
			    "denies what it cannot resolve)", src,
			    strerror(errno));
	} else
		snprintf(out, outlen, "%s", clean);
	return check_host_path(cp, ctx, field, src, out, d);
}

/* True if a comma-separated option list holds a propagation to deny. */
static const char *
bad_propagation(const char *opts, size_t n)
{
	static const char *bad[] = { "shared", "rshared" };
	size_t	i, j, k;

	for (j = 0; j < n; j = k + 1) {
		for (k = j; k < n && opts[k] != ','; k++)
			;
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (k - j == strlen(bad[i]) &&
			    strncmp(opts + j, bad[i], k - j) == 0)
				return bad[i];
	}
	return NULL;
}

/* HostConfig.Binds: "src:dst[:opts]"; absolute src is a bind mount. */
static int
check_binds(const struct container_policy *cp, const struct policy_ctx *ctx,
    json_t *binds, struct decision *d)
{
	char		 field[64], resolved[PATH_MAX], *src, *nb;
	const char	*s, *c1, *opts, *prop;
	size_t		 i;
	json_t		*v;

	json_array_foreach(binds, i, v) {
		snprintf(field, sizeof(field), "HostConfig.Binds[%zu]", i);
		if (!json_is_string(v))
			return deny(d, 400, "body", field, "", "%s must be a "
			    "string", field);
		s = json_string_value(v);
		if (s[0] != '/' || (c1 = strchr(s, ':')) == NULL)
			continue;	/* a named or anonymous volume */
		opts = strchr(c1 + 1, ':');
		if (opts != NULL && strchr(opts + 1, ':') != NULL)
			return deny(d, 400, "body", field, s, "%s: %s has too "
			    "many ':' fields", field, s);
		if (opts != NULL && !cp->bind_propagation &&
		    (prop = bad_propagation(opts + 1, strlen(opts + 1))) != NULL)
			return deny(d, 403, "containers.bind_mounts.propagation",
			    field, s, "%s asks for %s mount propagation",
			    field, prop);
		src = strndup(s, (size_t)(c1 - s));
		if (src == NULL)
			return deny(d, 500, "body", field, s, "out of memory");
		if (check_bind_source(cp, ctx, field, src, resolved,
		    sizeof(resolved), d) == -1) {
			free(src);
			return -1;
		}
		if (strcmp(src, resolved) != 0) {
			if (asprintf(&nb, "%s%s", resolved, c1) == -1) {
				free(src);
				return deny(d, 500, "body", field, s,
				    "out of memory");
			}
			json_array_set_new(binds, i, json_string(nb));
			free(nb);
			d->rewritten = 1;
		}
		free(src);
	}
	return 0;
}

/*
 * The local driver hands type, device and o to mount(2): besides binds
 * (type none, o=bind) that can mount any host block device or overlay
 * host directories.  Finds those options; *kind says what they are:
 * 0 none given, 1 tmpfs, 2 a bind of *dev, 3 anything else.
 */
static void
volume_mount_kind(const json_t *opts, json_t **dev, const char **type,
    int *kind)
{
	const char	*k, *o = NULL;
	json_t		*v;
	int		 any = 0;

	*dev = NULL;
	*type = NULL;
	json_object_foreach((json_t *)opts, k, v) {
		if (strcasecmp(k, "type") != 0 && strcasecmp(k, "o") != 0 &&
		    strcasecmp(k, "device") != 0)
			continue;
		any = 1;
		if (!json_is_string(v))
			continue;
		if (strcasecmp(k, "type") == 0)
			*type = json_string_value(v);
		else if (strcasecmp(k, "o") == 0)
			o = json_string_value(v);
		else
			*dev = v;
	}
	if (!any)
		*kind = 0;
	else if (*type != NULL && strcmp(*type, "tmpfs") == 0 &&
	    (o == NULL || strstr(o, "bind") == NULL))
		*kind = 1;
	else if (*dev != NULL && ((o != NULL && strstr(o, "bind") != NULL) ||
	    (*type != NULL && strcmp(*type, "none") == 0)))
		*kind = 2;
	else
		*kind = 3;
}

/*
 * Driver name and options of a volume: a non-local driver needs
 * volume_drivers; local options may make a tmpfs, or bind a host path
 * (checked like a bind source and forwarded resolved); any other mount
 * the local driver would make (a block device, an overlay of host
 * directories, a network filesystem) needs volume_drivers too.
 */
static int
check_volume_driver(const struct container_policy *cp,
    const struct policy_ctx *ctx, const char *field, const char *driver,
    const json_t *opts, struct decision *d)
{
	json_t		*devv;
	const char	*dev, *type;
	char		 resolved[PATH_MAX], f[96];
	int		 kind;

	if (driver != NULL && driver[0] != '\0' && strcmp(driver, "local") != 0
	    && !cp->volume_drivers)
		return deny(d, 403, "containers.volume_drivers", field, driver,
		    "volume driver %s is not allowed (volume_drivers)", driver);
	if (opts == NULL || !json_is_object(opts))
		return 0;
	volume_mount_kind(opts, &devv, &type, &kind);
	if (kind == 0 || kind == 1)
		return 0;
	if (kind == 3) {
		static const char *netfs[] = { "nfs", "nfs4", "cifs", "smb3" };
		size_t	i;

		for (i = 0; type != NULL && i < sizeof(netfs) / sizeof(netfs[0]);
		    i++)
			if (strcmp(type, netfs[i]) == 0)
				return 0;	/* a network filesystem */
		if (cp->volume_drivers)
			return 0;
		dev = devv != NULL ? json_string_value(devv) : "";
		snprintf(f, sizeof(f), "%s device", field);
		if (dev[0] == '/' && check_bind_source(cp, ctx, f, dev,
		    resolved, sizeof(resolved), d) == -1)
			return -1;
		return deny(d, 403, "containers.bind_mounts", f, dev,
		    "local volume options mount %s%s from the host; only "
		    "tmpfs, network filesystems and checked binds are allowed",
		    type ? "type " : "device ", type ? type : dev);
	}
	dev = json_string_value(devv);
	snprintf(f, sizeof(f), "%s device", field);
	if (dev[0] != '/')
		return deny(d, 403, "containers.bind_mounts", f, dev, "volume "
		    "options bind %s, which is not an absolute path", dev);
	if (check_bind_source(cp, ctx, f, dev, resolved, sizeof(resolved), d)
	    == -1)
		return -1;
	if (strcmp(dev, resolved) != 0) {
		json_string_set(devv, resolved);
		d->rewritten = 1;
	}
	return 0;
}

/* HostConfig.Mounts: bind sources, propagation, volume driver binds. */
static int
check_mounts(const struct container_policy *cp, const struct policy_ctx *ctx,
    const char *prefix, json_t *mounts, struct decision *d)
{
	char		 field[64], resolved[PATH_MAX];
	const char	*type, *src, *prop, *drv;
	json_t		*m, *bo, *vo, *dc, *opts;
	size_t		 i;

	json_array_foreach(mounts, i, m) {
		snprintf(field, sizeof(field), "%s[%zu]", prefix, i);
		if (!json_is_object(m))
			return deny(d, 400, "body", field, "", "%s must be an "
			    "object", field);
		if (get_string(m, "Type", field, &type, d) == -1 ||
		    get_string(m, "Source", field, &src, d) == -1)
			return -1;
		if (type == NULL || strcmp(type, "volume") == 0) {
			if (get_object(m, "VolumeOptions", field, &vo, d) == -1
			    || get_object(vo, "DriverConfig", field, &dc, d) == -1
			    || get_string(dc, "Name", field, &drv, d) == -1 ||
			    get_object(dc, "Options", field, &opts, d) == -1)
				return -1;
			if (check_volume_driver(cp, ctx, field, drv, opts, d)
			    == -1)
				return -1;
			continue;
		}
		if (strcmp(type, "tmpfs") == 0)
			continue;
		if (strcmp(type, "bind") != 0)
			return deny(d, 403, "containers.bind_mounts", field,
			    type, "%s: mount type %s is not allowed", field,
			    type);
		if (get_object(m, "BindOptions", field, &bo, d) == -1 ||
		    get_string(bo, "Propagation", field, &prop, d) == -1)
			return -1;
		if (prop != NULL && !cp->bind_propagation &&
		    bad_propagation(prop, strlen(prop)) != NULL)
			return deny(d, 403, "containers.bind_mounts.propagation",
			    field, prop, "%s asks for %s mount propagation",
			    field, prop);
		if (src == NULL)
			return deny(d, 400, "body", field, "", "%s: a bind "
			    "mount needs a Source", field);
		if (check_bind_source(cp, ctx, field, src, resolved,
		    sizeof(resolved), d) == -1)
			return -1;
		if (strcmp(src, resolved) != 0) {
			/* In place, under the key dockerd reads (any folding). */
			json_string_set(json_field(m, "Source"), resolved);
			d->rewritten = 1;
		}
	}
	return 0;
}

/* HostConfig.CapAdd (and the 19.03 Capabilities override). */
static int
check_caps(const struct container_policy *cp, json_t *hc, struct decision *d)
{
	char		 name[64], field[64];
	json_t		*caps, *v;
	size_t		 i, j;
	int		 all = 0;

	for (j = 0; j < cp->cap_add.n; j++)
		if (strcmp(cp->cap_add.v[j], "ALL") == 0)
			all = 1;
	if (get_array(hc, "Capabilities", "HostConfig.Capabilities", &caps, d)
	    == -1)
		return -1;
	if (caps != NULL && json_array_size(caps) > 0 && !cp->privileged)
		return deny(d, 403, "containers.capabilities",
		    "HostConfig.Capabilities", "", "HostConfig.Capabilities "
		    "replaces the whole capability set; it is not allowed");
	if (get_array(hc, "CapAdd", "HostConfig.CapAdd", &caps, d) == -1)
		return -1;
	if (caps == NULL || all)
		return 0;
	json_array_foreach(caps, i, v) {
		snprintf(field, sizeof(field), "HostConfig.CapAdd[%zu]", i);
		if (!json_is_string(v))
			return deny(d, 400, "body", field, "", "%s must be a "
			    "string", field);
		rules_cap_norm(json_string_value(v), name, sizeof(name));
		for (j = 0; j < cp->cap_add.n; j++)
			if (strcmp(cp->cap_add.v[j], name) == 0)
				break;
		if (j == cp->cap_add.n)
			return deny(d, 403, "containers.capabilities", field,
			    json_string_value(v), "adding capability %s is not "
			    "allowed (capabilities.allow_add)",
			    json_string_value(v));
	}
	return 0;
}

/* True if a namespace mode means the host's namespace. */
static int
mode_is_host(const char *v)
{
	while (*v == ' ')
		v++;
	return strncasecmp(v, "host", 4) == 0 && (v[4] == '\0' || v[4] == ' ');
}

/* What a HostConfig is checked for: a create, or a container that exists
 * (entered by exec/attach/cp, or joined by a create). */
/* A log driver's name (field says where): one of log_drivers, or none. */
static int
check_log_driver(const struct container_policy *cp, json_t *obj,
    const char *name_key, const char *field, struct decision *d)
{
	const char	*s;
	size_t		 i;

	if (get_string(obj, name_key, field, &s, d) == -1)
		return -1;
	if (s == NULL || s[0] == '\0')
		return 0;	/* dockerd's default */
	for (i = 0; i < cp->log_drivers.n; i++)
		if (strcmp(cp->log_drivers.v[i], s) == 0)
			return 0;
	return deny(d, 403, "containers.log_drivers", field, s, "log driver "
	    "%s is not in log_drivers (it makes dockerd send the output "
	    "elsewhere)", s);
}

enum hc_mode { HC_CREATE, HC_ENTER, HC_JOIN };

/* NetworkMode, PidMode, IpcMode, UTSMode, UsernsMode, CgroupnsMode, Cgroup. */
static int
check_namespaces(const struct container_policy *cp, json_t *hc, json_t *body,
    enum hc_mode mode, struct decision *d)
{
	static const char *modes[] = { "NetworkMode", "PidMode", "IpcMode",
	    "UTSMode", "UsernsMode", "CgroupnsMode", "Cgroup" };
	char		 field[64];
	const char	*v, *k;
	json_t		*nc, *ec, *ep;
	size_t		 i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		snprintf(field, sizeof(field), "HostConfig.%s", modes[i]);
		if (get_string(hc, modes[i], field, &v, d) == -1)
			return -1;
		if (v == NULL)
			continue;
		if (mode_is_host(v) && !cp->host_namespaces)
			return deny(d, 403, "containers.host_namespaces", field,
			    v, "%s=%s shares the host's namespace", field, v);
		if (strncasecmp(v, "container:", 10) != 0)
			continue;
		if (!cp->joins)
			return deny(d, 403, "containers.joins", field, v, "%s=%s "
			    "joins another container's namespace", field, v);
		/* checked: the proxy looks the target up (policy_joins()). */
		if (mode == HC_CREATE && strncmp(v, "container:", 10) != 0)
			return deny(d, 403, "containers.joins", field, v, "%s=%s: "
			    "dockerd joins only the lower-case spelling "
			    "\"container:\"", field, v);
		/* Joining a container that is itself in another's pid or
		 * ipc namespace would join that one: joins do not chain. */
		if (mode == HC_JOIN && (strcmp(modes[i], "PidMode") == 0 ||
		    strcmp(modes[i], "IpcMode") == 0))
			return deny(d, 403, "containers.joins", field, v, "%s=%s: "
			    "it is in another container's namespace itself",
			    field, v);
	}
	if (get_object(body, "NetworkingConfig", "NetworkingConfig", &nc, d)
	    == -1 || get_object(nc, "EndpointsConfig",
	    "NetworkingConfig.EndpointsConfig", &ec, d) == -1)
		return -1;
	if (ec != NULL && !cp->host_namespaces) {
		json_object_foreach(ec, k, ep) {
			if (mode_is_host(k))
				return deny(d, 403, "containers.host_namespaces",
				    "NetworkingConfig.EndpointsConfig", k,
				    "connecting to the host network is not "
				    "allowed");
		}
	}
	return 0;
}

/* Devices, DeviceCgroupRules, DeviceRequests must be empty. */
static int
check_devices(const struct container_policy *cp, json_t *hc,
    const char *prefix, struct decision *d)
{
	static const char *f[] = { "Devices", "DeviceCgroupRules",
	    "DeviceRequests" };
	char	field[64];
	json_t	*a;
	size_t	i;

	if (cp->devices)
		return 0;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(field, sizeof(field), "%s%s", prefix, f[i]);
		if (get_array(hc, f[i], field, &a, d) == -1)
			return -1;
		if (a != NULL && json_array_size(a) > 0)
			return deny(d, 403, "containers.devices", field, "",
			    "%s gives the container host devices", field);
	}
	return 0;
}

/* SecurityOpt, MaskedPaths/ReadonlyPaths: ways out of the confinement. */
static int
check_security(const struct container_policy *cp, json_t *hc, int *nnp,
    struct decision *d)
{
	char		 field[64], key[32];
	const char	*s, *val;
	json_t		*a, *v;
	size_t		 i, klen;

	*nnp = 0;
	if (get_array(hc, "SecurityOpt", "HostConfig.SecurityOpt", &a, d) == -1)
		return -1;
	json_array_foreach(a, i, v) {
		snprintf(field, sizeof(field), "HostConfig.SecurityOpt[%zu]", i);
		if (!json_is_string(v))
			return deny(d, 400, "body", field, "", "%s must be a "
			    "string", field);
		s = json_string_value(v);
		klen = strcspn(s, "=:");
		val = s[klen] != '\0' ? s + klen + 1 : "";
		snprintf(key, sizeof(key), "%.*s", (int)klen, s);
		if (strcmp(key, "no-new-privileges") == 0) {
			*nnp = val[0] == '\0' || strcmp(val, "true") == 0;
			continue;
		}
		if (cp->unconfined)
			continue;
		if (strcmp(key, "seccomp") == 0)
			return deny(d, 403, "containers.unconfined", field,
			    strcmp(val, "unconfined") == 0 ? s : "seccomp=<profile>",
			    strcmp(val, "unconfined") == 0 ? "%s disables "
			    "seccomp" : "%s replaces the default seccomp "
			    "profile; custom profiles are not allowed", field);
		if (strcmp(key, "apparmor") == 0 &&
		    strcmp(val, "unconfined") == 0)
			return deny(d, 403, "containers.unconfined", field, s,
			    "%s disables AppArmor", field);
		if (strcmp(key, "label") == 0 && (strcmp(val, "disable") == 0 ||
		    strncmp(val, "type:", 5) == 0))
			return deny(d, 403, "containers.unconfined", field, s,
			    "%s changes the SELinux confinement", field);
		if (strcmp(key, "systempaths") == 0)
			return deny(d, 403, "containers.unconfined", field, s,
			    "%s unmasks /proc and /sys paths", field);
		if (strcmp(key, "apparmor") != 0 && strcmp(key, "label") != 0)
			return deny(d, 403, "containers.unconfined", field, s,
			    "%s: unknown security option %s", field, key);
	}
	if (cp->unconfined)
		return 0;
	if (get_array(hc, "MaskedPaths", "HostConfig.MaskedPaths", &a, d) == -1)
		return -1;
	if (a != NULL)
		return deny(d, 403, "containers.unconfined",
		    "HostConfig.MaskedPaths", "", "HostConfig.MaskedPaths "
		    "replaces the masked /proc paths (systempaths=unconfined)");
	if (get_array(hc, "ReadonlyPaths", "HostConfig.ReadonlyPaths", &a, d)
	    == -1)
		return -1;
	if (a != NULL)
		return deny(d, 403, "containers.unconfined",
		    "HostConfig.ReadonlyPaths", "", "HostConfig.ReadonlyPaths "
		    "replaces the read-only /proc paths "
		    "(systempaths=unconfined)");
	if (get_object(hc, "Annotations", "HostConfig.Annotations", &a, d)
	    == -1)
		return -1;
	if (a != NULL && json_object_size(a) > 0)
		return deny(d, 403, "containers.unconfined",
		    "HostConfig.Annotations", "", "HostConfig.Annotations "
		    "pass options to the OCI runtime");
	return 0;
}

/* Sysctls, Runtime, VolumeDriver, CgroupParent, VolumesFrom, Links. */
static int
check_misc(const struct container_policy *cp, json_t *hc, struct decision *d)
{
	const char	*s, *k;
	json_t		*o, *v;
	size_t		 i;

	if (get_object(hc, "Sysctls", "HostConfig.Sysctls", &o, d) == -1)
		return -1;
	json_object_foreach(o, k, v) {
		for (i = 0; i < cp->sysctls.n; i++)
			if (fnmatch(cp->sysctls.v[i], k, 0) == 0)
				break;
		if (i == cp->sysctls.n)
			return deny(d, 403, "containers.sysctls",
			    "HostConfig.Sysctls", k, "sysctl %s is not in "
			    "sysctls.allow", k);
	}
	if (get_string(hc, "Runtime", "HostConfig.Runtime", &s, d) == -1)
		return -1;
	if (s != NULL && s[0] != '\0') {
		for (i = 0; i < cp->runtimes.n; i++)
			if (strcmp(cp->runtimes.v[i], s) == 0)
				break;
		if (i == cp->runtimes.n)
			return deny(d, 403, "containers.runtimes",
			    "HostConfig.Runtime", s, "runtime %s is not in "
			    "runtimes", s);
	}
	if (get_string(hc, "VolumeDriver", "HostConfig.VolumeDriver", &s, d)
	    == -1 || check_volume_driver(cp, NULL, "HostConfig.VolumeDriver",
	    s, NULL, d) == -1)
		return -1;
	if (get_string(hc, "CgroupParent", "HostConfig.CgroupParent", &s, d)
	    == -1)
		return -1;
	if (s != NULL && s[0] != '\0' && !cp->cgroup_parent)
		return deny(d, 403, "containers.cgroup_parent",
		    "HostConfig.CgroupParent", s, "HostConfig.CgroupParent "
		    "places the container in another cgroup");
	if (get_array(hc, "VolumesFrom", "HostConfig.VolumesFrom", &o, d) == -1)
		return -1;
	if (o != NULL && json_array_size(o) > 0 && !cp->joins)
		return deny(d, 403, "containers.joins", "HostConfig.VolumesFrom",
		    "", "HostConfig.VolumesFrom mounts another container's "
		    "volumes");
	if (get_array(hc, "Links", "HostConfig.Links", &o, d) == -1)
		return -1;
	if (o != NULL && json_array_size(o) > 0 && !cp->joins)
		return deny(d, 403, "containers.joins", "HostConfig.Links", "",
		    "HostConfig.Links exposes another container");
	return 0;
}

/*
 * True if a user string names root: "", "root", or a number that is 0 as
 * Go's strconv.Atoi reads it ("0", "00", "+0", "-0"), before any ":group".
 * A name that maps to uid 0 inside the image cannot be seen from here.
 */
static int
user_is_root(const char *u)
{
	size_t	n = strcspn(u, ":"), i = 0;

	if (n == 0 || (n == 4 && strncmp(u, "root", 4) == 0))
		return 1;
	if (u[0] == '+' || u[0] == '-')
		i = 1;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (u[i] != '0')
			return 0;
	return 1;
}

/* The require: block (hardening a profile insists on). */
static int
check_require(const struct container_policy *cp, json_t *body, json_t *hc,
    int nnp, struct decision *d)
{
	const char	*user;
	json_int_t	 n;
	int		 b;

	if (cp->req_non_root_user) {
		if (get_string(body, "User", "User", &user, d) == -1)
			return -1;
		if (user == NULL || user_is_root(user))
			return deny(d, 403, "containers.require.non_root_user",
			    "User", user ? user : "", "the container must run "
			    "as a non-root user (set --user)");
	}
	if (cp->req_read_only_rootfs) {
		if (get_bool(hc, "ReadonlyRootfs", "HostConfig.ReadonlyRootfs",
		    &b, d) == -1)
			return -1;
		if (!b)
			return deny(d, 403,
			    "containers.require.read_only_rootfs",
			    "HostConfig.ReadonlyRootfs", "false", "the "
			    "container must have a read-only root filesystem "
			    "(--read-only)");
	}
	if (cp->req_no_new_privileges && !nnp)
		return deny(d, 403, "containers.require.no_new_privileges",
		    "HostConfig.SecurityOpt", "", "the container must set "
		    "no-new-privileges (--security-opt no-new-privileges)");
	if (cp->req_memory_limit) {
		if (get_int(hc, "Memory", "HostConfig.Memory", &n, d) == -1)
			return -1;
		if (n <= 0)
			return deny(d, 403, "containers.require.memory_limit",
			    "HostConfig.Memory", "0", "the container must have "
			    "a memory limit (--memory)");
	}
	if (cp->req_pids_limit) {
		if (get_int(hc, "PidsLimit", "HostConfig.PidsLimit", &n, d)
		    == -1)
			return -1;
		if (n <= 0)
			return deny(d, 403, "containers.require.pids_limit",
			    "HostConfig.PidsLimit", "0", "the container must "
			    "have a pids limit (--pids-limit)");
	}
	return 0;
}

/* Everything a HostConfig can do (require: also the require block). */
static int
check_host_config(const struct profile *p, const struct policy_ctx *ctx,
    json_t *body, json_t *hc, enum hc_mode mode, struct decision *d)
{
	const struct container_policy *cp = &p->containers;
	json_t	*a;
	int	 b, nnp;

	if (get_bool(hc, "Privileged", "HostConfig.Privileged", &b, d) == -1)
		return -1;
	if (b && !cp->privileged)
		return deny(d, 403, "containers.privileged",
		    "HostConfig.Privileged", "true", "privileged containers "
		    "are not allowed");
	if (check_caps(cp, hc, d) == -1 ||
	    check_namespaces(cp, hc, body, mode, d) == -1 ||
	    check_devices(cp, hc, "HostConfig.", d) == -1 ||
	    check_security(cp, hc, &nnp, d) == -1 ||
	    check_misc(cp, hc, d) == -1)
		return -1;
	/* dockerd writes its default driver into every container: only
	 * what a create asks for is judged. */
	if (mode == HC_CREATE && (get_object(hc, "LogConfig",
	    "HostConfig.LogConfig", &a, d) == -1 || check_log_driver(cp, a,
	    "Type", "HostConfig.LogConfig.Type", d) == -1))
		return -1;
	if (get_array(hc, "Binds", "HostConfig.Binds", &a, d) == -1 ||
	    (a != NULL && check_binds(cp, ctx, a, d) == -1))
		return -1;
	if (get_array(hc, "Mounts", "HostConfig.Mounts", &a, d) == -1 ||
	    (a != NULL && check_mounts(cp, ctx, "HostConfig.Mounts", a, d) == -1))
		return -1;
	return mode == HC_CREATE ? check_require(cp, body, hc, nnp, d) : 0;
}

/* POST /containers/create. */
static int
check_container_create(const struct profile *p, const struct policy_ctx *ctx,
    json_t *body, struct decision *d)
{
	const char	*image, *key, *const *hit;
	json_t		*hc, *empty, *v;
	char		 folded[32];
	size_t		 klen;
	size_t		 n;
	int		 r;

	/* One pass over the body's keys, each folded as Go folds it. */
	json_object_foreach(body, key, v) {
		klen = strlen(key);
		if (klen >= sizeof(folded))
			continue;	/* longer than any HostConfig name */
		json_key_fold(key, klen, folded);
		if ((hit = bsearch(folded, hostconfig_fields,
		    sizeof(hostconfig_fields) / sizeof(hostconfig_fields[0]),
		    sizeof(hostconfig_fields[0]), policy_fieldcmp)) != NULL)
			return deny(d, 400, "body", *hit, "", "%s at the top "
			    "level of the body (a deprecated form dockerd "
			    "still reads) is not accepted; send it inside "
			    "HostConfig", *hit);
	}
	if (get_string(body, "Image", "Image", &image, d) == -1)
		return -1;
	if (image != NULL && check_registry(p, "Image", image, d) == -1)
		return -1;
	if (get_object(body, "HostConfig", "HostConfig", &hc, d) == -1)
		return -1;
	if (hc != NULL) {
		if (check_host_config(p, ctx, body, hc, HC_CREATE, d) == -1)
			return -1;
		/* Each join is a question to dockerd: a bounded number. */
		if (p->containers.joins &&
		    (n = policy_joins(body, NULL, 0)) > POLICY_MAX_JOINS)
			return deny(d, 403, "containers.joins", "HostConfig", "",
			    "the create joins %zu containers; at most %d are "
			    "looked at", n, POLICY_MAX_JOINS);
		return 0;
	}
	empty = json_object();
	r = check_host_config(p, ctx, body, empty, HC_CREATE, d);
	json_decref(empty);
	return r;
}

/* POST /containers/{id}/update: resources that reach host devices. */
static int
check_container_update(const struct profile *p, json_t *body,
    struct decision *d)
{
	const struct container_policy *cp = &p->containers;
	json_int_t	 n;
	json_t		*v;

	if (check_devices(cp, body, "", d) == -1)
		return -1;
	/* 0 or -1 lifts the limit; absent or null leaves it as it is. */
	if (cp->req_pids_limit && (v = json_field(body, "PidsLimit")) != NULL
	    && !json_is_null(v)) {
		if (get_int(body, "PidsLimit", "PidsLimit", &n, d) == -1)
			return -1;
		if (n <= 0)
			return deny(d, 403, "containers.require.pids_limit",
			    "PidsLimit", "", "the update would lift the pids "
			    "limit the container must have");
	}
	if (cp->req_memory_limit) {
		if (get_int(body, "Memory", "Memory", &n, d) == -1)
			return -1;
		if (n < 0)
			return deny(d, 403, "containers.require.memory_limit",
			    "Memory", "", "the update would lift the memory "
			    "limit the container must have");
	}
	return 0;
}

/* POST /containers/{id}/exec. */
static int
check_exec_create(const struct profile *p, json_t *body, struct decision *d)
{
	const char	*user;
	int		 priv;

	if (get_bool(body, "Privileged", "Privileged", &priv, d) == -1)
		return -1;
	if (priv && !p->exec_privileged)
		return deny(d, 403, "exec.privileged", "Privileged", "true",
		    "privileged exec is not allowed");
	if (get_string(body, "User", "User", &user, d) == -1)
		return -1;
	if (p->containers.req_non_root_user && user != NULL &&
	    user[0] != '\0' && user_is_root(user))
		return deny(d, 403, "containers.require.non_root_user", "User",
		    user, "exec as root is not allowed");
	return 0;
}

/* POST /volumes/create: local-driver options that bind a host path. */
static int
check_volume_create(const struct profile *p, const struct policy_ctx *ctx,
    json_t *body, struct decision *d)
{
	const char	*drv;
	json_t		*opts;

	if (get_string(body, "Driver", "Driver", &drv, d) == -1 ||
	    get_object(body, "DriverOpts", "DriverOpts", &opts, d) == -1)
		return -1;
	return check_volume_driver(&p->containers, ctx, "DriverOpts", drv,
	    opts, d);
}

/* Service ContainerSpec.Privileges: SELinux, seccomp, AppArmor. */
static int
check_service_privileges(const struct container_policy *cp, json_t *cs,
    struct decision *d)
{
	json_t		*pr, *o;
	const char	*mode;
	int		 b;

	if (get_object(cs, "Privileges", "ContainerSpec.Privileges", &pr, d)
	    == -1)
		return -1;
	if (pr == NULL || cp->unconfined)
		return 0;
	if (get_object(pr, "SELinuxContext", "Privileges.SELinuxContext", &o,
	    d) == -1 || get_bool(o, "Disable", "Privileges.SELinuxContext."
	    "Disable", &b, d) == -1)
		return -1;
	if (b)
		return deny(d, 403, "containers.unconfined",
		    "Privileges.SELinuxContext.Disable", "true", "the service "
		    "disables SELinux confinement");
	if (get_string(o, "Type", "Privileges.SELinuxContext.Type", &mode, d)
	    == -1)
		return -1;
	if (mode != NULL && mode[0] != '\0')
		return deny(d, 403, "containers.unconfined",
		    "Privileges.SELinuxContext.Type", mode, "the service sets "
		    "the SELinux type %s (like label=type:)", mode);
	if (get_object(pr, "Seccomp", "Privileges.Seccomp", &o, d) == -1 ||
	    get_string(o, "Mode", "Privileges.Seccomp.Mode", &mode, d) == -1)
		return -1;
	if (mode != NULL && strcmp(mode, "default") != 0)
		return deny(d, 403, "containers.unconfined",
		    "Privileges.Seccomp.Mode", mode, "the service sets seccomp "
		    "mode %s", mode);
	if (get_object(pr, "AppArmor", "Privileges.AppArmor", &o, d) == -1 ||
	    get_string(o, "Mode", "Privileges.AppArmor.Mode", &mode, d) == -1)
		return -1;
	if (mode != NULL && strcmp(mode, "default") != 0)
		return deny(d, 403, "containers.unconfined",
		    "Privileges.AppArmor.Mode", mode, "the service sets "
		    "AppArmor mode %s", mode);
	return 0;
}

/* Networks of a service (the task template's, or the deprecated top-level
 * ServiceSpec.Networks dockerd still reads): not the host network. */
static int
check_service_networks(const struct container_policy *cp, json_t *obj,
    const char *field, struct decision *d)
{
	const char	*target;
	json_t		*a, *v;
	size_t		 i;

	if (get_array(obj, "Networks", field, &a, d) == -1)
		return -1;
	json_array_foreach(a, i, v) {
		if (get_string(v, "Target", field, &target, d) == -1)
			return -1;
		if (target != NULL && mode_is_host(target) &&
		    !cp->host_namespaces)
			return deny(d, 403, "containers.host_namespaces", field,
			    target, "services may not use the host network");
	}
	return 0;
}

/* POST /services/create and /services/{id}/update: the task template. */
static int
check_service(const struct profile *p, const struct policy_ctx *ctx,
    json_t *body, struct decision *d)
{
	const struct container_policy *cp = &p->containers;
	json_t		*tt, *cs, *a, *v, *fake;
	const char	*image, *user, *rt;
	int		 r;

	if (get_object(body, "TaskTemplate", "TaskTemplate", &tt, d) == -1)
		return -1;
	if (tt == NULL)
		return 0;
	if (json_field(tt, "PluginSpec") != NULL &&
	    !json_is_null(json_field(tt, "PluginSpec")))
		return deny(d, 403, "services.plugins", "TaskTemplate.PluginSpec",
		    "", "plugin task templates are not allowed");
	if (get_string(tt, "Runtime", "TaskTemplate.Runtime", &rt, d) == -1)
		return -1;
	if (rt != NULL && rt[0] != '\0' && strcmp(rt, "container") != 0)
		return deny(d, 403, "services.plugins", "TaskTemplate.Runtime",
		    rt, "task runtime %s is not allowed", rt);
	if (check_service_networks(cp, body, "Networks", d) == -1 ||
	    check_service_networks(cp, tt, "TaskTemplate.Networks", d) == -1)
		return -1;
	if (get_object(tt, "LogDriver", "TaskTemplate.LogDriver", &a, d) == -1 ||
	    check_log_driver(cp, a, "Name", "TaskTemplate.LogDriver.Name",
	    d) == -1)
		return -1;
	if (get_object(tt, "ContainerSpec", "TaskTemplate.ContainerSpec", &cs,
	    d) == -1)
		return -1;
	if (cs == NULL)
		return 0;
	if (get_string(cs, "Image", "ContainerSpec.Image", &image, d) == -1 ||
	    (image != NULL && check_registry(p, "ContainerSpec.Image", image,
	    d) == -1))
		return -1;
	if (get_array(cs, "Mounts", "ContainerSpec.Mounts", &a, d) == -1 ||
	    (a != NULL && check_mounts(cp, ctx, "ContainerSpec.Mounts", a, d)
	    == -1))
		return -1;
	if (check_service_privileges(cp, cs, d) == -1)
		return -1;
	if (cp->req_non_root_user) {
		if (get_string(cs, "User", "ContainerSpec.User", &user, d) == -1)
			return -1;
		if (user == NULL || user_is_root(user))
			return deny(d, 403, "containers.require.non_root_user",
			    "ContainerSpec.User", user ? user : "", "the "
			    "service must run as a non-root user");
	}
	/* CapabilityAdd and Sysctls share the container checks. */
	fake = json_object();
	if ((v = json_field(cs, "CapabilityAdd")) != NULL)
		json_object_set(fake, "CapAdd", v);
	if ((v = json_field(cs, "Sysctls")) != NULL)
		json_object_set(fake, "Sysctls", v);
	r = check_caps(cp, fake, d) == -1 || check_misc(cp, fake, d) == -1 ?
	    -1 : 0;
	json_decref(fake);
	return r;
}

/* POST /containers/{id}/start: only an empty body (no old HostConfig). */
static int
check_container_start(const struct policy_request *r, struct decision *d)
{
	if (r->body == NULL || json_is_null(r->body) ||
	    (json_is_object(r->body) && json_object_size(r->body) == 0))
		return 0;
	return deny(d, 403, "containers.start", "body", "", "a HostConfig "
	    "on start (API < 1.24) is not allowed; set it at create");
}

/* POST /auth: the registry a client logs in to. */
static int
check_auth(const struct profile *p, json_t *body, struct decision *d)
{
	const char	*addr, *h;
	char		 ref[300];
	size_t		 n;

	if (get_string(body, "serveraddress", "serveraddress", &addr, d) == -1)
		return -1;
	if (addr == NULL || addr[0] == '\0')
		addr = "docker.io";
	h = strstr(addr, "://") ? strstr(addr, "://") + 3 : addr;
	n = strcspn(h, "/");
	/* a reference whose domain is the server address */
	snprintf(ref, sizeof(ref), "%.*s/x", (int)n, h);
	if (memchr(h, '.', n) == NULL && memchr(h, ':', n) == NULL &&
	    !(n == 9 && strncmp(h, "localhost", 9) == 0))
		snprintf(ref, sizeof(ref), "%.*s./x", (int)n, h);
	return check_registry(p, "serveraddress", ref, d);
}

/* Reads one query parameter; an ambiguous query is malformed. */
static int
query_get(const struct policy_request *r, const char *key, char *out,
    size_t outlen, int *found, struct decision *d)
{
	int	rc;

	rc = docker_query_get(r->query, r->query_len, key, out, outlen);
	if (rc == -1)
		return deny(d, 400, "query", key, "", "the query parameter %s "
		    "is malformed, repeated or too long, or the query uses ';'",
		    key);
	*found = rc;
	return 0;
}

/* The image name in /images/{name}/push (name may hold '/'). */
static void
route_image_name(const struct policy_request *r, const char *suffix,
    char *out, size_t outlen)
{
	size_t	slen = strlen(suffix), n = r->route_len;

	out[0] = '\0';
	if (n <= 8 + slen || strncmp(r->route, "/images/", 8) != 0 ||
	    memcmp(r->route + n - slen, suffix, slen) != 0)
		return;
	snprintf(out, outlen, "%.*s", (int)(n - 8 - slen), r->route + 8);
}

/* Checks that need only the head: queries and uninspectable streams. */
/*
 * dockerd's container routes take names holding '/' ("/containers/
 * {name:.*}/attach"), and a legacy link registers "/parent/alias": the
 * container such a path names is not the one sockguard would look up.
 * Only /containers/X, /containers/X/OP and /containers/X/attach/ws are
 * let through (DELETE: /containers/X alone).
 */
static int
check_container_route(const struct policy_request *r, struct decision *d)
{
	const char	*p = r->route, *end = r->route + r->route_len;
	size_t		 segs = 0;

	if (r->route_len <= 12 || strncmp(p, "/containers/", 12) != 0)
		return 0;
	for (p += 11; p < end; p++)
		if (*p == '/')
			segs++;
	if (strcmp(r->method, "DELETE") == 0 ? segs == 1 : (segs <= 2 ||
	    (segs == 3 && docker_route_match("/containers/*/attach/ws",
	    r->route, r->route_len))))
		return 0;
	return deny(d, 400, "request", "path", "", "%.*s names a container "
	    "with '/' in its name (a link alias), which sockguard does not "
	    "look up; use the container's own name or id",
	    (int)r->route_len, r->route);
}

static int
check_head(const struct profile *p, const struct policy_request *r,
    struct decision *d)
{
	char	v[1024];
	int	found = 0, post = strcmp(r->method, "POST") == 0;

	if (post && docker_route_match("/build", r->route, r->route_len)) {
		if (query_get(r, "networkmode", v, sizeof(v), &found, d) == -1)
			return -1;
		if (found && !p->build_host_network && (mode_is_host(v) ||
		    strncasecmp(v, "container:", 10) == 0))
			return deny(d, 403, "build.host_network", "networkmode",
			    v, "builds with networkmode=%s are not allowed", v);
		if (query_get(r, "cgroupparent", v, sizeof(v), &found, d) == -1)
			return -1;
		if (found && v[0] != '\0' && !p->containers.cgroup_parent)
			return deny(d, 403, "containers.cgroup_parent",
			    "cgroupparent", v, "builds with a cgroup parent are "
			    "not allowed");
		if (query_get(r, "version", v, sizeof(v), &found, d) == -1)
			return -1;
		if (found && strcmp(v, "2") == 0 && !p->buildkit)
			return deny(d, 403, "build.buildkit", "version", v,
			    "BuildKit builds cannot be inspected and "
			    "build.buildkit is off (use DOCKER_BUILDKIT=0)");
		if (query_get(r, "remote", v, sizeof(v), &found, d) == -1)
			return -1;
		/* BuildKit's "client-session": the context comes over the
		 * session, which build.buildkit decides. */
		if (found && v[0] != '\0' && strcmp(v, "client-session") != 0)
			return deny(d, 403, "build.remote", "remote", v, "a "
			    "remote build context makes dockerd fetch it; send "
			    "the context instead");
		return 0;
	}
	if (check_container_route(r, d) == -1)
		return -1;
	if (docker_route_match("/session", r->route, r->route_len) ||
	    docker_route_match("/grpc", r->route, r->route_len)) {
		if (!p->buildkit)
			return deny(d, 403, "build.buildkit", "endpoint",
			    r->route_len == 5 ? "/grpc" : "/session", "BuildKit "
			    "streams cannot be inspected and build.buildkit is "
			    "off (use DOCKER_BUILDKIT=0)");
		return 0;
	}
	if (post && docker_route_match("/images/create", r->route,
	    r->route_len)) {
		if (query_get(r, "fromImage", v, sizeof(v), &found, d) == -1)
			return -1;
		if (found && v[0] != '\0')
			return check_registry(p, "fromImage", v, d);
		if (query_get(r, "fromSrc", v, sizeof(v), &found, d) == -1)
			return -1;
		if (found && strcmp(v, "-") != 0)
			return deny(d, 403, "images.import", "fromSrc", v,
			    "importing an image from a URL makes dockerd fetch "
			    "it; upload it instead (fromSrc=-)");
		return 0;
	}
	if (post && r->route_len > 13 && strncmp(r->route, "/images/", 8) == 0) {
		route_image_name(r, "/push", v, sizeof(v));
		if (v[0] != '\0')
			return check_registry(p, "push", v, d);
		route_image_name(r, "/tag", v, sizeof(v));
		/* cppcheck-suppress identicalConditionAfterEarlyExit
		 * (route_image_name() just rewrote v) */
		if (v[0] != '\0') {
			if (query_get(r, "repo", v, sizeof(v), &found, d) == -1)
				return -1;
			if (found)
				return check_registry(p, "repo", v, d);
		}
	}
	return 0;
}

/* Removes obj[name] when it is a non-empty list. */
static void
policy_drop_nonempty(json_t *obj, const char *name)
{
	json_t	*v = json_field(obj, name);

	if (json_is_array(v) && json_array_size(v) > 0)
		json_object_del(obj, name);
}

int
policy_existing_op(const char *method, const char *route, size_t len,
    const char **op)
{
	if (strcmp(method, "POST") == 0 &&
	    docker_route_match("/containers/*/exec", route, len))
		*op = "exec into";
	else if ((strcmp(method, "POST") == 0 &&
	    docker_route_match("/containers/*/attach", route, len)) ||
	    (strcmp(method, "GET") == 0 &&
	    docker_route_match("/containers/*/attach/ws", route, len)))
		*op = "attach to";
	else if (strcmp(method, "PUT") == 0 &&
	    docker_route_match("/containers/*/archive", route, len))
		*op = "copy files into";
	else if ((strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0) &&
	    docker_route_match("/containers/*/archive", route, len))
		*op = "copy files from";	/* its binds are read too */
	else if (strcmp(method, "POST") == 0 &&
	    (docker_route_match("/containers/*/start", route, len) ||
	    docker_route_match("/containers/*/restart", route, len)))
		/* dockerd mounts the binds anew, following symlinks a
		 * client may have put in since the create. */
		*op = "start";
	else
		return 0;
	return 1;
}

void
policy_existing(const struct profile *p, const struct policy_ctx *ctx,
    const char *op, json_t *inspect, struct decision *d)
{
	const struct container_policy *cp = &p->containers;
	char		 resolved[PATH_MAX], field[64];
	const char	*name, *type, *src;
	json_t		*hc, *copy, *mounts, *m;
	size_t		 i;
	int		 r;

	if (get_object(inspect, "HostConfig", "HostConfig", &hc, d) == -1)
		goto out;
	if (get_string(inspect, "Name", "Name", &name, d) == -1)
		goto out;
	/* The same checks as at create, on a copy (nothing is forwarded). */
	copy = hc != NULL ? json_deep_copy(hc) : json_object();
	/*
	 * dockerd writes its own default cgroupns mode into every container
	 * ("host" on cgroup v1 hosts): it says nothing about what the client
	 * asked for at create, where an explicit "host" is judged.
	 */
	json_object_del(copy, "CgroupnsMode");
	/* Likewise its default masked and read-only /proc paths: only an
	 * empty list (systempaths=unconfined) unmasks anything. */
	policy_drop_nonempty(copy, "MaskedPaths");
	policy_drop_nonempty(copy, "ReadonlyPaths");
	r = check_host_config(p, ctx, inspect, copy, strcmp(op, "join") == 0 ?
	    HC_JOIN : HC_ENTER, d);
	json_decref(copy);
	d->rewritten = 0;
	if (r == 0 && get_array(inspect, "Mounts", "Mounts", &mounts, d) == 0) {
		/* What dockerd actually mounted, whichever way it was asked. */
		json_array_foreach(mounts, i, m) {
			snprintf(field, sizeof(field), "Mounts[%zu]", i);
			if (get_string(m, "Type", field, &type, d) == -1 ||
			    get_string(m, "Source", field, &src, d) == -1)
				break;
			if (type == NULL || strcmp(type, "bind") != 0 ||
			    src == NULL)
				continue;
			if (check_bind_source(cp, ctx, field, src, resolved,
			    sizeof(resolved), d) == -1)
				break;
		}
	}
	if (d->denied && d->status == 403) {
		char reason[sizeof(d->reason)];


		snprintf(reason, sizeof(reason), "%.16s container %.128s, which "
		    "this profile would not allow: %.300s", op,
		    name ? name : "?", d->reason);
		snprintf(d->reason, sizeof(d->reason), "%s", reason);
	}
out:
	policy_finish(p, d);
}

void
policy_head(const struct profile *p, const struct policy_ctx *ctx,
    const struct policy_request *r, struct decision *d)
{
	if (policy_endpoints(p, r, d) == 0)
		check_head(p, r, d);
	policy_finish(p, d);
}

void
policy_body(const struct profile *p, const struct policy_ctx *ctx,
    struct policy_request *r, struct decision *d)
{
	const char	*rt = r->route;
	size_t		 n = r->route_len;
	json_t		*b = r->body;

	if (d->denied)
		goto out;
	if (strcmp(r->method, "POST") == 0 &&
	    docker_route_match("/containers/*/start", rt, n)) {
		check_container_start(r, d);	/* any body but {} or null */
		goto out;
	}
	if (b != NULL && json_is_null(b))
		b = NULL;	/* Go leaves the target as it is */
	/* Every JSON route but the plugins' (lists) decodes into a struct. */
	if (b != NULL && !json_is_object(b) &&
	    !(n > 9 && strncmp(rt, "/plugins/", 9) == 0)) {
		deny(d, 400, "body", "body", "", "the JSON body of %.*s must "
		    "be an object", (int)n, rt);
		goto out;
	}
	if (strcmp(r->method, "POST") != 0 || b == NULL)
		goto out;
	if (docker_route_match("/containers/create", rt, n))
		check_container_create(p, ctx, b, d);
	else if (docker_route_match("/containers/*/update", rt, n))
		check_container_update(p, b, d);
	else if (docker_route_match("/containers/*/exec", rt, n))
		check_exec_create(p, b, d);
	else if (docker_route_match("/volumes/create", rt, n))
		check_volume_create(p, ctx, b, d);
	else if (docker_route_match("/services/create", rt, n) ||
	    docker_route_match("/services/*/update", rt, n))
		check_service(p, ctx, b, d);
	else if (docker_route_match("/auth", rt, n))
		check_auth(p, b, d);
out:
	policy_finish(p, d);
}

int
policy_resolve_host(const char *path, char *out, size_t outlen)
{
	char	 buf[PATH_MAX], tail[PATH_MAX], *slash;
	char	*res;

	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", path);
	tail[0] = '\0';
	/* Walk up to the longest prefix that exists. */
	while ((res = realpath(buf, NULL)) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			return -1;
		if ((slash = strrchr(buf, '/')) == NULL || slash == buf) {
			res = strdup("/");
			if (res == NULL)
				return -1;
			snprintf(tail, sizeof(tail), "%s", path);
			break;
		}
		snprintf(tail, sizeof(tail), "%s", path + (slash - buf));
		*slash = '\0';
	}
	/* cppcheck-suppress nullPointerRedundantCheck
	 * (the loop leaves only with res set) */
	if (snprintf(out, outlen, "%s%s", strcmp(res, "/") == 0 &&
	    tail[0] == '/' ? "" : res, tail) >= (int)outlen) {
		free(res);
		errno = ENAMETOOLONG;
		return -1;
	}
	if (out[0] == '\0')
		snprintf(out, outlen, "/");
	free(res);
	return 0;
}

/* The container a join string names: where it starts and ends in v. */
static int
join_name(enum policy_join_kind kind, const char *v, size_t *off,
    size_t *len)
{
	const char	*colon;

	*off = 0;
	if (kind == PJ_MODE) {
		if (strncmp(v, "container:", 10) != 0)
			return -1;
		*off = 10;
	} else if (kind == PJ_LINK && v[0] == '/')
		*off = 1;
	colon = kind == PJ_MODE ? NULL : strchr(v + *off, ':');
	*len = colon != NULL ? (size_t)(colon - v) - *off : strlen(v + *off);
	return *len > 0 && *len < POLICY_JOIN_NAME ? 0 : -1;
}

static size_t
join_add(json_t *node, enum policy_join_kind kind, struct policy_join *out,
    size_t n, size_t max)
{
	size_t	off, len;

	if (!json_is_string(node) || join_name(kind, json_string_value(node),
	    &off, &len) == -1)
		return n;
	if (n < max) {
		out[n].node = node;
		out[n].kind = kind;
		memcpy(out[n].name, json_string_value(node) + off, len);
		out[n].name[len] = '\0';
	}
	return n + 1;
}

size_t
policy_joins(json_t *body, struct policy_join *out, size_t max)
{
	static const char *modes[] = { "NetworkMode", "PidMode", "IpcMode",
	    "UTSMode", "UsernsMode", "CgroupnsMode", "Cgroup" };
	json_t	*hc = json_field(body, "HostConfig"), *a, *v;
	size_t	 i, n = 0;

	if (!json_is_object(hc))
		return 0;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		n = join_add(json_field(hc, modes[i]), PJ_MODE, out, n, max);
	if (json_is_array(a = json_field(hc, "VolumesFrom")))
		json_array_foreach(a, i, v)
			n = join_add(v, PJ_VOLUMES, out, n, max);
	if (json_is_array(a = json_field(hc, "Links")))
		json_array_foreach(a, i, v)
			n = join_add(v, PJ_LINK, out, n, max);
	return n;
}

int
policy_join_rewrite(const struct policy_join *j, const char *id)
{
	const char	*v = json_string_value(j->node), *rest;
	size_t		 off, len;
	char		*s;
	int		 r;

	if (v == NULL || join_name(j->kind, v, &off, &len) == -1)
		return -1;
	rest = v + off + len;		/* ":ro", ":alias" or "" */
	if (j->kind == PJ_MODE)
		xasprintf(&s, "container:%s", id);
	else if (j->kind == PJ_LINK && *rest == '\0')
		xasprintf(&s, "%s:%s", id, j->name);	/* keep the alias */
	else
		xasprintf(&s, "%s%s", id, rest);
	r = json_string_set(j->node, s);
	free(s);
	return r;
}

size_t
policy_create_joins(const struct profile *p, const struct policy_request *r)
{
	if (r->body == NULL || !p->containers.joins ||
	    strcmp(r->method, "POST") != 0 ||
	    !docker_route_match("/containers/create", r->route, r->route_len))
		return 0;
	return policy_joins(r->body, NULL, 0);
}

const char *
policy_inspect_id(json_t *inspect)
{
	const char	*id = json_string_value(json_field(inspect, "Id"));

	return id != NULL && strlen(id) == 64 &&
	    strspn(id, "0123456789abcdef") == 64 ? id : NULL;
}
