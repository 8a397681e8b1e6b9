/*
 * Unit tests for strict JSON body decoding (json.c): bodies accepted and
 * refused, Go's key folding, field lookups and the typed getters.  Most
 * tests are tables.  What Go 1.19's encoding/json does with a case is
 * noted where it is the reason for the expectation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "json.h"

/* A buffer that may hold NUL bytes, for the tables. */
#define BUF(s)		s, sizeof(s) - 1

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* The two non-ASCII code points that Go folds onto ASCII, as UTF-8. */
#define LONG_S		"\xc5\xbf"	/* U+017F, folds to 's' */
#define KELVIN		"\xe2\x84\xaa"	/* U+212A, folds to 'k' */

/* What docker run -d --name web -e A=1 -l ... -v ... nginx sends. */
#define CREATE_BODY \
	"{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\"," \
	"\"AttachStdin\":false,\"AttachStdout\":false," \
	"\"AttachStderr\":false,\"ExposedPorts\":{\"80/tcp\":{}}," \
	"\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false," \
	"\"Env\":[\"A=1\",\"PATH=/usr/bin\"]," \
	"\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"]," \
	"\"Image\":\"nginx:latest\",\"Volumes\":{},\"WorkingDir\":\"\"," \
	"\"Entrypoint\":null,\"OnBuild\":null," \
	"\"Labels\":{\"com.example.team\":\"web\",\"tier\":\"front\"}," \
	"\"HostConfig\":{\"Binds\":[\"/srv/data:/data:ro\"]," \
	"\"ContainerIDFile\":\"\",\"LogConfig\":{\"Type\":\"\"," \
	"\"Config\":{}},\"NetworkMode\":\"default\"," \
	"\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\"," \
	"\"HostPort\":\"8080\"}]},\"RestartPolicy\":{\"Name\":\"no\"," \
	"\"MaximumRetryCount\":0},\"AutoRemove\":false," \
	"\"VolumeDriver\":\"\",\"VolumesFrom\":null," \
	"\"CapAdd\":[\"NET_ADMIN\"],\"CapDrop\":null,\"CgroupnsMode\":\"\"," \
	"\"Dns\":[],\"DnsOptions\":[],\"DnsSearch\":[],\"ExtraHosts\":null," \
	"\"GroupAdd\":null,\"IpcMode\":\"\",\"Cgroup\":\"\",\"Links\":null," \
	"\"OomScoreAdj\":0,\"PidMode\":\"\",\"Privileged\":false," \
	"\"PublishAllPorts\":false,\"ReadonlyRootfs\":false," \
	"\"SecurityOpt\":null,\"UTSMode\":\"\",\"UsernsMode\":\"\"," \
	"\"ShmSize\":0,\"ConsoleSize\":[0,0],\"Isolation\":\"\"," \
	"\"CpuShares\":0,\"Memory\":268435456,\"NanoCpus\":0," \
	"\"CgroupParent\":\"\",\"BlkioWeight\":0,\"BlkioWeightDevice\":[]," \
	"\"BlkioDeviceReadBps\":null,\"BlkioDeviceWriteBps\":null," \
	"\"BlkioDeviceReadIOps\":null,\"BlkioDeviceWriteIOps\":null," \
	"\"CpuPeriod\":0,\"CpuQuota\":0,\"CpuRealtimePeriod\":0," \
	"\"CpuRealtimeRuntime\":0,\"CpusetCpus\":\"\",\"CpusetMems\":\"\"," \
	"\"Devices\":[],\"DeviceCgroupRules\":null,\"DeviceRequests\":null," \
	"\"KernelMemory\":0,\"KernelMemoryTCP\":0,\"MemoryReservation\":0," \
	"\"MemorySwap\":0,\"MemorySwappiness\":null," \
	"\"OomKillDisable\":false,\"PidsLimit\":null,\"Ulimits\":null," \
	"\"CpuCount\":0,\"CpuPercent\":0,\"IOMaximumIOps\":0," \
	"\"IOMaximumBandwidth\":0,\"Mounts\":[{\"Type\":\"volume\"," \
	"\"Source\":\"v\",\"Target\":\"/v\"},{\"Type\":\"bind\"," \
	"\"Source\":\"/srv/www\",\"Target\":\"/www\",\"ReadOnly\":true}]," \
	"\"MaskedPaths\":null,\"ReadonlyPaths\":null}," \
	"\"NetworkingConfig\":{\"EndpointsConfig\":{\"frontnet\":" \
	"{\"IPAMConfig\":null,\"Links\":null,\"Aliases\":[\"web\"]}}}}"

/* A body and whether the top level must be an object. */
struct body {
	const char	*text;
	size_t		 len;		/* 0: strlen(text) */
	int		 want_object;
	const char	*msg;		/* refused: part of the reason */
};

/* Parses b; returns the value or NULL with the reason in why. */
static json_t *
parse(const struct body *b, char *why, size_t whylen)
{
	size_t	len = b->len != 0 ? b->len : strlen(b->text);

	return json_body_parse(b->text, len, b->want_object, why, whylen);
}

/* Parses a NUL-terminated body that must be accepted. */
static json_t *
parse_ok(const char *text, int want_object)
{
	json_t	*v;
	char	 why[256] = "";

	v = json_body_parse(text, strlen(text), want_object, why, sizeof(why));
	if (v == NULL)
		fail_msg("refused: %s\n--- input:\n%s", why, text);
	return v;
}

