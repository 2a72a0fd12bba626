/*
 * hash - SipHash and the process key; see hash.h.
 *
 * Written from the algorithm as published in "SipHash: a fast
 * short-input PRF" (Aumasson, Bernstein; INDOCRYPT 2012).
 */
#include "util/hash.h"

#include "util/diag.h"
#include "util/knobs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static inline uint64_t rotl(uint64_t x, int b)
{
	return x << b | x >> (64 - b);
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline uint64_t load32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

#define SIPROUND do { \
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
} while (0)

/* The state a key starts from; pq_hash keeps its key's made. */
struct sipstate {
	uint64_t v0, v1, v2, v3;
};

static inline struct sipstate sip_init(uint64_t k0, uint64_t k1)
{
	return (struct sipstate) {
		k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
		k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL,
	};
}

/*
 * SipHash-c-d; inlined with constant c and d. The last block is the
 * r = n % 8 trailing bytes, little-endian, with n's low byte on top.
 * They are loaded without a byte loop: for n >= 8 as the last eight
 * bytes of the input shifted down, for shorter inputs as two
 * overlapping loads (the shared bytes are the same, so OR-ing is exact).
 */
static inline uint64_t siphash(struct sipstate st, const void *data,
			       size_t n, int c, int d)
{
	const unsigned char *p = data, *end = p + (n & ~(size_t)7);
	uint64_t v0 = st.v0, v1 = st.v1, v2 = st.v2, v3 = st.v3;
	size_t r = n & 7;
	uint64_t b = (uint64_t)n << 56, m;

	for (; p != end; p += 8) {
		m = load64(p);
		v3 ^= m;
		for (int i = 0; i < c; i++)
			SIPROUND;
		v0 ^= m;
	}
	if (r != 0 && n >= 8)
		b |= load64(p + r - 8) >> (64 - 8 * r);
	else if (r >= 4)
		b |= load32(p) | load32(p + r - 4) << (8 * (r - 4));
	else if (r != 0)
		b |= (uint64_t)p[0] | (uint64_t)p[r / 2] << (8 * (r / 2))
			| (uint64_t)p[r - 1] << (8 * (r - 1));
	v3 ^= b;
	for (int i = 0; i < c; i++)
		SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (int i = 0; i < d; i++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t pq_siphash13(const unsigned char key[16], const void *p, size_t n)
{
	return siphash(sip_init(load64(key), load64(key + 8)), p, n, 1, 3);
}

uint64_t pq_siphash24(const unsigned char key[16], const void *p, size_t n)
{
	return siphash(sip_init(load64(key), load64(key + 8)), p, n, 2, 4);
}

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static atomic_bool key_ready;
static struct sipstate key_state;

static bool from_getrandom(unsigned char *b, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = getrandom(b + got, n - got, GRND_NONBLOCK);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		got += (size_t)k;
	}
	return true;
}

static bool from_urandom(unsigned char *b, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return false;
	while (got < n) {
		ssize_t k = read(fd, b + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	return got == n;
}

static void make_key(void)
{
	unsigned char b[16];
	uint64_t key0, key1;
	long seed;

	if (pq_test_knob("hashseed", &seed)) {
		key0 = (uint64_t)seed;
		key1 = ~(uint64_t)seed;
	} else if (from_getrandom(b, sizeof(b)) || from_urandom(b, sizeof(b))) {
		key0 = load64(b);
		key1 = load64(b + 8);
	} else {
		struct timespec ts;
		int here;
		clock_gettime(CLOCK_REALTIME, &ts);
		/* guessable, but still not the same for every run and host */
		key0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
		key1 = (uint64_t)getpid() << 32 ^ (uint64_t)(uintptr_t)&here;
		pq_warn("no random bytes from getrandom or /dev/urandom: "
			"hash tables keyed from the clock and process id");
	}
	key_state = sip_init(key0, key1);
	atomic_store_explicit(&key_ready, true, memory_order_release);
}

uint64_t pq_hash(const void *p, size_t n)
{
	/* the flag keeps the common case to one load, no call into libc */
	if (!atomic_load_explicit(&key_ready, memory_order_acquire))
		pthread_once(&key_once, make_key);
	return siphash(key_state, p, n, 1, 3);
}
