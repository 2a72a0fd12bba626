/*
 * postq-qshape - Postfix's qshape(1), byte for byte, read straight from
 * the spool in C: the domain (or sender domain) by age table of the
 * given queues. Plus --json, --by reason (rows are deferral reason
 * classes from the defer logs) and postq's selection filters.
 *
 * Options are parsed as Perl's Getopt::Std parses qshape's
 * "lhc:psw:b:t:m:n:N:" (bundling, values glued or separate, the first
 * non-option ends the options); postq's own options are long ones
 * (--name or --name=value), which qshape never accepted.
 */
#include "util/buf.h"
#include "spool/config.h"
#include "common/die.h"
#include "util/diag.h"
#include "util/knobs.h"
#include "spool/filter.h"
#include "spool/listing.h"
#include "perl_find.h"
#include "report/perl_num.h"
#include "report/qshape.h"
#include "qshape_env.h"
#include "qshape_msg.h"
#include "qshape_scan.h"
#include "qshape_showq.h"
#include "report/reason_class.h"
#include "spool/showq.h"
#include "spool/spool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Upper limits of the numeric options. qshape takes any number (and
 * runs out of memory on -w 1e12 or loops on -b inf); these are far
 * beyond any use and keep the output and memory bounded. Values that
 * qshape ignores (-w up to 80, -b, -t, -m at most 0) are ignored here
 * too.
 */
#define MAX_WIDTH 10000
#define MAX_BUCKETS 1000
#define MAX_TICK 525600		/* a year, in minutes */
#define MAX_COUNT 1e9		/* -m, -N, -n */

static const char usage_text[] =
	"Usage: %s [ -s ] [ -p ] [ -m <min_subdomains> ] [ -l ]\n"
	"\t[ -b <bucket_count> ] [ -t <bucket_time> ] [ -w <terminal_width> ]\n"
	"\t[ -N <batch_msg_count> ] [ -n <batch_top_domains> ]\n"
	"\t[ -c <config_directory> ] [ <queue_name> ... ]\n"
	"The 's' option shows sender domain counts.\n"
	"The 'p' option shows address counts by for parent domains.\n"
	"Parent domains are shown with a leading '.' before the domain name.\n"
	"Parent domains are only shown if the domain is not a TLD, and at\n"
	"least <min_subdomains> (default 5) subdomains are shown in the output.\n\n"
	"The bucket age ranges in units of <bucket_time> minutes are\n"
	"[0,1), [1,2), [2,4), [4,8), [8, 16), ... i.e.:\n"
	"\tthe first bucket is [0, bucket_time) minutes\n"
	"\tthe second bucket is [bucket_time, 2*bucket_time) minutes\n"
	"\tthe third bucket is [2*bucket_time, 4*bucket_time) minutes...\n"
	"'-l' makes the ages linear, the number of buckets shown is <bucket_count>\n\n"
	"The default summary is for the incoming and active queues. An explicit\n"
	"list of queue names can be given on the command line. Non-absolute queue\n"
	"names are interpreted relative to the Postfix queue directory. Use\n"
	"<config_directory> to specify a non-default Postfix instance.\n\n"
	"postq options (before the queue names):\n"
	"  --spool DIR        queue directory (instead of main.cf's queue_directory)\n"
	"  --json             the table as one JSON object\n"
	"  --by domain|reason rows are domains (default) or deferral reason classes\n"
	"  --showq[=PATH]     count what Postfix's showq service lists instead of\n"
	"                     reading the queue files (default PATH:\n"
	"                     $queue_directory/public/showq)\n"
	"  --threads N        read with N threads (default: $POSTQ_THREADS, else\n"
	"                     one per CPU, at most 8)\n"
	"  --help, --version  this text; the version\n";

static _Noreturn void usage(int status)
{
	FILE *fp = status ? stderr : stdout;

	fprintf(fp, usage_text, pq_progname());
	fputs(pq_filter_usage, fp);
	exit(status);
}

struct run {
	struct pq_qshape table;
	struct pq_qenv env;
	bool senders;
	bool by_reason;
	bool json;
	bool utf8;
	/* batch mode (stdout is a terminal) */
	double batch;
	unsigned long long batch_mod;
	double top;
	char *clear;
	unsigned long long msgs;
	/* filters and reasons */
	bool need_msg;
	struct pq_filter *filter;
	struct pq_spool *spool;
	struct pq_qshape_msg qm;
	struct pq_buf path;
	struct pq_buf cls;
	struct pq_find_errors errs;	/* what could not be read */
};

