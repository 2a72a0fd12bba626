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

struct counter_entry {
	char *key;
	unsigned long count;
};

struct counter {
	struct pq_htab tab;	/* of struct counter_entry * */
};

#define COUNTER_INIT { PQ_HTAB_INIT }

void counter_add(struct counter *c, const char *key, unsigned long n);
/*
 * counter_sorted - the entries, most frequent first; the array is
 * malloc'ed (free it), the keys stay owned by the counter.
 */
struct counter_entry *counter_sorted(const struct counter *c, size_t *n);
void counter_free(struct counter *c);

#endif
