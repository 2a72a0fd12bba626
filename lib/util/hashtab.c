/*
 * hashtab - open addressing with linear probing; see hashtab.h.
 */
#include "util/hashtab.h"

#include "util/alloc.h"

#include <stdlib.h>
#include <string.h>

#define MIN_SLOTS 16

/* 0 marks an empty slot. */
static inline uint64_t stored(uint64_t h)
{
	return h + (h == 0);
}

/* The slot holding key, or the empty slot that ends its cluster. */
static inline struct pq_hslot *probe(const struct pq_htab *t, uint64_t h,
				     pq_htab_eq *eq, const void *key)
{
	size_t mask = t->nslots - 1, i = (size_t)h & mask;
	struct pq_hslot *s;

	while ((s = &t->slots[i])->hash != 0) {
		if (s->hash == h && (eq == NULL || eq(s->v.p, key)))
			break;
		i = (i + 1) & mask;
	}
	return s;
}

static struct pq_hslot *first_empty(struct pq_hslot *slots, size_t n,
				    uint64_t h)
{
	size_t i = (size_t)h & (n - 1);

	while (slots[i].hash != 0)
		i = (i + 1) & (n - 1);
	return &slots[i];
}

struct pq_hslot *pq_htab_find(const struct pq_htab *t, uint64_t h,
			      pq_htab_eq *eq, const void *key)
{
	if (t->used == 0)
		return NULL;
	struct pq_hslot *s = probe(t, stored(h), eq, key);
	return s->hash ? s : NULL;
}

static void grow(struct pq_htab *t)
{
	size_t n = t->nslots ? pq_size_mul(t->nslots, 2) : MIN_SLOTS;
	struct pq_hslot *slots = pq_xcalloc(n, sizeof(*slots));

	for (size_t i = 0; i < t->nslots; i++)
		if (t->slots[i].hash)
			*first_empty(slots, n, t->slots[i].hash) = t->slots[i];
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
}

struct pq_hslot *pq_htab_insert(struct pq_htab *t, uint64_t h,
				pq_htab_eq *eq, const void *key, bool *isnew)
{
	struct pq_hslot *s = NULL;

	h = stored(h);
	if (t->nslots) {
		s = probe(t, h, eq, key);
		if (s->hash) {
			if (isnew)
				*isnew = false;
			return s;
		}
	}
	if ((t->used + 1) * 4 > t->nslots * 3) {
		grow(t);
		s = first_empty(t->slots, t->nslots, h);
	}
	s->hash = h;
	s->v.u = 0;
	t->used++;
	if (isnew)
		*isnew = true;
	return s;
}

void pq_htab_remove(struct pq_htab *t, struct pq_hslot *s)
{
	size_t mask = t->nslots - 1;
	size_t i = (size_t)(s - t->slots), j = (i + 1) & mask;

	t->slots[i].hash = 0;
	t->used--;
	/* Move back every later slot of the cluster that may live at i. */
	for (; t->slots[j].hash != 0; j = (j + 1) & mask) {
		size_t home = (size_t)t->slots[j].hash & mask;
		/* it stays unless its home is cyclically in (i, j] */
		bool stays = i <= j ? (home > i && home <= j)
				    : (home > i || home <= j);
		if (!stays) {
			t->slots[i] = t->slots[j];
			t->slots[j].hash = 0;
			i = j;
		}
	}
}

struct pq_hslot *pq_htab_next(const struct pq_htab *t, size_t *i)
{
	for (; *i < t->nslots; ++*i)
		if (t->slots[*i].hash != 0)
			return &t->slots[(*i)++];
	return NULL;
}

void pq_htab_clear(struct pq_htab *t)
{
	if (t->nslots)
		memset(t->slots, 0, t->nslots * sizeof(*t->slots));
	t->used = 0;
}

void pq_htab_free(struct pq_htab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->nslots = t->used = 0;
}