static void check_output(void)
{
	if (ferror(stdout) || fflush(stdout) == EOF) {
		if (errno == EPIPE)
			exit(0);
		pq_fatal(PQ_EX_IOERR, "output write error: %s", strerror(errno));
	}
}

/* The queue a top-level name stands for: its last path component. */
static const char *queue_label(const char *top, struct pq_buf *out)
{
	pq_buf_set(out, top);
	while (out->len > 1 && out->data[out->len - 1] == '/')
		out->data[--out->len] = 0;
	const char *slash = strrchr(out->data, '/');
	return slash && slash[1] ? slash + 1 : out->data;
}

/* On a terminal qshape prints the table every -N messages. */
static void batch_step(struct run *run)
{
	if (run->batch > 0) {
		run->msgs++;
		if (run->batch_mod == 0) {
			/* What Perl's % says to qshape's "-N 0.5". */
			fflush(stdout);
			fprintf(stderr, "Illegal modulus zero at /usr/sbin/qshape line 309.\n");
			exit(255);
		}
		if (run->batch_mod != ~0ULL && run->msgs % run->batch_mod == 0) {
			pq_qshape_print(&run->table, stdout, run->top, run->clear);
			check_output();
		}
	}
}

static void visit(void *ctx, int dirfd, const char *dir, const char *name,
		  unsigned char d_type, const char *top)
{
	struct run *run = ctx;
	struct stat st;

	if (!pq_qenv_name_ok(name))
		return;
	pq_buf_reset(&run->path);
	pq_buf_printf(&run->path, "%s/%s", dir, name);
	if (pq_qshape_read_file(&run->env, dirfd, name, d_type, run->path.data,
				&st, &run->errs) == PQ_QENV_SKIP)
		return;

	const struct pq_qmsg *m = NULL;
	if (run->need_msg) {
		struct pq_buf label = PQ_BUF_INIT;
		m = pq_qshape_msg_build(&run->qm, run->spool, &run->env,
					queue_label(top, &label), name, &st,
					&run->errs);
		bool keep = !pq_filter_active(run->filter)
			    || pq_filter_match(run->filter, m);
		pq_buf_free(&label);
		if (!keep)
			return;
	}

	struct pq_qshape *q = &run->table;
	if (run->by_reason) {
		size_t b = pq_qshape_bucket(&q->conf, q->now, run->env.time);
		struct pq_buf cls = PQ_BUF_INIT;
		for (size_t i = 0; i < m->rcpts.n; i++) {
			const char *why = pq_strlist_get(&m->reasons, i);
			const char *c = *why ? pq_reason_class(&cls, why) : "(no reason)";
			pq_qshape_add_key(q, b, c, strlen(c));
		}
		pq_buf_free(&cls);
	} else {
		pq_qshape_count(q, &run->env, run->senders);
	}
	batch_step(run);
}

/* Count what showq lists, as visit() counts queue files. */
static void count_showq(struct run *run, const char *path,
			const char *const *queues, size_t nqueues)
{
	struct pq_showq sq;
	struct pq_qshape_showq v = { 0 };
	struct pq_err err;
	struct pq_buf def = PQ_BUF_INIT, cls = PQ_BUF_INIT;
	const struct pq_qmsg *m;
	const char *empty = run->spool->empty_addr;
	struct pq_qshape *q = &run->table;

	if (!pq_showq_connect(&sq, path ? path : pq_showq_path(run->spool, &def),
			      NULL, run->utf8, &err))
		pq_fatal(err.status, "%s", err.text);
	while ((m = pq_showq_next(&sq)) != NULL) {
		if ((m = pq_qshape_showq_view(&v, m, queues, nqueues, empty)) == NULL)
			continue;
		if (pq_filter_active(run->filter) && !pq_filter_match(run->filter, m))
			continue;
		if (run->by_reason) {
			size_t b = pq_qshape_bucket(&q->conf, q->now, (double)m->arrival);
			for (size_t i = 0; i < m->rcpts.n; i++) {
				const char *why = pq_strlist_get(&m->reasons, i);
				const char *c = *why ? pq_reason_class(&cls, why) : "(no reason)";
				pq_qshape_add_key(q, b, c, strlen(c));
			}
		} else {
			pq_qshape_count_qmsg(q, m, run->senders, empty);
		}
		batch_step(run);
	}
	if (sq.failed)
		pq_fatal(sq.err.status, "%s", sq.err.text);
	pq_showq_close(&sq);
	pq_qshape_showq_free(&v);
	pq_buf_free(&def);
	pq_buf_free(&cls);
}

