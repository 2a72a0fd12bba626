/*
 * record - read Postfix queue file records; see record.h.
 */
#include "spool/record.h"

#include "util/alloc.h"
#include "util/diag.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Most envelopes fit in one read of this size. */
#define READ_CHUNK 8192
#define REVERSE_JUMP_LIMIT 10000

void pq_rec_init(struct pq_rec_reader *r, int fd, const char *path,
		 off_t file_size)
{
	unsigned char *keep = r->buf;
	size_t keep_cap = r->buf_cap;

	memset(r, 0, sizeof(*r));
	r->buf = keep;		/* reuse the buffer across files */
	r->buf_cap = keep_cap;
	r->fd = fd;
	r->path = path;
	r->file_size = file_size;
}

static void reserve(struct pq_rec_reader *r, size_t cap)
{
	if (r->buf_cap >= cap)
		return;
	unsigned char *p = realloc(r->buf, cap);
	if (p == NULL)
		pq_oom(0);
	r->buf = p;
	r->buf_cap = cap;
}

void pq_rec_preload(struct pq_rec_reader *r, const unsigned char *data,
		    size_t len)
{
	reserve(r, len);
	if (len > 0)
		memcpy(r->buf, data, len);
	r->buf_off = 0;
	r->buf_len = len;
	if (r->fd < 0 && r->open_rest == NULL)
		r->file_size = (off_t)len;
}

void pq_rec_open_later(struct pq_rec_reader *r, int (*open_rest)(void *),
		       void *ctx)
{
	r->open_rest = open_rest;
	r->open_ctx = ctx;
}

/*
 * The file offset just past the buffered bytes. Both terms describe
 * bytes that were actually read (buf_off is where a read began, inside
 * the file), so the sum is bounded by a real file's size.
 */
static off_t buf_end(const struct pq_rec_reader *r)
{
	return r->buf_off + (off_t)r->buf_len;
}

/* The descriptor for reads past the preload, opened on first need. */
static bool have_fd(struct pq_rec_reader *r)
{
	if (r->fd < 0 && r->open_rest != NULL) {
		r->fd = r->open_rest(r->open_ctx);
		r->open_rest = NULL;
		struct stat st;
		if (r->fd >= 0 && r->file_size < 0)
			r->file_size = fstat(r->fd, &st) == 0 ? st.st_size : 0;
		if (r->fd < 0) {
			r->file_size = buf_end(r);
			r->rest_failed = true;
		}
	}
	return r->fd >= 0;
}

void pq_rec_free(struct pq_rec_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->buf_cap = 0;
}

/* Make at least one byte at r->pos available in the buffer. */
static bool fill(struct pq_rec_reader *r)
{
	/* Differences, not sums: a pointer may have set pos near OFF_MAX. */
	if (r->pos >= r->buf_off && r->pos - r->buf_off < (off_t)r->buf_len)
		return true;
	/*
	 * Past the size seen at open: EOF without a system call. Queue files
	 * only grow by heap records that a pointer record leads to, and
	 * read_data() looks again before it gives up on a record.
	 */
	if (r->file_size >= 0 && r->pos >= r->file_size)
		return false;
	/* A size not known yet is learnt when the file is opened. */
	if (!have_fd(r) || r->pos >= r->file_size)
		return false;
	reserve(r, READ_CHUNK);
	ssize_t n;
	do
		n = pread(r->fd, r->buf, r->buf_cap, r->pos);
	while (n < 0 && errno == EINTR);
	r->buf_off = r->pos;
	r->buf_len = n > 0 ? (size_t)n : 0;
	if (n < 0)
		pq_warn("%s: read error: %s", r->path, strerror(errno));
	return n > 0;
}

static int getbyte(struct pq_rec_reader *r)
{
	if (!fill(r))
		return EOF;
	return r->buf[r->pos++ - r->buf_off];
}

/* Copy len bytes at r->pos into data; false on a short file. */
static bool read_data(struct pq_rec_reader *r, struct pq_buf *data, size_t len)
{
	pq_buf_reset(data);
	/* Size unknown (not opened yet): the preload is what is known. */
	bool unknown = r->file_size < 0;
	off_t end = unknown ? buf_end(r) : r->file_size;
	if ((off_t)len > end - r->pos) {
		/*
		 * Opening tells the size; an open file may have grown since
		 * it was measured: look again.
		 */
		struct stat st;
		if (have_fd(r) && !unknown && fstat(r->fd, &st) == 0)
			r->file_size = st.st_size;
		if ((off_t)len > r->file_size - r->pos)
			return false;
	}
	pq_buf_reserve(data, len);
	while (len > 0) {
		if (!fill(r))
			return false;
		size_t avail = r->buf_len - (size_t)(r->pos - r->buf_off);
		size_t n = avail < len ? avail : len;
		pq_buf_add(data, r->buf + (r->pos - r->buf_off), n);
		r->pos += (off_t)n;
		len -= n;
	}
	return true;
}

