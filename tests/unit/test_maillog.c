/*
 * test_maillog - the mail-log line parser (framing, program names,
 * event classification), the plain/gzip line reader and the string map.
 */
#include "log/logread.h"
#include "log/maillog.h"
#include "util/strmap.h"
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static bool eq(struct pq_ml_str s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static enum pq_ml_bad parse(const char *line, struct pq_ml_frame *f)
{
	return pq_ml_parse_frame(line, strlen(line), f);
}

static void classify(const char *line, struct pq_ml_event_info *ev)
{
	struct pq_ml_frame f;
	struct pq_ml_prog p;
	memset(ev, 0, sizeof(*ev));
	if (parse(line, &f) != PQ_ML_OK || !pq_ml_split_prog(&f.prog, NULL, &p)) {
		ev->type = (enum pq_ml_event)-1;
		return;
	}
	pq_ml_classify(&f, &p, ev);
}

/* Every field of two frames of the same line buffer. */
static bool same_frame(const struct pq_ml_frame *a, const struct pq_ml_frame *b)
{
	return a->stamp == b->stamp && a->year == b->year && a->mon == b->mon &&
	    a->mday == b->mday && a->hour == b->hour && a->min == b->min && a->sec == b->sec &&
	    a->usec == b->usec && a->has_tz == b->has_tz && a->tz_min == b->tz_min &&
	    a->host.p == b->host.p && a->host.n == b->host.n && a->rest.p == b->rest.p &&
	    a->rest.n == b->rest.n && a->prog.p == b->prog.p && a->prog.n == b->prog.n &&
	    a->pid == b->pid && a->text.p == b->text.p && a->text.n == b->text.n;
}

/* pq_ml_parse_frame_next over a sequence of lines = pq_ml_parse_frame on each. */
static void test_frame_cache(void)
{
	static const char *lines[] = {
		"Oct 22 02:12:45 conch postfix/smtpd[1]: connect from a[1.2.3.4]",
		"Oct 22 02:12:45 conch postfix/smtpd[2]: ABC: client=a[1.2.3.4]",
		"Oct 22 02:12:45 conch postfix/qmgr: ABC: removed",
		"Oct 22 02:12:45 conch ",
		"Oct 22 02:12:45 conch x",
		"Oct 22 02:12:45 conch postfix/smtpd[1x]: bad pid",
		"Oct 22 02:12:45 conch postfix/smtpd[3]: back",
		"Oct 22 02:12:45 conchx postfix/smtpd[3]: other host",
		"Oct 22 02:12:46 conch postfix/smtpd[3]: next second",
		"Oct 22 02:12:46 conch",
		"2026-10-22T02:12:46.5+02:00 mx postfix/smtp[4]: ABC: to=<a@b>",
		"2026-10-22T02:12:46.5+02:00 mx postfix/smtp[4]: ABC: to=<c@d>",
		"2026-10-22T02:12:46.5+0200 mx postfix/smtp[4]: nocolon",
		"Oct 22 02:12:46.123 mx postfix/smtp[4]: frac",
		"Oct 22 02:12:46.123 mx postfix/smtp[4]: frac again",
		"Oct 22 02:12:46 averyveryveryveryveryveryveryveryveryveryveryveryveryverylonghostname p[1]: a",
		"Oct 22 02:12:46 averyveryveryveryveryveryveryveryveryveryveryveryveryverylonghostname p[1]: b",
		/* a new second, day or month on the same host: only the stamp is re-read */
		"Oct 22 02:12:46 conch postfix/qmgr[2]: A: removed",
		"Oct 22 02:12:47 conch postfix/qmgr[2]: B: removed",
		"Oct 23 00:00:00 conch postfix/qmgr[2]: C: removed",
		"Nov  1 00:00:00 conch postfix/qmgr[2]: D: removed",
		"Xyz  1 00:00:01 conch postfix/qmgr[2]: unknown month",
		"Nov  1 00:00:0x conch postfix/qmgr[2]: bad second",
		"Nov  1 00:00:02.5 conch postfix/qmgr[2]: fraction",
		"Nov  1 00:00:03 conch postfix/qmgr[2]: E: removed",
		"Nov  1 00:00:04 conc postfix/qmgr[2]: shorter host",
		"Nov  1 00:00:05 conch",
		"Nov  1 00:00:06 conch ",
		"Nov  1 00:00:07 conch x",
	};
	struct pq_ml_frame_cache c;
	memset(&c, 0, sizeof(c));
	bool ok = true;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct pq_ml_frame a, b;
		enum pq_ml_bad ra = pq_ml_parse_frame(lines[i], strlen(lines[i]), &a);
		enum pq_ml_bad rb = pq_ml_parse_frame_next(&c, lines[i], strlen(lines[i]), &b);
		if (ra != rb || !same_frame(&a, &b)) {
			printf("#   differs: %s\n", lines[i]);
			ok = false;
		}
	}
	CHECK(ok, "pq_ml_parse_frame_next = pq_ml_parse_frame over a sequence of lines");
}

