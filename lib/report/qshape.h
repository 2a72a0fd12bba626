/*
 * qshape - the queue "shape" table of Postfix's qshape(1): address
 * counts per domain and per age bucket, computed and laid out exactly as
 * qshape.pl (Postfix 3.7) does, so a tool or a dashboard can show it.
 *
 * Ages: bucket 0 is the total; with m = age / (60 * bucket_time), m < 1
 * is bucket 1, otherwise 2 + int(log(m)/log(2)) (geometric) or
 * int(m + 1) (linear), capped at the bucket count. Addresses become
 * domains the way qshape reduces them (lower case, "" is MAILER-DAEMON,
 * everything up to the last '@' dropped, ".." squeezed, one leading and
 * one trailing dot stripped); with parent rows every address also counts
 * for ".b.example.com", ".example.com" (never a top-level domain), and a
 * parent is shown only with at least min_subdomains distinct children.
 *
 * Rows are sorted by total count, descending, then by name length; rows
 * qshape leaves to Perl's hash order (equal count and equal length) are
 * put in byte order of the name, so output is repeatable. Options keep
 * qshape's Perl semantics: fractional values work as they do there.
 *
 * Keys are byte strings with a length (an address may hold any byte);
 * memory is bounded by the number of distinct rows. The rows are in a
 * lib/util/hashtab under the process-keyed pq_hash, so addresses in a
 * queue cannot be chosen to collide.
 */
#ifndef POSTQ_QSHAPE_H
#define POSTQ_QSHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/buf.h"
#include "util/hashtab.h"
#include "report/perl_num.h"

struct pq_qshape_conf {
	double bnum;		/* -b bucket count (10) */
	struct pq_pnum tick;	/* -t bucket time in minutes (5) */
	bool linear;		/* -l */
	bool parents;		/* -p */
	double minsub;		/* -m (5) */
	double width;		/* -w (80) */
	bool cut_tail;		/* long names keep their head ("text+"):
				 * reasons read from the left, domains
				 * (qshape's way, "+tail") from the right */
};

void pq_qshape_conf_init(struct pq_qshape_conf *c);

/* One row: a domain, a parent domain, a reason class, or TOTAL. */
struct pq_qshape_row {
	char *key;
	size_t len;
	bool total;
	bool raw;		/* added with pq_qshape_add_key: never a parent */
	unsigned long sub;	/* distinct subdomains (parent rows) */
	unsigned long *counts;	/* [0] total, [1..] buckets */
	size_t ncounts;		/* counts allocated */
};

struct pq_qshape {
	struct pq_qshape_conf conf;
	double now;
	struct pq_qshape_row total;
	struct pq_htab rows;	/* of struct pq_qshape_row *, keyed by name */
	struct pq_buf dom;		/* scratch */
	unsigned long messages;
};

void pq_qshape_init(struct pq_qshape *q, const struct pq_qshape_conf *conf,
		    double now);
void pq_qshape_free(struct pq_qshape *q);

/* The column (bucket index) of a message that arrived at arrival. */
size_t pq_qshape_bucket(const struct pq_qshape_conf *c, double now,
			double arrival);
/* Number of columns shown: T and the buckets, 1 + int(bnum). */
size_t pq_qshape_columns(const struct pq_qshape_conf *c);

/* qshape's address-to-domain reduction (without the lower-casing). */
void pq_qshape_domain(struct pq_buf *out, const char *addr, size_t len);
/* One parent step: "a.b.c" -> ".b.c"; false when there is none. */
bool pq_qshape_parent(struct pq_buf *dom);

/* Count one address (raw, as in the queue file) in column b. */
void pq_qshape_add_address(struct pq_qshape *q, size_t b, const char *addr,
			   size_t len);
/* Count one row key as is (e.g. a reason class) in column b. */
void pq_qshape_add_key(struct pq_qshape *q, size_t b, const char *key,
		       size_t len);

/* Add the counts of from to into (tables of the same configuration). */
void pq_qshape_merge(struct pq_qshape *into, const struct pq_qshape *from);
/*
 * Recompute the subdomain counts of parent rows after merging: a
 * parent's count is the number of distinct rows whose parent it is.
 */
void pq_qshape_recount_subdomains(struct pq_qshape *q);

/*
 * The rows to show, in qshape's order: TOTAL included, parent rows below
 * min_subdomains left out, at most top rows (0: all). The array is
 * malloc'ed (free it); the rows stay owned by q.
 */
struct pq_qshape_row **pq_qshape_rows(struct pq_qshape *q, double top,
				      size_t *n);

/* The column headings ("T", bucket limits, "limit+"), as strings. */
void pq_qshape_headings(const struct pq_qshape_conf *c, struct pq_buf *out,
			size_t *offsets);

/* Print the table as qshape's results() does (clear is printed first). */
void pq_qshape_print(struct pq_qshape *q, FILE *out, double top,
		     const char *clear);
/* The same table as one JSON object (see postq-qshape(1)). */
void pq_qshape_print_json(struct pq_qshape *q, FILE *out, double top,
			  bool utf8);

#endif
