/* Strict JSON body decoding with Go encoding/json's key folding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json.h"
#include "xmalloc.h"

#define JSON_WHY_KEY		40	/* bytes of a key in a reason */
#define JSON_KEYS_STACK		64	/* keys sorted on the stack */
#define JSON_KEYS_PAIRWISE	8	/* below this, compare every pair */

struct json_key {
	const char	*k;
	size_t		 len;
};

static unsigned	json_fold_unit(const unsigned char *, size_t, size_t *);
static int	json_key_fold_cmp(const char *, size_t, const char *,
		    size_t);
static int	json_key_cmp(const void *, const void *);
static int	json_check_keys(json_t *, char *, size_t);
static int	json_check(json_t *, int, char *, size_t);
static void	json_why(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static enum json_get json_get_value(const json_t *, const char *,
		    json_t **);

/* Formats a reason into why, escaping bytes that are not printable ASCII. */
static void
json_why(char *why, size_t whylen, const char *fmt, ...)
{
	char		 buf[512];
	va_list		 ap;
	size_t		 i, o = 0;
	unsigned char	 c;

	if (whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (i = 0; buf[i] != '\0'; i++) {
		c = (unsigned char)buf[i];
		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 >= whylen)
				break;
			why[o++] = (char)c;
		} else {
			if (o + 4 >= whylen)
				break;
			snprintf(why + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	why[o] = '\0';
}

/*
 * Returns the next unit of the canonical form of s[0..len) from *i and
 * advances *i: ASCII lower-cased, U+017F as 's', U+212A as 'k', any
 * other byte as itself.  Folded units are ASCII and kept bytes are not,
 * so a kept byte never equals a folded unit.
 */
static inline unsigned
json_fold_unit(const unsigned char *s, size_t len, size_t *i)
{
	unsigned	c = s[*i];

	if (c < 0x80) {
		(*i)++;
		return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
	}
	if (c == 0xc5 && len - *i >= 2 && s[*i + 1] == 0xbf) {
		*i += 2;
		return 's';
	}
	if (c == 0xe2 && len - *i >= 3 && s[*i + 1] == 0x84 &&
	    s[*i + 2] == 0xaa) {
		*i += 3;
		return 'k';
	}
	(*i)++;
	return c;
}

/* Orders keys by canonical form; 0 exactly when they are fold-equal. */
static int
json_key_fold_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char	*sa = (const unsigned char *)a;
	const unsigned char	*sb = (const unsigned char *)b;
	size_t			 i = 0, j = 0;
	unsigned		 ca, cb;

	while (i < alen && j < blen) {
		if (sa[i] == sb[j] && sa[i] < 0x80) {
			i++;
			j++;
			continue;
		}
		ca = json_fold_unit(sa, alen, &i);
		cb = json_fold_unit(sb, blen, &j);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return (i < alen) - (j < blen);
}

int
json_key_fold_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	return json_key_fold_cmp(a, alen, b, blen) == 0;
}

size_t
json_key_fold(const char *key, size_t len, char *out)
{
	const unsigned char	*s = (const unsigned char *)key;
	size_t			 i = 0, o = 0;

	while (i < len)
		out[o++] = (char)json_fold_unit(s, len, &i);
	out[o] = '\0';
	return o;
}

/* qsort() comparator for struct json_key. */
static int
json_key_cmp(const void *a, const void *b)
{
	const struct json_key	*ka = a, *kb = b;

	return json_key_fold_cmp(ka->k, ka->len, kb->k, kb->len);
}

/*
 * Refuses an object with two fold-equal keys.  Sorting keeps a huge
 * object at O(n log n); a typical Docker object sorts on the stack.
 */
static int
json_check_keys(json_t *obj, char *why, size_t whylen)
{
	struct json_key	 stack[JSON_KEYS_STACK], *keys = stack;
	const struct json_key *a = NULL, *b = NULL;
	size_t		 n, i, j;
	void		*it;

	if ((n = json_object_size(obj)) < 2)
		return 0;
	if (n > JSON_KEYS_STACK)
		keys = xreallocarray(NULL, n, sizeof(*keys));
	i = 0;
	for (it = json_object_iter(obj); it != NULL && i < n;
	    it = json_object_iter_next(obj, it)) {
		keys[i].k = json_object_iter_key(it);
		keys[i].len = strlen(keys[i].k); /* jansson refuses NUL */
		i++;
	}
	n = i;
	if (n < JSON_KEYS_PAIRWISE) {
		for (i = 0; i < n && a == NULL; i++)
			for (j = i + 1; j < n; j++)
				if (json_key_fold_equal(keys[i].k, keys[i].len,
				    keys[j].k, keys[j].len)) {
					a = &keys[i];
					b = &keys[j];
					break;
				}
	} else {
		qsort(keys, n, sizeof(*keys), json_key_cmp);
		for (i = 1; i < n; i++)
			if (json_key_cmp(&keys[i - 1], &keys[i]) == 0) {
				a = &keys[i - 1];
				b = &keys[i];
				break;
			}
	}
	if (a != NULL)
		json_why(why, whylen, "the JSON body repeats the key \"%.*s\" "
		    "as \"%.*s\" (keys are matched ignoring case)",
		    (int)(a->len > JSON_WHY_KEY ? JSON_WHY_KEY : a->len), a->k,
		    (int)(b->len > JSON_WHY_KEY ? JSON_WHY_KEY : b->len), b->k);
	if (keys != stack)
		free(keys);
	return a != NULL ? -1 : 0;
}

/* Checks depth and keys of v, at nesting level depth, and below it. */
static int
json_check(json_t *v, int depth, char *why, size_t whylen)
{
	void	*it;
	size_t	 i;

	if (!json_is_object(v) && !json_is_array(v))
		return 0;
	if (depth > JSON_MAX_DEPTH) {
		json_why(why, whylen, "the JSON body nests deeper than %d "
		    "levels", JSON_MAX_DEPTH);
		return -1;
	}
	if (json_is_array(v)) {
		for (i = 0; i < json_array_size(v); i++)
			if (json_check(json_array_get(v, i), depth + 1, why,
			    whylen) == -1)
				return -1;
		return 0;
	}
	if (json_check_keys(v, why, whylen) == -1)
		return -1;
	for (it = json_object_iter(v); it != NULL;
	    it = json_object_iter_next(v, it))
		if (json_check(json_object_iter_value(it), depth + 1, why,
		    whylen) == -1)
			return -1;
	return 0;
}

json_t *
json_body_parse(const char *body, size_t len, int want_object, char *why,
    size_t whylen)
{
	json_error_t	 err;
	json_t		*root;

	if (len == 0) {
		json_why(why, whylen, "the JSON body is empty");
		return NULL;
	}
	/* No JSON_ALLOW_NUL, no JSON_DISABLE_EOF_CHECK: both refused. */
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &err);
	if (root == NULL) {
		json_why(why, whylen, "invalid JSON body at byte %d: %s",
		    err.position, err.text);
		return NULL;
	}
	if (want_object && !json_is_object(root)) {
		json_why(why, whylen, "the JSON body must be an object");
		goto fail;
	}
	if (json_check(root, 1, why, whylen) == -1)
		goto fail;
	return root;

fail:
	json_decref(root);
	return NULL;
}

json_t *
json_field(const json_t *obj, const char *name)
{
	json_t		*o = (json_t *)obj; /* iterators take no const */
	json_t		*v, *found = NULL;
	const char	*k;
	size_t		 nlen;
	void		*it;

	if (!json_is_object(obj))
		return NULL;
	if ((v = json_object_get(obj, name)) != NULL)
		return v;
	nlen = strlen(name);
	for (it = json_object_iter(o); it != NULL;
	    it = json_object_iter_next(o, it)) {
		k = json_object_iter_key(it);
		if (json_key_fold_equal(k, strlen(k), name, nlen))
			found = json_object_iter_value(it);
	}
	return found;
}

/* Finds field name: absent, null, or present in *v. */
static enum json_get
json_get_value(const json_t *obj, const char *name, json_t **v)
{
	if ((*v = json_field(obj, name)) == NULL)
		return JSON_GET_ABSENT;
	if (json_is_null(*v))
		return JSON_GET_NULL;
	return JSON_GET_OK;
}

enum json_get
json_get_bool(const json_t *obj, const char *name, int *out)
{
	enum json_get	 r;
	json_t		*v;

	if ((r = json_get_value(obj, name, &v)) != JSON_GET_OK)
		return r;
	if (!json_is_boolean(v))
		return JSON_GET_WRONG_TYPE;
	*out = json_is_true(v);
	return JSON_GET_OK;
}

enum json_get
json_get_string(const json_t *obj, const char *name, const char **out)
{
	enum json_get	 r;
	json_t		*v;

	if ((r = json_get_value(obj, name, &v)) != JSON_GET_OK)
		return r;
	if (!json_is_string(v))
		return JSON_GET_WRONG_TYPE;
	*out = json_string_value(v);
	return JSON_GET_OK;
}

enum json_get
json_get_int(const json_t *obj, const char *name, json_int_t *out)
{
	enum json_get	 r;
	json_t		*v;

	if ((r = json_get_value(obj, name, &v)) != JSON_GET_OK)
		return r;
	if (!json_is_integer(v))
		return JSON_GET_WRONG_TYPE;
	*out = json_integer_value(v);
	return JSON_GET_OK;
}

enum json_get
json_get_object(const json_t *obj, const char *name, json_t **out)
{
	enum json_get	 r;
	json_t		*v;

	if ((r = json_get_value(obj, name, &v)) != JSON_GET_OK)
		return r;
	if (!json_is_object(v))
		return JSON_GET_WRONG_TYPE;
	*out = v;
	return JSON_GET_OK;
}

enum json_get
json_get_array(const json_t *obj, const char *name, json_t **out)
{
	enum json_get	 r;
	json_t		*v;

	if ((r = json_get_value(obj, name, &v)) != JSON_GET_OK)
		return r;
	if (!json_is_array(v))
		return JSON_GET_WRONG_TYPE;
	*out = v;
	return JSON_GET_OK;
}
