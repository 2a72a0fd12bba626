/*
 * listing - the messages of a spool, one at a time, as showq sees them.
 *
 * This is what "postqueue -p" lists: queues maildrop (flat), active,
 * incoming, deferred, hold (recursive), in readdir order; each ready
 * message file once its sender record has been read; the sender and
 * recipients quoted (quote_822_local) and made printable; recipients
 * named in the defer log first, with their reasons, in log order, then
 * the pending recipients of the queue file that the defer log did not
 * name (duplicate_filter_limit applies), with no reason. Done
 * recipients never show.
 *
 * Only one message is held in memory at a time. Files that vanish
 * mid-scan are skipped silently; a damaged file is listed as showq lists
 * it (up to the damage, if its sender was read before it; not at all
 * otherwise), with a warning naming the file.
 *
 * What cannot be read is skipped with a warning that names it, the
 * listing goes on, and it is counted in ls->unreadable (showq dies
 * instead): a queue or hash directory that cannot be opened or read (a
 * queue that is a file, say), a queue file that cannot be opened or
 * opened again for its rest (for any reason but having vanished), a
 * defer log that cannot be opened or read or is not a regular file, or
 * is cut at PQ_BOUNCE_LOG_MAX. Names that are not ready message files
 * (not a regular file, mode not yet 0700, not a queue id) are skipped as
 * showq skips them and are not counted. A queue that does not exist is
 * not an error (a copy may hold only some queues; pq_spool_open refuses
 * a directory that holds none).
 */
#ifndef POSTQ_LISTING_H
#define POSTQ_LISTING_H

#include <stdbool.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "spool/envelope.h"
#include "spool/bounce_log.h"
#include "spool/record.h"
#include "spool/spool.h"
#include "util/strlist.h"
#include "util/strset.h"

struct pq_qmsg {
	const char *queue;	/* queue name */
	const char *id;
	long arrival;		/* T record, else file mtime */
	bool arrival_is_mtime;	/* no T record: arrival is the mtime */
	long size;		/* C record, else file size */
	bool forced_expire;	/* mode g+x, set by postsuper -e/-f */
	struct stat st;
	struct pq_buf sender;	/* quoted, printable */
	struct pq_strlist rcpts;	/* quoted, printable */
	struct pq_strlist reasons;	/* parallel to rcpts; "" for none */
	long done_rcpts;	/* recipients already delivered or bounced */
	enum pq_env_status status;
	struct pq_buf idbuf;	/* storage behind id */
};

struct listing_reader;
struct listing_ring;

/*
 * Reading is spread over worker threads when the machine has more than
 * one core (queue files are many and small: the time goes to system
 * calls), with messages still handed out in walk order. POSTQ_THREADS=N
 * sets the number of readers; 1 reads in the calling thread.
 */
struct pq_listing {
	struct pq_spool *sp;
	const char *const *queues;
	int qindex;
	struct pq_scan *scan;
	/* Set before the first next: */
	bool want_reasons;	/* read defer logs (with want_rcpts) */
	bool want_rcpts;	/* false: arrival, size and sender only */
	/*
	 * false: files that readdir calls regular are opened without an
	 * lstat first, outside incoming and maildrop (where files are
	 * written in place), for callers that check what they act on
	 * themselves (postsuper's open_ok): st stays empty (filled only
	 * when the file lacks a time or size record), forced_expire is
	 * false, and a file not ready (mode changed by hand) may be listed.
	 */
	bool want_stat;
	int nreaders;
	int nthreads;		/* reader threads running (0: the caller reads) */
	struct listing_reader *readers;
	struct listing_ring *ring;
	bool threaded;		/* readers run in threads of their own */
	struct pq_qmsg *msg;		/* the message last handed out */
	bool started;
	/*
	 * Parts of the queue that could not be read so far (all of them
	 * once next returned NULL), each named in a warning; of those, how
	 * many for lack of permission (EACCES, EPERM).
	 */
	unsigned long unreadable;
	unsigned long unreadable_perm;
};

/*
 * pq_listing_open - list the given queues (NULL: showq's five, in its
 * order).
 */
void pq_listing_open(struct pq_listing *ls, struct pq_spool *sp,
		     const char *const *queues);
/*
 * The next message, or NULL at the end. Valid until the next call. At
 * the end, ls->unreadable says whether the listing was complete: a
 * partial listing must not pass for a complete one, so a caller that
 * reports on the queue turns a count above 0 into its exit status.
 */
const struct pq_qmsg *pq_listing_next(struct pq_listing *ls);
void pq_listing_close(struct pq_listing *ls);

/* Release what a pq_qmsg holds. */
void pq_qmsg_free(struct pq_qmsg *m);

#endif
