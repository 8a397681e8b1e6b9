/* owner.c: owner values, routes, query and body rewriting, answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "identity.h"
#include "json.h"
#include "owner.h"

#define LBL	"io.sockguard.owner"

static json_t *
parse(const char *s)
{
	char	 why[128];
	json_t	*j = json_body_parse(s, strlen(s), 0, why, sizeof(why));

	if (j == NULL)
		fail_msg("bad test JSON: %s", why);
	return j;
}

/* Compact dump of j, for comparing (caller frees). */
static char *
dump(json_t *j)
{
	return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
}

static void
test_templates(void **state)
{
	char	why[256];

	assert_int_equal(owner_template_check("${listener}", why,
	    sizeof(why)), 0);
	assert_int_equal(owner_template_check("ci-${uid}-${gid}", why,
	    sizeof(why)), 0);
	assert_int_equal(owner_template_check("${cert_cn}", why,
	    sizeof(why)), 0);
	assert_int_equal(owner_template_check("", why, sizeof(why)), -1);
	assert_int_equal(owner_template_check("${bogus}", why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "bogus"));
	assert_int_equal(owner_template_check("${listener", why,
	    sizeof(why)), -1);
	assert_int_equal(owner_label_check(LBL, why, sizeof(why)), 0);
	assert_int_equal(owner_label_check("a=b", why, sizeof(why)), -1);
	assert_int_equal(owner_label_check("", why, sizeof(why)), -1);
}

static void
test_expand(void **state)
{
	struct identity	 u, t;
	char		 out[OWNER_MAX + 1], why[256];

	memset(&u, 0, sizeof(u));
	u.listener = "job-a";
	u.is_unix = 1;
	u.uid = 1000;
	u.gid = 50;
	memset(&t, 0, sizeof(t));
	t.listener = "0.0.0.0:2376";
	t.cert_cn = "runner-7";
	t.cert_fingerprint = "ab12";

	assert_int_equal(owner_expand("${listener}", &u, out, sizeof(out),
	    why, sizeof(why)), 0);
	assert_string_equal(out, "job-a");
	assert_int_equal(owner_expand("ci-${uid}.${gid}", &u, out,
	    sizeof(out), why, sizeof(why)), 0);
	assert_string_equal(out, "ci-1000.50");
	assert_int_equal(owner_expand("${cert_cn}", &t, out, sizeof(out), why,
	    sizeof(why)), 0);
	assert_string_equal(out, "runner-7");
	/* A unix client has no certificate, a TLS client no uid. */
	assert_int_equal(owner_expand("${cert_cn}", &u, out, sizeof(out), why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "cert_cn"));
	assert_int_equal(owner_expand("${uid}", &t, out, sizeof(out), why,
	    sizeof(why)), -1);
	/* A value a label filter could misread is refused. */
	t.cert_cn = "a,b";
	assert_int_equal(owner_expand("${cert_cn}", &t, out, sizeof(out), why,
	    sizeof(why)), -1);
	t.cert_cn = "";
	assert_int_equal(owner_expand("${cert_cn}", &t, out, sizeof(out), why,
	    sizeof(why)), -1);
	{
		char long_cn[200];

		memset(long_cn, 'x', sizeof(long_cn) - 1);
		long_cn[sizeof(long_cn) - 1] = '\0';
		t.cert_cn = long_cn;
		assert_int_equal(owner_expand("${cert_cn}", &t, out,
		    sizeof(out), why, sizeof(why)), -1);
	}
}

/*
 * A listener's one owner value (reap_on_exit): ${listener} from its name,
 * literal text, nothing that differs per client.
 */
