/*
 * test_fetch - batched reads of many small files, through io_uring and
 * through plain system calls: both must give the same results, for
 * files that fit, fill or overflow the buffer, and for names that are
 * missing, directories, symlinks or FIFOs.
 */
#include "util/fetch.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAP 64
#define NITEMS 300		/* more than one batch */

static char dir[] = "/tmp/postq-fetch-XXXXXX";

static void write_bytes(int dfd, const char *name, size_t n)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	for (size_t i = 0; i < n; i++) {
		char c = (char)('a' + i % 26);
		if (write(fd, &c, 1) != 1)
			break;
	}
	close(fd);
}

static const char *const names[] = {
	"small", "exact", "big", "missing", "dir", "link", "fifo", "empty",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static void run(int dfd, const char *how)
{
	static unsigned char bufs[NITEMS][CAP];
	struct pq_fetch_item items[NITEMS];
	struct pq_fetch f;
	char name[200];

	pq_fetch_init(&f);
	for (size_t i = 0; i < NITEMS; i++)
		items[i] = (struct pq_fetch_item){ dfd, names[i % NNAMES], bufs[i], CAP, 0, false };
	pq_fetch_run(&f, items, NITEMS);
	/* Twice: the second batch reuses the file slots of the first. */
	pq_fetch_run(&f, items, NITEMS);

	bool small = true, exact = true, big = true, missing = true,
	    isdir = true, link = true, fifo = true, empty = true;
	for (size_t i = 0; i < NITEMS; i++) {
		const struct pq_fetch_item *it = &items[i];
		switch (i % NNAMES) {
		case 0:
			small &= it->len == 10 && it->opened
			    && memcmp(it->buf, "abcdefghij", 10) == 0;
			break;
		case 1:
			exact &= it->len == CAP && it->opened;
			break;
		case 2:
			big &= it->len == CAP && it->opened && it->buf[CAP - 1] == 'a' + (CAP - 1) % 26;
			break;
		case 3:
			missing &= it->len == -ENOENT && !it->opened;
			break;
		case 4:
			isdir &= it->len == -EISDIR && it->opened;
			break;
		case 5:
			link &= it->len == -ELOOP && !it->opened;
			break;
		case 6:
			fifo &= it->len <= 0;
			break;
		case 7:
			empty &= it->len == 0 && it->opened;
			break;
		}
	}
#define T(cond, what) snprintf(name, sizeof(name), "fetch (%s): %s", how, what); CHECK(cond, name)
	T(small, "a short file is read whole");
	T(exact, "a file of the buffer's size fills it");
	T(big, "a larger file fills the buffer");
	T(missing, "a missing name is ENOENT, not opened");
	T(isdir, "a directory opens and fails to read");
	T(link, "a symlink is not followed");
	T(fifo, "a FIFO does not block");
	T(empty, "an empty file reads 0 bytes");
	if (getenv("POSTQ_TEST")) {
		T(!pq_fetch_batched(&f), "POSTQ_TEST=uring=0 turns io_uring off");
	} else {
		printf("# io_uring %s here\n", pq_fetch_batched(&f) ? "in use" : "not available");
	}
	pq_fetch_free(&f);
}

int main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	write_bytes(dfd, "small", 10);
	write_bytes(dfd, "exact", CAP);
	write_bytes(dfd, "big", 3 * CAP);
	write_bytes(dfd, "empty", 0);
	if (mkdirat(dfd, "dir", 0700) != 0 || symlinkat("small", dfd, "link") != 0
	    || mkfifoat(dfd, "fifo", 0600) != 0) {
		perror("test_fetch: setting up");
		return 1;
	}

	unsetenv("POSTQ_TEST");
	run(dfd, "default");
	setenv("POSTQ_TEST", "uring=0", 1);
	run(dfd, "plain calls");

	for (size_t i = 0; i < NNAMES; i++)
		unlinkat(dfd, names[i], 0);
	unlinkat(dfd, "dir", AT_REMOVEDIR);
	close(dfd);
	rmdir(dir);
	return unit_status();
}
