/*
 * snapshot - one pass over a Postfix queue reduced to the figures every
 * monitoring front-end shows (a Prometheus exporter, a dashboard, Munin,
 * Nagios), so that they all compute them the same way.
 *
 * Per queue (maildrop, incoming, active, deferred, hold, corrupt):
 * messages, bytes (the message size postqueue shows: the C record's
 * content size, else the file size), listed recipients, an age and a
 * size histogram with the fixed bounds below, the sum of the ages, and
 * the oldest message (its id and age; of equally old ones, the first
 * listed). Per recipient domain and per deferral-reason class: listed
 * recipients per queue and the oldest arrival per queue.
 *
 * Ages are "now" (a parameter, so that a test or a front-end fixes the
 * clock) less the arrival time of the queue file's T record, in whole
 * seconds, never the file's mtime: qmgr sets a deferred file's mtime to
 * its next retry, in the future. A message that arrived after now (a
 * clock step, or a now in the past) has age 0. A message without a T
 * record (which the listing, as showq, dates by its mtime) counts in
 * every figure but the ages: untimed says how many there are, and a
 * histogram's count of ages is messages - untimed. showq sends such a
 * message's mtime without saying so; a snapshot built from showq takes
 * it for the arrival time.
 *
 * The corrupt queue (files set aside as damaged) is not listed by
 * showq: its regular files are counted by reading the directory, and
 * their file sizes added up; it has no ages, size histogram, oldest
 * message or recipients. A spool whose corrupt directory cannot be read
 * (a showq client that is not root) leaves that queue unknown
 * (known false, corrupt_errno says why) without failing the snapshot.
 *
 * Histograms are per bucket, not cumulative: bucket i counts values v
 * with bounds[i-1] < v <= bounds[i], and bucket N (one past the last
 * bound) the values above it. A Prometheus histogram's bucket
 * le="bounds[i]" is the sum of buckets 0..i, le="+Inf" is the count;
 * _sum is age_sum (seconds) or bytes. The bounds:
 *
 *   ages, seconds: 60 300 900 1800 3600 7200 14400 28800 43200 86400
 *     172800 259200 345600 432000 604800 (1m 5m 15m 30m 1h 2h 4h 8h 12h
 *     1d 2d 3d 4d 5d 7d; 5d is maximal_queue_lifetime's default)
 *   sizes, bytes: 1024 4096 16384 65536 262144 1048576 4194304 16777216
 *     67108864 (1 KiB to 64 MiB by fours; message_size_limit's default,
 *     10240000, falls in the 16 MiB bucket)
 *
 * Domains are the part of a recipient after its last '@', ASCII
 * lower-cased; an address without '@' has the domain "". Reason classes
 * are lib/report/reason_class.h's, of the recipients that have a
 * deferral reason (in practice in deferred and hold).
 *
 * Memory is bounded by the keys kept, not by the messages. A table
 * keeps at most 2 x cap keys (cap: PQ_SNAP_KEY_CAP unless given); when
 * a new key finds it full, the cap keys with most recipients stay and
 * the others are folded into the table's "other" row (their counts
 * added, the oldest arrival kept). pq_snapshot_finish() leaves at most
 * cap rows, most recipients first (ties in byte order of the key), and
 * folds the rest. Totals, other included, are exact; a key's own count
 * is exact unless it was folded away and came back (what it had before
 * is then in other), which needs more than 2 x cap distinct keys. Keys
 * are cut to PQ_SNAP_KEY_MAX bytes.
 *
 * Entry points:
 *	pq_snapshot_init(s, now, cap)		empty snapshot (cap 0: default)
 *	pq_snapshot_add(s, m)			one listed message, either source
 *	pq_snapshot_count_corrupt(s, sp)	the corrupt directory
 *	pq_snapshot_finish(s)			rank and cut the key tables
 *	pq_snapshot_from_spool(s, sp, err)	all of it through the listing
 *	pq_snapshot_from_showq(s, sq, sp, err)	all of it through showq
 *						(sp NULL: corrupt unknown)
 *	pq_snapshot_free(s)
 * The from_ functions fail (false, err filled) when the source could not
 * be read to its end: a partial snapshot must not pass for a whole one.
 */
