/*
 * counter - count occurrences of strings and list them by count.
 *
 * What "sort | uniq -c | sort -rn" does in the admins' one-liners, in
 * memory bounded by the number of distinct keys. Ties are listed in
 * byte order of the key so output is repeatable (the table's own order
 * changes from run to run: it is lib/util/hashtab under the
 * process-keyed pq_hash, so queue contents cannot be made to collide).
 */
#ifndef POSTQ_COUNTER_H
#define POSTQ_COUNTER_H

#include <stddef.h>

#include "util/hashtab.h"

struct pq_counter_entry {
	char *key;
	unsigned long count;
};

struct pq_counter {
	struct pq_htab tab;	/* of struct pq_counter_entry * */
};

#define PQ_COUNTER_INIT { PQ_HTAB_INIT }

void pq_counter_add(struct pq_counter *c, const char *key, unsigned long n);
/*
 * pq_counter_sorted - the entries, most frequent first; the array is
 * malloc'ed (free it), the keys stay owned by the counter.
 */
struct pq_counter_entry *pq_counter_sorted(const struct pq_counter *c, size_t *n);
void pq_counter_free(struct pq_counter *c);

#endif
