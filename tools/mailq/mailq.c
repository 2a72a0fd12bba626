/*
 * postq-mailq - list a Postfix queue: "postqueue -p" / "postqueue -j",
 * read straight from the spool, with selection filters, an ids-only
 * mode for pipelines and per-key counts.
 */
#include "util/buf.h"
#include "spool/config.h"
#include "util/counter.h"
#include "common/die.h"
#include "util/diag.h"
#include "spool/filter.h"
#include "spool/listing.h"
#include "spool/mailq_format.h"
#include "report/reason_class.h"
#include "spool/showq.h"
#include "spool/spool.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { OPT_SPOOL = 0x2000, OPT_COUNT_BY, OPT_HELP, OPT_VERSION, OPT_SHOWQ };
enum output { OUT_TEXT, OUT_JSON, OUT_IDS, OUT_COUNT };
enum count_by { BY_SENDER, BY_RECIPIENT, BY_DOMAIN, BY_REASON };

static const char usage_text[] =
	"usage: postq-mailq [-c config_dir] [-p | -j | -i] [--spool DIR]\n"
	"                   [--count-by sender|recipient|domain|reason] [filters]\n"
	"  -p                 postqueue -p listing (default)\n"
	"  -j, --json         postqueue -j: one JSON object per message\n"
	"  -i, --ids          queue ids only, one per line (for postq-postsuper -d -)\n"
	"  -c DIR             Postfix configuration directory\n"
	"  --spool DIR        read this queue directory instead of queue_directory\n"
	"  --showq[=PATH]     ask Postfix's showq service instead of reading the\n"
	"                     spool (default PATH: $queue_directory/public/showq)\n"
	"  --count-by KEY     count messages by sender, or recipients by recipient,\n"
	"                     domain or deferral reason class, most frequent first\n"
	"  --help, --version  this text; the version\n";

static _Noreturn void usage(void)
{
	fputs(usage_text, stdout);
	fputs(pq_filter_usage, stdout);
	exit(0);
}

/* A command-line mistake: what is wrong, and where to read more. */
static _Noreturn void __attribute__((format(printf, 2, 3)))
bad_usage(int status, const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		pq_vmsg(PQ_MSG_ERROR, fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "Try '%s --help' for the options.\n", pq_progname());
	exit(status);
}

static void check_output(void)
{
	if (ferror(stdout) || fflush(stdout) == EOF) {
		if (errno == EPIPE)
			exit(0);
		pq_fatal(PQ_EX_IOERR, "output write error: %s", strerror(errno));
	}
}

static void count_message(struct pq_counter *c, enum count_by by,
			  const struct pq_qmsg *m, struct pq_buf *reason)
{
	if (by == BY_SENDER) {
		pq_counter_add(c, pq_buf_str(&m->sender), 1);
		return;
	}
	for (size_t i = 0; i < m->rcpts.n; i++) {
		const char *addr = pq_strlist_get(&m->rcpts, i);
		const char *why = pq_strlist_get(&m->reasons, i);
		if (by == BY_RECIPIENT)
			pq_counter_add(c, addr, 1);
		else if (by == BY_DOMAIN)
			pq_counter_add(c, pq_address_domain(addr), 1);
		else if (*why)
			pq_counter_add(c, pq_reason_class(reason, why), 1);
	}
}

