/*
 * envelope - what a queue listing needs from one queue file; see
 * envelope.h.
 */
#include "spool/envelope.h"

#include "util/diag.h"
#include "util/quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pq_envelope_read(struct pq_envelope *env, struct pq_rec_reader *r,
		      const char *id, const struct stat *st,
		      bool ignore_size_record)
{
	struct pq_buf *rec = &env->scratch;
	bool size_seen = false, end_seen = false;
	int type;

	env->status = PQ_ENV_OK;
	env->arrival = 0;
	env->size = (long)st->st_size;
	env->size_ok = false;
	env->have_sender = false;
	env->done_rcpts = 0;
	pq_buf_reset(&env->sender);
	pq_strlist_reset(&env->rcpts);

	while ((type = pq_rec_get(r, rec, PQ_REC_DEFAULT)) > 0) {
		const char *data = pq_buf_str(rec);

		switch (type) {
		case PQ_REC_TIME:
			if (env->arrival == 0)
				env->arrival = atol(data);
			break;
		case PQ_REC_SIZE:
			if (size_seen || ignore_size_record)
				break;
			size_seen = true;
			if (data[strspn(data, "0123456789 ")] == 0
			    && atol(data) >= 0) {
				env->size = atol(data);
				env->size_ok = true;
			} else {
				struct pq_buf shown = PQ_BUF_INIT;
				pq_buf_add(&shown, data, strnlen(data, 100));
				pq_warn("%s: malformed size record: %s "
					"-- using file size instead", id,
					pq_printable(shown.data, '?', false));
				pq_buf_free(&shown);
			}
			break;
		case PQ_REC_FROM:
			if (env->have_sender) {
				env->status = PQ_ENV_DUP_SENDER;
				pq_warn("%s: duplicate sender address "
					"-- skipping remainder of this file", id);
				return;
			}
			env->have_sender = true;
			pq_buf_set(&env->sender, data);
			if (env->head_only)
				return;
			break;
		case PQ_REC_RCPT:
			if (!env->have_sender) {
				env->status = PQ_ENV_NO_SENDER;
				pq_warn("%s: missing sender address "
					"-- skipping remainder of this file", id);
				return;
			}
			pq_strlist_add(&env->rcpts, data);
			break;
		case PQ_REC_DONE:
			env->done_rcpts++;
			break;
		case PQ_REC_END:
			end_seen = true;
			break;
		case PQ_REC_MESG:
			if (env->size_ok && !pq_rec_seek(r, env->size, SEEK_CUR)) {
				env->status = PQ_ENV_CORRUPT;
				return;
			}
			break;
		default:
			break;
		}
	}
	if (type == PQ_REC_ERROR) {
		env->status = PQ_ENV_CORRUPT;
	} else if (!end_seen) {
		/* Cut at a record boundary: showq lists it silently; we say so. */
		env->status = PQ_ENV_CORRUPT;
		if (!r->rest_failed)
			pq_warn("%s: no end record -- file truncated?", r->path);
	}
	if (!env->have_sender)
		env->status = PQ_ENV_NO_SENDER;
}

void pq_envelope_free(struct pq_envelope *env)
{
	pq_buf_free(&env->sender);
	pq_buf_free(&env->scratch);
	pq_strlist_free(&env->rcpts);
}
