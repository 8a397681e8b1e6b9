/*
 * Per-request cost of sockguard's decisions, without any I/O: the head
 * stage (profile, endpoint rules, query checks) and the body stage
 * (strict JSON parse, container checks, bind resolution) of a real
 * `docker run` create body, as the proxy runs them.
 * Usage: policybench RULES BODY [ITERATIONS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "identity.h"
#include "json.h"
#include "policy.h"
#include "rules.h"

/* Monotonic time in nanoseconds. */
static double
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int
main(int argc, char *argv[])
{
	static const char	*own[] = { "/var/run/docker.sock",
				    "/run/sockguard/docker.sock" };
	struct ruleset		*rs;
	struct identity		 id;
	struct policy_ctx	 ctx;
	struct policy_request	 r;
	struct decision		 d;
	const struct profile	*p;
	char			 err[512], *body, why[256];
	size_t			 len;
	long			 i, n;
	double			 t0, t_head, t_parse, t_body;
	FILE			*fp;
	json_t			*j;

	if (argc < 3)
		return fprintf(stderr, "usage: policybench RULES BODY [N]\n"), 2;
	n = argc > 3 ? atol(argv[3]) : 100000;
	if (rules_load(argv[1], &rs, err, sizeof(err)) == -1)
		return fprintf(stderr, "%s\n", err), 1;
	if ((fp = fopen(argv[2], "r")) == NULL)
		return perror(argv[2]), 1;
	body = malloc(1 << 20);
	len = fread(body, 1, 1 << 20, fp);
	fclose(fp);
	memset(&id, 0, sizeof(id));
	id.is_unix = 1;
	id.uid = 1000;
	id.listener = "local";
	memset(&ctx, 0, sizeof(ctx));
	ctx.own_sockets = own;
	ctx.nown_sockets = 2;
	ctx.resolve = policy_resolve_host;
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.route = "/containers/create";
	r.route_len = strlen(r.route);
	r.query = "name=web";
	r.query_len = strlen(r.query);
	r.version = "1.41";

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		p = rules_profile_for(rs, &id);
		policy_init(&d, p);
		policy_head(p, &ctx, &r, &d);
	}
	t_head = (now_ns() - t0) / (double)n;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		j = json_body_parse(body, len, 0, why, sizeof(why));
		json_decref(j);
	}
	t_parse = (now_ns() - t0) / (double)n;
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		j = json_body_parse(body, len, 0, why, sizeof(why));
		r.body = j;
		r.body_present = 1;
		policy_init(&d, p);
		policy_body(p, &ctx, &r, &d);
		json_decref(j);
	}
	t_body = (now_ns() - t0) / (double)n - t_parse;
	printf("| policy: head stage (profile, endpoint rules, query) | "
	    "%.2f µs |\n", t_head / 1000);
	printf("| policy: strict JSON parse of a %zu-byte create body | "
	    "%.2f µs |\n", len, t_parse / 1000);
	printf("| policy: container checks on it (incl. bind resolution) | "
	    "%.2f µs |\n", t_body / 1000);
	printf("| policy: whole decision of a create | %.2f µs (target < 20 "
	    "µs: %s) |\n", (t_head + t_parse + t_body) / 1000,
	    (t_head + t_parse + t_body) / 1000 < 20 ? "ok" : "MISS");
	printf("(decision: %s%s%s)\n", d.allow ? "allow" : "deny",
	    d.allow ? "" : " by ", d.allow ? "" : d.rule);
	free(body);
	rules_free(rs);
	return 0;
}
