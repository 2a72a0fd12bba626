/*
 * strmap - string-keyed hash map with fixed-size values; see strmap.h.
 */
#include "util/strmap.h"

#include "util/alloc.h"
#include "util/diag.h"

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
	/* the tail as one or two loads (overlapping what was hashed: fine for a hash) */
	uint64_t t = 0;
	if (i < n) {
		if (n >= 8) {
			memcpy(&t, s + n - 8, 8);
		} else if (n >= 4) {
			uint32_t a, b;
			memcpy(&a, s, 4);
			memcpy(&b, s + n - 4, 4);
			t = (uint64_t)a << 32 | b;
		} else {
			for (size_t k = 0; i < n; i++, k += 8)
				t |= (uint64_t)(unsigned char)s[i] << k;
		}
	}
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
	const struct strmap_slot *s;

	while ((s = &m->slots[i])->e != NULL) {
		if (s->hash == h && s->e->klen == klen && memcmp(s->e->key, key, klen) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

void *strmap_get(const struct strmap *m, const char *key, size_t klen)
{
	if (m->nslots == 0)
		return NULL;
	struct strmap_entry *e = m->slots[find(m, hash_bytes(key, klen), key, klen)].e;
	return e ? e->val : NULL;
}

static void grow(struct strmap *m)
{
	size_t n = m->nslots ? m->nslots * 2 : 16;
	struct strmap_slot *s = calloc(n, sizeof(*s));

	if (s == NULL)
		pq_oom(0);
	for (size_t i = 0; i < m->nslots; i++) {
		if (m->slots[i].e == NULL)
			continue;
		size_t j = (size_t)m->slots[i].hash & (n - 1);
		while (s[j].e)
			j = (j + 1) & (n - 1);
		s[j] = m->slots[i];
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
	if (m->slots[i].e) {
		if (isnew)
			*isnew = false;
		return m->slots[i].e->val;
	}
	size_t hs = (sizeof(struct strmap_entry) + 15) & ~(size_t)15;
	size_t vs = (m->vsize + 15) & ~(size_t)15;
	struct strmap_entry *e = malloc(hs + vs + klen + 1);
	if (e == NULL)
		pq_oom(0);
	e->hash = h;
	e->klen = klen;
	e->val = (char *)e + hs;	/* 16-byte aligned value, then the key */
	e->key = (char *)e->val + vs;
	memset(e->val, 0, vs);
	memcpy(e->key, key, klen);
	e->key[klen] = 0;
	m->slots[i].hash = h;
	m->slots[i].e = e;
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
	if (m->slots[i].e == NULL)
		return false;
	free(m->slots[i].e);
	m->slots[i].e = NULL;
	m->used--;
	/* backward-shift: re-place the rest of the cluster */
	size_t j = (i + 1) & mask;
	while (m->slots[j].e) {
		size_t home = (size_t)m->slots[j].hash & mask;
		/* can the entry move to i? yes if home is not cyclically in (i, j] */
		bool in = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
		if (!in) {
			m->slots[i] = m->slots[j];
			m->slots[j].e = NULL;
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
		pq_oom(0);
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].e)
			v[k++] = m->slots[i].e;
	*n = k;
	return v;
}

void strmap_free(struct strmap *m, void (*cb)(void *val))
{
	for (size_t i = 0; i < m->nslots; i++) {
		if (m->slots[i].e == NULL)
			continue;
		if (cb)
			cb(m->slots[i].e->val);
		free(m->slots[i].e);
	}
	free(m->slots);
	m->slots = NULL;
	m->nslots = m->used = 0;
}