/* `clear`'s output, as qshape's $cls = `clear`. */
static char *clear_sequence(void)
{
	struct pq_buf b = PQ_BUF_INIT;
	FILE *fp = popen("clear", "r");
	char chunk[256];
	size_t n;

	if (fp != NULL) {
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			pq_buf_add(&b, chunk, n);
		pclose(fp);
	}
	pq_buf_add(&b, "", 0);
	return b.data;
}

/*
 * value (as Perl numifies it: qshape's rules decide what is ignored)
 * must not exceed max; Inf does, NaN is ignored as qshape ignores it.
 */
static void check_range(const char *opt, const char *value, double max,
			const char *range)
{
	if (value != NULL && pq_perl_atofs(value) > max)
		pq_fatal(255, "%s %s: out of range: %s", opt, value, range);
}

struct opt_values {
	const char *c, *w, *b, *t, *m, *n, *N;
	bool s, p, l, h;
};

static const struct option long_opts[] = {
	{ "spool", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "by", required_argument, NULL, 'y' },
	{ "threads", required_argument, NULL, 'T' },
	{ "showq", optional_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	PQ_FILTER_LONG_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

/* One of our options, as it would be written: "-s", "--json", "--by=x". */
static bool is_option(const char *w)
{
	if (w[0] != '-')
		return false;
	if (w[1] != '-')
		return w[1] != 0 && strchr("lhcpswbtmnN", w[1]) != NULL;
	size_t n = strcspn(w + 2, "=");
	for (const struct option *lo = long_opts; lo->name; lo++)
		if (strlen(lo->name) == n && strncmp(lo->name, w + 2, n) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct opt_values o = { 0 };
	const char *spool_dir = NULL, *showq_path = NULL;
	bool use_showq = false;
	struct pq_filter filter;
	struct pq_buf err = PQ_BUF_INIT;
	struct run run;
	double now = (double)time(NULL);
	int i = 1, threads = 0;

	memset(&run, 0, sizeof(run));
	pq_tool_init(argv[0]);
	pq_filter_init(&filter);

	/* Getopt::Std::getopts("lhc:psw:b:t:m:n:N:"), plus long options. */
	while (i < argc && argv[i][0] == '-' && argv[i][1] != 0) {
		char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[1] == '-') {
			char *name = arg + 2, *value = strchr(name, '=');
			size_t nlen = value ? (size_t)(value - name) : strlen(name);
			const struct option *lo;
			i++;
			for (lo = long_opts; lo->name; lo++)
				if (strlen(lo->name) == nlen && strncmp(lo->name, name, nlen) == 0)
					break;
			/* Our own options: say what is wrong, not the whole usage. */
			if (lo->name == NULL)
				pq_fatal(255, "unknown option --%.*s (see %s --help)",
					 (int)nlen, name, pq_progname());
			if (lo->has_arg == required_argument) {
				if (value)
					value++;
				else if (i < argc)
					value = argv[i++];
				else
					pq_fatal(255, "option --%s needs a value (see %s --help)",
						 lo->name, pq_progname());
			} else if (value && lo->has_arg == optional_argument) {
				value++;
			} else if (value) {
				pq_fatal(255, "option --%s takes no value", lo->name);
			}
			switch (lo->val) {
			case 's':
				spool_dir = value;
				break;
			case 'j':
				run.json = true;
				break;
			case 'q':
				use_showq = true;
				showq_path = value;
				break;
			case 'T': {
				char *end;
				errno = 0;
				long n = strtol(value, &end, 10);
				if (errno || end == value || *end || n < 1 || n > 64)
					pq_fatal(255, "--threads takes 1 to 64, not \"%s\"", value);
				threads = (int)n;
				break;
			}
			case 'y':
				if (strcmp(value, "reason") == 0)
					run.by_reason = true;
				else if (strcmp(value, "domain") == 0)
					run.by_reason = false;
				else
					pq_fatal(255, "--by takes domain or reason, not \"%s\"", value);
				break;
			case 'h':
				usage(0);
			case 'V':
				pq_version(pq_progname());
			default:
				if (pq_filter_option(&filter, lo->val, value, &err) < 0)
					pq_fatal(255, "%s", pq_buf_str(&err));
			}
			continue;
		}
		for (size_t j = 1; arg[j];) {
			char c = arg[j];
			const char *rest = arg + j + 1;
			const char **slot = NULL;
			switch (c) {
			case 'c': slot = &o.c; break;
			case 'w': slot = &o.w; break;
			case 'b': slot = &o.b; break;
			case 't': slot = &o.t; break;
			case 'm': slot = &o.m; break;
			case 'n': slot = &o.n; break;
			case 'N': slot = &o.N; break;
			case 's': o.s = true; break;
			case 'p': o.p = true; break;
			case 'l': o.l = true; break;
			case 'h': o.h = true; break;
			case ':': break;	/* Getopt::Std finds ':' in its spec */
			default:
				fprintf(stderr, "%s: Unknown option: %c\n", pq_progname(), c);
				usage(255);
			}
			if (slot) {
				/* The rest of the word, or the next word (none: undef). */
				*slot = *rest ? rest : (i + 1 < argc ? argv[++i] : NULL);
				break;
			}
			j++;
		}
		i++;
	}
	if (o.h)
		usage(255);
	if (!pq_filter_finish(&filter, &err))
		pq_fatal(255, "%s", pq_buf_str(&err));

	struct pq_qshape_conf conf;
	pq_qshape_conf_init(&conf);
	check_range("-w", o.w, MAX_WIDTH, "the terminal width is at most 10000 "
		    "(values up to 80 mean 80)");
	check_range("-b", o.b, MAX_BUCKETS, "the bucket count is at most 1000 "
		    "(0 or less means 10)");
	check_range("-t", o.t, MAX_TICK, "the bucket time is at most 525600 "
		    "minutes, a year (0 or less means 5)");
	check_range("-m", o.m, MAX_COUNT, "the subdomain count is at most 1000000000");
	check_range("-N", o.N, MAX_COUNT, "the batch message count is at most 1000000000");
	check_range("-n", o.n, MAX_COUNT, "the batch row count is at most 1000000000");
	if (o.w && pq_perl_atofs(o.w) > 80)
		conf.width = pq_perl_atofs(o.w);
	if (o.b && pq_perl_atofs(o.b) > 0)
		conf.bnum = pq_perl_atofs(o.b);
	if (o.t && pq_perl_atofs(o.t) > 0)
		conf.tick = pq_pnum_from_string(o.t);
	if (o.m && pq_perl_atofs(o.m) > 0)
		conf.minsub = pq_perl_atofs(o.m);
	conf.linear = o.l;
	conf.parents = o.p;
	conf.cut_tail = run.by_reason;
	if (run.by_reason && (o.s || o.p))
		pq_fatal(255, "--by reason counts recipients by reason: no -s or -p");

	const char *dflt[] = { "incoming", "active" };
	const char *const *queues = dflt;
	size_t nqueues = 2;
	if (i < argc) {
		queues = (const char *const *)argv + i;
		nqueues = (size_t)(argc - i);
	} else if (filter.queues) {
		queues = filter.queues;
		nqueues = filter.nqueues;
	}

	/*
	 * Getopt::Std stops at the first non-option, so in "deferred --json"
	 * the second word is a queue name to qshape too; one that looks like
	 * an option and names nothing is a mistake to say, not a queue that
	 * "Can't stat" with a table of zeros.
	 */
	for (size_t k = 1; i < argc && k < nqueues; k++)
		if (is_option(queues[k]))
			pq_fatal(255, "%s after the queue name %s: options come "
				 "before queue names (as in qshape, the first queue "
				 "name ends the options)", queues[k], queues[0]);

	/* qshape reads main.cf only when a queue name is relative. */
	bool relative = false;
	for (size_t k = 0; k < nqueues; k++)
		if (queues[k][0] != '/')
			relative = true;
	for (size_t k = 0; use_showq && k < nqueues; k++) {
		size_t j = 0;
		while (pq_message_queues_showq[j]
		       && strcmp(pq_message_queues_showq[j], queues[k]) != 0)
			j++;
		if (pq_message_queues_showq[j] == NULL)
			pq_fatal(255, "--showq lists the queues maildrop, active, "
				 "incoming, deferred and hold, not \"%s\"", queues[k]);
	}
	run.need_msg = run.by_reason || pq_filter_active(&filter);
	struct pq_config *cfg = NULL;
	struct pq_spool spool;
	int basefd = AT_FDCWD;
	if (relative && spool_dir == NULL) {
		/* Fail as qshape does when postconf or chdir fails: status 1, errno. */
		const char *dir = o.c ? o.c : getenv("MAIL_CONFIG");
		struct pq_buf mc = PQ_BUF_INIT;
		pq_buf_printf(&mc, "%s/main.cf", dir && *dir ? dir : "/etc/postfix");
		if (access(mc.data, R_OK) < 0)
			pq_fatal(1, "open %s: %s", mc.data, strerror(errno));
		pq_buf_free(&mc);
	}
	if (relative || run.need_msg || use_showq) {
		struct pq_err perr;
		cfg = pq_config_load(o.c, spool_dir != NULL || !relative, &perr);
		if (cfg == NULL)
			pq_fatal(perr.status, "%s", perr.text);
		if (relative) {
			const char *qd = spool_dir ? spool_dir
					 : pq_config_get(cfg, "queue_directory");
			int fd = open(qd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0) {
				/* qd lives in cfg: the message first, then cfg goes. */
				int e = errno;
				struct pq_buf msg = PQ_BUF_INIT;
				pq_buf_printf(&msg, "chdir(%s): %s", qd, strerror(e));
				pq_config_free(cfg);
				pq_fatal(e ? e : 1, "%s", msg.data);
			}
			close(fd);
		}
		if (!pq_spool_open(&spool, cfg, spool_dir, &perr)
		    || (!use_showq && !pq_spool_check(&spool, &perr)))
			pq_fatal(perr.status, "%s", perr.text);
		if (relative)
			basefd = spool.rootfd;
		run.spool = &spool;
		run.utf8 = spool.utf8;
	}
	run.filter = &filter;
	/* Ages in the table and in --older/--newer: one clock. */
	pq_filter_begin_pass(&filter, (time_t)now);

	signal(SIGPIPE, SIG_IGN);
	static char outbuf[1 << 16];
	bool tty = isatty(STDOUT_FILENO);
	if (!tty)
		setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (tty && !run.json) {
		run.batch = o.N ? pq_perl_atofs(o.N) : 1000;
		run.top = o.n ? pq_perl_atofs(o.n) : 20;
		if (run.batch > 0) {
			run.clear = clear_sequence();
			/* Perl's %: integer parts, unless the divisor is huge. */
			run.batch_mod = run.batch >= 18446744073709551616.0
					? ~0ULL : (unsigned long long)run.batch;
		}
	}
	run.senders = o.s;
	pq_qshape_init(&run.table, &conf, now);

	if (use_showq) {
		count_showq(&run, showq_path, queues, nqueues);
	} else if (run.need_msg || run.batch > 0) {
		/* Filters, reasons and batches: one message at a time, in order. */
		pq_perl_find(basefd, queues, nqueues, visit, &run, &run.errs);
	} else {
		if (threads == 0)
			threads = pq_threads_set() ? pq_threads(64) : pq_threads(8);
		pq_qshape_scan(&run.table, basefd, queues, nqueues, run.senders, threads,
			       &run.errs);
	}

	if (run.json)
		pq_qshape_print_json(&run.table, stdout, 0, run.utf8);
	else
		pq_qshape_print(&run.table, stdout, run.top, run.clear);
	check_output();
	/*
	 * The table counts what could be read; qshape exits 0 all the same,
	 * but zeros that mean "could not look" must not pass for an empty
	 * queue.
	 */
	if (run.errs.n > 0)
		pq_fatal(run.errs.perm == run.errs.n ? PQ_EX_NOPERM : PQ_EX_UNAVAILABLE,
			 "incomplete table: %lu part%s of the queue could not be "
			 "read (named above)%s", run.errs.n, run.errs.n == 1 ? "" : "s",
			 run.errs.perm == 0 ? "" : "; postq-qshape reads the queue "
			 "directly: run it as root or as the mail_owner");

	free(run.clear);
	pq_buf_free(&run.path);
	pq_buf_free(&err);
	pq_qenv_free(&run.env);
	pq_qshape_msg_free(&run.qm);
	pq_qshape_free(&run.table);
	if (run.spool)
		pq_spool_close(&spool);
	if (cfg)
		pq_config_free(cfg);
	pq_filter_free(&filter);
	return 0;
}
