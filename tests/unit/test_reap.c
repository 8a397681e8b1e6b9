/*
 * Unit tests for the pure parts of `sockguard reap` (reap.c): which owner
 * values are accepted, the encoded label filter, the label check of each
 * listed object, and the label the rules' profiles imply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "owner.h"
#include "reap.h"
#include "rules.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Owner values: the daemon's character rule, 1..128 bytes. */
static void
test_owner_check(void **state)
{
	static const struct {
		const char	*owner;
		int		 ok;
	} cases[] = {
		{ "job-a", 1 },
		{ "a", 1 },
		{ "ci-1000", 1 },
		{ "alice@example.com", 1 },
		{ "A.b_c:d/e+f-g", 1 },
		{ "", 0 },
		{ "job a", 0 },
		{ "job-a$", 0 },
		{ "${uid}", 0 },
		{ "a=b", 0 },		/* would split LABEL=OWNER oddly */
		{ "a,b", 0 },
		{ "a\"b", 0 },
		{ "a\\b", 0 },
		{ "a\tb", 0 },
		{ "a\nb", 0 },
		{ "caf\xc3\xa9", 0 },
		{ "a%2Fb", 0 },
		{ "*", 0 },
	};
	char	why[128], big[OWNER_MAX + 2];
	size_t	i;

	for (i = 0; i < nitems(cases); i++) {
		why[0] = '\0';
		if (cases[i].ok)
			assert_int_equal(owner_value_check(cases[i].owner, why,
			    sizeof(why)), 0);
		else {
			assert_int_equal(owner_value_check(cases[i].owner, why,
			    sizeof(why)), -1);
			assert_true(why[0] != '\0');
		}
	}
	memset(big, 'x', sizeof(big));
	big[OWNER_MAX] = '\0';
	assert_int_equal(owner_value_check(big, why, sizeof(why)), 0);
	big[OWNER_MAX] = 'x';
	big[OWNER_MAX + 1] = '\0';
	assert_int_equal(owner_value_check(big, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "128"));
}

/* The filter is JSON, every byte outside [A-Za-z0-9-._~] encoded. */
static void
test_filters(void **state)
{
	static const struct {
		const char	*label;
		const char	*owner;
		const char	*want;
	} cases[] = {
		{ "io.sockguard.owner", "job-a", "filters=%7B%22label%22%3A%5B%22"
		    "io.sockguard.owner%3Djob-a%22%5D%7D" },
		/* '+' must not reach dockerd as a space, nor '/' unencoded */
		{ "com.example/tenant", "a+b@c:d/e_f", "filters=%7B%22label%22%3A"
		    "%5B%22com.example%2Ftenant%3Da%2Bb%40c%3Ad%2Fe_f%22%5D%7D" },
	};
	char	out[256];
	size_t	i, n;

	for (i = 0; i < nitems(cases); i++) {
		assert_int_equal(reap_filters(cases[i].label, cases[i].owner,
		    out, sizeof(out)), 0);
		assert_string_equal(out, cases[i].want);
	}
	/* Exactly enough room, then one byte short. */
	n = strlen(cases[0].want);
	assert_int_equal(reap_filters(cases[0].label, cases[0].owner, out,
	    n + 1), 0);
	assert_string_equal(out, cases[0].want);
	assert_int_equal(reap_filters(cases[0].label, cases[0].owner, out, n),
	    -1);
	assert_string_equal(out, "");
	assert_int_equal(reap_filters(cases[0].label, cases[0].owner, out, 5),
	    -1);
	assert_string_equal(out, "");
}