/* pq_ml_read_line over one line (its own frame cache) */
static struct pq_ml_line read1(const char *line, const char *extra)
{
	struct pq_ml_frame_cache c;
	struct pq_ml_line l;
	memset(&c, 0, sizeof(c));
	pq_ml_read_line(&c, extra, line, strlen(line), &l);
	return l;
}

/* The key fields an exporter counts by, and the one-call API. */
static void test_classify_fields(void)
{
	struct pq_ml_line l;

	l = read1("Nov  1 00:00:00 h postfix/smtp[7]: 1A2B3C4D5E: to=<x@y>, relay=mx[1.2.3.4]:25, conn_use=3, "
	    "delay=75, delays=0.1/0.01/0.5/74, dsn=4.4.1, status=deferred (connect to mx[1.2.3.4]:25: Connection timed out)", NULL);
	CHECK(l.postfix && l.f.pid == 7 && eq(l.p.daemon, "smtp") && l.p.id == PQ_ML_D_SMTP &&
	    l.ev.type == PQ_ML_EV_DELIVERY && l.ev.dstatus == PQ_ML_ST_DEFERRED && !l.ev.loose &&
	    eq(l.ev.conn_use, "3") && eq(l.ev.delay, "75") && eq(l.ev.delays, "0.1/0.01/0.5/74") &&
	    eq(l.ev.dsn, "4.4.1") && eq(l.ev.orig_to, "") && eq(l.ev.tag, "1A2B3C4D5E") &&
	    eq(l.ev.reason, "connect to mx[1.2.3.4]:25: Connection timed out") &&
	    eq(l.ev.tail, " (connect to mx[1.2.3.4]:25: Connection timed out)"), "deferral: every field");
	l = read1("Nov  1 00:00:00 h postfix/local[7]: 1A2B3C4D5E: to=<f@y>, relay=local, delay=0.02, "
	    "delays=0.01/0/0/0.01, dsn=2.0.0, status=sent (forwarded as 4D5E6F7A8B)", NULL);
	CHECK(l.ev.type == PQ_ML_EV_DELIVERY && l.ev.dstatus == PQ_ML_ST_SENT && eq(l.ev.reason, "forwarded as 4D5E6F7A8B") &&
	    l.p.id == PQ_ML_D_LOCAL, "forwarded");
	l = read1("Nov  1 00:00:00 h postfix/error[7]: 1A2B3C4D5E: to=<g@y>, relay=none, delay=0.1, "
	    "status=bounced (User unknown)", NULL);
	CHECK(l.ev.type == PQ_ML_EV_DELIVERY && l.ev.dstatus == PQ_ML_ST_BOUNCED && eq(l.ev.dsn, "") &&
	    eq(l.ev.delays, "") && !l.ev.loose, "bounce without delays or dsn");
	l = read1("Nov  1 00:00:00 h postfix/smtp[7]: 1A2B3C4D5E: to=<g@y>, dsn=5.1.1, relay=r, delay=1, "
	    "status=undeliverable (no)", NULL);
	CHECK(l.ev.type == PQ_ML_EV_DELIVERY && l.ev.loose && l.ev.dstatus == PQ_ML_ST_OTHER && eq(l.ev.relay, "r") &&
	    eq(l.ev.dsn, "5.1.1") && eq(l.ev.status, "undeliverable"), "fields out of order: found by name");
	l = read1("Nov  1 00:00:00 h postfix/qmgr[7]: 1A2B3C4D5E: from=<a@b>, status=force-expired, returned to sender", NULL);
	CHECK(l.ev.type == PQ_ML_EV_EXPIRED && l.ev.dstatus == PQ_ML_ST_EXPIRED && eq(l.ev.from, "a@b") &&
	    eq(l.ev.status, "force-expired"), "force-expired");
	l = read1("Nov  1 00:00:00 h postfix/smtpd[1]: NOQUEUE: reject: RCPT from u[198.51.100.1]: 554 5.7.1 "
	    "Service unavailable; Client host [198.51.100.1] blocked using zen.spamhaus.org; "
	    "from=<a@b> to=<x@y> proto=ESMTP helo=<h>", NULL);
	CHECK(l.ev.type == PQ_ML_EV_REJECT && eq(l.ev.code, "554") && eq(l.ev.dsn, "5.7.1") && !l.ev.milter &&
	    eq(l.ev.reason, "554 5.7.1 Service unavailable; Client host [198.51.100.1] blocked using zen.spamhaus.org") &&
	    eq(l.ev.from, "a@b") && eq(l.ev.to, "x@y") && eq(l.ev.tag, "NOQUEUE"), "reject: code, dsn, the tail after the last ';'");
	l = read1("Nov  1 02:00:14 mx1 postfix/postscreen[211]: NOQUEUE: reject: RCPT from [198.51.100.35]:40000: "
	    "550 5.7.1 Service unavailable; client [198.51.100.35] blocked using zen.spamhaus.org; "
	    "from=<e@f.example>, to=<alice@dest.example.org>, proto=ESMTP, helo=<g>", NULL);
	CHECK(l.ev.type == PQ_ML_EV_REJECT && l.p.id == PQ_ML_D_POSTSCREEN && eq(l.ev.client, "[198.51.100.35]:40000") &&
	    eq(l.ev.from, "e@f.example") && eq(l.ev.to, "alice@dest.example.org") && eq(l.ev.code, "550"),
	    "postscreen reject, fields with ', '");
	l = read1("Nov  1 00:00:00 h postfix/smtpd[1]: NOQUEUE: milter-reject: RCPT from u[1.2.3.4]: 451 4.7.1 "
	    "Try again; from=<a@b> to=<c@d>", NULL);
	CHECK(l.ev.type == PQ_ML_EV_REJECT && l.ev.milter && eq(l.ev.code, "451") && eq(l.ev.dsn, "4.7.1"), "smtpd milter-reject");
	l = read1("Nov  1 00:00:00 h postfix/cleanup[1]: 5E6F7A8B9C: reject: header Subject: You won from "
	    "unknown[198.51.100.39]; from=<w@l> to=<a@d> proto=ESMTP helo=<l>: 550 5.7.1 No lotto", NULL);
	CHECK(l.ev.type == PQ_ML_EV_REJECT && eq(l.ev.reject_stage, "header") && eq(l.ev.from, "w@l") &&
	    eq(l.ev.to, "a@d") && eq(l.ev.code, "550") && eq(l.ev.dsn, "5.7.1") &&
	    eq(l.ev.reason, "Subject: You won from unknown[198.51.100.39]"), "cleanup header reject: the reply after the last ': '");
	l = read1("Nov  1 00:00:00 h postfix/smtpd[1]: reject: RCPT from u[1.2.3.4]: 554 Relay access denied; from=<a@b>", NULL);
	CHECK(l.ev.type == PQ_ML_EV_REJECT && l.ev.qid.n == 0 && eq(l.ev.reject_stage, "RCPT") && eq(l.ev.code, "554") &&
	    eq(l.ev.dsn, ""), "old reject without a queue id");
	l = read1("Nov  1 00:00:00 h postfix/smtpd[1]: reject_warning: RCPT from u[1.2.3.4]: 450 4.7.1 x; from=<a@b>", NULL);
	CHECK(l.ev.type == PQ_ML_EV_REJECT_WARNING && l.ev.qid.n == 0 && eq(l.ev.dsn, "4.7.1"), "old reject_warning");
	l = read1("Nov  1 00:00:00 h postfix/smtpd[1]: lost connection after DATA from u[1.2.3.4]", NULL);
	CHECK(l.ev.type == PQ_ML_EV_LOST && eq(l.ev.reject_stage, "DATA") && eq(l.ev.client, "u[1.2.3.4]"), "lost connection");
	l = read1("Nov  1 00:00:00 h postfix/anvil[1]: statistics: max connection rate 1/60s for (smtp:1.2.3.4)", NULL);
	CHECK(l.ev.type == PQ_ML_EV_OTHER && l.ev.qid.n == 0 && eq(l.ev.tag, "statistics"), "a tag that is no queue id");

	/* services and instances count as their daemon */
	l = read1("Nov  1 00:00:00 h postfix/submission/smtpd[1]: 0D1E2F3A4B: client=l[192.0.2.50]", NULL);
	CHECK(l.ev.type == PQ_ML_EV_CLIENT && l.p.id == PQ_ML_D_SMTPD && eq(l.p.service, "submission"), "submission/smtpd");
	l = read1("Nov  1 00:00:00 h postfix/10025/smtpd[1]: 0D1E2F3A4B: client=l[127.0.0.1]", NULL);
	CHECK(l.ev.type == PQ_ML_EV_CLIENT && l.p.id == PQ_ML_D_SMTPD && eq(l.p.service, "10025"), "a master.cf service's smtpd");
	l = read1("Nov  1 00:00:00 h postfix-slow/smtp[1]: 0D1E2F3A4B: to=<a@b>, relay=r, delay=1, status=sent (ok)", NULL);
	CHECK(l.postfix && l.ev.dstatus == PQ_ML_ST_SENT && eq(l.p.syslog_name, "postfix-slow") && l.p.id == PQ_ML_D_SMTP,
	    "an instance's delivery");
	l = read1("Nov  1 00:00:00 h postfix/smtp[1]: [ID 197553 mail.info] 0D1E2F3A4B: to=<a@b>, relay=r, delay=1, "
	    "status=sent (ok)", NULL);
	CHECK(l.ev.type == PQ_ML_EV_DELIVERY && eq(l.ev.qid, "0D1E2F3A4B"), "Solaris [ID ...] skipped");
	l = read1("Nov  1 00:00:00 h postfix/verylongdaemon/x[1]: 0D1E2F3A4B: removed", NULL);
	CHECK(l.ev.type == PQ_ML_EV_REMOVED && eq(l.p.service, "verylongdaemon") && eq(l.p.daemon, "x") &&
	    l.p.id == PQ_ML_D_OTHER, "long names split by search");
	l = read1("Nov  1 00:00:00 h postfix/qmgr: 0D1E2F3A4B: removed", NULL);
	CHECK(l.ev.type == PQ_ML_EV_REMOVED && l.p.id == PQ_ML_D_QMGR && l.f.pid == -1, "no pid, short line");
	l = read1("Nov  1 00:00:00 h sendmail[1]: 0D1E2F3A4B: removed", NULL);
	CHECK(!l.postfix && l.ev.type == PQ_ML_EV_OTHER, "not postfix: no event");

	/* pq_ml_split_frame = pq_ml_split_prog on every name the frame can hold */
	static const char *progs[] = { "postfix/smtpd", "postfix/qmgr", "postfix/cleanup", "postfix/postscreen",
		"postfix/a/b", "postfix/a/b/c", "postfix-x/smtp", "postfix", "postfix/", "postfix//x",
		"postfix/12345678", "postfix/123456789", "postfix/1234567/", "mta/smtpd", "postfix/virtual" };
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		char line[200];
		snprintf(line, sizeof(line), "Nov  1 00:00:00 h %s[1]: X", progs[i]);
		struct pq_ml_frame f;
		struct pq_ml_prog a, b;
		if (pq_ml_parse_frame(line, strlen(line), &f) != PQ_ML_OK)
			continue;
		bool ra = pq_ml_split_prog(&f.prog, "mta", &a), rb = pq_ml_split_frame(&f, "mta", &b);
		CHECK(ra == rb && (!ra || (a.syslog_name.p == b.syslog_name.p && a.syslog_name.n == b.syslog_name.n &&
		    a.service.n == b.service.n && a.daemon.p == b.daemon.p && a.daemon.n == b.daemon.n && a.id == b.id)),
		    progs[i]);
	}
}

