/*
 * Unit tests for the rules loader (rules.c): a full file, the shipped
 * style minimal file, the safe defaults, every refusal with its
 * "NAME:LINE:COL:" position, the path and capability normalisers, and
 * which profile an identity gets.  Most tests are tables.
 */
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "identity.h"
#include "rules.h"

#define NAME		"r.yaml"

/* Lines 1-2 of most inputs. */
#define HEAD		"version: 1\ndefault_profile: p\n"
/* Lines 1-4: the head and an empty profile p, which lines 5- fill. */
#define PROF		HEAD "profiles:\n  p:\n"
/* Lines 1-3: the smallest valid file. */
#define MIN		HEAD "profiles: {p: {}}\n"

/* A buffer that may hold NUL bytes, for the tables. */
#define BUF(s)		s, sizeof(s) - 1

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

#define FPR		"0123456789abcdef0123456789abcdef" \
			"0123456789abcdef0123456789abcdef"

/* An input that must be refused: where the message points, what it says. */
struct bad {
	const char	*yaml;
	size_t		 len;		/* 0: strlen(yaml) */
	const char	*where;		/* "LINE:COL"; NULL: no position */
	const char	*msg;		/* a part of the message */
};

/* Parses len bytes (strlen(text) if 0) as file NAME. */
static int
parse(const char *text, size_t len, struct ruleset **rs, char *err,
    size_t errlen)
{
	if (len == 0)
		len = strlen(text);
	return rules_parse(NAME, (const unsigned char *)text, len, rs, err,
	    errlen);
}

/* Asserts that text is accepted and returns its ruleset. */
static struct ruleset *
parse_ok(const char *text)
{
	struct ruleset	*rs;
	char		 err[1024] = "";

	if (parse(text, 0, &rs, err, sizeof(err)) != 0)
		fail_msg("refused: %s\n--- input:\n%s---", err, text);
	assert_non_null(rs);
	return rs;
}

/* Checks that b is refused as it says; else writes why and returns -1. */
static int
check_bad(const struct bad *b, char *why, size_t whylen)
{
	struct ruleset	*rs = (struct ruleset *)&rs;
	char		 err[1024] = "", prefix[64];

	if (parse(b->yaml, b->len, &rs, err, sizeof(err)) != -1) {
		rules_free(rs);
		snprintf(why, whylen, "accepted");
		return -1;
	}
	if (rs != NULL) {
		snprintf(why, whylen, "*out is not NULL on failure");
		return -1;
	}
	if (b->where != NULL)
		snprintf(prefix, sizeof(prefix), "%s:%s: ", NAME, b->where);
	else
		snprintf(prefix, sizeof(prefix), "%s: ", NAME);
	if (strncmp(err, prefix, strlen(prefix)) != 0 ||
	    strstr(err, b->msg) == NULL) {
		snprintf(why, whylen, "want \"%s...%s...\"\n got \"%s\"",
		    prefix, b->msg, err);
		return -1;
	}
	return 0;
}

/* Runs a table of refused inputs. */
static void
run_bad(const struct bad *t, size_t n)
{
	char	why[2048];
	size_t	i, nfail = 0;

	for (i = 0; i < n; i++) {
		if (check_bad(&t[i], why, sizeof(why)) == -1) {
			print_error("case %zu: %s\n--- input:\n%s---\n", i, why,
			    t[i].yaml);
			nfail++;
		}
	}
	if (nfail != 0)
		fail_msg("%zu of %zu cases failed", nfail, n);
}

/* Returns the profile called name. */
static const struct profile *
profile(const struct ruleset *rs, const char *name)
{
	size_t	i;

	for (i = 0; i < rs->nprofiles; i++) {
		if (strcmp(rs->profiles[i].name, name) == 0)
			return &rs->profiles[i];
	}
	fail_msg("no profile %s", name);
	return NULL;
}

/* Asserts that sl holds exactly the NULL-terminated list want. */
static void
assert_strlist(const struct strlist *sl, const char *const *want)
{
	size_t	i;

	for (i = 0; want[i] != NULL; i++) {
		if (i >= sl->n)
			fail_msg("list has %zu items, want more (%s)", sl->n,
			    want[i]);
		assert_string_equal(sl->v[i], want[i]);
	}
	assert_int_equal(sl->n, i);
}

/* Asserts a profile has every safe default outside its endpoints. */
static void
assert_defaults(const struct profile *pf)
{
	static const char *const runc[] = { "runc", NULL };
	static const char *const none[] = { NULL };
	const struct container_policy *cp = &pf->containers;

	assert_int_equal(pf->audit_mode, 0);
	assert_int_equal(cp->privileged, 0);
	assert_strlist(&cp->cap_add, none);
	assert_int_equal(cp->host_namespaces, 0);
	assert_int_equal(cp->devices, 0);
	assert_int_equal(cp->unconfined, 0);
	assert_strlist(&cp->bind_deny, rules_default_bind_deny);
	assert_strlist(&cp->bind_allow, none);
	assert_int_equal(cp->bind_propagation, 0);
	assert_int_equal(cp->resolve_symlinks, 1);
	assert_strlist(&cp->sysctls, none);
	assert_strlist(&cp->runtimes, runc);
	assert_int_equal(cp->volume_drivers, 0);
	assert_int_equal(cp->cgroup_parent, 0);
	assert_int_equal(cp->joins, 1);		/* checked */
	assert_int_equal(cp->req_non_root_user, 0);
	assert_int_equal(cp->req_read_only_rootfs, 0);
	assert_int_equal(cp->req_no_new_privileges, 0);
	assert_int_equal(cp->req_memory_limit, 0);
	assert_int_equal(cp->req_pids_limit, 0);
	assert_strlist(&pf->registries, none);
	assert_int_equal(pf->buildkit, 0);
	assert_int_equal(pf->build_host_network, 0);
	assert_int_equal(pf->exec_privileged, 0);
}

/* Asserts endpoint rule e. */
static void
assert_endpoint(const struct endpoint_rule *e, const char *name, int allow,
    unsigned methods, const char *pattern, size_t line)
{
	assert_string_equal(e->name, name);
	assert_int_equal(e->allow, allow);
	assert_int_equal(e->methods, methods);
	assert_string_equal(e->pattern, pattern);
	assert_int_equal(e->line, line);
}

/* Every key, with values other than the defaults. */
static const char full[] =
    "# every key\n"					/* 1 */
    "version: 1\n"
    "default_profile: default\n"
    "identities:\n"
    "  - match:\n"					/* 5 */
    "      cert_cn: \"ci-runner-*\"\n"
    "      cert_san: \"*.ci.example.com\"\n"
    "      cert_fingerprint: \"01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:"
    "cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef\"\n"
    "      cert_issuer: \"CN=CI CA,O=Example\"\n"
    "      cert_subject: \"CN=ci-runner-*\"\n"		/* 10 */
    "      listener: ci\n"
    "    profile: ci\n"
    "  - match: {uid: 1000, gid: root}\n"
    "    profile: default\n"
    "  - profile: ci\n"				/* 15 */
    "    match:\n"
    "      uid: root\n"
    "      gid: 0\n"
    "profiles:\n"
    "  default:\n"					/* 20 */
    "    mode: enforce\n"
    "    endpoints:\n"
    "      - allow: \"GET,HEAD /**\"\n"
    "        name: read-only\n"
    "      - deny: \"* /plugins/**\"\n"		/* 25 */
    "  ci:\n"
    "    mode: audit\n"
    "    endpoints:\n"
    "      - name: inspect\n"
    "        allow: \"get, Head  /containers/*/json\"\n"	/* 30 */
    "      - allow: post,PUT,delete,OPTIONS,patch /build\n"
    "      - deny: \"* /\"\n"
    "    containers:\n"
    "      privileged: true\n"
    "      capabilities: {allow_add: [cap_net_admin, SYS_PTRACE, all]}\n"
    "      host_namespaces: true\n"
    "      devices: true\n"
    "      unconfined: true\n"
    "      bind_mounts:\n"
    "        deny: [\"/etc/\", \"/var//lib/docker/.\", /a/b/../../c]\n"
    "        allow: [/home/ci, /srv/../tmp]\n"
    "        propagation: true\n"
    "        resolve_symlinks: false\n"
    "      sysctls: {allow: [\"net.ipv4.*\", kernel.shm_rmid_forced]}\n"
    "      runtimes: [runc, runsc]\n"
    "      volume_drivers: true\n"
    "      cgroup_parent: true\n"
    "      joins: true\n"
    "      require: {non_root_user: true, read_only_rootfs: true,\n"
    "          no_new_privileges: true, memory_limit: true,\n"
    "          pids_limit: true}\n"
    "    images:\n"
    "      registries: [Docker.IO, index.docker.io, registry-1.docker.io,\n"
    "          \"registry.example.com:5000\", \"localhost:5000\",\n"
    "          \"[::1]:5000\", index.docker.io:443]\n"
    "    build:\n"
    "      buildkit: true\n"
    "      host_network: true\n"
    "    exec:\n"
    "      privileged: true\n";

