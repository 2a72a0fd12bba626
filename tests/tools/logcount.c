/*
 * logcount - count a mail log's messages with lib/log's classifier
 * alone, the way a long-running exporter counts them, for the test that
 * holds postq-pflogsumm's report to the same numbers (t_logcount.sh).
 *
 *	logcount [--syslog-name NAME] FILE...
 *
 * Reads each file (plain or gzip) through logread and every line
 * through pq_ml_read_line, then prints one "name value" line per total,
 * named as postq-pflogsumm --json names its grand totals: received,
 * delivered, forwarded, deferred, deferrals, bounced, rejected,
 * reject_warnings, held, discarded, expired.
 *
 * What counts is decided from the classifier's fields only: the event
 * kind, the daemon, the delivery status, the reject stage. The totals
 * are pflogsumm 1.1.5's, so the rules are its definitions, written
 * against those fields:
 *
 *   received         smtpd's QID: client= and pickup's uid=/sender=
 *   delivered        status=sent, but for "(forwarded as ...)"
 *   forwarded        status=sent (forwarded as ...)
 *   deferrals        status=deferred lines; deferred: their queue ids, once each
 *   bounced          status=bounced
 *   rejected         smtpd and postscreen reject (not milter-reject),
 *                    cleanup's reject and milter-reject of a header, body
 *                    or END-OF-MESSAGE, and the old "reject:" without a
 *                    queue id
 *   reject_warnings  the same of reject_warning (cleanup: warning:)
 *   held, discarded  the same of hold and discard
 *   expired          qmgr's status=expired (postq-pflogsumm --json only)
 *
 * and the lines are the ones pflogsumm reads: syslog name "postfix" or
 * NAME, RFC 3164 stamps without a fraction and RFC 3339 ones with a
 * colon in the offset; its smtpd, postscreen and cleanup are the daemon
 * logged as DAEMON[pid] under no service or smtps or submission (it
 * takes postfix/10025/smtpd for another program, and its patterns want
 * the [pid] there); deliveries count from any program but those three
 * and master.
 *
 * Exit status 1 if a file could not be read. Tests only: not installed.
 */
#include "log/logread.h"
#include "log/maillog.h"
#include "util/strset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IS(s, lit) ((s).n == sizeof(lit) - 1 && memcmp((s).p, (lit), sizeof(lit) - 1) == 0)

struct totals {
	long long received, delivered, forwarded, deferred, deferrals, bounced;
	long long rejected, reject_warnings, held, discarded, expired;
	struct pq_strset deferred_ids;
};

/* the daemon as pflogsumm names it: none where a service other than smtps/submission comes first */
static enum pq_ml_daemon pfl_daemon(const struct pq_ml_prog *p)
{
	if (p->service.n == 0 || IS(p->service, "smtps") || IS(p->service, "submission"))
		return p->id;
	return PQ_ML_D_OTHER;
}

static long long *reject_total(struct totals *t, enum pq_ml_event type)
{
	switch (type) {
	case PQ_ML_EV_REJECT: return &t->rejected;
	case PQ_ML_EV_REJECT_WARNING: case PQ_ML_EV_CLEANUP_WARNING: return &t->reject_warnings;
	case PQ_ML_EV_HOLD: return &t->held;
	case PQ_ML_EV_DISCARD: return &t->discarded;
	default: return NULL;
	}
}

