/*
 * test_follow - the log follower's pieces that need no log file: the
 * state file's text form (and its refusals), the fingerprint hash,
 * rotated-name matching, the journal's syslog-form rebuild (read back by
 * the shared parser), and the follower itself on a pipe as standard
 * input: partial lines held, a 3 MB line cut with one warning, binary
 * bytes passed through, the unterminated end of a stream.
 */
#include "log/follow.h"
#include "log/follow_state.h"
#include "log/journal.h"
#include "log/logread.h"
#include "log/maillog.h"
#include "util/alloc.h"
#include "util/diag.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Messages the library sent, captured instead of printed. */
static struct pq_buf msgs = PQ_BUF_INIT;
static int nwarn;

static void capture(enum pq_msg_level level, const char *text, void *ctx)
{
	(void)ctx;
	if (level == PQ_MSG_WARN)
		nwarn++;
	pq_buf_printf(&msgs, "%d %s\n", (int)level, text);
}

static bool parses(const char *text, struct pq_follow_state *st, struct pq_buf *why)
{
	return pq_fstate_parse(text, strlen(text), st, why);
}

static void test_state_text(void)
{
	struct pq_follow_state st = { 0 }, back;
	struct pq_buf out = PQ_BUF_INIT, why = PQ_BUF_INIT;

	CHECK(pq_fstate_hash("", 0) == 0xcbf29ce484222325ull, "fnv-1a of nothing");
	CHECK(pq_fstate_hash("a", 1) == 0xaf63dc4c8601ec8cull, "fnv-1a of \"a\"");

	st.kind = PQ_FSTATE_FILE;
	st.path = pq_xstrdup("/var/log/odd dir/100%\nmail.log");
	st.dev = 2049;
	st.ino = 18446744073709551615ull;
	st.off = 98765;
	st.line = 1234;
	st.skip = true;
	st.fp_len = 256;
	st.fp = 0x9a3f5c0e11d2b7a4ull;
	pq_fstate_format(&st, &out);
	CHECK(strstr(out.data, "path /var/log/odd%20dir/100%25%0Amail.log\n") != NULL,
	      "state: path escaped");
	CHECK(parses(out.data, &back, &why), "state: file state parses back");
	CHECK(back.kind == PQ_FSTATE_FILE && strcmp(back.path, st.path) == 0 &&
	      back.dev == st.dev && back.ino == st.ino && back.off == st.off &&
	      back.line == st.line && back.skip && back.fp_len == 256 && back.fp == st.fp,
	      "state: every field round-trips");
	pq_fstate_free(&back);
	pq_fstate_free(&st);

	st.kind = PQ_FSTATE_JOURNAL;
	st.cursor = pq_xstrdup("s=0123abcd;i=1f;b=99;m=7;t=5f0;x=3");
	pq_fstate_format(&st, &out);
	CHECK(parses(out.data, &back, &why) && back.kind == PQ_FSTATE_JOURNAL &&
	      strcmp(back.cursor, st.cursor) == 0, "state: journal cursor round-trips");
	pq_fstate_free(&back);
	pq_fstate_free(&st);

	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "", "empty" },
		{ "postq-follow-state 2\nsource file\n", "line 1: not a postq-follow-state 1 file" },
		{ "postq-follow-state 1\nsource file", "does not end with a newline (cut short?)" },
		{ "postq-follow-state 1\nsource pipe\n", "line 2: source is neither file nor journal" },
		{ "postq-follow-state 1\nsource file\ngarbage\n", "line 3: no value" },
		{ "postq-follow-state 1\nsource file\ncolour blue\n", "line 3: unknown key" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 1\nino 2\noff 10\nline 1\nskip 0\n",
		  "a file state needs path, dev, ino, off, line, skip and fp, and no cursor" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 1\nino 2\noff 1x\n", "line 6: bad number" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 1\nino 2\noff 9223372036854775808\n",
		  "line 6: bad number" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 99999999999999999999\n", "line 4: bad number" },
		{ "postq-follow-state 1\nsource file\npath /a\npath /b\n", "line 4: key given twice" },
		{ "postq-follow-state 1\nsource file\npath /a%0\n", "line 3: bad path" },
		{ "postq-follow-state 1\nsource file\npath /a%00b\n", "line 3: bad path" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 1\nino 2\noff 10\nline 1\nskip 2\n",
		  "line 8: skip is neither 0 nor 1" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 1\nino 2\noff 10\nline 1\nskip 0\n"
		  "fp 257 0000000000000000\n", "line 9: bad fingerprint" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 1\nino 2\noff 10\nline 1\nskip 0\n"
		  "fp 4 00000000000000\n", "line 9: bad fingerprint" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 1\nino 2\noff 10\nline 1\nskip 0\n"
		  "fp 11 0000000000000000\n", "fingerprint longer than the offset" },
		{ "postq-follow-state 1\nsource file\npath /a\ndev 1\nino 2\noff 10\nline 11\nskip 0\n"
		  "fp 0 0000000000000000\n", "more lines than bytes before the offset" },
		{ "postq-follow-state 1\nsource journal\noff 10\n", "a journal state has only a cursor" },
		{ "postq-follow-state 1\npath /a\n", "no source line" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[80];
		snprintf(name, sizeof(name), "state: refused, case %zu", i);
		bool ok = parses(bad[i].text, &back, &why);
		CHECK(!ok && back.path == NULL && back.cursor == NULL, name);
		snprintf(name, sizeof(name), "state: reason, case %zu", i);
		CHECK_STR(why.data ? why.data : "", bad[i].why, name);
	}
	CHECK(!pq_fstate_parse("postq-follow-state 1\n\0source file\n", 34, &back, &why) &&
	      strcmp(why.data, "contains a NUL byte") == 0, "state: NUL refused");
	pq_buf_free(&out);
	pq_buf_free(&why);
}