bool pq_rec_seek(struct pq_rec_reader *r, off_t offset, int whence)
{
	off_t target = offset;

	/*
	 * Offsets come from the file (a size record says how far to jump):
	 * one at the largest off_t must be damage, not a signed overflow.
	 * lseek() refuses it with EINVAL, which makes showq give up on the
	 * file; so does this.
	 */
	if (whence == SEEK_CUR && __builtin_add_overflow(r->pos, offset, &target)) {
		pq_warn("%s: seek error: offset %jd from %jd is past any file",
			r->path, (intmax_t)offset, (intmax_t)r->pos);
		return false;
	}
	if (target < 0)
		return false;
	r->pos = target;
	return true;
}

off_t pq_rec_tell(const struct pq_rec_reader *r)
{
	return r->pos;
}

/* rec_goto(): follow a pointer record; 0 to go on, or PQ_REC_ERROR. */
static int follow_pointer(struct pq_rec_reader *r, const char *text)
{
	while (isspace((unsigned char)*text))
		text++;
	/* off_cvt_string(): decimal digits only, no overflow. */
	off_t offset = 0;
	const char *cp = text;
	for (; *cp; cp++) {
		if (!isdigit((unsigned char)*cp)
		    || offset > (LLONG_MAX - 9) / 10) {
			offset = -1;
			break;
		}
		offset = offset * 10 + (*cp - '0');
	}
	if (cp == text)
		offset = -1;
	if (offset < 0) {
		pq_warn("%s: malformed pointer record value: %s", r->path, text);
		return PQ_REC_ERROR;
	}
	if (offset == 0)
		return 0;
	if (offset <= r->jump_offset && ++r->reverse_jumps > REVERSE_JUMP_LIMIT) {
		pq_warn("%s: too many reverse jump records", r->path);
		return PQ_REC_ERROR;
	}
	r->pos = offset;
	r->jump_offset = offset;
	return 0;
}

int pq_rec_get(struct pq_rec_reader *r, struct pq_buf *data, int flags)
{
	for (;;) {
		int type = getbyte(r);
		if (type == EOF)
			return PQ_REC_EOF;

		/* 64 bits whatever size_t is: 5 length bytes cannot wrap it. */
		uint64_t len = 0;
		for (unsigned shift = 0;; shift += 7) {
			if (shift >= 32) {
				pq_warn("%s: too many length bits, record type %d",
					r->path, type);
				return PQ_REC_ERROR;
			}
			int b = getbyte(r);
			if (b == EOF) {
				if (!r->rest_failed)
					pq_warn("%s: unexpected EOF reading length, "
						"record type %d", r->path, type);
				return PQ_REC_ERROR;
			}
			len |= (uint64_t)(b & 0177) << shift;
			if ((b & 0200) == 0)
				break;
		}
		if (len > INT_MAX) {
			pq_warn("%s: illegal length %ju, record type %d",
				r->path, (uintmax_t)len, type);
			return PQ_REC_ERROR;
		}
		if (!read_data(r, data, (size_t)len)) {
			if (!r->rest_failed)
				pq_warn("%s: unexpected EOF in data, record type %d "
					"length %zu", r->path, type, (size_t)len);
			return PQ_REC_ERROR;
		}
		if (type == PQ_REC_PTR && (flags & PQ_REC_FOLLOW_PTR)) {
			if (follow_pointer(r, pq_buf_str(data)) == PQ_REC_ERROR)
				return PQ_REC_ERROR;
			continue;
		}
		if (type == PQ_REC_DTXT && (flags & PQ_REC_SKIP_DTXT))
			continue;
		if (type == PQ_REC_END && (flags & PQ_REC_SEEK_END)) {
			/* To the end of the file, whose size opening tells. */
			if (r->file_size < 0)
				have_fd(r);
			r->pos = r->file_size > r->pos ? r->file_size : r->pos;
		}
		return type;
	}
}