/* The full example: every key lands where it should. */
static void
test_full(void **state)
{
	static const char *const caps[] = { "NET_ADMIN", "SYS_PTRACE", "ALL",
	    NULL };
	static const char *const deny[] = { "/etc", "/var/lib/docker", "/c",
	    NULL };
	static const char *const allow[] = { "/home/ci", "/tmp", NULL };
	static const char *const sysctls[] = { "net.ipv4.*",
	    "kernel.shm_rmid_forced", NULL };
	static const char *const runtimes[] = { "runc", "runsc", NULL };
	static const char *const regs[] = { "docker.io", "docker.io",
	    "docker.io", "registry.example.com:5000", "localhost:5000",
	    "[::1]:5000", "index.docker.io:443", NULL };
	struct ruleset			*rs;
	const struct profile		*def, *ci;
	const struct identity_rule	*ir;
	const struct container_policy	*cp;

	rs = parse_ok(full);
	assert_string_equal(rs->file, NAME);
	assert_int_equal(rs->nprofiles, 2);
	def = profile(rs, "default");
	ci = profile(rs, "ci");
	assert_ptr_equal(rs->default_profile, def);

	assert_int_equal(rs->nidentities, 3);
	ir = &rs->identities[0];
	assert_string_equal(ir->cert_cn, "ci-runner-*");
	assert_string_equal(ir->cert_san, "*.ci.example.com");
	assert_string_equal(ir->cert_fingerprint, FPR);
	assert_string_equal(ir->cert_issuer, "CN=CI CA,O=Example");
	assert_string_equal(ir->cert_subject, "CN=ci-runner-*");
	assert_string_equal(ir->listener, "ci");
	assert_false(ir->has_uid);
	assert_false(ir->has_gid);
	assert_ptr_equal(ir->profile, ci);
	assert_int_equal(ir->line, 5);
	ir = &rs->identities[1];
	assert_null(ir->cert_cn);
	assert_null(ir->cert_san);
	assert_null(ir->cert_fingerprint);
	assert_null(ir->cert_issuer);
	assert_null(ir->cert_subject);
	assert_null(ir->listener);
	assert_true(ir->has_uid);
	assert_int_equal(ir->uid, 1000);
	assert_true(ir->has_gid);
	assert_int_equal(ir->gid, 0);
	assert_ptr_equal(ir->profile, def);
	assert_int_equal(ir->line, 13);
	ir = &rs->identities[2];
	assert_true(ir->has_uid);
	assert_int_equal(ir->uid, 0);
	assert_true(ir->has_gid);
	assert_int_equal(ir->gid, 0);
	assert_ptr_equal(ir->profile, ci);
	assert_int_equal(ir->line, 15);

	assert_string_equal(def->name, "default");
	assert_int_equal(def->nendpoints, 2);
	assert_endpoint(&def->endpoints[0], "read-only", 1,
	    RULE_M_GET | RULE_M_HEAD, "/**", 23);
	assert_endpoint(&def->endpoints[1], "endpoints[1]", 0, RULE_M_ALL,
	    "/plugins/**", 25);
	assert_defaults(def);

	assert_string_equal(ci->name, "ci");
	assert_int_equal(ci->audit_mode, 1);
	assert_int_equal(ci->nendpoints, 3);
	assert_endpoint(&ci->endpoints[0], "inspect", 1,
	    RULE_M_GET | RULE_M_HEAD, "/containers/*/json", 29);
	assert_endpoint(&ci->endpoints[1], "endpoints[1]", 1,
	    RULE_M_POST | RULE_M_PUT | RULE_M_DELETE | RULE_M_OPTIONS |
	    RULE_M_PATCH, "/build", 31);
	assert_endpoint(&ci->endpoints[2], "endpoints[2]", 0, RULE_M_ALL,
	    "/", 32);
	cp = &ci->containers;
	assert_int_equal(cp->privileged, 1);
	assert_strlist(&cp->cap_add, caps);
	assert_int_equal(cp->host_namespaces, 1);
	assert_int_equal(cp->devices, 1);
	assert_int_equal(cp->unconfined, 1);
	assert_strlist(&cp->bind_deny, deny);
	assert_strlist(&cp->bind_allow, allow);
	assert_int_equal(cp->bind_propagation, 1);
	assert_int_equal(cp->resolve_symlinks, 0);
	assert_strlist(&cp->sysctls, sysctls);
	assert_strlist(&cp->runtimes, runtimes);
	assert_int_equal(cp->volume_drivers, 1);
	assert_int_equal(cp->cgroup_parent, 1);
	assert_int_equal(cp->joins, 1);
	assert_int_equal(cp->req_non_root_user, 1);
	assert_int_equal(cp->req_read_only_rootfs, 1);
	assert_int_equal(cp->req_no_new_privileges, 1);
	assert_int_equal(cp->req_memory_limit, 1);
	assert_int_equal(cp->req_pids_limit, 1);
	assert_strlist(&ci->registries, regs);
	assert_int_equal(ci->buildkit, 1);
	assert_int_equal(ci->build_host_network, 1);
	assert_int_equal(ci->exec_privileged, 1);
	rules_free(rs);
}

/* A read-only ruleset in the style of the shipped ones. */
static void
test_minimal(void **state)
{
	static const char text[] =
	    "# Read-only access: list and inspect, nothing else.\n"
	    "version: 1\n"
	    "default_profile: read-only\n"
	    "profiles:\n"
	    "  read-only:\n"
	    "    endpoints:\n"
	    "      - allow: \"GET,HEAD /_ping\"\n"
	    "      - allow: \"GET /version\"\n"
	    "      - allow: \"GET /info\"\n"
	    "      - allow: \"GET /containers/json\"\n"
	    "      - allow: \"GET /containers/*/json\"\n"
	    "      - allow: \"GET /images/json\"\n"
	    "      - allow: \"GET /images/**\"\n"
	    "        name: image-inspect\n";
	struct ruleset		*rs;
	const struct profile	*pf;

	rs = parse_ok(text);
	assert_int_equal(rs->nidentities, 0);
	assert_null(rs->identities);
	assert_int_equal(rs->nprofiles, 1);
	pf = rs->default_profile;
	assert_ptr_equal(pf, &rs->profiles[0]);
	assert_string_equal(pf->name, "read-only");
	assert_int_equal(pf->nendpoints, 7);
	assert_endpoint(&pf->endpoints[0], "endpoints[0]", 1,
	    RULE_M_GET | RULE_M_HEAD, "/_ping", 7);
	assert_endpoint(&pf->endpoints[4], "endpoints[4]", 1, RULE_M_GET,
	    "/containers/*/json", 11);
	assert_endpoint(&pf->endpoints[6], "image-inspect", 1, RULE_M_GET,
	    "/images/**", 13);
	assert_defaults(pf);
	rules_free(rs);
}

/* What a profile holds when it says nothing, or only endpoints. */
static void
test_defaults(void **state)
{
	static const char *texts[] = {
		MIN,
		HEAD "profiles:\n  p:\n    endpoints: []\n",
		HEAD "profiles:\n  p:\n    endpoints:\n"
		    "      - allow: '* /**'\n",
		HEAD "profiles:\n  p:\n    containers: {}\n    images: {}\n"
		    "    build: {}\n    exec: {}\n    mode: enforce\n",
		HEAD "profiles:\n  p:\n    containers:\n"
		    "      capabilities: {}\n      bind_mounts: {}\n"
		    "      sysctls: {}\n      require: {}\n",
		HEAD "profiles:\n  p:\n    containers:\n"
		    "      privileged: false\n      host_namespaces: false\n"
		    "      devices: false\n      unconfined: false\n"
		    "      volume_drivers: false\n      cgroup_parent: false\n"
		    "      joins: checked\n"
		    "      bind_mounts: {propagation: false,"
		    " resolve_symlinks: true}\n"
		    "      require: {non_root_user: false,"
		    " read_only_rootfs: false, no_new_privileges: false,"
		    " memory_limit: false, pids_limit: false}\n"
		    "    build: {buildkit: false, host_network: false}\n"
		    "    exec: {privileged: false}\n",
	};
	struct ruleset	*rs;
	size_t		 i;

	for (i = 0; i < nitems(texts); i++) {
		rs = parse_ok(texts[i]);
		assert_int_equal(rs->nprofiles, 1);
		assert_ptr_equal(rs->default_profile, &rs->profiles[0]);
		assert_defaults(rs->default_profile);
		if (i == 2)
			assert_int_equal(rs->profiles[0].nendpoints, 1);
		else {
			assert_int_equal(rs->profiles[0].nendpoints, 0);
			assert_null(rs->profiles[0].endpoints);
		}
		rules_free(rs);
	}
	/* the built-in list is what rules.h promises the man page */
	assert_string_equal(rules_default_bind_deny[0], "/");
	for (i = 0; rules_default_bind_deny[i] != NULL; i++)
		;
	assert_int_equal(i, 17);
	assert_string_equal(rules_default_bind_deny[16], "/var/run");
}

/* log_drivers: absent, the host-only ones; a list replaces them. */
static void
test_log_drivers(void **state)
{
	struct ruleset			*rs;
	const struct container_policy	*cp;

	rs = parse_ok(PROF "    containers: {}\n");
	cp = &rs->profiles[0].containers;
	assert_int_equal(cp->log_drivers.n, 4);
	assert_string_equal(cp->log_drivers.v[0], "json-file");
	assert_string_equal(cp->log_drivers.v[3], "none");
	rules_free(rs);
	rs = parse_ok(PROF "    containers: {log_drivers: [syslog]}\n");
	cp = &rs->profiles[0].containers;
	assert_int_equal(cp->log_drivers.n, 1);
	assert_string_equal(cp->log_drivers.v[0], "syslog");
	rules_free(rs);
	rs = parse_ok(PROF "    containers: {log_drivers: []}\n");
	assert_int_equal(rs->profiles[0].containers.log_drivers.n, 0);
	rules_free(rs);
}

