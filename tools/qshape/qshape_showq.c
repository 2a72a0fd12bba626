/*
 * qshape_showq - qshape's view of showq's listing; see qshape_showq.h.
 */
#include "qshape_showq.h"

#include <string.h>

const struct pq_qmsg *pq_qshape_showq_view(struct pq_qshape_showq *v,
					   const struct pq_qmsg *m,
					   const char *const *queues,
					   size_t nqueues,
					   const char *empty_addr)
{
	size_t i;

	for (i = 0; i < nqueues; i++)
		if (strcmp(queues[i], m->queue) == 0)
			break;
	if (i == nqueues || m->forced_expire)
		return NULL;
	if (strcmp(m->queue, "maildrop") != 0)
		return m->rcpts.n > 0 ? m : NULL;
	/* The lists are borrowed, with no entries: the view never frees them. */
	v->view = *m;
	v->view.arrival = 0;
	v->view.rcpts.n = 0;
	v->view.reasons.n = 0;
	pq_buf_set(&v->sender, empty_addr);
	v->view.sender = v->sender;
	return &v->view;
}

void pq_qshape_count_qmsg(struct pq_qshape *q, const struct pq_qmsg *m,
			  bool senders, const char *empty_addr)
{
	size_t b = pq_qshape_bucket(&q->conf, q->now, (double)m->arrival);

	q->messages++;
	if (senders) {
		const char *s = pq_buf_str(&m->sender);
		if (strcmp(s, empty_addr) == 0)
			s = "";
		pq_qshape_add_address(q, b, s, strlen(s));
		return;
	}
	for (size_t i = 0; i < m->rcpts.n; i++) {
		const char *a = pq_strlist_get(&m->rcpts, i);
		pq_qshape_add_address(q, b, a, strlen(a));
	}
}

void pq_qshape_showq_free(struct pq_qshape_showq *v)
{
	pq_buf_free(&v->sender);
}
