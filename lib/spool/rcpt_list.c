/*
 * rcpt_list - the recipient list of one message as showq builds it; see
 * rcpt_list.h.
 */
#include "spool/rcpt_list.h"

#include "util/quote.h"

#include <string.h>

void pq_rcpt_list_init(struct pq_rcpt_list *rl)
{
	memset(rl, 0, sizeof(*rl));
}

const char *pq_rcpt_list_show(struct pq_rcpt_list *rl,
			      struct pq_spool *sp, const char *addr)
{
	if (*addr == 0)
		addr = sp->empty_addr;
	pq_quote_822_local(&rl->quoted, addr);
	return pq_printable(rl->quoted.data, '?', sp->utf8);
}

static void add(struct pq_qmsg *m, const char *addr, const char *why)
{
	pq_strlist_add(&m->rcpts, addr);
	pq_strlist_add(&m->reasons, why);
}

void pq_rcpt_list_begin(struct pq_rcpt_list *rl, struct pq_spool *sp,
			struct pq_qmsg *m, struct pq_bounce_log *defer_log)
{
	rl->sp = sp;
	pq_strlist_reset(&m->rcpts);
	pq_strlist_reset(&m->reasons);
	/* one message with a huge defer log must not keep its table */
	if (rl->dups.tab.nslots > 64)
		pq_strset_free(&rl->dups);
	else
		pq_strset_clear(&rl->dups);
	rl->filtering = defer_log != NULL;
	if (!rl->filtering)
		return;
	while (pq_bounce_log_read(defer_log, &rl->bentry)) {
		const char *addr = pq_buf_str(&rl->bentry.address);
		if (sp->dup_limit == 0 || (long)rl->dups.tab.used < sp->dup_limit)
			pq_strset_add(&rl->dups, addr);
		add(m, addr, pq_buf_str(&rl->bentry.reason));
	}
	pq_bounce_log_close(defer_log);
}

void pq_rcpt_list_pending(struct pq_rcpt_list *rl, struct pq_qmsg *m,
			  const char *addr)
{
	const char *shown = pq_rcpt_list_show(rl, rl->sp, addr);

	if (!rl->filtering || !pq_strset_contains(&rl->dups, shown))
		add(m, shown, "");
}

void pq_rcpt_list_free(struct pq_rcpt_list *rl)
{
	pq_strset_free(&rl->dups);
	pq_buf_free(&rl->quoted);
	pq_bounce_entry_free(&rl->bentry);
}
