/* Per-client connection counts and request token buckets; see tenant.h. */
#include <stdlib.h>
#include <string.h>

#include "tenant.h"
#include "xmalloc.h"

#define TENANT_BUCKETS	256

struct tenant {
	struct tenant	*next;
	char		*key;
	size_t		 conns;
	double		 tokens;
	int		 bucket_set;	/* tokens valid */
	uint64_t	 filled;	/* tokens as of then, ms */
	uint64_t	 last;		/* last use, ms */
};

struct tenants {
	struct tenant	*b[TENANT_BUCKETS];
	size_t		 n;
};

/* FNV-1a. */
static unsigned
tenant_hash(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h % TENANT_BUCKETS;
}

struct tenants *
tenants_new(void)
{
	return xcalloc(1, sizeof(struct tenants));
}

void
tenants_free(struct tenants *ts)
{
	struct tenant	*t, *next;
	size_t		 i;

	if (ts == NULL)
		return;
	for (i = 0; i < TENANT_BUCKETS; i++)
		for (t = ts->b[i]; t != NULL; t = next) {
			next = t->next;
			free(t->key);
			free(t);
		}
	free(ts);
}

struct tenant *
tenant_hold(struct tenants *ts, const char *key, uint64_t now)
{
	unsigned	 h = tenant_hash(key);
	struct tenant	*t;

	for (t = ts->b[h]; t != NULL; t = t->next)
		if (strcmp(t->key, key) == 0)
			break;
	if (t == NULL) {
		t = xcalloc(1, sizeof(*t));
		t->key = xstrdup(key);
		t->next = ts->b[h];
		ts->b[h] = t;
		ts->n++;
	}
	t->conns++;
	t->last = now;
	return t;
}

void
tenant_release(struct tenant *t, uint64_t now)
{
	if (t == NULL)
		return;
	if (t->conns > 0)
		t->conns--;
	t->last = now;
}

size_t
tenant_conns(const struct tenant *t)
{
	return t->conns;
}

int
tenant_take(struct tenant *t, unsigned rate, unsigned burst, uint64_t now,
    unsigned *retry_ms)
{
	double	elapsed;

	if (!t->bucket_set) {
		t->tokens = burst;
		t->bucket_set = 1;
	} else if (now > t->filled) {
		elapsed = (double)(now - t->filled) / 1000.0;
		t->tokens += elapsed * rate;
	}
	if (t->tokens > burst)
		t->tokens = burst;
	t->filled = now;
	t->last = now;
	if (t->tokens >= 1.0) {
		t->tokens -= 1.0;
		return 1;
	}
	*retry_ms = (unsigned)((1.0 - t->tokens) * 1000.0 / rate) + 1;
	return 0;
}

void
tenants_sweep(struct tenants *ts, uint64_t cutoff)
{
	struct tenant	**pp, *t;
	size_t		  i;

	for (i = 0; i < TENANT_BUCKETS; i++) {
		pp = &ts->b[i];
		while ((t = *pp) != NULL) {
			if (t->conns == 0 && t->last < cutoff) {
				*pp = t->next;
				free(t->key);
				free(t);
				ts->n--;
			} else
				pp = &t->next;
		}
	}
}

size_t
tenants_count(const struct tenants *ts)
{
	return ts->n;
}