int main(void)
{
	test_frame_cache();
	struct pq_ml_frame f;
	struct pq_ml_prog p;
	struct pq_ml_event_info ev;

	/* framing */
	CHECK(parse("Oct 22 02:12:45 conch postfix/smtpd[26709]: connect from x[1.2.3.4]", &f) == PQ_ML_OK &&
	    f.stamp == PQ_ML_STAMP_RFC3164 && f.mon == 9 && f.mday == 22 && f.hour == 2 && f.min == 12 &&
	    f.sec == 45 && f.year == -1 && eq(f.host, "conch") && eq(f.prog, "postfix/smtpd") &&
	    f.pid == 26709 && eq(f.text, "connect from x[1.2.3.4]"), "RFC 3164 line");
	CHECK(parse("Nov  1 00:00:00 h postfix/qmgr[1]: X: removed", &f) == PQ_ML_OK && f.mday == 1,
	    "RFC 3164 space-padded day");
	CHECK(parse("Mar 03 00:00:00 h postfix/qmgr[1]: X: removed", &f) == PQ_ML_OK && f.mday == 3 && f.mon == 2,
	    "RFC 3164 zero-padded day");
	CHECK(parse("2020-01-30T06:26:05.404714+09:00 mail postfix/smtpd[1830]: hi", &f) == PQ_ML_OK &&
	    f.stamp == PQ_ML_STAMP_RFC3339 && f.year == 2020 && f.mon == 0 && f.mday == 30 &&
	    f.usec == 404714 && f.tz_min == 540 && eq(f.host, "mail"), "RFC 3339 with fraction and offset");
	CHECK(parse("2024-03-01T10:00:00Z h postfix/smtp[1]: x", &f) == PQ_ML_OK && f.has_tz && f.tz_min == 0,
	    "RFC 3339 Z");
	CHECK(parse("2024-03-01T10:00:00+0100 h postfix/smtp[1]: x", &f) == PQ_ML_OK &&
	    f.stamp == PQ_ML_STAMP_ISO_NOCOLON && f.tz_min == 60, "journalctl short-iso offset without colon");
	CHECK(parse("2024-03-01T10:00:00.5-05:30 h postfix/smtp[1]: x", &f) == PQ_ML_OK && f.tz_min == -330 &&
	    f.usec == 500000, "negative offset, short fraction");
	CHECK(parse("Mar  1 12:00:00.123456 h postfix/smtp[1]: x", &f) == PQ_ML_OK &&
	    f.stamp == PQ_ML_STAMP_RFC3164_FRAC && f.usec == 123456, "RFC 3164 with a fraction of a second");
	CHECK(parse("Mar  1 12:00:00 h postfix[12]: fatal: x", &f) == PQ_ML_OK && eq(f.prog, "postfix"),
	    "program without slash");
	CHECK(parse("Mar  1 12:00:00 h postfix/smtpd: x", &f) == PQ_ML_OK && f.pid == -1, "no pid");
	CHECK(parse("Xyz  1 12:00:00 h postfix/smtpd[1]: x", &f) == PQ_ML_OK && f.mon == -1, "unknown month reported as -1");
	CHECK(parse("2024-03-01 10:00:00 h postfix/smtp[1]: x", &f) == PQ_ML_BAD_STAMP, "ISO with a space rejected");
	CHECK(parse("<22>1 2024-03-01T10:00:00Z h postfix 1 - - x", &f) == PQ_ML_BAD_STAMP, "RFC 5424 rejected");
	CHECK(parse("Mar  1 12:00:00 postfix/smtpd[1]:", &f) != PQ_ML_OK, "missing host or text rejected");
	CHECK(parse("Mar  1 12:00:00 h postfix/smtpd[12", &f) == PQ_ML_BAD_PROG, "truncated pid rejected");
	CHECK(parse("", &f) == PQ_ML_BAD_STAMP && parse("Mar", &f) == PQ_ML_BAD_STAMP, "empty and short lines");

	/* program names */
	struct pq_ml_str s = { "postfix/submission/smtpd", 24 };
	CHECK(pq_ml_split_prog(&s, NULL, &p) && eq(p.syslog_name, "postfix") && eq(p.service, "submission") &&
	    eq(p.daemon, "smtpd"), "postfix/submission/smtpd");
	s.p = "postfix-slow/smtp";
	s.n = 17;
	CHECK(pq_ml_split_prog(&s, NULL, &p) && eq(p.syslog_name, "postfix-slow") && eq(p.daemon, "smtp"),
	    "postfix-slow/smtp");
	s.p = "postfix-secondary/qmgr";
	s.n = 22;
	CHECK(pq_ml_split_prog(&s, NULL, &p) && eq(p.daemon, "qmgr"), "postfix-<instance>/qmgr");
	s.p = "mta/smtpd";
	s.n = 9;
	CHECK(!pq_ml_split_prog(&s, NULL, &p) && pq_ml_split_prog(&s, "mta", &p), "syslog_name given by the user");
	s.p = "sendmail";
	s.n = 8;
	CHECK(!pq_ml_split_prog(&s, NULL, &p), "not postfix");

	/* events */
	classify("Nov  1 00:00:00 h postfix/smtpd[1]: connect from a.example[192.0.2.1]", &ev);
	CHECK(ev.type == PQ_ML_EV_CONNECT && eq(ev.client, "a.example[192.0.2.1]"), "smtpd connect");
	classify("Nov  1 00:00:00 h postfix/smtpd[1]: disconnect from a.example[192.0.2.1] ehlo=1 quit=1 commands=2", &ev);
	CHECK(ev.type == PQ_ML_EV_DISCONNECT && eq(ev.client, "a.example[192.0.2.1]"), "smtpd disconnect");
	classify("Nov  1 00:00:00 h postfix/smtpd[1]: 1A2B3C4D5E: client=a.example[192.0.2.1], sasl_method=PLAIN", &ev);
	CHECK(ev.type == PQ_ML_EV_CLIENT && eq(ev.qid, "1A2B3C4D5E") && eq(ev.client, "a.example[192.0.2.1]"),
	    "smtpd client=");
	classify("Nov  1 00:00:00 h postfix/smtpd[1]: NOQUEUE: reject: RCPT from u[198.51.100.1]: 554 5.7.1 <x@y>: "
	    "Relay access denied; from=<a@b> to=<x@y> proto=ESMTP helo=<h>", &ev);
	CHECK(ev.type == PQ_ML_EV_REJECT && eq(ev.qid, "NOQUEUE") && eq(ev.reject_stage, "RCPT") &&
	    eq(ev.client, "u[198.51.100.1]") && eq(ev.from, "a@b") && eq(ev.to, "x@y") &&
	    eq(ev.reason, "554 5.7.1 <x@y>: Relay access denied"), "NOQUEUE reject");
	classify("Nov  1 00:00:00 h postfix/smtpd[1]: NOQUEUE: reject_warning: RCPT from u[1.2.3.4]: 450 x; from=<> to=<t@u>", &ev);
	CHECK(ev.type == PQ_ML_EV_REJECT_WARNING && eq(ev.from, "") && eq(ev.to, "t@u"), "reject_warning");
	classify("Nov  1 00:00:00 h postfix/postscreen[1]: CONNECT from [1.2.3.4]:5 to [5.6.7.8]:25", &ev);
	CHECK(ev.type == PQ_ML_EV_POSTSCREEN, "postscreen");
	classify("Nov  1 00:00:00 h postfix/cleanup[1]: 1A2B3C4D5E: message-id=<m@x>", &ev);
	CHECK(ev.type == PQ_ML_EV_MESSAGE_ID && eq(ev.reason, "<m@x>"), "cleanup message-id");
	classify("Nov  1 00:00:00 h postfix/cleanup[1]: 1A2B3C4D5E: milter-reject: END-OF-MESSAGE from u[1.2.3.4]: 5.7.1 Spam; from=<a@b> to=<c@d>", &ev);
	CHECK(ev.type == PQ_ML_EV_REJECT && eq(ev.reject_stage, "END-OF-MESSAGE"), "cleanup milter-reject");
	classify("Nov  1 00:00:00 h postfix/cleanup[1]: 1A2B3C4D5E: warning: header Subject: hi from u[1.2.3.4]; from=<a@b> to=<c@d>", &ev);
	CHECK(ev.type == PQ_ML_EV_CLEANUP_WARNING && eq(ev.reject_stage, "header"), "cleanup header warning");
	classify("Nov  1 00:00:00 h postfix/pickup[1]: 1A2B3C4D5E: uid=0 from=<root>", &ev);
	CHECK(ev.type == PQ_ML_EV_PICKUP && eq(ev.from, "root"), "pickup");
	classify("Nov  1 00:00:00 h postfix/qmgr[1]: 1A2B3C4D5E: from=<a@b>, size=1234, nrcpt=2 (queue active)", &ev);
	CHECK(ev.type == PQ_ML_EV_QMGR_FROM && eq(ev.from, "a@b") && eq(ev.size, "1234") && eq(ev.nrcpt, "2"), "qmgr from/size/nrcpt");
	classify("Nov  1 00:00:00 h postfix/qmgr[1]: 1A2B3C4D5E: removed", &ev);
	CHECK(ev.type == PQ_ML_EV_REMOVED, "qmgr removed");
	classify("Nov  1 00:00:00 h postfix/qmgr[1]: 1A2B3C4D5E: from=<a@b>, status=expired, returned to sender", &ev);
	CHECK(ev.type == PQ_ML_EV_EXPIRED, "qmgr expired");
	classify("Nov  1 00:00:00 h postfix/smtp[1]: 3mPVKl0Mhjz7sXv: to=<x@y>, orig_to=<o@y>, relay=mx[1.2.3.4]:25, "
	    "delay=0.51, delays=0.44/0.01/0.05/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as Q)", &ev);
	CHECK(ev.type == PQ_ML_EV_DELIVERY && eq(ev.qid, "3mPVKl0Mhjz7sXv") && eq(ev.to, "x@y") && eq(ev.orig_to, "o@y") &&
	    eq(ev.relay, "mx[1.2.3.4]:25") && eq(ev.delay, "0.51") && eq(ev.dsn, "2.0.0") && eq(ev.status, "sent") &&
	    eq(ev.reason, "250 2.0.0 Ok: queued as Q"), "delivery with long queue id");
	classify("Nov  1 00:00:00 h postfix/bounce[1]: 1A2B3C4D5E: sender non-delivery notification: 2B3C4D5E6F", &ev);
	CHECK(ev.type == PQ_ML_EV_BOUNCE_NOTIFY && eq(ev.other_qid, "2B3C4D5E6F"), "bounce notification");
	classify("Nov  1 00:00:00 h postfix/smtpd[1]: warning: hostname x does not resolve", &ev);
	CHECK(ev.type == PQ_ML_EV_WARNING && eq(ev.reason, "hostname x does not resolve"), "warning");
	classify("Nov  1 00:00:00 h postfix/master[1]: daemon started -- version 3.7", &ev);
	CHECK(ev.type == PQ_ML_EV_MASTER, "master");
	classify("Nov  1 00:00:00 h postfix/qmgr[1]: panic: myfree", &ev);
	CHECK(ev.type == PQ_ML_EV_PANIC, "panic");
	CHECK(pq_ml_is_qid("1A2B3C4D5E", 10) && pq_ml_is_qid("3mPVKl0Mhjz7sXv", 15) && !pq_ml_is_qid("NOQUEUE", 7) &&
	    !pq_ml_is_qid("warning", 7), "queue id shapes");
	CHECK(!pq_ml_is_qid("statistics", 10) && !pq_ml_is_qid("1A2B3", 5) && !pq_ml_is_qid("3mPVKl0Mhj7sXvq", 15) &&
	    !pq_ml_is_qid("3mPVKl0zMhj7sXv", 15) && pq_ml_is_qid("4SVLCh0sf8zgY7Q", 15),
	    "long queue ids: no vowels, the last 'z' at 10 or later");
	test_classify_fields();

	/* line reader: plain, gzip, no final newline, long line */
	char path[] = "/tmp/postq-unit-maillog-XXXXXX";
	int fd = mkstemp(path);
	const char *content = "one\ntwo\n\nthree";
	CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content), "write plain");
	close(fd);
	struct pq_logread *r = pq_logread_open(path);
	size_t n;
	const char *l1 = pq_logread_line(r, &n);
	CHECK(l1 && n == 3 && memcmp(l1, "one", 3) == 0, "plain line 1");
	pq_logread_line(r, &n);
	const char *l3 = pq_logread_line(r, &n);
	CHECK(l3 && n == 0, "empty line");
	const char *l4 = pq_logread_line(r, &n);
	CHECK(l4 && n == 5 && memcmp(l4, "three", 5) == 0, "last line without newline");
	CHECK(pq_logread_line(r, &n) == NULL && pq_logread_error(r) == NULL, "end of input");
	pq_logread_close(r);
	gzFile gz = gzopen(path, "wb");
	char *big = malloc(3000000);
	memset(big, 'x', 2999999);
	big[2999999] = '\n';
	gzwrite(gz, "gz line\n", 8);
	gzwrite(gz, big, 3000000);
	gzwrite(gz, "after\n", 6);
	gzclose(gz);
	r = pq_logread_open(path);
	l1 = pq_logread_line(r, &n);
	CHECK(l1 && n == 7 && memcmp(l1, "gz line", 7) == 0, "gzip line");
	l1 = pq_logread_line(r, &n);
	CHECK(l1 && n == PQ_LOGREAD_MAX_LINE, "3 MB line from gzip cut to the maximum");
	l1 = pq_logread_line(r, &n);
	CHECK(l1 && n == 5 && memcmp(l1, "after", 5) == 0, "the line after an over-long one");
	CHECK(pq_logread_line(r, &n) == NULL && pq_logread_error(r) == NULL, "gzip end");
	pq_logread_close(r);
	/* the same file cut short: the reader says so */
	{
		struct stat st;
		CHECK(stat(path, &st) == 0 && truncate(path, st.st_size / 2) == 0, "truncate gzip");
		r = pq_logread_open(path);
		while (pq_logread_line(r, &n))
			;
		CHECK(pq_logread_error(r) != NULL, "truncated gzip is an error");
		pq_logread_close(r);
	}
	/* a plain over-long line without a newline at the end */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, big, 2999999) == 2999999, "write long plain line");
	close(fd);
	r = pq_logread_open(path);
	l1 = pq_logread_line(r, &n);
	CHECK(l1 && n == PQ_LOGREAD_MAX_LINE, "plain over-long last line cut");
	CHECK(pq_logread_line(r, &n) == NULL, "plain over-long line: rest skipped");
	pq_logread_close(r);
	free(big);
	unlink(path);
	CHECK(pq_logread_open("/nonexistent/file") == NULL, "missing file");

	/* string map with deletion */
	struct pq_strmap m;
	pq_strmap_init(&m, sizeof(long));
	char key[32];
	for (long i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		*(long *)pq_strmap_put(&m, key, strlen(key), NULL) = i;
	}
	for (long i = 0; i < 5000; i += 2) {
		snprintf(key, sizeof(key), "k%ld", i);
		pq_strmap_del(&m, key, strlen(key));
	}
	bool ok = m.tab.used == 2500;
	for (long i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "k%ld", i);
		long *v = pq_strmap_get(&m, key, strlen(key));
		ok = ok && ((i % 2) ? (v && *v == i) : v == NULL);
	}
	CHECK(ok, "strmap insert, delete half, find the rest");
	bool isnew;
	pq_strmap_put(&m, "a\0b", 3, &isnew);
	CHECK(isnew && pq_strmap_get(&m, "a\0b", 3) && !pq_strmap_get(&m, "a", 1), "keys with NUL bytes");
	pq_strmap_free(&m, NULL);
	return unit_status();
}
