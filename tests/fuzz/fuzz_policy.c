/*
 * libFuzzer target for body decisions (policy.c).  The first byte picks a
 * route, the rest is a JSON body; a body json_body_parse() accepts goes
 * to policy_body() under three profiles parsed once: strict (require:,
 * registries, bind_mounts.allow), default-like, and permissive.  Bind
 * sources go to a pure stub resolver.  Aborts when:
 *  - a decision string is not NUL-terminated, or a denial has no rule,
 *    reason or 400/403/500 status, or an enforce profile's allow and
 *    denied disagree;
 *  - the default profile lets through what a reference reading of the
 *    tree says it must not: HostConfig.Privileged true, a top-level
 *    HostConfig field, CapAdd entries, NetworkMode "host", Devices, a
 *    bind of / or /etc (Binds or Mounts), seccomp=unconfined, a
 *    privileged exec, a start with a body;
 *  - a looser profile denies what a stricter one allows;
 *  - the policy changed a body without saying rewritten, or rewrote it
 *    into one json_body_parse() refuses (dockerd would read it
 *    ambiguously).  FUZZ_POLICY_NO_REWRITE_CHECK=1 in the environment
 *    turns the last check off, to look past a known failure;
 *  - the resolver is handed a path that is not clean.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"
#include "policy.h"
#include "rules.h"

#define FUZZ_MAX_INPUT	(64 * 1024)
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char rules_text[] =
    "version: 1\n"
    "default_profile: default\n"
    "profiles:\n"
    "  strict:\n"
    "    endpoints: [{allow: \"* /**\"}]\n"
    "    containers:\n"
    "      bind_mounts: {allow: [/ok, /srv]}\n"
    "      require: {non_root_user: true, read_only_rootfs: true,\n"
    "          no_new_privileges: true, memory_limit: true,\n"
    "          pids_limit: true}\n"
    "    images: {registries: [docker.io]}\n"
    "  default:\n"
    "    endpoints: [{allow: \"* /**\"}]\n"
    "  permissive:\n"
    "    endpoints: [{allow: \"* /**\"}]\n"
    "    containers:\n"
    "      privileged: true\n"
    "      capabilities: {allow_add: [ALL]}\n"
    "      host_namespaces: true\n"
    "      devices: true\n"
    "      unconfined: true\n"
    "      bind_mounts: {deny: [], propagation: true}\n"
    "      sysctls: {allow: [\"*\"]}\n"
    "      runtimes: [runc, runsc, kata]\n"
    "      volume_drivers: true\n"
    "      cgroup_parent: true\n"
    "      joins: true\n"
    "    build: {buildkit: true, host_network: true}\n"
    "    exec: {privileged: true}\n";

/* Routes the first byte picks from. */
static const char *const routes[] = {
	"/containers/create",
	"/containers/abc/exec",
	"/containers/abc/update",
	"/volumes/create",
	"/services/create",
	"/auth",
	"/containers/abc/start",
};
enum { R_CREATE, R_EXEC, R_UPDATE, R_VOLUME, R_SERVICE, R_AUTH, R_START };

static const char *const own[] = { "/srv/sg/api.sock" };

static struct ruleset		*rs;
static const struct profile	*prof[3];	/* strict, default, permissive */
static int			 no_rewrite_check;

/* True if p is absolute and lexically clean. */
static int
is_clean(const char *p)
{
	char	buf[4096];

	if (strlen(p) >= sizeof(buf) ||
	    rules_path_clean(p, buf, sizeof(buf)) == -1)
		return 0;
	return strcmp(p, buf) == 0;
}

/*
 * The stub resolver: "/l" (and below) is a link to "/ok", "/r" to "/",
 * "/e" is unreadable, the rest resolves to itself.  Pure.
 */