/* Empty lists mean "none", unlike absent ones. */
static void
test_empty_lists(void **state)
{
	static const char text[] = PROF
	    "    containers:\n"
	    "      bind_mounts: {deny: [], allow: []}\n"
	    "      runtimes: []\n"
	    "      capabilities: {allow_add: []}\n"
	    "      sysctls: {allow: []}\n"
	    "    images: {registries: []}\n";
	struct ruleset			*rs;
	const struct container_policy	*cp;

	rs = parse_ok(text);
	cp = &rs->profiles[0].containers;
	assert_int_equal(cp->bind_deny.n, 0);
	assert_int_equal(cp->bind_allow.n, 0);
	assert_int_equal(cp->runtimes.n, 0);
	assert_int_equal(cp->cap_add.n, 0);
	assert_int_equal(cp->sysctls.n, 0);
	assert_int_equal(rs->profiles[0].registries.n, 0);
	rules_free(rs);
}

/* Accepted endpoint rules: methods, spacing, patterns. */
static void
test_endpoint_rules(void **state)
{
	static const struct {
		const char	*rule;		/* as written in YAML */
		unsigned	 methods;
		const char	*pattern;
	} t[] = {
		{ "\"GET /\"",			RULE_M_GET,	"/" },
		{ "'* /**'",			RULE_M_ALL,	"/**" },
		{ "GET /_ping",			RULE_M_GET,	"/_ping" },
		{ "get /a",			RULE_M_GET,	"/a" },
		{ "hEaD /a",			RULE_M_HEAD,	"/a" },
		{ "GET,GET /a",			RULE_M_GET,	"/a" },
		{ "\"GET, HEAD /a\"",		RULE_M_GET | RULE_M_HEAD,
		    "/a" },
		{ "\" GET , HEAD   /a\"",	RULE_M_GET | RULE_M_HEAD,
		    "/a" },
		{ "POST,PUT,DELETE,OPTIONS,PATCH,GET,HEAD /a", RULE_M_ALL,
		    "/a" },
		{ "\"* /containers/*/json\"",	RULE_M_ALL,
		    "/containers/*/json" },
		{ "\"* /*/*/**\"",		RULE_M_ALL,	"/*/*/**" },
		{ "DELETE /images/sha256:abc",	RULE_M_DELETE,
		    "/images/sha256:abc" },
		{ "GET /a.b/..c/c..",		RULE_M_GET,
		    "/a.b/..c/c.." },
		{ "GET /a%2Fb",			RULE_M_GET,	"/a%2Fb" },
	};
	struct ruleset	*rs;
	char		*text;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		assert_true(asprintf(&text, PROF "    endpoints:\n"
		    "      - deny: %s\n", t[i].rule) != -1);
		rs = parse_ok(text);
		assert_int_equal(rs->profiles[0].nendpoints, 1);
		assert_endpoint(&rs->profiles[0].endpoints[0], "endpoints[0]",
		    0, t[i].methods, t[i].pattern, 6);
		rules_free(rs);
		free(text);
	}
}

/* The top level: required keys, types, versions, references. */
static void
test_bad_top(void **state)
{
	static const struct bad t[] = {
		{ "", 0, "1:1", "the rules file is empty" },
		{ "# nothing\n", 0, "1:1", "the rules file is empty" },
		{ "- a\n", 0, "1:1", "the top level must be a mapping" },
		{ "just text\n", 0, "1:1", "the top level must be a mapping" },
		{ MIN "bogus: 1\n", 0, "4:1",
		    "unknown key \"bogus\" in the top level (expected version, "
		    "default_profile, identities, profiles)" },
		{ MIN "Version: 1\n", 0, "4:1", "unknown key \"Version\"" },
		{ MIN "[a]: 1\n", 0, "4:1",
		    "a key must be a single value, not a list" },
		{ MIN "version: 1\n", 0, "4:1",
		    "version is given twice in the top level" },
		{ MIN "profiles: {q: {}}\n", 0, "4:1",
		    "profiles is given twice" },
		{ "default_profile: p\nprofiles: {p: {}}\n", 0, "1:1",
		    "version: 1 is required" },
		{ "version: 1\nprofiles: {p: {}}\n", 0, "1:1",
		    "default_profile is required" },
		{ "version: 1\ndefault_profile: p\n", 0, "1:1",
		    "profiles: at least one profile is required" },
		{ "version: 1\ndefault_profile: p\nidentities: []\n", 0, "1:1",
		    "profiles: at least one profile is required" },
		{ "version: 2\ndefault_profile: p\nprofiles: {p: {}}\n", 0,
		    "1:10", "version: \"2\" is not supported (this sockguard "
		    "reads version 1)" },
		/* version is checked first, wherever it is */
		{ "rules: []\nversion: 2\n", 0, "2:10",
		    "version: \"2\" is not supported" },
		{ "version: 1.0\n", 0, "1:10", "version: \"1.0\" is not" },
		{ "version: \"01\"\n", 0, "1:10", "version: \"01\" is not" },
		{ "version: [1]\n", 0, "1:10",
		    "version must be a single value, not a list" },
		{ "version:\n", 0, "1:9", "version: \"\" is not supported" },
		{ HEAD "profiles: []\n", 0, "3:11",
		    "profiles must be a mapping" },
		{ HEAD "profiles:\n", 0, "3:10", "profiles must be a mapping" },
		{ HEAD "profiles: {}\n", 0, "3:11",
		    "profiles must define at least one profile" },
		{ "version: 1\ndefault_profile: q\nprofiles: {p: {}}\n", 0,
		    "2:18", "default_profile: no profile named \"q\"" },
		{ "version: 1\nprofiles: {p: {}}\ndefault_profile: P\n", 0,
		    "3:18", "default_profile: no profile named \"P\"" },
		{ "version: 1\ndefault_profile: [p]\nprofiles: {p: {}}\n", 0,
		    "2:18", "default_profile must be a single value, not a "
		    "list" },
		{ "version: 1\ndefault_profile: ''\nprofiles: {p: {}}\n", 0,
		    "2:18", "default_profile must not be empty" },
	};

	run_bad(t, nitems(t));
}

/* profiles: names, duplicates, unknown keys, modes. */
static void
test_bad_profiles(void **state)
{
	static const struct bad t[] = {
		{ HEAD "profiles:\n  p: {limits: {connections: 0}}\n", 0,
		    "4:29", "connections: \"0\" is not a whole number from 1" },
		{ HEAD "profiles:\n  p: {limits: {requests_per_second: -1}}\n",
		    0, "4:37", "requests_per_second: \"-1\" is not a whole" },
		{ HEAD "profiles:\n  p: {limits: {burst: 5}}\n", 0, "4:15",
		    "limits: burst needs requests_per_second" },
		{ HEAD "profiles:\n  p: {limits: {rate: 5}}\n", 0, "4:16",
		    "unknown key \"rate\" in limits" },
		{ HEAD "profiles:\n  p: {limits: {connections: 2000000}}\n",
		    0, "4:29", "from 1 to 1000000" },
		{ HEAD "profiles:\n  p: {}\n  q: {}\n  p: {}\n", 0, "6:3",
		    "profile \"p\" is defined twice" },
		{ HEAD "profiles:\n  p: {}\n  q: {}\n  q: {}\n  p: {}\n", 0,
		    "6:3", "profile \"q\" is defined twice" },
		{ HEAD "profiles: {p: {}, 'p': {mode: audit}}\n", 0, "3:19",
		    "profile \"p\" is defined twice" },
		{ HEAD "profiles: {p: {}, my profile: {}}\n", 0, "3:19",
		    "profile name \"my profile\" may hold only letters, "
		    "digits" },
		{ HEAD "profiles: {p: {}, \"a/b\": {}}\n", 0, "3:19",
		    "profile name \"a/b\" may hold only" },
		{ HEAD "profiles: {p: {}, '': {}}\n", 0, "3:19",
		    "a profile name must not be empty" },
		{ HEAD "profiles: {p: {}, [x]: {}}\n", 0, "3:19",
		    "a profile name must be a single value, not a list" },
		{ HEAD "profiles: {p: []}\n", 0, "3:15",
		    "a profile must be a mapping" },
		{ HEAD "profiles: {p: }\n", 0, "3:15",
		    "a profile must be a mapping" },
		{ PROF "    bogus: 1\n", 0, "5:5",
		    "unknown key \"bogus\" in a profile (expected mode, "
		    "endpoints, containers, images, build, exec, limits, ownership)" },
		{ PROF "    mode: audit\n    mode: audit\n", 0, "6:5",
		    "mode is given twice in a profile" },
		{ PROF "    mode: permissive\n", 0, "5:11",
		    "mode: \"permissive\" is not enforce or audit" },
		{ PROF "    mode: Audit\n", 0, "5:11",
		    "mode: \"Audit\" is not enforce or audit" },
		{ PROF "    mode: [audit]\n", 0, "5:11",
		    "mode must be a single value, not a list" },
		{ PROF "    images: {registry: []}\n", 0, "5:14",
		    "unknown key \"registry\" in images (expected "
		    "registries)" },
		{ PROF "    images: []\n", 0, "5:13",
		    "images must be a mapping" },
		{ PROF "    build: {network: true}\n", 0, "5:13",
		    "unknown key \"network\" in build (expected buildkit, "
		    "host_network)" },
		{ PROF "    build: {buildkit: true, buildkit: false}\n", 0,
		    "5:29", "buildkit is given twice in build" },
		{ PROF "    exec: {tty: true}\n", 0, "5:12",
		    "unknown key \"tty\" in exec (expected privileged)" },
		{ PROF "    exec: {privileged: yes}\n", 0, "5:24",
		    "privileged: \"yes\" is not a boolean" },
		{ PROF "    images: {registries: docker.io}\n", 0, "5:26",
		    "registries must be a list" },
	};

	run_bad(t, nitems(t));
}

