/*
 * strlist - an append-only list of strings kept in one arena.
 *
 * Per-message recipient lists are rebuilt for every queue file; one
 * arena reused across files keeps a 200,000-message listing from
 * calling malloc per address.
 */
#ifndef POSTQ_STRLIST_H
#define POSTQ_STRLIST_H

#include <stddef.h>

#include "util/buf.h"

struct pq_strlist {
	struct pq_buf arena;
	size_t *offsets;
	size_t n;
	size_t cap;
};

#define PQ_STRLIST_INIT { PQ_BUF_INIT, NULL, 0, 0 }

void pq_strlist_reset(struct pq_strlist *l);
void pq_strlist_free(struct pq_strlist *l);
void pq_strlist_add(struct pq_strlist *l, const char *s);
void pq_strlist_addn(struct pq_strlist *l, const char *s, size_t len);
const char *pq_strlist_get(const struct pq_strlist *l, size_t i);

#endif