/* Compact text of v (or "(null)"), for comparing values; caller frees. */
static char *
dump(const json_t *v)
{
	if (v == NULL)
		return strdup("(null)");
	return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

/* Checks that the reason is a NUL-terminated line of printable ASCII. */
static void
assert_printable(const char *why, size_t whylen)
{
	size_t	i;

	for (i = 0; i < whylen && why[i] != '\0'; i++)
		if ((unsigned char)why[i] < 0x20 ||
		    (unsigned char)why[i] >= 0x7f)
			fail_msg("byte %zu of the reason is 0x%02x: %s", i,
			    (unsigned char)why[i], why);
	assert_true(i < whylen);
	assert_true(i > 0);
}

static const struct body accepted[] = {
	{ BUF(CREATE_BODY), 1, NULL },
	{ BUF("{}"), 1, NULL },
	{ BUF(" \t\r\n{ \"Image\" : \"x\" }\r\n\t "), 1, NULL },
	/* the same key in different objects */
	{ BUF("{\"Type\":\"a\",\"Mounts\":[{\"Type\":\"b\"},"
	    "{\"Type\":\"c\"}]}"), 1, NULL },
	/* one spelling each: Go maps both to HostConfig and KernelMemory */
	{ BUF("{\"Ho" LONG_S "tConfig\":{\"" KELVIN "ernelMemory\":1}}"),
	    1, NULL },
	{ BUF("{\"Ho\\u017ftConfig\":{\"\\u212Aernelmemory\":1}}"), 1, NULL },
	/*
	 * Keys that fold together only off ASCII, or not at all: no Docker
	 * field has such a name, and Go compares map keys exactly.
	 */
	{ BUF("{\"\xc3\xa9\":1,\"\xc3\x89\":2}"), 1, NULL },	/* é É */
	{ BUF("{\"\xc3\xa5\":1,\"\xe2\x84\xab\":2}"), 1, NULL }, /* å Å */
	{ BUF("{\"i\":1,\"\xc4\xb1\":2,\"\xc4\xb0\":3}"), 1, NULL }, /* ı İ */
	{ BUF("{\"ss\":1,\"\xc3\x9f\":2,\"s\":3}"), 1, NULL },	/* ß */
	{ BUF("{\"@\":1,\"`\":2,\"[\":3,\"{\":4,\"^\":5,\"~\":6}"), 1, NULL },
	{ BUF("{\"a_b\":1,\"a-b\":2,\"ab\":3}"), 1, NULL },
	/* strings Go reads the same way */
	{ BUF("{\"a\":\"\\ud83d\\ude00 \\u00e9 \\/ \\u0001 \x7f\"}"), 1, NULL },
	{ BUF("{\"a\":\"\xef\xbf\xbf\xef\xbf\xbd\xf4\x8f\xbf\xbf\"}"), 1,
	    NULL },
	/* other shapes, for the few endpoints that take them */
	{ BUF("[]"), 0, NULL },
	{ BUF("[1,{\"a\":1},[\"x\"]]"), 0, NULL },
	{ BUF("\"str\""), 0, NULL },
	{ BUF("12"), 0, NULL },
	{ BUF("true"), 0, NULL },
	{ BUF("null"), 0, NULL },
	{ BUF("{\"a\":1}"), 0, NULL },
};

static const struct body refused[] = {
	/* 0. exact duplicates (jansson's JSON_REJECT_DUPLICATES) */
	{ BUF("{\"Image\":\"a\",\"Image\":\"b\"}"), 1, "duplicate object key" },
	{ BUF("{\"Image\":\"a\",\"\\u0049mage\":\"b\"}"), 1,
	    "duplicate object key" },
	{ BUF("{\"HostConfig\":{\"Privileged\":false,\"Privileged\":true}}"),
	    1, "duplicate object key" },
	/* 3. duplicates by ASCII case, at any depth */
	{ BUF("{\"HostConfig\":{\"Privileged\":false,\"privileged\":true}}"),
	    1, "repeats the key" },
	{ BUF("{\"HostConfig\":{\"privileged\":true,\"Privileged\":false}}"),
	    1, "repeats the key" },
	{ BUF("{\"HostConfig\":{},\"hostconfig\":{\"Privileged\":true}}"), 1,
	    "repeats the key \"HostConfig\" as \"hostconfig\"" },
	{ BUF("{\"HostConfig\":{\"Mounts\":[{\"Type\":\"volume\","
	    "\"TYPE\":\"bind\"}]}}"), 1, "repeats the key" },
	{ BUF("{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":"
	    "{\"Aliases\":[],\"aliases\":[]}}}}"), 1, "repeats the key" },
	/* 8. map-typed values too: Go would keep both labels (see json.h) */
	{ BUF("{\"Labels\":{\"a\":\"1\",\"A\":\"2\"}}"), 1, "repeats the key" },
	/* 9. U+017F and U+212A, raw and escaped, either hex case */
	{ BUF("{\"HostConfig\":{},\"Ho" LONG_S "tConfig\":{}}"), 1,
	    "repeats the key" },
	{ BUF("{\"HostConfig\":{},\"Ho\\u017ftConfig\":{}}"), 1,
	    "repeats the key" },
	{ BUF("{\"HostConfig\":{},\"HO\\u017FTCONFIG\":{}}"), 1,
	    "repeats the key" },
	{ BUF("{\"HostConfig\":{\"KernelMemory\":0,\"" KELVIN
	    "ernelMemory\":1}}"), 1, "repeats the key" },
	{ BUF("{\"HostConfig\":{\"KernelMemory\":0,"
	    "\"\\u212aernelmemory\":1}}"), 1, "repeats the key" },
	{ BUF("{\"HostConfig\":{\"Sysctls\":{},\"Sy" LONG_S "ctl"
	    "\\u017f\":{}}}"), 1, "repeats the key" },
	{ BUF("{\"" LONG_S "\":1,\"\\u017f\":2}"), 1, "duplicate object key" },
	{ BUF("{\"" KELVIN "\":1,\"k\":2}"), 1, "repeats the key" },
	/* big enough to be sorted: the order must agree with folding */
	{ BUF("{\"s\":1,\"\xc5\x80\":2,\"\xc5\x81\":3,\"\xc5\x82\":4,"
	    "\"\xc5\x83\":5,\"\xc5\x84\":6,\"\xc5\x85\":7,\"\xc5\x86\":8,"
	    "\"" LONG_S "\":9}"), 1, "repeats the key" },
	{ BUF("{\"K\":1,\"\xe2\x84\x80\":2,\"\xe2\x84\x81\":3,"
	    "\"\xe2\x84\x82\":4,\"\xe2\x84\x83\":5,\"\xe2\x84\x84\":6,"
	    "\"\xe2\x84\x85\":7,\"\xe2\x84\x86\":8,\"" KELVIN "\":9}"), 1,
	    "repeats the key" },
	/* 19. invalid UTF-8: overlong, surrogate, too big, truncated, stray */
	{ BUF("{\"Image\":\"\xc0\x80\"}"), 1, "unable to decode byte 0xc0" },
	{ BUF("{\"Image\":\"\xc1\xbf\"}"), 1, "unable to decode byte 0xc1" },
	{ BUF("{\"Image\":\"\xe0\x80\xaf\"}"), 1, "unable to decode byte" },
	{ BUF("{\"Image\":\"\xf0\x80\x80\xaf\"}"), 1, "unable to decode byte" },
	{ BUF("{\"Image\":\"\xed\xa0\x80\"}"), 1, "unable to decode byte" },
	{ BUF("{\"Image\":\"\xed\xbf\xbf\"}"), 1, "unable to decode byte" },
	{ BUF("{\"Image\":\"\xf4\x90\x80\x80\"}"), 1, "unable to decode byte" },
	{ BUF("{\"Image\":\"\xf8\x88\x80\x80\x80\"}"), 1,
	    "unable to decode byte" },
	{ BUF("{\"Image\":\"\xe2\x84\"}"), 1, "unable to decode byte" },
	{ BUF("{\"Image\":\"\xc5\"}"), 1, "unable to decode byte" },
	{ BUF("{\"Image\":\"\x80\"}"), 1, "unable to decode byte 0x80" },
	{ BUF("{\"Image\":\"\xff\"}"), 1, "unable to decode byte 0xff" },
	{ BUF("{\"Ima\xc5ge\":\"x\"}"), 1, "unable to decode byte" },
	{ BUF("{\"Image\":\"x\"}\xc5\xbf"), 1, "" },
	{ BUF("{\"Image\":\"x\xe2\x84\xaa"), 1, "" },
	/* 34. lone and unpaired surrogate escapes (Go: U+FFFD) */
	{ BUF("{\"Image\":\"\\ud800\"}"), 1, "invalid Unicode" },
	{ BUF("{\"Image\":\"\\uDBFF\"}"), 1, "invalid Unicode" },
	{ BUF("{\"Image\":\"\\udc00\"}"), 1, "invalid Unicode" },
	{ BUF("{\"Image\":\"\\udfff\\ud800\"}"), 1, "invalid Unicode" },
	{ BUF("{\"Image\":\"\\ud800\\u0041\"}"), 1, "invalid Unicode" },
	{ BUF("{\"Image\":\"\\ud800\\ud800\"}"), 1, "invalid Unicode" },
	{ BUF("{\"Image\":\"\\ud800x\"}"), 1, "invalid Unicode" },
	{ BUF("{\"\\ud800\":\"x\"}"), 1, "invalid Unicode" },
	/* 42. NUL, escaped or raw (Go accepts \u0000; we fail closed) */
	{ BUF("{\"Image\":\"a\\u0000b\"}"), 1, "JSON_ALLOW_NUL" },
	{ BUF("{\"Ima\\u0000ge\":\"x\"}"), 1, "NUL byte in object key" },
	{ BUF("{\"Image\":\"a\0b\"}"), 1, "control character 0x0" },
	{ BUF("{\"Image\":\"a\x1f\"}"), 1, "control character 0x1f" },
	/* 46. anything but whitespace after the value */
	{ BUF("{}{}"), 1, "end of file expected" },
	{ BUF("{} {\"HostConfig\":{\"Privileged\":true}}"), 1,
	    "end of file expected" },
	{ BUF("{}x"), 1, "end of file expected" },
	{ BUF("{},"), 1, "end of file expected" },
	{ BUF("{}\0"), 1, "end of file expected" },
	{ BUF("{}\f"), 1, "end of file expected" },
	{ BUF("{}\xc2\xa0"), 1, "" },
	{ BUF("1 2"), 0, "end of file expected" },
	/* 54. shape */
	{ BUF("[]"), 1, "must be an object" },
	{ BUF("[{\"Image\":\"x\"}]"), 1, "must be an object" },
	{ BUF("\"x\""), 1, "must be an object" },
	{ BUF("1"), 1, "must be an object" },
	{ BUF("true"), 1, "must be an object" },
	{ BUF("null"), 1, "must be an object" },
	{ "", 0, 1, "the JSON body is empty" },
	{ "", 0, 0, "the JSON body is empty" },
	{ BUF(" \r\n\t"), 1, "unexpected token" },
	{ BUF("\xef\xbb\xbf{}"), 1, "invalid token" }, /* Go refuses too */
	/* 64. syntax Go refuses as well */
	{ BUF("{\"Image\":\"x\",}"), 1, "" },
	{ BUF("{\"Cmd\":[1,]}"), 1, "" },
	{ BUF("{'Image':'x'}"), 1, "" },
	{ BUF("{Image:\"x\"}"), 1, "" },
	{ BUF("{\"Image\":\"x\" /* c */}"), 1, "" },
	{ BUF("{\"Image\":\"\\x41\"}"), 1, "invalid escape" },
	{ BUF("{\"Image\":\"\\u12\"}"), 1, "" },
	{ BUF("{\"a\":NaN}"), 1, "invalid token" },
	{ BUF("{\"a\":Infinity}"), 1, "invalid token" },
	{ BUF("{\"a\":True}"), 1, "invalid token" },
	{ BUF("{\"Image\":\"x\""), 1, "" },
	{ BUF("{\"Image\""), 1, "" },
};

/* Accepted bodies come back as the value they spell. */
static void
test_accepted(void **state)
{
	char	 why[256];
	json_t	*v;
	size_t	 i;

	for (i = 0; i < nitems(accepted); i++) {
		strcpy(why, "untouched");
		if ((v = parse(&accepted[i], why, sizeof(why))) == NULL)
			fail_msg("case %zu refused: %s\n--- input:\n%s", i,
			    why, accepted[i].text);
		if (accepted[i].want_object)
			assert_true(json_is_object(v));
		assert_string_equal(why, "untouched");
		json_decref(v);
	}
}

/* Every refusal shape, with its reason. */
static void
test_refused(void **state)
{
	char	 why[256];
	json_t	*v;
	size_t	 i;

	for (i = 0; i < nitems(refused); i++) {
		memset(why, 'X', sizeof(why));
		if ((v = parse(&refused[i], why, sizeof(why))) != NULL) {
			json_decref(v);
			fail_msg("case %zu accepted\n--- input:\n%s", i,
			    refused[i].text);
		}
		assert_printable(why, sizeof(why));
		if (strstr(why, refused[i].msg) == NULL)
			fail_msg("case %zu: want \"%s\"\n got \"%s\"", i,
			    refused[i].msg, why);
	}
}

enum nest { NEST_OBJECTS, NEST_ARRAYS, NEST_MIXED };

/* Builds depth nested objects ({"a":{"a":{}}} is 3), arrays or both. */
static char *
nest(int depth, enum nest how)
{
	char	*s, *p;
	int	 i, arr;

	s = p = malloc((size_t)depth * 6 + 3);
	assert_non_null(s);
	for (i = 0; i < depth; i++) {
		arr = how == NEST_ARRAYS || (how == NEST_MIXED && i % 2);
		p += sprintf(p, "%s", i + 1 == depth ? (arr ? "[]" : "{}") :
		    (arr ? "[" : "{\"a\":"));
	}
	for (i = depth - 2; i >= 0; i--)
		*p++ = how == NEST_ARRAYS || (how == NEST_MIXED && i % 2) ?
		    ']' : '}';
	*p = '\0';
	return s;
}

/* JSON_MAX_DEPTH levels pass, one more does not; jansson stops at 2048. */
static void
test_depth(void **state)
{
	static const struct {
		int	 depth;
		enum nest how;
		int	 want_object;
		const char *msg;	/* NULL: accepted */
	} t[] = {
		{ 1, NEST_OBJECTS, 1, NULL },
		{ 1, NEST_ARRAYS, 0, NULL },
		{ JSON_MAX_DEPTH, NEST_OBJECTS, 1, NULL },
		{ JSON_MAX_DEPTH, NEST_ARRAYS, 0, NULL },
		{ JSON_MAX_DEPTH, NEST_MIXED, 1, NULL },
		{ JSON_MAX_DEPTH + 1, NEST_OBJECTS, 1, "deeper than 64" },
		{ JSON_MAX_DEPTH + 1, NEST_ARRAYS, 0, "deeper than 64 levels" },
		{ JSON_MAX_DEPTH + 1, NEST_MIXED, 1, "deeper than 64 levels" },
		{ 2048, NEST_ARRAYS, 0, "deeper than 64 levels" },
		{ 2049, NEST_ARRAYS, 0, "maximum parsing depth reached" },
		{ 100000, NEST_OBJECTS, 1, "maximum parsing depth reached" },
	};
	char	 why[256];
	char	*s;
	json_t	*v;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		s = nest(t[i].depth, t[i].how);
		why[0] = '\0';
		v = json_body_parse(s, strlen(s), t[i].want_object, why,
		    sizeof(why));
		if (t[i].msg == NULL && v == NULL)
			fail_msg("case %zu (depth %d) refused: %s", i,
			    t[i].depth, why);
		if (t[i].msg != NULL && v != NULL)
			fail_msg("case %zu (depth %d) accepted", i, t[i].depth);
		if (t[i].msg != NULL && strstr(why, t[i].msg) == NULL)
			fail_msg("case %zu: want \"%s\"\n got \"%s\"", i,
			    t[i].msg, why);
		json_decref(v);
		free(s);
	}
}