/* endpoints: entries, allow/deny, methods and patterns. */
static void
test_bad_endpoints(void **state)
{
#define EP	PROF "    endpoints:\n"
	static const struct bad t[] = {
		{ PROF "    endpoints: {allow: '* /'}\n", 0, "5:16",
		    "endpoints must be a list" },
		{ PROF "    endpoints:\n", 0, "5:15",
		    "endpoints must be a list (write [] for an empty one)" },
		{ EP "      - \"GET /\"\n", 0, "6:9",
		    "an endpoint must be a mapping" },
		{ EP "      - allow: \"* /\"\n        bogus: 1\n", 0, "7:9",
		    "unknown key \"bogus\" in an endpoint (expected allow, "
		    "deny, name)" },
		{ EP "      - allow: \"* /\"\n        deny: \"* /\"\n", 0,
		    "7:9",
		    "an endpoint takes one of allow: or deny:, not both" },
		{ EP "      - deny: \"* /\"\n        allow: \"* /\"\n", 0,
		    "7:9",
		    "an endpoint takes one of allow: or deny:, not both" },
		{ EP "      - allow: \"* /\"\n        allow: \"* /\"\n", 0,
		    "7:9", "allow is given twice in an endpoint" },
		{ EP "      - name: x\n", 0, "6:9",
		    "an endpoint needs allow: or deny:" },
		{ EP "      - {}\n", 0, "6:9", "an endpoint needs allow: or " },
		{ EP "      - allow: '* /'\n        name: ''\n", 0, "7:15",
		    "name must not be empty" },
		{ EP "      - allow: '* /'\n        name: [a]\n", 0, "7:15",
		    "name must be a single value, not a list" },
		{ EP "      - allow: [GET, /]\n", 0, "6:16",
		    "allow must be a single value, not a list" },
		{ EP "      - allow: ''\n", 0, "6:16",
		    "allow must not be empty" },
		/* the shape "METHODS /PATTERN" */
		{ EP "      - allow: GET\n", 0, "6:16",
		    "allow: \"GET\" must be \"METHODS /PATTERN\"" },
		{ EP "      - allow: /containers/json\n", 0, "6:16",
		    "must be \"METHODS /PATTERN\"" },
		{ EP "      - deny: 'GET '\n", 0, "6:15",
		    "deny: \"GET \" must be \"METHODS /PATTERN\"" },
		{ EP "      - allow: \"GET\t/a\"\n", 0, "6:16",
		    "allow contains a control character" },
		/* methods */
		{ EP "      - allow: GIT /a\n", 0, "6:16",
		    "allow: methods \"GIT\" must be \"*\" or a comma list of "
		    "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH" },
		{ EP "      - allow: CONNECT /a\n", 0, "6:16",
		    "methods \"CONNECT\" must be" },
		{ EP "      - allow: GET,,HEAD /a\n", 0, "6:16",
		    "methods \"GET,,HEAD\" must be" },
		{ EP "      - allow: GET, /a\n", 0, "6:16",
		    "methods \"GET,\" must be" },
		{ EP "      - allow: ',GET /a'\n", 0, "6:16",
		    "methods \",GET\" must be" },
		{ EP "      - allow: '*,GET /a'\n", 0, "6:16",
		    "methods \"*,GET\" must be" },
		{ EP "      - allow: '** /a'\n", 0, "6:16",
		    "methods \"**\" must be" },
		{ EP "      - allow: ' /a'\n", 0, "6:16",
		    "methods \"\" must be" },
		{ EP "      - allow: GET /a /b\n", 0, "6:16",
		    "methods \"GET /a\" must be" },
		{ EP "      - allow: GETHEADPOSTPUTDELETE /a\n", 0, "6:16",
		    "methods \"GETHEADPOSTPUTDELETE\" must be" },
		/* patterns */
		{ EP "      - allow: GET containers/json\n", 0, "6:16",
		    "allow: pattern \"containers/json\" must start with "
		    "\"/\"" },
		{ EP "      - allow: GET *\n", 0, "6:16",
		    "pattern \"*\" must start with \"/\"" },
		{ EP "      - allow: GET /a//b\n", 0, "6:16",
		    "pattern \"/a//b\" has an empty segment" },
		{ EP "      - allow: GET //\n", 0, "6:16",
		    "pattern \"//\" has an empty segment" },
		{ EP "      - allow: GET /a/\n", 0, "6:16",
		    "pattern \"/a/\" has an empty segment" },
		{ EP "      - allow: GET /**/x/**\n", 0, "6:16",
		    "pattern \"/**/x/**\" may have \"**\" only once" },
		{ EP "      - allow: GET /a/**/**\n", 0, "6:16",
		    "may have \"**\" only once" },
		{ EP "      - allow: GET /a/../b\n", 0, "6:16",
		    "pattern \"/a/../b\" has a \".\" or \"..\" segment" },
		{ EP "      - allow: GET /a/./b\n", 0, "6:16",
		    "has a \".\" or \"..\" segment" },
		{ EP "      - allow: GET /..\n", 0, "6:16",
		    "has a \".\" or \"..\" segment" },
		{ EP "      - allow: GET /a/.\n", 0, "6:16",
		    "has a \".\" or \"..\" segment" },
		{ EP "      - allow: GET /a?all=1\n", 0, "6:16",
		    "must not hold a query" },
		{ EP "      - allow: GET /a?\n", 0, "6:16",
		    "must not hold a query" },
		{ EP "      - allow: 'GET /a#b'\n", 0, "6:16",
		    "or a fragment" },
		{ EP "      - allow: GET /a*\n", 0, "6:16",
		    "pattern \"/a*\" has a \"*\" that is not a whole segment" },
		{ EP "      - allow: GET /***\n", 0, "6:16",
		    "has a \"*\" that is not a whole segment" },
		{ EP "      - allow: GET /*x/y\n", 0, "6:16",
		    "has a \"*\" that is not a whole segment" },
		/* the position is that of the faulty entry, not the first */
		{ EP "      - allow: GET /a\n      - deny: GET /b/\n", 0,
		    "7:15", "deny: pattern \"/b/\" has an empty segment" },
	};
#undef EP

	run_bad(t, nitems(t));
}

