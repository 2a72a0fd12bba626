/*
 * qshape_msg - a qshape message as a listed message; see qshape_msg.h.
 */
#include "qshape_msg.h"

#include "quote.h"

#include <string.h>

static const char *show(struct pq_qshape_msg *qm, struct pq_spool *sp,
			const char *addr, size_t len)
{
	buf_reset(&qm->scratch);
	buf_add(&qm->scratch, addr, len);
	const char *a = qm->scratch.data;
	if (*a == 0)
		a = sp->empty_addr;
	pq_quote_822_local(&qm->quoted, a);
	return pq_printable(qm->quoted.data, '?', sp->utf8);
}

const struct pq_qmsg *pq_qshape_msg_build(struct pq_qshape_msg *qm,
					  struct pq_spool *sp,
					  const struct pq_qenv *env,
					  const char *queue, const char *id,
					  const struct stat *st)
{
	struct pq_qmsg *m = &qm->msg;
	struct pq_bounce_log log;

	m->queue = queue;
	m->id = id;
	m->arrival = (long)env->time;
	m->size = env->size >= 0 ? env->size : (long)st->st_size;
	m->forced_expire = (st->st_mode & S_IXGRP) != 0;
	m->st = *st;
	m->done_rcpts = 0;
	m->status = PQ_ENV_OK;
	buf_set(&m->sender, show(qm, sp, env->sender.data ? env->sender.data : "",
				 env->sender.len));
	strlist_reset(&m->rcpts);
	strlist_reset(&m->reasons);
	strset_clear(&qm->dups);

	bool logged = pq_bounce_log_open(&log, sp, "defer", id);
	if (logged) {
		while (pq_bounce_log_read(&log, &qm->bentry)) {
			const char *addr = buf_str(&qm->bentry.address);
			if (sp->dup_limit == 0 || (long)qm->dups.used < sp->dup_limit)
				strset_add(&qm->dups, addr);
			strlist_add(&m->rcpts, addr);
			strlist_add(&m->reasons, buf_str(&qm->bentry.reason));
		}
		pq_bounce_log_close(&log);
	}
	for (size_t i = 0; i < env->nrcpt; i++) {
		size_t len;
		const char *raw = pq_qenv_rcpt(env, i, &len);
		const char *addr = show(qm, sp, raw, len);
		if (!logged || !strset_contains(&qm->dups, addr)) {
			strlist_add(&m->rcpts, addr);
			strlist_add(&m->reasons, "");
		}
	}
	return m;
}

void pq_qshape_msg_free(struct pq_qshape_msg *qm)
{
	buf_free(&qm->msg.sender);
	buf_free(&qm->msg.idbuf);
	strlist_free(&qm->msg.rcpts);
	strlist_free(&qm->msg.reasons);
	strset_free(&qm->dups);
	buf_free(&qm->quoted);
	buf_free(&qm->scratch);
	pq_bounce_entry_free(&qm->bentry);
}
