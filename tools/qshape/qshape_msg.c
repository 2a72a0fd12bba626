/*
 * qshape_msg - a qshape message as a listed message; see qshape_msg.h.
 */
#include "qshape_msg.h"

#include <errno.h>
#include <string.h>

/* The raw address (not NUL-terminated in env) as a string. */
static const char *raw(struct pq_qshape_msg *qm, const char *addr, size_t len)
{
	pq_buf_reset(&qm->scratch);
	pq_buf_add(&qm->scratch, addr, len);
	return pq_buf_str(&qm->scratch);
}

const struct pq_qmsg *pq_qshape_msg_build(struct pq_qshape_msg *qm,
					  struct pq_spool *sp,
					  const struct pq_qenv *env,
					  const char *queue, const char *id,
					  const struct stat *st,
					  struct pq_find_errors *errs)
{
	struct pq_qmsg *m = &qm->msg;

	m->queue = queue;
	m->id = id;
	m->arrival = (long)env->time;
	m->size = env->size >= 0 ? env->size : (long)st->st_size;
	m->forced_expire = (st->st_mode & S_IXGRP) != 0;
	m->st = *st;
	m->done_rcpts = 0;
	m->status = PQ_ENV_OK;
	pq_buf_set(&m->sender, pq_rcpt_list_show(&qm->rl, sp,
		raw(qm, env->sender.data ? env->sender.data : "", env->sender.len)));
	struct pq_bounce_log log;
	bool logged = pq_bounce_log_open(&log, sp, "defer", id);
	if (!logged && errno != ENOENT)
		pq_find_error(errs, errno);
	else if (logged && log.cut)
		pq_find_error(errs, EFBIG);
	pq_rcpt_list_begin(&qm->rl, sp, m, logged ? &log : NULL);
	for (size_t i = 0; i < env->nrcpt; i++) {
		size_t len;
		const char *addr = pq_qenv_rcpt(env, i, &len);
		pq_rcpt_list_pending(&qm->rl, m, raw(qm, addr, len));
	}
	return m;
}

void pq_qshape_msg_free(struct pq_qshape_msg *qm)
{
	pq_buf_free(&qm->msg.sender);
	pq_buf_free(&qm->msg.idbuf);
	pq_strlist_free(&qm->msg.rcpts);
	pq_strlist_free(&qm->msg.reasons);
	pq_rcpt_list_free(&qm->rl);
	pq_buf_free(&qm->scratch);
}
