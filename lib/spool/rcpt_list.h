/*
 * rcpt_list - the recipient list of one message as showq builds it.
 *
 * showq lists first the recipients named in the message's defer log,
 * with their reasons, in log order, remembering them in a duplicate
 * filter (at most duplicate_filter_limit of them, 0 = no limit); then
 * the pending recipients of the queue file, with no reason, leaving out
 * those the filter holds. The filter applies only when there was a defer
 * log. Every address is quoted (quote_822_local) and made printable, the
 * empty address shown as empty_address_recipient.
 *
 * postq-mailq's listing and postq-qshape's message view both build
 * their lists here, so the rules live in one place.
 *
 *	pq_rcpt_list_begin(rl, sp, m, defer_log or NULL);
 *	for each pending recipient: pq_rcpt_list_pending(rl, m, addr);
 */
#ifndef POSTQ_RCPT_LIST_H
#define POSTQ_RCPT_LIST_H

#include <stdbool.h>

#include "spool/bounce_log.h"
#include "util/buf.h"
#include "spool/listing.h"
#include "spool/spool.h"
#include "util/strset.h"

/* Scratch state for one thread; reused from message to message. */
struct pq_rcpt_list {
	struct pq_spool *sp;
	struct pq_strset dups;
	struct pq_buf quoted;
	struct pq_bounce_entry bentry;
	bool filtering;		/* there was a defer log */
};

void pq_rcpt_list_init(struct pq_rcpt_list *rl);

/* addr quoted and printable, as showq shows it; valid until next call. */
const char *pq_rcpt_list_show(struct pq_rcpt_list *rl,
			      struct pq_spool *sp, const char *addr);

/*
 * Start m's recipient list: empty it, then add the recipients of
 * defer_log (m's defer log, opened by the caller; NULL if it has none
 * or reasons are not wanted), which this closes.
 */
void pq_rcpt_list_begin(struct pq_rcpt_list *rl, struct pq_spool *sp,
			struct pq_qmsg *m, struct pq_bounce_log *defer_log);

/* Add pending recipient addr (raw, from the queue file) unless filtered. */
void pq_rcpt_list_pending(struct pq_rcpt_list *rl, struct pq_qmsg *m,
			  const char *addr);

void pq_rcpt_list_free(struct pq_rcpt_list *rl);

#endif
