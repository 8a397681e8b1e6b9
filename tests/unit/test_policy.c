/*
 * Unit tests for the decisions (policy.c), as tables of requests: a
 * profile, a method, a route with its query, a JSON body, and the
 * decision wanted (allow, deny with status, rule and part of the reason,
 * or audit-only).  The profiles come from the shipped rules files and
 * from one inline ruleset.  Bind sources are resolved by a stub, so the
 * tests never look at the real filesystem.  Bodies are written as JSON
 * tokens through J(); keys spelled with U+017F and U+212A are the Go
 * case-folding evasions, which the policy must read as dockerd does.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "json.h"
#include "policy.h"
#include "rules.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* A JSON body written as tokens: J({"a": [1]}) is "{\"a\": [1]}". */
#define J(...)		#__VA_ARGS__

/* U+017F LATIN SMALL LETTER LONG S and U+212A KELVIN SIGN, raw UTF-8. */
#define LONG_S		"\xc5\xbf"
#define KELVIN		"\xe2\x84\xaa"

#define HEX64		"0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef"

/* Profiles of the inline ruleset; each opens every endpoint unless told. */
#define ALL_EP		"    endpoints: [{name: all, allow: \"* /**\"}]\n"

static const char inline_rules[] =
    "version: 1\n"
    "default_profile: base\n"
    "profiles:\n"
    "  base:\n"
    ALL_EP
    "    containers: {joins: false}\n"
    "  joins:\n"
    ALL_EP
    "  ep:\n"
    "    endpoints:\n"
    "      - {name: deny-plugins, deny: \"* /plugins/**\"}\n"
    "      - {name: shadowed, allow: \"* /plugins/**\"}\n"
    "      - {name: ping, allow: \"GET,HEAD /_ping\"}\n"
    "      - {name: one-seg, allow: \"GET /containers/*/json\"}\n"
    "      - {name: build, allow: \"POST /build/**\"}\n"
    "      - {name: deny-exec-json, deny: \"GET /exec/*/json\"}\n"
    "      - {name: exec, allow: \"get,post /exec/**\"}\n"
    "      - {name: version, allow: \"* /version\"}\n"
    "      - {name: two-stars, allow: \"DELETE /a/*/*\"}\n"
    "  caps:\n"
    ALL_EP
    "    containers: {capabilities: {allow_add: [SYS_ADMIN, cap_net_admin]}}\n"
    "  capsall:\n"
    ALL_EP
    "    containers: {capabilities: {allow_add: [ALL]}}\n"
    "  permissive:\n"
    ALL_EP
    "    containers:\n"
    "      privileged: true\n"
    "      capabilities: {allow_add: [ALL]}\n"
    "      host_namespaces: true\n"
    "      devices: true\n"
    "      unconfined: true\n"
    "      bind_mounts: {deny: [], propagation: true}\n"
    "      sysctls: {allow: [\"*\"]}\n"
    "      runtimes: [runc, runsc]\n"
    "      volume_drivers: true\n"
    "      cgroup_parent: true\n"
    "      joins: true\n"
    "    build: {buildkit: true, host_network: true}\n"
    "    exec: {privileged: true}\n"
    "  sysctl:\n"
    ALL_EP
    "    containers: {sysctls: {allow: [\"net.*\", kernel.msgmax]}}\n"
    "  require:\n"
    ALL_EP
    "    containers:\n"
    "      require: {non_root_user: true, read_only_rootfs: true,\n"
    "          no_new_privileges: true, memory_limit: true,\n"
    "          pids_limit: true}\n"
    "  nonroot:\n"
    ALL_EP
    "    containers: {require: {non_root_user: true}}\n"
    "  pids:\n"
    ALL_EP
    "    containers: {require: {pids_limit: true}}\n"
    "  noresolve:\n"
    ALL_EP
    "    containers: {bind_mounts: {resolve_symlinks: false}}\n"
    "  binddeny:\n"
    ALL_EP
    "    containers: {bind_mounts: {deny: [/srv/secret]}}\n"
    "  regs:\n"
    ALL_EP
    "    images: {registries: [docker.io, quay.io, \"localhost:5000\"]}\n"
    "  audit:\n"
    "    mode: audit\n"
    "    endpoints:\n"
    "      - {name: no-plugins, deny: \"* /plugins/**\"}\n"
    "      - {name: rw, allow: \"GET,POST /**\"}\n";

static struct ruleset	*rs_inline, *rs_default, *rs_ci, *rs_readonly;
static char		 load_err[3][1024];

/* sockguard's own sockets in every test context. */
static const char *const own_sockets[] = {
	"/srv/sg/api.sock", "/run/sg/sockguard.sock"
};

/* Resolver stub: a few symlinks, one unreadable tree, the rest as is. */
static const struct {
	const char	*from, *to;
} stub_links[] = {
	{ "/tmp/link-to-root",		"/" },
	{ "/data/link",			"/etc/x" },
	{ "/ok/link",			"/ok/real" },
	{ "/srv/ci/workspace/escape",	"/etc" },
};

/* Set when the policy hands the resolver a path that is not clean. */
static char	stub_unclean[256];
static int	stub_calls;

/* True if p is absolute and clean: no "//", ".", "..", trailing "/". */
static int
path_is_clean(const char *p)
{
	char	buf[4096];

	if (strlen(p) >= sizeof(buf) || rules_path_clean(p, buf,
	    sizeof(buf)) == -1)
		return 0;
	return strcmp(buf, p) == 0;
}

