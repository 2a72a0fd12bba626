/*
 * pfl.h - postq-pflogsumm's shared state: options, the tallies the
 * report is made from, and the Perl-compatible text helpers.
 *
 * The tool is split by concern: main.c (options, files), pipeline.c
 * (reading in one thread, tallying in another), scan.c (one log line,
 * classified by lib/log and tallied exactly as pflogsumm 1.1.5-8's main
 * loop treats it), perlre.c (hand-written equivalents of pflogsumm's
 * regular expressions and helper subs, in its locale), report.c (the
 * text report), json.c (--json).
 */
#ifndef PFL_H
#define PFL_H

#include "util/buf.h"
#include "ledger.h"
#include "log/logread.h"
#include "log/maillog.h"
#include "util/strmap.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct pfl_opts {
	long bounce_detail, deferral_detail, smtp_detail, smtpd_warn_detail, reject_detail;
	long h, u;
	bool e, i, iso, m, mailq, no_no_msg_size, pf, q, rej_add_from, rej_add_to;
	bool smtpd_stats, verbose, zero_fill, no_smtpd_warnings;
	bool verp_set;
	long verp;
	bool use_orig_to, pscrn_stats;
	bool generic_only;		/* test knob "generic": every line through the regex replicas */
	const char *syslog_name;	/* NULL: "postfix" */
	size_t syslog_name_n;
	/* -d */
	bool have_date;
	char date_str[32];		/* "Mon %2d" */
	char date_iso[32];		/* "YYYY-MM-DD" */
	/* -d with a date or range (extension): inclusive yyyymmdd bounds */
	bool date_range;
	long range_lo, range_hi;
	/* extensions */
	bool json, keep_year, per_host;
	const char *host;
	long colwidth;			/* 0: pflogsumm 1.1.5 layout */
	/* clock */
	int this_year, this_mon;
};

/* A nested tally: leaves count, inner nodes hold another level. */
struct nest {
	struct pq_strmap kids;		/* of struct nest */
	long long cnt;
};

struct dom_stat {		/* recipDom / sendgDom / users */
	long long cnt;
	double size;
	long long dfrs;
	double dly_sum, dly_max;
	bool touched_cnt;
};

struct smtpd_stat {
	double cnt, sum, max;
};

struct day_stat {
	long key;			/* yr*10000 + mon0*100 + day; LONG_MIN: undefined */
	long long v[5];
	int ncols;
	struct smtpd_stat smtpd;
	bool has_smtpd;
};

struct host_stat {		/* --per-host */
	long long rcvd, dlvd, dfrd, bncd, rjct;
};

struct qstate {			/* per queue id, dropped at "removed" */
	unsigned long long size;
	bool size_true;		/* Perl truthiness of $msgSizes{$qid} */
	bool dfrd;
	char *rcvd;			/* $rcvdMsg{$qid} when true, else NULL */
};

struct conn {			/* --smtpd-stats: smtpd pid -> connect time */
	int yr, mon, day, hr, min, sec;
};

struct strvec {
	char **v;
	size_t n, cap;
};

#define PSCRN_N 12

struct pfl_scratch {		/* buffers of one thread's per-line parsing */
	struct pq_buf t1, t2, t3, t4, t5;
};

struct pfl {
	struct pfl_opts o;
	/* grand totals */
	long long rcvd, dlvd, fwdd, dfrd, dfrd_cnt, bncd, rjct, wrnd, held, dscrdd;
	long long expired;		/* qmgr's status=expired (not in pflogsumm's report) */
	double size_rcvd, size_dlvd;
	long long sendg_user_cnt, sendg_dom_cnt, recip_user_cnt, recip_dom_cnt;
	long long rcv_hr[24], dlv_hr[24], dfr_hr[24], bnc_hr[24], rej_hr[24];
	struct smtpd_stat smtpd_hr[24];
	long long smtpd_conn_cnt;
	long long pscrn[PSCRN_N];	/* --pscrn-stats */
	double smtpd_tot_time;
	/* days */
	struct day_stat *days;
	size_t ndays, days_cap;
	long cur_day;			/* index into days, -1 if undefined */
	int last_day;
	long day_cnt;
	/* tables */
	struct pq_strmap recip_dom, sendg_dom, recip_user, sendg_user;	/* dom_stat */
	struct pq_strmap smtpd_dom;	/* smtpd_stat */
	struct pq_strmap qids;		/* qstate */
	struct ledger removed;		/* what pflogsumm remembers of removed qids */
	struct pq_strmap conns;		/* conn */
	struct pq_strmap no_size;		/* char * (address) */
	struct pq_strmap detail;		/* strvec, -e */
	struct pq_strmap hosts;		/* host_stat, --per-host */
	struct nest deferred, bounced, rejects, warns, holds, discards, smtp_msgs;
	struct nest warnings, fatals, panics, master;
	/* scratch */
	struct pq_buf t1, t2, t3, t4, t5, line;
	struct pfl_scratch sc;
	unsigned long long lines, skipped;
};

