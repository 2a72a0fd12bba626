/*
 * spool - a Postfix queue directory; see spool.h.
 */
#include "spool/spool.h"

#include "util/alloc.h"
#include "util/diag.h"
#include "spool/queue_id.h"
#include "util/regfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *const pq_message_queues_showq[] = {
	"maildrop", "active", "incoming", "deferred", "hold", NULL
};

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		pq_oom(0);
	return p;
}

/* Split on commas and white space, as Postfix's argv_split(CHARS_COMMA_SP). */
static void split_names(struct pq_spool *sp, const char *list)
{
	char *copy = xstrdup(list);
	char *save = NULL;

	sp->nhash = 0;
	sp->hash_names = NULL;
	for (char *tok = strtok_r(copy, ", \t\r\n", &save); tok;
	     tok = strtok_r(NULL, ", \t\r\n", &save)) {
		char **n = realloc(sp->hash_names,
				   (size_t)(sp->nhash + 1) * sizeof(char *));
		if (n == NULL)
			pq_oom(0);
		sp->hash_names = n;
		sp->hash_names[sp->nhash++] = xstrdup(tok);
	}
	free(copy);
}

/*
 * A spool holds at least one of the message queues. One that cannot be
 * looked at (no search permission) is not counted as missing: the
 * listing says what it could not read.
 */
static bool looks_like_spool(const struct pq_spool *sp)
{
	for (const char *const *q = pq_message_queues_showq; *q; q++) {
		struct stat st;
		if (fstatat(sp->rootfd, *q, &st, 0) == 0 ? S_ISDIR(st.st_mode)
		    : errno != ENOENT && errno != ENOTDIR)
			return true;
	}
	return false;
}

bool pq_spool_open(struct pq_spool *sp, struct pq_config *cfg,
		   const char *root, struct pq_err *err)
{
	long depth;
	int long_ids, utf8;

	memset(sp, 0, sizeof(*sp));
	sp->rootfd = -1;
	sp->root = xstrdup(root ? root : pq_config_get(cfg, "queue_directory"));
	split_names(sp, pq_config_get(cfg, "hash_queue_names"));
	sp->empty_addr = xstrdup(pq_config_get(cfg, "empty_address_recipient"));
	if (!pq_config_long(cfg, "hash_queue_depth", &depth, err))
		goto fail;
	if (depth < 1 || depth > 16) {
		pq_err_set(err, PQ_EX_CONFIG, "bad hash_queue_depth: %ld", depth);
		goto fail;
	}
	sp->hash_depth = (int)depth;
	if ((long_ids = pq_config_bool(cfg, "enable_long_queue_ids", err)) < 0
	    || (utf8 = pq_config_bool(cfg, "smtputf8_enable", err)) < 0
	    || !pq_config_long(cfg, "duplicate_filter_limit", &sp->dup_limit, err))
		goto fail;
	sp->long_ids = long_ids;
	sp->utf8 = utf8;
	sp->rootfd = open(sp->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sp->rootfd < 0) {
		pq_err_set(err, PQ_EX_UNAVAILABLE, "chdir %s: %s", sp->root,
			   strerror(errno));
		goto fail;
	}
	return true;
fail:
	pq_spool_close(sp);
	return false;
}

bool pq_spool_check(const struct pq_spool *sp, struct pq_err *err)
{
	if (looks_like_spool(sp))
		return true;
	pq_err_set(err, PQ_EX_UNAVAILABLE, "%s: not a Postfix queue "
		   "directory (none of maildrop, incoming, active, "
		   "deferred, hold is in it)", sp->root);
	return false;
}

void pq_spool_close(struct pq_spool *sp)
{
	pq_spool_forget_dirs(sp);
	if (sp->rootfd >= 0)
		close(sp->rootfd);
	for (int i = 0; i < sp->nhash; i++)
		free(sp->hash_names[i]);
	free(sp->hash_names);
	free(sp->root);
	free(sp->empty_addr);
	pq_buf_free(&sp->scratch);
	memset(sp, 0, sizeof(*sp));
	sp->rootfd = -1;
}

bool pq_spool_queue_hashed(const struct pq_spool *sp, const char *queue)
{
	for (int i = 0; i < sp->nhash; i++)
		if (strcasecmp(sp->hash_names[i], queue) == 0)
			return true;
	return false;
}