/* The stub resolver: pure, never touches the filesystem. */
static int
stub_resolve(const char *path, char *out, size_t outlen)
{
	size_t	i, n;
	int	w;

	stub_calls++;
	if (!path_is_clean(path))
		snprintf(stub_unclean, sizeof(stub_unclean), "%s", path);
	if (strcmp(path, "/eacces") == 0 || strncmp(path, "/eacces/", 8) == 0) {
		errno = EACCES;
		return -1;
	}
	for (i = 0; i < nitems(stub_links); i++) {
		n = strlen(stub_links[i].from);
		if (strncmp(path, stub_links[i].from, n) != 0 ||
		    (path[n] != '\0' && path[n] != '/'))
			continue;
		if (strcmp(stub_links[i].to, "/") == 0)
			w = snprintf(out, outlen, "%s", path[n] ? path + n : "/");
		else
			w = snprintf(out, outlen, "%s%s", stub_links[i].to,
			    path + n);
		if (w < 0 || (size_t)w >= outlen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		return 0;
	}
	if (strlen(path) >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(out, outlen, "%s", path);
	return 0;
}

static const struct policy_ctx test_ctx = {
	own_sockets, nitems(own_sockets), stub_resolve
};

/* What a case wants. */
enum want {
	W_ALLOW,	/* forwarded, nothing denied */
	W_DENY,		/* refused with status, rule, reason */
	W_AUDIT		/* denied (403) but forwarded: audit mode */
};

/*
 * One request.  profile: "default", "ci", "readonly" (the shipped files)
 * or an inline profile name.  path: the route after the version prefix,
 * with "?query" if any.  body: JSON text or NULL for none.
 */
struct pcase {
	const char	*profile;
	const char	*method;
	const char	*path;
	const char	*body;
	enum want	 want;
	int		 status;	/* W_DENY: 403 or 400 */
	const char	*rule;		/* W_DENY/W_AUDIT: exact rule name */
	const char	*reason;	/* part of the reason, or NULL */
};

/* The outer macros expand their arguments first, so a route shorthand
 * such as CREATE ("POST", "/containers/create") counts as two. */
#define OK(...)		OK_(__VA_ARGS__)
#define NO(...)		NO_(__VA_ARGS__)
#define BAD(...)	BAD_(__VA_ARGS__)
#define AUD(...)	AUD_(__VA_ARGS__)
#define OK_(p, m, path, body) \
	{ p, m, path, body, W_ALLOW, 0, NULL, NULL }
#define NO_(p, m, path, body, rule, why) \
	{ p, m, path, body, W_DENY, 403, rule, why }
#define BAD_(p, m, path, body, rule, why) \
	{ p, m, path, body, W_DENY, 400, rule, why }
#define AUD_(p, m, path, body, rule, why) \
	{ p, m, path, body, W_AUDIT, 403, rule, why }

/* Shorthands for the commonest routes. */
#define CREATE		"POST", "/containers/create"
#define OKC(p, body)	OK(p, CREATE, body)
#define NOC(p, body, rule, why) NO(p, CREATE, body, rule, why)
#define BADC(p, body, why) BAD(p, CREATE, body, "body", why)

/* The profile called name in the ruleset it belongs to. */
static const struct profile *
find_profile(const char *name)
{
	const struct ruleset	*rs = rs_inline;
	size_t			 i;

	if (strcmp(name, "default") == 0)
		rs = rs_default;
	else if (strcmp(name, "ci") == 0)
		rs = rs_ci;
	else if (strcmp(name, "readonly") == 0)
		rs = rs_readonly;
	if (rs == NULL)
		return NULL;
	for (i = 0; i < rs->nprofiles; i++)
		if (strcmp(rs->profiles[i].name, name) == 0)
			return &rs->profiles[i];
	return NULL;
}

/* Why a profile is missing: a rules file that did not load. */
static const char *
missing_why(const char *name)
{
	if (strcmp(name, "default") == 0)
		return load_err[0];
	if (strcmp(name, "ci") == 0)
		return load_err[1];
	if (strcmp(name, "readonly") == 0)
		return load_err[2];
	return "no such inline profile";
}

/* True if s[0..n) holds a NUL (a decision string stayed terminated). */
static int
terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

/*
 * Decides c as the proxy and `sockguard explain` do: head first, then the
 * body if the head allowed it.  The body is parsed with json_body_parse()
 * accepting any JSON value (the proxy's want-an-object check is its own).
 * *bodyp gets the (maybe rewritten) body; the caller json_decref()s it.
 */
static const struct profile *
decide(const char *profile, const char *method, const char *path,
    const char *body, struct decision *d, json_t **bodyp, char *why,
    size_t whylen)
{
	const struct profile	*p;
	struct policy_request	 r;
	const char		*q;
	char			 reason[256];

	*bodyp = NULL;
	if ((p = find_profile(profile)) == NULL) {
		snprintf(why, whylen, "profile %s: %s", profile,
		    missing_why(profile));
		return NULL;
	}
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.route = path;
	r.version = "1.45";
	if ((q = strchr(path, '?')) != NULL) {
		r.route_len = (size_t)(q - path);
		r.query = q + 1;
		r.query_len = strlen(q + 1);
	} else
		r.route_len = strlen(path);
	policy_init(d, p);
	policy_head(p, &test_ctx, &r, d);
	if (!d->allow)
		return p;
	if (body != NULL) {
		r.body = json_body_parse(body, strlen(body), 0, reason,
		    sizeof(reason));
		if (r.body == NULL) {
			d->allow = 0;
			d->denied = 1;
			d->status = 400;
			snprintf(d->rule, sizeof(d->rule), "body");
			snprintf(d->reason, sizeof(d->reason), "the JSON body "
			    "is refused: %s", reason);
			return p;
		}
		r.body_present = 1;
	}
	policy_body(p, &test_ctx, &r, d);
	*bodyp = r.body;
	return p;
}

/* Checks one case; on a mismatch writes why and returns -1. */
static int
check_case(const struct pcase *c, char *why, size_t whylen)
{
	const struct profile	*p;
	struct decision		 d;
	json_t			*body;
	int			 rc = -1;

	stub_unclean[0] = '\0';
	memset(&d, 0x5a, sizeof(d));
	p = decide(c->profile, c->method, c->path, c->body, &d, &body, why,
	    whylen);
	if (p == NULL)
		return -1;
	if (!terminated(d.rule, sizeof(d.rule)) ||
	    !terminated(d.reason, sizeof(d.reason)) ||
	    !terminated(d.field, sizeof(d.field)) ||
	    !terminated(d.value, sizeof(d.value))) {
		snprintf(why, whylen, "a decision string is not terminated");
		goto out;
	}
	if (d.profile == NULL || strcmp(d.profile, p->name) != 0) {
		snprintf(why, whylen, "decision.profile is not %s", p->name);
		goto out;
	}
	if (stub_unclean[0] != '\0') {
		snprintf(why, whylen, "the resolver got an unclean path %s",
		    stub_unclean);
		goto out;
	}
	switch (c->want) {
	case W_ALLOW:
		if (!d.allow || d.denied) {
			snprintf(why, whylen, "want allow, got %s %d rule %s: "
			    "%s", d.allow ? "audit-allow" : "deny", d.status,
			    d.rule, d.reason);
			goto out;
		}
		break;
	case W_DENY:
	case W_AUDIT:
		if (c->want == W_DENY && (d.allow || !d.denied ||
		    d.audit_only)) {
			snprintf(why, whylen, "want deny %d %s (%s), got allow%s",
			    c->status, c->rule, c->reason ? c->reason : "",
			    d.audit_only ? " (audit-only)" : "");
			goto out;
		}
		if (c->want == W_AUDIT && (!d.allow || !d.denied ||
		    !d.audit_only)) {
			snprintf(why, whylen, "want audit-only allow, got "
			    "allow=%d denied=%d audit_only=%d status %d rule %s",
			    d.allow, d.denied, d.audit_only, d.status, d.rule);
			goto out;
		}
		if (d.status != c->status || (c->rule != NULL &&
		    strcmp(d.rule, c->rule) != 0) || (c->reason != NULL &&
		    strstr(d.reason, c->reason) == NULL)) {
			snprintf(why, whylen, "want %d rule %s reason ...%s...,"
			    " got %d rule %s reason \"%s\"", c->status,
			    c->rule ? c->rule : "*", c->reason ? c->reason : "",
			    d.status, d.rule, d.reason);
			goto out;
		}
		break;
	}
	rc = 0;
out:
	json_decref(body);
	return rc;
}

/* Runs a table; prints every failing case, then fails once. */
static void
run_cases(const char *name, const struct pcase *t, size_t n)
{
	char	why[1400];
	size_t	i, nfail = 0;

	for (i = 0; i < n; i++) {
		why[0] = '\0';
		if (check_case(&t[i], why, sizeof(why)) == -1) {
			print_error("%s[%zu]: [%s] %s %s%s%s\n    %s\n", name, i,
			    t[i].profile, t[i].method, t[i].path,
			    t[i].body ? " " : "", t[i].body ? t[i].body : "",
			    why);
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%s: %zu of %zu cases failed", name, nfail, n);
}

#define RUN(t)	run_cases(__func__, t, nitems(t))

/*
 * Endpoint rules: first match wins, deny before a later allow, nothing
 * matched is denied; methods lists; "*" one non-empty segment; "**".
 */
static void
test_endpoints(void **state)
{
	static const struct pcase t[] = {
		OK("ep", "GET", "/_ping", NULL),
		OK("ep", "HEAD", "/_ping", NULL),
		NO("ep", "POST", "/_ping", NULL, "endpoints",
		    "no rule allows POST /_ping"),
		NO("ep", "GET", "/_pingx", NULL, "endpoints", "no rule allows"),
		NO("ep", "GET", "/_ping/x", NULL, "endpoints", NULL),
		/* deny first, so the later allow of the same routes is moot */
		NO("ep", "GET", "/plugins", NULL, "deny-plugins",
		    "GET /plugins is denied"),
		NO("ep", "POST", "/plugins/pull", NULL, "deny-plugins",
		    "POST /plugins/pull is denied"),
		NO("ep", "DELETE", "/plugins/a/b/c", NULL, "deny-plugins",
		    NULL),
		NO("ep", "GET", "/pluginsx", NULL, "endpoints", NULL),
		/* "*" is exactly one non-empty segment */
		OK("ep", "GET", "/containers/abc/json", NULL),
		OK("ep", "GET", "/containers/a:b.c/json", NULL),
		NO("ep", "GET", "/containers/json", NULL, "endpoints", NULL),
		NO("ep", "GET", "/containers//json", NULL, "endpoints", NULL),
		NO("ep", "GET", "/containers/a/b/json", NULL, "endpoints",
		    NULL),
		NO("ep", "HEAD", "/containers/abc/json", NULL, "endpoints",
		    NULL),
		OK("ep", "DELETE", "/a/x/y", NULL),
		NO("ep", "DELETE", "/a/x", NULL, "endpoints", NULL),
		NO("ep", "DELETE", "/a/x/y/z", NULL, "endpoints", NULL),
		/* "**" zero or more segments */
		OK("ep", "POST", "/build", NULL),
		OK("ep", "POST", "/build/prune", NULL),
		OK("ep", "POST", "/build/a/b/c", NULL),
		NO("ep", "POST", "/buildx", NULL, "endpoints", NULL),
		NO("ep", "GET", "/build", NULL, "endpoints", NULL),
		/* a deny of one route before an allow of its family */
		NO("ep", "GET", "/exec/x/json", NULL, "deny-exec-json",
		    "GET /exec/x/json is denied"),
		OK("ep", "POST", "/exec/x/json", NULL),
		OK("ep", "POST", "/exec/x/start", NULL),
		OK("ep", "GET", "/exec/x/other", NULL),
		NO("ep", "DELETE", "/exec/x", NULL, "endpoints", NULL),
		/* "*" methods; method names are matched exactly */
		OK("ep", "PUT", "/version", NULL),
		OK("ep", "OPTIONS", "/version", NULL),
		OK("ep", "PATCH", "/version", NULL),
		NO("ep", "get", "/version", NULL, "endpoints", NULL),
		NO("ep", "BREW", "/version", NULL, "endpoints", NULL),
		NO("ep", "GET", "/version/x", NULL, "endpoints", NULL),
		NO("ep", "GET", "/", NULL, "endpoints", NULL),
		/* the query is not part of the route */
		OK("ep", "GET", "/_ping?x=/plugins", NULL),
	};

	RUN(t);
}

/* policy_pattern_match() directly, including "**" inside a pattern. */
static void
test_pattern_match(void **state)
{
	static const struct {
		const char	*pat, *route;
		size_t		 len;	/* 0: strlen(route) */
		int		 want;
	} t[] = {
		{ "/build/**", "/build", 0, 1 },
		{ "/build/**", "/build/prune", 0, 1 },
		{ "/build/**", "/build/a/b", 0, 1 },
		{ "/build/**", "/buildx", 0, 0 },
		{ "/build/**", "/buil", 0, 0 },
		{ "/images/**/get", "/images/a/b:c/get", 0, 1 },
		{ "/images/**/get", "/images/x/get", 0, 1 },
		{ "/images/**/get", "/images/get", 0, 1 },
		{ "/images/**/get", "/images/x/json", 0, 0 },
		{ "/images/**/get", "/images/x/get/y", 0, 0 },
		{ "/**/x", "/x", 0, 1 },
		{ "/**/x", "/a/b/x", 0, 1 },
		{ "/a/**/b/**", "/a/b", 0, 1 },
		{ "/a/**/b/**", "/a/x/y/b/z", 0, 1 },
		{ "/a/**/b/**", "/a/x/y", 0, 0 },
		{ "/**", "/", 0, 1 },
		{ "/**", "/a/b/c", 0, 1 },
		{ "/*", "/a", 0, 1 },
		{ "/*", "/", 0, 0 },
		{ "/*", "/a/b", 0, 0 },
		{ "/*/json", "//json", 0, 0 },
		{ "/a/*/c", "/a//c", 0, 0 },
		{ "/", "/", 0, 1 },
		{ "/", "/a", 0, 0 },
		{ "/a", "/a/", 0, 0 },
		{ "/a", "/ab", 0, 0 },
		{ "/ab", "/a", 0, 0 },
		/* only len bytes of the route count */
		{ "/a/b", "/a/bXYZ", 4, 1 },
		{ "/a/*", "/a/bc/d", 5, 1 },
		{ "/a/**", "/a/b?x", 4, 1 },
	};
	size_t	i, nfail = 0, len;
	int	got;

	for (i = 0; i < nitems(t); i++) {
		len = t[i].len ? t[i].len : strlen(t[i].route);
		got = policy_pattern_match(t[i].pat, t[i].route, len);
		if (got != t[i].want) {
			print_error("[%zu] %s vs %.*s: want %d got %d\n", i,
			    t[i].pat, (int)len, t[i].route, t[i].want, got);
			nfail++;
		}
	}
	if (nfail)
		fail_msg("%zu pattern cases failed", nfail);
}

/*
 * Privileged, and keys spelled the ways Go's decoder still matches:
 * any ASCII case, U+017F for 's', U+212A for 'k', raw or \u-escaped.
 * A look-alike that Go does not fold (U+0131) is an unknown field.
 */
static void
test_folding(void **state)
{
	static const struct pcase t[] = {
		NOC("base", J({"Image": "x", "HostConfig": {"Privileged": true}}),
		    "containers.privileged", "privileged containers are not "
		    "allowed"),
		NOC("base", J({"Image": "x", "HostConfig": {"privileged": true}}),
		    "containers.privileged", NULL),
		NOC("base", J({"Image": "x", "HostConfig": {"PRIVILEGED": true}}),
		    "containers.privileged", NULL),
		NOC("base", J({"Image": "x", "hostconfig": {"pRiViLeGeD": true}}),
		    "containers.privileged", NULL),
		NOC("base", J({"Image": "x", "HOSTCONFIG": {"Privileged": true}}),
		    "containers.privileged", NULL),
		NOC("base", "{\"Image\":\"x\",\"Ho" LONG_S "tConfig\":"
		    "{\"Privileged\":true}}", "containers.privileged", NULL),
		NOC("base", J({"Image": "x", "Ho\u017ftconfig":
		    {"Privileged": true}}), "containers.privileged", NULL),
		OKC("base", J({"Image": "x", "HostConfig": {"Privileged": false}})),
		OKC("base", J({"Image": "x", "HostConfig": {"Privileged": null}})),
		/* U+0131 does not fold to 'i': dockerd ignores the key */
		OKC("base", J({"Image": "x", "HostConfig":
		    {"Priv\u0131leged": true}})),
		OKC("base", J({"Image": "x", "HostConfig":
		    {"Privileged ": true}})),
		/* Binds */
		NOC("base", "{\"HostConfig\":{\"Bind" LONG_S "\":[\"/etc:/e\"]}}",
		    "containers.bind_mounts", "exposes /etc"),
		NOC("base", J({"HostConfig": {"Bind\u017f": ["/etc:/e"]}}),
		    "containers.bind_mounts", "exposes /etc"),
		NOC("base", J({"HostConfig": {"BINDS": ["/etc:/e"]}}),
		    "containers.bind_mounts", NULL),
		/* SecurityOpt */
		NOC("base", "{\"HostConfig\":{\"" LONG_S "ecurityOpt\":"
		    "[\"seccomp=unconfined\"]}}", "containers.unconfined",
		    "disables seccomp"),
		NOC("base", J({"HostConfig": {"\u017fecurityopt":
		    ["apparmor=unconfined"]}}), "containers.unconfined",
		    "disables AppArmor"),
		/* Sysctls */
		NOC("base", "{\"HostConfig\":{\"Sy" LONG_S "ctl" LONG_S "\":"
		    "{\"net.ipv4.ip_forward\":\"1\"}}}", "containers.sysctls",
		    "net.ipv4.ip_forward"),
		NOC("base", J({"HostConfig": {"\u017fysctls":
		    {"kernel.msgmax": "1"}}}), "containers.sysctls", NULL),
		/* Mounts and their inner keys */
		NOC("base", "{\"HostConfig\":{\"Mount" LONG_S "\":[{\"Type\":"
		    "\"bind\",\"Source\":\"/etc\",\"Target\":\"/e\"}]}}",
		    "containers.bind_mounts", "exposes /etc"),
		NOC("base", J({"HostConfig": {"mounts": [{"TYPE": "bind",
		    "\u017fource": "/etc", "target": "/e"}]}}),
		    "containers.bind_mounts", "exposes /etc"),
		NOC("base", J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/ok/path", "Target": "/x",
		    "BindOption\u017f": {"propagation": "rshared"}}]}}),
		    "containers.bind_mounts.propagation", "rshared"),
		/* Devices, DeviceRequests */
		NOC("base", "{\"HostConfig\":{\"Device" LONG_S "\":[{\"PathOnHost\":"
		    "\"/dev/sda\",\"PathInContainer\":\"/dev/sda\","
		    "\"CgroupPermissions\":\"rwm\"}]}}", "containers.devices",
		    "HostConfig.Devices"),
		NOC("base", J({"HostConfig": {"DeviceReque\u017ft\u017f":
		    [{"Count": -1}]}}), "containers.devices",
		    "HostConfig.DeviceRequests"),
		/* Links and NetworkMode with a Kelvin sign for 'k' */
		NOC("base", "{\"HostConfig\":{\"Lin" KELVIN "s\":[\"db:db\"]}}",
		    "containers.joins", "HostConfig.Links"),
		NOC("base", J({"HostConfig": {"Lin\u212a\u017f": ["db:db"]}}),
		    "containers.joins", NULL),
		NOC("base", J({"HostConfig": {"Networ\u212aMode": "host"}}),
		    "containers.host_namespaces", "shares the host"),
		NOC("base", "{\"HostConfig\":{\"NETWOR" KELVIN "MODE\":\"host\"}}",
		    "containers.host_namespaces", NULL),
		/* CapAdd, MaskedPaths, CgroupParent, VolumesFrom */
		NOC("base", J({"HostConfig": {"capadd": ["NET_ADMIN"]}}),
		    "containers.capabilities", "NET_ADMIN"),
		NOC("base", J({"HostConfig": {"Ma\u017fkedPath\u017f": []}}),
		    "containers.unconfined", "MaskedPaths"),
		NOC("base", J({"HostConfig": {"cgroupparent": "/x"}}),
		    "containers.cgroup_parent", NULL),
		NOC("base", J({"HostConfig": {"Volume\u017fFrom": ["c"]}}),
		    "containers.joins", "VolumesFrom"),
		/* NetworkingConfig.EndpointsConfig */
		NOC("base", J({"Networ\u212aingConfig": {"EndpointsConfig":
		    {"host": {}}}}), "containers.host_namespaces",
		    "host network"),
		/* folded spellings also satisfy a require: */
		OKC("require", J({"u\u017fer": "1000", "HostConfig": {
		    "ReadonlyRootf\u017f": true, "\u017fecurityopt":
		    ["no-new-privileges"], "memory": 1000000,
		    "Pid\u017fLimit": 100}})),
		/* two keys that fold together never reach the policy */
		BADC("base", J({"HostConfig": {"Privileged": false,
		    "privileged": true}}), "repeats the key"),
		BADC("base", J({"HostConfig": {"Binds": [],
		    "Bind\u017f": ["/etc:/e"]}}), "repeats the key"),
		BADC("base", J({"HostConfig": {}, "Ho\u017ftConfig":
		    {"Privileged": true}}), "repeats the key"),
		BADC("base", J({"HostConfig": {"Privileged": true}}) " x",
		    "invalid JSON"),
	};

	RUN(t);
}

/* HostConfig fields at the top level of a create body: refused. */
static void
test_toplevel_hostconfig(void **state)
{
	static const struct pcase t[] = {
		BADC("base", J({"Image": "x", "Privileged": true}),
		    "Privileged at the top level"),
		BADC("base", J({"Image": "x", "Privileged": true,
		    "HostConfig": {}}), "Privileged at the top level"),
		BADC("base", J({"Image": "x", "Privileged": false}),
		    "Privileged at the top level"),
		BADC("base", J({"Image": "x", "privileged": true}),
		    "Privileged at the top level"),
		BADC("base", J({"Image": "x", "Binds": ["/etc:/e"]}),
		    "Binds at the top level"),
		BADC("base", J({"Image": "x", "Bind\u017f": ["/etc:/e"],
		    "HostConfig": {"Binds": []}}), "Binds at the top level"),
		BADC("base", J({"Image": "x", "CapAdd": null}), "CapAdd"),
		BADC("base", J({"Image": "x", "NetworkMode": "host"}),
		    "NetworkMode"),
		BADC("base", J({"Image": "x", "PidMode": "host"}), "PidMode"),
		BADC("base", J({"Image": "x", "Mounts": []}), "Mounts"),
		BADC("base", J({"Image": "x", "Devices": []}), "Devices"),
		BADC("base", J({"Image": "x", "SecurityOpt": []}),
		    "SecurityOpt"),
		BADC("base", J({"Image": "x", "Capabilities": ["ALL"]}),
		    "Capabilities"),
		BADC("base", J({"Image": "x", "CgroupParent": "/"}),
		    "CgroupParent"),
		BADC("base", J({"Image": "x", "Sysctls": {}}), "Sysctls"),
		BADC("base", J({"Image": "x", "Runtime": "runc"}), "Runtime"),
		BADC("base", J({"Image": "x", "UsernsMode": "host"}),
		    "UsernsMode"),
		BADC("permissive", J({"Image": "x", "Privileged": true}),
		    "Privileged at the top level"),
		/* Config fields and NetworkingConfig stay where they are */
		OKC("base", J({"Image": "x", "Cmd": ["sh"], "Env": ["A=1"],
		    "Volumes": {"/data": {}}, "Labels": {"a": "b"},
		    "NetworkingConfig": {"EndpointsConfig": {"net": {}}},
		    "HostConfig": {}})),
		OKC("base", J({"Image": "x", "Cpuset": "0"})),
		OKC("base", J({"Image": "x"})),
		OKC("base", J({})),
		OKC("base", J({"Image": "x", "HostConfig": null})),
	};

	RUN(t);
}

