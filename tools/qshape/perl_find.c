/*
 * perl_find - File::Find's traversal order; see perl_find.h.
 */
#include "perl_find.h"

#include "util/buf.h"
#include "common/die.h"
#include "util/diag.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct subdirs {
	char **names;
	size_t n, cap;
};

void pq_find_error(struct pq_find_errors *e, int err)
{
	e->n++;
	if (err == EACCES || err == EPERM)
		e->perm++;
}

static void walk(int dirfd, const char *path, const char *top, pq_find_fn fn,
		 void *ctx, int depth, struct pq_find_errors *errs)
{
	DIR *dir = fdopendir(dirfd);
	struct subdirs subs = { NULL, 0, 0 };
	struct dirent *dp;

	if (dir == NULL) {
		pq_warn("Can't opendir(%s): %s", path, strerror(errno));
		pq_find_error(errs, errno);
		close(dirfd);
		return;
	}
	for (;;) {
		errno = 0;
		if ((dp = readdir(dir)) == NULL) {
			if (errno != 0) {
				pq_warn("Can't read directory %s: %s", path,
					strerror(errno));
				pq_find_error(errs, errno);
			}
			break;
		}
		const char *name = dp->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		bool is_dir = dp->d_type == DT_DIR;
		if (dp->d_type == DT_UNKNOWN) {
			struct stat st;
			is_dir = fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
				 && S_ISDIR(st.st_mode);
		}
		if (!is_dir) {
			fn(ctx, dirfd, path, name, dp->d_type, top);
			continue;
		}
		if (subs.n == subs.cap) {
			subs.cap = subs.cap ? subs.cap * 2 : 16;
			subs.names = realloc(subs.names, subs.cap * sizeof(char *));
			if (subs.names == NULL)
				pq_fatal(PQ_EX_OSERR, "out of memory");
		}
		if ((subs.names[subs.n++] = strdup(name)) == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	for (size_t i = 0; i < subs.n; i++) {
		struct pq_buf sub = PQ_BUF_INIT;
		pq_buf_printf(&sub, "%s/%s", path, subs.names[i]);
		int fd = depth < 4096
			 ? openat(dirfd, subs.names[i],
				  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			 : -1;
		if (fd < 0) {
			int err = depth < 4096 ? errno : ELOOP;
			/* One that vanished since readdir is no loss. */
			if (err != ENOENT) {
				pq_warn("Can't cd to %s: %s", sub.data,
					depth < 4096 ? strerror(err) : "too deep");
				pq_find_error(errs, err);
			}
		} else {
			walk(fd, sub.data, top, fn, ctx, depth + 1, errs);
		}
		pq_buf_free(&sub);
		free(subs.names[i]);
	}
	free(subs.names);
	closedir(dir);
}

void pq_perl_find(int basefd, const char *const *tops, size_t ntops,
		  pq_find_fn fn, void *ctx, struct pq_find_errors *errs)
{
	for (size_t t = 0; t < ntops; t++) {
		struct stat st;
		const char *top = tops[t];

		if (fstatat(basefd, top, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			pq_warn("Can't stat %s: %s", top, strerror(errno));
			pq_find_error(errs, errno);
			continue;
		}
		struct pq_buf item = PQ_BUF_INIT;
		pq_buf_set(&item, top);
		if (item.len > 1 && item.data[item.len - 1] == '/')
			item.data[--item.len] = 0;
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(basefd, item.data,
					O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0) {
				pq_warn("Can't cd to %s: %s", item.data, strerror(errno));
				pq_find_error(errs, errno);
			} else {
				walk(fd, item.data, top, fn, ctx, 0, errs);
			}
		} else {
			/* File::Basename::fileparse: directory part with its '/'. */
			char *slash = strrchr(item.data, '/');
			const char *base = item.data;
			int fd = basefd;
			struct pq_buf d = PQ_BUF_INIT;
			pq_buf_set(&d, ".");
			if (slash) {
				pq_buf_reset(&d);
				pq_buf_add(&d, item.data, (size_t)(slash - item.data) + 1);
				base = slash + 1;
				fd = openat(basefd, d.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (fd < 0) {
					pq_warn("Couldn't chdir %s: %s", d.data, strerror(errno));
					pq_find_error(errs, errno);
				}
			}
			if (fd >= 0) {
				fn(ctx, fd, d.data, base, DT_UNKNOWN, top);
				if (fd != basefd)
					close(fd);
			}
			pq_buf_free(&d);
		}
		pq_buf_free(&item);
	}
}
