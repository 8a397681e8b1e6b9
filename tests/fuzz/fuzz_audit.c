/*
 * libFuzzer target for the audit record formatter (audit.c).  The input
 * is a flags byte, then fields separated by the bytes FE FF: path,
 * reason, value, rule, method, a JSON body, a certificate string, a name.
 * Flags pick the stage, the identity, a repeat count that takes the
 * strings past their caps, the buffer size and what the body becomes:
 * the record's summary as it is, or through audit_summary().
 *
 * Every line must end in its only newline, hold no raw control byte (C0,
 * DEL, C1, U+2028/9), be shorter than 64 KiB, and parse back with jansson
 * as an object whose members come in the documented order.  Path, reason
 * and value must read back as a reference decoding of the input (each
 * byte that starts no valid UTF-8 sequence is U+FFFD), whole or cut at a
 * character boundary and marked.  A summary must hold no environment
 * value, no inline seccomp profile, no mount option and no command.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit.h"
#include "identity.h"

#define FUZZ_MAX_INPUT	(16 * 1024)
#define NFIELDS		8
#define REPEAT_MAX	(12 * 1024)	/* past every cap, not much more */
#define MARK		AUDIT_TRUNCATED
#define MARKLEN		(sizeof(MARK) - 1)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const order[] = { "time", "stage", "id", "conn",
    "listener", "identity", "profile", "method", "path", "api_version",
    "decision", "rule", "reason", "field", "value", "status", "bytes_in",
    "bytes_out", "duration_ms", "summary" };

/* A byte string. */
struct bytes {
	char	*p;
	size_t	 n;
};

/*
 * Reference decoding, written apart from audit.c's: a lead byte's class
 * gives a length, the code point must need that length, not be a
 * surrogate and not pass U+10FFFF; otherwise the lead byte is U+FFFD.
 */
static struct bytes
ref_decode(const unsigned char *s, size_t n)
{
	static const uint32_t	 min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	struct bytes		 r;
	uint32_t		 cp;
	size_t			 i = 0, k, j;
	int			 ok;

	if ((r.p = malloc(n * 3 + 1)) == NULL)
		abort();
	r.n = 0;
	while (i < n) {
		if (s[i] < 0x80)
			k = 1;
		else if ((s[i] & 0xe0) == 0xc0)
			k = 2;
		else if ((s[i] & 0xf0) == 0xe0)
			k = 3;
		else if ((s[i] & 0xf8) == 0xf0)
			k = 4;
		else
			k = 0;
		ok = k > 0 && i + k <= n;
		cp = k == 1 ? s[i] : k > 0 ? s[i] & (0x7f >> k) : 0;
		for (j = 1; ok && j < k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				ok = 0;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if (ok && (cp < min[k] || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff)))
			ok = 0;
		if (!ok) {
			memcpy(r.p + r.n, "\xef\xbf\xbd", 3);
			r.n += 3;
			i++;
			continue;
		}
		memcpy(r.p + r.n, s + i, k);
		r.n += k;
		i += k;
	}
	return r;
}

/* Aborts unless got is the reference of in, or a marked prefix of it. */
static void
check_str(json_t *got, const struct bytes *in, size_t cap)
{
	struct bytes	 ref;
	const char	*g;
	size_t		 glen, keep;

	if (!json_is_string(got))
		abort();
	g = json_string_value(got);
	glen = json_string_length(got);
	ref = ref_decode((const unsigned char *)in->p, in->n);
	if (glen == ref.n && memcmp(g, ref.p, glen) == 0 && in->n <= cap) {
		free(ref.p);
		return;
	}
	/* Cut: a prefix of the reference, then the marker. */
	if (glen < MARKLEN || memcmp(g + glen - MARKLEN, MARK, MARKLEN) != 0)
		abort();
	keep = glen - MARKLEN;
	if (keep > ref.n || memcmp(g, ref.p, keep) != 0)
		abort();
	/* At a character boundary: the next reference byte starts one. */
	if (keep < ref.n && ((unsigned char)ref.p[keep] & 0xc0) == 0x80)
		abort();
	/* Never more than cap input bytes, so no more than 3*cap out. */
	if (keep > cap * 3)
		abort();
	free(ref.p);
}