/* CapAdd in every spelling dockerd accepts, allow_add, Capabilities. */
static void
test_capabilities(void **state)
{
#define CAP(c)	"{\"Image\":\"x\",\"HostConfig\":{\"CapAdd\":[\"" c "\"]}}"
	static const struct pcase t[] = {
		NOC("base", CAP("SYS_ADMIN"), "containers.capabilities",
		    "adding capability SYS_ADMIN is not allowed"),
		NOC("base", CAP("sys_admin"), "containers.capabilities",
		    "adding capability sys_admin"),
		NOC("base", CAP("CAP_SYS_ADMIN"),
		    "containers.capabilities", "CAP_SYS_ADMIN"),
		NOC("base", CAP("cap_sys_admin"),
		    "containers.capabilities", NULL),
		NOC("base", CAP("Cap_Sys_Admin"),
		    "containers.capabilities", NULL),
		NOC("base", CAP("ALL"), "containers.capabilities", NULL),
		NOC("base", CAP("all"), "containers.capabilities", NULL),
		NOC("base", CAP("NET_RAW"), "containers.capabilities",
		    NULL),
		OKC("base", J({"HostConfig": {"CapAdd": []}})),
		OKC("base", J({"HostConfig": {"CapAdd": null}})),
		OKC("base", J({"HostConfig": {"CapDrop": ["ALL"]}})),
		/* allow_add: [SYS_ADMIN, cap_net_admin] */
		OKC("caps", CAP("SYS_ADMIN")),
		OKC("caps", CAP("sys_admin")),
		OKC("caps", CAP("CAP_SYS_ADMIN")),
		OKC("caps", CAP("cap_sys_admin")),
		OKC("caps", CAP("NET_ADMIN")),
		OKC("caps", CAP("CAP_net_admin")),
		OKC("caps", J({"HostConfig": {"CapAdd": ["SYS_ADMIN",
		    "NET_ADMIN"]}})),
		NOC("caps", J({"HostConfig": {"CapAdd": ["SYS_ADMIN",
		    "NET_RAW"]}}), "containers.capabilities", "NET_RAW"),
		NOC("caps", CAP("ALL"), "containers.capabilities",
		    "ALL"),
		NOC("caps", CAP("all"), "containers.capabilities", NULL),
		NOC("caps", CAP("SYS_ADMINX"),
		    "containers.capabilities", NULL),
		/* Go's ToUpper makes this SYS_ADMIN; denying it is safe */
		NOC("caps", CAP(LONG_S "ys_admin"),
		    "containers.capabilities", NULL),
		/* allow_add: [ALL] */
		OKC("capsall", CAP("ALL")),
		OKC("capsall", CAP("all")),
		OKC("capsall", CAP("SYS_ADMIN")),
		OKC("capsall", CAP("NET_RAW")),
		/* Capabilities replaces the whole set */
		NOC("base", J({"HostConfig": {"Capabilities": ["CAP_CHOWN"]}}),
		    "containers.capabilities", "replaces the whole capability"),
		NOC("capsall", J({"HostConfig": {"Capabilities": ["ALL"]}}),
		    "containers.capabilities", NULL),
		OKC("base", J({"HostConfig": {"Capabilities": []}})),
		OKC("base", J({"HostConfig": {"Capabilities": null}})),
		OKC("permissive", J({"HostConfig": {"Capabilities": ["ALL"]}})),
		/* wrong types */
		BADC("base", J({"HostConfig": {"CapAdd": "SYS_ADMIN"}}),
		    "HostConfig.CapAdd must be a list"),
		BADC("caps", J({"HostConfig": {"CapAdd": [1]}}),
		    "HostConfig.CapAdd[0] must be a string"),
		BADC("base", J({"HostConfig": {"Capabilities": {}}}),
		    "must be a list"),
	};
#undef CAP

	RUN(t);
}

/* A generated table: its cases and the bodies they point to. */
struct gen {
	struct pcase	 t[256];
	char		 bodies[256][160];
	size_t		 n;
};

/* Appends case c with a body formatted from fmt. */
static void
gen_add(struct gen *g, struct pcase c, const char *fmt, ...)
{
	va_list	ap;

	assert_true(g->n < nitems(g->t));
	va_start(ap, fmt);
	vsnprintf(g->bodies[g->n], sizeof(g->bodies[g->n]), fmt, ap);
	va_end(ap);
	c.body = g->bodies[g->n];
	g->t[g->n++] = c;
}

/*
 * The namespace modes, generated: for each field, each spelling of
 * "host" is denied (dockerd means the host only by exactly "host"; the
 * others are denied too, which is safe), "container:x" is a join.
 */
static void
test_namespaces(void **state)
{
	static const char *fields[] = { "NetworkMode", "PidMode", "IpcMode",
	    "UTSMode", "UsernsMode", "CgroupnsMode" };
	static const char *hosts[] = { "host", "HOST", "Host", " host",
	    "host ", "  host  " };
	static const char *joins_fields[] = { "NetworkMode", "PidMode",
	    "IpcMode", "Cgroup" };
	static const char *fine[] = { "", "bridge", "none", "default",
	    "private", "shareable", "hostile", "myhost", "host:x", "\\thost",
	    "container" };
	static const char one[] = "{\"Image\":\"x\",\"HostConfig\":"
	    "{\"%s\":\"%s\"}}";
	static struct gen g_store;
	struct gen	*g = &g_store;
	size_t		 i, j;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < nitems(fields); i++) {
		for (j = 0; j < nitems(hosts); j++) {
			gen_add(g, (struct pcase)NOC("base", NULL,
			    "containers.host_namespaces", "shares the host's "
			    "namespace"), one, fields[i], hosts[j]);
			gen_add(g, (struct pcase)OKC("permissive", NULL), one,
			    fields[i], hosts[j]);
		}
		for (j = 0; j < nitems(fine); j++)
			gen_add(g, (struct pcase)OKC("base", NULL), one,
			    fields[i], fine[j]);
		gen_add(g, (struct pcase)BADC("base", NULL, "must be a string"),
		    "{\"HostConfig\":{\"%s\":1}}", fields[i]);
	}
	for (i = 0; i < nitems(joins_fields); i++) {
		gen_add(g, (struct pcase)NOC("base", NULL, "containers.joins",
		    "joins another container"), one, joins_fields[i],
		    "container:x");
		gen_add(g, (struct pcase)NOC("base", NULL, "containers.joins",
		    NULL), one, joins_fields[i], "CONTAINER:x");
		gen_add(g, (struct pcase)OKC("permissive", NULL), one,
		    joins_fields[i], "container:x");
	}
	run_cases(__func__, g->t, g->n);
}

/* NetworkingConfig.EndpointsConfig naming the host network. */
static void
test_endpoints_config(void **state)
{
	static const struct pcase t[] = {
		NOC("base", J({"Image": "x", "NetworkingConfig":
		    {"EndpointsConfig": {"host": {}}}}),
		    "containers.host_namespaces", "connecting to the host "
		    "network"),
		NOC("base", J({"NetworkingConfig": {"EndpointsConfig":
		    {"HOST": {}}}}), "containers.host_namespaces", NULL),
		NOC("base", J({"NetworkingConfig": {"EndpointsConfig":
		    {"net": {}, "host": null}}}), "containers.host_namespaces",
		    NULL),
		OKC("base", J({"NetworkingConfig": {"EndpointsConfig":
		    {"mynet": {"Aliases": ["a"]}}}})),
		OKC("base", J({"NetworkingConfig": {"EndpointsConfig":
		    {"bridge": {}}}})),
		OKC("base", J({"NetworkingConfig": {"EndpointsConfig": {}}})),
		OKC("base", J({"NetworkingConfig": null})),
		OKC("permissive", J({"NetworkingConfig": {"EndpointsConfig":
		    {"host": {}}}})),
		BADC("base", J({"NetworkingConfig": []}), "must be an object"),
		BADC("base", J({"NetworkingConfig": {"EndpointsConfig": []}}),
		    "must be an object"),
	};

	RUN(t);
}

/* Devices, DeviceCgroupRules, DeviceRequests: non-empty is denied. */
static void
test_devices(void **state)
{
	static const struct pcase t[] = {
		NOC("base", J({"HostConfig": {"Devices": [{"PathOnHost":
		    "/dev/sda", "PathInContainer": "/dev/sda",
		    "CgroupPermissions": "rwm"}]}}), "containers.devices",
		    "HostConfig.Devices gives the container host devices"),
		NOC("base", J({"HostConfig": {"DeviceCgroupRules":
		    ["c 1:3 mr"]}}), "containers.devices",
		    "HostConfig.DeviceCgroupRules"),
		NOC("base", J({"HostConfig": {"DeviceRequests": [{"Driver":
		    "nvidia", "Count": -1, "Capabilities": [["gpu"]]}]}}),
		    "containers.devices", "HostConfig.DeviceRequests"),
		OKC("base", J({"HostConfig": {"Devices": [],
		    "DeviceCgroupRules": [], "DeviceRequests": []}})),
		OKC("base", J({"HostConfig": {"Devices": null}})),
		OKC("permissive", J({"HostConfig": {"Devices": [{"PathOnHost":
		    "/dev/sda"}], "DeviceCgroupRules": ["a *:* rwm"]}})),
		BADC("base", J({"HostConfig": {"Devices": {}}}),
		    "HostConfig.Devices must be a list"),
	};

	RUN(t);
}

/* SecurityOpt, MaskedPaths, ReadonlyPaths, Annotations. */
static void
test_security(void **state)
{
#define SO(o)	"{\"Image\":\"x\",\"HostConfig\":{\"SecurityOpt\":[" o "]}}"
	static const struct pcase t[] = {
		NOC("base", SO("\"seccomp=unconfined\""),
		    "containers.unconfined", "SecurityOpt[0] disables seccomp"),
		NOC("base", SO("\"seccomp:unconfined\""),
		    "containers.unconfined", "disables seccomp"),
		NOC("base", SO(J("seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\"}")),
		    "containers.unconfined", "replaces the default seccomp "
		    "profile"),
		NOC("base", SO("\"seccomp=builtin\""), "containers.unconfined",
		    NULL),
		NOC("base", SO("\"apparmor=unconfined\""),
		    "containers.unconfined", "disables AppArmor"),
		NOC("base", SO("\"apparmor:unconfined\""),
		    "containers.unconfined", "disables AppArmor"),
		NOC("base", SO("\"label=disable\""), "containers.unconfined",
		    "changes the SELinux confinement"),
		NOC("base", SO("\"label:disable\""), "containers.unconfined",
		    NULL),
		NOC("base", SO("\"label=type:spc_t\""),
		    "containers.unconfined", "SELinux"),
		NOC("base", SO("\"label:type:spc_t\""),
		    "containers.unconfined", NULL),
		NOC("base", SO("\"systempaths=unconfined\""),
		    "containers.unconfined", "unmasks /proc and /sys"),
		/* dockerd reads a bare "disable" as label=disable */
		NOC("base", SO("\"disable\""), "containers.unconfined",
		    "unknown security option disable"),
		NOC("base", SO("\"foo=bar\""), "containers.unconfined",
		    "unknown security option foo"),
		NOC("base", SO("\"writable-cgroups=true\""),
		    "containers.unconfined", "unknown security option"),
		NOC("base", SO("\"Seccomp=unconfined\""),
		    "containers.unconfined", "unknown security option"),
		NOC("base", SO("\"no-new-privileges\", \"seccomp=unconfined\""),
		    "containers.unconfined", "SecurityOpt[1]"),
		OKC("base", SO("\"no-new-privileges\"")),
		OKC("base", SO("\"no-new-privileges:true\"")),
		OKC("base", SO("\"no-new-privileges=false\"")),
		OKC("base", SO("\"apparmor=docker-default\"")),
		OKC("base", SO("\"label=user:system_u\"")),
		OKC("base", SO("\"label=level:s0:c100,c200\"")),
		OKC("base", SO("")),
		OKC("permissive", SO("\"seccomp=unconfined\", "
		    "\"apparmor=unconfined\", \"label=disable\", "
		    "\"systempaths=unconfined\", \"foo=bar\"")),
		BADC("base", SO("1"), "HostConfig.SecurityOpt[0] must be a "
		    "string"),
		BADC("base", J({"HostConfig": {"SecurityOpt":
		    "seccomp=unconfined"}}), "must be a list"),
		/* MaskedPaths/ReadonlyPaths replace the defaults: any list */
		NOC("base", J({"HostConfig": {"MaskedPaths": []}}),
		    "containers.unconfined", "HostConfig.MaskedPaths replaces"),
		NOC("base", J({"HostConfig": {"ReadonlyPaths": []}}),
		    "containers.unconfined", "HostConfig.ReadonlyPaths "
		    "replaces"),
		NOC("base", J({"HostConfig": {"MaskedPaths": ["/proc/kcore"]}}),
		    "containers.unconfined", "MaskedPaths"),
		OKC("base", J({"HostConfig": {"MaskedPaths": null,
		    "ReadonlyPaths": null}})),
		OKC("permissive", J({"HostConfig": {"MaskedPaths": [],
		    "ReadonlyPaths": []}})),
		/* Annotations reach the OCI runtime */
		NOC("base", J({"HostConfig": {"Annotations":
		    {"io.kubernetes.cri.x": "y"}}}), "containers.unconfined",
		    "pass options to the OCI runtime"),
		OKC("base", J({"HostConfig": {"Annotations": {}}})),
		OKC("permissive", J({"HostConfig": {"Annotations":
		    {"a": "b"}}})),
		BADC("base", J({"HostConfig": {"Annotations": []}}),
		    "must be an object"),
	};
#undef SO

	RUN(t);
}

/* Sysctls, Runtime, VolumeDriver, CgroupParent, VolumesFrom, Links. */
static void
test_misc(void **state)
{
	static const struct pcase t[] = {
		NOC("base", J({"HostConfig": {"Sysctls":
		    {"net.ipv4.ip_forward": "1"}}}), "containers.sysctls",
		    "sysctl net.ipv4.ip_forward is not in sysctls.allow"),
		OKC("base", J({"HostConfig": {"Sysctls": {}}})),
		OKC("sysctl", J({"HostConfig": {"Sysctls":
		    {"net.ipv4.ip_forward": "1", "kernel.msgmax": "1"}}})),
		NOC("sysctl", J({"HostConfig": {"Sysctls":
		    {"net.ipv4.ip_forward": "1", "kernel.shmmax": "1"}}}),
		    "containers.sysctls", "kernel.shmmax"),
		NOC("sysctl", J({"HostConfig": {"Sysctls":
		    {"kernel.msgmaxx": "1"}}}), "containers.sysctls", NULL),
		NOC("sysctl", J({"HostConfig": {"Sysctls":
		    {"NET.ipv4.ip_forward": "1"}}}), "containers.sysctls",
		    NULL),
		OKC("permissive", J({"HostConfig": {"Sysctls":
		    {"kernel.shmmax": "1"}}})),
		BADC("base", J({"HostConfig": {"Sysctls": []}}),
		    "HostConfig.Sysctls must be an object"),
		NOC("base", J({"HostConfig": {"Runtime": "runsc"}}),
		    "containers.runtimes", "runtime runsc is not in runtimes"),
		NOC("base", J({"HostConfig": {"Runtime": "RUNC"}}),
		    "containers.runtimes", NULL),
		NOC("base", J({"HostConfig": {"Runtime":
		    "io.containerd.runc.v2"}}), "containers.runtimes", NULL),
		OKC("base", J({"HostConfig": {"Runtime": "runc"}})),
		OKC("base", J({"HostConfig": {"Runtime": ""}})),
		OKC("permissive", J({"HostConfig": {"Runtime": "runsc"}})),
		NOC("permissive", J({"HostConfig": {"Runtime": "kata"}}),
		    "containers.runtimes", NULL),
		NOC("base", J({"HostConfig": {"VolumeDriver": "convoy"}}),
		    "containers.volume_drivers", "volume driver convoy is not "
		    "allowed"),
		OKC("base", J({"HostConfig": {"VolumeDriver": "local"}})),
		OKC("base", J({"HostConfig": {"VolumeDriver": ""}})),
		OKC("permissive", J({"HostConfig": {"VolumeDriver":
		    "convoy"}})),
		NOC("base", J({"HostConfig": {"CgroupParent": "/"}}),
		    "containers.cgroup_parent", "places the container in "
		    "another cgroup"),
		NOC("base", J({"HostConfig": {"CgroupParent": "system.slice"}}),
		    "containers.cgroup_parent", NULL),
		OKC("base", J({"HostConfig": {"CgroupParent": ""}})),
		OKC("permissive", J({"HostConfig": {"CgroupParent": "/"}})),
		NOC("base", J({"HostConfig": {"VolumesFrom": ["other:ro"]}}),
		    "containers.joins", "mounts another container's volumes"),
		OKC("base", J({"HostConfig": {"VolumesFrom": []}})),
		NOC("base", J({"HostConfig": {"Links": ["db:db"]}}),
		    "containers.joins", "exposes another container"),
		OKC("base", J({"HostConfig": {"Links": []}})),
		OKC("permissive", J({"HostConfig": {"VolumesFrom": ["o"],
		    "Links": ["db:db"]}})),
	};

	RUN(t);
}