/* Objects past the stack and pairwise thresholds; a late duplicate. */
static void
test_many_keys(void **state)
{
	static const size_t	 sizes[] = { 2, 7, 8, 9, 63, 64, 65, 1000 };
	char			*s, *p, why[256];
	json_t			*v;
	size_t			 i, k, n, dup;

	for (i = 0; i < nitems(sizes); i++) {
		n = sizes[i];
		for (dup = 0; dup <= 2; dup++) {
			/* dup: 0 none, 1 first vs last, 2 middle neighbours */
			s = p = malloc(n * 16 + 16);
			assert_non_null(s);
			*p++ = '{';
			for (k = 0; k < n; k++) {
				if (dup == 1 && k == n - 1)
					p += sprintf(p, "\"KEY0\":0");
				else if (dup == 2 && k == n / 2)
					p += sprintf(p, "\"KEY%zu\":0", k - 1);
				else
					p += sprintf(p, "\"key%zu\":0", k);
				*p++ = k + 1 < n ? ',' : '}';
			}
			*p = '\0';
			v = json_body_parse(s, strlen(s), 1, why, sizeof(why));
			if (dup == 0 && v == NULL)
				fail_msg("%zu keys refused: %s", n, why);
			if (dup != 0 && v != NULL)
				fail_msg("%zu keys, dup %zu: accepted", n, dup);
			if (dup != 0 && strstr(why, "repeats the key") == NULL)
				fail_msg("%zu keys: %s", n, why);
			json_decref(v);
			free(s);
		}
	}
}

