/*
 * counter - count occurrences of strings; see counter.h.
 */
#include "util/counter.h"

#include "util/alloc.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

static bool is_key(const void *item, const void *key)
{
	const struct pq_counter_entry *e = item;

	return strcmp(e->key, key) == 0;
}

void pq_counter_add(struct pq_counter *c, const char *key, unsigned long n)
{
	size_t len = strlen(key);
	bool isnew;
	struct pq_hslot *s = pq_htab_insert(&c->tab, pq_hash(key, len), is_key,
					    key, &isnew);

	if (isnew) {
		/* the key right after the entry: one allocation */
		struct pq_counter_entry *e = pq_xmalloc(sizeof(*e) + len + 1);
		e->key = memcpy((char *)(e + 1), key, len + 1);
		e->count = 0;
		s->v.p = e;
	}
	((struct pq_counter_entry *)s->v.p)->count += n;
}

static int by_count(const void *a, const void *b)
{
	const struct pq_counter_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct pq_counter_entry *pq_counter_sorted(const struct pq_counter *c, size_t *n)
{
	struct pq_counter_entry *v = pq_xmalloc((c->tab.used ? c->tab.used : 1) * sizeof(*v));
	struct pq_hslot *s;
	size_t i = 0, k = 0;

	while ((s = pq_htab_next(&c->tab, &i)) != NULL)
		v[k++] = *(struct pq_counter_entry *)s->v.p;
	qsort(v, k, sizeof(*v), by_count);
	*n = k;
	return v;
}

void pq_counter_free(struct pq_counter *c)
{
	struct pq_hslot *s;
	size_t i = 0;

	while ((s = pq_htab_next(&c->tab, &i)) != NULL)
		free(s->v.p);
	pq_htab_free(&c->tab);
}
