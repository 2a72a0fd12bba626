/*
 * strset - a set of strings; see strset.h.
 */
#include "util/strset.h"

#include "util/alloc.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

static bool is_key(const void *item, const void *key)
{
	return strcmp(item, key) == 0;
}

bool pq_strset_contains(const struct pq_strset *s, const char *key)
{
	if (s->tab.used == 0)
		return false;
	return pq_htab_find(&s->tab, pq_hash(key, strlen(key)), is_key, key) != NULL;
}

bool pq_strset_add(struct pq_strset *s, const char *key)
{
	bool isnew;
	struct pq_hslot *slot = pq_htab_insert(&s->tab, pq_hash(key, strlen(key)),
					       is_key, key, &isnew);

	if (isnew)
		slot->v.p = pq_xstrdup(key);
	return isnew;
}

void pq_strset_clear(struct pq_strset *s)
{
	struct pq_hslot *slot;
	size_t i = 0;

	while ((slot = pq_htab_next(&s->tab, &i)) != NULL)
		free(slot->v.p);
	pq_htab_clear(&s->tab);
}

void pq_strset_free(struct pq_strset *s)
{
	pq_strset_clear(s);
	pq_htab_free(&s->tab);
}