/* Reasons are printable, bounded and name the keys, escaped. */
static void
test_why(void **state)
{
	static const char	 body[] = "{\"HostConfig\":{},\"Ho" LONG_S
				    "tConfig\":{}}";
	static const char	 bad_utf8[] = "{\"a\":\"\xc3\x28\"}";
	char			 why[256];
	size_t			 whylen;

	assert_null(json_body_parse(BUF(body), 1, why, sizeof(why)));
	assert_printable(why, sizeof(why));
	assert_non_null(strstr(why, "\"HostConfig\""));
	assert_non_null(strstr(why, "\"Ho\\xc5\\xbftConfig\""));

	/* jansson quotes the input back; that is escaped too. */
	assert_null(json_body_parse(BUF(bad_utf8), 1, why, sizeof(why)));
	assert_printable(why, sizeof(why));
	assert_non_null(strstr(why, "at byte"));

	/* Truncation: always terminated, never past whylen. */
	for (whylen = 1; whylen < 24; whylen++) {
		memset(why, 'X', sizeof(why));
		assert_null(json_body_parse(BUF(body), 1, why, whylen));
		assert_int_equal(strlen(why), whylen - 1);
		assert_int_equal(why[whylen], 'X');
	}
	assert_null(json_body_parse(BUF(body), 1, NULL, 0));
}