/* HostConfig.Binds: every way to write a host path, and the resolver. */
static void
test_binds(void **state)
{
#define B(s)	"{\"Image\":\"x\",\"HostConfig\":{\"Binds\":[\"" s "\"]}}"
	static const struct pcase t[] = {
		NOC("base", B("/:/h"), "containers.bind_mounts",
		    "bind mount of / exposes /, which bind_mounts.deny "
		    "forbids"),
		NOC("base", B("/etc:/e:ro"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", B("/etc/:/e"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", B("//etc:/e"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", B("/./etc:/e"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", B("/tmp/../etc:/e"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", B("/home/u/../../etc/passwd:/p"),
		    "containers.bind_mounts", "exposes /etc"),
		NOC("base", B("/etc/ssl:/s"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", B("/var:/v"), "containers.bind_mounts",
		    "exposes /var/lib,"),
		NOC("base", B("/var/lib:/v"), "containers.bind_mounts",
		    "exposes /var/lib,"),
		NOC("base", B("/var/run/docker.sock:/s"),
		    "containers.bind_mounts", "exposes /var/run,"),
		NOC("base", B("/run/docker.sock:/s"), "containers.bind_mounts",
		    "exposes /run,"),
		NOC("base", B("/run:/r"), "containers.bind_mounts", NULL),
		NOC("base", B("/proc/self/root:/r"), "containers.bind_mounts",
		    "exposes /proc"),
		NOC("base", B("/dev:/d"), "containers.bind_mounts", NULL),
		NOC("base", B("/root:/r"), "containers.bind_mounts", NULL),
		NOC("base", B("/usr/bin:/b"), "containers.bind_mounts", NULL),
		/* resolved through the stub's symlinks */
		NOC("base", B("/tmp/link-to-root:/h"), "containers.bind_mounts",
		    "bind mount of /tmp/link-to-root (resolved: /) exposes /"),
		NOC("base", B("/tmp/link-to-root/etc:/h"),
		    "containers.bind_mounts", "(resolved: /etc) exposes /etc"),
		NOC("base", B("/data/link:/x"), "containers.bind_mounts",
		    "(resolved: /etc/x) exposes /etc"),
		NOC("base", B("/data/./link/:/x"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", B("/eacces/x:/y"), "containers.bind_mounts",
		    "cannot resolve bind source /eacces/x: Permission denied"),
		/* fine */
		OKC("base", B("/ok/path:/x")),
		OKC("base", B("/ok/path:/x:ro")),
		OKC("base", B("/ok/link:/x")),
		OKC("base", B("/home/u/src:/src:rw,z")),
		OKC("base", B("/tmp:/t")),
		OKC("base", B("/etcetera:/e")),
		OKC("base", B("/varx:/v")),
		OKC("base", B("vol:/x")),
		OKC("base", B("vol:/x:ro")),
		OKC("base", B("/x")),
		OKC("base", B("etc:/e")),
		/* propagation */
		NOC("base", B("/ok/path:/x:shared"),
		    "containers.bind_mounts.propagation",
		    "asks for shared mount propagation"),
		NOC("base", B("/ok/path:/x:rshared"),
		    "containers.bind_mounts.propagation", "rshared"),
		NOC("base", B("/ok/path:/x:ro,rshared"),
		    "containers.bind_mounts.propagation", "rshared"),
		NOC("base", B("/ok/path:/x:rshared,ro"),
		    "containers.bind_mounts.propagation", "rshared"),
		OKC("base", B("/ok/path:/x:rslave")),
		OKC("base", B("/ok/path:/x:ro,private")),
		OKC("base", B("/ok/path:/x:sharedx")),
		OKC("permissive", B("/ok/path:/x:rshared")),
		/* malformed */
		BADC("base", B("/ok/path:/x:ro:extra"), "has too many ':' "
		    "fields"),
		BADC("base", J({"HostConfig": {"Binds": [1]}}),
		    "HostConfig.Binds[0] must be a string"),
		BADC("base", J({"HostConfig": {"Binds": {"/etc": "/e"}}}),
		    "HostConfig.Binds must be a list"),
		BADC("base", J({"HostConfig": {"Binds": "/etc:/e"}}),
		    "must be a list"),
		/* the second entry is checked too */
		NOC("base", J({"HostConfig": {"Binds": ["/ok/path:/x",
		    "/etc:/e"]}}), "containers.bind_mounts", "exposes /etc"),
		/* no deny list: anything but sockguard's own sockets */
		OKC("permissive", B("/etc:/e")),
		OKC("permissive", B("/tmp/link-to-root/etc:/h")),
		NOC("permissive", B("/:/h"), "containers.bind_mounts",
		    "exposes /srv/sg/api.sock"),
		NOC("permissive", B("/tmp/link-to-root:/h"),
		    "containers.bind_mounts", "exposes /srv/sg/api.sock"),
		NOC("permissive", B("/eacces/x:/y"), "containers.bind_mounts",
		    "cannot resolve"),
		/* a custom deny list replaces the default one */
		OKC("binddeny", B("/etc:/e")),
		NOC("binddeny", B("/srv/secret/x:/s"), "containers.bind_mounts",
		    "exposes /srv/secret"),
		NOC("binddeny", B("/srv:/s"), "containers.bind_mounts",
		    "exposes /srv/secret"),
		/* resolve_symlinks: false checks the cleaned path only */
		NOC("noresolve", B("/etc/:/e"), "containers.bind_mounts",
		    "exposes /etc"),
		OKC("noresolve", B("/tmp/link-to-root:/h")),
		OKC("noresolve", B("/eacces/x:/y")),
	};
#undef B

	RUN(t);
}

/* sockguard's own sockets: denied with every profile, and their parents. */
static void
test_own_sockets(void **state)
{
#define B(s)	"{\"HostConfig\":{\"Binds\":[\"" s "\"]}}"
	static const struct pcase t[] = {
		NOC("base", B("/srv/sg/api.sock:/s"), "containers.bind_mounts",
		    "exposes /srv/sg/api.sock"),
		NOC("base", B("/srv/sg:/s"), "containers.bind_mounts",
		    "exposes /srv/sg/api.sock"),
		NOC("base", B("/srv:/s"), "containers.bind_mounts",
		    "exposes /srv/sg/api.sock"),
		NOC("base", B("/srv//sg/./api.sock:/s"),
		    "containers.bind_mounts", NULL),
		NOC("permissive", B("/srv/sg/api.sock:/s"),
		    "containers.bind_mounts", "exposes /srv/sg/api.sock"),
		NOC("permissive", B("/run/sg:/s"), "containers.bind_mounts",
		    "exposes /run/sg/sockguard.sock"),
		NOC("permissive", J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/srv/sg", "Target": "/s"}]}}),
		    "containers.bind_mounts", NULL),
		OKC("base", B("/srv/other:/o")),
		OKC("base", B("/srv/sgx:/o")),
		OKC("permissive", B("/srv/sg/api.sockx:/o")),
	};
#undef B

	RUN(t);
}

/* HostConfig.Mounts: bind, volume (driver options), tmpfs, the rest. */
static void
test_mounts(void **state)
{
#define M(m)	"{\"Image\":\"x\",\"HostConfig\":{\"Mounts\":[" m "]}}"
#define BIND(s)	M("{\"Type\":\"bind\",\"Source\":\"" s "\",\"Target\":\"/t\"}")
#define VOPT(o)	M("{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/t\"," \
		    "\"VolumeOptions\":{\"DriverConfig\":{\"Name\":\"local\"," \
		    "\"Options\":" o "}}}")
	static const struct pcase t[] = {
		NOC("base", BIND("/etc"), "containers.bind_mounts",
		    "bind mount of /etc exposes /etc"),
		NOC("base", BIND("/etc/"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", BIND("//etc"), "containers.bind_mounts", NULL),
		NOC("base", BIND("/./etc"), "containers.bind_mounts", NULL),
		NOC("base", BIND("/tmp/../etc"), "containers.bind_mounts",
		    NULL),
		NOC("base", BIND("/"), "containers.bind_mounts", "exposes /"),
		NOC("base", BIND("/var"), "containers.bind_mounts",
		    "exposes /var/lib,"),
		NOC("base", BIND("/run/docker.sock"), "containers.bind_mounts",
		    NULL),
		NOC("base", BIND("/tmp/link-to-root"), "containers.bind_mounts",
		    "(resolved: /)"),
		NOC("base", BIND("/data/link"), "containers.bind_mounts",
		    "(resolved: /etc/x)"),
		NOC("base", BIND("/eacces/m"), "containers.bind_mounts",
		    "cannot resolve bind source /eacces/m"),
		OKC("base", BIND("/ok/path")),
		BADC("base", M("{\"Type\":\"bind\",\"Target\":\"/t\"}"),
		    "a bind mount needs a Source"),
		BADC("base", BIND("etc"), "not an absolute path"),
		BADC("base", BIND(""), "not an absolute path"),
		BADC("base", M("\"bind\""), "HostConfig.Mounts[0] must be an "
		    "object"),
		BADC("base", M("{\"Type\":1}"), "must be a string"),
		BADC("base", J({"HostConfig": {"Mounts": {}}}),
		    "must be a list"),
		/* propagation */
		NOC("base", M("{\"Type\":\"bind\",\"Source\":\"/ok/path\","
		    "\"Target\":\"/t\",\"BindOptions\":{\"Propagation\":"
		    "\"rshared\"}}"), "containers.bind_mounts.propagation",
		    "rshared"),
		NOC("base", M("{\"Type\":\"bind\",\"Source\":\"/ok/path\","
		    "\"Target\":\"/t\",\"BindOptions\":{\"Propagation\":"
		    "\"shared\"}}"), "containers.bind_mounts.propagation",
		    NULL),
		OKC("base", M("{\"Type\":\"bind\",\"Source\":\"/ok/path\","
		    "\"Target\":\"/t\",\"BindOptions\":{\"Propagation\":"
		    "\"rslave\"}}")),
		OKC("permissive", M("{\"Type\":\"bind\",\"Source\":\"/etc\","
		    "\"Target\":\"/t\",\"BindOptions\":{\"Propagation\":"
		    "\"rshared\"}}")),
		/* types: only bind, volume, tmpfs */
		OKC("base", M("{\"Type\":\"tmpfs\",\"Target\":\"/t\"}")),
		OKC("base", M("{\"Type\":\"volume\",\"Source\":\"v\","
		    "\"Target\":\"/t\"}")),
		OKC("base", M("{\"Type\":\"volume\",\"Target\":\"/t\"}")),
		NOC("base", M("{\"Type\":\"BIND\",\"Source\":\"/etc\","
		    "\"Target\":\"/t\"}"), "containers.bind_mounts",
		    "mount type BIND is not allowed"),
		NOC("base", M("{\"Type\":\"npipe\",\"Source\":\"/etc\","
		    "\"Target\":\"/t\"}"), "containers.bind_mounts",
		    "mount type npipe"),
		NOC("base", M("{\"Type\":\"cluster\",\"Source\":\"v\","
		    "\"Target\":\"/t\"}"), "containers.bind_mounts", NULL),
		NOC("base", M("{\"Type\":\"image\",\"Source\":\"x\","
		    "\"Target\":\"/t\"}"), "containers.bind_mounts", NULL),
		NOC("base", M("{\"Type\":\"\",\"Source\":\"/etc\","
		    "\"Target\":\"/t\"}"), "containers.bind_mounts", NULL),
		/* volume driver options that bind a host path */
		NOC("base", VOPT("{\"type\":\"none\",\"o\":\"bind\","
		    "\"device\":\"/etc\"}"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("base", VOPT("{\"type\":\"none\",\"device\":\"/etc\"}"),
		    "containers.bind_mounts", NULL),
		NOC("base", VOPT("{\"o\":\"rbind\",\"device\":\"/etc\"}"),
		    "containers.bind_mounts", NULL),
		NOC("base", VOPT("{\"type\":\"ext4\",\"device\":\"/dev/sda1\"}"),
		    "containers.bind_mounts", "exposes /dev"),
		NOC("base", VOPT("{\"type\":\"none\",\"o\":\"bind\","
		    "\"device\":\"/tmp/link-to-root\"}"),
		    "containers.bind_mounts", "(resolved: /)"),
		NOC("base", VOPT("{\"type\":\"none\",\"o\":\"bind\","
		    "\"device\":\"etc\"}"), "containers.bind_mounts",
		    "not an absolute path"),
		NOC("base", VOPT("{\"TYPE\":\"none\",\"O\":\"bind\","
		    "\"DEVICE\":\"/etc\"}"), "containers.bind_mounts", NULL),
		OKC("base", VOPT("{\"type\":\"none\",\"o\":\"bind\","
		    "\"device\":\"/ok/path\"}")),
		OKC("base", VOPT("{\"type\":\"tmpfs\",\"device\":\"tmpfs\","
		    "\"o\":\"size=64m\"}")),
		OKC("base", VOPT("{\"type\":\"nfs\",\"o\":\"addr=10.0.0.1\","
		    "\"device\":\":/export\"}")),
		NOC("base", M("{\"Type\":\"volume\",\"Source\":\"v\","
		    "\"Target\":\"/t\",\"VolumeOptions\":{\"DriverConfig\":"
		    "{\"Name\":\"convoy\"}}}"), "containers.volume_drivers",
		    "volume driver convoy"),
		OKC("permissive", M("{\"Type\":\"volume\",\"Source\":\"v\","
		    "\"Target\":\"/t\",\"VolumeOptions\":{\"DriverConfig\":"
		    "{\"Name\":\"convoy\"}}}")),
		BADC("base", M("{\"Type\":\"volume\",\"VolumeOptions\":[]}"),
		    "must be an object"),
	};
#undef M
#undef BIND
#undef VOPT

	RUN(t);
}

/* POST /volumes/create: the local driver's bind options. */
static void
test_volumes_create(void **state)
{
#define V(b)	OK("base", "POST", "/volumes/create", b)
#define VNO(b, rule, why) NO("base", "POST", "/volumes/create", b, rule, why)
	static const struct pcase t[] = {
		V(J({"Name": "v"})),
		V(J({})),
		V(J({"Name": "v", "Driver": "local"})),
		V(J({"Name": "v", "Driver": "local", "DriverOpts":
		    {"type": "tmpfs", "device": "tmpfs", "o": "size=100m"}})),
		V(J({"Name": "v", "DriverOpts": {"type": "none", "o": "bind",
		    "device": "/ok/path"}})),
		V(J({"Name": "v", "DriverOpts": {"type": "nfs",
		    "o": "addr=10.0.0.1,rw", "device": ":/export"}})),
		VNO(J({"Name": "v", "Driver": "local", "DriverOpts":
		    {"type": "none", "o": "bind", "device": "/etc"}}),
		    "containers.bind_mounts", "exposes /etc"),
		VNO(J({"Name": "v", "DriverOpts": {"type": "none", "o": "bind",
		    "device": "/"}}), "containers.bind_mounts", "exposes /"),
		VNO(J({"Name": "v", "DriverOpts": {"type": "none", "o": "bind",
		    "device": "/data/link"}}), "containers.bind_mounts",
		    "(resolved: /etc/x)"),
		VNO(J({"Name": "v", "DriverOpts": {"type": "btrfs",
		    "device": "/dev/sda2"}}), "containers.bind_mounts",
		    "exposes /dev"),
		VNO(J({"Name": "v", "driveropts": {"type": "none", "o": "bind",
		    "device": "/etc"}}), "containers.bind_mounts", NULL),
		VNO(J({"Name": "v", "Driver": "convoy"}),
		    "containers.volume_drivers", "volume driver convoy"),
		OK("permissive", "POST", "/volumes/create",
		    J({"Name": "v", "Driver": "convoy"})),
		OK("permissive", "POST", "/volumes/create", J({"Name": "v",
		    "DriverOpts": {"type": "none", "o": "bind",
		    "device": "/etc"}})),
		BAD("base", "POST", "/volumes/create", J({"Driver": 1}),
		    "body", "Driver must be a string"),
		BAD("base", "POST", "/volumes/create", J({"DriverOpts": []}),
		    "body", "DriverOpts must be an object"),
		/*
		 * BUG: the local driver hands type, device and o to
		 * mount(2).  An overlay names host directories in o
		 * (lowerdir=/etc shows the host's /etc), and a relative
		 * device is looked up from dockerd's working directory
		 * ("/" under systemd): both checked against dockerd 20.10.
		 */
		VNO(J({"Name": "v", "DriverOpts": {"type": "overlay",
		    "device": "overlay", "o":
		    "lowerdir=/etc,upperdir=/tmp/u,workdir=/tmp/w"}}),
		    "containers.bind_mounts", NULL),
		VNO(J({"Name": "v", "DriverOpts": {"type": "ext4",
		    "device": "dev/sda1"}}), "containers.bind_mounts", NULL),
	};
#undef V
#undef VNO

	RUN(t);
}

/* The body forwarded after resolution: rewritten sources only. */
static void
test_rewrite(void **state)
{
	static const struct {
		const char	*profile, *body, *want;
		int		 rewritten;
	} t[] = {
		{ "base", J({"HostConfig": {"Binds": ["/ok/link:/x:ro"]}}),
		    J({"HostConfig": {"Binds": ["/ok/real:/x:ro"]}}), 1 },
		{ "base", J({"HostConfig": {"Binds": ["/ok/link/sub:/x"]}}),
		    J({"HostConfig": {"Binds": ["/ok/real/sub:/x"]}}), 1 },
		{ "base", J({"HostConfig": {"Binds": ["/ok/path:/x", "v:/y",
		    "/ok/link:/z"]}}), J({"HostConfig": {"Binds": [
		    "/ok/path:/x", "v:/y", "/ok/real:/z"]}}), 1 },
		{ "base", J({"HostConfig": {"Binds": ["//ok//path/:/x"]}}),
		    J({"HostConfig": {"Binds": ["/ok/path:/x"]}}), 1 },
		{ "base", J({"HostConfig": {"Binds": ["/ok/path:/x"]}}),
		    J({"HostConfig": {"Binds": ["/ok/path:/x"]}}), 0 },
		{ "base", J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/ok/link", "Target": "/x"}]}}),
		    J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/ok/real", "Target": "/x"}]}}), 1 },
		{ "base", J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/ok/path", "Target": "/x"}]}}),
		    J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/ok/path", "Target": "/x"}]}}), 0 },
		{ "permissive", J({"HostConfig": {"Binds":
		    ["/tmp/link-to-root/home:/h"]}}), J({"HostConfig":
		    {"Binds": ["/home:/h"]}}), 1 },
		{ "noresolve", J({"HostConfig": {"Binds": ["/ok/link:/x"]}}),
		    J({"HostConfig": {"Binds": ["/ok/link:/x"]}}), 0 },
		{ "noresolve", J({"HostConfig": {"Binds": ["/ok//link:/x"]}}),
		    J({"HostConfig": {"Binds": ["/ok/link:/x"]}}), 1 },
		/*
		 * The source key spelled with U+017F: the rewrite must
		 * replace that key, not add a second "Source" beside it
		 * (the body would then hold two keys dockerd folds
		 * together, and which wins depends on their order).
		 */
		{ "base", J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "\u017fource": "/ok/link", "Target": "/x"}]}}),
		    J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/ok/real", "Target": "/x"}]}}), 1 },
		{ "base", J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "source": "/ok/link", "Target": "/x"}]}}),
		    J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/ok/real", "Target": "/x"}]}}), 1 },
	};
	struct decision	 d;
	json_t		*body, *want, *m;
	char		 why[1024], *got;
	const char	*k;
	json_t		*v;
	size_t		 i, nfail = 0, nsrc;

	for (i = 0; i < nitems(t); i++) {
		why[0] = '\0';
		if (decide(t[i].profile, "POST", "/containers/create",
		    t[i].body, &d, &body, why, sizeof(why)) == NULL)
			fail_msg("%s", why);
		want = json_loads(t[i].want, 0, NULL);
		assert_non_null(want);
		got = body ? json_dumps(body, JSON_COMPACT) : NULL;
		if (!d.allow || d.denied)
			snprintf(why, sizeof(why), "denied: %s", d.reason);
		else if (d.rewritten != t[i].rewritten)
			snprintf(why, sizeof(why), "rewritten %d, want %d",
			    d.rewritten, t[i].rewritten);
		else if (t[i].rewritten) {
			/* Exactly one Source-like key in each mount. */
			m = json_field(json_field(body, "HostConfig"),
			    "Mounts");
			m = json_array_get(m, 0);
			nsrc = 0;
			if (m != NULL)
				json_object_foreach(m, k, v)
					if (json_key_fold_equal(k, strlen(k),
					    "Source", 6))
						nsrc++;
			if (m != NULL && nsrc != 1)
				snprintf(why, sizeof(why), "%zu keys fold to "
				    "Source", nsrc);
			else if (m == NULL && !json_equal(body, want))
				snprintf(why, sizeof(why), "body differs");
			else if (m != NULL && strcmp(json_string_value(
			    json_field(m, "Source")), "/ok/real") != 0)
				snprintf(why, sizeof(why), "Source not "
				    "rewritten");
		} else if (!json_equal(body, want))
			snprintf(why, sizeof(why), "body changed");
		if (why[0] != '\0') {
			print_error("rewrite[%zu]: [%s] %s\n    %s\n    got "
			    "%s\n    want %s\n", i, t[i].profile, t[i].body, why,
			    got ? got : "(none)", t[i].want);
			nfail++;
		}
		free(got);
		json_decref(want);
		json_decref(body);
	}
	if (nfail)
		fail_msg("%zu rewrite cases failed", nfail);
}

/* containers.require and what a non-root user is. */
static void
test_require(void **state)
{
#define GOOD_HC	"\"HostConfig\":{\"ReadonlyRootfs\":true,\"SecurityOpt\":" \
		"[\"no-new-privileges\"],\"Memory\":1048576,\"PidsLimit\":100}"
#define U(u)	"{\"Image\":\"x\",\"User\":\"" u "\"," GOOD_HC "}"
#define R(hc)	"{\"Image\":\"x\",\"User\":\"1000\",\"HostConfig\":{" hc "}}"
#define NR	"containers.require.non_root_user"
	static const struct pcase t[] = {
		OKC("require", U("1000")),
		OKC("require", U("app")),
		OKC("require", U("1000:1000")),
		OKC("require", U("app:app")),
		OKC("require", U("1000:0")),
		OKC("require", U("rootless")),
		NOC("require", U(""), NR, "must run as a non-root user"),
		NOC("require", U("root"), NR, NULL),
		NOC("require", U("0"), NR, NULL),
		NOC("require", U("0:0"), NR, NULL),
		NOC("require", U("root:root"), NR, NULL),
		NOC("require", U("root:1000"), NR, NULL),
		NOC("require", U(":1000"), NR, NULL),
		NOC("require", "{\"Image\":\"x\"," GOOD_HC "}", NR, NULL),
		NOC("require", "{\"Image\":\"x\",\"User\":null," GOOD_HC "}",
		    NR, NULL),
		/*
		 * BUG: dockerd (moby/sys/user GetExecUser) reads a user
		 * with strconv.Atoi, so "00", "+0" and "000:1000" are
		 * uid 0 (`docker run -u 00 ... id` prints uid=0).
		 */
		NOC("require", U("00"), NR, NULL),
		NOC("require", U("+0"), NR, NULL),
		NOC("require", U("000:1000"), NR, NULL),
		BADC("require", "{\"Image\":\"x\",\"User\":0," GOOD_HC "}",
		    "User must be a string"),
		/* read_only_rootfs */
		NOC("require", R("\"SecurityOpt\":[\"no-new-privileges\"],"
		    "\"Memory\":1048576,\"PidsLimit\":100"),
		    "containers.require.read_only_rootfs", "read-only root "
		    "filesystem"),
		NOC("require", R("\"ReadonlyRootfs\":false,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"Memory\":1,\"PidsLimit\":1"),
		    "containers.require.read_only_rootfs", NULL),
		BADC("require", R("\"ReadonlyRootfs\":\"true\""),
		    "ReadonlyRootfs must be a boolean"),
		/* no_new_privileges */
		NOC("require", R("\"ReadonlyRootfs\":true,\"Memory\":1,"
		    "\"PidsLimit\":1"), "containers.require.no_new_privileges",
		    "no-new-privileges"),
		NOC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges=false\"],\"Memory\":1,"
		    "\"PidsLimit\":1"), "containers.require.no_new_privileges",
		    NULL),
		NOC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\",\"no-new-privileges=false\"],"
		    "\"Memory\":1,\"PidsLimit\":1"),
		    "containers.require.no_new_privileges", NULL),
		OKC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges:true\"],\"Memory\":1,"
		    "\"PidsLimit\":1")),
		OKC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges=true\"],\"Memory\":1,"
		    "\"PidsLimit\":1")),
		/* memory_limit */
		NOC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"PidsLimit\":1"),
		    "containers.require.memory_limit", "memory limit"),
		NOC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"Memory\":0,\"PidsLimit\":1"),
		    "containers.require.memory_limit", NULL),
		NOC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"Memory\":-1,\"PidsLimit\":1"),
		    "containers.require.memory_limit", NULL),
		BADC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"Memory\":1e6,\"PidsLimit\":1"),
		    "HostConfig.Memory must be an integer"),
		/* pids_limit */
		NOC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"Memory\":1"),
		    "containers.require.pids_limit", "pids limit"),
		NOC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"Memory\":1,\"PidsLimit\":-1"),
		    "containers.require.pids_limit", NULL),
		NOC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"Memory\":1,\"PidsLimit\":0"),
		    "containers.require.pids_limit", NULL),
		BADC("require", R("\"ReadonlyRootfs\":true,\"SecurityOpt\":"
		    "[\"no-new-privileges\"],\"Memory\":1,\"PidsLimit\":1.0"),
		    "HostConfig.PidsLimit must be an integer"),
		/* no HostConfig at all */
		NOC("require", J({"Image": "x", "User": "1000"}),
		    "containers.require.read_only_rootfs", NULL),
		/* without require:, none of it matters */
		OKC("base", J({"Image": "x", "User": "root"})),
	};
