/*
 * qshape_scan - count queue files into a qshape table; see qshape_scan.h.
 */
#include "qshape_scan.h"

#include "util/buf.h"
#include "common/die.h"
#include "util/diag.h"
#include "util/regfile.h"
#include "perl_find.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * A file qshape would read but cannot: qshape skips it silently; we say
 * so and count it. One that vanished is no loss.
 */
static void cannot_open(const char *path, int err, struct pq_find_errors *errs)
{
	if (err == ENOENT)
		return;
	pq_warn("open %s: %s", path, strerror(err));
	pq_find_error(errs, err);
}

/*
 * The lstat and mode tests, then the reader. A name that readdir says is
 * a regular file is opened first and tested with fstat (one path lookup
 * instead of two; O_NOFOLLOW still refuses a symlink put there since).
 * Otherwise the name is lstat'ed first, as qshape does, and what is then
 * opened (without blocking) is checked again with fstat: a FIFO or
 * device swapped in between is not read.
 */
static enum pq_qenv_status read_at(struct pq_qenv *env, int dirfd,
				   const char *rel, unsigned char d_type,
				   const char *path, struct stat *st,
				   struct pq_find_errors *errs)
{
	int fd;

	if (d_type == DT_REG) {
		fd = openat(dirfd, rel, PQ_REGFILE_FLAGS);
		if (fd < 0) {
			/* qshape's tests decide first whether it matters. */
			int err = errno;
			if (fstatat(dirfd, rel, st, AT_SYMLINK_NOFOLLOW) == 0
			    && pq_qenv_mode_ok(st))
				cannot_open(path, err, errs);
			return PQ_QENV_SKIP;
		}
		if (fstat(fd, st) < 0 || !pq_qenv_mode_ok(st)) {
			close(fd);
			return PQ_QENV_SKIP;
		}
	} else {
		if (fstatat(dirfd, rel, st, AT_SYMLINK_NOFOLLOW) < 0
		    || !pq_qenv_mode_ok(st))
			return PQ_QENV_SKIP;
		struct stat again;
		fd = openat(dirfd, rel, PQ_REGFILE_FLAGS);
		if (fd < 0) {
			if (errno != ELOOP)
				cannot_open(path, errno, errs);
			return PQ_QENV_SKIP;
		}
		if (fstat(fd, &again) < 0 || !pq_qenv_mode_ok(&again)
		    || again.st_ino != st->st_ino || again.st_dev != st->st_dev) {
			close(fd);
			return PQ_QENV_SKIP;
		}
	}
	enum pq_qenv_status status = pq_qenv_read(env, fd, path, st);
	close(fd);
	return status;
}

enum pq_qenv_status pq_qshape_read_file(struct pq_qenv *env, int dirfd,
					const char *name, unsigned char d_type,
					const char *path, struct stat *st,
					struct pq_find_errors *errs)
{
	if (!pq_qenv_name_ok(name))
		return PQ_QENV_SKIP;
	return read_at(env, dirfd, name, d_type, path, st, errs);
}

void pq_qshape_count(struct pq_qshape *q, const struct pq_qenv *env,
		     bool senders)
{
	size_t b = pq_qshape_bucket(&q->conf, q->now, env->time);

	q->messages++;
	if (senders) {
		/* qshape's "return undef" message: lc(undef) is "". */
		pq_qshape_add_address(q, b, env->sender.data ? env->sender.data : "",
				      env->sender.len);
		return;
	}
	for (size_t i = 0; i < env->nrcpt; i++) {
		size_t len;
		const char *a = pq_qenv_rcpt(env, i, &len);
		pq_qshape_add_address(q, b, a, len);
	}
}

/* A chunk of "dir/name" paths (relative to basefd), NUL-separated. */
struct chunk {
	struct pq_buf names;
	size_t n;
	struct chunk *next;
};

#define CHUNK_FILES 256
#define MAX_QUEUED 64

struct scan {
	pthread_mutex_t lock;
	pthread_cond_t more;	/* a chunk was queued, or the walk ended */
	pthread_cond_t room;	/* a chunk was taken */
	struct chunk *head, *tail;
	size_t queued;
	bool done;
	struct chunk *filling;
	int basefd;
	bool senders;
	const struct pq_qshape *proto;
	/* single-threaded */
	struct pq_qshape *q;
	struct pq_qenv env;
	struct pq_buf path;
	struct pq_find_errors errs;
};

static void one_file(struct pq_qshape *q, struct pq_qenv *env, int dirfd,
		     const char *rel, unsigned char d_type, const char *path,
		     bool senders, struct pq_find_errors *errs)
{
	struct stat st;

	if (read_at(env, dirfd, rel, d_type, path, &st, errs) != PQ_QENV_SKIP)
		pq_qshape_count(q, env, senders);
}