/* containers: keys, booleans, lists, paths, capabilities. */
static void
test_bad_containers(void **state)
{
#define CT	PROF "    containers:\n"
	static const struct bad t[] = {
		{ PROF "    containers: []\n", 0, "5:17",
		    "containers must be a mapping" },
		{ PROF "    containers:\n", 0, "5:16",
		    "containers must be a mapping" },
		{ CT "      bogus: 1\n", 0, "6:7",
		    "unknown key \"bogus\" in containers (expected privileged, "
		    "capabilities, host_namespaces, devices, unconfined, "
		    "bind_mounts, sysctls, runtimes, volume_drivers, "
		    "cgroup_parent, joins, require, log_drivers)" },
		{ CT "      privileged: false\n      privileged: false\n", 0,
		    "7:7", "privileged is given twice in containers" },
		/* booleans: true or false, plain */
		{ CT "      privileged: yes\n", 0, "6:19",
		    "privileged: \"yes\" is not a boolean (write true or "
		    "false, unquoted)" },
		{ CT "      privileged: no\n", 0, "6:19",
		    "privileged: \"no\" is not a boolean" },
		{ CT "      privileged: True\n", 0, "6:19",
		    "privileged: \"True\" is not a boolean" },
		{ CT "      privileged: \"true\"\n", 0, "6:19",
		    "privileged: \"true\" is not a boolean" },
		{ CT "      privileged: 'false'\n", 0, "6:19",
		    "privileged: \"false\" is not a boolean" },
		{ CT "      privileged: 1\n", 0, "6:19",
		    "privileged: \"1\" is not a boolean" },
		{ CT "      privileged: on\n", 0, "6:19", "is not a boolean" },
		{ CT "      privileged: ~\n", 0, "6:19", "is not a boolean" },
		{ CT "      privileged:\n", 0, "6:18",
		    "privileged: \"\" is not a boolean" },
		{ CT "      privileged: [true]\n", 0, "6:19",
		    "privileged must be a single value, not a list" },
		{ CT "      host_namespaces: yes\n", 0, "6:24",
		    "host_namespaces: \"yes\" is not a boolean" },
		{ CT "      devices: Y\n", 0, "6:16", "devices: \"Y\" is not" },
		{ CT "      unconfined: off\n", 0, "6:19",
		    "unconfined: \"off\"" },
		{ CT "      volume_drivers: 0\n", 0, "6:23",
		    "volume_drivers: \"0\"" },
		{ CT "      cgroup_parent: n\n", 0, "6:22",
		    "cgroup_parent: \"n\"" },
		{ CT "      joins: truE\n", 0, "6:14", "joins: \"truE\" is "
		    "neither checked" },
		{ CT "      joins: \"checked\"\n", 0, "6:14", "joins: "
		    "\"checked\" is neither" },
		/* capabilities */
		{ CT "      capabilities: {allow: []}\n", 0, "6:22",
		    "unknown key \"allow\" in capabilities (expected "
		    "allow_add)" },
		{ CT "      capabilities: [NET_ADMIN]\n", 0, "6:21",
		    "capabilities must be a mapping" },
		{ CT "      capabilities: {allow_add: NET_ADMIN}\n", 0, "6:33",
		    "allow_add must be a list" },
		{ CT "      capabilities: {allow_add: [NET_ADMIN,"
		    " SYS ADMIN]}\n", 0, "6:45", "allow_add: \"SYS ADMIN\" is "
		    "not a capability name (e.g. NET_ADMIN or CAP_NET_ADMIN)" },
		{ CT "      capabilities: {allow_add: [CAP_]}\n", 0, "6:34",
		    "allow_add: \"CAP_\" is not a capability name" },
		{ CT "      capabilities: {allow_add: [net-admin]}\n", 0,
		    "6:34",
		    "allow_add: \"net-admin\" is not a capability name" },
		{ CT "      capabilities: {allow_add: [\"\xc3\xa9\"]}\n", 0,
		    "6:34", "is not a capability name" },
		{ CT "      capabilities: {allow_add: [[a]]}\n", 0, "6:34",
		    "allow_add must be a single value, not a list" },
		{ CT "      capabilities: {allow_add: [''] }\n", 0, "6:34",
		    "allow_add must not be empty" },
		/* bind_mounts */
		{ CT "      bind_mounts: {bogus: 1}\n", 0, "6:21",
		    "unknown key \"bogus\" in bind_mounts (expected deny, "
		    "allow, propagation, resolve_symlinks)" },
		{ CT "      bind_mounts: []\n", 0, "6:20",
		    "bind_mounts must be a mapping" },
		{ CT "      bind_mounts:\n        deny: [etc]\n", 0, "7:16",
		    "deny: \"etc\" is not an absolute path" },
		{ CT "      bind_mounts:\n        deny: [/etc, ./x]\n", 0,
		    "7:22",
		    "deny: \"./x\" is not an absolute path" },
		{ CT "      bind_mounts:\n        allow: [~/src]\n", 0, "7:17",
		    "allow: \"~/src\" is not an absolute path" },
		{ CT "      bind_mounts:\n        deny: /etc\n", 0, "7:15",
		    "deny must be a list (write [] for an empty one)" },
		{ CT "      bind_mounts:\n        deny:\n", 0, "7:14",
		    "deny must be a list (write [] for an empty one)" },
		{ CT "      bind_mounts: {propagation: yes}\n", 0, "6:34",
		    "propagation: \"yes\" is not a boolean" },
		{ CT "      bind_mounts: {resolve_symlinks: 'true'}\n", 0,
		    "6:39",
		    "resolve_symlinks: \"true\" is not a boolean" },
		{ CT "      bind_mounts: {deny: [], deny: []}\n", 0, "6:31",
		    "deny is given twice in bind_mounts" },
		/* sysctls, runtimes */
		{ CT "      sysctls: {deny: []}\n", 0, "6:17",
		    "unknown key \"deny\" in sysctls (expected allow)" },
		{ CT "      sysctls: [net.*]\n", 0, "6:16",
		    "sysctls must be a mapping" },
		{ CT "      sysctls: {allow: ['']}\n", 0, "6:25",
		    "allow must not be empty" },
		{ CT "      runtimes: runc\n", 0, "6:17",
		    "runtimes must be a list" },
		{ CT "      runtimes: [runc, {a: b}]\n", 0, "6:24",
		    "runtimes must be a single value, not a mapping" },
		/* require */
		{ CT "      require: {non_root: true}\n", 0, "6:17",
		    "unknown key \"non_root\" in require (expected "
		    "non_root_user, read_only_rootfs, no_new_privileges, "
		    "memory_limit, pids_limit)" },
		{ CT "      require: {pids_limit: 100}\n", 0, "6:29",
		    "pids_limit: \"100\" is not a boolean" },
		{ CT "      require: [non_root_user]\n", 0, "6:16",
		    "require must be a mapping" },
	};
#undef CT

	run_bad(t, nitems(t));
}

/* images.registries: hosts with optional ports. */
static void
test_registries(void **state)
{
	static const struct {
		const char	*in;		/* as written in YAML */
		const char	*want;		/* NULL: refused */
	} t[] = {
		{ "docker.io",			"docker.io" },
		{ "DOCKER.IO",			"docker.io" },
		{ "index.docker.io",		"docker.io" },
		{ "Index.Docker.IO",		"docker.io" },
		{ "registry-1.docker.io",	"docker.io" },
		{ "registry-1.docker.io:443",	"registry-1.docker.io:443" },
		{ "ghcr.io",			"ghcr.io" },
		{ "localhost",			"localhost" },
		{ "localhost:5000",		"localhost:5000" },
		{ "'registry.example.com:5000'", "registry.example.com:5000" },
		{ "my_reg.local:65535",		"my_reg.local:65535" },
		{ "10.0.0.1:5000",		"10.0.0.1:5000" },
		{ "'[::1]:5000'",		"[::1]:5000" },
		{ "'[FE80::1]'",		"[fe80::1]" },
		{ "https://docker.io",		NULL },
		{ "docker.io/library",		NULL },
		{ "docker.io/",			NULL },
		{ "host:0",			NULL },
		{ "host:05000",			NULL },
		{ "host:65536",			NULL },
		{ "host:99999999999999999999",	NULL },
		{ "'host:'",			NULL },
		{ "':5000'",			NULL },
		{ "host:50:00",			NULL },
		{ "'host name'",		NULL },
		{ ".docker.io",			NULL },
		{ "docker.io.",			NULL },
		{ "-docker.io",			NULL },
		{ "'[]:5000'",			NULL },
		{ "'[::1'",			NULL },
		{ "'[::g]'",			NULL },
		{ "'[::1]x'",			NULL },
		{ "\"r\xc3\xa9g.io\"",		NULL },
		{ "user@host",			NULL },
	};
	struct ruleset	*rs;
	char		*text, err[1024], want[256];
	size_t		 i;
	int		 r;

	for (i = 0; i < nitems(t); i++) {
		assert_true(asprintf(&text, PROF "    images:\n"
		    "      registries:\n        - %s\n", t[i].in) != -1);
		err[0] = '\0';
		r = parse(text, 0, &rs, err, sizeof(err));
		if (t[i].want == NULL) {
			if (r != -1)
				fail_msg("registry %s accepted", t[i].in);
			snprintf(want, sizeof(want), NAME ":7:11: registries: "
			    "\"");
			if (strncmp(err, want, strlen(want)) != 0 ||
			    strstr(err, "\" is not a registry host") == NULL)
				fail_msg("registry %s: got \"%s\"", t[i].in,
				    err);
		} else {
			if (r != 0)
				fail_msg("registry %s: %s", t[i].in, err);
			assert_int_equal(rs->profiles[0].registries.n, 1);
			assert_string_equal(rs->profiles[0].registries.v[0],
			    t[i].want);
			rules_free(rs);
		}
		free(text);
	}
}

