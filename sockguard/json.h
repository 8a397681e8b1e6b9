/*
 * Strict JSON body decoding.  dockerd decodes request bodies with Go's
 * encoding/json; a policy that reads a body differently from dockerd can
 * be bypassed, so json_body_parse() refuses every body on which the two
 * readings could differ, and json_field() finds a field the way Go does.
 *
 * Go matches an object key to a struct field exactly or, failing that,
 * under Unicode simple case folding.  Onto ASCII (all of Docker's field
 * names are ASCII) that folding is: ASCII letters ignore case, U+017F
 * LATIN SMALL LETTER LONG S is 's' and U+212A KELVIN SIGN is 'k'.  No
 * other code point simple-folds to ASCII (Unicode CaseFolding.txt, and Go
 * 1.19's unicode.SimpleFold over every rune).  The canonical form of a key
 * is that folding applied to it, every other byte kept as it is; two keys
 * "fold-equal" when their canonical forms are equal.
 *
 * Refused: anything jansson refuses (invalid UTF-8 in any form, lone or
 * unpaired surrogate escapes, \u0000, bad numbers, integers outside int64,
 * reals that overflow a double, trailing bytes other than JSON
 * whitespace); an empty body; nesting deeper than JSON_MAX_DEPTH; a top
 * level that is not an object when one is wanted; and any object, at any
 * depth, with two fold-equal keys.  Go lets the last of repeated keys win
 * and merges repeated objects, so a policy reading the first would be
 * fooled.  Map-typed values (Labels, Sysctls, ...) are Go maps, whose keys
 * Go compares exactly, but sockguard cannot tell maps from structs without
 * knowing every type, so their keys are held to the same rule: a body
 * with labels "a" and "A" is refused.
 *
 * Values are jansson's json_t; numbers keep jansson's split: integers
 * (-0 is the integer 0) and reals (1.0, 1e2, -0.0, 1e-400 is 0.0).
 */
#ifndef SG_JSON_H
#define SG_JSON_H

#include <stddef.h>

#include <jansson.h>

#define JSON_MAX_DEPTH	64	/* objects and arrays, top included */

/*
 * Parses body[0..len) strictly as above.  want_object: the top level
 * must be an object; else any JSON value is accepted.  Returns a new
 * reference (the caller json_decref()s it), or NULL with a reason, in
 * printable ASCII, in why (truncated to whylen).
 */
json_t	*json_body_parse(const char *body, size_t len, int want_object,
	    char *why, size_t whylen);

/*
 * The value of the field whose JSON name is NAME (ASCII, as in the Go
 * struct tag) in obj, or NULL if absent or obj is not an object (NULL is
 * fine).  A key equal to NAME is preferred, then the last key in document
 * order that is fold-equal to it.  In an object from json_body_parse() at
 * most one key can match, and then this is exactly Go's answer.  Borrowed
 * reference.
 */
json_t	*json_field(const json_t *obj, const char *name);

/* 1 if the keys a[0..alen) and b[0..blen) are fold-equal, else 0. */
int	 json_key_fold_equal(const char *a, size_t alen, const char *b,
	    size_t blen);

/*
 * Writes the canonical form of key[0..len), NUL-terminated, to out, which
 * must hold len + 1 bytes; returns its length (never more than len).
 */
size_t	 json_key_fold(const char *key, size_t len, char *out);

/*
 * Typed field getters for policy code.  *out is set only on JSON_GET_OK.
 * Go leaves a field unchanged for null, so JSON_GET_NULL reads as the
 * field's default.  JSON_GET_WRONG_TYPE means dockerd refuses the body;
 * refuse it too.  A NULL or non-object obj gives JSON_GET_ABSENT: check
 * the parent with json_get_object() first.
 */
enum json_get {
	JSON_GET_ABSENT,
	JSON_GET_NULL,
	JSON_GET_OK,
	JSON_GET_WRONG_TYPE
};
enum json_get	 json_get_bool(const json_t *obj, const char *name,
		    int *out);
enum json_get	 json_get_string(const json_t *obj, const char *name,
		    const char **out);
/* Integers only: Go refuses 1.0 and 1e2 for an integer field. */
enum json_get	 json_get_int(const json_t *obj, const char *name,
		    json_int_t *out);
enum json_get	 json_get_object(const json_t *obj, const char *name,
		    json_t **out);
enum json_get	 json_get_array(const json_t *obj, const char *name,
		    json_t **out);

#endif