#undef GOOD_HC
#undef U
#undef R
#undef NR

	RUN(t);
}

/* Values of the wrong JSON type: dockerd refuses them, so do we. */
static void
test_wrong_types(void **state)
{
	static const struct pcase t[] = {
		BADC("base", J({"HostConfig": {"Privileged": "true"}}),
		    "HostConfig.Privileged must be a boolean"),
		BADC("base", J({"HostConfig": {"Privileged": 1}}),
		    "must be a boolean"),
		BADC("permissive", J({"HostConfig": {"Privileged": "true"}}),
		    "must be a boolean"),
		BADC("base", J({"HostConfig": {"Binds": {"a": "b"}}}),
		    "HostConfig.Binds must be a list"),
		BADC("base", J({"HostConfig": []}),
		    "HostConfig must be an object"),
		BADC("base", J({"HostConfig": "x"}), "must be an object"),
		BADC("base", J({"Image": 5}), "Image must be a string"),
		BADC("base", J({"HostConfig": {"CgroupParent": 1}}),
		    "must be a string"),
		BADC("base", J({"HostConfig": {"Runtime": []}}),
		    "must be a string"),
		BADC("base", J({"HostConfig": {"VolumesFrom": "x"}}),
		    "must be a list"),
		BADC("base", J({"HostConfig": {"Links": {}}}),
		    "must be a list"),
		BADC("base", J({"HostConfig": {"DeviceRequests": 1}}),
		    "must be a list"),
		BADC("base", J({"HostConfig": {"VolumeDriver": true}}),
		    "must be a string"),
	};

	RUN(t);
}

/* update, exec, start. */
static void
test_update_exec_start(void **state)
{
#define UPD	"POST", "/containers/abc/update"
#define EXEC	"POST", "/containers/abc/exec"
#define START	"POST", "/containers/abc/start"
	static const struct pcase t[] = {
		NO("base", UPD, J({"Devices": [{"PathOnHost": "/dev/sda"}]}),
		    "containers.devices", "Devices gives the container"),
		NO("base", UPD, J({"DeviceCgroupRules": ["a *:* rwm"]}),
		    "containers.devices", "DeviceCgroupRules"),
		NO("base", UPD, J({"DeviceRequests": [{"Count": -1}]}),
		    "containers.devices", NULL),
		NO("base", UPD, "{\"Device" LONG_S "\":[{\"PathOnHost\":"
		    "\"/dev/sda\"}]}", "containers.devices", NULL),
		OK("base", UPD, J({"Memory": 1000000, "CpuShares": 512})),
		OK("base", UPD, J({"Devices": []})),
		OK("base", UPD, J({"RestartPolicy": {"Name": "always"}})),
		OK("permissive", UPD, J({"Devices": [{"PathOnHost":
		    "/dev/sda"}]})),
		/*
		 * BUG: update with PidsLimit 0 or -1 makes the limit
		 * unlimited (pids.max "max" on dockerd 20.10), undoing
		 * require.pids_limit after create.
		 */
		NO("pids", UPD, J({"PidsLimit": -1}),
		    "containers.require.pids_limit", NULL),
		NO("pids", UPD, J({"PidsLimit": 0}),
		    "containers.require.pids_limit", NULL),
		OK("pids", UPD, J({"PidsLimit": 100})),
		/* exec */
		NO("base", EXEC, J({"Cmd": ["sh"], "Privileged": true}),
		    "exec.privileged", "privileged exec is not allowed"),
		NO("base", EXEC, J({"Cmd": ["sh"], "privileged": true}),
		    "exec.privileged", NULL),
		NO("base", EXEC, J({"Cmd": ["sh"], "PRIVILEGED": true}),
		    "exec.privileged", NULL),
		OK("base", EXEC, J({"Cmd": ["sh"], "Privileged": false})),
		OK("base", EXEC, J({"Cmd": ["sh"], "User": "root"})),
		OK("permissive", EXEC, J({"Cmd": ["sh"], "Privileged": true})),
		BAD("base", EXEC, J({"Privileged": "yes"}), "body",
		    "Privileged must be a boolean"),
		NO("nonroot", EXEC, J({"Cmd": ["sh"], "User": "root"}),
		    "containers.require.non_root_user", "exec as root is not "
		    "allowed"),
		NO("nonroot", EXEC, J({"Cmd": ["sh"], "User": "0"}),
		    "containers.require.non_root_user", NULL),
		NO("nonroot", EXEC, J({"Cmd": ["sh"], "User": "0:0"}),
		    "containers.require.non_root_user", NULL),
		NO("nonroot", EXEC, J({"Cmd": ["sh"], "user": "root:root"}),
		    "containers.require.non_root_user", NULL),
		OK("nonroot", EXEC, J({"Cmd": ["sh"], "User": "1000"})),
		OK("nonroot", EXEC, J({"Cmd": ["sh"], "User": ""})),
		OK("nonroot", EXEC, J({"Cmd": ["sh"]})),
		/* BUG: "00" is uid 0 to dockerd */
		NO("nonroot", EXEC, J({"Cmd": ["sh"], "User": "00"}),
		    "containers.require.non_root_user", NULL),
		BAD("nonroot", EXEC, J({"User": 0}), "body",
		    "User must be a string"),
		/* start: no old-style HostConfig */
		OK("base", START, NULL),
		OK("base", START, J({})),
		OK("base", START, J(null)),
		NO("base", START, J({"Privileged": true}), "containers.start",
		    "a HostConfig on start"),
		NO("base", START, J({"Binds": ["/etc:/e"]}),
		    "containers.start", NULL),
		NO("base", START, J({"HostConfig": {}}), "containers.start",
		    NULL),
		NO("base", START, J([]), "containers.start", NULL),
		NO("permissive", START, J({"Privileged": true}),
		    "containers.start", NULL),
		OK("base", "POST", "/containers/abc/start?detachKeys=ctrl-x",
		    J({})),
		/* other methods and routes are not body-checked */
		OK("base", "PUT", "/containers/create",
		    J({"HostConfig": {"Privileged": true}})),
		OK("base", "POST", "/containers/abc/wait",
		    J({"HostConfig": {"Privileged": true}})),
	};
#undef UPD
#undef EXEC
#undef START

	RUN(t);
}

