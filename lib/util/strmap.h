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
 *	strmap_get(m, key, klen)	the value, or NULL
 *	strmap_put(m, key, klen, &isnew) the value, inserted zeroed if new
 *	strmap_del(m, key, klen)	remove; false if it was not there
 *
 * A caller that looks one key up several times (get, then delete) can
 * hash it once with pq_hash(key, klen) and pass the hash to the _h
 * forms; the hash must be pq_hash of exactly that key.
 *
 * strmap_entries lists the entries in an order that changes from run to
 * run (the hash is keyed per process): sort before printing.
 */
#ifndef POSTQ_STRMAP_H
#define POSTQ_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/hashtab.h"

struct strmap_entry {
	size_t klen;
	char *key;		/* NUL-terminated copy (may hold NULs) */
	void *val;		/* vsize bytes, zeroed on insertion */
};

struct strmap {
	/*
	 * The table, and its fields by name for readers of m->used (the
	 * number of entries): the two structs share their layout, so
	 * reading either is reading the table (C11 6.5.2.3).
	 */
	union {
		struct pq_htab tab;
		struct {
			struct pq_hslot *slots;
			size_t nslots;
			size_t used;
		};
	};
	size_t vsize;
};

void strmap_init(struct strmap *m, size_t vsize);
/* strmap_get - the value for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t klen);
/* strmap_put - the value for key, inserted zeroed if new (*isnew says). */
void *strmap_put(struct strmap *m, const char *key, size_t klen, bool *isnew);
/* strmap_del - remove key; its value pointer becomes invalid. */
bool strmap_del(struct strmap *m, const char *key, size_t klen);
/* The same with h = pq_hash(key, klen) computed by the caller. */
void *strmap_get_h(const struct strmap *m, uint64_t h, const char *key, size_t klen);
void *strmap_put_h(struct strmap *m, uint64_t h, const char *key, size_t klen, bool *isnew);
bool strmap_del_h(struct strmap *m, uint64_t h, const char *key, size_t klen);
/*
 * strmap_entries - the entries in unspecified order, malloc'ed array of
 * pointers (free it); valid until the map changes.
 */
struct strmap_entry **strmap_entries(const struct strmap *m, size_t *n);
/* strmap_free - free everything; cb, if not NULL, is called on each value first. */
void strmap_free(struct strmap *m, void (*cb)(void *val));

#endif
