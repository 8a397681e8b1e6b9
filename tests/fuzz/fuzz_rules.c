/*
 * libFuzzer target for the rules loader: arbitrary bytes go to
 * rules_parse(), and the same bytes, as a string, to rules_path_clean()
 * and rules_cap_norm().  Whatever is accepted must hold what policy code
 * relies on (clean paths, normalised names, valid patterns, profiles
 * that point into the ruleset); every error must name its file; nothing
 * may leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "rules.h"

#define NAME		"fuzz.yaml"
#define FUZZ_MAX_INPUT	(1024 * 1024)	/* rules_load() reads no more */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless p points at one of rs's profiles. */
static void
check_profile_ptr(const struct ruleset *rs, const struct profile *p)
{
	if (p == NULL || p < rs->profiles || p >= rs->profiles + rs->nprofiles)
		abort();
}

/* Aborts unless s is a non-empty string without control characters. */
static void
check_text(const char *s)
{
	if (s == NULL || *s == '\0')
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

/* Aborts unless every item of sl is a clean absolute path. */
static void
check_paths(const struct strlist *sl)
{
	char	buf[4096];
	size_t	i;

	for (i = 0; i < sl->n; i++) {
		check_text(sl->v[i]);
		if (sl->v[i][0] != '/')
			abort();
		if (strlen(sl->v[i]) < sizeof(buf) &&
		    (rules_path_clean(sl->v[i], buf, sizeof(buf)) != 0 ||
		    strcmp(buf, sl->v[i]) != 0))
			abort();
	}
}

/* Aborts unless a route pattern is one the loader promises. */
static void
check_pattern(const char *p)
{
	const char	*seg, *end;
	size_t		 len;
	int		 globstars = 0;

	if (p == NULL || p[0] != '/' || strpbrk(p, "?# ") != NULL)
		abort();
	if (strcmp(p, "/") == 0)
		return;
	for (seg = p + 1; ; seg = end + 1) {
		if ((end = strchr(seg, '/')) == NULL)
			end = seg + strlen(seg);
		len = (size_t)(end - seg);
		if (len == 0 || strncmp(seg, ".", len) == 0 ||
		    strncmp(seg, "..", len) == 0)
			abort();
		/* "*" is a whole segment; "**" too, at most once, anywhere */
		if (len == 2 && seg[0] == '*' && seg[1] == '*') {
			if (globstars++ > 0)
				abort();
		} else if (memchr(seg, '*', len) != NULL && len != 1)
			abort();
		if (*end == '\0')
			break;
	}
}

/* Aborts unless profile pf holds what policy code assumes. */
static void
check_profile(const struct profile *pf)
{
	const struct container_policy	*cp = &pf->containers;
	const char			*s;
	size_t				 i;

	check_text(pf->name);
	if (strspn(pf->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
	    "VWXYZ0123456789._-") != strlen(pf->name))
		abort();
	if ((pf->nendpoints == 0) != (pf->endpoints == NULL))
		abort();
	for (i = 0; i < pf->nendpoints; i++) {
		const struct endpoint_rule *e = &pf->endpoints[i];

		check_text(e->name);
		if (e->methods == 0 || (e->methods & ~(unsigned)RULE_M_ALL))
			abort();
		if ((e->allow != 0 && e->allow != 1) || e->line == 0)
			abort();
		check_pattern(e->pattern);
	}
	for (i = 0; i < cp->cap_add.n; i++) {
		s = cp->cap_add.v[i];
		if (*s == '\0' || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_") != strlen(s))
			abort();
	}
	check_paths(&cp->bind_deny);
	check_paths(&cp->bind_allow);
	for (i = 0; i < cp->sysctls.n; i++)
		check_text(cp->sysctls.v[i]);
	for (i = 0; i < cp->runtimes.n; i++)
		check_text(cp->runtimes.v[i]);
	for (i = 0; i < pf->registries.n; i++) {
		s = pf->registries.v[i];
		check_text(s);
		if (strpbrk(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ/ @") != NULL ||
		    strcmp(s, "index.docker.io") == 0 ||
		    strcmp(s, "registry-1.docker.io") == 0)
			abort();
	}
	if ((unsigned)cp->privileged > 1 ||
	    (unsigned)cp->resolve_symlinks > 1 ||
	    (unsigned)pf->audit_mode > 1 || (unsigned)pf->buildkit > 1)
		abort();
}

/* Aborts unless an accepted ruleset holds what the daemon assumes. */
static void
check_ruleset(const struct ruleset *rs, const uint8_t *data, size_t size)
{
	static const char *const sans[] = { "DNS:a.example.com", "email:x@y" };
	struct identity	 id;
	char		 s[32];
	size_t		 i;

	if (rs->file == NULL || strcmp(rs->file, NAME) != 0)
		abort();
	if (rs->nprofiles == 0 || rs->profiles == NULL)
		abort();
	check_profile_ptr(rs, rs->default_profile);
	for (i = 0; i < rs->nprofiles; i++)
		check_profile(&rs->profiles[i]);
	for (i = 0; i < rs->nidentities; i++) {
		const struct identity_rule *r = &rs->identities[i];

		check_profile_ptr(rs, r->profile);
		if (r->cert_cn == NULL && r->cert_san == NULL &&
		    r->cert_fingerprint == NULL && r->cert_issuer == NULL &&
		    r->cert_subject == NULL && !r->has_uid && !r->has_gid &&
		    r->listener == NULL)
			abort();
		if (r->line == 0)
			abort();
	}
	/* Whoever asks gets a profile of this ruleset. */
	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&id, 0, sizeof(id));
	check_profile_ptr(rs, rules_profile_for(rs, &id));
	check_profile_ptr(rs, rules_profile_for(rs, NULL));
	id.listener = s;
	id.is_unix = 1;
	id.uid = size > 0 ? data[0] : 0;
	id.gid = 100;
	check_profile_ptr(rs, rules_profile_for(rs, &id));
	id.is_unix = 0;
	id.cert_cn = s;
	id.cert_subject = "CN=x";
	id.cert_issuer = s;
	id.cert_fingerprint = s;
	id.cert_sans = sans;
	id.cert_nsans = 2;
	check_profile_ptr(rs, rules_profile_for(rs, &id));
}

/* The normalisers on a short NUL-terminated copy of the input. */
static void
fuzz_normalisers(const uint8_t *data, size_t size)
{
	char	in[256], out[256], again[256];
	size_t	len;

	if (size >= sizeof(in))
		size = sizeof(in) - 1;
	memcpy(in, data, size);
	in[size] = '\0';
	len = strlen(in);
	if (rules_path_clean(in, out, len + 1) == 0) {
		if (out[0] != '/' || strlen(out) > len ||
		    strstr(out, "//") != NULL || strstr(out, "/./") != NULL ||
		    strstr(out, "/../") != NULL ||
		    (strlen(out) > 1 && out[strlen(out) - 1] == '/'))
			abort();
		if (rules_path_clean(out, again, sizeof(again)) != 0 ||
		    strcmp(out, again) != 0)
			abort();
	} else if (in[0] == '/')
		abort();		/* len + 1 always suffices */
	rules_cap_norm(in, out, sizeof(out));
	if (strlen(out) > len || strpbrk(out, "abcdefghijklmnopqrstuvwxyz"))
		abort();
	rules_cap_norm(in, out, 3);
	if (strlen(out) > 2)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset	*rs = (struct ruleset *)&rs;
	char		 err[256];
	int		 r;

	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_normalisers(data, size);
	memset(err, 'X', sizeof(err));
	r = rules_parse(NAME, data, size, &rs, err, sizeof(err));
	if (r == 0) {
		if (rs == NULL)
			abort();
		check_ruleset(rs, data, size);
		rules_free(rs);
	} else {
		if (r != -1 || rs != NULL)
			abort();
		if (memchr(err, '\0', sizeof(err)) == NULL ||
		    strncmp(err, NAME ":", strlen(NAME ":")) != 0)
			abort();
	}
	return 0;
}