/* services/create and update: the task template. */
static void
test_services(void **state)
{
#define SVC	"POST", "/services/create"
#define CS(cs)	"{\"Name\":\"s\",\"TaskTemplate\":{\"ContainerSpec\":" cs "}}"
#define TT(tt)	"{\"Name\":\"s\",\"TaskTemplate\":" tt "}"
	static const struct pcase t[] = {
		OK("base", SVC, CS("{\"Image\":\"x\"}")),
		OK("base", SVC, J({"Name": "s"})),
		OK("base", SVC, TT("{\"LogDriver\":{\"Name\":\"local\"}}")),
		NO("base", SVC, TT("{\"LogDriver\":{\"Name\":\"fluentd\"}}"),
		    "containers.log_drivers", "fluentd"),
		OK("base", SVC, CS("{\"Image\":\"x\",\"Mounts\":[{\"Type\":"
		    "\"volume\",\"Source\":\"v\",\"Target\":\"/v\"}]}")),
		NO("base", SVC, CS("{\"Image\":\"x\",\"Mounts\":[{\"Type\":"
		    "\"bind\",\"Source\":\"/etc\",\"Target\":\"/e\"}]}"),
		    "containers.bind_mounts", "exposes /etc"),
		NO("base", SVC, CS("{\"Image\":\"x\",\"mounts\":[{\"Type\":"
		    "\"bind\",\"Source\":\"/tmp/link-to-root\",\"Target\":"
		    "\"/e\"}]}"), "containers.bind_mounts", "(resolved: /)"),
		NO("base", SVC, CS("{\"Image\":\"x\",\"Mounts\":[{\"Type\":"
		    "\"volume\",\"Source\":\"v\",\"Target\":\"/v\","
		    "\"VolumeOptions\":{\"DriverConfig\":{\"Options\":"
		    "{\"type\":\"none\",\"o\":\"bind\",\"device\":\"/etc\"}}}}]}"),
		    "containers.bind_mounts", NULL),
		NO("base", SVC, CS("{\"Image\":\"x\",\"CapabilityAdd\":"
		    "[\"CAP_SYS_ADMIN\"]}"), "containers.capabilities",
		    "CAP_SYS_ADMIN"),
		OK("capsall", SVC, CS("{\"Image\":\"x\",\"CapabilityAdd\":"
		    "[\"CAP_SYS_ADMIN\"]}")),
		NO("base", SVC, CS("{\"Image\":\"x\",\"Sysctls\":"
		    "{\"net.ipv4.ip_forward\":\"1\"}}"), "containers.sysctls",
		    NULL),
		NO("base", SVC, CS("{\"Image\":\"x\",\"Privileges\":"
		    "{\"Seccomp\":{\"Mode\":\"unconfined\"}}}"),
		    "containers.unconfined", "sets seccomp mode unconfined"),
		NO("base", SVC, CS("{\"Image\":\"x\",\"Privileges\":"
		    "{\"Seccomp\":{\"Mode\":\"custom\",\"Profile\":\"e30=\"}}}"),
		    "containers.unconfined", NULL),
		OK("base", SVC, CS("{\"Image\":\"x\",\"Privileges\":"
		    "{\"Seccomp\":{\"Mode\":\"default\"}}}")),
		NO("base", SVC, CS("{\"Image\":\"x\",\"Privileges\":"
		    "{\"AppArmor\":{\"Mode\":\"disabled\"}}}"),
		    "containers.unconfined", "sets AppArmor mode disabled"),
		OK("base", SVC, CS("{\"Image\":\"x\",\"Privileges\":"
		    "{\"AppArmor\":{\"Mode\":\"default\"}}}")),
		NO("base", SVC, CS("{\"Image\":\"x\",\"Privileges\":"
		    "{\"SELinuxContext\":{\"Disable\":true}}}"),
		    "containers.unconfined", "disables SELinux confinement"),
		NO("base", SVC, CS("{\"Image\":\"x\",\"privileges\":"
		    "{\"selinuxcontext\":{\"disable\":true}}}"),
		    "containers.unconfined", NULL),
		/*
		 * BUG? label=type:spc_t is denied on containers; the swarm
		 * executor turns SELinuxContext.Type into that same
		 * label=type: option, and it is allowed here.
		 */
		NO("base", SVC, CS("{\"Image\":\"x\",\"Privileges\":"
		    "{\"SELinuxContext\":{\"Type\":\"spc_t\"}}}"),
		    "containers.unconfined", NULL),
		OK("permissive", SVC, CS("{\"Image\":\"x\",\"Privileges\":"
		    "{\"Seccomp\":{\"Mode\":\"unconfined\"},\"AppArmor\":"
		    "{\"Mode\":\"disabled\"}}}")),
		NO("base", SVC, TT("{\"ContainerSpec\":{\"Image\":\"x\"},"
		    "\"Networks\":[{\"Target\":\"host\"}]}"),
		    "containers.host_namespaces", "services may not use the "
		    "host network"),
		NO("base", SVC, TT("{\"ContainerSpec\":{\"Image\":\"x\"},"
		    "\"Networks\":[{\"Target\":\"HOST\"}]}"),
		    "containers.host_namespaces", NULL),
		OK("base", SVC, TT("{\"ContainerSpec\":{\"Image\":\"x\"},"
		    "\"Networks\":[{\"Target\":\"overlay1\"}]}")),
		OK("permissive", SVC, TT("{\"ContainerSpec\":{\"Image\":"
		    "\"x\"},\"Networks\":[{\"Target\":\"host\"}]}")),
		/*
		 * BUG: the deprecated ServiceSpec.Networks (top level, not
		 * in TaskTemplate) still attaches the tasks: on dockerd
		 * 20.10 this task ran in the host's network namespace.
		 */
		NO("base", SVC, "{\"Name\":\"s\",\"TaskTemplate\":"
		    "{\"ContainerSpec\":{\"Image\":\"x\"}},\"Networks\":"
		    "[{\"Target\":\"host\"}]}", "containers.host_namespaces",
		    NULL),
		NO("base", SVC, TT("{\"PluginSpec\":{\"Name\":\"p\"}}"),
		    "services.plugins", "plugin task templates are not "
		    "allowed"),
		NO("permissive", SVC, TT("{\"PluginSpec\":{}}"),
		    "services.plugins", NULL),
		NO("base", SVC, TT("{\"Runtime\":\"plugin\"}"),
		    "services.plugins", "task runtime plugin is not allowed"),
		NO("base", SVC, TT("{\"Runtime\":\"attachment\"}"),
		    "services.plugins", NULL),
		OK("base", SVC, TT("{\"Runtime\":\"container\","
		    "\"ContainerSpec\":{\"Image\":\"x\"}}")),
		OK("base", SVC, TT("{\"PluginSpec\":null,\"ContainerSpec\":"
		    "{\"Image\":\"x\"}}")),
		NO("nonroot", SVC, CS("{\"Image\":\"x\",\"User\":\"root\"}"),
		    "containers.require.non_root_user", "non-root user"),
		NO("nonroot", SVC, CS("{\"Image\":\"x\"}"),
		    "containers.require.non_root_user", NULL),
		OK("nonroot", SVC, CS("{\"Image\":\"x\",\"User\":\"1000\"}")),
		NO("regs", SVC, CS("{\"Image\":\"evil.example.com/x\"}"),
		    "images.registries", "evil.example.com"),
		OK("regs", SVC, CS("{\"Image\":\"quay.io/x\"}")),
		NO("base", "POST", "/services/abc/update", CS("{\"Image\":"
		    "\"x\",\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/\","
		    "\"Target\":\"/h\"}]}"), "containers.bind_mounts", NULL),
		BAD("base", SVC, J({"TaskTemplate": []}), "body",
		    "TaskTemplate must be an object"),
		/* the shipped default profile closes services entirely */
		NO("default", SVC, CS("{\"Image\":\"x\"}"), "no-services",
		    "POST /services/create is denied"),
	};
#undef SVC
#undef CS
#undef TT

	RUN(t);
}

/* /build queries, BuildKit streams. */
static void
test_build(void **state)
{
	static const struct pcase t[] = {
		OK("base", "POST", "/build", NULL),
		OK("base", "POST", "/build?t=x&networkmode=bridge", NULL),
		OK("base", "POST", "/build?networkmode=default", NULL),
		OK("base", "POST", "/build?networkmode=none", NULL),
		OK("base", "POST", "/build?networkmode=", NULL),
		NO("base", "POST", "/build?networkmode=host", NULL,
		    "build.host_network", "builds with networkmode=host are "
		    "not allowed"),
		NO("base", "POST", "/build?t=x&networkmode=HOST", NULL,
		    "build.host_network", NULL),
		NO("base", "POST", "/build?networkmode=ho%73t", NULL,
		    "build.host_network", "networkmode=host"),
		NO("base", "POST", "/build?networkmode=container:abc", NULL,
		    "build.host_network", NULL),
		NO("base", "POST", "/build?networkmode=container%3Aabc", NULL,
		    "build.host_network", NULL),
		OK("permissive", "POST", "/build?networkmode=host", NULL),
		BAD("base", "POST", "/build?networkmode=host&networkmode=none",
		    NULL, "query", "is malformed, repeated or too long"),
		BAD("base", "POST", "/build?networkmode=none;networkmode=host",
		    NULL, "query", NULL),
		BAD("base", "POST", "/build?networkmode=%zz", NULL, "query",
		    NULL),
		OK("base", "POST", "/build/prune?networkmode=host", NULL),
		/*
		 * BUG: cgroupparent puts the classic builder's RUN
		 * containers in that cgroup (seen on dockerd 20.10), what
		 * containers.cgroup_parent: false forbids for containers.
		 */
		NO("base", "POST", "/build?cgroupparent=/", NULL,
		    NULL, "cgroup"),
		/* BuildKit streams */
		NO("base", "POST", "/session", NULL, "build.buildkit",
		    "BuildKit streams cannot be inspected"),
		NO("base", "POST", "/grpc", NULL, "build.buildkit", NULL),
		NO("base", "GET", "/session", NULL, "build.buildkit", NULL),
		OK("permissive", "POST", "/session", NULL),
		OK("permissive", "POST", "/grpc", NULL),
		NO("default", "POST", "/session", NULL, "build.buildkit",
		    NULL),
		NO("default", "POST", "/grpc", NULL, "build.buildkit", NULL),
		NO("ci", "POST", "/session", NULL, "endpoints", NULL),
	};

	RUN(t);
}

/* Images: registries for pull, push, tag; imports from URLs. */
static void
test_images(void **state)
{
#define PULL(q)	"POST", "/images/create?" q
	static const struct pcase t[] = {
		OK("ci", PULL("fromImage=busybox"), NULL),
		OK("ci", PULL("fromImage=busybox&tag=latest"), NULL),
		OK("ci", PULL("fromImage=library/busybox"), NULL),
		OK("ci", PULL("fromImage=docker.io/library/busybox"), NULL),
		OK("ci", PULL("fromImage=index.docker.io/x"), NULL),
		OK("ci", PULL("fromImage=registry-1.docker.io/x"), NULL),
		OK("ci", PULL("fromImage=user/repo"), NULL),
		OK("ci", PULL("fromImage=DOCKER.IO/x"), NULL),
		NO("ci", PULL("fromImage=quay.io/x"), NULL,
		    "images.registries", "fromImage quay.io/x is from registry "
		    "quay.io, which is not in images.registries"),
		NO("ci", PULL("fromImage=quay.io%2Fx"), NULL,
		    "images.registries", NULL),
		NO("ci", PULL("fromImage=localhost:5000/x"), NULL,
		    "images.registries", "localhost:5000"),
		NO("ci", PULL("fromImage=localhost/x"), NULL,
		    "images.registries", "registry localhost"),
		NO("ci", PULL("fromImage=Foo/bar"), NULL, "images.registries",
		    "registry foo"),
		NO("ci", PULL("fromImage=registry.example.com:5000/x"), NULL,
		    "images.registries", NULL),
		NO("ci", PULL("fromImage=docker.io.evil.com/x"), NULL,
		    "images.registries", NULL),
		NO("ci", PULL("fromImage=%5B::1%5D:5000/x"), NULL,
		    "images.registries", NULL),
		/* BUG: dockerd pulls this from https://sha256:5000/v2/ */
		NO("ci", PULL("fromImage=sha256:5000/x"), NULL,
		    "images.registries", NULL),
		OK("regs", PULL("fromImage=quay.io/x"), NULL),
		OK("regs", PULL("fromImage=localhost:5000/x"), NULL),
		NO("regs", PULL("fromImage=localhost:5001/x"), NULL,
		    "images.registries", NULL),
		OK("default", PULL("fromImage=quay.io/x"), NULL),
		/* imports */
		NO("default", PULL("fromSrc=http://x/a.tar"), NULL,
		    "images.import", "importing an image from a URL"),
		NO("default", PULL("fromImage=&fromSrc=http://x"), NULL,
		    "images.import", NULL),
		OK("default", PULL("fromSrc=-"), NULL),
		OK("default", PULL("fromSrc=-&repo=x"), NULL),
		OK("default", PULL("fromImage=busybox&fromSrc=http://x"),
		    NULL),
		OK("default", "POST", "/images/create", NULL),
		/* queries sockguard cannot read as dockerd does */
		BAD("ci", PULL("fromImage=busybox;x=y"), NULL, "query",
		    "the query uses ';'"),
		BAD("ci", PULL("fromImage=busybox&fromImage=quay.io/x"), NULL,
		    "query", "repeated"),
		BAD("ci", PULL("fromImage=%zz"), NULL, "query", NULL),
		BAD("ci", PULL("fromImage=quay.io%2"), NULL, "query", NULL),
		BAD("ci", PULL("from%49mage=busybox&fromImage=quay.io/x"),
		    NULL, "query", NULL),
		BAD("default", PULL("fromSrc=a%00b"), NULL, "query", NULL),
		/* push and tag */
		NO("ci", "POST", "/images/quay.io/x/push", NULL,
		    "images.registries", "push quay.io/x is from registry "
		    "quay.io"),
		NO("ci", "POST", "/images/localhost:5000/a/b/push?tag=1", NULL,
		    "images.registries", NULL),
		OK("ci", "POST", "/images/busybox/push", NULL),
		OK("ci", "POST", "/images/docker.io/library/x/push", NULL),
		OK("ci", "POST", "/images/user/x/push?tag=v1", NULL),
		NO("ci", "POST", "/images/busybox/tag?repo=quay.io/x", NULL,
		    "images.registries", "repo quay.io/x"),
		NO("ci", "POST", "/images/busybox/tag?repo=quay.io%2Fx&tag=1",
		    NULL, "images.registries", NULL),
		OK("ci", "POST", "/images/busybox/tag?repo=myrepo&tag=1",
		    NULL),
		OK("ci", "POST", "/images/quay.io/x/tag?repo=mine", NULL),
		BAD("ci", "POST", "/images/busybox/tag?repo=a&repo=b", NULL,
		    "query", NULL),
		OK("ci", "DELETE", "/images/quay.io/x", NULL),
		OK("ci", "POST", "/images/load", NULL),
		/* Image in a create body */
		NOC("ci", J({"Image": "quay.io/x"}), "images.registries",
		    "Image quay.io/x"),
		OKC("ci", J({"Image": "busybox"})),
		OKC("ci", "{\"Image\":\"sha256:" HEX64 "\"}"),
		OKC("ci", "{\"Image\":\"" HEX64 "\"}"),
	};
#undef PULL

	RUN(t);
}