/* perlre.c */
bool perl_true(const char *s, size_t n);
void gimme_domain(const char *s, size_t n, struct pq_buf *out);
void said_string_trimmer(struct pq_buf *b, size_t max);
void string_trimmer(struct pq_buf *b, size_t max, bool verbose);
void lc_buf(struct pq_buf *b, size_t from);
void addr_case(struct pq_buf *b, bool ignore_case);
void uucp_mung(struct pq_buf *b);
void verp_mung(const struct pfl_opts *o, struct pq_buf *b);
void reject_reason(const char *typ, size_t typn, struct pq_buf *reas);
void normalize_host(const char *s, size_t n, struct pq_buf *out);
double perl_num(const char *s, size_t n);
const char *find_bytes(const char *p, size_t n, const char *lit, size_t k);

/*
 * Byte classes as table lookups: the scanners test one byte at a time
 * on every line. PFL_SPC is Perl's \s, PFL_WORD its \w, and pfl_lower
 * its lc, all in the locale (pfl_locale_init, perlre.c: in "C", \s is
 * space, \t \n \v \f \r); pfl_utf8: the locale is UTF-8, where \s also
 * holds 0x85 and 0xA0.
 */
enum { PFL_DIG = 1, PFL_SPC = 2, PFL_WORD = 4, PFL_COLON = 8 };
extern unsigned char pfl_ctype[256];
extern unsigned char pfl_lower[256];
extern bool pfl_utf8;
void pfl_locale_init(void);
static inline bool pfl_isdig(int c) { return pfl_ctype[(unsigned char)c] & PFL_DIG; }
static inline bool pfl_isspc(int c) { return pfl_ctype[(unsigned char)c] & PFL_SPC; }
static inline bool pfl_isword(int c) { return pfl_ctype[(unsigned char)c] & PFL_WORD; }
/* ':' or \s: where a [^:\s]+ run ends */
static inline bool pfl_iscolspc(int c) { return pfl_ctype[(unsigned char)c] & (PFL_COLON | PFL_SPC); }

/* has_prefix/find_lit take a string literal: its length is a constant. */
#define has_prefix(p, n, lit) has_prefix_n((p), (n), (lit), __builtin_strlen(lit))
#define find_lit(p, n, lit) find_bytes((p), (n), (lit), __builtin_strlen(lit))

/* find_lit_at: the same, scanning for lit[idx] (pick a rare byte such as '<'). */
#define find_lit_at(p, n, lit, idx) find_bytes_at((p), (n), (lit), __builtin_strlen(lit), (idx))
const char *find_bytes_at(const char *p, size_t n, const char *lit, size_t k, size_t idx);
#define str_eq(p, n, lit) ((n) == sizeof(lit) - 1 && memcmp((p), (lit), sizeof(lit) - 1) == 0)

static inline bool has_prefix_n(const char *p, size_t n, const char *lit, size_t k)
{
	return n >= k && memcmp(p, lit, k) == 0;
}

/* scan.c */
/* PRE_TODO: not pre-parsed yet; rest and rn are the whole line (pipeline.c) */
enum { PRE_FILTERED, PRE_SKIPPED, PRE_GO, PRE_TODO };

/*
 * pipeline.c cuts lines at PQ_LOGREAD_MAX_LINE (1 MiB), so struct
 * pfl_pre keeps positions in a line in 32 bits.
 */
#define PFL_LINE_MAX ((size_t)PQ_LOGREAD_MAX_LINE)
_Static_assert(PQ_LOGREAD_MAX_LINE < UINT32_MAX, "line positions fit in 32 bits");

/*
 * How pfl_apply treats a line, as pfl_pre worked out from lib/log's
 * classification (pq_ml_classify) of it. A kind other than PK_GENERIC
 * means that pflogsumm's regexes, for all their quirks, see in this
 * line exactly the event that the classifier saw (pfl_pre checks the
 * few ways they could see more or other), so the tallies come from the
 * classifier's fields; PK_GENERIC lines go through the replicas of
 * pflogsumm's regexes in pfl_apply.
 */
