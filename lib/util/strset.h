/*
 * strset - a set of strings (open addressing, FNV-1a), for duplicate
 * filters and distinct counts.
 */
#ifndef POSTQ_STRSET_H
#define POSTQ_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **slots;
	size_t nslots;		/* power of two */
	size_t used;
};

#define STRSET_INIT { NULL, 0, 0 }

bool strset_contains(const struct strset *s, const char *key);
/* Adds key (copied); false if it was already there. */
bool strset_add(struct strset *s, const char *key);
void strset_clear(struct strset *s);
void strset_free(struct strset *s);

#endif