/* Pairs of keys and whether Go would take them for the same field. */
static void
test_fold_equal(void **state)
{
	static const struct {
		const char	*a;
		size_t		 alen;
		const char	*b;
		size_t		 blen;
		int		 equal;
	} t[] = {
		{ BUF("Privileged"), BUF("Privileged"), 1 },
		{ BUF("Privileged"), BUF("privileged"), 1 },
		{ BUF("Privileged"), BUF("PRIVILEGED"), 1 },
		{ BUF("Privileged"), BUF("pRIVILEGEd"), 1 },
		{ BUF("Privileged"), BUF("Privilege"), 0 },
		{ BUF("Privileged"), BUF("Privilegedd"), 0 },
		{ BUF("Privileged"), BUF("Privileges"), 0 },
		{ BUF("CapAdd"), BUF("CAPADD"), 1 },
		{ BUF("HostConfig"), BUF("Ho" LONG_S "tConfig"), 1 },
		{ BUF("HOSTCONFIG"), BUF("ho" LONG_S "tconfig"), 1 },
		{ BUF("Sysctls"), BUF("Sy" LONG_S "ctl" LONG_S), 1 },
		{ BUF("Sysctls"), BUF(LONG_S "y" LONG_S "ctl" LONG_S), 1 },
		{ BUF("KernelMemory"), BUF(KELVIN "ernelMemory"), 1 },
		{ BUF("kernelmemory"), BUF(KELVIN "ERNELMEMORY"), 1 },
		{ BUF("KernelMemoryTCP"), BUF(KELVIN "ernelMemoryTCP"), 1 },
		{ BUF("s"), BUF(LONG_S), 1 },
		{ BUF("S"), BUF(LONG_S), 1 },
		{ BUF("k"), BUF(KELVIN), 1 },
		{ BUF("K"), BUF(KELVIN), 1 },
		{ BUF(LONG_S), BUF(LONG_S), 1 },
		{ BUF(KELVIN), BUF(KELVIN), 1 },
		{ BUF(LONG_S), BUF("t"), 0 },
		{ BUF(LONG_S), BUF("ss"), 0 },
		{ BUF(KELVIN), BUF("kk"), 0 },
		{ BUF(KELVIN), BUF(LONG_S), 0 },
		/* only the whole sequence folds */
		{ BUF("\xc5"), BUF("s"), 0 },
		{ BUF("\xe2\x84"), BUF("k"), 0 },
		{ BUF("\xc5\xbe"), BUF("s"), 0 },	/* U+017E ž */
		{ BUF("\xe2\x84\xab"), BUF("k"), 0 },	/* U+212B Å */
		{ BUF("\xc5" "a"), BUF("\xc5" "A"), 1 },
		/* simple folding only: not Turkish, not full (ß -> ss) */
		{ BUF("\xc4\xb1"), BUF("i"), 0 },	/* ı */
		{ BUF("\xc4\xb1"), BUF("I"), 0 },
		{ BUF("\xc4\xb0"), BUF("i"), 0 },	/* İ */
		{ BUF("\xc3\x9f"), BUF("ss"), 0 },	/* ß */
		/* non-ASCII folding is not needed for Docker's names */
		{ BUF("\xc3\xa9"), BUF("\xc3\x89"), 0 },
		{ BUF("\xe2\x84\xab"), BUF("\xc3\xa5"), 0 },
		/* only letters ignore case; 0x20 apart is not enough */
		{ BUF("@"), BUF("`"), 0 },
		{ BUF("["), BUF("{"), 0 },
		{ BUF("]"), BUF("}"), 0 },
		{ BUF("^"), BUF("~"), 0 },
		{ BUF("_"), BUF("\x7f"), 0 },
		{ BUF("a_b"), BUF("A_B"), 1 },
		{ BUF("a_b"), BUF("a-b"), 0 },
		{ BUF("IPv4Address"), BUF("ipV4aDDRESS"), 1 },
		{ BUF("80/tcp"), BUF("80/TCP"), 1 },
		{ BUF(""), BUF(""), 1 },
		{ BUF(""), BUF("a"), 0 },
		{ BUF("a\0b"), BUF("A\0B"), 1 },
		{ BUF("a\0b"), BUF("a\0c"), 0 },
		{ BUF("a"), BUF("a\0"), 0 },
	};
	char	 fa[64], fb[64];
	size_t	 i, la, lb;
	int	 r, rr, same;

	for (i = 0; i < nitems(t); i++) {
		r = json_key_fold_equal(t[i].a, t[i].alen, t[i].b, t[i].blen);
		rr = json_key_fold_equal(t[i].b, t[i].blen, t[i].a, t[i].alen);
		if (r != t[i].equal || rr != r)
			fail_msg("case %zu: \"%s\" vs \"%s\": %d/%d, want %d",
			    i, t[i].a, t[i].b, r, rr, t[i].equal);
		/* the same answer from the canonical forms */
		la = json_key_fold(t[i].a, t[i].alen, fa);
		lb = json_key_fold(t[i].b, t[i].blen, fb);
		assert_true(la <= t[i].alen && lb <= t[i].blen);
		same = la == lb && memcmp(fa, fb, la) == 0;
		if (same != t[i].equal)
			fail_msg("case %zu: canonical forms disagree", i);
	}
}

