/*
 * showq - a client of Postfix's showq service; see showq.h.
 *
 * The reader keeps one fixed buffer and pulls bytes with poll() before
 * every read(), so no call blocks longer than the time left; strings are
 * collected up to their bound and no further, so memory does not depend
 * on what the peer sends.
 */
#include "spool/showq.h"

#include "util/alloc.h"
#include "util/knobs.h"
#include "util/quote.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define INBUF (64u << 10)
/*
 * The status for a malformed response: what Debian 12's postqueue
 * (3.7.11) exits with on one, measured (its source names EX_SOFTWARE).
 */
#define MALFORMED PQ_EX_UNAVAILABLE

/* Queue names showq sends, as the static strings the listing uses. */
static const char *const queue_names[] = {
	"maildrop", "incoming", "active", "deferred", "hold", "corrupt", NULL,
};

void pq_showq_limits_default(struct pq_showq_limits *lim)
{
	long v;

	lim->idle_ms = PQ_SHOWQ_IDLE_MS;
	lim->total_ms = 0;
	lim->max_string = PQ_SHOWQ_MAX_STRING;
	lim->max_message = PQ_SHOWQ_MAX_MESSAGE;
	/* Tests of a hostile peer need not wait a minute. */
	if (pq_test_knob("showq_idle_ms", &v) && v > 0 && v <= INT_MAX)
		lim->idle_ms = (int)v;
	if (pq_test_knob("showq_total_ms", &v) && v > 0 && v <= INT_MAX)
		lim->total_ms = (int)v;
	if (pq_test_knob("showq_max_string", &v) && v > 0)
		lim->max_string = (size_t)v;
	if (pq_test_knob("showq_max_message", &v) && v > 0)
		lim->max_message = (size_t)v;
}

const char *pq_showq_path(const struct pq_spool *sp, struct pq_buf *out)
{
	pq_buf_reset(out);
	pq_buf_printf(out, "%s/public/showq", sp->root);
	return pq_buf_str(out);
}

/* Record the first error; later ones are consequences. */
static void fail(struct pq_showq *sq, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct pq_showq *sq, int status, const char *fmt, ...)
{
	char text[768];
	va_list ap;

	if (sq->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sq->failed = true;
	pq_err_set(&sq->err, status, "showq %s: %s", sq->label, text);
}

/* What the peer sent, fit to quote in a message: printable, cut short. */
static const char *shown(struct pq_buf *scratch, const char *s)
{
	pq_buf_reset(scratch);
	pq_buf_add(scratch, s, strnlen(s, 100));
	pq_printable(scratch->data, '?', false);
	return pq_buf_str(scratch);
}

static long ms_left(const struct pq_showq *sq)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(sq->deadline.tv_sec - now.tv_sec) * 1000
	       + (sq->deadline.tv_nsec - now.tv_nsec) / 1000000;
}

/* Refill the buffer: true with bytes in it, false at EOF or on error. */
static bool fill(struct pq_showq *sq, const char *what)
{
	if (sq->failed)
		return false;
	for (;;) {
		int wait = sq->lim.idle_ms;
		bool total = false;
		if (sq->have_deadline) {
			long left = ms_left(sq);
			if (left <= 0) {
				fail(sq, PQ_EX_UNAVAILABLE, "timeout after %d ms while reading %s",
				     sq->lim.total_ms, what);
				return false;
			}
			if (left < wait) {
				wait = (int)left;
				total = true;
			}
		}
		struct pollfd p = { .fd = sq->fd, .events = POLLIN };
		int n = poll(&p, 1, wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(sq, PQ_EX_UNAVAILABLE, "poll: %s", strerror(errno));
			return false;
		}
		if (n == 0) {
			if (total)
				continue;	/* the deadline check above reports it */
			fail(sq, PQ_EX_UNAVAILABLE, "timeout: nothing received for %d ms "
			     "while reading %s", sq->lim.idle_ms, what);
			return false;
		}
		ssize_t got = read(sq->fd, sq->in, INBUF);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail(sq, PQ_EX_UNAVAILABLE, "read: %s", strerror(errno));
			return false;
		}
		if (got == 0)
			return false;
		sq->inpos = 0;
		sq->inlen = (size_t)got;
		return true;
	}
}