static void test_state_file(void)
{
	char dir[] = "/tmp/test_follow.XXXXXX";
	struct pq_follow_state st = { 0 }, back;
	struct pq_err err = { 0 };
	struct pq_buf p = PQ_BUF_INIT;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "state file: temporary directory");
		return;
	}
	pq_buf_printf(&p, "%s/state", dir);
	CHECK(pq_fstate_load(p.data, &back, &err) == 0, "state file: absent is 0");
	st.kind = PQ_FSTATE_FILE;
	st.path = pq_xstrdup("/var/log/mail.log");
	st.off = 10;
	st.fp_len = 4;
	CHECK(pq_fstate_save(p.data, &st, &err), "state file: saved");
	CHECK(pq_fstate_load(p.data, &back, &err) == 1 && back.off == 10 && back.fp_len == 4,
	      "state file: loaded back");
	pq_fstate_free(&back);
	/* Nothing but the state itself is left in the directory. */
	struct pq_buf ls = PQ_BUF_INIT;
	pq_buf_printf(&ls, "test $(ls -A %s | wc -l) -eq 1", dir);
	CHECK(system(ls.data) == 0, "state file: no temporary file left behind");
	FILE *fp = fopen(p.data, "w");
	fputs("postq-follow-state 1\nsource file\ngarbage\n", fp);
	fclose(fp);
	nwarn = 0;
	pq_buf_reset(&msgs);
	CHECK(pq_fstate_load(p.data, &back, &err) == -1 && back.path == NULL, "state file: corrupt is -1");
	CHECK(nwarn == 1 && strstr(msgs.data, p.data) && strstr(msgs.data, "line 3: no value"),
	      "state file: corrupt reported naming the file and line");
	pq_buf_reset(&ls);
	pq_buf_printf(&ls, "%s/no/such/dir/state", dir);
	CHECK(!pq_fstate_save(ls.data, &st, &err) && strstr(err.text, ls.data),
	      "state file: unwritable directory is an error naming the file");
	pq_buf_reset(&ls);
	pq_buf_printf(&ls, "rm -rf %s", dir);
	CHECK(system(ls.data) == 0, "state file: cleaned up");
	pq_fstate_free(&st);
	pq_buf_free(&ls);
	pq_buf_free(&p);
}

static void test_rotated_names(void)
{
	CHECK(pq_follow_rotated_name("mail.log", "mail.log.1") == 1, "rotated: NAME.1");
	CHECK(pq_follow_rotated_name("mail.log", "mail.log.0") == 1, "rotated: NAME.0");
	CHECK(pq_follow_rotated_name("mail.log", "mail.log-20240105") == 1, "rotated: NAME-YYYYMMDD");
	CHECK(pq_follow_rotated_name("mail.log", "mail.log_old") == 1, "rotated: NAME_x");
	CHECK(pq_follow_rotated_name("mail.log", "mail.log.2.gz") == 2, "rotated: NAME.2.gz compressed");
	CHECK(pq_follow_rotated_name("mail.log", "mail.log-20240105.xz") == 2, "rotated: .xz compressed");
	CHECK(pq_follow_rotated_name("mail.log", "mail.log.1.zst") == 2, "rotated: .zst compressed");
	CHECK(pq_follow_rotated_name("mail.log", "mail.log") == 0, "rotated: not the log itself");
	CHECK(pq_follow_rotated_name("mail.log", "mail.log.") == 0, "rotated: nothing after the dot");
	CHECK(pq_follow_rotated_name("mail.log", "mail.logger") == 0, "rotated: another name");
	CHECK(pq_follow_rotated_name("mail.log", "mail.err.1") == 0, "rotated: another log");
	CHECK(pq_follow_rotated_name("mail.log", "xmail.log.1") == 0, "rotated: prefix must match");
}

