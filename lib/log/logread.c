/*
 * logread - plain or gzip log files, line by line; see logread.h.
 */
#include "log/logread.h"

#include "util/diag.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

struct logread {
	gzFile gz;		/* NULL: raw reads from fd */
	int fd;
	char *data;
	size_t cap, start, end, scan;
	int eof;
	char *err;
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

struct logread *logread_open(const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		fd = dup(0);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct logread *r = calloc(1, sizeof(*r));
	if (r == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	r->fd = fd;
	if (!plain_file(fd)) {
		r->gz = gzdopen(fd, "rb");
		if (r->gz == NULL) {
			close(fd);
			free(r);
			errno = ENOMEM;
			return NULL;
		}
		gzbuffer(r->gz, LOGREAD_CHUNK);
	}
	return r;
}

size_t logread_read(struct logread *r, char *buf, size_t n)
{
	if (r->eof || n == 0)
		return 0;
	if (r->gz) {
		int k = gzread(r->gz, buf, (unsigned)(n > INT_MAX ? INT_MAX : n));
		if (k > 0)
			return (size_t)k;
		if (k < 0 && r->err == NULL) {
			int zerr;
			const char *m = gzerror(r->gz, &zerr);
			r->err = strdup(zerr == Z_ERRNO ? strerror(errno) : m);
		}
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
			r->err = strdup(strerror(errno));
		r->eof = 1;
		return 0;
	}
}

/* Read more input after end; false at end of input. */
static int fill(struct logread *r)
{
	if (r->eof)
		return 0;
	if (r->data == NULL) {
		r->cap = 2 * LOGREAD_CHUNK;
		r->data = malloc(r->cap);
		if (r->data == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	if (r->start > 0 && (r->cap - r->end) < LOGREAD_CHUNK) {
		memmove(r->data, r->data + r->start, r->end - r->start);
		r->end -= r->start;
		r->scan -= r->start;
		r->start = 0;
	}
	if (r->cap - r->end < LOGREAD_CHUNK) {
		if (r->cap > ((size_t)-1) / 4)
			pq_fatal(PQ_EX_SOFTWARE, "line too long");
		r->cap *= 2;
		char *p = realloc(r->data, r->cap);
		if (p == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
		r->data = p;
	}
	size_t n = logread_read(r, r->data + r->end, r->cap - r->end);
	if (n == 0)
		return 0;
	r->end += n;
	return 1;
}

const char *logread_line(struct logread *r, size_t *len)
{
	for (;;) {
		char *nl = r->data ? memchr(r->data + r->scan, '\n', r->end - r->scan) : NULL;
		if (nl) {
			const char *line = r->data + r->start;
			*len = (size_t)(nl - line);
			r->start = r->scan = (size_t)(nl - r->data) + 1;
			return line;
		}
		r->scan = r->end;
		if (!fill(r)) {
			if (r->end > r->start) {
				const char *line = r->data + r->start;
				*len = r->end - r->start;
				r->start = r->scan = r->end;
				return line;
			}
			return NULL;
		}
	}
}

const char *logread_error(const struct logread *r)
{
	return r->err;
}

void logread_close(struct logread *r)
{
	if (r == NULL)
		return;
	if (r->gz)
		gzclose(r->gz);
	else
		close(r->fd);
	free(r->data);
	free(r->err);
	free(r);
}
