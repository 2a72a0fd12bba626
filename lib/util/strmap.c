/*
 * strmap - string-keyed hash map with fixed-size values; see strmap.h.
 */
#include "util/strmap.h"

#include "util/alloc.h"
#include "util/hash.h"

#include <stdlib.h>
#include <string.h>

struct key {
	const char *p;
	size_t n;
};

/*
 * Equal bytes; keys up to 16 bytes (queue ids, most domains) as two
 * overlapping word compares, without a call into libc.
 */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y, u, v;

	if (n > 16 || n < 8)
		return memcmp(a, b, n) == 0;
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	memcpy(&u, a + n - 8, 8);
	memcpy(&v, b + n - 8, 8);
	return ((x ^ y) | (u ^ v)) == 0;
}

static bool is_key(const void *item, const void *key)
{
	const struct pq_strmap_entry *e = item;
	const struct key *k = key;

	return e->klen == k->n && same_bytes(e->key, k->p, k->n);
}

void pq_strmap_init(struct pq_strmap *m, size_t vsize)
{
	m->tab = (struct pq_htab)PQ_HTAB_INIT;
	m->vsize = vsize;
}

void *pq_strmap_get_h(const struct pq_strmap *m, uint64_t h, const char *key, size_t klen)
{
	struct key k = { key, klen };
	struct pq_hslot *s = pq_htab_find(&m->tab, h, is_key, &k);

	return s ? ((struct pq_strmap_entry *)s->v.p)->val : NULL;
}

void *pq_strmap_get(const struct pq_strmap *m, const char *key, size_t klen)
{
	if (m->tab.used == 0)
		return NULL;
	return pq_strmap_get_h(m, pq_hash(key, klen), key, klen);
}

void *pq_strmap_put_h(struct pq_strmap *m, uint64_t h, const char *key, size_t klen, bool *isnew)
{
	struct key k = { key, klen };
	bool fresh;
	struct pq_hslot *s = pq_htab_insert(&m->tab, h, is_key, &k, &fresh);

	if (isnew)
		*isnew = fresh;
	if (!fresh)
		return ((struct pq_strmap_entry *)s->v.p)->val;
	/* one allocation: the entry, the 16-byte aligned value, the key */
	size_t hs = (sizeof(struct pq_strmap_entry) + 15) & ~(size_t)15;
	size_t vs = (m->vsize + 15) & ~(size_t)15;
	struct pq_strmap_entry *e = pq_xmalloc(hs + vs + klen + 1);
	e->klen = klen;
	e->val = (char *)e + hs;
	e->key = (char *)e->val + vs;
	memset(e->val, 0, vs);
	memcpy(e->key, key, klen);
	e->key[klen] = 0;
	s->v.p = e;
	return e->val;
}

void *pq_strmap_put(struct pq_strmap *m, const char *key, size_t klen, bool *isnew)
{
	return pq_strmap_put_h(m, pq_hash(key, klen), key, klen, isnew);
}

bool pq_strmap_del_h(struct pq_strmap *m, uint64_t h, const char *key, size_t klen)
{
	struct key k = { key, klen };
	struct pq_hslot *s = pq_htab_find(&m->tab, h, is_key, &k);

	if (s == NULL)
		return false;
	free(s->v.p);
	pq_htab_remove(&m->tab, s);
	return true;
}

bool pq_strmap_del(struct pq_strmap *m, const char *key, size_t klen)
{
	if (m->tab.used == 0)
		return false;
	return pq_strmap_del_h(m, pq_hash(key, klen), key, klen);
}

struct pq_strmap_entry **pq_strmap_entries(const struct pq_strmap *m, size_t *n)
{
	struct pq_strmap_entry **v = pq_xmalloc((m->tab.used ? m->tab.used : 1) * sizeof(*v));
	struct pq_hslot *s;
	size_t i = 0, k = 0;

	while ((s = pq_htab_next(&m->tab, &i)) != NULL)
		v[k++] = s->v.p;
	*n = k;
	return v;
}

void pq_strmap_free(struct pq_strmap *m, void (*cb)(void *val))
{
	struct pq_hslot *s;
	size_t i = 0;

	while ((s = pq_htab_next(&m->tab, &i)) != NULL) {
		struct pq_strmap_entry *e = s->v.p;
		if (cb)
			cb(e->val);
		free(e);
	}
	pq_htab_free(&m->tab);
}
