/*
 * test_hash - the keyed hash (SipHash against published vectors, the
 * process key and its test seed), the one hash table (insert, find,
 * delete, growth, fingerprints) and its wrappers, and keys crafted to
 * collide under the FNV-1a the tables used before.
 */
#include "unit.h"

#include "util/counter.h"
#include "util/hash.h"
#include "util/hashtab.h"
#include "util/strmap.h"
#include "util/strset.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * SipHash-2-4, key 00 01 .. 0f, message 00 01 .. (len - 1) for len 0
 * to 63: the vectors published with the SipHash reference
 * implementation (vectors.h); entry 15 is the worked example of the
 * paper's Appendix A.
 */
static const uint64_t sip24_vectors[64] = {
	0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL, 0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
	0xcf2794e0277187b7ULL, 0x18765564cd99a68dULL, 0xcbc9466e58fee3ceULL, 0xab0200f58b01d137ULL,
	0x93f5f5799a932462ULL, 0x9e0082df0ba9e4b0ULL, 0x7a5dbbc594ddb9f3ULL, 0xf4b32f46226bada7ULL,
	0x751e8fbc860ee5fbULL, 0x14ea5627c0843d90ULL, 0xf723ca908e7af2eeULL, 0xa129ca6149be45e5ULL,
	0x3f2acc7f57c29bdbULL, 0x699ae9f52cbe4794ULL, 0x4bc1b3f0968dd39cULL, 0xbb6dc91da77961bdULL,
	0xbed65cf21aa2ee98ULL, 0xd0f2cbb02e3b67c7ULL, 0x93536795e3a33e88ULL, 0xa80c038ccd5ccec8ULL,
	0xb8ad50c6f649af94ULL, 0xbce192de8a85b8eaULL, 0x17d835b85bbb15f3ULL, 0x2f2e6163076bcfadULL,
	0xde4daaaca71dc9a5ULL, 0xa6a2506687956571ULL, 0xad87a3535c49ef28ULL, 0x32d892fad841c342ULL,
	0x7127512f72f27cceULL, 0xa7f32346f95978e3ULL, 0x12e0b01abb051238ULL, 0x15e034d40fa197aeULL,
	0x314dffbe0815a3b4ULL, 0x027990f029623981ULL, 0xcadcd4e59ef40c4dULL, 0x9abfd8766a33735cULL,
	0x0e3ea96b5304a7d0ULL, 0xad0c42d6fc585992ULL, 0x187306c89bc215a9ULL, 0xd4a60abcf3792b95ULL,
	0xf935451de4f21df2ULL, 0xa9538f0419755787ULL, 0xdb9acddff56ca510ULL, 0xd06c98cd5c0975ebULL,
	0xe612a3cb9ecba951ULL, 0xc766e62cfcadaf96ULL, 0xee64435a9752fe72ULL, 0xa192d576b245165aULL,
	0x0a8787bf8ecb74b2ULL, 0x81b3e73d20b49b6fULL, 0x7fa8220ba3b2eceaULL, 0x245731c13ca42499ULL,
	0xb78dbfaf3a8d83bdULL, 0xea1ad565322a1a0bULL, 0x60e61c23a3795013ULL, 0x6606d7e446282b93ULL,
	0x6ca4ecb15c5f91e1ULL, 0x9f626da15c9625f3ULL, 0xe51b38608ef25f57ULL, 0x958a324ceb064572ULL,
};

/*
 * SipHash-1-3 has no vectors in the paper. These come from another
 * implementation: CPython 3.11's hash() of bytes(range(len)) with
 * PYTHONHASHSEED=0, which is SipHash-1-3 under the all-zero key.
 */
static const struct {
	size_t len;
	uint64_t h;
} sip13_vectors[] = {
	{ 1, 0x68a914128e01e473ULL }, { 2, 0x010bac45c41e3669ULL },
	{ 3, 0x4d4c9a4a8ef6e0adULL }, { 4, 0x7cc43f98813e4dbdULL },
	{ 5, 0x5abe2169dff36275ULL }, { 6, 0xe3c25f87624f1cdbULL },
	{ 7, 0x2f098ab0c751325aULL }, { 8, 0xead411e67ebe2eeaULL },
	{ 9, 0x75927f9d95124362ULL }, { 10, 0xaf9f77a65ab51a1dULL },
	{ 11, 0xfe64ce8b6617fcffULL }, { 12, 0xa6baf4fb0f9fe1c2ULL },
	{ 13, 0xa0cf3211850f8e0dULL }, { 14, 0x7f86049379fbfe67ULL },
	{ 15, 0xf30eb725bb91c9eaULL }, { 16, 0x8972188433a5c5b7ULL },
	{ 17, 0x4883c49a2c009c1dULL }, { 23, 0x37332b1389daa4ffULL },
	{ 24, 0x31185a47af932f3aULL }, { 31, 0x169739443111d49bULL },
	{ 32, 0x31ef8061c910629bULL }, { 63, 0x385d3e39e5f37359ULL },
};

