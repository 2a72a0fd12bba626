/*
 * ledger.c - what pflogsumm would still remember about a removed
 * message, in 16 bytes.
 *
 * pflogsumm never forgets a queue id: when Postfix reuses one (it
 * does, within hours, on a busy or a small server alike), the second
 * message's "from=, size=" line is skipped as a duplicate, its
 * deliveries are counted with the first message's size, and a second
 * deferral does not count as a new deferred message. To stay
 * byte-identical with bounded memory, the full per-queue-id state is
 * freed at "QID: removed" and only a 64-bit fingerprint of the queue id
 * with the remembered size and flags is kept here (open addressing; a
 * false match needs a 64-bit hash collision).
 */
#include "ledger.h"

#include "common/die.h"
#include "util/diag.h"

#include <stdlib.h>
#include <string.h>

uint64_t ledger_hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1;
}

static void grow(struct ledger *l)
{
	size_t n = l->nslots ? l->nslots * 2 : 1024;
	struct ledger_slot *s = calloc(n, sizeof(*s));
	if (s == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	for (size_t i = 0; i < l->nslots; i++) {
		if (l->slots[i].h == 0)
			continue;
		size_t j = l->slots[i].h & (n - 1);
		while (s[j].h)
			j = (j + 1) & (n - 1);
		s[j] = l->slots[i];
	}
	free(l->slots);
	l->slots = s;
	l->nslots = n;
}

void ledger_put(struct ledger *l, uint64_t h, uint64_t size_and_flags)
{
	if ((l->used + 1) * 4 > l->nslots * 3)
		grow(l);
	size_t j = h & (l->nslots - 1);
	while (l->slots[j].h && l->slots[j].h != h)
		j = (j + 1) & (l->nslots - 1);
	if (l->slots[j].h == 0)
		l->used++;
	l->slots[j].h = h;
	l->slots[j].v = size_and_flags;
}

bool ledger_get(const struct ledger *l, uint64_t h, uint64_t *v)
{
	if (l->nslots == 0)
		return false;
	size_t j = h & (l->nslots - 1);
	while (l->slots[j].h) {
		if (l->slots[j].h == h) {
			*v = l->slots[j].v;
			return true;
		}
		j = (j + 1) & (l->nslots - 1);
	}
	return false;
}

void ledger_free(struct ledger *l)
{
	free(l->slots);
	memset(l, 0, sizeof(*l));
}