/* POST /auth: the registry a client logs in to. */
static void
test_auth(void **state)
{
#define AUTH	"POST", "/auth"
	static const struct pcase t[] = {
		NO("ci", AUTH, J({"serveraddress": "https://quay.io"}),
		    "images.registries", "quay.io"),
		NO("ci", AUTH, J({"serveraddress": "quay.io"}),
		    "images.registries", NULL),
		NO("ci", AUTH, J({"serveraddress": "https://quay.io/v2/"}),
		    "images.registries", NULL),
		NO("ci", AUTH, J({"serveraddress": "localhost:5000"}),
		    "images.registries", NULL),
		NO("ci", AUTH, J({"serveraddress": "myregistry"}),
		    "images.registries", NULL),
		NO("ci", AUTH, J({"ServerAddress": "QUAY.IO"}),
		    "images.registries", NULL),
		OK("ci", AUTH, J({"serveraddress": ""})),
		OK("ci", AUTH, J({"username": "u", "password": "p"})),
		OK("ci", AUTH, J({"serveraddress":
		    "https://index.docker.io/v1/"})),
		OK("ci", AUTH, J({"serveraddress": "docker.io"})),
		OK("ci", AUTH, J({"serveraddress": "https://docker.io"})),
		OK("ci", AUTH, J({"serveraddress": "registry-1.docker.io"})),
		OK("regs", AUTH, J({"serveraddress": "https://quay.io"})),
		OK("default", AUTH, J({"serveraddress": "https://quay.io"})),
		BAD("ci", AUTH, J({"serveraddress": 5}), "body",
		    "serveraddress must be a string"),
	};
#undef AUTH

	RUN(t);
}

/* policy_image_registry() directly. */
static void
test_image_registry(void **state)
{
	static const struct {
		const char	*ref, *want;
	} t[] = {
		{ "busybox", "docker.io" },
		{ "busybox:1.36", "docker.io" },
		{ "busybox@sha256:" HEX64, "docker.io" },
		{ "library/busybox", "docker.io" },
		{ "user/repo:tag", "docker.io" },
		{ "docker.io/library/busybox", "docker.io" },
		{ "index.docker.io/x", "docker.io" },
		{ "registry-1.docker.io/x", "docker.io" },
		{ "Docker.IO/x", "docker.io" },
		{ "quay.io/x", "quay.io" },
		{ "QUAY.IO/x/y:1", "quay.io" },
		{ "quay.io", "docker.io" },
		{ "localhost/x", "localhost" },
		{ "localhost:5000/x", "localhost:5000" },
		{ "localhostx/x", "docker.io" },
		{ "Foo/bar", "foo" },
		{ "fOO/bar", "foo" },
		{ "foo/bar", "docker.io" },
		{ "registry.example.com:5000/x/y:tag",
		    "registry.example.com:5000" },
		{ "[::1]:5000/x", "[::1]:5000" },
		{ "sha256:" HEX64, "" },
		{ HEX64, "" },
		{ "0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcde", "docker.io" },
		/* BUG: a domain "sha256:5000" is not a local image id */
		{ "sha256:5000/x", "sha256:5000" },
		{ "sha256:443/library/x:1", "sha256:443" },
	};
	char	out[256];
	size_t	i, nfail = 0;

	for (i = 0; i < nitems(t); i++) {
		memset(out, 'X', sizeof(out));
		policy_image_registry(t[i].ref, out, sizeof(out));
		if (strcmp(out, t[i].want) != 0) {
			print_error("registry(%s): want \"%s\" got \"%s\"\n",
			    t[i].ref, t[i].want, out);
			nfail++;
		}
	}
	/* a short buffer still gets a terminated string */
	memset(out, 'X', sizeof(out));
	policy_image_registry("registry.example.com/x", out, 5);
	assert_true(memchr(out, '\0', 5) != NULL);
	if (nfail)
		fail_msg("%zu registry cases failed", nfail);
}

/* rules/readonly.yaml. */
static void
test_readonly_file(void **state)
{
	static const struct pcase t[] = {
		OK("readonly", "GET", "/containers/json", NULL),
		OK("readonly", "GET", "/containers/json?all=1", NULL),
		OK("readonly", "HEAD", "/_ping", NULL),
		OK("readonly", "GET", "/containers/x/json", NULL),
		OK("readonly", "GET", "/containers/x/logs?follow=1", NULL),
		OK("readonly", "GET", "/events", NULL),
		OK("readonly", "GET", "/images/json", NULL),
		OK("readonly", "GET", "/images/x/json", NULL),
		NO("readonly", "POST", "/containers/create", NULL, "endpoints",
		    "no rule allows POST /containers/create"),
		NO("readonly", "POST", "/containers/x/start", NULL,
		    "endpoints", NULL),
		NO("readonly", "DELETE", "/containers/x", NULL, "endpoints",
		    NULL),
		NO("readonly", "POST", "/containers/x/attach", NULL,
		    "endpoints", NULL),
		NO("readonly", "PUT", "/containers/x/archive", NULL,
		    "no-archive", NULL),
		NO("readonly", "GET", "/containers/x/attach/ws", NULL,
		    "no-attach-ws", NULL),
		NO("readonly", "GET", "/containers/x/export", NULL,
		    "no-export", NULL),
		NO("readonly", "GET", "/containers/x/archive?path=/", NULL,
		    "no-archive", NULL),
		NO("readonly", "HEAD", "/containers/x/archive?path=/", NULL,
		    "no-archive", NULL),
		NO("readonly", "GET", "/images/x/get", NULL, "no-image-save",
		    NULL),
		NO("readonly", "GET", "/images/library/x:1/get", NULL,
		    "no-image-save", NULL),
		/* no-image-save matches /images/get first: its ** may be empty */
		NO("readonly", "GET", "/images/get?names=x", NULL,
		    "no-image-save", NULL),
		NO("readonly", "GET", "/exec/x/json", NULL, "no-exec", NULL),
		NO("readonly", "POST", "/exec/x/start", NULL, "no-exec", NULL),
	};

	if (find_profile("readonly") == NULL)
		fail_msg("rules/readonly.yaml: %s", load_err[2]);
	RUN(t);
}

/* rules/default.yaml. */
/* Which requests make the proxy look the container up first. */
static void
test_existing_ops(void **state)
{
	static const struct {
		const char	*m, *route, *op;
	} t[] = {
		{ "POST", "/containers/x/exec", "exec into" },
		{ "POST", "/containers/x/attach", "attach to" },
		{ "GET", "/containers/x/attach/ws", "attach to" },
		{ "PUT", "/containers/x/archive", "copy files into" },
		{ "GET", "/containers/x/archive", "copy files from" },
		{ "HEAD", "/containers/x/archive", "copy files from" },
		{ "POST", "/containers/x/start", "start" },
		{ "POST", "/containers/x/restart", "start" },
		{ "POST", "/containers/x/stop", NULL },
		{ "GET", "/containers/x/json", NULL },
		{ "GET", "/containers/x/start", NULL },
		{ "DELETE", "/containers/x/archive", NULL },
	};
	const char	*op;
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		op = NULL;
		r = policy_existing_op(t[i].m, t[i].route, strlen(t[i].route),
		    &op);
		if (r != (t[i].op != NULL) || (r && strcmp(op, t[i].op) != 0))
			fail_msg("%s %s: %d %s", t[i].m, t[i].route, r,
			    op != NULL ? op : "-");
	}
}

static void
test_default_file(void **state)
{
	static const struct pcase t[] = {
		OK("default", "GET", "/_ping", NULL),
		OK("default", "HEAD", "/_ping", NULL),
		OK("default", "GET", "/version", NULL),
		OK("default", "GET", "/containers/json", NULL),
		OKC("default", J({"Image": "busybox", "Cmd": ["true"],
		    "HostConfig": {"Binds": ["/home/u/src:/src"]}})),
		OK("default", "POST", "/containers/x/start", NULL),
		OK("default", "POST", "/containers/x/stop", NULL),
		OK("default", "DELETE", "/containers/x?force=1", NULL),
		OK("default", "POST", "/containers/x/exec",
		    J({"Cmd": ["sh"]})),
		OK("default", "POST", "/exec/x/start", J({"Detach": false})),
		OK("default", "POST", "/images/create?fromImage=busybox",
		    NULL),
		OK("default", "DELETE", "/images/busybox", NULL),
		OK("default", "POST", "/build?t=x", NULL),
		OK("default", "POST", "/build/prune", NULL),
		OK("default", "POST", "/volumes/create", J({"Name": "v"})),
		OK("default", "DELETE", "/volumes/v", NULL),
		OK("default", "POST", "/networks/create", J({"Name": "n"})),
		OK("default", "GET", "/events?since=1", NULL),
		OK("default", "POST", "/auth", J({"serveraddress": ""})),
		OK("default", "POST", "/commit?container=x", J({})),
		OK("default", "GET", "/plugins", NULL),
		OK("default", "GET", "/services", NULL),
		NO("default", "POST", "/plugins/pull?remote=x", NULL,
		    "no-plugins", "POST /plugins/pull is denied"),
		NO("default", "DELETE", "/plugins/x", NULL, "no-plugins",
		    NULL),
		NO("default", "POST", "/plugins/x/enable", NULL, "no-plugins",
		    NULL),
		NO("default", "POST", "/swarm/init", J({}), "no-swarm", NULL),
		NO("default", "POST", "/swarm/leave", NULL, "no-swarm", NULL),
		NO("default", "POST", "/nodes/x/update", J({}),
		    "no-swarm-nodes", NULL),
		NO("default", "DELETE", "/nodes/x", NULL, "no-swarm-nodes",
		    NULL),
		NO("default", "POST", "/secrets/create", J({}),
		    "no-swarm-secrets", NULL),
		NO("default", "POST", "/configs/create", J({}),
		    "no-swarm-configs", NULL),
		NO("default", "POST", "/services/x/update", J({}),
		    "no-services", NULL),
		OK("default", "PUT", "/containers/x/archive?path=/", NULL),
		/* dockerd reads /containers/{name:.*}/attach: a link alias
		 * ("/parent/alias") is a container sockguard cannot look up. */
		BAD("default", "POST", "/containers/legacy/db/attach?stdin=1",
		    NULL, "request", "a link alias"),
		BAD("default", "DELETE", "/containers/a/b", NULL, "request",
		    NULL),
		BAD("default", "GET", "/containers/a/b/c/json", NULL, "request",
		    NULL),
		OK("default", "GET", "/containers/x/attach/ws?stream=1", NULL),
		OK("default", "DELETE", "/containers/x", NULL),
		NO("default", "PATCH", "/containers/x", NULL, "endpoints",
		    NULL),
		NO("default", "POST", "/distribution/x/json", NULL,
		    "endpoints", NULL),
		NOC("default", J({"Image": "x", "HostConfig":
		    {"Privileged": true}}), "containers.privileged", NULL),
		NOC("default", J({"HostConfig": {"Binds":
		    ["/var/run/docker.sock:/var/run/docker.sock"]}}),
		    "containers.bind_mounts", NULL),
		NO("default", "POST", "/containers/x/exec",
		    J({"Privileged": true}), "exec.privileged", NULL),
		/* Log drivers that make dockerd connect out are not listed. */
		OKC("default", J({"Image": "x", "HostConfig": {"LogConfig":
		    {"Type": "json-file", "Config": {"max-size": "1m"}}}})),
		OKC("default", J({"Image": "x", "HostConfig": {"LogConfig":
		    {"Type": "", "Config": {}}}})),
		NOC("default", J({"Image": "x", "HostConfig": {"LogConfig":
		    {"Type": "syslog", "Config": {"syslog-address":
		    "unix:///run/x.sock"}}}}), "containers.log_drivers",
		    "log driver syslog is not in log_drivers"),
		NOC("default", J({"Image": "x", "HostConfig": {"logconfig":
		    {"type": "gelf"}}}), "containers.log_drivers", NULL),
	};

	if (find_profile("default") == NULL)
		fail_msg("rules/default.yaml: %s", load_err[0]);
	RUN(t);
}

/* rules/ci.yaml: bind mounts only under the workspace. */
static void
test_ci_file(void **state)
{
#define B(s)	"{\"Image\":\"busybox\",\"HostConfig\":{\"Binds\":[\"" s "\"]}}"
	static const struct pcase t[] = {
		OKC("ci", B("/srv/ci/workspace:/w")),
		OKC("ci", B("/srv/ci/workspace/job-1:/w")),
		OKC("ci", B("/srv/ci/workspace/job-1/../job-2:/w:ro")),
		OKC("ci", B("cache:/cache")),
		NOC("ci", B("/srv/ci:/w"), "containers.bind_mounts",
		    "bind mount of /srv/ci is outside bind_mounts.allow"),
		NOC("ci", B("/srv/ci/workspacex:/w"), "containers.bind_mounts",
		    "outside bind_mounts.allow"),
		NOC("ci", B("/srv/ci/workspace/../secret:/w"),
		    "containers.bind_mounts", "/srv/ci/secret is outside"),
		NOC("ci", B("/home/u:/w"), "containers.bind_mounts",
		    "outside bind_mounts.allow"),
		NOC("ci", B("/etc:/e"), "containers.bind_mounts",
		    "exposes /etc"),
		NOC("ci", B("/srv/ci/workspace/escape:/w"),
		    "containers.bind_mounts", "(resolved: /etc)"),
		NOC("ci", B("/srv/ci/workspace/escape/x:/w"),
		    "containers.bind_mounts", "exposes /etc"),
		OKC("ci", J({"Image": "busybox", "HostConfig": {"Mounts": [
		    {"Type": "bind", "Source": "/srv/ci/workspace/j",
		    "Target": "/w"}]}})),
		NOC("ci", J({"Image": "busybox", "HostConfig": {"Mounts": [
		    {"Type": "bind", "Source": "/tmp", "Target": "/w"}]}}),
		    "containers.bind_mounts", "outside"),
		OK("ci", "POST", "/volumes/create", J({"Name": "v",
		    "DriverOpts": {"type": "none", "o": "bind",
		    "device": "/srv/ci/workspace/v"}})),
		NO("ci", "POST", "/volumes/create", J({"Name": "v",
		    "DriverOpts": {"type": "none", "o": "bind",
		    "device": "/home"}}), "containers.bind_mounts", "outside"),
		NOC("ci", J({"Image": "busybox", "HostConfig":
		    {"Privileged": true}}), "containers.privileged", NULL),
		NOC("ci", J({"Image": "busybox", "HostConfig":
		    {"NetworkMode": "host"}}), "containers.host_namespaces",
		    NULL),
		NO("ci", "GET", "/plugins", NULL, "no-plugins", NULL),
		NO("ci", "GET", "/swarm", NULL, "no-swarm", NULL),
		NO("ci", "GET", "/secrets", NULL, "no-secrets", NULL),
		OK("ci", "GET", "/containers/json", NULL),
	};
#undef B

	if (find_profile("ci") == NULL)
		fail_msg("rules/ci.yaml: %s", load_err[1]);
	RUN(t);
}