static void
test_expand_listener(void **state)
{
	static const struct {
		const char	*tmpl;
		const char	*name;		/* NULL: no name */
		const char	*want;		/* NULL: refused */
		const char	*why;		/* a part of it */
	} cases[] = {
		{ "${listener}", "job-41", "job-41", NULL },
		{ "ci-${listener}.x", "a", "ci-a.x", NULL },
		{ "${listener}${listener}", "ab", "abab", NULL },
		{ "plain", NULL, "plain", NULL },
		{ "${listener}", NULL, NULL, "needs the listener to have a name" },
		{ "${uid}", "a", NULL, "${uid} differs from client to client" },
		{ "${gid}", "a", NULL, "${gid} differs" },
		{ "${cert_cn}", "a", NULL, "${cert_cn} differs" },
		{ "${cert_fingerprint}", "a", NULL, "differs" },
		{ "${cert_serial}", "a", NULL, "differs" },
		{ "${listener}-${uid}", "a", NULL, "${uid} differs" },
		{ "${bogus}", "a", NULL, "${bogus} is not a variable" },
		{ "${listener", "a", NULL, "unclosed" },
		{ "${listener}", "job 41", NULL, "\"job 41\" is refused" },
		{ "${listener}", "a,b", NULL, "is refused" },
		{ "", "a", NULL, "1 to 128 bytes" },
	};
	char	out[OWNER_MAX + 1], why[256];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (cases[i].want != NULL) {
			if (owner_expand_listener(cases[i].tmpl, cases[i].name,
			    out, sizeof(out), why, sizeof(why)) != 0)
				fail_msg("case %zu: %s", i, why);
			assert_string_equal(out, cases[i].want);
			continue;
		}
		assert_int_equal(owner_expand_listener(cases[i].tmpl,
		    cases[i].name, out, sizeof(out), why, sizeof(why)), -1);
		if (strstr(why, cases[i].why) == NULL)
			fail_msg("case %zu: \"%s\", want \"%s\"", i, why,
			    cases[i].why);
	}
	/* the client templates are unchanged: ${uid} is a variable there */
	assert_int_equal(owner_template_check("ci-${uid}", why, sizeof(why)),
	    0);
}

static void
check_route(const char *m, const char *route, enum owner_kind kind,
    const char *seg, int write)
{
	struct owner_route	o;

	owner_route(m, route, strlen(route), &o);
	if (o.kind != kind)
		fail_msg("%s %s: kind %d, want %d", m, route, o.kind, kind);
	if (seg != NULL) {
		assert_int_equal(o.seg_len, strlen(seg));
		assert_memory_equal(o.seg, seg, o.seg_len);
	}
	assert_int_equal(o.write, write);
}