const char *pq_spool_path(struct pq_spool *sp, const char *queue,
			  const char *id, struct pq_buf *out)
{
	pq_buf_reset(out);
	pq_buf_adds(out, queue);
	pq_buf_addc(out, '/');
	if (pq_spool_queue_hashed(sp, queue)) {
		const char *key = pq_qid_hash_key(id, &sp->scratch);
		for (int n = 0; n < sp->hash_depth; n++) {
			pq_buf_addc(out, *key ? *key++ : '_');
			pq_buf_addc(out, '/');
		}
	}
	pq_buf_adds(out, id);
	return pq_buf_str(out);
}

struct spool_dirfd {
	char *dir;
	int fd;
};

/* Enough for hash_queue_depth 2 over every hashed queue. */
#define MAX_DIRFDS 1024

void pq_spool_forget_dirs(struct pq_spool *sp)
{
	for (size_t i = 0; i < sp->ndirfds; i++) {
		if (sp->dirfds[i].fd >= 0)
			close(sp->dirfds[i].fd);
		free(sp->dirfds[i].dir);
	}
	free(sp->dirfds);
	sp->dirfds = NULL;
	sp->ndirfds = 0;
}

int pq_spool_dirfd(struct pq_spool *sp, const char *relpath, const char **base)
{
	const char *slash = strrchr(relpath, '/');

	if (slash == NULL) {
		*base = relpath;
		return sp->rootfd;
	}
	size_t len = (size_t)(slash - relpath);
	/*
	 * Lookups alternate between two directories (a queue and its defer
	 * log, a queue and the one a file moves to): try those first.
	 */
	for (int m = 0; m < 2; m++) {
		size_t i = sp->recent[m];
		if (i < sp->ndirfds && strncmp(sp->dirfds[i].dir, relpath, len) == 0
		    && sp->dirfds[i].dir[len] == 0) {
			*base = slash + 1;
			return sp->dirfds[i].fd;
		}
	}
	for (size_t i = 0; i < sp->ndirfds; i++) {
		if (strncmp(sp->dirfds[i].dir, relpath, len) == 0
		    && sp->dirfds[i].dir[len] == 0) {
			sp->recent[1] = sp->recent[0];
			sp->recent[0] = i;
			*base = slash + 1;
			return sp->dirfds[i].fd;
		}
	}
	*base = relpath;
	if (sp->ndirfds >= MAX_DIRFDS)
		return sp->rootfd;
	char *dir = strndup(relpath, len);
	if (dir == NULL)
		pq_oom(0);
	int fd = openat(sp->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		/* Not cached: the directory may appear later. */
		free(dir);
		return sp->rootfd;
	}
	struct spool_dirfd *v = realloc(sp->dirfds,
					(sp->ndirfds + 1) * sizeof(*v));
	if (v == NULL)
		pq_oom(0);
	sp->dirfds = v;
	sp->dirfds[sp->ndirfds++] = (struct spool_dirfd){ dir, fd };
	*base = slash + 1;
	return fd;
}

int pq_spool_openat(struct pq_spool *sp, const char *relpath, struct stat *st)
{
	const char *base;
	int dfd = pq_spool_dirfd(sp, relpath, &base);
	bool noatime = !sp->no_noatime;
	int fd = pq_regfile_open(dfd, base, &noatime, st);

	sp->no_noatime = !noatime;
	return fd;
}

int pq_spool_lstat(struct pq_spool *sp, const char *relpath, struct stat *st)
{
	const char *base;
	int dfd = pq_spool_dirfd(sp, relpath, &base);

	return fstatat(dfd, base, st, AT_SYMLINK_NOFOLLOW);
}

bool pq_spool_open_ok(struct pq_spool *sp, const char *queue, const char *id,
		      struct stat *st, struct pq_buf *path)
{
	errno = 0;
	if (!pq_qid_ok(id))
		return false;
	pq_spool_path(sp, queue, id, path);
	if (pq_spool_lstat(sp, path->data, st) < 0) {
		if (errno != ENOENT)
			pq_warn("%s: %s", path->data, strerror(errno));
		else
			errno = 0;
		return false;
	}
	if (!S_ISREG(st->st_mode)) {
		pq_warn("%s: uid %ld: not a regular file", path->data,
			(long)st->st_uid);
		return false;
	}
	return (st->st_mode & S_IRWXU) == S_IRWXU;
}

/* One open directory of a walk; subdirectories sit in front of parents. */
struct scan_level {
	DIR *dir;
	char *path;
	struct scan_level *parent;
};

