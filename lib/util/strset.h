/*
 * strset - a set of NUL-terminated strings, for duplicate filters and
 * distinct counts.
 *
 * The table is lib/util/hashtab with the process-keyed pq_hash
 * (lib/util/hash.h): the strings come from queue files and logs, and
 * must not be choosable so as to collide.
 *
 *	pq_strset_add(s, key)	add a copy of key; false if it was there
 *	pq_strset_contains(s, key)
 *	pq_strset_clear(s)		empty it, keeping its table
 *	pq_strset_free(s)		empty it and free the table
 */
#ifndef POSTQ_STRSET_H
#define POSTQ_STRSET_H

#include <stdbool.h>
#include <stddef.h>

#include "util/hashtab.h"

struct pq_strset {
	struct pq_htab tab;	/* tab.used: the number of strings */
};

#define PQ_STRSET_INIT { PQ_HTAB_INIT }

bool pq_strset_contains(const struct pq_strset *s, const char *key);
/* Adds key (copied); false if it was already there. */
bool pq_strset_add(struct pq_strset *s, const char *key);
void pq_strset_clear(struct pq_strset *s);
void pq_strset_free(struct pq_strset *s);

#endif