/* Canonical forms. */
static void
test_key_fold(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} t[] = {
		{ "", "" },
		{ "HostConfig", "hostconfig" },
		{ "Ho" LONG_S "tConfig", "hostconfig" },
		{ KELVIN "ernelMemoryTCP", "kernelmemorytcp" },
		{ "IPv4_Address-1", "ipv4_address-1" },
		{ "\xc3\x89t\xc3\xa9", "\xc3\x89t\xc3\xa9" },
		{ "\xe2\x84\xab", "\xe2\x84\xab" },
		{ "\xc5", "\xc5" },
		{ "x\xe2\x84", "x\xe2\x84" },
	};
	char	 out[64];
	size_t	 i, n;

	for (i = 0; i < nitems(t); i++) {
		memset(out, 'X', sizeof(out));
		n = json_key_fold(t[i].in, strlen(t[i].in), out);
		assert_int_equal(n, strlen(t[i].out));
		assert_string_equal(out, t[i].out);
	}
}

/* json_field() finds a field as Go does, in bodies json_body_parse takes. */
static void
test_field(void **state)
{
	static const struct {
		const char	*body;
		const char	*name;
		const char	*want;	/* compact; NULL: absent */
	} t[] = {
		{ "{\"Privileged\":true}", "Privileged", "true" },
		{ "{\"Privileged\":true}", "privileged", "true" },
		{ "{\"Privileged\":true}", "PRIVILEGED", "true" },
		{ "{\"privileged\":true}", "Privileged", "true" },
		{ "{\"pRiViLeGeD\":true}", "Privileged", "true" },
		{ "{\"Privileged\":true}", "Privilege", NULL },
		{ "{\"Privileged\":true}", "Privilegedd", NULL },
		{ "{\"Privileged\":true}", "", NULL },
		{ "{\"CAPADD\":[\"ALL\"]}", "CapAdd", "[\"ALL\"]" },
		{ "{\"capadd\":[\"ALL\"]}", "CapAdd", "[\"ALL\"]" },
		{ "{\"Sy" LONG_S "ctls\":{\"a\":\"b\"}}", "Sysctls",
		    "{\"a\":\"b\"}" },
		{ "{\"SY\\u017fCTL\\u017F\":{}}", "Sysctls", "{}" },
		{ "{\"" KELVIN "ernelMemory\":5}", "KernelMemory", "5" },
		{ "{\"\\u212aERNELMEMORY\":5}", "KernelMemory", "5" },
		{ "{\"\\u212AernelMemoryTCP\":5}", "KernelMemory", NULL },
		{ "{\"Ho\\u017ftConfig\":{\"Privileged\":true}}", "HostConfig",
		    "{\"Privileged\":true}" },
		/* Go 1.19 maps neither \u0131 nor \u0130 to i */
		{ "{\"HostConf\xc4\xb1g\":{}}", "HostConfig", NULL },
		{ "{\"HostConf\\u0130g\":{}}", "HostConfig", NULL },
		{ "{\"Image\":\"x\",\"ImageX\":\"y\"}", "image", "\"x\"" },
		{ "{\"Image\":null}", "Image", "null" },
		{ "{\"a\":{\"Image\":\"x\"}}", "Image", NULL },
	};
	json_t	*v;
	char	*got;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		v = parse_ok(t[i].body, 1);
		got = dump(json_field(v, t[i].name));
		if (strcmp(got, t[i].want != NULL ? t[i].want : "(null)") != 0)
			fail_msg("case %zu: %s in %s: got %s, want %s", i,
			    t[i].name, t[i].body, got,
			    t[i].want != NULL ? t[i].want : "(null)");
		free(got);
		json_decref(v);
	}
	assert_null(json_field(NULL, "Image"));
	v = parse_ok("[{\"Image\":\"x\"}]", 0);
	assert_null(json_field(v, "Image"));
	json_decref(v);
}

