/* sockguard explain: one request, decided offline, printed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "docker.h"
#include "explain.h"
#include "identity.h"
#include "json.h"
#include "log.h"
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
	    "METHOD PATH [BODY-FILE|-]\n"
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

/* Prints the decision; returns the exit status. */
static int
explain_print(const struct decision *d, const char *body, int existing,
    size_t joins)
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
	if (body != NULL)
		printf("forwarded body: %s\n", body);
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
	struct config		*conf = NULL;
	struct ruleset		*rules = NULL;
	struct identity		 id;
	struct policy_ctx	 ctx;
	struct policy_request	 r;
	struct decision		 d;
	const struct profile	*p;
	char			 err[1024], ver[16], reason[256], *body = NULL;
	char			*out = NULL, *as = NULL;
	const char		*own[64];
	size_t			 i, blen = 0, path_len;
	int			 rc = 1, argi;

	memset(&id, 0, sizeof(id));
	memset(&r, 0, sizeof(r));
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
	id.listener = conf->listen[0].name ? conf->listen[0].name :
	    conf->listen[0].path;
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
			if (d.rewritten && r.body != NULL)
				out = json_dumps(r.body, JSON_COMPACT);
		}
	} else if (d.allow)
		policy_body(p, &ctx, &r, &d);
	rc = explain_print(&d, out, d.allow && policy_existing_op(r.method,
	    r.route, r.route_len, &op), d.allow && r.body != NULL &&
	    p->containers.joins && strcmp(r.method, "POST") == 0 &&
	    r.route_len == 18 && memcmp(r.route, "/containers/create", 18) == 0 ?
	    policy_joins(r.body, NULL, 0) : 0);
out:
	free(out);
	free(body);
	json_decref(r.body);
	rules_free(rules);
	config_free(conf);
	return rc;
}
