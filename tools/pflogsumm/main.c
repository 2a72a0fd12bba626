/*
 * postq-pflogsumm - pflogsumm 1.1.5 (Debian 1.1.5-8), byte-identical
 * report, much faster, bounded memory; plus --json, .gz input,
 * --keep-year, --host, --per-host and -d with a date or range.
 *
 * This file: command line (Getopt::Long's default behaviour: unique
 * abbreviations, case-insensitive names, one or two dashes, "_" as "-"
 * in "--" arguments, options anywhere), reading the files in order (or
 * standard input), and --mailq.
 */
#include "pfl.h"

#include "common/die.h"
#include "util/diag.h"
#include "util/knobs.h"
#include "util/version.h"
#include "heap_thp.h"
#include "log/logread.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *prog_name = "postq-pflogsumm";

/* --colwidth: room for at least one byte and "..."; more than any screen */
#define COLWIDTH_MIN 4
#define COLWIDTH_MAX (1 << 20)

static void usage_text(FILE *f)
{
	fprintf(f, "usage: %s -[eq] [-d <today|yesterday>] [--detail <cnt>]\n"
	    "\t[--bounce-detail <cnt>] [--deferral-detail <cnt>]\n"
	    "\t[-h <cnt>] [-i|--ignore-case] [--iso-date-time] [--mailq]\n"
	    "\t[-m|--uucp-mung] [--no-no-msg-size] [--problems-first]\n"
	    "\t[--rej-add-from] [--reject-detail <cnt>] [--smtp-detail <cnt>]\n"
	    "\t[--smtpd-stats] [--smtpd-warning-detail <cnt>]\n"
	    "\t[--syslog-name=string] [-u <cnt>] [--verbose-msg-detail]\n"
	    "\t[--verp-mung[=<n>]] [--zero-fill] [file1 [filen]]\n"
	    "\n"
	    "       %s --[version|help]\n", prog_name, prog_name);
}

/*
 * pflogsumm reports usage errors with Perl's die, whose exit status is
 * the errno Perl happens to hold (0 on a fresh Debian 12, so 255).
 */
_Noreturn static void die_usage(void)
{
	usage_text(stderr);
	exit(255);
}

enum otype { O_FLAG, O_INT, O_STR, O_OPTINT };

enum oid {
	ID_BOUNCE, ID_D, ID_DEFERRAL, ID_DETAIL, ID_E, ID_HELP, ID_H, ID_IGNORE, ID_I, ID_ISO,
	ID_MAILQ, ID_M, ID_NO_BOUNCE, ID_NO_DEFERRAL, ID_NO_NO_MSG_SIZE, ID_NO_REJECT,
	ID_NO_SMTPD_WARN, ID_PF, ID_Q, ID_REJ_ADD_FROM, ID_REJECT, ID_SMTP, ID_SMTPD_STATS,
	ID_SMTPD_WARN, ID_SYSLOG, ID_U, ID_UUCP, ID_VERBOSE, ID_VERP, ID_VERSION, ID_ZERO,
	/* extensions, matched only when no 1.1.5 option matches */
	ID_JSON, ID_KEEP_YEAR, ID_HOST, ID_PER_HOST, ID_USE_ORIG_TO, ID_REJ_ADD_TO,
	ID_COLWIDTH, ID_PSCRN_STATS,
};