/*
 * FNV-1a as strset, counter and qshape's rows computed it before they
 * were keyed: with the offset basis 1469598103934665603, a digit short
 * of the published 14695981039346656037 (unkeyed either way).
 */
static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* pq_hash of one string in a fresh process (the parent must not have hashed yet). */
static uint64_t hash_in_child(const char *s)
{
	int fd[2];
	uint64_t h = 0;

	if (pipe(fd) != 0)
		return 0;
	pid_t pid = fork();
	if (pid == 0) {
		unsetenv("POSTQ_TEST");
		h = pq_hash(s, strlen(s));
		_exit(write(fd[1], &h, sizeof(h)) == sizeof(h) ? 0 : 1);
	}
	close(fd[1]);
	if (read(fd[0], &h, sizeof(h)) != sizeof(h))
		h = 0;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	return h;
}

static void test_siphash(void)
{
	unsigned char key[16], msg[64 + 1];
	bool ok = true;

	for (int i = 0; i < 16; i++)
		key[i] = (unsigned char)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (unsigned char)i;
	for (size_t n = 0; n < 64; n++)
		if (pq_siphash24(key, msg, n) != sip24_vectors[n]) {
			printf("# SipHash-2-4 length %zu\n", n);
			ok = false;
		}
	CHECK(ok, "SipHash-2-4: the 64 reference vectors");

	unsigned char zero[16] = { 0 };
	ok = true;
	for (size_t i = 0; i < sizeof(sip13_vectors) / sizeof(sip13_vectors[0]); i++)
		if (pq_siphash13(zero, msg, sip13_vectors[i].len) != sip13_vectors[i].h) {
			printf("# SipHash-1-3 length %zu\n", sip13_vectors[i].len);
			ok = false;
		}
	CHECK(ok, "SipHash-1-3: CPython's values under the zero key");

	/* the same bytes at every alignment */
	unsigned char shifted[64 + 8];
	ok = true;
	for (size_t off = 1; off < 8; off++) {
		memcpy(shifted + off, msg, 64);
		for (size_t n = 0; n < 64; n++)
			ok = ok && pq_siphash24(key, shifted + off, n) == sip24_vectors[n];
	}
	CHECK(ok, "SipHash-2-4: unaligned input");
}

static void test_key(void)
{
	/* Before this process hashes anything: children make their own keys. */
	uint64_t a = hash_in_child("user@example.com");
	uint64_t b = hash_in_child("user@example.com");
	CHECK(a != 0 && b != 0 && a != b, "each process draws its own key");

	setenv("POSTQ_TEST", "hashseed=42", 1);
	unsigned char key[16];
	uint64_t k0 = 42, k1 = ~(uint64_t)42;
	for (int i = 0; i < 8; i++) {
		key[i] = (unsigned char)(k0 >> (8 * i));
		key[8 + i] = (unsigned char)(k1 >> (8 * i));
	}
	CHECK(pq_hash("abc", 3) == pq_siphash13(key, "abc", 3),
	      "POSTQ_TEST=hashseed=42 fixes the key");
	CHECK(pq_hash("abc", 3) == pq_hash("abc", 3) && pq_hash("abc", 3) != pq_hash("abd", 3),
	      "pq_hash is a function of the bytes");
	unsetenv("POSTQ_TEST");
}

/*
 * A hash with many equal low bits, near the top of any table, so
 * clusters wrap around the array's end; the high bits make it unique.
 */
static uint64_t crowded(uint64_t i)
{
	return i << 32 | (0xfffffff0u + i % 3);
}

static bool htab_sane(const struct pq_htab *t)
{
	size_t full = 0, i = 0;

	while (pq_htab_next(t, &i))
		full++;
	return full == t->used && (t->nslots & (t->nslots - 1)) == 0
		&& t->used * 4 <= t->nslots * 3;
}