static void count(struct totals *t, const struct pq_ml_line *l, const char *name)
{
	const struct pq_ml_event_info *ev = &l->ev;
	if (!l->postfix || !(l->f.stamp == PQ_ML_STAMP_RFC3164 || l->f.stamp == PQ_ML_STAMP_RFC3339))
		return;
	if (!(IS(l->p.syslog_name, "postfix") ||
	    (name && l->p.syslog_name.n == strlen(name) && memcmp(l->p.syslog_name.p, name, l->p.syslog_name.n) == 0)))
		return;
	enum pq_ml_daemon d = pfl_daemon(&l->p);
	bool pid = l->f.pid >= 0;
	long long *rt = reject_total(t, ev->type);

	if (rt && ev->qid.n == 0 && ev->type != PQ_ML_EV_CLEANUP_WARNING) {
		(*rt)++;	/* the old form, "reject: RCPT from ...", from any program */
		return;
	}
	switch (ev->type) {
	case PQ_ML_EV_CLIENT:
		if (d == PQ_ML_D_SMTPD && pid)
			t->received++;
		return;
	case PQ_ML_EV_PICKUP:
		if (d == PQ_ML_D_PICKUP)
			t->received++;
		return;
	case PQ_ML_EV_EXPIRED:
		t->expired++;
		return;
	case PQ_ML_EV_DELIVERY:
		if (d == PQ_ML_D_SMTPD || d == PQ_ML_D_POSTSCREEN || d == PQ_ML_D_CLEANUP || d == PQ_ML_D_MASTER)
			return;
		switch (ev->dstatus) {
		case PQ_ML_ST_SENT:
			if (ev->reason.n >= 13 && memcmp(ev->reason.p, "forwarded as ", 13) == 0)
				t->forwarded++;
			else
				t->delivered++;
			return;
		case PQ_ML_ST_DEFERRED: {
			t->deferrals++;
			char qid[80];
			snprintf(qid, sizeof(qid), "%.*s", (int)ev->qid.n, ev->qid.p);
			if (pq_strset_add(&t->deferred_ids, qid))
				t->deferred++;
			return;
		}
		case PQ_ML_ST_BOUNCED:
			t->bounced++;
			return;
		default:
			return;
		}
	default:
		break;
	}
	if (rt == NULL || !pid)
		return;
	if ((d == PQ_ML_D_SMTPD || d == PQ_ML_D_POSTSCREEN) && !ev->milter && ev->type != PQ_ML_EV_CLEANUP_WARNING)
		(*rt)++;
	else if (d == PQ_ML_D_CLEANUP && (IS(ev->reject_stage, "header") || IS(ev->reject_stage, "body") ||
	    IS(ev->reject_stage, "END-OF-MESSAGE")) && ev->type != PQ_ML_EV_REJECT_WARNING)
		(*rt)++;
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	int i = 1, rc = 0;
	struct totals t;

	memset(&t, 0, sizeof(t));
	if (i + 1 < argc && strcmp(argv[i], "--syslog-name") == 0) {
		name = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: logcount [--syslog-name NAME] FILE...\n");
		return 2;
	}
	for (; i < argc; i++) {
		struct pq_logread *r = pq_logread_open(argv[i]);
		if (r == NULL) {
			fprintf(stderr, "logcount: %s: %s\n", argv[i], strerror(errno));
			rc = 1;
			continue;
		}
		struct pq_ml_frame_cache c;
		memset(&c, 0, sizeof(c));
		const char *line;
		size_t len;
		while ((line = pq_logread_line(r, &len)) != NULL) {
			struct pq_ml_line l;
			pq_ml_read_line(&c, name, line, len, &l);
			count(&t, &l, name);
		}
		if (pq_logread_error(r)) {
			fprintf(stderr, "logcount: %s: %s\n", argv[i], pq_logread_error(r));
			rc = 1;
		}
		pq_logread_close(r);
	}
	printf("received %lld\ndelivered %lld\nforwarded %lld\ndeferred %lld\ndeferrals %lld\n"
	    "bounced %lld\nrejected %lld\nreject_warnings %lld\nheld %lld\ndiscarded %lld\nexpired %lld\n",
	    t.received, t.delivered, t.forwarded, t.deferred, t.deferrals, t.bounced, t.rejected,
	    t.reject_warnings, t.held, t.discarded, t.expired);
	pq_strset_free(&t.deferred_ids);
	return rc;
}
