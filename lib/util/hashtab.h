/*
 * hashtab - the one hash table under postq's maps and sets.
 *
 * strmap, strset, counter, qshape's rows and pflogsumm's ledger of
 * removed queue ids are all this table: an open-addressing array of
 * slots, each a 64-bit hash and one word (a pointer to the caller's
 * entry, or for a fingerprint table the value itself). Hashes come from
 * pq_hash (lib/util/hash.h), keyed per process, so no input can be
 * made to collide on purpose.
 *
 * Probing is linear, from the slot the hash's low bits name. A slot
 * keeps the full hash, so probing compares hashes and looks at an entry
 * (a cache miss in a big table) only when they are equal; growing (the
 * table doubles past 3/4 full) moves slots without hashing anything
 * again. Deletion shifts the rest of the cluster back (no tombstones),
 * so a table that sees as many deletions as insertions (per-queue-id
 * state) stays as small as what it holds.
 *
 * Keys are the caller's business. A lookup takes the key's hash and an
 * equality test, eq(item, key), called for slots whose hash is equal;
 * with eq NULL the hash alone is the key (a fingerprint table). Hash 0
 * marks an empty slot, so a hash of 0 is stored as 1: harmless for a
 * map (eq decides) and one more value in 2^64 for a fingerprint.
 *
 *	pq_htab_find(t, h, eq, key)	the slot holding key, or NULL
 *	pq_htab_insert(t, h, eq, key, &isnew)
 *					the slot holding key, claimed
 *					(hash set, word zero) if it was not
 *					there; the caller stores its word
 *					before the next change
 *	pq_htab_remove(t, slot)		empty a slot that find or insert
 *					returned (free the entry first)
 *	pq_htab_next(t, &i)		iteration: start with i = 0; the next
 *					full slot at or after i, or NULL
 *	pq_htab_clear(t)		empty it, keeping the array
 *	pq_htab_free(t)			free the array (entries are the
 *					caller's)
 *
 * A slot pointer is valid until the table next changes. Iteration order
 * depends on the hash key, so it differs from run to run: anything
 * printed from a table must be sorted. used counts the full slots.
 */
#ifndef POSTQ_HASHTAB_H
#define POSTQ_HASHTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pq_hslot {
	uint64_t hash;		/* 0: empty */
	union {
		void *p;	/* an entry of the caller's */
		uint64_t u;	/* or the value itself */
	} v;
};

struct pq_htab {
	struct pq_hslot *slots;
	size_t nslots;		/* 0 or a power of two */
	size_t used;
};

#define PQ_HTAB_INIT { NULL, 0, 0 }

typedef bool pq_htab_eq(const void *item, const void *key);

struct pq_hslot *pq_htab_find(const struct pq_htab *t, uint64_t h,
			      pq_htab_eq *eq, const void *key);
struct pq_hslot *pq_htab_insert(struct pq_htab *t, uint64_t h,
				pq_htab_eq *eq, const void *key, bool *isnew);
void pq_htab_remove(struct pq_htab *t, struct pq_hslot *s);
struct pq_hslot *pq_htab_next(const struct pq_htab *t, size_t *i);
void pq_htab_clear(struct pq_htab *t);
void pq_htab_free(struct pq_htab *t);

#endif
