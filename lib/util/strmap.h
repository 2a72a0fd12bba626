/*
 * strmap - a hash map from byte strings to fixed-size values.
 *
 * Log summaries key everything by strings that come from the log
 * (queue ids, addresses, domains, reasons): they can be any length and
 * contain any byte, so keys are (pointer, length) pairs, copied into the
 * map. Each entry carries a zero-initialised value of the size given at
 * init, stored in the same allocation as its key, so counting a key is
 * one lookup and no extra allocation. Entries can be deleted (linear
 * probing with backward-shift deletion, no tombstones), which is what
 * keeps per-queue-id state bounded: it is dropped when the message
 * leaves the queue.
 */
#ifndef POSTQ_STRMAP_H
#define POSTQ_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
	uint64_t hash;
	size_t klen;
	char *key;		/* NUL-terminated copy (may hold NULs) */
	void *val;		/* vsize bytes, zeroed on insertion */
};

/*
 * A slot keeps the hash next to the entry pointer: probing compares
 * hashes without touching the entries (a cache miss each in big maps).
 */
struct strmap_slot {
	uint64_t hash;
	struct strmap_entry *e;	/* NULL: empty */
};

struct strmap {
	struct strmap_slot *slots;
	size_t nslots;		/* power of two, or 0 */
	size_t used;
	size_t vsize;
};

void strmap_init(struct strmap *m, size_t vsize);
/* strmap_get - the value for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t klen);
/* strmap_put - the value for key, inserted zeroed if new (*isnew says). */
void *strmap_put(struct strmap *m, const char *key, size_t klen, bool *isnew);
/* strmap_del - remove key; its value pointer becomes invalid. */
bool strmap_del(struct strmap *m, const char *key, size_t klen);
/*
 * strmap_entries - the entries in unspecified order, malloc'ed array of
 * pointers (free it); valid until the map changes.
 */
struct strmap_entry **strmap_entries(const struct strmap *m, size_t *n);
/* strmap_free - free everything; cb, if not NULL, is called on each value first. */
void strmap_free(struct strmap *m, void (*cb)(void *val));

#endif