static void visit_direct(void *ctx, int dirfd, const char *dir,
			 const char *name, unsigned char d_type,
			 const char *top)
{
	struct scan *s = ctx;

	(void)top;
	if (!pq_qenv_name_ok(name))
		return;
	pq_buf_reset(&s->path);
	pq_buf_printf(&s->path, "%s/%s", dir, name);
	one_file(s->q, &s->env, dirfd, name, d_type, s->path.data, s->senders,
		 &s->errs);
}

static void push_chunk(struct scan *s)
{
	struct chunk *c = s->filling;

	s->filling = NULL;
	if (c == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	while (s->queued >= MAX_QUEUED)
		pthread_cond_wait(&s->room, &s->lock);
	if (s->tail)
		s->tail->next = c;
	else
		s->head = c;
	s->tail = c;
	s->queued++;
	pthread_cond_signal(&s->more);
	pthread_mutex_unlock(&s->lock);
}

static void visit_queue(void *ctx, int dirfd, const char *dir,
			const char *name, unsigned char d_type,
			const char *top)
{
	struct scan *s = ctx;

	(void)dirfd;
	(void)top;
	if (!pq_qenv_name_ok(name))
		return;
	if (s->filling == NULL) {
		s->filling = calloc(1, sizeof(*s->filling));
		if (s->filling == NULL)
			pq_fatal(PQ_EX_OSERR, "out of memory");
	}
	struct pq_buf *b = &s->filling->names;
	pq_buf_addc(b, d_type ? d_type : 0xff);	/* DT_UNKNOWN is 0 */
	pq_buf_adds(b, dir);
	pq_buf_addc(b, '/');
	pq_buf_adds(b, name);
	pq_buf_addc(b, 0);
	if (++s->filling->n == CHUNK_FILES)
		push_chunk(s);
}

struct worker {
	pthread_t tid;
	struct scan *s;
	struct pq_qshape q;
	struct pq_find_errors errs;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct scan *s = w->s;
	struct pq_qenv env = PQ_QENV_INIT;

	for (;;) {
		pthread_mutex_lock(&s->lock);
		while (s->head == NULL && !s->done)
			pthread_cond_wait(&s->more, &s->lock);
		struct chunk *c = s->head;
		if (c) {
			s->head = c->next;
			if (s->head == NULL)
				s->tail = NULL;
			s->queued--;
			pthread_cond_signal(&s->room);
		}
		pthread_mutex_unlock(&s->lock);
		if (c == NULL)
			break;
		const char *p = c->names.data;
		for (size_t i = 0; i < c->n; i++) {
			unsigned char d_type = (unsigned char)*p++;
			one_file(&w->q, &env, s->basefd, p,
				 d_type == 0xff ? DT_UNKNOWN : d_type, p, s->senders,
				 &w->errs);
			p += strlen(p) + 1;
		}
		pq_buf_free(&c->names);
		free(c);
	}
	pq_qenv_free(&env);
	return NULL;
}

void pq_qshape_scan(struct pq_qshape *q, int basefd, const char *const *tops,
		    size_t ntops, bool senders, int nthreads,
		    struct pq_find_errors *errs)
{
	struct scan s;

	memset(&s, 0, sizeof(s));
	s.basefd = basefd;
	s.senders = senders;
	s.q = q;
	if (nthreads <= 1) {
		pq_perl_find(basefd, tops, ntops, visit_direct, &s, errs);
		errs->n += s.errs.n;
		errs->perm += s.errs.perm;
		pq_qenv_free(&s.env);
		pq_buf_free(&s.path);
		return;
	}

	struct worker *w = calloc((size_t)nthreads, sizeof(*w));
	if (w == NULL)
		pq_fatal(PQ_EX_OSERR, "out of memory");
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.more, NULL);
	pthread_cond_init(&s.room, NULL);
	int started = 0;
	for (int i = 0; i < nthreads; i++) {
		w[i].s = &s;
		pq_qshape_init(&w[i].q, &q->conf, q->now);
		if (pthread_create(&w[i].tid, NULL, work, &w[i]) != 0)
			break;
		started++;
	}
	if (started == 0) {
		/* No threads to be had: do it here. */
		pq_perl_find(basefd, tops, ntops, visit_direct, &s, errs);
	} else {
		pq_perl_find(basefd, tops, ntops, visit_queue, &s, errs);
		push_chunk(&s);
	}
	pthread_mutex_lock(&s.lock);
	s.done = true;
	pthread_cond_broadcast(&s.more);
	pthread_mutex_unlock(&s.lock);
	for (int i = 0; i < started; i++) {
		pthread_join(w[i].tid, NULL);
		pq_qshape_merge(q, &w[i].q);
		errs->n += w[i].errs.n;
		errs->perm += w[i].errs.perm;
	}
	errs->n += s.errs.n;
	errs->perm += s.errs.perm;
	for (int i = 0; i < nthreads; i++)
		pq_qshape_free(&w[i].q);
	pq_qshape_recount_subdomains(q);
	free(w);
	pq_qenv_free(&s.env);
	pq_buf_free(&s.path);
	pthread_mutex_destroy(&s.lock);
	pthread_cond_destroy(&s.more);
	pthread_cond_destroy(&s.room);
}
