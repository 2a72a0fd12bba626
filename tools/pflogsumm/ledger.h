/*
 * ledger.h - fingerprints of removed queue ids with what pflogsumm
 * would still remember about them; see ledger.c.
 */
#ifndef PFL_LEDGER_H
#define PFL_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ledger_slot {
	uint64_t h;		/* 0: empty */
	uint64_t v;		/* size << 2 | size_true << 1 | deferred */
};

struct ledger {
	struct ledger_slot *slots;
	size_t nslots, used;
};

uint64_t ledger_hash(const char *s, size_t n);
void ledger_put(struct ledger *l, uint64_t h, uint64_t v);
bool ledger_get(const struct ledger *l, uint64_t h, uint64_t *v);
void ledger_free(struct ledger *l);

#endif
