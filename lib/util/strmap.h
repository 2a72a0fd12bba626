/*
 * strmap - a hash map from byte strings to fixed-size values.
 *
 * Log summaries key everything by strings that come from the log
 * (queue ids, addresses, domains, reasons): they can be any length and
 * contain any byte, so keys are (pointer, length) pairs, copied into the
 * map. Each entry carries a zero-initialised value of the size given at
 * init, stored in the same allocation as its key, so counting a key is
 * one lookup and no extra allocation. Entries can be deleted, which is
 * what keeps per-queue-id state bounded: it is dropped when the message
 * leaves the queue. The table is lib/util/hashtab, hashed with the
 * process-keyed pq_hash (lib/util/hash.h), so log contents cannot be
 * chosen to collide.
 *
 *	pq_strmap_get(m, key, klen)	the value, or NULL
 *	pq_strmap_put(m, key, klen, &isnew) the value, inserted zeroed if new
 *	pq_strmap_del(m, key, klen)	remove; false if it was not there
 *
 * A caller that looks one key up several times (get, then delete) can
 * hash it once with pq_hash(key, klen) and pass the hash to the _h
 * forms; the hash must be pq_hash of exactly that key.
 *
 * pq_strmap_entries lists the entries in an order that changes from run to
 * run (the hash is keyed per process): sort before printing.
 */
#ifndef POSTQ_STRMAP_H
#define POSTQ_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/hashtab.h"

struct pq_strmap_entry {
	size_t klen;
	char *key;		/* NUL-terminated copy (may hold NULs) */
	void *val;		/* vsize bytes, zeroed on insertion */
};

struct pq_strmap {
	struct pq_htab tab;	/* tab.used: the number of entries */
	size_t vsize;
};

void pq_strmap_init(struct pq_strmap *m, size_t vsize);
/* pq_strmap_get - the value for key, or NULL. */
void *pq_strmap_get(const struct pq_strmap *m, const char *key, size_t klen);
/* pq_strmap_put - the value for key, inserted zeroed if new (*isnew says). */
void *pq_strmap_put(struct pq_strmap *m, const char *key, size_t klen, bool *isnew);
/* pq_strmap_del - remove key; its value pointer becomes invalid. */
bool pq_strmap_del(struct pq_strmap *m, const char *key, size_t klen);
/* The same with h = pq_hash(key, klen) computed by the caller. */
void *pq_strmap_get_h(const struct pq_strmap *m, uint64_t h, const char *key, size_t klen);
void *pq_strmap_put_h(struct pq_strmap *m, uint64_t h, const char *key, size_t klen, bool *isnew);
bool pq_strmap_del_h(struct pq_strmap *m, uint64_t h, const char *key, size_t klen);
/*
 * pq_strmap_entries - the entries in unspecified order, malloc'ed array of
 * pointers (free it); valid until the map changes.
 */
struct pq_strmap_entry **pq_strmap_entries(const struct pq_strmap *m, size_t *n);
/* pq_strmap_free - free everything; cb, if not NULL, is called on each value first. */
void pq_strmap_free(struct pq_strmap *m, void (*cb)(void *val));

#endif
