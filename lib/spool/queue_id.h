/*
 * queue_id - Postfix queue id syntax: validation, short and long forms,
 * the hash-directory key, and what a long id encodes.
 *
 * Short ids are %05X(usec) followed by %lX(inode). Long ids
 * (enable_long_queue_ids) are base-52 seconds (at least 6 digits),
 * base-52 microseconds (exactly 4), 'z', base-51 inode, in the alphabet
 * without vowels. A name is long-form when its last 'z' is at index 10 or
 * later, whatever main.cf says; that is how Postfix hashes it.
 */
#ifndef POSTQ_QUEUE_ID_H
#define POSTQ_QUEUE_ID_H

#include <stdbool.h>
#include <time.h>

#include "util/buf.h"

/* Longest file name Postfix accepts as a queue id (VALID_HOSTNAME_LEN). */
#define PQ_QID_MAXLEN 255

/* mail_queue_id_ok(): non-empty, at most 255 chars of [A-Za-z0-9_]. */
bool pq_qid_ok(const char *id);

/* The 'z' separating time and inode in a long id, or NULL. */
const char *pq_qid_long_sep(const char *id);

/*
 * pq_qid_hash_key - the string whose first characters name the hash
 * subdirectories: the id itself, or for a long id the 5-digit upper-case
 * hex of its microseconds (0 when they do not decode).
 */
const char *pq_qid_hash_key(const char *id, struct pq_buf *scratch);

/* Arrival time encoded in a long id; false for short or malformed ids. */
bool pq_qid_long_time(const char *id, time_t *sec, long *usec);

/* Decode safe_ultostr()'s alphabet in the given base; false on junk. */
bool pq_safe_strtoul(const char *s, size_t len, int base, unsigned long *val);

/* Encode like safe_ultostr(): most significant first, zero-padded. */
void pq_safe_ultostr(struct pq_buf *out, unsigned long val, int base, int pad);

#endif