struct pq_scan {
	const struct pq_spool *sp;
	bool recursive;
	struct scan_level *current;
	char *last_name;
	unsigned char last_type;
	unsigned long errors, perm_errors;
};

/* A part of the queue that could not be read (it was warned about). */
static void scan_error(struct pq_scan *scan, int err)
{
	scan->errors++;
	if (err == EACCES || err == EPERM)
		scan->perm_errors++;
}

/*
 * Enter name (path from the spool root), found in the directory open
 * on parentfd. Below a queue directory a symbolic link is never
 * followed: a link to a directory elsewhere would list (and, to
 * postsuper, hand over) files outside the spool, and a link to its own
 * directory would list it again at every level up to the kernel's
 * ELOOP. False with errno set; ELOOP for such a link.
 */
static bool scan_push(struct pq_scan *scan, int parentfd, const char *name,
		      const char *path)
{
	int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;

	if (scan->current)
		flags |= O_NOFOLLOW;
	int fd = openat(parentfd, name, flags);
	if (fd < 0) {
		/* O_DIRECTORY says ENOTDIR for a link too: tell them apart. */
		int saved = errno;
		struct stat st;
		if (scan->current && (errno == ENOTDIR || errno == ELOOP)
		    && fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
		    && S_ISLNK(st.st_mode))
			saved = ELOOP;
		errno = saved;
		return false;
	}
	DIR *dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return false;
	}
	struct scan_level *l = malloc(sizeof(*l));
	if (l == NULL)
		pq_oom(0);
	l->dir = dir;
	l->path = xstrdup(path);
	l->parent = scan->current;
	scan->current = l;
	return true;
}

static void scan_pop(struct pq_scan *scan)
{
	struct scan_level *l = scan->current;

	scan->current = l->parent;
	closedir(l->dir);
	free(l->path);
	free(l);
}

struct pq_scan *pq_scan_open(const struct pq_spool *sp, const char *queue,
			     bool recursive)
{
	struct pq_scan *scan = calloc(1, sizeof(*scan));

	if (scan == NULL)
		pq_oom(0);
	scan->sp = sp;
	scan->recursive = recursive;
	if (!scan_push(scan, sp->rootfd, queue, queue)) {
		int saved = errno;
		free(scan);
		errno = saved;
		return NULL;
	}
	return scan;
}

const char *pq_scan_next(struct pq_scan *scan)
{
	while (scan->current) {
		struct dirent *dp;

		errno = 0;
		dp = readdir(scan->current->dir);
		if (dp == NULL) {
			if (errno != 0) {
				pq_warn("read directory %s: %s", scan->current->path,
					strerror(errno));
				scan_error(scan, errno);
			}
			scan_pop(scan);
			continue;
		}
		const char *name = dp->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (scan->recursive && name[0] && name[1] == 0) {
			struct pq_buf sub = PQ_BUF_INIT;
			pq_buf_printf(&sub, "%s/%s", scan->current->path, name);
			/*
			 * showq dies here when a one-letter name is not a
			 * directory; an admin's listing should not.
			 */
			if (scan_push(scan, dirfd(scan->current->dir), name, sub.data))
				;
			else if (errno == ELOOP)
				pq_warn("%s: a symbolic link in a queue directory: not "
					"followed", sub.data);
			else if (errno != ENOENT) {
				pq_warn("open directory %s: %s", sub.data,
					strerror(errno));
				scan_error(scan, errno);
			}
			pq_buf_free(&sub);
			continue;
		}
		/* Guard against a readdir loop, as showq does. */
		if (scan->last_name && strcmp(scan->last_name, name) == 0) {
			pq_warn("readdir loop on queue %s id %s",
				scan->current->path, name);
			scan_error(scan, ELOOP);
			scan_pop(scan);
			continue;
		}
		free(scan->last_name);
		scan->last_name = xstrdup(name);
		scan->last_type = dp->d_type;
		return scan->last_name;
	}
	return NULL;
}

unsigned char pq_scan_type(const struct pq_scan *scan)
{
	return scan->last_type;
}

unsigned long pq_scan_errors(const struct pq_scan *scan,
			     unsigned long *perm_errors)
{
	if (perm_errors)
		*perm_errors = scan->perm_errors;
	return scan->errors;
}

const char *pq_scan_dir(const struct pq_scan *scan)
{
	return scan->current ? scan->current->path : "";
}

void pq_scan_close(struct pq_scan *scan)
{
	if (scan == NULL)
		return;
	while (scan->current)
		scan_pop(scan);
	free(scan->last_name);
	free(scan);
}
