/*
 * libFuzzer target for strict JSON body decoding (json.c).  Arbitrary
 * bytes go to json_body_parse(), wanting an object and not.  An accepted
 * body must nest no deeper than JSON_MAX_DEPTH and hold no two keys in one
 * object that Go would fold together, judged by a reference folding over
 * decoded code points written here; json_field() must find every key by
 * its folded spelling.  What jansson alone refuses must be refused; every
 * reason must be printable.  The bytes, split in two, also go to the key
 * folding functions, which must agree with each other.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"

#define FUZZ_MAX_INPUT	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A key folded by the reference: code points, Go's simple folding to ASCII. */
struct ref_key {
	uint32_t	*cp;
	size_t		 n;
	int		 ascii;		/* folds to ASCII only */
	const char	*key;
	json_t		*value;
};

/* Decodes valid UTF-8 (jansson checked it) and folds as Go would. */
static void
ref_fold(const char *key, struct ref_key *r)
{
	const unsigned char	*s = (const unsigned char *)key;
	uint32_t		 c;
	size_t			 extra;

	if ((r->cp = malloc((strlen(key) + 1) * sizeof(*r->cp))) == NULL)
		abort();
	r->n = 0;
	r->ascii = 1;
	r->key = key;
	while (*s != '\0') {
		c = *s++;
		if (c >= 0xf0) {
			c &= 0x07;
			extra = 3;
		} else if (c >= 0xe0) {
			c &= 0x0f;
			extra = 2;
		} else if (c >= 0xc0) {
			c &= 0x1f;
			extra = 1;
		} else if (c >= 0x80)
			abort();	/* jansson let invalid UTF-8 through */
		else
			extra = 0;
		for (; extra > 0; extra--) {
			if ((*s & 0xc0) != 0x80)
				abort();
			c = (c << 6) | (*s++ & 0x3f);
		}
		if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff || c == 0)
			abort();
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		else if (c == 0x17f)
			c = 's';
		else if (c == 0x212a)
			c = 'k';
		if (c >= 0x80)
			r->ascii = 0;
		r->cp[r->n++] = c;
	}
}

/* qsort() comparator for reference keys. */
static int
ref_cmp(const void *a, const void *b)
{
	const struct ref_key	*ra = a, *rb = b;
	size_t			 i;

	for (i = 0; i < ra->n && i < rb->n; i++)
		if (ra->cp[i] != rb->cp[i])
			return ra->cp[i] < rb->cp[i] ? -1 : 1;
	return (ra->n > rb->n) - (ra->n < rb->n);
}

/* Checks an object's keys against the reference and json_field(). */
static void
check_keys(json_t *obj)
{
	struct ref_key	*keys;
	char		*upper;
	const char	*k;
	json_t		*v;
	size_t		 n, i, j;
	int		 same;

	if ((n = json_object_size(obj)) == 0)
		return;
	if ((keys = calloc(n, sizeof(*keys))) == NULL)
		abort();
	i = 0;
	json_object_foreach(obj, k, v) {
		ref_fold(k, &keys[i]);
		keys[i].value = v;
		i++;
	}
	if (i != n)
		abort();
	/* Every key is found under its folded, upper-cased spelling. */
	for (i = 0; i < n; i++) {
		if (!keys[i].ascii || keys[i].n == 0)
			continue;
		if ((upper = malloc(keys[i].n + 1)) == NULL)
			abort();
		for (j = 0; j < keys[i].n; j++) {
			upper[j] = (char)keys[i].cp[j];
			if (upper[j] >= 'a' && upper[j] <= 'z')
				upper[j] -= 'a' - 'A';
		}
		upper[j] = '\0';
		if (json_field(obj, upper) != keys[i].value ||
		    json_field(obj, keys[i].key) != keys[i].value)
			abort();
		free(upper);
	}
	/* No two keys fold together; json_key_fold_equal agrees. */
	qsort(keys, n, sizeof(*keys), ref_cmp);
	for (i = 1; i < n; i++) {
		if (ref_cmp(&keys[i - 1], &keys[i]) == 0)
			abort();
		same = json_key_fold_equal(keys[i - 1].key,
		    strlen(keys[i - 1].key), keys[i].key, strlen(keys[i].key));
		if (same)
			abort();
	}
	for (i = 0; i < n; i++)
		free(keys[i].cp);
	free(keys);
}

/* Walks an accepted value: depth, then the keys of every object. */
static void
check_value(json_t *v, int depth)
{
	const char	*k;
	json_t		*e;
	size_t		 i;

	if (!json_is_object(v) && !json_is_array(v))
		return;
	if (depth > JSON_MAX_DEPTH)
		abort();
	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			check_value(e, depth + 1);
		return;
	}
	check_keys(v);
	json_object_foreach(v, k, e)
		check_value(e, depth + 1);
}

/* Aborts unless why is a non-empty NUL-terminated printable line. */
static void
check_why(const char *why, size_t whylen)
{
	size_t	i;

	for (i = 0; i < whylen && why[i] != '\0'; i++)
		if ((unsigned char)why[i] < 0x20 ||
		    (unsigned char)why[i] >= 0x7f)
			abort();
	if (i == 0 || i == whylen)
		abort();
}

/* The key folding functions on two arbitrary byte strings. */
static void
fuzz_fold(const uint8_t *data, size_t size)
{
	const char	*a, *b;
	char		*fa, *fb;
	size_t		 alen, blen, la, lb;
	int		 eq;

	if (size == 0 || size > 1024)
		return;
	alen = data[0] % size;
	a = (const char *)data + 1;
	alen = alen > size - 1 ? size - 1 : alen;
	b = a + alen;
	blen = size - 1 - alen;
	if ((fa = malloc(alen + 1)) == NULL || (fb = malloc(blen + 1)) == NULL)
		abort();
	la = json_key_fold(a, alen, fa);
	lb = json_key_fold(b, blen, fb);
	if (la > alen || lb > blen || fa[la] != '\0' || fb[lb] != '\0')
		abort();
	eq = json_key_fold_equal(a, alen, b, blen);
	if (eq != json_key_fold_equal(b, blen, a, alen))
		abort();
	if (eq != (la == lb && memcmp(fa, fb, la) == 0))
		abort();
	if (!json_key_fold_equal(a, alen, a, alen) ||
	    !json_key_fold_equal(a, alen, fa, la))
		abort();
	free(fa);
	free(fb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*body = (const char *)data;
	json_error_t	 err;
	json_t		*any, *obj, *plain;
	char		 why[200];

	if (size > FUZZ_MAX_INPUT)
		return 0;
	fuzz_fold(data, size);

	memset(why, 'X', sizeof(why));
	any = json_body_parse(body, size, 0, why, sizeof(why));
	if (any == NULL)
		check_why(why, sizeof(why));
	else
		check_value(any, 1);

	memset(why, 'X', sizeof(why));
	obj = json_body_parse(body, size, 1, why, sizeof(why));
	if (obj == NULL)
		check_why(why, sizeof(why));
	else if (!json_is_object(obj) || any == NULL)
		abort();
	/* Wanting an object refuses exactly the other shapes. */
	if (any != NULL && json_is_object(any) && obj == NULL)
		abort();

	/* Stricter than jansson, never looser. */
	plain = json_loadb(body, size, JSON_DECODE_ANY, &err);
	if (plain == NULL && any != NULL)
		abort();
	if (any != NULL && !json_equal(any, plain))
		abort();

	json_decref(plain);
	json_decref(obj);
	json_decref(any);
	return 0;
}