/* identities: shape, match keys, users, groups, fingerprints. */
static void
test_bad_identities(void **state)
{
#define ID	HEAD "identities:\n"
#define P	"profiles: {p: {}}\n"
	static const struct bad t[] = {
		{ ID "  - match: {uid: 0}\n    profile: p\n    bogus: 1\n" P,
		    0, "6:5", "unknown key \"bogus\" in an identity (expected "
		    "match, profile)" },
		{ ID "  - match: {user: root}\n    profile: p\n" P, 0, "4:13",
		    "unknown key \"user\" in match (expected cert_cn, "
		    "cert_san, cert_fingerprint, cert_issuer, cert_subject, "
		    "uid, gid, listener)" },
		{ ID "  - match: {uid: 0, uid: 1}\n    profile: p\n" P, 0,
		    "4:21", "uid is given twice in match" },
		{ ID "  - match: {uid: 0}\n    match: {uid: 0}\n" P, 0, "5:5",
		    "match is given twice in an identity" },
		{ HEAD "identities: {uid: 0}\n" P, 0, "3:13",
		    "identities must be a list" },
		{ HEAD "identities:\n" P, 0, "3:12",
		    "identities must be a list" },
		{ ID "  - p\n" P, 0, "4:5",
		    "an identity must be a mapping with match: and profile:" },
		{ ID "  - match: {uid: 0}\n" P, 0, "4:5",
		    "an identity needs profile:" },
		{ ID "  - profile: p\n" P, 0, "4:5",
		    "an identity needs match:" },
		{ ID "  - match: {}\n    profile: p\n" P, 0, "4:12",
		    "match must name at least one of cert_cn, cert_san, "
		    "cert_fingerprint, cert_issuer, cert_subject, uid, gid, "
		    "listener" },
		{ ID "  - match:\n    profile: p\n" P, 0, "4:11",
		    "match must be a mapping" },
		{ ID "  - match: [uid]\n    profile: p\n" P, 0, "4:12",
		    "match must be a mapping" },
		{ ID "  - match: {uid: 0}\n    profile: [p]\n" P, 0, "5:14",
		    "profile must be a single value, not a list" },
		{ ID "  - match: {uid: 0}\n    profile: q\n" P, 0, "5:14",
		    "profile: no profile named \"q\"" },
		/* the first bad reference in file order */
		{ ID "  - match: {uid: 0}\n    profile: p\n"
		    "  - match: {uid: 1}\n    profile: x\n"
		    "  - match: {uid: 2}\n    profile: y\n" P, 0, "7:14",
		    "profile: no profile named \"x\"" },
		/* profiles before identities: same thing */
		{ HEAD P "identities:\n  - match: {gid: 1}\n"
		    "    profile: nope\n", 0, "6:14",
		    "profile: no profile named \"nope\"" },
		/* users and groups */
		{ ID "  - match: {uid: sg-no-such-user}\n    profile: p\n" P, 0,
		    "4:18", "uid: no such user \"sg-no-such-user\"" },
		{ ID "  - match: {gid: sg-no-such-group}\n    profile: p\n"
		    P, 0, "4:18", "gid: no such group \"sg-no-such-group\"" },
		{ ID "  - match: {uid: Root}\n    profile: p\n" P, 0, "4:18",
		    "uid: no such user \"Root\"" },
		{ ID "  - match: {uid: -1}\n    profile: p\n" P, 0, "4:18",
		    "uid: no such user \"-1\"" },
		{ ID "  - match: {uid: '+0'}\n    profile: p\n" P, 0, "4:18",
		    "uid: no such user \"+0\"" },
		{ ID "  - match: {uid: ' 0'}\n    profile: p\n" P, 0, "4:18",
		    "uid: no such user \" 0\"" },
		{ ID "  - match: {uid: 4294967295}\n    profile: p\n" P, 0,
		    "4:18", "uid: 4294967295 is out of range" },
		{ ID "  - match: {gid: 99999999999999999999999}\n"
		    "    profile: p\n" P, 0, "4:18",
		    "gid: 99999999999999999999999 is out of range" },
		{ ID "  - match: {uid: ''}\n    profile: p\n" P, 0, "4:18",
		    "uid must not be empty" },
		{ ID "  - match: {uid: [0]}\n    profile: p\n" P, 0, "4:18",
		    "uid must be a single value, not a list" },
		/* strings */
		{ ID "  - match: {cert_cn: ''}\n    profile: p\n" P, 0, "4:22",
		    "cert_cn must not be empty" },
		{ ID "  - match: {listener: {a: b}}\n    profile: p\n" P, 0,
		    "4:23", "listener must be a single value, not a mapping" },
		{ ID "  - match: {cert_fingerprint: abc}\n    profile: p\n" P,
		    0, "4:31", "cert_fingerprint: \"abc\" is not a SHA-256 "
		    "fingerprint" },
		{ ID "  - match: {cert_fingerprint: " FPR "0}\n"
		    "    profile: p\n" P, 0, "4:31",
		    "is not a SHA-256 fingerprint" },
		{ ID "  - match: {cert_fingerprint: g" FPR "}\n"
		    "    profile: p\n" P, 0, "4:31",
		    "is not a SHA-256 fingerprint" },
	};
#undef ID
#undef P

	run_bad(t, nitems(t));
}

/* match values that are accepted, and how they are stored. */
static void
test_match_values(void **state)
{
	static const struct {
		const char	*match;		/* as written in YAML */
		const char	*fpr;		/* cert_fingerprint wanted */
		long long	 uid, gid;	/* -1: not given */
	} t[] = {
		{ "{uid: root}",		NULL,	0, -1 },
		{ "{uid: 0}",			NULL,	0, -1 },
		{ "{uid: '0'}",			NULL,	0, -1 },
		{ "{uid: 007}",			NULL,	7, -1 },
		{ "{uid: 54321}",		NULL,	54321, -1 },
		{ "{uid: 4294967294}",		NULL,	4294967294LL, -1 },
		{ "{gid: root}",		NULL,	-1, 0 },
		{ "{gid: 100}",			NULL,	-1, 100 },
		{ "{gid: daemon, uid: daemon}",	NULL,	1, 1 },
		{ "{cert_fingerprint: " FPR "}", FPR,	-1, -1 },
		{ "{cert_fingerprint: \"01:23:45:67:89:AB:CD:EF:01:23:45:67:"
		    "89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:"
		    "EF\"}",			FPR,	-1, -1 },
		{ "{cert_fingerprint: \"AB*\"}", "ab*",	-1, -1 },
		{ "{cert_fingerprint: \"[0-9A-F]?\"}", "[0-9a-f]?", -1, -1 },
	};
	struct ruleset			*rs;
	const struct identity_rule	*ir;
	char				*text;
	size_t				 i;

	for (i = 0; i < nitems(t); i++) {
		assert_true(asprintf(&text, HEAD "identities:\n"
		    "  - match: %s\n    profile: p\nprofiles: {p: {}}\n",
		    t[i].match) != -1);
		rs = parse_ok(text);
		assert_int_equal(rs->nidentities, 1);
		ir = &rs->identities[0];
		assert_int_equal(ir->line, 4);
		if (t[i].fpr != NULL)
			assert_string_equal(ir->cert_fingerprint, t[i].fpr);
		else
			assert_null(ir->cert_fingerprint);
		assert_int_equal(ir->has_uid, t[i].uid != -1);
		if (t[i].uid != -1)
			assert_int_equal(ir->uid, t[i].uid);
		assert_int_equal(ir->has_gid, t[i].gid != -1);
		if (t[i].gid != -1)
			assert_int_equal(ir->gid, t[i].gid);
		rules_free(rs);
		free(text);
	}
}

/* YAML syntax errors, NUL bytes, raw bytes, more documents, aliases. */
static void
test_bad_yaml(void **state)
{
	static const struct bad t[] = {
		{ "[", 0, "2:1", "did not find expected node content" },
		{ "version: 1\n  x: 2\n", 0, "2:4",
		    "mapping values are not allowed in this context" },
		{ "version: *a\n", 0, "1:10", "found undefined alias" },
		{ "version: \"\\q\"\n", 0, "1:11",
		    "found unknown escape character" },
		{ "%YAML 2.0\n---\na: b\n", 0, "1:1",
		    "found incompatible YAML document" },
		/* reader errors point at the byte itself */
		{ BUF("version: 1\ndefault_profile: \xff\n"), "2:18",
		    "invalid leading UTF-8 octet" },
		{ BUF("version: 1\n# \xc3\xa9\xc3\xa9 \xc3\n"), "2:7",
		    "invalid trailing UTF-8 octet" },
		{ BUF("version: 1\r\ndefault_profile: p\x01\r\n"), "2:19",
		    "control characters are not allowed" },
		{ BUF("version: 1\ndefault_profile: p\0\n"), "2:19",
		    "control characters are not allowed" },
		{ BUF("\xef\xbb\xbfversion: \xed\xa0\x80\n"), "1:10",
		    "invalid Unicode character" },
		/* NUL bytes through escapes, in values and keys */
		{ MIN "identities: [{match: {listener: \"a\\0b\"}, "
		    "profile: p}]\n", 0, "4:33",
		    "listener contains a NUL byte" },
		{ "version: \"1\\0\"\n", 0, "1:10",
		    "version contains a NUL byte" },
		{ PROF "    mode: \"audit\\0\"\n", 0, "5:11",
		    "mode contains a NUL byte" },
		{ PROF "    \"mode\\0\": audit\n", 0, "5:5",
		    "a key contains a NUL byte" },
		{ HEAD "profiles: {\"p\\0\": {}}\n", 0, "3:12",
		    "a profile name contains a NUL byte" },
		{ PROF "    containers: {bind_mounts: {deny: [\"/a\\0\"]}}\n",
		    0, "5:39", "deny contains a NUL byte" },
		{ PROF "    endpoints: [{allow: \"GET /a\\x00\"}]\n", 0,
		    "5:25", "allow contains a NUL byte" },
		{ PROF "    endpoints: [{allow: '* /', name: \"a\\nb\"}]\n", 0,
		    "5:38", "name contains a control character" },
		/* one document per file */
		{ MIN "---\nversion: 1\n", 0, "4:1",
		    "a second YAML document; a rules file holds one" },
		{ MIN "...\n---\n", 0, "5:1", "a second YAML document" },
		{ "---\n" MIN "...\n[[[\n", 0, "6:1",
		    "did not find expected <document start>" },
		{ MIN "...\n@\n", 0, "5:1",
		    "found character that cannot start any token" },
		/* an alias loop is no structure sockguard walks */
		{ HEAD "identities: &a [*a]\n" "profiles: {p: {}}\n", 0,
		    "3:13", "an identity must be a mapping" },
		{ HEAD "profiles: &a {p: *a}\n", 0, "3:15",
		    "unknown key \"p\" in a profile" },
	};

	run_bad(t, nitems(t));
}

/* Other accepted files: aliases, flow style, comments, a BOM, tags. */
static void
test_accepted(void **state)
{
	static const char *texts[] = {
		"{version: 1, default_profile: p, profiles: {p: {}}}\n",
		"\xef\xbb\xbf" MIN,
		"---\n" MIN "...\n",
		"# c\n\n" MIN "# end\n",
		"version: !!int 1\ndefault_profile: !!str p\n"
		    "profiles: {p: {}}\n",
		"version: '1'\ndefault_profile: \"p\"\nprofiles: {'p': {}}\n",
		"profiles: {p: {}}\ndefault_profile: p\nversion: 1\n",
		HEAD "profiles:\n  p: &x\n    endpoints: [{allow: '* /'}]\n"
		    "  q: *x\n",
		"version: 1\ndefault_profile: &n p\nidentities:\n"
		    "  - {match: {uid: 0}, profile: *n}\n"
		    "profiles: {p: {}}\n",
	};
	struct ruleset	*rs;
	size_t		 i;

	for (i = 0; i < nitems(texts); i++) {
		rs = parse_ok(texts[i]);
		assert_string_equal(rs->default_profile->name, "p");
		rules_free(rs);
	}
	/* an anchored profile body serves two profiles */
	rs = parse_ok(texts[7]);
	assert_int_equal(rs->nprofiles, 2);
	assert_int_equal(profile(rs, "q")->nendpoints, 1);
	assert_string_equal(profile(rs, "q")->endpoints[0].pattern, "/");
	assert_ptr_not_equal(profile(rs, "q")->endpoints,
	    profile(rs, "p")->endpoints);
	rules_free(rs);
}

