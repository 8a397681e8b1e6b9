/* sockguard explain: one request, decided offline, printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "config.h"
#include "docker.h"
#include "explain.h"
#include "identity.h"
#include "json.h"
#include "log.h"
#include "lookup.h"
#include "owner.h"
#include "policy.h"
#include "rules.h"
#include "uri.h"
#include "xmalloc.h"

#define EXPLAIN_MAX_BODY	(16 * 1024 * 1024)

/* Prints usage to stderr and returns the error status. */
static int
explain_usage(void)
{
	fprintf(stderr, "usage: sockguard explain [-c config] [--as IDENTITY] "
	    "[--upstream] METHOD PATH [BODY-FILE|-]\n"
	    "  --upstream: ask dockerd (the configured upstream) about the "
	    "containers\n"
	    "              an exec/attach/cp enters or a create joins, as the "
	    "daemon does\n"
	    "  IDENTITY: comma-separated uid=N, gid=N, listener=NAME, "
	    "cert_cn=CN,\n"
	    "            cert_san=DNS:x, cert_fingerprint=HEX, cert_issuer=DN, "
	    "cert_subject=DN\n"
	    "  exit status: 0 allowed, 2 denied, 1 error\n");
	return 1;
}

/* Parses "k=v,k=v" into id; the strings point into spec (modified). */
static int
explain_identity(char *spec, struct identity *id, const char **san)
{
	char	*tok, *save = NULL, *eq, *end;

	for (tok = strtok_r(spec, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) == NULL)
			return -1;
		*eq++ = '\0';
		if (strcmp(tok, "uid") == 0 || strcmp(tok, "gid") == 0) {
			unsigned long v = strtoul(eq, &end, 10);

			if (*eq == '\0' || *end != '\0')
				return -1;
			if (tok[0] == 'u')
				id->uid = (uid_t)v;
			else
				id->gid = (gid_t)v;
		} else if (strcmp(tok, "listener") == 0)
			id->listener = eq;
		else if (strcmp(tok, "cert_cn") == 0)
			id->cert_cn = eq;
		else if (strcmp(tok, "cert_san") == 0) {
			*san = eq;
			id->cert_sans = san;
			id->cert_nsans = 1;
		} else if (strcmp(tok, "cert_fingerprint") == 0)
			id->cert_fingerprint = eq;
		else if (strcmp(tok, "cert_issuer") == 0)
			id->cert_issuer = eq;
		else if (strcmp(tok, "cert_subject") == 0)
			id->cert_subject = eq;
		else
			return -1;
		/* A certificate identity is a TLS client, not a unix one. */
		if (strncmp(tok, "cert_", 5) == 0)
			id->is_unix = 0;
	}
	return 0;
}

/* Reads a body file ("-" is stdin) into a new buffer. */
static char *
explain_read(const char *file, size_t *len)
{
	FILE	*fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char	*buf;

	if (fp == NULL)
		return NULL;
	buf = xmalloc(EXPLAIN_MAX_BODY + 1);
	*len = fread(buf, 1, EXPLAIN_MAX_BODY + 1, fp);
	if (fp != stdin)
		fclose(fp);
	if (*len > EXPLAIN_MAX_BODY) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	return buf;
}

/* One answer from dockerd, waited for. */
struct explain_answer {
	int	 done;
	int	 status;
	json_t	*body;
	char	 err[256];
};

static void
explain_answer_cb(void *arg, int status, json_t *body, const char *err)
{
	struct explain_answer	*a = arg;

	a->done = 1;
	a->status = status;
	a->body = body != NULL ? json_incref(body) : NULL;
	snprintf(a->err, sizeof(a->err), "%s", err != NULL ? err : "");
}

/*
 * GET /containers/SEGMENT/json from dockerd, the way the daemon asks (the
 * segment raw, as the client wrote it).  Returns the inspect body with
 * status 200, else NULL with the reason (dockerd's message) in why.
 */