static void print_counts(const struct pq_counter *c, bool json)
{
	size_t n;
	struct pq_counter_entry *v = pq_counter_sorted(c, &n);

	for (size_t i = 0; i < n; i++) {
		if (json) {
			json_object *o = json_object_new_object();
			json_object_object_add(o, "key", json_object_new_string(v[i].key));
			json_object_object_add(o, "count",
					       json_object_new_int64((int64_t)v[i].count));
			puts(json_object_to_json_string_ext(
				o, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		} else {
			printf("%7lu %s\n", v[i].count, v[i].key);
		}
	}
	free(v);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ids", no_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "spool", required_argument, NULL, OPT_SPOOL },
		{ "count-by", required_argument, NULL, OPT_COUNT_BY },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "showq", optional_argument, NULL, OPT_SHOWQ },
		PQ_FILTER_LONG_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *config_dir = NULL, *spool_dir = NULL, *showq_path = NULL;
	bool use_showq = false;
	enum output output = OUT_TEXT;
	bool json = false;
	enum count_by count_by = BY_SENDER;
	struct pq_filter filter;
	struct pq_buf err = PQ_BUF_INIT;
	int c;

	pq_tool_init(argv[0]);
	argv[0] = (char *)pq_progname();	/* getopt's messages say our name */
	pq_filter_init(&filter);
	while ((c = getopt_long(argc, argv, "c:ijpv", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_dir = optarg;
			break;
		case 'i':
			output = OUT_IDS;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			json = false;
			break;
		case 'v':
			break;
		case OPT_SPOOL:
			spool_dir = optarg;
			break;
		case OPT_SHOWQ:
			use_showq = true;
			showq_path = optarg;
			break;
		case OPT_COUNT_BY:
			output = OUT_COUNT;
			if (strcmp(optarg, "sender") == 0)
				count_by = BY_SENDER;
			else if (strcmp(optarg, "recipient") == 0)
				count_by = BY_RECIPIENT;
			else if (strcmp(optarg, "domain") == 0)
				count_by = BY_DOMAIN;
			else if (strcmp(optarg, "reason") == 0)
				count_by = BY_REASON;
			else
				pq_fatal(PQ_EX_USAGE, "--count-by takes sender, recipient, "
					 "domain or reason, not \"%s\"", optarg);
			break;
		case OPT_HELP:
			usage();
		case OPT_VERSION:
			pq_version(pq_progname());
		default:
			switch (pq_filter_option(&filter, c, optarg, &err)) {
			case 1:
				break;
			case -1:
				pq_fatal(PQ_EX_USAGE, "%s", pq_buf_str(&err));
			default:
				/*
				 * getopt said what is wrong. postqueue exits
				 * EX_UNAVAILABLE on a bad option.
				 */
				bad_usage(PQ_EX_UNAVAILABLE, NULL);
			}
		}
	}
	if (optind < argc)
		bad_usage(PQ_EX_UNAVAILABLE, "unexpected argument \"%s\": postq-mailq "
			  "takes options only (choose queues with --queue NAME)",
			  argv[optind]);
	if (output == OUT_TEXT && json)
		output = OUT_JSON;
	if (!pq_filter_finish(&filter, &err))
		pq_fatal(PQ_EX_USAGE, "%s", pq_buf_str(&err));

	struct pq_err perr;
	struct pq_config *cfg = pq_config_load(config_dir,
					       spool_dir != NULL && config_dir == NULL,
					       &perr);
	struct pq_spool spool;
	if (cfg == NULL || !pq_spool_open(&spool, cfg, spool_dir, &perr)
	    || (!use_showq && !pq_spool_check(&spool, &perr)))
		pq_fatal(perr.status, "%s", perr.text);
	signal(SIGPIPE, SIG_IGN);
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

	struct pq_listing listing;
	struct pq_mailq_text text;
	struct pq_counter counts = PQ_COUNTER_INIT;
	struct pq_buf reason = PQ_BUF_INIT;
	struct pq_buf scratch = PQ_BUF_INIT;
	const struct pq_qmsg *m;
	/* showq lists every queue: a --queue selection is a filter then. */
	bool filtering = pq_filter_active(&filter) || (use_showq && filter.queues);
	struct pq_showq showq;

	pq_filter_begin_pass(&filter, time(NULL));
	pq_listing_open(&listing, &spool, pq_filter_queues(&filter, NULL));
	if (use_showq && !pq_showq_connect(&showq, showq_path ? showq_path
					   : pq_showq_path(&spool, &scratch),
					   NULL, spool.utf8, &perr))
		pq_fatal(perr.status, "%s", perr.text);
	pq_mailq_text_begin(&text, stdout, spool.long_ids);
	while ((m = use_showq ? pq_showq_next(&showq) : pq_listing_next(&listing)) != NULL) {
		if (filtering && !pq_filter_match(&filter, m))
			continue;
		switch (output) {
		case OUT_TEXT:
			pq_mailq_text_message(&text, m);
			break;
		case OUT_JSON:
			pq_mailq_json_message(stdout, m, spool.utf8, &scratch);
			break;
		case OUT_IDS:
			printf("%s\n", m->id);
			break;
		case OUT_COUNT:
			count_message(&counts, count_by, m, &reason);
			break;
		}
		if (ferror(stdout))
			check_output();
	}
	if (use_showq && showq.failed)
		pq_fatal(showq.err.status, "%s", showq.err.text);
	/*
	 * What could be read is listed; a listing with holes has no total
	 * line ("Mail queue is empty" would be a lie), as postqueue has
	 * none when showq dies, and the exit status says so.
	 */
	unsigned long holes = use_showq ? 0 : listing.unreadable;
	if (output == OUT_TEXT && holes == 0)
		pq_mailq_text_end(&text);
	else if (output == OUT_COUNT)
		print_counts(&counts, json);
	check_output();
	if (holes > 0) {
		bool perm = listing.unreadable_perm == holes;
		pq_fatal(perm ? PQ_EX_NOPERM : PQ_EX_UNAVAILABLE,
			 "incomplete listing of %s: %lu part%s of the queue could "
			 "not be read (named above)%s", spool.root, holes,
			 holes == 1 ? "" : "s", listing.unreadable_perm == 0 ? ""
			 : "; postq-mailq reads the queue directly: run it as "
			 "root or as the mail_owner");
	}

	pq_counter_free(&counts);
	pq_buf_free(&reason);
	pq_buf_free(&scratch);
	pq_buf_free(&err);
	pq_listing_close(&listing);
	if (use_showq)
		pq_showq_close(&showq);
	pq_spool_close(&spool);
	pq_config_free(cfg);
	pq_filter_free(&filter);
	return 0;
}
