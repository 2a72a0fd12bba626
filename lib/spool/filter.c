/*
 * filter - the message selection engine; see filter.h.
 */
#include "spool/filter.h"

#include "util/alloc.h"
#include "util/diag.h"
#include "util/units.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const known_queues[] = {
	"maildrop", "incoming", "active", "deferred", "hold", "corrupt", NULL
};

void pq_filter_init(struct pq_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->older = f->newer = -1;
	f->min_size = f->max_size = -1;
	f->now = -1;
}

void pq_filter_begin_pass(struct pq_filter *f, time_t now)
{
	f->now = now;
}

void pq_filter_free(struct pq_filter *f)
{
	pcre2_code_free(f->from);
	pcre2_code_free(f->to);
	pcre2_code_free(f->reason);
	pcre2_match_data_free(f->md);
	for (size_t i = 0; i < f->ndomains; i++)
		free(f->domains[i]);
	free(f->domains);
	for (size_t i = 0; i < 3; i++)
		free(f->patterns[i]);
	free(f->queues);
	memset(f, 0, sizeof(*f));
}

static bool add_queue(struct pq_filter *f, const char *queue,
			 struct pq_buf *err)
{
	size_t i;

	for (i = 0; known_queues[i]; i++)
		if (strcmp(known_queues[i], queue) == 0)
			break;
	if (known_queues[i] == NULL) {
		pq_buf_reset(err);
		pq_buf_printf(err, "unknown queue name: %s", queue);
		return false;
	}
	const char **q = realloc(f->queues, (f->nqueues + 2) * sizeof(*q));
	if (q == NULL)
		pq_oom(0);
	f->queues = q;
	f->queues[f->nqueues++] = known_queues[i];
	f->queues[f->nqueues] = NULL;
	return true;
}

static bool compile(struct pq_filter *f, pcre2_code **slot,
		    const char *pattern, struct pq_buf *err)
{
	int code;
	PCRE2_SIZE offset;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
				       f->caseless ? PCRE2_CASELESS : 0,
				       &code, &offset, NULL);
	if (re == NULL) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof(msg));
		pq_buf_reset(err);
		pq_buf_printf(err, "bad pattern \"%s\" at offset %zu: %s", pattern,
			   (size_t)offset, (const char *)msg);
		return false;
	}
	pcre2_code_free(*slot);
	*slot = re;
	return true;
}

static void add_domain(struct pq_filter *f, const char *domain)
{
	char **d = realloc(f->domains, (f->ndomains + 1) * sizeof(*d));

	if (d == NULL)
		pq_oom(0);
	f->domains = d;
	/* "@example.com" and "example.com" mean the same. */
	f->domains[f->ndomains] = strdup(domain[0] == '@' ? domain + 1 : domain);
	if (f->domains[f->ndomains] == NULL)
		pq_oom(0);
	f->ndomains++;
}

const char pq_filter_usage[] =
	"  --queue NAME       only this queue (repeatable): maildrop incoming\n"
	"                     active deferred hold corrupt\n"
	"  --from RE          sender matches the PCRE2 pattern\n"
	"  --to RE            a recipient matches\n"
	"  --reason RE        a recipient's deferral reason matches\n"
	"  --domain DOMAIN    a recipient is in this domain (repeatable)\n"
	"  --older DURATION   arrived at least this long ago (90s, 2h, 3d, 1w)\n"
	"  --newer DURATION   arrived less than this long ago\n"
	"  --min-size BYTES   message size at least (k, m, g suffixes)\n"
	"  --max-size BYTES   message size at most\n"
	"  --ignore-case      patterns match regardless of case\n"
	"  --all              allow criteria that select every message (an empty\n"
	"                     or match-anything pattern, an empty domain); without\n"
	"                     it they are refused\n";

static bool set_string(char **slot, const char *value)
{
	free(*slot);
	*slot = strdup(value);
	if (*slot == NULL)
		pq_oom(0);
	return true;
}

int pq_filter_option(struct pq_filter *f, int code, const char *value,
		     struct pq_buf *err)
{
	bool ok = true;

	switch (code) {
	case PQ_OPT_QUEUE:
		ok = add_queue(f, value, err);
		break;
	case PQ_OPT_FROM:
		set_string(&f->patterns[0], value);
		break;
	case PQ_OPT_TO:
		set_string(&f->patterns[1], value);
		break;
	case PQ_OPT_REASON:
		set_string(&f->patterns[2], value);
		break;
	case PQ_OPT_DOMAIN:
		add_domain(f, value);
		break;
	case PQ_OPT_OLDER:
	case PQ_OPT_NEWER:
		if (!pq_parse_duration(value, code == PQ_OPT_OLDER ? &f->older
				       : &f->newer)) {
			pq_buf_reset(err);
			pq_buf_printf(err, "--%s: bad duration \"%s\": use e.g. 90s, 30m, "
				   "2h, 3d, 1w, " PQ_DURATION_RANGE,
				   code == PQ_OPT_OLDER ? "older" : "newer", value);
			ok = false;
		}
		break;
	case PQ_OPT_MIN_SIZE:
	case PQ_OPT_MAX_SIZE:
		if (!pq_parse_size(value, code == PQ_OPT_MIN_SIZE ? &f->min_size
				   : &f->max_size)) {
			pq_buf_reset(err);
			pq_buf_printf(err, "--%s: bad size \"%s\": use e.g. 512, 10k, 5M, "
				   PQ_SIZE_RANGE,
				   code == PQ_OPT_MIN_SIZE ? "min-size" : "max-size", value);
			ok = false;
		}
		break;
	case PQ_OPT_ICASE:
		f->caseless = true;
		break;
	case PQ_OPT_ALL:
		f->all = true;
		break;
	default:
		return 0;
	}
	return ok ? 1 : -1;
}

