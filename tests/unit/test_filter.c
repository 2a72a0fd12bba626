/*
 * test_filter - the selection engine: ages judged by the clock of each
 * pass; criteria that would select everything refused without --all.
 */
#include "util/buf.h"
#include "spool/filter.h"
#include "spool/listing.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Take the options as a tool would; false if one is refused. */
static bool setup(struct pq_filter *f, const char *const *opts, struct pq_buf *err)
{
	/* no message of an earlier refusal left to satisfy a check */
	pq_buf_reset(err);
	pq_filter_init(f);
	for (size_t i = 0; opts[i]; i += 2) {
		int code = opts[i][0] == 'Q' ? PQ_OPT_QUEUE
			: opts[i][0] == 'f' ? PQ_OPT_FROM
			: opts[i][0] == 't' ? PQ_OPT_TO
			: opts[i][0] == 'r' ? PQ_OPT_REASON
			: opts[i][0] == 'd' ? PQ_OPT_DOMAIN
			: opts[i][0] == 'o' ? PQ_OPT_OLDER
			: opts[i][0] == 'n' ? PQ_OPT_NEWER
			: opts[i][0] == 'i' ? PQ_OPT_ICASE
			: opts[i][0] == 'a' ? PQ_OPT_ALL : 0;
		bool flag = code == PQ_OPT_ICASE || code == PQ_OPT_ALL;
		if (pq_filter_option(f, code, flag ? NULL : opts[i + 1], err) != 1)
			return false;
		if (flag)
			i--;	/* takes no value */
	}
	return pq_filter_finish(f, err);
}

static void message(struct pq_qmsg *m, long arrival, const char *sender,
		    const char *rcpt, const char *reason)
{
	m->queue = "deferred";
	m->id = "ABCDE12345";
	m->arrival = arrival;
	m->size = 1000;
	pq_buf_set(&m->sender, sender);
	pq_strlist_reset(&m->rcpts);
	pq_strlist_reset(&m->reasons);
	pq_strlist_add(&m->rcpts, rcpt);
	pq_strlist_add(&m->reasons, reason);
}

int main(void)
{
	struct pq_filter f;
	struct pq_qmsg m = { 0 };
	struct pq_buf err = PQ_BUF_INIT;
	const time_t t0 = 1700000000;

	/* Ages by the clock of the pass, not of the filter's making. */
	CHECK(setup(&f, (const char *[]){ "older", "1h", NULL }, &err),
	      "--older 1h taken");
	message(&m, (long)t0, "a@example.com", "b@example.net", "");
	pq_filter_begin_pass(&f, t0 + 1800);
	CHECK(!pq_filter_match(&f, &m), "pass at +30m: not older than 1h");
	pq_filter_begin_pass(&f, t0 + 7200);
	CHECK(pq_filter_match(&f, &m), "next pass at +2h: older than 1h");
	pq_filter_begin_pass(&f, t0 + 3599);
	CHECK(!pq_filter_match(&f, &m), "a pass may also be judged by an earlier clock");
	pq_filter_free(&f);

	CHECK(setup(&f, (const char *[]){ "newer", "1h", NULL }, &err),
	      "--newer 1h taken");
	pq_filter_begin_pass(&f, t0 + 60);
	CHECK(pq_filter_match(&f, &m), "pass at +1m: newer than 1h");
	pq_filter_begin_pass(&f, t0 + 3600);
	CHECK(!pq_filter_match(&f, &m), "pass at +1h: no longer newer than 1h");
	pq_filter_free(&f);

	/* No pass begun: each match takes the time it runs at. */
	CHECK(setup(&f, (const char *[]){ "older", "1h", NULL }, &err),
	      "--older 1h taken again");
	message(&m, (long)time(NULL) - 7200, "a@example.com", "b@example.net", "");
	CHECK(pq_filter_match(&f, &m), "without a pass: now is the time of the match");
	message(&m, (long)time(NULL) - 60, "a@example.com", "b@example.net", "");
	CHECK(!pq_filter_match(&f, &m), "without a pass: a new message is not old");
	pq_filter_free(&f);

	/* Patterns that match anything, refused by name unless --all. */
	static const char *const everything[] = {
		"", "^", "$", ".*", ".*$", "^.*$", "(?:)", "x*", "(|a)", "\\S*", NULL,
	};
	static const char *const opt[] = { "from", "to", "reason" };
	for (size_t o = 0; o < 3; o++) {
		for (size_t i = 0; everything[i]; i++) {
			char name[200];
			bool ok = setup(&f, (const char *[]){ opt[o], everything[i], NULL }, &err);
			snprintf(name, sizeof(name), "--%s '%s' refused without --all", opt[o],
				 everything[i]);
			CHECK(!ok && strstr(pq_buf_str(&err), opt[o]) != NULL
			      && strstr(pq_buf_str(&err), "--all") != NULL, name);
			pq_filter_free(&f);
			ok = setup(&f, (const char *[]){ opt[o], everything[i], "all", NULL }, &err);
			snprintf(name, sizeof(name), "--%s '%s' --all taken", opt[o], everything[i]);
			CHECK(ok, name);
			pq_filter_free(&f);
		}
	}
	CHECK(!setup(&f, (const char *[]){ "ignore-case", "from", "[a-z]*", NULL }, &err),
	      "--ignore-case --from '[a-z]*' (empty match) refused");
	pq_filter_free(&f);
	CHECK(!setup(&f, (const char *[]){ "to", "^x", "from", "", NULL }, &err)
	      && strstr(pq_buf_str(&err), "--from") != NULL,
	      "--from '' refused even beside a real criterion");
	pq_filter_free(&f);
	/* Patterns that narrow, taken. */
	static const char *const narrow[] = {
		"^$", ".", "^spam@", "@example\\.com$", "MAILER-DAEMON", "a", "\\n", NULL,
	};
	for (size_t i = 0; narrow[i]; i++) {
		char name[200];
		snprintf(name, sizeof(name), "--from '%s' taken", narrow[i]);
		CHECK(setup(&f, (const char *[]){ "from", narrow[i], NULL }, &err), name);
		pq_filter_free(&f);
	}
	/* Domains: empty (or "@") refused; with --all, no domain at all. */
	CHECK(!setup(&f, (const char *[]){ "domain", "", NULL }, &err)
	      && strstr(pq_buf_str(&err), "--domain") != NULL, "--domain '' refused");
	pq_filter_free(&f);
	CHECK(!setup(&f, (const char *[]){ "domain", "example.com", "domain", "@", NULL }, &err),
	      "--domain '@' refused, also beside another domain");
	pq_filter_free(&f);
	CHECK(setup(&f, (const char *[]){ "domain", "", "all", NULL }, &err),
	      "--domain '' --all taken");
	message(&m, (long)t0, "a@example.com", "root", "");
	CHECK(pq_filter_match(&f, &m), "--domain '' --all: a recipient without a domain");
	message(&m, (long)t0, "a@example.com", "b@example.net", "");
	CHECK(!pq_filter_match(&f, &m), "--domain '' --all: not one with a domain");
	pq_filter_free(&f);
	/* --all alone narrows nothing and is no criterion. */
	CHECK(setup(&f, (const char *[]){ "all", NULL }, &err) && !pq_filter_active(&f),
	      "--all alone: no criterion");
	pq_filter_free(&f);

	pq_qmsg_free(&m);
	pq_buf_free(&err);
	return unit_status();
}