/*
 * Objects json_body_parse() refuses can still reach json_field() if built
 * by other code: an exact key wins, else the last fold match, as in Go
 * (and jansson keeps document order).
 */
static void
test_field_exact_preferred(void **state)
{
	static const char	 body[] = "{\"privileged\":1,\"Privileged\":2,"
				    "\"PRIVILEGED\":3}";
	json_error_t		 err;
	json_t			*v;

	v = json_loads(body, 0, &err);
	assert_non_null(v);
	assert_int_equal(json_integer_value(json_field(v, "privileged")), 1);
	assert_int_equal(json_integer_value(json_field(v, "Privileged")), 2);
	assert_int_equal(json_integer_value(json_field(v, "PRIVILEGED")), 3);
	assert_int_equal(json_integer_value(json_field(v, "PrivilegeD")), 3);
	assert_null(json_body_parse(BUF(body), 1, NULL, 0));
	json_decref(v);
}

enum getter { G_BOOL, G_STRING, G_INT, G_OBJECT, G_ARRAY };

/* The typed getters on the create body and on odd values. */
static void
test_getters(void **state)
{
	static const struct {
		const char	*parent;	/* a top-level object; NULL */
		const char	*name;
		enum getter	 g;
		enum json_get	 want;
		const char	*value;		/* compact, if OK */
	} t[] = {
		{ NULL, "Image", G_STRING, JSON_GET_OK, "\"nginx:latest\"" },
		{ NULL, "image", G_STRING, JSON_GET_OK, "\"nginx:latest\"" },
		{ NULL, "Image", G_BOOL, JSON_GET_WRONG_TYPE, NULL },
		{ NULL, "Tty", G_BOOL, JSON_GET_OK, "false" },
		{ NULL, "Cmd", G_ARRAY, JSON_GET_OK,
		    "[\"nginx\",\"-g\",\"daemon off;\"]" },
		{ NULL, "Cmd", G_STRING, JSON_GET_WRONG_TYPE, NULL },
		{ NULL, "Entrypoint", G_ARRAY, JSON_GET_NULL, NULL },
		{ NULL, "Entrypoint", G_STRING, JSON_GET_NULL, NULL },
		{ NULL, "Labels", G_OBJECT, JSON_GET_OK,
		    "{\"com.example.team\":\"web\",\"tier\":\"front\"}" },
		{ NULL, "Healthcheck", G_OBJECT, JSON_GET_ABSENT, NULL },
		{ NULL, "HostConfig", G_OBJECT, JSON_GET_OK, NULL },
		{ NULL, "HostConfig", G_ARRAY, JSON_GET_WRONG_TYPE, NULL },
		{ "HostConfig", "Privileged", G_BOOL, JSON_GET_OK, "false" },
		{ "HostConfig", "privileged", G_BOOL, JSON_GET_OK, "false" },
		{ "HostConfig", "Binds", G_ARRAY, JSON_GET_OK,
		    "[\"/srv/data:/data:ro\"]" },
		{ "HostConfig", "CapAdd", G_ARRAY, JSON_GET_OK,
		    "[\"NET_ADMIN\"]" },
		{ "HostConfig", "CapDrop", G_ARRAY, JSON_GET_NULL, NULL },
		{ "HostConfig", "Memory", G_INT, JSON_GET_OK, "268435456" },
		{ "HostConfig", "PidsLimit", G_INT, JSON_GET_NULL, NULL },
		{ "HostConfig", "ConsoleSize", G_INT, JSON_GET_WRONG_TYPE,
		    NULL },
		{ "HostConfig", "Mounts", G_ARRAY, JSON_GET_OK, NULL },
		{ "HostConfig", "UsernsMode", G_STRING, JSON_GET_OK, "\"\"" },
		{ "HostConfig", "Runtime", G_STRING, JSON_GET_ABSENT, NULL },
		{ "NetworkingConfig", "EndpointsConfig", G_OBJECT, JSON_GET_OK,
		    NULL },
		/* absent parent: every field is absent */
		{ "Healthcheck", "Test", G_ARRAY, JSON_GET_ABSENT, NULL },
		{ "Entrypoint", "x", G_STRING, JSON_GET_ABSENT, NULL },
	};
	json_t		*body, *parent, *o;
	const char	*s;
	json_int_t	 n;
	enum json_get	 r;
	char		*got;
	size_t		 i;
	int		 b;

	body = parse_ok(CREATE_BODY, 1);
	for (i = 0; i < nitems(t); i++) {
		parent = t[i].parent == NULL ? body :
		    json_field(body, t[i].parent);
		got = NULL;
		switch (t[i].g) {
		case G_BOOL:
			b = -1;
			r = json_get_bool(parent, t[i].name, &b);
			if (r == JSON_GET_OK)
				got = strdup(b ? "true" : "false");
			else
				assert_int_equal(b, -1);
			break;
		case G_STRING:
			s = NULL;
			r = json_get_string(parent, t[i].name, &s);
			if (r == JSON_GET_OK) {
				o = json_string(s);
				got = dump(o);
				json_decref(o);
			} else
				assert_null(s);
			break;
		case G_INT:
			n = -7;
			r = json_get_int(parent, t[i].name, &n);
			if (r == JSON_GET_OK)
				assert_true(asprintf(&got, "%lld",
				    (long long)n) != -1);
			else
				assert_int_equal(n, -7);
			break;
		case G_OBJECT:
			o = NULL;
			r = json_get_object(parent, t[i].name, &o);
			if (r == JSON_GET_OK)
				got = dump(o);
			else
				assert_null(o);
			break;
		case G_ARRAY:
			o = NULL;
			r = json_get_array(parent, t[i].name, &o);
			if (r == JSON_GET_OK)
				got = dump(o);
			else
				assert_null(o);
			break;
		default:
			fail();
		}
		if (r != t[i].want)
			fail_msg("case %zu: %s: got %d, want %d", i, t[i].name,
			    r, t[i].want);
		if (t[i].value != NULL && strcmp(got, t[i].value) != 0)
			fail_msg("case %zu: %s: got %s, want %s", i, t[i].name,
			    got, t[i].value);
		free(got);
	}

	/* The second mount of the array, reached as policy code would. */
	assert_int_equal(json_get_object(body, "HostConfig", &parent),
	    JSON_GET_OK);
	assert_int_equal(json_get_array(parent, "Mounts", &o), JSON_GET_OK);
	assert_int_equal(json_array_size(o), 2);
	assert_int_equal(json_get_bool(json_array_get(o, 1), "readonly", &b),
	    JSON_GET_OK);
	assert_true(b);
	assert_int_equal(json_get_string(json_array_get(o, 1), "source", &s),
	    JSON_GET_OK);
	assert_string_equal(s, "/srv/www");
	assert_int_equal(json_get_bool(NULL, "Privileged", &b),
	    JSON_GET_ABSENT);
	json_decref(body);
}

