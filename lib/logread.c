/*
 * logread - plain or gzip log files, line by line; see logread.h.
 */
#include "logread.h"

#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

struct logread {
	gzFile gz;
	char *data;
	size_t cap, start, end, scan;
	int eof;
	char *err;
};

#define LOGREAD_CHUNK (256 * 1024)

struct logread *logread_open(const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		fd = dup(0);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	gzFile gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	gzbuffer(gz, LOGREAD_CHUNK);
	struct logread *r = calloc(1, sizeof(*r));
	if (r == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	r->gz = gz;
	r->cap = 2 * LOGREAD_CHUNK;
	r->data = malloc(r->cap);
	if (r->data == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	return r;
}

/* Read more input after end; false at end of input. */
static int fill(struct logread *r)
{
	if (r->eof)
		return 0;
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
	int n = gzread(r->gz, r->data + r->end, (unsigned)(r->cap - r->end));
	if (n <= 0) {
		if (n < 0 && r->err == NULL) {
			int zerr;
			const char *m = gzerror(r->gz, &zerr);
			r->err = strdup(zerr == Z_ERRNO ? strerror(errno) : m);
		}
		r->eof = 1;
		return 0;
	}
	r->end += (size_t)n;
	return 1;
}

const char *logread_line(struct logread *r, size_t *len)
{
	for (;;) {
		char *nl = memchr(r->data + r->scan, '\n', r->end - r->scan);
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
	gzclose(r->gz);
	free(r->data);
	free(r->err);
	free(r);
}