static void
test_routes(void **state)
{
	check_route("GET", "/containers/json", OWN_FILTER, NULL, 0);
	check_route("POST", "/containers/prune", OWN_FILTER, NULL, 0);
	check_route("POST", "/containers/create", OWN_CREATE, NULL, 0);
	check_route("GET", "/containers/abc/json", OWN_CONTAINER, "abc", 0);
	check_route("POST", "/containers/abc/exec", OWN_CONTAINER, "abc", 0);
	check_route("DELETE", "/containers/abc", OWN_CONTAINER, "abc", 0);
	/* A container named "json" is still a container. */
	check_route("GET", "/containers/json/json", OWN_CONTAINER, "json", 0);
	check_route("POST", "/exec/e1/start", OWN_EXEC, "e1", 0);
	check_route("GET", "/volumes", OWN_FILTER, NULL, 0);
	check_route("POST", "/volumes/create", OWN_CREATE, NULL, 0);
	check_route("DELETE", "/volumes/v1", OWN_VOLUME, "v1", 0);
	check_route("POST", "/networks/n1/connect", OWN_NETWORK, "n1", 0);
	check_route("GET", "/images/json", OWN_ANSWER, NULL, 0);
	check_route("GET", "/system/df", OWN_ANSWER, NULL, 0);
	check_route("GET", "/images/reg:5000/a/b:1/json", OWN_IMAGE,
	    "reg:5000/a/b:1", 0);
	check_route("GET", "/images/a/history", OWN_IMAGE, "a", 0);
	check_route("GET", "/images/a/get", OWN_IMAGE, "a", 0);
	check_route("POST", "/images/a/b/tag", OWN_IMAGE, "a/b", 0);
	check_route("POST", "/images/a/push", OWN_IMAGE, "a", 0);
	check_route("DELETE", "/images/a/b:1", OWN_IMAGE, "a/b:1", 1);
	check_route("GET", "/images/get", OWN_SAVE, NULL, 0);
	check_route("POST", "/images/create", OWN_NONE, NULL, 0);
	check_route("POST", "/images/prune", OWN_FILTER, NULL, 0);
	check_route("POST", "/build", OWN_BUILD, NULL, 0);
	check_route("POST", "/commit", OWN_COMMIT, NULL, 0);
	check_route("GET", "/events", OWN_EVENTS, NULL, 0);
	check_route("GET", "/_ping", OWN_NONE, NULL, 0);
	check_route("GET", "/services", OWN_DENY, NULL, 0);
	check_route("POST", "/swarm/init", OWN_DENY, NULL, 0);
	check_route("POST", "/plugins/pull", OWN_DENY, NULL, 0);
	check_route("POST", "/build/prune", OWN_DENY, NULL, 0);
	check_route("GET", "/images/x", OWN_DENY, NULL, 0);
	/* An empty reference names nothing. */
	check_route("GET", "/containers//json", OWN_DENY, NULL, 0);
	/* The fixed words are routes with their own method only; with
	 * another, dockerd reads them as an object's name. */
	check_route("DELETE", "/containers/json", OWN_CONTAINER, "json", 0);
	check_route("DELETE", "/containers/create", OWN_CONTAINER, "create",
	    0);
	check_route("GET", "/containers/prune", OWN_CONTAINER, "prune", 0);
	check_route("GET", "/volumes/create", OWN_VOLUME, "create", 0);
	check_route("DELETE", "/volumes/prune", OWN_VOLUME, "prune", 0);
	check_route("DELETE", "/networks/create", OWN_NETWORK, "create", 0);
	check_route("GET", "/networks/prune", OWN_NETWORK, "prune", 0);
	check_route("DELETE", "/images/search", OWN_IMAGE, "search", 1);
	check_route("DELETE", "/images/get", OWN_IMAGE, "get", 1);
	check_route("DELETE", "/images/json", OWN_IMAGE, "json", 1);
	check_route("DELETE", "/images/create", OWN_IMAGE, "create", 1);
	check_route("GET", "/images/search", OWN_NONE, NULL, 0);
	/* A tar names images and labels sockguard does not read. */
	check_route("POST", "/images/load", OWN_DENY, NULL, 0);
}

static void
test_filters(void **state)
{
	char	why[256], *q;

	q = owner_query(OWN_FILTER, NULL, 0, LBL, "job-a", why, sizeof(why));
	assert_string_equal(q, "filters=%7B%22label%22%3A%7B%22"
	    "io.sockguard.owner%3Djob-a%22%3Atrue%7D%7D");
	free(q);
	/* The client's filters are kept (list form becomes map form). */
	q = owner_query(OWN_FILTER, "all=1&filters=%7B%22label%22%3A%5B%22x%3D1"
	    "%22%5D%2C%22status%22%3A%5B%22exited%22%5D%7D&size=1",
	    strlen("all=1&filters=%7B%22label%22%3A%5B%22x%3D1%22%5D%2C%22"
	    "status%22%3A%5B%22exited%22%5D%7D&size=1"), LBL, "job-a", why,
	    sizeof(why));
	assert_non_null(q);
	assert_non_null(strstr(q, "all=1&size=1&filters="));
	assert_non_null(strstr(q, "%22x%3D1%22%3Atrue"));
	/* dockerd refuses list and map forms mixed: all maps. */
	assert_non_null(strstr(q, "%22status%22%3A%7B%22exited%22%3Atrue%7D"));
	assert_non_null(strstr(q, "io.sockguard.owner%3Djob-a"));
	free(q);
	/* Two filters= (dockerd reads the first) or an encoded name. */
	assert_null(owner_query(OWN_FILTER, "filters=%7B%7D&filters=%7B%7D",
	    29, LBL, "job-a", why, sizeof(why)));
	assert_null(owner_query(OWN_FILTER, "filter%73=%7B%7D", 16, LBL,
	    "job-a", why, sizeof(why)));
	/* Not what dockerd reads. */
	assert_null(owner_query(OWN_FILTER, "filters=%5B%5D", 14, LBL,
	    "job-a", why, sizeof(why)));
	assert_null(owner_query(OWN_FILTER, "filters=%7B%22label%22%3A3%7D",
	    29, LBL, "job-a", why, sizeof(why)));
	assert_null(owner_query(OWN_FILTER, "filters=%7B%22a%22%3A%7B%22b%22"
	    "%3A1%7D%7D", 38, LBL, "job-a", why, sizeof(why)));
}

