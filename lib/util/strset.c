/*
 * strset - a set of strings; see strset.h.
 */
#include "util/strset.h"

#include "util/alloc.h"
#include "util/diag.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static size_t find_slot(char **slots, size_t nslots, const char *key)
{
	size_t i = (size_t)hash(key) & (nslots - 1);

	while (slots[i] && strcmp(slots[i], key) != 0)
		i = (i + 1) & (nslots - 1);
	return i;
}

bool strset_contains(const struct strset *s, const char *key)
{
	if (s->nslots == 0)
		return false;
	return s->slots[find_slot(s->slots, s->nslots, key)] != NULL;
}

static void grow(struct strset *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 16;
	char **slots = calloc(n, sizeof(*slots));

	if (slots == NULL)
		pq_oom(0);
	for (size_t i = 0; i < s->nslots; i++)
		if (s->slots[i])
			slots[find_slot(slots, n, s->slots[i])] = s->slots[i];
	free(s->slots);
	s->slots = slots;
	s->nslots = n;
}

bool strset_add(struct strset *s, const char *key)
{
	if ((s->used + 1) * 2 > s->nslots)
		grow(s);
	size_t i = find_slot(s->slots, s->nslots, key);
	if (s->slots[i])
		return false;
	s->slots[i] = strdup(key);
	if (s->slots[i] == NULL)
		pq_oom(0);
	s->used++;
	return true;
}

void strset_clear(struct strset *s)
{
	for (size_t i = 0; i < s->nslots; i++) {
		free(s->slots[i]);
		s->slots[i] = NULL;
	}
	s->used = 0;
}

void strset_free(struct strset *s)
{
	strset_clear(s);
	free(s->slots);
	s->slots = NULL;
	s->nslots = 0;
}