static json_t *
explain_inspect(const char *upstream, const char *seg, size_t seglen,
    char *why, size_t whylen)
{
	struct explain_answer	 a;
	struct event_base	*base;
	struct lookup		*l;
	json_t			*msg;
	char			 path[1024];

	memset(&a, 0, sizeof(a));
	snprintf(path, sizeof(path), "/containers/%.*s/json", (int)seglen,
	    seg);
	if ((base = event_base_new()) == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	l = lookup_start(base, upstream, path, 4 * 1024 * 1024, 15000,
	    explain_answer_cb, &a);
	if (l == NULL)
		snprintf(a.err, sizeof(a.err), "%s", strerror(errno));
	while (l != NULL && !a.done &&
	    event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	event_base_free(base);
	if (a.status == 200 && json_is_object(a.body))
		return a.body;
	msg = json_field(a.body, "message");
	if (a.status == 0)
		snprintf(why, whylen, "cannot ask the Docker Engine at %s: %s",
		    upstream, a.err);
	else
		snprintf(why, whylen, "the Docker Engine answered %d: %s",
		    a.status, json_is_string(msg) ? json_string_value(msg) :
		    "(no message)");
	json_decref(a.body);
	return NULL;
}

/*
 * As the daemon does with dockerd at hand: the container an exec, attach
 * or copy enters.  Returns -1 (reason printed) if dockerd cannot say.
 */
static int
explain_enter(const char *upstream, const struct profile *p,
    const struct policy_ctx *ctx, const struct policy_request *r,
    const char *op, struct decision *d)
{
	const char	*seg = r->route + 12;	/* after "/containers/" */
	size_t		 len = strcspn(seg, "/");
	char		 why[512];
	json_t		*in;

	if ((in = explain_inspect(upstream, seg, len, why, sizeof(why))) ==
	    NULL) {
		printf("error: container %.*s: %s\n", (int)len, seg, why);
		return -1;
	}
	policy_existing(p, ctx, op, in, d);
	if (d->allow && policy_inspect_id(in) != NULL)
		printf("container: %.*s is %s\n", (int)len, seg,
		    policy_inspect_id(in));
	json_decref(in);
	return 0;
}

/* The same for each container a create joins; rewrites body as sent. */
static int
explain_joins(const char *upstream, const struct profile *p,
    const struct policy_ctx *ctx, json_t *body, struct decision *d)
{
	struct policy_join	 pj[POLICY_MAX_JOINS];
	size_t			 n, i;
	char			 why[512], seg[3 * POLICY_JOIN_NAME + 1];
	json_t			*in;
	const char		*id;

	n = policy_joins(body, pj, POLICY_MAX_JOINS);
	for (i = 0; i < n && i < POLICY_MAX_JOINS && d->allow; i++) {
		if (lookup_escape_segment(pj[i].name, seg, sizeof(seg)) == -1 ||
		    (in = explain_inspect(upstream, seg, strlen(seg), why,
		    sizeof(why))) == NULL) {
			printf("error: cannot join container %s: %s\n",
			    pj[i].name, why);
			return -1;
		}
		policy_existing(p, ctx, "join", in, d);
		if (d->allow && (id = policy_inspect_id(in)) != NULL)
			(void)policy_join_rewrite(&pj[i], id);
		json_decref(in);
	}
	return 0;
}

/* What ownership does to the request, for explain_print(). */
struct explain_own {
	char	 owner[OWNER_MAX + 1];	/* "" if the profile has none */
	char	*query;			/* rewritten query, owned */
	char	 note[512];		/* what the daemon would ask dockerd */
};

/*
 * Ownership, offline: the owner value, endpoints refused, the query and
 * the create body as the daemon rewrites them; lookups are only named.
 */
static void
explain_owner(const struct profile *p, const struct identity *id,
    struct policy_request *r, struct decision *d, int *rewritten,
    struct explain_own *eo)
{
	const struct ownership	*o = &p->ownership;
	struct owner_route	 or;
	char			 why[256];
	size_t			 n;
	int			 x;

	if (o->label == NULL || !d->allow)
		return;
	if (owner_expand(o->owner, id, eo->owner, sizeof(eo->owner), why,
	    sizeof(why)) == -1) {
		eo->owner[0] = '\0';
		policy_deny(p, d, 403, "ownership", "%s", why);
		return;
	}
	owner_route(r->method, r->route, r->route_len, &or);
	switch (or.kind) {
	case OWN_DENY:
		policy_deny(p, d, 403, "ownership", "%s", or.why);
		return;
	case OWN_FILTER:
	case OWN_BUILD:
	case OWN_EVENTS:
		eo->query = owner_query(or.kind, r->query, r->query_len,
		    o->label, eo->owner, why, sizeof(why));
		if (eo->query == NULL)
			policy_deny(p, d, or.kind == OWN_BUILD &&
			    strstr(why, "may only") != NULL ? 403 : 400,
			    "ownership", "%s", why);
		if (or.kind == OWN_EVENTS)
			snprintf(eo->note, sizeof(eo->note), "each event is "
			    "also checked for %s=%s", o->label, eo->owner);
		return;
	case OWN_ANSWER:
		snprintf(eo->note, sizeof(eo->note), "the daemon asks dockerd "
		    "and answers with what carries %s=%s", o->label,
		    eo->owner);
		return;
	case OWN_CREATE:
	case OWN_COMMIT:
		x = owner_label_body(r->body, o->label, eo->owner, why,
		    sizeof(why));
		if (x == -1) {
			policy_deny(p, d, 403, "ownership", "%s", why);
			return;
		}
		*rewritten |= x == 1;
		break;
	case OWN_NONE:
		break;
	default:
		snprintf(eo->note, sizeof(eo->note), "the daemon asks dockerd "
		    "whether the %s %.*s carries %s=%s", owner_noun(or.kind),
		    (int)or.seg_len, or.seg != NULL ? or.seg : "", o->label,
		    eo->owner);
		return;
	}
	if (or.kind == OWN_COMMIT)
		snprintf(eo->note, sizeof(eo->note), "the daemon asks dockerd "
		    "whether the container= committed carries %s=%s",
		    o->label, eo->owner);
	else if ((n = owner_refs(r->route, r->route_len, r->body, NULL,
	    0)) > 0)
		snprintf(eo->note, sizeof(eo->note), "the daemon asks dockerd "
		    "about the %zu object(s) the body names (image, volumes, "
		    "networks, containers): each must carry %s=%s (an image "
		    "may also be shared)", n, o->label, eo->owner);
}

/* Prints the decision; returns the exit status. */
static int
explain_print(const struct decision *d, const char *body, int existing,
    size_t joins, const struct explain_own *eo)
{
	printf("decision: %s\n", d->audit_only ? "audit-deny (allowed: the "
	    "profile is in audit mode)" : d->allow ? "allow" : "deny");
	printf("profile: %s\n", d->profile);
	if (d->denied) {
		printf("status: %d\n", d->audit_only ? 200 : d->status);
		printf("rule: %s\n", d->rule);
		printf("reason: %s\n", d->reason);
		if (d->field[0] != '\0')
			printf("field: %s\n", d->field);
		if (d->value[0] != '\0')
			printf("value: %s\n", d->value);
	}
	if (eo->owner[0] != '\0')
		printf("owner: %s\n", eo->owner);
	if (eo->query != NULL && d->allow)
		printf("forwarded query: %s\n", eo->query);
	if (body != NULL)
		printf("forwarded body: %s\n", body);
	if (eo->note[0] != '\0' && d->allow)
		printf("not evaluated: ownership: %s\n", eo->note);
	if (existing)
		printf("not evaluated: the daemon also asks dockerd about the "
		    "target container and applies the container checks to it; "
		    "explain does not ask dockerd\n");
	if (joins > 0)
		printf("not evaluated: the create joins %zu other container%s; "
		    "the daemon asks dockerd about each, applies the container "
		    "checks to it and forwards its full id; explain does not "
		    "ask dockerd\n", joins, joins == 1 ? "" : "s");
	return d->allow ? 0 : 2;
}

int
explain_main(int argc, char *argv[], const char *default_config)
{
	const char		*file = default_config, *san = NULL, *why, *op;
	int			 upstream = 0, existing, rewritten = 0;
	size_t			 njoins = 0;
	struct config		*conf = NULL;
	struct ruleset		*rules = NULL;
	struct identity		 id;
	struct policy_ctx	 ctx;
	struct policy_request	 r;
	struct decision		 d;
	struct explain_own	 eo;
	const struct profile	*p;
	char			 err[1024], ver[16], reason[256], *body = NULL;
	char			*out = NULL, *as = NULL;
	const char		*own[64];
	size_t			 i, blen = 0, path_len;
	int			 rc = 1, argi;

	memset(&id, 0, sizeof(id));
	memset(&r, 0, sizeof(r));
	memset(&eo, 0, sizeof(eo));
	id.uid = getuid();
	id.gid = getgid();
	id.pid = getpid();
	id.is_unix = 1;
	for (argi = 1; argi < argc && argv[argi][0] == '-' &&
	    argv[argi][1] != '\0'; argi++) {
		if (strcmp(argv[argi], "-c") == 0 && argi + 1 < argc)
			file = argv[++argi];
		else if (strcmp(argv[argi], "--as") == 0 && argi + 1 < argc)
			as = argv[++argi];
		else if (strcmp(argv[argi], "--upstream") == 0)
			upstream = 1;
		else
			return explain_usage();
	}
	if (argc - argi < 2 || argc - argi > 3)
		return explain_usage();
	log_init(LOG_LVL_WARN);
	if (config_load(file, &conf, err, sizeof(err)) == -1 ||
	    rules_load(conf->rules, &rules, err, sizeof(err)) == -1) {
		fprintf(stderr, "sockguard: %s\n", err);
		goto out;
	}
	id.listener = listen_label(&conf->listen[0]);
	if (as != NULL && explain_identity(as, &id, &san) == -1) {
		fprintf(stderr, "sockguard: bad --as identity\n");
		goto out;
	}
	memset(&ctx, 0, sizeof(ctx));
	own[ctx.nown_sockets++] = conf->upstream;	/* as the daemon */
	for (i = 0; i < conf->nlisten && i < 63; i++)
		if (conf->listen[i].path != NULL)
			own[ctx.nown_sockets++] = conf->listen[i].path;
	ctx.own_sockets = own;
	ctx.resolve = policy_resolve_host;
	r.method = argv[argi];
	if (uri_check(argv[argi + 1], strlen(argv[argi + 1]), &path_len,
	    &why) == -1) {
		printf("decision: deny\nstatus: 400\nreason: %s\n", why);
		rc = 2;
		goto out;
	}
	docker_split_version(argv[argi + 1], path_len, ver, sizeof(ver),
	    &r.route, &r.route_len);
	r.version = ver;
	if (argv[argi + 1][path_len] == '?') {
		r.query = argv[argi + 1] + path_len + 1;
		r.query_len = strlen(r.query);
	}
	p = rules_profile_for(rules, &id);
	policy_init(&d, p);
	policy_head(p, &ctx, &r, &d);
	if (d.allow && argc - argi == 3 &&
	    docker_body_kind(r.method, r.route, r.route_len) ==
	    DOCKER_BODY_NONE) {
		d.allow = 0;
		d.denied = 1;
		d.status = 400;
		snprintf(d.rule, sizeof(d.rule), "body");
		snprintf(d.reason, sizeof(d.reason), "%s %.*s takes no request "
		    "body", r.method, (int)r.route_len, r.route);
	}
	if (d.allow && argc - argi == 3) {
		if ((body = explain_read(argv[argi + 2], &blen)) == NULL) {
			fprintf(stderr, "sockguard: %s: %s\n", argv[argi + 2],
			    strerror(errno));
			goto out;
		}
		/* As the daemon: any value; policy_body() judges shapes. */
		if (blen > 0 && (r.body = json_body_parse(body, blen, 0,
		    reason, sizeof(reason))) == NULL) {
			d.allow = 0;
			d.denied = 1;
			d.status = 400;
			snprintf(d.rule, sizeof(d.rule), "body");
			snprintf(d.reason, sizeof(d.reason), "the JSON body is "
			    "refused: %s", reason);
		} else {
			r.body_present = blen > 0;
			policy_body(p, &ctx, &r, &d);
			rewritten = d.rewritten;
		}
	} else if (d.allow)
		policy_body(p, &ctx, &r, &d);
	explain_owner(p, &id, &r, &d, &rewritten, &eo);
	existing = d.allow && policy_existing_op(r.method, r.route,
	    r.route_len, &op);
	if (d.allow)
		njoins = policy_create_joins(p, &r);
	if (upstream && existing) {
		if (explain_enter(conf->upstream, p, &ctx, &r, op, &d) == -1)
			goto out;
		existing = 0;
	}
	if (upstream && njoins > 0 && d.allow) {
		if (explain_joins(conf->upstream, p, &ctx, r.body, &d) == -1)
			goto out;
		rewritten = 1;
		njoins = 0;
	}
	if (d.allow && rewritten && r.body != NULL)
		out = json_dumps(r.body, JSON_COMPACT);
	rc = explain_print(&d, out, existing, njoins, &eo);
out:
	free(eo.query);
	free(out);
	free(body);
	json_decref(r.body);
	rules_free(rules);
	config_free(conf);
	return rc;
}