/* The next byte without taking it; -1 at EOF or on error. */
static int peek(struct pq_showq *sq, const char *what)
{
	if (sq->inpos == sq->inlen && !fill(sq, what))
		return -1;
	return sq->in[sq->inpos];
}

/*
 * One NUL-terminated string into out, at most max bytes; false (error
 * recorded) on EOF, a read error or a string too long.
 */
static bool get_string(struct pq_showq *sq, struct pq_buf *out, size_t max,
		       const char *what)
{
	pq_buf_reset(out);
	for (;;) {
		if (sq->inpos == sq->inlen && !fill(sq, what)) {
			fail(sq, MALFORMED, "malformed response: premature end of "
			     "input while reading %s", what);
			return false;
		}
		const unsigned char *p = sq->in + sq->inpos;
		size_t avail = sq->inlen - sq->inpos;
		const unsigned char *nul = memchr(p, 0, avail);
		size_t n = nul ? (size_t)(nul - p) : avail;
		if (out->len + n > max) {
			fail(sq, MALFORMED, "malformed response: %s longer than "
			     "%zu bytes", what, max);
			return false;
		}
		pq_buf_add(out, p, n);
		sq->inpos += n;
		if (nul) {
			sq->inpos++;
			return true;
		}
	}
}

/*
 * The next attribute, which must be called want: its value in
 * sq->value. An end of list or another name is an error, as in
 * postqueue's strict scan.
 */
static bool get_attr(struct pq_showq *sq, const char *want)
{
	char what[64];

	snprintf(what, sizeof(what), "attribute name (expecting %s)", want);
	if (!get_string(sq, &sq->name, PQ_SHOWQ_MAX_NAME, what))
		return false;
	if (sq->name.len == 0) {
		fail(sq, MALFORMED, "malformed response: missing attribute %s", want);
		return false;
	}
	if (strcmp(sq->name.data, want) != 0) {
		struct pq_buf tmp = PQ_BUF_INIT;
		fail(sq, MALFORMED, "malformed response: unexpected attribute "
		     "\"%s\" (expecting %s)", shown(&tmp, sq->name.data), want);
		pq_buf_free(&tmp);
		return false;
	}
	snprintf(what, sizeof(what), "the value of %s", want);
	if (!get_string(sq, &sq->value, sq->lim.max_string, what))
		return false;
	sq->msgbytes += sq->value.len + 1;
	if (sq->msgbytes > sq->lim.max_message) {
		fail(sq, MALFORMED, "malformed response: message %s holds more "
		     "than %zu bytes", pq_buf_str(&sq->msg.idbuf), sq->lim.max_message);
		return false;
	}
	return true;
}

/* A plain decimal up to max (what attr_print0 writes with %lu / %u). */
static bool get_number(struct pq_showq *sq, const char *want,
		       unsigned long max, unsigned long *val)
{
	if (!get_attr(sq, want))
		return false;
	const char *s = sq->value.data;
	unsigned long v = 0;
	bool ok = *s != 0;
	for (; ok && *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (unsigned long)(*s - '0')) / 10)
			ok = false;
		else
			v = v * 10 + (unsigned long)(*s - '0');
	}
	if (!ok) {
		struct pq_buf tmp = PQ_BUF_INIT;
		fail(sq, MALFORMED, "malformed response: bad number for %s: \"%s\"",
		     want, shown(&tmp, sq->value.data));
		pq_buf_free(&tmp);
		return false;
	}
	*val = v;
	return true;
}

/* ATTR_FLAG_PRINTABLE: every string postqueue receives is made printable. */
static char *printable(struct pq_showq *sq, struct pq_buf *b)
{
	if (b->data == NULL)
		pq_buf_set(b, "");
	return pq_printable(b->data, '?', sq->utf8);
}

static const char *queue_name(struct pq_showq *sq, const char *name)
{
	for (size_t i = 0; queue_names[i]; i++)
		if (strcmp(queue_names[i], name) == 0)
			return queue_names[i];
	pq_buf_set(&sq->queue, name);
	return sq->queue.data;
}