/*
 * jansson's numbers.  Go refuses 1.0, 1e2 and 1e400 for an integer field
 * (json_get_int: wrong type, or refused at parse), and any integer past
 * the field's type (jansson: past int64, refused at parse).
 */
static void
test_numbers(void **state)
{
	static const struct {
		const char	*body;
		const char	*value;	/* "a"; NULL: refused */
		enum json_get	 as_int;
		const char	*msg;	/* refused: part of the reason */
	} t[] = {
		{ "{\"a\":0}", "0", JSON_GET_OK, NULL },
		{ "{\"a\":-0}", "0", JSON_GET_OK, NULL },	/* integer 0 */
		{ "{\"a\":-0.0}", "-0.0", JSON_GET_WRONG_TYPE, NULL },
		{ "{\"a\":1.0}", "1.0", JSON_GET_WRONG_TYPE, NULL },
		{ "{\"a\":1e2}", "100.0", JSON_GET_WRONG_TYPE, NULL },
		{ "{\"a\":1E+2}", "100.0", JSON_GET_WRONG_TYPE, NULL },
		{ "{\"a\":1e-400}", "0.0", JSON_GET_WRONG_TYPE, NULL },
		{ "{\"a\":9223372036854775807}", "9223372036854775807",
		    JSON_GET_OK, NULL },
		{ "{\"a\":-9223372036854775808}", "-9223372036854775808",
		    JSON_GET_OK, NULL },
		{ "{\"a\":9223372036854775808}", NULL, 0, "too big integer" },
		{ "{\"a\":18446744073709551615}", NULL, 0, "too big integer" },
		{ "{\"a\":-9223372036854775809}", NULL, 0,
		    "too big negative integer" },
		{ "{\"a\":1e400}", NULL, 0, "real number overflow" },
		{ "{\"a\":-1e400}", NULL, 0, "real number overflow" },
		{ "{\"a\":01}", NULL, 0, "invalid token" },
		{ "{\"a\":-01}", NULL, 0, "invalid token" },
		{ "{\"a\":1.}", NULL, 0, "invalid token" },
		{ "{\"a\":.5}", NULL, 0, "invalid token" },
		{ "{\"a\":+1}", NULL, 0, "invalid token" },
		{ "{\"a\":-}", NULL, 0, "invalid token" },
		{ "{\"a\":1e}", NULL, 0, "invalid token" },
		{ "{\"a\":0x10}", NULL, 0, "" },
	};
	json_t		*v;
	json_int_t	 n;
	char		*got, why[256];
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		why[0] = '\0';
		v = json_body_parse(t[i].body, strlen(t[i].body), 1, why,
		    sizeof(why));
		if (t[i].value == NULL) {
			if (v != NULL)
				fail_msg("case %zu accepted: %s", i, t[i].body);
			if (strstr(why, t[i].msg) == NULL)
				fail_msg("case %zu: want \"%s\"\n got \"%s\"",
				    i, t[i].msg, why);
			continue;
		}
		if (v == NULL)
			fail_msg("case %zu refused: %s: %s", i, t[i].body, why);
		got = dump(json_field(v, "a"));
		if (strcmp(got, t[i].value) != 0)
			fail_msg("case %zu: got %s, want %s", i, got,
			    t[i].value);
		assert_int_equal(json_get_int(v, "a", &n), t[i].as_int);
		free(got);
		json_decref(v);
	}
	/* -0.0 keeps its sign; -0 is the integer zero. */
	v = parse_ok("{\"a\":-0.0,\"b\":-0}", 1);
	assert_true(signbit(json_real_value(json_field(v, "a"))));
	assert_true(json_is_integer(json_field(v, "b")));
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_many_keys),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_fold_equal),
		cmocka_unit_test(test_key_fold),
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_field_exact_preferred),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
