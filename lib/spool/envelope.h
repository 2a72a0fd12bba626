/*
 * envelope - what a queue listing needs from one queue file.
 *
 * pq_envelope_read() walks the records the way Postfix's showq does:
 * the first T record gives the arrival time (seconds), the first C
 * record the message size (its first field, when the record is all
 * digits and spaces; otherwise the file size, with a warning), S the
 * sender, every R a pending recipient (D, / and the rest are finished or
 * irrelevant), and M jumps over the content to the extracted segment so
 * the body is never read. Reading stops at the end record, at damage,
 * at a second sender, or at a recipient before any sender; the status
 * says which, because showq lists a message only once it has seen its
 * sender and lists what it read up to a stop. With head_only set,
 * reading ends at the sender (status OK, no recipients).
 */
#ifndef POSTQ_ENVELOPE_H
#define POSTQ_ENVELOPE_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "util/buf.h"
#include "spool/record.h"
#include "util/strlist.h"

enum pq_env_status {
	PQ_ENV_OK,		/* read to the end */
	PQ_ENV_CORRUPT,		/* damaged record or no end record */
	PQ_ENV_DUP_SENDER,	/* second S record: stopped there */
	PQ_ENV_NO_SENDER,	/* R before S, or no S at all */
};

struct pq_envelope {
	enum pq_env_status status;
	long arrival;		/* first T record, 0 if none */
	long size;		/* C record first field, else file size */
	bool size_ok;
	bool have_sender;
	struct pq_buf sender;	/* raw, "" for the null sender */
	struct pq_strlist rcpts;	/* pending (R) recipients, raw, file order */
	long done_rcpts;	/* D records seen */
	/*
	 * Set by the caller: stop at the sender (it follows the time and
	 * size records in every file cleanup writes), for selections that
	 * need no recipients.
	 */
	bool head_only;
	struct pq_buf scratch;
};

#define PQ_ENVELOPE_INIT { 0 }

/*
 * pq_envelope_read - fill env from the file open on fd. st is its
 * lstat/fstat; id names it in warnings. ignore_size_record: for maildrop
 * files from newer Postfix (not set for 3.7.11's behaviour).
 */
void pq_envelope_read(struct pq_envelope *env, struct pq_rec_reader *r,
		      const char *id, const struct stat *st,
		      bool ignore_size_record);
void pq_envelope_free(struct pq_envelope *env);

#endif