/* The protocol announcement: protocol=mail_queue_list_protocol, end. */
static bool read_hello(struct pq_showq *sq)
{
	sq->started = true;
	if (!get_attr(sq, "protocol"))
		return false;
	if (strcmp(sq->value.data, "mail_queue_list_protocol") != 0) {
		struct pq_buf tmp = PQ_BUF_INIT;
		fail(sq, MALFORMED, "not the showq service: protocol \"%s\"",
		     shown(&tmp, sq->value.data));
		pq_buf_free(&tmp);
		return false;
	}
	if (!get_string(sq, &sq->name, PQ_SHOWQ_MAX_NAME, "the end of the "
			"protocol announcement"))
		return false;
	if (sq->name.len != 0) {
		struct pq_buf tmp = PQ_BUF_INIT;
		fail(sq, MALFORMED, "malformed response: unexpected attribute "
		     "\"%s\" after the protocol name", shown(&tmp, sq->name.data));
		pq_buf_free(&tmp);
		return false;
	}
	return true;
}

static bool read_message(struct pq_showq *sq)
{
	struct pq_qmsg *m = &sq->msg;
	unsigned long v;

	sq->msgbytes = 0;
	pq_buf_reset(&m->idbuf);
	pq_strlist_reset(&m->rcpts);
	pq_strlist_reset(&m->reasons);
	if (!get_attr(sq, "queue_name"))
		return false;
	m->queue = queue_name(sq, printable(sq, &sq->value));
	if (!get_attr(sq, "queue_id"))
		return false;
	pq_buf_set(&m->idbuf, printable(sq, &sq->value));
	m->id = m->idbuf.data;
	if (!get_number(sq, "time", LONG_MAX, &v))
		return false;
	m->arrival = (long)v;
	if (!get_number(sq, "size", LONG_MAX, &v))
		return false;
	m->size = (long)v;
	if (!get_number(sq, "forced_expire", UINT_MAX, &v))
		return false;
	m->forced_expire = v != 0;
	if (!get_attr(sq, "sender"))
		return false;
	pq_buf_set(&m->sender, printable(sq, &sq->value));
	memset(&m->st, 0, sizeof(m->st));
	m->done_rcpts = 0;
	m->status = PQ_ENV_OK;
	m->arrival_is_mtime = false;
	for (;;) {
		int c = peek(sq, "the next recipient");
		if (c < 0) {
			fail(sq, MALFORMED, "malformed response: premature end of "
			     "input in message %s", m->id);
			return false;
		}
		if (c == 0) {
			sq->inpos++;
			return true;
		}
		if (!get_attr(sq, "recipient"))
			return false;
		pq_strlist_add(&m->rcpts, printable(sq, &sq->value));
		if (!get_attr(sq, "reason"))
			return false;
		pq_strlist_add(&m->reasons, printable(sq, &sq->value));
		/* The lists' own bookkeeping counts against the bound too. */
		sq->msgbytes += 2 * sizeof(size_t);
	}
}

const struct pq_qmsg *pq_showq_next(struct pq_showq *sq)
{
	if (sq->failed || sq->done)
		return NULL;
	if (!sq->started && !read_hello(sq))
		return NULL;
	int c = peek(sq, "the next message");
	if (c < 0) {
		fail(sq, MALFORMED, "malformed response: premature end of input "
		     "(no end of listing)");
		return NULL;
	}
	if (c == 0) {
		sq->inpos++;
		sq->done = true;
		return NULL;
	}
	return read_message(sq) ? &sq->msg : NULL;
}

void pq_showq_attach(struct pq_showq *sq, int fd, const char *label,
		     const struct pq_showq_limits *lim, bool utf8)
{
	memset(sq, 0, sizeof(*sq));
	sq->fd = fd;
	sq->label = pq_xstrdup(label);
	if (lim)
		sq->lim = *lim;
	else
		pq_showq_limits_default(&sq->lim);
	if (sq->lim.idle_ms <= 0)
		sq->lim.idle_ms = PQ_SHOWQ_IDLE_MS;
	sq->utf8 = utf8;
	sq->in = pq_xmalloc(INBUF);
	if (sq->lim.total_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &sq->deadline);
		sq->deadline.tv_sec += sq->lim.total_ms / 1000;
		sq->deadline.tv_nsec += (long)(sq->lim.total_ms % 1000) * 1000000;
		if (sq->deadline.tv_nsec >= 1000000000) {
			sq->deadline.tv_sec++;
			sq->deadline.tv_nsec -= 1000000000;
		}
		sq->have_deadline = true;
	}
}

