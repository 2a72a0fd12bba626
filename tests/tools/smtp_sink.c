/*
 * smtp_sink.c - a tiny SMTP server used as the delivery target of the
 * sandboxed Postfix instances in postq's tests (see tests/lib/sandbox.sh).
 *
 * It listens on 127.0.0.1 only, serves any number of connections from one
 * process with poll(), and answers each RCPT TO by the local part of the
 * recipient, so that a test can produce delivered, deferred and bounced
 * recipients on purpose:
 *
 *   local part starts with      reply
 *   defersame                   450 4.2.0 Mailbox busy, try again later (test)
 *                               (same text for every recipient)
 *   defermulti                  a two-line 450 reply
 *   deferlong                   450 with a very long text
 *   defer / slowdefer           450 4.2.0 <addr>: deferred by sink (test)
 *   reject                      550 5.1.1 <addr>: rejected by sink (test)
 *   anything else               250 2.1.5 Ok
 *
 * (case-insensitive, a leading '"' of a quoted local part is ignored).
 * A MAIL FROM whose local part starts with "defermail" gets
 * 451 4.3.0 <addr>: sender deferred by sink (test), which defers all the
 * recipients of that message with one shared reason.  With -D SECONDS the
 * reply to a slowdefer recipient is delayed (default: not delayed).
 *
 * Usage: smtp_sink [-p PORT] [-l LOGFILE] [-w PIDFILE] [-D SECONDS] [-v]
 *   -p PORT  port on 127.0.0.1 (default 0: pick a free one); the port that
 *            is actually used is printed on stdout, followed by a newline.
 *   -l FILE  append "<message-id> <recipient>" per accepted recipient of
 *            every accepted message ("-" when the message has no
 *            Message-ID header).
 *   -w FILE  write the process id to FILE (removed again on exit).
 *   -v       log the SMTP conversation on stderr.
 * SIGTERM / SIGINT / SIGHUP end the server cleanly.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o smtp_sink smtp_sink.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONN 256
#define MAX_LINE (16 * 1024 * 1024) /* a longer line ends the session */
#define MAX_RCPT 1000
#define IDLE_TIMEOUT 300 /* seconds */

enum state { ST_CMD, ST_DATA };

struct conn {
	int fd;
	enum state st;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_len, out_cap;
	int closing;          /* close once the output is flushed */
	time_t last_active;
	double hold_until;    /* delayed reply: no input processing before */
	int have_mail;
	char **rcpt;          /* accepted recipients of the current transaction */
	size_t nrcpt;
	int in_headers;       /* in DATA: still in the header section */
	int in_msgid;         /* last header line was Message-ID (for folding) */
	char *msgid;
	size_t msgid_len;
	unsigned long msgs;
	short revents;        /* from the last poll() */
};

static volatile sig_atomic_t stop_flag;
static int verbose;
static int log_fd = -1;
static int slow_delay;
static unsigned long queued_total;
static const char *pid_file;

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("smtp_sink: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		die("out of memory");
	return q;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (p == NULL)
		die("out of memory");
	return p;
}

static double now_d(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void out_add(struct conn *c, const char *s, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		c->out_cap = (c->out_len + n) * 2 + 256;
		c->out = xrealloc(c->out, c->out_cap);
	}
	memcpy(c->out + c->out_len, s, n);
	c->out_len += n;
}

static void reply(struct conn *c, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 3)
		n = (int)sizeof(buf) - 3;
	if (verbose)
		fprintf(stderr, "smtp_sink: [%d] > %.*s\n", c->fd, n, buf);
	buf[n++] = '\r';
	buf[n++] = '\n';
	out_add(c, buf, (size_t)n);
}

static void reset_txn(struct conn *c)
{
	for (size_t i = 0; i < c->nrcpt; i++)
		free(c->rcpt[i]);
	free(c->rcpt);
	c->rcpt = NULL;
	c->nrcpt = 0;
	c->have_mail = 0;
	free(c->msgid);
	c->msgid = NULL;
	c->msgid_len = 0;
	c->in_headers = 0;
	c->in_msgid = 0;
}

