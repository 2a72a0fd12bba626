/*
 * regfile - regular files only, never blocking, within a cap; see
 * regfile.h.
 */
#include "util/regfile.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int pq_regfile_open(int dirfd, const char *name, bool *noatime,
		    struct stat *st)
{
	int fd = -1;

	if (noatime && *noatime) {
		fd = openat(dirfd, name, PQ_REGFILE_FLAGS | O_NOATIME);
		if (fd < 0 && errno == EPERM)
			*noatime = false;
	}
	if (fd < 0 && (noatime == NULL || !*noatime))
		fd = openat(dirfd, name, PQ_REGFILE_FLAGS);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		int saved = S_ISREG(st->st_mode) ? errno : PQ_ENOTREG;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

ssize_t pq_regfile_read(int fd, struct pq_buf *out, size_t cap, bool *cut)
{
	size_t start = out->len;

	*cut = false;
	for (;;) {
		size_t got = out->len - start;
		if (got >= cap) {
			/* One byte more says whether there is more. */
			char probe;
			ssize_t n;
			do
				n = read(fd, &probe, 1);
			while (n < 0 && errno == EINTR);
			*cut = n > 0;
			break;
		}
		size_t want = cap - got < 65536 ? cap - got : 65536;
		pq_buf_reserve(out, want);
		ssize_t n = read(fd, out->data + out->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->data[out->len] = 0;
	}
	return (ssize_t)(out->len - start);
}

const char *pq_regfile_strerror(int err)
{
	return err == PQ_ENOTREG ? "not a regular file" : strerror(err);
}