static void
test_build_labels(void **state)
{
	char	why[256], *q;

	q = owner_query(OWN_BUILD, "t=app&labels=%7B%22a%22%3A%22b%22%7D",
	    36, LBL, "job-a", why, sizeof(why));
	assert_non_null(q);
	assert_string_equal(q, "t=app&labels=%7B%22a%22%3A%22b%22%2C%22"
	    "io.sockguard.owner%22%3A%22job-a%22%7D&rm=1&forcerm=1");
	free(q);
	/* Build containers always go: rm and forcerm are forced. */
	q = owner_query(OWN_BUILD, "rm=0&forcerm=0&networkmode=default", 34,
	    LBL, "job-a", why, sizeof(why));
	assert_non_null(q);
	assert_string_equal(q, "networkmode=default&labels=%7B%22"
	    "io.sockguard.owner%22%3A%22job-a%22%7D&rm=1&forcerm=1");
	free(q);
	/* RUN steps may join only built-in networks. */
	assert_null(owner_query(OWN_BUILD, "networkmode=theirs", 18, LBL,
	    "job-a", why, sizeof(why)));
	assert_non_null(strstr(why, "default, bridge or none"));
	q = owner_query(OWN_BUILD, "networkmode=none", 16, LBL, "job-a", why,
	    sizeof(why));
	assert_non_null(q);
	free(q);
	assert_null(owner_query(OWN_BUILD, "networkmode=a&networkmode=none",
	    30, LBL, "job-a", why, sizeof(why)));
	q = owner_query(OWN_BUILD, "labels=%7B%22io.sockguard.owner%22%3A%22"
	    "job-b%22%7D", 51, LBL, "job-a", why, sizeof(why));
	assert_null(q);
	assert_non_null(strstr(why, "may only be job-a"));
	q = owner_query_set("container=web&repo=x", 20, "container",
	    "0123abc");
	assert_string_equal(q, "repo=x&container=0123abc");
	free(q);
}

static void
check_body(const char *in, int want, const char *out)
{
	char	 why[256], *got;
	json_t	*j = parse(in);

	assert_int_equal(owner_label_body(j, LBL, "job-a", why, sizeof(why)),
	    want);
	if (out != NULL) {
		got = dump(j);
		assert_string_equal(got, out);
		free(got);
	}
	json_decref(j);
}

static void
check_dests(const char *m, const char *route, const char *q, int want,
    const char *first, int pull)
{
	char	out[OWNER_MAX_DESTS][256];
	int	p, n;

	n = owner_dest_names(m, route, strlen(route), q, q != NULL ?
	    strlen(q) : 0, out, OWNER_MAX_DESTS, &p);
	if (n != want)
		fail_msg("%s %s?%s: %d names, want %d", m, route, q, n, want);
	if (first != NULL)
		assert_string_equal(out[0], first);
	if (n > 0)
		assert_int_equal(p, pull);
}

