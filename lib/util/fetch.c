/*
 * fetch - open, read and close many small files in one go; see fetch.h.
 */
#include "util/fetch.h"

#include "util/knobs.h"
#include "util/regfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef POSTQ_HAVE_URING
#include <liburing.h>
#endif

#define OPEN_FLAGS PQ_REGFILE_FLAGS

/* Not tried yet: the ring is made by the thread that uses it. */
static void *const URING_UNTRIED = (void *)&URING_UNTRIED;

void pq_fetch_init(struct pq_fetch *f)
{
	long uring;

	f->uring = pq_test_knob("uring", &uring) && uring == 0 ? NULL : URING_UNTRIED;
	f->noatime = true;
	long t;
	f->timeout = pq_test_knob("fetch_timeout", &t) && t > 0 && t <= 3600
		     ? (int)t : PQ_FETCH_TIMEOUT;
}

/* One item with plain system calls; fstat says what was opened. */
static void fetch_one(struct pq_fetch *f, struct pq_fetch_item *it)
{
	struct stat st;
	int fd = pq_regfile_open(it->dirfd, it->name, &f->noatime, &st);

	it->opened = fd >= 0 || errno == PQ_ENOTREG;
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
	/* One SQE more than a batch needs, for a cancel. */
	if (io_uring_queue_init(2 * PQ_FETCH_BATCH + 1, ring,
				IORING_SETUP_SINGLE_ISSUER
				| IORING_SETUP_DEFER_TASKRUN) < 0
	    && io_uring_queue_init(2 * PQ_FETCH_BATCH + 1, ring, 0) < 0) {
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

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/*
 * Reap completions of items until there are max in all; false if that
 * took more than timeout seconds.
 */
static bool reap(struct io_uring *ring, struct pq_fetch_item *items,
		 int *seen, int max, int timeout)
{
	long long deadline = now_ns() + timeout * 1000000000LL;

	while (*seen < max) {
		struct io_uring_cqe *cqe;
		long long left = deadline - now_ns();
		if (left <= 0)
			return false;
		struct __kernel_timespec ts = { .tv_sec = left / 1000000000LL,
						.tv_nsec = left % 1000000000LL };
		int rc = io_uring_wait_cqes(ring, &cqe, (unsigned)(max - *seen), &ts, NULL);
		if (rc == -EINTR)
			continue;
		if (rc < 0)
			return false;
		unsigned head, got = 0;
		io_uring_for_each_cqe(ring, head, cqe) {
			unsigned long long tag = io_uring_cqe_get_data64(cqe);
			got++;
			if (tag == ~0ULL)	/* the cancel request itself */
				continue;
			struct pq_fetch_item *it = &items[tag / 2];
			/* An open that failed cancels its read: keep its errno. */
			if (tag % 2 == 0)
				it->opened = cqe->res >= 0;
			if (tag % 2 == 0 ? cqe->res < 0 : cqe->res != -ECANCELED)
				it->len = cqe->res;
		}
		io_uring_cq_advance(ring, got);
		*seen += (int)got;
	}
	return true;
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
		rc = io_uring_submit(ring);
	while (rc == -EINTR);
	/* Only what was submitted completes; on error, nothing was. */
	int submitted = rc < 0 ? 0 : rc < want ? rc : want;
	bool done = reap(ring, items, &seen, submitted, f->timeout);
	if (!done) {
		/*
		 * Something waits (see fetch.h): cancel it and collect it and
		 * the cancel, so the kernel writes into no buffer later.
		 */
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		if (sqe != NULL) {
			io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY
					       | IORING_ASYNC_CANCEL_ALL);
			io_uring_sqe_set_data64(sqe, ~0ULL);
			if (io_uring_submit(ring) == 1)
				reap(ring, items, &seen, submitted + 1, f->timeout);
		}
	}
	/*
	 * A ring that did not take or finish the whole batch holds requests
	 * or completions that would be read as the next batch's, and one
	 * that had to wait would wait again on the next planted file: drop
	 * it and go on with plain calls (the items still marked ECANCELED
	 * below).
	 */
	if (!done || seen < want) {
		io_uring_queue_exit(ring);
		free(ring);
		f->uring = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		/*
		 * Done again with plain calls: EPERM (O_NOATIME on a file we
		 * do not own), ECANCELED (lost, or a read that waited too
		 * long), EINTR, EAGAIN; any read error (a directory: plain
		 * calls say "not a regular file"); and nothing read (an empty
		 * file, a FIFO without a writer, /dev/null), where fstat tells
		 * which it is.
		 */
		ssize_t len = items[i].len;
		if (len == -EPERM || len == -ECANCELED || len == -EINTR
		    || len == -EAGAIN || len == 0 || (items[i].opened && len < 0))
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