static void conn_free(struct conn *c)
{
	reset_txn(c);
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

/*
 * Extract the address from "FROM:<addr> params" / "TO:<addr> params" (after
 * the colon).  Returns a malloc'ed string, or NULL on a syntax error.
 * Quoted strings inside <...> may contain '>'.
 */
static char *parse_path(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '<') {
		/* tolerate a bare address */
		size_t n = strcspn(p, " \t");
		if (n == 0)
			return NULL;
		char *a = xrealloc(NULL, n + 1);
		memcpy(a, p, n);
		a[n] = 0;
		return a;
	}
	p++;
	const char *s = p;
	int inq = 0;
	for (; *p; p++) {
		if (inq && *p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			inq = !inq;
		else if (*p == '>' && !inq)
			break;
	}
	if (*p != '>')
		return NULL;
	size_t n = (size_t)(p - s);
	char *a = xrealloc(NULL, n + 1);
	memcpy(a, s, n);
	a[n] = 0;
	return a;
}

/* Local part of an address (after any source route), for prefix tests. */
static const char *local_part(const char *addr)
{
	const char *p = addr;
	if (*p == '@') { /* @a,@b:user@dom */
		const char *colon = strchr(p, ':');
		if (colon)
			p = colon + 1;
	}
	if (*p == '"')
		p++;
	return p;
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static void do_rcpt(struct conn *c, const char *addr)
{
	const char *lp = local_part(addr);

	if (has_prefix(lp, "defersame")) {
		reply(c, "450 4.2.0 Mailbox busy, try again later (test)");
	} else if (has_prefix(lp, "defermulti")) {
		reply(c, "450-4.2.0 <%s>: deferred by sink (test)", addr);
		reply(c, "450 4.2.0 second line of a multi-line reply (test)");
	} else if (has_prefix(lp, "deferlong")) {
		reply(c, "450 4.2.0 <%s>: deferred by sink (test) with a long "
		      "explanation: the quick brown fox jumps over the lazy dog, "
		      "the quick brown fox jumps over the lazy dog, the quick "
		      "brown fox jumps over the lazy dog, the quick brown fox "
		      "jumps over the lazy dog, the quick brown fox jumps over "
		      "the lazy dog, and then it is deferred once more", addr);
	} else if (has_prefix(lp, "defer")) {
		reply(c, "450 4.2.0 <%s>: deferred by sink (test)", addr);
	} else if (has_prefix(lp, "slowdefer")) {
		if (slow_delay > 0)
			c->hold_until = now_d() + slow_delay;
		reply(c, "450 4.2.0 <%s>: deferred by sink (test)", addr);
	} else if (has_prefix(lp, "reject")) {
		reply(c, "550 5.1.1 <%s>: rejected by sink (test)", addr);
	} else if (c->nrcpt >= MAX_RCPT) {
		reply(c, "452 4.5.3 Error: too many recipients");
	} else {
		c->rcpt = xrealloc(c->rcpt, (c->nrcpt + 1) * sizeof(*c->rcpt));
		c->rcpt[c->nrcpt++] = xstrdup(addr);
		reply(c, "250 2.1.5 Ok");
	}
}

static void log_message(struct conn *c)
{
	const char *id = "-";
	char *trimmed = NULL;

	if (c->msgid != NULL) {
		/* trim surrounding white space; folding was already joined */
		size_t b = 0, e = c->msgid_len;
		while (b < e && (c->msgid[b] == ' ' || c->msgid[b] == '\t'))
			b++;
		while (e > b && (c->msgid[e - 1] == ' ' || c->msgid[e - 1] == '\t'))
			e--;
		if (e > b) {
			trimmed = xrealloc(NULL, e - b + 1);
			memcpy(trimmed, c->msgid + b, e - b);
			trimmed[e - b] = 0;
			id = trimmed;
		}
	}
	if (log_fd >= 0) {
		for (size_t i = 0; i < c->nrcpt; i++) {
			size_t n = strlen(id) + strlen(c->rcpt[i]) + 2;
			char *line = xrealloc(NULL, n + 1);
			snprintf(line, n + 1, "%s %s\n", id, c->rcpt[i]);
			/* one write per line: O_APPEND keeps lines whole */
			if (write(log_fd, line, n) != (ssize_t)n)
				fprintf(stderr, "smtp_sink: log write: %s\n",
				        strerror(errno));
			free(line);
		}
	}
	free(trimmed);
}

static void msgid_append(struct conn *c, const char *s, size_t n)
{
	c->msgid = xrealloc(c->msgid, c->msgid_len + n + 1);
	memcpy(c->msgid + c->msgid_len, s, n);
	c->msgid_len += n;
	c->msgid[c->msgid_len] = 0;
}

/* One line of message content (CRLF already removed, dot-unstuffed). */
static void data_line(struct conn *c, const char *line, size_t n)
{
	if (!c->in_headers)
		return;
	if (n == 0) {
		c->in_headers = 0;
		c->in_msgid = 0;
		return;
	}
	if (line[0] == ' ' || line[0] == '\t') {
		if (c->in_msgid)
			msgid_append(c, line, n);
		return;
	}
	c->in_msgid = 0;
	if (c->msgid == NULL && n >= 11 && strncasecmp(line, "Message-ID:", 11) == 0) {
		c->in_msgid = 1;
		msgid_append(c, line + 11, n - 11);
	}
}

static void command(struct conn *c, char *line)
{
	char verb[16];
	size_t i = 0;

	while (line[i] && line[i] != ' ' && i < sizeof(verb) - 1) {
		verb[i] = line[i];
		i++;
	}
	verb[i] = 0;
	char *arg = line + i;
	while (*arg == ' ')
		arg++;

	if (!strcasecmp(verb, "EHLO")) {
		reset_txn(c);
		reply(c, "250-sink.postq.test");
		reply(c, "250-PIPELINING");
		reply(c, "250-SIZE 209715200");
		reply(c, "250-8BITMIME");
		reply(c, "250-ENHANCEDSTATUSCODES");
		reply(c, "250 SMTPUTF8");
	} else if (!strcasecmp(verb, "HELO")) {
		reset_txn(c);
		reply(c, "250 sink.postq.test");
	} else if (!strcasecmp(verb, "MAIL")) {
		char *addr;
		if (strncasecmp(arg, "FROM:", 5) != 0 || (addr = parse_path(arg + 5)) == NULL) {
			reply(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
		} else if (c->have_mail) {
			reply(c, "503 5.5.1 Error: nested MAIL command");
			free(addr);
		} else if (has_prefix(local_part(addr), "defermail")) {
			reply(c, "451 4.3.0 <%s>: sender deferred by sink (test)", addr);
			free(addr);
		} else {
			c->have_mail = 1;
			reply(c, "250 2.1.0 Ok");
			free(addr);
		}
	} else if (!strcasecmp(verb, "RCPT")) {
		char *addr;
		if (!c->have_mail) {
			reply(c, "503 5.5.1 Error: need MAIL command");
		} else if (strncasecmp(arg, "TO:", 3) != 0 || (addr = parse_path(arg + 3)) == NULL) {
			reply(c, "501 5.5.4 Syntax: RCPT TO:<address>");
		} else {
			do_rcpt(c, addr);
			free(addr);
		}
	} else if (!strcasecmp(verb, "DATA")) {
		if (!c->have_mail) {
			reply(c, "503 5.5.1 Error: need MAIL command");
		} else if (c->nrcpt == 0) {
			reply(c, "554 5.5.1 Error: no valid recipients");
		} else {
			c->st = ST_DATA;
			c->in_headers = 1;
			reply(c, "354 End data with <CR><LF>.<CR><LF>");
		}
	} else if (!strcasecmp(verb, "RSET")) {
		reset_txn(c);
		reply(c, "250 2.0.0 Ok");
	} else if (!strcasecmp(verb, "NOOP")) {
		reply(c, "250 2.0.0 Ok");
	} else if (!strcasecmp(verb, "QUIT")) {
		reply(c, "221 2.0.0 Bye");
		c->closing = 1;
	} else if (!strcasecmp(verb, "VRFY")) {
		reply(c, "252 2.0.0 Send some mail, I'll try my best");
	} else {
		reply(c, "502 5.5.2 Error: command not recognized");
	}
}

/*
 * Process complete lines in the input buffer.  Stops early when a reply
 * is being delayed, so that pipelined commands keep their order.
 */
static void process_input(struct conn *c)
{
	size_t off = 0;

	while (!c->closing && c->hold_until <= now_d()) {
		char *nl = memchr(c->in + off, '\n', c->in_len - off);
		if (nl == NULL)
			break;
		size_t n = (size_t)(nl - (c->in + off));
		char *line = c->in + off;
		off += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = 0;
		if (c->st == ST_DATA) {
			if (n == 1 && line[0] == '.') {
				c->st = ST_CMD;
				log_message(c);
				c->msgs++;
				queued_total++;
				reply(c, "250 2.0.0 Ok: queued as SINK%lu", queued_total);
				reset_txn(c);
			} else {
				if (line[0] == '.') {
					line++;
					n--;
				}
				data_line(c, line, n);
			}
		} else {
			if (verbose)
				fprintf(stderr, "smtp_sink: [%d] < %.*s\n", c->fd,
				        n > 400 ? 400 : (int)n, line);
			if (memchr(line, 0, n) != NULL)
				reply(c, "500 5.5.2 Error: NUL in command");
			else
				command(c, line);
		}
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	if (c->in_len > MAX_LINE) {
		reply(c, "500 5.5.0 Error: line too long");
		c->closing = 1;
	}
}

/* Returns -1 when the connection should be dropped. */
static int do_read(struct conn *c)
{
	if (c->in_cap - c->in_len < 65536) {
		c->in_cap = c->in_cap * 2 + 65536;
		c->in = xrealloc(c->in, c->in_cap);
	}
	ssize_t n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len - 1);
	if (n < 0)
		return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
	if (n == 0)
		return -1;
	c->in_len += (size_t)n;
	c->last_active = time(NULL);
	return 0;
}

static int do_write(struct conn *c)
{
	while (c->out_len > 0) {
		ssize_t n = write(c->fd, c->out, c->out_len);
		if (n < 0)
			return (errno == EINTR || errno == EAGAIN) ? 0 : -1;
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	return 0;
}

static void cleanup_pidfile(void)
{
	if (pid_file)
		unlink(pid_file);
}

int main(int argc, char **argv)
{
	int port = 0, opt;
	const char *log_file = NULL;

	while ((opt = getopt(argc, argv, "p:l:w:D:v")) != -1) {
		switch (opt) {
		case 'p': port = atoi(optarg); break;
		case 'l': log_file = optarg; break;
		case 'w': pid_file = optarg; break;
		case 'D': slow_delay = atoi(optarg); break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: smtp_sink [-p PORT] [-l LOGFILE] "
			        "[-w PIDFILE] [-D SECONDS] [-v]\n");
			return 2;
		}
	}
	if (port < 0 || port > 65535)
		die("bad port %d", port);

	if (log_file && (log_fd = open(log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0)
		die("open %s: %s", log_file, strerror(errno));

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind 127.0.0.1:%d: %s", port, strerror(errno));
	if (listen(lfd, 128) < 0)
		die("listen: %s", strerror(errno));
	socklen_t slen = sizeof(sin);
	if (getsockname(lfd, (struct sockaddr *)&sin, &slen) < 0)
		die("getsockname: %s", strerror(errno));

	if (pid_file) {
		FILE *fp = fopen(pid_file, "w");
		if (fp == NULL)
			die("open %s: %s", pid_file, strerror(errno));
		fprintf(fp, "%ld\n", (long)getpid());
		fclose(fp);
		atexit(cleanup_pidfile);
	}
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);

	struct conn *conns[MAX_CONN];
	size_t nconn = 0;
	struct pollfd pfd[MAX_CONN + 1];

	while (!stop_flag) {
		double now = now_d();
		int timeout = 1000;


		pfd[0].fd = lfd;
		pfd[0].events = nconn < MAX_CONN ? POLLIN : 0;
		pfd[0].revents = 0;
		for (size_t i = 0; i < nconn; i++) {
			struct conn *c = conns[i];
			pfd[i + 1].fd = c->fd;
			pfd[i + 1].events = 0;
			pfd[i + 1].revents = 0;
			if (c->hold_until > now) {
				int ms = (int)((c->hold_until - now) * 1000) + 1;
				if (ms < timeout)
					timeout = ms;
			} else if (!c->closing) {
				pfd[i + 1].events |= POLLIN;
			}
			if (c->out_len > 0 && c->hold_until <= now)
				pfd[i + 1].events |= POLLOUT;
		}
		int r = poll(pfd, nconn + 1, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		size_t npolled = nconn;
		for (size_t i = 0; i < npolled; i++)
			conns[i]->revents = pfd[i + 1].revents;
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (fd >= 0) {
				struct conn *c = xrealloc(NULL, sizeof(*c));
				memset(c, 0, sizeof(*c));
				c->fd = fd;
				c->st = ST_CMD;
				c->last_active = time(NULL);
				conns[nconn++] = c;
				if (verbose)
					fprintf(stderr, "smtp_sink: [%d] connected\n", fd);
				reply(c, "220 sink.postq.test ESMTP smtp_sink (postq test)");
			}
		}
		for (size_t i = 0; i < nconn;) {
			struct conn *c = conns[i];
			int drop = 0;

			if (c->revents & POLLIN) {
				if (do_read(c) < 0)
					drop = 1;
			} else if (c->revents & (POLLERR | POLLHUP | POLLNVAL)) {
				drop = 1;
			}
			c->revents = 0;
			if (!drop)
				process_input(c);
			if (!drop && c->hold_until <= now_d() && do_write(c) < 0)
				drop = 1;
			if (!drop && c->closing && c->out_len == 0)
				drop = 1;
			if (!drop && time(NULL) - c->last_active > IDLE_TIMEOUT)
				drop = 1;
			if (drop) {
				if (verbose)
					fprintf(stderr, "smtp_sink: [%d] closed\n", c->fd);
				conn_free(c);
				conns[i] = conns[--nconn];
				continue;
			}
			i++;
		}
	}
	for (size_t i = 0; i < nconn; i++)
		conn_free(conns[i]);
	close(lfd);
	if (log_fd >= 0)
		close(log_fd);
	return 0;
}