static void
test_dests(void **state)
{
	check_dests("POST", "/images/a/tag", "repo=b&tag=1", 1, "b:1", 0);
	check_dests("POST", "/images/a/tag", "repo=b", 1, "b", 0);
	check_dests("POST", "/build", "t=x%3A1&t=y&q=1", 2, "x:1", 0);
	check_dests("POST", "/build", "q=1", 0, NULL, 0);
	check_dests("POST", "/commit", "container=c&repo=r&tag=2", 1, "r:2",
	    0);
	check_dests("POST", "/images/create", "fromImage=busybox&tag=1", 1,
	    "busybox:1", 1);
	check_dests("POST", "/images/create", "fromSrc=-&repo=imp&tag=1", 1,
	    "imp:1", 0);
	/* A digest names content, not a name to take over. */
	check_dests("POST", "/images/create", "fromImage=b&tag=sha256%3A00",
	    0, NULL, 0);
	check_dests("GET", "/build", "t=x", 0, NULL, 0);
	/* A pull without a tag pulls (and retags) every tag: refused. */
	check_dests("POST", "/images/create", "fromImage=reg%3A5000%2Fapp&tag=",
	    -2, NULL, 0);
	check_dests("POST", "/images/create", "fromImage=app", -2, NULL, 0);
	check_dests("POST", "/images/create", "fromImage=reg%3A5000%2Fapp%3Av1"
	    "&tag=", 1, "reg:5000/app:v1", 1);
	check_dests("POST", "/images/create", "fromImage=app%40sha256%3A00",
	    1, NULL, 1);
	/* Encoded parameter names, repeated tag=, too many names. */
	check_dests("POST", "/build", "%74=x", -1, NULL, 0);
	check_dests("POST", "/images/a/tag", "repo=b&tag=1&tag=2", -1, NULL,
	    0);
	check_dests("POST", "/build", "t=1&t=2&t=3&t=4&t=5&t=6&t=7&t=8&t=9",
	    -1, NULL, 0);
}

static void
test_changes(void **state)
{
	char	why[256], *q;

#define CHANGES(q) owner_changes_check(q, strlen(q), LBL, why, sizeof(why))

	assert_int_equal(CHANGES("changes=ENV%20A%3D1&changes="
	    "CMD%20sh"), 0);
	assert_int_equal(CHANGES("changes=LABEL%20io.sockguard."
	    "owner%3Djob-b"), -1);
	/* Quotes, escapes and case cannot hide the key. */
	assert_int_equal(CHANGES("changes=LABEL%20%22IO.sockguard"
	    "%5C.owner%22%3Dx"), -1);
	assert_int_equal(CHANGES("changes=x&changes=%zz"), -1);
	/* Variables, escapes (line continuation into sockguard's own LABEL
	 * line), line breaks and directives are not let in. */
	assert_int_equal(CHANGES("changes=LABEL%20io.sock%24%7BX%7Dguard."
	    "owner%3Djob-a"), -1);
	assert_int_equal(CHANGES("changes=ENV%20X%3D%5C"), -1);
	assert_int_equal(CHANGES("changes=ENV%20X%3D1%0ALABEL%20a%3Db"), -1);
	assert_int_equal(CHANGES("changes=%20%23%20escape%3D%60"), -1);
	assert_int_equal(CHANGES("changes=ENV%20X%3D%60"), -1);
	assert_int_equal(CHANGES("changes=LABEL%20a%3D%22b%20c%22"), 0);
	q = owner_import_query("fromSrc=-&repo=i", 16, LBL, "job-a");
	assert_string_equal(q, "fromSrc=-&repo=i&changes=LABEL%20"
	    "io.sockguard.owner%3Djob-a");
	free(q);
}

static void
test_label_body(void **state)
{
	check_body("{}", 1, "{\"Labels\":{\"io.sockguard.owner\":\"job-a\"}}");
	check_body("{\"Labels\":null}", 1,
	    "{\"Labels\":{\"io.sockguard.owner\":\"job-a\"}}");
	/* Found the way Go finds it: no second, competing key. */
	check_body("{\"labels\":{\"x\":\"1\"}}", 1,
	    "{\"labels\":{\"io.sockguard.owner\":\"job-a\",\"x\":\"1\"}}");
	check_body("{\"LABELS\":null}", 1,
	    "{\"LABELS\":{\"io.sockguard.owner\":\"job-a\"}}");
	check_body("{\"Labels\":{\"io.sockguard.owner\":\"job-a\"}}", 0, NULL);
	check_body("{\"Labels\":{\"io.sockguard.owner\":\"job-b\"}}", -1, NULL);
	check_body("{\"Labels\":{\"io.sockguard.owner\":1}}", -1, NULL);
	check_body("{\"Labels\":[]}", -1, NULL);
	check_body("null", 0, NULL);
	assert_int_equal(owner_label_body(NULL, LBL, "job-a", NULL, 0), 0);
}

