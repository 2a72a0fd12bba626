/*
 * smtp_send.c - a tiny SMTP client that injects one test message into the
 * sandboxed Postfix of postq's tests (see tests/lib/sandbox.sh).
 *
 * Usage:
 *   smtp_send -s HOST:PORT -f SENDER -t RCPT [-t RCPT ...] [-u]
 *             [-H 'Header: value' ...] [-b BODYSIZE] [-m MESSAGE_ID]
 *             [-e HELO_NAME] [-v]
 *
 *   -f ''   null sender, sent as MAIL FROM:<>
 *   -u      add the SMTPUTF8 parameter to MAIL FROM (needed for UTF-8
 *           addresses); BODY=8BITMIME is always sent.
 *   -H      extra header; a -H header named From, To, Subject, Message-ID
 *           or Date replaces the generated one.
 *   -b N    body of roughly N bytes (default 200).
 *   -m ID   Message-ID value (default: a unique <...@smtp-send.postq.test>).
 *   -v      print the SMTP conversation on stderr.
 *
 * Addresses are given without angle brackets and sent as they are, e.g.
 * -t '"defer me"@example.com'.  On success the queue ID from the server's
 * "queued as ID" reply (or the whole reply) is printed on stdout.  The exit
 * status is non-zero, with a message on stderr, when the connection fails
 * or the server rejects MAIL FROM, every RCPT TO, DATA or the end of data.
 * Rejected individual recipients are reported on stderr.
 *
 * Build: cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -o smtp_send smtp_send.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITEMS 1000

static int verbose;
static int sock = -1;
static char inbuf[65536];
static size_t in_len;

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("smtp_send: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void send_all(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(sock, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		s += w;
		n -= (size_t)w;
	}
}

/* Send one command line (CRLF appended). */
static void cmd(const char *fmt, ...)
{
	char *buf = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (n < 0 || (buf = realloc(buf, (size_t)n + 3)) == NULL)
		die("out of memory");
	if (verbose)
		fprintf(stderr, "> %s\n", buf);
	memcpy(buf + n, "\r\n", 3);
	send_all(buf, (size_t)n + 2); /* one write per command line */
	free(buf);
}

/* Read one line into out (without CRLF); returns its length. */
static size_t get_line(char *out, size_t outsz)
{
	for (;;) {
		char *nl = memchr(inbuf, '\n', in_len);
		if (nl != NULL) {
			size_t n = (size_t)(nl - inbuf);
			size_t take = n;
			if (take > 0 && inbuf[take - 1] == '\r')
				take--;
			if (take >= outsz)
				take = outsz - 1;
			memcpy(out, inbuf, take);
			out[take] = 0;
			memmove(inbuf, nl + 1, in_len - n - 1);
			in_len -= n + 1;
			return take;
		}
		if (in_len == sizeof(inbuf))
			die("server reply line too long");
		ssize_t r = read(sock, inbuf + in_len, sizeof(inbuf) - in_len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("read: %s", strerror(errno));
		}
		if (r == 0)
			die("server closed the connection");
		in_len += (size_t)r;
	}
}

/*
 * Read a (possibly multi-line) reply; returns the code, and the text of
 * the last line (with code) in last.
 */
static int get_reply(char *last, size_t lastsz)
{
	char line[8192];
	for (;;) {
		size_t n = get_line(line, sizeof(line));
		if (verbose)
			fprintf(stderr, "< %s\n", line);
		if (n < 3 || line[0] < '1' || line[0] > '5')
			die("malformed server reply: %s", line);
		if (n == 3 || line[3] == ' ') {
			snprintf(last, lastsz, "%s", line);
			return atoi(line);
		}
		if (line[3] != '-')
			die("malformed server reply: %s", line);
	}
}