enum pfl_kind {
	PK_GENERIC = 0,
	PK_QUIET,		/* nothing for pflogsumm to count (cleanup's message-id=) */
	PK_FROM,		/* qmgr's from=<>, size=: sender and size */
	PK_DELIVERY,		/* to=<>, relay=, delay=, status=: delivered, deferred, bounced */
	PK_PICKUP,		/* pickup's uid= from=<>: received */
	PK_REMOVED,		/* QID: removed */
	PK_EXPIRED,		/* qmgr's status=expired (only --json counts it) */
	PK_CLEANUP,		/* cleanup's reject/warning/hold/discard: header|body|END-OF-MESSAGE */
};

/*
 * What pfl_pre found in one line, for pfl_apply. One per line in
 * flight, and written by one thread and read by the other: a cache
 * line each, so positions are 32-bit offsets from rest, the line from
 * the program name on, or 16-bit ones from the text (the queue id) for
 * the classified kinds (a line whose fields lie further out than 64 KB
 * is left PK_GENERIC).
 */
struct pfl_pre {
	alignas(64) const char *rest;
	uint32_t rn;			/* rest's length */
	uint32_t host_back, hostn;	/* the host is at rest - host_back */
	uint32_t cmd_off, cmdn;		/* pflogsumm's $cmd (if has_cmd) */
	uint32_t qid_off, qidn;		/* and $qid */
	union {
		struct {
			uint32_t val_off, valn;	/* smtpd/postscreen client= value (smtpd_kind 1) */
			/*
			 * 0, or 1 + where proc_smtpd_reject's keys are in the arena (a
			 * struct pfl_rej then the strings): one word here, as few lines
			 * are rejects and every page of these is a page fault.
			 */
			uint32_t rej;
		} g;			/* PK_GENERIC */
		struct {		/* PK_DELIVERY; the address is after "QID: to=<" */
			uint16_t to_n, relay_off, relay_n, delay_off, delay_n, status_off, status_n;
		} d;
		struct {		/* PK_FROM; the address is after "QID: from=<" */
			uint16_t from_n, size_off, size_n;
		} f;
		struct {		/* PK_CLEANUP */
			uint32_t stage_off;	/* from rest */
			uint8_t stagen;
			uint8_t k;	/* milter-reject, reject, warning, hold, discard */
		} c;
	} u;
	int16_t year;
	uint8_t status, mon, mday, hour, min, sec;
	uint8_t smtpd_kind;		/* smtpd/postscreen: 0 none, 1 client=, 2.. 5 reject kinds */
	uint8_t has_cmd;		/* 0: the program and queue id regexes did not match */
	uint8_t kind;			/* enum pfl_kind */
	uint8_t expired;		/* lib/log's PQ_ML_EV_EXPIRED, whatever the kind (--json counts it) */
};
_Static_assert(sizeof(struct pfl_pre) == 64, "struct pfl_pre is one cache line");

struct pfl_rej {
	size_t typ, typn;		/* the type at rest + typ */
	size_t reasn, datan;		/* the reason, then the data, follow */
};

/* What the thread running pfl_pre keeps from line to line (zero it first). */
struct pfl_reader {
	struct pq_ml_frame_cache fc;
	struct pfl_scratch sc;
	struct pq_buf *arena;		/* strings derived from the lines; pfl_apply gets its data */
	/*
	 * Leave the reject keys to pfl_apply: they are the costliest part
	 * of pfl_pre that either thread can do, so the pipeline moves them
	 * to whichever thread is behind.
	 */
	bool rej_to_apply;
	/*
	 * Lines are consecutive in a buffer that ends at iend (NULL: no such
	 * buffer), and [ifrom, inext) holds no 'I': a line in that range
	 * needs no search for ": [ID " (NULL ifrom: nothing known yet).
	 */
	const char *iend, *ifrom, *inext;
};
void pfl_init(struct pfl *P);
void pfl_pre(const struct pfl_opts *o, struct pfl_reader *rd, char *line, size_t len,
    struct pfl_pre *pr);
void pfl_apply(struct pfl *P, const struct pfl_pre *pr, const char *arena);
void pfl_reader_free(struct pfl_reader *rd);
struct nest *nest_child(struct nest *n, const char *k, size_t kn);
void nest_free(struct nest *n);

/* pipeline.c: read and tally all files; 1 after a read error */
int pfl_run(struct pfl *P, char **files, int nfiles);

/* report.c */
void pfl_report(struct pfl *P, FILE *out);
/* qsort orders of the report, shared with --json: keys by byte order;
 * domain rows by count, then size (descending), then key. */
int pfl_cmp_key(const void *x, const void *y);
int pfl_cmp_count_size(const void *x, const void *y);
void pfl_sort_entries(struct pq_strmap_entry **v, size_t n, int (*cmp)(const void *, const void *));

/* json.c */
void pfl_json(struct pfl *P, FILE *out);

#endif