static void
test_refs(void **state)
{
	struct owner_ref	 r[8];
	json_t			*j;
	char			*s;
	size_t			 n;

	j = parse("{\"Image\":\"app:1\",\"HostConfig\":{"
	    "\"Binds\":[\"/srv/x:/x\",\"data:/d:ro\",\"/anon\"],"
	    "\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"cache\"},"
	    "{\"Type\":\"bind\",\"Source\":\"/y\"},{\"Type\":\"volume\"}],"
	    "\"NetworkMode\":\"back\"},\"NetworkingConfig\":{"
	    "\"EndpointsConfig\":{\"back\":{},\"front\":{},\"bridge\":{}}}}");
	n = owner_refs("/containers/create", 18, j, r, 8);
	assert_int_equal(n, 5);
	assert_int_equal(r[0].kind, OREF_IMAGE);
	assert_string_equal(r[0].name, "app:1");
	assert_int_equal(r[1].kind, OREF_VOLUME);
	assert_string_equal(r[1].name, "data");
	assert_int_equal(r[2].kind, OREF_VOLUME);
	assert_string_equal(r[2].name, "cache");
	assert_int_equal(r[3].kind, OREF_NETWORK);
	assert_string_equal(r[3].name, "back");
	assert_int_equal(r[4].kind, OREF_NETWORK);
	assert_string_equal(r[4].name, "front");
	/* Counted past max. */
	assert_int_equal(owner_refs("/containers/create", 18, j, r, 2), 5);
	json_decref(j);

	j = parse("{\"HostConfig\":{\"NetworkMode\":\"container:web\"}}");
	assert_int_equal(owner_refs("/containers/create", 18, j, r, 8), 0);
	json_decref(j);

	j = parse("{\"Container\":\"web\",\"EndpointConfig\":{}}");
	n = owner_refs("/networks/n1/connect", 20, j, r, 8);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].kind, OREF_CONTAINER);
	assert_ptr_equal(r[0].node, json_object_get(j, "Container"));
	assert_int_equal(owner_refs("/networks/n1/disconnect", 23, j, r, 8),
	    1);
	assert_int_equal(owner_refs("/networks/n1", 12, j, r, 8), 0);
	json_decref(j);

	/* A volume create's name must be free or the client's. */
	j = parse("{\"Name\":\"data\"}");
	n = owner_refs("/volumes/create", 15, j, r, 8);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].kind, OREF_NEW_VOLUME);
	assert_int_equal(owner_ref_object(r[0].kind), OWN_VOLUME);
	assert_string_equal(r[0].name, "data");
	assert_int_equal(owner_create_body("/volumes/create", 15, j), 0);
	json_decref(j);
	j = parse("{}");
	assert_int_equal(owner_refs("/volumes/create", 15, j, r, 8), 0);
	json_decref(j);
	/* A network create always checks for duplicates, however the
	 * client spelled the field. */
	j = parse("{\"Name\":\"n\",\"checkDuplicate\":false}");
	assert_int_equal(owner_create_body("/networks/create", 16, j), 1);
	s = dump(j);
	assert_string_equal(s, "{\"CheckDuplicate\":true,\"Name\":\"n\"}");
	free(s);
	json_decref(j);

	/* dockerd attaches to an endpoint's NetworkID, whatever the key or
	 * path names: checked too (any case, as dockerd reads it). */
	j = parse("{\"Container\":\"web\",\"EndpointConfig\":"
	    "{\"networkid\":\"a1b2\"}}");
	n = owner_refs("/networks/n1/connect", 20, j, r, 8);
	assert_int_equal(n, 2);
	assert_int_equal(r[1].kind, OREF_NETWORK);
	assert_string_equal(r[1].name, "a1b2");
	json_decref(j);
	j = parse("{\"HostConfig\":{\"NetworkMode\":\"mine\"},"
	    "\"NetworkingConfig\":{\"EndpointsConfig\":{\"mine\":"
	    "{\"NetworkID\":\"theirs\"},\"bridge\":{\"NetworkID\":"
	    "\"c3d4\"}}}}");
	n = owner_refs("/containers/create", 18, j, r, 8);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].name, "mine");
	assert_string_equal(r[1].name, "theirs");
	assert_string_equal(r[2].name, "c3d4");
	json_decref(j);
}

