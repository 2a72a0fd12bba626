/*
 * test_showq - the showq client on streams written by hand: a listing
 * as Postfix 3.7's showq sends it, then a peer that sends garbage, an
 * endless attribute, no terminator, a trickle, a wrong order, bad
 * numbers, too much for one message; each must end in a clear error,
 * in bounded time and memory. Also a socket path longer than sun_path.
 */
#include "util/buf.h"
#include "spool/showq.h"
#include "unit.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* An attribute list under construction: name NUL value NUL ... */
static void attr(struct pq_buf *b, const char *name, const char *value)
{
	pq_buf_add(b, name, strlen(name) + 1);
	pq_buf_add(b, value, strlen(value) + 1);
}

static void end(struct pq_buf *b)
{
	pq_buf_add(b, "", 1);
}

static void hello(struct pq_buf *b)
{
	attr(b, "protocol", "mail_queue_list_protocol");
	end(b);
}

static void header(struct pq_buf *b, const char *queue, const char *id,
		   const char *time, const char *size, const char *fe,
		   const char *sender)
{
	attr(b, "queue_name", queue);
	attr(b, "queue_id", id);
	attr(b, "time", time);
	attr(b, "size", size);
	attr(b, "forced_expire", fe);
	attr(b, "sender", sender);
}

enum tail { CLOSE, KEEP_OPEN, ENDLESS, TRICKLE };

/*
 * A child writes data to a pipe, then closes it, keeps it open for a
 * while, writes 'A' until the reader goes, or writes one byte every
 * 20 ms. Returns the read end; *pid the child.
 */
