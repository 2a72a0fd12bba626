/*
 * counter - count occurrences of strings; see counter.h.
 */
#include "util/counter.h"

#include "util/alloc.h"
#include "util/diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct counter_entry *slots, size_t nslots,
		      const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *s = key; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	size_t i = (size_t)h & (nslots - 1);
	while (slots[i].key && strcmp(slots[i].key, key) != 0)
		i = (i + 1) & (nslots - 1);
	return i;
}

void counter_add(struct counter *c, const char *key, unsigned long n)
{
	if ((c->used + 1) * 2 > c->nslots) {
		size_t ns = c->nslots ? c->nslots * 2 : 64;
		struct counter_entry *slots = calloc(ns, sizeof(*slots));
		if (slots == NULL)
			pq_oom(0);
		for (size_t i = 0; i < c->nslots; i++)
			if (c->slots[i].key)
				slots[slot_of(slots, ns, c->slots[i].key)] = c->slots[i];
		free(c->slots);
		c->slots = slots;
		c->nslots = ns;
	}
	size_t i = slot_of(c->slots, c->nslots, key);
	if (c->slots[i].key == NULL) {
		c->slots[i].key = strdup(key);
		if (c->slots[i].key == NULL)
			pq_oom(0);
		c->used++;
	}
	c->slots[i].count += n;
}

static int by_count(const void *a, const void *b)
{
	const struct counter_entry *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct counter_entry *counter_sorted(const struct counter *c, size_t *n)
{
	struct counter_entry *v = malloc((c->used ? c->used : 1) * sizeof(*v));
	size_t k = 0;

	if (v == NULL)
		pq_oom(0);
	for (size_t i = 0; i < c->nslots; i++)
		if (c->slots[i].key)
			v[k++] = c->slots[i];
	qsort(v, k, sizeof(*v), by_count);
	*n = k;
	return v;
}

void counter_free(struct counter *c)
{
	for (size_t i = 0; i < c->nslots; i++)
		free(c->slots[i].key);
	free(c->slots);
	c->slots = NULL;
	c->nslots = c->used = 0;
}