static void test_syslog_line(void)
{
	struct pq_buf out = PQ_BUF_INIT;
	struct pq_journal_entry e = { 0 };
	struct pq_ml_frame f;

	setenv("TZ", "UTC", 1);
	tzset();
	e.usec = 1704423845123456ull;	/* 2024-01-05 03:04:05.123456 UTC */
	e.host = "mx1";
	e.host_n = 3;
	e.ident = "postfix/smtpd";
	e.ident_n = 13;
	e.pid = "4242";
	e.pid_n = 4;
	e.msg = "connect from unknown[192.0.2.1]\n";
	e.msg_n = strlen(e.msg);
	CHECK(!pq_journal_syslog_line(&e, &out), "journal: not cut");
	CHECK_STR(out.data, "Jan  5 03:04:05 mx1 postfix/smtpd[4242]: connect from unknown[192.0.2.1]",
		  "journal: syslog form, day padded, trailing newline dropped");
	CHECK(pq_ml_parse_frame(out.data, out.len, &f) == PQ_ML_OK && f.stamp == PQ_ML_STAMP_RFC3164 &&
	      f.mon == 0 && f.mday == 5 && f.hour == 3 && f.min == 4 && f.sec == 5 && f.pid == 4242 &&
	      f.prog.n == 13 && memcmp(f.prog.p, "postfix/smtpd", 13) == 0 &&
	      f.host.n == 3 && f.text.n == 31, "journal: the shared parser reads it back");

	e.usec = 1735689599000000ull;	/* 2024-12-31 23:59:59 UTC */
	e.pid = NULL;
	e.host = NULL;
	e.msg = "a\nb\tc\001d\177";
	e.msg_n = 8;
	pq_journal_syslog_line(&e, &out);
	CHECK_STR(out.data, "Dec 31 23:59:59 localhost postfix/smtpd: a#012b\tc#001d#177",
		  "journal: no pid, no host, control bytes escaped as rsyslog does");
	e.ident = NULL;
	e.msg = NULL;
	pq_journal_syslog_line(&e, &out);
	CHECK_STR(out.data, "Dec 31 23:59:59 localhost unknown: ", "journal: no ident, no message");

	size_t big = 3u * 1024 * 1024;
	char *m = pq_xmalloc(big);
	memset(m, 'z', big);
	e.msg = m;
	e.msg_n = big;
	CHECK(pq_journal_syslog_line(&e, &out) && out.len == PQ_LOGREAD_MAX_LINE,
	      "journal: a 3 MB message is cut to the line cap");
	free(m);

	CHECK(pq_journal_ident_match("postfix/smtpd", 13, "postfix"), "journal: prefix postfix");
	CHECK(pq_journal_ident_match("postfix-slow/smtp", 17, "postfix"), "journal: instance");
	CHECK(!pq_journal_ident_match("postfi", 6, "postfix"), "journal: shorter ident");
	CHECK(!pq_journal_ident_match("dovecot", 7, "postfix"), "journal: other ident");
	CHECK(!pq_journal_ident_match(NULL, 0, "postfix"), "journal: no ident");
	CHECK(pq_journal_ident_match(NULL, 0, NULL), "journal: no prefix takes all");
	pq_buf_free(&out);
}

/* Everything available now, concatenated one "line\n" each; count of lines. */
static int drain(struct pq_follow *f, struct pq_buf *got, enum pq_follow_status *last)
{
	const char *l;
	size_t n;
	int k = 0;
	enum pq_follow_status s;

	while ((s = pq_follow_next(f, &l, &n)) == PQ_FOLLOW_LINE) {
		pq_buf_add(got, l, n);
		pq_buf_addc(got, '\n');
		k++;
	}
	*last = s;
	return k;
}

static bool write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n > 0) {
		ssize_t k = write(fd, c, n);
		if (k <= 0)
			return false;
		c += k;
		n -= (size_t)k;
	}
	return true;
}

