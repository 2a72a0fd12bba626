/*
 * hash - the keyed hash behind every hash table in postq.
 *
 * postq's tables are keyed by strings an outsider chooses: mail
 * addresses and domains in queue files, queue ids, hosts and reasons in
 * mail logs. With a fixed, public hash function anyone can compute many
 * keys that land in the same bucket; one crafted log or queue then
 * turns every table operation into a walk over all those keys and a
 * report that takes a second into one that takes hours. A keyed hash
 * with a key the attacker does not know (SipHash, Aumasson and
 * Bernstein, 2012) makes such keys impossible to find offline, so the
 * tables stay linear whatever the input. The same 64-bit value serves
 * as a fingerprint where a table keeps no key at all (pflogsumm's
 * ledger of removed queue ids): two ids then share a fingerprint only
 * by chance, one time in 2^64, never by design.
 *
 *	pq_hash(p, n)		SipHash-1-3 of n bytes under the process key;
 *				64 bits; any bytes, NULs included
 *	pq_siphash13(key, p, n)	SipHash-1-3 under a given 16-byte key
 *	pq_siphash24(key, p, n)	SipHash-2-4 (the paper's default; used by
 *				the tests against its published vectors)
 *
 * SipHash-c-d runs c rounds per 8-byte word and d at the end; tables
 * use 1-3, as Python and Rust do for theirs: fewer rounds than the
 * conservative 2-4, still a keyed function whose collisions cannot be
 * computed without the key.
 *
 * The process key is made once, on the first pq_hash, under
 * pthread_once (so reader threads may hash from the start): 16 bytes
 * from getrandom(2) (not blocking, so a tool run early in boot does not
 * wait for the entropy pool), else from /dev/urandom, else, when
 * neither works, from the clock, the pid and a stack address, with a
 * warning through diag saying that the tables lost their protection.
 * The key differs from run to run, so no output may depend on the order
 * of a table: whatever is printed from a table is sorted first.
 *
 * Tests can fix the key with POSTQ_TEST=hashseed=N (lib/util/knobs.h):
 * the key is then N (as two 64-bit halves N and ~N). Running a tool
 * under two seeds and comparing is how a test shows that its output
 * does not depend on table order.
 */
#ifndef POSTQ_HASH_H
#define POSTQ_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t pq_hash(const void *p, size_t n);
uint64_t pq_siphash13(const unsigned char key[16], const void *p, size_t n);
uint64_t pq_siphash24(const unsigned char key[16], const void *p, size_t n);

#endif