#ifndef POSTQ_SNAPSHOT_H
#define POSTQ_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/diag.h"
#include "util/strmap.h"
#include "spool/listing.h"
#include "spool/showq.h"
#include "spool/spool.h"

enum pq_snap_queue {
	PQ_SNAP_MAILDROP, PQ_SNAP_INCOMING, PQ_SNAP_ACTIVE, PQ_SNAP_DEFERRED,
	PQ_SNAP_HOLD, PQ_SNAP_CORRUPT, PQ_SNAP_NQUEUES,
};

/* Queue names by enum pq_snap_queue. */
extern const char *const pq_snap_queue_names[PQ_SNAP_NQUEUES];
/* enum pq_snap_queue of a name, or -1. */
int pq_snap_queue_index(const char *name);

#define PQ_SNAP_AGE_BOUNDS 15
#define PQ_SNAP_SIZE_BOUNDS 9
extern const long pq_snap_age_bounds[PQ_SNAP_AGE_BOUNDS];
extern const long pq_snap_size_bounds[PQ_SNAP_SIZE_BOUNDS];

#define PQ_SNAP_KEY_CAP 500
#define PQ_SNAP_KEY_MAX 255
/* An arrival time that is not there (no recipient of that queue). */
#define PQ_SNAP_NONE ((long)(~0UL >> 1))

struct pq_snap_qstat {
	bool known;		/* read to the end (set by the from_ functions
				 * and pq_snapshot_count_corrupt) */
	unsigned long messages;
	unsigned long long bytes;
	unsigned long recipients;
	unsigned long untimed;	/* no T record: no age */
	unsigned long age_hist[PQ_SNAP_AGE_BOUNDS + 1];
	unsigned long long age_sum;	/* seconds */
	unsigned long size_hist[PQ_SNAP_SIZE_BOUNDS + 1];
	long oldest_arrival;	/* PQ_SNAP_NONE: no timed message */
	long oldest_age;	/* -1: none */
	struct pq_buf oldest_id;
};

/* What a table keeps per key. */
struct pq_snap_counts {
	unsigned long total;	/* recipients, all queues */
	unsigned long rcpts[PQ_SNAP_NQUEUES];
	long oldest[PQ_SNAP_NQUEUES];	/* arrival; PQ_SNAP_NONE: none */
};

struct pq_snap_row {
	const char *key;	/* NUL-terminated (may hold NULs) */
	size_t len;
	const struct pq_snap_counts *c;
};

struct pq_snap_table {
	struct pq_strmap map;	/* key -> struct pq_snap_counts */
	size_t cap;
	struct pq_snap_counts other;	/* folded keys */
	unsigned long other_keys;	/* how many keys were folded (with repeats) */
	struct pq_snap_row *rows;	/* after pq_snapshot_finish */
	size_t nrows;
};

struct pq_snapshot {
	long now;
	struct pq_snap_qstat q[PQ_SNAP_NQUEUES];
	struct pq_snap_table domains;
	struct pq_snap_table reasons;
	int corrupt_errno;	/* why corrupt is not known (0: it is) */
	unsigned long other_queue;	/* messages of a queue not listed above */
	struct pq_buf scratch;
};

void pq_snapshot_init(struct pq_snapshot *s, long now, size_t cap);
void pq_snapshot_add(struct pq_snapshot *s, const struct pq_qmsg *m);
/* False (corrupt left unknown, corrupt_errno set) if it cannot be read. */
bool pq_snapshot_count_corrupt(struct pq_snapshot *s, struct pq_spool *sp);
void pq_snapshot_finish(struct pq_snapshot *s);
bool pq_snapshot_from_spool(struct pq_snapshot *s, struct pq_spool *sp,
			    struct pq_err *err);
bool pq_snapshot_from_showq(struct pq_snapshot *s, struct pq_showq *sq,
			    struct pq_spool *sp, struct pq_err *err);
/* now - arrival, at least 0; -1 for PQ_SNAP_NONE. */
long pq_snap_age(const struct pq_snapshot *s, long arrival);
void pq_snapshot_free(struct pq_snapshot *s);

#endif