/* An object is the owner's only with exactly the label and the value. */
static void
test_owned(void **state)
{
	static const struct {
		const char	*json;
		int		 owned;
	} cases[] = {
		{ "{\"Labels\":{\"l\":\"job-a\"}}", 1 },
		{ "{\"Id\":\"x\",\"Labels\":{\"m\":\"y\",\"l\":\"job-a\"}}", 1 },
		{ "{\"Labels\":{\"l\":\"job-a2\"}}", 0 },
		{ "{\"Labels\":{\"l\":\"job-\"}}", 0 },
		{ "{\"Labels\":{\"l\":\"JOB-A\"}}", 0 },
		{ "{\"Labels\":{\"l\":\"job-a \"}}", 0 },
		{ "{\"Labels\":{\"l\":\"\"}}", 0 },
		{ "{\"Labels\":{\"L\":\"job-a\"}}", 0 },
		{ "{\"Labels\":{\"l \":\"job-a\"}}", 0 },
		{ "{\"Labels\":{\"l\":1}}", 0 },
		{ "{\"Labels\":{\"l\":[\"job-a\"]}}", 0 },
		{ "{\"Labels\":{\"l\":null}}", 0 },
		{ "{\"Labels\":null}", 0 },
		{ "{\"Labels\":[\"l=job-a\"]}", 0 },
		{ "{\"labels\":{\"l\":\"job-a\"}}", 0 },
		{ "{\"l\":\"job-a\"}", 0 },
		{ "{}", 0 },
		{ "[{\"Labels\":{\"l\":\"job-a\"}}]", 0 },
	};
	json_t	*j;
	size_t	 i;

	for (i = 0; i < nitems(cases); i++) {
		j = json_loads(cases[i].json, 0, NULL);
		assert_non_null(j);
		assert_int_equal(reap_owned(j, "l", "job-a"), cases[i].owned);
		json_decref(j);
	}
	assert_int_equal(reap_owned(NULL, "l", "job-a"), 0);
}

/* The label of the rules: the default, the one used, or a conflict. */
static void
test_rules_label(void **state)
{
	static const struct {
		const char	*yaml;
		const char	*want;		/* NULL: a conflict */
	} cases[] = {
		{ "profiles: {p: {}}\n", OWNER_DEFAULT_LABEL },
		{ "profiles:\n  p: {}\n"
		  "  q: {ownership: {label: a.b/c, owner: \"${listener}\"}}\n",
		  "a.b/c" },
		{ "profiles:\n"
		  "  p: {ownership: {label: a.b, owner: \"${listener}\"}}\n"
		  "  q: {ownership: {label: a.b, owner: \"ci-${uid}\"}}\n",
		  "a.b" },
		/* no label: the default one */
		{ "profiles:\n  p: {ownership: {owner: \"${listener}\"}}\n",
		  OWNER_DEFAULT_LABEL },
		{ "profiles:\n  p: {ownership: {owner: \"${listener}\"}}\n"
		  "  q: {ownership: {label: a.b, owner: \"${listener}\"}}\n",
		  NULL },
		{ "profiles:\n"
		  "  p: {ownership: {label: a.b, owner: \"${listener}\"}}\n"
		  "  q: {}\n"
		  "  r: {ownership: {label: a.c, owner: \"${listener}\"}}\n",
		  NULL },
	};
	struct ruleset	*rs;
	const char	*got;
	char		 yaml[512], err[256], why[512];
	size_t		 i;

	for (i = 0; i < nitems(cases); i++) {
		snprintf(yaml, sizeof(yaml), "version: 1\ndefault_profile: p\n"
		    "%s", cases[i].yaml);
		if (rules_parse("r.yaml", (const unsigned char *)yaml,
		    strlen(yaml), &rs, err, sizeof(err)) == -1)
			fail_msg("case %zu: %s", i, err);
		why[0] = '\0';
		got = reap_rules_label(rs, why, sizeof(why));
		if (cases[i].want == NULL) {
			assert_null(got);
			assert_non_null(strstr(why, "r.yaml: profiles "));
			assert_non_null(strstr(why, "different ownership "
			    "labels"));
			/* what to do differs: -l, or the rules for
			 * reap_on_exit; each caller says it */
			assert_null(strstr(why, "-l"));
		} else
			assert_string_equal(got, cases[i].want);
		rules_free(rs);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_check),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_owned),
		cmocka_unit_test(test_rules_label),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
