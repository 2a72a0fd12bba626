/*
 * logread - plain or gzip log files, line by line; see logread.h.
 */
#include "log/logread.h"

#include "util/alloc.h"
#include "util/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct pq_logread {
	gzFile gz;		/* NULL: raw reads from fd */
	int fd;
	char *data;
	size_t cap, start, end, scan;
	int eof;
	char *err;
	char *path;		/* for messages: the name given, or "-" */
	unsigned long lineno;	/* lines returned so far */
	int skipping;		/* inside the rest of an over-long line */
};

#define LOGREAD_CHUNK (256 * 1024)

/*
 * A regular file that does not start with the gzip magic is read with
 * read(2). Anything else (pipes, terminals, .gz files) goes through
 * zlib, which also passes plain data through: peeking at a pipe would
 * consume the bytes.
 */
static int plain_file(int fd)
{
	struct stat st;
	unsigned char m[2];

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	ssize_t n = pread(fd, m, 2, 0);
	if (n < 0)
		return 0;	/* let zlib meet (and report) the error */
	return !(n == 2 && m[0] == 0x1f && m[1] == 0x8b);
}

struct pq_logread *pq_logread_open(const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		fd = dup(0);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct pq_logread *r = pq_xcalloc(1, sizeof(*r));
	r->fd = fd;
	r->path = pq_xstrdup(path ? path : "-");
	if (!plain_file(fd)) {
		r->gz = gzdopen(fd, "rb");
		if (r->gz == NULL) {
			close(fd);
			free(r->path);
			free(r);
			errno = ENOMEM;
			return NULL;
		}
		gzbuffer(r->gz, LOGREAD_CHUNK);
	}
	return r;
}

size_t pq_logread_read(struct pq_logread *r, char *buf, size_t n)
{
	if (r->eof || n == 0)
		return 0;
	if (r->gz) {
		int k = gzread(r->gz, buf, (unsigned)(n > INT_MAX ? INT_MAX : n));
		if (k > 0)
			return (size_t)k;
		/*
		 * gzread returns 0, not -1, at the end of a truncated member;
		 * only gzerror says the input ended early (zcat's "unexpected
		 * end of file").
		 */
		int zerr;
		const char *m = gzerror(r->gz, &zerr);
		if ((k < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) && r->err == NULL)
			r->err = pq_xstrdup(zerr == Z_ERRNO ? strerror(errno) : m);
		r->eof = 1;
		return 0;
	}
	for (;;) {
		ssize_t k = read(r->fd, buf, n > SSIZE_MAX ? SSIZE_MAX : n);
		if (k > 0)
			return (size_t)k;
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && r->err == NULL)
			r->err = pq_xstrdup(strerror(errno));
		r->eof = 1;
		return 0;
	}
}

/* Read more input after end; false at end of input. */
static int fill(struct pq_logread *r)
{
	if (r->eof)
		return 0;
	if (r->data == NULL) {
		r->cap = 2 * LOGREAD_CHUNK;
		r->data = pq_xmalloc(r->cap);
	}
	if (r->start > 0 && (r->cap - r->end) < LOGREAD_CHUNK) {
		memmove(r->data, r->data + r->start, r->end - r->start);
		r->end -= r->start;
		r->scan -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < LOGREAD_CHUNK) {
		/* Bounded: a line never holds more than PQ_LOGREAD_MAX_LINE. */
		r->cap *= 2;
		r->data = pq_xrealloc(r->data, r->cap);
	}
	size_t n = pq_logread_read(r, r->data + r->end, r->cap - r->end);
	if (n == 0)
		return 0;
	r->end += n;
	return 1;
}

/* The line at start..start+n, counted; the next starts at next. */
static const char *take(struct pq_logread *r, size_t n, size_t next, size_t *len)
{
	const char *line = r->data + r->start;

	*len = n;
	r->start = r->scan = next;
	r->lineno++;
	return line;
}

const char *pq_logread_line(struct pq_logread *r, size_t *len)
{
	for (;;) {
		char *nl = r->data ? memchr(r->data + r->scan, '\n', r->end - r->scan) : NULL;
		if (r->skipping) {
			/* Drop the rest of an over-long line, up to its newline. */
			if (nl == NULL) {
				r->start = r->scan = r->end;
				if (!fill(r))
					return NULL;
				continue;
			}
			r->start = r->scan = (size_t)(nl - r->data) + 1;
			r->skipping = 0;
			continue;
		}
		if (nl) {
			size_t n = (size_t)(nl - (r->data + r->start));
			if (n > PQ_LOGREAD_MAX_LINE) {
				pq_warn("%s: line %lu: longer than %u bytes; the rest of it is skipped",
					r->path, r->lineno + 1, PQ_LOGREAD_MAX_LINE);
				n = PQ_LOGREAD_MAX_LINE;
			}
			return take(r, n, (size_t)(nl - r->data) + 1, len);
		}
		r->scan = r->end;
		if (r->end - r->start >= PQ_LOGREAD_MAX_LINE) {
			pq_warn("%s: line %lu: longer than %u bytes; the rest of it is skipped",
				r->path, r->lineno + 1, PQ_LOGREAD_MAX_LINE);
			r->skipping = 1;
			return take(r, PQ_LOGREAD_MAX_LINE, r->end, len);
		}
		if (!fill(r)) {
			if (r->end > r->start)
				return take(r, r->end - r->start, r->end, len);
			return NULL;
		}
	}
}

const char *pq_logread_error(const struct pq_logread *r)
{
	return r->err;
}

void pq_logread_close(struct pq_logread *r)
{
	if (r == NULL)
		return;
	if (r->gz)
		gzclose(r->gz);
	else
		close(r->fd);
	free(r->data);
	free(r->err);
	free(r->path);
	free(r);
}
