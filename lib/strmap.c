/*
 * strmap - string-keyed hash map with fixed-size values; see strmap.h.
 */
#include "strmap.h"

#include "diag.h"

#include <stdlib.h>
#include <string.h>

/* 8 bytes per step: keys can be long (reasons), and this runs per lookup */
static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	uint64_t t = 0;
	for (size_t k = 0; i < n; i++, k += 8)
		t |= (uint64_t)(unsigned char)s[i] << k;
	h = (h ^ t) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 32;
	return h;
}

void strmap_init(struct strmap *m, size_t vsize)
{
	m->slots = NULL;
	m->nslots = 0;
	m->used = 0;
	m->vsize = vsize;
}

static size_t find(const struct strmap *m, uint64_t h, const char *key, size_t klen)
{
	size_t mask = m->nslots - 1, i = (size_t)h & mask;
	struct strmap_entry *e;

	while ((e = m->slots[i]) != NULL) {
		if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

void *strmap_get(const struct strmap *m, const char *key, size_t klen)
{
	if (m->nslots == 0)
		return NULL;
	struct strmap_entry *e = m->slots[find(m, hash_bytes(key, klen), key, klen)];
	return e ? e->val : NULL;
}

static void grow(struct strmap *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 16;
	struct strmap_entry **s = calloc(n, sizeof(*s));

	if (s == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	for (size_t i = 0; i < m->nslots; i++) {
		struct strmap_entry *e = m->slots[i];
		if (e == NULL)
			continue;
		size_t j = (size_t)e->hash & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = e;
	}
	free(m->slots);
	m->slots = s;
	m->nslots = n;
}

void *strmap_put(struct strmap *m, const char *key, size_t klen, bool *isnew)
{
	if ((m->used + 1) * 4 > m->nslots * 3)
		grow(m);
	uint64_t h = hash_bytes(key, klen);
	size_t i = find(m, h, key, klen);
	if (m->slots[i]) {
		if (isnew)
			*isnew = false;
		return m->slots[i]->val;
	}
	size_t hs = (sizeof(struct strmap_entry) + 15) & ~(size_t)15;
	size_t vs = (m->vsize + 15) & ~(size_t)15;
	struct strmap_entry *e = malloc(hs + vs + klen + 1);
	if (e == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	e->hash = h;
	e->klen = klen;
	e->val = (char *)e + hs;	/* 16-byte aligned value, then the key */
	e->key = (char *)e->val + vs;
	memset(e->val, 0, vs);
	memcpy(e->key, key, klen);
	e->key[klen] = 0;
	m->slots[i] = e;
	m->used++;
	if (isnew)
		*isnew = true;
	return e->val;
}

bool strmap_del(struct strmap *m, const char *key, size_t klen)
{
	if (m->nslots == 0)
		return false;
	size_t mask = m->nslots - 1;
	size_t i = find(m, hash_bytes(key, klen), key, klen);
	if (m->slots[i] == NULL)
		return false;
	free(m->slots[i]);
	m->slots[i] = NULL;
	m->used--;
	/* backward-shift: re-place the rest of the cluster */
	size_t j = (i + 1) & mask;
	while (m->slots[j]) {
		struct strmap_entry *e = m->slots[j];
		size_t home = (size_t)e->hash & mask;
		/* can e move to i? yes if home is not cyclically in (i, j] */
		bool in = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
		if (!in) {
			m->slots[i] = e;
			m->slots[j] = NULL;
			i = j;
		}
		j = (j + 1) & mask;
	}
	return true;
}

struct strmap_entry **strmap_entries(const struct strmap *m, size_t *n)
{
	struct strmap_entry **v = malloc((m->used ? m->used : 1) * sizeof(*v));
	size_t k = 0;

	if (v == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i])
			v[k++] = m->slots[i];
	*n = k;
	return v;
}

void strmap_free(struct strmap *m, void (*cb)(void *val))
{
	for (size_t i = 0; i < m->nslots; i++) {
		if (m->slots[i] == NULL)
			continue;
		if (cb)
			cb(m->slots[i]->val);
		free(m->slots[i]);
	}
	free(m->slots);
	m->slots = NULL;
	m->nslots = m->used = 0;
}