/* Aliases cannot blow a small file up without bound. */
static void
test_alias_budget(void **state)
{
	struct ruleset	*rs;
	char		*text, *p, err[1024];
	size_t		 i, len = 1024 * 1024;
	int		 r;

	text = p = malloc(len);
	assert_non_null(text);
	p += sprintf(p, HEAD "profiles:\n  p0: &x\n    endpoints: [");
	for (i = 0; i < 600; i++)
		p += sprintf(p, "%s{allow: '* /'}", i ? "," : "");
	p += sprintf(p, "]\n");
	for (i = 1; i < 500; i++)
		p += sprintf(p, "  p%zu: *x\n", i);
	r = parse(text, 0, &rs, err, sizeof(err));
	assert_int_equal(r, -1);
	assert_null(rs);
	assert_true(strstr(err, "the rules expand to more than") != NULL);
	assert_true(strncmp(err, NAME ":5:", strlen(NAME ":5:")) == 0);

	/* fewer copies are fine */
	p = text;
	p += sprintf(p, HEAD "profiles:\n  p: &x\n    endpoints: [");
	for (i = 0; i < 100; i++)
		p += sprintf(p, "%s{allow: '* /'}", i ? "," : "");
	p += sprintf(p, "]\n");
	for (i = 1; i < 100; i++)
		p += sprintf(p, "  p%zu: *x\n", i);
	rs = parse_ok(text);
	assert_int_equal(rs->nprofiles, 100);
	assert_int_equal(rs->profiles[99].nendpoints, 100);
	rules_free(rs);
	free(text);
}

/* rules_path_clean on a table of paths. */
static void
test_path_clean(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;		/* NULL: -1 */
	} t[] = {
		{ "/",			"/" },
		{ "//",			"/" },
		{ "///",		"/" },
		{ "/.",			"/" },
		{ "/..",		"/" },
		{ "/../..",		"/" },
		{ "/../etc",		"/etc" },
		{ "/etc",		"/etc" },
		{ "/etc/",		"/etc" },
		{ "/etc//",		"/etc" },
		{ "//etc",		"/etc" },
		{ "/etc/.",		"/etc" },
		{ "/etc/./",		"/etc" },
		{ "/etc/..",		"/" },
		{ "/etc/../",		"/" },
		{ "/a/b/..",		"/a" },
		{ "/a/b/../..",		"/" },
		{ "/a/b/../../..",	"/" },
		{ "/a/b/../c",		"/a/c" },
		{ "/a/./b/./c",		"/a/b/c" },
		{ "/a//b///c",		"/a/b/c" },
		{ "/var/lib/docker/.",	"/var/lib/docker" },
		{ "/var/run/../run/docker.sock", "/var/run/docker.sock" },
		{ "/a/.../b",		"/a/.../b" },
		{ "/a/..b/c.",		"/a/..b/c." },
		{ "/a/.b/..",		"/a" },
		{ "/ab/../cd/./ef//",	"/cd/ef" },
		{ "",			NULL },
		{ "etc",		NULL },
		{ "./etc",		NULL },
		{ "../etc",		NULL },
		{ "~/x",		NULL },
		{ " /etc",		NULL },
	};
	char	out[64];
	size_t	i;
	int	r;

	for (i = 0; i < nitems(t); i++) {
		memset(out, 'X', sizeof(out));
		r = rules_path_clean(t[i].in, out, strlen(t[i].in) + 1 < 2 ?
		    2 : strlen(t[i].in) + 1);
		if (t[i].want == NULL) {
			if (r != -1)
				fail_msg("\"%s\": accepted as \"%s\"", t[i].in,
				    out);
			assert_string_equal(out, "");
			continue;
		}
		if (r != 0)
			fail_msg("\"%s\": refused", t[i].in);
		if (strcmp(out, t[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", t[i].in,
			    out, t[i].want);
		/* the same in place */
		strcpy(out, t[i].in);
		assert_int_equal(rules_path_clean(out, out, sizeof(out)), 0);
		assert_string_equal(out, t[i].want);
	}
}

/* rules_path_clean with an out buffer too small, and just large enough. */
static void
test_path_clean_short(void **state)
{
	char	out[16];
	size_t	i;

	memset(out, 'X', sizeof(out));
	assert_int_equal(rules_path_clean("/abc", out, 4), -1);
	assert_string_equal(out, "");
	for (i = 4; i < sizeof(out); i++)
		assert_int_equal(out[i], 'X');
	assert_int_equal(rules_path_clean("/abc", out, 5), 0);
	assert_string_equal(out, "/abc");
	/* the cleaned path is what must fit, not the input */
	assert_int_equal(rules_path_clean("/a/../b", out, 3), 0);
	assert_string_equal(out, "/b");
	assert_int_equal(rules_path_clean("/a/./", out, 3), 0);
	assert_string_equal(out, "/a");
	assert_int_equal(rules_path_clean("/", out, 2), 0);
	assert_string_equal(out, "/");
	assert_int_equal(rules_path_clean("/", out, 1), -1);
	assert_string_equal(out, "");
	out[0] = 'X';
	assert_int_equal(rules_path_clean("/", out, 0), -1);
	assert_int_equal(out[0], 'X');
}

/* rules_cap_norm on a table of names. */
static void
test_cap_norm(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;
	} t[] = {
		{ "NET_ADMIN",		"NET_ADMIN" },
		{ "net_admin",		"NET_ADMIN" },
		{ "CAP_NET_ADMIN",	"NET_ADMIN" },
		{ "cap_net_admin",	"NET_ADMIN" },
		{ "Cap_Sys_Ptrace",	"SYS_PTRACE" },
		{ "all",		"ALL" },
		{ "CAP_ALL",		"ALL" },
		{ "CAP_",		"" },
		{ "CAP",		"CAP" },
		{ "CAP_CAP_X",		"CAP_X" },
		{ "",			"" },
		{ "sys-admin",		"SYS-ADMIN" },
		{ "\xc3\xa9t\xc3\xa9",	"\xc3\xa9T\xc3\xa9" },
	};
	char	out[64];
	size_t	i;

	for (i = 0; i < nitems(t); i++) {
		memset(out, 'X', sizeof(out));
		rules_cap_norm(t[i].in, out, sizeof(out));
		if (strcmp(out, t[i].want) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", t[i].in,
			    out, t[i].want);
	}
	/* a short buffer truncates, terminated */
	memset(out, 'X', sizeof(out));
	rules_cap_norm("cap_sys_admin", out, 4);
	assert_string_equal(out, "SYS");
	assert_int_equal(out[4], 'X');
	out[0] = 'X';
	rules_cap_norm("x", out, 0);
	assert_int_equal(out[0], 'X');
}