/* Aborts unless line[0..n) is one clean line; returns it parsed. */
static json_t *
check_line(const char *line, size_t n, size_t buflen)
{
	const unsigned char	*u = (const unsigned char *)line;
	json_error_t		 err;
	json_t			*v;
	const char		*k;
	json_t			*e;
	size_t			 i, at = 0;

	if (n == 0 || n >= AUDIT_LINE_MAX || n >= buflen || line[n] != '\0' ||
	    line[n - 1] != '\n' || strlen(line) != n)
		abort();
	for (i = 0; i + 1 < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			abort();
		if (u[i] == 0xc2 && i + 2 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			abort();
		if (u[i] == 0xe2 && i + 3 < n && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0xa8 || u[i + 2] == 0xa9))
			abort();
	}
	v = json_loadb(line, n, JSON_ALLOW_NUL, &err);
	if (v == NULL || !json_is_object(v))
		abort();
	/* Members in the documented order, the first thirteen always. */
	json_object_foreach(v, k, e) {
		while (at < sizeof(order) / sizeof(order[0]) &&
		    strcmp(order[at], k) != 0)
			at++;
		if (at == sizeof(order) / sizeof(order[0]))
			abort();
	}
	for (i = 0; i < 13; i++)
		if (json_object_get(v, order[i]) == NULL)
			abort();
	return v;
}

/* Aborts if a summary array of strings breaks the redaction rules. */
static void
check_env(json_t *env)
{
	const char	*s, *eq;
	json_t		*e;
	size_t		 i, len;

	json_array_foreach(env, i, e) {
		if (!json_is_string(e))
			abort();
		s = json_string_value(e);
		len = json_string_length(e);
		if ((eq = memchr(s, '=', len)) != NULL &&
		    strcmp(eq, "=<redacted>") != 0)
			abort();
	}
}

/* Aborts if a summary value holds what it must not. */
static void
check_summary(json_t *v)
{
	const char	*k, *s;
	json_t		*e, *m;
	size_t		 i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			check_summary(e);
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach(v, k, e) {
		if (strcmp(k, "Cmd") == 0 || strcmp(k, "Entrypoint") == 0 ||
		    strcmp(k, "Args") == 0)
			abort();
		if (strcmp(k, "Env") == 0) {
			if (!json_is_array(e))
				abort();
			check_env(e);
		}
		if (strcmp(k, "SecurityOpt") == 0)
			json_array_foreach(e, i, m) {
				s = json_string_value(m);
				if (s == NULL)
					abort();
				if ((strncmp(s, "seccomp=", 8) == 0 ||
				    strncmp(s, "seccomp:", 8) == 0) &&
				    strcmp(s + 8, "<profile>") != 0 &&
				    strcmp(s + 8, "unconfined") != 0 &&
				    strcmp(s + 8, "builtin") != 0)
					abort();
			}
		if (strcmp(k, "Mounts") == 0)
			json_array_foreach(e, i, m) {
				const char	*mk;
				json_t		*mv;

				json_object_foreach(m, mk, mv)
					if (strcmp(mk, "Type") != 0 &&
					    strcmp(mk, "Source") != 0 &&
					    strcmp(mk, "Target") != 0)
						abort();
			}
		if (strcmp(k, "Labels") != 0)
			check_summary(e);
	}
}

/*
 * Splits data at FE FF into up to NFIELDS fields; the first three are
 * repeated rep times (fewer past REPEAT_MAX bytes).
 */
