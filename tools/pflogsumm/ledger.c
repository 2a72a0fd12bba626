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
 * with the remembered size and flags is kept here, in a hashtab slot
 * (the fingerprint is the hash, the value the word; no key is kept).
 * The fingerprint is the process-keyed pq_hash, the same value the
 * queue-id map hashes with, so one hash serves both; a false match
 * needs two ids to share it, a chance of one in 2^64 per pair that a
 * log cannot raise, since it cannot know the key.
 */
#include "ledger.h"

void ledger_put(struct ledger *l, uint64_t h, uint64_t size_and_flags)
{
	pq_htab_insert(&l->tab, h, NULL, NULL, NULL)->v.u = size_and_flags;
}

bool ledger_get(const struct ledger *l, uint64_t h, uint64_t *v)
{
	const struct pq_hslot *s = pq_htab_find(&l->tab, h, NULL, NULL);

	if (s == NULL)
		return false;
	*v = s->v.u;
	return true;
}

void ledger_free(struct ledger *l)
{
	pq_htab_free(&l->tab);
}
