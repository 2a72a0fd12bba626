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

struct strlist {
	struct buf arena;
	size_t *offsets;
	size_t n;
	size_t cap;
};

#define STRLIST_INIT { BUF_INIT, NULL, 0, 0 }

void strlist_reset(struct strlist *l);
void strlist_free(struct strlist *l);
void strlist_add(struct strlist *l, const char *s);
void strlist_addn(struct strlist *l, const char *s, size_t len);
const char *strlist_get(const struct strlist *l, size_t i);

#endif
