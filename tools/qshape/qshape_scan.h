/*
 * qshape_scan - count queue files into a qshape table: one file at a
 * time (for callers that need qshape's exact order, e.g. its batches on
 * a terminal), or with several threads when only the final table
 * matters.
 *
 * The final table does not depend on the order in which messages are
 * counted: counts add up, and a parent's subdomain count is the number
 * of distinct rows whose parent it is, whenever they were first seen. So
 * each thread fills a table of its own and the tables are merged.
 * Memory stays bounded by the number of distinct rows (times threads)
 * plus a fixed window of file names in flight.
 */
#ifndef POSTQ_QSHAPE_SCAN_H
#define POSTQ_QSHAPE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "report/qshape.h"
#include "perl_find.h"
#include "qshape_env.h"

/*
 * pq_qshape_read_file - qshape's tests and reader on dir/name (dirfd is
 * dir's descriptor, d_type readdir's type or DT_UNKNOWN, path names the
 * file in warnings): the name, lstat and mode tests, then
 * pq_qenv_read(). *st gets the lstat result. A file that passes the
 * tests but cannot be opened (but for having vanished) is skipped as
 * qshape skips it, but with a warning, and counted in *errs. Files are
 * opened without blocking, and only regular files are read.
 */
enum pq_qenv_status pq_qshape_read_file(struct pq_qenv *env, int dirfd,
					const char *name, unsigned char d_type,
					const char *path, struct stat *st,
					struct pq_find_errors *errs);

/* Count one message read by qshape_env: its sender (-s) or recipients. */
void pq_qshape_count(struct pq_qshape *q, const struct pq_qenv *env,
		     bool senders);

/*
 * pq_qshape_scan - walk tops (File::Find order, relative to basefd) and
 * count every message into q, with nthreads threads (1: in this thread).
 * What could not be read is added to *errs (perl_find.h).
 */
void pq_qshape_scan(struct pq_qshape *q, int basefd, const char *const *tops,
		    size_t ntops, bool senders, int nthreads,
		    struct pq_find_errors *errs);

#endif