static void
split(const uint8_t *data, size_t size, struct bytes *f, size_t rep)
{
	size_t	i = 0, start = 0, nf = 0, r, len;

	memset(f, 0, NFIELDS * sizeof(*f));
	while (nf < NFIELDS) {
		if (i + 1 < size && data[i] == 0xfe && data[i + 1] == 0xff) {
			len = i - start;
		} else if (i >= size) {
			len = size - start;
		} else {
			i++;
			continue;
		}
		/* Path, reason and value are repeated; the rest are not. */
		r = nf < 3 ? rep : 1;
		while (r > 1 && len * r > REPEAT_MAX)
			r--;
		if ((f[nf].p = malloc(len * r + 1)) == NULL)
			abort();
		for (f[nf].n = 0; r > 0; r--, f[nf].n += len)
			memcpy(f[nf].p + f[nf].n, data + start, len);
		f[nf].p[f[nf].n] = '\0';
		nf++;
		if (i >= size)
			break;
		i += 2;
		start = i;
	}
	for (; nf < NFIELDS; nf++) {
		if ((f[nf].p = calloc(1, 1)) == NULL)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 reps[] = { 1, 7, 64, 700 };
	static const char *const kinds[] = { "container", "exec", "service",
				    "volume" };
	static char		 line[AUDIT_LINE_MAX];
	struct bytes		 f[NFIELDS], cs;
	struct identity		 id;
	struct audit_rec	 r;
	const char		*sans[40];
	json_t			*body = NULL, *sum = NULL, *v;
	uint8_t			 flags;
	size_t			 n, i, buflen;

	if (size < 1 || size > FUZZ_MAX_INPUT)
		return 0;
	flags = data[0];
	split(data + 1, size - 1, f, reps[(flags >> 3) & 3]);

	memset(&id, 0, sizeof(id));
	id.listener = f[7].p;
	switch ((flags >> 1) & 3) {
	case 1:
		id.is_unix = 1;
		id.uid = (uid_t)f[6].n;
		id.gid = (gid_t)f[7].n;
		id.pid = (pid_t)size;
		break;
	case 2:
	case 3:
		id.cert_subject = id.cert_cn = id.cert_issuer = f[6].p;
		id.cert_fingerprint = f[3].p;
		for (i = 0; i < 40; i++)
			sans[i] = i % 2 ? f[6].p : f[4].p;
		id.cert_sans = sans;
		id.cert_nsans = (flags >> 1 & 3) == 3 ? 40 : 1;
		break;
	}

	body = json_loadb(f[5].p, f[5].n, JSON_DECODE_ANY | JSON_ALLOW_NUL,
	    NULL);
	if (body != NULL && (flags & 0x40))
		sum = audit_summary(kinds[((flags >> 5) & 1) |
		    ((flags >> 6) & 2)], body, f[7].p);
	else if (body != NULL && (flags & 0x20))
		sum = json_incref(body);
	if (sum != NULL && (flags & 0x40))
		check_summary(sum);

	memset(&r, 0, sizeof(r));
	r.stage = flags & 1 ? "complete" : "decision";
	r.id = f[4].p;
	r.conn = size;
	r.listener = (flags & 0x80) ? NULL : f[4].p;
	r.ident = ((flags >> 1) & 3) != 0 ? &id : NULL;
	r.profile = f[3].p;
	r.method = f[4].p;
	r.path = f[0].p;
	r.path_len = f[0].n;
	r.api_version = f[3].p;
	r.decision = f[4].p;
	r.rule = f[3].p;
	r.reason = f[1].p;
	r.field = f[3].p;
	r.value = f[2].p;
	r.summary = sum;
	r.status = (int)size;
	r.bytes_in = (unsigned long long)size << 50;
	r.bytes_out = ~0ULL;
	r.duration_ms = (double)size / 3.0;

	/* The full buffer, then the smallest one. */
	buflen = (flags & 0x18) == 0x18 && (size & 1) ? AUDIT_MIN_BUF :
	    sizeof(line);
	n = audit_format(&r, line, buflen, NULL);
	v = check_line(line, n, buflen);
	check_str(json_object_get(v, "path"), &f[0], AUDIT_CAP_PATH);
	/* The other strings end at their first NUL. */
	cs.p = f[1].p;
	cs.n = strlen(f[1].p);
	check_str(json_object_get(v, "reason"), &cs, AUDIT_CAP_REASON);
	cs.p = f[2].p;
	cs.n = strlen(f[2].p);
	if (cs.n > 0)
		check_str(json_object_get(v, "value"), &cs, AUDIT_CAP_VALUE);
	else if (json_object_get(v, "value") != NULL)
		abort();
	json_decref(v);
	if (audit_format(&r, line, AUDIT_MIN_BUF - 1, NULL) != 0)
		abort();

	json_decref(sum);
	json_decref(body);
	for (i = 0; i < NFIELDS; i++)
		free(f[i].p);
	return 0;
}