static void test_htab(void)
{
	struct pq_htab t = PQ_HTAB_INIT;
	enum { N = 3000 };
	bool ok = true, isnew;

	CHECK(pq_htab_find(&t, 1, NULL, NULL) == NULL, "empty table: nothing found");
	for (uint64_t i = 0; i < N; i++) {
		struct pq_hslot *s = pq_htab_insert(&t, crowded(i), NULL, NULL, &isnew);
		ok = ok && isnew && s->v.u == 0;
		s->v.u = i;
	}
	CHECK(ok && t.used == N && htab_sane(&t), "insert: every key new, table grown");
	ok = true;
	for (uint64_t i = 0; i < N; i++) {
		struct pq_hslot *s = pq_htab_find(&t, crowded(i), NULL, NULL);
		ok = ok && s && s->v.u == i;
	}
	CHECK(ok, "find every key in clusters that wrap");
	ok = true;
	for (uint64_t i = 0; i < N; i++) {
		struct pq_hslot *s = pq_htab_insert(&t, crowded(i), NULL, NULL, &isnew);
		ok = ok && !isnew && s->v.u == i;
	}
	CHECK(ok && t.used == N, "insert of a present key finds it");

	/* delete two thirds, in an order unrelated to the probe order */
	for (uint64_t k = 0; k < N; k++) {
		uint64_t i = (k * 7919) % N;
		if (i % 3 == 0)
			continue;
		struct pq_hslot *s = pq_htab_find(&t, crowded(i), NULL, NULL);
		if (s)
			pq_htab_remove(&t, s);
	}
	ok = t.used == N / 3 && htab_sane(&t);
	for (uint64_t i = 0; i < N; i++) {
		struct pq_hslot *s = pq_htab_find(&t, crowded(i), NULL, NULL);
		ok = ok && (i % 3 == 0 ? s && s->v.u == i : s == NULL);
	}
	CHECK(ok, "delete: the rest still found, the deleted gone");
	for (uint64_t i = 0; i < N; i++)
		if (i % 3)
			pq_htab_insert(&t, crowded(i), NULL, NULL, NULL)->v.u = i;
	ok = t.used == N && htab_sane(&t);
	for (uint64_t i = 0; i < N; i++) {
		struct pq_hslot *s = pq_htab_find(&t, crowded(i), NULL, NULL);
		ok = ok && s && s->v.u == i;
	}
	CHECK(ok, "reinsert after delete");

	size_t nslots = t.nslots;
	pq_htab_clear(&t);
	CHECK(t.used == 0 && t.nslots == nslots && !pq_htab_find(&t, crowded(5), NULL, NULL),
	      "clear keeps the array, forgets the keys");
	pq_htab_insert(&t, 0, NULL, NULL, NULL)->v.u = 7;
	struct pq_hslot *z = pq_htab_find(&t, 0, NULL, NULL);
	CHECK(z && z->v.u == 7 && z->hash != 0, "hash 0 is stored (as 1)");
	pq_htab_free(&t);
	CHECK(t.slots == NULL && t.nslots == 0 && t.used == 0, "free");
}

static void test_wrappers(void)
{
	struct pq_strset s = PQ_STRSET_INIT;
	char key[32];
	bool ok = true;

	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "user%d@example.com", i);
		ok = ok && pq_strset_add(&s, key);
	}
	ok = ok && !pq_strset_add(&s, "user5@example.com") && s.tab.used == 1000;
	ok = ok && pq_strset_contains(&s, "user999@example.com") && !pq_strset_contains(&s, "user1000@example.com");
	CHECK(ok, "strset add and contains");
	pq_strset_clear(&s);
	CHECK(s.tab.used == 0 && s.tab.nslots > 64 && !pq_strset_contains(&s, "user5@example.com"),
	      "strset clear");
	pq_strset_free(&s);

	struct pq_counter c = PQ_COUNTER_INIT;
	pq_counter_add(&c, "b", 2);
	pq_counter_add(&c, "a", 2);
	pq_counter_add(&c, "c", 5);
	pq_counter_add(&c, "b", 1);
	size_t n;
	struct pq_counter_entry *v = pq_counter_sorted(&c, &n);
	CHECK(n == 3 && strcmp(v[0].key, "c") == 0 && v[0].count == 5
	      && strcmp(v[1].key, "b") == 0 && v[1].count == 3
	      && strcmp(v[2].key, "a") == 0 && v[2].count == 2,
	      "counter: by count, ties by key");
	free(v);
	pq_counter_free(&c);

	struct pq_strmap m;
	pq_strmap_init(&m, sizeof(int));
	uint64_t h = pq_hash("QID1", 4);
	*(int *)pq_strmap_put_h(&m, h, "QID1", 4, NULL) = 3;
	int *iv = pq_strmap_get(&m, "QID1", 4);
	ok = iv && *iv == 3 && pq_strmap_get_h(&m, h, "QID1", 4) == iv;
	ok = ok && pq_strmap_del_h(&m, h, "QID1", 4) && !pq_strmap_get(&m, "QID1", 4) && m.tab.used == 0;
	CHECK(ok, "strmap with the caller's hash");
	pq_strmap_free(&m, NULL);
}

/*
 * Keys that collide under that FNV-1a in their low 20 bits, so that
 * every table of up to 2^20 slots indexed by them puts all of them in
 * one cluster. The low k bits of an FNV-1a state depend only on the low k
 * bits of the state before and on the byte, so two blocks that reach
 * the same low bits from one state do so after any common prefix;
 * PAIRS such pairs chained give 2^PAIRS keys. Each pair is found by
 * trying pseudo-random six-letter blocks until two agree (a birthday
 * search: some 1300 tries for 20 bits).
 */