static int
stub_resolve(const char *path, char *out, size_t outlen)
{
	const char	*to = NULL, *tail = "";
	int		 n;

	if (!is_clean(path))
		abort();
	if (strncmp(path, "/e", 2) == 0 && (path[2] == '\0' || path[2] == '/')) {
		errno = EACCES;
		return -1;
	}
	if (strncmp(path, "/l", 2) == 0 && (path[2] == '\0' || path[2] == '/')) {
		to = "/ok";
		tail = path + 2;
	} else if (strncmp(path, "/r", 2) == 0 &&
	    (path[2] == '\0' || path[2] == '/')) {
		to = path[2] == '\0' ? "/" : "";
		tail = path + 2;
	}
	n = to ? snprintf(out, outlen, "%s%s", to, tail) :
	    snprintf(out, outlen, "%s", path);
	if (n < 0 || (size_t)n >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static const struct policy_ctx ctx = { own, nitems(own), stub_resolve };

/* Parses the profiles once. */
static void
init(void)
{
	static const char *names[] = { "strict", "default", "permissive" };
	char	err[1024];
	size_t	i, j;

	if (rs != NULL)
		return;
	if (rules_parse("fuzz.yaml", (const unsigned char *)rules_text,
	    strlen(rules_text), &rs, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_policy: %s\n", err);
		abort();
	}
	for (i = 0; i < nitems(names); i++) {
		for (j = 0; j < rs->nprofiles; j++)
			if (strcmp(rs->profiles[j].name, names[i]) == 0)
				prof[i] = &rs->profiles[j];
		if (prof[i] == NULL)
			abort();
	}
	no_rewrite_check = getenv("FUZZ_POLICY_NO_REWRITE_CHECK") != NULL;
}

/* True if a host path, cleaned, is / or /etc or below /etc. */
static int
exposes_etc(const char *src)
{
	char	buf[4096];

	if (strlen(src) >= sizeof(buf) ||
	    rules_path_clean(src, buf, sizeof(buf)) == -1)
		return 0;
	return strcmp(buf, "/") == 0 || strcmp(buf, "/etc") == 0 ||
	    strncmp(buf, "/etc/", 5) == 0;
}

/* True if a string field of obj equals s exactly. */
static int
field_is(const json_t *obj, const char *name, const char *s)
{
	json_t	*v = json_field(obj, name);

	return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

/* True if a field of obj is a non-empty array. */
static int
nonempty_array(const json_t *obj, const char *name)
{
	json_t	*v = json_field(obj, name);

	return json_is_array(v) && json_array_size(v) > 0;
}

/*
 * The reference reading: 1 if the default profile must not allow body on
 * route r.  Written from the tree, independently of policy.c's walk.
 */
static int
must_deny(int r, json_t *body)
{
	static const char *top[] = { "Privileged", "Binds", "CapAdd",
	    "NetworkMode", "Devices", "SecurityOpt", "Mounts", "PidMode" };
	json_t		*hc, *a, *v, *src;
	const char	*s, *colon;
	char		*host;
	size_t		 i;
	int		 bad;

	if (r == R_START)
		return json_is_object(body) ? json_object_size(body) > 0 :
		    !json_is_null(body);
	if (r == R_EXEC)
		return json_is_true(json_field(body, "Privileged"));
	if (r != R_CREATE)
		return 0;
	for (i = 0; i < nitems(top); i++)
		if (json_field(body, top[i]) != NULL)
			return 1;
	hc = json_field(body, "HostConfig");
	if (!json_is_object(hc))
		return 0;
	if (json_is_true(json_field(hc, "Privileged")) ||
	    nonempty_array(hc, "Devices") ||
	    field_is(hc, "NetworkMode", "host") ||
	    field_is(hc, "PidMode", "host"))
		return 1;
	a = json_field(hc, "CapAdd");
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			return 1;
	a = json_field(hc, "SecurityOpt");
	json_array_foreach(a, i, v)
		if (json_is_string(v) &&
		    strcmp(json_string_value(v), "seccomp=unconfined") == 0)
			return 1;
	a = json_field(hc, "Binds");
	json_array_foreach(a, i, v) {
		if (!json_is_string(v))
			continue;
		s = json_string_value(v);
		if (s[0] != '/' || (colon = strchr(s, ':')) == NULL)
			continue;
		if ((host = strndup(s, (size_t)(colon - s))) == NULL)
			abort();
		bad = exposes_etc(host);
		free(host);
		if (bad)
			return 1;
	}
	a = json_field(hc, "Mounts");
	json_array_foreach(a, i, v) {
		if (!field_is(v, "Type", "bind"))
			continue;
		src = json_field(v, "Source");
		if (json_is_string(src) && exposes_etc(json_string_value(src)))
			return 1;
	}
	return 0;
}

/* Aborts unless d is a well-formed decision. */
static void
check_decision(const struct profile *p, const struct decision *d)
{
	if (memchr(d->rule, '\0', sizeof(d->rule)) == NULL ||
	    memchr(d->reason, '\0', sizeof(d->reason)) == NULL ||
	    memchr(d->field, '\0', sizeof(d->field)) == NULL ||
	    memchr(d->value, '\0', sizeof(d->value)) == NULL)
		abort();
	if (d->allow == d->denied)
		abort();	/* no profile here audits */
	if (d->audit_only)
		abort();
	if (d->denied && (d->rule[0] == '\0' || d->reason[0] == '\0' ||
	    (d->status != 400 && d->status != 403 && d->status != 500)))
		abort();
	if (!d->denied && d->status != 200)
		abort();
	if (d->profile == NULL || strcmp(d->profile, p->name) != 0)
		abort();
}

/* Decides body (a copy) under p; checks what can be checked alone. */
static int
decide(const struct profile *p, int r, const json_t *root)
{
	struct policy_request	 req;
	struct decision		 d;
	json_t			*body, *again;
	char			*text, why[256];

	if ((body = json_deep_copy(root)) == NULL)
		abort();
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.route = routes[r];
	req.route_len = strlen(routes[r]);
	req.version = "1.45";
	req.body = body;
	req.body_present = 1;
	memset(&d, 0xa5, sizeof(d));
	policy_init(&d, p);
	policy_body(p, &ctx, &req, &d);
	check_decision(p, &d);
	if (!d.rewritten && !json_equal(body, root))
		abort();	/* changed without saying so */
	if (d.rewritten && d.allow && !no_rewrite_check) {
		if ((text = json_dumps(body, JSON_COMPACT)) == NULL)
			abort();
		again = json_body_parse(text, strlen(text), 1, why,
		    sizeof(why));
		if (again == NULL) {
			fprintf(stderr, "fuzz_policy: rewritten body refused: "
			    "%s\n%s\n", why, text);
			abort();
		}
		json_decref(again);
		free(text);
	}
	json_decref(body);
	return d.allow;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t	*root;
	char	 why[256];
	int	 r, a_strict, a_default, a_perm;

	if (size < 2 || size > FUZZ_MAX_INPUT)
		return 0;
	init();
	r = data[0] % nitems(routes);
	root = json_body_parse((const char *)data + 1, size - 1,
	    r != R_START, why, sizeof(why));
	if (root == NULL)
		return 0;
	a_strict = decide(prof[0], r, root);
	a_default = decide(prof[1], r, root);
	a_perm = decide(prof[2], r, root);
	if (a_default && must_deny(r, root)) {
		char *t = json_dumps(root, JSON_COMPACT);

		fprintf(stderr, "fuzz_policy: default allowed %s %s\n",
		    routes[r], t ? t : "?");
		abort();
	}
	if ((a_strict && !a_default) || (a_default && !a_perm)) {
		fprintf(stderr, "fuzz_policy: not monotonic: strict %d "
		    "default %d permissive %d\n", a_strict, a_default, a_perm);
		abort();
	}
	json_decref(root);
	return 0;
}
