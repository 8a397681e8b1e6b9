/*
 * libFuzzer target for owner.c: the bytes are a query (list filters,
 * build labels, image names a request sets, changes=) and a JSON body
 * (labels, references, list answers, events).  Properties checked: a
 * rewritten filters= query carries the owner's label filter exactly
 * once and every key in map form; a body owner_label_body() accepted
 * carries the owner's value; names stay within their bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "docker.h"
#include "json.h"
#include "owner.h"
#include "uri.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define LBL	"io.sockguard.owner"
#define OWN	"job-a"

/* Only queries the proxy lets through (uri_check) reach owner.c. */
static int
query_valid(const char *q, size_t n)
{
	char		*t;
	const char	*why;
	size_t		 pl;
	int		 ok;

	if ((t = malloc(n + 4)) == NULL)
		return 0;
	memcpy(t, "/x?", 3);
	memcpy(t + 3, q, n);
	t[n + 3] = '\0';
	ok = memchr(q, '\0', n) == NULL &&
	    uri_check(t, n + 3, &pl, &why) == 0 && pl == 2;
	free(t);
	return ok;
}

static void
check_filters(const char *q, size_t n)
{
	char	 why[256], *out, *raw;
	json_t	*f, *v, *l;
	const char *k;

	if (!query_valid(q, n))
		return;
	if ((out = owner_query(OWN_FILTER, q, n, LBL, OWN, why,
	    sizeof(why))) == NULL)
		return;
	raw = malloc(16384);
	if (docker_query_get(out, strlen(out), "filters", raw, 16384) != 1)
		abort();	/* written once, readable */
	f = json_loads(raw, 0, NULL);
	if (f == NULL || !json_is_object(f))
		abort();
	json_object_foreach(f, k, v)
		if (!json_is_object(v))
			abort();	/* no mixed forms */
	l = json_object_get(f, "label");
	if (!json_is_true(json_object_get(l, LBL "=" OWN)))
		abort();
	json_decref(f);
	free(raw);
	free(out);
}

static void
check_body(const char *b, size_t n)
{
	struct owner_ref refs[OWNER_MAX_REFS];
	char		 why[256];
	json_t		*j, *copy;
	size_t		 i, nr;

	if ((j = json_body_parse(b, n, 0, why, sizeof(why))) == NULL)
		return;
	copy = json_deep_copy(j);
	if (owner_label_body(j, LBL, OWN, why, sizeof(why)) >= 0 &&
	    json_is_object(j) &&
	    strcmp(json_string_value(json_object_get(json_field(j, "Labels"),
	    LBL)) ?: "", OWN) != 0)
		abort();
	nr = owner_refs("/containers/create", 18, copy, refs,
	    OWNER_MAX_REFS);
	for (i = 0; i < nr && i < OWNER_MAX_REFS; i++)
		if (strlen(refs[i].name) >= sizeof(refs[i].name))
			abort();
	(void)owner_refs("/networks/n/connect", 19, copy, refs,
	    OWNER_MAX_REFS);
	(void)owner_filter_answer("/images/json", 12, copy, LBL, OWN);
	(void)owner_filter_answer("/system/df", 10, copy, LBL, OWN);
	(void)owner_event_visible(copy, LBL, OWN);
	json_decref(copy);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	 names[OWNER_MAX_DESTS][256], why[256], *s, *out;
	size_t	 i;
	int	 pull, n;

	/* NUL-terminated copy: the query functions take lengths, the
	 * results are checked as strings. */
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_filters(s, size);
	if ((out = owner_query(OWN_BUILD, s, size, LBL, OWN, why,
	    sizeof(why))) != NULL)
		free(out);
	n = owner_dest_names("POST", "/build", 6, s, size, names,
	    OWNER_MAX_DESTS, &pull);
	for (i = 0; n > 0 && i < (size_t)n; i++)
		if (strlen(names[i]) == 0 || strlen(names[i]) > 255)
			abort();
	(void)owner_dest_names("POST", "/images/create", 14, s, size, names,
	    OWNER_MAX_DESTS, &pull);
	(void)owner_changes_check(s, size, LBL, why, sizeof(why));
	check_body(s, size);
	free(s);
	return 0;
}