static void
test_check(void **state)
{
	const char	*id;
	char		 why[256];
	json_t		*c, *img, *v;

	c = parse("{\"Id\":\"c1\",\"Name\":\"/web\",\"Config\":{\"Labels\":"
	    "{\"io.sockguard.owner\":\"job-a\"}}}");
	assert_int_equal(owner_check(OWN_CONTAINER, c, "ref", LBL, "job-a", 0, &id,
	    why, sizeof(why)), 1);
	assert_string_equal(id, "c1");
	assert_int_equal(owner_check(OWN_CONTAINER, c, "ref", LBL, "job-b", 0, &id,
	    why, sizeof(why)), 0);
	assert_non_null(strstr(why, "container ref is not this client's"));
	/* An owner value that is only a prefix is not the owner. */
	assert_int_equal(owner_check(OWN_CONTAINER, c, "ref", LBL, "job-", 0, &id,
	    why, sizeof(why)), 0);
	json_decref(c);

	img = parse("{\"Id\":\"sha256:1\",\"RepoTags\":[\"busybox:1\"],"
	    "\"Config\":{\"Labels\":null}}");
	assert_int_equal(owner_check(OWN_IMAGE, img, "ref", LBL, "job-a", 0, &id,
	    why, sizeof(why)), 1);
	assert_null(id);
	assert_int_equal(owner_check(OWN_IMAGE, img, "ref", LBL, "job-a", 1, &id,
	    why, sizeof(why)), 0);
	assert_non_null(strstr(why, "shared"));
	json_decref(img);
	/* Pulled by digest only: shared. */
	img = parse("{\"Id\":\"sha256:1\",\"RepoTags\":[],\"RepoDigests\":"
	    "[\"busybox@sha256:2\"],\"Config\":{}}");
	assert_int_equal(owner_check(OWN_IMAGE, img, "ref", LBL, "job-a", 0, &id,
	    why, sizeof(why)), 1);
	json_decref(img);
	/* Unlabelled and unnamed: a step of someone's classic build. */
	img = parse("{\"Id\":\"sha256:1\",\"RepoTags\":[],\"RepoDigests\":"
	    "[],\"Parent\":\"sha256:0\",\"Config\":{\"Labels\":null}}");
	assert_int_equal(owner_check(OWN_IMAGE, img, "ref", LBL, "job-a", 0, &id,
	    why, sizeof(why)), 0);
	assert_non_null(strstr(why, "nobody's"));
	json_decref(img);

	v = parse("{\"Name\":\"data\",\"Labels\":{\"io.sockguard.owner\":"
	    "\"job-b\"}}");
	assert_int_equal(owner_check(OWN_VOLUME, v, "ref", LBL, "job-a", 1, &id,
	    why, sizeof(why)), 0);
	assert_int_equal(owner_check(OWN_VOLUME, v, "ref", LBL, "job-b", 1, &id,
	    why, sizeof(why)), 1);
	/* A network without an Id is a malformed answer. */
	assert_int_equal(owner_check(OWN_NETWORK, v, "ref", LBL, "job-b", 1, &id,
	    why, sizeof(why)), -1);
	json_decref(v);
	assert_int_equal(owner_check(OWN_VOLUME, NULL, "ref", LBL, "job-b", 1, &id,
	    why, sizeof(why)), -1);
}

