/*
 * filter - the one message selection engine every postq tool uses.
 *
 * A filter is a conjunction of criteria over a listed message
 * (struct pq_qmsg): its queue, sender, recipients, their defer reasons,
 * age and size. Patterns are PCRE2 (byte mode, so hostile or non-UTF-8
 * addresses still match), optionally caseless. Recipient criteria
 * (--to, --domain, --reason) must hold for one and the same recipient,
 * so "to example.com and deferred for 'Too many connections'" means
 * exactly that. Repeated --domain or --queue options are alternatives.
 * Addresses are matched in the form the listing shows them (quoted,
 * printable, the null sender as MAILER-DAEMON).
 *
 * A criterion that cannot narrow anything is refused unless --all says
 * that selecting everything is meant: an empty variable in
 * "--from \"$SENDER\"" must not make "delete by sender" delete the
 * queue. A pattern counts as matching everything when, compiled as it
 * will be used (--ignore-case included), it matches every one of a few
 * probe strings: the empty string, MAILER-DAEMON, a plain, a quoted and
 * an odd address, two deferral reasons, and a control character. So
 * "", "^", ".*", ".*$", "(?:)", "x*" are refused, and "^$", "." or
 * "^spam@" are not. A pattern that matches nearly everything may be
 * refused too (a negative look-ahead that none of the probes trips);
 * --all then takes it as it is. An empty --domain (or "@") is refused
 * the same way; with --all it selects recipients without a domain.
 */
#ifndef POSTQ_FILTER_H
#define POSTQ_FILTER_H

#include <getopt.h>
#include <stdbool.h>
#include <time.h>

#include "spool/listing.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct pq_filter {
	char *patterns[3];	/* from, to, reason, until compiled */
	const char **queues;	/* NULL-terminated, or NULL for any */
	size_t nqueues;
	pcre2_code *from;
	pcre2_code *to;
	pcre2_code *reason;
	char **domains;
	size_t ndomains;
	long older;		/* seconds, -1 for none */
	long newer;
	long min_size;		/* bytes, -1 for none */
	long max_size;
	bool caseless;
	bool all;		/* --all: criteria may select everything */
	time_t now;		/* of this pass; -1: the time of each match */
	pcre2_match_data *md;
};

void pq_filter_init(struct pq_filter *f);
void pq_filter_free(struct pq_filter *f);

/*
 * The command-line options every tool shares, for getopt_long():
 * --queue Q, --from RE, --to RE, --reason RE, --domain D, --older DUR,
 * --newer DUR, --min-size N, --max-size N, --ignore-case, --all. Put
 * PQ_FILTER_LONG_OPTIONS in the tool's option table and hand every
 * option to pq_filter_option(); call pq_filter_finish() after parsing.
 */
enum {
	PQ_OPT_QUEUE = 0x1000, PQ_OPT_FROM, PQ_OPT_TO, PQ_OPT_REASON,
	PQ_OPT_DOMAIN, PQ_OPT_OLDER, PQ_OPT_NEWER, PQ_OPT_MIN_SIZE,
	PQ_OPT_MAX_SIZE, PQ_OPT_ICASE, PQ_OPT_ALL,
};
#define PQ_FILTER_LONG_OPTIONS \
	{ "queue", required_argument, NULL, PQ_OPT_QUEUE }, \
	{ "from", required_argument, NULL, PQ_OPT_FROM }, \
	{ "to", required_argument, NULL, PQ_OPT_TO }, \
	{ "reason", required_argument, NULL, PQ_OPT_REASON }, \
	{ "domain", required_argument, NULL, PQ_OPT_DOMAIN }, \
	{ "older", required_argument, NULL, PQ_OPT_OLDER }, \
	{ "newer", required_argument, NULL, PQ_OPT_NEWER }, \
	{ "min-size", required_argument, NULL, PQ_OPT_MIN_SIZE }, \
	{ "max-size", required_argument, NULL, PQ_OPT_MAX_SIZE }, \
	{ "ignore-case", no_argument, NULL, PQ_OPT_ICASE }, \
	{ "all", no_argument, NULL, PQ_OPT_ALL }

/* Usage text for those options, for the tools' help. */
extern const char pq_filter_usage[];

/*
 * pq_filter_option - take one option: 1 if it was a filter option, 0 if
 * not, -1 (with err filled) if its value is bad.
 */
int pq_filter_option(struct pq_filter *f, int code, const char *value,
		     struct pq_buf *err);
/*
 * Compile the patterns; false with err filled if one is bad, or if a
 * criterion would select everything and --all was not given (err names
 * the option).
 */
bool pq_filter_finish(struct pq_filter *f, struct pq_buf *err);

/* True when some criterion is set (beyond queues). */
bool pq_filter_active(const struct pq_filter *f);
/* The queues to list: f->queues or the default given. */
const char *const *pq_filter_queues(const struct pq_filter *f,
				    const char *const *dflt);

/*
 * pq_filter_begin_pass - ages (--older, --newer) are measured from now
 * until the next call: call it before each pass over a queue, so that
 * every message of a pass is judged by the same clock and a program
 * that keeps a filter for hours (an exporter, a dashboard) does not
 * judge today's queue by the time it started. Without it, each match
 * takes the time it runs at.
 */
void pq_filter_begin_pass(struct pq_filter *f, time_t now);

bool pq_filter_match(struct pq_filter *f, const struct pq_qmsg *m);
/* Whether a match looks at recipients (else a head-only listing will do). */
bool pq_filter_needs_rcpts(const struct pq_filter *f);

/* Domain part of an address (after the last '@'), "" if none. */
const char *pq_address_domain(const char *addr);

#endif
