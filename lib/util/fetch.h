/*
 * fetch - open, read and close many small files in one go.
 *
 * A queue listing reads two small files per message (the queue file and
 * its defer log), so its cost is system calls, not bytes: on a virtual
 * machine each call can cost more than the work it does. A fetch
 * takes a batch of (directory, name, buffer) items and fills each
 * buffer with the start of its file. Where the kernel offers io_uring,
 * the whole batch is one io_uring_enter(2): each item is an openat into
 * a registered file slot linked to a read from that slot (the next
 * batch's openat into the slot releases the file). Elsewhere (an old
 * kernel, a seccomp filter, or a test that asks for it) each item
 * is openat(2), read(2), close(2): the same results, more calls. A
 * build without liburing (pkg-config finds none) always takes that path.
 *
 * Files are opened read-only, without following a final symlink,
 * without blocking (a FIFO planted in a queue must not hang a listing)
 * and, where permitted, without updating the access time. With plain
 * calls, anything but a regular file is refused (fstat on the
 * descriptor): len is -PQ_ENOTREG (util/regfile.h).
 *
 * A direct descriptor of io_uring has no fstat (and a statx of the name
 * in the same batch is costly: io_uring runs it in a worker thread; see
 * BENCHMARKS.md), so there an item is done again with plain calls when
 * its read fails or gives nothing (a directory, a FIFO without a
 * writer, /dev/null). io_uring waits for a FIFO's data even when it was
 * opened O_NONBLOCK (RWF_NOWAIT would not, but it also cuts reads of
 * regular files short without saying so), so a batch that has not
 * finished after PQ_FETCH_TIMEOUT seconds (a FIFO planted with a writer
 * that never writes) is cancelled, done with plain calls, and the fetch
 * goes on without io_uring. What else a planted device gives is at most
 * cap bytes, read without blocking; a caller that finds cap bytes reads
 * the rest through pq_regfile_open(), which refuses it.
 *
 *	pq_fetch_init(&f);
 *	items[i] = (struct pq_fetch_item){ dirfd, name, buf, cap };
 *	pq_fetch_run(&f, items, n);	each items[i].len: bytes or -errno
 *	pq_fetch_free(&f);
 *
 * A result with len == cap may be cut short: the caller reads the rest
 * some other way. Anything shorter is the whole file as it was then.
 */
#ifndef POSTQ_FETCH_H
#define POSTQ_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Items per pq_fetch_run(); larger batches are run in parts. */
#define PQ_FETCH_BATCH 128
/* Seconds a batch may take under io_uring (POSTQ_TEST=fetch_timeout=N). */
#define PQ_FETCH_TIMEOUT 10

struct pq_fetch_item {
	int dirfd;
	const char *name;	/* relative to dirfd */
	unsigned char *buf;
	size_t cap;
	ssize_t len;		/* out: bytes read, or -errno */
	bool opened;		/* out: the open worked (len < 0: read error,
				 * or -PQ_ENOTREG: not a regular file) */
};

struct pq_fetch {
	void *uring;		/* struct io_uring, or NULL: plain calls */
	bool noatime;		/* O_NOATIME still allowed */
	int timeout;		/* PQ_FETCH_TIMEOUT, or a test's */
};

void pq_fetch_init(struct pq_fetch *f);
void pq_fetch_run(struct pq_fetch *f, struct pq_fetch_item *items, size_t n);
void pq_fetch_free(struct pq_fetch *f);

/* True if this fetch uses io_uring (for tests and -v output). */
bool pq_fetch_batched(const struct pq_fetch *f);

#endif