static const struct optdef {
	const char *name;
	enum otype type;
	enum oid id;
	bool ext;
} opts[] = {
	{ "bounce-detail", O_INT, ID_BOUNCE, 0 }, { "d", O_STR, ID_D, 0 },
	{ "deferral-detail", O_INT, ID_DEFERRAL, 0 }, { "detail", O_INT, ID_DETAIL, 0 },
	{ "e", O_FLAG, ID_E, 0 }, { "help", O_FLAG, ID_HELP, 0 }, { "h", O_INT, ID_H, 0 },
	{ "ignore-case", O_FLAG, ID_IGNORE, 0 }, { "i", O_FLAG, ID_I, 0 },
	{ "iso-date-time", O_FLAG, ID_ISO, 0 }, { "mailq", O_FLAG, ID_MAILQ, 0 },
	{ "m", O_FLAG, ID_M, 0 }, { "no-bounce-detail", O_FLAG, ID_NO_BOUNCE, 0 },
	{ "no-deferral-detail", O_FLAG, ID_NO_DEFERRAL, 0 },
	{ "no-no-msg-size", O_FLAG, ID_NO_NO_MSG_SIZE, 0 },
	{ "no-reject-detail", O_FLAG, ID_NO_REJECT, 0 },
	{ "no-smtpd-warnings", O_FLAG, ID_NO_SMTPD_WARN, 0 },
	{ "problems-first", O_FLAG, ID_PF, 0 }, { "q", O_FLAG, ID_Q, 0 },
	{ "rej-add-from", O_FLAG, ID_REJ_ADD_FROM, 0 }, { "reject-detail", O_INT, ID_REJECT, 0 },
	{ "smtp-detail", O_INT, ID_SMTP, 0 }, { "smtpd-stats", O_FLAG, ID_SMTPD_STATS, 0 },
	{ "smtpd-warning-detail", O_INT, ID_SMTPD_WARN, 0 },
	{ "syslog-name", O_STR, ID_SYSLOG, 0 }, { "u", O_INT, ID_U, 0 },
	{ "uucp-mung", O_FLAG, ID_UUCP, 0 }, { "verbose-msg-detail", O_FLAG, ID_VERBOSE, 0 },
	{ "verp-mung", O_OPTINT, ID_VERP, 0 }, { "version", O_FLAG, ID_VERSION, 0 },
	{ "zero-fill", O_FLAG, ID_ZERO, 0 },
	{ "json", O_FLAG, ID_JSON, 1 }, { "keep-year", O_FLAG, ID_KEEP_YEAR, 1 },
	{ "host", O_STR, ID_HOST, 1 }, { "per-host", O_FLAG, ID_PER_HOST, 1 },
	{ "use-orig-to", O_FLAG, ID_USE_ORIG_TO, 1 }, { "rej-add-to", O_FLAG, ID_REJ_ADD_TO, 1 },
	{ "colwidth", O_INT, ID_COLWIDTH, 1 }, { "pscrn-stats", O_FLAG, ID_PSCRN_STATS, 1 },
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static bool ci_eq(const char *a, size_t n, const char *b)
{
	if (strlen(b) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != b[i])
			return false;
	return true;
}

static bool ci_prefix(const char *a, size_t n, const char *b)
{
	if (strlen(b) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != b[i])
			return false;
	return true;
}

/* Find an option the way Getopt::Long does; -1 after printing an error. */
static int lookup(const char *name, size_t n, bool *err)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < NOPTS; i++)
			if (opts[i].ext == pass && ci_eq(name, n, opts[i].name))
				return (int)i;
		int hit = -1, nhits = 0;
		char list[512] = "";
		for (size_t i = 0; i < NOPTS; i++) {
			if (opts[i].ext != pass || !ci_prefix(name, n, opts[i].name))
				continue;
			if (nhits++)
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			strncat(list, opts[i].name, sizeof(list) - strlen(list) - 1);
			hit = (int)i;
		}
		if (nhits == 1)
			return hit;
		if (nhits > 1) {
			fprintf(stderr, "Option %.*s is ambiguous (%s)\n", (int)n, name, list);
			*err = true;
			return -1;
		}
	}
	fprintf(stderr, "Unknown option: %.*s\n", (int)n, name);
	*err = true;
	return -1;
}