enum { PAIRS = 12, NKEYS = 1 << PAIRS, LOWBITS = 20, BLK = 6 };
#define KEYLEN (PAIRS * BLK + sizeof(".example.com"))

static void block(uint32_t n, char out[BLK])
{
	uint64_t x = n * 0x9E3779B97F4A7C15ULL + 1;

	for (int i = 0; i < BLK; i++) {
		x ^= x >> 29;
		x *= 0xBF58476D1CE4E5B9ULL;
		out[i] = (char)('a' + (x >> 40) % 26);
	}
}

static bool craft_fnv_collisions(char keys[NKEYS][KEYLEN])
{
	static uint32_t seen[1 << LOWBITS];	/* candidate + 1, per low-bit value */
	char pair[PAIRS][2][BLK];
	uint64_t mask = (1u << LOWBITS) - 1;
	char prefix[PAIRS * BLK + BLK + 1];
	size_t plen = 0;

	for (int p = 0; p < PAIRS; p++) {
		bool found = false;
		memset(seen, 0, sizeof(seen));
		for (uint32_t b = 0; b < 1000000 && !found; b++) {
			block(b, prefix + plen);
			uint32_t low = (uint32_t)(fnv1a(prefix, plen + BLK) & mask);
			if (seen[low]) {
				block(seen[low] - 1, pair[p][0]);
				memcpy(pair[p][1], prefix + plen, BLK);
				found = memcmp(pair[p][0], pair[p][1], BLK) != 0;
			}
			seen[low] = b + 1;
		}
		if (!found)
			return false;
		memcpy(prefix + plen, pair[p][0], BLK);
		plen += BLK;
	}
	for (int k = 0; k < NKEYS; k++) {
		char *o = keys[k];
		for (int p = 0; p < PAIRS; p++, o += BLK)
			memcpy(o, pair[p][(k >> p) & 1], BLK);
		strcpy(o, ".example.com");
	}
	return true;
}

static size_t longest_cluster(const struct pq_htab *t)
{
	size_t best = 0, run = 0;

	/* twice round, for a cluster that wraps */
	for (size_t i = 0; i < 2 * t->nslots; i++) {
		run = t->slots[i & (t->nslots - 1)].hash ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best > t->nslots ? t->nslots : best;
}

static bool str_eq(const void *item, const void *key)
{
	return strcmp(item, key) == 0;
}

static void test_fnv_collisions(void)
{
	static char keys[NKEYS][KEYLEN];
	uint64_t mask = (1u << LOWBITS) - 1;

	bool same = craft_fnv_collisions(keys), distinct = true;
	for (int k = 1; k < NKEYS; k++) {
		same = same && (fnv1a(keys[k], strlen(keys[k])) & mask)
			== (fnv1a(keys[0], strlen(keys[0])) & mask);
		distinct = distinct && strcmp(keys[k], keys[k - 1]) != 0;
	}
	CHECK(same && distinct, "4096 distinct keys share FNV-1a's low 20 bits");

	/* the same table, hashed with FNV-1a: one cluster of them all */
	struct pq_htab t = PQ_HTAB_INIT;
	for (int k = 0; k < NKEYS; k++)
		pq_htab_insert(&t, fnv1a(keys[k], strlen(keys[k])), str_eq, keys[k], NULL)->v.p = keys[k];
	size_t fnv_run = longest_cluster(&t);
	pq_htab_free(&t);
	CHECK(fnv_run >= NKEYS, "under FNV-1a they form one cluster");

	struct pq_strset s = PQ_STRSET_INIT;
	for (int k = 0; k < NKEYS; k++)
		pq_strset_add(&s, keys[k]);
	size_t run = longest_cluster(&s.tab);
	printf("# longest cluster: %zu under FNV-1a, %zu under pq_hash (%zu slots)\n",
	       fnv_run, run, s.tab.nslots);
	CHECK(s.tab.used == NKEYS && run < 100, "under pq_hash they spread: no long cluster");

	static uint8_t hit[1 << LOWBITS];
	size_t lows = 0;
	memset(hit, 0, sizeof(hit));
	for (int k = 0; k < NKEYS; k++) {
		uint64_t low = pq_hash(keys[k], strlen(keys[k])) & mask;
		lows += !hit[low];
		hit[low] = 1;
	}
	CHECK(lows > NKEYS - 64, "under pq_hash their low 20 bits differ");
	pq_strset_free(&s);
}

int main(void)
{
	test_key();		/* first: it needs a process that has not hashed */
	test_siphash();
	test_htab();
	test_wrappers();
	test_fnv_collisions();
	return unit_status();
}
