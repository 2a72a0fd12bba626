/*
 * ledger.h - fingerprints of removed queue ids with what pflogsumm
 * would still remember about them; see ledger.c.
 */
#ifndef PFL_LEDGER_H
#define PFL_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "util/hashtab.h"

struct ledger {
	struct pq_htab tab;	/* fingerprint -> size << 2 | size_true << 1 | deferred */
};

/* h is the queue id's pq_hash (lib/util/hash.h): its fingerprint. */
void ledger_put(struct ledger *l, uint64_t h, uint64_t v);
bool ledger_get(const struct ledger *l, uint64_t h, uint64_t *v);
static inline bool ledger_empty(const struct ledger *l)
{
	return l->tab.used == 0;
}
void ledger_free(struct ledger *l);

#endif
