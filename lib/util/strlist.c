/*
 * strlist - append-only string list in one arena; see strlist.h.
 */
#include "util/strlist.h"

#include "util/alloc.h"
#include "util/diag.h"

#include <stdlib.h>
#include <string.h>

void pq_strlist_reset(struct pq_strlist *l)
{
	pq_buf_reset(&l->arena);
	l->n = 0;
}

void pq_strlist_free(struct pq_strlist *l)
{
	pq_buf_free(&l->arena);
	free(l->offsets);
	l->offsets = NULL;
	l->n = l->cap = 0;
}

void pq_strlist_addn(struct pq_strlist *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->offsets = realloc(l->offsets, l->cap * sizeof(*l->offsets));
		if (l->offsets == NULL)
			pq_oom(0);
	}
	l->offsets[l->n++] = l->arena.len;
	pq_buf_add(&l->arena, s, len);
	pq_buf_addc(&l->arena, 0);
}

void pq_strlist_add(struct pq_strlist *l, const char *s)
{
	pq_strlist_addn(l, s, strlen(s));
}

const char *pq_strlist_get(const struct pq_strlist *l, size_t i)
{
	return l->arena.data + l->offsets[i];
}