static void test_stream(void)
{
	int pfd[2];
	struct pq_err err = { 0 };
	struct pq_buf got = PQ_BUF_INIT;
	enum pq_follow_status s;

	if (pipe(pfd) != 0) {
		CHECK(0, "stream: pipe");
		return;
	}
	int saved = dup(0);
	dup2(pfd[0], 0);
	close(pfd[0]);
	struct pq_follow_opts o = { .path = "-" };
	struct pq_follow *f = pq_follow_open(&o, &err);
	CHECK(f != NULL && pq_follow_fd(f) >= 0 && pq_follow_timeout_ms(f) == -1,
	      "stream: opened, waits on its fd");
	dup2(saved, 0);
	close(saved);
	if (f == NULL)
		return;
	CHECK(drain(f, &got, &s) == 0 && s == PQ_FOLLOW_AGAIN, "stream: nothing yet");
	write_all(pfd[1], "one\ntw", 6);
	CHECK(drain(f, &got, &s) == 1 && s == PQ_FOLLOW_AGAIN && strcmp(got.data, "one\n") == 0,
	      "stream: a partial line is held");
	write_all(pfd[1], "o\nbin\0\377ary\n", 11);
	CHECK(drain(f, &got, &s) == 2 && got.len == 4 + 4 + 9 &&
	      memcmp(got.data, "one\ntwo\nbin\0\377ary\n", 17) == 0, "stream: completed, binary passed");

	/* 3 MB line: the pipe holds 64 KB, so write and read in turns. */
	pq_buf_reset(&got);
	nwarn = 0;
	pq_buf_reset(&msgs);
	int fl = fcntl(pfd[1], F_GETFL);
	fcntl(pfd[1], F_SETFL, fl | O_NONBLOCK);
	char *big = pq_xmalloc(3u * 1024 * 1024 + 7);
	memset(big, 'q', 3u * 1024 * 1024);
	memcpy(big + 3u * 1024 * 1024, "\nafter\n", 7);
	int lines = 0;
	for (size_t off = 0, left = 3u * 1024 * 1024 + 7; left > 0 || lines < 2;) {
		ssize_t k = left ? write(pfd[1], big + off, left) : 0;
		if (k > 0) {
			off += (size_t)k;
			left -= (size_t)k;
		} else {
			lines += drain(f, &got, &s);
		}
	}
	free(big);
	fcntl(pfd[1], F_SETFL, fl);
	CHECK(lines == 2 && got.len == PQ_LOGREAD_MAX_LINE + 1 + 6 &&
	      memcmp(got.data + got.len - 8, "q\nafter\n", 8) == 0, "stream: 3 MB line cut to 1 MiB, rest skipped");
	CHECK(nwarn == 1 && strstr(msgs.data, "-: line 4: longer than 1048576 bytes; the rest of it is skipped"),
	      "stream: one warning naming the input and the line");

	pq_buf_reset(&got);
	write_all(pfd[1], "last without newline", 20);
	close(pfd[1]);
	CHECK(drain(f, &got, &s) == 1 && s == PQ_FOLLOW_END && strcmp(got.data, "last without newline\n") == 0,
	      "stream: the unterminated end is a line, then the end");
	CHECK(pq_follow_next(f, &(const char *){ NULL }, &(size_t){ 0 }) == PQ_FOLLOW_END,
	      "stream: stays at the end");
	CHECK(pq_follow_save(f, &err), "stream: save is a no-op");
	pq_follow_close(f);
	pq_buf_free(&got);
}

static void test_open_errors(void)
{
	struct pq_err err = { 0 };
	struct pq_follow_opts o = { .path = "" };

	CHECK(pq_follow_open(&o, &err) == NULL && strstr(err.text, "no file"), "open: empty path refused");
	o.path = "/";
	CHECK(pq_follow_open(&o, &err) == NULL && strstr(err.text, "is a directory"), "open: a directory refused");
	o.path = "/nonexistent-dir-for-test_follow/mail.log";
	struct pq_follow *f = pq_follow_open(&o, &err);
	const char *l;
	size_t n;
	CHECK(f != NULL && pq_follow_next(f, &l, &n) == PQ_FOLLOW_AGAIN && pq_follow_timeout_ms(f) <= 1000,
	      "open: a log that is not there is waited for, polling at most every second");
	pq_follow_close(f);
}

int main(void)
{
	pq_msg_set_output(capture, NULL);
	test_state_text();
	test_state_file();
	test_rotated_names();
	test_syslog_line();
	test_stream();
	test_open_errors();
	pq_msg_set_output(NULL, NULL);
	pq_buf_free(&msgs);
	return unit_failures ? 1 : 0;
}