/*
 * A path longer than sun_path is reached through its directory: open
 * that and connect to /proc/self/fd/N/NAME (*dirfd, else -1). 0 or an
 * errno value.
 */
static int socket_address(const char *path, struct sockaddr_un *sun,
			  int *dirfd)
{
	*dirfd = -1;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) < sizeof(sun->sun_path)) {
		strcpy(sun->sun_path, path);
		return 0;
	}
	const char *slash = strrchr(path, '/');
	if (slash == NULL || slash == path)
		return ENAMETOOLONG;
	char *dir = pq_xstrndup(path, (size_t)(slash - path));
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int saved = errno;
	free(dir);
	if (*dirfd < 0)
		return saved;
	int n = snprintf(sun->sun_path, sizeof(sun->sun_path), "/proc/self/fd/%d/%s",
			 *dirfd, slash + 1);
	return n > 0 && (size_t)n < sizeof(sun->sun_path) ? 0 : ENAMETOOLONG;
}

static void connect_error(struct pq_err *err, const char *path, int e, int idle)
{
	if (e == EACCES || e == EPERM)
		pq_err_set(err, PQ_EX_NOPERM, "connect to showq %s: %s (the service "
			   "is open to root and to the setgid_group, postdrop)",
			   path, strerror(e));
	else if (e == ENOENT || e == ECONNREFUSED)
		pq_err_set(err, PQ_EX_UNAVAILABLE, "connect to showq %s: %s "
			   "(is Postfix running?)", path, strerror(e));
	else if (e == EAGAIN || e == EINPROGRESS)
		pq_err_set(err, PQ_EX_UNAVAILABLE, "connect to showq %s: timeout "
			   "after %d ms", path, idle);
	else
		pq_err_set(err, PQ_EX_UNAVAILABLE, "connect to showq %s: %s", path,
			   strerror(e));
}

bool pq_showq_connect(struct pq_showq *sq, const char *path,
		      const struct pq_showq_limits *lim, bool utf8,
		      struct pq_err *err)
{
	struct pq_showq_limits l;
	struct sockaddr_un sun;
	int dirfd, e;

	if (lim == NULL)
		pq_showq_limits_default(&l);
	else
		l = *lim;
	int idle = l.idle_ms > 0 ? l.idle_ms : PQ_SHOWQ_IDLE_MS;
	memset(sq, 0, sizeof(*sq));
	sq->fd = -1;
	if ((e = socket_address(path, &sun, &dirfd)) != 0) {
		if (dirfd >= 0)
			close(dirfd);
		connect_error(err, path, e, idle);
		return false;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		if (dirfd >= 0)
			close(dirfd);
		pq_err_set(err, PQ_EX_OSERR, "socket: %s", strerror(e));
		return false;
	}
	/* A full listen queue makes connect() wait: no longer than a read. */
	struct timeval tv = { .tv_sec = idle / 1000, .tv_usec = (idle % 1000) * 1000 };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int rc;
	do
		rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	while (rc < 0 && errno == EINTR);
	e = errno;
	if (dirfd >= 0)
		close(dirfd);
	if (rc < 0) {
		close(fd);
		connect_error(err, path, e, idle);
		return false;
	}
	pq_showq_attach(sq, fd, path, &l, utf8);
	return true;
}

void pq_showq_close(struct pq_showq *sq)
{
	if (sq->fd >= 0)
		close(sq->fd);
	free(sq->label);
	free(sq->in);
	pq_buf_free(&sq->name);
	pq_buf_free(&sq->value);
	pq_buf_free(&sq->queue);
	pq_qmsg_free(&sq->msg);
	memset(sq, 0, sizeof(*sq));
	sq->fd = -1;
}