static int peer(const struct pq_buf *data, enum tail tail, pid_t *pid)
{
	int p[2];

	*pid = -1;

	if (pipe(p) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		close(p[0]);
		const char *d = data->data;
		size_t left = data->len;
		while (left > 0) {
			size_t n = tail == TRICKLE ? 1 : left;
			ssize_t w = write(p[1], d, n);
			if (w <= 0)
				_exit(0);
			d += w;
			left -= (size_t)w;
			if (tail == TRICKLE)
				usleep(20000);
		}
		if (tail == KEEP_OPEN)
			sleep(5);
		if (tail == ENDLESS || tail == TRICKLE) {
			char chunk[4096];
			memset(chunk, 'A', sizeof(chunk));
			for (;;) {
				if (write(p[1], chunk, tail == TRICKLE ? 1 : sizeof(chunk)) <= 0)
					_exit(0);
				if (tail == TRICKLE)
					usleep(20000);
			}
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Feed data (then tail) and read to the end: how many messages came,
 * whether it failed, the error text, and how long it took.
 */
struct outcome {
	int messages;
	bool failed;
	int status;
	char text[1024];
	double seconds;
};

static struct outcome feed(const struct pq_buf *data, enum tail tail,
			   const struct pq_showq_limits *lim)
{
	struct outcome o = { 0 };
	struct pq_showq sq;
	pid_t pid;
	int fd = peer(data, tail, &pid);
	double t0 = now_s();

	pq_showq_attach(&sq, fd, "test", lim, true);
	while (pq_showq_next(&sq) != NULL)
		o.messages++;
	o.failed = sq.failed;
	if (sq.failed) {
		o.status = sq.err.status;
		snprintf(o.text, sizeof(o.text), "%s", sq.err.text);
	}
	pq_showq_close(&sq);
	o.seconds = now_s() - t0;
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return o;
}

static void expect_error(const char *name, const struct pq_buf *data, enum tail tail,
			 const struct pq_showq_limits *lim, const char *want)
{
	struct outcome o = feed(data, tail, lim);
	char label[256];

	snprintf(label, sizeof(label), "%s: error \"%s\"", name, want);
	CHECK(o.failed && strstr(o.text, want) != NULL, label);
	if (!o.failed || strstr(o.text, want) == NULL)
		printf("#   got failed=%d \"%s\"\n", o.failed, o.text);
	snprintf(label, sizeof(label), "%s: status %d, in %.2f s", name, o.status,
		 o.seconds);
	CHECK(o.status != 0 && o.seconds < 3, label);
}

static void test_good(void)
{
	struct pq_buf b = PQ_BUF_INIT;
	struct pq_showq sq;
	pid_t pid;

	hello(&b);
	header(&b, "maildrop", "4ABCDEF1", "1700000000", "321", "0", "user@example.com");
	end(&b);
	header(&b, "deferred", "5BCDEF23", "1700000100", "4567", "1", "MAILER-DAEMON");
	attr(&b, "recipient", "a@example.com");
	attr(&b, "reason", "host said: 450 busy");
	attr(&b, "recipient", "b\x01@example.net");
	attr(&b, "reason", "");
	end(&b);
	header(&b, "hold", "6CDEF345", "1700000200", "99", "0", "s\xc3\xa9@example.org");
	attr(&b, "recipient", "c@example.org");
	attr(&b, "reason", "");
	end(&b);
	end(&b);

	int fd = peer(&b, CLOSE, &pid);
	pq_showq_attach(&sq, fd, "good", NULL, true);
	const struct pq_qmsg *m = pq_showq_next(&sq);
	CHECK(m && strcmp(m->queue, "maildrop") == 0 && strcmp(m->id, "4ABCDEF1") == 0
	      && m->arrival == 1700000000 && m->size == 321 && !m->forced_expire
	      && strcmp(pq_buf_str(&m->sender), "user@example.com") == 0 && m->rcpts.n == 0,
	      "message without recipients");
	m = pq_showq_next(&sq);
	CHECK(m && strcmp(m->queue, "deferred") == 0 && m->forced_expire
	      && m->size == 4567 && m->rcpts.n == 2 && m->reasons.n == 2
	      && strcmp(pq_strlist_get(&m->rcpts, 0), "a@example.com") == 0
	      && strcmp(pq_strlist_get(&m->reasons, 0), "host said: 450 busy") == 0
	      && strcmp(pq_strlist_get(&m->reasons, 1), "") == 0,
	      "message with recipients and reasons");
	CHECK(m && strcmp(pq_strlist_get(&m->rcpts, 1), "b?@example.net") == 0,
	      "control characters made printable");
	m = pq_showq_next(&sq);
	CHECK(m && strcmp(pq_buf_str(&m->sender), "s\xc3\xa9@example.org") == 0,
	      "UTF-8 kept with smtputf8_enable");
	CHECK(pq_showq_next(&sq) == NULL && !sq.failed && sq.done, "end of listing");
	CHECK(pq_showq_next(&sq) == NULL && !sq.failed, "after the end, still NULL");
	pq_showq_close(&sq);
	waitpid(pid, NULL, 0);

	/* The same without smtputf8_enable: 8-bit bytes become '?'. */
	fd = peer(&b, CLOSE, &pid);
	pq_showq_attach(&sq, fd, "good", NULL, false);
	pq_showq_next(&sq);
	pq_showq_next(&sq);
	m = pq_showq_next(&sq);
	CHECK(m && strcmp(pq_buf_str(&m->sender), "s??@example.org") == 0,
	      "8-bit bytes made '?' without smtputf8_enable");
	pq_showq_close(&sq);
	waitpid(pid, NULL, 0);

	/* An empty queue. */
	pq_buf_reset(&b);
	hello(&b);
	end(&b);
	struct outcome o = feed(&b, CLOSE, NULL);
	CHECK(o.messages == 0 && !o.failed, "empty queue: no messages, no error");
	pq_buf_free(&b);
}

static void test_bad(void)
{
	struct pq_buf b = PQ_BUF_INIT;
	struct pq_showq_limits lim;

	pq_showq_limits_default(&lim);
	lim.idle_ms = 300;

	expect_error("nothing at all", &b, CLOSE, &lim, "premature end of input");
	pq_buf_set(&b, "HTTP/1.0 200 OK\r\n\r\n<html>");
	expect_error("garbage without a NUL", &b, CLOSE, &lim, "premature end of input");
	expect_error("garbage, peer stays", &b, KEEP_OPEN, &lim, "timeout");
	pq_buf_reset(&b);
	expect_error("endless garbage", &b, ENDLESS, &lim,
		     "attribute name (expecting protocol) longer than 256 bytes");

	pq_buf_reset(&b);
	attr(&b, "protocol", "something_else");
	end(&b);
	expect_error("another protocol", &b, CLOSE, &lim, "not the showq service");

	pq_buf_reset(&b);
	attr(&b, "protocol", "mail_queue_list_protocol");
	attr(&b, "extra", "x");
	end(&b);
	expect_error("extra attribute in the announcement", &b, CLOSE, &lim,
		     "unexpected attribute \"extra\" after the protocol name");

	pq_buf_reset(&b);
	hello(&b);
	expect_error("no end of listing, peer closes", &b, CLOSE, &lim,
		     "no end of listing");
	expect_error("no end of listing, peer stays", &b, KEEP_OPEN, &lim,
		     "timeout: nothing received for 300 ms");

	pq_buf_reset(&b);
	hello(&b);
	pq_buf_add(&b, "queue_name\0deferred\0queue_id\0", 29);
	lim.max_string = 10000;
	expect_error("endless value", &b, ENDLESS, &lim,
		     "the value of queue_id longer than 10000 bytes");
	lim.max_string = PQ_SHOWQ_MAX_STRING;

	pq_buf_reset(&b);
	hello(&b);
	attr(&b, "queue_id", "ABC");
	expect_error("attributes out of order", &b, CLOSE, &lim,
		     "unexpected attribute \"queue_id\" (expecting queue_name)");

	pq_buf_reset(&b);
	hello(&b);
	attr(&b, "queue_name", "deferred");
	attr(&b, "queue_id", "ABC");
	end(&b);
	expect_error("header cut short", &b, CLOSE, &lim, "missing attribute time");

	const char *bad_numbers[] = { "12x", "-1", "", " 5", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad_numbers) / sizeof(*bad_numbers); i++) {
		pq_buf_reset(&b);
		hello(&b);
		header(&b, "deferred", "ABC", bad_numbers[i], "1", "0", "s@x");
		end(&b);
		end(&b);
		char name[64];
		snprintf(name, sizeof(name), "time \"%s\"", bad_numbers[i]);
		expect_error(name, &b, CLOSE, &lim, "bad number for time");
	}

	pq_buf_reset(&b);
	hello(&b);
	header(&b, "deferred", "ABC", "1", "1", "0", "s@x");
	attr(&b, "recipient", "r@x");
	expect_error("recipient without reason", &b, CLOSE, &lim,
		     "premature end of input while reading attribute name (expecting reason)");

	pq_buf_reset(&b);
	hello(&b);
	header(&b, "deferred", "ABC", "1", "1", "0", "s@x");
	expect_error("message cut off", &b, CLOSE, &lim,
		     "premature end of input in message ABC");

	pq_buf_reset(&b);
	hello(&b);
	header(&b, "deferred", "BIG", "1", "1", "0", "s@x");
	for (int i = 0; i < 2000; i++) {
		attr(&b, "recipient", "recipient@example.com");
		attr(&b, "reason", "a reason of some length, as a real one has");
	}
	end(&b);
	end(&b);
	lim.max_message = 50000;
	expect_error("too much for one message", &b, CLOSE, &lim,
		     "message BIG holds more than 50000 bytes");
	lim.max_message = PQ_SHOWQ_MAX_MESSAGE;
	struct outcome o = feed(&b, CLOSE, &lim);
	CHECK(o.messages == 1 && !o.failed, "the same message within the default bound");

	/* A trickle beats the idle timeout; the total one ends it. */
	pq_buf_reset(&b);
	hello(&b);
	lim.idle_ms = 1000;
	lim.total_ms = 500;
	expect_error("trickle", &b, TRICKLE, &lim, "timeout after 500 ms");
	pq_buf_free(&b);
}

/* A server on a path longer than sun_path, and one that is not there. */
static void test_connect(void)
{
	struct pq_showq sq;
	struct pq_err err;
	char tmpl[] = "/tmp/test_showq.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct pq_buf path = PQ_BUF_INIT, longdir = PQ_BUF_INIT;

	if (dir == NULL) {
		CHECK(0, "mkdtemp");
		return;
	}
	pq_buf_printf(&longdir, "%s/", dir);
	for (int i = 0; i < 12; i++)
		pq_buf_adds(&longdir, "a-long-directory-name/");
	pq_buf_reset(&path);
	pq_buf_printf(&path, "mkdir -p %s", longdir.data);
	CHECK(system(path.data) == 0, "long directory made");
	pq_buf_reset(&path);
	pq_buf_printf(&path, "%sshowq", longdir.data);

	CHECK(!pq_showq_connect(&sq, path.data, NULL, true, &err)
	      && err.status == 69 && strstr(err.text, "is Postfix running?"),
	      "no socket: EX_UNAVAILABLE, asks whether Postfix runs");

	struct pq_buf b = PQ_BUF_INIT;
	hello(&b);
	header(&b, "active", "ID1", "1", "2", "0", "s@x");
	end(&b);
	end(&b);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	pid_t pid = fork();
	if (pid == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		if (chdir(longdir.data) < 0)
			_exit(1);
		strcpy(sun.sun_path, "showq");
		if (bind(ls, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(ls, 1) < 0)
			_exit(1);
		/* The parent waits for the socket file, then connects. */
		int c = accept(ls, NULL, NULL);
		if (c >= 0 && write(c, b.data, b.len) < 0)
			_exit(1);
		_exit(0);
	}
	close(ls);
	struct stat st;
	for (int i = 0; i < 200 && stat(path.data, &st) < 0; i++)
		usleep(10000);
	bool ok = pq_showq_connect(&sq, path.data, NULL, true, &err);
	CHECK(ok && strlen(path.data) > 108, "connect to a path longer than sun_path");
	if (ok) {
		const struct pq_qmsg *m = pq_showq_next(&sq);
		CHECK(m && strcmp(m->id, "ID1") == 0 && pq_showq_next(&sq) == NULL
		      && !sq.failed, "listing read through the long path");
		pq_showq_close(&sq);
	} else {
		printf("#   %s\n", err.text);
	}
	waitpid(pid, NULL, 0);
	pq_buf_reset(&b);
	pq_buf_printf(&b, "rm -rf %s", dir);
	if (system(b.data) != 0)
		printf("# could not remove %s\n", dir);
	pq_buf_free(&b);
	pq_buf_free(&path);
	pq_buf_free(&longdir);
}

int main(void)
{
	test_good();
	test_bad();
	test_connect();
	return unit_status();
}
