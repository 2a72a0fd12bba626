/*
 * qshape_showq - qshape's view of what Postfix's showq service lists
 * (postq-qshape --showq), so that the table comes out as qshape would
 * have drawn it from the same queue files.
 *
 * qshape reads the files with a reader of its own (qshape_env.h), and
 * that decides what counts; showq's listing (lib/spool/showq.h) differs
 * in ways that are undone here:
 *   - showq lists all five queues: only the ones asked for count;
 *   - a forced-expire file (mode g+x) fails qshape's mode test: skipped;
 *   - a message with no listed recipient is skipped (qshape counts a
 *     message only with a recipient record), except that
 *   - a maildrop file starts with a T record, which qshape does not
 *     know: it counts as qshape's empty message, with no time (the
 *     oldest bucket), no recipients and the null sender;
 *   - showq shows the null sender as empty_address_recipient; for -s it
 *     is "" again, which qshape shows as MAILER-DAEMON.
 * What cannot be undone, and does not occur in a queue Postfix wrote: a
 * recipient that a file holds twice and its defer log names is listed
 * once; showq made addresses printable (an 8-bit byte becomes '?'
 * unless it is UTF-8 and smtputf8_enable is on), where qshape counts
 * bytes as they are; a local part that showq had to quote changes the
 * row of an address without '@'; a file with group or other write
 * permission passes showq, not qshape; a file outside its hash
 * directory passes qshape, not showq.
 */
#ifndef POSTQ_QSHAPE_SHOWQ_H
#define POSTQ_QSHAPE_SHOWQ_H

#include <stdbool.h>
#include <stddef.h>

#include "report/qshape.h"
#include "spool/listing.h"

struct pq_qshape_showq {
	struct pq_qmsg view;	/* a maildrop message as qshape sees it */
	struct pq_buf sender;
};

/*
 * The message as qshape would count it (m itself, or for maildrop a
 * view held in v), or NULL if qshape would not count it at all.
 * queues: the queue names asked for.
 */
const struct pq_qmsg *pq_qshape_showq_view(struct pq_qshape_showq *v,
					   const struct pq_qmsg *m,
					   const char *const *queues,
					   size_t nqueues,
					   const char *empty_addr);

/* Count a viewed message: its sender (-s) or its recipients. */
void pq_qshape_count_qmsg(struct pq_qshape *q, const struct pq_qmsg *m,
			  bool senders, const char *empty_addr);

void pq_qshape_showq_free(struct pq_qshape_showq *v);

#endif
