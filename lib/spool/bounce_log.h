/*
 * bounce_log - read the per-message defer, bounce and trace logs.
 *
 * Postfix's bounce daemon appends one entry per recipient to
 * defer/<hash>/ID (and bounce/ID, trace/ID): entries are separated by
 * blank lines and hold "name=value" lines (recipient, status, action,
 * reason, ...) and, for compatibility, an old-style "<rcpt>: reason"
 * line. This reader follows bounce_log_read(): each line is made
 * printable first, later lines override earlier ones, missing fields get
 * Postfix's placeholders, and an entry cut off by end of file (no
 * closing blank line) is dropped. Lines of any length are fine.
 *
 * A log is read whole, but at most PQ_BOUNCE_LOG_MAX bytes of it: the
 * entries of some 10,000 deferred recipients. What lies beyond is
 * ignored with a warning (and the log marked cut, which a listing
 * reports as a part it could not read), so a huge planted file cannot
 * eat memory.
 * Only regular files are read, without blocking (pq_spool_openat).
 */
#ifndef POSTQ_BOUNCE_LOG_H
#define POSTQ_BOUNCE_LOG_H

#include <stdbool.h>

#include "util/buf.h"
#include "spool/spool.h"

struct pq_bounce_entry {
	struct pq_buf address;	/* printable, quoted form */
	struct pq_buf orig_addr;
	struct pq_buf status;	/* e.g. 4.4.1 */
	struct pq_buf action;	/* e.g. delayed */
	struct pq_buf reason;
	long offset;
};

#define PQ_BOUNCE_LOG_MAX (4u << 20)

struct pq_bounce_log {
	struct pq_buf text;	/* the whole log: they are small, and read once */
	size_t pos;
	bool utf8;
	bool defer;
	bool cut;		/* longer than PQ_BOUNCE_LOG_MAX: the rest ignored */
	struct pq_buf path;
};

/*
 * pq_bounce_log_open - read queue ("defer", "bounce" or "trace") log of
 * id. false if it does not exist (errno ENOENT, silently) or cannot be
 * read (errno set, with a warning naming the file and why: PQ_ENOTREG
 * for something that is not a regular file). The log is read whole and
 * closed at once: logs are small, and this takes four system calls per
 * message where a stream takes more. A log cut at the cap is still
 * read (true), with log->cut set and a warning.
 */
bool pq_bounce_log_open(struct pq_bounce_log *log, struct pq_spool *sp,
			const char *queue, const char *id);
/*
 * pq_bounce_log_use - the same from the whole text of the log, read
 * by the caller (a fetch).
 */
void pq_bounce_log_use(struct pq_bounce_log *log, struct pq_spool *sp,
		       const char *queue, const char *id,
		       const unsigned char *text, size_t len);
bool pq_bounce_log_read(struct pq_bounce_log *log,
			struct pq_bounce_entry *entry);
void pq_bounce_log_close(struct pq_bounce_log *log);
void pq_bounce_entry_free(struct pq_bounce_entry *entry);

#endif