static int header_overridden(char **hdrs, int nh, const char *name)
{
	size_t len = strlen(name);
	for (int i = 0; i < nh; i++)
		if (strncasecmp(hdrs[i], name, len) == 0 && hdrs[i][len] == ':')
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *server = NULL, *sender = NULL, *msgid = NULL, *helo = "smtp-send.postq.test";
	char *rcpts[MAX_ITEMS], *hdrs[MAX_ITEMS];
	int nr = 0, nh = 0, utf8 = 0, opt;
	long body_size = 200;

	while ((opt = getopt(argc, argv, "s:f:t:uH:b:m:e:v")) != -1) {
		switch (opt) {
		case 's': server = optarg; break;
		case 'f': sender = optarg; break;
		case 't':
			if (nr >= MAX_ITEMS)
				die("too many recipients");
			rcpts[nr++] = optarg;
			break;
		case 'u': utf8 = 1; break;
		case 'H':
			if (nh >= MAX_ITEMS)
				die("too many headers");
			if (strchr(optarg, ':') == NULL)
				die("bad header (no colon): %s", optarg);
			hdrs[nh++] = optarg;
			break;
		case 'b': body_size = atol(optarg); break;
		case 'm': msgid = optarg; break;
		case 'e': helo = optarg; break;
		case 'v': verbose = 1; break;
		default:
			fprintf(stderr, "usage: smtp_send -s HOST:PORT -f SENDER -t RCPT [-t RCPT ...] "
			        "[-u] [-H 'Header: value' ...] [-b BODYSIZE] [-m MESSAGE_ID] [-e HELO] [-v]\n");
			return 2;
		}
	}
	if (server == NULL || sender == NULL || nr == 0 || optind != argc)
		die("need -s HOST:PORT, -f SENDER and at least one -t RCPT");

	/* connect */
	char host[256];
	const char *colon = strrchr(server, ':');
	if (colon == NULL || (size_t)(colon - server) >= sizeof(host))
		die("bad server address: %s (want HOST:PORT)", server);
	memcpy(host, server, (size_t)(colon - server));
	host[colon - server] = 0;
	struct addrinfo hints, *ai, *a;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int gai = getaddrinfo(host, colon + 1, &hints, &ai);
	if (gai != 0)
		die("%s: %s", server, gai_strerror(gai));
	for (a = ai; a != NULL; a = a->ai_next) {
		sock = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (sock < 0)
			continue;
		if (connect(sock, a->ai_addr, a->ai_addrlen) == 0)
			break;
		close(sock);
		sock = -1;
	}
	freeaddrinfo(ai);
	if (sock < 0)
		die("connect %s: %s", server, strerror(errno));
	struct timeval tv = { .tv_sec = 60, .tv_usec = 0 };
	setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int one = 1; /* no Nagle delays between our small writes */
	setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	char rep[8192];
	int code;
	if ((code = get_reply(rep, sizeof(rep))) != 220)
		die("greeting: %s", rep);
	cmd("EHLO %s", helo);
	if ((code = get_reply(rep, sizeof(rep))) != 250) {
		cmd("HELO %s", helo);
		if ((code = get_reply(rep, sizeof(rep))) != 250)
			die("HELO: %s", rep);
	}
	cmd("MAIL FROM:<%s> BODY=8BITMIME%s", sender, utf8 ? " SMTPUTF8" : "");
	if ((code = get_reply(rep, sizeof(rep))) / 100 != 2) {
		cmd("QUIT");
		die("MAIL FROM:<%s> rejected: %s", sender, rep);
	}
	int accepted = 0;
	for (int i = 0; i < nr; i++) {
		cmd("RCPT TO:<%s>", rcpts[i]);
		if ((code = get_reply(rep, sizeof(rep))) / 100 == 2)
			accepted++;
		else
			fprintf(stderr, "smtp_send: RCPT TO:<%s> rejected: %s\n", rcpts[i], rep);
	}
	if (accepted == 0) {
		cmd("QUIT");
		die("all recipients rejected");
	}
	cmd("DATA");
	if ((code = get_reply(rep, sizeof(rep))) != 354) {
		cmd("QUIT");
		die("DATA rejected: %s", rep);
	}

	/* headers */
	static unsigned counter;
	char idbuf[256];
	if (msgid == NULL) {
		struct timeval now;
		gettimeofday(&now, NULL);
		snprintf(idbuf, sizeof(idbuf), "<%ld.%06ld.%ld.%u@smtp-send.postq.test>",
		         (long)now.tv_sec, (long)now.tv_usec, (long)getpid(), counter++);
		msgid = idbuf;
	}
	char *msg = NULL;
	size_t msg_len = 0;
	FILE *m = open_memstream(&msg, &msg_len);
	if (m == NULL)
		die("out of memory");
	if (!header_overridden(hdrs, nh, "From"))
		fprintf(m, "From: <%s>\r\n", *sender ? sender : "MAILER-DAEMON@smtp-send.postq.test");
	if (!header_overridden(hdrs, nh, "To")) {
		fputs("To:", m);
		for (int i = 0; i < nr; i++)
			fprintf(m, "%s <%s>%s\r\n", i ? "\t" : " ", rcpts[i], i + 1 < nr ? "," : "");
	}
	if (!header_overridden(hdrs, nh, "Subject"))
		fputs("Subject: postq test message\r\n", m);
	if (!header_overridden(hdrs, nh, "Message-ID"))
		fprintf(m, "Message-ID: %s\r\n", msgid);
	if (!header_overridden(hdrs, nh, "Date")) {
		char date[64];
		time_t t = time(NULL);
		struct tm tm;
		gmtime_r(&t, &tm);
		static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
		static const char *mons[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
		snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d +0000",
		         days[tm.tm_wday], tm.tm_mday, mons[tm.tm_mon], tm.tm_year + 1900,
		         tm.tm_hour, tm.tm_min, tm.tm_sec);
		fprintf(m, "Date: %s\r\n", date);
	}
	for (int i = 0; i < nh; i++)
		fprintf(m, "%s\r\n", hdrs[i]);
	fputs("\r\n", m);

	/* body: numbered lines of 72 characters until about body_size bytes */
	long written = 0;
	for (long line = 1; written < body_size; line++) {
		char l[128];
		int n = snprintf(l, sizeof(l), "%06ld ", line);
		for (; n < 72; n++)
			l[n] = (char)('a' + (line + n) % 26);
		l[n] = 0;
		long left = body_size - written;
		if (left < n + 2) {
			n = left > 2 ? (int)left - 2 : 1;
			l[n] = 0;
		}
		if (l[0] == '.') /* dot-stuffing, never happens with this text */
			fputc('.', m);
		fprintf(m, "%s\r\n", l);
		written += n + 2;
	}
	fclose(m);
	if (verbose)
		fprintf(stderr, "> (%zu bytes of message content)\n", msg_len);
	send_all(msg, msg_len);
	free(msg);
	cmd(".");
	if ((code = get_reply(rep, sizeof(rep))) / 100 != 2) {
		cmd("QUIT");
		die("message rejected: %s", rep);
	}
	const char *q = strstr(rep, "queued as ");
	if (q != NULL)
		printf("%s\n", q + strlen("queued as "));
	else
		printf("%s\n", rep);
	cmd("QUIT");
	get_reply(rep, sizeof(rep));
	close(sock);
	return 0;
}