/* Which profile each identity gets from one ruleset. */
static void
test_profile_for(void **state)
{
	static const char text[] =
	    "version: 1\n"
	    "default_profile: def\n"
	    "identities:\n"
	    "  - {match: {cert_cn: \"ci-*\", listener: tls}, profile: ci}\n"
	    "  - {match: {cert_san: \"*.example.com\"}, profile: san}\n"
	    "  - {match: {cert_san: \"email:ops@*\"}, profile: ops}\n"
	    "  - {match: {cert_fingerprint: \"AB*\"}, profile: fpr}\n"
	    "  - {match: {cert_issuer: \"CN=Corp CA*\","
	    " cert_subject: \"*O=Corp*\"}, profile: corp}\n"
	    "  - {match: {uid: 1000, gid: 100}, profile: dev}\n"
	    "  - {match: {uid: 0}, profile: root}\n"
	    "  - {match: {gid: 100}, profile: users}\n"
	    "  - {match: {listener: admin}, profile: admin}\n"
	    "profiles: {def: {}, ci: {}, san: {}, ops: {}, fpr: {}, corp: {},"
	    " dev: {}, root: {}, users: {}, admin: {}}\n";
	static const char *const sans_dns[] = { "DNS:build.example.com" };
	static const char *const sans_bare[] = { "DNS:example.com" };
	static const char *const sans_two[] = { "DNS:x.org",
	    "DNS:y.example.com" };
	static const char *const sans_mail[] = { "email:ops@corp" };
	static const char *const sans_uri[] = {
	    "URI:spiffe://x.example.com" };
	static const char *const sans_null[] = { NULL, "DNS:a.example.com" };
	static const struct {
		const char	*what;
		struct identity	 id;
		const char	*want;
	} t[] = {
		{ "unix uid+gid", { .listener = "local", .is_unix = 1,
		    .uid = 1000, .gid = 100 }, "dev" },
		{ "unix uid, other gid", { .listener = "local", .is_unix = 1,
		    .uid = 1000, .gid = 101 }, "def" },
		{ "unix other uid, gid", { .listener = "local", .is_unix = 1,
		    .uid = 1001, .gid = 100 }, "users" },
		{ "unix root", { .listener = "local", .is_unix = 1,
		    .uid = 0, .gid = 0 }, "root" },
		{ "unix nobody", { .listener = "local", .is_unix = 1,
		    .uid = 65534, .gid = 65534 }, "def" },
		{ "uid/gid 0 without unix credentials", { .listener = "tls",
		    .uid = 0, .gid = 0 }, "def" },
		{ "listener only", { .listener = "admin", .is_unix = 1,
		    .uid = 5, .gid = 5 }, "admin" },
		{ "first match wins over listener", { .listener = "admin",
		    .is_unix = 1, .uid = 0, .gid = 0 }, "root" },
		{ "no listener", { .is_unix = 1, .uid = 5, .gid = 5 }, "def" },
		{ "cn and listener", { .listener = "tls", .cert_cn = "ci-7" },
		    "ci" },
		{ "cn, other listener", { .listener = "tls2",
		    .cert_cn = "ci-7" }, "def" },
		{ "cn, no listener", { .cert_cn = "ci-7" }, "def" },
		{ "listener, cn mismatch", { .listener = "tls",
		    .cert_cn = "cd-7" }, "def" },
		{ "listener, no certificate", { .listener = "tls" }, "def" },
		{ "SAN after its type", { .listener = "tls",
		    .cert_cn = "web", .cert_sans = sans_dns,
		    .cert_nsans = 1 }, "san" },
		{ "SAN glob needs a label", { .listener = "tls",
		    .cert_sans = sans_bare, .cert_nsans = 1 }, "def" },
		{ "second SAN", { .listener = "tls", .cert_sans = sans_two,
		    .cert_nsans = 2 }, "san" },
		{ "SAN count respected", { .listener = "tls",
		    .cert_sans = sans_two, .cert_nsans = 1 }, "def" },
		{ "SAN whole string", { .listener = "tls",
		    .cert_sans = sans_mail, .cert_nsans = 1 }, "ops" },
		{ "URI SAN", { .listener = "tls", .cert_sans = sans_uri,
		    .cert_nsans = 1 }, "san" },
		{ "NULL SAN skipped", { .listener = "tls",
		    .cert_sans = sans_null, .cert_nsans = 2 }, "san" },
		{ "fingerprint", { .listener = "tls",
		    .cert_fingerprint = "ab" FPR }, "fpr" },
		{ "fingerprint mismatch", { .listener = "tls",
		    .cert_fingerprint = FPR }, "def" },
		{ "issuer and subject", { .listener = "tls",
		    .cert_issuer = "CN=Corp CA 2", .cert_subject = "CN=a,O=Corp"
		    }, "corp" },
		{ "issuer only", { .listener = "tls",
		    .cert_issuer = "CN=Corp CA 2" }, "def" },
		{ "subject only", { .listener = "tls",
		    .cert_subject = "CN=a,O=Corp" }, "def" },
		{ "glob is case-sensitive", { .listener = "tls",
		    .cert_cn = "CI-7" }, "def" },
		{ "nothing", { .listener = NULL }, "def" },
	};
	struct ruleset		*rs;
	const struct profile	*pf;
	size_t			 i;

	rs = parse_ok(text);
	assert_int_equal(rs->nidentities, 9);
	assert_int_equal(rs->identities[8].line, 12);
	for (i = 0; i < nitems(t); i++) {
		pf = rules_profile_for(rs, &t[i].id);
		if (pf == NULL || strcmp(pf->name, t[i].want) != 0)
			fail_msg("%s: got %s, want %s", t[i].what,
			    pf != NULL ? pf->name : "NULL", t[i].want);
		assert_ptr_equal(pf, profile(rs, t[i].want));
	}
	assert_ptr_equal(rules_profile_for(rs, NULL), profile(rs, "def"));
	assert_null(rules_profile_for(NULL, &t[0].id));
	rules_free(rs);

	/* no identities: everyone gets the default */
	rs = parse_ok(MIN);
	assert_ptr_equal(rules_profile_for(rs, &t[0].id), &rs->profiles[0]);
	rules_free(rs);
}

/* A short err buffer is truncated, terminated, and not overrun. */
static void
test_err_truncated(void **state)
{
	struct ruleset	*rs;
	char		 err[32];
	size_t		 i;

	memset(err, 'X', sizeof(err));
	assert_int_equal(parse(MIN "bogus: 1\n", 0, &rs, err, 16), -1);
	assert_null(rs);
	assert_int_equal(strlen(err), 15);
	assert_memory_equal(err, NAME ":4:1: unkn", 15);
	for (i = 16; i < sizeof(err); i++)
		assert_int_equal(err[i], 'X');
	memset(err, 'X', sizeof(err));
	assert_int_equal(parse("[", 0, &rs, err, 8), -1);
	assert_int_equal(strlen(err), 7);
	for (i = 8; i < sizeof(err); i++)
		assert_int_equal(err[i], 'X');
	memset(err, 'X', sizeof(err));
	assert_int_equal(parse("x", 0, &rs, err, 0), -1);
	assert_int_equal(err[0], 'X');
}

/* Writes len bytes to a new temporary file and returns its path. */
static char *
write_temp(const char *buf, size_t len)
{
	const char	*dir;
	char		*path;
	int		 fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	assert_true(asprintf(&path, "%s/test_rules.XXXXXX", dir) != -1);
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	return path;
}

/* rules_load: a file, a missing one, a directory, one too large. */
static void
test_load(void **state)
{
	struct ruleset	*rs;
	char		*path, *big, err[1024], want[1200];
	size_t		 biglen = 1024 * 1024;

	path = write_temp(full, strlen(full));
	assert_int_equal(rules_load(path, &rs, err, sizeof(err)), 0);
	assert_string_equal(rs->file, path);
	assert_int_equal(rs->nprofiles, 2);
	rules_free(rs);
	unlink(path);
	free(path);

	/* messages name the file */
	path = write_temp(MIN "x: 1\n", strlen(MIN "x: 1\n"));
	assert_int_equal(rules_load(path, &rs, err, sizeof(err)), -1);
	assert_null(rs);
	snprintf(want, sizeof(want), "%s:4:1: unknown key \"x\"", path);
	assert_memory_equal(err, want, strlen(want));
	unlink(path);
	free(path);

	/* exactly 1 MiB is allowed, one byte more is not */
	big = malloc(biglen + 1);
	assert_non_null(big);
	memset(big, ' ', biglen + 1);
	memcpy(big, MIN "#", strlen(MIN "#"));
	big[biglen - 1] = '\n';
	path = write_temp(big, biglen);
	assert_int_equal(rules_load(path, &rs, err, sizeof(err)), 0);
	rules_free(rs);
	unlink(path);
	free(path);
	big[biglen] = '\n';
	path = write_temp(big, biglen + 1);
	assert_int_equal(rules_load(path, &rs, err, sizeof(err)), -1);
	assert_null(rs);
	snprintf(want, sizeof(want), "%s: larger than 1 MiB", path);
	assert_string_equal(err, want);
	unlink(path);
	free(path);
	assert_int_equal(parse(big, biglen + 1, &rs, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ": larger than 1 MiB");
	free(big);

	assert_int_equal(rules_load("/nonexistent/r.yaml", &rs, err,
	    sizeof(err)), -1);
	assert_null(rs);
	assert_string_equal(err, "/nonexistent/r.yaml: No such file or "
	    "directory");
	assert_int_equal(rules_load("/", &rs, err, sizeof(err)), -1);
	assert_null(rs);
	assert_string_equal(err, "/: Is a directory");
}

/* rules_free(NULL) does nothing. */
static void
test_free_null(void **state)
{
	rules_free(NULL);
}

/* limits: per-client caps; burst defaults to the rate. */
static void
test_profile_limits(void **state)
{
	struct ruleset	*rs;

	rs = parse_ok(HEAD "profiles:\n  p:\n    limits: {connections: 20, "
	    "requests_per_second: 5}\n");
	assert_int_equal(rs->profiles[0].lim_connections, 20);
	assert_int_equal(rs->profiles[0].lim_rate, 5);
	assert_int_equal(rs->profiles[0].lim_burst, 5);
	rules_free(rs);
	rs = parse_ok(HEAD "profiles:\n  p:\n    limits: {burst: 30, "
	    "requests_per_second: 10}\n");
	assert_int_equal(rs->profiles[0].lim_connections, 0);
	assert_int_equal(rs->profiles[0].lim_burst, 30);
	rules_free(rs);
	rs = parse_ok(HEAD "profiles:\n  p: {}\n");
	assert_int_equal(rs->profiles[0].lim_rate, 0);
	assert_int_equal(rs->profiles[0].lim_connections, 0);
	rules_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_empty_lists),
		cmocka_unit_test(test_log_drivers),
		cmocka_unit_test(test_endpoint_rules),
		cmocka_unit_test(test_bad_top),
		cmocka_unit_test(test_bad_profiles),
		cmocka_unit_test(test_profile_limits),
		cmocka_unit_test(test_bad_endpoints),
		cmocka_unit_test(test_bad_containers),
		cmocka_unit_test(test_registries),
		cmocka_unit_test(test_bad_identities),
		cmocka_unit_test(test_match_values),
		cmocka_unit_test(test_bad_yaml),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_alias_budget),
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_path_clean_short),
		cmocka_unit_test(test_cap_norm),
		cmocka_unit_test(test_profile_for),
		cmocka_unit_test(test_err_truncated),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