static void
test_answers(void **state)
{
	char	*s;
	json_t	*a;

	/* Shared: unlabelled with a name; an unnamed one ("<none>") is a
	 * build step and nobody's. */
	a = parse("[{\"Id\":\"1\",\"Labels\":null,\"RepoTags\":[\"a:1\"]},"
	    "{\"Id\":\"2\",\"Labels\":{\"io.sockguard.owner\":\"job-a\"}},"
	    "{\"Id\":\"3\",\"Labels\":{\"io.sockguard.owner\":\"job-b\"}},"
	    "{\"Id\":\"4\",\"RepoDigests\":[\"b@sha256:4\"]},{\"Id\":\"5\","
	    "\"RepoTags\":[\"<none>:<none>\"],\"RepoDigests\":"
	    "[\"<none>@<none>\"]},{\"Id\":\"6\"}]");
	assert_int_equal(owner_filter_answer("/images/json", 12, a, LBL,
	    "job-a"), 0);
	s = dump(a);
	assert_string_equal(s, "[{\"Id\":\"1\",\"Labels\":null,\"RepoTags\":"
	    "[\"a:1\"]},{\"Id\":\"2\",\"Labels\":{\"io.sockguard.owner\":"
	    "\"job-a\"}},{\"Id\":\"4\",\"RepoDigests\":[\"b@sha256:4\"]}]");
	free(s);
	json_decref(a);

	a = parse("{\"LayersSize\":1,\"Images\":[{\"Labels\":{},"
	    "\"RepoTags\":[\"a:1\"]},{\"Labels\":{}}],"
	    "\"Containers\":[{\"Id\":\"a\",\"Labels\":{\"io.sockguard.owner\":"
	    "\"job-a\"}},{\"Id\":\"b\",\"Labels\":{}}],\"Volumes\":[{\"Name\":"
	    "\"v\",\"Labels\":null}],\"BuildCache\":[{\"ID\":\"x\"}]}");
	assert_int_equal(owner_filter_answer("/system/df", 10, a, LBL,
	    "job-a"), 0);
	s = dump(a);
	assert_string_equal(s, "{\"BuildCache\":[],\"Containers\":[{\"Id\":"
	    "\"a\",\"Labels\":{\"io.sockguard.owner\":\"job-a\"}}],\"Images\":"
	    "[{\"Labels\":{},\"RepoTags\":[\"a:1\"]}],\"LayersSize\":1,"
	    "\"Volumes\":[]}");
	free(s);
	json_decref(a);
	a = parse("{\"Images\":3}");
	assert_int_equal(owner_filter_answer("/system/df", 10, a, LBL,
	    "job-a"), -1);
	assert_int_equal(owner_filter_answer("/images/json", 12, a, LBL,
	    "job-a"), -1);
	json_decref(a);
}

static void
test_events(void **state)
{
	json_t	*e;

	e = parse("{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{"
	    "\"ID\":\"c\",\"Attributes\":{\"io.sockguard.owner\":\"job-a\"}}}");
	assert_true(owner_event_visible(e, LBL, "job-a"));
	assert_false(owner_event_visible(e, LBL, "job-b"));
	json_decref(e);
	e = parse("{\"Type\":\"network\",\"Action\":\"create\",\"Actor\":{"
	    "\"ID\":\"n\",\"Attributes\":{\"io.sockguard.owner\":\"job-a\"}}}");
	assert_false(owner_event_visible(e, LBL, "job-a"));
	json_decref(e);
	e = parse("{\"status\":\"start\",\"id\":\"c\"}");
	assert_false(owner_event_visible(e, LBL, "job-a"));
	json_decref(e);
	e = parse("{\"Type\":\"image\",\"Action\":\"tag\",\"Actor\":{"
	    "\"Attributes\":{\"name\":\"busybox\"}}}");
	assert_false(owner_event_visible(e, LBL, "job-a"));
	json_decref(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_listener),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_build_labels),
		cmocka_unit_test(test_dests),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_label_body),
		cmocka_unit_test(test_refs),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
