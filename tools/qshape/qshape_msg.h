/*
 * qshape_msg - the listing view (struct pq_qmsg, as postq-mailq shows a
 * message) of a message that qshape_env read, so that postq's selection
 * filters and the defer-log reasons apply to qshape's messages.
 *
 * Addresses are quoted and made printable as showq does (the null
 * sender as empty_address_recipient); recipients named in the message's
 * defer log come first with their reasons, then the pending recipients
 * the log did not name, with no reason (rcpt_list.h's rules). A defer
 * log that cannot be read (bounce_log.h: not a regular file, a read
 * error, cut at its cap) is warned about and counted in *errs; the
 * message is then built from what could be read.
 */
#ifndef POSTQ_QSHAPE_MSG_H
#define POSTQ_QSHAPE_MSG_H

#include <sys/stat.h>

#include "util/buf.h"
#include "spool/listing.h"
#include "perl_find.h"
#include "qshape_env.h"
#include "spool/rcpt_list.h"
#include "spool/spool.h"

struct pq_qshape_msg {
	struct pq_qmsg msg;
	struct pq_rcpt_list rl;
	struct pq_buf scratch;
};

/* Fill qm->msg for env (queue label, id, lstat st); valid until next call. */
const struct pq_qmsg *pq_qshape_msg_build(struct pq_qshape_msg *qm,
					  struct pq_spool *sp,
					  const struct pq_qenv *env,
					  const char *queue, const char *id,
					  const struct stat *st,
					  struct pq_find_errors *errs);
void pq_qshape_msg_free(struct pq_qshape_msg *qm);

#endif