static bool is_int(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * The option's name as given on a command line, for messages: "-h",
 * "--bounce-detail".
 */
static void opt_label(const struct optdef *d, char *out, size_t n)
{
	snprintf(out, n, "%s%s", d->name[1] ? "--" : "-", d->name);
}

/*
 * An integer option's value, range-checked. Getopt::Long takes any
 * [-+]?[0-9]+ for an "=i" option and Perl then holds it as a 64-bit
 * integer, which is what the report prints back ("(top N)"); past
 * that range Perl turns it into a float ("(top 1e+20)"). Within the
 * range every value behaves as in pflogsumm (a negative count is no
 * limit, as there); outside it the option is refused, naming it.
 */
static long to_long(const struct optdef *d, const char *s, bool *err)
{
	errno = 0;
	char *end;
	long v = strtol(s, &end, 10);
	if (errno == ERANGE) {
		char name[64];
		opt_label(d, name, sizeof(name));
		fprintf(stderr, "%s: option %s: %s is out of range (%ld to %ld)\n", prog_name, name, s,
		    LONG_MIN, LONG_MAX);
		*err = true;
		return 0;
	}
	if (d->id == ID_COLWIDTH && v != 0 && (v < COLWIDTH_MIN || v > COLWIDTH_MAX)) {
		fprintf(stderr, "%s: option --colwidth: %s is out of range (0 for no limit, or %d to %d)\n",
		    prog_name, s, COLWIDTH_MIN, COLWIDTH_MAX);
		*err = true;
		return 0;
	}
	return v;
}

struct given {
	bool bounce, deferral, smtp, smtpd_warn, reject, h, u, detail;
	long detail_v;
	bool no_bounce, no_deferral, no_reject, no_smtpd_warn, help, version;
	const char *d;
};

/* false (after a message) if val is out of range for d */
static bool set_opt(struct pfl_opts *o, struct given *g, const struct optdef *d, const char *val)
{
	bool err = false;
	long v = val && d->type != O_STR ? to_long(d, val, &err) : 0;
	if (err)
		return false;
	switch (d->id) {
	case ID_BOUNCE: o->bounce_detail = v; g->bounce = true; break;
	case ID_D: g->d = val; break;
	case ID_DEFERRAL: o->deferral_detail = v; g->deferral = true; break;
	case ID_DETAIL: g->detail = true; g->detail_v = v; break;
	case ID_E: o->e = true; break;
	case ID_HELP: g->help = true; break;
	case ID_H: o->h = v; g->h = true; break;
	case ID_IGNORE: case ID_I: o->i = true; break;
	case ID_ISO: o->iso = true; break;
	case ID_MAILQ: o->mailq = true; break;
	case ID_M: case ID_UUCP: o->m = true; break;
	case ID_NO_BOUNCE: g->no_bounce = true; break;
	case ID_NO_DEFERRAL: g->no_deferral = true; break;
	case ID_NO_NO_MSG_SIZE: o->no_no_msg_size = true; break;
	case ID_NO_REJECT: g->no_reject = true; break;
	case ID_NO_SMTPD_WARN: g->no_smtpd_warn = true; break;
	case ID_PF: o->pf = true; break;
	case ID_Q: o->q = true; break;
	case ID_REJ_ADD_FROM: o->rej_add_from = true; break;
	case ID_REJECT: o->reject_detail = v; g->reject = true; break;
	case ID_SMTP: o->smtp_detail = v; g->smtp = true; break;
	case ID_SMTPD_STATS: o->smtpd_stats = true; break;
	case ID_SMTPD_WARN: o->smtpd_warn_detail = v; g->smtpd_warn = true; break;
	case ID_SYSLOG: o->syslog_name = val; break;
	case ID_U: o->u = v; g->u = true; break;
	case ID_VERBOSE: o->verbose = true; break;
	case ID_VERP: o->verp_set = true; o->verp = v; break;
	case ID_VERSION: g->version = true; break;
	case ID_ZERO: o->zero_fill = true; break;
	case ID_JSON: o->json = true; break;
	case ID_KEEP_YEAR: o->keep_year = true; break;
	case ID_HOST: o->host = val; break;
	case ID_PER_HOST: o->per_host = true; break;
	case ID_USE_ORIG_TO: o->use_orig_to = true; break;
	case ID_REJ_ADD_TO: o->rej_add_to = true; break;
	case ID_COLWIDTH: o->colwidth = v; break;
	case ID_PSCRN_STATS: o->pscrn_stats = true; break;
	}
	return true;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/*
 * A date "YYYY-MM-DD" (exactly: four, two and two digits) into
 * yyyymmdd; false with the reason in why if it is not a day of the
 * calendar.
 */
static bool parse_ymd(const char *s, long *out, char *why, size_t whyn)
{
	static const char *mn[] = { "January", "February", "March", "April", "May", "June", "July",
		"August", "September", "October", "November", "December" };
	bool shape = strlen(s) == 10 && s[4] == '-' && s[7] == '-';
	for (int i = 0; shape && i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			shape = false;
	if (!shape) {
		snprintf(why, whyn, "\"%s\" is not a date of the form YYYY-MM-DD", s);
		return false;
	}
	int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
	if (m < 1 || m > 12) {
		snprintf(why, whyn, "%s: there is no month %d (months are 01 to 12)", s, m);
		return false;
	}
	if (d < 1 || d > month_days(y, m)) {
		snprintf(why, whyn, "%s: %s %d has %d days", s, mn[m - 1], y, month_days(y, m));
		return false;
	}
	*out = (long)y * 10000 + m * 100 + d;
	return true;
}

/* A -d value that is meant as a date (extension), not today/yesterday. */
static bool date_like(const char *d)
{
	return isdigit((unsigned char)d[0]);
}

static time_t now(void)
{
	return time(NULL);
}

static void set_date(struct pfl_opts *o, const char *d)
{
	time_t t = now();
	struct tm tm;

	if (strcmp(d, "yesterday") == 0) {
		localtime_r(&t, &tm);
		t -= (time_t)(tm.tm_hour + 2) * 3600;
	} else if (strcmp(d, "today") != 0) {
		/* extension: "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD" / "A to B" */
		char *copy = strdup(d), *sep = strstr(copy, "..");
		size_t skip = 2;
		if (!sep && (sep = strstr(copy, " to ")) != NULL)
			skip = 4;
		long lo, hi = 0;
		bool ok;
		char why[200] = "";
		if (!date_like(d)) {
			/* pflogsumm's own answer to a value it does not know */
			free(copy);
			die_usage();
		}
		if (sep) {
			*sep = 0;
			ok = parse_ymd(copy, &lo, why, sizeof(why)) && parse_ymd(sep + skip, &hi, why, sizeof(why));
			if (ok && lo > hi) {
				snprintf(why, sizeof(why), "%s: the range is reversed (%s is after %s)", d, copy, sep + skip);
				ok = false;
			}
		} else {
			ok = parse_ymd(copy, &lo, why, sizeof(why));
			hi = lo;
		}
		free(copy);
		if (!ok) {
			fprintf(stderr, "%s: option -d: %s\n", prog_name, why);
			exit(255);
		}
		o->have_date = true;
		o->date_range = true;
		o->range_lo = lo;
		o->range_hi = hi;
		return;
	}
	static const char *mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
		"Oct", "Nov", "Dec" };
	localtime_r(&t, &tm);
	o->have_date = true;
	snprintf(o->date_str, sizeof(o->date_str), "%s %2d", mn[tm.tm_mon], tm.tm_mday);
	snprintf(o->date_iso, sizeof(o->date_iso), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
}

static void run_mailq(void)
{
	char self[PATH_MAX + 1];
	ssize_t n = readlink("/proc/self/exe", self, PATH_MAX);
	if (n <= 0) {
		pq_warn("cannot find my own directory for postq-mailq");
		return;
	}
	self[n] = 0;
	char *sl = strrchr(self, '/');
	if (!sl)
		return;
	*sl = 0;
	size_t need = strlen(self) + sizeof("/postq-mailq");
	char *path = malloc(need);
	snprintf(path, need, "%s/postq-mailq", self);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl(path, "postq-mailq", (char *)NULL);
		fprintf(stderr, "Can't exec \"%s\": %s\n", path, strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	free(path);
}

int main(int argc, char **argv)
{
	static struct pfl P;
	struct pfl_opts *o = &P.o;
	struct given g = { 0 };
	bool err = false, err_range = false;
	char **files = calloc((size_t)argc + 1, sizeof(char *));
	int nfiles = 0;

	/*
	 * Tables that double (queue ids, the removed-id ledger) come from
	 * the heap, not from mmap: every freed old table would be a munmap,
	 * a TLB shootdown across both threads' CPUs; heap memory is reused
	 * instead. The heap is never trimmed either:
	 * the process is short-lived and its peak is bounded anyway.
	 */
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, -1);
	/*
	 * With 4 KB pages a day's tables and buffers cost hundreds of page
	 * faults, a large part of a run that takes tens of milliseconds.
	 */
	heap_thp(64u << 20);
	pq_tool_init(argv[0]);
	pfl_locale_init();
	const char *slash = strrchr(argv[0], '/');
	prog_name = slash ? slash + 1 : argv[0];
	o->h = o->u = -1;
	o->bounce_detail = o->deferral_detail = o->smtp_detail = o->smtpd_warn_detail = o->reject_detail = -1;

	/* foreach (@ARGV) { last if($_ eq "--"); tr/_/-/ if(/^--\w/); } */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (argv[i][0] == '-' && argv[i][1] == '-' &&
		    (isalnum((unsigned char)argv[i][2]) || argv[i][2] == '_'))
			for (char *c = argv[i]; *c; c++)
				if (*c == '_')
					*c = '-';
	}
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				files[nfiles++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == 0) {
			files[nfiles++] = a;
			continue;
		}
		const char *name = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		int k = lookup(name, nlen, &err);
		if (k < 0)
			continue;
		const struct optdef *d = &opts[k];
		const char *val = NULL;
		switch (d->type) {
		case O_FLAG:
			if (eq) {
				fprintf(stderr, "Option %s does not take an argument\n", d->name);
				err = true;
				continue;
			}
			break;
		case O_STR:
		case O_INT:
			if (eq) {
				val = eq + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				fprintf(stderr, "Option %s requires an argument\n", d->name);
				err = true;
				continue;
			}
			if (d->type == O_INT && !is_int(val)) {
				fprintf(stderr, "Value \"%s\" invalid for option %s (number expected)\n", val, d->name);
				err = true;
				continue;
			}
			break;
		case O_OPTINT:
			if (eq) {
				val = eq + 1;
				if (!is_int(val)) {
					fprintf(stderr, "Value \"%s\" invalid for option %s (number expected)\n", val, d->name);
					err = true;
					continue;
				}
			} else if (i + 1 < argc && is_int(argv[i + 1])) {
				val = argv[++i];
			} else {
				val = "0";
			}
			break;
		}
		if (!set_opt(o, &g, d, val))
			err_range = true;
	}
	if (err_range)
		exit(255);
	if (err)
		die_usage();
	if (g.no_bounce) {
		o->bounce_detail = 0;
		fprintf(stderr, "%s: \"no_bounce_detail\" is deprecated, use \"bounce-detail=0\" instead\n", prog_name);
	}
	if (g.no_deferral) {
		o->deferral_detail = 0;
		fprintf(stderr, "%s: \"no_deferral_detail\" is deprecated, use \"deferral-detail=0\" instead\n", prog_name);
	}
	if (g.no_reject) {
		o->reject_detail = 0;
		fprintf(stderr, "%s: \"no_reject_detail\" is deprecated, use \"reject-detail=0\" instead\n", prog_name);
	}
	if (g.no_smtpd_warn) {
		o->smtpd_warn_detail = 0;
		o->no_smtpd_warnings = true;
		fprintf(stderr, "%s: \"no_smtpd_warnings\" is deprecated, use \"smtpd-warning-detail=0\" instead\n", prog_name);
	}
	if (g.detail) {
		long *all[] = { &o->h, &o->u, &o->bounce_detail, &o->deferral_detail, &o->smtp_detail,
			&o->smtpd_warn_detail, &o->reject_detail };
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (*all[i] == -1)
				*all[i] = g.detail_v;
	}
	if (o->syslog_name && !*o->syslog_name)
		o->syslog_name = NULL;
	o->syslog_name_n = o->syslog_name ? strlen(o->syslog_name) : 0;
	long knob;
	o->generic_only = pq_test_knob("generic", &knob) && knob != 0;
	if (g.help) {
		usage_text(stdout);
		return 0;
	}
	if (g.version) {
		/* pflogsumm prints "pflogsumm 1.1.5"; the release it follows is its Debian one */
		printf("%s (postq) %s (pflogsumm 1.1.5-8)\n", prog_name, PQ_VERSION);
		return 0;
	}
	time_t t = now();
	struct tm tm;
	localtime_r(&t, &tm);
	o->this_year = tm.tm_year + 1900;
	o->this_mon = tm.tm_mon;
	if (g.d)
		set_date(o, g.d);

	/*
	 * The report of a busy month is a few hundred KB: 4 KB writes were
	 * some thirty system calls for a 26 MB log's report.
	 */
	static char outbuf[64 << 10];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	pfl_init(&P);
	if (nfiles == 0)
		files[nfiles++] = "-";
	int rc = pfl_run(&P, files, nfiles);
	free(files);
	if (o->json) {
		pfl_json(&P, stdout);
	} else {
		if (o->colwidth > 0) {
			/* --colwidth N (extension): lines longer than N end in "..." at column N */
			char *text = NULL;
			size_t tlen = 0;
			FILE *mem = open_memstream(&text, &tlen);
			if (mem == NULL)
				pq_fatal(PQ_EX_OSERR, "out of memory");
			pfl_report(&P, mem);
			fclose(mem);
			size_t w = (size_t)o->colwidth;
			for (char *l = text, *end = text + tlen; l < end;) {
				char *nl = memchr(l, '\n', (size_t)(end - l));
				size_t n = nl ? (size_t)(nl - l) : (size_t)(end - l);
				if (n > w) {
					fwrite(l, 1, w - 3, stdout);
					fputs("...", stdout);
				} else {
					fwrite(l, 1, n, stdout);
				}
				if (nl)
					fputc('\n', stdout);
				l += n + (nl ? 1 : 0);
			}
			free(text);
		} else {
			pfl_report(&P, stdout);
		}
		if (o->mailq) {
			fputs("\nCurrent Mail Queue\n------------------\n", stdout);
			run_mailq();
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		pq_fatal(PQ_EX_IOERR, "write error on standard output");
	return rc;
}