static bool re_match(struct pq_filter *f, pcre2_code *re, const char *s)
{
	if (f->md == NULL) {
		f->md = pcre2_match_data_create(1, NULL);
		if (f->md == NULL)
			pq_oom(0);
	}
	int rc = pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0,
			     f->md, NULL);
	if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) {
		/* Match limits hit: treat as no match, but say so once. */
		static bool warned;
		if (!warned) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(rc, msg, sizeof(msg));
			pq_warn("pattern match failed: %s", (const char *)msg);
			warned = true;
		}
	}
	return rc >= 0;
}

/*
 * What a sender, a recipient or a reason may look like, as listed; a
 * pattern that matches all of them is taken to match anything (see
 * filter.h). The empty string comes first: most such patterns are
 * empty matches.
 */
static const char *const probes[] = {
	"",
	"MAILER-DAEMON",
	"user@example.com",
	"\"an odd one\"@[192.0.2.1]",
	"Zq9_~#!x",
	"host mx.example.net[192.0.2.25] said: 450 4.7.1 <user@example.com>: "
	"Recipient address rejected: try again later (in reply to RCPT TO command)",
	"connect to mx.example.org[2001:db8::25]:25: Connection timed out",
	"\n",
	NULL,
};

static bool matches_anything(struct pq_filter *f, pcre2_code *re)
{
	for (size_t i = 0; probes[i]; i++)
		if (!re_match(f, re, probes[i]))
			return false;
	return true;
}

bool pq_filter_finish(struct pq_filter *f, struct pq_buf *err)
{
	pcre2_code **slots[3] = { &f->from, &f->to, &f->reason };
	static const char *const names[3] = { "--from", "--to", "--reason" };
	static const char *const what[3] = {
		"every sender", "every recipient", "every reason (and none)",
	};

	for (size_t i = 0; i < 3; i++) {
		if (f->patterns[i] == NULL)
			continue;
		if (!compile(f, slots[i], f->patterns[i], err))
			return false;
		if (!f->all && matches_anything(f, *slots[i])) {
			pq_buf_reset(err);
			pq_buf_printf(err, "%s \"%s\" matches %s: it would select every "
				   "message (give --all if that is meant)", names[i],
				   f->patterns[i], what[i]);
			return false;
		}
	}
	for (size_t i = 0; i < f->ndomains && !f->all; i++) {
		if (f->domains[i][0] == 0) {
			pq_buf_reset(err);
			pq_buf_printf(err, "--domain is empty (\"\" or \"@\"): it would select "
				   "only recipients without a domain (give --all if "
				   "that is meant)");
			return false;
		}
	}
	return true;
}

bool pq_filter_active(const struct pq_filter *f)
{
	return f->from || f->to || f->reason || f->ndomains || f->older >= 0
	       || f->newer >= 0 || f->min_size >= 0 || f->max_size >= 0;
}

const char *const *pq_filter_queues(const struct pq_filter *f,
				    const char *const *dflt)
{
	return f->queues ? f->queues : dflt;
}

const char *pq_address_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at ? at + 1 : "";
}

static bool domain_match(const struct pq_filter *f, const char *addr)
{
	const char *dom = pq_address_domain(addr);

	for (size_t i = 0; i < f->ndomains; i++)
		if (strcasecmp(dom, f->domains[i]) == 0)
			return true;
	return false;
}

bool pq_filter_needs_rcpts(const struct pq_filter *f)
{
	return f->to || f->reason || f->ndomains > 0;
}

bool pq_filter_match(struct pq_filter *f, const struct pq_qmsg *m)
{
	if (f->queues) {
		size_t i;
		for (i = 0; i < f->nqueues; i++)
			if (strcmp(f->queues[i], m->queue) == 0)
				break;
		if (i == f->nqueues)
			return false;
	}
	if (f->older >= 0 || f->newer >= 0) {
		time_t now = f->now >= 0 ? f->now : time(NULL);
		long age = (long)now - m->arrival;
		if (f->older >= 0 && age < f->older)
			return false;
		if (f->newer >= 0 && age >= f->newer)
			return false;
	}
	if (f->min_size >= 0 && m->size < f->min_size)
		return false;
	if (f->max_size >= 0 && m->size > f->max_size)
		return false;
	if (f->from && !re_match(f, f->from, pq_buf_str(&m->sender)))
		return false;
	if (!pq_filter_needs_rcpts(f))
		return true;
	for (size_t i = 0; i < m->rcpts.n; i++) {
		const char *addr = pq_strlist_get(&m->rcpts, i);
		if (f->to && !re_match(f, f->to, addr))
			continue;
		if (f->ndomains && !domain_match(f, addr))
			continue;
		if (f->reason && !re_match(f, f->reason, pq_strlist_get(&m->reasons, i)))
			continue;
		return true;
	}
	return false;
}
