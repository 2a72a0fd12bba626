/*
 * qshape_env - read a queue file the way qshape(1) does.
 *
 * qshape.pl has its own reader (qenv), and its quirks decide which
 * messages it counts, so this follows it rather than showq:
 *   - the file must be a regular file (lstat) with (mode & 0733) == 0700
 *     and a name of 6 or more letters and digits (an optional final
 *     newline included, as Perl's '$' allows);
 *   - records come from record.h without pointer following; a record
 *     whose length needs more than 3 bytes, a record type '0' (false in
 *     Perl) and damage end the file; a file that ends inside a length
 *     whose bits so far are zero yields that record with empty data;
 *   - the first record must be C then T (the time is T's first
 *     white-space field), or S, or F then S (the time is the mtime);
 *     any other first record (also an empty file) makes a "message"
 *     with no time, no sender and no recipients, which qshape still
 *     counts with -s as MAILER-DAEMON in the oldest bucket;
 *   - p records with a positive value are followed, with no loop check
 *     in qshape (here: at most PQ_QSHAPE_MAX_JUMPS, then the file is
 *     skipped); R records are recipients, S records (the last wins) the
 *     sender; M skips the content by C's first field (or over N/L/p
 *     records) and must land on X; E ends the message, which counts
 *     only with a time, a sender and at least one recipient.
 * Addresses are kept as bytes with their length.
 */
#ifndef POSTQ_QSHAPE_ENV_H
#define POSTQ_QSHAPE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "spool/record.h"

#define PQ_QSHAPE_MAX_JUMPS 100000

enum pq_qenv_status {
	PQ_QENV_SKIP,		/* not counted */
	PQ_QENV_MSG,		/* a message: time, sender, recipients */
	PQ_QENV_UNDEF,		/* qshape's "return undef": counted, empty */
};

struct pq_qenv {
	enum pq_qenv_status status;
	double time;		/* arrival, numified as Perl does (0 if none) */
	bool have_time;
	struct pq_buf sender;
	struct pq_buf arena;	/* recipients, back to back */
	size_t *offs;		/* start of recipient i in arena */
	size_t *lens;
	size_t nrcpt;
	size_t cap;
	long size;		/* C record first field, -1 if none */
	struct pq_buf rec;		/* scratch */
	struct pq_rec_reader reader;
};

#define PQ_QENV_INIT { 0 }

/* qshape's file name test: ^[A-Za-z0-9]{6,}\n?$ */
bool pq_qenv_name_ok(const char *name);
/* qshape's mode test on an lstat result. */
bool pq_qenv_mode_ok(const struct stat *st);

/*
 * pq_qenv_read - read the queue file open on fd (path for warnings, st
 * its lstat). Sets and returns env->status.
 */
enum pq_qenv_status pq_qenv_read(struct pq_qenv *env, int fd,
				 const char *path, const struct stat *st);

/* Recipient i (bytes, length in *len). */
const char *pq_qenv_rcpt(const struct pq_qenv *env, size_t i, size_t *len);

void pq_qenv_free(struct pq_qenv *env);

#endif