/* mode: audit forwards policy denials (403) but never malformed input. */
static void
test_audit(void **state)
{
	static const struct pcase t[] = {
		AUD("audit", "POST", "/plugins/pull", NULL, "no-plugins",
		    "POST /plugins/pull is denied"),
		AUD("audit", "DELETE", "/containers/x", NULL, "endpoints",
		    "no rule allows DELETE /containers/x"),
		AUD("audit", CREATE, J({"HostConfig": {"Privileged": true}}),
		    "containers.privileged", NULL),
		AUD("audit", CREATE, J({"HostConfig": {"Binds": ["/:/h"]}}),
		    "containers.bind_mounts", "exposes /"),
		AUD("audit", CREATE, J({"HostConfig": {"CapAdd": ["ALL"]}}),
		    "containers.capabilities", NULL),
		AUD("audit", "POST", "/images/create?fromSrc=http://x", NULL,
		    "images.import", NULL),
		AUD("audit", "POST", "/build?networkmode=host", NULL,
		    "build.host_network", NULL),
		AUD("audit", "POST", "/containers/x/exec",
		    J({"Privileged": true}), "exec.privileged", NULL),
		OK("audit", "GET", "/containers/json", NULL),
		OKC("audit", J({"Image": "x"})),
		/* malformed input is refused even in audit mode */
		BAD("audit", CREATE, J({"HostConfig": {"Privileged": "yes"}}),
		    "body", "must be a boolean"),
		BAD("audit", CREATE, J({"Image": "x", "Privileged": true}),
		    "body", "at the top level"),
		BAD("audit", CREATE, J({"HostConfig": {"Binds":
		    ["/a:/b:ro:x"]}}), "body", "too many"),
		BAD("audit", "POST", "/images/create?fromImage=a&fromImage=b",
		    NULL, "query", NULL),
		BAD("audit", "POST", "/build?networkmode=host;x", NULL, "query",
		    NULL),
	};

	RUN(t);
}

/* Offending field and value, for the audit log. */
static void
test_field_value(void **state)
{
	static const struct {
		const char	*body, *field, *value;
	} t[] = {
		{ J({"HostConfig": {"Privileged": true}}),
		    "HostConfig.Privileged", "true" },
		{ J({"HostConfig": {"Binds": ["/ok/path:/x", "/etc:/e"]}}),
		    "HostConfig.Binds[1]", "/etc" },
		{ J({"HostConfig": {"CapAdd": ["NET_RAW"]}}),
		    "HostConfig.CapAdd[0]", "NET_RAW" },
		{ J({"HostConfig": {"NetworkMode": "host"}}),
		    "HostConfig.NetworkMode", "host" },
		{ J({"HostConfig": {"SecurityOpt": ["apparmor=unconfined"]}}),
		    "HostConfig.SecurityOpt[0]", "apparmor=unconfined" },
		{ J({"HostConfig": {"Mounts": [{"Type": "bind",
		    "Source": "/etc", "Target": "/e"}]}}),
		    "HostConfig.Mounts[0]", "/etc" },
	};
	struct decision	 d;
	json_t		*body;
	char		 why[512];
	size_t		 i, nfail = 0;

	for (i = 0; i < nitems(t); i++) {
		if (decide("base", "POST", "/containers/create", t[i].body,
		    &d, &body, why, sizeof(why)) == NULL)
			fail_msg("%s", why);
		if (d.allow || strcmp(d.field, t[i].field) != 0 ||
		    strcmp(d.value, t[i].value) != 0) {
			print_error("field[%zu] %s: want %s=%s got allow=%d "
			    "%s=%s\n", i, t[i].body, t[i].field, t[i].value,
			    d.allow, d.field, d.value);
			nfail++;
		}
		json_decref(body);
	}
	if (nfail)
		fail_msg("%zu field cases failed", nfail);
}

/* A head denial is final: the body is not looked at, rule unchanged. */
static void
test_head_then_body(void **state)
{
	const struct profile	*p = find_profile("ep");
	struct policy_request	 r;
	struct decision		 d;
	json_t			*b;

	assert_non_null(p);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.route = "/containers/create";
	r.route_len = strlen(r.route);
	r.version = "";
	b = json_loads("{\"HostConfig\":{\"Privileged\":true}}", 0, NULL);
	r.body = b;
	r.body_present = 1;
	policy_init(&d, p);
	assert_int_equal(d.allow, 1);
	assert_int_equal(d.denied, 0);
	assert_string_equal(d.profile, "ep");
	policy_head(p, &test_ctx, &r, &d);
	assert_int_equal(d.allow, 0);
	assert_string_equal(d.rule, "endpoints");
	policy_body(p, &test_ctx, &r, &d);
	assert_int_equal(d.allow, 0);
	assert_int_equal(d.status, 403);
	assert_string_equal(d.rule, "endpoints");
	json_decref(b);
	/* a NULL profile is tolerated by policy_init */
	policy_init(&d, NULL);
	assert_string_equal(d.profile, "");
}

/* The stub resolver itself, so the tables above mean what they say. */
static void
test_stub(void **state)
{
	char	out[64];

	assert_int_equal(stub_resolve("/tmp/link-to-root", out, sizeof(out)),
	    0);
	assert_string_equal(out, "/");
	assert_int_equal(stub_resolve("/tmp/link-to-root/etc", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "/etc");
	assert_int_equal(stub_resolve("/data/link/y", out, sizeof(out)), 0);
	assert_string_equal(out, "/etc/x/y");
	assert_int_equal(stub_resolve("/data/linkx", out, sizeof(out)), 0);
	assert_string_equal(out, "/data/linkx");
	errno = 0;
	assert_int_equal(stub_resolve("/eacces/x", out, sizeof(out)), -1);
	assert_int_equal(errno, EACCES);
}

/*
 * Every HostConfig field, in every case, is refused at the top level of
 * a create body (the table behind it is searched with bsearch(3): an
 * entry out of order would let one through).
 */
static void
test_toplevel_hostconfig_every_field(void **state)
{
	static const char *names[] = {
		"Annotations", "AutoRemove", "Binds", "BlkioDeviceReadBps",
		"BlkioDeviceReadIOps", "BlkioDeviceWriteBps",
		"BlkioDeviceWriteIOps", "BlkioWeight", "BlkioWeightDevice",
		"CapAdd", "CapDrop", "Capabilities", "Cgroup", "CgroupParent",
		"CgroupnsMode", "ConsoleSize", "ContainerIDFile", "CpuCount",
		"CpuPercent", "CpuPeriod", "CpuQuota", "CpuRealtimePeriod",
		"CpuRealtimeRuntime", "CpuShares", "CpusetCpus", "CpusetMems",
		"DeviceCgroupRules", "DeviceRequests", "Devices", "Dns",
		"DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd",
		"IOMaximumBandwidth", "IOMaximumIOps", "Init", "IpcMode",
		"Isolation", "KernelMemory", "KernelMemoryTCP", "Links",
		"LogConfig", "MaskedPaths", "Memory", "MemoryReservation",
		"MemorySwap", "MemorySwappiness", "Mounts", "NanoCpus",
		"NetworkMode", "OomKillDisable", "OomScoreAdj", "PidMode",
		"PidsLimit", "PortBindings", "Privileged", "PublishAllPorts",
		"ReadonlyPaths", "ReadonlyRootfs", "Resources",
		"RestartPolicy", "Runtime", "SecurityOpt", "ShmSize",
		"StorageOpt", "Sysctls", "Tmpfs", "UTSMode", "Ulimits",
		"UsernsMode", "VolumeDriver", "VolumesFrom",
	};
	struct decision	 d;
	json_t		*b;
	char		 body[128], why[256];
	size_t		 i, k;

	assert_int_equal(sizeof(names) / sizeof(names[0]), 73);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		for (k = 0; k < 2; k++) {
			char	name[64];
			size_t	j;

			snprintf(name, sizeof(name), "%s", names[i]);
			for (j = 0; k == 1 && name[j] != '\0'; j++)
				name[j] = (char)tolower((unsigned char)name[j]);
			snprintf(body, sizeof(body), "{\"Image\":\"x\","
			    "\"%s\":null}", name);
			if (decide("base", "POST", "/containers/create", body,
			    &d, &b, why, sizeof(why)) == NULL)
				fail_msg("%s", why);
			json_decref(b);
			if (d.allow || d.status != 400)
				fail_msg("top-level %s was not refused", name);
		}
	}
}

static int
setup(void **state)
{
	char	err[1024];

	if (rules_parse("inline.yaml", (const unsigned char *)inline_rules,
	    strlen(inline_rules), &rs_inline, err, sizeof(err)) == -1) {
		print_error("inline rules: %s\n", err);
		return -1;
	}
	if (rules_load("rules/default.yaml", &rs_default, load_err[0],
	    sizeof(load_err[0])) == -1)
		rs_default = NULL;
	if (rules_load("rules/ci.yaml", &rs_ci, load_err[1],
	    sizeof(load_err[1])) == -1)
		rs_ci = NULL;
	if (rules_load("rules/readonly.yaml", &rs_readonly, load_err[2],
	    sizeof(load_err[2])) == -1)
		rs_readonly = NULL;
	return 0;
}

static int
teardown(void **state)
{
	rules_free(rs_inline);
	rules_free(rs_default);
	rules_free(rs_ci);
	rules_free(rs_readonly);
	return 0;
}

/* joins: checked (the default): the create passes, the proxy checks. */
static void
test_joins_checked(void **state)
{
	static const struct pcase t[] = {
		OKC("joins", J({"HostConfig": {"NetworkMode": "container:db"}})),
		OKC("joins", J({"HostConfig": {"PidMode": "container:db"}})),
		OKC("joins", J({"HostConfig": {"VolumesFrom": ["db:ro"]}})),
		OKC("joins", J({"HostConfig": {"Links": ["/db:alias"]}})),
		/* dockerd joins only the lower-case spelling */
		NOC("joins", J({"HostConfig": {"NetworkMode": "Container:db"}}),
		    "containers.joins", "lower-case spelling"),
		NOC("joins", J({"HostConfig": {"IpcMode": "CONTAINER:db"}}),
		    "containers.joins", "lower-case spelling"),
		/* the rest of the checks still apply */
		NOC("joins", J({"HostConfig": {"NetworkMode": "container:db",
		    "Privileged": true}}), "containers.privileged", NULL),
		/* each join is a question to dockerd: 16 at most */
		OKC("joins", J({"HostConfig": {"VolumesFrom": ["a", "b", "c",
		    "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
		    "p"]}})),
		NOC("joins", J({"HostConfig": {"NetworkMode": "container:db",
		    "VolumesFrom": ["a", "b", "c", "d", "e", "f", "g", "h",
		    "i", "j", "k", "l", "m", "n", "o", "p"]}}),
		    "containers.joins", "joins 17 containers; at most 16"),
	};

	RUN(t);
}

/* The joins the proxy looks up, and their rewriting to full ids. */
static void
test_join_targets(void **state)
{
	struct policy_join	 pj[8];
	json_t			*b;
	char			 err[128], *out;
	size_t			 n, i;

	b = json_loads("{\"Image\":\"x\",\"hostconfig\":{"
	    "\"networkmode\":\"container:web\",\"PidMode\":\"host\","
	    "\"IpcMode\":\"container:\",\"VolumesFrom\":[\"data:ro\","
	    "\"logs\",\"\",7],\"Links\":[\"/db:database\",\"cache\"]}}",
	    0, NULL);
	assert_non_null(b);
	assert_int_equal(policy_joins(b, NULL, 0), 5);
	assert_int_equal(policy_joins(b, pj, 2), 5);	/* only 2 filled */
	n = policy_joins(b, pj, 8);
	assert_int_equal(n, 5);
	assert_string_equal(pj[0].name, "web");
	assert_int_equal(pj[0].kind, PJ_MODE);
	assert_string_equal(pj[1].name, "data");
	assert_string_equal(pj[2].name, "logs");
	assert_int_equal(pj[2].kind, PJ_VOLUMES);
	assert_string_equal(pj[3].name, "db");
	assert_string_equal(pj[4].name, "cache");
	assert_int_equal(pj[4].kind, PJ_LINK);
	for (i = 0; i < n; i++)
		assert_int_equal(policy_join_rewrite(&pj[i], HEX64), 0);
	out = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(out);
	assert_string_equal(out, "{\"Image\":\"x\",\"hostconfig\":{"
	    "\"IpcMode\":\"container:\",\"Links\":[\"" HEX64 ":database\","
	    "\"" HEX64 ":cache\"],\"PidMode\":\"host\",\"VolumesFrom\":[\""
	    HEX64 ":ro\",\"" HEX64 "\",\"\",7],\"networkmode\":\"container:"
	    HEX64 "\"}}");
	free(out);
	json_decref(b);
	(void)err;
	b = json_loads("{\"HostConfig\":[]}", 0, NULL);
	assert_int_equal(policy_joins(b, pj, 8), 0);
	json_decref(b);
}

/* Which requests the daemon looks joins up for; the id it forwards. */
static void
test_create_joins_and_ids(void **state)
{
	struct policy_request	 r;
	json_t			*b, *in;

	b = json_loads("{\"HostConfig\":{\"NetworkMode\":\"container:a\","
	    "\"Links\":[\"b\"]}}", 0, NULL);
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.route = "/containers/create";
	r.route_len = strlen(r.route);
	r.body = b;
	assert_int_equal(policy_create_joins(find_profile("joins"), &r), 2);
	assert_int_equal(policy_create_joins(find_profile("base"), &r), 0);
	r.route = "/containers/x/update";
	r.route_len = strlen(r.route);
	assert_int_equal(policy_create_joins(find_profile("joins"), &r), 0);
	json_decref(b);
	in = json_loads("{\"Id\":\"" HEX64 "\"}", 0, NULL);
	assert_string_equal(policy_inspect_id(in), HEX64);
	json_decref(in);
	in = json_loads("{\"Id\":\"ABC\"}", 0, NULL);
	assert_null(policy_inspect_id(in));
	json_decref(in);
	assert_null(policy_inspect_id(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stub),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_toplevel_hostconfig_every_field),
		cmocka_unit_test(test_pattern_match),
		cmocka_unit_test(test_folding),
		cmocka_unit_test(test_toplevel_hostconfig),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_endpoints_config),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_security),
		cmocka_unit_test(test_misc),
		cmocka_unit_test(test_joins_checked),
		cmocka_unit_test(test_join_targets),
		cmocka_unit_test(test_create_joins_and_ids),
		cmocka_unit_test(test_binds),
		cmocka_unit_test(test_own_sockets),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_volumes_create),
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_require),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_update_exec_start),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_image_registry),
		cmocka_unit_test(test_readonly_file),
		cmocka_unit_test(test_existing_ops),
		cmocka_unit_test(test_default_file),
		cmocka_unit_test(test_ci_file),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_field_value),
		cmocka_unit_test(test_head_then_body),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
