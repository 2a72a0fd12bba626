/*
 * fetch - open, read and close many small files in one go; see fetch.h.
 */
#include "util/fetch.h"

#include "util/knobs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef POSTQ_HAVE_URING
#include <liburing.h>
#endif

#define OPEN_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

/* Not tried yet: the ring is made by the thread that uses it. */
static void *const URING_UNTRIED = (void *)&URING_UNTRIED;

void pq_fetch_init(struct pq_fetch *f)
{
	long uring;

	f->uring = pq_test_knob("uring", &uring) && uring == 0 ? NULL : URING_UNTRIED;
	f->noatime = true;
}

/* One item with plain system calls. */
static void fetch_one(struct pq_fetch *f, struct pq_fetch_item *it)
{
	int fd = -1;

	if (f->noatime) {
		fd = openat(it->dirfd, it->name, OPEN_FLAGS | O_NOATIME);
		if (fd < 0 && errno == EPERM)
			f->noatime = false;
	}
	if (!f->noatime)
		fd = openat(it->dirfd, it->name, OPEN_FLAGS);
	it->opened = fd >= 0;
	if (fd < 0) {
		it->len = -errno;
		return;
	}
	size_t got = 0;
	while (got < it->cap) {
		ssize_t n = read(fd, it->buf + got, it->cap - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			got = 0;
			it->len = -errno;
			close(fd);
			return;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	it->len = (ssize_t)got;
	close(fd);
}

#ifdef POSTQ_HAVE_URING
/*
 * A ring for this thread, or NULL. SINGLE_ISSUER|DEFER_TASKRUN (Linux
 * 6.1) let the kernel finish the reads in our own io_uring_enter
 * instead of in task work; older kernels refuse them, so try without.
 */
static struct io_uring *ring_setup(void)
{
	struct io_uring *ring = malloc(sizeof(*ring));

	if (ring == NULL)
		return NULL;
	if (io_uring_queue_init(2 * PQ_FETCH_BATCH, ring,
				IORING_SETUP_SINGLE_ISSUER
				| IORING_SETUP_DEFER_TASKRUN) < 0
	    && io_uring_queue_init(2 * PQ_FETCH_BATCH, ring, 0) < 0) {
		free(ring);
		return NULL;
	}
	if (io_uring_register_files_sparse(ring, PQ_FETCH_BATCH) < 0) {
		io_uring_queue_exit(ring);
		free(ring);
		return NULL;
	}
	return ring;
}

static void fetch_ring(struct pq_fetch *f, struct io_uring *ring,
		       struct pq_fetch_item *items, size_t n)
{
	/* Direct descriptors are never inherited: O_CLOEXEC is refused. */
	int flags = (OPEN_FLAGS & ~O_CLOEXEC) | (f->noatime ? O_NOATIME : 0);

	for (size_t i = 0; i < n; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		io_uring_prep_openat_direct(sqe, items[i].dirfd, items[i].name,
					    flags, 0, (unsigned)i);
		sqe->flags |= IOSQE_IO_LINK;
		io_uring_sqe_set_data64(sqe, 2 * i);
		sqe = io_uring_get_sqe(ring);
		io_uring_prep_read(sqe, (int)i, items[i].buf,
				   (unsigned)items[i].cap, 0);
		sqe->flags |= IOSQE_FIXED_FILE;
		io_uring_sqe_set_data64(sqe, 2 * i + 1);
		items[i].len = -ECANCELED;
		items[i].opened = false;
	}
	int want = (int)(2 * n), seen = 0, rc;
	do
		rc = io_uring_submit_and_wait(ring, (unsigned)want);
	while (rc == -EINTR);
	/* Only what was submitted completes; on error, nothing was. */
	int submitted = rc < 0 ? 0 : rc < want ? rc : want;
	while (seen < submitted) {
		struct io_uring_cqe *cqe;
		rc = io_uring_wait_cqe(ring, &cqe);
		if (rc == -EINTR)
			continue;
		if (rc < 0)
			break;
		unsigned long long tag = io_uring_cqe_get_data64(cqe);
		struct pq_fetch_item *it = &items[tag / 2];
		/* An open that failed cancels its read: keep the open's errno. */
		if (tag % 2 == 0)
			it->opened = cqe->res >= 0;
		if (tag % 2 == 0 ? cqe->res < 0 : cqe->res != -ECANCELED)
			it->len = cqe->res;
		io_uring_cqe_seen(ring, cqe);
		seen++;
	}
	/*
	 * A ring that did not take or finish the whole batch holds requests
	 * or completions that would be read as the next batch's: drop it and
	 * go on with plain calls (the items still marked ECANCELED below).
	 */
	if (seen < want) {
		io_uring_queue_exit(ring);
		free(ring);
		f->uring = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		/* EPERM: O_NOATIME on a file we do not own; ECANCELED: lost. */
		if (items[i].len == -EPERM || items[i].len == -ECANCELED
		    || items[i].len == -EAGAIN || items[i].len == -EINTR)
			fetch_one(f, &items[i]);
	}
}

#endif

void pq_fetch_run(struct pq_fetch *f, struct pq_fetch_item *items, size_t n)
{
#ifdef POSTQ_HAVE_URING
	if (f->uring == URING_UNTRIED)
		f->uring = ring_setup();
#else
	f->uring = NULL;
#endif
	while (n > 0) {
		size_t part = n < PQ_FETCH_BATCH ? n : PQ_FETCH_BATCH;
#ifdef POSTQ_HAVE_URING
		if (f->uring)
			fetch_ring(f, f->uring, items, part);
		else
#endif
			for (size_t i = 0; i < part; i++)
				fetch_one(f, &items[i]);
		items += part;
		n -= part;
	}
}

bool pq_fetch_batched(const struct pq_fetch *f)
{
	return f->uring != NULL && f->uring != URING_UNTRIED;
}

void pq_fetch_free(struct pq_fetch *f)
{
#ifdef POSTQ_HAVE_URING
	if (f->uring && f->uring != URING_UNTRIED) {
		io_uring_queue_exit(f->uring);
		free(f->uring);
	}
#endif
	f->uring = NULL;
}
